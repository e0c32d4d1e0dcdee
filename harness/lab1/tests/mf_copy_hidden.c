/* mf_copy_hidden.c - private tests of mf_copy: truncation of a longer dst, empty src, every
 * open-mode and file-type error with dst left unchanged, bad fds, the same file through
 * two fds, big files across windows, and leaks. Linked with the public tests.
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab1_util.h"

#define OLD "the old contents of dst\n"
#define OLD_LEN (sizeof OLD - 1)

/* dst holding OLD, opened with flags; *path gets its path. */
static int old_dst(int flags, const char **path)
{
    return open_tmp(OLD, OLD_LEN, flags, path);
}

static void expect_dst_unchanged(const char *path, const char *after)
{
    expect_file_is(path, OLD, OLD_LEN, after);
}

Test(mf_copy, dst_bigger_than_src_is_truncated)
{
    const char *path;
    unsigned char *big = mm_random_bytes(3 * mm_page_size(), 70);
    int src = open_tmp("short\n", 6, O_RDONLY, NULL);
    int dst = open_tmp(big, 3 * mm_page_size(), O_RDWR, &path);

    MM_CALL_OK(mf_copy(src, dst), HINT(S_COPY, "ftruncate dst to src's size"));
    expect_file_is(path, "short\n", 6, "a 3-page dst after mf_copy of a 6-byte src");
    free(big);
    close(src);
    close(dst);
}

Test(mf_copy, empty_src_truncates_dst)
{
    const char *path;
    int src = open_tmp(NULL, 0, O_RDONLY, NULL);
    int dst = old_dst(O_RDWR, &path);

    MM_CALL_OK(mf_copy(src, dst), HINT(S_COPY, "an empty src: ftruncate dst to 0 and do not "
                                       "call mmap (length 0 is EINVAL)"));
    expect_file_is(path, "", 0, "dst after mf_copy of an empty src");
    close(src);
    close(dst);
}

Test(mf_copy, write_only_dst_gives_EACCES_dst_unchanged)
{
    const char *path;
    int src = open_tmp("new\n", 4, O_RDONLY, NULL);
    int dst = old_dst(O_WRONLY, &path);

    MM_CALL_ERRNO(mf_copy(src, dst), EACCES, HINT(S_COPY, "mapping dst MAP_SHARED with "
                                                  "PROT_WRITE needs O_RDWR; O_WRONLY is not "
                                                  "enough. Check before ftruncate"));
    expect_dst_unchanged(path, "dst after a failed mf_copy (O_WRONLY dst)");
    close(src);
    close(dst);
}

Test(mf_copy, write_only_src_gives_EACCES_dst_unchanged)
{
    const char *path;
    int src = open_tmp("new\n", 4, O_WRONLY, NULL);
    int dst = old_dst(O_RDWR, &path);

    MM_CALL_ERRNO(mf_copy(src, dst), EACCES, HINT(S_COPY, "src must be open for reading: "
                                                  "check it before touching dst"));
    expect_dst_unchanged(path, "dst after a failed mf_copy (O_WRONLY src)");
    close(src);
    close(dst);
}

Test(mf_copy, pipe_src_gives_ENODEV_dst_unchanged)
{
    const char *path;
    int wfd;
    int src = pipe_read_end(&wfd);
    int dst = old_dst(O_RDWR, &path);

    MM_CHECK(write(wfd, "new\n", 4) == 4, MM_NO_HINT, "test setup: write to pipe failed");
    MM_CALL_ERRNO(mf_copy(src, dst), ENODEV, HINT(S_COPY, "only regular files can be "
                                                  "mapped: check S_ISREG before ftruncate"));
    expect_dst_unchanged(path, "dst after a failed mf_copy (pipe src)");
    close(src);
    close(wfd);
    close(dst);
}

Test(mf_copy, fifo_dst_gives_ENODEV)
{
    int src = open_tmp("new\n", 4, O_RDONLY, NULL);
    int dst = fifo_rdwr();

    MM_CALL_ERRNO(mf_copy(src, dst), ENODEV, HINT(S_COPY, "dst must be a regular file too"));
    close(src);
    close(dst);
}

Test(mf_copy, directory_src_gives_ENODEV_dst_unchanged)
{
    const char *path;
    int src = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);
    int dst = old_dst(O_RDWR, &path);

    MM_CHECK(src != -1, MM_NO_HINT, "test setup: cannot open a directory: %s", strerror(errno));
    MM_CALL_ERRNO(mf_copy(src, dst), ENODEV, HINT(S_COPY, "only regular files can be "
                                                  "mapped: check S_ISREG before ftruncate"));
    expect_dst_unchanged(path, "dst after a failed mf_copy (directory src)");
    close(src);
    close(dst);
}

/* An O_PATH fd passes fstat and reports the access mode O_RDONLY, yet gives no access to
 * the file's bytes (mmap says EBADF): as src it must be refused before dst is truncated. */
Test(mf_copy, bad_src_fd_gives_EBADF_dst_unchanged)
{
    const char *path, *src_path;
    int dst = old_dst(O_RDWR, &path);
    int src = open_tmp("new contents\n", 13, O_RDONLY, &src_path);
    int src_opath = open(src_path, O_PATH);

    MM_CHECK(src_opath != -1, MM_NO_HINT, "test setup: open(O_PATH) failed: %s",
             strerror(errno));
    MM_CALL_ERRNO(mf_copy(-1, dst), EBADF, HINT(S_COPY, "fstat(src) fails with EBADF: stop "
                                                "before touching dst"));
    MM_CALL_ERRNO(mf_copy(closed_fd(), dst), EBADF, HINT(S_COPY, "fstat(src) fails with "
                                                         "EBADF: stop before touching dst"));
    expect_dst_unchanged(path, "dst after mf_copy from a bad fd");
    MM_CALL_ERRNO(mf_copy(src_opath, dst), EBADF, HINT(S_COPY, "an O_PATH src cannot be "
                                                       "mapped: check F_GETFL & O_PATH "
                                                       "before touching dst"));
    expect_dst_unchanged(path, "dst after mf_copy from an O_PATH src");
    close(dst);
    close(src);
    close(src_opath);
}

/* An O_PATH dst is EBADF, as for mf_map_file, not the EACCES of a read-only fd. */
Test(mf_copy, bad_dst_fd_gives_EBADF)
{
    const char *path;
    int src = open_tmp("new\n", 4, O_RDONLY, NULL);
    int dst = old_dst(O_RDWR, &path);
    int dst_opath = open(path, O_PATH);

    MM_CHECK(dst_opath != -1, MM_NO_HINT, "test setup: open(O_PATH) failed: %s",
             strerror(errno));
    MM_CALL_ERRNO(mf_copy(src, -1), EBADF, HINT(S_COPY, "fstat(dst) fails with EBADF"));
    MM_CALL_ERRNO(mf_copy(src, closed_fd()), EBADF, HINT(S_COPY, "fstat(dst) fails with "
                                                         "EBADF"));
    MM_CALL_ERRNO(mf_copy(src, dst_opath), EBADF, HINT(S_COPY, "an O_PATH dst is EBADF, as "
                                                       "for mf_map_file: check F_GETFL & "
                                                       "O_PATH before the open mode"));
    expect_dst_unchanged(path, "dst after mf_copy to an O_PATH dst");
    close(src);
    close(dst);
    close(dst_opath);
}

/* src and dst both wrong: src is checked first, so its errno is the answer, whatever is
 * wrong with dst (and dst is left as it was). */
Test(mf_copy, src_errors_come_before_dst_errors)
{
    const char *path;
    int wfd;
    int pipe_src = pipe_read_end(&wfd);
    int wronly_src = open_tmp("new\n", 4, O_WRONLY, NULL);
    int ro_dst = old_dst(O_RDONLY, &path);
    int fifo_dst = fifo_rdwr();

    MM_CALL_ERRNO(mf_copy(wronly_src, -1), EACCES, HINT(S_COPY, "check src completely (here "
                                                        "its open mode) before dst"));
    MM_CALL_ERRNO(mf_copy(pipe_src, ro_dst), ENODEV, HINT(S_COPY, "check src completely (here "
                                                          "its file type) before dst"));
    MM_CALL_ERRNO(mf_copy(-1, fifo_dst), EBADF, HINT(S_COPY, "check src completely (here "
                                                     "the fd) before dst"));
    expect_dst_unchanged(path, "a read-only dst after mf_copy from a pipe");
    close(wfd);
    close(pipe_src);
    close(wronly_src);
    close(ro_dst);
    close(fifo_dst);
}

Test(mf_copy, same_file_through_two_fds_succeeds_unchanged)
{
    const char *path;
    unsigned char *data = mm_random_bytes(2 * mm_page_size() + 9, 71);
    int src = open_tmp(data, 2 * mm_page_size() + 9, O_RDONLY, &path);
    int dst = open(path, O_RDWR);

    struct mm_call copy;

    MM_CHECK(dst != -1, MM_NO_HINT, "test setup: reopen failed: %s", strerror(errno));
    MM_SUBJECT(copy)
        copy = MM_CALL(mf_copy(src, dst));
    MM_CHECK(copy.ret == 0, HINT(S_COPY, "two fds of one file have the same st_dev and st_ino: "
             "compare those, not the fd numbers, and return 0"), "mf_copy of a file onto "
             "itself through two fds returned %lld (errno %s), expected 0.", copy.ret,
             mm_errno_name(copy.err));
    expect_file_is(path, data, 2 * mm_page_size() + 9, "a file copied onto itself through two fds");
    free(data);
    close(src);
    close(dst);
}

Test(mf_copy, big_file_copies_across_windows)
{
    const off_t MiB = (off_t)1 << 20, size = 72 * MiB + 3;
    const off_t marks[] = { 0, 32 * MiB - 1, 32 * MiB, 64 * MiB - 1, 64 * MiB, size - 1 };
    const char *src_path = mm_tmpfile(NULL, (size_t)size), *dst_path;
    int src = open(src_path, O_RDWR);
    int dst = open_tmp(NULL, 0, O_RDWR, &dst_path);
    struct mm_call copy;

    MM_CHECK(src != -1, MM_NO_HINT, "test setup: open failed: %s", strerror(errno));
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        MM_CHECK(pwrite(src, "M", 1, marks[i]) == 1, MM_NO_HINT, "test setup: pwrite failed");
    MM_SUBJECT_WITH(copy, .timeout_ms = 20000)
        copy = MM_CALL(mf_copy(src, dst));
    MM_CHECK_OK(copy, HINT(S_COPY, "copy a window at a time; every window at its own offset "
                           "in both files"));
    size_t got_len = 0;
    unsigned char *got = mm_slurp(dst_path, &got_len);
    if (got == NULL)
        got_len = 0;
    MM_CHECK(got != NULL && got_len == (size_t)size, HINT(S_COPY, "ftruncate dst to src's "
             "size"), "dst after mf_copy of a 72 MiB file has %zu bytes, expected %lld.",
             got_len, (long long)size);
    int marks_ok = 1;
    size_t nonzero = 0;
    for (size_t i = 0; i < got_len; i++)
        nonzero += got[i] != 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        marks_ok &= got[marks[i]] == 'M';
    free(got);
    MM_CHECK(marks_ok && nonzero == sizeof marks / sizeof marks[0], HINT(S_COPY, "each window: "
             "same offset in src and dst, length min(window, size - offset)"), "dst after "
             "mf_copy of a 72 MiB file differs from src (bytes around the 32 and 64 MiB "
             "boundaries).");
    close(src);
    close(dst);
}

#define LEAK_ROUNDS 20

/* A leak test fails for a leak only: the failing calls' errno is other tests' business. */
Test(mf_copy, no_leak_after_success_or_failure)
{
    unsigned char *data = mm_random_bytes(5 * mm_page_size() + 1, 72);
    int src = open_tmp(data, 5 * mm_page_size() + 1, O_RDONLY, NULL);
    int dst = open_tmp(NULL, 0, O_RDWR, NULL);
    int ro_dst = old_dst(O_RDONLY, NULL);
    struct { struct mm_call ok[LEAK_ROUNDS], fail[LEAK_ROUNDS]; struct probe before, after; } o;

    MM_SUBJECT(o) {
        o.before = probe_take();
        for (int i = 0; i < LEAK_ROUNDS; i++) {
            o.ok[i] = MM_CALL(mf_copy(src, dst));
            o.fail[i] = MM_CALL(mf_copy(src, ro_dst));
        }
        o.after = probe_take();
    }
    for (int i = 0; i < LEAK_ROUNDS; i++)
        MM_CHECK_OK(o.ok[i], HINT(S_COPY, "ftruncate dst, map both, memcpy"));
    probe_check(o.before, o.after, "40 mf_copy calls (20 succeeded, 20 failed)");
    free(data);
    close(src);
    close(dst);
    close(ro_dst);
}
