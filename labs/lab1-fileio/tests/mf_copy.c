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
        unsigned char *data = random_bytes(sizes[i], 30 + i);
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

    MM_CALL_OK(mf_copy(fd, fd),
               HINT(S_COPY, "src and dst the same file (same st_dev and st_ino): nothing "
                    "to do - truncating dst would destroy src"));
    expect_file_is(path, "abcdef\n", 7, "a file copied onto itself");
    close(fd);
}

/* The rule is enforced, not measured: the subject is killed by the first system call that
 * reads file data (read, pread, splice, sendfile, copy_file_range, io_uring...), and the
 * failure message says so. Small files, several MiB, and more than one 64 MiB window. */
Test(mf_copy, file_data_is_never_read)
{
    const size_t MiB = (size_t)1 << 20;
    const size_t sizes[] = { 1, pg() + 1, 8 * MiB, 72 * MiB + 3 };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const char *dst_path;
        unsigned char *data = random_bytes(sizes[i], 3 + (unsigned)i);
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
