/* ring_hidden.c - private tests of the ring: ring_close wakes blocked senders and
 * receivers, a blocked receiver burns no CPU, wrap-around with every length, 3 x 3 processes
 * through a tiny ring, argument errors and unmapping, failed calls that leave the ring
 * usable, a message that finds the receiver with room for it.
 * Each scenario (the ring, the processes around it) runs in one subject (mmtest.h).
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "lab2_util.h"

#include <sched.h>
#include <sys/resource.h>

/* ring_new, ring_send, ring_recv and ring are declared in the public test files. */

#define H_NEW HINT(S_RING, "map the ring with shared_anon and initialise its mutex and " \
                   "condition variables with PTHREAD_PROCESS_SHARED")

#define H_FREE HINT(S_RING, "munmap the ring's mapping")

/* The ring a subject made, as a pointer (NULL if ring_new failed). */
#define RING_OF(call) \
    ((call).ret != 0 && (call).ret != -1 ? (struct ring *)(intptr_t)(call).ret : NULL)

/* Shared between a subject and a helper child blocked in the ring. */
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

/* In a subject: forks a helper child that enters ring_recv (is_send == 0) or a ring_send of
 * 200 bytes on r and records what the call returned. */
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

/* What a subject saw of a helper blocked in the ring and then woken by ring_close. */
struct close_seen {
    struct mm_call ring, fill, close;
    int started, returned_early, woke, status;
    long early_result, result, err;
};

/* ring_new(256), optionally filled with 200 bytes; a helper blocks in ring_recv (is_send 0)
 * or in a second 200-byte ring_send; the subject closes the ring and watches it wake. */
static struct close_seen close_while_blocked(int is_send)
{
    struct close_seen o;

    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        char fill[200] = { 0 };
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        struct blocked *b = test_shared(sizeof *b);
        if (r && is_send)
            o.fill = MM_CALL(ring_send(r, fill, sizeof fill));
        pid_t pid = r && (!is_send || o.fill.ret == 0) ? block_in(r, is_send, b) : -1;
        o.started = pid > 0 && wait_at_least(&b->entered, 1, 5000);
        if (o.started) {
            mm_sleep_ms(50);       /* time to block; a correct ring never returns early */
            o.returned_early = atomic_load(&b->done);
            o.early_result = b->result;
            o.close = MM_CALL(ring_close(r));
            o.woke = wait_at_least(&b->done, 1, 5000);
            o.result = b->result, o.err = b->err;
        }
        o.status = pid > 0 ? mm_wait(pid, 5000) : -1;
        munmap(b, sizeof *b);
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK(o.started, MM_NO_HINT, "test setup: the helper process did not start");
    return o;
}

Test(ring_close, wakes_blocked_receiver)
{
    struct close_seen o = close_while_blocked(0);

    MM_CHECK(!o.returned_early, HINT(S_RING, "wait while the ring is empty and not closed"),
             "ring_recv on an empty ring returned %ld at once", o.early_result);
    MM_CHECK_OK(o.close, HINT(S_RING, "set closed under the lock, then broadcast"));
    MM_CHECK(o.woke, HINT(S_RING, "ring_close must pthread_cond_broadcast both conditions, and "
             "the wait loop must stop when the ring is closed"), "a receiver blocked on an "
             "empty ring was still blocked 5 s after another process called ring_close.");
    MM_CHECK(o.result == 0, HINT(S_RING, "closed and drained means end of stream: return 0"),
             "the woken ring_recv returned %ld (errno %s), expected 0: the ring is closed and "
             "empty.", o.result, mm_errno_name((int)o.err));
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the receiving child %s",
             status_text(o.status));
}

Test(ring_close, wakes_blocked_sender_with_EPIPE)
{
    struct close_seen o = close_while_blocked(1);

    MM_CHECK_OK(o.fill, HINT(S_RING, "queue it"));
    MM_CHECK(!o.returned_early, HINT(S_RING, "wait while len + your header does not fit"),
             "a second 200-byte ring_send into a 256-byte ring returned %ld at once instead of "
             "waiting for room", o.early_result);
    MM_CHECK_OK(o.close, HINT(S_RING, "set closed under the lock, then broadcast"));
    MM_CHECK(o.woke, HINT(S_RING, "ring_close must wake the senders too"), "a sender blocked on "
             "a full ring was still blocked 5 s after another process called ring_close.");
    MM_CHECK(o.result == -1 && o.err == EPIPE, HINT(S_RING, "after waking, check closed before "
             "anything else"), "the woken ring_send returned %ld with errno %s, expected -1 "
             "with EPIPE.", o.result, mm_errno_name((int)o.err));
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the sending child %s",
             status_text(o.status));
}

Test(ring_close, twice_is_harmless_and_null_gives_EINVAL)
{
    struct { struct mm_call ring, first, second, recv, null, free; } o;

    MM_SUBJECT(o) {
        char buf[8];
        o.ring = MM_CALL(ring_new(64));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.first = MM_CALL(ring_close(r));
            o.second = MM_CALL(ring_close(r));
            o.recv = MM_CALL(ring_recv(r, buf, sizeof buf));
            o.free = MM_CALL(ring_free(r));
        }
        o.null = MM_CALL(ring_close(NULL));
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_OK(o.first, HINT(S_RING, "set the closed flag"));
    MM_CHECK_OK(o.second, HINT(S_RING, "closing a closed ring changes nothing"));
    MM_CHECK(o.recv.ret == 0, HINT(S_RING, "closed and drained means end of stream: return 0"),
             "ring_recv after two ring_close calls returned %lld, expected 0.", o.recv.ret);
    MM_CHECK_ERRNO(o.null, EINVAL, HINT(S_ERRNO, "check r == NULL"));
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_recv, blocked_receiver_uses_no_cpu)
{
    /* The receiver stays blocked at least 300 ms and until a process polling in a loop has
     * had 200 ms of CPU (at most 5 s): on a busy machine too, a spinning receiver gets a
     * measurable share of the CPU meanwhile, a sleeping one none. */
    const int least_ms = 300, spinner_cpu_ms = 200, most_ms = 5000;
    struct {
        struct mm_call ring, send;
        int started, woke, spinner_status, status;
        long blocked_ms, result, cpu_us, spinner_cpu_us;
    } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        struct blocked *b = test_shared(2 * sizeof *b);     /* [1]: the reference spinner */
        pid_t pid = r ? block_in(r, 0, b) : -1;
        o.started = pid > 0 && wait_at_least(&b->entered, 1, 5000);
        if (o.started) {
            /* A process that polls with sched_yield over the same interval: what a spinning
             * receiver would get of the CPU on this machine, however busy it is. */
            pid_t spinner = mm_fork();
            if (spinner == 0) {
                for (long k = 0; !atomic_load(&b[1].done); k++) {
                    sched_yield();
                    if (k % 256 == 0)
                        b[1].cpu_us = cpu_us_self();
                }
                b[1].cpu_us = cpu_us_self();
                _exit(0);
            }
            long start = mm_now_ms();
            mm_sleep_ms(least_ms);
            while (b[1].cpu_us < spinner_cpu_ms * 1000L && mm_now_ms() - start < most_ms)
                mm_sleep_ms(10);
            o.blocked_ms = mm_now_ms() - start;
            atomic_store(&b[1].done, 1);
            o.send = MM_CALL(ring_send(r, "now", 3));
            o.woke = wait_at_least(&b->done, 1, 5000);
            o.spinner_status = spinner == -1 ? -1 : mm_wait(spinner, 5000);
            o.result = b->result;
            o.cpu_us = b->cpu_us, o.spinner_cpu_us = b[1].cpu_us;
        }
        o.status = pid > 0 ? mm_wait(pid, 5000) : -1;
        munmap(b, 2 * sizeof *b);
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK(o.started, MM_NO_HINT, "test setup: the receiving child did not start");
    MM_CHECK_OK(o.send, HINT(S_RING, "queue it"));
    MM_CHECK(o.woke, HINT(S_RING, "ring_send must wake a waiting receiver"), "the receiver "
             "stayed blocked 5 s after a message was sent.");
    MM_CHECK(exited_with(o.spinner_status, 0), MM_NO_HINT, "test setup: the reference spinner "
             "%s", status_text(o.spinner_status));
    MM_CHECK(o.result == 3, HINT(S_RING, "return the message's length"), "the blocked ring_recv "
             "returned %ld, expected 3", o.result);
    long limit = o.spinner_cpu_us / 4 > 30000 ? o.spinner_cpu_us / 4 : 30000;
    MM_CHECK(o.cpu_us < limit, HINT(S_RING, "wait with pthread_cond_wait, which sleeps in the "
             "kernel; a loop that re-checks the ring (even with sched_yield) burns a CPU"),
             "a receiver that waited %ld ms for a message used %ld ms of CPU time (a process "
             "polling in a loop got %ld ms meanwhile): it spins instead of sleeping.",
             o.blocked_ms, o.cpu_us / 1000, o.spinner_cpu_us / 1000);
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the receiving child %s",
             status_text(o.status));
}

Test(ring_recv, null_arguments_give_EINVAL)
{
    struct { struct mm_call ring, null_buf, null_ring, null_msg, free; } o;

    MM_SUBJECT(o) {
        char buf[8];
        o.ring = MM_CALL(ring_new(64));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.null_buf = MM_CALL(ring_recv(r, NULL, 8));
            o.null_ring = MM_CALL(ring_recv(NULL, buf, sizeof buf));
            o.null_msg = MM_CALL(ring_send(r, NULL, 4));
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_ERRNO(o.null_buf, EINVAL, HINT(S_ERRNO, "check buf == NULL"));
    MM_CHECK_ERRNO(o.null_ring, EINVAL, HINT(S_ERRNO, "check r == NULL"));
    MM_CHECK_ERRNO(o.null_msg, EINVAL, HINT(S_ERRNO, "check msg == NULL"));
    MM_CHECK_OK(o.free, H_FREE);
}

/* ---- Failed calls and receivers with small buffers --------------------------------------- */

/* The sequence a helper process runs on a 64-byte ring, with what each call must return. */
static const struct {
    const char *text;
    long long ret;
    int err;
} steps[] = {
    { "ring_send(r, msg, 65)", -1, EMSGSIZE },
    { "ring_send(r, \"abc\", 3)", 0, 0 },
    { "ring_recv(r, buf, 0)", -1, EMSGSIZE },
    { "ring_recv(r, buf, 2)", -1, EMSGSIZE },
    { "ring_close(r)", 0, 0 },
    { "ring_send(r, \"x\", 1)", -1, EPIPE },
    { "ring_recv(r, buf, 64)", 3, 0 },
    { "ring_recv(r, buf, 64)", 0, 0 },
};
enum { NSTEPS = sizeof steps / sizeof steps[0] };

/* In the helper: step i of the sequence. */
static long long run_step(struct ring *r, int i, char *buf)
{
    static const char msg[65];

    switch (i) {
    case 0: return ring_send(r, msg, sizeof msg);
    case 1: return ring_send(r, "abc", 3);
    case 2: return ring_recv(r, buf, 0);
    case 3: return ring_recv(r, buf, 2);
    case 4: return ring_close(r);
    case 5: return ring_send(r, "x", 1);
    default: return ring_recv(r, buf, 64);
    }
}

Test(ring, failed_calls_leave_the_ring_usable)
{
    struct {
        struct mm_call ring;
        int done, status;
        long long ret[NSTEPS];
        int err[NSTEPS];
        char got[64];               /* what step 6 received */
    } o;

    /* A helper makes the calls, so that a call that hangs (a lock a failed call never
     * released) is seen and named instead of ending the whole subject. */
    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        o.ring = MM_CALL(ring_new(64));
        struct ring *r = RING_OF(o.ring);
        struct { atomic_int done; long long ret[NSTEPS]; int err[NSTEPS]; char got[64]; } *sh =
            test_shared(sizeof *sh);
        pid_t pid = r ? mm_fork() : -1;
        if (pid == 0) {
            for (int i = 0; i < NSTEPS; i++) {
                char buf[64] = { 0 };
                errno = 0;
                sh->ret[i] = run_step(r, i, buf);
                sh->err[i] = sh->ret[i] == -1 ? errno : 0;
                if (i == 6)
                    memcpy(sh->got, buf, sizeof buf);
                atomic_store(&sh->done, i + 1);
            }
            _exit(0);
        }
        o.status = pid > 0 ? mm_wait(pid, 5000) : -1;
        o.done = atomic_load(&sh->done);
        memcpy(o.ret, sh->ret, sizeof o.ret);
        memcpy(o.err, sh->err, sizeof o.err);
        memcpy(o.got, sh->got, sizeof o.got);
        munmap(sh, sizeof *sh);
        if (r)
            ring_free(r);
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    for (int i = 0; i < NSTEPS; i++) {
        MM_CHECK(o.done > i, HINT(S_RING, "every path out of a ring function that took the "
                 "lock unlocks it, error paths included"), "on a 64-byte ring, %s did not "
                 "return within 5 s%s%s%s.", steps[i].text, i ? ", right after " : "",
                 i ? steps[i - 1].text : "", i && steps[i - 1].ret == -1 ?
                 " had failed (as it should): a failure that leaves the lock held blocks "
                 "every later call" : "");
        MM_CHECK(o.ret[i] == steps[i].ret && o.err[i] == steps[i].err, HINT(S_RING, "see "
                 "shared.h: EMSGSIZE for a message that never fits or a cap too small (also "
                 "0), EPIPE after ring_close, queued messages still delivered, then 0"),
                 "on a 64-byte ring, step %d: %s returned %lld (errno %s), expected %lld%s%s.",
                 i + 1, steps[i].text, o.ret[i], mm_errno_name(o.err[i]), steps[i].ret,
                 steps[i].err ? " with errno " : "", steps[i].err ? mm_errno_name(steps[i].err)
                 : "");
    }
    MM_CHECK(memcmp(o.got, "abc", 3) == 0, HINT(S_RING, "a receive that failed with EMSGSIZE "
             "leaves the message queued, untouched"), "the message \"abc\", received after "
             "two receives with too small a buffer, came back as \"%.3s\".", o.got);
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the helper process %s",
             status_text(o.status));
}

/* Shared between a subject and its two receivers. */
struct receiver {
    atomic_int entered, done;
    long long result;
    int err;
    unsigned char buf[64];
};

/* In a subject: a helper that blocks in ring_recv(r, buf, cap). */
static pid_t receive_in_child(struct ring *r, struct receiver *rc, size_t cap)
{
    pid_t pid = mm_fork();

    if (pid == 0) {
        atomic_store(&rc->entered, 1);
        errno = 0;
        rc->result = ring_recv(r, rc->buf, cap);
        rc->err = errno;
        atomic_store(&rc->done, 1);
        _exit(0);
    }
    return pid;
}

Test(ring_recv, message_goes_to_a_receiver_with_room)
{
    enum { ROUNDS = 3, LEN = 32 };
    struct {
        struct mm_call ring[ROUNDS], send[ROUNDS];
        int started[ROUNDS], got_it[ROUNDS], small_done[ROUNDS];
        long long small_result[ROUNDS], result[ROUNDS];
        int small_err[ROUNDS];
        uint64_t digest[ROUNDS];
    } o;
    unsigned char msg[ROUNDS][LEN];

    for (int k = 0; k < ROUNDS; k++)
        mm_fill_random(msg[k], LEN, 300 + (unsigned)k);
    /* Receiver A (8-byte buffer) blocks first, then B (64 bytes); a 32-byte message comes.
     * Woken first, A cannot take it: it must leave it, and B must get it. */
    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        for (int k = 0; k < ROUNDS; k++) {
            o.ring[k] = MM_CALL(ring_new(256));
            struct ring *r = RING_OF(o.ring[k]);
            if (r == NULL)
                break;
            struct receiver *rc = test_shared(2 * sizeof *rc);
            pid_t small = receive_in_child(r, &rc[0], 8);
            o.started[k] = small > 0 && wait_at_least(&rc[0].entered, 1, 5000);
            wait_futex_sleep(small, 2000);
            pid_t big = o.started[k] ? receive_in_child(r, &rc[1], 64) : -1;
            o.started[k] = big > 0 && wait_at_least(&rc[1].entered, 1, 5000);
            wait_futex_sleep(big, 2000);
            if (o.started[k])
                o.send[k] = MM_CALL(ring_send(r, msg[k], LEN));
            if (o.started[k] && o.send[k].ret == 0)
                o.got_it[k] = wait_at_least(&rc[1].done, 1, 5000);
            o.small_done[k] = atomic_load(&rc[0].done);
            o.small_result[k] = rc[0].result, o.small_err[k] = rc[0].err;
            o.result[k] = rc[1].result;
            o.digest[k] = mm_digest(rc[1].buf, LEN);
            ring_close(r);                  /* releases whoever still waits */
            if (small > 0)
                mm_wait(small, 5000);
            if (big > 0)
                mm_wait(big, 5000);
            munmap(rc, 2 * sizeof *rc);
            ring_free(r);
            if (!o.got_it[k])
                break;                      /* one stuck message says it all */
        }
    }
    for (int k = 0; k < ROUNDS; k++) {
        MM_CHECK_PTR(o.ring[k], H_NEW);
        MM_CHECK(o.started[k], MM_NO_HINT, "test setup: the receiving helpers did not start");
        MM_CHECK_OK(o.send[k], HINT(S_RING, "queue it"));
        MM_CHECK(!o.small_done[k] || (o.small_result[k] == -1 && o.small_err[k] == EMSGSIZE),
                 HINT(S_RING, "cap smaller than the next message: EMSGSIZE, message left "
                      "queued"), "round %d: the receiver with an 8-byte buffer returned %lld "
                 "(errno %s) for a %d-byte message, expected -1 with EMSGSIZE.", k + 1,
                 o.small_result[k], mm_errno_name(o.small_err[k]), LEN);
        MM_CHECK(o.got_it[k], HINT(S_RING, "a receiver that was woken but cannot take the "
                 "message (its cap is too small) must pass the wake-up on, e.g. signal the "
                 "condition again before it returns EMSGSIZE"), "round %d: two receivers "
                 "blocked on an empty ring (8-byte and 64-byte buffers); a %d-byte message was "
                 "sent; the one with room for it was still blocked 5 s later.", k + 1, LEN);
        MM_CHECK(o.result[k] == LEN && o.digest[k] == mm_digest(msg[k], LEN), HINT(S_RING,
                 "take the whole message under the lock"), "round %d: the receiver with a "
                 "64-byte buffer returned %lld%s, expected the %d-byte message.", k + 1,
                 o.result[k], o.result[k] == LEN ? " with wrong bytes" : "", LEN);
    }
}

Test(ring, wraps_around_with_every_length)
{
    enum { CAP = 101, ROUNDS = 3, NLENS = CAP - 16 };   /* odd: headers land everywhere */
    static struct {
        struct mm_call ring, free;
        struct mm_call send[ROUNDS][NLENS];
        long long got[ROUNDS][NLENS];
        uint64_t digest[ROUNDS][NLENS];     /* of the bytes ring_recv returned */
    } o;

    MM_SUBJECT(o) {
        unsigned char msg[CAP], buf[CAP];
        int sent = 0;
        o.ring = MM_CALL_AS("ring_new(101)", ring_new(CAP));
        struct ring *r = RING_OF(o.ring);
        for (int round = 0; r && round < ROUNDS; round++)
            for (size_t len = 1; len <= NLENS; len++) {
                mm_fill_random(msg, len, (unsigned)(sent++));
                o.send[round][len - 1] = MM_CALL(ring_send(r, msg, len));
                if (o.send[round][len - 1].ret != 0)
                    continue;
                long long n = o.got[round][len - 1] = ring_recv(r, buf, sizeof buf);
                o.digest[round][len - 1] = n > 0 && n <= CAP ? mm_digest(buf, (size_t)n) : 0;
            }
        if (r)
            o.free = MM_CALL(ring_free(r));
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    unsigned char msg[CAP];
    int taken = 0;
    for (int round = 0; round < ROUNDS; round++)
        for (size_t len = 1; len <= NLENS; len++) {
            MM_CHECK_OK(o.send[round][len - 1], HINT(S_RING, "a message of up to capacity - 16 "
                                                     "bytes fits an empty ring"));
            mm_fill_random(msg, len, (unsigned)(taken++));
            long long n = o.got[round][len - 1];
            MM_CHECK(n == (long long)len && o.digest[round][len - 1] == mm_digest(msg, len),
                     HINT(S_RING, "copy in two pieces when a message (or its length header) "
                          "crosses the end of the buffer"), "round %d, %zu-byte message: "
                     "ring_recv returned %lld%s.", round, len, n,
                     n == (long long)len ? " with wrong bytes" : "");
        }
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring, three_producers_three_consumers_through_a_tiny_ring)
{
    struct { struct mm_call ring, free; struct mpmc_report rep; } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 50000) {
        o.ring = MM_CALL(ring_new(64));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            ring_mpmc(r, 3, 3, 5000, 48, &o.rep);
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    const char *problem = mpmc_problem(&o.rep);
    MM_CHECK(problem == NULL, HINT(S_RING, "re-check the condition in a while loop after every "
             "wake-up, and make sure a sender that waits for more room than was freed is not "
             "the only one woken"), "3 producer and 3 consumer processes, 5000 messages each of "
             "16..48 bytes through a 64-byte ring (everyone blocks often): %s.", problem);
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_free, releases_the_mapping_and_null_gives_EINVAL)
{
    struct { struct mm_call ring, free, null; int before, during, after; } o;

    MM_SUBJECT(o) {
        mm_count_maps();                /* warm up: the probe's own stdio buffers */
        o.before = mm_count_maps();
        o.ring = MM_CALL(ring_new(3 * mm_page_size()));
        o.during = mm_count_maps();
        struct ring *r = RING_OF(o.ring);
        if (r)
            o.free = MM_CALL(ring_free(r));
        o.after = mm_count_maps();
        o.null = MM_CALL(ring_free(NULL));
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_OK(o.free, H_FREE);
    MM_CHECK(o.after == o.before && o.during > o.before, HINT(S_RING, "remember the mapping's "
             "length in the ring and munmap all of it"), "mappings: %d before ring_new, %d with "
             "the ring, %d after ring_free, expected the same before and after.", o.before,
             o.during, o.after);
    MM_CHECK_ERRNO(o.null, EINVAL, HINT(S_ERRNO, "check r == NULL"));
}
