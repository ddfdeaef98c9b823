/* SPDX-License-Identifier: MIT */
/* projects.c - the Projects pane: one tenant's namespaces with their health */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/panes.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/tenant.h"
#include "opsdeck/ui.h"
#include "opsdeck/vec.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

enum {
    COL_NAMESPACE,
    COL_PROJECT,
    COL_PODS,
    COL_DEPLOYS,
    COL_QUOTA,
    COL_POLICIES,
    COL_HOSTS,
    COL_PROBLEMS,
    COL_COUNT
};

static const struct table_column columns[COL_COUNT] = {
    [COL_NAMESPACE] = { .title = "NAMESPACE", .min = 9, .max = 32, .sort = TABLE_SORT_NATURAL,
                        .flags = TABLE_COL_NAME },
    [COL_PROJECT] = { .title = "PROJECT", .min = 7, .max = 20, .priority = 6,
                      .sort = TABLE_SORT_TEXT },
    [COL_PODS] = { .title = "PODS", .min = 5, .max = 9, .priority = 1,
                   .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NATURAL },
    [COL_DEPLOYS] = { .title = "DEPLOYS", .min = 7, .max = 9, .priority = 4,
                      .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NATURAL },
    [COL_QUOTA] = { .title = "QUOTA", .min = 5, .max = 6, .priority = 2,
                    .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NUMBER },
    [COL_POLICIES] = { .title = "POLICIES", .min = 8, .max = 18, .priority = 3,
                       .sort = TABLE_SORT_TEXT },
    [COL_HOSTS] = { .title = "HOSTS", .min = 5, .max = 40, .priority = 5,
                    .sort = TABLE_SORT_TEXT },
    [COL_PROBLEMS] = { .title = "PROBLEMS", .min = 8, .max = 80, .sort = TABLE_SORT_TEXT,
                       .flags = TABLE_COL_STATUS },
};

struct projects_view {
    struct tenants *ts;           /* observed; borrowed from the app */
    char *tenant;
    struct strbuf hosts;
    struct strbuf problems;
    struct vec search;            /* borrowed strings of the row being put */
};

static void
put_project(struct view *view, const struct project *p)
{
    struct projects_view *pv = view_private(view);
    char pods[32], deploys[32], quota[16], policies[32];
    size_t nproblems = strv_len((const char *const *)p->problems);

    strbuf_reset(&pv->hosts);
    vec_clear(&pv->search);
    vec_push(&pv->search, p->project);
    for (size_t h = 0; p->hosts[h]; h++) {
        strbuf_printf(&pv->hosts, "%s%s", h ? "," : "", p->hosts[h]);
        vec_push(&pv->search, p->hosts[h]);
    }
    for (size_t s = 0; p->services[s]; s++)
        vec_push(&pv->search, p->services[s]);
    vec_push(&pv->search, NULL);
    strbuf_reset(&pv->problems);
    if (nproblems == 0)
        strbuf_puts(&pv->problems, "-");
    for (size_t i = 0; i < nproblems; i++)
        strbuf_printf(&pv->problems, "%s%s", i ? "; " : "", p->problems[i]);
    snprintf(pods, sizeof(pods), "%d/%d", p->pods_ready, p->pods_total);
    snprintf(deploys, sizeof(deploys), "%d/%d", p->deployments - p->deployments_unavailable,
             p->deployments);
    if (p->quota_ratio >= 0)
        snprintf(quota, sizeof(quota), "%d%%", (int)(p->quota_ratio * 100));
    else
        snprintf(quota, sizeof(quota), "-");
    snprintf(policies, sizeof(policies), "%s",
             !p->policies_known                          ? "?"
             : p->ingress_isolation && p->egress_isolation ? "ok"
             : p->ingress_isolation                      ? "no egress"
             : p->egress_isolation                       ? "no ingress"
                                                         : "none");
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = p->ns,
                     .cells = (struct table_cell[]){
                         [COL_NAMESPACE] = { p->ns, 0 },
                         [COL_PROJECT] = { p->project, 0 },
                         [COL_PODS] = { pods, 0 },
                         [COL_DEPLOYS] = { deploys, 0 },
                         [COL_QUOTA] = { quota, (int64_t)(p->quota_ratio * 1000) },
                         [COL_POLICIES] = { policies, 0 },
                         [COL_HOSTS] = { pv->hosts.len ? strbuf_str(&pv->hosts) : "-", 0 },
                         [COL_PROBLEMS] = { strbuf_str(&pv->problems), 0 },
                     },
                     .elem = nproblems ? ELEM_ERROR : ELEM_DEFAULT,
                     .problem = nproblems > 0,
                     .search = (const char *const *)pv->search.items,
                 });
}

static void
put_all(struct view *view)
{
    struct projects_view *pv = view_private(view);
    const struct tenant *t = tenants_get(pv->ts, pv->tenant);

    table_replace_begin(view_table(view));
    for (size_t i = 0; t && i < t->nprojects; i++)
        put_project(view, t->projects[i]);
    table_replace_end(view_table(view));
}

static void
on_changed(void *arg, const char *name, const struct tenant *t)
{
    struct view *view = arg;
    struct projects_view *pv = view_private(view);

    /* A tenant's projects come and go with it: rebuild its few rows. */
    if (strcmp(name, pv->tenant) == 0)
        put_all(view);
    (void)t;
}

static void
on_reset(void *arg)
{
    put_all(arg);
}

static enum status
projects_open(struct view *view, const char *arg)
{
    struct projects_view *pv = view_private(view);

    if (!arg || !*arg)
        return status_fail(STATUS_USAGE, "projects: which tenant? (:projects TENANT)");
    pv->ts = app_tenants(view_app(view));
    pv->tenant = xstrdup(arg);
    strbuf_init(&pv->hosts);
    strbuf_init(&pv->problems);
    vec_init(&pv->search, NULL);
    view_set_title(view, "projects(%s)", arg);
    view_set_empty_text(view, "this tenant has no projects (any more)");
    put_all(view);
    tenants_observe(pv->ts, &(struct tenant_observer){ .changed = on_changed,
                                                       .reset = on_reset,
                                                       .arg = view });
    return STATUS_OK;
}

static enum request
projects_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));

    if (!key || (req != REQ_ENTER && req != REQ_DETAIL && req != REQ_LOGS))
        return req;
    if (req == REQ_LOGS) {
        char *q = pane_log_namespaces(&key, 1);

        pane_open_logs(view, q);
        free(q);
    } else if (req == REQ_ENTER) {
        ui_open(view_ui(view), "workloads", key, UI_OPEN_PUSH);
    } else {
        char *arg = xasprintf("project//%s", key);

        ui_open(view_ui(view), "detail", arg, UI_OPEN_PUSH);
        free(arg);
    }
    return REQ_NONE;
}

static void
projects_done(struct view *view)
{
    struct projects_view *pv = view_private(view);

    tenants_unobserve(pv->ts, view);
    strbuf_done(&pv->hosts);
    strbuf_done(&pv->problems);
    vec_done(&pv->search);
    free(pv->tenant);
}

const struct view_ops projects_view_ops = {
    .name = "projects",
    .help = "A tenant's projects: pods, deployments, quota, policies, hosts (Enter: workloads)",
    .args = "tenant",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct projects_view),
    .open = projects_open,
    .request = projects_request,
    .done = projects_done,
};
