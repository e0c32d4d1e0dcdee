/* pages_needed_hidden.c - private tests of pages_needed: a length that is a whole number of
 * pages needs no extra page. The suite is declared in lab4_util.c. */
#include "lab4_util.h"

#include <unistd.h>

Test(pages_needed, exact_page_takes_one_page)
{
    long page = sysconf(_SC_PAGESIZE);
    struct mm_call c;

    MM_SUBJECT(c) c = MM_CALL(pages_needed((size_t)page));
    MM_CHECK_OK(c, MM_HINT(S_PAGES, "a length of one page is valid"));
    MM_CHECK(c.ret == 1, MM_HINT(S_PAGES, "len - 1, divided by the page size, plus one"),
             "pages_needed(%ld) returned %lld, expected 1.", page, c.ret);
}
