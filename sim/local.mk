# SPDX-License-Identifier: MIT
# sim/local.mk - the simulated platform (Python 3, standard library) and its tests

EXTRA_DIST += sim/README.md
EXTRA_DIST += sim/demo.sh
EXTRA_DIST += sim/fixtures
EXTRA_DIST += sim/kubesim.py
EXTRA_DIST += sim/lib.sh
EXTRA_DIST += sim/lokisim.py
EXTRA_DIST += sim/mkcerts.sh
EXTRA_DIST += sim/simlib/__init__.py
EXTRA_DIST += sim/simlib/discovery.py
EXTRA_DIST += sim/simlib/logql.py
EXTRA_DIST += sim/simlib/logs.py
EXTRA_DIST += sim/simlib/platform.py
EXTRA_DIST += sim/simlib/printers.py
EXTRA_DIST += sim/simlib/scenarios.py
EXTRA_DIST += sim/simlib/selectors.py
EXTRA_DIST += sim/simlib/store.py
EXTRA_DIST += sim/simlib/util.py
EXTRA_DIST += tests/integration/kubectl-get.sh
EXTRA_DIST += tests/integration/kubectl-lib.sh
EXTRA_DIST += tests/integration/kubectl-watch.sh
EXTRA_DIST += tests/integration/lokisim-api.py
EXTRA_DIST += tests/integration/sim-lib.sh
EXTRA_DIST += tests/integration/sim-protocol.py
EXTRA_DIST += tests/integration/sim-units.py
EXTRA_DIST += tests/lib/sim.sh

TESTS += tests/integration/kubectl-get.sh
TESTS += tests/integration/kubectl-watch.sh
TESTS += tests/integration/lokisim-api.py
TESTS += tests/integration/sim-lib.sh
TESTS += tests/integration/sim-protocol.py
TESTS += tests/integration/sim-units.py
