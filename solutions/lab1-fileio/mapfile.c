/* mapfile.c - reference solution of Lab 1: a file used as memory through mmap(2).
 * Demonstrates unaligned offsets, empty files, the fd open-mode rules mmap enforces,
 * windowed scanning and copying, and in-place writes made durable with msync.
 * Test it: make lab1-tests && MMTEST_EXPECT=pass build/tests/lab1-solution/run */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whole-file operations map at most this much at a time, so that a 1 TiB file or a small
 * RLIMIT_AS still works. A multiple of every page size Linux uses. */
#define MF_WINDOW ((size_t)64 << 20)

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Checks what mmap would check for a whole-file operation on fd, and fills *sb:
 * EBADF for a bad fd, EACCES when the open mode is O_WRONLY (or not O_RDWR when need_rdwr),
 * ENODEV for anything but a regular file. EACCES before ENODEV, as mmap does. */
static int check_file(int fd, int need_rdwr, struct stat *sb)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl == -1)
        return -1;                      /* EBADF */
    if (fl & O_PATH) {                  /* an O_PATH fd refers to a file but cannot access it */
        errno = EBADF;
        return -1;
    }
    if ((fl & O_ACCMODE) == O_WRONLY || (need_rdwr && (fl & O_ACCMODE) != O_RDWR)) {
        errno = EACCES;
        return -1;
    }
    if (fstat(fd, sb) == -1)
        return -1;
    if (!S_ISREG(sb->st_mode)) {
        errno = ENODEV;
        return -1;
    }
    return 0;
}

/* mf_map: mapfile.h has the contract; here, why each check comes where it does. */
int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    if (v == NULL || len == 0 || offset < 0) {
        if (v != NULL)
            memset(v, 0, sizeof *v);
        errno = EINVAL;
        return -1;
    }
    memset(v, 0, sizeof *v);

    /* mmap wants a page-aligned offset: start at the page boundary below the requested
     * byte and map the extra bytes in front of it as well. */
    size_t delta = (size_t)(offset % (off_t)page_size());
    if (len > SIZE_MAX - delta) {       /* len + delta would wrap around */
        errno = ENOMEM;
        return -1;
    }
    void *addr = mmap(NULL, len + delta, prot, flags, fd, offset - (off_t)delta);
    if (addr == MAP_FAILED)
        return -1;                      /* mmap's errno, unchanged */

    v->map_base = addr;
    v->map_len = len + delta;
    v->data = (char *)addr + delta;
    v->len = len;
    return 0;
}

/* mf_map_file: mapfile.h has the contract; here, why each check comes where it does. */
int mf_map_file(int fd, int prot, int flags, struct mf_view *v)
{
    struct stat sb;

    if (v == NULL) {
        errno = EINVAL;
        return -1;
    }
    memset(v, 0, sizeof *v);
    /* mmap only checks the fd's mode when it is called; an empty file never gets that far,
     * so check here. PROT_WRITE on a MAP_PRIVATE mapping only writes a private copy. */
    int shared_write = (prot & PROT_WRITE) && (flags & MAP_SHARED);
    if (check_file(fd, shared_write, &sb) == -1)
        return -1;
    if (!(flags & (MAP_SHARED | MAP_PRIVATE))) {
        errno = EINVAL;
        return -1;
    }
    if (sb.st_size == 0)                /* mmap of length 0 fails with EINVAL: no call */
        return 0;
    return mf_map(fd, 0, (size_t)sb.st_size, prot, flags, v);
}

/* mf_unmap: mapfile.h has the contract; here, why each check comes where it does. */
int mf_unmap(struct mf_view *v)
{
    if (v == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (v->map_base != NULL && munmap(v->map_base, v->map_len) == -1)
        return -1;                      /* the view stays as it was */
    memset(v, 0, sizeof *v);
    return 0;
}

/* GCC's vector extension compares 16 bytes at once: (chunk == newline) is -1 in each byte
 * lane that holds '\n' and 0 elsewhere, so subtracting it counts per lane. Four independent
 * counters keep the CPU busy; a lane holds at most 255, so fold them into the total after
 * at most 255 rounds. A byte loop does ~1.4 GB/s; this one is limited by memory. */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

/* From RAM the loop waits for memory, not for arithmetic: asking for the bytes 1 KiB ahead
 * lets them arrive while this block is counted (~25% faster on a 1 GiB file here). */
#define PREFETCH_AHEAD 1024

static unsigned long long count_newlines(const unsigned char *p, size_t n)
{
    const bytes16 newline = (bytes16){0} + '\n';
    unsigned long long count = 0;
    size_t i = 0;

    while (n - i >= 64) {
        size_t rounds = (n - i) / 64 > 255 ? 255 : (n - i) / 64;
        bytes16 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
        for (size_t r = 0; r < rounds; r++, i += 64) {
            bytes16 b0, b1, b2, b3;
            /* A prefetch never faults, even past the end of the mapping; the address is
             * an integer so that C never forms an out-of-bounds pointer. */
            __builtin_prefetch((const void *)((uintptr_t)(p + i) + PREFETCH_AHEAD));
            memcpy(&b0, p + i, 16);         /* unaligned loads, done right */
            memcpy(&b1, p + i + 16, 16);
            memcpy(&b2, p + i + 32, 16);
            memcpy(&b3, p + i + 48, 16);
            c0 -= (bytes16)(b0 == newline);
            c1 -= (bytes16)(b1 == newline);
            c2 -= (bytes16)(b2 == newline);
            c3 -= (bytes16)(b3 == newline);
        }
        for (int j = 0; j < 16; j++)
            count += c0[j] + c1[j] + c2[j] + c3[j];
    }
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

/* mf_count_lines: mapfile.h has the contract; here, why each check comes where it does. */
long long mf_count_lines(int fd)
{
    struct stat sb;
    long long lines = 0;

    if (check_file(fd, 0, &sb) == -1)
        return -1;
    for (off_t off = 0; off < sb.st_size; off += (off_t)MF_WINDOW) {
        off_t left = sb.st_size - off;
        size_t len = left < (off_t)MF_WINDOW ? (size_t)left : MF_WINDOW;
        struct mf_view v;

        /* No MADV_SEQUENTIAL: on a cached file it only adds work (measured ~7% slower). */
        if (mf_map(fd, off, len, PROT_READ, MAP_SHARED, &v) == -1)
            return -1;
        lines += (long long)count_newlines(v.data, v.len);
        if (mf_unmap(&v) == -1)
            return -1;
    }
    return lines;
}

/* Copies len bytes at offset off from src_fd to dst_fd, both already at least off + len
 * bytes long, through two shared mappings. */
static int copy_window(int src_fd, int dst_fd, off_t off, size_t len)
{
    struct mf_view src, dst;
    int saved;

    if (mf_map(src_fd, off, len, PROT_READ, MAP_SHARED, &src) == -1)
        return -1;
    if (mf_map(dst_fd, off, len, PROT_READ | PROT_WRITE, MAP_SHARED, &dst) == -1)
        goto out_unmap_src;
    memcpy(dst.data, src.data, len);
    if (mf_unmap(&dst) == -1)
        goto out_unmap_src;
    return mf_unmap(&src);

out_unmap_src:
    saved = errno;
    (void)mf_unmap(&src);               /* already failing: report the first error */
    errno = saved;
    return -1;
}

/* mf_copy: mapfile.h has the contract; here, why each check comes where it does. */
int mf_copy(int src_fd, int dst_fd)
{
    struct stat src_sb, dst_sb;

    /* Every check before dst is touched: a failed call leaves dst as it was. */
    if (check_file(src_fd, 0, &src_sb) == -1 || check_file(dst_fd, 1, &dst_sb) == -1)
        return -1;
    if (src_sb.st_dev == dst_sb.st_dev && src_sb.st_ino == dst_sb.st_ino)
        return 0;                       /* truncating dst would destroy src */

    /* dst must be exactly as long as src before it is mapped: storing into a page past the
     * end of a file raises SIGBUS. */
    if (ftruncate(dst_fd, src_sb.st_size) == -1)
        return -1;
    /* Reserving the blocks up front makes a full disk an ENOSPC here instead of a SIGBUS in
     * memcpy, and spares a block allocation per page fault. Not every file system can. */
    if (src_sb.st_size > 0 && fallocate(dst_fd, 0, 0, src_sb.st_size) == -1 &&
        errno != EOPNOTSUPP)
        return -1;
    for (off_t off = 0; off < src_sb.st_size; off += (off_t)MF_WINDOW) {
        off_t left = src_sb.st_size - off;
        size_t len = left < (off_t)MF_WINDOW ? (size_t)left : MF_WINDOW;

        if (copy_window(src_fd, dst_fd, off, len) == -1)
            return -1;
    }
    return 0;
}

/* mf_reverse: mapfile.h has the contract; here, why each check comes where it does. */
int mf_reverse(int fd)
{
    struct stat sb;
    struct mf_view v;
    int saved;

    if (check_file(fd, 1, &sb) == -1)
        return -1;
    if (sb.st_size == 0)
        return 0;
    /* MAP_SHARED: the stores reach the file. MAP_PRIVATE would reverse a private copy. */
    if (mf_map(fd, 0, (size_t)sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, &v) == -1)
        return -1;

    unsigned char *p = v.data;
    for (size_t i = 0, j = v.len - 1; i < j; i++, j--) {
        unsigned char c = p[i];
        p[i] = p[j];
        p[j] = c;
    }
    /* MS_SYNC: back on the file (not just in the page cache) before we return. */
    if (msync(v.map_base, v.map_len, MS_SYNC) == -1)
        goto out_unmap;
    return mf_unmap(&v);

out_unmap:
    saved = errno;
    (void)mf_unmap(&v);                 /* already failing: report msync's error */
    errno = saved;
    return -1;
}
