/* mf_unmap.c - public tests of mf_unmap: it unmaps what mmap returned and zeroes the view;
 * an all-zero view is a no-op. Run: make test (or ./build/run --filter 'mf_unmap/[a-z]*'). */
#include "lab1_util.h"

MM_SUITE(mf_unmap, 20);

Test(mf_unmap, unmap_zeroes_the_view)
{
    int fd = open_tmp("some bytes", 10, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_OK(mf_map(fd, 0, 10, PROT_READ, MAP_PRIVATE, &v),
                 HINT(S_MAP, "map the file with mmap and compare the result with MAP_FAILED"));
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap(map_base, map_len)"));
    MM_ASSERT(view_is_zero(&v), "after mf_unmap the view is {data=%p, len=%zu, map_base=%p, "
              "map_len=%zu}, expected all zero.\n  Hint: " HINT(S_UNMAP, "zero the view after "
              "munmap, so a second mf_unmap is harmless"), v.data, v.len, v.map_base, v.map_len);
    close(fd);
    MM_END();
}

Test(mf_unmap, zero_view_is_a_noop_success)
{
    struct mf_view v = { 0 };

    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "an all-zero view (an empty file's) has nothing "
                                    "to unmap: return 0 without calling munmap"));
    MM_ASSERT(view_is_zero(&v), "mf_unmap changed an all-zero view.\n  Hint: "
              HINT(S_UNMAP, "leave it zero"));
    MM_END();
}

Test(mf_unmap, null_view_gives_EINVAL)
{
    MM_EXPECT_ERRNO(mf_unmap(NULL), EINVAL, HINT(S_UNMAP, "check v == NULL first"));
    MM_END();
}
