/* Hostile submission for the grader's self-test: the starter plus its own main(), which
 * replaces Criterion's runner, prints a fake all-passed synthesis and exits 0 without
 * running a single test. The grader must see that no test reported and give 0. */
#include <stdio.h>

/* @@STARTER@@ */

int main(void)
{
    printf("[====] Synthesis: Tested: 40 | Passing: 40 | Failing: 0 | Crashing: 0\n");
    printf("{\"complete\": true, \"count\": 40}\n");
    return 0;
}
