/* SPDX-License-Identifier: MIT */
/* builds.c - the Builds pane: builds from the build logs in Loki, against their targets */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/builds.h"
#include "opsdeck/clock.h"
#include "opsdeck/conventions.h"
#include "opsdeck/loki.h"
#include "opsdeck/panes.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/ui.h"
#include "opsdeck/upstream.h"
#include "opsdeck/view.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

/* The range shown: the last 24 h, then followed. */
#define BUILDS_RANGE_S (24 * 3600)

enum {
    COL_BUILD,
    COL_SERVICE,
    COL_PROJECT,
    COL_SHA,
    COL_STARTED,
    COL_DURATION,
    COL_STATUS,
    COL_CACHE,
    COL_FLAGS,
    COL_COUNT
};

/* At 80 columns the flags stay (they are what the pane is for); the sha and the cache
 * result go first (the target after the duration, 5/15/120 s, tells the cache result). */
static const struct table_column columns[COL_COUNT] = {
    [COL_BUILD] = {.title = "BUILD",
                   .min = 5,
                   .max = 14,
                   .sort = TABLE_SORT_NATURAL,
                   .flags = TABLE_COL_NAME},
    [COL_SERVICE] = {.title = "SERVICE", .min = 7, .max = 20, .sort = TABLE_SORT_TEXT},
    [COL_PROJECT] =
        {.title = "TENANT/PROJECT", .min = 8, .max = 28, .priority = 2, .sort = TABLE_SORT_TEXT},
    [COL_SHA] = {.title = "SHA", .min = 7, .max = 7, .priority = 4, .sort = TABLE_SORT_TEXT},
    [COL_STARTED] = {.title = "STARTED",
                     .min = 5,
                     .max = 7,
                     .priority = 1,
                     .align = TABLE_ALIGN_RIGHT,
                     .sort = TABLE_SORT_AGE},
    [COL_DURATION] = {.title = "DURATION",
                      .min = 8,
                      .max = 13,
                      .align = TABLE_ALIGN_RIGHT,
                      .sort = TABLE_SORT_NUMBER},
    [COL_STATUS] =
        {.title = "STATUS", .min = 6, .max = 9, .sort = TABLE_SORT_TEXT, .flags = TABLE_COL_STATUS},
    [COL_CACHE] = {.title = "CACHE", .min = 5, .max = 7, .priority = 3, .sort = TABLE_SORT_TEXT},
    [COL_FLAGS] = {.title = "FLAGS", .min = 5, .max = 24, .sort = TABLE_SORT_TEXT},
};

/* `:builds tenant=max service=api status=failed project=catapp`: each
 * given one must match exactly. */
enum { ARG_TENANT, ARG_PROJECT, ARG_SERVICE, ARG_STATUS, ARG_COUNT };
static const char *const arg_names[ARG_COUNT] = {"tenant", "project", "service", "status"};

struct builds_view {
    struct loki *loki;          /* owned: the pane's own client */
    struct builds *b;           /* owned */
    struct builds_fetch *fetch; /* owned */
    char *selector;             /* the platform's build_log_selector; owned */
    char *only[ARG_COUNT];      /* owned; NULL: any */
    uint64_t shown_gen;         /* builds_generation() of the rows on screen */
    size_t problems_told;       /* convention breaks already reported */
};

static bool
wanted(const struct builds_view *bv, const struct build *bd)
{
    const char *val[ARG_COUNT] = {bd->tenant, bd->project, bd->service,
                                  build_status_name(bd->status)};

    for (int i = 0; i < ARG_COUNT; i++)
        if (bv->only[i] && strcmp(bv->only[i], val[i]) != 0)
            return false;
    return true;
}

static char *
row_key(const struct build *bd)
{
    return xasprintf("%s/%s/%s/%s", bd->tenant, bd->project, bd->service, bd->id);
}

static void
put_build(struct view *view, const struct build *bd)
{
    char *key = row_key(bd);
    char tp[256], sha[8], dur[32], duration[48];
    const char *search[] = {bd->tenant, bd->project, bd->sha, NULL};
    bool problem = bd->status == BUILD_FAILED || bd->over_target || bd->cache_lost;
    enum theme_element elem = ELEM_DEFAULT;

    snprintf(tp, sizeof(tp), "%s/%s", bd->tenant, bd->project);
    build_format_duration(bd->duration_ms, dur, sizeof(dur));
    if (bd->status == BUILD_RUNNING || bd->target_s == 0)
        snprintf(duration, sizeof(duration), "%s", dur);
    else
        snprintf(duration, sizeof(duration), "%s/%ds", dur, bd->target_s);
    if (bd->status == BUILD_FAILED)
        elem = ELEM_ERROR;
    else if (bd->over_target || bd->cache_lost)
        elem = ELEM_WARNING;
    table_upsert(
        view_table(view),
        &(struct table_row){
            .key = key,
            .cells =
                (struct table_cell[]){
                    [COL_BUILD] = {bd->id, 0},
                    [COL_SERVICE] = {bd->service, 0},
                    [COL_PROJECT] = {tp, 0},
                    [COL_SHA] = {build_short_sha(bd, sha), 0},
                    [COL_STARTED] = {NULL, bd->started_ns / NS_PER_SEC},
                    [COL_DURATION] = {duration, bd->duration_ms},
                    [COL_STATUS] = {build_status_name(bd->status), 0},
                    [COL_CACHE] = {bd->cache == BUILD_CACHE_NONE ? "-"
                                                                 : build_cache_name(bd->cache),
                                   0},
                    [COL_FLAGS] = {build_flags_text(bd)[0] ? build_flags_text(bd) : "-", 0},
                },
            .elem = elem,
            .problem = problem,
            .search = search,
        });
    free(key);
}

/* Every row again, in one batch, when the builds changed. */
static void
put_all(struct view *view)
{
    struct builds_view *bv = view_private(view);

    if (builds_generation(bv->b) == bv->shown_gen)
        return;
    bv->shown_gen = builds_generation(bv->b);
    table_replace_begin(view_table(view));
    for (size_t i = 0; i < builds_count(bv->b); i++) {
        const struct build *bd = builds_at(bv->b, i);

        if (wanted(bv, bd))
            put_build(view, bd);
    }
    table_replace_end(view_table(view));
}

static void
on_fetch(void *arg, const struct builds_fetch_status *st)
{
    struct view *view = arg;
    struct builds_view *bv = view_private(view);
    struct ui *ui = view_ui(view);

    put_all(view);
    view_set_busy(view, st->phase == BUILDS_FETCH_LOADING);
    if (st->cached) {
        char at[32];

        /* Loki did not answer: what the log cache holds of the range. */
        time_format_clock(st->fetched_at, clock_now(), app_utc(view_app(view)), at, sizeof(at));
        if (view_arg(view))
            view_set_title(view, "builds(%s) · Loki offline, cached %s", view_arg(view), at);
        else
            view_set_title(view, "builds · Loki offline, cached %s", at);
    }
    switch (st->phase) {
    case BUILDS_FETCH_LOADING:
        view_set_empty_text(view, "reading the build logs from Loki…");
        break;
    case BUILDS_FETCH_FAILED:
        view_set_empty_text(view, "no builds: Loki did not answer (see the message line)");
        ui_report(ui, UI_ERROR, "builds: %s", st->error);
        return;
    case BUILDS_FETCH_DONE:
    case BUILDS_FETCH_FOLLOWING:
        view_set_empty_text(view, "no builds in the last 24 h");
        if (st->st != STATUS_OK && st->error[0])
            ui_report(ui, UI_WARNING, "builds: following: %s", st->error);
        break;
    }
    if (st->phase != BUILDS_FETCH_LOADING && builds_problems_total(bv->b) > bv->problems_told) {
        bv->problems_told = builds_problems_total(bv->b);
        ui_report(ui, UI_WARNING, "builds: %zu log lines break the build-log convention (%s)",
                  bv->problems_told, builds_problem_last(bv->b));
    }
}

static void
start_fetch(struct view *view)
{
    struct builds_view *bv = view_private(view);
    struct app *app = view_app(view);
    int64_t now = clock_now_ns();

    builds_fetch_free(bv->fetch);
    builds_clear(bv->b);
    bv->shown_gen = 0;
    bv->problems_told = 0;
    view_set_empty_text(view, "reading the build logs from Loki…");
    view_set_busy(view, true);
    bv->fetch = builds_fetch_new(bv->loki, bv->b,
                                 &(struct builds_fetch_opts){
                                     .selector = bv->selector,
                                     .since_ns = now - (int64_t)BUILDS_RANGE_S * NS_PER_SEC,
                                     .until_ns = now,
                                     .follow = true,
                                     .use_cache = app_store(app) != NULL,
                                 },
                                 on_fetch, view);
}

static void
free_private(struct builds_view *bv)
{
    builds_fetch_free(bv->fetch);
    builds_free(bv->b);
    loki_free(bv->loki);
    free(bv->selector);
    for (int i = 0; i < ARG_COUNT; i++)
        free(bv->only[i]);
}

/* "tenant=max service=api": the filters; a word that is not one of them is
 * an error naming the ones there are. */
static enum status
parse_args(struct builds_view *bv, const char *arg)
{
    char *copy = xstrdup(arg ? arg : "");
    char *save = NULL;
    enum status st = STATUS_OK;

    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(w, '=');
        int i;

        for (i = 0; eq && i < ARG_COUNT; i++)
            if ((size_t)(eq - w) == strlen(arg_names[i]) &&
                strncmp(w, arg_names[i], (size_t)(eq - w)) == 0)
                break;
        if (!eq || i == ARG_COUNT || !eq[1]) {
            st =
                status_fail(STATUS_USAGE, "%s: expected tenant=, project=, service= or status=", w);
            break;
        }
        free(bv->only[i]);
        bv->only[i] = xstrdup(eq + 1);
    }
    free(copy);
    return st;
}

/* Builds come from Loki: without it the pane is not offered. */
static bool
builds_available(void *app)
{
    return upstream_configured(app_loki(app));
}

static enum status
builds_open(struct view *view, const char *arg)
{
    struct builds_view *bv = view_private(view);
    struct app *app = view_app(view);
    struct upstream *up = app_loki(app);

    if (!upstream_configured(up))
        return status_fail(STATUS_CONFIG,
                           "Loki is not configured (loki: in the platform, or --loki URL)");
    if (parse_args(bv, arg) != STATUS_OK) {
        free_private(bv);
        return STATUS_USAGE;
    }
    bv->loki = loki_new(app_loop(app), up, app_store(app));
    bv->b = builds_new(0);
    bv->selector = xstrdup(app_conventions(app)->build_log_selector);
    /* Newest first: the STARTED column holds ages, ascending = youngest. */
    table_sort_by(view_table(view), COL_STARTED, false);
    start_fetch(view);
    return STATUS_OK;
}

/* The build of the selected row, or NULL. */
static const struct build *
selected(struct view *view)
{
    struct builds_view *bv = view_private(view);
    const char *key = table_selected_key(view_table(view));

    if (!key)
        return NULL;
    for (size_t i = 0; i < builds_count(bv->b); i++) {
        const struct build *bd = builds_at(bv->b, i);
        char *k = row_key(bd);
        bool same = strcmp(k, key) == 0;

        free(k);
        if (same)
            return bd;
    }
    return NULL;
}

static enum request
builds_request(struct view *view, enum request req)
{
    struct builds_view *bv = view_private(view);
    const struct build *bd;
    char *query;

    if (req != REQ_ENTER && req != REQ_LOGS)
        return req;
    bd = selected(view);
    if (!bd)
        return req;
    /* The build's lines only, in the logs pane. */
    query = builds_log_query(bv->selector, bd);
    pane_open_logs(view, query);
    free(query);
    return REQ_NONE;
}

static void
builds_refresh(struct view *view)
{
    start_fetch(view);
}

/* Running builds' durations follow the clock. */
static void
builds_tick(struct view *view)
{
    struct builds_view *bv = view_private(view);

    builds_update(bv->b, clock_now_ns());
    put_all(view);
}

static void
builds_done(struct view *view)
{
    free_private(view_private(view));
}

static const char *const aliases[] = {"build", NULL};

const struct view_ops builds_view_ops = {
    .name = "builds",
    .aliases = aliases,
    .help = "Builds from the build logs: duration against target, cache lost (Enter: its log)",
    .args = "[tenant=T] [project=P] [service=S] [status=failed|succeeded|running]",
    .kind = VIEW_TABLE,
    .columns = columns,
    .ncolumns = COL_COUNT,
    .private_size = sizeof(struct builds_view),
    .open = builds_open,
    .available = builds_available,
    .request = builds_request,
    .refresh = builds_refresh,
    .tick = builds_tick,
    .done = builds_done,
};
