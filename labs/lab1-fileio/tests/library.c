/* library.c - public tests of rules every function of mapfile.c follows: library code prints
 * nothing (it reports through its return value and errno; the tools print the messages).
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'library/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

MM_SUITE(library, 20);

#define PRINTS_CALLS 16

/* Every function on a success path and on a failure path, with stdout and stderr (the
 * descriptors, so printf, fprintf, perror and write(2) alike) sent to a memfd that counts. */
Test(library, prints_nothing)
{
    unsigned char *data = mm_random_bytes(3 * mm_page_size() + 9, 90);
    int fd = open_tmp(data, 3 * mm_page_size() + 9, O_RDWR, NULL);
    int ro = open_tmp("read-only\n", 10, O_RDONLY, NULL);
    int empty = open_tmp(NULL, 0, O_RDONLY, NULL);
    int dst = open_tmp(NULL, 0, O_RDWR, NULL);
    int pipe_fd = pipe_read_end(NULL);
    struct {
        struct mm_call call[PRINTS_CALLS];
        bool must_succeed[PRINTS_CALLS];
        struct mm_quiet quiet;
    } o;

    MM_SUBJECT(o) {
        struct mf_view v;
        int n = 0;
        mm_quiet_begin(&o.quiet);
        if (!o.quiet.setup_err) {
#define CALL(ok, expr) (o.must_succeed[n] = (ok), o.call[n++] = MM_CALL_AS(#expr, expr))
            CALL(true, mf_map(fd, 1, 10, PROT_READ, MAP_PRIVATE, &v));
            if (o.call[n - 1].ret != -1)
                CALL(true, mf_unmap(&v));
            CALL(false, mf_map(-1, 0, mm_page_size(), PROT_READ, MAP_PRIVATE, &v));
            CALL(false, mf_map(fd, 0, 0, PROT_READ, MAP_PRIVATE, &v));
            CALL(true, mf_map_file(fd, PROT_READ, MAP_SHARED, &v));
            if (o.call[n - 1].ret != -1)
                CALL(true, mf_unmap(&v));
            CALL(true, mf_map_file(empty, PROT_READ, MAP_SHARED, &v));
            CALL(false, mf_map_file(pipe_fd, PROT_READ, MAP_SHARED, &v));
            CALL(false, mf_unmap(NULL));
            CALL(true, mf_count_lines(fd));
            CALL(false, mf_count_lines(-1));
            CALL(true, mf_copy(fd, dst));
            CALL(false, mf_copy(fd, ro));
            CALL(true, mf_reverse(fd));
            CALL(false, mf_reverse(ro));
            CALL(false, mf_reverse(pipe_fd));
#undef CALL
        }
        mm_quiet_end(&o.quiet);
    }
    for (int i = 0; i < PRINTS_CALLS; i++)
        if (o.must_succeed[i])
            MM_CHECK_OK(o.call[i], HINT(S_LEAKS, "this test watches what the functions print "
                                        "while they work: make this call succeed first"));
    mm_check_quiet(&o.quiet, HINT(S_LEAKS, "library code reports through its return value "
                   "and errno only: remove debugging printf, fprintf and perror calls"),
                   "your functions (calls on success and failure paths)");
    free(data);
    close(fd);
    close(ro);
    close(empty);
    close(dst);
    close(pipe_fd);
}
