/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_copy allocates and touches memory in 64 MiB steps until malloc fails or 2 GiB are
 * held. The grader's address-space limit must stop it without harming the machine. */
#include "mapfile.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define mf_copy mf_copy_reference
/* @@REFERENCE@@ */
#undef mf_copy

int mf_copy(int src_fd, int dst_fd)
{
    static char *held[32];  /* 32 * 64 MiB = 2 GiB, kept until the process ends */
    size_t step = 64u << 20;

    (void)src_fd;
    (void)dst_fd;
    for (int i = 0; i < 32 && held[i] == NULL; i++) {
        held[i] = malloc(step);
        if (held[i] == NULL)
            break;
        memset(held[i], 0x5a, step);
    }
    errno = ENOSYS;
    return -1;
}
