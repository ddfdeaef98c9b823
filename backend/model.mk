# SPDX-License-Identifier: MIT
# backend/model.mk - JSON, the Kubernetes object models, their cache codec and CLI JSON

backend_libbackend_a_SOURCES += backend/json.c
backend_libbackend_a_SOURCES += backend/model.c
backend_libbackend_a_SOURCES += backend/model_codec.c
backend_libbackend_a_SOURCES += backend/model_json.c
backend_libbackend_a_SOURCES += backend/model_parse.c
backend_libbackend_a_SOURCES += backend/model_priv.h
backend_libbackend_a_SOURCES += backend/parsepool.c
backend_libbackend_a_SOURCES += include/opsdeck/json.h
backend_libbackend_a_SOURCES += include/opsdeck/model.h
backend_libbackend_a_SOURCES += include/opsdeck/parsepool.h

check_PROGRAMS += tests/unit/test-json
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/testlib.h
TESTS += tests/unit/test-json

check_PROGRAMS += tests/unit/test-model
tests_unit_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_LDADD = $(UNIT_LIBS)
tests_unit_test_model_SOURCES = tests/unit/test-model.c tests/unit/testlib.h
TESTS += tests/unit/test-model

check_PROGRAMS += tests/unit/test-model-codec
tests_unit_test_model_codec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_codec_LDADD = $(UNIT_LIBS)
tests_unit_test_model_codec_SOURCES = tests/unit/test-model-codec.c tests/unit/testlib.h
TESTS += tests/unit/test-model-codec

check_PROGRAMS += tests/unit/test-model-json
tests_unit_test_model_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_json_LDADD = $(UNIT_LIBS)
tests_unit_test_model_json_SOURCES = tests/unit/test-model-json.c tests/unit/testlib.h
TESTS += tests/unit/test-model-json

check_PROGRAMS += tests/unit/test-parsepool
tests_unit_test_parsepool_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_parsepool_LDADD = $(UNIT_LIBS)
tests_unit_test_parsepool_SOURCES = tests/unit/test-parsepool.c tests/unit/gziplib.h \
    tests/unit/testlib.h
TESTS += tests/unit/test-parsepool

# Fuzz targets: replayed over their corpus and every fixture in make check;
# `make fuzz` builds real libFuzzer binaries with clang, `make fuzz-run`
# runs each for FUZZ_SECONDS (new finds go to $(builddir)/tests/fuzz/new-*).
FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) -I$(top_srcdir)/tests/fuzz
check_PROGRAMS += tests/fuzz/replay-json
tests_fuzz_replay_json_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
    -DREPLAY_DIRS='"$(abs_top_srcdir)/tests/fuzz/corpus/fuzz-json:$(abs_top_srcdir)/tests/fixtures/kubernetes"'
tests_fuzz_replay_json_LDADD = $(BACKEND_LIBS)
tests_fuzz_replay_json_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-json.c tests/fuzz/fuzz.h
TESTS += tests/fuzz/replay-json

check_PROGRAMS += tests/fuzz/replay-model
tests_fuzz_replay_model_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
    -DREPLAY_DIRS='"$(abs_top_srcdir)/tests/fuzz/corpus/fuzz-model:$(abs_top_srcdir)/tests/fixtures/kubernetes"'
tests_fuzz_replay_model_LDADD = $(BACKEND_LIBS)
tests_fuzz_replay_model_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-model.c tests/fuzz/fuzz.h
TESTS += tests/fuzz/replay-model

EXTRA_DIST += tests/fuzz/corpus

FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS = 120
FUZZ_BACKEND = $(top_srcdir)/backend/clock.c $(top_srcdir)/backend/json.c \
               $(top_srcdir)/backend/model.c $(top_srcdir)/backend/model_codec.c \
               $(top_srcdir)/backend/model_json.c $(top_srcdir)/backend/model_parse.c \
               $(top_srcdir)/backend/status.c $(top_srcdir)/backend/strbuf.c \
               $(top_srcdir)/backend/vec.c $(top_srcdir)/backend/xalloc.c
FUZZ_TARGETS = fuzz-json fuzz-model

fuzz:
	@mkdir -p tests/fuzz
	for t in $(FUZZ_TARGETS); do \
	    $(FUZZ_CC) $(FUZZ_FLAGS) -std=c11 -I$(top_builddir) -I$(top_srcdir)/include \
	        -I$(top_srcdir)/tests/fuzz -o tests/fuzz/$$t $(top_srcdir)/tests/fuzz/$$t.c \
	        $(FUZZ_BACKEND) -lm -lpthread || exit 1; \
	done

fuzz-run: fuzz
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p tests/fuzz/new-$$t; \
	    tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=tests/fuzz/crash-$$t- \
	        tests/fuzz/new-$$t $(top_srcdir)/tests/fuzz/corpus/$$t \
	        $(top_srcdir)/tests/fixtures/kubernetes/kubectl-status/json || exit 1; \
	done

CLEANFILES += tests/fuzz/fuzz-json tests/fuzz/fuzz-model
.PHONY: fuzz fuzz-run

# Benchmark: tokenizer, kobj_parse, codec and CLI JSON over 20,000 pods.
# Built with everything (so it cannot rot); `make bench-parse` runs it.
noinst_PROGRAMS += bench/bench-parse
bench_bench_parse_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) \
    -DBENCH_FIXTURES='"$(abs_top_srcdir)/tests/fixtures"'
bench_bench_parse_LDADD = $(BACKEND_LIBS)
bench_bench_parse_SOURCES = bench/bench-parse.c
bench: bench/bench-parse
bench-parse: bench/bench-parse
	bench/bench-parse $(BENCH_PODS)
.PHONY: bench bench-parse
