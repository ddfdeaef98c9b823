/* SPDX-License-Identifier: MIT */
/* curses.h - the one way tui/ includes curses (wide-character ncurses) */
#ifndef OPSDECK_CURSES_H
#define OPSDECK_CURSES_H

/*
 * Only files in tui/ include this (tests/layering.sh keeps backend/ and views/
 * clean). Wide-character functions (get_wch, cchar_t, win_wchnstr) are
 * needed for UTF-8 input and for reading the screen back in test scripts.
 */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
/* Functions, not macros: curses' refresh(), erase() and clear() macros
 * would take over every struct member of those names (view_ops.refresh) */
#ifndef NCURSES_NOMACROS
#define NCURSES_NOMACROS 1
#endif
#include <ncursesw/curses.h>

#include <stdbool.h>

#include "opsdeck/theme.h"

/* The curses attributes (colour pair included) of an element in the
 * active theme; cursor: as painted on the selected row. For draw.c. */
attr_t theme_attr(enum theme_element elem, bool cursor);

#endif /* OPSDECK_CURSES_H */
