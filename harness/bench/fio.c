/* fio.c - cross-checks mmbench against fio, the tool performance engineers already trust:
 * the same operation (psync: pread into a buffer; mmap: memcpy out of a mapping, as fio's
 * engines do), on the same warm file, for the same time, in the same rounds. fio's figure
 * comes from its JSON report (parsed with cJSON). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmbench.h"

#ifndef MMBENCH_HAVE_FIO
int fio_parse(const char *json, struct fio_result *r, char *why, size_t whylen)
{
    (void)json, (void)r;
    snprintf(why, whylen, "built without cJSON: cannot read fio's report");
    return -1;
}

int wl_fio(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    (void)o, (void)df, (void)l;
    env_set("fio", "not built (cJSON missing)");
    return 0;
}
#else
#include <cjson/cJSON.h>

static double number(const cJSON *obj, const char *name, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    *bad |= !cJSON_IsNumber(v);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

int fio_parse(const char *json, struct fio_result *r, char *why, size_t whylen)
{
    const char *start = strchr(json, '{');      /* fio may print notes before the JSON */
    cJSON *doc = start ? cJSON_Parse(start) : NULL;
    const cJSON *job = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "jobs"), 0);
    const cJSON *rd = cJSON_GetObjectItemCaseSensitive(job, "read");
    int bad = 0, rc = -1;
    double err;

    if (doc == NULL)
        snprintf(why, whylen, "fio's report is not JSON");
    else if (rd == NULL)
        snprintf(why, whylen, "fio's report has no jobs[0].read");
    else if ((err = number(job, "error", &bad)) != 0 || bad)
        snprintf(why, whylen, "fio's job failed: error %g", err);
    else {
        r->io_bytes = number(rd, "io_bytes", &bad);
        r->total_ios = number(rd, "total_ios", &bad);
        r->runtime_s = number(rd, "runtime", &bad) / 1e3;      /* fio counts whole ms */
        if (bad || r->runtime_s <= 0 || r->io_bytes <= 0)
            snprintf(why, whylen, "fio's report lacks read.io_bytes, total_ios or runtime");
        else
            rc = 0;
    }
    cJSON_Delete(doc);
    return rc;
}

struct job { const char *name, *engine, *rw; long bs; };   /* name: the TSV workload */
static const struct job jobs[] = {
    { "fio-psync-read-1M", "psync", "read", 1L << 20 },
    { "fio-psync-randread-4K", "psync", "randread", 4096 },
    { "fio-mmap-read-1M", "mmap", "read", 1L << 20 },
    { "fio-mmap-randread-4K", "mmap", "randread", 4096 },
};
enum { M_MMBENCH, M_FIO, NMETHODS };

struct xcheck {
    const struct datafile *df;
    const struct job *job;
    int runtime_ms;
    unsigned char *buf;         /* 1 MiB, page-aligned, like fio's buffers */
    uint64_t x;
};

/* The next offset: sequential wrapping at the end, or a random block anywhere. */
static long next(struct xcheck *c, long off, int random)
{
    if (!random)
        return off + c->job->bs + c->job->bs > c->df->size ? 0 : off + c->job->bs;
    c->x ^= c->x << 13, c->x ^= c->x >> 7, c->x ^= c->x << 17;
    return (long)(c->x % (uint64_t)(c->df->size / c->job->bs)) * c->job->bs;
}

/* mmbench's side: fio's loop, timed by mmbench; every 64th block is compared with the
 * file's pattern (correctness gates performance). */
static double run_mmbench(struct xcheck *c, double *units, char *why, size_t whylen)
{
    int random = strcmp(c->job->rw, "randread") == 0, map = strcmp(c->job->engine, "mmap") == 0;
    int fd = open(c->df->path, O_RDONLY);
    unsigned char *addr = MAP_FAILED;
    long off = 0, n = 0;
    double t0, t;

    if (fd == -1 || (map && (addr = mmap(NULL, c->df->size, PROT_READ, MAP_SHARED, fd, 0))
                            == MAP_FAILED) ||
        (map && madvise(addr, c->df->size, random ? MADV_RANDOM : MADV_SEQUENTIAL) == -1)) {
        snprintf(why, whylen, "failed: %s", strerror(errno));
        goto out;
    }
    t0 = now_s();
    do {
        for (int k = 0; k < 16; k++, n++, off = next(c, off, random)) {
            if (map)
                memcpy(c->buf, addr + off, c->job->bs);
            else if (pread(fd, c->buf, c->job->bs, off) != c->job->bs) {
                snprintf(why, whylen, "pread: %s", strerror(errno));
                goto out;
            }
            if (n % 64 == 0 &&
                memcmp(c->buf, c->df->pattern + off % BC_PATTERN_SIZE, 256) != 0) {
                snprintf(why, whylen, "wrong: the block at %ld differs from the file", off);
                goto out;
            }
        }
    } while ((t = now_s() - t0) < c->runtime_ms * 1e-3);
    *units = random ? n : (double)n * c->job->bs;
    if (map)
        munmap(addr, c->df->size);
    close(fd);
    return t;
out:
    if (addr != MAP_FAILED)
        munmap(addr, c->df->size);
    if (fd != -1)
        close(fd);
    return -1;
}

static double run_fio(struct xcheck *c, double *units, char *why, size_t whylen)
{
    static char out[BC_FIO_OUTPUT];
    char file[4200], rw[32], bs[32], engine[32], size[48], runtime[32];
    char *argv[] = { "fio", "--name=mmbench", file, rw, bs, engine, size, runtime,
                     "--time_based", "--invalidate=0", "--readonly", "--norandommap",
                     "--gtod_reduce=1", "--output-format=json", NULL };
    struct fio_result r;
    int status;

    snprintf(file, sizeof(file), "--filename=%s", c->df->path);
    snprintf(rw, sizeof(rw), "--rw=%s", c->job->rw);
    snprintf(bs, sizeof(bs), "--bs=%ld", c->job->bs);
    snprintf(engine, sizeof(engine), "--ioengine=%s", c->job->engine);
    snprintf(size, sizeof(size), "--size=%ld", c->df->size);
    snprintf(runtime, sizeof(runtime), "--runtime=%dms", c->runtime_ms);
    status = run_program(argv, out, sizeof(out));
    if (status != 0) {
        snprintf(why, whylen, status == 127 ? "fio is not installed (Debian package fio)"
                 : "fio exited with status %d", status);
        return -1;
    }
    if (fio_parse(out, &r, why, whylen) == -1)
        return -1;
    *units = strcmp(c->job->rw, "randread") == 0 ? r.total_ios : r.io_bytes;
    return r.runtime_s;
}

static double op_xcheck(void *arg, int m, double *units, char *why, size_t whylen)
{
    return m == M_FIO ? run_fio(arg, units, why, whylen) : run_mmbench(arg, units, why, whylen);
}

int wl_fio(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    static const char *const names[NMETHODS] = { "mmbench", "fio" };
    struct xcheck c = { .df = df, .x = 0x2545f4914f6cdd1dULL,
                        .runtime_ms = o->tiny ? BC_FIO_RUNTIME_MS_TINY : o->full
                                    ? BC_FIO_RUNTIME_MS_FULL : BC_FIO_RUNTIME_MS_QUICK };
    char label[96], sz[32], version[64] = "";
    char *argv[] = { "fio", "--version", NULL };

    if (run_program(argv, version, sizeof(version)) != 0)
        snprintf(version, sizeof(version), "not found");
    version[strcspn(version, "\n")] = '\0';
    env_set("fio", "%s on the %s data file, warm, %d ms per sample (--time_based "
            "--invalidate=0 --norandommap --gtod_reduce=1), interleaved with mmbench's own "
            "loop doing the same operation for the same time", version,
            fmt_size(df->size, sz, sizeof(sz)), c.runtime_ms);
    if (posix_memalign((void **)&c.buf, 4096, 1L << 20) != 0)
        return fprintf(stderr, "mmbench: fio: out of memory\n"), -1;
    for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
        struct series *ser[NMETHODS];
        int random = strcmp(jobs[j].rw, "randread") == 0;
        struct point p = { .label = label, .arg = &c, .op = op_xcheck, .nmethods = NMETHODS,
                           .series = ser, .path = df->path, .cache = CACHE_WARM,
                           .unit_scale = random ? 1e-6 : 1e-9 };
        c.job = &jobs[j];
        snprintf(label, sizeof(label), "cross-check %s", jobs[j].name);
        for (int m = 0; m < NMETHODS; m++)
            if ((ser[m] = series_add(l, jobs[j].name, names[m], m, df->size, CACHE_WARM,
                                     random ? "Mops/s" : "GB/s")) == NULL)
                return free(c.buf), -1;
        run_point(o, &p);
    }
    progress_done(o);
    free(c.buf);
    return 0;
}
#endif /* MMBENCH_HAVE_FIO */
