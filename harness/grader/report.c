/* report.c - one graded submission rendered as text (xv6-style, `Score: N/M` last), Gradescope
 * results.json, Autolab (scores line last), JUnit XML or a CSV gradebook row. Hidden tests
 * show their status, hint and handout section, never their messages or output (both could
 * reveal the inputs). */
#include "grader.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_BOLD   "\033[1m"
#define C_OFF    "\033[0m"

const char *format_extension(enum format fmt)
{
    static const char *const ext[] = {"txt", "json", "autolab.txt", "xml", "csv"};
    return ext[fmt];
}

static const char *status_meaning(enum tstatus st)
{
    switch (st) {
    case T_TIMEOUT:
        return "The test did not finish within its time limit: an endless loop, or a call "
               "that blocks forever (a lock never released, a wait for a child that never "
               "exits)?";
    case T_NOREPORT:
        return "The test runner never reported this test: it was killed (kill(0, ...) or "
               "kill(getppid(), ...) in your code?) or died outside the test.";
    default:
        return NULL;
    }
}

/* Appends text with every line prefixed by indent. */
static void indent_lines(struct buf *b, const char *indent, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        buf_puts(b, indent);
        buf_add(b, p, n);
        buf_puts(b, "\n");
        p += n + (nl ? 1 : 0);
    }
}

/* What a student needs to know about one failed test. */

/* Whether the test's own messages already end with a hint (the test layer writes
 * "Hint: ... (handout labN, ...)"): then the rubric's hint would say it a second time. */
static bool messages_hint(const struct test_result *t)
{
    for (size_t i = 0; i < t->messages.n; i++)
        if (strstr(t->messages.v[i], "Hint: "))
            return true;
    return false;
}

static void test_details(struct buf *b, const struct test_result *t, const char *in)
{
    char *pipe = xasprintf("%s| ", in);

    if (t->note)
        indent_lines(b, in, t->note);
    if (t->status == T_NOTRUN) {
        free(pipe);
        return;
    }
    if (t->hidden) {
        buf_printf(b, "%sHidden test: its messages and output are not shown.\n", in);
    } else {
        for (size_t i = 0; i < t->messages.n; i++)
            indent_lines(b, in, t->messages.v[i]);
    }
    if (t->status == T_CRASHED && t->signal) {
        const char *hint = signal_hint(t->signal);
        if (hint)
            indent_lines(b, in, hint);
        else
            buf_printf(b, "%sThe test crashed with %s.\n", in, t->signal);
    } else if (t->status == T_CRASHED) {
        buf_printf(b, "%sThe test crashed (exit code %d).\n", in, t->exit_code);
    }
    if (status_meaning(t->status))
        indent_lines(b, in, status_meaning(t->status));
    if (t->row && (t->hidden || !messages_hint(t))) {     /* one hint, not two */
        buf_printf(b, "%sHint: %s\n", in, t->row->hint);
        buf_printf(b, "%sRead: handout %s\n", in, t->row->section);
    }
    if (!t->hidden && t->output && t->output[0]) {
        buf_printf(b, "%sOutput%s:\n", in, t->status == T_TIMEOUT ? " so far" : "");
        bool cut;
        char *shown = first_lines(t->output, 50, 8192, &cut);
        indent_lines(b, pipe, shown);
        free(shown);
        if (cut || t->output_cut)
            buf_printf(b, "%s[output cut: %zu bytes in all, only the beginning is shown]\n",
                       in, t->output_total);
    }
    free(pipe);
}

static void lab_header(struct buf *b, const struct lab_result *r)
{
    const struct lab *lab = r->lab;
    switch (r->state) {
    case L_SKIPPED:
        buf_printf(b, "== %s: %s ==\n", lab->name, r->message);
        return;
    case L_MISSING:
        buf_printf(b, "== %s: %s: missing ==\n", lab->name, lab->file);
        break;
    default:
        buf_printf(b, "== %s: %s (from %s) ==\n", lab->name, lab->file, r->source);
    }
    if (r->message)
        indent_lines(b, "  ", r->message);
}

static void render_text(struct buf *b, const struct grade *g, bool color)
{
    buf_printf(b, "%smmgrade: %s%s\n", color ? C_BOLD : "", g->name, color ? C_OFF : "");
    buf_printf(b, "isolation: %s\n", g->isolation);
    for (size_t i = 0; i < g->notes.n; i++)
        buf_printf(b, "note: %s\n", g->notes.v[i]);
    for (int l = 0; l < g->nlabs; l++) {
        const struct lab_result *r = &g->labs[l];
        buf_puts(b, "\n");
        lab_header(b, r);
        if (r->state == L_SKIPPED)
            continue;
        bool all_not_run = r->state != L_GRADED;
        for (size_t i = 0; i < r->ntests; i++) {
            const struct test_result *t = &r->tests[i];
            bool pass = t->status == T_PASSED;
            const char *col = !color ? "" : pass ? C_GREEN : C_RED;
            if (all_not_run && !pass)       /* one line each: the reason is above */
                buf_printf(b, "  %-9s %-58s %3d/%d\n", status_word(t->status), t->name,
                           t->points, t->max);
            else
                buf_printf(b, "  %s%-9s%s %-58s %3d/%d%s\n", col, status_word(t->status),
                           color ? C_OFF : "", t->name, t->points, t->max,
                           t->hidden ? "  (hidden)" : "");
            if (!pass && !all_not_run)
                test_details(b, t, "            ");
        }
        buf_printf(b, "%s: %d/%d\n", r->lab->name, r->score, r->max);
    }
    buf_printf(b, "\nScore: %d/%d\n", g->score, g->max);
}

static const char *test_status(const struct test_result *t)
{
    return t->status == T_PASSED ? "passed" : "failed";
}

/* Gradescope renders an output without output_format like Rails' simple_format, which drops
 * "<string.h>" from compiler messages and the alignment of carets: every output is "text". */
static char *render_gradescope(const struct grade *g, const char *hidden_visibility)
{
    cJSON *root = cJSON_CreateObject(), *tests;
    struct buf summary = {0};

    cJSON_AddNumberToObject(root, "score", g->score);
    cJSON_AddNumberToObject(root, "max_score", g->max);
    buf_printf(&summary, "Submission: %s\n", g->name);
    for (size_t i = 0; i < g->notes.n; i++)
        buf_printf(&summary, "note: %s\n", g->notes.v[i]);
    for (int l = 0; l < g->nlabs; l++) {
        const struct lab_result *r = &g->labs[l];
        lab_header(&summary, r);
        if (r->state != L_SKIPPED)
            buf_printf(&summary, "%s: %d/%d\n", r->lab->name, r->score, r->max);
    }
    buf_printf(&summary, "isolation: %s\nScore: %d/%d\n", g->isolation, g->score, g->max);
    cJSON_AddStringToObject(root, "output", summary.p);
    cJSON_AddStringToObject(root, "output_format", "text");
    cJSON_AddStringToObject(root, "test_output_format", "text");
    cJSON_AddStringToObject(root, "test_name_format", "text");
    cJSON_AddStringToObject(root, "visibility", "visible");
    cJSON_AddStringToObject(root, "stdout_visibility", "hidden");
    tests = cJSON_AddArrayToObject(root, "tests");
    for (int l = 0; l < g->nlabs; l++) {
        const struct lab_result *r = &g->labs[l];
        for (size_t i = 0; i < r->ntests; i++) {
            const struct test_result *t = &r->tests[i];
            cJSON *o = cJSON_CreateObject();
            struct buf out = {0};
            char *name = xasprintf("%s %s", r->lab->name, t->name);
            if (t->status != T_PASSED)
                test_details(&out, t, "");
            else if (t->row)
                buf_printf(&out, "Checks: %s\n", t->row->hint);
            cJSON_AddStringToObject(o, "name", name);
            cJSON_AddNumberToObject(o, "score", t->points);
            cJSON_AddNumberToObject(o, "max_score", t->max);
            cJSON_AddStringToObject(o, "status", test_status(t));
            cJSON_AddStringToObject(o, "output", out.p ? out.p : "");
            cJSON_AddStringToObject(o, "output_format", "text");
            /* Hidden tests never show their messages; when they show at all is the
             * instructor's choice (--hidden-visibility, instructor guide "Gradescope"). */
            cJSON_AddStringToObject(o, "visibility", t->hidden ? hidden_visibility
                                                               : "visible");
            cJSON_AddItemToArray(tests, o);
            free(out.p);
            free(name);
        }
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    free(summary.p);
    char *s = xasprintf("%s\n", text);
    free(text);
    return s;
}

static void xml_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':  buf_puts(b, "&amp;"); break;
        case '<':  buf_puts(b, "&lt;"); break;
        case '>':  buf_puts(b, "&gt;"); break;
        case '"':  buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&apos;"); break;
        default:
            /* sanitize_text already removed the bytes XML 1.0 forbids */
            buf_add(b, s, 1);
        }
    }
}

/* JUnit's two kinds of bad outcome: a <failure> is a check that did not hold; an <error>
 * is a test that could not finish (crash, time limit, no report) or was never run because
 * the file is missing, rejected or does not compile. */
static bool junit_error(enum tstatus st)
{
    return st == T_CRASHED || st == T_TIMEOUT || st == T_NOREPORT || st == T_NOTRUN;
}

static void junit_property(struct buf *b, const char *name, const char *value)
{
    buf_puts(b, "      <property name=\"");
    xml_escape(b, name);
    buf_puts(b, "\" value=\"");
    xml_escape(b, value);
    buf_puts(b, "\"/>\n");
}

/* Points have no attribute in the Jenkins xUnit schema (junit-10.xsd): they are properties
 * of the suite, "points" for the lab and "points SUITE/TEST" for each test, as "N/M". */
static void junit_properties(struct buf *b, const struct grade *g, const struct lab_result *r)
{
    char value[64];

    buf_puts(b, "    <properties>\n");
    junit_property(b, "submission", g->name);
    junit_property(b, "isolation", g->isolation);
    snprintf(value, sizeof value, "%d/%d", r->score, r->max);
    junit_property(b, "points", value);
    for (size_t i = 0; i < r->ntests; i++) {
        const struct test_result *t = &r->tests[i];
        char *name = xasprintf("points %s", t->name);
        snprintf(value, sizeof value, "%d/%d", t->points, t->max);
        junit_property(b, name, value);
        free(name);
    }
    buf_puts(b, "    </properties>\n");
}

static void junit_testcase(struct buf *b, const struct lab_result *r, const struct test_result *t)
{
    const char *slash = strchr(t->name, '/');

    buf_printf(b, "    <testcase classname=\"%s.", r->lab->name);
    char *suite = xasprintf("%.*s", slash ? (int)(slash - t->name) : (int)strlen(t->name),
                            t->name);
    xml_escape(b, suite);
    free(suite);
    buf_puts(b, "\" name=\"");
    xml_escape(b, slash ? slash + 1 : t->name);
    buf_printf(b, "\" time=\"%.3f\"", t->seconds);
    if (t->status == T_PASSED) {
        buf_puts(b, "/>\n");
        return;
    }
    const char *kind = junit_error(t->status) ? "error" : "failure";
    struct buf d = {0};
    test_details(&d, t, "");
    buf_printf(b, ">\n      <%s type=\"%s\" message=\"", kind, status_word(t->status));
    xml_escape(b, t->note ? t->note : !t->hidden && t->messages.n ? t->messages.v[0]
                                                                 : status_word(t->status));
    buf_puts(b, "\">");
    xml_escape(b, d.p ? d.p : "");
    buf_printf(b, "</%s>\n    </testcase>\n", kind);
    free(d.p);
}

static void render_junit(struct buf *b, const struct grade *g)
{
    int ntests = 0, nfail = 0, nerr = 0;
    for (int l = 0; l < g->nlabs; l++)
        for (size_t i = 0; i < g->labs[l].ntests; i++) {
            enum tstatus st = g->labs[l].tests[i].status;
            ntests++;
            nerr += junit_error(st);
            nfail += st != T_PASSED && !junit_error(st);
        }
    buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    xml_escape(b, g->name);
    buf_printf(b, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n", ntests,
               nfail, nerr, g->seconds);
    for (int l = 0; l < g->nlabs; l++) {
        const struct lab_result *r = &g->labs[l];
        int fails = 0, errs = 0;
        for (size_t i = 0; i < r->ntests; i++) {
            errs += junit_error(r->tests[i].status);
            fails += r->tests[i].status != T_PASSED && !junit_error(r->tests[i].status);
        }
        buf_printf(b, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" "
                   "skipped=\"0\" time=\"%.3f\">\n", r->lab->name, r->ntests, fails, errs,
                   r->seconds);
        junit_properties(b, g, r);
        for (size_t i = 0; i < r->ntests; i++)
            junit_testcase(b, r, &r->tests[i]);
        if (r->message) {
            buf_puts(b, "    <system-out>");
            xml_escape(b, r->message);
            buf_puts(b, "</system-out>\n");
        }
        buf_puts(b, "  </testsuite>\n");
    }
    buf_puts(b, "</testsuites>\n");
}

/* RFC 4180: a field holding a comma, a quote or a line break is quoted, quotes doubled.
 * Names are written exactly (name_key already made them printable UTF-8): a leading '=' is
 * not altered, so import the file as text if a spreadsheet would read it as a formula. */
static void csv_field(struct buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        buf_puts(b, s);
        return;
    }
    buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            buf_puts(b, "\"");
        buf_add(b, s, 1);
    }
    buf_puts(b, "\"");
}

char *csv_header(const struct lab *labs, int nlabs)
{
    struct buf b = {0};
    buf_puts(&b, "submission");
    for (int i = 0; i < nlabs; i++)
        if (lab_graded(&labs[i]))
            buf_printf(&b, ",%s", labs[i].name);
    buf_puts(&b, ",total\r\n");
    return buf_take(&b);
}

char *csv_name(const char *name)
{
    struct buf b = {0};
    csv_field(&b, name);
    return buf_take(&b);
}

char *csv_row(const char *name, const int *scores, int nscores, int total)
{
    struct buf b = {0};
    csv_field(&b, name);
    for (int i = 0; i < nscores; i++)
        buf_printf(&b, ",%d", scores[i]);
    buf_printf(&b, ",%d\r\n", total);    /* RFC 4180 ends records with CRLF */
    return buf_take(&b);
}

static char *grade_csv(const struct grade *g, bool header)
{
    struct buf b = {0};
    int scores[MAX_LABS], n = 0;

    /* The gradebook's columns: the graded labs, the rule csv_header follows too. */
    if (header) {
        buf_puts(&b, "submission");
        for (int l = 0; l < g->nlabs; l++)
            if (lab_graded(g->labs[l].lab))
                buf_printf(&b, ",%s", g->labs[l].lab->name);
        buf_puts(&b, ",total\r\n");
    }
    for (int l = 0; l < g->nlabs; l++)
        if (lab_graded(g->labs[l].lab))
            scores[n++] = g->labs[l].score;
    char *row = csv_row(g->name, scores, n, g->score);
    buf_puts(&b, row);
    free(row);
    return buf_take(&b);
}

char *report_render(const struct grade *g, const struct report_style *style)
{
    struct buf b = {0};

    switch (style->format) {
    case FMT_TEXT:
        render_text(&b, g, style->color);
        break;
    case FMT_GRADESCOPE:
        return render_gradescope(g, style->hidden_visibility);
    case FMT_AUTOLAB: {
        render_text(&b, g, false);
        cJSON *root = cJSON_CreateObject(), *scores = cJSON_AddObjectToObject(root, "scores");
        for (int l = 0; l < g->nlabs; l++)
            if (g->labs[l].state != L_SKIPPED)
                cJSON_AddNumberToObject(scores, g->labs[l].lab->name, g->labs[l].score);
        char *line = cJSON_PrintUnformatted(root);
        buf_printf(&b, "%s\n", line);
        free(line);
        cJSON_Delete(root);
        break;
    }
    case FMT_JUNIT:
        render_junit(&b, g);
        break;
    case FMT_CSV:
        return grade_csv(g, true);
    }
    return buf_take(&b);
}
