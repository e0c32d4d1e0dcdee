/* lab2_util.h - what the Lab 2 tests share: handout hints, the observations a subject hands
 * back (histograms, ring traffic), bounded waits on shared flags, serial reference counts.
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* A hint that names its handout section: HINT(S_ALLOC, "compare with MAP_FAILED"). */
#define HINT(section, text) MM_HINT(section, text)
#define S_ALLOC   "Shared and private allocators"
#define S_COUNTER "The shared counter"
#define S_HIST    "Parallel histogram"
#define S_RING    "The message ring"
#define S_ERRNO   "Errors and errno"
#define S_PROC    "Processes, zombies and stray children"
#define S_BUILD   "Building and testing"





/* ---- Inside a subject ------------------------------------------------------------------
 * Helper processes of a subject report to it through shared memory and exit statuses; the
 * subject hands raw values to the judge. Nothing here makes an assertion. */

/* Zeroed memory the subject shares with the helpers it forks (plain mmap, never student
 * code); release with munmap. A failed mmap ends the subject with a test-setup message. */
void *test_shared(size_t len);

/* Waits until *v >= want, at most timeout_ms by the clock. Returns 1 if it got there. */
int wait_at_least(atomic_int *v, int want, int timeout_ms);
/* Waits until *v has not changed for quiet_ms (at most timeout_ms); returns its value. */
int wait_quiet(atomic_int *v, int quiet_ms, int timeout_ms);

/* Lowers the soft RLIMIT_AS to the address space in use now (mm_vm_size(): ASan reserves
 * ~20 TB at start), so that the next mmap of any length fails with ENOMEM; *old keeps the
 * limit to restore with setrlimit. Returns 0, or an errno value (a test-setup failure). */
int limit_address_space(struct rlimit *old);

/* Tasks (processes and threads) of this process's real uid, machine-wide, as counted for
 * RLIMIT_NPROC; -1 on error. */
int uid_task_count(void);

/* Resident kB of the mapping that starts at addr (/proc/self/smaps "Rss"), or -1 if no
 * mapping starts there. Pages of a file in the page cache count only once this process's
 * own page table maps them, unlike mincore, which reports the page cache. */
long mapping_rss_kb(const void *addr);

/* Shared mappings ('s' in /proc/self/maps) of this process: the histogram's table is one;
 * the sanitizer's private allocator regions never are. */
int count_shared_maps(void);

/* The state letter of process pid (/proc/PID/stat: 'R', 'S', 'T', 'Z'...; '?' if gone);
 * *syscall_nr gets the system call it is blocked in, or -1 if that cannot be read. */
char proc_state(pid_t pid, long *syscall_nr);
/* Children of process pid (/proc/PID/task/PID/children), at most max; returns the count. */
int proc_children(pid_t pid, pid_t *kids, int max);

/* Waits until process pid sleeps in the kernel in a futex wait (a blocked pthread_cond_wait),
 * at most timeout_ms by the clock. Returns 1 if it saw that. */
int wait_futex_sleep(pid_t pid, int timeout_ms);

/* nprocs children (at most 16) add 1 to c, each max_adds times or for ms milliseconds
 * (0: no time limit) whichever ends first, all starting together: running for a while makes
 * them overlap even on a busy machine. *added gets the number of calls made. With hits,
 * hits[v] counts how often counter_add returned v (hits[0]: values outside 1..nprocs *
 * max_adds). Returns 0 if every child exited 0, else the first other status (mm_wait). */
int counter_race(struct counter *c, int nprocs, long max_adds, int ms, long *added,
                 atomic_uchar *hits);

/* The ring under load: nprod producer and ncons consumer processes share one ring of
 * capacity bytes. Producer p sends nmsgs messages of 16..maxlen bytes carrying (p, seq,
 * length, checksum); consumers check each and record it in the subject's shared memory;
 * once the producers are done a helper closes the ring and the consumers must drain and
 * end. The report holds counts only; mpmc_problem (in the judge) reads them. */
struct mpmc_report {
    int producer_status, consumer_status;  /* first bad status (mm_wait), or 0 */
    int close_status;                       /* of the child that called ring_close */
    int send_errno, recv_errno;             /* first unexpected errno in a child, or 0 */
    long missing, duplicated;               /* messages never / more than once received */
    long out_of_order, corrupt;             /* per-producer order broken; bad bytes/length */
};
void ring_mpmc(struct ring *r, int nprod, int ncons, int nmsgs, size_t maxlen,
               struct mpmc_report *rep);

/* What a subject saw of one parallel_histogram call. */
struct hist_seen {
    struct mm_call call;
    unsigned long long got[256];    /* hist afterwards (junk before the call) */
    unsigned long long past_end;    /* right after hist[255]: HIST_GUARD unless overrun */
    int children, zombies;          /* of the caller, right after the call returned */
};
#define HIST_GUARD 0x5a5a5a5a5a5a5a5aull
/* In a subject: parallel_histogram(data, len, n, hist) on a hist full of junk, followed by
 * a guard word; the call's text names len and n. */
void hist_observe(struct hist_seen *o, const void *data, size_t len, int n);

/* ---- In the judge ------------------------------------------------------------------------ */

/* "exited with 3", "killed by SIGSEGV", "did not finish in time" for mm_wait's result. */
const char *status_text(int status);
/* True if status (from mm_wait) is a normal exit with code. */
int exited_with(int status, int code);

/* malloc'd reproducible random bytes (never NULL; 1 byte for len 0). */

/* The test's own serial count of data[0, len). */
void serial_histogram(const unsigned char *data, size_t len, unsigned long long hist[256]);
/* First byte value where a and b differ, or -1 if they are equal. */
int hist_diff(const unsigned long long a[256], const unsigned long long b[256]);

/* The call in o wrote nothing past hist[255] (the guard word is intact). */
void hist_check_bounds(const struct hist_seen *o, size_t len, int n);
/* The call in o returned 0, wrote nothing past hist[255], and its hist equals the serial
 * count of data[0, len) (the judge's own copy); the failure message names len, n and the
 * first wrong entry. */
void hist_check(const struct hist_seen *o, const unsigned char *data, size_t len, int n,
                struct mm_hint hint);

/* One line describing what went wrong in rep, or NULL if nothing did. */
const char *mpmc_problem(const struct mpmc_report *rep);

#endif /* LAB2_UTIL_H */
