/* SPDX-License-Identifier: MIT */
/* session.c - one context, live: cache first, informers, cache written behind */
#include "config.h"

#include "opsdeck/session.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/conventions.h"
#include "opsdeck/evloop.h"
#include "opsdeck/informer.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/log.h"
#include "opsdeck/store.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/* How often the cluster's "last live" time is written to the cache, and the
 * tenants' time window re-evaluated. */
#define SESSION_TICK_MS 30000

/* The sink context of one kind's informer. */
struct session_kind {
    struct session *s;
    enum kind kind;
    struct informer *inf;
    bool fallback_waiting;            /* its 403 fallback waits for the namespaces */
};

struct session {
    struct evloop *loop;
    struct http *http;
    struct store *store;
    struct kube_target *target;
    struct conventions conv;
    struct kube_opts kube_opts;
    bool have_kube_opts;
    bool offline;
    char *key;                        /* cache key of the API server */

    struct kube *kube;
    struct kube_op *discovery;
    bool discovered;                  /* discovery answered or failed */
    struct cluster *cluster;
    struct tenants *tenants;
    struct session_kind kinds[KIND_COUNT];
    struct ev_timer *tick;
    struct strbuf enc;                /* scratch for encoding objects */

    int64_t cached_last_live;         /* from cache.db at start */
    int64_t cached_data_time;
    char *cached_version;
    bool fetched;                     /* a list arrived this run */
    bool have_data;
    bool policies_cached;             /* the cache held NetworkPolicies */

    session_cb on_status;
    void *on_status_arg;
};

static void
notify(struct session *s)
{
    if (s->on_status)
        s->on_status(s->on_status_arg);
}

/*
 * Cache
 */

static const char *
kind_key(enum kind kind)
{
    return kind_info(kind)->resource;
}

struct load_ctx {
    struct session *s;
    enum kind kind;
    size_t loaded;
    size_t bad;
};

static void
load_one(void *arg, const char *ns, const char *name, const void *blob, size_t len,
         int64_t fetched_at)
{
    struct load_ctx *ctx = arg;
    struct kobj *obj = kobj_decode(ctx->kind, blob, len);

    (void)ns;
    (void)fetched_at;
    if (!obj) {
        ctx->bad++;
        log_warn("cache: undecodable %s %s skipped", kind_key(ctx->kind), name);
        return;
    }
    cluster_upsert(ctx->s->cluster, obj);
    ctx->loaded++;
}

static void
load_cache(struct session *s)
{
    struct store_cluster_info info;

    if (!s->store)
        return;
    if (store_cluster_info(s->store, s->key, &info)) {
        s->cached_last_live = info.last_live;
        s->cached_data_time = info.data_time;
        s->cached_version = info.version;
        info.version = NULL;
        store_cluster_info_done(&info);
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        struct load_ctx ctx = { .s = s, .kind = (enum kind)k };

        cluster_replace_begin(s->cluster, ctx.kind, NULL);
        if (store_load(s->store, s->key, kind_key(ctx.kind), load_one, &ctx) != STATUS_OK)
            log_warn("cache: loading %s: %s", kind_key(ctx.kind), status_text());
        cluster_replace_end(s->cluster, ctx.kind, NULL);
        if (ctx.loaded)
            s->have_data = true;
        if (ctx.kind == KIND_NETWORKPOLICY)
            s->policies_cached = ctx.loaded > 0;
        log_debug("cache: %zu %s loaded (%zu undecodable)", ctx.loaded, kind_key(ctx.kind),
                  ctx.bad);
    }
}

static void
cache_put(struct session *s, const struct kobj *obj)
{
    if (!s->store)
        return;
    strbuf_reset(&s->enc);
    kobj_encode(obj, &s->enc);
    store_put(s->store, s->key, kind_key(obj->kind), obj->ns, obj->name, s->enc.buf, s->enc.len,
              clock_now());
}

static void
save_cluster_info(struct session *s)
{
    if (!s->store || !s->kube || kube_state(s->kube) != KUBE_LIVE)
        return;
    store_set_cluster_info(s->store, s->key, s->target->server, kube_server_version(s->kube),
                           kube_last_live(s->kube));
}

static void kick_waiting(struct session *s);

/*
 * Informer sink: every change goes to the cluster (the views see it) and
 * to the cache (written behind, batched by the store's writer thread).
 */

static void
sink_replace_begin(void *arg, enum kind kind, const char *ns)
{
    struct session_kind *sk = arg;

    cluster_replace_begin(sk->s->cluster, kind, ns);
    if (sk->s->store)
        store_replace_begin(sk->s->store, sk->s->key, kind_key(kind), ns);
}

static void
sink_replace_end(void *arg, enum kind kind, const char *ns)
{
    struct session_kind *sk = arg;
    struct session *s = sk->s;

    cluster_replace_end(s->cluster, kind, ns);
    if (s->store)
        store_replace_end(s->store, s->key, kind_key(kind), ns);
    s->fetched = true;
    s->have_data = true;
    if (kind == KIND_NETWORKPOLICY)
        tenants_set_policies_known(s->tenants, true);
    save_cluster_info(s);
    if (kind == KIND_NAMESPACE)
        kick_waiting(s);
    notify(s);
}

static void
sink_upsert(void *arg, struct kobj *obj)
{
    struct session_kind *sk = arg;

    cache_put(sk->s, obj);
    cluster_upsert(sk->s->cluster, obj);
}

static void
sink_remove(void *arg, struct kobj *obj)
{
    struct session_kind *sk = arg;
    struct session *s = sk->s;

    if (s->store)
        store_remove(s->store, s->key, kind_key(obj->kind), obj->ns, obj->name);
    cluster_remove(s->cluster, obj->kind, obj->ns, obj->name);
    kobj_free(obj);
}

static void
sink_state(void *arg)
{
    struct session_kind *sk = arg;

    if (sk->kind == KIND_NAMESPACE)
        kick_waiting(sk->s);
    notify(sk->s);
}

/* For a user who may not list cluster-wide: the namespaces we know of (from
 * the namespaces informer or the cache), else the context's namespace. While
 * the namespaces informer is still loading (every informer starts at once, so
 * a 403 often comes first) the answer is none and the kind waits: it starts
 * again as soon as the namespaces are known (kick_waiting), instead of
 * settling on the context's namespace alone. */
static char **
fallback_namespaces(void *arg)
{
    struct session_kind *sk = arg;
    struct session *s = sk->s;
    const struct informer *nsinf = s->kinds[KIND_NAMESPACE].inf;
    size_t n;
    const struct kobj *const *all = cluster_all(s->cluster, KIND_NAMESPACE, &n);
    char **out = xcalloc(n + 2, sizeof(*out));
    size_t j = 0;

    if (n == 0 && nsinf && !informer_synced(nsinf) && !informer_error(nsinf)) {
        sk->fallback_waiting = true;
        return out;
    }
    for (size_t i = 0; i < n; i++)
        out[j++] = xstrdup(all[i]->name);
    if (j == 0 && s->target->namespace_)
        out[j++] = xstrdup(s->target->namespace_);
    out[j] = NULL;
    return out;
}

static void
start_informer(struct session_kind *sk)
{
    struct informer_opts opts = {
        .fallback_namespaces = fallback_namespaces,
        .fallback_arg = sk,
    };
    struct informer_sink sink = {
        .replace_begin = sink_replace_begin,
        .replace_end = sink_replace_end,
        .upsert = sink_upsert,
        .remove = sink_remove,
        .state = sink_state,
        .arg = sk,
    };

    /* Only Warning events matter to the panes (tenant problems); the
     * detail view fetches an object's own events on demand. */
    if (sk->kind == KIND_EVENT)
        opts.field_selector = "type=Warning";
    sk->inf = informer_new(sk->s->kube, sk->kind, &opts, &sink);
    informer_start(sk->inf);
}

static void
start_informers(struct session *s)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        struct session_kind *sk = &s->kinds[k];

        if (sk->inf || (s->discovered && !kube_serves(s->kube, sk->kind)))
            continue;
        start_informer(sk);
    }
}

/* The namespaces are known (or cannot be): the kinds whose 403 fallback
 * waited for them start again, now. */
static void
kick_waiting(struct session *s)
{
    const struct informer *nsinf = s->kinds[KIND_NAMESPACE].inf;

    if (!nsinf || (!informer_synced(nsinf) && !informer_error(nsinf)))
        return;
    for (int k = 0; k < KIND_COUNT; k++) {
        struct session_kind *sk = &s->kinds[k];

        if (!sk->fallback_waiting)
            continue;
        sk->fallback_waiting = false;
        informer_free(sk->inf);
        start_informer(sk);
    }
}

static void
on_discovered(void *arg, const struct kube_result *res)
{
    struct session *s = arg;

    s->discovery = NULL;
    s->discovered = res->st == STATUS_OK;
    if (res->st != STATUS_OK)
        log_warn("discovery: %s", res->error);
    /* Informers start either way: unreachable servers are retried by them,
     * with the paths KIND_INFO knows. */
    start_informers(s);
    save_cluster_info(s);
    notify(s);
}

static void
on_kube_state(void *arg)
{
    struct session *s = arg;

    save_cluster_info(s);
    notify(s);
}

static void
on_tick(void *arg)
{
    struct session *s = arg;

    tenants_tick(s->tenants, s->kube ? kube_now(s->kube) : clock_now());
    save_cluster_info(s);
    ev_timer_arm(s->tick, SESSION_TICK_MS);
}

/*
 * Life cycle
 */

struct session *
session_new(const struct session_opts *opts)
{
    struct session *s = xcalloc(1, sizeof(*s));

    s->loop = opts->loop;
    s->http = opts->http;
    s->store = opts->store;
    s->target = kube_target_dup(opts->target);
    conventions_copy(&s->conv, opts->conv);
    if (opts->kube_opts) {
        s->kube_opts = *opts->kube_opts;
        s->have_kube_opts = true;
    }
    s->offline = opts->offline;
    s->key = store_cluster_key(s->target->server, s->target->ca_fingerprint);
    strbuf_init(&s->enc);
    for (int k = 0; k < KIND_COUNT; k++) {
        s->kinds[k].s = s;
        s->kinds[k].kind = (enum kind)k;
    }
    s->cluster = cluster_new();
    load_cache(s);
    /* After the cache load: the tenants are computed once from everything
     * loaded, not again at the end of each kind's load. */
    s->tenants = tenants_new(s->cluster, &s->conv);
    /* Until a list of NetworkPolicies arrives, a namespace without one is
     * not "missing" its isolation: they may simply not be readable. */
    if (!s->policies_cached)
        tenants_set_policies_known(s->tenants, false);
    tenants_tick(s->tenants, clock_now());
    s->tick = ev_timer_new(s->loop, on_tick, s);
    ev_timer_arm(s->tick, SESSION_TICK_MS);
    return s;
}

void
session_start(struct session *s)
{
    if (s->offline || s->kube)
        return;
    s->kube = kube_new(s->loop, s->http, s->target, s->have_kube_opts ? &s->kube_opts : NULL);
    kube_on_state(s->kube, on_kube_state, s);
    s->discovery = kube_discover(s->kube, on_discovered, s);
}

void
session_free(struct session *s)
{
    if (!s)
        return;
    for (int k = 0; k < KIND_COUNT; k++)
        informer_free(s->kinds[k].inf);
    kube_op_cancel(s->discovery);
    save_cluster_info(s);
    kube_free(s->kube);
    if (s->store && store_flush(s->store) != STATUS_OK)
        log_warn("cache: flush: %s", status_text());
    ev_timer_free(s->tick);
    tenants_free(s->tenants);
    cluster_free(s->cluster);
    strbuf_done(&s->enc);
    conventions_done(&s->conv);
    kube_target_free(s->target);
    free(s->cached_version);
    free(s->key);
    free(s);
}

struct cluster *
session_cluster(const struct session *s)
{
    return s->cluster;
}

struct tenants *
session_tenants(const struct session *s)
{
    return s->tenants;
}

struct kube *
session_kube(const struct session *s)
{
    return s->kube;
}

const struct kube_target *
session_target(const struct session *s)
{
    return s->target;
}

const char *
session_cluster_key(const struct session *s)
{
    return s->key;
}

void
session_on_status(struct session *s, session_cb cb, void *arg)
{
    s->on_status = cb;
    s->on_status_arg = arg;
}

void
session_status(const struct session *s, struct session_status *out)
{
    int64_t live = s->kube ? kube_last_live(s->kube) : 0;

    memset(out, 0, sizeof(*out));
    if (s->offline) {
        out->api = KUBE_OFFLINE;
        out->detail = "cached data only (--cached)";
    } else if (s->kube) {
        out->api = kube_state(s->kube);
        out->detail = out->api == KUBE_LIVE ? "" : kube_state_detail(s->kube);
    } else {
        out->api = KUBE_CONNECTING;
        out->detail = "";
    }
    out->last_live = live ? live : s->cached_last_live;
    out->data_time = s->fetched ? (live ? live : clock_now()) : s->cached_data_time;
    if (!out->data_time)
        out->data_time = out->last_live;
    out->from_cache = !s->fetched;
    out->have_data = s->have_data;
    out->server_version = s->kube && kube_server_version(s->kube) ? kube_server_version(s->kube)
                                                                  : s->cached_version;
    out->simulated = s->kube && kube_simulated(s->kube);
    out->synced = true;
    for (int k = 0; k < KIND_COUNT; k++) {
        const struct informer *inf = s->kinds[k].inf;

        if (!inf || informer_synced(inf))
            continue;
        out->synced = false;
        /* Live, but a kind cannot be loaded (a 403 for nodes): say why. */
        if (out->api == KUBE_LIVE && !*out->detail && informer_error(inf))
            out->detail = informer_error(inf);
    }
    if (!s->kube || (!s->discovered && s->discovery))
        out->synced = false;
}

bool
session_settled(const struct session *s)
{
    if (s->offline)
        return true;
    if (!s->kube || s->discovery)
        return false;
    for (int k = 0; k < KIND_COUNT; k++) {
        const struct informer *inf = s->kinds[k].inf;

        if (inf && !informer_synced(inf) && !informer_error(inf))
            return false;
    }
    return true;
}

void
session_informer_stats(const struct session *s, struct informer_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (int k = 0; k < KIND_COUNT; k++) {
        struct informer_stats st;

        if (!s->kinds[k].inf)
            continue;
        informer_get_stats(s->kinds[k].inf, &st);
        out->lists += st.lists;
        out->relists += st.relists;
        out->pages += st.pages;
        out->watches += st.watches;
        out->events += st.events;
        out->bookmarks += st.bookmarks;
        out->errors += st.errors;
    }
}
