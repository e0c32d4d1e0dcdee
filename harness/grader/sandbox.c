/* sandbox.c - runs one untrusted command (compiler, archive tool, test binary) bounded in
 * CPU time, memory, files, processes and output: inside bubblewrap (no network, sized private
 * /tmp and /dev/shm, own pid space, read-only system) as an unprivileged uid of its own when
 * the kernel allows it; else ("plain") as that uid in its own session under rlimits, in the
 * mount, IPC, network and pid namespaces root can still make (the tree hidden, /tmp,
 * /var/tmp and /dev/shm private and sized), or, where even those are refused (Docker),
 * with the tree closed to other users and every IPC object and file of the uid removed
 * afterwards. Then it kills and reaps everything the command left behind. One uid per
 * grader, machine-wide: RLIMIT_NPROC counts per uid, and kills go by uid. */
#include "grader.h"
#include "sandbox-limits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UID_BASE      180000            /* + slot: a uid range nobody else runs as */
#define UID_SLOTS     1000
#define LOCK_DIR      "/run/mmgrade"    /* root only: which uid slots are taken */
#define REPORT_FD     3
#define REPORT_MAX    (4u << 20)        /* bytes of JSON Lines kept */
#define SETUP_FD      100               /* the child's setup-error pipe, above its others */
#define SETUP_FAILED  126

volatile int sbx_interrupted;

static int mode = ISO_PLAIN;
static uid_t run_uid;
static bool as_root;
static bool use_ns;                     /* plain mode: root's own namespaces work here */
static bool ns_mounts = true;           /* ... with private mounts (/ is a mount point) */
static char *probe_note, *ns_note;
static unsigned long tmp_bytes = TMP_BYTES_MAX;

uid_t sbx_uid(void) { return run_uid; }

const char *sbx_isolation(void)
{
    static char text[640];

    if (mode == ISO_BWRAP)
        snprintf(text, sizeof text, "bubblewrap (no network, private /tmp /dev/shm and pids), "
                 "uid %u, rlimits", (unsigned)run_uid);
    else if (use_ns && ns_mounts)
        snprintf(text, sizeof text, "plain: namespaces (tree hidden, private /tmp /dev/shm "
                 "IPC and pids, no network), uid %u, rlimits%s%.200s", (unsigned)run_uid,
                 probe_note ? "; bubblewrap unavailable: " : "", probe_note ? probe_note : "");
    else if (use_ns)
        snprintf(text, sizeof text, "plain: namespaces (private IPC, no network; / is no "
                 "mount point, so the tree is closed by permissions and /tmp and /dev/shm "
                 "watched and cleaned), uid %u, rlimits%s%.200s", (unsigned)run_uid,
                 probe_note ? "; bubblewrap unavailable: " : "", probe_note ? probe_note : "");
    else
        snprintf(text, sizeof text, "plain: rlimits + own session and process group, uid %u%s%s"
                 "%.200s", (unsigned)run_uid, ns_note ? ns_note : "",
                 probe_note ? "; bubblewrap unavailable: " : "", probe_note ? probe_note : "");
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

/* What a plain-mode run may leave in places every uid shares: files in the temporary
 * directories and POSIX queues, and SysV IPC objects. As root the sandbox uid is this
 * grader's alone, so everything of that uid goes; as an ordinary user (the student kit) only
 * what is new since the command started. Inside namespaces all of it vanished already. */
static const char *const shared_dirs[] = {"/dev/shm", "/tmp", "/var/tmp", "/dev/mqueue"};
#define NSHARED (sizeof shared_dirs / sizeof *shared_dirs)

struct snapshot {
    struct strv names[NSHARED];
    struct strv ipc;                    /* "shm:ID", "msg:ID", "sem:ID" */
};

static void snap_dir(const char *dir, struct strv *names)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)))
        strv_add(names, e->d_name);
    closedir(d);
}

static void clean_dir(const char *dir, struct strv *names, time_t since)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if ((!as_root && strv_has(names, e->d_name)) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        if (st.st_uid != run_uid || (!as_root && st.st_ctime < since))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        remove_tree(path);
        free(path);
    }
    closedir(d);
}

/* Visits every SysV IPC object (kind 's' shm, 'm' msg, 'S' sem) owned or created by the
 * sandbox uid: fn(kind, id). */
static void each_sysv(void (*fn)(char kind, int id, void *ctx), void *ctx)
{
    struct shm_info shi;
    struct msginfo mi;
    struct seminfo sei;
    union { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; }
        arg = {.__buf = &sei};
    int max;

    max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&shi);
    for (int i = 0; i <= max; i++) {
        struct shmid_ds ds;
        int id = shmctl(i, SHM_STAT, &ds);
        if (id >= 0 && (ds.shm_perm.uid == run_uid || ds.shm_perm.cuid == run_uid))
            fn('s', id, ctx);
    }
    max = msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&mi);
    for (int i = 0; i <= max; i++) {
        struct msqid_ds ds;
        int id = msgctl(i, MSG_STAT, &ds);
        if (id >= 0 && (ds.msg_perm.uid == run_uid || ds.msg_perm.cuid == run_uid))
            fn('m', id, ctx);
    }
    max = semctl(0, 0, SEM_INFO, arg);
    for (int i = 0; i <= max; i++) {
        struct semid_ds ds;
        arg.buf = &ds;
        int id = semctl(i, 0, SEM_STAT, arg);
        if (id >= 0 && (ds.sem_perm.uid == run_uid || ds.sem_perm.cuid == run_uid))
            fn('S', id, ctx);
    }
}

static void note_sysv(char kind, int id, void *ctx)
{
    strv_addf(ctx, "%c:%d", kind, id);
}

static void remove_sysv(char kind, int id, void *ctx)
{
    const struct strv *before = ctx;
    char key[32];

    snprintf(key, sizeof key, "%c:%d", kind, id);
    if (!as_root && strv_has(before, key))
        return;
    if (kind == 's')
        shmctl(id, IPC_RMID, NULL);
    else if (kind == 'm')
        msgctl(id, IPC_RMID, NULL);
    else
        semctl(id, 0, IPC_RMID);
}

static void snap_take(struct snapshot *s)
{
    if (as_root)
        return;                         /* everything of the uid goes: nothing to remember */
    for (size_t i = 0; i < NSHARED; i++)
        snap_dir(shared_dirs[i], &s->names[i]);
    each_sysv(note_sysv, &s->ipc);
}

static void snap_clean(struct snapshot *s, time_t since)
{
    for (size_t i = 0; i < NSHARED; i++) {
        clean_dir(shared_dirs[i], &s->names[i], since);
        strv_free(&s->names[i]);
    }
    each_sysv(remove_sysv, &s->ipc);
    strv_free(&s->ipc);
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
    /* --dev gives an unsized tmpfs (/dev/shm in it): half the RAM, for every job. */
    strv_split(a, "--proc /proc --dev /dev");
    strv_add(a, "--size");
    strv_addf(a, "%lu", tmp_bytes);
    strv_split(a, "--tmpfs /tmp --size");
    strv_addf(a, "%lu", (unsigned long)SHM_BYTES);
    strv_split(a, "--tmpfs /dev/shm");
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

/* /proc/PID/NAME into buf, NUL-terminated; its length, or -1 (the process is gone). */
static ssize_t read_proc(const char *pid, const char *name, char *buf, size_t size)
{
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/%s", pid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t len = fd == -1 ? -1 : read(fd, buf, size - 1);
    if (fd != -1)
        close(fd);
    if (len >= 0)
        buf[len] = '\0';
    return len;
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
        char buf[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (read_proc(e->d_name, "status", buf, sizeof buf) <= 0)
            continue;
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

/* In the child, on a failure of the grader's own setup: says why on the setup pipe (the
 * grader reports it as its own error, never the student's) and exits. */
static void setup_failed(const char *what)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
    if (write(SETUP_FD, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : strlen(msg)) < 0)
        _exit(SETUP_FAILED);
    _exit(SETUP_FAILED);
}

/* A directory the command needs, reopened inside the namespace's new mounts. */
struct keep { const char *path; int fd; };

static void keep_path(struct keep *k, int *n, int max, const char *path)
{
    if (!path || *n >= max || path[0] != '/')
        return;
    k[*n].path = path;
    k[*n].fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (k[*n].fd == -1)
        setup_failed(path);
    (*n)++;
}

static void mount_tmpfs(const char *dir, unsigned long bytes, const char *mode)
{
    char opts[64];
    struct stat st;

    if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
        return;                         /* not in this root (a minimal chroot) */
    snprintf(opts, sizeof opts, "size=%lu,mode=%s", bytes, mode);
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) == -1)
        setup_failed(dir);
}

/* Plain mode, as root, in fresh mount/IPC/network/pid namespaces (the caller is pid 1 of
 * its pid namespace): the tree hidden under an empty tmpfs, private sized /tmp, /var/tmp
 * and /dev/shm, a /proc that shows only the sandbox (not the grader's argv), and the
 * directories of the job bound back where they were. */
static void enter_private_mounts(const struct sbx_job *job)
{
    struct keep keep[16];
    int n = 0;
    char bindir[4096];

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        setup_failed("making / private");
    for (size_t i = 0; i < job->ro.n; i++)
        keep_path(keep, &n, 16, job->ro.v[i]);
    for (size_t i = 0; i < job->rw.n; i++)
        keep_path(keep, &n, 16, job->rw.v[i]);
    keep_path(keep, &n, 16, job->cwd);
    keep_path(keep, &n, 16, job->tmpdir);
    snprintf(bindir, sizeof bindir, "%s", job->argv[0]);
    if (strrchr(bindir, '/') && strrchr(bindir, '/') != bindir)
        *strrchr(bindir, '/') = '\0';
    if (strncmp(bindir, "/usr/", 5) != 0 && strcmp(bindir, "/bin") != 0)
        keep_path(keep, &n, 16, bindir);
    if (strcmp(cfg.root, "/") != 0)
        mount_tmpfs(cfg.root, 1u << 20, "0755");
    mount_tmpfs("/tmp", tmp_bytes, "1777");
    mount_tmpfs("/var/tmp", 16u << 20, "1777");
    mount_tmpfs("/dev/shm", SHM_BYTES, "1777");
    for (int i = 0; i < n; i++) {
        char from[64];
        snprintf(from, sizeof from, "/proc/self/fd/%d", keep[i].fd);
        if (mkdirs(keep[i].path, 0755) == -1 ||
            mount(from, keep[i].path, NULL, MS_BIND | MS_REC, NULL) == -1)
            setup_failed(keep[i].path);
        close(keep[i].fd);
    }
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        setup_failed("mounting /proc");
}

/* The first child stays outside the pid namespace and passes on how its only child, pid 1
 * inside, ended. */
static void relay_exit(pid_t inner)
{
    int status;

    close(SETUP_FD);
    while (waitpid(inner, &status, 0) == -1)
        if (errno != EINTR)
            _exit(SETUP_FAILED);
    if (WIFEXITED(status))
        _exit(WEXITSTATUS(status));
    signal(WTERMSIG(status), SIG_DFL);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    raise(WTERMSIG(status));
    _exit(128 + WTERMSIG(status));
}

/* In the child: never returns. mmgrade is single-threaded, so the child may allocate. */
static void child_exec(const struct sbx_job *job, char **argv, char **envp, int outw, int repw,
                       int setupw)
{
    bool sandboxed = !job->trusted;
    int in = open(job->stdin_path ? job->stdin_path : "/dev/null", O_RDONLY);

    setsid();
    if (dup2(setupw, SETUP_FD) == -1)
        _exit(SETUP_FAILED);
    if (in == -1)
        setup_failed(job->stdin_path ? job->stdin_path : "/dev/null");
    if (dup2(in, 0) == -1 || dup2(outw, 1) == -1 || dup2(outw, 2) == -1)
        setup_failed("dup2");
    if (repw >= 0) {
        int high = fcntl(repw, F_DUPFD, 10);
        if (high == -1 || dup2(high, REPORT_FD) == -1)
            setup_failed("the report pipe");
        syscall(SYS_close_range, REPORT_FD + 1, SETUP_FD - 1, 0);
    } else {
        syscall(SYS_close_range, 3, SETUP_FD - 1, 0);
    }
    syscall(SYS_close_range, SETUP_FD + 1, ~0U, 0);
    fcntl(SETUP_FD, F_SETFD, FD_CLOEXEC);
    struct rlimit zero = {0, 0};
    setrlimit(RLIMIT_CORE, &zero);
    /* Soft limit SIGXCPU (the student's code ran out of CPU time), hard limit 2 s later. */
    if (job->cpu) {
        struct rlimit cpu = {job->cpu, job->cpu + 2};
        setrlimit(RLIMIT_CPU, &cpu);
    }
    set_limit(RLIMIT_AS, job->as);
    set_limit(RLIMIT_FSIZE, job->fsize);
    set_limit(RLIMIT_NOFILE, job->nofile);
    if (sandboxed && mode != ISO_BWRAP && as_root) {
        if (use_ns && !ns_mounts) {
            /* / is no mount point: no mount namespace, and no pid namespace either (pid 1 in
             * two jobs at once would share names in the shared /tmp, like Criterion's
             * /tmp/criterion_PID.sock). */
            if (unshare(CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS) == -1)
                setup_failed("unshare");
        } else if (use_ns) {
            if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID |
                        CLONE_NEWUTS) == -1)
                setup_failed("unshare");
            pid_t inner = fork();
            if (inner == -1)
                setup_failed("fork");
            if (inner > 0)
                relay_exit(inner);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            enter_private_mounts(job);
        } else {
            /* POSIX queues cannot be listed where no mqueue file system is mounted: none
             * may be made (the labs use none). */
            setrlimit(RLIMIT_MSGQUEUE, &zero);
        }
    }
    if (sandboxed) {
        set_limit(RLIMIT_NPROC, job->nproc);
        if (as_root && (setgroups(0, NULL) == -1 || setresgid(run_uid, run_uid, run_uid) == -1 ||
                        setresuid(run_uid, run_uid, run_uid) == -1))
            setup_failed("changing to the sandbox uid");
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }
    /* After the uid change, which clears it: if mmgrade dies, so does the command. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(127);
    if (!(mode == ISO_BWRAP && sandboxed) && job->cwd && chdir(job->cwd) == -1)
        setup_failed(job->cwd);
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv, envp);
    setup_failed(argv[0]);
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

/* ---- CPU time per report window -------------------------------------------------------- */

/* The CPU time (clock ticks) the command's processes (every descendant of pid) used since
 * it started, summed from what each used between two calls: its own time, and the time of
 * the children it reaped that were never seen alive (short-lived helpers); the time of a
 * child that was seen is not counted twice when its parent reaps it. *hot: the process that
 * used most since the last call. */
#define WATCH_MAX 512
struct cpu_watch {
    pid_t prev_pid[WATCH_MAX], prev_ppid[WATCH_MAX];
    unsigned long long prev_own[WATCH_MAX], prev_reaped[WATCH_MAX];
    int nprev;
    unsigned long long used;
    int busy, busy_max;         /* processes that used CPU between two calls; the most seen */
};

static unsigned long long command_ticks(pid_t root, struct cpu_watch *w, pid_t *hot)
{
    enum { MAXP = 8192 };
    static pid_t pids[MAXP], ppids[MAXP];
    static unsigned long long own[MAXP], reaped[MAXP];
    static bool in[MAXP];
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    *hot = -1;
    if (!d)
        return w->used;
    while ((e = readdir(d)) && n < MAXP) {
        char buf[1024];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        if (read_proc(e->d_name, "stat", buf, sizeof buf) <= 0)
            continue;
        char *p = strrchr(buf, ')');
        unsigned long long ut, st, cut, cst;
        int ppid;
        /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
         * cutime cstime */
        if (!p || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
                         &ppid, &ut, &st, &cut, &cst) != 5)
            continue;
        pids[n] = (pid_t)atoi(e->d_name);
        ppids[n] = ppid;
        own[n] = ut + st;
        reaped[n] = cut + cst;
        in[n] = pids[n] == root;
        n++;
    }
    closedir(d);
    for (bool grew = true; grew; ) {        /* the tree is shallow: a few passes */
        grew = false;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n && !in[i]; j++)
                if (in[j] && pids[j] == ppids[i])
                    in[i] = grew = true;
    }
    /* Seen children that are gone now: their parent's reaped time holds them already. */
    static unsigned long long credit[MAXP];
    for (int i = 0; i < n; i++)
        credit[i] = 0;
    for (int k = 0; k < w->nprev; k++) {
        bool alive = false;
        for (int i = 0; i < n && !alive; i++)
            alive = in[i] && pids[i] == w->prev_pid[k];
        for (int i = 0; i < n && !alive; i++)
            if (in[i] && pids[i] == w->prev_ppid[k]) {
                credit[i] += w->prev_own[k] + w->prev_reaped[k];
                break;
            }
    }
    unsigned long long best = 0;
    static int next[WATCH_MAX];
    int nnext = 0;
    w->busy = 0;
    for (int i = 0; i < n; i++) {
        if (!in[i])
            continue;
        unsigned long long own0 = 0, reaped0 = 0;
        bool seen = false;
        for (int k = 0; k < w->nprev && !seen; k++)
            if (w->prev_pid[k] == pids[i]) {
                own0 = w->prev_own[k];
                reaped0 = w->prev_reaped[k];
                seen = true;
            }
        unsigned long long mine = own[i] > own0 ? own[i] - own0 : 0;
        unsigned long long kids = reaped[i] > reaped0 ? reaped[i] - reaped0 : 0;
        kids = kids > credit[i] ? kids - credit[i] : 0;
        w->used += mine + kids;
        w->busy += mine > 0;
        if (pids[i] != root && (mine > best || *hot == -1)) {
            best = mine;
            *hot = pids[i];
        }
        if (nnext < WATCH_MAX)
            next[nnext++] = i;
    }
    for (int k = 0; k < nnext; k++) {
        w->prev_pid[k] = pids[next[k]];
        w->prev_ppid[k] = ppids[next[k]];
        w->prev_own[k] = own[next[k]];
        w->prev_reaped[k] = reaped[next[k]];
    }
    w->nprev = nnext;
    if (w->busy > w->busy_max)
        w->busy_max = w->busy;
    return w->used;
}

/* Plain mode without namespaces: the bytes the sandbox uid holds in the shared temporary
 * directories (top level: the grader's own scratch directory there is root's). */
static unsigned long long shared_bytes(void)
{
    unsigned long long total = 0;

    for (size_t i = 0; i < NSHARED; i++) {
        DIR *d = opendir(shared_dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            struct stat st;
            if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                st.st_uid == run_uid && S_ISREG(st.st_mode))
                total += (unsigned long long)st.st_blocks * 512;
        }
        if (d)
            closedir(d);
    }
    return total;
}

/* Collects the command's output and reports until it exits, its wall-clock limit passes,
 * it stays silent on the report channel for job->idle seconds, or we are interrupted (then
 * it is killed). With job->window_cpu, the processes of one report window (one test) that
 * use more CPU time than that lose the one using most. Returns its wait status. */
static int supervise(pid_t pid, struct collector *c, double t0)
{
    const struct sbx_job *job = c->job;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);   /* -1 on old kernels: poll by time */
    double deadline = t0 + job->wall, last_report = t0;
    double tick = 1.0 / (double)sysconf(_SC_CLK_TCK), budget = job->window_cpu;
    struct cpu_watch watch = {0};
    unsigned long long window_start = 0;
    int status = 0;
    bool watch_shared = mode != ISO_BWRAP && !(use_ns && ns_mounts) && as_root && !job->trusted;
    double next_shared = t0;

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
        if (watch_shared && now >= next_shared) {
            next_shared = now + 0.1;
            if (shared_bytes() > tmp_bytes + SHM_BYTES) {
                c->res->tmpfs_full = true;
                kill_run(pid);
                kill_pass();
            }
        }
        if (budget > 0 || job->window_budget) {
            pid_t hot;
            unsigned long long ticks = command_ticks(pid, &watch, &hot);
            if (budget > 0 && hot > 0 &&
                (double)(ticks - (ticks > window_start ? window_start : ticks)) * tick > budget) {
                kill(hot, SIGKILL);
                if (c->res->ncpu_kills < SBX_MAX_KILLS)
                    c->res->cpu_kill_at[c->res->ncpu_kills++] = c->rep.len;
                window_start = ticks;       /* a fresh budget for what comes next */
            }
        }
        struct pollfd p[3] = {{c->outr, POLLIN, 0}, {c->repr, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int ms = pidfd >= 0 ? (int)(left * 1000) + 1 : 20;
        if ((budget > 0 || job->window_budget || watch_shared) && ms > 50)
            ms = 50;
        if (poll(p, 3, ms > 20 && pidfd < 0 ? 20 : ms) == -1 && errno != EINTR)
            die("poll: %s", strerror(errno));
        if (p[0].revents && c->outr >= 0)
            collect(c, &c->outr, false);
        if (p[1].revents && c->repr >= 0) {
            size_t before = c->rep.len;
            collect(c, &c->repr, true);
            if (c->rep.len != before)
                last_report = now_seconds();
            /* Each complete line that came in: the next test's window starts. */
            char *line_end = before < c->rep.len ? memchr(c->rep.p + before, '\n',
                                                          c->rep.len - before) : NULL;
            if (line_end) {
                pid_t hot;
                unsigned long long ticks = budget > 0 || job->window_budget
                                               ? command_ticks(pid, &watch, &hot) : 0;
                double used = (double)(ticks - (ticks > window_start ? window_start : ticks)) *
                              tick;
                int busy = watch.busy_max;
                window_start = ticks;
                watch.busy_max = 0;
                /* The line may have begun before this read. */
                char *from = memrchr(c->rep.p, '\n', (size_t)(line_end - c->rep.p));
                from = from ? from + 1 : c->rep.p;
                for (; line_end && job->window_budget; ) {
                    char *line = xasprintf("%.*s", (int)(line_end - from), from);
                    budget = job->window_budget(job->window_ctx, line, used, busy);
                    free(line);
                    used = 0;
                    busy = 0;
                    from = line_end + 1;
                    line_end = from < c->rep.p + c->rep.len
                                   ? memchr(from, '\n', (size_t)(c->rep.p + c->rep.len - from))
                                   : NULL;
                }
            }
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
    struct snapshot snap = {0};
    int outp[2], repp[2] = {-1, -1}, setupp[2];
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
    if (pipe2(outp, O_CLOEXEC) == -1 || pipe2(setupp, O_CLOEXEC) == -1 ||
        (job->report_fd >= 0 && pipe2(repp, O_CLOEXEC) == -1))
        die("pipe: %s", strerror(errno));
    if (plain && !job->trusted)
        snap_take(&snap);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1)
        die("fork: %s", strerror(errno));
    if (pid == 0)
        child_exec(job, argv.v, env.v, outp[1], repp[1], setupp[1]);
    close(outp[1]);
    close(setupp[1]);
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
    /* The setup pipe closed at exec: anything in it is the grader's own failure. */
    char why[300];
    fcntl(setupp[0], F_SETFL, O_NONBLOCK);
    ssize_t n = read(setupp[0], why, sizeof why - 1);
    close(setupp[0]);
    if (n > 0) {
        why[n] = '\0';
        res->setup_error = xasprintf("%s", why);
    } else if (mode == ISO_BWRAP && !job->trusted && WIFEXITED(res->status) &&
               WEXITSTATUS(res->status) == 1 && c.out.p && strncmp(c.out.p, "bwrap: ", 7) == 0) {
        res->setup_error = first_lines(c.out.p, 1, 250, &(bool){false});
    }
    if (plain && !job->trusted)
        snap_clean(&snap, started);
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
    free(res->setup_error);
    memset(res, 0, sizeof *res);
}

/* ---- Choosing the isolation ----------------------------------------------------------- */

/* True if a process of uid is alive: another root on this machine (a chroot, a container
 * sharing our uids) may use the same slot with a lock directory we cannot see. */
static bool uid_in_use(uid_t uid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    bool used = false;

    if (!d)
        return false;
    while (!used && (e = readdir(d))) {
        char buf[4096];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        if (read_proc(e->d_name, "status", buf, sizeof buf) <= 0)
            continue;
        char *u = strstr(buf, "\nUid:");
        used = u && (uid_t)strtoul(u + 5, NULL, 10) == uid;
    }
    closedir(d);
    return used;
}

/* Takes the first uid slot no other mmgrade process holds, so that two graders never kill
 * each other's processes: an abstract UNIX socket name (one per network namespace, so every
 * chroot of this machine sees it), a flock on LOCK_DIR/uid-N (held until exit), and no live
 * process of that uid. */
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
        uid_t uid = (uid_t)(UID_BASE + k);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int len = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "mmgrade-uid-%u",
                           (unsigned)uid);
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock == -1)
            die("socket: %s", strerror(errno));
        if (bind(sock, (struct sockaddr *)&sa,
                 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) == -1) {
            close(sock);
            continue;                           /* held by a grader, maybe in another root */
        }
        snprintf(path, sizeof path, "%s/uid-%u", dir, (unsigned)uid);
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd == -1)
            die("%s: %s", path, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && !uid_in_use(uid))
            return uid;                 /* both stay open: the slot is ours for our life */
        close(fd);
        close(sock);
    }
    die("all %d sandbox uids from %d are in use by other mmgrade processes", UID_SLOTS, UID_BASE);
}

/* Plain mode without private mounts (Docker, a chroot): the sandbox uid must not read what
 * the tests hide, so the tree's solutions, hidden tests, self-test corpus, compiled objects
 * and reference-linked test programs are closed to other users; build/ itself stays open
 * (the tools in build/bin). */
static void close_one(const char *rel, struct buf *done)
{
    char *path = xasprintf("%s/%s", cfg.root, rel);
    struct stat st;

    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0007)) {
        if (chmod(path, st.st_mode & 07770) == -1)
            die("%s: chmod: %s (the sandbox user could read it)", path, strerror(errno));
        buf_printf(done, "%s%s/", done->len ? ", " : "", rel);
    }
    free(path);
}

/* Closes each entry of directory rel whose name starts with prefix (or contains it, when
 * anywhere is set). */
static void close_entries(const char *rel, const char *prefix, int anywhere, struct buf *done)
{
    char *dir = xasprintf("%s/%s", cfg.root, rel);
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        const char *at = strstr(e->d_name, prefix);
        if (at == e->d_name || (at && anywhere)) {
            char *sub = xasprintf("%s/%s", rel, e->d_name);
            close_one(sub, done);
            free(sub);
        }
    }
    if (d)
        closedir(d);
    free(dir);
}

static void close_tree(void)
{
    static const char *const secret[] = {"solutions", "harness/selftest", "build/obj",
                                         "build/asan", "build/grader-cache"};
    struct buf done = {0};

    for (size_t i = 0; i < sizeof secret / sizeof *secret; i++)
        close_one(secret[i], &done);
    close_entries("harness", "lab", 0, &done);          /* each lab's hidden tests, mutants */
    close_entries("build", "solution", 1, &done);       /* programs linked with a reference */
    close_entries("build/tests", "solution", 1, &done);
    if (done.len)
        fprintf(stderr, "mmgrade: note: plain isolation without private mounts: closed %s to "
                "other users (chmod o-rwx), so that student code cannot read them\n", done.p);
    free(done.p);
}

/* Whether root's namespaces work here: runs /bin/true in them. */
static void probe_namespaces(void)
{
    char *argv[] = {"/bin/true", NULL};
    struct sbx_job job = {.argv = argv, .report_fd = -1, .out_keep = 2048, .wall = 20,
                          .nproc = 64};
    struct sbx_result res;

    /* MMGRADE_NO_NAMESPACES=1: behave as in a default Docker container (for the self-test). */
    const char *off = getenv("MMGRADE_NO_NAMESPACES");
    use_ns = !(off && *off && strcmp(off, "0") != 0);
    if (!use_ns) {
        ns_note = xstrdup("; namespaces not used (MMGRADE_NO_NAMESPACES)");
        close_tree();
        return;
    }
    /* In a chroot / is often no mount point: IPC and network namespaces, no mounts of ours. */
    size_t len;
    char *info = read_file("/proc/self/mountinfo", 1u << 20, &len), *line, *save = NULL;
    ns_mounts = false;
    for (line = info ? strtok_r(info, "\n", &save) : NULL; line && !ns_mounts;
         line = strtok_r(NULL, "\n", &save)) {
        char mp[8];
        ns_mounts = sscanf(line, "%*s %*s %*s %*s %7s", mp) == 1 && strcmp(mp, "/") == 0;
    }
    free(info);
    sbx_run(&job, &res);
    if (res.status == 0 && !res.timed_out && !res.setup_error) {
        sbx_result_free(&res);
        if (!ns_mounts)
            close_tree();
        return;
    }
    use_ns = false;
    ns_note = xasprintf("; no namespaces (%s): the tree is closed to other users, IPC objects "
                        "and files of the uid are removed after each command",
                        res.setup_error ? res.setup_error : "the probe failed");
    sbx_result_free(&res);
    close_tree();
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
    /* Every job's private /tmp together within a share of the RAM. */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        unsigned long share = (unsigned long)pages * (unsigned long)page / TMPFS_RAM_SHARE /
                              (unsigned long)(cfg.jobs > 0 ? cfg.jobs : 1);
        share = share > SHM_BYTES ? share - SHM_BYTES : 0;
        tmp_bytes = share < TMP_BYTES_MIN ? TMP_BYTES_MIN : share > TMP_BYTES_MAX
                                                               ? TMP_BYTES_MAX : share;
    }
    if (cfg.isolation == ISO_PLAIN) {
        mode = ISO_PLAIN;
        if (as_root)
            probe_namespaces();
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
    if (as_root)
        probe_namespaces();
}
