/* kvstore.c - Lab 3 starter: a key-value store that unrelated programs share through a
 * named MAP_SHARED mapping. Every function below is yours to write; until then each one
 * fails with ENOSYS. Read handout lab3 first; build and test with `make test`. */
#include "kvstore.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* TODO (handout lab3, "Store layout"): design what lives in the mapping - a header that
 * starts with KV_MAGIC and KV_VERSION (kvstore.h), then the capacity, the entry count, a
 * ready flag and the mutex; then nslots fixed-size slots, each a generation counter and two
 * copies of an entry. Use fixed-size types, no pointers: every process maps the store at a
 * different address. */

struct kv {
    int fd;                 /* TODO: the mapping's address and length, the open flags... */
};

/* TODO (handout lab3, "Opening and creating a store (kv_open)"): open or shm_open the name;
 * create it with O_CREAT | O_EXCL so that exactly one process initialises it (ftruncate,
 * header, then the ready flag, stored last); everyone else waits for the flag (at most 2 s).
 * Check the size with fstat before touching the mapping: a short file must give EINVAL, never
 * SIGBUS. The mutex needs PTHREAD_PROCESS_SHARED and PTHREAD_MUTEX_ROBUST
 * (handout lab3, "Crash recovery (robust mutexes)"). Errors: "Errors and errno". */
struct kv *kv_open(const char *name, size_t nslots, int flags)
{
    (void)name, (void)nslots, (void)flags;
    errno = ENOSYS;
    return NULL;
}

/* TODO (handout lab3, "Reading and writing entries (kv_put, kv_get, kv_del)"): take the
 * lock (on EOWNERDEAD repair and call pthread_mutex_consistent), find the key by linear
 * probing, write the new entry into the slot's idle copy, then publish it with one release
 * store of generation + 1, so that a lock-free reader sees the old or the new one and a
 * writer killed halfway leaves nothing a reader waits on
 * (handout lab3, "Lock-free readers and sequence counters"). */
int kv_put(struct kv *kv, const char *key, const void *val, size_t len)
{
    (void)kv, (void)key, (void)val, (void)len;
    errno = ENOSYS;
    return -1;
}

/* TODO (handout lab3, "Lock-free readers and sequence counters"): read without the lock:
 * load the slot's generation, copy its current copy, fence, load the generation again and
 * retry only if it changed (never wait for a writer: it may be dead); ERANGE copies nothing. */
ssize_t kv_get(struct kv *kv, const char *key, void *buf, size_t cap)
{
    (void)kv, (void)key, (void)buf, (void)cap;
    errno = ENOSYS;
    return -1;
}

/* TODO (handout lab3, "Reading and writing entries (kv_put, kv_get, kv_del)"): leave a
 * tombstone, not an empty slot, or keys stored after this one become unreachable. */
int kv_del(struct kv *kv, const char *key)
{
    (void)kv, (void)key;
    errno = ENOSYS;
    return -1;
}

/* TODO (handout lab3, "Store layout"): the entry count kept in the header. */
size_t kv_count(struct kv *kv)
{
    (void)kv;
    return 0;
}

/* TODO (handout lab3, "Persistence (kv_sync)"): msync the whole mapping with MS_SYNC. */
int kv_sync(struct kv *kv)
{
    (void)kv;
    errno = ENOSYS;
    return -1;
}

/* TODO (handout lab3, "Opening and creating a store (kv_open)"): munmap, close, free. */
int kv_close(struct kv *kv)
{
    (void)kv;
    errno = ENOSYS;
    return -1;
}

/* TODO (handout lab3, "Background: sharing by name"): unlink, or shm_unlink with KV_SHM. */
int kv_unlink(const char *name, int flags)
{
    (void)name, (void)flags;
    errno = ENOSYS;
    return -1;
}

/* TODO (handout lab3, "Reading and writing entries (kv_put, kv_get, kv_del)"): visit every
 * live entry (read it as kv_get does); return the first non-zero result of fn. */
int kv_foreach(struct kv *kv,
               int (*fn)(const char *key, const void *val, size_t len, void *arg),
               void *arg)
{
    (void)kv, (void)fn, (void)arg;
    errno = ENOSYS;
    return -1;
}
