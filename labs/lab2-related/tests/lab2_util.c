/* lab2_util.c - shared code of the Lab 2 tests (see lab2_util.h); holds no tests.
 * The helpers a subject calls (waits, counts, the ring under load) make no assertion: they
 * return raw values for the subject to hand back to the judge. */
#include "lab2_util.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>

MM_LAB("lab2", S_BUILD);

/* Every suite of the lab, public and hidden, with its time limit: the grader links public and
 * hidden tests into separate binaries, and both need each suite's setup and limit. */
MM_SUITE(counter_free, 20);
MM_SUITE(ring_close, 30);
MM_SUITE(ring_free, 20);
MM_SUITE(shared_anon, 20);
MM_SUITE(shared_devzero, 20);
MM_SUITE(private_anon, 20);
MM_SUITE(shared_free, 20);
MM_SUITE(counter_add, 30);
MM_SUITE(parallel_histogram, 30);
MM_SUITE(ring_new, 20);
MM_SUITE(ring_send, 30);
MM_SUITE(ring_recv, 30);
MM_SUITE(ring, 60);
MM_SUITE(library, 20);
MM_SUITE(counter_new, 20);




void *test_shared(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        /* No assertion inside a subject: say so on stderr and end it (a test problem). */
        fprintf(stderr, "lab2 tests: test setup: mmap of %zu shared bytes failed: %s "
                "(a problem of the test machine, not of your code)\n", len,
                mm_errno_name(errno));
        abort();
    }
    return p;
}

/* A deadline on the clock, not a count of sleeps: sleeps stretch on a loaded machine. */
int limit_address_space(struct rlimit *old)
{
    unsigned long long limit = mm_vm_size();
    struct rlimit rl;

    if (getrlimit(RLIMIT_AS, old) == -1)
        return errno;
    rl = *old;
    /* Only the soft limit, never above a hard limit the grader may have set. */
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < limit ? rl.rlim_max : limit;
    return setrlimit(RLIMIT_AS, &rl) == -1 ? errno : 0;
}

int wait_at_least(atomic_int *v, int want, int timeout_ms)
{
    long deadline = mm_now_ms() + timeout_ms;

    while (atomic_load(v) < want) {
        if (mm_now_ms() > deadline)
            return 0;
        mm_sleep_ms(1);
    }
    return 1;
}

int wait_quiet(atomic_int *v, int quiet_ms, int timeout_ms)
{
    long deadline = mm_now_ms() + timeout_ms, still_since = mm_now_ms();
    int last = atomic_load(v);

    while (mm_now_ms() - still_since < quiet_ms && mm_now_ms() < deadline) {
        mm_sleep_ms(1);
        int now = atomic_load(v);
        if (now != last)
            still_since = mm_now_ms(), last = now;
    }
    return last;
}

const char *status_text(int status)
{
    static char text[64];

    if (status == -1)
        return "did not finish in time (killed)";
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exited with %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "was killed by %s", mm_signal_name(WTERMSIG(status)));
    else
        snprintf(text, sizeof text, "ended with status 0x%x", status);
    return text;
}

int exited_with(int status, int code)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}


void serial_histogram(const unsigned char *data, size_t len, unsigned long long hist[256])
{
    memset(hist, 0, 256 * sizeof hist[0]);
    for (size_t i = 0; i < len; i++)
        hist[data[i]]++;
}

int hist_diff(const unsigned long long a[256], const unsigned long long b[256])
{
    for (int v = 0; v < 256; v++)
        if (a[v] != b[v])
            return v;
    return -1;
}

int uid_task_count(void)
{
    DIR *d = opendir("/proc");
    int total = 0;

    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL; ) {
        char path[300], line[256];
        unsigned ruid = ~0u;
        int threads = 0;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        while (fgets(line, sizeof line, f)) {
            sscanf(line, "Uid: %u", &ruid);
            sscanf(line, "Threads: %d", &threads);
        }
        fclose(f);
        if (ruid == (unsigned)getuid())
            total += threads;
    }
    closedir(d);
    return total;
}

long mapping_rss_kb(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[4096];
    long rss = -1;
    int in_it = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end;
        long kb;
        /* A mapping's header starts "start-end perms ... dev:ice"; its fields "Name:". */
        const char *colon = strchr(line, ':'), *space = strchr(line, ' ');
        if (colon && space && colon > space && sscanf(line, "%lx-%lx ", &start, &end) == 2)
            in_it = start == (unsigned long)(uintptr_t)addr;
        else if (in_it && sscanf(line, "Rss: %ld kB", &kb) == 1) {
            rss = kb;
            break;
        }
    }
    fclose(f);
    return rss;
}

int count_shared_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096], perms[8];
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        n += sscanf(line, "%*s %7s", perms) == 1 && perms[3] == 's';
    fclose(f);
    return n;
}

char proc_state(pid_t pid, long *syscall_nr)
{
    char path[64], buf[512];
    char state = '?';

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        char *paren = strrchr(buf, ')');     /* the command name may hold spaces */
        if (paren == NULL || sscanf(paren + 1, " %c", &state) != 1)
            state = '?';
        fclose(f);
    }
    *syscall_nr = -1;
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    if ((f = fopen(path, "r")) != NULL) {
        if (fscanf(f, "%ld", syscall_nr) != 1)
            *syscall_nr = -1;
        fclose(f);
    }
    return state;
}

int proc_children(pid_t pid, pid_t *kids, int max)
{
    char path[64];
    int n = 0;
    long kid;

    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (n < max && fscanf(f, "%ld", &kid) == 1)
        kids[n++] = (pid_t)kid;
    fclose(f);
    return n;
}

int wait_futex_sleep(pid_t pid, int timeout_ms)
{
    long deadline = mm_now_ms() + timeout_ms, nr;

    for (;;) {
        char state = proc_state(pid, &nr);
        if (state == 'S' && (nr == SYS_futex || nr == -1))
            return 1;
        if (mm_now_ms() > deadline)
            return 0;
        mm_sleep_ms(1);
    }
}

int counter_race(struct counter *c, int nprocs, long max_adds, int ms, long *added,
                 atomic_uchar *hits)
{
    struct race { atomic_int go; long added[16]; } *rc = test_shared(sizeof *rc);
    pid_t pids[16];
    int bad = 0;

    for (int i = 0; i < nprocs; i++) {
        pids[i] = mm_fork();
        if (pids[i] == 0) {
            while (!atomic_load(&rc->go))      /* spin: all start together, to race */
                sched_yield();
            long end = mm_now_ms() + ms, k;
            for (k = 0; k < max_adds; k++) {
                long v = counter_add(c, 1);
                if (hits)
                    atomic_fetch_add(&hits[v >= 1 && v <= nprocs * max_adds ? v : 0], 1);
                if (ms > 0 && k % 1024 == 1023 && mm_now_ms() >= end)
                    break;
            }
            rc->added[i] = k < max_adds ? k + 1 : k;
            _exit(0);
        }
    }
    atomic_store(&rc->go, 1);
    *added = 0;
    for (int i = 0; i < nprocs; i++) {
        int status = pids[i] == -1 ? -1 : mm_wait(pids[i], 20000);
        if (!exited_with(status, 0) && bad == 0)
            bad = status;
        *added += rc->added[i];
    }
    munmap(rc, sizeof *rc);
    return bad;
}

/* ---- The histogram ------------------------------------------------------------------- */

void hist_observe(struct hist_seen *o, const void *data, size_t len, int n)
{
    char text[MM_CALL_TEXT];

    snprintf(text, sizeof text, "parallel_histogram(%s, %zu, %d, hist)", data ? "data" : "NULL",
             len, n);
    memset(o->got, 0xff, sizeof o->got);
    o->past_end = HIST_GUARD;
    o->call = MM_CALL_AS(text, parallel_histogram(data, len, n, o->got));
    o->children = mm_count_children();
    o->zombies = mm_count_zombies();
}

void hist_check_bounds(const struct hist_seen *o, size_t len, int n)
{
    MM_CHECK(o->past_end == HIST_GUARD, HINT(S_HIST, "hist has exactly 256 entries, "
             "hist[0] to hist[255]: loop with v < 256"), "parallel_histogram(%s, %zu, %d, "
             "hist) wrote past the end of hist: the 8 bytes after hist[255] changed from "
             "0x%llx to 0x%llx.", len ? "data" : "NULL", len, n, HIST_GUARD, o->past_end);
}

void hist_check(const struct hist_seen *o, const unsigned char *data, size_t len, int n,
                struct mm_hint hint)
{
    unsigned long long want[256];

    MM_CHECK_OK(o->call, hint);
    MM_CHECK(o->call.ret == 0, HINT(S_HIST, "return 0 on success"), "parallel_histogram(data, "
             "%zu, %d, hist) returned %lld, expected 0.", len, n, o->call.ret);
    hist_check_bounds(o, len, n);
    serial_histogram(data, len, want);
    int v = hist_diff(o->got, want);
    MM_CHECK(v == -1, hint, "parallel_histogram(data, %zu, %d, hist): hist[%d] = %llu, a "
             "serial count gives %llu.", len, n, v, v >= 0 ? o->got[v] : 0,
             v >= 0 ? want[v] : 0);
}

/* ---- The ring under load ------------------------------------------------------------- */
#define MPMC_MAXPROCS 8
struct msg_head { uint32_t producer, seq, len, sum; };

struct mpmc_shared {
    atomic_int send_errno, recv_errno;
    atomic_long out_of_order, corrupt;
    atomic_int seen[];                      /* [producer * nmsgs + seq] */
};

static size_t msg_len(int p, int seq, size_t maxlen)
{
    return sizeof(struct msg_head) +
           ((size_t)seq * 7 + (size_t)p * 3) % (maxlen - sizeof(struct msg_head) + 1);
}

static uint32_t msg_sum(const struct msg_head *h, const unsigned char *payload, size_t n)
{
    uint32_t x = 2166136261u ^ h->producer ^ (h->seq << 8) ^ (h->len << 20);
    for (size_t i = 0; i < n; i++)
        x = (x ^ payload[i]) * 16777619u;   /* FNV-1a */
    return x;
}

static void produce(struct ring *r, int p, int nmsgs, size_t maxlen, struct mpmc_shared *sh)
{
    unsigned char buf[1024];

    for (int seq = 0; seq < nmsgs; seq++) {
        struct msg_head h = { (uint32_t)p, (uint32_t)seq, (uint32_t)msg_len(p, seq, maxlen), 0 };
        size_t n = h.len - sizeof h;
        for (size_t i = 0; i < n; i++)
            buf[sizeof h + i] = (unsigned char)(p * 31 + seq * 7 + (int)i);
        h.sum = msg_sum(&h, buf + sizeof h, n);
        memcpy(buf, &h, sizeof h);
        if (ring_send(r, buf, h.len) == -1) {
            atomic_store(&sh->send_errno, errno ? errno : -1);
            _exit(2);
        }
    }
    _exit(0);
}

static void consume(struct ring *r, int nprod, int nmsgs, size_t maxlen, struct mpmc_shared *sh)
{
    unsigned char buf[1024];
    long last[MPMC_MAXPROCS];
    ssize_t n;

    for (int p = 0; p < nprod; p++)
        last[p] = -1;
    while ((n = ring_recv(r, buf, maxlen)) > 0) {
        struct msg_head h;
        if ((size_t)n < sizeof h || (size_t)n > maxlen) {
            atomic_fetch_add(&sh->corrupt, 1);
            continue;
        }
        memcpy(&h, buf, sizeof h);
        if (h.len != (size_t)n || h.producer >= (uint32_t)nprod || h.seq >= (uint32_t)nmsgs ||
            h.sum != msg_sum(&h, buf + sizeof h, (size_t)n - sizeof h)) {
            atomic_fetch_add(&sh->corrupt, 1);
            continue;
        }
        if ((long)h.seq <= last[h.producer])
            atomic_fetch_add(&sh->out_of_order, 1);
        last[h.producer] = h.seq;
        atomic_fetch_add(&sh->seen[h.producer * (uint32_t)nmsgs + h.seq], 1);
    }
    if (n == -1) {
        atomic_store(&sh->recv_errno, errno ? errno : -1);
        _exit(2);
    }
    _exit(0);
}

/* mm_wait against a deadline shared by several children (CLOCK_MONOTONIC ms). */
static int wait_until(pid_t pid, long deadline)
{
    long left = deadline - mm_now_ms();

    return mm_wait(pid, left > 0 ? (int)left : 0);
}

/* Waits for n children, all within one deadline (a hung child must not get its own full
 * timeout each); returns the first status that is not a clean exit, or 0. */
static int wait_all(const pid_t *pids, int n, int timeout_ms)
{
    long deadline = mm_now_ms() + timeout_ms;
    int bad = 0;

    for (int i = 0; i < n; i++) {
        int status = pids[i] == -1 ? -1 : wait_until(pids[i], deadline);
        if (!exited_with(status, 0) && bad == 0)
            bad = status;
    }
    return bad;
}

void ring_mpmc(struct ring *r, int nprod, int ncons, int nmsgs, size_t maxlen,
               struct mpmc_report *rep)
{
    size_t shlen = sizeof(struct mpmc_shared) + (size_t)nprod * (size_t)nmsgs * sizeof(atomic_int);
    struct mpmc_shared *sh = test_shared(shlen);
    pid_t prod[MPMC_MAXPROCS], cons[MPMC_MAXPROCS];

    memset(rep, 0, sizeof *rep);
    for (int c = 0; c < ncons; c++)
        if ((cons[c] = mm_fork()) == 0)
            consume(r, nprod, nmsgs, maxlen, sh);
    for (int p = 0; p < nprod; p++)
        if ((prod[p] = mm_fork()) == 0)
            produce(r, p, nmsgs, maxlen, sh);
    rep->producer_status = wait_all(prod, nprod, 20000);
    /* Closed from a child: if a killed producer left the lock held, ring_close would block
     * the test itself. */
    pid_t closer = mm_fork();
    if (closer == 0)
        _exit(ring_close(r) == 0 ? 0 : 1);
    rep->close_status = closer == -1 ? -1 : wait_until(closer, mm_now_ms() + 5000);
    rep->consumer_status = wait_all(cons, ncons, 10000);
    rep->send_errno = atomic_load(&sh->send_errno);
    rep->recv_errno = atomic_load(&sh->recv_errno);
    rep->out_of_order = atomic_load(&sh->out_of_order);
    rep->corrupt = atomic_load(&sh->corrupt);
    for (long i = 0; i < (long)nprod * nmsgs; i++) {
        int seen = atomic_load(&sh->seen[i]);
        rep->missing += seen == 0;
        rep->duplicated += seen > 1;
    }
    munmap(sh, shlen);
}

const char *mpmc_problem(const struct mpmc_report *rep)
{
    static char text[512];

    if (rep->send_errno || rep->recv_errno)
        snprintf(text, sizeof text, "a %s failed with %s", rep->send_errno ? "ring_send" :
                 "ring_recv", mm_errno_name(rep->send_errno ? rep->send_errno : rep->recv_errno));
    else if (rep->producer_status == -1)
        snprintf(text, sizeof text, "the producers were still blocked after 20 s (a lost "
                 "wake-up: does every ring_recv wake a waiting sender?)");
    else if (!exited_with(rep->close_status, 0))
        snprintf(text, sizeof text, "ring_close, called once the producers were done, %s",
                 status_text(rep->close_status));
    else if (rep->consumer_status == -1)
        snprintf(text, sizeof text, "the consumers were still blocked 10 s after ring_close "
                 "(a lost wake-up: does every ring_send wake a waiting receiver, and "
                 "ring_close all of them?)");
    else if (rep->producer_status || rep->consumer_status)
        snprintf(text, sizeof text, "a %s process %s", rep->producer_status ? "producer" :
                 "consumer", status_text(rep->producer_status ? rep->producer_status :
                                         rep->consumer_status));
    else if (rep->missing || rep->duplicated || rep->out_of_order || rep->corrupt)
        snprintf(text, sizeof text, "%ld message(s) never received, %ld received more than "
                 "once, %ld out of order for their producer, %ld with wrong bytes or length",
                 rep->missing, rep->duplicated, rep->out_of_order, rep->corrupt);
    else
        return NULL;
    return text;
}
