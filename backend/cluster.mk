# SPDX-License-Identifier: MIT
# backend/cluster.mk - the in-memory cluster state, tenants, label selectors, the row filter

backend_libbackend_a_SOURCES += backend/filter.c
backend_libbackend_a_SOURCES += backend/labelsel.c

check_PROGRAMS += tests/unit/test-filter
tests_unit_test_filter_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_filter_LDADD = $(UNIT_LIBS)
tests_unit_test_filter_SOURCES = tests/unit/test-filter.c tests/unit/testlib.h
TESTS += tests/unit/test-filter

check_PROGRAMS += tests/unit/test-labelsel
tests_unit_test_labelsel_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_labelsel_LDADD = $(UNIT_LIBS)
tests_unit_test_labelsel_SOURCES = tests/unit/test-labelsel.c tests/unit/testlib.h
TESTS += tests/unit/test-labelsel
