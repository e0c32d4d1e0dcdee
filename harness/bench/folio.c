/* folio.c - how big the page-cache folios of a file are, which decides whether mmap beats
 * read on big files: FilePmdMapped in /proc/self/smaps (2 MiB mappings), and as root the
 * folio sizes themselves from /proc/self/pagemap + /proc/kpageflags (compound head/tail). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmbench.h"

#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16

/* The "Field: N kB" values of the smaps entry of the mapping starting at addr. */
static void smaps_fields(void *addr, char *out, size_t len)
{
    char line[512];
    FILE *f = fopen("/proc/self/smaps", "r");
    int in = 0;

    snprintf(out, len, "smaps unreadable");
    if (f == NULL)
        return;
    out[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;

        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)     /* a mapping's first line */
            in = lo == (unsigned long)addr;
        else if (in && (strncmp(line, "Rss:", 4) == 0 || strncmp(line, "FilePmdMapped:", 14) == 0 ||
                        strncmp(line, "AnonHugePages:", 14) == 0)) {
            line[strcspn(line, "\n")] = '\0';
            for (char *p = line; *p; p++)       /* "Rss:      1024 kB" -> "Rss: 1024 kB" */
                while (p[0] == ' ' && p[1] == ' ')
                    memmove(p, p + 1, strlen(p));
            snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? ", " : "", line);
        }
    }
    fclose(f);
}

/* Share of pages by folio size, e.g. "4K 2%, 64K 10%, 2M 88%". Needs root (PFNs). */
static void kpageflags_histogram(void *addr, size_t len, char *out, size_t outlen)
{
    long page = sysconf(_SC_PAGESIZE), pages = len / page, hist[20] = { 0 }, run = 0;
    int pm = open("/proc/self/pagemap", O_RDONLY), kf = open("/proc/kpageflags", O_RDONLY);
    uint64_t ent, flags;

    snprintf(out, outlen, "kpageflags unreadable (needs root)");
    if (pm == -1 || kf == -1)
        goto out_close;
    for (long i = 0; i <= pages; i++) {
        int tail = 0;

        if (i < pages) {
            off_t at = ((uintptr_t)addr / page + i) * 8;

            if (pread(pm, &ent, 8, at) != 8 || !(ent >> 63) || (ent & ((1ULL << 55) - 1)) == 0)
                goto out_close;     /* not present, or PFNs hidden from us */
            if (pread(kf, &flags, 8, (ent & ((1ULL << 55) - 1)) * 8) != 8)
                goto out_close;
            tail = (flags >> KPF_COMPOUND_TAIL) & 1;
        }
        if (!tail && run > 0) {         /* a folio of run pages ended before page i */
            int order = 0;

            while ((1L << (order + 1)) <= run && order < 19)
                order++;
            hist[order] += run;
            run = 0;
        }
        run++;
    }
    out[0] = '\0';
    for (int o = 0; o < 20; o++)
        if (hist[o] * 100 >= pages)
            snprintf(out + strlen(out), outlen - strlen(out), "%s%ldK %ld%%",
                     out[0] ? ", " : "", (page << o) >> 10, hist[o] * 100 / pages);
out_close:
    if (pm != -1)
        close(pm);
    if (kf != -1)
        close(kf);
}

void folio_evidence(const char *path, const char *key)
{
    char smaps[256], folios[256], sz[32];
    int fd = open(path, O_RDONLY);
    off_t len = fd == -1 ? 0 : lseek(fd, 0, SEEK_END);
    void *addr;

    if (len <= 0) {
        if (fd != -1)
            close(fd);
        return;
    }
    addr = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    close(fd);
    if (addr == MAP_FAILED)
        return;
    smaps_fields(addr, smaps, sizeof(smaps));
    kpageflags_histogram(addr, len, folios, sizeof(folios));
    env_set(key, "warm %s file mapped: %s; pages by folio size: %s",
            fmt_size(len, sz, sizeof(sz)), smaps, folios);
    munmap(addr, len);
}

void folio_anon_evidence(void *addr, size_t len, const char *key)
{
    char smaps[256], sz[32];

    smaps_fields(addr, smaps, sizeof(smaps));
    env_set(key, "%s anonymous buffer (MADV_HUGEPAGE): %s", fmt_size(len, sz, sizeof(sz)),
            smaps);
}
