/* Hostile submission for the grader's self-test (lab 2): the reference solution, except
 * that parallel_histogram forks one more child that, like a worker missing its _exit(),
 * returns into the caller - the test code. The tests must catch it and nothing may hang. */
#include "shared.h"
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define parallel_histogram parallel_histogram_reference
/* @@REFERENCE@@ */
#undef parallel_histogram

int parallel_histogram(const void *data, size_t len, int nworkers,
                       unsigned long long hist[256])
{
    int ret = parallel_histogram_reference(data, len, nworkers, hist);
    pid_t pid = fork();

    if (pid == 0) {
        prctl(PR_SET_NAME, "mmhostile-stray");
        return ret;     /* the mistake: no _exit() here */
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return ret;
}
