# SPDX-License-Identifier: MIT
# sim/lib.sh - start, stop and drive the simulated API server from POSIX sh.
# Sourced by tests/lib/sim.sh (tests) and sim/demo.sh (the README's demo). Needs SIM_HOME (the
# sim/ directory) set by the sourcing script. Only one sim per shell; everything it starts is
# stopped by PID. Safe under `set -e`.
#
#   sim_start [kubesim options]  start (TLS + token unless SIM_TLS=0 / SIM_NO_TOKEN=1); exports
#                                SIM_URL SIM_PORT SIM_KUBECONFIG SIM_TOKEN SIM_PID SIM_DIR SIM_CA
#   sim_stop                     stop it (TERM, then KILL after SIM_STOP_TIMEOUT s), wait for it
#   sim_restart                  stop, start again on the same port with the same options and
#                                the same --state-dir (objects and resourceVersions survive)
#   sim_ctl METHOD PATH [JSON]   control API (PATH with or without the /_sim/ prefix); prints
#                                the JSON answer, fails on an HTTP error
#   sim_api PATH [curl args]     GET an API path with the token (prints the body)
#   sim_poll SECONDS CMD...      run CMD until it succeeds, at most SECONDS (fails after)
#   sim_cleanup                  sim_stop and remove SIM_DIR when sim_start made it
#   sim_exec_sigdfl CMD...       exec CMD with SIGINT/SIGQUIT back to their defaults (a
#                                background job of a non-interactive shell has them ignored)
#
# With SIM_LOKI=1, sim_start first starts lokisim (plain HTTP on loopback, options from
# SIM_LOKI_ARGS, the --clock given to sim_start), exports SIM_LOKI_URL SIM_LOKI_PORT
# SIM_LOKI_PID, and maps it behind kubesim's service proxy (dp-system/loki:3100); sim_stop stops
# it too, sim_restart keeps it running.
#   sim_loki_ctl METHOD PATH [JSON]  lokisim's control API, like sim_ctl

: "${PYTHON3:=python3}"
: "${SIM_START_TIMEOUT:=60}"
: "${SIM_STOP_TIMEOUT:=10}"

sim_exec_sigdfl() {
    exec "$PYTHON3" -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

sim__quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

sim__now_ms() {
    # Milliseconds from an arbitrary origin; date +%s%N is GNU, fine on Debian.
    date +%s%3N
}

# sim_poll SECONDS CMD... - retries CMD every 50 ms until it succeeds or SECONDS pass.
sim_poll() {
    sim__limit=$1
    shift
    sim__end=$(( $(sim__now_ms) + sim__limit * 1000 ))
    while :; do
        "$@" && return 0
        [ "$(sim__now_ms)" -ge "$sim__end" ] && return 1
        sleep 0.05
    done
}

sim__write_kubeconfig() {
    sim__kc=$SIM_DIR/kubeconfig
    (
        umask 077
        {
            echo "apiVersion: v1"
            echo "kind: Config"
            echo "clusters:"
            echo "- cluster:"
            if [ "$SIM_TLS" = 1 ]; then
                echo "    certificate-authority-data: $(base64 -w0 < "$SIM_CA")"
            fi
            echo "    server: $SIM_URL"
            echo "  name: default"
            echo "contexts:"
            echo "- context:"
            echo "    cluster: default"
            echo "    user: default"
            echo "  name: default"
            echo "current-context: default"
            echo "preferences: {}"
            echo "users:"
            echo "- name: default"
            if [ -n "$SIM_TOKEN" ]; then
                echo "  user:"
                echo "    token: $SIM_TOKEN"
            else
                echo "  user: {}"
            fi
        } > "$sim__kc"
    )
    SIM_KUBECONFIG=$sim__kc
}

sim__port_ready() {
    [ -s "$SIM_DIR/port" ]
}

sim__alive() {
    kill -0 "$SIM_PID" 2>/dev/null
}

sim__launch() {
    rm -f "$SIM_DIR/port"
    eval "set -- $SIM_ARGS"
    if [ "$SIM_TLS" = 1 ]; then
        set -- --tls-cert "$SIM_DIR/pki/server.crt" --tls-key "$SIM_DIR/pki/server.key" "$@"
    fi
    if [ -n "$SIM_TOKEN" ]; then
        set -- --token "$SIM_TOKEN" "$@"
    fi
    if [ -n "${SIM_PORT:-}" ]; then
        set -- --port "$SIM_PORT" "$@"
    fi
    if [ -n "${SIM_LOKI_URL:-}" ]; then
        set -- --proxy-service "dp-system/loki:3100=$SIM_LOKI_URL" "$@"
    fi
    "$PYTHON3" "$SIM_HOME/kubesim.py" --port-file "$SIM_DIR/port" \
        --state-dir "$SIM_DIR/state" "$@" >> "$SIM_DIR/sim.log" 2>&1 &
    SIM_PID=$!
    sim__end=$(( $(sim__now_ms) + SIM_START_TIMEOUT * 1000 ))
    while ! sim__port_ready; do
        if ! sim__alive; then
            echo "sim: kubesim exited during start-up:" >&2
            tail -n 20 "$SIM_DIR/sim.log" >&2
            SIM_PID=
            return 1
        fi
        if [ "$(sim__now_ms)" -ge "$sim__end" ]; then
            echo "sim: kubesim not listening after ${SIM_START_TIMEOUT}s" >&2
            sim__kube_stop
            return 1
        fi
        sleep 0.05
    done
    SIM_PORT=$(cat "$SIM_DIR/port")
    if [ "$SIM_TLS" = 1 ]; then
        SIM_URL=https://127.0.0.1:$SIM_PORT
    else
        SIM_URL=http://127.0.0.1:$SIM_PORT
    fi
    export SIM_URL SIM_PORT SIM_PID
    sim_poll 10 sim__ping || { echo "sim: kubesim does not answer" >&2; sim__kube_stop; return 1; }
}

sim__ping() {
    sim_ctl GET stats > /dev/null 2>&1
}

sim_start() {
    if [ -n "${SIM_PID:-}" ] && sim__alive; then
        echo "sim: already running (pid $SIM_PID)" >&2
        return 1
    fi
    if [ -z "${SIM_DIR:-}" ]; then
        SIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-sim.XXXXXX") || return 1
        SIM_OWN_DIR=1
    fi
    mkdir -p "$SIM_DIR"
    : "${SIM_TLS:=1}"
    if [ "${SIM_NO_TOKEN:-0}" = 1 ]; then
        SIM_TOKEN=
    elif [ -z "${SIM_TOKEN:-}" ]; then
        SIM_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    fi
    SIM_CA=
    if [ "$SIM_TLS" = 1 ]; then
        if [ ! -s "$SIM_DIR/pki/server.crt" ]; then
            sh "$SIM_HOME/mkcerts.sh" "$SIM_DIR/pki" || {
                echo "sim: making certificates failed" >&2
                return 1
            }
        fi
        SIM_CA=$SIM_DIR/pki/ca.crt
    fi
    SIM_ARGS=
    for sim__a in "$@"; do
        SIM_ARGS="$SIM_ARGS $(sim__quote "$sim__a")"
    done
    SIM_PORT=
    if [ "${SIM_LOKI:-0}" = 1 ]; then
        sim__loki_start "$@" || return 1
    fi
    sim__launch || { sim__loki_stop; return 1; }
    sim__write_kubeconfig
    export SIM_DIR SIM_TOKEN SIM_CA SIM_KUBECONFIG
}

sim__loki_start() {
    sim__lclock=
    while [ $# -gt 0 ]; do
        case $1 in
            --clock) sim__lclock=${2:-} ; shift ;;
            --clock=*) sim__lclock=${1#--clock=} ;;
        esac
        shift
    done
    rm -f "$SIM_DIR/loki.port"
    eval "set -- ${SIM_LOKI_ARGS:-}"
    if [ -n "$sim__lclock" ]; then
        set -- --clock "$sim__lclock" "$@"
    fi
    "$PYTHON3" "$SIM_HOME/lokisim.py" --port-file "$SIM_DIR/loki.port" "$@" \
        >> "$SIM_DIR/loki.log" 2>&1 &
    SIM_LOKI_PID=$!
    sim__end=$(( $(sim__now_ms) + SIM_START_TIMEOUT * 1000 ))
    while [ ! -s "$SIM_DIR/loki.port" ]; do
        if ! kill -0 "$SIM_LOKI_PID" 2>/dev/null; then
            echo "sim: lokisim exited during start-up:" >&2
            tail -n 20 "$SIM_DIR/loki.log" >&2
            SIM_LOKI_PID=
            return 1
        fi
        if [ "$(sim__now_ms)" -ge "$sim__end" ]; then
            echo "sim: lokisim not listening after ${SIM_START_TIMEOUT}s" >&2
            sim__loki_stop
            return 1
        fi
        sleep 0.05
    done
    SIM_LOKI_PORT=$(cat "$SIM_DIR/loki.port")
    SIM_LOKI_URL=http://127.0.0.1:$SIM_LOKI_PORT
    export SIM_LOKI_URL SIM_LOKI_PORT SIM_LOKI_PID
}

sim__loki_stop() {
    [ -n "${SIM_LOKI_PID:-}" ] || return 0
    if kill -0 "$SIM_LOKI_PID" 2>/dev/null; then
        kill -TERM "$SIM_LOKI_PID" 2>/dev/null || :
        sim__end=$(( $(sim__now_ms) + SIM_STOP_TIMEOUT * 1000 ))
        while kill -0 "$SIM_LOKI_PID" 2>/dev/null; do
            if [ "$(sim__now_ms)" -ge "$sim__end" ]; then
                kill -KILL "$SIM_LOKI_PID" 2>/dev/null || :
                break
            fi
            sleep 0.05
        done
    fi
    wait "$SIM_LOKI_PID" 2>/dev/null || :
    SIM_LOKI_PID=
    SIM_LOKI_URL=
    SIM_LOKI_PORT=
}

sim_loki_ctl() {
    sim__m=$1
    sim__p=$2
    case $sim__p in
        /_sim/*) ;;
        /*) sim__p=/_sim$sim__p ;;
        *) sim__p=/_sim/$sim__p ;;
    esac
    if [ $# -ge 3 ]; then
        curl -sS --fail-with-body --max-time 30 -X "$sim__m" \
            -H 'Content-Type: application/json' --data-binary "$3" "$SIM_LOKI_URL$sim__p"
    else
        curl -sS --fail-with-body --max-time 30 -X "$sim__m" "$SIM_LOKI_URL$sim__p"
    fi
}

sim_stop() {
    sim__loki_stop
    sim__kube_stop
}

sim__kube_stop() {
    [ -n "${SIM_PID:-}" ] || return 0
    if sim__alive; then
        kill -TERM "$SIM_PID" 2>/dev/null || :
        sim__end=$(( $(sim__now_ms) + SIM_STOP_TIMEOUT * 1000 ))
        while sim__alive; do
            if [ "$(sim__now_ms)" -ge "$sim__end" ]; then
                kill -KILL "$SIM_PID" 2>/dev/null || :
                break
            fi
            sleep 0.05
        done
    fi
    wait "$SIM_PID" 2>/dev/null || :
    SIM_PID=
    return 0
}

sim_restart() {
    [ -n "${SIM_DIR:-}" ] && [ -n "${SIM_PORT:-}" ] || {
        echo "sim: sim_restart before sim_start" >&2
        return 1
    }
    sim__kube_stop
    sim__tries=0
    until sim__launch; do
        sim__tries=$((sim__tries + 1))
        [ "$sim__tries" -ge 20 ] && return 1
        sleep 0.1
    done
}

sim_ctl() {
    sim__m=$1
    sim__p=$2
    case $sim__p in
        /_sim/*) ;;
        /*) sim__p=/_sim$sim__p ;;
        *) sim__p=/_sim/$sim__p ;;
    esac
    if [ $# -ge 3 ]; then
        curl -sS --fail-with-body --max-time 30 ${SIM_CA:+--cacert "$SIM_CA"} -X "$sim__m" \
            -H 'Content-Type: application/json' --data-binary "$3" "$SIM_URL$sim__p"
    else
        curl -sS --fail-with-body --max-time 30 ${SIM_CA:+--cacert "$SIM_CA"} -X "$sim__m" \
            "$SIM_URL$sim__p"
    fi
}

sim_api() {
    sim__p=$1
    shift
    curl -sS --max-time 30 ${SIM_CA:+--cacert "$SIM_CA"} \
        ${SIM_TOKEN:+-H "Authorization: Bearer $SIM_TOKEN"} "$@" "$SIM_URL$sim__p"
}

sim_cleanup() {
    sim_stop
    if [ "${SIM_OWN_DIR:-0}" = 1 ] && [ "${SIM_KEEP:-0}" != 1 ] && [ -n "${SIM_DIR:-}" ]; then
        rm -rf "$SIM_DIR"
        SIM_DIR=
        SIM_OWN_DIR=0
    fi
}
