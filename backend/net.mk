# SPDX-License-Identifier: MIT
# backend/net.mk - HTTP on curl multi, gzip bodies, the Kubernetes client, informers, exec credential plugins

backend_libbackend_a_SOURCES += backend/execcred.c
backend_libbackend_a_SOURCES += backend/gunzip.c
backend_libbackend_a_SOURCES += backend/http.c
backend_libbackend_a_SOURCES += backend/informer.c
backend_libbackend_a_SOURCES += backend/kube.c
backend_libbackend_a_SOURCES += backend/linebuf.c
backend_libbackend_a_SOURCES += backend/upstream.c

check_PROGRAMS += tests/unit/test-execcred
tests_unit_test_execcred_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_execcred_LDADD = $(UNIT_LIBS)
tests_unit_test_execcred_SOURCES = tests/unit/test-execcred.c tests/unit/nettest.h \
    tests/unit/testlib.h
TESTS += tests/unit/test-execcred

check_PROGRAMS += tests/unit/test-http
tests_unit_test_http_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_http_LDADD = $(UNIT_LIBS)
tests_unit_test_http_SOURCES = tests/unit/test-http.c tests/unit/nettest.h tests/unit/testlib.h
TESTS += tests/unit/test-http

check_PROGRAMS += tests/unit/test-informer
tests_unit_test_informer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_informer_LDADD = $(UNIT_LIBS)
tests_unit_test_informer_SOURCES = tests/unit/test-informer.c tests/unit/nettest.h \
    tests/unit/testlib.h
TESTS += tests/unit/test-informer

check_PROGRAMS += tests/unit/test-kube
tests_unit_test_kube_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kube_LDADD = $(UNIT_LIBS)
tests_unit_test_kube_SOURCES = tests/unit/test-kube.c tests/unit/nettest.h tests/unit/testlib.h
TESTS += tests/unit/test-kube

check_PROGRAMS += tests/unit/test-linebuf
tests_unit_test_linebuf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_linebuf_LDADD = $(UNIT_LIBS)
tests_unit_test_linebuf_SOURCES = tests/unit/test-linebuf.c tests/unit/testlib.h
TESTS += tests/unit/test-linebuf

check_PROGRAMS += tests/integration/net-exec-driver
tests_integration_net_exec_driver_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS)
tests_integration_net_exec_driver_LDADD = $(BACKEND_LIBS)
tests_integration_net_exec_driver_SOURCES = tests/integration/net-exec-driver.c
TESTS += tests/integration/net-exec-pty.py
EXTRA_DIST += tests/integration/net-exec-pty.py

check_PROGRAMS += tests/integration/net-kube-driver
tests_integration_net_kube_driver_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS)
tests_integration_net_kube_driver_LDADD = $(BACKEND_LIBS)
tests_integration_net_kube_driver_SOURCES = tests/integration/net-kube-driver.c
TESTS += tests/integration/net-informer-sim.sh
TESTS += tests/integration/net-kube-sim.sh
EXTRA_DIST += tests/integration/net-informer-sim.sh
EXTRA_DIST += tests/integration/net-kube-sim.sh

EXTRA_DIST += tests/fixtures/net
EXTRA_DIST += tests/lib/stubserver.py

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/execcred.h \
    include/opsdeck/gunzip.h \
    include/opsdeck/http.h \
    include/opsdeck/informer.h \
    include/opsdeck/kube.h \
    include/opsdeck/upstream.h

check_PROGRAMS += tests/unit/test-upstream
tests_unit_test_upstream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_upstream_LDADD = $(UNIT_LIBS)
tests_unit_test_upstream_SOURCES = tests/unit/test-upstream.c tests/unit/nettest.h \
    tests/unit/testlib.h
TESTS += tests/unit/test-upstream

# The Loki client (loki.h) and its log cache glue; the pod log fallback (podlog.h).
backend_libbackend_a_SOURCES += backend/loki.c
backend_libbackend_a_SOURCES += backend/loki_cache.c
backend_libbackend_a_SOURCES += backend/loki_labels.c
backend_libbackend_a_SOURCES += backend/loki_priv.h
backend_libbackend_a_SOURCES += backend/podlog.c

# The Loki tests reach the internals (pages, the boundary set) through
# backend/loki_priv.h and answer through an in-process upstream.
check_PROGRAMS += tests/unit/test-loki
tests_unit_test_loki_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/backend
tests_unit_test_loki_LDADD = $(UNIT_LIBS)
tests_unit_test_loki_SOURCES = tests/unit/test-loki.c tests/unit/nettest.h tests/unit/testlib.h
TESTS += tests/unit/test-loki

# The pod log fallback over a kube_stream the test drives by hand.
check_PROGRAMS += tests/unit/test-loki-podlog
tests_unit_test_loki_podlog_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_loki_podlog_LDADD = $(UNIT_LIBS)
tests_unit_test_loki_podlog_SOURCES = tests/unit/test-loki-podlog.c tests/unit/testlib.h
TESTS += tests/unit/test-loki-podlog
EXTRA_DIST += tests/fixtures/loki-client
backend_libbackend_a_SOURCES += include/opsdeck/loki.h
backend_libbackend_a_SOURCES += include/opsdeck/podlog.h

check_PROGRAMS += tests/unit/test-gunzip
tests_unit_test_gunzip_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gunzip_LDADD = $(UNIT_LIBS)
tests_unit_test_gunzip_SOURCES = tests/unit/test-gunzip.c tests/unit/gziplib.h \
    tests/unit/testlib.h
TESTS += tests/unit/test-gunzip
