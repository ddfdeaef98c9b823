# SPDX-License-Identifier: MIT
# backend/config.mk - YAML, kubeconfig, the platform definition, paths, conventions

backend_libbackend_a_SOURCES += backend/conventions.c

check_PROGRAMS += tests/unit/test-conventions
tests_unit_test_conventions_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conventions_LDADD = $(UNIT_LIBS)
tests_unit_test_conventions_SOURCES = tests/unit/test-conventions.c tests/unit/testlib.h
TESTS += tests/unit/test-conventions
