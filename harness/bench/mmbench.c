/* mmbench.c - times mmap against read/write (scan, random reads, copy; many readers and a
 * file larger than memory in a full run), cross-checked with fio, Lab 2's ring against pipes
 * and Lab 3's store against a socket server and SQLite, with the cache state checked, and
 * writes TSV for gnuplot plus a summary.
 * Run: build/bin/mmbench [--quick | --full] [--dir DIR] [--out DIR]   (make bench / make plot)
 * Method, options and thresholds: bench_config.h and `mmbench --help`. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbench.h"

#ifndef MMBENCH_MAPFILE
#define MMBENCH_MAPFILE "mapfile.c"
#endif

static const char *usage =
    "usage: mmbench [options]\n"
    "  --quick         sizes 4K, 64K, 1M, 16M, 256M, 1G; 11 rounds; ~2.5 minutes (default)\n"
    "  --full          every size 4K..1G doubling; 15 rounds; the fio cross-check, many readers\n"
    "                  and larger than memory (as root); ~15 minutes\n"
    "  --dir DIR       where the data files go (default build/bench/data; needs 1.3 GiB)\n"
    "  --out DIR       where the TSV files go (default build/bench)\n"
    "  --only LIST     workloads, comma-separated: scan,random,copy,ipc,kv,fio,readers,\n"
    "                  pressure (default all; fio, readers and pressure only with --full)\n"
    "  --readers N     most reader threads (default: the CPUs present, at least 2)\n"
    "  --rounds N      measured rounds (default 11 quick, 15 full; at least 11 is wise)\n"
    "  --max-size N    biggest file in bytes (K, M, G suffixes; default 1G)\n"
    "  --keep          leave the data files in DIR at the end\n"
    "  -h, --help      this text\n"
    "  --version       the version\n";

static long parse_size(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*end == 'K' || *end == 'k')
        v <<= 10, end++;
    else if (*end == 'M' || *end == 'm')
        v <<= 20, end++;
    else if (*end == 'G' || *end == 'g')
        v <<= 30, end++;
    return *end || v < BC_MIN_SIZE ? -1 : v;
}

static unsigned parse_workloads(char *list)
{
    static const char *const names[] = { "scan", "random", "copy", "ipc", "kv", "fio",
                                         "pressure", "readers" };
    unsigned w = 0;

    for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
        int i;

        for (i = 0; i < 8 && strcmp(t, names[i]) != 0; i++)
            ;
        if (i == 8)
            return 0;
        w |= 1u << i;
    }
    return w;
}

static int parse_options(int argc, char **argv, struct bench_opts *o)
{
    static const struct option longopts[] = {
        { "quick", no_argument, NULL, 'q' },    { "full", no_argument, NULL, 'f' },
        { "dir", required_argument, NULL, 'd' }, { "out", required_argument, NULL, 'o' },
        { "only", required_argument, NULL, 'w' }, { "rounds", required_argument, NULL, 'r' },
        { "max-size", required_argument, NULL, 'm' }, { "keep", no_argument, NULL, 'k' },
        { "tiny", no_argument, NULL, 't' },     /* self-test only: not in --help */
        { "readers", required_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },     { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int c, rounds = 0;

    *o = (struct bench_opts){ .max_size = BC_MAX_SIZE, .min_sample = BC_MIN_SAMPLE_S,
                              .workloads = WL_ALL, .dir = "build/bench/data",
                              .out = "build/bench", .tty = isatty(STDERR_FILENO),
                              .readers = cpus < 2 ? 2 : cpus > BC_READERS_MAX
                                       ? BC_READERS_MAX : (int)cpus };
    /* The progress line is redrawn with an erase-line escape, which TERM=dumb lacks. */
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        o->tty = 0;
    argv[0] = "mmbench";                /* getopt's messages name the program, not its path */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'q': o->full = 0; break;
        case 'f': o->full = 1; break;
        case 'd': o->dir = optarg; break;
        case 'o': o->out = optarg; break;
        case 'k': o->keep = 1; break;
        case 't': o->tiny = 1; break;
        case 'r': rounds = atoi(optarg); break;
        case 'R':
            o->readers = atoi(optarg);
            if (o->readers < 1 || o->readers > BC_READERS_MAX)
                return fprintf(stderr, "mmbench: --readers: 1..%d\n", BC_READERS_MAX), -1;
            break;
        case 'w':
            o->only = 1;
            if ((o->workloads = parse_workloads(optarg)) == 0)
                return fprintf(stderr, "mmbench: --only: unknown workload in the list\n"), -1;
            break;
        case 'm':
            if ((o->max_size = parse_size(optarg)) == -1)
                return fprintf(stderr, "mmbench: --max-size: %s: not a size >= 4K\n", optarg), -1;
            break;
        case 'h': fputs(usage, stdout); exit(0);
        case 'V': puts("mmbench (mmap-labs) 1.0"); exit(0);
        default: return -1;
        }
    }
    if (optind < argc)
        return fprintf(stderr, "mmbench: %s: unexpected argument\n", argv[optind]), -1;
    if (o->tiny) {
        o->max_size = o->max_size < (1L << 20) ? o->max_size : 1L << 20;
        o->min_sample = BC_TINY_SAMPLE_S;
    }
    o->rounds = rounds ? rounds : o->full ? BC_ROUNDS_FULL : BC_ROUNDS_QUICK;
    if (o->rounds < 1 || o->rounds > BC_MAX_ROUNDS)
        return fprintf(stderr, "mmbench: --rounds: 1..%d\n", BC_MAX_ROUNDS), -1;
    return 0;
}

static int make_dirs(const char *path)
{
    char buf[4096];

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;

            *p = '\0';
            if (mkdir(buf, 0755) == -1 && errno != EEXIST) {
                fprintf(stderr, "mmbench: %s: cannot create: %s\n", buf, strerror(errno));
                return -1;
            }
            if ((*p = c) == '\0')
                return 0;
        }
    }
}

/* mmbench --fio-json FILE (self-test only): what fio_parse reads in a saved fio report. */
static int parse_fio_file(const char *path)
{
    static char json[BC_FIO_OUTPUT];
    struct fio_result r;
    char why[160];
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return fprintf(stderr, "mmbench: %s: %s\n", path, strerror(errno)), 1;
    n = fread(json, 1, sizeof(json) - 1, f);
    json[n] = '\0';
    fclose(f);
    if (fio_parse(json, &r, why, sizeof(why)) == -1)
        return fprintf(stderr, "mmbench: %s: %s\n", path, why), 1;
    printf("io_bytes %.0f total_ios %.0f runtime_s %.3f\n", r.io_bytes, r.total_ios,
           r.runtime_s);
    return 0;
}

/* Many readers and the larger-than-memory regime read the disk for minutes, and the fio
 * cross-check adds half a minute: a full run, a self-test run, or asked for by name. */
static int slow_ok(const struct bench_opts *o, unsigned w, const char *key)
{
    if (!(o->workloads & w))
        return 0;
    if (o->full || o->tiny || o->only)
        return 1;
    env_set(key, "not run: a quick run (make plot FULL=1 runs it, as root)");
    return 0;
}

/* The workloads that read the data file, in an order that resizes it least. */
static int file_workloads(const struct bench_opts *o, struct datafile *df,
                          struct series_list *l, double *t)
{
    long big = o->tiny ? BC_PRESSURE_TINY : BC_PRESSURE_FILE;
    int rc = 0;

    t[0] = now_s();
    if ((o->workloads & WL_SCAN) && wl_scan(o, df, l) == -1)
        rc = 1;
    t[1] = now_s();
    if (rc == 0 && (o->workloads & (WL_RANDOM | WL_FIO)) && df->size != o->max_size &&
        datafile_resize(df, o->max_size) == -1)
        rc = 1;
    if (rc == 0 && (o->workloads & WL_RANDOM))
        rc = wl_random(o, df, l) == -1;
    if (rc == 0 && slow_ok(o, WL_FIO, "fio"))
        rc = wl_fio(o, df, l) == -1;
    t[2] = now_s();
    if (rc == 0 && (slow_ok(o, WL_READERS, "readers") | slow_ok(o, WL_PRESSURE, "pressure"))) {
        if (df->size != big && datafile_resize(df, big) == -1)
            rc = 1;
        if (rc == 0 && (o->workloads & WL_READERS))
            rc = wl_readers(o, df, l) == -1;
        if (rc == 0 && (o->workloads & WL_PRESSURE))
            rc = wl_pressure(o, df, l) == -1;
    }
    t[3] = now_s();
    if (rc == 0 && (o->workloads & WL_COPY))
        rc = wl_copy(o, df, l) == -1;
    t[4] = now_s();
    if (rc && errno)
        fprintf(stderr, "mmbench: %s: %s\n", df->path, strerror(errno));
    return rc;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    struct series_list l = { 0 };
    struct datafile df;
    double t[7];
    int rc = 0;

    if (argc == 3 && strcmp(argv[1], "--fio-json") == 0)
        return parse_fio_file(argv[2]);
    if (parse_options(argc, argv, &o) == -1) {
        fputs(usage, stderr);
        return 2;
    }
    if (make_dirs(o.dir) == -1 || make_dirs(o.out) == -1)
        return 1;
    env_collect(argc, argv, o.dir);
    env_set("mode", "%s, %d rounds after a warm-up round, samples >= %.0f ms, methods "
            "interleaved round-robin in a new shuffled order each round",
            o.tiny ? "tiny (self-test: not a measurement)" : o.full ? "full" : "quick",
            o.rounds, o.min_sample * 1e3);
    env_set("run", "%s, %d rounds", o.tiny ? "tiny self-test run (not a measurement)" :
            o.full ? "full run" : "quick run", o.rounds);
    env_set("rounds", "%d", o.rounds);
    env_set("implementation", "mf_count_lines and mf_copy from %s", MMBENCH_MAPFILE);
    if (datafile_open(&df, o.dir, "mmbench-data.txt") == -1) {
        fprintf(stderr, "mmbench: %s/mmbench-data.txt: cannot create: %s\n", o.dir,
                strerror(errno));
        return 1;
    }
    cleanup_file(df.path);
    {
        char copy[4300];

        snprintf(copy, sizeof(copy), "%s.copy", df.path);
        cleanup_file(copy);
    }
    cleanup_install();
    errno = 0;
    rc = file_workloads(&o, &df, &l, t);
    datafile_close(&df, o.keep);
    if (rc == 0 && (o.workloads & WL_IPC))
        rc = wl_ipc(&o, &l) == -1;
    t[5] = now_s();
    if (rc == 0 && (o.workloads & WL_KV))
        rc = wl_kv(&o, &l) == -1;
    t[6] = now_s();
    env_set("elapsed", "scan %.0f s, random+fio %.0f s, readers+pressure %.0f s, copy %.0f s, "
            "ipc %.0f s, kv %.0f s, total %.0f s", t[1] - t[0], t[2] - t[1], t[3] - t[2],
            t[4] - t[3], t[5] - t[4], t[6] - t[5], t[6] - t[0]);
    if (rc == 0)
        rc = report(&o, &l) == -1;
    series_free(&l);
    return rc;
}
