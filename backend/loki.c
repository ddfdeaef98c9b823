/* SPDX-License-Identifier: MIT */
/* loki.c - Loki client: query_range paging and follow, labels, series */
#include "config.h"

#include "opsdeck/loki.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/hmap.h"
#include "opsdeck/http.h"
#include "opsdeck/json.h"
#include "opsdeck/log.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/upstream.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "loki_priv.h"

/* ------------------------------------------------------------------------
 * The boundary set: (stream, line) of the entries at one timestamp
 */

static uint64_t
seen_hash(uint32_t stream, const char *line, size_t len)
{
    uint64_t h = UINT64_C(1469598103934665603) ^ stream;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)line[i];
        h *= UINT64_C(1099511628211);
    }
    return h | 1;
}

void
loki_seen_clear(struct loki_seen *s)
{
    for (size_t i = 0; i < s->cap; i++) {
        if (s->items[i].hash) {
            free(s->items[i].line);
            s->items[i].hash = 0;
        }
    }
    s->n = 0;
}

void
loki_seen_done(struct loki_seen *s)
{
    loki_seen_clear(s);
    free(s->items);
    memset(s, 0, sizeof(*s));
}

static struct loki_seen_item *
seen_slot(const struct loki_seen *s, uint64_t h, uint32_t stream, const char *line, size_t len)
{
    size_t mask = s->cap - 1;

    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct loki_seen_item *it = &s->items[i];

        if (!it->hash)
            return it;
        if (it->hash == h && it->stream == stream && it->len == len &&
            memcmp(it->line, line, len) == 0)
            return it;
    }
}

/* Adds the entry; false when it was there already. */
bool
loki_seen_add(struct loki_seen *s, uint32_t stream, const char *line, size_t len)
{
    uint64_t h = seen_hash(stream, line, len);
    struct loki_seen_item *it;

    if (s->cap == 0 || (s->n + 1) * 2 > s->cap) {
        struct loki_seen old = *s;
        size_t cap = s->cap ? s->cap * 2 : 16;

        s->items = xcalloc(cap, sizeof(*s->items));
        s->cap = cap;
        s->n = 0;
        for (size_t i = 0; i < old.cap; i++) {
            if (old.items[i].hash) {
                *seen_slot(s, old.items[i].hash, old.items[i].stream, old.items[i].line,
                           old.items[i].len) = old.items[i];
                s->n++;
            }
        }
        free(old.items);
    }
    it = seen_slot(s, h, stream, line, len);
    if (it->hash)
        return false;
    it->hash = h;
    it->stream = stream;
    it->len = len;
    it->line = xmalloc(len + 1);
    memcpy(it->line, line, len);
    it->line[len] = '\0';
    s->n++;
    return true;
}

bool
loki_seen_has(const struct loki_seen *s, uint32_t stream, const char *line, size_t len)
{
    if (s->n == 0)
        return false;
    return seen_slot(s, seen_hash(stream, line, len), stream, line, len)->hash != 0;
}

/* ------------------------------------------------------------------------
 * Errors
 */

static const char *
http_phrase(long code)
{
    switch (code) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 429:
        return "Too Many Requests";
    case 499:
        return "Client Closed Request";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Error";
    }
}

/* Copies printable text of s[0..len) into out (at most size-1 bytes),
 * whitespace runs folded to one space, stopping at the first newline when
 * one_line. */
static void
copy_text(const char *s, size_t len, bool one_line, char *out, size_t size)
{
    size_t o = 0;
    bool space = false;

    for (size_t i = 0; i < len && o + 1 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\n' && one_line && o > 0)
            break;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < size)
            out[o++] = ' ';
        space = false;
        out[o++] = (char)c;
    }
    out[o] = '\0';
}

static const char *
find_ci(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);

    for (size_t i = 0; i + nl <= len; i++) {
        if (strncasecmp(s + i, needle, nl) == 0)
            return s + i;
    }
    return NULL;
}

static bool
looks_html(const char *body, size_t len)
{
    size_t i = 0;

    while (i < len && isspace((unsigned char)body[i]))
        i++;
    if (i >= len || body[i] != '<')
        return false;
    return find_ci(body, len < 4096 ? len : 4096, "<html") ||
           find_ci(body, len < 4096 ? len : 4096, "<!doctype") ||
           find_ci(body, len < 4096 ? len : 4096, "<body") ||
           find_ci(body, len < 4096 ? len : 4096, "<title");
}

/* The visible text of an HTML page: its <title>, else the text with the
 * tags dropped. */
static void
html_text(const char *body, size_t len, char *out, size_t size)
{
    const char *t = find_ci(body, len, "<title>");
    struct strbuf sb = {0};
    bool tag = false;

    if (t) {
        const char *e = find_ci(t, len - (size_t)(t - body), "</title>");

        if (e && e > t + 7) {
            copy_text(t + 7, (size_t)(e - t - 7), false, out, size);
            return;
        }
    }
    for (size_t i = 0; i < len && sb.len < 400; i++) {
        if (body[i] == '<')
            tag = true;
        else if (body[i] == '>')
            tag = false, strbuf_putc(&sb, ' ');
        else if (!tag)
            strbuf_putc(&sb, body[i]);
    }
    copy_text(strbuf_str(&sb), sb.len, false, out, size);
    strbuf_done(&sb);
}

void
loki_error_line(long http_status, const char *body, size_t len, bool proxy_error, char *out,
                size_t size)
{
    char text[400] = "";
    struct json_doc doc;

    if (!body)
        len = 0;
    if (proxy_error) {
        char msg[400] = "";

        json_doc_init(&doc);
        if (len && json_parse(&doc, body, len) == STATUS_OK)
            json_strcpy(&doc, json_get(&doc, 0, "message"), msg, sizeof(msg));
        json_doc_done(&doc);
        if (!msg[0])
            copy_text(body, len, true, msg, sizeof(msg));
        snprintf(out, size, "Loki: API server: %ld %s%s%s", http_status, http_phrase(http_status),
                 msg[0] ? ": " : "", msg);
        return;
    }
    if (len && looks_html(body, len)) {
        html_text(body, len, text, sizeof(text));
        snprintf(out, size, "Loki: %ld %s (HTML from a proxy%s%s)", http_status,
                 http_phrase(http_status), text[0] ? ": " : "", text);
        return;
    }
    /* A JSON error envelope ({"status":"error","error":...} or
     * {"message":...}) says its message; anything else is Loki's text. */
    json_doc_init(&doc);
    if (len && body[0] == '{' && json_parse(&doc, body, len) == STATUS_OK) {
        uint32_t m = json_get(&doc, 0, "error");

        if (json_type(&doc, m) != JSON_STRING)
            m = json_get(&doc, 0, "message");
        if (json_type(&doc, m) == JSON_STRING)
            json_strcpy(&doc, m, text, sizeof(text));
    }
    json_doc_done(&doc);
    if (!text[0])
        copy_text(body, len, true, text, sizeof(text));
    if (text[0])
        snprintf(out, size, "Loki: %ld %s", http_status, text);
    else
        snprintf(out, size, "Loki: %ld %s", http_status, http_phrase(http_status));
}

/* The result of an upstream answer that is not a 2xx: fills res. */
static void
answer_error(const struct upstream_response *resp, struct loki_result *res)
{
    res->http_status = resp->http_status;
    if (resp->result != STATUS_OK) {
        res->st = resp->result;
        switch (resp->result) {
        case STATUS_TIMEOUT:
            snprintf(res->error, sizeof(res->error), "Loki: timed out%s%.400s",
                     resp->error[0] ? ": " : "", resp->error);
            break;
        case STATUS_UNREACHABLE:
            snprintf(res->error, sizeof(res->error), "Loki: unreachable%s%.400s",
                     resp->error[0] ? ": " : "", resp->error);
            break;
        default:
            snprintf(res->error, sizeof(res->error), "Loki: %s%s%.400s",
                     status_message(resp->result), resp->error[0] ? ": " : "", resp->error);
            break;
        }
        return;
    }
    res->st = STATUS_HTTP;
    if (resp->proxy_error && resp->error[0]) {
        /* upstream's line may already name the API server. */
        snprintf(res->error, sizeof(res->error), "Loki: %s%.400s",
                 strncmp(resp->error, "API server", 10) == 0 ? "" : "API server: ", resp->error);
        if (resp->http_status == 502 || resp->http_status == 503 || resp->http_status == 504)
            res->st = STATUS_UNREACHABLE;
        return;
    }
    loki_error_line(resp->http_status, resp->body, resp->len, resp->proxy_error, res->error,
                    sizeof(res->error));
    if (resp->proxy_error &&
        (resp->http_status == 502 || resp->http_status == 503 || resp->http_status == 504))
        res->st = STATUS_UNREACHABLE;
}

/* ------------------------------------------------------------------------
 * Pages
 */

/* "1588889221.324" seconds (as text) to ns, without a double. */
static bool
seconds_text_to_ns(const char *s, size_t len, int64_t *out)
{
    int64_t sec = 0, frac = 0, scale = NS_PER_SEC;
    size_t i = 0;
    bool neg = false, digits = false;

    if (i < len && s[i] == '-')
        neg = true, i++;
    for (; i < len && isdigit((unsigned char)s[i]); i++) {
        if (sec > INT64_MAX / 10 / NS_PER_SEC)
            return false;
        sec = sec * 10 + (s[i] - '0');
        digits = true;
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && isdigit((unsigned char)s[i]); i++) {
            if (scale > 1) {
                scale /= 10;
                frac += (s[i] - '0') * scale;
            }
            digits = true;
        }
    }
    if (i != len || !digits)
        return false;
    *out = (sec * NS_PER_SEC + frac) * (neg ? -1 : 1);
    return true;
}

/* Line text of string token t: unescaped strings point into the (mutable)
 * body and get their NUL where the closing quote was; escaped ones are
 * unescaped into the arena (resolved by offset afterwards). */
static void
page_line(struct loki_page *pg, uint32_t t, struct loki_pent *pe)
{
    const struct json_tok *tok = &pg->doc.toks[t];

    if (!tok->escaped) {
        pe->line = pg->body.buf + tok->start;
        pe->len = tok->len;
        pg->body.buf[tok->start + tok->len] = '\0';
        pe->arena = false;
        return;
    }
    {
        size_t len = 0;
        char *s = json_strdup_len(&pg->doc, t, &len);

        pe->off = pg->arena.len;
        pe->len = len;
        pe->arena = true;
        strbuf_append(&pg->arena, s, len);
        strbuf_putc(&pg->arena, '\0');
        free(s);
    }
}

static void
page_push(struct loki_page *pg, const struct loki_pent *pe)
{
    pg->ents = xgrow(pg->ents, &pg->cap, pg->n + 1, sizeof(*pg->ents));
    pg->ents[pg->n] = *pe;
    pg->ents[pg->n].seq = (uint32_t)pg->n;
    pg->n++;
}

static int
pent_cmp_fwd(const void *a, const void *b)
{
    const struct loki_pent *x = a, *y = b;

    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->ls->id != y->ls->id)
        return x->ls->id < y->ls->id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
pent_cmp_bwd(const void *a, const void *b)
{
    const struct loki_pent *x = a, *y = b;

    if (x->ts != y->ts)
        return x->ts > y->ts ? -1 : 1;
    if (x->ls->id != y->ls->id)
        return x->ls->id < y->ls->id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
loki_page_init(struct loki_page *pg)
{
    memset(pg, 0, sizeof(*pg));
    json_doc_init(&pg->doc);
}

void
loki_page_done(struct loki_page *pg)
{
    strbuf_done(&pg->body);
    strbuf_done(&pg->arena);
    json_doc_done(&pg->doc);
    free(pg->ents);
    memset(pg, 0, sizeof(*pg));
}

/* Parses one value tuple of a streams result into pe. */
static bool
parse_stream_value(struct loki_page *pg, uint32_t val, const struct loki_labels *ls,
                   struct loki_pent *pe)
{
    const struct json_doc *doc = &pg->doc;
    uint32_t t, line;

    if (json_type(doc, val) != JSON_ARRAY || doc->toks[val].size < 2)
        return false;
    t = val + 1;
    line = doc->toks[t].end;
    if (json_type(doc, t) != JSON_STRING || json_type(doc, line) != JSON_STRING)
        return false;
    {
        const char *s = doc->src + doc->toks[t].start;
        size_t len = doc->toks[t].len;
        int64_t ts = 0;

        if (len == 0 || len > 19)
            return false;
        for (size_t i = 0; i < len; i++) {
            if (!isdigit((unsigned char)s[i]))
                return false;
            ts = ts * 10 + (s[i] - '0');
        }
        pe->ts = ts;
    }
    pe->ls = ls;
    page_line(pg, line, pe);
    return true;
}

static bool
parse_sample(struct loki_page *pg, uint32_t val, const struct loki_labels *ls, struct loki_pent *pe)
{
    const struct json_doc *doc = &pg->doc;
    uint32_t t, v;
    size_t len;
    const char *raw;

    if (json_type(doc, val) != JSON_ARRAY || doc->toks[val].size != 2)
        return false;
    t = val + 1;
    v = doc->toks[t].end;
    if (json_type(doc, t) != JSON_NUMBER || json_type(doc, v) != JSON_STRING)
        return false;
    raw = json_raw(doc, t, &len);
    if (!seconds_text_to_ns(raw, len, &pe->ts))
        return false;
    pe->ls = ls;
    page_line(pg, v, pe);
    return true;
}

/* Length of the valid UTF-8 sequence at s[0..len), 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    }
    return n;
}

/* Replaces every invalid UTF-8 byte of body with U+FFFD (tmp is scratch
 * space). False when there was none (the body is malformed otherwise). */
static bool
utf8_repair(struct strbuf *body, struct strbuf *tmp)
{
    const unsigned char *s = (const unsigned char *)body->buf;
    size_t len = body->len, bad = 0;

    strbuf_reset(tmp);
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(s + i, len - i);

        if (n == 0) {
            strbuf_append(tmp, "\xef\xbf\xbd", 3);
            bad++;
            i++;
        } else {
            strbuf_append(tmp, s + i, n);
            i += n;
        }
    }
    if (bad == 0)
        return false;
    strbuf_reset(body);
    strbuf_append(body, tmp->buf, tmp->len);
    return true;
}

/* Already in timeline order (one stream, or streams that do not overlap):
 * no sort needed. */
static bool
sorted(const struct loki_page *pg, enum loki_direction dir)
{
    for (size_t i = 1; i < pg->n; i++) {
        int c = (dir == LOKI_FORWARD ? pent_cmp_fwd : pent_cmp_bwd)(&pg->ents[i - 1], &pg->ents[i]);

        if (c > 0)
            return false;
    }
    return true;
}

/* Copies and tokenizes a page, checks its envelope: *result_out is the
 * result array (JSON_NONE for an empty answer). */
static enum status
page_tokenize(struct loki_page *pg, const char *body, size_t len, uint32_t *result_out,
              bool *matrix_out)
{
    struct json_doc *doc = &pg->doc;
    uint32_t data, result, rtype, warnings;
    enum status st;
    bool matrix = false;

    *result_out = JSON_NONE;
    *matrix_out = false;

    strbuf_reset(&pg->body);
    strbuf_reset(&pg->arena);
    pg->n = 0;
    pg->warning[0] = '\0';
    strbuf_append(&pg->body, body, len);
    st = json_parse(doc, pg->body.buf ? pg->body.buf : "", len);
    if (st != STATUS_OK && utf8_repair(&pg->body, &pg->arena)) {
        /* Loki writes a line's invalid UTF-8 as the raw bytes, which the
         * tokenizer refuses: those bytes become U+FFFD and the page is read
         * again. */
        st = json_parse(doc, pg->body.buf, pg->body.len);
        strbuf_reset(&pg->arena);
    }
    if (st != STATUS_OK)
        return status_fail(STATUS_JSON, "Loki: malformed answer: %s", doc->err);
    if (json_type(doc, 0) != JSON_OBJECT)
        return status_fail(STATUS_JSON, "Loki: malformed answer: not an object");
    if (!json_streq(doc, json_get(doc, 0, "status"), "success")) {
        char msg[300] = "";

        json_strcpy(doc, json_get(doc, 0, "error"), msg, sizeof(msg));
        return status_fail(STATUS_HTTP, "Loki: %s", msg[0] ? msg : "status is not success");
    }
    warnings = json_get(doc, 0, "warnings");
    if (json_type(doc, warnings) == JSON_ARRAY && doc->toks[warnings].size > 0)
        json_strcpy(doc, warnings + 1, pg->warning, sizeof(pg->warning));
    data = json_get(doc, 0, "data");
    if (json_type(doc, data) != JSON_OBJECT)
        return STATUS_OK; /* missing data: an empty result */
    rtype = json_get(doc, data, "resultType");
    result = json_get(doc, data, "result");
    if (json_type(doc, result) != JSON_ARRAY)
        return STATUS_OK;
    if (json_streq(doc, rtype, "matrix") || json_streq(doc, rtype, "vector"))
        matrix = true;
    else if (!json_streq(doc, rtype, "streams"))
        return status_fail(STATUS_JSON, "Loki: unexpected result type");
    *result_out = result;
    *matrix_out = matrix;
    return STATUS_OK;
}

/* The entries of a tokenized page (result: its result array, or JSON_NONE
 * for an empty answer), sorted into one timeline. */
static enum status
page_build(struct loki_page *pg, struct loki_interner *in, uint32_t result, bool matrix,
           enum loki_direction dir)
{
    struct json_doc *doc = &pg->doc;
    struct json_iter it;
    uint32_t k, item;

    if (result == JSON_NONE)
        return STATUS_OK;
    json_iter_init(&it, doc, result);
    while (json_iter_next(&it, &k, &item)) {
        const struct loki_labels *ls;
        struct loki_pent pe;
        uint32_t vals, v;
        struct json_iter vit;

        if (json_type(doc, item) != JSON_OBJECT)
            return status_fail(STATUS_JSON, "Loki: malformed answer: a result is not an object");
        ls = loki_intern_json(in, doc, json_get(doc, item, matrix ? "metric" : "stream"));
        if (matrix && json_type(doc, json_get(doc, item, "value")) == JSON_ARRAY) {
            memset(&pe, 0, sizeof(pe));
            if (!parse_sample(pg, json_get(doc, item, "value"), ls, &pe))
                return status_fail(STATUS_JSON, "Loki: malformed answer: bad sample");
            page_push(pg, &pe);
            continue;
        }
        vals = json_get(doc, item, "values");
        json_iter_init(&vit, doc, vals);
        while (json_iter_next(&vit, &k, &v)) {
            memset(&pe, 0, sizeof(pe));
            if (!(matrix ? parse_sample(pg, v, ls, &pe) : parse_stream_value(pg, v, ls, &pe)))
                return status_fail(STATUS_JSON, "Loki: malformed answer: bad %s",
                                   matrix ? "sample" : "entry");
            page_push(pg, &pe);
        }
    }
    for (size_t i = 0; i < pg->n; i++) {
        if (pg->ents[i].arena)
            pg->ents[i].line = pg->arena.buf + pg->ents[i].off;
    }
    if (pg->n > 1 && !sorted(pg, dir))
        qsort(pg->ents, pg->n, sizeof(*pg->ents),
              dir == LOKI_FORWARD ? pent_cmp_fwd : pent_cmp_bwd);
    return STATUS_OK;
}

enum status
loki_page_parse(struct loki_page *pg, struct loki_interner *in, const char *body, size_t len,
                enum loki_direction dir)
{
    uint32_t result;
    bool matrix;
    enum status st = page_tokenize(pg, body, len, &result, &matrix);

    return st == STATUS_OK ? page_build(pg, in, result, matrix, dir) : st;
}

/*
 * Where a tokenized page of log entries ends, before its entries are
 * built: *count entries in all, *bound the oldest timestamp of the page
 * (backward) or the newest (forward), i.e. the last of each stream's
 * values, which Loki sorts in the query's direction. False when the page
 * does not read as expected (the caller then waits for the full parse).
 */
static bool
page_bound(const struct loki_page *pg, uint32_t result, enum loki_direction dir, size_t *count,
           int64_t *bound)
{
    const struct json_doc *doc = &pg->doc;
    struct json_iter it;
    uint32_t k, item;
    bool any = false;

    *count = 0;
    json_iter_init(&it, doc, result);
    while (json_iter_next(&it, &k, &item)) {
        uint32_t vals = json_get(doc, item, "values"), v, last = JSON_NONE, t;
        struct json_iter vit;
        int64_t ts = 0;

        if (json_type(doc, vals) != JSON_ARRAY)
            return false;
        json_iter_init(&vit, doc, vals);
        while (json_iter_next(&vit, &k, &v)) {
            last = v;
            ++*count;
        }
        if (last == JSON_NONE)
            continue;
        if (json_type(doc, last) != JSON_ARRAY || doc->toks[last].size < 2)
            return false;
        t = last + 1;
        if (json_type(doc, t) != JSON_STRING || doc->toks[t].len == 0 || doc->toks[t].len > 19)
            return false;
        for (size_t i = 0; i < doc->toks[t].len; i++) {
            char c = doc->src[doc->toks[t].start + i];

            if (c < '0' || c > '9')
                return false;
            ts = ts * 10 + (c - '0');
        }
        if (!any || (dir == LOKI_FORWARD ? ts > *bound : ts < *bound))
            *bound = ts;
        any = true;
    }
    return any;
}

size_t
loki_page_filter(const struct loki_page *pg, struct loki_seen *seen, int64_t *seen_ts,
                 struct loki_entry **out, size_t *cap, uint64_t *dups)
{
    size_t n = 0;

    *out = xgrow(*out, cap, pg->n + 1, sizeof(**out));
    for (size_t i = 0; i < pg->n; i++) {
        const struct loki_pent *pe = &pg->ents[i];
        bool last = i + 1 == pg->n;
        bool again = !last && pg->ents[i + 1].ts == pe->ts;

        if (pe->ts != *seen_ts) {
            loki_seen_clear(seen);
            *seen_ts = pe->ts;
        }
        /* Only entries that may meet their twin are remembered: one whose
         * next neighbour has the same timestamp, or the page's last (the
         * next page starts at its timestamp). */
        if (seen->n > 0 || again || last) {
            if (!loki_seen_add(seen, pe->ls->id, pe->line, pe->len)) {
                if (dups)
                    (*dups)++;
                continue;
            }
        }
        (*out)[n].ts = pe->ts;
        (*out)[n].stream = pe->ls;
        (*out)[n].line = pe->line;
        (*out)[n].len = pe->len;
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------------
 * The client and its operations
 */

enum op_kind {
    OP_RANGE,
    OP_FOLLOW,
    OP_STRINGS,
    OP_SERIES,
};

struct loki_op {
    struct loki *l;
    struct loki_op *prev, *next;
    enum op_kind kind;
    struct upstream_call *call;
    void *arg;
    loki_batch_cb batch;
    loki_done_cb done;
    loki_strings_cb strings;
    loki_series_cb series;
    loki_follow_status_cb status;
    struct loki_result res;

    char *query;
    int64_t start, end;         /* of the whole range */
    int64_t req_start, req_end; /* of the next request */
    enum loki_direction dir;
    size_t limit;
    size_t page_size;
    size_t req_limit; /* asked in the request in flight */
    size_t grow;      /* a larger limit to see past a crowded timestamp */
    bool use_cache;
    bool early; /* the next request went out before the page was built */

    struct loki_seen seen;
    int64_t seen_ts;
    struct loki_page page;
    struct loki_entry *out;
    size_t nout, capout;
    bool ready;             /* out waits for delivery */
    bool finished;          /* done follows the delivery */
    struct ev_timer *timer; /* delivery, and a follow's next poll */
    bool poll_due;          /* the timer also starts the next poll */
    int64_t poll_in_ms;

    int depth; /* inside a user callback */
    bool dead;
    bool stopped; /* a follow whose batch callback said stop */

    /* follow */
    int interval_ms;
    int delay_ms;
    int backoff_ms;
    bool failing;
    struct loki_follow_stats fstats;
};

struct loki_follow {
    struct loki_op *op;
};

struct loki {
    struct evloop *loop;
    struct upstream *up;
    struct store *store;
    char *cache_key;
    struct loki_interner in;
    struct loki_op *ops;
    size_t nops;
};

struct loki *
loki_new(struct evloop *loop, struct upstream *up, struct store *store)
{
    struct loki *l = xcalloc(1, sizeof(*l));

    l->loop = loop;
    l->up = up;
    l->store = store;
    loki_interner_init(&l->in);
    return l;
}

static void op_free(struct loki_op *op);

void
loki_free(struct loki *l)
{
    if (!l)
        return;
    while (l->ops)
        op_free(l->ops);
    loki_interner_done(&l->in);
    free(l->cache_key);
    free(l);
}

bool
loki_configured(const struct loki *l)
{
    return l->up && upstream_configured(l->up);
}

struct upstream *
loki_upstream(const struct loki *l)
{
    return l->up;
}

void
loki_set_cache_key(struct loki *l, const char *key)
{
    free(l->cache_key);
    l->cache_key = key ? xstrdup(key) : NULL;
}

const char *
loki_cache_key(const struct loki *l)
{
    return l->cache_key ? l->cache_key : upstream_describe(l->up);
}

struct store *
loki_store(const struct loki *l)
{
    return l->store;
}

struct loki_interner *
loki_interner(struct loki *l)
{
    return &l->in;
}

size_t
loki_pending(const struct loki *l)
{
    return l->nops;
}

static struct loki_op *
op_new(struct loki *l, enum op_kind kind, void *arg)
{
    struct loki_op *op = xcalloc(1, sizeof(*op));

    op->l = l;
    op->kind = kind;
    op->arg = arg;
    op->next = l->ops;
    if (l->ops)
        l->ops->prev = op;
    l->ops = op;
    l->nops++;
    loki_page_init(&op->page);
    op->seen_ts = INT64_MIN;
    return op;
}

static void
op_free(struct loki_op *op)
{
    struct loki *l = op->l;

    upstream_cancel(op->call);
    ev_timer_free(op->timer);
    if (op->prev)
        op->prev->next = op->next;
    else
        l->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    l->nops--;
    loki_seen_done(&op->seen);
    loki_page_done(&op->page);
    free(op->out);
    free(op->query);
    free(op);
}

/* After a user callback: false when the op is gone. */
static bool
op_leave(struct loki_op *op)
{
    op->depth--;
    if (op->dead && op->depth == 0) {
        op_free(op);
        return false;
    }
    return !op->dead;
}

void
loki_op_cancel(struct loki_op *op)
{
    if (!op || op->dead)
        return;
    upstream_cancel(op->call);
    op->call = NULL;
    if (op->timer)
        ev_timer_disarm(op->timer);
    op->dead = true;
    if (op->depth == 0)
        op_free(op);
}

/* The operation's end: done once, then freed. */
static void
op_finish(struct loki_op *op)
{
    if (op->kind == OP_FOLLOW) {
        /* A follow ends only by loki_follow_free. */
        return;
    }
    op->depth++;
    if (op->done)
        op->done(op->arg, &op->res);
    op->dead = true;
    op_leave(op);
}

static void range_request(struct loki_op *op, size_t fresh);
static void op_timer(void *arg);

/* Delivers the waiting batch; false when the op is gone or stopped. */
static bool
deliver(struct loki_op *op)
{
    struct loki_batch b = {0};
    bool go;

    if (!op->ready)
        return true;
    op->ready = false;
    if (op->nout == 0)
        return true;
    b.entries = op->out;
    b.n = op->nout;
    b.page = op->res.pages ? op->res.pages - 1 : 0;
    b.cached = op->res.cached;
    b.fetched_at = op->res.cached ? op->res.fetched_at : 0;
    op->res.entries += op->nout;
    if (op->kind == OP_FOLLOW)
        op->fstats.entries += op->nout;
    op->depth++;
    go = op->batch(op->arg, &b);
    if (!op_leave(op))
        return false;
    if (!go) {
        upstream_cancel(op->call);
        op->call = NULL;
        op->res.st = STATUS_CANCELLED;
        snprintf(op->res.error, sizeof(op->res.error), "cancelled");
        if (op->kind == OP_FOLLOW) {
            /* Stopped; freed by loki_follow_free. */
            op->stopped = true;
            ev_timer_disarm(op->timer);
            return false;
        }
        op_finish(op);
        return false;
    }
    return true;
}

static char *
range_path(const struct loki_op *op)
{
    char *q = http_escape(op->query);
    char *path = xasprintf("/loki/api/v1/query_range?query=%s&start=%" PRId64 "&end=%" PRId64
                           "&limit=%zu&direction=%s",
                           q, op->req_start, op->req_end, op->req_limit,
                           op->dir == LOKI_FORWARD ? "forward" : "backward");

    free(q);
    return path;
}

static void range_answer(void *arg, const struct upstream_response *resp);

/* Sends the next request. fresh: entries not yet delivered that count
 * toward the limit (the page in hand). */
static void
range_request(struct loki_op *op, size_t fresh)
{
    size_t base = op->page_size;
    char *path;

    if (op->limit) {
        size_t remaining = op->limit - op->res.entries - fresh;

        if (base > remaining + op->seen.n)
            base = remaining + op->seen.n;
    }
    if (base <= op->seen.n)
        base = op->seen.n + 1;
    if (op->grow > base)
        base = op->grow;
    if (base > LOKI_MAX_PAGE)
        base = LOKI_MAX_PAGE;
    op->req_limit = base;
    if (op->kind == OP_FOLLOW) {
        int64_t now = clock_now_ns();

        if (!loki_configured(op->l)) {
            op->res.st = STATUS_CONFIG;
            snprintf(op->res.error, sizeof(op->res.error), "Loki: not configured");
            loki_follow_answer(op, true);
            return;
        }

        now -= (int64_t)op->delay_ms * 1000000;
        op->req_end = now > op->req_start ? now : op->req_start + 1;
        op->fstats.polls++;
    }
    path = range_path(op);
    op->call = upstream_get(op->l->up, path, range_answer, op);
    free(path);
}

/* The page in op->page was parsed: filter it, decide what comes next. */
static void
range_page(struct loki_op *op)
{
    size_t raw = op->page.n;
    bool full = raw >= op->req_limit;
    int64_t bound = op->seen_ts;
    uint64_t dups = 0;

    op->nout = loki_page_filter(&op->page, &op->seen, &op->seen_ts, &op->out, &op->capout, &dups);
    if (op->kind == OP_FOLLOW)
        op->fstats.duplicates += dups;
    if (op->page.warning[0] && !op->res.warning[0])
        snprintf(op->res.warning, sizeof(op->res.warning), "%s", op->page.warning);
    op->ready = true;
    if (op->early) {
        /* range_request_early sent the request this page leads to, unless
         * the limit is reached after all: then it is not wanted. */
        op->early = false;
        if (!(op->limit && op->res.entries + op->nout >= op->limit)) {
            op->grow = 0;
            return;
        }
        upstream_cancel(op->call);
        op->call = NULL;
    }
    if (raw > 0)
        bound = op->page.ents[raw - 1].ts;

    if (op->limit && op->res.entries + op->nout >= op->limit) {
        op->res.truncated = full || op->res.entries + op->nout > op->limit;
        op->nout = op->limit - op->res.entries;
        op->finished = true;
        return;
    }
    if (op->nout == 0 && full) {
        /* Nothing new: every entry at one crowded timestamp was seen. */
        if (op->req_limit < LOKI_MAX_PAGE) {
            op->grow = op->req_limit * 2;
        } else {
            snprintf(op->res.warning, sizeof(op->res.warning),
                     "more than %d entries at one timestamp: some skipped", LOKI_MAX_PAGE);
            if (op->dir == LOKI_FORWARD)
                op->req_start = bound + 1;
            else
                op->req_end = bound;
            loki_seen_clear(&op->seen);
            op->seen_ts = INT64_MIN;
            op->grow = 0;
        }
    } else {
        op->grow = 0;
        if (raw > 0) {
            if (op->dir == LOKI_FORWARD)
                op->req_start = bound;
            else
                op->req_end = bound + 1;
        }
    }
    if (op->kind == OP_FOLLOW) {
        if (op->dir == LOKI_FORWARD && op->req_start < op->start)
            op->req_start = op->start;
        op->poll_in_ms = full ? 0 : op->interval_ms;
        return;
    }
    if (!full || op->req_start >= op->req_end) {
        op->finished = true;
        return;
    }
    range_request(op, op->nout);
}

/*
 * Overlaps building a page's entries with the transfer of the next one:
 * once the page is tokenized, its boundary is known (page_bound), and in
 * the common case — a full page whose boundary moved, the limit not in
 * reach — the next request is the one range_page would send, so it goes
 * out now. Every other case (a crowded timestamp, the last pages before
 * the limit) waits for range_page's full decision.
 */
static void
range_request_early(struct loki_op *op, uint32_t result)
{
    size_t count, fresh;
    int64_t bound = 0;

    if (op->grow || !page_bound(&op->page, result, op->dir, &count, &bound))
        return;
    /* The new entries: all but those at the previous boundary, which come
     * again (range_page counts them exactly). */
    fresh = count > op->seen.n ? count - op->seen.n : 0;
    if (count < op->req_limit || bound == op->seen_ts ||
        (op->limit && op->res.entries + fresh >= op->limit))
        return;
    if (op->dir == LOKI_FORWARD)
        op->req_start = bound;
    else
        op->req_end = bound + 1;
    if (op->req_start >= op->req_end)
        return;
    range_request(op, fresh);
    op->early = true;
}

static void
range_answer(void *arg, const struct upstream_response *resp)
{
    struct loki_op *op = arg;
    bool failed = false;

    op->call = NULL;
    if (!deliver(op))
        return;
    if (resp->result == STATUS_TOOLARGE && op->req_limit / 2 > op->seen.n) {
        /* A page over the body cap (very long lines): the same again, half
         * as many entries; the smaller size stays for the pages after. */
        op->page_size = op->req_limit / 2;
        op->grow = 0;
        range_request(op, op->nout);
        return;
    }
    if (resp->result != STATUS_OK || resp->http_status / 100 != 2) {
        memset(op->res.error, 0, sizeof(op->res.error));
        answer_error(resp, &op->res);
        failed = true;
    } else {
        uint32_t result;
        bool matrix;
        enum status st;

        op->res.pages++;
        op->res.http_status = resp->http_status;
        st = page_tokenize(&op->page, resp->body, resp->len, &result, &matrix);
        if (st == STATUS_OK && op->kind == OP_RANGE && !matrix && result != JSON_NONE)
            range_request_early(op, result);
        if (st == STATUS_OK)
            st = page_build(&op->page, &op->l->in, result, matrix, op->dir);
        if (st != STATUS_OK) {
            op->res.st = STATUS_JSON;
            snprintf(op->res.error, sizeof(op->res.error), "%s", status_text());
            failed = true;
            upstream_cancel(op->call);
            op->call = NULL;
            op->early = false;
        }
    }
    if (op->kind == OP_FOLLOW) {
        loki_follow_answer(op, failed);
        return;
    }
    if (failed) {
        if (op->use_cache && op->res.entries == 0 &&
            (op->res.st == STATUS_UNREACHABLE || op->res.st == STATUS_TIMEOUT)) {
            loki_cache_fallback(op);
            return;
        }
        op_finish(op);
        return;
    }
    op->res.st = STATUS_OK;
    range_page(op);
    if (op->use_cache)
        loki_cache_put(op);
    /* The next request is on its way; the batch goes out from the loop's
     * next pass, after curl has sent it. */
    ev_timer_arm(op->timer, 0);
}

static void
op_timer(void *arg)
{
    struct loki_op *op = arg;

    if (!deliver(op))
        return;
    if (op->kind == OP_FOLLOW) {
        loki_follow_timer(op);
        return;
    }
    if (op->finished)
        op_finish(op);
}

struct loki_op *
loki_range(struct loki *l, const struct loki_range_opts *opts, loki_batch_cb batch,
           loki_done_cb done, void *arg)
{
    struct loki_op *op = op_new(l, OP_RANGE, arg);

    op->batch = batch;
    op->done = done;
    op->query = xstrdup(opts->query ? opts->query : "");
    op->start = op->req_start = opts->start_ns;
    op->end = op->req_end = opts->end_ns;
    op->dir = opts->direction;
    op->limit = opts->limit;
    op->page_size = opts->page_size ? opts->page_size : LOKI_MAX_PAGE;
    if (op->page_size > LOKI_MAX_PAGE)
        op->page_size = LOKI_MAX_PAGE;
    op->use_cache = opts->use_cache && l->store;
    op->timer = ev_timer_new(l->loop, op_timer, op);
    if (!loki_configured(l)) {
        op->res.st = STATUS_CONFIG;
        snprintf(op->res.error, sizeof(op->res.error), "Loki: not configured");
        op->finished = true;
        ev_timer_arm(op->timer, 0);
        return op;
    }
    if (op->start >= op->end) {
        op->res.st = STATUS_INVALID;
        snprintf(op->res.error, sizeof(op->res.error),
                 "Loki: the range is empty (its end is not after its start)");
        op->finished = true;
        ev_timer_arm(op->timer, 0);
        return op;
    }
    range_request(op, op->nout);
    return op;
}

/* ------------------------------------------------------------------------
 * Follow
 */

void
loki_follow_answer(struct loki_op *op, bool failed)
{
    if (failed) {
        op->backoff_ms = op->backoff_ms ? op->backoff_ms * 2 : op->interval_ms * 2;
        if (op->backoff_ms > 30000)
            op->backoff_ms = 30000;
        op->failing = true;
        op->depth++;
        if (op->status)
            op->status(op->arg, &op->res);
        if (!op_leave(op))
            return;
        ev_timer_arm(op->timer, op->backoff_ms);
        return;
    }
    range_page(op);
    if (op->failing) {
        op->failing = false;
        op->backoff_ms = 0;
        op->res.st = STATUS_OK;
        op->res.error[0] = '\0';
        op->depth++;
        if (op->status)
            op->status(op->arg, &op->res);
        if (!op_leave(op))
            return;
    }
    op->res.st = STATUS_OK;
    op->fstats.last_ts = op->seen_ts == INT64_MIN ? op->fstats.last_ts : op->seen_ts;
    op->poll_due = true;
    ev_timer_arm(op->timer, 0);
}

void
loki_follow_timer(struct loki_op *op)
{
    if (op->call || op->stopped)
        return;
    if (op->poll_due) {
        /* The batch went out; now wait for the next poll. */
        op->poll_due = false;
        if (op->poll_in_ms > 0) {
            ev_timer_arm(op->timer, op->poll_in_ms);
            return;
        }
    }
    range_request(op, op->nout);
}

struct loki_follow *
loki_follow_new(struct loki *l, const struct loki_follow_opts *opts, loki_batch_cb batch,
                loki_follow_status_cb status, void *arg)
{
    struct loki_follow *f = xcalloc(1, sizeof(*f));
    struct loki_op *op = op_new(l, OP_FOLLOW, arg);

    f->op = op;
    op->batch = batch;
    op->status = status;
    op->query = xstrdup(opts->query ? opts->query : "");
    op->start = opts->start_ns ? opts->start_ns : clock_now_ns();
    op->req_start = op->start;
    op->dir = LOKI_FORWARD;
    op->page_size = opts->page_size ? opts->page_size : LOKI_MAX_PAGE;
    if (op->page_size > LOKI_MAX_PAGE)
        op->page_size = LOKI_MAX_PAGE;
    op->interval_ms = opts->interval_ms > 0 ? opts->interval_ms : 1000;
    op->delay_ms = opts->delay_ms > 0 ? opts->delay_ms : 0;
    op->timer = ev_timer_new(l->loop, op_timer, op);
    ev_timer_arm(op->timer, 0);
    return f;
}

void
loki_follow_free(struct loki_follow *f)
{
    struct loki_op *op;

    if (!f)
        return;
    op = f->op;
    upstream_cancel(op->call);
    op->call = NULL;
    ev_timer_disarm(op->timer);
    op->dead = true;
    if (op->depth == 0)
        op_free(op);
    free(f);
}

void
loki_follow_stats(const struct loki_follow *f, struct loki_follow_stats *out)
{
    *out = f->op->fstats;
    out->boundary = f->op->seen.n;
}

/* ------------------------------------------------------------------------
 * labels, label values, series
 */

enum status
loki_parse_strings(const char *body, size_t len, char ***out, size_t *n)
{
    struct json_doc doc;
    enum status st;
    uint32_t data, k, v;
    struct json_iter it;
    size_t cnt = 0;
    char **vals;

    *out = NULL;
    *n = 0;
    json_doc_init(&doc);
    st = json_parse(&doc, body, len);
    if (st != STATUS_OK) {
        st = status_fail(STATUS_JSON, "Loki: malformed answer: %s", doc.err);
        goto out;
    }
    if (!json_streq(&doc, json_get(&doc, 0, "status"), "success")) {
        st = status_fail(STATUS_HTTP, "Loki: status is not success");
        goto out;
    }
    data = json_get(&doc, 0, "data");
    vals =
        xcalloc(json_type(&doc, data) == JSON_ARRAY ? doc.toks[data].size + 1 : 1, sizeof(char *));
    json_iter_init(&it, &doc, data);
    while (json_iter_next(&it, &k, &v)) {
        if (json_type(&doc, v) == JSON_STRING)
            vals[cnt++] = json_strdup(&doc, v);
    }
    *out = vals;
    *n = cnt;
out:
    json_doc_done(&doc);
    return st;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
meta_answer(void *arg, const struct upstream_response *resp)
{
    struct loki_op *op = arg;
    char **vals = NULL;
    size_t n = 0;
    const struct loki_labels **series = NULL;

    op->call = NULL;
    if (resp->result != STATUS_OK || resp->http_status / 100 != 2) {
        answer_error(resp, &op->res);
    } else if (op->kind == OP_STRINGS) {
        op->res.http_status = resp->http_status;
        op->res.pages = 1;
        if (loki_parse_strings(resp->body, resp->len, &vals, &n) != STATUS_OK) {
            op->res.st = STATUS_JSON;
            snprintf(op->res.error, sizeof(op->res.error), "%s", status_text());
        } else {
            qsort(vals, n, sizeof(char *), str_cmp);
            op->res.entries = n;
        }
    } else {
        struct json_doc doc;
        uint32_t data, k, v;
        struct json_iter it;

        op->res.http_status = resp->http_status;
        op->res.pages = 1;
        json_doc_init(&doc);
        if (json_parse(&doc, resp->body, resp->len) != STATUS_OK ||
            !json_streq(&doc, json_get(&doc, 0, "status"), "success")) {
            op->res.st = STATUS_JSON;
            snprintf(op->res.error, sizeof(op->res.error), "Loki: malformed answer%s%s",
                     doc.err[0] ? ": " : "", doc.err);
        } else {
            data = json_get(&doc, 0, "data");
            series = xcalloc(json_type(&doc, data) == JSON_ARRAY ? doc.toks[data].size + 1 : 1,
                             sizeof(*series));
            json_iter_init(&it, &doc, data);
            while (json_iter_next(&it, &k, &v)) {
                if (json_type(&doc, v) == JSON_OBJECT)
                    series[n++] = loki_intern_json(&op->l->in, &doc, v);
            }
            op->res.entries = n;
        }
        json_doc_done(&doc);
    }
    op->depth++;
    if (op->kind == OP_STRINGS)
        op->strings(op->arg, &op->res, (const char *const *)(vals ? vals : (char *[]){NULL}), n);
    else
        op->series(op->arg, &op->res, series, n);
    strv_free(vals);
    free(series);
    op->dead = true;
    op_leave(op);
}

static void
append_range(struct strbuf *sb, int64_t start, int64_t end)
{
    if (start || end)
        strbuf_printf(sb, "%cstart=%" PRId64 "&end=%" PRId64, strchr(sb->buf, '?') ? '&' : '?',
                      start, end);
}

struct loki_op *
loki_labels(struct loki *l, const char *name, const char *query, int64_t start_ns, int64_t end_ns,
            loki_strings_cb cb, void *arg)
{
    struct loki_op *op = op_new(l, OP_STRINGS, arg);
    struct strbuf sb = {0};

    op->strings = cb;
    if (name) {
        char *n = http_escape(name);

        strbuf_printf(&sb, "/loki/api/v1/label/%s/values", n);
        free(n);
    } else {
        strbuf_puts(&sb, "/loki/api/v1/labels");
    }
    append_range(&sb, start_ns, end_ns);
    if (query && *query) {
        char *q = http_escape(query);

        strbuf_printf(&sb, "%cquery=%s", strchr(sb.buf, '?') ? '&' : '?', q);
        free(q);
    }
    op->call = upstream_get(l->up, strbuf_str(&sb), meta_answer, op);
    strbuf_done(&sb);
    return op;
}

struct loki_op *
loki_series(struct loki *l, const char *match, int64_t start_ns, int64_t end_ns, loki_series_cb cb,
            void *arg)
{
    struct loki_op *op = op_new(l, OP_SERIES, arg);
    struct strbuf sb = {0};
    char *m = http_escape(match ? match : "{}");

    op->series = cb;
    strbuf_printf(&sb, "/loki/api/v1/series?match%%5B%%5D=%s", m);
    free(m);
    append_range(&sb, start_ns, end_ns);
    op->call = upstream_get(l->up, strbuf_str(&sb), meta_answer, op);
    strbuf_done(&sb);
    return op;
}

/* ------------------------------------------------------------------------
 * For loki_cache.c
 */

struct loki_op_view
loki_op_view(struct loki_op *op)
{
    struct loki_op_view v = {
        .query = op->query,
        .start = op->start,
        .end = op->end,
        .dir = op->dir,
        .limit = op->limit,
        .entries = op->out,
        .n = op->nout,
        .res = &op->res,
        .l = op->l,
    };
    return v;
}

/* Delivers entries (borrowed) from the cache as the op's batches and ends
 * it; the error that sent it there stays in res.error. */
void
loki_op_cached(struct loki_op *op, const struct loki_entry *entries, size_t n, int64_t fetched_at)
{
    if (n == 0) {
        op_finish(op);
        return;
    }
    op->res.cached = true;
    op->res.fetched_at = fetched_at;
    op->res.st = STATUS_OK;
    op->out = xgrow(op->out, &op->capout, n + 1, sizeof(*op->out));
    memcpy(op->out, entries, n * sizeof(*entries));
    op->nout = n;
    op->ready = true;
    op->finished = true;
    if (!deliver(op))
        return;
    op_finish(op);
}
