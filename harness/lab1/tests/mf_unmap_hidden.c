/* mf_unmap_hidden.c - private tests of mf_unmap: every page of an unaligned view is
 * released (map_base and map_len, not data and len), and a second call is harmless.
 * The suite is declared in lab1_util.c. Every call into
 * mapfile.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab1_util.h"

/* mincore fails with ENOMEM exactly when a page is not mapped (runs in the subject, whose
 * address space holds the view). */
static bool page_is_mapped(void *page)
{
    unsigned char vec;

    return mincore(page, mm_page_size(), &vec) == 0 || errno != ENOMEM;
}

Test(mf_unmap, unaligned_view_releases_every_page)
{
    int fd = open_tmp(NULL, 4 * mm_page_size(), O_RDONLY, NULL);
    struct {
        struct mm_call map, unmap;
        bool base_set, mapped_before[2], mapped_after[2];
    } o;

    /* offset page-1, len 2: the two bytes straddle a page boundary, two pages mapped. */
    MM_SUBJECT(o) {
        struct mf_view v;
        o.map = MM_CALL(mf_map(fd, (off_t)mm_page_size() - 1, 2, PROT_READ, MAP_PRIVATE, &v));
        if (o.map.ret != -1) {
            char *base = v.map_base;
            o.base_set = base != NULL;
            if (base != NULL) {
                o.mapped_before[0] = page_is_mapped(base);
                o.mapped_before[1] = page_is_mapped(base + mm_page_size());
            }
            o.unmap = MM_CALL(mf_unmap(&v));
            if (base != NULL) {
                o.mapped_after[0] = page_is_mapped(base);
                o.mapped_after[1] = page_is_mapped(base + mm_page_size());
            }
        }
    }
    MM_CHECK_OK(o.map, HINT(S_MAP, "round offset down for mmap"));
    MM_CHECK(o.base_set && o.mapped_before[0] && o.mapped_before[1], HINT(S_MAP, "map_len = "
             "len + offset % pagesize covers both pages"), "after mf_map(fd, page-1, 2) the two "
             "pages under the view are not both mapped.");
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "munmap(map_base, map_len): data is not page-aligned, "
                              "and len is shorter than the mapping"));
    MM_CHECK(!o.mapped_after[0] && !o.mapped_after[1], HINT(S_UNMAP, "munmap what mmap "
             "returned: map_base and map_len"), "after mf_unmap a page of the view is still "
             "mapped (first: %s, second: %s).", o.mapped_after[0] ? "mapped" : "gone",
             o.mapped_after[1] ? "mapped" : "gone");
    close(fd);
}

Test(mf_unmap, second_unmap_is_harmless)
{
    int fd = open_tmp("xyz", 3, O_RDONLY, NULL);
    struct { struct mm_call map, first, second; } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        o.map = MM_CALL(mf_map(fd, 0, 3, PROT_READ, MAP_PRIVATE, &v));
        if (o.map.ret != -1) {
            o.first = MM_CALL(mf_unmap(&v));
            if (o.first.ret != -1)
                o.second = MM_CALL(mf_unmap(&v));
        }
    }
    MM_CHECK_OK(o.map, HINT(S_MAP, "map it"));
    MM_CHECK_OK(o.first, HINT(S_UNMAP, "munmap(map_base, map_len)"));
    MM_CHECK_OK(o.second, HINT(S_UNMAP, "after the first mf_unmap the view is all zero, and "
                               "unmapping a zero view is a no-op success"));
    close(fd);
}
