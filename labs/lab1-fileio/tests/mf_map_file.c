/* mf_map_file.c - public tests of mf_map_file: whole files of every size (empty ones too)
 * and the fd checks it makes itself so that empty files behave like others.
 * Run: make test (or ./build/run --filter 'mf_map_file/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

MM_SUITE(mf_map_file, 20);

Test(mf_map_file, file_sizes_map_exact_bytes)
{
    size_t sizes[SWEEP_MAX];
    int n = sweep_sizes(sizes);

    for (int i = 0; i < n; i++) {
        unsigned char *data = random_bytes(sizes[i], 10 + i);
        int fd = open_tmp(data, sizes[i], O_RDONLY, NULL);
        struct mf_view v;
        char call[64];

        snprintf(call, sizeof call, "mf_map_file on a %zu-byte file", sizes[i]);
        errno = 0;
        int ret = mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v);
        MM_ASSERT(ret == 0, "%s returned %d with errno %s, expected 0.\n  Hint: " HINT(S_MAPFILE,
                  "fstat for the size; an empty file is a success with a zero view"),
                  call, ret, mm_errno_name(errno));
        MM_ASSERT(v.len == sizes[i], "%s: view len %zu, expected %zu.\n  Hint: "
                  HINT(S_MAPFILE, "len is the file's size (st_size)"), call, v.len, sizes[i]);
        MM_ASSERT(sizes[i] == 0 || memcmp(v.data, data, sizes[i]) == 0,
                  "%s: the mapped bytes differ from the file's.\n  Hint: "
                  HINT(S_MAPFILE, "map from offset 0"), call);
        MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap map_base with map_len"));
        free(data);
        close(fd);
    }
    MM_END();
}

Test(mf_map_file, empty_file_gives_empty_view)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct mf_view v;

    view_fill_junk(&v);
    MM_EXPECT_OK(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v),
                 HINT(S_MAPFILE, "mmap of length 0 fails with EINVAL: for an empty file do "
                      "not call mmap, succeed with an all-zero view"));
    MM_ASSERT(view_is_zero(&v), "the view of an empty file is {data=%p, len=%zu, map_base=%p, "
              "map_len=%zu}, expected all zero.\n  Hint: " HINT(S_MAPFILE, "zero the view"),
              v.data, v.len, v.map_base, v.map_len);
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "unmapping an all-zero view is a no-op success"));
    close(fd);
    MM_END();
}

Test(mf_map_file, directory_gives_ENODEV)
{
    int fd = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);
    struct mf_view v;

    MM_ASSERT(fd != -1, "test setup: cannot open a directory: %s", strerror(errno));
    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                    HINT(S_MAPFILE, "only regular files can be mapped: check S_ISREG(st_mode)"));
    close(fd);
    MM_END();
}

Test(mf_map_file, write_only_fd_gives_EACCES)
{
    int fd = open_tmp("hello\n", 6, O_WRONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ, MAP_SHARED, &v), EACCES,
                    HINT(S_MAPFILE, "an fd opened O_WRONLY cannot be mapped: look at "
                         "fcntl(fd, F_GETFL) & O_ACCMODE"));
    close(fd);
    MM_END();
}
