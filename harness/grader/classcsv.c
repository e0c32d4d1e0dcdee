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

static void write_csv(const char *file, struct buf *b)
{
    char *dir = xasprintf("%s/class", cfg.out), *path = xasprintf("%s/%s", dir, file);
    if (mkdirs(dir, 0755) == -1 || write_file_atomic(path, b->p ? b->p : "", b->len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(dir);
    free(path);
    free(b->p);
    *b = (struct buf){0};
}

void class_csvs_write(const struct class_view *v)
{
    const struct lab_stat *ls = v->labs;
    const struct cr_sub *subs = v->subs;
    const size_t *slow = v->slow;
    int nls = v->nlabs;
    struct buf b = {0};

    buf_puts(&b, "lab,submissions,graded,max_points,mean,median,min,max\n");
    for (int i = 0; i < nls; i++)
        buf_printf(&b, "%s,%d,%d,%d,%.1f,%.1f,%d,%d\n", ls[i].lab->name, ls[i].subs,
                   ls[i].graded, ls[i].max_points, ls[i].mean, ls[i].median, ls[i].min, ls[i].max);
    write_csv("summary.csv", &b);

    buf_puts(&b, "lab,score_percent,submissions\n");
    for (int i = 0; i < nls; i++)
        for (int k = 0; k < NBINS; k++)
            if (k == NBINS - 1)
                buf_printf(&b, "%s,100,%d\n", ls[i].lab->name, ls[i].bins[k]);
            else
                buf_printf(&b, "%s,%d-%d,%d\n", ls[i].lab->name, k * 10, k * 10 + 9,
                           ls[i].bins[k]);
    write_csv("distribution.csv", &b);

    buf_puts(&b, "lab,test,points,visibility,ran,passed,pass_rate,failed,crashed,timeout,"
                 "stopped,noreport,notrun,section,hint\n");
    for (int i = 0; i < nls; i++)
        for (size_t k = 0; k < ls[i].ntests; k++) {
            const struct test_stat *t = &ls[i].tests[k];
            buf_printf(&b, "%s,", ls[i].lab->name);
            csv_put(&b, t->name, false);
            buf_printf(&b, "%d,%s,%d,%d,%.1f,%d,%d,%d,%d,%d,%d,", t->row ? t->row->points : 0,
                       !t->row ? "not in rubric" : t->row->hidden ? "hidden" : "public", t->ran,
                       t->passed, test_pass_rate(t), t->by_status[T_FAILED], t->by_status[T_CRASHED],
                       t->by_status[T_TIMEOUT], t->by_status[T_STOPPED],
                       t->by_status[T_NOREPORT], t->by_status[T_NOTRUN]);
            csv_put(&b, t->row ? t->row->section : "", false);
            csv_put(&b, t->row ? t->row->hint : "", true);
        }
    write_csv("tests.csv", &b);

    buf_puts(&b, "lab,class,detail,submissions,tests\n");
    for (int i = 0; i < nls; i++)
        for (int k = 0; k < ls[i].nfails; k++) {
            buf_printf(&b, "%s,", ls[i].lab->name);
            csv_put(&b, ls[i].fails[k].label, false);
            csv_put(&b, ls[i].fails[k].detail, false);
            buf_printf(&b, "%d,%d\n", ls[i].fails[k].subs, ls[i].fails[k].tests);
        }
    write_csv("failures.csv", &b);

    buf_puts(&b, "lab,test_a,test_b,failed_both,failed_a,failed_b,jaccard\n");
    for (int i = 0; i < nls; i++)
        for (int k = 0; k < ls[i].ntogether; k++) {
            const struct together *t = &ls[i].together[k];
            buf_printf(&b, "%s,", ls[i].lab->name);
            csv_put(&b, t->a, false);
            csv_put(&b, t->b, false);
            buf_printf(&b, "%d,%d,%d,%.2f\n", t->both, t->fa, t->fb, t->jaccard);
        }
    write_csv("together.csv", &b);

    buf_puts(&b, "rank,submission,seconds,score,max\n");
    for (size_t k = 0; k < v->nslow; k++) {
        buf_printf(&b, "%zu,", k + 1);
        csv_put(&b, subs[slow[k]].name, false);
        buf_printf(&b, "%.1f,%d,%d\n", subs[slow[k]].seconds, subs[slow[k]].score,
                   subs[slow[k]].max);
    }
    write_csv("slowest.csv", &b);

    buf_puts(&b, "lab,rank,submission_a,submission_b,similarity,a_in_b,b_in_a,a_matched,"
                 "a_own_tokens,b_matched,b_own_tokens,runs\n");
    for (int i = 0; i < nls; i++) {
        const struct sim_lab *s = &ls[i].sim;
        for (size_t k = 0; k < s->npairs; k++) {
            const struct sim_pair *p = &s->pairs[k];
            buf_printf(&b, "%s,%zu,", ls[i].lab->name, k + 1);
            csv_put(&b, s->files[p->a].name, false);
            csv_put(&b, s->files[p->b].name, false);
            buf_printf(&b, "%.1f,%.1f,%.1f,%ld,%ld,%ld,%ld,%zu\n", p->score, p->pct_a, p->pct_b,
                       p->match_a, s->files[p->a].own, p->match_b, s->files[p->b].own,
                       p->nruns);
        }
    }
    write_csv("similarity.csv", &b);
}

