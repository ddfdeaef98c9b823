/* SPDX-License-Identifier: MIT */
/* nodes.c - the Nodes pane (shown first): pool, status, roles, taints, pods per node */
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
    COL_NAME,
    COL_POOL,
    COL_STATUS,
    COL_ROLES,
    COL_TAINTS,
    COL_IP,
    COL_VERSION,
    COL_PODS,
    COL_SINCE,
    COL_AGE,
    COL_COUNT
};

/* Priorities: the higher, the sooner a column goes on a narrow terminal.
 * SINCE (how long the Ready condition has held) stays long: for a node that
 * stopped answering it says since when. */
static const struct table_column columns[COL_COUNT] = {
    [COL_NAME] = { .title = "NAME", .min = 6, .max = 32, .sort = TABLE_SORT_NATURAL,
                   .flags = TABLE_COL_NAME },
    [COL_POOL] = { .title = "POOL", .min = 4, .max = 12, .priority = 1,
                   .sort = TABLE_SORT_TEXT },
    [COL_STATUS] = { .title = "STATUS", .min = 6, .max = 28, .sort = TABLE_SORT_TEXT,
                     .flags = TABLE_COL_STATUS },
    [COL_ROLES] = { .title = "ROLES", .min = 5, .max = 26, .priority = 7,
                    .sort = TABLE_SORT_TEXT },
    [COL_TAINTS] = { .title = "TAINTS", .min = 6, .max = 40, .priority = 6,
                     .sort = TABLE_SORT_TEXT },
    [COL_IP] = { .title = "IP", .min = 7, .max = 15, .priority = 5, .sort = TABLE_SORT_NATURAL },
    [COL_VERSION] = { .title = "VERSION", .min = 7, .max = 20, .priority = 8,
                      .sort = TABLE_SORT_NATURAL },
    [COL_PODS] = { .title = "PODS", .min = 4, .max = 6, .priority = 3,
                   .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NUMBER },
    [COL_SINCE] = { .title = "SINCE", .min = 5, .max = 7, .priority = 2,
                    .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_AGE },
    [COL_AGE] = { .title = "AGE", .min = 3, .max = 7, .priority = 4,
                  .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_AGE },
};

struct nodes_view {
    struct cluster *cl;           /* observed; borrowed from the app */
    const struct conventions *conv;
    struct strbuf scratch;
};

static void
put_node(struct view *view, const struct node *node)
{
    struct nodes_view *nv = view_private(view);
    const char *pool = kv_get(&node->obj.labels, nv->conv->pool_label);
    char pods[16], taint[256];
    const char *search[] = { node->internal_ip, node->external_ip, pool, NULL };
    struct strbuf *taints = &nv->scratch;
    size_t npods = cluster_pods_on_node(nv->cl, node->obj.name);

    strbuf_reset(taints);
    for (size_t i = 0; i < node->ntaints; i++) {
        node_taint_text(&node->taints[i], taint, sizeof(taint));
        strbuf_printf(taints, "%s%s", i ? "," : "", taint);
    }
    snprintf(pods, sizeof(pods), "%zu", npods);
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = node->obj.name,
                     .cells = (struct table_cell[]){
                         [COL_NAME] = { node->obj.name, 0 },
                         [COL_POOL] = { pool ? pool : "-", 0 },
                         [COL_STATUS] = { node->status, 0 },
                         [COL_ROLES] = { node->roles, 0 },
                         [COL_TAINTS] = { taints->len ? strbuf_str(taints) : "-", 0 },
                         [COL_IP] = { node->internal_ip ? node->internal_ip : "-", 0 },
                         [COL_VERSION] = { node->kubelet_version, 0 },
                         [COL_PODS] = { pods, (int64_t)npods },
                         [COL_SINCE] = { node->ready_since ? NULL : "-", node->ready_since },
                         [COL_AGE] = { NULL, node->obj.created },
                     },
                     .elem = pane_node_elem(node),
                     .problem = node_is_problem(node),
                     .search = search,
                     .labels = &node->obj.labels,
                 });
}

static void
put_all(struct view *view)
{
    struct nodes_view *nv = view_private(view);
    size_t n;
    const struct kobj *const *all = cluster_all(nv->cl, KIND_NODE, &n);

    table_replace_begin(view_table(view));
    for (size_t i = 0; i < n; i++)
        put_node(view, (const struct node *)all[i]);
    table_replace_end(view_table(view));
}

/* A pod's node changed its count: redraw that node's row. */
static void
recount(struct view *view, const char *node_name)
{
    struct nodes_view *nv = view_private(view);
    const struct kobj *node;

    if (!node_name)
        return;
    node = cluster_get(nv->cl, KIND_NODE, NULL, node_name);
    if (node)
        put_node(view, (const struct node *)node);
}

static void
on_change(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct view *view = arg;
    const struct kobj *obj = new_ ? new_ : old;

    if (obj->kind == KIND_NODE) {
        if (op == CHANGE_REMOVE)
            table_remove(view_table(view), old->name);
        else
            put_node(view, (const struct node *)new_);
    } else if (obj->kind == KIND_POD) {
        const char *was = old ? ((const struct pod *)old)->node : NULL;
        const char *now = new_ ? ((const struct pod *)new_)->node : NULL;

        /* Only a pod that appears, goes or moves changes a count. */
        if (op == CHANGE_UPDATE && (was == now || (was && now && strcmp(was, now) == 0)))
            return;
        recount(view, was);
        if (!was || !now || strcmp(was, now) != 0)
            recount(view, now);
    }
}

static void
on_reset(void *arg, enum kind kind)
{
    if (kind == KIND_NODE || kind == KIND_POD)
        put_all(arg);
}

static enum status
nodes_open(struct view *view, const char *arg)
{
    struct nodes_view *nv = view_private(view);
    struct app *app = view_app(view);

    (void)arg;
    nv->cl = app_cluster(app);
    nv->conv = app_conventions(app);
    strbuf_init(&nv->scratch);
    view_set_empty_text(view, "no nodes yet (waiting for the API server)");
    put_all(view);
    cluster_observe(nv->cl, &(struct cluster_observer){ .changed = on_change,
                                                        .reset = on_reset,
                                                        .arg = view });
    return STATUS_OK;
}

static enum request
nodes_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));
    char *arg;

    if (!key || (req != REQ_ENTER && req != REQ_DETAIL && req != REQ_LOGS))
        return req;
    if (req == REQ_LOGS) {
        arg = pane_log_selector(app_conventions(view_app(view))->node_log_selector, NULL, NULL,
                                key);
        pane_open_logs(view, arg);
    } else if (req == REQ_ENTER) {
        arg = xasprintf("node/%s", key);
        ui_open(view_ui(view), "pods", arg, UI_OPEN_PUSH);
    } else {
        arg = pane_detail_arg(KIND_NODE, NULL, key);
        ui_open(view_ui(view), "detail", arg, UI_OPEN_PUSH);
    }
    free(arg);
    return REQ_NONE;
}

static void
nodes_done(struct view *view)
{
    struct nodes_view *nv = view_private(view);

    cluster_unobserve(nv->cl, view);
    strbuf_done(&nv->scratch);
}

static const char *const aliases[] = { "no", "node", NULL };

const struct view_ops nodes_view_ops = {
    .name = "nodes",
    .aliases = aliases,
    .help = "Nodes: pool, status, roles, taints, pods (Enter: its pods)",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct nodes_view),
    .open = nodes_open,
    .request = nodes_request,
    .done = nodes_done,
};
