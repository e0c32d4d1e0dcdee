/* errno_probe.c - what mmap(2) and its neighbours really return on the machine that builds
 * the handouts. Each case runs in a child, so a signal is a result rather than a crash; as
 * root every case runs twice: as root and in a child that dropped to uid 65534.
 * Output: one TSV row per case: id, group, result as root, result as the user, setup.
 * Run: build/handouts/errno-probe > build/handouts/gen/errno.tsv */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY_UID 65534

/* Exit codes of a case besides 0 (success) and an errno value (1..199). */
enum { R_VISIBLE = 250, R_NOT_VISIBLE = 251, R_ZERO = 252, R_SETUP = 255 };

static char dir[64];            /* world-writable scratch directory, removed at the end */
static char secret[96];         /* a 0600 file owned by the probe's own uid */
static long pg;

/* ---- Setup: any failure here is a probe failure (R_SETUP), not a result ------- */
static int scratch_file(size_t size, int flags)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/f.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd == -1)
        _exit(R_SETUP);
    unlink(path);
    if (ftruncate(fd, (off_t)size) == -1)
        _exit(R_SETUP);
    if (flags == O_RDWR)
        return fd;
    /* Reopen through /proc to get the wanted open mode on the same (unlinked) file. */
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    int fd2 = open(self, flags);
    if (fd2 == -1)
        _exit(R_SETUP);
    close(fd);
    return fd2;
}

static void *anon(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(R_SETUP);
    return p;
}

static int res_map(void *p) { return p == MAP_FAILED ? errno : 0; }
static int res_int(int r)   { return r == -1 ? errno : 0; }

static int map_fd(int fd, size_t len, int prot, int flags, off_t off)
{
    return res_map(mmap(NULL, len, prot, flags, fd, off));
}

/* ---- EBADF, EACCES -------------------------------------------------------------------- */
static int c_ebadf_minus1(void) { return map_fd(-1, pg, PROT_READ, MAP_PRIVATE, 0); }
static int c_ebadf_closed(void)
{
    int fd = scratch_file(pg, O_RDONLY);
    close(fd);
    return map_fd(fd, pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_wronly_private(void)
{
    return map_fd(scratch_file(pg, O_WRONLY), pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_wronly_shared_write(void)
{
    return map_fd(scratch_file(pg, O_WRONLY), pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}
static int c_rdonly_shared_write(void)
{
    return map_fd(scratch_file(pg, O_RDONLY), pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}
static int c_rdonly_shared_read(void)
{
    return map_fd(scratch_file(pg, O_RDONLY), pg, PROT_READ, MAP_SHARED, 0);
}
static int c_rdonly_private_write(void)
{
    return map_fd(scratch_file(pg, O_RDONLY), pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
}
static int c_rdwr_shared_write(void)
{
    return map_fd(scratch_file(pg, O_RDWR), pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}
static int c_rdonly_mprotect_write(void)
{
    int fd = scratch_file(pg, O_RDONLY);
    void *p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return R_SETUP;
    return res_int(mprotect(p, pg, PROT_READ | PROT_WRITE));
}
static int c_perm_bits(void) { return res_int(open(secret, O_RDONLY)); }

/* ---- EINVAL --------------------------------------------------------------------------- */
static int c_len0(void) { return map_fd(scratch_file(pg, O_RDONLY), 0, PROT_READ, MAP_PRIVATE, 0); }
static int c_len0_empty_file(void) { return map_fd(scratch_file(0, O_RDONLY), 0, PROT_READ, MAP_PRIVATE, 0); }
static int c_offset_unaligned(void)
{
    return map_fd(scratch_file(2 * pg, O_RDONLY), pg, PROT_READ, MAP_PRIVATE, 1);
}
static int c_offset_unaligned_anon(void)
{
    return map_fd(-1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 1);
}
static int c_no_type(void) { return map_fd(scratch_file(pg, O_RDONLY), pg, PROT_READ, 0, 0); }
static int c_fixed_unaligned(void)
{
    char *p = anon(2 * pg, PROT_READ);
    return res_map(mmap(p + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
}
static int c_munmap_unaligned(void)   { return res_int(munmap((char *)anon(2 * pg, PROT_READ) + 1, pg)); }
static int c_msync_unaligned(void)    { return res_int(msync((char *)anon(2 * pg, PROT_READ) + 1, pg, MS_SYNC)); }
static int c_mprotect_unaligned(void) { return res_int(mprotect((char *)anon(2 * pg, PROT_READ) + 1, pg, PROT_NONE)); }
static int c_msync_both(void)         { return res_int(msync(anon(pg, PROT_READ), pg, MS_SYNC | MS_ASYNC)); }
static int c_munmap_len0(void)        { return res_int(munmap(anon(pg, PROT_READ), 0)); }

/* ---- ENOMEM --------------------------------------------------------------------------- */
static int c_len_max(void) { return map_fd(-1, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0); }
static long vm_size_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (f == NULL)
        _exit(R_SETUP);
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
            break;
    fclose(f);
    if (kb < 0)
        _exit(R_SETUP);
    return kb * 1024;
}
static int c_rlimit_as(void)
{
    struct rlimit rl = { vm_size_bytes() + (1 << 20), RLIM_INFINITY };
    if (setrlimit(RLIMIT_AS, &rl) == -1)
        return R_SETUP;
    return map_fd(-1, 64 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);
}
/* Maps single pages, alternating the protection so that neighbours never merge, until the
 * kernel's vm.max_map_count mappings are reached. */
static int c_max_map_count(void)
{
    for (long i = 0; i < 4L << 20; i++)
        if (mmap(NULL, pg, i % 2 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
            return errno;
    return 0;
}
static void *unmapped_range(void)
{
    char *p = anon(3 * pg, PROT_READ);
    if (munmap(p, 3 * pg) == -1)
        _exit(R_SETUP);
    return p;
}
static int c_msync_unmapped(void)    { return res_int(msync(unmapped_range(), pg, MS_SYNC)); }
static int c_mprotect_unmapped(void) { return res_int(mprotect(unmapped_range(), pg, PROT_READ)); }
static int c_mlock_unmapped(void)    { return res_int(mlock(unmapped_range(), pg)); }
static int c_munmap_unmapped(void)   { return res_int(munmap(unmapped_range(), pg)); }

/* ---- ENODEV --------------------------------------------------------------------------- */
static int c_pipe(void)
{
    int p[2];
    if (pipe(p) == -1)
        return R_SETUP;
    return map_fd(p[0], pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_fifo(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/fifo.%d", dir, (int)getpid());
    if (mkfifo(path, 0600) == -1)
        return R_SETUP;
    int fd = open(path, O_RDWR);    /* O_RDWR on a FIFO does not block on Linux */
    unlink(path);
    if (fd == -1)
        return R_SETUP;
    return map_fd(fd, pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_socketpair(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
        return R_SETUP;
    return map_fd(sv[0], pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_directory(void)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd == -1)
        return R_SETUP;
    return map_fd(fd, pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_devnull(void)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd == -1)
        return R_SETUP;
    return map_fd(fd, pg, PROT_READ, MAP_PRIVATE, 0);
}
static int c_eventfd(void)
{
    int fd = eventfd(0, 0);
    if (fd == -1)
        return R_SETUP;
    return map_fd(fd, pg, PROT_READ, MAP_PRIVATE, 0);
}

/* ---- EEXIST, EPERM, EOVERFLOW, MAP_FIXED ---------------------------------------------- */
static int c_fixed_noreplace(void)
{
    void *p = anon(pg, PROT_READ);
    return res_map(mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
}
static int c_fixed_replaces(void)
{
    char *p = anon(pg, PROT_READ | PROT_WRITE);
    p[0] = 'A';
    char *q = mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (q == MAP_FAILED)
        return errno;
    return q == p && p[0] == 0 ? R_ZERO : R_SETUP;  /* the old bytes are gone */
}
static int c_memfd_sealed(void)
{
    int fd = memfd_create("probe", MFD_ALLOW_SEALING);
    if (fd == -1 || ftruncate(fd, pg) == -1 || fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == -1)
        return R_SETUP;
    return map_fd(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}
static int c_eoverflow(void)
{
    return map_fd(scratch_file(pg, O_RDONLY), 2 * pg, PROT_READ, MAP_PRIVATE,
                  (off_t)0x7ffffffffffff000LL);
}
static int c_shared_private_both(void)
{
    return map_fd(scratch_file(pg, O_RDWR), pg, PROT_READ, MAP_SHARED | MAP_PRIVATE, 0);
}
static int c_denywrite(void)
{
    int fd = scratch_file(pg, O_RDWR);
    if (mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_DENYWRITE, fd, 0) == MAP_FAILED)
        return errno;
    return pwrite(fd, "x", 1, 0) == 1 ? 0 : errno;    /* writing the file still works */
}

/* ---- Two faults at once: which errno wins --------------------------------------------- */
static int c_unaligned_and_badfd(void) { return map_fd(-1, pg, PROT_READ, MAP_PRIVATE, 1); }
static int c_badfd_and_len0(void)      { return map_fd(-1, 0, PROT_READ, MAP_PRIVATE, 0); }
static int c_len0_and_wronly(void)     { return map_fd(scratch_file(pg, O_WRONLY), 0, PROT_READ, MAP_PRIVATE, 0); }
static int c_notype_and_wronly(void)   { return map_fd(scratch_file(pg, O_WRONLY), pg, PROT_READ, 0, 0); }
static int c_sizemax_and_wronly(void)  { return map_fd(scratch_file(pg, O_WRONLY), SIZE_MAX, PROT_READ, MAP_PRIVATE, 0); }
static int c_eoverflow_and_wronly(void)
{
    return map_fd(scratch_file(pg, O_WRONLY), 2 * pg, PROT_READ, MAP_PRIVATE, (off_t)0x7ffffffffffff000LL);
}
static int c_eexist_and_wronly(void)
{
    void *p = anon(pg, PROT_READ);
    return res_map(mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, scratch_file(pg, O_WRONLY), 0));
}
static int c_eacces_and_enodev(void)
{
    int p[2];
    if (pipe(p) == -1)
        return R_SETUP;
    return map_fd(p[1], pg, PROT_READ, MAP_PRIVATE, 0);    /* write end: O_WRONLY */
}

/* ---- Signals -------------------------------------------------------------------------- */
static int c_sigbus_past_eof(void)
{
    char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, scratch_file(pg / 2, O_RDONLY), 0);
    if (p == MAP_FAILED)
        return errno;
    return p[pg] == 0 ? R_ZERO : 0;
}
static int c_tail_of_last_page(void)
{
    char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, scratch_file(pg / 2, O_RDONLY), 0);
    if (p == MAP_FAILED)
        return errno;
    return p[pg - 1] == 0 ? R_ZERO : 0;    /* same page as the last byte: zeros, no signal */
}
static int c_sigbus_truncated(void)
{
    int fd = scratch_file(2 * pg, O_RDWR);
    char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED || ftruncate(fd, 0) == -1)
        return R_SETUP;
    return p[0] == 0 ? R_ZERO : 0;
}
static int c_sigsegv_write_ro(void)
{
    volatile char *p = anon(pg, PROT_READ);
    p[0] = 1;
    return 0;
}
static int c_sigsegv_read_none(void)
{
    volatile char *p = anon(pg, PROT_NONE);
    return p[0];
}
static int c_sigsegv_after_munmap(void)
{
    volatile char *p = anon(pg, PROT_READ);
    if (munmap((void *)p, pg) == -1)
        return R_SETUP;
    return p[0];
}

/* ---- Sharing -------------------------------------------------------------------------- */
/* A child writes into the mapping; the result says whether the parent sees it. */
static int child_writes(volatile char *p)
{
    pid_t pid = fork();
    if (pid == -1)
        return R_SETUP;
    if (pid == 0) {
        p[0] = 'c';
        _exit(0);
    }
    if (waitpid(pid, NULL, 0) == -1)
        return R_SETUP;
    return p[0] == 'c' ? R_VISIBLE : R_NOT_VISIBLE;
}
static int c_anon_shared_fork(void)
{
    void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? errno : child_writes(p);
}
static int c_anon_private_fork(void) { return child_writes(anon(pg, PROT_READ | PROT_WRITE)); }
static int c_devzero_shared_fork(void)
{
    int fd = open("/dev/zero", O_RDWR);
    void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return p == MAP_FAILED ? errno : child_writes(p);
}
static int c_devzero_rdonly(void)
{
    int fd = open("/dev/zero", O_RDONLY);
    return map_fd(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}
/* Two independent open+mmap of one file by name: what unrelated processes do. */
static int c_file_two_maps(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/shared.%d", dir, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd == -1 || ftruncate(fd, pg) == -1)
        return R_SETUP;
    volatile char *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int fd2 = open(path, O_RDWR);
    unlink(path);
    if (a == MAP_FAILED || fd2 == -1)
        return R_SETUP;
    volatile char *b = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    if (b == MAP_FAILED)
        return errno;
    b[0] = 'c';
    return a[0] == 'c' ? R_VISIBLE : R_NOT_VISIBLE;
}

/* ---- Privilege-dependent: resource limits --------------------------------------------- */
static int set_limit(int res, rlim_t v)
{
    struct rlimit rl = { v, v };
    return setrlimit(res, &rl);
}
static int c_locked_over_memlock(void)
{
    if (set_limit(RLIMIT_MEMLOCK, 64 << 10) == -1)
        return R_SETUP;
    return map_fd(-1, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, 0);
}
static int c_locked_memlock_zero(void)
{
    if (set_limit(RLIMIT_MEMLOCK, 0) == -1)
        return R_SETUP;
    return map_fd(-1, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, 0);
}
static int c_mlock_over_memlock(void)
{
    void *p = anon(1 << 20, PROT_READ);
    if (set_limit(RLIMIT_MEMLOCK, 64 << 10) == -1)
        return R_SETUP;
    return res_int(mlock(p, 1 << 20));
}
static int c_mlockall_future(void)
{
    if (set_limit(RLIMIT_MEMLOCK, 64 << 10) == -1 || mlockall(MCL_FUTURE) == -1)
        return R_SETUP;
    return map_fd(-1, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);
}
static int c_fork_nproc(void)
{
    if (set_limit(RLIMIT_NPROC, 1) == -1)
        return R_SETUP;
    pid_t pid = fork();
    if (pid == -1)
        return errno;
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return 0;
}

struct probe_case {
    const char *id, *group;
    int (*fn)(void);
    const char *setup;
};

static const struct probe_case cases[] = {
    { "ebadf_minus1", "EBADF", c_ebadf_minus1, "fd -1 without MAP_ANONYMOUS" },
    { "ebadf_closed", "EBADF", c_ebadf_closed, "an fd that was already closed" },
    { "wronly_private", "EACCES", c_wronly_private, "fd opened O_WRONLY, PROT_READ, MAP_PRIVATE" },
    { "wronly_shared_write", "EACCES", c_wronly_shared_write, "fd opened O_WRONLY, PROT_READ|PROT_WRITE, MAP_SHARED" },
    { "rdonly_shared_write", "EACCES", c_rdonly_shared_write, "fd opened O_RDONLY, PROT_WRITE, MAP_SHARED" },
    { "rdonly_mprotect_write", "EACCES", c_rdonly_mprotect_write, "O_RDONLY fd mapped MAP_SHARED PROT_READ, then mprotect to PROT_WRITE" },
    { "rdonly_shared_read", "success", c_rdonly_shared_read, "fd opened O_RDONLY, PROT_READ, MAP_SHARED" },
    { "rdonly_private_write", "success", c_rdonly_private_write, "fd opened O_RDONLY, PROT_WRITE, MAP_PRIVATE (copy-on-write)" },
    { "rdwr_shared_write", "success", c_rdwr_shared_write, "fd opened O_RDWR, PROT_WRITE, MAP_SHARED" },
    { "perm_bits", "EACCES", c_perm_bits, "open(2) of a 0600 file owned by another user (not mmap)" },
    { "len0", "EINVAL", c_len0, "length 0" },
    { "len0_empty_file", "EINVAL", c_len0_empty_file, "length 0 for an empty file (st_size 0)" },
    { "offset_unaligned", "EINVAL", c_offset_unaligned, "offset 1 (not a multiple of the page size)" },
    { "offset_unaligned_anon", "EINVAL", c_offset_unaligned_anon, "offset 1 with MAP_ANONYMOUS" },
    { "no_type", "EINVAL", c_no_type, "flags without MAP_SHARED or MAP_PRIVATE" },
    { "fixed_unaligned", "EINVAL", c_fixed_unaligned, "MAP_FIXED at an address that is not page-aligned" },
    { "munmap_unaligned", "EINVAL", c_munmap_unaligned, "munmap at an address that is not page-aligned" },
    { "munmap_len0", "EINVAL", c_munmap_len0, "munmap with length 0" },
    { "msync_unaligned", "EINVAL", c_msync_unaligned, "msync at an address that is not page-aligned" },
    { "mprotect_unaligned", "EINVAL", c_mprotect_unaligned, "mprotect at an address that is not page-aligned" },
    { "msync_both", "EINVAL", c_msync_both, "msync with MS_SYNC|MS_ASYNC" },
    { "len_max", "ENOMEM", c_len_max, "length SIZE_MAX" },
    { "rlimit_as", "ENOMEM", c_rlimit_as, "64 MiB under an RLIMIT_AS 1 MiB above current use" },
    { "max_map_count", "ENOMEM", c_max_map_count, "more mappings than vm.max_map_count" },
    { "msync_unmapped", "ENOMEM", c_msync_unmapped, "msync of an unmapped range" },
    { "mprotect_unmapped", "ENOMEM", c_mprotect_unmapped, "mprotect of an unmapped range" },
    { "mlock_unmapped", "ENOMEM", c_mlock_unmapped, "mlock of an unmapped range" },
    { "munmap_unmapped", "success", c_munmap_unmapped, "munmap of a range that is not mapped" },
    { "pipe", "ENODEV", c_pipe, "a pipe" },
    { "fifo", "ENODEV", c_fifo, "a FIFO" },
    { "socketpair", "ENODEV", c_socketpair, "a UNIX socket" },
    { "directory", "ENODEV", c_directory, "a directory opened O_RDONLY" },
    { "devnull", "ENODEV", c_devnull, "/dev/null" },
    { "eventfd", "ENODEV", c_eventfd, "an eventfd" },
    { "fixed_noreplace", "EEXIST", c_fixed_noreplace, "MAP_FIXED_NOREPLACE over an existing mapping" },
    { "memfd_sealed", "EPERM", c_memfd_sealed, "memfd with F_SEAL_WRITE, MAP_SHARED + PROT_WRITE" },
    { "eoverflow", "EOVERFLOW", c_eoverflow, "offset 0x7ffffffffffff000 with a 2-page length" },
    { "fixed_replaces", "success", c_fixed_replaces, "MAP_FIXED over an existing mapping: the old bytes are gone (zero)" },
    { "shared_private_both", "success", c_shared_private_both, "MAP_SHARED|MAP_PRIVATE (= MAP_SHARED_VALIDATE) on a file" },
    { "denywrite", "success", c_denywrite, "MAP_DENYWRITE, then pwrite to the same file" },
    { "unaligned_and_badfd", "two faults", c_unaligned_and_badfd, "offset 1 and fd -1" },
    { "badfd_and_len0", "two faults", c_badfd_and_len0, "fd -1 and length 0" },
    { "len0_and_wronly", "two faults", c_len0_and_wronly, "length 0 and an O_WRONLY fd" },
    { "notype_and_wronly", "two faults", c_notype_and_wronly, "no MAP_SHARED/MAP_PRIVATE and an O_WRONLY fd" },
    { "sizemax_and_wronly", "two faults", c_sizemax_and_wronly, "length SIZE_MAX and an O_WRONLY fd" },
    { "eoverflow_and_wronly", "two faults", c_eoverflow_and_wronly, "an overflowing offset and an O_WRONLY fd" },
    { "eexist_and_wronly", "two faults", c_eexist_and_wronly, "MAP_FIXED_NOREPLACE over a mapping, with an O_WRONLY fd" },
    { "eacces_and_enodev", "two faults", c_eacces_and_enodev, "write end of a pipe (O_WRONLY and not mappable)" },
    { "sigbus_past_eof", "signal", c_sigbus_past_eof, "half-page file, 2-page mapping, read the second page" },
    { "tail_of_last_page", "signal", c_tail_of_last_page, "half-page file, read the last byte of its page (zero)" },
    { "sigbus_truncated", "signal", c_sigbus_truncated, "file truncated to 0 after mapping, then read" },
    { "sigsegv_write_ro", "signal", c_sigsegv_write_ro, "write to a PROT_READ mapping" },
    { "sigsegv_read_none", "signal", c_sigsegv_read_none, "read of a PROT_NONE mapping" },
    { "sigsegv_after_munmap", "signal", c_sigsegv_after_munmap, "read after munmap" },
    { "anon_shared_fork", "sharing", c_anon_shared_fork, "MAP_SHARED|MAP_ANONYMOUS, child writes after fork" },
    { "anon_private_fork", "sharing", c_anon_private_fork, "MAP_PRIVATE|MAP_ANONYMOUS, child writes after fork" },
    { "devzero_shared_fork", "sharing", c_devzero_shared_fork, "/dev/zero opened O_RDWR, MAP_SHARED, child writes after fork" },
    { "devzero_rdonly", "sharing", c_devzero_rdonly, "/dev/zero opened O_RDONLY, MAP_SHARED + PROT_WRITE" },
    { "file_two_maps", "sharing", c_file_two_maps, "one file opened and mapped MAP_SHARED twice by name; write through one" },
    { "locked_over_memlock", "privilege", c_locked_over_memlock, "MAP_LOCKED 1 MiB with RLIMIT_MEMLOCK 64 KiB" },
    { "locked_memlock_zero", "privilege", c_locked_memlock_zero, "MAP_LOCKED 1 MiB with RLIMIT_MEMLOCK 0" },
    { "mlockall_future", "privilege", c_mlockall_future, "mlockall(MCL_FUTURE), then mmap 1 MiB with RLIMIT_MEMLOCK 64 KiB" },
    { "mlock_over_memlock", "privilege", c_mlock_over_memlock, "mlock(2) of 1 MiB with RLIMIT_MEMLOCK 64 KiB" },
    { "fork_nproc", "privilege", c_fork_nproc, "fork(2) with RLIMIT_NPROC 1" },
};

static const char *errname(int e)
{
    static const struct { int e; const char *n; } names[] = {
        { EBADF, "EBADF" }, { EACCES, "EACCES" }, { EINVAL, "EINVAL" }, { ENOMEM, "ENOMEM" },
        { ENODEV, "ENODEV" }, { EEXIST, "EEXIST" }, { EPERM, "EPERM" }, { EOVERFLOW, "EOVERFLOW" },
        { EAGAIN, "EAGAIN" }, { ETXTBSY, "ETXTBSY" }, { ENFILE, "ENFILE" }, { ENXIO, "ENXIO" },
        { ENOENT, "ENOENT" }, { EMFILE, "EMFILE" }, { EFAULT, "EFAULT" },
    };
    static char buf[32];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].n;
    snprintf(buf, sizeof(buf), "errno-%d", e);
    return buf;
}

/* Runs one case in a child, optionally as NOBODY_UID; returns a printable result. */
static const char *run_case(const struct probe_case *c, int drop)
{
    static char buf[64];
    pid_t pid = fork();
    if (pid == -1) {
        fprintf(stderr, "errno-probe: fork: %s\n", strerror(errno));
        exit(1);
    }
    if (pid == 0) {
        if (drop && (setgroups(0, NULL) == -1 || setresgid(NOBODY_UID, NOBODY_UID, NOBODY_UID) == -1
                     || setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID) == -1))
            _exit(R_SETUP);
        alarm(5);    /* a hung case ends as SIGALRM, not as a hung build */
        _exit(c->fn());
    }
    int st;
    if (waitpid(pid, &st, 0) == -1) {
        fprintf(stderr, "errno-probe: waitpid: %s\n", strerror(errno));
        exit(1);
    }
    if (WIFSIGNALED(st)) {
        const char *abbrev = sigabbrev_np(WTERMSIG(st));
        snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "UNKNOWN");
        return buf;
    }
    switch (WEXITSTATUS(st)) {
    case 0:             return "OK";
    case R_VISIBLE:     return "visible";
    case R_NOT_VISIBLE: return "not-visible";
    case R_ZERO:        return "zero";
    case R_SETUP:       return "setup-failed";
    default:            return errname(WEXITSTATUS(st));
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: %s > errno.tsv   (no options)\n", argv[0]);
        return 2;
    }
    pg = sysconf(_SC_PAGESIZE);
    snprintf(dir, sizeof(dir), "/tmp/errno-probe.XXXXXX");
    if (mkdtemp(dir) == NULL || chmod(dir, 01777) == -1) {
        fprintf(stderr, "errno-probe: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    snprintf(secret, sizeof(secret), "%s/secret", dir);
    int fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd == -1) {
        fprintf(stderr, "errno-probe: %s: %s\n", secret, strerror(errno));
        return 1;
    }
    close(fd);

    int root = geteuid() == 0;
    struct utsname u;
    if (uname(&u) == -1)
        snprintf(u.release, sizeof(u.release), "unknown");
    printf("#page_size\t%ld\n#uid\t%d\n#kernel\t%s %s\n", pg, (int)geteuid(), u.sysname, u.release);
    printf("#id\tgroup\tas_root\tas_user\tsetup\n");
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct probe_case *c = &cases[i];
        char as_root[64] = "-";
        if (root)
            snprintf(as_root, sizeof(as_root), "%s", run_case(c, 0));
        const char *as_user = run_case(c, root);
        /* Unprivileged, the secret file is our own: that row says nothing. */
        if (!root && strcmp(c->id, "perm_bits") == 0)
            as_user = "-";
        bad |= strcmp(as_root, "setup-failed") == 0 || strcmp(as_user, "setup-failed") == 0;
        printf("%s\t%s\t%s\t%s\t%s\n", c->id, c->group, as_root, as_user, c->setup);
    }
    /* Every case unlinks its own files at once; only the secret file is left. */
    if (unlink(secret) == -1 || rmdir(dir) == -1)
        fprintf(stderr, "errno-probe: could not remove %s: %s\n", dir, strerror(errno));
    if (bad)
        fprintf(stderr, "errno-probe: some cases could not be set up (see setup-failed)\n");
    return bad;
}
