/* mmtest.h - what every lab's Criterion tests share: the judge/subject split (student code
 * runs only in sealed child processes, the test process checks what they observed), exact-
 * errno checks that print symbolic names, and probes of /proc for leaks. Declare suites with
 * MM_SUITE, run calls into student code in MM_SUBJECT blocks, check with MM_CHECK*. */
#ifndef MMTEST_H
#define MMTEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- Names ---------------------------------------------------------------------------- */
const char *mm_errno_name(int err);     /* "EACCES"; "errno 4242" for unknown values */
const char *mm_signal_name(int sig);    /* "SIGBUS"; "signal 99" for unknown values */

/* ---- Suites --------------------------------------------------------------------------- */
void mm_init(void);     /* per test: becomes a child subreaper and non-dumpable (the judge),
                           remembers what the runner gave it, hides the report channel */
void mm_fini(void);     /* per test: kills and reaps every process the test left behind */

#define MM_SUITE(name, seconds) \
    TestSuite(name, .init = mm_init, .fini = mm_fini, .timeout = (seconds))

/* Work for the Criterion runner once every test has ended and its processes are killed, e.g.
 * removing what a crashed test left in /dev/shm: MM_AT_RUNNER_END(fn) at file scope. */
void mm_at_runner_end(void (*fn)(void));
#define MM_AT_RUNNER_END(fn) \
    __attribute__((constructor)) static void mm_register_##fn(void) { mm_at_runner_end(fn); }

/* ---- Judge and subject ------------------------------------------------------------------
 * The test process is the judge: it never runs student code, computes every expected value
 * itself and makes every assertion. Calls into student code run in a subject, a child process
 * sealed before the first call (no descriptor or shared mapping of the test runner, a seccomp
 * filter against sockets and cross-process memory access); it hands back raw observations
 * (return values, errno, digests of bytes, counts) in one struct, copied to the judge when the
 * subject ends:
 *
 *     struct { struct mm_call map; uint64_t digest; } o;
 *     MM_SUBJECT(o) {
 *         struct mf_view v;
 *         o.map = MM_CALL(mf_map(fd, 0, len, PROT_READ, MAP_PRIVATE, &v));
 *         o.digest = o.map.ret == 0 ? mm_digest(v.data, v.len) : 0;
 *     }
 *     MM_CHECK_OK(o.map, HINT(S_MAP, "map the file with mmap"));
 *     MM_CHECK(o.digest == mm_digest(data, len), HINT(S_MAP, "..."), "the bytes differ");
 *
 * A subject that crashes, exits early, times out or leaks (under ASan) fails the test with
 * a message that names what happened and the call in progress. Inside a subject block use
 * no MM_CHECK (they are for the judge) and free what the block allocates. */

/* What to tell students, and where to read: the message gets "Hint: text (handout lab1,
 * "section")." appended in one place (mm_message). */
struct mm_hint { const char *section; const char *text; };
#define MM_HINT(section, text) ((struct mm_hint){ (section), (text) })
/* Each lab names its handout and the section about leaks once: MM_LAB("lab1", "Resources
 * and leaks") in one of its test files. */
#define MM_LAB(handout, leak_section) \
    const char mm_lab_handout[] = handout, mm_lab_leak_section[] = leak_section
extern const char mm_lab_handout[], mm_lab_leak_section[];

#define MM_CALL_TEXT 160
/* One observed call: its result (pointers as integers), errno after it, its source text. */
struct mm_call { long long ret; int err; char text[MM_CALL_TEXT]; };
#define MM_CALL(expr) MM_CALL_AS(#expr, expr)
#define MM_CALL_AS(text, expr) \
    (mm_calling(text), errno = 0, mm_called((long long)(intptr_t)(expr)))
void mm_calling(const char *text);      /* the call in progress, for crash messages */
struct mm_call mm_called(long long ret);

struct mm_subject_opts {
    int  timeout_ms;        /* default 10 s */
    bool as_user;           /* run as an otherwise unused uid when the test runs as root */
    bool no_file_reads;     /* kill the subject if it calls read(2)-family system calls */
    bool may_die;           /* the test checks mm_outcome() itself: no automatic failure */
};
enum mm_how { MM_RETURNED, MM_SIGNALED, MM_EXITED, MM_TIMED_OUT, MM_GARBLED };
struct mm_outcome {
    enum mm_how how;
    int  signal, exit_code; /* MM_SIGNALED / MM_EXITED */
    bool leaked;            /* LeakSanitizer found memory never freed (ASan builds only) */
    int  strays;            /* children of student code that returned into the test */
    char during[MM_CALL_TEXT];  /* the last call started, "" if none */
    char where[256];        /* " at mapfile.c:57 (mf_map)" for a crash, when known */
};
/* How the last subject ended, and a sentence that says so for a failure message. */
const struct mm_outcome *mm_outcome(void);
const char *mm_outcome_text(void);

enum { MM_S_RUN, MM_S_DONE, MM_S_FAILED };
#define MM_SUBJECT(obs) MM_SUBJECT_WITH(obs, .timeout_ms = 0)
#define MM_SUBJECT_WITH(obs, ...)                                                          \
    for (int mm_s_ = mm_subject_begin(&(obs), sizeof(obs),                                 \
                                      (struct mm_subject_opts){ __VA_ARGS__ });            \
         mm_s_ != MM_S_DONE; mm_s_ = mm_subject_next(mm_s_))                               \
        if (mm_s_ == MM_S_FAILED) {                                                        \
            cr_expect(0, "%s", mm_outcome_text());                                         \
            mm_subject_failed();                                                           \
        } else
int  mm_subject_begin(void *obs, size_t size, struct mm_subject_opts opts);
int  mm_subject_next(int state);
/* Ends the test after a failed subject: by the subject's own signal when it was killed by
 * one (so the report says "crashed with SIGSEGV"), else as a failed assertion. */
_Noreturn void mm_subject_failed(void);
bool mm_in_subject(void);
/* Seals the calling process the way a subject is sealed (for programs a test starts). */
void mm_seal(void);
/* Starts argv[0] (a program built beside the test, linked with student code) as a sealed
 * subject: stdin from in_fd (or /dev/null), stdout to out_fd (or /dev/null), stderr kept. */
pid_t mm_spawn(const char *const argv[], int in_fd, int out_fd);

/* A 64-bit digest of bytes, to compare what a subject saw with what the judge expects. */
uint64_t mm_digest(const void *data, size_t len);

/* Judge-side checks. The message is printf-style; the hint is appended as it is. */
#define MM_CHECK(cond, hint, ...) do {                                                     \
        mm_judge_only();                                                                   \
        if (!(cond)) cr_assert(0, "%s", mm_message((hint), __VA_ARGS__));                  \
    } while (0)
/* call failed with failret and errno want. */
#define MM_CHECK_FAIL(call, failret, want, hint) do {                                      \
        mm_judge_only();                                                                   \
        const char *mm_m_ = mm_call_mismatch(&(call), (failret), (want), (hint));         \
        if (mm_m_) cr_assert(0, "%s", mm_m_);                                             \
    } while (0)
#define MM_CHECK_ERRNO(call, want, hint)      MM_CHECK_FAIL(call, -1, want, hint)
#define MM_CHECK_NULL_ERRNO(call, want, hint) MM_CHECK_FAIL(call, 0, want, hint)
/* call succeeded: an integer result other than -1, or a pointer neither NULL nor MAP_FAILED. */
#define MM_CHECK_OK(call, hint) do {                                                       \
        mm_judge_only();                                                                   \
        const char *mm_m_ = mm_call_failed(&(call), false, (hint));                       \
        if (mm_m_) cr_assert(0, "%s", mm_m_);                                             \
    } while (0)
#define MM_CHECK_PTR(call, hint) do {                                                      \
        mm_judge_only();                                                                   \
        const char *mm_m_ = mm_call_failed(&(call), true, (hint));                        \
        if (mm_m_) cr_assert(0, "%s", mm_m_);                                             \
    } while (0)
/* The common shape "one call, one expected result", each in a subject of its own. The
 * call's text is taken as written (#expr here, not one macro level down, where PROT_READ
 * would already read 0x1). */
#define MM_CALL_FAILS_AS(text, expr, failret, want, hint) do {                             \
        struct mm_call mm_c_;                                                              \
        MM_SUBJECT(mm_c_) mm_c_ = MM_CALL_AS(text, expr);                                  \
        MM_CHECK_FAIL(mm_c_, failret, want, hint);                                         \
    } while (0)
#define MM_CALL_FAILS(expr, failret, want, hint) \
    MM_CALL_FAILS_AS(#expr, expr, failret, want, hint)
#define MM_CALL_ERRNO(expr, want, hint)      MM_CALL_FAILS_AS(#expr, expr, -1, want, hint)
#define MM_CALL_NULL_ERRNO(expr, want, hint) MM_CALL_FAILS_AS(#expr, expr, 0, want, hint)
#define MM_CALL_OK(expr, hint) do {                                                        \
        struct mm_call mm_c_;                                                              \
        MM_SUBJECT(mm_c_) mm_c_ = MM_CALL_AS(#expr, expr);                                 \
        MM_CHECK_OK(mm_c_, hint);                                                          \
    } while (0)
#define MM_NO_HINT ((struct mm_hint){ NULL, NULL })
const char *mm_message(struct mm_hint hint, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *mm_call_mismatch(const struct mm_call *call, long long failret, int want,
                             struct mm_hint hint);
const char *mm_call_failed(const struct mm_call *call, bool pointer, struct mm_hint hint);
void mm_judge_only(void);   /* aborts with a test-suite bug message inside a subject */
void mm_subject_init(void); /* from mm_init: remembers the runner's fds and shared maps */

/* ---- Processes: subjects that fork -------------------------------------------------------- */
/* Exit status of a child of student code that returned into the test instead of exiting. */
#define MM_STRAY_EXIT 86

/* Kills and reaps every child of this process, and the orphans that come back to it as a
 * subreaper, until none is left (bounded: about a second). */
void mm_kill_descendants(void);

/* Fork a helper process of the test itself; it must end with _exit(code). */
pid_t mm_fork(void);
/* Wait for pid at most timeout_ms; kills it on timeout. Returns its wait status (as from
 * waitpid) or -1 on timeout or error. */
int mm_wait(pid_t pid, int timeout_ms);
/* The uid a subject with .as_user switches to when the test runs as root. */
uid_t mm_unprivileged_uid(void);

/* Counts from /proc: live or zombie children of this process, zombies only, threads of
 * this process, open file descriptors, lines of /proc/self/maps. */
int mm_count_children(void);
int mm_count_zombies(void);
int mm_count_threads(void);
int mm_count_fds(void);
int mm_count_maps(void);
/* VmSize of this process in bytes: set RLIMIT_AS relative to it (ASan reserves ~20 TB). */
unsigned long long mm_vm_size(void);

/* ---- Files ---------------------------------------------------------------------------- */
/* Creates a temporary file holding len bytes of data (data may be NULL: zeros) and returns
 * its path; mm_fini removes it. The path stays valid until the end of the test. */
const char *mm_tmpfile(const void *data, size_t len);
/* A directory on a disk file system (not tmpfs, where msync has nothing to write back): the
 * first writable one of $MMTEST_DISK_DIR (the grader binds one into its sandbox), $TMPDIR,
 * /tmp, /var/tmp and the current directory; NULL if none is. */
const char *mm_disk_dir(void);
/* A fresh temporary directory, removed (recursively) by mm_fini. */
const char *mm_tmpdir(void);
/* Fills buf with reproducible pseudo-random bytes. */
void mm_fill_random(void *buf, size_t len, unsigned seed);
/* len such bytes in a malloc'd buffer (the caller frees it). */
unsigned char *mm_random_bytes(size_t len, unsigned seed);
size_t mm_page_size(void);       /* sysconf(_SC_PAGESIZE) */
long long mm_now_ms(void);       /* CLOCK_MONOTONIC in milliseconds: for deadlines */
void mm_sleep_ms(double ms);     /* sleeps ms, resumed after a signal */
/* Reads a whole file with read(2) into a malloc'd buffer (the test's own check, never the
 * student's path); returns NULL on error. *len receives its size. */
void *mm_slurp(const char *path, size_t *len);
/* "Library code prints nothing": in a subject, mm_quiet_begin sends stdout and stderr (the
 * descriptors: printf, perror and write(2) alike, from children too) to a memfd until
 * mm_quiet_end, which counts what arrived and keeps its first bytes. Return q in the
 * observations; mm_check_quiet (judge) fails the test, naming who printed what, unless
 * nothing did. */
#define MM_QUIET_SHOWN 80
struct mm_quiet {
    int out, saved_out, saved_err, setup_err;
    long long printed;
    char first[MM_QUIET_SHOWN + 1];
};
void mm_quiet_begin(struct mm_quiet *q);
void mm_quiet_end(struct mm_quiet *q);
void mm_check_quiet(struct mm_quiet *q, struct mm_hint hint, const char *who);
/* Path of a helper program built beside the test binary (e.g. "kvtool"). */
const char *mm_helper(const char *name);

#endif /* MMTEST_H */
