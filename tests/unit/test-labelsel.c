/* SPDX-License-Identifier: MIT */
/* test-labelsel.c - label selectors: every operator, whitespace, errors with offsets */
#include "config.h"

#include "opsdeck/labelsel.h"

#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* Labels of a tenant pod (sorted by key, as the model keeps them). */
static const char *const pod_kv[][2] = {
    {"app", "api"},
    {"dp.ml.ink/project", "catapp"},
    {"dp.ml.ink/tenant", "max"},
    {"empty", ""},
    {"replicas", "3"},
    {"tier", "backend"},
};
static struct kv_list pod_labels;
static const struct kv_list no_labels = {NULL, 0};

static void
setup(void)
{
    pod_labels.len = ARRAY_SIZE(pod_kv);
    pod_labels.items = xcalloc(pod_labels.len, sizeof(*pod_labels.items));
    for (size_t i = 0; i < pod_labels.len; i++) {
        pod_labels.items[i].key = xstrdup(pod_kv[i][0]);
        pod_labels.items[i].value = xstrdup(pod_kv[i][1]);
    }
}

static void
teardown(void)
{
    for (size_t i = 0; i < pod_labels.len; i++) {
        free(pod_labels.items[i].key);
        free(pod_labels.items[i].value);
    }
    free(pod_labels.items);
}

static bool
sel_matches(const char *text, const struct kv_list *labels)
{
    struct labelsel *sel;
    enum status st = labelsel_parse(text, &sel);
    bool hit;

    ck_assert_msg(st == STATUS_OK, "'%s' did not parse: %s", text, status_text());
    hit = labelsel_match(sel, labels);
    labelsel_free(sel);
    return hit;
}

START_TEST(test_equality)
{
    ck_assert(sel_matches("app=api", &pod_labels));
    ck_assert(sel_matches("app==api", &pod_labels));
    ck_assert(!sel_matches("app=web", &pod_labels));
    ck_assert(!sel_matches("app==web", &pod_labels));
    ck_assert(!sel_matches("missing=api", &pod_labels));
    /* values compare exactly, case included */
    ck_assert(!sel_matches("app=API", &pod_labels));
    ck_assert(sel_matches("dp.ml.ink/tenant=max", &pod_labels));
}
END_TEST

START_TEST(test_inequality)
{
    ck_assert(sel_matches("app!=web", &pod_labels));
    ck_assert(!sel_matches("app!=api", &pod_labels));
    /* != also matches objects without the label, as in Kubernetes */
    ck_assert(sel_matches("missing!=x", &pod_labels));
    ck_assert(sel_matches("app!=web", &no_labels));
}
END_TEST

START_TEST(test_empty_value)
{
    ck_assert(sel_matches("empty=", &pod_labels));
    ck_assert(sel_matches("empty==", &pod_labels));
    ck_assert(!sel_matches("app=", &pod_labels));
    ck_assert(sel_matches("app!=", &pod_labels));
    ck_assert(!sel_matches("missing=", &pod_labels));
}
END_TEST

START_TEST(test_set_operators)
{
    ck_assert(sel_matches("app in (web,api)", &pod_labels));
    ck_assert(sel_matches("app in (api)", &pod_labels));
    ck_assert(!sel_matches("app in (web,db)", &pod_labels));
    ck_assert(!sel_matches("missing in (api)", &pod_labels));
    ck_assert(sel_matches("app notin (web,db)", &pod_labels));
    ck_assert(!sel_matches("app notin (web,api)", &pod_labels));
    ck_assert(sel_matches("missing notin (api)", &pod_labels));
    /* a trailing comma adds the empty value */
    ck_assert(sel_matches("empty in (x,)", &pod_labels));
    ck_assert(!sel_matches("app in (x,)", &pod_labels));
    ck_assert(sel_matches("empty in (,x)", &pod_labels));
}
END_TEST

START_TEST(test_existence)
{
    ck_assert(sel_matches("app", &pod_labels));
    ck_assert(!sel_matches("missing", &pod_labels));
    ck_assert(sel_matches("!missing", &pod_labels));
    ck_assert(!sel_matches("!app", &pod_labels));
    ck_assert(sel_matches("empty", &pod_labels));
    ck_assert(sel_matches("!app", &no_labels));
    ck_assert(sel_matches("!app", NULL));
    ck_assert(!sel_matches("app", NULL));
}
END_TEST

START_TEST(test_numeric)
{
    ck_assert(sel_matches("replicas>2", &pod_labels));
    ck_assert(!sel_matches("replicas>3", &pod_labels));
    ck_assert(sel_matches("replicas<4", &pod_labels));
    ck_assert(!sel_matches("replicas<3", &pod_labels));
    ck_assert(sel_matches("replicas > -1", &pod_labels));
    /* not an integer value, or absent: never matches */
    ck_assert(!sel_matches("app>1", &pod_labels));
    ck_assert(!sel_matches("missing<1", &pod_labels));
}
END_TEST

START_TEST(test_conjunction_and_whitespace)
{
    ck_assert(sel_matches("app=api,tier=backend", &pod_labels));
    ck_assert(!sel_matches("app=api,tier=frontend", &pod_labels));
    ck_assert(
        sel_matches("  app = api ,\ttier in ( backend , x ) , !missing ,empty ", &pod_labels));
    ck_assert(sel_matches("app=api,app!=web,app in (api),app notin (web),app,!gone", &pod_labels));
    ck_assert(!sel_matches("app=api,app!=web,app in (api),app notin (web),app,!tier", &pod_labels));
}
END_TEST

START_TEST(test_empty_selector)
{
    struct labelsel *sel;

    ck_assert_int_eq(labelsel_parse("", &sel), STATUS_OK);
    ck_assert(labelsel_empty(sel));
    ck_assert(labelsel_match(sel, &pod_labels));
    ck_assert(labelsel_match(sel, &no_labels));
    ck_assert(labelsel_match(sel, NULL));
    labelsel_free(sel);
    ck_assert_int_eq(labelsel_parse("   ", &sel), STATUS_OK);
    ck_assert(labelsel_empty(sel));
    labelsel_free(sel);
    ck_assert_int_eq(labelsel_parse("a", &sel), STATUS_OK);
    ck_assert(!labelsel_empty(sel));
    labelsel_free(sel);
    ck_assert_int_eq(labelsel_parse(NULL, &sel), STATUS_OK);
    ck_assert(labelsel_empty(sel));
    labelsel_free(sel);
    labelsel_free(NULL);
}
END_TEST

/* Each bad selector fails with STATUS_INVALID, no selector, and a text that
 * names the offset and what went wrong. */
static const struct {
    const char *text;
    const char *msg;
} bad[] = {
    {"app=api,", "offset 8: expected a key after ',', found the end"},
    {",app", "offset 0: expected a key or '!', found ','"},
    {"app=api tier=x", "offset 8: expected ',' or the end, found 'tier'"},
    {"app in (x", "offset 9: expected ',' or ')', found the end"},
    {"app in x", "offset 7: expected '(', found 'x'"},
    {"app in ()", "offset 7: the set of 'in' must not be empty"},
    {"app notin ()", "offset 10: the set of 'notin' must not be empty"},
    {"app=(x)", "offset 4: expected a value, found '('"},
    {"app==", NULL},
    {"!", "offset 1: expected a key, found the end"},
    {"!=x", "offset 0: expected a key or '!', found '!='"},
    {"app>x", "offset 4: 'x' is not an integer"},
    {"app<", "offset 4: expected an integer, found the end"},
    {"in=x", "offset 0: expected a key or '!', found 'in'"},
    {"app )", "offset 4: expected '=', '==', '!=', 'in', 'notin', '>', '<', ',' or the end, "
              "found ')'"},
    {"-app=x", "offset 0: invalid key '-app'"},
    {"Dp.ml.ink/tenant=x", "offset 0: invalid key 'Dp.ml.ink/tenant': prefix must be a lower-case "
                           "DNS subdomain"},
    {"dp.ml.ink/=x", "must not be empty"},
    {"a/b/c=x", "may contain only alphanumerics"},
    {"app=-x", "offset 4: invalid value '-x': must begin and end with an alphanumeric"},
    {"app in (ok,bad-)", "offset 11: invalid value 'bad-'"},
    {"app=a234567890123456789012345678901234567890123456789012345678901234",
     "must be no more than 63 characters"},
};

START_TEST(test_errors)
{
    static char poison;
    struct labelsel *sel = (void *)&poison;
    enum status st = labelsel_parse(bad[_i].text, &sel);

    if (!bad[_i].msg) {
        /* "app==" is the empty value, as in kubectl: not an error */
        ck_assert_int_eq(st, STATUS_OK);
        labelsel_free(sel);
        return;
    }
    ck_assert_msg(st == STATUS_INVALID, "'%s' parsed", bad[_i].text);
    ck_assert_ptr_null(sel);
    ck_assert_msg(strstr(status_text(), bad[_i].msg) != NULL, "'%s': got \"%s\", want \"%s\"",
                  bad[_i].text, status_text(), bad[_i].msg);
    ck_assert_msg(strncmp(status_text(), "label selector: ", 16) == 0, "%s", status_text());
}
END_TEST

START_TEST(test_parse_at)
{
    struct labelsel *sel;

    /* offsets count from the start of the whole text */
    ck_assert_int_eq(labelsel_parse_at("-l app in (", 2, &sel), STATUS_INVALID);
    ck_assert_str_eq(status_text(), "label selector: offset 11: expected a value, ',' or ')', "
                                    "found the end");
    ck_assert_int_eq(labelsel_parse_at("xx,app=api", 3, &sel), STATUS_OK);
    ck_assert(labelsel_match(sel, &pod_labels));
    labelsel_free(sel);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("labelsel");
    TCase *tc = tcase_create("labelsel");

    tcase_add_checked_fixture(tc, setup, teardown);

    tcase_add_test(tc, test_equality);
    tcase_add_test(tc, test_inequality);
    tcase_add_test(tc, test_empty_value);
    tcase_add_test(tc, test_set_operators);
    tcase_add_test(tc, test_existence);
    tcase_add_test(tc, test_numeric);
    tcase_add_test(tc, test_conjunction_and_whitespace);
    tcase_add_test(tc, test_empty_selector);
    tcase_add_loop_test(tc, test_errors, 0, ARRAY_SIZE(bad));
    tcase_add_test(tc, test_parse_at);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
