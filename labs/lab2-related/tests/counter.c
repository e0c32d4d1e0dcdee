/* counter.c - public tests of the shared counter: it starts at 0, counter_add returns the new
 * value, and several processes adding at once lose no update.
 * Run: make test (or ./build/run --filter 'counter_add/[a-z]*'). */
#include "lab2_util.h"

MM_SUITE(counter_add, 30);

#define H_NEW HINT(S_COUNTER, "put the counter in shared_anon memory, not malloc: malloc'd " \
                   "memory is private to each process after fork")

Test(counter_add, starts_at_zero_and_returns_new_value)
{
    struct counter *c = counter_new();

    MM_EXPECT_PTR(c, H_NEW);
    long v = counter_get(c);
    MM_ASSERT(v == 0, "counter_get on a new counter returned %ld, expected 0.\n  Hint: "
              HINT(S_COUNTER, "a fresh anonymous mapping is zeroed; atomic_init it to 0"), v);
    long after5 = counter_add(c, 5), after3 = counter_add(c, -2), now = counter_get(c);
    MM_ASSERT(after5 == 5 && after3 == 3 && now == 3, "counter_add(c, 5) then counter_add(c, "
              "-2) returned %ld and %ld and counter_get %ld, expected 5, 3 and 3.\n  Hint: "
              HINT(S_COUNTER, "return the value after the addition: atomic_fetch_add returns "
                   "the value before it"), after5, after3, now);
    MM_EXPECT_OK(counter_free(c), HINT(S_COUNTER, "unmap the counter's mapping"));
    MM_END();
}

Test(counter_add, child_adds_visible_to_parent)
{
    struct counter *c = counter_new();

    MM_EXPECT_PTR(c, H_NEW);
    long added;
    int bad = counter_race(c, 1, 1000, 0, &added, NULL);
    MM_ASSERT(bad == 0, "the child adding to the counter %s", status_text(bad));
    long v = counter_get(c);
    MM_ASSERT(v == 1000, "a child added 1 to the counter 1000 times; the parent reads %ld.\n"
              "  Hint: " H_NEW, v);
    MM_EXPECT_OK(counter_free(c), HINT(S_COUNTER, "unmap the counter's mapping"));
    MM_END();
}

Test(counter_add, exact_under_concurrent_processes)
{
    enum { NPROCS = 4 };
    struct counter *c = counter_new();
    long added;

    MM_EXPECT_PTR(c, H_NEW);
    int bad = counter_race(c, NPROCS, 4000000, 300, &added, NULL);
    MM_ASSERT(bad == 0, "a child adding to the counter %s", status_text(bad));
    long v = counter_get(c);
    MM_ASSERT(v == added, "%d processes added 1 at the same time, %ld times in all; the "
              "counter reads %ld (%ld updates lost).\n  Hint: "
              HINT(S_COUNTER, "c->value++ is a load, an add and a store: two processes can "
                   "interleave them. Use atomic_fetch_add on an atomic_long"),
              NPROCS, added, v, added - v);
    MM_EXPECT_OK(counter_free(c), HINT(S_COUNTER, "unmap the counter's mapping"));
    MM_END();
}
