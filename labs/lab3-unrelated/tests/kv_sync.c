/* kv_sync.c - public test of kv_sync: after it, the file itself (read with read(2), not
 * through a mapping) holds the entries.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_sync/..'. */
#include "lab3_util.h"

MM_SUITE(kv_sync, 30);

Test(kv_sync, synced_bytes_are_in_the_file)
{
    const char *path = kvt_path();
    static const char key[] = "sync-check-key", val[] = "value-bytes-0123456789";
    struct kv *kv;
    size_t len;

    MM_EXPECT_PTR(kv = kv_open(path, 32, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, key, val, sizeof val - 1), "kv_put");
    MM_EXPECT_OK(kv_sync(kv), "kv_sync is msync(MS_SYNC) of the whole mapping (handout "
                 "lab3, \"Persistence (kv_sync)\").");
    char *file = mm_slurp(path, &len);
    MM_ASSERT(file != NULL, "could not read the store file back");
    int has_key = memmem(file, len, key, sizeof key - 1) != NULL;
    int has_val = memmem(file, len, val, sizeof val - 1) != NULL;
    free(file);
    MM_ASSERT(has_key && has_val, "after kv_sync, read(2) of the store file does not show "
              "the %s just put.\n  Hint: the entries must live in a MAP_SHARED mapping of "
              "the file, not in private memory (handout lab3, \"Persistence (kv_sync)\").",
              has_key ? "value" : "key");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}
