/* histogram.c - public tests of parallel_histogram: the result equals a serial count for
 * every split of the input, hist is overwritten, no child is left behind, and the workers,
 * not the caller, read the input. Each scenario runs in one subject (mmtest.h).
 * Run: make test (or ./build/run --filter 'parallel_histogram/[a-z]*'). */
#include "lab2_util.h"

#include <fcntl.h>

#define H_SLICES HINT(S_HIST, "worker i of n counts [i*len/n, (i+1)*len/n): the last slice " \
                      "must end at len, remainder included")
#define H_SHARED_TABLE HINT(S_HIST, "the workers' counts must be in memory mapped MAP_SHARED " \
                            "before fork, and the parent must wait for every worker")

#define H_REAP HINT(S_PROC, "waitpid every worker before returning")

/* Up to this many (len, nworkers) pairs per subject. */
#define MAX_SPLITS 16
struct splits_seen { struct hist_seen h[MAX_SPLITS]; };

/* The body of the three split tests: every (len, nworkers) pair must match a serial count
 * and leave no child behind. All calls run in one subject, on the judge's own inputs. */
static void expect_splits(const size_t *lens, int nlens, const int *ns, int nns,
                          struct mm_hint hint)
{
    unsigned char *data[8];
    static struct splits_seen o;

    for (int i = 0; i < nlens; i++)
        data[i] = mm_random_bytes(lens[i], (unsigned)i + 1);
    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        for (int i = 0; i < nlens; i++)
            for (int k = 0; k < nns; k++)
                hist_observe(&o.h[i * nns + k], data[i], lens[i], ns[k]);
    }
    for (int i = 0; i < nlens; i++) {
        for (int k = 0; k < nns; k++) {
            const struct hist_seen *h = &o.h[i * nns + k];
            hist_check(h, data[i], lens[i], ns[k], hint);
            MM_CHECK(h->children == 0, H_REAP, "parallel_histogram(data, %zu, %d, hist) "
                     "returned with %d child process(es) still there.", lens[i], ns[k],
                     h->children);
        }
        free(data[i]);
    }
}

Test(parallel_histogram, len_multiple_of_nworkers_matches_serial)
{
    const size_t lens[] = { 4, 12, mm_page_size(), 4 * mm_page_size(), 3 << 20 };
    const int ns[] = { 1, 2, 4 };

    expect_splits(lens, 5, ns, 3, H_SHARED_TABLE);
}

Test(parallel_histogram, len_not_multiple_of_nworkers_matches_serial)
{
    const size_t lens[] = { 7, mm_page_size() - 1, mm_page_size() + 1, (3 << 20) + 5 };
    const int ns[] = { 2, 3, 4, 6 };

    expect_splits(lens, 4, ns, 4, H_SLICES);
}

Test(parallel_histogram, len_smaller_than_nworkers_matches_serial)
{
    const size_t lens[] = { 1, 2, 3 };
    const int ns[] = { 4, 8 };

    expect_splits(lens, 3, ns, 2, HINT(S_HIST, "with len < nworkers some workers have an "
                                       "empty slice: use at most len workers, and no slice "
                                       "may run past data + len"));
}

Test(parallel_histogram, empty_input_with_null_data_gives_zeros)
{
    struct hist_seen o;

    MM_SUBJECT(o)
        hist_observe(&o, NULL, 0, 4);
    MM_CHECK_OK(o.call, HINT(S_HIST, "data == NULL with len == 0 is valid: an empty input"));
    MM_CHECK(o.call.ret == 0, HINT(S_HIST, "return 0 on success, also for an empty input"),
             "parallel_histogram(NULL, 0, 4, hist) returned %lld, expected 0.", o.call.ret);
    hist_check_bounds(&o, 0, 4);
    int nonzero = -1;
    for (int v = 0; v < 256 && nonzero == -1; v++)
        if (o.got[v] != 0)
            nonzero = v;
    MM_CHECK(nonzero == -1, HINT(S_HIST, "write every entry of hist, even for an empty input"),
             "parallel_histogram(NULL, 0, 4, hist) left hist[%d] = %llu, expected all 256 "
             "entries 0.", nonzero, nonzero >= 0 ? o.got[nonzero] : 0);
}

Test(parallel_histogram, overwrites_hist_not_adds)
{
    const unsigned char data[] = "aabbbc";
    unsigned long long want[256];
    struct { struct hist_seen first; struct mm_call second; unsigned long long got[256]; } o;

    MM_SUBJECT(o) {
        hist_observe(&o.first, data, 6, 2);
        memset(o.got, 0, sizeof o.got);
        o.got['a'] = 1000, o.got[0] = 7;
        o.second = MM_CALL(parallel_histogram(data, 6, 2, o.got));
    }
    hist_check(&o.first, data, 6, 2, H_SHARED_TABLE);
    MM_CHECK_OK(o.second, H_SHARED_TABLE);
    serial_histogram(data, 6, want);
    int v = hist_diff(o.got, want);
    MM_CHECK(v == -1, HINT(S_HIST, "overwrite all 256 entries of hist, do not add to what the "
             "caller left in it"), "hist held junk before the call; afterwards hist[%d] = "
             "%llu, expected %llu.", v, v >= 0 ? o.got[v] : 0, v >= 0 ? want[v] : 0);
}

Test(parallel_histogram, bad_arguments_give_EINVAL)
{
    unsigned long long hist[256];
    const char data[] = "some bytes";
    struct { struct mm_call zero, negative, too_many, null_hist, null_data, null_one;
             int children; } o;

    MM_SUBJECT(o) {
        o.zero = MM_CALL(parallel_histogram(data, 10, 0, hist));
        o.negative = MM_CALL(parallel_histogram(data, 10, -3, hist));
        o.too_many = MM_CALL(parallel_histogram(data, 10, 65, hist));
        o.null_hist = MM_CALL(parallel_histogram(data, 10, 2, NULL));
        o.null_data = MM_CALL(parallel_histogram(NULL, 10, 2, hist));
        o.null_one = MM_CALL(parallel_histogram(NULL, 1, 1, hist));
        o.children = mm_count_children();
    }
    MM_CHECK_ERRNO(o.zero, EINVAL, HINT(S_ERRNO, "nworkers must be 1..64"));
    MM_CHECK_ERRNO(o.negative, EINVAL, HINT(S_ERRNO, "nworkers must be 1..64"));
    MM_CHECK_ERRNO(o.too_many, EINVAL, HINT(S_ERRNO, "nworkers must be 1..64"));
    MM_CHECK_ERRNO(o.null_hist, EINVAL, HINT(S_ERRNO, "hist == NULL is EINVAL"));
    MM_CHECK_ERRNO(o.null_data, EINVAL, HINT(S_ERRNO, "data == NULL is valid only with "
                                             "len == 0"));
    MM_CHECK_ERRNO(o.null_one, EINVAL, HINT(S_ERRNO, "data == NULL is valid only with "
                                            "len == 0: any len > 0, 1 included, is EINVAL"));
    MM_CHECK(o.children == 0, HINT(S_ERRNO, "check the arguments before forking"),
             "an invalid call left %d child process(es).", o.children);
}

Test(parallel_histogram, leaves_no_children_or_zombies)
{
    size_t len = 1 << 20;
    unsigned char *data = mm_random_bytes(len, 7);
    struct hist_seen o;

    MM_SUBJECT(o)
        hist_observe(&o, data, len, 4);
    MM_CHECK_OK(o.call, H_SHARED_TABLE);
    MM_CHECK(o.children == 0, HINT(S_PROC, "waitpid each worker you forked; a worker that "
             "exited but was not waited for stays a zombie"), "after parallel_histogram(data, "
             "%zu, 4, hist) returned, the calling process still has %d child process(es), %d "
             "of them zombies.", len, o.children, o.zombies);
    free(data);
}

Test(parallel_histogram, workers_exit_instead_of_returning)
{
    size_t len = 4096 + 3;
    unsigned char *data = mm_random_bytes(len, 3);
    struct hist_seen o;

    /* A worker that returned runs the rest of this block as a second copy of the caller;
     * the subject counts it at the block's end (mm_outcome()->strays). */
    MM_SUBJECT_WITH(o, .may_die = true) {
        hist_observe(&o, data, len, 3);
        /* Let any such process (and whatever it forked) finish before the block ends. */
        for (long end = mm_now_ms() + 2000; mm_count_children() > 0 && mm_now_ms() < end; )
            mm_sleep_ms(5);
    }
    const struct mm_outcome *out = mm_outcome();
    MM_CHECK(out->strays == 0, HINT(S_PROC, "every worker must end with _exit(), never return "
             "from parallel_histogram"), "%d child process(es) of parallel_histogram returned "
             "into the test instead of calling _exit().", out->strays);
    MM_CHECK(out->how == MM_RETURNED && !out->leaked, MM_NO_HINT, "%s", mm_outcome_text());
    MM_CHECK_OK(o.call, H_SHARED_TABLE);
    free(data);
}

/* A fresh MAP_PRIVATE | PROT_READ mapping of a file that nobody can open again (unlinked,
 * descriptor closed): the caller's own page table maps none of its pages until the caller
 * touches them, while a worker's touches fill only the worker's page table. So the caller's
 * resident size of the input, after the call, says whether it read the input itself. Page
 * counts, not times: the same on an idle and on a loaded machine. */
Test(parallel_histogram, workers_count_not_the_caller)
{
    const size_t len = 8 << 20;
    unsigned char *data = mm_random_bytes(len, 8);
    const char *path = mm_tmpfile(data, len);
    int fd = open(path, O_RDONLY);
    struct { int map_err; long rss_before_kb, rss_after_kb; struct hist_seen h; } o;

    MM_CHECK(fd != -1 && unlink(path) == 0, MM_NO_HINT, "test setup: open/unlink %s: %s",
             path, strerror(errno));
    /* As an ordinary user: /proc/self/map_files, a way back to the file, needs privileges. */
    MM_SUBJECT_WITH(o, .timeout_ms = 20000, .as_user = true) {
        void *in = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        o.map_err = in == MAP_FAILED ? errno : 0;
        close(fd);
        if (in != MAP_FAILED) {
            o.rss_before_kb = mapping_rss_kb(in);
            hist_observe(&o.h, in, len, 4);
            o.rss_after_kb = mapping_rss_kb(in);
            munmap(in, len);
        }
    }
    close(fd);
    MM_CHECK(o.map_err == 0 && o.rss_before_kb == 0, MM_NO_HINT, "test setup: the input "
             "mapping failed (%s) or was resident already (%ld kB)", mm_errno_name(o.map_err),
             o.rss_before_kb);
    hist_check(&o.h, data, len, 4, H_SHARED_TABLE);
    MM_CHECK(o.rss_after_kb != -1, HINT(S_HIST, "the input belongs to the caller: never "
             "unmap or remap it"), "after parallel_histogram(data, %zu, 4, hist) the input "
             "mapping was gone.", len);
    MM_CHECK(o.rss_after_kb * 1024 <= (long)len / 8, HINT(S_HIST, "the workers must read and "
             "count the bytes, each its own slice (they inherit data through fork: nothing "
             "needs copying); the caller only forks, waits and adds up the workers' rows"), "parallel_histogram(data, %zu, 4, hist) on a fresh file "
             "mapping: the calling process itself has %ld kB of the %zu kB input in its page "
             "table (at most %zu kB allowed; pages only the workers read do not count): the "
             "caller read or copied the data instead of leaving it to the worker processes.",
             len, o.rss_after_kb, len / 1024, len / 8 / 1024);
    free(data);
}
