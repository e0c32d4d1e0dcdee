/* kv_open_hidden.c - private tests of kv_open: stores with a wrong magic or version, cut
 * short or truncated, permissions as an ordinary user, an existing store's capacity, and
 * creators racing on a shared-memory name. */
#include "../../../labs/lab3-unrelated/tests/lab3_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


/* The suites (init, fini, timeouts) are declared once, in the public tests. */
#define HINT_NOT_A_STORE "a file that is not a store gives EINVAL, and never SIGBUS (handout " \
    "lab3, \"Store layout\")."

/* A real store with a few entries, read back into memory: *len bytes. */
static char *store_image(size_t nslots, size_t *len)
{
    const char *path = kvt_path();
    struct kv *kv = kv_open(path, nslots, KV_CREATE);
    MM_ASSERT(kv != NULL, "kv_open(path, %zu, KV_CREATE) failed with %s.\n  Hint: "
              KVT_HINT_OPEN, nslots, mm_errno_name(errno));
    for (unsigned i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof key, "img%u", i);
        MM_EXPECT_OK(kvt_put(kv, key, i), "kv_put");
    }
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    char *img = mm_slurp(path, len);
    MM_ASSERT(img != NULL && *len >= 8, "could not read the store file back");
    return img;
}

/* One kv_open per file: an implementation may wait up to 2 s before deciding. */
static void expect_not_a_store(const void *data, size_t len, int flags, const char *what)
{
    const char *path = mm_tmpfile(data, len);
    MM_EXPECT_NULL_ERRNO(kv_open(path, 16, flags), EINVAL, what);
    size_t after_len;
    char *after = mm_slurp(path, &after_len);
    MM_ASSERT(after && after_len == len && memcmp(after, data, len) == 0, "kv_open changed "
              "a file that is not a store (%s).\n  Hint: only the creator of a new file may "
              "write it.", what);
    free(after);
}

Test(kv_open, bad_magic_gives_EINVAL)
{
    size_t len;
    char *img = store_image(16, &len);
    ((unsigned int *)img)[0] ^= 0x01000000u;
    expect_not_a_store(img, len, 0, "the first word is not KV_MAGIC: " HINT_NOT_A_STORE);
    expect_not_a_store(img, len, KV_CREATE | KV_RDONLY, "the first word is not KV_MAGIC "
                       "(KV_CREATE | KV_RDONLY): " HINT_NOT_A_STORE);
    free(img);
    MM_END();
}

Test(kv_open, bad_version_gives_EINVAL)
{
    size_t len;
    char *img = store_image(16, &len);
    ((unsigned int *)img)[1] = KV_VERSION + 1;
    expect_not_a_store(img, len, KV_CREATE, "the second word is not KV_VERSION: a store "
                       "of another format; " HINT_NOT_A_STORE);
    free(img);
    MM_END();
}

Test(kv_open, header_cut_short_gives_EINVAL)
{
    static const size_t cuts[] = { 1, 8, 16 };
    size_t len;
    char *img = store_image(16, &len);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_not_a_store(img, cuts[i], i == 1 ? KV_RDONLY : 0, "the first bytes of a "
                           "store, shorter than its header: compare st_size with the header "
                           "size first; " HINT_NOT_A_STORE);
    free(img);
    MM_END();
}

Test(kv_open, truncated_store_gives_EINVAL_not_SIGBUS)
{
    size_t len;
    char *img = store_image(1000, &len);
    expect_not_a_store(img, len / 2, KV_RDONLY, "a store cut to half its size: its slots are "
                       "not all in the file, and touching them would raise SIGBUS. Compare "
                       "st_size with the size the header's capacity needs; " HINT_NOT_A_STORE);
    free(img);
    MM_END();
}

Test(kv_open, nslots_ignored_when_store_exists)
{
    const char *path = kvt_path();
    struct kv *kv;
    char key[16];

    MM_EXPECT_PTR(kv = kv_open(path, 4, KV_CREATE), KVT_HINT_OPEN);
    for (unsigned i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "cap%u", i);
        MM_EXPECT_OK(kvt_put(kv, key, i), "4 keys fit in 4 slots");
    }
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_EXPECT_PTR(kv = kv_open(path, 0, KV_CREATE), "KV_CREATE with nslots 0 on an existing "
                  "store: nslots is ignored; " KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_EXPECT_PTR(kv = kv_open(path, 1000, KV_CREATE), KVT_HINT_OPEN);
    MM_ASSERT(kv_count(kv) == 4, "reopening with KV_CREATE and 1000 slots: kv_count %zu, "
              "expected the 4 entries already there.\n  Hint: never initialise a store that "
              "exists.", kv_count(kv));
    MM_EXPECT_ERRNO(kv_put(kv, "fifth", "v", 1), ENOSPC, "the store keeps its 4 slots: "
                    "nslots is ignored when it exists (handout lab3, \"Opening and creating "
                    "a store (kv_open)\").");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_open, shm_programs_create_at_once)
{
    kvt_create_race(kvt_shm_name(), 1, 8);
    MM_END();
}

/* As an ordinary user: 1 = got EACCES for a mode-0000 store opened KV_RDONLY, 2 = for a
 * mode-0444 store opened for writing, 3 = the mode-0444 store opened KV_RDONLY fine. */
struct perm_paths { const char *none, *readonly; };

static int open_as_user(void *arg)
{
    const struct perm_paths *p = arg;
    struct kv *kv = kv_open(p->none, 0, KV_RDONLY);
    if (kv != NULL || errno != EACCES)
        return 10 + (kv ? 0 : errno % 100);
    kv = kv_open(p->readonly, 0, 0);
    if (kv != NULL || errno != EACCES)
        return 110 + (kv ? 0 : errno % 100);
    kv = kv_open(p->readonly, 16, KV_CREATE);
    if (kv != NULL || errno != EACCES)
        return 210 + (kv ? 0 : errno % 40);
    kv = kv_open(p->readonly, 0, KV_RDONLY);
    if (kv == NULL)
        return 5;
    return kv_close(kv) == 0 ? 0 : 6;
}

Test(kv_open, permission_denied_gives_EACCES)
{
    const char *dir = mm_tmpdir();
    char none[4096], readonly[4096];
    struct kv *kv;

    MM_ASSERT(chmod(dir, 0755) == 0, "chmod of the test directory failed");
    snprintf(none, sizeof none, "%s/mode0000", dir);
    snprintf(readonly, sizeof readonly, "%s/mode0444", dir);
    MM_EXPECT_PTR(kv = kv_open(none, 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_EXPECT_PTR(kv = kv_open(readonly, 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_ASSERT(chmod(none, 0) == 0 && chmod(readonly, 0444) == 0, "chmod failed");
    struct perm_paths p = { none, readonly };
    int rc = mm_run_unprivileged(open_as_user, &p, 10000);
    MM_ASSERT(rc == 0, "as an ordinary user: %s.\n  Hint: pass open's EACCES through, and "
              "open a KV_RDONLY store with O_RDONLY (handout lab3, \"Errors and errno\").",
              rc == -1 ? "kv_open crashed or hung"
              : rc >= 210 ? "kv_open(mode-0444 store, 16, KV_CREATE) did not give EACCES"
              : rc >= 110 ? "kv_open(mode-0444 store, 0, 0) did not give EACCES"
              : rc >= 10 ? "kv_open(mode-0000 store, 0, KV_RDONLY) did not give EACCES"
              : "a mode-0444 store could not be opened KV_RDONLY");
    MM_END();
}
