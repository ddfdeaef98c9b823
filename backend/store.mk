# SPDX-License-Identifier: MIT
# backend/store.mk - (area under construction; merged into backend/local.mk when done)
