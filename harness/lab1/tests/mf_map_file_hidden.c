/* mf_map_file_hidden.c - private tests of mf_map_file: the open-mode rules on empty and
 * non-empty files, every non-regular file type, bad fds, zeroed views on failure, leaks.
 * The suite is declared in lab1_util.c. Every call into
 * mapfile.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab1_util.h"

Test(mf_map_file, empty_file_write_only_fd_gives_EACCES)
{
    int fd = open_tmp(NULL, 0, O_WRONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), EACCES,
                  HINT(S_MAPFILE, "an empty file must obey the same rules as others: check "
                       "the open mode (fcntl F_GETFL) before the size"));
    close(fd);
}

Test(mf_map_file, empty_file_shared_write_read_only_fd_gives_EACCES)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                  HINT(S_MAPFILE, "PROT_WRITE with MAP_SHARED needs O_RDWR, even when the "
                       "file is empty and mmap is never called"));
    close(fd);
}

Test(mf_map_file, shared_write_on_read_only_fd_gives_EACCES)
{
    int fd = open_tmp("data\n", 5, O_RDONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                  HINT(S_MAPFILE, "PROT_WRITE with MAP_SHARED needs an fd opened O_RDWR"));
    close(fd);
}

Test(mf_map_file, private_write_on_read_only_fd_succeeds)
{
    const char *path;
    int fd = open_tmp("data\n", 5, O_RDONLY, &path);
    struct { struct mm_call map, unmap; } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        o.map = MM_CALL(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE, &v));
        if (o.map.ret != -1) {
            memcpy(v.data, "DATA", 4);
            o.unmap = MM_CALL(mf_unmap(&v));
        }
    }
    MM_CHECK_OK(o.map, HINT(S_MAPFILE, "MAP_PRIVATE writes go to a private copy: O_RDONLY is "
                            "enough, only MAP_SHARED + PROT_WRITE needs O_RDWR"));
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "munmap map_base with map_len"));
    expect_file_is(path, "data\n", 5, "the file after writing to a MAP_PRIVATE view");
    close(fd);
}

Test(mf_map_file, empty_file_private_write_read_only_fd_succeeds)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct { struct mm_call map; struct mf_view v; } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        o.map = MM_CALL(mf_map_file(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE, &v));
        o.v = v;
    }
    MM_CHECK_OK(o.map, HINT(S_MAPFILE, "only MAP_SHARED + PROT_WRITE needs O_RDWR"));
    MM_CHECK(view_is_zero(&o.v), HINT(S_MAPFILE, "zero the view"), "the view of an empty file "
             "is not all zero.");
    close(fd);
}

/* mapfile.h: "otherwise as mf_map", whose flags need MAP_SHARED or MAP_PRIVATE; an empty
 * file, which never reaches mmap, must give the same answer. */
Test(mf_map_file, missing_map_type_gives_EINVAL)
{
    int fd = open_tmp("data\n", 5, O_RDONLY, NULL);
    int empty = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, 0, &v), EINVAL,
                  HINT(S_MAPFILE, "flags need MAP_SHARED or MAP_PRIVATE: mmap says EINVAL, "
                       "pass it through"));
    MM_CALL_ERRNO(mf_map_file(empty, PROT_READ, 0, &v), EINVAL,
                  HINT(S_MAPFILE, "an empty file never reaches mmap, so check that flags hold "
                       "MAP_SHARED or MAP_PRIVATE yourself"));
    close(fd);
    close(empty);
}

Test(mf_map_file, pipe_gives_ENODEV)
{
    int fd = pipe_read_end(NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                  HINT(S_MAPFILE, "a pipe's st_size means nothing: check S_ISREG first"));
    close(fd);
}

Test(mf_map_file, dev_null_gives_ENODEV)
{
    int fd = open("/dev/null", O_RDONLY);
    struct mf_view v;

    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: cannot open /dev/null: %s", strerror(errno));
    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                  HINT(S_MAPFILE, "a device has st_size 0 but is not an empty file: check "
                       "S_ISREG before the size"));
    close(fd);
}

Test(mf_map_file, bad_fds_give_EBADF)
{
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(-1, PROT_READ, MAP_PRIVATE, &v), EBADF,
                  HINT(S_MAPFILE, "fstat fails with EBADF: pass it through"));
    MM_CALL_ERRNO(mf_map_file(closed_fd(), PROT_READ, MAP_PRIVATE, &v), EBADF,
                  HINT(S_MAPFILE, "fstat fails with EBADF: pass it through"));
}

/* Several rules broken at once: the first row of the handout's table that applies wins
 * (EINVAL for v, then EBADF, then the open mode's EACCES, then ENODEV), as mmap looks at the
 * open mode before it asks whether the file can be mapped. */
Test(mf_map_file, first_matching_error_wins)
{
    int wfd;
    int rfd = pipe_read_end(&wfd);
    int dir = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);
    int dir_opath = open(mm_tmpdir(), O_PATH | O_DIRECTORY);
    struct mf_view v;

    MM_CHECK(dir != -1 && dir_opath != -1, MM_NO_HINT, "test setup: cannot open a directory: "
             "%s", strerror(errno));
    MM_CALL_ERRNO(mf_map_file(-1, PROT_READ, MAP_PRIVATE, NULL), EINVAL,
                  HINT(S_MAPFILE, "v == NULL comes first, before anything looks at the fd"));
    MM_CALL_ERRNO(mf_map_file(dir_opath, PROT_READ, MAP_PRIVATE, &v), EBADF,
                  HINT(S_MAPFILE, "an O_PATH fd is EBADF before its file type is looked at"));
    MM_CALL_ERRNO(mf_map_file(wfd, PROT_READ, MAP_PRIVATE, &v), EACCES,
                  HINT(S_MAPFILE, "a pipe's write end is not open for reading: the open mode "
                       "(EACCES) is checked before the file type (ENODEV)"));
    MM_CALL_ERRNO(mf_map_file(dir, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                  HINT(S_MAPFILE, "PROT_WRITE with MAP_SHARED on an O_RDONLY fd is EACCES, "
                       "checked before the file type (ENODEV)"));
    close(rfd);
    close(wfd);
    close(dir);
    close(dir_opath);
}

Test(mf_map_file, null_view_gives_EINVAL)
{
    int fd = open_tmp("data\n", 5, O_RDONLY, NULL);

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, NULL), EINVAL,
                  HINT(S_MAPFILE, "check v == NULL first"));
    close(fd);
}

Test(mf_map_file, failure_zeroes_the_view)
{
    int wfd = open_tmp("data\n", 5, O_WRONLY, NULL);
    int dir = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);
    struct { struct mm_call wronly, dir; struct mf_view after_wronly, after_dir; } o;

    MM_CHECK(dir != -1, MM_NO_HINT, "test setup: cannot open a directory: %s", strerror(errno));
    MM_SUBJECT(o) {
        struct mf_view v;
        view_fill_junk(&v);
        o.wronly = MM_CALL(mf_map_file(wfd, PROT_READ, MAP_PRIVATE, &v));
        o.after_wronly = v;
        view_fill_junk(&v);
        o.dir = MM_CALL(mf_map_file(dir, PROT_READ, MAP_PRIVATE, &v));
        o.after_dir = v;
    }
    MM_CHECK_ERRNO(o.wronly, EACCES, HINT(S_MAPFILE, "an O_WRONLY fd cannot be mapped"));
    MM_CHECK(view_is_zero(&o.after_wronly), HINT(S_MAPFILE, "zero *v first, so every failure "
             "leaves it zero"), "after a failed mf_map_file (EACCES) the view is not all zero.");
    MM_CHECK_ERRNO(o.dir, ENODEV, HINT(S_MAPFILE, "only regular files can be mapped"));
    MM_CHECK(view_is_zero(&o.after_dir), HINT(S_MAPFILE, "zero *v first, so every failure "
             "leaves it zero"), "after a failed mf_map_file (ENODEV) the view is not all zero.");
    close(wfd);
    close(dir);
}

#define LEAK_ROUNDS 20

/* A leak test fails for a leak only: the failing calls' errno is other tests' business. */
Test(mf_map_file, no_leak_after_success_or_failure)
{
    int fd = open_tmp(NULL, 3 * mm_page_size() + 1, O_RDONLY, NULL);
    int empty = open_tmp(NULL, 0, O_RDONLY, NULL);
    int pipe_fd = pipe_read_end(NULL);
    struct {
        struct mm_call map[LEAK_ROUNDS], unmap[LEAK_ROUNDS], map_empty[LEAK_ROUNDS],
                       unmap_empty[LEAK_ROUNDS], map_pipe[LEAK_ROUNDS];
        struct probe before, after;
    } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        o.before = probe_take();
        for (int i = 0; i < LEAK_ROUNDS; i++) {
            o.map[i] = MM_CALL(mf_map_file(fd, PROT_READ, MAP_SHARED, &v));
            if (o.map[i].ret == -1)
                break;                  /* the judge reports it; v may be junk */
            o.unmap[i] = MM_CALL(mf_unmap(&v));
            o.map_empty[i] = MM_CALL(mf_map_file(empty, PROT_READ, MAP_SHARED, &v));
            o.unmap_empty[i] = MM_CALL(mf_unmap(&v));
            o.map_pipe[i] = MM_CALL(mf_map_file(pipe_fd, PROT_READ, MAP_SHARED, &v));
            if (o.map_pipe[i].ret != -1)
                (void)mf_unmap(&v);     /* not this test's business: release it */
        }
        o.after = probe_take();
    }
    for (int i = 0; i < LEAK_ROUNDS; i++) {
        MM_CHECK_OK(o.map[i], HINT(S_MAPFILE, "map it"));
        MM_CHECK_OK(o.unmap[i], HINT(S_UNMAP, "munmap map_base with map_len"));
        MM_CHECK_OK(o.map_empty[i], HINT(S_MAPFILE, "an empty file is a success with a zero "
                                         "view"));
        MM_CHECK_OK(o.unmap_empty[i], HINT(S_UNMAP, "a zero view is a no-op"));
    }
    probe_check(o.before, o.after, "20 rounds of mf_map_file + mf_unmap (file, empty file, "
                "pipe)");
    close(fd);
    close(empty);
    close(pipe_fd);
}
