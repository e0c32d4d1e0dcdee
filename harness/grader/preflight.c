/* preflight.c - before grading anything, checks that the sandbox uid can reach what grading
 * needs (the scratch directory and the compiler) and can run the compiler and a program
 * placed in the scratch directory. Otherwise every student would get a zero for the grader's environment, e.g.
 * a tree under a 0700 home directory while the tests run as another uid. */
#include "grader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMPILER "/usr/bin/gcc"

static void preflight_fail(const char *fmt, const char *a, const char *b)
{
    fputs("mmgrade: grader error: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputs("\nThis is not a verdict on any submission: nothing was graded.\n", stderr);
    exit(1);
}

static bool searchable(const struct stat *st, uid_t uid)
{
    if (st->st_uid == uid)
        return st->st_mode & S_IXUSR;
    if (st->st_gid == (gid_t)uid)       /* the sandbox's gid is its uid, no other groups */
        return st->st_mode & S_IXGRP;
    return st->st_mode & S_IXOTH;
}

/* The first directory on path ("/", "/a", "/a/b", ...) the sandbox uid cannot search, or
 * NULL; *mode gets its permission bits. */
static char *blocking_dir(const char *path, mode_t *mode)
{
    char *p = xstrdup(path);
    size_t len = strlen(p);

    for (size_t i = 0; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        char saved = p[i];
        p[i] = '\0';
        const char *dir = i == 0 ? "/" : p;
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && !searchable(&st, sbx_uid())) {
            char *blocked = xstrdup(dir);
            *mode = st.st_mode & 07777;
            free(p);
            return blocked;
        }
        p[i] = saved;
    }
    free(p);
    return NULL;
}

static void check_reachable(const char *what, const char *path)
{
    mode_t mode;
    char *dir = blocking_dir(path, &mode);

    if (!dir)
        return;
    char *why = xasprintf("%s has mode %04o: no search permission for the sandbox uid %u",
                          dir, (unsigned)mode, (unsigned)sbx_uid());
    fprintf(stderr, "mmgrade: grader error: the tests run as uid %u, which cannot reach %s "
            "(%s): %s.\nGive every directory above it search permission for others "
            "(chmod o+x DIR), or set TMPDIR to a directory it can reach.\n",
            (unsigned)sbx_uid(), what, path, why);
    fputs("This is not a verdict on any submission: nothing was graded.\n", stderr);
    exit(1);
}

/* Runs argv as the sandbox uid in work; NULL, or the first line of what went wrong. */
static char *sandbox_fails(char **argv, const char *work)
{
    struct sbx_job job = {.argv = argv, .cwd = work, .report_fd = -1, .out_keep = 4096,
                          .wall = 30, .cpu = 30, .as = 2ul << 30, .fsize = 1 << 20,
                          .nofile = 64, .nproc = 16};
    struct sbx_result res;

    sbx_run(&job, &res);
    char *why = NULL;
    if (res.timed_out || res.status != 0) {
        why = xstrdup(res.out && res.out[0] ? res.out : "no output (it could not start)");
        sanitize_text(why);
        char *nl = strchr(why, '\n');
        if (nl)
            *nl = '\0';
    }
    sbx_result_free(&res);
    return why;
}

/* Runs the compiler, and a program placed in the scratch directory as grading places the
 * test binaries (a noexec TMPDIR stops only that), as the sandbox uid. */
static void check_sandbox_runs(void)
{
    const char *base = getenv("TMPDIR");
    char *scratch = xasprintf("%s/mmgrade-preflight.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(scratch))
        preflight_fail("%s: cannot create a scratch directory: %s", scratch, strerror(errno));
    char *work = xasprintf("%s/work", scratch), *prog = xasprintf("%s/probe", work);
    if (chmod(scratch, 0711) == -1 || mkdir(work, 0700) == -1 || sbx_own(work) == -1 ||
        copy_file("/bin/true", prog, 0755) == -1)
        preflight_fail("%s: cannot prepare a scratch directory: %s", work, strerror(errno));

    char *cc_argv[] = {COMPILER, "--version", NULL}, *prog_argv[] = {prog, NULL};
    char *cc_fails = sandbox_fails(cc_argv, work);
    char *prog_fails = cc_fails ? NULL : sandbox_fails(prog_argv, work);
    remove_tree(scratch);
    if (sbx_interrupted)
        exit(1);
    if (cc_fails)
        preflight_fail("the sandbox could not run " COMPILER " --version in %s: %s", work, cc_fails);
    if (prog_fails)
        preflight_fail("the sandbox could not run a program in the scratch directory %s (is "
                     "TMPDIR on a noexec file system?): %s", work, prog_fails);
    free(prog);
    free(work);
    free(scratch);
}

void preflight_sandbox(void)
{
    const char *base = getenv("TMPDIR");

    /* The grader copies the tree's headers and its compiled tests into the scratch
     * directory: the sandbox uid needs that directory and the compiler, not the tree. */
    if (sbx_uid() != geteuid()) {
        check_reachable("TMPDIR, where the scratch directories go", base && *base ? base : "/tmp");
        check_reachable("the compiler", COMPILER);
    }
    check_sandbox_runs();
}
