# SPDX-License-Identifier: MIT
# tests/integration/cli-lib.sh - shared by the one-shot command tests (cli-*.sh; not a test).
# Sourcing it gives TAP (tests/lib/tap.sh) and the sim (tests/lib/sim.sh), a private temp dir
# CLI_DIR with HOME and XDG_* inside it (never the user's ~/.kube or cache), KUBECONFIG unset, a
# frozen clock, and a trap that stops the sim and every process registered with cli_track, by
# PID, then removes CLI_DIR.
#
#   ops ARGS...           $OPSDECK with --kubeconfig $CLI_KC (default: the sim's), bounded
#   ops_raw ARGS...       $OPSDECK without --kubeconfig, bounded
#   cli_track PID         stop PID (TERM, then KILL) when the test ends
#   cli_cache_dump FILE   every cached object row (kind, ns, name, fetched_at, blob hash) as
#                         JSON lines, read with Python's sqlite3 (an independent reader)
#   pycheck ARGS... <<EOF a Python check read from stdin, with ARGS as sys.argv[1:]
#   elapsed_ms START      milliseconds since START (from now_ms)

. "$top_srcdir/tests/lib/tap.sh"
SIM_NO_TRAP=1
. "$top_srcdir/tests/lib/sim.sh"

: "${OPSDECK:=$top_builddir/opsdeck}"
: "${PYTHON3:=python3}"
[ -x "$OPSDECK" ] || bail "no opsdeck binary at $OPSDECK"

CLI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-cli.XXXXXX") || bail "mktemp"
chmod 700 "$CLI_DIR"
CLI_PIDS=
SIM_DIR=$CLI_DIR/sim

cli_track() {
    CLI_PIDS="$CLI_PIDS $1"
}

cli_cleanup() {
    for p in $CLI_PIDS; do
        kill -TERM "$p" 2>/dev/null || :
    done
    for p in $CLI_PIDS; do
        n=0
        while kill -0 "$p" 2>/dev/null && [ "$n" -lt 100 ]; do
            sleep 0.05
            n=$((n + 1))
        done
        kill -KILL "$p" 2>/dev/null || :
        wait "$p" 2>/dev/null || :
    done
    CLI_PIDS=
    sim_cleanup
    rm -rf "$CLI_DIR"
}
trap 'cli_cleanup' EXIT
trap 'cli_cleanup; trap - EXIT; exit 129' HUP
trap 'cli_cleanup; trap - EXIT; exit 130' INT
trap 'cli_cleanup; trap - EXIT; exit 143' TERM

export HOME=$CLI_DIR/home
export XDG_CONFIG_HOME=$CLI_DIR/xdg/config
export XDG_CACHE_HOME=$CLI_DIR/xdg/cache
export XDG_STATE_HOME=$CLI_DIR/xdg/state
mkdir -p "$HOME"
unset KUBECONFIG NO_COLOR
export LC_ALL=C.UTF-8
export OPSDECK_CLOCK=2026-11-24T03:12:00Z
CACHE_DB=$XDG_CACHE_HOME/opsdeck/cache.db
STATE_DB=$XDG_STATE_HOME/opsdeck/state.db

ops() {
    timeout 120 "$OPSDECK" --kubeconfig "${CLI_KC:-$SIM_KUBECONFIG}" "$@"
}

ops_raw() {
    timeout 120 "$OPSDECK" "$@"
}

pycheck() {
    "$PYTHON3" - "$@"
}

now_ms() {
    date +%s%3N
}

elapsed_ms() {
    echo $(($(now_ms) - $1))
}

cli_cache_dump() {
    "$PYTHON3" - "$CACHE_DB" > "$1" <<'EOF'
import hashlib, json, sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for kind, ns, name, at, blob in c.execute(
        "SELECT kind, ns, name, fetched_at, blob FROM objects ORDER BY kind, ns, name"):
    print(json.dumps([kind, ns, name, at, hashlib.sha256(blob).hexdigest()]))
c.close()
EOF
}

# cli_start_sim [kubesim options]: sim_start, or a failed case and the end of the test.
cli_start_sim() {
    if sim_start "$@"; then
        ok 0 "the simulated API server starts (TLS + token)"
    else
        ok 1 "the simulated API server starts (TLS + token)"
        plan_done
    fi
}

# kc_write FILE [CONTEXT_LINES [USER_LINES]]: a kubeconfig for the sim like sim_start's (cluster,
# context and user all "default"), with CONTEXT_LINES added under the context (e.g.
# "    namespace: dp-max-catapp") and USER_LINES in place of the token (indented 4 spaces).
kc_write() {
    (
        umask 077
        {
            echo "apiVersion: v1"
            echo "kind: Config"
            echo "clusters:"
            echo "- cluster:"
            echo "    certificate-authority-data: $(base64 -w0 < "$SIM_CA")"
            echo "    server: $SIM_URL"
            echo "  name: default"
            echo "contexts:"
            echo "- context:"
            echo "    cluster: default"
            echo "    user: default"
            [ -n "${2:-}" ] && printf '%s\n' "$2"
            echo "  name: default"
            echo "current-context: default"
            echo "users:"
            echo "- name: default"
            echo "  user:"
            if [ -n "${3:-}" ]; then
                printf '%s\n' "$3"
            else
                echo "    token: $SIM_TOKEN"
            fi
        } > "$1"
    )
}
