/* mf_count_lines.c - public tests of mf_count_lines: exact '\n' counts over the size sweep,
 * errno for bad fds, and the rule that file data is never read with read(2).
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'mf_count_lines/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

/* Random bytes with about one '\n' in 40, and the expected count. */
static unsigned char *text(size_t len, unsigned seed, long long *lines)
{
    unsigned char *p = mm_random_bytes(len, seed);

    *lines = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] % 40 == 0)
            p[i] = '\n';
        else if (p[i] == '\n')
            p[i] = 'x';
        *lines += p[i] == '\n';
    }
    return p;
}

Test(mf_count_lines, file_sizes_count_exactly)
{
    size_t sizes[SWEEP_MAX];
    int n = sweep_sizes(sizes);

    for (int i = 0; i < n; i++) {
        long long want;
        unsigned char *data = text(sizes[i], 20 + i, &want);
        int fd = open_tmp(data, sizes[i], O_RDONLY, NULL);
        struct mm_call count;

        MM_SUBJECT(count)
            count = MM_CALL(mf_count_lines(fd));
        MM_CHECK(count.ret == want, HINT(S_COUNT, "count every '\\n' byte, including the last "
                 "bytes after the final full block; an empty file has 0 lines"), "mf_count_lines "
                 "on a %zu-byte file with %lld '\\n' returned %lld (errno %s).", sizes[i], want,
                 count.ret, mm_errno_name(count.err));
        free(data);
        close(fd);
    }
}

Test(mf_count_lines, no_final_newline_counts_newlines_only)
{
    int fd = open_tmp("one\ntwo\nthree", 13, O_RDONLY, NULL);
    struct mm_call count;

    MM_SUBJECT(count)
        count = MM_CALL(mf_count_lines(fd));
    MM_CHECK(count.ret == 2, HINT(S_COUNT, "like wc -l, count '\\n' bytes, not lines of text"),
             "mf_count_lines on \"one\\ntwo\\nthree\" returned %lld (errno %s), expected 2.",
             count.ret, mm_errno_name(count.err));
    close(fd);
}

Test(mf_count_lines, bad_fd_gives_EBADF)
{
    MM_CALL_ERRNO(mf_count_lines(-1), EBADF,
                  HINT(S_COUNT, "fstat fails with EBADF: pass it through"));
}

/* The rule is enforced, not measured: the subject is killed by the first system call that
 * reads file data (read, pread, splice, sendfile, copy_file_range, io_uring...), and the
 * failure message says so. Small files, several MiB, and more than one 64 MiB window. */
Test(mf_count_lines, file_data_is_never_read)
{
    const size_t MiB = (size_t)1 << 20;
    const size_t sizes[] = { 1, mm_page_size() + 1, 8 * MiB, 72 * MiB + 3 };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        long long want;
        unsigned char *data = text(sizes[i], 7 + (unsigned)i, &want);
        int fd = open_tmp(data, sizes[i], O_RDONLY, NULL);
        char what[64];
        struct mm_call count;

        free(data);
        snprintf(what, sizeof what, "mf_count_lines on a %zu-byte file", sizes[i]);
        MM_SUBJECT_WITH(count, .no_file_reads = true, .timeout_ms = 20000)
            count = MM_CALL_AS(what, mf_count_lines(fd));
        MM_CHECK(count.ret == want, HINT(S_COUNT, "count through the mapping"), "%s returned "
                 "%lld (errno %s), expected %lld.", what, count.ret, mm_errno_name(count.err),
                 want);
        close(fd);
    }
}
