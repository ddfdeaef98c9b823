#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/promsim-live.sh - the real Prometheus scraping the simulated exporters
# live: every node up with its node name, an exporter that stops answering (POST /_sim/down)
# goes to up == 0 and fires NodeDown, the alerting rules fire on the simulated data (ops-1's
# disk, build-1's CPU, a memory level set through /_sim/level) and nothing else. No clock: the
# backfill ends at the start and the live samples continue the same series. TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/prom.sh"
. "${top_srcdir:-.}/tests/integration/promsim-lib.sh"

WAIT=40         # seconds; the first scrape comes ~5 s after start (Prometheus 2.42)

unset OPSDECK_CLOCK
t0=$(date +%s%3N)
prom_start --scrape
ok $? "prom_start --scrape (no clock: the backfilled hour ends now)"
[ -n "$PROM_PID" ] || bail "no Prometheus"
diag "start-up: $(( $(date +%s%3N) - t0 )) ms"

# The backfill's up == 1 reaches to now: ask the targets API for scrapes that happened.
all_up() {
    prom_get /api/v1/targets | "$PY" -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
sys.exit(not (len(t) == 5 and all(x["health"] == "up" for x in t)))' &&
    [ "$(prom_vec 'count(up{job="node"} == 1)')" = " 5" ]
}
prom_poll $WAIT all_up
ok $? "every node's exporter is scraped: health up and up == 1 for all five"
diag "first scrape of all five after $(( $(date +%s%3N) - t0 )) ms"

cont=$(prom_vec "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))$BYNODE")
printf '%s\n' "$cont" | sed 's/^/# CPU % over 5m (backfill + live) /'
printf '%s\n' "$cont" | awk '
    $1 == "build-1" { f = ($2 > 87 && $2 < 88) }
    $1 == "ops-1" { g = ($2 > 24.5 && $2 < 25.5) }
    END { exit !(f && g && NR == 5) }'
ok $? "rate over 5m spanning backfill and live samples gives the levels: one series, no reset"
n=$(prom_vec 'count_over_time(up{instance="10.0.1.10:9100"}[5m])' | awk '{ print $2 }')
[ "${n:-0}" -ge 21 ] && [ "${n:-0}" -lt 100 ]
ok $? "ops-1's up has backfilled and live samples in the last 5 minutes ($n)"

got=$(prom_query 'node_uname_info' | "$PY" -c '
import json, sys
for r in sorted(json.load(sys.stdin)["data"]["result"], key=lambda r: r["metric"]["instance"]):
    print(r["metric"]["instance"], r["metric"]["nodename"])')
[ "$got" = "10.0.1.100:9100 run-1
10.0.1.101:9100 run-2
10.0.1.10:9100 ops-1
10.0.1.1:9100 k3s-1
10.0.1.2:9100 build-1" ]
ok $? "live node_uname_info maps instance -> Kubernetes node name"

targets=$(prom_get /api/v1/targets | "$PY" -c '
import json, sys
for t in sorted(json.load(sys.stdin)["data"]["activeTargets"], key=lambda t: t["scrapeUrl"]):
    print(t["labels"]["instance"], t["scrapeUrl"], t["health"])')
printf '%s\n' "$targets" | awk -v p="$NODEEXP_PORT" '
    { split($1, a, ":"); split(a[1], ip, ".")
      if ($2 != "http://127.0." ip[3] "." ip[4] ":" p "/metrics" || $3 != "up") bad = 1 }
    END { exit bad || NR != 5 }'
ok $? "targets: each node scraped on its own loopback address (127.0.A.B for 10.0.A.B), health up"

live_cpu_ok() {
    live_cpu=$(prom_vec "100 * (1 - avg by (instance) (irate(node_cpu_seconds_total{mode=\"idle\"}[1m])))$BYNODE")
    printf '%s\n' "$live_cpu" | awk '
        $1 == "build-1" { f = ($2 > 85 && $2 < 90) }
        $1 == "run-1" { g = ($2 > 35 && $2 < 40) }
        END { exit !(f && g && NR == 5) }'
}
prom_poll $WAIT live_cpu_ok
ok $? "live CPU % follows the levels (build-1 ~87.5, run-1 ~37.5)"
printf '%s\n' "$live_cpu" | sed 's/^/# live CPU % /'

prom_vec_is "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)$BYNODE" "" \
    "build-1 62.5
k3s-1 50
ops-1 56.25
run-1 50
run-2 43.75"
ok $? "live memory % is exact (gauges)"

firing_is() {
    [ "$(prom_alerts)" = "$1" ]
}
prom_poll $WAIT firing_is "HighCPU build-1
NodeDiskAlmostFull ops-1"
ok $? "alerts firing: HighCPU on build-1 and NodeDiskAlmostFull on ops-1, nothing else"
[ "$(prom_alerts)" = "HighCPU build-1
NodeDiskAlmostFull ops-1" ] || prom_alerts | sed 's/^/# firing: /'

prom_get /api/v1/alerts | "$PY" -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == "NodeDiskAlmostFull":
        assert a["labels"]["severity"] == "warning", a
        assert a["annotations"]["summary"] == "Disk almost full on ops-1", a
        assert a["annotations"]["description"] == "/ on ops-1 is 96.9 % full.", a
        assert a["value"] == "9.6875e+01", a
        sys.exit(0)
sys.exit(1)'
ok $? "NodeDiskAlmostFull carries severity, summary, description and the value 9.6875e+01"

down=$(prom_ctl POST 'down?node=run-2')
case $down in *'"up": false'*) r=0 ;; *) r=1 ;; esac
ok $r "POST /_sim/down?node=run-2 answers its state"
curl -sS --max-time 5 -o /dev/null "http://127.0.1.101:$NODEEXP_PORT/metrics" 2>/dev/null
[ $? -eq 7 ]
ok $? "run-2's exporter refuses connections"

run2_down() {
    [ "$(prom_vec 'up{instance="10.0.1.101:9100"}')" = "10.0.1.101:9100 0" ]
}
prom_poll $WAIT run2_down
ok $? "up == 0 for run-2 after /_sim/down"
prom_get /api/v1/targets | grep -q 'connect: connection refused'
ok $? "the targets API shows run-2's lastError (connection refused)"

prom_poll $WAIT firing_is "HighCPU build-1
NodeDiskAlmostFull ops-1
NodeDown run-2"
ok $? "NodeDown fires for run-2, named by its last node_uname_info"

prom_ctl POST 'level?node=run-1&memory=0.96875' > /dev/null
ok $? "POST /_sim/level sets run-1's memory level"
prom_poll $WAIT firing_is "HighCPU build-1
NodeDiskAlmostFull ops-1
NodeDown run-2
NodeMemoryHigh run-1"
ok $? "NodeMemoryHigh fires for run-1"
prom_vec_is "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)$BYNODE" "" \
    "build-1 62.5
k3s-1 50
ops-1 56.25
run-1 96.875"
ok $? "run-1's memory % is the level set; run-2's series are stale since its scrape failed"

prom_ctl POST 'up?node=run-2' > /dev/null
ok $? "POST /_sim/up?node=run-2"
run2_up() {
    [ "$(prom_vec 'up{instance="10.0.1.101:9100"}')" = "10.0.1.101:9100 1" ]
}
prom_poll $WAIT run2_up
ok $? "run-2 is scraped again (up == 1)"

prom_ctl POST 'down?node=nosuch' > /dev/null 2>&1
[ $? -ne 0 ]
ok $? "the control API refuses an unknown node"
prom_ctl POST 'level?node=run-1&cpu=2' > /dev/null 2>&1
[ $? -ne 0 ]
ok $? "the control API refuses a level outside 0..1"

rules=$(prom_get '/api/v1/rules?type=alert' | "$PY" -c '
import json, sys
for g in json.load(sys.stdin)["data"]["groups"]:
    for r in g["rules"]:
        print(r["name"], r["health"], r["labels"]["severity"], r["duration"])')
[ "$(printf '%s\n' "$rules" | sort)" = "HighCPU ok warning 3
NodeDiskAlmostFull ok warning 3
NodeDown ok critical 3
NodeMemoryHigh ok warning 3" ]
ok $? "the four alerting rules are loaded and healthy"

pids="$PROM_PID $NODEEXP_PID"
prom_stop
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
ok $alive "prom_stop stopped Prometheus and the exporters"
plan_done
