/* sandbox.c - runs one untrusted command (compiler, archive tool, test binary) bounded in
 * time, memory, files, processes and output: inside bubblewrap (no network, private /tmp,
 * /dev and pid space, read-only system) as an unprivileged uid of its own when the kernel
 * allows it, else as that uid in its own session under rlimits, then kills and reaps
 * everything the command left behind. One uid per job slot: RLIMIT_NPROC counts per uid. */
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UID_BASE      180000            /* + slot: a uid range nobody else runs as */
#define UID_SLOTS     1000
#define LOCK_DIR      "/run/mmgrade"    /* root only: which uid slots are taken */
#define REPORT_FD     3
#define REPORT_MAX    (4u << 20)        /* bytes of JSON Lines kept */
#define TMPFS_BYTES   "536870912"       /* the sandbox's private /tmp */

volatile int sbx_interrupted;

static int mode = ISO_PLAIN;
static uid_t run_uid;
static bool as_root;
static char *probe_note;

uid_t sbx_uid(void) { return run_uid; }

const char *sbx_isolation(void)
{
    static char text[256];

    if (mode == ISO_BWRAP)
        snprintf(text, sizeof text, "bubblewrap (no network, private /tmp /dev/shm and pids), "
                 "uid %u, rlimits", (unsigned)run_uid);
    else
        snprintf(text, sizeof text, "rlimits + own session and process group, uid %u%s%s",
                 (unsigned)run_uid, probe_note ? "; bubblewrap unavailable: " : "",
                 probe_note ? probe_note : "");
    return text;
}

int sbx_own(const char *path)
{
    if (!as_root)
        return 0;
    return chown(path, run_uid, run_uid);
}

/* ---- Finding and killing what a command left behind ------------------------------------ */

/* Reads ppid and real uid of /proc/<pid>; returns -1 if it is gone. */
static int proc_info(pid_t pid, pid_t *ppid, uid_t *uid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strstr(buf, "\nPPid:"), *u = strstr(buf, "\nUid:");
    if (!p || !u)
        return -1;
    *ppid = (pid_t)atoi(p + 6);
    *uid = (uid_t)strtoul(u + 5, NULL, 10);
    return 0;
}

/* One pass: SIGKILL every process of the sandbox uid (when it is ours alone) and every
 * descendant of this process. Returns how many were signalled. */
static int kill_pass(void)
{
    enum { MAXP = 32768 };
    static pid_t pids[MAXP], ppids[MAXP];
    static bool mine[MAXP];
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0, killed = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) && n < MAXP) {
        pid_t pid = (pid_t)atoi(e->d_name);
        uid_t uid;
        if (pid <= 1 || pid == getpid() || proc_info(pid, &ppids[n], &uid) == -1)
            continue;
        pids[n] = pid;
        mine[n] = as_root && uid == run_uid;
        n++;
    }
    closedir(d);
    /* Descendants: repeat until no new process joins the set. */
    for (bool grew = true; grew; ) {
        grew = false;
        for (int i = 0; i < n; i++) {
            if (mine[i])
                continue;
            if (ppids[i] == getpid())
                mine[i] = grew = true;
            for (int j = 0; j < n && !mine[i]; j++)
                if (mine[j] && pids[j] == ppids[i])
                    mine[i] = grew = true;
        }
    }
    for (int i = 0; i < n; i++)
        if (mine[i] && kill(pids[i], SIGKILL) == 0)
            killed++;
    return killed;
}

void sbx_cleanup_strays(void)
{
    for (int round = 0; round < 200; round++) {
        int killed = kill_pass();
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (!killed)
            break;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* Shared-memory objects and temp files a plain-mode run created (bubblewrap's vanish). */
struct snapshot { struct strv names; };

static void snap_take(const char *dir, struct snapshot *s)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)))
        strv_add(&s->names, e->d_name);
    closedir(d);
}

static void snap_clean(const char *dir, struct snapshot *s, time_t since)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (strv_has(&s->names, e->d_name) || fstatat(dirfd(d), e->d_name, &st,
                                                       AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        /* As root the uid is this job's alone; otherwise only new entries of ours. */
        if (st.st_uid != run_uid || (!as_root && st.st_ctime < since))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        remove_tree(path);
        free(path);
    }
    closedir(d);
    strv_free(&s->names);
}

/* ---- Starting the command ------------------------------------------------------------- */

static void add_system_binds(struct strv *a)
{
    static const char *const dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32",
                                       "/libx32", "/etc"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct stat st;
        char target[256];
        if (lstat(dirs[i], &st) == -1)
            continue;
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(dirs[i], target, sizeof target - 1);
            if (n <= 0)
                continue;
            target[n] = '\0';
            strv_add(a, "--symlink");
            strv_add(a, target);
        } else {
            strv_add(a, "--ro-bind");
            strv_add(a, dirs[i]);
        }
        strv_add(a, dirs[i]);
    }
}

static void build_argv(const struct sbx_job *job, struct strv *a)
{
    if (mode != ISO_BWRAP || job->trusted) {
        for (char *const *p = job->argv; *p; p++)
            strv_add(a, *p);
        return;
    }
    strv_add(a, "/usr/bin/bwrap");
    strv_split(a, "--unshare-all --die-with-parent --new-session");
    add_system_binds(a);
    strv_split(a, "--proc /proc --dev /dev --size " TMPFS_BYTES " --tmpfs /tmp");
    for (size_t i = 0; i < job->ro.n; i++) {
        strv_add(a, "--ro-bind");
        strv_add(a, job->ro.v[i]);
        strv_add(a, job->ro.v[i]);
    }
    for (size_t i = 0; i < job->rw.n; i++) {
        strv_add(a, "--bind");
        strv_add(a, job->rw.v[i]);
        strv_add(a, job->rw.v[i]);
    }
    if (job->disk_dir && (!job->cwd || strcmp(job->disk_dir, job->cwd) != 0)) {
        strv_add(a, "--bind");
        strv_add(a, job->disk_dir);
        strv_add(a, job->disk_dir);
    }
    if (job->cwd) {
        strv_add(a, "--bind");
        strv_add(a, job->cwd);
        strv_add(a, job->cwd);
        strv_add(a, "--chdir");
        strv_add(a, job->cwd);
    } else {
        strv_split(a, "--dir /tmp/home --chdir /tmp/home");
    }
    strv_add(a, "--");
    for (char *const *p = job->argv; *p; p++)
        strv_add(a, *p);
}

static void build_env(const struct sbx_job *job, struct strv *env)
{
    bool inside = mode == ISO_BWRAP && !job->trusted;
    const char *work = job->cwd ? job->cwd : "/tmp/home";

    strv_add(env, "PATH=/usr/bin:/bin");
    strv_add(env, "LANG=C");
    strv_addf(env, "HOME=%s", inside && !job->cwd ? "/tmp/home" : work);
    strv_addf(env, "TMPDIR=%s", inside ? "/tmp" : (job->tmpdir ? job->tmpdir : work));
    if (job->disk_dir)
        strv_addf(env, "MMTEST_DISK_DIR=%s", job->disk_dir);
    if (job->report_fd >= 0)
        strv_addf(env, "MMTEST_REPORT_FD=%d", REPORT_FD);
}

/* Tasks (threads count) of our uid now: RLIMIT_NPROC counts them all, machine-wide, so
 * without a uid of its own a command gets its limit on top of them. */
static rlim_t tasks_of_uid(uid_t uid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    rlim_t n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        char path[300], buf[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t len = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd != -1)
            close(fd);
        if (len <= 0)
            continue;
        buf[len] = '\0';
        char *u = strstr(buf, "\nUid:"), *t = strstr(buf, "\nThreads:");
        if (u && t && (uid_t)strtoul(u + 5, NULL, 10) == uid)
            n += (rlim_t)strtoul(t + 9, NULL, 10);
    }
    closedir(d);
    return n;
}

static void set_limit(int res, rlim_t value)
{
    struct rlimit rl = {value, value};
    if (value)
        setrlimit(res, &rl);
}

/* In the child: never returns. Only async-signal-safe calls after fork. */
static void child_exec(const struct sbx_job *job, char **argv, char **envp, int outw, int repw)
{
    int in = open(job->stdin_path ? job->stdin_path : "/dev/null", O_RDONLY);

    setsid();
    if (in == -1 || dup2(in, 0) == -1 || dup2(outw, 1) == -1 || dup2(outw, 2) == -1)
        _exit(127);
    if (repw >= 0) {
        int high = fcntl(repw, F_DUPFD, 10);
        if (high == -1 || dup2(high, REPORT_FD) == -1)
            _exit(127);
        syscall(SYS_close_range, REPORT_FD + 1, ~0U, 0);
    } else {
        syscall(SYS_close_range, 3, ~0U, 0);
    }
    set_limit(RLIMIT_CORE, 0);
    struct rlimit zero = {0, 0};
    setrlimit(RLIMIT_CORE, &zero);
    set_limit(RLIMIT_CPU, job->cpu);
    set_limit(RLIMIT_AS, job->as);
    set_limit(RLIMIT_FSIZE, job->fsize);
    set_limit(RLIMIT_NOFILE, job->nofile);
    if (!job->trusted) {
        set_limit(RLIMIT_NPROC, job->nproc);
        if (as_root && (setgroups(0, NULL) == -1 || setresgid(run_uid, run_uid, run_uid) == -1 ||
                        setresuid(run_uid, run_uid, run_uid) == -1))
            _exit(126);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }
    /* After the uid change, which clears it: if mmgrade dies, so does the command. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(127);
    if (!(mode == ISO_BWRAP && !job->trusted) && job->cwd && chdir(job->cwd) == -1)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv, envp);
    static const char msg[] = "mmgrade: cannot execute the command\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(127);
    _exit(127);
}

/* ---- Collecting its output ------------------------------------------------------------ */

struct collector {
    const struct sbx_job *job;
    struct sbx_result *res;
    struct buf out, rep;
    int outr, repr;
};

/* Reads what is available; returns false at end of file (fd closed by us). */
static void collect(struct collector *c, int *fd, bool report)
{
    static int devnull = -1;
    char chunk[65536];
    ssize_t n;

    if (!report && c->out.len >= c->job->out_keep) {
        /* Past what is kept: move the rest to /dev/null in the kernel (a gigabyte of output
         * costs little), never stop reading (the writer would get SIGPIPE). */
        if (devnull == -1)
            devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        n = splice(*fd, NULL, devnull, NULL, 1u << 20, SPLICE_F_NONBLOCK);
        if (n > 0) {
            c->res->out_total += (size_t)n;
            return;
        }
        if (n == -1 && errno == EAGAIN)
            return;
    }
    n = read(*fd, chunk, sizeof chunk);

    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    if (report) {
        if (c->rep.len + (size_t)n <= REPORT_MAX)
            buf_add(&c->rep, chunk, (size_t)n);
        return;
    }
    size_t keep = c->job->out_keep > c->out.len ? c->job->out_keep - c->out.len : 0;
    if (keep)
        buf_add(&c->out, chunk, (size_t)n < keep ? (size_t)n : keep);
    c->res->out_total += (size_t)n;     /* the rest is read and dropped: no SIGPIPE */
}

static void drain(struct collector *c, double limit)
{
    double end = now_seconds() + limit;

    while ((c->outr >= 0 || c->repr >= 0) && now_seconds() < end) {
        struct pollfd p[2] = {{c->outr, POLLIN, 0}, {c->repr, POLLIN, 0}};
        int n = poll(p, 2, 50);
        if (n <= 0)
            break;      /* nothing more within 50 ms: whoever held the pipe is gone */
        if (p[0].revents && c->outr >= 0)
            collect(c, &c->outr, false);
        if (p[1].revents && c->repr >= 0)
            collect(c, &c->repr, true);
    }
}

static void kill_run(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* Collects the command's output and reports until it exits, its wall-clock limit passes,
 * it stays silent on the report channel for job->idle seconds, or we are interrupted (then
 * it is killed). Returns its wait status. */
static int supervise(pid_t pid, struct collector *c, double t0)
{
    const struct sbx_job *job = c->job;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);   /* -1 on old kernels: poll by time */
    double deadline = t0 + job->wall, last_report = t0;
    int status = 0;

    for (;;) {
        double now = now_seconds(), left = deadline - now;
        if (job->idle > 0) {
            double idle_left = last_report + job->idle - now;
            left = idle_left < left ? idle_left : left;
        }
        if (left <= 0 || sbx_interrupted) {
            c->res->timed_out = !sbx_interrupted;
            kill_run(pid);
            waitpid(pid, &status, 0);
            break;
        }
        struct pollfd p[3] = {{c->outr, POLLIN, 0}, {c->repr, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int ms = pidfd >= 0 ? (int)(left * 1000) + 1 : 20;
        if (poll(p, 3, ms > 20 && pidfd < 0 ? 20 : ms) == -1 && errno != EINTR)
            die("poll: %s", strerror(errno));
        if (p[0].revents && c->outr >= 0)
            collect(c, &c->outr, false);
        if (p[1].revents && c->repr >= 0) {
            size_t before = c->rep.len;
            collect(c, &c->repr, true);
            if (c->rep.len != before)
                last_report = now_seconds();
        }
        if (((pidfd >= 0 && p[2].revents) || pidfd < 0) &&
            waitpid(pid, &status, pidfd >= 0 ? 0 : WNOHANG) == pid)
            break;
    }
    if (pidfd >= 0)
        close(pidfd);
    return status;
}

int sbx_run(const struct sbx_job *job, struct sbx_result *res)
{
    struct strv argv = {0}, env = {0};
    struct collector c = {.job = job, .res = res, .outr = -1, .repr = -1};
    struct snapshot shm = {0}, tmp = {0};
    int outp[2], repp[2] = {-1, -1};
    bool plain = mode != ISO_BWRAP || job->trusted;
    time_t started = time(NULL);
    double t0 = now_seconds();

    memset(res, 0, sizeof *res);
    res->status = -1;
    build_argv(job, &argv);
    build_env(job, &env);
    struct sbx_job adjusted = *job;
    if (!as_root && !job->trusted && job->nproc)
        adjusted.nproc += tasks_of_uid(run_uid);
    job = &adjusted;
    if (pipe2(outp, O_CLOEXEC) == -1 || (job->report_fd >= 0 && pipe2(repp, O_CLOEXEC) == -1))
        die("pipe: %s", strerror(errno));
    if (plain && !job->trusted) {
        snap_take("/dev/shm", &shm);
        if (as_root)
            snap_take("/tmp", &tmp);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1)
        die("fork: %s", strerror(errno));
    if (pid == 0)
        child_exec(job, argv.v, env.v, outp[1], repp[1]);
    close(outp[1]);
    if (repp[1] >= 0)
        close(repp[1]);
    c.outr = outp[0];
    c.repr = repp[0];
    fcntl(c.outr, F_SETFL, O_NONBLOCK);
    if (c.repr >= 0)
        fcntl(c.repr, F_SETFL, O_NONBLOCK);

    res->status = supervise(pid, &c, t0);
    res->seconds = now_seconds() - t0;
    /* The command is gone; its leftovers (daemons, orphans, fork bombs) go now, so that
     * nobody holds the pipes open any more. */
    kill(-pid, SIGKILL);
    if (!job->trusted)
        sbx_cleanup_strays();
    drain(&c, 2.0);
    if (c.outr >= 0)
        close(c.outr);
    if (c.repr >= 0)
        close(c.repr);
    if (plain && !job->trusted) {
        snap_clean("/dev/shm", &shm, started);
        if (as_root)
            snap_clean("/tmp", &tmp, started);
    }
    res->out_cut = res->out_total > c.out.len;
    res->out = buf_take(&c.out);
    res->report_len = c.rep.len;
    res->report = buf_take(&c.rep);
    strv_free(&argv);
    strv_free(&env);
    return 0;
}

void sbx_result_free(struct sbx_result *res)
{
    free(res->out);
    free(res->report);
    memset(res, 0, sizeof *res);
}

/* ---- Choosing the isolation ----------------------------------------------------------- */

/* Takes the first uid slot no other mmgrade process holds (flock on LOCK_DIR/uid-N, held
 * until exit), so that two graders never kill each other's processes. */
static uid_t acquire_uid(void)
{
    struct stat st;
    const char *dir = LOCK_DIR;

    if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
        dir = "/tmp/.mmgrade-uids";             /* a read-only /run (some containers) */
        if (mkdir(dir, 0700) == -1 && errno != EEXIST)
            die("%s: %s", dir, strerror(errno));
    }
    if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 0022))
        die("%s: not a directory that only root can write", dir);
    for (int k = 0; k < UID_SLOTS; k++) {
        char path[64];
        snprintf(path, sizeof path, "%s/uid-%d", dir, UID_BASE + k);
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd == -1)
            die("%s: %s", path, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return (uid_t)(UID_BASE + k);      /* fd stays open: the lock lasts our life */
        close(fd);
    }
    die("all %d sandbox uids from %d are in use by other mmgrade processes", UID_SLOTS, UID_BASE);
}

void sbx_init(int slot)
{
    static bool probed;

    as_root = geteuid() == 0;
    (void)slot;
    run_uid = as_root ? acquire_uid() : getuid();
    /* Orphans of plain-mode runs come back to us, so they can be killed and reaped. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (probed)
        return;
    probed = true;
    if (cfg.isolation == ISO_PLAIN) {
        mode = ISO_PLAIN;
        return;
    }
    if (access("/usr/bin/bwrap", X_OK) == 0) {
        char *argv[] = {"/bin/true", NULL};
        struct sbx_job job = {.argv = argv, .report_fd = -1, .out_keep = 2048, .wall = 20,
                              .nproc = 64};
        struct sbx_result res;
        mode = ISO_BWRAP;
        sbx_run(&job, &res);
        if (res.status == 0 && !res.timed_out) {
            sbx_result_free(&res);
            return;
        }
        bool cut;
        char *line = first_lines(res.out, 1, 200, &cut);
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        probe_note = xasprintf("%s", *line ? line : "bwrap failed");
        free(line);
        sbx_result_free(&res);
    } else {
        probe_note = xstrdup("/usr/bin/bwrap is not installed");
    }
    mode = ISO_PLAIN;
    if (cfg.isolation == ISO_BWRAP)
        die("--isolation bwrap: bubblewrap does not work here: %s", probe_note);
}
