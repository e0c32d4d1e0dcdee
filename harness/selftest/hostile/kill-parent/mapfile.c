/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_count_lines sends SIGKILL to its parent (the test runner, or the grader itself when it
 * runs tests directly). The grader must survive, count the lost tests as failed and go on. */
#include "mapfile.h"
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#define mf_count_lines mf_count_lines_reference
/* @@REFERENCE@@ */
#undef mf_count_lines

long long mf_count_lines(int fd)
{
    (void)fd;
    kill(getppid(), SIGKILL);
    errno = ENOSYS;
    return -1;
}
