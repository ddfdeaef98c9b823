/* SPDX-License-Identifier: MIT */
/* header.c - the header's items, dropped by priority to fit the width */
#include "config.h"

#include "opsdeck/header.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/macros.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/xalloc.h"

#define GAP       2
#define MAX_ITEMS 16

void
header_copy(struct ui_header *dst, const struct ui_header *src)
{
    struct ui_source *s = NULL;

    *dst = *src;
    dst->platform = xstrdup(src->platform);
    dst->context = xstrdup(src->context);
    dst->server_version = xstrdup(src->server_version);
    if (src->nsources) {
        s = xcalloc(src->nsources, sizeof(*s));
        for (size_t i = 0; i < src->nsources; i++) {
            s[i].name = xstrdup(src->sources[i].name);
            s[i].text = xstrdup(src->sources[i].text);
            s[i].severity = src->sources[i].severity;
        }
    }
    dst->sources = s;
}

/* The copy's strings are ours although the struct calls them const. */
static void
free_const(const void *p)
{
    free((void *)(uintptr_t)p);
}

void
header_done(struct ui_header *h)
{
    free_const(h->platform);
    free_const(h->context);
    free_const(h->server_version);
    for (size_t i = 0; i < h->nsources; i++) {
        free_const(h->sources[i].name);
        free_const(h->sources[i].text);
    }
    free_const(h->sources);
    memset(h, 0, sizeof(*h));
}

static bool
str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool
header_equal(const struct ui_header *a, const struct ui_header *b)
{
    if (!str_eq(a->platform, b->platform) || !str_eq(a->context, b->context) ||
        !str_eq(a->server_version, b->server_version) || a->production != b->production ||
        a->simulated != b->simulated || a->readonly != b->readonly || a->nsources != b->nsources)
        return false;
    for (size_t i = 0; i < a->nsources; i++) {
        if (!str_eq(a->sources[i].name, b->sources[i].name) ||
            !str_eq(a->sources[i].text, b->sources[i].text) ||
            a->sources[i].severity != b->sources[i].severity)
            return false;
    }
    return true;
}

size_t
header_lines(const struct ui_header *h)
{
    return h->nsources ? 2 : 1;
}

struct item {
    char *text; /* sanitised, owned */
    size_t width;
    enum theme_element elem;
    int prio;   /* 0 never dropped (cut instead); higher drops first */
    bool right; /* right-aligned (the clock) */
    bool glued; /* no gap before it (the text after a source's name) */
    bool on;
};

static void
add(struct item *items, size_t *n, const char *text, enum theme_element elem, int prio,
    unsigned san)
{
    struct item *it;

    if (!text || !*text || *n >= MAX_ITEMS)
        return;
    it = &items[(*n)++];
    memset(it, 0, sizeof(*it));
    it->text = sanitize_str(text, san, &it->width);
    it->elem = elem;
    it->prio = prio;
    it->on = true;
}

static size_t
total_width(const struct item *items, size_t n)
{
    size_t w = 0, k = 0;

    for (size_t i = 0; i < n; i++) {
        if (!items[i].on)
            continue;
        if (k++ && !items[i].glued)
            w += GAP;
        w += items[i].width;
    }
    return w;
}

size_t
header_render(const struct ui_header *h, size_t line, size_t width, bool paused, const char *clock,
              unsigned sanitize_flags, struct strbuf *out, struct text_piece *pieces, size_t max)
{
    struct item items[MAX_ITEMS];
    size_t n = 0, np = 0, used = 0, k = 0;
    char *ctx = NULL;

    if (line == 0) {
        add(items, &n, "opsdeck", ELEM_HEADER, 7, sanitize_flags);
        add(items, &n, h->platform, ELEM_HEADER_PLATFORM, 4, sanitize_flags);
        if (h->context) {
            ctx = xasprintf("ctx:%s", h->context);
            add(items, &n, ctx, ELEM_HEADER_CONTEXT, 0, sanitize_flags);
            free(ctx);
        }
        if (h->production)
            add(items, &n, "PROD", ELEM_HEADER_PROD, 1, sanitize_flags);
        add(items, &n, h->server_version, ELEM_HEADER, 6, sanitize_flags);
        if (h->simulated)
            add(items, &n, "simulated", ELEM_HEADER_LABEL, 3, sanitize_flags);
        if (h->readonly)
            add(items, &n, "read-only", ELEM_HEADER_LABEL, 2, sanitize_flags);
        if (paused)
            add(items, &n, "PAUSED", ELEM_HEADER_LABEL, 2, sanitize_flags);
        if (clock) {
            add(items, &n, clock, ELEM_HEADER_CLOCK, 5, sanitize_flags);
            if (n)
                items[n - 1].right = true;
        }
    } else {
        static const enum theme_element sev[] = {
            [UI_OK] = ELEM_HEADER_OK,
            [UI_WARNING] = ELEM_HEADER_WARNING,
            [UI_ERROR] = ELEM_HEADER_ERROR,
        };

        for (size_t i = 0; i < h->nsources && n + 2 <= MAX_ITEMS; i++) {
            char *name = xasprintf("%s ", h->sources[i].name ? h->sources[i].name : "");
            enum ui_severity s = h->sources[i].severity;

            add(items, &n, name, ELEM_HEADER, 0, sanitize_flags);
            add(items, &n, h->sources[i].text, sev[s <= UI_ERROR ? s : UI_ERROR], 0,
                sanitize_flags);
            if (n && items[n - 1].elem != ELEM_HEADER)
                items[n - 1].glued = true;
            free(name);
        }
    }
    /* the most important first, each item in when it still fits: what does
     * not fit drops, and a small item of less importance can still come in
     * after a large one went */
    for (size_t i = 0; i < n; i++)
        items[i].on = items[i].prio == 0;
    for (int prio = 1; prio <= 7; prio++) {
        for (size_t i = 0; i < n; i++) {
            if (items[i].prio != prio)
                continue;
            items[i].on = true;
            if (total_width(items, n) > width)
                items[i].on = false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct item *it = &items[i];
        size_t at, w;

        if (!it->on)
            continue;
        if (it->right) {
            size_t rest = total_width(items + i, n - i);

            if (used + rest < width) {
                size_t gap = width - used - rest, pad_at = out->len;

                for (size_t g = 0; g < gap; g++)
                    strbuf_putc(out, ' ');
                if (np < max)
                    pieces[np++] = (struct text_piece){ELEM_HEADER, pad_at, gap};
                used += gap;
            }
        } else if (k && !it->glued && used < width) {
            size_t g = MIN((size_t)GAP, width - used), pad_at = out->len;

            for (size_t j = 0; j < g; j++)
                strbuf_putc(out, ' ');
            if (np < max)
                pieces[np++] = (struct text_piece){ELEM_HEADER, pad_at, g};
            used += g;
        }
        k++;
        if (used >= width)
            break;
        at = out->len;
        w = sanitize_fit(out, it->text, strlen(it->text), width - used, sanitize_flags);
        if (np < max && out->len > at)
            pieces[np++] = (struct text_piece){it->elem, at, out->len - at};
        used += w;
    }
    if (used < width) {
        size_t pad_at = out->len;

        for (size_t g = used; g < width; g++)
            strbuf_putc(out, ' ');
        if (np < max)
            pieces[np++] = (struct text_piece){ELEM_HEADER, pad_at, width - used};
    }
    for (size_t i = 0; i < n; i++)
        free(items[i].text);
    return np;
}
