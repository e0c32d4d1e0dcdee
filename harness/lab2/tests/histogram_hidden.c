/* histogram_hidden.c - private tests of parallel_histogram: random inputs over the size
 * sweep and every worker count, exactly nworkers processes (RLIMIT_NPROC), EAGAIN with
 * every child reaped when fork fails, processes rather than threads, a dying worker (EIO),
 * a waitpid interrupted by signals, and the table unmapped.
 * Each scenario runs in one subject (mmtest.h); limits and filters apply to it alone.
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "lab2_util.h"

/* The suites (init, fini, timeout) are declared once, in the public test files. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#define H_TABLE HINT(S_HIST, "one row of 256 counters per worker in memory mapped MAP_SHARED "\
                     "before fork")


Test(parallel_histogram, random_inputs_every_split_match_serial)
{
    enum { NSIZES = 6, NSPLITS = 5 };
    const size_t sizes[NSIZES] = { 0, 1, mm_page_size() - 1, mm_page_size(), mm_page_size() + 1, (2 << 20) + 13 };
    unsigned char *data[NSIZES];
    static struct { struct hist_seen h[NSIZES][NSPLITS]; } o;

    for (int i = 0; i < NSIZES; i++)
        data[i] = mm_random_bytes(sizes[i], 100 + (unsigned)i);
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
    unsigned char *data = mm_random_bytes(len, 64);
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
    unsigned char *data = mm_random_bytes(len, 77);
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
                for (long end = mm_now_ms() + 500; mm_count_zombies() > 0 && mm_now_ms() < end; )
                    mm_sleep_ms(1);
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

/* The bystander of fork_failure_kills_only_its_own_workers: a child of the caller that the
 * call must leave alone. Until told to stop, it SIGSTOPs every other child of the caller (the
 * workers) as soon as it appears, so that a worker never finishes its slice by itself. */
static void bystander(pid_t caller, atomic_int *stop)
{
    pid_t kids[64];
    long end = mm_now_ms() + 8000;

    while (!atomic_load(stop) && mm_now_ms() < end) {
        int n = proc_children(caller, kids, 64);
        for (int i = 0; i < n; i++)
            if (kids[i] != getpid())
                kill(kids[i], SIGSTOP);
        struct timespec tick = { 0, 100 * 1000 };
        nanosleep(&tick, NULL);
    }
    _exit(0);
}

Test(parallel_histogram, fork_failure_kills_only_its_own_workers)
{
    /* A bystander child of the caller, forked before the call, stops each worker as it
     * starts: a call that returns killed its started workers (SIGKILL ends a stopped process)
     * instead of waiting for them. The bystander itself must come out of the call untouched:
     * kill(-1, SIGKILL) or waitpid(-1, ...) with the -1 of the failed fork hits it. The input
     * is 1 GiB of unpopulated zero pages (MAP_NORESERVE), so a worker takes a while. */
    const size_t len = (size_t)1 << 30;
    const int n = 4, room = 2;
    struct { int setup_err, bystander_status; struct hist_seen h; } o;

    memset(&o, 0, sizeof o);
    MM_SUBJECT_WITH(o, .as_user = true, .timeout_ms = 12000, .may_die = true) {
        void *in = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                        -1, 0);
        atomic_int *stop = test_shared(sizeof *stop);
        pid_t caller = getpid();
        pid_t by = in == MAP_FAILED ? -1 : mm_fork();
        if (by == 0)
            bystander(caller, stop);
        struct rlimit old, rl;
        int now = uid_task_count();
        if (in == MAP_FAILED || by == -1 || now < 1 || getrlimit(RLIMIT_NPROC, &old) == -1) {
            o.setup_err = errno ? errno : ESRCH;
        } else {
            rl = (struct rlimit){ (rlim_t)(now + room), old.rlim_max };
            if (setrlimit(RLIMIT_NPROC, &rl) == -1) {
                o.setup_err = errno;
            } else {
                hist_observe(&o.h, in, len, n);
                setrlimit(RLIMIT_NPROC, &old);
            }
        }
        if (by > 0) {
            atomic_store(stop, 1);
            o.bystander_status = mm_wait(by, 5000);
        }
        munmap(stop, sizeof *stop);
        if (in != MAP_FAILED)
            munmap(in, len);
    }
    const struct mm_outcome *out = mm_outcome();
    MM_CHECK(out->how != MM_TIMED_OUT, HINT(S_PROC, "when fork fails, kill (SIGKILL) every "
             "worker already started, then waitpid each: a worker left running counts its "
             "whole slice first"), "with room for only %d more processes, parallel_histogram("
             "data, 1 GiB, %d, hist) did not return within 12 s while its started workers "
             "were stopped: they were waited for instead of killed.", room, n);
    MM_CHECK(out->how == MM_RETURNED && !out->leaked && out->strays == 0, MM_NO_HINT, "%s",
             mm_outcome_text());
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: %s", mm_errno_name(o.setup_err));
    MM_CHECK_ERRNO(o.h.call, EAGAIN, HINT(S_HIST, "pass fork's EAGAIN through"));
    MM_CHECK(exited_with(o.bystander_status, 0), HINT(S_PROC, "kill and waitpid only the pids "
             "of workers that started (pids[0..i-1]), never the -1 of the fork that failed: "
             "kill(-1, SIGKILL) kills every process you own, waitpid(-1) reaps any child"),
             "a process of the caller that parallel_histogram did not start %s during a call "
             "whose fork failed (expected: untouched, exited 0 when told to).",
             o.bystander_status == -1 ? "was reaped (or lost)" : status_text(o.bystander_status));
    MM_CHECK(o.h.children == 1, HINT(S_PROC, "kill and waitpid every worker already "
             "started"), "after the failed call the caller had %d child process(es); expected "
             "1 (its own bystander).", o.h.children);
}

Test(parallel_histogram, uses_processes_not_threads)
{
    size_t len = (1 << 20) + 7;
    unsigned char *data = mm_random_bytes(len, 5);
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

/* ---- Error paths after the argument checks -------------------------------------------- */

Test(parallel_histogram, dying_worker_gives_EIO)
{
    struct {
        int setup_err;
        int shared_before, shared_after;    /* shared mappings around the call */
        struct hist_seen h;
    } o;

    /* The last of 4 workers meets an unreadable page (PROT_NONE) in its slice and dies of
     * SIGSEGV; the caller never reads data itself, so only that worker dies. */
    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        size_t len = 8 * mm_page_size();
        unsigned char *in = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                 -1, 0);
        /* The default action, also under the sanitizers (whose handler would report the
         * worker's crash at length and exit with 1). */
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        if (in == MAP_FAILED || sigaction(SIGSEGV, &dfl, NULL) == -1) {
            o.setup_err = errno;
        } else {
            memset(in, 'x', len);
            if (mprotect(in + len - mm_page_size(), mm_page_size(), PROT_NONE) == -1)
                o.setup_err = errno;
            count_shared_maps();            /* warm up: the probe's own stdio buffers */
            o.shared_before = count_shared_maps();
            if (o.setup_err == 0)
                hist_observe(&o.h, in, len, 4);
            o.shared_after = count_shared_maps();
            munmap(in, len);
        }
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: %s", mm_errno_name(o.setup_err));
    MM_CHECK_ERRNO(o.h.call, EIO, HINT(S_HIST, "check every worker's status from waitpid: "
                   "only WIFEXITED with status 0 means its row is complete; otherwise return -1 "
                   "with EIO"));
    int changed = -1;
    for (int v = 0; v < 256 && changed == -1; v++)
        if (o.h.got[v] != ~0ull)
            changed = v;
    MM_CHECK(changed == -1, HINT(S_HIST, "sum the rows into hist only after every worker "
             "succeeded"), "a worker died and parallel_histogram failed, but it changed "
             "hist[%d] to %llu: hist must stay unchanged.", changed,
             changed >= 0 ? o.h.got[changed] : 0);
    MM_CHECK(o.h.children == 0, HINT(S_PROC, "waitpid every worker, also when one failed"),
             "after a worker died, parallel_histogram returned with %d child process(es) "
             "left.", o.h.children);
    MM_CHECK(o.shared_after == o.shared_before, HINT(S_HIST, "unmap the shared table on the "
             "error path too"), "shared mappings: %d before the failed call, %d after.",
             o.shared_before, o.shared_after);
}

/* Counts SIGALRMs; installed without SA_RESTART, so a blocked waitpid fails with EINTR. */
static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* Whether process pid is blocked waiting for a child: in wait4/waitid, or (when its system
 * call cannot be read) asleep while all its children are stopped. */
static int waiting_for_child(pid_t pid)
{
    long nr;
    char state = proc_state(pid, &nr);

    return state == 'S' && (nr == SYS_wait4 || nr == SYS_waitid || nr == -1);
}

/* The interrupter, a process outside the caller's family (so that a wait for any child
 * never returns it): it stops every worker of caller as soon as it appears, so that the
 * caller must block in waitpid; then sends the caller `signals` SIGALRMs while it waits,
 * resumes the workers and ends. *sent counts the signals that found the caller waiting. */
static void interrupt_waits(pid_t caller, int signals, atomic_int *sent)
{
    pid_t stopped[64], kids[64];
    int nstopped = 0;
    long deadline = mm_now_ms() + 5000;

    while (mm_now_ms() < deadline) {
        int n = proc_children(caller, kids, 64);
        for (int i = 0; i < n; i++) {
            int known = 0;
            for (int k = 0; k < nstopped; k++)
                known |= stopped[k] == kids[i];
            if (!known && nstopped < 64 && kill(kids[i], SIGSTOP) == 0)
                stopped[nstopped++] = kids[i];
        }
        if (nstopped > 0 && waiting_for_child(caller)) {
            for (int k = 0; k < signals; k++) {
                if (waiting_for_child(caller) && kill(caller, SIGALRM) == 0)
                    atomic_fetch_add(sent, 1);
                mm_sleep_ms(5);
            }
            break;
        }
        struct timespec tick = { 0, 200 * 1000 };
        nanosleep(&tick, NULL);
    }
    for (int k = 0; k < nstopped; k++)
        kill(stopped[k], SIGCONT);
}

Test(parallel_histogram, interrupted_waitpid_is_retried)
{
    size_t len = 16 << 20;
    unsigned char *data = mm_random_bytes(len, 16);
    struct {
        int setup_err, sent, alarms, children;
        struct mm_call call;
        unsigned long long got[256];
    } o;

    /* Signals that arrive while the caller waits for its workers; tried up to 3 times, in
     * case the workers ended before the interrupter could stop one (a busy machine). */
    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        struct sigaction sa = { .sa_handler = on_alarm };   /* sa_flags 0: no SA_RESTART */
        sigemptyset(&sa.sa_mask);
        atomic_int *sent = test_shared(sizeof *sent);
        pid_t caller = getpid();
        if (sigaction(SIGALRM, &sa, NULL) == -1)
            o.setup_err = errno;
        for (int attempt = 0; o.setup_err == 0 && attempt < 3 && o.sent == 0; attempt++) {
            pid_t middle = mm_fork();
            if (middle == 0) {
                if (mm_fork() == 0)
                    interrupt_waits(caller, 5, sent);
                _exit(0);
            }
            if (middle == -1 || mm_wait(middle, 5000) == -1) {
                o.setup_err = middle == -1 ? errno : ETIMEDOUT;
                break;
            }
            o.call = MM_CALL(parallel_histogram(data, len, 4, o.got));
            o.sent = atomic_load(sent);
            if (o.call.ret != 0)
                break;
        }
        o.alarms = alarms;
        o.children = mm_count_children();
        munmap(sent, sizeof *sent);
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: %s", mm_errno_name(o.setup_err));
    const struct mm_hint hint = HINT(S_PROC, "a signal that arrives while waitpid waits makes "
                                     "it fail with EINTR: call it again (and only then look at "
                                     "the status)");
    MM_CHECK(o.call.ret == 0, hint, "parallel_histogram(data, 16 MiB, 4, hist) failed with %s "
             "after %d signal(s) arrived while it waited for its workers (a handler without "
             "SA_RESTART).", mm_errno_name(o.call.err), o.sent);
    /* o.sent == 0: the caller never blocked in a wait (it polls, say), so no EINTR to retry;
     * the result must still be right. */
    unsigned long long want[256];
    serial_histogram(data, len, want);
    int v = hist_diff(o.got, want);
    MM_CHECK(v == -1, hint, "parallel_histogram(data, 16 MiB, 4, hist), interrupted by "
             "signals: hist[%d] = %llu, expected %llu.", v, v >= 0 ? o.got[v] : 0,
             v >= 0 ? want[v] : 0);
    MM_CHECK(o.children == 0, hint, "parallel_histogram(data, 16 MiB, 4, hist), interrupted "
             "by signals, returned with %d child process(es) left.", o.children);
    free(data);
}

Test(parallel_histogram, table_mmap_failure_gives_ENOMEM)
{
    const size_t len = 3 * 4096 + 5;
    unsigned char *data = mm_random_bytes(len, 12);
    struct { int setup_err; struct hist_seen h; } o;

    /* RLIMIT_AS at the address space in use: the workers' table cannot be mapped. */
    MM_SUBJECT(o) {
        struct rlimit old;
        o.setup_err = limit_address_space(&old);
        if (o.setup_err == 0) {
            hist_observe(&o.h, data, len, 3);
            setrlimit(RLIMIT_AS, &old);
        }
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_AS) failed: %s",
             mm_errno_name(o.setup_err));
    MM_CHECK_ERRNO(o.h.call, ENOMEM, HINT(S_HIST, "when the table cannot be mapped, return -1 "
                   "with mmap's errno before forking anything"));
    int changed = -1;
    for (int v = 0; v < 256 && changed == -1; v++)
        if (o.h.got[v] != ~0ull)
            changed = v;
    MM_CHECK(changed == -1, HINT(S_HIST, "a failed call leaves hist unchanged"), "the call "
             "failed but changed hist[%d] to %llu.", changed, changed >= 0 ?
             o.h.got[changed] : 0);
    MM_CHECK(o.h.children == 0, HINT(S_PROC, "check the table before forking"), "the failed "
             "call left %d child process(es).", o.h.children);
    free(data);
}

Test(parallel_histogram, unmaps_its_table)
{
    size_t len = (1 << 20) + 3;
    unsigned char *data = mm_random_bytes(len, 9);
    struct { int shared_before, shared_after; struct hist_seen h; } o;

    MM_SUBJECT(o) {
        count_shared_maps();                /* warm up: the probe's own stdio buffers */
        mm_count_children(), mm_count_zombies();
        o.shared_before = count_shared_maps();
        hist_observe(&o.h, data, len, 3);
        o.shared_after = count_shared_maps();
    }
    hist_check(&o.h, data, len, 3, H_TABLE);
    MM_CHECK(o.shared_after == o.shared_before, HINT(S_HIST, "unmap the shared table "
             "(shared_free with the length you mapped) before returning"), "shared mappings: "
             "%d before parallel_histogram(data, %zu, 3, hist), %d after: the table was never "
             "unmapped.", o.shared_before, len, o.shared_after);
    free(data);
}
