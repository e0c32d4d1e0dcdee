/* counter_hidden.c - private tests of the shared counter: every value counter_add returns
 * under concurrency is distinct, mixed deltas add up, counter_free errors and unmapping.
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "../../../labs/lab2-related/tests/lab2_util.h"

/* The suites (init, fini, timeout) are declared once, in the public test files. */


MM_SUITE(counter_free, 20);

Test(counter_add, returned_values_unique_under_concurrency)
{
    enum { NPROCS = 4, MAX_ADDS = 2000000 };
    struct counter *c = counter_new();
    atomic_uchar *hits = test_shared(NPROCS * MAX_ADDS + 1);
    long added;

    MM_EXPECT_PTR(c, HINT(S_COUNTER, "put the counter in shared memory"));
    int bad = counter_race(c, NPROCS, MAX_ADDS, 300, &added, hits);
    MM_ASSERT(bad == 0, "an adding child %s", status_text(bad));
    long repeated = 0, outside = atomic_load(&hits[0]);
    for (long v = 1; v <= added; v++)
        repeated += atomic_load(&hits[v]) != 1;
    MM_ASSERT(repeated == 0 && outside == 0, "%d processes added 1 at the same time, %ld times "
              "in all: %ld of the values 1..%ld were not returned by exactly one counter_add, "
              "%ld returned values were out of range.\n  Hint: "
              HINT(S_COUNTER, "return what the atomic operation itself gives "
                   "(atomic_fetch_add(&c->value, delta) + delta), not a second load that "
                   "another process may have changed"), NPROCS, added, repeated, added, outside);
    MM_ASSERT(counter_get(c) == added, "the counter reads %ld, expected %ld", counter_get(c),
              added);
    munmap(hits, NPROCS * MAX_ADDS + 1);
    MM_END();
}

Test(counter_add, mixed_deltas_from_many_processes_add_up)
{
    enum { NPROCS = 8, ADDS = 50000 };
    struct counter *c = counter_new();
    pid_t pids[NPROCS];

    MM_EXPECT_PTR(c, HINT(S_COUNTER, "put the counter in shared memory"));
    counter_add(c, 1000);
    for (int i = 0; i < NPROCS; i++)
        if ((pids[i] = mm_fork()) == 0) {
            long delta = i % 2 ? -(long)i : 3L * i + 1;     /* -1, 7, -3, 13, ... */
            for (int k = 0; k < ADDS; k++)
                counter_add(c, delta);
            _exit(0);
        }
    long want = 1000;
    for (int i = 0; i < NPROCS; i++) {
        want += (long)ADDS * (i % 2 ? -(long)i : 3L * i + 1);
        int status = mm_wait(pids[i], 20000);
        MM_ASSERT(exited_with(status, 0), "an adding child %s", status_text(status));
    }
    long got = counter_get(c);
    MM_ASSERT(got == want, "8 processes each added its own delta (some negative) %d times; "
              "the counter reads %ld, expected %ld.\n  Hint: " HINT(S_COUNTER, "an atomic "
              "read-modify-write for any delta"), ADDS, got, want);
    MM_END();
}

Test(counter_free, null_gives_EINVAL)
{
    MM_EXPECT_ERRNO(counter_free(NULL), EINVAL, HINT(S_ERRNO, "check c == NULL"));
    MM_END();
}

Test(counter_free, releases_the_mapping)
{
    mm_count_maps();
    int before = mm_count_maps();
    struct counter *c = counter_new();
    int during = mm_count_maps();
    int ret = c ? counter_free(c) : -1;
    int after = mm_count_maps();

    MM_EXPECT_PTR(c, HINT(S_COUNTER, "put the counter in shared memory"));
    MM_ASSERT(ret == 0, "counter_free failed");
    MM_ASSERT(after == before && during > before, "mappings: %d before counter_new, %d with "
              "the counter, %d after counter_free, expected the same before and after, and one "
              "more in between.\n  Hint: " HINT(S_COUNTER, "counter_new maps its own "
              "page (not malloc); counter_free munmaps it"), before, during, after);
    MM_END();
}
