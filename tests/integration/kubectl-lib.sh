# SPDX-License-Identifier: MIT
# tests/integration/kubectl-lib.sh - shared by the kubectl fidelity tests (not a test itself).
# Finds the real kubectl 1.20 (Debian's kubernetes-client): $KUBECTL120, else
# $top_builddir/tools/usr/bin/kubectl, else downloads the package once into $top_builddir/tools
# (apt-get download + dpkg-deb -x; it cannot be installed beside another /usr/bin/kubectl).
# A kubectl that cannot be found or fetched is a failure, never a skip.

kubectl_find() {
    if [ -n "${KUBECTL120:-}" ]; then
        [ -x "$KUBECTL120" ] || { echo "KUBECTL120=$KUBECTL120 is not executable" >&2; return 1; }
        KUBECTL=$KUBECTL120
        return 0
    fi
    kl_tools=${top_builddir:-.}/tools
    KUBECTL=$kl_tools/usr/bin/kubectl
    [ -x "$KUBECTL" ] && return 0
    mkdir -p "$kl_tools"
    # Two kubectl tests may run at once under make -j: one downloads, the other waits.
    kl_lock=$kl_tools/.fetch.lock
    kl_waited=0
    until mkdir "$kl_lock" 2>/dev/null; do
        [ -x "$KUBECTL" ] && return 0
        kl_waited=$((kl_waited + 1))
        if [ "$kl_waited" -gt 1200 ]; then
            echo "kubectl: gave up waiting for another download (stale $kl_lock?)" >&2
            return 1
        fi
        sleep 0.1
    done
    kl_status=0
    if [ ! -x "$KUBECTL" ]; then
        kl_tmp=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-fetch.XXXXXX")
        if (cd "$kl_tmp" && timeout 300 apt-get download kubernetes-client >/dev/null 2>&1 &&
            dpkg-deb -x kubernetes-client_*.deb "$kl_tools"); then
            :
        else
            echo "kubectl: apt-get download kubernetes-client failed" >&2
            kl_status=1
        fi
        rm -rf "$kl_tmp"
    fi
    rmdir "$kl_lock"
    [ "$kl_status" -eq 0 ] && [ -x "$KUBECTL" ]
}

# kc ARGS... - kubectl against the sim with a private cache ($KC_CACHE, default one per sim
# directory) and home, bounded in time.
kc() {
    HOME=$SIM_DIR/home timeout 60 "$KUBECTL" --kubeconfig "$SIM_KUBECONFIG" \
        --cache-dir "${KC_CACHE:-$SIM_DIR/kube-cache}" "$@"
}

# py CODE ARGS... - a small python check.
py() {
    kl_code=$1
    shift
    "${PYTHON3:-python3}" -c "$kl_code" "$@"
}
