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

/* ---- Targets (checked in the same run, written to summary.tsv) -------------------------- */
#define BC_TARGET_MMAP_CEILING  0.80   /* warm 1 GiB mmap scan >= 80% of the memory-scan ceiling */
#define BC_TARGET_COUNT_WC      2.0    /* mf_count_lines >= 2x the throughput of `wc -l` */
#define BC_TARGET_COPY_CP       1.3    /* mf_copy time <= 1.3x the time of `cp` */
#define BC_TARGET_RUN_AGREE     0.10   /* two runs agree within 10% (compare-runs) */

#endif /* BENCH_CONFIG_H */
