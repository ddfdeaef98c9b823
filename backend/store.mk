# SPDX-License-Identifier: MIT
# backend/store.mk - the SQLite store (cache.db, state.db) and its tests

backend_libbackend_a_SOURCES += backend/store.c
backend_libbackend_a_SOURCES += backend/store_db.c
backend_libbackend_a_SOURCES += backend/store_logs.c
backend_libbackend_a_SOURCES += backend/store_priv.h
backend_libbackend_a_SOURCES += backend/store_state.c
backend_libbackend_a_SOURCES += backend/store_writer.c

# The store tests also reach the internals (schema machinery) through
# backend/store_priv.h.
check_PROGRAMS += tests/unit/test-store
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/backend
tests_unit_test_store_LDADD = $(UNIT_LIBS)
tests_unit_test_store_SOURCES = tests/unit/test-store.c tests/unit/testlib.h
TESTS += tests/unit/test-store

# Two processes on the same files, checked from outside (Python's sqlite3).
check_PROGRAMS += tests/integration/store-tool
tests_integration_store_tool_CFLAGS = $(UNIT_CFLAGS)
tests_integration_store_tool_LDADD = $(BACKEND_LIBS)
tests_integration_store_tool_SOURCES = tests/integration/store-tool.c
TESTS += tests/integration/store-two-consoles.sh
EXTRA_DIST += tests/integration/store-two-consoles.sh

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/store.h
