# SPDX-License-Identifier: MIT
# tests/lib/prom.sh - the simulated node exporters and the real Prometheus for tests:
# prom_start/prom_stop/prom_ctl/prom_query/prom_scrape (see sim/prom.sh and sim/README.md).
# Sourcing it installs a trap that stops them and removes PROM_DIR on EXIT, HUP, INT and TERM;
# when tests/lib/sim.sh was sourced before, the same trap also runs sim_cleanup (source
# sim.sh first, then prom.sh). Set PROM_NO_TRAP=1 before sourcing to manage that yourself
# (then call prom_cleanup from your own trap).

if [ -n "${top_srcdir:-}" ]; then
    PROM_HOME=$top_srcdir/sim
else
    # Not under make check: find sim/ above the sourcing script.
    PROM_HOME=$(cd "$(dirname "$0")" && pwd)
    while [ ! -f "$PROM_HOME/sim/nodeexp.py" ] && [ "$PROM_HOME" != / ]; do
        PROM_HOME=$(dirname "$PROM_HOME")
    done
    PROM_HOME=$PROM_HOME/sim
fi
. "$PROM_HOME/prom.sh"

prom__trap_cleanup() {
    prom_cleanup
    if command -v sim_cleanup > /dev/null 2>&1 && [ "${SIM_NO_TRAP:-0}" != 1 ]; then
        sim_cleanup
    fi
}

if [ "${PROM_NO_TRAP:-0}" != 1 ]; then
    trap 'prom__trap_cleanup' EXIT
    trap 'prom__trap_cleanup; trap - EXIT; exit 129' HUP
    trap 'prom__trap_cleanup; trap - EXIT; exit 130' INT
    trap 'prom__trap_cleanup; trap - EXIT; exit 143' TERM
fi
