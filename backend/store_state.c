/* SPDX-License-Identifier: MIT */
/* store_state.c - state.db: prompt history and settings, kept aside when damaged */
#include "config.h"

#include "opsdeck/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opsdeck/clock.h"
#include "opsdeck/log.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "store_priv.h"

/* state.db stays small (history is capped), so the full integrity_check is
 * affordable at open below this size; above it, quick_check. */
#define STATE_INTEGRITY_MAX_BYTES (4 * 1024 * 1024)

/*
 * Opening
 */

static enum status
state_open_memory(struct store *st)
{
    sqlite3 *db = NULL;
    enum status rc;

    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return status_fail(STATUS_NOMEM, "cannot open an in-memory state");
    }
    sqlite3_extended_result_codes(db, 1);
    rc = store_schema_upgrade(db, &store_state_schema);
    if (rc != STATUS_OK) {
        sqlite3_close(db);
        return rc;
    }
    st->sdb = db;
    st->state_memory = true;
    return STATUS_OK;
}

/* Keeps a damaged state.db aside and says so loudly; the caller starts a new
 * one. */
static enum status
state_keep_aside(struct store *st, const char *why)
{
    char *dest = store_move_aside(st->state_path, "damaged");

    if (!dest)
        return STATUS_IO;
    store_notice(st,
                 "state.db was damaged (%s): it was kept as %s and a new, empty state.db "
                 "was started (prompt history and settings start afresh)",
                 why, dest);
    free(dest);
    return STATUS_OK;
}

static enum status
state_attach(struct store *st)
{
    char why[512];
    struct stat sb;
    enum status rc;

    for (int attempt = 0; attempt < 3; attempt++) {
        sqlite3 *db = NULL;
        enum store_verdict verdict;
        enum store_check check;
        dev_t dev = 0;
        ino_t ino = 0;

        rc = store_file_prepare(st->state_path);
        if (rc != STATUS_OK)
            return rc;
        check = lstat(st->state_path, &sb) == 0 && sb.st_size > STATE_INTEGRITY_MAX_BYTES
                    ? STORE_CHECK_QUICK
                    : STORE_CHECK_INTEGRITY;
        rc = store_db_open(st->state_path, STORE_READER_BUSY_MS, &db);
        if (rc != STATUS_OK)
            return rc;
        store_file_id(st->state_path, &dev, &ino);
        verdict = store_schema_check(db, &store_state_schema, check, why, sizeof(why));
        switch (verdict) {
        case STORE_DB_OK:
            rc = store_schema_upgrade(db, &store_state_schema);
            if (rc == STATUS_OK)
                rc = store_db_configure(db);
            if (rc == STATUS_OK) {
                st->sdb = db;
                st->state_memory = false;
                st->state_dev = dev;
                st->state_ino = ino;
                return STATUS_OK;
            }
            store_db_close(db);
            if (rc != STATUS_CORRUPT)
                return rc;
            /* A migration that cannot run on this file: it was rolled back,
             * so what is kept aside is the file as it was. */
            snprintf(why, sizeof(why), "%s", status_text());
            break;
        case STORE_DB_NEWER:
            /* Written by a newer opsdeck: its data is not ours to judge or
             * change. Leave it exactly as it is. */
            store_db_close(db);
            store_notice(st,
                         "state.db was left untouched: %s; history and settings are kept in "
                         "memory for this session only",
                         why);
            return state_open_memory(st);
        case STORE_DB_ERROR:
            store_db_close(db);
            return status_fail(STATUS_DB, "%s: %s", st->state_path, why);
        case STORE_DB_DAMAGED:
        case STORE_DB_FOREIGN:
            store_db_close(db);
            break;
        }
        /* Another console that found the same damage may have kept it
         * aside already and started a new file: leave that one alone. */
        if (!store_same_file(st->state_path, dev, ino))
            continue;
        rc = state_keep_aside(st, why);
        if (rc != STATUS_OK)
            return rc;
    }
    return status_fail(STATUS_DB, "%s: cannot start a new state.db: %s", st->state_path, why);
}

enum status
store_state_open(struct store *st)
{
    return state_attach(st);
}

void
store_state_close(struct store *st)
{
    store_db_close(st->sdb);
    st->sdb = NULL;
}

bool
store_state_is_memory(struct store *st)
{
    bool mem;

    pthread_mutex_lock(&st->state_mu);
    mem = st->state_memory;
    pthread_mutex_unlock(&st->state_mu);
    return mem;
}

/* Opens state.db again after closing it; when that fails, the session
 * goes on in memory. Holds state_mu. */
static void
state_reopen(struct store *st)
{
    if (state_attach(st) == STATUS_OK)
        return;
    store_notice(st,
                 "state.db cannot be reopened (%s); history and settings are kept in "
                 "memory for this session only",
                 status_text());
    state_open_memory(st);
}

/* Damage found during use: keep the file aside, start a new one. Another
 * console may have done it already; then only reopen. Holds state_mu. */
static void
state_recover(struct store *st, const char *why)
{
    bool ours = !st->state_memory && store_same_file(st->state_path, st->state_dev, st->state_ino);

    store_state_close(st);
    if (ours)
        state_keep_aside(st, why);
    state_reopen(st);
}

/* Reopens state.db when another process moved it aside. Holds state_mu. */
static void
state_check_replaced(struct store *st)
{
    if (st->state_memory || !st->sdb ||
        store_same_file(st->state_path, st->state_dev, st->state_ino))
        return;
    log_info("store: %s was replaced; reopening it", st->state_path);
    store_state_close(st);
    state_reopen(st);
}

/*
 * Transactions: one short IMMEDIATE transaction per call, retried once on
 * a new file when the old one turns out damaged.
 */

typedef int (*state_fn)(sqlite3 *db, void *arg);

static enum status
state_txn(struct store *st, bool write, state_fn fn, void *arg)
{
    enum status status = STATUS_OK;

    pthread_mutex_lock(&st->state_mu);
    state_check_replaced(st);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!st->sdb) {
            status = status_fail(STATUS_DB, "state.db is unavailable");
            break;
        }
        /* IMMEDIATE takes the write lock up front, so a write never fails
         * half-way with SQLITE_BUSY_SNAPSHOT; reads need no lock. */
        int rc = sqlite3_exec(st->sdb, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);

        if (rc == SQLITE_OK)
            rc = fn(st->sdb, arg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(st->sdb, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            status = STATUS_OK;
            break;
        }
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
            status = status_fail(STATUS_TIMEOUT, "state.db stayed locked by another process");
        else
            status = status_fail(STATUS_DB, "state.db: %s", sqlite3_errmsg(st->sdb));
        if (!sqlite3_get_autocommit(st->sdb))
            sqlite3_exec(st->sdb, "ROLLBACK", NULL, NULL, NULL);
        if (!store_rc_damaged(rc) || attempt > 0)
            break;
        state_recover(st, sqlite3_errstr(rc));
    }
    pthread_mutex_unlock(&st->state_mu);
    return status;
}

/*
 * History
 */

struct history_add {
    const char *prompt;
    const char *line;
};

static int
history_add_fn(sqlite3 *db, void *arg)
{
    struct history_add *h = arg;
    sqlite3_stmt *stmt = NULL;
    int rc;
    bool dup = false;

    rc = sqlite3_prepare_v2(db,
                            "SELECT line FROM history WHERE prompt = ?1 ORDER BY id DESC"
                            " LIMIT 1",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, h->prompt, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            const char *last = (const char *)sqlite3_column_text(stmt, 0);

            dup = last && strcmp(last, h->line) == 0;
            rc = SQLITE_DONE;
        }
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc != SQLITE_OK || dup)
        return rc;
    rc = sqlite3_prepare_v2(db, "INSERT INTO history(prompt, line, at) VALUES(?1, ?2, ?3)", -1,
                            &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, h->prompt, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, h->line, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, clock_now());
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc != SQLITE_OK)
        return rc;
    /* Keep the newest STORE_HISTORY_MAX of this prompt. */
    rc = sqlite3_prepare_v2(db,
                            "DELETE FROM history WHERE prompt = ?1 AND id <= (SELECT id"
                            " FROM history WHERE prompt = ?1 ORDER BY id DESC LIMIT 1"
                            " OFFSET ?2)",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, h->prompt, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, STORE_HISTORY_MAX);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    sqlite3_finalize(stmt);
    return rc;
}

enum status
store_history_add(struct store *st, const char *prompt, const char *line)
{
    struct history_add h = {.prompt = prompt, .line = line};
    size_t len = strlen(line);

    if (len > STORE_HISTORY_LINE_MAX)
        return status_fail(STATUS_INVALID, "history line of %zu bytes (at most %d)", len,
                           STORE_HISTORY_LINE_MAX);
    if (strspn(line, " \t") == len)
        return STATUS_OK;
    return state_txn(st, true, history_add_fn, &h);
}

struct history_get {
    const char *prompt;
    size_t max;
    struct vec lines;
};

static int
history_get_fn(sqlite3 *db, void *arg)
{
    struct history_get *h = arg;
    sqlite3_stmt *stmt = NULL;
    int rc;

    vec_clear(&h->lines);
    rc = sqlite3_prepare_v2(db,
                            "SELECT line FROM history WHERE prompt = ?1 ORDER BY id DESC"
                            " LIMIT ?2",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, h->prompt, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)MIN(h->max, (size_t)INT64_MAX));
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            vec_push(&h->lines, xstrdup((const char *)sqlite3_column_text(stmt, 0)));
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(stmt);
    return rc;
}

char **
store_history(struct store *st, const char *prompt, size_t max)
{
    struct history_get h = {.prompt = prompt, .max = max};
    char **out;

    vec_init(&h.lines, free);
    if (state_txn(st, false, history_get_fn, &h) != STATUS_OK)
        log_warn("store: history: %s", status_text());
    out = xcalloc(h.lines.len + 1, sizeof(*out));
    for (size_t i = 0; i < h.lines.len; i++)
        out[i] = h.lines.items[i];
    h.lines.item_free = NULL; /* handed over */
    vec_done(&h.lines);
    return out;
}

/*
 * Settings
 */

struct setting {
    const char *key;
    const char *value;
    char *out;
};

static int
setting_get_fn(sqlite3 *db, void *arg)
{
    struct setting *s = arg;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = ?1", -1, &stmt, NULL);

    free(s->out);
    s->out = NULL;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, s->key, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW)
            s->out = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int
setting_set_fn(sqlite3 *db, void *arg)
{
    struct setting *s = arg;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db,
                                s->value ? "INSERT INTO settings(key, value) VALUES(?1, ?2)"
                                           " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
                                         : "DELETE FROM settings WHERE key = ?1",
                                -1, &stmt, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, s->key, -1, SQLITE_STATIC);
        if (s->value)
            sqlite3_bind_text(stmt, 2, s->value, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    sqlite3_finalize(stmt);
    return rc;
}

char *
store_setting(struct store *st, const char *key)
{
    struct setting s = {.key = key};

    if (state_txn(st, false, setting_get_fn, &s) != STATUS_OK) {
        log_warn("store: setting %s: %s", key, status_text());
        free(s.out);
        return NULL;
    }
    return s.out;
}

enum status
store_set_setting(struct store *st, const char *key, const char *value)
{
    struct setting s = {.key = key, .value = value};

    return state_txn(st, true, setting_set_fn, &s);
}
