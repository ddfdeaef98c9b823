/* SPDX-License-Identifier: MIT */
/* test-table.c - the table model: upsert/remove, sort, filter, selection, pause, layout, cost */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/filter.h"
#include "opsdeck/model.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/table.h"
#include "testlib.h"

#define NOW INT64_C(1795000000)

enum { C_NAME, C_STATUS, C_PODS, C_AGE, C_NCOLS };

static const struct table_column cols[C_NCOLS] = {
    [C_NAME] =
        {.title = "NAME", .min = 4, .max = 30, .sort = TABLE_SORT_NATURAL, .flags = TABLE_COL_NAME},
    [C_STATUS] = {.title = "STATUS",
                  .min = 6,
                  .max = 16,
                  .priority = 1,
                  .sort = TABLE_SORT_TEXT,
                  .flags = TABLE_COL_STATUS},
    [C_PODS] = {.title = "PODS",
                .min = 4,
                .max = 6,
                .priority = 3,
                .align = TABLE_ALIGN_RIGHT,
                .sort = TABLE_SORT_NUMBER},
    [C_AGE] = {.title = "AGE",
               .min = 3,
               .max = 6,
               .priority = 2,
               .align = TABLE_ALIGN_RIGHT,
               .sort = TABLE_SORT_AGE},
};

static void
put(struct table *t, const char *name, const char *status, int64_t pods, int64_t created,
    bool problem)
{
    char podtext[32];

    snprintf(podtext, sizeof(podtext), "%lld", (long long)pods);
    table_upsert(
        t, &(struct table_row){
               .key = name,
               .cells = (struct table_cell[]){{name}, {status}, {podtext, pods}, {NULL, created}},
               .elem = problem ? ELEM_ERROR : ELEM_OK,
               .problem = problem,
           });
}

static struct table *
new_table(void)
{
    struct table *t = table_new(cols, C_NCOLS);

    table_set_now(t, NOW);
    table_set_width(t, 40);
    table_set_height(t, 5);
    return t;
}

/* The shown rows' keys joined with spaces, in order. */
static char *
shown_keys(struct table *t)
{
    struct strbuf sb, line;

    strbuf_init(&sb);
    strbuf_init(&line);
    for (size_t i = 0; i < table_shown(t); i++) {
        const char *p;

        strbuf_reset(&line);
        table_line(t, i, &line);
        p = strbuf_str(&line);
        if (i)
            strbuf_putc(&sb, ' ');
        strbuf_append(&sb, p, strcspn(p, " "));
    }
    strbuf_done(&line);
    if (!sb.buf)
        return strdup("");
    return strbuf_detach(&sb);
}

#define ck_keys(t, want)                                                                           \
    do {                                                                                           \
        char *got_ = shown_keys(t);                                                                \
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

START_TEST(test_upsert_remove_natural_order)
{
    struct table *t = new_table();

    put(t, "run-10", "Ready", 3, NOW - 60, false);
    put(t, "run-2", "Ready", 5, NOW - 3600, false);
    put(t, "k3s-1", "Ready", 9, NOW - 86400 * 3, false);
    put(t, "run-1", "NotReady", 0, NOW - 30, true);
    ck_assert_uint_eq(table_count(t), 4);
    ck_keys(t, "k3s-1 run-1 run-2 run-10");
    table_remove(t, "run-2");
    table_remove(t, "nope");
    ck_keys(t, "k3s-1 run-1 run-10");
    ck_assert(!table_has(t, "run-2"));
    ck_assert(table_has(t, "run-10"));
    table_clear(t);
    ck_assert_uint_eq(table_count(t), 0);
    ck_assert_ptr_null(table_selected_key(t));
    table_free(t);
}
END_TEST

START_TEST(test_line_rendering_and_ages)
{
    struct table *t = new_table();
    struct strbuf sb;
    size_t sx, sw;

    strbuf_init(&sb);
    put(t, "run-1", "NotReady", 7, NOW - 45, true);
    put(t, "k3s-1", "Ready", 12, NOW - 86400 * 3, false);
    table_header_line(t, &sb, &sx, &sw);
    ck_assert_str_eq(strbuf_str(&sb), "NAME↑  STATUS    PODS     AGE           ");
    ck_assert_uint_eq(sx, 0);
    ck_assert_uint_eq(sw, 5);
    strbuf_reset(&sb);
    ck_assert_int_eq(table_line(t, 0, &sb), ELEM_OK);
    ck_assert_str_eq(strbuf_str(&sb), "k3s-1  Ready       12      3d           ");
    strbuf_reset(&sb);
    ck_assert_int_eq(table_line(t, 1, &sb), ELEM_ERROR);
    ck_assert_str_eq(strbuf_str(&sb), "run-1  NotReady     7     45s           ");
    /* ages follow the table's clock without the view touching its rows */
    table_set_now(t, NOW + 120);
    strbuf_reset(&sb);
    table_line(t, 1, &sb);
    ck_assert_str_eq(strbuf_str(&sb), "run-1  NotReady     7   2m45s           ");
    strbuf_done(&sb);
    table_free(t);
}
END_TEST

START_TEST(test_sorting)
{
    struct table *t = new_table();

    put(t, "b", "Ready", 5, NOW - 100, false);
    put(t, "a", "NotReady", 5, NOW - 10, true);
    put(t, "c", "Ready", 1, NOW - 1000, false);
    put(t, "d", "Pending", 9, NOW - 10, false);
    ck_keys(t, "a b c d");
    ck_assert(table_sort_age(t)); /* youngest first, ties by key */
    ck_keys(t, "a d b c");
    ck_assert(table_sort_age(t)); /* again: inverted (ties still by key) */
    ck_keys(t, "c b a d");
    ck_assert(table_sort_status(t));
    ck_keys(t, "a d b c");
    table_sort_by(t, C_PODS, false);
    ck_keys(t, "c a b d");
    table_sort_invert(t);
    ck_keys(t, "d a b c");
    ck_assert(table_sort_name(t));
    ck_keys(t, "a b c d");
    ck_assert(table_sort_step(t, +1));
    ck_assert_uint_eq(table_sort_column(t), C_STATUS);
    ck_assert(table_sort_step(t, -1));
    ck_assert_uint_eq(table_sort_column(t), C_NAME);
    ck_assert(table_sort_step(t, -1));
    ck_assert_uint_eq(table_sort_column(t), C_AGE);
    table_free(t);
}
END_TEST

START_TEST(test_update_moves_only_when_sort_value_changes)
{
    struct table *t = new_table();

    table_sort_by(t, C_PODS, false);
    put(t, "a", "Ready", 1, NOW, false);
    put(t, "b", "Ready", 2, NOW, false);
    put(t, "c", "Ready", 3, NOW, false);
    put(t, "b", "NotReady", 2, NOW, true); /* same place */
    ck_keys(t, "a b c");
    put(t, "a", "Ready", 9, NOW, false); /* moves to the end */
    ck_keys(t, "b c a");
    put(t, "a", "Ready", 0, NOW, false); /* back to the front */
    ck_keys(t, "a b c");
    ck_assert_uint_eq(table_count(t), 3);
    table_free(t);
}
END_TEST

START_TEST(test_selection_follows_key)
{
    struct table *t = new_table();
    char name[16];

    for (int i = 10; i < 30; i++) {
        snprintf(name, sizeof(name), "n%02d", i);
        put(t, name, "Ready", i, NOW, false);
    }
    ck_assert_str_eq(table_selected_key(t), "n10");
    table_move(t, 3);
    ck_assert_str_eq(table_selected_key(t), "n13");
    ck_assert_uint_eq(table_cursor(t), 3);
    ck_assert_uint_eq(table_top(t), 0);
    /* at the top, a row inserted above is seen: the selection moves down */
    put(t, "n01", "Ready", 1, NOW, false);
    ck_assert_str_eq(table_selected_key(t), "n13");
    ck_assert_uint_eq(table_cursor(t), 4);
    ck_assert_uint_eq(table_top(t), 0);
    /* scrolled down, the selection keeps its row and its screen line */
    table_move(t, 6);
    ck_assert_str_eq(table_selected_key(t), "n19");
    ck_assert_uint_eq(table_top(t), 6);
    put(t, "n02", "Ready", 2, NOW, false);
    ck_assert_str_eq(table_selected_key(t), "n19");
    ck_assert_uint_eq(table_cursor(t), 11);
    ck_assert_uint_eq(table_cursor(t) - table_top(t), 4);
    table_move(t, -6);
    /* updated: same row */
    put(t, "n13", "NotReady", 13, NOW, true);
    ck_assert_str_eq(table_selected_key(t), "n13");
    /* removed: the next row takes its place */
    table_remove(t, "n13");
    ck_assert_str_eq(table_selected_key(t), "n14");
    /* moves and scrolling */
    table_move_last(t);
    ck_assert_str_eq(table_selected_key(t), "n29");
    ck_assert_uint_eq(table_top(t), table_shown(t) - 5);
    table_move_first(t);
    ck_assert_str_eq(table_selected_key(t), "n01");
    ck_assert_uint_eq(table_top(t), 0);
    table_move_page(t, 1);
    ck_assert_uint_eq(table_top(t), 5);
    ck_assert_uint_eq(table_cursor(t), 5);
    table_move_page(t, -1);
    ck_assert_uint_eq(table_top(t), 0);
    table_move(t, -4);
    ck_assert_uint_eq(table_cursor(t), 0);
    ck_assert(table_select_key(t, "n20"));
    ck_assert_str_eq(table_selected_key(t), "n20");
    ck_assert(table_cursor(t) >= table_top(t) && table_cursor(t) < table_top(t) + 5);
    ck_assert(!table_select_key(t, "zz"));
    /* removing the last row selects the one before */
    table_move_last(t);
    table_remove(t, "n29");
    ck_assert_str_eq(table_selected_key(t), "n28");
    table_free(t);
}
END_TEST

START_TEST(test_filter_counts_and_single_row_retest)
{
    struct table *t = new_table();
    char app[] = "app", web[] = "web", tier[] = "tier", fe[] = "fe";
    struct kv lab_items[] = {{app, web}, {tier, fe}};
    struct kv_list labels = {lab_items, 2};
    const char *hosts[] = {"api.breacher.org", NULL};
    struct table_stats before, after;

    put(t, "run-1", "Ready", 1, NOW, false);
    put(t, "run-2", "NotReady", 2, NOW, true);
    put(t, "ops-1", "Ready", 3, NOW, false);
    table_upsert(
        t, &(struct table_row){
               .key = "api",
               .cells = (struct table_cell[]){{"api"}, {"CrashLoopBackOff"}, {"1", 1}, {NULL, NOW}},
               .elem = ELEM_ERROR,
               .problem = true,
               .search = hosts,
               .labels = &labels,
           });
    table_set_filter(t, compile("run"));
    ck_assert_uint_eq(table_shown(t), 2);
    ck_assert_uint_eq(table_count(t), 4);
    ck_keys(t, "run-1 run-2");
    table_set_filter(t, compile("!run"));
    ck_keys(t, "api ops-1");
    table_set_filter(t, compile("breacher")); /* a search field, not a column */
    ck_keys(t, "api");
    table_set_filter(t, compile("-l app=web"));
    ck_keys(t, "api");
    table_set_filter(t, compile("tier=fe")); /* labels as k=v for the regex */
    ck_keys(t, "api");
    table_set_filter(t, compile("NotReady|Crash"));
    ck_keys(t, "api run-2");
    /* one update re-tests that row only */
    before = table_stats(t);
    put(t, "run-1", "NotReady", 1, NOW, true);
    after = table_stats(t);
    ck_assert_uint_eq(after.filter_tests - before.filter_tests, 1);
    ck_keys(t, "api run-1 run-2");
    put(t, "run-2", "Ready", 2, NOW, false);
    ck_keys(t, "api run-1");
    table_set_filter(t, compile(""));
    ck_assert_ptr_null(table_filter(t));
    ck_assert_uint_eq(table_shown(t), 4);
    table_set_filter(t, NULL);
    ck_assert_uint_eq(table_shown(t), 4);
    table_free(t);
}
END_TEST

START_TEST(test_problems_only_and_search)
{
    struct table *t = new_table();
    struct filter *f = compile("ops");

    put(t, "a", "Ready", 1, NOW, false);
    put(t, "b", "NotReady", 1, NOW, true);
    put(t, "c", "Ready", 1, NOW, false);
    put(t, "ops-1", "Ready", 1, NOW, false);
    put(t, "d", "Evicted", 1, NOW, true);
    table_set_problems_only(t, true);
    ck_assert(table_problems_only(t));
    ck_keys(t, "b d");
    put(t, "c", "Failed", 1, NOW, true);
    ck_keys(t, "b c d");
    table_set_problems_only(t, false);
    ck_keys(t, "a b c d ops-1");
    ck_assert(table_search(t, f, +1));
    ck_assert_str_eq(table_selected_key(t), "ops-1");
    table_move_first(t);
    ck_assert(table_search(t, f, -1)); /* wraps around backwards */
    ck_assert_str_eq(table_selected_key(t), "ops-1");
    filter_free(f);
    f = compile("zzz");
    ck_assert(!table_search(t, f, +1));
    filter_free(f);
    table_free(t);
}
END_TEST

START_TEST(test_pause_holds_and_coalesces)
{
    struct table *t = new_table();

    put(t, "a", "Ready", 1, NOW, false);
    put(t, "b", "Ready", 1, NOW, false);
    table_set_paused(t, true);
    ck_assert(table_paused(t));
    put(t, "c", "Ready", 1, NOW, false);
    put(t, "a", "NotReady", 1, NOW, true);
    put(t, "a", "Failed", 1, NOW, true);
    table_remove(t, "b");
    table_remove(t, "c");
    put(t, "c", "Pending", 1, NOW, false);
    ck_keys(t, "a b"); /* frozen */
    ck_assert_uint_eq(table_pending(t), 3);
    table_set_now(t, NOW + 999); /* ages frozen too */
    table_set_paused(t, false);
    ck_assert_uint_eq(table_pending(t), 0);
    ck_keys(t, "a c");
    {
        struct strbuf sb;

        strbuf_init(&sb);
        table_line(t, 0, &sb);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "Failed"));
        strbuf_done(&sb);
    }
    table_free(t);
}
END_TEST

START_TEST(test_pause_bulk_resume)
{
    struct table *t = new_table();
    char name[32];

    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "r%03d", i);
        put(t, name, "Ready", i, NOW, false);
    }
    table_set_paused(t, true);
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "r%03d", i % 400);
        put(t, name, i % 2 ? "Ready" : "Failed", i, NOW, false);
    }
    table_remove(t, "r000");
    ck_assert_uint_eq(table_count(t), 100);
    table_set_paused(t, false);
    ck_assert_uint_eq(table_count(t), 399);
    ck_assert(!table_has(t, "r000"));
    ck_assert(table_has(t, "r399"));
    table_free(t);
}
END_TEST

START_TEST(test_replace_keeps_old_rows_until_end)
{
    struct table *t = new_table();

    put(t, "a", "Ready", 1, NOW, false);
    put(t, "b", "Ready", 1, NOW, false);
    put(t, "c", "Ready", 1, NOW, false);
    table_move(t, 1);
    ck_assert_str_eq(table_selected_key(t), "b");
    table_replace_begin(t);
    put(t, "d", "Ready", 1, NOW, false);
    put(t, "b", "NotReady", 1, NOW, true);
    put(t, "x", "Ready", 1, NOW, false);
    table_remove(t, "x");
    ck_keys(t, "a b c"); /* still the old set */
    table_replace_end(t);
    ck_keys(t, "b d");
    ck_assert_str_eq(table_selected_key(t), "b");
    /* replace while paused: held, then applied */
    table_set_paused(t, true);
    table_replace_begin(t);
    put(t, "e", "Ready", 1, NOW, false);
    table_replace_end(t);
    ck_keys(t, "b d");
    table_set_paused(t, false);
    ck_keys(t, "e");
    table_free(t);
}
END_TEST

START_TEST(test_columns_drop_by_priority)
{
    struct table *t = new_table();
    struct strbuf sb;
    size_t sx, sw;

    strbuf_init(&sb);
    put(t, "a-rather-long-node-name", "SchedulingDisabled", 110, NOW - 7200, false);
    table_set_width(t, 80);
    table_header_line(t, &sb, &sx, &sw);
    ck_assert_uint_eq(table_columns_shown(t), 4);
    ck_assert_uint_eq(sanitize_width(sb.buf, sb.len, 0), 80);
    /* 45 columns: PODS (priority 3) goes first, then AGE (2) */
    table_set_width(t, 45);
    strbuf_reset(&sb);
    table_header_line(t, &sb, &sx, &sw);
    ck_assert_uint_eq(table_columns_shown(t), 2);
    ck_assert(!table_column_shown(t, C_PODS));
    ck_assert(!table_column_shown(t, C_AGE));
    ck_assert(table_column_shown(t, C_STATUS));
    ck_assert_uint_eq(sanitize_width(sb.buf, sb.len, 0), 45);
    strbuf_reset(&sb);
    table_line(t, 0, &sb);
    ck_assert_uint_eq(sanitize_width(sb.buf, sb.len, 0), 45);
    ck_assert_ptr_nonnull(strstr(sb.buf, "SchedulingDisab…")); /* at its max of 16 */
    /* 30 columns: the name alone, never dropped */
    table_set_width(t, 30);
    strbuf_reset(&sb);
    table_line(t, 0, &sb);
    ck_assert_uint_eq(table_columns_shown(t), 1);
    ck_assert(table_column_shown(t, C_NAME));
    ck_assert_str_eq(strbuf_str(&sb), "a-rather-long-node-name       ");
    /* 8 columns: only the name, never dropped, cut to fit */
    table_set_width(t, 8);
    strbuf_reset(&sb);
    table_line(t, 0, &sb);
    ck_assert_uint_eq(table_columns_shown(t), 1);
    ck_assert_str_eq(strbuf_str(&sb), "a-rathe…");
    ck_assert_uint_eq(sanitize_width(sb.buf, sb.len, 0), 8);
    /* widths shrink back when the long row goes */
    table_set_width(t, 80);
    put(t, "b", "Ready", 1, NOW, false);
    table_remove(t, "a-rather-long-node-name");
    strbuf_reset(&sb);
    table_header_line(t, &sb, &sx, &sw);
    ck_assert_str_eq(strbuf_str(&sb), "NAME↑  STATUS  PODS     AGE                        "
                                      "                             ");
    strbuf_done(&sb);
    table_free(t);
}
END_TEST

START_TEST(test_hostile_cells_inert_and_aligned)
{
    struct table *t = new_table();
    struct strbuf sb;
    const char *names[] = {
        "\x1b[31mevil\x1b[0m",
        ("rlo\xe2\x80\xae"
         "gnp.exe"),
        "zw\xe2\x80\x8bsp",
        "日本語ノード",
        "\xf0\x9f\x98\x80-emoji",
        "e\xcc\x81\xcc\x82\xcc\x83\xcc\x84z",
    };

    strbuf_init(&sb);
    table_set_width(t, 40);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        put(t, names[i], "Ready\x07", 1, NOW, false);
    for (size_t i = 0; i < table_shown(t); i++) {
        strbuf_reset(&sb);
        table_line(t, i, &sb);
        for (const unsigned char *p = (const unsigned char *)sb.buf; *p; p++)
            ck_assert(*p >= 0x20 && *p != 0x7F);
        ck_assert_ptr_null(strstr(sb.buf, "\xe2\x80\xae"));
        ck_assert_ptr_null(strstr(sb.buf, "\xe2\x80\x8b"));
        ck_assert_uint_eq(sanitize_width(sb.buf, sb.len, 0), 40);
        /* the STATUS column starts at the same column on every row */
        {
            const char *st = strstr(sb.buf, "Ready^G");
            size_t col;

            ck_assert_ptr_nonnull(st);
            col = sanitize_width(sb.buf, (size_t)(st - sb.buf), 0);
            ck_assert_uint_eq(col, 17); /* NAME width 15 (widest: ^[[31mevil^[[0m) + 2 */
        }
    }
    strbuf_done(&sb);
    table_free(t);
}
END_TEST

START_TEST(test_dirty_ranges)
{
    struct table *t = new_table();
    size_t from, to;
    bool all;
    char name[16];

    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "n%02d", i);
        put(t, name, "Ready", i, NOW, false);
    }
    ck_assert(table_take_dirty(t, &from, &to, &all));
    ck_assert(!table_take_dirty(t, &from, &to, &all));
    put(t, "n03", "Error", 3, NOW, true); /* changes in place, same widths */
    ck_assert(table_take_dirty(t, &from, &to, &all));
    ck_assert(!all);
    ck_assert_uint_eq(from, 3);
    ck_assert_uint_eq(to, 4);
    table_move(t, 1);
    ck_assert(table_take_dirty(t, &from, &to, &all));
    ck_assert(!all && from == 0 && to == 2);
    table_remove(t, "n15");
    ck_assert(table_take_dirty(t, &from, &to, &all));
    ck_assert(!all && from == 15);
    table_touch(t);
    ck_assert(table_take_dirty(t, &from, &to, &all) && all);
    table_free(t);
}
END_TEST

/* 20,000 rows: a single update costs O(log n) comparisons and one filter
 * test, and drawing a screen formats only the rows on it. */
START_TEST(test_twenty_thousand_rows)
{
    struct table *t = new_table();
    struct table_stats a, b;
    char name[32];
    const int n = 20000;
    uint64_t bound = 6 * (uint64_t)ceil(log2(n)) + 8;
    size_t from, to;
    bool all;

    table_set_filter(t, compile("pod"));
    table_replace_begin(t);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "ns-%d/pod-%05d", i % 2000, i);
        put(t, name, i % 7 ? "Running" : "CrashLoopBackOff", i % 13, NOW - i, i % 7 == 0);
    }
    table_replace_end(t);
    ck_assert_uint_eq(table_count(t), (size_t)n);
    ck_assert_uint_eq(table_shown(t), (size_t)n);
    table_set_height(t, 20);
    table_take_dirty(t, &from, &to, &all);
    table_move(t, 10000);
    /* update a row in place */
    a = table_stats(t);
    put(t, "ns-5/pod-00005", "Completed", 1, NOW - 5, false);
    b = table_stats(t);
    ck_assert_uint_le(b.compares - a.compares, bound);
    ck_assert_uint_eq(b.filter_tests - a.filter_tests, 1);
    ck_assert_uint_eq(b.formats, a.formats);
    /* an update that moves the row across the whole order */
    table_sort_by(t, C_PODS, false);
    a = table_stats(t);
    put(t, "ns-5/pod-00005", "Completed", 99, NOW - 5, false);
    b = table_stats(t);
    ck_assert_uint_le(b.compares - a.compares, bound);
    ck_assert_uint_eq(b.filter_tests - a.filter_tests, 1);
    /* insert and remove */
    a = table_stats(t);
    put(t, "ns-new/pod-new", "Pending", 4, NOW, false);
    table_remove(t, "ns-7/pod-00007");
    b = table_stats(t);
    ck_assert_uint_le(b.compares - a.compares, 2 * bound);
    ck_assert_uint_eq(b.filter_tests - a.filter_tests, 1);
    ck_assert_uint_eq(table_count(t), (size_t)n);
    /* what a redraw of the screen formats: at most the rows on it */
    a = table_stats(t);
    ck_assert(table_take_dirty(t, &from, &to, &all));
    {
        struct strbuf sb;
        size_t top = table_top(t), drawn = 0;

        strbuf_init(&sb);
        for (size_t i = MAX(from, top); i < MIN(to, top + 20) && i < table_shown(t); i++) {
            strbuf_reset(&sb);
            table_line(t, i, &sb);
            drawn++;
        }
        strbuf_done(&sb);
        ck_assert_uint_le(drawn, 20);
    }
    b = table_stats(t);
    ck_assert_uint_le(b.formats - a.formats, 20);
    /* the selection survived all of it */
    ck_assert_ptr_nonnull(table_selected_key(t));
    table_free(t);
}
END_TEST

static Suite *
table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("table");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_upsert_remove_natural_order);
    tcase_add_test(tc, test_line_rendering_and_ages);
    tcase_add_test(tc, test_sorting);
    tcase_add_test(tc, test_update_moves_only_when_sort_value_changes);
    tcase_add_test(tc, test_selection_follows_key);
    tcase_add_test(tc, test_filter_counts_and_single_row_retest);
    tcase_add_test(tc, test_problems_only_and_search);
    tcase_add_test(tc, test_pause_holds_and_coalesces);
    tcase_add_test(tc, test_pause_bulk_resume);
    tcase_add_test(tc, test_replace_keeps_old_rows_until_end);
    tcase_add_test(tc, test_columns_drop_by_priority);
    tcase_add_test(tc, test_hostile_cells_inert_and_aligned);
    tcase_add_test(tc, test_dirty_ranges);
    tcase_add_test(tc, test_twenty_thousand_rows);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(table_suite());
}
