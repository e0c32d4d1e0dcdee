/* histogram_hidden.c - private tests of parallel_histogram: random inputs over the size
 * sweep and every worker count, exactly nworkers processes (RLIMIT_NPROC), EAGAIN with
 * every child reaped when fork fails, and processes rather than threads.
 * Each scenario runs in one subject (mmtest.h); limits and filters apply to it alone.
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "../../../labs/lab2-related/tests/lab2_util.h"

/* The suites (init, fini, timeout) are declared once, in the public test files. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>


Test(parallel_histogram, random_inputs_every_split_match_serial)
{
    enum { NSIZES = 6, NSPLITS = 5 };
    const size_t sizes[NSIZES] = { 0, 1, pg() - 1, pg(), pg() + 1, (2 << 20) + 13 };
    unsigned char *data[NSIZES];
    static struct { struct hist_seen h[NSIZES][NSPLITS]; } o;

    for (int i = 0; i < NSIZES; i++)
        data[i] = random_bytes(sizes[i], 100 + (unsigned)i);
    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        for (int i = 0; i < NSIZES; i++)
            for (int k = 0; k < NSPLITS; k++)
                hist_observe(&o.h[i][k], data[i], sizes[i], 2 * k + 1);
    }
    for (int i = 0; i < NSIZES; i++) {
        for (int k = 0; k < NSPLITS; k++)
            hist_check(&o.h[i][k], data[i], sizes[i], 2 * k + 1,
                       HINT(S_HIST, "the slices must cover [0, len) exactly once"));
        free(data[i]);
    }
}

Test(parallel_histogram, sixty_four_workers_match_serial)
{
    size_t len = 64 * 1000 + 63;
    unsigned char *data = random_bytes(len, 64);
    struct hist_seen o;

    MM_SUBJECT(o)
        hist_observe(&o, data, len, 64);
    hist_check(&o, data, len, 64, HINT(S_HIST, "64 workers is allowed"));
    MM_CHECK(o.children == 0, HINT(S_PROC, "waitpid every worker"), "%d children left after "
             "the call.", o.children);
    free(data);
}

/* ---- Process counts through RLIMIT_NPROC ---------------------------------------------- */
/* What a subject saw of one call made with room for only `room` more processes of its
 * (otherwise unused) uid: RLIMIT_NPROC = tasks of the uid now + room. */
struct nproc_seen {
    int setup_err;              /* errno of the limit's setup, or 0 */
    struct hist_seen h;
};

enum nproc_result { NP_SETUP, NP_FAILED_EAGAIN, NP_FAILED_OTHER, NP_SUCCEEDED, NP_WRONG,
                    NP_LEFT_CHILDREN };

/* Runs the call at the limit; *err gets its errno if it failed. */
static enum nproc_result at_nproc_limit(size_t len, int nworkers, int room, int *err)
{
    unsigned char *data = random_bytes(len, 77);
    unsigned long long want[256];
    struct nproc_seen o;

    MM_SUBJECT_WITH(o, .as_user = true, .timeout_ms = 20000) {
        struct rlimit old, rl;
        int now = uid_task_count();
        /* Only the soft limit: the subject raises it again afterwards (LeakSanitizer's
         * check at the block's end needs a process of its own). */
        if (now < 1 || getrlimit(RLIMIT_NPROC, &old) == -1) {
            o.setup_err = now < 1 ? ESRCH : errno;
        } else {
            rl = (struct rlimit){ (rlim_t)(now + room), old.rlim_max };
            if (setrlimit(RLIMIT_NPROC, &rl) == -1) {
                o.setup_err = errno;
            } else {
                hist_observe(&o.h, data, len, nworkers);
                /* A SIGKILLed child may take a moment to become a reapable zombie. */
                for (long end = now_ms() + 500; mm_count_zombies() > 0 && now_ms() < end; )
                    sleep_ms(1);
                o.h.children = mm_count_children();
                setrlimit(RLIMIT_NPROC, &old);
            }
        }
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: could not run at a process limit: %s",
             mm_errno_name(o.setup_err));
    serial_histogram(data, len, want);
    free(data);
    *err = o.h.call.err;
    if (o.h.children != 0)
        return NP_LEFT_CHILDREN;
    if (o.h.call.ret == -1)
        return o.h.call.err == EAGAIN ? NP_FAILED_EAGAIN : NP_FAILED_OTHER;
    return o.h.call.ret == 0 && hist_diff(o.h.got, want) == -1 ? NP_SUCCEEDED : NP_WRONG;
}

Test(parallel_histogram, forks_at_most_nworkers_processes)
{
    for (int n = 1; n <= 6; n += 5) {
        int err;
        enum nproc_result code = at_nproc_limit(1 << 20, n, n, &err);
        MM_CHECK(code == NP_SUCCEEDED, HINT(S_HIST, "fork exactly nworkers workers and nothing "
                 "else: no extra process for the remainder, no extra process that forks "
                 "again"), "with room for exactly %d more process%s (RLIMIT_NPROC), "
                 "parallel_histogram(data, 1 MiB, %d, hist) %s%s.", n, n == 1 ? "" : "es", n,
                 code == NP_FAILED_EAGAIN ? "failed with EAGAIN: it forked more than nworkers" :
                 code == NP_FAILED_OTHER ? "failed with errno " :
                 code == NP_WRONG ? "gave a wrong histogram" :
                 "returned with children left behind",
                 code == NP_FAILED_OTHER ? mm_errno_name(err) : "");
    }
}

Test(parallel_histogram, fork_failure_gives_EAGAIN_and_reaps_children)
{
    const int cases[][2] = { { 4, 3 }, { 8, 5 }, { 2, 0 } };    /* nworkers, room */

    for (int i = 0; i < 3; i++) {
        int n = cases[i][0], room = cases[i][1], err;
        enum nproc_result code = at_nproc_limit(1 << 20, n, room, &err);
        MM_CHECK(code == NP_FAILED_EAGAIN, code == NP_LEFT_CHILDREN ?
                 HINT(S_PROC, "when fork fails, kill and waitpid every worker already started, "
                      "then return -1 with fork's errno") :
                 HINT(S_HIST, "start all nworkers workers before waiting for any, and pass "
                      "fork's EAGAIN through"), "with room for only %d more processes, "
                 "parallel_histogram(data, 1 MiB, %d, hist) %s%s; expected -1 with EAGAIN and "
                 "every started worker killed and reaped.", room, n,
                 code == NP_SUCCEEDED || code == NP_WRONG ? "succeeded: it did not run "
                 "nworkers worker processes at the same time" :
                 code == NP_FAILED_OTHER ? "failed with errno " :
                 "returned with child processes (or zombies) left behind",
                 code == NP_FAILED_OTHER ? mm_errno_name(err) : "");
    }
}

/* ---- Processes, not threads ------------------------------------------------------------ */
/* A seccomp filter (on top of the subject's own) that lets fork() through and refuses thread
 * creation: clone with CLONE_THREAD fails with EPERM, clone3 with ENOSYS (glibc then falls
 * back to clone). LeakSanitizer's helper is a clone without CLONE_THREAD: still allowed. */
static int forbid_threads(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof code / sizeof code[0], code };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
        return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

Test(parallel_histogram, uses_processes_not_threads)
{
    size_t len = (1 << 20) + 7;
    unsigned char *data = random_bytes(len, 5);
    struct {
        int filter_err;                 /* errno of loading the filter, or 0 */
        struct hist_seen h;
        long child_minflt, child_utime_us;  /* of the children waited for (getrusage) */
        int threads;
    } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        o.filter_err = forbid_threads() == 0 ? 0 : errno;
        if (o.filter_err == 0) {
            hist_observe(&o.h, data, len, 4);
            struct rusage ru;
            getrusage(RUSAGE_CHILDREN, &ru);
            o.child_minflt = ru.ru_minflt;
            o.child_utime_us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec;
            o.threads = mm_count_threads();
        }
    }
    MM_CHECK(o.filter_err == 0, MM_NO_HINT, "test setup: the seccomp filter against threads "
             "could not be loaded: %s", mm_errno_name(o.filter_err));
    const struct mm_hint hint = HINT(S_HIST, "the workers must be processes from fork(), each "
                                     "counting into shared memory and ending with _exit; "
                                     "threads do not count");
    MM_CHECK(o.h.call.ret == 0, hint, "parallel_histogram(data, 1 MiB, 4, hist) in a process "
             "that may fork but may not create threads failed with %s (thread creation "
             "refused?).", mm_errno_name(o.h.call.err));
    hist_check(&o.h, data, len, 4, hint);
    MM_CHECK(o.child_minflt != 0 || o.child_utime_us != 0, hint, "parallel_histogram(data, "
             "1 MiB, 4, hist) succeeded, but no child process ever ran.");
    MM_CHECK(o.threads == 1, hint, "parallel_histogram(data, 1 MiB, 4, hist) left %d threads "
             "running in the calling process.", o.threads);
    free(data);
}
