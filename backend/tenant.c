/* SPDX-License-Identifier: MIT */
/* tenant.c - tenants and projects derived from namespaces, kept up to date per change */
#include "config.h"

#include "opsdeck/tenant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/hmap.h"
#include "opsdeck/json.h"
#include "opsdeck/macros.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

#define WARNING_WINDOW 3600 /* "Warning events in the last hour" */
#define QUOTA_PROBLEM  0.9  /* quota use >= 90 % is a problem */

/*
 * A project is recomputed from the objects of its namespace whenever one of
 * them changes; its tenant is then re-aggregated from its projects (a
 * handful) and reported once. Nothing here walks the whole cluster except a
 * cluster-wide reset.
 */
/* What tenants_tick needs to know without looking at the events again. */
struct warnings {
    int total;      /* Warning events of any age */
    int64_t expiry; /* the first time one of the recent ones leaves the
                       window (INT64_MAX: none is recent) */
};

struct proj {
    struct project p;  /* public part; first, so a project * is a proj * */
    struct trec *t;    /* borrowed: the tenant holding it */
    struct warnings w; /* as of the last recomputation */
};

struct trec {
    struct tenant t; /* public part; first */
    size_t cap;      /* of t.projects */
    bool dirty;      /* in ts->dirty: re-aggregate and report */
};

struct tenants {
    struct cluster *cl; /* borrowed */
    struct conventions conv;
    int64_t now;            /* the tick time events are judged against */
    bool policies_unknown;  /* NetworkPolicies could not be read */
    struct hmap projects;   /* namespace -> struct proj * */
    struct hmap by_name;    /* tenant name -> struct trec * */
    struct tenant **sorted; /* by name */
    size_t nsorted;
    size_t sorted_cap;
    struct vec dirty; /* struct trec * to re-aggregate (borrowed) */
    struct vec gone;  /* char *: tenants that disappeared, to report */
    struct tenant_observer *obs;
    size_t nobs;
    size_t obs_cap;
    int dispatching;
    bool obs_dirty; /* an observer was removed during a dispatch */
};

/*
 * Small helpers
 */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_obj_name(const void *a, const void *b)
{
    return strcmp((*(const struct kobj *const *)a)->name, (*(const struct kobj *const *)b)->name);
}

/* v (char *, owned) sorted, duplicates dropped, as a NULL-terminated strv;
 * empties v. */
static char **
vec_to_strv(struct vec *v)
{
    char **out = xcalloc(v->len + 1, sizeof(*out));
    size_t n = 0;

    vec_sort(v, cmp_str);
    for (size_t i = 0; i < v->len; i++) {
        char *s = v->items[i];

        if (n && strcmp(out[n - 1], s) == 0)
            free(s);
        else
            out[n++] = s;
    }
    v->len = 0;
    return out;
}

/* v's items (char *, owned) in order as a NULL-terminated strv; empties v. */
static char **
vec_take_strv(struct vec *v)
{
    char **out = xcalloc(v->len + 1, sizeof(*out));

    for (size_t i = 0; i < v->len; i++)
        out[i] = v->items[i];
    v->len = 0;
    return out;
}

static bool
strv_eq(char *const *a, char *const *b)
{
    if (!a || !b)
        return a == b;
    for (; *a && *b; a++, b++)
        if (strcmp(*a, *b) != 0)
            return false;
    return !*a && !*b;
}

static bool
str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Project computation
 */

static void
project_done(struct project *p)
{
    free(p->ns);
    free(p->tenant);
    free(p->project);
    free(p->quota_text);
    strv_free(p->hosts);
    strv_free(p->services);
    strv_free(p->service_hosts);
    strv_free(p->problems);
}

static bool
project_eq(const struct project *a, const struct project *b)
{
    return str_eq(a->tenant, b->tenant) && str_eq(a->project, b->project) &&
           a->pods_total == b->pods_total && a->pods_ready == b->pods_ready &&
           a->deployments == b->deployments &&
           a->deployments_unavailable == b->deployments_unavailable &&
           a->quota_ratio == b->quota_ratio && str_eq(a->quota_text, b->quota_text) &&
           a->ingress_isolation == b->ingress_isolation &&
           a->policies_known == b->policies_known &&
           a->egress_isolation == b->egress_isolation && a->warnings_1h == b->warnings_1h &&
           strv_eq(a->hosts, b->hosts) && strv_eq(a->services, b->services) &&
           strv_eq(a->service_hosts, b->service_hosts) && strv_eq(a->problems, b->problems);
}

/* Borrowed array of kind's objects in ns sorted by name, in *buf (resized);
 * for outputs that must not depend on hash order. */
static const struct kobj **
sorted_in_ns(const struct cluster *cl, enum kind kind, const char *ns, size_t *n,
             const struct kobj ***buf)
{
    const struct kobj *const *all = cluster_in_ns(cl, kind, ns, n);

    *buf = xrealloc(*buf, (*n + 1) * sizeof(**buf));
    memcpy(*buf, all, *n * sizeof(**buf));
    qsort(*buf, *n, sizeof(**buf), cmp_obj_name);
    return *buf;
}

static int
percent(double ratio)
{
    return (int)floor(ratio * 100.0 + 1e-9);
}

/* One quota item: its ratio for the project's figure (-1 when it has none)
 * and, at >= 90 %, its problem. A hard limit of 0 with something used is
 * over quota; with nothing used it is no use at all. */
static double
quota_item(const struct quota_item *it, struct vec *problems)
{
    double used, hard, ratio = quota_item_ratio(it);

    if (ratio < 0) {
        if (it->used && quantity_parse(it->used, &used) && quantity_parse(it->hard, &hard) &&
            hard == 0 && used > 0) {
            vec_push(problems,
                     xasprintf("quota %s %s/%s (over)", it->resource, it->used, it->hard));
            return 1.0;
        }
        return -1;
    }
    if (ratio >= QUOTA_PROBLEM)
        vec_push(problems, xasprintf("quota %s %s/%s (%d%%)", it->resource, it->used, it->hard,
                                     percent(ratio)));
    return ratio;
}

static void
compute_quota(const struct tenants *ts, struct project *p, struct vec *problems,
              const struct kobj ***buf)
{
    size_t n;
    const struct kobj **qs = sorted_in_ns(ts->cl, KIND_RESOURCEQUOTA, p->ns, &n, buf);
    struct strbuf text;

    p->quota_ratio = -1;
    if (n == 0)
        return;
    strbuf_init(&text);
    for (size_t i = 0; i < n; i++) {
        const struct resourcequota *q = (const struct resourcequota *)qs[i];

        for (size_t j = 0; j < q->nitems; j++) {
            const struct quota_item *it = &q->items[j];
            double r = quota_item(it, problems);

            if (r > p->quota_ratio)
                p->quota_ratio = r;
            strbuf_printf(&text, "%s%s %s/%s", text.len ? ", " : "", it->resource,
                          it->used ? it->used : "?", it->hard ? it->hard : "?");
        }
    }
    p->quota_text = text.len ? strbuf_detach(&text) : NULL;
    strbuf_done(&text);
}

static bool
is_warning(const struct event *ev)
{
    return ev->type && strcmp(ev->type, "Warning") == 0;
}

static bool
is_recent(const struct tenants *ts, const struct event *ev)
{
    return ev->last_seen > 0 && ev->last_seen >= ts->now - WARNING_WINDOW;
}

/* The hosts of each service (parallel to services): the hosts of every
 * Ingress in ns with a backend naming it, sorted and joined with ",". The
 * model keeps an Ingress's hosts and backends apart, so a multi-rule
 * Ingress lends all its hosts to each of its services; the platform's
 * Ingresses have one rule each (seeds/001 §9). */
static char **
service_hosts(const struct tenants *ts, const char *ns, char *const *services)
{
    size_t nsvc = strv_len((const char *const *)services), ning;
    const struct kobj *const *ings = cluster_in_ns(ts->cl, KIND_INGRESS, ns, &ning);
    char **out = xcalloc(nsvc + 1, sizeof(*out));
    struct vec hosts;

    vec_init(&hosts, free);
    for (size_t i = 0; i < nsvc; i++) {
        struct strbuf sb;
        char **v;

        for (size_t j = 0; j < ning; j++) {
            const struct ingress *ing = (const struct ingress *)ings[j];

            if (!ing->backends || !strv_contains((const char *const *)ing->backends, services[i]))
                continue;
            for (char **h = ing->hosts; h && *h; h++)
                vec_push(&hosts, xstrdup(*h));
        }
        v = vec_to_strv(&hosts);
        strbuf_init(&sb);
        for (char **h = v; *h; h++)
            strbuf_printf(&sb, "%s%s", sb.len ? "," : "", *h);
        out[i] = sb.len ? strbuf_detach(&sb) : xstrdup("");
        strbuf_done(&sb);
        strv_free(v);
    }
    vec_done(&hosts);
    return out;
}

/* Fills p (tenant, project, ns already set) from the objects in its
 * namespace. O(objects in the namespace). */
static void
compute_project(const struct tenants *ts, struct project *p, struct warnings *w)
{
    const struct kobj *const *objs;
    const struct kobj **buf = NULL;
    struct vec problems, hosts, services;
    size_t n;
    int not_ready;

    vec_init(&problems, free);
    vec_init(&hosts, free);
    vec_init(&services, free);

    p->ingress_isolation =
        cluster_get(ts->cl, KIND_NETWORKPOLICY, p->ns, ts->conv.ingress_policy) != NULL;
    p->egress_isolation =
        cluster_get(ts->cl, KIND_NETWORKPOLICY, p->ns, ts->conv.egress_policy) != NULL;
    p->policies_known = !ts->policies_unknown;
    if (!p->ingress_isolation && p->policies_known)
        vec_push(&problems, xasprintf("missing %s", ts->conv.ingress_policy));
    if (!p->egress_isolation && p->policies_known)
        vec_push(&problems, xasprintf("missing %s", ts->conv.egress_policy));

    compute_quota(ts, p, &problems, &buf);

    objs = cluster_in_ns(ts->cl, KIND_POD, p->ns, &n);
    p->pods_total = (int)n;
    for (size_t i = 0; i < n; i++)
        if (!pod_is_problem((const struct pod *)objs[i]))
            p->pods_ready++;
    not_ready = p->pods_total - p->pods_ready;
    if (not_ready)
        vec_push(&problems, xasprintf("%d pod%s not ready", not_ready, not_ready == 1 ? "" : "s"));

    objs = sorted_in_ns(ts->cl, KIND_DEPLOYMENT, p->ns, &n, &buf);
    p->deployments = (int)n;
    for (size_t i = 0; i < n; i++) {
        const struct deployment *d = (const struct deployment *)objs[i];

        if (d->unavailable > 0 || d->available < d->replicas) {
            p->deployments_unavailable++;
            /* A rollout stuck behind a failing new pod keeps the old
             * replicas available: say what is unavailable then. */
            if (d->available >= d->replicas)
                vec_push(&problems, xasprintf("deployment %s %d/%d available, %d unavailable",
                                              d->obj.name, d->available, d->replicas,
                                              d->unavailable));
            else
                vec_push(&problems, xasprintf("deployment %s %d/%d available", d->obj.name,
                                              d->available, d->replicas));
        }
    }

    objs = cluster_in_ns(ts->cl, KIND_EVENT, p->ns, &n);
    w->total = 0;
    w->expiry = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct event *ev = (const struct event *)objs[i];

        if (!is_warning(ev))
            continue;
        w->total++;
        if (is_recent(ts, ev)) {
            p->warnings_1h++;
            w->expiry = MIN(w->expiry, ev->last_seen + WARNING_WINDOW);
        }
    }
    if (p->warnings_1h)
        vec_push(&problems, xasprintf("%d warning event%s in the last hour", p->warnings_1h,
                                      p->warnings_1h == 1 ? "" : "s"));

    objs = cluster_in_ns(ts->cl, KIND_INGRESS, p->ns, &n);
    for (size_t i = 0; i < n; i++) {
        const struct ingress *ing = (const struct ingress *)objs[i];

        for (char **h = ing->hosts; h && *h; h++)
            vec_push(&hosts, xstrdup(*h));
    }
    objs = cluster_in_ns(ts->cl, KIND_SERVICE, p->ns, &n);
    for (size_t i = 0; i < n; i++)
        vec_push(&services, xstrdup(objs[i]->name));

    p->hosts = vec_to_strv(&hosts);
    p->services = vec_to_strv(&services);
    p->service_hosts = service_hosts(ts, p->ns, p->services);
    /* problems keep the order the issue lists them in */
    p->problems = vec_take_strv(&problems);

    vec_done(&problems);
    vec_done(&hosts);
    vec_done(&services);
    free(buf);
}

/*
 * Tenants: membership, aggregation, order
 */

static size_t
sorted_pos(struct tenant **v, size_t n, const char *name, bool *found)
{
    size_t lo = 0, hi = n;

    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid]->name, name);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void
mark_dirty(struct tenants *ts, struct trec *t)
{
    if (!t->dirty) {
        t->dirty = true;
        vec_push(&ts->dirty, t);
    }
}

static struct trec *
tenant_get_or_add(struct tenants *ts, const char *name)
{
    struct trec *t = hmap_get(&ts->by_name, name);
    bool found;
    size_t at;

    if (t)
        return t;
    t = xcalloc(1, sizeof(*t));
    t->t.name = xstrdup(name);
    t->t.quota_ratio = -1;
    t->t.problems = xcalloc(1, sizeof(char *));
    hmap_put(&ts->by_name, name, t);
    at = sorted_pos(ts->sorted, ts->nsorted, name, &found);
    ts->sorted = xgrow(ts->sorted, &ts->sorted_cap, ts->nsorted + 1, sizeof(*ts->sorted));
    memmove(ts->sorted + at + 1, ts->sorted + at, (ts->nsorted - at) * sizeof(*ts->sorted));
    ts->sorted[at] = &t->t;
    ts->nsorted++;
    return t;
}

static size_t
project_pos(const struct trec *t, const char *ns, bool *found)
{
    size_t lo = 0, hi = t->t.nprojects;

    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->t.projects[mid]->ns, ns);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void
tenant_attach(struct tenants *ts, struct trec *t, struct proj *pr)
{
    bool found;
    size_t at = project_pos(t, pr->p.ns, &found);

    t->t.projects = xgrow(t->t.projects, &t->cap, t->t.nprojects + 1, sizeof(*t->t.projects));
    memmove(t->t.projects + at + 1, t->t.projects + at,
            (t->t.nprojects - at) * sizeof(*t->t.projects));
    t->t.projects[at] = &pr->p;
    t->t.nprojects++;
    pr->t = t;
    mark_dirty(ts, t);
}

static void
tenant_detach(struct tenants *ts, struct proj *pr)
{
    struct trec *t = pr->t;
    bool found;
    size_t at = project_pos(t, pr->p.ns, &found);

    if (found) {
        memmove(t->t.projects + at, t->t.projects + at + 1,
                (t->t.nprojects - at - 1) * sizeof(*t->t.projects));
        t->t.nprojects--;
    }
    pr->t = NULL;
    mark_dirty(ts, t);
}

static void
tenant_free(struct trec *t)
{
    free(t->t.name);
    free(t->t.projects);
    strv_free(t->t.problems);
    free(t);
}

/* Re-aggregates t from its projects. O(projects + problems). */
static void
tenant_aggregate(struct trec *t)
{
    struct tenant *tt = &t->t;
    struct vec problems;

    vec_init(&problems, free);
    tt->pods_total = tt->pods_ready = 0;
    tt->quota_ratio = -1;
    tt->all_policies = true;
    for (size_t i = 0; i < tt->nprojects; i++) {
        const struct project *p = tt->projects[i];

        tt->pods_total += p->pods_total;
        tt->pods_ready += p->pods_ready;
        if (p->quota_ratio > tt->quota_ratio)
            tt->quota_ratio = p->quota_ratio;
        if (!p->ingress_isolation || !p->egress_isolation || !p->policies_known)
            tt->all_policies = false;
        for (char **pb = p->problems; *pb; pb++)
            vec_push(&problems, xasprintf("%s: %s", p->ns, *pb));
    }
    strv_free(tt->problems);
    tt->problems = vec_take_strv(&problems);
    vec_done(&problems);
}

/*
 * Observers
 */

static void
observers_compact(struct tenants *ts)
{
    size_t j = 0;

    for (size_t i = 0; i < ts->nobs; i++)
        if (ts->obs[i].changed || ts->obs[i].reset)
            ts->obs[j++] = ts->obs[i];
    ts->nobs = j;
    ts->obs_dirty = false;
}

static void
notify(struct tenants *ts, const char *name, const struct tenant *t, bool reset)
{
    size_t n = ts->nobs;

    ts->dispatching++;
    for (size_t i = 0; i < n; i++) {
        struct tenant_observer o = ts->obs[i];

        if (reset && o.reset)
            o.reset(o.arg);
        else if (!reset && o.changed)
            o.changed(o.arg, name, t);
    }
    if (--ts->dispatching == 0 && ts->obs_dirty)
        observers_compact(ts);
}

void
tenants_observe(struct tenants *ts, const struct tenant_observer *obs)
{
    ts->obs = xgrow(ts->obs, &ts->obs_cap, ts->nobs + 1, sizeof(*ts->obs));
    ts->obs[ts->nobs++] = *obs;
}

void
tenants_unobserve(struct tenants *ts, void *arg)
{
    for (size_t i = 0; i < ts->nobs; i++) {
        if (ts->obs[i].arg == arg && (ts->obs[i].changed || ts->obs[i].reset)) {
            /* A removed entry has no callbacks; compacted when no dispatch
             * is walking the array. */
            ts->obs[i].changed = NULL;
            ts->obs[i].reset = NULL;
            ts->obs_dirty = true;
            break;
        }
    }
    if (ts->dispatching == 0 && ts->obs_dirty)
        observers_compact(ts);
}

/* Re-aggregates every dirty tenant, drops the empty ones, and reports each
 * once (unless quiet: a reset reports once for all). */
static void
flush(struct tenants *ts, bool quiet)
{
    for (size_t i = 0; i < ts->dirty.len; i++) {
        struct trec *t = ts->dirty.items[i];
        bool found;

        t->dirty = false;
        if (t->t.nprojects == 0) {
            size_t at = sorted_pos(ts->sorted, ts->nsorted, t->t.name, &found);

            if (found) {
                memmove(ts->sorted + at, ts->sorted + at + 1,
                        (ts->nsorted - at - 1) * sizeof(*ts->sorted));
                ts->nsorted--;
            }
            hmap_del(&ts->by_name, t->t.name);
            vec_push(&ts->gone, t->t.name);
            t->t.name = NULL;
            tenant_free(t);
            ts->dirty.items[i] = NULL;
            continue;
        }
        tenant_aggregate(t);
    }
    if (!quiet) {
        /* Report after every tenant is consistent: an observer reading
         * tenants_all() from its callback sees the final state. */
        for (size_t i = 0; i < ts->dirty.len; i++) {
            const struct trec *t = ts->dirty.items[i];

            if (t)
                notify(ts, t->t.name, &t->t, false);
        }
        for (size_t i = 0; i < ts->gone.len; i++)
            if (!hmap_get(&ts->by_name, ts->gone.items[i]))
                notify(ts, ts->gone.items[i], NULL, false);
    }
    vec_clear(&ts->dirty);
    vec_clear(&ts->gone);
}

/*
 * Recomputation of one namespace
 */

static void
proj_free(struct proj *pr)
{
    if (pr) {
        project_done(&pr->p);
        free(pr);
    }
}

static bool
ns_has_objects(const struct cluster *cl, const char *ns)
{
    for (int k = 0; k < KIND_COUNT; k++)
        if (kind_info((enum kind)k)->namespaced && cluster_count_in_ns(cl, (enum kind)k, ns))
            return true;
    return false;
}

/* Brings the project of ns up to date, marking the tenants it touched dirty
 * (flush() reports them). A namespace is a project when conventions say it
 * is a tenant's and it exists: its Namespace object is known, or (when the
 * user may not list namespaces) it holds objects. */
static void
recompute_ns(struct tenants *ts, const char *ns)
{
    const struct kobj *nso = cluster_get(ts->cl, KIND_NAMESPACE, NULL, ns);
    struct proj *old = hmap_get(&ts->projects, ns);
    char *tenant = NULL, *project = NULL;
    struct proj *pr;
    bool is_project;

    is_project =
        conventions_tenant_of(&ts->conv, ns, nso ? &nso->labels : NULL, &tenant, &project) &&
        (nso || ns_has_objects(ts->cl, ns));
    if (!is_project) {
        free(tenant);
        free(project);
        if (old) {
            tenant_detach(ts, old);
            hmap_del(&ts->projects, ns);
            proj_free(old);
        }
        return;
    }

    pr = xcalloc(1, sizeof(*pr));
    pr->p.ns = xstrdup(ns);
    pr->p.tenant = tenant;
    pr->p.project = project;
    compute_project(ts, &pr->p, &pr->w);

    if (old && project_eq(&old->p, &pr->p)) {
        old->w = pr->w;
        proj_free(pr);
        return;
    }
    if (old && strcmp(old->p.tenant, pr->p.tenant) == 0) {
        /* Same tenant: swap the contents in place, the pointers the tenant
         * (and views) hold stay valid. */
        struct project tmp = old->p;

        old->p = pr->p;
        old->w = pr->w;
        pr->p = tmp;
        proj_free(pr);
        mark_dirty(ts, old->t);
        return;
    }
    if (old) {
        tenant_detach(ts, old);
        hmap_del(&ts->projects, ns);
        proj_free(old);
    }
    hmap_put(&ts->projects, ns, pr);
    tenant_attach(ts, tenant_get_or_add(ts, pr->p.tenant), pr);
}

/* Every namespace that may hold a project: the Namespace objects and the
 * namespaces of all namespaced objects, plus the current projects (which
 * may have to go). O(all objects): for resets only. */
static void
recompute_all(struct tenants *ts)
{
    struct hmap seen;
    struct hmap_iter it;
    const char *ns;
    size_t n;
    const struct kobj *const *objs;

    hmap_init(&seen);
    objs = cluster_all(ts->cl, KIND_NAMESPACE, &n);
    for (size_t i = 0; i < n; i++)
        hmap_put(&seen, objs[i]->name, NULL);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!kind_info((enum kind)k)->namespaced)
            continue;
        objs = cluster_all(ts->cl, (enum kind)k, &n);
        for (size_t i = 0; i < n; i++)
            if (objs[i]->ns)
                hmap_put(&seen, objs[i]->ns, NULL);
    }
    hmap_iter_init(&it, &ts->projects);
    while (hmap_iter_next(&it, &ns, NULL))
        hmap_put(&seen, ns, NULL);

    hmap_iter_init(&it, &seen);
    while (hmap_iter_next(&it, &ns, NULL))
        recompute_ns(ts, ns);
    hmap_done(&seen);
}

/*
 * Cluster observer
 */

static void
on_changed(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct tenants *ts = arg;
    const struct kobj *obj = new_ ? new_ : old;

    (void)op;
    if (obj->kind == KIND_NAMESPACE)
        recompute_ns(ts, obj->name);
    else if (obj->ns && kind_info(obj->kind)->namespaced)
        recompute_ns(ts, obj->ns);
    else
        return;
    flush(ts, false);
}

static void
on_reset(void *arg, enum kind kind)
{
    struct tenants *ts = arg;

    if (kind != KIND_NAMESPACE && !kind_info(kind)->namespaced)
        return;
    recompute_all(ts);
    flush(ts, true);
    notify(ts, NULL, NULL, true);
}

static void
on_reset_ns(void *arg, enum kind kind, const char *ns)
{
    struct tenants *ts = arg;

    if (!kind_info(kind)->namespaced)
        return;
    recompute_ns(ts, ns);
    flush(ts, false);
}

/*
 * API
 */

struct tenants *
tenants_new(struct cluster *cl, const struct conventions *conv)
{
    struct tenants *ts = xcalloc(1, sizeof(*ts));
    struct cluster_observer obs = {
        .changed = on_changed,
        .reset = on_reset,
        .reset_ns = on_reset_ns,
        .arg = ts,
    };

    ts->cl = cl;
    conventions_copy(&ts->conv, conv);
    ts->now = clock_now();
    vec_init(&ts->dirty, NULL);
    vec_init(&ts->gone, free);
    recompute_all(ts);
    flush(ts, true);
    cluster_observe(cl, &obs);
    return ts;
}

void
tenants_free(struct tenants *ts)
{
    struct hmap_iter it;
    void *v;

    if (!ts)
        return;
    cluster_unobserve(ts->cl, ts);
    hmap_iter_init(&it, &ts->projects);
    while (hmap_iter_next(&it, NULL, &v))
        proj_free(v);
    hmap_done(&ts->projects);
    for (size_t i = 0; i < ts->nsorted; i++)
        tenant_free((struct trec *)ts->sorted[i]);
    hmap_done(&ts->by_name);
    free(ts->sorted);
    vec_done(&ts->dirty);
    vec_done(&ts->gone);
    free(ts->obs);
    conventions_done(&ts->conv);
    free(ts);
}

void
tenants_set_policies_known(struct tenants *ts, bool known)
{
    if (ts->policies_unknown == !known)
        return;
    ts->policies_unknown = !known;
    recompute_all(ts);
    flush(ts, true);
    notify(ts, NULL, NULL, true);
}

void
tenants_tick(struct tenants *ts, int64_t now)
{
    struct hmap_iter it;
    const char *ns;
    void *v;
    struct vec due;

    bool back = now < ts->now;

    ts->now = now;
    /* Moving forward, only a project whose recent Warning leaves the hour
     * changes; moving back (a clock set back), any with Warning events
     * may. Collect first: recompute_ns may drop a project from the map. */
    vec_init(&due, NULL);
    hmap_iter_init(&it, &ts->projects);
    while (hmap_iter_next(&it, &ns, &v)) {
        const struct proj *pr = v;

        if (back ? pr->w.total > 0 : now > pr->w.expiry)
            vec_push(&due, pr->p.ns);
    }
    for (size_t i = 0; i < due.len; i++)
        recompute_ns(ts, due.items[i]);
    vec_done(&due);
    flush(ts, false);
}

const struct tenant *const *
tenants_all(const struct tenants *ts, size_t *n)
{
    static const struct tenant *const none[1];

    *n = ts->nsorted;
    return ts->nsorted ? (const struct tenant *const *)ts->sorted : none;
}

const struct tenant *
tenants_get(const struct tenants *ts, const char *name)
{
    const struct trec *t = hmap_get(&ts->by_name, name);

    return t ? &t->t : NULL;
}

const struct project *
tenants_project(const struct tenants *ts, const char *ns)
{
    const struct proj *pr = hmap_get(&ts->projects, ns);

    return pr ? &pr->p : NULL;
}

/*
 * JSON
 */

static void
write_strv(struct jsonw *w, const char *key, char *const *v)
{
    jsonw_key(w, key);
    jsonw_arr_begin(w);
    for (; v && *v; v++)
        jsonw_str(w, *v);
    jsonw_arr_end(w);
}

static void
write_percent(struct jsonw *w, double ratio)
{
    jsonw_key(w, "quota_percent");
    if (ratio < 0)
        jsonw_null(w);
    else
        jsonw_int(w, percent(ratio));
}

static void
write_project(const struct project *p, struct jsonw *w)
{
    jsonw_obj_begin(w);
    jsonw_key(w, "namespace");
    jsonw_str(w, p->ns);
    jsonw_key(w, "project");
    jsonw_str(w, p->project);
    jsonw_key(w, "pods_ready");
    jsonw_int(w, p->pods_ready);
    jsonw_key(w, "pods_total");
    jsonw_int(w, p->pods_total);
    jsonw_key(w, "deployments");
    jsonw_int(w, p->deployments);
    jsonw_key(w, "deployments_unavailable");
    jsonw_int(w, p->deployments_unavailable);
    write_percent(w, p->quota_ratio);
    jsonw_key(w, "quota");
    jsonw_str(w, p->quota_text);
    jsonw_key(w, "ingress_isolation");
    if (p->policies_known)
        jsonw_bool(w, p->ingress_isolation);
    else
        jsonw_null(w);
    jsonw_key(w, "egress_isolation");
    if (p->policies_known)
        jsonw_bool(w, p->egress_isolation);
    else
        jsonw_null(w);
    jsonw_key(w, "warnings_1h");
    jsonw_int(w, p->warnings_1h);
    write_strv(w, "hosts", p->hosts);
    jsonw_key(w, "services");
    jsonw_arr_begin(w);
    for (size_t i = 0; p->services[i]; i++) {
        jsonw_obj_begin(w);
        jsonw_key(w, "name");
        jsonw_str(w, p->services[i]);
        jsonw_key(w, "hosts");
        jsonw_arr_begin(w);
        for (const char *h = p->service_hosts[i]; *h;) {
            size_t len = strcspn(h, ",");

            jsonw_strn(w, h, len);
            h += len + (h[len] == ',');
        }
        jsonw_arr_end(w);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    write_strv(w, "problems", p->problems);
    jsonw_obj_end(w);
}

void
tenant_write_json(const struct tenant *t, int64_t fetched_at, struct jsonw *w)
{
    jsonw_obj_begin(w);
    jsonw_key(w, "tenant");
    jsonw_str(w, t->name);
    jsonw_key(w, "namespaces");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < t->nprojects; i++)
        jsonw_str(w, t->projects[i]->ns);
    jsonw_arr_end(w);
    jsonw_key(w, "pods_ready");
    jsonw_int(w, t->pods_ready);
    jsonw_key(w, "pods_total");
    jsonw_int(w, t->pods_total);
    write_strv(w, "problems", t->problems);
    write_percent(w, t->quota_ratio);
    jsonw_key(w, "policies");
    if (t->nprojects && !t->projects[0]->policies_known)
        jsonw_null(w);             /* the NetworkPolicies could not be read */
    else
        jsonw_bool(w, t->all_policies);
    jsonw_key(w, "projects");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < t->nprojects; i++)
        write_project(t->projects[i], w);
    jsonw_arr_end(w);
    if (fetched_at > 0) {
        char ts[32];

        time_format_rfc3339(fetched_at, ts, sizeof(ts));
        jsonw_key(w, "fetched_at");
        jsonw_str(w, ts);
    }
    jsonw_obj_end(w);
}
