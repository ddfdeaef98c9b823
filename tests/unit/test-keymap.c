/* SPDX-License-Identifier: MIT */
/* test-keymap.c - key names, keymap sections and lookups, the bind parser and its errors */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/keymap.h"
#include "opsdeck/request.h"
#include "opsdeck/strbuf.h"
#include "testlib.h"

static void
collect(void *arg, const char *msg)
{
    struct strbuf *sb = arg;

    strbuf_puts(sb, msg);
    strbuf_putc(sb, '\n');
}

START_TEST(test_key_names_round_trip)
{
    static const char *const names[] = {
        "j",       "G",      "/",      "<",         "?",       ":",           "é",      "日",
        "<Enter>", "<Esc>",  "<Tab>",  "<BackTab>", "<Space>", "<Backspace>", "<Del>",  "<Ins>",
        "<Up>",    "<Down>", "<Left>", "<Right>",   "<PgUp>",  "<PgDn>",      "<Home>", "<End>",
        "<F1>",    "<F10>",  "<F12>",  "<C-c>",     "<C-r>",   "<C-f>",       "<Hash>",
    };
    char buf[32];
    int key;

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        ck_assert_msg(key_parse(names[i], &key), "parse %s", names[i]);
        key_format(key, buf, sizeof(buf));
        if (strcmp(names[i], "<") == 0)
            ck_assert_str_eq(buf, "<lt>");
        else if (strcmp(names[i], "<Hash>") == 0)
            ck_assert_str_eq(buf, "<Hash>");
        else
            ck_assert_str_eq(buf, names[i]);
    }
}
END_TEST

START_TEST(test_key_values_and_aliases)
{
    int key;

    ck_assert(key_parse("<C-c>", &key) && key == 3);
    ck_assert(key_parse("<c-C>", &key) && key == 3);
    ck_assert(key_parse("<enter>", &key) && key == '\n');
    ck_assert(key_parse("<C-m>", &key) && key == KEYC_ENTER);
    ck_assert(key_parse("<C-i>", &key) && key == KEYC_TAB);
    ck_assert(key_parse("<C-[>", &key) && key == KEYC_ESC);
    ck_assert(key_parse("<Escape>", &key) && key == KEYC_ESC);
    ck_assert(key_parse("<PageDown>", &key) && key == KEYC_PGDN);
    ck_assert(key_parse("<S-Tab>", &key) && key == KEYC_BACKTAB);
    ck_assert(key_parse("<lt>", &key) && key == '<');
    ck_assert(key_parse("<F7>", &key) && key == KEYC_F(7));
    ck_assert(!key_parse("", &key));
    ck_assert(!key_parse("jj", &key));
    ck_assert(!key_parse(" ", &key));
    ck_assert(!key_parse("<F13>", &key));
    ck_assert(!key_parse("<F0>", &key));
    ck_assert(!key_parse("<Nope>", &key));
    ck_assert(!key_parse("<C-1>", &key));
    ck_assert(!key_parse("<>", &key));
    ck_assert(!key_parse("\xff", &key));
}
END_TEST

START_TEST(test_requests)
{
    enum request req;

    ck_assert(request_parse("move-down", &req) && req == REQ_MOVE_DOWN);
    ck_assert_str_eq(request_name(REQ_QUIT), "quit");
    ck_assert_str_eq(request_label(REQ_FILTER), "Filter");
    ck_assert_ptr_null(request_label(REQ_MOVE_UP));
    ck_assert(request_help(REQ_TOGGLE_PROBLEMS)[0] != '\0');
    ck_assert(!request_parse("nope", &req));
    ck_assert_ptr_null(request_name((enum request)42));
    ck_assert_int_gt(REQ_NONE, KEYC_END_);
    /* every request has a distinct name that parses back to it */
    for (int r = REQ_BASE; r < REQ_BASE + REQ_COUNT; r++) {
        ck_assert(request_parse(request_name((enum request)r), &req));
        ck_assert_int_eq(req, r);
    }
}
END_TEST

START_TEST(test_default_keymap_loads_clean)
{
    struct keymap *km = keymap_new();
    struct strbuf warn;
    struct keymap_action a;
    const char *table_chain[] = {"nodes", "table", "generic", NULL};
    const char *text_chain[] = {"help", "text", "generic", NULL};

    strbuf_init(&warn);
    ck_assert_uint_eq(keymap_load(km, keymap_default_text(), "default", NULL, collect, &warn), 0);
    ck_assert_str_eq(strbuf_str(&warn), "");
    ck_assert(keymap_lookup(km, table_chain, 'q', &a) && a.req == REQ_QUIT);
    ck_assert(keymap_lookup(km, table_chain, 3, &a) && a.req == REQ_QUIT);
    ck_assert(keymap_lookup(km, table_chain, 'j', &a) && a.req == REQ_MOVE_DOWN);
    ck_assert(keymap_lookup(km, table_chain, '/', &a) && a.req == REQ_FILTER);
    ck_assert(keymap_lookup(km, table_chain, 'N', &a) && a.req == REQ_SORT_NAME);
    ck_assert(keymap_lookup(km, table_chain, KEYC_F(4), &a) && a.req == REQ_FILTER);
    /* the same key means what the widget needs */
    ck_assert(keymap_lookup(km, text_chain, '/', &a) && a.req == REQ_SEARCH);
    ck_assert(keymap_lookup(km, text_chain, 'N', &a) && a.req == REQ_SEARCH_PREV);
    ck_assert(!keymap_lookup(km, text_chain, 'x', &a));
    keymap_free(km);
    strbuf_done(&warn);
}
END_TEST

START_TEST(test_specific_section_wins_and_none_hides)
{
    struct keymap *km = keymap_new();
    struct keymap_action a;
    const char *chain[] = {"pods", "table", "generic", NULL};
    unsigned bad;

    bad = keymap_load(km,
                      "bind generic x quit\n"
                      "bind table x detail\n"
                      "bind pods x enter   # the view's own meaning\n"
                      "bind pods q none\n"
                      "bind generic q quit\n"
                      "bind generic <F2> :ctx prod  \n",
                      "t", NULL, NULL, NULL);
    ck_assert_uint_eq(bad, 0);
    ck_assert(keymap_lookup(km, chain, 'x', &a) && a.req == REQ_ENTER);
    ck_assert(keymap_lookup(km, chain + 1, 'x', &a) && a.req == REQ_DETAIL);
    ck_assert(keymap_lookup(km, chain + 2, 'x', &a) && a.req == REQ_QUIT);
    ck_assert(keymap_lookup(km, chain, 'q', &a) && a.req == REQ_NONE && !a.cmd);
    ck_assert(keymap_lookup(km, chain, KEYC_F(2), &a) && a.cmd);
    ck_assert_str_eq(a.cmd, "ctx prod");
    /* rebinding replaces */
    keymap_bind(km, "generic", 'x', REQ_HELP, NULL);
    ck_assert(keymap_lookup(km, chain + 2, 'x', &a) && a.req == REQ_HELP);
    keymap_bind(km, "generic", 'x', REQ_NONE, "nodes");
    ck_assert(keymap_lookup(km, chain + 2, 'x', &a) && a.cmd && strcmp(a.cmd, "nodes") == 0);
    keymap_free(km);
}
END_TEST

START_TEST(test_bad_lines_warn_and_loading_goes_on)
{
    struct keymap *km = keymap_new();
    struct strbuf warn;
    struct keymap_action a;
    const char *sections[] = {"generic", "table", "text", "nodes", NULL};
    const char *chain[] = {"nodes", "table", "generic", NULL};
    unsigned bad;

    strbuf_init(&warn);
    bad = keymap_load(km,
                      "# my keys\n"
                      "\n"
                      "bind generic x quit\n"
                      "bind generic <Nope> quit\n"
                      "bind generic y fly-away\n"
                      "bind pods z quit\n"
                      "bind generic\n"
                      "map generic a quit\n"
                      "bind generic b quit extra\n"
                      "bind generic c :\n"
                      "bind nodes w detail\r\n",
                      "keymap", sections, collect, &warn);
    ck_assert_uint_eq(bad, 7);
    ck_assert_str_eq(strbuf_str(&warn),
                     "keymap:4: unknown key '<Nope>'\n"
                     "keymap:5: unknown request 'fly-away'\n"
                     "keymap:6: unknown keymap 'pods'\n"
                     "keymap:7: expected: bind <keymap> <key> <request>\n"
                     "keymap:8: unknown directive 'map' (expected: bind <keymap> <key> <request>)\n"
                     "keymap:9: unexpected 'extra' after the request\n"
                     "keymap:10: empty command after ':'\n");
    ck_assert(keymap_lookup(km, chain, 'x', &a) && a.req == REQ_QUIT);
    ck_assert(keymap_lookup(km, chain, 'w', &a) && a.req == REQ_DETAIL);
    ck_assert(!keymap_lookup(km, chain, 'y', &a));
    ck_assert(!keymap_lookup(km, chain, 'b', &a));
    keymap_free(km);
    strbuf_done(&warn);
}
END_TEST

START_TEST(test_load_file)
{
    char path[] = "/tmp/test-keymap-XXXXXX";
    int fd = mkstemp(path);
    struct keymap *km = keymap_new();
    struct strbuf warn;
    struct keymap_action a;
    const char *chain[] = {"generic", NULL};
    const char text[] = "bind generic Q quit\nbind generic W wat\n";
    unsigned bad = 99;
    char expect[256];

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    strbuf_init(&warn);
    ck_assert_int_eq(keymap_load_file(km, path, NULL, collect, &warn, &bad), STATUS_OK);
    ck_assert_uint_eq(bad, 1);
    snprintf(expect, sizeof(expect), "%s:2: unknown request 'wat'\n", path);
    ck_assert_str_eq(strbuf_str(&warn), expect);
    ck_assert(keymap_lookup(km, chain, 'Q', &a) && a.req == REQ_QUIT);
    unlink(path);
    ck_assert_int_eq(keymap_load_file(km, path, NULL, collect, &warn, &bad), STATUS_IO);
    ck_assert_ptr_nonnull(strstr(status_text(), "No such file"));
    keymap_free(km);
    strbuf_done(&warn);
}
END_TEST

START_TEST(test_binding_iteration_in_key_order)
{
    struct keymap *km = keymap_new();
    struct keymap_action a;
    int key, prev = -1;
    size_t n = 0;

    keymap_load(km, keymap_default_text(), "default", NULL, NULL, NULL);
    while (keymap_binding(km, "table", n, &key, &a)) {
        ck_assert_int_gt(key, prev);
        prev = key;
        n++;
    }
    ck_assert_uint_gt(n, 10);
    ck_assert(!keymap_binding(km, "nope", 0, &key, &a));
    keymap_free(km);
}
END_TEST

static Suite *
keymap_suite(void)
{
    Suite *s = suite_create("keymap");
    TCase *tc = tcase_create("keymap");

    tcase_add_test(tc, test_key_names_round_trip);
    tcase_add_test(tc, test_key_values_and_aliases);
    tcase_add_test(tc, test_requests);
    tcase_add_test(tc, test_default_keymap_loads_clean);
    tcase_add_test(tc, test_specific_section_wins_and_none_hides);
    tcase_add_test(tc, test_bad_lines_warn_and_loading_goes_on);
    tcase_add_test(tc, test_load_file);
    tcase_add_test(tc, test_binding_iteration_in_key_order);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(keymap_suite());
}
