/* shared.h - Lab 2: share memory between related processes with an anonymous mapping made
 * before fork(2). You implement these functions in shared.c; the provided tools (histo,
 * ringbench) and the tests call them. Handout: lab2. Every failure returns -1 (NULL for
 * pointers) with errno set exactly as listed; a failed call keeps nothing it acquired.
 * Library code prints nothing (not even from a worker child): errors go through errno. */
#ifndef SHARED_H
#define SHARED_H

#include <stddef.h>
#include <sys/types.h>

/* ---- Shared and private allocators ------------------------------------------------------ */

/* len bytes of zeroed memory, MAP_SHARED | MAP_ANONYMOUS: children forked after the call
 * see the parent's writes and the parent sees theirs. Returns the address, or NULL (never
 * MAP_FAILED) with errno: EINVAL len == 0; ENOMEM len impossible (e.g. SIZE_MAX / 2);
 * otherwise mmap's errno. Release it with shared_free(addr, len). */
void *shared_anon(size_t len);

/* The same through the classic technique: mmap of open("/dev/zero", O_RDWR) with
 * MAP_SHARED. The descriptor is closed before returning, success or not. Errors as
 * shared_anon, plus open's errno. */
void *shared_devzero(size_t len);

/* len bytes of zeroed memory, MAP_PRIVATE | MAP_ANONYMOUS: after fork each process has its
 * own copy (copy-on-write), so writes are never seen by the other side. Errors as
 * shared_anon. */
void *private_anon(size_t len);

/* Unmaps memory from one of the three allocators; len is the length given to it (it is
 * rounded up to whole pages). Returns 0, or -1 with errno: EINVAL addr == NULL, addr not
 * page-aligned or len == 0; otherwise munmap's errno. */
int shared_free(void *addr, size_t len);

/* ---- The shared counter ----------------------------------------------------------------- */

struct counter;     /* opaque: lives in shared memory, so it is safe across fork */

/* A counter at 0 in its own shared mapping. Returns NULL with errno as shared_anon. */
struct counter *counter_new(void);

/* Adds delta atomically, however many processes add at the same time, and returns the new
 * value. c must come from counter_new (in this process or a parent before fork). With
 * c == NULL it adds nothing and returns 0 with errno EINVAL (0 is also a valid value: set
 * errno = 0 before the call to tell them apart). */
long counter_add(struct counter *c, long delta);

/* The current value. With c == NULL: 0 with errno EINVAL, as counter_add. */
long counter_get(struct counter *c);

/* Unmaps this process's view of the counter (other processes keep theirs). Returns 0, or -1
 * with errno: EINVAL c == NULL; otherwise munmap's errno. */
int counter_free(struct counter *c);

/* ---- Parallel histogram ----------------------------------------------------------------- */

/* Counts every byte value of data[0..len) into hist[0..255] (overwritten, not added to)
 * with nworkers child processes (no threads): exactly nworkers when len >= nworkers,
 * fewer for shorter inputs, none for len == 0. Each child counts its slice into its own
 * row of a shared table and _exits; the parent waits for every child before returning
 * (a waitpid interrupted by a signal, EINTR, is simply retried) and unmaps the table on
 * every path. data == NULL with len == 0 is valid (all zeros). Returns 0, or -1 with errno:
 *   EINVAL  nworkers < 1 or > 64, hist == NULL, or data == NULL with len > 0;
 *   EAGAIN  fork failed (e.g. RLIMIT_NPROC): every child already started is killed and
 *           reaped, so no zombie is left (fork's own errno, e.g. ENOMEM, passes through);
 *   EIO     a child died or exited with a status other than 0 before finishing its slice
 *           (e.g. killed by SIGSEGV on an unreadable page of data); hist is then unchanged;
 *   otherwise mmap's errno. */
int parallel_histogram(const void *data, size_t len, int nworkers,
                       unsigned long long hist[256]);

/* ---- The message ring ------------------------------------------------------------------- */

struct ring;        /* opaque: a bounded message queue in shared memory */

/* A ring holding capacity bytes of messages, each stored with at most 16 bytes of
 * bookkeeping. Make it before fork: any number of related processes may send and receive
 * at once; each message is delivered exactly once, in order per sender. Returns NULL with
 * errno: EINVAL capacity == 0; ENOMEM capacity impossible, including every capacity for
 * which capacity + the ring's header overflows size_t (e.g. SIZE_MAX - 64); otherwise
 * mmap's errno. */
struct ring *ring_new(size_t capacity);

/* Queues a copy of msg[0..len), blocking (without burning CPU) while the ring has no room.
 * Every ring takes messages of up to capacity - 16 bytes, whatever its own record size.
 * Returns 0, or -1 with errno, checked in this order:
 *   EINVAL    r == NULL, msg == NULL or len == 0;
 *   EMSGSIZE  len > capacity - 16 (every capacity <= 16: any len), at once, never waiting;
 *   EPIPE     the ring is closed (also when it is closed while this call waits). */
int ring_send(struct ring *r, const void *msg, size_t len);

/* Takes the oldest message into buf, blocking while the ring is empty. Returns its length;
 * 0 once the ring is closed and every message has been taken; or -1 with errno:
 *   EINVAL    r == NULL or buf == NULL;
 *   EMSGSIZE  cap is smaller than the next message, which stays queued untouched for
 *             another receive (cap == 0 is valid and gets EMSGSIZE once a message is
 *             there: every message has at least 1 byte). With several receivers blocked,
 *             one whose cap is too small must not keep the message from the others: a
 *             receiver with room for it gets it.
 * Every call that fails (here, in ring_send or elsewhere) leaves the ring usable: it
 * releases whatever lock it took. */
ssize_t ring_recv(struct ring *r, void *buf, size_t cap);

/* Closes the ring for everyone: later sends fail with EPIPE, receivers drain what is left
 * and then get 0; every blocked sender and receiver wakes up. Closing twice is harmless.
 * Returns 0, or -1 with errno EINVAL if r == NULL. */
int ring_close(struct ring *r);

/* Unmaps this process's view of the ring (others keep theirs; it does not close it).
 * Returns 0, or -1 with errno: EINVAL r == NULL; otherwise munmap's errno. */
int ring_free(struct ring *r);

#endif /* SHARED_H */
