/* mf_map.c - public tests of mf_map: mapping [offset, offset + len) of a file, the argument
 * checks that come first, and mmap's own errno passed through.
 * Run: make test (or ./build/run --filter 'mf_map/[a-z]*'). */
#include "lab1_util.h"

MM_SUITE(mf_map, 20);

Test(mf_map, small_file_maps_its_bytes)
{
    unsigned char *data = random_bytes(3 * pg() + 17, 1);
    int fd = open_tmp(data, 3 * pg() + 17, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_OK(mf_map(fd, 0, 3 * pg() + 17, PROT_READ, MAP_PRIVATE, &v),
                 HINT(S_MAP, "map the file with mmap and compare the result with MAP_FAILED"));
    MM_ASSERT(v.data != NULL && v.len == 3 * pg() + 17,
              "view after mf_map(fd, 0, %zu): data=%p len=%zu, expected data set and len %zu.\n"
              "  Hint: " HINT(S_MAP, "fill in all four fields of the view"),
              3 * pg() + 17, v.data, v.len, 3 * pg() + 17);
    MM_ASSERT(memcmp(v.data, data, v.len) == 0, "the mapped bytes differ from the file's.\n"
              "  Hint: " HINT(S_MAP, "data must point at the first requested byte"));
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap map_base with map_len"));
    free(data);
    close(fd);
    MM_END();
}

Test(mf_map, unaligned_offset_points_data_at_requested_byte)
{
    size_t size = 4 * pg();
    unsigned char *data = random_bytes(size, 2);
    int fd = open_tmp(data, size, O_RDONLY, NULL);
    off_t offset = (off_t)pg() + 123;
    size_t len = 2 * pg();
    struct mf_view v;

    MM_EXPECT_OK(mf_map(fd, offset, len, PROT_READ, MAP_PRIVATE, &v),
                 HINT(S_MAP, "mmap needs a page-aligned offset: round it down to a page "
                      "boundary and map the bytes in front as well"));
    MM_ASSERT(((uintptr_t)v.map_base % pg()) == 0, "map_base %p is not page-aligned.\n"
              "  Hint: " HINT(S_MAP, "map_base is what mmap returned"), v.map_base);
    MM_ASSERT((char *)v.data == (char *)v.map_base + 123,
              "data should be map_base + 123 (offset %% page size), it is map_base + %td.\n"
              "  Hint: " HINT(S_MAP, "point data at the requested byte inside the mapping"),
              (char *)v.data - (char *)v.map_base);
    MM_ASSERT(v.len == len && (v.map_len == len + 123 || v.map_len == 3 * pg()),
              "len %zu / map_len %zu, expected len %zu and map_len %zu (or %zu rounded up).\n"
              "  Hint: " HINT(S_MAP, "map_len = len + offset %% pagesize"),
              v.len, v.map_len, len, len + 123, 3 * pg());
    MM_ASSERT(memcmp(v.data, data + offset, len) == 0, "the bytes at data are not the file's "
              "bytes at offset %lld.\n  Hint: " HINT(S_MAP, "mmap from the page boundary below "
              "offset, then add offset %% pagesize"), (long long)offset);
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap map_base with map_len"));
    free(data);
    close(fd);
    MM_END();
}

Test(mf_map, len_zero_gives_EINVAL)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map(fd, 0, 0, PROT_READ, MAP_PRIVATE, &v), EINVAL,
                    HINT(S_MAP, "check len == 0 before calling mmap"));
    close(fd);
    MM_END();
}

Test(mf_map, negative_offset_gives_EINVAL)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map(fd, -1, 3, PROT_READ, MAP_PRIVATE, &v), EINVAL,
                    HINT(S_MAP, "check offset < 0 before rounding it (-1 %% pagesize is "
                         "negative in C)"));
    close(fd);
    MM_END();
}

Test(mf_map, null_view_gives_EINVAL)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);

    MM_EXPECT_ERRNO(mf_map(fd, 0, 3, PROT_READ, MAP_PRIVATE, NULL), EINVAL,
                    HINT(S_MAP, "check v == NULL first, before mapping anything"));
    close(fd);
    MM_END();
}

Test(mf_map, bad_fd_gives_EBADF)
{
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map(-1, 0, pg(), PROT_READ, MAP_PRIVATE, &v), EBADF,
                    HINT(S_ERRNO, "pass mmap's errno through unchanged"));
    MM_END();
}

Test(mf_map, write_only_fd_gives_EACCES)
{
    int fd = open_tmp("abc", 3, O_WRONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map(fd, 0, 3, PROT_READ, MAP_SHARED, &v), EACCES,
                    HINT(S_ERRNO, "mmap needs an fd open for reading, whatever prot is; "
                         "pass its errno through"));
    close(fd);
    MM_END();
}

Test(mf_map, shared_write_on_read_only_fd_gives_EACCES)
{
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map(fd, 0, 3, PROT_READ | PROT_WRITE, MAP_SHARED, &v), EACCES,
                    HINT(S_ERRNO, "MAP_SHARED with PROT_WRITE needs an fd opened O_RDWR"));
    close(fd);
    MM_END();
}

Test(mf_map, pipe_gives_ENODEV)
{
    int fd = pipe_read_end(NULL);
    struct mf_view v;

    MM_EXPECT_ERRNO(mf_map(fd, 0, pg(), PROT_READ, MAP_PRIVATE, &v), ENODEV,
                    HINT(S_ERRNO, "a pipe cannot be mapped; pass mmap's errno through"));
    close(fd);
    MM_END();
}

Test(mf_map, failure_zeroes_the_view)
{
    struct mf_view v;

    view_fill_junk(&v);
    MM_EXPECT_ERRNO(mf_map(-1, 0, pg(), PROT_READ, MAP_PRIVATE, &v), EBADF,
                    HINT(S_ERRNO, "pass mmap's errno through unchanged"));
    MM_ASSERT(view_is_zero(&v), "after a failed mf_map the view is {data=%p, len=%zu, "
              "map_base=%p, map_len=%zu}, expected all zero.\n  Hint: " HINT(S_MAP,
              "zero *v at the start (memset) so every failure leaves it zero"),
              v.data, v.len, v.map_base, v.map_len);
    int fd = open_tmp("abc", 3, O_RDONLY, NULL);
    view_fill_junk(&v);
    MM_EXPECT_ERRNO(mf_map(fd, 0, 0, PROT_READ, MAP_PRIVATE, &v), EINVAL,
                    HINT(S_MAP, "check len == 0 before calling mmap"));
    MM_ASSERT(view_is_zero(&v), "after mf_map with len 0 the view is not all zero.\n"
              "  Hint: " HINT(S_MAP, "zero *v in the argument-check failure too"));
    close(fd);
    MM_END();
}
