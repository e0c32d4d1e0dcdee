/* counter_hidden.c - private tests of the shared counter: every value counter_add returns
 * under concurrency is distinct, mixed deltas add up, NULL counters, counter_free errors and
 * unmapping.
 * Each scenario runs in one subject (mmtest.h).
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "lab2_util.h"

/* The suites (init, fini, timeout) are declared once, in the public test files. */

#define H_SHARED HINT(S_COUNTER, "put the counter in shared memory")

/* The counter a subject made, as a pointer (NULL if counter_new failed). */
#define COUNTER_OF(call) \
    ((call).ret != 0 && (call).ret != -1 ? (struct counter *)(intptr_t)(call).ret : NULL)

Test(counter_new, mmap_failure_gives_ENOMEM)
{
    struct { struct mm_call alloc; int setup_err, maps_before, maps_after; } o;

    /* RLIMIT_AS at the address space in use: the counter's mmap fails with ENOMEM. */
    MM_SUBJECT(o) {
        struct rlimit old;
        mm_count_maps();                /* warm up: the probe's own stdio buffers */
        o.maps_before = mm_count_maps();
        o.setup_err = limit_address_space(&old);
        if (o.setup_err == 0) {
            o.alloc = MM_CALL(counter_new());
            setrlimit(RLIMIT_AS, &old);
        }
        o.maps_after = mm_count_maps();
        struct counter *c = COUNTER_OF(o.alloc);
        if (c)
            counter_free(c);
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_AS) failed: %s",
             mm_errno_name(o.setup_err));
    MM_CHECK_NULL_ERRNO(o.alloc, ENOMEM, HINT(S_COUNTER, "when shared_anon fails, return its "
                                              "NULL at once: there is no counter to set"));
    MM_CHECK(o.maps_after == o.maps_before, HINT(S_COUNTER, "a failed call keeps nothing"),
             "mappings: %d before the failed counter_new, %d after.", o.maps_before,
             o.maps_after);
}

Test(counter_add, returned_values_unique_under_concurrency)
{
    enum { NPROCS = 4, MAX_ADDS = 2000000 };
    struct {
        struct mm_call alloc;
        int bad_status;
        long added, value, repeated, outside;
    } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        o.alloc = MM_CALL(counter_new());
        struct counter *c = COUNTER_OF(o.alloc);
        atomic_uchar *hits = test_shared(NPROCS * MAX_ADDS + 1);
        if (c) {
            o.bad_status = counter_race(c, NPROCS, MAX_ADDS, 300, &o.added, hits);
            o.outside = atomic_load(&hits[0]);
            for (long v = 1; v <= o.added && v <= NPROCS * MAX_ADDS; v++)
                o.repeated += atomic_load(&hits[v]) != 1;
            o.value = counter_get(c);
        }
        munmap(hits, NPROCS * MAX_ADDS + 1);
    }
    MM_CHECK_PTR(o.alloc, H_SHARED);
    MM_CHECK(o.bad_status == 0, MM_NO_HINT, "an adding child %s", status_text(o.bad_status));
    MM_CHECK(o.added >= NPROCS && o.added <= NPROCS * (long)MAX_ADDS, MM_NO_HINT, "test check: "
             "the children report %ld calls in all", o.added);
    MM_CHECK(o.repeated == 0 && o.outside == 0, HINT(S_COUNTER, "return what the atomic "
             "operation itself gives (atomic_fetch_add(&c->value, delta) + delta), not a second "
             "load that another process may have changed"), "%d processes added 1 at the same "
             "time, %ld times in all: %ld of the values 1..%ld were not returned by exactly one "
             "counter_add, %ld returned values were out of range.", NPROCS, o.added,
             o.repeated, o.added, o.outside);
    MM_CHECK(o.value == o.added, MM_NO_HINT, "the counter reads %ld, expected %ld", o.value,
             o.added);
}

Test(counter_add, mixed_deltas_from_many_processes_add_up)
{
    enum { NPROCS = 8, ADDS = 50000 };
    struct { struct mm_call alloc; int status[NPROCS]; long got; } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        pid_t pids[NPROCS];
        o.alloc = MM_CALL(counter_new());
        struct counter *c = COUNTER_OF(o.alloc);
        if (c) {
            counter_add(c, 1000);
            for (int i = 0; i < NPROCS; i++)
                if ((pids[i] = mm_fork()) == 0) {
                    long delta = i % 2 ? -(long)i : 3L * i + 1;     /* -1, 7, -3, 13, ... */
                    for (int k = 0; k < ADDS; k++)
                        counter_add(c, delta);
                    _exit(0);
                }
            long deadline = mm_now_ms() + 20000;
            for (int i = 0; i < NPROCS; i++) {
                long left = deadline - mm_now_ms();
                o.status[i] = pids[i] == -1 ? -1 : mm_wait(pids[i], left > 0 ? (int)left : 0);
            }
            o.got = counter_get(c);
        }
    }
    MM_CHECK_PTR(o.alloc, H_SHARED);
    long want = 1000;
    for (int i = 0; i < NPROCS; i++) {
        want += (long)ADDS * (i % 2 ? -(long)i : 3L * i + 1);
        MM_CHECK(exited_with(o.status[i], 0), MM_NO_HINT, "an adding child %s",
                 status_text(o.status[i]));
    }
    MM_CHECK(o.got == want, HINT(S_COUNTER, "an atomic read-modify-write for any delta"),
             "8 processes each added its own delta (some negative) %d times; the counter reads "
             "%ld, expected %ld.", ADDS, o.got, want);
}

Test(counter_add, null_counter_gives_EINVAL)
{
    struct { struct mm_call add, get; } o;

    MM_SUBJECT(o) {
        o.add = MM_CALL(counter_add(NULL, 5));
        o.get = MM_CALL(counter_get(NULL));
    }
    /* 0 is the documented result (a counter value too): errno tells them apart. */
    MM_CHECK(o.add.ret == 0 && o.add.err == EINVAL, HINT(S_COUNTER, "c == NULL: add nothing, "
             "return 0 with errno EINVAL (shared.h)"), "counter_add(NULL, 5) returned %lld "
             "with errno %s, expected 0 with errno EINVAL.", o.add.ret,
             mm_errno_name(o.add.err));
    MM_CHECK(o.get.ret == 0 && o.get.err == EINVAL, HINT(S_COUNTER, "c == NULL: return 0 "
             "with errno EINVAL (shared.h)"), "counter_get(NULL) returned %lld with errno %s, "
             "expected 0 with errno EINVAL.", o.get.ret, mm_errno_name(o.get.err));
}

Test(counter_free, null_gives_EINVAL)
{
    MM_CALL_ERRNO(counter_free(NULL), EINVAL, HINT(S_ERRNO, "check c == NULL"));
}

Test(counter_free, releases_the_mapping)
{
    struct { struct mm_call alloc, free; int before, during, after; } o;

    MM_SUBJECT(o) {
        mm_count_maps();                /* warm up: the probe's own stdio buffers */
        o.before = mm_count_maps();
        o.alloc = MM_CALL(counter_new());
        o.during = mm_count_maps();
        struct counter *c = COUNTER_OF(o.alloc);
        if (c)
            o.free = MM_CALL(counter_free(c));
        o.after = mm_count_maps();
    }
    MM_CHECK_PTR(o.alloc, H_SHARED);
    MM_CHECK_OK(o.free, HINT(S_COUNTER, "counter_free munmaps the counter's page"));
    MM_CHECK(o.after == o.before && o.during > o.before, HINT(S_COUNTER, "counter_new maps its "
             "own page (not malloc); counter_free munmaps it"), "mappings: %d before "
             "counter_new, %d with the counter, %d after counter_free, expected the same before "
             "and after, and one more in between.", o.before, o.during, o.after);
}
