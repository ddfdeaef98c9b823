# SPDX-License-Identifier: MIT
# tests/logs.mk - the logs pane's screen tests: the real opsdeck, driven by script, against the
# simulated platform and the Loki double

TESTS += \
    tests/screens/logs-basic.test \
    tests/screens/logs-errors.test \
    tests/screens/logs-pod.test
EXTRA_DIST += \
    tests/screens/logs-basic.test \
    tests/screens/logs-errors.test \
    tests/screens/logs-lib.sh \
    tests/screens/logs-pod.test
