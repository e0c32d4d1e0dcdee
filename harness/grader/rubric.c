/* rubric.c - points per test live in data: harness/labN/rubric.tsv, one row per test,
 * `suite/test<TAB>points<TAB>public|hidden<TAB>section<TAB>hint`, `#` comments. Private rows
 * are dropped when the private tests are not part of the run (student kit, --public-only). */
#include "grader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_row(struct lab *lab, char *line, const char *path, int lineno)
{
    char *field[5], *p = line;
    int n = 0;

    for (; n < 5; n++) {
        field[n] = p;
        char *tab = n < 4 ? strchr(p, '\t') : NULL;
        if (n < 4 && !tab)
            break;
        if (tab) {
            *tab = '\0';
            p = tab + 1;
        }
    }
    if (n < 5) {
        warnx_("grader error: %s:%d: expected 5 tab-separated fields", path, lineno);
        return -1;
    }
    char *end;
    long points = strtol(field[1], &end, 10);
    bool hidden = strcmp(field[2], "hidden") == 0;
    if (*end || end == field[1] || points < 0 || points > 100 ||
        (!hidden && strcmp(field[2], "public") != 0) || !strchr(field[0], '/')) {
        warnx_("grader error: %s:%d: bad row (points 0..100, public|hidden, suite/test)",
               path, lineno);
        return -1;
    }
    if (hidden && !lab->has_hidden)
        return 0;
    if (rubric_find(lab, field[0])) {
        warnx_("grader error: %s:%d: %s has two rows", path, lineno, field[0]);
        return -1;
    }
    lab->rows = xrealloc(lab->rows, (lab->nrows + 1) * sizeof *lab->rows);
    struct rubric_row *r = &lab->rows[lab->nrows++];
    r->test = xstrdup(field[0]);
    r->points = (int)points;
    r->hidden = hidden;
    r->section = xstrdup(field[3]);
    r->hint = xstrdup(field[4]);
    lab->max_points += r->points;
    return 0;
}

int rubric_load(struct lab *lab)
{
    char *path = xasprintf("%s/harness/%s/rubric.tsv", cfg.root, lab->name);
    size_t len;
    char *text = read_file(path, 1 << 20, &len);
    int lineno = 0, ret = 0;

    if (!text) {
        warnx_("grader error: %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    /* strtok_r would skip empty lines and so miscount: walk lines by hand. */
    for (char *line = text; line && *line; ) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        if (line[0] && line[0] != '#' && parse_row(lab, line, path, lineno) == -1)
            ret = -1;
        line = nl ? nl + 1 : NULL;
    }
    if (ret == 0 && lab->has_hidden && lab->max_points != 100)
        warnx_("grader error: %s: points sum to %d, not 100", path, lab->max_points);
    free(text);
    free(path);
    return ret;
}

const struct rubric_row *rubric_find(const struct lab *lab, const char *test)
{
    for (size_t i = 0; i < lab->nrows; i++)
        if (strcmp(lab->rows[i].test, test) == 0)
            return &lab->rows[i];
    return NULL;
}
