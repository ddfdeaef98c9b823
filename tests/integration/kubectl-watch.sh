#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/kubectl-watch.sh - the real kubectl 1.20 watching the simulated API server:
# `get pods -A --watch --output-watch-events` and `get nodes -w` receive the scripted
# crash-loop, node-NotReady and node-Ready changes; -v=6 shows the list-then-watch URLs. TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
SIM_NO_TRAP=1
. "${top_srcdir:-.}/tests/lib/sim.sh"
. "${top_srcdir:-.}/tests/integration/kubectl-lib.sh"

export OPSDECK_CLOCK=2026-11-24T03:12:00Z
pods_pid=
nodes_pid=

stop_watchers() {
    for p in $pods_pid $nodes_pid; do
        kill -TERM "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    pods_pid=
    nodes_pid=
}
trap 'stop_watchers; sim_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if kubectl_find; then
    ok 0 "kubectl 1.20 is available"
else
    ok 1 "kubectl 1.20 is available"
    plan_done
fi
if sim_start; then
    ok 0 "sim starts with TLS and a token"
else
    ok 1 "sim starts with TLS and a token"
    plan_done
fi
mkdir -p "$SIM_DIR/home"
t=$SIM_DIR/t

# watch_kubectl OUT ERR ARGS... - a kubectl watch in the background (its PID in wk_pid).
watch_kubectl() {
    wk_out=$1
    wk_err=$2
    shift 2
    env HOME="$SIM_DIR/home" "$KUBECTL" --kubeconfig "$SIM_KUBECONFIG" \
        --cache-dir "$SIM_DIR/kube-cache" "$@" > "$wk_out" 2> "$wk_err" &
    wk_pid=$!
}

lines_at_least() {
    [ "$(grep -Ec "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

npods=$(sim_api /api/v1/pods | "${PYTHON3:-python3}" -c \
    'import json,sys; print(len(json.load(sys.stdin)["items"]))')
run2=$(sim_api '/api/v1/pods?fieldSelector=spec.nodeName%3Drun-2,status.phase%3DRunning' |
    "${PYTHON3:-python3}" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
web=$(sim_api '/api/v1/namespaces/dp-max-catapp/pods?labelSelector=app%3Dweb' |
    "${PYTHON3:-python3}" -c \
    'import json,sys; print(json.load(sys.stdin)["items"][0]["metadata"]["name"])')

sim_ctl DELETE requests > /dev/null
watch_kubectl "$t.pods" "$t.pods.err" get pods -A --watch --output-watch-events -v=6
pods_pid=$wk_pid
watch_kubectl "$t.nodes" "$t.nodes.err" get nodes -w
nodes_pid=$wk_pid

sim_poll 30 lines_at_least "$t.pods" '^ADDED ' "$npods"
ok $? "get pods -A --watch lists every pod first ($npods ADDED lines)" ||
    diag "$(tail -n 5 "$t.pods" "$t.pods.err")"
sim_poll 30 lines_at_least "$t.nodes" '^run-2 ' 1
ok $? "get nodes -w prints the nodes" || diag "$(cat "$t.nodes" "$t.nodes.err")"
sim_poll 10 grep -q 'watch=true' "$t.pods.err"
ok $? "kubectl opened the watch"

list_rv=$(sim_ctl GET stats | "${PYTHON3:-python3}" -c \
    'import json,sys; print(json.load(sys.stdin)["resourceVersion"])')
grep -Eq "GET https://127\.0\.0\.1:[0-9]+/api/v1/pods\?limit=500 200 OK" "$t.pods.err" &&
    grep -Eq "/api/v1/pods\?resourceVersion=$list_rv&watch=true 200 OK" "$t.pods.err"
ok $? "-v=6 shows the list (limit=500) then the watch from the list's resourceVersion" ||
    diag "$(grep 'GET http' "$t.pods.err")"

sim_ctl POST "scenario/crashloop?ns=dp-max-catapp&pod=$web" > /dev/null
sim_poll 20 grep -Eq "^MODIFIED +dp-max-catapp +$web +0/1 +CrashLoopBackOff +1 \(0s ago\)" "$t.pods"
ok $? "the scripted crash loop arrives as MODIFIED ... CrashLoopBackOff 1 (0s ago)" ||
    diag "$(grep MODIFIED "$t.pods")"

before=$(grep -c '^MODIFIED ' "$t.pods")
sim_ctl POST 'scenario/node-notready?node=run-2' > /dev/null
sim_poll 20 grep -Eq '^run-2 +NotReady +<none> +61d +v1\.31\.4\+k3s1$' "$t.nodes"
ok $? "get nodes -w shows run-2 NotReady" || diag "$(cat "$t.nodes")"
sim_poll 20 lines_at_least "$t.pods" '^MODIFIED ' $((before + run2))
ok $? "the $run2 running pods on run-2 arrive as MODIFIED (Ready condition false)" ||
    diag "$(tail -n 12 "$t.pods")"

sim_ctl POST 'scenario/node-ready?node=run-2' > /dev/null
sim_poll 20 lines_at_least "$t.nodes" '^run-2 +Ready ' 2
ok $? "get nodes -w shows run-2 Ready again" || diag "$(cat "$t.nodes")"

sim_ctl GET requests > "$t.req"
"${PYTHON3:-python3}" -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
assert c.get("watch /api/v1/pods") == 1 and c.get("watch /api/v1/nodes") == 1, c
assert c.get("list /api/v1/pods") == 1, c
' "$t.req"
ok $? "one list and one watch per resource, no relist" || diag "$(cat "$t.req" | head -c 600)"

no_watches() {
    sim_ctl GET stats | grep -q '"watches_active":0'
}
stop_watchers
sim_poll 10 no_watches
ok $? "the sim ends both watches once kubectl is stopped (by PID)"
plan_done
