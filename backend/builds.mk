# SPDX-License-Identifier: MIT
# backend/builds.mk - builds aggregated from the build logs in Loki

backend_libbackend_a_SOURCES += backend/builds.c
backend_libbackend_a_SOURCES += include/opsdeck/builds.h

check_PROGRAMS += tests/unit/test-builds
tests_unit_test_builds_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_builds_LDADD = $(UNIT_LIBS)
tests_unit_test_builds_SOURCES = tests/unit/test-builds.c tests/unit/testlib.h
TESTS += tests/unit/test-builds
EXTRA_DIST += docs/build-logs.md
