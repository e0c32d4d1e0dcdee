# mutation.mk - `make mutation LAB=N`: how many first-order mutants of lab N's reference the
# tests kill (harness/mutation/mutation.py; report in build/mutation/labN/). Minutes, not
# part of `make test`; `make test-mutation` checks the tool itself on a handful of mutants.
# SAMPLE=K [SEED=S]: K mutants drawn at random; MATCH=regex: only mutants whose description
# matches; ONLY=m001,m017: only those (numbering is stable while the reference is unchanged);
# MAX_SECONDS=T: stop grading after T seconds (the rest is reported as not graded).
MUTATION_DIR := harness/mutation
SEED        ?= 1

.PHONY: mutation test-mutation
mutation: deps $(if $(LAB),lab$(LAB:lab%=%)-tests)
	$(Q)$(if $(LAB),,echo "make mutation: say which lab: make mutation LAB=1" >&2; exit 2;) \
	python3 $(MUTATION_DIR)/mutation.py --lab $(LAB) --build $(BUILD) --seed $(SEED) \
	    $(if $(SAMPLE),--sample $(SAMPLE)) $(if $(MAX_SECONDS),--max-seconds $(MAX_SECONDS)) \
	    $(if $(MATCH),--match '$(MATCH)') $(if $(ONLY),--only '$(ONLY)')

test-mutation: deps lab1-tests
	$(Q)$(MUTATION_DIR)/test-mutation

TEST_TARGETS += test-mutation
