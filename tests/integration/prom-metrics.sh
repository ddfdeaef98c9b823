#!/bin/sh
# SPDX-License-Identifier: MIT
# prom-metrics.sh - node metrics from the real Prometheus over the backfilled hour: the exact
# CPU, memory and disk figures of the seed's five nodes, sixty points each, instances mapped to
# node names by node_uname_info, four requests per refresh; a node whose exporter stopped ten
# minutes before the clock ends early
. "$top_srcdir/tests/integration/prom-lib.sh"

DRIVER=$top_builddir/tests/integration/prom-driver

pq_start --down run-2:10
timeout 90 "$DRIVER" metrics "$PROM_URL" 2 > "$PQ_DIR/metrics.out" 2> "$PQ_DIR/metrics.err"
ok $? "two refreshes of every node's metrics"
sed 's/^/# /' "$PQ_DIR/metrics.err"

# The seed's figures (sim/nodeexp.py): CPU 87.5 % on build-1, disk 96.875 % on ops-1.
grep -v '^refreshes=' "$PQ_DIR/metrics.out" | grep -v ' run-2 ' > "$PQ_DIR/nodes.out"
cat > "$PQ_DIR/nodes.want" <<'WANT'
10.0.1.100:9100 run-1 cpu=37.500/60/59 mem=50.000/60/59 disk=25.000/60/59
10.0.1.10:9100 ops-1 cpu=25.000/60/59 mem=56.250/60/59 disk=96.875/60/59
10.0.1.1:9100 k3s-1 cpu=25.000/60/59 mem=50.000/60/59 disk=37.500/60/59
10.0.1.2:9100 build-1 cpu=87.500/60/59 mem=62.500/60/59 disk=50.000/60/59
WANT
same "$PQ_DIR/nodes.want" "$PQ_DIR/nodes.out" \
    "exact last values, 60 points each, instance -> node name, for the four live nodes"

# run-2 stopped 10 minutes before the clock: its series end before the last slot (Prometheus
# still answers for its 5-minute lookback), and what there is, is its last value.
"$PYTHON3" - "$PQ_DIR/metrics.out" <<'PY'
import re, sys
line = [l for l in open(sys.argv[1]) if " run-2 " in l][0]
for m in ("cpu", "mem", "disk"):
    val, have, last = re.search(m + r"=([0-9.]+)/(\d+)/(\d+)", line).groups()
    assert 40 <= int(last) < 59, (m, line)
    assert int(have) == int(last) + 1, (m, line)
PY
ok $? "run-2's lines end where its exporter stopped"

grep -q '^refreshes=2 bytes=[1-9][0-9]* requests=4$' "$PQ_DIR/metrics.out"
ok $? "a refresh is four requests (three range queries and node_uname_info), bytes counted"
bytes=$(sed -n 's/^refreshes=2 bytes=\([0-9]*\) .*/\1/p' "$PQ_DIR/metrics.out")
diag "bytes per refresh, seed platform (5 nodes): $bytes"
test "${bytes:-0}" -lt 20000
ok $? "a refresh of five nodes is under 20 KB ($bytes bytes)"

plan_done
