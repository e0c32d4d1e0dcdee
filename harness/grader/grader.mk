# grader.mk - builds build/bin/mmgrade (the grader) and its unit checks; included by the
# top-level Makefile. `make grade SUB=path` grades one submission.
GRADER_SRCS := $(wildcard harness/grader/*.c)
GRADER_OBJS := $(call objs,$(BUILD)/obj,$(GRADER_SRCS))

# The grader compiles the lab's tests and each submitted file with flags.mk's values.
$(BUILD)/obj/harness/grader/build.o: labs/common/flags.mk
$(BUILD)/obj/harness/grader/build.o: CPPFLAGS += \
    -DMM_GRADE_CFLAGS='"$(MM_CPPFLAGS) $(MM_GRADE_CFLAGS)"'

$(BUILD)/bin/mmgrade: $(GRADER_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $^ -o $@ -lcjson

ALL_TARGETS += $(BUILD)/bin/mmgrade

.PHONY: grade test-grader test-grader-plain
grade: $(BUILD)/bin/mmgrade
	@test -n "$(SUB)" || { echo "usage: make grade SUB=path (a directory, .tar.gz or .zip)"; exit 2; }
	$(BUILD)/bin/mmgrade $(SUB)

# The grader's own quick checks; the full self-test lives in harness/selftest. Once more in
# plain isolation: what hosted graders without user namespaces (Docker, CI) run.
# The tools too: test-grader checks every program's usage conventions and errors.
test-grader: $(BUILD)/bin/mmgrade $(TOOLS) $(BUILD)/bin/mmbench
	$(Q)harness/grader/test-grader $(BUILD)/bin/mmgrade
test-grader-plain: $(BUILD)/bin/mmgrade $(TOOLS) $(BUILD)/bin/mmbench
	$(Q)TEST_GRADER_ISOLATION=plain harness/grader/test-grader $(BUILD)/bin/mmgrade
TEST_TARGETS += test-grader test-grader-plain
