/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_count_lines is a fork bomb. Every process forks again until 200 processes were made
 * (a shared counter bounds it even without a sandbox); each then sleeps up to 120 s. The
 * grader's process limit must stop it and the grader must kill every one of them. */
#include "mapfile.h"
#include <errno.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define mf_count_lines mf_count_lines_reference
/* @@REFERENCE@@ */
#undef mf_count_lines

long long mf_count_lines(int fd)
{
    static int *made;       /* processes made so far, shared by all of them */
    pid_t original = getpid();
    time_t start = time(NULL);

    (void)fd;
    if (made == NULL) {
        made = mmap(NULL, sizeof(*made), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
        if (made == MAP_FAILED) {
            made = NULL;
            errno = ENOSYS;
            return -1;
        }
    }
    while (__atomic_add_fetch(made, 1, __ATOMIC_SEQ_CST) <= 200) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0)
            prctl(PR_SET_NAME, "mmhostile-bomb");
    }
    if (getpid() != original) {
        while (time(NULL) - start < 120)
            sleep(1);
        _exit(0);
    }
    errno = ENOSYS;
    return -1;
}
