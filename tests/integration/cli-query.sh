#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-query.sh - opsdeck query against the real Prometheus over the backfilled hour: the table
# (vector, matrix, scalar, string), -o json byte-equal to Prometheus's own data object (GET and,
# for a long expression, POST), --time, and every error with its errorType, as one line, exit 1
. "$top_srcdir/tests/integration/prom-lib.sh"

pq_start
T=$OPSDECK_CLOCK
P="--prometheus $PROM_URL"
CPU='100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))'

# The CPU of the seed's five nodes at the clock, as the sim's exporters made it.
ops $P query "$CPU" > "$PQ_DIR/cpu.out" 2> "$PQ_DIR/cpu.err"
ok $? "a vector query (at the injected clock: OPSDECK_CLOCK) succeeds"
cat > "$PQ_DIR/cpu.want" <<'WANT'
SERIES                         VALUE
{instance="10.0.1.100:9100"}   37.5
{instance="10.0.1.101:9100"}   31.25
{instance="10.0.1.10:9100"}    25
{instance="10.0.1.1:9100"}     25
{instance="10.0.1.2:9100"}     87.5
WANT
same "$PQ_DIR/cpu.want" "$PQ_DIR/cpu.out" \
    "table: one line per series, values as Prometheus wrote them"
test ! -s "$PQ_DIR/cpu.err"
ok $? "nothing on stderr"

# --time: RFC 3339 and Unix seconds are the same instant; an hour back is another answer.
ops $P query --time 1795489920 "$CPU" > "$PQ_DIR/cpu-unix.out"
same "$PQ_DIR/cpu.want" "$PQ_DIR/cpu-unix.out" "--time in Unix seconds equals the RFC 3339 clock"
ops $P query --time 2026-11-24T03:12:00Z 'max by (nodename) (node_uname_info{nodename="ops-1"})' \
    > "$PQ_DIR/uname.out"
printf 'SERIES               VALUE\n{nodename="ops-1"}   1\n' > "$PQ_DIR/uname.want"
same "$PQ_DIR/uname.want" "$PQ_DIR/uname.out" "--time RFC 3339; labels as a selector"

# -o json: the data object exactly as Prometheus returned it (what curl gets).
check_json() {
    curl_query "$1" "$T" > "$PQ_DIR/curl.body"
    "$PYTHON3" - "$PQ_DIR/curl.body" > "$PQ_DIR/curl.data" <<'PY'
import sys
body = open(sys.argv[1], "rb").read()
head = b'{"status":"success","data":'
assert body.startswith(head) and body.endswith(b"}"), body[:200]
sys.stdout.buffer.write(body[len(head):-1] + b"\n")
PY
    ops $P query -o json "$1" > "$PQ_DIR/ops.data"
    same "$PQ_DIR/curl.data" "$PQ_DIR/ops.data" "$2"
}
check_json "$CPU" "-o json: a vector's data byte-equal to curl's"
check_json 'node_load1{instance="10.0.1.2:9100"}[2m]' \
    "-o json: a matrix's data byte-equal to curl's"
check_json 'scalar(sum(node_load1))' "-o json: a scalar's data byte-equal to curl's"
check_json '"hello"' "-o json: a string's data byte-equal to curl's"
# Over PROM_GET_MAX bytes the query goes as a POST form: the same answer.
LONG='sum(node_load1)'
i=0
while [ $i -lt 200 ]; do LONG="$LONG + 0 * sum(node_load1)"; i=$((i + 1)); done
check_json "$LONG" "-o json: a 4 KB expression (POST form) answered as curl's"

# Matrix, scalar and string as tables.
ops $P query 'node_load1{instance="10.0.1.2:9100"}[2m]' > "$PQ_DIR/matrix.out"
"$PYTHON3" - "$PQ_DIR/curl.body" "$PQ_DIR/matrix.out" <<'PY'
import sys
lines = open(sys.argv[2]).read().splitlines()
assert lines[0].split() == ["SERIES", "VALUE", "SAMPLES"], lines
cells = lines[1].split()
assert cells[0] == 'node_load1{instance="10.0.1.2:9100",job="node"}', cells
assert int(cells[2]) >= 8 and len(lines) == 2, lines
PY
ok $? "table: a matrix shows each series' last value and its number of samples"
ops $P query 'scalar(sum(node_load1))' > "$PQ_DIR/scalar.out"
grep -Eq '^scalar +[0-9.e+]+$' "$PQ_DIR/scalar.out"
ok $? "table: a scalar"
ops $P query '"hello"' > "$PQ_DIR/string.out"
grep -q '^string   hello$' "$PQ_DIR/string.out"
ok $? "table: a string"
ops $P query 'node_load1{instance="nowhere"}' > "$PQ_DIR/empty.out"
ok $? "an empty result is a success"
test ! -s "$PQ_DIR/empty.out"
ok $? "... and prints nothing (as promtool)"

# Errors: the envelope's errorType and error, one line, exit 1.
expect_error() {
    ops $P query "$1" > "$PQ_DIR/err.out" 2> "$PQ_DIR/err.err"
    rc=$?
    curl_query "$1" "$T" | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
print("opsdeck: Prometheus: %s: %s" % (d["errorType"], d["error"]))' > "$PQ_DIR/err.want"
    test $rc -eq 1 && test ! -s "$PQ_DIR/err.out"
    ok $? "$2: exit 1, nothing on stdout"
    same "$PQ_DIR/err.want" "$PQ_DIR/err.err" \
        "$2: the errorType and message as Prometheus sent them"
}
expect_error 'sum(rate(node_load1[5m])' "bad_data (a parse error)"
expect_error 'node_cpu_seconds_total * on(instance) node_uname_info' \
    "execution (many-to-many matching)"

ops --prometheus "$PROM_URL/nowhere" query up > "$PQ_DIR/404.out" 2> "$PQ_DIR/404.err"
test $? -eq 1 &&
    test "$(cat "$PQ_DIR/404.err")" = "opsdeck: Prometheus: HTTP 404: 404 page not found"
ok $? "a 404 text body: one readable line, exit 1"

port=$(prom__free_port)
ops --prometheus "http://127.0.0.1:$port" query up > "$PQ_DIR/down.out" 2> "$PQ_DIR/down.err"
test $? -eq 1 && grep -q '^opsdeck: Prometheus: ' "$PQ_DIR/down.err" &&
    test "$(wc -l < "$PQ_DIR/down.err")" -eq 1
ok $? "nothing listening: one line, exit 1"

ops query up > "$PQ_DIR/none.out" 2> "$PQ_DIR/none.err"
test $? -eq 1 && grep -q 'Prometheus is not configured' "$PQ_DIR/none.err"
ok $? "without Prometheus configured: says so, exit 1"

ops $P query > /dev/null 2>&1
test $? -eq 2
ok $? "query without an expression is a usage error (2)"
ops $P query --time yesterday up > /dev/null 2>&1
test $? -eq 2
ok $? "--time that is neither RFC 3339 nor Unix seconds is a usage error (2)"
ops $P get nodes --time 1 > /dev/null 2>&1
test $? -eq 2
ok $? "--time belongs to query"

plan_done
