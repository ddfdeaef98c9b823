# SPDX-License-Identifier: MIT
# sim/prom.sh - the simulated node exporters and the real Prometheus that scrapes them, from
# POSIX sh. Sourced by tests/lib/prom.sh (tests) and demo scripts. Needs PROM_HOME (the sim/
# directory; SIM_HOME when that is set) from the sourcing script. One Prometheus per shell;
# everything it starts is stopped by PID. Safe under `set -e`. Needs python3, curl,
# prometheus and promtool (Debian's prometheus package).
#
#   prom_start [options]    make PROM_DIR, start nodeexp.py, backfill an hour, start
#                           prometheus on a free loopback port and wait until it is ready;
#                           exports PROM_URL PROM_PORT PROM_PID PROM_DIR NODEEXP_PID
#                           NODEEXP_PORT NODEEXP_CTL. Options:
#       --nodes N           N nodes in all (the seed's five, then run-3 ... as kubesim's
#                           large platform; at most 500)
#       --scrape            scrape the exporters live (else the data is the backfill only)
#       --scrape-interval D scrape interval (1s, 15s above 20 nodes); evaluation interval
#                           is the same
#       --clock T           end of the backfilled hour (default $OPSDECK_CLOCK, else now)
#       --down NODE[:MIN]   NODE stopped answering MIN (10) minutes before the clock
#       --backfill-step S   seconds between backfilled samples (15; 60 above 20 nodes)
#       --backfill-series all|lean|auto  lean: only the series sparklines read (auto:
#                           lean above 20 nodes)
#   prom_stop               stop Prometheus and the exporters (TERM, then KILL after
#                           PROM_STOP_TIMEOUT s), wait for them
#   prom_cleanup            prom_stop and remove PROM_DIR when prom_start made it
#   prom_ctl METHOD PATH    nodeexp control API (`prom_ctl POST 'down?node=run-2'`); prints
#                           the JSON answer, fails on an HTTP error
#   prom_scrape on|off      start or stop scraping the exporters (file_sd targets)
#   prom_query EXPR [TIME]  instant query; prints Prometheus's JSON answer
#   prom_get PATH [curl args]  GET an API path of Prometheus (prints the body)
#   prom_poll SECONDS CMD...   run CMD every 50 ms until it succeeds, at most SECONDS

: "${PYTHON3:=python3}"
: "${PROMETHEUS:=prometheus}"
: "${PROMTOOL:=promtool}"
: "${PROM_START_TIMEOUT:=60}"
: "${PROM_STOP_TIMEOUT:=10}"
: "${PROM_HOME:=${SIM_HOME:-}}"

prom__quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

prom__now_ms() {
    date +%s%3N
}

prom_poll() {
    prom__limit=$1
    shift
    prom__end=$(( $(prom__now_ms) + prom__limit * 1000 ))
    while :; do
        "$@" && return 0
        [ "$(prom__now_ms)" -ge "$prom__end" ] && return 1
        sleep 0.05
    done
}

prom__alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null
}

# prom__kill PID: TERM, then KILL after PROM_STOP_TIMEOUT seconds; waits for it.
prom__kill() {
    [ -n "${1:-}" ] || return 0
    if prom__alive "$1"; then
        kill -TERM "$1" 2>/dev/null || :
        prom__kend=$(( $(prom__now_ms) + PROM_STOP_TIMEOUT * 1000 ))
        while prom__alive "$1"; do
            if [ "$(prom__now_ms)" -ge "$prom__kend" ]; then
                kill -KILL "$1" 2>/dev/null || :
                break
            fi
            sleep 0.05
        done
    fi
    wait "$1" 2>/dev/null || :
}

prom__free_port() {
    "$PYTHON3" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

prom__ready() {
    curl -fsS --max-time 2 "$PROM_URL/-/ready" > /dev/null 2>&1
}

# prom__launch_prometheus: start prometheus on a free port (retried when the port was taken
# between choosing and binding) and wait until it is ready.
prom__launch_prometheus() {
    prom__tries=0
    while :; do
        PROM_PORT=$(prom__free_port) || return 1
        PROM_URL=http://127.0.0.1:$PROM_PORT
        : > "$PROM_DIR/prometheus.log"
        "$PROMETHEUS" --config.file="$PROM_DIR/prometheus.yml" \
            --storage.tsdb.path="$PROM_DIR/tsdb" \
            --storage.tsdb.retention.time=100y \
            --web.listen-address="127.0.0.1:$PROM_PORT" \
            --log.level=warn >> "$PROM_DIR/prometheus.log" 2>&1 &
        PROM_PID=$!
        prom__end=$(( $(prom__now_ms) + PROM_START_TIMEOUT * 1000 ))
        while ! prom__ready; do
            if ! prom__alive "$PROM_PID"; then
                wait "$PROM_PID" 2>/dev/null || :
                PROM_PID=
                break
            fi
            if [ "$(prom__now_ms)" -ge "$prom__end" ]; then
                echo "prom: prometheus not ready after ${PROM_START_TIMEOUT}s" >&2
                tail -n 20 "$PROM_DIR/prometheus.log" >&2
                return 1
            fi
            sleep 0.05
        done
        [ -n "$PROM_PID" ] && return 0
        prom__tries=$((prom__tries + 1))
        if ! grep -q 'address already in use' "$PROM_DIR/prometheus.log" ||
                [ "$prom__tries" -ge 5 ]; then
            echo "prom: prometheus exited during start-up:" >&2
            tail -n 20 "$PROM_DIR/prometheus.log" >&2
            return 1
        fi
    done
}

prom__launch_nodeexp() {
    rm -f "$PROM_DIR/nodeexp.env"
    "$PYTHON3" "$PROM_HOME/nodeexp.py" --port-file "$PROM_DIR/nodeexp.env" \
        --backfill-file "$PROM_DIR/backfill.om" --targets-file "$PROM_DIR/targets.nodeexp.json" \
        "$@" >> "$PROM_DIR/nodeexp.log" 2>&1 &
    NODEEXP_PID=$!
    prom__end=$(( $(prom__now_ms) + PROM_START_TIMEOUT * 1000 ))
    while [ ! -s "$PROM_DIR/nodeexp.env" ]; do
        if ! prom__alive "$NODEEXP_PID"; then
            echo "prom: nodeexp.py exited during start-up:" >&2
            tail -n 20 "$PROM_DIR/nodeexp.log" >&2
            wait "$NODEEXP_PID" 2>/dev/null || :
            NODEEXP_PID=
            return 1
        fi
        if [ "$(prom__now_ms)" -ge "$prom__end" ]; then
            echo "prom: nodeexp.py not listening after ${PROM_START_TIMEOUT}s" >&2
            return 1
        fi
        sleep 0.02
    done
    . "$PROM_DIR/nodeexp.env"
    export NODEEXP_PID NODEEXP_PORT NODEEXP_CTL
}

prom_start() {
    if prom__alive "${PROM_PID:-}" || prom__alive "${NODEEXP_PID:-}"; then
        echo "prom: already running (prometheus ${PROM_PID:-none}, nodeexp" \
            "${NODEEXP_PID:-none})" >&2
        return 1
    fi
    if [ ! -f "${PROM_HOME:-}/nodeexp.py" ]; then
        echo "prom: set PROM_HOME to the sim/ directory" >&2
        return 1
    fi
    prom__scrape=0
    prom__interval=
    prom__nodes=0
    prom__clock=${OPSDECK_CLOCK:-}
    prom__args=
    while [ $# -gt 0 ]; do
        case $1 in
            --scrape) prom__scrape=1 ;;
            --scrape-interval|--nodes|--clock|--down|--backfill-step|--backfill-series)
                [ $# -ge 2 ] || { echo "prom: $1 needs a value" >&2; return 1; }
                case $1 in
                    --scrape-interval) prom__interval=$2 ;;
                    --nodes) prom__nodes=$2 ;;
                    --clock) prom__clock=$2 ;;
                esac
                [ "$1" = --scrape-interval ] ||
                    prom__args="$prom__args $1 $(prom__quote "$2")"
                shift ;;
            *) echo "prom: unknown option $1" >&2; return 1 ;;
        esac
        shift
    done
    if [ -z "$prom__interval" ]; then
        # One Python process serves every exporter: 500 scrapes a second is too many.
        if [ "$prom__nodes" -gt 20 ] 2>/dev/null; then prom__interval=15s; else prom__interval=1s; fi
    fi
    if [ "$prom__scrape" = 1 ] && [ -n "$prom__clock" ]; then
        prom__cs=$(date -u -d "$prom__clock" +%s 2>/dev/null || echo "$prom__clock")
        if [ "${prom__cs%%.*}" -gt "$(date +%s)" ] 2>/dev/null; then
            echo "prom: warning: the clock $prom__clock is later than the real time; Prometheus" \
                "discards live samples as out of bounds until the real time passes it" >&2
        fi
    fi
    if [ -z "${PROM_DIR:-}" ]; then
        PROM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-prom.XXXXXX") || return 1
        PROM_OWN_DIR=1
    fi
    mkdir -p "$PROM_DIR"
    rm -rf "$PROM_DIR/tsdb"
    eval "set -- $prom__args"
    prom__launch_nodeexp "$@" || { prom_stop; return 1; }
    if ! "$PROMTOOL" tsdb create-blocks-from openmetrics "$PROM_DIR/backfill.om" \
            "$PROM_DIR/tsdb" > "$PROM_DIR/promtool.log" 2>&1; then
        echo "prom: promtool tsdb create-blocks-from openmetrics failed:" >&2
        tail -n 20 "$PROM_DIR/promtool.log" >&2
        prom_stop
        return 1
    fi
    [ "${PROM_KEEP:-0}" = 1 ] || rm -f "$PROM_DIR/backfill.om"
    if [ "$prom__scrape" = 1 ]; then
        cp "$PROM_DIR/targets.nodeexp.json" "$PROM_DIR/targets.json"
    else
        echo '[]' > "$PROM_DIR/targets.json"
    fi
    sed -e "s|@SCRAPE_INTERVAL@|$prom__interval|g" -e "s|@EVAL_INTERVAL@|$prom__interval|g" \
        -e "s|@RULES@|$PROM_HOME/prometheus/rules.yml|g" \
        -e "s|@TARGETS@|$PROM_DIR/targets.json|g" \
        "$PROM_HOME/prometheus/prometheus.yml.in" > "$PROM_DIR/prometheus.yml"
    prom__launch_prometheus || { prom_stop; return 1; }
    export PROM_URL PROM_PORT PROM_PID PROM_DIR
}

prom_stop() {
    prom__kill "${PROM_PID:-}"
    PROM_PID=
    prom__kill "${NODEEXP_PID:-}"
    NODEEXP_PID=
    return 0
}

prom_cleanup() {
    prom_stop
    if [ "${PROM_OWN_DIR:-0}" = 1 ] && [ "${PROM_KEEP:-0}" != 1 ] && [ -n "${PROM_DIR:-}" ]; then
        rm -rf "$PROM_DIR"
        PROM_DIR=
        PROM_OWN_DIR=0
    fi
}

prom_scrape() {
    case $1 in
        on) prom__src=$PROM_DIR/targets.nodeexp.json ;;
        off) prom__src= ;;
        *) echo "prom: prom_scrape on|off" >&2; return 1 ;;
    esac
    if [ -n "$prom__src" ]; then
        cp "$prom__src" "$PROM_DIR/targets.json.tmp"
    else
        echo '[]' > "$PROM_DIR/targets.json.tmp"
    fi
    mv "$PROM_DIR/targets.json.tmp" "$PROM_DIR/targets.json"
}

prom_ctl() {
    prom__m=$1
    prom__p=$2
    case $prom__p in
        /_sim/*) ;;
        /*) prom__p=/_sim$prom__p ;;
        *) prom__p=/_sim/$prom__p ;;
    esac
    curl -sS --fail-with-body --max-time 30 -X "$prom__m" "$NODEEXP_CTL$prom__p"
}

prom_query() {
    if [ $# -ge 2 ]; then
        curl -sS --fail-with-body --max-time 30 --data-urlencode "query=$1" \
            --data-urlencode "time=$2" "$PROM_URL/api/v1/query"
    else
        curl -sS --fail-with-body --max-time 30 --data-urlencode "query=$1" \
            "$PROM_URL/api/v1/query"
    fi
}

prom_get() {
    prom__p=$1
    shift
    curl -sS --max-time 30 "$@" "$PROM_URL$prom__p"
}
