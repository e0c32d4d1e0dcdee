/* grade.c - grades one submission: a fresh scratch directory, the student files found and
 * copied in, each selected lab built and its tests run, everything removed afterwards. */
#include "grader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *make_scratch(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = xasprintf("%s/mmgrade.XXXXXX", base && *base ? base : "/tmp");

    if (!mkdtemp(dir))
        die("%s: cannot create a scratch directory: %s", dir, strerror(errno));
    /* The sandbox uid must reach its own subdirectories, never list ours. */
    if (chmod(dir, 0711) == -1)
        die("%s: chmod: %s", dir, strerror(errno));
    return dir;
}

static void grade_lab(struct lab *lab, const char *scratch, const char *found,
                      const struct config *o, struct lab_result *r)
{
    char *labdir = xasprintf("%s/%s", scratch, lab->name), *bindir = NULL;
    double t0 = now_seconds();

    r->lab = lab;
    if (!found) {
        r->state = L_MISSING;
        r->message = xasprintf("No %s found in the submission: %s scores 0. Hand in %s (any "
                               "directory depth; the lab's Makefile: make submit).",
                               lab->file, lab->name, lab->file);
        char *why = xasprintf("not run: no %s in the submission", lab->file);
        lab_result_not_run(r, why);
        free(why);
    } else if (student_build(lab, labdir, r, &bindir) == -1) {
        char *why = xasprintf("not run: %s %s", lab->file, r->state == L_REJECTED ?
                              "was rejected (see above)" : "did not compile (see above)");
        lab_result_not_run(r, why);
        free(why);
    } else {
        char *work = xasprintf("%s/run", scratch);
        r->state = L_GRADED;
        run_lab_tests(lab, bindir, work, o, false, r);
        free(work);
    }
    r->seconds = now_seconds() - t0;
    free(bindir);
    free(labdir);
}

/* Paths inside a submission (in notes and lab headers) and whatever a test printed end up in
 * JSON, XML, CSV and on terminals: every string of the grade becomes printable UTF-8. */
static void make_printable(struct grade *g)
{
    /* A note is one line ("note: ..."): a newline in a member name must not start a line of
     * its own in the text report (a forged "Score: 100/100"). */
    for (size_t i = 0; i < g->notes.n; i++) {
        sanitize_text(g->notes.v[i]);
        for (char *c = g->notes.v[i]; *c; c++)
            if (*c == '\n' || *c == '\t')
                *c = '?';
    }
    for (int l = 0; l < g->nlabs; l++) {
        struct lab_result *r = &g->labs[l];
        if (r->source) {
            char *key = name_key(r->source);
            free(r->source);
            r->source = key;
        }
        if (r->message)
            sanitize_text(r->message);
        for (size_t k = 0; k < r->ntests; k++) {
            struct test_result *t = &r->tests[k];
            for (size_t m = 0; m < t->messages.n; m++)
                sanitize_text(t->messages.v[m]);
            if (t->output)
                sanitize_text(t->output);
            if (t->note)
                sanitize_text(t->note);
        }
    }
}

int grade_submission(const char *path, struct lab *labs, int nlabs, const struct config *o,
                     struct grade *g)
{
    char *found[MAX_LABS];
    double t0 = now_seconds();
    char *scratch = make_scratch();

    memset(g, 0, sizeof *g);
    g->path = xstrdup(path);
    g->name = submission_name(path);
    g->isolation = sbx_isolation();
    submission_collect(path, scratch, labs, nlabs, found, g);
    for (int i = 0; i < nlabs && !sbx_interrupted; i++) {
        struct lab_result *r = &g->labs[g->nlabs];
        if (!labs[i].selected)
            continue;
        memset(r, 0, sizeof *r);
        r->lab = &labs[i];
        g->nlabs++;
        if (labs[i].skip) {
            r->state = L_SKIPPED;
            r->message = xasprintf("skipped: %s", labs[i].skip);
            continue;
        }
        r->source = found[i] ? xstrdup(found[i]) : NULL;
        grade_lab(&labs[i], scratch, found[i], o, r);
        if (o->verbose || (o->progress && !o->out))
            fprintf(stderr, "mmgrade: %s: %s: %d/%d in %.1f s\n", g->name, labs[i].name,
                    r->score, r->max, r->seconds);
        g->score += r->score;
        g->max += r->max;
    }
    for (int i = 0; i < nlabs; i++)
        free(found[i]);                 /* all of them: an interruption skips labs */
    if (o->keep)
        fprintf(stderr, "mmgrade: kept the scratch directory %s\n", scratch);
    else if (remove_tree(scratch) == -1)
        warnx_("%s: could not remove the scratch directory: %s", scratch, strerror(errno));
    free(scratch);
    make_printable(g);
    g->seconds = now_seconds() - t0;
    return sbx_interrupted ? -1 : 0;
}

size_t grade_error_count(const struct grade *g)
{
    size_t n = 0;

    for (int i = 0; i < g->nlabs; i++)
        n += g->labs[i].errors.n;
    return n;
}

void grade_free(struct grade *g)
{
    for (int i = 0; i < g->nlabs; i++)
        lab_result_free(&g->labs[i]);
    free(g->path);
    free(g->name);
    strv_free(&g->notes);
}
