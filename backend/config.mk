# SPDX-License-Identifier: MIT
# backend/config.mk - (area under construction; merged into backend/local.mk when done)
