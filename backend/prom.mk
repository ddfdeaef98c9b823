# SPDX-License-Identifier: MIT
# backend/prom.mk - the Prometheus client, node metrics, the alerts poller

backend_libbackend_a_SOURCES += backend/alerts.c
backend_libbackend_a_SOURCES += backend/nodemetrics.c
backend_libbackend_a_SOURCES += backend/prom.c
backend_libbackend_a_SOURCES += backend/prom_call.c

check_PROGRAMS += tests/unit/test-prom
tests_unit_test_prom_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_prom_LDADD = $(UNIT_LIBS)
tests_unit_test_prom_SOURCES = tests/unit/test-prom.c tests/unit/testlib.h
TESTS += tests/unit/test-prom

check_PROGRAMS += tests/unit/test-prom-nodemetrics
tests_unit_test_prom_nodemetrics_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_prom_nodemetrics_LDADD = $(UNIT_LIBS)
tests_unit_test_prom_nodemetrics_SOURCES = tests/unit/test-prom-nodemetrics.c tests/unit/testlib.h
TESTS += tests/unit/test-prom-nodemetrics

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/nodemetrics.h \
    include/opsdeck/prom.h
