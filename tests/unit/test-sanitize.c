/* SPDX-License-Identifier: MIT */
/* test-sanitize.c - the display sanitiser: each class of hostile string, widths, fitting */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/strbuf.h"
#include "testlib.h"

#define FFFD "\xef\xbf\xbd"
#define ELL  "\xe2\x80\xa6"

/* Sanitises s (len bytes) in UTF-8 mode and checks the result and width. */
static void
check_n(const char *s, size_t len, const char *want, size_t want_width, unsigned flags)
{
    struct strbuf sb;
    size_t w;

    strbuf_init(&sb);
    w = sanitize_append(&sb, s, len, flags);
    ck_assert_str_eq(strbuf_str(&sb), want);
    ck_assert_uint_eq(w, want_width);
    ck_assert_uint_eq(sanitize_width(s, len, flags), want_width);
    strbuf_done(&sb);
}

static void
check(const char *s, const char *want, size_t want_width)
{
    check_n(s, strlen(s), want, want_width, 0);
}

/* The bytes every sanitised output must be free of. */
static bool
has_control_bytes(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return true;
    return false;
}

static void
setup(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
}

START_TEST(test_plain_text_unchanged)
{
    check("", "", 0);
    check("run-2", "run-2", 5);
    check("dp-max-catapp/api-7d9c8-x2bq", "dp-max-catapp/api-7d9c8-x2bq", 28);
    check("café", "café", 4);
    ck_assert(sanitize_locale_is_utf8());
}
END_TEST

START_TEST(test_escape_sequences_shown_not_executed)
{
    /* CSI colour, cursor movement, screen clear */
    check("\x1b[31mred\x1b[0m", "^[[31mred^[[0m", 14);
    check("a\x1b[2J\x1b[Hb", "a^[[2J^[[Hb", 11);
    /* OSC 52 clipboard write (BEL and ST terminated) */
    check("\x1b]52;c;cm0gLXJmIC8=\x07", "^[]52;c;cm0gLXJmIC8=^G", 22);
    check("\x1b]0;title\x1b\\", "^[]0;title^[\\", 13);
    /* OSC 8 hyperlink */
    check("\x1b]8;;http://x\x1b\\y", "^[]8;;http://x^[\\y", 18);
    /* DCS and APC */
    check("\x1bPq#0\x1b\\", "^[Pq#0^[\\", 9);
    check("\x1b_apc\x1b\\", "^[_apc^[\\", 9);
}
END_TEST

START_TEST(test_c0_controls_and_del)
{
    check("a\rb", "a^Mb", 4);
    check("a\nb", "a^Jb", 4);
    check("bell\a", "bell^G", 6);
    check("back\bspace", "back^Hspace", 11);
    check("del\x7f", "del^?", 5);
    check_n("nu\0l", 4, "nu^@l", 5, 0);
    check("\x1f\x01", "^_^A", 4);
}
END_TEST

START_TEST(test_c1_controls)
{
    /* U+009B (CSI) and U+0085 (NEL) encoded in UTF-8 */
    check("a\xc2\x9b"
          "31mb",
          "a" FFFD "31mb", 6);
    check("\xc2\x85x", FFFD "x", 2);
    /* a raw 0x9B byte is invalid UTF-8: marker too */
    check("a\x9b"
          "2Jb",
          "a" FFFD "2Jb", 5);
}
END_TEST

START_TEST(test_invalid_utf8)
{
    check("\xff", FFFD, 1);
    check("\xc0\xaf", FFFD FFFD, 2);                   /* overlong '/' */
    check("\xe0\x80\xaf", FFFD FFFD FFFD, 3);          /* overlong, 3 bytes */
    check("\xed\xa0\x80", FFFD FFFD FFFD, 3);          /* surrogate D800 */
    check("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4); /* > U+10FFFF */
    check("\xe6\x97", FFFD, 1);                        /* truncated: one maximal subpart */
    check("\xe6\x97x", FFFD "x", 2);
    check("\xf0\x9f\x98", FFFD, 1);
    check("a\x80\x80z", "a" FFFD FFFD "z", 4); /* stray continuation bytes */
}
END_TEST

START_TEST(test_bidi_controls)
{
    static const char *const bidi[] = {
        "\xd8\x9c",     /* U+061C */
        "\xe2\x80\x8e", /* U+200E */
        "\xe2\x80\x8f", /* U+200F */
        "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad",
        "\xe2\x80\xae",                                                 /* U+202A..U+202E */
        "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", /* U+2066..9 */
    };
    char buf[64];

    for (size_t i = 0; i < ARRAY_SIZE(bidi); i++) {
        snprintf(buf, sizeof(buf), "abc%sdef", bidi[i]);
        check(buf, "abc" FFFD "def", 7);
    }
    /* the "Trojan Source" shape: RLO reverses what follows */
    check("admin\xe2\x80\xae"
          "txt.exe",
          "admin" FFFD "txt.exe", 13);
}
END_TEST

START_TEST(test_zero_width_and_invisible)
{
    static const char *const zw[] = {
        "\xe2\x80\x8b",     /* U+200B ZWSP */
        "\xe2\x80\x8c",     /* U+200C ZWNJ */
        "\xe2\x80\x8d",     /* U+200D ZWJ */
        "\xe2\x81\xa0",     /* U+2060 WJ */
        "\xef\xbb\xbf",     /* U+FEFF BOM */
        "\xc2\xad",         /* U+00AD soft hyphen */
        "\xe1\xa0\x8e",     /* U+180E */
        "\xe3\x85\xa4",     /* U+3164 hangul filler */
        "\xe2\x80\xa8",     /* U+2028 */
        "\xf3\xa0\x80\x81", /* U+E0001 language tag */
        "\xf3\xa0\x81\xa1", /* U+E0061 tag 'a' ("ASCII smuggling") */
        "\xef\xbf\xbe",     /* U+FFFE noncharacter */
    };
    char buf[64];

    for (size_t i = 0; i < ARRAY_SIZE(zw); i++) {
        snprintf(buf, sizeof(buf), "ad%smin", zw[i]);
        check(buf, "ad" FFFD "min", 6);
    }
}
END_TEST

START_TEST(test_variation_selectors_dropped)
{
    /* U+2764 U+FE0F: the selector goes, the heart stays at its wcwidth */
    check("\xe2\x9d\xa4\xef\xb8\x8f!", "\xe2\x9d\xa4!", 2);
}
END_TEST

START_TEST(test_tabs)
{
    check("a\tb", "a b", 3);
    check_n("a\tb", 3, "a       b", 9, SANITIZE_TABS);
    check_n("abcdefgh\tx", 10, "abcdefgh        x", 17, SANITIZE_TABS);
    check_n("日\tx", strlen("日\tx"), "日      x", 9, SANITIZE_TABS);
}
END_TEST

START_TEST(test_wide_characters)
{
    check("日本語", "日本語", 6);
    check("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 2); /* U+1F600 */
    check("a日b", "a日b", 4);
    check("ｱｲ", "ｱｲ", 2); /* halfwidth katakana */
}
END_TEST

START_TEST(test_combining_marks)
{
    /* e + acute: one column */
    check("e\xcc\x81", "e\xcc\x81", 1);
    /* bounded: at most SANITIZE_MAX_COMBINING marks per base */
    check("e\xcc\x81\xcc\x82\xcc\x83\xcc\x84x", "e\xcc\x81\xcc\x82x", 2);
    /* no base at the start: the marker, never merged into a neighbour */
    check("\xcc\x81"
          "a",
          FFFD "a", 2);
    /* the bound resets at each base */
    check("a\xcc\x81\xcc\x82"
          "b\xcc\x81\xcc\x82",
          "a\xcc\x81\xcc\x82"
          "b\xcc\x81\xcc\x82",
          2);
}
END_TEST

START_TEST(test_ascii_mode)
{
    check_n("café", strlen("café"), "caf?", 4, SANITIZE_ASCII);
    check_n("日本", strlen("日本"), "??", 2, SANITIZE_ASCII);
    check_n("\x1b[1m", 4, "^[[1m", 5, SANITIZE_ASCII);
    check_n("a\xe2\x80\xae"
            "b",
            5, "a?b", 3, SANITIZE_ASCII);
    check_n("\xff", 1, "?", 1, SANITIZE_ASCII);
}
END_TEST

static void
check_fit(const char *s, size_t cols, const char *want, size_t want_width, unsigned flags)
{
    struct strbuf sb;
    size_t w;

    strbuf_init(&sb);
    strbuf_puts(&sb, "<");
    w = sanitize_fit(&sb, s, strlen(s), cols, flags);
    ck_assert_str_eq(strbuf_str(&sb) + 1, want);
    ck_assert_uint_eq(w, want_width);
    ck_assert_uint_le(w, cols);
    ck_assert_uint_eq(sanitize_width(sb.buf + 1, sb.len - 1, flags), w);
    ck_assert_str_eq(sb.buf, strbuf_str(&sb)); /* the prefix survived the cut */
    ck_assert(sb.buf[0] == '<');
    strbuf_done(&sb);
}

START_TEST(test_fit)
{
    check_fit("running", 10, "running", 7, 0);
    check_fit("running", 7, "running", 7, 0);
    check_fit("running", 6, "runni" ELL, 6, 0);
    check_fit("running", 1, ELL, 1, 0);
    check_fit("running", 0, "", 0, 0);
    check_fit("running", 4, "run~", 4, SANITIZE_ASCII);
    /* wide characters never split */
    check_fit("ab日本語", 8, "ab日本語", 8, 0);
    check_fit("ab日本語", 7, "ab日本" ELL, 7, 0);
    check_fit("ab日本語", 6, "ab日" ELL, 5, 0); /* one short: the caller pads */
    check_fit("ab日本語", 5, "ab日" ELL, 5, 0);
    check_fit("ab日本語", 4, "ab" ELL, 3, 0);
    check_fit("日本", 1, ELL, 1, 0);
    /* combining marks stay with their base */
    check_fit("e\xcc\x81"
              "e\xcc\x81"
              "e\xcc\x81",
              3,
              "e\xcc\x81"
              "e\xcc\x81"
              "e\xcc\x81",
              3, 0);
    check_fit("e\xcc\x81"
              "e\xcc\x81"
              "e\xcc\x81x",
              3,
              "e\xcc\x81"
              "e\xcc\x81" ELL,
              3, 0);
    /* a caret sequence counts its two columns */
    check_fit("\x1b[31m", 3, "^[" ELL, 3, 0);
}
END_TEST

START_TEST(test_skip_cols)
{
    size_t skipped;
    const char *s = "ab日本x";

    ck_assert_uint_eq(sanitize_skip_cols(s, strlen(s), 2, 0, &skipped), 2);
    ck_assert_uint_eq(skipped, 2);
    /* column 3 is inside 日: stop before it */
    ck_assert_uint_eq(sanitize_skip_cols(s, strlen(s), 3, 0, &skipped), 2);
    ck_assert_uint_eq(skipped, 2);
    ck_assert_uint_eq(sanitize_skip_cols(s, strlen(s), 4, 0, &skipped), 5);
    ck_assert_uint_eq(skipped, 4);
    ck_assert_uint_eq(sanitize_skip_cols(s, strlen(s), 99, 0, &skipped), strlen(s));
    ck_assert_uint_eq(skipped, 7);
    /* marks are skipped with their base */
    ck_assert_uint_eq(sanitize_skip_cols("e\xcc\x81z", 4, 1, 0, &skipped), 3);
}
END_TEST

START_TEST(test_sanitize_str_and_idempotence)
{
    static const char *const hostile[] = {
        "\x1b[31mred",
        "a\xe2\x80\xae"
        "b",
        "\xff\xfe",
        "ad\xe2\x80\x8bmin",
        "日本\t語",
        "\xcc\x81"
        "x",
        "e\xcc\x81\xcc\x82\xcc\x83",
        "\x7f\x01\xc2\x9b",
    };
    size_t w;

    for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
        char *once = sanitize_str(hostile[i], 0, &w);
        char *twice = sanitize_str(once, 0, NULL);

        ck_assert_str_eq(once, twice);
        ck_assert(!has_control_bytes(once));
        ck_assert_uint_eq(sanitize_width(once, strlen(once), 0), w);
        free(once);
        free(twice);
    }
    char *e = sanitize_str(NULL, 0, &w);
    ck_assert_str_eq(e, "");
    ck_assert_uint_eq(w, 0);
    free(e);
}
END_TEST

/* Every single byte value and every two-byte pair: the output never holds a
 * control byte and is valid UTF-8 that sanitises to itself. */
START_TEST(test_exhaustive_bytes)
{
    char in[3];
    struct strbuf a, b;

    strbuf_init(&a);
    strbuf_init(&b);
    for (int x = 0; x < 256; x++) {
        for (int y = 0; y < 256; y++) {
            in[0] = (char)x;
            in[1] = (char)y;
            in[2] = 'z';
            strbuf_reset(&a);
            strbuf_reset(&b);
            sanitize_append(&a, in, 3, 0);
            ck_assert(!has_control_bytes(strbuf_str(&a)));
            ck_assert_uint_eq(strlen(strbuf_str(&a)), a.len);
            sanitize_append(&b, a.buf, a.len, 0);
            ck_assert_str_eq(strbuf_str(&a), strbuf_str(&b));
            ck_assert(a.len >= 1 && a.buf[a.len - 1] == 'z');
        }
    }
    strbuf_done(&a);
    strbuf_done(&b);
}
END_TEST

static Suite *
sanitize_suite(void)
{
    Suite *s = suite_create("sanitize");
    TCase *tc = tcase_create("sanitize");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_plain_text_unchanged);
    tcase_add_test(tc, test_escape_sequences_shown_not_executed);
    tcase_add_test(tc, test_c0_controls_and_del);
    tcase_add_test(tc, test_c1_controls);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_bidi_controls);
    tcase_add_test(tc, test_zero_width_and_invisible);
    tcase_add_test(tc, test_variation_selectors_dropped);
    tcase_add_test(tc, test_tabs);
    tcase_add_test(tc, test_wide_characters);
    tcase_add_test(tc, test_combining_marks);
    tcase_add_test(tc, test_ascii_mode);
    tcase_add_test(tc, test_fit);
    tcase_add_test(tc, test_skip_cols);
    tcase_add_test(tc, test_sanitize_str_and_idempotence);
    tcase_add_test(tc, test_exhaustive_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(sanitize_suite());
}
