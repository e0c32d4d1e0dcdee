/* kv_backend.h - the five ways Lab 3's benchmark lets unrelated processes share one
 * key-value table (kv_methods.c, kv_server.c, kv_sqlite.c), behind one interface that the
 * driver (wl_kv.c) times. Built only with MMBENCH_HAVE_KV (Lab 3's reference and SQLite). */
#ifndef KV_BACKEND_H
#define KV_BACKEND_H

#include <stddef.h>
#include <sys/types.h>

struct kv_table {
    const struct kv_ops *ops;
    char name[4200];            /* file path, shm name or socket path */
    char aux[4300];             /* SQLite's -wal file; unused by the others */
    pid_t server;               /* the socket server, or 0 */
};

struct kv_ops {
    const char *method;         /* the series name: "kvstore-file", "sqlite-wal"... */
    /* parent: makes the table under dir holding nkeys keys with their first values */
    int (*create)(struct kv_table *t, const char *dir,
                  void (*first)(long i, char *key, unsigned char *val));
    void *(*open)(const struct kv_table *t);        /* a client's handle, NULL + errno */
    /* the value's length, or -1 with errno (ENOENT: no such key) */
    ssize_t (*get)(void *h, const char *key, void *buf, size_t cap);
    int (*put)(void *h, const char *key, const void *val, size_t len);
    int (*close)(void *h);
    void (*destroy)(struct kv_table *t);            /* stops the server, removes the table */
};

extern const struct kv_ops kv_file_ops, kv_shm_ops, kv_pread_ops, kv_socket_ops, kv_sqlite_ops;

unsigned long kv_hash(const char *key);         /* FNV-1a: every table's slot choice */

#endif /* KV_BACKEND_H */
