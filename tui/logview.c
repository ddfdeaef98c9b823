/* SPDX-License-Identifier: MIT */
/* logview.c - the logs pane's window onto its ring: scrolling, search, filter, line drawing */
#include "config.h"

#include "opsdeck/logview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/logline.h"
#include "opsdeck/logring.h"
#include "opsdeck/logsearch.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/textview.h"
#include "opsdeck/theme.h"
#include "opsdeck/xalloc.h"

#define STREAM_COLS 16 /* the stream's short name */

struct logview {
    struct logring *ring;             /* borrowed */
    size_t height;
    bool timestamps;
    bool readable;
    bool follow;
    unsigned san;
    int64_t top;                      /* ring seq of the top line shown */
    struct logsearch *search;         /* owned */
    struct logsearch_index *sidx;
    int64_t match;                    /* current match, INT64_MIN: none */
    struct logsearch *filter;         /* owned */
    struct logsearch_index *fidx;
    struct logline ll;                /* scratch */
    struct strbuf raw;                /* scratch: one line's display bytes */
    unsigned char *elems;             /* scratch: one element per byte of raw */
    size_t elems_cap;
};

struct logview *
logview_new(struct logring *ring)
{
    struct logview *lv = xcalloc(1, sizeof(*lv));

    lv->ring = ring;
    lv->height = 1;
    lv->timestamps = true;
    lv->readable = true;
    lv->follow = true;
    lv->match = INT64_MIN;
    lv->top = logring_first(ring);
    logline_init(&lv->ll);
    strbuf_init(&lv->raw);
    return lv;
}

void
logview_free(struct logview *lv)
{
    if (!lv)
        return;
    logsearch_index_free(lv->sidx);
    logsearch_free(lv->search);
    logsearch_index_free(lv->fidx);
    logsearch_free(lv->filter);
    logline_done(&lv->ll);
    strbuf_done(&lv->raw);
    free(lv->elems);
    free(lv);
}

/*
 * The lines shown: the filter's matches, or the whole ring
 */

size_t
logview_count(const struct logview *lv)
{
    return lv->fidx ? logsearch_index_len(lv->fidx) : logring_len(lv->ring);
}

int64_t
logview_shown_at(const struct logview *lv, size_t i)
{
    return lv->fidx ? logsearch_index_at(lv->fidx, i) : logring_first(lv->ring) + (int64_t)i;
}

/* Position of the first shown line at or after seq. */
static size_t
shown_pos(const struct logview *lv, int64_t seq)
{
    int64_t first = logring_first(lv->ring);

    if (lv->fidx)
        return logsearch_index_lower_bound(lv->fidx, seq);
    if (seq <= first)
        return 0;
    return (size_t)(seq - first) < logring_len(lv->ring) ? (size_t)(seq - first)
                                                          : logring_len(lv->ring);
}

static size_t
max_top(const struct logview *lv)
{
    size_t n = logview_count(lv);

    return n > lv->height ? n - lv->height : 0;
}

static void
set_top_pos(struct logview *lv, size_t pos)
{
    size_t n = logview_count(lv);

    if (pos > max_top(lv))
        pos = max_top(lv);
    lv->top = pos < n ? logview_shown_at(lv, pos) : logring_end(lv->ring);
}

size_t
logview_position(const struct logview *lv)
{
    return logview_count(lv) ? shown_pos(lv, lv->top) + 1 : 0;
}

int64_t
logview_top(const struct logview *lv)
{
    return lv->top;
}

bool
logview_at_top(const struct logview *lv)
{
    return shown_pos(lv, lv->top) == 0;
}

/*
 * Settings
 */

void
logview_set_height(struct logview *lv, size_t rows)
{
    lv->height = rows ? rows : 1;
    logview_update(lv);
}

void
logview_set_timestamps(struct logview *lv, bool on)
{
    lv->timestamps = on;
}

bool
logview_timestamps(const struct logview *lv)
{
    return lv->timestamps;
}

void
logview_set_readable(struct logview *lv, bool on)
{
    lv->readable = on;
}

bool
logview_readable(const struct logview *lv)
{
    return lv->readable;
}

void
logview_set_follow(struct logview *lv, bool on)
{
    lv->follow = on;
    if (on)
        set_top_pos(lv, max_top(lv));
}

bool
logview_follow(const struct logview *lv)
{
    return lv->follow;
}

void
logview_set_sanitize_flags(struct logview *lv, unsigned flags)
{
    lv->san = flags;
}

/*
 * Search and filter
 */

/* Brings the current match on screen (a few lines below the top). */
static void
show_match(struct logview *lv)
{
    size_t pos = shown_pos(lv, lv->match);

    if (pos >= logview_count(lv) || logview_shown_at(lv, pos) != lv->match) {
        /* filtered out: the nearest shown line */
        set_top_pos(lv, pos);
    } else {
        size_t cur = shown_pos(lv, lv->top);

        if (pos < cur || pos >= cur + lv->height)
            set_top_pos(lv, pos > lv->height / 4 ? pos - lv->height / 4 : 0);
    }
    lv->follow = false;
}

bool
logview_set_search(struct logview *lv, struct logsearch *s)
{
    size_t i;

    logsearch_index_free(lv->sidx);
    logsearch_free(lv->search);
    lv->search = s;
    lv->sidx = NULL;
    lv->match = INT64_MIN;
    if (!s)
        return true;
    lv->sidx = logsearch_index_new(s);
    logsearch_index_update(lv->sidx, lv->ring);
    if (logsearch_index_len(lv->sidx) == 0)
        return false;
    i = logsearch_index_lower_bound(lv->sidx, lv->top);
    if (i >= logsearch_index_len(lv->sidx))
        i = logsearch_index_len(lv->sidx) - 1;
    lv->match = logsearch_index_at(lv->sidx, i);
    show_match(lv);
    return true;
}

bool
logview_search_step(struct logview *lv, bool forward)
{
    int64_t next;

    if (!lv->sidx || logsearch_index_len(lv->sidx) == 0)
        return false;
    if (lv->match == INT64_MIN)
        next = logsearch_index_at(lv->sidx, 0);
    else if (!logsearch_index_step(lv->sidx, lv->match, forward, &next))
        return false;
    lv->match = next;
    show_match(lv);
    return true;
}

int64_t
logview_match(const struct logview *lv)
{
    return lv->match;
}

size_t
logview_search_count(const struct logview *lv)
{
    return lv->sidx ? logsearch_index_len(lv->sidx) : 0;
}

const char *
logview_search_pattern(const struct logview *lv)
{
    return lv->search ? logsearch_pattern(lv->search) : NULL;
}

void
logview_set_filter(struct logview *lv, struct logsearch *s)
{
    int64_t keep = lv->top;

    logsearch_index_free(lv->fidx);
    logsearch_free(lv->filter);
    lv->filter = s;
    lv->fidx = NULL;
    if (s) {
        lv->fidx = logsearch_index_new(s);
        logsearch_index_update(lv->fidx, lv->ring);
    }
    if (lv->follow)
        set_top_pos(lv, max_top(lv));
    else
        set_top_pos(lv, shown_pos(lv, keep));
}

const char *
logview_filter_pattern(const struct logview *lv)
{
    return lv->filter ? logsearch_pattern(lv->filter) : NULL;
}

void
logview_update(struct logview *lv)
{
    int64_t first = logring_first(lv->ring), end = logring_end(lv->ring);

    if (lv->sidx) {
        logsearch_index_update(lv->sidx, lv->ring);
        if (lv->match != INT64_MIN && (lv->match < first || lv->match >= end))
            lv->match = INT64_MIN;
    }
    if (lv->fidx)
        logsearch_index_update(lv->fidx, lv->ring);
    if (lv->follow)
        set_top_pos(lv, max_top(lv));
    else
        set_top_pos(lv, shown_pos(lv, lv->top < first ? first : lv->top));
}

/*
 * Scrolling
 */

void
logview_scroll(struct logview *lv, long lines)
{
    size_t pos = shown_pos(lv, lv->top);

    if (lines < 0) {
        lv->follow = false;
        pos = (size_t)-lines > pos ? 0 : pos - (size_t)-lines;
    } else {
        pos += (size_t)lines;
    }
    set_top_pos(lv, pos);
}

void
logview_scroll_page(struct logview *lv, int pages)
{
    long step = lv->height > 1 ? (long)lv->height - 1 : 1;

    logview_scroll(lv, step * pages);
}

void
logview_first(struct logview *lv)
{
    lv->follow = false;
    set_top_pos(lv, 0);
}

void
logview_last(struct logview *lv)
{
    logview_set_follow(lv, true);
}

/*
 * Drawing one line
 */

/* Appends text to raw, painting its bytes as elem. */
static void
put(struct logview *lv, enum theme_element elem, const char *s, size_t len)
{
    size_t at = lv->raw.len;

    strbuf_append(&lv->raw, s, len);
    if (lv->raw.len > lv->elems_cap) {
        lv->elems_cap = lv->raw.len * 2;
        lv->elems = xrealloc(lv->elems, lv->elems_cap);
    }
    memset(lv->elems + at, (int)elem, len);
}

static void
puts_elem(struct logview *lv, enum theme_element elem, const char *s)
{
    put(lv, elem, s, strlen(s));
}

/* The label value of key in a label set's text ({a="1", b="2"}), or NULL;
 * *len receives its length. */
static const char *
label_value(const char *labels, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    const char *p = labels;

    while ((p = strstr(p, key)) != NULL) {
        bool start = p == labels || p[-1] == '{' || p[-1] == ' ' || p[-1] == ',';

        if (start && strncmp(p + klen, "=\"", 2) == 0) {
            const char *v = p + klen + 2, *e = strchr(v, '"');

            if (e) {
                *len = (size_t)(e - v);
                return v;
            }
        }
        p += klen;
    }
    return NULL;
}

static void
put_stream(struct logview *lv, uint32_t stream)
{
    static const char *const keys[] = {"pod", "container", "app", "job", "node_name", NULL};
    const char *labels = logring_stream_labels(lv->ring, stream);
    enum theme_element elem =
        (enum theme_element)(ELEM_LOG_STREAM_0 + logring_stream_colour(lv->ring, stream));
    const char *name = labels;
    size_t len = strlen(labels), w;
    struct strbuf fit;

    for (size_t i = 0; keys[i]; i++) {
        const char *v = label_value(labels, keys[i], &len);

        if (v) {
            name = v;
            break;
        }
        len = strlen(labels);
    }
    strbuf_init(&fit);
    puts_elem(lv, elem, lv->san & SANITIZE_ASCII ? "|" : "\xe2\x96\x8c");
    w = sanitize_fit(&fit, name, len, STREAM_COLS, lv->san);
    while (w++ < STREAM_COLS + 1)
        strbuf_putc(&fit, ' ');
    put(lv, elem, fit.buf, fit.len);
    strbuf_done(&fit);
}

static enum theme_element
level_elem(enum logline_level level)
{
    switch (level) {
    case LOGLINE_LEVEL_FATAL:
    case LOGLINE_LEVEL_ERROR:
        return ELEM_ERROR;
    case LOGLINE_LEVEL_WARN:
        return ELEM_WARNING;
    case LOGLINE_LEVEL_INFO:
        return ELEM_OK;
    default:
        return ELEM_DIM;
    }
}

/* Whether more text fits under LOGVIEW_LINE_MAX; appends what fits. */
static bool
put_text(struct logview *lv, size_t text_start, enum theme_element elem, const char *s,
         size_t len)
{
    size_t used = lv->raw.len - text_start;

    if (used + len > LOGVIEW_LINE_MAX) {
        size_t room = LOGVIEW_LINE_MAX - used;

        while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
            room--;
        put(lv, elem, s, room);
        return false;
    }
    put(lv, elem, s, len);
    return true;
}

static bool
value_needs_quotes(const char *s, size_t len)
{
    if (len == 0)
        return true;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '"' || s[i] == '=')
            return true;
    }
    return false;
}

/* The text part: readable fields or the raw line, bounded. */
static void
put_body(struct logview *lv, const struct logring_entry *e)
{
    size_t start = lv->raw.len;
    const struct logline *ll = &lv->ll;
    bool more = true, first = true;
    char note[64];

    if (lv->readable && e->format != LOGLINE_PLAIN)
        logline_parse(&lv->ll, e->line, e->len);
    else
        logline_done(&lv->ll);
    if (ll->format == LOGLINE_PLAIN) {
        more = put_text(lv, start, ELEM_DEFAULT, e->line, e->len);
    } else {
        if (ll->msg_field >= 0) {
            const struct logline_field *m = &ll->fields[ll->msg_field];

            more = put_text(lv, start, ELEM_DEFAULT, m->value, m->value_len);
            first = false;
        }
        for (size_t i = 0; more && i < ll->nfields; i++) {
            const struct logline_field *f = &ll->fields[i];
            bool q;

            if ((int)i == ll->msg_field || (int)i == ll->level_field || (int)i == ll->ts_field)
                continue;
            q = value_needs_quotes(f->value, f->value_len);
            more = (first || put_text(lv, start, ELEM_DEFAULT, "  ", 2)) &&
                   put_text(lv, start, ELEM_TEXT_KEY, f->key, f->key_len) &&
                   put_text(lv, start, ELEM_DIM, q ? "=\"" : "=", q ? 2 : 1) &&
                   put_text(lv, start, ELEM_DEFAULT, f->value, f->value_len) &&
                   (!q || put_text(lv, start, ELEM_DIM, "\"", 1));
            first = false;
        }
    }
    /* search matches over the text drawn */
    if (lv->search) {
        size_t from = 0, len = lv->raw.len - start, a, b;
        const char *text = lv->raw.buf + start;

        while (from <= len && logsearch_find(lv->search, text, len, from, &a, &b)) {
            memset(lv->elems + start + a, ELEM_TEXT_MATCH, b - a);
            from = b > a ? b : a + 1;
        }
    }
    if (!more) {
        double kb = (double)e->len / 1024.0;

        if (kb >= 1024.0)
            snprintf(note, sizeof(note), " \xe2\x80\xa6 [%.1f MB line]", kb / 1024.0);
        else
            snprintf(note, sizeof(note), " \xe2\x80\xa6 [%.0f KB line]", kb);
        puts_elem(lv, ELEM_DIM, note);
    }
}

/* Draws entry e into lv->raw / lv->elems. */
static void
build_line(struct logview *lv, const struct logring_entry *e, bool with_streams)
{
    strbuf_reset(&lv->raw);
    if (lv->timestamps) {
        time_t sec = (time_t)(e->ts_ns / 1000000000);
        long ms = (long)((e->ts_ns % 1000000000) / 1000000);
        struct tm tm;
        char buf[40];

        if (ms < 0) {
            ms += 1000;
            sec--;
        }
        gmtime_r(&sec, &tm);
        strftime(buf, sizeof(buf), "%m-%d %H:%M:%S", &tm);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03ld ", ms);
        puts_elem(lv, ELEM_DIM, buf);
    }
    if (with_streams)
        put_stream(lv, e->stream);
    if (e->level != LOGLINE_LEVEL_NONE) {
        char buf[8];

        snprintf(buf, sizeof(buf), "%-5s ", logline_level_name((enum logline_level)e->level));
        puts_elem(lv, level_elem((enum logline_level)e->level), buf);
    }
    put_body(lv, e);
}

void
logview_format_line(struct logview *lv, int64_t seq, struct strbuf *out)
{
    struct logring_entry e;

    if (!logring_get(lv->ring, seq, &e))
        return;
    build_line(lv, &e, logring_stream_count(lv->ring) > 1);
    sanitize_append(out, lv->raw.buf ? lv->raw.buf : "", lv->raw.len, lv->san);
}

void
logview_render(struct logview *lv, struct textview *tv)
{
    size_t pos = shown_pos(lv, lv->top), n = logview_count(lv);
    bool with_streams = logring_stream_count(lv->ring) > 1;
    struct strbuf san;

    textview_clear(tv);
    strbuf_init(&san);
    for (size_t i = pos; i < n && i < pos + lv->height; i++) {
        struct logring_entry e;
        struct text_span spans[64];
        size_t offs[64], ns = 0, k = 0;

        if (!logring_get(lv->ring, logview_shown_at(lv, i), &e))
            continue;
        build_line(lv, &e, with_streams);
        strbuf_reset(&san);
        /* runs of one element, each sanitised on its own (NUL-safe), at most
         * 64 per line: the rest joins the last run */
        while (k < lv->raw.len) {
            size_t j = k + 1;

            while (j < lv->raw.len && (ns == 63 || lv->elems[j] == lv->elems[k]))
                j++;
            spans[ns].elem = (enum theme_element)lv->elems[k];
            offs[ns] = san.len;
            sanitize_append(&san, lv->raw.buf + k, j - k, lv->san);
            strbuf_putc(&san, '\0');
            ns++;
            k = j;
        }
        for (size_t s = 0; s < ns; s++)
            spans[s].text = san.buf + offs[s];
        textview_add_spans(tv, spans, ns);
    }
    strbuf_done(&san);
}
