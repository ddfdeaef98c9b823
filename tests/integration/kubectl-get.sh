#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/kubectl-get.sh - the real kubectl 1.20 against the simulated API server:
# discovery, Table output of nodes, namespaces and pods across several pages (-v=8 URLs),
# -o json items equal to the sim's objects, selectors, TLS + token, 401 after token expiry,
# 403 from RBAC. TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/sim.sh"
. "${top_srcdir:-.}/tests/integration/kubectl-lib.sh"

export OPSDECK_CLOCK=2026-11-24T03:12:00Z

if kubectl_find; then
    ok 0 "kubectl 1.20 is available (KUBECTL120 or fetched into the build tree)"
else
    ok 1 "kubectl 1.20 is available (KUBECTL120 or fetched into the build tree)"
    plan_done
fi
out=$("$KUBECTL" version --client --short 2>/dev/null || "$KUBECTL" version --client)
case $out in *v1.20.*) r=0 ;; *) r=1 ;; esac
ok $r "kubectl reports client v1.20 ($out)"

if sim_start; then
    ok 0 "sim starts with TLS and a token"
else
    ok 1 "sim starts with TLS and a token"
    plan_done
fi
mkdir -p "$SIM_DIR/home"
t=$SIM_DIR/t

# --- nodes ----------------------------------------------------------------------------------
kc get nodes > "$t.nodes" 2> "$t.err"
ok $? "kubectl get nodes succeeds over TLS with the bearer token"
py '
import sys
lines = open(sys.argv[1]).read().splitlines()
hdr = lines[0].split()
rows = {l.split()[0]: l.split() for l in lines[1:]}
assert hdr == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"], hdr
assert sorted(rows) == ["build-1", "k3s-1", "ops-1", "run-1", "run-2"], rows
assert rows["k3s-1"][1:] == ["Ready", "control-plane,etcd,master", "180d", "v1.31.4+k3s1"], rows
assert rows["run-2"][1:] == ["Ready", "<none>", "61d", "v1.31.4+k3s1"], rows
' "$t.nodes"
ok $? "get nodes prints the Table columns and 5 nodes (status, roles, age, version)" ||
    diag "$(cat "$t.nodes" "$t.err")"

kc get nodes -o wide > "$t.wide" 2>&1
wide='^ops-1 +Ready +<none> +179d +v1\.31\.4\+k3s1 +10\.0\.1\.10 +<none> +'
wide=$wide'Debian GNU/Linux 12 \(bookworm\) +6\.1\.0-28-amd64 +containerd://1\.7\.23-k3s2$'
grep -Eq "$wide" "$t.wide"
ok $? "get nodes -o wide prints the priority-1 columns" || diag "$(cat "$t.wide")"

# --- namespaces -----------------------------------------------------------------------------
kc get namespaces > "$t.ns" 2>&1
py '
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].split() == ["NAME", "STATUS", "AGE"], lines[0]
rows = {l.split()[0]: l.split()[1:] for l in lines[1:]}
assert rows["dp-max-catapp"] == ["Active", "42d"], rows
assert {"kube-system", "default", "dp-system", "dp-acme-shop", "dp-acme-blog"} <= set(rows)
assert len(rows) == 17, len(rows)
' "$t.ns"
ok $? "get namespaces prints 17 namespaces with status and age" || diag "$(cat "$t.ns")"

# --- pods across pages ----------------------------------------------------------------------
npods=$(sim_api /api/v1/pods | py 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
sim_ctl DELETE requests > /dev/null
KC_CACHE=$SIM_DIR/fresh-cache kc get pods -A --chunk-size=3 -v=8 > "$t.pods" 2> "$t.v8"
ok $? "get pods -A --chunk-size=3 succeeds"
py '
import sys
lines = open(sys.argv[1]).read().splitlines()
n = int(sys.argv[2])
assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], lines[0]
assert len(lines) == n + 1, (len(lines), n)
rows = {l.split()[1]: l for l in lines[1:]}
api = rows["api-7d9c8-x2bq"].split()
assert api[0] == "dp-max-catapp" and api[2:5] == ["0/1", "CrashLoopBackOff", "14"], api
assert " (3m12s ago)" in rows["api-7d9c8-x2bq"], rows["api-7d9c8-x2bq"]
states = {l.split()[3] for l in lines[1:]}
for s in ("Running", "Pending", "ImagePullBackOff", "Completed", "Terminating", "Evicted",
          "Init:0/1"):
    assert s in states, (s, states)
' "$t.pods" "$npods"
ok $? "the pages print every pod once, with kubectl's columns and states" ||
    diag "$(head -n 5 "$t.pods")"

pages=$(( (npods + 2) / 3 ))
first=$(grep -c 'GET https://127.0.0.1:[0-9]*/api/v1/pods?limit=3$' "$t.v8")
conts=$(grep -c 'GET https://127.0.0.1:[0-9]*/api/v1/pods?continue=[A-Za-z0-9_-]*&limit=3$' "$t.v8")
[ "$first" -eq 1 ] && [ "$conts" -eq $((pages - 1)) ]
ok $? "-v=8 shows limit=3 then $((pages - 1)) continue= URLs (got $first, $conts)" ||
    diag "$(grep 'GET http' "$t.v8" | head -n 8)"

grep -q 'GET https://127.0.0.1:[0-9]*/api?timeout=32s' "$t.v8" &&
    grep -q 'GET https://127.0.0.1:[0-9]*/apis?timeout=32s' "$t.v8"
ok $? "-v=8 shows the discovery URLs /api and /apis (fresh cache dir)" ||
    diag "$(grep 'GET http' "$t.v8" | head -n 8)"

grep -q 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$t.v8" &&
    grep -q 'Authorization: Bearer <masked>' "$t.v8"
ok $? "-v=8 shows the Table Accept header and a bearer token"

sim_ctl GET requests > "$t.req"
py '
import json, sys
d = json.load(open(sys.argv[1]))
n = d["counts"].get("list /api/v1/pods", 0)
assert n == int(sys.argv[2]), (n, d["counts"])
conts = [e for e in d["log"] if e["pattern"] == "/api/v1/pods" and "continue=" in e["query"]]
assert len(conts) == int(sys.argv[2]) - 1
' "$t.req" "$pages"
ok $? "the sim saw exactly $pages pod list requests"

# --- -o json equals the sim's objects -------------------------------------------------------
sim_api /api/v1/pods > "$t.simpods"
kc get pods -A -o json > "$t.json" 2> "$t.err"
ok $? "get pods -A -o json succeeds"
cmp_json='
import json, sys
mine = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
assert theirs["kind"] == "List", theirs["kind"]
items = theirs["items"]
for i in items:
    assert i.pop("kind") == "Pod" and i.pop("apiVersion") == "v1"
assert items == mine["items"], "items differ"
assert len(items) > 50
'
py "$cmp_json" "$t.simpods" "$t.json"
ok $? "-o json items equal the sim's objects once kind/apiVersion are dropped"

kc get pods -A -o json --chunk-size=7 > "$t.json7" 2>&1
py "$cmp_json" "$t.simpods" "$t.json7"
ok $? "-o json across pages of 7 gives the same items"

sim_api /api/v1/nodes > "$t.simnodes"
kc get nodes -o json > "$t.nodesjson" 2>&1
py '
import json, sys
mine = json.load(open(sys.argv[1]))["items"]
theirs = json.load(open(sys.argv[2]))["items"]
for i in theirs:
    assert i.pop("kind") == "Node" and i.pop("apiVersion") == "v1"
assert theirs == mine
' "$t.simnodes" "$t.nodesjson"
ok $? "get nodes -o json equals the sim's nodes"

kc get pod -n dp-max-catapp api-7d9c8-x2bq -o json > "$t.one" 2>&1
py '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "Pod" and d["status"]["containerStatuses"][0]["restartCount"] == 14
' "$t.one"
ok $? "get one pod by name -o json"

# --- selectors ------------------------------------------------------------------------------
kc get pods -A --field-selector spec.nodeName=run-1,status.phase=Running \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' > "$t.fs" 2>&1
py '
import json, sys
want = sorted(p["metadata"]["name"] for p in json.load(open(sys.argv[1]))["items"]
              if p["spec"].get("nodeName") == "run-1" and p["status"].get("phase") == "Running")
got = sorted(open(sys.argv[2]).read().split())
assert got == want and got, (got, want)
' "$t.simpods" "$t.fs"
ok $? "field selector spec.nodeName=run-1,status.phase=Running" || diag "$(cat "$t.fs")"

kc get pods -A -l 'app in (web,api)' --no-headers > "$t.ls" 2>&1
py '
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()]
names = sorted(r[1] for r in rows)
assert len(names) == 4 and "api-7d9c8-x2bq" in names, names
assert all(r[1].startswith(("web-", "api-")) for r in rows), names
' "$t.ls"
ok $? "label selector -l 'app in (web,api)'" || diag "$(cat "$t.ls")"

kc get pods -A -l 'app,app!=web,!job-name' --no-headers > "$t.ls2" 2>&1 &&
    ! grep -q '^dp-max-catapp *web-' "$t.ls2" && grep -q 'api-7d9c8-x2bq' "$t.ls2"
ok $? "label selector with exists, != and !key"

kc get pods -A --field-selector spec.bogus=1 > "$t.bad" 2>&1
r=$?
[ $r -ne 0 ] && grep -q 'field label not supported: spec.bogus' "$t.bad"
ok $? "an unsupported field selector fails with the apiserver's message" || diag "$(cat "$t.bad")"

kc get events -n dp-max-catapp --field-selector type=Warning > "$t.ev" 2>&1 &&
    grep -q 'BackOff' "$t.ev" && grep -q 'OOMKilling' "$t.ev" &&
    grep -q 'pod/api-7d9c8-x2bq' "$t.ev"
ok $? "get events --field-selector type=Warning shows BackOff and OOMKilling" ||
    diag "$(cat "$t.ev")"

# --- other printers -------------------------------------------------------------------------
kc get deploy -n dp-max-catapp > "$t.dep" 2>&1 &&
    grep -Eq '^api +0/1 +1 +0 +3d$' "$t.dep" && grep -Eq '^web +3/3 +3 +3 +12d$' "$t.dep"
ok $? "get deployments prints READY/UP-TO-DATE/AVAILABLE" || diag "$(cat "$t.dep")"

kc get quota,netpol,ingress,svc,rs,secrets -n dp-acme-shop > "$t.misc" 2>&1 &&
    grep -Eq 'resourcequota/quota .*requests.cpu: 3750m/4' "$t.misc" &&
    grep -q 'networkpolicy.networking.k8s.io/egress-isolation' "$t.misc" &&
    grep -Eq 'ingress.networking.k8s.io/storefront +traefik +storefront.breacher.org' "$t.misc" &&
    grep -q 'secret/storefront-env' "$t.misc"
ok $? "get quota, netpol, ingress, svc, rs, secrets print their columns" ||
    diag "$(cat "$t.misc")"

# --- TLS, token, RBAC -----------------------------------------------------------------------
sed '/certificate-authority-data/d' "$SIM_KUBECONFIG" > "$t.noca"
HOME=$SIM_DIR/home timeout 60 "$KUBECTL" --kubeconfig "$t.noca" --cache-dir "$SIM_DIR/c2" \
    get nodes > "$t.tls" 2>&1
r=$?
[ $r -ne 0 ] && grep -q 'certificate signed by unknown authority' "$t.tls"
ok $? "without the CA kubectl refuses the sim's certificate" || diag "$(cat "$t.tls")"

sim_ctl POST token '{"expire": true}' > /dev/null
kc get nodes > "$t.401" 2>&1
r=$?
[ $r -ne 0 ] && grep -q 'Unauthorized' "$t.401"
ok $? "after token expiry kubectl prints Unauthorized and fails" || diag "$(cat "$t.401")"
sim_ctl POST token "{\"token\": \"$SIM_TOKEN\", \"ttl\": 0}" > /dev/null
kc get nodes > /dev/null 2>&1
ok $? "a renewed token works again"

sim_ctl POST rbac '{"token": "limited-token", "user": "jane", "namespaces": ["dp-max-catapp"]}' \
    > /dev/null
sed "s/token: $SIM_TOKEN/token: limited-token/" "$SIM_KUBECONFIG" > "$t.jane"
HOME=$SIM_DIR/home timeout 60 "$KUBECTL" --kubeconfig "$t.jane" --cache-dir "$SIM_DIR/c3" \
    get pods -A > "$t.403" 2>&1
r=$?
forbidden='Error from server (Forbidden): pods is forbidden: User "jane" cannot list'
forbidden="$forbidden resource \"pods\" in API group \"\" at the cluster scope"
[ $r -ne 0 ] && grep -Fq "$forbidden" "$t.403"
ok $? "a namespace-limited token gets the real 403 Forbidden message" || diag "$(cat "$t.403")"
HOME=$SIM_DIR/home timeout 60 "$KUBECTL" --kubeconfig "$t.jane" --cache-dir "$SIM_DIR/c3" \
    get pods -n dp-max-catapp --no-headers > "$t.jane.out" 2>&1
[ $? -eq 0 ] && [ "$(wc -l < "$t.jane.out")" -eq 4 ]
ok $? "the limited token may list its own namespace" || diag "$(cat "$t.jane.out")"

sim_stop
ok $? "sim stops"
plan_done
