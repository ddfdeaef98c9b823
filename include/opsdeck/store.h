/* SPDX-License-Identifier: MIT */
/* store.h - cache.db (disposable) and state.db (durable), SQLite */
#ifndef OPSDECK_STORE_H
#define OPSDECK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

/*
 * Two files with different lives (DESIGN.md §2):
 *  - cache.db holds what was fetched, per API server: objects as opaque
 *    blobs (the model encoding), list metadata, server info. If it is
 *    corrupt or of an unknown schema it is moved aside and rebuilt.
 *  - state.db holds what only opsdeck knows: prompt history, settings (and
 *    later the audit log and wizard journal). A damaged one is kept aside,
 *    reported through store_notices(), and a new one started.
 * Both: WAL, busy timeout (two consoles share the files), directories 0700,
 * files 0600, schemas versioned with application_id and user_version and
 * migrated forward.
 *
 * Writes to the cache are queued and committed by a writer thread in
 * batches (one transaction per batch, never one per object); reads happen
 * on the caller's thread through a separate connection. Nothing here knows
 * about Kubernetes kinds: kind is a string ("pods").
 */
struct store;

struct store_limits {
    int64_t cache_max_bytes;      /* default 512 MiB: oldest clusters, then oldest rows go */
    int64_t cache_max_age_s;      /* default 30 days: clusters not seen since are dropped */
};

/* Opens or creates both files (their directories must exist). Never fails
 * because of a damaged file: that is repaired and reported as a notice.
 * Fails only when a file cannot be created at all. limits may be NULL. */
enum status store_open(const char *cache_path, const char *state_path,
                       const struct store_limits *limits, struct store **out);
/* Commits queued writes, stops the writer and closes. NULL is a no-op. */
void store_close(struct store *st);
/* Human-readable notices from opening ("cache.db was damaged (…); moved to
 * …/cache.db.corrupt-20261124T031200 and rebuilt"). NULL-terminated,
 * borrowed. */
const char *const *store_notices(const struct store *st);

/* The cache key of an API server: "sha256:<hex>" of the server URL and the
 * CA certificate fingerprint ("none" without a CA). Caller frees. */
char *store_cluster_key(const char *server_url, const char *ca_fingerprint);

/* --- cache: objects --------------------------------------------------------- */
typedef void (*store_object_cb)(void *arg, const char *ns, const char *name, const void *blob,
                                size_t len, int64_t fetched_at);
/* Calls cb for every cached object of kind for cluster (ns "" for
 * cluster-scoped). Synchronous; sees every write queued before the call. */
enum status store_load(struct store *st, const char *cluster, const char *kind,
                       store_object_cb cb, void *arg);
/* Queue writes (copied). ns NULL or "" for cluster-scoped objects. */
void store_put(struct store *st, const char *cluster, const char *kind, const char *ns,
               const char *name, const void *blob, size_t len, int64_t fetched_at);
void store_remove(struct store *st, const char *cluster, const char *kind, const char *ns,
                  const char *name);
/* A relist: rows of kind (in namespace ns, or all when ns is NULL) that are
 * not put between begin and end are deleted at end. */
void store_replace_begin(struct store *st, const char *cluster, const char *kind, const char *ns);
void store_replace_end(struct store *st, const char *cluster, const char *kind, const char *ns);
/* Waits until every queued write is committed. */
enum status store_flush(struct store *st);

/* --- cache: per-cluster info ------------------------------------------------- */
struct store_cluster_info {
    char *server;             /* API server URL */
    char *version;            /* gitVersion */
    int64_t last_live;        /* wall clock of the last successful contact */
    int64_t data_time;        /* fetched_at of the newest cached data */
};
/* false when nothing is cached for cluster; strings are new (free with
 * store_cluster_info_done). */
bool store_cluster_info(struct store *st, const char *cluster, struct store_cluster_info *out);
void store_cluster_info_done(struct store_cluster_info *info);
void store_set_cluster_info(struct store *st, const char *cluster, const char *server,
                            const char *version, int64_t last_live);

/* Empties the cache (opsdeck cache clear). */
enum status store_cache_clear(struct store *st);
/* Bytes used by cache.db (pages in use). */
int64_t store_cache_size(struct store *st);

/* --- state: prompt history and settings ------------------------------------- */
/* Appends line to the history named `prompt` (":" commands, "/" filters);
 * duplicates of the last line are skipped; at most 500 kept per prompt. */
enum status store_history_add(struct store *st, const char *prompt, const char *line);
/* The newest max lines, newest first, NULL-terminated (caller frees with
 * strv_free). */
char **store_history(struct store *st, const char *prompt, size_t max);
/* Setting value (caller frees) or NULL. */
char *store_setting(struct store *st, const char *key);
enum status store_set_setting(struct store *st, const char *key, const char *value);

#endif /* OPSDECK_STORE_H */
