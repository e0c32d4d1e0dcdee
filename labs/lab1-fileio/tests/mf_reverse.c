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
        unsigned char *data = random_bytes(sizes[i], 40 + i);
        unsigned char *want = random_bytes(sizes[i], 0);
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

Test(mf_reverse, read_only_fd_gives_EACCES_file_unchanged)
{
    const char *path;
    int fd = open_tmp("stressed\n", 9, O_RDONLY, &path);

    MM_CALL_ERRNO(mf_reverse(fd), EACCES, HINT(S_REV, "writing through a MAP_SHARED mapping "
                                               "needs the fd opened O_RDWR: check it first"));
    expect_file_is(path, "stressed\n", 9, "the file after a failed mf_reverse (EACCES)");
    close(fd);
}

Test(mf_reverse, twice_restores_the_file)
{
    const char *path;
    size_t len = 5 * pg() + 3;
    unsigned char *data = random_bytes(len, 5);
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
