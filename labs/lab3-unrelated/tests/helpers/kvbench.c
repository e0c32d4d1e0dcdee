/* kvbench.c - throughput of a Lab 3 store (a benchmark, never a test): warm kv_get in one
 * process, or puts and gets by several separately started processes on one store.
 * Usage: kvbench [--shm] STORE get [ROUNDS] | mixed SECONDS [START_EPOCH_MS]
 * Two processes: t=$(($(date +%s%3N)+300)); kvbench S mixed 2 $t & kvbench S mixed 2 $t */
#include "kvstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NKEYS    1000       /* keys in the working set: warm in cache, as the lab asks */
#define NSLOTS   4096       /* a quarter full: short probe sequences */
#define VAL_LEN  64
#define ROUND_NS 100000000LL    /* one get round: 100 ms, well above timer noise */

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void key_of(char *key, size_t cap, long i)
{
    snprintf(key, cap, "bench-key-%05ld", i);
}

/* Puts the working set (a no-op for keys already there with this value). */
static int fill(struct kv *kv)
{
    char key[32], val[VAL_LEN];
    for (long i = 0; i < NKEYS; i++) {
        key_of(key, sizeof key, i);
        memset(val, 'a' + (int)(i % 26), sizeof val);
        if (kv_put(kv, key, val, sizeof val) == -1)
            return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* rounds of ~100 ms of kv_get over the working set; prints median, min and max rate. */
static int bench_get(struct kv *kv, int rounds)
{
    char keys[NKEYS][32], buf[KV_VALUE_MAX];
    double rate[64], cpu_rate[64];

    for (long i = 0; i < NKEYS; i++)
        key_of(keys[i], sizeof keys[i], i);
    if (rounds < 1 || rounds > 64)
        rounds = 11;
    for (int r = -1; r < rounds; r++) {             /* round -1 warms up */
        long long n = 0;
        double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), t;
        do {
            for (long i = 0; i < NKEYS; i++, n++)
                if (kv_get(kv, keys[i], buf, sizeof buf) != VAL_LEN)
                    return -1;
        } while ((t = now_s(CLOCK_MONOTONIC) - t0) < ROUND_NS / 1e9);
        if (r >= 0) {
            rate[r] = (double)n / t;
            /* On a busy machine the wall-clock rate includes time spent descheduled. */
            cpu_rate[r] = (double)n / (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
        }
    }
    qsort(rate, (size_t)rounds, sizeof rate[0], cmp_double);
    qsort(cpu_rate, (size_t)rounds, sizeof cpu_rate[0], cmp_double);
    printf("get\t%.0f\tmedian gets/s\t(min %.0f, max %.0f, %d rounds; %.0f per CPU second)\n",
           rate[rounds / 2], rate[0], rate[rounds - 1], rounds, cpu_rate[rounds / 2]);
    return 0;
}

/* Alternates kv_put and kv_get over the working set for seconds, starting at start_ms
 * (wall clock) so that separately started processes measure the same interval. */
static int bench_mixed(struct kv *kv, double seconds, double start_ms)
{
    char keys[NKEYS][32], val[VAL_LEN], buf[KV_VALUE_MAX];
    long long n = 0;
    unsigned x = (unsigned)clock();

    for (long i = 0; i < NKEYS; i++)
        key_of(keys[i], sizeof keys[i], i);
    memset(val, 'm', sizeof val);
    while (start_ms > 0 && now_s(CLOCK_REALTIME) * 1000 < start_ms)
        ;
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), t;
    do {
        for (int j = 0; j < 256; j++, n += 2) {
            x = x * 1103515245u + 12345u;
            const char *key = keys[(x >> 8) % NKEYS];
            if (kv_put(kv, key, val, sizeof val) == -1 || kv_get(kv, key, buf, sizeof buf) < 0)
                return -1;
        }
    } while ((t = now_s(CLOCK_MONOTONIC) - t0) < seconds);
    printf("mixed\t%.0f\tops/s\t(%lld puts+gets in %.2f s, %.2f s of CPU)\n", (double)n / t, n,
           t, now_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
    return 0;
}

int main(int argc, char **argv)
{
    int i = 1, flags = KV_CREATE;

    if (i < argc && strcmp(argv[i], "--shm") == 0)
        flags |= KV_SHM, i++;
    if (argc - i < 2 || (strcmp(argv[i + 1], "get") && strcmp(argv[i + 1], "mixed")) ||
        (strcmp(argv[i + 1], "mixed") == 0 && argc - i < 3)) {
        fprintf(stderr, "usage: kvbench [--shm] STORE get [ROUNDS] | mixed SECONDS "
                "[START_EPOCH_MS]\n");
        return 2;
    }
    const char *store = argv[i];
    struct kv *kv = kv_open(store, NSLOTS, flags);
    if (kv == NULL || fill(kv) == -1) {
        fprintf(stderr, "kvbench: %s: %s\n", store, strerror(errno));
        return 1;
    }
    int rc = strcmp(argv[i + 1], "get") == 0
             ? bench_get(kv, argc - i > 2 ? atoi(argv[i + 2]) : 11)
             : bench_mixed(kv, atof(argv[i + 2]), argc - i > 3 ? atof(argv[i + 3]) : 0);
    if (rc == -1)
        fprintf(stderr, "kvbench: %s: %s\n", store, strerror(errno));
    kv_close(kv);
    return rc == -1 ? 1 : 0;
}
