/* tsv.c - the machine-readable output: one TSV file per workload, '#' lines recording the
 * environment and the cache state, a header row, then one row per series sorted by cache
 * state, method and size (the order gnuplot draws them in). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbench.h"

const char *fmt_size(long bytes, char *buf, size_t len)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;

    while (u < 4 && bytes >= 1024 && bytes % 1024 == 0)
        bytes /= 1024, u++;
    snprintf(buf, len, "%ld %s", bytes, unit[u]);
    return buf;
}

static int cmp_series(const void *a, const void *b)
{
    const struct series *x = a, *y = b;

    if (x->cache != y->cache)
        return x->cache < y->cache ? -1 : 1;    /* warm before cold */
    if (x->method_index != y->method_index)
        return x->method_index - y->method_index;
    return (x->size > y->size) - (x->size < y->size);
}

int tsv_open(const char *out, const char *name, FILE **f, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/%s.tsv", out, name);
    *f = fopen(path, "w");
    if (*f == NULL) {
        fprintf(stderr, "mmbench: %s: cannot write: %s\n", path, strerror(errno));
        return -1;
    }
    env_write(*f);
    return 0;
}

static void num(FILE *f, double v)
{
    if (isnan(v))
        fputs("\tnan", f);
    else
        fprintf(f, "\t%.4g", v);
}

int tsv_write(const char *out, const char *name, struct series_list *l)
{
    char path[4200];
    FILE *f;

    if (tsv_open(out, name, &f, path, sizeof(path)) == -1)
        return -1;
    qsort(l->v, l->n, sizeof(*l->v), cmp_series);
    fputs("workload\tcache\tmethod\tsize\trounds\tmedian\tmin\tmax\tunit\tspread\tnoisy"
          "\tresident\trewarms\tcpu_share\tstatus\n", f);
    for (size_t i = 0; i < l->n; i++) {
        const struct series *s = &l->v[i];

        fprintf(f, "%s\t%s\t%s\t%ld\t%d", s->workload, cache_name(s->cache), s->method,
                s->size, s->nsamples);
        num(f, s->median);
        num(f, s->min);
        num(f, s->max);
        fprintf(f, "\t%s", s->unit);
        num(f, s->spread);
        fprintf(f, "\t%s", series_noisy(s) ? "noisy" : "-");
        if (s->cache == CACHE_NONE)
            fputs("\t-", f);
        else
            fprintf(f, "\t%.1f%%", 100 * s->resident);
        fprintf(f, "\t%d", s->rewarms);
        num(f, s->wall_s > 0 ? s->cpu_s / s->wall_s : NAN);
        fprintf(f, "\t%s\n", s->status);
    }
    if (fclose(f) == EOF) {
        fprintf(stderr, "mmbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}
