/* SPDX-License-Identifier: MIT */
/* contexts.c - the Contexts pane (`:ctx`): every kubeconfig context; Enter switches */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/ui.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

enum { COL_CURRENT, COL_NAME, COL_CLUSTER, COL_SERVER, COL_USER, COL_NAMESPACE, COL_COUNT };

static const struct table_column columns[COL_COUNT] = {
    [COL_CURRENT] = { .title = " ", .min = 1, .max = 1, .sort = TABLE_SORT_NONE },
    [COL_NAME] = { .title = "NAME", .min = 6, .max = 30, .sort = TABLE_SORT_NATURAL,
                   .flags = TABLE_COL_NAME },
    [COL_CLUSTER] = { .title = "CLUSTER", .min = 7, .max = 24, .priority = 3,
                      .sort = TABLE_SORT_TEXT },
    [COL_SERVER] = { .title = "SERVER", .min = 6, .max = 48, .priority = 1,
                     .sort = TABLE_SORT_TEXT, .flags = TABLE_COL_STATUS },
    [COL_USER] = { .title = "USER", .min = 4, .max = 20, .priority = 4, .sort = TABLE_SORT_TEXT },
    [COL_NAMESPACE] = { .title = "NAMESPACE", .min = 9, .max = 20, .priority = 2,
                        .sort = TABLE_SORT_TEXT },
};

static enum status
contexts_open(struct view *view, const char *arg)
{
    struct app *app = view_app(view);
    const struct kubeconfig *kc = app_kubeconfig(app);
    const char *current = app_context(app);
    const char *const *names = kc ? kubeconfig_contexts(kc) : NULL;

    (void)arg;
    view_set_title(view, "contexts");
    view_set_empty_text(view, "no kubeconfig contexts");
    for (size_t i = 0; names && names[i]; i++) {
        struct kube_target *t = NULL;
        bool ok = kubeconfig_resolve(kc, names[i], &t) == STATUS_OK;
        bool cur = current && strcmp(current, names[i]) == 0;

        table_upsert(view_table(view),
                     &(struct table_row){
                         .key = names[i],
                         .cells = (struct table_cell[]){
                             [COL_CURRENT] = { cur ? "*" : "", 0 },
                             [COL_NAME] = { names[i], 0 },
                             [COL_CLUSTER] = { ok ? t->cluster : "-", 0 },
                             [COL_SERVER] = { ok ? t->server : status_text(), 0 },
                             [COL_USER] = { ok ? t->user : "-", 0 },
                             [COL_NAMESPACE] = { ok ? t->namespace_ : "-", 0 },
                         },
                         .elem = ok ? (cur ? ELEM_OK : ELEM_DEFAULT) : ELEM_ERROR,
                         .problem = !ok,
                     });
        kube_target_free(t);
    }
    if (current)
        table_select_key(view_table(view), current);
    return STATUS_OK;
}

static enum request
contexts_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));
    struct ui *ui = view_ui(view);
    char *name;

    if (req != REQ_ENTER || !key)
        return req;
    /* The switch closes every pane, this one included: after it, only
     * what was copied out of the view may be used. */
    name = xstrdup(key);
    if (app_switch_context(view_app(view), name) != STATUS_OK)
        ui_report(ui, UI_ERROR, "context %s: %s", name, status_text());
    free(name);
    return REQ_NONE;
}

const struct view_ops contexts_view_ops = {
    .name = "contexts",
    .help = "Kubeconfig contexts (Enter: switch; works offline, on the cache)",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .open = contexts_open,
    .request = contexts_request,
};
