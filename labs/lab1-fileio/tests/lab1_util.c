/* lab1_util.c - code the Lab 1 tests share (see lab1_util.h); holds no tests.
 * Everything here checks its own calls and fails the test with a message naming them. */
#include "lab1_util.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>

MM_LAB("lab1", S_LEAKS);

/* Every suite of the lab, public and hidden, with its time limit: the grader links public and
 * hidden tests into separate binaries, and both need each suite's setup and limit. */
MM_SUITE(mf_map, 20);
MM_SUITE(mf_map_file, 20);
MM_SUITE(mf_unmap, 20);
MM_SUITE(mf_count_lines, 30);
MM_SUITE(mf_copy, 30);
MM_SUITE(mf_reverse, 30);


int sweep_sizes(size_t sizes[SWEEP_MAX])
{
    size_t p = mm_page_size();
    int n = 0;

    sizes[n++] = 0;
    sizes[n++] = 1;
    sizes[n++] = p - 1;
    sizes[n++] = p;
    sizes[n++] = p + 1;
    sizes[n++] = 3 * p + 17;
    sizes[n++] = ((size_t)3 << 20) + 5;        /* several MiB, odd */
    return n;
}


int open_tmp(const void *data, size_t len, int flags, const char **path)
{
    const char *name = mm_tmpfile(data, len);
    int fd = open(name, flags);

    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: open(%s) failed: %s", name, strerror(errno));
    if (path)
        *path = name;
    return fd;
}

int disk_tmpfile(const void *data, size_t len)
{
    const char *dir = mm_disk_dir();
    char path[4096];
    int fd = -1;

    if (dir) {
        snprintf(path, sizeof path, "%s/lab1-disk-XXXXXX", dir);
        if ((fd = mkstemp(path)) != -1)
            unlink(path);
    }
    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: no directory on a disk file system (tried "
             "$MMTEST_DISK_DIR, $TMPDIR, /tmp, /var/tmp and the current directory; tmpfs does "
             "not count: msync has nothing to write back there). Set MMTEST_DISK_DIR.");
    for (size_t done = 0; done < len; ) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        MM_CHECK(n > 0, MM_NO_HINT, "test setup: write to a disk file failed: %s",
                 strerror(errno));
        done += (size_t)n;
    }
    return fd;
}

int sealed_memfd(const void *data, size_t len, int seals)
{
    int fd = memfd_create("lab1-sealed", MFD_ALLOW_SEALING);

    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: memfd_create failed: %s", strerror(errno));
    for (size_t done = 0; done < len; ) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        MM_CHECK(n > 0, MM_NO_HINT, "test setup: write to a memfd failed: %s", strerror(errno));
        done += (size_t)n;
    }
    MM_CHECK(fcntl(fd, F_ADD_SEALS, seals) == 0, MM_NO_HINT, "test setup: F_ADD_SEALS failed: "
             "%s", strerror(errno));
    return fd;
}

int closed_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);

    /* No MM_CHECK: this runs in subjects. If open failed, -1 is a bad fd as well. */
    if (fd != -1)
        close(fd);
    return fd;
}

void expect_file_is(const char *path, const void *data, size_t len, const char *what)
{
    size_t got_len = 0;
    unsigned char *got = mm_slurp(path, &got_len);

    MM_CHECK(got != NULL, MM_NO_HINT, "test check: cannot read %s back: %s", path,
             strerror(errno));
    size_t first_diff = 0;
    while (first_diff < len && first_diff < got_len &&
           got[first_diff] == ((const unsigned char *)data)[first_diff])
        first_diff++;
    int same = got_len == len && first_diff == len;
    free(got);
    MM_CHECK(same, MM_NO_HINT, "%s: the file should hold %zu bytes, it holds %zu; first "
             "difference at byte %zu.", what, len, got_len, first_diff);
}

/* Names of the bits of value in names[], joined by " | " ("0" for none, hex for the rest). */
static void bit_names(char *buf, size_t size, int value, const int bits[],
                      const char *const names[])
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; names[i] && used < size; i++)
        if (value & bits[i]) {
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " | " : "",
                                     names[i]);
            value &= ~bits[i];
        }
    if ((value || used == 0) && used < size)
        snprintf(buf + used, size - used, "%s%#x", used ? " | " : "", (unsigned)value);
}

struct map_seen map_in_subject(int fd, off_t offset, size_t len, int prot, int flags)
{
    static const int prot_bits[] = { PROT_READ, PROT_WRITE, PROT_EXEC };
    static const char *const prot_names[] = { "PROT_READ", "PROT_WRITE", "PROT_EXEC", NULL };
    static const int flag_bits[] = { MAP_SHARED, MAP_PRIVATE, MAP_LOCKED, MAP_POPULATE };
    static const char *const flag_names[] = { "MAP_SHARED", "MAP_PRIVATE", "MAP_LOCKED",
                                              "MAP_POPULATE", NULL };
    char prot_text[64], flags_text[80], call[256];
    struct map_seen o;

    /* The call as the message shows it, with the values this test used. */
    bit_names(prot_text, sizeof prot_text, prot, prot_bits, prot_names);
    bit_names(flags_text, sizeof flags_text, flags, flag_bits, flag_names);
    snprintf(call, sizeof call, "mf_map(fd, %lld, %zu, %s, %s, &v)", (long long)offset, len,
             prot_text, flags_text);
    MM_SUBJECT(o) {
        struct mf_view v;
        o.map = MM_CALL_AS(call, mf_map(fd, offset, len, prot, flags, &v));
        if (o.map.ret == 0) {
            o.v = v;
            o.data_offset = (char *)v.data - (char *)v.map_base;
            o.digest = mm_digest(v.data, v.len);
            o.unmap = MM_CALL(mf_unmap(&v));
        }
    }
    return o;
}

void expect_fd_file_is(int fd, const void *data, size_t len, const char *what)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    expect_file_is(path, data, len, what);
}

int view_is_zero(const struct mf_view *v)
{
    return v->data == NULL && v->len == 0 && v->map_base == NULL && v->map_len == 0;
}

void view_fill_junk(struct mf_view *v)
{
    v->data = (void *)0x5a5a5000;
    v->len = 77;
    v->map_base = (void *)0x5a5a5000;
    v->map_len = 4242;
}

/* Mappings of files (inode != 0) in /proc/self/maps. Anonymous ones are left out: malloc
 * and the sanitizers grow and shrink their own as they like. */
static int count_file_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long long inode = 0;
        if (sscanf(line, "%*s %*s %*s %*s %llu", &inode) == 1 && inode != 0)
            n++;
    }
    fclose(f);
    return n;
}

struct probe probe_take(void)
{
    return (struct probe){ mm_count_fds(), count_file_maps() };
}

void probe_check(struct probe before, struct probe after, const char *after_what)
{
    MM_CHECK(after.fds == before.fds, HINT(S_LEAKS, "close every fd you open, on every path"),
             "After %s: %d file descriptor(s) open, %d before: something was not closed.",
             after_what, after.fds, before.fds);
    MM_CHECK(after.maps == before.maps, HINT(S_LEAKS, "munmap map_base with map_len on every "
             "path, failures included"), "After %s: %d file mappings in /proc/self/maps, %d "
             "before: a mapping was not (fully) unmapped.", after_what, after.maps, before.maps);
}

int limit_address_space(unsigned long long extra, struct rlimit *old)
{
    unsigned long long limit = mm_vm_size() + extra;
    struct rlimit rl;

    if (getrlimit(RLIMIT_AS, old) == -1)
        return -1;
    rl = *old;
    /* Only the soft limit, never above a hard limit the grader may have set. */
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < limit ? rl.rlim_max : limit;
    return setrlimit(RLIMIT_AS, &rl);
}

int fail_syscall(const char *name, int err, int arg, unsigned long long value)
{
    int nr = seccomp_syscall_resolve_name(name);
    scmp_filter_ctx ctx;
    int rc;

    if (nr == __NR_SCMP_ERROR)
        return ENOSYS;
    /* A subject has no_new_privs already (it is sealed with seccomp); saying so again is
     * harmless and keeps this usable on its own. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return errno;
    if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
        return ENOMEM;
    if (arg >= 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), nr, 1,
                              /* the low 32 bits: an int argument's upper half is not
                               * defined by the calling convention */
                              SCMP_CMP((unsigned)arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, value));
    else
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), nr, 0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return -rc;                         /* libseccomp returns -errno */
}

int pipe_read_end(int *write_end)
{
    int p[2];

    MM_CHECK(pipe(p) == 0, MM_NO_HINT, "test setup: pipe failed: %s", strerror(errno));
    if (write_end)
        *write_end = p[1];
    else
        close(p[1]);
    return p[0];
}

int fifo_rdwr(void)
{
    char path[4096];

    snprintf(path, sizeof path, "%s/fifo", mm_tmpdir());
    MM_CHECK(mkfifo(path, 0600) == 0, MM_NO_HINT, "test setup: mkfifo failed: %s",
             strerror(errno));
    int fd = open(path, O_RDWR);        /* Linux: O_RDWR on a FIFO does not block */
    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: open fifo failed: %s", strerror(errno));
    return fd;
}
