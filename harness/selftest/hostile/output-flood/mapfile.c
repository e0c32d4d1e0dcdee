/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_count_lines writes 1 GiB of text to standard output (then fails). The grader must cap
 * what it keeps, stay responsive and show a truncated report. */
#include "mapfile.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define mf_count_lines mf_count_lines_reference
/* @@REFERENCE@@ */
#undef mf_count_lines

long long mf_count_lines(int fd)
{
    static char line[64 * 1024];
    long long left = 1LL << 30;

    (void)fd;
    for (size_t i = 0; i < sizeof(line); i++)
        line[i] = (i % 64 == 63) ? '\n' : "mmhostile flood "[i % 16];
    while (left > 0) {
        ssize_t n = write(STDOUT_FILENO, line, sizeof(line));
        if (n <= 0)
            break;
        left -= n;
    }
    errno = ENOSYS;
    return -1;
}
