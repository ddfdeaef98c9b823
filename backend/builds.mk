# SPDX-License-Identifier: MIT
# backend/builds.mk - builds aggregated from the build logs in Loki

backend_libbackend_a_SOURCES += backend/builds.c
backend_libbackend_a_SOURCES += backend/builds_fetch.c
backend_libbackend_a_SOURCES += include/opsdeck/builds.h

check_PROGRAMS += tests/unit/test-builds
tests_unit_test_builds_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_builds_LDADD = $(UNIT_LIBS)
tests_unit_test_builds_SOURCES = tests/unit/test-builds.c tests/unit/testlib.h
TESTS += tests/unit/test-builds

# The aggregator's fuzz target, replayed over its corpus in make check.
check_PROGRAMS += tests/fuzz/replay-builds
tests_fuzz_replay_builds_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
    -DREPLAY_DIRS='"$(abs_top_srcdir)/tests/fuzz/corpus/fuzz-builds"'
tests_fuzz_replay_builds_LDADD = $(BACKEND_LIBS)
tests_fuzz_replay_builds_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-builds.c tests/fuzz/fuzz.h
TESTS += tests/fuzz/replay-builds

# get builds against the Loki double.
EXTRA_DIST += tests/integration/cli-builds.sh
TESTS += tests/integration/cli-builds.sh

# The builds pane on the Loki double (scenarios.md §3).
EXTRA_DIST += tests/screens/builds-cache-lost.test
TESTS += tests/screens/builds-cache-lost.test

# The fetch over the real Loki client and a fake upstream.
check_PROGRAMS += tests/unit/test-builds-fetch
tests_unit_test_builds_fetch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_builds_fetch_LDADD = $(UNIT_LIBS)
tests_unit_test_builds_fetch_SOURCES = tests/unit/test-builds-fetch.c tests/unit/nettest.h \
    tests/unit/testlib.h
TESTS += tests/unit/test-builds-fetch
