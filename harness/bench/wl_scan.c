/* wl_scan.c - the whole-file scan: count the '\n' of a file of 4 KiB ... 1 GiB with read(2)
 * and four buffer sizes, with mmap (plain, MAP_POPULATE, MADV_SEQUENTIAL), with Lab 1's
 * mf_count_lines, with `wc -l`, and the same count over a buffer already in memory (the
 * ceiling). Every answer is checked against the count the file was written with. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapfile.h"
#include "mmbench.h"

enum { M_READ4K, M_READ64K, M_READ128K, M_READ1M, M_MMAP, M_POPULATE, M_SEQUENTIAL,
       M_MF_COUNT, M_WC, M_MEMSCAN, NMETHODS };
static const char *const names[NMETHODS] = {
    "read-4K", "read-64K", "read-128K", "read-1M", "mmap", "mmap-populate",
    "mmap-sequential", "mf_count_lines", "wc-l", "memscan",
};
static const size_t read_buf[] = { 4096, 64 << 10, 128 << 10, 1 << 20 };

struct scan {
    const char *path;
    long size;
    long expect;                /* '\n' in the file, known from how it was written */
    unsigned char *buf;         /* the read() buffer */
    unsigned char *mem;         /* the ceiling's buffer: the file's bytes in anonymous memory */
};

static long long scan_read(const struct scan *c, size_t bufsize)
{
    long long lines = 0;
    ssize_t n;
    int fd = open(c->path, O_RDONLY);

    if (fd == -1)
        return -1;
    while ((n = read(fd, c->buf, bufsize)) > 0)
        lines += count_newlines(c->buf, n);
    close(fd);
    return n == 0 ? lines : -1;
}

static long long scan_mmap(const struct scan *c, int flags, int advice)
{
    long long lines;
    void *addr;
    int fd = open(c->path, O_RDONLY);

    if (fd == -1)
        return -1;
    addr = mmap(NULL, c->size, PROT_READ, MAP_SHARED | flags, fd, 0);
    close(fd);                          /* the mapping keeps the file open */
    if (addr == MAP_FAILED)
        return -1;
    if (advice && madvise(addr, c->size, advice) == -1) {
        munmap(addr, c->size);
        return -1;
    }
    lines = count_newlines(addr, c->size);
    return munmap(addr, c->size) == 0 ? lines : -1;
}

static long long scan_mf(void *arg)
{
    const struct scan *c = arg;
    long long lines;
    int fd = open(c->path, O_RDONLY);

    if (fd == -1)
        return -1;
    lines = mf_count_lines(fd);
    close(fd);
    return lines;
}

static long long scan_wc(const struct scan *c)
{
    char *argv[] = { "wc", "-l", "--", (char *)c->path, NULL };
    char out[256];

    if (run_program(argv, out, sizeof(out)) != 0)
        return -1;
    return strtoll(out, NULL, 10);
}

static double op_scan(void *arg, int m, double *units, char *why, size_t whylen)
{
    const struct scan *c = arg;
    double t0 = now_s(), t;
    long long lines;

    errno = 0;
    if (m <= M_READ1M)
        lines = scan_read(c, read_buf[m]);
    else if (m == M_MMAP)
        lines = scan_mmap(c, 0, 0);
    else if (m == M_POPULATE)
        lines = scan_mmap(c, MAP_POPULATE, 0);
    else if (m == M_SEQUENTIAL)
        lines = scan_mmap(c, 0, MADV_SEQUENTIAL);
    else if (m == M_MF_COUNT)
        lines = scan_mf(arg);
    else if (m == M_WC)
        lines = scan_wc(c);
    else
        lines = count_newlines(c->mem, c->size);
    t = now_s() - t0;
    if (lines == -1) {
        snprintf(why, whylen, "failed: %s", errno ? strerror(errno) : "see stderr");
        return -1;
    }
    if (lines != c->expect) {
        snprintf(why, whylen, "wrong: %lld lines, expected %ld", lines, c->expect);
        return -1;
    }
    *units = c->size;
    return t;
}

/* The student's function runs once in a child first: a crash or a hang is reported for the
 * method instead of ending the benchmark. */
static void check_mf_count(struct scan *c, struct series *s)
{
    long long got;

    if (run_isolated(scan_mf, c, &got, s->status, sizeof(s->status)) == -1)
        return;
    if (got == -1)
        snprintf(s->status, sizeof(s->status), "mf_count_lines returned -1: %s",
                 strerror(errno));
    else if (got != c->expect)
        snprintf(s->status, sizeof(s->status), "wrong: %lld lines, expected %ld", got,
                 c->expect);
}

static int alloc_ceiling(struct scan *c, const struct datafile *df)
{
    c->mem = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c->mem == MAP_FAILED)
        return -1;
    (void)madvise(c->mem, c->size, MADV_HUGEPAGE);  /* the best case RAM can offer */
    for (long off = 0; off < c->size; off += BC_PATTERN_SIZE)
        memcpy(c->mem + off, df->pattern,
               c->size - off < BC_PATTERN_SIZE ? c->size - off : BC_PATTERN_SIZE);
    return 0;
}

static void measure(const struct bench_opts *o, struct scan *c, enum cache_state cache,
                    struct series_list *l)
{
    struct series *ser[NMETHODS] = { 0 };
    char sz[32], label[64];
    struct point p = {
        .label = label, .arg = c, .op = op_scan, .nmethods = NMETHODS, .series = ser,
        .path = c->path, .cache = cache, .unit_scale = 1e-9,
    };

    snprintf(label, sizeof(label), "scan %s %s", cache_name(cache), fmt_size(c->size, sz, 32));
    for (int m = 0; m < NMETHODS; m++) {
        if ((m == M_MEMSCAN || m == M_WC) && cache == CACHE_COLD)
            continue;       /* memory has no cold state; wc -l is the warm 1 GiB baseline */
        if (m == M_WC && c->size < (1 << 20) && !o->full)
            continue;       /* below 1 MiB wc -l times starting a process: not plotted */
        ser[m] = series_add(l, "scan", names[m], m, c->size, cache, "GB/s");
        if (ser[m] == NULL)
            return;
    }
    if (cache_prepare(ser[M_MF_COUNT], c->path, cache) == 0)
        check_mf_count(c, ser[M_MF_COUNT]);
    run_point(o, &p);
}

static void sizes_for(const struct bench_opts *o, long *v, int *n)
{
    *n = 0;
    for (long s = BC_MIN_SIZE; s <= o->max_size; s *= o->full ? 2 : 16)
        v[(*n)++] = s;
    if (v[*n - 1] != o->max_size)
        v[(*n)++] = o->max_size;        /* quick: 4K, 64K, 1M, 16M, 256M and the biggest */
}

int wl_scan(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    long sizes[64], cold_max = o->full ? BC_COLD_MAX_FULL : BC_COLD_MAX_QUICK;
    struct scan c = { .path = df->path };
    int n;

    if (posix_memalign((void **)&c.buf, 4096, 1 << 20) != 0)
        return -1;
    sizes_for(o, sizes, &n);
    for (int i = 0; i < n; i++) {
        c.size = sizes[i];
        if (datafile_resize(df, c.size) == -1 || alloc_ceiling(&c, df) == -1) {
            fprintf(stderr, "mmbench: %s: cannot make it %ld bytes: %s\n", df->path,
                    c.size, strerror(errno));
            free(c.buf);
            return -1;
        }
        c.expect = datafile_lines(df, c.size);
        /* cold at every 4th doubling from 16 KiB (quick: 64 KiB): cold samples read the disk */
        if (c.size <= cold_max && (o->tiny || (__builtin_ctzl(c.size) % 2 == 0 &&
                                               c.size >= (o->full ? 16 << 10 : 64 << 10))))
            measure(o, &c, CACHE_COLD, l);
        measure(o, &c, CACHE_WARM, l);
        if (i == n - 1) {
            folio_evidence(df->path, "folios");
            folio_anon_evidence(c.mem, c.size, "ceiling_pages");
        }
        munmap(c.mem, c.size);
    }
    progress_done(o);
    free(c.buf);
    return 0;
}

/* The mmap / read-1M ratio per round (the rounds are paired: both ran in the same round),
 * then its median, min and max: the crossover is where the median crosses 1. */
int wl_scan_ratio(const struct bench_opts *o, const struct series_list *l)
{
    struct series_list r = { 0 };
    int rc;

    for (size_t i = 0; i < l->n; i++) {
        const struct series *m = &l->v[i], *rd;
        struct series *s;

        if (strcmp(m->workload, "scan") != 0 || strcmp(m->method, "mmap") != 0 ||
            (rd = series_find(l, "scan", "read-1M", m->size, m->cache)) == NULL)
            continue;
        s = series_add(&r, "ratio", "mmap/read-1M", 0, m->size, m->cache, "x");
        if (s == NULL)
            break;
        if (!series_ok(m) || !series_ok(rd) || m->nsamples != rd->nsamples)
            snprintf(s->status, sizeof(s->status), "not measured: %.100s",
                     series_ok(m) ? rd->status : m->status);
        for (int k = 0; series_ok(s) && k < m->nsamples; k++)
            s->sample[s->nsamples++] = m->sample[k] / rd->sample[k];
        s->resident = m->cache == CACHE_WARM ? (m->resident < rd->resident ? m->resident
                                                                          : rd->resident)
                                             : (m->resident > rd->resident ? m->resident
                                                                          : rd->resident);
        series_finish(s);
    }
    rc = tsv_write(o->out, "ratio", &r);
    series_free(&r);
    return rc;
}
