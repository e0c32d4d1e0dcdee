/* mf_unmap.c - public tests of mf_unmap: it unmaps what mmap returned and zeroes the view;
 * an all-zero view is a no-op. Every call into mapfile.c runs in a subject (mmtest.h).
 * Run: make test (or ./build/run --filter 'mf_unmap/[a-z]*'). */
#include "lab1_util.h"

Test(mf_unmap, unmap_zeroes_the_view)
{
    int fd = open_tmp("some bytes", 10, O_RDONLY, NULL);
    struct { struct mm_call map, unmap; struct mf_view after; } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        o.map = MM_CALL(mf_map(fd, 0, 10, PROT_READ, MAP_PRIVATE, &v));
        if (o.map.ret != -1) {
            o.unmap = MM_CALL(mf_unmap(&v));
            o.after = v;
        }
    }
    MM_CHECK_OK(o.map, HINT(S_MAP, "map the file with mmap and compare the result with "
                            "MAP_FAILED"));
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "munmap(map_base, map_len)"));
    MM_CHECK(view_is_zero(&o.after), HINT(S_UNMAP, "zero the view after munmap, so a second "
             "mf_unmap is harmless"), "after mf_unmap the view is {data=%p, len=%zu, "
             "map_base=%p, map_len=%zu}, expected all zero.", o.after.data, o.after.len,
             o.after.map_base, o.after.map_len);
    close(fd);
}

Test(mf_unmap, zero_view_is_a_noop_success)
{
    struct { struct mm_call unmap; struct mf_view after; } o;

    MM_SUBJECT(o) {
        struct mf_view v = { 0 };
        o.unmap = MM_CALL(mf_unmap(&v));
        o.after = v;
    }
    MM_CHECK_OK(o.unmap, HINT(S_UNMAP, "an all-zero view (an empty file's) has nothing to "
                              "unmap: return 0 without calling munmap"));
    MM_CHECK(view_is_zero(&o.after), HINT(S_UNMAP, "leave it zero"), "mf_unmap changed an "
             "all-zero view.");
}

Test(mf_unmap, null_view_gives_EINVAL)
{
    MM_CALL_ERRNO(mf_unmap(NULL), EINVAL, HINT(S_UNMAP, "check v == NULL first"));
}

/* munmap refuses an address that is not page-aligned (EINVAL): a view whose map_base is one
 * byte into a real mapping makes it fail. Nothing was unmapped, so the view must stay as it
 * was: zeroing it would lose the only record of a live mapping. */
Test(mf_unmap, munmap_failure_gives_its_errno_and_keeps_the_view)
{
    struct { int setup_err; struct mm_call unmap; struct mf_view before, after; } o;

    MM_SUBJECT(o) {
        char *p = mmap(NULL, 2 * mm_page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        o.setup_err = p == MAP_FAILED ? errno : 0;
        if (p != MAP_FAILED) {
            struct mf_view v = { .data = p + 1, .len = 1, .map_base = p + 1, .map_len = 1 };
            o.before = v;
            o.unmap = MM_CALL(mf_unmap(&v));
            o.after = v;
            munmap(p, 2 * mm_page_size());
        }
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: mmap failed: %s",
             mm_errno_name(o.setup_err));
    MM_CHECK_ERRNO(o.unmap, EINVAL, HINT(S_UNMAP, "when munmap fails, return -1 with its errno "
                                         "(here EINVAL: map_base is not page-aligned)"));
    MM_CHECK(memcmp(&o.before, &o.after, sizeof o.before) == 0, HINT(S_UNMAP, "zero the view "
             "only after munmap succeeded"), "after a failed mf_unmap the view is {data=%p, "
             "len=%zu, map_base=%p, map_len=%zu}, expected it unchanged: {data=%p, len=%zu, "
             "map_base=%p, map_len=%zu}.", o.after.data, o.after.len, o.after.map_base,
             o.after.map_len, o.before.data, o.before.len, o.before.map_base,
             o.before.map_len);
}
