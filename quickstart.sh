#!/bin/sh
# SPDX-License-Identifier: MIT
# quickstart.sh - set up a fresh Debian 12 machine, build, then open the demo or run every test.
#
#   ./quickstart.sh demo   install what is missing, build, open the console on the simulated
#                          platform (its own temporary kubeconfig and data directory)
#   ./quickstart.sh test   install what is missing, build with ASan+UBSan, run `make check`,
#                          print "N passed, N failed[, N skipped]"
#
# Runs as root or through sudo (apt-get). Idempotent: a second run installs nothing.
set -eu

cmd=${1:-demo}
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

case $cmd in
demo|test) ;;
*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "quickstart: run as root or install sudo" >&2; exit 1; }
    SUDO=sudo
fi

# --- packages -----------------------------------------------------------------
build_pkgs="autoconf automake libtool pkg-config make gcc libncurses-dev libcurl4-openssl-dev
  libyaml-dev libssl-dev libsqlite3-dev libpcre2-dev libdeflate-dev zlib1g-dev python3 openssl curl prometheus"
test_pkgs="check clang tmux valgrind sqlite3 man-db"

missing=
for p in $build_pkgs $( [ "$cmd" = test ] && echo "$test_pkgs" ); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    # Installing a server package must not start anything on this machine.
    [ -x /usr/sbin/policy-rc.d ] || {
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod +x /usr/sbin/policy-rc.d
    }
    echo "quickstart: installing$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# kubectl 1.20 (Debian's kubernetes-client) is the real client the fidelity tests drive against
# the simulated API server. It cannot be installed beside another /usr/bin/kubectl, so it is
# unpacked into the build tree.
fetch_kubectl() {
    dir=$1
    [ -x "$dir/usr/bin/kubectl" ] && return 0
    mkdir -p "$dir"
    ( cd "$dir" && apt-get download kubernetes-client >/dev/null 2>&1 \
        && dpkg-deb -x kubernetes-client_*.deb . && rm -f kubernetes-client_*.deb ) || {
        echo "quickstart: could not fetch kubernetes-client (kubectl 1.20)" >&2
        return 1
    }
}

# --- build --------------------------------------------------------------------
[ -x configure ] || autoreconf -fi >/dev/null
if [ "$cmd" = demo ]; then
    mkdir -p build && cd build
    [ -f Makefile ] || ../configure --enable-werror -q
    make -j"$(nproc)" -s
    exec ../sim/demo.sh "$PWD/opsdeck"
fi

mkdir -p build-test && cd build-test
[ -f Makefile ] || ../configure --enable-werror --enable-debug --enable-sanitizers -q
make -j"$(nproc)" -s
fetch_kubectl "$PWD/tools"
export KUBECTL120="$PWD/tools/usr/bin/kubectl"

status=0
make -j"$(nproc)" -k check >check.out 2>&1 || status=$?
tail -n 25 check.out

# The harness counts test cases (every test speaks TAP); ERROR and XPASS count as failures.
count() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" test-suite.log | head -n 1; }
pass=$(count PASS); fail=$(count FAIL); err=$(count ERROR); xpass=$(count XPASS); skip=$(count SKIP)
failed=$(( ${fail:-0} + ${err:-0} + ${xpass:-0} ))
if [ -z "$pass" ]; then
    echo "quickstart: no test summary (build or harness failure)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if [ "$failed" -gt 0 ]; then
    grep -E '^(FAIL|ERROR|XPASS):' test-suite.log | head -n 40 || true
fi
line="$pass passed, $failed failed"
[ "${skip:-0}" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
