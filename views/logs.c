/* SPDX-License-Identifier: MIT */
/* logs.c - the logs pane: a LogQL query over a time range, followed, searched, filtered, saved */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/clock.h"
#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"
#include "opsdeck/logring.h"
#include "opsdeck/logsearch.h"
#include "opsdeck/logview.h"
#include "opsdeck/loki.h"
#include "opsdeck/model.h"
#include "opsdeck/panes.h"
#include "opsdeck/podlog.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/textview.h"
#include "opsdeck/ui.h"
#include "opsdeck/upstream.h"
#include "opsdeck/view.h"
#include "opsdeck/xalloc.h"

/*
 * The pane holds its lines in a ring (logring.h, 64 MiB unless
 * OPSDECK_LOG_RING_MB says otherwise) and shows them
 * through a logview (logview.h). Opening fetches the newest PAGE lines of
 * the range (backward); `f` then follows from the newest one (a range ending
 * now only). Scrolling up past the oldest line fetches the PAGE lines before
 * it, as often as the operator keeps going (past the range's start too, a
 * day at a time), and the ring drops the newest lines when it is full.
 *
 * Opened as `pod/NS/NAME` (what `l` on a pod does), the query is the pod's
 * selector from the platform's conventions; when Loki is not configured or
 * does not answer (and has nothing cached), the pane reads the pod's log
 * from the API server instead (podlog.h: its last PAGE lines, `f` follows)
 * and its title says so.
 */
#define PAGE        1000
#define NS          ((int64_t)1000000000)
#define OLDER_SPAN  (24 * 3600 * NS) /* how far back one older page looks */
#define RANGE_USAGE "5m, 15m, 1h, 6h, 24h, or FROM TO (RFC 3339, FROM first)"

struct logs {
    struct app *app;
    struct loki *loki;
    struct logring *ring;
    struct logview *lv;
    char *query;
    int64_t range_s;          /* a quick range ending now, or 0 with from/to */
    int64_t from_ns, to_ns;   /* custom range (to exclusive) */
    bool range_chosen;        /* by the operator (r), not the default hour */
    struct loki_op *fetch;    /* the first page, or a refresh */
    struct loki_op *older;    /* a page before the oldest line */
    struct loki_follow *follow;
    bool want_follow;         /* f: follow once the range is in */
    int64_t floor_ns;         /* searched back to here (0: not known) */
    int64_t older_start;      /* the older page's start */
    size_t older_had;         /* lines held when it was asked */
    int64_t boundary_ts;      /* older page: the top line's timestamp (INT64_MIN: none) */
    bool cached;              /* what is shown came from the log cache */
    int64_t fetched_at;
    bool failed;              /* the last fetch failed (its error was reported) */
    char *pod_ns, *pod_name;  /* opened as pod/NS/NAME: the pod (for the fallback) */
    char *pod_app;            /* its app label, or NULL */
    struct podlog *podlog;    /* fallback: the pod's log from the API server */
    bool fallback;            /* reading from the API server, not Loki */
    bool podlog_busy;         /* its first read is not in yet */
};

static struct logs *
logs_of(struct view *view)
{
    return view_private(view);
}

/*
 * Title and screen
 */

static void
describe_range(const struct logs *lg, char *buf, size_t size)
{
    char a[40], b[40];

    if (lg->range_s) {
        time_human_duration(lg->range_s, a, sizeof(a));
        snprintf(buf, size, "last %s", a);
        return;
    }
    time_format_rfc3339(lg->from_ns / NS, a, sizeof(a));
    time_format_rfc3339(lg->to_ns / NS, b, sizeof(b));
    snprintf(buf, size, "%s to %s", a, b);
}

static void
redraw(struct view *view)
{
    struct logs *lg = logs_of(view);
    struct textview *tv = view_text(view);
    struct strbuf extra;
    char range[96];

    view_set_busy(view, lg->fetch || lg->older || lg->podlog_busy);
    logview_set_height(lg->lv, textview_height(tv) ? textview_height(tv) : 1);
    logview_render(lg->lv, tv);
    if (logview_follow(lg->lv) && textview_wrap(tv))
        textview_scroll_last(tv); /* wrapped rows: the newest line stays in sight */
    view_set_position(view, logview_position(lg->lv), logview_count(lg->lv));
    describe_range(lg, range, sizeof(range));
    strbuf_init(&extra);
    if ((lg->follow || (lg->fallback && lg->want_follow)) && logview_follow(lg->lv))
        strbuf_puts(&extra, " · following");
    else if (lg->follow || (lg->fallback && lg->want_follow))
        strbuf_puts(&extra, " · paused");
    if (lg->cached) {
        char at[16];

        time_format_clock(lg->fetched_at, clock_now(), true, at, sizeof(at));
        strbuf_printf(&extra, " · cached · fetched %s", at);
    }
    if (logview_filter_pattern(lg->lv))
        strbuf_printf(&extra, " · filter %s", logview_filter_pattern(lg->lv));
    if (logview_search_pattern(lg->lv))
        strbuf_printf(&extra, " · /%s (%zu)", logview_search_pattern(lg->lv),
                      logview_search_count(lg->lv));
    if (lg->fallback)
        view_set_title(view, "logs pod %s/%s · from the API server%s", lg->pod_ns, lg->pod_name,
                       extra.buf ? extra.buf : "");
    else
        view_set_title(view, "logs %s · %s%s", lg->query, range, extra.buf ? extra.buf : "");
    strbuf_done(&extra);
}

static void
report_error(struct view *view, const struct loki_result *res)
{
    ui_report(view_ui(view), UI_ERROR, "%s", res->error[0] ? res->error : status_message(res->st));
}

/*
 * Fetching
 */

static void range_bounds(const struct logs *lg, int64_t *start, int64_t *end);
static void set_floor(struct logs *lg, const struct loki_result *res, int64_t start);

static bool
follow_batch(void *arg, const struct loki_batch *b)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);

    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];

        logring_append(lg->ring, e->ts, logring_stream(lg->ring, e->stream->text), e->line,
                       e->len);
    }
    logview_update(lg->lv);
    redraw(view);
    return true;
}

static void
follow_status(void *arg, const struct loki_result *res)
{
    struct view *view = arg;

    if (res->st != STATUS_OK)
        report_error(view, res);
    else
        ui_report(view_ui(view), UI_OK, "Loki answers again: following");
}

static void
start_follow(struct view *view, int64_t from_ns)
{
    struct logs *lg = logs_of(view);

    loki_follow_free(lg->follow);
    lg->follow = NULL;
    if (!lg->range_s)
        return; /* a fixed range does not grow */
    lg->follow = loki_follow_new(lg->loki,
                                 &(struct loki_follow_opts){.query = lg->query,
                                                            .start_ns = from_ns},
                                 follow_batch, follow_status, view);
}

/* A backward page arrives newest first: each line goes above the last. */
static bool
page_batch(void *arg, const struct loki_batch *b)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);

    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];

        logring_prepend(lg->ring, e->ts, logring_stream(lg->ring, e->stream->text), e->line,
                        e->len);
    }
    if (b->cached) {
        lg->cached = true;
        lg->fetched_at = b->fetched_at;
    }
    logview_update(lg->lv);
    redraw(view);
    return true;
}

/*
 * The pod log fallback (API server)
 */

static bool
podlog_batch(void *arg, const struct loki_batch *b)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);

    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];

        logring_append(lg->ring, e->ts, logring_stream(lg->ring, e->stream->text), e->line,
                       e->len);
    }
    lg->podlog_busy = false; /* a followed log never ends: its first read settles it */
    logview_update(lg->lv);
    redraw(view);
    return true;
}

static void
podlog_done(void *arg, const struct loki_result *res)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);

    podlog_free(lg->podlog); /* safe from its own callback */
    lg->podlog = NULL;
    lg->podlog_busy = false;
    if (res->st != STATUS_OK)
        report_error(view, res);
    redraw(view);
}

/* Reads the pod's log from the API server: the last PAGE lines, or (follow)
 * on from since_ns. */
static void
start_podlog(struct view *view, bool follow, int64_t since_ns)
{
    struct logs *lg = logs_of(view);
    struct kube *k = app_kube(lg->app);

    podlog_free(lg->podlog);
    lg->podlog = NULL;
    lg->fallback = true;
    if (!k) {
        ui_report(view_ui(view), UI_ERROR, "no API server either: no log of pod %s/%s",
                  lg->pod_ns, lg->pod_name);
        return;
    }
    if (!follow)
        logring_clear(lg->ring);
    lg->podlog_busy = true;
    lg->podlog = podlog_start(k,
                              &(struct podlog_opts){.ns = lg->pod_ns, .pod = lg->pod_name,
                                                    .app = lg->pod_app, .tail_lines = PAGE,
                                                    .since_ns = since_ns, .follow = follow},
                              podlog_batch, podlog_done, view);
    redraw(view);
}

static void
fetch_done(void *arg, const struct loki_result *res)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);
    struct logring_entry e;
    int64_t start, end;

    lg->fetch = NULL;
    lg->failed = res->st != STATUS_OK;
    if (lg->failed && lg->pod_ns &&
        (res->st == STATUS_UNREACHABLE || res->st == STATUS_TIMEOUT)) {
        ui_report(view_ui(view), UI_WARNING,
                  "Loki does not answer: the pod's log from the API server instead (%s)",
                  res->error);
        start_podlog(view, false, 0);
        return;
    }
    if (lg->failed) {
        report_error(view, res);
    } else if (res->cached) {
        lg->cached = true;
        lg->fetched_at = res->fetched_at;
        ui_report(view_ui(view), UI_WARNING, "Loki unreachable: cached lines (%s)", res->error);
    } else if (res->warning[0]) {
        ui_report(view_ui(view), UI_WARNING, "Loki: %s", res->warning);
    }
    range_bounds(lg, &start, &end);
    if (res->st == STATUS_OK)
        set_floor(lg, res, start);
    if (!lg->failed && lg->want_follow) {
        bool have = logring_get(lg->ring, logring_end(lg->ring) - 1, &e);

        start_follow(view, have ? e.ts_ns + 1 : end);
    }
    redraw(view);
}

static void
range_bounds(const struct logs *lg, int64_t *start, int64_t *end)
{
    if (lg->range_s) {
        *end = clock_now_ns() + 1;
        *start = *end - 1 - lg->range_s * NS;
    } else {
        *start = lg->from_ns;
        *end = lg->to_ns;
    }
}

static void
fetch(struct view *view)
{
    struct logs *lg = logs_of(view);
    struct loki_range_opts o = {.query = lg->query, .direction = LOKI_BACKWARD,
                                .limit = PAGE, .use_cache = true};

    if (!lg->loki) {
        int64_t start, end;

        range_bounds(lg, &start, &end);
        start_podlog(view, false, lg->range_chosen ? start : 0); /* else the tail */
        return;
    }
    loki_op_cancel(lg->fetch);
    loki_op_cancel(lg->older);
    lg->fetch = lg->older = NULL;
    loki_follow_free(lg->follow);
    lg->follow = NULL;
    logring_clear(lg->ring);
    lg->cached = false;
    lg->floor_ns = 0;
    range_bounds(lg, &o.start_ns, &o.end_ns);
    logview_set_follow(lg->lv, true);
    lg->fetch = loki_range(lg->loki, &o, page_batch, fetch_done, view);
    redraw(view);
}

/* An older page: entries at the oldest line's own timestamp may already be
 * held, so the page ends just after it and those are skipped. */
static bool
older_batch(void *arg, const struct loki_batch *b)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);
    int64_t first = logring_first(lg->ring);

    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];
        bool dup = false;
        struct logring_entry h;

        if (e->ts == lg->boundary_ts) {
            for (int64_t q = first; logring_get(lg->ring, q, &h) && h.ts_ns == e->ts; q++) {
                if (h.len == e->len && memcmp(h.line, e->line, e->len) == 0 &&
                    strcmp(logring_stream_labels(lg->ring, h.stream), e->stream->text) == 0) {
                    dup = true;
                    break;
                }
            }
        }
        if (!dup)
            logring_prepend(lg->ring, e->ts, logring_stream(lg->ring, e->stream->text),
                            e->line, e->len);
    }
    logview_update(lg->lv);
    redraw(view);
    return true;
}

/* The earliest time searched: nothing older than the top line lies in
 * [floor_ns, top). After a page that hit its limit it is the top line. */
static void
set_floor(struct logs *lg, const struct loki_result *res, int64_t start)
{
    struct logring_entry e;

    if (!res->truncated)
        lg->floor_ns = start;
    else if (logring_get(lg->ring, logring_first(lg->ring), &e))
        lg->floor_ns = e.ts_ns;
}

static void
older_done(void *arg, const struct loki_result *res)
{
    struct view *view = arg;
    struct logs *lg = logs_of(view);

    lg->older = NULL;
    if (res->st != STATUS_OK) {
        report_error(view, res);
        redraw(view);
        return;
    }
    set_floor(lg, res, lg->older_start);
    if (res->entries > 0)
        ui_report(view_ui(view), UI_OK, "%zu older lines", logring_len(lg->ring) - lg->older_had);
    if (res->entries == 0) {
        char when[40];

        time_format_rfc3339(lg->older_start / NS, when, sizeof(when));
        ui_report(view_ui(view), UI_OK, "no older lines since %s (up again looks a day further)",
                  when);
    }
    redraw(view);
}

static void
fetch_older(struct view *view)
{
    struct logs *lg = logs_of(view);
    struct logring_entry e;
    struct loki_range_opts o = {.query = lg->query, .direction = LOKI_BACKWARD,
                                .limit = PAGE, .use_cache = true};
    bool have = logring_get(lg->ring, logring_first(lg->ring), &e);

    if (lg->fallback) {
        ui_report(view_ui(view), UI_OK, "the API server keeps no older pages of a pod's log");
        return;
    }
    if (lg->older || lg->fetch)
        return;
    lg->boundary_ts = INT64_MIN;
    if (have && (!lg->floor_ns || lg->floor_ns >= e.ts_ns)) {
        o.end_ns = e.ts_ns + 1; /* the top line's timestamp may hold more lines */
        lg->boundary_ts = e.ts_ns;
    } else if (lg->floor_ns) {
        o.end_ns = lg->floor_ns;
    } else {
        range_bounds(lg, &o.start_ns, &o.end_ns);
    }
    o.start_ns = o.end_ns - 1 - OLDER_SPAN;
    lg->older_start = o.start_ns;
    lg->older_had = logring_len(lg->ring);
    ui_report(view_ui(view), UI_OK, "fetching older lines…");
    lg->older = loki_range(lg->loki, &o, older_batch, older_done, view);
    view_set_busy(view, true);
}

/*
 * Prompts
 */

static void
on_query(struct view *view, const char *text)
{
    struct logs *lg = logs_of(view);

    if (!*text)
        return;
    if (!lg->loki) {
        ui_report(view_ui(view), UI_ERROR, "Loki is not configured: no LogQL here");
        return;
    }
    free(lg->query);
    lg->query = xstrdup(text);
    podlog_free(lg->podlog);
    lg->podlog = NULL;
    lg->fallback = false;
    fetch(view);
}

static void
on_range(struct view *view, const char *text)
{
    struct logs *lg = logs_of(view);
    char from[64], to[64];
    int64_t sec, a, b;

    if (sscanf(text, "%63s %63s", from, to) == 2) {
        if (!time_parse_rfc3339(from, &a) || !time_parse_rfc3339(to, &b) || b <= a) {
            ui_report(view_ui(view), UI_ERROR, "range: %s (%s)", RANGE_USAGE, text);
            return;
        }
        lg->range_s = 0;
        lg->from_ns = a;
        lg->to_ns = b;
    } else if (time_parse_duration(text, &sec) && sec > 0) {
        lg->range_s = sec;
    } else {
        ui_report(view_ui(view), UI_ERROR, "range: %s (%s)", RANGE_USAGE, text);
        return;
    }
    lg->range_chosen = true;
    fetch(view);
}

static struct logsearch *
compile(struct view *view, const char *text)
{
    struct logsearch *s = NULL;

    if (logsearch_compile(text, LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART, &s) != STATUS_OK)
        ui_report(view_ui(view), UI_ERROR, "%s", status_text());
    return s;
}

static void
on_search(struct view *view, const char *text)
{
    struct logs *lg = logs_of(view);
    struct logsearch *s;

    if (!*text || !(s = compile(view, text)))
        return;
    if (!logview_set_search(lg->lv, s))
        ui_report(view_ui(view), UI_WARNING, "not found: %s", text);
    redraw(view);
}

static void
on_filter(struct view *view, const char *text)
{
    struct logs *lg = logs_of(view);
    struct logsearch *s = NULL;

    if (*text && !(s = compile(view, text)))
        return;
    logview_set_filter(lg->lv, s);
    redraw(view);
}

static void
on_save(struct view *view, const char *text)
{
    struct logs *lg = logs_of(view);
    size_t n = logview_count(lg->lv), written;
    int64_t *seqs;

    if (!*text)
        return;
    seqs = xcalloc(n ? n : 1, sizeof(*seqs));
    for (size_t i = 0; i < n; i++) /* what is shown: the filter's lines, or all */
        seqs[i] = logview_shown_at(lg->lv, i);
    if (logring_save(lg->ring, text, seqs, n, &written) != STATUS_OK)
        ui_report(view_ui(view), UI_ERROR, "save: %s", status_text());
    else
        ui_report(view_ui(view), UI_OK, "saved %zu lines to %s", written, text);
    free(seqs);
}

/*
 * The pane
 */

static enum status
logs_open(struct view *view, const char *arg)
{
    struct logs *lg = logs_of(view);
    struct app *app = view_app(view);
    struct upstream *up = app_loki(app);

    if (!arg || !*arg)
        return status_fail(STATUS_USAGE, "usage: :logs QUERY (LogQL, e.g. {app=\"api\"}) or "
                                         ":logs pod/NAMESPACE/NAME");
    if (strncmp(arg, "pod/", 4) == 0) {
        const char *slash = strchr(arg + 4, '/');
        const struct pod *pod;

        if (!slash || slash == arg + 4 || !slash[1])
            return status_fail(STATUS_USAGE, "usage: :logs pod/NAMESPACE/NAME");
        lg->pod_ns = xstrndup(arg + 4, (size_t)(slash - arg - 4));
        lg->pod_name = xstrdup(slash + 1);
        pod = (const struct pod *)cluster_get(app_cluster(app), KIND_POD, lg->pod_ns,
                                              lg->pod_name);
        if (pod && kv_get(&pod->obj.labels, "app"))
            lg->pod_app = xstrdup(kv_get(&pod->obj.labels, "app"));
    } else if (!upstream_configured(up)) {
        return status_fail(STATUS_CONFIG, "Loki is not configured (the platform's loki:, or "
                                          "--loki URL)");
    }
    lg->app = app;
    lg->ring = logring_new(&(struct logring_opts){.max_bytes = app_log_ring_bytes(app)});
    lg->lv = logview_new(lg->ring);
    lg->range_s = 3600;
    if (lg->pod_ns) {
        lg->query = lg->pod_app ? pane_log_selector(app_conventions(app)->pod_log_selector,
                                                    lg->pod_ns, lg->pod_app, NULL)
                                : xasprintf("{namespace=\"%s\",pod=\"%s\"}", lg->pod_ns,
                                            lg->pod_name);
    } else {
        lg->query = xstrdup(arg);
    }
    textview_set_wrap(view_text(view), false);
    if (upstream_configured(up)) {
        lg->loki = loki_new(app_loop(app), up, app_store(app));
        fetch(view);
    } else {
        ui_report(view_ui(view), UI_WARNING,
                  "Loki is not configured: the pod's log from the API server");
        start_podlog(view, false, 0);
    }
    return STATUS_OK;
}

static void
logs_done(struct view *view)
{
    struct logs *lg = logs_of(view);

    loki_follow_free(lg->follow);
    loki_free(lg->loki); /* cancels the fetches, no callbacks */
    podlog_free(lg->podlog);
    logview_free(lg->lv);
    logring_free(lg->ring);
    free(lg->query);
    free(lg->pod_ns);
    free(lg->pod_name);
    free(lg->pod_app);
}

static enum request
logs_request(struct view *view, enum request req)
{
    struct logs *lg = logs_of(view);
    struct ui *ui = view_ui(view);

    switch (req) {
    case REQ_MOVE_UP:
    case REQ_MOVE_PAGE_UP:
    case REQ_MOVE_FIRST:
        if (logview_at_top(lg->lv))
            fetch_older(view);
        if (req == REQ_MOVE_UP)
            logview_scroll(lg->lv, -1);
        else if (req == REQ_MOVE_PAGE_UP)
            logview_scroll_page(lg->lv, -1);
        else
            logview_first(lg->lv);
        break;
    case REQ_MOVE_DOWN:
        logview_scroll(lg->lv, 1);
        break;
    case REQ_MOVE_PAGE_DOWN:
        logview_scroll_page(lg->lv, 1);
        break;
    case REQ_MOVE_LAST:
        logview_last(lg->lv);
        break;
    case REQ_SEARCH:
        ui_prompt_view(ui, "search /", "/", NULL, on_search);
        return REQ_NONE;
    case REQ_FILTER:
        ui_prompt_view(ui, "filter &", "/", logview_filter_pattern(lg->lv), on_filter);
        return REQ_NONE;
    case REQ_LOG_QUERY:
        ui_prompt_view(ui, "logql ", "logql", lg->query, on_query);
        return REQ_NONE;
    case REQ_LOG_RANGE:
        ui_prompt_view(ui, "range ", "log-range", NULL, on_range);
        return REQ_NONE;
    case REQ_SAVE:
        ui_prompt_view(ui, "save to ", "log-save", NULL, on_save);
        return REQ_NONE;
    case REQ_SEARCH_NEXT:
    case REQ_SEARCH_PREV:
        if (!logview_search_pattern(lg->lv))
            ui_prompt_view(ui, "search /", "/", NULL, on_search);
        else if (!logview_search_step(lg->lv, req == REQ_SEARCH_NEXT))
            ui_report(ui, UI_WARNING, "no more matches of %s", logview_search_pattern(lg->lv));
        break;
    case REQ_TOGGLE_FOLLOW:
        if (lg->fallback) {
            struct logring_entry e;
            bool have = logring_get(lg->ring, logring_end(lg->ring) - 1, &e);

            lg->want_follow = !lg->want_follow;
            if (lg->want_follow) {
                start_podlog(view, true, have ? e.ts_ns + 1 : clock_now_ns());
                logview_last(lg->lv);
            } else {
                podlog_free(lg->podlog);
                lg->podlog = NULL;
            }
            break;
        }
        lg->want_follow = !lg->follow;
        if (!lg->want_follow) {
            loki_follow_free(lg->follow);
            lg->follow = NULL;
        } else if (!lg->range_s) {
            ui_report(ui, UI_WARNING, "a fixed range does not grow: pick a range ending now (r)");
        } else if (!lg->fetch) {
            struct logring_entry e;
            bool have = logring_get(lg->ring, logring_end(lg->ring) - 1, &e);

            start_follow(view, have ? e.ts_ns + 1 : clock_now_ns());
        }
        if (lg->want_follow)
            logview_last(lg->lv);
        break;
    case REQ_TOGGLE_TIMESTAMPS:
        logview_set_timestamps(lg->lv, !logview_timestamps(lg->lv));
        break;
    case REQ_TOGGLE_RAW:
        logview_set_readable(lg->lv, !logview_readable(lg->lv));
        break;
    case REQ_TOGGLE_WRAP:
        textview_set_wrap(view_text(view), !textview_wrap(view_text(view)));
        break;
    case REQ_BACK:
        if (logview_filter_pattern(lg->lv))
            logview_set_filter(lg->lv, NULL);
        else if (logview_search_pattern(lg->lv))
            logview_set_search(lg->lv, NULL);
        else
            return REQ_BACK;
        break;
    default:
        return req;
    }
    redraw(view);
    return REQ_NONE;
}

static void
logs_refresh(struct view *view)
{
    fetch(view);
}

static void
logs_tick(struct view *view)
{
    redraw(view); /* the body's height follows a resize */
}

const struct view_ops logs_view_ops = {
    .name = "logs",
    .aliases = (const char *const[]){"log", "loki", NULL},
    .help = "Logs from Loki: a LogQL query, followed, searched, filtered",
    .args = "QUERY",
    .kind = VIEW_TEXT,
    .private_size = sizeof(struct logs),
    .open = logs_open,
    .request = logs_request,
    .refresh = logs_refresh,
    .tick = logs_tick,
    .done = logs_done,
};
