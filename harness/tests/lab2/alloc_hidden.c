/* alloc_hidden.c - private tests of the allocators: sharing in both directions for every
 * size of the sweep, no descriptor or mapping left behind, NULL (never MAP_FAILED) errors.
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "../../../labs/lab2-related/tests/lab2_util.h"

/* The suites (init, fini, timeout) are declared once, in the public test files. */

#include <fcntl.h>


typedef void *(*alloc_fn)(size_t);

/* After fork the parent writes p[0, len) = v; the child checks it sees that. Returns the
 * child's status: exit 0 it saw every byte, 1 it saw none of them, 2 only some. */
static int parent_writes_child_looks(unsigned char *p, size_t len, unsigned char v)
{
    atomic_int *go = test_shared(sizeof *go);
    pid_t pid = mm_fork();

    if (pid == 0) {
        if (!wait_at_least(go, 1, 5000))
            _exit(3);
        size_t seen = 0;
        for (size_t i = 0; i < len; i++)
            seen += p[i] == v;
        _exit(seen == len ? 0 : seen == 0 ? 1 : 2);
    }
    memset(p, v, len);
    atomic_store(go, 1);
    int status = pid == -1 ? -1 : mm_wait(pid, 10000);
    munmap(go, sizeof *go);
    return status;
}

/* len bytes from alloc, written by the parent after fork: the child must see all of them
 * (shared) or none (private). alloc_hint says how alloc should map the memory. */
static void check_parent_write_after_fork(alloc_fn alloc, const char *name, size_t len,
                                          unsigned char v, int shared, const char *alloc_hint)
{
    unsigned char *p = alloc(len);

    MM_EXPECT_PTR(p, alloc_hint);
    int status = parent_writes_child_looks(p, len, v);
    MM_ASSERT(exited_with(status, shared ? 0 : 1), "the parent wrote %s memory after fork; "
              "the child %s, expected %s (0: saw it, 1: saw none of it, 2: part of it).\n  "
              "Hint: %s", name, status_text(status), shared ? "0" : "1",
              shared ? HINT(S_ALLOC, "MAP_SHARED works in both directions")
                     : HINT(S_ALLOC, "MAP_PRIVATE: after fork each process has its own copy"));
    MM_EXPECT_OK(shared_free(p, len), HINT(S_ALLOC, "munmap(addr, len)"));
}

/* For each size of the sweep: fresh memory is zeroed, and a child's writes to its first
 * and last byte are (shared) or are not (private) seen by the parent. */
static void sweep(alloc_fn alloc, const char *name, int shared)
{
    const size_t sizes[] = { 1, pg() - 1, pg(), pg() + 1, (4 << 20) + 1 };

    for (int i = 0; i < 5; i++) {
        size_t len = sizes[i];
        unsigned char *p = alloc(len);
        MM_EXPECT_PTR(p, HINT(S_ALLOC, "mmap any length >= 1; mmap rounds it up to pages"));
        size_t nonzero = 0;
        for (size_t k = 0; k < len; k++)
            nonzero += p[k] != 0;
        MM_ASSERT(nonzero == 0, "%s(%zu) returned memory with %zu non-zero bytes.\n  Hint: "
                  HINT(S_ALLOC, "anonymous mappings are zero-filled: do not reuse memory"),
                  name, len, nonzero);
        pid_t pid = mm_fork();
        if (pid == 0) {
            p[len - 1] = 0x24, p[0] = 0x42;    /* the same byte when len == 1 */
            _exit(0);
        }
        int status = mm_wait(pid, 10000);
        MM_ASSERT(exited_with(status, 0), "the writing child %s", status_text(status));
        int writes = len > 1 ? 2 : 1;
        int seen = (p[0] == 0x42) + (len > 1 && p[len - 1] == 0x24);
        MM_ASSERT(seen == (shared ? writes : 0), "%s(%zu): a child wrote the first and last "
                  "byte; the parent sees %d of the %d writes, expected %d.\n  Hint: %s", name,
                  len, seen, writes, shared ? writes : 0,
                  shared ? HINT(S_ALLOC, "MAP_SHARED, made before fork")
                         : HINT(S_ALLOC, "MAP_PRIVATE: copy-on-write after fork"));
        MM_EXPECT_OK(shared_free(p, len), HINT(S_ALLOC, "munmap(addr, len)"));
    }
}

Test(shared_anon, parent_write_after_fork_visible_to_child)
{
    check_parent_write_after_fork(shared_anon, "shared_anon", 2 * pg() + 9, 0x3c, 1,
                                  HINT(S_ALLOC, "MAP_SHARED | MAP_ANONYMOUS"));
    MM_END();
}

Test(shared_anon, every_size_is_zeroed_and_shared)
{
    sweep(shared_anon, "shared_anon", 1);
    MM_END();
}

Test(shared_devzero, parent_write_after_fork_visible_to_child)
{
    check_parent_write_after_fork(shared_devzero, "shared_devzero", pg() + 1, 0xc3, 1,
                                  HINT(S_ALLOC, "open /dev/zero O_RDWR and map it MAP_SHARED"));
    MM_END();
}

Test(shared_devzero, every_size_is_zeroed_and_shared)
{
    sweep(shared_devzero, "shared_devzero", 1);
    MM_END();
}

Test(shared_devzero, failure_leaks_no_descriptor)
{
    int before = mm_count_fds();

    MM_EXPECT_NULL_ERRNO(shared_devzero(SIZE_MAX / 2), ENOMEM,
                         HINT(S_ALLOC, "pass mmap's ENOMEM through and return NULL"));
    int after = mm_count_fds();
    MM_ASSERT(after == before, "a failed shared_devzero left %d descriptor(s) open.\n  Hint: "
              HINT(S_ALLOC, "close /dev/zero on the error path too, saving errno first"),
              after - before);
    MM_END();
}

Test(private_anon, parent_write_after_fork_invisible_to_child)
{
    check_parent_write_after_fork(private_anon, "private_anon", 2 * pg(), 0x99, 0,
                                  HINT(S_ALLOC, "MAP_PRIVATE | MAP_ANONYMOUS"));
    MM_END();
}

Test(private_anon, every_size_is_zeroed_and_private)
{
    sweep(private_anon, "private_anon", 0);
    MM_END();
}

Test(private_anon, impossible_size_gives_ENOMEM_not_MAP_FAILED)
{
    MM_EXPECT_NULL_ERRNO(private_anon(SIZE_MAX / 2), ENOMEM,
                         HINT(S_ALLOC, "return NULL with mmap's ENOMEM, never MAP_FAILED"));
    MM_END();
}

/* Pages of [p, p + len) still mapped (mincore fails with ENOMEM on unmapped pages). */
static int pages_still_mapped(void *p, size_t len)
{
    unsigned char vec;
    int n = 0;
    for (size_t off = 0; off < len; off += pg())
        n += mincore((char *)p + off, pg(), &vec) == 0;
    return n;
}

Test(shared_free, releases_the_whole_mapping)
{
    const alloc_fn allocs[] = { shared_anon, shared_devzero, private_anon };
    const char *names[] = { "shared_anon", "shared_devzero", "private_anon" };
    size_t len = 3 * pg() + 100;

    mm_count_maps();                    /* warm up: the probe's own stdio buffers */
    for (int i = 0; i < 3; i++) {
        int before = mm_count_maps();
        void *p = allocs[i](len);
        if (p == NULL)
            MM_EXPECT_PTR(p, HINT(S_ALLOC, "mmap the memory"));
        int ret = shared_free(p, len), err = errno;
        int left = pages_still_mapped(p, len), after = mm_count_maps();
        MM_ASSERT(ret == 0, "shared_free(%s(%zu), %zu) failed with %s", names[i], len, len,
                  mm_errno_name(err));
        MM_ASSERT(left == 0 && after == before, "after shared_free(%s(%zu), %zu), %d of its "
                  "4 pages are still mapped (%d mappings before, %d after).\n  Hint: "
                  HINT(S_ALLOC, "munmap the whole length the caller gives, rounded up to "
                       "pages"), names[i], len, len, left, before, after);
    }
    MM_END();
}

Test(shared_free, len_zero_gives_EINVAL)
{
    void *p = shared_anon(pg());

    MM_EXPECT_PTR(p, HINT(S_ALLOC, "mmap the memory"));
    MM_EXPECT_ERRNO(shared_free(p, 0), EINVAL, HINT(S_ERRNO, "munmap of length 0 is EINVAL: "
                                                    "pass it through"));
    MM_EXPECT_OK(shared_free(p, pg()), HINT(S_ALLOC, "munmap(addr, len)"));
    MM_END();
}
