# selftest.mk - the grader's self-test (make test-selftest, part of make test).
# Included by the top-level Makefile. SELFTEST_REPEAT=20 grades the reference 20 times.
SELFTEST_DIR   := harness/selftest

test-selftest: deps $(BUILD)/bin/mmgrade $(BUILD)/bin/gsresult $(addsuffix -tests,$(LABS))
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
test-selftest-plain: deps $(BUILD)/bin/mmgrade $(BUILD)/bin/gsresult $(addsuffix -tests,$(LABS))
	$(Q)SELFTEST_ISOLATION=plain SELFTEST_ONLY="reference starter hostile" \
	    SELFTEST_HOSTILE="$(PLAIN_HOSTILE)" $(SELFTEST_DIR)/run-selftest

TEST_TARGETS += test-selftest-plain

# Every mutant, directly (its named test alone must fail); run-selftest samples mmgrade.
test-mutants: deps $(addsuffix -tests,$(LABS))
	$(Q)$(SELFTEST_DIR)/check-mutants $(LABS)

TEST_TARGETS += test-mutants

# The class report and the similarity check on a small generated class of lab 1 (~30 s).
test-class: deps $(BUILD)/bin/mmgrade $(BUILD)/bin/gsresult
	$(Q)$(SELFTEST_DIR)/class/check-class

TEST_TARGETS += test-class
