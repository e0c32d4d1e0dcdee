/* shared.c - Lab 2 starter: memory shared between related processes. Every function below
 * fails with ENOSYS until you write it; shared.h is the contract (return values, errno).
 * Build and run the public tests with `make test` in this directory. Handout: lab2. */
#include "shared.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Allocators ------------------------------------------------------------------------- */

void *shared_anon(size_t len)
{
    (void)len;
    /* TODO: mmap MAP_SHARED | MAP_ANONYMOUS; return NULL, not MAP_FAILED, on error.
     * Handout lab2, "Shared and private allocators". */
    errno = ENOSYS;
    return NULL;
}

void *shared_devzero(size_t len)
{
    (void)len;
    /* TODO: open /dev/zero O_RDWR, mmap it MAP_SHARED, close the fd either way.
     * Handout lab2, "Shared and private allocators". */
    errno = ENOSYS;
    return NULL;
}

void *private_anon(size_t len)
{
    (void)len;
    /* TODO: mmap MAP_PRIVATE | MAP_ANONYMOUS. Handout lab2, "Shared and private allocators". */
    errno = ENOSYS;
    return NULL;
}

int shared_free(void *addr, size_t len)
{
    (void)addr, (void)len;
    /* TODO: check addr, then munmap. Handout lab2, "Shared and private allocators". */
    errno = ENOSYS;
    return -1;
}

/* ---- The shared counter ----------------------------------------------------------------- */

struct counter {
    long value;     /* TODO: make it atomic (C11 <stdatomic.h>) */
};

struct counter *counter_new(void)
{
    /* TODO: put the counter in shared memory. Handout lab2, "The shared counter". */
    errno = ENOSYS;
    return NULL;
}

long counter_add(struct counter *c, long delta)
{
    (void)c, (void)delta;
    /* TODO: add atomically, return the new value; c == NULL: 0 with errno EINVAL (shared.h).
     * Handout lab2, "The shared counter". */
    errno = ENOSYS;
    return -1;
}

long counter_get(struct counter *c)
{
    (void)c;
    /* TODO: c == NULL: 0 with errno EINVAL. Handout lab2, "The shared counter". */
    errno = ENOSYS;
    return -1;
}

int counter_free(struct counter *c)
{
    (void)c;
    /* TODO: Handout lab2, "The shared counter". */
    errno = ENOSYS;
    return -1;
}

/* ---- Parallel histogram ----------------------------------------------------------------- */

int parallel_histogram(const void *data, size_t len, int nworkers,
                       unsigned long long hist[256])
{
    (void)data, (void)len, (void)nworkers, (void)hist;
    /* TODO: fork the workers, each counts its slice into shared memory and _exits; wait for
     * all of them. Handout lab2, "Parallel histogram" and "Processes, zombies and stray
     * children". */
    errno = ENOSYS;
    return -1;
}

/* ---- The message ring ------------------------------------------------------------------- */

struct ring {
    size_t cap;     /* TODO: lock, conditions, positions, ... (all in shared memory) */
};

struct ring *ring_new(size_t capacity)
{
    (void)capacity;
    /* TODO: map the ring, init a PTHREAD_PROCESS_SHARED mutex and conditions.
     * Handout lab2, "The message ring". */
    errno = ENOSYS;
    return NULL;
}

int ring_send(struct ring *r, const void *msg, size_t len)
{
    (void)r, (void)msg, (void)len;
    /* TODO: Handout lab2, "The message ring". */
    errno = ENOSYS;
    return -1;
}

ssize_t ring_recv(struct ring *r, void *buf, size_t cap)
{
    (void)r, (void)buf, (void)cap;
    /* TODO: Handout lab2, "The message ring". */
    errno = ENOSYS;
    return -1;
}

int ring_close(struct ring *r)
{
    (void)r;
    /* TODO: Handout lab2, "The message ring". */
    errno = ENOSYS;
    return -1;
}

int ring_free(struct ring *r)
{
    (void)r;
    /* TODO: Handout lab2, "The message ring". */
    errno = ENOSYS;
    return -1;
}
