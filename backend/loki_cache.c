/* SPDX-License-Identifier: MIT */
/* loki_cache.c - the Loki client's use of the log cache: pages kept, read back offline */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/loki.h"
#include "opsdeck/store.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "loki_priv.h"

void
loki_cache_put(struct loki_op *op)
{
    struct loki_op_view v = loki_op_view(op);
    struct store *st = loki_store(v.l);
    struct store_log_line *lines;

    if (!st || v.n == 0)
        return;
    lines = xcalloc(v.n, sizeof(*lines));
    for (size_t i = 0; i < v.n; i++) {
        lines[i].ts = v.entries[i].ts;
        lines[i].labels = v.entries[i].stream->text;
        lines[i].line = v.entries[i].line;
        lines[i].len = v.entries[i].len;
    }
    /* A cache that cannot be written costs only the offline copy. */
    store_logs_put(st, loki_cache_key(v.l), v.query, lines, v.n, clock_now());
    free(lines);
}

/*
 * Parses the canonical selector text this client writes ({a="b", c="d"},
 * values with \" \\ \n escapes) into key and value vectors. False on
 * anything else.
 */
static bool
parse_labels(const char *s, struct vec *keys, struct vec *vals)
{
    if (*s++ != '{')
        return false;
    while (*s && *s != '}') {
        const char *k = s;
        struct strbuf v = {0};

        while (*s && *s != '=')
            s++;
        if (*s != '=' || s[1] != '"')
            return false;
        vec_push(keys, xstrndup(k, (size_t)(s - k)));
        s += 2;
        while (*s && *s != '"') {
            if (*s == '\\' && s[1]) {
                s++;
                strbuf_putc(&v, *s == 'n' ? '\n' : *s);
            } else {
                strbuf_putc(&v, *s);
            }
            s++;
        }
        if (*s != '"') {
            strbuf_done(&v);
            return false;
        }
        vec_push(vals, strbuf_detach(&v));
        s++;
        if (*s == ',')
            s++;
        while (*s == ' ')
            s++;
    }
    return *s == '}';
}

struct fallback {
    struct loki_interner *in;
    struct loki_entry *ents;
    size_t n, cap;
    struct strbuf arena; /* lines, by offset until the end */
    size_t *offs;
    int64_t oldest;
};

static bool
fallback_line(void *arg, const struct store_log_line *ln, int64_t fetched_at)
{
    struct fallback *fb = arg;
    struct vec keys, vals;
    const struct loki_labels *ls = NULL;

    vec_init(&keys, free);
    vec_init(&vals, free);
    if (parse_labels(ln->labels, &keys, &vals)) {
        vec_push(&keys, NULL);
        vec_push(&vals, NULL);
        ls = loki_intern_strv(fb->in, (const char *const *)keys.items,
                              (const char *const *)vals.items);
    }
    vec_done(&keys);
    vec_done(&vals);
    if (!ls)
        return true;
    fb->ents = xgrow(fb->ents, &fb->cap, fb->n + 1, sizeof(*fb->ents));
    fb->offs = xrealloc(fb->offs, fb->cap * sizeof(*fb->offs));
    fb->ents[fb->n].ts = ln->ts;
    fb->ents[fb->n].stream = ls;
    fb->ents[fb->n].len = ln->len;
    fb->offs[fb->n] = fb->arena.len;
    strbuf_append(&fb->arena, ln->line, ln->len);
    strbuf_putc(&fb->arena, '\0');
    fb->n++;
    if (fb->oldest == 0 || fetched_at < fb->oldest)
        fb->oldest = fetched_at;
    return true;
}

void
loki_cache_fallback(struct loki_op *op)
{
    struct loki_op_view v = loki_op_view(op);
    struct fallback fb = {.in = loki_interner(v.l)};

    if (store_logs_load(loki_store(v.l), loki_cache_key(v.l), v.query, v.start, v.end,
                        v.dir == LOKI_BACKWARD, v.limit, fallback_line, &fb) != STATUS_OK)
        fb.n = 0;
    for (size_t i = 0; i < fb.n; i++)
        fb.ents[i].line = fb.arena.buf + fb.offs[i];
    loki_op_cached(op, fb.ents, fb.n, fb.oldest);
    free(fb.ents);
    free(fb.offs);
    strbuf_done(&fb.arena);
}
