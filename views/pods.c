/* SPDX-License-Identifier: MIT */
/* pods.c - the Pods pane: every namespace, one namespace, one node, or a selector */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/cluster.h"
#include "opsdeck/labelsel.h"
#include "opsdeck/panes.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/ui.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

enum {
    COL_NAMESPACE,
    COL_NAME,
    COL_READY,
    COL_STATUS,
    COL_RESTARTS,
    COL_RESTARTED,
    COL_AGE,
    COL_NODE,
    COL_IP,
    COL_COUNT
};

static const struct table_column columns[COL_COUNT] = {
    [COL_NAMESPACE] = { .title = "NAMESPACE", .min = 9, .max = 30, .priority = 3,
                        .sort = TABLE_SORT_TEXT },
    [COL_NAME] = { .title = "NAME", .min = 8, .max = 40, .sort = TABLE_SORT_NATURAL,
                   .flags = TABLE_COL_NAME },
    [COL_READY] = { .title = "READY", .min = 5, .max = 7, .priority = 2,
                    .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NATURAL },
    [COL_STATUS] = { .title = "STATUS", .min = 6, .max = 26, .sort = TABLE_SORT_TEXT,
                     .flags = TABLE_COL_STATUS },
    [COL_RESTARTS] = { .title = "RESTARTS", .min = 8, .max = 8, .priority = 1,
                       .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NUMBER },
    [COL_RESTARTED] = { .title = "LAST", .min = 4, .max = 7, .priority = 6,
                        .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_AGE },
    [COL_AGE] = { .title = "AGE", .min = 3, .max = 7, .priority = 4,
                  .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_AGE },
    [COL_NODE] = { .title = "NODE", .min = 4, .max = 24, .priority = 5,
                   .sort = TABLE_SORT_NATURAL },
    [COL_IP] = { .title = "IP", .min = 7, .max = 15, .priority = 7, .sort = TABLE_SORT_NATURAL },
};

/* What the pane shows: all pods, a namespace's, a node's; optionally only
 * those a label selector matches (a deployment's). */
struct pods_view {
    struct cluster *cl;            /* observed; borrowed from the app */
    char *ns;                      /* NULL: every namespace */
    char *node;                    /* NULL: any node */
    struct labelsel *sel;          /* NULL: any labels */
    struct strbuf hosts;
};

static bool
in_scope(const struct pods_view *pv, const struct pod *pod)
{
    if (pv->ns && (!pod->obj.ns || strcmp(pv->ns, pod->obj.ns) != 0))
        return false;
    if (pv->node && (!pod->node || strcmp(pv->node, pod->node) != 0))
        return false;
    return !pv->sel || labelsel_match(pv->sel, &pod->obj.labels);
}

static void
put_pod(struct view *view, const struct pod *pod)
{
    struct pods_view *pv = view_private(view);
    char key[512], ready[24], restarts[16];
    const char *search[] = { NULL, NULL };

    kobj_key(&pod->obj, key, sizeof(key));
    if (!in_scope(pv, pod)) {
        table_remove(view_table(view), key);
        return;
    }
    strbuf_reset(&pv->hosts);
    if (pane_pod_hosts(pv->cl, pod, &pv->hosts))
        search[0] = strbuf_str(&pv->hosts);
    snprintf(ready, sizeof(ready), "%d/%d", pod->ready, pod->total);
    snprintf(restarts, sizeof(restarts), "%d", pod->restarts);
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = key,
                     .cells = (struct table_cell[]){
                         [COL_NAMESPACE] = { pod->obj.ns, 0 },
                         [COL_NAME] = { pod->obj.name, 0 },
                         [COL_READY] = { ready, 0 },
                         [COL_STATUS] = { pod->status, 0 },
                         [COL_RESTARTS] = { restarts, pod->restarts },
                         [COL_RESTARTED] = { pod->last_restart ? NULL : "-", pod->last_restart },
                         [COL_AGE] = { NULL, pod->obj.created },
                         [COL_NODE] = { pod->node ? pod->node : "<none>", 0 },
                         [COL_IP] = { pod->ip ? pod->ip : "-", 0 },
                     },
                     .elem = pane_pod_elem(pv->cl, pod),
                     .problem = pane_pod_problem(pv->cl, pod),
                     .search = search,
                     .labels = &pod->obj.labels,
                 });
}

static void
put_list(struct view *view, const struct kobj *const *pods, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_pod(view, (const struct pod *)pods[i]);
}

/* Every pod in scope, from the narrowest index that covers it. */
static void
put_all(struct view *view)
{
    struct pods_view *pv = view_private(view);
    const struct kobj *const *pods;
    size_t n;

    if (pv->node)
        pods = cluster_pods_of_node(pv->cl, pv->node, &n);
    else if (pv->ns)
        pods = cluster_in_ns(pv->cl, KIND_POD, pv->ns, &n);
    else
        pods = cluster_all(pv->cl, KIND_POD, &n);
    table_replace_begin(view_table(view));
    put_list(view, pods, n);
    table_replace_end(view_table(view));
}

static void
on_change(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct view *view = arg;
    struct pods_view *pv = view_private(view);
    const struct kobj *obj = new_ ? new_ : old;
    const struct kobj *const *pods;
    size_t n;
    char key[512];

    switch (obj->kind) {
    case KIND_POD:
        if (op == CHANGE_REMOVE)
            table_remove(view_table(view), kobj_key(old, key, sizeof(key)));
        else
            put_pod(view, (const struct pod *)new_);
        break;
    case KIND_NODE:
        /* A node going NotReady (or back) changes the colour of its pods. */
        if (old && new_ && ((const struct node *)old)->ready == ((const struct node *)new_)->ready)
            break;
        pods = cluster_pods_of_node(pv->cl, obj->name, &n);
        put_list(view, pods, n);
        break;
    case KIND_SERVICE:
    case KIND_INGRESS:
        /* The hosts a pod is reached by come from these. */
        if (pv->ns && strcmp(pv->ns, obj->ns) != 0)
            break;
        pods = cluster_in_ns(pv->cl, KIND_POD, obj->ns, &n);
        put_list(view, pods, n);
        break;
    default:
        break;
    }
}

static void
on_reset(void *arg, enum kind kind)
{
    if (kind == KIND_POD || kind == KIND_NODE || kind == KIND_SERVICE || kind == KIND_INGRESS)
        put_all(arg);
}

static void
on_reset_ns(void *arg, enum kind kind, const char *ns)
{
    struct view *view = arg;
    struct pods_view *pv = view_private(view);
    const struct kobj *const *pods;
    size_t n;

    if (kind != KIND_POD && kind != KIND_SERVICE && kind != KIND_INGRESS)
        return;
    if (pv->ns && strcmp(pv->ns, ns) != 0)
        return;
    if (kind == KIND_POD) {
        put_all(view);
        return;
    }
    pods = cluster_in_ns(pv->cl, KIND_POD, ns, &n);
    put_list(view, pods, n);
}

/* arg: NULL or "" (every namespace), "node/NAME", "NS", or "NS -l SELECTOR". */
static enum status
pods_open(struct view *view, const char *arg)
{
    struct pods_view *pv = view_private(view);
    const char *l;

    pv->cl = app_cluster(view_app(view));
    strbuf_init(&pv->hosts);
    if (arg && strncmp(arg, "node/", 5) == 0) {
        pv->node = xstrdup(arg + 5);
        view_set_title(view, "pods(node %s)", pv->node);
    } else if (arg && *arg) {
        l = strstr(arg, " -l ");
        pv->ns = l ? xstrndup(arg, (size_t)(l - arg)) : xstrdup(arg);
        if (l && labelsel_parse(l + 4, &pv->sel) != STATUS_OK) {
            enum status st = status_fail(STATUS_USAGE, "pods: %s", status_text());

            free(pv->ns);
            strbuf_done(&pv->hosts);
            return st;
        }
        view_set_title(view, l ? "pods(%s %s)" : "pods(%s)", pv->ns, l ? l + 4 : "");
    } else {
        view_set_title(view, "pods(all)");
    }
    view_set_empty_text(view, "no pods here");
    put_all(view);
    cluster_observe(pv->cl, &(struct cluster_observer){ .changed = on_change,
                                                        .reset = on_reset,
                                                        .reset_ns = on_reset_ns,
                                                        .arg = view });
    return STATUS_OK;
}

static enum request
pods_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));
    const char *slash;
    char *ns, *arg;

    if (!key || (req != REQ_ENTER && req != REQ_DETAIL && req != REQ_LOGS))
        return req;
    slash = strchr(key, '/');
    if (!slash)
        return req;
    ns = xstrndup(key, (size_t)(slash - key));
    if (req == REQ_LOGS) {
        pane_open_pod_logs(view, ns, slash + 1);
        free(ns);
        return REQ_NONE;
    }
    arg = pane_detail_arg(KIND_POD, ns, slash + 1);
    ui_open(view_ui(view), "detail", arg, UI_OPEN_PUSH);
    free(arg);
    free(ns);
    return REQ_NONE;
}

static void
pods_done(struct view *view)
{
    struct pods_view *pv = view_private(view);

    cluster_unobserve(pv->cl, view);
    labelsel_free(pv->sel);
    strbuf_done(&pv->hosts);
    free(pv->ns);
    free(pv->node);
}

static const char *const aliases[] = { "po", "pod", NULL };

const struct view_ops pods_view_ops = {
    .name = "pods",
    .aliases = aliases,
    .help = "Pods of every namespace, or of one (Enter: detail)",
    .args = "[namespace]",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct pods_view),
    .open = pods_open,
    .request = pods_request,
    .done = pods_done,
};
