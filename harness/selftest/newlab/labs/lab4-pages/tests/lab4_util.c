/* lab4_util.c - the template lab's handout and suite, declared once for the public and the
 * hidden tests (a *_util.c file is linked into both test binaries). */
#include "lab4_util.h"

MM_LAB("lab4", S_PAGES);
MM_SUITE(pages_needed, 10);
