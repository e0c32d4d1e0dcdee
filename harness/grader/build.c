/* build.c - compiles the harness side once (cached under build/grader-cache, keyed by
 * mtimes) and each student file alone in a scratch dir: bounded compile in the sandbox,
 * includes limited to the lab's headers and the system's, no assembler file inclusion, every
 * non-API global made local (objcopy), no load-time code, no calls into the framework. */
#include "grader.h"
#include "grader-config.h"

#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHOWN_LINES    40
#define SHOWN_BYTES    6000

/* labs/common/flags.mk's MM_CPPFLAGS and MM_GRADE_CFLAGS (grader.mk passes them). */
#ifndef MM_GRADE_CFLAGS
#error "build mmgrade with make: grader.mk defines MM_GRADE_CFLAGS from labs/common/flags.mk"
#endif

/* ---- The harness side ----------------------------------------------------------------- */

static time_t mtime_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mtime : 0;
}

static time_t newest_header(const char *root, const char *dir, time_t newest)
{
    char *path = xasprintf("%s/%s", root, dir);
    DIR *d = opendir(path);
    struct dirent *e;

    if (d) {
        while ((e = readdir(d))) {
            if (!has_suffix(e->d_name, ".h"))
                continue;
            char *h = xasprintf("%s/%s", path, e->d_name);
            time_t t = mtime_of(h);
            newest = t > newest ? t : newest;
            free(h);
        }
        closedir(d);
    }
    free(path);
    return newest;
}

static char *cache_path(const char *cache, const char *src)
{
    char *obj = xasprintf("%s/%s", cache, src);
    obj[strlen(obj) - 1] = 'o';             /* x.c -> x.o */
    return obj;
}

/* An object older than its source or than the newest header (0: none) is compiled again. */
static bool is_stale(const char *root, const char *src, const char *obj, time_t headers)
{
    char *path = xasprintf("%s/%s", root, src);
    time_t t = mtime_of(obj);
    bool stale = !t || t < mtime_of(path) || t < headers;

    free(path);
    return stale;
}

/* Starts compiling root/src into obj (through a temporary, renamed once complete). */
static void start_compiler(const char *root, const char *src, const char *obj,
                           const char *labdir)
{
    char *dir = xstrdup(obj);
    *strrchr(dir, '/') = '\0';
    if (mkdirs(dir, 0755) == -1)
        die("%s: cannot create: %s", dir, strerror(errno));
    free(dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1)
        die("fork: %s", strerror(errno));
    if (pid > 0)
        return;
    /* Relative source names, so that messages name labs/... not this machine. */
    char *tmp = xasprintf("%s.tmp.%d", obj, (int)getpid());
    struct strv argv = {0};
    strv_add(&argv, "gcc");
    strv_split(&argv, MM_GRADE_CFLAGS);
    strv_add(&argv, "-Ilabs/common");
    strv_addf(&argv, "-I%s", labdir);     /* as the Makefile: tests include lab headers */
    strv_addf(&argv, "-I%s/tests", labdir);               /* and their lab's util header */
    strv_add(&argv, "-c");
    strv_add(&argv, src);
    strv_add(&argv, "-o");
    strv_add(&argv, tmp);
    pid_t cc = fork();
    if (cc == 0) {
        if (chdir(root) == -1)
            _exit(127);
        execvp("gcc", argv.v);
        _exit(127);
    }
    int status;
    if (cc == -1 || waitpid(cc, &status, 0) == -1 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || rename(tmp, obj) == -1) {
        unlink(tmp);
        _exit(1);
    }
    _exit(0);
}

/* Waits for one compiler; 1 if it failed, 0 if not (or none was left). */
static int reap_compiler(int *running)
{
    int status;

    if (wait(&status) == -1) {
        *running = 0;
        return 0;
    }
    (*running)--;
    return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

/* Compiles the stale sources, at most jobs (at least 2) at a time. Trusted code: no sandbox. */
static int compile_all(const struct lab *lab, const struct strv *srcs, time_t headers,
                       int jobs, bool verbose)
{
    int running = 0, failed = 0, max = jobs > 1 ? jobs : 2;

    for (size_t i = 0; i < srcs->n; i++) {
        char *obj = cache_path(lab->cache, srcs->v[i]);
        if (is_stale(lab->root, srcs->v[i], obj, headers)) {
            while (running >= max)
                failed += reap_compiler(&running);
            if (verbose)
                fprintf(stderr, "mmgrade: compiling %s\n", srcs->v[i]);
            start_compiler(lab->root, srcs->v[i], obj, lab->dir);
            running++;
        }
        free(obj);
    }
    while (running > 0)
        failed += reap_compiler(&running);
    return failed ? -1 : 0;
}

/* The cache is keyed by mtimes; a change of the flags below invalidates all of it. */
static bool flags_changed(const char *cache)
{
    static int changed = -1;
    struct buf want = {0};
    size_t len;

    if (changed != -1)
        return changed;
    buf_printf(&want, "%s -Ilabs/common -I<labdir> -I<labdir>/tests v3\n", MM_GRADE_CFLAGS);
    char *path = xasprintf("%s/flags", cache), *have = read_file(path, 4096, &len);
    changed = !have || strcmp(have, want.p) != 0;
    if (changed && (mkdirs(cache, 0755) == -1 ||
                    write_file_atomic(path, want.p, want.len) == -1))
        die("%s: %s", path, strerror(errno));
    free(have);
    free(path);
    free(want.p);
    return changed;
}

/* Every source of the lab's harness side: tests, the test layer, then tools and helpers,
 * whose names go to lab->prog_names. */
static void harness_sources(struct lab *lab, struct strv *srcs)
{
    for (size_t i = 0; i < lab->tests.n; i++)
        strv_add(srcs, lab->tests.v[i]);
    strv_add(srcs, "labs/common/mmtest.c");
    strv_add(srcs, "labs/common/mmsubject.c");
    strv_add(srcs, "labs/common/mmreport.c");
    for (size_t i = 0; i < lab->tools.n; i++) {
        strv_addf(srcs, "%s/%s.c", lab->dir, lab->tools.v[i]);
        strv_add(&lab->prog_names, lab->tools.v[i]);
    }
    for (size_t i = 0; i < lab->helpers.n; i++) {
        strv_addf(srcs, "%s/tests/helpers/%s.c", lab->dir, lab->helpers.v[i]);
        strv_add(&lab->prog_names, lab->helpers.v[i]);
    }
}

/* The newest header the harness objects depend on (later than now if the flags changed). */
static time_t harness_headers(const struct lab *lab)
{
    time_t headers = flags_changed(lab->cache) ? time(NULL) + 1 : 0;
    char *tdir = xasprintf("%s/tests", lab->dir), *hdir = xasprintf("harness/%s/tests", lab->name);

    headers = newest_header(lab->root, "labs/common", headers);
    headers = newest_header(lab->root, lab->dir, headers);
    headers = newest_header(lab->root, tdir, headers);
    headers = newest_header(lab->root, hdir, headers);
    free(tdir);
    free(hdir);
    return headers;
}

int harness_build(struct lab *lab, int jobs, bool verbose)
{
    struct strv srcs = {0};
    time_t headers = harness_headers(lab);

    /* Compiled hidden tests: readable to the grader only, never to the sandbox user. */
    if (chmod(lab->cache, 0700) == -1)
        die("%s: chmod: %s", lab->cache, strerror(errno));
    harness_sources(lab, &srcs);
    int ret = compile_all(lab, &srcs, headers, jobs, verbose);
    size_t nlayer = lab->tests.n + 3;       /* tests, then mmtest, mmsubject, mmreport */
    for (size_t i = 0; ret == 0 && i < srcs.n; i++) {
        char *obj = cache_path(lab->cache, srcs.v[i]);
        /* A lab's test utilities (labN_util.c: helpers and every suite's declaration) serve
         * the public and the hidden tests. */
        bool shared = i >= lab->tests.n || has_suffix(srcs.v[i], "_util.c");
        if (i >= nlayer)
            strv_add(&lab->prog_objs, obj);
        else {
            if (i < lab->npublic || shared)
                strv_add(&lab->public_objs, obj);
            if (i >= lab->npublic || shared)
                strv_add(&lab->hidden_objs, obj);
        }
        free(obj);
    }
    strv_free(&srcs);
    return ret;
}

/* ---- The student file ----------------------------------------------------------------- */

/* Runs a compiler step on the student's files inside the sandbox: limited in CPU time (what
 * the student's file costs), with a wall-clock backstop far above it for what blocks. A
 * failure of the sandbox's own setup is retried once, then it is the grader's error: exit 1
 * with the cause, never a zero for the student. */
static void run_step(char **argv, const char *cwd, rlim_t cpu, double wall,
                     struct sbx_result *res)
{
    struct sbx_job job = {.argv = argv, .cwd = cwd, .report_fd = -1,
                          .out_keep = BUILD_OUTPUT_KEEP, .wall = wall, .cpu = cpu,
                          .as = BUILD_AS_BYTES, .fsize = BUILD_FSIZE_BYTES,
                          .nofile = BUILD_NOFILE, .nproc = BUILD_NPROC};
    for (int attempt = 0; ; attempt++) {
        sbx_run(&job, res);
        if (!res->setup_error)
            return;
        if (attempt == 1)
            die("grader error: the sandbox could not start %s: %s", argv[0], res->setup_error);
        warnx_("note: the sandbox could not start %s (%s); trying again", argv[0],
               res->setup_error);
        sbx_result_free(res);
        sleep(1);
    }
}

/* A compiler step the student's file made exceed its limits: CPU time (SIGXCPU), the wall
 * backstop, or memory (the compiler says so). Anything else that ends it without a word is
 * not the student's doing. */
static bool over_limits(const struct sbx_result *res)
{
    return res->timed_out || (WIFSIGNALED(res->status) && WTERMSIG(res->status) == SIGXCPU) ||
           strstr(res->out, "memory exhausted") || strstr(res->out, "out of memory") ||
           strstr(res->out, "Killed signal") || strstr(res->out, "CPU time limit");
}

/* The step ended by a signal nobody here sent, or failed without saying why. */
static void unexplained(const char *what, const char *file, const struct sbx_result *res)
{
    if (WIFSIGNALED(res->status))
        die("grader error: %s %s was killed by signal %d (%s) without reaching a limit: the "
            "machine killed it (out of memory?); grade this submission again", what, file,
            WTERMSIG(res->status), strsignal(WTERMSIG(res->status)));
    die("grader error: %s %s failed (exit status %d) without a message: is the compiler "
        "installed and working for the sandbox uid %u?", what, file, WEXITSTATUS(res->status),
        (unsigned)sbx_uid());
}

static char *shown(const char *out)
{
    bool cut;
    char *text = first_lines(out, SHOWN_LINES, SHOWN_BYTES, &cut);
    char *s = xasprintf("%s%s", text, cut ? "[... further compiler output cut]\n" : "");
    free(text);
    sanitize_text(s);
    return s;
}

static int reject(struct lab_result *r, enum labstate st, char *msg)
{
    r->state = st;
    free(r->message);
    r->message = msg;
    return -1;
}

/* Checks a make-format dependency file: every file must be in src or a system dir. */
static char *check_deps(const char *depfile, const char *src)
{
    static const char *const sys[] = {"/usr/include", "/usr/lib/gcc", "/usr/local/include",
                                      "/usr/lib/x86_64-linux-gnu/include", NULL};
    size_t len;
    char *text = read_file(depfile, 4u << 20, &len), *save = NULL, *bad = NULL;

    if (!text)
        return xasprintf("the compiler wrote no dependency list (%s)", strerror(errno));
    bool first = true;
    for (char *w = strtok_r(text, " \t\n", &save); w && !bad; w = strtok_r(NULL, " \t\n", &save)) {
        if (strcmp(w, "\\") == 0)
            continue;
        if (first) {                        /* the target, "x.o:" */
            first = false;
            continue;
        }
        char *abs = w[0] == '/' ? xstrdup(w) : xasprintf("%s/%s", src, w);
        char real[PATH_MAX];
        struct stat st;
        if (lstat(abs, &st) == -1 && errno == ENOENT) {    /* -MG: missing, gcc says so later */
            free(abs);
            continue;
        }
        bool ok = !strchr(w, '\\') && realpath(abs, real);
        if (ok && !path_is_under(real, src)) {
            ok = false;
            for (int i = 0; sys[i] && !ok; i++)
                ok = path_is_under(real, sys[i]);
        }
        if (!ok)
            bad = xstrdup(w);
        free(abs);
    }
    free(text);
    if (!bad)
        return NULL;
    char *msg = xasprintf("it includes \"%s\", which is neither the lab's header nor a system "
                          "header. The grader compiles your file alone with the lab's own "
                          "headers: remove that #include.", bad);
    free(bad);
    return msg;
}

/* Finds an assembler directive that reads other files or builds directives from pieces,
 * outside string literals. */
static const char *bad_directive(const char *asmtext)
{
    static const char *const bad[] = {".incbin", ".include", ".macro", ".altmacro", ".irp",
                                      ".rept", ".purgem", NULL};
    bool in_str = false;

    for (const char *p = asmtext; *p; p++) {
        if (*p == '\n')
            in_str = false;
        else if (in_str && *p == '\\' && p[1])
            p++;
        else if (*p == '"')
            in_str = !in_str;
        else if (!in_str && *p == '.')
            for (int i = 0; bad[i]; i++) {
                size_t n = strlen(bad[i]);
                if (strncasecmp(p, bad[i], n) == 0 &&
                    !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                      (p[n] >= '0' && p[n] <= '9')))
                    return bad[i];
            }
    }
    return NULL;
}

/* The object checks: only sections that hold code and data (no load-time code, no compiler
 * bytecode, no sections of the test framework's), no IFUNCs, every API function defined.
 * What the code calls is not checked: it runs in a sealed subject (mmtest.h), where calling
 * into the test framework reaches nothing. */
static char *check_object(const struct lab *lab, const char *obj)
{
    struct elf_info info;
    char err[512];
    char *msg = NULL;

    if (elf_inspect(obj, &info, err, sizeof err) == -1)
        return xstrdup(err);
    if (info.bad_sections.n)
        msg = xasprintf("its object file has a section %s. Only code and data are accepted "
                        "(.text, .rodata, .data, .bss and what the compiler adds to them): "
                        "no __attribute__((constructor)), destructor or section(...), no "
                        "top-level asm that adds sections, no -flto bytecode.",
                        info.bad_sections.v[0]);
    else if (info.ifuncs.n)
        msg = xasprintf("it defines %s as an IFUNC (its resolver would run when the program "
                        "loads): remove __attribute__((ifunc)).", info.ifuncs.v[0]);
    for (size_t i = 0; !msg && i < lab->api.n; i++)
        if (!strv_has(&info.defined_funcs, lab->api.v[i]))
            msg = xasprintf("it does not define %s (declared in %s). Every function of the "
                            "header must exist, even if it only fails with ENOSYS.",
                            lab->api.v[i], lab->header);
    elf_info_free(&info);
    return msg;
}

static int copy_headers(const char *root, const char *dir, const char *dst)
{
    char *path = xasprintf("%s/%s", root, dir);
    DIR *d = opendir(path);
    struct dirent *e;
    int ret = 0;

    if (!d) {
        free(path);
        return -1;
    }
    while ((e = readdir(d)))
        if (has_suffix(e->d_name, ".h")) {
            char *from = xasprintf("%s/%s", path, e->d_name), *to = xasprintf("%s/%s", dst, e->d_name);
            if (copy_file(from, to, 0644) == -1)
                ret = -1;
            sbx_own(to);
            free(from);
            free(to);
        }
    closedir(d);
    free(path);
    return ret;
}

/* Links one program in the sandbox, as the sandbox user, from objects copied into a
 * scratch directory: the linker only ever reads checked objects, and with LTO and the linker
 * plugin off it links their machine code, not bytecode hidden in some section. The program
 * ends up in bin, owned by the grader, so that code run later cannot replace it. */
static int link_program(const char *bin, const char *name, const struct strv *objs,
                        const struct strv *libs, char **err)
{
    char *dir = xasprintf("%s/link", bin), *out = xasprintf("%s/%s", bin, name);
    struct strv argv = {0};
    struct sbx_result res = {0};
    int ret = -1;

    remove_tree(dir);
    if (mkdirs(dir, 0755) == -1)
        die("%s: %s", dir, strerror(errno));
    strv_add(&argv, "/usr/bin/gcc");
    strv_add(&argv, "-fno-lto");
    strv_add(&argv, "-fno-use-linker-plugin");
    strv_add(&argv, "-o");
    strv_add(&argv, name);
    for (size_t i = 0; i < objs->n; i++) {
        char *base = strrchr(objs->v[i], '/'), *copy = xasprintf("%s/%zu-%s", dir, i,
                                                                   base ? base + 1 : objs->v[i]);
        if (copy_file(objs->v[i], copy, 0644) == -1)
            die("%s: cannot copy to %s: %s", objs->v[i], copy, strerror(errno));
        sbx_own(copy);
        strv_add(&argv, strrchr(copy, '/') + 1);
        free(copy);
    }
    for (size_t i = 0; i < libs->n; i++)
        strv_add(&argv, libs->v[i]);
    sbx_own(dir);
    run_step(argv.v, dir, LINK_CPU, LINK_WALL, &res);
    char *linked = xasprintf("%s/%s", dir, name);
    if (res.status != 0 && !over_limits(&res) && !res.out[0])
        unexplained("linking", name, &res);
    if (res.status != 0 || res.timed_out) {
        char *shown_out = shown(res.out);
        *err = xasprintf("linking %s failed (exit status %d%s):\n%s", name, res.status,
                         res.timed_out ? ", over the time limit" : "", shown_out);
        free(shown_out);
    } else if (copy_file(linked, out, 0755) == -1) {
        *err = xasprintf("%s: cannot copy the linked program to %s: %s", linked, out,
                         strerror(errno));
    } else {
        ret = 0;
    }
    free(linked);
    sbx_result_free(&res);
    strv_free(&argv);
    remove_tree(dir);
    free(dir);
    free(out);
    return ret;
}

/* Links the tools and helpers (each its own object plus the student's). */
static int link_programs(const struct lab *lab, const char *obj, const char *bin,
                         struct lab_result *r)
{
    for (size_t p = 0; p < lab->prog_names.n; p++) {
        struct strv objs = {0};
        char *err = NULL;
        strv_add(&objs, lab->prog_objs.v[p]);
        strv_add(&objs, obj);
        int ret = link_program(bin, lab->prog_names.v[p], &objs, &lab->ldlibs, &err);
        strv_free(&objs);
        if (ret == -1) {
            grader_error(&r->errors, "%s: %s", lab->name, err);
            reject(r, L_BUILD_FAILED, xasprintf("%s compiled, but the grader could not link "
                   "it with the lab's programs (a grader error, not yours):\n%s", lab->file,
                   err));
            free(err);
            return -1;
        }
    }
    return 0;
}

int student_link_tests(const struct lab *lab, const char *bindir, bool hidden, char **err)
{
    struct strv objs = {0}, libs = {0};
    const struct strv *tests = hidden ? &lab->hidden_objs : &lab->public_objs;

    for (size_t i = 0; i < tests->n; i++)
        strv_add(&objs, tests->v[i]);
    strv_addf(&objs, "%s/student-local.o", bindir);
    strv_split(&libs, "-lcriterion -lcjson -lseccomp");
    for (size_t i = 0; i < lab->ldlibs.n; i++)
        strv_add(&libs, lab->ldlibs.v[i]);
    int ret = link_program(bindir, "run", &objs, &libs, err);
    strv_free(&objs);
    strv_free(&libs);
    return ret;
}

/* Runs gcc MM_GRADE_CFLAGS -I. args FILE in the sandbox in src, then checks its dependency list
 * (deps.d). what: "preprocessing" or "compiling". On success *warnings (if asked) gets what
 * the compiler printed. Returns 0, or rejects the lab and returns -1. */
static int compile_step(const struct lab *lab, const char *src, const char *args, rlim_t cpu,
                        const char *what, struct lab_result *r, char **warnings)
{
    struct strv argv = {0};
    struct sbx_result res;
    char *deps = xasprintf("%s/deps.d", src), *msg;
    int ret = -1;

    strv_add(&argv, "/usr/bin/gcc");
    strv_split(&argv, MM_GRADE_CFLAGS);
    strv_split(&argv, args);
    strv_add(&argv, lab->file);
    unlink(deps);
    run_step(argv.v, src, cpu, 4.0 * (double)cpu, &res);
    strv_free(&argv);
    if (res.status != 0 && !over_limits(&res) && (WIFSIGNALED(res.status) || !res.out[0]))
        unexplained(what, lab->file, &res);
    if (over_limits(&res)) {
        reject(r, L_REJECTED, xasprintf("Rejected: %s %s did not finish within the limits "
               "(%u s of CPU time, %lu GiB of memory). Does it #include a device (like /dev/zero) "
               "or a huge file? Include only the lab's header and system headers.", what,
               lab->file, (unsigned)cpu, BUILD_AS_BYTES >> 30));
    } else if (res.status != 0) {
        char *out = shown(res.out);
        reject(r, L_BUILD_FAILED, xasprintf("%s does not compile:\n%s", lab->file, out));
        free(out);
    } else if ((msg = check_deps(deps, src))) {
        reject(r, L_REJECTED, xasprintf("Rejected: %s: %s", lab->file, msg));
        free(msg);
    } else {
        if (warnings && res.out[0])
            *warnings = shown(res.out);
        ret = 0;
    }
    sbx_result_free(&res);
    free(deps);
    return ret;
}

/* Checks the assembly for directives that read files, assembles it, and makes every global
 * except the API local: nothing the student defines (main, exit, write, malloc...) can
 * replace what the tests use. */
static int assemble_and_localize(const struct lab *lab, const char *src,
                                 struct lab_result *r, const char *local)
{
    char *asmf = xasprintf("%s/student.s", src), *obj = xasprintf("%s/student.o", src);
    char *keep = xasprintf("%s/api.txt", src), *kg = xstrdup("--keep-global-symbols=api.txt");
    struct sbx_result res = {0};
    size_t alen;
    int ret = -1;

    char *asmtext = read_file(asmf, 256u << 20, &alen);
    const char *dir = asmtext ? bad_directive(asmtext) : NULL;
    free(asmtext);
    if (!asmtext || dir) {
        reject(r, L_REJECTED, asmtext ? xasprintf("Rejected: %s uses the assembler directive %s "
               "(it can pull other files into the object). Remove that asm statement.",
               lab->file, dir) : xasprintf("Rejected: the compiler's output for %s is missing or "
               "too large.", lab->file));
        goto out;
    }
    char *as[] = {"/usr/bin/gcc", "-c", "student.s", "-o", "student.o", NULL};
    run_step(as, src, COMPILE_CPU, COMPILE_WALL, &res);
    if (res.status != 0 && !over_limits(&res) && !res.out[0])
        unexplained("assembling", lab->file, &res);
    if (res.status != 0 || res.timed_out) {
        char *out = shown(res.out);
        reject(r, L_BUILD_FAILED, xasprintf("%s does not assemble:\n%s", lab->file, out));
        free(out);
        goto out;
    }
    sbx_result_free(&res);
    struct buf names = {0};
    for (size_t i = 0; i < lab->api.n; i++)
        buf_printf(&names, "%s\n", lab->api.v[i]);
    if (write_file_atomic(keep, names.p, names.len) == -1)
        die("%s: %s", keep, strerror(errno));
    free(names.p);
    sbx_own(keep);
    char *oc[] = {"/usr/bin/objcopy", kg, "student.o", "student-local.o", NULL};
    run_step(oc, src, LINK_CPU, LINK_WALL, &res);
    if (res.status != 0 && !over_limits(&res) && !res.out[0])
        unexplained("localizing the symbols of", lab->file, &res);
    char *made = xasprintf("%s/student-local.o", src);
    if (res.status == 0 && !res.timed_out && copy_file(made, local, 0644) == -1)
        die("%s: cannot copy to %s: %s", made, local, strerror(errno));
    free(made);
    if (res.status != 0 || res.timed_out) {
        char *out = shown(res.out);
        reject(r, L_BUILD_FAILED, xasprintf("objcopy failed on %s:\n%s", lab->file, out));
        free(out);
        goto out;
    }
    ret = 0;
out:
    sbx_result_free(&res);
    free(asmf);
    free(obj);
    free(keep);
    free(kg);
    return ret;
}

int student_build(struct lab *lab, const char *labdir, struct lab_result *r, char **bindir)
{
    char *src = xasprintf("%s/src", labdir), *bin = xasprintf("%s/bin", labdir);
    char *local = xasprintf("%s/student-local.o", bin), *warnings = NULL, *msg;
    int ret = -1;

    if (mkdirs(bin, 0755) == -1 || copy_headers(lab->root, lab->dir, src) == -1 ||
        copy_headers(lab->root, "labs/common", src) == -1)
        die("%s: cannot prepare the build: %s", labdir, strerror(errno));
    sbx_own(src);
    /* Preprocess first (-MG: a missing header is no error yet, so no line of a file outside
     * the lab is ever quoted), to check what the file includes before compiling; then
     * compile to assembly and check the dependency list of that very run again. */
    if (compile_step(lab, src, "-I. -M -MG -MF deps.d", DEPS_CPU, "preprocessing", r, NULL) == -1 ||
        compile_step(lab, src, "-I. -MD -MF deps.d -S -o student.s", COMPILE_CPU, "compiling",
                     r, &warnings) == -1)
        goto out;
    if (warnings)
        r->message = xasprintf("Compiler warnings (the lab's Makefile treats them as errors):\n%s",
                               warnings);
    if (assemble_and_localize(lab, src, r, local) == -1)
        goto out;
    if ((msg = check_object(lab, local))) {
        reject(r, L_REJECTED, xasprintf("Rejected: %s: %s", lab->file, msg));
        free(msg);
        goto out;
    }
    if (link_programs(lab, local, bin, r) == 0) {
        *bindir = xstrdup(bin);
        ret = 0;
    }
out:
    free(warnings);
    free(src);
    free(bin);
    free(local);
    return ret;
}
