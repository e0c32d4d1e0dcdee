/* kv_sqlite.c - Lab 3's benchmark table in SQLite, the database most programs would reach
 * for: one table (k TEXT PRIMARY KEY, v BLOB), WAL mode so readers do not block the writer,
 * synchronous=NORMAL (no fsync per commit, like kv_put without kv_sync), prepared statements,
 * each put its own transaction. Every client process opens the file itself. */
#ifdef MMBENCH_HAVE_KV
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv_backend.h"
#include "mmbench.h"

struct sq { sqlite3 *db; sqlite3_stmt *get, *put; };

static int sq_create(struct kv_table *t, const char *dir,
                     void (*first)(long, char *, unsigned char *))
{
    sqlite3 *db;
    sqlite3_stmt *ins = NULL;
    unsigned char val[BC_KV_VALUE];
    char key[32], shm[4300];
    int rc;

    snprintf(t->name, sizeof(t->name), "%s/mmbench-kv-%ld.sqlite", dir, (long)getpid());
    snprintf(t->aux, sizeof(t->aux), "%s-wal", t->name);
    snprintf(shm, sizeof(shm), "%s-shm", t->name);
    cleanup_file(t->name);
    cleanup_file(t->aux);
    cleanup_file(shm);
    unlink(t->name);
    rc = sqlite3_open_v2(t->name, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE kv (k TEXT PRIMARY KEY, "
                          "v BLOB) WITHOUT ROWID; BEGIN;", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO kv VALUES (?1, ?2)", -1, &ins, NULL);
    for (long i = 0; i < BC_KV_KEYS && rc == SQLITE_OK; i++) {
        first(i, key, val);
        sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 2, val, sizeof(val), SQLITE_TRANSIENT);
        rc = sqlite3_step(ins) == SQLITE_DONE ? sqlite3_reset(ins) : SQLITE_ERROR;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "mmbench: %s: %s\n", t->name, sqlite3_errmsg(db));
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : (errno = EIO, -1);
}

static void *sq_open(const struct kv_table *t)
{
    struct sq *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    if (sqlite3_open_v2(t->name, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) == SQLITE_OK &&
        sqlite3_busy_timeout(s->db, 5000) == SQLITE_OK &&
        sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "SELECT v FROM kv WHERE k = ?1", -1, &s->get,
                           NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "UPDATE kv SET v = ?2 WHERE k = ?1", -1, &s->put,
                           NULL) == SQLITE_OK)
        return s;
    fprintf(stderr, "mmbench: %s: %s\n", t->name, sqlite3_errmsg(s->db));
    sqlite3_finalize(s->get);
    sqlite3_close(s->db);
    free(s);
    errno = EIO;
    return NULL;
}

static ssize_t sq_get(void *h, const char *key, void *buf, size_t cap)
{
    struct sq *s = h;
    ssize_t len = -1;
    int rc;

    sqlite3_bind_text(s->get, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s->get);
    if (rc == SQLITE_ROW) {
        len = sqlite3_column_bytes(s->get, 0);
        if ((size_t)len > cap)
            len = -1, errno = ERANGE;
        else
            memcpy(buf, sqlite3_column_blob(s->get, 0), len);
    } else {
        errno = rc == SQLITE_DONE ? ENOENT : EIO;
    }
    sqlite3_reset(s->get);
    return len;
}

static int sq_put(void *h, const char *key, const void *val, size_t len)
{
    struct sq *s = h;
    int rc;

    sqlite3_bind_text(s->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s->put, 2, val, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(s->put);
    sqlite3_reset(s->put);
    if (rc != SQLITE_DONE)
        return errno = EIO, -1;
    return sqlite3_changes(s->db) == 1 ? 0 : (errno = ENOENT, -1);
}

static int sq_close(void *h)
{
    struct sq *s = h;
    int rc;

    sqlite3_finalize(s->get);
    sqlite3_finalize(s->put);
    rc = sqlite3_close(s->db);
    free(s);
    return rc == SQLITE_OK ? 0 : (errno = EBUSY, -1);
}

static void sq_destroy(struct kv_table *t)
{
    char shm[4300];

    snprintf(shm, sizeof(shm), "%s-shm", t->name);
    unlink(shm);                    /* the last connection's close removes it already */
    unlink(t->aux);
    if (unlink(t->name) == -1)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", t->name, strerror(errno));
    cleanup_forget(t->name);
    cleanup_forget(t->aux);
    cleanup_forget(shm);
}

const struct kv_ops kv_sqlite_ops = { "sqlite-wal", sq_create, sq_open, sq_get, sq_put,
                                      sq_close, sq_destroy };
#endif /* MMBENCH_HAVE_KV */
