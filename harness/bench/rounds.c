/* rounds.c - the round-robin runner: a warm-up round, then every method once per round in a
 * freshly shuffled order (so no method always follows the same neighbour, whose leftovers it
 * would pay for), each sample repeating its method until it lasted BC_MIN_SAMPLE_S. A method
 * that gives a wrong answer once is dropped from the point: correctness gates performance. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>

#include "mmbench.h"

double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds used so far by this process and its waited-for children */
static double cpu_s(void)
{
    struct rusage self, kids;

    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
           kids.ru_stime.tv_sec + (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
                                   kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) * 1e-6;
}

void progress(const struct bench_opts *o, const char *fmt, ...)
{
    va_list ap;

    fputs(o->tty ? "\r\033[Kmmbench: " : "mmbench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (!o->tty)
        fputc('\n', stderr);
    fflush(stderr);
}

void progress_done(const struct bench_opts *o)
{
    if (o->tty)
        fputs("\r\033[K", stderr);
}

/* One sample: repetitions until their timed parts add up to min_sample seconds. A cold
 * sample evicts (and checks) the file before every repetition, a warm one checks it once. */
static int sample(const struct bench_opts *o, struct point *p, int m, int warmup, double *rate)
{
    struct series *s = p->series[m];
    double spent = 0, units = 0, wall0 = now_s(), cpu0 = cpu_s();

    if (p->path && p->cache == CACHE_WARM && cache_prepare(s, p->path, CACHE_WARM) == -1)
        return -1;
    do {
        double u = 0, t;

        if (p->path && p->cache == CACHE_COLD && cache_prepare(s, p->path, CACHE_COLD) == -1)
            return -1;
        t = p->op(p->arg, m, &u, s->status, sizeof(s->status));
        if (t < 0)
            return -1;
        spent += t;
        units += u;
    } while (!warmup && spent < o->min_sample);   /* warming up needs one repetition */
    *rate = units / spent * p->unit_scale;
    if (!warmup) {
        s->cpu_s += cpu_s() - cpu0;
        s->wall_s += now_s() - wall0;
    }
    return 0;
}

/* Fisher-Yates with xorshift64: the same orders on every run, a new order every round. */
static void shuffle(int *order, int n, uint64_t *x)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j, t;

        *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
        j = (int)(*x % (uint64_t)(i + 1));
        t = order[i], order[i] = order[j], order[j] = t;
    }
}

void run_point(const struct bench_opts *o, struct point *p)
{
    uint64_t seed = 0x853c49e6748fea9bULL;
    int order[64];

    for (int round = 0; round <= o->rounds; round++) {
        p->round = round;
        shuffle(order, p->nmethods, &seed);
        if (round == 0)
            progress(o, "%s warm-up", p->label);
        else if (o->tty)                /* a log gets one line per point, a terminal more */
            progress(o, "%s round %d/%d", p->label, round, o->rounds);
        for (int k = 0; k < p->nmethods; k++) {
            int m = order[k];
            struct series *s = p->series[m];
            double rate;

            if (s == NULL || !series_ok(s))
                continue;
            if (sample(o, p, m, round == 0, &rate) == -1) {
                if (series_ok(s))               /* an op failing says why; never leave "ok" */
                    snprintf(s->status, sizeof(s->status), "failed without a reason");
                continue;
            }
            if (round > 0)                      /* round 0 warms caches, branch predictors... */
                s->sample[s->nsamples++] = rate;
        }
    }
    for (int m = 0; m < p->nmethods; m++)
        if (p->series[m])
            series_finish(p->series[m]);
}
