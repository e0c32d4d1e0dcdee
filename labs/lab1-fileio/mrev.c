/* mrev.c - reverse the bytes of a file in place, through a shared mapping.
 * Demonstrates mf_reverse: MAP_SHARED stores reach the file, msync makes them durable.
 * usage: mrev FILE   (build/mrev after `make` in this directory); running it twice restores the file. */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: mrev FILE\n  Reverses the bytes of FILE in place (FILE must be"
            " writable).\n");
    return status;
}

static int version(void)
{
    puts("mrev (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
}

int main(int argc, char *argv[])
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage(stdout, 0);
    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return version();
    if (argc != 2 || argv[1][0] == '-')
        return usage(stderr, 2);

    int fd = open(argv[1], O_RDWR);
    if (fd == -1 && errno == EISDIR)
        errno = ENODEV;                 /* as mf_reverse says: not a regular file */
    if (fd == -1 || mf_reverse(fd) == -1) {
        fprintf(stderr, "mrev: %s: %s\n", argv[1], strerror(errno));
        if (fd != -1)
            close(fd);
        return 1;
    }
    if (close(fd) == -1) {
        fprintf(stderr, "mrev: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    return 0;
}
