/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_copy fills /dev/shm, /tmp and /var/tmp with files of 32 MiB (RLIMIT_AS does not count
 * tmpfs pages), up to 1.5 GiB, and keeps them. The sandbox must bound what it can pin (a
 * sized private tmpfs, or the grader stopping it) and remove it all; it prints
 * MMHOSTILE-BREACH if it got more than 640 MiB into one place. */
#include "mapfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define mf_copy mf_copy_reference
/* @@REFERENCE@@ */
#undef mf_copy

static long long fill(const char *dir)
{
    static char chunk[1 << 20];
    long long total = 0;

    memset(chunk, 'h', sizeof chunk);
    for (int f = 0; f < 48; f++) {
        char name[256];
        snprintf(name, sizeof name, "%s/mmhostile-hog-%d-%d", dir, (int)getpid(), f);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd == -1)
            break;
        for (int m = 0; m < 32; m++) {
            if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
                close(fd);
                return total;
            }
            total += sizeof chunk;
        }
        close(fd);
    }
    return total;
}

int mf_copy(int src_fd, int dst_fd)
{
    static const char *const dirs[] = {"/dev/shm", "/tmp", "/var/tmp"};

    (void)src_fd, (void)dst_fd;
    for (int i = 0; i < 3; i++) {
        long long got = fill(dirs[i]);
        printf("%s %s: %lld MiB\n", got > (640ll << 20) ? "MMHOSTILE-BREACH" : "held in",
               dirs[i], got >> 20);
    }
    fflush(stdout);
    errno = ENOSYS;
    return -1;
}
