/* kv_del.c - public tests of kv_del: deleted keys are gone, keys stored after a deleted
 * one stay reachable (tombstones), and read-only handles cannot delete.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_del/..'. */
#include "lab3_util.h"

#define HINT_DEL HINT(S_ENTRIES, "see how kv_del works")

Test(kv_del, deleted_key_gives_ENOENT)
{
    const char *path = kvt_path();
    struct {
        struct mm_call open, put_a, put_b, del_a, get_a, del_again, close;
        struct kvt_val b;
        size_t count;
    } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char buf[16];
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put_a = MM_CALL(kv_put(kv, "a", "1", 1));
            o.put_b = MM_CALL(kv_put(kv, "b", "2", 1));
            o.del_a = MM_CALL(kv_del(kv, "a"));
            o.get_a = MM_CALL(kv_get(kv, "a", buf, sizeof buf));
            o.del_again = MM_CALL(kv_del(kv, "a"));
            o.b = kvt_get(kv, "b", 16);
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put_a, HINT_DEL);
    MM_CHECK_OK(o.put_b, HINT_DEL);
    MM_CHECK_OK(o.del_a, HINT_DEL);
    MM_CHECK_ERRNO(o.get_a, ENOENT, HINT(S_ENTRIES, "\"a\" was deleted"));
    MM_CHECK_ERRNO(o.del_again, ENOENT, HINT(S_ENTRIES, "deleting a missing key"));
    MM_CHECK(kvt_val_is(&o.b, "2", 1), HINT_DEL, "deleting \"a\" lost \"b\": it is %s.",
             o.b.get.ret == -1 ? "missing" : "wrong");
    MM_CHECK(o.count == 1, HINT_DEL, "kv_count is %zu after one delete of two keys, "
             "expected 1.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

static int collect(const char *key, const void *val, size_t len, void *arg)
{
    int *seen = arg, i;
    (void)val, (void)len;
    if (sscanf(key, "key%d", &i) == 1 && i >= 0 && i < 16)
        seen[i]++;
    else
        seen[16]++;
    return 0;
}

struct colliding_seen {
    struct mm_call open, put[16], del[16], reput[16], foreach, close;
    struct mm_call get[16];             /* kv_get(key, buf, 0) of the odd keys: ERANGE */
    int seen[17];                       /* kv_foreach's visits per key; [16]: other keys */
    size_t count;
};

static void delete_and_reput(const char *path, struct colliding_seen *o)
{
    struct kv *kv;
    char key[16], buf[16];

    /* A full table: some keys were placed after others by probing past them. */
    o->open = kvt_open(&kv, path, 16, KV_CREATE);
    if (kv == NULL)
        return;
    for (int i = 0; i < 16; i++) {
        snprintf(key, sizeof key, "key%d", i);
        o->put[i] = kvt_put(kv, key, (unsigned)i);
    }
    for (int i = 0; i < 16; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        o->del[i] = kvt_del(kv, key);
    }
    for (int i = 1; i < 16; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        o->get[i] = MM_CALL(kv_get(kv, key, buf, 0));
    }
    for (int i = 0; i < 16; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        o->reput[i] = kvt_put(kv, key, 100u + (unsigned)i);
    }
    o->foreach = MM_CALL(kv_foreach(kv, collect, o->seen));
    o->count = (size_t)MM_CALL(kv_count(kv)).ret;
    o->close = MM_CALL(kv_close(kv));
}

Test(kv_del, delete_keeps_colliding_keys_reachable)
{
    const char *path = kvt_path();
    struct colliding_seen o;

    MM_SUBJECT(o)
        delete_and_reput(path, &o);
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 16; i++)
        MM_CHECK_OK(o.put[i], HINT_DEL);
    for (int i = 0; i < 16; i += 2)
        MM_CHECK_OK(o.del[i], HINT_DEL);
    for (int i = 1; i < 16; i += 2)
        MM_CHECK(o.get[i].ret == -1 && o.get[i].err == ERANGE, HINT(S_ENTRIES, "a deleted "
                 "slot must become a tombstone, not an empty slot: a lookup stops at an "
                 "empty slot, so keys placed after it by probing are lost"), "after deleting "
                 "the even keys of a full table, key%d is %s (kv_get with cap 0 returned "
                 "%lld, errno %s; expected -1 with ERANGE: the key is there).", i,
                 o.get[i].ret == -1 && o.get[i].err == ENOENT ? "not found" : "wrong",
                 o.get[i].ret, mm_errno_name(o.get[i].err));
    for (int i = 0; i < 16; i += 2)
        MM_CHECK_OK(o.reput[i], HINT(S_ENTRIES, "putting a deleted key back into its table "
                    "must reuse a tombstone"));
    MM_CHECK(o.foreach.ret == 0, HINT(S_ENTRIES, "kv_foreach returns 0 after visiting every "
             "entry"), "kv_foreach returned %lld (errno %s), expected 0.", o.foreach.ret,
             mm_errno_name(o.foreach.err));
    for (int i = 0; i < 16; i++)
        MM_CHECK(o.seen[i] == 1, HINT(S_ENTRIES, "before reusing a tombstone, make sure the "
                 "key is not stored further along the probe sequence"), "after deleting and "
                 "re-putting keys, kv_foreach visited key%d %d times, expected once.", i,
                 o.seen[i]);
    MM_CHECK(o.seen[16] == 0, HINT(S_ENTRIES, "pass each entry's own key"), "kv_foreach "
             "visited %d key(s) that were never put.", o.seen[16]);
    MM_CHECK(o.count == 16, HINT_DEL, "kv_count is %zu, expected 16.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_del, rdonly_handle_gives_EBADF)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, open_ro, del, close_ro, close; struct kvt_val after; } o;

    MM_SUBJECT(o) {
        struct kv *kv, *ro;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "k", "v", 1));
            o.open_ro = kvt_open(&ro, path, 0, KV_RDONLY);
            if (ro != NULL) {
                o.del = MM_CALL(kv_del(ro, "k"));
                o.close_ro = MM_CALL(kv_close(ro));
            }
            o.after = kvt_get(kv, "k", 8);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_DEL);
    MM_CHECK_PTR(o.open_ro, HINT_OPEN);
    MM_CHECK_ERRNO(o.del, EBADF, HINT(S_ERRNO, "a KV_RDONLY handle cannot delete"));
    MM_CHECK(kvt_val_is(&o.after, "v", 1), HINT(S_ERRNO, "refuse before changing anything"),
             "kv_del through a KV_RDONLY handle removed the key.");
    MM_CHECK_OK(o.close_ro, HINT_CLOSE);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}
