# SPDX-License-Identifier: MIT
# tests/lib/libscreen.sh - screen tests: drive a console by script, compare the screens it saved.
#
# A test (tests/screens/foo.test, executable) looks like:
#
#   #!/bin/sh
#   . "${top_srcdir:-.}/tests/lib/libscreen.sh"
#   steps <<'EOF'
#   :save-display start
#   /crash<Enter>
#   :save-display filtered
#   EOF
#   run_screen                       # the console; args after it are passed on
#   assert_status 0
#   assert_screen start <<'EOF'
#   ...the 24 rows, trailing blanks trimmed...
#   EOF
#   plan_done
#
# The run has a fixed environment, whatever the caller's: LINES=24
# COLUMNS=80 TERM=xterm-256color TZ=UTC LC_ALL=C.UTF-8 HOME=$screen_tmp/home
# (XDG dirs under it), OPSDECK_CLOCK=2026-11-24T03:12:00Z, no NO_COLOR, no
# KUBECONFIG. Change one for a run with the SCREEN_* variable:
#
#   SCREEN_LINES, SCREEN_COLS   the size (a :resize step changes it later)
#   SCREEN_TERM, SCREEN_TZ, SCREEN_LOCALE, SCREEN_CLOCK
#   SCREEN_NO_COLOR             set NO_COLOR to this
#   SCREEN_ENV                  more VAR=value words (KUBECONFIG=..., for the
#                               simulated platform)
#   SCREEN_BIN                  the program (default: the terminal core's
#                               screen-demo)
#   SCREEN_TIMEOUT              the script watchdog in seconds (default 10)
#   SCREEN_VALGRIND             1: run under valgrind (watchdog x6; an error
#                               or a definite leak fails the run)
#
# Results: $screen_status (exit status; also in $screen_tmp/status, for a
# run in the background), $screen_tmp/stderr, and the saved screens in
# $screen_dir. Every assertion is one TAP test case.

. "${top_srcdir:-.}/tests/lib/tap.sh"

SCREEN_BIN=${SCREEN_BIN:-${top_builddir:-.}/tests/screens/screen-demo}
SCREEN_TIMEOUT=${SCREEN_TIMEOUT:-10}

screen_tmp=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-screen.XXXXXX") || bail "mktemp failed"
screen_dir=$screen_tmp/screens
mkdir -p "$screen_dir" "$screen_tmp/expected" "$screen_tmp/home/.config" || bail "mkdir failed"
trap 'rm -rf "$screen_tmp"' EXIT
screen_status=
screen_runs=0

# steps: the script, from stdin (a heredoc).
steps() {
    cat >"$screen_tmp/steps"
}

# run_screen [ARGS...]: runs $SCREEN_BIN on the script with the fixed
# environment; waits for it (bounded twice: the console's own watchdog,
# then timeout(1) as a backstop).
run_screen() {
    _wd=$SCREEN_TIMEOUT
    _pre=
    if [ "${SCREEN_VALGRIND:-0}" = 1 ]; then
        _wd=$((SCREEN_TIMEOUT * 6))
        _pre="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
        _pre="$_pre --suppressions=${top_srcdir:-.}/tests/screens/valgrind.supp"
    fi
    screen_runs=$((screen_runs + 1))
    # shellcheck disable=SC2086
    env -u NO_COLOR -u LANG -u LANGUAGE -u LC_CTYPE -u LC_MESSAGES -u KUBECONFIG \
        -u OPSDECK_SCRIPT -u OPSDECK_SCREEN_DIR -u OPSDECK_SCRIPT_TIMEOUT \
        LINES="${SCREEN_LINES:-24}" COLUMNS="${SCREEN_COLS:-80}" \
        TERM="${SCREEN_TERM:-xterm-256color}" TZ="${SCREEN_TZ:-UTC}" \
        LC_ALL="${SCREEN_LOCALE:-C.UTF-8}" \
        HOME="$screen_tmp/home" XDG_CONFIG_HOME="$screen_tmp/home/.config" \
        XDG_CACHE_HOME="$screen_tmp/home/.cache" XDG_STATE_HOME="$screen_tmp/home/.state" \
        OPSDECK_CLOCK="${SCREEN_CLOCK:-2026-11-24T03:12:00Z}" \
        OPSDECK_SCRIPT="$screen_tmp/steps" OPSDECK_SCREEN_DIR="$screen_dir" \
        OPSDECK_SCRIPT_TIMEOUT="$_wd" ${SCREEN_NO_COLOR:+NO_COLOR=$SCREEN_NO_COLOR} \
        ${SCREEN_ENV:-} \
        timeout -k 2 $((_wd + 10)) $_pre "$SCREEN_BIN" "$@" \
        </dev/null >"$screen_tmp/stdout" 2>"$screen_tmp/stderr"
    screen_status=$?
    echo "$screen_status" >"$screen_tmp/status"
    if [ "$screen_status" -ne 0 ]; then
        diag "exit status $screen_status; stderr:"
        while IFS= read -r _l; do diag "  $_l"; done <"$screen_tmp/stderr"
    fi
    return 0
}

# assert_status N [DESCRIPTION]
assert_status() {
    [ "$screen_status" = "$1" ]
    ok $? "${2:-run $screen_runs exits with status $1}"
}

# assert_screen NAME [DESCRIPTION] <<'EOF' ... EOF: the saved screen NAME
# equals the heredoc (diff -u shown as diagnostics when not).
assert_screen() {
    _name=$1
    cat >"$screen_tmp/expected/$_name"
    _desc=${2:-screen $_name}
    if [ ! -f "$screen_dir/$_name" ]; then
        ok 1 "$_desc (not saved)"
        return
    fi
    if diff -u "$screen_tmp/expected/$_name" "$screen_dir/$_name" >"$screen_tmp/diff"; then
        ok 0 "$_desc"
    else
        ok 1 "$_desc"
        while IFS= read -r _l; do diag "$_l"; done <"$screen_tmp/diff"
        # After a deliberate change of the screens: SCREEN_BLESS=DIR keeps the
        # new screen for tests/lib/bless-screens.py to write into the test.
        if [ -n "${SCREEN_BLESS:-}" ]; then
            _b=$SCREEN_BLESS/$(basename "$0").$(date +%s%N)
            { printf '%s\n%s\n' "$_name" "$_desc"; cat "$screen_dir/$_name"; } >"$_b"
        fi
    fi
}

# assert_grep NAME PATTERN [DESCRIPTION]: a line of saved screen NAME
# matches the extended regex PATTERN.
assert_grep() {
    grep -Eq -- "$2" "$screen_dir/$1" 2>/dev/null
    _r=$?
    ok $_r "${3:-screen $1 has /$2/}"
    [ $_r -eq 0 ] || diag "no line of $1 matches: $2"
}

# refute_grep NAME PATTERN [DESCRIPTION]: no line matches.
refute_grep() {
    ! grep -Eq -- "$2" "$screen_dir/$1" 2>/dev/null && [ -f "$screen_dir/$1" ]
    ok $? "${3:-screen $1 has no /$2/}"
}

# assert_stderr PATTERN [DESCRIPTION]: the run's stderr matches.
assert_stderr() {
    grep -Eq -- "$1" "$screen_tmp/stderr"
    ok $? "${2:-stderr has /$1/}"
}

# screen_row NAME N: prints row N (1-based) of saved screen NAME (of its
# text, in a screen saved with :save-display-attrs).
screen_row() {
    if sed -n 2p "$screen_dir/$1" 2>/dev/null | grep -q '^@ '; then
        sed -n "$(($2 * 2 - 1))p" "$screen_dir/$1"
    else
        sed -n "${2}p" "$screen_dir/$1"
    fi
}

# cursor_row NAME: prints the row painted as the selection, from a screen
# saved with :save-display-attrs (the row whose runs name "cursor+").
cursor_row() {
    awk 'prev != "" && /^@ / && /cursor\+/ { print prev; exit } { prev = $0 }' \
        "$screen_dir/$1" 2>/dev/null
}

# assert_cursor NAME PATTERN [DESCRIPTION]: the selected row of NAME (saved
# with :save-display-attrs) matches the extended regex PATTERN.
assert_cursor() {
    _row=$(cursor_row "$1")
    printf '%s\n' "$_row" | grep -Eq -- "$2"
    _r=$?
    ok $_r "${3:-screen $1: the selection is /$2/}"
    [ $_r -eq 0 ] || diag "selected row: ${_row:-(none)}"
}

# assert_row NAME N TEXT [DESCRIPTION]: row N (1-based) of saved screen NAME
# is exactly TEXT.
assert_row() {
    _got=$(screen_row "$1" "$2")
    [ "$_got" = "$3" ]
    _r=$?
    ok $_r "${4:-screen $1 row $2}"
    if [ $_r -ne 0 ]; then
        diag "expected: $3"
        diag "     got: $_got"
    fi
}
