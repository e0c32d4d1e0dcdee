/* kv_recovery_hidden.c - private tests of crash recovery with a shared-memory store, and of
 * what failed creations leave behind. */
#include "../../../labs/lab3-unrelated/tests/lab3_util.h"


/* The suites (init, fini, timeouts) are declared once, in the public tests. */
Test(kv_recovery, killed_shm_writer_leaves_store_usable)
{
    const char *name = kvt_shm_name();
    kvt_crash_loop(name, 1, 20);
    MM_EXPECT_OK(kv_unlink(name, KV_SHM), "kv_unlink");
    MM_END();
}

Test(kv_close, failed_create_leaks_nothing)
{
    const char *missing = kvt_path();
    char magic_only[64] = { 0 };
    ((unsigned int *)magic_only)[0] = KV_MAGIC ^ 0xff;
    const char *bad = mm_tmpfile(magic_only, sizeof magic_only);
    const char *shm = kvt_shm_name() + 1;   /* without its '/': removed at the end */

    int fds = 0, maps = 0;
    for (int i = 0; i < 4; i++) {
        if (i == 1)                     /* after a warm-up round */
            fds = mm_count_fds(), maps = mm_count_maps();
        MM_EXPECT_NULL_ERRNO(kv_open(missing, 0, KV_CREATE), EINVAL, "nslots 0");
        MM_EXPECT_NULL_ERRNO(kv_open(shm, 8, KV_CREATE | KV_SHM), EINVAL, "no '/'");
        MM_EXPECT_NULL_ERRNO(kv_open(bad, 8, KV_CREATE), EINVAL, "bad magic");
    }
    MM_ASSERT(mm_count_fds() == fds && mm_count_maps() == maps, "after 9 failed kv_open "
              "calls with KV_CREATE: %d file descriptors (before: %d), %d mappings (before: "
              "%d).\n  Hint: a failing kv_open closes and unmaps what it opened (handout "
              "lab3, \"Errors and errno\").", mm_count_fds(), fds, mm_count_maps(), maps);
    MM_END();
}
