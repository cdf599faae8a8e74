# ipcguard: one GNU makefile.  make | deps | demo | check | bench | fuzz | install | clean
# Local overrides go in config.mak; DEVELOPER=1 turns warnings into errors.
-include config.mak

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
CLANG   ?= clang
OPT     ?= -O2
DEPS_PKGS := libunwind-dev uthash-dev libdw-dev libelf-dev elfutils pkg-config \
             jq strace perl clang libclang-rt-14-dev valgrind

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN    += -Werror
endif
BASE_CFLAGS := -std=gnu11 $(OPT) -g $(WARN) -Iinclude -D_GNU_SOURCE
CFLAGS  ?=
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS)

LIB_SRCS   := $(wildcard src/preload/*/*.c) $(wildcard src/common/*.c)
TOOL_SRCS  := $(wildcard tools/*/*.c) $(wildcard src/common/*.c)
LIB_OBJS   := $(patsubst %.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
TOOL_OBJS  := $(patsubst %.c,$(BUILD)/tool/%.o,$(TOOL_SRCS))
$(TOOL_OBJS): ALL_CFLAGS += -Itools

PROG_SRCS  := $(filter-out tests/progs/lib%.c,$(wildcard tests/progs/*.c))
PROGLIB_SRCS := $(wildcard tests/progs/lib*.c)
PROGS      := $(patsubst tests/progs/%.c,$(BUILD)/tests/%,$(PROG_SRCS))
PROGLIBS   := $(patsubst tests/progs/%.c,$(BUILD)/tests/%.so,$(PROGLIB_SRCS))
UNIT_SRCS  := $(wildcard tests/unit/t_*.c)
UNITS      := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
EXAMPLES   := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

LIB  := $(BUILD)/libipcguard.so
TOOL := $(BUILD)/ipcguard

.PHONY: all deps demo run-demo check test test-progs bench install clean
all: $(LIB) $(TOOL)

$(BUILD)/lib/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/preload -fPIC -fvisibility=hidden -ftls-model=initial-exec \
	  -fno-omit-frame-pointer -MMD -MP -c $< -o $@

$(BUILD)/tool/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS) src/preload/libipcguard.map
	$(CC) -shared -o $@ $(LIB_OBJS) -Wl,--version-script=src/preload/libipcguard.map \
	  -Wl,-z,now -Wl,-z,relro -Wl,--build-id $(LDFLAGS) -lunwind -ldl -lpthread

$(TOOL): $(TOOL_OBJS)
	$(CC) -o $@ $(TOOL_OBJS) $(LDFLAGS) -ldw -lelf

$(BUILD)/tests/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -Iinclude -Isrc/preload -D_GNU_SOURCE \
	  -MMD -MP -Wl,--build-id $< -o $@ -lpthread -ldl -L$(BUILD)/tests -Wl,-rpath,'$$ORIGIN' \
	  $(if $(filter ctor_user,$*),-lctor_lib,)

$(BUILD)/tests/%.so: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -fPIC -shared -D_GNU_SOURCE $< -o $@

$(BUILD)/tests/ctor_user: $(BUILD)/tests/libctor_lib.so

# Unit tests link the library's objects except hooks/ (no exported libc
# function, no constructor: nothing is interposed or started) with the
# TAP producer and the row runner of tests/unit/unit.h.
UNIT_OBJS  := $(filter-out $(BUILD)/lib/src/preload/hooks/%,$(LIB_OBJS))
UNIT_LIBS  := tests/lib/tap.c tests/unit/unit.c
$(BUILD)/tests/unit/%: tests/unit/%.c $(UNIT_LIBS) tests/lib/tap.h tests/unit/unit.h $(UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/preload -Itests/lib -Itests/unit -MMD -MP -o $@ $< $(UNIT_LIBS) \
	  $(UNIT_OBJS) $(LDFLAGS) -ldl -lpthread

$(BUILD)/examples/%: examples/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Wl,--build-id $< -o $@ -lpthread

test-progs: $(PROGLIBS) $(PROGS) $(UNITS) $(EXAMPLES)

deps:
	@sh tools/deps.sh $(DEPS_PKGS)

# The README's two commands, `make demo` and `make check`: each installs
# the missing Debian packages first (a fresh machine starts bare), then
# builds.  `make run-demo` and `make test` skip the package check.
demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory run-demo

run-demo: all $(EXAMPLES)
	@sh examples/run-demo.sh $(BUILD)

check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory test

test: all test-progs
	@IPCG_BUILD=$(abspath $(BUILD)) IPCG_SRC=$(CURDIR) LC_ALL=C \
	  prove -j2 --timer $(wildcard tests/unit/*.t) tests/integration/*.t tests/differential/*.t

bench: all
	@sh bench/bench_run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/ipcguard
	install -m 0755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/ipcguard
	install -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/ipcguard/libipcguard.so

clean:
	rm -rf $(BUILD) build-*

# Reader-side targets (fuzz, sanitizer builds) live with the reader.
-include tools/reader.mk
-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(PROGS:=.d) $(UNITS:=.d)
