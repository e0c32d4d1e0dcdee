/* lab3_util.c - the Lab 3 test support layer (lab3_util.h): store names that are always
 * cleaned up, calls a subject reports back, and other programs started with mm_spawn (so
 * that they share the store only by its name, sealed like any subject), each with a
 * deadline. Not a test file: it holds no tests. */
#include "lab3_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/mman.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Leaks in Lab 3 are the handle kv_open mallocs and kv_close frees. */
MM_LAB("lab3", S_OPEN);

/* Every suite of the lab, public and hidden, with its time limit: the grader links public and
 * hidden tests into separate binaries, and both need each suite's setup and limit. */
MM_SUITE(kv_close, 30);
MM_SUITE(kv_del, 30);
MM_SUITE(kv_foreach, 30);
MM_SUITE(kv_get, 30);
MM_SUITE(kv_open, 30);
MM_SUITE(kv_put, 30);
MM_SUITE(kv_recovery, 60);
MM_SUITE(kv_sync, 30);
MM_SUITE(kv_unlink, 30);

#define MAX_SHM 16

static char shm_names[MAX_SHM][64];
static int nshm;
static pid_t names_pid;         /* the test process the names above belong to */



const char *kvt_path(void)
{
    static char paths[16][4096];        /* each call's path stays valid for 15 more calls */
    static pid_t dir_pid;
    static const char *dir;
    static int n;

    if (dir == NULL || dir_pid != getpid()) {
        dir = mm_tmpdir();
        dir_pid = getpid();
    }
    char *path = paths[n % 16];
    snprintf(path, sizeof paths[0], "%s/store%d", dir, n);
    n++;
    return path;
}

/* ---- Shared-memory names: "/mmtest-kv-RUNNER-TEST-N", RUNNER the Criterion runner's pid,
 * TEST the test process's. Removed at the end of the test; a crashed test's objects by the
 * next test that makes one, and by the runner when all tests are done. */

static void remove_own_shm(void)
{
    if (names_pid != getpid())
        return;
    for (int i = 0; i < nshm; i++)
        shm_unlink(shm_names[i]);
    nshm = 0;
}

/* Removes /dev/shm/mmtest-kv-RUNNER-* whose test process is gone (all of them if all). */
static void sweep_shm(pid_t runner, int all)
{
    char prefix[64], name[300];
    DIR *d = opendir("/dev/shm");
    struct dirent *de;

    if (d == NULL)
        return;
    snprintf(prefix, sizeof prefix, "mmtest-kv-%d-", (int)runner);
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
            continue;
        pid_t owner = (pid_t)atoi(de->d_name + strlen(prefix));
        if (all || (kill(owner, 0) == -1 && errno == ESRCH)) {
            snprintf(name, sizeof name, "/%s", de->d_name);
            shm_unlink(name);
        }
    }
    closedir(d);
}

const char *kvt_shm_name(void)
{
    static int seq;

    if (names_pid != getpid()) {
        names_pid = getpid();
        nshm = 0;
        sweep_shm(getppid(), 0);
        atexit(remove_own_shm);     /* runs after a failed assertion too (Criterion exits) */
    }
    if (nshm == MAX_SHM) {
        fprintf(stderr, "lab3_util: more than %d shm names in one test\n", MAX_SHM);
        abort();
    }
    snprintf(shm_names[nshm], sizeof shm_names[nshm], "/mmtest-kv-%d-%d-%d",
             (int)getppid(), (int)getpid(), seq++);
    shm_unlink(shm_names[nshm]);
    return shm_names[nshm++];
}

bool kvt_shm_exists(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    return kvt_exists(path);
}

bool kvt_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

int kvt_count_file_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int n = 0;

    while (f && fgets(line, sizeof line, f)) {
        unsigned long inode = 0;
        if (sscanf(line, "%*s %*s %*s %*s %lu", &inode) == 1 && inode != 0)
            n++;
    }
    if (f)
        fclose(f);
    return n;
}

const char *kvt_disk_path(void)
{
    static char paths[4][PATH_MAX + 16];
    static int n;
    const char *tmp = getenv("TMPDIR"), *base = mm_disk_dir();

    MM_CHECK(base != NULL, MM_NO_HINT, "test setup: no writable directory on a disk (every "
             "candidate is tmpfs); set MMTEST_DISK_DIR to one.");
    /* mm_tmpdir makes its directory under $TMPDIR and removes it at the end of the test. */
    char *saved = tmp ? strdup(tmp) : NULL;
    setenv("TMPDIR", base, 1);
    const char *dir = mm_tmpdir();
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    char real[PATH_MAX];
    MM_CHECK(realpath(dir, real) != NULL, MM_NO_HINT, "test setup: realpath(%s): %s", dir,
             strerror(errno));
    char *path = paths[n++ % 4];
    snprintf(path, sizeof paths[0], "%s/store", real);
    return path;
}

long kvt_dirty_kb(const char *path)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[PATH_MAX + 256];
    bool ours = false, found = false;
    long kb = 0;

    while (f && fgets(line, sizeof line, f)) {
        unsigned long start, end;
        int name_at = -1;
        long v;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &name_at) == 2 &&
            name_at > 0) {
            line[strcspn(line, "\n")] = '\0';
            ours = strcmp(line + name_at, path) == 0;
            found |= ours;
        } else if (ours && (sscanf(line, "Shared_Dirty: %ld kB", &v) == 1 ||
                            sscanf(line, "Private_Dirty: %ld kB", &v) == 1)) {
            kb += v;
        }
    }
    if (f)
        fclose(f);
    return found ? kb : -1;
}

/* ---- Calls a subject makes ------------------------------------------------------------ */

struct mm_call kvt_open(struct kv **kv, const char *name, size_t nslots, int flags)
{
    char text[MM_CALL_TEXT], how[48] = "";

    for (int bit = KV_CREATE; bit <= KV_SHM; bit <<= 1)
        if (flags & bit)
            snprintf(how + strlen(how), sizeof how - strlen(how), "%s%s", how[0] ? " | " : "",
                     bit == KV_CREATE ? "KV_CREATE" : bit == KV_RDONLY ? "KV_RDONLY" : "KV_SHM");
    if (flags & KV_SHM)
        snprintf(text, sizeof text, "kv_open(\"%.60s\", %zu, %s)", name, nslots, how);
    else
        snprintf(text, sizeof text, "kv_open(path, %zu, %s)", nslots, how[0] ? how : "0");
    return MM_CALL_AS(text, *kv = kv_open(name, nslots, flags));
}

struct kvt_val kvt_get(struct kv *kv, const char *key, size_t cap)
{
    struct kvt_val v;
    char text[MM_CALL_TEXT];

    memset(v.buf, 0xA5, sizeof v.buf);
    snprintf(text, sizeof text, "kv_get(kv, \"%.40s\", buf, %zu)", key ? key : "(null)", cap);
    v.get = MM_CALL_AS(text, kv_get(kv, key, v.buf, cap));
    return v;
}

struct mm_call kvt_put_bytes(struct kv *kv, const char *key, const void *val, size_t len)
{
    char text[MM_CALL_TEXT];
    snprintf(text, sizeof text, "kv_put(kv, \"%.40s\", val, %zu)", key ? key : "(null)", len);
    return MM_CALL_AS(text, kv_put(kv, key, val, len));
}

struct mm_call kvt_put(struct kv *kv, const char *key, unsigned gen)
{
    unsigned char val[KV_VALUE_MAX];
    size_t len = kvc_make(key, gen, val);
    return kvt_put_bytes(kv, key, val, len);
}

struct mm_call kvt_del(struct kv *kv, const char *key)
{
    char text[MM_CALL_TEXT];
    snprintf(text, sizeof text, "kv_del(kv, \"%.40s\")", key ? key : "(null)");
    return MM_CALL_AS(text, kv_del(kv, key));
}

/* ---- What the judge makes of them ----------------------------------------------------- */

bool kvt_val_is(const struct kvt_val *v, const void *want, size_t len)
{
    return v->get.ret == (long long)len && memcmp(v->buf, want, len) == 0;
}

bool kvt_val_whole(const struct kvt_val *v, const char *key, uint32_t *gen)
{
    return v->get.ret >= 0 && v->get.ret <= KV_VALUE_MAX &&
           kvc_check(key, v->buf, (size_t)v->get.ret, gen) == 0;
}

const char *kvt_val_text(const struct kvt_val *v, const char *key)
{
    static char text[128];

    if (v->get.ret == -1)
        snprintf(text, sizeof text, "missing (kv_get failed with %s)",
                 mm_errno_name(v->get.err));
    else if (v->get.ret < 0 || v->get.ret > KV_VALUE_MAX)
        snprintf(text, sizeof text, "impossible (kv_get returned %lld)", v->get.ret);
    else if (!kvt_val_whole(v, key, NULL))
        snprintf(text, sizeof text, "a torn or wrong value (%lld bytes)", v->get.ret);
    else
        snprintf(text, sizeof text, "whole");
    return text;
}

void kvt_check_returned(int timeout_ms, struct mm_hint hint, const char *what)
{
    const struct mm_outcome *out = mm_outcome();
    MM_CHECK(out->how != MM_TIMED_OUT, hint, "%s did not return within %.1f s.", what,
             timeout_ms / 1000.0);
    MM_CHECK(out->how == MM_RETURNED && !out->leaked && out->strays == 0, MM_NO_HINT, "%s",
             mm_outcome_text());
}

/* ---- Other programs -------------------------------------------------------------------- */

/* mm_spawn of the program built beside the test, with its standard error on err_fd (or
 * /dev/null): mm_spawn keeps stderr, so fd 2 is pointed there around it. */
static pid_t spawn(const char *const argv[], int in_fd, int out_fd, int err_fd)
{
    const char *args[32];
    char path[4096];
    int n = 0;

    snprintf(path, sizeof path, "%s", mm_helper(argv[0]));
    args[n++] = path;
    while (n < 31 && argv[n] != NULL) {
        args[n] = argv[n];
        n++;
    }
    args[n] = NULL;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (devnull == -1 || saved == -1) {
        if (devnull != -1)
            close(devnull);
        return -1;
    }
    fflush(stderr);
    dup2(err_fd >= 0 ? err_fd : devnull, 2);
    pid_t pid = mm_spawn(args, in_fd, out_fd);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    return pid;
}

/* The test's log of its helpers' standard error (a file: it never fills up). */
static pid_t log_owner;
static const char *log_path;
static int log_fd = -1;

static int helper_log(void)
{
    if (log_owner != getpid()) {
        log_owner = getpid();
        log_path = mm_tmpfile(NULL, 0);
        log_fd = open(log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    }
    return log_fd;
}

const char *kvt_helper_said(void)
{
    static char said[400];
    size_t len;
    char *text = log_owner == getpid() ? mm_slurp(log_path, &len) : NULL;

    said[0] = '\0';
    if (text && len > 0) {                  /* the first line, and how many followed */
        int more = 0;
        char *nl = memchr(text, '\n', len);
        for (char *c = nl; c && c < text + len - 1; c = memchr(c + 1, '\n', text + len - c - 1))
            more++;
        if (nl)
            *nl = '\0';
        text[len - 1] = text[len - 1] == '\n' ? '\0' : text[len - 1];
        for (char *c = text; *c; c++)
            *c = (unsigned char)*c < 0x20 ? '?' : *c;
        snprintf(said, sizeof said, " (it said: %.300s%s)", text, more ? ", and more" : "");
    }
    free(text);
    return said;
}

pid_t kvt_spawn(const char *const argv[], int in_fd, int out_fd)
{
    return spawn(argv, in_fd, out_fd, helper_log());
}

int kvt_wait(pid_t pid, int timeout_ms)
{
    if (pid == -1)
        return -1;
    int status = mm_wait(pid, timeout_ms);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Reads both pipes until EOF or the deadline. */
static void drain(int out, int err, struct kvt_run *r, long long deadline)
{
    size_t nout = 0, nerr = 0;
    struct pollfd p[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
    char junk[4096];

    while ((p[0].fd != -1 || p[1].fd != -1) && mm_now_ms() < deadline) {
        if (poll(p, 2, (int)(deadline - mm_now_ms())) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd == -1 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char *buf = i == 0 ? r->out : r->err;
            size_t cap = i == 0 ? sizeof r->out : sizeof r->err, *n = i == 0 ? &nout : &nerr;
            ssize_t got = *n + 1 < cap ? read(p[i].fd, buf + *n, cap - 1 - *n)
                                       : read(p[i].fd, junk, sizeof junk);
            if (got <= 0)
                p[i].fd = -1;
            else if (*n + 1 < cap)
                *n += (size_t)got;
        }
    }
    while (nerr > 0 && r->err[nerr - 1] == '\n')     /* it goes inside a message */
        nerr--;
    r->out[nout] = '\0';
    r->err[nerr] = '\0';
}

int kvt_run(struct kvt_run *r, int timeout_ms, const char *prog, ...)
{
    const char *argv[32] = { prog };
    int out[2], err[2], argc = 1, status;
    va_list ap;

    va_start(ap, prog);
    while (argc < 31 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    memset(r, 0, sizeof *r);
    r->status = -1;
    if (pipe2(out, O_CLOEXEC) == -1)
        return -1;
    if (pipe2(err, O_CLOEXEC) == -1) {
        close(out[0]), close(out[1]);
        return -1;
    }
    long long deadline = mm_now_ms() + timeout_ms;
    pid_t pid = spawn(argv, -1, out[1], err[1]);
    close(out[1]), close(err[1]);
    if (pid != -1)
        drain(out[0], err[0], r, deadline);
    close(out[0]), close(err[0]);
    if (pid == -1)
        return -1;
    long long left = deadline - mm_now_ms();
    status = mm_wait(pid, left > 0 ? (int)left : 0);
    if (status != -1 && WIFEXITED(status))
        r->status = WEXITSTATUS(status);
    else if (status != -1 && WIFSIGNALED(status))
        r->signal = WTERMSIG(status);
    return r->status;
}

/* ---- Scenarios ----------------------------------------------------------------------- */

/* Starts kvhelper [--shm] --sync name ARGS... (NULL-terminated) without waiting: it writes
 * one byte to ready_fd once its store is open (creators: just before kv_open) and then
 * waits for EOF on go_fd (-1: at once). */
static pid_t spawn_helper(bool shm, int go_fd, int ready_fd, const char *name, ...)
{
    const char *argv[16] = { "kvhelper" };
    int argc = 1;
    va_list ap;

    if (shm)
        argv[argc++] = "--shm";
    argv[argc++] = "--sync";
    argv[argc++] = name;
    va_start(ap, name);
    while (argc < 15 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    return kvt_spawn(argv, go_fd, ready_fd);
}

/* Waits (at most timeout_ms) for the byte a helper writes once its store is open. */
static int wait_ready_byte(int fd, int timeout_ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    char c;
    return poll(&p, 1, timeout_ms) == 1 && read(fd, &c, 1) == 1 ? 0 : -1;
}

static void make_pipe(int p[2])
{
    MM_CHECK(pipe2(p, O_CLOEXEC) == 0, MM_NO_HINT, "test setup: pipe2 failed: %s",
             strerror(errno));
}

#define MAX_WRITER_KEYS 2000

void kvt_two_writers(const char *name, bool shm, int nkeys)
{
    char count[16], slots[16];
    int go[2], ready[2], flags = shm ? KV_SHM : 0;

    MM_CHECK(nkeys <= MAX_WRITER_KEYS, MM_NO_HINT, "test bug: %d keys per writer", nkeys);
    /* A table 94% full: the writers keep probing the same clusters of slots. */
    snprintf(count, sizeof count, "%d", nkeys);
    snprintf(slots, sizeof slots, "%d", 2 * nkeys + nkeys / 8);
    make_pipe(go);
    make_pipe(ready);
    pid_t pid[2];
    for (int w = 0; w < 2; w++) {
        const char *prefix = w ? "writer-b-" : "writer-a-";
        pid[w] = spawn_helper(shm, go[0], ready[1], name, "fill", slots, prefix, "0", count,
                              NULL);
    }
    close(go[0]), close(ready[1]);
    for (int w = 0; w < 2; w++)
        wait_ready_byte(ready[0], 10000);
    close(ready[0]);
    close(go[1]);                       /* both start putting now */
    int rca = kvt_wait(pid[0], 20000), rcb = kvt_wait(pid[1], 20000);
    MM_CHECK(rca == 0 && rcb == 0, HINT(S_ENTRIES, "every change must hold the "
             "process-shared mutex"), "two programs each putting %d keys into one store at "
             "the same time: exit statuses %d and %d, expected 0 and 0 (-1: crashed or "
             "hung)%s.", nkeys, rca, rcb, kvt_helper_said());

    /* Every key's length and digest, compared here with the values the writers put. */
    static struct {
        struct mm_call open, close;
        long long len[2][MAX_WRITER_KEYS];
        uint64_t digest[2][MAX_WRITER_KEYS];
        size_t count;
    } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, name, 0, flags);
        if (kv != NULL) {
            for (int w = 0; w < 2; w++)
                for (int i = 0; i < nkeys; i++) {
                    char key[32];
                    snprintf(key, sizeof key, "writer-%c-%d", "ab"[w], i);
                    struct kvt_val v = kvt_get(kv, key, KV_VALUE_MAX);
                    o.len[w][i] = v.get.ret;
                    if (v.get.ret >= 0 && v.get.ret <= KV_VALUE_MAX)
                        o.digest[w][i] = mm_digest(v.buf, (size_t)v.get.ret);
                }
            o.count = kv_count(kv);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    int bad = 0;
    char first_bad[32] = "";
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < nkeys; i++) {
            char key[32];
            unsigned char want[KV_VALUE_MAX];
            snprintf(key, sizeof key, "writer-%c-%d", "ab"[w], i);
            size_t len = kvc_make(key, (uint32_t)i, want);
            if (o.len[w][i] != (long long)len || o.digest[w][i] != mm_digest(want, len))
                if (!bad++)
                    snprintf(first_bad, sizeof first_bad, "%s", key);
        }
    MM_CHECK(bad == 0, HINT(S_ENTRIES, "two writers that do not exclude each other take the "
             "same free slot; hold the process-shared mutex from the lookup to the "
             "publication"), "after two writer programs finished, %d of their %d keys are "
             "missing or wrong (the first: %s).", bad, 2 * nkeys, first_bad);
    MM_CHECK(o.count == (size_t)(2 * nkeys), HINT(S_ENTRIES, "count changes only under the "
             "lock"), "kv_count is %zu after two writers put %d keys each, expected %d.",
             o.count, nkeys, 2 * nkeys);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* Creates the store (nslots slots) in a subject and closes it again. */
static void create_store(const char *name, size_t nslots, int flags)
{
    struct { struct mm_call open, close; } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, name, nslots, KV_CREATE | flags);
        if (kv != NULL)
            o.close = MM_CALL(kv_close(kv));
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

void kvt_crash_loop(const char *name, bool shm, int iterations)
{
    unsigned seed = (unsigned)getpid();
    int flags = shm ? KV_SHM : 0;

    create_store(name, 64, flags);
    for (int it = 0; it < iterations; it++) {
        int ready[2];
        make_pipe(ready);
        pid_t pid = spawn_helper(shm, -1, ready[1], name, "crash", "24", NULL);
        close(ready[1]);
        int up = wait_ready_byte(ready[0], 10000);
        close(ready[0]);
        MM_CHECK(up == 0, HINT_OPEN, "iteration %d: the writer program did not open the "
                 "store within 10 s%s.", it, kvt_helper_said());
        mm_sleep_ms(0.2 + rand_r(&seed) % 2800 / 1000.0);
        kill(pid, SIGKILL);
        int rc = kvt_wait(pid, 5000);
        MM_CHECK(rc == -1, HINT(S_RECOVERY, "after a holder died, pthread_mutex_lock says "
                 "EOWNERDEAD: repair, then call pthread_mutex_consistent"), "iteration %d: "
                 "the writer program stopped by itself with status %d before it was killed: "
                 "a kv_put or kv_del failed%s.", it, rc, kvt_helper_said());
        struct kvt_run r;
        if (shm)
            kvt_run(&r, 5000, "kvhelper", "--shm", name, "verify", NULL);
        else
            kvt_run(&r, 5000, "kvhelper", name, "verify", NULL);
        MM_CHECK(r.status == 0, HINT(S_RECOVERY, "a writer can die holding the lock: make it "
                 "robust (PTHREAD_MUTEX_ROBUST), handle EOWNERDEAD, and write every change so "
                 "that a half-done one is never visible"), "iteration %d: after a writer was "
                 "SIGKILLed, a new program %s%s%s.", it,
                 r.status == -1 ? (r.signal ? "crashed" : "hung (more than 5 s: the lock "
                                   "is still held by the dead writer?)")
                                : "found the store broken", r.err[0] ? ": " : "", r.err);
    }
    struct { struct mm_call open, put, close; struct kvt_val got; } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, name, 0, flags);
        if (kv != NULL) {
            o.put = kvt_put(kv, "after-the-crashes", 3);
            o.got = kvt_get(kv, "after-the-crashes", KV_VALUE_MAX);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT(S_RECOVERY, "the store must stay writable after the crashes"));
    MM_CHECK(kvt_val_whole(&o.got, "after-the-crashes", NULL), HINT(S_RECOVERY, "the store "
             "must stay usable after the crashes"), "kv_get of a key just put after the "
             "crashes: %s.", kvt_val_text(&o.got, "after-the-crashes"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* What a KV_RDONLY reader saw while a writer replaced four keys. */
struct torn_seen {
    struct mm_call open, close;
    long reads, torn, missing, other_errno, foreach_torn, foreach_failed, changes;
    int first_errno;
    bool writer_ended;                  /* EOF on the writer's output, before the deadline */
    char torn_key[KV_KEY_MAX + 1];
    struct kvt_val last[4];             /* each key once more after the writer ended */
};

static int check_entry(const char *key, const void *val, size_t len, void *arg)
{
    struct torn_seen *st = arg;
    if (kvc_check(key, val, len, NULL) != 0)
        st->foreach_torn++;
    return 0;
}

/* One kv_get of each key: counts torn values, errors and generation changes. */
static void read_keys(struct kv *kv, char key[4][16], struct torn_seen *st, uint32_t last[4])
{
    for (int i = 0; i < 4; i++) {
        uint32_t gen;
        struct kvt_val v = kvt_get(kv, key[i], KV_VALUE_MAX);
        st->reads++;
        if (v.get.ret == -1 && v.get.err == ENOENT) {
            st->missing++;
        } else if (v.get.ret == -1) {
            if (!st->other_errno++)
                st->first_errno = v.get.err;
        } else if (!kvt_val_whole(&v, key[i], &gen)) {
            if (!st->torn++)
                snprintf(st->torn_key, sizeof st->torn_key, "%s", key[i]);
        } else if (gen != last[i]) {
            last[i] = gen;
            st->changes++;
        }
    }
}

/* The reader: reads until the writer's output reaches EOF (it exited) or the deadline. */
static void read_while_writing(const char *name, int flags, int writer_out, int millis,
                               char key[4][16], struct torn_seen *st)
{
    struct kv *kv;
    uint32_t last[4] = { 0 };
    long long give_up = mm_now_ms() + millis + 10000;

    st->open = kvt_open(&kv, name, 0, KV_RDONLY | flags);
    if (kv == NULL)
        return;
    for (long round = 0; !st->writer_ended; round++) {
        read_keys(kv, key, st, last);
        if (round % 64 == 0) {
            mm_calling("kv_foreach(kv, check, arg) on a KV_RDONLY handle");
            if (kv_foreach(kv, check_entry, st) != 0)
                st->foreach_failed++;
        }
        if (round % 16 == 0) {
            struct pollfd p = { writer_out, POLLIN, 0 };
            char sink[64];
            if (poll(&p, 1, 0) == 1 && read(writer_out, sink, sizeof sink) <= 0)
                st->writer_ended = true;
            else if (mm_now_ms() > give_up)
                break;
        }
    }
    for (int i = 0; i < 4; i++)
        st->last[i] = kvt_get(kv, key[i], KV_VALUE_MAX);
    st->close = MM_CALL(kv_close(kv));
}

#define CRASH_KEYS 24
#define READ_MS    3000

void kvt_readers_after_kills(const char *name, bool shm, int iterations)
{
    unsigned seed = (unsigned)getpid() * 7u;
    int flags = shm ? KV_SHM : 0;
    char nkeys[16];

    snprintf(nkeys, sizeof nkeys, "%d", CRASH_KEYS);
    create_store(name, 64, flags);
    for (int it = 0; it < iterations; it++) {
        int ready[2];
        make_pipe(ready);
        pid_t pid = spawn_helper(shm, -1, ready[1], name, "crash", nkeys, NULL);
        close(ready[1]);
        int up = wait_ready_byte(ready[0], 10000);
        close(ready[0]);
        MM_CHECK(up == 0, HINT_OPEN, "iteration %d: the writer program did not open the "
                 "store within 10 s%s.", it, kvt_helper_said());
        mm_sleep_ms(0.2 + rand_r(&seed) % 2800 / 1000.0);
        kill(pid, SIGKILL);
        int rc = kvt_wait(pid, 5000);
        MM_CHECK(rc == -1, HINT(S_RECOVERY, "kv_put and kv_del must keep working"),
                 "iteration %d: the writer program stopped by itself with status %d before "
                 "it was killed: a kv_put or kv_del failed%s.", it, rc, kvt_helper_said());
        /* Nobody has repaired the store: the reader meets whatever the writer left. */
        static struct { struct mm_call open, foreach, close; struct kvt_val got[CRASH_KEYS];
                        long foreach_torn; } o;
        MM_SUBJECT_WITH(o, .timeout_ms = READ_MS, .may_die = true) {
            struct kv *kv;
            o.open = kvt_open(&kv, name, 0, KV_RDONLY | flags);
            if (kv != NULL) {
                for (int i = 0; i < CRASH_KEYS; i++) {
                    char key[16];
                    snprintf(key, sizeof key, "crash%d", i);
                    o.got[i] = kvt_get(kv, key, KV_VALUE_MAX);
                }
                struct torn_seen st = { .reads = 0 };
                o.foreach = MM_CALL(kv_foreach(kv, check_entry, &st));
                o.foreach_torn = st.foreach_torn;
                o.close = MM_CALL(kv_close(kv));
            }
        }
        kvt_check_returned(READ_MS, HINT(S_READERS, "a writer can die in the middle of a "
                           "change: a reader must never wait for a writer to finish, since "
                           "that writer may be dead; readers only retry while the slot keeps "
                           "changing"), "a KV_RDONLY reader of a store whose writer was "
                           "SIGKILLed (perhaps in the middle of a change)");
        MM_CHECK_PTR(o.open, HINT(S_OPEN, "a KV_RDONLY open: O_RDONLY and PROT_READ"));
        for (int i = 0; i < CRASH_KEYS; i++) {
            char key[16];
            snprintf(key, sizeof key, "crash%d", i);
            MM_CHECK(kvt_val_whole(&o.got[i], key, NULL) || (o.got[i].get.ret == -1 &&
                     o.got[i].get.err == ENOENT), HINT(S_READERS, "a change a killed writer "
                     "left half-done must stay invisible"), "iteration %d: after a writer was "
                     "SIGKILLed, a KV_RDONLY reader found key %s %s, expected its last whole "
                     "value or ENOENT.", it, key, kvt_val_text(&o.got[i], key));
        }
        MM_CHECK(o.foreach.ret == 0 && o.foreach_torn == 0, HINT(S_READERS, "kv_foreach "
                 "reads like kv_get, without the lock"), "iteration %d: kv_foreach through a "
                 "KV_RDONLY handle after a writer was SIGKILLed returned %lld (errno %s) and "
                 "passed %ld torn value(s), expected 0 and none.", it, o.foreach.ret,
                 mm_errno_name(o.foreach.err), o.foreach_torn);
        MM_CHECK_OK(o.close, HINT_CLOSE);
    }
}

void kvt_torn_readers(const char *name, bool shm, int millis)
{
    int flags = shm ? KV_SHM : 0, ready[2];
    char key[4][16], ms[16];

    for (int i = 0; i < 4; i++)
        snprintf(key[i], sizeof key[i], "churn%d", i);
    struct { struct mm_call open, put[4], close; } made;
    MM_SUBJECT(made) {
        struct kv *kv;
        made.open = kvt_open(&kv, name, 16, KV_CREATE | flags);
        if (kv != NULL) {
            for (int i = 0; i < 4; i++)
                made.put[i] = kvt_put(kv, key[i], 0);
            made.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(made.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK_OK(made.put[i], HINT(S_ENTRIES, "kv_put of a new key into an empty store"));
    MM_CHECK_OK(made.close, HINT_CLOSE);

    make_pipe(ready);
    snprintf(ms, sizeof ms, "%d", millis);
    pid_t pid = spawn_helper(shm, -1, ready[1], name, "churn", "4", ms, NULL);
    close(ready[1]);
    int up = wait_ready_byte(ready[0], 10000);
    if (up != 0)
        close(ready[0]);
    MM_CHECK(up == 0, HINT_OPEN, "the writer program did not open the store within 10 s%s.",
             kvt_helper_said());

    static struct torn_seen st;
    MM_SUBJECT_WITH(st, .timeout_ms = millis + 15000)
        read_while_writing(name, flags, ready[0], millis, key, &st);
    close(ready[0]);
    int rc = kvt_wait(pid, 5000);
    st.torn_key[KV_KEY_MAX] = '\0';
    MM_CHECK_PTR(st.open, HINT(S_OPEN, "a KV_RDONLY open: O_RDONLY and PROT_READ"));
    MM_CHECK(st.torn == 0 && st.foreach_torn == 0, HINT(S_READERS, "write the new value "
             "where readers do not look, then publish it; readers check that what they "
             "copied was not changed meanwhile"), "a KV_RDONLY reader got %ld torn value(s) "
             "from kv_get (first: key %s) and %ld from kv_foreach in %ld reads, while "
             "another program replaced the values.", st.torn, st.torn_key, st.foreach_torn,
             st.reads);
    MM_CHECK(st.other_errno == 0, HINT(S_READERS, "a reader retries until it gets a "
             "consistent copy"), "kv_get failed %ld time(s) with %s while another program "
             "replaced the values, expected a value (or ENOENT while it was deleted).",
             st.other_errno, mm_errno_name(st.first_errno));
    MM_CHECK(st.foreach_failed == 0, HINT(S_READERS, "kv_foreach reads like kv_get, without "
             "the lock"), "kv_foreach through a KV_RDONLY handle failed %ld time(s) while "
             "another program replaced the values.", st.foreach_failed);
    MM_CHECK(st.writer_ended && rc == 0, HINT(S_ENTRIES, "kv_put and kv_del must keep "
             "working while a reader reads"), "the writer program %s (exit status %d, -1: "
             "crashed or hung), expected it to finish in time with status 0%s.",
             st.writer_ended ? "ended" : "did not end within 10 s of its run time", rc,
             kvt_helper_said());
    for (int i = 0; i < 4; i++)
        MM_CHECK(kvt_val_whole(&st.last[i], key[i], NULL), HINT(S_READERS, "a KV_RDONLY "
                 "handle reads the values the writers left"), "after the writer ended, "
                 "key %s read through the KV_RDONLY handle is %s.", key[i],
                 kvt_val_text(&st.last[i], key[i]));
    MM_CHECK(st.changes >= 2, HINT(S_SHARING, "map the store MAP_SHARED"), "the reader saw "
             "the values change only %ld time(s): the writer's kv_put did not reach the "
             "reader's mapping.", st.changes);
    MM_CHECK_OK(st.close, HINT_CLOSE);
}

/* Four programs, released at the same instant, each create the store and put their key. */
void kvt_create_race(const char *name, bool shm, int rounds)
{
    char key[4][16];
    int flags = shm ? KV_SHM : 0;

    for (int i = 0; i < 4; i++)
        snprintf(key[i], sizeof key[i], "creator%d", i);
    for (int round = 0; round < rounds; round++) {
        int go[2], ready[2];
        pid_t pid[4];
        make_pipe(go);
        make_pipe(ready);
        for (int i = 0; i < 4; i++)
            pid[i] = spawn_helper(shm, go[0], ready[1], name, "create", "64", key[i], NULL);
        close(go[0]), close(ready[1]);
        for (int i = 0; i < 4; i++)
            if (wait_ready_byte(ready[0], 10000) != 0)
                break;
        close(ready[0]);
        close(go[1]);                   /* all four start now */
        for (int i = 0; i < 4; i++) {
            int rc = kvt_wait(pid[i], 10000);
            MM_CHECK(rc == 0, HINT(S_OPEN, "exactly one creator initialises (O_CREAT | "
                     "O_EXCL); the others wait, at most 2 s, until it says ready"),
                     "round %d: program %d of 4 creating the store at the same time %s%s.",
                     round, i, rc == -1 ? "crashed or hung"
                                        : "failed (kv_open, kv_put or kv_get)",
                     kvt_helper_said());
        }
        struct { struct mm_call open, close, unlink; struct kvt_val got[4]; size_t count; } o;
        MM_SUBJECT(o) {
            struct kv *kv;
            o.open = kvt_open(&kv, name, 0, KV_RDONLY | flags);
            if (kv != NULL) {
                for (int i = 0; i < 4; i++)
                    o.got[i] = kvt_get(kv, key[i], KV_VALUE_MAX);
                o.count = kv_count(kv);
                o.close = MM_CALL(kv_close(kv));
            }
            o.unlink = MM_CALL(kv_unlink(name, flags));
        }
        MM_CHECK_PTR(o.open, HINT_OPEN);
        for (int i = 0; i < 4; i++)
            MM_CHECK(kvt_val_whole(&o.got[i], key[i], NULL), HINT(S_OPEN, "a second "
                     "initialisation wiped the first creator's data: only the process whose "
                     "O_EXCL create succeeded may initialise"), "round %d: the key put by "
                     "creator %d is %s afterwards.", round, i, kvt_val_text(&o.got[i], key[i]));
        MM_CHECK(o.count == 4, HINT(S_OPEN, "the header was initialised twice"), "round %d: "
                 "kv_count is %zu after four creators put one key each, expected 4.", round,
                 o.count);
        MM_CHECK_OK(o.close, HINT_CLOSE);
        MM_CHECK_OK(o.unlink, HINT(S_OPEN, "kv_unlink removes the file (unlink) or the "
                    "object (shm_unlink)"));
    }
}

/* The runner, once every test has ended: whatever a crashed test left in /dev/shm. */
static void sweep_after_all_tests(void)
{
    sweep_shm(getpid(), 1);
}
MM_AT_RUNNER_END(sweep_after_all_tests)

size_t kvt_page_sized_slots(const char *path)
{
    size_t page = mm_page_size();
    struct stat st;

    for (size_t k = 1; k <= 256; k++) {
        struct kv *kv = kv_open(path, k, KV_CREATE);
        if (kv == NULL)
            return 0;
        bool whole = stat(path, &st) == 0 && st.st_size > 0 && (size_t)st.st_size % page == 0;
        kv_close(kv);
        kv_unlink(path, 0);
        if (whole)
            return k;
    }
    return 0;
}

bool kvt_mapped_right_below(const char *path, const void *guard)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[4096];
    bool found = false;

    while (f && !found && fgets(line, sizeof line, f)) {
        unsigned long start, end;
        char *name = strchr(line, '/');
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && name &&
            (uintptr_t)end == (uintptr_t)guard && strstr(name, path) != NULL)
            found = true;
    }
    if (f)
        fclose(f);
    return found;
}

int kvt_count_visit(const char *key, const void *val, size_t len, void *arg)
{
    (void)key, (void)val, (void)len;
    ++*(int *)arg;
    return 0;
}
