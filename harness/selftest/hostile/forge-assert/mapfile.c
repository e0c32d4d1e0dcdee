/* The starter, but every function first sends Criterion a passing assertion carrying the
 * old end-of-test mark, through criterion_send_assert found at run time, then ends the
 * process with _exit(0): how a test passed when student code ran in the test process. */
#include "mapfile.h"

#include <criterion/stats.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

static void forge(void)
{
    void (*send)(struct criterion_assert_stats *) =
        (void (*)(struct criterion_assert_stats *))dlsym(RTLD_DEFAULT, "criterion_send_assert");
    struct criterion_assert_stats mark = {
        .message = "mmtest: the test reached its end", .passed = true, .line = 1,
        .file = "mapfile.c",
    };
    if (send)
        send(&mark);
    _exit(0);
}

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    (void)fd, (void)offset, (void)len, (void)prot, (void)flags, (void)v;
    forge();
    return -1;
}
int mf_map_file(int fd, int prot, int flags, struct mf_view *v)
{
    (void)fd, (void)prot, (void)flags, (void)v;
    forge();
    return -1;
}
int mf_unmap(struct mf_view *v)
{
    (void)v;
    forge();
    return -1;
}
long long mf_count_lines(int fd)
{
    (void)fd;
    forge();
    return -1;
}
int mf_copy(int src_fd, int dst_fd)
{
    (void)src_fd, (void)dst_fd;
    forge();
    return -1;
}
int mf_reverse(int fd)
{
    (void)fd;
    forge();
    return -1;
}
