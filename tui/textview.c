/* SPDX-License-Identifier: MIT */
/* textview.c - styled lines with wrap, sideways scrolling and regex search */
#include "config.h"

#include "opsdeck/textview.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/filter.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/xalloc.h"

struct tspan {
    enum theme_element elem;
    size_t off, len; /* bytes of the line's text */
};

struct tline {
    char *text; /* sanitised */
    size_t len, width;
    struct tspan *spans;
    size_t nspans;
};

struct textview {
    struct tline *lines;
    size_t n, cap;
    unsigned san;
    size_t width, height;
    bool wrap;
    size_t top, sub; /* first line on screen, and its first row shown (wrap) */
    size_t left;     /* columns scrolled sideways (no wrap) */
    struct filter *search;
    size_t match; /* line of the current match, or SIZE_MAX */
    bool dirty;
    struct strbuf scratch;
};

struct textview *
textview_new(void)
{
    struct textview *tv = xcalloc(1, sizeof(*tv));

    tv->match = SIZE_MAX;
    tv->width = 80;
    tv->height = 1;
    tv->wrap = true;
    tv->dirty = true;
    strbuf_init(&tv->scratch);
    return tv;
}

void
textview_clear(struct textview *tv)
{
    for (size_t i = 0; i < tv->n; i++) {
        free(tv->lines[i].text);
        free(tv->lines[i].spans);
    }
    tv->n = 0;
    tv->top = tv->sub = tv->left = 0;
    tv->match = SIZE_MAX;
    tv->dirty = true;
}

void
textview_free(struct textview *tv)
{
    if (!tv)
        return;
    textview_clear(tv);
    free(tv->lines);
    filter_free(tv->search);
    strbuf_done(&tv->scratch);
    free(tv);
}

void
textview_set_sanitize_flags(struct textview *tv, unsigned flags)
{
    tv->san = flags;
}

size_t
textview_line_count(const struct textview *tv)
{
    return tv->n;
}

void
textview_add_spans(struct textview *tv, const struct text_span *spans, size_t n)
{
    struct strbuf sb;
    struct tline *l;

    tv->lines = xgrow(tv->lines, &tv->cap, tv->n + 1, sizeof(*tv->lines));
    l = &tv->lines[tv->n++];
    memset(l, 0, sizeof(*l));
    l->spans = xcalloc(n ? n : 1, sizeof(*l->spans));
    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++) {
        const char *text = spans[i].text ? spans[i].text : "";
        size_t start = sb.len;

        l->width += sanitize_append(&sb, text, strlen(text), tv->san | SANITIZE_TABS);
        if (sb.len == start)
            continue;
        l->spans[l->nspans].elem = spans[i].elem;
        l->spans[l->nspans].off = start;
        l->spans[l->nspans].len = sb.len - start;
        l->nspans++;
    }
    l->len = sb.len;
    l->text = sb.buf ? strbuf_detach(&sb) : xstrdup("");
    strbuf_done(&sb);
    tv->dirty = true;
}

void
textview_add(struct textview *tv, enum theme_element elem, const char *text)
{
    const char *p = text ? text : "";

    for (;;) {
        const char *nl = strchr(p, '\n');
        char *piece = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
        struct text_span span = {elem, piece};

        textview_add_spans(tv, &span, 1);
        free(piece);
        if (!nl)
            break;
        p = nl + 1;
    }
}

void
textview_addf(struct textview *tv, enum theme_element elem, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    textview_add(tv, elem, s);
    free(s);
}

/*
 * Rows
 */

static size_t
body_width(const struct textview *tv)
{
    return tv->width ? tv->width : 1;
}

/* Byte offset where row k of line l starts (wrap), or l->len past its end. */
static size_t
row_start(const struct textview *tv, const struct tline *l, size_t k)
{
    size_t pos = 0, w = body_width(tv);

    while (k-- > 0 && pos < l->len) {
        size_t step = sanitize_skip_cols(l->text + pos, l->len - pos, w, 0, NULL);

        if (step == 0) /* one character wider than the body: it takes a row */
            step = sanitize_skip_cols(l->text + pos, l->len - pos, w + 1, 0, NULL);
        pos += step;
    }
    return pos;
}

static size_t
rows_of(const struct textview *tv, size_t line)
{
    const struct tline *l = &tv->lines[line];
    size_t rows = 1, pos;

    if (!tv->wrap || l->width <= body_width(tv))
        return 1;
    pos = row_start(tv, l, 1);
    while (pos < l->len) {
        size_t step = sanitize_skip_cols(l->text + pos, l->len - pos, body_width(tv), 0, NULL);

        if (step == 0)
            step = sanitize_skip_cols(l->text + pos, l->len - pos, body_width(tv) + 1, 0, NULL);
        pos += step;
        rows++;
    }
    return rows;
}

/* The position `rows` display rows after (top, sub), stopping at the last. */
static void
advance(const struct textview *tv, size_t *top, size_t *sub, size_t rows)
{
    while (rows > 0 && *top < tv->n) {
        if (*sub + 1 < rows_of(tv, *top)) {
            (*sub)++;
        } else if (*top + 1 < tv->n) {
            (*top)++;
            *sub = 0;
        } else {
            break;
        }
        rows--;
    }
}

/* The last position that still fills the screen. */
static void
end_position(const struct textview *tv, size_t *top, size_t *sub)
{
    size_t left = tv->height ? tv->height : 1;

    *top = *sub = 0;
    if (tv->n == 0)
        return;
    *top = tv->n - 1;
    *sub = rows_of(tv, *top) - 1;
    while (--left > 0) {
        if (*sub > 0) {
            (*sub)--;
        } else if (*top > 0) {
            (*top)--;
            *sub = rows_of(tv, *top) - 1;
        } else {
            break;
        }
    }
}

static void
clamp(struct textview *tv)
{
    size_t et, es;

    end_position(tv, &et, &es);
    if (tv->top > et || (tv->top == et && tv->sub > es)) {
        tv->top = et;
        tv->sub = es;
    }
}

size_t
textview_height(const struct textview *tv)
{
    return tv->height;
}

size_t
textview_width(const struct textview *tv)
{
    return tv->width;
}

void
textview_set_size(struct textview *tv, size_t width, size_t height)
{
    if (width == tv->width && height == tv->height)
        return;
    tv->width = width;
    tv->height = height;
    tv->sub = 0;
    clamp(tv);
    tv->dirty = true;
}

void
textview_set_wrap(struct textview *tv, bool on)
{
    tv->wrap = on;
    tv->sub = 0;
    tv->left = 0;
    clamp(tv);
    tv->dirty = true;
}

bool
textview_wrap(const struct textview *tv)
{
    return tv->wrap;
}

void
textview_scroll(struct textview *tv, long rows)
{
    size_t top = tv->top, sub = tv->sub;

    if (rows >= 0) {
        advance(tv, &top, &sub, (size_t)rows);
    } else {
        for (long k = 0; k < -rows; k++) {
            if (sub > 0) {
                sub--;
            } else if (top > 0) {
                top--;
                sub = rows_of(tv, top) - 1;
            } else {
                break;
            }
        }
    }
    if (top != tv->top || sub != tv->sub) {
        tv->top = top;
        tv->sub = sub;
        clamp(tv);
        tv->dirty = true;
    }
}

void
textview_scroll_page(struct textview *tv, int pages)
{
    textview_scroll(tv, (long)pages * (long)(tv->height ? tv->height : 1));
}

void
textview_scroll_first(struct textview *tv)
{
    if (tv->top || tv->sub)
        tv->dirty = true;
    tv->top = tv->sub = 0;
}

void
textview_scroll_last(struct textview *tv)
{
    size_t top, sub;

    end_position(tv, &top, &sub);
    if (top != tv->top || sub != tv->sub)
        tv->dirty = true;
    tv->top = top;
    tv->sub = sub;
}

void
textview_scroll_cols(struct textview *tv, long cols)
{
    size_t widest = 0, left;

    if (tv->wrap)
        return;
    for (size_t i = 0; i < tv->n; i++)
        widest = MAX(widest, tv->lines[i].width);
    if (cols < 0)
        left = (size_t)-cols > tv->left ? 0 : tv->left - (size_t)-cols;
    else
        left = tv->left + (size_t)cols;
    left = MIN(left, widest > body_width(tv) ? widest - body_width(tv) : 0);
    if (left != tv->left) {
        tv->left = left;
        tv->dirty = true;
    }
}

size_t
textview_top_line(const struct textview *tv)
{
    return tv->top;
}

/*
 * Search
 */

static bool
line_matches(const struct textview *tv, size_t i)
{
    const char *field = tv->lines[i].text;

    return filter_match(tv->search, &field, 1, NULL);
}

/* Whether line i is on screen now. */
static bool
line_on_screen(const struct textview *tv, size_t i)
{
    size_t top = tv->top, sub = tv->sub, h = tv->height ? tv->height : 1;

    if (i < top)
        return false;
    for (size_t r = 1; r < h && top < i; r++)
        advance(tv, &top, &sub, 1);
    return top >= i;
}

static bool
goto_match(struct textview *tv, size_t from, int dir)
{
    size_t n = tv->n;

    if (!tv->search || !n)
        return false;
    for (size_t k = 0; k < n; k++) {
        size_t i = dir < 0 ? (from + n - k) % n : (from + k) % n;

        if (line_matches(tv, i)) {
            tv->match = i;
            if (!line_on_screen(tv, i)) {
                tv->top = i;
                tv->sub = 0;
                clamp(tv);
            }
            tv->dirty = true;
            return true;
        }
    }
    tv->match = SIZE_MAX;
    tv->dirty = true;
    return false;
}

bool
textview_search(struct textview *tv, struct filter *f)
{
    filter_free(tv->search);
    tv->search = f;
    tv->match = SIZE_MAX;
    tv->dirty = true;
    if (!f || filter_is_empty(f)) {
        filter_free(f);
        tv->search = NULL;
        return false;
    }
    return goto_match(tv, tv->top, +1);
}

bool
textview_search_next(struct textview *tv, int dir)
{
    size_t n = tv->n, from;

    if (!tv->search || !n)
        return false;
    if (tv->match == SIZE_MAX)
        from = tv->top;
    else
        from = dir < 0 ? (tv->match + n - 1) % n : (tv->match + 1) % n;
    return goto_match(tv, from, dir);
}

size_t
textview_match_line(const struct textview *tv)
{
    return tv->match;
}

/*
 * Rendering
 */

static void
pad(struct strbuf *out, size_t n)
{
    while (n--)
        strbuf_putc(out, ' ');
}

/* The line and row shown on screen row `row`; false past the end. */
static bool
row_position(const struct textview *tv, size_t row, size_t *top, size_t *sub)
{
    *top = tv->top;
    *sub = tv->sub;
    if (tv->n == 0)
        return false;
    while (row-- > 0) {
        if (*sub + 1 < rows_of(tv, *top)) {
            (*sub)++;
        } else if (*top + 1 < tv->n) {
            (*top)++;
            *sub = 0;
        } else {
            return false;
        }
    }
    return true;
}

static size_t
add_piece(struct text_piece *pieces, size_t np, size_t max, enum theme_element elem, size_t off,
          size_t len)
{
    if (np >= max || len == 0)
        return np;
    pieces[np].elem = elem;
    pieces[np].off = off;
    pieces[np].len = len;
    return np + 1;
}

size_t
textview_render(struct textview *tv, size_t row, struct strbuf *out, struct text_piece *pieces,
                size_t max)
{
    size_t top, sub, start = out->len, a, b, used = 0, np = 0, text_at, w = body_width(tv);
    const struct tline *l;
    bool match;

    if (!row_position(tv, row, &top, &sub)) {
        pad(out, w);
        return add_piece(pieces, 0, max, ELEM_DEFAULT, start, w);
    }
    l = &tv->lines[top];
    match = top == tv->match;
    if (tv->wrap) {
        a = row_start(tv, l, sub);
        b = row_start(tv, l, sub + 1);
    } else {
        size_t skipped;

        a = sanitize_skip_cols(l->text, l->len, tv->left, 0, &skipped);
        /* a wide character cut by the left edge goes; its right half is a blank */
        for (size_t c = tv->left + 1; skipped < tv->left && a < l->len; c++)
            a = sanitize_skip_cols(l->text, l->len, c, 0, &skipped);
        used = skipped > tv->left ? skipped - tv->left : 0;
        pad(out, used);
        np = add_piece(pieces, np, max, match ? ELEM_TEXT_MATCH : ELEM_DEFAULT, start, used);
        b = a + sanitize_skip_cols(l->text + a, l->len - a, w > used ? w - used : 0, 0, NULL);
    }
    used += sanitize_width(l->text + a, b - a, 0);
    text_at = out->len;
    strbuf_append(out, l->text + a, b - a);
    for (size_t i = 0; i < l->nspans; i++) {
        size_t s = MAX(l->spans[i].off, a), e = MIN(l->spans[i].off + l->spans[i].len, b);

        if (s < e)
            np = add_piece(pieces, np, max, match ? ELEM_TEXT_MATCH : l->spans[i].elem,
                           text_at + (s - a), e - s);
    }
    if (used < w) {
        size_t pad_at = out->len;

        pad(out, w - used);
        np = add_piece(pieces, np, max, match ? ELEM_TEXT_MATCH : ELEM_DEFAULT, pad_at, w - used);
    }
    return np;
}

bool
textview_take_dirty(struct textview *tv)
{
    bool d = tv->dirty;

    tv->dirty = false;
    return d;
}

void
textview_touch(struct textview *tv)
{
    tv->dirty = true;
}
