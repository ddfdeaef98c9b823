#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-get.sh - `opsdeck get nodes|pods|tenants` against the simulated API
# server: the JSON shapes of issue #2 §5 (compared with Python's json module against what the
# sim serves), sorting, null for absent values, the context's namespace, -n, the table outputs
# (headers, alignment) and hostile names sanitised. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

cli_start_sim
t=$CLI_DIR/t
table=$top_srcdir/tests/integration/cli-table.py
TABLE_ACCEPT='Accept: application/json;as=Table;v=v1;g=meta.k8s.io'

# What the sim serves, read without opsdeck: raw nodes, the pods and nodes Tables (the sim's own
# printers, written after kubernetes'), namespaces.
sim_api /api/v1/nodes > "$t.sim-nodes"
sim_api /api/v1/nodes -H "$TABLE_ACCEPT" > "$t.sim-nodes-table"
sim_api /api/v1/pods -H "$TABLE_ACCEPT" > "$t.sim-pods-table"
sim_api /api/v1/namespaces > "$t.sim-ns"

# --- get nodes -o json ------------------------------------------------------------------------
ops get nodes -o json > "$t.nodes" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ]
ok $? "get nodes -o json exits 0 with nothing on stderr (exit $r)" || diag "$(cat "$t.err")"

pycheck "$t.nodes" <<'EOF'
import json, sys
nodes = json.load(open(sys.argv[1]))
assert isinstance(nodes, list) and len(nodes) == 5, nodes
types = {"name": str, "status": str, "roles": str, "pool": (str, type(None)),
         "version": (str, type(None)), "internal_ip": (str, type(None)), "taints": list}
for n in nodes:
    for k, ty in types.items():
        assert k in n, (k, n)
        assert isinstance(n[k], ty), (k, n[k])
    assert all(isinstance(x, str) for x in n["taints"]), n["taints"]
EOF
ok $? "get nodes -o json: an array of objects with name, status, roles, pool, version, internal_ip, taints of the right types"

pycheck "$t.nodes" "$t.sim-nodes" "$t.sim-nodes-table" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))
items = json.load(open(sys.argv[2]))["items"]
table = json.load(open(sys.argv[3]))
cols = [c["name"] for c in table["columnDefinitions"]]
cells = {r["cells"][0]: dict(zip(cols, r["cells"])) for r in table["rows"]}
names = [n["name"] for n in ours]
assert names == sorted(names), names
assert names == sorted(i["metadata"]["name"] for i in items), names
raw = {i["metadata"]["name"]: i for i in items}
for n in ours:
    i = raw[n["name"]]
    ip = [a["address"] for a in i["status"]["addresses"] if a["type"] == "InternalIP"]
    taints = ["%s=%s:%s" % (t["key"], t["value"], t["effect"]) if t.get("value")
              else "%s:%s" % (t["key"], t["effect"]) for t in i["spec"].get("taints", [])]
    want = {"status": cells[n["name"]]["Status"], "roles": cells[n["name"]]["Roles"],
            "version": i["status"]["nodeInfo"]["kubeletVersion"],
            "pool": i["metadata"]["labels"].get("pool"),
            "internal_ip": ip[0] if ip else None, "taints": taints}
    got = {k: n[k] for k in want}
    assert got == want, (n["name"], got, want)
EOF
ok $? "get nodes -o json: sorted by name, every field equal to the sim's node (status and roles as its Table prints them)"

pycheck "$t.nodes" <<'EOF'
import json, sys
nodes = {n["name"]: n for n in json.load(open(sys.argv[1]))}
want = {"name": "ops-1", "status": "Ready", "roles": "<none>", "pool": "ops",
        "version": "v1.31.4+k3s1", "internal_ip": "10.0.1.10", "taints": ["pool=ops:NoSchedule"]}
got = {k: nodes["ops-1"][k] for k in want}
assert got == want, got
k3s = nodes["k3s-1"]
assert (k3s["roles"], k3s["pool"], k3s["taints"]) == ("control-plane,etcd,master", "ctrl", []), k3s
assert nodes["build-1"]["taints"] == ["pool=build:NoSchedule"], nodes["build-1"]
assert "external_ip" in k3s and k3s["external_ip"] is None, k3s
EOF
ok $? "get nodes -o json: ops-1 exactly as issue #2 §5 shows it; k3s-1's roles; no ExternalIP is null"

# A node that stops reporting and a cordoned one: taints without a value are key:Effect.
sim_ctl POST 'scenario/node-notready?node=run-2' > /dev/null &&
    sim_ctl POST 'scenario/cordon?node=run-1' > /dev/null
ok $? "sim: run-2 stops reporting, run-1 is cordoned"
ops get nodes -o json > "$t.nodes2" 2> "$t.err"
pycheck "$t.nodes2" <<'EOF'
import json, sys
nodes = {n["name"]: n for n in json.load(open(sys.argv[1]))}
r2, r1 = nodes["run-2"], nodes["run-1"]
assert r2["status"] == "NotReady", r2
assert set(r2["taints"]) == {"node.kubernetes.io/unreachable:NoSchedule",
                             "node.kubernetes.io/unreachable:NoExecute"}, r2["taints"]
assert r1["status"] == "Ready,SchedulingDisabled", r1
assert r1["taints"] == ["node.kubernetes.io/unschedulable:NoSchedule"], r1["taints"]
EOF
ok $? "get nodes -o json: NotReady, Ready,SchedulingDisabled, and valueless taints as key:Effect" ||
    diag "$(cat "$t.err")"
sim_ctl POST 'scenario/node-ready?node=run-2' > /dev/null &&
    sim_ctl POST 'scenario/uncordon?node=run-1' > /dev/null
ok $? "sim: run-2 and run-1 back to normal"

# --- get pods -A -o json ----------------------------------------------------------------------
ops get pods -A -o json > "$t.pods" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ]
ok $? "get pods -A -o json exits 0 with nothing on stderr (exit $r)" || diag "$(cat "$t.err")"

pycheck "$t.pods" "$t.sim-pods-table" <<'EOF'
import json, sys
pods = json.load(open(sys.argv[1]))
table = json.load(open(sys.argv[2]))
keys = [(p["namespace"], p["name"]) for p in pods]
assert keys == sorted(keys), "not sorted by namespace, then name"
sim = sorted((r["object"]["metadata"]["namespace"], r["cells"][0]) for r in table["rows"])
assert keys == sim, (len(keys), len(sim))
for p in pods:
    assert isinstance(p["restarts"], int) and not isinstance(p["restarts"], bool), p
    assert isinstance(p["ready"], str) and isinstance(p["status"], str), p
    assert p["node"] is None or isinstance(p["node"], str), p
EOF
ok $? "get pods -A -o json: every pod of the sim, sorted by namespace then name, restarts a number"

pycheck "$t.pods" "$t.sim-pods-table" <<'EOF'
import json, sys
pods = {(p["namespace"], p["name"]): p for p in json.load(open(sys.argv[1]))}
table = json.load(open(sys.argv[2]))
cols = [c["name"] for c in table["columnDefinitions"]]
bad = []
for r in table["rows"]:
    c = dict(zip(cols, r["cells"]))
    p = pods[(r["object"]["metadata"]["namespace"], c["Name"])]
    want = {"status": c["Status"], "ready": c["Ready"], "restarts": int(c["Restarts"].split()[0]),
            "node": None if c["Node"] == "<none>" else c["Node"]}
    got = {k: p[k] for k in want}
    if got != want:
        bad.append((c["Name"], got, want))
assert not bad, bad
EOF
ok $? "get pods -A -o json: status, ready, restarts and node of every pod equal the sim's Table"

pycheck "$t.pods" <<'EOF'
import json, sys
pods = {(p["namespace"], p["name"]): p for p in json.load(open(sys.argv[1]))}
want = {"namespace": "dp-max-catapp", "name": "api-7d9c8-x2bq", "status": "CrashLoopBackOff",
        "ready": "0/1", "restarts": 14, "node": "run-1"}
p = pods[("dp-max-catapp", "api-7d9c8-x2bq")]
assert {k: p[k] for k in want} == want, p
u = pods[("dp-jade-notes", "notes-ljk8mwbpf8-k58wj")]
assert u["node"] is None and u["status"] == "Pending" and u["ready"] == "0/1", u
EOF
ok $? "get pods -A -o json: the crash-looping pod exactly as issue #2 §5; node null for the unscheduled pod"

# --- the context's namespace, -n --------------------------------------------------------------
kc_write "$CLI_DIR/kc-ns" "    namespace: dp-max-catapp"
CLI_KC=$CLI_DIR/kc-ns ops get pods -o json > "$t.ctx" 2> "$t.err"
pycheck "$t.ctx" "$t.pods" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
want = [p for p in json.load(open(sys.argv[2])) if p["namespace"] == "dp-max-catapp"]
assert len(want) == 4, want
assert got == want, got
EOF
ok $? "get pods without -n/-A: the context's namespace (dp-max-catapp, 4 pods)" ||
    diag "$(cat "$t.err")"

n_default=$(sim_api /api/v1/namespaces/default/pods |
    "$PYTHON3" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
ops get pods -o json > "$t.default" 2> "$t.err"
[ "$n_default" = 0 ] && [ "$(cat "$t.default")" = "[]" ]
ok $? "get pods with no namespace in the context: namespace default, as kubectl (empty: [])" ||
    diag "$(cat "$t.default" "$t.err")"

CLI_KC=$CLI_DIR/kc-ns ops get pods -n dp-acme-shop -o json > "$t.shop" 2> "$t.err"
pycheck "$t.shop" "$t.pods" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
want = [p for p in json.load(open(sys.argv[2])) if p["namespace"] == "dp-acme-shop"]
assert len(want) == 9, len(want)
assert got == want, got
EOF
ok $? "get pods -n dp-acme-shop: that namespace's 9 pods (-n wins over the context's)" ||
    diag "$(cat "$t.err")"

ops get pods -n dp-no-such-ns -o json > "$t.none" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ "$(cat "$t.none")" = "[]" ]
ok $? "get pods -n of a namespace without pods: [] and exit 0 (exit $r)"

# --- get tenants -o json ----------------------------------------------------------------------
ops get tenants -o json > "$t.tenants" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ]
ok $? "get tenants -o json exits 0 with nothing on stderr (exit $r)" || diag "$(cat "$t.err")"

pycheck "$t.tenants" <<'EOF'
import json, sys
ts = json.load(open(sys.argv[1]))
assert isinstance(ts, list) and ts, ts
for t in ts:
    assert isinstance(t["tenant"], str), t
    assert isinstance(t["namespaces"], list) and all(isinstance(n, str) for n in t["namespaces"])
    assert t["namespaces"] == sorted(t["namespaces"]), t
    for k in ("pods_ready", "pods_total"):
        assert isinstance(t[k], int) and not isinstance(t[k], bool), t
    assert isinstance(t["problems"], list) and all(isinstance(p, str) for p in t["problems"])
names = [t["tenant"] for t in ts]
assert names == sorted(names), names
max_ = [t for t in ts if t["tenant"] == "max"][0]
want = {"tenant": "max", "namespaces": ["dp-max-catapp"], "pods_ready": 3, "pods_total": 4}
assert {k: max_[k] for k in want} == want, max_
assert "dp-max-catapp: 1 pod not ready" in max_["problems"], max_["problems"]
EOF
ok $? "get tenants -o json: the shape of issue #2 §5, sorted; max: 3/4 and \"dp-max-catapp: 1 pod not ready\""

pycheck "$t.tenants" "$t.sim-ns" "$t.sim-pods-table" <<'EOF'
import json, sys
ts = {t["tenant"]: t for t in json.load(open(sys.argv[1]))}
nss = json.load(open(sys.argv[2]))["items"]
table = json.load(open(sys.argv[3]))
cols = [c["name"] for c in table["columnDefinitions"]]
want = {}
for ns in nss:
    tenant = ns["metadata"].get("labels", {}).get("dp.ml.ink/tenant")
    if tenant:
        want.setdefault(tenant, {"namespaces": [], "pods_ready": 0, "pods_total": 0})
        want[tenant]["namespaces"].append(ns["metadata"]["name"])
owner = {n: t for t, w in want.items() for n in w["namespaces"]}
for r in table["rows"]:
    c = dict(zip(cols, r["cells"]))
    t = owner.get(r["object"]["metadata"]["namespace"])
    if not t:
        continue
    want[t]["pods_total"] += 1
    a, b = c["Ready"].split("/")
    if c["Status"] == "Completed" or (c["Status"] == "Running" and a == b):
        want[t]["pods_ready"] += 1
for w in want.values():
    w["namespaces"].sort()
got = {t: {k: v[k] for k in ("namespaces", "pods_ready", "pods_total")} for t, v in ts.items()}
assert got == want, (got, want)
EOF
ok $? "get tenants -o json: tenants, namespaces and pod counts equal those derived from the sim's labels and pod Table"

# --- tables -----------------------------------------------------------------------------------
ops get nodes > "$t.nodes-table" 2> "$t.err"
msg=$("$PYTHON3" "$table" --rows 5 "$t.nodes-table" NAME STATUS ROLES POOL AGE VERSION \
    INTERNAL-IP TAINTS)
ok $? "get nodes (table): the header and 5 aligned rows" || diag "$msg" "$(cat "$t.nodes-table")"
grep -Eq '^ops-1 +Ready +<none> +ops +179d +v1\.31\.4\+k3s1 +10\.0\.1\.10 +pool=ops:NoSchedule$' \
    "$t.nodes-table"
ok $? "get nodes (table): the ops-1 row"

npods=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$t.pods")
ops get pods -A > "$t.pods-table" 2> "$t.err"
msg=$("$PYTHON3" "$table" --rows "$npods" "$t.pods-table" NAMESPACE NAME READY STATUS RESTARTS \
    AGE NODE)
ok $? "get pods -A (table): the header and $npods aligned rows" || diag "$msg"
grep -Eq '^dp-max-catapp +api-7d9c8-x2bq +0/1 +CrashLoopBackOff +14 \(3m12s ago\) +3d +run-1$' \
    "$t.pods-table"
ok $? "get pods -A (table): the crash-looping pod's row, restarts with the time of the last one"
grep -Eq '^dp-jade-notes +notes-ljk8mwbpf8-k58wj +0/1 +Pending +0 +24h +<none>$' "$t.pods-table"
ok $? "get pods -A (table): the unscheduled pod's node is <none>"

CLI_KC=$CLI_DIR/kc-ns ops get pods > "$t.ns-table" 2> "$t.err"
msg=$("$PYTHON3" "$table" --rows 4 "$t.ns-table" NAME READY STATUS RESTARTS AGE NODE)
ok $? "get pods (table, one namespace): no NAMESPACE column, 4 aligned rows" || diag "$msg"

ntenants=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$t.tenants")
ops get tenants > "$t.tenants-table" 2> "$t.err"
msg=$("$PYTHON3" "$table" --rows "$ntenants" "$t.tenants-table" TENANT PROJECTS PODS QUOTA \
    POLICIES PROBLEMS)
ok $? "get tenants (table): the header and $ntenants aligned rows" || diag "$msg"
grep -Eq '^max +catapp +3/4 +[0-9]+% +ok +[1-9][0-9]*$' "$t.tenants-table" &&
    grep -Eq '^acme +blog,docs,shop +10/11 +9[0-9]% +MISSING +[1-9][0-9]*$' "$t.tenants-table"
ok $? "get tenants (table): max 3/4; acme's three projects, quota over 90 %, a policy missing" ||
    diag "$(cat "$t.tenants-table")"

# --- a hostile name ---------------------------------------------------------------------------
# Kubernetes would refuse such a name, a compromised or buggy server need not: ESC sequences
# (colour, window title), BEL, a C1 control, a bidi override, a zero-width space, wide
# characters.
sim_ctl GET objects/pods/dp-omar-bot/omarbot-659k788lv8-d8lrv > "$t.omar" &&
    pycheck "$t.omar" "$t.evil" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p = p.get("object", p)
p["metadata"]["name"] = "evil-\x1b[31mred\x1b]0;pwned\x07-\u009b2J-\u202eabc-\u200b-\u65e5\u672c"
for k in ("uid", "resourceVersion"):
    p["metadata"].pop(k, None)
p.update(kind="Pod", apiVersion="v1")
json.dump(p, open(sys.argv[2], "w"))
EOF
sim_ctl POST objects "$(cat "$t.evil")" > /dev/null
ok $? "sim: a pod with a hostile name is added to dp-omar-bot"

ops get pods -n dp-omar-bot > "$t.evil-table" 2> "$t.err"
r=$?
pycheck "$t.evil-table" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
bad = [x for x in (b"\x1b", b"\x07", b"\xc2\x9b", "\u202e".encode(), "\u200b".encode()) if x in b]
assert not bad, bad
assert all(c >= 0x20 or c == 0x0a for c in b), "a C0 control in the output"
assert "\u65e5\u672c".encode() in b, "the wide characters are shown"
EOF
ok $? "get pods (table): no ESC, BEL, C1, bidi override or zero-width byte reaches the terminal (exit $r)"
msg=$("$PYTHON3" "$table" --rows 2 "$t.evil-table" NAME READY STATUS RESTARTS AGE NODE)
ok $? "get pods (table): the hostile row stays aligned (wide characters count 2 cells)" ||
    diag "$msg" "$(cat "$t.evil-table")"

ops get pods -n dp-omar-bot -o json > "$t.evil-json" 2> "$t.err"
pycheck "$t.evil-json" "$t.evil" <<'EOF'
import json, sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\x07" not in raw, "a raw control byte in the JSON"
want = json.load(open(sys.argv[2]))["metadata"]["name"]
names = [p["name"] for p in json.loads(raw)]
assert want in names, names
EOF
ok $? "get pods -o json: the hostile name survives exactly, escaped (no raw control byte)"

LC_ALL=C ops get pods -n dp-omar-bot > "$t.evil-ascii" 2> "$t.err"
pycheck "$t.evil-ascii" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
assert all(0x20 <= c < 0x7f or c == 0x0a for c in b), "non-ASCII or control bytes"
EOF
ok $? "get pods (table) in the C locale: printable ASCII only"

plan_done
