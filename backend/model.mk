# SPDX-License-Identifier: MIT
# backend/model.mk - (area under construction; merged into backend/local.mk when done)
