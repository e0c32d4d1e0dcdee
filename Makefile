# mmap-labs - one build for the labs, reference solutions, tests, grader, benchmark and
# handouts. `make help` lists the targets; add V=1 to see every command.

.DEFAULT_GOAL := all
# Flags, the lab list (labs/*/lab.mk: its student file, API, tools and helpers; mmgrade reads
# it too), V=1 and the object rule: shared with the kit's Makefile.
include labs/common/build.mk

# ---- Labs --------------------------------------------------------------------------------
MMTEST_SRCS := labs/common/mmtest.c labs/common/mmsubject.c labs/common/mmreport.c

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC/SAN  $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

# lab_setup(lab): sources of the tests (public + private) and of each implementation; the
# provided tools (linked with the reference solution); the lab's `make test` part.
define lab_setup
$(1)_TESTS    := $$(wildcard $$($(1)_DIR)/tests/*.c) $$(wildcard harness/$(1)/tests/*.c)
$(1)_solution := solutions/$$(notdir $$($(1)_DIR))/$$($(1)_FILE)
$(1)_starter  := $$($(1)_DIR)/$$($(1)_FILE)
CPPFLAGS      += -I$$($(1)_DIR) -I$$($(1)_DIR)/tests  # tests: #include "labN_util.h"
TOOLS += $$(addprefix $(BUILD)/bin/,$$($(1)_TOOLS))
$$(addprefix $(BUILD)/bin/,$$($(1)_TOOLS)): $(BUILD)/bin/%: $(BUILD)/obj/$$($(1)_DIR)/%.o \
		$(BUILD)/obj/$$(basename $$($(1)_solution)).o
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$^ -o $$@ $$($(1)_LDLIBS)
test-$(1): deps $(1)-tests
	$$(Q)harness/run-lab-tests $(1)
TEST_TARGETS += test-$(1)
endef

# lab_rules(lab, impl, objdir, testdir, extra ldflags): the test binary of one lab linked
# with one implementation (solution or starter), and its helpers and tools beside it.
define lab_rules
$(4)/$(1)-$(2)/run: $$(call objs,$(3),$$($(1)_TESTS) $$(MMTEST_SRCS) $$($(1)_$(2)))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $(5) $$^ -o $$@ $$(TESTLIBS) $$($(1)_LDLIBS)
$$(addprefix $(4)/$(1)-$(2)/,$$($(1)_HELPERS)): $(4)/$(1)-$(2)/%: \
		$(3)/$$($(1)_DIR)/tests/helpers/%.o $$(call objs,$(3),$$($(1)_$(2)))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $(5) $$^ -o $$@ $$($(1)_LDLIBS)
$$(addprefix $(4)/$(1)-$(2)/,$$($(1)_TOOLS)): $(4)/$(1)-$(2)/%: \
		$(3)/$$($(1)_DIR)/%.o $$(call objs,$(3),$$($(1)_$(2)))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $(5) $$^ -o $$@ $$($(1)_LDLIBS)
$(1)-tests: $(4)/$(1)-$(2)/run $$(addprefix $(4)/$(1)-$(2)/,$$($(1)_HELPERS) $$($(1)_TOOLS))
endef

TOOLS :=
TEST_TARGETS :=
$(foreach lab,$(LABS),$(eval $(call lab_setup,$(lab))))
$(foreach lab,$(LABS),$(foreach impl,solution starter,\
    $(eval $(call lab_rules,$(lab),$(impl),$(BUILD)/obj,$(BUILD)/tests,))\
    $(eval $(call lab_rules,$(lab),$(impl),$(BUILD)/asan,$(BUILD)/asan/tests,$(SANFLAGS)))))

# ---- Components with their own fragments -------------------------------------------------
-include harness/grader/grader.mk
-include harness/selftest/selftest.mk
-include harness/hosted/hosted.mk
-include harness/bench/bench.mk
-include handouts/handouts.mk
-include harness/mutation/mutation.mk

# ---- Commands ----------------------------------------------------------------------------
.PHONY: all deps test demo help clean $(TEST_TARGETS) $(addsuffix -tests,$(LABS))

all: deps $(TOOLS) $(addsuffix -tests,$(LABS)) $(ALL_TARGETS)

# Installs the Debian packages the build needs (as root), or says which command to run.
deps:
	$(Q)harness/install-deps

test: deps
	$(Q)harness/run-tests $(TEST_TARGETS)

demo: deps all
	$(Q)harness/demo

clean:
	rm -rf $(BUILD)

help:
	@echo "make demo        install, build, grade the solutions and the starters, bench, plot, handouts"
	@echo "make test        the whole test suite (installs what is missing first); its parts, each alone:"
	@echo "                 $(TEST_TARGETS)"
	@echo "make grade SUB=path   grade one submission (directory, .tar.gz or .zip)"
	@echo "make bench | plot [FULL=1]   timing data and gnuplot figures"
	@echo "make handouts | pdf | dist     handouts (HTML, PDF with wkhtmltopdf), student kit"
	@echo "make gradescope [LAB=N] [HIDDEN=visible]   one Gradescope autograder.zip per lab"
	@echo "make autolab [AUTOLAB_LAB=N]   Autolab's autograde files under $(BUILD)/autolab"
	@echo "make mutation LAB=N [SAMPLE=K SEED=S MATCH=re ONLY=m001,.. MAX_SECONDS=T]   the share of reference mutants the tests kill"
	@echo "make clean       remove $(BUILD)/"
	@echo "V=1              show the full commands"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
