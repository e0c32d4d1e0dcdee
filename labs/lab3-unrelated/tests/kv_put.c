/* kv_put.c - public tests of kv_put: values other programs see, two writer programs at
 * once, replacing, the size limits, a full table, and read-only handles.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_put/..'. */
#include "lab3_util.h"

#include <sys/wait.h>
#include <unistd.h>

MM_SUITE(kv_put, 30);

#define HINT_PUT "see the handout lab3, \"Reading and writing entries (kv_put, kv_get, kv_del)\"."
#define HINT_ERRORS "see the handout lab3, \"Errors and errno\"."

static struct kv *new_store(size_t nslots)
{
    struct kv *kv = kv_open(kvt_path(), nslots, KV_CREATE);
    MM_ASSERT(kv != NULL, "kv_open(path, %zu, KV_CREATE) failed with %s.\n  Hint: "
              KVT_HINT_OPEN, nslots, mm_errno_name(errno));
    return kv;
}

/* kv_put in a child process with a deadline, so that an endless probe fails the test
 * quickly. Returns 0, the errno of the failure, or -1 if it did not return in time. */
static int put_with_deadline(struct kv *kv, const char *key, const char *val)
{
    pid_t pid = mm_fork();
    if (pid == 0)
        _exit(kv_put(kv, key, val, strlen(val)) == 0 ? 0 : errno & 0xff);
    int status = mm_wait(pid, 3000);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(kv_put, value_is_seen_by_a_later_program)
{
    const char *path = kvt_path();
    struct kv *kv;
    struct kvt_run r;
    char buf[32];

    MM_EXPECT_PTR(kv = kv_open(path, 32, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, "greeting", "hello, lab 3", 12), HINT_PUT);
    kvt_run(&r, 5000, "kvtool", path, "get", "greeting", NULL);
    MM_ASSERT(r.status == 0 && strcmp(r.out, "hello, lab 3\n") == 0, "`kvtool STORE get "
              "greeting`, started after kv_put, exited %d and printed \"%s\" (stderr: %s), "
              "expected \"hello, lab 3\".\n  Hint: map the store MAP_SHARED so that "
              "other programs see it (handout lab3, \"Background: sharing by name\").",
              r.status, r.out, r.err);
    kvt_run(&r, 5000, "kvtool", path, "put", "color", "blue", NULL);
    MM_ASSERT(r.status == 0, "`kvtool STORE put color blue` exited %d (stderr: %s).",
              r.status, r.err);
    ssize_t n = kv_get(kv, "color", buf, sizeof buf);
    MM_ASSERT(n == 4 && memcmp(buf, "blue", 4) == 0, "kvtool put color=blue; then this "
              "process's open handle returned %zd for kv_get(\"color\"), expected 4 "
              "(\"blue\").\n  Hint: both processes must map the same file MAP_SHARED.", n);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, two_writer_programs_lose_nothing)
{
    kvt_two_writers(kvt_path(), 0, 2000);
    MM_END();
}

Test(kv_put, replacing_a_key_keeps_one_entry)
{
    struct kv *kv = new_store(16);
    char buf[64];

    MM_EXPECT_OK(kv_put(kv, "k", "first value", 11), HINT_PUT);
    MM_EXPECT_OK(kv_put(kv, "k", "second", 6), HINT_PUT);
    ssize_t n = kv_get(kv, "k", buf, sizeof buf);
    MM_ASSERT(n == 6 && memcmp(buf, "second", 6) == 0, "after replacing \"k\", kv_get "
              "returned %zd, expected 6 (\"second\").\n  Hint: kv_put of an existing key "
              "replaces its value and its length; " HINT_PUT, n);
    MM_ASSERT(kv_count(kv) == 1, "kv_count is %zu after putting one key twice, expected 1.",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, key_of_63_bytes_is_stored)
{
    struct kv *kv = new_store(16);
    char key[KV_KEY_MAX + 1], buf[8];

    memset(key, 'k', KV_KEY_MAX);
    key[KV_KEY_MAX] = '\0';
    MM_EXPECT_OK(kv_put(kv, key, "v", 1), "a key of KV_KEY_MAX (63) bytes is allowed: the "
                 "NUL is not counted; " HINT_ERRORS);
    MM_ASSERT(kv_get(kv, key, buf, sizeof buf) == 1, "kv_get of a 63-byte key just put "
              "failed (errno %s).\n  Hint: keep room for 63 bytes plus the NUL.",
              mm_errno_name(errno));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, key_of_64_bytes_gives_ENAMETOOLONG)
{
    struct kv *kv = new_store(16);
    char key[KV_KEY_MAX + 2];

    memset(key, 'k', KV_KEY_MAX + 1);
    key[KV_KEY_MAX + 1] = '\0';
    MM_EXPECT_ERRNO(kv_put(kv, key, "v", 1), ENAMETOOLONG,
                    "a key longer than KV_KEY_MAX is refused, never cut short; " HINT_ERRORS);
    MM_ASSERT(kv_count(kv) == 0, "a refused kv_put changed the store (kv_count %zu).",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, value_of_256_bytes_is_stored)
{
    struct kv *kv = new_store(16);
    unsigned char val[KV_VALUE_MAX], buf[KV_VALUE_MAX];

    mm_fill_random(val, sizeof val, 256);
    MM_EXPECT_OK(kv_put(kv, "big", val, KV_VALUE_MAX), "a value of KV_VALUE_MAX (256) bytes "
                 "is allowed; " HINT_ERRORS);
    ssize_t n = kv_get(kv, "big", buf, sizeof buf);
    MM_ASSERT(n == KV_VALUE_MAX && memcmp(buf, val, KV_VALUE_MAX) == 0, "kv_get of a "
              "256-byte value returned %zd bytes%s, expected the 256 bytes put.", n,
              n == KV_VALUE_MAX ? " that differ" : "");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, value_of_257_bytes_gives_EMSGSIZE)
{
    struct kv *kv = new_store(16);
    unsigned char val[KV_VALUE_MAX + 1] = { 0 };

    MM_EXPECT_ERRNO(kv_put(kv, "big", val, KV_VALUE_MAX + 1), EMSGSIZE,
                    "len > KV_VALUE_MAX is refused; " HINT_ERRORS);
    MM_ASSERT(kv_count(kv) == 0, "a refused kv_put changed the store (kv_count %zu).",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, empty_or_null_key_gives_EINVAL)
{
    struct kv *kv = new_store(16);

    MM_EXPECT_ERRNO(kv_put(kv, "", "v", 1), EINVAL, "an empty key is refused; " HINT_ERRORS);
    MM_EXPECT_ERRNO(kv_put(kv, NULL, "v", 1), EINVAL, "a NULL key is refused; " HINT_ERRORS);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, full_table_gives_ENOSPC)
{
    struct kv *kv = new_store(8);
    char key[16];

    for (int i = 0; i < 8; i++) {
        snprintf(key, sizeof key, "key%d", i);
        MM_EXPECT_OK(kv_put(kv, key, "v", 1), "8 keys fit in 8 slots; " HINT_PUT);
    }
    int rc = put_with_deadline(kv, "one-too-many", "v");
    MM_ASSERT(rc == ENOSPC, "kv_put of a 9th key into 8 slots %s, expected ENOSPC.\n  "
              "Hint: probe at most nslots slots, then give up (handout lab3, \"Reading and "
              "writing entries (kv_put, kv_get, kv_del)\").",
              rc == -1 ? "did not return within 3 s (an endless probe?)"
                       : rc == 0 ? "succeeded" : mm_errno_name(rc));
    MM_ASSERT(kv_count(kv) == 8, "kv_count is %zu after the refused put, expected 8.",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, replace_in_full_table_works)
{
    struct kv *kv = new_store(8);
    char key[16], buf[32];

    for (int i = 0; i < 8; i++) {
        snprintf(key, sizeof key, "key%d", i);
        MM_EXPECT_OK(kv_put(kv, key, "old", 3), "8 keys fit in 8 slots; " HINT_PUT);
    }
    int rc = put_with_deadline(kv, "key5", "replaced");
    MM_ASSERT(rc == 0, "replacing key5 in a full table %s, expected success.\n  Hint: look "
              "for the key before deciding the table is full (handout lab3, \"Reading and "
              "writing entries (kv_put, kv_get, kv_del)\").",
              rc == -1 ? "did not return within 3 s" : mm_errno_name(rc));
    ssize_t n = kv_get(kv, "key5", buf, sizeof buf);
    MM_ASSERT(n == 8 && memcmp(buf, "replaced", 8) == 0, "kv_get(\"key5\") returned %zd "
              "after the replacement, expected 8 (\"replaced\").", n);
    MM_ASSERT(kv_count(kv) == 8, "kv_count is %zu, expected 8.", kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_put, rdonly_handle_gives_EBADF)
{
    const char *path = kvt_path();
    struct kv *kv, *ro;
    char buf[8];

    MM_EXPECT_PTR(kv = kv_open(path, 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, "k", "old", 3), HINT_PUT);
    MM_EXPECT_PTR(ro = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    MM_EXPECT_ERRNO(kv_put(ro, "k", "new", 3), EBADF, "a KV_RDONLY handle maps PROT_READ: "
                    "kv_put must refuse before touching the mapping (or the lock in it); "
                    HINT_ERRORS);
    MM_ASSERT(kv_get(kv, "k", buf, sizeof buf) == 3 && memcmp(buf, "old", 3) == 0,
              "kv_put through a KV_RDONLY handle changed the value.");
    MM_EXPECT_OK(kv_close(ro), "kv_close");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}
