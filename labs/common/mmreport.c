/* mmreport.c - Criterion report hooks: one JSON line per finished test for the grader.
 * Criterion's own verdict is final: the test process (the judge) never runs student code, so
 * nothing in it can end a test early or send a forged assertion (mmtest.h).
 * MMTEST_REPORT_FD=n: write the JSON Lines to fd n. MMTEST_EXPECT=pass|fail: exit 0 only if
 * every test passed (or none did), after one verdict line - what `make test` checks. */
#include "mmtest.h"

#include <cjson/cJSON.h>
#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <criterion/options.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAX_TESTS 1024

static int report_fd = -1;
static int ntests, npassed;
static const struct criterion_test_stats *reported[MAX_TESTS];  /* none reported twice */
static int verdict_status;
static void (*runner_end[8])(void);     /* MM_AT_RUNNER_END: a few per test binary */
static int nrunner_end;

void mm_at_runner_end(void (*fn)(void))
{
    if (nrunner_end == (int)(sizeof runner_end / sizeof runner_end[0]))
        abort();                        /* a test-suite bug: found the first time it runs */
    runner_end[nrunner_end++] = fn;
}

static const char *status_of(const struct criterion_test_stats *ts)
{
    if (ts->crashed)
        return "crashed";
    if (ts->timed_out)
        return "timeout";
    if (ts->test_status == CR_STATUS_SKIPPED)
        return "skipped";
    return ts->test_status == CR_STATUS_PASSED ? "passed" : "failed";
}

static void write_line(cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);

    if (text && report_fd >= 0) {
        size_t len = strlen(text);
        text[len] = '\n';       /* replaces the NUL; the buffer is not used as a string again */
        for (size_t done = 0; done < len + 1; ) {
            ssize_t n = write(report_fd, text + done, len + 1 - done);
            if (n <= 0)
                break;
            done += (size_t)n;
        }
    }
    free(text);
}

static void report_test(struct criterion_test_stats *ts)
{
    for (int i = 0; i < ntests && i < MAX_TESTS; i++)
        if (reported[i] == ts)
            return;
    if (ntests < MAX_TESTS)
        reported[ntests] = ts;
    ntests++;

    const char *status = status_of(ts);
    char id[512];
    snprintf(id, sizeof id, "%s/%s", ts->test->category, ts->test->name);
    npassed += strcmp(status, "passed") == 0;
    if (report_fd < 0)
        return;

    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "test", id);
    cJSON_AddStringToObject(obj, "status", status);
    if (ts->signal)
        cJSON_AddStringToObject(obj, "signal", mm_signal_name(ts->signal));
    else
        cJSON_AddNullToObject(obj, "signal");
    cJSON_AddNumberToObject(obj, "exit_code", ts->exit_code);
    cJSON_AddNumberToObject(obj, "seconds", ts->elapsed_time);
    cJSON *messages = cJSON_AddArrayToObject(obj, "messages");
    for (const struct criterion_assert_stats *a = ts->asserts; a; a = a->next)
        if (!a->passed && a->message)
            cJSON_AddItemToArray(messages, cJSON_CreateString(a->message));
    write_line(obj);
    cJSON_Delete(obj);
}

/* A suite nobody declared with MM_SUITE runs without the judge's set-up (subreaper, stray
 * children, temporary files) and without a timeout: refuse to run at all. */
static void check_suites(struct criterion_test_set *set)
{
    int undeclared = 0;

    FOREACH_SET(struct criterion_suite_set *s, set->suites) {
        if (s->tests == NULL || s->tests->size == 0)
            continue;
        if (s->suite.data == NULL || s->suite.data->init != mm_init) {
            fprintf(stderr, "mmtest: suite '%s' is not declared with MM_SUITE(%s, seconds) "
                    "(a bug in the tests: declare it in the lab's util file)\n",
                    s->suite.name, s->suite.name);
            undeclared++;
        }
    }
    if (undeclared)
        _exit(2);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    const char *fd = getenv("MMTEST_REPORT_FD");

    check_suites(set);
    if (fd)
        report_fd = atoi(fd);
    /* A test killed at its timeout orphans its children; as a subreaper the runner gets
     * them back and kills them at the end instead of leaving them running. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* Test processes run as the same uid: without this, student code could ptrace the
     * runner or open its /proc/PID/mem or /proc/PID/fd/N and forge the report. The test
     * processes are exec'd, so they stay dumpable. */
    if (fd)
        prctl(PR_SET_DUMPABLE, 0);
}

ReportHook(POST_FINI)(struct criterion_test_stats *ts) { report_test(ts); }
ReportHook(TEST_CRASH)(struct criterion_test_stats *ts) { report_test(ts); }

static void exit_with_verdict(void)
{
    fflush(NULL);
    _exit(verdict_status);
}

ReportHook(POST_ALL)(struct criterion_global_stats *gs)
{
    const char *expect = getenv("MMTEST_EXPECT");

    /* Tests that never reached POST_FINI or TEST_CRASH are not counted: the grader treats
     * a test without a line as "did not report". */
    (void)gs;
    mm_kill_descendants();
    for (int i = 0; i < nrunner_end; i++)
        runner_end[i]();
    if (report_fd >= 0) {
        cJSON *obj = cJSON_CreateObject();
        cJSON_AddBoolToObject(obj, "complete", 1);
        cJSON_AddNumberToObject(obj, "count", ntests);
        write_line(obj);
        cJSON_Delete(obj);
    }
    bool ok;
    if (expect) {
        ok = strcmp(expect, "pass") == 0 ? npassed == ntests && ntests > 0
                                         : npassed == 0 && ntests > 0;
        fprintf(stderr, "mmtest: %d tests, %d passed: %s (expected %s)\n",
                ntests, npassed, ok ? "as expected" : "NOT as expected",
                strcmp(expect, "pass") == 0 ? "all to pass" : "none to pass");
    } else {
        ok = npassed == ntests;
    }
    /* Exit with our verdict, before LeakSanitizer's exit-time check of the runner: that
     * would report memory Criterion itself never frees. Tests check their own leaks. */
    verdict_status = ok ? 0 : 1;
    atexit(exit_with_verdict);
}
