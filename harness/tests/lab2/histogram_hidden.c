/* histogram_hidden.c - private tests of parallel_histogram: random inputs over the size
 * sweep and every worker count, exactly nworkers processes (RLIMIT_NPROC), EAGAIN with
 * every child reaped when fork fails, and processes rather than threads.
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
    const size_t sizes[] = { 0, 1, pg() - 1, pg(), pg() + 1, (2 << 20) + 13 };
    unsigned long long got[256], want[256];

    for (int i = 0; i < 6; i++) {
        unsigned char *data = random_bytes(sizes[i], 100 + (unsigned)i);
        serial_histogram(data, sizes[i], want);
        for (int n = 1; n <= 9; n += 2) {
            memset(got, 0xee, sizeof got);
            errno = 0;
            int ret = parallel_histogram(data, sizes[i], n, got), v = hist_diff(got, want);
            MM_ASSERT(ret == 0 && v == -1, "parallel_histogram of %zu random bytes with %d "
                      "workers: %s hist[%d] = %llu, expected %llu.\n  Hint: "
                      HINT(S_HIST, "the slices must cover [0, len) exactly once"), sizes[i], n,
                      ret ? mm_errno_name(errno) : "", v, v >= 0 ? got[v] : 0,
                      v >= 0 ? want[v] : 0);
        }
        free(data);
    }
    MM_END();
}

Test(parallel_histogram, sixty_four_workers_match_serial)
{
    size_t len = 64 * 1000 + 63;
    unsigned char *data = random_bytes(len, 64);
    unsigned long long got[256], want[256];

    serial_histogram(data, len, want);
    MM_EXPECT_OK(parallel_histogram(data, len, 64, got), HINT(S_HIST, "64 workers is allowed"));
    int v = hist_diff(got, want);
    MM_ASSERT(v == -1, "with 64 workers hist[%d] = %llu, expected %llu", v,
              v >= 0 ? got[v] : 0, v >= 0 ? want[v] : 0);
    MM_ASSERT(mm_count_children() == 0, "children left after the call.\n  Hint: "
              HINT(S_PROC, "waitpid every worker"));
    free(data);
    MM_END();
}

/* ---- Process counts through RLIMIT_NPROC ---------------------------------------------- */
/* In an unprivileged child, RLIMIT_NPROC = (tasks of our uid now) + room: a fork beyond
 * room more processes fails with EAGAIN. */
struct nproc_case {
    int nworkers, room;
    size_t len;
    const unsigned char *data;
    unsigned long long want[256];
};

enum { NP_OK, NP_FAILED_EAGAIN, NP_FAILED_OTHER, NP_SUCCEEDED, NP_WRONG, NP_LEFT_CHILDREN,
       NP_SETUP };

static int run_at_nproc_limit(void *arg)
{
    struct nproc_case *nc = arg;
    unsigned long long got[256];
    int now = uid_task_count();
    struct rlimit rl = { (rlim_t)(now + nc->room), (rlim_t)(now + nc->room) };

    if (now < 1 || setrlimit(RLIMIT_NPROC, &rl) == -1)
        return NP_SETUP;
    int ret = parallel_histogram(nc->data, nc->len, nc->nworkers, got), err = errno;
    for (int waited = 0; mm_count_zombies() > 0 && waited < 100; waited++)
        sleep_ms(1);                /* a SIGKILLed child may take a moment to become a zombie */
    if (mm_count_children() != 0)
        return NP_LEFT_CHILDREN;
    if (ret == -1)
        return err == EAGAIN ? NP_FAILED_EAGAIN : NP_FAILED_OTHER;
    return hist_diff(got, nc->want) == -1 ? NP_SUCCEEDED : NP_WRONG;
}

static int at_nproc_limit(struct nproc_case *nc, size_t len, int nworkers, int room)
{
    unsigned char *data = random_bytes(len, 77);

    nc->nworkers = nworkers, nc->room = room, nc->len = len, nc->data = data;
    serial_histogram(data, len, nc->want);
    int code = mm_run_unprivileged(run_at_nproc_limit, nc, 20000);
    free(data);
    return code;
}

Test(parallel_histogram, forks_at_most_nworkers_processes)
{
    static struct nproc_case nc;

    for (int n = 1; n <= 6; n += 5) {
        int code = at_nproc_limit(&nc, 1 << 20, n, n);
        MM_ASSERT(code != NP_SETUP && code != -1, "test setup: could not run at a process "
                  "limit (code %d)", code);
        MM_ASSERT(code == NP_SUCCEEDED, "with room for exactly %d more processes (RLIMIT_NPROC), "
                  "parallel_histogram(data, 1 MiB, %d, hist) %s.\n  Hint: "
                  HINT(S_HIST, "fork exactly nworkers workers and nothing else: no extra "
                       "process for the remainder, no extra process that forks again"), n, n,
                  code == NP_FAILED_EAGAIN ? "failed with EAGAIN: it forked more than nworkers" :
                  code == NP_FAILED_OTHER ? "failed with an unexpected errno" :
                  code == NP_WRONG ? "gave a wrong histogram" :
                  "returned with children left behind");
    }
    MM_END();
}

Test(parallel_histogram, fork_failure_gives_EAGAIN_and_reaps_children)
{
    static struct nproc_case nc;
    const int cases[][2] = { { 4, 3 }, { 8, 5 }, { 2, 0 } };    /* nworkers, room */

    for (int i = 0; i < 3; i++) {
        int n = cases[i][0], room = cases[i][1];
        int code = at_nproc_limit(&nc, 1 << 20, n, room);
        MM_ASSERT(code != NP_SETUP && code != -1, "test setup: could not run at a process "
                  "limit (code %d)", code);
        MM_ASSERT(code == NP_FAILED_EAGAIN, "with room for only %d more processes, "
                  "parallel_histogram(data, 1 MiB, %d, hist) %s; expected -1 with EAGAIN and "
                  "every started worker killed and reaped.\n  Hint: %s", room, n,
                  code == NP_SUCCEEDED || code == NP_WRONG ? "succeeded: it did not run "
                  "nworkers worker processes at the same time" :
                  code == NP_FAILED_OTHER ? "failed with another errno than EAGAIN" :
                  "returned with child processes (or zombies) left behind",
                  code == NP_LEFT_CHILDREN ? HINT(S_PROC, "when fork fails, kill and waitpid "
                  "every worker already started, then return -1 with fork's errno") :
                  HINT(S_HIST, "start all nworkers workers before waiting for any, and pass "
                       "fork's EAGAIN through"));
    }
    MM_END();
}

/* ---- Processes, not threads ------------------------------------------------------------ */
/* A seccomp filter that lets fork() through and refuses thread creation: clone with
 * CLONE_THREAD fails with EPERM, clone3 with ENOSYS (glibc then falls back to clone). */
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
    unsigned long long *hists = test_shared(2 * 256 * sizeof *hists);   /* got, want */

    serial_histogram(data, len, hists + 256);
    pid_t pid = mm_fork();
    if (pid == 0) {
        /* Exit codes: 0 right, 1 failed, 2 wrong, 3 no child ever ran, 4 threads left. */
        int filtered = forbid_threads() == 0;
        int ret = parallel_histogram(data, len, 4, hists);
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru);
        if (ret == -1)
            _exit(filtered ? 1 : 9);
        if (hist_diff(hists, hists + 256) != -1)
            _exit(2);
        if (ru.ru_minflt == 0 && ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0)
            _exit(3);       /* waited-for children always took page faults */
        _exit(mm_count_threads() == 1 ? 0 : 4);
    }
    int status = mm_wait(pid, 20000);
    MM_ASSERT(!exited_with(status, 9), "parallel_histogram failed in a plain child process");
    MM_ASSERT(exited_with(status, 0), "parallel_histogram(data, 1 MiB, 4, hist) in a process "
              "that may fork but may not create threads: the call %s.\n  Hint: "
              HINT(S_HIST, "the workers must be processes from fork(), each counting into "
                   "shared memory and ending with _exit; threads do not count"),
              exited_with(status, 1) ? "failed (thread creation refused?)" :
              exited_with(status, 2) ? "gave a wrong histogram" :
              exited_with(status, 3) ? "succeeded, but no child process ever ran" :
              exited_with(status, 4) ? "left a thread running" : status_text(status));
    free(data);
    MM_END();
}
