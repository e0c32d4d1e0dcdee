/* alloc.c - public tests of shared_anon, shared_devzero, private_anon and shared_free: what
 * a child writes is seen through a shared mapping and not through a private one.
 * Run: make test (or ./build/run --filter 'shared_anon/[a-z]*'). */
#include "lab2_util.h"

#include <fcntl.h>

MM_SUITE(shared_anon, 20);
MM_SUITE(shared_devzero, 20);
MM_SUITE(private_anon, 20);
MM_SUITE(shared_free, 20);

#define H_SHARED HINT(S_ALLOC, "map with MAP_SHARED | MAP_ANONYMOUS before fork(), so parent " \
                      "and child use the same pages")
#define H_PRIVATE HINT(S_ALLOC, "MAP_PRIVATE | MAP_ANONYMOUS gives each process its own "  \
                       "copy after fork (copy-on-write)")
#define H_NULL HINT(S_ALLOC, "mmap returns MAP_FAILED on error: return NULL instead")
#define H_LEN0 HINT(S_ERRNO, "check len == 0 yourself and set errno = EINVAL")

/* Forks a child that fills p[0, len) with v and exits; returns its status. */
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

Test(shared_anon, child_write_visible_to_parent)
{
    size_t len = 3 * pg() + 5;
    unsigned char *p = shared_anon(len);

    MM_EXPECT_PTR(p, H_NULL);
    int status = child_fills(p, len, 0x5a);
    MM_ASSERT(exited_with(status, 0), "the child that writes the memory %s", status_text(status));
    size_t seen = count_equal(p, len, 0x5a);
    MM_ASSERT(seen == len, "a child wrote 0x5a into all %zu bytes of shared_anon(%zu); the "
              "parent sees %zu of them.\n  Hint: " H_SHARED, len, len, seen);
    MM_EXPECT_OK(shared_free(p, len), HINT(S_ALLOC, "munmap(addr, len)"));
    MM_END();
}

Test(shared_anon, len_zero_gives_EINVAL)
{
    MM_EXPECT_NULL_ERRNO(shared_anon(0), EINVAL, H_LEN0);
    MM_END();
}

Test(shared_anon, impossible_size_gives_ENOMEM_not_MAP_FAILED)
{
    MM_EXPECT_NULL_ERRNO(shared_anon(SIZE_MAX / 2), ENOMEM,
                         HINT(S_ALLOC, "pass mmap's ENOMEM through, and return NULL, never "
                              "MAP_FAILED ((void *)-1)"));
    MM_END();
}

Test(shared_devzero, child_write_visible_to_parent)
{
    size_t len = 2 * pg() + 1;
    unsigned char *p = shared_devzero(len);

    MM_EXPECT_PTR(p, HINT(S_ALLOC, "open(\"/dev/zero\", O_RDWR): MAP_SHARED with PROT_WRITE "
                          "needs a descriptor open for reading and writing"));
    int status = child_fills(p, len, 0xa5);
    MM_ASSERT(exited_with(status, 0), "the child that writes the memory %s", status_text(status));
    size_t seen = count_equal(p, len, 0xa5);
    MM_ASSERT(seen == len, "a child wrote 0xa5 into all %zu bytes of shared_devzero(%zu); the "
              "parent sees %zu of them.\n  Hint: " HINT(S_ALLOC, "map /dev/zero with MAP_SHARED, "
              "not MAP_PRIVATE"), len, len, seen);
    MM_EXPECT_OK(shared_free(p, len), HINT(S_ALLOC, "munmap(addr, len)"));
    MM_END();
}

Test(shared_devzero, closes_its_descriptor)
{
    size_t len = pg();
    int before = mm_count_fds();
    void *p = shared_devzero(len);
    int after = mm_count_fds();

    MM_EXPECT_PTR(p, H_NULL);
    MM_ASSERT(after == before, "open descriptors: %d before shared_devzero, %d after.\n  Hint: "
              HINT(S_ALLOC, "the mapping stays valid after close(fd): close /dev/zero before "
                   "returning"), before, after);
    MM_EXPECT_OK(shared_free(p, len), HINT(S_ALLOC, "munmap(addr, len)"));
    MM_END();
}

Test(shared_devzero, len_zero_gives_EINVAL)
{
    int before = mm_count_fds();

    MM_EXPECT_NULL_ERRNO(shared_devzero(0), EINVAL, H_LEN0);
    MM_ASSERT(mm_count_fds() == before, "shared_devzero(0) left a descriptor open.\n  Hint: "
              HINT(S_ALLOC, "check len before open, or close the fd on every path"));
    MM_END();
}

Test(private_anon, child_write_invisible_to_parent)
{
    size_t len = 2 * pg() + 3;
    unsigned char *p = private_anon(len);

    MM_EXPECT_PTR(p, H_NULL);
    memset(p, 0x11, len);
    int status = child_fills(p, len, 0x77);
    MM_ASSERT(exited_with(status, 0), "the child that writes the memory %s", status_text(status));
    size_t kept = count_equal(p, len, 0x11);
    MM_ASSERT(kept == len, "a child wrote 0x77 into its copy of private_anon(%zu); %zu of the "
              "parent's %zu bytes changed.\n  Hint: " H_PRIVATE, len, len - kept, len);
    MM_EXPECT_OK(shared_free(p, len), HINT(S_ALLOC, "munmap(addr, len)"));
    MM_END();
}

Test(private_anon, len_zero_gives_EINVAL)
{
    MM_EXPECT_NULL_ERRNO(private_anon(0), EINVAL, H_LEN0);
    MM_END();
}

Test(shared_free, null_gives_EINVAL)
{
    MM_EXPECT_ERRNO(shared_free(NULL, pg()), EINVAL,
                    HINT(S_ERRNO, "check addr == NULL before calling munmap"));
    MM_END();
}

Test(shared_free, unaligned_address_gives_EINVAL)
{
    unsigned char *p = shared_anon(2 * pg());

    MM_EXPECT_PTR(p, H_NULL);
    MM_EXPECT_ERRNO(shared_free(p + 1, pg()), EINVAL,
                    HINT(S_ERRNO, "munmap needs a page-aligned address: pass its EINVAL through"));
    MM_EXPECT_OK(shared_free(p, 2 * pg()), HINT(S_ALLOC, "munmap(addr, len)"));
    MM_END();
}
