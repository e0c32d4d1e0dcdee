/* alloc.c - public tests of shared_anon, shared_devzero, private_anon and shared_free: what
 * a child writes is seen through a shared mapping and not through a private one.
 * Every call into shared.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test (or ./build/run --filter 'shared_anon/[a-z]*'). */
#include "lab2_util.h"

#include <fcntl.h>

#define H_SHARED HINT(S_ALLOC, "map with MAP_SHARED | MAP_ANONYMOUS before fork(), so parent " \
                      "and child use the same pages")
#define H_PRIVATE HINT(S_ALLOC, "MAP_PRIVATE | MAP_ANONYMOUS gives each process its own "  \
                       "copy after fork (copy-on-write)")
#define H_NULL HINT(S_ALLOC, "mmap returns MAP_FAILED on error: return NULL instead")
#define H_LEN0 HINT(S_ERRNO, "check len == 0 yourself and set errno = EINVAL")

/* In a subject: a helper child fills p[0, len) with v and exits; returns its status. */
static int child_fills(unsigned char *p, size_t len, unsigned char v)
{
    pid_t pid = mm_fork();

    if (pid == 0) {
        memset(p, v, len);
        _exit(0);
    }
    return pid == -1 ? -1 : mm_wait(pid, 10000);
}

/* Bytes of p[0, len) equal to v. */
static size_t count_equal(const unsigned char *p, size_t len, unsigned char v)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += p[i] == v;
    return n;
}

/* What a subject saw: the allocation, a child's writes (or the parent's own first), the
 * bytes of the parent equal to a value afterwards, and the free. */
struct fill_seen {
    struct mm_call alloc, free;
    int child_status;
    size_t equal;           /* bytes of the parent's view equal to the value looked for */
};

/* alloc(len) in a subject; with own != 0 the parent first fills it with own; a child then
 * fills it with v; equal counts the parent's bytes equal to look_for. */
static struct fill_seen fill_in_child(void *(*alloc)(size_t), const char *text, size_t len,
                                      unsigned char own, unsigned char v, unsigned char look_for)
{
    struct fill_seen o;

    MM_SUBJECT(o) {
        o.alloc = MM_CALL_AS(text, alloc(len));
        unsigned char *p = (unsigned char *)(intptr_t)o.alloc.ret;
        if (p != NULL && p != MAP_FAILED) {
            if (own)
                memset(p, own, len);
            o.child_status = child_fills(p, len, v);
            o.equal = count_equal(p, len, look_for);
            o.free = MM_CALL(shared_free(p, len));
        }
    }
    return o;
}

Test(shared_anon, child_write_visible_to_parent)
{
    size_t len = 3 * mm_page_size() + 5;
    struct fill_seen o = fill_in_child(shared_anon, "shared_anon(3 * mm_page_size() + 5)", len, 0, 0x5a,
                                       0x5a);

    MM_CHECK_PTR(o.alloc, H_NULL);
    MM_CHECK(exited_with(o.child_status, 0), MM_NO_HINT, "the child that writes the memory %s",
             status_text(o.child_status));
    MM_CHECK(o.equal == len, H_SHARED, "a child wrote 0x5a into all %zu bytes of "
             "shared_anon(%zu); the parent sees %zu of them.", len, len, o.equal);
    MM_CHECK_OK(o.free, HINT(S_ALLOC, "munmap(addr, len)"));
}

Test(shared_anon, len_zero_gives_EINVAL)
{
    MM_CALL_NULL_ERRNO(shared_anon(0), EINVAL, H_LEN0);
}

Test(shared_anon, impossible_size_gives_ENOMEM_not_MAP_FAILED)
{
    MM_CALL_NULL_ERRNO(shared_anon(SIZE_MAX / 2), ENOMEM,
                       HINT(S_ALLOC, "pass mmap's ENOMEM through, and return NULL, never "
                            "MAP_FAILED ((void *)-1)"));
}

Test(shared_devzero, child_write_visible_to_parent)
{
    size_t len = 2 * mm_page_size() + 1;
    struct fill_seen o = fill_in_child(shared_devzero, "shared_devzero(2 * mm_page_size() + 1)", len, 0,
                                       0xa5, 0xa5);

    MM_CHECK_PTR(o.alloc, HINT(S_ALLOC, "open(\"/dev/zero\", O_RDWR): MAP_SHARED with "
                               "PROT_WRITE needs a descriptor open for reading and writing"));
    MM_CHECK(exited_with(o.child_status, 0), MM_NO_HINT, "the child that writes the memory %s",
             status_text(o.child_status));
    MM_CHECK(o.equal == len, HINT(S_ALLOC, "map /dev/zero with MAP_SHARED, not MAP_PRIVATE"),
             "a child wrote 0xa5 into all %zu bytes of shared_devzero(%zu); the parent sees "
             "%zu of them.", len, len, o.equal);
    MM_CHECK_OK(o.free, HINT(S_ALLOC, "munmap(addr, len)"));
}

Test(shared_devzero, closes_its_descriptor)
{
    struct { struct mm_call alloc, free; int before, after; } o;

    MM_SUBJECT(o) {
        o.before = mm_count_fds();
        o.alloc = MM_CALL(shared_devzero(mm_page_size()));
        o.after = mm_count_fds();
        if (o.alloc.ret != 0 && o.alloc.ret != -1)
            o.free = MM_CALL(shared_free((void *)(intptr_t)o.alloc.ret, mm_page_size()));
    }
    MM_CHECK_PTR(o.alloc, H_NULL);
    MM_CHECK(o.after == o.before, HINT(S_ALLOC, "the mapping stays valid after close(fd): "
             "close /dev/zero before returning"), "open descriptors: %d before shared_devzero, "
             "%d after.", o.before, o.after);
    MM_CHECK_OK(o.free, HINT(S_ALLOC, "munmap(addr, len)"));
}

Test(shared_devzero, len_zero_gives_EINVAL)
{
    struct { struct mm_call alloc; int before, after; } o;

    MM_SUBJECT(o) {
        o.before = mm_count_fds();
        o.alloc = MM_CALL(shared_devzero(0));
        o.after = mm_count_fds();
    }
    MM_CHECK_NULL_ERRNO(o.alloc, EINVAL, H_LEN0);
    MM_CHECK(o.after == o.before, HINT(S_ALLOC, "check len before open, or close the fd on "
             "every path"), "shared_devzero(0) left %d descriptor(s) open.", o.after - o.before);
}

Test(private_anon, child_write_invisible_to_parent)
{
    size_t len = 2 * mm_page_size() + 3;
    struct fill_seen o = fill_in_child(private_anon, "private_anon(2 * mm_page_size() + 3)", len, 0x11,
                                       0x77, 0x11);

    MM_CHECK_PTR(o.alloc, H_NULL);
    MM_CHECK(exited_with(o.child_status, 0), MM_NO_HINT, "the child that writes the memory %s",
             status_text(o.child_status));
    MM_CHECK(o.equal == len, H_PRIVATE, "a child wrote 0x77 into its copy of private_anon(%zu); "
             "%zu of the parent's %zu bytes changed.", len, len - o.equal, len);
    MM_CHECK_OK(o.free, HINT(S_ALLOC, "munmap(addr, len)"));
}

Test(private_anon, len_zero_gives_EINVAL)
{
    MM_CALL_NULL_ERRNO(private_anon(0), EINVAL, H_LEN0);
}

Test(shared_free, null_gives_EINVAL)
{
    MM_CALL_ERRNO(shared_free(NULL, mm_page_size()), EINVAL,
                  HINT(S_ERRNO, "check addr == NULL before calling munmap"));
}

Test(shared_free, unaligned_address_gives_EINVAL)
{
    struct { struct mm_call alloc, unaligned, free; } o;

    MM_SUBJECT(o) {
        o.alloc = MM_CALL(shared_anon(2 * mm_page_size()));
        unsigned char *p = (unsigned char *)(intptr_t)o.alloc.ret;
        if (p != NULL && p != MAP_FAILED) {
            o.unaligned = MM_CALL(shared_free(p + 1, mm_page_size()));
            o.free = MM_CALL(shared_free(p, 2 * mm_page_size()));
        }
    }
    MM_CHECK_PTR(o.alloc, H_NULL);
    MM_CHECK_ERRNO(o.unaligned, EINVAL,
                   HINT(S_ERRNO, "munmap needs a page-aligned address: pass its EINVAL through"));
    MM_CHECK_OK(o.free, HINT(S_ALLOC, "munmap(addr, len)"));
}
