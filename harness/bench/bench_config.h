/* bench_config.h - every tunable of mmbench and every target it checks, in one place, each
 * with its reason. Change a number here, not in the workloads. */
#ifndef BENCH_CONFIG_H
#define BENCH_CONFIG_H

/* ---- Method ----------------------------------------------------------------------------- */
#define BC_ROUNDS_QUICK      11      /* medians of >= 11 rounds: one odd outlier cannot move them */
#define BC_ROUNDS_FULL       15
#define BC_MAX_ROUNDS        64
#define BC_MAX_SERIES        1024    /* a full run makes ~300 */
#define BC_MIN_SAMPLE_S      0.050   /* a sample repeats its work until it took >= 50 ms, so the
                                        clock and one-off costs stay below 1% */
#define BC_TINY_SAMPLE_S     0.002   /* --tiny (self-test only): checks the plumbing, not speed */
#define BC_NOISY_SPREAD      0.15    /* a point is noisy when (max - min) / median > 15% */
#define BC_NOISY_MIN_SIZE    (1 << 20) /* the run is noisy when a warm file point this big is */
#define BC_CHILD_TIMEOUT_S   30      /* a student's function checked in a child gets this long */

/* ---- Sizes ------------------------------------------------------------------------------ */
#define BC_MIN_SIZE          4096L            /* 4 KiB ... */
#define BC_MAX_SIZE          (1L << 30)       /* ... 1 GiB, doubling (full run) */
#define BC_COLD_MAX_QUICK    (1L << 20)       /* cold samples read the disk (~1 GB/s here):  */
#define BC_COLD_MAX_FULL     (256L << 20)     /* bigger cold points would blow the time budget */
#define BC_COPY_SIZE         (256L << 20)     /* the copy workload's file */
#define BC_COPY_FULL_CHECK   4                /* compare every 4th copy whole, else 64 pages */
#define BC_RANDOM_OP         4096             /* one random read: 4 KiB at a 4 KiB-aligned offset */
#define BC_PATTERN_SIZE      (1L << 20)       /* the data files repeat one block of text lines */
#define BC_IPC_RING_CAP      (1L << 20)       /* ring bytes: room for 16 of the biggest messages */

/* ---- Larger than memory (wl_pressure.c) and many readers (wl_readers.c): FULL=1 only ---- */
#define BC_PRESSURE_FILE     (1L << 30)       /* the file read under a memory limit */
#define BC_PRESSURE_TINY     (64L << 20)      /* --tiny: small enough for a test, big enough to
                                                 give the process room beside its pages */
#define BC_PRESSURE_FRACTIONS { 0.125, 0.25, 0.5, 2.0 } /* limit / file size; 2: it all fits */
#define BC_PRESSURE_MIN_LIMIT (16L << 20)     /* smaller limits made the OOM killer end the
                                                 process when the machine was busy */
#define BC_PRESSURE_ROUNDS   5       /* each sample reads the disk: 5 rounds keep the full run
                                        under 10 minutes and still give a median and a range */
#define BC_PRESSURE_RANDOM_S 0.5     /* a random-read sample lasts this long */
#define BC_PRESSURE_SCAN_S   1.0     /* a scan sample: one pass, or this long if slower */
#define BC_READERS_FRACTION  0.25    /* the many-readers point under pressure: limit / file */
#define BC_READERS_S         0.3     /* a many-readers sample lasts this long */
#define BC_READERS_MAX       64      /* --readers N: designed for machines with more cores */

/* ---- fio cross-check (fio.c) ------------------------------------------------------------ */
#define BC_FIO_RUNTIME_MS_QUICK 100  /* fio reports runtime in whole ms: 1% resolution */
#define BC_FIO_RUNTIME_MS_FULL  250
#define BC_FIO_RUNTIME_MS_TINY  20
#define BC_FIO_OUTPUT        (256 << 10)      /* fio's JSON report is ~6 KiB per job */

/* ---- Lab 3: unrelated processes sharing a table (wl_kv.c) ------------------------------ */
#define BC_KV_KEYS           1000    /* keys in the table: warm in the CPU caches, as in kvbench */
#define BC_KV_SLOTS          4096    /* slots of every table: a quarter full, short probes */
#define BC_KV_VALUE          64      /* bytes per value: key, writer, sequence number, checksum */
#define BC_KV_MAX_CLIENTS    2       /* client processes: 1 and 2 (this VM has 2 cores) */
#define BC_KV_STARTUP_S      10.0    /* clients must have opened the table within this */

/* ---- Targets (checked in the same run, written to summary.tsv) -------------------------- */
#define BC_TARGET_MMAP_CEILING  0.80   /* warm 1 GiB mmap scan >= 80% of the memory-scan ceiling */
#define BC_TARGET_COUNT_CEILING 0.85   /* mf_count_lines >= 85% of the memory-scan ceiling: its
                                          loop waits for memory, so that is its physical limit */
#define BC_TARGET_RUN_AGREE     0.10   /* two runs agree within 10% (compare-runs) */
/* Reported with their per-round ranges, not judged: `wc -l` and `cp` set these ratios as much
 * as our code does (wc -l's own loop, cp's choice of copy_file_range). */

#endif /* BENCH_CONFIG_H */
