/* wl_random.c - random 4 KiB reads of the biggest file: pread(2) into a buffer against
 * touching the same bytes through a mapping: a fresh mapping per repetition (its page faults
 * count), the same with MADV_RANDOM (no fault read-around, which reads read_ahead_kb from
 * disk per fault), and, warm only, one mapping populated beforehand (no faults at all).
 * Every method counts the '\n' of each page; the sum is checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmbench.h"

enum { M_PREAD, M_MMAP, M_MMAP_RANDOM, M_MMAP_POPULATED, NMETHODS };
static const char *const names[NMETHODS] = { "pread", "mmap", "mmap-random", "mmap-populated" };

struct randread {
    const struct datafile *df;
    long size;
    int ops;                    /* reads per repetition */
    uint64_t seed[NMETHODS];    /* each method walks the same offsets, round after round */
    unsigned char *kept;        /* mmap-populated: mapped and populated once per point */
};

/* The sum of '\n' over the pages at offs, read through a mapping of the whole file. */
static long touch_pages(const struct randread *c, int fd, int m, const long *offs)
{
    unsigned char *addr = c->kept;
    long got = 0;

    if (m != M_MMAP_POPULATED) {
        addr = mmap(NULL, c->size, PROT_READ, MAP_SHARED, fd, 0);
        if (addr == MAP_FAILED)
            return -1;
        if (m == M_MMAP_RANDOM && madvise(addr, c->size, MADV_RANDOM) == -1) {
            munmap(addr, c->size);
            return -1;
        }
    }
    for (int i = 0; i < c->ops; i++)
        got += count_newlines(addr + offs[i], BC_RANDOM_OP);
    if (m != M_MMAP_POPULATED && munmap(addr, c->size) == -1)
        return -1;
    return got;
}

static long next_offset(uint64_t *x, long pages)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return (long)(*x % pages) * BC_RANDOM_OP;
}

static double op_random(void *arg, int m, double *units, char *why, size_t whylen)
{
    struct randread *c = arg;
    long pages = c->size / BC_RANDOM_OP, offs[4096], expect = 0, got = 0;
    unsigned char buf[BC_RANDOM_OP];
    double t0, t;
    int fd;

    for (int i = 0; i < c->ops; i++) {
        offs[i] = next_offset(&c->seed[m], pages);
        expect += datafile_range_lines(c->df, offs[i], BC_RANDOM_OP);
    }
    t0 = now_s();
    fd = open(c->df->path, O_RDONLY);
    if (fd == -1)
        goto out_fail;
    if (m != M_PREAD) {
        if ((got = touch_pages(c, fd, m, offs)) == -1)
            goto out_close;
    } else {
        for (int i = 0; i < c->ops; i++) {
            if (pread(fd, buf, BC_RANDOM_OP, offs[i]) != BC_RANDOM_OP)
                goto out_close;
            got += count_newlines(buf, BC_RANDOM_OP);
        }
    }
    close(fd);
    t = now_s() - t0;
    if (got != expect) {
        snprintf(why, whylen, "wrong: %ld lines in %d pages, expected %ld", got, c->ops, expect);
        return -1;
    }
    *units = c->ops;
    return t;

out_close:
    close(fd);
out_fail:
    snprintf(why, whylen, "failed: %s", strerror(errno));
    return -1;
}

/* mmap-populated's mapping: made and filled before the point, so it measures no faults. */
static int keep_mapping(struct randread *c)
{
    int fd = open(c->df->path, O_RDONLY);

    if (fd == -1)
        return -1;
    c->kept = mmap(NULL, c->size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    close(fd);
    return c->kept == MAP_FAILED ? -1 : 0;
}

int wl_random(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    enum cache_state states[] = { CACHE_WARM, CACHE_COLD };
    struct randread c = { .df = df, .size = df->size, .kept = MAP_FAILED };
    char sz[32], label[64];

    for (int k = 0; k < 2; k++) {
        struct series *ser[NMETHODS] = { 0 };
        struct point p = {
            .label = label, .arg = &c, .op = op_random, .nmethods = NMETHODS, .series = ser,
            .path = df->path, .cache = states[k], .unit_scale = 1e-6,
        };

        /* cold reads wait for the disk (pread ~0.2 ms, a fault with read-around far more) */
        c.ops = states[k] == CACHE_COLD ? 16 : 4096;
        for (int m = 0; m < NMETHODS; m++)
            c.seed[m] = 0x2545f4914f6cdd1dULL;
        snprintf(label, sizeof(label), "random %s %s", cache_name(states[k]),
                 fmt_size(c.size, sz, sizeof(sz)));
        for (int m = 0; m < NMETHODS; m++) {
            if (m == M_MMAP_POPULATED && states[k] == CACHE_COLD)
                continue;               /* a mapped page cannot be evicted */
            if ((ser[m] = series_add(l, "random", names[m], m, c.size, states[k],
                                     "Mops/s")) == NULL)
                return -1;
        }
        if (states[k] == CACHE_WARM &&
            (cache_prepare(ser[M_MMAP_POPULATED], df->path, CACHE_WARM) == -1 ||
             keep_mapping(&c) == -1))
            snprintf(ser[M_MMAP_POPULATED]->status, sizeof(ser[0]->status),
                     "cannot map and populate the file: %s", strerror(errno));
        run_point(o, &p);
        if (c.kept != MAP_FAILED && munmap(c.kept, c.size) == -1)
            return -1;
        c.kept = MAP_FAILED;
    }
    progress_done(o);
    return 0;
}
