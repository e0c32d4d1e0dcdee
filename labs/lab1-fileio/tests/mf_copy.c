/* mf_copy.c - public tests of mf_copy: exact copies over the size sweep, the dst open-mode
 * check (dst left unchanged), the same-file case, and no read(2) of file data.
 * Run: make test (or ./build/run --filter 'mf_copy/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

MM_SUITE(mf_copy, 30);

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

        snprintf(what, sizeof what, "mf_copy of a %zu-byte file", sizes[i]);
        errno = 0;
        int ret = mf_copy(src, dst);
        MM_ASSERT(ret == 0, "%s returned %d with errno %s, expected 0.\n  Hint: " HINT(S_COPY,
                  "ftruncate dst to src's size first (a store past its end raises SIGBUS), "
                  "then map both MAP_SHARED"), what, ret, mm_errno_name(errno));
        expect_file_is(dst_path, data, sizes[i], what);
        free(data);
        close(src);
        close(dst);
    }
    MM_END();
}

Test(mf_copy, read_only_dst_gives_EACCES_and_dst_unchanged)
{
    const char *dst_path;
    int src = open_tmp("new contents\n", 13, O_RDONLY, NULL);
    int dst = open_tmp("old\n", 4, O_RDONLY, &dst_path);

    MM_EXPECT_ERRNO(mf_copy(src, dst), EACCES,
                    HINT(S_COPY, "a MAP_SHARED, PROT_WRITE mapping of dst needs it opened "
                         "O_RDWR: check fcntl(dst_fd, F_GETFL) before ftruncate"));
    expect_file_is(dst_path, "old\n", 4, "dst after a failed mf_copy (EACCES)");
    close(src);
    close(dst);
    MM_END();
}

Test(mf_copy, same_file_succeeds_unchanged)
{
    const char *path;
    int fd = open_tmp("abcdef\n", 7, O_RDWR, &path);

    MM_EXPECT_OK(mf_copy(fd, fd),
                 HINT(S_COPY, "src and dst the same file (same st_dev and st_ino): nothing "
                      "to do - truncating dst would destroy src"));
    expect_file_is(path, "abcdef\n", 7, "a file copied onto itself");
    close(fd);
    MM_END();
}

Test(mf_copy, file_data_is_never_read)
{
    const char *dst_path;
    size_t len = (size_t)8 << 20;
    unsigned char *data = random_bytes(len, 3);
    int src = open_tmp(data, len, O_RDONLY, NULL);
    int dst = open_tmp(NULL, 0, O_RDWR, &dst_path);

    long long before = mm_rchar();
    int ret = mf_copy(src, dst);
    long long read_bytes = mm_rchar() - before;
    MM_ASSERT(ret == 0, "mf_copy of an 8 MiB file returned %d (errno %s), expected 0.\n"
              "  Hint: " HINT(S_COPY, "ftruncate dst, map both, memcpy"), ret,
              mm_errno_name(errno));
    MM_ASSERT(read_bytes < 65536, "mf_copy read %lld bytes with read(2)-like calls "
              "(/proc/self/io rchar) to copy 8 MiB.\n  Hint: " HINT(S_COPY, "copy with memcpy "
              "between two mappings, never read(2)/write(2)"), read_bytes);
    expect_file_is(dst_path, data, len, "dst after mf_copy of 8 MiB");
    free(data);
    close(src);
    close(dst);
    MM_END();
}
