/* SPDX-License-Identifier: MIT */
/* loki_priv.h - shared inside the Loki client: interning, pages, the boundary set, the cache glue
 */
#ifndef OPSDECK_LOKI_PRIV_H
#define OPSDECK_LOKI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/hmap.h"
#include "opsdeck/json.h"
#include "opsdeck/loki.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"

/* Label sets, interned by canonical text (and by the raw JSON spelling as
 * a shortcut). Owns them; they live until loki_interner_done. */
struct loki_interner {
    struct hmap by_text;
    struct hmap by_raw;
    struct vec all;
};
struct kv;
void loki_interner_init(struct loki_interner *in);
void loki_interner_done(struct loki_interner *in);
const struct loki_labels *loki_intern_json(struct loki_interner *in, const struct json_doc *doc,
                                           uint32_t obj);
/* Interns the NULL-terminated pairs keys[i]=values[i] (copied). */
const struct loki_labels *loki_intern_strv(struct loki_interner *in, const char *const *keys,
                                           const char *const *values);

/* (stream id, line) set of the entries at one timestamp; lines copied. */
struct loki_seen_item {
    uint64_t hash; /* 0: empty slot */
    uint32_t stream;
    size_t len;
    char *line;
};
struct loki_seen {
    struct loki_seen_item *items;
    size_t cap;
    size_t n;
};
bool loki_seen_add(struct loki_seen *s, uint32_t stream, const char *line, size_t len);
bool loki_seen_has(const struct loki_seen *s, uint32_t stream, const char *line, size_t len);
void loki_seen_clear(struct loki_seen *s);
void loki_seen_done(struct loki_seen *s);

/* One parsed page: its entries point into body (unescaped lines, NUL at
 * the closing quote) or into arena. Reused from page to page. */
struct loki_pent {
    int64_t ts;
    const struct loki_labels *ls;
    const char *line;
    size_t len;
    size_t off; /* in arena, while parsing */
    uint32_t seq;
    bool arena;
};
struct loki_page {
    struct strbuf body;
    struct strbuf arena;
    struct json_doc doc;
    struct loki_pent *ents;
    size_t n, cap;
    char warning[256];
};
void loki_page_init(struct loki_page *pg);
void loki_page_done(struct loki_page *pg);
/* Parses a query_range answer (2xx) into pg, all streams merged in dir's
 * order. STATUS_JSON (malformed) or STATUS_HTTP (status not success) with
 * status_text() as the error line. Missing data = no entries. */
enum status loki_page_parse(struct loki_page *pg, struct loki_interner *in, const char *body,
                            size_t len, enum loki_direction dir);
/* Copies pg's entries that are not in the boundary set into *out (grown as
 * needed) and returns how many; the set then holds the entries at the
 * page's last timestamp (*seen_ts). dups counts what was skipped. */
size_t loki_page_filter(const struct loki_page *pg, struct loki_seen *seen, int64_t *seen_ts,
                        struct loki_entry **out, size_t *cap, uint64_t *dups);

/* The glue between loki.c and loki_cache.c. */
struct loki_op;
struct loki_op_view {
    const char *query;
    int64_t start, end;
    enum loki_direction dir;
    size_t limit;
    const struct loki_entry *entries; /* the page about to be delivered */
    size_t n;
    struct loki_result *res;
    struct loki *l;
};
struct loki_op_view loki_op_view(struct loki_op *op);
void loki_op_cached(struct loki_op *op, const struct loki_entry *entries, size_t n,
                    int64_t fetched_at);
const char *loki_cache_key(const struct loki *l);
struct store *loki_store(const struct loki *l);
struct loki_interner *loki_interner(struct loki *l);
/* Queues the page about to be delivered into the log cache. */
void loki_cache_put(struct loki_op *op);
/* Loki unreachable: delivers the cached entries of op's query and range
 * instead (or ends the op with its error when there are none). */
void loki_cache_fallback(struct loki_op *op);

/* Follow internals (loki.c). */
void loki_follow_answer(struct loki_op *op, bool failed);
void loki_follow_timer(struct loki_op *op);

#endif /* OPSDECK_LOKI_PRIV_H */
