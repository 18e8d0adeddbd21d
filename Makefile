# certsweep: one non-recursive Makefile. Everything except scanner/main.c
# builds into build/libcertsweep.a, which the binary, tests and fuzzers link.

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
CC	?= cc
VERSION	 = 0.1.0

PKGS	 = libssl libcrypto libevent libevent_openssl libevent_pthreads \
	   sqlite3 jansson
# Headers only: scanner/dynlib.c dlopen()s these when sniff, --geoip-* or
# --policy need them (linked, they cost every process ~3.6 ms of start-up,
# ~3.4 ms of it libpcap's dependency tree).
DL_PKGS	 = libpcap libmaxminddb inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DL_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	 = -Wall -Wextra -Werror -Wpedantic -Wformat=2 -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	   -Wcast-qual -Wwrite-strings -Wvla -Wundef -Wimplicit-fallthrough
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT	?= -O2 -g
# make V=1 shows every command
Q	 = $(if $(V),,@)
CFLAGS	+= -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -MMD -MP \
	   -I. -DCERTSWEEP_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS	+= -pie -Wl,-z,relro,-z,now $(EXTRA_LDFLAGS)
LDLIBS	+= $(PKG_LIBS) -lpthread -lm

LIB_SRC	 = $(filter-out scanner/main.c,$(wildcard scanner/*.c)) \
	   $(wildcard probes/*.c) $(wildcard report/*.c) $(wildcard db/*.c)
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS = $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
UNIT_HOBJ = $(UNIT_HELPERS:%.c=$(BUILD)/%.o)

all: $(BUILD)/certsweep

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),:,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The schema is embedded in the binary: db/schema.sql -> C string.
$(BUILD)/db/schema.h: db/schema.sql
	@mkdir -p $(dir $@)
	{ echo 'static const char schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@
$(BUILD)/db/migrate.o: $(BUILD)/db/schema.h
$(BUILD)/db/migrate.o: CFLAGS += -I$(BUILD)/db

$(BUILD)/libcertsweep.a: $(LIB_OBJ)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/certsweep: $(BUILD)/scanner/main.o $(BUILD)/libcertsweep.a
	@$(if $(V),:,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HOBJ) $(BUILD)/libcertsweep.a
	@mkdir -p $(dir $@)
	@$(if $(V),:,echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< \
	    $(UNIT_HOBJ) $(BUILD)/libcertsweep.a $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
	  echo "== $$t"; CERTSWEEP_SRC=$(CURDIR) $$t || fail=1; done; \
	  test $$fail = 0

integration: $(BUILD)/certsweep
	CERTSWEEP=$(CURDIR)/$(BUILD)/certsweep tests/integration/run.sh

test: unit integration

deps:
	@scripts/deps.sh

# make check: dependencies, normal build + every test, then the same suite
# under ASan+UBSan.
# Compiles run two at a time (the machine has two cores); tests one at a time.
check: deps
	@scripts/lint.sh
	$(MAKE) -j2 all unit-bins
	$(MAKE) test
	$(MAKE) -j2 asan
	$(MAKE) asan-test
	$(MAKE) -j2 fuzz
	$(MAKE) fuzz-smoke

asan:
	$(MAKE) BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	    EXTRA_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all' \
	    EXTRA_LDFLAGS='-fsanitize=address,undefined' HARDEN= all unit-bins

asan-test: asan
	$(MAKE) BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	    EXTRA_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all' \
	    EXTRA_LDFLAGS='-fsanitize=address,undefined' HARDEN= test

unit-bins: $(UNIT_BIN)

# Every unit test under valgrind (memcheck): any error or leak fails.
VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full \
	   --show-leak-kinds=definite,indirect,possible \
	   --errors-for-leak-kinds=definite,indirect,possible
valgrind: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
	  echo "== valgrind $$t"; \
	  CERTSWEEP_SRC=$(CURDIR) $(VALGRIND) $$t >$$t.valgrind.log 2>&1 || \
	  { fail=1; tail -40 $$t.valgrind.log; }; done; \
	  test $$fail = 0

# libFuzzer targets: tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/corpus/NAME/.
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 5
# the smoke run skips the per-probe targets: fuzz_probes covers every probe
FUZZ_SMOKE = $(filter-out build-fuzz/fuzz_probe_%,$(FUZZ_BIN))
FUZZ_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -g -O1

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT='-g -O1' HARDEN= \
	    EXTRA_CFLAGS='$(FUZZ_FLAGS)' fuzz-bins

fuzz-bins: $(FUZZ_BIN)

# Helper sources linked into every fuzz target (the fake probe context).
FUZZ_HELPERS = tests/unit/fake_ctx.c

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HELPERS) $(BUILD)/libcertsweep.a
	$(CC) $(CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer,address,undefined \
	    -o $@ $< $(FUZZ_HELPERS) $(BUILD)/libcertsweep.a $(LDLIBS)

# A short run of the fuzz targets (make check); FUZZ_SECONDS each.  Long
# runs: build-fuzz/fuzz_NAME -max_total_time=600 DIR tests/fuzz/corpus/NAME
fuzz-smoke: fuzz
	@for f in $(FUZZ_SMOKE); do n=$${f#build-fuzz/fuzz_}; \
	  mkdir -p build-fuzz/corpus/$$n; \
	  echo "== $$f ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
	    build-fuzz/corpus/$$n $$(test -d tests/fuzz/corpus/$$n && \
	    echo tests/fuzz/corpus/$$n) 2>build-fuzz/$$n.log || \
	  { tail -40 build-fuzz/$$n.log; exit 1; }; \
	  grep -E '^(Done|#[0-9]+.*DONE)' build-fuzz/$$n.log | tail -1; done

demo: deps
	$(MAKE) all
	samples/demo.sh $(BUILD)/certsweep

bench: deps
	$(MAKE) all $(BUILD)/store_bench
	tests/bench/bench.sh $(CURDIR)/$(BUILD)/certsweep

# CPU the inventory costs per observation (bench.sh runs it too):
# STORE_BENCH_ARGS='-n 20000 -r 3 -d DIR'
$(BUILD)/store_bench: tests/bench/store_bench.c $(BUILD)/libcertsweep.a
	@$(if $(V),:,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libcertsweep.a $(LDLIBS)

store-bench: $(BUILD)/store_bench
	$(BUILD)/store_bench $(STORE_BENCH_ARGS)

lint:
	@scripts/lint.sh

install: $(BUILD)/certsweep
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/certsweep $(DESTDIR)$(PREFIX)/bin/certsweep
	install -m 0644 doc/certsweep.1 $(DESTDIR)$(PREFIX)/share/man/man1/certsweep.1

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all unit integration test deps check asan asan-test unit-bins demo \
	bench store-bench lint install clean fuzz fuzz-bins fuzz-smoke valgrind
.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(BUILD)/scanner/main.d $(BUILD)/store_bench.d
