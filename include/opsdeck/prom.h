/* SPDX-License-Identifier: MIT */
/* prom.h - Prometheus HTTP API client: instant and range queries, alerts, targets */
#ifndef OPSDECK_PROM_H
#define OPSDECK_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/model.h"
#include "opsdeck/status.h"

struct evloop;
struct upstream;
struct upstream_call;
struct upstream_response;

/*
 * The parsers work on one response body (any HTTP status) and never keep
 * it: everything in a result is copied, except data_raw, which points into
 * the body. Prometheus sends values as strings ("4.41", "NaN", "+Inf",
 * "-Inf", "1e+00") and timestamps as float seconds; values are parsed into
 * doubles (NaN and infinities kept), the text kept as sent, and timestamps
 * held as exact integer milliseconds.
 *
 * Errors come back as STATUS_HTTP with status_text() one readable line:
 *  - the JSON error envelope: "Prometheus: bad_data: invalid parameter
 *    \"query\": 1:17: parse error: …" (errorType and error as sent);
 *  - a non-JSON body (a 404 "404 page not found", a proxy's HTML page):
 *    "Prometheus: HTTP 404: 404 page not found", HTML reduced to its
 *    <title> (else "HTML page"), other text to its first line, capped;
 *  - a body that is not the envelope at all: STATUS_JSON.
 */

enum prom_type {
    PROM_VECTOR,
    PROM_MATRIX,
    PROM_SCALAR, /* one series, no labels, one sample */
    PROM_STRING, /* one series, no labels, one sample; the string in text */
};
/* "vector", "matrix", "scalar", "string" */
const char *prom_type_name(enum prom_type t);

struct prom_sample {
    int64_t ts_ms; /* exact: "1795536661.285" is 1795536661285 */
    double v;      /* NaN, +Inf and -Inf as such; a string result: NaN */
};

struct prom_series {
    struct kv_list labels;       /* the metric's labels, sorted (owned) */
    struct prom_sample *samples; /* in time order; a matrix may have gaps (owned) */
    size_t nsamples;
    char *last_text; /* the last sample's value text as sent (owned) */
};

struct prom_result {
    enum prom_type type;
    struct prom_series *series; /* owned */
    size_t nseries;
    char **warnings;      /* NULL-terminated (owned), NULL when none */
    const char *data_raw; /* the "data" value's JSON text as sent; borrowed
                             from the body */
    size_t data_len;
};
void prom_result_done(struct prom_result *r);

/* Parses one value string as Prometheus formats it. False on anything
 * else (hex, trailing bytes, empty). */
bool prom_parse_value(const char *s, size_t len, double *out);
/* Parses a float-seconds timestamp text ("1795536661.285", "1795536621",
 * "1.7e9") into milliseconds, rounding to the nearest. */
bool prom_parse_ts(const char *s, size_t len, int64_t *out_ms);
/* Formats a value as Prometheus would show it in a table: "NaN", "+Inf",
 * "-Inf", else %g with up to 15 significant digits. */
void prom_format_value(double v, char *buf, size_t size);

/* /api/v1/query and /api/v1/query_range bodies. r is initialised here (and
 * empty on failure). */
enum status prom_parse_query(const char *body, size_t len, long http_status,
                             const char *content_type, struct prom_result *r);

struct prom_alert {
    char *name;                 /* labels.alertname (owned; "" when absent) */
    char *state;                /* "firing", "pending" (owned) */
    char *severity;             /* labels.severity, NULL when absent (owned) */
    char *summary;              /* annotations.summary, else .description, else NULL (owned) */
    char *value;                /* the value text as sent, "0e+00" (owned) */
    int64_t active_at;          /* Unix seconds; 0 when absent */
    struct kv_list labels;      /* owned, sorted */
    struct kv_list annotations; /* owned, sorted */
};
struct prom_alerts {
    struct prom_alert *items; /* owned, as sent */
    size_t len;
    size_t firing; /* how many have state "firing" */
};
void prom_alerts_done(struct prom_alerts *a);
/* /api/v1/alerts bodies. */
enum status prom_parse_alerts(const char *body, size_t len, long http_status,
                              const char *content_type, struct prom_alerts *out);

struct prom_target {
    struct kv_list labels; /* owned */
    char *scrape_url;      /* owned */
    char *health;          /* "up", "down", "unknown" (owned) */
    char *last_error;      /* owned; "" when none */
    char *scrape_pool;     /* owned */
    int64_t last_scrape;   /* Unix seconds; 0 when absent */
};
struct prom_targets {
    struct prom_target *items; /* active targets, owned */
    size_t len;
    size_t down;
};
void prom_targets_done(struct prom_targets *t);
/* /api/v1/targets bodies. */
enum status prom_parse_targets(const char *body, size_t len, long http_status,
                               const char *content_type, struct prom_targets *out);

/*
 * Requests, through an upstream (upstream.h). Each callback runs exactly
 * once from the loop unless the call is cancelled; st is STATUS_OK with
 * the parsed result, or the failure with status_text() set (transport
 * errors as the upstream reported them, prefixed "Prometheus: "). The
 * result and resp are borrowed for the callback only; a callback may take
 * the result or list over (copy the struct, then zero the original). resp is never
 * NULL.
 */
struct prom_call;
typedef void (*prom_query_cb)(void *arg, enum status st, struct prom_result *r,
                              const struct upstream_response *resp);
typedef void (*prom_alerts_cb)(void *arg, enum status st, struct prom_alerts *a,
                               const struct upstream_response *resp);
typedef void (*prom_targets_cb)(void *arg, enum status st, const struct prom_targets *t,
                                const struct upstream_response *resp);

/* Queries longer than PROM_GET_MAX bytes once escaped go as a POST form. */
#define PROM_GET_MAX 2048

/* Instant query at time_ms (0: the server's now). */
struct prom_call *prom_query(struct upstream *u, const char *expr, int64_t time_ms,
                             prom_query_cb cb, void *arg);
/* Range query over [start_s, end_s] at step_s (all Unix seconds, whole so
 * that sample timestamps are aligned and integral). */
struct prom_call *prom_query_range(struct upstream *u, const char *expr, int64_t start_s,
                                   int64_t end_s, int64_t step_s, prom_query_cb cb, void *arg);
struct prom_call *prom_get_alerts(struct upstream *u, prom_alerts_cb cb, void *arg);
struct prom_call *prom_get_targets(struct upstream *u, prom_targets_cb cb, void *arg);
/* No callback afterwards. Safe from inside its own callback. NULL is a no-op. */
void prom_cancel(struct prom_call *c);

/*
 * The alerts poller: /api/v1/alerts every period_s seconds while started.
 * Holds the last list it got; observers hear of every new list or failure.
 */
struct prom_alerts_poller;
typedef void (*prom_alerts_changed_cb)(void *arg);
/* u is borrowed and must outlive the poller. Never NULL. Polling starts at
 * once when u is configured; an unconfigured upstream never polls. */
struct prom_alerts_poller *prom_alerts_poller_new(struct upstream *u, struct evloop *loop,
                                                  int period_s);
void prom_alerts_poller_free(struct prom_alerts_poller *p); /* NULL is a no-op */
/* The last list received (borrowed until the next change), NULL before the
 * first. */
const struct prom_alerts *prom_alerts_poller_alerts(const struct prom_alerts_poller *p);
/* The last failure as one line ("" after a success). Borrowed. */
const char *prom_alerts_poller_error(const struct prom_alerts_poller *p);
/* Asks again now (the pane's refresh). */
void prom_alerts_poller_refresh(struct prom_alerts_poller *p);
/* Several observers, each removed by its arg. */
void prom_alerts_poller_observe(struct prom_alerts_poller *p, prom_alerts_changed_cb cb, void *arg);
void prom_alerts_poller_unobserve(struct prom_alerts_poller *p, void *arg);

#endif /* OPSDECK_PROM_H */
