/* mf_reverse.c - public tests of mf_reverse: reversal in place over the size sweep, the
 * O_RDWR check (file left unchanged), and reversing twice.
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'mf_reverse/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

Test(mf_reverse, file_sizes_reverse_exactly)
{
    size_t sizes[SWEEP_MAX];
    int n = sweep_sizes(sizes);

    for (int i = 0; i < n; i++) {
        const char *path;
        unsigned char *data = mm_random_bytes(sizes[i], 40 + i);
        unsigned char *want = mm_random_bytes(sizes[i], 0);
        int fd = open_tmp(data, sizes[i], O_RDWR, &path);
        char what[64];
        struct mm_call rev;

        for (size_t k = 0; k < sizes[i]; k++)
            want[k] = data[sizes[i] - 1 - k];
        snprintf(what, sizeof what, "mf_reverse of a %zu-byte file", sizes[i]);
        MM_SUBJECT(rev)
            rev = MM_CALL_AS(what, mf_reverse(fd));
        MM_CHECK(rev.ret == 0, HINT(S_REV, "an empty file is a success; otherwise map it "
                 "MAP_SHARED, PROT_READ | PROT_WRITE"), "%s returned %lld with errno %s, "
                 "expected 0.", what, rev.ret, mm_errno_name(rev.err));
        expect_file_is(path, want, sizes[i], what);
        free(data);
        free(want);
        close(fd);
    }
}

/* An empty file too: mmap is never called for it, so only mf_reverse's own check can say
 * EACCES, and the checks come before the empty-file success (mapfile.h). */
Test(mf_reverse, read_only_fd_gives_EACCES_file_unchanged)
{
    const char *path;
    int fd = open_tmp("stressed\n", 9, O_RDONLY, &path);
    int empty = open_tmp(NULL, 0, O_RDONLY, NULL);

    MM_CALL_ERRNO(mf_reverse(fd), EACCES, HINT(S_REV, "writing through a MAP_SHARED mapping "
                                               "needs the fd opened O_RDWR: check it first"));
    expect_file_is(path, "stressed\n", 9, "the file after a failed mf_reverse (EACCES)");
    MM_CALL_ERRNO(mf_reverse(empty), EACCES, HINT(S_REV, "an empty file open O_RDONLY is "
                                                  "EACCES too: check the open mode before the "
                                                  "empty-file exit"));
    close(fd);
    close(empty);
}

Test(mf_reverse, twice_restores_the_file)
{
    const char *path;
    size_t len = 5 * mm_page_size() + 3;
    unsigned char *data = mm_random_bytes(len, 5);
    int fd = open_tmp(data, len, O_RDWR, &path);
    struct { struct mm_call first, second; } o;

    MM_SUBJECT(o) {
        o.first = MM_CALL(mf_reverse(fd));
        o.second = MM_CALL(mf_reverse(fd));
    }
    MM_CHECK_OK(o.first, HINT(S_REV, "map MAP_SHARED, swap, msync, munmap"));
    MM_CHECK_OK(o.second, HINT(S_REV, "map MAP_SHARED, swap, msync, munmap"));
    expect_file_is(path, data, len, "a file reversed twice");
    free(data);
    close(fd);
}

/* What a subject saw of one mf_reverse call, with the fds and file mappings around it. */
struct reverse_seen { int limit_err; struct mm_call rev; struct probe before, after; };

/* A failure after every argument check: the file (a memfd sealed against writes) is open
 * O_RDWR, but mmap refuses a shared writable mapping of it. */
Test(mf_reverse, write_sealed_file_gives_EPERM_unchanged)
{
    int fd = sealed_memfd("stressed\n", 9, F_SEAL_WRITE);
    struct reverse_seen o;

    MM_SUBJECT(o) {
        o.before = probe_take();
        o.rev = MM_CALL(mf_reverse(fd));
        o.after = probe_take();
    }
    MM_CHECK_ERRNO(o.rev, EPERM, HINT(S_REV, "when mmap fails, return -1 with its errno (here "
                                      "EPERM: the file is sealed against writes)"));
    probe_check(o.before, o.after, "a failed mf_reverse (EPERM)");
    expect_fd_file_is(fd, "stressed\n", 9, "the file after a failed mf_reverse (EPERM)");
    close(fd);
}

/* A failure at the very end: msync reports that the pages could not be written back (a disk
 * error, EIO; made to happen by a system-call filter in the subject). The data is not safe,
 * so the answer is -1 with msync's errno, not 0, and the mapping is released all the same. */
Test(mf_reverse, msync_failure_gives_its_errno)
{
    size_t len = 2 * mm_page_size() + 7;
    unsigned char *data = mm_random_bytes(len, 42);
    int fd = open_tmp(data, len, O_RDWR, NULL);
    struct reverse_seen o;

    MM_SUBJECT(o) {
        o.before = probe_take();
        o.limit_err = fail_syscall("msync", EIO, -1, 0);
        if (o.limit_err == 0)
            o.rev = MM_CALL(mf_reverse(fd));
        o.after = probe_take();
    }
    MM_CHECK(o.limit_err == 0, MM_NO_HINT, "test setup: cannot make msync fail: %s",
             mm_errno_name(o.limit_err));
    MM_CHECK_ERRNO(o.rev, EIO, HINT(S_REV, "call msync(map_base, map_len, MS_SYNC) and check "
                                    "its result: when it fails, save its errno, munmap, and "
                                    "return -1"));
    probe_check(o.before, o.after, "a failed mf_reverse (msync: EIO)");
    free(data);
    close(fd);
}

/* RLIMIT_AS 16 MiB above current use: mapping a 24 MiB file whole fails with ENOMEM; an
 * implementation that reverses through small windows succeeds. Either is right, as long as
 * nothing stays mapped and a success reversed the file. */
Test(mf_reverse, small_address_space_reverses_or_gives_ENOMEM)
{
    const char *path;
    size_t size = ((size_t)24 << 20) + 3;
    unsigned char *data = mm_random_bytes(size, 41);
    int fd = open_tmp(data, size, O_RDWR, &path);
    struct reverse_seen o;

    MM_SUBJECT(o) {
        struct rlimit old;
        o.before = probe_take();
        o.limit_err = limit_address_space((unsigned long long)16 << 20, &old) == 0 ? 0 : errno;
        if (o.limit_err == 0) {
            o.rev = MM_CALL(mf_reverse(fd));
            setrlimit(RLIMIT_AS, &old);
        }
        o.after = probe_take();
    }
    MM_CHECK(o.limit_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_AS) failed: %s",
             mm_errno_name(o.limit_err));
    MM_CHECK(o.rev.ret == 0 || (o.rev.ret == -1 && o.rev.err == ENOMEM), HINT(S_REV, "when "
             "mmap fails, return -1 with its errno (ENOMEM)"), "mf_reverse of 24 MiB with "
             "RLIMIT_AS 16 MiB above current use returned %lld%s%s; expected 0 (a reversal in "
             "small windows) or -1 with ENOMEM.", o.rev.ret, o.rev.err ? " with errno " : "",
             o.rev.err ? mm_errno_name(o.rev.err) : "");
    probe_check(o.before, o.after, "mf_reverse under a small address-space limit");
    if (o.rev.ret == 0) {
        for (size_t i = 0; i < size / 2; i++) {
            unsigned char c = data[i];
            data[i] = data[size - 1 - i];
            data[size - 1 - i] = c;
        }
        expect_file_is(path, data, size, "the file after mf_reverse under a small "
                       "address-space limit");
    }
    free(data);
    close(fd);
}
