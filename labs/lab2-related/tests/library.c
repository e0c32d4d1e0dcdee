/* library.c - public tests of rules every function of shared.c follows: library code prints
 * nothing (it reports through its return value and errno; the tools print the messages).
 * Every call into shared.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'library/[a-z]*'). */
#include "lab2_util.h"

#include <stdio.h>

#define PRINTS_CALLS 32

enum expect { MAY_FAIL, INT_OK, PTR_OK };

/* Every function on a success path and on a failure path, with stdout and stderr (the
 * descriptors, so printf, fprintf, perror and write(2) alike, from the caller or from a
 * worker child) sent to a memfd that counts. */
Test(library, prints_nothing)
{
    unsigned char *data = mm_random_bytes(mm_page_size() + 7, 91);
    struct {
        struct mm_call call[PRINTS_CALLS];
        enum expect expect[PRINTS_CALLS];
        struct mm_quiet quiet;
    } o;

    MM_SUBJECT(o) {
        unsigned long long hist[256];
        char buf[64];
        int n = 0;
        mm_quiet_begin(&o.quiet);
        if (!o.quiet.setup_err) {
#define CALL(ex, expr) (o.expect[n] = (ex), o.call[n++] = MM_CALL_AS(#expr, expr))
#define LAST_PTR(type) (o.call[n - 1].ret != 0 && o.call[n - 1].ret != -1 ? \
                        (type *)(intptr_t)o.call[n - 1].ret : NULL)
            void *p;
            CALL(PTR_OK, shared_anon(mm_page_size()));
            if ((p = LAST_PTR(void)) != NULL)
                CALL(INT_OK, shared_free(p, mm_page_size()));
            CALL(PTR_OK, shared_devzero(mm_page_size()));
            if ((p = LAST_PTR(void)) != NULL)
                CALL(INT_OK, shared_free(p, mm_page_size()));
            CALL(PTR_OK, private_anon(mm_page_size()));
            if ((p = LAST_PTR(void)) != NULL)
                CALL(INT_OK, shared_free(p, mm_page_size()));
            CALL(MAY_FAIL, shared_anon(0));
            CALL(MAY_FAIL, shared_devzero(0));
            CALL(MAY_FAIL, shared_free(NULL, mm_page_size()));
            CALL(PTR_OK, counter_new());
            struct counter *c = LAST_PTR(struct counter);
            if (c != NULL) {
                CALL(INT_OK, counter_add(c, 5));
                CALL(INT_OK, counter_get(c));
                CALL(INT_OK, counter_free(c));
            }
            CALL(MAY_FAIL, counter_add(NULL, 1));
            CALL(MAY_FAIL, counter_get(NULL));
            CALL(MAY_FAIL, counter_free(NULL));
            CALL(INT_OK, parallel_histogram(data, mm_page_size() + 7, 3, hist));
            CALL(MAY_FAIL, parallel_histogram(data, mm_page_size() + 7, 0, hist));
            CALL(PTR_OK, ring_new(64));
            struct ring *r = LAST_PTR(struct ring);
            if (r != NULL) {
                CALL(INT_OK, ring_send(r, "abc", 3));
                CALL(MAY_FAIL, ring_send(r, data, 65));
                CALL(MAY_FAIL, ring_recv(r, buf, 2));
                CALL(INT_OK, ring_recv(r, buf, sizeof buf));
                CALL(INT_OK, ring_close(r));
                CALL(MAY_FAIL, ring_send(r, "x", 1));
                CALL(INT_OK, ring_recv(r, buf, sizeof buf));
                CALL(INT_OK, ring_free(r));
            }
            CALL(MAY_FAIL, ring_new(0));
            CALL(MAY_FAIL, ring_close(NULL));
            CALL(MAY_FAIL, ring_free(NULL));
#undef LAST_PTR
#undef CALL
        }
        mm_quiet_end(&o.quiet);
    }
    const struct mm_hint first = HINT(S_ERRNO, "this test watches what the functions print "
                                      "while they work: make this call succeed first");
    for (int i = 0; i < PRINTS_CALLS; i++) {
        if (o.expect[i] == PTR_OK)
            MM_CHECK_PTR(o.call[i], first);
        else if (o.expect[i] == INT_OK)
            MM_CHECK_OK(o.call[i], first);
    }
    mm_check_quiet(&o.quiet, HINT(S_ERRNO, "library code reports through its return value "
                   "and errno only: remove debugging printf, fprintf and perror calls (in the "
                   "workers too)"), "your functions (calls on success and failure paths)");
    free(data);
}
