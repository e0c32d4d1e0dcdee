/* submission.c - finds the student files in a submission: a directory, a .tar(.gz|.bz2|.xz)
 * or .zip archive (extracted by tar/unzip inside the sandbox, only members with a student
 * file's name), or a single student file. Only regular files count (lstat, never a symlink);
 * at any depth; the shallowest wins, with a message when there are several. */
#include "grader.h"
#include "grader-config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *submission_name(const char *path)
{
    char *p = xstrdup(path), cwd[4096];
    size_t n = strlen(p);

    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
    static const char *const exts[] = {".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz",
                                       ".tar", ".zip", NULL};
    for (int i = 0; exts[i]; i++)
        if (has_suffix(base, exts[i]) && strlen(base) > strlen(exts[i])) {
            base[strlen(base) - strlen(exts[i])] = '\0';
            break;
        }
    if (!strcmp(base, ".") || !strcmp(base, "..") || !*base) {
        base = getcwd(cwd, sizeof cwd) && strrchr(cwd, '/') ? strrchr(cwd, '/') + 1 : "submission";
    }
    char *name = name_key(base);        /* the student's own name, printable, never lossy */
    free(p);
    return name;
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static uint64_t hash_tree(const char *dir, int depth, uint64_t h, int *budget)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct strv names = {0};

    if (!d)
        return h;
    while ((e = readdir(d)) && --*budget > 0)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            strv_add(&names, e->d_name);
    closedir(d);
    for (size_t i = 0; i < names.n; i++)
        for (size_t j = i + 1; j < names.n; j++)
            if (strcmp(names.v[i], names.v[j]) > 0) {
                char *t = names.v[i];
                names.v[i] = names.v[j];
                names.v[j] = t;
            }
    for (size_t i = 0; i < names.n; i++) {
        char *path = xasprintf("%s/%s", dir, names.v[i]);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth < WALK_DEPTH && strcmp(names.v[i], "build") != 0) {
                h = hash_tree(path, depth + 1, fnv(h, names.v[i], strlen(names.v[i])), budget);
            } else if (S_ISREG(st.st_mode) && has_suffix(names.v[i], ".c")) {
                size_t len;
                char *data = read_file(path, SOURCE_MAX, &len);
                h = fnv(h, names.v[i], strlen(names.v[i]) + 1);
                if (data)
                    h = fnv(h, data, len);
                free(data);
            }
        }
        free(path);
    }
    strv_free(&names);
    return h;
}

/* What decides whether a submission changed since its report was written. */
char *submission_fingerprint(const char *path)
{
    struct stat st;

    if (stat(path, &st) == -1)
        return xstrdup("missing");
    if (S_ISDIR(st.st_mode)) {
        int budget = WALK_ENTRIES;
        return xasprintf("dir:%016llx", (unsigned long long)hash_tree(path, 0, 14695981039346656037ull,
                                                                       &budget));
    }
    return xasprintf("file:%lld:%lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                     st.st_mtim.tv_nsec);
}

/* ---- Searching a tree ----------------------------------------------------------------- */

struct candidates {
    const char *file;       /* the name looked for */
    char *best;             /* relative path of the shallowest one */
    int depth;
    struct strv others;
};

static void walk(const char *root, const char *rel, int depth, struct candidates *c, int nc,
                 int *budget)
{
    char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(dir);
    struct dirent *e;
    struct strv subdirs = {0};

    if (!d) {
        free(dir);
        return;
    }
    while ((e = readdir(d)) && --*budget > 0) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        char *path = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        if (S_ISDIR(st.st_mode)) {
            strv_add(&subdirs, path);
        } else if (S_ISREG(st.st_mode)) {
            for (int i = 0; i < nc; i++) {
                if (strcmp(e->d_name, c[i].file) != 0)
                    continue;
                if (!c[i].best || depth < c[i].depth ||
                    (depth == c[i].depth && strcmp(path, c[i].best) < 0)) {
                    if (c[i].best)
                        strv_add(&c[i].others, c[i].best);
                    free(c[i].best);
                    c[i].best = xstrdup(path);
                    c[i].depth = depth;
                } else {
                    strv_add(&c[i].others, path);
                }
            }
        }
        free(path);
    }
    closedir(d);
    free(dir);
    if (depth < WALK_DEPTH)
        for (size_t i = 0; i < subdirs.n; i++)
            walk(root, subdirs.v[i], depth + 1, c, nc, budget);
    strv_free(&subdirs);
}

/* Copies a regular file (never through a symlink) into dst. */
static int take_file(const char *src, const char *dst, struct grade *g, const char *shown)
{
    int fd = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;

    if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        if (fd != -1)
            close(fd);
        strv_addf(&g->notes, "%s: not a regular file, ignored", shown);
        return -1;
    }
    close(fd);
    if (st.st_size > SOURCE_MAX) {
        strv_addf(&g->notes, "%s is %lld bytes; a source file over %u bytes is not accepted",
                  shown, (long long)st.st_size, SOURCE_MAX);
        return -1;
    }
    if (copy_file(src, dst, 0644) == -1) {
        strv_addf(&g->notes, "%s: cannot read: %s", shown, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- Archives ------------------------------------------------------------------------- */

static const char *archive_kind(const char *path)
{
    unsigned char m[512] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd == -1 ? -1 : read(fd, m, sizeof m);

    if (fd != -1)
        close(fd);
    if (n < 4)
        return NULL;
    if (m[0] == 0x1f && m[1] == 0x8b)
        return "-z";
    if (m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
        return "-j";
    if (m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X')
        return "-J";
    if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        return "--zstd";
    if (m[0] == 'P' && m[1] == 'K' && (m[2] == 3 || m[2] == 5))
        return "zip";
    if (n >= 262 && memcmp(m + 257, "ustar", 5) == 0)
        return "tar";
    return NULL;
}

/* The extractor's command line: only members named like a student file of a graded lab. */
static void extract_argv(const char *kind, const struct lab *labs, int nlabs, struct strv *argv)
{
    bool zip = strcmp(kind, "zip") == 0;

    if (zip) {
        strv_split(argv, "/usr/bin/unzip -qq -o archive");
    } else {
        strv_split(argv, "/usr/bin/tar -x --no-same-owner --no-same-permissions -f archive");
        if (strcmp(kind, "tar") != 0)
            strv_add(argv, kind);
        strv_split(argv, "-C x --wildcards");
    }
    for (int i = 0; i < nlabs; i++) {
        if (!lab_graded(&labs[i]))
            continue;
        strv_add(argv, labs[i].file);
        strv_addf(argv, "*/%s", labs[i].file);
    }
    if (zip)
        strv_split(argv, "-d x");
}

/* What tar or unzip complained about, but for the members it did not find (we asked for
 * names that need not exist): NULL if nothing else. */
static char *tool_complaint(char *out, bool zip)
{
    struct buf said = {0};
    char *save = NULL, *note = NULL;
    int shown = 0;

    for (char *l = strtok_r(out, "\n", &save); l && shown < 3; l = strtok_r(NULL, "\n", &save))
        if (!strstr(l, "Not found in archive") && !strstr(l, "Exiting with failure") &&
            !strstr(l, "filename not matched"))
            buf_printf(&said, "%s%.200s", shown++ ? "; " : "", l);
    if (said.p) {
        sanitize_text(said.p);
        note = xasprintf("%s said: %s", zip ? "unzip" : "tar", said.p);
    }
    free(said.p);
    return note;
}

/* Runs the extractor sandboxed in dir `in`; a timeout goes to the notes, a complaint to
 * *complaint. */
static void run_extractor(char **argv, const char *in, const char *path, bool zip,
                          struct grade *g, char **complaint)
{
    struct sbx_job job = {.argv = argv, .cwd = in, .report_fd = -1,
                          .out_keep = EXTRACT_OUTPUT_KEEP, .wall = EXTRACT_WALL,
                          .cpu = EXTRACT_CPU, .as = EXTRACT_AS_BYTES,
                          .fsize = EXTRACT_FSIZE_BYTES, .nofile = EXTRACT_NOFILE,
                          .nproc = EXTRACT_NPROC};
    struct sbx_result res;

    sbx_run(&job, &res);
    if (res.timed_out)
        strv_addf(&g->notes, "%s: extracting took more than %.0f s; stopped", path,
                  EXTRACT_WALL);
    else if (res.status != 0)
        *complaint = tool_complaint(res.out, zip);
    sbx_result_free(&res);
}

/* Why the archive at path cannot be extracted (a note for the student), or NULL. */
static char *unextractable(const char *path, const char *kind)
{
    struct stat st;

    if (!kind)
        return xasprintf("%s is neither a directory nor a .tar.gz, .tgz or .zip archive", path);
    if (stat(path, &st) == -1 || st.st_size > ARCHIVE_MAX)
        return xasprintf("%s: archive larger than %u MiB, not extracted", path,
                         ARCHIVE_MAX >> 20);
    if (strcmp(kind, "zip") == 0 && access("/usr/bin/unzip", X_OK) != 0)
        return xasprintf("%s: cannot read .zip archives here: unzip is not installed "
                         "(apt-get install unzip)", path);
    return NULL;
}

/* Extracts the members named like a student file into scratch/in/x; returns 0 with *outdir
 * set (and *complaint, what the tool said, or NULL), or -1 with a note for the student. */
static int extract(const char *path, const char *scratch, const struct lab *labs, int nlabs,
                   struct grade *g, char **outdir, char **complaint)
{
    const char *kind = archive_kind(path);
    char *why = unextractable(path, kind);

    if (why) {
        strv_add(&g->notes, why);
        free(why);
        return -1;
    }
    char *in = xasprintf("%s/in", scratch), *x = xasprintf("%s/in/x", scratch);
    char *copy = xasprintf("%s/in/archive", scratch);
    if (mkdirs(x, 0755) == -1 || copy_file(path, copy, 0644) == -1)
        die("%s: cannot copy the archive: %s", path, strerror(errno));
    sbx_own(in);
    sbx_own(x);
    sbx_own(copy);
    struct strv argv = {0};
    extract_argv(kind, labs, nlabs, &argv);
    run_extractor(argv.v, in, path, strcmp(kind, "zip") == 0, g, complaint);
    strv_free(&argv);
    *outdir = x;
    free(in);
    free(copy);
    return 0;
}

/* Where to search for the student files: path itself (a directory), nowhere (path is a
 * student file, taken as it is into c), or the extracted archive. NULL: nowhere. */
static char *search_root(const char *path, const char *scratch, const struct lab *labs,
                         int nlabs, struct candidates *c, int nc, struct grade *g,
                         char **complaint)
{
    struct stat st;
    char *dir = NULL;

    if (stat(path, &st) == -1) {
        strv_addf(&g->notes, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode))
        return xstrdup(path);
    if (!S_ISREG(st.st_mode)) {
        strv_addf(&g->notes, "%s: not a directory or a regular file", path);
        return NULL;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    bool single = false;
    for (int k = 0; k < nc; k++)
        if (strcmp(base, c[k].file) == 0) {
            c[k].best = xstrdup(path);
            single = true;
        }
    if (!single && extract(path, scratch, labs, nlabs, g, &dir, complaint) == -1)
        return NULL;
    return dir;
}

/* Copies each chosen file into scratch/<lab>/src; found[lab index] is its path inside the
 * submission. Duplicates get a note: which one was used. */
static void take_chosen(struct candidates *c, int nc, const int *map, const char *dir,
                        const char *scratch, struct lab *labs, char **found, struct grade *g)
{
    for (int k = 0; k < nc; k++) {
        struct lab *lab = &labs[map[k]];
        if (!c[k].best)
            continue;
        if (c[k].others.n)
            strv_addf(&g->notes, "%s: found %zu more file(s) named %s (e.g. %s); using the "
                      "shallowest, %s", lab->name, c[k].others.n, lab->file, c[k].others.v[0],
                      c[k].best);
        char *src = dir ? xasprintf("%s/%s", dir, c[k].best) : xstrdup(c[k].best);
        char *dstdir = xasprintf("%s/%s/src", scratch, lab->name);
        char *dst = xasprintf("%s/%s", dstdir, lab->file);
        if (mkdirs(dstdir, 0755) == -1)
            die("%s: %s", dstdir, strerror(errno));
        if (take_file(src, dst, g, c[k].best) == 0)
            found[map[k]] = xstrdup(c[k].best);
        free(src);
        free(dstdir);
        free(dst);
        free(c[k].best);
        strv_free(&c[k].others);
    }
}

void submission_collect(const char *path, const char *scratch, struct lab *labs, int nlabs,
                        char **found, struct grade *g)
{
    struct candidates c[MAX_LABS];
    int nc = 0, map[MAX_LABS];
    char *complaint = NULL;

    for (int i = 0; i < nlabs; i++) {
        found[i] = NULL;
        if (lab_graded(&labs[i])) {
            memset(&c[nc], 0, sizeof c[nc]);
            c[nc].file = labs[i].file;
            map[nc++] = i;
        }
    }
    char *dir = search_root(path, scratch, labs, nlabs, c, nc, g, &complaint);
    if (dir) {
        int budget = WALK_ENTRIES;
        walk(dir, "", 0, c, nc, &budget);
        if (budget <= 0)
            strv_addf(&g->notes, "the submission has more than %d entries; the search stopped",
                      WALK_ENTRIES);
    }
    bool none = true;
    for (int k = 0; k < nc; k++)
        none &= c[k].best == NULL;
    if (none && complaint)
        strv_addf(&g->notes, "nothing usable in the archive; %s", complaint);
    free(complaint);
    take_chosen(c, nc, map, dir, scratch, labs, found, g);
    free(dir);
}
