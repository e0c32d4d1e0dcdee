/* mmsubject.c - the judge/subject split of mmtest.h: running calls into student code in a
 * sealed child process and taking its observations back, defensively.
 * The subject is a fork of the judge; it must not be able to reach the Criterion runner
 * (whose verdicts are final) or the judge (which makes the assertions): it closes the
 * runner's descriptors, unmaps the runner's shared memory and seals itself with seccomp. */
#include "mmtest.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
/* Leaks are checked in each subject (mm_subject_next); the judge's exit-time check would
 * need ptrace on a non-dumpable process and only sees Criterion's own allocations. */
const char *__lsan_default_options(void) { return "leak_check_at_exit=0"; }
#endif

#define MAX_RUNNER_FDS  64
#define MAX_RUNNER_MAPS 32
#define REPORT_MAGIC    0x6d6d6f62u     /* "mmob" */
#define BUG_EXIT        87              /* the test suite misused the layer (a test bug) */
#define DEFAULT_TIMEOUT_MS 10000

/* What the Criterion runner gave the test process before the test body ran. */
static int runner_fds[MAX_RUNNER_FDS], nrunner_fds;
static struct { void *addr; size_t len; } runner_maps[MAX_RUNNER_MAPS];
static int nrunner_maps;

/* Shared between the judge and one subject (and the subject's children): what is going on,
 * for messages only; nothing here decides a verdict except through the judge's checks. */
struct crumbs {
    char during[MM_CALL_TEXT];
    atomic_int strays;
    uintptr_t fault_pc;             /* where a fatal signal hit, for "at mapfile.c:57" */
};

struct report_head { unsigned magic; unsigned size; };
struct report_tail { unsigned magic; int leaked; };

static bool in_subject;
static pid_t subject_pid;
static struct mm_subject_opts subject_opts;
static struct crumbs *crumbs;
static int report_fd = -1;
static void *subject_obs;
static size_t subject_size;
static struct mm_outcome outcome;

/* ---- Before the test body: remember what belongs to the runner ------------------------- */

void mm_subject_init(void)
{
    nrunner_fds = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        for (struct dirent *e; (e = readdir(d)) != NULL; ) {
            int fd = atoi(e->d_name);
            if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d) && nrunner_fds < MAX_RUNNER_FDS)
                runner_fds[nrunner_fds++] = fd;
        }
        closedir(d);
    }
    nrunner_maps = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 && perms[3] == 's' &&
            nrunner_maps < MAX_RUNNER_MAPS) {
            runner_maps[nrunner_maps].addr = (void *)start;
            runner_maps[nrunner_maps++].len = end - start;
        }
    }
    if (f)
        fclose(f);
}

/* ---- Sealing --------------------------------------------------------------------------- */

static void deny(scmp_filter_ctx ctx, uint32_t action, const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr != __NR_SCMP_ERROR)
        seccomp_rule_add(ctx, action, nr, 0);
}

static void load_filter(uint32_t action, const char *const names[])
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL) {
        fprintf(stderr, "mmtest: seccomp_init failed: cannot seal the subject\n");
        _exit(BUG_EXIT);
    }
    for (int i = 0; names[i]; i++)
        deny(ctx, action, names[i]);
    if (seccomp_load(ctx) != 0) {
        fprintf(stderr, "mmtest: seccomp_load failed: cannot seal the subject\n");
        _exit(BUG_EXIT);
    }
    seccomp_release(ctx);
}

void mm_seal(void)
{
    static bool sealed;

    /* A subject that starts a program is sealed already, and the runner's descriptor
     * numbers may name its own files by now: close them only once. */
    if (sealed)
        return;
    sealed = true;
    /* No way back to the runner: its descriptors (its socket and pipes) and its shared
     * arena are the runner's, not ours; sockets could reach it again by path. */
    for (int i = 0; i < nrunner_fds; i++)
        close(runner_fds[i]);
    for (int i = 0; i < nrunner_maps; i++)
        munmap(runner_maps[i].addr, runner_maps[i].len);
    static const char *const denied[] = {
        "socket", "socketpair", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
        "kcmp", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "add_key",
        "request_key", "keyctl", "mount", "umount2", "pivot_root", "unshare", "setns",
        "open_by_handle_at", "name_to_handle_at",
#if !defined(__SANITIZE_ADDRESS__)
        "ptrace",           /* LeakSanitizer stops the world with ptrace under ASan */
#endif
        NULL,
    };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        _exit(BUG_EXIT);
    load_filter(SCMP_ACT_ERRNO(EPERM), denied);
}

/* Lab 1's rule "map, never read": every way to get a file's bytes without mapping it. */
static void forbid_file_reads(void)
{
    static const char *const reads[] = {
        "read", "readv", "pread64", "preadv", "preadv2", "splice", "vmsplice", "tee",
        "sendfile", "copy_file_range", "io_uring_setup", "io_uring_enter",
        "io_uring_register", "recvfrom", "recvmsg", NULL,
    };
    load_filter(SCMP_ACT_KILL_PROCESS, reads);
}

static void drop_privileges(void)
{
    if (geteuid() != 0)
        return;
    uid_t uid = mm_unprivileged_uid();
    /* Root ignores RLIMIT_NPROC and RLIMIT_MEMLOCK and bypasses permission bits. */
    if (setgroups(0, NULL) == -1 || setresgid(uid, uid, uid) == -1 ||
        setresuid(uid, uid, uid) == -1) {
        fprintf(stderr, "mmtest: cannot switch to uid %d: %s\n", (int)uid, strerror(errno));
        _exit(BUG_EXIT);
    }
}

pid_t mm_spawn(const char *const argv[], int in_fd, int out_fd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int null = open("/dev/null", O_RDWR);
    dup2(in_fd >= 0 ? in_fd : null, 0);
    dup2(out_fd >= 0 ? out_fd : null, 1);
    mm_seal();
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "mmtest: cannot start %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* ---- Where a subject crashed ----------------------------------------------------------- */

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
static char fault_stack[1 << 16];       /* the handler runs here when the stack overflowed */

/* Records the instruction that faulted; returning re-runs it with the default action, so the
 * subject still dies by the same signal. (ASan prints its own report with file and line.) */
static void note_fault(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)info;
    if (crumbs)
        crumbs->fault_pc = (uintptr_t)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
}
#endif

static void catch_faults(void)
{
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
    stack_t alt = { .ss_sp = fault_stack, .ss_size = sizeof fault_stack };
    struct sigaction sa = { .sa_sigaction = note_fault,
                            .sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK };
    sigaltstack(&alt, NULL);
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL)
            sigaction(sig, &sa, NULL);
#endif
}

/* "mapfile.c:57 (mf_map)" for an address in this program, from addr2line (binutils); empty
 * when it lies elsewhere (a library) or nothing is known about it. */
static void describe_address(uintptr_t pc, char *out, size_t size)
{
    char exe[512] = "", line[512];
    uintptr_t base = 0;
    FILE *maps = fopen("/proc/self/maps", "r");

    out[0] = '\0';
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || maps == NULL) {
        if (maps)
            fclose(maps);
        return;
    }
    exe[n] = '\0';
    while (base == 0 && fgets(line, sizeof line, maps)) {
        unsigned long start, offset;
        char path[512];
        if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %511s", &start, &offset, path) == 3 &&
            offset == 0 && strcmp(path, exe) == 0)
            base = start;           /* where the program is loaded (PIE) */
    }
    fclose(maps);
    if (base == 0 || pc < base)
        return;
    char cmd[1200], fn[256] = "", where[512] = "";
    snprintf(cmd, sizeof cmd, "addr2line -f -e '%s' %#lx 2>/dev/null", exe,
             (unsigned long)(pc - base));
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return;
    if (fgets(fn, sizeof fn, p) && fgets(where, sizeof where, p)) {
        fn[strcspn(fn, "\n")] = where[strcspn(where, "\n")] = '\0';
        const char *file = strrchr(where, '/') ? strrchr(where, '/') + 1 : where;
        if (strncmp(file, "??", 2) != 0)
            snprintf(out, size, " at %s (%s)", file, fn);
        else if (strncmp(fn, "??", 2) != 0)
            snprintf(out, size, " in %s", fn);
    }
    pclose(p);
}

/* ---- The subject ----------------------------------------------------------------------- */

bool mm_in_subject(void)
{
    return in_subject;
}

void mm_judge_only(void)
{
    if (!in_subject)
        return;
    fprintf(stderr, "mmtest: a check (MM_CHECK*) ran inside MM_SUBJECT: checks "
            "belong to the judge, after the block (a bug in the test, not in your code)\n");
    _exit(BUG_EXIT);
}

void mm_calling(const char *text)
{
    if (!in_subject) {
        fprintf(stderr, "mmtest: %s called outside MM_SUBJECT: the judge never runs "
                "student code (a bug in the test)\n", text);
        abort();
    }
    if (crumbs && getpid() == subject_pid)
        snprintf(crumbs->during, sizeof crumbs->during, "%s", text);
}

struct mm_call mm_called(long long ret)
{
    struct mm_call c = { .ret = ret, .err = errno };
    snprintf(c.text, sizeof c.text, "%s", crumbs ? crumbs->during : "");
    return c;
}

static void write_all(int fd, const void *data, size_t len)
{
    for (size_t done = 0; done < len; ) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n <= 0)
            _exit(BUG_EXIT);
        done += (size_t)n;
    }
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's check, with its report passed on to stderr but for one line per thread of
 * the judge: the subject is a fork of a threaded process, and LeakSanitizer still lists the
 * judge's threads ("Running thread N was not suspended"), which only confuses a reader. */
static bool leak_check(void)
{
    int saved = dup(2), report = memfd_create("lsan-report", 0);
    if (saved == -1 || report == -1)
        return __lsan_do_recoverable_leak_check() != 0;
    dup2(report, 2);
    bool leaked = __lsan_do_recoverable_leak_check() != 0;
    dup2(saved, 2);
    close(saved);
    FILE *f = fdopen(report, "r");
    char line[4096];
    rewind(f);
    while (f && fgets(line, sizeof line, f))
        if (!strstr(line, "was not suspended. False leaks are possible."))
            fputs(line, stderr);
    if (f)
        fclose(f);
    return leaked;
}
#endif

static _Noreturn void subject_end(void)
{
    if (getpid() != subject_pid) {
        /* A child of student code returned into the test: it must not report. */
        if (crumbs)
            atomic_fetch_add(&crumbs->strays, 1);
        _exit(MM_STRAY_EXIT);
    }
    struct report_tail tail = { REPORT_MAGIC, 0 };
#if defined(__SANITIZE_ADDRESS__)
    if (!subject_opts.no_file_reads)    /* LeakSanitizer reads /proc/self/maps */
        tail.leaked = leak_check();
#endif
    struct report_head head = { REPORT_MAGIC, (unsigned)subject_size };
    fflush(NULL);
    write_all(report_fd, &head, sizeof head);
    write_all(report_fd, subject_obs, subject_size);
    write_all(report_fd, &tail, sizeof tail);
    _exit(0);
}

int mm_subject_next(int state)
{
    if (state == MM_S_RUN)
        subject_end();
    return MM_S_DONE;
}

/* Reads what the subject sends until it has ended (or the deadline passes); the pipe is
 * drained as it goes, so a large report cannot block the subject. */
static size_t collect(int fd, pid_t pid, int timeout_ms, char *buf, size_t cap, int *status,
                      bool *timed_out)
{
    long long deadline = mm_now_ms() + timeout_ms;
    size_t len = 0;
    bool ended = false;

    *timed_out = false;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int wait_ms = ended ? 0 : 5;
        if (poll(&p, 1, wait_ms) > 0) {
            char sink[4096];
            char *dst = len < cap ? buf + len : sink;
            size_t room = len < cap ? cap - len : sizeof sink;
            ssize_t n = read(fd, dst, room);
            if (n > 0) {
                len += len < cap ? (size_t)n : 0;
                if (dst == sink)
                    len = cap + 1;      /* more than a report can hold: garbled */
                continue;
            }
        }
        if (ended)
            return len;
        if (waitpid(pid, status, WNOHANG) == pid) {
            ended = true;               /* one more pass reads what is left */
            continue;
        }
        if (mm_now_ms() > deadline) {
            *timed_out = true;
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            ended = true;
        }
    }
}

static void judge_outcome(int status, bool timed_out, const char *buf, size_t len)
{
    memset(&outcome, 0, sizeof outcome);
    snprintf(outcome.during, sizeof outcome.during, "%s", crumbs->during);
    for (char *c = outcome.during; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
    outcome.strays = atomic_load(&crumbs->strays);
    if (crumbs->fault_pc && WIFSIGNALED(status))
        describe_address(crumbs->fault_pc, outcome.where, sizeof outcome.where);
    if (timed_out) {
        outcome.how = MM_TIMED_OUT;
    } else if (WIFSIGNALED(status)) {
        outcome.how = MM_SIGNALED;
        outcome.signal = WTERMSIG(status);
    } else if (WEXITSTATUS(status) != 0) {
        outcome.how = MM_EXITED;
        outcome.exit_code = WEXITSTATUS(status);
    } else {
        struct report_head head;
        struct report_tail tail;
        size_t want = sizeof head + subject_size + sizeof tail;
        if (len == want) {
            memcpy(&head, buf, sizeof head);
            memcpy(&tail, buf + sizeof head + subject_size, sizeof tail);
        }
        if (len != want || head.magic != REPORT_MAGIC || head.size != subject_size ||
            tail.magic != REPORT_MAGIC) {
            /* exit(0) before the block's end writes nothing: "stopped early". */
            outcome.how = len == 0 ? MM_EXITED : MM_GARBLED;
            return;
        }
        outcome.how = MM_RETURNED;
        outcome.leaked = tail.leaked != 0;
        memcpy(subject_obs, buf + sizeof head, subject_size);
    }
}

int mm_subject_begin(void *obs, size_t size, struct mm_subject_opts opts)
{
    mm_judge_only();
    memset(obs, 0, size);
    if (crumbs == NULL) {
        crumbs = mmap(NULL, sizeof *crumbs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
        cr_assert(crumbs != MAP_FAILED, "test setup: mmap for the subject failed: %s",
                  strerror(errno));
    }
    memset(crumbs, 0, sizeof *crumbs);
    int p[2];
    cr_assert(pipe2(p, O_CLOEXEC) == 0, "test setup: pipe failed: %s", strerror(errno));
    subject_obs = obs, subject_size = size, subject_opts = opts;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {             /* no cr_ call here: even a passing one reports to the runner */
        in_subject = true;
        subject_pid = getpid();
        close(p[0]);
        report_fd = p[1];
        mm_seal();
        catch_faults();
        if (opts.as_user)
            drop_privileges();
        /* Dumpable again (the judge is not), so LeakSanitizer can stop this process. */
        prctl(PR_SET_DUMPABLE, 1);
        if (opts.no_file_reads)
            forbid_file_reads();
        return MM_S_RUN;
    }
    close(p[1]);
    cr_assert(pid != -1, "test setup: fork failed: %s", strerror(errno));
    size_t cap = sizeof(struct report_head) + size + sizeof(struct report_tail);
    char *buf = malloc(cap + 1);
    cr_assert(buf != NULL, "test setup: malloc(%zu) failed", cap);
    int status = 0;
    bool timed_out;
    size_t len = collect(p[0], pid, opts.timeout_ms > 0 ? opts.timeout_ms : DEFAULT_TIMEOUT_MS,
                         buf, cap, &status, &timed_out);
    close(p[0]);
    judge_outcome(status, timed_out, buf, len);
    free(buf);
    if (opts.may_die)
        return MM_S_DONE;
    return outcome.how == MM_RETURNED && !outcome.leaked && outcome.strays == 0
               ? MM_S_DONE : MM_S_FAILED;
}

_Noreturn void mm_subject_failed(void)
{
    if (outcome.how == MM_SIGNALED) {
        mm_fini();                      /* what the suite's fini would do: it will not run */
        signal(outcome.signal, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, outcome.signal);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(outcome.signal);
    }
    cr_assert_fail();                   /* the message is already sent; this ends the test */
    abort();                            /* not reached */
}

const struct mm_outcome *mm_outcome(void)
{
    return &outcome;
}

const char *mm_outcome_text(void)
{
    static char msg[1024];
    char during[MM_CALL_TEXT + 32] = "";
    int timeout_ms = subject_opts.timeout_ms > 0 ? subject_opts.timeout_ms : DEFAULT_TIMEOUT_MS;

    if (outcome.during[0])
        snprintf(during, sizeof during, " in %s", outcome.during);
    switch (outcome.how) {
    case MM_TIMED_OUT:
        snprintf(msg, sizeof msg, "your code did not return within %.1f s%s.\n  Hint: look for "
                 "an endless loop, or a wait for something that never happens.",
                 timeout_ms / 1000.0, during);
        break;
    case MM_SIGNALED:
        if (outcome.signal == SIGSYS && subject_opts.no_file_reads)
            snprintf(msg, sizeof msg, "your code was stopped%s: it called a system call that "
                     "reads file data (read, pread, readv, splice, sendfile, copy_file_range "
                     "or io_uring), which this function must not use.\n  Hint: get the bytes "
                     "through the mapping only.", during);
        else
            snprintf(msg, sizeof msg, "your code crashed with %s%s%s.\n  Hint: %s",
                     mm_signal_name(outcome.signal), during, outcome.where,
                     outcome.signal == SIGBUS ? "SIGBUS means a touched page lies past the end "
                     "of the file: size the file (ftruncate) before touching its mapping."
                     : outcome.signal == SIGSEGV ? "SIGSEGV means an access outside a mapping "
                     "(or a write to a read-only one): check the pointer, the length and the "
                     "protection." : "see the handout section on errors.");
        break;
    case MM_EXITED:
        if (outcome.exit_code == BUG_EXIT)
            snprintf(msg, sizeof msg, "the test itself went wrong%s (see the message above): "
                     "please report it.", during);
        else
            snprintf(msg, sizeof msg, "the process ended (exit status %d)%s before your code "
                     "returned.\n  Hint: library code returns to its caller; never call exit() "
                     "or _exit() except in a child process you forked.", outcome.exit_code,
                     during);
        break;
    case MM_GARBLED:
        snprintf(msg, sizeof msg, "the test's report channel was written to%s.\n  Hint: write "
                 "only to descriptors your code opened itself.", during);
        break;
    case MM_RETURNED:
        if (outcome.strays)
            snprintf(msg, sizeof msg, "%d child process(es) of your code returned into the "
                     "test instead of calling _exit().\n  Hint: every child you fork must end "
                     "with _exit().", outcome.strays);
        else if (outcome.leaked)
            snprintf(msg, sizeof msg, "memory allocated during the test was never freed "
                     "(LeakSanitizer's report above says where).\n  Hint: free what you "
                     "malloc, also on error paths (handout %s, \"%s\").", mm_lab_handout,
                     mm_lab_leak_section);
        else
            snprintf(msg, sizeof msg, "your code returned normally");
        break;
    }
    return msg;
}

/* ---- Observations and checks ------------------------------------------------------------ */

uint64_t mm_digest(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ len;

    for (; len >= 8; p += 8, len -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    for (; len > 0; p++, len--)
        h = (h ^ *p) * 0x100000001b3ull;
    h ^= h >> 29;
    return h * 0xc4ceb9fe1a85ec53ull;
}

static void append_hint(char *msg, size_t size, struct mm_hint hint)
{
    size_t used = strlen(msg);
    if (hint.text == NULL || used >= size)
        return;
    if (hint.section)
        snprintf(msg + used, size - used, "\n  Hint: %s (handout %s, \"%s\").", hint.text,
                 mm_lab_handout, hint.section);
    else
        snprintf(msg + used, size - used, "\n  Hint: %s", hint.text);
}

const char *mm_message(struct mm_hint hint, const char *fmt, ...)
{
    static char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    append_hint(msg, sizeof msg, hint);
    return msg;
}

/* The call's text as the subject reported it, printable and bounded. */
static const char *call_text(const struct mm_call *call)
{
    static char text[MM_CALL_TEXT];
    size_t n = strnlen(call->text, sizeof call->text - 1);

    memcpy(text, call->text, n);
    text[n] = '\0';
    for (char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
    return n ? text : "the call";
}

const char *mm_call_mismatch(const struct mm_call *call, long long failret, int want,
                             struct mm_hint hint)
{
    static char msg[2048];

    if (call->ret == failret && call->err == want)
        return NULL;
    if (call->ret != failret)
        snprintf(msg, sizeof msg, "%s: expected failure (%s) with errno %s (%s), got %lld%s%s.",
                 call_text(call), failret == 0 ? "NULL" : "-1", mm_errno_name(want),
                 strerror(want), call->ret, call->err ? " with errno " : "",
                 call->err ? mm_errno_name(call->err) : "");
    else
        snprintf(msg, sizeof msg, "%s: expected errno %s (%s), got %s (%s).", call_text(call),
                 mm_errno_name(want), strerror(want), mm_errno_name(call->err),
                 strerror(call->err));
    append_hint(msg, sizeof msg, hint);
    return msg;
}

const char *mm_call_failed(const struct mm_call *call, bool pointer, struct mm_hint hint)
{
    static char msg[2048];

    if (pointer ? call->ret != 0 && call->ret != -1 : call->ret != -1)
        return NULL;
    if (pointer)
        snprintf(msg, sizeof msg, "%s returned %s (errno %s), expected a usable pointer.",
                 call_text(call), call->ret == 0 ? "NULL" : "MAP_FAILED",
                 mm_errno_name(call->err));
    else
        snprintf(msg, sizeof msg, "%s failed with errno %s (%s), expected success.",
                 call_text(call), mm_errno_name(call->err), strerror(call->err));
    append_hint(msg, sizeof msg, hint);
    return msg;
}
