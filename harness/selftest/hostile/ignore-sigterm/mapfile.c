/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_reverse ignores and blocks SIGTERM, SIGINT, SIGHUP, SIGQUIT and SIGXCPU, then spins.
 * Only SIGKILL stops it: the grader must escalate. Without a sandbox it ends after 300 s. */
#include "mapfile.h"
#include <errno.h>
#include <signal.h>
#include <time.h>

#define mf_reverse mf_reverse_reference
/* @@REFERENCE@@ */
#undef mf_reverse

int mf_reverse(int fd)
{
    const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGXCPU, SIGALRM, SIGUSR1 };
    sigset_t block;
    time_t start = time(NULL);
    volatile unsigned long spins = 0;

    (void)fd;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        signal(sigs[i], SIG_IGN);
        sigaddset(&block, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &block, NULL);
    while (time(NULL) - start < 300)
        spins++;
    errno = ENOSYS;
    return -1;
}
