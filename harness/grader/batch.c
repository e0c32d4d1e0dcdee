/* batch.c - grading a class: one report per submission in --out, a .done marker written
 * after it (input fingerprint + scores) so that a rerun skips what is already graded, up to
 * --jobs submissions at a time (each in its own process, which takes its own sandbox uid),
 * gradebook.csv, a closing summary with a histogram, and the grader errors each worker met. */
#include "grader.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct entry {
    char  *path, *name, *stem, *report, *marker, *fingerprint;
    bool   done, skipped, failed;
    int    scores[MAX_LABS], nscores, total, max;
    double seconds;
    struct strv errors;     /* grader errors met while grading it (from its marker) */
    pid_t  pid;
};

/* One submission's name at a level of detail: 0 its name (archive extension dropped), 1 its
 * file name, 2 the path as given. */
static char *entry_name(const char *path, int level)
{
    if (level == 0)
        return submission_name(path);
    if (level == 2)
        return name_key(path);
    char *p = xstrdup(path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    char *name = name_key(strrchr(p, '/') ? strrchr(p, '/') + 1 : p);
    free(p);
    return name;
}

/* The gradebook key of each submission: its name; where two share one (alice.zip and
 * alice.tgz, or two alice.tgz in different directories), their file names, then their paths
 * as given. Never a made-up suffix: no row can carry a name another submission has. */
static void name_entries(struct entry *es, int n)
{
    int *level = xcalloc((size_t)n, sizeof *level);

    for (bool changed = true; changed; ) {
        changed = false;
        for (int i = 0; i < n; i++) {
            free(es[i].name);
            es[i].name = entry_name(es[i].path, level[i]);
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                if (strcmp(es[i].name, es[j].name) != 0)
                    continue;
                if (level[i] == 2 && level[j] == 2) {
                    fprintf(stderr, "mmgrade: %s: the same submission is given twice\n",
                            es[i].name);
                    exit(2);
                }
                changed = true;
                level[i] += level[i] < 2;
                level[j] += level[j] < 2;
            }
    }
    free(level);
}

/* The file name (without extension) of a submission's report and marker: its key when that
 * is a plain file name; otherwise the key with '_' for other bytes, cut to 80 bytes, then '~'
 * and a hash of the whole key. A plain key never holds '~', so no stem is another key's. */
static char *report_stem(const char *key)
{
    size_t len = strlen(key);
    bool plain = len > 0 && len <= 80 && key[0] != '.';

    for (const char *c = key; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-", *c);
    if (plain)
        return xstrdup(key);
    unsigned long long h = 14695981039346656037ull;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    char *stem = xasprintf("%.80s~%016llx", key, h);
    for (char *c = stem; *c != '~'; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-", *c) ||
            (c == stem && *c == '.'))
            *c = '_';
    return stem;
}

static char *config_key(const struct lab *labs, int nlabs, const struct config *o)
{
    struct buf b = {0};
    buf_printf(&b, "%s", format_extension(o->format));
    for (int i = 0; i < nlabs; i++)
        if (lab_graded(&labs[i]))
            buf_printf(&b, ",%s", labs[i].name);
    if (o->public_only)
        buf_puts(&b, ",public-only");
    return buf_take(&b);
}

/* The marker of a graded submission: the input's fingerprint, the configuration, the scores
 * and the grader errors met while grading it (a rerun that skips it reports them again). */
static int marker_write(const struct entry *e, const char *key, const struct grade *g)
{
    cJSON *root = cJSON_CreateObject(), *scores = cJSON_AddArrayToObject(root, "scores");
    cJSON *errors = cJSON_AddArrayToObject(root, "grader_errors");

    cJSON_AddStringToObject(root, "submission", e->path);
    cJSON_AddStringToObject(root, "name", e->name);
    cJSON_AddStringToObject(root, "fingerprint", e->fingerprint);
    cJSON_AddStringToObject(root, "config", key);
    for (int l = 0; l < g->nlabs; l++) {
        if (lab_graded(g->labs[l].lab))     /* the gradebook's columns (csv_header) */
            cJSON_AddItemToArray(scores, cJSON_CreateNumber(g->labs[l].score));
        for (size_t k = 0; k < g->labs[l].errors.n; k++)
            cJSON_AddItemToArray(errors, cJSON_CreateString(g->labs[l].errors.v[k]));
    }
    cJSON_AddNumberToObject(root, "total", g->score);
    cJSON_AddNumberToObject(root, "max", g->max);
    cJSON_AddNumberToObject(root, "seconds", g->seconds);
    cJSON_AddBoolToObject(root, "complete", 1);
    int ret = json_save(e->marker, root, true);
    cJSON_Delete(root);
    return ret;
}

/* Reads e's marker into e: true if it matches the input and configuration and the report
 * exists. Used to skip what is already graded and to collect what a worker graded. */
static bool marker_read(struct entry *e, const char *key)
{
    size_t len;
    char *text = read_file(e->marker, 1 << 16, &len);
    struct stat st;

    if (!text)
        return false;
    cJSON *root = cJSON_Parse(text), *item;
    free(text);
    const char *fp = cJSON_GetStringValue(cJSON_GetObjectItem(root, "fingerprint"));
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(root, "config"));
    cJSON *scores = cJSON_GetObjectItem(root, "scores");
    bool ok = fp && k && strcmp(fp, e->fingerprint) == 0 && strcmp(k, key) == 0 &&
              stat(e->report, &st) == 0 && cJSON_IsArray(scores);
    if (ok) {
        e->nscores = 0;
        cJSON_ArrayForEach(item, scores)
            if (e->nscores < MAX_LABS)
                e->scores[e->nscores++] = item->valueint;
        e->total = (int)json_number(root, "total");
        e->max = (int)json_number(root, "max");
        cJSON *secs = cJSON_GetObjectItem(root, "seconds");
        e->seconds = cJSON_IsNumber(secs) ? secs->valuedouble : 0;
        strv_free(&e->errors);
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(root, "grader_errors"))
            if (cJSON_GetStringValue(item))
                strv_add(&e->errors, cJSON_GetStringValue(item));
    }
    cJSON_Delete(root);
    return ok;
}

/* In a worker process: grade, write the report, then the marker. Exit status 0 or 1. */
static int grade_entry(const struct entry *e, struct lab *labs, int nlabs, const char *key,
                       const struct config *o)
{
    struct grade g;

    sbx_take_uid();
    if (grade_submission(e->path, labs, nlabs, o, &g) == -1)
        return 1;                           /* interrupted: no report, no marker */
    free(g.name);
    g.name = xstrdup(e->name);              /* the gradebook key, in the report too */
    if (class_result_save(o->out, e->name, e->stem, e->path, key, &g, labs, nlabs) == -1)
        return 1;
    struct report_style style = {o->format, false, o->hidden_visibility};
    char *report = report_render(&g, &style);
    int ret = write_file_atomic(e->report, report, strlen(report));
    if (ret == -1)
        warnx_("%s: %s", e->report, strerror(errno));
    else
        ret = marker_write(e, key, &g);
    free(report);
    grade_free(&g);
    return ret == -1 ? 1 : 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void summary(const struct entry *es, int n, const char *out)
{
    int *totals = xcalloc((size_t)n, sizeof *totals), count = 0, max = 0, skipped = 0;
    int bins[11] = {0};
    double sum = 0;

    for (int i = 0; i < n; i++) {
        if (!es[i].done)
            continue;
        totals[count++] = es[i].total;
        sum += es[i].total;
        max = es[i].max > max ? es[i].max : max;
        skipped += es[i].skipped;
        int pct = es[i].max ? es[i].total * 100 / es[i].max : 0;
        bins[pct >= 100 ? 10 : pct / 10]++;
    }
    printf("graded %d submission(s)", count);
    if (skipped)
        printf(" (%d already graded, skipped)", skipped);
    if (count < n)
        printf(", %d not graded", n - count);
    printf("; reports and gradebook.csv in %s\n", out);
    if (count) {
        qsort(totals, (size_t)count, sizeof *totals, cmp_int);
        double median = count % 2 ? totals[count / 2]
                                  : (totals[count / 2 - 1] + totals[count / 2]) / 2.0;
        printf("score out of %d: mean %.1f, median %.1f, min %d, max %d\n", max, sum / count,
               median, totals[0], totals[count - 1]);
        for (int b = 0; b <= 10; b++) {
            char label[16];
            snprintf(label, sizeof label, b == 10 ? "100%%" : "%d-%d%%", b * 10, b * 10 + 9);
            printf("  %-7s |", label);
            for (int k = 0; k < bins[b] && k < 60; k++)
                putchar('#');
            printf(" %d\n", bins[b]);
        }
    }
    free(totals);
}

/* True if line is the gradebook row of one of this run's submissions. */
static bool row_of_this_run(const char *line, const struct entry *es, int n)
{
    for (int i = 0; i < n; i++) {
        char *field = csv_name(es[i].name);
        size_t len = strlen(field);
        bool match = strncmp(line, field, len) == 0 && line[len] == ',';
        free(field);
        if (match)
            return true;
    }
    return false;
}

/* Writes gradebook.csv: the rows of earlier runs into the same --out directory (with the
 * same columns) are kept, so that regrading one student does not drop the others. */
static void write_gradebook(const struct entry *es, int n, const struct lab *labs, int nlabs,
                            const char *out)
{
    struct buf b = {0};
    char *header = csv_header(labs, nlabs), *path = xasprintf("%s/gradebook.csv", out);
    size_t oldlen;
    char *old = read_file(path, 64 << 20, &oldlen);

    buf_puts(&b, header);
    if (old && strncmp(old, header, strlen(header)) == 0) {
        for (char *line = old + strlen(header), *end; *line; line = end) {
            end = strchr(line, '\n');
            end = end ? end + 1 : line + strlen(line);
            if (!row_of_this_run(line, es, n))
                buf_printf(&b, "%.*s", (int)(end - line), line);
        }
    } else if (old && strncmp(old, header, strlen(header) - 2) == 0 &&
               old[strlen(header) - 2] == '\n') {
        /* Its rows are keyed by the lossy names of earlier versions: none can be trusted. */
        warnx_("%s: written by an earlier mmgrade (other names, LF line ends): rewritten with "
               "this run's rows only; grade the whole class with this --out to list everyone",
               path);
    } else if (old) {
        warnx_("%s: other columns than this run's: rewritten with this run's rows only", path);
    }
    for (int i = 0; i < n; i++)
        if (es[i].done) {
            char *row = csv_row(es[i].name, es[i].scores, es[i].nscores, es[i].total);
            buf_puts(&b, row);
            free(row);
        }
    if (write_file_atomic(path, b.p, b.len) == -1)
        warnx_("%s: %s", path, strerror(errno));
    free(old);
    free(header);
    free(path);
    free(b.p);
}

/* One batch run: the submissions, the labs and options they are graded with. */
struct batch {
    struct entry *es;
    int    n, finished, running;
    struct lab *labs;
    int    nlabs;
    char  *key;             /* the configuration a marker must match */
    const struct config *o;
};

static void progress_line(const struct batch *b, const struct entry *e, const char *extra)
{
    fprintf(stderr, "[%d/%d] %s: %d/%d (%s)", b->finished, b->n, e->name, e->total, e->max,
            extra);
    if (e->errors.n)
        fprintf(stderr, ", %zu grader error(s)", e->errors.n);
    fputc('\n', stderr);
}

/* Names every submission, its report and marker; marks what an earlier run already graded. */
static void plan_entries(struct batch *b, char **paths)
{
    const struct config *o = b->o;

    for (int i = 0; i < b->n; i++)
        b->es[i].path = paths[i];
    name_entries(b->es, b->n);              /* may refuse the command line: before mkdir */
    if (mkdirs(o->out, 0755) == -1)
        die("%s: cannot create: %s", o->out, strerror(errno));
    for (int i = 0; i < b->n; i++) {
        struct entry *e = &b->es[i];
        e->stem = report_stem(e->name);
        e->report = xasprintf("%s/%s.%s", o->out, e->stem, format_extension(o->format));
        e->marker = xasprintf("%s/%s.done", o->out, e->stem);
        e->fingerprint = submission_fingerprint(e->path);
        if (!o->force && marker_read(e, b->key)) {
            e->done = e->skipped = true;
            b->finished++;
            progress_line(b, e, "already graded; --force grades it again");
        }
    }
}

static void start_worker(struct batch *b, struct entry *e)
{
    pid_t parent = getpid();

    fflush(NULL);
    e->pid = fork();
    if (e->pid == -1)
        die("fork: %s", strerror(errno));
    if (e->pid == 0) {
        /* If the batch is killed, its workers stop too (cleanly: SIGTERM). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        _exit(grade_entry(e, b->labs, b->nlabs, b->key, b->o));
    }
    b->running++;
}

/* A worker ended: its marker holds the scores and grader errors. */
static void reap_worker(struct batch *b, pid_t pid, int status)
{
    for (int i = 0; i < b->n; i++) {
        struct entry *e = &b->es[i];
        if (e->pid != pid || e->done || e->failed)
            continue;
        b->running--;
        b->finished++;
        e->done = WIFEXITED(status) && WEXITSTATUS(status) == 0 && marker_read(e, b->key);
        e->failed = !e->done;
        if (e->done) {
            char *secs = xasprintf("%.1f s", e->seconds);
            progress_line(b, e, secs);
            free(secs);
        } else {
            fprintf(stderr, "[%d/%d] %s: not graded (%s)\n", b->finished, b->n, e->name,
                    sbx_interrupted ? "interrupted" : "the grader failed on it");
        }
        return;
    }
}

/* Up to --jobs workers at a time, one submission each. */
static void run_workers(struct batch *b)
{
    int jobs = b->o->jobs > 0 ? b->o->jobs : 1;

    for (int next = 0; ; ) {
        while (b->running < jobs && next < b->n && !sbx_interrupted) {
            struct entry *e = &b->es[next++];
            if (!e->done)
                start_worker(b, e);
        }
        if (b->running == 0)
            return;
        int status;
        pid_t pid = wait(&status);
        if (pid == -1 && errno != EINTR)
            return;
        if (pid != -1)
            reap_worker(b, pid, status);
    }
}

/* The grader errors the workers met, collected: each submission's, with its messages. */
static size_t report_grader_errors(const struct batch *b)
{
    size_t total = 0;
    int subs = 0;

    for (int i = 0; i < b->n; i++) {
        const struct entry *e = &b->es[i];
        for (size_t k = 0; e->done && k < e->errors.n; k++)
            fprintf(stderr, "mmgrade: %s: grader error: %s\n", e->name, e->errors.v[k]);
        total += e->done ? e->errors.n : 0;
        subs += e->done && e->errors.n;
    }
    if (total)
        fprintf(stderr, "mmgrade: %zu grader error(s) in %d submission(s): the rubric or the "
                "tests need fixing, not the students' code%s\n", total, subs,
                b->o->strict ? " (--strict: exit status 1)" : "");
    return total;
}

static void entries_free(struct entry *es, int n)
{
    for (int i = 0; i < n; i++) {
        free(es[i].name);
        free(es[i].stem);
        free(es[i].report);
        free(es[i].marker);
        free(es[i].fingerprint);
        strv_free(&es[i].errors);
    }
    free(es);
}

int batch_run(char **paths, int npaths, struct lab *labs, int nlabs, const struct config *o)
{
    struct batch b = {.es = xcalloc((size_t)npaths, sizeof *b.es), .n = npaths, .labs = labs,
                      .nlabs = nlabs, .key = config_key(labs, nlabs, o), .o = o};
    int failures = 0;

    plan_entries(&b, paths);
    run_workers(&b);
    write_gradebook(b.es, npaths, labs, nlabs, o->out);
    if (!sbx_interrupted)
        class_report_write(o->out, labs, nlabs, b.key);
    summary(b.es, npaths, o->out);
    for (int i = 0; i < npaths; i++)
        failures += b.es[i].failed;
    size_t errors = report_grader_errors(&b);
    if (sbx_interrupted)
        fprintf(stderr, "mmgrade: interrupted; run the same command again to resume\n");
    free(b.key);
    entries_free(b.es, npaths);
    return sbx_interrupted || failures || (o->strict && errors) ? 1 : 0;
}
