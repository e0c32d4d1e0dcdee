/* ring.c - public tests of the message ring: argument errors, order and lengths, a short
 * buffer, close, blocking when full and when empty, 2 producers x 2 consumers.
 * Each scenario (the ring, the processes around it) runs in one subject (mmtest.h).
 * Run: make test (or ./build/run --filter 'ring_send/[a-z]*'). */
#include "lab2_util.h"

#include <stdio.h>

#define H_NEW HINT(S_RING, "map the ring with shared_anon and initialise its mutex and "  \
                   "condition variables with PTHREAD_PROCESS_SHARED")
#define H_PSHARED HINT(S_RING, "the mutex and both condition variables need "             \
                       "pthread_*attr_setpshared(PTHREAD_PROCESS_SHARED), and the side "   \
                       "that makes room or adds a message must signal the other")

#define H_FREE HINT(S_RING, "munmap the ring's mapping")

/* The ring a subject made, as a pointer (NULL if ring_new failed). */
#define RING_OF(call) \
    ((call).ret != 0 && (call).ret != -1 ? (struct ring *)(intptr_t)(call).ret : NULL)

Test(ring_new, zero_capacity_gives_EINVAL)
{
    MM_CALL_NULL_ERRNO(ring_new(0), EINVAL, HINT(S_ERRNO, "capacity == 0 is EINVAL"));
}

Test(ring_new, impossible_capacity_gives_ENOMEM)
{
    /* Near SIZE_MAX, capacity + the header wraps around to a few bytes that mmap accepts. */
    const struct mm_hint overflow = HINT(S_ERRNO, "capacity + sizeof(struct ring) wraps "
                                         "around near SIZE_MAX: refuse such a capacity with "
                                         "ENOMEM before adding");

    MM_CALL_NULL_ERRNO(ring_new(SIZE_MAX / 2), ENOMEM,
                       HINT(S_ERRNO, "pass mmap's ENOMEM through (and beware of overflow "
                            "when you add the header size to capacity)"));
    MM_CALL_NULL_ERRNO(ring_new(SIZE_MAX - 64), ENOMEM, overflow);
    MM_CALL_NULL_ERRNO(ring_new(SIZE_MAX), ENOMEM, overflow);
}

Test(ring_send, len_zero_gives_EINVAL)
{
    struct { struct mm_call ring, send, free; } o;

    MM_SUBJECT(o) {
        char byte = 'x';
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.send = MM_CALL(ring_send(r, &byte, 0));
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_ERRNO(o.send, EINVAL, HINT(S_ERRNO, "an empty message would look like the end of "
                                        "the stream (ring_recv returns 0): refuse len == 0"));
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_send, message_that_can_never_fit_gives_EMSGSIZE)
{
    /* Every length above capacity - 16, each on a fresh, empty 256-byte ring: the first just
     * over the limit, the ones a smaller record would have room for, capacity and beyond. */
    static const size_t lens[] = { 241, 244, 248, 249, 255, 256, 257, 2048 };
    enum { NLENS = sizeof lens / sizeof lens[0] };
    struct { int done, status; struct mm_call send[NLENS]; } o;

    /* A helper makes the calls, so that one that blocks is named instead of ending the whole
     * subject. */
    MM_SUBJECT_WITH(o, .timeout_ms = 15000) {
        struct { atomic_int done; struct mm_call send[NLENS]; } *sh = test_shared(sizeof *sh);
        pid_t pid = mm_fork();
        if (pid == 0) {
            static char big[2048];
            for (int i = 0; i < NLENS; i++) {
                struct ring *r = ring_new(256);
                sh->send[i] = r ? MM_CALL(ring_send(r, big, lens[i])) : MM_CALL(ring_new(256));
                if (r)
                    ring_free(r);
                atomic_store(&sh->done, i + 1);
            }
            _exit(0);
        }
        o.status = pid > 0 ? mm_wait(pid, 3000) : -1;
        o.done = atomic_load(&sh->done);
        memcpy(o.send, sh->send, sizeof o.send);
        munmap(sh, sizeof *sh);
    }
    for (int i = 0; i < NLENS; i++) {
        MM_CHECK(o.done > i, HINT(S_RING, "a message longer than capacity - 16 is refused at "
                 "once with EMSGSIZE: waiting for room that can never come blocks forever"),
                 "on an empty 256-byte ring, ring_send(r, msg, %zu) did not return within "
                 "3 s.", lens[i]);
        /* The judge names the call itself: it trusts no text from the helper. */
        snprintf(o.send[i].text, sizeof o.send[i].text, "ring_send(r, msg, %zu) on an empty "
                 "256-byte ring", lens[i]);
        MM_CHECK_ERRNO(o.send[i], EMSGSIZE, HINT(S_RING, "the largest message is capacity - 16 "
                       "bytes for every ring, whatever your record's size: refuse every "
                       "longer one with EMSGSIZE"));
    }
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the helper process %s",
             status_text(o.status));
}

Test(ring_send, message_of_capacity_minus_16_fits)
{
    char msg[240];
    struct { struct mm_call ring, send, recv, free; uint64_t digest; } o;

    mm_fill_random(msg, sizeof msg, 240);
    MM_SUBJECT(o) {
        char buf[256];
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.send = MM_CALL(ring_send(r, msg, sizeof msg));
            if (o.send.ret == 0) {
                o.recv = MM_CALL(ring_recv(r, buf, sizeof buf));
                if (o.recv.ret > 0 && o.recv.ret <= (long long)sizeof buf)
                    o.digest = mm_digest(buf, (size_t)o.recv.ret);
            }
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_OK(o.send, HINT(S_RING, "capacity counts message bytes plus at most 16 bytes of "
                             "bookkeeping: 240 bytes must fit in an empty 256-byte ring"));
    MM_CHECK(o.recv.ret == 240 && o.digest == mm_digest(msg, sizeof msg), HINT(S_RING, "store "
             "the length, then the bytes, wrapping at the end of the buffer"), "ring_recv "
             "returned %lld%s, expected the 240-byte message just sent.", o.recv.ret,
             o.recv.ret == 240 ? " with different bytes" : "");
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_send, after_close_gives_EPIPE)
{
    struct { struct mm_call ring, before, close, after, free; } o;

    MM_SUBJECT(o) {
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.before = MM_CALL(ring_send(r, "before", 6));
            o.close = MM_CALL(ring_close(r));
            o.after = MM_CALL(ring_send(r, "after", 5));
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_OK(o.before, HINT(S_RING, "queue the message"));
    MM_CHECK_OK(o.close, HINT(S_RING, "set a closed flag under the lock"));
    MM_CHECK_ERRNO(o.after, EPIPE, HINT(S_ERRNO, "nobody will read after ring_close, as with a "
                                        "pipe: EPIPE"));
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_recv, returns_messages_in_order_with_their_lengths)
{
    enum { ROUNDS = 5, NMSGS = 4 };     /* 5 rounds: the positions wrap */
    const char *msgs[NMSGS] = { "one", "second message", "3", "the fourth and longest one" };
    struct {
        struct mm_call ring, send[ROUNDS][NMSGS], free;
        long long got[ROUNDS][NMSGS];   /* ring_recv's results */
        char bytes[ROUNDS][NMSGS][64];  /* and what it wrote */
    } o;

    MM_SUBJECT(o) {
        o.ring = MM_CALL(ring_new(100));
        struct ring *r = RING_OF(o.ring);
        for (int round = 0; r && round < ROUNDS; round++) {
            for (int i = 0; i < NMSGS; i++)
                o.send[round][i] = MM_CALL(ring_send(r, msgs[i], strlen(msgs[i])));
            for (int i = 0; i < NMSGS; i++)
                o.got[round][i] = ring_recv(r, o.bytes[round][i], sizeof o.bytes[round][i]);
        }
        if (r)
            o.free = MM_CALL(ring_free(r));
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < NMSGS; i++)
            MM_CHECK_OK(o.send[round][i], HINT(S_RING, "queue it"));
        for (int i = 0; i < NMSGS; i++) {
            long long n = o.got[round][i];
            const char *b = o.bytes[round][i];
            MM_CHECK(n == (long long)strlen(msgs[i]) && memcmp(b, msgs[i], (size_t)n) == 0,
                     HINT(S_RING, "first in, first out; a message may wrap around the end of "
                          "the buffer"), "round %d, message %d: ring_recv returned %lld "
                     "(\"%.*s\"), expected %zu (\"%s\").", round, i, n,
                     n > 0 && n <= 64 ? (int)n : 0, b, strlen(msgs[i]), msgs[i]);
        }
    }
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_recv, short_buffer_gives_EMSGSIZE_and_keeps_message)
{
    const char msg[] = "a message of 27 bytes......";
    struct { struct mm_call ring, send, short_recv, recv, free; char buf[64]; } o;

    MM_SUBJECT(o) {
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.send = MM_CALL(ring_send(r, msg, 27));
            o.short_recv = MM_CALL(ring_recv(r, o.buf, 10));
            memset(o.buf, 0, sizeof o.buf);
            o.recv = MM_CALL(ring_recv(r, o.buf, sizeof o.buf));
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_OK(o.send, HINT(S_RING, "queue it"));
    MM_CHECK_ERRNO(o.short_recv, EMSGSIZE, HINT(S_ERRNO, "cap smaller than the next message: "
                   "EMSGSIZE, and leave it queued - never truncate"));
    long long n = o.recv.ret;
    MM_CHECK(n == 27 && memcmp(o.buf, msg, 27) == 0, HINT(S_RING, "check cap before you take "
             "the message off the ring"), "after the EMSGSIZE, ring_recv with a 64-byte buffer "
             "returned %lld (\"%.*s\"), expected the whole 27-byte message.", n,
             n > 0 && n <= 64 ? (int)n : 0, o.buf);
    MM_CHECK_OK(o.free, H_FREE);
}

Test(ring_recv, closed_ring_drains_then_returns_zero)
{
    struct { struct mm_call ring, send, close, first, second, free; char buf[16]; } o;

    MM_SUBJECT(o) {
        char spare[16];
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            o.send = MM_CALL(ring_send(r, "left", 4));
            o.close = MM_CALL(ring_close(r));
            o.first = MM_CALL(ring_recv(r, o.buf, sizeof o.buf));
            o.second = MM_CALL(ring_recv(r, spare, sizeof spare));
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK_OK(o.send, HINT(S_RING, "queue it"));
    MM_CHECK_OK(o.close, HINT(S_RING, "set a closed flag under the lock"));
    MM_CHECK(o.first.ret == 4 && memcmp(o.buf, "left", 4) == 0, HINT(S_RING, "closing stops "
             "senders only: receivers still drain what is queued"), "on a closed ring holding "
             "one message, ring_recv returned %lld, expected 4 (the message).", o.first.ret);
    MM_CHECK(o.second.ret == 0, HINT(S_RING, "do not wait when the ring is closed and empty"),
             "on a closed, drained ring ring_recv returned %lld, expected 0 (end of stream) at "
             "once.", o.second.ret);
    MM_CHECK_OK(o.free, H_FREE);
}

/* Shared between a subject and its helper child in the blocking tests. */
struct progress {
    atomic_int sent;        /* messages the child has sent (or 1: entered ring_recv) */
    atomic_int done;        /* the child's call returned */
    ssize_t got;            /* what its ring_recv returned */
    char buf[64];           /* and the bytes */
};

Test(ring_recv, blocks_while_empty_until_another_process_sends)
{
    struct {
        struct mm_call ring, send;
        int started, returned_early, woke, status;
        long long early_got, got;
        char buf[64];
    } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        o.ring = MM_CALL(ring_new(256));
        struct ring *r = RING_OF(o.ring);
        struct progress *pr = test_shared(sizeof *pr);
        pid_t pid = r ? mm_fork() : -1;
        if (pid == 0) {
            atomic_store(&pr->sent, 1);
            pr->got = ring_recv(r, pr->buf, sizeof pr->buf);
            atomic_store(&pr->done, 1);
            _exit(0);
        }
        o.started = pid > 0 && wait_at_least(&pr->sent, 1, 5000);
        if (o.started) {
            mm_sleep_ms(100);      /* time to block; a correct ring never returns early */
            o.returned_early = atomic_load(&pr->done);
            o.early_got = pr->got;
            if (!o.returned_early) {
                o.send = MM_CALL(ring_send(r, "wake up", 7));
                o.woke = wait_at_least(&pr->done, 1, 5000);
                o.got = pr->got;
                memcpy(o.buf, pr->buf, sizeof o.buf);
            }
        }
        o.status = pid > 0 ? mm_wait(pid, 5000) : -1;
        munmap(pr, sizeof *pr);
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK(o.started, MM_NO_HINT, "test setup: the receiving child did not start");
    MM_CHECK(!o.returned_early, HINT(S_RING, "wait on a condition variable while the ring is "
             "empty and not closed"), "ring_recv on an empty ring returned %lld instead of "
             "waiting for a message.", o.early_got);
    MM_CHECK_OK(o.send, HINT(S_RING, "queue it"));
    MM_CHECK(o.woke, H_PSHARED, "the receiver was still blocked 5 s after another process "
             "sent a message.");
    MM_CHECK(o.got == 7 && memcmp(o.buf, "wake up", 7) == 0, HINT(S_RING, "after waking, "
             "re-check the ring under the lock and take the message"), "the blocked ring_recv "
             "returned %lld, expected the 7-byte message \"wake up\".", o.got);
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the receiving child %s",
             status_text(o.status));
}

Test(ring_send, blocks_while_full_until_a_receiver_takes_one)
{
    enum { CAP = 1024, LEN = 64, TOTAL = 40 };
    const int least = CAP / (LEN + 16), most = CAP / LEN;    /* 12..16 messages fit */
    struct {
        struct mm_call ring;
        int filled, stuck, unblocked, status;
        long long got[TOTAL];           /* ring_recv's results */
        unsigned char first[TOTAL], last[TOTAL];    /* first and last byte received */
    } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        unsigned char msg[LEN];
        o.ring = MM_CALL_AS("ring_new(1024)", ring_new(CAP));
        struct ring *r = RING_OF(o.ring);
        struct progress *pr = test_shared(sizeof *pr);
        pid_t pid = r ? mm_fork() : -1;
        if (pid == 0) {
            for (int i = 0; i < TOTAL; i++) {
                memset(msg, i, sizeof msg);
                if (ring_send(r, msg, sizeof msg) == -1)
                    _exit(2);
                atomic_fetch_add(&pr->sent, 1);
            }
            _exit(0);
        }
        o.filled = pid > 0 && wait_at_least(&pr->sent, least, 5000);
        o.stuck = atomic_load(&pr->sent);
        if (o.filled)
            o.stuck = wait_quiet(&pr->sent, 200, 5000);
        if (o.filled && o.stuck <= most) {
            o.got[0] = ring_recv(r, msg, sizeof msg);
            o.first[0] = msg[0], o.last[0] = msg[LEN - 1];
            o.unblocked = wait_at_least(&pr->sent, o.stuck + 1, 5000);
            bool closed = false;
            for (int i = 1; o.unblocked && i < TOTAL; i++) {
                /* Once everything is sent, a ring that lost a message must not leave this
                 * receiver blocked: closed and drained, ring_recv returns 0. */
                if (!closed && atomic_load(&pr->sent) == TOTAL)
                    closed = ring_close(r) == 0;
                memset(msg, 0xff, sizeof msg);
                o.got[i] = ring_recv(r, msg, sizeof msg);
                o.first[i] = msg[0], o.last[i] = msg[LEN - 1];
                if (o.got[i] <= 0)
                    break;
            }
        }
        o.status = pid > 0 ? mm_wait(pid, 5000) : -1;
        munmap(pr, sizeof *pr);
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    MM_CHECK(o.filled, HINT(S_RING, "block only while len + your header does not fit in the "
             "free space"), "a child sent %d messages of %d bytes into an empty %d-byte ring "
             "and then stayed blocked; at least %d must fit.", o.stuck, LEN, CAP, least);
    MM_CHECK(o.stuck <= most, HINT(S_RING, "ring_send must wait while the ring is full, never "
             "overwrite unread messages"), "a child sent %d messages of %d bytes into a %d-byte "
             "ring nobody reads; at most %d fit.", o.stuck, LEN, CAP, most);
    MM_CHECK(o.got[0] == LEN && o.first[0] == 0, MM_NO_HINT, "the first ring_recv returned "
             "%lld (byte %d), expected the first %d-byte message", o.got[0], o.first[0], LEN);
    MM_CHECK(o.unblocked, H_PSHARED, "the sender was still blocked 5 s after a receiver took "
             "a message.");
    for (int i = 1; i < TOTAL; i++)
        MM_CHECK(o.got[i] == LEN && o.first[i] == i && o.last[i] == i, HINT(S_RING, "each "
                 "message exactly once, in the order sent"), "message %d: ring_recv returned "
                 "%lld bytes starting with %d, expected %d bytes of %d.", i, o.got[i],
                 o.first[i], LEN, i);
    MM_CHECK(exited_with(o.status, 0), MM_NO_HINT, "the sending child %s (2: a ring_send "
             "failed)", status_text(o.status));
}

Test(ring, two_producers_two_consumers_exactly_once_in_order)
{
    struct { struct mm_call ring, free; struct mpmc_report rep; } o;

    MM_SUBJECT_WITH(o, .timeout_ms = 50000) {
        o.ring = MM_CALL(ring_new(512));
        struct ring *r = RING_OF(o.ring);
        if (r) {
            ring_mpmc(r, 2, 2, 20000, 80, &o.rep);
            o.free = MM_CALL(ring_free(r));
        }
    }
    MM_CHECK_PTR(o.ring, H_NEW);
    const char *problem = mpmc_problem(&o.rep);
    MM_CHECK(problem == NULL, HINT(S_RING, "one process-shared mutex around every access to "
             "head, tail and the bytes; wait in a loop (while (full) pthread_cond_wait), and "
             "wake the other side"), "2 producer and 2 consumer processes, 20000 messages each "
             "of 16..80 bytes through a 512-byte ring: %s.", problem);
    MM_CHECK_OK(o.free, H_FREE);
}
