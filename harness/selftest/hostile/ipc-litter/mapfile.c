/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_count_lines leaves SysV shared memory, message queues and semaphores, a POSIX message
 * queue and files in /tmp, /var/tmp and /dev/shm behind on every call, and tries to read what
 * the sandbox must hide: the reference solution, the hidden tests, the grader's cache and the
 * grader's command line (it names other students in batch mode). It
 * prints MMHOSTILE-BREACH with whatever it could read. */
#include "mapfile.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#define mf_count_lines mf_count_lines_reference
/* @@REFERENCE@@ */
#undef mf_count_lines

static void litter(void)
{
    static int calls;
    char name[128];
    int n = calls++;

    int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    snprintf(name, sizeof name, "/mmhostile-mq-%d-%d", (int)getpid(), n);
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 16};
    mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
    if (q != (mqd_t)-1)
        mq_close(q);
    if (n == 0)                 /* what it made, to show that it ran */
        printf("litter: shm %s, msg %s, sem %s, mqueue %s\n", shm >= 0 ? "made" : "refused",
               msg >= 0 ? "made" : "refused", sem >= 0 ? "made" : "refused",
               q != (mqd_t)-1 ? "made" : "refused");
    static const char *const dirs[] = {"/tmp", "/var/tmp", "/dev/shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "%s/mmhostile-litter-%d-%d", dirs[i], (int)getpid(), n);
        int fd = open(name, O_WRONLY | O_CREAT, 0600);
        if (fd != -1)
            close(fd);
    }
}

/* Prints the first line of path if it can be read. */
static void try_read(const char *what, const char *path)
{
    char line[160] = "";
    FILE *f = fopen(path, "r");

    if (!f)
        return;
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    printf("MMHOSTILE-BREACH %s readable (%s): %.60s\n", what, path, line);
}

static void try_list(const char *what, const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            printf("MMHOSTILE-BREACH %s listable (%s): %s\n", what, path, e->d_name);
            break;
        }
    closedir(d);
}

static void snoop(void)
{
    char root[4096], path[4200];
    static int done;

    if (done++)
        return;
    snprintf(root, sizeof root, "%s", "@@REFERENCE_PATH@@");
    char *cut = strstr(root, "/solutions/");
    if (cut) {
        *cut = '\0';
        try_read("the reference solution", "@@REFERENCE_PATH@@");
        snprintf(path, sizeof path, "%s/harness/lab1/tests/mf_copy_hidden.c", root);
        try_read("a hidden test", path);
        snprintf(path, sizeof path, "%s/harness/lab1/tests", root);
        try_list("the hidden tests", path);
        snprintf(path, sizeof path, "%s/build/grader-cache", root);
        try_list("the grader cache", path);
        snprintf(path, sizeof path, "%s/build/obj/solutions", root);
        try_list("compiled solutions", path);
    }
    /* The grader's own command line (a wrapper's, like timeout's, is not the grader's). */
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char args[512], comm[32] = "";
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *c = fopen(path, "r");
        if (c) {
            if (!fgets(comm, sizeof comm, c))
                comm[0] = '\0';
            fclose(c);
        }
        if (strncmp(comm, "mmgrade", 7) != 0)
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd == -1)
            continue;
        ssize_t n = read(fd, args, sizeof args - 1);
        close(fd);
        if (n <= 0)
            continue;
        args[n] = '\0';
        for (ssize_t i = 0; i < n; i++)
            if (args[i] == '\0')
                args[i] = ' ';
        if (strstr(args, "mmgrade") && strstr(args, "submission"))
            printf("MMHOSTILE-BREACH the grader's argv readable: %.200s\n", args);
    }
    if (d)
        closedir(d);
    fflush(stdout);
}

long long mf_count_lines(int fd)
{
    (void)fd;
    litter();
    snoop();
    errno = ENOSYS;
    return -1;
}
