#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh - the platform benchmarks of issue #2 (see bench/README.md); prints a table.
#
#   bench/run.sh [--builddir DIR] [--no-kubectl] [opsbench options] [PART...]
#
# PART: all (default), get, screen, console (memory, watch events, idle terminal on the large
# platform), idle (network and terminal bytes on the seed platform). Options of opsbench.py:
# --runs N (5), --long (adds the 10-minute idle window), --json FILE, --rows/--cols (50x160),
# --events N, --paced N, --rate R, --keep. The build directory (default: the current one, or
# $top_builddir) must hold opsdeck and bench/runstat: measure a release build (configure
# without --enable-debug and --enable-sanitizers). kubectl 1.20 is $KUBECTL120, else the
# copy the kubectl tests unpack into DIR/tools (downloaded once with apt-get download).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${top_builddir:-.}
use_kubectl=1
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) builddir=$2; shift 2 ;;
    --builddir=*) builddir=${1#*=}; shift ;;
    --no-kubectl) use_kubectl=0; shift ;;
    *) break ;;
    esac
done
builddir=$(cd "$builddir" && pwd)
opsdeck=${OPSDECK:-$builddir/opsdeck}
runstat=$builddir/bench/runstat
for f in "$opsdeck" "$runstat"; do
    [ -x "$f" ] || { echo "run.sh: $f not built (make opsdeck bench/runstat)" >&2; exit 1; }
done
if [ -f "$builddir/config.log" ] &&
    grep -Eq -- '--enable-(debug|sanitizers)' "$builddir/config.log" 2>/dev/null &&
    ! grep -Eq -- '--enable-(debug|sanitizers)=no' "$builddir/config.log"; then
    echo "run.sh: warning: $builddir is a debug or sanitizer build; figures will be slow" >&2
fi

kubectl=
if [ "$use_kubectl" = 1 ]; then
    top_builddir=$builddir
    . "$srcdir/tests/integration/kubectl-lib.sh"
    kubectl_find || { echo "run.sh: kubectl 1.20 not found (--no-kubectl to leave it out)" >&2
                      exit 1; }
    kubectl=$KUBECTL
fi
command -v curl > /dev/null || { echo "run.sh: curl is needed" >&2; exit 1; }

exec "${PYTHON3:-python3}" "$srcdir/bench/opsbench.py" --srcdir "$srcdir" --opsdeck "$opsdeck" \
    --runstat "$runstat" --kubectl "$kubectl" "$@"
