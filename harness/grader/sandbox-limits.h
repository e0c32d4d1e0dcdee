/* sandbox-limits.h - every limit the grader puts on student work, and why it has that value.
 * A limit that can fire on a busy machine counts CPU time (the student's work), never wall
 * time; wall-clock limits are backstops for code that blocks, far above any honest need. */
#ifndef GRADER_LIMITS_H
#define GRADER_LIMITS_H

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

#endif /* GRADER_LIMITS_H */
