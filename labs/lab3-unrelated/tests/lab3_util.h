/* lab3_util.h - what the Lab 3 tests share: handout sections for hints, fresh store names
 * (files and shm objects, always removed), calls that a subject makes and reports back, and
 * kvtool or kvhelper started as separate sealed programs (mm_spawn) with a deadline.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Public tests include "lab3_util.h"; private ones by its path relative to theirs. */
#ifndef LAB3_UTIL_H
#define LAB3_UTIL_H

#include "mmtest.h"
#include "kvstore.h"
#include "kvcheck.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hint that names its handout section: HINT(S_OPEN, "check nslots"). */
#define HINT(section, text) MM_HINT(section, text)
#define S_SHARING  "Background: sharing by name"
#define S_LAYOUT   "Store layout"
#define S_OPEN     "Opening and creating a store (kv_open)"
#define S_ENTRIES  "Reading and writing entries (kv_put, kv_get, kv_del)"
#define S_READERS  "Lock-free readers and sequence counters"
#define S_RECOVERY "Crash recovery (robust mutexes)"
#define S_SYNC     "Persistence (kv_sync)"
#define S_ERRNO    "Errors and errno"

/* The hints most tests share. */
#define HINT_OPEN  HINT(S_OPEN, "everything else needs a working kv_open: open or create, " \
                        "check, then map MAP_SHARED")
#define HINT_CLOSE HINT(S_OPEN, "kv_close unmaps, closes and frees the handle")

/* ---- Store names ---------------------------------------------------------------------- */
/* A path that does not exist yet, in a temporary directory mm_fini removes (a static
 * string: the last 16 stay valid). Judge side. */
const char *kvt_path(void);
/* A fresh shared-memory name ("/mmtest-kv-..."); it is shm_unlink'ed when the test ends,
 * also when it fails; objects left by a crashed test are removed by the next one and by the
 * runner at its end. Judge side. */
const char *kvt_shm_name(void);
/* A path that does not exist yet in a directory on a disk (never tmpfs, where msync has
 * nothing to write): $MMTEST_DISK_DIR (the grader binds one into its sandbox), $TMPDIR or
 * /tmp, /var/tmp or the working directory, the first one on a disk. Removed by mm_fini;
 * fails the test if there is none. Judge side. */
const char *kvt_disk_path(void);
/* Kilobytes of dirty pages (Shared_Dirty + Private_Dirty in /proc/self/smaps) in this
 * process's mappings of the file at path (as realpath gives it); -1 if none maps it. */
long kvt_dirty_kb(const char *path);
/* Whether /dev/shm holds the object called name. */
bool kvt_shm_exists(const char *name);
/* Whether path exists (lstat). */
bool kvt_exists(const char *path);

/* Mappings of files (shm objects included) in /proc/self/maps: a subject's leak probe that
 * ASan's own anonymous mappings do not disturb. */
int kvt_count_file_maps(void);

/* ---- Calls a subject makes (inside MM_SUBJECT only) ---------------------------------- */
/* kv_open(name, nslots, flags) into *kv, with flags spelled out in the call's text (a path
 * shows as "path", a shared-memory name as itself). */
struct mm_call kvt_open(struct kv **kv, const char *name, size_t nslots, int flags);
/* kv_get(kv, key, buf, cap) into a buffer of KV_VALUE_MAX bytes filled with 0xA5 first: the
 * call as observed (its text shows the key) and the whole buffer afterwards. */
struct kvt_val {
    struct mm_call get;
    unsigned char buf[KV_VALUE_MAX];
};
struct kvt_val kvt_get(struct kv *kv, const char *key, size_t cap);
/* kv_put of generation gen of key's self-checking value (kvcheck.h). */
struct mm_call kvt_put(struct kv *kv, const char *key, unsigned gen);
/* kv_put, kv_del of key, with the key in the call's text. */
struct mm_call kvt_put_bytes(struct kv *kv, const char *key, const void *val, size_t len);
struct mm_call kvt_del(struct kv *kv, const char *key);

/* ---- What the judge makes of them ---------------------------------------------------- */
/* The value v got is exactly len bytes equal to want. */
bool kvt_val_is(const struct kvt_val *v, const void *want, size_t len);
/* The value v got is a whole kvcheck value of key (generation into *gen, may be NULL). */
bool kvt_val_whole(const struct kvt_val *v, const char *key, uint32_t *gen);
/* "missing (ENOENT)", "a torn or wrong value", ...: what v got, for a message. */
const char *kvt_val_text(const struct kvt_val *v, const char *key);

/* After MM_SUBJECT_WITH(o, .timeout_ms = ..., .may_die = true): fails the test unless the
 * subject returned; a subject over its deadline fails it with "what did not return within
 * N s" and the hint, any other end with the usual message. */
void kvt_check_returned(int timeout_ms, struct mm_hint hint, const char *what);

/* ---- Other programs (started with mm_spawn: sealed subjects) ------------------------ */
struct kvt_run {
    int  status;            /* exit code, or -1: killed by a signal or over its deadline */
    int  signal;            /* the signal that killed it, or 0 */
    char out[8192];         /* its standard output (NUL-terminated, cut if longer) */
    char err[2048];         /* its standard error */
};

/* Runs the program prog (built beside the test: "kvtool", "kvhelper") with the arguments
 * that follow (NULL-terminated), at most timeout_ms; fills *r and returns r->status. */
int kvt_run(struct kvt_run *r, int timeout_ms, const char *prog, ...);

/* Starts argv[0] ("kvhelper", "kvtool") with its arguments without waiting; its standard
 * output goes to out_fd (or /dev/null), its standard error to a log of the test that
 * kvt_helper_said shows. kvhelper --sync uses its standard input and output as pipes (see
 * kvhelper.c): in_fd (or -1: /dev/null). Judge side. */
pid_t kvt_spawn(const char *const argv[], int in_fd, int out_fd);
/* What the programs kvt_spawn started wrote to standard error so far, as " (it said:
 * ...)" for a message, or "". */
const char *kvt_helper_said(void);
/* Waits for a kvt_spawn'ed program: its exit code, or -1 (signal or deadline: killed). */
int kvt_wait(pid_t pid, int timeout_ms);

/* Subject side, for tests of reads past the last slot: the smallest slot count (up to 256)
 * whose new store at path is a whole number of pages (created and removed again), or 0; and
 * whether a mapping of path ends exactly where guard begins (/proc/self/maps). */
size_t kvt_page_sized_slots(const char *path);
bool kvt_mapped_right_below(const char *path, const void *guard);
/* A kv_foreach callback that counts its calls in *(int *)arg. */
int kvt_count_visit(const char *key, const void *val, size_t len, void *arg);

/* Sleeps ms milliseconds; the monotonic clock in ms. */



/* ---- Scenarios shared by public and private tests ----------------------------------- */
/* rounds times: four kvhelper programs released at one instant create the store called
 * name (a path, or a shm name when shm) and put a key each; all must succeed and all four
 * keys be there, then the store is removed. */
void kvt_create_race(const char *name, bool shm, int rounds);
/* Two kvhelper programs at once each create the store and put nkeys keys of their own;
 * then every key must be there with its value. */
void kvt_two_writers(const char *name, bool shm, int nkeys);
/* iterations times: a kvhelper writer is SIGKILLed at a random moment, then another
 * program must find every entry whole and be able to put, get and delete. */
void kvt_crash_loop(const char *name, bool shm, int iterations);
/* A kvhelper writer replaces four keys for millis ms while a subject reads them through a
 * KV_RDONLY handle: no torn value, no error other than ENOENT. */
void kvt_torn_readers(const char *name, bool shm, int millis);

/* iterations times: a kvhelper writer is SIGKILLed at a random moment (perhaps in the middle
 * of a change, holding the lock); before anybody repairs the store, a subject reads every
 * key through a KV_RDONLY handle: each read must end, with a whole value or ENOENT. */
void kvt_readers_after_kills(const char *name, bool shm, int iterations);

#endif /* LAB3_UTIL_H */
