/* classreport.h - what the parts of the class report share: the per-submission results read
 * back from class-data/results/NAME.json (classresult.c), the similarity check (similarity.c), the score
 * figure (classfigure.c) and the page and CSVs (classreport.c). */
#ifndef CLASSREPORT_H
#define CLASSREPORT_H

#include "grader.h"

#define CLASS_DATA "class-data"     /* in --out: results/NAME.json */

/* ---- Results read back (classresult.c) ------------------------------------------------ */
struct cr_test {
    char  *name;            /* suite/name */
    enum tstatus status;
    char  *signal;          /* "SIGSEGV" or NULL */
    int    points, max;
    double seconds;
};

struct cr_lab {
    char   name[8];         /* "lab1" */
    enum labstate state;
    int    score, max;
    double seconds;
    char  *source;          /* text of the graded student file, NULL if there was none */
    struct cr_test *tests;
    size_t ntests;
};

struct cr_sub {
    char  *name;
    int    score, max;
    double seconds;
    struct cr_lab labs[MAX_LABS];
    int    nlabs;
};

/* Reads every result in DIR/class-data/results written with configuration key whose
 * NAME.done marker exists; sorted by name. Returns the count; *stale counts the results of
 * other configurations, left out. */
size_t class_results_load(const char *dir, const char *key, struct cr_sub **subs, int *stale);
void   class_results_free(struct cr_sub *subs, size_t n);
int    class_markers_count(const char *dir);  /* NAME.done files: graded submissions */
const struct cr_lab *cr_lab_of(const struct cr_sub *s, const char *lab);
const char *tstatus_key(enum tstatus st);     /* "passed", "crashed", ... (JSON, CSV) */
const char *labstate_key(enum labstate st);   /* "graded", "build_failed", ... */

/* ---- Similarity (similarity.c) -------------------------------------------------------- */
#define SIM_MIN_RUN      24  /* tokens: sim's default run length between two students */
#define SIM_STARTER_RUN  16  /* shorter for the starter: its function headers count too */
#define SIM_THRESHOLD    50  /* percent: pairs below this are not listed */
#define SIM_SHOWN_PAIRS  25  /* side-by-side views on the page ("top 25"); CSV: every pair */
#define SIM_LISTED_PAIRS 200 /* rows of the page's table (a class of near-copies has many) */

struct sim_run {
    int    a_from, a_to, b_from, b_to;    /* line ranges in each file */
    int    tokens;          /* as sim_c counts them */
    int    own_a, own_b;    /* tokens on lines that are not starter material */
};

struct sim_pair {
    size_t a, b;            /* indexes into the lab's file list */
    long   match_a, match_b;    /* own tokens of a found in b, and of b in a */
    double pct_a, pct_b;    /* match_a / own tokens of a, and the same for b */
    double score;           /* (match_a + match_b) / (own a + own b), percent */
    struct sim_run *runs;
    size_t nruns;
};

struct sim_file {
    const char *name;       /* submission */
    const char *text;       /* the student file */
    int    nlines;
    int   *line_tokens;     /* [1..nlines]: tokens sim_c sees on each line */
    bool  *starter_line;    /* [1..nlines]: line lies in a run shared with the starter */
    long   tokens, own;     /* all tokens, and those not on starter lines */
};

struct sim_lab {
    char  *error;           /* NULL, or why the check could not run */
    struct sim_file *files;
    size_t nfiles;
    struct sim_pair *pairs; /* above the threshold, best first */
    size_t npairs;
    double seconds;
};

/* Compares the texts pairwise with sim_c, the starter's material subtracted. */
void similarity_check(const char *starter, const char *const *names,
                      const char *const *texts, size_t n, struct sim_lab *out);
void similarity_free(struct sim_lab *s);

/* ---- The score figure (classfigure.c) -------------------------------------------------- */
/* An inline SVG histogram of percent scores drawn by gnuplot, its ids prefixed with
 * id_prefix; NULL + *why if it cannot. */
char *class_figure_svg(const int *bins, int nbins, const char *title, const char *id_prefix,
                       char **why);

/* ---- The numbers (classstats.c), CSVs (classcsv.c) and page (classpage.c) ------------ */
#define NBINS        11      /* 0-9 %, ..., 90-99 %, 100 % */
#define TOGETHER_MAX 10      /* pairs of tests failed together shown */
#define SLOWEST_MAX  10

struct test_stat {
    const char *name;
    const struct rubric_row *row;
    int    ran, passed, by_status[T_NOTRUN + 1];
};

struct failure_class {
    char   label[48], detail[32];
    int    subs, tests;
};

struct together {
    const char *a, *b;      /* test names */
    int    both, fa, fb;    /* submissions failing both, and each */
    double jaccard;         /* both / either */
};

struct lab_stat {
    const struct lab *lab;
    int    subs, graded, max_points, bins[NBINS];
    double mean, median;
    int    min, max;
    struct test_stat *tests;
    size_t ntests;
    struct failure_class fails[16];
    int    nfails;
    struct together together[TOGETHER_MAX];
    int    ntogether, together_left_out;
    struct sim_lab sim;
    char  *figure, *figure_why;
};


/* The whole report: per lab, then the submissions slowest first. */
struct class_view {
    const char *dir;        /* the batch's --out directory: class.html and class/ go there */
    struct lab_stat *labs;
    int    nlabs;
    const struct cr_sub *subs;
    size_t n;
    const size_t *slow;     /* indexes into subs, slowest first */
    size_t nslow;
    double median_seconds;
    int    stale;           /* results of another configuration, left out */
    int    unrecorded;      /* .done markers without a result record (older mmgrade) */
};

/* Distribution, pass rate per test (worst first), failure classes, tests failed together. */
void   class_lab_numbers(struct lab_stat *ls, const struct cr_sub *subs, size_t n);
double test_pass_rate(const struct test_stat *t);   /* percent of the runs, 0 if none */
void   class_csvs_write(const struct class_view *v);
void   class_page_write(const struct class_view *v);

#endif /* CLASSREPORT_H */
