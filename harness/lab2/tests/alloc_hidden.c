/* alloc_hidden.c - private tests of the allocators: sharing in both directions for every
 * size of the sweep, no descriptor or mapping left behind, NULL (never MAP_FAILED) errors.
 * Each scenario runs in one subject (mmtest.h).
 * Built into the grader's Lab 2 test binary with the public tests. */
#include "lab2_util.h"

/* The suites (init, fini, timeout) are declared once, in the public test files. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>


typedef void *(*alloc_fn)(size_t);

#define H_FREE HINT(S_ALLOC, "munmap(addr, len)")

/* The allocation a subject made, as a pointer (NULL if it failed). */
#define PTR_OF(call) \
    ((call).ret != 0 && (call).ret != -1 ? (unsigned char *)(intptr_t)(call).ret : NULL)

/* In a subject: after fork the parent writes p[0, len) = v; a helper child checks it sees
 * that. Returns the child's status: exit 0 it saw every byte, 1 it saw none of them, 2 only
 * some, 3 the parent's signal never came. */
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
                                          unsigned char v, int shared, struct mm_hint alloc_hint)
{
    struct { struct mm_call alloc, free; int status; } o;
    char text[64];

    snprintf(text, sizeof text, "%s(%zu)", name, len);
    MM_SUBJECT(o) {
        o.alloc = MM_CALL_AS(text, alloc(len));
        unsigned char *p = PTR_OF(o.alloc);
        if (p) {
            o.status = parent_writes_child_looks(p, len, v);
            o.free = MM_CALL(shared_free(p, len));
        }
    }
    MM_CHECK_PTR(o.alloc, alloc_hint);
    MM_CHECK(exited_with(o.status, shared ? 0 : 1),
             shared ? HINT(S_ALLOC, "MAP_SHARED works in both directions")
                    : HINT(S_ALLOC, "MAP_PRIVATE: after fork each process has its own copy"),
             "the parent wrote %s memory after fork; the child %s, expected %s (0: saw it, 1: "
             "saw none of it, 2: part of it).", name, status_text(o.status), shared ? "0" : "1");
    MM_CHECK_OK(o.free, H_FREE);
}

/* The permissions of the mapping that starts at p, as /proc/self/maps shows them ("rw-s"),
 * into perms[5]; "none" if no mapping starts there. */
static void map_perms(const void *p, char perms[5])
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[512];
    unsigned long start;

    strcpy(perms, "none");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%*x %4s", &start, perms) == 2 && start == (uintptr_t)p)
            break;
        else
            strcpy(perms, "none");
    if (f)
        fclose(f);
}

/* For each size of the sweep: fresh memory is zeroed, readable and writable (PROT_WRITE
 * alone would also let the test write, and read on x86, but /proc shows "-w"), and a
 * child's writes to its first and last byte are (shared) or are not (private) seen by the
 * parent. */
static void sweep(alloc_fn alloc, const char *name, int shared)
{
    enum { NSIZES = 5 };
    const size_t sizes[NSIZES] = { 1, mm_page_size() - 1, mm_page_size(), mm_page_size() + 1, (4 << 20) + 1 };
    struct {
        struct mm_call alloc[NSIZES], free[NSIZES];
        size_t nonzero[NSIZES];
        int status[NSIZES], first[NSIZES], last[NSIZES];    /* the parent's bytes after */
        char perms[NSIZES][5];
    } o;

    MM_SUBJECT(o) {
        for (int i = 0; i < NSIZES; i++) {
            size_t len = sizes[i];
            char text[64];
            snprintf(text, sizeof text, "%s(%zu)", name, len);
            o.alloc[i] = MM_CALL_AS(text, alloc(len));
            unsigned char *p = PTR_OF(o.alloc[i]);
            if (p == NULL)
                break;
            map_perms(p, o.perms[i]);
            for (size_t k = 0; k < len; k++)
                o.nonzero[i] += p[k] != 0;
            pid_t pid = mm_fork();
            if (pid == 0) {
                p[len - 1] = 0x24, p[0] = 0x42;    /* the same byte when len == 1 */
                _exit(0);
            }
            o.status[i] = pid == -1 ? -1 : mm_wait(pid, 10000);
            o.first[i] = p[0], o.last[i] = p[len - 1];
            o.free[i] = MM_CALL(shared_free(p, len));
        }
    }
    for (int i = 0; i < NSIZES; i++) {
        size_t len = sizes[i];
        MM_CHECK_PTR(o.alloc[i], HINT(S_ALLOC, "mmap any length >= 1; mmap rounds it up to "
                                      "pages"));
        MM_CHECK(o.nonzero[i] == 0, HINT(S_ALLOC, "anonymous mappings are zero-filled: do not "
                 "reuse memory"), "%s(%zu) returned memory with %zu non-zero bytes.", name,
                 len, o.nonzero[i]);
        const char *want = shared ? "rw-s" : "rw-p";
        o.perms[i][4] = '\0';           /* the judge trusts no string it did not end */
        MM_CHECK(strcmp(o.perms[i], want) == 0, HINT(S_ALLOC, "map with PROT_READ | "
                 "PROT_WRITE and the right sharing flag"), "%s(%zu): /proc/self/maps shows the "
                 "mapping as \"%s\", expected \"%s\" (readable, writable, %s).", name, len,
                 o.perms[i], want, shared ? "shared" : "private");
        MM_CHECK(exited_with(o.status[i], 0), MM_NO_HINT, "the writing child %s",
                 status_text(o.status[i]));
        int writes = len > 1 ? 2 : 1;
        int seen = (o.first[i] == 0x42) + (len > 1 && o.last[i] == 0x24);
        MM_CHECK(seen == (shared ? writes : 0),
                 shared ? HINT(S_ALLOC, "MAP_SHARED, made before fork")
                        : HINT(S_ALLOC, "MAP_PRIVATE: copy-on-write after fork"),
                 "%s(%zu): a child wrote the first and last byte; the parent sees %d of the %d "
                 "writes, expected %d.", name, len, seen, writes, shared ? writes : 0);
        MM_CHECK_OK(o.free[i], H_FREE);
    }
}

Test(shared_anon, parent_write_after_fork_visible_to_child)
{
    check_parent_write_after_fork(shared_anon, "shared_anon", 2 * mm_page_size() + 9, 0x3c, 1,
                                  HINT(S_ALLOC, "MAP_SHARED | MAP_ANONYMOUS"));
}

Test(shared_anon, every_size_is_zeroed_and_shared)
{
    sweep(shared_anon, "shared_anon", 1);
}

Test(shared_devzero, parent_write_after_fork_visible_to_child)
{
    check_parent_write_after_fork(shared_devzero, "shared_devzero", mm_page_size() + 1, 0xc3, 1,
                                  HINT(S_ALLOC, "open /dev/zero O_RDWR and map it MAP_SHARED"));
}

Test(shared_devzero, every_size_is_zeroed_and_shared)
{
    sweep(shared_devzero, "shared_devzero", 1);
}

Test(shared_devzero, failure_leaks_no_descriptor)
{
    struct { struct mm_call alloc; int before, after; } o;

    MM_SUBJECT(o) {
        o.before = mm_count_fds();
        o.alloc = MM_CALL(shared_devzero(SIZE_MAX / 2));
        o.after = mm_count_fds();
    }
    MM_CHECK_NULL_ERRNO(o.alloc, ENOMEM, HINT(S_ALLOC, "pass mmap's ENOMEM through and return "
                                              "NULL"));
    MM_CHECK(o.after == o.before, HINT(S_ALLOC, "close /dev/zero on the error path too, "
             "saving errno first"), "a failed shared_devzero left %d descriptor(s) open.",
             o.after - o.before);
}

Test(shared_devzero, open_failure_gives_its_errno)
{
    struct { struct mm_call alloc; int setup_err; } o;

    /* With no descriptor left (RLIMIT_NOFILE 0), open fails with EMFILE: shared_devzero must
     * stop there, not map something else. */
    MM_SUBJECT(o) {
        struct rlimit old, none = { 0, 0 };
        if (getrlimit(RLIMIT_NOFILE, &old) == -1) {
            o.setup_err = errno;
        } else {
            none.rlim_max = old.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &none) == -1)
                o.setup_err = errno;
            else
                o.alloc = MM_CALL(shared_devzero(mm_page_size()));
            setrlimit(RLIMIT_NOFILE, &old);
            void *p = PTR_OF(o.alloc);
            if (p)
                shared_free(p, mm_page_size());
        }
    }
    MM_CHECK(o.setup_err == 0, MM_NO_HINT, "test setup: setrlimit(RLIMIT_NOFILE) failed: %s",
             mm_errno_name(o.setup_err));
    MM_CHECK_NULL_ERRNO(o.alloc, EMFILE, HINT(S_ALLOC, "check open's result against -1 and "
                                              "return NULL with its errno"));
}

Test(private_anon, parent_write_after_fork_invisible_to_child)
{
    check_parent_write_after_fork(private_anon, "private_anon", 2 * mm_page_size(), 0x99, 0,
                                  HINT(S_ALLOC, "MAP_PRIVATE | MAP_ANONYMOUS"));
}

Test(private_anon, every_size_is_zeroed_and_private)
{
    sweep(private_anon, "private_anon", 0);
}

Test(private_anon, impossible_size_gives_ENOMEM_not_MAP_FAILED)
{
    MM_CALL_NULL_ERRNO(private_anon(SIZE_MAX / 2), ENOMEM,
                       HINT(S_ALLOC, "return NULL with mmap's ENOMEM, never MAP_FAILED"));
}

/* Pages of [p, p + len) still mapped (mincore fails with ENOMEM on unmapped pages). */
static int pages_still_mapped(void *p, size_t len)
{
    unsigned char vec;
    int n = 0;
    for (size_t off = 0; off < len; off += mm_page_size())
        n += mincore((char *)p + off, mm_page_size(), &vec) == 0;
    return n;
}

Test(shared_free, releases_the_whole_mapping)
{
    const alloc_fn allocs[] = { shared_anon, shared_devzero, private_anon };
    const char *names[] = { "shared_anon", "shared_devzero", "private_anon" };
    size_t len = 3 * mm_page_size() + 100;
    struct { struct mm_call alloc[3], free[3]; int before[3], left[3], after[3]; } o;

    MM_SUBJECT(o) {
        mm_count_maps();                /* warm up: the probe's own stdio buffers */
        for (int i = 0; i < 3; i++) {
            char text[64];
            snprintf(text, sizeof text, "%s(%zu)", names[i], len);
            o.before[i] = mm_count_maps();
            o.alloc[i] = MM_CALL_AS(text, allocs[i](len));
            void *p = PTR_OF(o.alloc[i]);
            if (p == NULL)
                break;
            o.free[i] = MM_CALL(shared_free(p, len));
            o.left[i] = pages_still_mapped(p, len);
            o.after[i] = mm_count_maps();
        }
    }
    for (int i = 0; i < 3; i++) {
        MM_CHECK_PTR(o.alloc[i], HINT(S_ALLOC, "mmap the memory"));
        MM_CHECK_OK(o.free[i], H_FREE);
        MM_CHECK(o.left[i] == 0 && o.after[i] == o.before[i], HINT(S_ALLOC, "munmap the whole "
                 "length the caller gives, rounded up to pages"), "after shared_free(%s(%zu), "
                 "%zu), %d of its 4 pages are still mapped (%d mappings before, %d after).",
                 names[i], len, len, o.left[i], o.before[i], o.after[i]);
    }
}

Test(shared_free, len_zero_gives_EINVAL)
{
    struct { struct mm_call alloc, zero, free; } o;

    MM_SUBJECT(o) {
        o.alloc = MM_CALL(shared_anon(mm_page_size()));
        void *p = PTR_OF(o.alloc);
        if (p) {
            o.zero = MM_CALL(shared_free(p, 0));
            o.free = MM_CALL(shared_free(p, mm_page_size()));
        }
    }
    MM_CHECK_PTR(o.alloc, HINT(S_ALLOC, "mmap the memory"));
    MM_CHECK_ERRNO(o.zero, EINVAL, HINT(S_ERRNO, "munmap of length 0 is EINVAL: pass it "
                                        "through"));
    MM_CHECK_OK(o.free, H_FREE);
}
