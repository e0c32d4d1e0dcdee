/* isolate.c - runs a student's function once in a child process before it is timed, so a
 * crash, a hang or a wrong answer is reported for that method instead of killing the run. The
 * answer comes back through a MAP_SHARED anonymous page, the way Lab 2 shares memory. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmbench.h"

int run_isolated(long long (*fn)(void *), void *arg, long long *result, char *why, size_t whylen)
{
    long long *shared = mmap(NULL, sizeof(*shared) * 2, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int status, rc = -1;
    pid_t pid;

    if (shared == MAP_FAILED) {
        snprintf(why, whylen, "mmap of the result page: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);                   /* the child must not write our buffered output twice */
    pid = fork();
    if (pid == -1) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        goto out_unmap;
    }
    if (pid == 0) {
        alarm(BC_CHILD_TIMEOUT_S);  /* a hang ends as SIGALRM */
        shared[0] = fn(arg);
        shared[1] = errno;
        _exit(0);
    }
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR) {
            snprintf(why, whylen, "waitpid: %s", strerror(errno));
            goto out_unmap;
        }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(why, whylen, "did not return within %d s", BC_CHILD_TIMEOUT_S);
    else if (WIFSIGNALED(status))
        snprintf(why, whylen, "crashed in a check run: killed by signal %d (%s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WEXITSTATUS(status) != 0)
        snprintf(why, whylen, "called exit(%d)", WEXITSTATUS(status));
    else {
        *result = shared[0];
        errno = (int)shared[1];
        rc = 0;
    }
out_unmap:
    munmap(shared, sizeof(*shared) * 2);
    return rc;
}

/* Runs fn(arg) in a child process, inside the memory cgroup cg when it is not NULL; fn
 * reports through memory it shares with us. Returns 0 when the child exited 0, else -1 with
 * why: a failure fn wrote into fail (when it has one), a signal, a timeout. */
int run_in_child(const struct cgroup *cg, int (*fn)(void *), void *arg, const char *fail,
                 char *why, size_t whylen)
{
    int status;
    pid_t pid;

    fflush(NULL);
    if ((pid = fork()) == -1) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        alarm(BC_CHILD_TIMEOUT_S);
        if (cg && cgroup_enter(cg) == -1)
            _exit(3);
        _exit(fn(arg) == 0 ? 0 : 1);
    }
    cleanup_pid(pid);
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR) {
            snprintf(why, whylen, "waitpid: %s", strerror(errno));
            return -1;
        }
    cleanup_forget_pid(pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
        snprintf(why, whylen, "cannot enter the cgroup %s", cg->dir);
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && cg)
        snprintf(why, whylen, "killed by SIGKILL (the cgroup's OOM killer?)");
    else if (WIFSIGNALED(status))
        snprintf(why, whylen, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(why, whylen, "%s", fail && fail[0] ? fail : "the child failed");
    return -1;
}
