/* kv_recovery_hidden.c - private tests of crash recovery with a shared-memory store, and of
 * what failed creations leave behind.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "../../../labs/lab3-unrelated/tests/lab3_util.h"

#include <signal.h>
#include <sys/resource.h>

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

Test(kv_recovery, rdonly_reader_never_waits_for_a_killed_writer)
{
    kvt_readers_after_kills(kvt_path(), false, 40);
}

/* A creator whose ftruncate fails (RLIMIT_FSIZE: EFBIG) must remove what it created: nobody
 * may wait for a store that never comes, and the name stays free. */
Test(kv_close, failed_create_leaves_no_file)
{
    const char *path = kvt_path(), *name = kvt_shm_name();
    struct { struct mm_call file, shm; bool file_left, shm_left; } o;

    MM_SUBJECT(o) {
        struct rlimit small = { 64 << 10, 64 << 10 };
        struct kv *kv;
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &small);
        o.file = kvt_open(&kv, path, 1000, KV_CREATE);
        if (kv != NULL)
            kv_close(kv);
        o.file_left = kvt_exists(path);
        o.shm = kvt_open(&kv, name, 1000, KV_CREATE | KV_SHM);
        if (kv != NULL)
            kv_close(kv);
        o.shm_left = kvt_shm_exists(name);
    }
    MM_CHECK_NULL_ERRNO(o.file, EFBIG, HINT(S_ERRNO, "a store of 1000 slots is larger than "
                        "the file size limit: ftruncate fails with EFBIG; pass it through"));
    MM_CHECK(!o.file_left, HINT(S_ERRNO, "a failed create removes the file it created "
             "(unlink), or other programs wait for a store that never comes"),
             "kv_open(path, 1000, KV_CREATE) failed but left the file behind.");
    MM_CHECK_NULL_ERRNO(o.shm, EFBIG, HINT(S_ERRNO, "ftruncate of a shared-memory object "
                        "fails with EFBIG too; pass it through"));
    MM_CHECK(!o.shm_left, HINT(S_ERRNO, "a failed create removes the object it created "
             "(shm_unlink)"), "kv_open(name, 1000, KV_CREATE | KV_SHM) failed but left "
             "/dev/shm%s behind.", name);
}
