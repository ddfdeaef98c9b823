/* SPDX-License-Identifier: MIT */
/* test-tui-theme.c - theme elements, the built-in themes, theme files and their warnings */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/strbuf.h"
#include "opsdeck/theme.h"
#include "testlib.h"

static void
collect(void *arg, const char *msg)
{
    strbuf_puts(arg, msg);
    strbuf_putc(arg, '\n');
}

START_TEST(test_element_names)
{
    enum theme_element e;

    for (int i = 0; i < ELEM_COUNT; i++) {
        ck_assert(theme_element_parse(theme_element_name((enum theme_element)i), &e));
        ck_assert_int_eq(e, i);
    }
    ck_assert_str_eq(theme_element_name(ELEM_CURSOR), "cursor");
    ck_assert(!theme_element_parse("cursr", &e));
    ck_assert_ptr_null(theme_element_name(ELEM_COUNT));
}
END_TEST

START_TEST(test_builtin_themes)
{
    struct theme def, mono;

    theme_init_default(&def);
    theme_init_mono(&mono);
    ck_assert(!def.mono);
    ck_assert(mono.mono);
    ck_assert_int_eq(def.style[ELEM_ERROR].fg, 1);
    /* mono: no colour anywhere, and the meanings that matter stay distinct */
    for (int i = 0; i < ELEM_COUNT; i++) {
        ck_assert_int_eq(mono.style[i].fg, THEME_COLOR_DEFAULT);
        ck_assert_int_eq(mono.style[i].bg, THEME_COLOR_DEFAULT);
    }
    ck_assert_uint_ne(mono.style[ELEM_CURSOR].attrs, mono.style[ELEM_DEFAULT].attrs);
    ck_assert_uint_ne(mono.style[ELEM_ERROR].attrs, mono.style[ELEM_OK].attrs);
    ck_assert_uint_ne(mono.style[ELEM_ERROR].attrs, mono.style[ELEM_WARNING].attrs);
    ck_assert_uint_ne(mono.style[ELEM_HEADER_PROD].attrs, mono.style[ELEM_HEADER_CONTEXT].attrs);
}
END_TEST

START_TEST(test_theme_lines)
{
    struct theme t;
    struct strbuf warn;
    unsigned bad;

    theme_init_default(&t);
    strbuf_init(&warn);
    bad = theme_load(&t,
                     "# comment\n"
                     "\n"
                     "color error bright-red default bold underline\n"
                     "color cursor color236 blue reverse # trailing\n"
                     "color ok 28 default\n"
                     "color nope red default\n"
                     "color warning pink default\n"
                     "color dim default default sparkly\n"
                     "color title red\n"
                     "colour title red default\n"
                     "color ok 256 default\n",
                     "my.theme", collect, &warn);
    ck_assert_uint_eq(bad, 6);
    ck_assert_str_eq(strbuf_str(&warn),
                     "my.theme:6: unknown element 'nope'\n"
                     "my.theme:7: unknown colour 'pink'\n"
                     "my.theme:8: unknown attribute 'sparkly'\n"
                     "my.theme:9: expected: color <element> <fg> <bg> [attr...]\n"
                     "my.theme:10: unknown directive 'colour' (expected: color <element> <fg> "
                     "<bg> [attr...])\n"
                     "my.theme:11: unknown colour '256'\n");
    ck_assert_int_eq(t.style[ELEM_ERROR].fg, 9);
    ck_assert_int_eq(t.style[ELEM_ERROR].bg, THEME_COLOR_DEFAULT);
    ck_assert_uint_eq(t.style[ELEM_ERROR].attrs, THEME_BOLD | THEME_UNDERLINE);
    ck_assert_int_eq(t.style[ELEM_CURSOR].fg, 236);
    ck_assert_int_eq(t.style[ELEM_CURSOR].bg, 4);
    ck_assert_uint_eq(t.style[ELEM_CURSOR].attrs, THEME_REVERSE);
    ck_assert_int_eq(t.style[ELEM_OK].fg, 28);
    /* skipped lines left their elements alone */
    ck_assert_uint_eq(t.style[ELEM_DIM].attrs, THEME_DIM);
    strbuf_done(&warn);
}
END_TEST

START_TEST(test_mono_keeps_attributes_only)
{
    struct theme t;

    theme_init_mono(&t);
    ck_assert_uint_eq(theme_load(&t, "color ok green default bold\n", "x", NULL, NULL), 0);
    ck_assert_int_eq(t.style[ELEM_OK].fg, THEME_COLOR_DEFAULT);
    ck_assert_uint_eq(t.style[ELEM_OK].attrs, THEME_BOLD);
}
END_TEST

/* The shipped files load without a warning; mono.theme over the default
 * theme gives exactly the built-in mono styles. */
START_TEST(test_shipped_theme_files)
{
    struct theme from_file, builtin;
    struct strbuf warn;
    unsigned bad = 99;

    strbuf_init(&warn);
    theme_init_default(&from_file);
    ck_assert_int_eq(theme_load_file(&from_file, THEMES_DIR "/mono.theme", collect, &warn, &bad),
                     STATUS_OK);
    ck_assert_str_eq(strbuf_str(&warn), "");
    ck_assert_uint_eq(bad, 0);
    theme_init_mono(&builtin);
    for (int i = 0; i < ELEM_COUNT; i++) {
        ck_assert_msg(from_file.style[i].fg == builtin.style[i].fg &&
                          from_file.style[i].bg == builtin.style[i].bg &&
                          from_file.style[i].attrs == builtin.style[i].attrs,
                      "mono.theme differs from the built-in mono theme at %s",
                      theme_element_name((enum theme_element)i));
    }
    theme_init_default(&from_file);
    ck_assert_int_eq(
        theme_load_file(&from_file, THEMES_DIR "/solarized.theme", collect, &warn, &bad),
        STATUS_OK);
    ck_assert_uint_eq(bad, 0);
    ck_assert_str_eq(strbuf_str(&warn), "");
    ck_assert_int_eq(from_file.style[ELEM_ERROR].fg, 160);
    ck_assert_int_eq(theme_load_file(&from_file, THEMES_DIR "/missing.theme", NULL, NULL, &bad),
                     STATUS_IO);
    strbuf_done(&warn);
}
END_TEST

static Suite *
theme_suite(void)
{
    Suite *s = suite_create("theme");
    TCase *tc = tcase_create("theme");

    tcase_add_test(tc, test_element_names);
    tcase_add_test(tc, test_builtin_themes);
    tcase_add_test(tc, test_theme_lines);
    tcase_add_test(tc, test_mono_keeps_attributes_only);
    tcase_add_test(tc, test_shipped_theme_files);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(theme_suite());
}
