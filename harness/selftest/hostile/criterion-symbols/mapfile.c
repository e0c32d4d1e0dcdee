/* Hostile submission for the grader's self-test: the starter plus its own
 * criterion_send_assert, which interposes Criterion's and turns every failed assertion
 * into a passed one carrying the end-of-test mark of labs/common/mmtest.h. Only the lab's
 * API may stay global in student code: the score must stay 0. */
#include <criterion/event.h>
#include <criterion/stats.h>
#include <dlfcn.h>
#include <stdbool.h>

/* @@STARTER@@ */

void criterion_send_assert(struct criterion_assert_stats *stats)
{
    static void (*real)(struct criterion_assert_stats *);
    struct criterion_assert_stats forged = *stats;

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "criterion_send_assert");
    if (!forged.passed) {
        forged.passed = true;
        forged.message = "mmtest: the test reached its end";
    }
    if (real != NULL)
        real(&forged);
}
