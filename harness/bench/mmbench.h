/* mmbench.h - the pieces of mmbench, the benchmark of mmap against read/write: options, the
 * series a workload measures, the round-robin runner, cache control, data files, output.
 * One concept per file: see the file named in each section. */
#ifndef MMBENCH_H
#define MMBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bench_config.h"

/* ---- Options (mmbench.c) ---------------------------------------------------------------- */
enum { WL_SCAN = 1, WL_RANDOM = 2, WL_COPY = 4, WL_IPC = 8, WL_KV = 16, WL_FIO = 32,
       WL_PRESSURE = 64, WL_READERS = 128, WL_ALL = 255 };

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
    int readers;            /* most reader threads (default: the CPUs present) */
    int only;               /* --only given: run FULL-only workloads in a quick run too */
};

/* ---- Series: one method at one size in one cache state (stats.c) ----------------------- */
/* CACHE_LIMIT: the file is bigger than the memory cgroup it is read in, so the cache holds
 * what the limit allows; the resident column is what mincore saw after the point. */
enum cache_state { CACHE_NONE, CACHE_WARM, CACHE_COLD, CACHE_LIMIT };

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
    int count_round;        /* series_count: the round the last sample belongs to */
    double count_sum, per_sum;
    double median, min, max, spread;    /* set by series_finish */
};

struct series_list {
    struct series *v;
    size_t n, cap;
};

struct series *series_add(struct series_list *l, const char *workload, const char *method,
                          int method_index, long size, enum cache_state cache, const char *unit);
void series_finish(struct series *s);           /* median, min, max, spread of the samples */
/* A counter per unit of work (faults per read) as a series: one sample per measured round
 * (round > 0), the sum of count over the sum of per when a sample repeated its method. */
void series_count(struct series *s, int round, double count, double per);
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
    int round;              /* set by the runner: 0 is the warm-up round */
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
struct cgroup;
int run_in_child(const struct cgroup *cg, int (*fn)(void *), void *arg, const char *fail,
                 char *why, size_t whylen);

/* ---- Cleanup on a signal (cleanup.c): files, shm objects, cgroups, processes ----------- */
void cleanup_file(const char *path);            /* unlink it if the run is interrupted */
void cleanup_shm(const char *name);
void cleanup_cgroup(const char *dir);
void cleanup_pid(pid_t pid);                    /* kill it (SIGKILL) if interrupted */
void cleanup_forget(const char *what);          /* done with a path, name or dir */
void cleanup_forget_pid(pid_t pid);
void cleanup_install(void);                     /* SIGINT/SIGTERM: clean up, then die */

/* ---- A memory cgroup, v2 or v1, for the larger-than-memory regime (cgroup.c) --------- */
struct cgroup {
    char dir[256];          /* the cgroup's directory */
    int v2;                 /* 1: cgroup2 (memory.max), 0: v1 (memory.limit_in_bytes) */
    long limit;
};
/* Makes a cgroup limited to limit bytes; -1 with the reason in why (not root, no memory
 * controller...). cgroup_enter moves the calling process into it. */
int  cgroup_make(struct cgroup *cg, long limit, char *why, size_t whylen);
int  cgroup_enter(const struct cgroup *cg);
long cgroup_peak(const struct cgroup *cg);      /* most memory it was charged, -1 unknown */
int  cgroup_remove(struct cgroup *cg);
/* The larger-than-memory setting (wl_pressure.c): a cgroup limited to limit bytes, path
 * evicted and then read in from inside it, so every cached page of it is charged there. */
int  limited_begin(struct cgroup *cg, const char *path, long limit, char *why, size_t len);
void limited_end(struct cgroup *cg, const char *path, long *peak, double *resident);
void page_line_table(const struct datafile *df, int *table);  /* '\n' per 4 KiB page */

/* ---- Counters of the kernel's work (counters.c) --------------------------------------- */
long long tlb_shootdowns(void);                 /* /proc/interrupts TLB line, all CPUs; -1 */
long long faults_self(void);                    /* minor + major page faults of this process */
long long major_faults_self(void);

/* ---- fio, the reference tool, on the same file (fio.c) -------------------------------- */
struct fio_result { double io_bytes, total_ios, runtime_s; };
/* Parses fio's --output-format=json report (text before the first '{' is skipped): 0, or
 * -1 with the reason in why. */
int fio_parse(const char *json, struct fio_result *r, char *why, size_t whylen);
int wl_fio(const struct bench_opts *o, struct datafile *df, struct series_list *l);

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
int wl_kv(const struct bench_opts *o, struct series_list *l);
int wl_pressure(const struct bench_opts *o, struct datafile *df, struct series_list *l);
int wl_readers(const struct bench_opts *o, struct datafile *df, struct series_list *l);

/* ---- The end of a run (report.c): TSV files, summary.tsv, the table on stdout ----------- */
int report(const struct bench_opts *o, struct series_list *l);

#endif /* MMBENCH_H */
