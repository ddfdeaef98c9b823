#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-config.sh - bad configuration for `opsdeck get`: kubeconfigs with broken
# YAML, wrong types, missing fields and entries, missing files, a CA that did not sign the
# server, an unreadable tokenFile; exec credential plugins that fail, print garbage, are missing
# (installHint), return a refused or expired credential; platform files with an unknown key or
# a bad value. Each: exit status 1, one line naming the file and line or entry, nothing on
# stdout, cache.db unchanged. And what must keep working (KUBECONFIG with a missing file, an
# explicit insecure-skip-tls-verify, a readable tokenFile, a v1beta1 plugin). TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

cli_start_sim
t=$CLI_DIR/t
k=$CLI_DIR/kc

ops get nodes -o json > "$t.nodes" 2> "$t.err" && ops get pods -A -o json > /dev/null 2>> "$t.err"
ok $? "good data first: get nodes, get pods -A" || diag "$(cat "$t.err")"
cli_cache_dump "$t.base"
export OPSDECK_CLOCK=2026-11-24T04:00:00Z

# bad NAME REGEX OPSDECK_ARGS...: exit 1, nothing on stdout, one line on stderr matching REGEX
# (grep -E), cache.db unchanged. Two cases.
bad() {
    name=$1
    want=$2
    shift 2
    ops_raw "$@" > "$t.out" 2> "$t.err"
    r=$?
    [ $r -eq 1 ] && [ ! -s "$t.out" ] && [ "$(wc -l < "$t.err")" -eq 1 ] &&
        grep -Eq -- "$want" "$t.err"
    ok $? "$name: exit 1: $(cat "$t.err")" || diag "exit $r, wanted /$want/"
    cli_cache_dump "$t.now"
    cmp -s "$t.base" "$t.now"
    ok $? "$name: cache.db unchanged" || diag "$(diff "$t.base" "$t.now" | head -5)"
}

# good NAME OPSDECK_ARGS...: get nodes -o json works and prints the nodes (one case).
good() {
    name=$1
    shift
    ops_raw "$@" > "$t.out" 2> "$t.err"
    r=$?
    [ $r -eq 0 ] && [ ! -s "$t.err" ] && cmp -s "$t.out" "$t.nodes"
    ok $? "$name: get nodes works (exit $r)" || diag "$(cat "$t.err")"
    cli_cache_dump "$t.base"            # it refreshed the cache: the new reference
}

# --- kubeconfig files -------------------------------------------------------------------------
printf 'apiVersion: v1\nclusters:\n- cluster:\n    server: [unclosed\n  name: x\n' > "$k.yaml"
bad "kubeconfig with broken YAML" "^opsdeck: $k.yaml:[0-9]+:[0-9]+: .*flow sequence" \
    --kubeconfig "$k.yaml" get nodes
printf -- '- just\n- a list\n' > "$k.list"
bad "kubeconfig that is not a mapping" "^opsdeck: $k.list:1: expected a mapping, got a sequence$" \
    --kubeconfig "$k.list" get nodes
: > "$k.empty"
bad "empty kubeconfig (no current-context)" \
    "^opsdeck: no context chosen: current-context is not set in $k.empty; choose one with --context$" \
    --kubeconfig "$k.empty" get nodes
sed 's/^    cluster: default$/    cluster: nosuch/' "$SIM_KUBECONFIG" > "$k.nocluster"
bad "context naming a missing cluster" \
    "^opsdeck: $k.nocluster:[0-9]+: context \"default\": cluster \"nosuch\" not found$" \
    --kubeconfig "$k.nocluster" get nodes
sed 's/^    user: default$/    user: nosuchuser/' "$SIM_KUBECONFIG" > "$k.nouser"
bad "context naming a missing user" \
    "^opsdeck: $k.nouser:[0-9]+: context \"default\": user \"nosuchuser\" not found$" \
    --kubeconfig "$k.nouser" get pods -A
sed 's/^current-context: default$/current-context: gone/' "$SIM_KUBECONFIG" > "$k.nocurrent"
bad "current-context naming a missing context" \
    "^opsdeck: $k.nocurrent:[0-9]+: current-context: context \"gone\" is not defined$" \
    --kubeconfig "$k.nocurrent" get nodes
bad "--context naming a missing context" \
    "^opsdeck: context \"nope\" not found in $SIM_KUBECONFIG$" \
    --kubeconfig "$SIM_KUBECONFIG" --context nope get nodes
grep -v '^    server: ' "$SIM_KUBECONFIG" > "$k.noserver"
bad "cluster without a server" "^opsdeck: $k.noserver:[0-9]+: cluster \"default\": no server$" \
    --kubeconfig "$k.noserver" get nodes
sed 's/^    server: .*/    server: [1, 2]/' "$SIM_KUBECONFIG" > "$k.wrongtype"
bad "server of the wrong type" \
    "^opsdeck: $k.wrongtype:[0-9]+: clusters\[0\]\.cluster\.server: expected a string, got a sequence$" \
    --kubeconfig "$k.wrongtype" get nodes
sed "s/^    token: .*/    token: a\n    token: b/" "$SIM_KUBECONFIG" > "$k.dup"
bad "a duplicate key" \
    "^opsdeck: $k.dup:[0-9]+: users\[0\]\.user\.token: duplicate key \(first at line [0-9]+\)$" \
    --kubeconfig "$k.dup" get nodes
sed "s#^    certificate-authority-data: .*#    certificate-authority: $CLI_DIR/missing-ca.crt#" \
    "$SIM_KUBECONFIG" > "$k.cafile"
bad "certificate-authority naming a missing file" \
    "^opsdeck: $k.cafile:[0-9]+: cluster \"default\": cannot read certificate-authority $CLI_DIR/missing-ca.crt: No such file or directory$" \
    --kubeconfig "$k.cafile" get nodes
sed "s#^    certificate-authority-data: .*#    certificate-authority-data: '!!not base64'#" \
    "$SIM_KUBECONFIG" > "$k.cadata"
bad "certificate-authority-data that is not base64" \
    "^opsdeck: $k.cadata:[0-9]+: cluster \"default\": certificate-authority-data is not valid base64" \
    --kubeconfig "$k.cadata" get nodes
bad "--kubeconfig naming a missing file" "^opsdeck: $CLI_DIR/nowhere: No such file or directory$" \
    --kubeconfig "$CLI_DIR/nowhere" get nodes
bad "--kubeconfig naming a directory" "^opsdeck: $CLI_DIR: .+" --kubeconfig "$CLI_DIR" get nodes

# TLS is verified with the kubeconfig's CA: another CA is refused, and so is no CA at all.
sh "$top_srcdir/sim/mkcerts.sh" "$CLI_DIR/other-pki" > /dev/null 2>&1
sed "s#^    certificate-authority-data: .*#    certificate-authority-data: $(base64 -w0 < "$CLI_DIR/other-pki/ca.crt")#" \
    "$SIM_KUBECONFIG" > "$k.otherca"
bad "a CA that did not sign the server's certificate" \
    "^opsdeck: $SIM_URL: listing nodes: SSL certificate problem: " \
    --kubeconfig "$k.otherca" get nodes
grep -v '^    certificate-authority-data: ' "$SIM_KUBECONFIG" > "$k.noca"
bad "no CA in the kubeconfig (not trusted by default)" \
    "^opsdeck: $SIM_URL: listing nodes: SSL certificate problem: " --kubeconfig "$k.noca" get nodes
sed 's/^    certificate-authority-data: .*/    insecure-skip-tls-verify: true/' "$SIM_KUBECONFIG" \
    > "$k.insecure"
good "insecure-skip-tls-verify: true, as the kubeconfig says" --kubeconfig "$k.insecure" get nodes -o json

KUBECONFIG=$CLI_DIR/missing-1:$SIM_KUBECONFIG good "KUBECONFIG with a missing file first (ignored, as kubectl)" \
    get nodes -o json

# tokenFile
kc_write "$k.tokenfile" "" "    tokenFile: $CLI_DIR/token"
bad "tokenFile that does not exist" \
    "^opsdeck: $SIM_URL: listing nodes: tokenFile $CLI_DIR/token: No such file or directory \(401 Unauthorized: Unauthorized\)$" \
    --kubeconfig "$k.tokenfile" get nodes
(umask 077 && printf '%s\n' "$SIM_TOKEN" > "$CLI_DIR/token")
good "tokenFile with the token" --kubeconfig "$k.tokenfile" get nodes -o json

# --- exec credential plugins ------------------------------------------------------------------
# plugin NAME BODY: an executable script $CLI_DIR/NAME; each run appends a line to NAME.runs.
plugin() {
    {
        echo '#!/bin/sh'
        echo "echo run >> '$CLI_DIR/$1.runs'"
        printf '%s\n' "$2"
    } > "$CLI_DIR/$1"
    chmod +x "$CLI_DIR/$1"
    rm -f "$CLI_DIR/$1.runs"
}
runs() {
    if [ -f "$CLI_DIR/$1.runs" ]; then wc -l < "$CLI_DIR/$1.runs"; else echo 0; fi
}
# exec_kc FILE COMMAND [API_VERSION [EXTRA_LINES]]
exec_kc() {
    kc_write "$1" "" "    exec:
      apiVersion: ${3:-client.authentication.k8s.io/v1}
      command: $2
      interactiveMode: Never${4:+
$4}"
}
cred() {
    printf 'cat <<EOF\n{"apiVersion": "%s", "kind": "ExecCredential", "status": {"token": "%s"%s}}\nEOF\n' \
        "$1" "$2" "${3:+, \"expirationTimestamp\": \"$3\"}"
}

plugin fails 'echo "error: could not refresh the SSO session: token revoked" >&2; exit 3'
exec_kc "$k.fails" "$CLI_DIR/fails"
bad "exec plugin exits 3 with a message on stderr" \
    "^opsdeck: $SIM_URL: listing nodes: exec plugin $CLI_DIR/fails failed with exit status 3: error: could not refresh the SSO session: token revoked$" \
    --kubeconfig "$k.fails" get nodes

plugin garbage 'echo "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"status\": {"'
exec_kc "$k.garbage" "$CLI_DIR/garbage"
bad "exec plugin prints malformed JSON" \
    "^opsdeck: $SIM_URL: listing nodes: exec plugin $CLI_DIR/garbage: malformed ExecCredential: " \
    --kubeconfig "$k.garbage" get nodes

plugin oldapi "$(cred client.authentication.k8s.io/v1beta1 "$SIM_TOKEN")"
exec_kc "$k.oldapi" "$CLI_DIR/oldapi"
bad "exec plugin answers another apiVersion than asked" \
    "^opsdeck: $SIM_URL: listing nodes: exec plugin $CLI_DIR/oldapi: plugin returned apiVersion \"client.authentication.k8s.io/v1beta1\", expected \"client.authentication.k8s.io/v1\"$" \
    --kubeconfig "$k.oldapi" get nodes
exec_kc "$k.beta" "$CLI_DIR/oldapi" client.authentication.k8s.io/v1beta1
good "a v1beta1 exec plugin" --kubeconfig "$k.beta" get nodes -o json

exec_kc "$k.missing" opsdeck-no-such-plugin "" "      installHint: |
        Install the SSO helper: apt-get install corp-sso"
bad "exec plugin command not found: the installHint is shown" \
    "^opsdeck: $SIM_URL: listing nodes: exec plugin opsdeck-no-such-plugin not found: Install the SSO helper: apt-get install corp-sso" \
    --kubeconfig "$k.missing" get nodes

plugin refused "$(cred client.authentication.k8s.io/v1 not-the-token 2026-11-24T05:00:00Z)"
exec_kc "$k.refused" "$CLI_DIR/refused"
bad "exec credential refused (401)" "^opsdeck: $SIM_URL: listing nodes: 401 Unauthorized: Unauthorized$" \
    --kubeconfig "$k.refused" get nodes
[ "$(runs refused)" -eq 2 ]
ok $? "exec credential refused: the plugin ran again once on the 401, no more ($(runs refused) runs)"

# The server's clock says 03:12 (the sim's): the credential expired at 03:00.
plugin expired "$(cred client.authentication.k8s.io/v1 not-the-token 2026-11-24T03:00:00Z)"
exec_kc "$k.expired" "$CLI_DIR/expired"
bad "exec credential expired (401)" \
    "^opsdeck: $SIM_URL: listing nodes: exec credential expired at 2026-11-24T03:00:00Z \(401 Unauthorized: Unauthorized\)$" \
    --kubeconfig "$k.expired" get nodes

plugin works "$(cred client.authentication.k8s.io/v1 "$SIM_TOKEN" 2026-11-24T05:00:00Z)"
exec_kc "$k.works" "$CLI_DIR/works"
good "an exec plugin with a valid credential" --kubeconfig "$k.works" get nodes -o json
[ "$(runs works)" -eq 1 ]
ok $? "the valid credential: the plugin ran once ($(runs works) runs)"

# --- platform files ---------------------------------------------------------------------------
p=$CLI_DIR/platform
printf 'name: test\nreadonlyy: true\n' > "$p.unknown"
bad "platform file with an unknown key" \
    "^opsdeck: $p.unknown:2: readonlyy: unknown key \(did you mean readonly\?\)$" \
    --platform "$p.unknown" --kubeconfig "$SIM_KUBECONFIG" get nodes
printf 'name: test\ncluster:\n  context: default\n  kubeconfg: x\n' > "$p.nested"
bad "platform file with an unknown nested key" \
    "^opsdeck: $p.nested:4: cluster\.kubeconfg: unknown key \(did you mean kubeconfig\?\)$" \
    --platform "$p.nested" --kubeconfig "$SIM_KUBECONFIG" get nodes
printf 'readonly: maybe\n' > "$p.value"
bad "platform file with a bad value" \
    "^opsdeck: $p.value:1: readonly: expected a boolean \(true or false\), got \"maybe\"$" \
    --platform "$p.value" --kubeconfig "$SIM_KUBECONFIG" get nodes
printf 'name: [broken\n' > "$p.yaml"
bad "platform file with broken YAML" "^opsdeck: $p.yaml:[0-9]+:[0-9]+: " \
    --platform "$p.yaml" --kubeconfig "$SIM_KUBECONFIG" get nodes
bad "--platform naming a missing file" "^opsdeck: $CLI_DIR/none.yml: No such file or directory$" \
    --platform "$CLI_DIR/none.yml" --kubeconfig "$SIM_KUBECONFIG" get nodes
mkdir -p "$XDG_CONFIG_HOME/opsdeck"
cp "$p.unknown" "$XDG_CONFIG_HOME/opsdeck/platform.yml"
bad "the platform file found in \$XDG_CONFIG_HOME with an unknown key" \
    "^opsdeck: $XDG_CONFIG_HOME/opsdeck/platform.yml:2: readonlyy: unknown key" \
    --kubeconfig "$SIM_KUBECONFIG" get nodes
rm -f "$XDG_CONFIG_HOME/opsdeck/platform.yml"
bad "--loki with a URL that is not http(s)" \
    "^opsdeck: --loki ftp://loki\.example: expected an http:// or https:// URL$" \
    --kubeconfig "$SIM_KUBECONFIG" --loki ftp://loki.example get nodes
bad "--prometheus empty" '^opsdeck: --prometheus "": expected an http:// or https:// URL$' \
    --kubeconfig "$SIM_KUBECONFIG" --prometheus "" get nodes
good "--loki and --prometheus with good URLs (get nodes does not use them)" \
    --kubeconfig "$SIM_KUBECONFIG" --loki http://127.0.0.1:1 --prometheus https://127.0.0.1:1/ \
    get nodes -o json
good "the example platform of seeds/001 with --kubeconfig" \
    --platform "$top_srcdir/examples/deploy-mcp/platform.yml" --kubeconfig "$SIM_KUBECONFIG" \
    get nodes -o json

plan_done
