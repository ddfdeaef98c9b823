/* SPDX-License-Identifier: MIT */
/* test-yaml.c - the YAML tree: structure, lines, aliases, bounds, strict getters */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "opsdeck/yamltree.h"
#include "testlib.h"

static struct yamltree *
parse_ok(const char *text)
{
    struct yamltree *t = NULL;
    enum status st = yamltree_parse_buffer("t.yml", text, strlen(text), NULL, &t);

    ck_assert_msg(st == STATUS_OK, "parse failed: %s", status_text());
    ck_assert_ptr_nonnull(t);
    return t;
}

/* Parses text expecting failure with code; the message must contain want. */
static void
parse_fails(const char *text, const struct yamltree_limits *lim, enum status code, const char *want)
{
    struct yamltree *t = (struct yamltree *)&t;
    enum status st;

    status_clear();
    st = yamltree_parse_buffer("t.yml", text, strlen(text), lim, &t);
    ck_assert_msg(st == code, "expected status %d, got %d (%s)", code, st, status_text());
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(status_text(), want), "message \"%s\" lacks \"%s\"", status_text(), want);
}

static void
assert_text(const char *want)
{
    ck_assert_msg(strcmp(status_text(), want) == 0, "message \"%s\", want \"%s\"", status_text(),
                  want);
}

START_TEST(test_structure_and_lines)
{
    struct yamltree *t = parse_ok("# comment\n"
                                  "name: deploy\n"
                                  "list:\n"
                                  "  - a\n"
                                  "  - {x: 1, y: [2, 3]}\n"
                                  "quoted: \"q\"\n"
                                  "empty:\n");
    const struct ynode *root, *list, *item, *y;
    char *path;

    ck_assert_uint_eq(t->ndocs, 1);
    root = t->docs[0];
    ck_assert_int_eq(root->type, YNODE_MAPPING);
    ck_assert_uint_eq(root->npairs, 4);
    ck_assert_str_eq(root->pairs[0].key->scalar, "name");
    ck_assert_str_eq(ynode_get(root, "name")->scalar, "deploy");
    ck_assert_int_eq(ynode_get(root, "name")->line, 2);
    ck_assert_int_eq(ynode_get(root, "name")->column, 7);
    ck_assert(ynode_get(root, "name")->plain);
    ck_assert(!ynode_get(root, "quoted")->plain);
    ck_assert(ynode_is_null(ynode_get(root, "empty")));
    ck_assert_ptr_null(ynode_get(root, "absent"));
    list = ynode_get(root, "list");
    ck_assert_int_eq(list->type, YNODE_SEQUENCE);
    ck_assert_uint_eq(list->nitems, 2);
    item = list->items[1];
    ck_assert_int_eq(item->line, 5);
    y = ynode_get(item, "y");
    ck_assert_uint_eq(y->nitems, 2);
    path = ynode_path(y->items[1]);
    ck_assert_str_eq(path, "list[1].y[1]");
    free(path);
    path = ynode_path(root);
    ck_assert_str_eq(path, "");
    free(path);
    ck_assert_str_eq(t->file, "t.yml");
    /* the key node: its own line (the value may start below it) and a path ending in it */
    {
        struct yamltree *u = parse_ok("a:\n  zones:\n    dmz: [x]\n");
        const struct ynode *a = ynode_get(u->docs[0], "a");
        const struct ynode *k = ynode_get_key(a, "zones");

        ck_assert_int_eq(k->line, 2);
        ck_assert_int_eq(ynode_get(a, "zones")->line, 3);
        path = ynode_path(k);
        ck_assert_str_eq(path, "a.zones");
        free(path);
        ck_assert_ptr_null(ynode_get_key(a, "absent"));
        ck_assert_ptr_null(ynode_get_key(k, "zones"));
        ck_assert_int_eq(ynode_fail(k, "not yet"), STATUS_CONFIG);
        ck_assert_str_eq(status_text(), "t.yml:2: a.zones: not yet");
        yamltree_free(u);
    }
    yamltree_free(t);
    yamltree_free(NULL);
}
END_TEST

START_TEST(test_multi_document)
{
    struct yamltree *t = parse_ok("---\na: 1\n---\n- x\n...\n---\nplain\n");

    ck_assert_uint_eq(t->ndocs, 3);
    ck_assert_int_eq(t->docs[0]->type, YNODE_MAPPING);
    ck_assert_int_eq(t->docs[1]->type, YNODE_SEQUENCE);
    ck_assert_str_eq(t->docs[2]->scalar, "plain");
    ck_assert_int_eq(t->docs[2]->line, 7);
    yamltree_free(t);

    t = parse_ok("");
    ck_assert_uint_eq(t->ndocs, 0);
    yamltree_free(t);
    t = parse_ok("# only a comment\n\n");
    ck_assert_uint_eq(t->ndocs, 0);
    yamltree_free(t);
}
END_TEST

START_TEST(test_aliases_and_merge)
{
    struct yamltree *t = parse_ok("base: &b\n"
                                  "  user: deploy\n"
                                  "  port: 3100\n"
                                  "extra: &e {tls: true}\n"
                                  "loki:\n"
                                  "  <<: [*b, *e]\n"
                                  "  port: 443\n"
                                  "copy: *b\n"
                                  "inline:\n"
                                  "  <<: &m {k: v}\n"
                                  "again: *m\n"
                                  "names: [&n x, *n]\n");
    const struct ynode *root = t->docs[0], *loki, *copy, *again, *names;
    char *path;

    loki = ynode_get(root, "loki");
    ck_assert_uint_eq(loki->npairs, 3);
    ck_assert_str_eq(ynode_get(loki, "port")->scalar, "443"); /* written key wins */
    ck_assert_str_eq(ynode_get(loki, "user")->scalar, "deploy");
    ck_assert_str_eq(ynode_get(loki, "tls")->scalar, "true");
    ck_assert_ptr_null(ynode_get(loki, "<<"));
    path = ynode_path(ynode_get(loki, "user"));
    ck_assert_str_eq(path, "loki.user");
    free(path);
    copy = ynode_get(root, "copy");
    ck_assert_uint_eq(copy->npairs, 2);
    ck_assert_int_eq(copy->line, 8);
    path = ynode_path(ynode_get(copy, "port"));
    ck_assert_str_eq(path, "copy.port");
    free(path);
    /* an anchor set on a merge source stays usable after the mapping */
    again = ynode_get(root, "again");
    ck_assert_str_eq(ynode_get(again, "k")->scalar, "v");
    ck_assert_str_eq(ynode_get(ynode_get(root, "inline"), "k")->scalar, "v");
    names = ynode_get(root, "names");
    ck_assert_str_eq(names->items[1]->scalar, "x");
    yamltree_free(t);
}
END_TEST

START_TEST(test_alias_errors)
{
    struct yamltree_limits small = {.max_nodes = 1000};

    parse_fails("a: *nope\n", NULL, STATUS_YAML, "t.yml:1: alias *nope names no anchor");
    parse_fails("a: &x\n  b: *x\n", NULL, STATUS_YAML,
                "t.yml:2: alias *x refers to a node that contains it");
    parse_fails("a: &x [1, *x]\n", NULL, STATUS_YAML, "refers to a node that contains it");
    parse_fails("a: {<<: 3}\n", NULL, STATUS_YAML,
                "t.yml:1: <<: expected a mapping or a sequence of mappings, got an integer");
    parse_fails("a: {<<: [x]}\n", NULL, STATUS_YAML, "<<: expected a mapping, got a string");
    /* billion laughs: each level doubles; the node bound stops it */
    parse_fails("a: &a [x, x]\n"
                "b: &b [*a, *a]\n"
                "c: &c [*b, *b]\n"
                "d: &d [*c, *c]\n"
                "e: &e [*d, *d]\n"
                "f: &f [*e, *e]\n"
                "g: &g [*f, *f]\n"
                "h: &h [*g, *g]\n"
                "i: &i [*h, *h]\n"
                "j: &j [*i, *i]\n",
                &small, STATUS_TOOLARGE, "more than 1000 YAML nodes");
    parse_fails("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
                NULL, STATUS_TOOLARGE, "more than 250000 YAML nodes");
}
END_TEST

START_TEST(test_structure_errors)
{
    parse_fails("a: 1\nb: 2\na: 3\n", NULL, STATUS_YAML,
                "t.yml:3: a: duplicate key (first at line 1)");
    parse_fails("x:\n  y:\n    k: 1\n    k: 2\n", NULL, STATUS_YAML,
                "t.yml:4: x.y.k: duplicate key (first at line 3)");
    parse_fails("? [a, b]\n: c\n", NULL, STATUS_YAML, "t.yml:1: complex mapping keys");
    parse_fails("\"a\\0b\": 1\n", NULL, STATUS_YAML, "t.yml:1: a mapping key holds a NUL byte");
}
END_TEST

START_TEST(test_syntax_errors)
{
    /* the message names file, line and column, and libyaml's problem */
    parse_fails("a: b: c\n", NULL, STATUS_YAML,
                "t.yml:1:5: mapping values are not allowed in this context");
    parse_fails("a:\n  - x\n  y: 1\n", NULL, STATUS_YAML, "t.yml:3:3: did not find expected");
    parse_fails("a: \"open\nb: 1\n", NULL, STATUS_YAML,
                "found unexpected end of stream while scanning a quoted scalar (line 1)");
    parse_fails("a: [1, 2\n", NULL, STATUS_YAML, "t.yml:2:1: did not find expected ',' or ']'");
    parse_fails("a:\n\tb: 1\n", NULL, STATUS_YAML, "t.yml:2:1: found character that cannot");
    parse_fails("a: \xff\xfe\n", NULL, STATUS_YAML, "t.yml: byte 3: invalid");
    parse_fails("a: !!binary [\n", NULL, STATUS_YAML, "t.yml:2:1:");
}
END_TEST

START_TEST(test_bounds)
{
    struct yamltree_limits tiny = {.max_bytes = 8};
    struct yamltree_limits shallow = {.max_depth = 3};
    struct strbuf deep;
    struct yamltree *t;

    parse_fails("name: deploy-mcp\n", &tiny, STATUS_TOOLARGE, "t.yml: larger than 8 bytes");
    parse_fails("a: {b: {c: [1]}}\n", &shallow, STATUS_TOOLARGE,
                "t.yml:1: nested deeper than 3 levels");
    t = NULL;
    ck_assert_int_eq(yamltree_parse_buffer("t.yml", "a: {b: [1]}\n", 12, &shallow, &t), STATUS_OK);
    yamltree_free(t);
    /* the default depth bound holds against a hostile nesting */
    strbuf_init(&deep);
    for (int i = 0; i < 10000; i++)
        strbuf_putc(&deep, '[');
    parse_fails(strbuf_str(&deep), NULL, STATUS_TOOLARGE, "nested deeper than 64 levels");
    strbuf_done(&deep);
}
END_TEST

START_TEST(test_files)
{
    char dir[] = "/tmp/test-yaml-XXXXXX";
    char *path, *big;
    struct yamltree *t = NULL;
    struct yamltree_limits lim = {.max_bytes = 100};
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = xasprintf("%s/missing.yml", dir);
    ck_assert_int_eq(yamltree_parse_file(path, NULL, &t), STATUS_IO);
    ck_assert_ptr_null(t);
    big = xasprintf("%s: No such file or directory", path);
    assert_text(big);
    free(big);

    f = fopen(path, "w");
    for (int i = 0; i < 50; i++)
        fprintf(f, "k%d: v\n", i);
    fclose(f);
    ck_assert_int_eq(yamltree_parse_file(path, &lim, &t), STATUS_TOOLARGE);
    ck_assert_ptr_nonnull(strstr(status_text(), "larger than 100 bytes"));
    ck_assert_int_eq(yamltree_parse_file(path, NULL, &t), STATUS_OK);
    ck_assert_str_eq(t->file, path);
    ck_assert_uint_eq(t->docs[0]->npairs, 50);
    ck_assert_str_eq(t->docs[0]->pairs[0].value->file, path);
    yamltree_free(t);
    unlink(path);
    rmdir(dir);
    free(path);
}
END_TEST

START_TEST(test_booleans)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                      "on",   "On",   "ON",   "y",   "Y"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
                                     "off",   "Off",   "OFF",   "n",  "N"};

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        char *text = xasprintf("a: %s\nb: %s\n", yes[i], no[i]);
        struct yamltree *t = parse_ok(text);
        bool a = false, b = true;

        ck_assert_int_eq(ynode_get_bool(t->docs[0], "a", &a), STATUS_OK);
        ck_assert_int_eq(ynode_get_bool(t->docs[0], "b", &b), STATUS_OK);
        ck_assert_msg(a && !b, "%s / %s", yes[i], no[i]);
        ck_assert_str_eq(ynode_kind(ynode_get(t->docs[0], "a")), "a boolean");
        yamltree_free(t);
        free(text);
    }
    {
        struct yamltree *t = parse_ok("q: \"true\"\nw: tRUE\nm: {}\nn:\n");
        bool v = true;

        ck_assert_int_eq(ynode_get_bool(t->docs[0], "q", &v), STATUS_CONFIG);
        assert_text("t.yml:1: q: expected a boolean (true or false), got \"true\"");
        ck_assert_int_eq(ynode_get_bool(t->docs[0], "w", &v), STATUS_CONFIG);
        assert_text("t.yml:2: w: expected a boolean (true or false), got \"tRUE\"");
        ck_assert_int_eq(ynode_get_bool(t->docs[0], "m", &v), STATUS_CONFIG);
        assert_text("t.yml:3: m: expected a boolean (true or false), got a mapping");
        /* null and absent keep the default */
        ck_assert_int_eq(ynode_get_bool(t->docs[0], "n", &v), STATUS_OK);
        ck_assert_int_eq(ynode_get_bool(t->docs[0], "absent", &v), STATUS_OK);
        ck_assert(v);
        yamltree_free(t);
    }
}
END_TEST

START_TEST(test_integers)
{
    struct yamltree *t = parse_ok("console:\n"
                                  "  refresh: 5\n"
                                  "  neg: -1\n"
                                  "  plus: +7\n"
                                  "  huge: 99999999999999999999999\n"
                                  "  text: fast\n"
                                  "  quoted: '5'\n"
                                  "  float: 2.5\n"
                                  "  list: [1]\n");
    const struct ynode *c = ynode_get(t->docs[0], "console");
    long long v = 0;

    ck_assert_int_eq(ynode_get_int(c, "refresh", 1, 3600, &v), STATUS_OK);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(ynode_get_int(c, "plus", 1, 3600, &v), STATUS_OK);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(ynode_get_int(c, "neg", 1, 3600, &v), STATUS_CONFIG);
    assert_text("t.yml:3: console.neg: expected an integer from 1 to 3600, got -1");
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(ynode_get_int(c, "huge", 1, 3600, &v), STATUS_CONFIG);
    ck_assert_ptr_nonnull(strstr(status_text(), "t.yml:5: console.huge: expected an integer"));
    ck_assert_int_eq(ynode_get_int(c, "text", 1, 3600, &v), STATUS_CONFIG);
    assert_text("t.yml:6: console.text: expected an integer from 1 to 3600, got \"fast\"");
    ck_assert_int_eq(ynode_get_int(c, "quoted", 1, 3600, &v), STATUS_CONFIG);
    assert_text("t.yml:7: console.quoted: expected an integer from 1 to 3600, got \"5\"");
    ck_assert_int_eq(ynode_get_int(c, "float", 1, 3600, &v), STATUS_CONFIG);
    ck_assert_int_eq(ynode_get_int(c, "list", 1, 3600, &v), STATUS_CONFIG);
    assert_text("t.yml:9: console.list: expected an integer from 1 to 3600, got a sequence");
    ck_assert_int_eq(ynode_get_int(c, "absent", 1, 3600, &v), STATUS_OK);
    ck_assert_int_eq(v, 7);
    yamltree_free(t);
}
END_TEST

START_TEST(test_strings_and_types)
{
    struct yamltree *t = parse_ok("token: 12345\n"
                                  "flag: true\n"
                                  "name: 'x'\n"
                                  "tagged: !!str yes\n"
                                  "nul: \"a\\0b\"\n"
                                  "map: {a: 1}\n"
                                  "seq: [a]\n"
                                  "tilde: ~\n");
    const struct ynode *root = t->docs[0];
    char *s = xstrdup("old");
    bool b;

    ck_assert_int_eq(ynode_get_string(root, "token", &s), STATUS_OK);
    ck_assert_str_eq(s, "12345");
    ck_assert_int_eq(ynode_get_string(root, "flag", &s), STATUS_OK);
    ck_assert_str_eq(s, "true");
    ck_assert_int_eq(ynode_get_string(root, "tilde", &s), STATUS_OK);
    ck_assert_str_eq(s, "true");
    ck_assert_int_eq(ynode_get_string(root, "map", &s), STATUS_CONFIG);
    assert_text("t.yml:6: map: expected a string, got a mapping");
    ck_assert_int_eq(ynode_get_string(root, "seq", &s), STATUS_CONFIG);
    assert_text("t.yml:7: seq: expected a string, got a sequence");
    ck_assert_int_eq(ynode_get_string(root, "nul", &s), STATUS_CONFIG);
    assert_text("t.yml:5: nul: the string holds a NUL byte");
    ck_assert_str_eq(s, "true");
    free(s);
    ck_assert_int_eq(ynode_bool(ynode_get(root, "tagged"), &b), STATUS_CONFIG);
    ck_assert_str_eq(ynode_kind(ynode_get(root, "tagged")), "a string");
    ck_assert_str_eq(ynode_kind(ynode_get(root, "token")), "an integer");
    ck_assert_str_eq(ynode_kind(ynode_get(root, "tilde")), "null");
    ck_assert_int_eq(ynode_expect_map(ynode_get(root, "seq")), STATUS_CONFIG);
    assert_text("t.yml:7: seq: expected a mapping, got a sequence");
    ck_assert_int_eq(ynode_expect_seq(ynode_get(root, "map")), STATUS_CONFIG);
    assert_text("t.yml:6: map: expected a sequence, got a mapping");
    ck_assert_int_eq(ynode_expect_map(root), STATUS_OK);
    ck_assert_int_eq(ynode_expect_seq(root), STATUS_CONFIG);
    assert_text("t.yml:1: expected a sequence, got a mapping");
    yamltree_free(t);
}
END_TEST

START_TEST(test_unknown_keys)
{
    static const char *const top[] = {"name", "readonly", "production", "console", NULL};
    static const char *const console[] = {"refresh", "utc", "theme", NULL};
    struct yamltree *t = parse_ok("name: x\n"
                                  "readonyl: true\n");
    struct yamltree *u = parse_ok("console:\n"
                                  "  refresh: 2\n"
                                  "  colour: red\n");

    ck_assert_int_eq(ynode_check_keys(t->docs[0], top), STATUS_CONFIG);
    assert_text("t.yml:2: readonyl: unknown key (did you mean readonly?)");
    ck_assert_int_eq(ynode_check_keys(u->docs[0], top), STATUS_OK);
    ck_assert_int_eq(ynode_check_keys(ynode_get(u->docs[0], "console"), console), STATUS_CONFIG);
    assert_text("t.yml:3: console.colour: unknown key");
    ck_assert_int_eq(
        ynode_check_keys(ynode_get(ynode_get(u->docs[0], "console"), "refresh"), console),
        STATUS_CONFIG);
    assert_text("t.yml:2: console.refresh: expected a mapping, got an integer");
    yamltree_free(t);
    yamltree_free(u);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("yaml");
    TCase *tc = tcase_create("yaml");

    tcase_add_test(tc, test_structure_and_lines);
    tcase_add_test(tc, test_multi_document);
    tcase_add_test(tc, test_aliases_and_merge);
    tcase_add_test(tc, test_alias_errors);
    tcase_add_test(tc, test_structure_errors);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_bounds);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_booleans);
    tcase_add_test(tc, test_integers);
    tcase_add_test(tc, test_strings_and_types);
    tcase_add_test(tc, test_unknown_keys);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
