# build.mk - what the top-level Makefile and the student kit's Makefile share: the flags
# (flags.mk), the lab list (each labs/*/lab.mk adds its id to LABS), quiet output, and the
# rule that compiles a source of the tree into $(BUILD)/obj.
SHELL         := /bin/bash
BUILD         := build
CC            := gcc
include labs/common/flags.mk
CPPFLAGS      := $(MM_CPPFLAGS) -Ilabs/common
CFLAGS        := $(MM_CFLAGS) $(MM_DEPFLAGS)
SANFLAGS      := $(MM_SANFLAGS)
TESTLIBS      := $(MM_TESTLIBS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LABS :=
include labs/lab*/lab.mk
# objs(dir, sources): the object files of sources under an object directory.
objs = $(patsubst %.c,$(1)/%.o,$(2))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
