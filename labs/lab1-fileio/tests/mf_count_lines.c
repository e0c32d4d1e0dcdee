/* mf_count_lines.c - public tests of mf_count_lines: exact '\n' counts over the size sweep,
 * errno for bad fds, and the rule that file data is never read with read(2).
 * Run: make test (or ./build/run --filter 'mf_count_lines/[a-z]*'). */
#include "lab1_util.h"

MM_SUITE(mf_count_lines, 30);

/* Random bytes with about one '\n' in 40, and the expected count. */
static unsigned char *text(size_t len, unsigned seed, long long *lines)
{
    unsigned char *p = random_bytes(len, seed);

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

        errno = 0;
        long long got = mf_count_lines(fd);
        MM_ASSERT(got == want, "mf_count_lines on a %zu-byte file with %lld '\\n' returned %lld "
                  "(errno %s).\n  Hint: " HINT(S_COUNT, "count every '\\n' byte, including the "
                  "last bytes after the final full block; an empty file has 0 lines"),
                  sizes[i], want, got, mm_errno_name(errno));
        free(data);
        close(fd);
    }
    MM_END();
}

Test(mf_count_lines, no_final_newline_counts_newlines_only)
{
    int fd = open_tmp("one\ntwo\nthree", 13, O_RDONLY, NULL);

    errno = 0;
    long long got = mf_count_lines(fd);
    MM_ASSERT(got == 2, "mf_count_lines on \"one\\ntwo\\nthree\" returned %lld (errno %s), "
              "expected 2.\n  Hint: " HINT(S_COUNT, "like wc -l, count '\\n' bytes, not lines "
              "of text"), got, mm_errno_name(errno));
    close(fd);
    MM_END();
}

Test(mf_count_lines, bad_fd_gives_EBADF)
{
    MM_EXPECT_ERRNO(mf_count_lines(-1), EBADF,
                    HINT(S_COUNT, "fstat fails with EBADF: pass it through"));
    MM_END();
}

Test(mf_count_lines, file_data_is_never_read)
{
    size_t len = (size_t)8 << 20;
    long long want;
    unsigned char *data = text(len, 7, &want);
    int fd = open_tmp(data, len, O_RDONLY, NULL);

    free(data);
    long long before = mm_rchar();
    long long got = mf_count_lines(fd);
    long long read_bytes = mm_rchar() - before;
    MM_ASSERT(got == want, "mf_count_lines on an 8 MiB file returned %lld, expected %lld.\n"
              "  Hint: " HINT(S_COUNT, "count through the mapping"), got, want);
    MM_ASSERT(read_bytes < 65536, "mf_count_lines read %lld bytes with read(2)-like calls "
              "(/proc/self/io rchar) on an 8 MiB file.\n  Hint: " HINT(S_COUNT, "the point of "
              "the lab: never read(2), pread(2) or stdio on the file; scan the mapping"),
              read_bytes);
    close(fd);
    MM_END();
}
