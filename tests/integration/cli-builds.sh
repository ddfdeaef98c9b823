#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-builds.sh - `opsdeck get builds` against the Loki double (sim/lokisim.py,
# filled with the seed platform's build logs): the table and the JSON compared with builds
# computed independently (Python) from the raw lines the double serves, --since and the 24 h of
# history behind it (cache lost at the range's start), through the API server's service proxy,
# every page of a range over Loki's 5,000 limit, and the errors: Loki unreachable, not
# configured, 504, a proxy's HTML, the proxy's 503 when Loki is down. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

t=$CLI_DIR/t
NOW_S=1795489920 # $OPSDECK_CLOCK, 2026-11-24T03:12:00Z

# The API sim with the Loki double beside it and behind its service proxy (dp-system/loki:3100).
SIM_LOKI=1 cli_start_sim
LOKI_URL=$SIM_LOKI_URL

ob() {
    ops_raw --loki "$LOKI_URL" "$@"
}

# --- what the double holds, read without opsdeck ---------------------------------------------
"$PYTHON3" - "$LOKI_URL" "$NOW_S" > "$t.raw" <<'EOF'
import json, sys, urllib.parse, urllib.request
url, now = sys.argv[1], int(sys.argv[2])
q = urllib.parse.urlencode({"query": '{job="build"}', "start": (now - 3 * 86400) * 10**9,
                            "end": now * 10**9, "limit": 5000, "direction": "forward"})
data = json.load(urllib.request.urlopen(url + "/loki/api/v1/query_range?" + q))
entries = [(s["stream"], int(ts), line) for s in data["data"]["result"] for ts, line in s["values"]]
assert 0 < len(entries) < 5000, len(entries)
json.dump([[s, ts, line] for s, ts, line in entries], sys.stdout)
EOF
ok $? "the double serves build-log lines ({job=\"build\"}, under one page)"

# Builds by the convention, computed here from the raw lines (README, "Build logs").
cat > "$t.expect.py" <<'EOF'
import json, re, sys
PAIR = re.compile(r'([^\s="]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?')
TARGET = {"hit": 5, "partial": 15, "miss": 120}

def fields(line):
    out = {}
    for k, v in PAIR.findall(line):
        if v.startswith('"'):
            v = re.sub(r'\\(.)', r'\1', v[1:-1])
        out.setdefault(k, v)
    return out

def builds(entries, now_s, since_s):
    by = {}
    for s, ts, line in entries:
        f = fields(line)
        key = (s["tenant"], s["project"], s["service"], f["build_id"])
        b = by.setdefault(key, {"start": ts, "end": None, "sha": f.get("sha")})
        b["start"] = min(b["start"], ts)
        if "status" in f:
            b.update(end=ts, status=f["status"], dur=float(f["duration"]), cache=f["cache"])
    out = {}
    for key, b in by.items():
        if b["start"] < since_s * 10**9:
            continue
        if b["end"] is None:
            dur, status, cache, target = now_s - b["start"] / 1e9, "running", None, None
            over = dur > 120
        else:
            dur, status, cache = b["dur"], b["status"], b["cache"]
            target = TARGET[cache]
            over = dur > target
        lost = cache == "miss" and any(
            k[:3] == key[:3] and o["end"] is not None and o["status"] == "succeeded"
            and b["start"] - 86400 * 10**9 <= o["end"] < b["start"] for k, o in by.items())
        out[key] = dict(status=status, duration_s=round(dur, 3), cache=cache, target_s=target,
                        over_target=over, cache_lost=lost, sha=b["sha"],
                        started=b["start"] // 10**9)
    return out
EOF

# --- get builds -o json ---------------------------------------------------------------------
ob get builds -o json > "$t.json" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ]
ok $? "get builds -o json exits 0 with nothing on stderr (exit $r)" || diag "$(cat "$t.err")"

pycheck "$t.json" "$t.raw" "$t.expect.py" "$NOW_S" <<'EOF'
import calendar, json, sys, time
exec(open(sys.argv[3]).read())
ours = json.load(open(sys.argv[1]))
now = int(sys.argv[4])
want = builds(json.load(open(sys.argv[2])), now, now - 86400)
types = {"build_id": str, "service": str, "tenant": str, "project": str, "sha": str,
         "status": str, "started": str, "duration_s": (int, float), "cache": (str, type(None)),
         "target_s": (int, type(None)), "over_target": bool, "cache_lost": bool}
for b in ours:
    for k, ty in types.items():
        assert isinstance(b.get(k), ty), (k, b)
started = [b["started"] for b in ours]
assert started == sorted(started), started
got = {(b["tenant"], b["project"], b["service"], b["build_id"]): b for b in ours}
assert set(got) == set(want), (sorted(set(got) ^ set(want)))
for key, w in want.items():
    g = got[key]
    t = calendar.timegm(time.strptime(g["started"], "%Y-%m-%dT%H:%M:%SZ"))
    assert t == w["started"], (key, g["started"], w["started"])
    for k in ("status", "cache", "target_s", "over_target", "cache_lost", "sha"):
        assert g[k] == w[k], (key, k, g[k], w[k])
    assert abs(g["duration_s"] - w["duration_s"]) < 0.0015, (key, g["duration_s"], w)
print("# %d builds, %d running, %d over target, %d cache lost" % (
    len(ours), sum(b["status"] == "running" for b in ours),
    sum(b["over_target"] for b in ours), sum(b["cache_lost"] for b in ours)))
EOF
ok $? "get builds -o json: every build of the last 24 h, sorted by started, fields and flags as computed independently from the raw lines"

pycheck "$t.json" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))
lost = sorted((b["service"], b["duration_s"]) for b in ours if b["cache_lost"])
assert lost == [("checkout", 42.3), ("storefront", 39.2), ("storefront", 41.7)], lost
assert all(b["cache"] == "miss" and not b["over_target"] and b["target_s"] == 120
           for b in ours if b["cache_lost"])
over = sorted((b["service"], b["cache"], b["status"]) for b in ours if b["over_target"])
assert over == [("api", "partial", "failed"), ("chat", "partial", "succeeded"),
                ("ledger", "hit", "succeeded")], over
running = [b for b in ours if b["status"] == "running"]
assert len(running) == 1 and running[0]["service"] == "chat-relay", running
assert running[0]["duration_s"] == 25 and running[0]["cache"] is None
assert running[0]["target_s"] is None and running[0]["ended"] is None
assert any(b["status"] == "failed" for b in ours)
EOF
ok $? "scenario 3: today's storefront/checkout rebuilds are flagged cache lost (miss ~40 s after a success), slow builds over target, one running"

# --- the table --------------------------------------------------------------------------------
ob get builds > "$t.table" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ]
ok $? "get builds (table) exits 0 with nothing on stderr (exit $r)" || diag "$(cat "$t.err")"

pycheck "$t.table" "$t.json" <<'EOF'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
ours = json.load(open(sys.argv[2]))
head = lines[0].split()
assert head == ["BUILD", "SERVICE", "TENANT/PROJECT", "SHA", "STARTED", "DURATION", "STATUS",
                "CACHE", "FLAGS"], head
rows = [l.split(None, 8) for l in lines[1:]]
assert len(rows) == len(ours), (len(rows), len(ours))
for row, b in zip(rows, ours):
    assert row[0] == b["build_id"] and row[1] == b["service"], (row, b)
    assert row[2] == "%s/%s" % (b["tenant"], b["project"]) and row[3] == b["sha"][:7], row
    assert row[4] == b["started"] and row[6] == b["status"], row
    assert row[7] == (b["cache"] or "-"), row
    flags = ", ".join(f for f, on in (("over target", b["over_target"]),
                                      ("cache lost", b["cache_lost"])) if on) or "-"
    assert row[8].strip() == flags, (row, flags)
    if b["status"] == "running":
        assert re.fullmatch(r"\d+\.\ds", row[5]), row
    else:
        assert re.fullmatch(r"\d+\.\ds/%ds" % b["target_s"], row[5]), row
# the columns line up: each title starts where its cells start
starts = [lines[0].index(h) for h in ("SERVICE", "STATUS")]
for l in lines[1:]:
    assert l[starts[0] - 1] == " " and l[starts[0]] != " ", l
EOF
ok $? "get builds: one row per build in the JSON order; duration against target (41.7s/120s), flags, '-' for none"

grep -q '41\.7s/120s .*succeeded .*miss .*cache lost$' "$t.table"
ok $? "get builds: the slow rebuild reads 41.7s/120s, succeeded, miss, cache lost"

# --- --since --------------------------------------------------------------------------------
ob get builds --since 30m -o json > "$t.since" 2> "$t.err"
r=$?
pycheck "$t.since" "$t.raw" "$t.expect.py" "$NOW_S" <<'EOF'
import json, sys
exec(open(sys.argv[3]).read())
ours = json.load(open(sys.argv[1]))
now = int(sys.argv[4])
want = builds(json.load(open(sys.argv[2])), now, now - 1800)
assert sorted(b["build_id"] for b in ours) == sorted(k[3] for k in want), ours
# their successful predecessors started before the 30 minutes: still cache lost
assert sum(b["cache_lost"] for b in ours) == 3, ours
assert all(b["cache_lost"] == want[(b["tenant"], b["project"], b["service"], b["build_id"])]
           ["cache_lost"] for b in ours)
EOF
[ $? -eq 0 ] && [ $r -eq 0 ]
ok $? "get builds --since 30m: only the builds that started since, cache lost judged on the 24 h before them"

ob get builds --since 1s -o json > "$t.none" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ "$(cat "$t.none")" = "[]" ]
ok $? "get builds --since 1s: an empty array, exit 0 (exit $r)"

# --- errors -----------------------------------------------------------------------------------
ops_raw --loki http://127.0.0.1:1 get builds > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && [ ! -s "$t.out" ] && grep -q '^opsdeck: Loki: unreachable' "$t.err"
ok $? "Loki unreachable: exit 1, 'opsdeck: Loki: unreachable: …', nothing on stdout (exit $r)" ||
    diag "$(cat "$t.err")"

ops_raw get builds > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && grep -q 'Loki is not configured' "$t.err"
ok $? "no Loki in the platform and no --loki: exit 1, says Loki is not configured (exit $r)"

curl -s -X POST "$LOKI_URL/_sim/fault" \
    -d '{"status": 504, "count": 2, "path": "/loki/api/v1/query_range"}' > /dev/null
ob get builds > "$t.out" 2> "$t.err"
r=$?
curl -s -X DELETE "$LOKI_URL/_sim/fault" > /dev/null
[ $r -eq 1 ] && grep -q '^opsdeck: Loki: 504 request timed out' "$t.err"
ok $? "Loki answers 504: exit 1 with Loki's own text (exit $r)" || diag "$(cat "$t.err")"

curl -s -X POST "$LOKI_URL/_sim/fault" \
    -d '{"html": 1, "count": 2, "path": "/loki/api/v1/query_range"}' > /dev/null
ob get builds > "$t.out" 2> "$t.err"
r=$?
curl -s -X DELETE "$LOKI_URL/_sim/fault" > /dev/null
[ $r -eq 1 ] && grep -q '502 Bad Gateway' "$t.err" && ! grep -q '<' "$t.err"
ok $? "a proxy's HTML page: exit 1, its title, no markup (exit $r)" || diag "$(cat "$t.err")"

# --- through the API server's service proxy ---------------------------------------------------
printf 'loki:\n  service: dp-system/loki:3100\n' > "$t.platform.yml"
ops --platform "$t.platform.yml" get builds -o json > "$t.proxy" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ] && cmp -s "$t.proxy" "$t.json"
ok $? "get builds with loki.service: the same JSON through the API server's service proxy (exit $r)" ||
    diag "$(cat "$t.err")"

# --- usage ------------------------------------------------------------------------------------
ob get builds --since soon > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 2 ] && grep -q -- '--since: not a duration' "$t.err"
ok $? "get builds --since soon: usage error, exit 2 (exit $r)"

ob get builds --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 2 ]
ok $? "get builds --cached: usage error, exit 2 (exit $r)"

# --- every page -------------------------------------------------------------------------------
# 2,500 more builds of three lines each in the last 50 minutes: 7,500 lines, more than Loki's
# 5,000 per request, so the range takes several pages.
"$PYTHON3" - "$LOKI_URL" "$NOW_S" <<'EOF'
import json, sys, urllib.request
url, now = sys.argv[1], int(sys.argv[2])
values = []
for i in range(2500):
    t = (now - 3000 + i) * 10**9
    head = "build_id=L%04d sha=%040x" % (i, i)
    values += [[str(t), "level=info msg=\"build started\" " + head],
               [str(t + 1000), "level=info msg=\"step\" step=2/6 " + head],
               [str(t + 2000), "level=info msg=\"build finished\" %s status=succeeded "
                               "duration=%d.%d cache=hit" % (head, i % 9, i % 10)]]
body = json.dumps({"streams": [{"stream": {"job": "build", "tenant": "load", "project": "many",
                                           "service": "svc"}, "values": values}]}).encode()
req = urllib.request.Request(url + "/loki/api/v1/push", body,
                             {"Content-Type": "application/json"})
assert urllib.request.urlopen(req).status == 204
EOF
ok $? "7,500 more build lines pushed to the double"

curl -s -X DELETE "$LOKI_URL/_sim/requests" > /dev/null
ob get builds -o json > "$t.many" 2> "$t.err"
r=$?
curl -s "$LOKI_URL/_sim/requests" > "$t.reqs"
pycheck "$t.many" "$t.reqs" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))
load = [b for b in ours if b["tenant"] == "load"]
assert len(load) == 2500, len(load)
assert all(b["status"] == "succeeded" and b["cache"] == "hit" for b in load)
assert sorted(b["build_id"] for b in load) == ["L%04d" % i for i in range(2500)]
over = sum(b["over_target"] for b in load)
assert over == sum(1 for i in range(2500) if i % 9 * 10 + i % 10 > 50), over
reqs = [r for r in json.load(open(sys.argv[2])) if "query_range" in r.get("path", "")]
assert len(reqs) >= 3, reqs   # the history, and the range in at least two pages
EOF
[ $? -eq 0 ] && [ $r -eq 0 ]
ok $? "a range over 5,000 lines: every page read, all 2,500 pushed builds listed (exit $r)" ||
    diag "$(cat "$t.err")"

# Loki down behind the proxy: the API server's own 503.
kill "$SIM_LOKI_PID" 2>/dev/null
wait "$SIM_LOKI_PID" 2>/dev/null
ops --platform "$t.platform.yml" get builds > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && grep -q '^opsdeck: Loki: API server: .*503 .*no endpoints' "$t.err"
ok $? "Loki down behind the service proxy: exit 1, the API server's 503 (exit $r)" ||
    diag "$(cat "$t.err")"

plan_done
