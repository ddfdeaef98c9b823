/* SPDX-License-Identifier: MIT */
/* logline.c - JSON and logfmt log lines: fields, level, message, readable form */
#include "config.h"

#include "opsdeck/logline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opsdeck/json.h"
#include "opsdeck/macros.h"
#include "opsdeck/xalloc.h"

/* A line is not worth more fields than this (the rest are dropped). */
#define MAX_FIELDS 256

const char *
logline_level_name(enum logline_level level)
{
    static const char *const names[] = {
        [LOGLINE_LEVEL_NONE] = "",        [LOGLINE_LEVEL_TRACE] = "TRACE",
        [LOGLINE_LEVEL_DEBUG] = "DEBUG",  [LOGLINE_LEVEL_INFO] = "INFO",
        [LOGLINE_LEVEL_WARN] = "WARN",    [LOGLINE_LEVEL_ERROR] = "ERROR",
        [LOGLINE_LEVEL_FATAL] = "FATAL",
    };

    return (unsigned)level < ARRAY_SIZE(names) ? names[level] : "";
}

enum logline_level
logline_level_parse(const char *s, size_t len)
{
    static const struct {
        const char *name;
        enum logline_level level;
    } names[] = {
        {"trace", LOGLINE_LEVEL_TRACE},   {"trc", LOGLINE_LEVEL_TRACE},
        {"t", LOGLINE_LEVEL_TRACE},       {"debug", LOGLINE_LEVEL_DEBUG},
        {"dbg", LOGLINE_LEVEL_DEBUG},     {"d", LOGLINE_LEVEL_DEBUG},
        {"info", LOGLINE_LEVEL_INFO},     {"inf", LOGLINE_LEVEL_INFO},
        {"i", LOGLINE_LEVEL_INFO},        {"information", LOGLINE_LEVEL_INFO},
        {"notice", LOGLINE_LEVEL_INFO},   {"warn", LOGLINE_LEVEL_WARN},
        {"warning", LOGLINE_LEVEL_WARN},  {"wrn", LOGLINE_LEVEL_WARN},
        {"w", LOGLINE_LEVEL_WARN},        {"error", LOGLINE_LEVEL_ERROR},
        {"err", LOGLINE_LEVEL_ERROR},     {"e", LOGLINE_LEVEL_ERROR},
        {"fatal", LOGLINE_LEVEL_FATAL},   {"crit", LOGLINE_LEVEL_FATAL},
        {"critical", LOGLINE_LEVEL_FATAL}, {"panic", LOGLINE_LEVEL_FATAL},
        {"emerg", LOGLINE_LEVEL_FATAL},   {"alert", LOGLINE_LEVEL_FATAL},
        {"f", LOGLINE_LEVEL_FATAL},
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strlen(names[i].name) == len && strncasecmp(names[i].name, s, len) == 0)
            return names[i].level;
    }
    /* pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal */
    if (len == 2 && s[0] >= '1' && s[0] <= '6' && s[1] == '0')
        return (enum logline_level)(LOGLINE_LEVEL_TRACE + (s[0] - '1'));
    return LOGLINE_LEVEL_NONE;
}

static bool
key_is(const char *key, size_t len, const char *const *names)
{
    for (; *names; names++) {
        if (strlen(*names) == len && strncasecmp(*names, key, len) == 0)
            return true;
    }
    return false;
}

static const char *const level_keys[] = {"level", "lvl", "severity", "loglevel", "log.level",
                                         NULL};
static const char *const msg_keys[] = {"msg", "message", "log", "text", NULL};
static const char *const ts_keys[] = {"ts", "time", "timestamp", "@timestamp", "t", NULL};

void
logline_init(struct logline *ll)
{
    memset(ll, 0, sizeof(*ll));
    ll->level_field = ll->msg_field = ll->ts_field = -1;
}

void
logline_done(struct logline *ll)
{
    for (size_t i = 0; i < ll->nfields; i++) {
        free(ll->fields[i].key);
        free(ll->fields[i].value);
    }
    free(ll->fields);
    logline_init(ll);
}

static char *
dup_bytes(const char *s, size_t len)
{
    char *p = xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Adds a field (taking key and value) and notes the well-known ones. */
static void
add_field(struct logline *ll, size_t *cap, char *key, size_t klen, char *val, size_t vlen)
{
    int idx;

    if (ll->nfields >= MAX_FIELDS) {
        free(key);
        free(val);
        return;
    }
    if (ll->nfields == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        ll->fields = xrealloc(ll->fields, *cap * sizeof(*ll->fields));
    }
    idx = (int)ll->nfields;
    ll->fields[ll->nfields++] = (struct logline_field){key, klen, val, vlen};
    if (ll->level_field < 0 && key_is(key, klen, level_keys)) {
        enum logline_level lv = logline_level_parse(val, vlen);

        if (lv != LOGLINE_LEVEL_NONE) {
            ll->level_field = idx;
            ll->level = lv;
        }
    } else if (ll->msg_field < 0 && key_is(key, klen, msg_keys)) {
        ll->msg_field = idx;
    } else if (ll->ts_field < 0 && key_is(key, klen, ts_keys)) {
        ll->ts_field = idx;
    }
}

/*
 * JSON
 */

static bool
parse_json(struct logline *ll, const char *line, size_t len)
{
    struct json_doc doc;
    struct json_iter it;
    uint32_t k, v;
    size_t cap = 0;
    bool ok = false;

    json_doc_init(&doc);
    if (json_parse(&doc, line, len) != STATUS_OK || json_type(&doc, 0) != JSON_OBJECT)
        goto out;
    json_iter_init(&it, &doc, 0);
    while (json_iter_next(&it, &k, &v)) {
        size_t klen, vlen;
        char *key = json_strdup_len(&doc, k, &klen);
        char *val;

        if (json_type(&doc, v) == JSON_STRING) {
            val = json_strdup_len(&doc, v, &vlen);
        } else {
            const char *raw = json_raw(&doc, v, &vlen);

            val = dup_bytes(raw, vlen);
        }
        add_field(ll, &cap, key, klen, val, vlen);
    }
    ll->format = LOGLINE_JSON;
    ok = true;
out:
    json_doc_done(&doc);
    return ok;
}

/*
 * logfmt
 */

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A key is printable ASCII without blanks, '=' or '"' (as go-logfmt). */
static bool
is_key_char(unsigned char c)
{
    return c > ' ' && c < 0x7f && c != '=' && c != '"';
}

/* Decodes a quoted value starting after its opening quote; *pos ends after
 * the closing quote. False when unterminated. */
static bool
logfmt_quoted(const char *s, size_t len, size_t *pos, struct strbuf *out)
{
    size_t i = *pos;

    while (i < len) {
        char c = s[i++];

        if (c == '"') {
            *pos = i;
            return true;
        }
        if (c != '\\' || i >= len) {
            strbuf_putc(out, c);
            continue;
        }
        c = s[i++];
        switch (c) {
        case 'n':
            strbuf_putc(out, '\n');
            break;
        case 't':
            strbuf_putc(out, '\t');
            break;
        case 'r':
            strbuf_putc(out, '\r');
            break;
        case '"':
        case '\\':
            strbuf_putc(out, c);
            break;
        default:
            strbuf_putc(out, '\\');
            strbuf_putc(out, c);
            break;
        }
    }
    return false;
}

static bool
parse_logfmt(struct logline *ll, const char *line, size_t len)
{
    struct strbuf val;
    size_t i = 0, cap = 0, pairs = 0, bare = 0;
    bool ok = true;

    strbuf_init(&val);
    while (ok) {
        size_t k0, klen;

        while (i < len && (is_blank(line[i]) || line[i] == '\n' || line[i] == '\r'))
            i++;
        if (i >= len)
            break;
        k0 = i;
        while (i < len && is_key_char((unsigned char)line[i]))
            i++;
        klen = i - k0;
        strbuf_reset(&val);
        if (klen == 0) {
            ok = false;
        } else if (i < len && line[i] == '=') {
            i++;
            pairs++;
            if (i < len && line[i] == '"') {
                i++;
                ok = logfmt_quoted(line, len, &i, &val);
                if (ok && i < len && !is_blank(line[i]) && line[i] != '\n' && line[i] != '\r')
                    ok = false;
            } else {
                size_t v0 = i;

                /* an '=' inside a bare value is taken as text (path=/search?q=x),
                 * as lenient readers do; a quote is not */
                while (i < len && !is_blank(line[i]) && line[i] != '\n' && line[i] != '\r') {
                    if (line[i] == '"')
                        ok = false;
                    i++;
                }
                strbuf_append(&val, line + v0, i - v0);
            }
        } else if (i < len && !is_blank(line[i]) && line[i] != '\n' && line[i] != '\r') {
            ok = false;
        } else {
            bare++;
        }
        if (ok)
            add_field(ll, &cap, dup_bytes(line + k0, klen), klen,
                      dup_bytes(val.len ? val.buf : "", val.len), val.len);
    }
    strbuf_done(&val);
    /* Prose such as "starting server" parses as bare keys: demand real
     * pairs (two of them unless one is the level or message), and more
     * pairs than bare words. */
    ok = ok && bare <= pairs &&
         (pairs >= 2 || (pairs >= 1 && (ll->msg_field >= 0 || ll->level_field >= 0)));
    if (ok)
        ll->format = LOGLINE_LOGFMT;
    return ok;
}

void
logline_parse(struct logline *ll, const char *line, size_t len)
{
    size_t i = 0;

    logline_done(ll);
    if (len > LOGLINE_PARSE_MAX)
        return;
    while (i < len && is_blank(line[i]))
        i++;
    if (i < len && line[i] == '{') {
        if (parse_json(ll, line, len))
            return;
    } else if (i < len && is_key_char((unsigned char)line[i]) && memchr(line, '=', len)) {
        if (parse_logfmt(ll, line, len))
            return;
    }
    logline_done(ll);
}

void
logline_sniff(const char *line, size_t len, enum logline_format *format,
              enum logline_level *level)
{
    struct logline ll;

    logline_init(&ll);
    logline_parse(&ll, line, len);
    *format = ll.format;
    *level = ll.level;
    logline_done(&ll);
}

/*
 * Readable form
 */

/* Appends, keeping out->len <= limit and never splitting a UTF-8 sequence.
 * False once the limit is reached. */
static bool
put_bounded(struct strbuf *out, const char *s, size_t len, size_t limit)
{
    if (limit && out->len + len > limit) {
        size_t room = limit > out->len ? limit - out->len : 0;

        /* back off continuation bytes so the cut is a character boundary */
        while (room > 0 && room < len && ((unsigned char)s[room] & 0xc0) == 0x80)
            room--;
        strbuf_append(out, s, room);
        return false;
    }
    strbuf_append(out, s, len);
    return true;
}

static bool
needs_quotes(const char *s, size_t len)
{
    if (len == 0)
        return true;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '"' || s[i] == '=')
            return true;
    }
    return false;
}

void
logline_format_readable(const struct logline *ll, const char *line, size_t len,
                        size_t max_bytes, struct strbuf *out)
{
    size_t limit = max_bytes ? out->len + max_bytes : 0;
    bool first = true;

    if (ll->format == LOGLINE_PLAIN) {
        put_bounded(out, line, len, limit);
        return;
    }
    if (ll->msg_field >= 0) {
        const struct logline_field *m = &ll->fields[ll->msg_field];

        if (!put_bounded(out, m->value, m->value_len, limit))
            return;
        first = false;
    }
    for (size_t i = 0; i < ll->nfields; i++) {
        const struct logline_field *f = &ll->fields[i];
        bool q;

        if ((int)i == ll->msg_field || (int)i == ll->level_field || (int)i == ll->ts_field)
            continue;
        q = needs_quotes(f->value, f->value_len);
        if ((!first && !put_bounded(out, "  ", 2, limit)) ||
            !put_bounded(out, f->key, f->key_len, limit) ||
            !put_bounded(out, q ? "=\"" : "=", q ? 2 : 1, limit) ||
            !put_bounded(out, f->value, f->value_len, limit) ||
            (q && !put_bounded(out, "\"", 1, limit)))
            return;
        first = false;
    }
}
