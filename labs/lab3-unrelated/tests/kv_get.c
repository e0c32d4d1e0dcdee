/* kv_get.c - public tests of kv_get: a buffer too small, missing keys, empty values, and
 * lock-free readers that must never see a value half-replaced by another program.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_get/..'. */
#include "lab3_util.h"

MM_SUITE(kv_get, 30);

#define HINT_GET "see the handout lab3, \"Reading and writing entries (kv_put, kv_get, kv_del)\"."

Test(kv_get, small_buffer_gives_ERANGE_and_copies_nothing)
{
    struct kv *kv;
    unsigned char val[100], buf[KV_VALUE_MAX];

    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 16, KV_CREATE), KVT_HINT_OPEN);
    mm_fill_random(val, sizeof val, 100);
    MM_EXPECT_OK(kv_put(kv, "k", val, sizeof val), HINT_GET);
    memset(buf, 0xA5, sizeof buf);
    MM_EXPECT_ERRNO(kv_get(kv, "k", buf, 99), ERANGE, "a 100-byte value does not fit in "
                    "99 bytes; see the handout lab3, \"Errors and errno\".");
    int touched = -1;
    for (size_t i = 0; i < sizeof buf && touched == -1; i++)
        if (buf[i] != 0xA5)
            touched = (int)i;
    MM_ASSERT(touched == -1, "kv_get failed with ERANGE but wrote into the buffer (byte %d "
              "changed).\n  Hint: check the length before copying anything: a caller's "
              "buffer holds nothing half-copied.", touched);
    ssize_t n = kv_get(kv, "k", buf, 100);
    MM_ASSERT(n == 100 && memcmp(buf, val, 100) == 0, "kv_get with cap == length returned "
              "%zd, expected 100 and the value.", n);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_get, missing_key_gives_ENOENT)
{
    struct kv *kv;
    char buf[16];

    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_ERRNO(kv_get(kv, "nothing", buf, sizeof buf), ENOENT,
                    "an empty store has no keys; " HINT_GET);
    MM_EXPECT_OK(kv_put(kv, "something", "1", 1), HINT_GET);
    MM_EXPECT_ERRNO(kv_get(kv, "nothing", buf, sizeof buf), ENOENT,
                    "only \"something\" was put; " HINT_GET);
    MM_EXPECT_ERRNO(kv_get(kv, "somethin", buf, sizeof buf), ENOENT,
                    "a prefix of a key is another key: compare whole keys; " HINT_GET);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_get, empty_value_round_trips)
{
    struct kv *kv;
    char buf[4] = "abc";

    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, "empty", "", 0), "a value of 0 bytes is allowed; " HINT_GET);
    ssize_t n = kv_get(kv, "empty", buf, sizeof buf);
    MM_ASSERT(n == 0, "kv_get of an empty value returned %zd (errno %s), expected 0.", n,
              mm_errno_name(errno));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_get, rdonly_reader_never_sees_torn_value)
{
    kvt_torn_readers(kvt_path(), 0, 1000);
    MM_END();
}
