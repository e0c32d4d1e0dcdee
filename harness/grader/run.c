/* run.c - runs a lab's tests in the sandbox: the public test binary first, then the hidden
 * one, linked only after the public run (student code run by a public test cannot read the
 * hidden tests). Each binary runs once (-j1); a test without a verdict runs again alone
 * (`run --filter suite/name -j1`), with its own time limit and output capture.
 * The verdict comes only from the JSON Lines the report hook writes to MMTEST_REPORT_FD. */
#include "grader.h"
#include "grader-config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void sandbox_limits(struct sbx_job *job, double test_timeout)
{
    job->report_fd = -1;
    job->out_keep = TEST_OUTPUT_KEEP;
    job->wall = test_timeout > 0 ? test_timeout + TEST_WALL_SLACK : TEST_WALL_DEFAULT;
    job->cpu = TEST_RLIMIT_CPU;
    job->as = TEST_AS_BYTES;
    job->fsize = TEST_FSIZE_BYTES;
    job->nofile = TEST_NOFILE;
    job->nproc = TEST_NPROC;
}

/* The test binary's directory, bound read-only: the runner finds its helpers beside it. */
static void bind_binary_dir(struct sbx_job *job, const char *run)
{
    char *dir = xstrdup(run);

    *strrchr(dir, '/') = '\0';
    strv_add(&job->ro, dir);
    free(dir);
}

/* A fresh work directory and TMPDIR under workroot, owned by the sandbox user: outside
 * bubblewrap the test needs a home and a TMPDIR of its own. The work directory is also the
 * disk directory of tests that watch data reach a disk (lab 1's msync test). */
struct test_space {
    char *work, *tmp;
};

static void make_test_space(struct sbx_job *job, const char *workroot, struct test_space *s)
{
    s->work = xasprintf("%s/work", workroot);
    s->tmp = xasprintf("%s/tmp", workroot);
    remove_tree(workroot);
    if (mkdirs(s->work, 0755) == -1 || mkdirs(s->tmp, 0755) == -1)
        die("%s: %s", workroot, strerror(errno));
    sbx_own(workroot);
    sbx_own(s->work);
    sbx_own(s->tmp);
    job->cwd = sbx_private_home() ? NULL : s->work;
    job->tmpdir = s->tmp;
    job->disk_dir = s->work;
}

static void free_test_space(const char *workroot, struct test_space *s)
{
    remove_tree(workroot);
    free(s->work);
    free(s->tmp);
}

/* Test names from `run --list` (the tree Criterion prints: "suite: N tests", "├── name"). */
static int list_tests(const char *run, struct strv *names, char **err)
{
    char *argv[] = {(char *)run, "--list", NULL};
    struct sbx_job job = {.argv = argv};
    struct sbx_result res;
    char *suite = NULL, *save = NULL;

    sandbox_limits(&job, 0);
    job.wall = LIST_WALL;
    job.out_keep = LIST_OUTPUT_KEEP;
    bind_binary_dir(&job, run);
    sbx_run(&job, &res);
    strv_free(&job.ro);
    if (res.status != 0 || res.timed_out) {
        bool cut;
        *err = first_lines(res.out, 10, 2000, &cut);
        sanitize_text(*err);
        sbx_result_free(&res);
        return -1;
    }
    for (char *line = strtok_r(res.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strstr(line, ": "), *mark;
        bool tree = (unsigned char)line[0] >= 0x80 || line[0] == '|' || line[0] == '`';
        if (!tree && colon && (has_suffix(line, " tests") || has_suffix(line, " test"))) {
            free(suite);
            *colon = '\0';
            suite = xstrdup(line);
        } else if (tree && suite && ((mark = strstr(line, "\xe2\x94\x80\xe2\x94\x80 ")) ||
                                     (mark = strstr(line, "-- ")))) {
            mark += mark[0] == '-' ? 3 : 7;
            strv_addf(names, "%s/%s", suite, mark);
        }
    }
    free(suite);
    sbx_result_free(&res);
    return 0;
}

static enum tstatus parse_status(const char *s)
{
    if (!strcmp(s, "passed"))
        return T_PASSED;
    if (!strcmp(s, "crashed"))
        return T_CRASHED;
    if (!strcmp(s, "timeout"))
        return T_TIMEOUT;
    return T_FAILED;
}

/* Folds the JSON Lines of one run into t. A test passes only if every line of it (one per
 * parameter) passed and the runner finished ("complete"). */
static void parse_report(const char *report, struct test_result *t, bool timed_out, bool all,
                         struct strv *errors)
{
    char *copy = xstrdup(report), *save = NULL;
    bool complete = false, moved_on = false;
    int lines = 0;

    t->status = T_PASSED;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *obj = cJSON_Parse(line);
        if (!obj)
            continue;
        if (cJSON_IsTrue(cJSON_GetObjectItem(obj, "complete"))) {
            complete = true;
        } else {
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(obj, "test"));
            const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(obj, "status"));
            if (name && lines > 0 && strcmp(name, t->name) != 0)
                moved_on = true;    /* -j1: the runner finished t before this one */
            if (name && st && strcmp(name, t->name) == 0) {
                enum tstatus s = parse_status(st);
                lines++;
                if (t->status == T_PASSED)
                    t->status = s;
                const char *sig = cJSON_GetStringValue(cJSON_GetObjectItem(obj, "signal"));
                if (sig && !t->signal)
                    t->signal = xstrdup(sig);
                cJSON *ec = cJSON_GetObjectItem(obj, "exit_code");
                if (cJSON_IsNumber(ec) && ec->valueint)
                    t->exit_code = ec->valueint;
                cJSON *secs = cJSON_GetObjectItem(obj, "seconds");
                if (cJSON_IsNumber(secs))
                    t->seconds += secs->valuedouble;
                cJSON *msg;
                cJSON_ArrayForEach(msg, cJSON_GetObjectItem(obj, "messages")) {
                    const char *m = cJSON_GetStringValue(msg);
                    if (m && t->messages.n < 20)
                        strv_add(&t->messages, m);
                }
            } else if (name && !all) {
                grader_error(errors, "asked for %s, the report names %s", t->name, name);
            }
        }
        cJSON_Delete(obj);
    }
    free(copy);
    if (lines == 0) {
        t->status = timed_out ? T_TIMEOUT : T_NOREPORT;
        if (timed_out)
            t->note = xstrdup("the test was killed at the grader's time limit");
    } else if (!complete && !moved_on && t->status == T_PASSED) {
        t->status = T_NOREPORT;
        t->note = xstrdup("the test runner did not finish after this test (was it killed?)");
    }
}

/* What the test printed, without Criterion's own log lines ("[----] file:line: Assertion
 * Failed", "[====] Synthesis"): the assertion messages are shown from the report instead. */
static char *without_runner_lines(const char *out)
{
    static const char *const tags[] = {"[----]", "[====]", "[FAIL]", "[PASS]", "[RUN ]",
                                       "[SKIP]", "[ERR ]", "[WARN]", "[ERR]", NULL};
    struct buf b = {0};

    for (const char *p = out; *p; ) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        bool runner = strncmp(p, "mmtest: ", 8) == 0 && strstr(p, "Criterion counts it");
        for (int i = 0; tags[i] && !runner; i++)
            runner = strncmp(p, tags[i], strlen(tags[i])) == 0;
        if (!runner)
            buf_add(&b, p, n);
        p += n;
    }
    return buf_take(&b);
}

/* ---- CPU budgets per test ------------------------------------------------------------ */

/* What the sandbox asks after each report line: the CPU budget of the next window. In a run
 * of the whole binary the next test is the one after this in the run order (or this one
 * again, for its next parameter). While calibrating, it records each test's CPU time. */
struct window_plan {
    struct lab *lab;
    bool measuring;             /* calibrating: record each test's CPU time, no budgets */
    const struct strv *order;   /* test names in run order (as `run --list` gives them) */
    const char *only;           /* a run of this test alone */
    char *current;              /* the test of the last line, and how many lines it has had */
    int seen;
};

static void record_cpu(struct lab *lab, const char *name, double used, int busy)
{
    size_t i = 0;

    while (i < lab->cal_names.n && strcmp(lab->cal_names.v[i], name) != 0)
        i++;
    if (i == lab->cal_names.n) {
        strv_add(&lab->cal_names, name);
        lab->cal_cpu = xrealloc(lab->cal_cpu, lab->cal_names.n * sizeof *lab->cal_cpu);
        lab->cal_lines = xrealloc(lab->cal_lines, lab->cal_names.n * sizeof *lab->cal_lines);
        lab->cal_busy = xrealloc(lab->cal_busy, lab->cal_names.n * sizeof *lab->cal_busy);
        lab->cal_cpu[i] = 0;
        lab->cal_lines[i] = 0;
        lab->cal_busy[i] = 0;
    }
    if (used > lab->cal_cpu[i])
        lab->cal_cpu[i] = used;
    if (busy > lab->cal_busy[i])
        lab->cal_busy[i] = busy;
    lab->cal_lines[i]++;
}

static double next_budget(void *ctx, const char *line, double used, int busy)
{
    struct window_plan *w = ctx;
    cJSON *obj = cJSON_Parse(line);
    const char *name = obj ? cJSON_GetStringValue(cJSON_GetObjectItem(obj, "test")) : NULL;
    double budget = 0;

    if (w->measuring) {
        if (name)
            record_cpu(w->lab, name, used, busy);
    } else if (w->only) {
        budget = test_cpu_budget(w->lab, w->only);
    } else if (name) {
        /* The same test again (its next parameter), or the one after it. */
        if (w->current && strcmp(w->current, name) == 0) {
            w->seen++;
        } else {
            free(w->current);
            w->current = xstrdup(name);
            w->seen = 1;
        }
        const char *next = name;
        if (w->seen >= test_report_lines(w->lab, name)) {
            next = "";
            for (size_t i = 0; w->order && i + 1 < w->order->n; i++)
                if (strcmp(w->order->v[i], name) == 0)
                    next = w->order->v[i + 1];
        }
        budget = test_cpu_budget(w->lab, next);
    }
    cJSON_Delete(obj);
    return budget;
}

static void plan_windows(struct sbx_job *job, struct window_plan *w)
{
    job->window_budget = next_budget;
    job->window_ctx = w;
    if (!w->measuring)
        job->window_cpu = test_cpu_budget(w->lab, w->only ? w->only :
                                          w->order && w->order->n ? w->order->v[0] : "");
}

/* The tests during which the sandbox killed a process over the CPU budget: the first
 * report line that ends after each kill names it. */
static void note_cpu_kills(const struct sbx_result *res, struct lab_result *r, bool hidden,
                           bool verbose)
{
    for (int k = 0; k < res->ncpu_kills; k++) {
        const char *line = res->report + res->cpu_kill_at[k];
        const char *nl = strchr(line, '\n');
        if (!nl)
            continue;
        char *text = xasprintf("%.*s", (int)(nl - line), line);
        cJSON *obj = cJSON_Parse(text);
        const char *name = obj ? cJSON_GetStringValue(cJSON_GetObjectItem(obj, "test")) : NULL;
        for (size_t i = 0; name && i < r->ntests; i++) {
            struct test_result *t = &r->tests[i];
            if (t->hidden != hidden || strcmp(t->name, name) != 0 || t->cpu_stopped ||
                t->status == T_NOTRUN)
                continue;
            t->cpu_stopped = true;
            double b = test_cpu_budget(r->lab, name);
            if (verbose)
                fprintf(stderr, "mmgrade: %s %s: stopped over its CPU budget of %.2f s\n",
                        r->lab->name, name, b);
            char *msg = xasprintf("The grader stopped your code: this test's processes used "
                                  "more than %.1f s of CPU time (%s). Look for an endless "
                                  "loop.", b, r->lab->calibrated ? "many times what the "
                                  "reference solution needs for it on this machine" :
                                  "the limit per test");
            /* First: it explains the messages that follow ("crashed with SIGKILL"). */
            strv_add(&t->messages, msg);
            char *mine = t->messages.v[t->messages.n - 1];
            memmove(t->messages.v + 1, t->messages.v,
                    (t->messages.n - 1) * sizeof *t->messages.v);
            t->messages.v[0] = mine;
            free(msg);
        }
        cJSON_Delete(obj);
        free(text);
    }
}

/* One lab's test run: its test binary, where it works, the options, the result. */
struct lab_run {
    struct lab *lab;
    const char *run;            /* the test binary */
    const char *workroot;       /* its work directory and TMPDIR go under here */
    const struct config *o;
    bool   measuring;           /* calibrating: CPU times recorded, not limited */
    struct lab_result *r;
};

static void run_one(const struct lab_run *x, struct test_result *t)
{
    const struct config *o = x->o;
    char *filter = xasprintf("--filter=%s", t->name);
    char *timeout = o->test_timeout > 0 ? xasprintf("--timeout=%g", o->test_timeout) : NULL;
    /* Not -q: it would also silence what the test prints, which a student needs to see. */
    char *argv[] = {(char *)x->run, filter, "-j1", "--color=never", timeout, NULL};
    struct sbx_job job = {.argv = argv};
    struct sbx_result res;
    struct test_space space;

    struct window_plan plan = {.lab = x->lab, .measuring = x->measuring, .only = t->name};

    sandbox_limits(&job, o->test_timeout);
    job.report_fd = 3;
    plan_windows(&job, &plan);
    make_test_space(&job, x->workroot, &space);
    bind_binary_dir(&job, x->run);
    sbx_run(&job, &res);
    free(plan.current);
    parse_report(res.report, t, res.timed_out, false, &x->r->errors);
    note_cpu_kills(&res, x->r, t->hidden, o->verbose);
    if (!t->seconds)
        t->seconds = res.seconds;
    sanitize_text(res.out);
    t->output = without_runner_lines(res.out);
    t->output_total = res.out_total;
    t->output_cut = res.out_cut;
    sbx_result_free(&res);
    free_test_space(x->workroot, &space);
    strv_free(&job.ro);
    free(filter);
    free(timeout);
}

/* One run of the whole binary (-j1) gives most verdicts: a test it reported as passed, or
 * as failed, crashed or timed out while the run went on, keeps that verdict. A test
 * without a verdict (the runner died or hung), and a failed public test when some test
 * printed something (its output could not be told apart), runs again alone (run_one), with
 * its own limits and output capture. */
static void run_all(const struct lab_run *x, bool hidden, const struct strv *order)
{
    const struct config *o = x->o;
    struct lab_result *r = x->r;
    char *timeout = o->test_timeout > 0 ? xasprintf("--timeout=%g", o->test_timeout) : NULL;
    char *argv[] = {(char *)x->run, "-j1", "--color=never", timeout, NULL};
    struct sbx_job job = {.argv = argv};
    struct sbx_result res;
    struct test_space space;

    sandbox_limits(&job, o->test_timeout);
    job.report_fd = 3;
    job.out_keep = RUN_ALL_OUTPUT_KEEP;
    job.wall = o->lab_timeout / 2;      /* the rest is for the tests run again alone */
    job.idle = o->test_timeout > 0 ? o->test_timeout + TEST_IDLE_SLACK : TEST_WALL_DEFAULT;
    struct window_plan plan = {.lab = x->lab, .measuring = x->measuring, .order = order};
    plan_windows(&job, &plan);
    make_test_space(&job, x->workroot, &space);
    bind_binary_dir(&job, x->run);
    sbx_run(&job, &res);
    free(plan.current);
    char *printed = without_runner_lines(res.out);
    bool quiet = !printed[0] && !res.out_cut;
    for (size_t i = 0; i < r->ntests; i++) {
        struct test_result *t = &r->tests[i], probe = {.name = t->name};
        if (t->note || t->hidden != hidden)
            continue;
        parse_report(res.report, &probe, false, true, &r->errors);
        bool final = probe.status == T_PASSED ||
                     (probe.status != T_NOREPORT && (quiet || t->hidden));
        if (final) {
            t->status = probe.status;
            t->seconds = probe.seconds;
            t->signal = probe.signal;
            t->exit_code = probe.exit_code;
            t->messages = probe.messages;
            t->output = xstrdup("");
        } else {
            free(probe.signal);
            strv_free(&probe.messages);
        }
        free(probe.note);
    }
    note_cpu_kills(&res, r, hidden, o->verbose);
    free(printed);
    sbx_result_free(&res);
    free_test_space(x->workroot, &space);
    strv_free(&job.ro);
    free(timeout);
}

static struct test_result *add_test(struct lab_result *r, const char *name,
                                    const struct rubric_row *row)
{
    r->tests = xrealloc(r->tests, (r->ntests + 1) * sizeof *r->tests);
    struct test_result *t = &r->tests[r->ntests++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->row = row;
    t->hidden = row ? row->hidden : false;
    t->status = T_NOTRUN;
    return t;
}

void lab_result_not_run(struct lab_result *r, const char *why)
{
    for (size_t i = 0; i < r->lab->nrows; i++) {
        struct test_result *t = add_test(r, r->lab->rows[i].test, &r->lab->rows[i]);
        t->note = xstrdup(why);
    }
    rubric_score(r->lab, r);
}

void lab_result_free(struct lab_result *r)
{
    for (size_t k = 0; k < r->ntests; k++) {
        struct test_result *t = &r->tests[k];
        free(t->name);
        free(t->signal);
        strv_free(&t->messages);
        free(t->output);
        free(t->note);
    }
    free(r->tests);
    free(r->source);
    free(r->message);
    strv_free(&r->errors);
}

/* Matches the rubric rows of one binary (public or hidden) with the tests it lists. */
static int match_tests(struct lab *lab, const char *run, bool hidden, struct lab_result *r,
                       struct strv *names_out)
{
    struct strv names = {0};
    char *err = NULL;

    if (list_tests(run, &names, &err) == -1) {
        grader_error(&r->errors, "%s: %s --list failed: %s", lab->name, run, err);
        free(r->message);
        r->message = xasprintf("The test binary could not list its tests:\n%s", err);
        free(err);
        return -1;
    }
    for (size_t i = 0; i < r->ntests; i++) {
        struct test_result *t = &r->tests[i];
        if (t->hidden == hidden && t->row && !t->note && !strv_has(&names, t->name)) {
            grader_error(&r->errors, "%s: rubric row %s names no test of the binary",
                         lab->name, t->name);
            t->note = xstrdup("grader error: no such test in the test binary");
        }
    }
    for (size_t i = 0; i < names.n; i++)
        if (!rubric_find(lab, names.v[i])) {
            grader_error(&r->errors, "%s: test %s has no rubric row (worth 0 points)",
                         lab->name, names.v[i]);
            add_test(r, names.v[i], NULL)->hidden = hidden;
        }
    *names_out = names;
    return 0;
}

/* Links and runs the public or the hidden tests. */
static void run_phase(struct lab_run *x, const char *bindir, bool hidden, double t0)
{
    struct lab *lab = x->lab;
    struct lab_result *r = x->r;
    const struct config *o = x->o;
    char *run = xasprintf("%s/run", bindir), *err = NULL;
    struct strv order = {0};

    if (student_link_tests(lab, bindir, hidden, &err) == -1 ||
        match_tests(lab, run, hidden, r, &order) == -1) {
        if (err)
            grader_error(&r->errors, "%s: %s", lab->name, err);
        for (size_t i = 0; i < r->ntests; i++)
            if (r->tests[i].hidden == hidden && !r->tests[i].note)
                r->tests[i].note = xstrdup("grader error: the test binary could not be built "
                                           "or started (not your code's fault)");
        free(err);
        free(run);
        return;
    }
    x->run = run;
    if (!o->each_test)
        run_all(x, hidden, &order);
    strv_free(&order);
    for (size_t i = 0; i < r->ntests && !sbx_interrupted; i++) {
        struct test_result *t = &r->tests[i];
        if (t->note || t->status != T_NOTRUN || t->hidden != hidden)
            continue;
        if (now_seconds() - t0 > o->lab_timeout) {
            t->note = xasprintf("not run: the lab's time budget (%.0f s) was used up by "
                                "earlier tests", o->lab_timeout);
            continue;
        }
        run_one(x, t);
        if (o->verbose)
            fprintf(stderr, "mmgrade: %s %s: %s\n", lab->name, t->name, status_word(t->status));
    }
    unlink(run);
    free(run);
}

int run_lab_tests(struct lab *lab, const char *bindir, const char *workroot,
                  const struct config *o, bool measuring, struct lab_result *r)
{
    double t0 = now_seconds();
    struct lab_run x = {.lab = lab, .workroot = workroot, .o = o, .measuring = measuring,
                        .r = r};

    for (size_t i = 0; i < lab->nrows; i++)
        add_test(r, lab->rows[i].test, &lab->rows[i]);
    run_phase(&x, bindir, false, t0);
    if (lab->has_hidden && !sbx_interrupted)
        run_phase(&x, bindir, true, t0);
    rubric_score(lab, r);
    r->seconds = now_seconds() - t0;
    return 0;
}
