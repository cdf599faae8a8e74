# Reader-side targets, included by the top-level Makefile.
#   make fuzz [FUZZ_TIME=60]   libFuzzer (clang) on the parser, loader and commands
#   make reader-san            the ipcguard tool built with ASan+UBSan
# make check (make test) builds reader-san first; tests/integration/5*.t run the reader
# tests a second time with it.
FUZZ_TIME ?= 60
SAN_TOOL  := $(BUILD)/ipcguard-san
FUZZ_BIN  := $(BUILD)/fuzz/fuzz_reader
READER_LIB_SRCS := $(filter-out tools/cli/ipcguard.c tools/cli/cmd_run.c,$(wildcard tools/*/*.c))
READER_HDRS := $(wildcard tools/*/*.h)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

.PHONY: fuzz reader-san
reader-san: $(SAN_TOOL)
test: $(SAN_TOOL)

# reader only: the run command is a stub here, so this build does not depend on src/
$(SAN_TOOL): tools/cli/ipcguard.c tests/fuzz/run_stub.c $(READER_LIB_SRCS) $(READER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(WARN) -Iinclude -Itools -D_GNU_SOURCE $(SAN_FLAGS) \
	  -o $@ tools/cli/ipcguard.c tests/fuzz/run_stub.c $(READER_LIB_SRCS) $(LDFLAGS) -ldw -lelf

$(FUZZ_BIN): tests/fuzz/fuzz_reader.c $(READER_LIB_SRCS) $(READER_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -Iinclude -Itools -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -o $@ tests/fuzz/fuzz_reader.c $(READER_LIB_SRCS) -ldw -lelf

# Fuzzes for FUZZ_TIME seconds from the seeds (fixtures, corpus, regressions);
# new inputs go to $(BUILD)/fuzz/corpus, crashes to $(BUILD)/fuzz/crash-*.
fuzz: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	@cp tests/fixtures/*.jsonl tests/fuzz/corpus/* $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	@cp tests/fuzz/regress/* $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 -close_fd_mask=2 \
	  -dict=tests/fuzz/trace.dict -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus
