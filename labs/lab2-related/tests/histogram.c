/* histogram.c - public tests of parallel_histogram: the result equals a serial count for
 * every split of the input, hist is overwritten, and no child is left behind.
 * Run: make test (or ./build/run --filter 'parallel_histogram/[a-z]*'). */
#include "lab2_util.h"

MM_SUITE(parallel_histogram, 30);

#define H_SLICES HINT(S_HIST, "worker i of n counts [i*len/n, (i+1)*len/n): the last slice " \
                      "must end at len, remainder included")
#define H_SHARED_TABLE HINT(S_HIST, "the workers' counts must be in memory mapped MAP_SHARED " \
                            "before fork, and the parent must wait for every worker")

/* Runs parallel_histogram(data, len, n) and compares it with a serial count. Returns -1 if
 * it equals, else the first byte value that differs (-2: the call failed, errno kept). */
static int check_split(const unsigned char *data, size_t len, int n,
                       unsigned long long got[256], unsigned long long want[256])
{
    serial_histogram(data, len, want);
    memset(got, 0xff, 256 * sizeof got[0]);
    if (parallel_histogram(data, len, n, got) == -1)
        return -2;
    return hist_diff(got, want);
}

/* The body of the three split tests: every (len, nworkers) pair must match. */
static void expect_splits(const size_t *lens, int nlens, const int *ns, int nns, const char *hint)
{
    unsigned long long got[256], want[256];

    for (int i = 0; i < nlens; i++) {
        unsigned char *data = random_bytes(lens[i], (unsigned)i + 1);
        for (int k = 0; k < nns; k++) {
            errno = 0;
            int v = check_split(data, lens[i], ns[k], got, want);
            MM_ASSERT(v != -2, "parallel_histogram(data, %zu, %d, hist) failed with %s, "
                      "expected success.\n  Hint: %s", lens[i], ns[k], mm_errno_name(errno), hint);
            MM_ASSERT(v == -1, "parallel_histogram(data, %zu, %d, hist): hist[%d] = %llu, "
                      "a serial count gives %llu.\n  Hint: %s", lens[i], ns[k], v,
                      v >= 0 ? got[v] : 0, v >= 0 ? want[v] : 0, hint);
            MM_ASSERT(mm_count_children() == 0, "parallel_histogram(data, %zu, %d, hist) "
                      "returned with %d child process(es) still there.\n  Hint: "
                      HINT(S_PROC, "waitpid every worker before returning"),
                      lens[i], ns[k], mm_count_children());
        }
        free(data);
    }
}

Test(parallel_histogram, len_multiple_of_nworkers_matches_serial)
{
    const size_t lens[] = { 4, 12, pg(), 4 * pg(), 3 << 20 };
    const int ns[] = { 1, 2, 4 };

    expect_splits(lens, 5, ns, 3, H_SHARED_TABLE);
    MM_END();
}

Test(parallel_histogram, len_not_multiple_of_nworkers_matches_serial)
{
    const size_t lens[] = { 7, pg() - 1, pg() + 1, (3 << 20) + 5 };
    const int ns[] = { 2, 3, 4, 6 };

    expect_splits(lens, 4, ns, 4, H_SLICES);
    MM_END();
}

Test(parallel_histogram, len_smaller_than_nworkers_matches_serial)
{
    const size_t lens[] = { 1, 2, 3 };
    const int ns[] = { 4, 8 };

    expect_splits(lens, 3, ns, 2, HINT(S_HIST, "with len < nworkers some workers have an "
                                       "empty slice: use at most len workers, and no slice "
                                       "may run past data + len"));
    MM_END();
}

Test(parallel_histogram, empty_input_with_null_data_gives_zeros)
{
    unsigned long long hist[256];

    memset(hist, 0xff, sizeof hist);
    MM_EXPECT_OK(parallel_histogram(NULL, 0, 4, hist),
                 HINT(S_HIST, "data == NULL with len == 0 is valid: an empty input"));
    int nonzero = -1;
    for (int v = 0; v < 256 && nonzero == -1; v++)
        if (hist[v] != 0)
            nonzero = v;
    MM_ASSERT(nonzero == -1, "parallel_histogram(NULL, 0, 4, hist) left hist[%d] = %llu, "
              "expected all 256 entries 0.\n  Hint: " HINT(S_HIST, "write every entry of hist, "
              "even for an empty input"), nonzero, nonzero >= 0 ? hist[nonzero] : 0);
    MM_END();
}

Test(parallel_histogram, overwrites_hist_not_adds)
{
    unsigned long long got[256], want[256];
    const unsigned char data[] = "aabbbc";

    int v = check_split(data, 6, 2, got, want);
    MM_ASSERT(v != -2, "parallel_histogram(\"aabbbc\", 6, 2, hist) failed with %s",
              mm_errno_name(errno));
    memset(got, 0, sizeof got);
    got['a'] = 1000, got[0] = 7;
    MM_EXPECT_OK(parallel_histogram(data, 6, 2, got), H_SHARED_TABLE);
    v = hist_diff(got, want);
    MM_ASSERT(v == -1, "hist held junk before the call; afterwards hist[%d] = %llu, expected "
              "%llu.\n  Hint: " HINT(S_HIST, "overwrite all 256 entries of hist, do not add to "
              "what the caller left in it"), v, v >= 0 ? got[v] : 0,
              v >= 0 ? want[v] : 0);
    MM_END();
}

Test(parallel_histogram, bad_arguments_give_EINVAL)
{
    unsigned long long hist[256];
    const char data[] = "some bytes";

    MM_EXPECT_ERRNO(parallel_histogram(data, 10, 0, hist), EINVAL,
                    HINT(S_ERRNO, "nworkers must be 1..64"));
    MM_EXPECT_ERRNO(parallel_histogram(data, 10, -3, hist), EINVAL,
                    HINT(S_ERRNO, "nworkers must be 1..64"));
    MM_EXPECT_ERRNO(parallel_histogram(data, 10, 65, hist), EINVAL,
                    HINT(S_ERRNO, "nworkers must be 1..64"));
    MM_EXPECT_ERRNO(parallel_histogram(data, 10, 2, NULL), EINVAL,
                    HINT(S_ERRNO, "hist == NULL is EINVAL"));
    MM_EXPECT_ERRNO(parallel_histogram(NULL, 10, 2, hist), EINVAL,
                    HINT(S_ERRNO, "data == NULL is valid only with len == 0"));
    MM_ASSERT(mm_count_children() == 0, "an invalid call left %d child process(es).\n  Hint: "
              HINT(S_ERRNO, "check the arguments before forking"), mm_count_children());
    MM_END();
}

Test(parallel_histogram, leaves_no_children_or_zombies)
{
    unsigned long long hist[256];
    size_t len = 1 << 20;
    unsigned char *data = random_bytes(len, 7);

    MM_EXPECT_OK(parallel_histogram(data, len, 4, hist), H_SHARED_TABLE);
    int zombies = mm_count_zombies(), children = mm_count_children();
    MM_ASSERT(children == 0, "after parallel_histogram(data, %zu, 4, hist) returned, the test "
              "process still has %d child process(es), %d of them zombies.\n  Hint: "
              HINT(S_PROC, "waitpid each worker you forked; a worker that exited but was not "
                   "waited for stays a zombie"), len, children, zombies);
    free(data);
    MM_END();
}

Test(parallel_histogram, workers_exit_instead_of_returning)
{
    unsigned long long hist[256];
    size_t len = 4096 + 3;
    unsigned char *data = random_bytes(len, 3);

    int ret = parallel_histogram(data, len, 3, hist), err = errno;
    /* A worker that returned runs this test's code: it is stopped at its first MM_ check.
     * Let any such process (and whatever it forked) finish before counting. */
    for (int waited = 0; mm_count_children() > 0 && waited < 2000; waited += 5)
        sleep_ms(5);
    MM_ASSERT_NO_STRAY();
    MM_ASSERT(ret == 0, "parallel_histogram(data, %zu, 3, hist) failed with %s",
              len, mm_errno_name(err));
    free(data);
    MM_END();
}
