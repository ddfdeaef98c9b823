#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-kubectl.sh - `opsdeck get pods -A` against the real kubectl 1.20 on the
# same simulated API server: the same pods (namespace, name, node, restarts) in -o json, and
# the same STATUS column as kubectl prints from the server's Table, also after scripted changes
# (a crash loop, a node going away). TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"
. "$top_srcdir/tests/integration/kubectl-lib.sh"

if kubectl_find; then
    ok 0 "kubectl 1.20 is available (KUBECTL120 or fetched into the build tree)"
else
    ok 1 "kubectl 1.20 is available (KUBECTL120 or fetched into the build tree)"
    plan_done
fi
cli_start_sim
mkdir -p "$SIM_DIR/home"
t=$CLI_DIR/t

# compare_json OURS KUBECTL: every pod's namespace, name, node and restarts agree.
compare_json() {
    pycheck "$1" "$2" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))["items"]
def restarts(p):
    return sum(c.get("restartCount", 0) for c in p.get("status", {}).get("containerStatuses", []))
want = sorted((p["metadata"]["namespace"], p["metadata"]["name"], p["spec"].get("nodeName"),
               restarts(p)) for p in theirs)
got = [(p["namespace"], p["name"], p["node"], p["restarts"]) for p in ours]
assert len(got) == len(want) > 0, (len(got), len(want))
diff = [(a, b) for a, b in zip(got, want) if a != b]
assert not diff, diff
EOF
}

# compare_status OURS_JSON KUBECTL_TABLE: kubectl's STATUS column equals ours for every pod.
compare_status() {
    pycheck "$1" "$2" <<'EOF'
import json, sys
ours = {(p["namespace"], p["name"]): p["status"] for p in json.load(open(sys.argv[1]))}
lines = open(sys.argv[2]).read().splitlines()
assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], lines[0]
theirs = {}
for l in lines[1:]:
    f = l.split()
    theirs[(f[0], f[1])] = f[3]
assert set(theirs) == set(ours), set(theirs) ^ set(ours)
diff = {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}
assert not diff, diff
EOF
}

ops get pods -A -o json > "$t.ours" 2> "$t.err"
ok $? "opsdeck get pods -A -o json succeeds" || diag "$(cat "$t.err")"
kc get pods -A -o json > "$t.kc.json" 2> "$t.err"
ok $? "kubectl get pods -A -o json succeeds" || diag "$(cat "$t.err")"
compare_json "$t.ours" "$t.kc.json"
ok $? "every pod's namespace, name, node and restarts agree with kubectl's -o json"

kc get pods -A > "$t.kc.table" 2> "$t.err"
ok $? "kubectl get pods -A (the sim's Table) succeeds" || diag "$(cat "$t.err")"
compare_status "$t.ours" "$t.kc.table"
ok $? "kubectl's STATUS column equals ours for every pod"
pycheck "$t.ours" <<'EOF'
import json, sys
states = {p["status"] for p in json.load(open(sys.argv[1]))}
want = {"Running", "CrashLoopBackOff", "ImagePullBackOff", "Pending", "Evicted", "Completed",
        "Terminating", "Init:0/1"}
assert want <= states, want - states
EOF
ok $? "the comparison covers Running, CrashLoopBackOff, ImagePullBackOff, Pending, Evicted, Completed, Terminating and Init:0/1"

# Scripted changes: web-...-fckb4 crashes with exit code 1, run-2 stops reporting.
sim_ctl POST 'scenario/crashloop?ns=dp-max-catapp&pod=web-5rljtpl47r-fckb4&count=3&reason=Error&exit_code=1' \
    > /dev/null && sim_ctl POST 'scenario/node-notready?node=run-2' > /dev/null
ok $? "sim: a second pod crash-loops (Error, exit 1), run-2 stops reporting"
ops get pods -A -o json > "$t.ours2" 2> "$t.err" &&
    kc get pods -A -o json > "$t.kc2.json" 2>> "$t.err" &&
    kc get pods -A > "$t.kc2.table" 2>> "$t.err"
ok $? "opsdeck and kubectl list the pods again" || diag "$(cat "$t.err")"
compare_json "$t.ours2" "$t.kc2.json" && compare_status "$t.ours2" "$t.kc2.table"
ok $? "after the changes: namespace, name, node, restarts and STATUS still agree with kubectl"
pycheck "$t.ours2" <<'EOF'
import json, sys
p = {(p["namespace"], p["name"]): p for p in json.load(open(sys.argv[1]))}
web = p[("dp-max-catapp", "web-5rljtpl47r-fckb4")]
assert web["status"] == "CrashLoopBackOff" and web["restarts"] == 3, web
EOF
ok $? "the new crash loop shows: CrashLoopBackOff with 3 restarts"

plan_done
