/* SPDX-License-Identifier: MIT */
/* test-filter.c - the `/` filter: regex over fields, smart case, `!`, `-l`, bad input */
#include "config.h"

#include "opsdeck/filter.h"

#include <time.h>

#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* The rows of scenarios.md §1: a service's row hands in its name,
 * namespace, tenant, project, hosts and labels as k=v. */
static const char *const api_row[] = {
    "api", "dp-max-catapp", "max", "catapp", "api.breacher.org", NULL, "app=api", "tier=backend",
};
static const char *const web_row[] = {
    "web", "dp-ada-shop", "ada", "shop", "shop.breacher.org", "app=web", "Tier=Frontend",
};

static struct kv_list api_labels;
static struct kv_list web_labels;

static void
labels_init(struct kv_list *l, const char *const (*kv)[2], size_t n)
{
    l->len = n;
    l->items = xcalloc(n, sizeof(*l->items));
    for (size_t i = 0; i < n; i++) {
        l->items[i].key = xstrdup(kv[i][0]);
        l->items[i].value = xstrdup(kv[i][1]);
    }
}

static void
labels_done(struct kv_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
}

static void
setup(void)
{
    static const char *const api_kv[][2] = {{"app", "api"}, {"tier", "backend"}};
    static const char *const web_kv[][2] = {{"Tier", "Frontend"}, {"app", "web"}};

    labels_init(&api_labels, api_kv, ARRAY_SIZE(api_kv));
    labels_init(&web_labels, web_kv, ARRAY_SIZE(web_kv));
}

static void
teardown(void)
{
    labels_done(&api_labels);
    labels_done(&web_labels);
}

static struct filter *
compile_ok(const char *text)
{
    struct filter *f;

    ck_assert_msg(filter_compile(text, &f) == STATUS_OK, "'%s': %s", text, status_text());
    ck_assert_ptr_nonnull(f);
    return f;
}

static bool
api_matches(const char *text)
{
    struct filter *f = compile_ok(text);
    bool hit = filter_match(f, api_row, ARRAY_SIZE(api_row), &api_labels);

    filter_free(f);
    return hit;
}

static bool
web_matches(const char *text)
{
    struct filter *f = compile_ok(text);
    bool hit = filter_match(f, web_row, ARRAY_SIZE(web_row), &web_labels);

    filter_free(f);
    return hit;
}

START_TEST(test_empty)
{
    struct filter *f = compile_ok("");

    ck_assert(filter_is_empty(f));
    ck_assert(filter_is_empty(NULL));
    ck_assert(filter_match(f, api_row, ARRAY_SIZE(api_row), &api_labels));
    ck_assert(filter_match(f, NULL, 0, NULL));
    ck_assert_str_eq(filter_text(f), "");
    filter_free(f);
    filter_free(NULL);
    /* NULL is the empty text */
    f = compile_ok(NULL);
    ck_assert(filter_is_empty(f));
    filter_free(f);
}
END_TEST

START_TEST(test_regex_fields)
{
    /* scenarios §1: the page names a host; the filter finds the service */
    ck_assert(api_matches("api.breacher"));
    ck_assert(!web_matches("api.breacher"));
    /* any field: namespace, tenant, project, labels */
    ck_assert(api_matches("dp-max"));
    ck_assert(api_matches("^catapp$"));
    ck_assert(api_matches("tier=backend"));
    ck_assert(!api_matches("^cat$"));
    ck_assert(web_matches("shop|nothing"));
    ck_assert(web_matches("^w.b$"));
    /* anchors apply to each field, not to a joined row */
    ck_assert(!api_matches("api dp-max"));
    ck_assert(!api_matches("org.dp"));
    /* the NULL field (a row without a host) is skipped, not matched */
    ck_assert(api_matches("backend$"));
}
END_TEST

START_TEST(test_smart_case)
{
    /* lower-case pattern: case-insensitive */
    ck_assert(web_matches("tier=frontend"));
    ck_assert(web_matches("shop.breacher"));
    /* an upper-case letter: case-sensitive */
    ck_assert(!api_matches("API.BREACHER"));
    ck_assert(!web_matches("SHOP"));
    ck_assert(web_matches("Tier=Frontend"));
    ck_assert(!web_matches("Tier=frontend"));
    ck_assert(!api_matches("Api"));
    /* escapes and group names are syntax, not upper-case letters */
    ck_assert(web_matches("\\S+=frontend"));
    ck_assert(web_matches("\\Wfrontend"));
    ck_assert(web_matches("\\p{Lu}ier=frontend"));
    ck_assert(web_matches("\\pLier=frontend"));
    ck_assert(web_matches("(?<Name>frontend)"));
    ck_assert(web_matches("(?P<Name>frontend)(?P=Name)?"));
    ck_assert(web_matches("\\x{41}da"));
    /* but literal text in \Q…\E counts */
    ck_assert(!web_matches("\\QSHOP\\E"));
    ck_assert(web_matches("\\Qshop.\\E"));
}
END_TEST

START_TEST(test_inverse)
{
    ck_assert(!api_matches("!api.breacher"));
    ck_assert(web_matches("!api.breacher"));
    ck_assert(web_matches("!^cat"));
    /* "!" alone is the inverse of everything */
    ck_assert(!api_matches("!"));
    ck_assert(!web_matches("!"));
    struct filter *f = compile_ok("!");
    ck_assert(!filter_is_empty(f));
    ck_assert_str_eq(filter_text(f), "!");
    filter_free(f);
}
END_TEST

START_TEST(test_labels)
{
    ck_assert(api_matches("-l app=api"));
    ck_assert(!web_matches("-l app=api"));
    ck_assert(api_matches("-l app in (api,web),tier"));
    ck_assert(web_matches("-l app in (api,web),!tier"));
    /* label keys and values compare exactly (no smart case in selectors) */
    ck_assert(!web_matches("-l tier=frontend"));
    ck_assert(web_matches("-l Tier=Frontend"));
    /* inverse selector */
    ck_assert(!api_matches("!-l app=api"));
    ck_assert(web_matches("!-l app=api"));
    /* the selector looks at labels, not at the other fields */
    ck_assert(!api_matches("-l catapp"));
    /* "-l" with an empty selector matches everything; "-lx" is a regex */
    ck_assert(api_matches("-l"));
    ck_assert(api_matches("-l   "));
    ck_assert(!api_matches("-lapp"));

    /* rows without labels never match a selector, even a negative one */
    struct filter *f = compile_ok("-l !app");
    ck_assert(!filter_match(f, api_row, ARRAY_SIZE(api_row), NULL));
    filter_free(f);
    f = compile_ok("!-l app=api");
    ck_assert(filter_match(f, api_row, ARRAY_SIZE(api_row), NULL));
    filter_free(f);
}
END_TEST

START_TEST(test_hostile_subjects)
{
    /* invalid UTF-8, controls and escapes in a field: no error, plain matching */
    const char *const row[] = {"ok\xff\xfe-name", "\x1b[31mred\x1b[0m", "\xc3(bad"};
    struct filter *f = compile_ok("name");

    ck_assert(filter_match(f, row, ARRAY_SIZE(row), NULL));
    filter_free(f);
    f = compile_ok("red");
    ck_assert(filter_match(f, row, ARRAY_SIZE(row), NULL));
    filter_free(f);
    f = compile_ok("é");
    ck_assert(!filter_match(f, row, ARRAY_SIZE(row), NULL));
    filter_free(f);
}
END_TEST

START_TEST(test_unicode_caseless)
{
    const char *const row[] = {"Ärger-straße"};
    struct filter *f = compile_ok("ärger");

    ck_assert(filter_match(f, row, 1, NULL));
    filter_free(f);
}
END_TEST

START_TEST(test_pathological_pattern_is_bounded)
{
    char subject[4096];
    const char *row[] = {subject};
    struct timespec t0, t1;
    struct filter *f = compile_ok("^(a|aa)+$");
    double ms;

    memset(subject, 'a', sizeof(subject) - 2);
    subject[sizeof(subject) - 2] = 'b';
    subject[sizeof(subject) - 1] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 10; i++)
        ck_assert(!filter_match(f, row, 1, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    /* bounded by the match limit; without it this would not end */
    ck_assert_msg(ms < 5000, "took %.0f ms", ms);
    filter_free(f);
}
END_TEST

/* Bad filters: STATUS_INVALID, no filter, the reason and the offset in the
 * whole text. */
static const struct {
    const char *text;
    const char *msg;
} bad[] = {
    {"api(", "filter: offset 4: missing closing parenthesis"},
    {"!api(", "filter: offset 5: missing closing parenthesis"},
    {"[z-a]", "filter: offset 3: range out of order in character class"},
    {"*api", "filter: offset 0: quantifier does not follow a repeatable item"},
    {"a{2,1}", "filter: offset 5: numbers out of order in {} quantifier"},
    {"\\", "filter: offset 1: \\ at end of pattern"},
    {"-l app in (", "label selector: offset 11: expected a value, ',' or ')', found the end"},
    {"!-l app=api,", "label selector: offset 12: expected a key after ',', found the end"},
    {"-l a=b c", "label selector: offset 7: expected ',' or the end, found 'c'"},
};

START_TEST(test_errors)
{
    static char poison;
    struct filter *f = (void *)&poison;

    ck_assert_int_eq(filter_compile(bad[_i].text, &f), STATUS_INVALID);
    ck_assert_ptr_null(f);
    ck_assert_msg(strcmp(status_text(), bad[_i].msg) == 0, "'%s': got \"%s\", want \"%s\"",
                  bad[_i].text, status_text(), bad[_i].msg);
}
END_TEST

/* 20,000 rows of 8 fields, matched as a table does on each keystroke: the
 * answer must be right for every row (timing is for bench-cluster). */
START_TEST(test_many_rows)
{
    char names[64], ns[64], host[64];
    const char *row[] = {names, ns, "max", "catapp", host, "app=api", NULL, "tier=web"};
    struct filter *f = compile_ok("api-1\\d*7\\.");
    int hits = 0;

    for (int i = 0; i < 20000; i++) {
        snprintf(names, sizeof(names), "api-%d-x", i);
        snprintf(ns, sizeof(ns), "dp-t%d-p", i % 2000);
        snprintf(host, sizeof(host), "api-%d.breacher.org", i);
        hits += filter_match(f, row, ARRAY_SIZE(row), NULL);
    }
    /* hosts api-1…7.breacher.org: 17, 107…197, 1007…1997, 10007…19997 */
    ck_assert_int_eq(hits, 1 + 10 + 100 + 1000);
    filter_free(f);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("filter");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_regex_fields);
    tcase_add_test(tc, test_smart_case);
    tcase_add_test(tc, test_inverse);
    tcase_add_test(tc, test_labels);
    tcase_add_test(tc, test_hostile_subjects);
    tcase_add_test(tc, test_unicode_caseless);
    tcase_add_test(tc, test_pathological_pattern_is_bounded);
    tcase_add_loop_test(tc, test_errors, 0, ARRAY_SIZE(bad));
    tcase_add_test(tc, test_many_rows);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
