/* wl_kv.c - Lab 3's figure: client processes that share nothing but a name doing gets, then
 * puts, on one key-value table kept five ways (kv_backend.h), with 1 and 2 clients. Every
 * get must return exactly the value last put under its key, and after each put sample every
 * key must hold its writer's last value: a method wrong once is dropped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mmbench.h"

#ifndef MMBENCH_HAVE_KV
int wl_kv(const struct bench_opts *o, struct series_list *l)
{
    (void)o, (void)l;
    env_set("kv", "not built (Lab 3's kvstore.c or SQLite's header missing)");
    return 0;
}
#else
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kv_backend.h"

enum { GET, PUT };
static const struct kv_ops *const backends[] = {
    &kv_file_ops, &kv_shm_ops, &kv_pread_ops, &kv_socket_ops, &kv_sqlite_ops,
};
#define NBACK ((int)(sizeof(backends) / sizeof(backends[0])))

/* A value names its key, its writer and its sequence number, so any mix-up shows. */
struct value {
    char key[16];
    uint32_t writer, zero;
    uint64_t seq;
    unsigned char fill[BC_KV_VALUE - 40];
    uint64_t sum;
};
_Static_assert(sizeof(struct value) == BC_KV_VALUE, "a value is BC_KV_VALUE bytes");

struct shared {                 /* MAP_SHARED anonymous: clients report here */
    atomic_int ready;
    double t0;                  /* when the parent let the clients go */
    double end[BC_KV_MAX_CLIENTS];
    long long ops[BC_KV_MAX_CLIENTS], bad[BC_KV_MAX_CLIENTS];
    char why[BC_KV_MAX_CLIENTS][160];
    uint32_t writer[NBACK][BC_KV_KEYS];     /* what each key holds now, per table */
    uint64_t seq[NBACK][BC_KV_KEYS];
};

struct kvrun {
    const struct bench_opts *o;
    struct kv_table tab[NBACK];
    struct shared *sh;
    int op, nclients;
    double seconds;             /* how long the clients run */
    uint64_t seed;
};

static void key_of(long i, char *key) { snprintf(key, 16, "key-%05ld", i); }

static void make_value(long i, uint32_t writer, uint64_t seq, struct value *v)
{
    memset(v, 0, sizeof(*v));
    key_of(i, v->key);
    v->writer = writer;
    v->seq = seq;
    for (size_t k = 0; k < sizeof(v->fill); k++)
        v->fill[k] = (unsigned char)(seq * 31 + k);
    v->sum = kv_hash(v->key) ^ (seq * 0x9e3779b97f4a7c15ULL) ^ writer;
}

static void first_value(long i, char *key, unsigned char *val)
{
    key_of(i, key);
    make_value(i, 0, 1, (struct value *)val);
}

static void describe(char *why, size_t len, long i, const void *got, ssize_t n, uint32_t w,
                     uint64_t seq)
{
    const struct value *v = got;

    if (n != BC_KV_VALUE)
        snprintf(why, len, "wrong: key-%05ld: got %zd bytes, expected %d", i, n, BC_KV_VALUE);
    else
        snprintf(why, len, "wrong: key-%05ld holds writer %u seq %llu, expected writer %u "
                 "seq %llu", i, v->writer, (unsigned long long)v->seq, w,
                 (unsigned long long)seq);
}

/* One client process: open by name, wait for the start, work until the deadline. */
static void client(struct kvrun *r, int b, int c, int go)
{
    static uint32_t writer[BC_KV_KEYS];
    static uint64_t seq[BC_KV_KEYS];
    struct shared *sh = r->sh;
    const struct kv_ops *ops = backends[b];
    uint64_t x = r->seed * (c + 1) | 1;
    long long n = 0, bad = 0;
    struct value want, got;
    char key[16], byte;
    void *h = ops->open(&r->tab[b]);

    alarm(BC_CHILD_TIMEOUT_S);
    memcpy(writer, sh->writer[b], sizeof(writer));
    memcpy(seq, sh->seq[b], sizeof(seq));
    if (h == NULL)
        snprintf(sh->why[c], sizeof(sh->why[c]), "client cannot open %s: %s", r->tab[b].name,
                 strerror(errno));
    atomic_fetch_add(&sh->ready, 1);
    if (h == NULL || read(go, &byte, 1) != 1)
        _exit(1);
    do {
        for (int k = 0; k < 16; k++, n++) {
            long i;
            ssize_t len;

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (r->op == GET) {
                i = (long)(x % BC_KV_KEYS);
                key_of(i, key);
                make_value(i, writer[i], seq[i], &want);
                len = ops->get(h, key, &got, sizeof(got));
                if (len != BC_KV_VALUE || memcmp(&got, &want, sizeof(got)) != 0) {
                    if (bad++ == 0)
                        describe(sh->why[c], sizeof(sh->why[c]), i, &got, len, writer[i],
                                 seq[i]);
                }
                continue;
            }
            i = c + (long)(x % (BC_KV_KEYS / r->nclients)) * r->nclients;   /* its own keys */
            key_of(i, key);
            make_value(i, writer[i] = c + 1, ++seq[i], &want);
            if (ops->put(h, key, &want, sizeof(want)) == -1 && bad++ == 0)
                snprintf(sh->why[c], sizeof(sh->why[c]), "put %s: %s", key, strerror(errno));
        }
    } while (now_s() < sh->t0 + r->seconds);
    sh->end[c] = now_s();
    sh->ops[c] = n;
    sh->bad[c] = bad;
    for (long i = c; r->op == PUT && i < BC_KV_KEYS; i += r->nclients) {
        sh->writer[b][i] = writer[i];
        sh->seq[b][i] = seq[i];
    }
    _exit(ops->close(h) == -1 ? 1 : 0);
}

/* After puts: every key holds exactly what its writer put last. */
static int verify(struct kvrun *r, int b, char *why, size_t whylen)
{
    const struct kv_ops *ops = backends[b];
    void *h = ops->open(&r->tab[b]);
    struct value want, got;
    char key[16];
    int rc = 0;

    if (h == NULL) {
        snprintf(why, whylen, "cannot open %s to check it: %s", r->tab[b].name,
                 strerror(errno));
        return -1;
    }
    for (long i = 0; i < BC_KV_KEYS && rc == 0; i++) {
        ssize_t n;

        key_of(i, key);
        make_value(i, r->sh->writer[b][i], r->sh->seq[b][i], &want);
        n = ops->get(h, key, &got, sizeof(got));
        if (n != BC_KV_VALUE || memcmp(&got, &want, sizeof(got)) != 0) {
            describe(why, whylen, i, &got, n, r->sh->writer[b][i], r->sh->seq[b][i]);
            rc = -1;
        }
    }
    return ops->close(h) == -1 ? -1 : rc;
}

static int start_clients(struct kvrun *r, int b, pid_t *pid, int go[2], char *why, size_t len)
{
    struct timespec tick = { 0, 100000 };
    double give_up;

    fflush(NULL);
    for (int c = 0; c < r->nclients; c++) {
        if ((pid[c] = fork()) == 0) {
            close(go[1]);
            client(r, b, c, go[0]);
        }
        if (pid[c] == -1) {
            snprintf(why, len, "fork: %s", strerror(errno));
            return -1;
        }
        cleanup_pid(pid[c]);
    }
    give_up = now_s() + BC_KV_STARTUP_S;
    while (atomic_load(&r->sh->ready) < r->nclients && now_s() < give_up)
        nanosleep(&tick, NULL);
    if (atomic_load(&r->sh->ready) < r->nclients) {
        snprintf(why, len, "clients did not open the table within %.0f s", BC_KV_STARTUP_S);
        return -1;
    }
    return 0;
}

static double op_kv(void *arg, int b, double *units, char *why, size_t whylen)
{
    struct kvrun *r = arg;
    struct shared *sh = r->sh;
    pid_t pid[BC_KV_MAX_CLIENTS] = { 0 };
    int go[2], failed;
    double last = 0;

    atomic_store(&sh->ready, 0);
    memset(sh->why, 0, sizeof(sh->why));
    memset(sh->bad, 0, sizeof(sh->bad));
    r->seed = r->seed * 6364136223846793005ULL + 1442695040888963407ULL;
    if (pipe(go) == -1) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return -1;
    }
    failed = start_clients(r, b, pid, go, why, whylen);
    sh->t0 = now_s();
    if (!failed && write(go[1], "gogo", r->nclients) != r->nclients)
        failed = snprintf(why, whylen, "cannot start the clients: %s", strerror(errno));
    close(go[0]);
    close(go[1]);                       /* a client still waiting reads EOF and exits */
    for (int c = 0; c < r->nclients && pid[c] > 0; c++) {
        int status;

        if (failed)
            kill(pid[c], SIGKILL);
        while (waitpid(pid[c], &status, 0) == -1 && errno == EINTR)
            ;
        cleanup_forget_pid(pid[c]);
        if (!failed && (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || sh->bad[c])) {
            failed = 1;
            snprintf(why, whylen, "%s", sh->why[c][0] ? sh->why[c]
                     : WIFSIGNALED(status) ? "a client was killed by a signal"
                     : "a client failed");
        }
    }
    if (failed || (r->op == PUT && verify(r, b, why, whylen) == -1))
        return -1;
    *units = 0;
    for (int c = 0; c < r->nclients; c++) {
        *units += sh->ops[c];
        last = sh->end[c] > last ? sh->end[c] : last;
    }
    return last - sh->t0;
}

static void destroy_all(struct kvrun *r)
{
    for (int b = 0; b < NBACK; b++)
        if (r->tab[b].ops)
            r->tab[b].ops->destroy(&r->tab[b]);
}

int wl_kv(const struct bench_opts *o, struct series_list *l)
{
    struct kvrun r = { .o = o, .seconds = o->min_sample, .seed = 0x9e3779b97f4a7c15ULL };
    char label[64];
    int rc = 0;

    r.sh = mmap(NULL, sizeof(*r.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r.sh == MAP_FAILED)
        return fprintf(stderr, "mmbench: kv: mmap: %s\n", strerror(errno)), -1;
    for (int b = 0; b < NBACK && rc == 0; b++) {
        for (long i = 0; i < BC_KV_KEYS; i++)
            r.sh->seq[b][i] = 1;
        if (backends[b]->create(&r.tab[b], o->dir, first_value) == -1) {
            fprintf(stderr, "mmbench: kv: cannot make the %s table %s: %s\n",
                    backends[b]->method, r.tab[b].name, strerror(errno));
            rc = -1;
        }
        r.tab[b].ops = backends[b];
    }
    env_set("kv", "Lab 3's reference kvstore.c (file and KV_SHM), a pread/pwrite table, a "
            "Unix-socket server, SQLite %s (WAL, synchronous=NORMAL); %d keys, %d-byte values; "
            "clients forked before they open the table by name, each running %.0f ms per "
            "sample", sqlite3_libversion(), BC_KV_KEYS, BC_KV_VALUE, r.seconds * 1e3);
    for (int op = GET; op <= PUT && rc == 0; op++)
        for (int n = 1; n <= BC_KV_MAX_CLIENTS && rc == 0; n++) {
            struct series *ser[NBACK];
            struct point p = { .label = label, .arg = &r, .op = op_kv, .nmethods = NBACK,
                               .series = ser, .cache = CACHE_NONE, .unit_scale = 1e-6 };

            r.op = op;
            r.nclients = n;
            snprintf(label, sizeof(label), "kv %s, %d client%s", op == GET ? "gets" : "puts",
                     n, n > 1 ? "s" : "");
            for (int b = 0; b < NBACK && rc == 0; b++)
                if ((ser[b] = series_add(l, op == GET ? "kv-get" : "kv-put",
                                         backends[b]->method, b, n, CACHE_NONE,
                                         "Mops/s")) == NULL)
                    rc = -1;
            if (rc == 0)
                run_point(o, &p);
        }
    progress_done(o);
    destroy_all(&r);
    munmap(r.sh, sizeof(*r.sh));
    return rc;
}
#endif /* MMBENCH_HAVE_KV */
