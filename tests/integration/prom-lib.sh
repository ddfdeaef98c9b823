# SPDX-License-Identifier: MIT
# tests/integration/prom-lib.sh - shared by the Prometheus client tests (prom-*.sh, cli-query*.sh;
# not a test): TAP, the real Prometheus over the simulated exporters (tests/lib/prom.sh), a
# private HOME and XDG dirs, the frozen clock the backfill is placed against, and a trap that
# stops what prom_start started (by PID) and removes the temporary directory.
#
#   pq_start [prom_start options]   prom_start --clock $OPSDECK_CLOCK ..., or bail out
#   ops ARGS...                     $OPSDECK ARGS, bounded in time
#   curl_query EXPR [TIME]          Prometheus's own answer to an instant query (body only)
#   same FILE1 FILE2 NAME           a case: the files are byte-equal (diff diagnosed)

. "$top_srcdir/tests/lib/tap.sh"
PROM_NO_TRAP=1
. "$top_srcdir/tests/lib/prom.sh"

: "${OPSDECK:=$top_builddir/opsdeck}"
: "${PYTHON3:=python3}"
[ -x "$OPSDECK" ] || bail "no opsdeck binary at $OPSDECK"

PQ_DIR=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-prom.XXXXXX") || bail "mktemp"
chmod 700 "$PQ_DIR"

pq_cleanup() {
    prom_cleanup
    rm -rf "$PQ_DIR"
}
trap 'pq_cleanup' EXIT
trap 'pq_cleanup; trap - EXIT; exit 129' HUP
trap 'pq_cleanup; trap - EXIT; exit 130' INT
trap 'pq_cleanup; trap - EXIT; exit 143' TERM

export HOME=$PQ_DIR/home
export XDG_CONFIG_HOME=$PQ_DIR/xdg/config
export XDG_CACHE_HOME=$PQ_DIR/xdg/cache
export XDG_STATE_HOME=$PQ_DIR/xdg/state
mkdir -p "$HOME"
unset KUBECONFIG NO_COLOR
export LC_ALL=C.UTF-8
export OPSDECK_CLOCK=${OPSDECK_CLOCK:-2026-11-24T03:12:00Z}

pq_start() {
    prom_start --clock "$OPSDECK_CLOCK" "$@" > "$PQ_DIR/prom-start.log" 2>&1 || {
        cat "$PQ_DIR/prom-start.log" >&2
        bail "the real Prometheus did not start"
    }
}

ops() {
    timeout 60 "$OPSDECK" "$@"
}

curl_query() {
    if [ -n "${2:-}" ]; then
        curl -sS --max-time 30 "$PROM_URL/api/v1/query" --data-urlencode "query=$1" \
            --data-urlencode "time=$2"
    else
        curl -sS --max-time 30 "$PROM_URL/api/v1/query" --data-urlencode "query=$1"
    fi
}

same() {
    if cmp -s "$1" "$2"; then
        ok 0 "$3"
    else
        diff "$1" "$2" | head -20 | sed 's/^/# /'
        ok 1 "$3"
    fi
}
