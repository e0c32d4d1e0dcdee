# selftest.mk - the grader's self-test (make test-selftest, part of make test) and the
# hosted-grader packages: make gradescope [LAB=1|2|3|all] [HIDDEN=after_published|
# after_due_date|visible] -> build/gradescope/labN/autograder.zip, one per lab without LAB;
# make autolab [AUTOLAB_LAB=...] -> autograde.tar + autograde-Makefile.
# Included by the top-level Makefile. SELFTEST_REPEAT=20 grades the reference 20 times.
SELFTEST_DIR   := harness/selftest
# One Gradescope assignment per lab (a Lab 1 hand-in must not be graded out of 300): every
# lab gets its own zip unless LAB (or the older GRADESCOPE_LAB) names one, or all.
GRADESCOPE_LABS = $(or $(LAB),$(GRADESCOPE_LAB),$(LABS:lab%=%))
HIDDEN         ?= after_published
AUTOLAB_LAB    ?= 1

$(BUILD)/selftest/gsresult: $(BUILD)/obj/$(SELFTEST_DIR)/gsresult.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $^ -o $@ -lcjson -lm

# Always rebuilt (cheap): the package must hold the tree as it is now.
.PHONY: gradescope autolab
gradescope:
	$(Q)set -e; for lab in $(GRADESCOPE_LABS); do \
	    $(SELFTEST_DIR)/gradescope/make-zip $(BUILD)/gradescope/$${lab/#[0-9]/lab&}/autograder.zip \
	        $$lab $(HIDDEN); done
autolab:
	$(Q)$(SELFTEST_DIR)/examples/autolab/make-autolab $(BUILD)/autolab $(AUTOLAB_LAB)

test-selftest: deps $(BUILD)/bin/mmgrade $(BUILD)/selftest/gsresult $(addsuffix -tests,$(LABS))
	$(Q)$(SELFTEST_DIR)/run-selftest

TEST_TARGETS += test-selftest

# The same checks of scores and of the hostile corpus in plain isolation: what hosted graders
# without user namespaces (Gradescope, CI containers) run.
# The hostile cases whose defence differs between the modes (reading, writing, leaving things
# behind, the verdict's channel); the long timing cases (all-loop, ignore-sigterm) run in the
# bubblewrap pass only, to keep make test short. SELFTEST_HOSTILE=all here runs every case.
PLAIN_HOSTILE ?= lto-bytecode forge-assert proc-mem-judge splice-read read-test-binary \
                 decoy-histogram tmpfs-hog ipc-litter archive-names fork-bomb shm-leak \
                 write-files daemon exit-midway
test-selftest-plain: deps $(BUILD)/bin/mmgrade $(BUILD)/selftest/gsresult $(addsuffix -tests,$(LABS))
	$(Q)SELFTEST_ISOLATION=plain SELFTEST_ONLY="reference starter hostile" \
	    SELFTEST_HOSTILE="$(PLAIN_HOSTILE)" $(SELFTEST_DIR)/run-selftest

TEST_TARGETS += test-selftest-plain
ALL_TARGETS  += $(BUILD)/selftest/gsresult

# Every mutant, directly (its named test alone must fail); run-selftest samples mmgrade.
test-mutants: deps $(addsuffix -tests,$(LABS))
	$(Q)$(SELFTEST_DIR)/check-mutants $(LABS)

TEST_TARGETS += test-mutants

# The class report and the similarity check on a small generated class of lab 1 (~30 s).
test-class: deps $(BUILD)/bin/mmgrade $(BUILD)/selftest/gsresult
	$(Q)$(SELFTEST_DIR)/class/check-class

TEST_TARGETS += test-class
