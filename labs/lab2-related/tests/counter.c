/* counter.c - public tests of the shared counter: it starts at 0, counter_add returns the new
 * value, and several processes adding at once lose no update.
 * Each scenario (the counter, the processes that add to it) runs in one subject (mmtest.h).
 * Run: make test (or ./build/run --filter 'counter_add/[a-z]*'). */
#include "lab2_util.h"

#define H_NEW HINT(S_COUNTER, "put the counter in shared_anon memory, not malloc: malloc'd " \
                   "memory is private to each process after fork")

/* What a subject saw of a counter that helper processes raced on. */
struct race_seen {
    struct mm_call alloc, free;
    int bad_status;         /* first helper status other than a clean exit, or 0 */
    long added, value;      /* counter_add calls made; counter_get afterwards */
};

/* counter_new, then counter_race(nprocs, max_adds, ms), then counter_get and counter_free,
 * all in one subject. */
static struct race_seen race_in_subject(int nprocs, long max_adds, int ms)
{
    struct race_seen o;

    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        o.alloc = MM_CALL(counter_new());
        struct counter *c = (struct counter *)(intptr_t)o.alloc.ret;
        if (c != NULL && c != MAP_FAILED) {
            o.bad_status = counter_race(c, nprocs, max_adds, ms, &o.added, NULL);
            o.value = counter_get(c);
            o.free = MM_CALL(counter_free(c));
        }
    }
    return o;
}

Test(counter_add, starts_at_zero_and_returns_new_value)
{
    struct { struct mm_call alloc, free; long fresh, after5, after3, now; } o;

    MM_SUBJECT(o) {
        o.alloc = MM_CALL(counter_new());
        struct counter *c = (struct counter *)(intptr_t)o.alloc.ret;
        if (c != NULL && c != MAP_FAILED) {
            o.fresh = counter_get(c);
            o.after5 = counter_add(c, 5);
            o.after3 = counter_add(c, -2);
            o.now = counter_get(c);
            o.free = MM_CALL(counter_free(c));
        }
    }
    MM_CHECK_PTR(o.alloc, H_NEW);
    MM_CHECK(o.fresh == 0, HINT(S_COUNTER, "a fresh anonymous mapping is zeroed; atomic_init "
             "it to 0"), "counter_get on a new counter returned %ld, expected 0.", o.fresh);
    MM_CHECK(o.after5 == 5 && o.after3 == 3 && o.now == 3, HINT(S_COUNTER, "return the value "
             "after the addition: atomic_fetch_add returns the value before it"),
             "counter_add(c, 5) then counter_add(c, -2) returned %ld and %ld and counter_get "
             "%ld, expected 5, 3 and 3.", o.after5, o.after3, o.now);
    MM_CHECK_OK(o.free, HINT(S_COUNTER, "unmap the counter's mapping"));
}

Test(counter_add, child_adds_visible_to_parent)
{
    struct race_seen o = race_in_subject(1, 1000, 0);

    MM_CHECK_PTR(o.alloc, H_NEW);
    MM_CHECK(o.bad_status == 0, MM_NO_HINT, "the child adding to the counter %s",
             status_text(o.bad_status));
    MM_CHECK(o.added == 1000, MM_NO_HINT, "test check: the child made %ld calls, expected 1000",
             o.added);
    MM_CHECK(o.value == 1000, H_NEW, "a child added 1 to the counter 1000 times; the parent "
             "reads %ld.", o.value);
    MM_CHECK_OK(o.free, HINT(S_COUNTER, "unmap the counter's mapping"));
}

Test(counter_add, exact_under_concurrent_processes)
{
    enum { NPROCS = 4 };
    struct race_seen o = race_in_subject(NPROCS, 4000000, 300);

    MM_CHECK_PTR(o.alloc, H_NEW);
    MM_CHECK(o.bad_status == 0, MM_NO_HINT, "a child adding to the counter %s",
             status_text(o.bad_status));
    MM_CHECK(o.added >= NPROCS && o.added <= NPROCS * 4000000L, MM_NO_HINT, "test check: the "
             "children report %ld calls in all", o.added);
    MM_CHECK(o.value == o.added, HINT(S_COUNTER, "c->value++ is a load, an add and a store: "
             "two processes can interleave them. Use atomic_fetch_add on an atomic_long"),
             "%d processes added 1 at the same time, %ld times in all; the counter reads %ld "
             "(%ld updates lost).", NPROCS, o.added, o.value, o.added - o.value);
    MM_CHECK_OK(o.free, HINT(S_COUNTER, "unmap the counter's mapping"));
}
