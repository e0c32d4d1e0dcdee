/* kv_sync.c - public test of kv_sync: after it, the file itself (read with read(2), not
 * through a mapping) holds the entries.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_sync/..'. */
#include "lab3_util.h"

Test(kv_sync, synced_bytes_are_in_the_file)
{
    const char *path = kvt_path();
    static const char key[] = "sync-check-key", val[] = "value-bytes-0123456789";
    struct { struct mm_call open, put, sync, close; } o;
    size_t len;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 32, KV_CREATE);
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

/* On a disk, kv_put leaves the store's pages dirty in the page cache; msync(MS_SYNC) writes
 * them back and cleans them. The subject that called kv_sync reads its own smaps. */
Test(kv_sync, sync_leaves_no_dirty_page)
{
    const char *path = kvt_disk_path();
    struct { struct mm_call open, put[20], sync, close; long dirty_before, dirty_after; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 64, KV_CREATE);
        if (kv != NULL) {
            for (int i = 0; i < 20; i++) {
                char key[16];
                snprintf(key, sizeof key, "durable%d", i);
                o.put[i] = kvt_put(kv, key, (unsigned)i);
            }
            o.dirty_before = kvt_dirty_kb(path);
            o.sync = MM_CALL(kv_sync(kv));
            o.dirty_after = kvt_dirty_kb(path);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 20; i++)
        MM_CHECK_OK(o.put[i], HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK(o.dirty_before != -1, HINT(S_SHARING, "keep the store mapped MAP_SHARED from "
             "kv_open to kv_close"), "while the store was open, /proc/self/smaps showed no "
             "mapping of its file %s.", path);
    MM_CHECK(o.dirty_before > 0, HINT(S_SYNC, "kv_put writes into the MAP_SHARED mapping of "
             "the file"), "after 20 kv_puts, no page of the store's mapping was dirty: the "
             "entries are not in the file's pages.");
    MM_CHECK_OK(o.sync, HINT(S_SYNC, "kv_sync is msync(MS_SYNC) of the whole mapping"));
    MM_CHECK(o.dirty_after == 0, HINT(S_SYNC, "msync(base, size, MS_SYNC) of the whole "
             "mapping: without it, with MS_ASYNC or over part of the mapping, pages stay "
             "dirty"), "after kv_sync, %ld kB of the store's mapping were still dirty (%ld kB "
             "before it): kv_sync returned before the bytes were written to the file.",
             o.dirty_after, o.dirty_before);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}
