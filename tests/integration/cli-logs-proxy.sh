#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-logs-proxy.sh - `opsdeck logs` through the API server's service proxy
# (the platform's loki: service: dp-system/loki:3100; kubesim relays to the Loki double): the
# same lines as by URL, Loki's own errors as Loki's, and the API server's own 503 ("no
# endpoints") said as the API server's. The pod log fallback end to end (podlog-tool against
# kubesim's pods/{name}/log). TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

SIM_LOKI=1
export SIM_LOKI
cli_start_sim --clock "$OPSDECK_CLOCK"

platform=$CLI_DIR/platform.yml
cat > "$platform" <<'EOF'
loki:
  service: dp-system/loki:3100
EOF
out=$CLI_DIR/out
err=$CLI_DIR/err
q='{namespace="dp-max-catapp"}'

ops --platform "$platform" logs "$q" --limit 200 > "$out" 2> "$err"
r=$?
[ $r -eq 0 ] && [ "$(wc -l < "$out")" -gt 0 ]
ok $? "through the service proxy: exit $r, $(wc -l < "$out") lines $(head -c 200 "$err")"

ops_raw --loki "$SIM_LOKI_URL" logs "$q" --limit 200 > "$out.direct" 2> "$err"
cmp -s "$out" "$out.direct"
ok $? "the same lines as from Loki's URL"

sim_loki_ctl GET requests > "$CLI_DIR/requests.json" &&
    pycheck "$CLI_DIR/requests.json" <<'EOF'
import json, sys
reqs = [r for r in json.load(open(sys.argv[1])) if r["path"].endswith("/query_range")]
assert len(reqs) >= 2, reqs
EOF
ok $? "both went to the Loki double (its request log)"

ops --platform "$platform" logs '{app=' > "$out" 2> "$err"
r=$?
[ $r -eq 1 ] && grep -q "^opsdeck: Loki: 400 parse error at line 1, col 6" "$err"
ok $? "Loki's own error through the proxy is Loki's: $(head -n 1 "$err")"

"$OPSDECK" --kubeconfig "$SIM_KUBECONFIG" --platform "$platform" logs "$q" --limit 5 -o jsonl \
    > "$out" 2> "$err"
[ $? -eq 0 ] && pycheck "$out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 5 and all(r["labels"]["namespace"] == "dp-max-catapp" for r in rows), rows
assert [int(r["ts"]) for r in rows] == sorted(int(r["ts"]) for r in rows)
EOF
ok $? "-o jsonl through the proxy"

# The pod log fallback: kubesim's pods/{name}/log, split and timestamped.
tool=$top_builddir/tests/integration/podlog-tool
pod=$(sim_api /api/v1/namespaces/dp-max-catapp/pods | "$PYTHON3" -c '
import json, sys
items = json.load(sys.stdin)["items"]
print(next(p["metadata"]["name"] for p in items if p["status"].get("phase") == "Running"))')
timeout 60 "$tool" "$SIM_KUBECONFIG" dp-max-catapp "$pod" 20 > "$out" 2> "$err"
r=$?
[ $r -eq 0 ] && pycheck "$out" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[-1] == "done OK", lines[-3:]
body = lines[:-1]
assert 0 < len(body) <= 20, len(body)
ts = [int(l.split(" ", 2)[0]) for l in body]
assert ts == sorted(ts) and ts[0] > 1795400000 * 10**9, ts[:3]
assert all(' {namespace="dp-max-catapp", pod="' in l for l in body), body[0]
EOF
ok $? "pod log fallback: $pod, tailLines 20, timestamps read, oldest first (exit $r)"

timeout 60 "$tool" "$SIM_KUBECONFIG" dp-max-catapp no-such-pod 5 > "$out" 2> "$err"
[ $? -eq 1 ] && grep -q '^done .*404' "$out"
ok $? "pod log of a missing pod: $(tail -n 1 "$out")"

# The API server's own error: no endpoints once Loki is gone.
kill -TERM "$SIM_LOKI_PID"
n=0
while kill -0 "$SIM_LOKI_PID" 2>/dev/null && [ "$n" -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
ops --platform "$platform" logs "$q" > "$out" 2> "$err"
r=$?
[ $r -eq 1 ] && grep -q "^opsdeck: Loki: API server: 503" "$err" && grep -q "no endpoints" "$err"
ok $? "Loki gone: the API server's 503 said as the API server's: $(head -n 1 "$err")"

plan_done
