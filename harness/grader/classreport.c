/* classreport.c - the class report batch mode writes beside gradebook.csv: DIR/class.html
 * (one self-contained page) and the same numbers as DIR/class-*.csv and similarity.csv.
 * Per lab: score distribution, pass rate per test from the worst (with hint and handout
 * section), failure classes, tests failed together, similar pairs; then the slowest
 * submissions. Built from the NAME.result.json files only: it never regrades, and it never
 * changes a score. */
#include "classreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBINS        11      /* 0-9 %, ..., 90-99 %, 100 % */
#define TOGETHER_MAX 10      /* pairs of tests failed together shown */
#define SLOWEST_MAX  10

struct test_stat {
    const char *name;
    const struct rubric_row *row;
    int    ran, passed, by_status[T_NOTRUN + 1];
};

struct failure_class {
    char   label[48], detail[32];
    int    subs, tests;
};

struct lab_stat {
    const struct lab *lab;
    int    subs, graded, max_points, bins[NBINS];
    double mean, median;
    int    min, max;
    struct test_stat *tests;
    size_t ntests;
    struct failure_class fails[16];
    int    nfails;
    struct together { const char *a, *b; int both, fa, fb; double jaccard; } together[TOGETHER_MAX];
    int    ntogether, together_left_out;
    struct sim_lab sim;
    char  *figure, *figure_why;
};

/* ---- Numbers ----------------------------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static struct test_stat *test_of(struct lab_stat *ls, const char *name)
{
    for (size_t i = 0; i < ls->ntests; i++)
        if (strcmp(ls->tests[i].name, name) == 0)
            return &ls->tests[i];
    ls->tests = xrealloc(ls->tests, (ls->ntests + 1) * sizeof *ls->tests);
    struct test_stat *t = &ls->tests[ls->ntests++];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->row = rubric_find(ls->lab, name);
    return t;
}

static void count_failure(struct lab_stat *ls, const char *label, const char *detail, int tests)
{
    struct failure_class *f = NULL;
    for (int i = 0; i < ls->nfails && !f; i++)
        if (!strcmp(ls->fails[i].label, label) && !strcmp(ls->fails[i].detail, detail))
            f = &ls->fails[i];
    if (!f && ls->nfails < (int)(sizeof ls->fails / sizeof ls->fails[0])) {
        f = &ls->fails[ls->nfails++];
        snprintf(f->label, sizeof f->label, "%s", label);
        snprintf(f->detail, sizeof f->detail, "%s", detail);
    }
    if (f && tests >= 0) {
        f->subs++;
        f->tests += tests;
    }
}

/* Failure classes of one submission's lab: each class counts the submission once. */
static void classify(struct lab_stat *ls, const struct cr_lab *l)
{
    static const struct { enum labstate st; const char *label; } states[] = {
        {L_MISSING, "file missing"}, {L_REJECTED, "rejected before building"},
        {L_BUILD_FAILED, "did not compile or link"}};
    static const struct { enum tstatus st; const char *label; } kinds[] = {
        {T_TIMEOUT, "timed out"}, {T_STOPPED, "stopped early (exit in the code)"},
        {T_NOREPORT, "never reported (runner killed)"}};

    for (size_t k = 0; k < sizeof states / sizeof states[0]; k++)
        if (l->state == states[k].st)
            count_failure(ls, states[k].label, "", (int)l->ntests);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = 0;
        for (size_t i = 0; i < l->ntests; i++)
            n += l->tests[i].status == kinds[k].st;
        if (n)
            count_failure(ls, kinds[k].label, "", n);
    }
    /* Crashes by signal: each signal its own class. */
    for (size_t i = 0; i < l->ntests; i++) {
        const char *sig = l->tests[i].signal ? l->tests[i].signal : "no signal";
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = !(l->tests[j].status == T_CRASHED &&
                      !strcmp(l->tests[j].signal ? l->tests[j].signal : "no signal", sig));
        if (l->tests[i].status != T_CRASHED || !first)
            continue;
        int n = 0;
        for (size_t j = i; j < l->ntests; j++)
            n += l->tests[j].status == T_CRASHED &&
                 !strcmp(l->tests[j].signal ? l->tests[j].signal : "no signal", sig);
        count_failure(ls, "crashed", sig, n);
    }
}

/* Pairs of tests failed by the same submissions. A submission that passed nothing fails
 * every pair at once and says nothing about which mistakes come together: left out. */
static void failed_together(struct lab_stat *ls, const struct cr_sub *subs, size_t n)
{
    size_t nt = ls->ntests;
    int *both = xcalloc(nt * nt + 1, sizeof *both), *fails = xcalloc(nt + 1, sizeof *fails);
    bool *failed = xcalloc(nt + 1, sizeof *failed);

    for (size_t s = 0; s < n; s++) {
        const struct cr_lab *l = cr_lab_of(&subs[s], ls->lab->name);
        if (!l || l->state != L_GRADED)
            continue;
        int passed = 0;
        memset(failed, 0, nt * sizeof *failed);
        for (size_t i = 0; i < l->ntests; i++) {
            passed += l->tests[i].status == T_PASSED;
            if (l->tests[i].status != T_PASSED)
                failed[test_of(ls, l->tests[i].name) - ls->tests] = true;
        }
        if (passed == 0) {
            ls->together_left_out++;
            continue;
        }
        for (size_t a = 0; a < nt; a++)
            if (failed[a]) {
                fails[a]++;
                for (size_t b = a + 1; b < nt; b++)
                    both[a * nt + b] += failed[b];
            }
    }
    for (size_t a = 0; a < nt; a++)
        for (size_t b = a + 1; b < nt; b++) {
            int k = both[a * nt + b];
            if (k < 2)                  /* once is a coincidence */
                continue;
            double j = (double)k / (fails[a] + fails[b] - k);
            int at = ls->ntogether;
            while (at > 0 && (ls->together[at - 1].both < k ||
                              (ls->together[at - 1].both == k && ls->together[at - 1].jaccard < j)))
                at--;
            if (at >= TOGETHER_MAX)
                continue;
            int last = ls->ntogether < TOGETHER_MAX ? ls->ntogether++ : TOGETHER_MAX - 1;
            memmove(&ls->together[at + 1], &ls->together[at],
                    (size_t)(last - at) * sizeof ls->together[0]);
            ls->together[at] = (struct together){ls->tests[a].name, ls->tests[b].name, k, fails[a],
                                                 fails[b], j};
        }
    free(both);
    free(fails);
    free(failed);
}

static int worst_first(const void *x, const void *y)
{
    const struct test_stat *a = x, *b = y;
    double ra = a->ran ? (double)a->passed / a->ran : 2, rb = b->ran ? (double)b->passed / b->ran : 2;
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void lab_numbers(struct lab_stat *ls, const struct cr_sub *subs, size_t n)
{
    int *scores = xcalloc(n + 1, sizeof *scores);
    double sum = 0;

    /* Every rubric row appears, even a test no submission ran. */
    for (size_t r = 0; r < ls->lab->nrows; r++)
        test_of(ls, ls->lab->rows[r].test);
    for (size_t s = 0; s < n; s++) {
        const struct cr_lab *l = cr_lab_of(&subs[s], ls->lab->name);
        if (!l)
            continue;
        scores[ls->subs++] = l->score;
        sum += l->score;
        ls->max_points = l->max > ls->max_points ? l->max : ls->max_points;
        int pct = l->max ? l->score * 100 / l->max : 0;
        ls->bins[pct >= 100 ? NBINS - 1 : pct / 10]++;
        ls->graded += l->state == L_GRADED;
        classify(ls, l);
        for (size_t i = 0; i < l->ntests; i++) {
            struct test_stat *t = test_of(ls, l->tests[i].name);
            t->by_status[l->tests[i].status]++;
            if (l->tests[i].status != T_NOTRUN)
                t->ran++;
            t->passed += l->tests[i].status == T_PASSED;
        }
    }
    if (ls->subs) {
        qsort(scores, (size_t)ls->subs, sizeof *scores, cmp_int);
        ls->mean = sum / ls->subs;
        ls->median = ls->subs % 2 ? scores[ls->subs / 2]
                                  : (scores[ls->subs / 2 - 1] + scores[ls->subs / 2]) / 2.0;
        ls->min = scores[0];
        ls->max = scores[ls->subs - 1];
    }
    free(scores);
    failed_together(ls, subs, n);
    qsort(ls->tests, ls->ntests, sizeof *ls->tests, worst_first);
}

static void lab_similarity(struct lab_stat *ls, const struct cr_sub *subs, size_t n)
{
    const char **names = xcalloc(n + 1, sizeof *names), **paths = xcalloc(n + 1, sizeof *paths);
    char *starter = xasprintf("%s/%s/%s", cfg.root, ls->lab->dir, ls->lab->file);
    size_t k = 0;

    for (size_t s = 0; s < n; s++) {
        const struct cr_lab *l = cr_lab_of(&subs[s], ls->lab->name);
        if (l && l->source) {
            names[k] = subs[s].name;
            paths[k++] = l->source;
        }
    }
    similarity_check(starter, names, paths, k, &ls->sim);
    free(names);
    free(paths);
    free(starter);
}

/* ---- CSV ----------------------------------------------------------------------------- */

static void csv_put(struct buf *b, const char *s, bool last)
{
    char *f = csv_name(s ? s : "");
    buf_puts(b, f);
    buf_puts(b, last ? "\n" : ",");
    free(f);
}

static double pass_rate(const struct test_stat *t)
{
    return t->ran ? 100.0 * t->passed / t->ran : 0;
}

static void write_csv(const char *file, struct buf *b)
{
    char *path = xasprintf("%s/%s", cfg.out, file);
    if (write_file_atomic(path, b->p ? b->p : "", b->len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(path);
    free(b->p);
    *b = (struct buf){0};
}

static void write_csvs(struct lab_stat *ls, int nls, const struct cr_sub *subs,
                       const size_t *slow, size_t nslow)
{
    struct buf b = {0};

    buf_puts(&b, "lab,submissions,graded,max_points,mean,median,min,max\n");
    for (int i = 0; i < nls; i++)
        buf_printf(&b, "%s,%d,%d,%d,%.1f,%.1f,%d,%d\n", ls[i].lab->name, ls[i].subs,
                   ls[i].graded, ls[i].max_points, ls[i].mean, ls[i].median, ls[i].min, ls[i].max);
    write_csv("class-summary.csv", &b);

    buf_puts(&b, "lab,score_percent,submissions\n");
    for (int i = 0; i < nls; i++)
        for (int k = 0; k < NBINS; k++)
            if (k == NBINS - 1)
                buf_printf(&b, "%s,100,%d\n", ls[i].lab->name, ls[i].bins[k]);
            else
                buf_printf(&b, "%s,%d-%d,%d\n", ls[i].lab->name, k * 10, k * 10 + 9,
                           ls[i].bins[k]);
    write_csv("class-distribution.csv", &b);

    buf_puts(&b, "lab,test,points,visibility,ran,passed,pass_rate,failed,crashed,timeout,"
                 "stopped,noreport,notrun,section,hint\n");
    for (int i = 0; i < nls; i++)
        for (size_t k = 0; k < ls[i].ntests; k++) {
            const struct test_stat *t = &ls[i].tests[k];
            buf_printf(&b, "%s,", ls[i].lab->name);
            csv_put(&b, t->name, false);
            buf_printf(&b, "%d,%s,%d,%d,%.1f,%d,%d,%d,%d,%d,%d,", t->row ? t->row->points : 0,
                       !t->row ? "not in rubric" : t->row->hidden ? "hidden" : "public", t->ran,
                       t->passed, pass_rate(t), t->by_status[T_FAILED], t->by_status[T_CRASHED],
                       t->by_status[T_TIMEOUT], t->by_status[T_STOPPED],
                       t->by_status[T_NOREPORT], t->by_status[T_NOTRUN]);
            csv_put(&b, t->row ? t->row->section : "", false);
            csv_put(&b, t->row ? t->row->hint : "", true);
        }
    write_csv("class-tests.csv", &b);

    buf_puts(&b, "lab,class,detail,submissions,tests\n");
    for (int i = 0; i < nls; i++)
        for (int k = 0; k < ls[i].nfails; k++) {
            buf_printf(&b, "%s,", ls[i].lab->name);
            csv_put(&b, ls[i].fails[k].label, false);
            csv_put(&b, ls[i].fails[k].detail, false);
            buf_printf(&b, "%d,%d\n", ls[i].fails[k].subs, ls[i].fails[k].tests);
        }
    write_csv("class-failures.csv", &b);

    buf_puts(&b, "lab,test_a,test_b,failed_both,failed_a,failed_b,jaccard\n");
    for (int i = 0; i < nls; i++)
        for (int k = 0; k < ls[i].ntogether; k++) {
            const struct together *t = &ls[i].together[k];
            buf_printf(&b, "%s,", ls[i].lab->name);
            csv_put(&b, t->a, false);
            csv_put(&b, t->b, false);
            buf_printf(&b, "%d,%d,%d,%.2f\n", t->both, t->fa, t->fb, t->jaccard);
        }
    write_csv("class-together.csv", &b);

    buf_puts(&b, "rank,submission,seconds,score,max\n");
    for (size_t k = 0; k < nslow; k++) {
        buf_printf(&b, "%zu,", k + 1);
        csv_put(&b, subs[slow[k]].name, false);
        buf_printf(&b, "%.1f,%d,%d\n", subs[slow[k]].seconds, subs[slow[k]].score,
                   subs[slow[k]].max);
    }
    write_csv("class-slowest.csv", &b);

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

/* ---- The page ------------------------------------------------------------------------ */

static void html_escape(struct buf *b, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        default:  buf_add(b, s, 1);
        }
}

/* Printed in black on white, readable without colour: bars carry their number beside them. */
static const char page_style[] =
    "body{font:15px/1.45 sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;"
    "color:#111}\n"
    "h1{font-size:1.6rem}h2{border-bottom:2px solid #333;margin-top:2.2rem}h3{margin-top:1.6rem}\n"
    "table{border-collapse:collapse;margin:.6rem 0}th,td{border:1px solid #bbb;"
    "padding:.2rem .45rem;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".bar{display:inline-block;height:.8em;background:#4a7ab5;border:1px solid #333;"
    "vertical-align:middle}\n"
    ".low td.rate{font-weight:bold}.note{color:#444;font-size:.92rem}\n"
    "pre{margin:0;font-size:12px;line-height:1.3;white-space:pre-wrap;word-break:break-all}\n"
    "table.sbs{width:100%;table-layout:fixed}table.sbs td{width:50%}\n"
    ".ln{color:#777;user-select:none}.st{color:#999}\n"
    "details{margin:.5rem 0}summary{cursor:pointer;font-weight:bold}\n"
    "@media print{body{max-width:none;font-size:11pt}th{background:none}"
    "details{break-inside:avoid}a{color:#000}}\n";

static void bar(struct buf *b, double pct)
{
    buf_printf(b, "<span class=\"bar\" style=\"width:%.1fpx\"></span> ", pct * 1.2);
}

static void section_tests(struct buf *b, const struct lab_stat *ls)
{
    buf_printf(b, "<h3 id=\"%s-tests\">Pass rate per test, worst first</h3>\n"
                  "<p class=\"note\">Of the submissions whose file built and ran (%d); a test "
                  "that most of the class fails often points at a handout paragraph to make "
                  "clearer.</p>\n<table class=\"tests\">\n<tr><th>test</th><th>points</th>"
                  "<th>passed</th><th>pass rate</th><th>hint</th><th>handout section</th></tr>\n",
               ls->lab->name, ls->graded);
    for (size_t i = 0; i < ls->ntests; i++) {
        const struct test_stat *t = &ls->tests[i];
        double r = pass_rate(t);
        buf_printf(b, "<tr%s><td><code>", t->ran && r < 50 ? " class=\"low\"" : "");
        html_escape(b, t->name);
        buf_printf(b, "</code>%s</td><td class=\"n\">%d</td><td class=\"n\">%d/%d</td>"
                      "<td class=\"rate\">", t->row && t->row->hidden ? " (hidden)" : "",
                   t->row ? t->row->points : 0, t->passed, t->ran);
        bar(b, r);
        buf_printf(b, "%.0f%%</td><td>", r);
        html_escape(b, t->row ? t->row->hint : "not in the rubric");
        buf_puts(b, "</td><td>");
        html_escape(b, t->row ? t->row->section : "");
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table>\n");
}

static void section_failures(struct buf *b, const struct lab_stat *ls)
{
    buf_printf(b, "<h3 id=\"%s-failures\">Failure classes</h3>\n", ls->lab->name);
    if (!ls->nfails) {
        buf_puts(b, "<p>No test timed out, crashed or stopped early, and every file was there "
                    "and compiled.</p>\n");
        return;
    }
    buf_puts(b, "<table>\n<tr><th>class</th><th>submissions</th><th>tests</th></tr>\n");
    for (int i = 0; i < ls->nfails; i++) {
        buf_puts(b, "<tr><td>");
        html_escape(b, ls->fails[i].label);
        if (ls->fails[i].detail[0]) {
            buf_puts(b, ": ");
            html_escape(b, ls->fails[i].detail);
        }
        buf_printf(b, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n",
                   ls->fails[i].subs, ls->fails[i].tests);
    }
    buf_puts(b, "</table>\n<p class=\"note\">A submission counts once per class; "
                "<em>tests</em> adds up the tests concerned (for a missing, rejected or "
                "uncompiled file: every test of the lab, none of them run).</p>\n");
}

static void section_together(struct buf *b, const struct lab_stat *ls)
{
    buf_printf(b, "<h3 id=\"%s-together\">Tests failed together</h3>\n", ls->lab->name);
    if (!ls->ntogether) {
        buf_puts(b, "<p>No two tests were failed together by two or more submissions.</p>\n");
    } else {
        buf_puts(b, "<table>\n<tr><th>test</th><th>and test</th><th>failed both</th>"
                    "<th>failed each</th><th>overlap</th></tr>\n");
        for (int i = 0; i < ls->ntogether; i++) {
            const struct together *t = &ls->together[i];
            buf_puts(b, "<tr><td><code>");
            html_escape(b, t->a);
            buf_puts(b, "</code></td><td><code>");
            html_escape(b, t->b);
            buf_printf(b, "</code></td><td class=\"n\">%d</td><td class=\"n\">%d, %d</td>"
                          "<td class=\"n\">%.0f%%</td></tr>\n", t->both, t->fa, t->fb,
                       100 * t->jaccard);
        }
        buf_puts(b, "</table>\n");
    }
    if (ls->together_left_out)
        buf_printf(b, "<p class=\"note\">%d submission(s) that passed no test at all are left "
                      "out here: they fail every pair at once.</p>\n", ls->together_left_out);
}

/* One run: the lines of a file from..to, numbered, starter lines greyed. */
static void excerpt(struct buf *b, char **lines, int nlines, const struct sim_file *f,
                    int from, int to)
{
    buf_puts(b, "<pre>");
    for (int l = from < 1 ? 1 : from; l <= to && l <= nlines; l++) {
        if (l - from == 150) {
            buf_printf(b, "<span class=\"ln\">... %d more lines</span>\n", to - l + 1);
            break;
        }
        buf_printf(b, "<span class=\"ln\">%4d </span>", l);
        if (f->starter_line[l])
            buf_puts(b, "<span class=\"st\">");
        html_escape(b, lines[l - 1]);
        buf_puts(b, f->starter_line[l] ? "</span>\n" : "\n");
    }
    buf_puts(b, "</pre>");
}

static char **file_lines(const char *path, int *n)
{
    size_t len;
    char *text = read_file(path, 1 << 20, &len);
    char **lines = xcalloc(1, sizeof *lines);

    *n = 0;
    if (!text)
        return lines;
    sanitize_text(text);                    /* valid UTF-8 on the page, whatever the file */
    for (char *p = text, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        lines = xrealloc(lines, (size_t)(*n + 2) * sizeof *lines);
        lines[(*n)++] = nl ? strndup(p, (size_t)(nl - p)) : xstrdup(p);
        if (!nl)
            break;
    }
    free(text);
    return lines;
}

static void free_lines(char **lines, int n)
{
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

static void side_by_side(struct buf *b, const struct lab_stat *ls, size_t k)
{
    const struct sim_pair *p = &ls->sim.pairs[k];
    const struct sim_file *fa = &ls->sim.files[p->a], *fb = &ls->sim.files[p->b];
    int na, nb;
    char **la = file_lines(fa->path, &na), **lb = file_lines(fb->path, &nb);

    buf_printf(b, "<details id=\"%s-pair-%zu\"><summary>%zu. ", ls->lab->name, k + 1, k + 1);
    html_escape(b, fa->name);
    buf_puts(b, " and ");
    html_escape(b, fb->name);
    buf_printf(b, ": %zu matching region(s)</summary>\n<table class=\"sbs\">\n<tr><th>", p->nruns);
    html_escape(b, fa->name);
    buf_puts(b, "</th><th>");
    html_escape(b, fb->name);
    buf_puts(b, "</th></tr>\n");
    for (size_t r = 0; r < p->nruns; r++) {
        const struct sim_run *run = &p->runs[r];
        buf_printf(b, "<tr><td>lines %d-%d, %d tokens (%d not from the starter)", run->a_from,
                   run->a_to, run->tokens, run->own_a);
        excerpt(b, la, na, fa, run->a_from, run->a_to);
        buf_printf(b, "</td><td>lines %d-%d, %d tokens (%d not from the starter)", run->b_from,
                   run->b_to, run->tokens, run->own_b);
        excerpt(b, lb, nb, fb, run->b_from, run->b_to);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table></details>\n");
    free_lines(la, na);
    free_lines(lb, nb);
}

static void section_similarity(struct buf *b, const struct lab_stat *ls)
{
    const struct sim_lab *s = &ls->sim;

    buf_printf(b, "<h3 id=\"%s-similarity\">Similar submissions</h3>\n", ls->lab->name);
    if (s->error) {
        buf_puts(b, "<p>The similarity check did not run: ");
        html_escape(b, s->error);
        buf_puts(b, ".</p>\n");
        return;
    }
    buf_printf(b, "<p class=\"note\">sim_c (similarity-tester) compared the %zu %s files "
                  "pairwise, token by token, blind to names, layout and comments; lines it "
                  "found in the starter count for nobody. Pairs where either file has at least "
                  "%d%% of its own code in the other, most similar first. A high figure is a "
                  "reason to read both files, not a verdict: the scores are unchanged.</p>\n",
               s->nfiles, ls->lab->file, SIM_THRESHOLD);
    if (!s->npairs) {
        buf_printf(b, "<p>No pair above %d%%.</p>\n", SIM_THRESHOLD);
        return;
    }
    buf_puts(b, "<table class=\"pairs\">\n<tr><th>#</th><th>submission A</th><th>submission B"
                "</th><th>similarity</th><th>A found in B</th><th>B found in A</th>"
                "<th>regions</th></tr>\n");
    for (size_t k = 0; k < s->npairs; k++) {
        const struct sim_pair *p = &s->pairs[k];
        buf_printf(b, "<tr><td class=\"n\">%zu</td><td>", k + 1);
        html_escape(b, s->files[p->a].name);
        buf_puts(b, "</td><td>");
        html_escape(b, s->files[p->b].name);
        buf_printf(b, "</td><td class=\"n\">%.1f%%</td><td class=\"n\">%.1f%% (%ld/%ld)</td>"
                      "<td class=\"n\">%.1f%% (%ld/%ld)</td><td>", p->score, p->pct_a,
                   p->match_a, s->files[p->a].own, p->pct_b, p->match_b, s->files[p->b].own);
        if (k < SIM_SHOWN_PAIRS)
            buf_printf(b, "<a href=\"#%s-pair-%zu\">side by side</a>", ls->lab->name, k + 1);
        else
            buf_puts(b, "in similarity.csv");
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table>\n");
    for (size_t k = 0; k < s->npairs && k < SIM_SHOWN_PAIRS; k++)
        side_by_side(b, ls, k);
}

static void section_lab(struct buf *b, const struct lab_stat *ls)
{
    buf_printf(b, "<h2 id=\"%s\">%s: %s</h2>\n", ls->lab->name, ls->lab->name, ls->lab->file);
    buf_printf(b, "<h3 id=\"%s-scores\">Score distribution</h3>\n<p>%d submission(s); "
                  "out of %d: mean %.1f, median %.1f, lowest %d, highest %d. %d built and "
                  "ran the tests.</p>\n", ls->lab->name, ls->subs, ls->max_points, ls->mean,
               ls->median, ls->min, ls->max, ls->graded);
    if (ls->figure) {
        buf_puts(b, "<figure>");
        buf_puts(b, ls->figure);
        buf_puts(b, "</figure>\n");
    } else {
        buf_puts(b, "<p>No figure: ");
        html_escape(b, ls->figure_why);
        buf_puts(b, ".</p>\n");
    }
    buf_puts(b, "<table>\n<tr><th>score</th>");
    for (int k = 0; k < NBINS; k++)
        if (k == NBINS - 1)
            buf_puts(b, "<th>100%</th>");
        else
            buf_printf(b, "<th>%d-%d%%</th>", k * 10, k * 10 + 9);
    buf_puts(b, "</tr>\n<tr><td>submissions</td>");
    for (int k = 0; k < NBINS; k++)
        buf_printf(b, "<td class=\"n\">%d</td>", ls->bins[k]);
    buf_puts(b, "</tr>\n</table>\n");
    section_tests(b, ls);
    section_failures(b, ls);
    section_together(b, ls);
    section_similarity(b, ls);
}

static void section_slowest(struct buf *b, const struct cr_sub *subs, const size_t *slow,
                            size_t nslow, double median)
{
    buf_printf(b, "<h2 id=\"slowest\">Slowest submissions</h2>\n<p class=\"note\">Grading "
                  "time of the whole submission (building and every test); the class median "
                  "is %.1f s. Far above it: tests that ran into their time limit, or slow "
                  "code.</p>\n<table>\n<tr><th>#</th><th>submission</th><th>seconds</th>"
                  "<th>score</th></tr>\n", median);
    for (size_t k = 0; k < nslow; k++) {
        buf_printf(b, "<tr><td class=\"n\">%zu</td><td>", k + 1);
        html_escape(b, subs[slow[k]].name);
        buf_printf(b, "</td><td class=\"n\">%.1f</td><td class=\"n\">%d/%d</td></tr>\n",
                   subs[slow[k]].seconds, subs[slow[k]].score, subs[slow[k]].max);
    }
    buf_puts(b, "</table>\n");
}

static void write_page(struct lab_stat *ls, int nls, const struct cr_sub *subs, size_t n,
                       const size_t *slow, size_t nslow, double median, int stale)
{
    struct buf b = {0};
    char when[64];
    time_t now = time(NULL);

    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                 "<title>mmgrade class report</title>\n<style>\n");
    buf_puts(&b, page_style);
    buf_printf(&b, "</style>\n</head>\n<body>\n<h1>Class report</h1>\n<p>%zu graded "
                   "submission(s) in this directory, written %s by mmgrade. The same numbers "
                   "are in <code>class-*.csv</code> and <code>similarity.csv</code> beside this "
                   "page; nothing here changes a score.</p>\n", n, when);
    if (stale)
        buf_printf(&b, "<p class=\"note\">%d result(s) in this directory were graded with "
                       "other labs or options and are left out.</p>\n", stale);
    buf_puts(&b, "<ul>\n");
    for (int i = 0; i < nls; i++)
        buf_printf(&b, "<li><a href=\"#%s\">%s</a>: <a href=\"#%s-scores\">scores</a>, "
                       "<a href=\"#%s-tests\">tests</a>, <a href=\"#%s-failures\">failure "
                       "classes</a>, <a href=\"#%s-together\">failed together</a>, "
                       "<a href=\"#%s-similarity\">similarity</a></li>\n",
                   ls[i].lab->name, ls[i].lab->name, ls[i].lab->name, ls[i].lab->name,
                   ls[i].lab->name, ls[i].lab->name, ls[i].lab->name);
    buf_puts(&b, "<li><a href=\"#slowest\">slowest submissions</a></li>\n</ul>\n");
    for (int i = 0; i < nls; i++)
        section_lab(&b, &ls[i]);
    section_slowest(&b, subs, slow, nslow, median);
    buf_puts(&b, "</body>\n</html>\n");
    char *path = xasprintf("%s/class.html", cfg.out);
    if (write_file_atomic(path, b.p, b.len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(path);
    free(b.p);
}

/* ---- Entry point ------------------------------------------------------------------------ */

static const struct cr_sub *sort_subs;

static int slower_first(const void *x, const void *y)
{
    const struct cr_sub *a = &sort_subs[*(const size_t *)x], *b = &sort_subs[*(const size_t *)y];
    if (a->seconds != b->seconds)
        return a->seconds < b->seconds ? 1 : -1;
    return strcmp(a->name, b->name);
}

void class_report_write(struct lab *labs, int nlabs, const char *key)
{
    struct cr_sub *subs;
    int stale, nls = 0;
    size_t n = class_results_load(cfg.out, key, &subs, &stale);
    struct lab_stat *ls = xcalloc((size_t)nlabs + 1, sizeof *ls);
    size_t *order = xcalloc(n + 1, sizeof *order);

    for (int i = 0; i < nlabs; i++) {
        if (!cfg.lab_selected[labs[i].num] || labs[i].skip)
            continue;
        struct lab_stat *l = &ls[nls++];
        l->lab = &labs[i];
        lab_numbers(l, subs, n);
        lab_similarity(l, subs, n);
        char *title = xasprintf("%s: %d submission(s)", labs[i].name, l->subs);
        l->figure = class_figure_svg(l->bins, NBINS, title, &l->figure_why);
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
    write_csvs(ls, nls, subs, order, nslow);
    write_page(ls, nls, subs, n, order, nslow, median, stale);
    fprintf(stderr, "mmgrade: class report of %zu submission(s): %s/class.html\n", n, cfg.out);
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
