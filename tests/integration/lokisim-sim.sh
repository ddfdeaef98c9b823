#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/lokisim-sim.sh - SIM_LOKI=1 sim_start (lokisim behind kubesim), kubesim's
# service proxy (forwarding method, query, body and headers; 503 without endpoints) and its pod
# log endpoint (tailLines, sinceTime, previous, follow, 404/400 Status; the same lines as Loki).
# TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
SIM_NO_TRAP=1
. "${top_srcdir:-.}/tests/lib/sim.sh"

PY=${PYTHON3:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/lokisim-sim.XXXXXX")
curl_pid=
cleanup() {
    [ -n "$curl_pid" ] && kill "$curl_pid" 2>/dev/null
    sim_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

LOKI=/api/v1/namespaces/dp-system/services/loki:3100/proxy
WEB=/api/v1/namespaces/dp-max-catapp/pods/web-5rljtpl47r-bm8ln
API=/api/v1/namespaces/dp-max-catapp/pods/api-7d9c8-x2bq

# result PATH: data.result of a Loki answer, canonical (stats differ between two calls)
result() {
    "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]["result"],
sort_keys=True))'
}
status_msg() {
    "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["code"], d["reason"], d["message"])'
}

SIM_LOKI=1 sim_start --clock 2026-11-24T03:12:00Z
r=$?
[ $r -eq 0 ] && [ -n "$SIM_LOKI_URL" ] && kill -0 "$SIM_LOKI_PID" &&
    [ "$(curl -sS --max-time 10 "$SIM_LOKI_URL/ready")" = ready ]
ok $? "SIM_LOKI=1 sim_start starts lokisim too (SIM_LOKI_URL, SIM_LOKI_PID)"

# the hour before the clock, in ns
win='start=1795486320000000000&end=1795489920000000000'
q="query=%7Bnamespace%3D%22dp-max-catapp%22%2Capp%3D%22web%22%7D&limit=20&$win"
sim_api "$LOKI/loki/api/v1/query_range?$q" | result > "$work/via.json"
curl -sS --max-time 10 "$SIM_LOKI_URL/loki/api/v1/query_range?$q" | result > "$work/direct.json"
[ -s "$work/via.json" ] && cmp -s "$work/via.json" "$work/direct.json" &&
    [ "$(wc -c < "$work/via.json")" -gt 1000 ]
ok $? "proxy: query_range through kubesim returns what lokisim returns directly"

sim_loki_ctl DELETE requests > /dev/null
sim_api "$LOKI/loki/api/v1/query_range?$q" -H 'X-Scope-OrgID: tenant1' \
    -H 'Accept-Encoding: gzip' -D "$work/h.txt" -o "$work/qr.gz"
sim_loki_ctl GET requests | "$PY" -c '
import json, sys
log = json.load(sys.stdin)
e = log[-1]
sys.exit(0 if len(log) == 1 and e["path"] == "/loki/api/v1/query_range" and e["org"] == "tenant1"
         and e["accept_encoding"] == "gzip" and e["params"]["limit"] == "20"
         and not e["authorization"] else 1)'
ok $? "proxy: path, query, X-Scope-OrgID and Accept-Encoding reach lokisim; the token does not"
grep -qi '^Content-Encoding: gzip' "$work/h.txt" &&
    gzip -dc "$work/qr.gz" | result | cmp -s - "$work/direct.json"
ok $? "proxy: the upstream's gzip answer is relayed as it is"

body='{"streams":[{"stream":{"job":"proxytest"},'
body=$body'"values":[["1795489900000000000","pushed through the proxy"]]}]}'
sim_api "$LOKI/loki/api/v1/push" -X POST -H 'Content-Type: application/json' \
    --data-binary "$body" -o /dev/null -w '%{http_code}' > "$work/code"
QR=$SIM_LOKI_URL/loki/api/v1/query_range
curl -sS --max-time 10 "$QR?query=%7Bjob%3D%22proxytest%22%7D&$win" |
    grep -q 'pushed through the proxy' && [ "$(cat "$work/code")" = 204 ]
ok $? "proxy: a POST body is forwarded (push through kubesim: 204, then queryable)"

sim_api "$LOKI/loki/api/v1/query_range?query=%7Bjob%3D%22build%22" -D "$work/h.txt" \
    -o "$work/err.txt"
want='parse error at line 1, col 13: syntax error: unexpected $end, expecting } or ,'
grep -q '^HTTP/1.1 400' "$work/h.txt" && [ "$(cat "$work/err.txt")" = "$want" ]
ok $? "proxy: lokisim's plain-text 400 comes back unchanged"

sim_api /api/v1/namespaces/dp-system/services/grafana:80/proxy/ | status_msg > "$work/s.txt"
[ "$(cat "$work/s.txt")" = '503 ServiceUnavailable no endpoints available for service "grafana"' ]
ok $? "proxy: a service without a mapped upstream is the apiserver's 503 Status" ||
    diag "$(cat "$work/s.txt")"
sim_api /api/v1/namespaces/dp-system/services/nope:80/proxy/ | status_msg > "$work/s.txt"
[ "$(cat "$work/s.txt")" = '404 NotFound services "nope" not found' ]
ok $? "proxy: an unknown service is 404 Status" || diag "$(cat "$work/s.txt")"

# --- the pod log endpoint -------------------------------------------------------------------
sim_api "$WEB/log?tailLines=3" > "$work/tail.txt"
curl -sS --max-time 10 "$QR?query=%7Bpod%3D%22web-5rljtpl47r-bm8ln%22%7D&limit=3&$win" |
    "$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
for t, line in sorted((int(t), x) for s in r for t, x in s["values"]):
    print(line)' > "$work/loki3.txt"
[ "$(wc -l < "$work/tail.txt")" = 3 ] && cmp -s "$work/tail.txt" "$work/loki3.txt"
ok $? "pod log: tailLines=3 gives the 3 newest lines, the same Loki holds for the pod" ||
    diag "$(cat "$work/tail.txt" "$work/loki3.txt")"

sim_api "$WEB/log?sinceTime=2026-11-24T03:10:00Z&timestamps=true" > "$work/since.txt"
"$PY" -c '
import sys
ts = [l.split(" ", 1)[0] for l in open(sys.argv[1])]
sys.exit(0 if ts and all(t >= "2026-11-24T03:10:00" and t < "2026-11-24T03:12:00" and
                         t.endswith("Z") and len(t) == 30 for t in ts) else 1)' "$work/since.txt"
ok $? "pod log: sinceTime and timestamps=true (RFC 3339 nano prefix)"
sim_api "$WEB/log?sinceSeconds=60" > "$work/s60.txt"
n60=$(wc -l < "$work/s60.txt")
nall=$(sim_api "$WEB/log" | wc -l)
[ "$n60" -gt 0 ] && [ "$n60" -lt "$nall" ]
ok $? "pod log: sinceSeconds=60 gives fewer lines than the whole log ($n60 < $nall)"

sim_api "$API/log" > "$work/cur.txt"
sim_api "$API/log?previous=true" > "$work/prev.txt"
tail -n 1 "$work/cur.txt" | grep -q 'JavaScript heap out of memory' &&
    grep -q 'missing required environment variable' "$work/prev.txt" &&
    ! grep -q 'heap out of memory' "$work/prev.txt"
ok $? "pod log: the crash-looping pod's last run ends in an OOM, previous=true shows the run \
before (missing env var)"

curl -sS --max-time 10 "$QR?query=%7Bpod%3D%22api-7d9c8-x2bq%22%7D&limit=5000&$win" |
    "$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
loki = {x for s in r for _, x in s["values"]}
pod = [l.rstrip("\n") for f in sys.argv[1:] for l in open(f)]
sys.exit(0 if pod and all(l in loki for l in pod) else 1)' "$work/cur.txt" "$work/prev.txt"
ok $? "pod log: both runs of the crash-looping pod are lines Loki holds for it"

sim_api "$WEB/log?previous=true" | status_msg > "$work/s.txt"
want='400 BadRequest previous terminated container "app" in pod "web-5rljtpl47r-bm8ln" not found'
[ "$(cat "$work/s.txt")" = "$want" ]
ok $? "pod log: previous=true without a previous container is 400 Status" ||
    diag "$(cat "$work/s.txt")"
sim_api "$WEB/log?container=nope" | status_msg > "$work/s.txt"
want='400 BadRequest container nope is not valid for pod web-5rljtpl47r-bm8ln'
[ "$(cat "$work/s.txt")" = "$want" ]
ok $? "pod log: a wrong container is 400 Status" || diag "$(cat "$work/s.txt")"
sim_api /api/v1/namespaces/dp-max-catapp/pods/nope/log | status_msg > "$work/s.txt"
[ "$(cat "$work/s.txt")" = '404 NotFound pods "nope" not found' ]
ok $? "pod log: an unknown pod is 404 Status" || diag "$(cat "$work/s.txt")"

sim_api "$WEB/log?follow=true&tailLines=1" -N --max-time 30 > "$work/follow.txt" 2>/dev/null &
curl_pid=$!
sim_poll 10 test -s "$work/follow.txt"
sim_ctl POST 'podlog?ns=dp-max-catapp&pod=web-5rljtpl47r-bm8ln' \
    '{"lines":["fresh line one","fresh line two"]}' > /dev/null
sim_poll 10 grep -q 'fresh line two' "$work/follow.txt"
r=$?
kill "$curl_pid" 2>/dev/null
wait "$curl_pid" 2>/dev/null
curl_pid=
[ $r -eq 0 ] && [ "$(wc -l < "$work/follow.txt")" = 3 ] &&
    [ "$(sed -n 2p "$work/follow.txt")" = 'fresh line one' ]
ok $? "pod log: follow=true streams new lines as they come" || diag "$(cat "$work/follow.txt")"

sim_ctl POST clock '{"advance": 30}' > /dev/null
sim_api "$WEB/log?sinceSeconds=30" > "$work/adv.txt"
[ "$(wc -l < "$work/adv.txt")" -ge 3 ] && grep -q 'fresh line two' "$work/adv.txt"
ok $? "pod log: advancing the sim clock produces more of the container's output"

# --- Loki down ------------------------------------------------------------------------------
lpid=$SIM_LOKI_PID
kill -TERM "$lpid"
sim_poll 10 sh -c "! kill -0 $lpid 2>/dev/null"
sim_api "$LOKI/loki/api/v1/labels" | status_msg > "$work/s.txt"
[ "$(cat "$work/s.txt")" = '503 ServiceUnavailable no endpoints available for service "loki"' ]
ok $? "proxy: Loki down is the apiserver's 503 Status" || diag "$(cat "$work/s.txt")"

kpid=$SIM_PID
sim_stop
! kill -0 "$kpid" 2>/dev/null && [ -z "$SIM_LOKI_PID" ] && [ -z "$SIM_PID" ]
ok $? "sim_stop stops kubesim and forgets lokisim"

plan_done
