/* SPDX-License-Identifier: MIT */
/* bench-cluster.c - cluster state, tenants and the row filter at 500 nodes / 2,000 ns / 20,000 pods
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "opsdeck/clock.h"
#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"
#include "opsdeck/filter.h"
#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/tenant.h"
#include "opsdeck/xalloc.h"

/*
 * The platform of issue #2's performance section: 500 nodes, 2,000 tenant
 * namespaces with their quota, policies, deployments, services, ingress and
 * events, 20,000 pods (10 per namespace). Objects are written as the API
 * server sends them and go through the real parser (not timed), so the
 * tenants compute on kubectl's pod status.
 */
#define NODES         500
#define NAMESPACES    2000
#define PODS_PER_NS   10
#define UPDATES       5000
#define FILTER_PASSES 21

static double
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Sorts v and returns the q-quantile (0.5 median, 0.99 …). */
static double
quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return v[(size_t)(q * (double)(n - 1))];
}

static struct kobj *
parse(enum kind kind, const char *text)
{
    struct json_doc doc;
    struct kobj *obj;

    json_doc_init(&doc);
    if (json_parse(&doc, text, strlen(text)) != STATUS_OK)
        xfatal("bench json: %s", status_text());
    obj = kobj_parse(kind, &doc, 0);
    if (!obj)
        xfatal("bench parse: %s", status_text());
    json_doc_done(&doc);
    return obj;
}

static void
tenant_ns(int i, char *buf, size_t size)
{
    snprintf(buf, size, "dp-t%03d-p%d", i / 2, i % 2);
}

/* A pod shaped like a real one (what kobj_parse reads of it). */
static char *
pod_json(const char *ns, int i, int rv, bool crashloop)
{
    return xasprintf(
        "{\"metadata\":{\"name\":\"app-%d-7d9c8\",\"namespace\":\"%s\",\"uid\":\"u-%s-%d\","
        "\"resourceVersion\":\"%d\",\"creationTimestamp\":\"2026-11-20T10:00:00Z\","
        "\"labels\":{\"app\":\"app-%d\",\"pod-template-hash\":\"7d9c8\"},"
        "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
        "\"name\":\"app-%d-7d9c8\",\"uid\":\"r\",\"controller\":true}]},"
        "\"spec\":{\"nodeName\":\"run-%d\",\"runtimeClassName\":\"gvisor\",\"containers\":"
        "[{\"name\":\"app\",\"image\":\"registry.internal:5000/%s/app:abc\",\"resources\":"
        "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"500m\","
        "\"memory\":\"256Mi\"}},\"env\":[{\"name\":\"PORT\",\"value\":\"8080\"}]}]},"
        "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.42.1.%d\",\"qosClass\":\"Burstable\","
        "\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\","
        "\"lastTransitionTime\":\"2026-11-20T10:00:10Z\"}],\"containerStatuses\":[{\"name\":"
        "\"app\",\"ready\":%s,\"started\":true,\"restartCount\":%d,\"image\":\"app\","
        "\"state\":%s}]}}",
        i, ns, ns, i, rv, i % PODS_PER_NS, i % PODS_PER_NS, i % NODES, ns, i % 250,
        crashloop ? "False" : "True", crashloop ? "false" : "true", crashloop ? 14 : 0,
        crashloop ? "{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}"
                  : "{\"running\":{\"startedAt\":\"2026-11-20T10:00:05Z\"}}");
}

struct counter {
    unsigned long changes;
    unsigned long resets;
};

static void
count_change(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    (void)op, (void)old, (void)new_;
    ((struct counter *)arg)->changes++;
}

static void
count_reset(void *arg, enum kind kind)
{
    (void)kind;
    ((struct counter *)arg)->resets++;
}

static void
count_tenant(void *arg, const char *name, const struct tenant *t)
{
    (void)name, (void)t;
    ((struct counter *)arg)->changes++;
}

static void
count_tenant_reset(void *arg)
{
    ((struct counter *)arg)->resets++;
}

/* Loads the whole platform as informers do after their first lists:
 * replace_begin, every item, replace_end, kind by kind. */
static void
load(struct cluster *cl)
{
    char ns[64];
    int rv = 1;

    cluster_replace_begin(cl, KIND_NODE, NULL);
    for (int i = 0; i < NODES; i++) {
        char *t = xasprintf("{\"metadata\":{\"name\":\"run-%d\",\"resourceVersion\":\"%d\","
                            "\"labels\":{\"pool\":\"run\"}},\"status\":{\"conditions\":[{"
                            "\"type\":\"Ready\",\"status\":\"True\"}],\"addresses\":[{\"type\":"
                            "\"InternalIP\",\"address\":\"10.0.1.%d\"}]}}",
                            i, rv++, i % 250);
        cluster_upsert(cl, parse(KIND_NODE, t));
        free(t);
    }
    cluster_replace_end(cl, KIND_NODE, NULL);

    cluster_replace_begin(cl, KIND_NAMESPACE, NULL);
    for (int i = 0; i < NAMESPACES; i++) {
        tenant_ns(i, ns, sizeof(ns));
        char *t = xasprintf("{\"metadata\":{\"name\":\"%s\",\"resourceVersion\":\"%d\","
                            "\"labels\":{\"dp.ml.ink/tenant\":\"t%03d\",\"dp.ml.ink/project\":"
                            "\"p%d\"}},\"status\":{\"phase\":\"Active\"}}",
                            ns, rv++, i / 2, i % 2);
        cluster_upsert(cl, parse(KIND_NAMESPACE, t));
        free(t);
    }
    cluster_replace_end(cl, KIND_NAMESPACE, NULL);

    cluster_replace_begin(cl, KIND_NETWORKPOLICY, NULL);
    cluster_replace_begin(cl, KIND_RESOURCEQUOTA, NULL);
    cluster_replace_begin(cl, KIND_DEPLOYMENT, NULL);
    cluster_replace_begin(cl, KIND_SERVICE, NULL);
    cluster_replace_begin(cl, KIND_INGRESS, NULL);
    cluster_replace_begin(cl, KIND_EVENT, NULL);
    for (int i = 0; i < NAMESPACES; i++) {
        tenant_ns(i, ns, sizeof(ns));
        for (int p = 0; p < 2; p++) {
            char *t = xasprintf("{\"metadata\":{\"name\":\"%s-isolation\",\"namespace\":\"%s\","
                                "\"resourceVersion\":\"%d\"},\"spec\":{\"podSelector\":{},"
                                "\"policyTypes\":[\"%s\"]}}",
                                p ? "egress" : "ingress", ns, rv++, p ? "Egress" : "Ingress");
            cluster_upsert(cl, parse(KIND_NETWORKPOLICY, t));
            free(t);
        }
        char *t = xasprintf("{\"metadata\":{\"name\":\"quota\",\"namespace\":\"%s\","
                            "\"resourceVersion\":\"%d\"},\"spec\":{\"hard\":{\"pods\":\"20\","
                            "\"requests.cpu\":\"4\",\"requests.memory\":\"4Gi\"}},\"status\":{"
                            "\"hard\":{\"pods\":\"20\",\"requests.cpu\":\"4\",\"requests.memory\":"
                            "\"4Gi\"},\"used\":{\"pods\":\"10\",\"requests.cpu\":\"1\","
                            "\"requests.memory\":\"1280Mi\"}}}",
                            ns, rv++);
        cluster_upsert(cl, parse(KIND_RESOURCEQUOTA, t));
        free(t);
        for (int d = 0; d < 2; d++) {
            t = xasprintf("{\"metadata\":{\"name\":\"svc%d\",\"namespace\":\"%s\","
                          "\"resourceVersion\":\"%d\"},\"spec\":{\"replicas\":5,\"selector\":{"
                          "\"matchLabels\":{\"app\":\"svc%d\"}},\"template\":{\"spec\":{"
                          "\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}}},"
                          "\"status\":{\"replicas\":5,\"readyReplicas\":5,\"updatedReplicas\":5,"
                          "\"availableReplicas\":5}}",
                          d, ns, rv++, d);
            cluster_upsert(cl, parse(KIND_DEPLOYMENT, t));
            free(t);
            t = xasprintf("{\"metadata\":{\"name\":\"svc%d\",\"namespace\":\"%s\","
                          "\"resourceVersion\":\"%d\"},\"spec\":{\"type\":\"ClusterIP\","
                          "\"clusterIP\":\"10.43.%d.%d\",\"ports\":[{\"port\":80,\"protocol\":"
                          "\"TCP\"}],\"selector\":{\"app\":\"svc%d\"}}}",
                          d, ns, rv++, i % 250, d, d);
            cluster_upsert(cl, parse(KIND_SERVICE, t));
            free(t);
        }
        t = xasprintf("{\"metadata\":{\"name\":\"svc0\",\"namespace\":\"%s\","
                      "\"resourceVersion\":\"%d\"},\"spec\":{\"rules\":[{\"host\":"
                      "\"svc0-%s.breacher.org\"}]}}",
                      ns, rv++, ns);
        cluster_upsert(cl, parse(KIND_INGRESS, t));
        free(t);
        for (int e = 0; e < 3; e++) {
            char when[32];

            /* minutes old: the Warning is in the hour until the tick below */
            time_format_rfc3339(clock_now() - 600 + e, when, sizeof(when));
            t = xasprintf("{\"metadata\":{\"name\":\"ev%d\",\"namespace\":\"%s\","
                          "\"resourceVersion\":\"%d\"},\"type\":\"%s\",\"reason\":\"Pulled\","
                          "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"app-0\"},"
                          "\"lastTimestamp\":\"%s\"}",
                          e, ns, rv++, e == 2 ? "Warning" : "Normal", when);
            cluster_upsert(cl, parse(KIND_EVENT, t));
            free(t);
        }
    }
    cluster_replace_end(cl, KIND_NETWORKPOLICY, NULL);
    cluster_replace_end(cl, KIND_RESOURCEQUOTA, NULL);
    cluster_replace_end(cl, KIND_DEPLOYMENT, NULL);
    cluster_replace_end(cl, KIND_SERVICE, NULL);
    cluster_replace_end(cl, KIND_INGRESS, NULL);
    cluster_replace_end(cl, KIND_EVENT, NULL);

    cluster_replace_begin(cl, KIND_POD, NULL);
    for (int i = 0; i < NAMESPACES * PODS_PER_NS; i++) {
        tenant_ns(i / PODS_PER_NS, ns, sizeof(ns));
        char *t = pod_json(ns, i, rv++, i % 97 == 0);
        cluster_upsert(cl, parse(KIND_POD, t));
        free(t);
    }
    cluster_replace_end(cl, KIND_POD, NULL);
}

/*
 * Filter rows: what the pods table hands the filter for each row.
 */
struct row {
    char *fields[8];
    const struct kv_list *labels;
};

static void
make_rows(const struct cluster *cl, const struct tenants *ts, struct row *rows, size_t *nrows)
{
    size_t n;
    const struct kobj *const *pods = cluster_all(cl, KIND_POD, &n);

    for (size_t i = 0; i < n; i++) {
        const struct pod *p = (const struct pod *)pods[i];
        const struct project *pr = tenants_project(ts, p->obj.ns);
        struct row *r = &rows[i];

        r->fields[0] = xstrdup(p->obj.name);
        r->fields[1] = xstrdup(p->obj.ns);
        r->fields[2] = xstrdup(pr ? pr->tenant : NULL);
        r->fields[3] = xstrdup(pr ? pr->project : NULL);
        r->fields[4] = xstrdup(p->node);
        r->fields[5] = xstrdup(pr && pr->hosts[0] ? pr->hosts[0] : NULL);
        r->fields[6] = kv_join(&p->obj.labels);
        r->fields[7] = xstrdup(p->status);
        r->labels = &p->obj.labels;
    }
    *nrows = n;
}

static void
bench_filter(const char *text, const struct row *rows, size_t nrows)
{
    struct filter *f;
    double t[FILTER_PASSES], compile;
    size_t hits = 0;

    compile = now_us();
    if (filter_compile(text, &f) != STATUS_OK)
        xfatal("filter %s: %s", text, status_text());
    compile = now_us() - compile;
    for (int pass = 0; pass < FILTER_PASSES; pass++) {
        double t0 = now_us();

        hits = 0;
        for (size_t i = 0; i < nrows; i++)
            hits += filter_match(f, (const char *const *)rows[i].fields, 8, rows[i].labels);
        t[pass] = now_us() - t0;
    }
    printf("  %-44s %6zu rows match   pass %7.0f µs (median of %d; %.2f µs/row)"
           "   compile %4.0f µs\n",
           text, hits, quantile(t, FILTER_PASSES, 0.5), FILTER_PASSES,
           quantile(t, FILTER_PASSES, 0.5) / (double)nrows, compile);
    filter_free(f);
}

int
main(void)
{
    struct conventions conv;
    struct cluster *cl = cluster_new();
    struct tenants *ts;
    struct counter view = {0}, tview = {0};
    struct cluster_observer obs = {.changed = count_change, .reset = count_reset, .arg = &view};
    struct tenant_observer tobs = {
        .changed = count_tenant,
        .reset = count_tenant_reset,
        .arg = &tview,
    };
    struct kobj **updates = xcalloc(UPDATES, sizeof(*updates));
    char **texts = xcalloc(UPDATES, sizeof(*texts));
    double *lat = xcalloc(UPDATES, sizeof(*lat));
    struct row *rows;
    size_t nrows, n;
    struct rusage ru;
    double t0, load_ms;
    unsigned seed = 42;

    conventions_init_defaults(&conv);
    ts = tenants_new(cl, &conv);
    cluster_observe(cl, &obs);
    tenants_observe(ts, &tobs);

    printf("bench-cluster: %d nodes, %d tenant namespaces, %d pods\n", NODES, NAMESPACES,
           NAMESPACES * PODS_PER_NS);
    t0 = now_us();
    load(cl);
    load_ms = (now_us() - t0) / 1e3;
    tenants_all(ts, &n);
    printf("  initial load (parse + apply + tenant resets): %.0f ms; %zu tenants, %zu objects\n",
           load_ms, n,
           cluster_count(cl, KIND_POD) + cluster_count(cl, KIND_NODE) +
               cluster_count(cl, KIND_NAMESPACE) + cluster_count(cl, KIND_NETWORKPOLICY) +
               cluster_count(cl, KIND_RESOURCEQUOTA) + cluster_count(cl, KIND_DEPLOYMENT) +
               cluster_count(cl, KIND_SERVICE) + cluster_count(cl, KIND_INGRESS) +
               cluster_count(cl, KIND_EVENT));

    /* A relist of every pod against the loaded state (one tenants reset). */
    {
        char ns[64];
        double apply = 0;

        cluster_replace_begin(cl, KIND_POD, NULL);
        for (int i = 0; i < NAMESPACES * PODS_PER_NS; i++) {
            tenant_ns(i / PODS_PER_NS, ns, sizeof(ns));
            char *t = pod_json(ns, i, 10000000 + i, i % 89 == 0);
            struct kobj *obj = parse(KIND_POD, t);
            double a = now_us();

            cluster_upsert(cl, obj);
            apply += now_us() - a;
            free(t);
        }
        t0 = now_us();
        cluster_replace_end(cl, KIND_POD, NULL);
        printf("  pod relist: apply %.1f ms for 20,000 pods (%.2f µs each), end + tenants "
               "reset %.1f ms\n",
               apply / 1e3, apply / (NAMESPACES * PODS_PER_NS), (now_us() - t0) / 1e3);
    }

    /* One pod update end to end: cluster indexes, the tenant of its
     * namespace recomputed and reported, one view observer. Objects are
     * parsed beforehand; the parse is timed separately below. */
    for (int u = 0; u < UPDATES; u++) {
        int i = (int)(rand_r(&seed) % (NAMESPACES * PODS_PER_NS));
        char ns[64];

        tenant_ns(i / PODS_PER_NS, ns, sizeof(ns));
        texts[u] = pod_json(ns, i, 20000000 + u, u % 2 == 0);
        updates[u] = parse(KIND_POD, texts[u]);
    }
    view.changes = tview.changes = 0;
    for (int u = 0; u < UPDATES; u++) {
        double a = now_us();

        cluster_upsert(cl, updates[u]);
        lat[u] = now_us() - a;
    }
    printf("  single pod update (cluster + tenants + observer): median %.2f µs, p99 %.2f µs, "
           "max %.1f µs over %d updates (%lu view, %lu tenant notifications)\n",
           quantile(lat, UPDATES, 0.5), quantile(lat, UPDATES, 0.99), quantile(lat, UPDATES, 1.0),
           UPDATES, view.changes, tview.changes);

    /* The same with the watch event's parse included. */
    for (int u = 0; u < UPDATES; u++) {
        struct json_doc doc;
        size_t len = strlen(texts[u]);
        double a;
        char *p = strstr(texts[u], "\"resourceVersion\":\"");

        /* a fresh resourceVersion, same length */
        p += strlen("\"resourceVersion\":\"");
        p[0] = '3';
        json_doc_init(&doc);
        a = now_us();
        if (json_parse(&doc, texts[u], len) != STATUS_OK)
            xfatal("bench json: %s", status_text());
        cluster_upsert(cl, kobj_parse(KIND_POD, &doc, 0));
        lat[u] = now_us() - a;
        json_doc_done(&doc);
        free(texts[u]);
    }
    printf("  watch event (tokenize + parse + the above): median %.2f µs, p99 %.2f µs\n",
           quantile(lat, UPDATES, 0.5), quantile(lat, UPDATES, 0.99));

    /* Time window: a minute's tick where nothing leaves the hour, then the
     * worst one, where every project's Warning does at once. */
    t0 = now_us();
    tenants_tick(ts, clock_now() + 60);
    printf("  tenants_tick, nothing ages out: %.2f ms;", (now_us() - t0) / 1e3);
    tview.changes = 0;
    t0 = now_us();
    tenants_tick(ts, clock_now() + 3600);
    printf(" every project's Warning ages out: %.1f ms (%lu tenant notifications)\n",
           (now_us() - t0) / 1e3, tview.changes);

    rows = xcalloc(cluster_count(cl, KIND_POD), sizeof(*rows));
    make_rows(cl, ts, rows, &nrows);
    printf("  filter over %zu rows x 8 fields:\n", nrows);
    bench_filter("svc0-dp-t123", rows, nrows);
    bench_filter("api.breacher", rows, nrows);
    bench_filter("run-42$", rows, nrows);
    bench_filter("CrashLoop", rows, nrows);
    bench_filter("!dp-t0", rows, nrows);
    bench_filter("^app-[0-9]+-7d9c8$", rows, nrows);
    bench_filter("-l app=app-3", rows, nrows);
    bench_filter("-l app in (app-1,app-2),pod-template-hash", rows, nrows);

    getrusage(RUSAGE_SELF, &ru);
    printf("  peak RSS %ld MB (cluster, tenants, filter rows)\n", ru.ru_maxrss / 1024);

    for (size_t i = 0; i < nrows; i++)
        for (int f = 0; f < 8; f++)
            free(rows[i].fields[f]);
    free(rows);
    free(updates);
    free(texts);
    free(lat);
    tenants_free(ts);
    cluster_free(cl);
    conventions_done(&conv);
    return 0;
}
