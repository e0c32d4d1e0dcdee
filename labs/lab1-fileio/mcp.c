/* mcp.c - copy a file, like cp(1) for one regular file, with both files mapped.
 * Demonstrates mf_copy, and leaving no half-made DST behind: a DST this run created is
 * removed again if the copy fails.  Usage: mcp SRC DST   (build/mcp after `make` in this directory) */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: mcp SRC DST\n  Makes DST (created with mode 0644 if missing) an"
            " exact copy of SRC, through mmap.\n");
    return status;
}

static int version(void)
{
    puts("mcp (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
}

/* Opens dst O_RDWR, creating it if missing; *created says whether this call made it.
 * No O_TRUNC: mf_copy sets the size itself, after checking src, so a failed copy leaves an
 * existing dst as it was. */
static int open_dst(const char *path, int *created)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);

    *created = fd != -1;
    if (fd == -1 && errno == EEXIST)
        fd = open(path, O_RDWR);
    if (fd == -1 && errno == EISDIR)
        errno = ENODEV;                 /* as mf_copy says: not a regular file */
    return fd;
}

int main(int argc, char *argv[])
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage(stdout, 0);
    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return version();
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
        return usage(stderr, 2);

    const char *src = argv[1], *dst = argv[2];
    int created;
    int src_fd = open(src, O_RDONLY);
    if (src_fd == -1) {
        fprintf(stderr, "mcp: %s: %s\n", src, strerror(errno));
        return 1;
    }
    int dst_fd = open_dst(dst, &created);
    if (dst_fd == -1) {
        fprintf(stderr, "mcp: %s: %s\n", dst, strerror(errno));
        close(src_fd);
        return 1;
    }

    int status = 0;
    if (mf_copy(src_fd, dst_fd) == -1) {
        fprintf(stderr, "mcp: %s -> %s: %s\n", src, dst, strerror(errno));
        status = 1;
    }
    if (close(dst_fd) == -1) {          /* e.g. a delayed write error on NFS */
        fprintf(stderr, "mcp: %s: %s\n", dst, strerror(errno));
        status = 1;
    }
    if (status != 0 && created && unlink(dst) == -1)
        fprintf(stderr, "mcp: %s: cannot remove the incomplete copy: %s\n", dst, strerror(errno));
    if (close(src_fd) == -1) {
        fprintf(stderr, "mcp: %s: %s\n", src, strerror(errno));
        status = 1;
    }
    return status;
}
