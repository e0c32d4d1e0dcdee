/* batch.c - grading a class: one report per submission in --out, a .done marker written
 * after it (input fingerprint + scores) so that a rerun skips what is already graded, up to
 * --jobs submissions at a time (each in its own process and uid slot), gradebook.csv, and a
 * closing summary with a histogram. */
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
    pid_t  pid;
    int    slot;
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

static char *config_key(const struct lab *labs, int nlabs)
{
    struct buf b = {0};
    buf_printf(&b, "%s", format_extension(cfg.format));
    for (int i = 0; i < nlabs; i++)
        if (cfg.lab_selected[labs[i].num] && !labs[i].skip)
            buf_printf(&b, ",%s", labs[i].name);
    if (cfg.public_only)
        buf_puts(&b, ",public-only");
    return buf_take(&b);
}

/* Reads a marker; true if it matches the input and configuration and the report exists. */
static bool read_marker(struct entry *e, const char *key)
{
    size_t len;
    char *text = read_file(e->marker, 1 << 16, &len);
    struct stat st;
    bool ok = false;

    if (!text)
        return false;
    cJSON *root = cJSON_Parse(text);
    free(text);
    const char *fp = cJSON_GetStringValue(cJSON_GetObjectItem(root, "fingerprint"));
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(root, "config"));
    cJSON *scores = cJSON_GetObjectItem(root, "scores"), *s;
    if (fp && k && strcmp(fp, e->fingerprint) == 0 && strcmp(k, key) == 0 &&
        stat(e->report, &st) == 0 && cJSON_IsArray(scores)) {
        e->nscores = 0;
        cJSON_ArrayForEach(s, scores)
            if (e->nscores < MAX_LABS)
                e->scores[e->nscores++] = s->valueint;
        e->total = cJSON_GetObjectItem(root, "total") ? cJSON_GetObjectItem(root, "total")->valueint : 0;
        e->max = cJSON_GetObjectItem(root, "max") ? cJSON_GetObjectItem(root, "max")->valueint : 0;
        cJSON *secs = cJSON_GetObjectItem(root, "seconds");
        e->seconds = cJSON_IsNumber(secs) ? secs->valuedouble : 0;
        ok = true;
    }
    cJSON_Delete(root);
    return ok;
}

/* In a worker process: grade, write the report, then the marker. Exit status 0 or 1. */
static int grade_entry(struct entry *e, struct lab *labs, int nlabs, const char *key)
{
    struct grade g;

    sbx_init(e->slot);
    if (grade_submission(e->path, labs, nlabs, &g) == -1)
        return 1;                           /* interrupted: no report, no marker */
    free(g.name);
    g.name = xstrdup(e->name);              /* the gradebook key, in the report too */
    if (class_result_save(cfg.out, e->name, e->stem, e->path, key, &g, labs, nlabs) == -1)
        return 1;
    char *report = report_render(&g, cfg.format, false);
    if (write_file_atomic(e->report, report, strlen(report)) == -1) {
        warnx_("%s: %s", e->report, strerror(errno));
        return 1;
    }
    cJSON *root = cJSON_CreateObject(), *scores = cJSON_AddArrayToObject(root, "scores");
    cJSON_AddStringToObject(root, "submission", e->path);
    cJSON_AddStringToObject(root, "name", e->name);
    cJSON_AddStringToObject(root, "fingerprint", e->fingerprint);
    cJSON_AddStringToObject(root, "config", key);
    for (int l = 0; l < g.nlabs; l++)
        if (g.labs[l].state != L_SKIPPED)
            cJSON_AddItemToArray(scores, cJSON_CreateNumber(g.labs[l].score));
    cJSON_AddNumberToObject(root, "total", g.score);
    cJSON_AddNumberToObject(root, "max", g.max);
    cJSON_AddNumberToObject(root, "seconds", g.seconds);
    cJSON_AddBoolToObject(root, "complete", 1);
    char *text = cJSON_Print(root);
    int ret = write_file_atomic(e->marker, text, strlen(text)) == -1 ? 1 : 0;
    free(text);
    cJSON_Delete(root);
    free(report);
    grade_free(&g);
    return ret;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void summary(struct entry *es, int n)
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
    printf("; reports and gradebook.csv in %s\n", cfg.out);
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
static bool row_of_this_run(const char *line, struct entry *es, int n)
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
static void write_gradebook(struct entry *es, int n, struct lab *labs, int nlabs)
{
    struct buf b = {0};
    char *header = csv_header(labs, nlabs), *path = xasprintf("%s/gradebook.csv", cfg.out);
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

static void finish(struct entry *e, int status, int k, int n)
{
    e->failed = status != 0;
    if (!e->failed) {
        size_t len;
        char *text = read_file(e->marker, 1 << 16, &len);
        cJSON *root = text ? cJSON_Parse(text) : NULL, *s;
        free(text);
        e->nscores = 0;
        cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "scores"))
            if (e->nscores < MAX_LABS)
                e->scores[e->nscores++] = s->valueint;
        cJSON *t = cJSON_GetObjectItem(root, "total"), *m = cJSON_GetObjectItem(root, "max");
        cJSON *secs = cJSON_GetObjectItem(root, "seconds");
        e->total = cJSON_IsNumber(t) ? t->valueint : 0;
        e->max = cJSON_IsNumber(m) ? m->valueint : 0;
        e->seconds = cJSON_IsNumber(secs) ? secs->valuedouble : 0;
        e->done = root != NULL;
        cJSON_Delete(root);
    }
    if (e->done)
        fprintf(stderr, "[%d/%d] %s: %d/%d (%.1f s)\n", k, n, e->name, e->total, e->max,
                e->seconds);
    else
        fprintf(stderr, "[%d/%d] %s: not graded (%s)\n", k, n, e->name,
                sbx_interrupted ? "interrupted" : "the grader failed on it");
}

int batch_run(char **paths, int npaths, struct lab *labs, int nlabs)
{
    struct entry *es = xcalloc((size_t)npaths, sizeof *es);
    char *key = config_key(labs, nlabs);
    int jobs = cfg.jobs > 0 ? cfg.jobs : 1, running = 0, finished = 0, failures = 0;
    bool *busy = xcalloc((size_t)jobs, sizeof *busy);

    for (int i = 0; i < npaths; i++)
        es[i].path = paths[i];
    name_entries(es, npaths);               /* may refuse the command line: before mkdir */
    if (mkdirs(cfg.out, 0755) == -1)
        die("%s: cannot create: %s", cfg.out, strerror(errno));
    for (int i = 0; i < npaths; i++) {
        struct entry *e = &es[i];
        e->stem = report_stem(e->name);
        e->report = xasprintf("%s/%s.%s", cfg.out, e->stem, format_extension(cfg.format));
        e->marker = xasprintf("%s/%s.done", cfg.out, e->stem);
        e->fingerprint = submission_fingerprint(paths[i]);
        if (!cfg.force && read_marker(e, key)) {
            e->done = e->skipped = true;
            finished++;
            fprintf(stderr, "[%d/%d] %s: %d/%d (already graded; --force grades it again)\n",
                    finished, npaths, e->name, e->total, e->max);
        }
    }
    for (int next = 0; next < npaths || running > 0; ) {
        while (running < jobs && next < npaths && !sbx_interrupted) {
            struct entry *e = &es[next++];
            if (e->done)
                continue;
            for (e->slot = 0; busy[e->slot]; e->slot++)
                ;
            busy[e->slot] = true;
            fflush(NULL);
            pid_t parent = getpid();
            e->pid = fork();
            if (e->pid == -1)
                die("fork: %s", strerror(errno));
            if (e->pid == 0) {
                /* If the batch is killed, its workers stop too (cleanly: SIGTERM). */
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                    _exit(1);
                _exit(grade_entry(e, labs, nlabs, key));
            }
            running++;
        }
        if (sbx_interrupted && running == 0)
            break;
        if (running == 0)
            break;
        int status;
        pid_t pid = wait(&status);
        if (pid == -1) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < npaths; i++)
            if (es[i].pid == pid && !es[i].done && !es[i].failed) {
                busy[es[i].slot] = false;
                running--;
                finished++;
                finish(&es[i], WIFEXITED(status) ? WEXITSTATUS(status) : 1, finished, npaths);
                failures += es[i].failed;
                break;
            }
    }
    write_gradebook(es, npaths, labs, nlabs);
    if (!sbx_interrupted)
        class_report_write(labs, nlabs, key);
    summary(es, npaths);
    if (sbx_interrupted)
        fprintf(stderr, "mmgrade: interrupted; run the same command again to resume\n");
    free(key);
    free(busy);
    return sbx_interrupted || failures ? 1 : 0;
}
