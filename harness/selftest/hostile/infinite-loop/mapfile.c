/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_reverse spins forever. The grader must time the tests out, give them no points and go
 * on. Outside any sandbox the loop still ends by itself after 300 s. The runner pastes the
 * reference where the REFERENCE marker is (harness/selftest/run-selftest). */
#include "mapfile.h"
#include <errno.h>
#include <time.h>

#define mf_reverse mf_reverse_reference
/* @@REFERENCE@@ */
#undef mf_reverse

int mf_reverse(int fd)
{
    time_t start = time(NULL);
    volatile unsigned long spins = 0;

    (void)fd;
    while (time(NULL) - start < 300)
        spins++;
    errno = ENOSYS;
    return -1;
}
