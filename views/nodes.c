/* SPDX-License-Identifier: MIT */
/* nodes.c - the Nodes pane (shown first): pool, status, metrics, roles, taints, pods per node */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"
#include "opsdeck/nodemetrics.h"
#include "opsdeck/panes.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/sparkline.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/ui.h"
#include "opsdeck/upstream.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

enum {
    COL_NAME,
    COL_POOL,
    COL_STATUS,
    COL_CPU,
    COL_MEM,
    COL_DISK,
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
 * stopped answering it says since when. CPU, MEM and DISK are there only
 * with Prometheus (TABLE_COL_OPTIONAL: without it every cell is empty). */
static const struct table_column columns[COL_COUNT] = {
    [COL_NAME] = { .title = "NAME", .min = 6, .max = 32, .sort = TABLE_SORT_NATURAL,
                   .flags = TABLE_COL_NAME },
    [COL_POOL] = { .title = "POOL", .min = 4, .max = 12, .priority = 1,
                   .sort = TABLE_SORT_TEXT },
    [COL_STATUS] = { .title = "STATUS", .min = 6, .max = 28, .sort = TABLE_SORT_TEXT,
                     .flags = TABLE_COL_STATUS },
    [COL_CPU] = { .title = "CPU", .min = 4, .max = 14, .priority = 3, .sort = TABLE_SORT_NUMBER,
                  .flags = TABLE_COL_OPTIONAL | TABLE_COL_NOSEARCH },
    [COL_MEM] = { .title = "MEM", .min = 4, .max = 14, .priority = 3, .sort = TABLE_SORT_NUMBER,
                  .flags = TABLE_COL_OPTIONAL | TABLE_COL_NOSEARCH },
    [COL_DISK] = { .title = "DISK", .min = 4, .max = 14, .priority = 3,
                   .sort = TABLE_SORT_NUMBER, .flags = TABLE_COL_OPTIONAL | TABLE_COL_NOSEARCH },
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

/* Metric thresholds (percent): at or above, the row turns yellow, then red
 * (and counts as a problem). */
#define METRIC_WARNING 75.0
#define METRIC_ERROR   90.0
/* Cells of a sparkline: eight for the hour, 7.5 minutes each. */
#define SPARK_CELLS 8

struct nodes_view {
    struct cluster *cl;           /* observed; borrowed from the app */
    const struct conventions *conv;
    struct node_metrics *nm;      /* owned; NULL without Prometheus */
    bool ascii;                   /* a non-UTF-8 locale: ASCII sparklines */
    struct strbuf scratch;
    struct strbuf metric[NM_COUNT];
};

/* "  5% ▁▁▂▁▁▁▁▂": the newest value, then the hour; a node whose metrics
 * stopped keeps its last value and its line ends where they stopped. Sets
 * *num (sort: tenths of a percent; -1 when none) and raises *worst. NULL
 * (an empty cell: the columns are absent) without Prometheus, and until it
 * has answered with metrics of some node. */
static const char *
metric_cell(struct nodes_view *nv, const struct nm_node *n, enum nm_metric m, int64_t *num,
            double *worst)
{
    struct strbuf *sb = &nv->metric[m];
    const struct nm_series *s = n ? &n->m[m] : NULL;

    size_t known = 0;

    *num = -1;
    if (nv->nm)
        node_metrics_all(nv->nm, &known);
    if (!known)
        return NULL;
    strbuf_reset(sb);
    if (!s || isnan(s->last)) {
        strbuf_puts(sb, "-");
        return strbuf_str(sb);
    }
    strbuf_printf(sb, "%3.0f%% ", s->last);
    sparkline_render(s->v, node_metrics_points(nv->nm), 0.0, 100.0, SPARK_CELLS, nv->ascii, sb);
    *num = (int64_t)llround(s->last * 10.0);
    if (s->last > *worst)
        *worst = s->last;
    return strbuf_str(sb);
}

static void
put_node(struct view *view, const struct node *node)
{
    struct nodes_view *nv = view_private(view);
    const char *pool = kv_get(&node->obj.labels, nv->conv->pool_label);
    char pods[16], taint[256];
    const char *search[] = { node->internal_ip, node->external_ip, pool, NULL };
    struct strbuf *taints = &nv->scratch;
    size_t npods = cluster_pods_on_node(nv->cl, node->obj.name);
    const struct nm_node *met =
        nv->nm ? node_metrics_find(nv->nm, node->obj.name, node->internal_ip) : NULL;
    const char *mtext[NM_COUNT];
    int64_t mnum[NM_COUNT];
    double worst = -1.0;
    enum theme_element elem = pane_node_elem(node);
    bool problem = node_is_problem(node);

    strbuf_reset(taints);
    for (size_t i = 0; i < node->ntaints; i++) {
        node_taint_text(&node->taints[i], taint, sizeof(taint));
        strbuf_printf(taints, "%s%s", i ? "," : "", taint);
    }
    snprintf(pods, sizeof(pods), "%zu", npods);
    for (int m = 0; m < NM_COUNT; m++)
        mtext[m] = metric_cell(nv, met, m, &mnum[m], &worst);
    if (worst >= METRIC_ERROR) {
        elem = ELEM_ERROR;
        problem = true;
    } else if (worst >= METRIC_WARNING && elem == ELEM_DEFAULT) {
        elem = ELEM_WARNING;
    }
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = node->obj.name,
                     .cells = (struct table_cell[]){
                         [COL_NAME] = { node->obj.name, 0 },
                         [COL_POOL] = { pool ? pool : "-", 0 },
                         [COL_STATUS] = { node->status, 0 },
                         [COL_CPU] = { mtext[NM_CPU], mnum[NM_CPU] },
                         [COL_MEM] = { mtext[NM_MEM], mnum[NM_MEM] },
                         [COL_DISK] = { mtext[NM_DISK], mnum[NM_DISK] },
                         [COL_ROLES] = { node->roles, 0 },
                         [COL_TAINTS] = { taints->len ? strbuf_str(taints) : "-", 0 },
                         [COL_IP] = { node->internal_ip ? node->internal_ip : "-", 0 },
                         [COL_VERSION] = { node->kubelet_version, 0 },
                         [COL_PODS] = { pods, (int64_t)npods },
                         [COL_SINCE] = { node->ready_since ? NULL : "-", node->ready_since },
                         [COL_AGE] = { NULL, node->obj.created },
                     },
                     .elem = elem,
                     .problem = problem,
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

static void
on_metrics(void *arg)
{
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
    for (int m = 0; m < NM_COUNT; m++)
        strbuf_init(&nv->metric[m]);
    nv->ascii = !sanitize_locale_is_utf8();
    if (upstream_configured(app_prometheus(app))) {
        nv->nm = node_metrics_new(app_prometheus(app), app_loop(app), NULL);
        node_metrics_observe(nv->nm, on_metrics, view);
    }
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

/* Ctrl-R: the metrics again (the nodes themselves are watched). */
static void
nodes_refresh(struct view *view)
{
    struct nodes_view *nv = view_private(view);

    if (nv->nm)
        node_metrics_refresh(nv->nm);
}

/* Pause (Z) freezes the rows; the metrics stop being fetched too. */
static void
nodes_tick(struct view *view)
{
    struct nodes_view *nv = view_private(view);

    if (nv->nm)
        node_metrics_pause(nv->nm, table_paused(view_table(view)));
}

static void
nodes_done(struct view *view)
{
    struct nodes_view *nv = view_private(view);

    cluster_unobserve(nv->cl, view);
    node_metrics_free(nv->nm);
    strbuf_done(&nv->scratch);
    for (int m = 0; m < NM_COUNT; m++)
        strbuf_done(&nv->metric[m]);
}

static const char *const aliases[] = { "no", "node", NULL };

const struct view_ops nodes_view_ops = {
    .name = "nodes",
    .aliases = aliases,
    .help = "Nodes: pool, status, CPU/memory/disk, roles, taints, pods (Enter: its pods)",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct nodes_view),
    .open = nodes_open,
    .request = nodes_request,
    .refresh = nodes_refresh,
    .tick = nodes_tick,
    .done = nodes_done,
};
