/* SPDX-License-Identifier: MIT */
/* workloads.c - the Workloads pane: one namespace's deployments and pods together */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"
#include "opsdeck/panes.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/ui.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

enum {
    COL_KIND,
    COL_NAME,
    COL_READY,
    COL_STATUS,
    COL_RESTARTS,
    COL_AGE,
    COL_NODE,
    COL_HOSTS,
    COL_COUNT
};

static const struct table_column columns[COL_COUNT] = {
    [COL_KIND] = { .title = "KIND", .min = 4, .max = 6, .priority = 2, .sort = TABLE_SORT_TEXT },
    [COL_NAME] = { .title = "NAME", .min = 8, .max = 48, .sort = TABLE_SORT_NATURAL,
                   .flags = TABLE_COL_NAME },
    [COL_READY] = { .title = "READY", .min = 5, .max = 7, .priority = 1,
                    .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NATURAL },
    [COL_STATUS] = { .title = "STATUS", .min = 6, .max = 26, .sort = TABLE_SORT_TEXT,
                     .flags = TABLE_COL_STATUS },
    [COL_RESTARTS] = { .title = "RESTARTS", .min = 8, .max = 8, .priority = 3,
                       .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NUMBER },
    [COL_AGE] = { .title = "AGE", .min = 3, .max = 7, .priority = 4,
                  .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_AGE },
    [COL_NODE] = { .title = "NODE", .min = 4, .max = 20, .priority = 6,
                   .sort = TABLE_SORT_NATURAL },
    [COL_HOSTS] = { .title = "HOSTS", .min = 5, .max = 40, .priority = 5,
                    .sort = TABLE_SORT_TEXT },
};

struct workloads_view {
    struct cluster *cl;           /* observed; borrowed from the app */
    char *ns;
    struct strbuf hosts;
};

static void
put_deployment(struct view *view, const struct deployment *d)
{
    struct workloads_view *wv = view_private(view);
    char key[300], ready[32];
    const char *search[] = { NULL, d->image, NULL };
    const char *status = d->replicas == 0             ? "ScaledToZero"
                         : d->available >= d->replicas ? "Available"
                         : d->updated < d->replicas    ? "Progressing"
                                                       : "Unavailable";
    bool bad = d->replicas > 0 && d->available < d->replicas;

    snprintf(key, sizeof(key), "deploy/%s", d->obj.name);
    snprintf(ready, sizeof(ready), "%d/%d", d->ready, d->replicas);
    strbuf_reset(&wv->hosts);
    if (pane_deployment_hosts(wv->cl, d, &wv->hosts))
        search[0] = strbuf_str(&wv->hosts);
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = key,
                     .cells = (struct table_cell[]){
                         [COL_KIND] = { "deploy", 0 },
                         [COL_NAME] = { d->obj.name, 0 },
                         [COL_READY] = { ready, 0 },
                         [COL_STATUS] = { status, 0 },
                         [COL_RESTARTS] = { "", -1 },
                         [COL_AGE] = { NULL, d->obj.created },
                         [COL_NODE] = { "", 0 },
                         [COL_HOSTS] = { wv->hosts.len ? strbuf_str(&wv->hosts) : "-", 0 },
                     },
                     .elem = bad ? ELEM_ERROR : ELEM_DEFAULT,
                     .problem = bad,
                     .search = search,
                     .labels = &d->obj.labels,
                 });
}

static void
put_pod(struct view *view, const struct pod *pod)
{
    struct workloads_view *wv = view_private(view);
    char key[300], ready[24], restarts[16];
    const char *search[] = { NULL, NULL };

    snprintf(key, sizeof(key), "pod/%s", pod->obj.name);
    snprintf(ready, sizeof(ready), "%d/%d", pod->ready, pod->total);
    snprintf(restarts, sizeof(restarts), "%d", pod->restarts);
    strbuf_reset(&wv->hosts);
    if (pane_pod_hosts(wv->cl, pod, &wv->hosts))
        search[0] = strbuf_str(&wv->hosts);
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = key,
                     .cells = (struct table_cell[]){
                         [COL_KIND] = { "pod", 0 },
                         [COL_NAME] = { pod->obj.name, 0 },
                         [COL_READY] = { ready, 0 },
                         [COL_STATUS] = { pod->status, 0 },
                         [COL_RESTARTS] = { restarts, pod->restarts },
                         [COL_AGE] = { NULL, pod->obj.created },
                         [COL_NODE] = { pod->node ? pod->node : "<none>", 0 },
                         [COL_HOSTS] = { wv->hosts.len ? strbuf_str(&wv->hosts) : "-", 0 },
                     },
                     .elem = pane_pod_elem(wv->cl, pod),
                     .problem = pane_pod_problem(wv->cl, pod),
                     .search = search,
                     .labels = &pod->obj.labels,
                 });
}

static void
put_kind(struct view *view, enum kind kind)
{
    struct workloads_view *wv = view_private(view);
    size_t n;
    const struct kobj *const *objs = cluster_in_ns(wv->cl, kind, wv->ns, &n);

    for (size_t i = 0; i < n; i++) {
        if (kind == KIND_DEPLOYMENT)
            put_deployment(view, (const struct deployment *)objs[i]);
        else
            put_pod(view, (const struct pod *)objs[i]);
    }
}

static void
put_all(struct view *view)
{
    table_replace_begin(view_table(view));
    put_kind(view, KIND_DEPLOYMENT);
    put_kind(view, KIND_POD);
    table_replace_end(view_table(view));
}

static void
on_change(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct view *view = arg;
    struct workloads_view *wv = view_private(view);
    const struct kobj *obj = new_ ? new_ : old;
    char key[300];

    if (!obj->ns || strcmp(obj->ns, wv->ns) != 0) {
        /* A node's readiness colours the pods on it. */
        if (obj->kind == KIND_NODE)
            put_kind(view, KIND_POD);
        return;
    }
    switch (obj->kind) {
    case KIND_DEPLOYMENT:
    case KIND_POD:
        if (op == CHANGE_REMOVE) {
            snprintf(key, sizeof(key), "%s/%s", obj->kind == KIND_POD ? "pod" : "deploy",
                     obj->name);
            table_remove(view_table(view), key);
        } else if (obj->kind == KIND_POD) {
            put_pod(view, (const struct pod *)new_);
        } else {
            put_deployment(view, (const struct deployment *)new_);
        }
        break;
    case KIND_SERVICE:
    case KIND_INGRESS:
        put_all(view);
        break;
    default:
        break;
    }
}

static void
on_reset(void *arg, enum kind kind)
{
    if (kind == KIND_POD || kind == KIND_DEPLOYMENT || kind == KIND_SERVICE ||
        kind == KIND_INGRESS || kind == KIND_NODE)
        put_all(arg);
}

static void
on_reset_ns(void *arg, enum kind kind, const char *ns)
{
    struct view *view = arg;
    struct workloads_view *wv = view_private(view);

    if (strcmp(ns, wv->ns) == 0)
        on_reset(arg, kind);
}

static enum status
workloads_open(struct view *view, const char *arg)
{
    struct workloads_view *wv = view_private(view);

    if (!arg || !*arg)
        return status_fail(STATUS_USAGE, "workloads: which namespace? (:workloads NAMESPACE)");
    wv->cl = app_cluster(view_app(view));
    wv->ns = xstrdup(arg);
    strbuf_init(&wv->hosts);
    view_set_title(view, "workloads(%s)", arg);
    view_set_empty_text(view, "no deployments or pods in this namespace");
    put_all(view);
    cluster_observe(wv->cl, &(struct cluster_observer){ .changed = on_change,
                                                        .reset = on_reset,
                                                        .reset_ns = on_reset_ns,
                                                        .arg = view });
    return STATUS_OK;
}

static enum request
workloads_request(struct view *view, enum request req)
{
    struct workloads_view *wv = view_private(view);
    const char *key = table_selected_key(view_table(view));
    const struct deployment *d;
    char *arg = NULL, *sel;

    if (!key || (req != REQ_ENTER && req != REQ_DETAIL && req != REQ_LOGS))
        return req;
    if (req == REQ_LOGS && strncmp(key, "pod/", 4) == 0) {
        pane_open_pod_logs(view, wv->ns, key + 4);
    } else if (req == REQ_LOGS) {
        /* a deployment: its pods' app label, from its selector (else its name) */
        const char *label;

        d = (const struct deployment *)cluster_get(wv->cl, KIND_DEPLOYMENT, wv->ns, key + 7);
        label = d ? kv_get(&d->selector, "app") : NULL;
        arg = pane_log_selector(app_conventions(view_app(view))->pod_log_selector, wv->ns,
                                label ? label : key + 7, NULL);
        pane_open_logs(view, arg);
    } else if (strncmp(key, "pod/", 4) == 0) {
        arg = pane_detail_arg(KIND_POD, wv->ns, key + 4);
        ui_open(view_ui(view), "detail", arg, UI_OPEN_PUSH);
    } else if (req == REQ_DETAIL) {
        arg = pane_detail_arg(KIND_DEPLOYMENT, wv->ns, key + 7);
        ui_open(view_ui(view), "detail", arg, UI_OPEN_PUSH);
    } else {
        /* A deployment's pods: those its selector matches. */
        d = (const struct deployment *)cluster_get(wv->cl, KIND_DEPLOYMENT, wv->ns, key + 7);
        if (!d || d->selector.len == 0)
            return REQ_NONE;
        sel = kv_join(&d->selector);
        arg = xasprintf("%s -l %s", wv->ns, sel);
        free(sel);
        ui_open(view_ui(view), "pods", arg, UI_OPEN_PUSH);
    }
    free(arg);
    return REQ_NONE;
}

static void
workloads_done(struct view *view)
{
    struct workloads_view *wv = view_private(view);

    cluster_unobserve(wv->cl, view);
    strbuf_done(&wv->hosts);
    free(wv->ns);
}

static const char *const aliases[] = { "wl", "project", NULL };

const struct view_ops workloads_view_ops = {
    .name = "workloads",
    .aliases = aliases,
    .help = "A namespace's deployments and pods (Enter: a deployment's pods, a pod's detail)",
    .args = "namespace",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct workloads_view),
    .open = workloads_open,
    .request = workloads_request,
    .done = workloads_done,
};
