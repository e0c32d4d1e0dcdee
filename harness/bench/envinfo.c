/* envinfo.c - what a result means depends on where it ran: kernel, CPU, page size, memory,
 * transparent huge pages, file system, load, date and command line, written as the '#'
 * header of every TSV file (and used in the figures' titles). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mmbench.h"

#define ENV_MAX 40

static struct { char key[32]; char value[512]; } env[ENV_MAX];
static int nenv;

void env_set(const char *key, const char *fmt, ...)
{
    va_list ap;
    int i;

    for (i = 0; i < nenv && strcmp(env[i].key, key) != 0; i++)
        ;
    if (i == ENV_MAX)
        return;
    if (i == nenv)
        snprintf(env[nenv++].key, sizeof(env[i].key), "%s", key);
    va_start(ap, fmt);
    vsnprintf(env[i].value, sizeof(env[i].value), fmt, ap);
    va_end(ap);
    for (char *p = env[i].value; *p; p++)       /* one line, no tabs: the TSV stays parseable */
        if (*p == '\t' || *p == '\n')
            *p = ' ';
}

const char *env_get(const char *key)
{
    for (int i = 0; i < nenv; i++)
        if (strcmp(env[i].key, key) == 0)
            return env[i].value;
    return "";
}

/* The first line of path starting with prefix, without the prefix and the ": " after it. */
static void read_field(const char *path, const char *prefix, char *out, size_t len)
{
    char line[512];
    FILE *f = fopen(path, "r");

    snprintf(out, len, "unknown");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, prefix, strlen(prefix)) == 0) {
            char *v = line + strlen(prefix);

            v += strspn(v, " \t:");
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, len, "%s", v);
            break;
        }
    fclose(f);
}

static const char *fs_name(long type)
{
    switch (type) {
    case 0xef53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683e: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794c7630: return "overlayfs";
    default: return "other";
    }
}

/* A DAMON daemon paging out idle memory evicts a warm file that sat unused for a while: the
 * "rewarms" column then counts re-reads. Describes the first running kdamond's first scheme. */
static void damon_evidence(void)
{
    const char *k = "/sys/kernel/mm/damon/admin/kdamonds";
    char path[256], state[32], action[32], age[32], aggr[32];

    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof(path), "%s/%d/state", k, i);
        read_field(path, "", state, sizeof(state));
        if (strcmp(state, "on") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%d/contexts/0/schemes/0/action", k, i);
        read_field(path, "", action, sizeof(action));
        snprintf(path, sizeof(path), "%s/%d/contexts/0/schemes/0/access_pattern/age/min", k, i);
        read_field(path, "", age, sizeof(age));
        snprintf(path, sizeof(path), "%s/%d/contexts/0/monitoring_attrs/intervals/aggr_us", k, i);
        read_field(path, "", aggr, sizeof(aggr));
        env_set("damon", "DAMON kdamond %d on, action %s for regions idle >= %s x %s us "
                "(a warm file unused that long may be evicted: see rewarms)", i, action, age,
                aggr);
        return;
    }
    env_set("damon", "no DAMON daemon running");
}

void env_collect(int argc, char **argv, const char *dir)
{
    char cpu[256], mem[64], thp[128], cmd[512] = "", date[64], load[64];
    struct utsname u;
    struct statfs sf;
    struct stat sb;
    time_t t = time(NULL);

    for (int i = 0; i < argc; i++)
        snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    uname(&u);
    read_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
    read_field("/proc/meminfo", "MemTotal", mem, sizeof(mem));
    read_field("/sys/kernel/mm/transparent_hugepage/enabled", "", thp, sizeof(thp));
    read_field("/proc/loadavg", "", load, sizeof(load));
    env_set("date", "%s", date);
    env_set("command", "%s", cmd);
    env_set("kernel", "%s %s %s", u.sysname, u.release, u.machine);
    env_set("cpu", "%s, %ld online", cpu, sysconf(_SC_NPROCESSORS_ONLN));
    env_set("memory", "%s", mem);
    env_set("page_size", "%ld", sysconf(_SC_PAGESIZE));
    env_set("thp", "%s", thp);
    if (statfs(dir, &sf) == 0)
        env_set("filesystem", "%s (statfs type 0x%lx) at %s", fs_name((long)sf.f_type),
                (long)sf.f_type, dir);
    env_set("load_start", "%s", load);
    if (stat(dir, &sb) == 0) {      /* the readahead window of the disk under dir */
        char path[128], ra[32];

        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/queue/read_ahead_kb",
                 major(sb.st_dev), minor(sb.st_dev));
        if (access(path, R_OK) != 0)    /* a partition: the queue is its disk's */
            snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../queue/read_ahead_kb",
                     major(sb.st_dev), minor(sb.st_dev));
        read_field(path, "", ra, sizeof(ra));
        env_set("read_ahead_kb", "%s (of the disk under %s; mmap faults read around this much)",
                ra, dir);
    }
    damon_evidence();
    /* a short line for figure titles: machine, kernel */
    env_set("title", "%.40s, %ld CPUs, %s %s", cpu, sysconf(_SC_NPROCESSORS_ONLN), u.sysname,
            u.release);
}

void env_write(FILE *f)
{
    for (int i = 0; i < nenv; i++)
        fprintf(f, "# %s\t%s\n", env[i].key, env[i].value);
}
