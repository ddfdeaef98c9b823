# SPDX-License-Identifier: MIT
# tui/local.mk - the program: the console (curses lives only here) and the one-shot CLI

bin_PROGRAMS += opsdeck
opsdeck_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) $(NCURSES_CFLAGS)
opsdeck_LDADD = $(BACKEND_LIBS) $(NCURSES_LIBS)
opsdeck_SOURCES = \
    tui/main.c
