/* kv_put.c - public tests of kv_put: values other programs see, two writer programs at
 * once, replacing, the size limits, a full table, and read-only handles.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_put/..'. */
#include "lab3_util.h"

#include <unistd.h>

#define HINT_PUT(text) HINT(S_ENTRIES, text)

Test(kv_put, value_is_seen_by_a_later_program)
{
    const char *path = kvt_path();
    /* kvtool runs while this handle is open: the subject starts it (sealed, mm_spawn). */
    static struct {
        struct mm_call open, put, close;
        struct kvt_run get, put_color;
        struct kvt_val color;
    } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 32, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "greeting", "hello, lab 3", 12));
            kvt_run(&o.get, 5000, "kvtool", path, "get", "greeting", NULL);
            kvt_run(&o.put_color, 5000, "kvtool", path, "put", "color", "blue", NULL);
            o.color = kvt_get(kv, "color", 32);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_PUT("kv_put of a new key"));
    o.get.out[sizeof o.get.out - 1] = o.get.err[sizeof o.get.err - 1] = '\0';
    MM_CHECK(o.get.status == 0 && strcmp(o.get.out, "hello, lab 3\n") == 0,
             HINT(S_SHARING, "map the store MAP_SHARED so that other programs see it"),
             "`kvtool STORE get greeting`, started after kv_put, exited %d and printed "
             "\"%s\" (stderr: %s), expected \"hello, lab 3\".", o.get.status, o.get.out,
             o.get.err);
    o.put_color.err[sizeof o.put_color.err - 1] = '\0';
    MM_CHECK(o.put_color.status == 0, HINT(S_SHARING, "kvtool put opens the store and calls "
             "kv_put"), "`kvtool STORE put color blue` exited %d (stderr: %s).",
             o.put_color.status, o.put_color.err);
    MM_CHECK(kvt_val_is(&o.color, "blue", 4), HINT(S_SHARING, "both processes must map the "
             "same file MAP_SHARED"), "kvtool put color=blue; then this process's open handle "
             "returned %lld for kv_get(\"color\"), expected 4 (\"blue\").", o.color.get.ret);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, two_writer_programs_lose_nothing)
{
    kvt_two_writers(kvt_path(), false, 2000);
}

Test(kv_put, replacing_a_key_keeps_one_entry)
{
    const char *path = kvt_path();
    struct { struct mm_call open, first, second, close; struct kvt_val got; size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.first = MM_CALL(kv_put(kv, "k", "first value", 11));
            o.second = MM_CALL(kv_put(kv, "k", "second", 6));
            o.got = kvt_get(kv, "k", 64);
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.first, HINT_PUT("kv_put of a new key"));
    MM_CHECK_OK(o.second, HINT_PUT("kv_put of an existing key replaces its value"));
    MM_CHECK(kvt_val_is(&o.got, "second", 6), HINT_PUT("kv_put of an existing key replaces "
             "its value and its length"), "after replacing \"k\", kv_get returned %lld, "
             "expected 6 (\"second\").", o.got.get.ret);
    MM_CHECK(o.count == 1, HINT_PUT("a replaced key is still one entry"), "kv_count is %zu "
             "after putting one key twice, expected 1.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, key_of_63_bytes_is_stored)
{
    const char *path = kvt_path();
    char key[KV_KEY_MAX + 1];
    struct { struct mm_call open, put, close; struct kvt_val got; } o;

    memset(key, 'k', KV_KEY_MAX);
    key[KV_KEY_MAX] = '\0';
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, key, "v", 1));
            o.got = kvt_get(kv, key, 8);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT(S_ERRNO, "a key of KV_KEY_MAX (63) bytes is allowed: the NUL is "
                "not counted"));
    MM_CHECK(kvt_val_is(&o.got, "v", 1), HINT(S_ERRNO, "keep room for 63 bytes plus the "
             "NUL"), "kv_get of a 63-byte key just put returned %lld (errno %s), expected 1.",
             o.got.get.ret, mm_errno_name(o.got.get.err));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, key_of_64_bytes_gives_ENAMETOOLONG)
{
    const char *path = kvt_path();
    char key[KV_KEY_MAX + 2];
    struct { struct mm_call open, put, close; size_t count; } o;

    memset(key, 'k', KV_KEY_MAX + 1);
    key[KV_KEY_MAX + 1] = '\0';
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, key, "v", 1));
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_ERRNO(o.put, ENAMETOOLONG, HINT(S_ERRNO, "a key longer than KV_KEY_MAX is "
                   "refused, never cut short"));
    MM_CHECK(o.count == 0, HINT(S_ERRNO, "a refused call leaves the store unchanged"),
             "a refused kv_put changed the store (kv_count %zu).", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, value_of_256_bytes_is_stored)
{
    const char *path = kvt_path();
    unsigned char val[KV_VALUE_MAX];
    struct { struct mm_call open, put, close; struct kvt_val got; } o;

    mm_fill_random(val, sizeof val, 256);
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "big", val, KV_VALUE_MAX));
            o.got = kvt_get(kv, "big", KV_VALUE_MAX);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT(S_ERRNO, "a value of KV_VALUE_MAX (256) bytes is allowed"));
    MM_CHECK(kvt_val_is(&o.got, val, KV_VALUE_MAX), HINT(S_ERRNO, "keep room for "
             "KV_VALUE_MAX bytes of value"), "kv_get of a 256-byte value returned %lld "
             "bytes%s, expected the 256 bytes put.", o.got.get.ret,
             o.got.get.ret == KV_VALUE_MAX ? " that differ" : "");
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, value_of_257_bytes_gives_EMSGSIZE)
{
    const char *path = kvt_path();
    unsigned char val[KV_VALUE_MAX + 1] = { 0 };
    struct { struct mm_call open, put, close; size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "big", val, KV_VALUE_MAX + 1));
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_ERRNO(o.put, EMSGSIZE, HINT(S_ERRNO, "len > KV_VALUE_MAX is refused"));
    MM_CHECK(o.count == 0, HINT(S_ERRNO, "a refused call leaves the store unchanged"),
             "a refused kv_put changed the store (kv_count %zu).", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, empty_or_null_key_gives_EINVAL)
{
    const char *path = kvt_path();
    struct { struct mm_call open, empty, null, close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.empty = MM_CALL(kv_put(kv, "", "v", 1));
            o.null = MM_CALL(kv_put(kv, NULL, "v", 1));
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_ERRNO(o.empty, EINVAL, HINT(S_ERRNO, "an empty key is refused"));
    MM_CHECK_ERRNO(o.null, EINVAL, HINT(S_ERRNO, "a NULL key is refused"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* A table of 8 slots filled with key0..key7, then kv_put(key, val) once more. */
struct full_seen {
    struct mm_call open, fill[8], put, close;
    struct kvt_val got;
    size_t count;
};

static void put_into_full_table(const char *path, const char *key, const char *val,
                                struct full_seen *o)
{
    struct kv *kv;
    char k[16];

    o->open = kvt_open(&kv, path, 8, KV_CREATE);
    if (kv == NULL)
        return;
    for (int i = 0; i < 8; i++) {
        snprintf(k, sizeof k, "key%d", i);
        o->fill[i] = kvt_put_bytes(kv, k, "old", 3);
    }
    o->put = kvt_put_bytes(kv, key, val, strlen(val));
    o->got = kvt_get(kv, key, 32);
    o->count = (size_t)MM_CALL(kv_count(kv)).ret;
    o->close = MM_CALL(kv_close(kv));
}

#define FULL_MS 3000

Test(kv_put, full_table_gives_ENOSPC)
{
    const char *path = kvt_path();
    struct full_seen o;

    MM_SUBJECT_WITH(o, .timeout_ms = FULL_MS, .may_die = true)
        put_into_full_table(path, "one-too-many", "v", &o);
    kvt_check_returned(FULL_MS, HINT_PUT("probe at most nslots slots, then give up"),
                       "kv_put of a 9th key into 8 slots (an endless probe?)");
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 8; i++)
        MM_CHECK_OK(o.fill[i], HINT_PUT("8 keys fit in 8 slots"));
    MM_CHECK_ERRNO(o.put, ENOSPC, HINT_PUT("probe at most nslots slots, then give up"));
    MM_CHECK(o.count == 8, HINT(S_ERRNO, "a refused call leaves the store unchanged"),
             "kv_count is %zu after the refused put, expected 8.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, replace_in_full_table_works)
{
    const char *path = kvt_path();
    struct full_seen o;

    MM_SUBJECT_WITH(o, .timeout_ms = FULL_MS, .may_die = true)
        put_into_full_table(path, "key5", "replaced", &o);
    kvt_check_returned(FULL_MS, HINT_PUT("look for the key before deciding the table is "
                       "full"), "replacing key5 in a full table");
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 8; i++)
        MM_CHECK_OK(o.fill[i], HINT_PUT("8 keys fit in 8 slots"));
    MM_CHECK_OK(o.put, HINT_PUT("look for the key before deciding the table is full"));
    MM_CHECK(kvt_val_is(&o.got, "replaced", 8), HINT_PUT("kv_put of an existing key "
             "replaces its value"), "kv_get(\"key5\") returned %lld after the replacement, "
             "expected 8 (\"replaced\").", o.got.get.ret);
    MM_CHECK(o.count == 8, HINT_PUT("a replaced key is still one entry"), "kv_count is %zu, "
             "expected 8.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, rdonly_handle_gives_EBADF)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, open_ro, put_ro, close_ro, close; struct kvt_val got; } o;

    MM_SUBJECT(o) {
        struct kv *kv, *ro;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "k", "old", 3));
            o.open_ro = kvt_open(&ro, path, 0, KV_RDONLY);
            if (ro != NULL) {
                o.put_ro = MM_CALL(kv_put(ro, "k", "new", 3));
                o.close_ro = MM_CALL(kv_close(ro));
            }
            o.got = kvt_get(kv, "k", 8);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_PUT("kv_put of a new key"));
    MM_CHECK_PTR(o.open_ro, HINT_OPEN);
    MM_CHECK_ERRNO(o.put_ro, EBADF, HINT(S_ERRNO, "a KV_RDONLY handle maps PROT_READ: kv_put "
                   "must refuse before touching the mapping (or the lock in it)"));
    MM_CHECK(kvt_val_is(&o.got, "old", 3), HINT(S_ERRNO, "refuse before changing anything"),
             "kv_put through a KV_RDONLY handle changed the value.");
    MM_CHECK_OK(o.close_ro, HINT_CLOSE);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* val may be NULL only for an empty value; buf only for cap 0. At the edges: len 1, cap 1. */
Test(kv_put, null_value_only_for_empty_values)
{
    const char *path = kvt_path();
    struct { struct mm_call open, null1, null0, one, get_empty, get_one, get_cap1, close;
             struct kvt_val absent; size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 8, KV_CREATE);
        if (kv != NULL) {
            o.null1 = MM_CALL(kv_put(kv, "nothing", NULL, 1));
            o.absent = kvt_get(kv, "nothing", 8);
            o.null0 = MM_CALL(kv_put(kv, "empty", NULL, 0));
            o.one = MM_CALL(kv_put(kv, "one", "1", 1));
            o.get_empty = MM_CALL(kv_get(kv, "empty", NULL, 0));
            o.get_one = MM_CALL(kv_get(kv, "one", NULL, 0));
            o.get_cap1 = MM_CALL(kv_get(kv, "one", NULL, 1));
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_ERRNO(o.null1, EINVAL, HINT(S_ENTRIES, "val NULL with len > 0 is EINVAL, checked "
                   "before anything is stored"));
    MM_CHECK_ERRNO(o.absent.get, ENOENT, HINT(S_ENTRIES, "a refused kv_put stores nothing"));
    MM_CHECK_OK(o.null0, HINT(S_ENTRIES, "val NULL with len 0 is an empty value: valid"));
    MM_CHECK_OK(o.one, HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK(o.get_empty.ret == 0, HINT(S_ENTRIES, "buf NULL with cap 0 is valid: an empty "
             "value has length 0"), "kv_get(kv, \"empty\", NULL, 0) of an empty value returned "
             "%lld (%s), expected 0.", o.get_empty.ret, mm_errno_name(o.get_empty.err));
    MM_CHECK_ERRNO(o.get_one, ERANGE, HINT(S_ERRNO, "buf NULL with cap 0 is valid; a 1-byte "
                   "value does not fit in 0 bytes: ERANGE"));
    MM_CHECK_ERRNO(o.get_cap1, EINVAL, HINT(S_ENTRIES, "buf NULL with cap > 0 (here 1) is "
                   "EINVAL"));
    MM_CHECK(o.count == 2, HINT(S_ENTRIES, "kv_count is the number of live entries"),
             "kv_count is %zu, expected 2 (\"empty\" and \"one\").", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* Every failure after the lock is taken gives it back: after ENOSPC (kv_put) and ENOENT
 * (kv_del), the same process and another program can still change the store. */
Test(kv_put, failures_under_the_lock_release_it)
{
    const char *path = kvt_path();
    static struct { struct mm_call open, put[2], full, del_missing, replace, del, close;
                    struct kvt_run other; } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 4000, .may_die = true) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 2, KV_CREATE);
        if (kv != NULL) {
            o.put[0] = MM_CALL(kv_put(kv, "a", "1", 1));
            o.put[1] = MM_CALL(kv_put(kv, "b", "2", 1));
            o.full = MM_CALL(kv_put(kv, "c", "3", 1));
            o.replace = MM_CALL(kv_put(kv, "a", "4", 1));
            o.del_missing = MM_CALL(kv_del(kv, "zz"));
            o.del = MM_CALL(kv_del(kv, "b"));
            kvt_run(&o.other, 3000, "kvtool", path, "put", "b", "5", NULL);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    kvt_check_returned(4000, HINT(S_ENTRIES, "unlock before every return once the lock is "
                       "taken, the error returns included (ENOSPC, ENOENT)"),
                       "kv_put or kv_del after a failed one in the same process");
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put[0], HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_OK(o.put[1], HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_ERRNO(o.full, ENOSPC, HINT(S_ENTRIES, "a new key in a full table"));
    MM_CHECK_OK(o.replace, HINT(S_ENTRIES, "after ENOSPC the lock is free again: unlock before "
                "returning the error"));
    MM_CHECK_ERRNO(o.del_missing, ENOENT, HINT(S_ENTRIES, "kv_del of a missing key"));
    MM_CHECK_OK(o.del, HINT(S_ENTRIES, "after ENOENT the lock is free again: unlock before "
                "returning the error"));
    MM_CHECK(o.other.status == 0, HINT(S_ENTRIES, "unlock before every return once the lock is "
             "taken, the error returns included"), "while this process had the store open "
             "after its ENOSPC and ENOENT, `kvtool STORE put b 5` %s (stderr: %s).",
             o.other.status == -1 ? "hung or crashed" : "failed", o.other.err);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}
