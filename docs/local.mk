# SPDX-License-Identifier: MIT
# docs/local.mk - the man page
