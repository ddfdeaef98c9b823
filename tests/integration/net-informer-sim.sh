#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/net-informer-sim.sh - informers against the simulated API server: list then
# watch, resuming from a bookmark's resourceVersion, 410 as an event and as a status (relist),
# no periodic relist, 403 fallback to namespaces, 429, a proxy's 502 and a truncated body
# (error, then retry), 401 after token expiry, and the sim stopped and restarted mid-session.
. "${top_srcdir:-.}/tests/lib/tap.sh"
SIM_NO_TRAP=1
. "${top_srcdir:-.}/tests/lib/sim.sh"

D=${NET_KUBE_DRIVER:-${top_builddir:-.}/tests/integration/net-kube-driver}
PY=${PYTHON3:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-net-inf.XXXXXX") || bail "mktemp"
INF_PID=
cleanup() {
    [ -n "$INF_PID" ] && kill "$INF_PID" 2>/dev/null && wait "$INF_PID" 2>/dev/null
    sim_cleanup
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$D" ] || bail "$D not built"
# Bookmarks every 0.3 s so a short test sees several.
sim_start --bookmark-interval 0.3 > "$tmp/sim.out" 2>&1 || { cat "$tmp/sim.out"; bail "sim"; }

# inf_start ARGS...: the driver's informer in the background; its output in $tmp/inf.out. It
# runs until inf_stop closes its stdin (and 120 s at most).
inf_start() {
    rm -f "$tmp/in"
    mkfifo "$tmp/in"
    "$D" --duration 120 "$@" < "$tmp/in" > "$tmp/inf.out" 2> "$tmp/inf.err" &
    INF_PID=$!
    exec 3> "$tmp/in"
}

inf_stop() {
    exec 3>&-
    wait "$INF_PID"
    INF_RC=$?
    INF_PID=
}

# seen [SECONDS] PATTERN: waits until the informer printed a line matching PATTERN.
seen() {
    if [ $# -eq 2 ]; then
        sim_poll "$1" grep -q "$2" "$tmp/inf.out"
    else
        sim_poll 15 grep -q "$1" "$tmp/inf.out"
    fi
}

count() { grep -c "$1" "$tmp/inf.out"; }

# at_least N PATTERN: the informer printed PATTERN N times or more.
at_least() { [ "$(grep -c "$2" "$tmp/inf.out")" -ge "$1" ]; }

req_check() {
    sim_ctl GET requests > "$tmp/req.json" || return 1
    "$PY" - "$1" "$tmp/req.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[2]))["log"]
lists = [e for e in log if e["verb"] == "list"]
watches = [e for e in log if e["verb"] == "watch"]
def rv_of(e):
    for kv in e["query"].split("&"):
        if kv.startswith("resourceVersion="):
            return kv.split("=", 1)[1]
    return None
ok = eval("(" + sys.argv[1] + ")")
if not ok:
    for e in log:
        print("# %s %s?%s -> %s" % (e["verb"], e["path"], e["query"][:100], e["status"]))
sys.exit(0 if ok else 1)
EOF
}

sim_rv() {
    sim_ctl GET stats | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["resourceVersion"])'
}

# --- list, then watch from the list's resourceVersion ------------------------------------------
sim_ctl DELETE requests > /dev/null
list_rv=$(sim_rv)
inf_start --page 20 --quiet informer pods
seen "^WATCHING 1 rv=$list_rv\$"
ok $? "list (paged) then watch from the list's resourceVersion $list_rv"
grep -q '^REPLACE_BEGIN 2 -$' "$tmp/inf.out" && grep -q '^REPLACE_END 2 -$' "$tmp/inf.out" &&
    grep -q '^SYNCED 1$' "$tmp/inf.out"
ok $? "one replace (begin/end) around the list, then synced"
req_check "len(lists) == 3 and all('limit=20' in e['query'] for e in lists) and
    len(watches) == 1 and rv_of(watches[0]) == '$list_rv' and
    'allowWatchBookmarks=true' in watches[0]['query']"
ok $? "requests: 3 list pages, one watch with bookmarks from the list RV"

# --- resuming from a bookmark's resourceVersion ------------------------------------------------
# A node changes: the pods watch sees no event, only bookmarks carrying the new RV.
sim_ctl POST scenario/cordon '{"node":"run-2"}' > /dev/null
new_rv=$(sim_rv)
seen "^RV $new_rv\$"
ok $? "a bookmark moved the resume point to $new_rv without any pod event"
sim_ctl POST end-watches '{}' > /dev/null
sim_poll 15 req_check "len(watches) == 2" > /dev/null
req_check "rv_of(watches[1]) == '$new_rv' and len(lists) == 3"
ok $? "the server closed the watch: watched again from the bookmark's RV, no relist"

# --- 410 as a watch ERROR event ----------------------------------------------------------------
sim_ctl DELETE requests > /dev/null
sim_ctl POST expire-watches '{"as":"event","close":false}' > /dev/null
seen '^REPLACE_BEGIN 2 -$' && seen "^WATCHING 1 rv=$(sim_rv)\$"
ok $? "410 as an ERROR event: relisted and watching again"
req_check "len(lists) == 3 and len(watches) == 1"
ok $? "410 event: one full relist (3 pages), then one watch"

# --- 410 as the watch request's status ---------------------------------------------------------
# The next watch fails (500); while the informer backs off, history is compacted, so its retry
# from the old RV is answered with HTTP 410.
sim_ctl DELETE requests > /dev/null
sim_ctl POST faults '{"kind":"status","code":500,"watch":true,"count":1}' > /dev/null
sim_ctl POST end-watches '{}' > /dev/null
seen '^ERROR 500 InternalError' &&
    sim_ctl POST expire-watches '{"as":"status","close":false}' > /dev/null
sim_poll 15 req_check "any(e['status'] == 410 for e in watches) and len(lists) >= 1" > /dev/null
req_check "[e['status'] for e in watches][:2] == [500, 410] and len(lists) == 3"
ok $? "410 as a status: watch answered 410, then a full relist"
seen "^WATCHING 1 rv=$(sim_rv)\$"
ok $? "410 status: watching again after the relist"
sim_ctl DELETE faults > /dev/null
inf_stop
grep '^STATS' "$tmp/inf.out" | grep -q 'relists=2 '
ok $? "two relists counted (event and status), errors retried: $(grep '^STATS' "$tmp/inf.out")"

# --- no periodic relist over a long watch session ----------------------------------------------
sim_ctl DELETE requests > /dev/null
inf_start --watch-timeout 1 informer pods
seen '^WATCHING 1'
# Server-side ends every second (timeoutSeconds=1), bookmarks every 0.3 s, one real change.
sim_poll 20 req_check "len(watches) >= 4" > /dev/null
sim_ctl POST scenario/crashloop '{"ns":"dp-max-catapp","pod":"api-7d9c8-x2bq","count":1}' \
    > /dev/null
sim_poll 15 at_least 2 '^UPSERT dp-max-catapp/api-7d9c8-x2bq '
inf_stop
req_check "len(lists) == 1 and len(watches) >= 4 and all(rv_of(w) for w in watches)"
ok $? "no periodic relist: one list; every reconnect is a watch resuming from an RV"
grep '^STATS' "$tmp/inf.out" | grep -Eq 'lists=1 relists=0 .* bookmarks=([3-9]|[1-9][0-9]+) '
ok $? "bookmarks kept the RV fresh: $(grep '^STATS' "$tmp/inf.out")"

# --- 429, a proxy's 502 and a truncated body on the list ---------------------------------------
sim_ctl DELETE requests > /dev/null
sim_ctl POST faults '[{"kind":"429","retry_after":1,"resource":"nodes","count":1},
    {"kind":"html502","resource":"nodes","count":1},
    {"kind":"truncated","resource":"nodes","count":1}]' > /dev/null
inf_start informer nodes
seen '^ERROR 502 Bad Gateway: non-JSON reply (text/html): 502 Bad Gateway 502 Bad Gateway'\
' nginx/1.22.1$'
ok $? "502 from a proxy: the informer reports the clear line"
seen '^ERROR malformed JSON reply from /api/v1/nodes?limit=500: offset'
ok $? "truncated JSON: the informer reports it and keeps retrying"
seen 20 '^WATCHING 1'
ok $? "after the faults the informer synced and watches"
inf_stop
req_check "[e['status'] for e in lists] == [429, 502, 200, 200]"
ok $? "429 honoured inside the client (no informer error), 502 and truncated retried"
grep '^STATS' "$tmp/inf.out" | grep -q 'lists=3 .* errors=2 '
ok $? "two failed lists, one good: $(grep '^STATS' "$tmp/inf.out")"
[ "$(grep -c '^UPSERT' "$tmp/inf.out")" -eq 5 ]
ok $? "the five nodes delivered"
sim_ctl DELETE faults > /dev/null

# --- 403: fall back to the namespaces the user may list ----------------------------------------
jane=$(sim_ctl POST rbac '{"user":"jane","namespaces":["dp-max-catapp","dp-kim-ledger"]}' |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])')
inf_start --token "$jane" --fallback dp-max-catapp --fallback dp-kim-ledger \
    --fallback kube-system informer pods
seen '^WATCHING 1'
ok $? "403 cluster-wide: per-namespace informers synced and watching"
grep -q '^FALLBACK 3$' "$tmp/inf.out" && grep -q '^REPLACE_END 2 dp-max-catapp$' "$tmp/inf.out" &&
    grep -q '^REPLACE_END 2 dp-kim-ledger$' "$tmp/inf.out" &&
    ! grep -q '^REPLACE_BEGIN 2 kube-system$' "$tmp/inf.out"
ok $? "403 fallback: one list per allowed namespace, the forbidden one skipped"
grep -q '^ERROR pods forbidden in 1 of 3 namespaces: kube-system$' "$tmp/inf.out"
ok $? "403 fallback: the namespace still forbidden is reported"
! grep '^UPSERT' "$tmp/inf.out" | grep -qv 'UPSERT dp-max-catapp/\|UPSERT dp-kim-ledger/'
ok $? "403 fallback: only objects of the allowed namespaces"
inf_stop

# --- 401 after the token expires, then a new token ---------------------------------------------
inf_start --quiet informer nodes
seen '^WATCHING 1'
sim_ctl POST token '{"expire":true}' > /dev/null
sim_ctl POST end-watches '{}' > /dev/null
seen '^STATE 401|401 Unauthorized: Unauthorized|' && seen '^ERROR 401 Unauthorized: Unauthorized$'
ok $? "401 after token expiry: state 401 and the informer's error"
sim_ctl POST token "{\"token\":\"$SIM_TOKEN\",\"ttl\":0}" > /dev/null
sim_poll 40 at_least 2 '^STATE live' && sim_poll 40 at_least 2 '^WATCHING 1'
ok $? "token valid again: the informer recovered by itself"
inf_stop

# --- the sim stops mid-session, then comes back -------------------------------------------------
inf_start --quiet informer pods
seen '^WATCHING 1'
sim_stop
seen '^STATE offline|'
ok $? "sim stopped: state offline"
grep '^STATE offline|' "$tmp/inf.out" | grep -q '|live=[1-9][0-9]*$'
ok $? "offline: the last-live time is kept for the header"
seen '^WATCHING 0'
ok $? "offline: the informer is no longer watching"
# (fd 3, the informer's stdin, must not leak into the new sim.)
sim_restart > "$tmp/sim.out" 2>&1 3>&- || bail "sim_restart failed"
sim_poll 40 at_least 2 '^STATE live' && sim_poll 40 at_least 2 '^WATCHING 1'
ok $? "sim back: the same client watches again"
req_check "len(lists) == 0 and len(watches) >= 1 and
    all(e['status'] in (200, None) for e in watches)"
ok $? "sim back: resumed from the last RV (no relist after the restart)"
inf_stop

plan_done
