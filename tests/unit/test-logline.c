/* SPDX-License-Identifier: MIT */
/* test-logline.c - JSON and logfmt log lines: fields, level, message, readable form, hostile input */
#include "config.h"

#include "opsdeck/logline.h"

#include <stdint.h>

#include "opsdeck/strbuf.h"
#include "testlib.h"

static void
parse(struct logline *ll, const char *line)
{
    logline_init(ll);
    logline_parse(ll, line, strlen(line));
}

static const char *
field(const struct logline *ll, const char *key)
{
    for (size_t i = 0; i < ll->nfields; i++) {
        if (strcmp(ll->fields[i].key, key) == 0)
            return ll->fields[i].value;
    }
    return NULL;
}

static char *
readable(const char *line, size_t max)
{
    struct logline ll;
    struct strbuf sb;

    strbuf_init(&sb);
    parse(&ll, line);
    logline_format_readable(&ll, line, strlen(line), max, &sb);
    logline_done(&ll);
    return strbuf_detach(&sb);
}

START_TEST(json_fields)
{
    struct logline ll;

    parse(&ll, "{\"ts\":\"2026-11-24T03:11:58Z\",\"level\":\"error\",\"msg\":\"db \\\"down\\\"\","
               "\"attempt\":3,\"ok\":false,\"ctx\":{\"a\":[1,2]}}");
    ck_assert_int_eq(ll.format, LOGLINE_JSON);
    ck_assert_int_eq(ll.level, LOGLINE_LEVEL_ERROR);
    ck_assert_uint_eq(ll.nfields, 6);
    ck_assert_int_eq(ll.ts_field, 0);
    ck_assert_int_eq(ll.level_field, 1);
    ck_assert_int_eq(ll.msg_field, 2);
    ck_assert_str_eq(ll.fields[2].value, "db \"down\"");
    ck_assert_str_eq(field(&ll, "attempt"), "3");
    ck_assert_str_eq(field(&ll, "ok"), "false");
    ck_assert_str_eq(field(&ll, "ctx"), "{\"a\":[1,2]}");
    logline_done(&ll);
}
END_TEST

START_TEST(json_level_names)
{
    static const struct {
        const char *line;
        enum logline_level level;
    } cases[] = {
        {"{\"severity\":\"WARNING\",\"message\":\"x\"}", LOGLINE_LEVEL_WARN},
        {"{\"lvl\":\"dbg\"}", LOGLINE_LEVEL_DEBUG},
        {"{\"level\":\"CRITICAL\"}", LOGLINE_LEVEL_FATAL},
        {"{\"level\":\"panic\"}", LOGLINE_LEVEL_FATAL},
        {"{\"level\":\"verbose-ish\"}", LOGLINE_LEVEL_NONE},
        {"{\"level\":30}", LOGLINE_LEVEL_INFO},
        {"{\"level\":60}", LOGLINE_LEVEL_FATAL},
        {"{\"level\":35}", LOGLINE_LEVEL_NONE},
        {"{\"level\":70}", LOGLINE_LEVEL_NONE},
    };
    struct logline ll;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parse(&ll, cases[i].line);
        ck_assert_int_eq(ll.format, LOGLINE_JSON);
        ck_assert_msg(ll.level == cases[i].level, "%s", cases[i].line);
        logline_done(&ll);
    }
}
END_TEST

START_TEST(logfmt_fields)
{
    struct logline ll;

    parse(&ll, "ts=2026-11-24T03:11:58Z level=warn msg=\"disk \\\"/\\\" at 91%\" "
               "build_id=b-42 sha=3f2a9c1 empty= path=/search?q=tabby");
    ck_assert_int_eq(ll.format, LOGLINE_LOGFMT);
    ck_assert_int_eq(ll.level, LOGLINE_LEVEL_WARN);
    ck_assert_uint_eq(ll.nfields, 7);
    ck_assert_str_eq(ll.fields[ll.msg_field].value, "disk \"/\" at 91%");
    ck_assert_str_eq(field(&ll, "build_id"), "b-42");
    ck_assert_str_eq(field(&ll, "empty"), "");
    ck_assert_str_eq(field(&ll, "path"), "/search?q=tabby");
    logline_done(&ll);
}
END_TEST

START_TEST(logfmt_escapes)
{
    struct logline ll;

    parse(&ll, "level=info msg=\"a\\nb\\tc\\\\d\\qe\"");
    ck_assert_int_eq(ll.format, LOGLINE_LOGFMT);
    ck_assert_str_eq(ll.fields[ll.msg_field].value, "a\nb\tc\\d\\qe");
    logline_done(&ll);
}
END_TEST

START_TEST(plain_lines_stay_plain)
{
    static const char *const lines[] = {
        "starting server on :8080",
        "GET /index.html 200 12ms",
        "a=b",                       /* one pair, neither level nor message */
        "the value x=1 was too large and y=2",  /* prose with pairs */
        "level=info msg=\"unterminated",
        "key=\"quoted\"trailing level=info",
        "=novalue level=info",
        "{\"level\":\"info\"",       /* truncated JSON */
        "{\"level\":\"info\"} trailing",
        "[1,2,3]",
        "",
        "   ",
    };
    struct logline ll;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        parse(&ll, lines[i]);
        ck_assert_msg(ll.format == LOGLINE_PLAIN, "not plain: %s", lines[i]);
        ck_assert_uint_eq(ll.nfields, 0);
        ck_assert_int_eq(ll.level, LOGLINE_LEVEL_NONE);
        logline_done(&ll);
    }
}
END_TEST

START_TEST(hostile_input_is_inert)
{
    struct logline ll;
    static const char nul_json[] = "{\"msg\":\"a\\u0000b\",\"level\":\"info\"}";
    static const char raw_nul[] = "level=info msg=a\0b";
    static const char bad_utf8[] = "{\"msg\":\"\xff\xfe\"}";
    static const char esc[] = "level=error msg=\"\x1b]52;c;aGk=\x07\x1b[2J\"";
    enum logline_format fmt;
    enum logline_level lv;

    /* an escaped NUL is kept, with its length */
    parse(&ll, nul_json);
    ck_assert_int_eq(ll.format, LOGLINE_JSON);
    ck_assert_uint_eq(ll.fields[ll.msg_field].value_len, 3);
    ck_assert_mem_eq(ll.fields[ll.msg_field].value, "a\0b", 3);
    logline_done(&ll);
    /* a raw NUL never reads past the given length */
    logline_init(&ll);
    logline_parse(&ll, raw_nul, sizeof(raw_nul) - 1);
    ck_assert_int_eq(ll.format, LOGLINE_LOGFMT);
    ck_assert_uint_eq(ll.fields[ll.msg_field].value_len, 3);
    logline_done(&ll);
    /* invalid UTF-8 is not JSON: plain */
    parse(&ll, bad_utf8);
    ck_assert_int_eq(ll.format, LOGLINE_PLAIN);
    logline_done(&ll);
    /* escape sequences are carried as bytes (the screen's sanitiser shows them) */
    parse(&ll, esc);
    ck_assert_int_eq(ll.format, LOGLINE_LOGFMT);
    ck_assert_ptr_nonnull(strchr(ll.fields[ll.msg_field].value, '\x1b'));
    logline_done(&ll);
    /* deep nesting and huge lines: plain, promptly */
    {
        size_t n = 100000;
        char *deep = malloc(n + 1);

        memset(deep, '[', n);
        deep[0] = '{';
        deep[n] = '\0';
        parse(&ll, deep);
        ck_assert_int_eq(ll.format, LOGLINE_PLAIN);
        logline_done(&ll);
        free(deep);
    }
    {
        size_t n = 1 << 20;
        char *big = malloc(n + 1);

        memset(big, 'x', n);
        memcpy(big, "level=info msg=", 15);
        big[n] = '\0';
        logline_sniff(big, n, &fmt, &lv);
        ck_assert_int_eq(fmt, LOGLINE_PLAIN);
        free(big);
    }
    /* every prefix of a structured line parses without reading beyond it */
    for (size_t k = 0; k <= sizeof(esc) - 1; k++) {
        char *cut = malloc(k ? k : 1);

        memcpy(cut, esc, k);
        logline_init(&ll);
        logline_parse(&ll, cut, k);
        logline_done(&ll);
        free(cut);
    }
}
END_TEST

START_TEST(many_fields_capped)
{
    struct strbuf sb;
    struct logline ll;

    strbuf_init(&sb);
    strbuf_puts(&sb, "level=info");
    for (int i = 0; i < 1000; i++)
        strbuf_printf(&sb, " k%d=v%d", i, i);
    parse(&ll, strbuf_str(&sb));
    ck_assert_int_eq(ll.format, LOGLINE_LOGFMT);
    ck_assert_uint_le(ll.nfields, 256);
    logline_done(&ll);
    strbuf_done(&sb);
}
END_TEST

START_TEST(readable_form)
{
    char *s;

    s = readable("{\"ts\":\"t0\",\"level\":\"error\",\"msg\":\"db down\",\"attempt\":3,"
                 "\"host\":\"db 1\"}",
                 0);
    ck_assert_str_eq(s, "db down  attempt=3  host=\"db 1\"");
    free(s);
    s = readable("level=info build_id=b-1 msg=\"step done\" step=push", 0);
    ck_assert_str_eq(s, "step done  build_id=b-1  step=push");
    free(s);
    s = readable("just text", 0);
    ck_assert_str_eq(s, "just text");
    free(s);
    /* bounded, cut on a character boundary (é is two bytes) */
    s = readable("level=info msg=\"caf\xc3\xa9\xc3\xa9\"", 5);
    ck_assert_str_eq(s, "caf\xc3\xa9");
    free(s);
    s = readable("level=info msg=\"caf\xc3\xa9\xc3\xa9\"", 4);
    ck_assert_str_eq(s, "caf");
    free(s);
}
END_TEST

START_TEST(level_parse_and_names)
{
    ck_assert_int_eq(logline_level_parse("Warning", 7), LOGLINE_LEVEL_WARN);
    ck_assert_int_eq(logline_level_parse("E", 1), LOGLINE_LEVEL_ERROR);
    ck_assert_int_eq(logline_level_parse("errors", 6), LOGLINE_LEVEL_NONE);
    ck_assert_int_eq(logline_level_parse("", 0), LOGLINE_LEVEL_NONE);
    ck_assert_str_eq(logline_level_name(LOGLINE_LEVEL_ERROR), "ERROR");
    ck_assert_str_eq(logline_level_name(LOGLINE_LEVEL_NONE), "");
    ck_assert_str_eq(logline_level_name((enum logline_level)99), "");
}
END_TEST

static Suite *
logline_suite(void)
{
    Suite *s = suite_create("logline");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, json_fields);
    tcase_add_test(tc, json_level_names);
    tcase_add_test(tc, logfmt_fields);
    tcase_add_test(tc, logfmt_escapes);
    tcase_add_test(tc, plain_lines_stay_plain);
    tcase_add_test(tc, hostile_input_is_inert);
    tcase_add_test(tc, many_fields_capped);
    tcase_add_test(tc, readable_form);
    tcase_add_test(tc, level_parse_and_names);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(logline_suite());
}
