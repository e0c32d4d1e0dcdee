/* wl_pressure.c - the larger-than-memory regime (Crotty, Leis and Pavlo, CIDR 2022): random
 * 4 KiB reads and a sequential scan of a 1 GiB file from inside a memory cgroup limited to
 * a fraction of it, so the page cache must evict as it reads. mmap (default, MADV_RANDOM,
 * MADV_SEQUENTIAL) against pread(2) and pread with O_DIRECT (no page cache at all). Root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmbench.h"

enum { P_MMAP, P_MMAP_RANDOM, P_MMAP_SEQUENTIAL, P_PREAD, P_DIRECT, NMETHODS };
static const char *const names[NMETHODS] = { "mmap", "mmap-random", "mmap-sequential",
                                             "pread", "pread-direct" };
enum { K_RANDOM, K_SCAN };
#define CHUNK (1L << 20)        /* a scan reads 1 MiB at a time, like read-1M */

struct report {                 /* MAP_SHARED: the child's answer */
    double seconds, units;
    long long major_faults;
    long cursor;
    char why[160];
};

struct pressure {
    const struct datafile *df;
    struct cgroup cg;
    int kind;
    double seconds;             /* a sample lasts this long (a scan: at most) */
    long cursor[NMETHODS];      /* a scan continues where the method's last sample stopped */
    uint64_t seed[NMETHODS];
    int lines[BC_PATTERN_SIZE / BC_RANDOM_OP];
    struct report *rep;
    int method;
    struct series *faults[NMETHODS];    /* major faults per read (or per MiB scanned) */
    const struct point *p;
};

void page_line_table(const struct datafile *df, int *table)
{
    for (long i = 0; i < BC_PATTERN_SIZE / BC_RANDOM_OP; i++)
        table[i] = (int)datafile_range_lines(df, i * BC_RANDOM_OP, BC_RANDOM_OP);
}

static long page_lines(const struct pressure *c, long off)
{
    return c->lines[(off % BC_PATTERN_SIZE) / BC_RANDOM_OP];
}

/* One block at off: through the mapping, or read into buf; its '\n' count, or -1. */
static long one_block(int fd, const unsigned char *addr, unsigned char *buf, long off,
                      long len)
{
    if (addr)
        return (long)count_newlines(addr + off, len);
    if (pread(fd, buf, len, off) != len)
        return -1;
    return (long)count_newlines(buf, len);
}

static int work(struct pressure *c, int fd, const unsigned char *addr, unsigned char *buf)
{
    struct report *r = c->rep;
    uint64_t x = c->seed[c->method];
    long off = c->cursor[c->method], n = 0;
    double t0 = now_s(), t;

    do {
        for (int k = 0; k < 16; k++, n++) {
            long len = c->kind == K_SCAN ? CHUNK : BC_RANDOM_OP, got, want;

            if (c->kind == K_RANDOM) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                off = (long)(x % (uint64_t)(c->df->size / BC_RANDOM_OP)) * BC_RANDOM_OP;
                want = page_lines(c, off);
            } else {
                want = datafile_range_lines(c->df, off, len);   /* aligned: a lookup */
            }
            if ((got = one_block(fd, addr, buf, off, len)) < 0) {
                snprintf(r->why, sizeof(r->why), "pread at %ld: %s", off, strerror(errno));
                return -1;
            }
            if (got != want) {
                snprintf(r->why, sizeof(r->why), "wrong: %ld lines in the block at %ld, "
                         "expected %ld", got, off, want);
                return -1;
            }
            if (c->kind == K_SCAN && (off += len) >= c->df->size)
                off = 0;
        }
    } while ((t = now_s() - t0) < c->seconds &&
             !(c->kind == K_SCAN && (double)n * CHUNK >= c->df->size));
    r->seconds = t;
    r->units = c->kind == K_SCAN ? (double)n * CHUNK : n;
    r->cursor = off;
    return 0;
}

/* Runs in the child, inside the cgroup. */
static int child(void *arg)
{
    struct pressure *c = arg;
    int m = c->method, fd = open(c->df->path, O_RDONLY | (m == P_DIRECT ? O_DIRECT : 0));
    int advice[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL };
    unsigned char *addr = NULL, *buf = NULL;
    long long mf0 = major_faults_self();
    int rc = -1;

    if (fd == -1) {
        snprintf(c->rep->why, sizeof(c->rep->why), "open%s: %s", m == P_DIRECT ?
                 " with O_DIRECT" : "", strerror(errno));
        return -1;
    }
    if (m <= P_MMAP_SEQUENTIAL) {
        addr = mmap(NULL, c->df->size, PROT_READ, MAP_SHARED, fd, 0);
        if (addr == MAP_FAILED || madvise(addr, c->df->size, advice[m]) == -1)
            goto out;
    } else if (posix_memalign((void **)&buf, 4096, CHUNK) != 0) {  /* O_DIRECT: aligned */
        goto out;
    }
    rc = work(c, fd, addr, buf);
    c->rep->major_faults = major_faults_self() - mf0;
out:
    if (rc == -1 && !c->rep->why[0])
        snprintf(c->rep->why, sizeof(c->rep->why), "%s", strerror(errno));
    if (addr && addr != MAP_FAILED)
        munmap(addr, c->df->size);
    free(buf);
    close(fd);
    return rc;
}

static double op_pressure(void *arg, int m, double *units, char *why, size_t whylen)
{
    struct pressure *c = arg;

    memset(c->rep, 0, sizeof(*c->rep));
    c->method = m;
    c->seed[m] = c->seed[m] * 6364136223846793005ULL + 1442695040888963407ULL;
    if (run_in_child(&c->cg, child, c, c->rep->why, why, whylen) == -1)
        return -1;
    c->cursor[m] = c->rep->cursor;
    series_count(c->faults[m], c->p->round, c->rep->major_faults,
                 c->kind == K_SCAN ? c->rep->units / CHUNK : c->rep->units);
    *units = c->rep->units;
    return c->rep->seconds;
}

static int warm_child(void *path)
{
    return cache_warm(path);
}

int limited_begin(struct cgroup *cg, const char *path, long limit, char *why, size_t len)
{
    if (cgroup_make(cg, limit, why, len) == -1)
        return -1;
    if (cache_evict(path) == -1 || cache_residency(path) != 0.0) {
        snprintf(why, len, "%s: cannot evict it from the page cache", path);
        cgroup_remove(cg);
        return -1;
    }
    return run_in_child(cg, warm_child, (void *)path, NULL, why, len);
}

void limited_end(struct cgroup *cg, const char *path, long *peak, double *resident)
{
    *peak = cgroup_peak(cg);
    *resident = cache_residency(path);
    cache_evict(path);
    if (cgroup_remove(cg) == -1)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", cg->dir, strerror(errno));
}

static int run_limit(const struct bench_opts *o, struct pressure *c, struct series_list *l,
                     long limit, char *note, size_t notelen)
{
    static const char *const workloads[] = { "pressure-random", "pressure-scan" };
    struct series *ser[NMETHODS];
    char label[96], sz[32], why[256];
    struct point p = { .label = label, .arg = c, .op = op_pressure, .nmethods = NMETHODS,
                       .series = ser, .cache = CACHE_LIMIT, .unit_scale = 1e-6 };
    double resident;
    long peak;

    c->p = &p;
    if (c->kind == K_SCAN)
        p.unit_scale = 1e-9;
    for (int m = 0; m < NMETHODS; m++) {
        ser[m] = series_add(l, workloads[c->kind], names[m], m, limit, CACHE_LIMIT,
                            c->kind == K_SCAN ? "GB/s" : "Mops/s");
        c->faults[m] = series_add(l, c->kind == K_SCAN ? "pressure-scan-faults"
                                  : "pressure-random-faults", names[m], m, limit, CACHE_LIMIT,
                                  c->kind == K_SCAN ? "faults/MiB" : "faults/read");
        if (ser[m] == NULL || c->faults[m] == NULL)
            return -1;
    }
    snprintf(label, sizeof(label), "%s, memory limit %s", workloads[c->kind],
             fmt_size(limit, sz, sizeof(sz)));
    progress(o, "%s: reading the file in", label);
    if (limited_begin(&c->cg, c->df->path, limit, why, sizeof(why)) == -1) {
        for (int m = 0; m < NMETHODS; m++)
            snprintf(ser[m]->status, sizeof(ser[m]->status), "%.120s", why),
            snprintf(c->faults[m]->status, sizeof(ser[m]->status), "%.120s", why);
        return 0;
    }
    run_point(o, &p);
    limited_end(&c->cg, c->df->path, &peak, &resident);
    for (int m = 0; m < NMETHODS; m++) {
        ser[m]->resident = c->faults[m]->resident = resident;
        if (!series_ok(ser[m]))
            snprintf(c->faults[m]->status, sizeof(ser[m]->status), "%s", ser[m]->status);
        series_finish(c->faults[m]);
    }
    snprintf(note + strlen(note), notelen - strlen(note), "%s%s %s: peak %.0f MiB", note[0] ?
             "; " : "", c->kind == K_SCAN ? "scan" : "random", fmt_size(limit, sz, sizeof(sz)),
             peak / 1048576.0);
    return 0;
}

int wl_pressure(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    static const double fractions[] = BC_PRESSURE_FRACTIONS;
    struct bench_opts po = *o;
    struct pressure c = { .df = df };
    char why[256], note[1024] = "", sz[32];
    int rc = 0;

    c.rep = mmap(NULL, sizeof(*c.rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
    if (c.rep == MAP_FAILED)
        return fprintf(stderr, "mmbench: pressure: mmap: %s\n", strerror(errno)), -1;
    if (cgroup_make(&c.cg, 1L << 30, why, sizeof(why)) == -1) {
        env_set("pressure", "not run: %s", why);
        printf("mmbench: larger than memory: skipped: %s\n", why);
        munmap(c.rep, sizeof(*c.rep));
        return 0;
    }
    cgroup_remove(&c.cg);
    page_line_table(df, c.lines);
    po.rounds = o->tiny ? 2 : BC_PRESSURE_ROUNDS;
    for (c.kind = K_RANDOM; c.kind <= K_SCAN && rc == 0; c.kind++) {
        c.seconds = o->tiny ? 0.01 : c.kind == K_SCAN ? BC_PRESSURE_SCAN_S : BC_PRESSURE_RANDOM_S;   /* tiny: a test */
        for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]) && rc == 0; f++) {
            long limit = (long)(fractions[f] * df->size) & ~4095L;

            if (limit < BC_PRESSURE_MIN_LIMIT)
                continue;
            memset(c.cursor, 0, sizeof(c.cursor));
            rc = run_limit(&po, &c, l, limit, note, sizeof(note));
        }
    }
    progress_done(o);
    env_set("pressure_file", "%ld", df->size);
    env_set("pressure", "%s file read in a %s memory cgroup limited to a fraction of it "
            "(the file evicted, then read in from inside the cgroup); %d rounds; random samples "
            "%.0f ms, scan samples one pass or %.0f ms", fmt_size(df->size, sz, sizeof(sz)),
            c.cg.v2 ? "cgroup2" : "v1", po.rounds, o->tiny ? 10.0 : BC_PRESSURE_RANDOM_S * 1e3,
            o->tiny ? 10.0 : BC_PRESSURE_SCAN_S * 1e3);
    env_set("pressure_peaks", "%s", note);
    munmap(c.rep, sizeof(*c.rep));
    return rc;
}
