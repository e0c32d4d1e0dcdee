/* cleanup.c - what an interrupted run must not leave behind: data files, shared-memory
 * objects, memory cgroups and helper processes (a socket server, clients). Each piece
 * registers itself while it exists; SIGINT and SIGTERM remove them all, then end the run. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmbench.h"

enum { C_FILE, C_SHM, C_CGROUP };
#define CLEANUP_MAX 16

static struct { int kind; char what[4200]; } items[CLEANUP_MAX];
static pid_t pids[CLEANUP_MAX];
static pid_t owner;             /* forked helpers inherit the handler: only the run cleans up */

static void add(int kind, const char *what)
{
    for (int i = 0; i < CLEANUP_MAX; i++)
        if (items[i].what[0] == '\0') {
            items[i].kind = kind;
            snprintf(items[i].what, sizeof(items[i].what), "%s", what);
            return;
        }
}

void cleanup_file(const char *path) { add(C_FILE, path); }
void cleanup_shm(const char *name) { add(C_SHM, name); }
void cleanup_cgroup(const char *dir) { add(C_CGROUP, dir); }

void cleanup_forget(const char *what)
{
    for (int i = 0; i < CLEANUP_MAX; i++)
        if (strcmp(items[i].what, what) == 0)
            items[i].what[0] = '\0';
}

void cleanup_pid(pid_t pid)
{
    for (int i = 0; i < CLEANUP_MAX; i++)
        if (pids[i] == 0) {
            pids[i] = pid;
            return;
        }
}

void cleanup_forget_pid(pid_t pid)
{
    for (int i = 0; i < CLEANUP_MAX; i++)
        if (pids[i] == pid)
            pids[i] = 0;
}

/* Processes first: a cgroup can be removed only once nothing runs in it. */
static void on_signal(int sig)
{
    if (getpid() != owner) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    for (int i = 0; i < CLEANUP_MAX; i++)
        if (pids[i] > 0 && kill(pids[i], SIGKILL) == 0)
            waitpid(pids[i], NULL, 0);
    for (int i = 0; i < CLEANUP_MAX; i++) {
        if (items[i].what[0] == '\0')
            continue;
        if (items[i].kind == C_FILE)
            unlink(items[i].what);
        else if (items[i].kind == C_SHM)
            shm_unlink(items[i].what);
        else
            rmdir(items[i].what);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void cleanup_install(void)
{
    owner = getpid();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}
