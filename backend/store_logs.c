/* SPDX-License-Identifier: MIT */
/* store_logs.c - the log cache in cache.db: Loki results kept for offline reading */
#include "config.h"

#include "opsdeck/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_priv.h"

#define LOGS_DEFAULT_MAX_BYTES (INT64_C(64) * 1024 * 1024)
#define LOGS_DEFAULT_MAX_AGE_S (INT64_C(7) * 24 * 3600)

/*
 * The log tables are written on the caller's thread through the reader
 * connection (cr, under db_mu, its query_only lifted for the transaction),
 * one transaction per call: the writer thread's queue is for objects, and
 * a page of lines is already a batch.
 * The limits live in cache.db's meta table, so every console sharing the
 * file applies the same ones.
 */

static int exec_sql(sqlite3 *db, const char *sql);

static enum status
logs_begin(struct store *st)
{
    pthread_mutex_lock(&st->db_mu);
    if (!st->cache_ok || !st->cr) {
        pthread_mutex_unlock(&st->db_mu);
        return status_fail(STATUS_DB, "%s: the cache is unavailable", st->cache_path);
    }
    return STATUS_OK;
}

/* logs_begin for a write: cr may write until logs_write_end. */
static enum status
logs_write_begin(struct store *st)
{
    enum status status = logs_begin(st);

    if (status == STATUS_OK)
        exec_sql(st->cr, "PRAGMA query_only=0");
    return status;
}

static void
logs_write_end(struct store *st)
{
    exec_sql(st->cr, "PRAGMA query_only=1");
}

static enum status
logs_end(struct store *st, int rc)
{
    enum status status = STATUS_OK;

    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
            status =
                status_fail(STATUS_TIMEOUT, "cache.db stayed busy: %s", sqlite3_errmsg(st->cr));
        else
            status = status_fail(STATUS_DB, "cache.db: %s", sqlite3_errmsg(st->cr));
    }
    pthread_mutex_unlock(&st->db_mu);
    return status;
}

/* logs_end's status, but db_mu stays held. */
static enum status
logs_end_keep(struct store *st, int rc)
{
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return status_fail(STATUS_TIMEOUT, "cache.db stayed busy: %s", sqlite3_errmsg(st->cr));
    return status_fail(STATUS_DB, "cache.db: %s", sqlite3_errmsg(st->cr));
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int64_t
meta_int(sqlite3 *db, const char *key, int64_t def)
{
    sqlite3_stmt *stmt = NULL;
    int64_t v = def;

    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &stmt, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            v = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return v > 0 ? v : def;
}

void
store_logs_set_limits(struct store *st, int64_t max_bytes, int64_t max_age_s)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (logs_write_begin(st) != STATUS_OK)
        return;
    rc = sqlite3_prepare_v2(st->cr,
                            "INSERT OR REPLACE INTO meta(key, value) VALUES"
                            " ('log_max_bytes', ?1), ('log_max_age', ?2)",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, max_bytes > 0 ? max_bytes : 0);
        sqlite3_bind_int64(stmt, 2, max_age_s > 0 ? max_age_s : 0);
        rc = sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    logs_write_end(st);
    logs_end(st, rc);
}

static uint64_t
line_hash(const char *labels, const char *line, size_t len)
{
    uint64_t h = UINT64_C(1469598103934665603);

    for (const char *p = labels; *p; p++) {
        h ^= (unsigned char)*p;
        h *= UINT64_C(1099511628211);
    }
    h ^= 0xff;
    h *= UINT64_C(1099511628211);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)line[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static int64_t
query_id(sqlite3 *db, const char *endpoint, const char *query, bool create, int64_t now)
{
    sqlite3_stmt *stmt = NULL;
    int64_t id = 0;

    if (create) {
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO log_queries(endpoint, query, used_at)"
                               " VALUES (?1, ?2, ?3) ON CONFLICT(endpoint, query)"
                               " DO UPDATE SET used_at = excluded.used_at",
                               -1, &stmt, NULL) == SQLITE_OK) {
            sqlite3_bind_text(stmt, 1, endpoint, -1, SQLITE_STATIC);
            sqlite3_bind_text(stmt, 2, query, -1, SQLITE_STATIC);
            sqlite3_bind_int64(stmt, 3, now);
            sqlite3_step(stmt);
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if (sqlite3_prepare_v2(db, "SELECT id FROM log_queries WHERE endpoint = ?1 AND query = ?2", -1,
                           &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, endpoint, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, query, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            id = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return id;
}

/* Retention inside the put's transaction. */
static int
enforce(sqlite3 *db, int64_t now)
{
    int64_t max_bytes = meta_int(db, "log_max_bytes", LOGS_DEFAULT_MAX_BYTES);
    int64_t max_age = meta_int(db, "log_max_age", LOGS_DEFAULT_MAX_AGE_S);
    sqlite3_stmt *stmt = NULL;
    int rc;
    char sql[512];

    snprintf(sql, sizeof(sql), "DELETE FROM log_lines WHERE fetched_at < %lld",
             (long long)(now - max_age));
    rc = exec_sql(db, sql);
    if (rc != SQLITE_OK)
        return rc;
    if (sqlite3_changes(db) > 0)
        rc = exec_sql(db, "UPDATE log_queries SET bytes = (SELECT total(length(line))"
                          " FROM log_lines WHERE query = log_queries.id);"
                          "DELETE FROM log_queries WHERE bytes = 0");
    /* Over the cap: the least recently used queries go, then the oldest
     * lines of the one left. Bounded: each round deletes something. */
    for (int round = 0; rc == SQLITE_OK && round < 64; round++) {
        int64_t total = 0, id = 0, count = 0;

        rc = sqlite3_prepare_v2(db, "SELECT total(bytes), count(*) FROM log_queries", -1, &stmt,
                                NULL);
        if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
            total = sqlite3_column_int64(stmt, 0);
            count = sqlite3_column_int64(stmt, 1);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_OK || total <= max_bytes)
            break;
        rc = sqlite3_prepare_v2(db, "SELECT id FROM log_queries ORDER BY used_at, id LIMIT 1", -1,
                                &stmt, NULL);
        if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            id = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_OK || id == 0)
            break;
        if (count > 1) {
            snprintf(sql, sizeof(sql), "DELETE FROM log_queries WHERE id = %lld", (long long)id);
        } else {
            snprintf(sql, sizeof(sql),
                     "DELETE FROM log_lines WHERE query = %lld AND rowid IN (SELECT rowid FROM"
                     " log_lines WHERE query = %lld ORDER BY ts LIMIT (SELECT max(count(*) / 2,"
                     " 1) FROM log_lines WHERE query = %lld));"
                     "UPDATE log_queries SET bytes = (SELECT total(length(line)) FROM log_lines"
                     " WHERE query = %lld) WHERE id = %lld",
                     (long long)id, (long long)id, (long long)id, (long long)id, (long long)id);
        }
        rc = exec_sql(db, sql);
    }
    return rc;
}

enum status
store_logs_put(struct store *st, const char *endpoint, const char *query,
               const struct store_log_line *lines, size_t n, int64_t fetched_at)
{
    sqlite3_stmt *stmt = NULL, *touch = NULL;
    enum status status;
    int64_t id, added = 0;
    int rc;

    if (n == 0)
        return STATUS_OK;
    status = logs_write_begin(st);
    if (status != STATUS_OK)
        return status;
    rc = exec_sql(st->cr, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        status = logs_end_keep(st, rc);
        logs_write_end(st);
        pthread_mutex_unlock(&st->db_mu);
        return status;
    }
    id = query_id(st->cr, endpoint, query, true, fetched_at);
    rc = sqlite3_prepare_v2(st->cr,
                            "INSERT OR IGNORE INTO log_lines(query, ts, h, labels, line,"
                            " fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->cr,
                                "UPDATE log_lines SET fetched_at = ?4 WHERE query = ?1"
                                " AND ts = ?2 AND h = ?3",
                                -1, &touch, NULL);
    for (size_t i = 0; rc == SQLITE_OK && id && i < n; i++) {
        const struct store_log_line *ln = &lines[i];
        int64_t h = (int64_t)line_hash(ln->labels, ln->line, ln->len);

        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_int64(stmt, 2, ln->ts);
        sqlite3_bind_int64(stmt, 3, h);
        sqlite3_bind_text(stmt, 4, ln->labels, -1, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 5, ln->line, (int)ln->len, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 6, fetched_at);
        rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE)
            break;
        rc = SQLITE_OK;
        if (sqlite3_changes(st->cr) > 0) {
            added += (int64_t)ln->len;
            continue;
        }
        /* Seen before: only its fetch time moves. */
        sqlite3_bind_int64(touch, 1, id);
        sqlite3_bind_int64(touch, 2, ln->ts);
        sqlite3_bind_int64(touch, 3, h);
        sqlite3_bind_int64(touch, 4, fetched_at);
        rc = sqlite3_step(touch);
        sqlite3_reset(touch);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(touch);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK && id) {
        char sql[128];

        snprintf(sql, sizeof(sql), "UPDATE log_queries SET bytes = bytes + %lld WHERE id = %lld",
                 (long long)added, (long long)id);
        rc = exec_sql(st->cr, sql);
    }
    if (rc == SQLITE_OK)
        rc = enforce(st->cr, fetched_at);
    if (rc == SQLITE_OK)
        rc = exec_sql(st->cr, "COMMIT");
    if (rc != SQLITE_OK) {
        /* The message before ROLLBACK replaces it. */
        status = logs_end_keep(st, rc);
        exec_sql(st->cr, "ROLLBACK");
        logs_write_end(st);
        pthread_mutex_unlock(&st->db_mu);
        return status;
    }
    logs_write_end(st);
    return logs_end(st, rc);
}

enum status
store_logs_load(struct store *st, const char *endpoint, const char *query, int64_t start_ns,
                int64_t end_ns, bool newest_first, size_t limit, store_log_cb cb, void *arg)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    int64_t id;
    int rc;
    char sql[320];

    status = logs_begin(st);
    if (status != STATUS_OK)
        return status;
    id = query_id(st->cr, endpoint, query, false, 0);
    if (id == 0)
        return logs_end(st, SQLITE_OK);
    snprintf(sql, sizeof(sql),
             "SELECT ts, labels, line, fetched_at FROM log_lines WHERE query = ?1 AND ts >= ?2"
             " AND ts < ?3 ORDER BY ts %s, h LIMIT ?4",
             newest_first ? "DESC" : "ASC");
    rc = sqlite3_prepare_v2(st->cr, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_int64(stmt, 2, start_ns);
        sqlite3_bind_int64(stmt, 3, end_ns);
        sqlite3_bind_int64(stmt, 4, limit ? (int64_t)limit : -1);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            struct store_log_line ln = {
                .ts = sqlite3_column_int64(stmt, 0),
                .labels = (const char *)sqlite3_column_text(stmt, 1),
                .line = sqlite3_column_blob(stmt, 2),
                .len = (size_t)sqlite3_column_bytes(stmt, 2),
            };

            if (!ln.labels)
                ln.labels = "{}";
            if (!ln.line)
                ln.line = "";
            if (!cb(arg, &ln, sqlite3_column_int64(stmt, 3))) {
                rc = SQLITE_DONE;
                break;
            }
        }
    }
    sqlite3_finalize(stmt);
    return logs_end(st, rc == SQLITE_ROW ? SQLITE_OK : rc);
}

int64_t
store_logs_size(struct store *st)
{
    int64_t v = -1;

    if (logs_begin(st) != STATUS_OK)
        return -1;
    if (store_query_int(st->cr, "SELECT total(bytes) FROM log_queries", &v, NULL) != STATUS_OK)
        v = -1;
    logs_end(st, SQLITE_OK);
    return v;
}

enum status
store_logs_clear(struct store *st)
{
    enum status status = logs_write_begin(st);
    int rc;

    if (status != STATUS_OK)
        return status;
    rc = exec_sql(st->cr, "DELETE FROM log_queries");
    logs_write_end(st);
    return logs_end(st, rc);
}
