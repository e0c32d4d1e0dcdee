/* library.c - public tests of rules every function of mapfile.c follows: library code prints
 * nothing (it reports through its return value and errno; the tools print the messages).
 * Every call into mapfile.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'library/[a-z]*'). */
#include "lab1_util.h"

#include <stdio.h>

MM_SUITE(library, 20);

#define PRINTS_CALLS 16
#define PRINTS_SHOWN 80

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
        int setup_err;
        struct mm_call call[PRINTS_CALLS];
        bool must_succeed[PRINTS_CALLS];
        long long printed;
        char first[PRINTS_SHOWN + 1];
    } o;

    MM_SUBJECT(o) {
        int out = memfd_create("lab1-output", 0), saved_out = dup(1), saved_err = dup(2);
        struct mf_view v;
        int n = 0;
        if (out == -1 || saved_out == -1 || saved_err == -1 || dup2(out, 1) == -1 ||
            dup2(out, 2) == -1) {
            o.setup_err = errno;
        } else {
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
            fflush(stdout);
            fflush(stderr);
            o.printed = lseek(out, 0, SEEK_END);
            if (pread(out, o.first, PRINTS_SHOWN, 0) == -1)
                o.first[0] = '\0';
        }
        if (saved_out != -1 && dup2(saved_out, 1) != -1)
            close(saved_out);
        if (saved_err != -1 && dup2(saved_err, 2) != -1)
            close(saved_err);
        if (out != -1)
            close(out);
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: redirecting stdout and stderr failed: "
             "%s", mm_errno_name(o.setup_err));
    for (int i = 0; i < PRINTS_CALLS; i++)
        if (o.must_succeed[i])
            MM_CHECK_OK(o.call[i], HINT(S_LEAKS, "this test watches what the functions print "
                                        "while they work: make this call succeed first"));
    o.first[PRINTS_SHOWN] = '\0';     /* the judge trusts no string it did not end */
    for (char *c = o.first; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = *c == '\n' ? '|' : '?';
    MM_CHECK(o.printed == 0, HINT(S_LEAKS, "library code reports through its return value "
             "and errno only: remove debugging printf, fprintf and perror calls"),
             "your functions printed %lld bytes to stdout or stderr during %d calls (success "
             "and failure paths), starting \"%s\" ('|' is a newline).", o.printed,
             PRINTS_CALLS, o.first);
    free(data);
    close(fd);
    close(ro);
    close(empty);
    close(dst);
    close(pipe_fd);
}
