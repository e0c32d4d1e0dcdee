/* kvstore.c - reference solution of Lab 3: a fixed-size hash table in a MAP_SHARED mapping
 * that unrelated programs open by name, guarded by a process-shared robust mutex, with
 * lock-free readers that see each value whole and never wait (two copies per slot).
 * Build and test: make lab3-tests && build/tests/lab3-solution/run (handout lab3). */
#include "kvstore.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- Layout ----------------------------------------------------------------------------
 * [header, HDR_SIZE bytes][slot 0][slot 1]...[slot nslots-1]. A slot holds two copies of an
 * entry and a generation counter, seq; seq & 1 says which copy is current. A writer fills
 * the other copy and then bumps seq, so a change becomes visible in one atomic store. There
 * is no "being written" state: a writer killed halfway has touched only the copy nobody
 * trusts and left seq as it was, so no reader ever waits for it (a seqlock whose readers
 * wait while seq is odd would hang them forever behind a dead writer). */
#define KV_READY     0x52454459u    /* "REDY": the creator finished initialising */
#define OPEN_WAIT_MS 2000           /* how long an opener waits for a concurrent creator */
#define CREATE_RETRIES 100          /* create-or-open rounds lost to a concurrent unlink */

enum { SLOT_EMPTY = 0, SLOT_LIVE = 1, SLOT_DEAD = 2 };     /* DEAD: a tombstone */

struct kv_header {
    _Atomic uint32_t magic;         /* KV_MAGIC (kvstore.h), stored after version */
    uint32_t         version;       /* KV_VERSION */
    _Atomic uint32_t state;         /* 0 while the creator initialises, KV_READY after */
    uint32_t         slot_size;     /* sizeof (struct kv_slot): guards against other layouts */
    uint64_t         nslots;        /* capacity, fixed at creation */
    _Atomic uint64_t count;         /* live entries */
    pthread_mutex_t  lock;          /* process-shared and robust: guards every change */
};

struct kv_entry {
    uint32_t      state;                /* SLOT_EMPTY, SLOT_LIVE or SLOT_DEAD */
    uint32_t      hash;                 /* of key, to skip most key comparisons */
    uint32_t      len;                  /* bytes of val in use */
    char          key[KV_KEY_MAX + 1];  /* NUL-terminated */
    unsigned char val[KV_VALUE_MAX];
};

struct kv_slot {
    _Alignas(64) _Atomic uint32_t seq;  /* generation: +1 per change; seq & 1 = current copy */
    struct kv_entry e[2];
};

#define HDR_SIZE (((sizeof(struct kv_header) + 63) / 64) * 64)

struct kv {
    struct kv_header *hdr;
    struct kv_slot   *slots;
    size_t            map_len;
    int               fd;
    int               rdonly;
};

_Static_assert(sizeof(struct kv_header) <= HDR_SIZE, "header fits its space");
_Static_assert(offsetof(struct kv_header, magic) == 0 &&
               offsetof(struct kv_header, version) == 4, "kvstore.h fixes the first words");

/* The header's first word must be the magic and the second the version. */
static uint32_t hdr_word(const struct kv_header *h, int i)
{
    return atomic_load_explicit((_Atomic uint32_t *)h + i, memory_order_acquire);
}

/* ---- Names: a file path or a shared-memory object ------------------------------------- */

static int obj_open(const char *name, int oflag, int flags)
{
    if (flags & KV_SHM)
        return shm_open(name, oflag, 0666);
    return open(name, oflag | O_CLOEXEC, 0666);
}

static int obj_unlink(const char *name, int flags)
{
    return (flags & KV_SHM) ? shm_unlink(name) : unlink(name);
}

/* Opens the object, creating it with O_EXCL when allowed: whoever creates it initialises
 * it, everybody else only waits for it. *created tells which one we are. */
static int obj_open_or_create(const char *name, size_t nslots, int flags, int *created)
{
    int oflag = (flags & KV_RDONLY) ? O_RDONLY : O_RDWR;

    *created = 0;
    if (!(flags & KV_CREATE) || nslots == 0) {
        int fd = obj_open(name, oflag, flags);
        if (fd == -1 && errno == ENOENT && (flags & KV_CREATE))
            errno = EINVAL;             /* creating a store needs nslots > 0 */
        return fd;
    }
    for (int tries = 0; tries < CREATE_RETRIES; tries++) {
        int fd = obj_open(name, O_RDWR | O_CREAT | O_EXCL, flags);
        if (fd != -1) {
            *created = 1;               /* we initialise it; everybody else waits */
            return fd;
        }
        if (errno != EEXIST)
            return -1;
        fd = obj_open(name, oflag, flags);
        if (fd != -1 || errno != ENOENT)
            return fd;
        /* Unlinked between our two opens: try to create it again. */
    }
    errno = ENOENT;
    return -1;
}

/* ---- Creating and attaching ------------------------------------------------------------ */

static size_t store_size(uint64_t nslots)
{
    if (nslots == 0 || nslots > (SIZE_MAX - HDR_SIZE) / sizeof(struct kv_slot) ||
        HDR_SIZE + nslots * sizeof(struct kv_slot) > (uint64_t)INT64_MAX)
        return 0;
    return HDR_SIZE + nslots * sizeof(struct kv_slot);
}

static int init_mutex(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);

    if (rc == 0)
        rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return rc;
}

/* The creator's part: size the new (empty) object, fill in the header, and publish the
 * ready state last, so an opener that sees KV_READY sees a complete store. The slots need
 * no writing: ftruncate fills them with zeros, which is SLOT_EMPTY with seq 0. */
static int init_store(int fd, size_t nslots)
{
    size_t size = store_size(nslots);

    if (size == 0) {
        errno = EINVAL;                 /* nslots too large: the size would overflow */
        return -1;
    }
    if (ftruncate(fd, (off_t)size) == -1)
        return -1;
    struct kv_header *h = mmap(NULL, HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED)
        return -1;
    h->version = KV_VERSION;
    atomic_store_explicit(&h->magic, KV_MAGIC, memory_order_release);
    h->slot_size = sizeof(struct kv_slot);
    h->nslots = nslots;
    atomic_store_explicit(&h->count, 0, memory_order_relaxed);
    int rc = init_mutex(&h->lock);
    if (rc == 0)
        atomic_store_explicit(&h->state, KV_READY, memory_order_release);
    if (munmap(h, HDR_SIZE) == -1 && rc == 0)
        return -1;
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Looks at the header of an object at least HDR_SIZE long. Returns 1 if it is a ready store
 * (*nslots filled in), 0 if a creator may still be initialising it, -1 with errno. */
static int read_header(int fd, uint64_t *nslots)
{
    struct kv_header *h = mmap(NULL, HDR_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    int ready = 0;

    if (h == MAP_FAILED)
        return -1;
    uint32_t magic = hdr_word(h, 0), state = atomic_load_explicit(&h->state,
                                                                  memory_order_acquire);
    if (magic != 0 && (magic != KV_MAGIC || hdr_word(h, 1) != KV_VERSION)) {
        errno = EINVAL;                 /* somebody else's file, or another version */
        ready = -1;
    } else if (state == KV_READY) {
        *nslots = h->nslots;
        ready = 1;
        if (magic != KV_MAGIC || h->slot_size != sizeof(struct kv_slot)) {
            errno = EINVAL;
            ready = -1;
        }
    } else if (state != 0) {
        errno = EINVAL;
        ready = -1;
    }
    /* Unchecked on purpose: unmapping a whole mapping we just made cannot fail (EINVAL
     * needs a bad address, ENOMEM a split), and the header's verdict is already known. */
    munmap(h, HDR_SIZE);
    return ready;
}

/* Waits (at most OPEN_WAIT_MS) until the object is a complete store and returns its size
 * and capacity. Nothing past the end of the object is ever touched: the header is mapped
 * only once fstat says it is all there, the slots once fstat says they are. */
static int wait_ready(int fd, size_t *size, uint64_t *nslots)
{
    long long deadline = now_ms() + OPEN_WAIT_MS;
    struct stat sb;

    for (;;) {
        if (fstat(fd, &sb) == -1)
            return -1;
        if (!S_ISREG(sb.st_mode)) {
            errno = ENODEV;             /* what mmap says of a directory or a device */
            return -1;
        }
        /* A creator's ftruncate sets the whole size at once: anything between 0 and the
         * header size can only be a file that is not a store. */
        if (sb.st_size > 0 && (size_t)sb.st_size < HDR_SIZE)
            break;
        if (sb.st_size > 0) {
            int ready = read_header(fd, nslots);
            if (ready == -1)
                return -1;
            if (ready == 1) {
                *size = store_size(*nslots);
                if (*size == 0 || (uint64_t)sb.st_size < *size)
                    break;                  /* truncated: its slots are not all there */
                return 0;
            }
        }
        if (now_ms() > deadline)
            break;
        struct timespec pause = { 0, 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    errno = EINVAL;
    return -1;
}

/* kv_open: kvstore.h has the contract; here, open or create (O_EXCL decides who
 * initialises), wait for the ready mark, then map the whole store. */
struct kv *kv_open(const char *name, size_t nslots, int flags)
{
    struct kv *kv;
    size_t size;
    uint64_t cap;
    int created, saved;

    if (name == NULL || (flags & ~(KV_CREATE | KV_RDONLY | KV_SHM)) ||
        ((flags & KV_SHM) && name[0] != '/')) {
        errno = EINVAL;
        return NULL;
    }
    if ((kv = calloc(1, sizeof *kv)) == NULL)
        return NULL;
    kv->rdonly = (flags & KV_RDONLY) != 0;
    kv->fd = obj_open_or_create(name, nslots, flags, &created);
    if (kv->fd == -1)
        goto out_free;
    if (created && init_store(kv->fd, nslots) == -1) {
        saved = errno;
        obj_unlink(name, flags);        /* nobody must wait for a store that never comes */
        errno = saved;
        goto out_close;
    }
    if (wait_ready(kv->fd, &size, &cap) == -1)
        goto out_close;
    int prot = kv->rdonly ? PROT_READ : PROT_READ | PROT_WRITE;
    void *base = mmap(NULL, size, prot, MAP_SHARED, kv->fd, 0);
    if (base == MAP_FAILED)
        goto out_close;
    kv->hdr = base;
    kv->slots = (struct kv_slot *)((char *)base + HDR_SIZE);
    kv->map_len = size;
    return kv;

out_close:
    /* Unchecked on purpose: the open already failed and its errno is what the caller needs;
     * Linux releases the descriptor even when close reports an error. */
    saved = errno;
    close(kv->fd);
    errno = saved;
out_free:
    saved = errno;
    free(kv);
    errno = saved;
    return NULL;
}

/* kv_close: kvstore.h has the contract; here, report the first of munmap's and close's
 * errors but free the handle whatever happens. */
int kv_close(struct kv *kv)
{
    int rc = 0, saved = 0;

    if (kv == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (munmap(kv->hdr, kv->map_len) == -1) {
        rc = -1;
        saved = errno;
    }
    if (close(kv->fd) == -1 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    free(kv);
    if (rc == -1)
        errno = saved;                  /* the first failure, not free's */
    return rc;
}

/* kv_unlink: kvstore.h has the contract; here, the same name checks as kv_open. */
int kv_unlink(const char *name, int flags)
{
    if (name == NULL || ((flags & KV_SHM) && name[0] != '/')) {
        errno = EINVAL;
        return -1;
    }
    return obj_unlink(name, flags);
}

/* kv_sync: kvstore.h has the contract; here, one MS_SYNC over the whole mapping (MS_ASYNC
 * would leave the pages dirty). */
int kv_sync(struct kv *kv)
{
    if (kv == NULL) {
        errno = EINVAL;
        return -1;
    }
    return msync(kv->hdr, kv->map_len, MS_SYNC);
}

/* kv_count: kvstore.h has the contract; here, a relaxed load: a count, not a snapshot. */
size_t kv_count(struct kv *kv)
{
    return kv ? (size_t)atomic_load_explicit(&kv->hdr->count, memory_order_relaxed) : 0;
}

/* ---- The lock -------------------------------------------------------------------------- */

/* After a holder died: every slot is consistent (a dead writer only touched a copy nobody
 * reads), but the count may be off by the one change it did not finish counting. */
static void repair(struct kv *kv)
{
    uint64_t live = 0;

    for (uint64_t i = 0; i < kv->hdr->nslots; i++) {
        struct kv_slot *s = &kv->slots[i];
        uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
        live += s->e[seq & 1].state == SLOT_LIVE;
    }
    atomic_store_explicit(&kv->hdr->count, live, memory_order_relaxed);
}

static int kv_lock(struct kv *kv)
{
    int rc = pthread_mutex_lock(&kv->hdr->lock);

    if (rc == EOWNERDEAD) {
        repair(kv);
        rc = pthread_mutex_consistent(&kv->hdr->lock);
    }
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

static void kv_unlock(struct kv *kv)
{
    pthread_mutex_unlock(&kv->hdr->lock);
}

/* ---- Slots ----------------------------------------------------------------------------- */

static uint32_t hash_key(const char *key, size_t klen)
{
    uint32_t h = 2166136261u;           /* FNV-1a */
    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

/* Checks key; returns its length, or -1 with errno EINVAL / ENAMETOOLONG. */
static ssize_t check_key(const struct kv *kv, const char *key)
{
    if (kv == NULL || key == NULL || key[0] == '\0') {
        errno = EINVAL;
        return -1;
    }
    size_t klen = strnlen(key, KV_KEY_MAX + 1);
    if (klen > KV_KEY_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return (ssize_t)klen;
}

/* The current entry of a slot, for the lock holder (nobody else changes it). */
static struct kv_entry *current(struct kv_slot *s)
{
    return &s->e[atomic_load_explicit(&s->seq, memory_order_relaxed) & 1];
}

/* Lock held: returns the slot holding key, or -1 with *free_slot set to the first slot a
 * new key may take (-1 if none). Linear probing visits each slot at most once. */
static long find_locked(struct kv *kv, const char *key, size_t klen, uint32_t h,
                        long *free_slot)
{
    uint64_t n = kv->hdr->nslots;

    *free_slot = -1;
    for (uint64_t probe = 0; probe < n; probe++) {
        long i = (long)((h + probe) % n);
        const struct kv_entry *e = current(&kv->slots[i]);
        if (e->state == SLOT_LIVE && e->hash == h && memcmp(e->key, key, klen + 1) == 0)
            return i;
        if (e->state != SLOT_LIVE && *free_slot == -1)
            *free_slot = i;
        if (e->state == SLOT_EMPTY)
            break;                      /* the key was never stored past an empty slot */
    }
    return -1;
}

/* Lock held: writes the new contents into the copy nobody reads, then makes it current. */
static void publish(struct kv_slot *s, uint32_t state, uint32_t h, const char *key,
                    size_t klen, const void *val, size_t len)
{
    uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
    struct kv_entry *e = &s->e[(seq + 1) & 1];

    /* A reader that sees any byte written below also sees a seq != the one it started
     * with, and retries. */
    atomic_thread_fence(memory_order_release);
    e->state = state;
    e->hash = h;
    e->len = (uint32_t)len;
    memcpy(e->key, key, klen);
    e->key[klen] = '\0';
    if (len > 0)
        memcpy(e->val, val, len);
    atomic_store_explicit(&s->seq, seq + 1, memory_order_release);
}

/* Lock-free read of slot s: *match says whether its current entry is live and holds key
 * (any live key when key is NULL); then *out holds its value (and its key when key is
 * NULL). Returns the entry's state. Retries until it read one whole version of the slot,
 * which takes one pass unless a writer published meanwhile: it never waits for a writer. */
static uint32_t snapshot(const struct kv_slot *s, const char *key, size_t klen, uint32_t h,
                         struct kv_entry *out, int *match)
{
    for (;;) {
        uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        const volatile struct kv_entry *e = &s->e[seq & 1];
        uint32_t state = e->state, len = e->len;
        int same = state == SLOT_LIVE &&
                   (key == NULL || (e->hash == h &&
                                    memcmp((const char *)e->key, key, klen + 1) == 0));
        if (same) {
            out->len = len > KV_VALUE_MAX ? KV_VALUE_MAX : len;
            memcpy(out->val, (const unsigned char *)e->val, out->len);
            if (key == NULL)
                memcpy(out->key, (const char *)e->key, sizeof out->key);
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->seq, memory_order_relaxed) == seq) {
            out->key[KV_KEY_MAX] = '\0';
            *match = same;
            return state;
        }
    }
}

/* ---- Entries --------------------------------------------------------------------------- */

/* kv_put: kvstore.h has the contract; here, every argument check before the lock, then
 * one probe finds the key or the first free slot (tombstones included). */
int kv_put(struct kv *kv, const char *key, const void *val, size_t len)
{
    ssize_t klen = check_key(kv, key);
    long i, free_slot;

    if (klen == -1)
        return -1;
    if (len > KV_VALUE_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    if (val == NULL && len > 0) {
        errno = EINVAL;
        return -1;
    }
    if (kv->rdonly) {
        errno = EBADF;
        return -1;
    }
    uint32_t h = hash_key(key, (size_t)klen);
    if (kv_lock(kv) == -1)
        return -1;
    i = find_locked(kv, key, (size_t)klen, h, &free_slot);
    if (i == -1 && free_slot == -1) {
        kv_unlock(kv);
        errno = ENOSPC;
        return -1;
    }
    publish(&kv->slots[i != -1 ? i : free_slot], SLOT_LIVE, h, key, (size_t)klen, val, len);
    if (i == -1)
        atomic_fetch_add_explicit(&kv->hdr->count, 1, memory_order_relaxed);
    kv_unlock(kv);
    return 0;
}

/* kv_get: kvstore.h has the contract; here, lock-free: probe with snapshot() and check the
 * length against cap before copying anything. */
ssize_t kv_get(struct kv *kv, const char *key, void *buf, size_t cap)
{
    ssize_t klen = check_key(kv, key);
    struct kv_entry e;
    int match;

    if (klen == -1)
        return -1;
    if (buf == NULL && cap > 0) {
        errno = EINVAL;
        return -1;
    }
    uint32_t h = hash_key(key, (size_t)klen);
    uint64_t n = kv->hdr->nslots;
    for (uint64_t probe = 0; probe < n; probe++) {
        uint32_t state = snapshot(&kv->slots[(h + probe) % n], key, (size_t)klen, h, &e,
                                  &match);
        if (match) {
            if (e.len > cap) {
                errno = ERANGE;         /* and buf untouched */
                return -1;
            }
            if (e.len > 0)
                memcpy(buf, e.val, e.len);
            return (ssize_t)e.len;
        }
        if (state == SLOT_EMPTY)
            break;
    }
    errno = ENOENT;
    return -1;
}

/* kv_del: kvstore.h has the contract; here, the slot becomes a tombstone under the lock. */
int kv_del(struct kv *kv, const char *key)
{
    ssize_t klen = check_key(kv, key);
    long i, free_slot;

    if (klen == -1)
        return -1;
    if (kv->rdonly) {
        errno = EBADF;
        return -1;
    }
    uint32_t h = hash_key(key, (size_t)klen);
    if (kv_lock(kv) == -1)
        return -1;
    i = find_locked(kv, key, (size_t)klen, h, &free_slot);
    if (i == -1) {
        kv_unlock(kv);
        errno = ENOENT;
        return -1;
    }
    /* A tombstone, not an empty slot: keys stored past this one stay reachable. */
    publish(&kv->slots[i], SLOT_DEAD, 0, "", 0, NULL, 0);
    atomic_fetch_sub_explicit(&kv->hdr->count, 1, memory_order_relaxed);
    kv_unlock(kv);
    return 0;
}

/* kv_foreach: kvstore.h has the contract; here, a lock-free snapshot of each slot in turn,
 * so fn runs without the lock held. */
int kv_foreach(struct kv *kv,
               int (*fn)(const char *key, const void *val, size_t len, void *arg),
               void *arg)
{
    struct kv_entry e;
    int match;

    if (kv == NULL || fn == NULL) {
        errno = EINVAL;
        return -1;
    }
    for (uint64_t i = 0; i < kv->hdr->nslots; i++) {
        snapshot(&kv->slots[i], NULL, 0, 0, &e, &match);
        if (match) {
            int rc = fn(e.key, e.val, e.len, arg);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}
