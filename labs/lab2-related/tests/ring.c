/* ring.c - public tests of the message ring: argument errors, order and lengths, a short
 * buffer, close, blocking when full and when empty, 2 producers x 2 consumers.
 * Run: make test (or ./build/run --filter 'ring_send/[a-z]*'). */
#include "lab2_util.h"

MM_SUITE(ring_new, 20);
MM_SUITE(ring_send, 30);
MM_SUITE(ring_recv, 30);
MM_SUITE(ring, 60);

#define H_NEW HINT(S_RING, "map the ring with shared_anon and initialise its mutex and "  \
                   "condition variables with PTHREAD_PROCESS_SHARED")
#define H_PSHARED HINT(S_RING, "the mutex and both condition variables need "             \
                       "pthread_*attr_setpshared(PTHREAD_PROCESS_SHARED), and the side "   \
                       "that makes room or adds a message must signal the other")

Test(ring_new, zero_capacity_gives_EINVAL)
{
    MM_EXPECT_NULL_ERRNO(ring_new(0), EINVAL, HINT(S_ERRNO, "capacity == 0 is EINVAL"));
    MM_END();
}

Test(ring_new, impossible_capacity_gives_ENOMEM)
{
    MM_EXPECT_NULL_ERRNO(ring_new(SIZE_MAX / 2), ENOMEM,
                         HINT(S_ERRNO, "pass mmap's ENOMEM through (and beware of overflow "
                              "when you add the header size to capacity)"));
    MM_END();
}

Test(ring_send, len_zero_gives_EINVAL)
{
    struct ring *r = ring_new(256);
    char byte = 'x';

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_ERRNO(ring_send(r, &byte, 0), EINVAL,
                    HINT(S_ERRNO, "an empty message would look like the end of the stream "
                         "(ring_recv returns 0): refuse len == 0"));
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_send, message_that_can_never_fit_gives_EMSGSIZE)
{
    static char big[2048];
    struct ring *r = ring_new(256);

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_ERRNO(ring_send(r, big, 257), EMSGSIZE,
                    HINT(S_ERRNO, "a message longer than the capacity could never be sent: "
                         "fail at once instead of blocking forever"));
    MM_EXPECT_ERRNO(ring_send(r, big, sizeof big), EMSGSIZE,
                    HINT(S_ERRNO, "len > capacity is EMSGSIZE"));
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_send, message_of_capacity_minus_16_fits)
{
    char msg[240], buf[256];
    struct ring *r = ring_new(256);

    MM_EXPECT_PTR(r, H_NEW);
    mm_fill_random(msg, sizeof msg, 240);
    MM_EXPECT_OK(ring_send(r, msg, sizeof msg),
                 HINT(S_RING, "capacity counts message bytes plus at most 16 bytes of "
                      "bookkeeping: 240 bytes must fit in an empty 256-byte ring"));
    ssize_t n = ring_recv(r, buf, sizeof buf);
    MM_ASSERT(n == 240 && memcmp(buf, msg, sizeof msg) == 0, "ring_recv returned %zd%s, "
              "expected the 240-byte message just sent.\n  Hint: " HINT(S_RING, "store the "
              "length, then the bytes, wrapping at the end of the buffer"), n,
              n == 240 ? " with different bytes" : "");
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_send, after_close_gives_EPIPE)
{
    struct ring *r = ring_new(256);

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_OK(ring_send(r, "before", 6), HINT(S_RING, "queue the message"));
    MM_EXPECT_OK(ring_close(r), HINT(S_RING, "set a closed flag under the lock"));
    MM_EXPECT_ERRNO(ring_send(r, "after", 5), EPIPE,
                    HINT(S_ERRNO, "nobody will read after ring_close, as with a pipe: EPIPE"));
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_recv, returns_messages_in_order_with_their_lengths)
{
    const char *msgs[] = { "one", "second message", "3", "the fourth and longest one" };
    struct ring *r = ring_new(100);
    char buf[64];

    MM_EXPECT_PTR(r, H_NEW);
    for (int round = 0; round < 5; round++) {       /* 5 rounds: the positions wrap */
        for (int i = 0; i < 4; i++)
            MM_EXPECT_OK(ring_send(r, msgs[i], strlen(msgs[i])), HINT(S_RING, "queue it"));
        for (int i = 0; i < 4; i++) {
            ssize_t n = ring_recv(r, buf, sizeof buf);
            MM_ASSERT(n == (ssize_t)strlen(msgs[i]) && memcmp(buf, msgs[i], (size_t)n) == 0,
                      "round %d, message %d: ring_recv returned %zd (\"%.*s\"), expected %zu "
                      "(\"%s\").\n  Hint: " HINT(S_RING, "first in, first out; a message "
                      "may wrap around the end of the buffer"), round, i, n,
                      n > 0 ? (int)n : 0, buf, strlen(msgs[i]), msgs[i]);
        }
    }
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_recv, short_buffer_gives_EMSGSIZE_and_keeps_message)
{
    struct ring *r = ring_new(256);
    char buf[64] = { 0 };

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_OK(ring_send(r, "a message of 27 bytes......", 27), HINT(S_RING, "queue it"));
    MM_EXPECT_ERRNO(ring_recv(r, buf, 10), EMSGSIZE,
                    HINT(S_ERRNO, "cap smaller than the next message: EMSGSIZE, and leave it "
                         "queued - never truncate"));
    ssize_t n = ring_recv(r, buf, sizeof buf);
    MM_ASSERT(n == 27 && memcmp(buf, "a message of 27 bytes......", 27) == 0, "after the "
              "EMSGSIZE, ring_recv with a 64-byte buffer returned %zd (\"%.*s\"), expected the "
              "whole 27-byte message.\n  Hint: " HINT(S_RING, "check cap before you take the "
              "message off the ring"), n, n > 0 ? (int)n : 0, buf);
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

Test(ring_recv, closed_ring_drains_then_returns_zero)
{
    struct ring *r = ring_new(256);
    char buf[16];

    MM_EXPECT_PTR(r, H_NEW);
    MM_EXPECT_OK(ring_send(r, "left", 4), HINT(S_RING, "queue it"));
    MM_EXPECT_OK(ring_close(r), HINT(S_RING, "set a closed flag under the lock"));
    ssize_t n = ring_recv(r, buf, sizeof buf);
    MM_ASSERT(n == 4 && memcmp(buf, "left", 4) == 0, "on a closed ring holding one message, "
              "ring_recv returned %zd, expected 4 (the message).\n  Hint: " HINT(S_RING,
              "closing stops senders only: receivers still drain what is queued"), n);
    n = ring_recv(r, buf, sizeof buf);
    MM_ASSERT(n == 0, "on a closed, drained ring ring_recv returned %zd, expected 0 (end of "
              "stream) at once.\n  Hint: " HINT(S_RING, "do not wait when the ring is closed "
              "and empty"), n);
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}

/* Shared between the test and its child in the blocking tests. */
struct progress {
    atomic_int sent;        /* messages the child has sent (or 1: entered ring_recv) */
    atomic_int done;        /* the child's call returned */
    ssize_t got;            /* what its ring_recv returned */
    char buf[64];           /* and the bytes */
};

Test(ring_recv, blocks_while_empty_until_another_process_sends)
{
    struct ring *r = ring_new(256);
    struct progress *pr = test_shared(sizeof *pr);

    MM_EXPECT_PTR(r, H_NEW);
    pid_t pid = mm_fork();
    if (pid == 0) {
        atomic_store(&pr->sent, 1);
        pr->got = ring_recv(r, pr->buf, sizeof pr->buf);
        atomic_store(&pr->done, 1);
        _exit(0);
    }
    MM_ASSERT(wait_at_least(&pr->sent, 1, 5000), "test setup: the receiving child did not "
              "start");
    sleep_ms(100);              /* time to block; a correct ring never returns early */
    MM_ASSERT(atomic_load(&pr->done) == 0, "ring_recv on an empty ring returned %zd instead "
              "of waiting for a message.\n  Hint: " HINT(S_RING, "wait on a condition "
              "variable while the ring is empty and not closed"), pr->got);
    MM_EXPECT_OK(ring_send(r, "wake up", 7), HINT(S_RING, "queue it"));
    int woke = wait_at_least(&pr->done, 1, 5000);
    MM_ASSERT(woke, "the receiver was still blocked 5 s after another process sent a "
              "message.\n  Hint: " H_PSHARED);
    MM_ASSERT(pr->got == 7 && memcmp(pr->buf, "wake up", 7) == 0, "the blocked ring_recv "
              "returned %zd, expected the 7-byte message \"wake up\".\n  Hint: "
              HINT(S_RING, "after waking, re-check the ring under the lock and take the "
              "message"), pr->got);
    int status = mm_wait(pid, 5000);
    MM_ASSERT(exited_with(status, 0), "the receiving child %s", status_text(status));
    MM_END();
}

Test(ring_send, blocks_while_full_until_a_receiver_takes_one)
{
    enum { CAP = 1024, LEN = 64, TOTAL = 40 };
    const int least = CAP / (LEN + 16), most = CAP / LEN;    /* 12..16 messages fit */
    struct ring *r = ring_new(CAP);
    struct progress *pr = test_shared(sizeof *pr);
    char msg[LEN];

    MM_EXPECT_PTR(r, H_NEW);
    pid_t pid = mm_fork();
    if (pid == 0) {
        for (int i = 0; i < TOTAL; i++) {
            memset(msg, i, sizeof msg);
            if (ring_send(r, msg, sizeof msg) == -1)
                _exit(2);
            atomic_fetch_add(&pr->sent, 1);
        }
        _exit(0);
    }
    MM_ASSERT(wait_at_least(&pr->sent, least, 5000), "a child sent %d messages of %d bytes "
              "into an empty %d-byte ring and then stayed blocked; at least %d must fit.\n"
              "  Hint: " HINT(S_RING, "block only while len + your header does not fit in the "
              "free space"), atomic_load(&pr->sent), LEN, CAP, least);
    int stuck = wait_quiet(&pr->sent, 200, 5000);
    MM_ASSERT(stuck <= most, "a child sent %d messages of %d bytes into a %d-byte ring "
              "nobody reads; at most %d fit.\n  Hint: " HINT(S_RING, "ring_send must wait "
              "while the ring is full, never overwrite unread messages"), stuck, LEN, CAP, most);
    ssize_t n = ring_recv(r, msg, sizeof msg);
    MM_ASSERT(n == LEN && msg[0] == 0, "the first ring_recv returned %zd (byte %d), expected "
              "the first %d-byte message", n, msg[0], LEN);
    MM_ASSERT(wait_at_least(&pr->sent, stuck + 1, 5000), "the sender was still blocked 5 s "
              "after a receiver took a message.\n  Hint: " H_PSHARED);
    for (int i = 1; i < TOTAL; i++) {
        n = ring_recv(r, msg, sizeof msg);
        MM_ASSERT(n == LEN && msg[0] == i && msg[LEN - 1] == i, "message %d: ring_recv "
                  "returned %zd bytes starting with %d, expected %d bytes of %d.\n  Hint: "
                  HINT(S_RING, "each message exactly once, in the order sent"), i, n, msg[0],
                  LEN, i);
    }
    int status = mm_wait(pid, 5000);
    MM_ASSERT(exited_with(status, 0), "the sending child %s (2: a ring_send failed)",
              status_text(status));
    MM_END();
}

Test(ring, two_producers_two_consumers_exactly_once_in_order)
{
    struct ring *r = ring_new(512);
    struct mpmc_report rep;

    MM_EXPECT_PTR(r, H_NEW);
    ring_mpmc(r, 2, 2, 20000, 80, &rep);
    const char *problem = mpmc_problem(&rep);
    MM_ASSERT(problem == NULL, "2 producer and 2 consumer processes, 20000 messages each "
              "of 16..80 bytes through a 512-byte ring: %s.\n  Hint: " HINT(S_RING, "one "
              "process-shared mutex around every access to head, tail and the bytes; wait "
              "in a loop (while (full) pthread_cond_wait), and wake the other side"), problem);
    MM_EXPECT_OK(ring_free(r), HINT(S_RING, "munmap the ring's mapping"));
    MM_END();
}
