/* SPDX-License-Identifier: MIT */
/* test-tui-logview.c - the logs pane's model: follow, scroll, back-paging edge, search, filter, drawing */
#include "config.h"

#include "opsdeck/logview.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/logring.h"
#include "opsdeck/logsearch.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/textview.h"
#include "testlib.h"

/* 2026-11-24T03:11:00Z */
#define T0 ((int64_t)1795489860 * 1000000000)

static struct logring *ring;
static struct logview *lv;
static struct textview *tv;

static void
setup(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    ring = logring_new(NULL);
    lv = logview_new(ring);
    tv = textview_new();
    textview_set_size(tv, 200, 5);
    logview_set_height(lv, 5);
}

static void
teardown(void)
{
    logview_free(lv);
    textview_free(tv);
    logring_free(ring);
}

static void
add_lines(int from, int to)
{
    uint32_t s = logring_stream(ring, "{app=\"api\", pod=\"api-7d9\"}");
    char buf[64];

    for (int i = from; i < to; i++) {
        snprintf(buf, sizeof(buf), i % 10 == 3 ? "request %d failed" : "request %d ok", i);
        logring_append(ring, T0 + (int64_t)i * 1000000000, s, buf, strlen(buf));
    }
    logview_update(lv);
}

static char *
row(size_t r)
{
    struct strbuf sb;
    struct text_piece pieces[32];

    strbuf_init(&sb);
    textview_render(tv, r, &sb, pieces, 32);
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    return sb.buf ? strbuf_detach(&sb) : strdup("");
}

#define ck_row(r, want)                                                                            \
    do {                                                                                           \
        char *got_ = row(r);                                                                       \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

static struct logsearch *
pat(const char *p)
{
    struct logsearch *s;

    ck_assert(logsearch_compile(p, LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART, &s) == STATUS_OK);
    return s;
}

START_TEST(follow_shows_newest)
{
    add_lines(0, 20);
    ck_assert(logview_follow(lv));
    logview_render(lv, tv);
    ck_assert_uint_eq(textview_line_count(tv), 5);
    ck_row(0, "11-24 03:11:15.000 request 15 ok");
    ck_row(4, "11-24 03:11:19.000 request 19 ok");
    add_lines(20, 22);
    logview_render(lv, tv);
    ck_row(4, "11-24 03:11:21.000 request 21 ok");
    ck_assert_uint_eq(logview_position(lv), 18);
}
END_TEST

START_TEST(scroll_up_stops_follow)
{
    add_lines(0, 20);
    logview_scroll(lv, -3);
    ck_assert(!logview_follow(lv));
    add_lines(20, 30);
    logview_render(lv, tv);
    /* the screen stays where the operator put it */
    ck_row(0, "11-24 03:11:12.000 request 12 ok");
    logview_first(lv);
    ck_assert(logview_at_top(lv));
    logview_render(lv, tv);
    ck_row(0, "11-24 03:11:00.000 request 0 ok");
    logview_scroll_page(lv, 1);
    ck_assert_uint_eq(logview_position(lv), 5);
    logview_last(lv);
    ck_assert(logview_follow(lv));
    ck_assert_uint_eq(logview_position(lv), 26);
}
END_TEST

START_TEST(older_page_on_top_keeps_screen)
{
    uint32_t s = logring_stream(ring, "{app=\"api\", pod=\"api-7d9\"}");

    add_lines(100, 110);
    logview_first(lv);
    ck_assert(logview_at_top(lv));
    /* the pane fetched the page before: prepended newest first */
    for (int i = 99; i >= 90; i--) {
        char buf[32];

        snprintf(buf, sizeof(buf), "older %d", i);
        logring_prepend(ring, T0 + (int64_t)i * 1000000000, s, buf, strlen(buf));
    }
    logview_update(lv);
    ck_assert(!logview_at_top(lv));
    logview_render(lv, tv);
    ck_row(0, "11-24 03:12:40.000 request 100 ok");
    logview_scroll(lv, -2);
    logview_render(lv, tv);
    ck_row(0, "11-24 03:12:38.000 older 98");
}
END_TEST

START_TEST(timestamps_off_and_streams)
{
    uint32_t a = logring_stream(ring, "{app=\"api\", pod=\"api-7d9\"}");
    uint32_t b = logring_stream(ring, "{app=\"web\", namespace=\"dp-ada-shop\"}");

    logring_append(ring, T0, a, "from api", 8);
    logring_append(ring, T0 + 1, b, "from web", 8);
    logview_update(lv);
    logview_set_timestamps(lv, false);
    logview_render(lv, tv);
    /* two streams: a marker and the short name (pod, else app) in the stream's colour */
    ck_row(0, "\xe2\x96\x8c" "api-7d9          from api");
    ck_row(1, "\xe2\x96\x8c" "web              from web");
    ck_assert_uint_ne(logring_stream_colour(ring, a), logring_stream_colour(ring, b));
}
END_TEST

START_TEST(readable_and_raw)
{
    static const char json[] = "{\"ts\":\"x\",\"level\":\"error\",\"msg\":\"db down\",\"try\":3}";
    static const char lf[] = "level=warn msg=\"disk 91%\" mount=/var";
    struct text_piece pieces[32];
    struct strbuf sb;
    size_t np;
    bool key_seen = false;

    logring_append(ring, T0, 0, json, strlen(json));
    logring_append(ring, T0, 0, lf, strlen(lf));
    logview_update(lv);
    logview_set_timestamps(lv, false);
    logview_render(lv, tv);
    ck_row(0, "ERROR db down  try=3");
    ck_row(1, "WARN  disk 91%  mount=/var");
    strbuf_init(&sb);
    np = textview_render(tv, 0, &sb, pieces, 32);
    ck_assert_int_eq(pieces[0].elem, ELEM_ERROR);
    for (size_t i = 0; i < np; i++)
        key_seen |= pieces[i].elem == ELEM_TEXT_KEY &&
                    strncmp(sb.buf + pieces[i].off, "try", 3) == 0;
    ck_assert(key_seen);
    strbuf_done(&sb);
    logview_set_readable(lv, false);
    logview_render(lv, tv);
    ck_row(0, "ERROR {\"ts\":\"x\",\"level\":\"error\",\"msg\":\"db down\",\"try\":3}");
}
END_TEST

START_TEST(search_highlights_and_steps)
{
    struct text_piece pieces[32];
    struct strbuf sb;
    size_t np;
    bool hl = false;

    add_lines(0, 50);
    ck_assert(logview_set_search(lv, pat("failed")));
    ck_assert_uint_eq(logview_search_count(lv), 5);
    ck_assert(!logview_follow(lv));
    /* from the top of the screen (line 45): no match after it, the last one */
    ck_assert_int_eq(logview_match(lv), 43);
    ck_assert(logview_search_step(lv, false));
    ck_assert_int_eq(logview_match(lv), 33);
    ck_assert(logview_search_step(lv, false));
    ck_assert(logview_search_step(lv, false));
    ck_assert(logview_search_step(lv, false));
    ck_assert_int_eq(logview_match(lv), 3);
    ck_assert(!logview_search_step(lv, false));
    logview_render(lv, tv);
    ck_row(0, "11-24 03:11:02.000 request 2 ok");
    ck_row(1, "11-24 03:11:03.000 request 3 failed");
    strbuf_init(&sb);
    np = textview_render(tv, 1, &sb, pieces, 32);
    for (size_t i = 0; i < np; i++)
        hl |= pieces[i].elem == ELEM_TEXT_MATCH && pieces[i].len == 6 &&
              strncmp(sb.buf + pieces[i].off, "failed", 6) == 0;
    ck_assert(hl);
    strbuf_done(&sb);
    /* incremental: new matches count at once */
    add_lines(50, 60);
    ck_assert_uint_eq(logview_search_count(lv), 6);
    ck_assert(!logview_set_search(lv, pat("nothing-like-this")));
    ck_assert_int_eq(logview_match(lv), INT64_MIN);
}
END_TEST

START_TEST(filter_shows_only_matches)
{
    add_lines(0, 50);
    logview_set_filter(lv, pat("failed"));
    ck_assert_uint_eq(logview_count(lv), 5);
    ck_assert_str_eq(logview_filter_pattern(lv), "failed");
    logview_render(lv, tv);
    ck_row(0, "11-24 03:11:03.000 request 3 failed");
    ck_row(4, "11-24 03:11:43.000 request 43 failed");
    /* following a filtered view: new matches appear, others do not */
    add_lines(50, 64);
    logview_render(lv, tv);
    ck_row(4, "11-24 03:12:03.000 request 63 failed");
    ck_row(3, "11-24 03:11:53.000 request 53 failed");
    ck_assert_uint_eq(logview_count(lv), 7);
    logview_set_filter(lv, NULL);
    ck_assert_uint_eq(logview_count(lv), 64);
    ck_assert_ptr_null(logview_filter_pattern(lv));
}
END_TEST

START_TEST(hostile_and_huge_lines)
{
    static const char evil[] = "a\x1b]52;c;aGk=\x07 b\x1b[2J \xe2\x80\xae rtl \0nul \xff end";
    size_t n = 1 << 20;
    char *big = malloc(n);
    struct strbuf sb;

    logview_set_timestamps(lv, false);
    logring_append(ring, T0, 0, evil, sizeof(evil) - 1);
    memset(big, 'x', n);
    logring_append(ring, T0, 0, big, n);
    logview_update(lv);
    logview_render(lv, tv);
    /* escapes visible and inert, bidi and invalid bytes marked, NUL shown */
    ck_row(0, "a^[]52;c;aGk=^G b^[[2J \xef\xbf\xbd rtl ^@nul \xef\xbf\xbd end");
    /* a 1 MB line draws a bounded prefix and says how long it is */
    strbuf_init(&sb);
    logview_format_line(lv, 1, &sb);
    ck_assert_uint_lt(sb.len, LOGVIEW_LINE_MAX + 64);
    ck_assert_ptr_nonnull(strstr(sb.buf, "[1.0 MB line]"));
    strbuf_done(&sb);
    free(big);
}
END_TEST

static Suite *
logview_suite(void)
{
    Suite *s = suite_create("logview");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, follow_shows_newest);
    tcase_add_test(tc, scroll_up_stops_follow);
    tcase_add_test(tc, older_page_on_top_keeps_screen);
    tcase_add_test(tc, timestamps_off_and_streams);
    tcase_add_test(tc, readable_and_raw);
    tcase_add_test(tc, search_highlights_and_steps);
    tcase_add_test(tc, filter_shows_only_matches);
    tcase_add_test(tc, hostile_and_huge_lines);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(logview_suite());
}
