# student-bench.mk - `make bench` in labs/lab1-fileio: times YOUR mf_count_lines and mf_copy
# against read(2)/write(2), mmap, `wc -l` and `cp`, then draws the figures (handout lab1,
# "Benchmark"). Included by the lab's Makefile after ../common/student.mk; needs gnuplot.
BENCH_SRC  := ../../harness/bench
BENCH_OUT  := build/bench
BENCH_BIN  := $(BENCH_OUT)/mmbench
# quick: about a minute and a half; the data file (up to 1 GiB) is removed at the end
BENCH_ARGS ?= --quick --only scan,copy

.PHONY: bench
bench: $(BENCH_BIN)
	./$(BENCH_BIN) $(BENCH_ARGS) --dir $(BENCH_OUT)/data --out $(BENCH_OUT)
	$(BENCH_SRC)/plot $(BENCH_OUT) $(BENCH_OUT)/plots
	@echo "Your mapfile.c against read/write: $(BENCH_OUT)/plots/scan-warm.png, copy.png; table: $(BENCH_OUT)/results.md"

# One compile of every mmbench source with your mapfile.c (no dependency files: -MMD off).
$(BENCH_BIN): $(wildcard $(BENCH_SRC)/*.c $(BENCH_SRC)/*.h) $(FILE) mapfile.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(BENCH_SRC) $(filter-out -MMD -MP,$(CFLAGS)) \
	    -DMMBENCH_MAPFILE='"your $(FILE)"' $(filter %.c,$^) -o $@ -pthread
