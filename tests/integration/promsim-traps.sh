#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/promsim-traps.sh - tests/lib/prom.sh's trap: a test script that sourced
# tests/lib/sim.sh then tests/lib/prom.sh and started kubesim, the exporters and Prometheus
# leaves nothing behind when it gets TERM or simply exits. TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/promsim-traps.XXXXXX")
child=
cleanup() {
    [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
    for p in $(cat "$work"/pids.* 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() {
    date +%s%3N
}

# wait_file SECONDS FILE
wait_file() {
    wf_end=$(( $(now_ms) + $1 * 1000 ))
    while [ ! -s "$2" ]; do
        [ "$(now_ms)" -ge "$wf_end" ] && return 1
        sleep 0.05
    done
}

# all_gone SECONDS PID...
all_gone() {
    ag_end=$(( $(now_ms) + $1 * 1000 ))
    shift
    while :; do
        ag_alive=0
        for p in "$@"; do kill -0 "$p" 2>/dev/null && ag_alive=1; done
        [ "$ag_alive" = 0 ] && return 0
        [ "$(now_ms)" -ge "$ag_end" ] && return 1
        sleep 0.05
    done
}

# The child test script: starts everything, writes its PIDs and dirs, then waits (bounded)
# for a signal or exits at once ($1 = term|exit).
cat > "$work/child.sh" <<'CHILD'
. "$top_srcdir/tests/lib/sim.sh"
. "$top_srcdir/tests/lib/prom.sh"
SIM_TLS=0 sim_start --clock 2026-11-24T03:12:00Z || exit 1
prom_start --clock 2026-11-24T03:12:00Z || exit 1
echo "$SIM_DIR $PROM_DIR" > "$WORK/dirs.$1.tmp"
mv "$WORK/dirs.$1.tmp" "$WORK/dirs.$1"
echo "$SIM_PID $PROM_PID $NODEEXP_PID" > "$WORK/pids.$1.tmp"
mv "$WORK/pids.$1.tmp" "$WORK/pids.$1"
[ "$1" = exit ] && exit 0
i=0
while [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
CHILD

for how in term exit; do
    top_srcdir=${top_srcdir:-.} WORK=$work sh "$work/child.sh" $how > "$work/child.$how.log" 2>&1 &
    child=$!
    wait_file 60 "$work/pids.$how"
    ok $? "$how: the child started kubesim, the exporters and Prometheus"
    pids=$(cat "$work/pids.$how" 2>/dev/null)
    dirs=$(cat "$work/dirs.$how" 2>/dev/null)
    [ "$how" = term ] && kill -TERM "$child"
    wait "$child"
    st=$?
    child=
    if [ "$how" = term ]; then
        [ "$st" -eq 143 ]
        ok $? "term: the child exits 143 from its trap (got $st)"
    else
        [ "$st" -eq 0 ]
        ok $? "exit: the child exits 0 (got $st)"
    fi
    # shellcheck disable=SC2086
    all_gone 15 $pids
    ok $? "$how: kubesim, Prometheus and the exporters are stopped ($pids)"
    left=0
    for d in $dirs; do [ -e "$d" ] && left=1; done
    ok $left "$how: SIM_DIR and PROM_DIR are removed"
done
plan_done
