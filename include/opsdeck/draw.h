/* SPDX-License-Identifier: MIT */
/* draw.h - drawing primitives: sanitised text painted as theme elements */
#ifndef OPSDECK_DRAW_H
#define OPSDECK_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/curses.h"
#include "opsdeck/textview.h"
#include "opsdeck/theme.h"

/*
 * The only places that paint (with theme.c the only ones that know
 * COLOR_PAIR and A_*). Every string passed here is run through the
 * sanitiser again, so nothing from outside can reach the terminal raw even
 * if a caller forgot. Lines are drawn whole: text exactly as wide as the
 * window (callers render with table_line()/textview_render()/header_render(),
 * which pad), so no clrtoeol is needed and an unchanged line costs curses
 * nothing to compare.
 */

/* Paints text (pieces as textview.h: offsets into text) on row y. */
void draw_pieces(WINDOW *w, int y, const char *text, const struct text_piece *pieces, size_t n,
                 unsigned sanitize_flags);
/* Paints one line of text as elem (cursor: as the selected row), padded or
 * cut to the window's width. */
void draw_line(WINDOW *w, int y, enum theme_element elem, bool cursor, const char *text,
               unsigned sanitize_flags);

/* Glyphs with an ASCII fallback. */
enum glyph { GLYPH_CRUMB_SEP, GLYPH_DOT, GLYPH_ELLIPSIS, GLYPH_ARROW_UP, GLYPH_ARROW_DOWN };
const char *draw_glyph(enum glyph g, bool ascii);

#endif /* OPSDECK_DRAW_H */
