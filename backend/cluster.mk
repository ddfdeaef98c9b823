# SPDX-License-Identifier: MIT
# backend/cluster.mk - (area under construction; merged into backend/local.mk when done)
