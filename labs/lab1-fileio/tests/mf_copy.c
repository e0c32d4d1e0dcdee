/* mf_copy.c - public tests of mf_copy: exact copies over the size sweep, the dst open-mode
 * check (dst left unchanged), the same-file case, and no read(2) of file data.
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'mf_copy/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

Test(mf_copy, file_sizes_copy_exactly)
{
    size_t sizes[SWEEP_MAX];
    int n = sweep_sizes(sizes);

    for (int i = 0; i < n; i++) {
        const char *dst_path;
        unsigned char *data = mm_random_bytes(sizes[i], 30 + i);
        int src = open_tmp(data, sizes[i], O_RDONLY, NULL);
        int dst = open_tmp(NULL, 0, O_RDWR, &dst_path);
        char what[64];
        struct mm_call copy;

        snprintf(what, sizeof what, "mf_copy of a %zu-byte file", sizes[i]);
        MM_SUBJECT(copy)
            copy = MM_CALL_AS(what, mf_copy(src, dst));
        MM_CHECK(copy.ret == 0, HINT(S_COPY, "ftruncate dst to src's size first (a store past "
                 "its end raises SIGBUS), then map both MAP_SHARED"), "%s returned %lld with "
                 "errno %s, expected 0.", what, copy.ret, mm_errno_name(copy.err));
        expect_file_is(dst_path, data, sizes[i], what);
        free(data);
        close(src);
        close(dst);
    }
}

Test(mf_copy, read_only_dst_gives_EACCES_and_dst_unchanged)
{
    const char *dst_path;
    int src = open_tmp("new contents\n", 13, O_RDONLY, NULL);
    int dst = open_tmp("old\n", 4, O_RDONLY, &dst_path);

    MM_CALL_ERRNO(mf_copy(src, dst), EACCES,
                  HINT(S_COPY, "a MAP_SHARED, PROT_WRITE mapping of dst needs it opened "
                       "O_RDWR: check fcntl(dst_fd, F_GETFL) before ftruncate"));
    expect_file_is(dst_path, "old\n", 4, "dst after a failed mf_copy (EACCES)");
    close(src);
    close(dst);
}

Test(mf_copy, same_file_succeeds_unchanged)
{
    const char *path;
    int fd = open_tmp("abcdef\n", 7, O_RDWR, &path);
    struct mm_call copy;

    MM_SUBJECT(copy)
        copy = MM_CALL(mf_copy(fd, fd));
    MM_CHECK(copy.ret == 0, HINT(S_COPY, "src and dst the same file (same st_dev and st_ino): "
             "nothing to do - truncating dst would destroy src - and the result is 0"),
             "mf_copy(fd, fd) returned %lld (errno %s), expected 0.", copy.ret,
             mm_errno_name(copy.err));
    expect_file_is(path, "abcdef\n", 7, "a file copied onto itself");
    close(fd);
}

/* The rule is enforced, not measured: the subject is killed by the first system call that
 * reads file data (read, pread, splice, sendfile, copy_file_range, io_uring...), and the
 * failure message says so. Small files, several MiB, and more than one 64 MiB window. */
Test(mf_copy, file_data_is_never_read)
{
    const size_t MiB = (size_t)1 << 20;
    const size_t sizes[] = { 1, mm_page_size() + 1, 8 * MiB, 72 * MiB + 3 };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const char *dst_path;
        unsigned char *data = mm_random_bytes(sizes[i], 3 + (unsigned)i);
        int src = open_tmp(data, sizes[i], O_RDONLY, NULL);
        int dst = open_tmp(NULL, 0, O_RDWR, &dst_path);
        char what[64];
        struct mm_call copy;

        snprintf(what, sizeof what, "mf_copy of a %zu-byte file", sizes[i]);
        MM_SUBJECT_WITH(copy, .no_file_reads = true, .timeout_ms = 20000)
            copy = MM_CALL_AS(what, mf_copy(src, dst));
        MM_CHECK(copy.ret == 0, HINT(S_COPY, "ftruncate dst, map both, memcpy"), "%s returned "
                 "%lld (errno %s), expected 0.", what, copy.ret, mm_errno_name(copy.err));
        snprintf(what, sizeof what, "dst after mf_copy of a %zu-byte file", sizes[i]);
        expect_file_is(dst_path, data, sizes[i], what);
        free(data);
        close(src);
        close(dst);
    }
}

/* What a subject saw of one mf_copy call, with the fds and file mappings around it. */
struct copy_seen { struct mm_call copy; struct probe before, after; };

static struct copy_seen copy_in_subject(int src, int dst)
{
    struct copy_seen o;

    MM_SUBJECT(o) {
        o.before = probe_take();
        o.copy = MM_CALL(mf_copy(src, dst));
        o.after = probe_take();
    }
    return o;
}

/* A failure halfway: src is mapped, then dst (sealed against writing) cannot be mapped
 * writable. The answer is mmap's errno, and src's window must be unmapped on the way out. */
Test(mf_copy, write_sealed_dst_gives_EPERM_and_unmaps_src)
{
    unsigned char *data = mm_random_bytes(3 * mm_page_size() + 5, 31);
    int src = open_tmp(data, 3 * mm_page_size() + 5, O_RDONLY, NULL);
    int dst = sealed_memfd(NULL, 0, F_SEAL_WRITE);

    struct copy_seen o = copy_in_subject(src, dst);
    MM_CHECK_ERRNO(o.copy, EPERM, HINT(S_COPY, "when mapping dst fails, return -1 with mmap's "
                                       "errno (here EPERM: dst is sealed against writes)"));
    probe_check(o.before, o.after, "mf_copy failed to map dst after mapping src");
    free(data);
    close(src);
    close(dst);
}

/* A failure halfway: dst (sealed against shrinking) cannot be truncated to src's size. */
Test(mf_copy, shrink_sealed_dst_gives_EPERM)
{
    unsigned char *old = mm_random_bytes(3 * mm_page_size(), 32);
    int src = open_tmp("short\n", 6, O_RDONLY, NULL);
    int dst = sealed_memfd(old, 3 * mm_page_size(), F_SEAL_SHRINK);

    struct copy_seen o = copy_in_subject(src, dst);
    MM_CHECK_ERRNO(o.copy, EPERM, HINT(S_COPY, "check what ftruncate returns: when it fails, "
                                       "return -1 with its errno (here EPERM: dst may not "
                                       "shrink)"));
    probe_check(o.before, o.after, "mf_copy failed to truncate dst");
    free(old);
    close(src);
    close(dst);
}

/* What a subject saw of one mf_copy call made while the system call name fails with err
 * (for fd_arg >= 0 only when that argument is fd). */
struct failing_copy { int setup_err; struct copy_seen seen; };

static struct failing_copy copy_while_failing(int src, int dst, const char *name, int err,
                                              int fd_arg, int fd)
{
    struct failing_copy o;

    MM_SUBJECT(o) {
        o.seen.before = probe_take();
        o.setup_err = fail_syscall(name, err, fd_arg, (unsigned)fd);
        if (o.setup_err == 0)
            o.seen.copy = MM_CALL(mf_copy(src, dst));
        o.seen.after = probe_take();
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: cannot make %s fail: %s", name,
             mm_errno_name(o.setup_err));
    return o;
}

/* A failure after every check: mapping src fails (ENOMEM, as in a full address space; made
 * to happen for src's fd only, by a system-call filter in the subject). The answer is -1
 * with mmap's errno and nothing left mapped, never a copy from a view that does not exist. */
Test(mf_copy, src_mapping_failure_gives_its_errno)
{
    unsigned char *data = mm_random_bytes(2 * mm_page_size() + 3, 34);
    int src = open_tmp(data, 2 * mm_page_size() + 3, O_RDONLY, NULL);
    int dst = open_tmp(NULL, 0, O_RDWR, NULL);

    struct failing_copy o = copy_while_failing(src, dst, "mmap", ENOMEM, 4, src);
    MM_CHECK_ERRNO(o.seen.copy, ENOMEM, HINT(S_COPY, "when mapping src fails, return -1 with "
                                             "mmap's errno at once"));
    probe_check(o.seen.before, o.seen.after, "mf_copy failed to map src");
    free(data);
    close(src);
    close(dst);
}

/* fallocate fails (made to, by a system-call filter in the subject). A full disk (ENOSPC):
 * that is the answer, -1 with ENOSPC; an mf_copy that reserves no blocks copies instead, and
 * must copy right, never return 0 with dst unwritten. A file system that cannot reserve
 * blocks (EOPNOTSUPP) still gets its copy: that answer only means "no reservation here". */
Test(mf_copy, fallocate_failure_gives_ENOSPC_or_copies)
{
    const char *dst_path;
    size_t size = 3 * mm_page_size() + 11;
    unsigned char *data = mm_random_bytes(size, 35);
    int src = open_tmp(data, size, O_RDONLY, NULL);
    int dst = open_tmp(NULL, 0, O_RDWR, &dst_path);

    struct failing_copy o = copy_while_failing(src, dst, "fallocate", ENOSPC, -1, 0);
    struct mm_call c = o.seen.copy;
    MM_CHECK(c.ret == 0 || (c.ret == -1 && c.err == ENOSPC), HINT(S_COPY, "when fallocate "
             "fails with ENOSPC, return -1 with that errno"), "mf_copy with a full disk "
             "(fallocate: ENOSPC) returned %lld%s%s; expected -1 with ENOSPC (or 0 with a "
             "right copy, if you do not reserve blocks).", c.ret,
             c.ret == -1 ? " with errno " : "", c.ret == -1 ? mm_errno_name(c.err) : "");
    if (c.ret == 0)
        expect_file_is(dst_path, data, size, "dst after mf_copy returned 0 with fallocate "
                       "failing (ENOSPC)");
    probe_check(o.seen.before, o.seen.after, "mf_copy with fallocate failing (ENOSPC)");

    MM_CHECK(ftruncate(dst, 0) == 0, MM_NO_HINT, "test setup: ftruncate failed: %s",
             strerror(errno));
    o = copy_while_failing(src, dst, "fallocate", EOPNOTSUPP, -1, 0);
    MM_CHECK(o.seen.copy.ret == 0, HINT(S_COPY, "fallocate's EOPNOTSUPP is no error for a "
             "copy: go on without the reservation"), "mf_copy on a file system without "
             "fallocate (EOPNOTSUPP) returned %lld (errno %s), expected 0.", o.seen.copy.ret,
             mm_errno_name(o.seen.copy.err));
    expect_file_is(dst_path, data, size, "dst after mf_copy on a file system without "
                   "fallocate");
    probe_check(o.seen.before, o.seen.after, "mf_copy with fallocate unsupported");
    free(data);
    close(src);
    close(dst);
}

/* RLIMIT_AS leaves room for one 24 MiB mapping, not two: a copy that maps both files whole
 * fails with ENOMEM after mapping src; one with small windows succeeds. Either is right, as
 * long as nothing stays mapped. */
Test(mf_copy, small_address_space_copies_or_gives_ENOMEM)
{
    size_t size = ((size_t)24 << 20) + 7;
    unsigned char *data = mm_random_bytes(size, 33);
    const char *dst_path;
    int src = open_tmp(data, size, O_RDONLY, NULL);
    int dst = open_tmp(NULL, 0, O_RDWR, &dst_path);
    struct { int limit_err; struct copy_seen seen; } o;

    MM_SUBJECT(o) {
        struct rlimit old;
        o.seen.before = probe_take();
        o.limit_err = limit_address_space((unsigned long long)32 << 20, &old) == 0 ? 0 : errno;
        if (o.limit_err == 0) {
            o.seen.copy = MM_CALL(mf_copy(src, dst));
            setrlimit(RLIMIT_AS, &old);
        }
        o.seen.after = probe_take();
    }
    MM_CHECK(o.limit_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_AS) failed: %s",
             mm_errno_name(o.limit_err));
    MM_CHECK(o.seen.copy.ret == 0 || (o.seen.copy.ret == -1 && o.seen.copy.err == ENOMEM),
             HINT(S_COPY, "when a mapping fails, return -1 with mmap's errno (ENOMEM)"),
             "mf_copy of 24 MiB with RLIMIT_AS 32 MiB above current use returned %lld%s%s; "
             "expected 0 (a copy in small windows) or -1 with ENOMEM.", o.seen.copy.ret,
             o.seen.copy.err ? " with errno " : "",
             o.seen.copy.err ? mm_errno_name(o.seen.copy.err) : "");
    probe_check(o.seen.before, o.seen.after, "mf_copy under a small address-space limit");
    if (o.seen.copy.ret == 0)
        expect_file_is(dst_path, data, size, "dst after mf_copy under a small address-space "
                       "limit");
    free(data);
    close(src);
    close(dst);
}
