/* SPDX-License-Identifier: MIT */
/* test-sparkline.c - sparklines: levels, scaling, peaks kept, gaps, ASCII */
#include "config.h"

#include <math.h>

#include "opsdeck/sparkline.h"

#include "testlib.h"

static char *
render(const double *v, size_t n, size_t width, bool ascii)
{
    struct strbuf sb;

    strbuf_init(&sb);
    sparkline_render(v, n, 0.0, 100.0, width, ascii, &sb);
    if (!sb.buf)
        strbuf_puts(&sb, "");
    return strbuf_detach(&sb);
}

START_TEST(eight_levels_in_blocks_and_ascii)
{
    const double v[8] = {0, 12.5, 25, 37.5, 50, 62.5, 75, 100};
    char *s = render(v, 8, 8, false);

    ck_assert_str_eq(s, "▁▂▃▄▅▆▇█");
    free(s);
    s = render(v, 8, 8, true);
    ck_assert_str_eq(s, "_.-~=+*#");
    free(s);
}
END_TEST

START_TEST(clamped_to_the_scale)
{
    const double v[4] = {-5, 150, INFINITY, -INFINITY};
    char *s = render(v, 4, 4, true);

    ck_assert_str_eq(s, "_##_");
    free(s);
}
END_TEST

START_TEST(more_points_than_cells_keep_the_peak)
{
    double v[60];
    char *s;

    for (size_t i = 0; i < 60; i++)
        v[i] = 10;
    v[33] = 97; /* one spike in the fourth of six buckets */
    s = render(v, 60, 6, true);
    ck_assert_str_eq(s, "___#__");
    free(s);
}
END_TEST

START_TEST(gaps_and_a_series_that_stopped)
{
    double v[12];
    char *s;

    for (size_t i = 0; i < 12; i++)
        v[i] = i >= 3 && i < 5 ? NAN : 60;
    v[9] = v[10] = v[11] = NAN;
    s = render(v, 12, 12, true);
    ck_assert_str_eq(s, "===  ====   ");
    free(s);
    s = render(v, 12, 12, false);
    ck_assert_str_eq(s, "▅▅▅  ▅▅▅▅   ");
    free(s);
}
END_TEST

START_TEST(fewer_points_than_cells_and_none)
{
    const double v[2] = {0, 100};
    char *s = render(v, 2, 4, true);

    ck_assert_str_eq(s, "__##");
    free(s);
    s = render(NULL, 0, 3, true);
    ck_assert_str_eq(s, "   ");
    free(s);
    s = render(v, 2, 0, true);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("sparkline");
    TCase *tc = tcase_create("render");

    tcase_add_test(tc, eight_levels_in_blocks_and_ascii);
    tcase_add_test(tc, clamped_to_the_scale);
    tcase_add_test(tc, more_points_than_cells_keep_the_peak);
    tcase_add_test(tc, gaps_and_a_series_that_stopped);
    tcase_add_test(tc, fewer_points_than_cells_and_none);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(suite());
}
