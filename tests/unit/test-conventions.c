/* SPDX-License-Identifier: MIT */
/* test-conventions.c - seed defaults, copies, the tenant of a namespace, patterns */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/conventions.h"
#include "opsdeck/model.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* Checks tenant_of against an expected tenant/project (NULL: not a tenant). */
static void
expect_tenant(const struct conventions *conv, const char *ns, const struct kv_list *labels,
              const char *want_tenant, const char *want_project)
{
    char unset[] = "unset";
    char *tenant = unset, *project = unset;
    bool got = conventions_tenant_of(conv, ns, labels, &tenant, &project);

    if (!want_tenant) {
        ck_assert_msg(!got, "%s: expected no tenant, got %s/%s", ns, tenant, project);
        ck_assert_ptr_null(tenant);
        ck_assert_ptr_null(project);
        return;
    }
    ck_assert_msg(got, "%s: expected %s/%s, got no tenant", ns, want_tenant, want_project);
    ck_assert_str_eq(tenant, want_tenant);
    ck_assert_str_eq(project, want_project);
    free(tenant);
    free(project);
}

START_TEST(test_defaults)
{
    struct conventions conv, copy;

    conventions_init_defaults(&conv);
    ck_assert_str_eq(conv.pool_label, "pool");
    ck_assert_str_eq(conv.tenant_label, "dp.ml.ink/tenant");
    ck_assert_str_eq(conv.project_label, "dp.ml.ink/project");
    ck_assert_str_eq(conv.namespace_pattern, "dp-{tenant}-{project}");
    ck_assert_str_eq(conv.system_namespace, "dp-system");
    ck_assert_str_eq(conv.ingress_policy, "ingress-isolation");
    ck_assert_str_eq(conv.egress_policy, "egress-isolation");
    ck_assert_str_eq(conv.quota_name, "quota");
    ck_assert_str_eq(conv.apps_domain, "breacher.org");
    ck_assert_str_eq(conv.pod_log_selector, "{namespace=\"{namespace}\",app=\"{app}\"}");
    ck_assert_str_eq(conv.node_log_selector, "{node_name=\"{node}\"}");
    ck_assert_str_eq(conv.build_log_selector, "{job=\"build\"}");
    ck_assert_str_eq(conv.pod_cidr, "10.42.0.0/16");
    ck_assert_str_eq(conv.service_cidr, "10.43.0.0/16");

    conventions_copy(&copy, &conv);
    ck_assert_ptr_ne(copy.pool_label, conv.pool_label);
    ck_assert_str_eq(copy.namespace_pattern, conv.namespace_pattern);
    ck_assert_str_eq(copy.service_cidr, conv.service_cidr);
    conventions_done(&conv);
    ck_assert_ptr_null(conv.pool_label);
    ck_assert_str_eq(copy.tenant_label, "dp.ml.ink/tenant");
    conventions_done(&copy);
    conventions_done(NULL);
}
END_TEST

START_TEST(test_pattern_fallback)
{
    struct conventions conv;

    conventions_init_defaults(&conv);
    expect_tenant(&conv, "dp-max-catapp", NULL, "max", "catapp");
    expect_tenant(&conv, "dp-max-cat-app", NULL, "max", "cat-app");
    expect_tenant(&conv, "dp-a-b", NULL, "a", "b");
    expect_tenant(&conv, "dp-system", NULL, NULL, NULL);
    expect_tenant(&conv, "dp-max", NULL, NULL, NULL);
    expect_tenant(&conv, "dp-max-", NULL, NULL, NULL);
    expect_tenant(&conv, "dp--catapp", NULL, NULL, NULL);
    expect_tenant(&conv, "kube-system", NULL, NULL, NULL);
    expect_tenant(&conv, "default", NULL, NULL, NULL);
    expect_tenant(&conv, "xdp-max-catapp", NULL, NULL, NULL);
    expect_tenant(&conv, "", NULL, NULL, NULL);
    conventions_done(&conv);
}
END_TEST

/* A label list from "key", "value", ... pairs (NULL-terminated); owned. */
static struct kv_list
labels_of(const char *first, ...)
{
    struct kv_list list = {NULL, 0};
    va_list ap;

    va_start(ap, first);
    for (const char *k = first; k; k = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);

        list.items = xrealloc(list.items, (list.len + 1) * sizeof(*list.items));
        list.items[list.len].key = xstrdup(k);
        list.items[list.len].value = xstrdup(v);
        list.len++;
    }
    va_end(ap);
    return list;
}

static void
labels_free(struct kv_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free(list->items[i].key);
        free(list->items[i].value);
    }
    free(list->items);
}

START_TEST(test_labels_win)
{
    struct conventions conv;
    struct kv_list both =
        labels_of("app", "x", "dp.ml.ink/project", "shop", "dp.ml.ink/tenant", "alice", NULL);
    struct kv_list tenant_only = labels_of("dp.ml.ink/tenant", "bob", NULL);
    struct kv_list project_only = labels_of("dp.ml.ink/project", "web", NULL);
    struct kv_list empty_tenant = labels_of("dp.ml.ink/tenant", "", NULL);
    struct kv_list none = {NULL, 0};

    conventions_init_defaults(&conv);
    /* labels beat a name that would parse differently, and a name that does not parse */
    expect_tenant(&conv, "dp-max-catapp", &both, "alice", "shop");
    expect_tenant(&conv, "customer-ns", &both, "alice", "shop");
    /* tenant label alone: project from the pattern, else the namespace name */
    expect_tenant(&conv, "dp-max-catapp", &tenant_only, "bob", "catapp");
    expect_tenant(&conv, "legacy", &tenant_only, "bob", "legacy");
    /* project label alone does not make a tenant; it names the project of a pattern match */
    expect_tenant(&conv, "legacy", &project_only, NULL, NULL);
    expect_tenant(&conv, "dp-max-catapp", &project_only, "max", "web");
    /* an empty label counts as absent */
    expect_tenant(&conv, "dp-max-catapp", &empty_tenant, "max", "catapp");
    expect_tenant(&conv, "legacy", &empty_tenant, NULL, NULL);
    expect_tenant(&conv, "dp-max-catapp", &none, "max", "catapp");
    /* the system namespace is never a tenant, labels or not */
    expect_tenant(&conv, "dp-system", &both, NULL, NULL);
    conventions_done(&conv);
    labels_free(&both);
    labels_free(&tenant_only);
    labels_free(&project_only);
    labels_free(&empty_tenant);
}
END_TEST

START_TEST(test_other_patterns)
{
    struct conventions conv;

    conventions_init_defaults(&conv);
    free(conv.namespace_pattern);
    conv.namespace_pattern = xstrdup("{project}-{tenant}");
    expect_tenant(&conv, "cat-app-max", NULL, "max", "cat-app");
    expect_tenant(&conv, "max", NULL, NULL, NULL);

    free(conv.namespace_pattern);
    conv.namespace_pattern = xstrdup("t-{tenant}");
    expect_tenant(&conv, "t-max", NULL, "max", "t-max");
    expect_tenant(&conv, "t-max-x", NULL, NULL, NULL);

    free(conv.namespace_pattern);
    conv.namespace_pattern = xstrdup("dp-{tenant}-{project}-prod");
    expect_tenant(&conv, "dp-max-cat-app-prod", NULL, "max", "cat-app");
    expect_tenant(&conv, "dp-max-cat-app", NULL, NULL, NULL);

    /* an invalid pattern matches nothing (the platform loader refuses it first) */
    free(conv.namespace_pattern);
    conv.namespace_pattern = xstrdup("dp-{project}");
    expect_tenant(&conv, "dp-x", NULL, NULL, NULL);
    conventions_done(&conv);
}
END_TEST

START_TEST(test_pattern_errors)
{
    ck_assert_ptr_null(conventions_pattern_error("dp-{tenant}-{project}"));
    ck_assert_ptr_null(conventions_pattern_error("{tenant}"));
    ck_assert_ptr_null(conventions_pattern_error("{project}-{tenant}"));
    ck_assert_str_eq(conventions_pattern_error("dp-{project}"),
                     "the pattern needs {tenant} exactly once");
    ck_assert_str_eq(conventions_pattern_error("{tenant}-{tenant}"),
                     "the pattern needs {tenant} exactly once");
    ck_assert_str_eq(conventions_pattern_error("{tenant}-{project}-{project}"),
                     "{project} may appear at most once");
    ck_assert_str_eq(conventions_pattern_error("{tenant}{project}"),
                     "{tenant} and {project} must be separated by a literal");
    ck_assert_str_eq(conventions_pattern_error("dp-{tenant}-{app}"),
                     "only {tenant} and {project} may appear in braces");
    ck_assert_str_eq(conventions_pattern_error("dp-{tenant}}"), "unbalanced '}'");
    ck_assert_str_eq(conventions_pattern_error("DP_{tenant}"),
                     "literals may hold only a-z, 0-9 and '-' (namespace names do)");
    ck_assert_str_eq(conventions_pattern_error(""), "the pattern is empty");
    ck_assert_str_eq(conventions_pattern_error(NULL), "the pattern is empty");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("conventions");
    TCase *tc = tcase_create("conventions");

    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_pattern_fallback);
    tcase_add_test(tc, test_labels_win);
    tcase_add_test(tc, test_other_patterns);
    tcase_add_test(tc, test_pattern_errors);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
