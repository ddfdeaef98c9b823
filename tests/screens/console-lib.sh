# SPDX-License-Identifier: MIT
# tests/screens/console-lib.sh - the console's screen tests: the real opsdeck, driven by script
# (tests/lib/libscreen.sh) against the simulated platform (tests/lib/sim.sh).
#
#   . "${top_srcdir:-.}/tests/screens/console-lib.sh"
#   console_sim_start                  the seed platform (TLS + token), or bail out
#   steps <<'EOF' ... EOF
#   console_run [ARGS...]              opsdeck --platform examples/deploy-mcp/platform.yml
#                                      --kubeconfig $SIM_KUBECONFIG ARGS, waited for
#   console_run_bg [ARGS...]           the same in the background; then, for each
#                                      `:barrier NAME` of the script:
#   console_at NAME                    wait (bounded) until the console holds at NAME
#   console_go NAME                    release it
#   console_wait                       wait for the run, set $screen_status
#
# The console and the sim share the injected clock ($OPSDECK_CLOCK, SCREEN_CLOCK's default),
# so every age is stable. HOME (and the XDG dirs, hence cache.db and state.db) stay the same
# for every run of one test: a second run starts from the first one's cache. The trap stops
# the sim and removes both temporary directories; a console still running in the background
# is let go from its barriers and waited for (its own watchdog bounds it).
# CONSOLE_KEEP_SCREENS=DIR copies the saved screens there at the end (to write expectations).

SIM_NO_TRAP=1
. "${top_srcdir:-.}/tests/lib/sim.sh"
. "${top_srcdir:-.}/tests/lib/libscreen.sh"

OPSDECK_CLOCK=2026-11-24T03:12:00Z
export OPSDECK_CLOCK
SCREEN_BIN=${OPSDECK:-${top_builddir:-.}/opsdeck}
# The cluster panes' tests run on the seed's platform definition without its Loki and
# Prometheus (their headers show the API only); CONSOLE_OBSERVABILITY=1 keeps them.
console_platform=${top_srcdir:-.}/examples/deploy-mcp/platform.yml
if [ -z "${CONSOLE_OBSERVABILITY:-}" ]; then
    awk '/^(loki|prometheus):/ { skip = 1; next } skip && /^[ #]/ { next } { skip = 0; print }' \
        "$console_platform" >"$screen_tmp/platform.yml" || bail "cannot write the platform"
    console_platform=$screen_tmp/platform.yml
fi
console_bg=
console_home=$screen_tmp/home
console_cache=$console_home/.cache/opsdeck/cache.db
console_state=$console_home/.state/opsdeck/state.db

console_cleanup() {
    if [ -n "$console_bg" ]; then
        for _r in "$screen_dir"/*.ready; do
            [ -e "$_r" ] && : >"${_r%.ready}.go"
        done
        wait "$console_bg" 2>/dev/null
        console_bg=
    fi
    sim_cleanup
    if [ -n "${CONSOLE_KEEP_SCREENS:-}" ]; then
        mkdir -p "$CONSOLE_KEEP_SCREENS" && cp -R "$screen_dir/." "$CONSOLE_KEEP_SCREENS/"
    fi
    rm -rf "$screen_tmp"
}
trap 'console_cleanup' EXIT
trap 'console_cleanup; trap - EXIT; exit 129' HUP
trap 'console_cleanup; trap - EXIT; exit 130' INT
trap 'console_cleanup; trap - EXIT; exit 143' TERM

# console_sim_start [kubesim options]
console_sim_start() {
    sim_start "$@" >"$screen_tmp/sim-start.log" 2>&1 || {
        cat "$screen_tmp/sim-start.log" >&2
        bail "the simulated platform did not start"
    }
}

console_run() {
    run_screen --platform "$console_platform" --kubeconfig "${CONSOLE_KUBECONFIG:-$SIM_KUBECONFIG}" \
        "$@"
}

console_run_bg() {
    screen_runs=$((screen_runs + 1))
    rm -f "$screen_tmp/status"
    console_run "$@" &
    console_bg=$!
}

# console_at NAME [SECONDS]: the console reached `:barrier NAME` (fails after SECONDS, 30).
console_at() {
    sim_poll "${2:-30}" test -e "$screen_dir/$1.ready"
}

console_go() {
    : >"$screen_dir/$1.go"
}

console_wait() {
    wait "$console_bg"
    console_bg=
    screen_status=$(cat "$screen_tmp/status" 2>/dev/null || echo none)
}

# console_sql DB SQL: one query through python's sqlite3 (read-only); prints the rows.
console_sql() {
    "${PYTHON3:-python3}" - "$1" "$2" <<'EOP'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in db.execute(sys.argv[2]):
    print("|".join(str(c) for c in row))
EOP
}

# console_painted NAME ROW_REGEX ATTR_REGEX [DESCRIPTION]: in screen NAME (saved with
# :save-display-attrs) the first row matching ROW_REGEX has runs matching ATTR_REGEX.
console_painted() {
    _runs=$(awk -v re="$2" 'found { print; exit } $0 ~ re && !/^@ / { found = 1 }' \
        "$screen_dir/$1" 2>/dev/null)
    printf '%s\n' "$_runs" | grep -Eq -- "$3"
    _r=$?
    ok $_r "${4:-screen $1: the row /$2/ is painted /$3/}"
    [ $_r -eq 0 ] || diag "runs of the row /$2/: ${_runs:-(no such row)}"
}

# console_mask_port NAME...: the sim's random port becomes SIMPORT in the saved screens, so a
# screen showing the server's URL compares whole.
console_mask_port() {
    for _n in "$@"; do
        [ -f "$screen_dir/$_n" ] &&
            sed -i "s/127\.0\.0\.1:$SIM_PORT\([^0-9]\|$\)/127.0.0.1:SIMPORT\1/g" "$screen_dir/$_n"
    done
}

# console_actions: the operator's actions in the last script, as scenarios.md counts them: a
# typed `:…` or `/…` line with its Enter is one, any other key is one; directives are none.
console_actions() {
    awk '
        /^[ \t]*(#|$)/ { next }
        /^:(save-display|save-display-attrs|resize|wait-for|barrier) / { next }
        /^:(wait|quit)$/ { next }
        /^[:\/].*<Enter>$/ { n++; next }
        { line = $0; gsub(/<[A-Za-z0-9-]+>/, "K", line); n += length(line) }
        END { print n + 0 }
    ' "$screen_tmp/steps"
}
