# SPDX-License-Identifier: MIT
# backend/logs.mk - the log ring, log search (memmem / PCRE2 JIT) and log line fields

backend_libbackend_a_SOURCES += backend/logline.c
backend_libbackend_a_SOURCES += backend/logring.c
backend_libbackend_a_SOURCES += backend/logsearch.c

check_PROGRAMS += tests/unit/test-logline
tests_unit_test_logline_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_logline_LDADD = $(UNIT_LIBS)
tests_unit_test_logline_SOURCES = tests/unit/test-logline.c tests/unit/testlib.h
TESTS += tests/unit/test-logline

check_PROGRAMS += tests/unit/test-logring
tests_unit_test_logring_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_logring_LDADD = $(UNIT_LIBS)
tests_unit_test_logring_SOURCES = tests/unit/test-logring.c tests/unit/testlib.h
TESTS += tests/unit/test-logring

check_PROGRAMS += tests/unit/test-logsearch
tests_unit_test_logsearch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_logsearch_LDADD = $(UNIT_LIBS)
tests_unit_test_logsearch_SOURCES = tests/unit/test-logsearch.c tests/unit/testlib.h
TESTS += tests/unit/test-logsearch

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/logline.h \
    include/opsdeck/logring.h \
    include/opsdeck/logsearch.h

# Benchmark: search and filter over 1,000,000 buffered lines (limit 300 ms).
# Built with everything (so it cannot rot); `make bench-logsearch` runs it.
noinst_PROGRAMS += bench/bench-logsearch
bench_bench_logsearch_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS)
bench_bench_logsearch_LDADD = $(BACKEND_LIBS)
bench_bench_logsearch_SOURCES = bench/bench-logsearch.c
bench-logsearch: bench/bench-logsearch$(EXEEXT)
	./bench/bench-logsearch$(EXEEXT) $(BENCH_LOG_LINES)
bench: bench-logsearch
.PHONY: bench bench-logsearch

# The follow benchmark (2,000 lines/s for 10 minutes: CPU and memory of the console);
# BENCH_ARGS passes options (--duration 60 for a short run). Not part of `make check`.
EXTRA_DIST += bench/logs-follow.py
bench-logs-follow: opsdeck$(EXEEXT)
	$(PYTHON3) $(srcdir)/bench/logs-follow.py --builddir $(abs_top_builddir) $(BENCH_ARGS)
.PHONY: bench-logs-follow
