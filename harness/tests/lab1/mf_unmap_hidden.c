/* mf_unmap_hidden.c - private tests of mf_unmap: every page of an unaligned view is
 * released (map_base and map_len, not data and len), and a second call is harmless.
 * Linked with the public tests (their MM_SUITE declares the suite). */
#include "../../../labs/lab1-fileio/tests/lab1_util.h"

/* mincore fails with ENOMEM exactly when a page is not mapped. */
static int page_is_mapped(void *page)
{
    unsigned char vec;

    return mincore(page, pg(), &vec) == 0 || errno != ENOMEM;
}

Test(mf_unmap, unaligned_view_releases_every_page)
{
    int fd = open_tmp(NULL, 4 * pg(), O_RDONLY, NULL);
    struct mf_view v;

    /* offset page-1, len 2: the two bytes straddle a page boundary, two pages mapped. */
    MM_EXPECT_OK(mf_map(fd, (off_t)pg() - 1, 2, PROT_READ, MAP_PRIVATE, &v),
                 HINT(S_MAP, "round offset down for mmap"));
    char *base = v.map_base;
    MM_ASSERT(base != NULL && page_is_mapped(base) && page_is_mapped(base + pg()),
              "after mf_map(fd, page-1, 2) the two pages under the view are not both mapped.\n"
              "  Hint: " HINT(S_MAP, "map_len = len + offset %% pagesize covers both pages"));
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap(map_base, map_len): data is not "
                                    "page-aligned, and len is shorter than the mapping"));
    MM_ASSERT(!page_is_mapped(base) && !page_is_mapped(base + pg()),
              "after mf_unmap a page of the view is still mapped (first: %s, second: %s).\n"
              "  Hint: " HINT(S_UNMAP, "munmap what mmap returned: map_base and map_len"),
              page_is_mapped(base) ? "mapped" : "gone",
              page_is_mapped(base + pg()) ? "mapped" : "gone");
    close(fd);
    MM_END();
}

Test(mf_unmap, second_unmap_is_harmless)
{
    int fd = open_tmp("xyz", 3, O_RDONLY, NULL);
    struct mf_view v;

    MM_EXPECT_OK(mf_map(fd, 0, 3, PROT_READ, MAP_PRIVATE, &v), HINT(S_MAP, "map it"));
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "munmap(map_base, map_len)"));
    MM_EXPECT_OK(mf_unmap(&v), HINT(S_UNMAP, "after the first mf_unmap the view is all zero, "
                                    "and unmapping a zero view is a no-op success"));
    close(fd);
    MM_END();
}
