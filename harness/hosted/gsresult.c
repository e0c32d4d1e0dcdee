/* gsresult.c - the self-test's reader of the grader's machine-readable reports (cJSON): checks
 * that a Gradescope results.json follows the schema and prints its score or its tests, or
 * prints the scores of an Autolab output's last line. The self-test never reads human text.
 * Usage: gsresult score|tests|feedback FILE | autolab FILE
 *   score: "SCORE MAX"; tests: "passed|failed<TAB>score<TAB>max<TAB>name" per test;
 *   feedback: each failed test's name and output; autolab: "KEY VALUE" per entry of the
 *   last line's {"scores": {...}}. Exit 1: bad input. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "gsresult";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    if (buf == NULL || ferror(f)) {
        fprintf(stderr, "%s: %s: cannot read\n", prog, path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* A number field of obj, or NAN (with a message) if it is missing or not a number. */
static double number_field(const cJSON *obj, const char *key, const char *where)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item)) {
        fprintf(stderr, "%s: %s: \"%s\" is missing or not a number\n", prog, where, key);
        return NAN;
    }
    return item->valuedouble;
}

/* Checks one entry of tests[] against the schema; returns 0 if it is well-formed. */
static int check_test(const cJSON *t, int i, const char *path)
{
    char where[512];
    snprintf(where, sizeof(where), "%s: tests[%d]", path, i);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(t, "status");
    const cJSON *vis = cJSON_GetObjectItemCaseSensitive(t, "visibility");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(t, "output");
    if (!cJSON_IsString(name) || name->valuestring[0] == '\0') {
        fprintf(stderr, "%s: %s: \"name\" is missing or empty\n", prog, where);
        return -1;
    }
    if (isnan(number_field(t, "score", where)) || isnan(number_field(t, "max_score", where)))
        return -1;
    if (!cJSON_IsString(status) || (strcmp(status->valuestring, "passed") != 0 &&
                                    strcmp(status->valuestring, "failed") != 0)) {
        fprintf(stderr, "%s: %s: \"status\" must be \"passed\" or \"failed\"\n", prog, where);
        return -1;
    }
    if (vis != NULL && (!cJSON_IsString(vis) ||
                        (strcmp(vis->valuestring, "visible") != 0 &&
                         strcmp(vis->valuestring, "hidden") != 0 &&
                         strcmp(vis->valuestring, "after_due_date") != 0 &&
                         strcmp(vis->valuestring, "after_published") != 0))) {
        fprintf(stderr, "%s: %s: \"visibility\" is not a Gradescope value\n", prog, where);
        return -1;
    }
    if (out != NULL && !cJSON_IsString(out)) {
        fprintf(stderr, "%s: %s: \"output\" is not a string\n", prog, where);
        return -1;
    }
    return 0;
}

/* gsresult score|tests|feedback FILE: validates the whole results.json, then prints. */
static int gradescope(const char *cmd, const char *path)
{
    char *text = slurp(path);
    if (text == NULL)
        return 1;
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(root)) {
        fprintf(stderr, "%s: %s: not a JSON object (Gradescope results.json expected)\n",
                prog, path);
        cJSON_Delete(root);
        return 1;
    }
    int rc = 1;
    double score = number_field(root, "score", path);
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(root, "tests");
    if (isnan(score))
        goto out_delete;
    if (!cJSON_IsArray(tests)) {
        fprintf(stderr, "%s: %s: \"tests\" is missing or not an array\n", prog, path);
        goto out_delete;
    }
    double sum = 0, max = 0;
    int i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tests) {
        if (check_test(t, i++, path) != 0)
            goto out_delete;
        sum += cJSON_GetObjectItemCaseSensitive(t, "score")->valuedouble;
        max += cJSON_GetObjectItemCaseSensitive(t, "max_score")->valuedouble;
    }
    /* The total must be what the tests add up to: a grader bug otherwise. */
    if (i > 0 && fabs(sum - score) > 1e-6) {
        fprintf(stderr, "%s: %s: score %g is not the sum of the tests' scores (%g)\n",
                prog, path, score, sum);
        goto out_delete;
    }
    const cJSON *max_item = cJSON_GetObjectItemCaseSensitive(root, "max_score");
    if (cJSON_IsNumber(max_item))
        max = max_item->valuedouble;
    if (strcmp(cmd, "score") == 0) {
        printf("%g %g\n", score, max);
    } else if (strcmp(cmd, "feedback") == 0) {
        cJSON_ArrayForEach(t, tests) {
            const cJSON *out = cJSON_GetObjectItemCaseSensitive(t, "output");
            if (strcmp(cJSON_GetObjectItemCaseSensitive(t, "status")->valuestring, "passed") == 0)
                continue;
            printf("FAILED %s (%g/%g)\n%s\n\n",
                   cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring,
                   cJSON_GetObjectItemCaseSensitive(t, "score")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(t, "max_score")->valuedouble,
                   cJSON_IsString(out) ? out->valuestring : "");
        }
        printf("Score: %g/%g\n", score, max);
    } else {
        cJSON_ArrayForEach(t, tests) {
            printf("%s\t%g\t%g\t%s\n",
                   cJSON_GetObjectItemCaseSensitive(t, "status")->valuestring,
                   cJSON_GetObjectItemCaseSensitive(t, "score")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(t, "max_score")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring);
        }
    }
    rc = 0;
out_delete:
    cJSON_Delete(root);
    return rc;
}

/* gsresult autolab FILE: the last non-empty line must be {"scores": {KEY: number, ...}}. */
static int autolab(const char *path)
{
    char *text = slurp(path);
    if (text == NULL)
        return 1;
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    char *last = strrchr(text, '\n');
    last = last ? last + 1 : text;
    cJSON *root = cJSON_Parse(last);
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(root, "scores");
    int rc = 1;
    if (!cJSON_IsObject(scores) || scores->child == NULL) {
        fprintf(stderr, "%s: %s: the last line is not {\"scores\": {...}}: %.200s\n",
                prog, path, last);
        goto out_delete;
    }
    const cJSON *s;
    cJSON_ArrayForEach(s, scores) {
        if (!cJSON_IsNumber(s)) {
            fprintf(stderr, "%s: %s: score \"%s\" is not a number\n", prog, path, s->string);
            goto out_delete;
        }
    }
    cJSON_ArrayForEach(s, scores)
        printf("%s %g\n", s->string, s->valuedouble);
    rc = 0;
out_delete:
    cJSON_Delete(root);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "score") != 0 && strcmp(argv[1], "tests") != 0 &&
                      strcmp(argv[1], "feedback") != 0 && strcmp(argv[1], "autolab") != 0)) {
        fprintf(stderr, "usage: %s score|tests|feedback|autolab FILE\n", prog);
        return 2;
    }
    if (strcmp(argv[1], "autolab") == 0)
        return autolab(argv[2]);
    return gradescope(argv[1], argv[2]);
}
