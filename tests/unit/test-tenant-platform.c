/* SPDX-License-Identifier: MIT */
/* test-tenant-platform.c - cluster + tenants + filter over whole recorded lists (scenarios §1) */
#include "config.h"

#include "opsdeck/tenant.h"

#include <stdlib.h>

#include "opsdeck/clock.h"
#include "opsdeck/cluster.h"
#include "opsdeck/filter.h"
#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* 2026-11-24T03:12:00Z */
#define NOW INT64_C(1795489920)

static struct cluster *cl;
static struct tenants *ts;
static struct conventions conv;

struct counts {
    int changes, resets;
};

static void
count_changed(void *arg, const char *name, const struct tenant *t)
{
    (void)name, (void)t;
    ((struct counts *)arg)->changes++;
}

static void
count_reset(void *arg)
{
    ((struct counts *)arg)->resets++;
}

/*
 * Applies a list file as the informers do: per kind, replace_begin, every
 * item of that kind, replace_end (or, without replace, every item as a
 * watch event). Items name their kind (a v1 List) or, in a typed list such
 * as a PodList, are of kind `only`. KIND_COUNT: every kind. Returns the
 * number of items applied.
 */
static int
apply_list(const char *rel, enum kind only, bool replace, const char *ns_scope)
{
    size_t len;
    char *text = fixture_read(rel, &len);
    struct json_doc doc;
    uint32_t items, it;
    int applied = 0;

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, text, len) == STATUS_OK, "%s: %s", rel, status_text());
    items = json_get(&doc, 0, "items");
    ck_assert_int_eq(json_type(&doc, items), JSON_ARRAY);
    for (int k = 0; k < KIND_COUNT; k++) {
        struct json_iter iter;
        bool begun = false;

        if (only != KIND_COUNT && k != (int)only)
            continue;
        json_iter_init(&iter, &doc, items);
        while (json_iter_next(&iter, NULL, &it)) {
            char kindname[32] = "";
            enum kind kind = only;
            struct kobj *obj;

            if (json_strcpy(&doc, json_get(&doc, it, "kind"), kindname, sizeof(kindname)))
                ck_assert(kind_parse(kindname, &kind));
            if ((int)kind != k)
                continue;
            if (replace && !begun) {
                cluster_replace_begin(cl, kind, ns_scope);
                begun = true;
            }
            obj = kobj_parse(kind, &doc, it);
            ck_assert_msg(obj != NULL, "%s: %s", rel, status_text());
            cluster_upsert(cl, obj);
            applied++;
        }
        if (begun)
            cluster_replace_end(cl, (enum kind)k, ns_scope);
    }
    json_doc_done(&doc);
    free(text);
    return applied;
}

static void
setup(void)
{
    clock_set_fixed_ns(NOW * NS_PER_SEC);
    conventions_init_defaults(&conv);
    cl = cluster_new();
    ts = tenants_new(cl, &conv);
    ck_assert_int_eq(apply_list("cluster/platform-tenants.json", KIND_COUNT, true, NULL), 29);
}

static void
teardown(void)
{
    tenants_free(ts);
    cluster_free(cl);
    conventions_done(&conv);
    clock_set_fixed_ns(0);
}

static char *
tenant_json(const char *name)
{
    const struct tenant *t = tenants_get(ts, name);
    struct strbuf out;
    struct jsonw w;

    ck_assert_msg(t != NULL, "no tenant %s", name);
    strbuf_init(&out);
    jsonw_init(&w, &out, false);
    tenant_write_json(t, 0, &w);
    return strbuf_detach(&out);
}

START_TEST(test_tenants_of_the_platform)
{
    const struct tenant *const *all;
    size_t n;
    char *json;

    all = tenants_all(ts, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(all[0]->name, "ada");
    ck_assert_str_eq(all[1]->name, "max");
    ck_assert_ptr_null(tenants_project(ts, "dp-system"));
    ck_assert_ptr_null(tenants_project(ts, "kube-system"));

    json = tenant_json("max");
    ck_assert_str_eq(
        json,
        "{\"tenant\":\"max\",\"namespaces\":[\"dp-max-blog\",\"dp-max-catapp\"],"
        "\"pods_ready\":1,\"pods_total\":2,"
        "\"problems\":["
        "\"dp-max-blog: missing egress-isolation\","
        "\"dp-max-blog: quota limits.cpu 7600m/8 (95%)\","
        "\"dp-max-blog: quota pods 19/20 (95%)\","
        "\"dp-max-blog: quota requests.cpu 3800m/4 (95%)\","
        "\"dp-max-catapp: 1 pod not ready\","
        "\"dp-max-catapp: deployment api 0/1 available\","
        "\"dp-max-catapp: 2 warning events in the last hour\"],"
        "\"quota_percent\":95,\"policies\":false,\"projects\":["
        "{\"namespace\":\"dp-max-blog\",\"project\":\"blog\",\"pods_ready\":0,\"pods_total\":0,"
        "\"deployments\":0,\"deployments_unavailable\":0,\"quota_percent\":95,"
        "\"quota\":\"limits.cpu 7600m/8, limits.memory 2Gi/8Gi, pods 19/20, "
        "requests.cpu 3800m/4, requests.memory 2Gi/4Gi\","
        "\"ingress_isolation\":true,\"egress_isolation\":false,\"warnings_1h\":0,"
        "\"hosts\":[],\"services\":[],\"problems\":[\"missing egress-isolation\","
        "\"quota limits.cpu 7600m/8 (95%)\",\"quota pods 19/20 (95%)\","
        "\"quota requests.cpu 3800m/4 (95%)\"]},"
        "{\"namespace\":\"dp-max-catapp\",\"project\":\"catapp\",\"pods_ready\":1,"
        "\"pods_total\":2,\"deployments\":2,\"deployments_unavailable\":1,"
        "\"quota_percent\":12,\"quota\":\"limits.cpu 500m/8, limits.memory 512Mi/8Gi, "
        "pods 2/20, requests.cpu 500m/4, requests.memory 512Mi/4Gi\","
        "\"ingress_isolation\":true,\"egress_isolation\":true,\"warnings_1h\":2,"
        "\"hosts\":[\"api.breacher.org\",\"catapp.breacher.org\"],"
        "\"services\":[{\"name\":\"api\",\"hosts\":[\"api.breacher.org\"]},{\"name\":\"web\","
        "\"hosts\":[\"catapp.breacher.org\"]}],\"problems\":[\"1 pod not ready\","
        "\"deployment api 0/1 available\",\"2 warning events in the last hour\"]}]}");
    free(json);

    /* ada has no labels: the namespace pattern makes it a tenant */
    json = tenant_json("ada");
    ck_assert_str_eq(
        json,
        "{\"tenant\":\"ada\",\"namespaces\":[\"dp-ada-shop\"],\"pods_ready\":1,"
        "\"pods_total\":1,\"problems\":[],\"quota_percent\":6,\"policies\":true,\"projects\":["
        "{\"namespace\":\"dp-ada-shop\",\"project\":\"shop\",\"pods_ready\":1,\"pods_total\":1,"
        "\"deployments\":1,\"deployments_unavailable\":0,\"quota_percent\":6,"
        "\"quota\":\"limits.cpu 250m/8, limits.memory 256Mi/8Gi, pods 1/20, "
        "requests.cpu 250m/4, requests.memory 256Mi/4Gi\","
        "\"ingress_isolation\":true,\"egress_isolation\":true,\"warnings_1h\":0,"
        "\"hosts\":[\"shop.breacher.org\"],\"services\":[{\"name\":\"shop\",\"hosts\":[\"shop."
        "breacher.org\"]}],\"problems\":[]}]}");
    free(json);
}
END_TEST

/* scenarios.md §1: "/api.breacher" finds the project by its host, its
 * deployment 0/1, and the pod crash-looping with 14 restarts. */
START_TEST(test_scenario_api_breacher)
{
    const struct tenant *const *all;
    const struct project *hit = NULL;
    const struct kobj *const *pods;
    struct filter *f;
    size_t n, matches = 0;

    ck_assert_int_eq(filter_compile("api.breacher", &f), STATUS_OK);
    all = tenants_all(ts, &n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < all[i]->nprojects; j++) {
            const struct project *p = all[i]->projects[j];
            const char *fields[8] = {p->ns, p->tenant, p->project};
            size_t nf = 3;

            for (char **h = p->hosts; *h && nf < 6; h++)
                fields[nf++] = *h;
            for (char **s = p->services; *s && nf < 8; s++)
                fields[nf++] = *s;
            if (filter_match(f, fields, nf, NULL)) {
                hit = p;
                matches++;
            }
        }
    }
    filter_free(f);
    ck_assert_uint_eq(matches, 1);
    ck_assert_str_eq(hit->ns, "dp-max-catapp");
    ck_assert_int_eq(hit->deployments_unavailable, 1);

    /* drill down: the project's pods, the problem one */
    pods = cluster_in_ns(cl, KIND_POD, hit->ns, &n);
    ck_assert_uint_eq(n, 2);
    matches = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pod *p = (const struct pod *)pods[i];

        if (!pod_is_problem(p))
            continue;
        matches++;
        ck_assert_str_eq(p->obj.name, "api-7d9c8-x2bq");
        ck_assert_str_eq(p->status, "CrashLoopBackOff");
        ck_assert_int_eq(p->restarts, 14);
        ck_assert_str_eq(p->node, "run-1");
    }
    ck_assert_uint_eq(matches, 1);
}
END_TEST

START_TEST(test_real_pod_list_alongside)
{
    struct counts c = {0};
    struct tenant_observer o = {.changed = count_changed, .reset = count_reset, .arg = &c};
    size_t n;

    tenants_observe(ts, &o);
    /* A real PodList (items without kind) relisted cluster-wide: the
     * platform's pods, not in it, are swept; the tenants reset once. */
    ck_assert_int_eq(apply_list("cluster/cloudability-pods.json", KIND_POD, true, NULL), 6);
    ck_assert_int_eq(c.resets, 1);
    ck_assert_int_eq(c.changes, 0);
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 6);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "ip-172-26-67-126.ec2.internal"), 6);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 0);
    ck_assert_uint_eq(cluster_count_in_ns(cl, KIND_POD, "kube-system"), 4);
    ck_assert_uint_eq(cluster_count_in_ns(cl, KIND_POD, "dp-max-catapp"), 0);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 0);
    ck_assert_int_eq(tenants_get(ts, "ada")->pods_total, 0);
    /* none of those namespaces is a tenant's */
    tenants_all(ts, &n);
    ck_assert_uint_eq(n, 2);

    /* the platform's pods come back as watch events: one tenant change
     * each, the real ones untouched */
    ck_assert_int_eq(apply_list("cluster/platform-tenants.json", KIND_POD, false, NULL), 3);
    ck_assert_int_eq(c.changes, 3);
    ck_assert_int_eq(c.resets, 1);
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 9);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 1);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 2);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 2);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_ready, 1);

    /* replaying the same objects (same resourceVersions) changes nothing */
    ck_assert_int_eq(apply_list("cluster/platform-tenants.json", KIND_COUNT, false, NULL), 29);
    ck_assert_int_eq(c.changes, 3);
}
END_TEST

/* One object of the platform file, parsed anew (caller owns it). */
static struct kobj *
platform_item(enum kind kind, const char *ns, const char *name)
{
    size_t len;
    char *text = fixture_read("cluster/platform-tenants.json", &len);
    struct json_doc doc;
    struct json_iter iter;
    struct kobj *found = NULL;
    uint32_t it;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, len), STATUS_OK);
    json_iter_init(&iter, &doc, json_get(&doc, 0, "items"));
    while (!found && json_iter_next(&iter, NULL, &it)) {
        uint32_t meta = json_get(&doc, it, "metadata");

        if (json_streq(&doc, json_get(&doc, it, "kind"), kind_info(kind)->kind) &&
            json_streq(&doc, json_get(&doc, meta, "namespace"), ns) &&
            json_streq(&doc, json_get(&doc, meta, "name"), name))
            found = kobj_parse(kind, &doc, it);
    }
    json_doc_done(&doc);
    free(text);
    ck_assert_msg(found != NULL, "no %s/%s in the platform file", ns, name);
    return found;
}

/* The 403 fallback: one namespace relisted on its own. The crash-looping
 * pod is gone from the relist: its tenant is reported once, no reset. */
START_TEST(test_namespace_relist)
{
    struct counts c = {0};
    struct tenant_observer o = {.changed = count_changed, .reset = count_reset, .arg = &c};

    tenants_observe(ts, &o);
    cluster_replace_begin(cl, KIND_POD, "dp-max-catapp");
    cluster_upsert(cl, platform_item(KIND_POD, "dp-max-catapp", "web-5f6d7-k8s2p"));
    cluster_replace_end(cl, KIND_POD, "dp-max-catapp");
    ck_assert_int_eq(c.resets, 0);
    ck_assert_int_eq(c.changes, 1);
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "dp-max-catapp", "api-7d9c8-x2bq"));
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 1);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_ready, 1);
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 2);
    /* ada's namespace was not in the scope */
    ck_assert_int_eq(tenants_get(ts, "ada")->pods_total, 1);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("tenant-platform");
    TCase *tc = tcase_create("tenant-platform");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tenants_of_the_platform);
    tcase_add_test(tc, test_scenario_api_breacher);
    tcase_add_test(tc, test_real_pod_list_alongside);
    tcase_add_test(tc, test_namespace_relist);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
