/* classcsv.c - the class report's numbers as CSV in DIR/class/ beside class.html: summary,
 * distribution, tests, failures, together, slowest and similarity.csv (RFC 4180, fields
 * quoted by csv_name). A directory of their own: a submission's report may be NAME.csv. */
#include "classreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void csv_put(struct buf *b, const char *s, bool last)
{
    char *f = csv_name(s ? s : "");
    buf_puts(b, f);
    buf_puts(b, last ? "\n" : ",");
    free(f);
}

static void write_csv(const struct class_view *v, const char *file, struct buf *b)
{
    char *dir = xasprintf("%s/class", v->dir), *path = xasprintf("%s/%s", dir, file);
    if (mkdirs(dir, 0755) == -1 || write_file_atomic(path, b->p ? b->p : "", b->len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(dir);
    free(path);
    free(b->p);
    *b = (struct buf){0};
}

static void csv_summary(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "lab,submissions,graded,max_points,mean,median,min,max\n");
    for (int i = 0; i < v->nlabs; i++) {
        const struct lab_stat *ls = &v->labs[i];
        buf_printf(&b, "%s,%d,%d,%d,%.1f,%.1f,%d,%d\n", ls->lab->name, ls->subs, ls->graded,
                   ls->max_points, ls->mean, ls->median, ls->min, ls->max);
    }
    write_csv(v, "summary.csv", &b);
}

static void csv_distribution(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "lab,score_percent,submissions\n");
    for (int i = 0; i < v->nlabs; i++)
        for (int k = 0; k < NBINS; k++)
            if (k == NBINS - 1)
                buf_printf(&b, "%s,100,%d\n", v->labs[i].lab->name, v->labs[i].bins[k]);
            else
                buf_printf(&b, "%s,%d-%d,%d\n", v->labs[i].lab->name, k * 10, k * 10 + 9,
                           v->labs[i].bins[k]);
    write_csv(v, "distribution.csv", &b);
}

static void csv_tests(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "lab,test,points,visibility,ran,passed,pass_rate,failed,crashed,timeout,"
                 "noreport,notrun,section,hint\n");
    for (int i = 0; i < v->nlabs; i++)
        for (size_t k = 0; k < v->labs[i].ntests; k++) {
            const struct test_stat *t = &v->labs[i].tests[k];
            const int *st = t->by_status;
            buf_printf(&b, "%s,", v->labs[i].lab->name);
            csv_put(&b, t->name, false);
            buf_printf(&b, "%d,%s,%d,%d,%.1f,%d,%d,%d,%d,%d,", t->row ? t->row->points : 0,
                       !t->row ? "not in rubric" : t->row->hidden ? "hidden" : "public", t->ran,
                       t->passed, test_pass_rate(t), st[T_FAILED], st[T_CRASHED],
                       st[T_TIMEOUT], st[T_NOREPORT], st[T_NOTRUN]);
            csv_put(&b, t->row ? t->row->section : "", false);
            csv_put(&b, t->row ? t->row->hint : "", true);
        }
    write_csv(v, "tests.csv", &b);
}

static void csv_failures(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "lab,class,detail,submissions,tests\n");
    for (int i = 0; i < v->nlabs; i++)
        for (int k = 0; k < v->labs[i].nfails; k++) {
            const struct failure_class *f = &v->labs[i].fails[k];
            buf_printf(&b, "%s,", v->labs[i].lab->name);
            csv_put(&b, f->label, false);
            csv_put(&b, f->detail, false);
            buf_printf(&b, "%d,%d\n", f->subs, f->tests);
        }
    write_csv(v, "failures.csv", &b);
}

static void csv_together(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "lab,test_a,test_b,failed_both,failed_a,failed_b,jaccard\n");
    for (int i = 0; i < v->nlabs; i++)
        for (int k = 0; k < v->labs[i].ntogether; k++) {
            const struct together *t = &v->labs[i].together[k];
            buf_printf(&b, "%s,", v->labs[i].lab->name);
            csv_put(&b, t->a, false);
            csv_put(&b, t->b, false);
            buf_printf(&b, "%d,%d,%d,%.2f\n", t->both, t->fa, t->fb, t->jaccard);
        }
    write_csv(v, "together.csv", &b);
}

static void csv_slowest(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "rank,submission,seconds,score,max\n");
    for (size_t k = 0; k < v->nslow; k++) {
        const struct cr_sub *s = &v->subs[v->slow[k]];
        buf_printf(&b, "%zu,", k + 1);
        csv_put(&b, s->name, false);
        buf_printf(&b, "%.1f,%d,%d\n", s->seconds, s->score, s->max);
    }
    write_csv(v, "slowest.csv", &b);
}

static void csv_similarity(const struct class_view *v)
{
    struct buf b = {0};

    buf_puts(&b, "lab,rank,submission_a,submission_b,similarity,a_in_b,b_in_a,a_matched,"
                 "a_own_tokens,b_matched,b_own_tokens,runs\n");
    for (int i = 0; i < v->nlabs; i++) {
        const struct sim_lab *s = &v->labs[i].sim;
        for (size_t k = 0; k < s->npairs; k++) {
            const struct sim_pair *p = &s->pairs[k];
            buf_printf(&b, "%s,%zu,", v->labs[i].lab->name, k + 1);
            csv_put(&b, s->files[p->a].name, false);
            csv_put(&b, s->files[p->b].name, false);
            buf_printf(&b, "%.1f,%.1f,%.1f,%ld,%ld,%ld,%ld,%zu\n", p->score, p->pct_a, p->pct_b,
                       p->match_a, s->files[p->a].own, p->match_b, s->files[p->b].own,
                       p->nruns);
        }
    }
    write_csv(v, "similarity.csv", &b);
}

void class_csvs_write(const struct class_view *v)
{
    csv_summary(v);
    csv_distribution(v);
    csv_tests(v);
    csv_failures(v);
    csv_together(v);
    csv_slowest(v);
    csv_similarity(v);
}
