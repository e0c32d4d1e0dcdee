/* A student's lab 1 for the class-report self-test: written apart from the reference, in
 * another style, and unfinished: mf_copy and mf_reverse are still the starter's, and
 * mf_unmap forgets the NULL check (a SIGSEGV). The test copies it twice with renamed
 * identifiers; the similarity check must rank those copies first. */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WINDOW_BYTES (64L << 20)

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    if (v == NULL || len == 0 || offset < 0) {
        if (v != NULL)
            memset(v, 0, sizeof *v);
        errno = EINVAL;
        return -1;
    }
    memset(v, 0, sizeof *v);
    long page = sysconf(_SC_PAGESIZE);
    off_t start = offset / page * page;
    size_t front = (size_t)(offset - start);
    char *base = mmap(NULL, len + front, prot, flags, fd, start);
    if (base == MAP_FAILED)
        return -1;
    v->map_base = base;
    v->map_len = len + front;
    v->data = base + front;
    v->len = len;
    return 0;
}

static int open_mode_allows(int fd, int prot, int flags)
{
    int mode = fcntl(fd, F_GETFL);
    if (mode == -1)
        return -1;
    mode &= O_ACCMODE;
    if (mode == O_WRONLY || ((flags & MAP_SHARED) && (prot & PROT_WRITE) && mode != O_RDWR)) {
        errno = EACCES;
        return -1;
    }
    return 0;
}

int mf_map_file(int fd, int prot, int flags, struct mf_view *v)
{
    struct stat info;

    if (v == NULL) {
        errno = EINVAL;
        return -1;
    }
    memset(v, 0, sizeof *v);
    if (fstat(fd, &info) == -1)
        return -1;
    if (open_mode_allows(fd, prot, flags) == -1)
        return -1;
    if (!S_ISREG(info.st_mode)) {
        errno = ENODEV;
        return -1;
    }
    if (info.st_size == 0)
        return 0;
    return mf_map(fd, 0, (size_t)info.st_size, prot, flags, v);
}

int mf_unmap(struct mf_view *v)
{
    if (v->map_base == NULL)
        return 0;
    int rc = munmap(v->map_base, v->map_len);
    memset(v, 0, sizeof *v);
    return rc;
}

long long mf_count_lines(int fd)
{
    struct stat info;
    long long lines = 0;

    if (fstat(fd, &info) == -1 || open_mode_allows(fd, PROT_READ, MAP_PRIVATE) == -1)
        return -1;
    if (!S_ISREG(info.st_mode)) {
        errno = ENODEV;
        return -1;
    }
    for (off_t at = 0; at < info.st_size; at += WINDOW_BYTES) {
        struct mf_view w;
        size_t n = info.st_size - at < WINDOW_BYTES ? (size_t)(info.st_size - at) : WINDOW_BYTES;
        if (mf_map(fd, at, n, PROT_READ, MAP_PRIVATE, &w) == -1)
            return -1;
        const char *p = w.data, *end = p + w.len;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            p++;
        }
        mf_unmap(&w);
    }
    return lines;
}

int mf_copy(int src_fd, int dst_fd)
{
    /* TODO: check both fds before touching dst (EBADF, EACCES, ENODEV; the same file is a
     * success). Set dst's size with ftruncate, map both MAP_SHARED and memcpy.
     * Read handout lab1, "Copying a file (mf_copy)". */
    (void)src_fd, (void)dst_fd;
    errno = ENOSYS;
    return -1;
}

int mf_reverse(int fd)
{
    /* TODO: the fd must be open O_RDWR (EACCES) on a regular file (ENODEV). Map it MAP_SHARED
     * with PROT_READ | PROT_WRITE, swap bytes from both ends, msync with MS_SYNC, munmap.
     * Read handout lab1, "Reversing a file in place (mf_reverse)". */
    (void)fd;
    errno = ENOSYS;
    return -1;
}
