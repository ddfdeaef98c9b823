/* SPDX-License-Identifier: MIT */
/* podlog.c - a pod's log streamed from the API server, in the Loki client's batch shape */
#include "config.h"

#include "opsdeck/podlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/http.h"
#include "opsdeck/kube.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "loki_priv.h"

#define PODLOG_MAX_LINE (1024 * 1024)

struct podlog {
    struct kube_op *op;
    loki_batch_cb batch;
    loki_done_cb done;
    void *arg;
    struct loki_interner in;
    const struct loki_labels *stream;
    size_t max_line;

    struct strbuf partial; /* a line still without its newline */
    bool skipping;         /* the rest of an over-long line is dropped */
    struct strbuf lines;   /* this chunk's lines, NUL-separated */
    struct loki_entry *ents;
    size_t n, cap;
    size_t *offs;
    int64_t last_ts;
    unsigned page;
    struct loki_result res;

    int depth;
    bool dead;
};

char *
podlog_path(const struct podlog_opts *o)
{
    struct strbuf sb = {0};
    char *ns = http_escape(o->ns ? o->ns : "");
    char *pod = http_escape(o->pod ? o->pod : "");

    strbuf_printf(&sb, "/api/v1/namespaces/%s/pods/%s/log?timestamps=true", ns, pod);
    free(ns);
    free(pod);
    if (o->container && *o->container) {
        char *c = http_escape(o->container);

        strbuf_printf(&sb, "&container=%s", c);
        free(c);
    }
    if (o->follow)
        strbuf_puts(&sb, "&follow=true");
    if (o->previous)
        strbuf_puts(&sb, "&previous=true");
    if (o->since_ns > 0) {
        char t[64];
        char *e;

        time_format_rfc3339(o->since_ns / NS_PER_SEC, t, sizeof(t));
        e = http_escape(t);
        strbuf_printf(&sb, "&sinceTime=%s", e);
        free(e);
    } else if (o->tail_lines >= 0) {
        strbuf_printf(&sb, "&tailLines=%ld", o->tail_lines ? o->tail_lines : 1000L);
    }
    return strbuf_detach(&sb);
}

/* Adds one complete line (without its newline) to this chunk's batch. */
static void
add_line(struct podlog *p, const char *s, size_t len)
{
    int64_t ts = p->last_ts;
    const char *sp = memchr(s, ' ', len < 64 ? len : 64);

    if (len && s[len - 1] == '\r')
        len--;
    if (sp) {
        char buf[64];

        memcpy(buf, s, (size_t)(sp - s));
        buf[sp - s] = '\0';
        if (time_parse_rfc3339(buf, &ts)) {
            len -= (size_t)(sp - s) + 1;
            s = sp + 1;
        } else {
            ts = p->last_ts;
        }
    }
    if (len > p->max_line)
        len = p->max_line;
    p->last_ts = ts;
    p->ents = xgrow(p->ents, &p->cap, p->n + 1, sizeof(*p->ents));
    p->offs = xrealloc(p->offs, p->cap * sizeof(*p->offs));
    p->ents[p->n].ts = ts;
    p->ents[p->n].stream = p->stream;
    p->ents[p->n].len = len;
    p->offs[p->n] = p->lines.len;
    strbuf_append(&p->lines, s, len);
    strbuf_putc(&p->lines, '\0');
    p->n++;
}

/* Splits data into lines; a line over max_line (plus room for its
 * timestamp) is cut there and the rest of it dropped. */
static void
split(struct podlog *p, const char *data, size_t len)
{
    size_t cap = p->max_line + 64;

    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;

        if (!p->skipping) {
            size_t room = cap - p->partial.len;

            strbuf_append(&p->partial, data, take < room ? take : room);
            if (take >= room && !nl) {
                add_line(p, p->partial.buf, p->partial.len);
                strbuf_reset(&p->partial);
                p->skipping = true;
            } else if (nl) {
                add_line(p, p->partial.buf ? p->partial.buf : "", p->partial.len);
                strbuf_reset(&p->partial);
            }
        }
        if (nl) {
            p->skipping = false;
            take++;
        }
        data += take;
        len -= take;
    }
}

static bool
deliver(struct podlog *p)
{
    struct loki_batch b = {0};
    bool go;

    if (p->n == 0)
        return true;
    for (size_t i = 0; i < p->n; i++)
        p->ents[i].line = p->lines.buf + p->offs[i];
    b.entries = p->ents;
    b.n = p->n;
    b.page = p->page++;
    p->res.entries += p->n;
    p->depth++;
    go = p->batch(p->arg, &b);
    p->depth--;
    p->n = 0;
    strbuf_reset(&p->lines);
    if (p->dead) {
        if (p->depth == 0)
            podlog_free(p);
        return false;
    }
    return go;
}

static bool
on_data(void *arg, const char *data, size_t len)
{
    struct podlog *p = arg;

    split(p, data, len);
    return deliver(p);
}

static void
on_done(void *arg, const struct kube_result *res)
{
    struct podlog *p = arg;

    p->op = NULL;
    if (p->dead)
        return;
    if (res->st == STATUS_OK && p->partial.len) {
        add_line(p, p->partial.buf, p->partial.len);
        strbuf_reset(&p->partial);
        if (!deliver(p) && p->dead)
            return;
    }
    p->res.st = res->st;
    p->res.http_status = res->http_status;
    snprintf(p->res.error, sizeof(p->res.error), "%s", res->error);
    p->depth++;
    if (p->done)
        p->done(p->arg, &p->res);
    p->depth--;
    if (p->dead && p->depth == 0)
        podlog_free(p);
}

struct podlog *
podlog_start(struct kube *k, const struct podlog_opts *opts, loki_batch_cb batch, loki_done_cb done,
             void *arg)
{
    struct podlog *p = xcalloc(1, sizeof(*p));
    const char *keys[5], *vals[5];
    size_t n = 0;
    char *path;

    p->batch = batch;
    p->done = done;
    p->arg = arg;
    p->max_line = opts->max_line ? opts->max_line : PODLOG_MAX_LINE;
    loki_interner_init(&p->in);
    keys[n] = "namespace", vals[n++] = opts->ns ? opts->ns : "";
    keys[n] = "pod", vals[n++] = opts->pod ? opts->pod : "";
    if (opts->container && *opts->container)
        keys[n] = "container", vals[n++] = opts->container;
    if (opts->app && *opts->app)
        keys[n] = "app", vals[n++] = opts->app;
    keys[n] = vals[n] = NULL;
    p->stream = loki_intern_strv(&p->in, keys, vals);
    path = podlog_path(opts);
    p->op = kube_stream(k, path, 0, on_data, on_done, p);
    free(path);
    return p;
}

void
podlog_free(struct podlog *p)
{
    if (!p)
        return;
    if (p->depth > 0) {
        /* From inside a callback: stop now, free when it returns. */
        if (!p->dead) {
            p->dead = true;
            kube_op_cancel(p->op);
            p->op = NULL;
        }
        return;
    }
    kube_op_cancel(p->op);
    loki_interner_done(&p->in);
    strbuf_done(&p->partial);
    strbuf_done(&p->lines);
    free(p->ents);
    free(p->offs);
    free(p);
}
