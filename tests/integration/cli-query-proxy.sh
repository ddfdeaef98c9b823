#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-query-proxy.sh - `opsdeck query` through the API server's service proxy,
# as the seed's platform reaches Prometheus (prometheus: service:
# dp-system/prometheus-operated:9090; kubesim relays to the real Prometheus): the same data as
# by URL, Prometheus's own errors as Prometheus's, and once Prometheus is gone the API server's
# 503 said as the API server's. TAP.
. "$top_srcdir/tests/integration/prom-lib.sh"
SIM_NO_TRAP=1
. "$top_srcdir/tests/lib/sim.sh"
SIM_DIR=$PQ_DIR/sim

qp_cleanup() {
    sim_cleanup
    pq_cleanup
}
trap 'qp_cleanup' EXIT
trap 'qp_cleanup; trap - EXIT; exit 129' HUP
trap 'qp_cleanup; trap - EXIT; exit 130' INT
trap 'qp_cleanup; trap - EXIT; exit 143' TERM

pq_start
sim_start --clock "$OPSDECK_CLOCK" \
    --proxy-service "dp-system/prometheus-operated:9090=$PROM_URL" > "$PQ_DIR/sim.log" 2>&1
ok $? "the simulated API server starts with Prometheus behind its service proxy" ||
    { cat "$PQ_DIR/sim.log" >&2; plan_done; exit 1; }

platform=$PQ_DIR/platform.yml
cat > "$platform" <<'EOF'
prometheus:
  service: dp-system/prometheus-operated:9090
EOF
P="--kubeconfig $SIM_KUBECONFIG --platform $platform"
CPU='100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))'

ops $P query -o json "$CPU" > "$PQ_DIR/proxied.json" 2> "$PQ_DIR/err"
ok $? "query -o json through the service proxy: exit 0 $(head -c 200 "$PQ_DIR/err")"
ops --prometheus "$PROM_URL" query -o json "$CPU" > "$PQ_DIR/direct.json"
same "$PQ_DIR/direct.json" "$PQ_DIR/proxied.json" "the same data object as from Prometheus's URL"

ops $P query "$CPU" > "$PQ_DIR/proxied.table"
grep -q '^{instance="10.0.1.10:9100"} *25$' "$PQ_DIR/proxied.table"
ok $? "the table through the proxy (ops-1 at 25 % CPU)" || diag "$(cat "$PQ_DIR/proxied.table")"

ops $P query 'sum(up' > "$PQ_DIR/out" 2> "$PQ_DIR/err"
r=$?
[ $r -eq 1 ] && [ ! -s "$PQ_DIR/out" ] && grep -q '^opsdeck: Prometheus: bad_data: ' "$PQ_DIR/err"
ok $? "Prometheus's own error through the proxy is Prometheus's: $(head -n 1 "$PQ_DIR/err")"

prom_stop
ops $P query up > "$PQ_DIR/out" 2> "$PQ_DIR/err"
r=$?
[ $r -eq 1 ] && [ ! -s "$PQ_DIR/out" ] &&
    grep -q 'API server: 503 ServiceUnavailable: no endpoints available for service' "$PQ_DIR/err"
ok $? "Prometheus gone: the API server's 503, said as the API server's: $(head -n 1 "$PQ_DIR/err")"

plan_done
