/* SPDX-License-Identifier: MIT */
/* kube.h - Kubernetes API client: auth, discovery, get, list, watch */
#ifndef OPSDECK_KUBE_H
#define OPSDECK_KUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/status.h"

struct evloop;
struct http;
struct kube_target;

/*
 * One client per (server, user). Authenticates with what the target holds:
 * bearer token, tokenFile (re-read), basic auth, client certificate, or an
 * exec plugin (execcred: cached until expiry, re-run once on a 401). TLS is
 * verified with the target's CA unless it says insecure-skip-tls-verify.
 * Every failure becomes one readable line (kube_error_line) and moves the
 * connection state, which the header shows.
 */
enum kube_state {
    KUBE_CONNECTING,            /* nothing answered yet */
    KUBE_LIVE,                  /* the last request got an answer */
    KUBE_OFFLINE,               /* unreachable, timing out, or a gateway's 502/503/504
                                   without a Status body */
    KUBE_UNAUTHORIZED,          /* 401 */
    KUBE_FORBIDDEN,             /* 403 while nothing else works (a 403 on one
                                   resource of a live server stays that request's
                                   error: the informers show it) */
    KUBE_EXPIRED,               /* credentials expired (exec expiry, client cert notAfter) */
    KUBE_TLS_ERROR,             /* certificate verification failed */
    KUBE_CRED_ERROR,            /* exec plugin failed or was cancelled */
};
const char *kube_state_name(enum kube_state st);   /* "live", "offline", "401", … */

struct kube_opts {
    long request_timeout_ms;    /* ordinary requests, total; default 30000 */
    size_t max_response;        /* per response body; default 256 MiB */
    size_t max_event;           /* per watch event line; default 16 MiB */
    int watch_timeout_s;        /* timeoutSeconds sent on watches; default 300 */
    int watch_idle_s;           /* a watch silent this long is dropped (low-speed
                                   guard, longer than the ~1 min bookmark interval);
                                   default 150 */
    int page_size;              /* list limit; default 500 */
};

/* Result of a finished operation. */
struct kube_result {
    enum status st;             /* OK, HTTP, JSON, TIMEOUT, UNREACHABLE, TLS, AUTH,
                                   FORBIDDEN, NOTFOUND, EXPIRED (410), TOOLARGE, … */
    long http_status;           /* 0 when no answer */
    char reason[48];            /* Status.reason ("Expired", "Forbidden") or "" */
    char error[512];            /* one readable line, "" on success */
};

struct kube;
struct kube_op;

/* target is copied; loop and http must outlive the client; opts may be NULL. */
struct kube *kube_new(struct evloop *loop, struct http *http, const struct kube_target *target,
                      const struct kube_opts *opts);
/* Cancels every operation (no callbacks) and frees. NULL is a no-op. Not
 * from inside one of its callbacks. */
void kube_free(struct kube *k);
/* The loop it was made with (borrowed). */
struct evloop *kube_loop(const struct kube *k);

enum kube_state kube_state(const struct kube *k);
/* Detail of the state ("401 Unauthorized: token expired", "connect to
 * 127.0.0.1:6443 refused"). Borrowed. */
const char *kube_state_detail(const struct kube *k);
/* Wall-clock time of the last successful answer (0: never). */
int64_t kube_last_live(const struct kube *k);
typedef void (*kube_state_cb)(void *arg);
/* One observer: called after every state change. */
void kube_on_state(struct kube *k, kube_state_cb cb, void *arg);

/* The API server's clock (our clock corrected by its Date header). */
int64_t kube_now(const struct kube *k);
/* From /version: "v1.31.4+k3s1", or NULL before discovery. Borrowed. */
const char *kube_server_version(const struct kube *k);
/* The simulated platform says so in /version. */
bool kube_simulated(const struct kube *k);

/* GET /version and the discovery documents of the groups in KIND_INFO;
 * done is called once (st OK when the server answered /version). Kinds the
 * server does not serve are remembered (kube_serves). */
typedef void (*kube_done_cb)(void *arg, const struct kube_result *res);
struct kube_op *kube_discover(struct kube *k, kube_done_cb done, void *arg);
bool kube_serves(const struct kube *k, enum kind kind);

/* "/api/v1/namespaces/ns/pods[/name]" for kind (ns NULL: all namespaces or
 * cluster-scoped; name NULL: the collection). Caller frees. */
char *kube_path(const struct kube *k, enum kind kind, const char *ns, const char *name);

/* GET path (with query); cb receives the body (borrowed) on 2xx, else a
 * result with the error line. */
typedef void (*kube_body_cb)(void *arg, const struct kube_result *res, const char *body,
                             size_t len);
struct kube_op *kube_get(struct kube *k, const char *path, kube_body_cb cb, void *arg);

struct kube_selectors {
    const char *label;          /* labelSelector, or NULL */
    const char *field;          /* fieldSelector, or NULL */
};

/* One page of a list. doc and items are borrowed for the callback. */
struct kube_page {
    const struct json_doc *doc;
    uint32_t items;             /* the items array token */
    const char *rv;             /* list resourceVersion */
    bool last;                  /* no continue token */
    int64_t remaining;          /* remainingItemCount, -1 when absent */
    unsigned index;             /* 0 for the first page; a list restarted after
                                   an expired continue token starts at 0 again */
};
typedef void (*kube_page_cb)(void *arg, const struct kube_page *page);
/* done: after the last page, or on failure (a failed list restarts nothing:
 * the caller decides). rv is the list's resourceVersion on success. */
typedef void (*kube_list_done_cb)(void *arg, const struct kube_result *res, const char *rv);
/* Lists kind with limit/continue paging. Pages arrive in order; the next
 * page is requested as soon as the continue token is known, so parsing
 * overlaps the transfer. An expired continue token (410) restarts the list
 * from the beginning once, then fails. */
struct kube_op *kube_list(struct kube *k, enum kind kind, const char *ns,
                          const struct kube_selectors *sel, kube_page_cb page,
                          kube_list_done_cb done, void *arg);

enum watch_type {
    WATCH_OPEN,                 /* the server accepted the watch (HTTP 200): doc
                                   NULL, object JSON_NONE, rv the starting one */
    WATCH_ADDED,
    WATCH_MODIFIED,
    WATCH_DELETED,
    WATCH_BOOKMARK,             /* only rv matters */
    WATCH_ERROR,                /* never delivered (see below) */
};
/* object is the event's object token in doc (borrowed for the call); rv the
 * last metadata.resourceVersion seen on this watch (borrowed). ERROR events
 * are not delivered: they end the watch (410 / Expired / Gone -> end with
 * STATUS_EXPIRED). */
typedef void (*kube_event_cb)(void *arg, enum watch_type type, const struct json_doc *doc,
                              uint32_t object, const char *rv);
/* end: st OK = the server closed the watch cleanly (reconnect from the last
 * rv); EXPIRED = relist; anything else = error. */
struct kube_op *kube_watch(struct kube *k, enum kind kind, const char *ns,
                           const struct kube_selectors *sel, const char *rv,
                           kube_event_cb event, kube_done_cb end, void *arg);

/* Cancels an operation: no callback afterwards. Safe from inside its own
 * callbacks. A handle is valid until its final callback (get's cb, list's
 * done, discover's done, watch's end) returns. NULL is a no-op. */
void kube_op_cancel(struct kube_op *op);
/* Operations in flight (lists, gets; watches are not counted). */
size_t kube_pending(const struct kube *k);

/* A Kubernetes error as one line: "404 NotFound: services \"x\" not found"
 * from a Status body, "502 Bad Gateway: non-JSON reply (text/html): <first
 * printable bytes>" otherwise. */
void kube_error_line(long http_status, const char *body, size_t len, const char *content_type,
                     char *out, size_t size);

/*
 * Newline framing for watch bodies: bytes arrive in arbitrary runs; every
 * complete line (without the '\n', not NUL-terminated, borrowed for the
 * call) is passed to cb. When cb returns false the rest of that run is
 * dropped. Lines longer than max make linebuf_feed fail with
 * STATUS_TOOLARGE (status_text() says so) without buffering them.
 */
struct linebuf {
    struct strbuf buf;
    size_t max;
};
void linebuf_init(struct linebuf *lb, size_t max);
void linebuf_done(struct linebuf *lb);
typedef bool (*linebuf_cb)(void *arg, const char *line, size_t len);  /* false stops */
enum status linebuf_feed(struct linebuf *lb, const char *data, size_t len, linebuf_cb cb,
                         void *arg);

#endif /* OPSDECK_KUBE_H */
