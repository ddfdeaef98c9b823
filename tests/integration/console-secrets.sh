#!/bin/sh
# SPDX-License-Identifier: MIT
# console-secrets.sh - secrets and env values never reach the databases: a console session that
# lists everything and opens the detail and the YAML of every pod and deployment whose env holds
# the sim's SIM-ENV-MARKER values (and whose namespace holds a Secret with SIM-SECRET-MARKER
# values), then cache.db, its WAL and state.db - copied while the console runs and again after
# it ended - hold neither marker, nor their base64, nor the bearer token
. "${top_srcdir:-.}/tests/screens/console-lib.sh"

console_sim_start

# The markers are there to be leaked: the sim serves them.
sim_api /api/v1/namespaces/dp-max-catapp/secrets/api-env | grep -q U0lNLVNFQ1JFVC1NQVJLRVI6
ok $? "control: the sim's Secret api-env holds SIM-SECRET-MARKER (base64)"
sim_api /api/v1/namespaces/dp-max-catapp/pods/api-7d9c8-x2bq | grep -q SIM-ENV-MARKER
ok $? "control: the sim's pod api-7d9c8-x2bq has a SIM-ENV-MARKER env value"
sim_api /apis/apps/v1/namespaces/dp-acme-shop/deployments/storefront | grep -q SIM-ENV-MARKER
ok $? "control: the sim's deployment storefront has SIM-ENV-MARKER (template and annotation)"

steps <<'EOF'
:tenants<Enter>
:pods<Enter>
/-l app in (api,storefront,ledger,temporal-worker)<Enter>
:save-display marked-pods
d
:save-display api-detail
y
/SESSION_SECRET<Enter>
:save-display api-yaml
<Esc>
j
dy
/DATABASE_URL<Enter>
:save-display ledger-yaml
<Esc>
j
dy
<Esc>
G
dy
/MCP_API_TOKEN<Enter>
:save-display worker-yaml
<Esc>
:workloads dp-acme-shop<Enter>
/storefront<Enter>
dy
/STRIPE_KEY<Enter>
:save-display storefront-yaml
<Esc>
:workloads dp-max-catapp<Enter>
dy
<Esc>
:barrier snapshot
:nodes<Enter>
EOF
SCREEN_LINES=60 SCREEN_TIMEOUT=40 console_run_bg
console_at snapshot
ok $? "the console visited every pod and deployment with a marker"
mkdir -p "$screen_tmp/running"
for f in "$console_cache" "$console_cache-wal" "$console_state" "$console_state-wal"; do
    [ -f "$f" ] && cp "$f" "$screen_tmp/running/"
done
console_go snapshot
console_wait
assert_status 0 "secrets: status 0"

# The session really went there: the detail and the YAML of those pods and of a deployment
# were on screen, their env values hidden.
assert_row marked-pods 3 "pods(all) (11/55) /-l app in (api,storefront,ledger,temporal-worker)" \
    "the filter kept the eleven pods with an env marker"
assert_grep api-detail '^    Env:        2 variables \(values hidden\); from api-env$' \
    "detail: the env's values hidden, the Secret's name shown"
for y in api-yaml ledger-yaml worker-yaml storefront-yaml; do
    assert_grep "$y" '- name: (SESSION_SECRET|DATABASE_URL|MCP_API_TOKEN|STRIPE_KEY)$' \
        "$y: the YAML was on screen at the env variable"
    refute_grep "$y" 'SIM-ENV-MARKER' "$y: no env value on screen"
done

# The databases are real and hold the session: pods in cache.db, the typed filter in state.db.
n=$(console_sql "$console_cache" "SELECT count(*) FROM objects WHERE kind = 'pods'")
[ "$n" = 55 ]
ok $? "control: cache.db holds the 55 pods (got $n)"
n=$(grep -ac 'api-7d9c8-x2bq' "$console_cache" "$screen_tmp/running/"* 2>/dev/null |
    awk -F: '{ s += $NF } END { print s + 0 }')
[ "$n" -gt 0 ]
ok $? "control: grep finds a cached pod's name in the database files ($n lines)"
n=$(console_sql "$console_state" "SELECT count(*) FROM history WHERE line LIKE '-l app in%'")
[ "$n" = 1 ]
ok $? "control: state.db has the typed filter in its history"

for f in "$screen_tmp/running/"* "$console_cache" "$console_cache-wal" "$console_state" \
    "$console_state-wal"; do
    [ -f "$f" ] || continue
    case $f in
        "$screen_tmp/running/"*) when="while running" ;;
        *) when="after the end" ;;
    esac
    for marker in SIM-SECRET-MARKER U0lNLVNFQ1JFVC1NQVJLRVI6 SIM-ENV-MARKER token; do
        label=$marker
        [ "$marker" = token ] && marker=$SIM_TOKEN label="the bearer token"
        n=$(grep -ac -- "$marker" "$f")
        [ "$n" = 0 ]
        ok $? "$(basename "$f") $when: grep -c $label = $n"
    done
done
plan_done
