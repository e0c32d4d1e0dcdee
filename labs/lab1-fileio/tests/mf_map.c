/* mf_map.c - public tests of mf_map: mapping [offset, offset + len) of a file, the argument
 * checks that come first, and mmap's own errno passed through.
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'mf_map/[a-z]*'). */
#include "lab1_util.h"

Test(mf_map, small_file_maps_its_bytes)
{
    size_t size = 3 * mm_page_size() + 17;
    unsigned char *data = mm_random_bytes(size, 1);
    int fd = open_tmp(data, size, O_RDONLY, NULL);

    struct map_seen o = map_in_subject(fd, 0, size, PROT_READ, MAP_PRIVATE);
    MM_CHECK_OK(o.map, HINT(S_MAP, "map the file with mmap and compare the result with "
                            "MAP_FAILED"));
    MM_CHECK(o.v.data != NULL && o.v.len == size, HINT(S_MAP, "fill in all four fields of the "
             "view"), "view after mf_map(fd, 0, %zu): data=%p len=%zu, expected data set and "
             "len %zu.", size, o.v.data, o.v.len, size);
    MM_CHECK(o.digest == mm_digest(data, size), HINT(S_MAP, "data must point at the first "
             "requested byte"), "the mapped bytes differ from the file's.");
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "munmap map_base with map_len"));
    free(data);
    close(fd);
}

Test(mf_map, unaligned_offset_points_data_at_requested_byte)
{
    size_t size = 4 * mm_page_size();
    unsigned char *data = mm_random_bytes(size, 2);
    int fd = open_tmp(data, size, O_RDONLY, NULL);
    off_t offset = (off_t)mm_page_size() + 123;
    size_t len = 2 * mm_page_size();

    struct map_seen o = map_in_subject(fd, offset, len, PROT_READ, MAP_PRIVATE);
    MM_CHECK_OK(o.map, HINT(S_MAP, "mmap needs a page-aligned offset: round it down to a page "
                            "boundary and map the bytes in front as well"));
    MM_CHECK(((uintptr_t)o.v.map_base % mm_page_size()) == 0, HINT(S_MAP, "map_base is what mmap "
             "returned"), "map_base %p is not page-aligned.", o.v.map_base);
    MM_CHECK(o.data_offset == 123, HINT(S_MAP, "point data at the requested byte inside the "
             "mapping"), "data should be map_base + 123 (offset %% page size), it is map_base "
             "+ %td.", o.data_offset);
    MM_CHECK(o.v.len == len && (o.v.map_len == len + 123 || o.v.map_len == 3 * mm_page_size()),
             HINT(S_MAP, "map_len = len + offset % pagesize"), "len %zu / map_len %zu, "
             "expected len %zu and map_len %zu (or %zu rounded up).", o.v.len, o.v.map_len,
             len, len + 123, 3 * mm_page_size());
    MM_CHECK(o.digest == mm_digest(data + offset, len), HINT(S_MAP, "mmap from the page "
             "boundary below offset, then add offset % pagesize"), "the bytes at data are not "
             "the file's bytes at offset %lld.", (long long)offset);
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "munmap map_base with map_len"));
    free(data);
    close(fd);
}

Test(mf_map, len_zero_gives_EINVAL)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map(fd, 0, 0, PROT_READ, MAP_PRIVATE, &v), EINVAL,
                  HINT(S_MAP, "check len == 0 before calling mmap"));
    close(fd);
}

Test(mf_map, negative_offset_gives_EINVAL)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map(fd, -1, 3, PROT_READ, MAP_PRIVATE, &v), EINVAL,
                  HINT(S_MAP, "check offset < 0 before rounding it (-1 % pagesize is "
                       "negative in C)"));
    close(fd);
}

Test(mf_map, null_view_gives_EINVAL)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);

    MM_CALL_ERRNO(mf_map(fd, 0, 3, PROT_READ, MAP_PRIVATE, NULL), EINVAL,
                  HINT(S_MAP, "check v == NULL first, before mapping anything"));
    close(fd);
}

Test(mf_map, bad_fd_gives_EBADF)
{
    struct mf_view v;

    MM_CALL_ERRNO(mf_map(-1, 0, mm_page_size(), PROT_READ, MAP_PRIVATE, &v), EBADF,
                  HINT(S_ERRNO, "pass mmap's errno through unchanged"));
}

Test(mf_map, write_only_fd_gives_EACCES)
{
    int fd = open_tmp("abc", 3, O_WRONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map(fd, 0, 3, PROT_READ, MAP_SHARED, &v), EACCES,
                  HINT(S_ERRNO, "mmap needs an fd open for reading, whatever prot is; "
                       "pass its errno through"));
    close(fd);
}

Test(mf_map, shared_write_on_read_only_fd_gives_EACCES)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map(fd, 0, 3, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                  HINT(S_ERRNO, "MAP_SHARED with PROT_WRITE needs an fd opened O_RDWR"));
    close(fd);
}

Test(mf_map, pipe_gives_ENODEV)
{
    int fd = pipe_read_end(NULL);
    struct mf_view v;

    MM_CALL_ERRNO(mf_map(fd, 0, mm_page_size(), PROT_READ, MAP_PRIVATE, &v), ENODEV,
                  HINT(S_ERRNO, "a pipe cannot be mapped; pass mmap's errno through"));
    close(fd);
}

Test(mf_map, failure_zeroes_the_view)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct { struct mm_call bad_fd, len0; struct mf_view after_bad_fd, after_len0; } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        view_fill_junk(&v);
        o.bad_fd = MM_CALL(mf_map(-1, 0, mm_page_size(), PROT_READ, MAP_PRIVATE, &v));
        o.after_bad_fd = v;
        view_fill_junk(&v);
        o.len0 = MM_CALL(mf_map(fd, 0, 0, PROT_READ, MAP_PRIVATE, &v));
        o.after_len0 = v;
    }
    MM_CHECK_ERRNO(o.bad_fd, EBADF, HINT(S_ERRNO, "pass mmap's errno through unchanged"));
    MM_CHECK(view_is_zero(&o.after_bad_fd), HINT(S_MAP, "zero *v at the start (memset) so "
             "every failure leaves it zero"), "after a failed mf_map the view is {data=%p, "
             "len=%zu, map_base=%p, map_len=%zu}, expected all zero.", o.after_bad_fd.data,
             o.after_bad_fd.len, o.after_bad_fd.map_base, o.after_bad_fd.map_len);
    MM_CHECK_ERRNO(o.len0, EINVAL, HINT(S_MAP, "check len == 0 before calling mmap"));
    MM_CHECK(view_is_zero(&o.after_len0), HINT(S_MAP, "zero *v in the argument-check failure "
             "too"), "after mf_map with len 0 the view is not all zero.");
    close(fd);
}
