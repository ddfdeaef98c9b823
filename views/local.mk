# SPDX-License-Identifier: MIT
# views/local.mk - one file per pane (listed in opsdeck_SOURCES)
