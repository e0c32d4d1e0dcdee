/* histo.c - byte histogram of a file: maps it and counts with parallel_histogram, so N
 * worker processes read one mapping. Prints "VALUE HEX CHAR COUNT" per byte value present.
 * usage: histo FILE [-j N]   (build/histo after `make` in this directory) */
#include "shared.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: histo FILE [-j N]\n"
            "  Prints how often each byte value occurs in FILE.\n"
            "  -j N   count with N worker processes, 1..64 (default: the number of CPUs)\n");
    return status;
}

static int version(void)
{
    puts("histo (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
}

/* Parses N of -j: 1..64, nothing else. Returns -1 if it is not one. */
static int parse_jobs(const char *s)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    return errno == 0 && *s != '\0' && *end == '\0' && n >= 1 && n <= 64 ? (int)n : -1;
}

static void print_histogram(const unsigned long long hist[256])
{
    unsigned long long total = 0;

    printf("value hex  char count\n");
    for (int v = 0; v < 256; v++) {
        if (hist[v] == 0)
            continue;
        printf("%5d 0x%02x %-4c %llu\n", v, v, isprint(v) && v != ' ' ? v : '.', hist[v]);
        total += hist[v];
    }
    printf("total %llu bytes\n", total);
}

/* Maps FILE (an empty file needs no mapping: mmap of length 0 fails with EINVAL) and
 * counts it. Returns 0, or -1 with errno set. */
static int histogram_of(const char *path, int jobs, unsigned long long hist[256])
{
    struct stat sb;
    int saved;
    int fd = open(path, O_RDONLY);

    if (fd == -1)
        return -1;
    if (fstat(fd, &sb) == -1)
        goto out_close;
    if (S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
        errno = ENODEV;                 /* what mmap says for a directory, a FIFO, a device */
        goto out_close;
    }
    size_t len = (size_t)sb.st_size;
    void *data = NULL;
    if (len > 0 && (data = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
        goto out_close;
    int ret = parallel_histogram(data, len, jobs, hist);
    saved = errno;
    if (data != NULL && munmap(data, len) == -1 && ret == 0)
        ret = -1, saved = errno;
    if (close(fd) == -1 && ret == 0)
        ret = -1, saved = errno;
    errno = saved;
    return ret;

out_close:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int main(int argc, char *argv[])
{
    const char *path = NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout, 0);
        if (strcmp(argv[i], "--version") == 0)
            return version();
        if (strcmp(argv[i], "-j") == 0) {
            if (i + 1 == argc || (jobs = parse_jobs(argv[++i])) == -1)
                return usage(stderr, 2);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage(stderr, 2);
        } else if (path != NULL) {
            return usage(stderr, 2);
        } else {
            path = argv[i];
        }
    }
    if (path == NULL)
        return usage(stderr, 2);

    unsigned long long hist[256];
    if (histogram_of(path, jobs, hist) == -1) {
        fprintf(stderr, "histo: %s: %s\n", path, strerror(errno));
        return 1;
    }
    print_histogram(hist);
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "histo: standard output: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
