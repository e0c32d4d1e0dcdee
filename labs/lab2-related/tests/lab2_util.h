/* lab2_util.h - what the Lab 2 tests share: handout hints, test-owned shared flags with
 * bounded waits, child-status descriptions, serial reference counts.
 * Not a test file itself: tests/lab2_util.c is linked into the test binary. */
#ifndef LAB2_UTIL_H
#define LAB2_UTIL_H

#include "mmtest.h"
#include "../shared.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A hint that names its handout section: HINT(S_ALLOC, "compare with MAP_FAILED"). */
#define HINT(section, text) text " (handout lab2, \"" section "\")."
#define S_ALLOC   "Shared and private allocators"
#define S_COUNTER "The shared counter"
#define S_HIST    "Parallel histogram"
#define S_RING    "The message ring"
#define S_ERRNO   "Errors and errno"
#define S_PROC    "Processes, zombies and stray children"

size_t pg(void);                            /* sysconf(_SC_PAGESIZE) */
void sleep_ms(int ms);

/* Memory the test itself shares with its children (plain mmap, never student code);
 * zeroed. Fails the test if it cannot be made. */
void *test_shared(size_t len);

/* Waits at most timeout_ms until *v >= want. Returns 1 if it got there, else 0. */
int wait_at_least(atomic_int *v, int want, int timeout_ms);
/* Waits until *v has not changed for quiet_ms (at most timeout_ms); returns its value. */
int wait_quiet(atomic_int *v, int quiet_ms, int timeout_ms);

/* "exited with 3", "killed by SIGSEGV", "did not finish in time" for mm_wait's result. */
const char *status_text(int status);
/* True if status (from mm_wait) is a normal exit with code. */
int exited_with(int status, int code);

/* malloc'd reproducible random bytes (never NULL; 1 byte for len 0). */
unsigned char *random_bytes(size_t len, unsigned seed);
/* The test's own serial count of data[0, len). */
void serial_histogram(const unsigned char *data, size_t len, unsigned long long hist[256]);
/* First byte value where a and b differ, or -1 if they are equal. */
int hist_diff(const unsigned long long a[256], const unsigned long long b[256]);

/* Tasks (processes and threads) of this process's real uid, machine-wide, as counted for
 * RLIMIT_NPROC; -1 on error. */
int uid_task_count(void);

/* nprocs children (at most 16) add 1 to c, each max_adds times or for ms milliseconds
 * (0: no time limit) whichever ends first, all starting together: running for a while makes
 * them overlap even on a busy machine. *added gets the number of calls made. With hits,
 * hits[v] counts how often counter_add returned v (hits[0]: values outside 1..nprocs *
 * max_adds). Returns 0 if every child exited 0, else the first other status. */
int counter_race(struct counter *c, int nprocs, long max_adds, int ms, long *added,
                 atomic_uchar *hits);

/* The ring under load: nprod producer and ncons consumer processes share one ring of
 * capacity bytes. Producer p sends nmsgs messages of 16..maxlen bytes carrying (p, seq,
 * length, checksum); consumers check each and record it in test-owned shared memory; once
 * the producers are done the test closes the ring and the consumers must drain and end. */
struct mpmc_report {
    int producer_status, consumer_status;  /* first bad status (mm_wait), or 0 */
    int close_status;                       /* of the child that called ring_close */
    int send_errno, recv_errno;             /* first unexpected errno in a child, or 0 */
    long missing, duplicated;               /* messages never / more than once received */
    long out_of_order, corrupt;             /* per-producer order broken; bad bytes/length */
};
void ring_mpmc(struct ring *r, int nprod, int ncons, int nmsgs, size_t maxlen,
               struct mpmc_report *rep);
/* One line describing what went wrong in rep, or NULL if nothing did. */
const char *mpmc_problem(const struct mpmc_report *rep);

#endif /* LAB2_UTIL_H */
