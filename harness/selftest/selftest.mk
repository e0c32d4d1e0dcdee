# selftest.mk - the grader's self-test (make test-selftest, part of make test) and the
# hosted-grader packages: make gradescope [GRADESCOPE_LAB=1|2|3|all] -> autograder.zip,
# make autolab [AUTOLAB_LAB=...] -> autograde.tar + autograde-Makefile.
# Included by the top-level Makefile. SELFTEST_REPEAT=20 grades the reference 20 times.
SELFTEST_DIR   := harness/selftest
GRADESCOPE_LAB ?= all
AUTOLAB_LAB    ?= 1

$(BUILD)/selftest/gsresult: $(BUILD)/obj/$(SELFTEST_DIR)/gsresult.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $^ -o $@ -lcjson -lm

# Always rebuilt (cheap): the package must hold the tree as it is now.
.PHONY: gradescope autolab
gradescope:
	$(Q)$(SELFTEST_DIR)/gradescope/make-zip $(BUILD)/gradescope/autograder.zip $(GRADESCOPE_LAB)
autolab:
	$(Q)$(SELFTEST_DIR)/examples/autolab/make-autolab $(BUILD)/autolab $(AUTOLAB_LAB)

test-selftest: deps $(BUILD)/bin/mmgrade $(BUILD)/selftest/gsresult $(addsuffix -tests,$(LABS))
	$(Q)$(SELFTEST_DIR)/run-selftest

TEST_TARGETS += test-selftest
ALL_TARGETS  += $(BUILD)/selftest/gsresult

# Every mutant, directly (its named test alone must fail); run-selftest samples mmgrade.
test-mutants: deps $(addsuffix -tests,$(LABS))
	$(Q)$(SELFTEST_DIR)/check-mutants $(LABS)

TEST_TARGETS += test-mutants

# The class report and the similarity check on a small generated class of lab 1 (~30 s).
test-class: deps $(BUILD)/bin/mmgrade $(BUILD)/selftest/gsresult
	$(Q)$(SELFTEST_DIR)/class/check-class

TEST_TARGETS += test-class
