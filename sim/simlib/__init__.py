# SPDX-License-Identifier: MIT
# simlib - the parts of the simulated Kubernetes API server (sim/kubesim.py).
