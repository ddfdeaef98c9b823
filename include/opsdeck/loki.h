/* SPDX-License-Identifier: MIT */
/* loki.h - Loki client: range fetch with paging, follow by polling, labels, series */
#ifndef OPSDECK_LOKI_H
#define OPSDECK_LOKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct evloop;
struct upstream;
struct store;

/*
 * A client over one upstream (upstream.h: by URL with the endpoint's own
 * basic auth / bearer token / org id, or through the API server's service
 * proxy). Every call is asynchronous, runs in the caller's poll loop and
 * never blocks. Timestamps are Unix nanoseconds (int64) everywhere and are
 * sent to Loki as integers.
 *
 * Streams: every distinct label set seen by this client is interned once as
 * a struct loki_labels and stays valid (same pointer, same id) until
 * loki_free. Compare streams by pointer or id, never by text.
 *
 * Errors: Loki answers errors in plain text (2.8 even labels them
 * application/json). The error line delivered is "Loki: <status> <body's
 * first line>" as it came ("Loki: 400 parse error at line 1, col 1: syntax
 * error: unexpected IDENTIFIER", "Loki: 401 no org id"); not sanitised: the
 * screen does that. An HTML body (a proxy's page) becomes "Loki: 502 Bad
 * Gateway (HTML from a proxy: <title or first text>)". Through the service
 * proxy, the API server's own error says so: "Loki: API server: 503
 * ServiceUnavailable: no endpoints available for service \"loki\""; its
 * 502/503/504 count as UNREACHABLE (Loki is not there). Transport failures:
 * "Loki: unreachable: <curl's reason>", "Loki: timed out: <curl's reason>".
 */
struct loki;
struct loki_op;

/* A stream's label set. Interned: owned by the client, valid until
 * loki_free. keys/values are sorted by key. */
struct loki_labels {
    uint32_t id; /* 1, 2, ... in order of first sight; 0 never used */
    size_t n;
    const char *const *keys;
    const char *const *values;
    const char *text; /* canonical selector: {app="web", namespace="dp-a-b"} */
};
/* The value of label key, or NULL. */
const char *loki_labels_get(const struct loki_labels *ls, const char *key);

/* One log entry. line is NOT NUL-safe: it may hold NUL bytes (use len). */
struct loki_entry {
    int64_t ts;                       /* ns since the epoch */
    const struct loki_labels *stream; /* interned (see above) */
    const char *line;                 /* unescaped bytes, NUL-terminated after len;
                                         borrowed for the batch callback only */
    size_t len;
};

/*
 * A batch: one page of a range fetch (or one poll of a follow, or one read
 * of the pod log fallback), all streams merged into one timeline in the
 * requested direction (ties: by stream id, then in Loki's order; batches
 * from the log cache keep the time order, ties in the cache's order).
 * Entries and their lines are borrowed for the callback: copy what you keep.
 */
struct loki_batch {
    const struct loki_entry *entries;
    size_t n;
    unsigned page;      /* 0, 1, ... within the operation */
    bool cached;        /* from the log cache (Loki unreachable) */
    int64_t fetched_at; /* cached: wall clock (s) when it was fetched; else 0 */
};
/* Return false to stop the operation: done then gets STATUS_CANCELLED (a
 * follow just stops polling, without a status call; free it as usual). */
typedef bool (*loki_batch_cb)(void *arg, const struct loki_batch *batch);

/* The end of an operation. */
struct loki_result {
    enum status st;     /* OK; HTTP (Loki's or the proxy's error status);
                           JSON (malformed answer); UNREACHABLE; TIMEOUT;
                           TLS; AUTH; CONFIG (not configured); INVALID (the
                           range's end is not after its start); CANCELLED */
    long http_status;   /* 0 without an answer */
    char error[512];    /* one line as above; "" on success */
    char warning[256];  /* Loki's first warnings[] entry, or the client's own
                           ("more than 5000 entries at one timestamp: some
                           skipped"); "" when none */
    size_t entries;     /* delivered in total */
    unsigned pages;     /* requests answered */
    bool cached;        /* the entries came from the log cache */
    int64_t fetched_at; /* cached: the oldest fetch time (s) of what was delivered */
    bool truncated;     /* stopped at opts.limit with more available */
};
typedef void (*loki_done_cb)(void *arg, const struct loki_result *res);

/* loop (for the follow timers), upstream and store are borrowed and must
 * outlive the client; store (the log cache) may be NULL: nothing is cached
 * then. Never NULL. */
struct loki *loki_new(struct evloop *loop, struct upstream *up, struct store *store);
/* Cancels every operation (no callbacks) and frees. NULL is a no-op. Not
 * from inside one of its callbacks. Free every loki_follow of it
 * before. */
void loki_free(struct loki *l);
bool loki_configured(const struct loki *l);
struct upstream *loki_upstream(const struct loki *l);
/* Identifies the endpoint in the log cache. Copied. Default:
 * upstream_describe() (the URL or the service), which does not tell org ids
 * apart: a caller using several org ids on one Loki sets a key per org. */
void loki_set_cache_key(struct loki *l, const char *key);

enum loki_direction {
    LOKI_BACKWARD, /* newest first (Loki's default) */
    LOKI_FORWARD,  /* oldest first */
};

#define LOKI_MAX_PAGE 5000 /* Loki's default max_entries_limit_per_query */

struct loki_range_opts {
    const char *query; /* LogQL; copied */
    int64_t start_ns;  /* inclusive */
    int64_t end_ns;    /* exclusive */
    enum loki_direction direction;
    size_t limit;     /* entries wanted in total; 0: everything in range */
    size_t page_size; /* per request; 0: LOKI_MAX_PAGE */
    bool use_cache;   /* read the cache when Loki is unreachable, and
                         write what was fetched (needs a store) */
};

/*
 * Range fetch: query_range repeatedly, each page starting at the last
 * timestamp of the one before (backward: end = last + 1; forward: start =
 * last), skipping the entries at that boundary timestamp already delivered
 * (a set of (stream, ts, line) at the boundary only), until the range is
 * exhausted (a page shorter than asked) or limit entries were delivered.
 * Each page is handed to batch in order; the next page is already requested
 * when batch runs. A page over the upstream's body cap (TOOLARGE: very long
 * lines) is asked again for half as many entries. A page of nothing but already-seen entries at one
 * timestamp is asked again with a larger limit (up to LOKI_MAX_PAGE), then
 * skipped past with a warning. A metric query's matrix comes as entries
 * too: one per sample, line = the value ("137.95"), stream = the series.
 * done runs exactly once, after the last batch, unless cancelled. Returns
 * a handle valid until done returns.
 *
 * With use_cache, a fetch that fails as UNREACHABLE/TIMEOUT (nothing
 * delivered yet) delivers the cached entries of the same query within the
 * range instead, as batches marked cached, and done reports st OK, cached,
 * fetched_at and the original error in error[]. With no cached entries the
 * failure stands.
 */
struct loki_op *loki_range(struct loki *l, const struct loki_range_opts *opts, loki_batch_cb batch,
                           loki_done_cb done, void *arg);

/* Label names (name NULL) or the values of label name, within [start, end)
 * (0, 0: Loki's default, the last 6 h), optionally scoped by a stream
 * selector (query may be NULL). values is sorted, borrowed for the call;
 * NULL-terminated. */
typedef void (*loki_strings_cb)(void *arg, const struct loki_result *res, const char *const *values,
                                size_t n);
struct loki_op *loki_labels(struct loki *l, const char *name, const char *query, int64_t start_ns,
                            int64_t end_ns, loki_strings_cb cb, void *arg);

/* The streams matching selector match within [start, end) (0, 0: the last
 * 6 h). Each is interned (valid until loki_free); the array is borrowed. */
typedef void (*loki_series_cb)(void *arg, const struct loki_result *res,
                               const struct loki_labels *const *series, size_t n);
struct loki_op *loki_series(struct loki *l, const char *match, int64_t start_ns, int64_t end_ns,
                            loki_series_cb cb, void *arg);

/* No callbacks afterwards. Safe from inside the operation's own callbacks.
 * NULL is a no-op. */
void loki_op_cancel(struct loki_op *op);
/* Operations in flight. */
size_t loki_pending(const struct loki *l);

/*
 * Follow ("live tail" without WebSockets): polls query_range forward from
 * start_ns (0: now) every interval_ms, each poll from the last timestamp
 * seen to now, de-duplicating on (stream, ts, line) with only the entries
 * at the newest timestamp remembered, so memory stays flat for hours. A
 * full page is followed by the next at once (catching up). Polls never
 * overlap. A failed poll is reported through status (st != OK, error set),
 * then retried after a backoff (interval doubled up to 30 s); the first
 * poll that works again reports st OK. New entries come as batches
 * (oldest first), never twice.
 */
struct loki_follow;
struct loki_follow_opts {
    const char *query; /* copied */
    int64_t start_ns;  /* 0: now */
    int interval_ms;   /* 0: 1000 */
    int delay_ms;      /* each poll ends at now - delay, so that lines reaching
                          Loki late (behind the newest seen) are not skipped;
                          0: none */
    size_t page_size;  /* 0: LOKI_MAX_PAGE */
};
/* Called after every failed poll and after the first good poll that
 * follows a failure. */
typedef void (*loki_follow_status_cb)(void *arg, const struct loki_result *res);
struct loki_follow *loki_follow_new(struct loki *l, const struct loki_follow_opts *opts,
                                    loki_batch_cb batch, loki_follow_status_cb status, void *arg);
/* Stops polling (no callbacks afterwards) and frees. Safe from inside its
 * callbacks. NULL is a no-op. */
void loki_follow_free(struct loki_follow *f);
/* Counters for tests and the benchmark. */
struct loki_follow_stats {
    uint64_t polls;
    uint64_t entries;    /* delivered */
    uint64_t duplicates; /* skipped at the boundary */
    size_t boundary;     /* entries remembered now (the dedup set) */
    int64_t last_ts;     /* newest timestamp delivered (0: none) */
};
void loki_follow_stats(const struct loki_follow *f, struct loki_follow_stats *out);

/*
 * Helpers, exposed for tests and other clients.
 *
 * loki_error_line: the one-line error for an answer (see above) into out.
 * loki_parse_strings: {"status":"success","data":[...]} (data missing or
 * null = empty) into a new strv (caller frees with strv_free).
 */
void loki_error_line(long http_status, const char *body, size_t len, bool proxy_error, char *out,
                     size_t size);
enum status loki_parse_strings(const char *body, size_t len, char ***out, size_t *n);

#endif /* OPSDECK_LOKI_H */
