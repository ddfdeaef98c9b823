/* SPDX-License-Identifier: MIT */
/* test-tui-textview.c - text widget: spans, wrap, sideways scroll, paging, search */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/filter.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/textview.h"
#include "testlib.h"

/* Screen row `row` as text, with trailing blanks trimmed. */
static char *
row_text(struct textview *tv, size_t row, struct text_piece *pieces, size_t *np)
{
    struct strbuf sb;
    struct text_piece local[16];
    size_t n;

    strbuf_init(&sb);
    n = textview_render(tv, row, &sb, pieces ? pieces : local, 16);
    if (np)
        *np = n;
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    if (!sb.buf)
        return strdup("");
    return strbuf_detach(&sb);
}

#define ck_row(tv, row, want)                                                                      \
    do {                                                                                           \
        char *got_ = row_text(tv, row, NULL, NULL);                                                \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

static struct filter *
compile(const char *text)
{
    struct filter *f = NULL;

    ck_assert_int_eq(filter_compile(text, &f), STATUS_OK);
    return f;
}

static void
setup(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
}

START_TEST(test_spans_and_pieces)
{
    struct textview *tv = textview_new();
    struct text_piece pieces[16];
    size_t np;
    char *row;
    struct text_span spans[] = {
        {ELEM_TEXT_KEY, "status: "},
        {ELEM_ERROR, "NotReady"},
    };

    textview_set_size(tv, 20, 5);
    textview_add_spans(tv, spans, 2);
    textview_add(tv, ELEM_DEFAULT, "one\ntwo\tx");
    ck_assert_uint_eq(textview_line_count(tv), 3);
    row = row_text(tv, 0, pieces, &np);
    ck_assert_str_eq(row, "status: NotReady");
    ck_assert_uint_eq(np, 3);
    ck_assert_int_eq(pieces[0].elem, ELEM_TEXT_KEY);
    ck_assert_uint_eq(pieces[0].len, 8);
    ck_assert_int_eq(pieces[1].elem, ELEM_ERROR);
    ck_assert_uint_eq(pieces[1].off, 8);
    ck_assert_uint_eq(pieces[2].len, 4); /* the padding */
    free(row);
    ck_row(tv, 1, "one");
    ck_row(tv, 2, "two     x"); /* tabs to 8 columns */
    ck_row(tv, 3, "");
    textview_free(tv);
}
END_TEST

START_TEST(test_hostile_text_inert)
{
    struct textview *tv = textview_new();

    textview_set_size(tv, 30, 3);
    textview_add(tv, ELEM_DEFAULT,
                 "\x1b]52;c;ZXZpbA==\x07 \xe2\x80\xae"
                 "abc");
    ck_row(tv, 0,
           "^[]52;c;ZXZpbA==^G \xef\xbf\xbd"
           "abc");
    textview_free(tv);
}
END_TEST

START_TEST(test_wrap_and_sideways)
{
    struct textview *tv = textview_new();

    textview_set_size(tv, 10, 3);
    textview_add(tv, ELEM_DEFAULT, "0123456789abcdefghijKLM");
    textview_add(tv, ELEM_DEFAULT, "日本語日本語x");
    ck_row(tv, 0, "0123456789");
    ck_row(tv, 1, "abcdefghij");
    ck_row(tv, 2, "KLM");
    textview_scroll(tv, 3); /* stops where the last screen is full */
    ck_row(tv, 0, "KLM");
    ck_row(tv, 1, "日本語日本"); /* 10 columns */
    ck_row(tv, 2, "語x");
    textview_scroll_first(tv);
    textview_set_size(tv, 9, 3);
    textview_scroll(tv, 3);
    ck_row(tv, 1, "日本語日"); /* 8 columns: a wide character never splits */
    ck_row(tv, 2, "本語x");
    textview_scroll_first(tv);
    textview_set_wrap(tv, false);
    ck_assert(!textview_wrap(tv));
    ck_assert_uint_eq(textview_top_line(tv), 0);
    ck_row(tv, 0, "012345678");
    ck_row(tv, 1, "日本語日");
    textview_scroll_cols(tv, 3);
    ck_row(tv, 0, "3456789ab");
    ck_row(tv, 1, " 語日本語"); /* 本 straddles the edge: a blank */
    textview_scroll_cols(tv, 100);
    ck_row(tv, 0, "efghijKLM");
    textview_scroll_cols(tv, -100);
    ck_row(tv, 0, "012345678");
    textview_free(tv);
}
END_TEST

START_TEST(test_paging)
{
    struct textview *tv = textview_new();

    textview_set_size(tv, 20, 4);
    for (int i = 0; i < 10; i++)
        textview_addf(tv, ELEM_DEFAULT, "line %d", i);
    ck_assert(textview_take_dirty(tv));
    ck_assert(!textview_take_dirty(tv));
    textview_scroll_page(tv, 1);
    ck_assert(textview_take_dirty(tv));
    ck_row(tv, 0, "line 4");
    textview_scroll_page(tv, 5);
    ck_row(tv, 0, "line 6"); /* the last screen stays full */
    ck_row(tv, 3, "line 9");
    textview_scroll(tv, -2);
    ck_row(tv, 0, "line 4");
    textview_scroll_first(tv);
    ck_row(tv, 0, "line 0");
    textview_scroll_last(tv);
    ck_row(tv, 0, "line 6");
    textview_scroll(tv, -100);
    ck_row(tv, 0, "line 0");
    textview_clear(tv);
    ck_row(tv, 0, "");
    textview_free(tv);
}
END_TEST

START_TEST(test_search)
{
    struct textview *tv = textview_new();
    struct text_piece pieces[16];
    size_t np;
    char *row;

    textview_set_size(tv, 20, 3);
    for (int i = 0; i < 10; i++)
        textview_addf(tv, ELEM_DEFAULT, "%s %d", i % 3 ? "ok" : "warn", i);
    ck_assert(textview_search(tv, compile("warn")));
    ck_assert_uint_eq(textview_match_line(tv), 0);
    row = row_text(tv, 0, pieces, &np);
    ck_assert_int_eq(pieces[0].elem, ELEM_TEXT_MATCH);
    free(row);
    ck_assert(textview_search_next(tv, +1));
    ck_assert_uint_eq(textview_match_line(tv), 3);
    ck_assert_uint_eq(textview_top_line(tv), 3); /* was off screen */
    ck_assert(textview_search_next(tv, +1));
    ck_assert(textview_search_next(tv, +1));
    ck_assert_uint_eq(textview_match_line(tv), 9);
    ck_assert(textview_search_next(tv, +1)); /* wraps */
    ck_assert_uint_eq(textview_match_line(tv), 0);
    ck_assert(textview_search_next(tv, -1));
    ck_assert_uint_eq(textview_match_line(tv), 9);
    ck_assert(!textview_search(tv, compile("nothing")));
    ck_assert_uint_eq(textview_match_line(tv), SIZE_MAX);
    ck_assert(!textview_search_next(tv, +1));
    ck_assert(!textview_search(tv, NULL));
    ck_assert(!textview_search_next(tv, +1));
    textview_free(tv);
}
END_TEST

static Suite *
textview_suite(void)
{
    Suite *s = suite_create("textview");
    TCase *tc = tcase_create("textview");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_spans_and_pieces);
    tcase_add_test(tc, test_hostile_text_inert);
    tcase_add_test(tc, test_wrap_and_sideways);
    tcase_add_test(tc, test_paging);
    tcase_add_test(tc, test_search);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(textview_suite());
}
