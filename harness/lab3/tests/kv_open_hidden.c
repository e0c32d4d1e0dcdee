/* kv_open_hidden.c - private tests of kv_open: stores with a wrong magic or version, cut
 * short or truncated, permissions as an ordinary user, an existing store's capacity, and
 * creators racing on a shared-memory name.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "../../../labs/lab3-unrelated/tests/lab3_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The suites (init, fini, timeouts) are declared once, in the public tests. */
#define HINT_NOT_A_STORE(text) HINT(S_LAYOUT, text ": a file that is not a store gives " \
                                    "EINVAL, and never SIGBUS")

/* A real store with a few entries, read back into memory: *len bytes. */
static char *store_image(size_t nslots, size_t *len)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put[4], close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, nslots, KV_CREATE);
        if (kv != NULL) {
            for (unsigned i = 0; i < 4; i++) {
                char key[16];
                snprintf(key, sizeof key, "img%u", i);
                o.put[i] = kvt_put(kv, key, i);
            }
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK_OK(o.put[i], HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    char *img = mm_slurp(path, len);
    MM_CHECK(img != NULL && *len >= 8, MM_NO_HINT, "test setup: could not read the store "
             "file back");
    return img;
}

/* One kv_open per file, in a subject of its own: an implementation may wait up to 2 s
 * before deciding. */
static void expect_not_a_store(const void *data, size_t len, int flags, struct mm_hint hint)
{
    const char *path = mm_tmpfile(data, len);
    MM_CALL_NULL_ERRNO(kv_open(path, 16, flags), EINVAL, hint);
    size_t after_len;
    char *after = mm_slurp(path, &after_len);
    bool same = after && after_len == len && memcmp(after, data, len) == 0;
    free(after);
    MM_CHECK(same, HINT(S_OPEN, "only the creator of a new file may write it"), "kv_open "
             "changed a file that is not a store (%s).", hint.text);
}

Test(kv_open, bad_magic_gives_EINVAL)
{
    size_t len;
    char *img = store_image(16, &len);
    ((unsigned int *)img)[0] ^= 0x01000000u;
    expect_not_a_store(img, len, 0, HINT_NOT_A_STORE("the first word is not KV_MAGIC"));
    expect_not_a_store(img, len, KV_CREATE | KV_RDONLY, HINT_NOT_A_STORE("the first word is "
                       "not KV_MAGIC (KV_CREATE | KV_RDONLY)"));
    free(img);
}

Test(kv_open, bad_version_gives_EINVAL)
{
    size_t len;
    char *img = store_image(16, &len);
    ((unsigned int *)img)[1] = KV_VERSION + 1;
    expect_not_a_store(img, len, KV_CREATE, HINT_NOT_A_STORE("the second word is not "
                       "KV_VERSION: a store of another format"));
    free(img);
}

Test(kv_open, header_cut_short_gives_EINVAL)
{
    static const size_t cuts[] = { 1, 8, 16 };
    size_t len;
    char *img = store_image(16, &len);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_not_a_store(img, cuts[i], i == 1 ? KV_RDONLY : 0, HINT_NOT_A_STORE("the first "
                           "bytes of a store, shorter than its header: compare st_size with "
                           "the header size first"));
    free(img);
}

Test(kv_open, truncated_store_gives_EINVAL_not_SIGBUS)
{
    size_t len;
    char *img = store_image(1000, &len);
    expect_not_a_store(img, len / 2, KV_RDONLY, HINT_NOT_A_STORE("a store cut to half its "
                       "size: its slots are not all in the file, and touching them would "
                       "raise SIGBUS. Compare st_size with the size the header's capacity "
                       "needs"));
    free(img);
}

Test(kv_open, nslots_ignored_when_store_exists)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put[4], close, open0, close0, open1000, fifth, close1000;
             size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 4, KV_CREATE);
        if (kv != NULL) {
            for (unsigned i = 0; i < 4; i++) {
                char key[16];
                snprintf(key, sizeof key, "cap%u", i);
                o.put[i] = kvt_put(kv, key, i);
            }
            o.close = MM_CALL(kv_close(kv));
            o.open0 = kvt_open(&kv, path, 0, KV_CREATE);
            if (kv != NULL)
                o.close0 = MM_CALL(kv_close(kv));
            o.open1000 = kvt_open(&kv, path, 1000, KV_CREATE);
            if (kv != NULL) {
                o.count = (size_t)MM_CALL(kv_count(kv)).ret;
                o.fifth = MM_CALL(kv_put(kv, "fifth", "v", 1));
                o.close1000 = MM_CALL(kv_close(kv));
            }
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK_OK(o.put[i], HINT(S_ENTRIES, "4 keys fit in 4 slots"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_PTR(o.open0, HINT(S_OPEN, "KV_CREATE with nslots 0 on an existing store: nslots "
                 "is ignored"));
    MM_CHECK_OK(o.close0, HINT_CLOSE);
    MM_CHECK_PTR(o.open1000, HINT_OPEN);
    MM_CHECK(o.count == 4, HINT(S_OPEN, "never initialise a store that exists"), "reopening "
             "with KV_CREATE and 1000 slots: kv_count %zu, expected the 4 entries already "
             "there.", o.count);
    MM_CHECK_ERRNO(o.fifth, ENOSPC, HINT(S_OPEN, "the store keeps its 4 slots: nslots is "
                   "ignored when it exists"));
    MM_CHECK_OK(o.close1000, HINT_CLOSE);
}

Test(kv_open, shm_programs_create_at_once)
{
    kvt_create_race(kvt_shm_name(), true, 8);
}

Test(kv_open, permission_denied_gives_EACCES)
{
    const char *dir = mm_tmpdir();
    char none[4096], readonly[4096];
    struct { struct mm_call open_none, close_none, open_ro, close_ro; } made;
    struct { struct mm_call none_rdonly, ro_write, ro_create, ro_rdonly, close; } o;

    MM_CHECK(chmod(dir, 0755) == 0, MM_NO_HINT, "test setup: chmod of the test directory "
             "failed");
    snprintf(none, sizeof none, "%s/mode0000", dir);
    snprintf(readonly, sizeof readonly, "%s/mode0444", dir);
    MM_SUBJECT(made) {
        struct kv *kv;
        made.open_none = kvt_open(&kv, none, 16, KV_CREATE);
        if (kv != NULL)
            made.close_none = MM_CALL(kv_close(kv));
        made.open_ro = kvt_open(&kv, readonly, 16, KV_CREATE);
        if (kv != NULL)
            made.close_ro = MM_CALL(kv_close(kv));
    }
    MM_CHECK_PTR(made.open_none, HINT_OPEN);
    MM_CHECK_OK(made.close_none, HINT_CLOSE);
    MM_CHECK_PTR(made.open_ro, HINT_OPEN);
    MM_CHECK_OK(made.close_ro, HINT_CLOSE);
    MM_CHECK(chmod(none, 0) == 0 && chmod(readonly, 0444) == 0, MM_NO_HINT, "test setup: "
             "chmod failed");
    /* As an ordinary user: root bypasses permission bits. */
    MM_SUBJECT_WITH(o, .as_user = true) {
        struct kv *kv;
        o.none_rdonly = kvt_open(&kv, none, 0, KV_RDONLY);
        if (kv != NULL)
            kv_close(kv);
        o.ro_write = kvt_open(&kv, readonly, 0, 0);
        if (kv != NULL)
            kv_close(kv);
        o.ro_create = kvt_open(&kv, readonly, 16, KV_CREATE);
        if (kv != NULL)
            kv_close(kv);
        o.ro_rdonly = kvt_open(&kv, readonly, 0, KV_RDONLY);
        if (kv != NULL)
            o.close = MM_CALL(kv_close(kv));
    }
    MM_CHECK_NULL_ERRNO(o.none_rdonly, EACCES, HINT(S_ERRNO, "as an ordinary user, pass "
                        "open's EACCES through"));
    MM_CHECK_NULL_ERRNO(o.ro_write, EACCES, HINT(S_ERRNO, "as an ordinary user, pass open's "
                        "EACCES through"));
    MM_CHECK_NULL_ERRNO(o.ro_create, EACCES, HINT(S_ERRNO, "as an ordinary user, pass open's "
                        "EACCES through"));
    MM_CHECK_PTR(o.ro_rdonly, HINT(S_ERRNO, "open a KV_RDONLY store with O_RDONLY"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}
