# SPDX-License-Identifier: MIT
# tests/cli.mk - the one-shot commands (get, info, cache clear) against the simulated API server
# and the real kubectl 1.20: shapes, --cached, bad input, never-stored secrets, install

EXTRA_DIST += tests/integration/cli-cached.sh
EXTRA_DIST += tests/integration/cli-config.sh
EXTRA_DIST += tests/integration/cli-fakeapi.py
EXTRA_DIST += tests/integration/cli-get.sh
EXTRA_DIST += tests/integration/cli-http.sh
EXTRA_DIST += tests/integration/cli-install.sh
EXTRA_DIST += tests/integration/cli-kubectl.sh
EXTRA_DIST += tests/integration/cli-lib.sh
EXTRA_DIST += tests/integration/cli-logs.sh
EXTRA_DIST += tests/integration/cli-store.sh
EXTRA_DIST += tests/integration/cli-table.py
EXTRA_DIST += tests/integration/cli-usage.sh

TESTS += tests/integration/cli-cached.sh
TESTS += tests/integration/cli-config.sh
TESTS += tests/integration/cli-get.sh
TESTS += tests/integration/cli-http.sh
TESTS += tests/integration/cli-install.sh
TESTS += tests/integration/cli-kubectl.sh
TESTS += tests/integration/cli-logs.sh
TESTS += tests/integration/cli-store.sh
TESTS += tests/integration/cli-usage.sh

# `opsdeck logs` through the service proxy, and the pod log fallback end to end.
check_PROGRAMS += tests/integration/podlog-tool
tests_integration_podlog_tool_CFLAGS = $(UNIT_CFLAGS)
tests_integration_podlog_tool_LDADD = $(BACKEND_LIBS)
tests_integration_podlog_tool_SOURCES = tests/integration/podlog-tool.c
EXTRA_DIST += tests/integration/cli-logs-proxy.sh
TESTS += tests/integration/cli-logs-proxy.sh
