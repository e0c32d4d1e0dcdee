/* datafile.c - the files mmbench reads: one block of pseudo-random text lines repeated, so
 * the expected '\n' count of any prefix or page is known without reading the file back.
 * One file grows (or shrinks) to each size in turn: the disk never holds more than the biggest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbench.h"

/* Lines of 0..119 letters and spaces: about 17000 lines per MiB, like source code or logs. */
static void fill_pattern(unsigned char *p, long len)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;     /* xorshift64: the same file on every machine */
    long i = 0;

    while (i < len) {
        int line;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        line = (int)(x % 120);
        for (int k = 0; k < line && i < len; k++, i++)
            p[i] = (x >> (k % 50)) & 7 ? 'a' + (k * 7 + line) % 26 : ' ';
        if (i < len)
            p[i++] = '\n';
    }
}

int datafile_open(struct datafile *df, const char *dir, const char *name)
{
    int fd;

    memset(df, 0, sizeof(*df));
    if (snprintf(df->path, sizeof(df->path), "%s/%s", dir, name) >= (int)sizeof(df->path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    df->pattern = malloc(BC_PATTERN_SIZE);
    if (df->pattern == NULL)
        return -1;
    fill_pattern(df->pattern, BC_PATTERN_SIZE);
    df->pattern_lines = (long)count_newlines(df->pattern, BC_PATTERN_SIZE);
    fd = open(df->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd == -1) {
        free(df->pattern);
        df->pattern = NULL;
        return -1;
    }
    close(fd);
    return 0;
}

/* Extends by writing the pattern from the current end (so the content of every prefix stays
 * the same), then fdatasync so no writeback runs under the measurements. */
int datafile_resize(struct datafile *df, long size)
{
    int fd = open(df->path, O_RDWR), saved;

    if (fd == -1)
        return -1;
    if (size < df->size && ftruncate(fd, size) == -1)
        goto out_close;
    while (df->size < size) {
        long at = df->size % BC_PATTERN_SIZE;
        long n = BC_PATTERN_SIZE - at < size - df->size ? BC_PATTERN_SIZE - at : size - df->size;
        ssize_t w = pwrite(fd, df->pattern + at, n, df->size);

        if (w <= 0)
            goto out_close;
        df->size += w;
    }
    df->size = size;
    if (fdatasync(fd) == -1)
        goto out_close;
    return close(fd);

out_close:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

long datafile_range_lines(const struct datafile *df, long off, long len)
{
    long lines = 0;

    while (len > 0) {
        long at = off % BC_PATTERN_SIZE;
        long n = BC_PATTERN_SIZE - at < len ? BC_PATTERN_SIZE - at : len;

        lines += at == 0 && n == BC_PATTERN_SIZE ? df->pattern_lines
                                                 : (long)count_newlines(df->pattern + at, n);
        off += n;
        len -= n;
    }
    return lines;
}

long datafile_lines(const struct datafile *df, long size)
{
    return datafile_range_lines(df, 0, size);
}

void datafile_close(struct datafile *df, int keep)
{
    if (!keep && df->path[0] && unlink(df->path) == -1 && errno != ENOENT)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", df->path, strerror(errno));
    free(df->pattern);
    df->pattern = NULL;
}
