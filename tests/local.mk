# SPDX-License-Identifier: MIT
# tests/local.mk - make check: unit tests (Check, TAP), integration, screens

# Unit tests link only the backend library (no curses).
UNIT_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) $(CHECK_CFLAGS) \
              -DTEST_FIXTURES='"$(OPSDECK_REAL_SRCDIR)/tests/fixtures"'
UNIT_LIBS = $(BACKEND_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test-core
tests_unit_test_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_core_LDADD = $(UNIT_LIBS)
tests_unit_test_core_SOURCES = tests/unit/test-core.c tests/unit/testlib.h
TESTS += tests/unit/test-core

TESTS += tests/layering.sh
EXTRA_DIST += tests/layering.sh tests/lib/tap.sh tests/lib/tap.py tests/lib/bless-screens.py \
    tests/fixtures

include tests/cli.mk
include tests/console.mk
include tests/logs.mk
