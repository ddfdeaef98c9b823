#!/bin/sh
# SPDX-License-Identifier: MIT
# prom-alerts.sh - the alerts poller against the real Prometheus scraping the simulated
# exporters live: the disk and CPU alerts of the seed fire with their node names and summaries;
# an exporter taken down fires a critical NodeDown
. "$top_srcdir/tests/integration/prom-lib.sh"

DRIVER=$top_builddir/tests/integration/prom-driver

# Live scraping at the wall clock: rules evaluate on what is scraped now.
unset OPSDECK_CLOCK
OPSDECK_CLOCK=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export OPSDECK_CLOCK
pq_start --scrape
timeout 90 "$DRIVER" alerts "$PROM_URL" 2 > "$PQ_DIR/alerts.out" 2> "$PQ_DIR/alerts.err"
ok $? "the poller saw two firing alerts"
sed 's/^/# /' "$PQ_DIR/alerts.err"
grep -q '^firing NodeDiskAlmostFull warning ops-1 | Disk almost full on ops-1$' "$PQ_DIR/alerts.out"
ok $? "NodeDiskAlmostFull fires for ops-1, with its summary"
grep -q '^firing HighCPU warning build-1 | High CPU on build-1$' "$PQ_DIR/alerts.out"
ok $? "HighCPU fires for build-1"
grep -q '^firing=2$' "$PQ_DIR/alerts.out"
ok $? "two firing in all"

prom_ctl POST 'down?node=run-2' > /dev/null
ok $? "run-2's exporter stops answering"
timeout 90 "$DRIVER" alerts "$PROM_URL" 3 > "$PQ_DIR/down.out" 2> "$PQ_DIR/down.err"
ok $? "the poller saw a third alert fire"
grep -q '^firing NodeDown critical run-2 | Node run-2 is down$' "$PQ_DIR/down.out"
ok $? "NodeDown (critical) fires for run-2"
sed 's/^/# /' "$PQ_DIR/down.out"

plan_done
