# flags.mk - every compiler flag of the project, once. Included by the top-level Makefile, the
# kit's Makefile and each lab's student Makefile; mmgrade gets MM_GRADE_CFLAGS when it is
# built (grader.mk); the mutation tool and the self-test read it with a one-line parser, so
# keep to plain `NAME := value` lines (no references, no conditionals).

# _GNU_SOURCE: the Linux mmap flags (MAP_ANONYMOUS, MAP_POPULATE, MAP_FIXED_NOREPLACE),
# memfd_create and copy_file_range are outside plain POSIX.
MM_CPPFLAGS     := -D_GNU_SOURCE
# Our own code and a student's `make` in a lab: -Werror, since a warning in the tree or in a
# lab is a bug to fix before anything is graded; -g for gdb.
MM_CFLAGS       := -std=c11 -O2 -g -Wall -Wextra -Werror
# Header dependency files beside the objects (make's builds only: the grader has none).
MM_DEPFLAGS     := -MMD -MP
# The sanitizer build: every test binary runs once more with it in `make test` and `make asan`.
MM_SANFLAGS     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Every test binary links the test framework, its JSON report and the subject's seccomp filter.
MM_TESTLIBS     := -lcriterion -lcjson -lseccomp
# A submitted file as the grader compiles it: the language and warnings of MM_CFLAGS, but no
# -Werror (a warning is feedback in the report, never a zero), no -g (the object is checked,
# not debugged) and no colour codes in the report. The mutation tool uses the same flags.
MM_GRADE_CFLAGS := -std=c11 -O2 -Wall -Wextra -fdiagnostics-color=never
