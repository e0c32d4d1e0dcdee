/* classreport.c - the class report batch mode writes beside gradebook.csv after every run
 * (a resume or --force too): DIR/class.html and the same numbers as DIR/class/\*.csv.
 * Built only from the records in DIR/class-data (classresult.c): it never
 * regrades, and it never changes a score. */
#include "classreport.h"

#include <stdlib.h>
#include <string.h>

static void lab_similarity(struct lab_stat *ls, const struct cr_sub *subs, size_t n)
{
    const char **names = xcalloc(n + 1, sizeof *names), **texts = xcalloc(n + 1, sizeof *texts);
    char *starter = xasprintf("%s/%s/%s", ls->lab->root, ls->lab->dir, ls->lab->file);
    size_t k = 0;

    for (size_t s = 0; s < n; s++) {
        const struct cr_lab *l = cr_lab_of(&subs[s], ls->lab->name);
        if (l && l->source) {
            names[k] = subs[s].name;
            texts[k++] = l->source;
        }
    }
    similarity_check(starter, names, texts, k, &ls->sim);
    free(names);
    free(texts);
    free(starter);
}


static const struct cr_sub *sort_subs;

static int slower_first(const void *x, const void *y)
{
    const struct cr_sub *a = &sort_subs[*(const size_t *)x], *b = &sort_subs[*(const size_t *)y];
    if (a->seconds != b->seconds)
        return a->seconds < b->seconds ? 1 : -1;
    return strcmp(a->name, b->name);
}

void class_report_write(const char *dir, struct lab *labs, int nlabs, const char *key)
{
    struct cr_sub *subs;
    int stale, nls = 0;
    size_t n = class_results_load(dir, key, &subs, &stale);
    struct lab_stat *ls = xcalloc((size_t)nlabs + 1, sizeof *ls);
    size_t *order = xcalloc(n + 1, sizeof *order);

    for (int i = 0; i < nlabs; i++) {
        if (!lab_graded(&labs[i]))
            continue;
        struct lab_stat *l = &ls[nls++];
        l->lab = &labs[i];
        class_lab_numbers(l, subs, n);
        lab_similarity(l, subs, n);
        char *title = xasprintf("%s: %d submission(s)", labs[i].name, l->subs);
        l->figure = class_figure_svg(l->bins, NBINS, title, labs[i].name, &l->figure_why);
        free(title);
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    sort_subs = subs;
    qsort(order, n, sizeof *order, slower_first);
    double median = n ? (n % 2 ? subs[order[n / 2]].seconds
                               : (subs[order[n / 2 - 1]].seconds + subs[order[n / 2]].seconds) / 2)
                      : 0;
    size_t nslow = n < SLOWEST_MAX ? n : SLOWEST_MAX;
    struct class_view v = {.dir = dir, .labs = ls, .nlabs = nls, .subs = subs, .n = n, .slow = order,
                           .nslow = nslow, .median_seconds = median, .stale = stale,
                           .unrecorded = class_markers_count(dir) - (int)n - stale};
    class_csvs_write(&v);
    class_page_write(&v);
    fprintf(stderr, "mmgrade: class report of %zu submission(s): %s/class.html\n", n, dir);
    for (int i = 0; i < nls; i++) {
        free(ls[i].tests);
        free(ls[i].figure);
        free(ls[i].figure_why);
        similarity_free(&ls[i].sim);
    }
    free(ls);
    free(order);
    class_results_free(subs, n);
}

