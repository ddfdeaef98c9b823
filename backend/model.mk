# SPDX-License-Identifier: MIT
# backend/model.mk - JSON, the Kubernetes object models, their cache codec and CLI JSON

backend_libbackend_a_SOURCES += backend/json.c

check_PROGRAMS += tests/unit/test-json
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/testlib.h
TESTS += tests/unit/test-json
