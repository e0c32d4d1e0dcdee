/* kv_methods.c - three of Lab 3's benchmark tables: the reference kvstore in a file and in
 * a shm_open object (kv_get reads the mapping, no system call), and the same table kept in
 * a file that every access reads or writes with pread(2)/pwrite(2) (two system calls and
 * two copies per put; a torn read is seen by its head and tail sequence numbers). */
#ifdef MMBENCH_HAVE_KV
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv_backend.h"
#include "kvstore.h"
#include "mmbench.h"

unsigned long kv_hash(const char *key)
{
    unsigned long h = 1469598103934665603UL;

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211UL;
    return h;
}

/* ---- the reference kvstore, file or shm ------------------------------------------------ */
static int kvs_create(struct kv_table *t, int flags, void (*first)(long, char *, unsigned char *))
{
    struct kv *kv = kv_open(t->name, BC_KV_SLOTS, KV_CREATE | flags);
    unsigned char val[BC_KV_VALUE];
    char key[32];
    int rc = 0;

    if (kv == NULL)
        return -1;
    for (long i = 0; i < BC_KV_KEYS && rc == 0; i++) {
        first(i, key, val);
        rc = kv_put(kv, key, val, sizeof(val));
    }
    return kv_close(kv) == -1 ? -1 : rc;
}

static int file_create(struct kv_table *t, const char *dir,
                       void (*first)(long, char *, unsigned char *))
{
    snprintf(t->name, sizeof(t->name), "%s/mmbench-kv-%ld.kvs", dir, (long)getpid());
    cleanup_file(t->name);
    return kvs_create(t, 0, first);
}

static int shm_create(struct kv_table *t, const char *dir,
                      void (*first)(long, char *, unsigned char *))
{
    (void)dir;
    snprintf(t->name, sizeof(t->name), "/mmbench-kv-%ld", (long)getpid());
    cleanup_shm(t->name);
    return kvs_create(t, KV_SHM, first);
}

static void *file_open(const struct kv_table *t) { return kv_open(t->name, 0, 0); }
static void *shm_open_(const struct kv_table *t) { return kv_open(t->name, 0, KV_SHM); }
static ssize_t kvs_get(void *h, const char *key, void *buf, size_t cap)
{
    return kv_get(h, key, buf, cap);
}
static int kvs_put(void *h, const char *key, const void *val, size_t len)
{
    return kv_put(h, key, val, len);
}
static int kvs_close(void *h) { return kv_close(h); }

static void file_destroy(struct kv_table *t)
{
    if (kv_unlink(t->name, 0) == -1)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", t->name, strerror(errno));
    cleanup_forget(t->name);
}

static void shm_destroy(struct kv_table *t)
{
    if (kv_unlink(t->name, KV_SHM) == -1)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", t->name, strerror(errno));
    cleanup_forget(t->name);
}

const struct kv_ops kv_file_ops = { "kvstore-file", file_create, file_open, kvs_get, kvs_put,
                                    kvs_close, file_destroy };
const struct kv_ops kv_shm_ops = { "kvstore-shm", shm_create, shm_open_, kvs_get, kvs_put,
                                   kvs_close, shm_destroy };

/* ---- the same table through pread/pwrite ------------------------------------------------ */
struct record {                 /* one slot, 128 bytes: a page never splits one */
    uint64_t head;              /* sequence number, written first... */
    char key[32];
    uint32_t len, used;
    unsigned char val[BC_KV_VALUE];
    uint64_t tail;              /* ...and last: head != tail is a write in progress */
    char pad[128 - 8 - 32 - 8 - BC_KV_VALUE - 8];
};
_Static_assert(sizeof(struct record) == 128, "a record is 128 bytes");

struct ptable { int fd; };

/* The slot holding key (or the empty slot where it would go) and its record, read whole. */
static long find(int fd, const char *key, struct record *r)
{
    long slot = (long)(kv_hash(key) % BC_KV_SLOTS);

    for (int probes = 0; probes < BC_KV_SLOTS; probes++) {
        int tries = 0;

        do {
            if (pread(fd, r, sizeof(*r), slot * (long)sizeof(*r)) != (ssize_t)sizeof(*r))
                return errno = EIO, -1;
        } while (r->head != r->tail && ++tries < 1000);
        if (r->head != r->tail)
            return errno = EAGAIN, -1;
        if (!r->used || strcmp(r->key, key) == 0)
            return slot;
        slot = (slot + 1) % BC_KV_SLOTS;
    }
    return errno = ENOSPC, -1;
}

static int ptable_write(int fd, long slot, struct record *r, const char *key, const void *val,
                        size_t len)
{
    r->head = r->tail = r->head + 1;
    snprintf(r->key, sizeof(r->key), "%s", key);
    r->len = (uint32_t)len;
    r->used = 1;
    memcpy(r->val, val, len);
    return pwrite(fd, r, sizeof(*r), slot * (long)sizeof(*r)) == (ssize_t)sizeof(*r) ? 0 : -1;
}

static int pread_create(struct kv_table *t, const char *dir,
                        void (*first)(long, char *, unsigned char *))
{
    unsigned char val[BC_KV_VALUE];
    char key[32];
    int fd, rc = 0;

    snprintf(t->name, sizeof(t->name), "%s/mmbench-kv-%ld.table", dir, (long)getpid());
    cleanup_file(t->name);
    fd = open(t->name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd == -1)
        return -1;
    if (ftruncate(fd, (off_t)BC_KV_SLOTS * sizeof(struct record)) == -1)
        rc = -1;
    for (long i = 0; i < BC_KV_KEYS && rc == 0; i++) {
        struct record r;
        long slot;

        first(i, key, val);
        slot = find(fd, key, &r);
        rc = slot == -1 ? -1 : ptable_write(fd, slot, &r, key, val, sizeof(val));
    }
    return close(fd) == -1 ? -1 : rc;
}

static void *pread_open(const struct kv_table *t)
{
    struct ptable *p = malloc(sizeof(*p));

    if (p && (p->fd = open(t->name, O_RDWR)) == -1) {
        free(p);
        p = NULL;
    }
    return p;
}

static ssize_t pread_get(void *h, const char *key, void *buf, size_t cap)
{
    struct record r;

    if (find(((struct ptable *)h)->fd, key, &r) == -1)
        return -1;
    if (!r.used)
        return errno = ENOENT, -1;
    if (r.len > cap)
        return errno = ERANGE, -1;
    memcpy(buf, r.val, r.len);
    return r.len;
}

/* One writer per key (the benchmark's clients own disjoint keys): no lock needed. */
static int pread_put(void *h, const char *key, const void *val, size_t len)
{
    int fd = ((struct ptable *)h)->fd;
    struct record r;
    long slot = find(fd, key, &r);

    if (len > BC_KV_VALUE || strlen(key) >= sizeof(r.key))
        return errno = EMSGSIZE, -1;
    return slot == -1 ? -1 : ptable_write(fd, slot, &r, key, val, len);
}

static void pread_destroy(struct kv_table *t)
{
    if (unlink(t->name) == -1)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", t->name, strerror(errno));
    cleanup_forget(t->name);
}

static int pread_close(void *h)
{
    int rc = close(((struct ptable *)h)->fd);

    free(h);
    return rc;
}

const struct kv_ops kv_pread_ops = { "pread-pwrite", pread_create, pread_open, pread_get,
                                     pread_put, pread_close, pread_destroy };
#endif /* MMBENCH_HAVE_KV */
