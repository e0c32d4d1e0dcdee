/* mf_map_file.c - public tests of mf_map_file: whole files of every size (empty ones too)
 * and the fd checks it makes itself so that empty files behave like others.
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'mf_map_file/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

Test(mf_map_file, file_sizes_map_exact_bytes)
{
    size_t sizes[SWEEP_MAX];
    int n = sweep_sizes(sizes);

    for (int i = 0; i < n; i++) {
        unsigned char *data = mm_random_bytes(sizes[i], 10 + i);
        int fd = open_tmp(data, sizes[i], O_RDONLY, NULL);
        char call[64];
        struct { struct mm_call map, unmap; size_t len; uint64_t digest; } o;

        snprintf(call, sizeof call, "mf_map_file on a %zu-byte file", sizes[i]);
        MM_SUBJECT(o) {
            struct mf_view v;
            o.map = MM_CALL_AS(call, mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v));
            if (o.map.ret == 0) {
                o.len = v.len;
                if (v.len == sizes[i] && v.len > 0)
                    o.digest = mm_digest(v.data, v.len);
                o.unmap = MM_CALL(mf_unmap(&v));
            }
        }
        MM_CHECK(o.map.ret == 0, HINT(S_MAPFILE, "fstat for the size; an empty file is a "
                 "success with a zero view"), "%s returned %lld with errno %s, expected 0.",
                 call, o.map.ret, mm_errno_name(o.map.err));
        MM_CHECK(o.len == sizes[i], HINT(S_MAPFILE, "len is the file's size (st_size)"),
                 "%s: view len %zu, expected %zu.", call, o.len, sizes[i]);
        MM_CHECK(sizes[i] == 0 || o.digest == mm_digest(data, sizes[i]),
                 HINT(S_MAPFILE, "map from offset 0"), "%s: the mapped bytes differ from the "
                 "file's.", call);
        MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "munmap map_base with map_len"));
        free(data);
        close(fd);
    }
}

Test(mf_map_file, empty_file_gives_empty_view)
{
    int fd = open_tmp(NULL, 0, O_RDONLY, NULL);
    struct { struct mm_call map, unmap; struct mf_view v; } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        view_fill_junk(&v);
        o.map = MM_CALL(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v));
        o.v = v;
        if (o.map.ret != -1)
            o.unmap = MM_CALL(mf_unmap(&v));
    }
    MM_CHECK_OK(o.map, HINT(S_MAPFILE, "mmap of length 0 fails with EINVAL: for an empty file "
                            "do not call mmap, succeed with an all-zero view"));
    MM_CHECK(view_is_zero(&o.v), HINT(S_MAPFILE, "zero the view"), "the view of an empty file "
             "is {data=%p, len=%zu, map_base=%p, map_len=%zu}, expected all zero.", o.v.data,
             o.v.len, o.v.map_base, o.v.map_len);
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "unmapping an all-zero view is a no-op success"));
    close(fd);
}

Test(mf_map_file, directory_gives_ENODEV)
{
    int fd = open(mm_tmpdir(), O_RDONLY | O_DIRECTORY);
    struct mf_view v;

    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: cannot open a directory: %s", strerror(errno));
    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v), ENODEV,
                  HINT(S_MAPFILE, "only regular files can be mapped: check S_ISREG(st_mode)"));
    close(fd);
}

Test(mf_map_file, write_only_fd_gives_EACCES)
{
    int fd = open_tmp("hello\n", 6, O_WRONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map_file(fd, PROT_READ, MAP_SHARED, &v), EACCES,
                  HINT(S_MAPFILE, "an fd opened O_WRONLY cannot be mapped: look at "
                       "fcntl(fd, F_GETFL) & O_ACCMODE"));
    close(fd);
}

/* An O_PATH fd names a file but gives no access to its bytes: mmap says EBADF, yet fstat
 * works on it and F_GETFL reports the access mode O_RDONLY. The empty file never reaches
 * mmap, so only a check of its own gives the same answer there. */
Test(mf_map_file, o_path_fd_gives_EBADF)
{
    const char *path, *empty_path;
    int fd = open_tmp("data\n", 5, O_RDONLY, &path);
    int empty = open_tmp(NULL, 0, O_RDONLY, &empty_path);
    int opath = open(path, O_PATH), empty_opath = open(empty_path, O_PATH);
    struct { struct mm_call file, empty; struct mf_view after_file, after_empty; } o;

    MM_CHECK(opath != -1 && empty_opath != -1, MM_NO_HINT, "test setup: open(O_PATH) failed: "
             "%s", strerror(errno));
    MM_SUBJECT(o) {
        struct mf_view v;
        view_fill_junk(&v);
        o.file = MM_CALL(mf_map_file(opath, PROT_READ, MAP_PRIVATE, &v));
        o.after_file = v;
        if (o.file.ret != -1)
            (void)mf_unmap(&v);         /* the judge reports it */
        view_fill_junk(&v);
        o.empty = MM_CALL(mf_map_file(empty_opath, PROT_READ, MAP_PRIVATE, &v));
        o.after_empty = v;
    }
    MM_CHECK_ERRNO(o.file, EBADF, HINT(S_MAPFILE, "an O_PATH fd cannot be mapped: mmap says "
                                       "EBADF, pass it through"));
    MM_CHECK_ERRNO(o.empty, EBADF, HINT(S_MAPFILE, "an empty file never reaches mmap: check "
                                        "fcntl(fd, F_GETFL) & O_PATH yourself (fstat works on "
                                        "an O_PATH fd) and fail with EBADF"));
    MM_CHECK(view_is_zero(&o.after_file) && view_is_zero(&o.after_empty), HINT(S_MAPFILE,
             "zero *v first, so every failure leaves it zero"), "after a failed mf_map_file "
             "(O_PATH fd) the view is not all zero.");
    close(fd);
    close(empty);
    close(opath);
    close(empty_opath);
}
