/* wl_copy.c - copy a 256 MiB file five ways: a read/write loop (1 MiB buffer), mmap of the
 * source + write(2) 1 MiB at a time, Lab 1's mf_copy (both mapped), copy_file_range(2), `cp`.
 * The copy lands in the page cache (no fsync: that would time the disk). Before each
 * repetition, outside the timed part, the last copy is unlinked: its dirty pages are dropped
 * unwritten, so no writeback runs while a copy is timed, and every method creates a new file
 * (truncating the old one to 0 instead made the write(2) copies ~1.5x slower here: ext4
 * starts writing back a file truncated to 0 at its close()). Each copy is then compared with
 * the source, also untimed. */
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

enum { M_READWRITE, M_MMAPWRITE, M_MF_COPY, M_CFR, M_CP, NMETHODS };
static const char *const names[NMETHODS] = {
    "read-write", "mmap-write", "mf_copy", "copy_file_range", "cp",
};

struct copy {
    const char *src, *dst;
    long size;
    unsigned char *buf;
    int reps[NMETHODS];         /* repetitions so far: picks the ones compared whole */
};

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

static int copy_loop(const struct copy *c, int src, int dst, int m)
{
    unsigned char *addr;
    ssize_t n;

    switch (m) {
    case M_READWRITE:
        while ((n = read(src, c->buf, 1 << 20)) > 0)
            if (write_all(dst, c->buf, n) == -1)
                return -1;
        return n == 0 ? 0 : -1;
    case M_MMAPWRITE:
        addr = mmap(NULL, c->size, PROT_READ, MAP_SHARED, src, 0);
        if (addr == MAP_FAILED)
            return -1;
        /* 1 MiB writes, as read-write: one 256 MiB write is twice as slow here */
        for (long off = 0; off < c->size; off += 1 << 20)
            if (write_all(dst, addr + off, c->size - off < (1 << 20) ? c->size - off
                                                                      : 1 << 20) == -1) {
                munmap(addr, c->size);
                return -1;
            }
        return munmap(addr, c->size);
    case M_MF_COPY:
        return mf_copy(src, dst);
    default:
        for (long left = c->size; left > 0; left -= n)
            if ((n = copy_file_range(src, NULL, dst, NULL, left, 0)) <= 0)
                return -1;
        return 0;
    }
}

static long long copy_once(const struct copy *c, int m)
{
    char *argv[] = { "cp", "--", (char *)c->src, (char *)c->dst, NULL };
    char out[256];
    int src, dst, rc;

    if (m == M_CP)
        return run_program(argv, out, sizeof(out)) == 0 ? 0 : -1;
    src = open(c->src, O_RDONLY);
    if (src == -1)
        return -1;
    dst = open(c->dst, O_RDWR | O_CREAT | O_TRUNC, 0644);     /* mf_copy needs O_RDWR */
    if (dst == -1) {
        close(src);
        return -1;
    }
    rc = copy_loop(c, src, dst, m);
    close(src);
    return close(dst) == -1 ? -1 : rc;
}

static long long copy_isolated(void *arg)
{
    return copy_once(arg, M_MF_COPY);
}

/* dst must hold exactly src's bytes: correctness gates the timing. Most repetitions compare
 * the size and 64 random pages (pread); the first and every BC_COPY_FULL_CHECK-th compare all. */
static int same_pages(const struct copy *c, char *why, size_t whylen)
{
    unsigned char a[4096], b[4096];
    uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)c->reps[0];
    int fa = open(c->src, O_RDONLY), fb = open(c->dst, O_RDONLY), same = fa != -1 && fb != -1;
    struct stat sb;

    if (same && (fstat(fb, &sb) == -1 || sb.st_size != c->size)) {
        snprintf(why, whylen, "wrong: the copy has %lld bytes, expected %ld",
                 (long long)sb.st_size, c->size);
        same = 0;
    }
    for (int i = 0; same && i < 64; i++) {
        off_t off;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        off = (off_t)(x % (uint64_t)(c->size / 4096)) * 4096;
        same = pread(fa, a, 4096, off) == 4096 && pread(fb, b, 4096, off) == 4096 &&
               memcmp(a, b, 4096) == 0;
        if (!same)
            snprintf(why, whylen, "wrong: the copy's page at offset %lld differs",
                     (long long)off);
    }
    if (fa != -1)
        close(fa);
    if (fb != -1)
        close(fb);
    return same;
}

static int same_content(const struct copy *c, char *why, size_t whylen)
{
    int a = open(c->src, O_RDONLY), b = open(c->dst, O_RDONLY), same = 0;
    struct stat sb;
    void *pa = MAP_FAILED, *pb = MAP_FAILED;

    if (a != -1 && b != -1 && fstat(b, &sb) == 0) {
        if (sb.st_size != c->size) {
            snprintf(why, whylen, "wrong: the copy has %lld bytes, expected %ld",
                     (long long)sb.st_size, c->size);
            goto out_close;
        }
        pa = mmap(NULL, c->size, PROT_READ, MAP_SHARED, a, 0);
        pb = mmap(NULL, c->size, PROT_READ, MAP_SHARED, b, 0);
        if (pa != MAP_FAILED && pb != MAP_FAILED)
            same = memcmp(pa, pb, c->size) == 0;
        if (!same)
            snprintf(why, whylen, pa == MAP_FAILED || pb == MAP_FAILED ?
                     "cannot map the copy to check it" : "wrong: the copy's bytes differ");
    } else {
        snprintf(why, whylen, "cannot open the copy to check it: %s", strerror(errno));
    }
    if (pa != MAP_FAILED)
        munmap(pa, c->size);
    if (pb != MAP_FAILED)
        munmap(pb, c->size);
out_close:
    if (a != -1)
        close(a);
    if (b != -1)
        close(b);
    return same;
}

static double op_copy(void *arg, int m, double *units, char *why, size_t whylen)
{
    struct copy *c = arg;
    double t0, t;

    if (unlink(c->dst) == -1 && errno != ENOENT) {     /* a new file for every method */
        snprintf(why, whylen, "%s: %s", c->dst, strerror(errno));
        return -1;
    }
    t0 = now_s();
    if (copy_once(c, m) == -1) {
        snprintf(why, whylen, "failed: %s", strerror(errno));
        return -1;
    }
    t = now_s() - t0;
    if (c->reps[m]++ % BC_COPY_FULL_CHECK == 0 ? !same_content(c, why, whylen)
                                               : !same_pages(c, why, whylen))
        return -1;
    *units = c->size;
    return t;
}

int wl_copy(const struct bench_opts *o, struct datafile *df, struct series_list *l)
{
    char dst[4200], sz[32], label[64];
    long size = o->max_size < BC_COPY_SIZE ? o->max_size : BC_COPY_SIZE;
    struct copy c = { .src = df->path, .dst = dst, .size = size };
    struct series *ser[NMETHODS];
    struct point p = {
        .label = label, .arg = &c, .op = op_copy, .nmethods = NMETHODS, .series = ser,
        .path = df->path, .cache = CACHE_WARM, .unit_scale = 1e-9,
    };
    long long got;

    snprintf(dst, sizeof(dst), "%s.copy", df->path);
    snprintf(label, sizeof(label), "copy warm %s", fmt_size(size, sz, sizeof(sz)));
    /* page-aligned: from a malloc'd (16-byte offset) buffer read-write ran half as fast here */
    if (datafile_resize(df, size) == -1 ||
        (errno = posix_memalign((void **)&c.buf, 4096, 1 << 20)) != 0) {
        fprintf(stderr, "mmbench: %s: %s\n", df->path, strerror(errno));
        return -1;
    }
    for (int m = 0; m < NMETHODS; m++)
        if ((ser[m] = series_add(l, "copy", names[m], m, size, CACHE_WARM, "GB/s")) == NULL)
            goto out_free;
    if (cache_prepare(ser[M_MF_COPY], df->path, CACHE_WARM) == 0 &&
        run_isolated(copy_isolated, &c, &got, ser[M_MF_COPY]->status,
                     sizeof(ser[M_MF_COPY]->status)) == 0) {
        if (got == -1)
            snprintf(ser[M_MF_COPY]->status, sizeof(ser[M_MF_COPY]->status),
                     "mf_copy returned -1: %s", strerror(errno));
        else
            (void)same_content(&c, ser[M_MF_COPY]->status, sizeof(ser[M_MF_COPY]->status));
    }
    run_point(o, &p);
    progress_done(o);
out_free:
    free(c.buf);
    if (unlink(dst) == -1 && errno != ENOENT)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", dst, strerror(errno));
    return 0;
}
