/* SPDX-License-Identifier: MIT */
/* builds_fetch.c - the build logs of a time range (and then new ones) from Loki into builds */
#include "config.h"

#include "opsdeck/builds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/log.h"
#include "opsdeck/loki.h"
#include "opsdeck/xalloc.h"

/*
 * Three Loki operations: the range (backward, every page), the history
 * before it (forward, successful last lines only) and, once the range is
 * read, the follow. Each batch is fed to the builds at once; the builds are
 * updated and the caller told after every batch.
 *
 * The caller may free the fetch from inside its callback: `depth` counts
 * the callbacks we are in, and a free inside one only marks the fetch dead
 * (cancelling the operations); the outermost callback frees it on the way
 * out, and tells the Loki client to stop.
 */
struct builds_fetch {
    struct loki *loki;
    struct builds *b;
    char *selector;
    char *history_query;
    int64_t since_ns;
    int64_t until_ns;
    bool follow;
    int interval_ms;
    bool use_cache;
    builds_fetch_cb cb;
    void *arg;
    struct loki_op *range;
    struct loki_op *history;
    bool range_pending; /* its done has not come yet */
    bool history_pending;
    struct loki_follow *follower;
    struct builds_fetch_status status;
    int depth;
    bool dead;
};

static void
fetch_destroy(struct builds_fetch *f)
{
    loki_op_cancel(f->range);
    loki_op_cancel(f->history);
    loki_follow_free(f->follower);
    free(f->selector);
    free(f->history_query);
    free(f);
}

/* Tells the caller; false when the fetch went away meanwhile (f is then
 * freed unless an outer callback is still running). */
static bool
notify(struct builds_fetch *f)
{
    builds_update(f->b, clock_now_ns());
    f->depth++;
    f->cb(f->arg, &f->status);
    f->depth--;
    if (!f->dead)
        return true;
    if (f->depth == 0)
        fetch_destroy(f);
    return false;
}

static void
feed_batch(struct builds_fetch *f, const struct loki_batch *batch)
{
    for (size_t i = 0; i < batch->n; i++) {
        const struct loki_entry *e = &batch->entries[i];

        builds_add(f->b, loki_labels_get(e->stream, "tenant"),
                   loki_labels_get(e->stream, "project"), loki_labels_get(e->stream, "service"),
                   e->ts, e->line, e->len);
    }
    f->status.entries += batch->n;
}

static bool
on_range_batch(void *arg, const struct loki_batch *batch)
{
    struct builds_fetch *f = arg;

    feed_batch(f, batch);
    f->status.pages = batch->page + 1;
    if (batch->cached) {
        f->status.cached = true;
        f->status.fetched_at = batch->fetched_at;
    }
    return notify(f);
}

static bool
on_follow_batch(void *arg, const struct loki_batch *batch)
{
    struct builds_fetch *f = arg;

    feed_batch(f, batch);
    return notify(f);
}

static void
on_follow_status(void *arg, const struct loki_result *res)
{
    struct builds_fetch *f = arg;

    f->status.st = res->st;
    snprintf(f->status.error, sizeof(f->status.error), "%s",
             res->st == STATUS_OK ? "" : res->error);
    notify(f);
}

/* The range is read when its own operation and the history's are both
 * done (the flags of the first builds depend on the history): then follow
 * or stop. A failed range fails at once. */
static void
maybe_finish(struct builds_fetch *f)
{
    if (f->range_pending || (f->history_pending && f->status.st == STATUS_OK))
        return;
    if (f->status.st != STATUS_OK) {
        loki_op_cancel(f->history);
        f->history = NULL;
        f->history_pending = false;
        f->status.phase = BUILDS_FETCH_FAILED;
    } else if (f->follow) {
        struct loki_follow_opts fo = {
            .query = f->selector,
            .start_ns = f->until_ns,
            .interval_ms = f->interval_ms,
        };

        f->status.phase = BUILDS_FETCH_FOLLOWING;
        f->follower = loki_follow_new(f->loki, &fo, on_follow_batch, on_follow_status, f);
    } else {
        f->status.phase = BUILDS_FETCH_DONE;
    }
    notify(f);
}

static void
on_range_done(void *arg, const struct loki_result *res)
{
    struct builds_fetch *f = arg;

    f->range = NULL;
    f->range_pending = false;
    f->status.st = res->st;
    snprintf(f->status.error, sizeof(f->status.error), "%s", res->error);
    if (res->warning[0])
        snprintf(f->status.warning, sizeof(f->status.warning), "%s", res->warning);
    f->status.pages = res->pages;
    if (res->cached) {
        f->status.cached = true;
        f->status.fetched_at = res->fetched_at;
    }
    maybe_finish(f);
}

static bool
on_history_batch(void *arg, const struct loki_batch *batch)
{
    struct builds_fetch *f = arg;

    feed_batch(f, batch);
    return notify(f);
}

static void
on_history_done(void *arg, const struct loki_result *res)
{
    struct builds_fetch *f = arg;

    f->history = NULL;
    f->history_pending = false;
    /* Without the history only "cache lost" at the range's start can be
     * missed: worth a log line, not a failure. */
    if (res->st != STATUS_OK && res->st != STATUS_CANCELLED)
        log_warn("builds: the 24 h before the range: %s", res->error);
    maybe_finish(f);
}

static void
start(struct builds_fetch *f)
{
    struct loki_range_opts ro = {
        .query = f->selector,
        .start_ns = f->since_ns,
        .end_ns = f->until_ns,
        .direction = LOKI_BACKWARD,
        .use_cache = f->use_cache,
    };
    struct loki_range_opts ho = {
        .query = f->history_query,
        .start_ns = f->since_ns - (int64_t)BUILD_CACHE_LOST_WINDOW_S * NS_PER_SEC,
        .end_ns = f->since_ns,
        .direction = LOKI_FORWARD,
        .use_cache = f->use_cache,
    };

    /* Counted as a callback: the client could call back from inside
     * loki_range, and the caller free the fetch there. */
    f->depth++;
    f->history_pending = f->range_pending = true;
    f->history = loki_range(f->loki, &ho, on_history_batch, on_history_done, f);
    if (!f->dead)
        f->range = loki_range(f->loki, &ro, on_range_batch, on_range_done, f);
    f->depth--;
    if (f->dead && f->depth == 0)
        fetch_destroy(f);
}

struct builds_fetch *
builds_fetch_new(struct loki *l, struct builds *b, const struct builds_fetch_opts *opts,
                 builds_fetch_cb cb, void *arg)
{
    struct builds_fetch *f = xcalloc(1, sizeof(*f));

    f->loki = l;
    f->b = b;
    f->selector = builds_list_selector(opts->selector);
    f->history_query = xasprintf("%s |= \"status=succeeded\"", f->selector);
    f->since_ns = opts->since_ns;
    f->until_ns = opts->until_ns ? opts->until_ns : clock_now_ns();
    f->follow = opts->follow;
    f->interval_ms = opts->interval_ms;
    f->use_cache = opts->use_cache;
    f->cb = cb;
    f->arg = arg;
    f->status.phase = BUILDS_FETCH_LOADING;
    builds_set_window(b, f->since_ns);
    /* At once, so that the requests are in flight when this returns (a
     * test script waits for them); the client calls back from the loop
     * only. */
    start(f);
    return f;
}

void
builds_fetch_free(struct builds_fetch *f)
{
    if (!f)
        return;
    if (f->depth > 0) {
        f->dead = true;
        loki_op_cancel(f->range);
        loki_op_cancel(f->history);
        f->range = f->history = NULL;
        return;
    }
    fetch_destroy(f);
}

const struct builds_fetch_status *
builds_fetch_status(const struct builds_fetch *f)
{
    return &f->status;
}
