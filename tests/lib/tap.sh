# SPDX-License-Identifier: MIT
# tests/lib/tap.sh - TAP output for shell tests: one `ok`/`not ok` line per case.
# Source it, call `plan N` (or `plan_done` at the end), then `ok COND_STATUS "name"`.

tap_n=0
tap_failed=0

# ok STATUS DESCRIPTION: STATUS is an exit status (0 = pass). Returns it too (as 0 or 1), so
# that `ok $? "name" || diag "why"` explains a failure.
ok() {
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $tap_n - $2"
        return 0
    fi
    echo "not ok $tap_n - $2"
    tap_failed=$((tap_failed + 1))
    return 1
}

skip() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1 # SKIP ${2:-}"
}

diag() {
    printf '# %s\n' "$@"
}

# Prints the plan after the cases (TAP allows a trailing plan) and exits.
plan_done() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
    exit $?
}

bail() {
    echo "Bail out! $*"
    exit 1
}
