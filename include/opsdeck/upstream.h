/* SPDX-License-Identifier: MIT */
/* upstream.h - a service beside the cluster (Loki, Prometheus), by URL or through the API server */
#ifndef OPSDECK_UPSTREAM_H
#define OPSDECK_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct evloop;
struct http;
struct kube;
struct endpoint;

/*
 * An upstream is one HTTP service the console reads from besides the API
 * server. The platform definition (platform.h, struct endpoint) says how to
 * reach it:
 *  - url: requests go to url + path with the endpoint's own credentials
 *    (basic auth, bearer token or token file, re-read after a 401), CA file
 *    and insecure flag, and `X-Scope-OrgID` when org_id is set;
 *  - service "ns/name:port": requests go through the API server's service
 *    proxy, /api/v1/namespaces/ns/services/name:port/proxy + path, with the
 *    cluster's TLS and credentials (kube.h); org_id still travels as a
 *    header (the proxy forwards it).
 * Bodies of every HTTP status are delivered as they came (gzip decoded):
 * Loki's errors are plain text and Prometheus's are JSON envelopes, and
 * only their clients know how to read them. Nothing blocks; every request
 * has a total time limit and a body size cap.
 */
struct upstream;
struct upstream_call;

enum upstream_state {
    UPSTREAM_UNCONFIGURED,      /* neither url nor service: the header omits it */
    UPSTREAM_CONNECTING,        /* nothing asked yet, or nothing answered yet */
    UPSTREAM_LIVE,              /* the last request got the service's answer
                                   (whatever its status, except as below) */
    UPSTREAM_OFFLINE,           /* unreachable, timing out; through the proxy
                                   also the API server's own 502/503/504
                                   (no endpoints, service unavailable) */
    UPSTREAM_UNAUTHORIZED,      /* 401 */
    UPSTREAM_FORBIDDEN,         /* 403 */
    UPSTREAM_TLS_ERROR,         /* certificate verification failed */
};
/* "not configured", "connecting", "live", "offline", "401", "403", "TLS error" */
const char *upstream_state_name(enum upstream_state st);

struct upstream_opts {
    const char *name;           /* "Loki", "Prometheus": used in messages; copied */
    const struct endpoint *ep;  /* copied; NULL or empty: UPSTREAM_UNCONFIGURED */
    struct kube *kube;          /* for ep->service: borrowed, must outlive the
                                   upstream; NULL makes a service endpoint
                                   fail every request ("no cluster") */
    long timeout_ms;            /* per request, total; 0: 30000 */
    size_t max_body;            /* decoded body cap; 0: 64 MiB */
};

/* loop and http must outlive it. Never NULL. */
struct upstream *upstream_new(struct evloop *loop, struct http *http,
                              const struct upstream_opts *opts);
/* Cancels every call (no callbacks) and frees. NULL is a no-op. Not from
 * inside one of its callbacks. */
void upstream_free(struct upstream *u);

struct upstream_response {
    enum status result;         /* OK: an HTTP answer arrived (any status);
                                   else TIMEOUT, UNREACHABLE, TLS, TOOLARGE, AUTH
                                   (token file unreadable), CONFIG (unconfigured,
                                   no cluster) */
    long http_status;           /* 0 when no answer */
    const char *body;           /* NUL-terminated; borrowed for the callback; "" when none */
    size_t len;
    const char *content_type;   /* borrowed; "" when absent */
    bool via_proxy;             /* the answer came through the API server */
    bool proxy_error;           /* ... and it is the API server's own error (a
                                   Kubernetes Status body), not the service's */
    char error[512];            /* transport or proxy error as one line; "" otherwise */
    uint64_t bytes_in;          /* bytes received for this call (compressed) */
};
typedef void (*upstream_cb)(void *arg, const struct upstream_response *resp);

/*
 * GET path_query ("/loki/api/v1/labels?start=…", already escaped) on the
 * upstream. cb runs exactly once, from the loop, unless cancelled. Returns
 * a handle valid until cb returns. Safe from inside any callback.
 */
struct upstream_call *upstream_get(struct upstream *u, const char *path_query, upstream_cb cb,
                                   void *arg);
/* POST form (Content-Type: application/x-www-form-urlencoded): body is
 * copied. */
struct upstream_call *upstream_post_form(struct upstream *u, const char *path, const char *body,
                                         upstream_cb cb, void *arg);
/* No callback afterwards. Safe from inside its own callback. NULL is a no-op. */
void upstream_cancel(struct upstream_call *c);
/* Calls in flight. */
size_t upstream_pending(const struct upstream *u);

bool upstream_configured(const struct upstream *u);
/* "http://127.0.0.1:3100" or "dp-system/loki:3100 (service proxy)". Borrowed. */
const char *upstream_describe(const struct upstream *u);
const char *upstream_name(const struct upstream *u);

enum upstream_state upstream_state(const struct upstream *u);
/* The reason behind the state, one line ("" when live): curl's message, the
 * proxy's Status message, "401 Unauthorized: no org id". Borrowed until the
 * next state change. */
const char *upstream_state_detail(const struct upstream *u);
/* Wall-clock time of the last answer (0: never). */
int64_t upstream_last_live(const struct upstream *u);
/* One observer, called after every change of state or detail. */
typedef void (*upstream_state_cb)(void *arg);
void upstream_on_state(struct upstream *u, upstream_state_cb cb, void *arg);

/* Bytes and requests, for the benchmarks ("bytes per refresh"). */
struct upstream_stats {
    uint64_t requests;
    uint64_t bytes_in;
};
void upstream_stats(const struct upstream *u, struct upstream_stats *out);

#endif /* OPSDECK_UPSTREAM_H */
