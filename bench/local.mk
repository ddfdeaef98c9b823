# SPDX-License-Identifier: MIT
# bench/local.mk - benchmarks (make bench); figures go to the README
