#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-http.sh - bad answers from the API server (sim faults and a fake proxy):
# malformed, truncated and cut-off JSON, wrong types, huge bodies over --max-response (plain and
# as a gzip bomb), damaged gzip,
# 401/403/404/500/502/503 with Status bodies and with a proxy's HTML, expired tokens, RBAC,
# hanging, stalling, silent and unreachable servers, 429/503 with Retry-After. Each failure: exit
# status 1, one line naming the server and what went wrong, nothing on stdout, and cache.db
# exactly as before. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

cli_start_sim
t=$CLI_DIR/t

# The good data, cached at one time; every later run has a later clock, so a row rewritten by
# a failing command would show in its fetched_at even if its content were the same.
ops get nodes -o json > "$t.nodes" 2> "$t.err" && ops get pods -A -o json > "$t.pods" 2>> "$t.err" &&
    ops get tenants -o json > "$t.tenants" 2>> "$t.err"
ok $? "good data first: get nodes, get pods -A, get tenants" || diag "$(cat "$t.err")"
cli_cache_dump "$t.base"
[ "$(wc -l < "$t.base")" -gt 100 ]
ok $? "cache.db holds the good data ($(wc -l < "$t.base") objects)"
export OPSDECK_CLOCK=2026-11-24T04:00:00Z

fault() {
    sim_ctl DELETE faults > /dev/null && sim_ctl POST faults "$1" > /dev/null
}

# bad NAME REGEX MAX_SECONDS OPSDECK_ARGS...: exit 1 within MAX_SECONDS, nothing on stdout, one
# line on stderr matching REGEX; then cache.db unchanged. Two cases.
bad() {
    name=$1
    want=$2
    max=$3
    shift 3
    start=$(now_ms)
    ops "$@" > "$t.out" 2> "$t.err"
    r=$?
    ms=$(elapsed_ms "$start")
    [ $r -eq 1 ] && [ ! -s "$t.out" ] && [ "$(wc -l < "$t.err")" -eq 1 ] &&
        grep -Eq -- "$want" "$t.err" && [ "$ms" -lt $((max * 1000)) ]
    ok $? "$name: exit 1 in ${ms} ms: $(cat "$t.err")" ||
        diag "exit $r, wanted /$want/ within ${max}s" "$(head -c 300 "$t.out")"
    cli_cache_dump "$t.now"
    cmp -s "$t.base" "$t.now"
    ok $? "$name: cache.db unchanged" || diag "$(diff "$t.base" "$t.now" | head -5)"
}

S="^opsdeck: $SIM_URL: "

# --- bodies -----------------------------------------------------------------------------------
fault '{"kind":"malformed","resource":"nodes"}'
bad "malformed JSON (nodes)" \
    "${S}listing nodes: malformed JSON reply from /api/v1/nodes\?limit=500: offset [0-9]+: " 30 \
    get nodes
fault '{"kind":"malformed","resource":"pods"}'
bad "malformed JSON (pods -A)" "${S}listing pods: malformed JSON reply from /api/v1/pods" 30 \
    get pods -A -o json
fault '{"kind":"truncated","resource":"nodes"}'
bad "truncated JSON (half the body, Content-Length matching)" \
    "${S}listing nodes: malformed JSON reply .*end of input" 30 get nodes -o json
fault '{"kind":"disconnect","resource":"pods"}'
bad "connection closed half-way through the body" \
    "${S}listing pods: transfer closed with [0-9]+ bytes remaining" 30 get pods -A
fault '{"kind":"wrongtype","resource":"nodes"}'
bad "wrong types (items an object, resourceVersion a number)" \
    "${S}listing nodes: reply from /api/v1/nodes\?limit=500: items is not an array" 30 get nodes
fault '{"kind":"wrongtype","resource":"namespaces"}'
bad "wrong types in one of the lists of get tenants" \
    "${S}listing namespaces: reply from /api/v1/namespaces.*: items is not an array" 30 \
    get tenants -o json
fault '{"kind":"huge","resource":"nodes","bytes":209715200}'
bad "a 200 MB body over --max-response 1 (cut off early)" \
    "${S}listing nodes: /api/v1/nodes\?limit=500 reply larger than 1048576 bytes" 15 \
    --max-response 1 get nodes
fault '{"kind":"huge","resource":"pods","bytes":25165824,"gzip":true}'
bad "a 24 MB body sent gzip (25 kB on the wire) over --max-response 1" \
    "${S}listing pods: reply from /api/v1/pods\?limit=500: gzip body decodes to more than 1048576 bytes" \
    15 --max-response 1 get pods -A
fault '{"kind":"gzipbroken","resource":"pods"}'
bad "a gzip page damaged past its metadata" \
    "${S}listing pods: reply from /api/v1/pods\?limit=500: gzip body is corrupt or cut short" 30 \
    get pods -A -o json

# --- error statuses with Status bodies --------------------------------------------------------
fault '{"kind":"401","resource":"nodes"}'
bad "401 Unauthorized (Status body)" "${S}listing nodes: 401 Unauthorized: Unauthorized$" 30 \
    get nodes
fault '{"kind":"403","resource":"pods","user":"mallory"}'
bad "403 Forbidden (Status body)" \
    "${S}listing pods: 403 Forbidden: pods is forbidden: User \"mallory\" cannot list resource \"pods\" in API group \"\" at the cluster scope$" \
    30 get pods -A
fault '{"kind":"status","code":404,"resource":"nodes"}'
bad "404 NotFound (Status body)" "${S}listing nodes: 404 NotFound: .+" 30 get nodes
fault '{"kind":"status","code":500,"resource":"nodes","count":20}'
bad "500 InternalError (Status body, every retry)" \
    "${S}listing nodes: 500 InternalError: Internal error occurred: .+" 30 get nodes
fault '{"kind":"status","code":503,"resource":"pods","count":20}'
bad "503 ServiceUnavailable without Retry-After (every retry)" \
    "${S}listing pods: 503 ServiceUnavailable" 30 get pods -A
fault '{"kind":"html502","resource":"nodes","count":20}'
bad "502 from a proxy, an HTML page" \
    "${S}listing nodes: 502 Bad Gateway: non-JSON reply \(text/html\): .*502 Bad Gateway" 30 \
    get nodes
fault '{"kind":"429","retry_after":1,"resource":"nodes","count":20}'
bad "429 on every retry: gives up in bounded time" \
    "${S}listing nodes: 429 TooManyRequests: " 20 get nodes
sim_ctl DELETE faults > /dev/null

# --- expired token, RBAC ----------------------------------------------------------------------
sim_ctl POST token '{"expire": true}' > /dev/null
bad "expired token (401)" "${S}listing nodes: 401 Unauthorized" 30 get nodes
sim_ctl POST token "{\"token\": \"$SIM_TOKEN\", \"ttl\": 0}" > /dev/null
ops get nodes > /dev/null 2>&1
ok $? "a valid token again: get nodes works"
cli_cache_dump "$t.base"

sim_ctl POST rbac '{"token":"jane-token","user":"jane","namespaces":["dp-max-catapp"]}' > /dev/null
kc_write "$CLI_DIR/kc-jane" "" "    token: jane-token"
CLI_KC=$CLI_DIR/kc-jane bad "RBAC: a namespaced user lists pods of every namespace (403)" \
    "${S}listing pods: 403 Forbidden: pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" at the cluster scope$" \
    30 get pods -A
CLI_KC=$CLI_DIR/kc-jane bad "RBAC: a namespaced user lists nodes (403)" \
    "${S}listing nodes: 403 Forbidden: nodes is forbidden: User \"jane\"" 30 get nodes
CLI_KC=$CLI_DIR/kc-jane ops get pods -n dp-max-catapp -o json > "$t.jane" 2> "$t.err"
pycheck "$t.jane" <<'EOF'
import json, sys
pods = json.load(open(sys.argv[1]))
assert len(pods) == 4 and {p["namespace"] for p in pods} == {"dp-max-catapp"}, pods
EOF
ok $? "RBAC: the same user lists the pods of its namespace" || diag "$(cat "$t.err")"
sim_ctl DELETE rbac > /dev/null
cli_cache_dump "$t.base"

# --- slow and silent servers ------------------------------------------------------------------
fault '{"kind":"hang","seconds":60,"resource":"nodes"}'
bad "a hanging server, --request-timeout 2" "${S}listing nodes: .*[Tt]imed out" 8 \
    --request-timeout 2 get nodes
fault '{"kind":"hang","seconds":60,"count":100}'
bad "a hanging server under the 8 lists of get tenants, --request-timeout 2" \
    "${S}listing [a-z]+: .*[Tt]imed out" 8 --request-timeout 2 get tenants
fault '{"kind":"stall","seconds":60,"resource":"pods"}'
bad "a list that stops half-way, --request-timeout 2" "${S}listing pods: .*[Tt]imed out" 8 \
    --request-timeout 2 get pods -A
sim_ctl DELETE faults > /dev/null

# --- Retry-After honoured ---------------------------------------------------------------------
sim_ctl DELETE requests > /dev/null
fault '{"kind":"429","retry_after":2,"resource":"nodes"}'
start=$(now_ms)
ops get nodes -o json > "$t.out" 2> "$t.err"
r=$?
ms=$(elapsed_ms "$start")
n=$(sim_ctl GET requests | "$PYTHON3" -c 'import json,sys
print(sum(1 for l in json.load(sys.stdin)["log"] if l["path"] == "/api/v1/nodes"))')
[ $r -eq 0 ] && [ "$ms" -ge 2000 ] && [ "$ms" -lt 10000 ] && [ "$n" = 2 ] &&
    cmp -s "$t.out" "$t.nodes"
ok $? "429 with Retry-After: 2: retried once after ${ms} ms (>= 2 s), the command succeeds ($n requests)" ||
    diag "exit $r" "$(cat "$t.err")"
fault '{"kind":"503","retry_after":1,"resource":"pods"}'
start=$(now_ms)
ops get pods -A -o json > "$t.out" 2> "$t.err"
r=$?
ms=$(elapsed_ms "$start")
[ $r -eq 0 ] && [ "$ms" -ge 1000 ] && cmp -s "$t.out" "$t.pods"
ok $? "503 with Retry-After: 1: retried after ${ms} ms, the command succeeds" ||
    diag "exit $r" "$(cat "$t.err")"
sim_ctl DELETE faults > /dev/null
cli_cache_dump "$t.base"

# --- a proxy in front of the API, and servers that are not one --------------------------------
# fake MODE [ARG]: starts cli-fakeapi.py; sets FAKE_PORT.
fake() {
    rm -f "$CLI_DIR/fake.port"
    "$PYTHON3" "$top_srcdir/tests/integration/cli-fakeapi.py" "$CLI_DIR/fake.port" "$@" \
        2> "$CLI_DIR/fake.log" &
    FAKE_PID=$!
    cli_track "$FAKE_PID"
    sim_poll 10 test -s "$CLI_DIR/fake.port" || return 1
    FAKE_PORT=$(cat "$CLI_DIR/fake.port")
}
unfake() {
    kill -TERM "$FAKE_PID" 2>/dev/null
    wait "$FAKE_PID" 2>/dev/null
}

for code in 401 403 404 500; do
    fake html "$code"
    kc_plain=$CLI_DIR/kc-fake
    sed "s#server: .*#server: http://127.0.0.1:$FAKE_PORT#; /certificate-authority-data/d" \
        "$SIM_KUBECONFIG" > "$kc_plain"
    CLI_KC=$kc_plain bad "a proxy's HTML page with $code" \
        "^opsdeck: http://127.0.0.1:$FAKE_PORT: listing nodes: $code [A-Za-z ]+: non-JSON reply \(text/html\): .*$code" \
        30 get nodes
    unfake
done

fake silent
sed "s#server: .*#server: https://127.0.0.1:$FAKE_PORT#" "$SIM_KUBECONFIG" > "$CLI_DIR/kc-silent"
CLI_KC=$CLI_DIR/kc-silent bad "a server that accepts and never speaks (TLS), --request-timeout 2" \
    "^opsdeck: https://127.0.0.1:$FAKE_PORT: listing pods: .*[Tt]imed out" 8 \
    --request-timeout 2 get pods -A
unfake

fake garbage
sed "s#server: .*#server: https://127.0.0.1:$FAKE_PORT#" "$SIM_KUBECONFIG" > "$CLI_DIR/kc-garbage"
CLI_KC=$CLI_DIR/kc-garbage bad "a server that answers with bytes that are not TLS" \
    "^opsdeck: https://127.0.0.1:$FAKE_PORT: listing nodes: .+" 30 get nodes
unfake

# --- single items of the wrong types ----------------------------------------------------------
# The list is good but one pod in it is not (a field of the wrong type): it is left out with a
# warning that names it, the other pods are printed, and its cached copy stays as it was.
WIKI=wiki-mhqwffzcnx-tvv77
ops get pods -A -o json > "$t.pods" 2> "$t.err"
cli_cache_dump "$t.base"
sim_ctl GET "objects/pods/dp-ravi-wiki/$WIKI" > "$t.wiki-orig" &&
    pycheck "$t.wiki-orig" "$t.wiki-bad" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p = p.get("object", p)
p["spec"]["nodeName"] = 42
p.update(kind="Pod", apiVersion="v1")
json.dump(p, open(sys.argv[2], "w"))
EOF
sim_ctl POST objects "$(cat "$t.wiki-bad")" > /dev/null
ok $? "sim: pod dp-ravi-wiki/$WIKI now has spec.nodeName 42"
OPSDECK_CLOCK=2026-11-24T04:30:00Z ops get pods -A -o json > "$t.out" 2> "$t.err"
r=$?
pycheck "$t.out" "$t.pods" "$WIKI" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
want = [p for p in json.load(open(sys.argv[2])) if p["name"] != sys.argv[3]]
assert got == want, (len(got), len(want))
EOF
[ $? -eq 0 ] && [ $r -eq 0 ] && [ "$(wc -l < "$t.err")" -eq 1 ] &&
    grep -q "^opsdeck: warning: $SIM_URL: pods dp-ravi-wiki/$WIKI left out: pods item: spec.nodeName: expected string$" \
        "$t.err"
ok $? "one pod of the wrong types: the others printed, a warning names it and the field (exit $r): $(cat "$t.err")"
cli_cache_dump "$t.now"
pycheck "$t.base" "$t.now" "$WIKI" <<'EOF'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1])]
now = [json.loads(l) for l in open(sys.argv[2])]
old = [r for r in base if r[2] == sys.argv[3]]
assert len(old) == 1 and old == [r for r in now if r[2] == sys.argv[3]], "the pod's row changed"
# The others were refreshed: a relist rewrites only the rows whose content changed, so each is
# either rewritten (a later fetched_at) or exactly as it was; none went missing.
was = {(r[1], r[2]): r for r in base if r[0] == "pods" and r[2] != sys.argv[3]}
others = {(r[1], r[2]): r for r in now if r[0] == "pods" and r[2] != sys.argv[3]}
assert others and set(others) >= set(was), "pods went missing"
assert all(r[3] > old[0][3] or r == was.get(k) for k, r in others.items()), "a row went back"
EOF
ok $? "one pod of the wrong types: its cached copy is kept as it was, the other pods refreshed or unchanged"
ops get pods -A -o json --cached > "$t.out" 2> "$t.err"
grep -q "\"name\":\"$WIKI\"" "$t.out"
ok $? "one pod of the wrong types: --cached still shows its last good state"

# Many bad items, one with a hostile name: at most 10 warnings, then a count; no escape byte.
pycheck "$t.wiki-bad" "$t.many-bad" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
items = []
for i in range(12):
    q = json.loads(json.dumps(p))
    q["metadata"]["name"] = "bad-%02d" % i if i else "bad-\x1b]0;pwned\x07-\x1b[2J"
    for k in ("uid", "resourceVersion"):
        q["metadata"].pop(k, None)
    items.append(q)
json.dump(items, open(sys.argv[2], "w"))
EOF
sim_ctl POST objects "$(cat "$t.many-bad")" > /dev/null
ops get pods -n dp-ravi-wiki -o json > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ "$(grep -c '^opsdeck: warning: .* left out: ' "$t.err")" -eq 10 ] &&
    grep -q "^opsdeck: warning: $SIM_URL: 13 items left out in all$" "$t.err" &&
    ! grep -q "$(printf '\033')" "$t.err" && ! grep -q "$(printf '\007')" "$t.err"
ok $? "13 bad pods: 10 warnings, then the count; a hostile name shown without its escape bytes (exit $r)" ||
    diag "$(cat "$t.err")"
for i in 01 02 03 04 05 06 07 08 09 10 11; do
    sim_ctl DELETE "objects/pods/dp-ravi-wiki/bad-$i" > /dev/null || break
done
sim_ctl POST objects "$(cat "$t.wiki-orig")" > /dev/null
ok $? "sim: the bad pods removed, the wiki pod restored"
cli_cache_dump "$t.base"

# --- unreachable ------------------------------------------------------------------------------
sim_stop
bad "the API server is down (connection refused)" \
    "${S}listing nodes: .*(Couldn't connect|Connection refused)" 30 get nodes

bad "the API server is down, get tenants" \
    "${S}listing [a-z]+: .*(Couldn't connect|Connection refused)" 30 get tenants

# --- a list whose second page is bad ----------------------------------------------------------
# A bigger platform (9 pages of 500 pods). The first page is held back for 2 s; meanwhile the
# next fault is queued, so it hits the second page: the first page's pods must not be written.
SIM_DIR=$CLI_DIR/sim-pages
export OPSDECK_CLOCK=2026-11-24T03:12:00Z
cli_start_sim --nodes 10 --tenant-namespaces 40 --pods 4500
S="^opsdeck: $SIM_URL: "
ops get pods -A -o json > "$t.pods-big" 2> "$t.err"
# 4,500 pods are printed in two halves formatted at once: one array, in order, none twice.
n=$("$PYTHON3" -c '
import json, sys
keys = [(p["namespace"], p["name"]) for p in json.load(open(sys.argv[1]))]
assert keys == sorted(set(keys)), "not sorted, or a pod twice"
print(len(keys))' "$t.pods-big")
[ "$n" = 4500 ]
ok $? "a live get of 4500 pods (9 pages of 500) prints each once, sorted, and fills the cache ($n)" ||
    diag "$(cat "$t.err")"
cli_cache_dump "$t.base"
export OPSDECK_CLOCK=2026-11-24T04:00:00Z
fault '{"kind":"hang","seconds":2,"resource":"pods"}'
ops get pods -A -o json > "$t.out" 2> "$t.err" &
pid=$!
cli_track "$pid"
first_page_held() {
    sim_ctl GET faults | grep -q '"hits":1'
}
sim_poll 20 first_page_held && sim_ctl POST faults '{"kind":"malformed","resource":"pods"}' > /dev/null
ok $? "sim: the first page is held back, the next request of pods will be malformed"
wait "$pid"
r=$?
[ $r -eq 1 ] && [ ! -s "$t.out" ] &&
    grep -Eq "${S}listing pods: malformed JSON reply from /api/v1/pods\?limit=500&continue=" "$t.err"
ok $? "the second page malformed: exit 1, the message names the page's URL (exit $r)" ||
    diag "$(cat "$t.err")"
cli_cache_dump "$t.now"
cmp -s "$t.base" "$t.now"
ok $? "the second page malformed: cache.db unchanged (the first page's pods not rewritten)" ||
    diag "$(diff "$t.base" "$t.now" | head -5)"

plan_done
