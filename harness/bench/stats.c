/* stats.c - the series a workload measures and their statistics: median, min, max and the
 * spread (max - min) / median that flags a point as noisy. Part of mmbench. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbench.h"

struct series *series_add(struct series_list *l, const char *workload, const char *method,
                          int method_index, long size, enum cache_state cache, const char *unit)
{
    struct series *s;

    /* never realloc: a point holds pointers to its series while more are added */
    if (l->v == NULL && (l->v = calloc(BC_MAX_SERIES, sizeof(*l->v))) != NULL)
        l->cap = BC_MAX_SERIES;
    if (l->n == l->cap) {
        fprintf(stderr, "mmbench: more than %d series: raise BC_MAX_SERIES\n", BC_MAX_SERIES);
        return NULL;
    }
    s = &l->v[l->n++];
    memset(s, 0, sizeof(*s));
    s->workload = workload;
    s->method = method;
    s->method_index = method_index;
    s->size = size;
    s->cache = cache;
    s->unit = unit;
    s->resident = cache == CACHE_COLD ? 0.0 : 1.0;
    strcpy(s->status, "ok");
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double median_of(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void series_finish(struct series *s)
{
    double v[BC_MAX_ROUNDS];

    if (!series_ok(s) || s->nsamples == 0) {
        s->median = s->min = s->max = s->spread = NAN;
        return;
    }
    memcpy(v, s->sample, s->nsamples * sizeof(*v));
    s->median = median_of(v, s->nsamples);
    s->min = v[0];
    s->max = v[s->nsamples - 1];
    s->spread = s->median > 0 ? (s->max - s->min) / s->median    /* a count may be 0 */
              : s->max == s->min ? 0 : NAN;
}

void series_count(struct series *s, int round, double count, double per)
{
    if (round == 0 || per <= 0)
        return;
    if (s->nsamples == 0 || s->count_round != round) {
        if (s->nsamples == BC_MAX_ROUNDS)
            return;
        s->nsamples++;
        s->count_round = round;
        s->count_sum = s->per_sum = 0;
    }
    s->count_sum += count;
    s->per_sum += per;
    s->sample[s->nsamples - 1] = s->count_sum / s->per_sum;
}

int series_ok(const struct series *s)
{
    return strcmp(s->status, "ok") == 0;
}

int series_noisy(const struct series *s)
{
    return series_ok(s) && !(s->spread <= BC_NOISY_SPREAD);
}

const struct series *series_find(const struct series_list *l, const char *workload,
                                 const char *method, long size, enum cache_state cache)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].workload, workload) == 0 && strcmp(l->v[i].method, method) == 0 &&
            l->v[i].size == size && l->v[i].cache == cache)
            return &l->v[i];
    return NULL;
}

void series_free(struct series_list *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

const char *cache_name(enum cache_state c)
{
    return c == CACHE_WARM ? "warm" : c == CACHE_COLD ? "cold" : c == CACHE_LIMIT ? "limit" : "-";
}
