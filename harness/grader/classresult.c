/* classresult.c - the per-submission record the class report is built from, so that it never
 * regrades: batch mode writes DIR/class-data/results/NAME.json with each lab's state, each
 * test's status, points, signal and time, and the text of the graded file (the similarity
 * check reads it). One file per submission, whatever it holds, apart from the reports. */
#include "classreport.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const tstatus_keys[] = {
    [T_PASSED] = "passed", [T_FAILED] = "failed", [T_CRASHED] = "crashed",
    [T_TIMEOUT] = "timeout", [T_NOREPORT] = "noreport",
    [T_NOTRUN] = "notrun"};
static const char *const labstate_keys[] = {
    [L_GRADED] = "graded", [L_MISSING] = "missing", [L_REJECTED] = "rejected",
    [L_BUILD_FAILED] = "build_failed", [L_SKIPPED] = "skipped"};

const char *tstatus_key(enum tstatus st) { return tstatus_keys[st]; }
const char *labstate_key(enum labstate st) { return labstate_keys[st]; }

static int key_index(const char *s, const char *const *keys, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, keys[i]) == 0)
            return i;
    return -1;
}

/* The student files again, from the submission (the grading scratch is gone): the same
 * extraction as grading, so each text is the file that was graded; texts[i] NULL if none. */
static void read_sources(const char *path, struct lab *labs, int nlabs, char **texts)
{
    const char *base = getenv("TMPDIR");
    char *scratch = xasprintf("%s/mmclass.XXXXXX", base && *base ? base : "/tmp");
    char *found[MAX_LABS];
    struct grade notes = {0};

    for (int i = 0; i < nlabs; i++)
        texts[i] = NULL;
    if (!mkdtemp(scratch) || chmod(scratch, 0711) == -1) {
        warnx_("%s: cannot create a scratch directory: %s", scratch, strerror(errno));
        free(scratch);
        return;
    }
    submission_collect(path, scratch, labs, nlabs, found, &notes);
    for (int i = 0; i < nlabs; i++) {
        if (!found[i])
            continue;
        char *src = xasprintf("%s/%s/src/%s", scratch, labs[i].name, labs[i].file);
        size_t len;
        if ((texts[i] = read_file(src, 1 << 20, &len)))
            sanitize_text(texts[i]);    /* valid UTF-8 in the JSON; a NUL ends the text */
        free(src);
        free(found[i]);
    }
    remove_tree(scratch);
    strv_free(&notes.notes);
    free(scratch);
}

static cJSON *lab_json(const struct lab_result *r, const char *source)
{
    cJSON *o = cJSON_CreateObject(), *tests = cJSON_CreateArray();

    cJSON_AddStringToObject(o, "lab", r->lab->name);
    cJSON_AddStringToObject(o, "state", labstate_key(r->state));
    cJSON_AddNumberToObject(o, "score", r->score);
    cJSON_AddNumberToObject(o, "max", r->max);
    cJSON_AddNumberToObject(o, "seconds", r->seconds);
    for (size_t i = 0; i < r->ntests; i++) {
        const struct test_result *t = &r->tests[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", t->name);
        cJSON_AddStringToObject(j, "status", tstatus_key(t->status));
        if (t->signal)
            cJSON_AddStringToObject(j, "signal", t->signal);
        cJSON_AddNumberToObject(j, "points", t->points);
        cJSON_AddNumberToObject(j, "max", t->max);
        cJSON_AddNumberToObject(j, "seconds", t->seconds);
        cJSON_AddItemToArray(tests, j);
    }
    cJSON_AddItemToObject(o, "tests", tests);
    if (source)
        cJSON_AddStringToObject(o, "source", source);
    return o;
}

int class_result_save(const char *dir, const char *name, const char *stem, const char *path,
                      const char *key, const struct grade *g, struct lab *labs, int nlabs)
{
    cJSON *root = cJSON_CreateObject(), *jlabs = cJSON_CreateArray();
    char *texts[MAX_LABS];

    read_sources(path, labs, nlabs, texts);
    cJSON_AddStringToObject(root, "submission", name);
    cJSON_AddStringToObject(root, "stem", stem);     /* its report and marker: STEM.done */
    cJSON_AddStringToObject(root, "config", key);
    cJSON_AddNumberToObject(root, "score", g->score);
    cJSON_AddNumberToObject(root, "max", g->max);
    cJSON_AddNumberToObject(root, "seconds", g->seconds);
    for (int l = 0; l < g->nlabs; l++) {
        const struct lab_result *r = &g->labs[l];
        const char *source = NULL;
        for (int i = 0; i < nlabs; i++)
            if (r->lab == &labs[i])
                source = texts[i];
        if (r->state != L_SKIPPED)
            cJSON_AddItemToArray(jlabs, lab_json(r, source));
    }
    cJSON_AddItemToObject(root, "labs", jlabs);
    char *rdir = xasprintf("%s/" CLASS_DATA "/results", dir);
    char *file = xasprintf("%s/%s.json", rdir, stem);
    int ret = -1;
    if (mkdirs(rdir, 0755) == -1)
        warnx_("%s: %s", rdir, strerror(errno));
    else
        ret = json_save(file, root, false);
    for (int i = 0; i < nlabs; i++)
        free(texts[i]);
    free(file);
    free(rdir);
    cJSON_Delete(root);
    return ret;
}

/* ---- Reading back ---------------------------------------------------------------------- */

static void read_lab(const cJSON *o, struct cr_lab *l)
{
    const cJSON *t;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "lab"));
    int state = key_index(cJSON_GetStringValue(cJSON_GetObjectItem(o, "state")),
                          labstate_keys, L_SKIPPED + 1);

    snprintf(l->name, sizeof l->name, "%s", name ? name : "?");
    l->state = state < 0 ? L_MISSING : (enum labstate)state;
    l->score = (int)json_number(o, "score");
    l->max = (int)json_number(o, "max");
    l->seconds = json_number(o, "seconds");
    const cJSON *tests = cJSON_GetObjectItem(o, "tests");
    l->tests = xcalloc((size_t)cJSON_GetArraySize(tests) + 1, sizeof *l->tests);
    cJSON_ArrayForEach(t, tests) {
        struct cr_test *ct = &l->tests[l->ntests];
        const char *tn = cJSON_GetStringValue(cJSON_GetObjectItem(t, "name"));
        const char *sig = cJSON_GetStringValue(cJSON_GetObjectItem(t, "signal"));
        int st = key_index(cJSON_GetStringValue(cJSON_GetObjectItem(t, "status")),
                           tstatus_keys, T_NOTRUN + 1);
        if (!tn || st < 0)
            continue;
        ct->name = xstrdup(tn);
        ct->status = (enum tstatus)st;
        ct->signal = sig ? xstrdup(sig) : NULL;
        ct->points = (int)json_number(t, "points");
        ct->max = (int)json_number(t, "max");
        ct->seconds = json_number(t, "seconds");
        l->ntests++;
    }
    const char *source = cJSON_GetStringValue(cJSON_GetObjectItem(o, "source"));
    l->source = source ? xstrdup(source) : NULL;
}

static bool read_result(const char *dir, const char *file, const char *key, struct cr_sub *s,
                        int *stale)
{
    char *path = xasprintf("%s/" CLASS_DATA "/results/%s", dir, file);
    size_t len;
    char *text = read_file(path, 16 << 20, &len);
    cJSON *root = text ? cJSON_Parse(text) : NULL, *l;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(root, "submission"));
    const char *stem = cJSON_GetStringValue(cJSON_GetObjectItem(root, "stem"));
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(root, "config"));
    bool ok = false;

    char *marker = stem ? xasprintf("%s/%s.done", dir, stem) : NULL;
    if (!root || !name || !stem)
        warnx_("%s: not a result file mmgrade can read, left out of the class report", path);
    else if (access(marker, F_OK) != 0)
        ;                               /* its grading never finished: not in the gradebook */
    else if (!k || strcmp(k, key) != 0)
        (*stale)++;
    else {
        memset(s, 0, sizeof *s);
        s->name = xstrdup(name);
        s->score = (int)json_number(root, "score");
        s->max = (int)json_number(root, "max");
        s->seconds = json_number(root, "seconds");
        cJSON_ArrayForEach(l, cJSON_GetObjectItem(root, "labs"))
            if (s->nlabs < MAX_LABS)
                read_lab(l, &s->labs[s->nlabs++]);
        ok = true;
    }
    cJSON_Delete(root);
    free(marker);
    free(text);
    free(path);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct cr_sub *)a)->name, ((const struct cr_sub *)b)->name);
}

size_t class_results_load(const char *dir, const char *key, struct cr_sub **subs, int *stale)
{
    char *rdir = xasprintf("%s/" CLASS_DATA "/results", dir);
    DIR *d = opendir(rdir);
    struct dirent *e;
    size_t n = 0, cap = 16;

    *stale = 0;
    *subs = xcalloc(cap, sizeof **subs);
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".json"))
            continue;
        if (n == cap)
            *subs = xrealloc(*subs, (cap *= 2) * sizeof **subs);
        if (read_result(dir, e->d_name, key, &(*subs)[n], stale))
            n++;
    }
    if (d)
        closedir(d);
    free(rdir);
    qsort(*subs, n, sizeof **subs, by_name);
    return n;
}

int class_markers_count(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' && has_suffix(e->d_name, ".done");
    if (d)
        closedir(d);
    return n;
}

const struct cr_lab *cr_lab_of(const struct cr_sub *s, const char *lab)
{
    for (int i = 0; i < s->nlabs; i++)
        if (strcmp(s->labs[i].name, lab) == 0)
            return &s->labs[i];
    return NULL;
}

void class_results_free(struct cr_sub *subs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int l = 0; l < subs[i].nlabs; l++) {
            struct cr_lab *lab = &subs[i].labs[l];
            for (size_t t = 0; t < lab->ntests; t++) {
                free(lab->tests[t].name);
                free(lab->tests[t].signal);
            }
            free(lab->tests);
            free(lab->source);
        }
        free(subs[i].name);
    }
    free(subs);
}
