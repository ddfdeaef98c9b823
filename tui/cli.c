/* SPDX-License-Identifier: MIT */
/* cli.c - one-shot commands: get nodes|pods|tenants|builds, query, info, cache clear */
#include "config.h"

#include "opsdeck/cli.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/builds.h"
#include "opsdeck/clock.h"
#include "opsdeck/cluster.h"
#include "opsdeck/evloop.h"
#include "opsdeck/hmap.h"
#include "opsdeck/http.h"
#include "opsdeck/json.h"
#include "opsdeck/kube.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/log.h"
#include "opsdeck/loki.h"
#include "opsdeck/macros.h"
#include "opsdeck/model.h"
#include "opsdeck/parsepool.h"
#include "opsdeck/platform.h"
#include "opsdeck/prom.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/setup.h"
#include "opsdeck/store.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/tenant.h"
#include "opsdeck/upstream.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * Fetching: every kind a command needs is listed at once (pages of each
 * list are pipelined by kube_list_raw) and each page is parsed, and encoded
 * for the cache, on the parse pool's threads while the next one downloads;
 * the models go into one struct cluster. The cache blobs go to the store's
 * writer thread as each page comes back, inside one store group that is
 * committed only when every list has succeeded: the cache refresh overlaps
 * the download, and a command that fails changes nothing in the cache, not
 * even the kinds or pages that did arrive.
 */
#define FETCH_MAX_LISTS 8

struct fetch {
    struct setup *s;
    struct evloop *loop;
    struct http *http;
    struct kube *kube;
    struct parsepool *pool;
    struct cluster *cl;
    char *ckey;                  /* cache key, NULL without a store */
    struct strbuf enc;
    int pending;
    bool failed;
    char error[600];
    int64_t oldest;              /* --cached: the oldest fetched_at loaded */
    size_t loaded;
    bool grouped;                /* a store group is open for the lists' writes */
    int64_t fetched_at;          /* what the cache rows say */
    struct {
        enum kind kind;
        char *ns;                /* owned; NULL: all namespaces / cluster-scoped */
        size_t bad;              /* items that did not parse */
    } lists[FETCH_MAX_LISTS];    /* what was listed, to end its replace in the cache */
    size_t nlists;
    size_t skipped;              /* items that did not parse, all lists */
};

/* One list in flight: done when kube has delivered its last page (or
 * failed) and the pool has handed every page back. */
struct fetch_list {
    struct fetch *f;
    size_t idx;                  /* in f->lists */
    enum kind kind;
    char *ns;                    /* NULL: all namespaces / cluster-scoped */
    struct kube_op *op;          /* until listed */
    size_t pages;                /* submitted to the pool, not back yet */
    bool listed;                 /* kube is done with it */
    bool ok;                     /* ... successfully, and every page parsed */
};

/* Warnings printed for items that do not parse; the rest are counted. */
#define MAX_SKIP_WARNINGS 10

/* An item that does not parse is left out (the rest of the list is good),
 * never silently: a warning on stderr names it and says why. */
static void
warn_skipped(struct fetch *f, enum kind kind, const struct parsepool_skip *sk)
{
    const char *resource = kind_info(kind)->resource;
    struct strbuf msg, out;

    log_warn("get: %s item skipped: %s", resource, sk->error);
    if (f->skipped++ >= MAX_SKIP_WARNINGS)
        return;
    strbuf_init(&msg);
    strbuf_init(&out);
    strbuf_printf(&msg, "%s %s%s%s left out: %s", resource, sk->ns, *sk->ns ? "/" : "",
                  *sk->name ? sk->name : "(unnamed)", sk->error);
    sanitize_append(&out, msg.buf, msg.len, sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII);
    fprintf(stderr, "opsdeck: warning: %s: %s\n", f->s->target->server, strbuf_str(&out));
    strbuf_done(&msg);
    strbuf_done(&out);
}

static void
list_fail(struct fetch_list *fl, const char *why)
{
    struct fetch *f = fl->f;

    if (!f->failed) {
        f->failed = true;
        snprintf(f->error, sizeof(f->error), "listing %s: %s", kind_info(fl->kind)->resource,
                 why);
    }
}

/* Once kube is done with the list and every page is back from the pool. */
static void
list_maybe_finish(struct fetch_list *fl)
{
    struct fetch *f = fl->f;

    if (!fl->listed || fl->pages > 0)
        return;
    f->pending--;
    if (fl->ok)
        cluster_replace_end(f->cl, fl->kind, fl->ns);
    free(fl->ns);
    free(fl);
}

static void
on_raw_page(void *arg, struct kube_raw_page *page)
{
    struct fetch_list *fl = arg;

    fl->pages++;
    parsepool_submit(fl->f->pool, &(struct parsepool_page){
                                      .kind = fl->kind, .body = page->body, .len = page->len,
                                      .gzip = page->gzip, .max_len = page->max_len,
                                      .origin = page->path, .tag = fl });
}

/* A page back from the pool, in order: its models into the cluster, its
 * cache blobs into the store's open group (applied by the writer thread
 * while the next pages download; committed only if every list succeeds). */
static void
on_parsed(void *arg, struct parsepool_result *res)
{
    struct fetch *f = arg;
    struct fetch_list *fl = res->tag;

    fl->pages--;
    if (res->st != STATUS_OK) {
        list_fail(fl, res->error);
        fl->ok = false;
        if (!fl->listed) {
            /* The rest of a list whose page is no list is not wanted. */
            kube_op_cancel(fl->op);
            fl->op = NULL;
            fl->listed = true;
        }
    }
    for (size_t i = 0; i < res->nskips; i++) {
        f->lists[fl->idx].bad++;
        warn_skipped(f, fl->kind, &res->skips[i]);
    }
    for (size_t i = 0; i < res->nobjs; i++) {
        cluster_upsert(f->cl, res->objs[i]);
        res->objs[i] = NULL;
    }
    if (f->grouped && res->blobs && res->st == STATUS_OK) {
        const char *resource = kind_info(fl->kind)->resource;

        for (size_t i = 0; i < res->nobjs; i++) {
            const struct parsepool_blob *b = &res->blobs[i];

            store_put(f->s->store, f->ckey, resource, b->ns, b->name, b->data, b->len,
                      f->fetched_at);
        }
    }
    parsepool_result_free(res);
    list_maybe_finish(fl);
}

static void
on_list_done(void *arg, const struct kube_result *res, const char *rv)
{
    struct fetch_list *fl = arg;
    struct fetch *f = fl->f;

    (void)rv;
    fl->listed = true;
    fl->op = NULL;
    if (res->st == STATUS_OK) {
        fl->ok = true;
    } else {
        enum kube_state ks = kube_state(f->kube);
        const char *why = res->error;

        /* On a 401 the client knows more than the status line: an expired
         * exec credential or client certificate, an unreadable tokenFile. */
        if (res->http_status == 401 && (ks == KUBE_UNAUTHORIZED || ks == KUBE_EXPIRED) &&
            kube_state_detail(f->kube))
            why = kube_state_detail(f->kube);
        list_fail(fl, why);
    }
    list_maybe_finish(fl);
}

static void
fetch_start(struct fetch *f, enum kind kind, const char *ns, const char *field_selector)
{
    struct fetch_list *fl = xcalloc(1, sizeof(*fl));
    struct kube_selectors sel = { .field = field_selector };

    fl->f = f;
    fl->idx = f->nlists;
    fl->kind = kind;
    fl->ns = xstrdup(ns);
    cluster_replace_begin(f->cl, kind, ns);
    assert(f->nlists < FETCH_MAX_LISTS);
    f->lists[f->nlists].kind = kind;
    f->lists[f->nlists].ns = xstrdup(ns);
    f->nlists++;
    if (f->s->store && f->ckey) {
        if (!f->grouped) {
            store_group_begin(f->s->store);
            f->grouped = true;
            f->fetched_at = clock_now();
        }
        store_replace_begin(f->s->store, f->ckey, kind_info(kind)->resource, ns);
    }
    f->pending++;
    fl->op = kube_list_raw(f->kube, kind, ns, &sel, on_raw_page, on_list_done, fl);
}

static bool
fetch_done(void *arg)
{
    return ((struct fetch *)arg)->pending <= 0;
}

/* Runs the loop until every list is done. The requests carry their own
 * timeouts, so this ends. */
static void
fetch_wait(struct fetch *f)
{
    evloop_run_until(f->loop, fetch_done, f, 0);
}

struct cached_ctx {
    struct fetch *f;
    enum kind kind;
};

static void
on_cached(void *arg, const char *ns, const char *name, const void *blob, size_t len,
          int64_t fetched_at)
{
    struct cached_ctx *ctx = arg;
    struct kobj *obj = kobj_decode(ctx->kind, blob, len);

    (void)ns;
    if (!obj) {
        log_warn("cache: undecodable %s %s", kind_info(ctx->kind)->resource, name);
        return;
    }
    if (!ctx->f->oldest || fetched_at < ctx->f->oldest)
        ctx->f->oldest = fetched_at;
    ctx->f->loaded++;
    cluster_upsert(ctx->f->cl, obj);
}

static void
fetch_cached(struct fetch *f, enum kind kind)
{
    struct cached_ctx ctx = { f, kind };

    cluster_replace_begin(f->cl, kind, NULL);
    if (store_load(f->s->store, f->ckey, kind_info(kind)->resource, on_cached, &ctx) !=
        STATUS_OK) {
        f->failed = true;
        snprintf(f->error, sizeof(f->error), "reading the cache: %s", status_text());
    }
    cluster_replace_end(f->cl, kind, NULL);
}

/*
 * Output
 */

static int
cmp_obj(const void *a, const void *b)
{
    const struct kobj *x = *(const struct kobj *const *)a;
    const struct kobj *y = *(const struct kobj *const *)b;
    int c = strcmp(x->ns ? x->ns : "", y->ns ? y->ns : "");

    return c ? c : strcmp(x->name, y->name);
}

/* The objects of kind (only namespace ns when non-NULL), sorted by
 * namespace then name, in a new array of borrowed pointers. */
static const struct kobj **
sorted(struct cluster *cl, enum kind kind, const char *ns, size_t *n)
{
    size_t all, j = 0;
    const struct kobj *const *objs = cluster_all(cl, kind, &all);
    const struct kobj **out = xcalloc(all + 1, sizeof(*out));

    bool in_order = true;

    for (size_t i = 0; i < all; i++) {
        if (!ns || (objs[i]->ns && strcmp(objs[i]->ns, ns) == 0)) {
            if (j > 0 && in_order && cmp_obj(&out[j - 1], &objs[i]) > 0)
                in_order = false;
            out[j++] = objs[i];
        }
    }
    /* The API server lists in the order of its storage keys, which is
     * this order but for rare prefix cases: mostly nothing to sort. */
    if (!in_order)
        qsort(out, j, sizeof(*out), cmp_obj);
    *n = j;
    return out;
}

/* A plain text table like kubectl's: widths from the widest cell, every
 * cell sanitised (a name from the cluster never writes an escape sequence
 * to the operator's terminal). */
struct table_out {
    size_t ncols;
    unsigned flags;              /* sanitize flags: ASCII outside UTF-8 locales */
    struct vec cells;            /* owned strings, row-major */
    size_t *cell_width;          /* width of each cell, grown with cells */
    size_t cap;
    size_t widths[16];
};

static void
tout_init(struct table_out *t, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->flags = sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII;
    vec_init(&t->cells, free);
}

static void
tout_cell(struct table_out *t, const char *s)
{
    struct strbuf sb;
    size_t col = t->cells.len % t->ncols, w;

    if (!s)
        s = "<none>";
    strbuf_init(&sb);
    w = sanitize_append(&sb, s, strlen(s), t->flags);
    if (w > t->widths[col])
        t->widths[col] = w;
    t->cell_width = xgrow(t->cell_width, &t->cap, t->cells.len + 1, sizeof(*t->cell_width));
    t->cell_width[t->cells.len] = w;
    vec_push(&t->cells, strbuf_detach(&sb));
}

static void
tout_print(struct table_out *t, FILE *out)
{
    for (size_t i = 0; i < t->cells.len; i++) {
        size_t col = i % t->ncols;

        fputs(vec_get(&t->cells, i), out);
        if (col + 1 == t->ncols) {
            fputc('\n', out);
        } else {
            for (size_t p = t->cell_width[i]; p < t->widths[col] + 3; p++)
                fputc(' ', out);
        }
    }
    vec_done(&t->cells);
    free(t->cell_width);
}

/* What the items of a JSON array are written with. */
struct json_out {
    const struct conventions *conv;
    int64_t now;
    int64_t fetched_at;
};

typedef void (*json_item_fn)(const void *item, const struct json_out *ctx, struct jsonw *w);

static void
write_node(const void *item, const struct json_out *ctx, struct jsonw *w)
{
    node_write_json(item, ctx->conv, ctx->now, ctx->fetched_at, w);
}

static void
write_pod(const void *item, const struct json_out *ctx, struct jsonw *w)
{
    pod_write_json(item, ctx->now, ctx->fetched_at, w);
}

static void
write_tenant(const void *item, const struct json_out *ctx, struct jsonw *w)
{
    tenant_write_json(item, ctx->fetched_at, w);
}

/* Output goes to stdout in pieces of about this many bytes. */
#define PRINT_CHUNK ((size_t)64 << 10)
/* An array this long is formatted in two halves at once. */
#define PRINT_SPLIT_MIN 4096

/* The second half of a long array, formatted on a thread of its own into
 * buf (owned here until joined) while the first half is printed. */
struct print_half {
    const void *const *items;
    size_t n;
    json_item_fn fn;
    const struct json_out *ctx;
    struct strbuf buf;
};

static void *
print_half_main(void *arg)
{
    struct print_half *h = arg;
    struct jsonw w;

    jsonw_init(&w, &h->buf, false);
    jsonw_arr_continue(&w);
    for (size_t i = 0; i < h->n; i++)
        h->fn(h->items[i], h->ctx, &w);
    jsonw_arr_end(&w);
    strbuf_putc(&h->buf, '\n');
    return NULL;
}

/* One JSON array of n items on stdout, written as it is formatted (a 20,000
 * pod array is 12 MB). The functions formatting items must be thread-safe:
 * a long array's second half is formatted at the same time as the first. */
static void
print_json_array(const void *const *items, size_t n, json_item_fn fn, const struct json_out *ctx)
{
    struct print_half half = { .items = items, .fn = fn, .ctx = ctx };
    bool split = false;
    pthread_t thread;
    struct strbuf sb;
    struct jsonw w;
    size_t first = n;

    strbuf_init(&sb);
    if (n >= PRINT_SPLIT_MIN) {
        first = n / 2;
        half.items = items + first;
        half.n = n - first;
        strbuf_init(&half.buf);
        split = pthread_create(&thread, NULL, print_half_main, &half) == 0;
        if (!split)
            first = n; /* no thread: all of it here */
    }
    jsonw_init(&w, &sb, false);
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < first; i++) {
        fn(items[i], ctx, &w);
        if (sb.len >= PRINT_CHUNK) {
            fwrite(sb.buf, 1, sb.len, stdout);
            strbuf_reset(&sb);
        }
    }
    if (split) {
        fwrite(sb.buf, 1, sb.len, stdout);
        pthread_join(thread, NULL);
        fwrite(half.buf.buf, 1, half.buf.len, stdout);
        strbuf_done(&half.buf);
    } else {
        jsonw_arr_end(&w);
        strbuf_putc(&sb, '\n');
        fwrite(sb.buf, 1, sb.len, stdout);
    }
    strbuf_done(&sb);
}

static void
print_nodes(struct fetch *f, bool json, int64_t now, int64_t fetched_at)
{
    size_t n;
    const struct kobj **objs = sorted(f->cl, KIND_NODE, NULL, &n);
    const struct conventions *conv = &f->s->platform->conv;

    if (json) {
        print_json_array((const void *const *)objs, n, write_node,
                         &(struct json_out){ conv, now, fetched_at });
    } else {
        struct table_out t;
        static const char *const head[] = { "NAME", "STATUS", "ROLES", "POOL", "AGE", "VERSION",
                                             "INTERNAL-IP", "TAINTS" };

        tout_init(&t, ARRAY_SIZE(head));
        for (size_t c = 0; c < t.ncols; c++)
            tout_cell(&t, head[c]);
        for (size_t i = 0; i < n; i++) {
            const struct node *node = (const struct node *)objs[i];
            char age[32], taint[256];
            struct strbuf taints;

            strbuf_init(&taints);
            for (size_t k = 0; k < node->ntaints; k++) {
                node_taint_text(&node->taints[k], taint, sizeof(taint));
                strbuf_printf(&taints, "%s%s", k ? "," : "", taint);
            }
            time_age(now, node->obj.created, age, sizeof(age));
            tout_cell(&t, node->obj.name);
            tout_cell(&t, node->status);
            tout_cell(&t, node->roles);
            tout_cell(&t, kv_get(&node->obj.labels, conv->pool_label));
            tout_cell(&t, age);
            tout_cell(&t, node->kubelet_version);
            tout_cell(&t, node->internal_ip);
            tout_cell(&t, taints.len ? strbuf_str(&taints) : NULL);
            strbuf_done(&taints);
        }
        tout_print(&t, stdout);
    }
    free(objs);
}

static void
print_pods(struct fetch *f, const char *ns, bool json, int64_t now, int64_t fetched_at)
{
    size_t n;
    const struct kobj **objs = sorted(f->cl, KIND_POD, ns, &n);

    if (json) {
        print_json_array((const void *const *)objs, n, write_pod,
                         &(struct json_out){ NULL, now, fetched_at });
    } else {
        struct table_out t;
        static const char *const head[] = { "NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS",
                                             "AGE", "NODE" };

        tout_init(&t, ns ? 6 : 7);
        for (size_t c = ns ? 1 : 0; c < 7; c++)
            tout_cell(&t, head[c]);
        for (size_t i = 0; i < n; i++) {
            const struct pod *pod = (const struct pod *)objs[i];
            char age[32], ready[32], restarts[64];

            time_age(now, pod->obj.created, age, sizeof(age));
            snprintf(ready, sizeof(ready), "%d/%d", pod->ready, pod->total);
            pod_restarts_text(pod, now, restarts, sizeof(restarts));
            if (!ns)
                tout_cell(&t, pod->obj.ns);
            tout_cell(&t, pod->obj.name);
            tout_cell(&t, ready);
            tout_cell(&t, pod->status);
            tout_cell(&t, restarts);
            tout_cell(&t, age);
            tout_cell(&t, pod->node);
        }
        tout_print(&t, stdout);
    }
    free(objs);
}

static void
print_tenants(struct tenants *ts, bool json, int64_t fetched_at)
{
    size_t n;
    const struct tenant *const *all = tenants_all(ts, &n);

    if (json) {
        print_json_array((const void *const *)all, n, write_tenant,
                         &(struct json_out){ NULL, 0, fetched_at });
        return;
    }

    struct table_out t;
    static const char *const head[] = { "TENANT", "PROJECTS", "PODS", "QUOTA", "POLICIES",
                                         "PROBLEMS" };

    tout_init(&t, ARRAY_SIZE(head));
    for (size_t c = 0; c < t.ncols; c++)
        tout_cell(&t, head[c]);
    for (size_t i = 0; i < n; i++) {
        const struct tenant *tn = all[i];
        char pods[32], quota[16], problems[32];
        struct strbuf projects;

        strbuf_init(&projects);
        for (size_t p = 0; p < tn->nprojects; p++)
            strbuf_printf(&projects, "%s%s", p ? "," : "", tn->projects[p]->project);
        snprintf(pods, sizeof(pods), "%d/%d", tn->pods_ready, tn->pods_total);
        if (tn->quota_ratio >= 0)
            snprintf(quota, sizeof(quota), "%.0f%%", tn->quota_ratio * 100);
        else
            snprintf(quota, sizeof(quota), "-");
        snprintf(problems, sizeof(problems), "%zu", strv_len((const char *const *)tn->problems));
        tout_cell(&t, tn->name);
        tout_cell(&t, strbuf_str(&projects));
        tout_cell(&t, pods);
        tout_cell(&t, quota);
        tout_cell(&t, tn->all_policies ? "ok" : "MISSING");
        tout_cell(&t, problems);
        strbuf_done(&projects);
    }
    tout_print(&t, stdout);
}

/*
 * Commands
 */

/* The store's notices (a damaged cache.db moved aside and rebuilt, a damaged
 * state.db kept aside) go to stderr: a one-shot command has no header to
 * show them in, and they must not pass unnoticed. */
static void
print_notices(struct store *st)
{
    const char *const *notes;
    unsigned flags = sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII;
    struct strbuf sb;

    if (!st)
        return;
    notes = store_notices(st);
    strbuf_init(&sb);
    for (size_t i = 0; notes[i]; i++) {
        strbuf_reset(&sb);
        sanitize_append(&sb, notes[i], strlen(notes[i]), flags);
        fprintf(stderr, "opsdeck: notice: %s\n", strbuf_str(&sb));
    }
    strbuf_done(&sb);
}

/*
 * get builds: the build logs of the range from Loki, aggregated (builds.h)
 */
struct builds_wait {
    bool done;
    struct builds_fetch_status st;
};

static void
on_builds_fetch(void *arg, const struct builds_fetch_status *st)
{
    struct builds_wait *w = arg;

    if (st->phase == BUILDS_FETCH_DONE || st->phase == BUILDS_FETCH_FAILED) {
        w->done = true;
        w->st = *st;
    }
}

/* One line of untrusted text on stderr, inert. */
static void
print_err_line(const char *prefix, const char *text)
{
    struct strbuf sb;

    strbuf_init(&sb);
    sanitize_append(&sb, text, strlen(text), sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII);
    fprintf(stderr, "opsdeck: %s%s\n", prefix, strbuf_str(&sb));
    strbuf_done(&sb);
}

static void
print_builds_table(const struct builds *b)
{
    static const char *const head[] = {"BUILD", "SERVICE", "TENANT/PROJECT", "SHA", "STARTED",
                                       "DURATION", "STATUS", "CACHE", "FLAGS"};
    struct table_out t;

    tout_init(&t, ARRAY_SIZE(head));
    for (size_t c = 0; c < t.ncols; c++)
        tout_cell(&t, head[c]);
    for (size_t i = 0; i < builds_count(b); i++) {
        const struct build *bd = builds_at(b, i);
        char tp[256], sha[8], started[32], dur[32], duration[64];

        snprintf(tp, sizeof(tp), "%s/%s", bd->tenant, bd->project);
        time_format_rfc3339(bd->started_ns / NS_PER_SEC, started, sizeof(started));
        build_format_duration(bd->duration_ms, dur, sizeof(dur));
        if (bd->status == BUILD_RUNNING || bd->target_s == 0)
            snprintf(duration, sizeof(duration), "%s", dur);
        else
            snprintf(duration, sizeof(duration), "%s/%ds", dur, bd->target_s);
        tout_cell(&t, bd->id);
        tout_cell(&t, bd->service);
        tout_cell(&t, tp);
        tout_cell(&t, build_short_sha(bd, sha));
        tout_cell(&t, started);
        tout_cell(&t, duration);
        tout_cell(&t, build_status_name(bd->status));
        tout_cell(&t, bd->cache == BUILD_CACHE_NONE ? "-" : build_cache_name(bd->cache));
        tout_cell(&t, bd->over_target || bd->cache_lost ? build_flags_text(bd) : "-");
    }
    tout_print(&t, stdout);
}

static int
get_builds(struct setup *s, const struct cli_get_opts *opts)
{
    const struct endpoint *ep = &s->platform->loki;
    struct evloop *loop = evloop_new();
    struct http *http = http_new(loop);
    struct kube *kube = NULL;
    struct upstream *up;
    struct loki *loki;
    struct builds *b = builds_new(0);
    struct builds_fetch *fetch;
    struct builds_wait w = {0};
    int64_t now = clock_now_ns();
    int rc = 0;

    signal(SIGPIPE, SIG_IGN);
    if (ep->service && s->target)
        kube = kube_new(loop, http, s->target, &s->kube_opts);
    up = upstream_new(loop, http, &(struct upstream_opts){.name = "Loki", .ep = ep, .kube = kube});
    loki = loki_new(loop, up, NULL);
    if (!upstream_configured(up)) {
        fprintf(stderr, "opsdeck: Loki is not configured: set loki in the platform definition "
                        "or pass --loki URL\n");
        rc = 1;
        goto out;
    }
    fetch = builds_fetch_new(loki, b,
                             &(struct builds_fetch_opts){
                                 .selector = s->platform->conv.build_log_selector,
                                 .since_ns = now - (opts->since_s ? opts->since_s : 86400) *
                                                       NS_PER_SEC,
                                 .until_ns = now,
                             },
                             on_builds_fetch, &w);
    /* Every Loki request has its own time limit, so this ends. */
    evloop_run_until(loop, evloop_flag_set, &w.done, 0);
    builds_fetch_free(fetch);
    if (!w.done || w.st.phase == BUILDS_FETCH_FAILED) {
        print_err_line("", w.done ? w.st.error : "Loki: interrupted");
        rc = 1;
        goto out;
    }
    if (w.st.warning[0])
        print_err_line("warning: ", w.st.warning);
    if (builds_problems_total(b) > 0) {
        fprintf(stderr,
                "opsdeck: warning: %zu build-log lines break the convention "
                "(README, \"Build logs\")\n",
                builds_problems_total(b));
        print_err_line("warning: last one: ", builds_problem_last(b));
    }
    builds_update(b, clock_now_ns());
    if (opts->json) {
        struct strbuf sb;

        strbuf_init(&sb);
        builds_write_json(b, &sb, false);
        strbuf_putc(&sb, '\n');
        fwrite(sb.buf, 1, sb.len, stdout);
        strbuf_done(&sb);
    } else {
        print_builds_table(b);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE)
            fprintf(stderr, "opsdeck: writing the output: %s\n", strerror(errno));
        rc = 1;
    }

out:
    builds_free(b);
    loki_free(loki);
    upstream_free(up);
    kube_free(kube);
    http_free(http);
    evloop_free(loop);
    return rc;
}

int
cli_get(struct setup *s, const struct cli_get_opts *opts)
{
    static const enum kind tenant_kinds[] = { KIND_NAMESPACE, KIND_POD, KIND_DEPLOYMENT,
                                              KIND_RESOURCEQUOTA, KIND_NETWORKPOLICY,
                                              KIND_INGRESS, KIND_SERVICE, KIND_EVENT };
    struct fetch f = { .s = s };
    struct tenants *ts = NULL;
    const char *ns = NULL;
    int64_t now, fetched_at = 0;
    int rc = 0;

    /* A reader that goes away (`get pods -A -o json | head`) must not kill
     * the process before the cache writes queued for it are committed: the
     * write fails with EPIPE instead, and the store is closed as usual. */
    if (opts->what == CLI_GET_BUILDS)
        return get_builds(s, opts);
    signal(SIGPIPE, SIG_IGN);
    if (!s->target) {
        fprintf(stderr, "opsdeck: %s\n", s->error ? s->error : "no cluster configured");
        return 1;
    }
    if (opts->what == CLI_GET_PODS && !opts->all_namespaces)
        ns = opts->ns ? opts->ns : s->target->namespace_;
    if (setup_open_store(s) != STATUS_OK) {
        if (opts->cached) {
            fprintf(stderr, "opsdeck: cannot open the cache: %s\n", status_text());
            return 1;
        }
        /* The data is still had, but the promise that a live get refreshes
         * the cache is broken: say so. */
        fprintf(stderr, "opsdeck: warning: the cache is not updated: %s\n", status_text());
        log_warn("cache unavailable: %s", status_text());
    }
    f.ckey = store_cluster_key(s->target->server, s->target->ca_fingerprint);
    f.cl = cluster_new();
    strbuf_init(&f.enc);
    if (opts->what == CLI_GET_TENANTS)
        ts = tenants_new(f.cl, &s->platform->conv);

    if (opts->cached) {
        if (opts->what == CLI_GET_NODES) {
            fetch_cached(&f, KIND_NODE);
        } else if (opts->what == CLI_GET_PODS) {
            fetch_cached(&f, KIND_POD);
        } else {
            for (size_t i = 0; i < ARRAY_SIZE(tenant_kinds); i++)
                fetch_cached(&f, tenant_kinds[i]);
        }
        if (!f.failed && f.loaded == 0) {
            f.failed = true;
            snprintf(f.error, sizeof(f.error), "nothing cached for %s (context %s)",
                     s->target->server, s->target->context);
        } else if (!f.failed && opts->what == CLI_GET_TENANTS &&
                   cluster_count(f.cl, KIND_NAMESPACE) == 0) {
            /* Every cluster has namespaces: none cached means the tenants'
             * kinds were never fetched (only pods, say), and tenants made
             * of the rest would show false problems (every policy missing). */
            f.failed = true;
            snprintf(f.error, sizeof(f.error),
                     "no namespaces cached for %s (context %s): the tenants cannot be told "
                     "from the cache",
                     s->target->server, s->target->context);
        }
        fetched_at = f.oldest ? f.oldest : clock_now();
        now = clock_now();
    } else {
        f.loop = evloop_new();
        f.http = http_new(f.loop);
        f.kube = kube_new(f.loop, f.http, s->target, &s->kube_opts);
        f.pool = parsepool_new(f.loop, 0, s->store ? PARSEPOOL_ENCODE : 0, on_parsed, &f);
        if (!f.pool) {
            fprintf(stderr, "opsdeck: %s\n", status_text());
            rc = 1;
            goto out;
        }
        if (opts->what == CLI_GET_NODES) {
            fetch_start(&f, KIND_NODE, NULL, NULL);
        } else if (opts->what == CLI_GET_PODS) {
            fetch_start(&f, KIND_POD, ns, NULL);
        } else {
            for (size_t i = 0; i < ARRAY_SIZE(tenant_kinds); i++)
                fetch_start(&f, tenant_kinds[i], NULL,
                            tenant_kinds[i] == KIND_EVENT ? "type=Warning" : NULL);
        }
        fetch_wait(&f);
        now = kube_now(f.kube);
        if (f.grouped && !f.failed) {
            /* Objects gone from the server go from the cache too, unless an
             * item of that list did not parse: then nothing of it is deleted,
             * so the cached copy of that item stays as it was. */
            for (size_t l = 0; l < f.nlists; l++)
                if (!f.lists[l].bad)
                    store_replace_end(s->store, f.ckey, kind_info(f.lists[l].kind)->resource,
                                      f.lists[l].ns);
            store_set_cluster_info(s->store, f.ckey, s->target->server,
                                   kube_server_version(f.kube), kube_last_live(f.kube));
        }
        if (f.grouped)
            store_group_end(s->store, !f.failed);
    }

    if (f.skipped > MAX_SKIP_WARNINGS)
        fprintf(stderr, "opsdeck: warning: %s: %zu items left out in all\n", s->target->server,
                f.skipped);
    if (f.failed) {
        fprintf(stderr, "opsdeck: %s: %s\n", s->target->server, f.error);
        rc = 1;
    } else {
        if (ts)
            tenants_tick(ts, now);
        if (opts->what == CLI_GET_NODES)
            print_nodes(&f, opts->json, now, fetched_at);
        else if (opts->what == CLI_GET_PODS)
            print_pods(&f, ns, opts->json, now, fetched_at);
        else
            print_tenants(ts, opts->json, fetched_at);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            if (errno != EPIPE)
                fprintf(stderr, "opsdeck: writing the output: %s\n", strerror(errno));
            rc = 1;
        }
    }
    /* Damage may show only when the writes are committed: wait for them
     * (store_close would anyway) so that its notice is printed too. */
    if (s->store && store_flush(s->store) != STATUS_OK)
        fprintf(stderr, "opsdeck: warning: the cache is not updated: %s\n", status_text());
    print_notices(s->store);

out:
    parsepool_free(f.pool);
    kube_free(f.kube);
    http_free(f.http);
    evloop_free(f.loop);
    tenants_free(ts);
    cluster_free(f.cl);
    strbuf_done(&f.enc);
    for (size_t l = 0; l < f.nlists; l++)
        free(f.lists[l].ns);
    free(f.ckey);
    return rc;
}

/*
 * query
 */

struct query_run {
    const struct cli_query_opts *opts;
    bool done;
    int rc;
};

/* `name{a="x",b="y"}` as PromQL writes a series: `name` alone when it has
 * no other label, `{}` when it has none at all. */
static void
series_text(const struct kv_list *labels, struct strbuf *out)
{
    const char *name = kv_get(labels, "__name__");
    size_t n = 0;

    strbuf_reset(out);
    if (name)
        strbuf_puts(out, name);
    for (size_t i = 0; i < labels->len; i++) {
        if (strcmp(labels->items[i].key, "__name__") == 0)
            continue;
        strbuf_printf(out, "%s%s=", n++ ? "," : "{", labels->items[i].key);
        json_escape(out, labels->items[i].value, strlen(labels->items[i].value));
    }
    if (n)
        strbuf_putc(out, '}');
    else if (!name)
        strbuf_puts(out, "{}");
}

static void
print_query(const struct prom_result *r)
{
    struct table_out t;
    struct strbuf sb;
    bool matrix = r->type == PROM_MATRIX;

    if (r->nseries == 0)
        return; /* an empty result prints nothing, as promtool does */
    strbuf_init(&sb);
    tout_init(&t, matrix ? 3 : 2);
    tout_cell(&t, r->type == PROM_SCALAR || r->type == PROM_STRING ? "TYPE" : "SERIES");
    tout_cell(&t, "VALUE");
    if (matrix)
        tout_cell(&t, "SAMPLES");
    for (size_t i = 0; i < r->nseries; i++) {
        const struct prom_series *s = &r->series[i];
        char n[32];

        if (r->type == PROM_SCALAR || r->type == PROM_STRING) {
            tout_cell(&t, prom_type_name(r->type));
        } else {
            series_text(&s->labels, &sb);
            tout_cell(&t, strbuf_str(&sb));
        }
        tout_cell(&t, s->last_text ? s->last_text : "-");
        if (matrix) {
            snprintf(n, sizeof(n), "%zu", s->nsamples);
            tout_cell(&t, n);
        }
    }
    tout_print(&t, stdout);
    strbuf_done(&sb);
}

static void
on_query(void *arg, enum status st, struct prom_result *r, const struct upstream_response *resp)
{
    struct query_run *q = arg;

    (void)resp;
    q->done = true;
    if (st != STATUS_OK) {
        fprintf(stderr, "opsdeck: %s\n", status_text());
        q->rc = 1;
        return;
    }
    for (size_t i = 0; r->warnings && r->warnings[i]; i++)
        fprintf(stderr, "opsdeck: warning: Prometheus: %s\n", r->warnings[i]);
    if (q->opts->json) {
        fwrite(r->data_raw, 1, r->data_len, stdout);
        fputc('\n', stdout);
    } else {
        print_query(r);
    }
}

int
cli_query(struct setup *s, const struct cli_query_opts *opts)
{
    const struct endpoint *ep = &s->platform->prometheus;
    struct evloop *loop = evloop_new();
    struct http *http = http_new(loop);
    struct kube *kube = NULL;
    struct upstream *u;
    struct query_run q = { .opts = opts };

    signal(SIGPIPE, SIG_IGN);
    /* Through the service proxy, the cluster's credentials are needed. */
    if (s->target && (!ep->url || !*ep->url))
        kube = kube_new(loop, http, s->target, &s->kube_opts);
    u = upstream_new(loop, http,
                     &(struct upstream_opts){ .name = "Prometheus",
                                              .ep = ep,
                                              .kube = kube,
                                              .timeout_ms = s->kube_opts.request_timeout_ms });
    if (!upstream_configured(u)) {
        fprintf(stderr, "opsdeck: Prometheus is not configured (--prometheus URL, or "
                        "prometheus in the platform definition)\n");
        q.rc = 1;
        goto out;
    }
    /* An injected clock (OPSDECK_CLOCK) is "now" for Prometheus too. */
    prom_query(u, opts->expr,
               opts->time_ms ? opts->time_ms : clock_is_injected() ? clock_now_ns() / 1000000 : 0,
               on_query, &q);
    evloop_run_until(loop, evloop_flag_set, &q.done, 0);
    if (!q.done) {
        fprintf(stderr, "opsdeck: poll: %s\n", strerror(errno));
        q.rc = 1;
    }
    if (q.rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        if (errno != EPIPE)
            fprintf(stderr, "opsdeck: writing the output: %s\n", strerror(errno));
        q.rc = 1;
    }
out:
    upstream_free(u);
    kube_free(kube);
    http_free(http);
    evloop_free(loop);
    return q.rc;
}

int
cli_info(const struct setup *s)
{
    struct strbuf sb;

    strbuf_init(&sb);
    setup_describe(s, &sb);
    fputs(strbuf_str(&sb), stdout);
    strbuf_done(&sb);
    return 0;
}

int
cli_cache_clear(struct setup *s)
{
    if (setup_open_store(s) != STATUS_OK) {
        fprintf(stderr, "opsdeck: cannot open the cache: %s\n", status_text());
        return 1;
    }
    print_notices(s->store);
    /* The log cache first: the clear then returns its pages too. */
    if (store_logs_clear(s->store) != STATUS_OK || store_cache_clear(s->store) != STATUS_OK) {
        fprintf(stderr, "opsdeck: cache clear: %s\n", status_text());
        return 1;
    }
    printf("cache cleared: %s\n", s->paths.cache_db);
    return 0;
}
