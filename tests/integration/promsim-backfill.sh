#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/promsim-backfill.sh - the backfilled hour in the real Prometheus (no live
# scrape): at the clock time the queries of api-facts §3.5 give the exact values the simulated
# nodes are set to (sim/README.md "Prometheus"), the hour is full for sparklines, and an
# exporter that stopped answering (--down) has its series end there; a backfill across a 2 h
# block boundary; prom_scrape on/off. TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/prom.sh"
. "${top_srcdir:-.}/tests/integration/promsim-lib.sh"

CLOCK=2026-11-24T03:12:00Z
FS='fstype!~"tmpfs|overlay|squashfs|ramfs",mountpoint="/"'
CPU='100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))'
MEM='100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)'
DISK="100 * (1 - node_filesystem_avail_bytes{$FS} / node_filesystem_size_bytes{$FS})"
NET='sum by (instance) (rate(node_network_receive_bytes_total{device!~"lo|veth.*|cni.*|flannel.*|cali.*"}[5m]))'

t0=$(date +%s%3N)
OPSDECK_CLOCK=$CLOCK prom_start --down run-2:10
ok $? "prom_start with the backfill (no scrape) at $CLOCK"
[ -n "$PROM_PID" ] || bail "no Prometheus"
diag "start-up: $(( $(date +%s%3N) - t0 )) ms"
case $PROM_URL in http://127.0.0.1:*) r=0 ;; *) r=1 ;; esac
ok $r "PROM_URL is on loopback ($PROM_URL)"

got=$(prom_query 'node_uname_info' 2026-11-24T03:00:00Z | "$PY" -c '
import json, sys
for r in sorted(json.load(sys.stdin)["data"]["result"], key=lambda r: r["metric"]["instance"]):
    print(r["metric"]["instance"], r["metric"]["nodename"])')
[ "$got" = "10.0.1.100:9100 run-1
10.0.1.101:9100 run-2
10.0.1.10:9100 ops-1
10.0.1.1:9100 k3s-1
10.0.1.2:9100 build-1" ]
ok $? "node_uname_info maps each instance (node IP:9100) to its Kubernetes node name"

prom_vec_is "$CPU$BYNODE" "$CLOCK" "build-1 87.5
k3s-1 25
ops-1 25
run-1 37.5"
ok $? "CPU % at the clock: exact per node (build-1 busy; run-2 down has no value)"

prom_vec_is "$MEM$BYNODE" "$CLOCK" "build-1 62.5
k3s-1 50
ops-1 56.25
run-1 50"
ok $? "memory % at the clock: exact per node"

prom_vec_is "$DISK$BYNODE" "$CLOCK" "build-1 50
k3s-1 37.5
ops-1 96.875
run-1 25"
ok $? "disk % of / at the clock: exact per node (ops-1 almost full, tmpfs excluded)"

prom_vec_is "$NET$BYNODE" "$CLOCK" "build-1 3736576
k3s-1 1114112
ops-1 1116160
run-1 1641472"
ok $? "network receive B/s at the clock: exact, lo and cni0 excluded"

prom_vec_is "count by (instance) (node_cpu_seconds_total{mode=\"idle\"})$BYNODE" "$CLOCK" \
    "build-1 8
k3s-1 4
ops-1 8
run-1 12"
ok $? "CPU count per node as kubesim's nodes have them"

prom_vec_is "up" "$CLOCK" "10.0.1.100:9100 1
10.0.1.101:9100 0
10.0.1.10:9100 1
10.0.1.1:9100 1
10.0.1.2:9100 1"
ok $? "up at the clock: run-2 down (0), the others 1"

got=$(prom_vec "$CPU$BYNODE" 2026-11-24T03:01:00Z | awk '$2 > 0 && $2 < 100 { print $1 }' | tr '\n' ' ')
[ "$got" = "build-1 k3s-1 ops-1 run-1 run-2 " ]
ok $? "at clock - 11 min run-2 still answered: all five nodes have a CPU % ($got)"

# The sparkline: one range query for all nodes, an hour at 60 s steps.
range=$(curl -sS --max-time 30 --data-urlencode "query=$CPU$BYNODE" \
    --data-urlencode start=2026-11-24T02:12:00Z --data-urlencode "end=$CLOCK" \
    --data-urlencode step=60 "$PROM_URL/api/v1/query_range")
ok $? "query_range over the hour answers"
summary=$(printf '%s' "$range" | "$PY" -c '
import calendar, json, sys, time
d = json.load(sys.stdin)
end = calendar.timegm(time.strptime("2026-11-24T03:12:00", "%Y-%m-%dT%H:%M:%S"))
for r in sorted(d["data"]["result"], key=lambda r: r["metric"]["nodename"]):
    ts = [int(t) for t, _ in r["values"]]
    vs = [float(v) for _, v in r["values"]]
    print(r["metric"]["nodename"], len(ts), ts[0] - end, ts[-1] - end,
          int(min(vs)), int(max(vs)))')
printf "%s\n" "$summary" | sed "s/^/# /"
printf '%s\n' "$summary" | awk '
    $1 != "run-2" && ($2 != 61 || $3 != -3600 || $4 != 0) { bad = 1 }
    $1 == "run-2" && ($2 != 55 || $3 != -3600 || $4 != -360) { bad = 1 }
    END { exit bad || NR != 5 }'
ok $? "the hour is full for every node (61 rates at 60 s), run-2's sparkline ends where it stopped"
printf '%s\n' "$summary" | awk '$1 == "build-1" && $5 <= 50 && $6 >= 90 { f = 1 } END { exit !f }'
ok $? "build-1's hour shows its build bursts (under 50 % and over 90 %)"

disk_then=$(prom_vec "$DISK$BYNODE" 2026-11-24T02:13:00Z | awk '$1 == "ops-1" { print $2 }')
awk -v v="$disk_then" 'BEGIN { exit !(v > 90 && v < 96.875) }'
ok $? "ops-1's disk filled up during the hour ($disk_then % an hour before)"

prom_vec_is "$CPU" 2026-11-24T03:30:00Z ""
ok $? "nothing after the clock without a live scrape"

nblocks=$(ls "$PROM_DIR"/tsdb/*/meta.json 2>/dev/null | wc -l)
[ "$nblocks" -eq 1 ]
ok $? "02:07-03:12 lies in one 2 h block ($nblocks)"

# A backfill across a 2 h block boundary (01:25-02:30): two blocks, one continuous hour.
pids="$PROM_PID $NODEEXP_PID"
prom_stop
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
ok $alive "prom_stop stopped Prometheus and the exporters ($pids)"

prom_start --clock 2026-11-24T02:30:00Z
ok $? "prom_start again in the same PROM_DIR, clock 02:30 (the hour crosses 02:00)"
nblocks=$(ls "$PROM_DIR"/tsdb/*/meta.json 2>/dev/null | wc -l)
[ "$nblocks" -eq 2 ]
ok $? "promtool cut the backfill at the 2 h boundary: two blocks ($nblocks)"
prom_vec_is "$CPU$BYNODE" 2026-11-24T02:30:00Z "build-1 87.5
k3s-1 25
ops-1 25
run-1 37.5
run-2 31.25"
ok $? "CPU % exact at the new clock (the old backfill is gone)"
n=$(curl -sS --max-time 30 --data-urlencode "query=$CPU" \
    --data-urlencode start=2026-11-24T01:30:00Z --data-urlencode end=2026-11-24T02:30:00Z \
    --data-urlencode step=60 "$PROM_URL/api/v1/query_range" | "$PY" -c '
import json, sys
print(sorted({len(r["values"]) for r in json.load(sys.stdin)["data"]["result"]}))')
[ "$n" = "[61]" ]
ok $? "the hour across the boundary is whole for every node ($n points)"

# prom_scrape on|off rewrites the file_sd targets: scraping starts and stops.
targets_are() {
    [ "$(prom_get /api/v1/targets | "$PY" -c '
import json, sys
print(" ".join(sorted(t["health"] for t in json.load(sys.stdin)["data"]["activeTargets"])))')" = "$1" ]
}
prom_scrape on
prom_poll 40 targets_are "up up up up up"
ok $? "prom_scrape on: the five exporters are scraped"
prom_scrape off
prom_poll 40 targets_are ""
ok $? "prom_scrape off: no targets"

pids="$PROM_PID $NODEEXP_PID"
prom_stop
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
ok $alive "prom_stop stopped Prometheus and the exporters ($pids)"
plan_done
