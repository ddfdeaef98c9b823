/* SPDX-License-Identifier: MIT */
/* store.c - the store: opening both files, notices, cache reads, statistics */
#include "config.h"

#include "opsdeck/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "opsdeck/clock.h"
#include "opsdeck/log.h"
#include "opsdeck/xalloc.h"
#include "store_priv.h"

/*
 * Notices
 */

void
store_notice(struct store *st, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    log_warn("store: %s", msg);
    pthread_mutex_lock(&st->n_mu);
    vec_push(&st->notices, msg);
    pthread_mutex_unlock(&st->n_mu);
}

const char *const *
store_notices(struct store *st)
{
    const char **view;

    pthread_mutex_lock(&st->n_mu);
    view = xcalloc(st->notices.len + 1, sizeof(*view));
    for (size_t i = 0; i < st->notices.len; i++)
        view[i] = st->notices.items[i];
    free(st->notices_view);
    st->notices_view = view;
    pthread_mutex_unlock(&st->n_mu);
    return view;
}

uint64_t
store_cache_generation(struct store *st)
{
    uint64_t gen;

    pthread_mutex_lock(&st->q_mu);
    gen = st->cache_gen;
    pthread_mutex_unlock(&st->q_mu);
    return gen;
}

/*
 * The cluster key
 */

char *
store_cluster_key(const char *server_url, const char *ca_fingerprint)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t ulen = strlen(server_url);
    char *data, *out;

    /* "https://h:6443/" and "https://h:6443" are the same server. */
    while (ulen > 0 && server_url[ulen - 1] == '/')
        ulen--;
    data = xasprintf("%.*s\n%s", (int)ulen, server_url,
                     ca_fingerprint && *ca_fingerprint ? ca_fingerprint : "none");
    if (EVP_Digest(data, strlen(data), md, &mdlen, EVP_sha256(), NULL) != 1)
        xfatal("EVP_Digest(sha256) failed");
    free(data);
    out = xmalloc(7 + 2 * (size_t)mdlen + 1);
    memcpy(out, "sha256:", 7);
    for (unsigned int i = 0; i < mdlen; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[7 + 2 * i + 1] = hex[md[i] & 15];
    }
    out[7 + 2 * (size_t)mdlen] = '\0';
    return out;
}

/*
 * cache.db: attach and detach
 */

static int
commit_hook(void *arg)
{
    struct store *st = arg;

    atomic_fetch_add(&st->st_transactions, 1);
    return 0; /* let it commit */
}

/* One attempt on the file as it is: STATUS_CORRUPT (with why) when it must
 * be moved aside. */
static enum status
cache_try_attach(struct store *st, char *why, size_t whylen, dev_t *dev, ino_t *ino)
{
    sqlite3 *cw = NULL, *cr = NULL;
    enum store_verdict verdict;
    enum status rc;

    rc = store_file_prepare(st->cache_path);
    if (rc != STATUS_OK)
        return rc;
    rc = store_db_open(st->cache_path, STORE_WRITER_BUSY_MS, &cw);
    if (rc != STATUS_OK)
        return rc;
    if (!store_file_id(st->cache_path, dev, ino)) {
        rc = status_fail(STATUS_IO, "%s: %s", st->cache_path, strerror(errno));
        goto fail;
    }
    /* The O(n) quick_check of a cache that may hold 100 MB runs later, in
     * the writer thread (store_writer.c); here only what is cheap: header,
     * application_id, user_version, the schema page. */
    verdict = store_schema_check(cw, &store_cache_schema, STORE_CHECK_NONE, why, whylen);
    if (verdict == STORE_DB_ERROR) {
        rc = status_fail(STATUS_DB, "%s: %s", st->cache_path, why);
        goto fail;
    }
    if (verdict != STORE_DB_OK) {
        rc = STATUS_CORRUPT;
        goto fail;
    }
    rc = store_schema_upgrade(cw, &store_cache_schema);
    if (rc == STATUS_CORRUPT)
        snprintf(why, whylen, "%s", status_text());
    if (rc != STATUS_OK)
        goto fail;
    /* Debian builds SQLite with SECURE_DELETE: every freed page is zeroed
     * through the WAL, which makes a clear or a trim of a 100 MB cache cost
     * seconds. cache.db holds no secrets (enforced upstream) and is 0600;
     * FAST still scrubs what is deleted from pages written anyway. state.db
     * keeps the full setting. */
    rc = store_db_configure(cw);
    if (rc == STATUS_OK)
        rc = store_exec(cw, "PRAGMA secure_delete=FAST", NULL);
    /* cache.db is disposable: its commits are not synced. A crash of
     * opsdeck still loses nothing the kernel has; a power loss may damage
     * the file, which is then found, moved aside and rebuilt like any other
     * damage. It saves the fsyncs of every checkpoint (a full refresh of
     * 20,000 pods writes and checkpoints about 12 MB). */
    if (rc == STATUS_OK)
        rc = store_exec(cw, "PRAGMA synchronous=OFF", NULL);
    if (rc != STATUS_OK)
        goto fail;
    rc = store_db_open(st->cache_path, STORE_READER_BUSY_MS, &cr);
    if (rc == STATUS_OK)
        rc = store_db_configure(cr);
    if (rc == STATUS_OK)
        rc = store_exec(cr, "PRAGMA query_only=1", NULL);
    if (rc != STATUS_OK)
        goto fail;
    /* A WAL an earlier process left uncopied (a deferred checkpoint, see
     * store_writer.c) is copied as soon as the writer is idle. */
    st->ckpt_at_ms = clock_mono_ms();
    st->cache_dev = *dev;
    st->cache_ino = *ino;
    sqlite3_commit_hook(cw, commit_hook, st);
    st->cw = cw;
    st->cr = cr;
    st->cache_ok = true;
    return STATUS_OK;
fail:
    store_db_close(cr);
    store_db_close(cw);
    return rc;
}

enum status
store_cache_attach(struct store *st)
{
    char why[512];
    enum status rc;

    st->cache_ok = false;
    for (int attempt = 0; attempt < 3; attempt++) {
        char *dest;
        dev_t dev = 0;
        ino_t ino = 0;

        rc = cache_try_attach(st, why, sizeof(why), &dev, &ino);
        if (rc != STATUS_CORRUPT)
            return rc;
        /* Another console that found the same damage may have moved it
         * already: never move its new file aside. */
        if (!store_same_file(st->cache_path, dev, ino))
            continue;
        dest = store_move_aside(st->cache_path, "corrupt");
        if (!dest)
            return STATUS_IO;
        store_notice(st, "cache.db was unusable (%s); moved to %s and rebuilt", why, dest);
        free(dest);
        store_prune_aside(st->cache_path, "corrupt", STORE_KEEP_CORRUPT);
    }
    return status_fail(STATUS_DB, "%s: cannot start a new cache: %s", st->cache_path, why);
}

void
store_cache_detach(struct store *st)
{
    store_writer_stmts_done(st);
    store_db_close(st->cr);
    store_db_close(st->cw);
    st->cr = NULL;
    st->cw = NULL;
    st->cache_ok = false;
}

/*
 * Open and close
 */

enum status
store_open(const char *cache_path, const char *state_path, const struct store_limits *limits,
           struct store **out)
{
    struct store *st;
    pthread_condattr_t ca;
    enum status rc;

    *out = NULL;
    if (!sqlite3_threadsafe())
        return status_fail(STATUS_DB, "SQLite was built without thread support");
    st = xcalloc(1, sizeof(*st));
    st->cache_path = xstrdup(cache_path);
    st->state_path = xstrdup(state_path);
    if (limits)
        st->limits = *limits;
    if (st->limits.cache_max_bytes <= 0)
        st->limits.cache_max_bytes = STORE_DEFAULT_MAX_BYTES;
    if (st->limits.cache_max_age_s <= 0)
        st->limits.cache_max_age_s = STORE_DEFAULT_MAX_AGE_S;
    if (st->limits.queue_max_bytes <= 0)
        st->limits.queue_max_bytes = STORE_DEFAULT_QUEUE_BYTES;
    pthread_mutex_init(&st->db_mu, NULL);
    pthread_mutex_init(&st->q_mu, NULL);
    pthread_mutex_init(&st->state_mu, NULL);
    pthread_mutex_init(&st->n_mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->work_cv, &ca);
    pthread_cond_init(&st->done_cv, &ca);
    pthread_condattr_destroy(&ca);
    vec_init(&st->notices, free);
    hmap_init(&st->replaces);
    vec_init(&st->group_ended, free);

    rc = store_state_open(st);
    if (rc == STATUS_OK)
        rc = store_cache_attach(st);
    if (rc == STATUS_OK)
        rc = store_writer_start(st);
    if (rc != STATUS_OK) {
        char detail[1024];

        snprintf(detail, sizeof(detail), "%s", status_text());
        store_close(st);
        return status_fail(rc, "%s", detail);
    }
    *out = st;
    return STATUS_OK;
}

void
store_close(struct store *st)
{
    if (!st)
        return;
    if (st->thread_started)
        store_writer_stop(st);
    store_writer_discard(st);
    if (st->cw)
        sqlite3_exec(st->cw, "PRAGMA optimize", NULL, NULL, NULL);
    if (st->cw && st->ckpt_deferred) {
        /* A checkpoint is still due (a large group was just committed):
         * leave the WAL to the next start instead of copying it now. */
        sqlite3_db_config(st->cw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_db_config(st->cr, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    }
    store_cache_detach(st);
    store_state_close(st);
    store_replaces_clear(st);
    hmap_done(&st->replaces);
    vec_done(&st->group_ended);
    vec_done(&st->notices);
    free(st->notices_view);
    pthread_cond_destroy(&st->work_cv);
    pthread_cond_destroy(&st->done_cv);
    pthread_mutex_destroy(&st->db_mu);
    pthread_mutex_destroy(&st->q_mu);
    pthread_mutex_destroy(&st->state_mu);
    pthread_mutex_destroy(&st->n_mu);
    free(st->cache_path);
    free(st->state_path);
    free(st);
}

/*
 * Reads (caller's thread, reader connection, under db_mu)
 */

/* Flushes, then takes db_mu with a usable reader connection. When another
 * process replaced cache.db, has the writer reopen it first. The flush is
 * bounded tighter than store_flush: a batch commits in tens of ms, so a
 * longer wait means another process holds the lock, and the console's loop
 * must not stall on it. */
static enum status
read_begin(struct store *st)
{
    enum status rc = store_wait(st, STORE_READ_WAIT_MS);
    bool replaced;

    if (rc == STATUS_TIMEOUT)
        return rc;
    pthread_mutex_lock(&st->db_mu);
    replaced = st->cache_ok && !store_same_file(st->cache_path, st->cache_dev, st->cache_ino);
    if (replaced) {
        pthread_mutex_unlock(&st->db_mu);
        store_request_recovery(st, NULL);
        pthread_mutex_lock(&st->db_mu);
    }
    if (!st->cache_ok) {
        pthread_mutex_unlock(&st->db_mu);
        return status_fail(STATUS_DB, "%s: the cache is unavailable", st->cache_path);
    }
    return STATUS_OK;
}

/* Ends a read: releases db_mu; when rc says the file is damaged, has the
 * writer rebuild it and returns STATUS_CORRUPT. */
static enum status
read_end(struct store *st, int rc)
{
    char why[256];

    if (!store_rc_damaged(rc)) {
        pthread_mutex_unlock(&st->db_mu);
        return STATUS_OK;
    }
    snprintf(why, sizeof(why), "%s", sqlite3_errmsg(st->cr));
    pthread_mutex_unlock(&st->db_mu);
    store_request_recovery(st, why);
    return status_fail(STATUS_CORRUPT, "cache.db was damaged (%s); moved aside and rebuilt", why);
}

/* The times of the lists of (cluster, kind) (store_writer.c keeps them):
 * *all for the list of every namespace, by_ns (ns -> int64_t *, owned)
 * for the others. */
static int
load_list_times(struct store *st, const char *cluster, const char *kind, int64_t *all,
                struct hmap *by_ns)
{
    static const char sql[] =
        "SELECT ns, fetched_at FROM lists"
        " WHERE cluster = (SELECT id FROM clusters WHERE key = ?1) AND kind = ?2";
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(st->cr, sql, -1, &stmt, NULL);

    *all = 0;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, cluster, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *ns = (const char *)sqlite3_column_text(stmt, 0);
            int64_t t = sqlite3_column_int64(stmt, 1);

            if (ns && strcmp(ns, "\x1e*") == 0) {
                *all = t;
            } else if (ns) {
                int64_t *v = xmalloc(sizeof(*v));

                *v = t;
                free(hmap_put(by_ns, ns, v));
            }
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc;
}

enum status
store_load(struct store *st, const char *cluster, const char *kind, store_object_cb cb, void *arg)
{
    static const char sql[] =
        "SELECT ns, name, blob, fetched_at FROM objects"
        " WHERE cluster = (SELECT id FROM clusters WHERE key = ?1) AND kind = ?2"
        " ORDER BY cluster, kind, ns, name";
    sqlite3_stmt *stmt = NULL;
    enum status status;
    struct hmap by_ns;
    int64_t all_time;
    int rc;

    status = read_begin(st);
    if (status != STATUS_OK)
        return status;
    hmap_init(&by_ns);
    rc = load_list_times(st, cluster, kind, &all_time, &by_ns);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->cr, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, cluster, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *ns = (const char *)sqlite3_column_text(stmt, 0);
            const char *name = (const char *)sqlite3_column_text(stmt, 1);
            const void *blob = sqlite3_column_blob(stmt, 2); /* NULL when empty */
            size_t len = (size_t)sqlite3_column_bytes(stmt, 2);
            int64_t fetched_at = MAX(sqlite3_column_int64(stmt, 3), all_time);
            const int64_t *ns_time = by_ns.len ? hmap_get(&by_ns, ns ? ns : "") : NULL;

            /* A row a relist found unchanged was not rewritten: its list's
             * time is when it was last seen. */
            if (ns_time)
                fetched_at = MAX(fetched_at, *ns_time);
            cb(arg, ns ? ns : "", name ? name : "", blob ? blob : "", len, fetched_at);
        }
    }
    hmap_done_with(&by_ns, free);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        status = STATUS_OK;
    } else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        status = status_fail(STATUS_TIMEOUT, "cache.db stayed busy: %s", sqlite3_errmsg(st->cr));
    } else {
        status = status_fail(STATUS_DB, "cache.db: %s", sqlite3_errmsg(st->cr));
    }
    sqlite3_finalize(stmt);
    if (store_rc_damaged(rc))
        return read_end(st, rc);
    read_end(st, rc);
    return status;
}

bool
store_cluster_info(struct store *st, const char *cluster, struct store_cluster_info *out)
{
    static const char sql[] =
        "SELECT server, version, last_live, data_time FROM clusters WHERE key = ?1";
    sqlite3_stmt *stmt = NULL;
    bool found = false;
    int rc;

    memset(out, 0, sizeof(*out));
    if (read_begin(st) != STATUS_OK)
        return false;
    rc = sqlite3_prepare_v2(st->cr, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, cluster, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            out->server = xstrdup((const char *)sqlite3_column_text(stmt, 0));
            out->version = xstrdup((const char *)sqlite3_column_text(stmt, 1));
            out->last_live = sqlite3_column_int64(stmt, 2);
            out->data_time = sqlite3_column_int64(stmt, 3);
            found = true;
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(stmt);
    read_end(st, rc);
    return found;
}

void
store_cluster_info_done(struct store_cluster_info *info)
{
    if (!info)
        return;
    free(info->server);
    free(info->version);
    info->server = NULL;
    info->version = NULL;
}

int64_t
store_cache_size(struct store *st)
{
    int64_t pages = 0, free_pages = 0, page_size = 0;
    int rc = SQLITE_OK;

    pthread_mutex_lock(&st->db_mu);
    if (!st->cache_ok) {
        pthread_mutex_unlock(&st->db_mu);
        return -1;
    }
    if (store_query_int(st->cr, "PRAGMA page_count", &pages, &rc) != STATUS_OK ||
        store_query_int(st->cr, "PRAGMA freelist_count", &free_pages, &rc) != STATUS_OK ||
        store_query_int(st->cr, "PRAGMA page_size", &page_size, &rc) != STATUS_OK)
        pages = -1;
    if (store_rc_damaged(rc)) {
        read_end(st, rc);
        return -1;
    }
    pthread_mutex_unlock(&st->db_mu);
    return pages < 0 ? -1 : (pages - free_pages) * page_size;
}

void
store_stats(struct store *st, struct store_stats *out)
{
    out->transactions = atomic_load(&st->st_transactions);
    out->batches = atomic_load(&st->st_batches);
    out->ops = atomic_load(&st->st_ops);
    out->busy_retries = atomic_load(&st->st_busy);
    out->recoveries = atomic_load(&st->st_recoveries);
    out->dropped = atomic_load(&st->st_dropped);
    out->last_batch_us = atomic_load(&st->st_batch_us);
}
