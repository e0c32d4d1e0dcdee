/* cgroup.c - a memory cgroup for the larger-than-memory regime: page cache is charged to
 * the cgroup of the process that reads it in, so a 1 GiB file read in a cgroup limited to
 * 256 MiB must evict, on a machine with plenty of RAM. cgroup2 where it has the memory
 * controller, else v1's memory hierarchy; both need root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmbench.h"

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) == EOF ? -1 : rc;
}

static long read_long(const char *dir, const char *name)
{
    char path[512];
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    if (fscanf(f, "%ld", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}

/* A cgroup2 mount whose controllers include memory, made available to its children. */
static const char *v2_root(void)
{
    static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

    for (int i = 0; i < 2; i++) {
        char path[128], ctl[512] = "";
        FILE *f;

        snprintf(path, sizeof(path), "%s/cgroup.controllers", roots[i]);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(ctl, sizeof(ctl), f) == NULL)
            ctl[0] = '\0';
        fclose(f);
        for (char *t = strtok(ctl, " \n"); t; t = strtok(NULL, " \n"))
            if (strcmp(t, "memory") == 0 && write_file(roots[i], "cgroup.subtree_control",
                                                       "+memory") == 0)
                return roots[i];
    }
    return NULL;
}

int cgroup_make(struct cgroup *cg, long limit, char *why, size_t whylen)
{
    const char *root = v2_root();
    char text[32];

    if (geteuid() != 0) {
        snprintf(why, whylen, "not root: making a memory cgroup needs root (run make plot "
                 "FULL=1 as root)");
        return -1;
    }
    cg->v2 = root != NULL;
    if (root == NULL) {
        root = "/sys/fs/cgroup/memory";
        if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", W_OK) == -1) {
            snprintf(why, whylen, "no memory cgroup: neither a cgroup2 mount with the memory "
                     "controller nor a v1 memory hierarchy at %s", root);
            return -1;
        }
    }
    snprintf(cg->dir, sizeof(cg->dir), "%s/mmbench-%ld", root, (long)getpid());
    if (mkdir(cg->dir, 0755) == -1 && errno != EEXIST) {
        snprintf(why, whylen, "%s: cannot create: %s", cg->dir, strerror(errno));
        return -1;
    }
    cleanup_cgroup(cg->dir);
    snprintf(text, sizeof(text), "%ld", limit);
    if (write_file(cg->dir, cg->v2 ? "memory.max" : "memory.limit_in_bytes", text) == -1) {
        snprintf(why, whylen, "%s: cannot set the limit: %s", cg->dir, strerror(errno));
        cgroup_remove(cg);
        return -1;
    }
    cg->limit = limit;
    return 0;
}

int cgroup_enter(const struct cgroup *cg)
{
    char text[32];

    snprintf(text, sizeof(text), "%ld", (long)getpid());
    return write_file(cg->dir, "cgroup.procs", text);
}

long cgroup_peak(const struct cgroup *cg)
{
    return read_long(cg->dir, cg->v2 ? "memory.peak" : "memory.max_usage_in_bytes");
}

/* rmdir fails with EBUSY while an exited member is still being torn down: retry for 1 s. */
int cgroup_remove(struct cgroup *cg)
{
    struct timespec ms10 = { 0, 10000000 };
    int rc = -1;

    for (int tries = 0; tries < 100 && (rc = rmdir(cg->dir)) == -1 && errno == EBUSY; tries++)
        nanosleep(&ms10, NULL);
    if (rc == 0 || errno == ENOENT)
        cleanup_forget(cg->dir);
    return rc == 0 || errno == ENOENT ? 0 : -1;
}
