/* pages_needed.c - public tests of pages_needed: one byte still takes a whole page. Every
 * call into pages.c runs in a subject (mmtest.h). Run: make test. */
#include "lab4_util.h"

Test(pages_needed, one_byte_takes_one_page)
{
    struct mm_call c;

    MM_SUBJECT(c) c = MM_CALL(pages_needed(1));
    MM_CHECK_OK(c, MM_HINT(S_PAGES, "a length of 1 is valid"));
    MM_CHECK(c.ret == 1, MM_HINT(S_PAGES, "round the length up to whole pages"),
             "pages_needed(1) returned %lld, expected 1.", c.ret);
}
