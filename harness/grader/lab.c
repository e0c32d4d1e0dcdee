/* lab.c - what mmgrade knows about a lab comes from labs/<dir>/lab.mk: the plain
 * `labN_VAR := value` lines (DIR, FILE, HEADER, API, TOOLS, HELPERS, LDLIBS). Tests are
 * labs/<dir>/tests/NAME.c (public) and harness/labN/tests/NAME.c (private, unless --public-only). */
#include "grader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the *.c files of root/dir (sorted) to sv as paths relative to the root. */
static void add_sources(struct strv *sv, const char *dir)
{
    char *path = xasprintf("%s/%s", cfg.root, dir);
    DIR *d = opendir(path);
    struct strv found = {0};
    struct dirent *e;

    free(path);
    if (!d)
        return;
    while ((e = readdir(d)))
        if (has_suffix(e->d_name, ".c") && e->d_name[0] != '.')
            strv_addf(&found, "%s/%s", dir, e->d_name);
    closedir(d);
    if (found.n)
        qsort(found.v, found.n, sizeof *found.v, cmp_str);
    for (size_t i = 0; i < found.n; i++)
        strv_add(sv, found.v[i]);
    strv_free(&found);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* Parses one lab.mk into lab; returns 0, or -1 if it names no lab. */
static int parse_labmk(const char *path, struct lab *lab)
{
    size_t len;
    char *text = read_file(path, 1 << 20, &len), *save = NULL;

    if (!text)
        return -1;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *hash = strchr(line, '#'), *eq, *var, *val;
        int num;
        if (hash)
            *hash = '\0';
        if (!(eq = strstr(line, ":=")))
            continue;
        *eq = '\0';
        var = trim(line);
        val = trim(eq + 2);
        if (sscanf(var, "lab%d_", &num) != 1 || num < 1 || num > MAX_LABS)
            continue;
        if (lab->num && lab->num != num)
            continue;
        lab->num = num;
        const char *key = strchr(var, '_') + 1;
        if (strcmp(key, "DIR") == 0)
            lab->dir = xstrdup(val);
        else if (strcmp(key, "FILE") == 0)
            lab->file = xstrdup(val);
        else if (strcmp(key, "HEADER") == 0)
            lab->header = xstrdup(val);
        else if (strcmp(key, "API") == 0)
            strv_split(&lab->api, val);
        else if (strcmp(key, "TOOLS") == 0)
            strv_split(&lab->tools, val);
        else if (strcmp(key, "HELPERS") == 0)
            strv_split(&lab->helpers, val);
        else if (strcmp(key, "LDLIBS") == 0)
            strv_split(&lab->ldlibs, val);
    }
    free(text);
    if (!lab->num || !lab->dir || !lab->file || !lab->header || !lab->api.n)
        return -1;
    snprintf(lab->name, sizeof lab->name, "lab%d", lab->num);
    return 0;
}

static int cmp_lab(const void *a, const void *b)
{
    return ((const struct lab *)a)->num - ((const struct lab *)b)->num;
}

/* Loads every labs/<dir>/lab.mk; the selected labs without tests get lab->skip set. */
int labs_load(struct lab *labs, int max)
{
    char *dir = xasprintf("%s/labs", cfg.root);
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        die("%s: cannot open: %s (is --root right?)", dir, strerror(errno));
    while ((e = readdir(d)) && n < max) {
        if (e->d_name[0] == '.')
            continue;
        char *mk = xasprintf("%s/%s/lab.mk", dir, e->d_name);
        struct stat st;
        memset(&labs[n], 0, sizeof labs[n]);
        if (stat(mk, &st) == 0 && parse_labmk(mk, &labs[n]) == 0)
            n++;
        else if (errno != ENOENT)
            warnx_("%s: not a usable lab.mk (needs labN_DIR, _FILE, _HEADER, _API)", mk);
        free(mk);
    }
    closedir(d);
    free(dir);
    qsort(labs, (size_t)n, sizeof *labs, cmp_lab);
    for (int i = 0; i < n; i++) {
        struct lab *lab = &labs[i];
        char *pub = xasprintf("%s/tests", lab->dir), *hid = xasprintf("harness/%s/tests", lab->name);
        add_sources(&lab->tests, pub);
        size_t npub = lab->tests.n;
        lab->npublic = npub;
        if (!cfg.public_only)
            add_sources(&lab->tests, hid);
        lab->has_hidden = lab->tests.n > npub;
        if (!npub && !lab->has_hidden)
            lab->skip = xasprintf("%s has no tests yet (%s/*.c)", lab->name, pub);
        free(pub);
        free(hid);
    }
    return n;
}
