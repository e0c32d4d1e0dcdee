/* lab3_util.c - the Lab 3 test support layer (lab3_util.h): store names that are always
 * cleaned up, and other programs run with fork + exec (so that they share the store only
 * by its name), each with a deadline. Not a test file: it holds no tests. */
#include "lab3_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

MM_LAB("lab3", "Building and testing");

#define MAX_SHM 16

static char shm_names[MAX_SHM][64];
static int nshm;
static pid_t names_pid;         /* the test process the names above belong to */

void kvt_sleep_ms(double ms)
{
    long long ns = (long long)(ms * 1e6);
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

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

int kvt_shm_exists(const char *name)
{
    char path[300];
    struct stat sb;
    snprintf(path, sizeof path, "/dev/shm%s", name);
    return stat(path, &sb) == 0;
}

/* ---- Other programs -------------------------------------------------------------------- */

/* Everything the child needs is prepared before fork: after it only dup2/exec/_exit. */
pid_t kvt_spawn(const char *const argv[], int go_fd, int ready_fd)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", mm_helper(argv[0]));
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t pid = mm_fork();

    if (pid == 0) {
        /* Move both out of the way first: either may already be fd 3 or 4 (and dup2 onto
         * itself would keep O_CLOEXEC). */
        int go = go_fd != -1 ? fcntl(go_fd, F_DUPFD_CLOEXEC, 10) : -1;
        int ready = ready_fd != -1 ? fcntl(ready_fd, F_DUPFD_CLOEXEC, 10) : -1;
        if (devnull != -1)
            dup2(devnull, 1), dup2(devnull, 2);
        if ((go != -1 && dup2(go, 3) == -1) || (ready != -1 && dup2(ready, 4) == -1))
            _exit(126);
        if (go == -1)
            close(3);
        if (ready == -1)
            close(4);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    if (devnull != -1)
        close(devnull);
    return pid;
}

int kvt_wait(pid_t pid, int timeout_ms)
{
    if (pid == -1)
        return -1;
    int status = mm_wait(pid, timeout_ms);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Reads both pipes until EOF or the deadline. */
static void drain(int out, int err, struct kvt_run *r, long long deadline)
{
    size_t nout = 0, nerr = 0;
    struct pollfd p[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
    char junk[4096];

    while ((p[0].fd != -1 || p[1].fd != -1) && now_ms() < deadline) {
        if (poll(p, 2, (int)(deadline - now_ms())) <= 0)
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
    r->out[nout] = '\0';
    r->err[nerr] = '\0';
}

int kvt_run(struct kvt_run *r, int timeout_ms, const char *prog, ...)
{
    const char *argv[32] = { prog };
    char path[4096];
    int out[2], err[2], argc = 1, status;
    va_list ap;

    va_start(ap, prog);
    while (argc < 31 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    memset(r, 0, sizeof *r);
    r->status = -1;
    snprintf(path, sizeof path, "%s", mm_helper(prog));
    if (pipe2(out, O_CLOEXEC) == -1)
        return -1;
    if (pipe2(err, O_CLOEXEC) == -1) {
        close(out[0]), close(out[1]);
        return -1;
    }
    long long deadline = now_ms() + timeout_ms;
    pid_t pid = mm_fork();
    if (pid == 0) {
        dup2(out[1], 1), dup2(err[1], 2);
        close(3), close(4);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(out[1]), close(err[1]);
    if (pid != -1)
        drain(out[0], err[0], r, deadline);
    close(out[0]), close(err[0]);
    if (pid == -1)
        return -1;
    long long left = deadline - now_ms();
    status = mm_wait(pid, left > 0 ? (int)left : 0);
    if (status != -1 && WIFEXITED(status))
        r->status = WEXITSTATUS(status);
    else if (status != -1 && WIFSIGNALED(status))
        r->signal = WTERMSIG(status);
    return r->status;
}

int kvt_put(struct kv *kv, const char *key, unsigned gen)
{
    unsigned char val[KV_VALUE_MAX];
    size_t len = kvc_make(key, gen, val);
    return kv_put(kv, key, val, len);
}

/* ---- Scenarios ----------------------------------------------------------------------- */

/* Starts kvhelper [--shm] name ARGS... (NULL-terminated) without waiting; go_fd and
 * ready_fd as for kvt_spawn. */
static pid_t spawn_helper(int shm, int go_fd, int ready_fd, const char *name, ...)
{
    const char *argv[16] = { "kvhelper" };
    int argc = 1;
    va_list ap;

    if (shm)
        argv[argc++] = "--shm";
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

void kvt_two_writers(const char *name, int shm, int nkeys)
{
    char count[16], slots[16], key[32];
    int go[2], ready[2];

    /* A table 94% full: the writers keep probing the same clusters of slots. */
    snprintf(count, sizeof count, "%d", nkeys);
    snprintf(slots, sizeof slots, "%d", 2 * nkeys + nkeys / 8);
    MM_ASSERT(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0, "pipe2 failed");
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
    MM_ASSERT(rca == 0 && rcb == 0, "two programs each putting %d keys into one store at "
              "the same time: exit statuses %d and %d, expected 0 and 0 (-1: crashed or "
              "hung).\n  Hint: every change must hold the process-shared mutex (handout lab3, "
              "\"Reading and writing entries (kv_put, kv_get, kv_del)\").", nkeys, rca, rcb);
    struct kv *kv;
    MM_EXPECT_PTR(kv = kv_open(name, 0, shm ? KV_SHM : 0), KVT_HINT_OPEN);
    /* One assertion at the end: Criterion reports every assertion, even passing ones. */
    int bad = 0;
    char first_bad[32] = "";
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < nkeys; i++) {
            unsigned char val[KV_VALUE_MAX];
            uint32_t gen;
            snprintf(key, sizeof key, "writer-%c-%d", "ab"[w], i);
            ssize_t n = kv_get(kv, key, val, sizeof val);
            if (n < 0 || kvc_check(key, val, (size_t)n, &gen) != 0 || gen != (unsigned)i)
                if (!bad++)
                    snprintf(first_bad, sizeof first_bad, "%s", key);
        }
    MM_ASSERT(bad == 0, "after two writer programs finished, %d of their %d keys are missing "
              "or wrong (the first: %s).\n  Hint: two writers that do not exclude each other "
              "take the same free slot; hold the process-shared mutex from the lookup to the "
              "publication (handout lab3, \"Reading and writing entries (kv_put, kv_get, "
              "kv_del)\").", bad, 2 * nkeys, first_bad);
    size_t c = kv_count(kv);
    MM_ASSERT(c == (size_t)(2 * nkeys), "kv_count is %zu after two writers put %d keys each, "
              "expected %d.\n  Hint: count changes only under the lock.", c, nkeys, 2 * nkeys);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
}

void kvt_crash_loop(const char *name, int shm, int iterations)
{
    struct kv *kv;
    unsigned seed = (unsigned)getpid();
    int flags = shm ? KV_SHM : 0;

    MM_EXPECT_PTR(kv = kv_open(name, 64, KV_CREATE | flags), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    for (int it = 0; it < iterations; it++) {
        int ready[2];
        MM_ASSERT(pipe2(ready, O_CLOEXEC) == 0, "pipe2 failed");
        pid_t pid = spawn_helper(shm, -1, ready[1], name, "crash", "24", NULL);
        close(ready[1]);
        int up = wait_ready_byte(ready[0], 10000);
        close(ready[0]);
        MM_ASSERT(up == 0, "iteration %d: the writer program did not open the store (it "
                  "printed nothing within 10 s, or failed).\n  Hint: " KVT_HINT_OPEN, it);
        kvt_sleep_ms(0.2 + rand_r(&seed) % 2800 / 1000.0);
        kill(pid, SIGKILL);
        int rc = kvt_wait(pid, 5000);
        MM_ASSERT(rc == -1, "iteration %d: the writer program stopped by itself with status "
                  "%d before it was killed: a kv_put or kv_del failed.\n  Hint: after a "
                  "holder died, pthread_mutex_lock says EOWNERDEAD: repair, then call "
                  "pthread_mutex_consistent (handout lab3, \"Crash recovery (robust "
                  "mutexes)\").", it, rc);
        struct kvt_run r;
        if (shm)
            kvt_run(&r, 5000, "kvhelper", "--shm", name, "verify", NULL);
        else
            kvt_run(&r, 5000, "kvhelper", name, "verify", NULL);
        MM_ASSERT(r.status == 0, "iteration %d: after a writer was SIGKILLed, a new program "
                  "%s.\n  %s  Hint: a writer can die holding the lock: make it robust "
                  "(PTHREAD_MUTEX_ROBUST), handle EOWNERDEAD, and write every change so that "
                  "a half-done one is never visible (handout lab3, \"Crash recovery (robust "
                  "mutexes)\").", it,
                  r.status == -1 ? (r.signal ? "crashed" : "hung (more than 5 s: the lock "
                                    "is still held by the dead writer?)")
                                 : "found the store broken", r.err);
    }
    MM_EXPECT_PTR(kv = kv_open(name, 0, flags), KVT_HINT_OPEN);
    MM_EXPECT_OK(kvt_put(kv, "after-the-crashes", 3), "kv_put after the crashes");
    unsigned char val[KV_VALUE_MAX];
    ssize_t n = kv_get(kv, "after-the-crashes", val, sizeof val);
    MM_ASSERT(n > 0 && kvc_check("after-the-crashes", val, (size_t)n, NULL) == 0,
              "kv_get after the crashes returned %zd (errno %s).", n, mm_errno_name(errno));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
}

struct torn_stats {
    long reads, torn, missing, other_errno, foreach_torn, changes;
    int first_errno;
    uint32_t last_gen[4];
    char torn_key[KV_KEY_MAX + 1];
};

static int check_entry(const char *key, const void *val, size_t len, void *arg)
{
    struct torn_stats *st = arg;
    if (kvc_check(key, val, len, NULL) != 0)
        st->foreach_torn++;
    return 0;
}

/* One kv_get of each key: counts torn values, errors and generation changes. */
static void read_keys(struct kv *kv, char key[4][16], struct torn_stats *st)
{
    for (int i = 0; i < 4; i++) {
        unsigned char val[KV_VALUE_MAX];
        uint32_t gen;
        ssize_t n = kv_get(kv, key[i], val, sizeof val);
        st->reads++;
        if (n == -1 && errno == ENOENT) {
            st->missing++;
        } else if (n == -1) {
            if (!st->other_errno++)
                st->first_errno = errno;
        } else if (kvc_check(key[i], val, (size_t)n, &gen) != 0) {
            if (!st->torn++)
                snprintf(st->torn_key, sizeof st->torn_key, "%s", key[i]);
        } else if (gen != st->last_gen[i]) {
            st->last_gen[i] = gen;
            st->changes++;
        }
    }
}

void kvt_torn_readers(const char *name, int shm, int millis)
{
    int flags = shm ? KV_SHM : 0, ready[2];
    struct torn_stats st = { 0 };
    struct kv *kv;
    char key[4][16], ms[16];

    MM_EXPECT_PTR(kv = kv_open(name, 16, KV_CREATE | flags), KVT_HINT_OPEN);
    for (int i = 0; i < 4; i++) {
        snprintf(key[i], sizeof key[i], "churn%d", i);
        MM_EXPECT_OK(kvt_put(kv, key[i], 0), "kv_put");
    }
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_ASSERT(pipe2(ready, O_CLOEXEC) == 0, "pipe2 failed");
    snprintf(ms, sizeof ms, "%d", millis);
    pid_t pid = spawn_helper(shm, -1, ready[1], name, "churn", "4", ms, NULL);
    close(ready[1]);
    int up = wait_ready_byte(ready[0], 10000);
    close(ready[0]);
    MM_ASSERT(up == 0, "the writer program did not open the store.\n  Hint: " KVT_HINT_OPEN);
    MM_EXPECT_PTR(kv = kv_open(name, 0, KV_RDONLY | flags), "a KV_RDONLY open; "
                  KVT_HINT_OPEN);
    int rc = -2;                                /* the writer's exit status, once known */
    long long give_up = now_ms() + millis + 10000;
    for (long round = 0; rc == -2; round++) {   /* until the writer is done */
        read_keys(kv, key, &st);
        if (round % 64 == 0)
            kv_foreach(kv, check_entry, &st);
        if (round % 16 == 0 && now_ms() > give_up)
            rc = kvt_wait(pid, 0);              /* hung: kill it */
        else if (round % 16 == 0 && waitpid(pid, &rc, WNOHANG) != 0)
            rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    }
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_ASSERT(st.torn == 0 && st.foreach_torn == 0, "a KV_RDONLY reader got %ld torn "
              "value(s) from kv_get (first: key %s) and %ld from kv_foreach in %ld reads, "
              "while another program replaced the values.\n  Hint: write the new value "
              "where readers do not look, or bracket the copy with a sequence counter that "
              "readers check before and after (handout lab3, \"Lock-free readers and "
              "sequence counters\").", st.torn, st.torn_key, st.foreach_torn, st.reads);
    MM_ASSERT(st.other_errno == 0, "kv_get failed %ld time(s) with %s while another program "
              "replaced the values, expected a value (or ENOENT while it was deleted).\n  "
              "Hint: a reader retries until it gets a consistent copy (handout lab3, "
              "\"Lock-free readers and sequence counters\").", st.other_errno,
              mm_errno_name(st.first_errno));
    MM_ASSERT(rc == 0, "the writer program ended with status %d, expected 0 (-1: crashed or "
              "hung).", rc);
    MM_ASSERT(st.changes >= 2, "the reader saw the values change only %ld time(s): the "
              "writer's kv_put did not reach the reader's mapping.\n  Hint: map the store "
              "MAP_SHARED (handout lab3, \"Background: sharing by name\").", st.changes);
}

/* Four programs, released at the same instant, each create the store and put their key. */
void kvt_create_race(const char *name, int shm, int rounds)
{
    char key[4][16];

    for (int round = 0; round < rounds; round++) {
        int go[2], ready[2];
        pid_t pid[4];
        MM_ASSERT(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0, "pipe2 failed");
        for (int i = 0; i < 4; i++) {
            snprintf(key[i], sizeof key[i], "creator%d", i);
            pid[i] = spawn_helper(shm, go[0], ready[1], name, "create", "64", key[i], NULL);
        }
        close(go[0]), close(ready[1]);
        char c;
        for (int i = 0; i < 4; i++)
            if (read(ready[0], &c, 1) != 1)
                break;
        close(ready[0]);
        close(go[1]);                   /* all four start now */
        for (int i = 0; i < 4; i++) {
            int rc = kvt_wait(pid[i], 10000);
            MM_ASSERT(rc == 0, "round %d: program %d of 4 creating the store at the same "
                      "time %s.\n  Hint: exactly one creator initialises (O_CREAT | O_EXCL); "
                      "the others wait, at most 2 s, until it says ready (handout lab3, "
                      "\"Opening and creating a store (kv_open)\").", round, i,
                      rc == -1 ? "crashed or hung" : "failed (kv_open, kv_put or kv_get)");
        }
        struct kv *kv;
        MM_EXPECT_PTR(kv = kv_open(name, 0, shm ? KV_SHM | KV_RDONLY : KV_RDONLY),
                      KVT_HINT_OPEN);
        for (int i = 0; i < 4; i++) {
            unsigned char val[KV_VALUE_MAX];
            ssize_t n = kv_get(kv, key[i], val, sizeof val);
            MM_ASSERT(n >= 0 && kvc_check(key[i], val, (size_t)n, NULL) == 0,
                      "round %d: the key put by creator %d is %s afterwards.\n  Hint: a "
                      "second initialisation wiped the first creator's data: only the "
                      "process whose O_EXCL create succeeded may initialise.", round, i,
                      n < 0 ? "missing" : "corrupt");
        }
        size_t count = kv_count(kv);
        MM_ASSERT(count == 4, "round %d: kv_count is %zu after four creators put one key "
                  "each, expected 4.\n  Hint: the header was initialised twice.", round,
                  count);
        MM_EXPECT_OK(kv_close(kv), "kv_close");
        MM_EXPECT_OK(kv_unlink(name, shm ? KV_SHM : 0), "kv_unlink");
    }
}

/* The runner, once every test has ended: whatever a crashed test left in /dev/shm. */
static void sweep_after_all_tests(void)
{
    sweep_shm(getpid(), 1);
}
MM_AT_RUNNER_END(sweep_after_all_tests)
