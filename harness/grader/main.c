/* main.c - mmgrade, the mmap-labs grader: takes the student files from each submission,
 * builds them against the harness's tests, runs every test sandboxed and reports points per
 * the rubric. Run `mmgrade --help`; `make grade SUB=path` grades one submission. */
#include "grader.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct config cfg;

static void usage(FILE *f)
{
    fputs("usage: mmgrade [options] SUBMISSION...\n"
          "  SUBMISSION              a directory, a .tar.gz/.tgz/.zip archive or a student file\n"
          "  --lab 1|2|3|all         labs to grade (a comma list works too; default all)\n"
          "  --format F              text (default), gradescope, autolab, junit or csv\n"
          "  --jobs N                grade N submissions at a time (batch; default 1)\n"
          "  --out DIR               reports + gradebook.csv in DIR (default ./grades for several)\n"
          "  --force                 grade again submissions whose report is up to date\n"
          "  --public-only           run the public tests only (as the student kit does)\n"
          "  --test-timeout S        lower every test's time limit to S seconds\n"
          "  --lab-timeout S         wall-clock budget for all tests of one lab (default 300)\n"
          "  --each-test             run every test alone (default: one run, reruns where needed)\n"
          "  --isolation auto|bwrap|plain   sandbox: bubblewrap if it works (auto), or rlimits\n"
          "  --color auto|always|never      colour in the text report (auto: on a terminal,\n"
          "                          unless NO_COLOR is set or TERM=dumb)\n"
          "  --hidden-visibility V   Gradescope: when students see hidden tests: after_published\n"
          "                          (default), after_due_date or visible\n"
          "  --root DIR              the mmap-labs tree (default: found from the binary)\n"
          "  --strict                exit 1 on grader errors (rubric and tests disagree)\n"
          "  --keep                  keep the scratch directories (debugging)\n"
          "  -v, --verbose           print each step on stderr\n"
          "  -h, --help              this help\n"
          "  --version               the version\n"
          "Exit status: 0 graded (whatever the score), 1 the grader failed, 2 usage;\n"
          "stopped by SIGINT, SIGTERM or SIGHUP: ends by that signal (130 after Ctrl-C),\n"
          "keeping the reports already finished (run it again to resume).\n", f);
}

static void usage_error(const char *fmt, const char *arg)
{
    fputs("mmgrade: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'mmgrade --help'.\n", stderr);
    exit(2);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    sbx_interrupted = 1;
}

/* Stopped by a signal: once the finished reports are safe, end by that same signal, so that
 * a shell loop or make running mmgrade stops too (exit status 130 after Ctrl-C). */
static void die_by_stop_signal(void)
{
    int sig = stop_signal ? stop_signal : SIGINT;

    fflush(NULL);
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);                   /* the signal was blocked: say it all the same */
}

static char *find_root(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    struct stat st;

    if (n > 0) {
        self[n] = '\0';
        for (int up = 0; up < 3; up++)          /* build/bin/mmgrade -> the tree */
            *strrchr(self, '/') = '\0';
        char *labs = xasprintf("%s/labs", self);
        bool ok = stat(labs, &st) == 0;
        free(labs);
        if (ok)
            return xstrdup(self);
    }
    if (stat("labs", &st) == 0 && getcwd(self, sizeof self))
        return xstrdup(self);
    die("cannot find the mmap-labs tree (labs/): use --root DIR");
}

static bool lab_named[MAX_LABS + 1];    /* asked for by number: it must exist */

static void parse_labs(const char *arg)
{
    if (strcmp(arg, "all") == 0) {
        for (int i = 1; i <= MAX_LABS; i++)
            cfg.lab_selected[i] = true;
        return;
    }
    char *copy = xstrdup(arg), *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        char *end;
        long n = strtol(strncmp(w, "lab", 3) == 0 ? w + 3 : w, &end, 10);
        if (*end || n < 1 || n > MAX_LABS)
            usage_error("--lab: '%s' is not 1, 2, 3 or all", arg);
        cfg.lab_selected[n] = lab_named[n] = true;
    }
    free(copy);
}

static double parse_seconds(const char *opt, const char *arg)
{
    char *end;
    double s = strtod(arg, &end);
    if (*end || !(s > 0) || s > 86400)
        usage_error(opt, arg);
    return s;
}

static int parse_options(int argc, char **argv)
{
    static const struct option opts[] = {
        {"lab", required_argument, 0, 'l'}, {"format", required_argument, 0, 'f'},
        {"jobs", required_argument, 0, 'j'}, {"out", required_argument, 0, 'o'},
        {"force", no_argument, 0, 'F'}, {"public-only", no_argument, 0, 'p'},
        {"test-timeout", required_argument, 0, 't'}, {"lab-timeout", required_argument, 0, 'T'},
        {"isolation", required_argument, 0, 'i'}, {"color", required_argument, 0, 'c'},
        {"root", required_argument, 0, 'r'}, {"strict", no_argument, 0, 's'},
        {"keep", no_argument, 0, 'k'}, {"each-test", no_argument, 0, 'e'}, {"verbose", no_argument, 0, 'v'},
        {"hidden-visibility", required_argument, 0, 'H'}, {"version", no_argument, 0, 'V'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    static const char *const formats[] = {"text", "gradescope", "autolab", "junit", "csv"};
    const char *color = "auto";
    bool any_lab = false;
    int c;

    cfg.jobs = 1;
    cfg.lab_timeout = 300;
    cfg.hidden_visibility = "after_published";
    argv[0] = "mmgrade";                /* getopt's messages name the program, not its path */
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'l': parse_labs(optarg); any_lab = true; break;
        case 'f': {
            int k = 0;
            while (k < 5 && strcmp(optarg, formats[k]) != 0)
                k++;
            if (k == 5)
                usage_error("--format: '%s' is not text, gradescope, autolab, junit or csv", optarg);
            cfg.format = (enum format)k;
            break;
        }
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64)
                usage_error("--jobs: '%s' is not a number from 1 to 64", optarg);
            cfg.jobs = (int)n;
            break;
        }
        case 'o': cfg.out = xstrdup(optarg); break;
        case 'F': cfg.force = true; break;
        case 'p': cfg.public_only = true; break;
        case 't': cfg.test_timeout = parse_seconds("--test-timeout: '%s' is not a number of seconds", optarg); break;
        case 'T': cfg.lab_timeout = parse_seconds("--lab-timeout: '%s' is not a number of seconds", optarg); break;
        case 'i':
            if (!strcmp(optarg, "auto")) cfg.isolation = ISO_AUTO;
            else if (!strcmp(optarg, "bwrap")) cfg.isolation = ISO_BWRAP;
            else if (!strcmp(optarg, "plain")) cfg.isolation = ISO_PLAIN;
            else usage_error("--isolation: '%s' is not auto, bwrap or plain", optarg);
            break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
                usage_error("--color: '%s' is not auto, always or never", optarg);
            color = optarg;
            break;
        case 'r': cfg.root = xstrdup(optarg); break;
        case 's': cfg.strict = true; break;
        case 'k': cfg.keep = true; break;
        case 'e': cfg.each_test = true; break;
        case 'v': cfg.verbose++; break;
        case 'H':
            if (strcmp(optarg, "after_published") && strcmp(optarg, "after_due_date") &&
                strcmp(optarg, "visible"))
                usage_error("--hidden-visibility: '%s' is not after_published, after_due_date "
                            "or visible", optarg);
            cfg.hidden_visibility = optarg;
            break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("mmgrade (mmap-labs) %s\n", MMLABS_VERSION); exit(0);
        default: fputs("Try 'mmgrade --help'.\n", stderr); exit(2);
        }
    }
    if (optind == argc)
        usage_error("%s", "no SUBMISSION given");
    if (!any_lab)
        parse_labs("all");
    cfg.color = !strcmp(color, "always") || (!strcmp(color, "auto") && color_wanted(1) &&
                                             cfg.format == FMT_TEXT && !cfg.out);
    /* Progress and the closing summary go to stderr only for a person watching it while the
     * report goes elsewhere: never into a report on the same terminal (it ends with the
     * score already), nor into a log that also captures stdout (Autolab, 2>&1 | tee). */
    cfg.progress = cfg.verbose || (isatty(2) && !isatty(1));
    return optind;
}

/* Loads labs, rubrics, and compiles the harness side; returns the number of labs. */
static int prepare_labs(struct lab *labs, bool *grader_failed)
{
    int nlabs = labs_load(labs, MAX_LABS);

    for (int n = 1; n <= MAX_LABS; n++) {
        bool exists = false;
        for (int i = 0; i < nlabs; i++)
            exists |= labs[i].num == n;
        if (lab_named[n] && !exists) {
            char num[16];
            snprintf(num, sizeof num, "%d", n);
            usage_error("--lab: there is no lab %s in this tree (labs/lab*/lab.mk)", num);
        }
    }
    for (int i = 0; i < nlabs; i++) {
        struct lab *lab = &labs[i];
        if (!cfg.lab_selected[lab->num] || lab->skip) {
            if (cfg.lab_selected[lab->num])
                fprintf(stderr, "mmgrade: note: %s\n", lab->skip);
            continue;
        }
        if (rubric_load(lab) == -1) {
            lab->skip = xasprintf("grader error: %s has no usable rubric "
                                  "(harness/%s/rubric.tsv)", lab->name, lab->name);
            fprintf(stderr, "mmgrade: note: %s\n", lab->skip);
            continue;
        }
        if (harness_build(lab) == -1) {
            lab->skip = xasprintf("grader error: the tests of %s do not compile", lab->name);
            warnx_("%s", lab->skip);
            *grader_failed = true;
        }
    }
    bool any = false;
    for (int i = 0; i < nlabs; i++)
        any |= cfg.lab_selected[labs[i].num] && !labs[i].skip;
    if (!any)
        warnx_("note: none of the selected labs can be graded yet");
    return nlabs;
}

/* Replaces the command line the kernel shows in /proc/PID/cmdline (the memory argv points
 * into) with "mmgrade": in batch mode it names every student's submission, and plain
 * isolation without a pid namespace lets student code read other processes' command lines.
 * argv keeps working: its strings are copied first. */
static void hide_command_line(int argc, char **argv)
{
    char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;

    for (int i = 0; i < argc; i++)
        if (argv[i] < start || argv[i] + strlen(argv[i]) + 1 > end)
            return;                     /* not the kernel's contiguous block: leave it */
    for (int i = 0; i < argc; i++)
        argv[i] = xstrdup(argv[i]);
    memset(start, 0, (size_t)(end - start));
    snprintf(start, (size_t)(end - start), "mmgrade");
}

int main(int argc, char **argv)
{
    static struct lab labs[MAX_LABS];
    bool grader_failed = false;
    struct sigaction sa = {.sa_handler = on_signal};

    hide_command_line(argc, argv);
    int first = parse_options(argc, argv);
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == -1)
            usage_error("%s: no such submission", argv[i]);
    }
    if (!cfg.root)
        cfg.root = find_root();
    char real[PATH_MAX];
    if (realpath(cfg.root, real)) {
        free(cfg.root);
        cfg.root = xstrdup(real);
    }
    cfg.cache = xasprintf("%s/build/grader-cache", cfg.root);
    if (argc - first > 1 && !cfg.out)
        cfg.out = xstrdup("grades");
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int nlabs = prepare_labs(labs, &grader_failed);
    sbx_init(0);
    preflight_sandbox();
    for (int i = 0; i < nlabs; i++)
        if (cfg.lab_selected[labs[i].num] && !labs[i].skip)
            calibrate_lab(&labs[i]);
    int ret;
    if (cfg.out) {
        ret = batch_run(argv + first, argc - first, labs, nlabs);
    } else {
        struct grade g;
        ret = grade_submission(argv[first], labs, nlabs, &g) == -1 ? 1 : 0;
        if (ret == 0) {
            char *report = report_render(&g, cfg.format, cfg.color);
            fputs(report, stdout);
            free(report);
            fflush(stdout);
            if (cfg.progress)
                fprintf(stderr, "mmgrade: %s: %d/%d in %.1f s\n", g.name, g.score, g.max,
                        g.seconds);
        } else {
            warnx_("interrupted");
        }
        grade_free(&g);
    }
    if (fflush(stdout) == EOF)
        die("standard output: %s", strerror(errno));
    if (grader_failed || (cfg.strict && grader_errors))
        ret = 1;
    if (sbx_interrupted)
        die_by_stop_signal();
    return ret;
}
