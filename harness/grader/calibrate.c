/* calibrate.c - per-test CPU budgets measured on this machine: the reference solution is
 * graded once, like a submission, while the sandbox records the CPU time of each test's
 * processes; a test may then use TEST_CPU_FACTOR times that (at least TEST_CPU_FLOOR).
 * CPU time, not wall time: a busy machine slows a test down but does not make it use more
 * CPU, so the same code gets the same verdict at any load. Cached in the grader cache,
 * keyed by the machine (CPU model, kernel) and the tests and reference used. */
#include "grader.h"
#include "grader-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

double test_cpu_budget(const struct lab *lab, const char *test)
{
    if (!lab->calibrated)
        return TEST_CPU_DEFAULT;
    for (size_t i = 0; i < lab->cal_names.n; i++)
        if (strcmp(lab->cal_names.v[i], test) == 0) {
            double b = TEST_CPU_FACTOR * lab->cal_cpu[i] *
                       (lab->cal_margin > 1 ? lab->cal_margin : 1);
            /* Processes that contend (spin, retry) use more CPU the busier the machine. */
            double floor = lab->cal_busy[i] > 1 ? TEST_CPU_FLOOR_CONTENDED : TEST_CPU_FLOOR;
            return b > floor ? b : floor;
        }
    return TEST_CPU_DEFAULT;            /* a test the reference run did not report */
}

int test_report_lines(const struct lab *lab, const char *test)
{
    for (size_t i = 0; lab->calibrated && i < lab->cal_names.n; i++)
        if (strcmp(lab->cal_names.v[i], test) == 0)
            return lab->cal_lines[i];
    return 1;
}

static time_t newest(const struct strv *files, time_t t)
{
    for (size_t i = 0; i < files->n; i++) {
        struct stat st;
        if (stat(files->v[i], &st) == 0 && st.st_mtime > t)
            t = st.st_mtime;
    }
    return t;
}

/* What the measurement depends on: the machine, the reference, the test objects. */
static char *calibration_key(const struct lab *lab, const char *ref)
{
    struct utsname u;
    struct stat st;
    char model[256] = "?";
    size_t len;
    char *cpuinfo = read_file("/proc/cpuinfo", 1u << 20, &len), *m;

    if (cpuinfo && (m = strstr(cpuinfo, "model name"))) {
        m = strchr(m, ':');
        if (m)
            snprintf(model, sizeof model, "%.*s", (int)strcspn(m + 2, "\n"), m + 2);
    }
    free(cpuinfo);
    uname(&u);
    time_t t = stat(ref, &st) == 0 ? st.st_mtime : 0;
    t = newest(&lab->public_objs, t);
    t = newest(&lab->hidden_objs, t);
    t = newest(&lab->prog_objs, t);
    return xasprintf("v4 %s | %s | %ld cpus | %lld | hidden %d\n", model, u.release,
                     sysconf(_SC_NPROCESSORS_ONLN), (long long)t, lab->has_hidden);
}

static bool load_cache(struct lab *lab, const char *path, const char *key)
{
    size_t len;
    char *text = read_file(path, 1u << 20, &len), *save = NULL;

    if (!text || (key && strncmp(text, key, strlen(key)) != 0)) {
        free(text);
        return false;
    }
    if (strstr(text, "\nuncalibrated")) {
        free(text);                     /* measured already, and the reference failed */
        return true;
    }
    char *body = key ? text + strlen(key) : strchr(text, '\n');
    for (char *line = strtok_r(body ? body : text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t'), *end;
        if (!tab)
            continue;
        *tab = '\0';
        strv_add(&lab->cal_names, line);
        lab->cal_cpu = xrealloc(lab->cal_cpu, lab->cal_names.n * sizeof *lab->cal_cpu);
        lab->cal_lines = xrealloc(lab->cal_lines, lab->cal_names.n * sizeof *lab->cal_lines);
        lab->cal_busy = xrealloc(lab->cal_busy, lab->cal_names.n * sizeof *lab->cal_busy);
        lab->cal_cpu[lab->cal_names.n - 1] = strtod(tab + 1, &end);
        lab->cal_lines[lab->cal_names.n - 1] = (int)strtol(end, &end, 10);
        lab->cal_busy[lab->cal_names.n - 1] = (int)strtol(end, NULL, 10);
        if (lab->cal_lines[lab->cal_names.n - 1] < 1)
            lab->cal_lines[lab->cal_names.n - 1] = 1;
    }
    free(text);
    lab->calibrated = lab->cal_names.n > 0;
    return lab->calibrated;
}

/* Writes the cache: the key, then a line per test (or "uncalibrated" and why). */
static void save_cache(const struct lab *lab, const char *path, const char *key,
                       const struct lab_result *r)
{
    struct buf b = {0};

    buf_puts(&b, key);
    if (r->score != r->max)
        buf_printf(&b, "uncalibrated: the reference scored %d/%d\n", r->score, r->max);
    for (size_t i = 0; r->score == r->max && i < lab->cal_names.n; i++)
        buf_printf(&b, "%s\t%.3f\t%d\t%d\n", lab->cal_names.v[i], lab->cal_cpu[i],
                   lab->cal_lines[i], lab->cal_busy[i]);
    if (mkdirs(lab->cache, 0700) == -1 || write_file_atomic(path, b.p, b.len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(b.p);
}

static void forget_times(struct lab *lab)
{
    strv_free(&lab->cal_names);
    free(lab->cal_cpu);
    free(lab->cal_lines);
    free(lab->cal_busy);
    lab->cal_cpu = NULL;
    lab->cal_lines = NULL;
    lab->cal_busy = NULL;
}

/* Builds the reference in scratch and runs its tests, recording each test's CPU time. */
static void measure(struct lab *lab, const char *ref, const char *scratch,
                    const struct config *o, struct lab_result *r)
{
    char *labdir = xasprintf("%s/%s", scratch, lab->name), *src = xasprintf("%s/src", labdir);
    char *file = xasprintf("%s/%s", src, lab->file), *work = xasprintf("%s/run", scratch);
    char *bindir = NULL;

    if (mkdirs(src, 0755) == -1 || copy_file(ref, file, 0644) == -1)
        die("%s: cannot prepare the calibration: %s", src, strerror(errno));
    if (o->progress || o->verbose)
        fprintf(stderr, "mmgrade: %s: measuring the reference's CPU time per test on this "
                "machine (once)\n", lab->name);
    if (student_build(lab, labdir, r, &bindir) == -1) {
        grader_error(&lab->errors, "%s: the reference solution does not build: %s",
                     lab->name, r->message ? r->message : "?");
    } else {
        run_lab_tests(lab, bindir, work, o, true, r);
    }
    free(bindir);
    free(work);
    free(file);
    free(src);
    free(labdir);
}

/* Measures the reference on this machine and caches what it measured. */
static void calibrate_here(struct lab *lab, const char *ref, const char *path,
                           const char *key, const struct config *o)
{
    const char *base = getenv("TMPDIR");
    char *scratch = xasprintf("%s/mmgrade-cal.XXXXXX", base && *base ? base : "/tmp");
    struct lab_result r = {.lab = lab};
    double t0 = now_seconds();

    if (!mkdtemp(scratch) || chmod(scratch, 0711) == -1)
        die("%s: cannot create a scratch directory: %s", scratch, strerror(errno));
    measure(lab, ref, scratch, o, &r);
    if (r.tests && r.score != r.max)
        grader_error(&lab->errors, "%s: the reference solution scored %d/%d while measuring "
                     "its CPU time; per-test budgets are the fixed %.1f s", lab->name,
                     r.score, r.max, TEST_CPU_DEFAULT);
    if (r.tests)
        save_cache(lab, path, key, &r);
    lab->calibrated = r.tests && r.score == r.max && lab->cal_names.n;
    if (lab->calibrated && o->verbose)
        fprintf(stderr, "mmgrade: %s: calibrated %zu tests in %.1f s\n", lab->name,
                lab->cal_names.n, now_seconds() - t0);
    if (!lab->calibrated)
        forget_times(lab);
    /* Grader errors of the reference's run (a rubric row naming no test) recur, and are
     * counted, in every submission graded: not kept here. */
    lab_result_free(&r);
    if (!o->keep)
        remove_tree(scratch);
    free(scratch);
}

void calibrate_lab(struct lab *lab, const struct config *o)
{
    char *ref = xasprintf("%s/solutions/%s/%s", lab->root, strrchr(lab->dir, '/') ?
                          strrchr(lab->dir, '/') + 1 : lab->dir, lab->file);
    char *path = xasprintf("%s/%s-%s-cpu.tsv", lab->cache, lab->name,
                           lab->has_hidden ? "all" : "public");
    char *key = calibration_key(lab, ref);

    if (access(ref, R_OK) == -1) {
        /* No reference here (a hosted grader's package): the times measured where the
         * package was made, with a margin for a slower machine; else fixed budgets. */
        char *shipped = xasprintf("%s/harness/grader/cpu/%s-%s-cpu.tsv", lab->root, lab->name,
                                  lab->has_hidden ? "all" : "public");
        if (load_cache(lab, shipped, NULL) && lab->calibrated)
            lab->cal_margin = SHIPPED_CPU_MARGIN;
        free(shipped);
    } else if (!load_cache(lab, path, key)) {
        calibrate_here(lab, ref, path, key, o);
    }
    free(key);
    free(path);
    free(ref);
}
