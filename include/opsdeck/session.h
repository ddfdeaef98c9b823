/* SPDX-License-Identifier: MIT */
/* session.h - one cluster, live: cache first, then informers, written behind */
#ifndef OPSDECK_SESSION_H
#define OPSDECK_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "opsdeck/cluster.h"
#include "opsdeck/informer.h"
#include "opsdeck/kube.h"
#include "opsdeck/tenant.h"

struct evloop;
struct http;
struct store;
struct kube_target;
struct conventions;

/*
 * A session is what the console shows for one context: the cluster state
 * and the tenants derived from it, first loaded from cache.db (so the first
 * screen never waits for the network), then kept live by one informer per
 * kind, every change written behind to the cache. When the API server is
 * unreachable the data stays and the status says since when; when it comes
 * back the informers resume on their own. Switching context = freeing the
 * session and making another (it works offline: the new one loads its cache).
 */
struct session_opts {
    struct evloop *loop;               /* borrowed, outlives the session */
    struct http *http;                 /* borrowed, outlives the session */
    struct store *store;               /* borrowed; NULL: no cache */
    const struct kube_target *target;  /* copied */
    const struct conventions *conv;    /* copied */
    const struct kube_opts *kube_opts; /* copied; NULL for defaults */
    bool offline;                      /* never touch the network (cache only) */
};

struct session_status {
    enum kube_state api;               /* live, offline, 401, … */
    const char *detail;                /* the reason, borrowed; "" when live, unless
                                          a kind cannot be loaded (a 403 on nodes):
                                          then that informer's error */
    int64_t last_live;                 /* last successful contact (this run or cached); 0 never */
    int64_t data_time;                 /* when the shown data was last known fresh; 0 none */
    bool from_cache;                   /* nothing fetched yet this run: cached data only */
    bool have_data;                    /* something is shown (cache or live) */
    const char *server_version;        /* borrowed; NULL unknown */
    bool simulated;                    /* the simulated platform said so */
    bool synced;                       /* every informer delivered its first list */
};

struct session;

/* Loads the cache synchronously (so the caller can paint at once) and
 * returns; the network starts with session_start(). */
struct session *session_new(const struct session_opts *opts);
/* Discovery, then one informer per kind. No-op for offline sessions. */
void session_start(struct session *s);
/* Stops every request, commits pending cache writes, frees. NULL is a no-op. */
void session_free(struct session *s);

/* Borrowed; valid for the session's life. */
struct cluster *session_cluster(const struct session *s);
struct tenants *session_tenants(const struct session *s);
struct kube *session_kube(const struct session *s);
const struct kube_target *session_target(const struct session *s);
/* The cache key of this API server ("sha256:…"). Borrowed. */
const char *session_cluster_key(const struct session *s);

void session_status(const struct session *s, struct session_status *out);
/* One observer, called whenever session_status may have changed. */
typedef void (*session_cb)(void *arg);
void session_on_status(struct session *s, session_cb cb, void *arg);

/* Nothing is loading: discovery answered (or failed) and every informer
 * delivered its first list or failed. Long-lived watches do not count. */
bool session_settled(const struct session *s);

/* Counters for tests and benchmarks: informer statistics summed over kinds. */
void session_informer_stats(const struct session *s, struct informer_stats *out);

#endif /* OPSDECK_SESSION_H */
