/* mmbench.h - the pieces of mmbench, the benchmark of mmap against read/write: options, the
 * series a workload measures, the round-robin runner, cache control, data files, output.
 * One concept per file: see the file named in each section. */
#ifndef MMBENCH_H
#define MMBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_config.h"

/* ---- Options (mmbench.c) ---------------------------------------------------------------- */
enum { WL_SCAN = 1, WL_RANDOM = 2, WL_COPY = 4, WL_IPC = 8, WL_ALL = 15 };

struct bench_opts {
    int full;               /* full run: every size, more rounds */
    int tiny;               /* self-test run: tiny sizes, short samples (hidden option) */
    int keep;               /* leave the data files in dir at the end */
    int rounds;             /* measured rounds (a warm-up round comes first) */
    long max_size;          /* biggest scan file */
    double min_sample;      /* seconds a sample lasts at least */
    unsigned workloads;     /* WL_* bits */
    const char *dir;        /* where the data files live */
    const char *out;        /* where the TSV files go */
    int tty;                /* stderr is a terminal: progress rewrites one line */
};

/* ---- Series: one method at one size in one cache state (stats.c) ----------------------- */
enum cache_state { CACHE_NONE, CACHE_WARM, CACHE_COLD };

struct series {
    const char *workload;   /* "scan", "random", "copy", "ipc" */
    const char *method;     /* "read-1M", "mmap", "mf_count_lines"... */
    int method_index;       /* order of the methods in tables and plots */
    long size;              /* file size, or message size for ipc */
    enum cache_state cache;
    const char *unit;       /* unit of the samples: "GB/s", "Mops/s", "MB/s" */
    double sample[BC_MAX_ROUNDS];   /* one per measured round, in round order */
    int nsamples;
    double resident;        /* warm: lowest page-cache residency before a sample; cold: highest */
    int rewarms;            /* times a warm file had lost pages and was read in again */
    double cpu_s, wall_s;   /* CPU time (ours + children's) and wall time of all samples:
                               a share below 1 says the machine was busy with others */
    char status[128];       /* "ok", or why it is not plotted ("wrong: 41 lines, expected 42") */
    double median, min, max, spread;    /* set by series_finish */
};

struct series_list {
    struct series *v;
    size_t n, cap;
};

struct series *series_add(struct series_list *l, const char *workload, const char *method,
                          int method_index, long size, enum cache_state cache, const char *unit);
void series_finish(struct series *s);           /* median, min, max, spread of the samples */
int  series_ok(const struct series *s);
int  series_noisy(const struct series *s);
const struct series *series_find(const struct series_list *l, const char *workload,
                                 const char *method, long size, enum cache_state cache);
void series_free(struct series_list *l);
double median_of(double *v, int n);             /* sorts v */
const char *cache_name(enum cache_state c);

/* ---- The runner (rounds.c) -------------------------------------------------------------- */
/* One repetition of a method: returns the seconds of its timed part and the work done in
 * *units (bytes, operations); or -1 with the reason in why (a wrong answer, a failed call).
 * Setup and verification outside the timed part are the op's own business. */
typedef double (*op_fn)(void *arg, int method, double *units, char *why, size_t whylen);

struct point {
    const char *label;      /* progress: "scan warm 16 MiB" */
    void *arg;
    op_fn op;
    int nmethods;
    struct series **series; /* one per method; NULL = method not run at this point */
    const char *path;       /* file whose cache state the runner sets; NULL for none */
    enum cache_state cache;
    double unit_scale;      /* units per second -> the series unit (1e-9 for GB/s) */
};

double now_s(void);                                      /* CLOCK_MONOTONIC seconds */
void run_point(const struct bench_opts *o, struct point *p);
void progress(const struct bench_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void progress_done(const struct bench_opts *o);

/* ---- Page cache (cache.c) ------------------------------------------------------------ */
double cache_residency(const char *path);       /* fraction of pages cached, -1 on error */
int    cache_evict(const char *path);           /* fdatasync + POSIX_FADV_DONTNEED */
int    cache_warm(const char *path);            /* read it all with read(2) */
/* Puts path in state c and checks it with mincore; records what it saw in s.
 * Returns 0, or -1 with the reason in s->status when the state cannot be reached. */
int    cache_prepare(struct series *s, const char *path, enum cache_state c);

/* ---- Data files (datafile.c) ---------------------------------------------------------- */
struct datafile {
    char path[4096];
    long size;                  /* current size of the file */
    unsigned char *pattern;     /* BC_PATTERN_SIZE bytes of text lines, repeated in the file */
    long pattern_lines;         /* '\n' bytes in one pattern block */
};

int  datafile_open(struct datafile *df, const char *dir, const char *name);
int  datafile_resize(struct datafile *df, long size);   /* extend with the pattern or truncate */
long datafile_lines(const struct datafile *df, long size);  /* '\n' in the first size bytes */
long datafile_range_lines(const struct datafile *df, long off, long len);
void datafile_close(struct datafile *df, int keep);

/* ---- Newline counting, the scan kernel every method shares (count.c) ------------------ */
uint64_t count_newlines(const void *buf, size_t len);

/* ---- Running code in other processes (spawn.c, isolate.c) ----------------------------- */
/* fork+exec argv with stdout captured into out (NUL-terminated); returns exit status or -1. */
int run_program(char *const argv[], char *out, size_t outlen);
/* Runs fn(arg) in a child with a timeout; the child's result comes back through a shared
 * page. Returns 0 with *result set, or -1 with why ("killed by SIGSEGV", "timed out"). */
int run_isolated(long long (*fn)(void *), void *arg, long long *result, char *why, size_t whylen);

/* ---- Environment and output (envinfo.c, folio.c, tsv.c) -------------------------------- */
void env_collect(int argc, char **argv, const char *dir);
void env_set(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void env_write(FILE *f);                        /* the '#' header lines */
const char *env_get(const char *key);
void folio_evidence(const char *path, const char *key);     /* adds env key for a cached file */
void folio_anon_evidence(void *addr, size_t len, const char *key);
int  tsv_write(const char *out, const char *name, struct series_list *l);
int  tsv_open(const char *out, const char *name, FILE **f, char *path, size_t pathlen);
const char *fmt_size(long bytes, char *buf, size_t len);    /* "4 KiB", "1 GiB" */

/* ---- Workloads (wl_scan.c, wl_random.c, wl_copy.c, wl_ipc.c) -------------------------- */
struct summary;
int wl_scan(const struct bench_opts *o, struct datafile *df, struct series_list *l);
int wl_random(const struct bench_opts *o, struct datafile *df, struct series_list *l);
int wl_copy(const struct bench_opts *o, struct datafile *df, struct series_list *l);
int wl_ipc(const struct bench_opts *o, struct series_list *l);
int wl_scan_ratio(const struct bench_opts *o, const struct series_list *l);  /* ratio.tsv */

/* ---- The end of a run (report.c): TSV files, summary.tsv, the table on stdout ----------- */
int report(const struct bench_opts *o, struct series_list *l);

#endif /* MMBENCH_H */
