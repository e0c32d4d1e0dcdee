/* mapfile.h - Lab 1: use a file as memory with mmap(2) instead of read(2)/write(2).
 * You implement these six functions in mapfile.c; the provided tools (mcat, mwc, mcp, mrev)
 * and the tests call them. Handout: lab1. */
#ifndef MAPFILE_H
#define MAPFILE_H

#include <stddef.h>
#include <sys/types.h>

/* ---- A mapped range --------------------------------------------------------------------- */
struct mf_view {
    void  *data;        /* the first requested byte (inside the mapping) */
    size_t len;         /* requested bytes, starting at data */
    void  *map_base;    /* what mmap returned: page-aligned; pass it to munmap */
    size_t map_len;     /* the length passed to mmap: len + offset % pagesize (or rounded up) */
};

/* ---- Mapping and unmapping -------------------------------------------------------------- */

/* Maps the bytes [offset, offset + len) of fd with mmap's prot and flags and describes the
 * mapping in *v. offset need not be page-aligned: the mapping starts at the page boundary
 * below it and v->data points at byte offset.
 * On success returns 0. On error returns -1 with errno set and *v all zero (when v != NULL):
 *   EINVAL  v == NULL, len == 0 or offset < 0 (checked before anything else, even a bad fd);
 *   ENOMEM  len + offset % pagesize does not fit in a size_t (what mmap says of any length
 *           no address space can hold; mapping the wrapped-around sum would be a bug);
 *   otherwise mmap's own errno, unchanged: EBADF, EACCES, EINVAL (neither MAP_SHARED nor
 *   MAP_PRIVATE in flags), ENODEV, ENOMEM, EAGAIN, EPERM, EOVERFLOW. */
int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v);

/* Maps the whole file open on fd. An empty file gives success with an all-zero view and
 * no mmap call, so this applies the rules itself (EBADF and EACCES are mmap's; ENODEV for
 * every non-regular file is this lab's, as mmap maps /dev/zero or a TCP socket). When
 * several apply, the first in this list wins:
 *   EINVAL  v == NULL;
 *   EBADF   fd is not an open file descriptor, or an O_PATH one (it names a file but gives
 *           no access to its bytes: mmap says EBADF, while fstat works on it);
 *   EACCES  fd not open for reading, or PROT_WRITE with MAP_SHARED and fd not open O_RDWR;
 *   ENODEV  fd is not a regular file (pipe, directory, device);
 *   otherwise as mf_map. On error *v is all zero (when v != NULL). */
int mf_map_file(int fd, int prot, int flags, struct mf_view *v);

/* Unmaps v and zeroes it. An all-zero view (e.g. of an empty file) is a no-op success.
 * Returns 0, or -1 with errno: EINVAL if v == NULL, else munmap's errno, and then *v is left
 * as it was (nothing was unmapped). */
int mf_unmap(struct mf_view *v);

/* ---- Whole-file operations (all file data goes through mappings, never read/write) ------ */

/* Returns the number of '\n' bytes in the file open on fd, or -1 with errno set as by
 * mf_map_file (EBADF, ENODEV, EACCES, ENOMEM...). Never uses read(2), pread(2) or stdio. */
long long mf_count_lines(int fd);

/* Makes the file open on dst_fd an exact copy of the file open on src_fd (its size set with
 * ftruncate, its bytes written through a shared mapping). Returns 0, or -1 with errno:
 *   EBADF   a bad fd (an O_PATH one too, as for mf_map_file);
 *   EACCES  src not open for reading, or dst not open O_RDWR;
 *   ENODEV  src or dst is not a regular file;
 * and dst unchanged on any of these; src is checked first (in mf_map_file's order), then
 * dst. src and dst the same file: success, file unchanged.
 * An empty src truncates dst to 0 bytes. */
int mf_copy(int src_fd, int dst_fd);

/* Reverses the bytes of the file open on fd in place through a MAP_SHARED mapping, and
 * msyncs (MS_SYNC) before returning, so that the data has been written to the device (on
 * a disk file system; read(2) sees the change without it). Returns 0, or -1 with errno
 * (the first that applies, in this order):
 *   EBADF   a bad fd (an O_PATH one too);
 *   EACCES  fd not open O_RDWR (file unchanged);
 *   ENODEV  not a regular file.
 * An empty file is a success once these checks pass (an empty file open O_RDONLY: EACCES). */
int mf_reverse(int fd);

#endif /* MAPFILE_H */
