/* report.c - the end of a run: the noise verdict, the targets (thresholds in bench_config.h)
 * checked within this run, one TSV file per workload, summary.tsv, and the human table on
 * stdout: one row per point that matters, then the summary. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmbench.h"

static double median_at(const struct series_list *l, const char *workload, const char *method,
                        long size, enum cache_state c)
{
    const struct series *s = series_find(l, workload, method, size, c);

    return s && series_ok(s) ? s->median : NAN;
}

/* How firm a verdict is: the ratio a/b taken round by round (both ran in every round), as
 * ", per round LO-HI"; b_over_a for times (copy: cp / mf_copy throughput). */
static void paired_range(const struct series_list *l, const char *workload, const char *a,
                         const char *b, long size, int b_over_a, char *out, size_t len)
{
    const struct series *sa = series_find(l, workload, a, size, CACHE_WARM);
    const struct series *sb = series_find(l, workload, b, size, CACHE_WARM);
    double lo = INFINITY, hi = -INFINITY;

    out[0] = '\0';
    if (!sa || !sb || !series_ok(sa) || !series_ok(sb) || sa->nsamples != sb->nsamples)
        return;
    for (int k = 0; k < sa->nsamples; k++) {
        double r = b_over_a ? sb->sample[k] / sa->sample[k] : sa->sample[k] / sb->sample[k];

        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
    }
    if (sa->nsamples > 0)
        snprintf(out, len, "; per round %.2f-%.2f", lo, hi);
}

/* The run is noisy when a warm file point >= 1 MiB spread more than BC_NOISY_SPREAD. */
static void noise_verdict(const struct series_list *l)
{
    int points = 0, noisy = 0, all_noisy = 0, nshare = 0;
    const struct series *worst = NULL;
    double share[BC_MAX_SERIES], cpu;
    char sz[32], got[128], share_note[64];

    for (size_t i = 0; i < l->n; i++) {
        const struct series *s = &l->v[i];

        all_noisy += series_noisy(s);
        if (s->cache != CACHE_WARM || s->size < BC_NOISY_MIN_SIZE || !series_ok(s))
            continue;
        points++;
        if (strcmp(s->workload, "scan") == 0 && s->wall_s > 0)
            share[nshare++] = s->cpu_s / s->wall_s;
        if (series_noisy(s)) {
            noisy++;
            if (worst == NULL || s->spread > worst->spread)
                worst = s;
        }
    }
    /* a warm scan is pure CPU work: less than a whole CPU per second means others ran */
    cpu = median_of(share, nshare);
    snprintf(got, sizeof(got), isnan(cpu) ? "" : "; warm scans got a median %.2f CPU "
             "seconds per second (1.00 = an idle core)", cpu);
    snprintf(share_note, sizeof(share_note), isnan(cpu) ? "" : "; CPU share of warm scans "
             "%.2f", cpu);
    env_set("noise_short", "%s: %d of %d warm points >= 1 MiB spread > %.0f%%%s",
            worst ? "noisy" : "not noisy", noisy, points, 100 * BC_NOISY_SPREAD, share_note);
    if (worst)
        env_set("noisy", "yes: %d of %d warm points >= 1 MiB spread more than %.0f%% "
                "(worst %s %s %s: %.0f%%); %d noisy points in all%s", noisy, points,
                100 * BC_NOISY_SPREAD, worst->workload, worst->method,
                fmt_size(worst->size, sz, sizeof(sz)), 100 * worst->spread, all_noisy, got);
    else
        env_set("noisy", "no: all %d warm points >= 1 MiB spread less than %.0f%%; "
                "%d noisy points in all%s", points, 100 * BC_NOISY_SPREAD, all_noisy, got);
}

/* A target (op ">=" or "<=" and a threshold) gets a verdict; op NULL: a figure reported
 * with its per-round range, which tools outside our code set as much as we do. */
static void target(FILE *f, const char *name, double value, const char *op, double threshold,
                   const char *detail)
{
    const char *verdict = isnan(value) ? "not measured" : op == NULL ? "reported"
                        : (strcmp(op, ">=") == 0 ? value >= threshold : value <= threshold)
                        ? "met" : "MISSED";
    char thr[32] = "-";

    if (op)
        snprintf(thr, sizeof(thr), "%s %.2g", op, threshold);
    fprintf(f, "%s\t%.3g\t%s\t%s\t%s\n", name, value, thr, verdict, detail);
    printf("  %-34s %6.2f  %-8s %-13s %s\n", name, value, thr, verdict, detail);
}

static int write_summary(const struct bench_opts *o, const struct series_list *l)
{
    long big = o->max_size, copy = o->max_size < BC_COPY_SIZE ? o->max_size : BC_COPY_SIZE;
    double mmap = median_at(l, "scan", "mmap", big, CACHE_WARM);
    double ceil = median_at(l, "scan", "memscan", big, CACHE_WARM);
    double mf = median_at(l, "scan", "mf_count_lines", big, CACHE_WARM);
    double wc = median_at(l, "scan", "wc-l", big, CACHE_WARM);
    double mfc = median_at(l, "copy", "mf_copy", copy, CACHE_WARM);
    double cp = median_at(l, "copy", "cp", copy, CACHE_WARM);
    char path[4200], detail[200], range[48], sz[32], csz[32];
    FILE *f;

    if (tsv_open(o->out, "summary", &f, path, sizeof(path)) == -1)
        return -1;
    fmt_size(big, sz, sizeof(sz));
    fmt_size(copy, csz, sizeof(csz));
    fputs("target\tvalue\tthreshold\tverdict\tdetail\n", f);
    printf("targets (medians of this run; the memory ceiling is the physical limit):\n");
    paired_range(l, "scan", "mmap", "memscan", big, 0, range, sizeof(range));
    snprintf(detail, sizeof(detail), "warm %s: mmap %.2f GB/s, memory scan %.2f GB/s%s", sz,
             mmap, ceil, range);
    target(f, "mmap scan / memory ceiling", mmap / ceil, ">=", BC_TARGET_MMAP_CEILING, detail);
    paired_range(l, "scan", "mf_count_lines", "memscan", big, 0, range, sizeof(range));
    snprintf(detail, sizeof(detail), "warm %s: mf_count_lines %.2f GB/s, memory scan %.2f "
             "GB/s%s", sz, mf, ceil, range);
    target(f, "mf_count_lines / memory ceiling", mf / ceil, ">=", BC_TARGET_COUNT_CEILING,
           detail);
    paired_range(l, "scan", "mf_count_lines", "wc-l", big, 0, range, sizeof(range));
    snprintf(detail, sizeof(detail), "warm %s: mf_count_lines %.2f GB/s, wc -l %.2f GB/s%s",
             sz, mf, wc, range);
    target(f, "mf_count_lines / wc -l throughput", mf / wc, NULL, 0, detail);
    paired_range(l, "copy", "mf_copy", "cp", copy, 1, range, sizeof(range));
    snprintf(detail, sizeof(detail), "%s: mf_copy %.0f ms, cp %.0f ms%s", csz,
             copy / mfc * 1e-6, copy / cp * 1e-6, range);
    target(f, "mf_copy time / cp time", cp / mfc, NULL, 0, detail);
    printf("  noisy: %s\n", env_get("noisy"));
    return fclose(f) == EOF ? -1 : 0;
}

static int write_workload(const struct bench_opts *o, const char *name, struct series_list *l)
{
    struct series_list w = { 0 };
    int rc = 0;

    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->v[i].workload, name, strlen(name)) == 0) {   /* "kv": kv-get, kv-put */
            struct series *s = series_add(&w, name, "", 0, 0, CACHE_NONE, "");

            if (s == NULL)
                return -1;
            *s = l->v[i];
        }
    if (w.n > 0) {
        rc = tsv_write(o->out, name, &w);
    } else {                            /* an older run's file would be drawn as this one's */
        char path[4200];

        snprintf(path, sizeof(path), "%s/%s.tsv", o->out, name);
        if (unlink(path) == -1 && errno != ENOENT)
            fprintf(stderr, "mmbench: %s: cannot remove: %s\n", path, strerror(errno));
    }
    series_free(&w);
    return rc;
}

/* The baseline a workload's best method is compared with in the table. */
static const char *baseline(const char *w)
{
    if (strstr(w, "-faults") || strstr(w, "-tlb"))
        return NULL;                    /* counts, not throughput: the TSV has them */
    return strcmp(w, "scan") == 0 ? "read-1M" : strcmp(w, "copy") == 0 ? "read-write"
         : strcmp(w, "ipc") == 0 ? "pipe" : strncmp(w, "kv", 2) == 0 ? "unix-socket"
         : strncmp(w, "fio", 3) == 0 ? "fio" : "pread";
}

/* The human table: each point's best method and the read(2) baseline, then what was
 * excluded because it gave a wrong answer. */
static void print_table(const struct series_list *l)
{
    char sz[32];

    printf("%-17s %-5s %-11s %-16s %9s  %-11s %9s %6s\n", "workload", "cache", "size", "best",
           "median", "baseline", "median", "ratio");
    for (size_t i = 0; i < l->n; i++) {
        const struct series *s = &l->v[i], *best = NULL, *base = NULL;
        const char *bname = baseline(s->workload);

        if (bname == NULL || (i > 0 && s->size == l->v[i - 1].size && s->cache == l->v[i - 1].cache &&
            strcmp(s->workload, l->v[i - 1].workload) == 0))
            continue;                   /* one row per point */
        for (size_t k = i; k < l->n && l->v[k].size == s->size && l->v[k].cache == s->cache &&
             strcmp(l->v[k].workload, s->workload) == 0; k++) {
            const struct series *t = &l->v[k];

            if (series_ok(t) && strcmp(t->method, "memscan") != 0 &&
                (best == NULL || t->median > best->median))
                best = t;
            if (strcmp(t->method, bname) == 0)
                base = t;
        }
        if (best == NULL || base == NULL)
            continue;
        if (strncmp(s->workload, "kv", 2) == 0 || strcmp(s->workload, "readers") == 0)
            snprintf(sz, sizeof(sz), "%ld %s", s->size, s->workload[0] == 'k' ? "client(s)"
                     : "thread(s)");        /* their size is a count */
        else
            fmt_size(s->size, sz, sizeof(sz));
        printf("%-17s %-5s %-11s %-16s %9.3g  %-11s %9.3g %5.2fx  %s\n", s->workload,
               cache_name(s->cache), sz, best->method,
               best->median, bname, base->median, best->median / base->median, s->unit);
    }
    int excluded = 0;

    for (size_t i = 0; i < l->n; i++)
        if (!series_ok(&l->v[i])) {
            excluded += strncmp(l->v[i].status, "not built", 9) != 0;
            printf("not plotted: %s %s %s %s: %s\n", l->v[i].workload, l->v[i].method,
                   cache_name(l->v[i].cache), fmt_size(l->v[i].size, sz, sizeof(sz)),
                   l->v[i].status);
        }
    if (excluded)
        printf("Only right answers are timed: make the excluded methods pass `make test` "
               "first (handout lab1, \"Benchmark\").\n");
}

static int cmp_point(const void *a, const void *b)
{
    const struct series *x = a, *y = b;
    int w = strcmp(x->workload, y->workload);

    if (w)
        return w;
    if (x->cache != y->cache)
        return x->cache < y->cache ? -1 : 1;
    if (x->size != y->size)
        return (x->size > y->size) - (x->size < y->size);
    return x->method_index - y->method_index;
}

int report(const struct bench_opts *o, struct series_list *l)
{
    static const char *const workloads[] = { "scan", "random", "copy", "ipc", "kv", "fio",
                                             "pressure", "readers" };
    char load[64];
    FILE *f = fopen("/proc/loadavg", "r");

    if (f && fgets(load, sizeof(load), f))
        env_set("load_end", "%.*s", (int)strcspn(load, "\n"), load);
    if (f)
        fclose(f);
    env_set("cache", "warm: read in with read(2), then mincore found every page cached before "
            "each sample; cold: fdatasync + POSIX_FADV_DONTNEED, then mincore found no page "
            "cached before each repetition; the resident column is the worst seen");
#ifdef MMBENCH_HAVE_RING
    env_set("ring", "Lab 2's ring_* from the reference shared.c");
#else
    env_set("ring", "not built (Lab 2's shared.c not found): ipc has pipe and socketpair only");
#endif
    noise_verdict(l);
    for (int i = 0; i < 8; i++)
        if (write_workload(o, workloads[i], l) == -1)
            return -1;
    if ((o->workloads & WL_SCAN) && wl_scan_ratio(o, l) == -1)
        return -1;
    if (!(o->workloads & WL_SCAN)) {
        char path[4200];

        snprintf(path, sizeof(path), "%s/ratio.tsv", o->out);
        unlink(path);
    }
    printf("mmbench: %s; %s\n", env_get("title"), env_get("mode"));
    qsort(l->v, l->n, sizeof(*l->v), cmp_point);
    print_table(l);
    if (write_summary(o, l) == -1)
        return -1;
    printf("data: %s/*.tsv\n", o->out);
    return 0;
}
