# SPDX-License-Identifier: MIT
# sim/local.mk - the simulated platform (Python 3, standard library)
