/* Hostile submission for the grader's self-test: the starter plus its own exit(), which
 * skips every atexit handler and report of the runner and leaves with status 0. The grader
 * must not take a silent exit 0 for success. */
#include <stdlib.h>
#include <unistd.h>

/* @@STARTER@@ */

void exit(int status)
{
    (void)status;
    _exit(0);
}
