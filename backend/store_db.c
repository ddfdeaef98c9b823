/* SPDX-License-Identifier: MIT */
/* store_db.c - the store's SQLite plumbing: file modes, connections, schema versions */
#include "config.h"

#include "store_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/log.h"
#include "opsdeck/xalloc.h"

/*
 * Schemas
 */

/* cache.db. Objects point at their cluster by a small integer so the 70-byte
 * cluster key is not repeated in every row and index entry; the unique index
 * serves store_load (cluster, kind) as a prefix, the replace sweep (cluster,
 * kind[, ns]) and the foreign key's cascade. gen is the replace generation
 * (meta 'gen', shared by every process writing the file). */
static const char *const cache_steps[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta(key, value) VALUES('gen', 0), ('checked_at', 0);"
    "CREATE TABLE clusters("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE,"
    "  server TEXT,"
    "  version TEXT,"
    "  last_live INTEGER NOT NULL DEFAULT 0,"
    "  data_time INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE objects("
    "  cluster INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  ns TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  gen INTEGER NOT NULL,"
    "  fetched_at INTEGER NOT NULL,"
    "  blob BLOB NOT NULL);"
    "CREATE UNIQUE INDEX objects_key ON objects(cluster, kind, ns, name);",
    /* 2: the log cache (store_logs.c). A line is keyed by its query, its
     * timestamp and a 64-bit hash of its stream and text (h), so the index
     * does not repeat the lines; bytes per query drive the size cap. */
    "CREATE TABLE log_queries("
    "  id INTEGER PRIMARY KEY,"
    "  endpoint TEXT NOT NULL,"
    "  query TEXT NOT NULL,"
    "  used_at INTEGER NOT NULL,"
    "  bytes INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(endpoint, query));"
    "CREATE TABLE log_lines("
    "  query INTEGER NOT NULL REFERENCES log_queries(id) ON DELETE CASCADE,"
    "  ts INTEGER NOT NULL,"
    "  h INTEGER NOT NULL,"
    "  labels TEXT NOT NULL,"
    "  line BLOB NOT NULL,"
    "  fetched_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX log_lines_key ON log_lines(query, ts, h);"
    "CREATE INDEX log_lines_fetched ON log_lines(fetched_at);",
    /* 3: a relist rewrites only the objects that changed (store_writer.c):
     * h is a hash of the blob (0: written before, unknown), and a list's
     * time stands for the fetched_at of the rows it found unchanged (ns
     * "\x1e*" for a list of every namespace). */
    "ALTER TABLE objects ADD COLUMN h INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE lists("
    "  cluster INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  ns TEXT NOT NULL,"
    "  fetched_at INTEGER NOT NULL,"
    "  PRIMARY KEY(cluster, kind, ns)) WITHOUT ROWID;",
};

const struct store_schema store_cache_schema = {
    .name = "cache.db",
    .app_id = STORE_CACHE_APP_ID,
    .version = (int)(sizeof(cache_steps) / sizeof(cache_steps[0])),
    .steps = cache_steps,
    /* Must precede the first table: it cannot be switched on later without
     * a VACUUM. */
    .fresh_pragmas = "PRAGMA auto_vacuum=INCREMENTAL;",
};

/* state.db. Later issues add the audit log and the wizard journal as new
 * steps. */
static const char *const state_steps[] = {
    "CREATE TABLE history("
    "  id INTEGER PRIMARY KEY,"
    "  prompt TEXT NOT NULL,"
    "  line TEXT NOT NULL,"
    "  at INTEGER NOT NULL);"
    "CREATE INDEX history_prompt ON history(prompt, id);"
    "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
};

const struct store_schema store_state_schema = {
    .name = "state.db",
    .app_id = STORE_STATE_APP_ID,
    .version = (int)(sizeof(state_steps) / sizeof(state_steps[0])),
    .steps = state_steps,
    .fresh_pragmas = NULL,
};

/*
 * Files
 */

bool
store_rc_damaged(int rc)
{
    int primary = rc & 0xff;

    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

static void
tighten(const char *path)
{
    struct stat sb;

    /* lstat, then chmod by name: the directory is ours (0700), so nobody
     * else can swap the file for a link between the two calls. */
    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077)) {
        if (chmod(path, sb.st_mode & 0600) != 0)
            log_warn("%s: cannot tighten mode: %s", path, strerror(errno));
    }
}

enum status
store_file_prepare(const char *path)
{
    struct stat sb;
    char side[4096];

    if (lstat(path, &sb) != 0) {
        int fd;

        if (errno != ENOENT)
            return status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
        /* Created here rather than by SQLite so the mode is 0600 whatever the
         * umask; SQLite gives -wal and -shm the database file's mode. */
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return status_fail(STATUS_IO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            return STATUS_OK;
        }
        if (lstat(path, &sb) != 0)
            return status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    }
    if (S_ISLNK(sb.st_mode))
        return status_fail(STATUS_IO, "%s is a symbolic link: refusing to follow it", path);
    if (!S_ISREG(sb.st_mode))
        return status_fail(STATUS_IO, "%s is not a regular file", path);
    tighten(path);
    for (int i = 0; i < 2; i++) {
        snprintf(side, sizeof(side), "%s%s", path, i == 0 ? "-wal" : "-shm");
        if (lstat(side, &sb) == 0 && S_ISLNK(sb.st_mode))
            return status_fail(STATUS_IO, "%s is a symbolic link: refusing to follow it", side);
        tighten(side);
    }
    return STATUS_OK;
}

bool
store_file_id(const char *path, dev_t *dev, ino_t *ino)
{
    struct stat sb;

    if (lstat(path, &sb) != 0)
        return false;
    *dev = sb.st_dev;
    *ino = sb.st_ino;
    return true;
}

bool
store_same_file(const char *path, dev_t dev, ino_t ino)
{
    dev_t d;
    ino_t i;

    return store_file_id(path, &d, &i) && d == dev && i == ino;
}

static bool
exists(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 || errno != ENOENT;
}

char *
store_move_aside(const char *path, const char *tag)
{
    char stamp[32];
    char *dest = NULL;
    time_t now = (time_t)clock_now();
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    for (int n = 1; n < 100; n++) {
        free(dest);
        dest = n == 1 ? xasprintf("%s.%s-%s", path, tag, stamp)
                      : xasprintf("%s.%s-%s-%d", path, tag, stamp, n);
        if (!exists(dest))
            break;
    }
    if (rename(path, dest) != 0) {
        status_fail(STATUS_IO, "cannot move %s to %s: %s", path, dest, strerror(errno));
        free(dest);
        return NULL;
    }
    /* The -wal belongs with its database (it may hold the last commits);
     * the -shm must go too, or a new database would share the old index. */
    for (int i = 0; i < 2; i++) {
        const char *sfx = i == 0 ? "-wal" : "-shm";
        char *from = xasprintf("%s%s", path, sfx);
        char *to = xasprintf("%s%s", dest, sfx);

        if (rename(from, to) != 0 && errno != ENOENT) {
            log_warn("cannot move %s aside: %s", from, strerror(errno));
            unlink(from);
        }
        free(from);
        free(to);
    }
    return dest;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void
store_prune_aside(const char *path, const char *tag, int keep)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    const char *base = slash ? slash + 1 : path;
    char *prefix = xasprintf("%s.%s-", base, tag);
    size_t plen = strlen(prefix);
    struct vec names;
    DIR *d = opendir(slash == path ? "/" : dir);
    struct dirent *de;

    vec_init(&names, free);
    while (d && (de = readdir(d)) != NULL) {
        size_t nlen = strlen(de->d_name);

        /* The databases only; their -wal/-shm follow them. */
        if (strncmp(de->d_name, prefix, plen) == 0 &&
            !(nlen > 4 && (strcmp(de->d_name + nlen - 4, "-wal") == 0 ||
                           strcmp(de->d_name + nlen - 4, "-shm") == 0)))
            vec_push(&names, xstrdup(de->d_name));
    }
    if (d)
        closedir(d);
    /* The stamps sort by time; "-N" suffixes of one second sort after. */
    if (names.len > 1)
        qsort(names.items, names.len, sizeof(names.items[0]), cmp_str);
    for (size_t i = 0; keep >= 0 && i + (size_t)keep < names.len; i++) {
        for (int j = 0; j < 3; j++) {
            char *victim = xasprintf("%s/%s%s", dir, (char *)names.items[i],
                                     j == 0   ? ""
                                     : j == 1 ? "-wal"
                                              : "-shm");
            if (unlink(victim) == 0 && j == 0)
                log_info("removed old moved-aside cache %s", victim);
            free(victim);
        }
    }
    vec_done(&names);
    free(prefix);
    free(dir);
}

/*
 * Connections
 */

enum status
store_db_open(const char *path, int busy_ms, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
    int rc;

    *out = NULL;
    rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        enum status st = status_fail(STATUS_DB, "%s: cannot open: %s", path,
                                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return st;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_ms);
    *out = db;
    return STATUS_OK;
}

void
store_db_close(sqlite3 *db)
{
    sqlite3_stmt *stmt;

    if (!db)
        return;
    while ((stmt = sqlite3_next_stmt(db, NULL)) != NULL)
        sqlite3_finalize(stmt);
    if (sqlite3_close(db) != SQLITE_OK)
        log_warn("sqlite3_close: %s", sqlite3_errmsg(db));
}

enum status
store_exec(sqlite3 *db, const char *sql, int *rc_out)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

    if (rc_out)
        *rc_out = rc;
    if (rc == SQLITE_OK)
        return STATUS_OK;
    status_fail(STATUS_DB, "%s", err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return STATUS_DB;
}

enum status
store_query_int(sqlite3 *db, const char *sql, int64_t *out, int *rc_out)
{
    sqlite3_stmt *stmt = NULL;
    enum status st = STATUS_OK;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(stmt, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            *out = 0;
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK)
        st = status_fail(STATUS_DB, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    if (rc_out)
        *rc_out = rc;
    return st;
}

enum status
store_db_configure(sqlite3 *db)
{
    /* synchronous=NORMAL in WAL mode: a commit survives a crash of opsdeck;
     * a power loss may lose the last commits but never corrupts. The WAL is
     * truncated back to 64 MiB after checkpoints. */
    return store_exec(db,
                      "PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=ON;"
                      "PRAGMA journal_size_limit=67108864;",
                      NULL);
}

/*
 * Schema versions
 */

static enum store_verdict
schema_check(sqlite3 *db, const struct store_schema *schema, enum store_check check, char *why,
             size_t whylen)
{
    int64_t app_id = 0, version = 0, objects = 0;
    int rc = SQLITE_OK;

    /* Reading the header and the schema page is what detects a file that is
     * not a database or whose first pages are broken; a page count beyond the
     * end of a truncated file is reported as corrupt here too. */
    if (store_query_int(db, "PRAGMA application_id", &app_id, &rc) != STATUS_OK ||
        store_query_int(db, "PRAGMA user_version", &version, &rc) != STATUS_OK ||
        store_query_int(db, "SELECT count(*) FROM sqlite_schema", &objects, &rc) != STATUS_OK) {
        snprintf(why, whylen, "%s", sqlite3_errmsg(db));
        return store_rc_damaged(rc) ? STORE_DB_DAMAGED : STORE_DB_ERROR;
    }
    if (app_id == 0 && version == 0 && objects == 0)
        return STORE_DB_OK; /* empty: a new file */
    if (app_id != schema->app_id) {
        snprintf(why, whylen, "it belongs to another application (application_id 0x%08llx)",
                 (unsigned long long)(uint32_t)app_id);
        return STORE_DB_FOREIGN;
    }
    if (version > schema->version) {
        snprintf(why, whylen, "its schema version %lld is newer than this opsdeck's (%d)",
                 (long long)version, schema->version);
        return STORE_DB_NEWER;
    }
    if (version < 1) {
        snprintf(why, whylen, "it has opsdeck's application_id but no schema version");
        return STORE_DB_DAMAGED;
    }
    if (check != STORE_CHECK_NONE) {
        sqlite3_stmt *stmt = NULL;
        const char *sql =
            check == STORE_CHECK_QUICK ? "PRAGMA quick_check(1)" : "PRAGMA integrity_check(1)";

        rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            const char *res = (const char *)sqlite3_column_text(stmt, 0);

            if (!res || strcmp(res, "ok") != 0) {
                snprintf(why, whylen, "integrity check: %s", res ? res : "no answer");
                sqlite3_finalize(stmt);
                return STORE_DB_DAMAGED;
            }
        } else {
            snprintf(why, whylen, "integrity check: %s", sqlite3_errmsg(db));
            sqlite3_finalize(stmt);
            return store_rc_damaged(rc) ? STORE_DB_DAMAGED : STORE_DB_ERROR;
        }
        sqlite3_finalize(stmt);
    }
    return STORE_DB_OK;
}

enum store_verdict
store_schema_check(sqlite3 *db, const struct store_schema *schema, enum store_check check,
                   char *why, size_t whylen)
{
    enum store_verdict verdict;
    int rc;

    why[0] = '\0';
    /* One read transaction: the header and the schema must come from the
     * same snapshot, or a file another console is creating right now looks
     * like a foreign one (application_id still 0, tables already there). */
    rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, whylen, "%s", sqlite3_errmsg(db));
        return STORE_DB_ERROR;
    }
    verdict = schema_check(db, schema, check, why, whylen);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return verdict;
}

/* The status for a failed SQLite call during an upgrade: the file's content
 * (STATUS_CORRUPT: move it aside), a lock held too long (STATUS_TIMEOUT), or
 * the environment (STATUS_DB: disk full, I/O, read-only). */
static enum status
upgrade_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_ERROR:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
        return STATUS_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STATUS_TIMEOUT;
    default:
        return STATUS_DB;
    }
}

static enum status
upgrade_fail(sqlite3 *db, const struct store_schema *schema, int rc, const char *what)
{
    return status_fail(upgrade_status(rc), "%s: %s: %s", schema->name, what, sqlite3_errmsg(db));
}

enum status
store_schema_upgrade(sqlite3 *db, const struct store_schema *schema)
{
    int64_t version = 0, app_id = 0, objects = 0;
    char *sql = NULL;
    sqlite3_stmt *stmt = NULL;
    const char *file = sqlite3_db_filename(db, "main");
    enum status st = STATUS_OK;
    int rc;

    if (store_query_int(db, "PRAGMA user_version", &version, &rc) != STATUS_OK)
        return upgrade_fail(db, schema, rc, "user_version");
    /* Before anything writes page 1 (the switch to WAL does). */
    if (version == 0 && schema->fresh_pragmas &&
        store_exec(db, schema->fresh_pragmas, &rc) != STATUS_OK)
        return upgrade_fail(db, schema, rc, "set-up");
    /* Persistent once set; on a file already in WAL mode this is a no-op
     * that takes no lock. An in-memory database has no WAL. The switch needs
     * an exclusive lock, and when two consoles create the file at once one
     * of them gets SQLITE_BUSY without the busy handler being called (it
     * would deadlock): retry, for at most the busy timeout. */
    for (int64_t deadline = clock_mono_ms() + STORE_WRITER_BUSY_MS; file && *file;) {
        rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            const char *mode = (const char *)sqlite3_column_text(stmt, 0);

            if (!mode || strcmp(mode, "wal") != 0)
                log_warn("%s: journal mode is %s, not wal", schema->name, mode ? mode : "?");
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
        if (rc == SQLITE_ROW)
            break;
        if ((rc & 0xff) != SQLITE_BUSY || clock_mono_ms() > deadline)
            return upgrade_fail(db, schema, rc, "cannot switch to WAL");
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    if (version == schema->version)
        return STATUS_OK;
    if (store_exec(db, "BEGIN IMMEDIATE", &rc) != STATUS_OK)
        return upgrade_fail(db, schema, rc, "cannot lock for migration");
    /* Read again under the write lock: another console may have created or
     * migrated the file since the check. */
    if (store_query_int(db, "PRAGMA user_version", &version, &rc) != STATUS_OK ||
        store_query_int(db, "PRAGMA application_id", &app_id, &rc) != STATUS_OK ||
        store_query_int(db, "SELECT count(*) FROM sqlite_schema", &objects, &rc) != STATUS_OK) {
        st = upgrade_fail(db, schema, rc, "cannot read the schema");
        goto out;
    }
    if (version == 0 && (app_id != 0 || objects != 0)) {
        st = status_fail(STATUS_CORRUPT, "%s: not an empty file", schema->name);
        goto out;
    }
    if (version > schema->version) {
        st = status_fail(STATUS_CORRUPT, "%s: newer schema %lld", schema->name, (long long)version);
        goto out;
    }
    for (int64_t v = version; v < schema->version; v++) {
        if (store_exec(db, schema->steps[v], &rc) != STATUS_OK) {
            char what[64];

            snprintf(what, sizeof(what), "migration %lld -> %lld failed", (long long)v,
                     (long long)v + 1);
            st = upgrade_fail(db, schema, rc, what);
            goto out;
        }
        log_info("%s: schema migrated %lld -> %lld", schema->name, (long long)v, (long long)v + 1);
    }
    sql = xasprintf("PRAGMA application_id=%lld; PRAGMA user_version=%d;",
                    (long long)schema->app_id, schema->version);
    if (store_exec(db, sql, &rc) != STATUS_OK || store_exec(db, "COMMIT", &rc) != STATUS_OK)
        st = upgrade_fail(db, schema, rc, "cannot commit the migration");
out:
    if (st != STATUS_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    free(sql);
    return st;
}
