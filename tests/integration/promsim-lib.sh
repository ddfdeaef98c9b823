# SPDX-License-Identifier: MIT
# tests/integration/promsim-lib.sh - shared by the promsim tests (not a test itself): reading
# the real Prometheus's answers. Needs tests/lib/prom.sh sourced first.

: "${PY:=${PYTHON3:-python3}}"

# Joins a per-instance expression to the Kubernetes node name.
BYNODE=' * on(instance) group_left(nodename) node_uname_info'

# prom_vec EXPR [TIME]: one line "KEY VALUE" per sample, sorted by KEY, where KEY is the
# sample's nodename label, else its instance, and VALUE has 10 significant digits (rate()'s
# extrapolation arithmetic leaves an ulp: 3736576.0000000005). Fails on an error answer or a
# non-vector.
prom_vec() {
    prom_query "$@" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
if d.get("status") != "success" or d["data"]["resultType"] != "vector":
    sys.exit("bad answer: %r" % (d,))
rows = []
for r in d["data"]["result"]:
    m = r["metric"]
    rows.append((m.get("nodename", m.get("instance", "")), "%.10g" % float(r["value"][1])))
for k, v in sorted(rows):
    print(k, v)'
}

# prom_vec_is EXPR TIME EXPECTED: the answer's lines equal EXPECTED (diagnosed when not).
prom_vec_is() {
    pvi_got=$(prom_vec "$1" "$2") || return 1
    [ "$pvi_got" = "$3" ] && return 0
    printf '# expected:\n%s\n# got:\n%s\n' "$3" "$pvi_got" | sed 's/^/# /' >&2
    return 1
}

# prom_alerts: the firing alerts, one line "ALERTNAME KEY" sorted (KEY: nodename, else
# instance).
prom_alerts() {
    prom_get /api/v1/alerts | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
rows = set()
for a in d["data"]["alerts"]:
    if a["state"] == "firing":
        l = a["labels"]
        rows.add("%s %s" % (l["alertname"], l.get("nodename", l.get("instance"))))
print("\n".join(sorted(rows)))'
}
