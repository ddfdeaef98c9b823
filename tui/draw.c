/* SPDX-License-Identifier: MIT */
/* draw.c - painting sanitised lines and pieces with the theme's attributes */
#include "config.h"

#include "opsdeck/draw.h"

#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/strbuf.h"

static void
put(WINDOW *w, int y, int x, attr_t attrs, const char *text, size_t len)
{
    wattrset(w, (int)attrs);
    mvwaddnstr(w, y, x, text, (int)len);
}

void
draw_pieces(WINDOW *w, int y, const char *text, const struct text_piece *pieces, size_t n,
            unsigned sanitize_flags)
{
    struct strbuf sb;
    int width = getmaxx(w), x = 0;

    strbuf_init(&sb);
    for (size_t i = 0; i < n && x < width; i++) {
        size_t used;

        strbuf_reset(&sb);
        used = sanitize_fit(&sb, text + pieces[i].off, pieces[i].len, (size_t)(width - x),
                            sanitize_flags);
        put(w, y, x, theme_attr(pieces[i].elem, false), strbuf_str(&sb), sb.len);
        x += (int)used;
    }
    if (x < width) {
        /* spaces, not wclrtoeol: the blank keeps the default element */
        strbuf_reset(&sb);
        while (x++ < width)
            strbuf_putc(&sb, ' ');
        put(w, y, width - (int)sb.len, theme_attr(ELEM_DEFAULT, false), strbuf_str(&sb), sb.len);
    }
    wattrset(w, A_NORMAL);
    strbuf_done(&sb);
}

void
draw_line(WINDOW *w, int y, enum theme_element elem, bool cursor, const char *text,
          unsigned sanitize_flags)
{
    struct strbuf sb;
    int width = getmaxx(w);
    size_t used;

    strbuf_init(&sb);
    used = sanitize_fit(&sb, text, strlen(text), (size_t)width, sanitize_flags);
    while (used < (size_t)width) {
        strbuf_putc(&sb, ' ');
        used++;
    }
    put(w, y, 0, theme_attr(elem, cursor), strbuf_str(&sb), sb.len);
    wattrset(w, A_NORMAL);
    strbuf_done(&sb);
}

const char *
draw_glyph(enum glyph g, bool ascii)
{
    switch (g) {
    case GLYPH_CRUMB_SEP:
        return ascii ? " > " : " \xe2\x80\xba "; /* › */
    case GLYPH_DOT:
        return ascii ? " - " : " \xc2\xb7 "; /* · */
    case GLYPH_ELLIPSIS:
        return ascii ? "~" : SANITIZE_ELLIPSIS_UTF8;
    case GLYPH_ARROW_UP:
        return ascii ? "^" : "\xe2\x86\x91";
    case GLYPH_ARROW_DOWN:
        return ascii ? "v" : "\xe2\x86\x93";
    }
    return "";
}
