/* SPDX-License-Identifier: MIT */
/* informer.c - keeps one kind in sync: list, then watch with bookmarks */
#include "config.h"

#include "opsdeck/informer.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/kube.h"
#include "opsdeck/log.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * States: LISTING -> WATCHING -> (clean end) WATCHING again from the last
 * resourceVersion; (410) LISTING; (error) WAITING, then whichever of the two
 * failed. Never a periodic relist: bookmarks keep the resourceVersion fresh,
 * so a reconnect resumes where the stream stopped.
 *
 * The 403 fallback turns an informer into a parent of one child informer
 * per namespace; the children talk to the parent's sink through the parent,
 * which sums up their state.
 *
 * Sink callbacks may free the informer: busy counts the callbacks on the
 * stack and the real free waits for it to drop to zero.
 */

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define QUICK_END_MS 1000

struct informer {
    struct kube *k;
    struct evloop *loop;
    enum kind kind;
    char *ns;
    char *label;
    char *field;
    char **(*fallback_namespaces)(void *arg);
    void *fallback_arg;
    struct informer_sink sink;

    struct kube_op *op;           /* the list or the watch in flight */
    struct ev_timer *retry;
    bool retry_list;              /* the retry lists again (else it watches) */
    int backoff_ms;
    struct strbuf rv;
    char *error;
    bool synced;
    bool watching;
    bool began;                   /* replace_begin sent, replace_end not yet */
    int64_t watch_started_ms;
    unsigned watch_events;
    struct informer_stats stats;

    struct informer *parent;      /* for a fallback child */
    bool forbidden;               /* a child whose namespace is forbidden too */
    bool fallback;                /* a parent running children */
    struct vec children;          /* struct informer * (freed by hand) */
    char *agg_error;              /* the parent's summary of its children */

    int busy;
    bool dying;
};

static void start_list(struct informer *inf);
static void start_watch(struct informer *inf);
static void really_free(struct informer *inf);

/*
 * Sink calls (skipped once the informer is being freed)
 */

static void
notify(struct informer *inf)
{
    if (!inf->dying && inf->sink.state)
        inf->sink.state(inf->sink.arg);
}

static void
enter(struct informer *inf)
{
    inf->busy++;
}

/* Returns true when the informer went away during the callback. */
static bool
leave(struct informer *inf)
{
    if (--inf->busy == 0 && inf->dying) {
        really_free(inf);
        return true;
    }
    return inf->dying;
}

static void
set_error(struct informer *inf, const char *error)
{
    free(inf->error);
    inf->error = error && *error ? xstrdup(error) : NULL;
}

static void
schedule(struct informer *inf, bool list)
{
    inf->retry_list = list;
    ev_timer_arm(inf->retry, inf->backoff_ms);
    log_debug("informer %s: retry %s in %d ms", kind_info(inf->kind)->resource,
              list ? "list" : "watch", inf->backoff_ms);
    inf->backoff_ms = MIN(inf->backoff_ms * 2, BACKOFF_MAX_MS);
}

static void
retry_fired(void *arg)
{
    struct informer *inf = arg;

    if (inf->retry_list)
        start_list(inf);
    else
        start_watch(inf);
}

/*
 * The 403 fallback
 */

static void
child_begin(void *arg, enum kind kind, const char *ns)
{
    struct informer *p = arg;

    if (!p->dying)
        p->sink.replace_begin(p->sink.arg, kind, ns);
}

static void
child_end(void *arg, enum kind kind, const char *ns)
{
    struct informer *p = arg;

    if (!p->dying)
        p->sink.replace_end(p->sink.arg, kind, ns);
}

static void
child_upsert(void *arg, struct kobj *obj)
{
    struct informer *p = arg;

    if (p->dying)
        kobj_free(obj);
    else
        p->sink.upsert(p->sink.arg, obj);
}

static void
child_remove(void *arg, struct kobj *obj)
{
    struct informer *p = arg;

    if (p->dying)
        kobj_free(obj);
    else
        p->sink.remove(p->sink.arg, obj);
}

/* The parent's error: the children's, and the namespaces still forbidden. */
static void
child_state(void *arg)
{
    struct informer *p = arg;
    struct strbuf sb = { 0 }, forb = { 0 };
    size_t nforb = 0, n = p->children.len;

    if (p->dying)
        return;
    for (size_t i = 0; i < n; i++) {
        struct informer *c = p->children.items[i];

        if (c->forbidden) {
            strbuf_printf(&forb, "%s%s", nforb ? ", " : "", c->ns);
            nforb++;
        } else if (c->error && sb.len == 0) {
            strbuf_printf(&sb, "%s: %s", c->ns, c->error);
        }
    }
    if (nforb) {
        if (sb.len)
            strbuf_puts(&sb, "; ");
        strbuf_printf(&sb, "%s forbidden in %zu of %zu namespaces: %s",
                      kind_info(p->kind)->resource, nforb, n, forb.buf);
    }
    free(p->agg_error);
    p->agg_error = sb.len ? strbuf_detach(&sb) : NULL;
    strbuf_done(&sb);
    strbuf_done(&forb);
    notify(p);
}

static void
enter_fallback(struct informer *inf, const char *why)
{
    char **names = inf->fallback_namespaces(inf->fallback_arg);
    struct informer_sink sink = { child_begin, child_end, child_upsert, child_remove,
                                  child_state, inf };
    size_t n = names ? strv_len((const char *const *)names) : 0;

    if (n == 0) {
        strv_free(names);
        set_error(inf, why);
        inf->stats.errors++;
        schedule(inf, true);
        notify(inf);
        return;
    }
    log_info("informer %s: cluster-wide list forbidden, one per namespace (%zu)",
             kind_info(inf->kind)->resource, n);
    if (inf->synced) {
        /* What the cluster-wide list had delivered goes; the namespaces refill it. */
        inf->sink.replace_begin(inf->sink.arg, inf->kind, NULL);
        inf->sink.replace_end(inf->sink.arg, inf->kind, NULL);
    }
    inf->fallback = true;
    inf->synced = false;
    set_error(inf, NULL);
    for (size_t i = 0; i < n; i++) {
        struct informer_opts o = { .ns = names[i], .label_selector = inf->label,
                                   .field_selector = inf->field };
        struct informer *c = informer_new(inf->k, inf->kind, &o, &sink);

        c->parent = inf;
        vec_push(&inf->children, c);
    }
    strv_free(names);
    for (size_t i = 0; i < inf->children.len; i++)
        informer_start(inf->children.items[i]);
    child_state(inf);
}

/*
 * List
 */

static void
on_page(void *arg, const struct kube_page *page)
{
    struct informer *inf = arg;
    struct json_iter it;
    uint32_t key, item;

    enter(inf);
    if (page->index == 0) {
        /* A list restarted after an expired continue token begins again. */
        inf->began = true;
        inf->sink.replace_begin(inf->sink.arg, inf->kind, inf->ns);
    }
    inf->stats.pages++;
    json_iter_init(&it, page->doc, page->items);
    while (!inf->dying && json_iter_next(&it, &key, &item)) {
        struct kobj *obj = kobj_parse(inf->kind, page->doc, item);

        if (!obj) {
            inf->stats.skipped++;
            log_warn("informer %s: item skipped: %s", kind_info(inf->kind)->resource,
                     status_text());
            continue;
        }
        inf->sink.upsert(inf->sink.arg, obj);
    }
    leave(inf);
}

static void
on_list_done(void *arg, const struct kube_result *res, const char *rv)
{
    struct informer *inf = arg;

    inf->op = NULL;
    enter(inf);
    if (res->st == STATUS_OK) {
        if (!inf->began)
            inf->sink.replace_begin(inf->sink.arg, inf->kind, inf->ns);
        inf->began = false;
        if (!inf->dying)
            inf->sink.replace_end(inf->sink.arg, inf->kind, inf->ns);
        inf->synced = true;
        strbuf_reset(&inf->rv);
        strbuf_puts(&inf->rv, rv ? rv : "");
        set_error(inf, NULL);
        notify(inf);
        if (!inf->dying)
            start_watch(inf);
    } else if (res->st == STATUS_FORBIDDEN && !inf->ns && kind_info(inf->kind)->namespaced &&
               inf->fallback_namespaces) {
        enter_fallback(inf, res->error);
    } else if (res->st == STATUS_FORBIDDEN && inf->parent) {
        inf->forbidden = true;
        set_error(inf, res->error);
        notify(inf);
    } else {
        log_warn("informer %s: list failed: %s", kind_info(inf->kind)->resource, res->error);
        set_error(inf, res->error);
        inf->stats.errors++;
        schedule(inf, true);
        notify(inf);
    }
    leave(inf);
}

static void
start_list(struct informer *inf)
{
    struct kube_selectors sel = { .label = inf->label, .field = inf->field };

    inf->stats.lists++;
    inf->watching = false;
    inf->op = kube_list(inf->k, inf->kind, inf->ns, &sel, on_page, on_list_done, inf);
}

/*
 * Watch
 */

static void
on_event(void *arg, enum watch_type type, const struct json_doc *doc, uint32_t object,
         const char *rv)
{
    struct informer *inf = arg;
    struct kobj *obj;

    enter(inf);
    if (rv && *rv && strcmp(rv, strbuf_str(&inf->rv)) != 0) {
        strbuf_reset(&inf->rv);
        strbuf_puts(&inf->rv, rv);
    }
    switch (type) {
    case WATCH_OPEN:
        inf->watching = true;
        set_error(inf, NULL);
        notify(inf);
        break;
    case WATCH_BOOKMARK:
        inf->stats.bookmarks++;
        inf->watch_events++;
        inf->backoff_ms = BACKOFF_MIN_MS;
        break;
    case WATCH_ADDED:
    case WATCH_MODIFIED:
    case WATCH_DELETED:
        inf->backoff_ms = BACKOFF_MIN_MS;
        inf->stats.events++;
        inf->watch_events++;
        obj = kobj_parse(inf->kind, doc, object);
        if (!obj) {
            inf->stats.skipped++;
            log_warn("informer %s: event skipped: %s", kind_info(inf->kind)->resource,
                     status_text());
        } else if (type == WATCH_DELETED) {
            inf->sink.remove(inf->sink.arg, obj);
        } else {
            inf->sink.upsert(inf->sink.arg, obj);
        }
        break;
    case WATCH_ERROR:
        break;
    }
    leave(inf);
}

static void
on_watch_end(void *arg, const struct kube_result *res)
{
    struct informer *inf = arg;
    bool quick =
        clock_mono_ms() - inf->watch_started_ms < QUICK_END_MS && inf->watch_events == 0;

    inf->op = NULL;
    inf->watching = false;
    enter(inf);
    /* The backoff starts over only once a watch has proved healthy (it
     * delivered something or lasted): a server that fails fast right
     * after accepting or listing gets ever longer pauses. */
    if (!quick)
        inf->backoff_ms = BACKOFF_MIN_MS;
    if (res->st == STATUS_OK) {
        /* The server closed the stream: go on from the last resourceVersion.
         * A server that closes at once every time gets the backoff. */
        log_debug("informer %s: watch ended, resuming from %s", kind_info(inf->kind)->resource,
                  strbuf_str(&inf->rv));
        notify(inf);
        if (quick)
            schedule(inf, false);
        else
            start_watch(inf);
    } else if (res->st == STATUS_EXPIRED) {
        /* Relist at once, unless the watch was refused right away: a server
         * that expires every fresh resourceVersion must not get a tight loop. */
        log_info("informer %s: %s, listing again", kind_info(inf->kind)->resource, res->error);
        inf->stats.relists++;
        notify(inf);
        if (quick)
            schedule(inf, true);
        else
            start_list(inf);
    } else {
        log_warn("informer %s: watch failed: %s", kind_info(inf->kind)->resource, res->error);
        set_error(inf, res->error);
        inf->stats.errors++;
        schedule(inf, false);
        notify(inf);
    }
    leave(inf);
}

static void
start_watch(struct informer *inf)
{
    struct kube_selectors sel = { .label = inf->label, .field = inf->field };

    inf->stats.watches++;
    inf->watch_started_ms = clock_mono_ms();
    inf->watch_events = 0;
    inf->op = kube_watch(inf->k, inf->kind, inf->ns, &sel, strbuf_str(&inf->rv), on_event,
                         on_watch_end, inf);
}

/*
 * Public
 */

struct informer *
informer_new(struct kube *k, enum kind kind, const struct informer_opts *opts,
             const struct informer_sink *sink)
{
    struct informer *inf = xcalloc(1, sizeof(*inf));

    inf->k = k;
    inf->loop = kube_loop(k);
    inf->kind = kind;
    if (opts) {
        inf->ns = opts->ns && *opts->ns ? xstrdup(opts->ns) : NULL;
        inf->label = xstrdup(opts->label_selector);
        inf->field = xstrdup(opts->field_selector);
        inf->fallback_namespaces = opts->fallback_namespaces;
        inf->fallback_arg = opts->fallback_arg;
    }
    if (!kind_info(kind)->namespaced) {
        free(inf->ns);
        inf->ns = NULL;
    }
    inf->sink = *sink;
    inf->retry = ev_timer_new(inf->loop, retry_fired, inf);
    inf->backoff_ms = BACKOFF_MIN_MS;
    vec_init(&inf->children, NULL);
    return inf;
}

void
informer_start(struct informer *inf)
{
    if (!inf->op && !ev_timer_armed(inf->retry) && !inf->fallback)
        start_list(inf);
}

static void
really_free(struct informer *inf)
{
    kube_op_cancel(inf->op);
    for (size_t i = 0; i < inf->children.len; i++)
        informer_free(inf->children.items[i]);
    vec_done(&inf->children);
    ev_timer_free(inf->retry);
    strbuf_done(&inf->rv);
    free(inf->ns);
    free(inf->label);
    free(inf->field);
    free(inf->error);
    free(inf->agg_error);
    free(inf);
}

void
informer_free(struct informer *inf)
{
    if (!inf)
        return;
    inf->dying = true;
    if (inf->busy > 0) {
        /* A callback of ours is on the stack: stop now, free on the way out. */
        kube_op_cancel(inf->op);
        inf->op = NULL;
        ev_timer_disarm(inf->retry);
        return;
    }
    really_free(inf);
}

bool
informer_synced(const struct informer *inf)
{
    size_t live = 0;

    if (!inf->fallback)
        return inf->synced;
    for (size_t i = 0; i < inf->children.len; i++) {
        const struct informer *c = inf->children.items[i];

        if (c->forbidden)
            continue;
        if (!c->synced)
            return false;
        live++;
    }
    return live > 0;
}

bool
informer_watching(const struct informer *inf)
{
    size_t live = 0;

    if (!inf->fallback)
        return inf->watching;
    for (size_t i = 0; i < inf->children.len; i++) {
        const struct informer *c = inf->children.items[i];

        if (c->forbidden)
            continue;
        if (!c->watching)
            return false;
        live++;
    }
    return live > 0;
}

const char *
informer_error(const struct informer *inf)
{
    return inf->fallback ? inf->agg_error : inf->error;
}

const char *
informer_rv(const struct informer *inf)
{
    return inf->fallback || inf->rv.len == 0 ? NULL : inf->rv.buf;
}

void
informer_get_stats(const struct informer *inf, struct informer_stats *out)
{
    *out = inf->stats;
    for (size_t i = 0; i < inf->children.len; i++) {
        struct informer_stats c;

        informer_get_stats(inf->children.items[i], &c);
        out->lists += c.lists;
        out->relists += c.relists;
        out->pages += c.pages;
        out->watches += c.watches;
        out->events += c.events;
        out->bookmarks += c.bookmarks;
        out->errors += c.errors;
        out->skipped += c.skipped;
    }
}
