/* kv_recovery_hidden.c - private tests of crash recovery with a shared-memory store, and of
 * what failed creations leave behind.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab3_util.h"

#include <signal.h>
#include <sys/mman.h>
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

/* A writer killed at each point of a kv_put where it moves from writing one page of the
 * store to another (kvhelper crashat: the 1st, 2nd, ... such switch), holding the lock: the
 * next program must find every entry whole and kv_count equal to the entries it visits
 * (the repair after EOWNERDEAD recounts), for keys that land in different pages. 58 slots
 * and 25 keys: with the reference's FNV-1a hash slot 0 is taken, so a recount that skips
 * slot 0 shows too; any other implementation is tested the same way. */
Test(kv_recovery, writer_killed_at_each_page_switch_leaves_count_right)
{
    const char *path = kvt_path();
    static const char *const victims[] = { "victim-a", "victim-b", "victim-c", "victim-d" };
    struct kvt_run r;
    int deaths = 0;

    kvt_run(&r, 10000, "kvhelper", path, "fill", "58", "pre", "0", "25", NULL);
    MM_CHECK(r.status == 0, HINT_OPEN, "a program creating the store and putting 25 keys "
             "exited %d (stderr: %s).", r.status, r.err);
    for (size_t v = 0; v < sizeof victims / sizeof victims[0]; v++) {
        for (int n = 1; n <= 12; n++) {
            char at[16];
            snprintf(at, sizeof at, "%d", n);
            kvt_run(&r, 5000, "kvhelper", path, "crashat", at, victims[v], NULL);
            if (r.status == 3)          /* the put finished before that switch */
                break;
            MM_CHECK(r.status == -1 && r.signal == SIGKILL, HINT(S_RECOVERY, "kv_put writes "
                     "into the MAP_SHARED mapping"), "a writer to be killed in kv_put(\"%s\") "
                     "at page switch %d exited %d instead (stderr: %s).", victims[v], n,
                     r.status, r.err);
            deaths++;
            kvt_run(&r, 5000, "kvhelper", path, "verify", NULL);
            MM_CHECK(r.status == 0, HINT(S_RECOVERY, "after EOWNERDEAD, repair what the dead "
                     "writer left (recount the live entries: it may have died between "
                     "publishing an entry and counting it), then pthread_mutex_consistent"),
                     "after a writer died in kv_put(\"%s\") at page switch %d, the next program "
                     "%s%s%s.", victims[v], n, r.status == -1 ? (r.signal ? "crashed" : "hung")
                     : "found the store wrong", r.err[0] ? ": " : "", r.err);
        }
    }
    MM_CHECK(deaths >= 4, MM_NO_HINT, "test setup: only %d writers died inside kv_put.", deaths);
    kvt_run(&r, 5000, "kvhelper", path, "check", "pre", "0", "25", NULL);
    MM_CHECK(r.status == 0, HINT(S_RECOVERY, "a writer that dies touches only the entry it "
             "was changing"), "after the killed writers, the 25 keys put before are not all "
             "whole (exit %d): %s", r.status, r.err);
}

/* The repair after EOWNERDEAD looks at every slot of a store whose file is a whole number of
 * pages, mapped right below a PROT_NONE page (see kv_foreach/never_reads_past_the_last_slot):
 * a recount that looks one slot too far crashes on the guard. The writer is killed at its
 * second page switch inside kv_put (kvhelper crashat); a key whose put switches pages fewer
 * times finishes, and the next key is tried. */
Test(kv_recovery, repair_never_reads_past_the_last_slot)
{
    static const char *const victims[] = { "victim-a", "victim-b", "victim-c", "victim-d" };
    const char *path = kvt_path();
    struct { size_t nslots; int guarded, died, helper; struct mm_call open, put, foreach;
             size_t count; int visits; } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 30000) {
        size_t page = mm_page_size();
        struct kv *kv;
        memset(&o, 0, sizeof o);
        o.nslots = kvt_page_sized_slots(path);
        void *guard = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        o.open = kvt_open(&kv, path, o.nslots ? o.nslots : 16, KV_CREATE);
        if (kv != NULL) {
            o.guarded = guard != MAP_FAILED && kvt_mapped_right_below(path, guard);
            for (size_t v = 0; v < sizeof victims / sizeof victims[0] && !o.died; v++) {
                const char *const argv[] = { "kvhelper", path, "crashat", "2", victims[v], NULL };
                o.helper = kvt_wait(kvt_spawn(argv, -1, -1), 5000);
                o.died = o.helper == -1;
                if (o.helper != -1 && o.helper != 3)
                    break;                          /* the judge reports it */
            }
            o.put = MM_CALL(kv_put(kv, "after", "1", 1));
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.foreach = MM_CALL(kv_foreach(kv, kvt_count_visit, &o.visits));
            kv_close(kv);
        }
        if (guard != MAP_FAILED)
            munmap(guard, page);
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK(o.helper == -1 || o.helper == 3, MM_NO_HINT, "test setup: a writer to be killed "
             "inside kv_put exited %d%s.", o.helper, kvt_helper_said());
    MM_CHECK_OK(o.put, HINT(S_RECOVERY, "after EOWNERDEAD, recount slots 0 to nslots - 1, "
                "then pthread_mutex_consistent"));
    MM_CHECK_OK(o.foreach, HINT(S_ENTRIES, "visit every live slot, then return 0"));
    MM_CHECK(o.count == (size_t)o.visits, HINT(S_RECOVERY, "after EOWNERDEAD, recount the live "
             "entries"), "after a writer died inside kv_put, kv_count says %zu but kv_foreach "
             "visits %d entries.", o.count, o.visits);
}
