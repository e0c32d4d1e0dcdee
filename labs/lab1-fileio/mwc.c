/* mwc.c - count lines, like `wc -l`, through mmap: prints "N FILE" per file.
 * Demonstrates mf_count_lines (windowed mapping, no read(2) of file data).
 * usage: mwc FILE...   (build/mwc after `make` in this directory) */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: mwc FILE...\n  Prints the number of lines ('\\n' bytes) of each FILE,"
            " and a total for several.\n");
    return status;
}

static int version(void)
{
    puts("mwc (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
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
    long long total = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        long long lines = fd == -1 ? -1 : mf_count_lines(fd);
        if (lines == -1) {
            fprintf(stderr, "mwc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        } else {
            printf("%lld %s\n", lines, argv[i]);
            total += lines;
        }
        if (fd != -1 && close(fd) == -1) {
            fprintf(stderr, "mwc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
    }
    if (argc > 2)
        printf("%lld total\n", total);
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "mwc: standard output: %s\n", strerror(errno));
        status = 1;
    }
    return status;
}
