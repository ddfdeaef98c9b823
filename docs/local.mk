# SPDX-License-Identifier: MIT
# docs/local.mk - the man page

dist_man_MANS += docs/opsdeck.1
