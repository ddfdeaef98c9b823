# SPDX-License-Identifier: MIT
# backend/cluster.mk - the in-memory cluster state, tenants, label selectors, the row filter

backend_libbackend_a_SOURCES += backend/cluster.c
backend_libbackend_a_SOURCES += backend/filter.c
backend_libbackend_a_SOURCES += backend/labelsel.c
backend_libbackend_a_SOURCES += backend/tenant.c

check_PROGRAMS += tests/unit/test-cluster
tests_unit_test_cluster_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cluster_LDADD = $(UNIT_LIBS)
tests_unit_test_cluster_SOURCES = tests/unit/test-cluster.c tests/unit/testlib.h
TESTS += tests/unit/test-cluster

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

check_PROGRAMS += tests/unit/test-tenant
tests_unit_test_tenant_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tenant_LDADD = $(UNIT_LIBS)
tests_unit_test_tenant_SOURCES = tests/unit/test-tenant.c tests/unit/testlib.h
TESTS += tests/unit/test-tenant

check_PROGRAMS += tests/unit/test-tenant-platform
tests_unit_test_tenant_platform_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tenant_platform_LDADD = $(UNIT_LIBS)
tests_unit_test_tenant_platform_SOURCES = tests/unit/test-tenant-platform.c tests/unit/testlib.h
TESTS += tests/unit/test-tenant-platform

# make bench: runs it, figures printed (README). `bench` itself only
# collects the per-area targets, so every area can add its own.
noinst_PROGRAMS += bench/bench-cluster
bench_bench_cluster_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS)
bench_bench_cluster_LDADD = $(BACKEND_LIBS)
bench_bench_cluster_SOURCES = bench/bench-cluster.c
bench-cluster: bench/bench-cluster$(EXEEXT)
	./bench/bench-cluster$(EXEEXT)
bench: bench-cluster
.PHONY: bench bench-cluster

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/cluster.h \
    include/opsdeck/filter.h \
    include/opsdeck/labelsel.h \
    include/opsdeck/tenant.h
