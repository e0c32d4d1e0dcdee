/* kv_entries_hidden.c - private tests of kv_put, kv_get, kv_del, kv_sync and kv_foreach with
 * other inputs than the public ones: key and value boundaries, writers that replace the
 * same keys, tombstone reuse, shared memory, and read-only handles. */
#include "../../../labs/lab3-unrelated/tests/lab3_util.h"

#include <sys/wait.h>
#include <unistd.h>


/* The suites (init, fini, timeouts) are declared once, in the public tests. */
#define HINT_ENTRIES "see the handout lab3, \"Reading and writing entries (kv_put, kv_get, " \
    "kv_del)\"."

static struct kv *new_store(const char *path, size_t nslots)
{
    struct kv *kv = kv_open(path, nslots, KV_CREATE);
    MM_ASSERT(kv != NULL, "kv_open(path, %zu, KV_CREATE) failed with %s.\n  Hint: "
              KVT_HINT_OPEN, nslots, mm_errno_name(errno));
    return kv;
}

Test(kv_put, long_key_stores_nothing)
{
    struct kv *kv = new_store(kvt_path(), 16);
    char key[101], buf[8];

    memset(key, 'q', 100);
    key[100] = '\0';
    MM_EXPECT_ERRNO(kv_put(kv, key, "v", 1), ENAMETOOLONG, "a 100-byte key; " HINT_ENTRIES);
    key[KV_KEY_MAX + 1] = '\0';
    MM_EXPECT_ERRNO(kv_put(kv, key, "v", 1), ENAMETOOLONG, "a 64-byte key; " HINT_ENTRIES);
    key[KV_KEY_MAX] = '\0';
    MM_EXPECT_ERRNO(kv_get(kv, key, buf, sizeof buf), ENOENT, "a refused long key must not "
                    "be stored cut to 63 bytes; " HINT_ENTRIES);
    MM_ASSERT(kv_count(kv) == 0, "refused puts changed kv_count to %zu.", kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, writers_replacing_same_keys_leave_whole_values)
{
    const char *path = kvt_path();
    struct kv *kv = new_store(path, 16);
    char key[16];

    for (unsigned i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "churn%u", i);
        MM_EXPECT_OK(kvt_put(kv, key, 0), "kv_put");
    }
    const char *argv[] = { "kvhelper", path, "churn", "4", "500", NULL };
    pid_t a = kvt_spawn(argv, -1, -1), b = kvt_spawn(argv, -1, -1);
    int rca = kvt_wait(a, 15000), rcb = kvt_wait(b, 15000);
    MM_ASSERT(rca == 0 && rcb == 0, "two programs replacing the same 4 keys at once exited "
              "%d and %d, expected 0 and 0 (-1: crashed or hung).", rca, rcb);
    for (unsigned i = 0; i < 4; i++) {
        unsigned char val[KV_VALUE_MAX];
        snprintf(key, sizeof key, "churn%u", i);
        ssize_t n = kv_get(kv, key, val, sizeof val);
        MM_ASSERT(n >= 0 && kvc_check(key, val, (size_t)n, NULL) == 0, "after two writers "
                  "replaced the same keys at once, %s is %s.\n  Hint: a replacement holds "
                  "the process-shared mutex from the lookup to the publication; "
                  HINT_ENTRIES, key, n < 0 ? "missing" : "a mix of two values");
    }
    MM_ASSERT(kv_count(kv) == 4, "kv_count is %zu after replacing 4 keys, expected 4.",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, two_shm_writer_programs_lose_nothing)
{
    const char *name = kvt_shm_name();
    kvt_two_writers(name, 1, 1500);
    MM_EXPECT_OK(kv_unlink(name, KV_SHM), "kv_unlink");
    MM_END();
}

Test(kv_get, erange_at_every_boundary)
{
    static const size_t lens[] = { 1, 2, 255, 256 };
    struct kv *kv = new_store(kvt_path(), 16);
    unsigned char val[KV_VALUE_MAX], buf[KV_VALUE_MAX + 8];

    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i];
        mm_fill_random(val, len, (unsigned)len);
        MM_EXPECT_OK(kv_put(kv, "edge", val, len), "kv_put");
        size_t caps[] = { 0, len - 1 };
        for (int c = 0; c < 2; c++) {
            memset(buf, 0x5A, sizeof buf);
            MM_EXPECT_ERRNO(kv_get(kv, "edge", buf, caps[c]), ERANGE, "cap smaller than "
                            "the value; see the handout lab3, \"Errors and errno\".");
            int untouched = 1;
            for (size_t j = 0; j < sizeof buf; j++)
                untouched &= buf[j] == 0x5A;
            MM_ASSERT(untouched, "kv_get(cap %zu) of a %zu-byte value failed with ERANGE "
                      "but wrote into the buffer.\n  Hint: nothing is copied on ERANGE.",
                      caps[c], len);
        }
        ssize_t n = kv_get(kv, "edge", buf, len);
        MM_ASSERT(n == (ssize_t)len && memcmp(buf, val, len) == 0 && buf[len] == 0x5A,
                  "kv_get(cap %zu) of a %zu-byte value returned %zd, expected exactly the "
                  "value.", len, len, n);
    }
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_get, shm_rdonly_reader_never_sees_torn_value)
{
    const char *name = kvt_shm_name();
    kvt_torn_readers(name, 1, 800);
    MM_EXPECT_OK(kv_unlink(name, KV_SHM), "kv_unlink");
    MM_END();
}

Test(kv_get, rdonly_handle_sees_later_puts)
{
    const char *path = kvt_path();
    struct kv *kv = new_store(path, 16), *ro;
    struct kvt_run r;
    char buf[16];

    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_EXPECT_PTR(ro = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    kvt_run(&r, 5000, "kvtool", path, "put", "late", "arrival", NULL);
    MM_ASSERT(r.status == 0, "`kvtool STORE put late arrival` exited %d (stderr: %s).",
              r.status, r.err);
    ssize_t n = kv_get(ro, "late", buf, sizeof buf);
    MM_ASSERT(n == 7 && memcmp(buf, "arrival", 7) == 0, "a KV_RDONLY handle opened before "
              "another program's put returned %zd for the new key, expected 7.\n  Hint: "
              "MAP_SHARED, also for read-only handles (handout lab3, \"Lock-free readers and "
              "sequence counters\").", n);
    MM_EXPECT_OK(kv_close(ro), "kv_close");
    MM_END();
}

Test(kv_del, tombstones_are_reused)
{
    const char *path = kvt_path();
    struct kv *kv = new_store(path, 8);
    struct kvt_run r;
    char key[16];

    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 8; i++) {
            snprintf(key, sizeof key, "r%dk%d", round, i);
            MM_EXPECT_OK(kvt_put(kv, key, (unsigned)i), "after deleting every key of a full "
                         "table, new keys must fit in the tombstones; " HINT_ENTRIES);
        }
        if (round < 2)
            for (int i = 0; i < 8; i++) {
                snprintf(key, sizeof key, "r%dk%d", round, i);
                MM_EXPECT_OK(kv_del(kv, key), "kv_del");
            }
    }
    MM_ASSERT(kv_count(kv) == 8, "kv_count is %zu, expected 8.", kv_count(kv));
    kvt_run(&r, 3000, "kvtool", path, "put", "ninth", "v", NULL);
    MM_ASSERT(r.status == 1 && strstr(r.err, strerror(ENOSPC)), "`kvtool STORE put ninth v` "
              "on a full table (no tombstone left) %s (stderr: %s), expected ENOSPC.\n  "
              "Hint: probe each slot at most once; " HINT_ENTRIES,
              r.status == -1 ? "crashed or did not return within 3 s" : "did not fail",
              r.err);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_del, delete_by_another_program_is_seen)
{
    const char *path = kvt_path();
    struct kv *kv = new_store(path, 16);
    struct kvt_run r;
    char buf[8];

    MM_EXPECT_OK(kv_put(kv, "doomed", "x", 1), "kv_put");
    MM_EXPECT_OK(kv_put(kv, "kept", "y", 1), "kv_put");
    kvt_run(&r, 5000, "kvtool", path, "del", "doomed", NULL);
    MM_ASSERT(r.status == 0, "`kvtool STORE del doomed` exited %d (stderr: %s).", r.status,
              r.err);
    MM_EXPECT_ERRNO(kv_get(kv, "doomed", buf, sizeof buf), ENOENT, "another program "
                    "deleted the key; " HINT_ENTRIES);
    MM_ASSERT(kv_count(kv) == 1 && kv_get(kv, "kept", buf, sizeof buf) == 1, "after "
              "another program's delete: kv_count %zu, expected 1 and \"kept\" still there.",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_sync, replaced_value_reaches_the_file)
{
    const char *path = kvt_path();
    struct kv *kv = new_store(path, 16), *ro;
    static const char first[] = "first-value-AAAAAAAAAAAA", second[] = "second-value-BBBBBB";
    size_t len;

    MM_EXPECT_OK(kv_put(kv, "doc", first, sizeof first - 1), "kv_put");
    MM_EXPECT_OK(kv_sync(kv), "kv_sync (handout lab3, \"Persistence (kv_sync)\")");
    MM_EXPECT_OK(kv_put(kv, "doc", second, sizeof second - 1), "kv_put");
    MM_EXPECT_OK(kv_sync(kv), "kv_sync (handout lab3, \"Persistence (kv_sync)\")");
    char *file = mm_slurp(path, &len);
    MM_ASSERT(file != NULL, "could not read the store file back");
    int has = memmem(file, len, second, sizeof second - 1) != NULL;
    free(file);
    MM_ASSERT(has, "after replacing a value and kv_sync, read(2) of the file does not show "
              "the new value.\n  Hint: MAP_SHARED and msync(MS_SYNC) (handout lab3, "
              "\"Persistence (kv_sync)\").");
    MM_EXPECT_PTR(ro = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_sync(ro), "kv_sync of a KV_RDONLY handle has nothing to write and "
                 "succeeds");
    MM_EXPECT_OK(kv_close(ro), "kv_close");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

static int count_whole(const char *key, const void *val, size_t len, void *arg)
{
    int *n = arg;
    if (strncmp(key, "many", 4) != 0 || kvc_check(key, val, len, NULL) != 0)
        return 1000;
    ++*n;
    return 0;
}

Test(kv_foreach, rdonly_handle_visits_every_entry)
{
    const char *path = kvt_path();
    struct kvt_run r;
    struct kv *ro;
    int n = 0;

    kvt_run(&r, 10000, "kvhelper", path, "fill", "64", "many", "0", "40", NULL);
    MM_ASSERT(r.status == 0, "a program putting 40 keys exited %d (stderr: %s).", r.status,
              r.err);
    MM_EXPECT_PTR(ro = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    int rc = kv_foreach(ro, count_whole, &n);
    MM_ASSERT(rc == 0 && n == 40, "kv_foreach through a KV_RDONLY handle returned %d after "
              "%d whole entries, expected 0 after 40.\n  Hint: kv_foreach reads like kv_get, "
              "without the lock (handout lab3, \"Lock-free readers and sequence "
              "counters\").", rc, n);
    MM_EXPECT_OK(kv_close(ro), "kv_close");
    MM_END();
}
