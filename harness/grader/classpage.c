/* classpage.c - class.html: one self-contained page (inline CSS and SVG, no script, nothing
 * fetched) that reads well in a browser and on paper; every number also in the CSVs. */
#include "classreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* A test name that may wrap after '/' and '_' (they are long, and the hints need room). */
static void test_name(struct buf *b, const char *s)
{
    for (; *s; s++) {
        char c[2] = {*s, '\0'};
        html_escape(b, c);
        if (*s == '/' || *s == '_')
            buf_puts(b, "<wbr/>");
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
    ".low td.rate{font-weight:bold}td.rate{white-space:nowrap}\n"
    "table.tests{width:100%}table.tests td:first-child{width:32%}"
    "table.tests td:nth-child(5){width:30%}.note{color:#444;font-size:.92rem}\n"
    "pre{margin:0;font-size:12px;line-height:1.3;white-space:pre-wrap;word-break:break-all}\n"
    "table.sbs{width:100%;table-layout:fixed}table.sbs td{width:50%}\n"
    ".ln{color:#777;user-select:none}.st{color:#999}\n"
    "details{margin:.5rem 0}summary{cursor:pointer;font-weight:bold}\n"
    "@media print{body{max-width:none;font-size:11pt}th{background:none}"
    "details{break-inside:avoid}a{color:#000}}\n";

static void bar(struct buf *b, double pct)
{
    buf_printf(b, "<span class=\"bar\" style=\"width:%.1fpx\"></span> ", pct * 0.8);
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
        double r = test_pass_rate(t);
        buf_printf(b, "<tr%s><td><code>", t->ran && r < 50 ? " class=\"low\"" : "");
        test_name(b, t->name);
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
        buf_puts(b, "<p>No test timed out or crashed, and every file was there "
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
            test_name(b, t->a);
            buf_puts(b, "</code></td><td><code>");
            test_name(b, t->b);
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

static char **file_lines(const char *text, int *n)
{
    char **lines = xcalloc(1, sizeof *lines);

    *n = 0;
    for (const char *p = text, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        lines = xrealloc(lines, (size_t)(*n + 2) * sizeof *lines);
        lines[(*n)++] = nl ? strndup(p, (size_t)(nl - p)) : xstrdup(p);
        if (!nl)
            break;
    }
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
    char **la = file_lines(fa->text, &na), **lb = file_lines(fb->text, &nb);

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
    for (size_t k = 0; k < s->npairs && k < SIM_LISTED_PAIRS; k++) {
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
            buf_printf(b, "(top %d only)", SIM_SHOWN_PAIRS);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table>\n");
    if (s->npairs > SIM_LISTED_PAIRS)
        buf_printf(b, "<p class=\"note\">%zu more pair(s) in class/similarity.csv.</p>\n",
                   s->npairs - SIM_LISTED_PAIRS);
    buf_puts(b, "<p class=\"note\">Side by side: each region sim_c matched, with its lines "
                "in both files; grey lines are starter material and do not count.</p>\n");
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

static void section_slowest(struct buf *b, const struct class_view *v)
{
    const struct cr_sub *subs = v->subs;
    const size_t *slow = v->slow;

    buf_printf(b, "<h2 id=\"slowest\">Slowest submissions</h2>\n<p class=\"note\">Grading "
                  "time of the whole submission (building and every test); the class median "
                  "is %.1f s. Far above it: tests that ran into their time limit, or slow "
                  "code.</p>\n<table>\n<tr><th>#</th><th>submission</th><th>seconds</th>"
                  "<th>score</th></tr>\n", v->median_seconds);
    for (size_t k = 0; k < v->nslow; k++) {
        buf_printf(b, "<tr><td class=\"n\">%zu</td><td>", k + 1);
        html_escape(b, subs[slow[k]].name);
        buf_printf(b, "</td><td class=\"n\">%.1f</td><td class=\"n\">%d/%d</td></tr>\n",
                   subs[slow[k]].seconds, subs[slow[k]].score, subs[slow[k]].max);
    }
    buf_puts(b, "</table>\n");
}

void class_page_write(const struct class_view *v)
{
    const struct lab_stat *ls = v->labs;
    int nls = v->nlabs;
    struct buf b = {0};
    char when[64];
    time_t now = time(NULL);

    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                 "<title>mmgrade class report</title>\n<style>\n");
    buf_puts(&b, page_style);
    buf_printf(&b, "</style>\n</head>\n<body>\n<h1>Class report</h1>\n<p>%zu graded "
                   "submission(s) in this directory, written %s by mmgrade. The same numbers "
                   "are in the CSV files of <code>class/</code> beside this page; nothing here "
                   "changes a score.</p>\n", v->n, when);
    if (v->unrecorded > 0)
        buf_printf(&b, "<p class=\"note\">%d graded submission(s) have no result record "
                       "(graded by an older mmgrade) and are left out: run the batch again "
                       "with <code>--force</code> to include them.</p>\n", v->unrecorded);
    if (v->stale)
        buf_printf(&b, "<p class=\"note\">%d result(s) in this directory were graded with "
                       "other labs or options and are left out.</p>\n", v->stale);
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
    section_slowest(&b, v);
    buf_puts(&b, "</body>\n</html>\n");
    char *path = xasprintf("%s/class.html", v->dir);
    if (write_file_atomic(path, b.p, b.len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(path);
    free(b.p);
}

