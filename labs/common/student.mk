# student.mk - the rules every lab's student Makefile shares. In a lab directory:
#   make          build the tools and the public tests against your file
#   make test     run the public tests          make asan    the same under ASan+UBSan
#   make submit   package your file for hand-in make grade   grade it as the grader will
#   make clean

CC       := gcc
# The flags of the instructors' build (flags.mk says why each one is there).
include ../common/flags.mk
CPPFLAGS := $(MM_CPPFLAGS) -I. -I../common
CFLAGS   := $(MM_CFLAGS) $(MM_DEPFLAGS)
SANFLAGS := $(MM_SANFLAGS)
LABNUM   := $(LAB:lab%=%)
FILE     := $($(LAB)_FILE)
LDLIBS   := $($(LAB)_LDLIBS)
COMMON   := ../common/mmtest.c ../common/mmsubject.c ../common/mmreport.c
TESTS    := $(wildcard tests/*.c)
PROGRAMS := $($(LAB)_TOOLS) $($(LAB)_HELPERS)
SUBMISSION := $(LAB)-submission.tar.gz

.PHONY: all test asan submit grade clean
# Keep the objects of tools and helpers: without them make would relink those every time.
.SECONDARY:
all: build/run $(addprefix build/,$(PROGRAMS))

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

# Object paths for sources that may live in ../common: keep them inside build/.
obj = $(patsubst %.c,build/$(1)%.o,$(subst ../,up/,$(2)))
build/up/%.o: ../%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
build/asan/up/%.o: ../%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

build/run: $(call obj,,$(TESTS) $(COMMON) $(FILE))
	$(CC) $^ -o $@ $(MM_TESTLIBS) $(LDLIBS)
build/asan/run: $(call obj,asan/,$(TESTS) $(COMMON) $(FILE))
	$(CC) $(SANFLAGS) $^ -o $@ $(MM_TESTLIBS) $(LDLIBS)
# Tools (NAME.c here) and test helpers (tests/helpers/NAME.c) are linked with your file.
build/%: build/%.o build/$(FILE:.c=.o)
	$(CC) $^ -o $@ $(LDLIBS)
build/%: build/tests/helpers/%.o build/$(FILE:.c=.o)
	$(CC) $^ -o $@ $(LDLIBS)
build/asan/%: build/asan/%.o build/asan/$(FILE:.c=.o)
	$(CC) $(SANFLAGS) $^ -o $@ $(LDLIBS)
build/asan/%: build/asan/tests/helpers/%.o build/asan/$(FILE:.c=.o)
	$(CC) $(SANFLAGS) $^ -o $@ $(LDLIBS)

test: all
	./build/run $(if $(NO_COLOR),--color=never)
# The tests start the tools and helpers beside the test binary: build them with ASan too.
asan: build/asan/run $(addprefix build/asan/,$(PROGRAMS))
	./build/asan/run $(if $(NO_COLOR),--color=never)

# Only your file goes in: the grader takes headers and tests from its own copy.
submit: $(SUBMISSION)
$(SUBMISSION): $(FILE)
	tar -czf $@ $(FILE)
	@echo "Hand in $@ (it holds $(FILE) only)."

grade:
	$(MAKE) -C ../.. build/bin/mmgrade
	../../build/bin/mmgrade --lab $(LABNUM) .

clean:
	rm -rf build $(SUBMISSION)

-include $(shell find build -name '*.d' 2>/dev/null)
