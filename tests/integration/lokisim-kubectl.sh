#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/lokisim-kubectl.sh - the real kubectl 1.20 against kubesim's service proxy
# (get --raw through services/loki:3100/proxy to lokisim) and pod log endpoint (kubectl logs
# --tail, --previous, --timestamps, an unknown container). TAP.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/sim.sh"
. "${top_srcdir:-.}/tests/integration/kubectl-lib.sh"

PY=${PYTHON3:-python3}

if kubectl_find; then
    ok 0 "kubectl 1.20 is available (KUBECTL120 or fetched into the build tree)"
else
    ok 1 "kubectl 1.20 is available (KUBECTL120 or fetched into the build tree)"
    plan_done
fi

if SIM_LOKI=1 sim_start --clock 2026-11-24T03:12:00Z; then
    ok 0 "sim starts with lokisim behind it"
else
    ok 1 "sim starts with lokisim behind it"
    plan_done
fi
mkdir -p "$SIM_DIR/home"
t=$SIM_DIR/t
k() {
    HOME=$SIM_DIR/home "$KUBECTL" --kubeconfig "$SIM_KUBECONFIG" "$@"
}

LOKI=/api/v1/namespaces/dp-system/services/loki:3100/proxy/loki/api/v1
k get --raw "$LOKI/label/namespace/values" > "$t.values" 2> "$t.err"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if "dp-max-catapp" in d["data"] and "dp-evil-hostile" in d["data"] else 1)' "$t.values"
ok $? "kubectl get --raw through the service proxy reaches lokisim" || diag "$(cat "$t.err")"

k get --raw "$LOKI/query_range?query=%7Bjob%3D%22build%22" > "$t.out" 2> "$t.err"
# kubectl 1.20 shows a non-Status error body only as its status code's generic text
[ $? -ne 0 ] && grep -q '^Error from server (BadRequest)' "$t.err"
ok $? "kubectl get --raw: lokisim's 400 comes through as a BadRequest" || diag "$(cat "$t.err")"

k -n dp-max-catapp logs web-5rljtpl47r-bm8ln --tail=3 > "$t.tail" 2> "$t.err"
sim_api /api/v1/namespaces/dp-max-catapp/pods/web-5rljtpl47r-bm8ln/log?tailLines=3 > "$t.raw"
[ "$(wc -l < "$t.tail")" = 3 ] && cmp -s "$t.tail" "$t.raw"
ok $? "kubectl logs --tail=3 prints the endpoint's last 3 lines" || diag "$(cat "$t.err")"

k -n dp-max-catapp logs api-7d9c8-x2bq --previous > "$t.prev" 2> "$t.err"
grep -q 'missing required environment variable DATABASE_URL' "$t.prev"
ok $? "kubectl logs --previous of the crash-looping pod shows the missing env var" ||
    diag "$(cat "$t.err")"
k -n dp-max-catapp logs api-7d9c8-x2bq --timestamps > "$t.cur" 2> "$t.err"
tail -n 1 "$t.cur" | grep -Eq '^2026-11-24T03:[0-9:]+\.[0-9]{9}Z FATAL ERROR: Reached heap limit'
ok $? "kubectl logs --timestamps: its last run ends in the OOM" || diag "$(tail -n 2 "$t.cur")"

k -n dp-max-catapp logs web-5rljtpl47r-bm8ln -c nope > "$t.out" 2> "$t.err"
[ $? -ne 0 ] && grep -q 'container nope is not valid for pod web-5rljtpl47r-bm8ln' "$t.err"
ok $? "kubectl logs -c nope fails with the apiserver's message" || diag "$(cat "$t.err")"

k -n dp-max-catapp logs nope > "$t.out" 2> "$t.err"
[ $? -ne 0 ] && grep -q 'pods "nope" not found' "$t.err"
ok $? "kubectl logs of an unknown pod: NotFound" || diag "$(cat "$t.err")"

plan_done
