# hosted.mk - packages for hosted graders: make gradescope [LAB=1|2|3|all]
# [HIDDEN=after_published|after_due_date|visible] -> build/gradescope/labN/autograder.zip, one
# per lab without LAB; make autolab [AUTOLAB_LAB=...] -> autograde.tar + autograde-Makefile;
# GitHub Classroom: github-classroom/classroom.yml. gsresult reads a Gradescope results.json.
# Included by the top-level Makefile.
HOSTED_DIR     := harness/hosted
# One Gradescope assignment per lab (a Lab 1 hand-in must not be graded out of 300): every
# lab gets its own zip unless LAB (or the older GRADESCOPE_LAB) names one, or all.
GRADESCOPE_LABS = $(or $(LAB),$(GRADESCOPE_LAB),$(LABS:lab%=%))
HIDDEN         ?= after_published
AUTOLAB_LAB    ?= 1

$(BUILD)/bin/gsresult: $(BUILD)/obj/$(HOSTED_DIR)/gsresult.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $^ -o $@ -lcjson -lm

ALL_TARGETS += $(BUILD)/bin/gsresult

# Always rebuilt (cheap): the package must hold the tree as it is now.
.PHONY: gradescope autolab
gradescope:
	$(Q)set -e; for lab in $(GRADESCOPE_LABS); do \
	    $(HOSTED_DIR)/gradescope/make-zip $(BUILD)/gradescope/$${lab/#[0-9]/lab&}/autograder.zip \
	        $$lab $(HIDDEN); done
autolab:
	$(Q)$(HOSTED_DIR)/autolab/make-autolab $(BUILD)/autolab $(AUTOLAB_LAB)
