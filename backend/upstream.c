/* SPDX-License-Identifier: MIT */
/* upstream.c - Loki and Prometheus reached by URL or through the API server's service proxy */

#include "config.h"

#include "opsdeck/upstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/kube.h"
#include "opsdeck/log.h"
#include "opsdeck/macros.h"
#include "opsdeck/platform.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define MAX_SECRET_FILE 65536
#define QUOTED_BYTES 160

struct upstream {
    struct evloop *loop;
    struct http *http;
    struct kube *kube;          /* borrowed; service endpoints only */
    char *name;
    char *describe;
    /* URL endpoint */
    char *base_url;             /* without a trailing '/' */
    char *username;
    char *password;
    char *password_file;
    char *bearer_token;
    char *bearer_token_file;
    char *ca_pem;               /* read from ca_file at creation */
    size_t ca_len;
    char *ca_error;             /* why ca_file could not be read, or NULL */
    bool insecure;
    /* service endpoint */
    char *proxy_base;           /* "/api/v1/namespaces/ns/services/name:port/proxy" */
    char *org_header;           /* "X-Scope-OrgID: …", or NULL */
    long timeout_ms;
    size_t max_body;

    enum upstream_state state;
    char detail[512];
    int64_t last_live;
    upstream_state_cb state_cb;
    void *state_arg;
    struct upstream_stats stats;
    struct upstream_call *calls;
};

struct upstream_call {
    struct upstream *u;
    struct upstream_call *prev, *next;
    char *path;
    struct http_req *req;       /* URL endpoint */
    struct kube_op *op;         /* service endpoint */
    struct ev_timer *fail;      /* a call that could not start fails from the loop */
    struct upstream_response early;
    upstream_cb cb;
    void *arg;
    struct strbuf body;         /* URL endpoint: the body as it arrives */
    bool too_large;
    bool delivering;            /* cb on the stack: freed when it returns */
};

const char *
upstream_state_name(enum upstream_state st)
{
    switch (st) {
    case UPSTREAM_UNCONFIGURED:
        return "not configured";
    case UPSTREAM_CONNECTING:
        return "connecting";
    case UPSTREAM_LIVE:
        return "live";
    case UPSTREAM_OFFLINE:
        return "offline";
    case UPSTREAM_UNAUTHORIZED:
        return "401";
    case UPSTREAM_FORBIDDEN:
        return "403";
    case UPSTREAM_TLS_ERROR:
        return "TLS error";
    }
    return "?";
}

static void
set_state(struct upstream *u, enum upstream_state st, const char *detail)
{
    if (!detail)
        detail = "";
    if (st == UPSTREAM_LIVE)
        u->last_live = clock_now();
    if (u->state == st && strcmp(u->detail, detail) == 0)
        return;
    if (st != UPSTREAM_LIVE)
        log_info("%s %s: %s %s", u->name, u->describe, upstream_state_name(st), detail);
    else
        log_info("%s %s: live", u->name, u->describe);
    u->state = st;
    snprintf(u->detail, sizeof(u->detail), "%s", detail);
    if (u->state_cb)
        u->state_cb(u->state_arg);
}

/* "401 Unauthorized: no org id": the status, its phrase and the first
 * printable bytes of the body (tags of an HTML page dropped, whitespace
 * runs folded), for messages and the header. */
static void
error_line(long status, const char *body, size_t len, char *out, size_t size)
{
    struct strbuf sb;
    bool in_tag = false, space = false;
    size_t kept = 0;

    strbuf_init(&sb);
    strbuf_printf(&sb, "%ld %s", status, http_reason_phrase(status));
    for (size_t i = 0; i < len && kept < QUOTED_BYTES; i++) {
        unsigned char ch = (unsigned char)body[i];

        if (ch == '<') {
            in_tag = true;
            continue;
        }
        if (in_tag) {
            in_tag = ch != '>';
            space = space || !in_tag;
            continue;
        }
        if (ch <= ' ' || ch >= 0x7f) {
            space = true;
            continue;
        }
        strbuf_puts(&sb, kept == 0 ? ": " : space ? " " : "");
        strbuf_putc(&sb, (char)ch);
        space = false;
        kept++;
    }
    snprintf(out, size, "%s", strbuf_str(&sb));
    strbuf_done(&sb);
}

/* A Kubernetes Status object: "kind" : "Status" somewhere in a JSON body
 * (the API server's own error, not the proxied service's answer). */
static bool
is_kube_status(const char *body, size_t len)
{
    static const char key[] = "\"kind\"";
    const char *p = body, *end = body + len;

    while ((p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1))) {
        p += sizeof(key) - 1;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p >= end || *p++ != ':')
            continue;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if ((size_t)(end - p) >= 8 && memcmp(p, "\"Status\"", 8) == 0)
            return true;
    }
    return false;
}

/* Moves the state after an answer (or its absence). */
static void
note_answer(struct upstream *u, struct upstream_response *r)
{
    char line[512];

    if (r->result != STATUS_OK) {
        set_state(u, r->result == STATUS_TLS ? UPSTREAM_TLS_ERROR : UPSTREAM_OFFLINE, r->error);
        return;
    }
    if (r->via_proxy && r->http_status >= 400 && is_kube_status(r->body, r->len)) {
        char kline[480];

        r->proxy_error = true;
        kube_error_line(r->http_status, r->body, r->len, r->content_type, kline, sizeof(kline));
        snprintf(r->error, sizeof(r->error), "API server: %s", kline);
        set_state(u, r->http_status == 401   ? UPSTREAM_UNAUTHORIZED
                     : r->http_status == 403 ? UPSTREAM_FORBIDDEN
                                             : UPSTREAM_OFFLINE,
                  r->error);
        return;
    }
    if (r->http_status == 401 || r->http_status == 403) {
        error_line(r->http_status, r->body, r->len, line, sizeof(line));
        set_state(u, r->http_status == 401 ? UPSTREAM_UNAUTHORIZED : UPSTREAM_FORBIDDEN, line);
        return;
    }
    if ((r->http_status == 502 || r->http_status == 503 || r->http_status == 504) &&
        strncmp(r->content_type, "text/html", 9) == 0) {
        /* A gateway in front of the service answered for it. */
        error_line(r->http_status, r->body, r->len, line, sizeof(line));
        set_state(u, UPSTREAM_OFFLINE, line);
        return;
    }
    set_state(u, UPSTREAM_LIVE, NULL);
}

static void
call_unlink(struct upstream_call *c)
{
    struct upstream *u = c->u;

    if (c->prev)
        c->prev->next = c->next;
    else
        u->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void
call_free(struct upstream_call *c)
{
    if (!c)
        return;
    if (c->req)
        http_cancel(c->req);
    if (c->op)
        kube_op_cancel(c->op);
    ev_timer_free(c->fail);
    strbuf_done(&c->body);
    free(c->path);
    free(c);
}

static void
deliver(struct upstream_call *c, struct upstream_response *r)
{
    struct upstream *u = c->u;

    u->stats.bytes_in += r->bytes_in;
    note_answer(u, r);
    call_unlink(c);
    c->req = NULL;
    c->op = NULL;
    c->delivering = true;
    c->cb(c->arg, r);
    call_free(c);
}

static void
fail_timer(void *arg)
{
    struct upstream_call *c = arg;

    /* Nothing was asked of the service; but a token file we cannot read or
     * a cluster we do not have is why it cannot be reached. */
    if (c->early.result == STATUS_AUTH)
        set_state(c->u, UPSTREAM_UNAUTHORIZED, c->early.error);
    else if (upstream_configured(c->u))
        set_state(c->u, UPSTREAM_OFFLINE, c->early.error);
    call_unlink(c);
    c->delivering = true;
    c->cb(c->arg, &c->early);
    call_free(c);
}

static struct upstream_call *
call_new(struct upstream *u, const char *path, upstream_cb cb, void *arg)
{
    struct upstream_call *c = xcalloc(1, sizeof(*c));

    c->u = u;
    c->path = xstrdup(path);
    c->cb = cb;
    c->arg = arg;
    strbuf_init(&c->body);
    c->next = u->calls;
    if (u->calls)
        u->calls->prev = c;
    u->calls = c;
    u->stats.requests++;
    return c;
}

/* what: why the call cannot start; the message is "<name>: <what>". */
static struct upstream_call *
call_fail_later(struct upstream_call *c, enum status st, const char *what)
{
    c->early.result = st;
    c->early.body = "";
    c->early.content_type = "";
    snprintf(c->early.error, sizeof(c->early.error), "%s: %s", c->u->name, what);
    c->fail = ev_timer_new(c->u->loop, fail_timer, c);
    ev_timer_arm(c->fail, 0);
    return c;
}

/*
 * By URL
 */

static bool
url_data(void *arg, const char *data, size_t len)
{
    struct upstream_call *c = arg;

    if (len > c->u->max_body - c->body.len) {
        c->too_large = true;
        return false;
    }
    strbuf_append(&c->body, data, len);
    return true;
}

static void
url_done(void *arg, const struct http_response *resp)
{
    struct upstream_call *c = arg;
    struct upstream_response r = {
        .result = resp->result, .http_status = resp->status, .body = strbuf_str(&c->body),
        .len = c->body.len, .content_type = resp->content_type, .bytes_in = resp->bytes_in,
    };

    if (c->too_large) {
        r.result = STATUS_TOOLARGE;
        snprintf(r.error, sizeof(r.error), "%s: reply larger than %zu bytes", c->u->name,
                 c->u->max_body);
    } else if (r.result != STATUS_OK) {
        snprintf(r.error, sizeof(r.error), "%s", resp->error);
    }
    deliver(c, &r);
}

/* A secret from a file, trimmed of surrounding whitespace; NULL with
 * status_text() when unreadable. Caller frees. */
static char *
read_secret(const char *path)
{
    struct strbuf sb;
    char *s, *end;

    strbuf_init(&sb);
    if (strbuf_read_file(&sb, path, MAX_SECRET_FILE, true) != STATUS_OK) {
        strbuf_done(&sb);
        return NULL;
    }
    s = strbuf_detach(&sb);
    end = s + strlen(s);
    while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

static struct upstream_call *
url_submit(struct upstream *u, const char *method, const char *path, const char *body,
           const char *content_type, upstream_cb cb, void *arg)
{
    struct upstream_call *c = call_new(u, path, cb, arg);
    struct http_tls tls = { .ca_pem = u->ca_pem, .ca_len = u->ca_len, .insecure = u->insecure };
    char *ctype = content_type ? xasprintf("Content-Type: %s", content_type) : NULL;
    const char *headers[4] = { "User-Agent: opsdeck/" PACKAGE_VERSION };
    size_t nh = 1;
    char *token = NULL, *password = NULL, *url;

    if (u->ca_error) {
        free(ctype);
        return call_fail_later(c, STATUS_CONFIG, u->ca_error);
    }
    if ((u->bearer_token_file && !(token = read_secret(u->bearer_token_file))) ||
        (u->password_file && !(password = read_secret(u->password_file)))) {
        free(ctype);
        free(token);
        return call_fail_later(c, STATUS_AUTH, status_text());
    }
    if (u->org_header)
        headers[nh++] = u->org_header;
    if (ctype)
        headers[nh++] = ctype;
    url = xasprintf("%s%s", u->base_url, path);
    c->req = http_submit(u->http, &(struct http_request){
                                      .method = method,
                                      .url = url,
                                      .headers = headers,
                                      .body = body,
                                      .body_len = body ? strlen(body) : 0,
                                      .tls = &tls,
                                      .bearer_token = token ? token : u->bearer_token,
                                      .username = u->username,
                                      .password = password ? password : u->password,
                                      .gzip = true,
                                      .timeout_ms = u->timeout_ms,
                                      .max_body = u->max_body,
                                      .on_data = url_data,
                                      .on_done = url_done,
                                      .arg = c,
                                  });
    free(url);
    free(ctype);
    free(token);
    free(password);
    return c;
}

/*
 * Through the service proxy
 */

static void
proxy_done(void *arg, const struct kube_raw_answer *a)
{
    struct upstream_call *c = arg;
    struct upstream_response r = {
        .result = a->st, .http_status = a->http_status, .body = a->body ? a->body : "",
        .len = a->len, .content_type = a->content_type ? a->content_type : "",
        .via_proxy = true, .bytes_in = a->bytes_in,
    };

    if (a->st != STATUS_OK)
        snprintf(r.error, sizeof(r.error), "%s", a->error);
    c->op = NULL;
    deliver(c, &r);
}

static struct upstream_call *
proxy_submit(struct upstream *u, const char *method, const char *path, const char *body,
             const char *content_type, upstream_cb cb, void *arg)
{
    struct upstream_call *c = call_new(u, path, cb, arg);
    char *ctype = content_type ? xasprintf("Content-Type: %s", content_type) : NULL;
    const char *headers[3] = { 0 };
    size_t nh = 0;
    char *full;

    if (!u->kube) {
        free(ctype);
        return call_fail_later(c, STATUS_CONFIG, "no cluster to reach its service through");
    }
    if (u->org_header)
        headers[nh++] = u->org_header;
    if (ctype)
        headers[nh++] = ctype;
    full = xasprintf("%s%s", u->proxy_base, path);
    c->op = kube_request_raw(u->kube, method, full, headers, body, body ? strlen(body) : 0,
                             u->timeout_ms, u->max_body, proxy_done, c);
    free(full);
    free(ctype);
    return c;
}

/*
 * Public
 */

struct upstream *
upstream_new(struct evloop *loop, struct http *http, const struct upstream_opts *opts)
{
    struct upstream *u = xcalloc(1, sizeof(*u));
    const struct endpoint *ep = opts->ep;

    u->loop = loop;
    u->http = http;
    u->kube = opts->kube;
    u->name = xstrdup(opts->name ? opts->name : "upstream");
    u->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    u->max_body = opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
    u->state = UPSTREAM_UNCONFIGURED;
    if (ep && ep->org_id && *ep->org_id)
        u->org_header = xasprintf("X-Scope-OrgID: %s", ep->org_id);
    if (ep && ep->url && *ep->url) {
        size_t n = strlen(ep->url);

        while (n > 0 && ep->url[n - 1] == '/')
            n--;
        u->base_url = xstrndup(ep->url, n);
        u->describe = xstrdup(u->base_url);
        u->username = xstrdup(ep->username);
        u->password = xstrdup(ep->password);
        u->password_file = xstrdup(ep->password_file);
        u->bearer_token = xstrdup(ep->bearer_token);
        u->bearer_token_file = xstrdup(ep->bearer_token_file);
        u->insecure = ep->insecure;
        if (ep->ca_file) {
            struct strbuf sb;

            strbuf_init(&sb);
            if (strbuf_read_file(&sb, ep->ca_file, 1 << 20, false) != STATUS_OK) {
                u->ca_error = xasprintf("CA file: %s", status_text());
                strbuf_done(&sb);
            } else {
                u->ca_len = sb.len;
                u->ca_pem = strbuf_detach(&sb);
            }
        }
        u->state = UPSTREAM_CONNECTING;
    } else if (ep && ep->service && *ep->service) {
        u->proxy_base = platform_proxy_path(ep);
        u->describe = xasprintf("%s (service proxy)", ep->service);
        u->state = UPSTREAM_CONNECTING;
    } else {
        u->describe = xstrdup("not configured");
    }
    return u;
}

void
upstream_free(struct upstream *u)
{
    if (!u)
        return;
    while (u->calls) {
        struct upstream_call *c = u->calls;

        call_unlink(c);
        call_free(c);
    }
    free(u->name);
    free(u->describe);
    free(u->base_url);
    free(u->username);
    free(u->password);
    free(u->password_file);
    free(u->bearer_token);
    free(u->bearer_token_file);
    free(u->ca_pem);
    free(u->ca_error);
    free(u->proxy_base);
    free(u->org_header);
    free(u);
}

static struct upstream_call *
submit(struct upstream *u, const char *method, const char *path, const char *body,
       const char *content_type, upstream_cb cb, void *arg)
{
    if (u->base_url)
        return url_submit(u, method, path, body, content_type, cb, arg);
    if (u->proxy_base)
        return proxy_submit(u, method, path, body, content_type, cb, arg);
    return call_fail_later(call_new(u, path, cb, arg), STATUS_CONFIG, "not configured");
}

struct upstream_call *
upstream_get(struct upstream *u, const char *path_query, upstream_cb cb, void *arg)
{
    return submit(u, NULL, path_query, NULL, NULL, cb, arg);
}

struct upstream_call *
upstream_post_form(struct upstream *u, const char *path, const char *body, upstream_cb cb,
                   void *arg)
{
    return submit(u, "POST", path, body ? body : "", "application/x-www-form-urlencoded", cb,
                  arg);
}

void
upstream_cancel(struct upstream_call *c)
{
    if (!c || c->delivering)
        return;
    call_unlink(c);
    call_free(c);
}

size_t
upstream_pending(const struct upstream *u)
{
    size_t n = 0;

    for (const struct upstream_call *c = u->calls; c; c = c->next)
        n++;
    return n;
}

bool
upstream_configured(const struct upstream *u)
{
    return u->base_url || u->proxy_base;
}

const char *
upstream_describe(const struct upstream *u)
{
    return u->describe;
}

const char *
upstream_name(const struct upstream *u)
{
    return u->name;
}

enum upstream_state
upstream_state(const struct upstream *u)
{
    return u->state;
}

const char *
upstream_state_detail(const struct upstream *u)
{
    return u->detail;
}

int64_t
upstream_last_live(const struct upstream *u)
{
    return u->last_live;
}

void
upstream_on_state(struct upstream *u, upstream_state_cb cb, void *arg)
{
    u->state_cb = cb;
    u->state_arg = arg;
}

void
upstream_stats(const struct upstream *u, struct upstream_stats *out)
{
    *out = u->stats;
}
