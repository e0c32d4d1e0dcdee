/* ring_hidden.c - private tests of the ring: ring_close wakes blocked senders and
 * receivers, a blocked receiver burns no CPU, wrap-around with every length, 3 x 3 processes
 * through a tiny ring, argument errors and unmapping.
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "../../../labs/lab2-related/tests/lab2_util.h"

#include <sched.h>
#include <sys/resource.h>

/* ring_new, ring_send, ring_recv and ring are declared in the public test files. */
MM_SUITE(ring_close, 30);
MM_SUITE(ring_free, 20);

#define H_NEW HINT(S_RING, "map the ring with shared_anon and initialise its mutex and " \
                   "condition variables with PTHREAD_PROCESS_SHARED")

struct blocked {
    atomic_int entered, done;
    long result, err;
    long cpu_us;                /* the child's own CPU time (user + system) */
};

/* CPU time (user + system) of this process, in microseconds. */
static long cpu_us_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

/* Forks a child that enters ring_recv (is_send == 0) or a ring_send of 200 bytes on r and
 * records what the call returned. */
static pid_t block_in(struct ring *r, int is_send, struct blocked *b)
{
    pid_t pid = mm_fork();

    if (pid == 0) {
        char buf[200] = { 0 };
        atomic_store(&b->entered, 1);
        errno = 0;
        b->result = is_send ? ring_send(r, buf, sizeof buf) : ring_recv(r, buf, sizeof buf);
        b->err = errno;
        b->cpu_us = cpu_us_self();
        atomic_store(&b->done, 1);
        _exit(0);
    }
    return pid;
}

Test(ring_close, wakes_blocked_receiver)
{
    struct ring *r = ring_new(256);
    struct blocked *b = test_shared(sizeof *b);

    MM_EXPECT_PTR(r, H_NEW);
    pid_t pid = block_in(r, 0, b);
    MM_ASSERT(wait_at_least(&b->entered, 1, 5000), "test setup: the child did not start");
    sleep_ms(50);
    MM_ASSERT(atomic_load(&b->done) == 0, "ring_recv on an empty ring returned %ld at once",
              b->result);
    MM_EXPECT_OK(ring_close(r), HINT(S_RING, "set closed under the lock, then broadcast"));
    MM_ASSERT(wait_at_least(&b->done, 1, 5000), "a receiver blocked on an empty ring was "
              "still blocked 5 s after another process called ring_close.\n  Hint: "
              HINT(S_RING, "ring_close must pthread_cond_broadcast both conditions, and the "
                   "wait loop must stop when the ring is closed"));
    MM_ASSERT(b->result == 0, "the woken ring_recv returned %ld (errno %s), expected 0: the "
              "ring is closed and empty.\n  Hint: " HINT(S_RING, "closed and drained means "
              "end of stream: return 0"), b->result, mm_errno_name((int)b->err));
    MM_ASSERT(exited_with(mm_wait(pid, 5000), 0), "the receiving child did not exit cleanly");
    MM_END();
}

Test(ring_close, wakes_blocked_sender_with_EPIPE)
{
    struct ring *r = ring_new(256);
    struct blocked *b = test_shared(sizeof *b);
    char fill[200] = { 0 };

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_OK(ring_send(r, fill, sizeof fill), HINT(S_RING, "queue it"));
    pid_t pid = block_in(r, 1, b);      /* a second 200-byte message cannot fit */
    MM_ASSERT(wait_at_least(&b->entered, 1, 5000), "test setup: the child did not start");
    sleep_ms(50);
    MM_ASSERT(atomic_load(&b->done) == 0, "a second 200-byte ring_send into a 256-byte ring "
              "returned %ld at once instead of waiting for room", b->result);
    MM_EXPECT_OK(ring_close(r), HINT(S_RING, "set closed under the lock, then broadcast"));
    MM_ASSERT(wait_at_least(&b->done, 1, 5000), "a sender blocked on a full ring was still "
              "blocked 5 s after another process called ring_close.\n  Hint: "
              HINT(S_RING, "ring_close must wake the senders too"));
    MM_ASSERT(b->result == -1 && b->err == EPIPE, "the woken ring_send returned %ld with errno "
              "%s, expected -1 with EPIPE.\n  Hint: " HINT(S_RING, "after waking, check "
              "closed before anything else"), b->result, mm_errno_name((int)b->err));
    MM_ASSERT(exited_with(mm_wait(pid, 5000), 0), "the sending child did not exit cleanly");
    MM_END();
}

Test(ring_close, twice_is_harmless_and_null_gives_EINVAL)
{
    struct ring *r = ring_new(64);
    char buf[8];

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_OK(ring_close(r), HINT(S_RING, "set the closed flag"));
    MM_EXPECT_OK(ring_close(r), HINT(S_RING, "closing a closed ring changes nothing"));
    MM_ASSERT(ring_recv(r, buf, sizeof buf) == 0, "ring_recv after two ring_close calls did "
              "not return 0");
    MM_EXPECT_ERRNO(ring_close(NULL), EINVAL, HINT(S_ERRNO, "check r == NULL"));
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_recv, blocked_receiver_uses_no_cpu)
{
    const int blocked_ms = 300;
    struct ring *r = ring_new(256);
    struct blocked *b = test_shared(2 * sizeof *b);     /* [1]: the reference spinner */

    MM_EXPECT_PTR(r, H_NEW);
    pid_t pid = block_in(r, 0, b);
    MM_ASSERT(wait_at_least(&b->entered, 1, 5000), "test setup: the child did not start");
    /* A process that polls with sched_yield over the same interval: what a spinning
     * receiver would get of the CPU on this machine, however busy it is. */
    pid_t spinner = mm_fork();
    if (spinner == 0) {
        while (!atomic_load(&b[1].done))
            sched_yield();
        b[1].cpu_us = cpu_us_self();
        _exit(0);
    }
    sleep_ms(blocked_ms);
    atomic_store(&b[1].done, 1);
    MM_EXPECT_OK(ring_send(r, "now", 3), HINT(S_RING, "queue it"));
    MM_ASSERT(wait_at_least(&b->done, 1, 5000), "the receiver stayed blocked after a message "
              "was sent");
    MM_ASSERT(exited_with(mm_wait(spinner, 5000), 0), "test setup: the reference spinner "
              "did not finish");
    MM_ASSERT(b->result == 3, "the blocked ring_recv returned %ld, expected 3", b->result);
    long limit = b[1].cpu_us / 4 > 30000 ? b[1].cpu_us / 4 : 30000;
    MM_ASSERT(b->cpu_us < limit, "a receiver that waited %d ms for a message used %ld ms of "
              "CPU time (a process polling in a loop got %ld ms meanwhile): it spins instead of "
              "sleeping.\n  Hint: " HINT(S_RING, "wait with pthread_cond_wait, which sleeps in "
                   "the kernel; a loop that re-checks the ring (even with sched_yield) burns a "
                   "CPU"), blocked_ms, b->cpu_us / 1000, b[1].cpu_us / 1000);
    MM_ASSERT(exited_with(mm_wait(pid, 5000), 0), "the receiving child did not exit cleanly");
    MM_END();
}

Test(ring_recv, null_arguments_give_EINVAL)
{
    struct ring *r = ring_new(64);
    char buf[8];

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_ERRNO(ring_recv(r, NULL, 8), EINVAL, HINT(S_ERRNO, "check buf == NULL"));
    MM_EXPECT_ERRNO(ring_recv(NULL, buf, sizeof buf), EINVAL, HINT(S_ERRNO, "check r == NULL"));
    MM_EXPECT_ERRNO(ring_send(r, NULL, 4), EINVAL, HINT(S_ERRNO, "check msg == NULL"));
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring, wraps_around_with_every_length)
{
    enum { CAP = 101 };     /* odd, so that headers and bytes land everywhere */
    struct ring *r = ring_new(CAP);
    unsigned char msg[CAP], buf[CAP];
    int sent = 0, taken = 0;

    MM_EXPECT_PTR(r, H_NEW);
    for (int round = 0; round < 3; round++)
        for (size_t len = 1; len <= CAP - 16; len++) {
            mm_fill_random(msg, len, (unsigned)(sent++));
            MM_EXPECT_OK(ring_send(r, msg, len), HINT(S_RING, "a message of up to capacity "
                                                     "- 16 bytes fits an empty ring"));
            ssize_t n = ring_recv(r, buf, sizeof buf);
            mm_fill_random(msg, len, (unsigned)(taken++));
            MM_ASSERT(n == (ssize_t)len && memcmp(buf, msg, len) == 0, "round %d, %zu-byte "
                      "message: ring_recv returned %zd%s.\n  Hint: " HINT(S_RING, "copy in "
                      "two pieces when a message (or its length header) crosses the end of "
                      "the buffer"), round, len, n, n == (ssize_t)len ? " with wrong bytes" : "");
        }
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring, three_producers_three_consumers_through_a_tiny_ring)
{
    struct ring *r = ring_new(64);
    struct mpmc_report rep;

    MM_EXPECT_PTR(r, H_NEW);
    ring_mpmc(r, 3, 3, 5000, 48, &rep);
    const char *problem = mpmc_problem(&rep);
    MM_ASSERT(problem == NULL, "3 producer and 3 consumer processes, 5000 messages each of "
              "16..48 bytes through a 64-byte ring (everyone blocks often): %s.\n  Hint: "
              HINT(S_RING, "re-check the condition in a while loop after every wake-up, and "
                   "make sure a sender that waits for more room than was freed is not the "
                   "only one woken"), problem);
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_free, releases_the_mapping_and_null_gives_EINVAL)
{
    mm_count_maps();
    int before = mm_count_maps();
    struct ring *r = ring_new(3 * pg());
    int during = mm_count_maps();
    int ret = r ? ring_free(r) : -1;
    int after = mm_count_maps();

    MM_EXPECT_PTR(r, H_NEW);
    MM_ASSERT(ret == 0, "ring_free failed");
    MM_ASSERT(after == before && during > before, "mappings: %d before ring_new, %d with the "
              "ring, %d after ring_free, expected the same before and after.\n  Hint: "
              HINT(S_RING, "remember the mapping's length in the ring and munmap all of it"),
              before, during, after);
    MM_EXPECT_ERRNO(ring_free(NULL), EINVAL, HINT(S_ERRNO, "check r == NULL"));
    MM_END();
}
