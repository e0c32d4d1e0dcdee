/* grader.h - the types every part of mmgrade shares: labs (from lab.mk), rubric rows, test
 * and lab results, the sandbox interface and the report formats. One concept per .c file:
 * main (CLI), lab, rubric, submission, build, elfcheck, preflight, sandbox, run, calibrate,
 * grade, feedback, report, batch, class*, util. Limits and timeouts: grader-config.h. */
#ifndef GRADER_H
#define GRADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#define MAX_LABS 9
#define MMLABS_VERSION "1.0"      /* printed by every tool's --version */

/* ---- Small utilities (util.c) --------------------------------------------------------- */
struct strv { char **v; size_t n, cap; };   /* a growable vector of owned strings */
void   strv_add(struct strv *sv, const char *s);
void   strv_addf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void   strv_split(struct strv *sv, const char *words);   /* adds each blank-separated word */
bool   strv_has(const struct strv *sv, const char *s);
void   strv_free(struct strv *sv);

struct buf { char *p; size_t len, cap; };   /* a growable byte buffer, always NUL-terminated */
void   buf_add(struct buf *b, const void *data, size_t len);
void   buf_puts(struct buf *b, const char *s);
void   buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char  *buf_take(struct buf *b);             /* returns the string; b is empty afterwards */

void  *xmalloc(size_t n);
void  *xcalloc(size_t n, size_t size);
void  *xrealloc(void *p, size_t n);
char  *xstrdup(const char *s);
char  *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void   die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void   warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A grader error (the grader's fault, never the student's): printed on stderr now and kept
 * in errors, whose owner (a lab's setup, a lab's result) reports it; --strict makes it exit 1. */
void   grader_error(struct strv *errors, const char *fmt, ...)
       __attribute__((format(printf, 2, 3)));
double now_seconds(void);                   /* CLOCK_MONOTONIC */
char  *read_file(const char *path, size_t max, size_t *len);  /* NULL + errno on error */
int    write_file_atomic(const char *path, const char *data, size_t len);
struct cJSON;
/* Writes root as JSON (indented when pretty) to path atomically; warns and returns -1 if it
 * cannot. root stays the caller's. */
int    json_save(const char *path, const struct cJSON *root, bool pretty);
double json_number(const struct cJSON *o, const char *name);   /* 0 when absent */
int    copy_file(const char *src, const char *dst, mode_t mode);
int    mkdirs(const char *path, mode_t mode);
int    remove_tree(const char *path);       /* never follows symlinks; 0 or -1 */
bool   path_is_under(const char *path, const char *dir);
char  *first_lines(const char *text, int nlines, size_t maxbytes, bool *cut);
void   sanitize_text(char *s);              /* control bytes except \n \t become '?' */
char  *name_key(const char *raw);           /* a name as printable UTF-8, injectively */
bool   color_wanted(int fd);                /* a terminal, NO_COLOR unset, TERM not dumb */
bool   has_suffix(const char *s, const char *suffix);

/* ---- Options (main.c parses them and passes them on: no module reads a global) --------- */
enum format { FMT_TEXT, FMT_GRADESCOPE, FMT_AUTOLAB, FMT_JUNIT, FMT_CSV };

struct config {
    char  *root;            /* the repository or student kit: labs/, harness/ */
    char  *cache;           /* compiled harness objects (build/grader-cache) */
    bool   lab_selected[MAX_LABS + 1];
    enum format format;
    int    jobs;
    char  *out;             /* batch output directory, NULL: report on stdout */
    bool   force, public_only, keep, strict, color;
    bool   progress;        /* per-lab lines and the summary on stderr (a person reads it) */
    const char *hidden_visibility;   /* Gradescope visibility of hidden tests */
    bool   each_test;       /* every test in its own run (default: one run, then re-runs) */
    double test_timeout;    /* wall seconds per test run */
    double lab_timeout;     /* wall seconds for all tests of one lab */
    int    isolation;       /* ISO_AUTO, ISO_BWRAP, ISO_PLAIN */
    int    verbose;
};

/* ---- Labs and rubric (lab.c, rubric.c) ------------------------------------------------ */
struct rubric_row {
    char *test;             /* suite/name */
    int   points;
    bool  hidden;
    char *section;          /* "lab1: Mapping a range (mf_map)" */
    char *hint;
};

struct lab {
    int    num;
    char   name[8];         /* "lab1" */
    const char *root;       /* the tree it was loaded from: the paths below are relative to it */
    const char *cache;      /* the tree's compiled harness objects (build/grader-cache) */
    bool   selected;        /* asked for by --lab */
    char  *dir;             /* labs/lab1-fileio, relative to the root */
    char  *file, *header;   /* mapfile.c, mapfile.h */
    struct strv api, tools, helpers, ldlibs;
    struct strv tests;      /* test sources, relative to the root: public ones first */
    size_t npublic;         /* how many of them are public (from labs/DIR/tests) */
    bool   has_hidden;      /* private tests are part of this run */
    struct rubric_row *rows;
    size_t nrows;
    int    max_points;
    char  *skip;            /* non-NULL: why the lab is not graded */
    struct strv errors;     /* grader errors of its setup (rubric, calibration) */
    /* compiled harness side (build.c) */
    struct strv public_objs, hidden_objs;  /* each test binary's objects: its tests, the
                                               lab's test utilities, the test layer */
    struct strv prog_names, prog_objs;   /* tools and helpers, parallel vectors */
    /* CPU seconds per test of the reference solution on this machine (calibrate.c) */
    struct strv cal_names;
    double *cal_cpu;
    int    *cal_lines;      /* report lines per test (one per parameter) */
    int    *cal_busy;       /* processes that used CPU at once: > 1 is a contended test */
    double cal_margin;      /* > 1: measured on another machine (a hosted grader's package) */
    bool   calibrated;
};

/* Loads every lab of the tree at root (private tests too unless public_only); returns how
 * many it found. None is selected yet. */
int  labs_load(const char *root, const char *cache, bool public_only, struct lab *labs, int max);
/* Selected and gradable: what this run grades. */
static inline bool lab_graded(const struct lab *lab) { return lab->selected && !lab->skip; }
int  rubric_load(struct lab *lab);                   /* 0 or -1 (message printed) */
const struct rubric_row *rubric_find(const struct lab *lab, const char *test);
struct lab_result;
/* The rubric turns verdicts into points: each test its row's points if it passed, else 0
 * (a test without a row is worth 0); r's score out of the lab's maximum. */
void rubric_score(const struct lab *lab, struct lab_result *r);

/* ---- Results --------------------------------------------------------------------------- */
/* A test that ends early (exit in the student's code) is failed, with the test layer's
 * message saying so: no verdict of its own. */
enum tstatus { T_PASSED, T_FAILED, T_CRASHED, T_TIMEOUT, T_NOREPORT, T_NOTRUN };

struct test_result {
    char  *name;            /* suite/name */
    const struct rubric_row *row;   /* NULL: test not in the rubric (grader error) */
    int    points, max;
    bool   hidden;
    enum tstatus status;
    char  *signal;          /* "SIGBUS" or NULL */
    int    exit_code;
    double seconds;
    struct strv messages;   /* assertion messages (not shown for hidden tests) */
    char  *output;          /* first bytes of what the test printed */
    size_t output_total;
    bool   output_cut;
    char  *note;            /* why it was not run, or what the grader saw */
    bool   cpu_stopped;     /* the grader killed its code over the CPU budget */
};

enum labstate { L_GRADED, L_MISSING, L_REJECTED, L_BUILD_FAILED, L_SKIPPED };

struct lab_result {
    struct lab *lab;
    enum labstate state;
    char  *source;          /* where the student file was found, inside the submission */
    char  *message;         /* compile errors, rejection reason, notes */
    struct test_result *tests;
    size_t ntests;
    int    score, max;
    double seconds;
    struct strv errors;     /* grader errors while grading it: each message */
};

struct grade {
    char  *path;            /* as given on the command line */
    char  *name;            /* report name: basename without the archive extension */
    struct lab_result labs[MAX_LABS];
    int    nlabs;
    int    score, max;
    const char *isolation;
    struct strv notes;      /* submission-level messages (extraction, duplicates) */
    double seconds;
    bool   failed;          /* the grader itself failed on this submission */
};

/* ---- Submission (submission.c) --------------------------------------------------------- */
/* Finds the student files of the graded labs in path (directory or archive), copies each
 * into scratch/<lab>/src. found[i] is the path inside the submission or NULL. Messages for
 * the student go to g->notes; the grader's own failures exit (die). */
void submission_collect(const char *path, const char *scratch, struct lab *labs, int nlabs,
                        char **found, struct grade *g);
char *submission_fingerprint(const char *path);
char *submission_name(const char *path);

/* ---- Build (build.c, elfcheck.c) ------------------------------------------------------- */
/* Compiles (or reuses) the harness side, jobs compilers at a time; 0 or -1. */
int  harness_build(struct lab *lab, int jobs, bool verbose);
/* Compiles, checks and links the student file of lab in scratch/<lab>; on success
 * *bindir is the directory holding run, tools and helpers. Returns 0, or sets
 * r->state and r->message and returns -1. */
int  student_build(struct lab *lab, const char *labdir, struct lab_result *r, char **bindir);
/* Links bindir/run: the public tests, or the hidden ones (linked only once the public tests
 * have run, so that student code in the public run cannot read the hidden tests). Returns 0,
 * or -1 with *err set (a grader error: the student object was already checked). */
int  student_link_tests(const struct lab *lab, const char *bindir, bool hidden, char **err);

struct elf_info {
    struct strv sections;   /* names */
    struct strv bad_sections;
    struct strv ifuncs;
    struct strv undefined;  /* global undefined symbols */
    struct strv defined;    /* global defined symbols */
    struct strv defined_funcs;
};
int  elf_inspect(const char *path, struct elf_info *info, char *err, size_t errlen);
void elf_info_free(struct elf_info *info);

/* ---- Sandbox (sandbox.c) --------------------------------------------------------------- */
enum { ISO_AUTO, ISO_BWRAP, ISO_PLAIN };

struct sbx_job {
    char *const *argv;      /* argv[0] is an absolute path */
    const char *cwd;        /* host directory, writable by the sandbox uid; NULL: private */
    struct strv ro, rw;     /* host paths bound at the same place (bwrap) */
    int    report_fd;       /* >= 0: the child gets a pipe there, MMTEST_REPORT_FD set */
    size_t out_keep;        /* bytes of stdout+stderr kept */
    double wall;            /* seconds */
    double idle;            /* > 0: also stop after this long without a report line */
    rlim_t cpu, as, fsize, nofile, nproc;
    const char *stdin_path; /* NULL: /dev/null */
    const char *tmpdir;     /* TMPDIR outside bubblewrap (NULL: cwd) */
    const char *disk_dir;   /* host directory on the grader's disk, bound read-write and
                               named in MMTEST_DISK_DIR: the sandbox's /tmp is a tmpfs,
                               where msync has nothing to write back (NULL: none) */
    bool   trusted;         /* our own tools on our own files: no sandbox, no uid change */
    /* > 0: CPU seconds all processes of the command may use in one report window (from the
     * start or a complete report line to the next: one test); above it the process using
     * the most CPU is killed. window_budget, if set, is told each line, the CPU seconds its
     * window used and how many processes used CPU at once, and gives the next budget. */
    double window_cpu;
    double (*window_budget)(void *ctx, const char *line, double used, int busy);
    void  *window_ctx;
};

#define SBX_MAX_KILLS 64

struct sbx_result {
    int    status;          /* wait status of the sandboxed command (-1: not started) */
    bool   timed_out;
    char  *out;             /* first out_keep bytes of stdout+stderr */
    size_t out_total;
    bool   out_cut;
    char  *report;          /* everything written to the report fd */
    size_t report_len;
    double seconds;
    char  *setup_error;     /* the grader's own setup failed (not the command): why */
    bool   tmpfs_full;      /* stopped: it held too much in the shared temporary dirs */
    int    ncpu_kills;      /* processes killed over the window's CPU budget */
    size_t cpu_kill_at[SBX_MAX_KILLS];  /* report length at each kill: the next line names
                                           the test that was running */
};

/* Once, before any sbx_run: takes a free sandbox uid, chooses the isolation (ISO_AUTO:
 * bubblewrap if it works here), sizes the /tmp of each of jobs sandboxes, and hides the tree
 * at root from them. */
void sbx_init(int isolation, int jobs, const char *root);
void sbx_take_uid(void);             /* in a batch worker: a sandbox uid of its own */
const char *sbx_isolation(void);     /* for reports: "bubblewrap (...)", "plain: ..." */
/* True if a command run without .cwd works in a private home of its own (bubblewrap: a
 * directory on the sandbox's own /tmp); false if it needs a host directory as .cwd. */
bool sbx_private_home(void);
uid_t sbx_uid(void);                 /* uid the sandboxed commands run as */
int  sbx_own(const char *path);      /* chown a scratch dir to the sandbox uid */
int  sbx_run(const struct sbx_job *job, struct sbx_result *res);
void sbx_result_free(struct sbx_result *res);
void sbx_cleanup_strays(void);       /* kill and reap everything of the sandbox uid */
extern volatile int sbx_interrupted; /* SIGINT/SIGTERM seen */

/* ---- Running tests (run.c, calibrate.c) and feedback (feedback.c) ---------------------- */
/* Runs the lab's tests (bindir/run) into r, scored by the rubric. measuring: the reference
 * is being calibrated: each test's CPU time goes to lab->cal_*, no budget is enforced. */
int  run_lab_tests(struct lab *lab, const char *bindir, const char *workroot,
                   const struct config *o, bool measuring, struct lab_result *r);
/* Per-test CPU budgets from the reference's CPU time on this machine (cached in the grader
 * cache); without a reference in the tree, a fixed budget per test. */
void calibrate_lab(struct lab *lab, const struct config *o);
double test_cpu_budget(const struct lab *lab, const char *test);
int    test_report_lines(const struct lab *lab, const char *test);
void lab_result_not_run(struct lab_result *r, const char *why);
void lab_result_free(struct lab_result *r);
const char *status_word(enum tstatus st);
const char *signal_hint(const char *sig);

/* ---- Grading one submission and reporting (grade.c, report.c) -------------------------- */
int  grade_submission(const char *path, struct lab *labs, int nlabs, const struct config *o,
                      struct grade *g);
void grade_free(struct grade *g);
size_t grade_error_count(const struct grade *g);   /* grader errors of all its labs */
/* How a report is written: its format, colour (text), when Gradescope shows hidden tests. */
struct report_style {
    enum format format;
    bool   color;
    const char *hidden_visibility;
};
char *report_render(const struct grade *g, const struct report_style *style);
char *csv_header(const struct lab *labs, int nlabs);
char *csv_row(const char *name, const int *scores, int nlabs, int total);
char *csv_name(const char *name);       /* the name as a CSV field */
const char *format_extension(enum format fmt);

/* ---- Checks that the sandbox can work here (preflight.c) ---------------------------- */
/* Exits 1 with the cause and the path when the sandbox uid cannot reach the scratch
 * directory or the compiler, or cannot run it there: a grader error, never a zero. */
void preflight_sandbox(void);

/* ---- Batch (batch.c) ------------------------------------------------------------------ */
/* Grades each path in its own worker; 1 if one failed, was interrupted, or (o->strict) met a
 * grader error; else 0. */
int  batch_run(char **paths, int npaths, struct lab *labs, int nlabs, const struct config *o);

/* ---- Class report (classresult.c, classreport.c, similarity.c, classfigure.c) ---------- */
/* Batch mode keeps DIR/class-data/: each result and a copy of the graded files (0 or -1); after
 * each run rewrites DIR/class.html and its CSVs from every result of configuration key. */
int  class_result_save(const char *dir, const char *name, const char *stem, const char *path,
                       const char *key, const struct grade *g, struct lab *labs, int nlabs);
void class_report_write(const char *dir, struct lab *labs, int nlabs, const char *key);

#endif /* GRADER_H */
