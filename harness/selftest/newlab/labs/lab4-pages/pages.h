/* pages.h - Lab 4 (the template lab): how many pages a mapping of len bytes takes. */
#ifndef PAGES_H
#define PAGES_H

#include <stddef.h>

/* The number of pages of sysconf(_SC_PAGESIZE) bytes that hold len bytes: mmap rounds a
 * mapping's length up to whole pages. len == 0 -> -1 with errno EINVAL, as mmap says. */
long pages_needed(size_t len);

#endif
