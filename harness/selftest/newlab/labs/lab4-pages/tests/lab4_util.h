/* lab4_util.h - what the template lab's public and hidden tests share: the lab's header,
 * the test layer and the handout section the hints name. */
#ifndef LAB4_UTIL_H
#define LAB4_UTIL_H

#include "mmtest.h"
#include "pages.h"

#define S_PAGES "Pages"

#endif
