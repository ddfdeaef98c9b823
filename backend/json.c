/* SPDX-License-Identifier: MIT */
/* json.c - zero-copy validating JSON tokenizer, accessors, printers and a writer */
#include "config.h"

#include "opsdeck/json.h"

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "opsdeck/xalloc.h"

/*
 * Tokenizer
 *
 * One pass over the bytes with an explicit stack of open containers (no
 * recursion, so depth costs 4 bytes a level). Strings are validated in place:
 * escapes must be well formed, control characters must be escaped, and the
 * bytes must be valid UTF-8 (RFC 3629: no overlongs, no encoded surrogates,
 * nothing above U+10FFFF) — invalid UTF-8 is rejected, not replaced, since
 * every server we talk to (Go's encoding/json) never sends it. A \uD800-style
 * lone surrogate escape is grammatical JSON and is accepted; unescaping turns
 * it into U+FFFD.
 */

static enum status
parse_fail(struct json_doc *doc, size_t off, const char *what)
{
    const unsigned char *s = (const unsigned char *)doc->src;

    if (off >= doc->len)
        snprintf(doc->err, sizeof(doc->err), "offset %zu: %s (at end of input)", off, what);
    else if (s[off] > 0x20 && s[off] < 0x7f)
        snprintf(doc->err, sizeof(doc->err), "offset %zu: %s (found '%c')", off, what, s[off]);
    else
        snprintf(doc->err, sizeof(doc->err), "offset %zu: %s (found byte 0x%02x)", off, what,
                 s[off]);
    doc->ntoks = 0;
    return status_fail(STATUS_JSON, "%s", doc->err);
}

static inline uint32_t
tok_push(struct json_doc *doc, enum json_type type, size_t start)
{
    struct json_tok *t;

    if (doc->ntoks == doc->cap)
        doc->toks = xgrow(doc->toks, &doc->cap, doc->ntoks + 1, sizeof(*doc->toks));
    t = &doc->toks[doc->ntoks];
    t->start = (uint32_t)start;
    t->len = 0;
    t->end = (uint32_t)doc->ntoks + 1;
    t->size = 0;
    t->type = (uint8_t)type;
    t->escaped = 0;
    return (uint32_t)doc->ntoks++;
}

static inline size_t
skip_ws(const unsigned char *s, size_t len, size_t pos)
{
    /* Whitespace is all <= ' ': one compare settles the usual case (API
     * servers send no whitespace at all). */
    while (pos < len && s[pos] <= ' ' &&
           (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\r' || s[pos] == '\t'))
        pos++;
    return pos;
}

/* Length of the valid UTF-8 sequence at s[0..avail), or 0 when invalid. */
static inline size_t
utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static inline int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Scans a string body from pos (just after the opening quote). Returns the
 * position of the closing quote, or SIZE_MAX with *err and *errpos set. */
static size_t
scan_string(const unsigned char *s, size_t len, size_t pos, bool *escaped, const char **err,
            size_t *errpos)
{
    for (;;) {
#if defined(__SSE2__)
        /* 16 bytes at a time until a quote, a backslash, a control
         * character or a non-ASCII byte: the signed compare with 0x20 catches
         * both 0x00-0x1f and 0x80-0xff. */
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i bslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (pos + 16 <= len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + pos));
            __m128i hit =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                             _mm_cmplt_epi8(v, space));
            unsigned mask = (unsigned)_mm_movemask_epi8(hit);
            if (mask) {
                pos += (size_t)__builtin_ctz(mask);
                goto found; /* s[pos] is the byte to look at */
            }
            pos += 16;
        }
#endif
        while (pos < len && s[pos] >= 0x20 && s[pos] < 0x80 && s[pos] != '"' && s[pos] != '\\')
            pos++;
#if defined(__SSE2__)
    found:
#endif
        if (pos >= len) {
            *err = "unterminated string";
            *errpos = pos;
            return SIZE_MAX;
        }
        unsigned char c = s[pos];
        if (c == '"')
            return pos;
        if (c == '\\') {
            *escaped = true;
            if (pos + 1 >= len) {
                *err = "unterminated escape";
                *errpos = pos + 1;
                return SIZE_MAX;
            }
            switch (s[pos + 1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                pos += 2;
                break;
            case 'u':
                for (size_t i = 2; i < 6; i++) {
                    if (pos + i >= len || hexval(s[pos + i]) < 0) {
                        *err = "invalid \\u escape";
                        *errpos = pos;
                        return SIZE_MAX;
                    }
                }
                pos += 6;
                break;
            default:
                *err = "invalid escape";
                *errpos = pos;
                return SIZE_MAX;
            }
        } else if (c < 0x20) {
            *err = "unescaped control character in string";
            *errpos = pos;
            return SIZE_MAX;
        } else {
            size_t n = utf8_seq_len(s + pos, len - pos);
            if (n == 0) {
                *err = "invalid UTF-8 in string";
                *errpos = pos;
                return SIZE_MAX;
            }
            pos += n;
        }
    }
}

static inline bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Scans an RFC 8259 number from pos. Returns the end, or SIZE_MAX. */
static size_t
scan_number(const unsigned char *s, size_t len, size_t pos, const char **err, size_t *errpos)
{
    if (pos < len && s[pos] == '-')
        pos++;
    if (pos < len && s[pos] == '0') {
        pos++;
        if (pos < len && is_digit(s[pos])) {
            *err = "leading zero in number";
            *errpos = pos;
            return SIZE_MAX;
        }
    } else if (pos < len && is_digit(s[pos])) {
        while (pos < len && is_digit(s[pos]))
            pos++;
    } else {
        *err = "invalid number";
        *errpos = pos;
        return SIZE_MAX;
    }
    if (pos < len && s[pos] == '.') {
        pos++;
        if (pos >= len || !is_digit(s[pos])) {
            *err = "expected a digit after '.'";
            *errpos = pos;
            return SIZE_MAX;
        }
        while (pos < len && is_digit(s[pos]))
            pos++;
    }
    if (pos < len && (s[pos] == 'e' || s[pos] == 'E')) {
        pos++;
        if (pos < len && (s[pos] == '+' || s[pos] == '-'))
            pos++;
        if (pos >= len || !is_digit(s[pos])) {
            *err = "expected a digit in the exponent";
            *errpos = pos;
            return SIZE_MAX;
        }
        while (pos < len && is_digit(s[pos]))
            pos++;
    }
    return pos;
}

void
json_doc_init(struct json_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
}

void
json_doc_done(struct json_doc *doc)
{
    free(doc->toks);
    json_doc_init(doc);
}

/*
 * The parser is a small state machine written with gotos: `value` reads one
 * value, `key` reads an object key and its colon, `after` decides what may
 * follow a finished value given the innermost open container.
 */
/* Validates the object or array at s[pos] as json_parse does (the same
 * rules and messages), without tokens; depth levels are already open.
 * Returns the offset after it, or SIZE_MAX with *err and *errpos. */
static size_t
skip_container(const unsigned char *s, size_t len, size_t pos, size_t depth, const char **err,
               size_t *errpos)
{
    bool object[JSON_MAX_DEPTH];
    size_t d = 0, end;
    unsigned char c;
    bool esc;

open:
    if (depth + d == JSON_MAX_DEPTH)
        goto fail_depth;
    object[d++] = s[pos] == '{';
    pos = skip_ws(s, len, pos + 1);
    if (pos < len && s[pos] == (object[d - 1] ? '}' : ']')) {
        pos++;
        goto closed;
    }
    if (object[d - 1])
        goto key;
value:
    pos = skip_ws(s, len, pos);
    if (pos >= len) {
        *err = "unexpected end of input";
        goto fail;
    }
    c = s[pos];
    if (c == '{' || c == '[')
        goto open;
    if (c == '"') {
        end = scan_string(s, len, pos + 1, &esc, err, errpos);
        if (end == SIZE_MAX)
            return SIZE_MAX;
        pos = end + 1;
        goto after;
    }
    if (c == 't' || c == 'f' || c == 'n') {
        const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t wl = strlen(word);

        if (len - pos < wl || memcmp(s + pos, word, wl) != 0) {
            *err = "invalid literal";
            goto fail;
        }
        pos += wl;
        goto after;
    }
    if (c != '-' && !is_digit(c)) {
        *err = "expected a value";
        goto fail;
    }
    end = scan_number(s, len, pos, err, errpos);
    if (end == SIZE_MAX)
        return SIZE_MAX;
    pos = end;
    goto after;
key:
    if (pos >= len || s[pos] != '"') {
        *err = "expected a string key";
        goto fail;
    }
    end = scan_string(s, len, pos + 1, &esc, err, errpos);
    if (end == SIZE_MAX)
        return SIZE_MAX;
    pos = skip_ws(s, len, end + 1);
    if (pos >= len || s[pos] != ':') {
        *err = "expected ':'";
        goto fail;
    }
    pos++;
    goto value;
after:
    pos = skip_ws(s, len, pos);
    if (pos >= len) {
        *err = "unexpected end of input";
        goto fail;
    }
    c = s[pos];
    if (object[d - 1]) {
        if (c == ',') {
            pos = skip_ws(s, len, pos + 1);
            goto key;
        }
        if (c != '}') {
            *err = "expected ',' or '}'";
            goto fail;
        }
    } else {
        if (c == ',') {
            pos++;
            goto value;
        }
        if (c != ']') {
            *err = "expected ',' or ']'";
            goto fail;
        }
    }
    pos++;
closed:
    if (--d == 0)
        return pos;
    goto after;
fail_depth:
    *err = "nesting deeper than 512 levels";
fail:
    *errpos = pos;
    return SIZE_MAX;
}

enum status
json_parse(struct json_doc *doc, const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    uint32_t stack[JSON_MAX_DEPTH];
    size_t depth = 0;
    size_t pos = 0, end;
    const char *err = NULL;
    size_t errpos = 0;
    uint32_t t;
    unsigned char c;

    doc->src = src;
    doc->len = len;
    doc->ntoks = 0;
    doc->err[0] = '\0';
    if (len >= UINT32_MAX)
        return parse_fail(doc, 0, "document larger than 4 GiB");
    /* A first guess from the size (real API JSON runs ~12 bytes a token),
     * bounded so a huge string does not reserve memory it never uses;
     * doubling takes it from there. */
    if (doc->cap == 0)
        doc->toks =
            xgrow(doc->toks, &doc->cap, MIN(len / 12 + 16, (size_t)1 << 16), sizeof(*doc->toks));

value:
    pos = skip_ws(s, len, pos);
    if (pos >= len)
        return parse_fail(doc, pos,
                          depth || doc->ntoks ? "unexpected end of input" : "empty document");
    c = s[pos];
    switch (c) {
    case '{':
    case '[':
        if (depth == JSON_MAX_DEPTH)
            return parse_fail(doc, pos, "nesting deeper than 512 levels");
        t = tok_push(doc, c == '{' ? JSON_OBJECT : JSON_ARRAY, pos);
        stack[depth++] = t;
        pos = skip_ws(s, len, pos + 1);
        if (pos < len && s[pos] == (c == '{' ? '}' : ']')) {
            doc->toks[t].len = (uint32_t)(pos + 1 - doc->toks[t].start);
            doc->toks[t].end = (uint32_t)doc->ntoks;
            depth--;
            pos++;
            goto after;
        }
        if (c == '{')
            goto key;
        goto value;
    case '"':
        t = tok_push(doc, JSON_STRING, pos + 1);
        {
            bool esc = false;
            end = scan_string(s, len, pos + 1, &esc, &err, &errpos);
            if (end == SIZE_MAX)
                return parse_fail(doc, errpos, err);
            doc->toks[t].escaped = esc;
        }
        doc->toks[t].len = (uint32_t)(end - pos - 1);
        pos = end + 1;
        goto after;
    case 't':
    case 'f':
    case 'n': {
        const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t wl = strlen(word);
        if (len - pos < wl || memcmp(s + pos, word, wl) != 0)
            return parse_fail(doc, pos, "invalid literal");
        t = tok_push(doc, c == 't' ? JSON_TRUE : c == 'f' ? JSON_FALSE : JSON_NULL, pos);
        doc->toks[t].len = (uint32_t)wl;
        pos += wl;
        goto after;
    }
    default:
        if (c != '-' && !is_digit(c))
            return parse_fail(doc, pos, "expected a value");
        end = scan_number(s, len, pos, &err, &errpos);
        if (end == SIZE_MAX)
            return parse_fail(doc, errpos, err);
        t = tok_push(doc, JSON_NUMBER, pos);
        doc->toks[t].len = (uint32_t)(end - pos);
        pos = end;
        goto after;
    }

key:
    if (pos >= len || s[pos] != '"')
        return parse_fail(doc, pos, "expected a string key");
    t = tok_push(doc, JSON_STRING, pos + 1);
    {
        bool esc = false;
        end = scan_string(s, len, pos + 1, &esc, &err, &errpos);
        if (end == SIZE_MAX)
            return parse_fail(doc, errpos, err);
        doc->toks[t].escaped = esc;
    }
    doc->toks[t].len = (uint32_t)(end - pos - 1);
    pos = skip_ws(s, len, end + 1);
    if (pos >= len || s[pos] != ':')
        return parse_fail(doc, pos, "expected ':'");
    pos++;
    if (doc->skip_len && doc->toks[t].len == doc->skip_len && !doc->toks[t].escaped &&
        memcmp(s + doc->toks[t].start, doc->skip_key, doc->skip_len) == 0) {
        pos = skip_ws(s, len, pos);
        if (pos < len && (s[pos] == '{' || s[pos] == '[')) {
            end = skip_container(s, len, pos, depth, &err, &errpos);
            if (end == SIZE_MAX)
                return parse_fail(doc, errpos, err);
            t = tok_push(doc, s[pos] == '{' ? JSON_OBJECT : JSON_ARRAY, pos);
            doc->toks[t].len = (uint32_t)(end - pos);
            pos = end;
            goto after;
        }
    }
    goto value;

after:
    if (depth == 0)
        goto done;
    pos = skip_ws(s, len, pos);
    t = stack[depth - 1];
    doc->toks[t].size++;
    if (pos >= len)
        return parse_fail(doc, pos, "unexpected end of input");
    c = s[pos];
    if (doc->toks[t].type == JSON_OBJECT) {
        if (c == ',') {
            pos = skip_ws(s, len, pos + 1);
            goto key;
        }
        if (c != '}')
            return parse_fail(doc, pos, "expected ',' or '}'");
    } else {
        if (c == ',') {
            pos++;
            goto value;
        }
        if (c != ']')
            return parse_fail(doc, pos, "expected ',' or ']'");
    }
    doc->toks[t].len = (uint32_t)(pos + 1 - doc->toks[t].start);
    doc->toks[t].end = (uint32_t)doc->ntoks;
    depth--;
    pos++;
    goto after;

done:
    pos = skip_ws(s, len, pos);
    if (pos != len)
        return parse_fail(doc, pos, "unexpected data after the document");
    return STATUS_OK;
}

/*
 * Strings
 */

static inline size_t
utf8_put(unsigned char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (unsigned char)(0xc0 | (cp >> 6));
        dst[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (unsigned char)(0xe0 | (cp >> 12));
        dst[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        dst[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    dst[0] = (unsigned char)(0xf0 | (cp >> 18));
    dst[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    dst[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    dst[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

static uint32_t
hex4(const unsigned char *p)
{
    return (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

/* Decodes the escape at raw[*i] (a backslash) into out; returns the byte
 * count. The tokenizer has validated the escape, so only the surrogate
 * pairing needs care: a high surrogate followed by a low one is one code
 * point, anything else unpaired is U+FFFD. */
static size_t
unescape_one(const unsigned char *raw, size_t len, size_t *i, unsigned char *out)
{
    unsigned char e = raw[*i + 1];
    uint32_t cp;

    *i += 2;
    switch (e) {
    case 'b':
        out[0] = '\b';
        return 1;
    case 'f':
        out[0] = '\f';
        return 1;
    case 'n':
        out[0] = '\n';
        return 1;
    case 'r':
        out[0] = '\r';
        return 1;
    case 't':
        out[0] = '\t';
        return 1;
    case 'u':
        break;
    default:
        out[0] = e;
        return 1;
    }
    cp = hex4(raw + *i);
    *i += 4;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (*i + 6 <= len && raw[*i] == '\\' && raw[*i + 1] == 'u') {
            uint32_t lo = hex4(raw + *i + 2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                *i += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                return utf8_put(out, cp);
            }
        }
        cp = 0xfffd;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        cp = 0xfffd;
    }
    return utf8_put(out, cp);
}

/* Unescapes raw[0..len) into dst (room for len bytes: unescaping never
 * grows). Returns the bytes written. */
static size_t
unescape(const char *raw, size_t len, char *dst)
{
    const unsigned char *r = (const unsigned char *)raw;
    unsigned char *d = (unsigned char *)dst;
    size_t i = 0, n = 0;

    while (i < len) {
        const unsigned char *bs = memchr(r + i, '\\', len - i);
        size_t run = bs ? (size_t)(bs - (r + i)) : len - i;
        memcpy(d + n, r + i, run);
        n += run;
        i += run;
        if (i < len)
            n += unescape_one(r, len, &i, d + n);
    }
    return n;
}

static inline bool
is_string(const struct json_doc *doc, uint32_t t)
{
    return t != JSON_NONE && t < doc->ntoks && doc->toks[t].type == JSON_STRING;
}

/* Compares the unescaped string t with s[0..n). */
static bool
str_equal(const struct json_doc *doc, uint32_t t, const char *s, size_t n)
{
    const struct json_tok *tok = &doc->toks[t];
    const unsigned char *raw = (const unsigned char *)doc->src + tok->start;
    size_t i = 0, j = 0;
    unsigned char buf[4];

    /* Lengths and first bytes settle almost every key comparison without
     * calling memcmp. */
    if (!tok->escaped)
        return tok->len == n &&
               (n == 0 || (raw[0] == (unsigned char)s[0] && memcmp(raw, s, n) == 0));
    if (n > tok->len)
        return false;
    while (i < tok->len) {
        if (raw[i] != '\\') {
            if (j >= n || (unsigned char)s[j] != raw[i])
                return false;
            i++;
            j++;
            continue;
        }
        size_t k = unescape_one(raw, tok->len, &i, buf);
        if (j + k > n || memcmp(s + j, buf, k) != 0)
            return false;
        j += k;
    }
    return j == n;
}

char *
json_strdup_len(const struct json_doc *doc, uint32_t t, size_t *len)
{
    const struct json_tok *tok;
    char *out;
    size_t n;

    if (!is_string(doc, t))
        return NULL;
    tok = &doc->toks[t];
    out = xmalloc((size_t)tok->len + 1);
    if (tok->escaped) {
        n = unescape(doc->src + tok->start, tok->len, out);
    } else {
        memcpy(out, doc->src + tok->start, tok->len);
        n = tok->len;
    }
    out[n] = '\0';
    if (len)
        *len = n;
    return out;
}

char *
json_strdup(const struct json_doc *doc, uint32_t t)
{
    return json_strdup_len(doc, t, NULL);
}

size_t
json_strcpy(const struct json_doc *doc, uint32_t t, char *buf, size_t size)
{
    const struct json_tok *tok;
    const char *src;
    char *tmp = NULL;
    size_t n, copy;

    if (size)
        buf[0] = '\0';
    if (!is_string(doc, t))
        return 0;
    tok = &doc->toks[t];
    src = doc->src + tok->start;
    n = tok->len;
    if (tok->escaped) {
        tmp = xmalloc(n + 1);
        n = unescape(src, n, tmp);
        src = tmp;
    }
    if (size) {
        copy = n < size ? n : size - 1;
        /* Do not cut a UTF-8 sequence in half. */
        if (copy < n)
            while (copy > 0 && ((unsigned char)src[copy] & 0xc0) == 0x80)
                copy--;
        memcpy(buf, src, copy);
        buf[copy] = '\0';
    }
    free(tmp);
    return n;
}

bool
json_streq(const struct json_doc *doc, uint32_t t, const char *s)
{
    return is_string(doc, t) && str_equal(doc, t, s, strlen(s));
}

const char *
json_raw(const struct json_doc *doc, uint32_t t, size_t *len)
{
    const struct json_tok *tok;

    if (t == JSON_NONE || t >= doc->ntoks) {
        *len = 0;
        return NULL;
    }
    tok = &doc->toks[t];
    if (tok->type == JSON_STRING) {
        *len = (size_t)tok->len + 2;
        return doc->src + tok->start - 1;
    }
    *len = tok->len;
    return doc->src + tok->start;
}

/*
 * Navigation
 */

uint32_t
json_getn(const struct json_doc *doc, uint32_t t, const char *key, size_t keylen)
{
    uint32_t k, n;

    if (t == JSON_NONE || t >= doc->ntoks || doc->toks[t].type != JSON_OBJECT)
        return JSON_NONE;
    n = doc->toks[t].size;
    k = t + 1;
    while (n--) {
        if (str_equal(doc, k, key, keylen))
            return k + 1;
        k = doc->toks[k + 1].end;
    }
    return JSON_NONE;
}

uint32_t
json_get(const struct json_doc *doc, uint32_t t, const char *key)
{
    return json_getn(doc, t, key, strlen(key));
}

uint32_t
json_dig(const struct json_doc *doc, uint32_t t, ...)
{
    va_list ap;
    const char *key;

    va_start(ap, t);
    while (t != JSON_NONE && (key = va_arg(ap, const char *)) != NULL)
        t = json_get(doc, t, key);
    va_end(ap);
    return t;
}

uint32_t
json_at(const struct json_doc *doc, uint32_t t, uint32_t i)
{
    uint32_t e;

    if (t == JSON_NONE || t >= doc->ntoks || doc->toks[t].type != JSON_ARRAY ||
        i >= doc->toks[t].size)
        return JSON_NONE;
    e = t + 1;
    while (i--)
        e = doc->toks[e].end;
    return e;
}

void
json_iter_init(struct json_iter *it, const struct json_doc *doc, uint32_t t)
{
    it->doc = doc;
    it->cur = t + 1;
    it->left = 0;
    it->object = false;
    if (t == JSON_NONE || t >= doc->ntoks)
        return;
    if (doc->toks[t].type == JSON_OBJECT) {
        it->object = true;
        it->left = doc->toks[t].size;
    } else if (doc->toks[t].type == JSON_ARRAY) {
        it->left = doc->toks[t].size;
    }
}

bool
json_iter_next(struct json_iter *it, uint32_t *key, uint32_t *val)
{
    if (it->left == 0)
        return false;
    it->left--;
    if (it->object) {
        if (key)
            *key = it->cur;
        *val = it->cur + 1;
    } else {
        if (key)
            *key = JSON_NONE;
        *val = it->cur;
    }
    it->cur = it->doc->toks[*val].end;
    return true;
}

/*
 * Scalars
 */

/* Parses -?[0-9]+ from p[0..n) into *out without passing through a double. */
static bool
parse_int64(const char *p, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0, limit;
    size_t i = 0;

    if (n > 0 && p[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i == n)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (!is_digit((unsigned char)p[i]))
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return true;
}

bool
json_int64(const struct json_doc *doc, uint32_t t, int64_t *out)
{
    if (t == JSON_NONE || t >= doc->ntoks || doc->toks[t].type != JSON_NUMBER)
        return false;
    return parse_int64(doc->src + doc->toks[t].start, doc->toks[t].len, out);
}

bool
json_int64_lenient(const struct json_doc *doc, uint32_t t, int64_t *out)
{
    if (json_int64(doc, t, out))
        return true;
    if (!is_string(doc, t) || doc->toks[t].escaped)
        return false;
    return parse_int64(doc->src + doc->toks[t].start, doc->toks[t].len, out);
}

/* The "C" locale, so numbers never depend on LC_NUMERIC (the console sets
 * the user's locale for wide characters). */
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void
c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static locale_t
json_c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale;
}

bool
json_double(const struct json_doc *doc, uint32_t t, double *out)
{
    char small[64], *buf = small;
    size_t n;
    locale_t loc;

    if (t == JSON_NONE || t >= doc->ntoks || doc->toks[t].type != JSON_NUMBER)
        return false;
    n = doc->toks[t].len;
    if (n >= sizeof(small))
        buf = xmalloc(n + 1);
    memcpy(buf, doc->src + doc->toks[t].start, n);
    buf[n] = '\0';
    loc = json_c_locale();
    *out = loc ? strtod_l(buf, NULL, loc) : strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return true;
}

bool
json_bool(const struct json_doc *doc, uint32_t t, bool *out)
{
    if (t == JSON_NONE || t >= doc->ntoks)
        return false;
    if (doc->toks[t].type == JSON_TRUE)
        *out = true;
    else if (doc->toks[t].type == JSON_FALSE)
        *out = false;
    else
        return false;
    return true;
}

char *
json_get_str(const struct json_doc *doc, uint32_t obj, const char *key)
{
    return json_strdup(doc, json_get(doc, obj, key));
}

int64_t
json_get_int(const struct json_doc *doc, uint32_t obj, const char *key, int64_t def)
{
    int64_t v;

    return json_int64(doc, json_get(doc, obj, key), &v) ? v : def;
}

bool
json_get_bool(const struct json_doc *doc, uint32_t obj, const char *key, bool def)
{
    bool v;

    return json_bool(doc, json_get(doc, obj, key), &v) ? v : def;
}

/*
 * Escaping and the writer
 */

/* 1 for the bytes that need a look: controls, '"', '\\', DEL and every
 * byte of a multi-byte sequence (checked by utf8_seq_len). */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const unsigned char escape_look[256] = {
    R16(1), R16(1), /* 0x00-0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
    R16(0), R16(0),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
    R16(0),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* DEL */
    R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
};
#undef R16

/* Appends the escaped body of a JSON string (no quotes). */
static void
escape_body(struct strbuf *out, const unsigned char *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;

    while (i < len) {
        unsigned char c = p[i];
        if (!escape_look[c]) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq_len(p + i, len - i);
            if (n) {
                i += n;
                continue;
            }
        }
        strbuf_append(out, p + run, i - run);
        switch (c) {
        case '"':
            strbuf_append(out, "\\\"", 2);
            break;
        case '\\':
            strbuf_append(out, "\\\\", 2);
            break;
        case '\n':
            strbuf_append(out, "\\n", 2);
            break;
        case '\r':
            strbuf_append(out, "\\r", 2);
            break;
        case '\t':
            strbuf_append(out, "\\t", 2);
            break;
        case '\b':
            strbuf_append(out, "\\b", 2);
            break;
        case '\f':
            strbuf_append(out, "\\f", 2);
            break;
        default:
            if (c >= 0x80) {
                strbuf_append(out, "\xef\xbf\xbd", 3);
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                strbuf_append(out, e, 6);
            }
        }
        i++;
        run = i;
    }
    strbuf_append(out, p + run, i - run);
}

void
json_escape(struct strbuf *out, const char *s, size_t len)
{
    strbuf_reserve(out, len + 2);
    strbuf_putc(out, '"');
    escape_body(out, (const unsigned char *)s, len);
    strbuf_putc(out, '"');
}

static void
indent(struct strbuf *out, int n)
{
    strbuf_reserve(out, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        out->buf[out->len + (size_t)i] = ' ';
    out->len += (size_t)n;
    out->buf[out->len] = '\0';
}

void
jsonw_init(struct jsonw *w, struct strbuf *out, bool pretty)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->pretty = pretty;
    w->first[0] = true;
}

/* Separator and indentation before a value or a key. */
static inline void
jsonw_sep(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (!w->first[w->depth])
        strbuf_putc(w->out, ',');
    w->first[w->depth] = false;
    if (w->pretty) {
        strbuf_putc(w->out, '\n');
        indent(w->out, 2 * w->depth);
    }
}

static void
jsonw_open(struct jsonw *w, char c)
{
    jsonw_sep(w);
    if (w->depth + 1 >= JSONW_MAX_DEPTH)
        xfatal("jsonw: nesting deeper than %d", JSONW_MAX_DEPTH - 1);
    strbuf_putc(w->out, c);
    w->depth++;
    w->first[w->depth] = true;
}

static void
jsonw_close(struct jsonw *w, char c)
{
    if (w->depth == 0)
        xfatal("jsonw: unbalanced '%c'", c);
    w->depth--;
    if (w->pretty && !w->first[w->depth + 1]) {
        strbuf_putc(w->out, '\n');
        indent(w->out, 2 * w->depth);
    }
    strbuf_putc(w->out, c);
}

void
jsonw_obj_begin(struct jsonw *w)
{
    jsonw_open(w, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
    jsonw_close(w, '}');
}

void
jsonw_arr_begin(struct jsonw *w)
{
    jsonw_open(w, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
    jsonw_close(w, ']');
}

void
jsonw_arr_continue(struct jsonw *w)
{
    jsonw_open(w, '[');
    w->out->len--; /* the '[' is already out */
    w->out->buf[w->out->len] = '\0';
    w->first[w->depth] = false;
}

void
jsonw_key(struct jsonw *w, const char *key)
{
    jsonw_keyn(w, key, strlen(key));
}

void
jsonw_keyn(struct jsonw *w, const char *key, size_t len)
{
    size_t i = 0;

    jsonw_sep(w);
    while (i < len && !escape_look[(unsigned char)key[i]])
        i++;
    if (i == len) {
        /* The usual key, written as it is. */
        strbuf_reserve(w->out, len + 3);
        w->out->buf[w->out->len++] = '"';
        memcpy(w->out->buf + w->out->len, key, len);
        w->out->len += len;
        w->out->buf[w->out->len++] = '"';
        w->out->buf[w->out->len] = '\0';
    } else {
        json_escape(w->out, key, len);
    }
    if (w->pretty)
        strbuf_append(w->out, ": ", 2);
    else
        strbuf_putc(w->out, ':');
    w->after_key = true;
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t len)
{
    jsonw_sep(w);
    if (s)
        json_escape(w->out, s, len);
    else
        strbuf_append(w->out, "null", 4);
}

void
jsonw_str(struct jsonw *w, const char *s)
{
    jsonw_strn(w, s, s ? strlen(s) : 0);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
    char digits[24], *p = digits + sizeof(digits);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    jsonw_sep(w);
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    strbuf_append(w->out, p, (size_t)(digits + sizeof(digits) - p));
}

void
jsonw_double(struct jsonw *w, double v)
{
    char buf[40];
    locale_t loc, old = (locale_t)0;

    jsonw_sep(w);
    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
        strbuf_append(w->out, "null", 4);
        return;
    }
    loc = json_c_locale();
    if (loc)
        old = uselocale(loc);
    /* The shortest of %.15g and %.17g that reads back exactly. */
    snprintf(buf, sizeof(buf), "%.15g", v);
    if ((loc ? strtod_l(buf, NULL, loc) : strtod(buf, NULL)) != v)
        snprintf(buf, sizeof(buf), "%.17g", v);
    if (loc)
        uselocale(old);
    strbuf_puts(w->out, buf);
}

void
jsonw_bool(struct jsonw *w, bool v)
{
    jsonw_sep(w);
    if (v)
        strbuf_append(w->out, "true", 4);
    else
        strbuf_append(w->out, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
    jsonw_sep(w);
    strbuf_append(w->out, "null", 4);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
    jsonw_sep(w);
    strbuf_append(w->out, json, len);
}

/*
 * Pretty JSON and YAML printers over a parsed document
 */

/* Appends string token t as a JSON literal: verbatim when it has no escape
 * (the tokenizer proved it needs none), re-escaped otherwise. */
static void
put_json_string(const struct json_doc *doc, uint32_t t, struct strbuf *out)
{
    const struct json_tok *tok = &doc->toks[t];

    if (!tok->escaped) {
        strbuf_reserve(out, (size_t)tok->len + 2);
        strbuf_putc(out, '"');
        strbuf_append(out, doc->src + tok->start, tok->len);
        strbuf_putc(out, '"');
        return;
    }
    size_t n;
    char *s = json_strdup_len(doc, t, &n);
    json_escape(out, s, n);
    free(s);
}

static void
pretty_value(const struct json_doc *doc, uint32_t t, struct strbuf *out, int level)
{
    const struct json_tok *tok = &doc->toks[t];
    struct json_iter it;
    uint32_t k, v;
    bool first = true;

    switch (tok->type) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (tok->size == 0) {
            strbuf_puts(out, tok->type == JSON_OBJECT ? "{}" : "[]");
            return;
        }
        strbuf_putc(out, tok->type == JSON_OBJECT ? '{' : '[');
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, &k, &v)) {
            if (!first)
                strbuf_putc(out, ',');
            first = false;
            strbuf_putc(out, '\n');
            indent(out, 2 * (level + 1));
            if (k != JSON_NONE) {
                put_json_string(doc, k, out);
                strbuf_append(out, ": ", 2);
            }
            pretty_value(doc, v, out, level + 1);
        }
        strbuf_putc(out, '\n');
        indent(out, 2 * level);
        strbuf_putc(out, tok->type == JSON_OBJECT ? '}' : ']');
        return;
    case JSON_STRING:
        put_json_string(doc, t, out);
        return;
    default:
        strbuf_append(out, doc->src + tok->start, tok->len);
        return;
    }
}

void
json_write_pretty(const struct json_doc *doc, uint32_t t, struct strbuf *out)
{
    if (t == JSON_NONE || t >= doc->ntoks)
        return;
    pretty_value(doc, t, out, 0);
    strbuf_putc(out, '\n');
}

static bool
ascii_ieq(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);

    if (n != wl)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* Length of the code point at p when YAML must see it escaped: C1 controls
 * (U+0085 is a line break to YAML 1.1), U+2028/U+2029 (line breaks too),
 * U+FEFF (a byte order mark) and the non-characters U+FFFE/U+FFFF (not
 * printable in YAML). 0 otherwise. */
static size_t
yaml_special_cp(const unsigned char *p, size_t avail)
{
    if (avail >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        return 2;
    if (avail >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
        return 3;
    if (avail >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        return 3;
    if (avail >= 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
        return 3;
    return 0;
}

/*
 * Whether a YAML 1.1 or 1.2 reader could take s as something other than
 * this plain string: a boolean, null, a number, a timestamp, an indicator,
 * a comment or a mapping. Conservative: quoting a string that did not need
 * it is harmless, the reverse is not.
 */
static bool
yaml_needs_quotes(const char *s, size_t n)
{
    static const char *const words[] = {
        "true", "false", "yes",  "no",    "on",    "off",  "y",  "n",
        "null", "~",     ".inf", "-.inf", "+.inf", ".nan", "<<", "=",
    };
    const unsigned char *p = (const unsigned char *)s;

    if (n == 0)
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(words); i++)
        if (ascii_ieq(s, n, words[i]))
            return true;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", p[0]) || p[0] == ' ' || p[n - 1] == ' ' || p[n - 1] == ':')
        return true;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            return true;
        if (p[i] == ':' && i + 1 < n && p[i + 1] == ' ')
            return true;
        if (p[i] == ' ' && i + 1 < n && p[i + 1] == '#')
            return true;
        if (yaml_special_cp(p + i, n - i))
            return true;
    }
    /* Number-like: optional sign, then a digit or a dot, then only
     * characters numbers use in some YAML notation (1e3, 0x1f, 0o17, 1_000,
     * 1:30, .5, 10.0.1.10). */
    size_t i = (p[0] == '+' || p[0] == '-') ? 1 : 0;
    if (i < n && (is_digit(p[i]) || p[i] == '.')) {
        bool numberish = true;
        for (size_t j = i; j < n && numberish; j++)
            numberish = strchr("0123456789._:+-eExXoObBabcdfABCDF", p[j]) != NULL && p[j];
        if (numberish)
            return true;
    }
    /* Timestamps: 2001-12-14, 2024-01-01T00:00:00Z. */
    if (n >= 8 && is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
        p[4] == '-')
        return true;
    return false;
}

/* A double-quoted YAML scalar: JSON's escapes (YAML accepts them all) plus
 * \u escapes for the code points YAML would fold or refuse. */
static void
yaml_quoted(const char *s, size_t n, struct strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, k;

    strbuf_putc(out, '"');
    while (i < n) {
        if (p[i] < 0xc2 || (k = yaml_special_cp(p + i, n - i)) == 0) {
            i++;
            continue;
        }
        escape_body(out, p + run, i - run);
        uint32_t cp = k == 2 ? (uint32_t)(p[i + 1] & 0x3f) | 0x80
                             : (uint32_t)(p[i] & 0x0f) << 12 | (uint32_t)(p[i + 1] & 0x3f) << 6 |
                                   (uint32_t)(p[i + 2] & 0x3f);
        strbuf_printf(out, "\\u%04x", (unsigned)cp);
        i += k;
        run = i;
    }
    escape_body(out, p + run, n - run);
    strbuf_putc(out, '"');
}

static void
yaml_string(const char *s, size_t n, struct strbuf *out)
{
    if (yaml_needs_quotes(s, n))
        yaml_quoted(s, n, out);
    else
        strbuf_append(out, s, n);
}

static void
yaml_token_string(const struct json_doc *doc, uint32_t t, struct strbuf *out)
{
    const struct json_tok *tok = &doc->toks[t];

    if (!tok->escaped) {
        yaml_string(doc->src + tok->start, tok->len, out);
        return;
    }
    size_t n;
    char *s = json_strdup_len(doc, t, &n);
    yaml_string(s, n, out);
    free(s);
}

static void
yaml_scalar(const struct json_doc *doc, uint32_t t, struct strbuf *out)
{
    const struct json_tok *tok = &doc->toks[t];

    if (tok->type == JSON_STRING)
        yaml_token_string(doc, t, out);
    else if (tok->type == JSON_OBJECT)
        strbuf_append(out, "{}", 2);
    else if (tok->type == JSON_ARRAY)
        strbuf_append(out, "[]", 2);
    else
        strbuf_append(out, doc->src + tok->start, tok->len);
}

static bool
yaml_is_block(const struct json_doc *doc, uint32_t t)
{
    const struct json_tok *tok = &doc->toks[t];

    return (tok->type == JSON_OBJECT || tok->type == JSON_ARRAY) && tok->size > 0;
}

/* Writes the non-empty container t as a block at column col. With `cont`
 * the cursor already stands at col on the current line (after "- "), so
 * the first line gets no indentation. Sequences under a key are not
 * indented, as kubectl prints them. */
static void
yaml_block(const struct json_doc *doc, uint32_t t, struct strbuf *out, int col, bool cont)
{
    struct json_iter it;
    uint32_t k, v;
    bool first = true;
    bool object = doc->toks[t].type == JSON_OBJECT;

    json_iter_init(&it, doc, t);
    while (json_iter_next(&it, &k, &v)) {
        if (!first || !cont)
            indent(out, col);
        first = false;
        if (object) {
            yaml_token_string(doc, k, out);
            strbuf_putc(out, ':');
            if (yaml_is_block(doc, v)) {
                strbuf_putc(out, '\n');
                if (doc->toks[v].type == JSON_OBJECT)
                    yaml_block(doc, v, out, col + 2, false);
                else
                    yaml_block(doc, v, out, col, false);
                continue;
            }
            strbuf_putc(out, ' ');
        } else {
            strbuf_append(out, "- ", 2);
            if (yaml_is_block(doc, v)) {
                yaml_block(doc, v, out, col + 2, true);
                continue;
            }
        }
        yaml_scalar(doc, v, out);
        strbuf_putc(out, '\n');
    }
}

void
json_write_yaml(const struct json_doc *doc, uint32_t t, struct strbuf *out)
{
    if (t == JSON_NONE || t >= doc->ntoks)
        return;
    if (yaml_is_block(doc, t)) {
        yaml_block(doc, t, out, 0, false);
        return;
    }
    yaml_scalar(doc, t, out);
    strbuf_putc(out, '\n');
}
