# harness/bench/bench.mk - the benchmark (included by the top-level Makefile):
#   build/bin/mmbench   linked with the reference mapfile.c, or yours: MAPFILE=path/to/mapfile.c
#   make bench          quick run -> build/bench/*.tsv        (FULL=1: the full run, ~15 min,
#                       with many readers and larger than memory, which need root)
#   make plot           quick run + figures -> build/plots/NAME.png/.svg + build/bench/results.md
#   make bench-figures  figures and results page from the TSV files already in build/bench
#   make test-bench     a tiny run whose TSV must parse and whose figures must render
BENCH_DIR   := harness/bench
BENCH_OUT   := $(BUILD)/bench
PLOT_OUT    := $(BUILD)/plots
MMBENCH     := $(BUILD)/bin/mmbench
MAPFILE     ?= $(lab1_solution)
BENCH_OBJS  := $(call objs,$(BUILD)/obj,$(wildcard $(BENCH_DIR)/*.c))
BENCH_IMPL  := $(BUILD)/bench/impl
# Lab 2's ring joins the ipc workload once its reference exists; without it ipc has
# pipe and socketpair only (and says so).
BENCH_RING  := $(wildcard $(lab2_solution))
# Lab 3's figure needs its reference store (and SQLite, from install-deps).
BENCH_KV    := $(wildcard $(lab3_solution))
BENCH_LINK  := $(BENCH_OBJS) $(BENCH_IMPL)/mapfile.o $(if $(BENCH_RING),$(BENCH_IMPL)/shared.o) \
               $(if $(BENCH_KV),$(BENCH_IMPL)/kvstore.o)
BENCH_LIBS  := -lcjson -lpthread -lrt $(if $(BENCH_KV),-lsqlite3)
BENCH_FLAGS := $(if $(filter 1,$(FULL)),--full,--quick)
# extra mmbench options, e.g. BENCH_ARGS=--tiny for a 10-second demo (not a measurement)
BENCH_ARGS  ?=

$(BENCH_OBJS): CPPFLAGS += -I$(lab1_DIR) -I$(lab2_DIR) -I$(lab3_DIR) -DMMBENCH_HAVE_FIO \
                           $(if $(BENCH_RING),-DMMBENCH_HAVE_RING) \
                           $(if $(BENCH_KV),-DMMBENCH_HAVE_KV) -DMMBENCH_MAPFILE='"$(MAPFILE)"'
# The implementation's path is recorded so that MAPFILE=other rebuilds and relinks.
$(BENCH_IMPL)/mapfile.path: FORCE
	@mkdir -p $(@D)
	@echo '$(MAPFILE)' | cmp -s - $@ || echo '$(MAPFILE)' > $@
$(call objs,$(BUILD)/obj,$(BENCH_DIR)/mmbench.c) $(BENCH_IMPL)/mapfile.o: $(BENCH_IMPL)/mapfile.path
$(BENCH_IMPL)/mapfile.o: $(MAPFILE)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (for mmbench)")
	$(Q)$(CC) $(CPPFLAGS) -I$(lab1_DIR) $(CFLAGS) -c $< -o $@
$(BENCH_IMPL)/shared.o: $(BENCH_RING)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (for mmbench)")
	$(Q)$(CC) $(CPPFLAGS) -I$(lab2_DIR) $(CFLAGS) -c $< -o $@
$(BENCH_IMPL)/kvstore.o: $(BENCH_KV)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (for mmbench)")
	$(Q)$(CC) $(CPPFLAGS) -I$(lab3_DIR) $(CFLAGS) -c $< -o $@
$(MMBENCH): $(BENCH_LINK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $^ -o $@ $(BENCH_LIBS)

.PHONY: bench plot bench-figures test-bench FORCE
bench: $(MMBENCH)
	$(Q)$(MMBENCH) $(BENCH_FLAGS) $(BENCH_ARGS) --dir $(BENCH_OUT)/data --out $(BENCH_OUT)
plot: bench
	$(Q)$(MAKE) --no-print-directory bench-figures
bench-figures:
	$(Q)$(BENCH_DIR)/plot $(BENCH_OUT) $(PLOT_OUT)
test-bench: deps $(MMBENCH)
	$(Q)$(BENCH_DIR)/test-bench $(MMBENCH) $(BUILD)/bench-test

ALL_TARGETS  += $(MMBENCH)
TEST_TARGETS += test-bench
