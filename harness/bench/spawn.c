/* spawn.c - the external baselines (`wc -l`, `cp`): fork + exec + wait, with the program's
 * standard output captured, so their time includes starting a process, as a user's would. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmbench.h"

int run_program(char *const argv[], char *out, size_t outlen)
{
    int fds[2], status, saved;
    size_t got = 0;
    ssize_t n;
    pid_t pid;

    if (pipe(fds) == -1)
        return -1;
    pid = fork();
    if (pid == -1)
        goto out_close_pipe;
    if (pid == 0) {
        if (dup2(fds[1], STDOUT_FILENO) == -1)
            _exit(126);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "mmbench: %s: cannot run: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char tmp[4096];
        size_t k;

        n = read(fds[0], tmp, sizeof(tmp));
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        k = (size_t)n < outlen - 1 - got ? (size_t)n : outlen - 1 - got;
        memcpy(out + got, tmp, k);      /* the rest is drained and dropped */
        got += k;
    }
    out[got] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

out_close_pipe:
    saved = errno;
    close(fds[0]);
    close(fds[1]);
    errno = saved;
    return -1;
}
