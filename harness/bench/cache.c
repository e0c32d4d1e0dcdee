/* cache.c - page-cache control without root: evict a file with fdatasync +
 * posix_fadvise(POSIX_FADV_DONTNEED), warm it by reading, and check either state with
 * mincore(2) on a fresh mapping (mincore reports the page cache, mapped pages or not). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbench.h"

double cache_residency(const char *path)
{
    long page = sysconf(_SC_PAGESIZE);
    struct stat sb;
    unsigned char *vec;
    size_t pages, resident = 0;
    void *addr;
    int fd = open(path, O_RDONLY);

    if (fd == -1)
        return -1;
    if (fstat(fd, &sb) == -1 || sb.st_size == 0) {
        close(fd);
        return sb.st_size == 0 ? 1.0 : -1;
    }
    pages = (sb.st_size + page - 1) / page;
    addr = mmap(NULL, sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (addr == MAP_FAILED)
        return -1;
    vec = malloc(pages);
    if (vec != NULL && mincore(addr, sb.st_size, vec) == 0)
        for (size_t i = 0; i < pages; i++)
            resident += vec[i] & 1;
    else
        resident = (size_t)-1;
    free(vec);
    if (munmap(addr, sb.st_size) == -1 || resident == (size_t)-1)
        return -1;
    return (double)resident / pages;
}

int cache_evict(const char *path)
{
    int fd = open(path, O_RDONLY), rc;

    if (fd == -1)
        return -1;
    /* DONTNEED drops clean pages only: write dirty ones back first */
    rc = fdatasync(fd) == 0 && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

int cache_warm(const char *path)
{
    static char buf[1 << 20];
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd == -1)
        return -1;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        ;
    close(fd);
    return n == 0 ? 0 : -1;
}

int cache_prepare(struct series *s, const char *path, enum cache_state c)
{
    double r = cache_residency(path);

    for (int tries = 0; r >= 0 && tries < 3; tries++) {
        if (c == CACHE_WARM && r == 1.0)
            break;
        if (c == CACHE_COLD && r == 0.0)
            break;
        if (c == CACHE_WARM) {
            s->rewarms += s->nsamples > 0;      /* the first warm-up is not a re-warm */
            if (cache_warm(path) == -1)
                r = -1;
        } else if (cache_evict(path) == -1) {
            r = -1;
        }
        if (r >= 0)
            r = cache_residency(path);
    }
    if (r < 0) {
        snprintf(s->status, sizeof(s->status), "cache control failed on %s: %s", path,
                 strerror(errno));
        return -1;
    }
    if (c == CACHE_WARM && r < s->resident)
        s->resident = r;
    if (c == CACHE_COLD && r > s->resident)
        s->resident = r;
    if ((c == CACHE_WARM && r < 1.0) || (c == CACHE_COLD && r > 0.0)) {
        snprintf(s->status, sizeof(s->status), "could not make the file %s: %.1f%% cached",
                 cache_name(c), 100 * r);
        return -1;
    }
    return 0;
}
