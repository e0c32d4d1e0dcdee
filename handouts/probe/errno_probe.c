/* errno_probe.c - what mmap(2) and its neighbours really return and do on the machine that
 * builds the handouts. Each case runs in a child, so a signal is a result rather than a
 * crash; as root every case runs twice: as root and in a child that dropped to uid 65534.
 * A case that needs what this machine lacks (a mount namespace, a sysctl mode) says "-".
 * Output: one TSV row per case: id, group, result as root, result as the user, setup.
 * Run: build/handouts/errno-probe > build/handouts/gen/errno.tsv */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY_UID 65534

/* Exit codes of a case besides 0 (success) and an errno value (1..199); names below. */
enum {
    R_NOT_LOCK_FREE = 239, R_FEWER_FAULTS = 240, R_FAULT_PER_PAGE = 241, R_NO_FAULT = 242,
    R_COPIED = 243, R_NOT_COPIED = 244, R_KEPT = 245, R_UNMAPPED = 246, R_STILL_MAPPED = 247,
    R_NA = 249, R_VISIBLE = 250, R_NOT_VISIBLE = 251, R_ZERO = 252, R_SETUP = 255
};
static const struct { int code; const char *name; } result_names[] = {
    { 0, "OK" }, { R_VISIBLE, "visible" }, { R_NOT_VISIBLE, "not-visible" }, { R_ZERO, "zero" },
    { R_KEPT, "kept" }, { R_FEWER_FAULTS, "fewer-faults" }, { R_FAULT_PER_PAGE, "fault-per-page" },
    { R_NO_FAULT, "no-fault" }, { R_COPIED, "copied" }, { R_NOT_COPIED, "not-copied" },
    { R_UNMAPPED, "unmapped" }, { R_STILL_MAPPED, "still-mapped" },
    { R_NOT_LOCK_FREE, "not-lock-free" }, { R_NA, "-" }, { R_SETUP, "setup-failed" },
};

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

static void *anon_shared(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(R_SETUP);
    return p;
}

static void *anon(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(R_SETUP);
    return p;
}

static int sysctl_int(const char *path);
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
static int c_o_path(void)
{
    return map_fd(scratch_file(pg, O_PATH), pg, PROT_READ, MAP_PRIVATE, 0);
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
 * kernel's vm.max_map_count mappings are reached (not measured where the limit is huge). */
#define MAP_COUNT_MAX (4L << 20)
static int c_max_map_count(void)
{
    if (sysctl_int("/proc/sys/vm/max_map_count") >= MAP_COUNT_MAX)
        return R_NA;
    for (long i = 0; i < MAP_COUNT_MAX; i++)
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
/* MAP_DENYWRITE once made other opens for writing fail with ETXTBSY: a new open(O_WRONLY)
 * of the mapped file succeeding is what shows the flag is ignored. */
static int c_denywrite(void)
{
    int fd = scratch_file(pg, O_RDONLY);
    if (mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_DENYWRITE, fd, 0) == MAP_FAILED)
        return errno;
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    return res_int(open(self, O_WRONLY));
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

/* ---- What a mapping does beyond errno (primer: faults, files, memory, signals) ------- */
static long minor_faults(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == -1)
        _exit(R_SETUP);
    return ru.ru_minflt;
}
/* A scratch file of n pages written with pwrite, so that its pages are in the page cache. */
static int cached_file(int n)
{
    int fd = scratch_file(0, O_RDWR);
    char *buf = anon(pg, PROT_READ | PROT_WRITE);
    memset(buf, 'a', pg);
    for (int i = 0; i < n; i++)
        if (pwrite(fd, buf, pg, (off_t)i * pg) != pg)
            _exit(R_SETUP);
    return fd;
}
static int c_fault_around(void)
{
    enum { N = 64 };
    volatile char *p = mmap(NULL, N * pg, PROT_READ, MAP_SHARED, cached_file(N), 0);
    if (p == MAP_FAILED)
        return errno;
    long before = minor_faults();
    for (int i = 0; i < N; i++)
        (void)p[(long)i * pg];
    return minor_faults() - before < N ? R_FEWER_FAULTS : R_FAULT_PER_PAGE;
}
/* Populating is done for reading: on a disk file system the pages are mapped read-only
 * (the kernel must see the first store to mark the page dirty), so each first store
 * faults. tmpfs does no writeback and maps them writable: not measured there. */
static int c_populate_shared_store(void)
{
    enum { N = 64 };
    struct statfs fs;
    if (statfs(dir, &fs) == -1)
        _exit(R_SETUP);
    if (fs.f_type == 0x01021994)    /* TMPFS_MAGIC */
        return R_NA;
    volatile char *p = mmap(NULL, N * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                            cached_file(N), 0);
    if (p == MAP_FAILED)
        return errno;
    long before = minor_faults();
    for (int i = 0; i < N; i++)
        p[(long)i * pg] = 'b';
    long faults = minor_faults() - before;
    return faults >= N ? R_FAULT_PER_PAGE : faults == 0 ? R_NO_FAULT : R_FEWER_FAULTS;
}
/* kB of anonymous (copied) memory in the mapping at p, from /proc/self/smaps. */
static long anon_kb(const void *p)
{
    char line[512];
    long kb = -1;
    int in = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL)
        _exit(R_SETUP);
    while (fgets(line, sizeof(line), f)) {
        unsigned long start, end;
        /* "start-end perms ..." opens each mapping; field names start with a capital. */
        if ((line[0] < 'A' || line[0] > 'Z') && sscanf(line, "%lx-%lx ", &start, &end) == 2)
            in = start == (unsigned long)p;
        else if (in && sscanf(line, "Anonymous: %ld kB", &kb) == 1)
            break;
    }
    fclose(f);
    return kb;
}
static int c_populate_private_write(void)
{
    enum { N = 64 };
    char *p = mmap(NULL, N * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE,
                   cached_file(N), 0);
    if (p == MAP_FAILED)
        return errno;
    return anon_kb(p) == N * pg / 1024 ? R_COPIED : R_NOT_COPIED;
}
/* MAP_PRIVATE is not a snapshot: a page you never stored to still shows the file. */
static int private_then_pwrite(long page_to_read)
{
    int fd = cached_file(2);
    volatile char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return errno;
    p[0] = 'p';                                     /* page 0 is now a private copy */
    if (pwrite(fd, "n", 1, 0) != 1 || pwrite(fd, "n", 1, pg) != 1)
        return R_SETUP;
    return p[page_to_read * pg] == 'n' ? R_VISIBLE : R_NOT_VISIBLE;
}
static int c_private_untouched_page(void) { return private_then_pwrite(1); }
static int c_private_copied_page(void)    { return private_then_pwrite(0); }
/* On tmpfs (a memfd here) a byte stored past end of file, in the last page, survives
 * munmap and becomes file data when the file grows (man mmap, BUGS). */
static int c_store_past_eof_kept(void)
{
    int fd = memfd_create("probe", 0);
    char c = 0;
    if (fd == -1 || ftruncate(fd, pg / 2) == -1)
        return R_SETUP;
    char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return errno;
    p[pg - 1] = 'x';
    if (munmap(p, pg) == -1 || ftruncate(fd, pg) == -1 || pread(fd, &c, 1, pg - 1) != 1)
        return R_SETUP;
    return c == 'x' ? R_KEPT : c == 0 ? R_ZERO : R_SETUP;
}
/* read(2) and a MAP_SHARED store meet in the page cache: no msync needed to see it. */
static int c_read_sees_store(void)
{
    int fd = scratch_file(pg, O_RDWR);
    char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char c = 0;
    if (p == MAP_FAILED)
        return errno;
    p[0] = 'c';
    if (pread(fd, &c, 1, 0) != 1)
        return R_SETUP;
    return c == 'c' ? R_VISIBLE : R_NOT_VISIBLE;
}
static int c_tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1)
        return R_NA;                    /* no IPv4 here: not measured */
    return map_fd(fd, pg, PROT_READ, MAP_SHARED, 0);
}
static int c_devzero_private(void)
{
    int fd = open("/dev/zero", O_RDONLY);
    if (fd == -1)
        return R_SETUP;
    return map_fd(fd, pg, PROT_READ, MAP_PRIVATE, 0);
}
/* MAP_LOCKED does not fail when pages cannot be locked; mlock(2) does. A page wholly past
 * end of file cannot be brought in, hence cannot be locked. */
static int c_locked_past_eof(void)
{
    return map_fd(scratch_file(pg / 2, O_RDONLY), 2 * pg, PROT_READ, MAP_SHARED | MAP_LOCKED, 0);
}
static int c_mlock_past_eof(void)
{
    void *p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, scratch_file(pg / 2, O_RDONLY), 0);
    if (p == MAP_FAILED)
        return R_SETUP;
    return res_int(mlock(p, 2 * pg));
}
/* Unmapping the middle of a mapping splits it in two: one mapping more, refused at the
 * vm.max_map_count limit. */
static int c_munmap_split_at_limit(void)
{
    if (sysctl_int("/proc/sys/vm/max_map_count") >= MAP_COUNT_MAX)
        return R_NA;
    char *p = anon(3 * pg, PROT_READ);
    for (long i = 0; i < MAP_COUNT_MAX; i++)
        if (mmap(NULL, pg, i % 2 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            == MAP_FAILED)
            return errno == ENOMEM ? res_int(munmap(p + pg, pg)) : R_SETUP;
    return R_SETUP;
}
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    if (f == NULL)
        _exit(R_SETUP);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, field, n) == 0 && line[n] == ':' && sscanf(line + n + 1, "%ld", &kb) == 1)
            break;
    fclose(f);
    if (kb < 0)
        _exit(R_SETUP);
    return kb;
}
/* RLIMIT_DATA counts private writable mappings (Linux 4.7), not shared or read-only ones. */
static int map_under_rlimit_data(int prot, int flags)
{
    struct rlimit rl = { (rlim_t)(status_kb("VmData") + 1024) * 1024, RLIM_INFINITY };
    if (setrlimit(RLIMIT_DATA, &rl) == -1)
        return R_SETUP;
    return map_fd(-1, 64 << 20, prot, flags | MAP_ANONYMOUS, 0);
}
static int c_rlimit_data(void)        { return map_under_rlimit_data(PROT_READ | PROT_WRITE, MAP_PRIVATE); }
static int c_rlimit_data_shared(void) { return map_under_rlimit_data(PROT_READ | PROT_WRITE, MAP_SHARED); }
static long meminfo_kb(const char *field)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    if (f == NULL)
        _exit(R_SETUP);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, field, n) == 0 && line[n] == ':' && sscanf(line + n + 1, "%ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}
static int sysctl_int(const char *path)
{
    FILE *f = fopen(path, "r");
    int v = -1;
    if (f == NULL || fscanf(f, "%d", &v) != 1)
        v = -1;
    if (f)
        fclose(f);
    return v;
}
/* In the default heuristic mode (vm.overcommit_memory = 0) one private writable mapping
 * larger than RAM + swap is refused; MAP_NORESERVE skips that check. */
static int overcommit_map(int extra)
{
    if (sysctl_int("/proc/sys/vm/overcommit_memory") != 0)
        return R_NA;
    long kb = meminfo_kb("MemTotal") + meminfo_kb("SwapTotal");
    return map_fd(-1, (size_t)kb * 2048, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra, 0);
}
static int c_overcommit_huge(void)      { return overcommit_map(0); }
static int c_overcommit_noreserve(void) { return overcommit_map(MAP_NORESERVE); }
static int c_hugetlb_no_pool(void)
{
    if (sysctl_int("/proc/sys/vm/nr_hugepages") != 0 ||
        sysctl_int("/proc/sys/vm/nr_overcommit_hugepages") != 0)
        return R_NA;
    return map_fd(-1, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, 0);
}
/* A 16 KiB tmpfs of our own (a private mount namespace; as a user, inside a user
 * namespace). Returns a file in it of 16 pages, sparse, or -1 where namespaces are not
 * allowed (a container): the case then says "not measured". */
static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    int ok = fd != -1 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    if (fd != -1)
        close(fd);
    return ok ? 0 : -1;
}
static int file_on_full_tmpfs(void)
{
    char path[128], map[64];
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (uid != 0) {
        /* Dropping from root made us non-dumpable, which makes /proc/self/uid_map root's. */
        if (prctl(PR_SET_DUMPABLE, 1) == -1 || unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1)
            return -1;
        snprintf(map, sizeof(map), "0 %d 1", (int)uid);
        if (write_file("/proc/self/setgroups", "deny") == -1 || write_file("/proc/self/uid_map", map) == -1)
            return -1;
        snprintf(map, sizeof(map), "0 %d 1", (int)gid);
        if (write_file("/proc/self/gid_map", map) == -1)
            return -1;
    } else if (unshare(CLONE_NEWNS) == -1) {
        return -1;
    }
    /* Private first, or the new mount would propagate to the machine's namespace. It goes
     * over the scratch directory, seen only in this namespace: nothing to remove later. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
        mount("probe", dir, "tmpfs", 0, "size=16k") == -1)
        return -1;
    snprintf(path, sizeof(path), "%s/store", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd == -1 || ftruncate(fd, 16 * pg) == -1)  /* sparse: no space taken yet */
        _exit(R_SETUP);
    return fd;
}
static int c_full_tmpfs_store(void)
{
    int fd = file_on_full_tmpfs();
    if (fd == -1)
        return R_NA;
    char *p = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return errno;
    for (int i = 0; i < 16; i++)
        p[(long)i * pg] = 'x';                     /* the fifth page has no room: SIGBUS */
    return 0;
}
static int c_full_tmpfs_fallocate(void)
{
    int fd = file_on_full_tmpfs();
    return fd == -1 ? R_NA : posix_fallocate(fd, 0, 16 * pg);
}
/* F_SEAL_SHRINK: nobody can truncate the memfd under a mapping any more. */
static int c_memfd_seal_shrink(void)
{
    int fd = memfd_create("probe", MFD_ALLOW_SEALING);
    if (fd == -1 || ftruncate(fd, pg) == -1 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == -1)
        return R_SETUP;
    return res_int(ftruncate(fd, 0));
}
/* ---- madvise, mremap, mincore, fork and exec ------------------------------------------ */
static int c_dontneed_private(void)
{
    volatile char *p = anon(pg, PROT_READ | PROT_WRITE);
    p[0] = 'x';
    if (madvise((void *)p, pg, MADV_DONTNEED) == -1)
        return errno;
    return p[0] == 0 ? R_ZERO : R_KEPT;
}
static int c_dontneed_shared_file(void)
{
    volatile char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, scratch_file(pg, O_RDWR), 0);
    if (p == MAP_FAILED)
        return errno;
    p[0] = 'x';
    if (madvise((void *)p, pg, MADV_DONTNEED) == -1)
        return errno;
    return p[0] == 'x' ? R_KEPT : p[0] == 0 ? R_ZERO : R_SETUP;
}
static int c_mremap_grow(void)
{
    char *p = anon(pg, PROT_READ | PROT_WRITE);
    p[0] = 'x';
    char *q = mremap(p, pg, 4 * pg, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        return errno;
    q[4 * pg - 1] = 'y';                            /* the new pages are usable */
    return q[0] == 'x' ? R_KEPT : R_SETUP;
}
static int c_mincore_unmapped(void)
{
    unsigned char vec[1];
    return res_int(mincore(unmapped_range(), pg, vec));
}
/* The child of a fork reads the page after the parent's madvise(advice). */
static int child_after_advice(int advice)
{
    volatile char *p = anon(pg, PROT_READ | PROT_WRITE);
    p[0] = 'x';
    if (madvise((void *)p, pg, advice) == -1)
        return errno;
    pid_t pid = fork();
    if (pid == -1)
        return R_SETUP;
    if (pid == 0)
        _exit(p[0] == 0 ? R_ZERO : p[0] == 'x' ? R_KEPT : R_SETUP);
    int st;
    if (waitpid(pid, &st, 0) == -1)
        return R_SETUP;
    if (WIFSIGNALED(st))
        raise(WTERMSIG(st));                        /* the child's signal is our result */
    return WIFEXITED(st) ? WEXITSTATUS(st) : R_SETUP;
}
static int c_wipeonfork(void) { return child_after_advice(MADV_WIPEONFORK); }
static int c_dontfork(void)   { return child_after_advice(MADV_DONTFORK); }
/* execve replaces the whole address space: the new program checks the old address. */
#define EXEC_CHECK "--exec-check"
/* 16 TiB: inside the 47-bit user address space of x86-64, far from where a new program maps. */
static void *const exec_addr = (void *)0x100000000000UL;
static int c_execve_unmaps(void)
{
    void *p = mmap(exec_addr, pg, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != exec_addr)
        return R_NA;                    /* a smaller address space: not measured */
    execl("/proc/self/exe", "errno-probe", EXEC_CHECK, (char *)NULL);
    return R_SETUP;
}
static int exec_check(void)
{
    unsigned char vec[1];
    long len = sysconf(_SC_PAGESIZE);       /* a new program: main has not set pg */
    return mincore(exec_addr, len, vec) == -1 && errno == ENOMEM ? R_UNMAPPED : R_STILL_MAPPED;
}
/* A writer that dies in the middle of a change, and a lock-free reader after it (Lab 3).
 * The textbook seqlock: seq odd while writing, readers wait while it is odd. The two-copy
 * record: the writer fills the idle copy, then publishes it with gen + 1. */
struct two_copy { _Atomic unsigned gen; char copy[2][64]; };
struct seqlocked { _Atomic unsigned seq; char data[64]; };

/* Runs reader(rec) in a child with a 200 ms timer: its result, or SIGALRM if it waited. */
static int read_with_timeout(int (*reader)(void *), void *rec)
{
    pid_t pid = fork();
    if (pid == -1)
        return R_SETUP;
    if (pid == 0) {
        struct itimerval t = { { 0, 0 }, { 0, 200 * 1000 } };
        if (setitimer(ITIMER_REAL, &t, NULL) == -1)
            _exit(R_SETUP);
        _exit(reader(rec));
    }
    int st;
    if (waitpid(pid, &st, 0) == -1)
        return R_SETUP;
    if (WIFSIGNALED(st))
        raise(WTERMSIG(st));
    return WIFEXITED(st) ? WEXITSTATUS(st) : R_SETUP;
}
static int seqlock_read(void *rec)
{
    struct seqlocked *r = rec;
    char out[64];
    for (;;) {
        unsigned before = atomic_load_explicit(&r->seq, memory_order_acquire);
        if (before & 1)
            continue;                                   /* a writer is busy: wait */
        memcpy(out, r->data, sizeof(out));
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&r->seq, memory_order_relaxed) == before)
            return out[0] == 'o' && out[63] == 'o' ? R_KEPT : R_SETUP;
    }
}
static int two_copy_read(void *rec)
{
    struct two_copy *r = rec;
    char out[64];
    for (;;) {
        unsigned g = atomic_load_explicit(&r->gen, memory_order_acquire);
        memcpy(out, r->copy[g & 1], sizeof(out));
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&r->gen, memory_order_relaxed) == g)
            return out[0] == 'o' && out[63] == 'o' ? R_KEPT : R_SETUP;
    }
}
/* The writer child holds "old" in the record, starts writing "new" and dies halfway. */
static int c_seqlock_dead_writer(void)
{
    struct seqlocked *r = anon_shared(sizeof(*r));
    memset(r->data, 'o', sizeof(r->data));
    pid_t pid = fork();
    if (pid == -1)
        return R_SETUP;
    if (pid == 0) {
        atomic_store_explicit(&r->seq, 1, memory_order_relaxed);    /* odd: writing */
        atomic_thread_fence(memory_order_release);
        memset(r->data, 'n', sizeof(r->data) / 2);
        _exit(0);                                                   /* dies here */
    }
    if (waitpid(pid, NULL, 0) == -1)
        return R_SETUP;
    return read_with_timeout(seqlock_read, r);
}
static int c_two_copy_dead_writer(void)
{
    struct two_copy *r = anon_shared(sizeof(*r));
    memset(r->copy[0], 'o', sizeof(r->copy[0]));                    /* gen 0: copy 0 */
    pid_t pid = fork();
    if (pid == -1)
        return R_SETUP;
    if (pid == 0) {
        atomic_thread_fence(memory_order_release);
        memset(r->copy[1], 'n', sizeof(r->copy[1]) / 2);           /* the idle copy */
        _exit(0);                                                   /* dies before gen + 1 */
    }
    if (waitpid(pid, NULL, 0) == -1)
        return R_SETUP;
    return read_with_timeout(two_copy_read, r);
}

/* ---- Memory model: atomics and mutexes in shared memory ------------------------------- */
static int c_atomic_lock_free(void)
{
    _Atomic uint64_t a = 0;
    _Atomic uint32_t b = 0;
    return atomic_is_lock_free(&a) && atomic_is_lock_free(&b) ? 0 : R_NOT_LOCK_FREE;
}
/* A robust mutex is recovered through the dead owner's list of held robust mutexes, which
 * holds the address of the original: a byte copy of the locked mutex (a store file copied
 * while locked) is on nobody's list and stays locked forever. */
static int robust_after_owner_died(int use_copy)
{
    int fd = scratch_file(pg, O_RDWR), copy = scratch_file(pg, O_RDWR);
    pthread_mutex_t *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    pthread_mutex_t *c = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, copy, 0);
    pthread_mutexattr_t a;
    if (m == MAP_FAILED || c == MAP_FAILED || pthread_mutexattr_init(&a) ||
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ||
        pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) || pthread_mutex_init(m, &a))
        return R_SETUP;
    pid_t pid = fork();
    if (pid == -1)
        return R_SETUP;
    if (pid == 0) {                                 /* lock, copy the image, die holding it */
        if (pthread_mutex_lock(m) != 0 || pwrite(copy, m, sizeof(*m), 0) != sizeof(*m))
            _exit(R_SETUP);
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return R_SETUP;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 200 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000L)
        deadline.tv_sec++, deadline.tv_nsec -= 1000000000L;
    return pthread_mutex_timedlock(use_copy ? c : m, &deadline);
}
static int c_robust_original(void) { return robust_after_owner_died(0); }
static int c_robust_copy(void)     { return robust_after_owner_died(1); }

struct probe_case {
    const char *id, *group;
    int (*fn)(void);
    const char *setup;
};

static const struct probe_case cases[] = {
    { "ebadf_minus1", "EBADF", c_ebadf_minus1, "fd -1 without MAP_ANONYMOUS" },
    { "ebadf_closed", "EBADF", c_ebadf_closed, "an fd that was already closed" },
    { "o_path", "EBADF", c_o_path, "an fd opened O_PATH (fstat works on it)" },
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
    { "denywrite", "success", c_denywrite, "MAP_DENYWRITE, then a new open(O_WRONLY) of the mapped file" },
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
    { "tcp_socket", "not ENODEV", c_tcp_socket, "a TCP socket, PROT_READ, MAP_SHARED" },
    { "devzero_private", "not ENODEV", c_devzero_private, "/dev/zero opened O_RDONLY, PROT_READ, MAP_PRIVATE" },
    { "munmap_split_at_limit", "ENOMEM", c_munmap_split_at_limit, "munmap of the middle page of a mapping, at vm.max_map_count mappings" },
    { "mincore_unmapped", "ENOMEM", c_mincore_unmapped, "mincore of an unmapped range" },
    { "rlimit_data", "memory limits", c_rlimit_data, "64 MiB MAP_PRIVATE + PROT_WRITE, RLIMIT_DATA 1 MiB above current use" },
    { "rlimit_data_shared", "memory limits", c_rlimit_data_shared, "the same with MAP_SHARED (not counted by RLIMIT_DATA)" },
    { "overcommit_huge", "memory limits", c_overcommit_huge, "private writable anonymous mapping of twice RAM + swap (vm.overcommit_memory 0 only)" },
    { "overcommit_noreserve", "memory limits", c_overcommit_noreserve, "the same with MAP_NORESERVE (vm.overcommit_memory 0 only)" },
    { "hugetlb_no_pool", "memory limits", c_hugetlb_no_pool, "MAP_HUGETLB 2 MiB with no huge page reserved (vm.nr_hugepages 0 only)" },
    { "locked_past_eof", "memory limits", c_locked_past_eof, "MAP_LOCKED of 2 pages of a half-page file (the second cannot be locked)" },
    { "mlock_past_eof", "memory limits", c_mlock_past_eof, "mlock(2) of the same 2 pages" },
    { "fault_around", "faults", c_fault_around, "read one byte of each of 64 cached pages of a file: minor faults counted" },
    { "populate_shared_store", "faults", c_populate_shared_store, "MAP_SHARED|MAP_POPULATE of 64 pages of a disk file, then one store per page: faults counted" },
    { "populate_private_write", "faults", c_populate_private_write, "MAP_PRIVATE|PROT_WRITE|MAP_POPULATE of 64 file pages: copied at mmap time?" },
    { "private_untouched_page", "files", c_private_untouched_page, "MAP_PRIVATE file mapping, then pwrite to a page never stored to" },
    { "private_copied_page", "files", c_private_copied_page, "MAP_PRIVATE file mapping, then pwrite to a page already stored to" },
    { "read_sees_store", "files", c_read_sees_store, "MAP_SHARED store, then pread(2) of that byte without msync" },
    { "store_past_eof_kept", "files", c_store_past_eof_kept, "memfd (tmpfs) of half a page: store past EOF, munmap, ftruncate to a page, pread" },
    { "full_tmpfs_store", "files", c_full_tmpfs_store, "a sparse 16-page file on a 16 KiB tmpfs, mapped MAP_SHARED, one store per page" },
    { "full_tmpfs_fallocate", "files", c_full_tmpfs_fallocate, "posix_fallocate of that file before mapping it" },
    { "memfd_seal_shrink", "files", c_memfd_seal_shrink, "ftruncate to 0 of a memfd sealed with F_SEAL_SHRINK" },
    { "dontneed_private", "madvise", c_dontneed_private, "MADV_DONTNEED on a written MAP_PRIVATE|MAP_ANONYMOUS page, then read" },
    { "dontneed_shared_file", "madvise", c_dontneed_shared_file, "MADV_DONTNEED on a written MAP_SHARED file page, then read" },
    { "mremap_grow", "madvise", c_mremap_grow, "mremap of a written page to 4 pages (MREMAP_MAYMOVE): first byte" },
    { "wipeonfork", "madvise", c_wipeonfork, "MADV_WIPEONFORK on a written private page: the child reads it" },
    { "dontfork", "madvise", c_dontfork, "MADV_DONTFORK on a written private page: the child reads it" },
    { "execve_unmaps", "madvise", c_execve_unmaps, "a MAP_SHARED|MAP_ANONYMOUS page, then execve: the new program looks there" },
    { "atomic_lock_free", "memory model", c_atomic_lock_free, "atomic_is_lock_free for _Atomic uint32_t and uint64_t" },
    { "robust_original", "memory model", c_robust_original, "robust mutex in a file, its owner exits holding it: lock it" },
    { "seqlock_dead_writer", "memory model", c_seqlock_dead_writer, "seqlock (readers wait while seq is odd), writer dies mid-write: read, 200 ms timer" },
    { "two_copy_dead_writer", "memory model", c_two_copy_dead_writer, "two copies + generation, writer dies mid-write: read, 200 ms timer" },
    { "robust_copy", "memory model", c_robust_copy, "a byte copy of that locked mutex (taken by its owner) in another file: lock it, 200 ms timeout" },
};

static const char *errname(int e)
{
    static const struct { int e; const char *n; } names[] = {
        { EBADF, "EBADF" }, { EACCES, "EACCES" }, { EINVAL, "EINVAL" }, { ENOMEM, "ENOMEM" },
        { ENODEV, "ENODEV" }, { EEXIST, "EEXIST" }, { EPERM, "EPERM" }, { EOVERFLOW, "EOVERFLOW" },
        { EAGAIN, "EAGAIN" }, { ETXTBSY, "ETXTBSY" }, { ENFILE, "ENFILE" }, { ENXIO, "ENXIO" },
        { ENOENT, "ENOENT" }, { EMFILE, "EMFILE" }, { EFAULT, "EFAULT" },
        { ENOSPC, "ENOSPC" }, { ETIMEDOUT, "ETIMEDOUT" }, { EOWNERDEAD, "EOWNERDEAD" },
        { ENOTRECOVERABLE, "ENOTRECOVERABLE" }, { EDEADLK, "EDEADLK" },
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
    for (size_t i = 0; i < sizeof(result_names) / sizeof(result_names[0]); i++)
        if (result_names[i].code == WEXITSTATUS(st))
            return result_names[i].name;
    return errname(WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], EXEC_CHECK) == 0)
        return exec_check();    /* we are the new program of the execve_unmaps case */
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
