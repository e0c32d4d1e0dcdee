/* mf_map_file_hidden.c - private tests of mf_map_file: the open-mode rules on empty and
 * non-empty files, every non-regular file type, bad fds, zeroed views on failure, leaks.
 * Linked with the public tests (their MM_SUITE declares the suite). */
#include "../../../labs/lab1-fileio/tests/lab1_util.h"

Test(mf_map_file, empty_file_write_only_fd_gives_EACCES)
{
    int fd = open_tmp(NULL, 0, O_WRONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), EACCES,
                    HINT(S_MAPFILE, "an empty file must obey the same rules as others: check "
                         "the open mode (fcntl F_GETFL) before the size"));
    close(fd);
    MM_END();
}

Test(mf_map_file, empty_file_shared_write_read_only_fd_gives_EACCES)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                    HINT(S_MAPFILE, "PROT_WRITE with MAP_SHARED needs O_RDWR, even when the "
                         "file is empty and mmap is never called"));
    close(fd);
    MM_END();
}

Test(mf_map_file, shared_write_on_read_only_fd_gives_EACCES)
{
    int fd = open_tmp("data\n", 5, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                    HINT(S_MAPFILE, "PROT_WRITE with MAP_SHARED needs an fd opened O_RDWR"));
    close(fd);
    MM_END();
}

Test(mf_map_file, private_write_on_read_only_fd_succeeds)
{
    const char *path;
    int fd = open_tmp("data\n", 5, O_RDONLY, &path);
    struct mf_view v;

    MM_EXPECT_OK(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE, &v),
                 HINT(S_MAPFILE, "MAP_PRIVATE writes go to a private copy: O_RDONLY is "
                      "enough, only MAP_SHARED + PROT_WRITE needs O_RDWR"));
    memcpy(v.data, "DATA", 4);
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap map_base with map_len"));
    expect_file_is(path, "data\n", 5, "the file after writing to a MAP_PRIVATE view");
    close(fd);
    MM_END();
}

Test(mf_map_file, empty_file_private_write_read_only_fd_succeeds)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_OK(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE, &v),
                 HINT(S_MAPFILE, "only MAP_SHARED + PROT_WRITE needs O_RDWR"));
    MM_ASSERT(view_is_zero(&v), "the view of an empty file is not all zero.\n  Hint: "
              HINT(S_MAPFILE, "zero the view"));
    close(fd);
    MM_END();
}

Test(mf_map_file, pipe_gives_ENODEV)
{
    int fd = pipe_read_end(NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                    HINT(S_MAPFILE, "a pipe's st_size means nothing: check S_ISREG first"));
    close(fd);
    MM_END();
}

Test(mf_map_file, dev_null_gives_ENODEV)
{
    int fd = open("/dev/null", O_RDONLY);
    struct mf_view v;

    MM_ASSERT(fd != -1, "test setup: cannot open /dev/null: %s", strerror(errno));
    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                    HINT(S_MAPFILE, "a device has st_size 0 but is not an empty file: check "
                         "S_ISREG before the size"));
    close(fd);
    MM_END();
}

Test(mf_map_file, bad_fds_give_EBADF)
{
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map_file(-1, PROT_READ, MAP_PRIVATE, &v), EBADF,
                    HINT(S_MAPFILE, "fstat fails with EBADF: pass it through"));
    MM_EXPECT_ERRNO(mf_map_file(closed_fd(), PROT_READ, MAP_PRIVATE, &v), EBADF,
                    HINT(S_MAPFILE, "fstat fails with EBADF: pass it through"));
    MM_END();
}

Test(mf_map_file, null_view_gives_EINVAL)
{
    int fd = open_tmp("data\n", 5, O_RDONLY, NULL);

    MM_EXPECT_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, NULL), EINVAL,
                    HINT(S_MAPFILE, "check v == NULL first"));
    close(fd);
    MM_END();
}

Test(mf_map_file, failure_zeroes_the_view)
{
    int wfd = open_tmp("data\n", 5, O_WRONLY, NULL);
    int dir = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);
    struct mf_view v;

    MM_ASSERT(dir != -1, "test setup: cannot open a directory: %s", strerror(errno));
    view_fill_junk(&v);
    MM_EXPECT_ERRNO(mf_map_file(wfd, PROT_READ, MAP_PRIVATE, &v), EACCES,
                    HINT(S_MAPFILE, "an O_WRONLY fd cannot be mapped"));
    MM_ASSERT(view_is_zero(&v), "after a failed mf_map_file (EACCES) the view is not all zero."
              "\n  Hint: " HINT(S_MAPFILE, "zero *v first, so every failure leaves it zero"));
    view_fill_junk(&v);
    MM_EXPECT_ERRNO(mf_map_file(dir, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                    HINT(S_MAPFILE, "only regular files can be mapped"));
    MM_ASSERT(view_is_zero(&v), "after a failed mf_map_file (ENODEV) the view is not all zero."
              "\n  Hint: " HINT(S_MAPFILE, "zero *v first, so every failure leaves it zero"));
    close(wfd);
    close(dir);
    MM_END();
}

Test(mf_map_file, no_leak_after_success_or_failure)
{
    int fd = open_tmp(NULL, 3 * pg() + 1, O_RDONLY, NULL);
    int empty = open_tmp(NULL, 0, O_RDONLY, NULL);
    int pipe_fd = pipe_read_end(NULL);
    struct mf_view v;
    struct probe before = probe_take();

    for (int i = 0; i < 20; i++) {
        MM_EXPECT_OK(mf_map_file(fd, PROT_READ, MAP_SHARED, &v), HINT(S_MAPFILE, "map it"));
        MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap map_base with map_len"));
        MM_EXPECT_OK(mf_map_file(empty, PROT_READ, MAP_SHARED, &v),
                     HINT(S_MAPFILE, "an empty file is a success with a zero view"));
        MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "a zero view is a no-op"));
        MM_EXPECT_ERRNO(mf_map_file(pipe_fd, PROT_READ, MAP_SHARED, &v), ENODEV,
                        HINT(S_MAPFILE, "only regular files can be mapped"));
    }
    probe_check(before, "20 rounds of mf_map_file + mf_unmap (file, empty file, pipe)");
    close(fd);
    close(empty);
    close(pipe_fd);
    MM_END();
}
