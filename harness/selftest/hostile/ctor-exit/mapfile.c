/* Hostile submission for the grader's self-test: the reference solution plus a constructor
 * that calls exit(0) when the program is loaded, before any test (and before --list). No
 * test ever runs, so the grader must give 0, say why, and still finish normally. */
#include <stdlib.h>

/* @@REFERENCE@@ */

__attribute__((constructor)) static void leave_at_load(void)
{
    exit(0);
}
