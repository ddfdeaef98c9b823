#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/net-kube-sim.sh - kube.c against the simulated API server: discovery, paging
# (in order, overlapped, restarted after an expired continue token), 429, a proxy's HTML 502, a
# truncated body, 403 and 401 Status lines, TLS with the wrong CA, an exec plugin, offline.
. "${top_srcdir:-.}/tests/lib/tap.sh"
SIM_NO_TRAP=1
. "${top_srcdir:-.}/tests/lib/sim.sh"

D=${NET_KUBE_DRIVER:-${top_builddir:-.}/tests/integration/net-kube-driver}
PY=${PYTHON3:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-net-kube.XXXXXX") || bail "mktemp"
trap 'sim_cleanup; rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$D" ] || bail "$D not built"
sim_start > "$tmp/sim.out" 2>&1 || { cat "$tmp/sim.out"; bail "the sim did not start"; }

# req_check PYTHON_EXPR: evaluates EXPR over the sim's request log (`log`: list of entries) and
# fails when it is false; prints the log on failure.
req_check() {
    sim_ctl GET requests > "$tmp/req.json" || return 1
    "$PY" - "$1" "$tmp/req.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[2]))["log"]
ok = eval("(" + sys.argv[1] + ")")
if not ok:
    for e in log:
        print("# %s %s?%s -> %s" % (e["verb"], e["path"], e["query"][:80], e["status"]))
sys.exit(0 if ok else 1)
EOF
}

now_ms() { date +%s%3N; }

# has LINE: the driver printed exactly LINE; has_re RE: a line matches RE.
has() { grep -qxF "$1" "$tmp/out"; }
has_re() { grep -q "$1" "$tmp/out"; }

# --- discovery ---------------------------------------------------------------------------------
sim_ctl DELETE requests > /dev/null
"$D" discover > "$tmp/out" 2>&1
grep -q '^VERSION v1.31.4+k3s1 simulated=1 st=OK' "$tmp/out"
ok $? "discovery: /version of the simulated server (gitVersion, simulated)"
grep -q '^SERVES 3 1 /apis/apps/v1/namespaces/ns1/deployments$' "$tmp/out" &&
    grep -q '^SERVES 0 1 /api/v1/nodes$' "$tmp/out" &&
    grep -q '^SERVES 6 1 /apis/networking.k8s.io/v1/namespaces/ns1/ingresses$' "$tmp/out"
ok $? "discovery: resource paths and namespaced-ness from the server"
req_check 'sorted(e["path"] for e in log) == sorted(["/version", "/api", "/apis", "/api/v1",
    "/apis/apps/v1", "/apis/networking.k8s.io/v1"])'
ok $? "discovery: /version, /api, /apis and the needed group/versions, once each"

# --- paging ------------------------------------------------------------------------------------
npods=$(sim_api /api/v1/pods |
    "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
pages=$(( (npods + 6) / 7 ))
sim_ctl DELETE requests > /dev/null
"$D" --page 7 list pods > "$tmp/out" 2>&1
ok $? "paging: list of $npods pods succeeds"
[ "$(grep -c '^PAGE ' "$tmp/out")" -eq "$pages" ]
ok $? "paging: $pages pages of 7"
awk '/^PAGE/ { if ($2 != n++) bad = 1 } END { exit bad }' "$tmp/out"
ok $? "paging: pages delivered in order"
grep -q "^LIST st=OK http=200 .* total=$npods " "$tmp/out"
ok $? "paging: every pod delivered"
[ "$(sed -n 's/^PAGE .* rv=\([^ ]*\) .*/\1/p' "$tmp/out" | sort -u | wc -l)" -eq 1 ]
ok $? "paging: one resourceVersion across the pages (one snapshot)"
awk '/^PAGE .* last=0 / { split($0, f, "requested="); if (f[2] + 0 < $2 + 2) bad = 1 }
     END { exit bad }' "$tmp/out"
ok $? "paging: the next page is asked for before a page is handed over"
req_check "len([e for e in log if e['verb'] == 'list']) == $pages and
    len([e for e in log if 'continue=' in e['query']]) == $pages - 1 and
    all('limit=7' in e['query'] for e in log)"
ok $? "paging: limit/continue requests, one per page"

# An expired continue token (sim clock moved past --continue-ttl mid-list): the list starts over.
sim_ctl DELETE requests > /dev/null
"$D" --page 5 --advance-after-page 1 --advance-by 600 list pods > "$tmp/out" 2>&1
ok $? "continue expired: the list still succeeds"
[ "$(grep -c '^PAGE 0 ' "$tmp/out")" -eq 2 ] && grep -q "^LIST st=OK .* total=$npods " "$tmp/out"
ok $? "continue expired: restarted once from the first page, all pods delivered"
req_check "any('continue=' in e['query'] and e['status'] == 410 for e in log)"
ok $? "continue expired: the server answered 410 to a continue token"

# --- 429 with Retry-After ----------------------------------------------------------------------
sim_ctl DELETE requests > /dev/null
sim_ctl POST faults '{"kind":"429","retry_after":1,"resource":"pods","count":1}' > /dev/null
t0=$(now_ms)
"$D" list pods > "$tmp/out" 2>&1
rc=$?
t1=$(now_ms)
[ $rc -eq 0 ] && grep -q "^LIST st=OK .* total=$npods " "$tmp/out"
ok $? "429: the list succeeds after Retry-After"
[ $((t1 - t0)) -ge 1000 ]
ok $? "429: waited the Retry-After second ($((t1 - t0)) ms)"
req_check "[e['status'] for e in log if e['verb'] == 'list'] == [429, 200]"
ok $? "429: the same request sent again once"
sim_ctl DELETE faults > /dev/null

# --- bad answers -------------------------------------------------------------------------------
sim_ctl POST faults '{"kind":"html502","resource":"pods"}' > /dev/null
"$D" list pods > "$tmp/out" 2>&1
[ $? -eq 1 ] && has "LIST st=HTTP http=502 reason= rv=- total=0 error=502 Bad Gateway: non-JSON\
 reply (text/html): 502 Bad Gateway 502 Bad Gateway nginx/1.22.1"
ok $? "HTML 502: one clear line with the content type and the page's text"
grep -q '^STATE offline|502 Bad Gateway: non-JSON reply' "$tmp/out"
ok $? "HTML 502: the gateway's answer means the API is offline"

sim_ctl POST faults '{"kind":"truncated","resource":"pods"}' > /dev/null
"$D" list pods > "$tmp/out" 2>&1
[ $? -eq 1 ] && has_re '^LIST st=JSON http=200 .* error=malformed JSON reply from ' &&
    has_re 'reply from /api/v1/pods?limit=500: offset [0-9]*: '

ok $? "truncated JSON: a malformed-reply error naming the request and the offset"

sim_ctl POST faults '{"kind":"403","resource":"pods"}' > /dev/null
"$D" list pods > "$tmp/out" 2>&1
has 'LIST st=FORBIDDEN http=403 reason=Forbidden rv=- total=0 error=403 Forbidden: pods is'\
' forbidden: User "system:serviceaccount:default:opsdeck" cannot list resource "pods" in API'\
' group "" at the cluster scope'
ok $? "403: the Status message as one line"
grep -q '^STATE 403|403 Forbidden: pods is forbidden' "$tmp/out"
ok $? "403: the state says forbidden when nothing else answered"

sim_ctl POST faults '{"kind":"status","code":500,"resource":"pods"}' > /dev/null
"$D" get /api/v1/namespaces/default/pods > "$tmp/out" 2>&1
has 'GET st=HTTP http=500 len=0 reason=InternalError error=500 InternalError: Internal error'\
' occurred: etcdserver: request timed out' &&
    grep -q '^STATE live' "$tmp/out"
ok $? "500 Status: one line; the server is live"

"$D" get /api/v1/namespaces/nope > "$tmp/out" 2>&1
has 'GET st=NOTFOUND http=404 len=0 reason=NotFound error=404 NotFound: namespaces "nope" not found'
ok $? "404 Status: one line"
sim_ctl DELETE faults > /dev/null

# --- credentials -------------------------------------------------------------------------------
cat > "$tmp/plugin" <<EOF
#!/bin/sh
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
printf '"status":{"token":"%s"}}' '$SIM_TOKEN'
EOF
chmod +x "$tmp/plugin"
"$D" --exec "$tmp/plugin" get /api/v1/nodes > "$tmp/out" 2>&1
grep -q '^GET st=OK http=200' "$tmp/out"
ok $? "exec plugin: its token is accepted"

sim_ctl POST token '{"expire":true}' > /dev/null
"$D" get /api/v1/nodes > "$tmp/out" 2>&1
has 'GET st=AUTH http=401 len=0 reason=Unauthorized error=401 Unauthorized: Unauthorized' &&
    grep -q '^STATE 401|401 Unauthorized: Unauthorized|' "$tmp/out"
ok $? "401 after the token expired: state 401 with the Status line"
sim_ctl POST token "{\"token\":\"$SIM_TOKEN\",\"ttl\":0}" > /dev/null
"$D" get /api/v1/nodes > "$tmp/out" 2>&1
grep -q '^GET st=OK' "$tmp/out"
ok $? "a fresh token works again"

# --- TLS ---------------------------------------------------------------------------------------
sh "$SIM_HOME/mkcerts.sh" "$tmp/other" > /dev/null 2>&1 || bail "mkcerts"
"$D" --ca "$tmp/other/ca.crt" get /version > "$tmp/out" 2>&1
has_re '^GET st=TLS http=0' && has_re '^STATE tls error|SSL certificate problem'
ok $? "TLS: a CA that did not sign the server's certificate is refused with curl's reason"
"$D" --ca '' --insecure get /version > "$tmp/out" 2>&1
grep -q '^GET st=OK' "$tmp/out"
ok $? "TLS: insecure-skip-tls-verify only when asked"
"$D" --ca '' get /version > "$tmp/out" 2>&1
grep -q '^GET st=TLS' "$tmp/out"
ok $? "TLS: verified by default (no CA given, the system store does not know the sim)"

# --- offline -----------------------------------------------------------------------------------
sim_stop
"$D" get /version > "$tmp/out" 2>&1
has_re '^GET st=UNREACHABLE http=0' && has_re '^STATE offline|Failed to connect to 127.0.0.1 port'
ok $? "offline: connection refused is UNREACHABLE and the state says offline"

plan_done
