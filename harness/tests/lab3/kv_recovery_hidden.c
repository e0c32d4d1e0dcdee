/* kv_recovery_hidden.c - private tests of crash recovery with a shared-memory store, and of
 * what failed creations leave behind.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "../../../labs/lab3-unrelated/tests/lab3_util.h"

/* The suites (init, fini, timeouts) are declared once, in the public tests. */
Test(kv_recovery, killed_shm_writer_leaves_store_usable)
{
    const char *name = kvt_shm_name();
    kvt_crash_loop(name, true, 20);
    MM_CALL_OK(kv_unlink(name, KV_SHM), HINT(S_SHARING, "kv_unlink with KV_SHM is "
               "shm_unlink"));
}

Test(kv_close, failed_create_leaks_nothing)
{
    const char *missing = kvt_path();
    char magic_only[64] = { 0 };
    ((unsigned int *)magic_only)[0] = KV_MAGIC ^ 0xff;
    const char *bad = mm_tmpfile(magic_only, sizeof magic_only);
    const char *shm = kvt_shm_name() + 1;   /* without its '/': removed at the end */
    struct {
        struct mm_call call[4][3];
        int fds_before, maps_before, fds_after, maps_after;
    } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        for (int i = 0; i < 4; i++) {
            if (i == 1)                 /* after a warm-up round */
                o.fds_before = mm_count_fds(), o.maps_before = kvt_count_file_maps();
            o.call[i][0] = MM_CALL(kv_open(missing, 0, KV_CREATE));
            o.call[i][1] = MM_CALL(kv_open(shm, 8, KV_CREATE | KV_SHM));
            o.call[i][2] = MM_CALL(kv_open(bad, 8, KV_CREATE));
        }
        o.fds_after = mm_count_fds(), o.maps_after = kvt_count_file_maps();
    }
    static const char *const what[3] = { "nslots 0", "no '/'", "bad magic" };
    for (int i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++)
            MM_CHECK_NULL_ERRNO(o.call[i][c], EINVAL, HINT(S_ERRNO, what[c]));
    MM_CHECK(o.fds_after == o.fds_before && o.maps_after == o.maps_before, HINT(S_ERRNO,
             "a failing kv_open closes and unmaps what it opened"), "after 9 failed kv_open "
             "calls with KV_CREATE: %d file descriptors (before: %d), %d file mappings (before: "
             "%d).", o.fds_after, o.fds_before, o.maps_after, o.maps_before);
}
