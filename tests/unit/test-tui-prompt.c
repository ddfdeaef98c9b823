/* SPDX-License-Identifier: MIT */
/* test-tui-prompt.c - the prompt's line editing, history walk, completion and rendering */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/keymap.h"
#include "opsdeck/prompt.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

static void
type(struct prompt *p, const char *s)
{
    int key;
    char one[32];

    /* one key per UTF-8 character, or <Name> */
    while (*s) {
        size_t n = 1;

        if (*s == '<' && strchr(s, '>') && s[1] != '>') {
            n = (size_t)(strchr(s, '>') - s) + 1;
        } else {
            while (((unsigned char)s[n] & 0xC0) == 0x80)
                n++;
        }
        ck_assert(n < sizeof(one));
        memcpy(one, s, n);
        one[n] = '\0';
        if (strcmp(one, " ") == 0)
            key = ' ';
        else
            ck_assert_msg(key_parse(one, &key), "key %s", one);
        prompt_key(p, key);
        s += n;
    }
}

static void
setup(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
}

START_TEST(test_editing)
{
    struct prompt *p = prompt_new(":");

    prompt_start(p, NULL, NULL);
    ck_assert_str_eq(prompt_text(p), "");
    ck_assert_int_eq(prompt_key(p, 'p'), PROMPT_EDITED);
    type(p, "ods");
    ck_assert_str_eq(prompt_text(p), "pods");
    type(p, "<Left><Left>X");
    ck_assert_str_eq(prompt_text(p), "poXds");
    type(p, "<Backspace><Del>");
    ck_assert_str_eq(prompt_text(p), "pos");
    type(p, "<Home>:<End>!");
    ck_assert_str_eq(prompt_text(p), ":pos!");
    type(p, "<C-a><C-d><C-e><C-h>");
    ck_assert_str_eq(prompt_text(p), "pos");
    ck_assert_int_eq(prompt_key(p, KEYC_RIGHT), PROMPT_IGNORED);
    ck_assert_int_eq(prompt_key(p, KEYC_DEL), PROMPT_IGNORED);
    type(p, " dp-max  catapp");
    type(p, "<C-w>");
    ck_assert_str_eq(prompt_text(p), "pos dp-max  ");
    type(p, "<C-w>");
    ck_assert_str_eq(prompt_text(p), "pos ");
    type(p, "<Left><Left><C-k>");
    ck_assert_str_eq(prompt_text(p), "po");
    type(p, "<Left><C-u>");
    ck_assert_str_eq(prompt_text(p), "o");
    ck_assert_int_eq(prompt_key(p, KEYC_CTRL('u')), PROMPT_IGNORED);
    /* wide characters are single units */
    prompt_start(p, "日本", NULL);
    type(p, "<Left>x<Backspace><Backspace>");
    ck_assert_str_eq(prompt_text(p), "本");
    /* control keys never get into the text */
    ck_assert_int_eq(prompt_key(p, KEYC_CTRL('g')), PROMPT_IGNORED);
    ck_assert_int_eq(prompt_key(p, KEYC_F(1)), PROMPT_IGNORED);
    ck_assert_str_eq(prompt_text(p), "本");
    ck_assert_int_eq(prompt_key(p, KEYC_ENTER), PROMPT_ACCEPT);
    ck_assert_int_eq(prompt_key(p, KEYC_ESC), PROMPT_CANCEL);
    ck_assert_str_eq(prompt_name(p), ":");
    prompt_free(p);
}
END_TEST

START_TEST(test_history_walk)
{
    struct prompt *p = prompt_new("/");
    const char *hist[] = {"newest", "middle", "oldest", NULL};

    prompt_start(p, NULL, strv_dup(hist));
    type(p, "dra");
    ck_assert_int_eq(prompt_key(p, KEYC_UP), PROMPT_EDITED);
    ck_assert_str_eq(prompt_text(p), "newest");
    type(p, "<Up><Up>");
    ck_assert_str_eq(prompt_text(p), "oldest");
    ck_assert_int_eq(prompt_key(p, KEYC_UP), PROMPT_IGNORED);
    type(p, "<Down>");
    ck_assert_str_eq(prompt_text(p), "middle");
    type(p, "<Down><Down>");
    ck_assert_str_eq(prompt_text(p), "dra"); /* the draft is back */
    ck_assert_int_eq(prompt_key(p, KEYC_DOWN), PROMPT_IGNORED);
    type(p, "<C-p>!");
    ck_assert_str_eq(prompt_text(p), "newest!");
    /* a new start forgets the old history */
    prompt_start(p, "x", NULL);
    ck_assert_int_eq(prompt_key(p, KEYC_UP), PROMPT_IGNORED);
    prompt_free(p);
}
END_TEST

static void
commands(void *arg, const char *prefix, struct vec *out)
{
    static const char *const names[] = {"nodes", "nodepools", "namespaces", "pods", "quit", NULL};

    (void)arg;
    for (size_t i = 0; names[i]; i++)
        if (strncmp(names[i], prefix, strlen(prefix)) == 0)
            vec_push(out, xstrdup(names[i]));
}

START_TEST(test_completion)
{
    struct prompt *p = prompt_new(":");

    prompt_set_completer(p, commands, NULL);
    prompt_start(p, "po", NULL);
    ck_assert_int_eq(prompt_key(p, KEYC_TAB), PROMPT_EDITED);
    ck_assert_str_eq(prompt_text(p), "pods ");
    prompt_start(p, "no", NULL);
    ck_assert_int_eq(prompt_key(p, KEYC_TAB), PROMPT_EDITED);
    ck_assert_str_eq(prompt_text(p), "node");
    ck_assert_str_eq(prompt_hint(p), "nodepools  nodes");
    ck_assert_int_eq(prompt_key(p, KEYC_TAB), PROMPT_MOVED); /* nothing more to add */
    ck_assert_str_eq(prompt_hint(p), "nodepools  nodes");
    type(p, "s");
    ck_assert_str_eq(prompt_hint(p), "");
    prompt_start(p, "zz", NULL);
    ck_assert_int_eq(prompt_key(p, KEYC_TAB), PROMPT_IGNORED);
    /* only the first word, at its end */
    prompt_start(p, "pods dp", NULL);
    ck_assert_int_eq(prompt_key(p, KEYC_TAB), PROMPT_IGNORED);
    prompt_free(p);
}
END_TEST

START_TEST(test_render_scrolls_to_cursor)
{
    struct prompt *p = prompt_new("/");
    struct strbuf sb;
    size_t col;

    strbuf_init(&sb);
    prompt_start(p, "api.breacher", NULL);
    prompt_render(p, 40, 0, &sb, &col);
    ck_assert_str_eq(strbuf_str(&sb), "/api.breacher");
    ck_assert_uint_eq(col, 13);
    /* narrow: the start scrolls away, the cursor stays on screen */
    strbuf_reset(&sb);
    prompt_render(p, 8, 0, &sb, &col);
    ck_assert_str_eq(strbuf_str(&sb), "/eacher");
    ck_assert_uint_eq(col, 7);
    type(p, "<Home>");
    strbuf_reset(&sb);
    prompt_render(p, 8, 0, &sb, &col);
    ck_assert_str_eq(strbuf_str(&sb), "/api.br…");
    ck_assert_uint_eq(col, 1);
    /* a pasted escape is shown, not sent */
    prompt_start(p, NULL, NULL);
    prompt_key(p, 0x1B5B); /* not a control: an ordinary character */
    prompt_start(p, "a\x1b[31mb", NULL);
    strbuf_reset(&sb);
    prompt_render(p, 40, 0, &sb, &col);
    ck_assert_str_eq(strbuf_str(&sb), "/a^[[31mb");
    ck_assert_uint_eq(col, 9);
    /* wide characters: whole or not at all */
    prompt_start(p, "日本語日本語", NULL);
    strbuf_reset(&sb);
    prompt_render(p, 8, 0, &sb, &col);
    ck_assert_uint_le(col, 7);
    ck_assert_uint_le(sanitize_width(sb.buf, sb.len, 0), 8);
    strbuf_done(&sb);
    prompt_free(p);
}
END_TEST

static Suite *
prompt_suite(void)
{
    Suite *s = suite_create("prompt");
    TCase *tc = tcase_create("prompt");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_editing);
    tcase_add_test(tc, test_history_walk);
    tcase_add_test(tc, test_completion);
    tcase_add_test(tc, test_render_scrolls_to_cursor);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(prompt_suite());
}
