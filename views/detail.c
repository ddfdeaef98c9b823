/* SPDX-License-Identifier: MIT */
/* detail.c - the Detail pane (`d`): one object described, its events, or its YAML */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/clock.h"
#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"
#include "opsdeck/http.h"
#include "opsdeck/json.h"
#include "opsdeck/kube.h"
#include "opsdeck/panes.h"
#include "opsdeck/redact.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/tenant.h"
#include "opsdeck/ui.h"
#include "opsdeck/vec.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

/*
 * The description is built from the model the other panes show (so it is
 * there offline, from the cache), then completed by two requests: the
 * object's events (all types; the cache holds only Warnings) and, on `y`,
 * the object itself as YAML, redacted (redact.h). It is rebuilt whenever
 * the object changes.
 */
enum detail_what { DETAIL_OBJECT, DETAIL_TENANT, DETAIL_PROJECT };

struct detail_view {
    struct app *app;
    struct cluster *cl;            /* observed; borrowed from the app */
    struct tenants *ts;
    enum detail_what what;
    enum kind kind;
    char *ns;                      /* NULL for cluster-scoped objects */
    char *name;
    bool yaml;                     /* showing the YAML */
    struct kube_op *yaml_op;
    char *yaml_text;               /* fetched, redacted YAML */
    char *yaml_error;
    struct kube_op *events_op;
    struct vec events;             /* struct kobj * (events), owned: fetched live */
    bool live_events;
    char *events_error;
    struct strbuf line;
};

#define KEY_WIDTH 14

/*
 * Text helpers
 */

static void
field(struct textview *tv, const char *key, enum theme_element elem, const char *value)
{
    char k[64];

    snprintf(k, sizeof(k), "  %-*s", KEY_WIDTH, key);
    textview_add_spans(tv,
                       (const struct text_span[]){ { ELEM_TEXT_KEY, k },
                                                   { elem, value && *value ? value : "-" } },
                       2);
}

static void
fieldf(struct detail_view *dv, struct textview *tv, const char *key, enum theme_element elem,
       const char *fmt, ...) ATTR_FORMAT(5, 6);

static void
fieldf(struct detail_view *dv, struct textview *tv, const char *key, enum theme_element elem,
       const char *fmt, ...)
{
    va_list ap;

    strbuf_reset(&dv->line);
    va_start(ap, fmt);
    strbuf_vprintf(&dv->line, fmt, ap);
    va_end(ap);
    field(tv, key, elem, strbuf_str(&dv->line));
}

static void
heading(struct textview *tv, const char *text)
{
    textview_add(tv, ELEM_DEFAULT, "");
    textview_add(tv, ELEM_TEXT_HEADING, text);
}

/* "2026-11-24 03:05 (7m ago)" */
static void
when(struct detail_view *dv, int64_t t, char *buf, size_t size)
{
    char clock[32], age[32];
    int64_t now = app_now(dv->app);

    if (!t) {
        snprintf(buf, size, "-");
        return;
    }
    time_format_clock(t, now, app_utc(dv->app), clock, sizeof(clock));
    time_age(now, t, age, sizeof(age));
    snprintf(buf, size, "%s (%s ago)", clock, age);
}

static void
labels_field(struct detail_view *dv, struct textview *tv, const struct kv_list *labels)
{
    char *joined = kv_join(labels);

    field(tv, "Labels:", ELEM_DEFAULT, joined);
    free(joined);
    (void)dv;
}

static void
resources_text(struct strbuf *out, const struct resources *r)
{
    strbuf_reset(out);
    if (r->cpu)
        strbuf_printf(out, "cpu %s", r->cpu);
    if (r->memory)
        strbuf_printf(out, "%smemory %s", out->len ? ", " : "", r->memory);
    if (r->ephemeral_storage)
        strbuf_printf(out, "%sephemeral-storage %s", out->len ? ", " : "",
                      r->ephemeral_storage);
    if (r->pods)
        strbuf_printf(out, "%spods %s", out->len ? ", " : "", r->pods);
}

static void
conditions(struct detail_view *dv, struct textview *tv, const struct condition *conds, size_t n)
{
    char age[32];
    int w = 20;

    if (n == 0)
        return;
    /* One column for the types, as wide as the longest (PodReadyToStartContainers). */
    for (size_t i = 0; i < n; i++)
        if (conds[i].type && (int)strlen(conds[i].type) > w)
            w = (int)strlen(conds[i].type);
    heading(tv, "Conditions");
    for (size_t i = 0; i < n; i++) {
        const struct condition *c = &conds[i];
        bool good = c->status && strcmp(c->status, "True") == 0;

        /* For pressure conditions False is the good state. */
        if (c->type && strstr(c->type, "Pressure"))
            good = !good;
        if (c->type && strcmp(c->type, "NetworkUnavailable") == 0)
            good = !good;
        time_age(app_now(dv->app), c->last_transition, age, sizeof(age));
        textview_addf(tv, good ? ELEM_DEFAULT : ELEM_WARNING, "  %-*s %-7s %-6s %s%s%s", w,
                      c->type ? c->type : "?", c->status ? c->status : "?",
                      c->last_transition ? age : "-", c->reason ? c->reason : "",
                      c->message ? "  " : "", c->message ? c->message : "");
    }
}

static void render(struct view *view);

/*
 * Events
 */

static int
cmp_event_time(const void *a, const void *b)
{
    const struct event *x = *(const struct event *const *)a;
    const struct event *y = *(const struct event *const *)b;

    return (x->last_seen > y->last_seen) - (x->last_seen < y->last_seen);
}

static bool
event_is_about(const struct event *ev, const struct detail_view *dv)
{
    if (!ev->involved_name || strcmp(ev->involved_name, dv->name) != 0)
        return false;
    if (ev->involved_kind && strcmp(ev->involved_kind, kind_info(dv->kind)->kind) != 0)
        return false;
    return !dv->ns || (ev->involved_ns && strcmp(ev->involved_ns, dv->ns) == 0);
}

static void
events_section(struct detail_view *dv, struct textview *tv)
{
    const struct kobj *const *cached = NULL;
    const struct event **list;
    size_t n = 0, len = 0;
    char age[32];

    if (!dv->live_events)
        cached = dv->ns ? cluster_in_ns(dv->cl, KIND_EVENT, dv->ns, &n)
                        : cluster_all(dv->cl, KIND_EVENT, &n);
    list = xcalloc(n + dv->events.len + 1, sizeof(*list));
    if (dv->live_events) {
        for (size_t i = 0; i < dv->events.len; i++)
            list[len++] = dv->events.items[i];
        heading(tv, "Events");
    } else {
        for (size_t i = 0; i < n; i++)
            if (event_is_about((const struct event *)cached[i], dv))
                list[len++] = (const struct event *)cached[i];
        heading(tv, dv->events_error ? "Events (cached warnings only)"
                                     : "Events (cached warnings; loading all…)");
        if (dv->events_error)
            textview_addf(tv, ELEM_WARNING, "  %s", dv->events_error);
    }
    qsort(list, len, sizeof(*list), cmp_event_time);
    if (len == 0)
        textview_add(tv, ELEM_DIM, "  none");
    for (size_t i = 0; i < len; i++) {
        const struct event *ev = list[i];
        bool warn = ev->type && strcmp(ev->type, "Warning") == 0;

        time_age(app_now(dv->app), ev->last_seen, age, sizeof(age));
        strbuf_reset(&dv->line);
        if (ev->count > 1)
            strbuf_printf(&dv->line, " (x%d)", ev->count);
        textview_addf(tv, warn ? ELEM_WARNING : ELEM_DEFAULT, "  %-7s %-18s %6s%s  %s",
                      ev->type ? ev->type : "", ev->reason ? ev->reason : "", age,
                      strbuf_str(&dv->line), ev->message ? ev->message : "");
    }
    free(list);
}

static void
on_events(void *arg, const struct kube_result *res, const char *body, size_t len)
{
    struct view *view = arg;
    struct detail_view *dv = view_private(view);
    struct json_doc doc;
    struct json_iter it;
    uint32_t key, item;

    dv->events_op = NULL;
    if (res->st != STATUS_OK) {
        free(dv->events_error);
        dv->events_error = xstrdup(res->error);
    } else {
        json_doc_init(&doc);
        if (json_parse(&doc, body, len) == STATUS_OK) {
            vec_clear(&dv->events);
            json_iter_init(&it, &doc, json_get(&doc, 0, "items"));
            while (json_iter_next(&it, &key, &item)) {
                struct kobj *ev = kobj_parse(KIND_EVENT, &doc, item);

                if (ev)
                    vec_push(&dv->events, ev);
            }
            dv->live_events = true;
        } else {
            free(dv->events_error);
            dv->events_error = xasprintf("events: %s", doc.err);
        }
        json_doc_done(&doc);
    }
    render(view);
}

static void
fetch_events(struct view *view)
{
    struct detail_view *dv = view_private(view);
    struct kube *k = app_kube(dv->app);
    char *sel, *esc, *path, *base;

    if (!k || dv->events_op) {
        if (!k && !dv->events_error)
            dv->events_error = xstrdup("no API connection");
        return;
    }
    sel = xasprintf("involvedObject.name=%s,involvedObject.kind=%s", dv->name,
                    kind_info(dv->kind)->kind);
    esc = http_escape(sel);
    base = kube_path(k, KIND_EVENT, dv->ns, NULL);
    path = xasprintf("%s?fieldSelector=%s", base, esc);
    dv->events_op = kube_get(k, path, on_events, view);
    free(base);
    free(path);
    free(esc);
    free(sel);
}

/*
 * Descriptions
 */

static void
describe_node(struct detail_view *dv, struct textview *tv, const struct node *node)
{
    const char *pool = kv_get(&node->obj.labels, app_conventions(dv->app)->pool_label);
    char buf[128], taint[256];
    size_t npods;
    const struct kobj *const *pods;

    textview_addf(tv, ELEM_TEXT_HEADING, "Node %s", node->obj.name);
    when(dv, node->ready_since, buf, sizeof(buf));
    fieldf(dv, tv, "Status:", pane_node_elem(node), "%s (since %s)", node->status, buf);
    field(tv, "Roles:", ELEM_DEFAULT, node->roles);
    field(tv, "Pool:", ELEM_DEFAULT, pool);
    fieldf(dv, tv, "Addresses:", ELEM_DEFAULT, "InternalIP %s, ExternalIP %s",
           node->internal_ip ? node->internal_ip : "-",
           node->external_ip ? node->external_ip : "-");
    field(tv, "Version:", ELEM_DEFAULT, node->kubelet_version);
    fieldf(dv, tv, "System:", ELEM_DEFAULT, "%s, kernel %s, %s, %s",
           node->os_image ? node->os_image : "?", node->kernel_version ? node->kernel_version : "?",
           node->runtime_version ? node->runtime_version : "?", node->arch ? node->arch : "?");
    when(dv, node->obj.created, buf, sizeof(buf));
    field(tv, "Created:", ELEM_DEFAULT, buf);
    labels_field(dv, tv, &node->obj.labels);

    heading(tv, "Taints");
    if (node->ntaints == 0)
        textview_add(tv, ELEM_DIM, "  none");
    for (size_t i = 0; i < node->ntaints; i++) {
        node_taint_text(&node->taints[i], taint, sizeof(taint));
        textview_addf(tv, ELEM_DEFAULT, "  %s", taint);
    }

    heading(tv, "Capacity / allocatable");
    resources_text(&dv->line, &node->capacity);
    field(tv, "Capacity:", ELEM_DEFAULT, strbuf_str(&dv->line));
    resources_text(&dv->line, &node->allocatable);
    field(tv, "Allocatable:", ELEM_DEFAULT, strbuf_str(&dv->line));

    conditions(dv, tv, node->conds, node->nconds);

    pods = cluster_pods_of_node(dv->cl, node->obj.name, &npods);
    heading(tv, "Pods on this node");
    for (size_t i = 0; i < npods; i++) {
        const struct pod *pod = (const struct pod *)pods[i];

        textview_addf(tv, pane_pod_elem(dv->cl, pod), "  %-40s %s", kobj_key(&pod->obj, buf,
                                                                             sizeof(buf)),
                      pod->status);
    }
    if (npods == 0)
        textview_add(tv, ELEM_DIM, "  none");
}

static const char *
state_name(enum container_state st)
{
    switch (st) {
    case CSTATE_WAITING: return "Waiting";
    case CSTATE_RUNNING: return "Running";
    case CSTATE_TERMINATED: return "Terminated";
    default: return "Unknown";
    }
}

static void
describe_container(struct detail_view *dv, struct textview *tv, const struct container *c)
{
    char buf[128];
    enum theme_element elem = ELEM_DEFAULT;

    textview_addf(tv, ELEM_TEXT_KEY, "  %s%s  %s", c->name,
                  c->kind == CONTAINER_INIT      ? " (init)"
                  : c->kind == CONTAINER_SIDECAR ? " (sidecar)"
                                                 : "",
                  c->image ? c->image : "");
    strbuf_reset(&dv->line);
    strbuf_puts(&dv->line, state_name(c->state));
    if (c->reason)
        strbuf_printf(&dv->line, ": %s", c->reason);
    if (c->state == CSTATE_TERMINATED)
        strbuf_printf(&dv->line, " (exit %d%s)", c->exit_code, c->signal ? ", signal" : "");
    if (c->state == CSTATE_RUNNING && c->started_at) {
        when(dv, c->started_at, buf, sizeof(buf));
        strbuf_printf(&dv->line, " since %s", buf);
    }
    if (c->message)
        strbuf_printf(&dv->line, " - %s", c->message);
    if (c->state == CSTATE_WAITING && c->reason && strstr(c->reason, "BackOff"))
        elem = ELEM_ERROR;
    else if (c->state == CSTATE_TERMINATED && c->exit_code != 0)
        elem = ELEM_ERROR;
    field(tv, "  State:", elem, strbuf_str(&dv->line));
    if (c->last_reason || c->last_finished_at) {
        when(dv, c->last_finished_at, buf, sizeof(buf));
        fieldf(dv, tv, "  Last state:", ELEM_WARNING, "Terminated: %s (exit %d) at %s",
               c->last_reason ? c->last_reason : "?", c->last_exit_code, buf);
    }
    fieldf(dv, tv, "  Ready:", c->ready ? ELEM_DEFAULT : ELEM_WARNING, "%s, %d restart%s",
           c->ready ? "true" : "false", c->restarts, c->restarts == 1 ? "" : "s");
    resources_text(&dv->line, &c->requests);
    field(tv, "  Requests:", ELEM_DEFAULT, strbuf_str(&dv->line));
    resources_text(&dv->line, &c->limits);
    field(tv, "  Limits:", ELEM_DEFAULT, strbuf_str(&dv->line));
    strbuf_reset(&dv->line);
    strbuf_printf(&dv->line, "%zu variable%s (values hidden)", c->nenv, c->nenv == 1 ? "" : "s");
    for (size_t i = 0; c->env_from && c->env_from[i]; i++)
        strbuf_printf(&dv->line, "%s%s", i ? ", " : "; from ", c->env_from[i]);
    field(tv, "  Env:", ELEM_DEFAULT, strbuf_str(&dv->line));
}

static void
describe_pod(struct detail_view *dv, struct textview *tv, const struct pod *pod)
{
    char buf[128], restarts[64];
    const struct node *node = pod->node ? (const struct node *)cluster_get(dv->cl, KIND_NODE,
                                                                           NULL, pod->node)
                                        : NULL;

    textview_addf(tv, ELEM_TEXT_HEADING, "Pod %s/%s", pod->obj.ns, pod->obj.name);
    field(tv, "Status:", pane_pod_elem(dv->cl, pod), pod->status);
    if (pod->reason || pod->message)
        fieldf(dv, tv, "Reason:", ELEM_WARNING, "%s%s%s", pod->reason ? pod->reason : "",
               pod->reason && pod->message ? ": " : "", pod->message ? pod->message : "");
    pod_restarts_text(pod, app_now(dv->app), restarts, sizeof(restarts));
    fieldf(dv, tv, "Ready:", ELEM_DEFAULT, "%d/%d, restarts %s", pod->ready, pod->total,
           restarts);
    fieldf(dv, tv, "Node:", node && !node->ready ? ELEM_WARNING : ELEM_DEFAULT, "%s%s%s%s",
           pod->node ? pod->node : "<none> (not scheduled)", node ? " (" : "",
           node ? node->status : "", node ? ")" : "");
    field(tv, "IP:", ELEM_DEFAULT, pod->ip);
    fieldf(dv, tv, "QoS:", ELEM_DEFAULT, "%s, runtime class %s",
           pod->qos_class ? pod->qos_class : "-", pod->runtime_class ? pod->runtime_class : "-");
    if (pod->obj.owner_kind)
        fieldf(dv, tv, "Owner:", ELEM_DEFAULT, "%s/%s", pod->obj.owner_kind,
               pod->obj.owner_name ? pod->obj.owner_name : "?");
    when(dv, pod->obj.created, buf, sizeof(buf));
    field(tv, "Created:", ELEM_DEFAULT, buf);
    labels_field(dv, tv, &pod->obj.labels);
    strbuf_reset(&dv->line);
    if (pane_pod_hosts(dv->cl, pod, &dv->line))
        field(tv, "Reached at:", ELEM_DEFAULT, strbuf_str(&dv->line));

    heading(tv, "Containers");
    for (size_t i = 0; i < pod->ncontainers; i++)
        describe_container(dv, tv, &pod->containers[i]);
    conditions(dv, tv, pod->conds, pod->nconds);
}

static void
describe_deployment(struct detail_view *dv, struct textview *tv, const struct deployment *d)
{
    char buf[128], *sel;
    bool bad = d->replicas > 0 && d->available < d->replicas;

    textview_addf(tv, ELEM_TEXT_HEADING, "Deployment %s/%s", d->obj.ns, d->obj.name);
    fieldf(dv, tv, "Replicas:", bad ? ELEM_ERROR : ELEM_DEFAULT,
           "%d desired, %d ready, %d up-to-date, %d available, %d unavailable", d->replicas,
           d->ready, d->updated, d->available, d->unavailable);
    field(tv, "Image:", ELEM_DEFAULT, d->image);
    sel = kv_join(&d->selector);
    field(tv, "Selector:", ELEM_DEFAULT, sel);
    free(sel);
    strbuf_reset(&dv->line);
    if (pane_deployment_hosts(dv->cl, d, &dv->line))
        field(tv, "Hosts:", ELEM_DEFAULT, strbuf_str(&dv->line));
    when(dv, d->obj.created, buf, sizeof(buf));
    field(tv, "Created:", ELEM_DEFAULT, buf);
    labels_field(dv, tv, &d->obj.labels);
    conditions(dv, tv, d->conds, d->nconds);
}

static void
describe_other(struct detail_view *dv, struct textview *tv, const struct kobj *obj)
{
    char buf[128];

    textview_addf(tv, ELEM_TEXT_HEADING, "%s %s%s%s", kind_info(obj->kind)->kind,
                  obj->ns ? obj->ns : "", obj->ns ? "/" : "", obj->name);
    when(dv, obj->created, buf, sizeof(buf));
    field(tv, "Created:", ELEM_DEFAULT, buf);
    labels_field(dv, tv, &obj->labels);
    if (obj->kind == KIND_RESOURCEQUOTA) {
        const struct resourcequota *q = (const struct resourcequota *)obj;

        heading(tv, "Used / hard");
        for (size_t i = 0; i < q->nitems; i++) {
            double r = quota_item_ratio(&q->items[i]);

            textview_addf(tv, r >= 0.9 ? ELEM_WARNING : ELEM_DEFAULT, "  %-24s %s / %s",
                          q->items[i].resource, q->items[i].used ? q->items[i].used : "?",
                          q->items[i].hard);
        }
    }
}

static void
describe_project(struct detail_view *dv, struct textview *tv, const struct project *p)
{
    textview_addf(tv, ELEM_TEXT_HEADING, "Project %s (tenant %s)", p->ns, p->tenant);
    fieldf(dv, tv, "Pods:", p->pods_ready < p->pods_total ? ELEM_WARNING : ELEM_DEFAULT,
           "%d ready of %d", p->pods_ready, p->pods_total);
    fieldf(dv, tv, "Deployments:", p->deployments_unavailable ? ELEM_ERROR : ELEM_DEFAULT,
           "%d, %d with unavailable replicas", p->deployments, p->deployments_unavailable);
    field(tv, "Quota:", p->quota_ratio >= 0.9 ? ELEM_WARNING : ELEM_DEFAULT, p->quota_text);
    if (!p->policies_known)
        field(tv, "Policies:", ELEM_WARNING, "unknown (NetworkPolicies could not be read)");
    else
        fieldf(dv, tv, "Policies:",
               p->ingress_isolation && p->egress_isolation ? ELEM_DEFAULT : ELEM_ERROR,
               "ingress isolation %s, egress isolation %s",
               p->ingress_isolation ? "present" : "MISSING",
               p->egress_isolation ? "present" : "MISSING");
    fieldf(dv, tv, "Warnings:", p->warnings_1h ? ELEM_WARNING : ELEM_DEFAULT,
           "%d in the last hour", p->warnings_1h);
    heading(tv, "Services");
    for (size_t i = 0; p->services[i]; i++)
        textview_addf(tv, ELEM_DEFAULT, "  %-24s %s", p->services[i],
                      p->service_hosts && p->service_hosts[i] ? p->service_hosts[i] : "");
    if (!p->services[0])
        textview_add(tv, ELEM_DIM, "  none");
    heading(tv, "Problems");
    for (size_t i = 0; p->problems[i]; i++)
        textview_addf(tv, ELEM_ERROR, "  %s", p->problems[i]);
    if (!p->problems[0])
        textview_add(tv, ELEM_DIM, "  none");
}

static void
describe_tenant(struct detail_view *dv, struct textview *tv, const struct tenant *t)
{
    textview_addf(tv, ELEM_TEXT_HEADING, "Tenant %s", t->name);
    fieldf(dv, tv, "Pods:", t->pods_ready < t->pods_total ? ELEM_WARNING : ELEM_DEFAULT,
           "%d ready of %d", t->pods_ready, t->pods_total);
    if (t->quota_ratio >= 0)
        fieldf(dv, tv, "Quota:", t->quota_ratio >= 0.9 ? ELEM_WARNING : ELEM_DEFAULT,
               "highest use %d%%", (int)(t->quota_ratio * 100));
    if (t->nprojects && !t->projects[0]->policies_known)
        field(tv, "Policies:", ELEM_WARNING, "unknown (NetworkPolicies could not be read)");
    else
        field(tv, "Policies:", t->all_policies ? ELEM_DEFAULT : ELEM_ERROR,
              t->all_policies ? "every project isolated" : "a project lacks an isolation policy");
    heading(tv, "Projects");
    for (size_t i = 0; i < t->nprojects; i++)
        textview_addf(tv, t->projects[i]->problems[0] ? ELEM_ERROR : ELEM_DEFAULT,
                      "  %-32s pods %d/%d", t->projects[i]->ns, t->projects[i]->pods_ready,
                      t->projects[i]->pods_total);
    heading(tv, "Problems");
    for (size_t i = 0; t->problems[i]; i++)
        textview_addf(tv, ELEM_ERROR, "  %s", t->problems[i]);
    if (!t->problems[0])
        textview_add(tv, ELEM_DIM, "  none");
}

/* Rebuilds the text, keeping the position. */
static void
render(struct view *view)
{
    struct detail_view *dv = view_private(view);
    struct textview *tv = view_text(view);
    size_t top = textview_top_line(tv);
    const struct kobj *obj;

    textview_clear(tv);
    if (dv->what == DETAIL_TENANT) {
        const struct tenant *t = tenants_get(dv->ts, dv->name);

        if (t)
            describe_tenant(dv, tv, t);
        else
            textview_addf(tv, ELEM_WARNING, "tenant %s is gone", dv->name);
    } else if (dv->what == DETAIL_PROJECT) {
        const struct project *p = tenants_project(dv->ts, dv->name);

        if (p)
            describe_project(dv, tv, p);
        else
            textview_addf(tv, ELEM_WARNING, "project %s is gone", dv->name);
    } else if (dv->yaml) {
        if (dv->yaml_text)
            textview_add(tv, ELEM_DEFAULT, dv->yaml_text);
        else if (dv->yaml_error)
            textview_addf(tv, ELEM_ERROR, "YAML unavailable: %s", dv->yaml_error);
        else
            textview_add(tv, ELEM_DIM, "loading the object from the API server…");
    } else {
        obj = cluster_get(dv->cl, dv->kind, dv->ns, dv->name);
        if (!obj)
            textview_addf(tv, ELEM_WARNING, "%s %s%s%s is gone", kind_info(dv->kind)->kind,
                          dv->ns ? dv->ns : "", dv->ns ? "/" : "", dv->name);
        else if (obj->kind == KIND_NODE)
            describe_node(dv, tv, (const struct node *)obj);
        else if (obj->kind == KIND_POD)
            describe_pod(dv, tv, (const struct pod *)obj);
        else if (obj->kind == KIND_DEPLOYMENT)
            describe_deployment(dv, tv, (const struct deployment *)obj);
        else
            describe_other(dv, tv, obj);
        events_section(dv, tv);
    }
    textview_scroll(tv, (long)top);
}

/*
 * YAML
 */

static void
on_object(void *arg, const struct kube_result *res, const char *body, size_t len)
{
    struct view *view = arg;
    struct detail_view *dv = view_private(view);
    struct json_doc doc, clean;
    struct strbuf redacted, yaml;

    dv->yaml_op = NULL;
    if (res->st != STATUS_OK) {
        dv->yaml_error = xstrdup(res->error);
        render(view);
        return;
    }
    json_doc_init(&doc);
    json_doc_init(&clean);
    strbuf_init(&redacted);
    strbuf_init(&yaml);
    if (json_parse(&doc, body, len) != STATUS_OK) {
        dv->yaml_error = xstrdup(doc.err);
    } else {
        redact_object(&doc, 0, &redacted);
        if (json_parse(&clean, redacted.buf, redacted.len) == STATUS_OK) {
            json_write_yaml(&clean, 0, &yaml);
            dv->yaml_text = strbuf_detach(&yaml);
        } else {
            dv->yaml_error = xstrdup(clean.err);
        }
    }
    strbuf_done(&yaml);
    strbuf_done(&redacted);
    json_doc_done(&clean);
    json_doc_done(&doc);
    render(view);
}

static void
fetch_yaml(struct view *view)
{
    struct detail_view *dv = view_private(view);
    struct kube *k = app_kube(dv->app);
    char *path;

    if (dv->yaml_op || dv->yaml_text)
        return;
    free(dv->yaml_error);
    dv->yaml_error = NULL;
    if (!k) {
        dv->yaml_error = xstrdup("no API connection");
        return;
    }
    path = kube_path(k, dv->kind, dv->ns, dv->name);
    dv->yaml_op = kube_get(k, path, on_object, view);
    free(path);
}

/*
 * Ops
 */

static bool
concerns(const struct detail_view *dv, const struct kobj *obj)
{
    if (obj->kind == KIND_EVENT)
        return !dv->live_events && event_is_about((const struct event *)obj, dv);
    if (obj->kind == KIND_POD && dv->kind == KIND_NODE)
        return true;             /* the node's pod list */
    return obj->kind == dv->kind && strcmp(obj->name, dv->name) == 0 &&
           (!dv->ns || (obj->ns && strcmp(obj->ns, dv->ns) == 0));
}

static void
on_change(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct view *view = arg;
    struct detail_view *dv = view_private(view);

    (void)op;
    if (!dv->yaml && concerns(dv, new_ ? new_ : old))
        render(view);
}

static void
on_reset(void *arg, enum kind kind)
{
    struct view *view = arg;
    struct detail_view *dv = view_private(view);

    if (!dv->yaml && (kind == dv->kind || kind == KIND_EVENT))
        render(view);
}

static void
on_tenant(void *arg, const char *name, const struct tenant *t)
{
    struct view *view = arg;

    (void)name;
    (void)t;
    render(view);
}

static void
on_tenants_reset(void *arg)
{
    render(arg);
}

static enum status
detail_open(struct view *view, const char *arg)
{
    struct detail_view *dv = view_private(view);
    char *ns = NULL, *name = NULL;

    dv->app = view_app(view);
    dv->cl = app_cluster(dv->app);
    dv->ts = app_tenants(dv->app);
    if (arg && strncmp(arg, "tenant//", 8) == 0) {
        dv->what = DETAIL_TENANT;
        dv->name = xstrdup(arg + 8);
    } else if (arg && strncmp(arg, "project//", 9) == 0) {
        dv->what = DETAIL_PROJECT;
        dv->name = xstrdup(arg + 9);
    } else if (pane_parse_detail_arg(arg, &dv->kind, &ns, &name)) {
        dv->what = DETAIL_OBJECT;
        dv->ns = ns;
        dv->name = name;
    } else {
        return status_fail(STATUS_USAGE, "detail: no object named \"%s\"", arg ? arg : "");
    }
    vec_init(&dv->events, (void (*)(void *))kobj_free);
    strbuf_init(&dv->line);
    view_set_title(view, "%s", dv->name);
    if (dv->what == DETAIL_OBJECT) {
        cluster_observe(dv->cl, &(struct cluster_observer){ .changed = on_change,
                                                            .reset = on_reset,
                                                            .arg = view });
        fetch_events(view);
    } else {
        tenants_observe(dv->ts, &(struct tenant_observer){ .changed = on_tenant,
                                                           .reset = on_tenants_reset,
                                                           .arg = view });
    }
    render(view);
    return STATUS_OK;
}

static enum request
detail_request(struct view *view, enum request req)
{
    struct detail_view *dv = view_private(view);

    if (req != REQ_TOGGLE_YAML || dv->what != DETAIL_OBJECT)
        return req;
    dv->yaml = !dv->yaml;
    if (dv->yaml)
        fetch_yaml(view);
    view_set_title(view, dv->yaml ? "%s (yaml)" : "%s", dv->name);
    textview_scroll_first(view_text(view));
    render(view);
    return REQ_NONE;
}

/* Ctrl-R: ask again for what came from the API. */
static void
detail_refresh(struct view *view)
{
    struct detail_view *dv = view_private(view);

    if (dv->what != DETAIL_OBJECT)
        return;
    free(dv->yaml_text);
    dv->yaml_text = NULL;
    if (dv->yaml)
        fetch_yaml(view);
    kube_op_cancel(dv->events_op);
    dv->events_op = NULL;
    free(dv->events_error);
    dv->events_error = NULL;
    fetch_events(view);
    render(view);
}

static void
detail_tick(struct view *view)
{
    struct detail_view *dv = view_private(view);

    /* Ages in the text; the YAML has none. */
    if (!dv->yaml)
        render(view);
}

static void
detail_done(struct view *view)
{
    struct detail_view *dv = view_private(view);

    if (dv->what == DETAIL_OBJECT)
        cluster_unobserve(dv->cl, view);
    else
        tenants_unobserve(dv->ts, view);
    kube_op_cancel(dv->yaml_op);
    kube_op_cancel(dv->events_op);
    vec_done(&dv->events);
    strbuf_done(&dv->line);
    free(dv->yaml_text);
    free(dv->yaml_error);
    free(dv->events_error);
    free(dv->ns);
    free(dv->name);
}

const struct view_ops detail_view_ops = {
    .name = "detail",
    .help = "One object: status, containers, conditions, events (y: its YAML)",
    .kind = VIEW_TEXT,
    .flags = VIEW_NO_COMMAND,
    .private_size = sizeof(struct detail_view),
    .open = detail_open,
    .request = detail_request,
    .refresh = detail_refresh,
    .tick = detail_tick,
    .done = detail_done,
};
