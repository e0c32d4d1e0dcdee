/* similarity.c - which students' files of one lab look copied, by Debian's similarity-tester
 * (sim_c compares C token by token, blind to identifiers, layout and comments). The starter
 * is subtracted: the lines of each file that sim_c finds in the starter count for nobody.
 * Three sim_c runs: the token stream (tokens per line), each file against the starter
 * (old file), every pair in isolation (-e -a). It reports; it never changes a score. */
#include "classreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_C     "/usr/bin/sim_c"
#define SIM_WALL  600.0                 /* seconds per sim_c run; 300 files take ~20 s */

/* Runs sim_c in work with the given options then files 0.c .. n-1.c (and "/ s.c" when
 * starter); its output is in work/out. Returns the output or NULL with *why. */
static char *run_sim(const char *work, const char *opts, size_t n, bool starter, char **why)
{
    struct strv argv = {0};
    char *out = xasprintf("%s/out", work), *text = NULL;
    size_t len;

    strv_add(&argv, SIM_C);
    strv_split(&argv, "-o out");        /* before the options: "--" ends sim_c's options */
    strv_split(&argv, opts);
    for (size_t i = 0; i < n; i++)
        strv_addf(&argv, "%zu.c", i);
    if (starter)
        strv_split(&argv, "/ s.c");
    /* Sandboxed like any tool that reads student files: sim_c's output grows with the
     * square of the class (300 near-copies: ~100 MB, 200 MB of memory). */
    struct sbx_job job = {.argv = argv.v, .cwd = work, .report_fd = -1, .out_keep = 4096,
                          .wall = SIM_WALL, .cpu = (rlim_t)SIM_WALL, .as = 4ul << 30,
                          .fsize = 1ul << 30, .nofile = 64, .nproc = 16};
    struct sbx_result res;
    unlink(out);
    sbx_run(&job, &res);
    if (res.status != 0 || res.timed_out) {
        if (res.out)
            sanitize_text(res.out);
        *why = xasprintf("sim_c %s %s%s", opts, res.timed_out ? "took too long" : "failed",
                         res.out && *res.out ? ": " : "");
        if (res.out && *res.out) {
            char *w = xasprintf("%s%.300s", *why, res.out);
            free(*why);
            *why = w;
        }
    } else if (!(text = read_file(out, 512 << 20, &len))) {
        *why = xasprintf("sim_c wrote no output: %s", strerror(errno));
    }
    sbx_result_free(&res);
    strv_free(&argv);
    free(out);
    return text;
}

/* "File 3.c: showing the token stream" then "line # = L, token # = T:" before each line's
 * tokens, one per line (indented). */
static void read_token_stream(char *text, struct sim_lab *s)
{
    struct sim_file *f = NULL;
    int line = 0;
    size_t idx;

    for (char *l = text, *next; l && *l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        if (sscanf(l, "File %zu.c:", &idx) == 1 && idx < s->nfiles) {
            f = &s->files[idx];
            line = 0;
        } else if (f && sscanf(l, "line # = %d,", &line) == 1) {
            if (line < 1 || line > f->nlines)
                line = 0;
        } else if (f && line && l[0] == ' ') {
            f->line_tokens[line]++;
            f->tokens++;
        }
    }
}

/* One line of sim_c -n: "3.c: line 17-206 |5.c: line 17-206 [1179]" (padding varies). */
static bool parse_run(const char *l, size_t *a, size_t *b, struct sim_run *r)
{
    char sep[2];
    return sscanf(l, "%zu.c: line %d-%d %1[|]%zu.c: line %d-%d [%d]", a, &r->a_from, &r->a_to,
                  sep, b, &r->b_from, &r->b_to, &r->tokens) == 8 ||
           (sscanf(l, "%zu.c: line %d-%d %1[|]s.c: line %d-%d [%d]", a, &r->a_from, &r->a_to,
                   sep, &r->b_from, &r->b_to, &r->tokens) == 7 && (*b = (size_t)-1, true));
}

/* Tokens of a run that are not starter material: sim_c's exact count for the run, less the
 * tokens on the starter lines it covers (a line is the finest grain sim_c reports). */
static int own_tokens(const struct sim_file *f, int from, int to, int tokens)
{
    int starter = 0;
    for (int l = from < 1 ? 1 : from; l <= to && l <= f->nlines; l++)
        if (f->starter_line[l])
            starter += f->line_tokens[l];
    return starter < tokens ? tokens - starter : 0;
}

static void mark_starter(char *text, struct sim_lab *s)
{
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        size_t a, b;
        struct sim_run r;
        if (!parse_run(l, &a, &b, &r) || a >= s->nfiles || b != (size_t)-1)
            continue;
        struct sim_file *f = &s->files[a];
        for (int k = r.a_from < 1 ? 1 : r.a_from; k <= r.a_to && k <= f->nlines; k++)
            f->starter_line[k] = true;
    }
    for (size_t i = 0; i < s->nfiles; i++) {
        struct sim_file *f = &s->files[i];
        f->own = 0;
        for (int l = 1; l <= f->nlines; l++)
            f->own += f->starter_line[l] ? 0 : f->line_tokens[l];
    }
}

static int by_score(const void *x, const void *y)
{
    const struct sim_pair *p = x, *q = y;
    double pm = p->pct_a > p->pct_b ? p->pct_a : p->pct_b;
    double qm = q->pct_a > q->pct_b ? q->pct_a : q->pct_b;
    if (p->score != q->score)
        return p->score < q->score ? 1 : -1;
    if (pm != qm)
        return pm < qm ? 1 : -1;
    return p->a != q->a ? (p->a < q->a ? -1 : 1) : (p->b < q->b ? -1 : 1);
}

/* Adds a run of sim_c's output to its pair: its own tokens to the side they were found
 * from, and (if it has any) the run itself, oriented as (a, b) and kept once although -a
 * reports it from both sides. */
static void add_run(struct sim_pair *p, size_t *cap, struct sim_run r, bool from_b)
{
    if (from_b)
        p->match_b += r.own_a;
    else
        p->match_a += r.own_a;
    if (r.own_a == 0)               /* starter material only: nothing to show */
        return;
    if (from_b) {
        int t;
        t = r.a_from, r.a_from = r.b_from, r.b_from = t;
        t = r.a_to, r.a_to = r.b_to, r.b_to = t;
        t = r.own_a, r.own_a = r.own_b, r.own_b = t;
    }
    for (size_t k = 0; k < p->nruns; k++)
        if (p->runs[k].a_from == r.a_from && p->runs[k].a_to == r.a_to &&
            p->runs[k].b_from == r.b_from && p->runs[k].b_to == r.b_to)
            return;
    if (p->nruns == *cap)
        p->runs = xrealloc(p->runs, (*cap = *cap * 2 + 4) * sizeof *p->runs);
    p->runs[p->nruns++] = r;
}

/* Percentages of a pair; true if either side reaches the threshold. */
static bool pair_over_threshold(struct sim_pair *p, const struct sim_file *fa,
                                const struct sim_file *fb)
{
    if (p->a == p->b || fa->own == 0 || fb->own == 0)
        return false;
    /* Runs can overlap in a file (sim_c matches each pair separately): cap at 100 %. */
    p->match_a = p->match_a > fa->own ? fa->own : p->match_a;
    p->match_b = p->match_b > fb->own ? fb->own : p->match_b;
    p->pct_a = 100.0 * (double)p->match_a / (double)fa->own;
    p->pct_b = 100.0 * (double)p->match_b / (double)fb->own;
    p->score = 100.0 * (double)(p->match_a + p->match_b) / (double)(fa->own + fb->own);
    return p->pct_a >= SIM_THRESHOLD || p->pct_b >= SIM_THRESHOLD;
}

/* Every run between two files, kept per unordered pair; then the pairs over the threshold,
 * most similar first. */
static void collect_pairs(char *text, struct sim_lab *s)
{
    size_t n = s->nfiles;
    struct sim_pair *all = xcalloc(n * n, sizeof *all);   /* [a * n + b], a < b */
    size_t *cap = xcalloc(n * n, sizeof *cap);

    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        size_t a, b;
        struct sim_run r;
        if (!parse_run(l, &a, &b, &r) || a >= n || b >= n || a == b)
            continue;
        r.own_a = own_tokens(&s->files[a], r.a_from, r.a_to, r.tokens);
        r.own_b = own_tokens(&s->files[b], r.b_from, r.b_to, r.tokens);
        size_t lo = a < b ? a : b, hi = a < b ? b : a;
        all[lo * n + hi].a = lo;
        all[lo * n + hi].b = hi;
        add_run(&all[lo * n + hi], &cap[lo * n + hi], r, a != lo);
    }
    s->pairs = xcalloc(n * n + 1, sizeof *s->pairs);
    for (size_t i = 0; i < n * n; i++) {
        struct sim_pair *p = &all[i];
        if (pair_over_threshold(p, &s->files[p->a], &s->files[p->b]))
            s->pairs[s->npairs++] = *p;
        else
            free(p->runs);
    }
    qsort(s->pairs, s->npairs, sizeof *s->pairs, by_score);
    free(all);
    free(cap);
}

static int count_lines(const char *text)
{
    size_t len = strlen(text);
    int n = 0;

    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n + (len && text[len - 1] != '\n');
}

/* The work directory: the texts as 0.c .. n-1.c and a copy of the starter as s.c (short
 * names that sim_c's output cannot confuse with its own punctuation). */
static char *make_work(const char *starter, const char *const *texts, size_t n, char **why)
{
    const char *base = getenv("TMPDIR");
    char *work = xasprintf("%s/mmsim.XXXXXX", base && *base ? base : "/tmp");
    char *s = NULL;

    if (!mkdtemp(work)) {
        *why = xasprintf("%s: cannot create: %s", work, strerror(errno));
        goto fail;
    }
    s = xasprintf("%s/s.c", work);      /* after mkdtemp, which fills in the name */
    if (copy_file(starter, s, 0644) == -1) {
        *why = xasprintf("%s: %s", starter, strerror(errno));
        goto fail_remove;
    }
    for (size_t i = 0; i < n; i++) {
        char *f = xasprintf("%s/%zu.c", work, i);
        int ret = write_file_atomic(f, texts[i], strlen(texts[i]));
        free(f);
        if (ret == -1) {
            *why = xasprintf("%s: cannot write: %s", work, strerror(errno));
            goto fail_remove;
        }
    }
    free(s);
    sbx_own(work);                      /* sim_c writes its output there */
    return work;
fail_remove:
    remove_tree(work);
fail:
    free(s);
    free(work);
    return NULL;
}

void similarity_check(const char *starter, const char *const *names,
                      const char *const *texts, size_t n, struct sim_lab *s)
{
    double t0 = now_seconds();
    char *work = NULL, *text;

    memset(s, 0, sizeof *s);
    s->nfiles = n;
    s->files = xcalloc(n + 1, sizeof *s->files);
    for (size_t i = 0; i < n; i++) {
        struct sim_file *f = &s->files[i];
        f->name = names[i];
        f->text = texts[i];
        f->nlines = count_lines(texts[i]);
        f->line_tokens = xcalloc((size_t)f->nlines + 2, sizeof *f->line_tokens);
        f->starter_line = xcalloc((size_t)f->nlines + 2, sizeof *f->starter_line);
    }
    if (access(SIM_C, X_OK) != 0) {
        s->error = xstrdup("sim_c is not installed (Debian package similarity-tester; "
                           "harness/install-deps installs it)");
        goto out;
    }
    if (n < 2) {
        s->error = xasprintf("%zu student file(s) of this lab: nothing to compare", n);
        goto out;
    }
    if (!(work = make_work(starter, texts, n, &s->error)))
        goto out;
    if (!(text = run_sim(work, "--", n, false, &s->error)))
        goto out;
    read_token_stream(text, s);
    free(text);
    char opts[64];
    snprintf(opts, sizeof opts, "-n -S -T -r %d", SIM_STARTER_RUN);
    if (!(text = run_sim(work, opts, n, true, &s->error)))
        goto out;
    mark_starter(text, s);
    free(text);
    snprintf(opts, sizeof opts, "-n -e -a -s -T -r %d", SIM_MIN_RUN);
    if (!(text = run_sim(work, opts, n, false, &s->error)))
        goto out;
    collect_pairs(text, s);
    free(text);
out:
    if (work) {
        remove_tree(work);
        free(work);
    }
    s->seconds = now_seconds() - t0;
}

void similarity_free(struct sim_lab *s)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        free(s->files[i].line_tokens);
        free(s->files[i].starter_line);
    }
    for (size_t i = 0; i < s->npairs; i++)
        free(s->pairs[i].runs);
    free(s->files);
    free(s->pairs);
    free(s->error);
}
