/* SPDX-License-Identifier: MIT */
/* alerts.c - the Alerts pane (`:alerts`, `a`): Prometheus's firing and pending alerts */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/clock.h"
#include "opsdeck/prom.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/textview.h"
#include "opsdeck/ui.h"
#include "opsdeck/upstream.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

/* How often the list is asked for while the pane is open. */
#define ALERTS_PERIOD_S 15

enum { COL_STATE, COL_NAME, COL_SEVERITY, COL_SINCE, COL_LABELS, COL_SUMMARY, COL_COUNT };

static const struct table_column columns[COL_COUNT] = {
    [COL_STATE] =
        {.title = "STATE", .min = 5, .max = 8, .sort = TABLE_SORT_TEXT, .flags = TABLE_COL_STATUS},
    [COL_NAME] =
        {.title = "NAME", .min = 8, .max = 32, .sort = TABLE_SORT_NATURAL, .flags = TABLE_COL_NAME},
    [COL_SEVERITY] =
        {.title = "SEVERITY", .min = 4, .max = 10, .priority = 2, .sort = TABLE_SORT_TEXT},
    [COL_SINCE] = {.title = "SINCE",
                   .min = 5,
                   .max = 7,
                   .priority = 1,
                   .align = TABLE_ALIGN_RIGHT,
                   .sort = TABLE_SORT_AGE},
    [COL_LABELS] = {.title = "LABELS", .min = 6, .max = 40, .priority = 4, .sort = TABLE_SORT_TEXT},
    [COL_SUMMARY] =
        {.title = "SUMMARY", .min = 7, .max = 80, .priority = 3, .sort = TABLE_SORT_TEXT},
};

struct alerts_view {
    struct prom_alerts_poller *poller; /* owned; NULL without Prometheus */
};

/* The labels that say which one it is: all but alertname and severity. */
static char *
other_labels(const struct kv_list *labels)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < labels->len; i++) {
        const struct kv *kv = &labels->items[i];

        if (strcmp(kv->key, "alertname") == 0 || strcmp(kv->key, "severity") == 0)
            continue;
        strbuf_printf(&sb, "%s%s=%s", sb.len ? "," : "", kv->key, kv->value);
    }
    if (!sb.len)
        strbuf_puts(&sb, "-");
    return strbuf_detach(&sb);
}

/* Unique per alert: its name and every label, as Prometheus tells them apart. */
static char *
alert_key(const struct prom_alert *a)
{
    char *labels = kv_join(&a->labels);
    char *key = xasprintf("%s/%s", a->name, labels);

    free(labels);
    return key;
}

static enum theme_element
alert_elem(const struct prom_alert *a)
{
    bool firing = strcmp(a->state, "firing") == 0;
    bool severe =
        a->severity && (strcmp(a->severity, "critical") == 0 || strcmp(a->severity, "error") == 0 ||
                        strcmp(a->severity, "page") == 0);

    if (firing)
        return severe ? ELEM_ERROR : ELEM_WARNING;
    return ELEM_DEFAULT;
}

static void
put_all(struct view *view)
{
    struct alerts_view *av = view_private(view);
    const struct prom_alerts *list = prom_alerts_poller_alerts(av->poller);
    const char *err = prom_alerts_poller_error(av->poller);
    struct table *t = view_table(view);

    if (err[0])
        view_set_empty_text(view, err);
    else if (list)
        view_set_empty_text(view, "no alerts firing or pending");
    if (!list)
        return;
    table_replace_begin(t);
    for (size_t i = 0; i < list->len; i++) {
        const struct prom_alert *a = &list->items[i];
        char *key = alert_key(a), *labels = other_labels(&a->labels);
        const char *search[] = {a->value, NULL};

        table_upsert(t, &(struct table_row){
                            .key = key,
                            .cells =
                                (struct table_cell[]){
                                    [COL_STATE] = {a->state, 0},
                                    [COL_NAME] = {a->name, 0},
                                    [COL_SEVERITY] = {a->severity ? a->severity : "-", 0},
                                    [COL_SINCE] = {a->active_at ? NULL : "-", a->active_at},
                                    [COL_LABELS] = {labels, 0},
                                    [COL_SUMMARY] = {a->summary ? a->summary : "-", 0},
                                },
                            .elem = alert_elem(a),
                            .problem = strcmp(a->state, "firing") == 0,
                            .search = search,
                            .labels = &a->labels,
                        });
        free(key);
        free(labels);
    }
    table_replace_end(t);
}

static void
on_alerts(void *arg)
{
    put_all(arg);
}

/* Alerts come from Prometheus: without it the pane is not offered. */
static bool
alerts_available(void *app)
{
    return upstream_configured(app_prometheus(app));
}

static enum status
alerts_open(struct view *view, const char *arg)
{
    struct alerts_view *av = view_private(view);
    struct app *app = view_app(view);
    struct upstream *u = app_prometheus(app);

    (void)arg;
    view_set_title(view, "alerts");
    if (!upstream_configured(u)) {
        view_set_empty_text(view, "Prometheus is not configured (--prometheus URL, or prometheus "
                                  "in the platform definition)");
        return STATUS_OK;
    }
    view_set_empty_text(view, "asking Prometheus for its alerts…");
    av->poller = prom_alerts_poller_new(u, app_loop(app), ALERTS_PERIOD_S);
    prom_alerts_poller_observe(av->poller, on_alerts, view);
    return STATUS_OK;
}

static void
add_map(struct textview *tv, const char *title, const struct kv_list *kv)
{
    size_t w = 0;

    textview_add(tv, ELEM_TITLE, title);
    for (size_t i = 0; i < kv->len; i++)
        if (strlen(kv->items[i].key) > w)
            w = strlen(kv->items[i].key);
    for (size_t i = 0; i < kv->len; i++)
        textview_addf(tv, ELEM_DEFAULT, "  %-*s  %s", (int)w, kv->items[i].key, kv->items[i].value);
    if (!kv->len)
        textview_add(tv, ELEM_DIM, "  (none)");
}

/* d: every label and annotation of the selected alert. */
static void
show_detail(struct view *view, const char *key)
{
    struct alerts_view *av = view_private(view);
    const struct prom_alerts *list = prom_alerts_poller_alerts(av->poller);
    const struct prom_alert *found = NULL;
    struct view *text;
    struct textview *tv;

    for (size_t i = 0; list && i < list->len && !found; i++) {
        char *k = alert_key(&list->items[i]);
        if (strcmp(k, key) == 0)
            found = &list->items[i];
        free(k);
    }
    if (!found)
        return;
    text = ui_push_text(view_ui(view), found->name);
    tv = view_text(text);
    textview_addf(tv, alert_elem(found), "%s  %s", found->state, found->name);
    textview_addf(tv, ELEM_DEFAULT, "value  %s", found->value ? found->value : "-");
    if (found->active_at) {
        char when[40];
        time_format_rfc3339(found->active_at, when, sizeof(when));
        textview_addf(tv, ELEM_DEFAULT, "active since  %s", when);
    }
    textview_add(tv, ELEM_DEFAULT, "");
    add_map(tv, "Labels", &found->labels);
    textview_add(tv, ELEM_DEFAULT, "");
    add_map(tv, "Annotations", &found->annotations);
}

static enum request
alerts_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));

    if ((req != REQ_DETAIL && req != REQ_ENTER) || !key)
        return req;
    show_detail(view, key);
    return REQ_NONE;
}

static void
alerts_refresh(struct view *view)
{
    struct alerts_view *av = view_private(view);

    if (av->poller)
        prom_alerts_poller_refresh(av->poller);
}

static void
alerts_done(struct view *view)
{
    struct alerts_view *av = view_private(view);

    prom_alerts_poller_free(av->poller);
}

static const char *const aliases[] = {"alert", NULL};

const struct view_ops alerts_view_ops = {
    .name = "alerts",
    .aliases = aliases,
    .help = "Prometheus alerts: state, name, severity, since, labels, summary (d: all of it)",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct alerts_view),
    .open = alerts_open,
    .available = alerts_available,
    .request = alerts_request,
    .refresh = alerts_refresh,
    .done = alerts_done,
};
