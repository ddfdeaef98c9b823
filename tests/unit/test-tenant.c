/* SPDX-License-Identifier: MIT */
/* test-tenant.c - tenants and projects: grouping, every problem, ageing, notifications, JSON */
#include "config.h"

#include "opsdeck/tenant.h"

#include <stdarg.h>
#include <stdlib.h>

#include "opsdeck/clock.h"
#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* 2026-11-24T03:12:00Z, the night of scenarios.md §1 */
#define NOW INT64_C(1795489920)

/*
 * Objects are written as the API server sends them and go through the real
 * parser, so the pod readiness the tenants count is kubectl's.
 */
static struct cluster *cl;
static struct tenants *ts;
static struct conventions conv;
static int rv_counter;

static void
put_json(const char *text)
{
    struct json_doc doc;
    struct kobj *obj;
    enum kind kind;
    uint32_t k;
    char kindname[32];

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, text, strlen(text)) == STATUS_OK, "%s: %s", status_text(), text);
    k = json_get(&doc, 0, "kind");
    ck_assert(json_strcpy(&doc, k, kindname, sizeof(kindname)) > 0);
    ck_assert(kind_parse(kindname, &kind));
    obj = kobj_parse(kind, &doc, 0);
    ck_assert_msg(obj != NULL, "%s: %s", status_text(), text);
    cluster_upsert(cl, obj);
    json_doc_done(&doc);
}

static void ATTR_FORMAT(1, 2) put(const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = xvasprintf(fmt, ap);
    va_end(ap);
    put_json(text);
    free(text);
}

static void
put_ns(const char *name, const char *tenant, const char *project)
{
    char labels[256] = "";

    if (tenant)
        snprintf(labels, sizeof(labels), "\"dp.ml.ink/tenant\":\"%s\"%s", tenant,
                 project ? "," : "");
    if (project)
        snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels),
                 "\"dp.ml.ink/project\":\"%s\"", project);
    put("{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\",\"resourceVersion\":\"%d\","
        "\"labels\":{%s}},\"status\":{\"phase\":\"Active\"}}",
        name, ++rv_counter, labels);
}

enum pod_state { POD_READY, POD_CRASHLOOP, POD_COMPLETED, POD_PENDING, POD_UNREADY };

static void
put_pod(const char *ns, const char *name, enum pod_state state)
{
    const char *status;

    switch (state) {
    case POD_READY:
        status = "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
                 "\"containerStatuses\":[{\"name\":\"app\",\"ready\":true,\"started\":true,"
                 "\"restartCount\":0,\"image\":\"app\","
                 "\"state\":{\"running\":{\"startedAt\":\"2026-11-24T01:00:00Z\"}}}]";
        break;
    case POD_UNREADY:
        status = "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}],"
                 "\"containerStatuses\":[{\"name\":\"app\",\"ready\":false,\"started\":true,"
                 "\"restartCount\":0,\"image\":\"app\","
                 "\"state\":{\"running\":{\"startedAt\":\"2026-11-24T01:00:00Z\"}}}]";
        break;
    case POD_CRASHLOOP:
        status =
            "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}],"
            "\"containerStatuses\":[{\"name\":\"app\",\"ready\":false,\"started\":false,"
            "\"restartCount\":14,\"image\":\"app\",\"state\":{\"waiting\":{\"reason\":"
            "\"CrashLoopBackOff\",\"message\":\"back-off 5m0s\"}},\"lastState\":{"
            "\"terminated\":{\"exitCode\":137,\"reason\":\"OOMKilled\","
            "\"startedAt\":\"2026-11-24T03:05:00Z\",\"finishedAt\":\"2026-11-24T03:07:00Z\"}}}]";
        break;
    case POD_COMPLETED:
        status =
            "\"phase\":\"Succeeded\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\","
            "\"reason\":\"PodCompleted\"}],\"containerStatuses\":[{\"name\":\"app\","
            "\"ready\":false,\"started\":false,\"restartCount\":0,\"image\":\"app\","
            "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\","
            "\"startedAt\":\"2026-11-24T01:00:00Z\",\"finishedAt\":\"2026-11-24T01:01:00Z\"}}}]";
        break;
    case POD_PENDING:
    default:
        status = "\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\","
                 "\"status\":\"False\",\"reason\":\"Unschedulable\"}]";
        break;
    }
    put("{\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\",\"creationTimestamp\":\"2026-11-24T00:00:00Z\"},"
        "\"spec\":{%s\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]},\"status\":{%s}}",
        ns, name, ++rv_counter, state == POD_PENDING ? "" : "\"nodeName\":\"run-1\",", status);
}

static void
put_policy(const char *ns, const char *name)
{
    put("{\"kind\":\"NetworkPolicy\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\"},\"spec\":{\"podSelector\":{},\"policyTypes\":[\"Ingress\"]}}",
        ns, name, ++rv_counter);
}

static void
put_policies(const char *ns)
{
    put_policy(ns, "ingress-isolation");
    put_policy(ns, "egress-isolation");
}

/* items: "\"pods\":\"20\"" …; used: the same for status.used (may be ""). */
static void
put_quota(const char *ns, const char *name, const char *hard, const char *used)
{
    put("{\"kind\":\"ResourceQuota\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\"},\"spec\":{\"hard\":{%s}},\"status\":{\"hard\":{%s},"
        "\"used\":{%s}}}",
        ns, name, ++rv_counter, hard, hard, used);
}

static void
put_deployment(const char *ns, const char *name, int replicas, int available)
{
    put("{\"kind\":\"Deployment\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\"},\"spec\":{\"replicas\":%d,\"selector\":{\"matchLabels\":"
        "{\"app\":\"%s\"}},\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\","
        "\"image\":\"app\"}]}}},\"status\":{\"replicas\":%d,\"readyReplicas\":%d,"
        "\"updatedReplicas\":%d,\"availableReplicas\":%d,\"unavailableReplicas\":%d}}",
        ns, name, ++rv_counter, replicas, name, replicas, available, replicas, available,
        replicas - available);
}

static void
put_event(const char *ns, const char *name, const char *type, int64_t last_seen)
{
    char when[32];

    time_format_rfc3339(last_seen, when, sizeof(when));
    put("{\"kind\":\"Event\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\"},\"type\":\"%s\",\"reason\":\"BackOff\","
        "\"message\":\"Back-off restarting failed container\",\"involvedObject\":{\"kind\":"
        "\"Pod\",\"namespace\":\"%s\",\"name\":\"api\"},\"count\":3,"
        "\"firstTimestamp\":\"%s\",\"lastTimestamp\":\"%s\"}",
        ns, name, ++rv_counter, type, ns, when, when);
}

static void
put_ingress(const char *ns, const char *name, const char *host)
{
    put("{\"kind\":\"Ingress\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\"},\"spec\":{\"rules\":[{\"host\":\"%s\",\"http\":{\"paths\":"
        "[{\"path\":\"/\",\"pathType\":\"Prefix\",\"backend\":{\"service\":{\"name\":\"%s\","
        "\"port\":{\"number\":80}}}}]}}]}}",
        ns, name, ++rv_counter, host, name);
}

static void
put_service(const char *ns, const char *name)
{
    put("{\"kind\":\"Service\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\","
        "\"resourceVersion\":\"%d\"},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":"
        "\"10.43.0.10\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}],\"selector\":"
        "{\"app\":\"%s\"}}}",
        ns, name, ++rv_counter, name);
}

/*
 * A recording tenant observer
 */

struct trec {
    int changes, resets, gone;
    char last[64];
};

static void
trec_changed(void *arg, const char *name, const struct tenant *t)
{
    struct trec *r = arg;

    r->changes++;
    r->gone += t == NULL;
    ck_assert(t == NULL || strcmp(t->name, name) == 0);
    snprintf(r->last, sizeof(r->last), "%s", name);
}

static void
trec_reset(void *arg)
{
    ((struct trec *)arg)->resets++;
}

static void
trec_observe(struct trec *r)
{
    struct tenant_observer o = {.changed = trec_changed, .reset = trec_reset, .arg = r};

    memset(r, 0, sizeof(*r));
    tenants_observe(ts, &o);
}

static void
setup(void)
{
    clock_set_fixed_ns(NOW * NS_PER_SEC);
    conventions_init_defaults(&conv);
    cl = cluster_new();
    ts = tenants_new(cl, &conv);
    rv_counter = 0;
}

static void
teardown(void)
{
    tenants_free(ts);
    cluster_free(cl);
    conventions_done(&conv);
    clock_set_fixed_ns(0);
}

/* The problems of a project (or tenant) joined with "; " ("" for none). */
static void
assert_problems(char *const *v, const char *want)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (; v && *v; v++)
        strbuf_printf(&sb, "%s%s", sb.len ? "; " : "", *v);
    ck_assert_str_eq(strbuf_str(&sb), want);
    strbuf_done(&sb);
}

static const struct project *
project(const char *ns)
{
    const struct project *p = tenants_project(ts, ns);

    ck_assert_msg(p != NULL, "no project %s", ns);
    return p;
}

/*
 * Grouping
 */

START_TEST(test_projects_from_labels_and_pattern)
{
    const struct tenant *const *all;
    const struct tenant *t;
    size_t n;

    put_ns("dp-max-catapp", "max", "catapp");
    put_ns("dp-max-blog", NULL, NULL);    /* pattern fallback */
    put_ns("payments", "bob", "pay");     /* labels win: no pattern needed */
    put_ns("dp-ada-shop", "ada", NULL);   /* tenant label, project from the pattern */
    put_ns("dp-zed-x", "zed", "renamed"); /* labels over the pattern */
    put_ns("dp-system", NULL, NULL);      /* platform, not a tenant */
    put_ns("kube-system", NULL, NULL);
    put_ns("default", NULL, NULL);

    all = tenants_all(ts, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(all[0]->name, "ada");
    ck_assert_str_eq(all[1]->name, "bob");
    ck_assert_str_eq(all[2]->name, "max");
    ck_assert_str_eq(all[3]->name, "zed");

    t = tenants_get(ts, "max");
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->nprojects, 2);
    ck_assert_str_eq(t->projects[0]->ns, "dp-max-blog"); /* sorted by namespace */
    ck_assert_str_eq(t->projects[1]->ns, "dp-max-catapp");
    ck_assert_str_eq(project("dp-max-blog")->project, "blog");
    ck_assert_str_eq(project("dp-max-catapp")->project, "catapp");
    ck_assert_str_eq(project("payments")->tenant, "bob");
    ck_assert_str_eq(project("payments")->project, "pay");
    ck_assert_str_eq(project("dp-ada-shop")->project, "shop");
    ck_assert_str_eq(project("dp-zed-x")->project, "renamed");
    ck_assert_ptr_null(tenants_project(ts, "dp-system"));
    ck_assert_ptr_null(tenants_project(ts, "kube-system"));
    ck_assert_ptr_null(tenants_get(ts, "system"));
    ck_assert_ptr_null(tenants_get(ts, "nobody"));
}
END_TEST

START_TEST(test_namespace_known_only_by_its_objects)
{
    struct trec r;

    /* a user who may not list namespaces still sees the projects */
    trec_observe(&r);
    put_pod("dp-max-catapp", "api", POD_READY);
    ck_assert_ptr_nonnull(tenants_project(ts, "dp-max-catapp"));
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 1);
    ck_assert_int_eq(r.changes, 1);
    /* a pod in a namespace that is not a tenant's changes nothing */
    put_pod("kube-system", "coredns", POD_READY);
    ck_assert_int_eq(r.changes, 1);
    /* the last object gone: the project and its tenant go */
    cluster_remove(cl, KIND_POD, "dp-max-catapp", "api");
    ck_assert_ptr_null(tenants_project(ts, "dp-max-catapp"));
    ck_assert_ptr_null(tenants_get(ts, "max"));
    ck_assert_int_eq(r.changes, 2);
    ck_assert_int_eq(r.gone, 1);
    ck_assert_str_eq(r.last, "max");
}
END_TEST

START_TEST(test_project_moves_between_tenants)
{
    struct trec r;
    size_t n;

    put_ns("shared", "max", "web");
    put_pod("shared", "p", POD_READY);
    put_ns("dp-ada-shop", NULL, NULL);
    trec_observe(&r);
    /* relabelled: max loses its only project, ada gains one */
    put_ns("shared", "ada", "web");
    ck_assert_ptr_null(tenants_get(ts, "max"));
    ck_assert_uint_eq(tenants_get(ts, "ada")->nprojects, 2);
    ck_assert_int_eq(tenants_get(ts, "ada")->pods_total, 1);
    ck_assert_int_eq(r.changes, 2);
    ck_assert_int_eq(r.gone, 1);
    tenants_all(ts, &n);
    ck_assert_uint_eq(n, 1);
    /* the label removed and the name matches no pattern: no project */
    put_ns("shared", NULL, NULL);
    ck_assert_ptr_null(tenants_project(ts, "shared"));
    ck_assert_uint_eq(tenants_get(ts, "ada")->nprojects, 1);
    ck_assert_int_eq(r.changes, 3);
}
END_TEST

/*
 * Problems, one kind at a time
 */

START_TEST(test_missing_policies)
{
    const struct tenant *t;

    put_ns("dp-max-catapp", "max", "catapp");
    ck_assert(!project("dp-max-catapp")->ingress_isolation);
    ck_assert(!project("dp-max-catapp")->egress_isolation);
    assert_problems(project("dp-max-catapp")->problems,
                    "missing ingress-isolation; missing egress-isolation");
    put_policy("dp-max-catapp", "ingress-isolation");
    put_policy("dp-max-catapp", "allow-dns");
    assert_problems(project("dp-max-catapp")->problems, "missing egress-isolation");
    t = tenants_get(ts, "max");
    ck_assert(!t->all_policies);
    assert_problems(t->problems, "dp-max-catapp: missing egress-isolation");
    put_policy("dp-max-catapp", "egress-isolation");
    assert_problems(project("dp-max-catapp")->problems, "");
    ck_assert(tenants_get(ts, "max")->all_policies);
    cluster_remove(cl, KIND_NETWORKPOLICY, "dp-max-catapp", "ingress-isolation");
    assert_problems(tenants_get(ts, "max")->problems, "dp-max-catapp: missing ingress-isolation");
}
END_TEST

START_TEST(test_pods_ready)
{
    const struct project *p;

    put_ns("dp-max-catapp", "max", "catapp");
    put_policies("dp-max-catapp");
    put_pod("dp-max-catapp", "web-1", POD_READY);
    put_pod("dp-max-catapp", "migrate", POD_COMPLETED);
    put_pod("dp-max-catapp", "api", POD_CRASHLOOP);
    p = project("dp-max-catapp");
    ck_assert_int_eq(p->pods_total, 3);
    ck_assert_int_eq(p->pods_ready, 2);
    assert_problems(p->problems, "1 pod not ready");
    put_pod("dp-max-catapp", "pending", POD_PENDING);
    put_pod("dp-max-catapp", "warming", POD_UNREADY);
    p = project("dp-max-catapp");
    ck_assert_int_eq(p->pods_total, 5);
    ck_assert_int_eq(p->pods_ready, 2);
    assert_problems(p->problems, "3 pods not ready");
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 5);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_ready, 2);
    assert_problems(tenants_get(ts, "max")->problems, "dp-max-catapp: 3 pods not ready");
    /* the crash-looping pod recovers */
    put_pod("dp-max-catapp", "api", POD_READY);
    put_pod("dp-max-catapp", "warming", POD_READY);
    cluster_remove(cl, KIND_POD, "dp-max-catapp", "pending");
    assert_problems(tenants_get(ts, "max")->problems, "");
    ck_assert_int_eq(tenants_get(ts, "max")->pods_ready, 4);
}
END_TEST

/* A user who may not read NetworkPolicies is not told they are missing. */
START_TEST(test_policies_unknown)
{
    struct strbuf sb;
    struct jsonw w;

    put_ns("dp-max-catapp", "max", "catapp");
    put_policy("dp-max-catapp", "ingress-isolation");
    assert_problems(project("dp-max-catapp")->problems, "missing egress-isolation");
    tenants_set_policies_known(ts, false);
    ck_assert(!project("dp-max-catapp")->policies_known);
    assert_problems(project("dp-max-catapp")->problems, "");
    ck_assert(!tenants_get(ts, "max")->all_policies);
    strbuf_init(&sb);
    jsonw_init(&w, &sb, false);
    tenant_write_json(tenants_get(ts, "max"), 0, &w);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "\"policies\":null"));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "\"egress_isolation\":null"));
    strbuf_done(&sb);
    tenants_set_policies_known(ts, true);
    assert_problems(project("dp-max-catapp")->problems, "missing egress-isolation");
}
END_TEST

START_TEST(test_deployments)
{
    const struct project *p;

    put_ns("dp-max-catapp", "max", "catapp");
    put_policies("dp-max-catapp");
    put_deployment("dp-max-catapp", "web", 2, 2);
    put_deployment("dp-max-catapp", "api", 1, 0);
    put_deployment("dp-max-catapp", "idle", 0, 0);
    p = project("dp-max-catapp");
    ck_assert_int_eq(p->deployments, 3);
    ck_assert_int_eq(p->deployments_unavailable, 1);
    assert_problems(p->problems, "deployment api 0/1 available");
    put_deployment("dp-max-catapp", "web", 3, 1);
    assert_problems(project("dp-max-catapp")->problems,
                    "deployment api 0/1 available; deployment web 1/3 available");
    ck_assert_int_eq(project("dp-max-catapp")->deployments_unavailable, 2);
    /* A rollout stuck behind a failing new pod: the old replicas are all
     * available, one more is unavailable. */
    put("{\"kind\":\"Deployment\",\"metadata\":{\"namespace\":\"dp-max-catapp\","
        "\"name\":\"web\",\"resourceVersion\":\"%d\"},\"spec\":{\"replicas\":2},"
        "\"status\":{\"replicas\":3,\"readyReplicas\":2,\"updatedReplicas\":1,"
        "\"availableReplicas\":2,\"unavailableReplicas\":1}}",
        ++rv_counter);
    assert_problems(project("dp-max-catapp")->problems,
                    "deployment api 0/1 available; deployment web 2/2 available, 1 unavailable");
}
END_TEST

START_TEST(test_quota)
{
    const struct project *p;

    put_ns("dp-max-catapp", "max", "catapp");
    put_policies("dp-max-catapp");
    /* no quota at all */
    p = project("dp-max-catapp");
    ck_assert(p->quota_ratio < 0);
    ck_assert_ptr_null(p->quota_text);
    ck_assert(tenants_get(ts, "max")->quota_ratio < 0);

    /* under 90 %: a figure, no problem */
    put_quota("dp-max-catapp", "quota", "\"pods\":\"20\",\"requests.cpu\":\"4\"",
              "\"pods\":\"17\",\"requests.cpu\":\"1500m\"");
    p = project("dp-max-catapp");
    ck_assert_double_eq_tol(p->quota_ratio, 0.85, 1e-9);
    ck_assert_str_eq(p->quota_text, "pods 17/20, requests.cpu 1500m/4");
    assert_problems(p->problems, "");

    /* 19/20 and 3800m/4: two items at 95 % */
    put_quota("dp-max-catapp", "quota",
              "\"limits.memory\":\"8Gi\",\"pods\":\"20\",\"requests.cpu\":\"4\"",
              "\"limits.memory\":\"1Gi\",\"pods\":\"19\",\"requests.cpu\":\"3800m\"");
    p = project("dp-max-catapp");
    ck_assert_double_eq_tol(p->quota_ratio, 0.95, 1e-9);
    assert_problems(p->problems, "quota pods 19/20 (95%); quota requests.cpu 3800m/4 (95%)");
    ck_assert_double_eq_tol(tenants_get(ts, "max")->quota_ratio, 0.95, 1e-9);

    /* exactly 90 % is a problem; 89.x % is not (and does not round up) */
    put_quota("dp-max-catapp", "quota", "\"pods\":\"20\",\"services\":\"1000\"",
              "\"pods\":\"18\",\"services\":\"899\"");
    assert_problems(project("dp-max-catapp")->problems, "quota pods 18/20 (90%)");

    /* unparsable quantities and a missing used entry: no figure, the text
     * keeps what was written */
    put_quota("dp-max-catapp", "quota", "\"pods\":\"lots\",\"requests.cpu\":\"4\"",
              "\"pods\":\"3\"");
    p = project("dp-max-catapp");
    ck_assert(p->quota_ratio < 0);
    ck_assert_str_eq(p->quota_text, "pods 3/lots, requests.cpu ?/4");
    assert_problems(p->problems, "");

    /* hard 0: nothing used is fine, something used is over quota */
    put_quota("dp-max-catapp", "quota", "\"pods\":\"0\"", "\"pods\":\"0\"");
    p = project("dp-max-catapp");
    ck_assert(p->quota_ratio < 0);
    assert_problems(p->problems, "");
    put_quota("dp-max-catapp", "quota", "\"pods\":\"0\"", "\"pods\":\"2\"");
    p = project("dp-max-catapp");
    ck_assert_double_eq_tol(p->quota_ratio, 1.0, 1e-9);
    assert_problems(p->problems, "quota pods 2/0 (over)");

    /* over 100 % (a quota lowered under what runs) */
    put_quota("dp-max-catapp", "quota", "\"pods\":\"10\"", "\"pods\":\"15\"");
    assert_problems(project("dp-max-catapp")->problems, "quota pods 15/10 (150%)");

    cluster_remove(cl, KIND_RESOURCEQUOTA, "dp-max-catapp", "quota");
    ck_assert(project("dp-max-catapp")->quota_ratio < 0);
    assert_problems(project("dp-max-catapp")->problems, "");
}
END_TEST

START_TEST(test_warning_events_age_out)
{
    struct trec r;

    put_ns("dp-max-catapp", "max", "catapp");
    put_policies("dp-max-catapp");
    tenants_tick(ts, NOW);
    put_event("dp-max-catapp", "api.1", "Warning", NOW - 2 * 60);
    put_event("dp-max-catapp", "api.2", "Warning", NOW - 50 * 60);
    put_event("dp-max-catapp", "api.3", "Normal", NOW - 60);
    put_event("dp-max-catapp", "api.4", "Warning", NOW - 2 * 3600);
    ck_assert_int_eq(project("dp-max-catapp")->warnings_1h, 2);
    assert_problems(tenants_get(ts, "max")->problems,
                    "dp-max-catapp: 2 warning events in the last hour");

    trec_observe(&r);
    /* nothing ages out yet: no report */
    tenants_tick(ts, NOW + 60);
    ck_assert_int_eq(r.changes, 0);
    /* 15 minutes later the older one is past the hour */
    tenants_tick(ts, NOW + 15 * 60);
    ck_assert_int_eq(r.changes, 1);
    assert_problems(project("dp-max-catapp")->problems, "1 warning event in the last hour");
    /* and then the other */
    tenants_tick(ts, NOW + 2 * 3600);
    ck_assert_int_eq(r.changes, 2);
    ck_assert_int_eq(project("dp-max-catapp")->warnings_1h, 0);
    assert_problems(project("dp-max-catapp")->problems, "");
    /* a new Warning is judged against the tick time */
    put_event("dp-max-catapp", "api.5", "Warning", NOW + 2 * 3600 - 30);
    ck_assert_int_eq(project("dp-max-catapp")->warnings_1h, 1);
    ck_assert_int_eq(r.changes, 3);
    /* the window's edge: still in at exactly an hour, out a second later */
    tenants_tick(ts, NOW + 3 * 3600 - 30);
    ck_assert_int_eq(project("dp-max-catapp")->warnings_1h, 1);
    ck_assert_int_eq(r.changes, 3);
    tenants_tick(ts, NOW + 3 * 3600 - 29);
    ck_assert_int_eq(project("dp-max-catapp")->warnings_1h, 0);
    ck_assert_int_eq(r.changes, 4);
    /* a clock set back brings old events into the window again */
    tenants_tick(ts, NOW);
    ck_assert_int_eq(project("dp-max-catapp")->warnings_1h, 3);
    ck_assert_int_eq(r.changes, 5);
}
END_TEST

START_TEST(test_problem_order_and_prefix)
{
    put_ns("dp-max-catapp", "max", "catapp");
    put_ns("dp-max-blog", "max", "blog");
    put_policies("dp-max-blog");
    put_policy("dp-max-catapp", "ingress-isolation");
    put_quota("dp-max-catapp", "quota", "\"pods\":\"20\"", "\"pods\":\"19\"");
    put_pod("dp-max-catapp", "api", POD_CRASHLOOP);
    put_deployment("dp-max-catapp", "api", 1, 0);
    put_event("dp-max-catapp", "api.1", "Warning", NOW - 60);
    put_pod("dp-max-blog", "web", POD_PENDING);
    /* the order: policies, quota, pods, deployments, events */
    assert_problems(tenants_get(ts, "max")->problems,
                    "dp-max-blog: 1 pod not ready; "
                    "dp-max-catapp: missing egress-isolation; "
                    "dp-max-catapp: quota pods 19/20 (95%); "
                    "dp-max-catapp: 1 pod not ready; "
                    "dp-max-catapp: deployment api 0/1 available; "
                    "dp-max-catapp: 1 warning event in the last hour");
}
END_TEST

/*
 * Notifications
 */

START_TEST(test_one_change_per_event)
{
    struct trec r, other;

    put_ns("dp-max-catapp", "max", "catapp");
    put_ns("dp-ada-shop", "ada", "shop");
    put_policies("dp-max-catapp");
    trec_observe(&r);

    put_pod("dp-max-catapp", "api", POD_READY);
    ck_assert_int_eq(r.changes, 1);
    ck_assert_str_eq(r.last, "max");
    put_pod("dp-max-catapp", "api", POD_CRASHLOOP);
    ck_assert_int_eq(r.changes, 2);
    put_pod("dp-ada-shop", "web", POD_READY);
    ck_assert_int_eq(r.changes, 3);
    ck_assert_str_eq(r.last, "ada");
    /* objects that change nothing a tenant shows are not reported: a node,
     * a pod outside the tenants, a Normal event, an update that leaves the
     * summary as it was */
    put("{\"kind\":\"Node\",\"metadata\":{\"name\":\"run-1\",\"resourceVersion\":\"%d\"}}",
        ++rv_counter);
    put_pod("kube-system", "coredns", POD_CRASHLOOP);
    put_event("dp-max-catapp", "scheduled", "Normal", NOW - 60);
    put_pod("dp-max-catapp", "api", POD_CRASHLOOP);
    ck_assert_int_eq(r.changes, 3);
    ck_assert_int_eq(r.resets, 0);

    /* an observer removed from inside... is simply gone; a second one
     * keeps receiving */
    struct tenant_observer o = {.changed = trec_changed, .reset = trec_reset, .arg = &other};
    memset(&other, 0, sizeof(other));
    tenants_observe(ts, &o);
    tenants_unobserve(ts, &r);
    put_pod("dp-max-catapp", "api", POD_READY);
    ck_assert_int_eq(r.changes, 3);
    ck_assert_int_eq(other.changes, 1);
}
END_TEST

struct quitter {
    int calls;
};

static void
quitter_changed(void *arg, const char *name, const struct tenant *t)
{
    struct quitter *q = arg;

    (void)name, (void)t;
    q->calls++;
    tenants_unobserve(ts, q);
}

START_TEST(test_unobserve_from_callback)
{
    struct quitter q = {0};
    struct tenant_observer o = {.changed = quitter_changed, .arg = &q};
    struct trec r;

    tenants_observe(ts, &o);
    trec_observe(&r);
    /* a relabel reports two tenants in one flush: the quitter leaves on the
     * first, the other observer sees both */
    put_ns("shared", "max", "web");
    ck_assert_int_eq(q.calls, 1);
    ck_assert_int_eq(r.changes, 1);
    put_ns("shared", "ada", "web");
    ck_assert_int_eq(q.calls, 1);
    ck_assert_int_eq(r.changes, 3);
}
END_TEST

START_TEST(test_reset_recomputes_once)
{
    struct trec r;

    put_ns("dp-max-catapp", "max", "catapp");
    put_pod("dp-max-catapp", "old", POD_READY);
    trec_observe(&r);

    /* a relist of every pod: one reset, no per-tenant changes */
    cluster_replace_begin(cl, KIND_POD, NULL);
    put_pod("dp-max-catapp", "a", POD_READY);
    put_pod("dp-max-catapp", "b", POD_CRASHLOOP);
    put_pod("dp-ada-shop", "c", POD_READY);
    cluster_replace_end(cl, KIND_POD, NULL);
    ck_assert_int_eq(r.resets, 1);
    ck_assert_int_eq(r.changes, 0);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 2);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_ready, 1);
    ck_assert_int_eq(tenants_get(ts, "ada")->pods_total, 1);

    /* a namespace-scoped relist (the 403 fallback) recomputes that
     * namespace and reports its tenant, not a reset */
    cluster_replace_begin(cl, KIND_POD, "dp-max-catapp");
    put_pod("dp-max-catapp", "a", POD_READY);
    cluster_replace_end(cl, KIND_POD, "dp-max-catapp");
    ck_assert_int_eq(r.resets, 1);
    ck_assert_int_eq(r.changes, 1);
    ck_assert_str_eq(r.last, "max");
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 1);

    /* a relist of a kind tenants do not read reports nothing */
    cluster_replace_begin(cl, KIND_NODE, NULL);
    cluster_replace_end(cl, KIND_NODE, NULL);
    ck_assert_int_eq(r.resets, 1);
    ck_assert_int_eq(r.changes, 1);
}
END_TEST

START_TEST(test_tenants_of_an_existing_cluster)
{
    struct tenants *late;

    put_ns("dp-max-catapp", "max", "catapp");
    put_pod("dp-max-catapp", "a", POD_READY);
    /* built after the cache load: sees what is there */
    late = tenants_new(cl, &conv);
    ck_assert_int_eq(tenants_get(late, "max")->pods_total, 1);
    put_pod("dp-max-catapp", "b", POD_READY);
    ck_assert_int_eq(tenants_get(late, "max")->pods_total, 2);
    tenants_free(late);
    tenants_free(NULL);
    /* the first one still observes */
    put_pod("dp-max-catapp", "c", POD_READY);
    ck_assert_int_eq(tenants_get(ts, "max")->pods_total, 3);
}
END_TEST

/*
 * JSON
 */

START_TEST(test_json_shape)
{
    struct strbuf out;
    struct jsonw w;
    size_t n;
    const struct tenant *const *all;

    put_ns("dp-max-catapp", "max", "catapp");
    put_policies("dp-max-catapp");
    put_pod("dp-max-catapp", "api-7d9c8-x2bq", POD_CRASHLOOP);
    put_pod("dp-max-catapp", "web-1", POD_READY);
    put_pod("dp-max-catapp", "web-2", POD_READY);
    put_pod("dp-max-catapp", "migrate", POD_COMPLETED);
    put_quota("dp-max-catapp", "quota", "\"pods\":\"20\"", "\"pods\":\"4\"");
    put_service("dp-max-catapp", "web");
    put_service("dp-max-catapp", "api");
    put_service("dp-max-catapp", "worker");
    put_ingress("dp-max-catapp", "web", "www.breacher.org");
    put_ingress("dp-max-catapp", "api", "api.breacher.org");
    put_ns("dp-max-blog", "max", "blog");

    strbuf_init(&out);
    jsonw_init(&w, &out, false);
    all = tenants_all(ts, &n);
    ck_assert_uint_eq(n, 1);
    tenant_write_json(all[0], 0, &w);
    ck_assert_str_eq(
        strbuf_str(&out),
        "{\"tenant\":\"max\",\"namespaces\":[\"dp-max-blog\",\"dp-max-catapp\"],"
        "\"pods_ready\":3,\"pods_total\":4,"
        "\"problems\":[\"dp-max-blog: missing ingress-isolation\","
        "\"dp-max-blog: missing egress-isolation\",\"dp-max-catapp: 1 pod not ready\"],"
        "\"quota_percent\":20,\"policies\":false,"
        "\"projects\":["
        "{\"namespace\":\"dp-max-blog\",\"project\":\"blog\",\"pods_ready\":0,\"pods_total\":0,"
        "\"deployments\":0,\"deployments_unavailable\":0,\"quota_percent\":null,\"quota\":null,"
        "\"ingress_isolation\":false,\"egress_isolation\":false,\"warnings_1h\":0,"
        "\"hosts\":[],\"services\":[],"
        "\"problems\":[\"missing ingress-isolation\",\"missing egress-isolation\"]},"
        "{\"namespace\":\"dp-max-catapp\",\"project\":\"catapp\",\"pods_ready\":3,"
        "\"pods_total\":4,\"deployments\":0,\"deployments_unavailable\":0,"
        "\"quota_percent\":20,\"quota\":\"pods 4/20\",\"ingress_isolation\":true,"
        "\"egress_isolation\":true,\"warnings_1h\":0,"
        "\"hosts\":[\"api.breacher.org\",\"www.breacher.org\"],\"services\":[{\"name\":\"api\","
        "\"hosts\":[\"api.breacher.org\"]},{\"name\":\"web\",\"hosts\":[\"www.breacher.org\"]},"
        "{\"name\":\"worker\",\"hosts\":[]}],"
        "\"problems\":[\"1 pod not ready\"]}]}");

    /* cached data carries fetched_at */
    strbuf_reset(&out);
    jsonw_init(&w, &out, false);
    tenant_write_json(all[0], NOW - 420, &w);
    ck_assert_msg(strstr(strbuf_str(&out), ",\"fetched_at\":\"2026-11-24T03:05:00Z\"}") != NULL,
                  "%s", strbuf_str(&out));
    strbuf_done(&out);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("tenant");
    TCase *tc = tcase_create("tenant");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_projects_from_labels_and_pattern);
    tcase_add_test(tc, test_namespace_known_only_by_its_objects);
    tcase_add_test(tc, test_project_moves_between_tenants);
    tcase_add_test(tc, test_missing_policies);
    tcase_add_test(tc, test_pods_ready);
    tcase_add_test(tc, test_policies_unknown);
    tcase_add_test(tc, test_deployments);
    tcase_add_test(tc, test_quota);
    tcase_add_test(tc, test_warning_events_age_out);
    tcase_add_test(tc, test_problem_order_and_prefix);
    tcase_add_test(tc, test_one_change_per_event);
    tcase_add_test(tc, test_unobserve_from_callback);
    tcase_add_test(tc, test_reset_recomputes_once);
    tcase_add_test(tc, test_tenants_of_an_existing_cluster);
    tcase_add_test(tc, test_json_shape);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
