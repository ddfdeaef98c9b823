/* SPDX-License-Identifier: MIT */
/* store_priv.h - internals shared by store.c, store_db.c, store_state.c and store_writer.c */
#ifndef OPSDECK_STORE_PRIV_H
#define OPSDECK_STORE_PRIV_H

/*
 * Not a contract: only the store's own files and its unit tests include this.
 *
 * Threads and locks (the whole design in one place):
 *  - The caller's thread (the console loop, or the CLI) calls the public API.
 *  - One writer thread per store owns `cw`, the cache connection that writes,
 *    and every cached statement on it. It is the only thread that ever moves a
 *    damaged cache.db aside and reopens it ("recovery"), so the writer
 *    connection is never closed under a running statement.
 *  - `cr`, the cache connection that reads, is used under db_mu by whoever
 *    reads (store_load, store_cluster_info, store_cache_size) and closed and
 *    reopened only by the writer thread during recovery, also under db_mu.
 *  - q_mu guards the queue, the sequence counters and the flags that the two
 *    threads exchange (flush, stop, recovery requests); work_cv wakes the
 *    writer, done_cv wakes whoever waits for it.
 *  - state_mu guards `sdb`, state.db's one connection (short synchronous
 *    transactions on the caller's thread).
 *  - n_mu guards the notices.
 * Lock order when two are held: db_mu before q_mu before n_mu.
 */

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "opsdeck/hmap.h"
#include "opsdeck/status.h"
#include "opsdeck/store.h"
#include "opsdeck/vec.h"

/* application_id values: one per file kind, so a state.db copied over
 * cache.db (or the reverse) is recognised as foreign, never migrated. */
#define STORE_CACHE_APP_ID 0x4f504443 /* "OPDC" */
#define STORE_STATE_APP_ID 0x4f504453 /* "OPDS" */

#define STORE_DEFAULT_MAX_BYTES   (INT64_C(512) * 1024 * 1024)
#define STORE_DEFAULT_MAX_AGE_S   (INT64_C(30) * 24 * 3600)
#define STORE_DEFAULT_QUEUE_BYTES (INT64_C(128) * 1024 * 1024)

#define STORE_BATCH_OPS        2000 /* commit as soon as this many ops wait */
#define STORE_BATCH_MAX_OPS    8192 /* at most this many ops in one transaction */
#define STORE_BATCH_DELAY_MS   200  /* or this long after the first op was queued */
#define STORE_CKPT_DEFER_ROWS  1000 /* a group that wrote more rows commits without a checkpoint */
#define STORE_CKPT_DELAY_MS    1000 /* ... which follows this long after, if still open */
#define STORE_WAL_AUTOCHECKPOINT 1000 /* SQLite's default, restored after such a commit */
#define STORE_FLUSH_TIMEOUT_MS 10000
#define STORE_READ_WAIT_MS     3000          /* a read waits this long for queued writes */
#define STORE_WRITER_BUSY_MS   5000          /* busy_timeout of the writer; it then retries */
#define STORE_READER_BUSY_MS   2000          /* busy_timeout of reads and of state.db */
#define STORE_CHECK_INTERVAL_S (24 * 3600)   /* background quick_check of cache.db */
#define STORE_AGE_INTERVAL_MS  (3600 * 1000) /* retention by age while running */
#define STORE_KEEP_CORRUPT     2             /* moved-aside cache copies kept */
#define STORE_HISTORY_MAX      500
#define STORE_HISTORY_LINE_MAX 4096

/* A versioned schema. steps[v] migrates a database from version v to v + 1;
 * steps[0] creates version 1 from an empty file. To add a version: append a
 * step (SQL run in the migration's transaction) and bump nothing else —
 * version is ARRAY_SIZE(steps). Never edit a step that has shipped. */
struct store_schema {
    const char *name; /* "cache.db" for messages */
    uint32_t app_id;
    int version;               /* the version this build writes */
    const char *const *steps;  /* version entries */
    const char *fresh_pragmas; /* run before steps[0] on an empty file, or NULL */
};

extern const struct store_schema store_cache_schema;
extern const struct store_schema store_state_schema;

/* What a database file turned out to be. */
enum store_verdict {
    STORE_DB_OK,      /* ours (or empty), version <= ours */
    STORE_DB_DAMAGED, /* not a database, corrupt, or inconsistent */
    STORE_DB_FOREIGN, /* a database of another application */
    STORE_DB_NEWER,   /* ours, but a newer schema than this build knows */
    STORE_DB_ERROR,   /* could not be read (I/O, permission, busy): not judged */
};

enum store_check { STORE_CHECK_NONE, STORE_CHECK_QUICK, STORE_CHECK_INTEGRITY };

/* --- store_db.c: files, connections, schemas -------------------------------- */

/* True when rc (extended or primary) says the file is damaged. */
bool store_rc_damaged(int rc);
/* Prepares path for opening: refuses a symbolic link or a non-regular file
 * (STATUS_IO), creates a missing file with mode 0600 (O_EXCL, O_NOFOLLOW),
 * tightens an existing one (and its -wal/-shm) to 0600. */
enum status store_file_prepare(const char *path);
/* Opens a connection (read-write, create, no symlink following) with
 * extended result codes and busy_ms of busy timeout. */
enum status store_db_open(const char *path, int busy_ms, sqlite3 **out);
/* Closes db (NULL is a no-op), finalizing any statement left behind. */
void store_db_close(sqlite3 *db);
/* Runs SQL without results; records failure with status_fail(STATUS_DB). On
 * failure *rc_out (when non-NULL) holds SQLite's code. */
enum status store_exec(sqlite3 *db, const char *sql, int *rc_out);
/* Reads one integer: the first column of the first row of sql. */
enum status store_query_int(sqlite3 *db, const char *sql, int64_t *out, int *rc_out);
/* Judges an open connection's file against schema without writing to it;
 * why (a sentence for the notice) is filled unless STORE_DB_OK. check adds a
 * quick_check or integrity_check. */
enum store_verdict store_schema_check(sqlite3 *db, const struct store_schema *schema,
                                      enum store_check check, char *why, size_t whylen);
/* Switches to WAL and migrates forward to schema->version in one
 * IMMEDIATE transaction (re-reading the version inside it: another process
 * may have migrated meanwhile). A failing step rolls everything back. */
enum status store_schema_upgrade(sqlite3 *db, const struct store_schema *schema);
/* Per-connection settings: synchronous=NORMAL, foreign keys, WAL size cap. */
enum status store_db_configure(sqlite3 *db);
/* Renames path and its -wal/-shm to path.<tag>-<UTC stamp>[-N]. Returns the
 * new name (caller frees) or NULL with status_text() set. */
char *store_move_aside(const char *path, const char *tag);
/* Deletes the oldest path.<tag>-* files beyond keep. */
void store_prune_aside(const char *path, const char *tag, int keep);
/* dev/ino of path (false when it cannot be stat'ed). */
bool store_file_id(const char *path, dev_t *dev, ino_t *ino);
/* True when path is (still) the file dev/ino. */
bool store_same_file(const char *path, dev_t dev, ino_t ino);

/* --- the store --------------------------------------------------------------- */

enum store_op_type {
    OP_PUT,
    OP_REMOVE,
    OP_REPLACE_BEGIN,
    OP_REPLACE_END,
    OP_CLUSTER_INFO,
    OP_CLEAR_CLUSTER, /* objects of one cluster (queue overflow) */
    OP_CLEAR,         /* everything (store_cache_clear) */
    OP_MAINTAIN,      /* retention at start: reads wait for it like for a write */
    OP_GROUP_BEGIN,   /* keep the transaction open across batches (store_group_begin) */
    OP_GROUP_COMMIT,  /* commit the open group */
    OP_GROUP_DISCARD, /* roll the open group back */
};

/* One queued write; the strings and the blob live in the same allocation. */
struct store_op {
    struct store_op *next;
    enum store_op_type type;
    uint64_t seq;
    int64_t time; /* fetched_at (PUT), last_live (CLUSTER_INFO) */
    const char *cluster;
    const char *kind;
    const char *ns; /* "" cluster-scoped; NULL = every namespace (replace) */
    const char *name;
    const char *server;  /* CLUSTER_INFO */
    const char *version; /* CLUSTER_INFO */
    const void *blob;
    size_t len;
    size_t size; /* bytes of the allocation, for the queue cap */
};

struct store_writer_stmts {
    sqlite3_stmt *put;
    sqlite3_stmt *remove;
    sqlite3_stmt *sweep_all;
    sqlite3_stmt *sweep_ns;
    sqlite3_stmt *known_all;
    sqlite3_stmt *known_ns;
    sqlite3_stmt *sweep_row;
    sqlite3_stmt *list_time;
    sqlite3_stmt *cluster_get;
    sqlite3_stmt *cluster_add;
    sqlite3_stmt *cluster_info;
    sqlite3_stmt *cluster_time;
    sqlite3_stmt *clear_cluster;
    sqlite3_stmt *gen_get;
    sqlite3_stmt *gen_set;
};

struct store {
    char *cache_path;
    char *state_path;
    struct store_limits limits;

    /* cache.db */
    pthread_mutex_t db_mu;
    sqlite3 *cw;     /* writer connection: writer thread */
    sqlite3 *cr;     /* reader connection: under db_mu */
    bool cache_ok;   /* false: the cache could not be reopened */
    dev_t cache_dev; /* the file cw/cr opened, to notice another */
    ino_t cache_ino; /* process replacing it */

    /* the queue (q_mu) */
    pthread_mutex_t q_mu;
    pthread_cond_t work_cv;
    pthread_cond_t done_cv;
    struct store_op *q_head;
    struct store_op *q_tail;
    size_t q_count;
    int64_t q_bytes;
    int64_t q_first_ms; /* when the oldest queued op arrived */
    uint64_t enq_seq;   /* seq of the last op queued */
    uint64_t done_seq;  /* every op up to this one is processed */
    uint64_t flush_seq; /* a flush waits for done_seq >= this */
    bool stopping;
    bool recover_req; /* a reader asks the writer to recover */
    char recover_why[256];
    uint64_t cache_gen; /* bumped by each recovery */
    enum status werr;   /* last writer failure since the last flush */
    char werr_text[512];
    pthread_t thread;
    bool thread_started;
    atomic_bool quit; /* closing: interrupt the background check */

    /* writer thread only */
    struct store_writer_stmts ws;
    struct hmap replaces; /* "cluster\x1fkind\x1fns|*" -> struct store_replace * (owned) */
    uint64_t txn;         /* write transactions begun, for store_replace.txn */
    int64_t ckpt_at_ms;   /* a checkpoint is due at this monotonic time; 0: none */
    bool ckpt_deferred;   /* ... because a large group committed without one */
    bool group_open;      /* a transaction is held open across batches */
    struct vec group_ended; /* replace keys ended inside it (owned), forgotten at commit */
    bool group_freed;     /* rows were deleted inside it: vacuum after the commit */
    size_t group_written; /* rows written inside it so far */
    int64_t next_age_ms;  /* next retention by age (monotonic) */

    /* state.db (state_mu) */
    pthread_mutex_t state_mu;
    sqlite3 *sdb;
    bool state_memory; /* in-memory for this session (newer schema) */
    dev_t state_dev;   /* the file sdb opened */
    ino_t state_ino;

    /* notices (n_mu) */
    pthread_mutex_t n_mu;
    struct vec notices;        /* owned strings */
    const char **notices_view; /* the last array handed out */

    /* statistics */
    atomic_uint_fast64_t st_transactions;
    atomic_uint_fast64_t st_batches;
    atomic_uint_fast64_t st_ops;
    atomic_uint_fast64_t st_busy;
    atomic_uint_fast64_t st_recoveries;
    atomic_uint_fast64_t st_dropped;
    atomic_uint_fast64_t st_batch_us;
};

/* Adds a notice (printf-style), also logged as a warning. Any thread. */
void store_notice(struct store *st, const char *fmt, ...) ATTR_FORMAT(2, 3);

/* --- store.c: cache.db files ------------------------------------------------- */

/* Opens cw and cr on cache.db, moving a damaged, foreign or newer file aside
 * (with a notice) and starting a new one. Caller holds db_mu or is the only
 * thread. */
enum status store_cache_attach(struct store *st);
/* Closes cw and cr (after the writer's statements). */
void store_cache_detach(struct store *st);

/* --- store_writer.c ---------------------------------------------------------- */

enum status store_writer_start(struct store *st);
/* Flushes (bounded), stops and joins the writer. */
void store_writer_stop(struct store *st);
/* Frees what is still queued (the writer is not running). */
void store_writer_discard(struct store *st);
/* Queues op (takes it); drops it when the store is stopping. */
void store_enqueue(struct store *st, struct store_op *op);
/* Waits until every op queued so far is processed (timeout_ms bound). */
enum status store_wait(struct store *st, int timeout_ms);
/* Asks the writer to move cache.db aside and rebuild it (why: for the
 * notice), and waits for it (bounded). */
void store_request_recovery(struct store *st, const char *why);
/* Finalizes the writer's statements (writer thread, or after it stopped). */
void store_writer_stmts_done(struct store *st);
/* Forgets every open replace (writer thread, or the store closing). */
void store_replaces_clear(struct store *st);

/* --- store_state.c ----------------------------------------------------------- */

enum status store_state_open(struct store *st);
void store_state_close(struct store *st);

#endif /* OPSDECK_STORE_PRIV_H */
