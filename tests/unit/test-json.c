/* SPDX-License-Identifier: MIT */
/* test-json.c - the JSON tokenizer, accessors, printers and writer */
#include "config.h"

#include <stdint.h>
#include <yaml.h>

#include "opsdeck/json.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* Parses a NUL-terminated document held in an exact-size heap copy, so
 * AddressSanitizer catches any read past the end. */
static enum status
parse_exact(struct json_doc *doc, const char *text, size_t len, char **copy)
{
    *copy = xmalloc(len ? len : 1);
    memcpy(*copy, text, len);
    return json_parse(doc, *copy, len);
}

/* Canonical compact JSON of a parsed value: keys and strings unescaped and
 * re-escaped, numbers verbatim. Two documents with equal canonical forms
 * hold the same data. */
static void
canon(const struct json_doc *doc, uint32_t t, struct jsonw *w)
{
    struct json_iter it;
    uint32_t k, v;
    size_t len;
    const char *raw;
    char *s;

    switch (json_type(doc, t)) {
    case JSON_OBJECT:
        jsonw_obj_begin(w);
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, &k, &v)) {
            s = json_strdup(doc, k);
            jsonw_key(w, s);
            free(s);
            canon(doc, v, w);
        }
        jsonw_obj_end(w);
        break;
    case JSON_ARRAY:
        jsonw_arr_begin(w);
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, &k, &v))
            canon(doc, v, w);
        jsonw_arr_end(w);
        break;
    case JSON_STRING:
        s = json_strdup_len(doc, t, &len);
        jsonw_strn(w, s, len);
        free(s);
        break;
    default:
        raw = json_raw(doc, t, &len);
        jsonw_raw(w, raw, len);
        break;
    }
}

static char *
canon_text(const char *text, size_t len)
{
    struct json_doc doc;
    struct strbuf sb;
    struct jsonw w;

    json_doc_init(&doc);
    strbuf_init(&sb);
    ck_assert_msg(json_parse(&doc, text, len) == STATUS_OK, "%s", doc.err);
    jsonw_init(&w, &sb, false);
    canon(&doc, 0, &w);
    json_doc_done(&doc);
    return strbuf_detach(&sb);
}

/*
 * RFC 8259 conformance
 */

static const char *const valid_docs[] = {
    "{}",
    "[]",
    "0",
    "-0",
    "1",
    "-1",
    "123456789",
    "1.5",
    "-0.0",
    "1e3",
    "1E3",
    "1e+3",
    "1e-3",
    "1.25E-10",
    "0.000001",
    "true",
    "false",
    "null",
    "\"\"",
    "\"plain\"",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    "\"\\u0041\\u00e9\\u20ac\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"\\udc00x\"",
    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
    "\"\x7f\"",
    " \t\r\n{ \"a\" : 1 } \t\r\n",
    "[1,2,3]",
    "[ 1 , [ 2 , [ 3 ] ] ]",
    "{\"a\":{\"b\":{\"c\":[]}}}",
    "{\"a\":1,\"a\":2}",
    "[{},[],\"\",0,true,false,null]",
    "{\"\":\"\"}",
    "{\"k\\u0000\":\"v\\u0000w\"}",
    "[-9223372036854775808,9223372036854775807]",
    "[1e400,-1e400,1e-400]",
    "123456789012345678901234567890",
};

static const char *const invalid_docs[] = {
    "",
    " ",
    "{",
    "}",
    "[",
    "]",
    "[1,]",
    "[,1]",
    "[1,,2]",
    "{\"a\":1,}",
    "{,\"a\":1}",
    "{\"a\"}",
    "{\"a\":}",
    "{\"a\" 1}",
    "{a:1}",
    "{'a':1}",
    "{1:1}",
    "{\"a\":1 \"b\":2}",
    "[1 2]",
    "01",
    "-01",
    "00",
    "1.",
    ".5",
    "-",
    "+1",
    "1e",
    "1e+",
    "0x10",
    "Infinity",
    "NaN",
    "tru",
    "True",
    "nul",
    "falsey",
    "\"abc",
    "\"\\x41\"",
    "\"\\u12\"",
    "\"\\u12G4\"",
    "\"\\U0041\"",
    "\"\\\"",
    "\"tab\there\"",
    "\"nl\nhere\"",
    "\"\x01\"",
    "\"\x1f\"",
    "'single'",
    "[1] [2]",
    "{} x",
    "1 2",
    "[\"a\"]]",
    "{\"a\":[1}",
    "{\"a\":{]}",
    "[1}",
    "\xef\xbb\xbf{}",
    "/* c */ {}",
};

START_TEST(test_valid_docs)
{
    struct json_doc doc;
    const char *text = valid_docs[_i];

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, text, strlen(text)) == STATUS_OK, "%s: %s", text, doc.err);
    ck_assert_uint_ge(doc.ntoks, 1);
    ck_assert_uint_eq(doc.toks[0].end, doc.ntoks);
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_invalid_docs)
{
    struct json_doc doc;
    const char *text = invalid_docs[_i];
    char *copy;

    json_doc_init(&doc);
    status_clear();
    ck_assert_msg(parse_exact(&doc, text, strlen(text), &copy) == STATUS_JSON, "accepted %s", text);
    ck_assert_uint_eq(doc.ntoks, 0);
    ck_assert_msg(strncmp(doc.err, "offset ", 7) == 0, "err: %s", doc.err);
    ck_assert_str_eq(status_text(), doc.err);
    free(copy);
    json_doc_done(&doc);
}
END_TEST

static const struct {
    const char *text;
    const char *err;
} error_texts[] = {
    {"", "offset 0: empty document (at end of input)"},
    {"[1,]", "offset 3: expected a value (found ']')"},
    {"{\"a\":1,}", "offset 7: expected a string key (found '}')"},
    {"{\"a\" 1}", "offset 5: expected ':' (found '1')"},
    {"[1 2]", "offset 3: expected ',' or ']' (found '2')"},
    {"{\"a\":1 \"b\":2}", "offset 7: expected ',' or '}' (found '\"')"},
    {"01", "offset 1: leading zero in number (found '1')"},
    {"1.", "offset 2: expected a digit after '.' (at end of input)"},
    {"1e+", "offset 3: expected a digit in the exponent (at end of input)"},
    {"\"ab", "offset 3: unterminated string (at end of input)"},
    {"\"a\\qb\"", "offset 2: invalid escape (found '\\')"},
    {"\"a\\u12x4\"", "offset 2: invalid \\u escape (found '\\')"},
    {"[\"a\tb\"]", "offset 3: unescaped control character in string (found byte 0x09)"},
    {"\"\xc3\x28\"", "offset 1: invalid UTF-8 in string (found byte 0xc3)"},
    {"[1]x", "offset 3: unexpected data after the document (found 'x')"},
    {"{\"a\":[1,2", "offset 9: unexpected end of input (at end of input)"},
    {"nulL", "offset 0: invalid literal (found 'n')"},
};

START_TEST(test_error_texts)
{
    struct json_doc doc;
    char *copy;

    json_doc_init(&doc);
    for (size_t i = 0; i < ARRAY_SIZE(error_texts); i++) {
        const char *text = error_texts[i].text;
        ck_assert_int_eq(parse_exact(&doc, text, strlen(text), &copy), STATUS_JSON);
        ck_assert_str_eq(doc.err, error_texts[i].err);
        free(copy);
    }
    json_doc_done(&doc);
}
END_TEST

/* Invalid UTF-8 inside strings is rejected (RFC 3629). */
static const char *const bad_utf8[] = {
    "\"\x80\"", /* stray continuation byte */
    "\"\xbf\"",
    "\"\xc0\xaf\"",         /* overlong '/' */
    "\"\xc1\xbf\"",         /* overlong */
    "\"\xe0\x80\xaf\"",     /* overlong 3-byte */
    "\"\xe0\x9f\xbf\"",     /* overlong 3-byte, upper bound */
    "\"\xf0\x80\x80\xaf\"", /* overlong 4-byte */
    "\"\xf0\x8f\xbf\xbf\"", /* overlong 4-byte, upper bound */
    "\"\xed\xa0\x80\"",     /* encoded surrogate U+D800 */
    "\"\xed\xbf\xbf\"",     /* encoded surrogate U+DFFF */
    "\"\xf4\x90\x80\x80\"", /* U+110000 */
    "\"\xf5\x80\x80\x80\"", /* lead byte above F4 */
    "\"\xff\"",
    "\"\xfe\"",
    "\"\xc3\"",                     /* truncated 2-byte */
    "\"\xe2\x82\"",                 /* truncated 3-byte */
    "\"\xf0\x9f\x98\"",             /* truncated 4-byte */
    "\"\xe2\x28\xa1\"",             /* bad continuation */
    "\"0123456789abcdef\xc3\x28\"", /* bad byte after a 16-byte fast run */
};

START_TEST(test_bad_utf8)
{
    struct json_doc doc;
    const char *text = bad_utf8[_i];
    char *copy;

    json_doc_init(&doc);
    ck_assert_int_eq(parse_exact(&doc, text, strlen(text), &copy), STATUS_JSON);
    ck_assert_msg(strstr(doc.err, "invalid UTF-8") || strstr(doc.err, "unterminated"), "%s",
                  doc.err);
    free(copy);
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_good_utf8)
{
    static const char *const good[] = {
        "\"\xc2\x80\"",     "\"\xdf\xbf\"",     "\"\xe0\xa0\x80\"",     "\"\xed\x9f\xbf\"",
        "\"\xee\x80\x80\"", "\"\xef\xbf\xbf\"", "\"\xf0\x90\x80\x80\"", "\"\xf4\x8f\xbf\xbf\"",
    };
    struct json_doc doc;
    char *copy;

    json_doc_init(&doc);
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        ck_assert_msg(parse_exact(&doc, good[i], strlen(good[i]), &copy) == STATUS_OK, "%s",
                      doc.err);
        char *s = json_strdup(&doc, 0);
        ck_assert_uint_eq(strlen(s), strlen(good[i]) - 2);
        ck_assert_int_eq(memcmp(s, good[i] + 1, strlen(s)), 0);
        free(s);
        free(copy);
    }
    json_doc_done(&doc);
}
END_TEST

/* Strings long enough to take the 16-byte scanning path, with the
 * interesting byte at every position of the block. */
START_TEST(test_long_strings)
{
    struct json_doc doc;
    char text[80];
    char *copy;

    json_doc_init(&doc);
    for (int at = 1; at < 60; at++) {
        memset(text, 'a', sizeof(text));
        text[0] = '"';
        text[70] = '"';
        text[at] = '\n';
        ck_assert_int_eq(parse_exact(&doc, text, 71, &copy), STATUS_JSON);
        free(copy);
        text[at] = '\\';
        text[at + 1] = 'n';
        ck_assert_int_eq(parse_exact(&doc, text, 71, &copy), STATUS_OK);
        ck_assert(doc.toks[0].escaped);
        free(copy);
        text[at] = '\xc3';
        text[at + 1] = '\xa9';
        ck_assert_int_eq(parse_exact(&doc, text, 71, &copy), STATUS_OK);
        ck_assert(!doc.toks[0].escaped);
        ck_assert_uint_eq(doc.toks[0].len, 69);
        free(copy);
        text[at] = '"';
        ck_assert_int_eq(parse_exact(&doc, text, 71, &copy), STATUS_JSON);
        free(copy);
    }
    json_doc_done(&doc);
}
END_TEST

/*
 * Structure and navigation
 */

START_TEST(test_tokens)
{
    static const char text[] = "{\"a\": [1, {\"x\": null}, \"s\"], \"b\\u0021\": true, \"c\": {}}";
    struct json_doc doc;
    uint32_t a, b, c, v, k;
    struct json_iter it;
    const char *raw;
    size_t len;
    int n = 0;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    /* { a [ 1 { x null } s ] b! true c { } */
    ck_assert_uint_eq(doc.ntoks, 12);
    ck_assert_int_eq(json_type(&doc, 0), JSON_OBJECT);
    ck_assert_uint_eq(doc.toks[0].size, 3);
    ck_assert_uint_eq(doc.toks[0].end, 12);
    a = json_get(&doc, 0, "a");
    ck_assert_uint_eq(a, 2);
    ck_assert_int_eq(json_type(&doc, a), JSON_ARRAY);
    ck_assert_uint_eq(doc.toks[a].size, 3);
    ck_assert_uint_eq(doc.toks[a].end, 8);
    raw = json_raw(&doc, a, &len);
    ck_assert_int_eq((int)len, (int)strlen("[1, {\"x\": null}, \"s\"]"));
    ck_assert_int_eq(memcmp(raw, "[1, {\"x\": null}, \"s\"]", len), 0);
    ck_assert_uint_eq(json_at(&doc, a, 0), 3);
    ck_assert_uint_eq(json_at(&doc, a, 1), 4);
    ck_assert_uint_eq(json_at(&doc, a, 2), 7);
    ck_assert_uint_eq(json_at(&doc, a, 3), JSON_NONE);
    ck_assert_uint_eq(json_at(&doc, 0, 0), JSON_NONE);
    ck_assert_int_eq(json_type(&doc, json_dig(&doc, 0, "a", NULL)), JSON_ARRAY);
    ck_assert_uint_eq(json_dig(&doc, json_at(&doc, a, 1), "x", NULL), 6);
    ck_assert_int_eq(json_type(&doc, 6), JSON_NULL);
    ck_assert_uint_eq(json_dig(&doc, 0, "a", "x", NULL), JSON_NONE);
    ck_assert_uint_eq(json_dig(&doc, 0, "zz", "x", NULL), JSON_NONE);
    raw = json_raw(&doc, 7, &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(memcmp(raw, "\"s\"", 3), 0);
    b = json_get(&doc, 0, "b!");
    ck_assert_int_eq(json_type(&doc, b), JSON_TRUE);
    ck_assert_uint_eq(json_get(&doc, 0, "b\\u0021"), JSON_NONE);
    ck_assert_uint_eq(json_getn(&doc, 0, "b!xyz", 2), b);
    c = json_get(&doc, 0, "c");
    ck_assert_int_eq(json_type(&doc, c), JSON_OBJECT);
    ck_assert_uint_eq(doc.toks[c].size, 0);
    ck_assert_uint_eq(json_get(&doc, c, "a"), JSON_NONE);
    ck_assert_uint_eq(json_get(&doc, a, "a"), JSON_NONE);
    ck_assert_uint_eq(json_get(&doc, JSON_NONE, "a"), JSON_NONE);
    ck_assert_int_eq(json_type(&doc, JSON_NONE), JSON_INVALID);

    json_iter_init(&it, &doc, 0);
    while (json_iter_next(&it, &k, &v)) {
        ck_assert_int_eq(json_type(&doc, k), JSON_STRING);
        n++;
    }
    ck_assert_int_eq(n, 3);
    n = 0;
    json_iter_init(&it, &doc, a);
    while (json_iter_next(&it, &k, &v)) {
        ck_assert_uint_eq(k, JSON_NONE);
        n++;
    }
    ck_assert_int_eq(n, 3);
    json_iter_init(&it, &doc, 3);
    ck_assert(!json_iter_next(&it, &k, &v));
    json_iter_init(&it, &doc, JSON_NONE);
    ck_assert(!json_iter_next(&it, &k, &v));
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_doc_reuse)
{
    struct json_doc doc;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, "[1,2,3,4,5,6,7,8,9]", 19), STATUS_OK);
    ck_assert_uint_eq(doc.ntoks, 10);
    ck_assert_int_eq(json_parse(&doc, "[1,", 3), STATUS_JSON);
    ck_assert_uint_eq(doc.ntoks, 0);
    ck_assert_int_eq(json_parse(&doc, "{\"a\":1}", 7), STATUS_OK);
    ck_assert_uint_eq(doc.ntoks, 3);
    ck_assert_str_eq(doc.err, "");
    json_doc_done(&doc);
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_deep_nesting)
{
    struct json_doc doc;
    size_t n = JSON_MAX_DEPTH;
    char *text = xmalloc(2 * n + 2);

    json_doc_init(&doc);
    memset(text, '[', n);
    memset(text + n, ']', n);
    ck_assert_int_eq(json_parse(&doc, text, 2 * n), STATUS_OK);
    ck_assert_uint_eq(doc.ntoks, n);
    ck_assert_uint_eq(doc.toks[n - 1].end, n);
    ck_assert_uint_eq(doc.toks[0].end, n);
    ck_assert_uint_eq(doc.toks[0].len, 2 * n);

    memset(text, '[', n + 1);
    memset(text + n + 1, ']', n + 1);
    ck_assert_int_eq(json_parse(&doc, text, 2 * n + 2), STATUS_JSON);
    ck_assert_str_eq(doc.err, "offset 512: nesting deeper than 512 levels (found '[')");
    free(text);

    /* Mixed objects and arrays at the limit. */
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < n / 2; i++)
        strbuf_puts(&sb, "{\"k\":[");
    strbuf_puts(&sb, "1");
    for (size_t i = 0; i < n / 2; i++)
        strbuf_puts(&sb, "]}");
    ck_assert_int_eq(json_parse(&doc, sb.buf, sb.len), STATUS_OK);
    struct strbuf pretty;
    strbuf_init(&pretty);
    json_write_pretty(&doc, 0, &pretty);
    json_write_yaml(&doc, 0, &pretty);
    ck_assert_uint_gt(pretty.len, sb.len);
    strbuf_done(&pretty);
    strbuf_done(&sb);
    json_doc_done(&doc);
}
END_TEST

/* Every proper prefix of a real document fails cleanly, from an exact-size
 * buffer, so a read past the end would trip AddressSanitizer. */
START_TEST(test_truncation)
{
    static const char *const files[] = {
        "kubernetes/kubectl-status/json/pod-liveness-kill-137.json",
        "kubernetes/k9s/render_testdata/po_init.json",
        "kubernetes/kubectl-status/json/service-nodeport.json",
    };
    struct json_doc doc;

    json_doc_init(&doc);
    for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
        size_t len, trimmed;
        char *text = fixture_read(files[f], &len);
        trimmed = len;
        while (trimmed > 0 && strchr(" \t\r\n", text[trimmed - 1]))
            trimmed--;
        for (size_t cut = 0; cut < trimmed; cut++) {
            char *copy = xmalloc(cut ? cut : 1);
            memcpy(copy, text, cut);
            ck_assert_msg(json_parse(&doc, copy, cut) == STATUS_JSON, "%s accepted at %zu",
                          files[f], cut);
            ck_assert_uint_eq(doc.ntoks, 0);
            free(copy);
        }
        ck_assert_msg(json_parse(&doc, text, len) == STATUS_OK, "%s", doc.err);
        free(text);
    }
    json_doc_done(&doc);
}
END_TEST

/* Every fixture parses, and a list's items are found where expected. */
START_TEST(test_fixture_lists)
{
    struct json_doc doc;
    size_t len;
    char *text = fixture_read("kubernetes/cloudability/pods.json", &len);
    uint32_t items, it0;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, len), STATUS_OK);
    items = json_get(&doc, 0, "items");
    ck_assert_int_eq(json_type(&doc, items), JSON_ARRAY);
    ck_assert_uint_gt(doc.toks[items].size, 1);
    it0 = json_at(&doc, items, 0);
    ck_assert(json_streq(&doc, json_dig(&doc, 0, "kind", NULL), "PodList"));
    ck_assert_uint_eq(json_get(&doc, it0, "kind"), JSON_NONE);
    ck_assert_int_eq(json_type(&doc, json_dig(&doc, it0, "metadata", "name", NULL)), JSON_STRING);
    json_doc_done(&doc);
    free(text);
}
END_TEST

/*
 * Strings and escapes
 */

static const struct {
    const char *json;
    const char *text;
    size_t len;
} escapes[] = {
    {"\"\\\"\"", "\"", 1},
    {"\"\\\\\"", "\\", 1},
    {"\"\\/\"", "/", 1},
    {"\"\\b\"", "\b", 1},
    {"\"\\f\"", "\f", 1},
    {"\"\\n\"", "\n", 1},
    {"\"\\r\"", "\r", 1},
    {"\"\\t\"", "\t", 1},
    {"\"\\u0041\"", "A", 1},
    {"\"\\u007f\"", "\x7f", 1},
    {"\"\\u0080\"", "\xc2\x80", 2},
    {"\"\\u00E9\"", "\xc3\xa9", 2},
    {"\"\\u07ff\"", "\xdf\xbf", 2},
    {"\"\\u0800\"", "\xe0\xa0\x80", 3},
    {"\"\\u20AC\"", "\xe2\x82\xac", 3},
    {"\"\\uffff\"", "\xef\xbf\xbf", 3},
    {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
    {"\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4},
    {"\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4},
    {"\"\\ud800\"", "\xef\xbf\xbd", 3},
    {"\"\\udc00\"", "\xef\xbf\xbd", 3},
    {"\"\\ud800x\"", "\xef\xbf\xbdx", 4},
    {"\"\\ud800\\u0041\"",
     "\xef\xbf\xbd"
     "A",
     4},
    {"\"\\ud800\\ud800\\udc00\"", "\xef\xbf\xbd\xf0\x90\x80\x80", 7},
    {"\"\\udc00\\ud800\"", "\xef\xbf\xbd\xef\xbf\xbd", 6},
    {"\"\\ud800\\n\"", "\xef\xbf\xbd\n", 4},
    {"\"a\\u0000b\"", "a\0b", 3},
    {"\"x\\ty\\nz\"", "x\ty\nz", 5},
};

START_TEST(test_escapes)
{
    struct json_doc doc;
    const char *json = escapes[_i].json;
    char buf[64];
    size_t len;
    char *s;

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, json, strlen(json)) == STATUS_OK, "%s: %s", json, doc.err);
    ck_assert(doc.toks[0].escaped);
    s = json_strdup_len(&doc, 0, &len);
    ck_assert_uint_eq(len, escapes[_i].len);
    ck_assert_int_eq(memcmp(s, escapes[_i].text, len), 0);
    ck_assert_int_eq(s[len], '\0');
    free(s);
    ck_assert_uint_eq(json_strcpy(&doc, 0, buf, sizeof(buf)), escapes[_i].len);
    ck_assert_int_eq(memcmp(buf, escapes[_i].text, escapes[_i].len), 0);
    if (memchr(escapes[_i].text, '\0', escapes[_i].len) == NULL)
        ck_assert(json_streq(&doc, 0, escapes[_i].text));
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_string_access)
{
    static const char text[] =
        "{\"k\\u00e9y\":\"caf\\u00e9\",\"n\":5,\"s\":\"\\u00e9\\u00e9\\u00e9\","
        "\"p\":\"plain\"}";
    struct json_doc doc;
    char buf[8];
    char *s;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    s = json_get_str(&doc, 0, "k\xc3\xa9y");
    ck_assert_str_eq(s, "caf\xc3\xa9");
    free(s);
    ck_assert_ptr_null(json_get_str(&doc, 0, "n"));
    ck_assert_ptr_null(json_get_str(&doc, 0, "missing"));
    ck_assert_ptr_null(json_strdup(&doc, JSON_NONE));
    ck_assert(!json_streq(&doc, json_get(&doc, 0, "n"), "5"));
    ck_assert(json_streq(&doc, json_get(&doc, 0, "p"), "plain"));
    ck_assert(!json_streq(&doc, json_get(&doc, 0, "p"), "plai"));
    ck_assert(!json_streq(&doc, json_get(&doc, 0, "p"), "plainer"));
    ck_assert(!json_streq(&doc, json_get(&doc, 0, "k\xc3\xa9y"), "caf"));
    ck_assert(!json_streq(&doc, json_get(&doc, 0, "k\xc3\xa9y"), "caf\xc3\xa9!"));

    /* Truncation keeps whole characters and reports the full length. */
    ck_assert_uint_eq(json_strcpy(&doc, json_get(&doc, 0, "s"), buf, 6), 6);
    ck_assert_str_eq(buf, "\xc3\xa9\xc3\xa9");
    ck_assert_uint_eq(json_strcpy(&doc, json_get(&doc, 0, "s"), buf, 5), 6);
    ck_assert_str_eq(buf, "\xc3\xa9\xc3\xa9");
    ck_assert_uint_eq(json_strcpy(&doc, json_get(&doc, 0, "s"), buf, 4), 6);
    ck_assert_str_eq(buf, "\xc3\xa9");
    ck_assert_uint_eq(json_strcpy(&doc, json_get(&doc, 0, "p"), buf, 4), 5);
    ck_assert_str_eq(buf, "pla");
    ck_assert_uint_eq(json_strcpy(&doc, json_get(&doc, 0, "p"), buf, 1), 5);
    ck_assert_str_eq(buf, "");
    ck_assert_uint_eq(json_strcpy(&doc, json_get(&doc, 0, "n"), buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
    json_doc_done(&doc);
}
END_TEST

/*
 * Numbers
 */

START_TEST(test_int64)
{
    static const struct {
        const char *text;
        bool ok;
        int64_t value;
    } cases[] = {
        {"0", true, 0},
        {"-0", true, 0},
        {"42", true, 42},
        {"-42", true, -42},
        {"9223372036854775807", true, INT64_MAX},
        {"-9223372036854775808", true, INT64_MIN},
        {"9223372036854775808", false, 0},
        {"-9223372036854775809", false, 0},
        {"18446744073709551616", false, 0},
        {"99999999999999999999", false, 0},
        {"1732464720123456789", true, INT64_C(1732464720123456789)},
        {"9007199254740993", true, INT64_C(9007199254740993)},
        {"1.0", false, 0},
        {"1e3", false, 0},
        {"\"12\"", false, 0},
        {"true", false, 0},
    };
    struct json_doc doc;

    json_doc_init(&doc);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int64_t v = -777;
        ck_assert_int_eq(json_parse(&doc, cases[i].text, strlen(cases[i].text)), STATUS_OK);
        ck_assert_msg(json_int64(&doc, 0, &v) == cases[i].ok, "%s", cases[i].text);
        if (cases[i].ok)
            ck_assert_msg(v == cases[i].value, "%s -> %lld", cases[i].text, (long long)v);
        else
            ck_assert_int_eq(v, -777);
    }
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_int64_lenient)
{
    static const char text[] =
        "[\"1171150\",\"-5\",\"9223372036854775807\",\"92233720368547758070\","
        "\"12a\",\"\",\"1.5\",\"\\u0031\",7]";
    struct json_doc doc;
    uint32_t a;
    int64_t v;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    a = 0;
    ck_assert(json_int64_lenient(&doc, json_at(&doc, a, 0), &v));
    ck_assert_int_eq(v, 1171150);
    ck_assert(json_int64_lenient(&doc, json_at(&doc, a, 1), &v));
    ck_assert_int_eq(v, -5);
    ck_assert(json_int64_lenient(&doc, json_at(&doc, a, 2), &v));
    ck_assert(v == INT64_MAX);
    ck_assert(!json_int64_lenient(&doc, json_at(&doc, a, 3), &v));
    ck_assert(!json_int64_lenient(&doc, json_at(&doc, a, 4), &v));
    ck_assert(!json_int64_lenient(&doc, json_at(&doc, a, 5), &v));
    ck_assert(!json_int64_lenient(&doc, json_at(&doc, a, 6), &v));
    ck_assert(!json_int64_lenient(&doc, json_at(&doc, a, 7), &v));
    ck_assert(json_int64_lenient(&doc, json_at(&doc, a, 8), &v));
    ck_assert_int_eq(v, 7);
    ck_assert(!json_int64(&doc, json_at(&doc, a, 0), &v));
    ck_assert(!json_int64_lenient(&doc, JSON_NONE, &v));
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_double)
{
    static const char text[] = "[1.5,-0.25,1e3,1E-3,12345678901234567890,0,1e400,"
                               "0.1000000000000000055511151231257827]";
    struct json_doc doc;
    double d;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    ck_assert(json_double(&doc, json_at(&doc, 0, 0), &d));
    ck_assert(d == 1.5);
    ck_assert(json_double(&doc, json_at(&doc, 0, 1), &d));
    ck_assert(d == -0.25);
    ck_assert(json_double(&doc, json_at(&doc, 0, 2), &d));
    ck_assert(d == 1000.0);
    ck_assert(json_double(&doc, json_at(&doc, 0, 3), &d));
    ck_assert(d == 0.001);
    ck_assert(json_double(&doc, json_at(&doc, 0, 4), &d));
    ck_assert(d == 12345678901234567890.0);
    ck_assert(json_double(&doc, json_at(&doc, 0, 5), &d));
    ck_assert(d == 0.0);
    ck_assert(json_double(&doc, json_at(&doc, 0, 6), &d));
    ck_assert(d > 1e308);
    ck_assert(json_double(&doc, json_at(&doc, 0, 7), &d));
    ck_assert(d == 0.1);
    json_doc_done(&doc);
    ck_assert_int_eq(json_parse(&doc, "\"1\"", 3), STATUS_OK);
    ck_assert(!json_double(&doc, 0, &d));
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_scalars)
{
    static const char text[] = "{\"t\":true,\"f\":false,\"n\":null,\"i\":-12,\"s\":\"x\"}";
    struct json_doc doc;
    bool b = false;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    ck_assert(json_bool(&doc, json_get(&doc, 0, "t"), &b) && b);
    ck_assert(json_bool(&doc, json_get(&doc, 0, "f"), &b) && !b);
    ck_assert(!json_bool(&doc, json_get(&doc, 0, "n"), &b));
    ck_assert(json_get_bool(&doc, 0, "t", false));
    ck_assert(!json_get_bool(&doc, 0, "f", true));
    ck_assert(json_get_bool(&doc, 0, "n", true));
    ck_assert(json_get_bool(&doc, 0, "missing", true));
    ck_assert_int_eq(json_get_int(&doc, 0, "i", 0), -12);
    ck_assert_int_eq(json_get_int(&doc, 0, "s", 99), 99);
    ck_assert_int_eq(json_get_int(&doc, 0, "missing", 98), 98);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "n")), JSON_NULL);
    json_doc_done(&doc);
}
END_TEST

/*
 * Writer and printers
 */

START_TEST(test_writer)
{
    struct strbuf sb;
    struct jsonw w;

    strbuf_init(&sb);
    jsonw_init(&w, &sb, false);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "name");
    jsonw_str(&w, "ops-1");
    jsonw_key(&w, "node");
    jsonw_str(&w, NULL);
    jsonw_key(&w, "n");
    jsonw_int(&w, INT64_MIN);
    jsonw_key(&w, "big");
    jsonw_int(&w, INT64_MAX);
    jsonw_key(&w, "ok");
    jsonw_bool(&w, true);
    jsonw_key(&w, "no");
    jsonw_bool(&w, false);
    jsonw_key(&w, "nil");
    jsonw_null(&w);
    jsonw_key(&w, "taints");
    jsonw_arr_begin(&w);
    jsonw_str(&w, "pool=ops:NoSchedule");
    jsonw_strn(&w, "abcdef", 3);
    jsonw_arr_end(&w);
    jsonw_key(&w, "empty");
    jsonw_arr_begin(&w);
    jsonw_arr_end(&w);
    jsonw_key(&w, "o");
    jsonw_obj_begin(&w);
    jsonw_obj_end(&w);
    jsonw_key(&w, "raw");
    jsonw_raw(&w, "{\"x\":[1]}", 9);
    jsonw_obj_end(&w);
    ck_assert_str_eq(sb.buf, "{\"name\":\"ops-1\",\"node\":null,\"n\":-9223372036854775808,"
                             "\"big\":9223372036854775807,\"ok\":true,\"no\":false,\"nil\":null,"
                             "\"taints\":[\"pool=ops:NoSchedule\",\"abc\"],\"empty\":[],\"o\":{},"
                             "\"raw\":{\"x\":[1]}}");
    ck_assert_int_eq(w.depth, 0);

    strbuf_reset(&sb);
    jsonw_init(&w, &sb, true);
    jsonw_arr_begin(&w);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "a");
    jsonw_int(&w, 1);
    jsonw_key(&w, "b");
    jsonw_arr_begin(&w);
    jsonw_str(&w, "x");
    jsonw_arr_end(&w);
    jsonw_key(&w, "c");
    jsonw_obj_begin(&w);
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);
    jsonw_int(&w, 2);
    jsonw_arr_end(&w);
    ck_assert_str_eq(sb.buf, "[\n  {\n    \"a\": 1,\n    \"b\": [\n      \"x\"\n    ],\n"
                             "    \"c\": {}\n  },\n  2\n]");
    strbuf_done(&sb);
}
END_TEST

START_TEST(test_writer_double)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.0, "0"},
        {1.5, "1.5"},
        {-0.25, "-0.25"},
        {0.1, "0.1"},
        {1e21, "1e+21"},
        {0.1 + 0.2, "0.30000000000000004"},
        {123456789.0, "123456789"},
    };
    struct strbuf sb;
    struct jsonw w;

    strbuf_init(&sb);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        strbuf_reset(&sb);
        jsonw_init(&w, &sb, false);
        jsonw_double(&w, cases[i].v);
        ck_assert_str_eq(sb.buf, cases[i].text);
    }
    strbuf_reset(&sb);
    jsonw_init(&w, &sb, false);
    jsonw_arr_begin(&w);
    jsonw_double(&w, 0.0 / 0.0);
    jsonw_double(&w, 1.0 / 0.0);
    jsonw_double(&w, -1.0 / 0.0);
    jsonw_arr_end(&w);
    ck_assert_str_eq(sb.buf, "[null,null,null]");
    strbuf_done(&sb);
}
END_TEST

START_TEST(test_escape)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"plain", 5, "\"plain\""},
        {"q\"b\\s/", 6, "\"q\\\"b\\\\s/\""},
        {"\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\""},
        {"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\""},
        {"a\0b", 3, "\"a\\u0000b\""},
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""},
        {"bad\xff", 4, "\"bad\xef\xbf\xbd\""},
        {"\xc3(", 2, "\"\xef\xbf\xbd(\""},
        {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xe2\x82", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        {"", 0, "\"\""},
    };
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        strbuf_reset(&sb);
        json_escape(&sb, cases[i].in, cases[i].len);
        ck_assert_str_eq(sb.buf, cases[i].out);
        /* What we write, we read back. */
        struct json_doc doc;
        json_doc_init(&doc);
        ck_assert_msg(json_parse(&doc, sb.buf, sb.len) == STATUS_OK, "%s", doc.err);
        json_doc_done(&doc);
    }
    /* The same inside longer strings, at every offset of a 16-byte block
     * (plain stretches are copied 16 bytes at a time). */
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        for (size_t k = 0; k < 34; k++) {
            char in[128], want[256];
            size_t olen = strlen(cases[i].out);

            memset(in, 'x', k);
            memcpy(in + k, cases[i].in, cases[i].len);
            memset(in + k + cases[i].len, 'y', 17);
            want[0] = '"';
            memset(want + 1, 'x', k);
            memcpy(want + 1 + k, cases[i].out + 1, olen - 2);
            memset(want + 1 + k + olen - 2, 'y', 17);
            memcpy(want + 1 + k + olen - 2 + 17, "\"", 2);
            strbuf_reset(&sb);
            json_escape(&sb, in, k + cases[i].len + 17);
            ck_assert_str_eq(sb.buf, want);
        }
    }
    strbuf_done(&sb);
}
END_TEST

/* Both parses of text: without and with skip_key "managedFields". They
 * agree on validity and on the error text. */
static void
parse_both(const char *text, size_t len, struct json_doc *plain, struct json_doc *skip,
           enum status *st_plain, enum status *st_skip)
{
    *st_plain = json_parse(plain, text, len);
    skip->skip_key = "managedFields";
    skip->skip_len = 13;
    *st_skip = json_parse(skip, text, len);
}

START_TEST(test_skip_key)
{
    static const char text[] =
        "{\"metadata\":{\"name\":\"a\",\"managedFields\":[{\"manager\":\"k\",\"fieldsV1\":"
        "{\"f:spec\":{\"f:x\":{}},\"n\":[1,-2.5e3,true,false,null,\"s\\u00e9\"]}}, [] ],"
        "\"uid\":\"u\"},\"spec\":{\"managedFields\":\"a string stays\",\"x\":[]}}";
    static const char bytes[] = { 'x', '}', ']', ',', '"', ':', '1', '\x01', ' ', '{', '[' };
    size_t len = strlen(text), rawlen;
    struct json_doc plain, skip;
    enum status a, b;
    uint32_t mf, meta;
    const char *raw;
    char buf[512];

    json_doc_init(&plain);
    json_doc_init(&skip);
    parse_both(text, len, &plain, &skip, &a, &b);
    ck_assert_int_eq(a, STATUS_OK);
    ck_assert_int_eq(b, STATUS_OK);
    ck_assert_uint_eq(skip.ntoks, 15); /* the skipped array one token, not 19 */
    ck_assert_uint_eq(plain.ntoks, 33);
    meta = json_get(&skip, 0, "metadata");
    mf = json_get(&skip, meta, "managedFields");
    ck_assert_int_eq(json_type(&skip, mf), JSON_ARRAY);
    ck_assert_uint_eq(skip.toks[mf].size, 0);
    raw = json_raw(&skip, mf, &rawlen);
    ck_assert_uint_eq(rawlen, strlen("[{\"manager\":\"k\",\"fieldsV1\":{\"f:spec\":{\"f:x\":{}},"
                                     "\"n\":[1,-2.5e3,true,false,null,\"s\\u00e9\"]}}, [] ]"));
    ck_assert(raw[0] == '[' && raw[rawlen - 1] == ']');
    ck_assert(json_streq(&skip, json_get(&skip, meta, "uid"), "u"));
    ck_assert(json_streq(&skip, json_dig(&skip, 0, "spec", "managedFields", NULL),
                         "a string stays"));
    ck_assert_int_eq(json_type(&skip, json_dig(&skip, 0, "spec", "x", NULL)), JSON_ARRAY);

    /* Cut anywhere, or one byte changed anywhere: the same verdict and
     * message either way. */
    for (size_t cut = 0; cut < len; cut++) {
        parse_both(text, cut, &plain, &skip, &a, &b);
        ck_assert_int_eq(a, b);
        ck_assert_str_eq(plain.err, skip.err);
    }
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof(bytes); k++) {
            memcpy(buf, text, len);
            buf[i] = bytes[k];
            parse_both(buf, len, &plain, &skip, &a, &b);
            ck_assert_int_eq(a, b);
            ck_assert_str_eq(plain.err, skip.err);
        }
    }
    /* The depth limit counts the levels inside a skipped value. */
    {
        struct strbuf deep;

        strbuf_init(&deep);
        for (int d = 509; d <= 511; d++) {
            strbuf_reset(&deep);
            strbuf_puts(&deep, "{\"managedFields\":");
            for (int i = 0; i < d; i++)
                strbuf_putc(&deep, '[');
            for (int i = 0; i < d; i++)
                strbuf_putc(&deep, ']');
            strbuf_putc(&deep, '}');
            parse_both(deep.buf, deep.len, &plain, &skip, &a, &b);
            ck_assert_int_eq(a, d <= 511 ? STATUS_OK : STATUS_JSON);
            ck_assert_int_eq(a, b);
            ck_assert_str_eq(plain.err, skip.err);
        }
        strbuf_reset(&deep);
        strbuf_puts(&deep, "{\"managedFields\":");
        for (int i = 0; i < 512; i++)
            strbuf_putc(&deep, '[');
        parse_both(deep.buf, deep.len, &plain, &skip, &a, &b);
        ck_assert_int_eq(a, STATUS_JSON);
        ck_assert_int_eq(b, STATUS_JSON);
        ck_assert_str_eq(plain.err, skip.err);
        strbuf_done(&deep);
    }
    json_doc_done(&plain);
    json_doc_done(&skip);
}
END_TEST

/* Writer output parses back to the values written. */
START_TEST(test_writer_round_trip)
{
    struct strbuf sb;
    struct jsonw w;
    struct json_doc doc;
    char all[256];
    int64_t v;
    size_t len;
    char *s;

    for (int i = 0; i < 255; i++)
        all[i] = (char)(i + 1);
    all[255] = '\0';
    strbuf_init(&sb);
    json_doc_init(&doc);
    for (int pretty = 0; pretty < 2; pretty++) {
        strbuf_reset(&sb);
        jsonw_init(&w, &sb, pretty);
        jsonw_obj_begin(&w);
        jsonw_key(&w, "ctl\n\"key\"");
        jsonw_strn(&w, all, 127);
        jsonw_key(&w, "min");
        jsonw_int(&w, INT64_MIN);
        jsonw_key(&w, "max");
        jsonw_int(&w, INT64_MAX);
        jsonw_key(&w, "nul");
        jsonw_strn(&w, "a\0b", 3);
        jsonw_obj_end(&w);
        ck_assert_msg(json_parse(&doc, sb.buf, sb.len) == STATUS_OK, "%s", doc.err);
        s = json_strdup_len(&doc, json_get(&doc, 0, "ctl\n\"key\""), &len);
        ck_assert_uint_eq(len, 127);
        ck_assert_int_eq(memcmp(s, all, 127), 0);
        free(s);
        ck_assert(json_int64(&doc, json_get(&doc, 0, "min"), &v) && v == INT64_MIN);
        ck_assert(json_int64(&doc, json_get(&doc, 0, "max"), &v) && v == INT64_MAX);
        s = json_strdup_len(&doc, json_get(&doc, 0, "nul"), &len);
        ck_assert_uint_eq(len, 3);
        ck_assert_int_eq(memcmp(s, "a\0b", 3), 0);
        free(s);
    }
    json_doc_done(&doc);
    strbuf_done(&sb);
}
END_TEST

/* Pretty printing a real document keeps every value. */
START_TEST(test_pretty_round_trip)
{
    static const char *const files[] = {
        "kubernetes/kubectl-status/json/_composite_PodList_main.json",
        "kubernetes/cloudability/pods.json",
        "kubernetes/honeycomb/nodes.json",
        "kubernetes/k9s/render_testdata/po_init.json",
    };
    struct json_doc doc;
    struct strbuf sb;

    json_doc_init(&doc);
    strbuf_init(&sb);
    for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
        size_t len;
        char *text = fixture_read(files[f], &len);
        char *want = canon_text(text, len);
        ck_assert_int_eq(json_parse(&doc, text, len), STATUS_OK);
        strbuf_reset(&sb);
        json_write_pretty(&doc, 0, &sb);
        char *got = canon_text(sb.buf, sb.len);
        ck_assert_str_eq(got, want);
        /* And the canonical form is a fixed point. */
        char *again = canon_text(got, strlen(got));
        ck_assert_str_eq(again, got);
        free(again);
        free(got);
        free(want);
        free(text);
    }
    strbuf_done(&sb);
    json_doc_done(&doc);
}
END_TEST

START_TEST(test_pretty_exact)
{
    static const char text[] = "{\"a\":[1,{\"b\":null},[],{}],\"s\\/\":\"x\\u0041\"}";
    struct json_doc doc;
    struct strbuf sb;

    json_doc_init(&doc);
    strbuf_init(&sb);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    json_write_pretty(&doc, 0, &sb);
    ck_assert_str_eq(sb.buf, "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    },\n    [],\n"
                             "    {}\n  ],\n  \"s/\": \"xA\"\n}\n");
    strbuf_reset(&sb);
    json_write_pretty(&doc, json_get(&doc, 0, "s/"), &sb);
    ck_assert_str_eq(sb.buf, "\"xA\"\n");
    json_doc_done(&doc);
    strbuf_done(&sb);
}
END_TEST

START_TEST(test_yaml_exact)
{
    static const char text[] =
        "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\","
        "\"tier\":\"\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\""
        ":80}],\"args\":[\"-v\",\"true\",[1,2]]}],\"empty\":[],\"none\":{},\"n\":null,\"b\":false,"
        "\"f\":1.5}}";
    struct json_doc doc;
    struct strbuf sb;

    json_doc_init(&doc);
    strbuf_init(&sb);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    json_write_yaml(&doc, 0, &sb);
    ck_assert_str_eq(sb.buf, "apiVersion: v1\n"
                             "metadata:\n"
                             "  name: web\n"
                             "  labels:\n"
                             "    app: web\n"
                             "    tier: \"\"\n"
                             "spec:\n"
                             "  containers:\n"
                             "  - name: c\n"
                             "    ports:\n"
                             "    - containerPort: 80\n"
                             "    args:\n"
                             "    - \"-v\"\n"
                             "    - \"true\"\n"
                             "    - - 1\n"
                             "      - 2\n"
                             "  empty: []\n"
                             "  none: {}\n"
                             "  \"n\": null\n"
                             "  b: false\n"
                             "  f: 1.5\n");
    strbuf_reset(&sb);
    json_write_yaml(&doc, json_dig(&doc, 0, "metadata", "name", NULL), &sb);
    ck_assert_str_eq(sb.buf, "web\n");
    json_doc_done(&doc);
    strbuf_done(&sb);
}
END_TEST

static const struct {
    const char *s;
    bool quoted;
} yaml_strings[] = {
    {"", true},
    {"true", true},
    {"False", true},
    {"YES", true},
    {"no", true},
    {"on", true},
    {"Off", true},
    {"y", true},
    {"N", true},
    {"null", true},
    {"Null", true},
    {"~", true},
    {"1", true},
    {"-1", true},
    {"+1", true},
    {"1.0", true},
    {"1e3", true},
    {".5", true},
    {"0x1F", true},
    {"0o17", true},
    {"017", true},
    {"1_000", true},
    {"1:30", true},
    {".inf", true},
    {"-.Inf", true},
    {".NaN", true},
    {"10.0.1.10", true},
    {"2024-01-01", true},
    {"2024-01-01T00:00:00Z", true},
    {" lead", true},
    {"trail ", true},
    {"a: b", true},
    {"key:", true},
    {"a #c", true},
    {"#c", true},
    {"- item", true},
    {"-", true},
    {"?", true},
    {":x", true},
    {"[a]", true},
    {"{a}", true},
    {"*ref", true},
    {"&anchor", true},
    {"!tag", true},
    {"|", true},
    {">", true},
    {"'q'", true},
    {"\"q\"", true},
    {"%x", true},
    {"@x", true},
    {"`x", true},
    {",x", true},
    {"two\nlines", true},
    {"tab\there", true},
    {"<<", true},
    {"\xe2\x80\xa8", true},
    {"\xc2\x85", true},
    {"\xef\xbb\xbfx", true},
    {"web", false},
    {"v1.28.5+k3s1", false},
    {"3500m", false},
    {"8163684Ki", false},
    {"a:b", false},
    {"a#b", false},
    {"hello world", false},
    {"caf\xc3\xa9", false},
    {"node-role.kubernetes.io/master", false},
    {"Running", false},
    {"yesterday", false},
    {"nullable", false},
    {"x-1", false},
};

START_TEST(test_yaml_quoting)
{
    const char *s = yaml_strings[_i].s;
    struct json_doc doc;
    struct strbuf in, out;
    struct jsonw w;
    yaml_parser_t parser;
    yaml_event_t ev;
    int scalars = 0;
    bool done = false;

    json_doc_init(&doc);
    strbuf_init(&in);
    strbuf_init(&out);
    jsonw_init(&w, &in, false);
    jsonw_obj_begin(&w);
    jsonw_key(&w, s);
    jsonw_str(&w, s);
    jsonw_obj_end(&w);
    ck_assert_int_eq(json_parse(&doc, in.buf, in.len), STATUS_OK);
    json_write_yaml(&doc, 0, &out);
    ck_assert_msg((out.buf[0] == '"') == yaml_strings[_i].quoted, "%s -> %s", s, out.buf);

    /* libyaml reads back the same key and value text, in the style chosen. */
    ck_assert(yaml_parser_initialize(&parser));
    yaml_parser_set_input_string(&parser, (const unsigned char *)out.buf, out.len);
    while (!done) {
        ck_assert_msg(yaml_parser_parse(&parser, &ev), "libyaml rejects: %s", out.buf);
        if (ev.type == YAML_SCALAR_EVENT) {
            ck_assert_uint_eq(ev.data.scalar.length, strlen(s));
            ck_assert_int_eq(memcmp(ev.data.scalar.value, s, strlen(s)), 0);
            ck_assert_int_eq(ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE,
                             !yaml_strings[_i].quoted);
            scalars++;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    ck_assert_int_eq(scalars, 2);
    json_doc_done(&doc);
    strbuf_done(&in);
    strbuf_done(&out);
}
END_TEST

/* A real object printed as YAML reads back through libyaml with the same
 * number of scalars as the JSON has keys and leaf values. */
START_TEST(test_yaml_fixture)
{
    struct json_doc doc;
    struct strbuf out;
    yaml_parser_t parser;
    yaml_event_t ev;
    size_t len, leaves = 0, scalars = 0;
    char *text = fixture_read("kubernetes/kubectl-status/json/pod-liveness-kill-137.json", &len);
    bool done = false;

    json_doc_init(&doc);
    strbuf_init(&out);
    ck_assert_int_eq(json_parse(&doc, text, len), STATUS_OK);
    for (size_t i = 0; i < doc.ntoks; i++) {
        int type = doc.toks[i].type;
        if (type != JSON_OBJECT && type != JSON_ARRAY)
            leaves++;
        else if (doc.toks[i].size == 0)
            leaves++;
    }
    json_write_yaml(&doc, 0, &out);
    ck_assert(yaml_parser_initialize(&parser));
    yaml_parser_set_input_string(&parser, (const unsigned char *)out.buf, out.len);
    while (!done) {
        ck_assert_msg(yaml_parser_parse(&parser, &ev), "libyaml: %s at line %zu", parser.problem,
                      parser.problem_mark.line);
        if (ev.type == YAML_SCALAR_EVENT)
            scalars++;
        /* Empty containers come back as flow collections, count them once. */
        if ((ev.type == YAML_SEQUENCE_START_EVENT &&
             ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE) ||
            (ev.type == YAML_MAPPING_START_EVENT &&
             ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE))
            scalars++;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    ck_assert_uint_eq(scalars, leaves);
    ck_assert_ptr_nonnull(strstr(out.buf, "\n  name: pod-liveness-kill-137\n"));
    ck_assert_ptr_nonnull(strstr(out.buf, "  creationTimestamp: \""));
    strbuf_done(&out);
    json_doc_done(&doc);
    free(text);
}
END_TEST

static Suite *
json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_valid_docs, 0, (int)ARRAY_SIZE(valid_docs));
    tcase_add_loop_test(tc, test_invalid_docs, 0, (int)ARRAY_SIZE(invalid_docs));
    tcase_add_test(tc, test_error_texts);
    tcase_add_loop_test(tc, test_bad_utf8, 0, (int)ARRAY_SIZE(bad_utf8));
    tcase_add_test(tc, test_good_utf8);
    tcase_add_test(tc, test_long_strings);
    tcase_add_test(tc, test_tokens);
    tcase_add_test(tc, test_doc_reuse);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_fixture_lists);
    tcase_add_loop_test(tc, test_escapes, 0, (int)ARRAY_SIZE(escapes));
    tcase_add_test(tc, test_string_access);
    tcase_add_test(tc, test_int64);
    tcase_add_test(tc, test_int64_lenient);
    tcase_add_test(tc, test_double);
    tcase_add_test(tc, test_scalars);
    tcase_add_test(tc, test_writer);
    tcase_add_test(tc, test_writer_double);
    tcase_add_test(tc, test_escape);
    tcase_add_test(tc, test_skip_key);
    tcase_add_test(tc, test_writer_round_trip);
    tcase_add_test(tc, test_pretty_round_trip);
    tcase_add_test(tc, test_pretty_exact);
    tcase_add_test(tc, test_yaml_exact);
    tcase_add_loop_test(tc, test_yaml_quoting, 0, (int)ARRAY_SIZE(yaml_strings));
    tcase_add_test(tc, test_yaml_fixture);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(json_suite());
}
