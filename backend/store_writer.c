/* SPDX-License-Identifier: MIT */
/* store_writer.c - the cache's write queue and its writer thread: batches, retention, repair */
#include "config.h"

#include "opsdeck/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/clock.h"
#include "opsdeck/log.h"
#include "opsdeck/xalloc.h"
#include "store_priv.h"

/*
 * The queue (any thread)
 */

static int64_t
mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
deadline_ts(int64_t mono_ms, struct timespec *ts)
{
    ts->tv_sec = (time_t)(mono_ms / 1000);
    ts->tv_nsec = (long)(mono_ms % 1000) * 1000000L;
}

/* Allocates an op with copies of the strings and the blob in one block. */
static struct store_op *
op_new(enum store_op_type type, const char *cluster, const char *kind, const char *ns,
       const char *name, const char *server, const char *version, const void *blob, size_t len)
{
    const char *src[6] = {cluster, kind, ns, name, server, version};
    size_t lens[6], total = sizeof(struct store_op) + len;
    struct store_op *op;
    char *p;
    const char **dst[6];

    for (int i = 0; i < 6; i++) {
        lens[i] = src[i] ? strlen(src[i]) + 1 : 0;
        total += lens[i];
    }
    op = xmalloc(total);
    memset(op, 0, sizeof(*op));
    op->type = type;
    op->size = total;
    p = (char *)(op + 1);
    if (len) {
        memcpy(p, blob, len);
        op->blob = p;
        op->len = len;
        p += len;
    }
    dst[0] = &op->cluster;
    dst[1] = &op->kind;
    dst[2] = &op->ns;
    dst[3] = &op->name;
    dst[4] = &op->server;
    dst[5] = &op->version;
    for (int i = 0; i < 6; i++) {
        if (!src[i])
            continue;
        memcpy(p, src[i], lens[i]);
        *dst[i] = p;
        p += lens[i];
    }
    return op;
}

static void
op_free_list(struct store_op *op)
{
    while (op) {
        struct store_op *next = op->next;

        free(op);
        op = next;
    }
}

static void
append_locked(struct store *st, struct store_op *op)
{
    op->seq = ++st->enq_seq;
    op->next = NULL;
    if (st->q_tail)
        st->q_tail->next = op;
    else
        st->q_head = op;
    st->q_tail = op;
    st->q_count++;
    st->q_bytes += (int64_t)op->size;
    if (st->q_count == 1)
        st->q_first_ms = clock_mono_ms();
    if (st->q_count == 1 || st->q_count >= STORE_BATCH_OPS || op->type == OP_GROUP_COMMIT ||
        op->type == OP_GROUP_DISCARD)
        pthread_cond_signal(&st->work_cv);
}

/* The writer cannot keep up (another process holds the lock, the disk
 * stalls): drop what waits and, so the cache never shows an object that was
 * since changed or removed, clear the objects of every cluster concerned. */
static void
overflow_locked(struct store *st)
{
    struct hmap clusters;
    struct hmap_iter it;
    const char *key;
    void *value;
    struct store_op *pending = st->q_head;
    bool clear_all = false;
    size_t dropped = st->q_count;
    int64_t bytes = st->q_bytes;

    hmap_init(&clusters);
    for (struct store_op *op = pending; op; op = op->next) {
        if (op->type == OP_CLEAR)
            clear_all = true;
        else if (op->cluster)
            hmap_put(&clusters, op->cluster, op);
    }
    st->q_head = st->q_tail = NULL;
    st->q_count = 0;
    st->q_bytes = 0;
    if (clear_all) {
        append_locked(st, op_new(OP_CLEAR, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0));
    } else {
        hmap_iter_init(&it, &clusters);
        while (hmap_iter_next(&it, &key, &value))
            append_locked(st, op_new(OP_CLEAR_CLUSTER, key, NULL, NULL, NULL, NULL, NULL, NULL, 0));
    }
    hmap_done(&clusters);
    op_free_list(pending);
    atomic_fetch_add(&st->st_dropped, dropped);
    log_warn("store: write queue over %lld bytes: dropped %zu writes", (long long)bytes, dropped);
}

void
store_enqueue(struct store *st, struct store_op *op)
{
    bool overflowed = false;

    pthread_mutex_lock(&st->q_mu);
    if (st->stopping) {
        pthread_mutex_unlock(&st->q_mu);
        atomic_fetch_add(&st->st_dropped, 1);
        free(op);
        return;
    }
    if (st->q_bytes + (int64_t)op->size > st->limits.queue_max_bytes && st->q_count > 0) {
        overflow_locked(st);
        overflowed = true;
    }
    append_locked(st, op);
    pthread_mutex_unlock(&st->q_mu);
    if (overflowed)
        store_notice(st, "cache writes fell behind; queued writes were dropped and the "
                         "affected clusters' cached objects cleared");
}

/* A write with a missing key would fail its whole batch at the NOT NULL
 * constraints: refuse it here, alone. */
static bool
key_ok(const char *what, const char *cluster, const char *kind, const char *name)
{
    if (cluster && kind && name)
        return true;
    log_error("store: %s without %s: ignored", what,
              !cluster ? "cluster"
              : !kind  ? "kind"
                       : "name");
    return false;
}

void
store_put(struct store *st, const char *cluster, const char *kind, const char *ns, const char *name,
          const void *blob, size_t len, int64_t fetched_at)
{
    struct store_op *op;

    if (!key_ok("put", cluster, kind, name) || (!blob && len))
        return;
    op = op_new(OP_PUT, cluster, kind, ns ? ns : "", name, NULL, NULL, blob, len);
    op->time = fetched_at;
    store_enqueue(st, op);
}

void
store_remove(struct store *st, const char *cluster, const char *kind, const char *ns,
             const char *name)
{
    if (key_ok("remove", cluster, kind, name))
        store_enqueue(st,
                      op_new(OP_REMOVE, cluster, kind, ns ? ns : "", name, NULL, NULL, NULL, 0));
}

void
store_replace_begin(struct store *st, const char *cluster, const char *kind, const char *ns)
{
    if (key_ok("replace", cluster, kind, ""))
        store_enqueue(st, op_new(OP_REPLACE_BEGIN, cluster, kind, ns, NULL, NULL, NULL, NULL, 0));
}

void
store_replace_end(struct store *st, const char *cluster, const char *kind, const char *ns)
{
    if (key_ok("replace", cluster, kind, ""))
        store_enqueue(st, op_new(OP_REPLACE_END, cluster, kind, ns, NULL, NULL, NULL, NULL, 0));
}

void
store_group_begin(struct store *st)
{
    store_enqueue(st, op_new(OP_GROUP_BEGIN, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0));
}

void
store_group_end(struct store *st, bool commit)
{
    store_enqueue(st, op_new(commit ? OP_GROUP_COMMIT : OP_GROUP_DISCARD, NULL, NULL, NULL, NULL,
                             NULL, NULL, NULL, 0));
}

void
store_set_cluster_info(struct store *st, const char *cluster, const char *server,
                       const char *version, int64_t last_live)
{
    struct store_op *op;

    if (!key_ok("cluster info", cluster, "", ""))
        return;
    op = op_new(OP_CLUSTER_INFO, cluster, NULL, NULL, NULL, server, version, NULL, 0);

    op->time = last_live;
    store_enqueue(st, op);
}

enum status
store_wait(struct store *st, int timeout_ms)
{
    struct timespec ts;
    uint64_t target;
    enum status rc = STATUS_OK;
    char text[sizeof(st->werr_text)];

    deadline_ts(clock_mono_ms() + timeout_ms, &ts);
    pthread_mutex_lock(&st->q_mu);
    target = st->enq_seq;
    if (st->done_seq < target) {
        if (st->flush_seq < target)
            st->flush_seq = target;
        pthread_cond_signal(&st->work_cv);
    }
    while (st->done_seq < target) {
        if (pthread_cond_timedwait(&st->done_cv, &st->q_mu, &ts) == ETIMEDOUT &&
            st->done_seq < target) {
            pthread_mutex_unlock(&st->q_mu);
            return status_fail(STATUS_TIMEOUT, "cache writes not committed after %d ms",
                               timeout_ms);
        }
    }
    if (st->werr != STATUS_OK) {
        rc = st->werr;
        snprintf(text, sizeof(text), "%s", st->werr_text);
        st->werr = STATUS_OK;
    }
    pthread_mutex_unlock(&st->q_mu);
    if (rc != STATUS_OK)
        return status_fail(rc, "%s", text);
    return STATUS_OK;
}

enum status
store_flush(struct store *st)
{
    return store_wait(st, STORE_FLUSH_TIMEOUT_MS);
}

enum status
store_cache_clear(struct store *st)
{
    struct store_op *pending;
    size_t n;

    pthread_mutex_lock(&st->q_mu);
    pending = st->q_head;
    n = st->q_count;
    st->q_head = st->q_tail = NULL;
    st->q_count = 0;
    st->q_bytes = 0;
    pthread_mutex_unlock(&st->q_mu);
    op_free_list(pending);
    atomic_fetch_add(&st->st_dropped, n);
    /* Copies moved aside as corrupt are cached data too. */
    store_prune_aside(st->cache_path, "corrupt", 0);
    store_enqueue(st, op_new(OP_CLEAR, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0));
    return store_wait(st, STORE_FLUSH_TIMEOUT_MS);
}

void
store_request_recovery(struct store *st, const char *why)
{
    struct timespec ts;
    uint64_t gen;

    deadline_ts(clock_mono_ms() + STORE_FLUSH_TIMEOUT_MS, &ts);
    pthread_mutex_lock(&st->q_mu);
    gen = st->cache_gen;
    st->recover_req = true;
    snprintf(st->recover_why, sizeof(st->recover_why), "%s", why ? why : "");
    pthread_cond_signal(&st->work_cv);
    while (st->cache_gen == gen && !st->stopping) {
        if (pthread_cond_timedwait(&st->done_cv, &st->q_mu, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&st->q_mu);
}

/*
 * Writer thread: statements
 */

static const struct {
    size_t offset;
    const char *sql;
} stmt_sql[] = {
#define STMT(field, text)                                                                          \
    {                                                                                              \
        offsetof(struct store_writer_stmts, field), text                                           \
    }
    STMT(put, "INSERT INTO objects(cluster, kind, ns, name, gen, fetched_at, blob, h)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
              " ON CONFLICT(cluster, kind, ns, name) DO UPDATE SET"
              " gen = excluded.gen, fetched_at = excluded.fetched_at, blob = excluded.blob,"
              " h = excluded.h"),
    STMT(remove, "DELETE FROM objects WHERE cluster = ?1 AND kind = ?2 AND ns = ?3"
                 " AND name = ?4"),
    STMT(sweep_all, "DELETE FROM objects WHERE cluster = ?1 AND kind = ?2 AND gen < ?3"),
    STMT(sweep_ns, "DELETE FROM objects WHERE cluster = ?1 AND kind = ?2 AND ns = ?4"
                   " AND gen < ?3"),
    STMT(known_all, "SELECT rowid, ns, name, h FROM objects WHERE cluster = ?1 AND kind = ?2"),
    STMT(known_ns, "SELECT rowid, ns, name, h FROM objects WHERE cluster = ?1 AND kind = ?2"
                   " AND ns = ?3"),
    STMT(sweep_row, "DELETE FROM objects WHERE rowid = ?1 AND gen < ?2"),
    STMT(list_time, "INSERT INTO lists(cluster, kind, ns, fetched_at) VALUES(?1, ?2, ?3, ?4)"
                    " ON CONFLICT(cluster, kind, ns) DO UPDATE SET"
                    " fetched_at = max(fetched_at, excluded.fetched_at)"),
    STMT(cluster_get, "SELECT id FROM clusters WHERE key = ?1"),
    STMT(cluster_add, "INSERT INTO clusters(key, created_at) VALUES(?1, ?2)"),
    STMT(cluster_info, "UPDATE clusters SET server = coalesce(?2, server),"
                       " version = coalesce(?3, version),"
                       " last_live = CASE WHEN ?4 > 0 THEN ?4 ELSE last_live END"
                       " WHERE id = ?1"),
    STMT(cluster_time, "UPDATE clusters SET data_time = max(data_time, ?2) WHERE id = ?1"),
    STMT(clear_cluster, "DELETE FROM objects WHERE cluster = ?1"),
    STMT(gen_get, "SELECT value FROM meta WHERE key = 'gen'"),
    STMT(gen_set, "UPDATE meta SET value = ?1 WHERE key = 'gen'"),
#undef STMT
};

static sqlite3_stmt **
stmt_slot(struct store_writer_stmts *ws, size_t i)
{
    return (sqlite3_stmt **)(void *)((char *)ws + stmt_sql[i].offset);
}

static int
stmts_prepare(struct store *st)
{
    int rc = SQLITE_OK;

    if (st->ws.put)
        return SQLITE_OK;
    for (size_t i = 0; i < ARRAY_SIZE(stmt_sql) && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v3(st->cw, stmt_sql[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
                                stmt_slot(&st->ws, i), NULL);
    if (rc != SQLITE_OK)
        store_writer_stmts_done(st);
    return rc;
}

void
store_writer_stmts_done(struct store *st)
{
    for (size_t i = 0; i < ARRAY_SIZE(stmt_sql); i++) {
        sqlite3_stmt **slot = stmt_slot(&st->ws, i);

        sqlite3_finalize(*slot);
        *slot = NULL;
    }
}

/* Steps a statement that returns no rows and resets it. */
static int
run(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);

    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/*
 * Writer thread: repair
 */

static void
writer_recover(struct store *st, const char *why)
{
    bool same;
    enum status rc;

    pthread_mutex_lock(&st->db_mu);
    same = st->cache_ok && store_same_file(st->cache_path, st->cache_dev, st->cache_ino);
    store_cache_detach(st);
    if (same && why && *why) {
        char *dest = store_move_aside(st->cache_path, "corrupt");

        if (dest) {
            store_notice(st, "cache.db was damaged (%s); moved to %s and rebuilt", why, dest);
            free(dest);
            store_prune_aside(st->cache_path, "corrupt", STORE_KEEP_CORRUPT);
        } else {
            store_notice(st, "cache.db was damaged (%s) and cannot be moved aside: %s", why,
                         status_text());
        }
    } else {
        /* Another console moved it aside (or it was deleted): use the new one. */
        log_info("store: %s was replaced; reopening it", st->cache_path);
    }
    rc = store_cache_attach(st);
    if (rc != STATUS_OK)
        store_notice(st, "the cache is disabled for this session: %s", status_text());
    pthread_mutex_unlock(&st->db_mu);

    /* Open replaces refer to rows of the old file: forget them (an open
     * group's transaction went with it). */
    store_replaces_clear(st);
    st->group_open = false;
    st->group_freed = false;
    st->group_written = 0;
    vec_clear(&st->group_ended);

    pthread_mutex_lock(&st->q_mu);
    st->cache_gen++;
    pthread_cond_broadcast(&st->done_cv);
    pthread_mutex_unlock(&st->q_mu);
    atomic_fetch_add(&st->st_recoveries, 1);
}

/* A later batch noticed that cache.db is not the file we opened. */
static bool
file_replaced(struct store *st)
{
    return st->cache_ok && !store_same_file(st->cache_path, st->cache_dev, st->cache_ino);
}

/*
 * Writer thread: batches
 */

struct batch_cluster {
    const char *key; /* borrowed from an op of the batch */
    int64_t id;
    int64_t data_time; /* newest fetched_at put in this batch */
};

struct batch {
    struct batch_cluster *clusters;
    size_t nclusters;
    size_t cap;
    struct vec ended; /* replace keys to forget after the commit (owned) */
    size_t written;   /* rows put (not skipped as unchanged) */
    bool cleared;     /* OP_CLEAR ran: forget every replace, vacuum */
    bool freed;       /* rows were deleted: return pages */
};

enum batch_result { BATCH_DONE, BATCH_RETRY, BATCH_DAMAGED };

static char *
replace_key(const struct store_op *op)
{
    return xasprintf("%s\x1f%s\x1f%s", op->cluster, op->kind, op->ns ? op->ns : "\x1e*");
}

/*
 * A replace (store_replace_begin .. end) inside a group writes only what
 * changed. At the begin the rows in its scope are read once (rowid, key and
 * the hash of the blob); a put whose blob hashes the same is only marked
 * seen, so a relist of 20,000 unchanged pods rewrites no page of the file.
 * At the end the rows not seen are deleted unless another writer put them
 * after the begin (gen). Outside a group (a console's relist, spread over
 * many transactions, when the rows read at the begin may have changed)
 * every put is written and the end deletes what has an older gen. Either
 * way the list's time is kept in `lists`: store_load reports for each row
 * the later of its own fetched_at and its list's.
 */
struct known_row {
    int64_t rowid;
    int64_t h;
    bool seen;
};

struct store_replace {
    int64_t gen;        /* puts from the begin on carry a gen >= this */
    bool read_rows;     /* begun inside a group: rows holds the scope's rows */
    uint64_t txn;       /* the transaction they were read in */
    struct hmap rows;   /* "ns\x1fname" -> struct known_row (owned) */
    int64_t fetched_at; /* newest put in scope */
};

static void
replace_free(void *p)
{
    struct store_replace *r = p;

    if (!r)
        return;
    hmap_done_with(&r->rows, free);
    free(r);
}

void
store_replaces_clear(struct store *st)
{
    hmap_done_with(&st->replaces, replace_free);
}

static void
replace_forget(struct store *st, const char *key)
{
    replace_free(hmap_del(&st->replaces, key));
}

/* A 64-bit hash of a blob, eight bytes a step (a multiply and a shift per
 * word: it tells a changed blob from the same one, nothing more); never 0,
 * the value of rows written before hashes were kept. */
static int64_t
blob_hash(const void *blob, size_t len)
{
    const unsigned char *p = blob;
    uint64_t h = 0x9e3779b97f4a7c15u ^ len, w;
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    for (; i < len; i++)
        h = (h ^ p[i]) * 0xc4ceb9fe1a85ec53u;
    h ^= h >> 29;
    return h ? (int64_t)h : 1;
}

/* Joins parts with sep into buf (size bytes) when they fit; false when not. */
static bool
join_key(char *buf, size_t size, const char *const *parts, size_t n, char sep)
{
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);

        if (len + k + 2 > size)
            return false;
        if (i)
            buf[len++] = sep;
        memcpy(buf + len, parts[i], k);
        len += k;
    }
    buf[len] = '\0';
    return true;
}

/* The rows in the scope of a replace beginning now. */
static int
replace_read_rows(struct store *st, struct store_replace *r, int64_t cluster,
                  const struct store_op *op)
{
    sqlite3_stmt *q = op->ns ? st->ws.known_ns : st->ws.known_all;
    int rc;

    sqlite3_bind_int64(q, 1, cluster);
    sqlite3_bind_text(q, 2, op->kind, -1, SQLITE_STATIC);
    if (op->ns)
        sqlite3_bind_text(q, 3, op->ns, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *ns = sqlite3_column_text(q, 1), *name = sqlite3_column_text(q, 2);
        const char *parts[2] = { ns ? (const char *)ns : "", name ? (const char *)name : "" };
        struct known_row *row;
        char key[512];

        /* Kubernetes names are at most 253 bytes, namespaces 63. */
        if (!join_key(key, sizeof(key), parts, 2, '\x1f'))
            continue;
        row = xmalloc(sizeof(*row));
        row->rowid = sqlite3_column_int64(q, 0);
        row->h = sqlite3_column_int64(q, 3);
        row->seen = false;
        free(hmap_put(&r->rows, key, row));
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The open replace whose scope holds a put, or NULL. Called for every put:
 * the keys are built on the stack (replace_key's format). */
static struct store_replace *
replace_of(struct store *st, const struct store_op *op)
{
    const char *parts[3] = { op->cluster, op->kind, op->ns ? op->ns : "\x1e*" };
    struct store_replace *r;
    char key[512];

    if (st->replaces.len == 0)
        return NULL;
    if (!join_key(key, sizeof(key), parts, 3, '\x1f'))
        return NULL; /* no scope has so long a key: keys are bounded upstream */
    r = hmap_get(&st->replaces, key);
    if (r || !op->ns)
        return r;
    parts[2] = "\x1e*";
    return join_key(key, sizeof(key), parts, 3, '\x1f') ? hmap_get(&st->replaces, key) : NULL;
}

/* The id of cluster `key`, created when create is set; 0 when absent. */
static int
cluster_id(struct store *st, struct batch *b, const char *key, bool create, int64_t *id)
{
    struct store_writer_stmts *ws = &st->ws;
    int rc;

    for (size_t i = 0; i < b->nclusters; i++) {
        if (strcmp(b->clusters[i].key, key) == 0) {
            *id = b->clusters[i].id;
            return SQLITE_OK;
        }
    }
    *id = 0;
    sqlite3_bind_text(ws->cluster_get, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(ws->cluster_get);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(ws->cluster_get, 0);
    sqlite3_reset(ws->cluster_get);
    sqlite3_clear_bindings(ws->cluster_get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    if (*id == 0 && create) {
        sqlite3_bind_text(ws->cluster_add, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ws->cluster_add, 2, clock_now());
        rc = run(ws->cluster_add);
        if (rc != SQLITE_OK)
            return rc;
        *id = sqlite3_last_insert_rowid(st->cw);
    }
    if (*id == 0)
        return SQLITE_OK;
    b->clusters = xgrow(b->clusters, &b->cap, b->nclusters + 1, sizeof(*b->clusters));
    b->clusters[b->nclusters++] = (struct batch_cluster){.key = key, .id = *id};
    return SQLITE_OK;
}

static void
note_time(struct batch *b, int64_t id, int64_t t)
{
    for (size_t i = 0; i < b->nclusters; i++) {
        if (b->clusters[i].id == id && t > b->clusters[i].data_time)
            b->clusters[i].data_time = t;
    }
}

static int
apply(struct store *st, struct batch *b, const struct store_op *op, int64_t *gen)
{
    struct store_writer_stmts *ws = &st->ws;
    int64_t id = 0;
    int rc = SQLITE_OK;
    char *key;

    switch (op->type) {
    case OP_PUT: {
        int64_t h = blob_hash(op->blob, op->len);
        struct store_replace *r = replace_of(st, op);

        if (r && op->time > r->fetched_at)
            r->fetched_at = op->time;
        if (r && r->read_rows) {
            const char *parts[2] = { op->ns ? op->ns : "", op->name };
            struct known_row *row = NULL;
            char rkey[512];

            if (join_key(rkey, sizeof(rkey), parts, 2, '\x1f'))
                row = hmap_get(&r->rows, rkey);
            if (row) {
                row->seen = true;
                /* Unchanged, and read in this very transaction: nothing to
                 * write (its list's time stands for its fetched_at). */
                if (row->h == h && r->txn == st->txn) {
                    rc = cluster_id(st, b, op->cluster, true, &id);
                    note_time(b, id, op->time);
                    return rc;
                }
            }
        }
        rc = cluster_id(st, b, op->cluster, true, &id);
        if (rc != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(ws->put, 1, id);
        sqlite3_bind_text(ws->put, 2, op->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(ws->put, 3, op->ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(ws->put, 4, op->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ws->put, 5, *gen);
        sqlite3_bind_int64(ws->put, 6, op->time);
        sqlite3_bind_blob64(ws->put, 7, op->blob ? op->blob : "", op->len, SQLITE_STATIC);
        sqlite3_bind_int64(ws->put, 8, h);
        rc = run(ws->put);
        b->written++;
        note_time(b, id, op->time);
        return rc;
    }
    case OP_REMOVE:
        rc = cluster_id(st, b, op->cluster, false, &id);
        if (rc != SQLITE_OK || id == 0)
            return rc;
        sqlite3_bind_int64(ws->remove, 1, id);
        sqlite3_bind_text(ws->remove, 2, op->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(ws->remove, 3, op->ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(ws->remove, 4, op->name, -1, SQLITE_STATIC);
        return run(ws->remove);
    case OP_REPLACE_BEGIN: {
        /* Every put committed from here on, by any process, carries a
         * generation >= this one (meta 'gen' is read in each batch's write
         * transaction). A second begin on the same scope restarts it. */
        struct store_replace *r = xcalloc(1, sizeof(*r));

        r->gen = ++*gen;
        r->txn = st->txn;
        r->read_rows = st->group_open;
        hmap_init(&r->rows);
        rc = cluster_id(st, b, op->cluster, false, &id);
        if (rc == SQLITE_OK && id != 0 && r->read_rows)
            rc = replace_read_rows(st, r, id, op);
        key = replace_key(op);
        replace_forget(st, key);
        hmap_put(&st->replaces, key, r);
        free(key);
        return rc;
    }
    case OP_REPLACE_END: {
        struct store_replace *r;
        struct hmap_iter it;
        const char *rkey;
        void *value;

        key = replace_key(op);
        r = hmap_get(&st->replaces, key);
        if (!r) {
            free(key);
            return SQLITE_OK;
        }
        /* Forgotten only once committed: a retried batch needs it again. */
        vec_push(&b->ended, key);
        rc = cluster_id(st, b, op->cluster, false, &id);
        if (rc != SQLITE_OK || id == 0)
            return rc;
        if (!r->read_rows) {
            sqlite3_stmt *sweep = op->ns ? ws->sweep_ns : ws->sweep_all;

            sqlite3_bind_int64(sweep, 1, id);
            sqlite3_bind_text(sweep, 2, op->kind, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sweep, 3, r->gen);
            if (op->ns)
                sqlite3_bind_text(sweep, 4, op->ns, -1, SQLITE_STATIC);
            rc = run(sweep);
            if (rc == SQLITE_OK && sqlite3_changes(st->cw) > 0)
                b->freed = true;
        }
        hmap_iter_init(&it, &r->rows);
        while (rc == SQLITE_OK && hmap_iter_next(&it, &rkey, &value)) {
            const struct known_row *row = value;

            if (row->seen)
                continue;
            sqlite3_bind_int64(ws->sweep_row, 1, row->rowid);
            sqlite3_bind_int64(ws->sweep_row, 2, r->gen);
            rc = run(ws->sweep_row);
            if (rc == SQLITE_OK && sqlite3_changes(st->cw) > 0)
                b->freed = true;
        }
        if (rc == SQLITE_OK && r->fetched_at > 0) {
            sqlite3_bind_int64(ws->list_time, 1, id);
            sqlite3_bind_text(ws->list_time, 2, op->kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(ws->list_time, 3, op->ns ? op->ns : "\x1e*", -1, SQLITE_STATIC);
            sqlite3_bind_int64(ws->list_time, 4, r->fetched_at);
            rc = run(ws->list_time);
        }
        return rc;
    }
    case OP_CLUSTER_INFO:
        rc = cluster_id(st, b, op->cluster, true, &id);
        if (rc != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(ws->cluster_info, 1, id);
        if (op->server)
            sqlite3_bind_text(ws->cluster_info, 2, op->server, -1, SQLITE_STATIC);
        if (op->version)
            sqlite3_bind_text(ws->cluster_info, 3, op->version, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ws->cluster_info, 4, op->time);
        return run(ws->cluster_info);
    case OP_CLEAR_CLUSTER:
        rc = cluster_id(st, b, op->cluster, false, &id);
        if (rc != SQLITE_OK || id == 0)
            return rc;
        sqlite3_bind_int64(ws->clear_cluster, 1, id);
        b->freed = true;
        return run(ws->clear_cluster);
    case OP_CLEAR:
        rc = sqlite3_exec(st->cw, "DELETE FROM objects; DELETE FROM clusters;", NULL, NULL, NULL);
        b->nclusters = 0; /* their ids are gone */
        b->cleared = true;
        b->freed = true;
        return rc;
    case OP_MAINTAIN:
        return SQLITE_OK; /* taken alone by the loop, never in a batch */
    case OP_GROUP_BEGIN:
    case OP_GROUP_COMMIT:
    case OP_GROUP_DISCARD:
        return SQLITE_OK; /* the last op of its batch: writer_batch acts on it */
    }
    return SQLITE_OK;
}

/*
 * Checkpoints. SQLite copies the WAL into the file when a commit leaves it
 * over 1,000 pages. A group that wrote thousands of rows (a `get` into an
 * empty cache: 12 MB) commits without that copy instead, so the command
 * ends without it: the copy is due a second later if the process still
 * runs, else the WAL is left at the close and copied by the next start
 * while it waits for its first page (store_open sets ckpt_at_ms).
 */

/* The WAL copied into the file, as far as readers allow (PASSIVE: what a
 * reader holds back is copied at a later commit). Writer thread, outside
 * any transaction. */
static void
wal_checkpoint(struct store *st)
{
    int frames = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(st->cw, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);

    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
        log_warn("store: checkpoint: %s", sqlite3_errmsg(st->cw));
    log_debug("store: checkpoint: %d of %d WAL frames in the file", copied, frames);
}

/* Returns free pages to the file system and, after a clear, shrinks the
 * WAL too. Outside any transaction. */
static void
vacuum(struct store *st, bool truncate_wal)
{
    int rc = sqlite3_exec(st->cw, "PRAGMA incremental_vacuum", NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        log_warn("store: incremental_vacuum: %s", sqlite3_errmsg(st->cw));
    if (truncate_wal)
        sqlite3_wal_checkpoint_v2(st->cw, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

static void
record_error(struct store *st, const char *what, int rc, size_t dropped)
{
    pthread_mutex_lock(&st->q_mu);
    st->werr = STATUS_DB;
    snprintf(st->werr_text, sizeof(st->werr_text), "cache.db: %s: %s (%zu writes dropped)", what,
             sqlite3_errstr(rc), dropped);
    pthread_mutex_unlock(&st->q_mu);
    atomic_fetch_add(&st->st_dropped, dropped);
    log_error("store: %s: %s (%zu writes dropped)", what, sqlite3_errstr(rc), dropped);
}

static enum batch_result
classify(int rc)
{
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return BATCH_RETRY;
    if (store_rc_damaged(rc))
        return BATCH_DAMAGED;
    return BATCH_DONE;
}

static void enforce_size(struct store *st);

/* Forgets an open group: its transaction is gone (rolled back, or lost
 * with the file), and so are the replaces it began. */
static void
group_drop(struct store *st)
{
    if (!st->group_open)
        return;
    st->group_open = false;
    st->group_freed = false;
    st->group_written = 0;
    vec_clear(&st->group_ended);
    store_replaces_clear(st);
}

/* Runs ops (n of them) in one transaction; a group (store_group_begin)
 * keeps that transaction open across batches. A group op is always the
 * last of its batch. */
static enum batch_result
writer_batch(struct store *st, struct store_op *ops, size_t n, char *why, size_t whylen)
{
    struct batch b = {0};
    int64_t gen = 0, gen0, t0 = mono_us();
    enum batch_result res = BATCH_DONE;
    const char *what = "begin";
    const struct store_op *tail = ops;
    bool held = st->group_open, keep_open;
    int rc;

    while (tail->next)
        tail = tail->next;
    vec_init(&b.ended, free);
    if (!st->cache_ok) {
        group_drop(st);
        record_error(st, "unavailable", SQLITE_CANTOPEN, n);
        goto out;
    }
    if (tail->type == OP_GROUP_DISCARD) {
        if (held)
            sqlite3_exec(st->cw, "ROLLBACK", NULL, NULL, NULL);
        group_drop(st);
        if (n == 1)
            goto out;
        /* The writes before the discard were the group's: gone with it. */
        atomic_fetch_add(&st->st_ops, n);
        goto out;
    }
    keep_open = tail->type == OP_GROUP_BEGIN || (held && tail->type != OP_GROUP_COMMIT);
    rc = stmts_prepare(st);
    if (rc == SQLITE_OK && !held) {
        rc = sqlite3_exec(st->cw, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        st->txn++;
    }
    if (rc == SQLITE_OK) {
        what = "read generation";
        rc = sqlite3_step(st->ws.gen_get);
        if (rc == SQLITE_ROW) {
            gen = sqlite3_column_int64(st->ws.gen_get, 0);
            rc = SQLITE_OK;
        }
        sqlite3_reset(st->ws.gen_get);
    }
    gen0 = gen;
    what = "write";
    for (struct store_op *op = ops; op && rc == SQLITE_OK; op = op->next)
        rc = apply(st, &b, op, &gen);
    if (rc == SQLITE_OK && gen != gen0) {
        sqlite3_bind_int64(st->ws.gen_set, 1, gen);
        rc = run(st->ws.gen_set);
    }
    for (size_t i = 0; i < b.nclusters && rc == SQLITE_OK; i++) {
        if (b.clusters[i].data_time <= 0)
            continue;
        sqlite3_bind_int64(st->ws.cluster_time, 1, b.clusters[i].id);
        sqlite3_bind_int64(st->ws.cluster_time, 2, b.clusters[i].data_time);
        rc = run(st->ws.cluster_time);
    }
    if (rc == SQLITE_OK && keep_open) {
        /* The group goes on: what this batch ended is forgotten at its commit. */
        st->group_open = true;
        st->group_freed = st->group_freed || b.freed;
        st->group_written += b.written;
        while (b.ended.len)
            vec_push(&st->group_ended, vec_take(&b.ended, 0));
        atomic_fetch_add(&st->st_ops, n);
        goto out;
    }
    if (rc == SQLITE_OK) {
        bool defer = held && st->group_written + b.written > STORE_CKPT_DEFER_ROWS;

        what = "commit";
        if (defer)
            sqlite3_wal_autocheckpoint(st->cw, 0);
        rc = sqlite3_exec(st->cw, "COMMIT", NULL, NULL, NULL);
        if (defer) {
            sqlite3_wal_autocheckpoint(st->cw, STORE_WAL_AUTOCHECKPOINT);
            if (rc == SQLITE_OK) {
                st->ckpt_at_ms = clock_mono_ms() + STORE_CKPT_DELAY_MS;
                st->ckpt_deferred = true;
            }
        }
    }
    if (rc != SQLITE_OK) {
        snprintf(why, whylen, "%s", sqlite3_errmsg(st->cw));
        if (!sqlite3_get_autocommit(st->cw))
            sqlite3_exec(st->cw, "ROLLBACK", NULL, NULL, NULL);
        res = classify(rc);
        if (held) {
            /* The batches before this one went with the rollback: no retry
             * can bring them back. */
            group_drop(st);
            if (res == BATCH_RETRY)
                res = BATCH_DONE;
        }
        if (res == BATCH_DONE) {
            /* Not retried: the generations this batch handed out never
             * existed, so no open replace can be trusted to sweep. */
            record_error(st, what, rc, n);
            store_replaces_clear(st);
        }
        goto out;
    }
    for (size_t i = 0; i < b.ended.len; i++)
        replace_forget(st, b.ended.items[i]);
    for (size_t i = 0; i < st->group_ended.len; i++)
        replace_forget(st, st->group_ended.items[i]);
    b.freed = b.freed || st->group_freed;
    st->group_open = false;
    st->group_freed = false;
    st->group_written = 0;
    vec_clear(&st->group_ended);
    if (b.cleared) {
        store_replaces_clear(st);
    }
    atomic_store(&st->st_batch_us, (uint64_t)(mono_us() - t0));
    atomic_fetch_add(&st->st_batches, 1);
    atomic_fetch_add(&st->st_ops, n);
    log_debug("store: committed %zu writes in %llu us", n,
              (unsigned long long)atomic_load(&st->st_batch_us));
    if (b.freed)
        vacuum(st, b.cleared);
    enforce_size(st);
out:
    free(b.clusters);
    vec_done(&b.ended);
    return res;
}

/*
 * Writer thread: retention
 */

static int64_t
pages_in_use(struct store *st)
{
    int64_t pages = 0, free_pages = 0, page_size = 0;

    if (store_query_int(st->cw, "PRAGMA page_count", &pages, NULL) != STATUS_OK ||
        store_query_int(st->cw, "PRAGMA freelist_count", &free_pages, NULL) != STATUS_OK ||
        store_query_int(st->cw, "PRAGMA page_size", &page_size, NULL) != STATUS_OK)
        return -1;
    return (pages - free_pages) * page_size;
}

/* Clusters not seen (live, fetched, or created) for max_age go, with their
 * objects (ON DELETE CASCADE). */
static void
enforce_age(struct store *st)
{
    sqlite3_stmt *stmt = NULL;
    int64_t cutoff = clock_now() - st->limits.cache_max_age_s;
    int rc, changes = 0;

    if (!st->cache_ok)
        return;
    rc = sqlite3_prepare_v2(st->cw,
                            "DELETE FROM clusters"
                            " WHERE max(last_live, data_time, created_at) < ?1",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, cutoff);
        rc = sqlite3_step(stmt);
        changes = sqlite3_changes(st->cw);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        log_warn("store: retention by age: %s", sqlite3_errmsg(st->cw));
    if (changes > 0) {
        log_info("store: dropped %d cluster(s) not seen for %lld s", changes,
                 (long long)st->limits.cache_max_age_s);
        vacuum(st, false);
    }
}

/* Above the cap: the least recently seen cluster goes while more than one
 * is cached, then the oldest rows; down to 90 % of the cap so the next
 * batches do not trim again at once. */
static void
enforce_size(struct store *st)
{
    int64_t used, max = st->limits.cache_max_bytes;
    int64_t target = max / 10 * 9;

    if (!st->cache_ok)
        return;
    used = pages_in_use(st);
    if (used <= max)
        return;
    for (int round = 0; used > target && round < 32; round++) {
        int64_t clusters = 0, rows = 0;
        const char *sql;
        sqlite3_stmt *stmt = NULL;
        int rc;

        if (store_query_int(st->cw, "SELECT count(*) FROM clusters", &clusters, NULL) !=
                STATUS_OK ||
            store_query_int(st->cw, "SELECT count(*) FROM objects", &rows, NULL) != STATUS_OK)
            break;
        if (clusters > 1) {
            sql = "DELETE FROM clusters WHERE id = (SELECT id FROM clusters"
                  " ORDER BY max(last_live, data_time, created_at), id LIMIT 1)";
        } else if (rows > 0) {
            sql = "DELETE FROM objects WHERE rowid IN (SELECT rowid FROM objects"
                  " ORDER BY fetched_at, rowid LIMIT ?1)";
        } else {
            break;
        }
        rc = sqlite3_prepare_v2(st->cw, sql, -1, &stmt, NULL);
        if (rc == SQLITE_OK && clusters <= 1) {
            /* Rows to drop: the excess over the target at the mean row size. */
            int64_t per_row = used / rows > 0 ? used / rows : 1;
            int64_t n = (used - target + per_row - 1) / per_row;

            sqlite3_bind_int64(stmt, 1, CLAMP(n, 1, rows));
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) {
            log_warn("store: retention by size: %s", sqlite3_errmsg(st->cw));
            break;
        }
        log_info("store: cache.db over %lld bytes (%lld): dropped %s", (long long)max,
                 (long long)used,
                 clusters > 1 ? "the least recently seen cluster" : "the oldest rows");
        vacuum(st, false);
        used = pages_in_use(st);
    }
}

static int
check_interrupted(void *arg)
{
    struct store *st = arg;

    return atomic_load(&st->quit) ? 1 : 0;
}

/* The O(n) check of the whole file, at most once a day (meta 'checked_at',
 * wall clock): it reads every page, which for a 100 MB cache is too slow
 * for the start-up path but fine here, beside the first reads. Damage it
 * misses in between is caught when a read or write meets it. */
static void
writer_check(struct store *st)
{
    char why[512];
    int64_t checked = 0, now = clock_now();
    enum store_verdict verdict;

    if (!st->cache_ok || store_query_int(st->cw, "SELECT value FROM meta WHERE key = 'checked_at'",
                                         &checked, NULL) != STATUS_OK)
        return;
    if (checked > 0 && now - checked < STORE_CHECK_INTERVAL_S && checked <= now)
        return;
    /* Closing must not wait for it: store_writer_stop sets quit, the progress
     * handler interrupts the check, and it runs again at the next start. */
    sqlite3_progress_handler(st->cw, 1000, check_interrupted, st);
    verdict = store_schema_check(st->cw, &store_cache_schema, STORE_CHECK_QUICK, why, sizeof(why));
    sqlite3_progress_handler(st->cw, 0, NULL, NULL);
    if (!sqlite3_get_autocommit(st->cw))
        sqlite3_exec(st->cw, "ROLLBACK", NULL, NULL, NULL);
    if (atomic_load(&st->quit))
        return;
    if (verdict == STORE_DB_DAMAGED) {
        writer_recover(st, why);
        return;
    }
    if (verdict == STORE_DB_OK) {
        char sql[96];

        snprintf(sql, sizeof(sql), "UPDATE meta SET value = %lld WHERE key = 'checked_at'",
                 (long long)now);
        if (store_exec(st->cw, sql, NULL) != STATUS_OK)
            log_warn("store: %s", status_text());
    }
}

static void
writer_maintain(struct store *st)
{
    if (!st->cache_ok) {
        /* Disabled by a failed rebuild (disk full, directory gone): try again. */
        pthread_mutex_lock(&st->db_mu);
        if (store_cache_attach(st) == STATUS_OK)
            log_info("store: the cache is available again");
        pthread_mutex_unlock(&st->db_mu);
    }
    enforce_age(st);
    enforce_size(st);
    st->next_age_ms = clock_mono_ms() + STORE_AGE_INTERVAL_MS;
}

/*
 * Writer thread: main loop
 */

static void *
writer_main(void *arg)
{
    struct store *st = arg;
    char why[512];
    int64_t stop_deadline = 0;
    struct timespec ts;
    bool checked = false;

    pthread_mutex_lock(&st->q_mu);
    for (;;) {
        int64_t now = clock_mono_ms();
        struct store_op *batch, *last;
        size_t n;
        int64_t bytes;
        enum batch_result res;

        if (st->recover_req) {
            snprintf(why, sizeof(why), "%s", st->recover_why);
            st->recover_req = false;
            pthread_mutex_unlock(&st->q_mu);
            writer_recover(st, why);
            pthread_mutex_lock(&st->q_mu);
            continue;
        }
        if (st->q_head && st->q_head->type == OP_MAINTAIN && !st->group_open) {
            batch = st->q_head;
            st->q_head = batch->next;
            if (!st->q_head)
                st->q_tail = NULL;
            st->q_count--;
            st->q_bytes -= (int64_t)batch->size;
            pthread_mutex_unlock(&st->q_mu);
            writer_maintain(st);
            pthread_mutex_lock(&st->q_mu);
            st->done_seq = batch->seq;
            pthread_cond_broadcast(&st->done_cv);
            free(batch);
            continue;
        }
        if (!st->q_head && !checked && !st->stopping && !st->group_open) {
            /* Once, when the start-up reads and writes have gone through. */
            checked = true;
            pthread_mutex_unlock(&st->q_mu);
            writer_check(st);
            pthread_mutex_lock(&st->q_mu);
            continue;
        }
        if (!st->q_head && !st->stopping && !st->group_open && st->ckpt_at_ms &&
            now >= st->ckpt_at_ms) {
            /* Idle, and a checkpoint is due. */
            st->ckpt_at_ms = 0;
            st->ckpt_deferred = false;
            pthread_mutex_unlock(&st->q_mu);
            if (st->cache_ok)
                wal_checkpoint(st);
            pthread_mutex_lock(&st->q_mu);
            continue;
        }
        if (!st->q_head) {
            if (st->stopping)
                break;
            if (now >= st->next_age_ms && !st->group_open) {
                pthread_mutex_unlock(&st->q_mu);
                writer_maintain(st);
                pthread_mutex_lock(&st->q_mu);
                continue;
            }
            /* Retention waits for an open group to end. */
            deadline_ts(st->group_open ? MAX(st->next_age_ms, now + 1000)
                        : st->ckpt_at_ms   ? MIN(st->next_age_ms, st->ckpt_at_ms)
                                           : st->next_age_ms,
                        &ts);
            pthread_cond_timedwait(&st->work_cv, &st->q_mu, &ts);
            continue;
        }
        /* Wait for more, unless asked to flush, or the queue ends a group:
         * its caller is done and nothing is gained by waiting. */
        if (!st->stopping && st->flush_seq <= st->done_seq && st->q_count < STORE_BATCH_OPS &&
            st->q_tail->type != OP_GROUP_COMMIT && st->q_tail->type != OP_GROUP_DISCARD &&
            now < st->q_first_ms + STORE_BATCH_DELAY_MS) {
            deadline_ts(st->q_first_ms + STORE_BATCH_DELAY_MS, &ts);
            pthread_cond_timedwait(&st->work_cv, &st->q_mu, &ts);
            continue;
        }
        batch = last = st->q_head;
        n = 1;
        bytes = (int64_t)last->size;
        while (last->next && n < STORE_BATCH_MAX_OPS && last->type < OP_GROUP_BEGIN &&
               last->next->type != OP_MAINTAIN) {
            last = last->next;
            bytes += (int64_t)last->size;
            n++;
        }
        st->q_head = last->next;
        if (!st->q_head)
            st->q_tail = NULL;
        last->next = NULL;
        st->q_count -= n;
        st->q_bytes -= bytes;
        pthread_mutex_unlock(&st->q_mu);

        if (file_replaced(st))
            writer_recover(st, NULL);
        res = writer_batch(st, batch, n, why, sizeof(why));
        if (res == BATCH_DAMAGED) {
            /* The batch itself is complete: replay it on the new file, once. */
            writer_recover(st, why);
            res = writer_batch(st, batch, n, why, sizeof(why));
            if (res == BATCH_DAMAGED) {
                record_error(st, "write after rebuild", SQLITE_CORRUPT, n);
                res = BATCH_DONE;
            }
        }

        pthread_mutex_lock(&st->q_mu);
        if (res == BATCH_RETRY) {
            /* Another process held the write lock past the busy timeout:
             * put the batch back in front and try again, unless closing has
             * waited long enough. */
            atomic_fetch_add(&st->st_busy, 1);
            if (st->stopping && !stop_deadline)
                stop_deadline = clock_mono_ms() + STORE_FLUSH_TIMEOUT_MS;
            if (!(st->stopping && clock_mono_ms() > stop_deadline)) {
                last->next = st->q_head;
                st->q_head = batch;
                if (!st->q_tail)
                    st->q_tail = last;
                st->q_count += n;
                st->q_bytes += bytes;
                deadline_ts(clock_mono_ms() + 50, &ts);
                pthread_cond_timedwait(&st->work_cv, &st->q_mu, &ts);
                continue;
            }
            pthread_mutex_unlock(&st->q_mu);
            record_error(st, "still locked at close", SQLITE_BUSY, n);
            pthread_mutex_lock(&st->q_mu);
        }
        st->done_seq = last->seq;
        pthread_cond_broadcast(&st->done_cv);
        pthread_mutex_unlock(&st->q_mu);
        op_free_list(batch);
        pthread_mutex_lock(&st->q_mu);
    }
    pthread_mutex_unlock(&st->q_mu);
    if (st->group_open) {
        /* Closed with a group never ended: it changes nothing. */
        sqlite3_exec(st->cw, "ROLLBACK", NULL, NULL, NULL);
        group_drop(st);
    }
    return NULL;
}

enum status
store_writer_start(struct store *st)
{
    int err;

    /* Retention runs first, and reads wait for it like for any write, so
     * nothing past max_age is ever loaded. */
    pthread_mutex_lock(&st->q_mu);
    append_locked(st, op_new(OP_MAINTAIN, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0));
    pthread_mutex_unlock(&st->q_mu);
    st->next_age_ms = clock_mono_ms() + STORE_AGE_INTERVAL_MS;
    err = pthread_create(&st->thread, NULL, writer_main, st);
    if (err != 0)
        return status_fail(STATUS_IO, "cannot start the cache writer: %s", strerror(err));
    st->thread_started = true;
    return STATUS_OK;
}

void
store_writer_stop(struct store *st)
{
    enum status rc = store_wait(st, STORE_FLUSH_TIMEOUT_MS);

    if (rc != STATUS_OK)
        log_warn("store: closing: %s", status_text());
    atomic_store(&st->quit, true);
    pthread_mutex_lock(&st->q_mu);
    st->stopping = true;
    pthread_cond_broadcast(&st->work_cv);
    pthread_cond_broadcast(&st->done_cv);
    pthread_mutex_unlock(&st->q_mu);
    pthread_join(st->thread, NULL);
    st->thread_started = false;
    store_writer_discard(st);
}

void
store_writer_discard(struct store *st)
{
    op_free_list(st->q_head);
    st->q_head = st->q_tail = NULL;
    st->q_count = 0;
    st->q_bytes = 0;
}
