/* Hostile submission for the grader's self-test: every function spins forever (outside any
 * sandbox each loop still ends by itself after 300 s). The grader must stop each test on its
 * CPU budget (a multiple of what the reference needs on the same machine) and grade the whole
 * lab within a minute, giving no points. */
#include "mapfile.h"
#include <errno.h>
#include <time.h>

static int spin(void)
{
    time_t start = time(NULL);
    volatile unsigned long spins = 0;

    while (time(NULL) - start < 300)
        spins++;
    errno = ENOSYS;
    return -1;
}

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    (void)fd, (void)offset, (void)len, (void)prot, (void)flags, (void)v;
    return spin();
}

int mf_map_file(int fd, int prot, int flags, struct mf_view *v)
{
    (void)fd, (void)prot, (void)flags, (void)v;
    return spin();
}

int mf_unmap(struct mf_view *v)
{
    (void)v;
    return spin();
}

long long mf_count_lines(int fd)
{
    (void)fd;
    return spin();
}

int mf_copy(int src_fd, int dst_fd)
{
    (void)src_fd, (void)dst_fd;
    return spin();
}

int mf_reverse(int fd)
{
    (void)fd;
    return spin();
}
