#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-usage.sh - `opsdeck --help`, `--version`, and usage errors: exit status
# 2, one clear message and the hint on stderr, nothing on stdout, no file created — also when
# the platform file or the kubeconfig is broken (a usage error is found first). TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

t=$CLI_DIR/t

ops_raw --help > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ] && grep -q '^usage: opsdeck \[OPTIONS\]' "$t.out" &&
    grep -q 'get nodes|pods|tenants \[-n NS | -A\] \[-o table|json\] \[--cached\]' "$t.out" &&
    grep -q ' info ' "$t.out" && grep -q ' cache clear ' "$t.out"
ok $? "--help: exit 0, the usage of get, info and cache clear on stdout (exit $r)"

pycheck "$t.out" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for opt in ("--platform", "--kubeconfig", "--context", "--request-timeout", "--max-response",
            "--log", "--namespace", "--all-namespaces", "--output", "--cached", "--help",
            "--version"):
    assert re.search(r"(^|\s)%s\b" % re.escape(opt), text), opt
EOF
ok $? "--help names every option of the one-shot commands"

ops_raw -h > "$t.out2" 2>&1
cmp -s "$t.out" "$t.out2"
ok $? "-h prints the same help"

ops_raw --version > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$t.err" ] && grep -Eqx 'opsdeck [0-9]+\.[0-9]+\.[0-9]+' "$t.out" &&
    [ "$(wc -l < "$t.out")" -eq 1 ]
ok $? "--version prints one line, opsdeck X.Y.Z (exit $r: $(cat "$t.out"))"
v=$(sed 's/^opsdeck //' "$t.out")
grep -q "^\.TH OPSDECK 1 .*\"opsdeck $v\"" "$top_srcdir/docs/opsdeck.1"
ok $? "the man page carries the same version ($v)"
ops_raw -V > "$t.out2" 2>&1
cmp -s "$t.out" "$t.out2"
ok $? "-V prints the same version"

# usage ARGS -- EXPECTED: exit 2, stderr is "opsdeck: <EXPECTED...>" then the hint, stdout empty.
usage() {
    want=
    args=
    seen=0
    for a in "$@"; do
        if [ "$seen" = 1 ]; then
            want=$a
        elif [ "$a" = -- ]; then
            seen=1
        else
            args="$args '$a'"
        fi
    done
    eval "ops_raw $args" > "$t.out" 2> "$t.err"
    r=$?
    first=$(head -n 1 "$t.err")
    [ $r -eq 2 ] && [ ! -s "$t.out" ] && [ "$(wc -l < "$t.err")" -eq 2 ] &&
        [ "$(sed -n 2p "$t.err")" = "Try 'opsdeck --help'." ] &&
        case $first in *"$want"*) true ;; *) false ;; esac
    ok $? "usage error:$args -> exit 2, '$want' (exit $r: $first)"
}

usage frobnicate -- "opsdeck: unknown command 'frobnicate' (get, logs, query, info, cache)"
usage get nodes -n kube-system -- "opsdeck: get nodes: -n/-A apply to pods only"
usage get tenants -A -- "opsdeck: get tenants: -n/-A apply to pods only"
usage get pods -o yaml -- "opsdeck: -o: unknown output format 'yaml' (table or json)"
usage get pods -n dp-max-catapp -A -- "opsdeck: get: -n and -A exclude each other"
usage get -- "opsdeck: get: what? (nodes, pods, tenants or builds)"
usage get deployments -- "opsdeck: get: unknown resource 'deployments' (nodes, pods, tenants or builds)"
usage get pods extra -- "opsdeck: unexpected argument 'extra'"
usage info extra -- "opsdeck: unexpected argument 'extra'"
usage cache -- "opsdeck: cache: what? (clear)"
usage cache purge -- "opsdeck: cache: unknown action 'purge' (clear)"
usage cache clear now -- "opsdeck: unexpected argument 'now'"
usage -o json info -- "opsdeck: -n, -A, -o and --cached belong to 'get'"
usage --cached -- "opsdeck: -n, -A, -o and --cached belong to 'get'"
usage --bogus get nodes -- "unrecognized option '--bogus'"
usage get pods -n -- "option requires an argument -- 'n'"
usage get pods -n "" -- "opsdeck: -n: '' is not a namespace name (lowercase letters, digits and '-', at most 63)"
usage get pods -n ../../nodes -- "opsdeck: -n: '../../nodes' is not a namespace name"
usage get pods -n dp-max-catapp?watch=1 -- "opsdeck: -n: 'dp-max-catapp?watch=1' is not a namespace name"
usage get pods -n DP-MAX -- "opsdeck: -n: 'DP-MAX' is not a namespace name"
usage get pods -n -dp -- "opsdeck: -n: '-dp' is not a namespace name"
usage --request-timeout abc get nodes -- "opsdeck: --request-timeout: not a number of seconds (1-3600): abc"
usage --request-timeout 0 get nodes -- "opsdeck: --request-timeout: not a number of seconds (1-3600): 0"
usage --max-response 0 get nodes -- "opsdeck: --max-response: not a size in MB (1-4096): 0"
usage --max-response 5000 get nodes -- "opsdeck: --max-response: not a size in MB (1-4096): 5000"

# Usage errors come before any file is read: a broken platform file or a missing kubeconfig
# does not turn them into configuration errors (exit 1).
printf 'name: broken\nreadonlyy: true\n' > "$CLI_DIR/broken-platform.yml"
usage --platform "$CLI_DIR/broken-platform.yml" frobnicate -- "opsdeck: unknown command 'frobnicate'"
usage --platform "$CLI_DIR/broken-platform.yml" cache -- "opsdeck: cache: what? (clear)"
usage --platform "$CLI_DIR/broken-platform.yml" get pods -o yaml -- "opsdeck: -o: unknown output format 'yaml'"
usage --kubeconfig "$CLI_DIR/missing" frobnicate -- "opsdeck: unknown command 'frobnicate'"

[ ! -e "$XDG_CACHE_HOME" ] && [ ! -e "$XDG_STATE_HOME" ] && [ ! -e "$XDG_CONFIG_HOME" ]
ok $? "no usage error, --help or --version created a directory or a file"

plan_done
