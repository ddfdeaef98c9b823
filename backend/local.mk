# SPDX-License-Identifier: MIT
# backend/local.mk - the backend library: everything that talks to the world or holds data.
# backend/ never includes curses, tui/ or views/ headers (tests/layering.sh checks).

noinst_LIBRARIES += backend/libbackend.a
backend_libbackend_a_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS)
backend_libbackend_a_SOURCES = \
    backend/clock.c \
    backend/evloop.c \
    backend/hmap.c \
    backend/log.c \
    backend/redact.c \
    backend/session.c \
    backend/setup.c \
    backend/status.c \
    backend/strbuf.c \
    backend/vec.c \
    backend/xalloc.c

# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/clock.h \
    include/opsdeck/evloop.h \
    include/opsdeck/hmap.h \
    include/opsdeck/log.h \
    include/opsdeck/macros.h \
    include/opsdeck/redact.h \
    include/opsdeck/session.h \
    include/opsdeck/setup.h \
    include/opsdeck/status.h \
    include/opsdeck/strbuf.h \
    include/opsdeck/vec.h \
    include/opsdeck/xalloc.h
