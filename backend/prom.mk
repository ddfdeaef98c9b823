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

# Node metrics and the alerts poller against the real Prometheus (tests/lib/prom.sh).
check_PROGRAMS += tests/integration/prom-driver
tests_integration_prom_driver_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS)
tests_integration_prom_driver_LDADD = $(BACKEND_LIBS)
tests_integration_prom_driver_SOURCES = tests/integration/prom-driver.c
EXTRA_DIST += tests/integration/prom-lib.sh
EXTRA_DIST += tests/integration/prom-alerts.sh
EXTRA_DIST += tests/integration/prom-metrics.sh
TESTS += tests/integration/prom-alerts.sh
TESTS += tests/integration/prom-metrics.sh

# opsdeck query against the same Prometheus, and what Prometheus itself answers.
EXTRA_DIST += tests/integration/cli-query.sh
EXTRA_DIST += tests/integration/cli-query-proxy.sh
TESTS += tests/integration/cli-query.sh
TESTS += tests/integration/cli-query-proxy.sh

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/nodemetrics.h \
    include/opsdeck/prom.h

# opsdeck query against promtool on the same Prometheus, and bytes per metrics refresh
# (bench/query.sh; figures in its output). Not part of make check: it times.
EXTRA_DIST += bench/query.md bench/query.sh
bench-query: opsdeck$(EXEEXT) bench/runstat$(EXEEXT) tests/integration/prom-driver$(EXEEXT)
	$(SHELL) $(srcdir)/bench/query.sh --builddir $(abs_top_builddir) $(BENCH_ARGS)
.PHONY: bench-query
