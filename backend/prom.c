/* SPDX-License-Identifier: MIT */
/* prom.c - Prometheus HTTP API replies: envelopes, results, alerts, targets */
#include "config.h"

#include "opsdeck/prom.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/* An error line longer than this is cut: it goes on one screen line. */
#define ERROR_MAX 300

const char *
prom_type_name(enum prom_type t)
{
    switch (t) {
    case PROM_VECTOR:
        return "vector";
    case PROM_MATRIX:
        return "matrix";
    case PROM_SCALAR:
        return "scalar";
    case PROM_STRING:
        return "string";
    }
    return "?";
}

bool
prom_parse_value(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    double v;

    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (strcmp(buf, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    if (strcmp(buf, "+Inf") == 0 || strcmp(buf, "Inf") == 0) {
        *out = INFINITY;
        return true;
    }
    if (strcmp(buf, "-Inf") == 0) {
        *out = -INFINITY;
        return true;
    }
    /* Go's strconv.FormatFloat: digits, sign, '.', exponent; nothing else
     * (strtod alone would also take hex, "nan(…)", "infinity"). */
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!isdigit((unsigned char)c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-')
            return false;
    }
    errno = 0;
    v = strtod(buf, &end);
    if (end != buf + len || end == buf)
        return false;
    *out = v;
    return true;
}

bool
prom_parse_ts(const char *s, size_t len, int64_t *out_ms)
{
    int64_t sec = 0, frac = 0;
    size_t i = 0, fdigits = 0;
    bool neg = false;

    if (len > 0 && s[0] == '-') {
        neg = true;
        i++;
    }
    if (i >= len || !isdigit((unsigned char)s[i]))
        return false;
    for (; i < len && isdigit((unsigned char)s[i]); i++) {
        if (sec > (INT64_MAX / 1000 - 9) / 10)
            return false;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        i++;
        /* Milliseconds exactly, the fourth digit rounds; more are ignored. */
        for (; i < len && isdigit((unsigned char)s[i]); i++, fdigits++) {
            if (fdigits < 3)
                frac = frac * 10 + (s[i] - '0');
            else if (fdigits == 3 && s[i] >= '5')
                frac++;
        }
        for (size_t k = fdigits; k < 3; k++)
            frac *= 10;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        /* Exponent form (a client's own float printing): go through a double. */
        double d;
        if (!prom_parse_value(s, len, &d) || !isfinite(d) || fabs(d) > 9e15)
            return false;
        *out_ms = (int64_t)llround(d * 1000.0);
        return true;
    }
    if (i != len)
        return false;
    *out_ms = (neg ? -1 : 1) * (sec * 1000 + frac);
    return true;
}

void
prom_format_value(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "NaN");
    else if (isinf(v))
        snprintf(buf, size, "%sInf", v > 0 ? "+" : "-");
    else
        snprintf(buf, size, "%.15g", v);
}

/*
 * Envelopes
 */

/* One line from a body that is not JSON: an HTML page's title, else its
 * first non-empty line, control characters dropped, cut at ERROR_MAX. */
static void
text_line(const char *body, size_t len, const char *content_type, struct strbuf *out)
{
    const char *p = body, *end = body + len;
    bool html = (content_type && strstr(content_type, "html")) ||
                (len > 0 && memchr(body, '<', len < 64 ? len : 64) &&
                 (strstr(body, "<html") || strstr(body, "<HTML") || strstr(body, "<!DOCTYPE") ||
                  strstr(body, "<!doctype")));
    size_t start_len = out->len;

    if (html) {
        const char *t = strstr(body, "<title>");
        if (!t)
            t = strstr(body, "<TITLE>");
        if (t) {
            p = t + 7;
            end = p;
            while (end < body + len && *end != '<')
                end++;
        } else {
            strbuf_puts(out, "HTML page");
            return;
        }
    }
    while (p < end && isspace((unsigned char)*p))
        p++;
    for (; p < end && *p != '\n' && *p != '\r'; p++) {
        if (out->len - start_len >= ERROR_MAX) {
            strbuf_puts(out, "…");
            break;
        }
        if ((unsigned char)*p >= 0x20 && *p != 0x7f)
            strbuf_putc(out, *p);
        else if (*p == '\t')
            strbuf_putc(out, ' ');
    }
    while (out->len > start_len && out->buf[out->len - 1] == ' ')
        out->buf[--out->len] = '\0';
    if (out->len == start_len)
        strbuf_puts(out, html ? "HTML page" : "empty body");
}

/* Parses the envelope into doc; on success *data is the "data" token
 * (JSON_NONE when a success carries none). */
static enum status
parse_envelope(struct json_doc *doc, const char *body, size_t len, long http_status,
               const char *content_type, uint32_t *data)
{
    struct strbuf msg;
    uint32_t st;
    enum status rc;

    *data = JSON_NONE;
    if (json_parse(doc, body, len) != STATUS_OK || json_type(doc, 0) != JSON_OBJECT) {
        bool jsonish = len > 0 && (body[0] == '{' || body[0] == '[');
        if (jsonish && http_status >= 200 && http_status < 300)
            return status_fail(STATUS_JSON, "Prometheus: malformed reply: %s", doc->err);
        strbuf_init(&msg);
        text_line(body, len, content_type, &msg);
        rc = status_fail(STATUS_HTTP, "Prometheus: HTTP %ld: %s", http_status, strbuf_str(&msg));
        strbuf_done(&msg);
        return rc;
    }
    st = json_get(doc, 0, "status");
    if (json_streq(doc, st, "success")) {
        *data = json_get(doc, 0, "data");
        return STATUS_OK;
    }
    if (json_streq(doc, st, "error")) {
        char type[64], err[ERROR_MAX + 1];
        size_t n;

        if (!json_strcpy(doc, json_get(doc, 0, "errorType"), type, sizeof(type)))
            snprintf(type, sizeof(type), "error");
        n = json_strcpy(doc, json_get(doc, 0, "error"), err, sizeof(err));
        for (char *c = err; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = ' ';
        return status_fail(STATUS_HTTP, "Prometheus: %s: %s%s", type, n ? err : "(no message)",
                           n >= sizeof(err) ? "…" : "");
    }
    return status_fail(STATUS_JSON, "Prometheus: reply without a status (HTTP %ld)", http_status);
}

/* Reads an object of strings into a sorted kv_list (duplicates: the first). */
static int
kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static void
read_kv(const struct json_doc *doc, uint32_t obj, struct kv_list *out)
{
    struct json_iter it;
    uint32_t k, v;
    size_t n = 0;

    out->items = NULL;
    out->len = 0;
    if (json_type(doc, obj) != JSON_OBJECT || doc->toks[obj].size == 0)
        return;
    out->items = xcalloc(doc->toks[obj].size, sizeof(*out->items));
    json_iter_init(&it, doc, obj);
    while (json_iter_next(&it, &k, &v)) {
        char *val = json_type(doc, v) == JSON_STRING ? json_strdup(doc, v) : NULL;
        if (!val) {
            size_t rl;
            const char *raw = json_raw(doc, v, &rl);
            val = xasprintf("%.*s", (int)rl, raw);
        }
        out->items[n].key = json_strdup(doc, k);
        out->items[n].value = val;
        n++;
    }
    qsort(out->items, n, sizeof(*out->items), kv_cmp);
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (out->len && strcmp(out->items[out->len - 1].key, out->items[i].key) == 0) {
            free(out->items[i].key);
            free(out->items[i].value);
            continue;
        }
        out->items[out->len++] = out->items[i];
    }
}

/* One [ts, "value"] pair. */
static bool
read_sample(const struct json_doc *doc, uint32_t pair, struct prom_sample *out, char **text)
{
    uint32_t ts = json_at(doc, pair, 0), val = json_at(doc, pair, 1);
    size_t tl, vl;
    const char *tsr, *vr;

    if (json_type(doc, pair) != JSON_ARRAY || doc->toks[pair].size != 2 ||
        json_type(doc, ts) != JSON_NUMBER || json_type(doc, val) != JSON_STRING)
        return false;
    tsr = json_raw(doc, ts, &tl);
    if (!prom_parse_ts(tsr, tl, &out->ts_ms))
        return false;
    vr = json_raw(doc, val, &vl);
    /* json_raw includes the quotes. */
    if (!prom_parse_value(vr + 1, vl - 2, &out->v))
        out->v = NAN;
    if (text) {
        free(*text);
        *text = json_strdup(doc, val);
    }
    return true;
}

void
prom_result_done(struct prom_result *r)
{
    for (size_t i = 0; i < r->nseries; i++) {
        kv_list_done(&r->series[i].labels);
        free(r->series[i].samples);
        free(r->series[i].last_text);
    }
    free(r->series);
    strv_free(r->warnings);
    memset(r, 0, sizeof(*r));
}

static enum status
bad_result(struct prom_result *r, const char *what)
{
    prom_result_done(r);
    return status_fail(STATUS_JSON, "Prometheus: malformed result: %s", what);
}

enum status
prom_parse_query(const char *body, size_t len, long http_status, const char *content_type,
                 struct prom_result *r)
{
    struct json_doc doc;
    uint32_t data, type, result, w;
    enum status rc;

    memset(r, 0, sizeof(*r));
    json_doc_init(&doc);
    rc = parse_envelope(&doc, body, len, http_status, content_type, &data);
    if (rc != STATUS_OK)
        goto out;
    if (json_type(&doc, data) != JSON_OBJECT) {
        rc = bad_result(r, "no data object");
        goto out;
    }
    r->data_raw = json_raw(&doc, data, &r->data_len);
    type = json_get(&doc, data, "resultType");
    result = json_get(&doc, data, "result");
    if (json_streq(&doc, type, "vector") || json_streq(&doc, type, "matrix")) {
        bool matrix = json_streq(&doc, type, "matrix");
        struct json_iter it;
        uint32_t el;

        r->type = matrix ? PROM_MATRIX : PROM_VECTOR;
        if (json_type(&doc, result) != JSON_ARRAY) {
            rc = bad_result(r, "result is not an array");
            goto out;
        }
        r->series = xcalloc(doc.toks[result].size + 1, sizeof(*r->series));
        json_iter_init(&it, &doc, result);
        while (json_iter_next(&it, NULL, &el)) {
            struct prom_series *s = &r->series[r->nseries++];
            read_kv(&doc, json_get(&doc, el, "metric"), &s->labels);
            if (matrix) {
                uint32_t vals = json_get(&doc, el, "values"), pair;
                struct json_iter vi;
                if (json_type(&doc, vals) != JSON_ARRAY) {
                    rc = bad_result(r, "series without values");
                    goto out;
                }
                s->samples = xcalloc(doc.toks[vals].size + 1, sizeof(*s->samples));
                json_iter_init(&vi, &doc, vals);
                while (json_iter_next(&vi, NULL, &pair)) {
                    bool last = s->nsamples + 1 == doc.toks[vals].size;
                    if (!read_sample(&doc, pair, &s->samples[s->nsamples],
                                     last ? &s->last_text : NULL)) {
                        rc = bad_result(r, "bad sample");
                        goto out;
                    }
                    s->nsamples++;
                }
            } else {
                s->samples = xcalloc(1, sizeof(*s->samples));
                if (!read_sample(&doc, json_get(&doc, el, "value"), &s->samples[0],
                                 &s->last_text)) {
                    rc = bad_result(r, "bad sample");
                    goto out;
                }
                s->nsamples = 1;
            }
        }
    } else if (json_streq(&doc, type, "scalar") || json_streq(&doc, type, "string")) {
        struct prom_series *s;

        r->type = json_streq(&doc, type, "scalar") ? PROM_SCALAR : PROM_STRING;
        r->series = xcalloc(1, sizeof(*r->series));
        s = &r->series[0];
        r->nseries = 1;
        s->samples = xcalloc(1, sizeof(*s->samples));
        if (!read_sample(&doc, result, &s->samples[0], &s->last_text)) {
            rc = bad_result(r, "bad sample");
            goto out;
        }
        if (r->type == PROM_STRING)
            s->samples[0].v = NAN;
        s->nsamples = 1;
    } else {
        rc = bad_result(r, "unknown resultType");
        goto out;
    }
    w = json_get(&doc, 0, "warnings");
    if (json_type(&doc, w) == JSON_ARRAY && doc.toks[w].size > 0) {
        struct json_iter it;
        uint32_t el;
        size_t n = 0;

        r->warnings = xcalloc(doc.toks[w].size + 1, sizeof(char *));
        json_iter_init(&it, &doc, w);
        while (json_iter_next(&it, NULL, &el))
            if (json_type(&doc, el) == JSON_STRING)
                r->warnings[n++] = json_strdup(&doc, el);
    }
out:
    json_doc_done(&doc);
    return rc;
}

/*
 * Alerts and targets
 */

static int64_t
rfc3339_sec(const struct json_doc *doc, uint32_t t)
{
    char buf[64];
    int64_t ns;

    if (!json_strcpy(doc, t, buf, sizeof(buf)) || !time_parse_rfc3339(buf, &ns))
        return 0;
    return ns / 1000000000;
}

void
prom_alerts_done(struct prom_alerts *a)
{
    for (size_t i = 0; i < a->len; i++) {
        struct prom_alert *al = &a->items[i];
        free(al->name);
        free(al->state);
        free(al->severity);
        free(al->summary);
        free(al->value);
        kv_list_done(&al->labels);
        kv_list_done(&al->annotations);
    }
    free(a->items);
    memset(a, 0, sizeof(*a));
}

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* The envelope into doc, and *list the array data.member of an answer
 * (what names it in the error when it is not there). */
static enum status
parse_data_array(struct json_doc *doc, const char *body, size_t len, long http_status,
                 const char *content_type, const char *member, const char *what, uint32_t *list)
{
    uint32_t data;
    enum status rc = parse_envelope(doc, body, len, http_status, content_type, &data);

    if (rc != STATUS_OK)
        return rc;
    *list = json_get(doc, data, member);
    if (json_type(doc, *list) != JSON_ARRAY)
        return status_fail(STATUS_JSON, "Prometheus: malformed %s: no %s", what, member);
    return STATUS_OK;
}

enum status
prom_parse_alerts(const char *body, size_t len, long http_status, const char *content_type,
                  struct prom_alerts *out)
{
    struct json_doc doc;
    uint32_t list, el;
    struct json_iter it;
    enum status rc;

    memset(out, 0, sizeof(*out));
    json_doc_init(&doc);
    rc = parse_data_array(&doc, body, len, http_status, content_type, "alerts", "alerts", &list);
    if (rc != STATUS_OK)
        goto out;
    out->items = xcalloc(doc.toks[list].size + 1, sizeof(*out->items));
    json_iter_init(&it, &doc, list);
    while (json_iter_next(&it, NULL, &el)) {
        struct prom_alert *a = &out->items[out->len++];
        const char *name, *summary;

        read_kv(&doc, json_get(&doc, el, "labels"), &a->labels);
        read_kv(&doc, json_get(&doc, el, "annotations"), &a->annotations);
        name = kv_get(&a->labels, "alertname");
        a->name = xstrdup(name ? name : "");
        a->severity = dup_or_null(kv_get(&a->labels, "severity"));
        summary = kv_get(&a->annotations, "summary");
        a->summary = dup_or_null(summary ? summary : kv_get(&a->annotations, "description"));
        a->state = json_get_str(&doc, el, "state");
        if (!a->state)
            a->state = xstrdup("unknown");
        a->value = json_get_str(&doc, el, "value");
        a->active_at = rfc3339_sec(&doc, json_get(&doc, el, "activeAt"));
        if (strcmp(a->state, "firing") == 0)
            out->firing++;
    }
out:
    json_doc_done(&doc);
    return rc;
}

void
prom_targets_done(struct prom_targets *t)
{
    for (size_t i = 0; i < t->len; i++) {
        kv_list_done(&t->items[i].labels);
        free(t->items[i].scrape_url);
        free(t->items[i].health);
        free(t->items[i].last_error);
        free(t->items[i].scrape_pool);
    }
    free(t->items);
    memset(t, 0, sizeof(*t));
}

enum status
prom_parse_targets(const char *body, size_t len, long http_status, const char *content_type,
                   struct prom_targets *out)
{
    struct json_doc doc;
    uint32_t list, el;
    struct json_iter it;
    enum status rc;

    memset(out, 0, sizeof(*out));
    json_doc_init(&doc);
    rc = parse_data_array(&doc, body, len, http_status, content_type, "activeTargets", "targets",
                          &list);
    if (rc != STATUS_OK)
        goto out;
    out->items = xcalloc(doc.toks[list].size + 1, sizeof(*out->items));
    json_iter_init(&it, &doc, list);
    while (json_iter_next(&it, NULL, &el)) {
        struct prom_target *t = &out->items[out->len++];
        char *e;

        read_kv(&doc, json_get(&doc, el, "labels"), &t->labels);
        t->scrape_url = json_get_str(&doc, el, "scrapeUrl");
        t->health = json_get_str(&doc, el, "health");
        if (!t->health)
            t->health = xstrdup("unknown");
        e = json_get_str(&doc, el, "lastError");
        t->last_error = e ? e : xstrdup("");
        t->scrape_pool = json_get_str(&doc, el, "scrapePool");
        t->last_scrape = rfc3339_sec(&doc, json_get(&doc, el, "lastScrape"));
        if (strcmp(t->health, "down") == 0)
            out->down++;
    }
out:
    json_doc_done(&doc);
    return rc;
}
