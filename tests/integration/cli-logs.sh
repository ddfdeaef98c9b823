#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-logs.sh - `opsdeck logs` against the Loki double (sim/lokisim.py): the
# defaults, paging past 5,000 with equal timestamps across page borders, --since, --from/--to
# (RFC 3339 and nanoseconds), -o jsonl, raw bytes to a pipe and inert ones to a terminal, -f,
# a reader that goes away, every Loki error (unreachable, 400, 401 "no org id", 429, 504, HTML
# from a proxy) and the usage errors. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

LOKI_PORT_FILE=$CLI_DIR/loki.port
# The double's clock starts at OPSDECK_CLOCK; ours stays frozen there.
"$PYTHON3" "$top_srcdir/sim/lokisim.py" --port-file "$LOKI_PORT_FILE" --empty \
    > "$CLI_DIR/lokisim.log" 2>&1 &
cli_track $!
n=0
while [ ! -s "$LOKI_PORT_FILE" ] && [ "$n" -lt 200 ]; do
    sleep 0.05
    n=$((n + 1))
done
[ -s "$LOKI_PORT_FILE" ]
ok $? "the Loki double starts" || plan_done
LOKI=http://127.0.0.1:$(cat "$LOKI_PORT_FILE")

logs() {
    ops_raw --loki "$LOKI" logs "$@"
}

# push: the data every case reads (NOW = 2026-11-24T03:12:00Z).
#  {app="edge"}: 1500 lines, three per timestamp, one group every 2 s up to NOW - 10 s;
#  {app="crowd"}: 12,000 lines, seven per timestamp (pages of 5,000 cut groups), within 2 h;
#  {app="hostile"}: escape sequences, an OSC 52 clipboard write, C1, invalid UTF-8.
pycheck "$LOKI" <<'EOF'
import json, sys, urllib.request
NOW = 1795489920 * 10**9
def push(labels, values):
    body = json.dumps({"streams": [{"stream": labels, "values": values}]}).encode()
    req = urllib.request.Request(sys.argv[1] + "/loki/api/v1/push", body,
                                 {"Content-Type": "application/json"})
    assert urllib.request.urlopen(req, timeout=30).status == 204
edge = [[str(NOW - 10 * 10**9 - (499 - i // 3) * 2 * 10**9), "edge %04d" % i] for i in range(1500)]
push({"app": "edge", "namespace": "dp-a-b"}, edge)
crowd = [[str(NOW - 7000 * 10**9 + (i // 7) * 10**9), "crowd %05d" % i] for i in range(12000)]
push({"app": "crowd", "namespace": "dp-a-b"}, crowd)
hostile = "red \x1b[31mX\x1b[0m clip \x1b]52;c;ZXZpbA==\x07 c1 \u009b31m end"
push({"app": "hostile"}, [[str(NOW - 60 * 10**9), hostile]])
EOF
ok $? "test lines pushed"

out=$CLI_DIR/out
err=$CLI_DIR/err

# Defaults: the last hour, the newest 1000, oldest first.
logs '{app="edge"}' > "$out" 2> "$err"
r=$?
[ $r -eq 0 ] && pycheck "$out" <<'EOF'
lines = open(__import__("sys").argv[1]).read().splitlines()
assert lines == ["edge %04d" % i for i in range(500, 1500)], (len(lines), lines[:2], lines[-2:])
EOF
ok $? "defaults: --since 1h --limit 1000, the newest kept, printed oldest first (exit $r)"

# Paging: 12,000 lines in pages of 5,000 whose borders cut groups of equal timestamps.
logs '{app="crowd"}' --since 2h --limit 20000 > "$out" 2> "$err"
r=$?
[ $r -eq 0 ] && pycheck "$out" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 12000, len(lines)
assert sorted(lines) == ["crowd %05d" % i for i in range(12000)], "missing or duplicated lines"
# oldest first: the groups (seven per second) in order
assert [int(l.split()[1]) // 7 for l in lines] == sorted(int(l.split()[1]) // 7 for l in lines)
EOF
ok $? "12,000 lines past the 5,000 limit, equal timestamps across page borders: each once"

logs '{app="crowd"}' --since 2h --limit 5001 > "$out" 2> "$err"
[ $? -eq 0 ] && [ "$(wc -l < "$out")" -eq 5001 ] && [ "$(tail -n 1 "$out")" = "crowd 11999" ]
ok $? "--limit 5001: the newest 5001, the newest last"

logs '{app="edge"}' --since 5m > "$out" 2> "$err"
[ $? -eq 0 ] && [ "$(wc -l < "$out")" -eq 438 ] && [ "$(head -n 1 "$out")" = "edge 1062" ]
ok $? "--since 5m: only the last five minutes ($(wc -l < "$out") lines)"

logs '{app="edge"}' --from 2026-11-24T03:00:00Z --to 2026-11-24T03:01:00Z > "$out" 2> "$err"
[ $? -eq 0 ] && [ "$(wc -l < "$out")" -eq 90 ]
ok $? "--from/--to in RFC 3339 ($(wc -l < "$out") lines; end exclusive)"
cp "$out" "$CLI_DIR/rfc"
logs '{app="edge"}' --from 1795489200000000000 --to 1795489260000000000 > "$out" 2> "$err"
[ $? -eq 0 ] && cmp -s "$out" "$CLI_DIR/rfc"
ok $? "--from/--to in Unix nanoseconds: the same lines"

logs '{app="edge"}' --limit 3 -o jsonl > "$out" 2> "$err"
[ $? -eq 0 ] && pycheck "$out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 3
for i, r in enumerate(rows):
    assert set(r) == {"ts", "labels", "line"}, r
    assert isinstance(r["ts"], str) and r["ts"].isdigit() and len(r["ts"]) == 19
    assert r["labels"] == {"app": "edge", "namespace": "dp-a-b"}, r["labels"]
    assert r["line"] == "edge %04d" % (1497 + i)
assert int(rows[2]["ts"]) == 1795489910 * 10**9
EOF
ok $? "-o jsonl: ts (ns, a string), the stream's labels, the line"

logs '{app="hostile"}' > "$out" 2> "$err"
[ $? -eq 0 ] && grep -q "$(printf '\033')]52;c;" "$out"
ok $? "to a pipe the line goes out as Loki sent it (escape bytes included)"

script -qec "$OPSDECK --loki $LOKI logs '{app=\"hostile\"}'" /dev/null > "$out" 2> "$err" < /dev/null
pycheck "$out" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
assert b"red" in data and b"end" in data, data
assert b"\x1b" not in data and b"\xc2\x9b" not in data and b"\x07" not in data, data
EOF
ok $? "to a terminal escape sequences, OSC 52 and C1 are inert"

# -f: the newest lines, then new ones as they come, until Ctrl-C.
"$OPSDECK" --loki "$LOKI" logs '{app="edge"}' --limit 2 -f > "$out" 2> "$err" &
fpid=$!
cli_track $fpid
n=0
while [ "$(wc -l < "$out")" -lt 2 ] && [ "$n" -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
pycheck "$LOKI" <<'EOF'
import json, sys, urllib.request
NOW = 1795489920 * 10**9
vals = [[str(NOW - 8 * 10**9 + i // 2), "follow %d" % i] for i in range(6)]
body = json.dumps({"streams": [{"stream": {"app": "edge", "namespace": "dp-a-b"},
                                "values": vals}]}).encode()
req = urllib.request.Request(sys.argv[1] + "/loki/api/v1/push", body,
                             {"Content-Type": "application/json"})
assert urllib.request.urlopen(req, timeout=30).status == 204
EOF
n=0
while [ "$(wc -l < "$out")" -lt 8 ] && [ "$n" -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
kill -INT $fpid
wait $fpid
r=$?
pycheck "$out" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines == ["edge 1498", "edge 1499"] + ["follow %d" % i for i in range(6)], lines
EOF
ok $? "-f: new lines as they come, each once; Ctrl-C ends it (exit $r)"
[ $r -eq 0 ]
ok $? "-f ends with exit status 0 on Ctrl-C"

sh -c "\"$OPSDECK\" --loki \"$LOKI\" logs '{app=\"crowd\"}' --since 2h --limit 12000 2>\"$err\"; echo \$? > \"$CLI_DIR/rc\"" | head -n 1 > "$out"
[ "$(cat "$CLI_DIR/rc")" = 0 ] && [ "$(cat "$out")" = "crowd 00000" ] && [ ! -s "$err" ]
ok $? "a reader that goes away (| head -1): exit 0, nothing on stderr"

# Errors: exit 1 and Loki's own words.
fault() {
    pycheck "$LOKI" "$1" <<'EOF'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/_sim/fault", sys.argv[2].encode(),
                             {"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req, timeout=10).read()
EOF
}
check_error() {
    logs '{app="edge"}' > "$out" 2> "$err"
    r=$?
    [ $r -eq 1 ] && grep -qF "$1" "$err" && [ ! -s "$out" ]
    ok $? "$2: exit 1, stderr: $(head -n 1 "$err")"
}
fault '{"status": 400, "path": "query_range", "body": "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"}'
check_error "opsdeck: Loki: 400 parse error at line 1, col 1: syntax error: unexpected IDENTIFIER" "400 text"
fault '{"status": 401, "path": "query_range", "body": "no org id"}'
check_error "opsdeck: Loki: 401 no org id" "401 no org id"
fault '{"status": 429, "path": "query_range"}'
check_error "opsdeck: Loki: 429 too many outstanding requests" "429"
fault '{"status": 504, "path": "query_range"}'
check_error "opsdeck: Loki: 504 request timed out" "504"
fault '{"html": true, "path": "query_range"}'
check_error "opsdeck: Loki: 502 Bad Gateway (HTML from a proxy: 502 Bad Gateway)" "HTML from a proxy"
# A failed page: nothing is printed as if it were all there is.
fault '{"status": 500, "path": "query_range", "count": 1}'
logs '{app="crowd"}' --since 2h --limit 12000 > "$out" 2> "$err"
[ $? -eq 1 ] && [ ! -s "$out" ]
ok $? "a failed page fails the command (nothing half printed)"

dead=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ops_raw --loki "http://127.0.0.1:$dead" logs '{app="edge"}' > "$out" 2> "$err"
r=$?
[ $r -eq 1 ] && grep -q "opsdeck: Loki: unreachable" "$err"
ok $? "unreachable: exit 1, $(head -n 1 "$err")"

ops_raw logs '{app="edge"}' > "$out" 2> "$err"
[ $? -eq 1 ] && grep -q "Loki is not configured" "$err"
ok $? "no Loki configured: exit 1, said so"

usage() {
    ops_raw --loki "$LOKI" "$@" > "$out" 2> "$err"
    r=$?
    [ $r -eq 2 ] && grep -q "^opsdeck: " "$err" && [ ! -s "$out" ]
}
usage logs; ok $? "usage: logs without a query (exit 2)"
usage logs '{a="b"}' --since 1h --from 2026-11-24T03:00:00Z; ok $? "usage: --since with --from"
usage logs '{a="b"}' --to 2026-11-24T03:00:00Z; ok $? "usage: --to without --from"
usage logs '{a="b"}' --from yesterday; ok $? "usage: --from not a time"
usage logs '{a="b"}' --from 2026-11-24T03:00:00Z --to 2026-11-24T02:00:00Z; ok $? "usage: --to before --from"
usage logs '{a="b"}' --since soon; ok $? "usage: --since not a duration"
usage logs '{a="b"}' --limit 0; ok $? "usage: --limit 0"
usage logs '{a="b"}' -o json; ok $? "usage: -o json is not a logs format"
usage get pods -f; ok $? "usage: -f belongs to logs"
usage logs '{a="b"}' -A; ok $? "usage: -A belongs to get"

plan_done
