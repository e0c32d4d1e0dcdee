/* lab3_util.h - what the Lab 3 tests share: fresh store names (files and shm objects, always
 * removed), and running kvtool or kvhelper as separately started programs with a deadline.
 * Public tests include "lab3_util.h"; private ones by its path relative to theirs. */
#ifndef LAB3_UTIL_H
#define LAB3_UTIL_H

#include "mmtest.h"
#include "kvstore.h"
#include "kvcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Store names ---------------------------------------------------------------------- */
/* A path that does not exist yet, in a temporary directory mm_fini removes (a static
 * string: the last 16 stay valid). */
const char *kvt_path(void);
/* A fresh shared-memory name ("/mmtest-kv-..."); it is shm_unlink'ed when the test ends,
 * also when it fails; objects left by a crashed test are removed by the next one. */
const char *kvt_shm_name(void);
/* Whether /dev/shm holds the object called name. */
int kvt_shm_exists(const char *name);

/* ---- Other programs -------------------------------------------------------------------- */
struct kvt_run {
    int  status;            /* exit code, or -1: killed by a signal or over its deadline */
    int  signal;            /* the signal that killed it, or 0 */
    char out[8192];         /* its standard output (NUL-terminated, cut if longer) */
    char err[2048];         /* its standard error */
};

/* Runs the program prog (built beside the test: "kvtool", "kvhelper") with the arguments
 * that follow (NULL-terminated), at most timeout_ms; fills *r and returns r->status. */
int kvt_run(struct kvt_run *r, int timeout_ms, const char *prog, ...);

/* Starts prog with its arguments (argv[0] = prog) without waiting. go_fd (or -1) becomes
 * its fd 3, ready_fd (or -1) its fd 4; its output goes to /dev/null. */
pid_t kvt_spawn(const char *const argv[], int go_fd, int ready_fd);
/* Waits for a kvt_spawn'ed program: its exit code, or -1 (signal or deadline: killed). */
int kvt_wait(pid_t pid, int timeout_ms);

/* Sleeps ms milliseconds. */
void kvt_sleep_ms(double ms);

/* ---- Values ---------------------------------------------------------------------------- */
/* Puts generation gen of key's self-checking value (kvcheck.h). */
int kvt_put(struct kv *kv, const char *key, unsigned gen);

/* ---- Scenarios shared by public and private tests ----------------------------------- */
/* rounds times: four kvhelper programs released at one instant create the store called
 * name (a path, or a shm name when shm) and put a key each; all must succeed and all four
 * keys be there, then the store is removed. */
void kvt_create_race(const char *name, int shm, int rounds);
/* Two kvhelper programs at once each create the store and put nkeys keys of their own;
 * then every key must be there with its value. */
void kvt_two_writers(const char *name, int shm, int nkeys);
/* iterations times: a kvhelper writer is SIGKILLed at a random moment, then another
 * program must find every entry whole and be able to put, get and delete. */
void kvt_crash_loop(const char *name, int shm, int iterations);
/* A kvhelper writer replaces four keys for millis ms while this process reads them
 * through a KV_RDONLY handle: no torn value, no error other than ENOENT. */
void kvt_torn_readers(const char *name, int shm, int millis);

#define KVT_HINT_OPEN "check kv_open (handout lab3, \"Opening and creating a store (kv_open)\")."

#endif /* LAB3_UTIL_H */
