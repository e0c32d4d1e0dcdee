/* kv_del.c - public tests of kv_del: deleted keys are gone, keys stored after a deleted
 * one stay reachable (tombstones), and read-only handles cannot delete.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_del/..'. */
#include "lab3_util.h"

MM_SUITE(kv_del, 30);

#define HINT_DEL "see the handout lab3, \"Reading and writing entries (kv_put, kv_get, kv_del)\"."

Test(kv_del, deleted_key_gives_ENOENT)
{
    struct kv *kv;
    char buf[16];

    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, "a", "1", 1), HINT_DEL);
    MM_EXPECT_OK(kv_put(kv, "b", "2", 1), HINT_DEL);
    MM_EXPECT_OK(kv_del(kv, "a"), HINT_DEL);
    MM_EXPECT_ERRNO(kv_get(kv, "a", buf, sizeof buf), ENOENT, "\"a\" was deleted; " HINT_DEL);
    MM_EXPECT_ERRNO(kv_del(kv, "a"), ENOENT, "deleting a missing key; " HINT_DEL);
    MM_ASSERT(kv_get(kv, "b", buf, sizeof buf) == 1, "deleting \"a\" lost \"b\".");
    MM_ASSERT(kv_count(kv) == 1, "kv_count is %zu after one delete of two keys, expected 1.",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
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

Test(kv_del, delete_keeps_colliding_keys_reachable)
{
    struct kv *kv;
    char key[16], buf[16];
    int seen[17] = { 0 };

    /* A full table: some keys were placed after others by probing past them. */
    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 16, KV_CREATE), KVT_HINT_OPEN);
    for (int i = 0; i < 16; i++) {
        snprintf(key, sizeof key, "key%d", i);
        MM_EXPECT_OK(kvt_put(kv, key, (unsigned)i), HINT_DEL);
    }
    for (int i = 0; i < 16; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        MM_EXPECT_OK(kv_del(kv, key), HINT_DEL);
    }
    for (int i = 1; i < 16; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        ssize_t n = kv_get(kv, key, buf, 0);
        MM_ASSERT(n == -1 && errno == ERANGE, "after deleting the even keys of a full "
                  "table, %s is %s.\n  Hint: a deleted slot must become a tombstone, not an "
                  "empty slot: a lookup stops at an empty slot, so keys placed after it by "
                  "probing are lost (handout lab3, \"Reading and writing entries (kv_put, "
                  "kv_get, kv_del)\").", key, n == -1 && errno == ENOENT ? "not found"
                  : "wrong");
    }
    for (int i = 0; i < 16; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        MM_EXPECT_OK(kvt_put(kv, key, 100u + (unsigned)i), "putting a deleted key back "
                     "into its table must reuse a tombstone; " HINT_DEL);
    }
    MM_EXPECT_OK(kv_foreach(kv, collect, seen), "kv_foreach");
    for (int i = 0; i < 16; i++)
        MM_ASSERT(seen[i] == 1, "after deleting and re-putting keys, kv_foreach visited "
                  "key%d %d times, expected once.\n  Hint: before reusing a tombstone, "
                  "make sure the key is not stored further along the probe sequence.",
                  i, seen[i]);
    MM_ASSERT(kv_count(kv) == 16, "kv_count is %zu, expected 16.", kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_del, rdonly_handle_gives_EBADF)
{
    const char *path = kvt_path();
    struct kv *kv, *ro;
    char buf[8];

    MM_EXPECT_PTR(kv = kv_open(path, 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, "k", "v", 1), HINT_DEL);
    MM_EXPECT_PTR(ro = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    MM_EXPECT_ERRNO(kv_del(ro, "k"), EBADF, "a KV_RDONLY handle cannot delete; see the "
                    "handout lab3, \"Errors and errno\".");
    MM_ASSERT(kv_get(kv, "k", buf, sizeof buf) == 1, "kv_del through a KV_RDONLY handle "
              "removed the key.");
    MM_EXPECT_OK(kv_close(ro), "kv_close");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}
