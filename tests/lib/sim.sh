# SPDX-License-Identifier: MIT
# tests/lib/sim.sh - the simulated platform for tests: sim_start/sim_stop/sim_restart/sim_ctl
# (see sim/lib.sh and sim/README.md). Sourcing it installs a trap that stops the sim and
# removes its directory on EXIT, HUP, INT and TERM; set SIM_NO_TRAP=1 before sourcing to manage
# that yourself (then call sim_cleanup from your own trap).

if [ -n "${top_srcdir:-}" ]; then
    SIM_HOME=$top_srcdir/sim
else
    # Not under make check: find sim/ above the sourcing script.
    SIM_HOME=$(cd "$(dirname "$0")" && pwd)
    while [ ! -f "$SIM_HOME/sim/kubesim.py" ] && [ "$SIM_HOME" != / ]; do
        SIM_HOME=$(dirname "$SIM_HOME")
    done
    SIM_HOME=$SIM_HOME/sim
fi
. "$SIM_HOME/lib.sh"

if [ "${SIM_NO_TRAP:-0}" != 1 ]; then
    trap 'sim_cleanup' EXIT
    trap 'sim_cleanup; trap - EXIT; exit 129' HUP
    trap 'sim_cleanup; trap - EXIT; exit 130' INT
    trap 'sim_cleanup; trap - EXIT; exit 143' TERM
fi
