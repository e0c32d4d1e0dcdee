/* ringbench.c - messages per second from one producer process to one consumer process
 * through the shared-memory ring, a pipe and a socketpair, by message size; then the time
 * of 4 processes x 1,000,000 counter_add calls. Medians of interleaved rounds.
 * usage: ringbench [--quick] [--rounds N] [--seconds S] [--tsv]   (build/ringbench after `make` in this directory) */
#include "shared.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Tunables (one place, with the reason) ---------------------------------------------- */
#define RING_CAPACITY   (64 * 1024)     /* the same as a Linux pipe's default buffer */
#define MAX_MSG         4096            /* PIPE_BUF: pipe writes up to it are atomic */
#define COUNTER_PROCS   4
#define COUNTER_ADDS    1000000L
static const size_t sizes[] = { 8, 64, 512, 4096 };
enum { NSIZES = sizeof sizes / sizeof sizes[0], MAX_ROUNDS = 101 };
enum method { RING, PIPE, SOCKETPAIR, NMETHODS };
static const char *method_names[NMETHODS] = { "ring", "pipe", "socketpair" };

/* Shared between the parent and the two children of one sample. */
struct sample {
    atomic_int stop;            /* parent -> producer: finish now */
    long long received;         /* consumer: messages received intact */
    double end;                 /* consumer: CLOCK_MONOTONIC when the last one arrived */
    int bad;                    /* consumer: a message was lost, reordered or damaged */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "ringbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Blocks until the parent closes the write end of go[]: every child starts at once. */
static void wait_for_go(int go[2])
{
    char c;
    close(go[1]);
    while (read(go[0], &c, 1) == -1 && errno == EINTR)
        ;
}

/* ---- Transports: one message each way ------------------------------------------------ */
struct transport {
    enum method m;
    struct ring *ring;
    int fd[2];                  /* pipe: [0] read end; socketpair: both ends */
};

static int send_msg(struct transport *t, const void *msg, size_t len)
{
    if (t->m == RING)
        return ring_send(t->ring, msg, len);
    for (size_t done = 0; done < len; ) {
        ssize_t n = write(t->fd[1], (const char *)msg + done, len - done);
        if (n == -1 && errno != EINTR)
            return -1;
        done += n > 0 ? (size_t)n : 0;
    }
    return 0;
}

/* Returns len, 0 at the end of the stream, -1 on error. */
static ssize_t recv_msg(struct transport *t, void *buf, size_t len)
{
    if (t->m == RING)
        return ring_recv(t->ring, buf, len);
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(t->fd[0], (char *)buf + done, len - done);
        if (n == 0)
            return done == 0 ? 0 : -1;
        if (n == -1 && errno != EINTR)
            return -1;
        done += n > 0 ? (size_t)n : 0;
    }
    return (ssize_t)len;
}

static void end_stream(struct transport *t)
{
    if (t->m == RING)
        ring_close(t->ring);
    else
        close(t->fd[1]);
}

/* Each message carries its sequence number, so the consumer checks order and loss. */
static void produce(struct transport *t, size_t size, struct sample *s, int go[2])
{
    unsigned char msg[MAX_MSG] = { 0 };

    if (t->m != RING)
        close(t->fd[0]);
    wait_for_go(go);
    for (uint64_t seq = 0; !atomic_load_explicit(&s->stop, memory_order_relaxed); seq++) {
        memcpy(msg, &seq, sizeof seq);
        if (send_msg(t, msg, size) == -1)
            _exit(1);
    }
    end_stream(t);
    _exit(0);
}

static void consume(struct transport *t, size_t size, struct sample *s, int go[2])
{
    unsigned char buf[MAX_MSG];
    uint64_t expect = 0, seq;
    ssize_t n;

    if (t->m != RING)
        close(t->fd[1]);
    wait_for_go(go);
    /* A stream has no message boundaries: read exactly size bytes from it. */
    while ((n = recv_msg(t, buf, t->m == RING ? sizeof buf : size)) > 0) {
        memcpy(&seq, buf, sizeof seq);
        if ((size_t)n != size || seq != expect++)
            s->bad = 1;
    }
    s->end = now();
    s->received = (long long)expect;
    _exit(n == 0 && !s->bad ? 0 : 1);
}

static int open_transport(struct transport *t, enum method m)
{
    t->m = m;
    if (m == RING)
        return (t->ring = ring_new(RING_CAPACITY)) == NULL ? -1 : 0;
    if (m == PIPE)
        return pipe(t->fd);
    return socketpair(AF_UNIX, SOCK_STREAM, 0, t->fd);
}

static void close_transport(struct transport *t)
{
    if (t->m == RING) {
        ring_free(t->ring);
    } else {
        close(t->fd[0]);
        close(t->fd[1]);
    }
}

/* ---- One sample: messages per second for seconds of sending -------------------------- */
static double run_sample(enum method m, size_t size, double seconds)
{
    struct sample *s = shared_anon(sizeof *s);
    struct transport t;
    int go[2];
    pid_t pids[2];

    if (s == NULL)
        die("shared_anon");
    if (open_transport(&t, m) == -1)
        die(method_names[m]);
    if (pipe(go) == -1)
        die("pipe");
    for (int i = 0; i < 2; i++) {
        if ((pids[i] = fork()) == -1)
            die("fork");
        if (pids[i] == 0) {
            if (i == 0)
                produce(&t, size, s, go);
            consume(&t, size, s, go);
        }
    }
    close(go[0]);
    double start = now();
    close(go[1]);
    struct timespec pause = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    nanosleep(&pause, NULL);
    atomic_store(&s->stop, 1);
    close_transport(&t);            /* the children hold their own ends */
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) == -1 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            failed = 1;
    }
    double rate = s->received / (s->end - start);
    if (failed) {
        fprintf(stderr, "ringbench: %s, %zu-byte messages: lost, reordered or damaged "
                "messages; no figure for a wrong answer\n", method_names[m], size);
        exit(1);
    }
    shared_free(s, sizeof *s);
    return rate;
}

/* ---- The counter: 4 processes x 1,000,000 adds --------------------------------------- */
static double time_counter(void)
{
    struct counter *c = counter_new();
    pid_t pids[COUNTER_PROCS];
    int go[2];

    if (c == NULL)
        die("counter_new");
    if (pipe(go) == -1)
        die("pipe");
    for (int i = 0; i < COUNTER_PROCS; i++) {
        if ((pids[i] = fork()) == -1)
            die("fork");
        if (pids[i] == 0) {
            wait_for_go(go);
            for (long k = 0; k < COUNTER_ADDS; k++)
                counter_add(c, 1);
            _exit(0);
        }
    }
    close(go[0]);
    double start = now();
    close(go[1]);
    for (int i = 0; i < COUNTER_PROCS; i++)
        waitpid(pids[i], NULL, 0);
    double elapsed = now() - start;
    long got = counter_get(c);
    counter_free(c);
    if (got != COUNTER_PROCS * COUNTER_ADDS) {
        fprintf(stderr, "ringbench: counter: %ld after %d x %ld adds; no figure for a "
                "wrong answer\n", got, COUNTER_PROCS, COUNTER_ADDS);
        exit(1);
    }
    return elapsed;
}

/* ---- Statistics and output ------------------------------------------------------------ */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and returns its median; *spread = (max - min) / median. */
static double median(double *v, int n, double *spread)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *spread = med > 0 ? (v[n - 1] - v[0]) / med : 0;
    return med;
}

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: ringbench [--quick] [--rounds N] [--seconds S] [--tsv]\n"
            "  --quick      3 rounds of 0.05 s per figure (a smoke run, a few seconds)\n"
            "  --rounds N   rounds per figure, 1..%d (default 7); the median is reported\n"
            "  --seconds S  length of one round (default 0.2)\n"
            "  --tsv        tab-separated rows for plotting instead of the table\n",
            MAX_ROUNDS);
    return status;
}

static int version(void)
{
    puts("ringbench (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
}

int main(int argc, char *argv[])
{
    int rounds = 7, tsv = 0;
    double seconds = 0.2;

    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout, 0);
        else if (strcmp(argv[i], "--version") == 0)
            return version();
        else if (strcmp(argv[i], "--quick") == 0)
            rounds = 3, seconds = 0.05;
        else if (strcmp(argv[i], "--tsv") == 0)
            tsv = 1;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = (int)strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = strtod(argv[++i], &end);
        else
            return usage(stderr, 2);
        if ((end && *end != '\0') || rounds < 1 || rounds > MAX_ROUNDS ||
            !(seconds >= 0.01 && seconds <= 60))
            return usage(stderr, 2);
    }
    signal(SIGPIPE, SIG_IGN);       /* a dead consumer must show up as EPIPE, not kill us */

    struct utsname u;
    uname(&u);
    if (tsv)
        printf("size\tmethod\tmedian_msgs_per_s\tmin\tmax\n");
    else
        printf("ringbench: 1 producer + 1 consumer process, median of %d rounds of %.2f s;"
               " %s %s, %ld CPUs\n%6s %16s %16s %16s %10s\n", rounds, seconds, u.sysname,
               u.release, sysconf(_SC_NPROCESSORS_ONLN), "size", "ring msg/s",
               "pipe msg/s", "socketpair msg/s", "ring/pipe");
    for (int k = 0; k < NSIZES; k++) {
        double rate[NMETHODS][MAX_ROUNDS], med[NMETHODS], spread[NMETHODS];
        for (int r = 0; r < rounds; r++)            /* interleaved: drift hits all alike */
            for (int m = 0; m < NMETHODS; m++)
                rate[m][r] = run_sample((enum method)m, sizes[k], seconds);
        for (int m = 0; m < NMETHODS; m++) {
            med[m] = median(rate[m], rounds, &spread[m]);
            if (tsv)
                printf("%zu\t%s\t%.0f\t%.0f\t%.0f\n", sizes[k], method_names[m], med[m],
                       rate[m][0], rate[m][rounds - 1]);
        }
        if (!tsv)
            printf("%4zu B %10.0f ±%2.0f%% %10.0f ±%2.0f%% %10.0f ±%2.0f%% %9.1fx\n",
                   sizes[k], med[RING], 50 * spread[RING], med[PIPE], 50 * spread[PIPE],
                   med[SOCKETPAIR], 50 * spread[SOCKETPAIR], med[RING] / med[PIPE]);
        fflush(stdout);
    }
    double t[MAX_ROUNDS], tspread;
    for (int r = 0; r < rounds; r++)
        t[r] = time_counter();
    double tmed = median(t, rounds, &tspread);
    if (tsv)
        printf("counter\t%d x %ld adds\t%.4f\t%.4f\t%.4f\n", COUNTER_PROCS, COUNTER_ADDS,
               tmed, t[0], t[rounds - 1]);
    else
        printf("counter: %d processes x %ld counter_add: %.3f s (median, ±%.0f%%)\n",
               COUNTER_PROCS, COUNTER_ADDS, tmed, 50 * tspread);
    return 0;
}
