/* SPDX-License-Identifier: MIT */
/* test-tui-header.c - header items, dropping by priority, sources, copies */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/header.h"
#include "opsdeck/sanitize.h"
#include "testlib.h"

static const struct ui_source sources[] = {
    {"API", "offline · data from 03:05 (7 min ago)", UI_WARNING},
};

static const struct ui_header hdr = {
    .platform = "Deploy MCP",
    .context = "default",
    .production = true,
    .server_version = "v1.31.4+k3s1",
    .simulated = true,
    .readonly = true,
    .sources = sources,
    .nsources = 1,
};

static char *
render(const struct ui_header *h, size_t line, size_t width, bool paused, const char *clock,
       struct text_piece *pieces, size_t *np)
{
    struct strbuf sb;
    struct text_piece local[32];
    size_t n;

    strbuf_init(&sb);
    n = header_render(h, line, width, paused, clock, 0, &sb, pieces ? pieces : local, 32);
    if (np)
        *np = n;
    ck_assert_uint_eq(sanitize_width(sb.buf, sb.len, 0), width);
    return strbuf_detach(&sb);
}

static void
setup(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
}

START_TEST(test_full_width)
{
    char *s = render(&hdr, 0, 100, true, "03:12", NULL, NULL);

    ck_assert_str_eq(s,
                     "opsdeck  Deploy MCP  ctx:default  PROD  v1.31.4+k3s1  simulated  read-only  "
                     "PAUSED             03:12");
    free(s);
    s = render(&hdr, 1, 60, false, NULL, NULL, NULL);
    ck_assert_str_eq(s, "API offline · data from 03:05 (7 min ago)                   ");
    free(s);
    ck_assert_uint_eq(header_lines(&hdr), 2);
}
END_TEST

START_TEST(test_drops_by_priority)
{
    char *s;

    s = render(&hdr, 0, 80, true, "03:12", NULL, NULL);
    /* the brand (7) went first */
    ck_assert_str_eq(
        s, "Deploy MCP  ctx:default  PROD  v1.31.4+k3s1  simulated  read-only  PAUSED  03:12");
    free(s);
    s = render(&hdr, 0, 50, true, "03:12", NULL, NULL);
    ck_assert_str_eq(s, "ctx:default  PROD  simulated  read-only  PAUSED   ");
    free(s);
    s = render(&hdr, 0, 30, false, "03:12", NULL, NULL);
    ck_assert_str_eq(s, "ctx:default  PROD  read-only  ");
    free(s);
    s = render(&hdr, 0, 8, false, NULL, NULL, NULL);
    ck_assert_str_eq(s, "ctx:def…");
    free(s);
}
END_TEST

START_TEST(test_elements)
{
    struct text_piece p[32];
    size_t np;
    char *s = render(&hdr, 0, 100, true, "03:12", p, &np);
    bool saw_prod = false, saw_clock = false;

    for (size_t i = 0; i < np; i++) {
        if (p[i].elem == ELEM_HEADER_PROD) {
            ck_assert(strncmp(s + p[i].off, "PROD", 4) == 0);
            saw_prod = true;
        }
        if (p[i].elem == ELEM_HEADER_CLOCK)
            saw_clock = true;
    }
    ck_assert(saw_prod && saw_clock);
    free(s);
    s = render(&hdr, 1, 60, false, NULL, p, &np);
    ck_assert_int_eq(p[0].elem, ELEM_HEADER);
    ck_assert_int_eq(p[1].elem, ELEM_HEADER_WARNING);
    free(s);
}
END_TEST

START_TEST(test_hostile_and_copy)
{
    struct ui_header h = {.context = "\x1b]0;pwned\x07prod\xe2\x80\xae"}, copy;
    char *s = render(&h, 0, 40, false, NULL, NULL, NULL);

    ck_assert_str_eq(s, "opsdeck  ctx:^[]0;pwned^Gprod\xef\xbf\xbd          ");
    free(s);
    header_copy(&copy, &hdr);
    ck_assert(header_equal(&copy, &hdr));
    ck_assert(copy.context != hdr.context);
    ck_assert(!header_equal(&copy, &h));
    header_done(&copy);
    ck_assert_uint_eq(header_lines(&h), 1);
}
END_TEST

static Suite *
header_suite(void)
{
    Suite *s = suite_create("header");
    TCase *tc = tcase_create("header");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_full_width);
    tcase_add_test(tc, test_drops_by_priority);
    tcase_add_test(tc, test_elements);
    tcase_add_test(tc, test_hostile_and_copy);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(header_suite());
}
