/* SPDX-License-Identifier: MIT */
/* tenants.c - the Tenants pane: projects, pods ready/total, quota use, policies, problems */
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

enum { COL_TENANT, COL_PROJECTS, COL_PODS, COL_QUOTA, COL_POLICIES, COL_PROBLEMS, COL_COUNT };

static const struct table_column columns[COL_COUNT] = {
    [COL_TENANT] = { .title = "TENANT", .min = 6, .max = 24, .sort = TABLE_SORT_NATURAL,
                     .flags = TABLE_COL_NAME },
    [COL_PROJECTS] = { .title = "PROJECTS", .min = 8, .max = 30, .priority = 3,
                       .sort = TABLE_SORT_TEXT },
    [COL_PODS] = { .title = "PODS", .min = 5, .max = 9, .priority = 1,
                   .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NATURAL },
    [COL_QUOTA] = { .title = "QUOTA", .min = 5, .max = 6, .priority = 2,
                    .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_NUMBER },
    [COL_POLICIES] = { .title = "POLICIES", .min = 8, .max = 10, .priority = 4,
                       .sort = TABLE_SORT_TEXT },
    [COL_PROBLEMS] = { .title = "PROBLEMS", .min = 8, .max = 80, .sort = TABLE_SORT_TEXT,
                       .flags = TABLE_COL_STATUS },
};

struct tenants_view {
    struct tenants *ts;           /* observed; borrowed from the app */
    struct strbuf projects;
    struct strbuf problems;
    struct vec search;            /* borrowed strings of the row being put */
};

/* "dp-max-catapp: 1 pod not ready (+2 more)" or "-". */
static void
problems_text(struct strbuf *out, char *const *problems)
{
    size_t n = strv_len((const char *const *)problems);

    strbuf_reset(out);
    if (n == 0) {
        strbuf_puts(out, "-");
        return;
    }
    strbuf_puts(out, problems[0]);
    if (n > 1)
        strbuf_printf(out, " (+%zu more)", n - 1);
}

static void
put_tenant(struct view *view, const struct tenant *t)
{
    struct tenants_view *tv = view_private(view);
    char pods[32], quota[16];

    strbuf_reset(&tv->projects);
    vec_clear(&tv->search);
    for (size_t i = 0; i < t->nprojects; i++) {
        const struct project *p = t->projects[i];

        strbuf_printf(&tv->projects, "%s%s", i ? "," : "", p->project);
        vec_push(&tv->search, p->ns);
        for (size_t h = 0; p->hosts[h]; h++)
            vec_push(&tv->search, p->hosts[h]);
        for (size_t s = 0; p->services[s]; s++)
            vec_push(&tv->search, p->services[s]);
    }
    vec_push(&tv->search, NULL);
    problems_text(&tv->problems, t->problems);
    snprintf(pods, sizeof(pods), "%d/%d", t->pods_ready, t->pods_total);
    if (t->quota_ratio >= 0)
        snprintf(quota, sizeof(quota), "%d%%", (int)(t->quota_ratio * 100));
    else
        snprintf(quota, sizeof(quota), "-");
    table_upsert(view_table(view),
                 &(struct table_row){
                     .key = t->name,
                     .cells = (struct table_cell[]){
                         [COL_TENANT] = { t->name, 0 },
                         [COL_PROJECTS] = { strbuf_str(&tv->projects), 0 },
                         [COL_PODS] = { pods, 0 },
                         [COL_QUOTA] = { quota, (int64_t)(t->quota_ratio * 1000) },
                         [COL_POLICIES] = { t->all_policies ? "ok"
                                            : t->nprojects && !t->projects[0]->policies_known
                                                ? "?"
                                                : "MISSING",
                                            0 },
                         [COL_PROBLEMS] = { strbuf_str(&tv->problems), 0 },
                     },
                     .elem = t->problems[0] ? ELEM_ERROR : ELEM_DEFAULT,
                     .problem = t->problems[0] != NULL,
                     .search = (const char *const *)tv->search.items,
                 });
}

static void
put_all(struct view *view)
{
    struct tenants_view *tv = view_private(view);
    size_t n;
    const struct tenant *const *all = tenants_all(tv->ts, &n);

    table_replace_begin(view_table(view));
    for (size_t i = 0; i < n; i++)
        put_tenant(view, all[i]);
    table_replace_end(view_table(view));
}

static void
on_changed(void *arg, const char *name, const struct tenant *t)
{
    struct view *view = arg;

    if (t)
        put_tenant(view, t);
    else
        table_remove(view_table(view), name);
}

static void
on_reset(void *arg)
{
    put_all(arg);
}

static enum status
tenants_open(struct view *view, const char *arg)
{
    struct tenants_view *tv = view_private(view);

    (void)arg;
    tv->ts = app_tenants(view_app(view));
    strbuf_init(&tv->projects);
    strbuf_init(&tv->problems);
    vec_init(&tv->search, NULL);
    view_set_empty_text(view, "no tenant namespaces (dp-{tenant}-{project}) yet");
    put_all(view);
    tenants_observe(tv->ts, &(struct tenant_observer){ .changed = on_changed,
                                                       .reset = on_reset,
                                                       .arg = view });
    return STATUS_OK;
}

static enum request
tenants_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));

    if (!key || (req != REQ_ENTER && req != REQ_DETAIL && req != REQ_LOGS))
        return req;
    if (req == REQ_LOGS) {
        const struct tenant *t = tenants_get(app_tenants(view_app(view)), key);
        const char **ns;
        char *q;

        if (!t)
            return REQ_NONE;
        ns = xcalloc(t->nprojects, sizeof(*ns));
        for (size_t i = 0; i < t->nprojects; i++)
            ns[i] = t->projects[i]->ns;
        q = pane_log_namespaces(ns, t->nprojects);
        pane_open_logs(view, q);
        free(q);
        free(ns);
    } else if (req == REQ_ENTER) {
        ui_open(view_ui(view), "projects", key, UI_OPEN_PUSH);
    } else {
        char *arg = xasprintf("tenant//%s", key);

        ui_open(view_ui(view), "detail", arg, UI_OPEN_PUSH);
        free(arg);
    }
    return REQ_NONE;
}

static void
tenants_done(struct view *view)
{
    struct tenants_view *tv = view_private(view);

    tenants_unobserve(tv->ts, view);
    strbuf_done(&tv->projects);
    strbuf_done(&tv->problems);
    vec_done(&tv->search);
}

static const char *const aliases[] = { "tenant", "tn", NULL };

const struct view_ops tenants_view_ops = {
    .name = "tenants",
    .aliases = aliases,
    .help = "Tenants: projects, pods, quota, isolation policies, problems (Enter: projects)",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct tenants_view),
    .open = tenants_open,
    .request = tenants_request,
    .done = tenants_done,
};
