/* kv_sync.c - public test of kv_sync: after it, the file itself (read with read(2), not
 * through a mapping) holds the entries.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_sync/..'. */
#include "lab3_util.h"

MM_SUITE(kv_sync, 30);

Test(kv_sync, synced_bytes_are_in_the_file)
{
    const char *path = kvt_path();
    static const char key[] = "sync-check-key", val[] = "value-bytes-0123456789";
    struct { struct mm_call open, put, sync, close; } o;
    size_t len;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = KVT_OPEN(&kv, path, 32, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, key, val, sizeof val - 1));
            o.sync = MM_CALL(kv_sync(kv));
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_OK(o.sync, HINT(S_SYNC, "kv_sync is msync(MS_SYNC) of the whole mapping"));
    char *file = mm_slurp(path, &len);
    MM_CHECK(file != NULL, MM_NO_HINT, "test setup: could not read the store file back");
    bool has_key = memmem(file, len, key, sizeof key - 1) != NULL;
    bool has_val = memmem(file, len, val, sizeof val - 1) != NULL;
    free(file);
    MM_CHECK(has_key && has_val, HINT(S_SYNC, "the entries must live in a MAP_SHARED mapping "
             "of the file, not in private memory"), "after kv_sync, read(2) of the store file "
             "does not show the %s just put.", has_key ? "value" : "key");
    MM_CHECK_OK(o.close, HINT_CLOSE);
}
