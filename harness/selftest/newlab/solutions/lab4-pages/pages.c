/* pages.c - Lab 4 reference (the template lab): pages_needed. */
#include "pages.h"

#include <errno.h>
#include <unistd.h>

/* Contract: pages.h. */
long pages_needed(size_t len)
{
    long page = sysconf(_SC_PAGESIZE);

    if (len == 0) {
        errno = EINVAL;
        return -1;
    }
    if (page == -1)
        return -1;
    return (long)((len - 1) / (size_t)page + 1);
}
