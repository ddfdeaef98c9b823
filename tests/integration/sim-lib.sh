#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/sim-lib.sh - the shell side of the simulated platform: tests/lib/sim.sh
# (start in plain HTTP, restart on the same port and state, stop, cleanup, the traps) and
# sim/demo.sh driven with a stand-in for the opsdeck binary. TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
SIM_NO_TRAP=1
. "${top_srcdir:-.}/tests/lib/sim.sh"

PY=${PYTHON3:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/sim-lib.XXXXXX")
bg_pid=
cleanup() {
    [ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
    sim_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

gone() {
    ! kill -0 "$1" 2>/dev/null
}

json_field() {
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# --- plain HTTP, restart, stop, cleanup -----------------------------------------------------
SIM_TLS=0 sim_start --clock 2026-11-24T03:12:00Z
ok $? "sim_start in plain HTTP mode"
case $SIM_URL in http://127.0.0.1:*) r=0 ;; *) r=1 ;; esac
ok $r "SIM_URL is plain http on loopback ($SIM_URL)"
grep -q "server: $SIM_URL" "$SIM_KUBECONFIG" && ! grep -q certificate-authority "$SIM_KUBECONFIG" &&
    grep -q "token: $SIM_TOKEN" "$SIM_KUBECONFIG" && [ -n "$SIM_TOKEN" ]
ok $? "the kubeconfig names the server and the token, no CA in plain mode"
[ "$(stat -c %a "$SIM_KUBECONFIG")" = 600 ]
ok $? "the kubeconfig is private (0600)"
sim_api /api/v1/nodes | grep -q '"kind":"NodeList"'
ok $? "sim_api reaches the API with the token"

sim_ctl GET nope > /dev/null 2>&1
[ $? -ne 0 ]
ok $? "sim_ctl fails on an HTTP error"

sim_ctl POST 'scenario/crashloop?ns=dp-max-catapp&pod=api-7d9c8-x2bq' > /dev/null
rv1=$(sim_ctl GET stats | json_field resourceVersion)
port1=$SIM_PORT
pid1=$SIM_PID
sim_restart
ok $? "sim_restart"
rv2=$(sim_ctl GET stats | json_field resourceVersion)
restarts=$(sim_api /api/v1/namespaces/dp-max-catapp/pods/api-7d9c8-x2bq | "$PY" -c '
import json, sys
print(json.load(sys.stdin)["status"]["containerStatuses"][0]["restartCount"])')
[ "$SIM_PORT" = "$port1" ] && [ "$SIM_PID" != "$pid1" ] && gone "$pid1" &&
    [ "$rv1" = "$rv2" ] && [ "$restarts" = 15 ]
ok $? "restart keeps the port, the state and the resourceVersion ($rv1 -> $rv2)"

pid2=$SIM_PID
sim_stop
gone "$pid2" && [ -z "$SIM_PID" ]
ok $? "sim_stop stops the process by PID"
dir=$SIM_DIR
sim_cleanup
[ ! -e "$dir" ]
ok $? "sim_cleanup removes the directory sim_start made"

sim_start --no-such-option > "$work/bad.out" 2>&1
r=$?
[ $r -ne 0 ] && grep -q 'exited during start-up' "$work/bad.out"
ok $? "a sim that cannot start makes sim_start fail with its log" || diag "$(cat "$work/bad.out")"
sim_cleanup

# --- the trap of tests/lib/sim.sh -----------------------------------------------------------
cat > "$work/child.sh" <<EOF
. "$top_srcdir/tests/lib/sim.sh"
sim_start || exit 1
echo "\$SIM_PID \$SIM_DIR" > "$work/child.info"
exec 3>&-
while :; do sleep 0.1; done
EOF
top_srcdir=${top_srcdir:-.} sh "$work/child.sh" > "$work/child.out" 2>&1 &
bg_pid=$!
sim_poll 60 test -s "$work/child.info"
ok $? "a test script starts a sim"
read -r cpid cdir < "$work/child.info"
kill -TERM "$bg_pid"
sim_poll 15 gone "$bg_pid"
wait "$bg_pid" 2>/dev/null
bg_pid=
sim_poll 15 gone "$cpid" && [ ! -e "$cdir" ]
ok $? "TERM to the test script stops its sim and removes its directory"

# --- sim/demo.sh with a stand-in console ----------------------------------------------------
cat > "$work/standin.sh" <<'EOF'
#!/bin/sh
# stand-in for opsdeck: records how it was started, checks the sim answers, then exits or sleeps
out=$STANDIN_OUT
{
    echo "args: $*"
    echo "XDG_CONFIG_HOME=$XDG_CONFIG_HOME"
    echo "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    echo "XDG_STATE_HOME=$XDG_STATE_HOME"
    echo "KUBECONFIG=$KUBECONFIG"
    echo "SIM_PID=$SIM_PID"
    echo "SIM_DIR=$SIM_DIR"
} > "$out.tmp"
curl -sS --cacert "$SIM_CA" -H "Authorization: Bearer $SIM_TOKEN" "$SIM_URL/version" \
    > "$out.version" 2>&1
for svc in loki:3100/proxy/ready prometheus-operated:9090/proxy/-/ready; do
    curl -sS --cacert "$SIM_CA" -H "Authorization: Bearer $SIM_TOKEN" \
        "$SIM_URL/api/v1/namespaces/dp-system/services/$svc"
    echo
done > "$out.proxied" 2>&1
mv "$out.tmp" "$out"
[ "${STANDIN_SLEEP:-0}" = 1 ] && exec sleep 60
exit 7
EOF
chmod +x "$work/standin.sh"
mkdir -p "$work/home"

HOME=$work/home STANDIN_OUT=$work/run1 sh "$top_srcdir/sim/demo.sh" "$work/standin.sh" \
    --extra arg > "$work/demo1.out" 2>&1
r=$?
ok "$([ $r -eq 7 ]; echo $?)" "demo.sh runs the console and returns its exit status ($r)"
grep -q 'simulated' "$work/run1.version"
ok $? "the console reached the simulated platform" || diag "$(cat "$work/run1.version")"
if command -v prometheus >/dev/null 2>&1; then
    grep -q '^ready$' "$work/run1.proxied" && grep -q 'Prometheus.*Ready' "$work/run1.proxied"
    ok $? "Loki and Prometheus answer through the sim's service proxy" ||
        diag "$(cat "$work/run1.proxied" "$work/demo1.out")"
else
    grep -q '^ready$' "$work/run1.proxied"
    ok $? "Loki answers through the sim's service proxy (no prometheus installed)" ||
        diag "$(cat "$work/run1.proxied" "$work/demo1.out")"
fi
demo_dir=$(sed -n 's/^XDG_CONFIG_HOME=\(.*\)\/config$/\1/p' "$work/run1")
want="args: --kubeconfig $demo_dir/sim/kubeconfig --platform"
want="$want .*/examples/deploy-mcp/platform\.yml --extra arg\$"
grep -Eq "$want" "$work/run1"
ok $? "the console gets --kubeconfig <temp> --platform <top>/examples/deploy-mcp/platform.yml \
and the extra args" ||
    diag "$(cat "$work/run1")"
grep -q "^XDG_CACHE_HOME=$demo_dir/cache$" "$work/run1" &&
    grep -q "^XDG_STATE_HOME=$demo_dir/state$" "$work/run1" &&
    case $demo_dir in "${TMPDIR:-/tmp}"/opsdeck-demo.*) true ;; *) false ;; esac
ok $? "XDG config, cache and state point into the demo's temp dir"
spid=$(sed -n 's/^SIM_PID=//p' "$work/run1")
[ -n "$spid" ] && gone "$spid" && [ ! -e "$demo_dir" ]
ok $? "on exit the sim is stopped and the temp dir removed"
[ ! -e "$work/home/.kube" ] && [ ! -e "$work/home/.cache" ]
ok $? "the demo never touches ~/.kube or the user's cache"

for sig in TERM HUP INT; do
    rm -f "$work/run2"
    # As from a terminal: demo.sh starts with SIGINT at its default, not ignored as a
    # background job of this script would have it, and SIGHUP too (a shell cannot trap a
    # signal ignored on entry, as it is when the suite runs under nohup).
    (HOME=$work/home STANDIN_OUT=$work/run2 STANDIN_SLEEP=1 "$PY" -c '
import os, signal, sys
for s in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' sh "$top_srcdir/sim/demo.sh" "$work/standin.sh") \
        > "$work/demo2.out" 2>&1 &
    bg_pid=$!
    sim_poll 60 test -s "$work/run2"
    spid=$(sed -n 's/^SIM_PID=//p' "$work/run2")
    demo_dir=$(sed -n 's/^XDG_CONFIG_HOME=\(.*\)\/config$/\1/p' "$work/run2")
    console=$(pgrep -P "$bg_pid" sleep || pgrep -P "$bg_pid")
    t0=$(sim__now_ms)
    kill -"$sig" "$bg_pid"
    sim_poll 15 gone "$bg_pid"
    wait "$bg_pid" 2>/dev/null
    bg_pid=
    why=
    sim_poll 15 gone "$spid" || why="the sim ($spid) still runs"
    [ -n "$console" ] || why="$why; no console found"
    [ -z "$console" ] || sim_poll 15 gone "$console" || why="$why; the console ($console) still runs"
    [ ! -e "$demo_dir" ] || why="$why; $demo_dir is still there"
    [ "$(($(sim__now_ms) - t0))" -lt 15000 ] || why="$why; $(($(sim__now_ms) - t0)) ms"
    [ -z "$why" ]
    ok $? "SIG$sig to demo.sh stops the console and the sim by PID and removes the temp dir" ||
        diag "$why" "$(cat "$work/demo2.out")"
done

plan_done
