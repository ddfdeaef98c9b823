#!/bin/sh
# SPDX-License-Identifier: MIT
# sim/demo.sh OPSDECK_BINARY [opsdeck args...] - open opsdeck on the simulated platform in its
# own temporary world: a temp dir holds the sim's certificates, kubeconfig and state and
# opsdeck's XDG config/cache/state, so ~/.kube and the user's cache are never touched. The
# platform is whole: the Kubernetes sim, the Loki double and the simulated node exporters
# scraped by the real Prometheus (when Debian's prometheus is installed), Loki and Prometheus
# reached through the sim's service proxy as on seeds/001. SIM_DEMO_NO_OBSERVABILITY=1 leaves
# Loki and Prometheus out. On exit, INT, TERM or HUP everything started here is stopped by PID
# and the temp dir removed.
set -u

[ $# -ge 1 ] || { echo "usage: $0 OPSDECK_BINARY [opsdeck args...]" >&2; exit 2; }
opsdeck=$1
shift

SIM_HOME=$(cd "$(dirname "$0")" && pwd)
PROM_HOME=$SIM_HOME
top=$(dirname "$SIM_HOME")
. "$SIM_HOME/lib.sh"
. "$SIM_HOME/prom.sh"

demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-demo.XXXXXX") || exit 1
SIM_DIR=$demo_dir/sim
child=

demo_cleanup() {
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null
        sim_poll 5 demo_child_gone || kill -KILL "$child" 2>/dev/null
    fi
    sim_stop
    prom_stop
    rm -rf "$demo_dir"
}
demo_child_gone() {
    ! kill -0 "$child" 2>/dev/null
}
trap 'demo_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

proxy_args=
if [ -z "${SIM_DEMO_NO_OBSERVABILITY:-}" ]; then
    SIM_LOKI=1
    export SIM_LOKI
    if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
        echo "demo: starting the simulated node exporters and Prometheus..." >&2
        PROM_DIR=$demo_dir/prom
        if prom_start --scrape >"$demo_dir/prom-start.log" 2>&1; then
            proxy_args="--proxy-service dp-system/prometheus-operated:9090=$PROM_URL"
        else
            echo "demo: Prometheus did not start (metrics left out):" >&2
            tail -n 5 "$demo_dir/prom-start.log" >&2
        fi
    else
        echo "demo: no prometheus installed: node metrics left out" >&2
    fi
fi
echo "demo: starting the simulated platform..." >&2
# shellcheck disable=SC2086
sim_start $proxy_args ${SIM_DEMO_ARGS:-} || {
    echo "demo: the simulated platform did not start" >&2
    exit 1
}

export XDG_CONFIG_HOME="$demo_dir/config"
export XDG_CACHE_HOME="$demo_dir/cache"
export XDG_STATE_HOME="$demo_dir/state"
export KUBECONFIG="$SIM_KUBECONFIG"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"

platform=$top/examples/deploy-mcp/platform.yml
set -- --kubeconfig "$SIM_KUBECONFIG" --platform "$platform" "$@"

# The console runs as our child so that a signal to this script can stop it and the sim by PID
# at once. It stays in the terminal's foreground process group (no job control here). An
# asynchronous command would get /dev/null as stdin and SIGINT ignored: hand it our stdin and
# restore the default signal dispositions (Ctrl-C must reach it).
exec 3<&0
(sim_exec_sigdfl "$opsdeck" "$@") <&3 3<&- &
child=$!
exec 3<&-
status=0
while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
done
child=
exit "$status"
