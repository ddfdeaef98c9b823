#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/query.sh - `opsdeck query EXPR` against `promtool query instant` on the same real
# Prometheus (the simulated exporters, an hour backfilled), side by side, and the bytes one
# node-metrics refresh costs for the seed platform (5 nodes) and for 500 nodes.
#
#   bench/query.sh --builddir DIR [--runs N] [--nodes N]
#
# DIR is a build with opsdeck, bench/runstat and tests/integration/prom-driver (`make
# bench/runstat tests/integration/prom-driver`); measure a release build (no sanitizers).
# Each round runs both tools once per expression, the order alternating from round to round;
# wall times come from runstat; figures are medians with min-max. Prints a Markdown table.
set -eu

builddir=
runs=15
large=500
while [ $# -gt 0 ]; do
    case $1 in
        --builddir) builddir=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --nodes) large=$2; shift 2 ;;
        *) echo "usage: $0 --builddir DIR [--runs N] [--nodes N]" >&2; exit 2 ;;
    esac
done
[ -n "$builddir" ] || { echo "$0: --builddir DIR" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir
OPSDECK=$builddir/opsdeck
RUNSTAT=$builddir/bench/runstat
DRIVER=$builddir/tests/integration/prom-driver
PROMTOOL=${PROMTOOL:-promtool}
for f in "$OPSDECK" "$RUNSTAT" "$DRIVER"; do
    [ -x "$f" ] ||
        { echo "$0: no $f (make bench/runstat tests/integration/prom-driver)" >&2; exit 1; }
done
if grep -q -- '-fsanitize' "$builddir/config.log" 2>/dev/null; then
    echo "$0: warning: $builddir is a sanitizer build; its figures are not the product's" >&2
fi

. "$top_srcdir/tests/lib/prom.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-benchq.XXXXXX")
trap 'prom_cleanup; rm -rf "$work"' EXIT
trap 'prom_cleanup; rm -rf "$work"; trap - EXIT; exit 130' INT TERM HUP
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache
export XDG_STATE_HOME=$work/state LC_ALL=C.UTF-8
unset KUBECONFIG
mkdir -p "$HOME"
export OPSDECK_CLOCK=2026-11-24T03:12:00Z

median_of() { # FILE COLUMN: "median (min-max)" in ms
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c * 1000 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
              printf "%.1f (%.1f-%.1f)", m, v[1], v[NR] }'
}
median_num() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# One tool, one expression, one run: its wall time appended to $work/NAME.
run_one() {
    name=$1
    shift
    "$RUNSTAT" "$work/stat" "$@" > "$work/out.$name" 2>&1 ||
        { echo "$0: $name failed:" >&2; cat "$work/out.$name" >&2; exit 1; }
    awk '{ print $1 }' "$work/stat" >> "$work/$name"
}

prom_start --clock "$OPSDECK_CLOCK" > "$work/prom.log" 2>&1 || { cat "$work/prom.log" >&2; exit 1; }
version=$("$PROMETHEUS" --version 2>&1 | awk 'NR == 1 { print $3 }')
echo "# opsdeck query vs promtool query instant ($runs rounds, Prometheus $version," \
    "load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| expression | opsdeck ms | promtool ms | ratio |"
echo "|---|---|---|---|"
i=0
for expr in 'up' \
    '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))' \
    'node_cpu_seconds_total'; do
    i=$((i + 1))
    r=0
    while [ $r -lt "$runs" ]; do
        if [ $((r % 2)) -eq 0 ]; then
            run_one "o$i" "$OPSDECK" --prometheus "$PROM_URL" query --time "$OPSDECK_CLOCK" "$expr"
            run_one "p$i" "$PROMTOOL" query instant --time="$OPSDECK_CLOCK" "$PROM_URL" "$expr"
        else
            run_one "p$i" "$PROMTOOL" query instant --time="$OPSDECK_CLOCK" "$PROM_URL" "$expr"
            run_one "o$i" "$OPSDECK" --prometheus "$PROM_URL" query --time "$OPSDECK_CLOCK" "$expr"
        fi
        r=$((r + 1))
    done
    om=$(median_num "$work/o$i")
    pm=$(median_num "$work/p$i")
    lines=$(wc -l < "$work/out.p$i")
    ratio=$(awk -v o="$om" -v p="$pm" 'BEGIN { printf "%.2f", o / p }')
    echo "| \`$expr\` ($lines series) | $(median_of "$work/o$i" 1) |" \
        "$(median_of "$work/p$i" 1) | $ratio |"
done
prom_stop

echo
echo "# bytes per node-metrics refresh (3 range queries of 60 points + node_uname_info)"
echo
echo "| nodes | bytes per refresh | requests | refresh ms |"
echo "|---|---|---|---|"
for n in 5 "$large"; do
    prom_start --clock "$OPSDECK_CLOCK" --nodes "$n" > "$work/prom.log" 2>&1 ||
        { cat "$work/prom.log" >&2; exit 1; }
    "$RUNSTAT" "$work/stat" "$DRIVER" metrics "$PROM_URL" 3 > "$work/metrics.out"
    got=$(grep -c ' cpu=' "$work/metrics.out")
    [ "$got" -eq "$n" ] || { echo "$0: $got of $n nodes had metrics" >&2; exit 1; }
    ms=$(awk '{ printf "%.0f", $1 * 1000 / 3 }' "$work/stat")
    sed -n "s/^refreshes=3 bytes=\([0-9]*\) requests=\([0-9]*\)$/| $n | \1 | \2 | $ms |/p" \
        "$work/metrics.out"
    prom_stop
done
