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
 *    corrupt, not a database, another application's or of a newer schema, it
 *    is moved aside as cache.db.corrupt-<UTC stamp> and rebuilt, with a
 *    notice; the same happens when damage shows during use (the caller loses
 *    only cached data). Only the newest two moved-aside copies are kept.
 *  - state.db holds what only opsdeck knows: prompt history, settings (and
 *    later the audit log and wizard journal). A damaged one is kept aside as
 *    state.db.damaged-<UTC stamp>, reported through store_notices(), and a
 *    new one started. One of a NEWER schema than this build knows is left
 *    untouched (reported); the session then keeps its state in memory.
 * Both: WAL, synchronous=NORMAL (OFF for the disposable cache.db: a power
 * loss may damage it, which is repaired as above), busy timeout (two
 * consoles share the files), files 0600 (directories 0700 are made by
 * paths.c), application_id and user_version, migrated forward. A database
 * path that is a symbolic link is refused, never followed.
 *
 * Writes to the cache are queued (copied) and committed by a writer thread
 * in batches: one transaction per batch, never one per object — a batch is
 * committed when 2,000 writes wait or 200 ms after the first one was queued,
 * whichever comes first. Reads happen on the caller's thread through a
 * second connection, after a flush, so they see every write queued before
 * them. state.db calls are short synchronous transactions on the caller's
 * thread. Retention: clusters not seen (live or fetched) for max_age are
 * dropped; above max_bytes, the least recently seen clusters' data goes
 * first, then the oldest rows; freed pages are returned to the file system
 * (auto_vacuum=INCREMENTAL). Nothing here knows about Kubernetes kinds: kind
 * is a string ("pods") and objects are opaque blobs, never logged.
 *
 * Every function may be called from any thread; the callbacks of store_load
 * must not call back into the store.
 */
struct store;

/* Zero (or negative) fields take the default. */
struct store_limits {
    int64_t cache_max_bytes; /* default 512 MiB: oldest clusters, then oldest rows go */
    int64_t cache_max_age_s; /* default 30 days: clusters not seen since are dropped */
    int64_t queue_max_bytes; /* default 128 MiB of queued writes; beyond it (the
                                writer is stuck) the queued writes of the clusters
                                concerned are dropped and their cached objects
                                cleared, so the cache never holds stale rows */
};

/* Opens or creates both files (their directories must exist). Never fails
 * because of a damaged file: that is repaired and reported as a notice.
 * Fails (STATUS_IO, STATUS_DB) only when a file cannot be created or opened
 * at all, or is a symbolic link or not a regular file. limits may be NULL. */
enum status store_open(const char *cache_path, const char *state_path,
                       const struct store_limits *limits, struct store **out);
/* Commits queued writes (bounded wait), stops the writer and closes. NULL is
 * a no-op. */
void store_close(struct store *st);
/* Human-readable notices so far, oldest first: from opening ("cache.db was
 * damaged (…); moved to …/cache.db.corrupt-20261124T031200Z and rebuilt")
 * and from later repairs. NULL-terminated; borrowed until the next call of
 * store_notices or store_close. */
const char *const *store_notices(struct store *st);
/* How many times cache.db was rebuilt since store_open (by damage found
 * during use). A caller holding a snapshot may rewrite it when this moves. */
uint64_t store_cache_generation(struct store *st);

/* The cache key of an API server: "sha256:<hex>" of the server URL and the
 * CA certificate fingerprint ("none" without a CA). Caller frees. */
char *store_cluster_key(const char *server_url, const char *ca_fingerprint);

/* --- cache: objects --------------------------------------------------------- */
typedef void (*store_object_cb)(void *arg, const char *ns, const char *name, const void *blob,
                                size_t len, int64_t fetched_at);
/* Calls cb for every cached object of kind for cluster (ns "" for
 * cluster-scoped), ordered by namespace then name; the arguments are borrowed
 * for the call. Synchronous; flushes first, so it sees every write queued
 * before the call. STATUS_CORRUPT when cache.db turned out damaged during
 * the read: it has been moved aside and rebuilt (a notice says so) and the
 * rows delivered before are all there is. STATUS_TIMEOUT when the writes
 * queued before could not be committed within 3 s (another process holds
 * the write lock) or the database stayed busy. */
enum status store_load(struct store *st, const char *cluster, const char *kind, store_object_cb cb,
                       void *arg);
/* Queue writes (copied; never blocks on the database). ns NULL or "" for
 * cluster-scoped objects. */
void store_put(struct store *st, const char *cluster, const char *kind, const char *ns,
               const char *name, const void *blob, size_t len, int64_t fetched_at);
void store_remove(struct store *st, const char *cluster, const char *kind, const char *ns,
                  const char *name);
/* A relist: rows of kind (in namespace ns, or all when ns is NULL) that are
 * not put between begin and end are deleted at end (by anyone: a second
 * console's puts count too). An end without its begin deletes nothing, and
 * so does one whose begin preceded a rebuild of cache.db. */
void store_replace_begin(struct store *st, const char *cluster, const char *kind, const char *ns);
void store_replace_end(struct store *st, const char *cluster, const char *kind, const char *ns);
/*
 * A group: the writes queued between store_group_begin and store_group_end
 * are applied as they come, by the writer thread inside one open
 * transaction (so the work overlaps the caller's), and committed only by
 * store_group_end(st, true); store_group_end(st, false) discards them all,
 * leaving cache.db as it was. While a group is open this process holds the
 * cache's write lock (other processes' writes wait and retry) and its own
 * reads do not see the group's writes. Not nested; a group still open at
 * store_close is discarded. For `opsdeck get`: a list is written as it
 * downloads, and a failed list changes nothing.
 */
void store_group_begin(struct store *st);
void store_group_end(struct store *st, bool commit);

/* Waits until every write queued before the call is committed, at most
 * 10 s (STATUS_TIMEOUT). STATUS_DB when a batch had to be dropped since the
 * last flush (disk full, I/O error; the detail is in status_text()). */
enum status store_flush(struct store *st);

/* --- cache: per-cluster info ------------------------------------------------- */
struct store_cluster_info {
    char *server;      /* API server URL */
    char *version;     /* gitVersion */
    int64_t last_live; /* wall clock of the last successful contact */
    int64_t data_time; /* fetched_at of the newest cached data */
};
/* false when nothing is cached for cluster; strings are new or NULL (free
 * with store_cluster_info_done). Flushes first, like store_load. */
bool store_cluster_info(struct store *st, const char *cluster, struct store_cluster_info *out);
void store_cluster_info_done(struct store_cluster_info *info);
/* Queued like store_put. server and version may be NULL (kept as they are);
 * last_live 0 keeps the stored one. */
void store_set_cluster_info(struct store *st, const char *cluster, const char *server,
                            const char *version, int64_t last_live);

/* Empties the cache (opsdeck cache clear): drops the writes still queued,
 * deletes every object and cluster, returns the pages to the file system,
 * deletes the cache.db.corrupt-* copies; waits for it like store_flush. */
enum status store_cache_clear(struct store *st);
/* Bytes used by cache.db (pages in use, not counting free pages); -1 when
 * the cache is unavailable. */
int64_t store_cache_size(struct store *st);

/* Counters since store_open, for the debug log and the benchmarks. */
struct store_stats {
    uint64_t transactions;  /* commits on the writer's connection (commit hook) */
    uint64_t batches;       /* batches committed */
    uint64_t ops;           /* queued writes committed */
    uint64_t busy_retries;  /* batches retried because another process held the lock */
    uint64_t recoveries;    /* cache.db rebuilt during use */
    uint64_t dropped;       /* writes dropped (queue overflow, write errors) */
    uint64_t last_batch_us; /* duration of the last batch, BEGIN to COMMIT */
};
void store_stats(struct store *st, struct store_stats *out);

/* --- state: prompt history and settings ------------------------------------- */
/* Appends line to the history named `prompt` (":" commands, "/" filters);
 * an empty line and a duplicate of the newest line are skipped; at most 500
 * kept per prompt. STATUS_INVALID for a line over 4096 bytes. When state.db
 * turns out damaged here it is kept aside, a new one started (notice), and
 * the line added to the new one. */
enum status store_history_add(struct store *st, const char *prompt, const char *line);
/* The newest max lines, newest first, NULL-terminated (caller frees with
 * strv_free). */
char **store_history(struct store *st, const char *prompt, size_t max);
/* Setting value (caller frees) or NULL. */
char *store_setting(struct store *st, const char *key);
/* value NULL deletes the setting. */
enum status store_set_setting(struct store *st, const char *key, const char *value);
/* True when state.db could not be used (newer schema) and history and
 * settings live in memory for this session. */
bool store_state_is_memory(struct store *st);

/* --- cache: log query results (store_logs.c; used by the Loki client) ---- */
/*
 * Lines fetched from Loki, per endpoint (the client's cache key) and query,
 * so logs seen before can be read offline. Log lines are not secrets; they
 * are stored as fetched. Each put is one transaction on the caller's
 * thread (a page of up to 5,000 lines), waiting at most 2 s for the lock.
 * Retention: lines fetched more than max_age ago go; above max_bytes (line
 * bytes) the least recently used queries go first, then a query's oldest
 * lines. store_cache_clear does not reach these tables: store_logs_clear
 * does (`opsdeck cache clear` calls both).
 */
struct store_log_line {
    int64_t ts;         /* ns */
    const char *labels; /* the stream's canonical selector text */
    const char *line;
    size_t len;
};
/* Zero fields take the defaults: 64 MiB, 7 days. */
void store_logs_set_limits(struct store *st, int64_t max_bytes, int64_t max_age_s);
/* Stores lines (copied); duplicates (same query, ts, stream and text) are
 * kept once, with the newest fetched_at (wall clock, seconds). */
enum status store_logs_put(struct store *st, const char *endpoint, const char *query,
                           const struct store_log_line *lines, size_t n, int64_t fetched_at);
/* Return false to stop. Arguments borrowed for the call. */
typedef bool (*store_log_cb)(void *arg, const struct store_log_line *line, int64_t fetched_at);
/* The cached lines of query with start <= ts < end, oldest first (or newest
 * first), at most limit (0: all). STATUS_OK with nothing when none. */
enum status store_logs_load(struct store *st, const char *endpoint, const char *query,
                            int64_t start_ns, int64_t end_ns, bool newest_first, size_t limit,
                            store_log_cb cb, void *arg);
/* Bytes of cached line text (-1 when the cache is unavailable). */
int64_t store_logs_size(struct store *st);
enum status store_logs_clear(struct store *st);

#endif /* OPSDECK_STORE_H */
