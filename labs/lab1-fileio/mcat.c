/* mcat.c - print files to standard output, like cat(1), reading them through mmap.
 * Demonstrates mf_map_file on files of any size (empty ones too) and a full write loop.
 * usage: mcat FILE...   (build/mcat after `make` in this directory) */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: mcat FILE...\n"
            "  Writes each FILE to standard output, read through mmap.\n");
    return status;
}

static int version(void)
{
    puts("mcat (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
}

/* write(2) may write less than asked (a pipe, a signal): loop until all of it is out. */
static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes one file to stdout; prints the error and returns -1 on failure. */
static int cat_file(const char *path)
{
    struct mf_view v;
    int fd = open(path, O_RDONLY);

    if (fd == -1 || mf_map_file(fd, PROT_READ, MAP_PRIVATE, &v) == -1) {
        fprintf(stderr, "mcat: %s: %s\n", path, strerror(errno));
        if (fd != -1)
            close(fd);
        return -1;
    }
    int status = 0;
    if (write_all(STDOUT_FILENO, v.data, v.len) == -1) {
        fprintf(stderr, "mcat: standard output: %s\n", strerror(errno));
        status = -1;
    }
    if (mf_unmap(&v) == -1 || close(fd) == -1) {
        fprintf(stderr, "mcat: %s: %s\n", path, strerror(errno));
        status = -1;
    }
    return status;
}

int main(int argc, char *argv[])
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage(stdout, 0);
    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return version();
    if (argc < 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
        return usage(stderr, 2);

    int status = 0;
    for (int i = 1; i < argc; i++)
        if (cat_file(argv[i]) == -1)
            status = 1;                 /* like cat: report, then go on with the next file */
    return status;
}
