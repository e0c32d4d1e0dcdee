/* mmtest.c - the test layer every lab's Criterion tests share (see mmtest.h).
 * Runs in the test processes Criterion forks, next to student code: it assumes nothing about
 * that code except that it may fork, exit early or leave processes behind. */
#include "mmtest.h"

#include <dirent.h>
#include <seccomp.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <poll.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MM_MAX_TMP 64

static pid_t test_pid;                  /* the process the test body runs in */
static char *tmp_paths[MM_MAX_TMP];     /* files and directories mm_fini removes */
static int ntmp;

/* ---- Names ---------------------------------------------------------------------------- */

#define NAME(x) { x, #x }
static const struct { int value; const char *name; } errno_names[] = {
    NAME(EPERM), NAME(ENOENT), NAME(ESRCH), NAME(EINTR), NAME(EIO), NAME(ENXIO),
    NAME(E2BIG), NAME(ENOEXEC), NAME(EBADF), NAME(ECHILD), NAME(EAGAIN), NAME(ENOMEM),
    NAME(EACCES), NAME(EFAULT), NAME(EBUSY), NAME(EEXIST), NAME(EXDEV), NAME(ENODEV),
    NAME(ENOTDIR), NAME(EISDIR), NAME(EINVAL), NAME(ENFILE), NAME(EMFILE), NAME(ENOTTY),
    NAME(ETXTBSY), NAME(EFBIG), NAME(ENOSPC), NAME(ESPIPE), NAME(EROFS), NAME(EMLINK),
    NAME(EPIPE), NAME(EDOM), NAME(ERANGE), NAME(EDEADLK), NAME(ENAMETOOLONG),
    NAME(ENOLCK), NAME(ENOSYS), NAME(ENOTEMPTY), NAME(ELOOP), NAME(ENOMSG),
    NAME(EOVERFLOW), NAME(EMSGSIZE), NAME(ENOTSUP), NAME(ETIMEDOUT), NAME(EOWNERDEAD),
    NAME(ENOTRECOVERABLE), NAME(ECANCELED),
};
static const struct { int value; const char *name; } signal_names[] = {
    NAME(SIGHUP), NAME(SIGINT), NAME(SIGQUIT), NAME(SIGILL), NAME(SIGTRAP), NAME(SIGABRT),
    NAME(SIGBUS), NAME(SIGFPE), NAME(SIGKILL), NAME(SIGUSR1), NAME(SIGSEGV),
    NAME(SIGUSR2), NAME(SIGPIPE), NAME(SIGALRM), NAME(SIGTERM), NAME(SIGCHLD),
    NAME(SIGCONT), NAME(SIGSTOP), NAME(SIGTSTP), NAME(SIGXCPU), NAME(SIGXFSZ),
    NAME(SIGSYS),
};
#undef NAME

const char *mm_errno_name(int err)
{
    static char unknown[32];

    if (err == 0)
        return "0 (no error)";
    for (size_t i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
        if (errno_names[i].value == err)
            return errno_names[i].name;
    snprintf(unknown, sizeof unknown, "errno %d", err);
    return unknown;
}

const char *mm_signal_name(int sig)
{
    static char unknown[32];

    for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
        if (signal_names[i].value == sig)
            return signal_names[i].name;
    snprintf(unknown, sizeof unknown, "signal %d", sig);
    return unknown;
}

/* ---- Suites --------------------------------------------------------------------------- */

void mm_init(void)
{
    /* The grader's result channel belongs to the Criterion runner only. BoxFort starts
     * each test process with only its own descriptors, so the fd is not here: drop the
     * variable too, so that student code cannot even learn the number. */
    unsetenv("MMTEST_REPORT_FD");
    test_pid = getpid();
    /* Orphans of student code are re-parented to us, so mm_fini can reap them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* The judge: no process of the same uid may ptrace it or open its /proc/PID/mem. */
    prctl(PR_SET_DUMPABLE, 0);
    mm_subject_init();
}

void mm_kill_descendants(void)
{
    for (int round = 0; round < 200; round++) {
        char path[64], buf[4096];
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
            kill((pid_t)atoi(tok), SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (n == 0 && waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
            return;
        struct timespec pause = { 0, 5 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)type, (void)ftw;
    remove(path);
    return 0;
}

void mm_fini(void)
{
    if (getpid() != test_pid)
        _exit(MM_STRAY_EXIT);
    mm_kill_descendants();
    for (int i = ntmp - 1; i >= 0; i--) {
        nftw(tmp_paths[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(tmp_paths[i]);
    }
    ntmp = 0;
}

/* ---- Processes ------------------------------------------------------------------------ */

pid_t mm_fork(void)
{
    fflush(NULL);
    return fork();
}

long long mm_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void mm_sleep_ms(double ms)
{
    long long ns = (long long)(ms * 1e6);
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

size_t mm_page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

int mm_wait(pid_t pid, int timeout_ms)
{
    /* A deadline on the clock, not a count of sleeps: sleeps stretch on a loaded machine. */
    long long deadline = mm_now_ms() + timeout_ms;
    int status;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r == -1)
            return -1;
        if (mm_now_ms() > deadline)
            break;
        struct timespec ms = { 0, 1000 * 1000 };
        nanosleep(&ms, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

uid_t mm_unprivileged_uid(void)
{
    /* A uid nobody runs as: RLIMIT_NPROC counts every process of a uid machine-wide. */
    return (uid_t)(200000 + getpid() % 50000);
}

/* ---- /proc probes --------------------------------------------------------------------- */

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;

    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL; )
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

int mm_count_fds(void)
{
    return count_dir("/proc/self/fd") - 1;      /* minus the one opendir holds */
}

int mm_count_threads(void)
{
    return count_dir("/proc/self/task");
}

int mm_count_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    int n = 0, c;

    if (!f)
        return -1;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Children of this process with their state letter, read from /proc/PID/stat. */
static int count_children_in_state(const char *states)
{
    DIR *d = opendir("/proc");
    int n = 0;

    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL; ) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *close_paren = strrchr(buf, ')');  /* the command name may hold spaces */
        char state;
        int ppid;
        if (close_paren && sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 &&
            ppid == getpid() && (states == NULL || strchr(states, state)))
            n++;
    }
    closedir(d);
    return n;
}

int mm_count_children(void)
{
    return count_children_in_state(NULL);
}

int mm_count_zombies(void)
{
    return count_children_in_state("Z");
}

unsigned long long mm_vm_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    unsigned long long kb = 0;
    char line[256];

    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

/* ---- Files ---------------------------------------------------------------------------- */

static const char *tmp_base(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

static const char *remember(char *path)
{
    if (ntmp == MM_MAX_TMP) {
        fprintf(stderr, "mmtest: more than %d temporary files in one test\n", MM_MAX_TMP);
        abort();
    }
    tmp_paths[ntmp++] = path;
    return path;
}

const char *mm_tmpfile(const void *data, size_t len)
{
    char *path;

    if (asprintf(&path, "%s/mmtest-XXXXXX", tmp_base()) == -1)
        abort();
    int fd = mkstemp(path);
    if (fd == -1) {
        fprintf(stderr, "mmtest: mkstemp %s: %s\n", path, strerror(errno));
        abort();
    }
    remember(path);
    if (data == NULL) {
        if (ftruncate(fd, (off_t)len) == -1)
            abort();
    } else {
        for (size_t done = 0; done < len; ) {
            ssize_t n = write(fd, (const char *)data + done, len - done);
            if (n <= 0)
                abort();
            done += (size_t)n;
        }
    }
    if (close(fd) == -1)
        abort();
    return path;
}

/* tmpfs and ramfs keep file pages in memory only: msync has nothing to write there. */
static bool on_disk(const char *dir)
{
    struct statfs sf;
    return dir && *dir && access(dir, W_OK | X_OK) == 0 && statfs(dir, &sf) == 0 &&
           sf.f_type != TMPFS_MAGIC && sf.f_type != RAMFS_MAGIC;
}

const char *mm_disk_dir(void)
{
    static char cwd[PATH_MAX];
    const char *dirs[] = { getenv("MMTEST_DISK_DIR"), getenv("TMPDIR"), "/tmp", "/var/tmp",
                           getcwd(cwd, sizeof cwd) };

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (on_disk(dirs[i]))
            return dirs[i];
    return NULL;
}

const char *mm_tmpdir(void)
{
    char *path;

    if (asprintf(&path, "%s/mmtest-dir-XXXXXX", tmp_base()) == -1)
        abort();
    if (mkdtemp(path) == NULL) {
        fprintf(stderr, "mmtest: mkdtemp %s: %s\n", path, strerror(errno));
        abort();
    }
    return remember(path);
}

void mm_fill_random(void *buf, size_t len, unsigned seed)
{
    unsigned long long x = seed * 0x9E3779B97F4A7C15ull + 1;
    unsigned char *p = buf;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;   /* xorshift64: fast, reproducible */
        p[i] = (unsigned char)(x >> 24);
    }
}

unsigned char *mm_random_bytes(size_t len, unsigned seed)
{
    unsigned char *p = malloc(len ? len : 1);

    MM_CHECK(p != NULL, MM_NO_HINT, "test setup: malloc(%zu) failed", len);
    mm_fill_random(p, len, seed);
    return p;
}

void *mm_slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat sb;
    char *buf;

    if (fd == -1)
        return NULL;
    if (fstat(fd, &sb) == -1 || (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
        close(fd);
        return NULL;
    }
    size_t done = 0;
    for (ssize_t n; done < (size_t)sb.st_size; done += (size_t)n)
        if ((n = read(fd, buf + done, (size_t)sb.st_size - done)) <= 0)
            break;
    close(fd);
    *len = done;
    return buf;
}

const char *mm_helper(const char *name)
{
    static char path[PATH_MAX + NAME_MAX + 2];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    if (n <= 0)
        return name;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(path, sizeof path, "%s/%s", self, name);
    return path;
}

void mm_quiet_begin(struct mm_quiet *q)
{
    memset(q, 0, sizeof *q);
    fflush(stdout);
    fflush(stderr);
    q->out = memfd_create("mmtest-output", MFD_CLOEXEC);
    q->saved_out = dup(1);
    q->saved_err = dup(2);
    if (q->out == -1 || q->saved_out == -1 || q->saved_err == -1 || dup2(q->out, 1) == -1 ||
        dup2(q->out, 2) == -1)
        q->setup_err = errno ? errno : EBADF;
}

void mm_quiet_end(struct mm_quiet *q)
{
    fflush(stdout);
    fflush(stderr);
    if (q->out != -1 && !q->setup_err) {
        q->printed = lseek(q->out, 0, SEEK_END);
        if (pread(q->out, q->first, MM_QUIET_SHOWN, 0) == -1)
            q->first[0] = '\0';
    }
    if (q->saved_out != -1 && dup2(q->saved_out, 1) != -1)
        close(q->saved_out);
    if (q->saved_err != -1 && dup2(q->saved_err, 2) != -1)
        close(q->saved_err);
    if (q->out != -1)
        close(q->out);
}

void mm_check_quiet(struct mm_quiet *q, struct mm_hint hint, const char *who)
{
    MM_CHECK(q->setup_err == 0, MM_NO_HINT, "test setup: redirecting stdout and stderr "
             "failed: %s", mm_errno_name(q->setup_err));
    q->first[MM_QUIET_SHOWN] = '\0';   /* the judge trusts no string it did not end */
    for (char *c = q->first; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = *c == '\n' ? '|' : '?';
    MM_CHECK(q->printed == 0, hint, "%s printed %lld bytes to stdout or stderr, expected none; "
             "they begin \"%s\" ('|' is a newline).", who, q->printed, q->first);
}
