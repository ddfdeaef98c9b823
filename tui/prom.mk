# SPDX-License-Identifier: MIT
# tui/prom.mk - metrics on screen: sparklines, the nodes pane's metrics, the alerts pane

tui_libtui_a_SOURCES += include/opsdeck/sparkline.h
tui_libtui_a_SOURCES += tui/sparkline.c

check_PROGRAMS += tests/unit/test-sparkline
tests_unit_test_sparkline_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sparkline_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_sparkline_SOURCES = tests/unit/test-sparkline.c tests/unit/testlib.h
TESTS += tests/unit/test-sparkline

opsdeck_SOURCES += views/alerts.c

# The nodes pane's metrics and the alerts pane over the real Prometheus (tests/lib/prom.sh).
TESTS += tests/screens/alerts-pane.test
TESTS += tests/screens/nodes-metrics-narrow.test
TESTS += tests/screens/nodes-metrics-wide.test
EXTRA_DIST += tests/screens/alerts-pane.test
EXTRA_DIST += tests/screens/nodes-metrics-narrow.test
EXTRA_DIST += tests/screens/nodes-metrics-wide.test
