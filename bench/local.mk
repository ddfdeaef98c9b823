# SPDX-License-Identifier: MIT
# bench/local.mk - benchmarks (make bench); figures go to the README
#
# The platform benchmarks of issue #2 (bench/README.md): `make bench-platform` runs
# bench/run.sh against this build (the simulated platform at 500 nodes / 2,000 namespaces /
# 20,000 pods, kubectl 1.20, curl). Not part of `make bench` (it takes several minutes) nor of
# `make check` (no timed assertions); BENCH_ARGS passes options (e.g. `--runs 3 get`).

# Runs a command and reports its wall time, peak RSS and CPU time (the drivers use it).
noinst_PROGRAMS += bench/runstat
bench_runstat_SOURCES = bench/runstat.c

# The drivers' own pieces (the terminal emulator, the proxy) are tested without timing.
TESTS += bench/selftest.py
EXTRA_DIST += bench/README.md bench/benchlib.py bench/opsbench.py bench/run.sh \
              bench/selftest.py

bench-platform: opsdeck$(EXEEXT) bench/runstat$(EXEEXT)
	$(SHELL) $(srcdir)/bench/run.sh --builddir $(abs_top_builddir) $(BENCH_ARGS)
.PHONY: bench-platform

# `opsdeck logs` fetching 50,000 lines from the Loki double vs curl fetching the same pages one
# after another (issue #3): medians of 5, ratio <= 1.3. Measure a release build.
EXTRA_DIST += bench/logs-fetch.py
bench-logs: opsdeck$(EXEEXT)
	$(PYTHON3) $(srcdir)/bench/logs-fetch.py --builddir $(abs_top_builddir) \
	    --srcdir $(abs_top_srcdir) $(BENCH_ARGS)
.PHONY: bench-logs
