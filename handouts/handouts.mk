# handouts.mk - the handouts (pandoc to self-contained HTML, optional PDF) and the student kit.
#   make handouts   build/handouts/*.html (runs `make plot` first if the figures are missing)
#   make pdf        build/handouts/pdf/*.pdf when wkhtmltopdf is installed
#   make dist       build/dist/mmap-labs-student.tar.gz
# test-handouts and test-dist are part of `make test`.

HANDOUT_NAMES := primer lab1 lab2 lab3 instructor
HANDOUTS_OUT  := $(BUILD)/handouts
HANDOUTS_TEST := $(BUILD)/test-handouts
HANDOUTS_GEN  := $(BUILD)/handouts/gen
BENCH_PLOTS   := scan-warm ratio random copy ipc kv
ERRNO_PROBE   := $(BUILD)/handouts/errno-probe
ASAN_PROBE    := $(BUILD)/handouts/asan-probe
ERRNO_TSV     := $(HANDOUTS_GEN)/errno.tsv
DIST_TARBALL  := $(BUILD)/dist/mmap-labs-student.tar.gz

# Everything a page is made of; the rubric, mutants and plots are read by the filter.
HANDOUT_DEPS := handouts/style.css handouts/headings.txt handouts/tools/handouts.lua $(wildcard handouts/figures/*.svg) \
                $(wildcard harness/lab*/rubric.tsv harness/lab*/mutants.tsv) \
                $(wildcard handouts/instructor-hosted.md) $(ERRNO_TSV)

# --self-contained (pandoc 2.17; --embed-resources came in 2.19) inlines the CSS and the
# figures, so one .html file is the whole page. Sections are numbered; the TOC has 2 levels.
PANDOC_FLAGS := --from=markdown --to=html5 --standalone --self-contained --toc --toc-depth=2 \
                --number-sections --highlight-style=tango --css=handouts/style.css \
                --resource-path=.:handouts --lua-filter=handouts/tools/handouts.lua \
                --metadata=lang:en

# pandoc_page(out, md, name, tiny): one handout. tiny=1 lets missing figures be placeholders.
define pandoc_page
	@mkdir -p $(dir $(1))
	@$(if $(Q),echo "  PANDOC  $(1)")
	$(Q)HANDOUT=$(3) HANDOUTS_GEN=$(HANDOUTS_GEN) HANDOUTS_TINY=$(4) pandoc $(PANDOC_FLAGS) $(2) -o $(1).tmp
	$(Q)mv $(1).tmp $(1)
endef

# ---- The probes: run on this machine at build time ---------------------------------------
# errno-probe measures mmap and its neighbours; asan-probe, built with the sanitizers, what
# AddressSanitizer reports. Both print rows of one table; a failing probe fails the build.
$(ERRNO_PROBE): $(BUILD)/obj/handouts/probe/errno_probe.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $^ -o $@

$(ASAN_PROBE): $(BUILD)/asan/handouts/probe/asan_probe.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SANFLAGS) $^ -o $@

# Rerun on every build: the answer belongs to the machine, not to the source.
$(ERRNO_TSV): $(ERRNO_PROBE) $(ASAN_PROBE) FORCE
	@mkdir -p $(@D)
	$(Q)$(ERRNO_PROBE) > $@.tmp
	$(Q)$(ASAN_PROBE) >> $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
FORCE:

# ---- make handouts ------------------------------------------------------------------------
missing_plots = $(strip $(foreach p,$(BENCH_PLOTS),$(if $(wildcard $(BUILD)/plots/$(p).svg $(BUILD)/plots/$(p).png),,$(p))))

handouts: deps
	$(Q)if [ -n "$(missing_plots)" ] || [ ! -f $(BUILD)/bench/results.md ]; then \
	    echo "handouts: benchmark figures missing ($(or $(missing_plots),results.md)): running make plot"; \
	    $(MAKE) --no-print-directory plot; fi
	$(Q)$(MAKE) --no-print-directory handouts-html
	@echo "handouts: $(HANDOUTS_OUT)/*.html (open them in a browser)"

handouts-html: $(foreach h,$(HANDOUT_NAMES),$(HANDOUTS_OUT)/$(h).html)

$(HANDOUTS_OUT)/%.html: handouts/%.md $(HANDOUT_DEPS) $(wildcard $(BUILD)/plots/*.svg $(BUILD)/bench/results.md)
	$(call pandoc_page,$@,$<,$*,0)

pdf: handouts
	$(Q)if ! command -v wkhtmltopdf >/dev/null; then \
	    echo "pdf: wkhtmltopdf is not installed: skipped (the HTML pages print well too)"; \
	else mkdir -p $(HANDOUTS_OUT)/pdf; for h in $(HANDOUT_NAMES); do \
	    wkhtmltopdf --quiet --enable-local-file-access $(HANDOUTS_OUT)/$$h.html \
	        $(HANDOUTS_OUT)/pdf/$$h.pdf || exit 1; done; \
	    echo "pdf: $(HANDOUTS_OUT)/pdf/"; fi

# ---- test-handouts: quick build (placeholders for absent figures) and every check --------
test-handouts: $(foreach h,$(HANDOUT_NAMES),$(HANDOUTS_TEST)/$(h).html)
	$(Q)handouts/tools/check-snippets $(BUILD)/test-handouts/snippets handouts/*.md
	$(Q)handouts/tools/check-links $(HANDOUTS_TEST)/*.html
	$(Q)handouts/tools/check-refs handouts/headings.txt
	$(Q)handouts/tools/check-filter $(HANDOUTS_GEN)
	@echo "test-handouts: pages, probe claims, snippets, links and citations ok"

$(HANDOUTS_TEST)/%.html: handouts/%.md $(HANDOUT_DEPS)
	$(call pandoc_page,$@,$<,$*,1)

# ---- The student kit ------------------------------------------------------------------------
dist: handouts
	$(Q)kit/make-dist $(HANDOUTS_OUT) $(DIST_TARBALL)

# The kit check builds its own kit from the quick pages, so `make test` never runs a benchmark.
test-dist: $(foreach h,$(HANDOUT_NAMES),$(HANDOUTS_TEST)/$(h).html)
	$(Q)kit/make-dist $(HANDOUTS_TEST) $(BUILD)/test-dist/mmap-labs-student.tar.gz
	$(Q)kit/check-dist $(BUILD)/test-dist/mmap-labs-student.tar.gz

.PHONY: handouts handouts-html pdf dist test-handouts test-dist FORCE
TEST_TARGETS += test-handouts test-dist
