/* grader-config.h - every limit and timeout of mmgrade, each once, with the reason for its
 * value; messages print these values, never repeat them. A limit that can fire on a busy
 * machine counts CPU time (the student's work), never wall time; wall-clock limits are
 * backstops for code that blocks, far above any honest need. */
#ifndef GRADER_CONFIG_H
#define GRADER_CONFIG_H

/* ---- Memory a sandbox can pin outside its address space (RLIMIT_AS misses tmpfs) ------- */
/* The private /tmp (bubblewrap; plain mode with a mount namespace): lab 1's tests write
 * files of up to ~130 MiB there. Divided among --jobs, never below the floor. */
#define TMP_BYTES_MAX        (512ul << 20)
#define TMP_BYTES_MIN        (192ul << 20)
/* What all running sandboxes together may hold in tmpfs: a quarter of the RAM. */
#define TMPFS_RAM_SHARE      4
/* The private /dev/shm: the labs' shared objects are a few pages to a few MiB. */
#define SHM_BYTES            (64ul << 20)

/* ---- Compiling and linking the student file ------------------------------------------ */
/* CPU seconds: gcc needs < 1 s for any honest lab file; a #include of /dev/zero or a
 * template explosion burns CPU and ends here. */
#define COMPILE_CPU          30
/* Wall backstops for what blocks without CPU (a FIFO #include), 4x the CPU limit so that
 * a machine with load 4 still finishes honest work. */
#define COMPILE_WALL         (4.0 * COMPILE_CPU)
#define DEPS_CPU             10
#define DEPS_WALL            (4.0 * DEPS_CPU)
#define LINK_CPU             60
#define LINK_WALL            (4.0 * LINK_CPU)
/* Per compiler process: gcc needs well under 100 MiB for a lab file; 2 GiB stops a template
 * or macro explosion before it takes the machine's memory. */
#define BUILD_AS_BYTES       (2ul << 30)
#define BUILD_FSIZE_BYTES    (64ul << 20)    /* an object or assembly file of a lab is < 1 MiB */
#define BUILD_NOFILE         256
#define BUILD_NPROC          64              /* gcc runs cc1, as, collect2, ld */
#define BUILD_OUTPUT_KEEP    (64u << 10)     /* compiler messages kept; the report shows less */
#define SOURCE_MAX           (1u << 20)      /* a student file larger than this is refused */

/* ---- Running the tests ---------------------------------------------------------------- */
/* Per test, the CPU time of all its processes (runner's share, judge, subjects): FACTOR
 * times what the reference needs for that test on this machine, at least FLOOR. An
 * all-looping lab (~80 tests) then ends in FLOOR x tests, under a minute. */
#define TEST_CPU_FACTOR      6.0
#define TEST_CPU_FLOOR       0.3
/* A test whose reference runs 2 or more processes on the CPU at once (writers contending for
 * a lock, readers retrying): spinning and retries grow with the machine's load. */
#define TEST_CPU_FLOOR_CONTENDED 2.0
/* Times measured where a hosted grader's package was made (make gradescope, make autolab),
 * used on a machine that may be slower. */
#define SHIPPED_CPU_MARGIN   2.5
/* Without a calibration (no reference in the tree, e.g. the student kit): per test. */
#define TEST_CPU_DEFAULT     2.0
/* Per process, as RLIMIT_CPU (whole seconds): a backstop behind the per-test budget. */
#define TEST_RLIMIT_CPU      60
/* Per process of a test: lab 1 maps and writes files of up to ~130 MiB (address space for the
 * mappings and the test's own copies; file size for the files it writes). */
#define TEST_AS_BYTES        (2ul << 30)
#define TEST_FSIZE_BYTES     (256ul << 20)
#define TEST_NOFILE          512
/* Processes of the sandbox uid: Criterion's runner, lab 2's forked workers and lab 3's
 * helpers; a fork bomb ends here. */
#define TEST_NPROC           160
/* Wall seconds of one test run alone without --test-timeout: a backstop, the CPU budget
 * above decides. With --test-timeout S the runner's own timeout fires first and the
 * backstop is S + TEST_WALL_SLACK; a run of all tests stops after S + TEST_IDLE_SLACK
 * without a report line. */
#define TEST_WALL_DEFAULT    60.0
#define TEST_WALL_SLACK      5.0
#define TEST_IDLE_SLACK      10.0
/* Wall seconds for all tests of one lab (--lab-timeout): half for the run of the whole
 * binary, the rest for tests run again alone. */
#define LAB_TIMEOUT_DEFAULT  300.0
/* Bytes of a test's output kept for the report (a student reads the start of it). One run
 * of all tests keeps only enough to see whether any test printed. */
#define TEST_OUTPUT_KEEP     (16u << 10)
#define RUN_ALL_OUTPUT_KEEP  4096
/* `run --list` prints the test names and runs nothing. */
#define LIST_WALL            30.0
#define LIST_OUTPUT_KEEP     (1u << 20)

/* ---- Reading a submission --------------------------------------------------------------- */
/* An archive holds three small C files; anything bigger is not a lab submission. */
#define ARCHIVE_MAX          (64u << 20)
/* tar or unzip, sandboxed, extracting only members named like a student file: a zip bomb or
 * a pathological archive ends at these limits. */
#define EXTRACT_CPU          30
#define EXTRACT_WALL         30.0
#define EXTRACT_AS_BYTES     (1ul << 30)
#define EXTRACT_FSIZE_BYTES  (16ul << 20)
#define EXTRACT_NOFILE       64
#define EXTRACT_NPROC        16              /* tar runs its decompressor as a child */
#define EXTRACT_OUTPUT_KEEP  4096            /* the tool's complaints: three lines are shown */
/* The search for the student files: how deep, and how many entries in all. */
#define WALK_DEPTH           32
#define WALK_ENTRIES         100000

/* ---- The grader's own commands ------------------------------------------------------------ */
/* /bin/true under bubblewrap or in root's namespaces: tells whether they work here. */
#define PROBE_WALL           20.0
/* --jobs: more than this only adds contention (each job runs its tests one at a time). */
#define JOBS_MAX             64

#endif /* GRADER_CONFIG_H */
