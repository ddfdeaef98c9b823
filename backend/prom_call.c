/* SPDX-License-Identifier: MIT */
/* prom_call.c - Prometheus requests over an upstream: GET, or a POST form when long */
#include "config.h"

#include "opsdeck/prom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/http.h"
#include "opsdeck/upstream.h"
#include "opsdeck/xalloc.h"

/*
 * Requests
 */

enum call_kind { CALL_QUERY, CALL_ALERTS, CALL_TARGETS };

struct prom_call {
    struct upstream_call *uc;
    bool in_cb; /* its callback runs: freed when it returns */
    enum call_kind kind;
    union {
        prom_query_cb query;
        prom_alerts_cb alerts;
        prom_targets_cb targets;
    } cb;
    void *arg;
};

/* "Prometheus: <error>", unless the upstream already named itself. */
static enum status
fail_line(enum status st, const char *error)
{
    static const char name[] = "Prometheus: ";

    if (strncmp(error, name, sizeof(name) - 1) == 0)
        return status_fail(st, "%s", error);
    return status_fail(st, "%s%s", name, error);
}

static void
on_response(void *arg, const struct upstream_response *resp)
{
    struct prom_call *c = arg;
    enum status st = resp->result;

    if (st != STATUS_OK)
        fail_line(st, resp->error[0] ? resp->error : status_message(st));
    else if (resp->proxy_error)
        st = fail_line(STATUS_HTTP, resp->error[0] ? resp->error : "service proxy error");
    c->in_cb = true;
    switch (c->kind) {
    case CALL_QUERY: {
        struct prom_result r = {0};
        if (st == STATUS_OK)
            st = prom_parse_query(resp->body, resp->len, resp->http_status, resp->content_type, &r);
        c->cb.query(c->arg, st, &r, resp);
        prom_result_done(&r);
        break;
    }
    case CALL_ALERTS: {
        struct prom_alerts a = {0};
        if (st == STATUS_OK)
            st =
                prom_parse_alerts(resp->body, resp->len, resp->http_status, resp->content_type, &a);
        c->cb.alerts(c->arg, st, &a, resp);
        prom_alerts_done(&a);
        break;
    }
    case CALL_TARGETS: {
        struct prom_targets t = {0};
        if (st == STATUS_OK)
            st = prom_parse_targets(resp->body, resp->len, resp->http_status, resp->content_type,
                                    &t);
        c->cb.targets(c->arg, st, &t, resp);
        prom_targets_done(&t);
        break;
    }
    }
    free(c);
}

/* GET path?form, or POST form when it is long. */
static struct prom_call *
send_form(struct upstream *u, const char *path, const char *form, struct prom_call *c)
{
    if (strlen(form) > PROM_GET_MAX) {
        c->uc = upstream_post_form(u, path, form, on_response, c);
    } else {
        char *pq = xasprintf("%s?%s", path, form);
        c->uc = upstream_get(u, pq, on_response, c);
        free(pq);
    }
    return c;
}

static struct prom_call *
call_new(enum call_kind kind, void *arg)
{
    struct prom_call *c = xcalloc(1, sizeof(*c));

    c->kind = kind;
    c->arg = arg;
    return c;
}

struct prom_call *
prom_query(struct upstream *u, const char *expr, int64_t time_ms, prom_query_cb cb, void *arg)
{
    struct prom_call *c = call_new(CALL_QUERY, arg);
    char *q = http_escape(expr), *form;

    c->cb.query = cb;
    if (time_ms)
        form = xasprintf("query=%s&time=%lld.%03lld", q, (long long)(time_ms / 1000),
                         (long long)(time_ms % 1000));
    else
        form = xasprintf("query=%s", q);
    send_form(u, "/api/v1/query", form, c);
    free(form);
    free(q);
    return c;
}

struct prom_call *
prom_query_range(struct upstream *u, const char *expr, int64_t start_s, int64_t end_s,
                 int64_t step_s, prom_query_cb cb, void *arg)
{
    struct prom_call *c = call_new(CALL_QUERY, arg);
    char *q = http_escape(expr), *form;

    c->cb.query = cb;
    form = xasprintf("query=%s&start=%lld&end=%lld&step=%lld", q, (long long)start_s,
                     (long long)end_s, (long long)step_s);
    send_form(u, "/api/v1/query_range", form, c);
    free(form);
    free(q);
    return c;
}

struct prom_call *
prom_get_alerts(struct upstream *u, prom_alerts_cb cb, void *arg)
{
    struct prom_call *c = call_new(CALL_ALERTS, arg);

    c->cb.alerts = cb;
    c->uc = upstream_get(u, "/api/v1/alerts", on_response, c);
    return c;
}

struct prom_call *
prom_get_targets(struct upstream *u, prom_targets_cb cb, void *arg)
{
    struct prom_call *c = call_new(CALL_TARGETS, arg);

    c->cb.targets = cb;
    c->uc = upstream_get(u, "/api/v1/targets?state=active", on_response, c);
    return c;
}

void
prom_cancel(struct prom_call *c)
{
    if (!c)
        return;
    if (c->in_cb)
        return;
    upstream_cancel(c->uc);
    free(c);
}
