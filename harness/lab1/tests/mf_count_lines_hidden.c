/* mf_count_lines_hidden.c - private tests of mf_count_lines: errno for every bad fd, files
 * made only of newlines, counts across window boundaries of big (sparse) files, a small
 * address-space limit, and leaks. Linked with the public tests (they declare the suite).
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab1_util.h"

#include <stdio.h>

#define MiB ((off_t)1 << 20)

/* A sparse file of size bytes with a '\n' at each of marks[0, n); returns the fd. */
static int sparse_with_newlines(off_t size, const off_t *marks, int n)
{
    const char *path = mm_tmpfile(NULL, 0);
    int fd = open(path, O_RDWR);

    MM_CHECK(fd != -1 && ftruncate(fd, size) == 0, MM_NO_HINT, "test setup: sparse file "
             "failed: %s", strerror(errno));
    for (int i = 0; i < n; i++)
        MM_CHECK(pwrite(fd, "\n", 1, marks[i]) == 1, MM_NO_HINT, "test setup: pwrite failed");
    return fd;
}

Test(mf_count_lines, closed_fd_gives_EBADF)
{
    MM_CALL_ERRNO(mf_count_lines(closed_fd()), EBADF,
                  HINT(S_COUNT, "fstat fails with EBADF: pass it through"));
}

Test(mf_count_lines, write_only_fd_gives_EACCES)
{
    int fd = open_tmp("a\nb\n", 4, O_WRONLY, NULL);

    MM_CALL_ERRNO(mf_count_lines(fd), EACCES, HINT(S_COUNT, "an fd opened O_WRONLY cannot be "
                                                   "mapped: same rules as mf_map_file"));
    close(fd);
}

Test(mf_count_lines, directory_gives_ENODEV)
{
    int fd = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);

    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: cannot open a directory: %s", strerror(errno));
    MM_CALL_ERRNO(mf_count_lines(fd), ENODEV, HINT(S_COUNT, "only regular files can be "
                                                   "mapped: same rules as mf_map_file"));
    close(fd);
}

Test(mf_count_lines, pipe_gives_ENODEV)
{
    int wfd;
    int fd = pipe_read_end(&wfd);

    struct mm_call count;

    MM_CHECK(write(wfd, "a\nb\n", 4) == 4, MM_NO_HINT, "test setup: write to pipe failed");
    /* The data waiting in the pipe must not be read either: the subject is stopped at the
     * first read-family call. */
    MM_SUBJECT_WITH(count, .no_file_reads = true)
        count = MM_CALL(mf_count_lines(fd));
    MM_CHECK_ERRNO(count, ENODEV, HINT(S_COUNT, "a pipe cannot be mapped (and must not be "
                                       "read): check S_ISREG"));
    close(fd);
    close(wfd);
}

Test(mf_count_lines, empty_file_counts_zero)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct mm_call count;

    MM_SUBJECT(count)
        count = MM_CALL(mf_count_lines(fd));
    MM_CHECK(count.ret == 0, HINT(S_COUNT, "an empty file has no lines, and mmap of 0 bytes "
             "fails: do not call it"), "mf_count_lines on an empty file returned %lld (errno "
             "%s), expected 0.", count.ret, mm_errno_name(count.err));
    close(fd);
}

Test(mf_count_lines, only_newlines_count_exactly)
{
    /* 256 * 64 + 5 and 257 * 64 bytes: 256 and 257 rounds of 64 bytes, one more than an
     * 8-bit lane counter holds; a loop that folds its lanes too late loses 256 per lane.
     * 253 * 64 + 8 bytes: a loop that takes 255 rounds here reads past the end. */
    size_t sizes[] = { 7, 255, 256, 4097, 253 * 64 + 8, 256 * 64 + 5, 257 * 64,
                       ((size_t)2 << 20) + 3 };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *data = mm_random_bytes(sizes[i], 0);
        memset(data, '\n', sizes[i]);
        int fd = open_tmp(data, sizes[i], O_RDONLY, NULL);
        struct mm_call count;

        MM_SUBJECT(count)
            count = MM_CALL(mf_count_lines(fd));
        MM_CHECK(count.ret == (long long)sizes[i], HINT(S_COUNT, "a per-byte counter overflows "
                 "at 255: add counters up before they can"), "mf_count_lines on a file of %zu "
                 "'\\n' bytes returned %lld (errno %s).", sizes[i], count.ret,
                 mm_errno_name(count.err));
        free(data);
        close(fd);
    }
}

Test(mf_count_lines, newlines_across_window_boundaries)
{
    /* Marks on both sides of every 1, 4, 16, 32, 64 MiB boundary, and at the very ends. */
    off_t marks[64];
    int n = 0;
    off_t size = 130 * MiB + 7;
    struct mm_call count;

    marks[n++] = 0;
    for (off_t b = MiB; b < size; b *= 2) {
        marks[n++] = b - 1;
        marks[n++] = b;
    }
    marks[n++] = 96 * MiB;
    marks[n++] = size - 1;
    int fd = sparse_with_newlines(size, marks, n);

    MM_SUBJECT_WITH(count, .timeout_ms = 20000)
        count = MM_CALL(mf_count_lines(fd));
    MM_CHECK(count.ret == n, HINT(S_COUNT, "when you map in windows, each byte must be counted "
             "once: window k starts at k * window size"), "mf_count_lines on a 130 MiB file "
             "with %d '\\n' returned %lld (errno %s).", n, count.ret, mm_errno_name(count.err));
    close(fd);
}

Test(mf_count_lines, small_address_space_counts_or_gives_ENOMEM)
{
    const off_t marks[] = { 5, 64 * MiB, 191 * MiB };
    int fd = sparse_with_newlines(192 * MiB, marks, 3);
    struct { int limit_err; struct mm_call count; } o;

    /* RLIMIT_AS 96 MiB above current use, only in the subject; restored before it ends so
     * that the leak check (under ASan) has room. */
    MM_SUBJECT_WITH(o, .timeout_ms = 20000) {
        struct rlimit old;
        o.limit_err = limit_address_space((unsigned long long)96 << 20, &old) == 0 ? 0 : errno;
        if (o.limit_err == 0) {
            o.count = MM_CALL(mf_count_lines(fd));
            setrlimit(RLIMIT_AS, &old);
        }
    }
    MM_CHECK(o.limit_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_AS) failed: %s",
             mm_errno_name(o.limit_err));
    MM_CHECK(o.count.ret == 3 || (o.count.ret == -1 && o.count.err == ENOMEM),
             HINT(S_COUNT, "map big files a window at a time (e.g. 64 MiB), and unmap each "
                  "window"), "mf_count_lines of a 192 MiB file under RLIMIT_AS 96 MiB above "
             "current use returned %lld%s%s; expected the right count, 3 (or -1 with ENOMEM).",
             o.count.ret, o.count.ret == -1 ? " with errno " : "",
             o.count.ret == -1 ? mm_errno_name(o.count.err) : "");
    close(fd);
}

/* A failure after the argument checks: with 8 MiB of address space left, a 32 MiB window
 * cannot be mapped. Counting in smaller windows gives the right count; mapping more at once
 * must give -1 with mmap's ENOMEM, never a count of the windows that did map (0 here). */
Test(mf_count_lines, failed_window_mapping_gives_ENOMEM_or_counts)
{
    const off_t marks[] = { 3, 20 * MiB, 32 * MiB - 1 };
    int fd = sparse_with_newlines(32 * MiB, marks, 3);
    struct { int limit_err; struct mm_call count; struct probe before, after; } o;

    MM_SUBJECT(o) {
        struct rlimit old;
        o.before = probe_take();
        o.limit_err = limit_address_space((unsigned long long)8 << 20, &old) == 0 ? 0 : errno;
        if (o.limit_err == 0) {
            o.count = MM_CALL(mf_count_lines(fd));
            setrlimit(RLIMIT_AS, &old);
        }
        o.after = probe_take();
    }
    MM_CHECK(o.limit_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_AS) failed: %s",
             mm_errno_name(o.limit_err));
    MM_CHECK(o.count.ret == 3 || (o.count.ret == -1 && o.count.err == ENOMEM),
             HINT(S_COUNT, "when mapping a window fails, return -1 with mmap's errno at once"),
             "mf_count_lines of a 32 MiB file with 3 '\\n' under RLIMIT_AS 8 MiB above current "
             "use returned %lld%s%s; expected 3 (a count in small windows) or -1 with ENOMEM.",
             o.count.ret, o.count.ret == -1 ? " with errno " : "",
             o.count.ret == -1 ? mm_errno_name(o.count.err) : "");
    probe_check(o.before, o.after, "mf_count_lines under a small address-space limit");
    close(fd);
}

#define LEAK_ROUNDS 20

/* A leak test fails for a leak only: the failing calls' errno is other tests' business. */
Test(mf_count_lines, no_leak_after_success_or_failure)
{
    unsigned char *data = mm_random_bytes(3 * mm_page_size() + 5, 60);
    int fd = open_tmp(data, 3 * mm_page_size() + 5, O_RDONLY, NULL);
    int wfd = open_tmp("a\n", 2, O_WRONLY, NULL);
    struct { struct mm_call ok[LEAK_ROUNDS], fail[LEAK_ROUNDS]; struct probe before, after; } o;

    MM_SUBJECT(o) {
        o.before = probe_take();
        for (int i = 0; i < LEAK_ROUNDS; i++) {
            o.ok[i] = MM_CALL(mf_count_lines(fd));
            o.fail[i] = MM_CALL(mf_count_lines(wfd));
        }
        o.after = probe_take();
    }
    for (int i = 0; i < LEAK_ROUNDS; i++)
        MM_CHECK(o.ok[i].ret >= 0, HINT(S_COUNT, "map the file, count, unmap"), "mf_count_lines"
                 "(fd) on a readable %zu-byte file failed with errno %s, expected a count.",
                 3 * mm_page_size() + 5, mm_errno_name(o.ok[i].err));
    probe_check(o.before, o.after, "40 mf_count_lines calls (20 succeeded, 20 failed)");
    free(data);
    close(fd);
    close(wfd);
}
