/* classstats.c - the class report's numbers for one lab, from the per-submission results:
 * the score distribution, every test's pass rate (sorted worst first), the failure classes
 * (missing, rejected, uncompiled, timed out, crashed by signal, never reported) and the pairs
 * of tests the same submissions fail. */
#include "classreport.h"

#include <stdlib.h>
#include <string.h>

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
        {T_TIMEOUT, "timed out"}, {T_NOREPORT, "never reported (runner killed)"}};

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
            size_t t = (size_t)(test_of(ls, l->tests[i].name) - ls->tests);
            if (l->tests[i].status != T_PASSED && t < nt)   /* all known: lab_numbers saw them */
                failed[t] = true;
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

void class_lab_numbers(struct lab_stat *ls, const struct cr_sub *subs, size_t n)
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

double test_pass_rate(const struct test_stat *t)
{
    return t->ran ? 100.0 * t->passed / t->ran : 0;
}
