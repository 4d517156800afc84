# Magnet - build, test, bench.
#
#   make                 build ./magnet (and build/libmagnet.a)
#   make test            unit tests, fuzz-corpus replay, end-to-end tests
#   make test-full       the same plus the slow tiers (crash test, larger data)
#   make SANITIZE=address,undefined test
#   make valgrind        unit tests under valgrind
#   make fuzz            libFuzzer targets (clang)
#   make bench           all benchmarks (see bench/)
#   make demo            start Magnet on demo data
#
# Sources are found by wildcard: a new src/<module>/<file>.c, a new
# tests/unit/test_<name>.c or tests/fuzz/fuzz_<name>.c needs no edit here.

CC       ?= cc
SANITIZE ?=
O        ?= 2

ifeq ($(SANITIZE),)
BUILD    ?= build
else
BUILD    ?= build-san
endif

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
CPPFLAGS = -D_GNU_SOURCE -Isrc -I$(BUILD)/gen -I/usr/include/minizip
CFLAGS  ?= -std=c11 -O$(O) -g $(WARN)
LDLIBS   = -lsqlite3 -ljansson -lxlsxwriter -lminizip -lz -lexpat -lutf8proc \
           -lroaring -largon2 -lmicrohttpd -lpthread -lcrypto -lm

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

SRC_ALL  := $(sort $(wildcard src/*/*.c))
LIB_SRC  := $(SRC_ALL)
EMBED    := regions:data/regions-2023.csv industries:data/industries-gbt4754-2017.csv \
            chains:$(BUILD)/gen/chains.bundle scoring:data/scoring.json
EMBED_C  := $(foreach e,$(EMBED),$(BUILD)/gen/data_$(firstword $(subst :, ,$(e))).c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(EMBED_C:.c=.o)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/replay_%)

all: magnet

# Install missing Debian packages once (tools/install-deps.sh is a no-op
# when everything is there).
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): tools/install-deps.sh
	@tools/install-deps.sh
	@mkdir -p $(dir $@) && touch $@
deps: $(DEPS_STAMP)

magnet: $(DEPS_STAMP) $(BUILD)/magnet
	@if [ "$(BUILD)" = build ]; then ln -sf $(BUILD)/magnet magnet; fi

$(BUILD)/magnet: $(BUILD)/src/main.o $(BUILD)/libmagnet.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmagnet.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -include src/base/banned.h $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

define embed_rule
$(BUILD)/gen/data_$(1).c: $(2) $(BUILD)/tools/embed
	@mkdir -p $$(dir $$@)
	$(BUILD)/tools/embed magnet_data_$(1) $(2) $$@
endef
$(foreach e,$(EMBED),$(eval $(call embed_rule,$(firstword $(subst :, ,$(e))),$(lastword $(subst :, ,$(e))))))

# The default industry-chain taxonomy: data/chains/*.chain in one bundle,
# each file preceded by a line of the byte 0x1C and its name and followed by
# a newline (src/chain/taxonomy.c reads it back). The directory is a
# prerequisite so that adding or removing a file rebuilds the bundle.
CHAIN_FILES := $(sort $(wildcard data/chains/*.chain))
$(BUILD)/gen/chains.bundle: $(CHAIN_FILES) data/chains
	@mkdir -p $(dir $@)
	@for f in $(CHAIN_FILES); do printf '\034%s\n' "$${f##*/}"; cat "$$f"; printf '\n'; done > $@

# Unit tests: one binary per tests/unit/test_*.c, linked with the library.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmagnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -Wno-missing-prototypes -MMD -MP -o $@ $< \
	    $(BUILD)/libmagnet.a $(LDFLAGS) -lcmocka $(LDLIBS)

# Fuzz targets replayed over their corpus by a plain main (any compiler).
$(BUILD)/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libmagnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< tests/fuzz/replay.c \
	    $(BUILD)/libmagnet.a $(LDFLAGS) $(LDLIBS)

# libFuzzer builds (clang only): make fuzz; run e.g. build-fuzz/fuzz_csv tests/fuzz/corpus/csv
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SANITIZE=address,undefined \
	    CFLAGS="-std=c11 -O1 -g $(WARN) -fsanitize=fuzzer-no-link" build-fuzz/libmagnet.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "clang $$f"; \
	  clang $(CPPFLAGS) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -o build-fuzz/$$n $$f \
	    build-fuzz/libmagnet.a $(LDLIBS) || exit 1; done

# Helper programs for the tests (e.g. mkxlsx builds XLSX fixtures from text).
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libmagnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(BUILD)/libmagnet.a $(LDFLAGS) $(LDLIBS)

unit: $(DEPS_STAMP) $(UNIT_BIN)
fuzz-replay: $(FUZZ_REPLAY)

test: $(DEPS_STAMP) $(BUILD)/magnet unit fuzz-replay $(TOOL_BIN) $(BUILD)/eval/eval_chains
	@tests/run-tests.sh $(BUILD) quick

test-full: $(DEPS_STAMP) $(BUILD)/magnet unit fuzz-replay $(TOOL_BIN) $(BUILD)/eval/eval_chains
	@tests/run-tests.sh $(BUILD) full

valgrind: unit
	@tests/run-tests.sh $(BUILD) valgrind

demo: magnet
	@tools/demo.sh

bench: bench-import bench-classify bench-screen bench-http

bench-import: magnet
	@bench/import.sh

# Industry chains: the classifier against the labelled evaluation set
# (precision and recall per track; fails below 0.9 / 0.85 overall) and the
# classification benchmarks (matcher vs Hyperscan vs strstr; 10M end to end).
$(BUILD)/eval/%: tests/eval/%.c $(BUILD)/libmagnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(BUILD)/libmagnet.a $(LDFLAGS) $(LDLIBS)

# Precision and recall of the chain classifier: on the development set (labels
# written alongside the taxonomy: optimistic) and on the blind held-out set
# (labels written without seeing the taxonomy; digital_economy not labelled).
eval-chains: $(DEPS_STAMP) $(BUILD)/eval/eval_chains
	@echo "== development set: tests/data/chains-eval.csv"
	@$(BUILD)/eval/eval_chains --chains data/chains tests/data/chains-eval.csv
	@echo
	@echo "== blind held-out set: tests/data/chains-holdout.csv"
	@$(BUILD)/eval/eval_chains --chains data/chains --ignore-track digital_economy \
	    tests/data/chains-holdout.csv

bench-classify: magnet
	@if [ -x bench/classify.sh ]; then bench/classify.sh; else echo "bench/classify.sh: not there yet"; fi
	@bench/classify_e2e.sh

# Screening: the issue's Q1-Q8 against SQLite and DuckDB on 1M and 10M generated
# enterprises (1M only with BENCH_SCREEN_10M=0); see bench/screen.sh.
bench-screen: magnet
	@bench/screen.sh

# The HTTP server with wrk: lookups by USCC against nginx serving the same
# bytes, screening, a 60 s mixed read/write run; see tests/api/bench-http.sh.
bench-http: magnet
	@tools/install-deps.sh bench
	@tests/api/bench-http.sh

clean:
	rm -rf build build-san build-fuzz magnet

.PHONY: all deps magnet unit fuzz fuzz-replay test test-full valgrind demo bench bench-import bench-http \
        eval-chains bench-classify bench-screen clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
