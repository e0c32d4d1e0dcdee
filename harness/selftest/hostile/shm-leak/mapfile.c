/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_count_lines creates a POSIX shared-memory object /mmhostile-PID-N on every call and
 * never unlinks it. The grader must remove every shm object the run created. */
#include "mapfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define mf_count_lines mf_count_lines_reference
/* @@REFERENCE@@ */
#undef mf_count_lines

long long mf_count_lines(int fd)
{
    static int calls;
    char name[64];

    (void)fd;
    snprintf(name, sizeof(name), "/mmhostile-%d-%d", (int)getpid(), calls++);
    int shm = shm_open(name, O_RDWR | O_CREAT, 0600);
    if (shm != -1) {
        if (ftruncate(shm, 4096) == -1) {
            /* an empty object is left behind just as well */
        }
        close(shm);
    }
    errno = ENOSYS;
    return -1;
}
