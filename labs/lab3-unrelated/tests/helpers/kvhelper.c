/* kvhelper.c - the other party in the Lab 3 tests: a separately started program that opens
 * the same store by name (never a forked copy sharing the test's mapping) and writes or
 * checks self-checking values (kvcheck.h). Exit 0 = done, 1 = a check failed (stderr says
 * which), 2 = usage. The tests start it sealed (mm_spawn), which gives it only its standard
 * input and output: with --sync they are the pipes that start programs together.
 * By hand: kvhelper /tmp/s fill 64 k 0 10 */
#include "kvstore.h"
#include "../kvcheck.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* With --sync: write one byte on standard output once the store is open (a creator: just
 * before kv_open), then block until EOF on standard input before going on. */
#define READY_FD 1
#define GO_FD    0

static const char usage[] =
    "usage: kvhelper [--shm] [--sync] STORE fill NSLOTS PREFIX FIRST COUNT |\n"
    "                check PREFIX FIRST COUNT | create NSLOTS KEY | churn NKEYS MILLIS |\n"
    "                crash NKEYS | crashat N KEY | verify\n";

static const char *store;
static int shm_flag, sync_flag;

static int fail(const char *what, const char *key, int err)
{
    fprintf(stderr, "kvhelper: %s: %s%s%s: %s (%s)\n", store, what, key && *key ? " " : "",
            key ? key : "", err ? strerrorname_np(err) : "bad value",
            err ? strerror(err) : "torn or wrong");
    return 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void signal_ready(void)
{
    if (sync_flag && write(READY_FD, "r", 1) != 1)
        _exit(1);
}

static void wait_go(void)
{
    char c;
    if (sync_flag)
        while (read(GO_FD, &c, 1) > 0)
            ;
}

static int put_gen(struct kv *kv, const char *key, uint32_t gen)
{
    unsigned char val[KV_VALUE_MAX];
    size_t len = kvc_make(key, gen, val);
    return kv_put(kv, key, val, len);
}

/* fill/check: keys PREFIX<i> for i in [first, first + count), generation i. */
static int fill_or_check(struct kv *kv, int check, const char *prefix, long first, long count)
{
    char key[KV_KEY_MAX + 1];
    unsigned char val[KV_VALUE_MAX];
    uint32_t gen;

    for (long i = first; i < first + count; i++) {
        snprintf(key, sizeof key, "%s%ld", prefix, i);
        if (!check) {
            if (put_gen(kv, key, (uint32_t)i) == -1)
                return fail("put", key, errno);
            continue;
        }
        ssize_t len = kv_get(kv, key, val, sizeof val);
        if (len == -1)
            return fail("get", key, errno);
        if (kvc_check(key, val, (size_t)len, &gen) != 0 || gen != (uint32_t)i)
            return fail("get", key, 0);
    }
    return 0;
}

#define MAX_KEYS 64
#define NGENS    16     /* values are made ahead: the loops below spend their time in kv_put */

struct value { size_t len; unsigned char bytes[KV_VALUE_MAX]; };
static struct value values[MAX_KEYS][NGENS];

/* Keys PREFIX0.. PREFIX<nkeys-1>, generations first + 0..NGENS-1 of each value. */
static long make_values(char keys[][KV_KEY_MAX + 1], const char *prefix, long nkeys,
                        uint32_t first)
{
    if (nkeys < 1 || nkeys > MAX_KEYS)
        nkeys = MAX_KEYS;
    for (long i = 0; i < nkeys; i++) {
        snprintf(keys[i], KV_KEY_MAX + 1, "%s%ld", prefix, i);
        for (uint32_t g = 0; g < NGENS; g++)
            values[i][g].len = kvc_make(keys[i], first + g, values[i][g].bytes);
    }
    return nkeys;
}

static int put_value(struct kv *kv, const char *key, const struct value *v)
{
    return kv_put(kv, key, v->bytes, v->len);
}

/* Replaces NKEYS keys over and over for millis ms; now and then deletes one and puts it
 * back, so that readers also meet missing keys and re-inserted ones. */
static int churn(struct kv *kv, long nkeys, long millis)
{
    static char keys[MAX_KEYS][KV_KEY_MAX + 1];
    long long end = now_ms() + millis, puts = 0;

    nkeys = make_values(keys, "churn", nkeys, 1);
    signal_ready();
    for (uint32_t gen = 1; now_ms() < end; gen++) {
        for (long i = 0; i < nkeys; i++, puts++)
            if (put_value(kv, keys[i], &values[i][gen % NGENS]) == -1)
                return fail("put", keys[i], errno);
        if (gen % 16 == 0) {
            long i = (long)(gen / 16 % (uint32_t)nkeys);
            if (kv_del(kv, keys[i]) == -1 && errno != ENOENT)     /* another churner's */
                return fail("del", keys[i], errno);
            if (put_value(kv, keys[i], &values[i][gen % NGENS]) == -1)
                return fail("put", keys[i], errno);
        }
    }
    printf("%lld\n", puts);
    return 0;
}

/* Puts and deletes random keys until killed (the test SIGKILLs it at a random moment);
 * stops by itself after 20 s so that it can never outlive a broken test for long. */
static int crash(struct kv *kv, long nkeys)
{
    static char keys[MAX_KEYS][KV_KEY_MAX + 1];
    unsigned x = (unsigned)getpid() * 2654435761u;
    long long end = now_ms() + 20000;

    nkeys = make_values(keys, "crash", nkeys, (uint32_t)getpid() << 8);
    signal_ready();
    for (long n = 0; (n & 1023) || now_ms() < end; n++) {
        x = x * 1103515245u + 12345u;
        long i = (long)(x >> 16) % nkeys;
        if ((x >> 8) % 8 == 0) {
            if (kv_del(kv, keys[i]) == -1 && errno != ENOENT)
                return fail("del", keys[i], errno);
        } else if (put_value(kv, keys[i], &values[i][(x >> 4) % NGENS]) == -1) {
            return fail("put", keys[i], errno);
        }
    }
    return 0;
}

/* ---- crashat: die at a chosen point of a kv_put ---------------------------------------- */
/* The store's mappings are made read-only; each write to a page of them faults once, and
 * the handler lets that page be written (and only that one) until a write to another page.
 * At the Nth such fault the program kills itself: in the middle of kv_put, holding the lock,
 * at the Nth switch from one page of the store to another. */
#define MAX_RANGES 8
static struct { char *lo, *hi; } ranges[MAX_RANGES];
static int nranges;
static long faults, fault_at;
static size_t page;

static void protect_all(int prot)
{
    for (int i = 0; i < nranges; i++)
        mprotect(ranges[i].lo, (size_t)(ranges[i].hi - ranges[i].lo), prot);
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    char *a = si->si_addr;
    int mine = 0;

    (void)ctx;
    for (int i = 0; i < nranges; i++)
        mine |= a >= ranges[i].lo && a < ranges[i].hi;
    if (!mine) {                        /* a real crash: fault again, and die of it */
        signal(sig, SIG_DFL);
        return;
    }
    /* The kernel's robust-list walk at exit writes the lock word: all writable first. */
    if (++faults == fault_at) {
        protect_all(PROT_READ | PROT_WRITE);
        raise(SIGKILL);
    }
    protect_all(PROT_READ);
    mprotect(a - (uintptr_t)a % page, page, PROT_READ | PROT_WRITE);
}

/* The shared mappings of the store's file (or /dev/shm object), from /proc/self/maps. */
static int find_ranges(void)
{
    char want[PATH_MAX + 16], line[PATH_MAX + 256];
    FILE *f = fopen("/proc/self/maps", "r");

    if (shm_flag)
        snprintf(want, sizeof want, "/dev/shm%s", store);
    else if (realpath(store, want) == NULL)
        return -1;
    while (f && fgets(line, sizeof line, f) && nranges < MAX_RANGES) {
        unsigned long lo, hi;
        char perms[8], *path = strchr(line, '/');
        if (path)
            path[strcspn(path, "\n")] = '\0';
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[3] == 's' && path &&
            strcmp(path, want) == 0) {
            ranges[nranges].lo = (char *)lo;
            ranges[nranges++].hi = (char *)hi;
        }
    }
    if (f)
        fclose(f);
    return nranges > 0 ? 0 : -1;
}

/* Exit status 3: the put finished before the Nth page switch. */
static int crash_at(struct kv *kv, long n, const char *key)
{
    struct sigaction sa;

    page = (size_t)sysconf(_SC_PAGESIZE);
    if (find_ranges() == -1) {
        fprintf(stderr, "kvhelper: %s: no shared mapping of the store found\n", store);
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    fault_at = n;
    protect_all(PROT_READ);
    int rc = put_gen(kv, key, 5);
    protect_all(PROT_READ | PROT_WRITE);
    if (rc == -1)
        return fail("put", key, errno);
    return 3;
}

static int count_and_check(const char *key, const void *val, size_t len, void *arg)
{
    long *n = arg;
    if (kvc_check(key, val, len, NULL) != 0) {
        fail("entry", key, 0);
        return 1;
    }
    ++*n;
    return 0;
}

/* After a crash: new operations work and every visible entry is whole. */
static int verify(struct kv *kv)
{
    char probe[KV_KEY_MAX + 1];
    unsigned char val[KV_VALUE_MAX];
    long n = 0;

    snprintf(probe, sizeof probe, "probe%d", (int)getpid());
    if (put_gen(kv, probe, 7) == -1)
        return fail("put", probe, errno);
    int rc = kv_foreach(kv, count_and_check, &n);
    if (rc != 0)
        return rc == -1 ? fail("kv_foreach", "", errno) : 1;
    if ((size_t)n != kv_count(kv)) {
        fprintf(stderr, "kvhelper: %s: kv_count says %zu entries, kv_foreach visited %ld\n",
                store, kv_count(kv), n);
        return 1;
    }
    ssize_t len = kv_get(kv, probe, val, sizeof val);
    if (len == -1)
        return fail("get", probe, errno);
    if (kvc_check(probe, val, (size_t)len, NULL) != 0)
        return fail("get", probe, 0);
    if (kv_del(kv, probe) == -1)
        return fail("del", probe, errno);
    return 0;
}

static int run(struct kv *kv, char **argv, int argc)
{
    const char *cmd = argv[0];

    if (strcmp(cmd, "fill") == 0 && argc == 5)
        return fill_or_check(kv, 0, argv[2], atol(argv[3]), atol(argv[4]));
    if (strcmp(cmd, "check") == 0 && argc == 4)
        return fill_or_check(kv, 1, argv[1], atol(argv[2]), atol(argv[3]));
    if (strcmp(cmd, "create") == 0 && argc == 3) {
        unsigned char val[KV_VALUE_MAX];
        uint32_t gen;
        if (put_gen(kv, argv[2], 1) == -1)
            return fail("put", argv[2], errno);
        ssize_t len = kv_get(kv, argv[2], val, sizeof val);
        if (len == -1)
            return fail("get", argv[2], errno);
        return kvc_check(argv[2], val, (size_t)len, &gen) == 0 && gen == 1 ? 0
               : fail("get", argv[2], 0);
    }
    if (strcmp(cmd, "churn") == 0 && argc == 3)
        return churn(kv, atol(argv[1]), atol(argv[2]));
    if (strcmp(cmd, "crash") == 0 && argc == 2)
        return crash(kv, atol(argv[1]));
    if (strcmp(cmd, "verify") == 0 && argc == 1)
        return verify(kv);
    if (strcmp(cmd, "crashat") == 0 && argc == 3)
        return crash_at(kv, atol(argv[1]), argv[2]);
    fputs(usage, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int i = 1;

    if (i < argc && strcmp(argv[i], "--shm") == 0)
        shm_flag = KV_SHM, i++;
    if (i < argc && strcmp(argv[i], "--sync") == 0)
        sync_flag = 1, i++;
    if (argc - i < 2) {
        fputs(usage, stderr);
        return 2;
    }
    store = argv[i];
    const char *cmd = argv[i + 1];
    size_t nslots = 0;
    int flags = shm_flag;
    if (strcmp(cmd, "fill") == 0 || strcmp(cmd, "create") == 0)
        nslots = argc - i > 2 ? (size_t)atol(argv[i + 2]) : 0;
    if (nslots > 0)
        flags |= KV_CREATE;
    if (strcmp(cmd, "check") == 0)
        flags |= KV_RDONLY;
    /* With --sync: creators start together before kv_open, the others after it; churn
     * and crash say ready themselves, once their values are made. */
    int create = strcmp(cmd, "create") == 0;
    int own_ready = strcmp(cmd, "churn") == 0 || strcmp(cmd, "crash") == 0;
    if (create)
        signal_ready(), wait_go();
    struct kv *kv = kv_open(store, nslots, flags);
    if (kv == NULL)
        return fail("kv_open", "", errno);
    if (!create && !own_ready)
        signal_ready(), wait_go();
    int status = run(kv, argv + i + 1, argc - i - 1);
    if (kv_close(kv) == -1 && status == 0)
        status = fail("kv_close", "", errno);
    return status;
}
