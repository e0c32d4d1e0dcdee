/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_count_lines leaves a daemon behind (fork, setsid, fork again, stdio to /dev/null,
 * named "mmhostile-daemon") that sleeps 300 s. The grader must find it and kill it. */
#include "mapfile.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define mf_count_lines mf_count_lines_reference
/* @@REFERENCE@@ */
#undef mf_count_lines

static void become_daemon(void)
{
    time_t start = time(NULL);

    setsid();
    if (fork() != 0)
        _exit(0);
    prctl(PR_SET_NAME, "mmhostile-daemon");
    if (chdir("/") == -1) {
        /* stay where we are */
    }
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null != -1; fd++)
        dup2(null, fd);
    for (int fd = 3; fd < 256; fd++)
        close(fd);
    while (time(NULL) - start < 300)
        sleep(1);
    _exit(0);
}

long long mf_count_lines(int fd)
{
    pid_t pid = fork();

    (void)fd;
    if (pid == 0)
        become_daemon();
    if (pid > 0)
        waitpid(pid, NULL, 0);
    errno = ENOSYS;
    return -1;
}
