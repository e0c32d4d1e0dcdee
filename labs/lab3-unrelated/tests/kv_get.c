/* kv_get.c - public tests of kv_get: a buffer too small, missing keys, empty values, and
 * lock-free readers that must never see a value half-replaced by another program.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_get/..'. */
#include "lab3_util.h"

#define HINT_GET(text) HINT(S_ENTRIES, text)

Test(kv_get, small_buffer_gives_ERANGE_and_copies_nothing)
{
    const char *path = kvt_path();
    unsigned char val[100];
    struct { struct mm_call open, put, close; struct kvt_val small, exact; } o;

    mm_fill_random(val, sizeof val, 100);
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "k", val, sizeof val));
            o.small = kvt_get(kv, "k", 99);
            o.exact = kvt_get(kv, "k", 100);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_GET("kv_put of a 100-byte value"));
    MM_CHECK_ERRNO(o.small.get, ERANGE, HINT(S_ERRNO, "a 100-byte value does not fit in 99 "
                   "bytes"));
    int touched = -1;
    for (size_t i = 0; i < sizeof o.small.buf && touched == -1; i++)
        if (o.small.buf[i] != 0xA5)
            touched = (int)i;
    MM_CHECK(touched == -1, HINT(S_ERRNO, "check the length before copying anything: a "
             "caller's buffer holds nothing half-copied"), "kv_get failed with ERANGE but "
             "wrote into the buffer (byte %d changed).", touched);
    MM_CHECK(kvt_val_is(&o.exact, val, sizeof val), HINT_GET("a value fits when cap equals "
             "its length"), "kv_get with cap == length returned %lld, expected 100 and the "
             "value.", o.exact.get.ret);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_get, missing_key_gives_ENOENT)
{
    const char *path = kvt_path();
    struct { struct mm_call open, empty, put, other, prefix, close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char buf[16];
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.empty = MM_CALL(kv_get(kv, "nothing", buf, sizeof buf));
            o.put = MM_CALL(kv_put(kv, "something", "1", 1));
            o.other = MM_CALL(kv_get(kv, "nothing", buf, sizeof buf));
            o.prefix = MM_CALL(kv_get(kv, "somethin", buf, sizeof buf));
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_ERRNO(o.empty, ENOENT, HINT_GET("an empty store has no keys"));
    MM_CHECK_OK(o.put, HINT_GET("kv_put of a new key"));
    MM_CHECK_ERRNO(o.other, ENOENT, HINT_GET("only \"something\" was put"));
    MM_CHECK_ERRNO(o.prefix, ENOENT, HINT_GET("a prefix of a key is another key: compare "
                   "whole keys"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_get, empty_value_round_trips)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, get, close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char buf[4] = "abc";
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "empty", "", 0));
            o.get = MM_CALL(kv_get(kv, "empty", buf, sizeof buf));
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_GET("a value of 0 bytes is allowed"));
    MM_CHECK(o.get.ret == 0, HINT_GET("a value of 0 bytes reads back as length 0"),
             "kv_get of an empty value returned %lld (errno %s), expected 0.", o.get.ret,
             mm_errno_name(o.get.err));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_get, rdonly_reader_never_sees_torn_value)
{
    kvt_torn_readers(kvt_path(), false, 1000);
}

Test(kv_get, null_buffer_or_key_gives_EINVAL)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, null_buf, null_key, empty_key, close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char buf[8];
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "k", "v", 1));
            o.null_buf = MM_CALL(kv_get(kv, "k", NULL, 8));
            o.null_key = MM_CALL(kv_get(kv, NULL, buf, sizeof buf));
            o.empty_key = MM_CALL(kv_get(kv, "", buf, sizeof buf));
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_GET("kv_put of a new key"));
    MM_CHECK_ERRNO(o.null_buf, EINVAL, HINT_GET("buf NULL with cap > 0 is EINVAL: check it "
                   "before copying"));
    MM_CHECK_ERRNO(o.null_key, EINVAL, HINT_GET("a NULL key is EINVAL"));
    MM_CHECK_ERRNO(o.empty_key, EINVAL, HINT_GET("an empty key is EINVAL"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}
