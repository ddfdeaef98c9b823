#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-cached.sh - `get --cached` after the sim is stopped, the offline error
# without it, a live get refreshing the cache, `info` (every resolved path), `cache clear`, and
# several processes (two live gets and --cached readers) on the same files. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

cli_start_sim
t=$CLI_DIR/t
LIVE_CLOCK=2026-11-24T03:12:00Z
LATER_CLOCK=2026-11-24T03:42:00Z

# same_objects LIVE CACHED: the same objects, each cached one with fetched_at = LIVE_CLOCK;
# nothing else differs.
same_objects() {
    pycheck "$1" "$2" "$LIVE_CLOCK" <<'EOF'
import json, sys
live = json.load(open(sys.argv[1]))
cached = json.load(open(sys.argv[2]))
assert live, "nothing listed"
assert all("fetched_at" not in o for o in live), "fetched_at in a live answer"
assert all(o.get("fetched_at") == sys.argv[3] for o in cached), [o.get("fetched_at") for o in cached]
stripped = [{k: v for k, v in o.items() if k != "fetched_at"} for o in cached]
assert stripped == live, [(a, b) for a, b in zip(stripped, live) if a != b][:2]
EOF
}

# --- fill the cache, then stop the sim --------------------------------------------------------
OPSDECK_CLOCK=$LIVE_CLOCK ops get pods -A -o json > "$t.pods" 2> "$t.err" &&
    OPSDECK_CLOCK=$LIVE_CLOCK ops get nodes -o json > "$t.nodes" 2>> "$t.err" &&
    OPSDECK_CLOCK=$LIVE_CLOCK ops get tenants -o json > "$t.tenants" 2>> "$t.err"
ok $? "live get pods -A, get nodes, get tenants succeed" || diag "$(cat "$t.err")"
sim_stop
ok $? "the sim is stopped"

OPSDECK_CLOCK=$LIVE_CLOCK ops get pods -A -o json --cached > "$t.pods-c" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ]
ok $? "get pods -A --cached with the API down exits 0, quietly (exit $r)" || diag "$(cat "$t.err")"
same_objects "$t.pods" "$t.pods-c"
ok $? "get pods -A --cached: the same pods, each with fetched_at (RFC 3339) of the live get"
OPSDECK_CLOCK=$LIVE_CLOCK ops get nodes -o json --cached > "$t.nodes-c" 2> "$t.err" &&
    same_objects "$t.nodes" "$t.nodes-c"
ok $? "get nodes --cached: the same nodes, each with fetched_at"
OPSDECK_CLOCK=$LIVE_CLOCK ops get tenants -o json --cached > "$t.tenants-c" 2> "$t.err" &&
    same_objects "$t.tenants" "$t.tenants-c"
ok $? "get tenants --cached: the same tenants (problems included), each with fetched_at"

OPSDECK_CLOCK=$LIVE_CLOCK ops get pods -n dp-max-catapp -o json --cached > "$t.max-c" 2> "$t.err"
pycheck "$t.max-c" "$t.pods-c" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
want = [p for p in json.load(open(sys.argv[2])) if p["namespace"] == "dp-max-catapp"]
assert len(want) == 4 and got == want, got
EOF
ok $? "get pods -n dp-max-catapp --cached: only that namespace"

OPSDECK_CLOCK=$LATER_CLOCK ops get pods -A -o json --cached > "$t.later" 2> "$t.err"
pycheck "$t.later" "$LIVE_CLOCK" <<'EOF'
import json, sys
from datetime import datetime
pods = json.load(open(sys.argv[1]))
for p in pods:
    at = datetime.strptime(p["fetched_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert p["fetched_at"] == sys.argv[2], p["fetched_at"]
api = [p for p in pods if p["name"] == "api-7d9c8-x2bq"][0]
assert api["restarts_text"] == "14 (33m ago)", api["restarts_text"]
EOF
ok $? "--cached 30 minutes later: fetched_at stays the time of the fetch, ages move on"

OPSDECK_CLOCK=$LIVE_CLOCK ops get pods -A --cached > "$t.table-c" 2> "$t.err"
msg=$("$PYTHON3" "$top_srcdir/tests/integration/cli-table.py" --rows 55 "$t.table-c" \
    NAMESPACE NAME READY STATUS RESTARTS AGE NODE)
ok $? "get pods -A --cached (table): the same 55 rows" || diag "$msg"

for what in "nodes" "pods -A" "tenants"; do
    # shellcheck disable=SC2086
    ops get $what > "$t.out" 2> "$t.err"
    r=$?
    [ $r -eq 1 ] && [ ! -s "$t.out" ] && grep -q "^opsdeck: $SIM_URL: " "$t.err" &&
        [ "$(wc -l < "$t.err")" -eq 1 ]
    ok $? "get $what with the API down: exit 1, one line naming the server (exit $r)" ||
        diag "$(cat "$t.err")"
done
grep -Eq "Couldn't connect|Connection refused|Failed to connect" "$t.err"
ok $? "the message says why (cannot connect): $(cat "$t.err")"

# Nothing cached: a fresh cache directory; and another server with a full cache.
XDG_CACHE_HOME=$CLI_DIR/empty-cache ops get pods -A --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && [ ! -s "$t.out" ] && grep -q "nothing cached for $SIM_URL" "$t.err"
ok $? "--cached with nothing cached: exit 1, 'nothing cached for <server>' (exit $r)" ||
    diag "$(cat "$t.err")"
sed "s#server: .*#server: https://127.0.0.1:1#" "$SIM_KUBECONFIG" > "$CLI_DIR/kc-other"
CLI_KC=$CLI_DIR/kc-other ops get nodes --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && grep -q "nothing cached for https://127.0.0.1:1" "$t.err"
ok $? "--cached for another server: its own (empty) cache, exit 1 (exit $r)" ||
    diag "$(cat "$t.err")"

# --- a live get refreshes the cache -----------------------------------------------------------
sim_restart
ok $? "the sim is back (same port, same objects)"
sim_ctl GET objects/pods/dp-ravi-wiki/wiki-mhqwffzcnx-tvv77 > "$t.wiki" &&
    pycheck "$t.wiki" "$t.newpod" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p = p.get("object", p)
p["metadata"]["name"] = "wiki-fresh-pod"
for k in ("uid", "resourceVersion"):
    p["metadata"].pop(k, None)
p.update(kind="Pod", apiVersion="v1")
json.dump(p, open(sys.argv[2], "w"))
EOF
sim_ctl POST objects "$(cat "$t.newpod")" > /dev/null &&
    sim_ctl DELETE objects/pods/dp-pia-portfolio/portfolio-f5sw55k5t8-25jsk > /dev/null &&
    sim_ctl POST 'scenario/crashloop?ns=dp-quinn-chat&pod=chat-relay-wlrqdckklc-6lsqx&count=2' \
        > /dev/null
ok $? "sim: a pod added, one deleted, one crash-looping"
ops get pods -A -o json > "$t.live2" 2> "$t.err"
ok $? "live get pods -A again" || diag "$(cat "$t.err")"
sim_stop
ops get pods -A -o json --cached > "$t.cached2" 2> "$t.err"
pycheck "$t.cached2" "$t.live2" <<'EOF'
import json, sys
cached = {(p["namespace"], p["name"]): p for p in json.load(open(sys.argv[1]))}
live = [{k: v for k, v in p.items()} for p in json.load(open(sys.argv[2]))]
assert ("dp-ravi-wiki", "wiki-fresh-pod") in cached, "the added pod is not cached"
assert ("dp-pia-portfolio", "portfolio-f5sw55k5t8-25jsk") not in cached, "the deleted pod is"
relay = cached[("dp-quinn-chat", "chat-relay-wlrqdckklc-6lsqx")]
assert relay["status"] == "CrashLoopBackOff" and relay["restarts"] == 2, relay
stripped = [{k: v for k, v in p.items() if k != "fetched_at"}
            for _, p in sorted(cached.items())]
assert stripped == live, "cache differs from the live answer"
EOF
ok $? "--cached after the live get: the added pod, not the deleted one, the new restarts"

# --- info -------------------------------------------------------------------------------------
kc_write "$CLI_DIR/kc-ns" "    namespace: dp-max-catapp"
ops_raw --kubeconfig "$CLI_DIR/kc-ns" info > "$t.info" 2> "$t.err"
r=$?
pycheck "$t.info" "$CLI_DIR/kc-ns" "$XDG_CACHE_HOME/opsdeck/cache.db" \
    "$XDG_STATE_HOME/opsdeck/state.db" "$SIM_URL" "$XDG_CONFIG_HOME/opsdeck" <<'EOF'
import sys
info = {}
for l in open(sys.argv[1]).read().splitlines():
    k, _, v = l.partition("  ")
    info[k.strip()] = v.strip()
kc, cache, state, server, confdir = sys.argv[2:]
want = {"platform file": "(built-in defaults)", "kubeconfig": kc, "kubeconfig files": kc,
        "cache db": cache, "state db": state, "context": "default", "server": server,
        "namespace": "dp-max-catapp", "config dir": confdir, "user": "default",
        "cluster": "default", "auth": "bearer token"}
got = {k: info.get(k) for k in want}
assert got == want, {k: (got[k], want[k]) for k in want if got[k] != want[k]}
assert info["ca"].startswith("sha256:"), info["ca"]
EOF
ok $? "info prints every resolved path and choice: platform, kubeconfig (files), cache and state db, context, server, namespace (exit $r)" ||
    diag "$(cat "$t.info" "$t.err")"
grep -q "$SIM_TOKEN" "$t.info"
[ $? -ne 0 ]
ok $? "info never prints the token"

mkdir -p "$XDG_CONFIG_HOME/opsdeck"
cp "$top_srcdir/examples/deploy-mcp/platform.yml" "$XDG_CONFIG_HOME/opsdeck/platform.yml"
ops_raw info > "$t.info2" 2> "$t.err"
pycheck "$t.info2" "$XDG_CONFIG_HOME/opsdeck/platform.yml" "$HOME/.kube/deploy-mcp.yaml" <<'EOF'
import sys
info = {}
for l in open(sys.argv[1]).read().splitlines():
    k, _, v = l.partition("  ")
    info[k.strip()] = v.strip()
plat, kc = sys.argv[2:]
want = {"platform file": plat, "platform name": "deploy-mcp", "production": "yes",
        "kubeconfig": kc, "context": "default", "loki": "dp-system/loki:3100",
        "prometheus": "dp-system/prometheus-operated:9090"}
got = {k: info.get(k) for k in want}
assert got == want, {k: (got[k], want[k]) for k in want if got[k] != want[k]}
assert info["error"].startswith(kc + ":"), info["error"]
EOF
ok $? "info: the platform found in \$XDG_CONFIG_HOME/opsdeck, its kubeconfig (~ expanded; missing: the error names it)" ||
    diag "$(cat "$t.info2" "$t.err")"
rm -f "$XDG_CONFIG_HOME/opsdeck/platform.yml"

kc_write "$CLI_DIR/kc-a" "" && sed 's/name: default/name: second/; s/: default$/: second/' \
    "$CLI_DIR/kc-a" | grep -v current-context > "$CLI_DIR/kc-b"
KUBECONFIG=$CLI_DIR/kc-a:$CLI_DIR/kc-b ops_raw --context second info > "$t.info4" 2> "$t.err"
pycheck "$t.info4" "$CLI_DIR/kc-a" "$CLI_DIR/kc-b" "$SIM_URL" <<'EOF'
import sys
info = {}
for l in open(sys.argv[1]).read().splitlines():
    k, _, v = l.partition("  ")
    info[k.strip()] = v.strip()
a, b, server = sys.argv[2:]
want = {"platform file": "(built-in defaults)", "kubeconfig files": a + ":" + b,
        "context": "second", "cluster": "second", "user": "second", "server": server,
        "namespace": "default"}
got = {k: info.get(k) for k in want}
assert got == want, {k: (got[k], want[k]) for k in want if got[k] != want[k]}
assert "error" not in info, info["error"]
EOF
ok $? "info: \$KUBECONFIG's two files merged, --context picks the second file's context" ||
    diag "$(cat "$t.info4" "$t.err")"

ops_raw --kubeconfig "$CLI_DIR/no-such-kubeconfig" info > "$t.info3" 2> "$t.err"
r=$?
[ $r -eq 0 ] && grep -Eq "^error +$CLI_DIR/no-such-kubeconfig: No such file" "$t.info3"
ok $? "info with a missing kubeconfig still prints, with the error line (exit $r)" ||
    diag "$(cat "$t.info3" "$t.err")"

# --- cache clear ------------------------------------------------------------------------------
n=$("$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    "select count(*) from objects").fetchone()[0])' "$CACHE_DB")
ops cache clear > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ "$(cat "$t.out")" = "cache cleared: $CACHE_DB" ]
ok $? "cache clear: exit 0, names the file (exit $r; it held $n objects)" ||
    diag "$(cat "$t.out" "$t.err")"
m=$("$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    "select (select count(*) from objects) + (select count(*) from clusters)").fetchone()[0])' \
    "$CACHE_DB")
[ "$n" -gt 0 ] && [ "$m" = 0 ]
ok $? "cache clear: cache.db holds no object and no cluster any more ($n -> $m)"
ops get pods -A --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && grep -q "nothing cached" "$t.err"
ok $? "after cache clear, get --cached fails: exit 1, nothing cached (exit $r)" ||
    diag "$(cat "$t.err")"

# --- several processes on the same files ------------------------------------------------------
sim_restart
ok $? "the sim is back"

# Only pods cached: tenants made of them alone would show false problems (every policy missing).
XDG_CACHE_HOME=$CLI_DIR/pods-only ops get pods -A > /dev/null 2>&1 &&
    XDG_CACHE_HOME=$CLI_DIR/pods-only ops get tenants --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && [ ! -s "$t.out" ] &&
    grep -q "^opsdeck: $SIM_URL: no namespaces cached for $SIM_URL (context default): the tenants cannot be told from the cache$" "$t.err"
ok $? "get tenants --cached with only pods cached: exit 1, says why (exit $r)" ||
    diag "$(cat "$t.out" "$t.err")"

ops get pods -A -o json > "$t.ref" 2> "$t.err"
fail=0
for round in 1 2 3; do
    pids=
    for i in 1 2; do
        ops get pods -A -o json > "$t.cw$round$i" 2> "$t.cw$round$i.err" &
        pids="$pids $!"
    done
    ops get pods -A -o json --cached > "$t.cr$round" 2> "$t.cr$round.err" &
    pids="$pids $!"
    ops get tenants -o json > "$t.ct$round" 2> "$t.ct$round.err" &
    pids="$pids $!"
    for p in $pids; do
        wait "$p" || fail=$((fail + 1))
    done
done
[ "$fail" -eq 0 ]
ok $? "3 rounds of two live get pods -A, a --cached reader and a get tenants at once: all exit 0 ($fail failed)" ||
    diag "$(cat "$t".c[wrt]*.err)"
pycheck "$t.ref" "$t".cw[0-9][0-9] "$t".cr[0-9] <<'EOF'
import json, sys
ref = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    got = [{k: v for k, v in p.items() if k != "fetched_at"} for p in json.load(open(f))]
    assert got == ref, f
EOF
ok $? "every writer and reader printed the same 55 pods"
cat "$t".c[wrt]*.err > "$t.allerr"
[ ! -s "$t.allerr" ]
ok $? "no process printed a warning or an error (no busy database, no notice)" ||
    diag "$(cat "$t.allerr")"
pycheck "$CACHE_DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
n = c.execute("SELECT count(*) FROM objects WHERE kind = 'pods'").fetchone()[0]
assert n == 55, n
EOF
ok $? "cache.db passes integrity_check and holds each of the 55 pods once"

# --- a reader that goes away (get ... | head) -------------------------------------------------
ops cache clear > /dev/null 2>&1
mkfifo "$CLI_DIR/fifo"
ops get pods -A -o json > "$CLI_DIR/fifo" 2> "$t.pipe.err" &
pid=$!
cli_track "$pid"
: < "$CLI_DIR/fifo"        # the reader opens the pipe and leaves before anything is written
wait "$pid"
r=$?
[ $r -eq 1 ] && [ ! -s "$t.pipe.err" ]
ok $? "the reader goes away: exit 1 quietly, not killed by SIGPIPE (exit $r)" ||
    diag "$(cat "$t.pipe.err")"
pycheck "$CACHE_DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("SELECT count(*) FROM objects WHERE kind = 'pods'").fetchone()[0]
assert n == 55, n
EOF
ok $? "the reader goes away: the cache is still refreshed (55 pods)"

plan_done
