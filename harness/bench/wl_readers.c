/* wl_readers.c - many readers of one file: 1..N threads of one process doing random 4 KiB
 * reads, through one shared mapping (default or MADV_RANDOM) or with pread(2), warm and (as root) from inside a memory
 * cgroup smaller than the file. Counts what the kernel did per read: page faults (getrusage)
 * and TLB shootdowns (/proc/interrupts), the costs that make mmap scale badly under eviction. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmbench.h"

enum { R_PREAD, R_MMAP, R_MMAP_RANDOM, NMETHODS };
static const char *const names[NMETHODS] = { "pread", "mmap", "mmap-random" };

struct report {                 /* MAP_SHARED: the child's answer */
    double seconds;
    long long reads, faults, shootdowns, wrong;
    char why[160];
};

struct readers {
    const struct datafile *df;
    const struct cgroup *cg;    /* NULL: warm, no limit */
    int threads, method;
    double seconds;
    int lines[BC_PATTERN_SIZE / BC_RANDOM_OP];
    struct report *rep;
    const struct point *p;
    struct series *faults[NMETHODS], *tlb[NMETHODS];
};

struct reader {                 /* one thread */
    struct readers *c;
    pthread_barrier_t *start;
    int fd;
    const unsigned char *addr;
    uint64_t seed;
    double t0;
    long long reads, wrong;
};

static void *read_loop(void *arg)
{
    struct reader *t = arg;
    const struct readers *c = t->c;
    long pages = c->df->size / BC_RANDOM_OP;
    unsigned char buf[BC_RANDOM_OP];
    uint64_t x = t->seed;

    pthread_barrier_wait(t->start);
    do {
        for (int k = 0; k < 16; k++, t->reads++) {
            long off, got;

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            off = (long)(x % (uint64_t)pages) * BC_RANDOM_OP;
            if (t->addr)
                got = (long)count_newlines(t->addr + off, BC_RANDOM_OP);
            else if (pread(t->fd, buf, BC_RANDOM_OP, off) == BC_RANDOM_OP)
                got = (long)count_newlines(buf, BC_RANDOM_OP);
            else
                got = -1;
            t->wrong += got != c->lines[(off % BC_PATTERN_SIZE) / BC_RANDOM_OP];
        }
    } while (now_s() - t->t0 < c->seconds);
    return NULL;
}

/* Runs in the child: the threads share one mm, as a database's workers do. */
static int child(void *arg)
{
    struct readers *c = arg;
    struct report *r = c->rep;
    struct reader t[BC_READERS_MAX];
    pthread_t id[BC_READERS_MAX];
    pthread_barrier_t start;
    int fd = open(c->df->path, O_RDONLY), n = 0;
    const unsigned char *addr = NULL;
    long long f0, s0;
    double t0;

    if (fd == -1 || (c->method != R_PREAD && (addr = mmap(NULL, c->df->size, PROT_READ,
                                              MAP_SHARED, fd, 0)) == MAP_FAILED) ||
        (c->method == R_MMAP_RANDOM && madvise((void *)addr, c->df->size, MADV_RANDOM) == -1)) {
        snprintf(r->why, sizeof(r->why), "open, mmap or madvise: %s", strerror(errno));
        return -1;
    }
    pthread_barrier_init(&start, NULL, c->threads + 1);
    for (; n < c->threads; n++) {
        t[n] = (struct reader){ .c = c, .start = &start, .fd = fd, .addr = addr,
                                .seed = 0x9e3779b97f4a7c15ULL * (n + 1) ^ (uint64_t)c->p->round };
        if (pthread_create(&id[n], NULL, read_loop, &t[n]) != 0)
            break;
    }
    if (n < c->threads) {               /* the others wait at the barrier: exit ends them */
        snprintf(r->why, sizeof(r->why), "cannot start thread %d", n + 1);
        return -1;
    }
    f0 = faults_self();
    s0 = tlb_shootdowns();
    t0 = now_s();
    for (int i = 0; i < n; i++)
        t[i].t0 = t0;
    pthread_barrier_wait(&start);
    for (int i = 0; i < n; i++) {
        pthread_join(id[i], NULL);
        r->reads += t[i].reads;
        r->wrong += t[i].wrong;
    }
    r->seconds = now_s() - t0;
    r->faults = faults_self() - f0;
    r->shootdowns = tlb_shootdowns() - s0;
    if (addr)
        munmap((void *)addr, c->df->size);
    close(fd);
    if (r->wrong)
        snprintf(r->why, sizeof(r->why), "wrong: %lld of %lld reads counted the wrong lines",
                 r->wrong, r->reads);
    return r->wrong ? -1 : 0;
}

static double op_readers(void *arg, int m, double *units, char *why, size_t whylen)
{
    struct readers *c = arg;

    memset(c->rep, 0, sizeof(*c->rep));
    c->method = m;
    if (run_in_child(c->cg, child, c, c->rep->why, why, whylen) == -1)
        return -1;
    series_count(c->faults[m], c->p->round, c->rep->faults, c->rep->reads);
    series_count(c->tlb[m], c->p->round, c->rep->shootdowns, c->rep->reads);
    *units = c->rep->reads;
    return c->rep->seconds;
}

/* One point: warm, or (CACHE_LIMIT) in a cgroup of limit bytes, which may be refused:
 * then why says so and nothing is measured. */
static int run_threads(const struct bench_opts *o, struct readers *c, struct series_list *l,
                       enum cache_state cache, long limit, char *why, size_t whylen)
{
    struct cgroup cg;
    double resident = 1.0;
    long peak;
    struct series *ser[NMETHODS];
    char label[96];
    struct point p = { .label = label, .arg = c, .op = op_readers, .nmethods = NMETHODS,
                       .series = ser, .path = cache == CACHE_WARM ? c->df->path : NULL,
                       .cache = cache, .unit_scale = 1e-6 };

    c->p = &p;
    if (cache == CACHE_LIMIT) {
        progress(o, "readers, %d threads: reading the file into a %ld MiB cgroup", c->threads,
                 limit >> 20);
        if (limited_begin(&cg, c->df->path, limit, why, whylen) == -1)
            return 0;
        c->cg = &cg;
    }
    snprintf(label, sizeof(label), "readers %s, %d thread%s", cache_name(cache), c->threads,
             c->threads > 1 ? "s" : "");
    for (int m = 0; m < NMETHODS; m++) {
        ser[m] = series_add(l, "readers", names[m], m, c->threads, cache, "Mops/s");
        c->faults[m] = series_add(l, "readers-faults", names[m], m, c->threads, cache,
                                  "faults/read");
        c->tlb[m] = series_add(l, "readers-tlb", names[m], m, c->threads, cache,
                               "shootdowns/read");
        if (ser[m] == NULL || c->faults[m] == NULL || c->tlb[m] == NULL)
            return -1;
    }
    run_point(o, &p);
    if (cache == CACHE_LIMIT) {
        limited_end(&cg, c->df->path, &peak, &resident);
        c->cg = NULL;
    }
    for (int m = 0; m < NMETHODS; m++) {
        if (cache == CACHE_LIMIT)
            ser[m]->resident = resident;
        if (!series_ok(ser[m])) {
            snprintf(c->faults[m]->status, sizeof(ser[m]->status), "%s", ser[m]->status);
            snprintf(c->tlb[m]->status, sizeof(ser[m]->status), "%s", ser[m]->status);
        }
        c->faults[m]->resident = c->tlb[m]->resident = ser[m]->resident;
        series_finish(c->faults[m]);
        series_finish(c->tlb[m]);
    }
    return 0;
}

/* 1, 2, 4... up to max, and max itself */
static int next_count(int n, int max) { return n >= max ? 0 : n * 2 < max ? n * 2 : max; }

int wl_readers(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    struct readers c = { .df = df, .seconds = o->tiny ? 0.01 : BC_READERS_S };
    struct bench_opts po = *o;
    long limit = (long)(BC_READERS_FRACTION * df->size) & ~4095L;
    char why[256] = "", sz[32];
    int rc = 0;

    c.rep = mmap(NULL, sizeof(*c.rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
    if (c.rep == MAP_FAILED)
        return fprintf(stderr, "mmbench: readers: mmap: %s\n", strerror(errno)), -1;
    page_line_table(df, c.lines);
    po.rounds = o->tiny ? 2 : BC_PRESSURE_ROUNDS;
    for (c.threads = 1; c.threads && rc == 0; c.threads = next_count(c.threads, o->readers))
        rc = run_threads(&po, &c, l, CACHE_WARM, 0, why, sizeof(why));
    if (limit < BC_PRESSURE_MIN_LIMIT)
        snprintf(why, sizeof(why), "the file is too small for a memory limit");
    for (c.threads = 1; c.threads && rc == 0 && !why[0];
         c.threads = next_count(c.threads, o->readers))
        rc = run_threads(&po, &c, l, CACHE_LIMIT, limit, why, sizeof(why));
    progress_done(o);
    env_set("readers", "1..%d threads of one process, random 4 KiB reads of the %s file for "
            "%.0f ms per sample, %d rounds; warm; %s", o->readers,
            fmt_size(df->size, sz, sizeof(sz)), c.seconds * 1e3, po.rounds, why[0] ?
            why : "and under a memory limit of a quarter of the file (cgroup)");
    if (why[0])
        printf("mmbench: many readers under a memory limit: skipped: %s\n", why);
    munmap(c.rep, sizeof(*c.rep));
    return rc;
}
