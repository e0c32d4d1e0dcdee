/* mapfile.c - Lab 1 starter: use a file as memory with mmap(2) instead of read(2)/write(2).
 * Every function below fails with ENOSYS until you write it; mapfile.h has the contracts.
 * Build and test: make && make test (handout lab1, "Building and testing"). */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    /* TODO: reject v == NULL, len == 0 and offset < 0 with EINVAL before anything else.
     * Round offset down to a page boundary (sysconf(_SC_PAGESIZE)), map len plus the bytes
     * in front, compare mmap's result with MAP_FAILED, and fill in all four fields of *v.
     * On any failure *v must be all zero. Read handout lab1, "Mapping a range (mf_map)". */
    (void)fd, (void)offset, (void)len, (void)prot, (void)flags, (void)v;
    errno = ENOSYS;
    return -1;
}

int mf_map_file(int fd, int prot, int flags, struct mf_view *v)
{
    /* TODO: fstat the fd; an empty file is a success with an all-zero view (mmap of 0 bytes
     * fails). Check yourself what mmap would check: a regular file (ENODEV), the fd's open
     * mode from fcntl(F_GETFL) (EACCES; O_PATH is EBADF). Then map it with mf_map.
     * Read handout lab1, "Mapping a whole file (mf_map_file)". */
    (void)fd, (void)prot, (void)flags, (void)v;
    errno = ENOSYS;
    return -1;
}

int mf_unmap(struct mf_view *v)
{
    /* TODO: munmap what mmap returned (map_base, map_len, not data and len), then zero the
     * view (only if munmap succeeded). An all-zero view is a no-op success; NULL is EINVAL.
     * Read handout lab1, "Unmapping (mf_unmap)". */
    (void)v;
    errno = ENOSYS;
    return -1;
}

long long mf_count_lines(int fd)
{
    /* TODO: count the '\n' bytes through a mapping - never read(2), pread(2) or stdio. Map
     * big files a window at a time, and make the counting loop fast (the benchmark times it).
     * Read handout lab1, "Counting lines (mf_count_lines)". */
    (void)fd;
    errno = ENOSYS;
    return -1;
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
     * with PROT_READ | PROT_WRITE, swap bytes from both ends, msync with MS_SYNC (check it),
     * munmap. The checks come before the empty-file success.
     * Read handout lab1, "Reversing a file in place (mf_reverse)". */
    (void)fd;
    errno = ENOSYS;
    return -1;
}
