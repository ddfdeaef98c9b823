/* SPDX-License-Identifier: MIT */
/* textview.h - the text widget's model: styled lines, scrolling, wrap, search */
#ifndef OPSDECK_TEXTVIEW_H
#define OPSDECK_TEXTVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/macros.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/theme.h"

struct filter;

/*
 * For detail (`d`), help (`?`) and error texts: lines made of spans, each
 * span painted as an element. Text is sanitised when added (tabs expand to
 * 8 columns). Wrap on: long lines continue on the next rows; off: <Left>
 * and <Right> scroll sideways. Search (`/`, n, N) moves to the next line
 * the regex matches and paints that line as text-match.
 * No curses here: tui/view.c draws rows from textview_render().
 */
struct textview;

struct text_span {
    enum theme_element elem;
    const char *text; /* copied */
};

struct textview *textview_new(void);
void textview_free(struct textview *tv); /* NULL is a no-op */
/* Sanitising flags (SANITIZE_ASCII in non-UTF-8 locales). */
void textview_set_sanitize_flags(struct textview *tv, unsigned flags);

/* Removes every line; the position goes back to the top. */
void textview_clear(struct textview *tv);
/* Appends one line; embedded newlines start new lines with the same elem. */
void textview_add(struct textview *tv, enum theme_element elem, const char *text);
void textview_addf(struct textview *tv, enum theme_element elem, const char *fmt, ...)
    ATTR_FORMAT(3, 4);
/* Appends one line made of n spans (newlines inside become ^J). */
void textview_add_spans(struct textview *tv, const struct text_span *spans, size_t n);
size_t textview_line_count(const struct textview *tv);

/* The body's size in columns and rows. */
void textview_set_size(struct textview *tv, size_t width, size_t height);
/* The size last set (a pane that fills exactly one screen of lines, such
 * as logs, reads its height). */
size_t textview_height(const struct textview *tv);
size_t textview_width(const struct textview *tv);
void textview_set_wrap(struct textview *tv, bool on);
bool textview_wrap(const struct textview *tv);

/* Scrolling by display rows, pages, to the ends, and sideways (no wrap). */
void textview_scroll(struct textview *tv, long rows);
void textview_scroll_page(struct textview *tv, int pages);
void textview_scroll_first(struct textview *tv);
void textview_scroll_last(struct textview *tv);
void textview_scroll_cols(struct textview *tv, long cols);
/* The first line on screen (index), for tests and the title. */
size_t textview_top_line(const struct textview *tv);

/* Takes f (NULL clears the search) and moves to its first match at or
 * after the top line. False when nothing matches. */
bool textview_search(struct textview *tv, struct filter *f);
/* Next (dir > 0) or previous match after/before the current one, wrapping. */
bool textview_search_next(struct textview *tv, int dir);
/* The line of the current match, or SIZE_MAX. */
size_t textview_match_line(const struct textview *tv);

/* One piece of a rendered row: out->buf[off, off + len) painted as elem. */
struct text_piece {
    enum theme_element elem;
    size_t off, len;
};

/* Renders screen row `row` (0 = the top of the body) into out, exactly
 * width columns (padded), and its pieces into pieces[0, max); returns the
 * number of pieces. A row past the end is blank (one ELEM_DEFAULT piece). */
size_t textview_render(struct textview *tv, size_t row, struct strbuf *out,
                       struct text_piece *pieces, size_t max);

/* True (once) when something on screen changed since the last call. */
bool textview_take_dirty(struct textview *tv);
void textview_touch(struct textview *tv);

#endif /* OPSDECK_TEXTVIEW_H */
