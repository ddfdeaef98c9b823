# SPDX-License-Identifier: MIT
# backend/net.mk - (area under construction; merged into backend/local.mk when done)
