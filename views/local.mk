# SPDX-License-Identifier: MIT
# views/local.mk - the panes, one file each (they link into the program)

opsdeck_SOURCES += \
    include/opsdeck/panes.h \
    views/builds.c \
    views/contexts.c \
    views/detail.c \
    views/logs.c \
    views/nodes.c \
    views/panes.c \
    views/pods.c \
    views/projects.c \
    views/tenants.c \
    views/workloads.c
