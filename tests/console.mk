# SPDX-License-Identifier: MIT
# tests/console.mk - the console's end-to-end tests: the real opsdeck, driven by script and on a
# pty, against the simulated platform

TESTS += \
    tests/integration/console-pty.py \
    tests/integration/console-secrets.sh \
    tests/screens/console-damaged.test \
    tests/screens/console-errors.test \
    tests/screens/console-hostile.test \
    tests/screens/console-journey.test \
    tests/screens/console-live.test \
    tests/screens/console-offline.test \
    tests/screens/console-panes.test
EXTRA_DIST += \
    tests/integration/console-pty.py \
    tests/integration/console-secrets.sh \
    tests/screens/console-damaged.test \
    tests/screens/console-errors.test \
    tests/screens/console-hostile.py \
    tests/screens/console-hostile.test \
    tests/screens/console-journey.test \
    tests/screens/console-lib.sh \
    tests/screens/console-live.test \
    tests/screens/console-offline.test \
    tests/screens/console-panes.test
