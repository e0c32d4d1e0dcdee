/* lab1_util.h - what the Lab 1 tests share: page-size-aware size sweeps, temporary files
 * opened in a given mode (on a disk, sealed memfds), whole-file comparisons, leak probes and
 * mf_map in a subject.
 * Not a test file itself: tests/lab1_util.c is linked into the test binary. */
#ifndef LAB1_UTIL_H
#define LAB1_UTIL_H

#include "mmtest.h"
#include "../mapfile.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* A hint that names its handout section: HINT(S_MAP, "check len"). */
#define HINT(section, text) MM_HINT(section, text)
#define S_MAP     "Mapping a range (mf_map)"
#define S_MAPFILE "Mapping a whole file (mf_map_file)"
#define S_UNMAP   "Unmapping (mf_unmap)"
#define S_COUNT   "Counting lines (mf_count_lines)"
#define S_COPY    "Copying a file (mf_copy)"
#define S_REV     "Reversing a file in place (mf_reverse)"
#define S_ERRNO   "Errors and errno"
#define S_LEAKS   "Resources and leaks"



/* The size sweep: 0, 1, page-1, page, page+1, several MiB (and an odd length). */
#define SWEEP_MAX 8
int sweep_sizes(size_t sizes[SWEEP_MAX]);

/* malloc'd reproducible random bytes (never NULL; 1 byte for len 0). */


/* A temporary file holding data[0, len), opened with flags; *path (if not NULL) gets its
 * path. Fails the test if it cannot be made. */
int open_tmp(const void *data, size_t len, int flags, const char **path);

/* A file holding data[0, len) on a disk file system, open O_RDWR and already unlinked (the
 * descriptor is all there is: nothing to remove). On tmpfs msync has nothing to write back,
 * so durability can only be seen on a disk: the first of $MMTEST_DISK_DIR (the grader sets
 * it), $TMPDIR, /tmp, /var/tmp and the current directory that is not a tmpfs or ramfs. */
int disk_tmpfile(const void *data, size_t len);

/* A memfd (a regular file, open O_RDWR) holding data[0, len) with seals added: a
 * F_SEAL_WRITE one refuses shared writable mappings, a F_SEAL_SHRINK one a smaller size
 * (EPERM), so that a call fails halfway, after every argument check. */
int sealed_memfd(const void *data, size_t len, int seals);

/* A closed descriptor number: open then close, so it is surely not in use. Call it inside
 * the subject that uses the number: the judge's free numbers are not the subject's (the
 * subject's report pipe takes one). */
int closed_fd(void);

/* Fails the test (message names what) unless path holds exactly data[0, len). */
void expect_file_is(const char *path, const void *data, size_t len, const char *what);
/* The same for the file open on fd (read through a descriptor of its own). */
void expect_fd_file_is(int fd, const void *data, size_t len, const char *what);

/* What a subject saw of one mf_map call and the mf_unmap after it (when it succeeded). */
struct map_seen {
    struct mm_call map, unmap;
    struct mf_view v;                   /* the view as mf_map left it */
    ptrdiff_t data_offset;              /* data - map_base */
    uint64_t digest;                    /* of v.data[0, v.len) */
};
/* mf_map(fd, offset, len, prot, flags) in a subject, then mf_unmap. */
struct map_seen map_in_subject(int fd, off_t offset, size_t len, int prot, int flags);

/* True if every field of *v is zero. */
int view_is_zero(const struct mf_view *v);
/* Fills *v with recognisable junk, so a test sees whether the code zeroed it. */
void view_fill_junk(struct mf_view *v);

/* Leak probe: open fds and file mappings, taken in a subject before and after a call;
 * probe_check (in the judge) fails the test if they changed. */
struct probe { int fds, maps; };
struct probe probe_take(void);
void probe_check(struct probe before, struct probe after, const char *after_what);

/* Inside a subject: lowers the soft RLIMIT_AS to the current use plus extra bytes (relative
 * to mm_vm_size(): ASan reserves ~20 TB at start), never above the hard limit; *old keeps
 * the limit before. Returns 0, or -1 if setrlimit failed (a test-setup failure). */
int limit_address_space(unsigned long long extra, struct rlimit *old);

/* Inside a subject: from now on the system call name fails with errno err, as a disk error
 * (EIO), a full disk (ENOSPC) or a full address space (ENOMEM) would make it fail; with
 * arg >= 0 only when the low 32 bits of its argument number arg equal value (an int such as
 * an fd: mmap's fd is argument 4). A seccomp filter: nothing else changes. Returns 0, or an
 * errno value if it could not be set (a test-setup failure). */
int fail_syscall(const char *name, int err, int arg, unsigned long long value);

/* A pipe's read end (the write end is stored in *write_end, may be NULL to close it). */
int pipe_read_end(int *write_end);
/* A FIFO in a fresh temporary directory, opened O_RDWR (a non-regular file that has the
 * open mode O_RDWR, so that only the file type is wrong). */
int fifo_rdwr(void);

#endif /* LAB1_UTIL_H */
