/* mf_count_lines_hidden.c - private tests of mf_count_lines: errno for every bad fd, files
 * made only of newlines, counts across window boundaries of big (sparse) files, a small
 * address-space limit, and leaks. Linked with the public tests (they declare the suite). */
#include "../../../labs/lab1-fileio/tests/lab1_util.h"

#include <stdio.h>
#include <sys/resource.h>

#define MiB ((off_t)1 << 20)

/* A sparse file of size bytes with a '\n' at each of marks[0, n); returns the fd. */
static int sparse_with_newlines(off_t size, const off_t *marks, int n)
{
    const char *path = mm_tmpfile(NULL, 0);
    int fd = open(path, O_RDWR);

    MM_ASSERT(fd != -1 && ftruncate(fd, size) == 0, "test setup: sparse file failed: %s",
              strerror(errno));
    for (int i = 0; i < n; i++)
        MM_ASSERT(pwrite(fd, "\n", 1, marks[i]) == 1, "test setup: pwrite failed");
    return fd;
}

Test(mf_count_lines, closed_fd_gives_EBADF)
{
    MM_EXPECT_ERRNO(mf_count_lines(closed_fd()), EBADF,
                    HINT(S_COUNT, "fstat fails with EBADF: pass it through"));
    MM_END();
}

Test(mf_count_lines, write_only_fd_gives_EACCES)
{
    int fd = open_tmp("a\nb\n", 4, O_WRONLY, NULL);

    MM_EXPECT_ERRNO(mf_count_lines(fd), EACCES, HINT(S_COUNT, "an fd opened O_WRONLY cannot "
                                                     "be mapped: same rules as mf_map_file"));
    close(fd);
    MM_END();
}

Test(mf_count_lines, directory_gives_ENODEV)
{
    int fd = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);

    MM_ASSERT(fd != -1, "test setup: cannot open a directory: %s", strerror(errno));
    MM_EXPECT_ERRNO(mf_count_lines(fd), ENODEV, HINT(S_COUNT, "only regular files can be "
                                                     "mapped: same rules as mf_map_file"));
    close(fd);
    MM_END();
}

Test(mf_count_lines, pipe_gives_ENODEV)
{
    int wfd;
    int fd = pipe_read_end(&wfd);

    MM_ASSERT(write(wfd, "a\nb\n", 4) == 4, "test setup: write to pipe failed");
    MM_EXPECT_ERRNO(mf_count_lines(fd), ENODEV, HINT(S_COUNT, "a pipe cannot be mapped (and "
                                                     "must not be read): check S_ISREG"));
    close(fd);
    close(wfd);
    MM_END();
}

Test(mf_count_lines, empty_file_counts_zero)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);

    errno = 0;
    long long got = mf_count_lines(fd);
    MM_ASSERT(got == 0, "mf_count_lines on an empty file returned %lld (errno %s), expected 0."
              "\n  Hint: " HINT(S_COUNT, "an empty file has no lines, and mmap of 0 bytes "
              "fails: do not call it"), got, mm_errno_name(errno));
    close(fd);
    MM_END();
}

Test(mf_count_lines, only_newlines_count_exactly)
{
    size_t sizes[] = { 7, 255, 256, 4097, ((size_t)2 << 20) + 3 };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *data = random_bytes(sizes[i], 0);
        memset(data, '\n', sizes[i]);
        int fd = open_tmp(data, sizes[i], O_RDONLY, NULL);

        errno = 0;
        long long got = mf_count_lines(fd);
        MM_ASSERT(got == (long long)sizes[i], "mf_count_lines on a file of %zu '\\n' bytes "
                  "returned %lld (errno %s).\n  Hint: " HINT(S_COUNT, "a per-byte counter "
                  "overflows at 255: add counters up before they can"), sizes[i], got,
                  mm_errno_name(errno));
        free(data);
        close(fd);
    }
    MM_END();
}

Test(mf_count_lines, newlines_across_window_boundaries)
{
    /* Marks on both sides of every 1, 4, 16, 32, 64 MiB boundary, and at the very ends. */
    off_t marks[64];
    int n = 0;
    off_t size = 130 * MiB + 7;

    marks[n++] = 0;
    for (off_t b = MiB; b < size; b *= 2) {
        marks[n++] = b - 1;
        marks[n++] = b;
    }
    marks[n++] = 96 * MiB;
    marks[n++] = size - 1;
    int fd = sparse_with_newlines(size, marks, n);

    errno = 0;
    long long got = mf_count_lines(fd);
    MM_ASSERT(got == n, "mf_count_lines on a 130 MiB file with %d '\\n' returned %lld "
              "(errno %s).\n  Hint: " HINT(S_COUNT, "when you map in windows, each byte must be "
              "counted once: window k starts at k * window size"), n, got,
              mm_errno_name(errno));
    close(fd);
    MM_END();
}

/* In a child: RLIMIT_AS 96 MiB above current use, then count a 192 MiB file holding want
 * newlines. Exit 0 = right count or ENOMEM; 255 = wrong count; 253 = setup; else errno. */
static int count_under_address_limit(int fd, long long want)
{
    unsigned long long limit = mm_vm_size() + ((unsigned long long)96 << 20);
    struct rlimit rl;

    /* Only the soft limit, never above a hard limit the grader may have set. */
    if (getrlimit(RLIMIT_AS, &rl) == -1)
        return 253;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < limit ? rl.rlim_max : limit;
    if (setrlimit(RLIMIT_AS, &rl) == -1)
        return 253;
    errno = 0;
    long long got = mf_count_lines(fd);
    if (got == want || (got == -1 && errno == ENOMEM))
        return 0;
    return got == -1 ? errno & 0xff : 255;
}

static int count_under_address_limit_in_child(void *fd)
{
    return count_under_address_limit(*(int *)fd, 3);
}

Test(mf_count_lines, small_address_space_counts_or_gives_ENOMEM)
{
    const off_t marks[] = { 5, 64 * MiB, 191 * MiB };
    int fd = sparse_with_newlines(192 * MiB, marks, 3);
    int code = mm_run_child(count_under_address_limit_in_child, &fd, 20000);
    MM_ASSERT(code == 0, "mf_count_lines of a 192 MiB file under RLIMIT_AS 96 MiB above "
              "current use: %s; expected the right count (or ENOMEM).\n  Hint: " HINT(S_COUNT,
              "map big files a window at a time (e.g. 64 MiB), and unmap each window"),
              code == 255 ? "wrong count" : code == 253 ? "test setup: setrlimit failed"
              : code == -1 ? "the child crashed or hung" : mm_errno_name(code));
    close(fd);
    MM_END();
}

Test(mf_count_lines, no_leak_after_success_or_failure)
{
    unsigned char *data = random_bytes(3 * pg() + 5, 60);
    int fd = open_tmp(data, 3 * pg() + 5, O_RDONLY, NULL);
    int wfd = open_tmp("a\n", 2, O_WRONLY, NULL);
    struct probe before = probe_take();

    for (int i = 0; i < 20; i++) {
        errno = 0;
        long long got = mf_count_lines(fd);
        MM_ASSERT(got >= 0, "mf_count_lines failed with errno %s", mm_errno_name(errno));
        MM_EXPECT_ERRNO(mf_count_lines(wfd), EACCES, HINT(S_COUNT, "an O_WRONLY fd cannot be "
                                                         "mapped"));
    }
    probe_check(before, "40 mf_count_lines calls (20 succeeded, 20 failed)");
    free(data);
    close(fd);
    close(wfd);
    MM_END();
}
