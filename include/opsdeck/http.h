/* SPDX-License-Identifier: MIT */
/* http.h - HTTP on libcurl's multi interface, driven by the event loop */
#ifndef OPSDECK_HTTP_H
#define OPSDECK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct evloop;

/*
 * A curl multi handle whose sockets and timer live in the evloop (socket and
 * timer callbacks, curl_multi_socket_action; no curl_multi_waitfds). Nothing
 * blocks. Every request has a connect timeout (<= 10 s) and either a total
 * limit or a low-speed guard, and a size cap.
 */
struct http;
struct http_req;

/* TLS and proxy settings; all borrowed for the duration of http_submit
 * (blobs are copied into curl). */
struct http_tls {
    const char *ca_pem;           /* trusted CA, PEM (certificate-authority[-data]) */
    size_t ca_len;
    const char *cert_pem;         /* client certificate, PEM */
    size_t cert_len;
    const char *key_pem;          /* client key, PEM */
    size_t key_len;
    bool insecure;                /* insecure-skip-tls-verify: only when the kubeconfig says so */
    const char *server_name;      /* tls-server-name: verify against this name */
    const char *proxy_url;
};

struct http_response {
    long status;                  /* HTTP status; 0 when no response arrived */
    enum status result;           /* OK (any HTTP status), TIMEOUT, UNREACHABLE, TLS,
                                     TOOLARGE, CANCELLED (aborted by on_data), HTTP */
    char error[256];              /* transport error text when result != OK */
    const char *body;             /* accumulated body (not with on_data); borrowed */
    size_t body_len;
    char content_type[96];
    char content_encoding[32];    /* as sent ("gzip"); "" absent. Only gzip_raw
                                     bodies can still be encoded */
    int64_t date;                 /* Date header, Unix seconds; 0 absent */
    int retry_after;              /* Retry-After seconds; -1 absent */
    uint64_t bytes_in;            /* bytes received: headers plus the body as it came
                                     (compressed, before TLS), every attempt */
};

typedef bool (*http_data_cb)(void *arg, const char *data, size_t len);
typedef void (*http_headers_cb)(void *arg, const struct http_response *resp);
typedef void (*http_done_cb)(void *arg, const struct http_response *resp);

struct http_request {
    const char *method;           /* NULL = GET */
    const char *url;
    const char *const *headers;   /* NULL-terminated "Name: value" lines, or NULL */
    const char *body;
    size_t body_len;
    const struct http_tls *tls;   /* NULL: system defaults, verification on */
    const char *bearer_token;     /* Authorization: Bearer … */
    const char *username;         /* basic auth */
    const char *password;
    bool gzip;                    /* Accept-Encoding: gzip, transparently decoded */
    bool gzip_raw;                /* Accept-Encoding: gzip, the body delivered as it
                                     came (resp.content_encoding says whether it is
                                     gzip): the caller inflates it, e.g. on another
                                     thread. max_body then caps the encoded bytes */
    long connect_timeout_ms;      /* 0 = 10000; capped at 10000 */
    long timeout_ms;              /* whole transfer; 0 = none (watches) */
    long low_speed_time_s;        /* abort when under 1 byte/s this long; 0 = off */
    size_t max_body;              /* cap on the accumulated decoded body: over it the
                                     transfer stops with TOOLARGE; 0 = 64 MiB. Not
                                     used with on_data (the consumer caps, see kube) */
    int retries;                  /* re-sends after a 429/503 carrying Retry-After
                                     (seconds or a date), its body dropped */
    long max_retry_wait_ms;       /* longest Retry-After honoured (a longer one is
                                     delivered as the answer); 0 = 60000 */
    http_headers_cb on_headers;   /* optional: status and headers of the final
                                     answer, before any of its data */
    http_data_cb on_data;         /* optional: stream the body of any status
                                     (return false to abort: result CANCELLED) */
    http_done_cb on_done;         /* required: exactly once, unless cancelled */
    void *arg;
};

/* One multi handle: connections are reused (HTTP/1.1 keep-alive, HTTP/2
 * multiplexing when the server offers it). loop must outlive it. */
struct http *http_new(struct evloop *loop);
/* Cancels every request (no callbacks) and frees. NULL is a no-op. Not from
 * inside one of its callbacks. */
void http_free(struct http *h);
/* Starts a request; copies what it needs from req. Callbacks never run
 * inside http_submit (a request that cannot even be set up fails from the
 * loop). Safe from inside any callback. Returns a handle valid until
 * on_done returns or http_cancel. */
struct http_req *http_submit(struct http *h, const struct http_request *req);
/* Aborts a request; its callbacks are not called any more. Safe from inside
 * any callback, its own on_done included. NULL is a no-op. */
void http_cancel(struct http_req *r);
/* Requests in flight or waiting to retry. */
size_t http_pending(const struct http *h);

/* Byte counts are HTTP-level (headers plus compressed body), without TLS
 * and TCP framing. */
struct http_stats {
    uint64_t requests;            /* transfers started (retries count) */
    uint64_t bytes_in;            /* bytes received, headers included */
    uint64_t bytes_out;           /* bytes sent, headers included */
};
void http_stats(const struct http *h, struct http_stats *out);

/* Go's http.StatusText for the codes API servers, Loki, Prometheus and
 * proxies in front of them answer with ("Service Unavailable"); "" for
 * others. Static. */
const char *http_reason_phrase(long code);

/* Percent-encodes everything but RFC 3986 unreserved characters (for a
 * query value or a path segment). Returns a new string; caller frees. */
char *http_escape(const char *s);

#endif /* OPSDECK_HTTP_H */
