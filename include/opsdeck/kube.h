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
 * an exec plugin (execcred: cached until expiry; on a 401 the credential is
 * refreshed and the request sent again, once), else token, else tokenFile
 * (re-read whenever the file changes, and after a 401), else basic auth; a
 * client certificate (the target's, or the plugin's) goes with any of them.
 * TLS is verified with the target's CA (only that CA) unless it says
 * insecure-skip-tls-verify; tls-server-name and proxy-url are honoured;
 * gzip unless disable-compression. Requests send Accept: application/json.
 * 429/503 with Retry-After are retried (3 times, 60 s at most) inside.
 * Every failure becomes one readable line (kube_error_line) and moves the
 * connection state, which the header shows. Tokens and keys are never
 * logged.
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
/* Detail of the state: the Status line ("401 Unauthorized: Unauthorized"),
 * curl's reason ("SSL certificate problem: unable to get local issuer
 * certificate", "Failed to connect to 127.0.0.1 port 6443 after 0 ms:
 * Couldn't connect to server"), the plugin's failure, or "client
 * certificate expired at 2026-11-26T17:33:38Z (…)"; "" when live. Borrowed
 * until the next state change. */
const char *kube_state_detail(const struct kube *k);
/* Wall-clock time of the last answer from the server, watch data included
 * (0: never): "offline since". */
int64_t kube_last_live(const struct kube *k);
typedef void (*kube_state_cb)(void *arg);
/* One observer: called after every change of state or detail (also from
 * inside other callbacks of this client). */
void kube_on_state(struct kube *k, kube_state_cb cb, void *arg);

/* The API server's clock (our clock corrected by its Date header): ages are
 * computed against it, and so are credential expiries. */
int64_t kube_now(const struct kube *k);
/* From /version: "v1.31.4+k3s1", or NULL before discovery. Borrowed. */
const char *kube_server_version(const struct kube *k);
/* The simulated platform says so in /version. */
bool kube_simulated(const struct kube *k);

/* GET /version, /api, /apis and the group/versions KIND_INFO needs, in
 * parallel; done is called once, after all of them, with the /version
 * result. Resource names and namespaced-ness come from the server (a
 * missing "watch" verb is ignored); a group/version answered 404 or not
 * listed in /apis is not served (kube_serves); one that failed otherwise
 * keeps the KIND_INFO defaults. */
typedef void (*kube_done_cb)(void *arg, const struct kube_result *res);
struct kube_op *kube_discover(struct kube *k, kube_done_cb done, void *arg);
bool kube_serves(const struct kube *k, enum kind kind);

/* "/api/v1/namespaces/ns/pods[/name]" for kind (ns NULL: all namespaces or
 * cluster-scoped; name NULL: the collection). Caller frees. */
char *kube_path(const struct kube *k, enum kind kind, const char *ns, const char *name);

/* GET path (with query); cb receives the body (borrowed, NUL-terminated) on
 * 2xx, else NULL and a result with the error line. Bodies over
 * max_response fail with STATUS_TOOLARGE. */
typedef void (*kube_body_cb)(void *arg, const struct kube_result *res, const char *body,
                             size_t len);
struct kube_op *kube_get(struct kube *k, const char *path, kube_body_cb cb, void *arg);

/*
 * Any request, its answer delivered raw whatever the HTTP status (for the
 * service proxy: the body of a proxied service is the service's, not a
 * Status). headers: extra "Name: value" lines (NULL-terminated) or NULL;
 * body copied; timeout_ms 0: the client's request timeout; max_body 0: the
 * client's max_response. The connection state moves as for other requests
 * (an answer is "live"; the 401/403 of the API server itself as usual).
 */
struct kube_raw_answer {
    enum status st;             /* OK: an HTTP answer (any status); else transport */
    long http_status;
    const char *body;           /* NUL-terminated, borrowed for the callback */
    size_t len;
    const char *content_type;   /* borrowed; "" when absent */
    char error[512];            /* transport error line; "" with an answer */
    uint64_t bytes_in;
};
typedef void (*kube_raw_cb)(void *arg, const struct kube_raw_answer *a);
struct kube_op *kube_request_raw(struct kube *k, const char *method, const char *path,
                                 const char *const *headers, const char *body, size_t body_len,
                                 long timeout_ms, size_t max_body, kube_raw_cb cb, void *arg);

/*
 * GET path and hand its 2xx body over as it arrives, whatever the chunking
 * (pod logs with follow=true). No total time limit: idle_s without a byte
 * ends it with STATUS_TIMEOUT (0: the client's watch_idle_s). data returns
 * false to stop (done then gets STATUS_CANCELLED). A non-2xx answer is
 * read whole (64 KiB at most) and done gets its error line, as kube_get.
 * done: STATUS_OK when the server ended the body cleanly.
 */
typedef bool (*kube_data_cb)(void *arg, const char *data, size_t len);
struct kube_op *kube_stream(struct kube *k, const char *path, int idle_s, kube_data_cb data,
                            kube_done_cb done, void *arg);

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
 * page is requested as soon as its continue token shows in the first bytes
 * of the current one (the metadata precedes the items), at most two pages
 * in flight, so the caller's work on page N overlaps the transfer of page
 * N+1. An expired continue token (410) restarts the list from the first
 * page (index 0 again) once, then fails with STATUS_EXPIRED. Each page is
 * capped at max_response. */
struct kube_op *kube_list(struct kube *k, enum kind kind, const char *ns,
                          const struct kube_selectors *sel, kube_page_cb page,
                          kube_list_done_cb done, void *arg);
/* One page of kube_list_raw: the body as received, not parsed. */
struct kube_raw_page {
    char *body;                 /* NUL-terminated; the callback takes it (frees it) */
    size_t len;
    const char *path;           /* the page's path and query (borrowed, for messages) */
    bool last;                  /* no continue token */
    unsigned index;             /* as kube_page's */
    bool gzip;                  /* body is gzip as the server sent it: the caller
                                   inflates it (gunzip_whole), refusing more than
                                   max_len decoded bytes */
    size_t max_len;
};
typedef void (*kube_raw_page_cb)(void *arg, struct kube_raw_page *page);
/* kube_list, but each page body is handed over unparsed, for a caller that
 * parses elsewhere (on worker threads) while the next page downloads. The
 * continue token and the resourceVersion come from the early scan of the
 * metadata (inflated only that far when the page came gzip); a page whose
 * metadata that scan cannot read is inflated and parsed here for them (the
 * body then goes over plain, unparsed). The body is not checked to be a
 * list: that is the caller's parse. */
struct kube_op *kube_list_raw(struct kube *k, enum kind kind, const char *ns,
                              const struct kube_selectors *sel, kube_raw_page_cb page,
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
/* Watches kind from rv (NULL/"": from now) with
 * watch=true&allowWatchBookmarks=true&timeoutSeconds=watch_timeout_s. The
 * body is split on newlines whatever its chunking (linebuf, max_event per
 * line) and each line parsed on its own. Guards: a total limit of
 * timeoutSeconds + 30 s, and watch_idle_s without a byte (then end gets
 * STATUS_TIMEOUT; the connection state is not changed by that).
 * end: st OK = the server closed the watch cleanly (reconnect from the last
 * rv); EXPIRED = relist (410 as an ERROR event or as the HTTP status);
 * anything else = error (JSON for a malformed line, TOOLARGE for a line
 * over max_event, HTTP errors with their Status line). */
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
 * from a Status body (its reason, else the HTTP phrase); "502 Bad Gateway:
 * non-JSON reply (text/html): <first printable bytes, tags dropped>" or
 * "...: malformed JSON reply (application/json): <first bytes>" otherwise;
 * "503 Service Unavailable" for an empty body. Only printable ASCII comes
 * out (control characters, escapes and non-ASCII bytes become spaces), the
 * quoted bytes are cut at 120; out is always terminated. */
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
