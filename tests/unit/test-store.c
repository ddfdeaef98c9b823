/* SPDX-License-Identifier: MIT */
/* test-store.c - cache.db and state.db: files, schemas, batching, repair, retention, history */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/status.h"
#include "opsdeck/store.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "store_priv.h"
#include "testlib.h"

#define DAY INT64_C(86400)
#define T0  INT64_C(1795000000) /* 2026-11-18, the fixed wall clock of these tests */

/*
 * Helpers
 */

struct env {
    char dir[64];
    char cache[128];
    char state[128];
};

static void
env_init(struct env *e)
{
    snprintf(e->dir, sizeof(e->dir), "/tmp/opsdeck-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(e->dir));
    chmod(e->dir, 0700);
    snprintf(e->cache, sizeof(e->cache), "%s/cache.db", e->dir);
    snprintf(e->state, sizeof(e->state), "%s/state.db", e->dir);
    clock_set_fixed_ns(T0 * NS_PER_SEC);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void
env_done(struct env *e)
{
    nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    clock_set_fixed_ns(0);
}

static struct store *
open_ok(const struct env *e, const struct store_limits *limits)
{
    struct store *st = NULL;
    enum status rc = store_open(e->cache, e->state, limits, &st);

    ck_assert_msg(rc == STATUS_OK, "store_open: %s", status_text());
    ck_assert_ptr_nonnull(st);
    return st;
}

static size_t
notice_count(struct store *st)
{
    return strv_len(store_notices(st));
}

static bool
notice_has(struct store *st, const char *a, const char *b)
{
    for (const char *const *n = store_notices(st); *n; n++) {
        if (strstr(*n, a) && (!b || strstr(*n, b)))
            return true;
    }
    return false;
}

struct row {
    char *ns;
    char *name;
    void *blob;
    size_t len;
    int64_t fetched_at;
};

static void
row_free(void *p)
{
    struct row *r = p;

    free(r->ns);
    free(r->name);
    free(r->blob);
    free(r);
}

static void
collect(void *arg, const char *ns, const char *name, const void *blob, size_t len,
        int64_t fetched_at)
{
    struct vec *rows = arg;
    struct row *r = xcalloc(1, sizeof(*r));

    r->ns = xstrdup(ns);
    r->name = xstrdup(name);
    r->blob = xmalloc(len ? len : 1);
    memcpy(r->blob, blob, len);
    r->len = len;
    r->fetched_at = fetched_at;
    vec_push(rows, r);
}

static void
count_cb(void *arg, const char *ns, const char *name, const void *blob, size_t len,
         int64_t fetched_at)
{
    (*(size_t *)arg)++;
}

static size_t
load_count(struct store *st, const char *cluster, const char *kind)
{
    size_t n = 0;
    enum status rc = store_load(st, cluster, kind, count_cb, &n);

    ck_assert_msg(rc == STATUS_OK, "store_load: %s", status_text());
    return n;
}

static struct row *
find_row(struct vec *rows, const char *ns, const char *name)
{
    for (size_t i = 0; i < rows->len; i++) {
        struct row *r = rows->items[i];

        if (strcmp(r->ns, ns) == 0 && strcmp(r->name, name) == 0)
            return r;
    }
    return NULL;
}

static int
file_mode(const char *path)
{
    struct stat sb;

    if (lstat(path, &sb) != 0)
        return -1;
    return (int)(sb.st_mode & 07777);
}

static int64_t
pragma_int(const char *path, const char *pragma)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    int64_t v = -1;

    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    snprintf(sql, sizeof(sql), "PRAGMA %s", pragma);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
}

static char *
pragma_text(const char *path, const char *pragma)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    char *v = NULL;

    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    snprintf(sql, sizeof(sql), "PRAGMA %s", pragma);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
}

/* Runs SQL on a file with a connection of the test's own. */
static void
sql_file(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;

    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
    sqlite3_close(db);
}

static void
write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static char *
read_whole(const char *path, size_t *len)
{
    struct stat sb;
    char *buf;
    int fd = open(path, O_RDONLY);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fstat(fd, &sb), 0);
    buf = xmalloc((size_t)sb.st_size + 1);
    ck_assert_int_eq(read(fd, buf, (size_t)sb.st_size), sb.st_size);
    close(fd);
    *len = (size_t)sb.st_size;
    return buf;
}

/* The files dir/<base>.<tag>-*, excluding -wal/-shm. */
static size_t
aside_count(const struct env *e, const char *base, const char *tag, char *first, size_t size)
{
    char pat[256];
    glob_t g;
    size_t n = 0;

    snprintf(pat, sizeof(pat), "%s/%s.%s-*", e->dir, base, tag);
    if (glob(pat, 0, NULL, &g) != 0)
        return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t l = strlen(g.gl_pathv[i]);

        if (l > 4 &&
            (!strcmp(g.gl_pathv[i] + l - 4, "-wal") || !strcmp(g.gl_pathv[i] + l - 4, "-shm")))
            continue;
        if (n == 0 && first)
            snprintf(first, size, "%s", g.gl_pathv[i]);
        n++;
    }
    globfree(&g);
    return n;
}

static void
fill_blob(char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)((seed * 2654435761u + i * 40503u) >> 7);
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A real cache.db holding n 1 KB pods of cluster "c", closed. */
static void
make_cache(const struct env *e, int n)
{
    struct store *st = open_ok(e, NULL);
    char blob[1024], name[32];

    for (int i = 0; i < n; i++) {
        fill_blob(blob, sizeof(blob), (unsigned)i);
        snprintf(name, sizeof(name), "pod-%05d", i);
        store_put(st, "c", "pods", "ns", name, blob, sizeof(blob), T0);
    }
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_close(st);
}

/* Overwrites pages [from, to) of path with garbage, keeping page 1 intact. */
static void
scribble_pages(const char *path, int64_t from, int64_t to)
{
    char junk[4096];
    int fd = open(path, O_WRONLY);

    ck_assert_int_ge(fd, 0);
    memset(junk, 0xA5, sizeof(junk));
    for (int64_t p = from; p < to; p++)
        ck_assert_int_eq(pwrite(fd, junk, sizeof(junk), (off_t)((p - 1) * 4096)), 4096);
    close(fd);
}

/*
 * Files, modes, pragmas
 */

START_TEST(test_open_creates_private_files)
{
    struct env e;
    struct store *st;
    char wal[160], shm[160];
    char *mode;

    env_init(&e);
    umask(0); /* whatever the umask, the files are 0600 */
    st = open_ok(&e, NULL);
    store_put(st, "c", "pods", "ns", "a", "x", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_eq(file_mode(e.cache), 0600);
    ck_assert_int_eq(file_mode(e.state), 0600);
    snprintf(wal, sizeof(wal), "%s-wal", e.cache);
    snprintf(shm, sizeof(shm), "%s-shm", e.cache);
    ck_assert_int_eq(file_mode(wal), 0600);
    ck_assert_int_eq(file_mode(shm), 0600);
    ck_assert_uint_eq(notice_count(st), 0);
    ck_assert(!store_state_is_memory(st));

    mode = pragma_text(e.cache, "journal_mode");
    ck_assert_str_eq(mode, "wal");
    free(mode);
    mode = pragma_text(e.state, "journal_mode");
    ck_assert_str_eq(mode, "wal");
    free(mode);
    ck_assert_int_eq(pragma_int(e.cache, "application_id"), STORE_CACHE_APP_ID);
    ck_assert_int_eq(pragma_int(e.state, "application_id"), STORE_STATE_APP_ID);
    ck_assert_int_eq(pragma_int(e.cache, "user_version"), store_cache_schema.version);
    ck_assert_int_eq(pragma_int(e.state, "user_version"), store_state_schema.version);
    ck_assert_int_eq(pragma_int(e.cache, "auto_vacuum"), 2); /* incremental */
    store_close(st);
    store_close(NULL);
    env_done(&e);
}
END_TEST

START_TEST(test_open_tightens_existing_modes)
{
    struct env e;
    struct store *st;

    env_init(&e);
    st = open_ok(&e, NULL);
    store_close(st);
    ck_assert_int_eq(chmod(e.cache, 0644), 0);
    ck_assert_int_eq(chmod(e.state, 0666), 0);
    st = open_ok(&e, NULL);
    ck_assert_int_eq(file_mode(e.cache), 0600);
    ck_assert_int_eq(file_mode(e.state), 0600);
    ck_assert_uint_eq(notice_count(st), 0);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_symlinked_db_refused)
{
    struct env e;
    struct store *st = NULL;
    char target[160];
    size_t len;
    char *data;

    env_init(&e);
    snprintf(target, sizeof(target), "%s/elsewhere.db", e.dir);
    write_file(target, "precious", 8);

    ck_assert_int_eq(symlink(target, e.cache), 0);
    ck_assert_int_eq(store_open(e.cache, e.state, NULL, &st), STATUS_IO);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(strstr(status_text(), "symbolic link"));
    unlink(e.cache);

    unlink(e.state); /* made by the attempt above: state.db opens first */
    ck_assert_int_eq(symlink(target, e.state), 0);
    ck_assert_int_eq(store_open(e.cache, e.state, NULL, &st), STATUS_IO);
    ck_assert_ptr_nonnull(strstr(status_text(), "symbolic link"));
    unlink(e.state);

    /* A dangling link is refused too, not created through. */
    unlink(target);
    ck_assert_int_eq(symlink(target, e.cache), 0);
    ck_assert_int_eq(store_open(e.cache, e.state, NULL, &st), STATUS_IO);
    ck_assert_int_eq(access(target, F_OK), -1);
    unlink(e.cache);

    write_file(target, "precious", 8);
    data = read_whole(target, &len);
    ck_assert_uint_eq(len, 8);
    ck_assert(memcmp(data, "precious", 8) == 0);
    free(data);
    env_done(&e);
}
END_TEST

START_TEST(test_open_fails_without_directory)
{
    struct env e;
    struct store *st = NULL;
    char cache[200];

    env_init(&e);
    snprintf(cache, sizeof(cache), "%s/missing/cache.db", e.dir);
    ck_assert_int_eq(store_open(cache, e.state, NULL, &st), STATUS_IO);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(strstr(status_text(), "missing/cache.db"));
    snprintf(cache, sizeof(cache), "%s/missing", e.dir);
    ck_assert_int_eq(mkdir(cache, 0700), 0);
    snprintf(cache, sizeof(cache), "%s/missing/cache.db", e.dir);
    ck_assert_int_eq(mkdir(cache, 0700), 0); /* a directory where the file should be */
    ck_assert_int_eq(store_open(cache, e.state, NULL, &st), STATUS_IO);
    ck_assert_ptr_nonnull(strstr(status_text(), "not a regular file"));
    env_done(&e);
}
END_TEST

START_TEST(test_cluster_key)
{
    char *a = store_cluster_key("https://10.0.1.1:6443", NULL);
    char *b = store_cluster_key("https://10.0.1.1:6443/", "none");
    char *c = store_cluster_key("https://10.0.1.1:6443", "sha256:ab:cd");
    char *d = store_cluster_key("https://10.0.1.2:6443", NULL);

    /* printf 'https://10.0.1.1:6443\nnone' | sha256sum */
    ck_assert_str_eq(a, "sha256:"
                        "2ed01426f3a24330fa6b74718b08d01af2182f53cc60901fdd327eb6a9c7df78");
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, d);
    ck_assert_uint_eq(strlen(c), 7 + 64);
    free(a);
    free(b);
    free(c);
    free(d);
}
END_TEST

/*
 * Objects
 */

START_TEST(test_put_load_roundtrip)
{
    struct env e;
    struct store *st;
    struct vec rows;
    static const char bin[] = {0, 1, 2, 0, (char)0xff, 'z'};
    struct row *r;

    env_init(&e);
    st = open_ok(&e, NULL);
    store_put(st, "k1", "pods", "ns-b", "p2", "two", 3, T0 + 2);
    store_put(st, "k1", "pods", "ns-a", "p1", bin, sizeof(bin), T0 + 1);
    store_put(st, "k1", "nodes", NULL, "run-1", "node", 4, T0 + 3);
    store_put(st, "k1", "nodes", "", "run-2", "", 0, T0 + 4);
    store_put(st, "k2", "pods", "ns-a", "p1", "other", 5, T0 + 5);

    vec_init(&rows, row_free);
    ck_assert_int_eq(store_load(st, "k1", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 2);
    r = rows.items[0]; /* ordered by namespace then name */
    ck_assert_str_eq(r->ns, "ns-a");
    ck_assert_str_eq(r->name, "p1");
    ck_assert_uint_eq(r->len, sizeof(bin));
    ck_assert(memcmp(r->blob, bin, sizeof(bin)) == 0);
    ck_assert_int_eq(r->fetched_at, T0 + 1);
    r = rows.items[1];
    ck_assert_str_eq(r->ns, "ns-b");
    ck_assert_uint_eq(r->len, 3);
    vec_clear(&rows);

    ck_assert_int_eq(store_load(st, "k1", "nodes", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 2);
    r = find_row(&rows, "", "run-1");
    ck_assert_ptr_nonnull(r);
    ck_assert(memcmp(r->blob, "node", 4) == 0);
    r = find_row(&rows, "", "run-2");
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->len, 0);
    vec_clear(&rows);

    ck_assert_int_eq(store_load(st, "k2", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 1);
    ck_assert(memcmp(((struct row *)rows.items[0])->blob, "other", 5) == 0);
    vec_clear(&rows);
    ck_assert_uint_eq(load_count(st, "k3", "pods"), 0);
    ck_assert_uint_eq(load_count(st, "k1", "deployments"), 0);

    /* Survives a reopen. */
    store_close(st);
    st = open_ok(&e, NULL);
    ck_assert_uint_eq(load_count(st, "k1", "pods"), 2);
    ck_assert_uint_eq(load_count(st, "k1", "nodes"), 2);
    vec_done(&rows);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_put_overwrite_and_remove)
{
    struct env e;
    struct store *st;
    struct vec rows;

    env_init(&e);
    st = open_ok(&e, NULL);
    vec_init(&rows, row_free);
    store_put(st, "k", "pods", "ns", "a", "v1", 2, T0);
    store_put(st, "k", "pods", "ns", "b", "b1", 2, T0);
    store_put(st, "k", "pods", "ns", "a", "v2!", 3, T0 + 10);
    store_remove(st, "k", "pods", "ns", "b");
    store_remove(st, "k", "pods", "ns", "never");
    store_remove(st, "nocluster", "pods", "ns", "a");
    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 1);
    ck_assert_uint_eq(((struct row *)rows.items[0])->len, 3);
    ck_assert(memcmp(((struct row *)rows.items[0])->blob, "v2!", 3) == 0);
    ck_assert_int_eq(((struct row *)rows.items[0])->fetched_at, T0 + 10);
    vec_done(&rows);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_bad_writes_ignored_alone)
{
    struct env e;
    struct store *st;

    env_init(&e);
    st = open_ok(&e, NULL);
    store_put(st, "k", "pods", "ns", "good-1", "1", 1, T0);
    store_put(st, "k", "pods", "ns", NULL, "1", 1, T0);
    store_put(st, NULL, "pods", "ns", "x", "1", 1, T0);
    store_put(st, "k", NULL, "ns", "x", "1", 1, T0);
    store_put(st, "k", "pods", "ns", "x", NULL, 5, T0);
    store_remove(st, "k", "pods", "ns", NULL);
    store_replace_begin(st, NULL, "pods", NULL);
    store_set_cluster_info(st, NULL, "https://x", "v", T0);
    store_put(st, "k", "pods", "ns", "good-2", "1", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 2);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_replace_sweeps)
{
    struct env e;
    struct store *st;
    struct vec rows;

    env_init(&e);
    st = open_ok(&e, NULL);
    vec_init(&rows, row_free);
    store_put(st, "k", "pods", "ns1", "a", "1", 1, T0);
    store_put(st, "k", "pods", "ns1", "b", "1", 1, T0);
    store_put(st, "k", "pods", "ns1", "c", "1", 1, T0);
    store_put(st, "k", "pods", "ns2", "x", "1", 1, T0);
    store_put(st, "k", "nodes", "", "n1", "1", 1, T0);
    store_put(st, "other", "pods", "ns1", "b", "1", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);

    /* Namespaced: only ns1 is in scope. */
    store_replace_begin(st, "k", "pods", "ns1");
    store_put(st, "k", "pods", "ns1", "a", "2", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK); /* spans batches */
    store_put(st, "k", "pods", "ns1", "c", "2", 1, T0);
    store_replace_end(st, "k", "pods", "ns1");
    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 3);
    ck_assert_ptr_nonnull(find_row(&rows, "ns1", "a"));
    ck_assert_ptr_null(find_row(&rows, "ns1", "b"));
    ck_assert_ptr_nonnull(find_row(&rows, "ns1", "c"));
    ck_assert_ptr_nonnull(find_row(&rows, "ns2", "x"));
    vec_clear(&rows);

    /* All namespaces, in one batch. */
    store_replace_begin(st, "k", "pods", NULL);
    store_put(st, "k", "pods", "ns1", "c", "3", 1, T0);
    store_put(st, "k", "pods", "ns3", "new", "3", 1, T0);
    store_replace_end(st, "k", "pods", NULL);
    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 2);
    ck_assert_ptr_nonnull(find_row(&rows, "ns1", "c"));
    ck_assert_ptr_nonnull(find_row(&rows, "ns3", "new"));
    vec_clear(&rows);
    /* Other kinds and clusters were out of scope. */
    ck_assert_uint_eq(load_count(st, "k", "nodes"), 1);
    ck_assert_uint_eq(load_count(st, "other", "pods"), 1);

    /* An end without a begin sweeps nothing; an empty relist sweeps all. */
    store_replace_end(st, "k", "pods", NULL);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 2);
    store_replace_begin(st, "k", "nodes", NULL);
    store_replace_end(st, "k", "nodes", NULL);
    ck_assert_uint_eq(load_count(st, "k", "nodes"), 0);
    vec_done(&rows);
    store_close(st);
    env_done(&e);
}
END_TEST

/* The gen of a row as the file holds it, or -1 when it is absent. */
static int64_t
row_gen(const struct env *e, const char *ns, const char *name)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t gen = -1;

    ck_assert_int_eq(sqlite3_open_v2(e->cache, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT gen FROM objects WHERE ns = ?1 AND name = ?2",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        gen = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return gen;
}

/* A relist rewrites only what changed: a row put again with the same blob
 * keeps its gen (no page of the file is written for it), yet loads with
 * the list's time; changed rows are rewritten, rows not listed go. */
START_TEST(test_replace_writes_only_changes)
{
    struct env e;
    struct store *st;
    struct vec rows;
    int64_t gen_a, gen_b;
    struct row *r;

    env_init(&e);
    st = open_ok(&e, NULL);
    vec_init(&rows, row_free);
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", NULL);
    store_put(st, "k", "pods", "ns1", "a", "same", 4, T0);
    store_put(st, "k", "pods", "ns1", "b", "old", 3, T0);
    store_put(st, "k", "pods", "ns2", "c", "gone", 4, T0);
    store_replace_end(st, "k", "pods", NULL);
    store_group_end(st, true);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    gen_a = row_gen(&e, "ns1", "a");
    gen_b = row_gen(&e, "ns1", "b");
    ck_assert_int_gt(gen_a, 0);

    /* The next refresh, an hour later, in one group as `get` writes it. */
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", NULL);
    store_put(st, "k", "pods", "ns1", "a", "same", 4, T0 + 3600);
    store_put(st, "k", "pods", "ns1", "b", "new!", 4, T0 + 3600);
    store_put(st, "k", "pods", "ns3", "d", "added", 5, T0 + 3600);
    store_replace_end(st, "k", "pods", NULL);
    store_group_end(st, true);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_eq(row_gen(&e, "ns1", "a"), gen_a); /* not rewritten */
    ck_assert_int_gt(row_gen(&e, "ns1", "b"), gen_b);
    ck_assert_int_eq(row_gen(&e, "ns2", "c"), -1);

    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 3);
    r = find_row(&rows, "ns1", "a");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->fetched_at, T0 + 3600); /* its list's time */
    r = find_row(&rows, "ns1", "b");
    ck_assert_mem_eq(r->blob, "new!", 4);
    ck_assert_int_eq(r->fetched_at, T0 + 3600);
    ck_assert_ptr_nonnull(find_row(&rows, "ns3", "d"));
    vec_clear(&rows);

    /* A namespaced list's time counts for its namespace only. */
    store_put(st, "k", "pods", "ns4", "e", "x", 1, T0 + 5000); /* a watch event */
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", "ns1");
    store_put(st, "k", "pods", "ns1", "a", "same", 4, T0 + 7200);
    store_put(st, "k", "pods", "ns1", "b", "new!", 4, T0 + 7200);
    store_replace_end(st, "k", "pods", "ns1");
    store_group_end(st, true);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_eq(row_gen(&e, "ns1", "a"), gen_a);
    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_int_eq(find_row(&rows, "ns1", "a")->fetched_at, T0 + 7200);
    ck_assert_int_eq(find_row(&rows, "ns3", "d")->fetched_at, T0 + 3600);
    ck_assert_int_eq(find_row(&rows, "ns4", "e")->fetched_at, T0 + 5000);
    vec_done(&rows);
    store_close(st);
    env_done(&e);
}
END_TEST

/* A replace spread over several transactions (a console's relist) writes
 * every put: the rows it read at its begin may have changed since. The
 * sweep still spares what another handle wrote meanwhile. */
START_TEST(test_replace_across_batches_rewrites)
{
    struct env e;
    struct store *a, *b;
    int64_t gen0;

    env_init(&e);
    a = open_ok(&e, NULL);
    b = open_ok(&e, NULL);
    store_put(a, "k", "pods", "ns", "x", "1", 1, T0);
    store_put(a, "k", "pods", "ns", "y", "1", 1, T0);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    gen0 = row_gen(&e, "ns", "x");
    store_replace_begin(a, "k", "pods", NULL);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    store_remove(b, "k", "pods", "ns", "x");
    store_put(b, "k", "pods", "ns", "y", "2", 1, T0);
    ck_assert_int_eq(store_flush(b), STATUS_OK);
    /* x was removed by b after a's begin: a's put with the blob a read at
     * its begin must still write it. */
    store_put(a, "k", "pods", "ns", "x", "1", 1, T0);
    store_replace_end(a, "k", "pods", NULL);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    ck_assert_int_gt(row_gen(&e, "ns", "x"), gen0);
    ck_assert_int_ge(row_gen(&e, "ns", "y"), 0); /* b's, after a's begin: kept */
    ck_assert_uint_eq(load_count(a, "k", "pods"), 2);
    store_close(a);
    store_close(b);
    env_done(&e);
}
END_TEST

/* A cache.db of schema 2 (before blob hashes and list times) is migrated
 * in place: its rows load, and the first relist rewrites each once (their
 * hash unknown), the next one none. */
START_TEST(test_cache_schema_2_migrated)
{
    struct env e;
    struct store *st;
    sqlite3 *db;
    char *sql;
    int64_t gen;

    env_init(&e);
    ck_assert_int_eq(sqlite3_open(e.cache, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, store_cache_schema.fresh_pragmas, NULL, NULL, NULL),
                     SQLITE_OK);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(sqlite3_exec(db, store_cache_schema.steps[i], NULL, NULL, NULL),
                         SQLITE_OK);
    sql = xasprintf("PRAGMA application_id=%d; PRAGMA user_version=2;"
                    "INSERT INTO clusters(id, key, data_time) VALUES(1, 'k', %lld);"
                    "INSERT INTO objects(cluster, kind, ns, name, gen, fetched_at, blob)"
                    " VALUES(1, 'pods', 'ns', 'old', 0, %lld, x'6f6c64');",
                    STORE_CACHE_APP_ID, (long long)T0, (long long)T0);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    sqlite3_close(db);
    chmod(e.cache, 0600);

    st = open_ok(&e, NULL);
    ck_assert_uint_eq(notice_count(st), 0);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 1);
    for (int round = 0; round < 2; round++) {
        store_group_begin(st);
        store_replace_begin(st, "k", "pods", NULL);
        store_put(st, "k", "pods", "ns", "old", "old", 3, T0 + 60 * (round + 1));
        store_replace_end(st, "k", "pods", NULL);
        store_group_end(st, true);
        ck_assert_int_eq(store_flush(st), STATUS_OK);
        if (round == 0) {
            gen = row_gen(&e, "ns", "old");
            ck_assert_int_gt(gen, 0); /* rewritten: its hash was unknown */
        } else {
            ck_assert_int_eq(row_gen(&e, "ns", "old"), gen);
        }
    }
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_replace_across_handles)
{
    struct env e;
    struct store *a, *b;

    env_init(&e);
    a = open_ok(&e, NULL);
    b = open_ok(&e, NULL);
    store_put(a, "k", "pods", "ns", "old", "1", 1, T0);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    store_replace_begin(a, "k", "pods", NULL);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    /* The second console sees a new pod while the first relists. */
    store_put(b, "k", "pods", "ns", "seen-by-b", "1", 1, T0);
    ck_assert_int_eq(store_flush(b), STATUS_OK);
    store_put(a, "k", "pods", "ns", "listed", "1", 1, T0);
    store_replace_end(a, "k", "pods", NULL);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    ck_assert_uint_eq(load_count(b, "k", "pods"), 2);
    ck_assert_uint_eq(load_count(a, "k", "pods"), 2);
    store_close(a);
    store_close(b);
    env_done(&e);
}
END_TEST

START_TEST(test_group_commit_and_discard)
{
    struct env e;
    struct store *st;
    struct vec rows;
    char name[32];

    env_init(&e);
    st = open_ok(&e, NULL);
    vec_init(&rows, row_free);
    store_put(st, "k", "pods", "ns", "old", "1", 1, T0);
    store_put(st, "k", "pods", "ns", "kept", "1", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);

    /* Discarded: a relist in a group changes nothing, though its writes
     * were applied batch after batch. */
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", NULL);
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "p%05d", i);
        store_put(st, "k", "pods", "ns", name, "2", 1, T0);
    }
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 2);    /* not committed: not seen */
    store_replace_end(st, "k", "pods", NULL);
    store_group_end(st, false);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 2);
    ck_assert_ptr_nonnull(find_row(&rows, "ns", "old"));
    ck_assert_ptr_nonnull(find_row(&rows, "ns", "kept"));
    vec_clear(&rows);

    /* Committed: every write of the group, and its replace swept. */
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", NULL);
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "p%05d", i);
        store_put(st, "k", "pods", "ns", name, "3", 1, T0);
    }
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_put(st, "k", "pods", "ns", "kept", "3", 1, T0);
    store_replace_end(st, "k", "pods", NULL);
    store_set_cluster_info(st, "k", "https://k", "v1", T0);
    store_group_end(st, true);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_eq(store_load(st, "k", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_eq(rows.len, 5001);
    ck_assert_ptr_null(find_row(&rows, "ns", "old"));
    ck_assert_ptr_nonnull(find_row(&rows, "ns", "kept"));
    ck_assert_ptr_nonnull(find_row(&rows, "ns", "p04999"));
    vec_clear(&rows);

    /* Writes after a group are ordinary ones again. */
    store_put(st, "k", "pods", "ns", "after", "4", 1, T0);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 5002);
    vec_done(&rows);
    store_close(st);
    env_done(&e);
}
END_TEST

/* A group that wrote thousands of rows commits without copying the WAL
 * into the file, and the close leaves it: the next start copies it while
 * idle. A small group is copied at the close as before. */
START_TEST(test_large_group_defers_checkpoint)
{
    struct env e;
    struct store *st;
    struct stat sb;
    char wal[160], blob[512], name[32];
    int64_t deadline;

    env_init(&e);
    snprintf(wal, sizeof(wal), "%s-wal", e.cache);
    st = open_ok(&e, NULL);
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", NULL);
    for (int i = 0; i < 3000; i++) {
        fill_blob(blob, sizeof(blob), (unsigned)i);
        snprintf(name, sizeof(name), "pod-%05d", i);
        store_put(st, "k", "pods", "ns", name, blob, sizeof(blob), T0);
    }
    store_replace_end(st, "k", "pods", NULL);
    store_group_end(st, true);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_close(st);
    ck_assert_int_eq(stat(wal, &sb), 0);
    ck_assert_int_gt(sb.st_size, 1000000); /* left for the next start */

    st = open_ok(&e, NULL);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 3000);
    /* Idle at once: the copy is done without anything asked. */
    deadline = clock_mono_ms() + 10000;
    while (clock_mono_ms() < deadline &&
           (stat(e.cache, &sb) != 0 || sb.st_size < 1000000))
        nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
    ck_assert_int_gt(sb.st_size, 1000000);
    /* A small group: copied at the close, the WAL gone with it. */
    store_group_begin(st);
    store_put(st, "k", "pods", "ns", "one-more", "1", 1, T0);
    store_group_end(st, true);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_close(st);
    ck_assert_int_ne(stat(wal, &sb), 0);
    st = open_ok(&e, NULL);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 3001);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_group_open_at_close_discarded)
{
    struct env e;
    struct store *st;

    env_init(&e);
    st = open_ok(&e, NULL);
    store_put(st, "k", "pods", "ns", "old", "1", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_group_begin(st);
    store_replace_begin(st, "k", "pods", NULL);
    store_put(st, "k", "pods", "ns", "new", "2", 1, T0);
    store_replace_end(st, "k", "pods", NULL);
    store_close(st);            /* the group never ended */
    st = open_ok(&e, NULL);
    ck_assert_uint_eq(load_count(st, "k", "pods"), 1);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_cluster_info)
{
    struct env e;
    struct store *st;
    struct store_cluster_info info;

    env_init(&e);
    st = open_ok(&e, NULL);
    ck_assert(!store_cluster_info(st, "k", &info));
    ck_assert_ptr_null(info.server);
    store_set_cluster_info(st, "k", "https://10.0.1.1:6443", "v1.31.4+k3s1", T0 - 60);
    store_put(st, "k", "pods", "ns", "a", "1", 1, T0 - 30);
    store_put(st, "k", "pods", "ns", "b", "1", 1, T0 - 40);
    ck_assert(store_cluster_info(st, "k", &info));
    ck_assert_str_eq(info.server, "https://10.0.1.1:6443");
    ck_assert_str_eq(info.version, "v1.31.4+k3s1");
    ck_assert_int_eq(info.last_live, T0 - 60);
    ck_assert_int_eq(info.data_time, T0 - 30);
    store_cluster_info_done(&info);

    /* NULL and 0 keep what is stored. */
    store_set_cluster_info(st, "k", NULL, "v1.32.0", 0);
    ck_assert(store_cluster_info(st, "k", &info));
    ck_assert_str_eq(info.server, "https://10.0.1.1:6443");
    ck_assert_str_eq(info.version, "v1.32.0");
    ck_assert_int_eq(info.last_live, T0 - 60);
    store_cluster_info_done(&info);

    /* A cluster known only from puts has no server yet. */
    store_put(st, "k2", "nodes", "", "n", "1", 1, T0);
    ck_assert(store_cluster_info(st, "k2", &info));
    ck_assert_ptr_null(info.server);
    ck_assert_int_eq(info.data_time, T0);
    store_cluster_info_done(&info);
    store_close(st);
    env_done(&e);
}
END_TEST

/*
 * Batching
 */

START_TEST(test_batching_20000_puts)
{
    struct env e;
    struct store *st;
    struct store_stats s0, s1;
    char blob[1024], name[32];
    double t0, t_queue, t_commit, t_load;
    size_t n;

    env_init(&e);
    st = open_ok(&e, NULL);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_stats(st, &s0);
    t0 = now_ms();
    for (int i = 0; i < 20000; i++) {
        fill_blob(blob, sizeof(blob), (unsigned)i);
        snprintf(name, sizeof(name), "pod-%05d", i);
        store_put(st, "c", "pods", i % 2 ? "ns-a" : "ns-b", name, blob, sizeof(blob), T0);
    }
    t_queue = now_ms() - t0;
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    t_commit = now_ms() - t0;
    store_stats(st, &s1);
    /* One transaction per batch of >= 2,000 writes (2,000 to 8,192). */
    ck_assert_uint_eq(s1.ops - s0.ops, 20000);
    ck_assert_uint_le(s1.batches - s0.batches, 10);
    ck_assert_uint_ge(s1.batches - s0.batches, 3);
    ck_assert_uint_le(s1.transactions - s0.transactions, 12);

    t0 = now_ms();
    n = load_count(st, "c", "pods");
    t_load = now_ms() - t0;
    ck_assert_uint_eq(n, 20000);
    printf("# 20000 puts of 1 KB: queued in %.1f ms, committed in %.1f ms (%.0f puts/s) in "
           "%llu transactions; load of 20000 rows %.1f ms; cache.db %lld bytes\n",
           t_queue, t_commit, 20000 / (t_commit / 1000.0),
           (unsigned long long)(s1.transactions - s0.transactions), t_load,
           (long long)store_cache_size(st));
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_batch_by_time_and_count)
{
    struct env e;
    struct store *st;
    struct store_stats s;
    double t0, waited = 0;
    char name[32];

    env_init(&e);
    st = open_ok(&e, NULL);
    ck_assert_int_eq(store_flush(st), STATUS_OK);

    /* One write, no flush: committed ~200 ms later by the timer. */
    t0 = now_ms();
    store_put(st, "c", "pods", "ns", "lonely", "1", 1, T0);
    for (int i = 0; i < 400; i++) {
        store_stats(st, &s);
        if (s.ops == 1)
            break;
        usleep(5000);
    }
    waited = now_ms() - t0;
    store_stats(st, &s);
    ck_assert_uint_eq(s.ops, 1);
    ck_assert_uint_eq(s.batches, 1);
    ck_assert_msg(waited >= 190, "committed after %.0f ms, before the 200 ms delay", waited);

    /* 4,500 writes without a flush: committed by count, a few batches. */
    for (int i = 0; i < 4500; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        store_put(st, "c", "pods", "ns", name, "x", 1, T0);
    }
    for (int i = 0; i < 400; i++) {
        store_stats(st, &s);
        if (s.ops == 4501)
            break;
        usleep(5000);
    }
    ck_assert_uint_eq(s.ops, 4501);
    ck_assert_uint_le(s.batches, 1 + 3);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_close_commits_queued_writes)
{
    struct env e;
    struct store *st;
    char name[32];

    env_init(&e);
    st = open_ok(&e, NULL);
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        store_put(st, "c", "pods", "ns", name, "x", 1, T0);
    }
    store_set_cluster_info(st, "c", "https://s", "v1", T0);
    store_close(st); /* no flush */
    st = open_ok(&e, NULL);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 5000);
    ck_assert_int_eq(store_flush(st), STATUS_OK); /* nothing queued: at once */
    store_close(st);
    env_done(&e);
}
END_TEST

/*
 * Damaged cache.db at open
 */

static void
check_cache_rebuilt(struct env *e, const void *orig, size_t orig_len, const char *why)
{
    struct store *st = open_ok(e, NULL);
    char aside[256];
    size_t len;
    char *data;

    ck_assert_msg(notice_has(st, "cache.db", "moved to"), "no notice for %s", why);
    ck_assert_uint_eq(aside_count(e, "cache.db", "corrupt", aside, sizeof(aside)), 1);
    if (orig) {
        data = read_whole(aside, &len);
        ck_assert_uint_eq(len, orig_len);
        ck_assert(memcmp(data, orig, len) == 0);
        free(data);
    }
    /* And it works. */
    store_put(st, "c", "pods", "ns", "a", "1", 1, T0);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 1);
    ck_assert_int_eq(file_mode(e->cache), 0600);
    store_close(st);
    ck_assert_int_eq(pragma_int(e->cache, "application_id"), STORE_CACHE_APP_ID);
}

START_TEST(test_cache_random_bytes)
{
    struct env e;
    char junk[8192];

    env_init(&e);
    fill_blob(junk, sizeof(junk), 7);
    write_file(e.cache, junk, sizeof(junk));
    check_cache_rebuilt(&e, junk, sizeof(junk), "random bytes");
    env_done(&e);
}
END_TEST

START_TEST(test_cache_truncated)
{
    struct env e;
    struct stat sb;

    env_init(&e);
    make_cache(&e, 2000);
    ck_assert_int_eq(stat(e.cache, &sb), 0);
    ck_assert_int_gt(sb.st_size, 1000000);
    ck_assert_int_eq(truncate(e.cache, sb.st_size / 2), 0);
    check_cache_rebuilt(&e, NULL, 0, "truncated");
    env_done(&e);
}
END_TEST

START_TEST(test_cache_foreign_application)
{
    struct env e;

    env_init(&e);
    sql_file(e.cache,
             "PRAGMA application_id=305419896; CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    check_cache_rebuilt(&e, NULL, 0, "foreign");
    {
        struct store *st = open_ok(&e, NULL);

        ck_assert_uint_eq(notice_count(st), 0); /* rebuilt once, fine since */
        store_close(st);
    }
    env_done(&e);
}
END_TEST

START_TEST(test_cache_newer_schema)
{
    struct env e;
    struct store *st;

    env_init(&e);
    make_cache(&e, 10);
    sql_file(e.cache, "PRAGMA user_version=99;");
    st = open_ok(&e, NULL);
    ck_assert(notice_has(st, "newer than this opsdeck", "moved to"));
    ck_assert_uint_eq(load_count(st, "c", "pods"), 0);
    store_close(st);
    ck_assert_int_eq(pragma_int(e.cache, "user_version"), store_cache_schema.version);
    env_done(&e);
}
END_TEST

START_TEST(test_cache_keeps_two_corrupt_copies)
{
    struct env e;
    char junk[4096];

    env_init(&e);
    for (int i = 0; i < 4; i++) {
        struct store *st;

        /* Distinct stamps: the copies are named after the (fixed) clock. */
        clock_set_fixed_ns((T0 + i) * NS_PER_SEC);
        fill_blob(junk, sizeof(junk), (unsigned)i);
        write_file(e.cache, junk, sizeof(junk));
        st = open_ok(&e, NULL);
        ck_assert(notice_has(st, "cache.db", "moved to"));
        store_close(st);
    }
    ck_assert_uint_eq(aside_count(&e, "cache.db", "corrupt", NULL, 0), 2);
    env_done(&e);
}
END_TEST

/*
 * Damaged cache.db during use
 */

/* A cache whose object pages (second half of the file) are garbage while
 * page 1 and the schema are fine, with the daily check already done. */
static void
make_damaged_cache(struct env *e)
{
    int64_t pages;

    char sql[96];

    make_cache(e, 3000);
    snprintf(sql, sizeof(sql), "UPDATE meta SET value = %lld WHERE key = 'checked_at'",
             (long long)T0);
    sql_file(e->cache, sql);
    pages = pragma_int(e->cache, "page_count");
    ck_assert_int_gt(pages, 500);
    scribble_pages(e->cache, pages / 2, pages);
}

START_TEST(test_cache_damage_found_by_load)
{
    struct env e;
    struct store *st;
    size_t n = 0;
    enum status rc;

    env_init(&e);
    make_damaged_cache(&e);
    st = open_ok(&e, NULL);
    ck_assert_uint_eq(notice_count(st), 0); /* nothing to see at open */
    rc = store_load(st, "c", "pods", count_cb, &n);
    ck_assert_int_eq(rc, STATUS_CORRUPT);
    ck_assert_uint_lt(n, 3000);
    ck_assert(notice_has(st, "cache.db was damaged", "moved to"));
    ck_assert_uint_eq(aside_count(&e, "cache.db", "corrupt", NULL, 0), 1);
    ck_assert_uint_eq(store_cache_generation(st), 1);
    /* Carry on with an empty cache. */
    ck_assert_uint_eq(load_count(st, "c", "pods"), 0);
    store_put(st, "c", "pods", "ns", "fresh", "1", 1, T0);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 1);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_cache_damage_found_by_writer)
{
    struct env e;
    struct store *st;
    struct store_stats s;
    char name[32];

    env_init(&e);
    make_damaged_cache(&e);
    st = open_ok(&e, NULL);
    /* Rewriting the same objects walks the damaged pages. */
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "pod-%05d", i);
        store_put(st, "c", "pods", "ns", name, "new", 3, T0 + 1);
    }
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_stats(st, &s);
    ck_assert_uint_eq(s.recoveries, 1);
    ck_assert(notice_has(st, "cache.db was damaged", "moved to"));
    /* The batch was replayed on the new file: nothing of it is lost. */
    ck_assert_uint_eq(load_count(st, "c", "pods"), 3000);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_cache_daily_check_finds_damage)
{
    struct env e;
    struct store *st;
    struct store_stats s;

    env_init(&e);
    make_damaged_cache(&e);
    /* A day later, the background quick_check reads every page. */
    clock_set_fixed_ns((T0 + DAY + 1) * NS_PER_SEC);
    st = open_ok(&e, NULL);
    for (int i = 0; i < 500; i++) {
        store_stats(st, &s);
        if (s.recoveries == 1)
            break;
        usleep(10000);
    }
    ck_assert_uint_eq(s.recoveries, 1);
    ck_assert(notice_has(st, "integrity check", "moved to"));
    ck_assert_uint_eq(load_count(st, "c", "pods"), 0);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_cache_replaced_by_other_console)
{
    struct env e;
    struct store *a, *b;
    char *moved;

    env_init(&e);
    a = open_ok(&e, NULL);
    store_put(a, "c", "pods", "ns", "a", "1", 1, T0);
    ck_assert_uint_eq(load_count(a, "c", "pods"), 1);
    /* Another console moved the file aside and started a new one. */
    moved = store_move_aside(e.cache, "corrupt");
    ck_assert_ptr_nonnull(moved);
    free(moved);
    b = open_ok(&e, NULL);
    store_put(b, "c", "pods", "ns", "from-b", "1", 1, T0);
    ck_assert_int_eq(store_flush(b), STATUS_OK);
    /* a follows to the new file instead of writing into the old one. */
    ck_assert_uint_eq(load_count(a, "c", "pods"), 1);
    store_put(a, "c", "pods", "ns", "from-a", "1", 1, T0);
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    ck_assert_uint_eq(load_count(b, "c", "pods"), 2);
    ck_assert_uint_eq(notice_count(a), 0);
    store_close(a);
    store_close(b);
    env_done(&e);
}
END_TEST

/*
 * state.db
 */

START_TEST(test_state_damaged_kept_aside)
{
    struct env e;
    struct store *st;
    char junk[8192], aside[256];
    char **h;
    size_t len;
    char *data;

    env_init(&e);
    fill_blob(junk, sizeof(junk), 3);
    write_file(e.state, junk, sizeof(junk));
    st = open_ok(&e, NULL);
    ck_assert(notice_has(st, "state.db was damaged", "kept as"));
    ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", aside, sizeof(aside)), 1);
    data = read_whole(aside, &len);
    ck_assert_uint_eq(len, sizeof(junk));
    ck_assert(memcmp(data, junk, len) == 0);
    free(data);
    ck_assert(!store_state_is_memory(st));
    ck_assert_int_eq(store_history_add(st, ":", "nodes"), STATUS_OK);
    h = store_history(st, ":", 10);
    ck_assert_str_eq(h[0], "nodes");
    strv_free(h);
    store_close(st);
    ck_assert_int_eq(pragma_int(e.state, "application_id"), STORE_STATE_APP_ID);
    ck_assert_int_eq(file_mode(e.state), 0600);
    env_done(&e);
}
END_TEST

START_TEST(test_state_corrupt_pages_kept_aside)
{
    struct env e;
    struct store *st;
    char line[64];
    int64_t pages;

    env_init(&e);
    st = open_ok(&e, NULL);
    for (int i = 0; i < 400; i++) {
        snprintf(line, sizeof(line), "filter number %d with some padding text", i);
        ck_assert_int_eq(store_history_add(st, "/", line), STATUS_OK);
    }
    store_close(st);
    pages = pragma_int(e.state, "page_count");
    ck_assert_int_gt(pages, 4);
    scribble_pages(e.state, pages - 2, pages);
    /* integrity_check at open finds it. */
    st = open_ok(&e, NULL);
    ck_assert(notice_has(st, "state.db was damaged", "kept as"));
    ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", NULL, 0), 1);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_state_damage_found_during_use)
{
    struct env e;
    struct store *st;
    sqlite3 *other = NULL;
    char line[64];
    char **h;
    int64_t pages;

    env_init(&e);
    st = open_ok(&e, NULL);
    for (int i = 0; i < 400; i++) {
        snprintf(line, sizeof(line), "filter number %d with some padding text", i);
        ck_assert_int_eq(store_history_add(st, "/", line), STATUS_OK);
    }
    /* Everything into the main file, then its history pages broken. */
    ck_assert_int_eq(sqlite3_open(e.state, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                     SQLITE_OK);
    pages = pragma_int(e.state, "page_count");
    scribble_pages(e.state, pages / 2, pages + 1);
    /* A write by someone else makes the console's connection drop its page
     * cache, so it reads the broken pages. */
    ck_assert_int_eq(sqlite3_exec(other, "INSERT INTO settings VALUES('k', 'v')", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(other);

    ck_assert_int_eq(store_history_add(st, "/", "after the damage"), STATUS_OK);
    ck_assert(notice_has(st, "state.db was damaged", "kept as"));
    ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", NULL, 0), 1);
    h = store_history(st, "/", 10);
    ck_assert_uint_eq(strv_len((const char *const *)h), 1);
    ck_assert_str_eq(h[0], "after the damage");
    strv_free(h);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_state_replaced_by_other_console)
{
    struct env e;
    struct store *a, *c;
    char *moved;
    char **h;

    env_init(&e);
    a = open_ok(&e, NULL);
    ck_assert_int_eq(store_history_add(a, ":", "before"), STATUS_OK);
    /* Another console kept the file aside and started a new one. */
    moved = store_move_aside(e.state, "damaged");
    ck_assert_ptr_nonnull(moved);
    free(moved);
    c = open_ok(&e, NULL);
    ck_assert_int_eq(store_history_add(c, ":", "from c"), STATUS_OK);
    /* a follows to the new file. */
    ck_assert_int_eq(store_history_add(a, ":", "from a"), STATUS_OK);
    h = store_history(c, ":", 10);
    ck_assert_uint_eq(strv_len((const char *const *)h), 2);
    ck_assert_str_eq(h[0], "from a");
    ck_assert_str_eq(h[1], "from c");
    strv_free(h);
    ck_assert_uint_eq(notice_count(a), 0);
    store_close(a);
    store_close(c);
    env_done(&e);
}
END_TEST

START_TEST(test_state_foreign_kept_aside)
{
    struct env e;
    struct store *st;

    env_init(&e);
    sql_file(e.state, "PRAGMA application_id=42; CREATE TABLE notes(x);");
    st = open_ok(&e, NULL);
    ck_assert(notice_has(st, "state.db was damaged", "another application"));
    ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", NULL, 0), 1);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_state_newer_left_untouched)
{
    struct env e;
    struct store *st;
    char *before, *after, *v;
    size_t blen, alen;
    char **h;
    char sql[256];

    env_init(&e);
    snprintf(sql, sizeof(sql),
             "PRAGMA application_id=%d; PRAGMA user_version=%d; CREATE TABLE audit(x);"
             " INSERT INTO audit VALUES('from the future');",
             STORE_STATE_APP_ID, store_state_schema.version + 1);
    sql_file(e.state, sql);
    chmod(e.state, 0600);
    before = read_whole(e.state, &blen);
    st = open_ok(&e, NULL);
    ck_assert(notice_has(st, "state.db was left untouched", "newer"));
    ck_assert(store_state_is_memory(st));
    /* History and settings still work, in memory. */
    ck_assert_int_eq(store_history_add(st, ":", "pods"), STATUS_OK);
    h = store_history(st, ":", 5);
    ck_assert_str_eq(h[0], "pods");
    strv_free(h);
    ck_assert_int_eq(store_set_setting(st, "theme", "mono"), STATUS_OK);
    v = store_setting(st, "theme");
    ck_assert_str_eq(v, "mono");
    free(v);
    store_close(st);
    after = read_whole(e.state, &alen);
    ck_assert_uint_eq(alen, blen);
    ck_assert(memcmp(before, after, blen) == 0);
    ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", NULL, 0), 0);
    free(before);
    free(after);
    env_done(&e);
}
END_TEST

START_TEST(test_history)
{
    struct env e;
    struct store *st;
    char **h;
    char line[32], big[STORE_HISTORY_LINE_MAX + 2];

    env_init(&e);
    st = open_ok(&e, NULL);
    h = store_history(st, ":", 10);
    ck_assert_ptr_null(h[0]);
    strv_free(h);

    ck_assert_int_eq(store_history_add(st, ":", "nodes"), STATUS_OK);
    ck_assert_int_eq(store_history_add(st, ":", "pods"), STATUS_OK);
    ck_assert_int_eq(store_history_add(st, ":", "pods"), STATUS_OK);  /* dup of the last */
    ck_assert_int_eq(store_history_add(st, ":", "nodes"), STATUS_OK); /* not the last: kept */
    ck_assert_int_eq(store_history_add(st, ":", ""), STATUS_OK);      /* empty: skipped */
    ck_assert_int_eq(store_history_add(st, ":", "  "), STATUS_OK);
    ck_assert_int_eq(store_history_add(st, "/", "web"), STATUS_OK);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(store_history_add(st, ":", big), STATUS_INVALID);

    h = store_history(st, ":", 10);
    ck_assert_uint_eq(strv_len((const char *const *)h), 3);
    ck_assert_str_eq(h[0], "nodes");
    ck_assert_str_eq(h[1], "pods");
    ck_assert_str_eq(h[2], "nodes");
    strv_free(h);
    h = store_history(st, ":", 1);
    ck_assert_uint_eq(strv_len((const char *const *)h), 1);
    strv_free(h);
    h = store_history(st, "/", 10);
    ck_assert_uint_eq(strv_len((const char *const *)h), 1);
    ck_assert_str_eq(h[0], "web");
    strv_free(h);

    /* Cap: 500 per prompt, the oldest go. */
    for (int i = 0; i < 520; i++) {
        snprintf(line, sizeof(line), "cmd %d", i);
        ck_assert_int_eq(store_history_add(st, ":", line), STATUS_OK);
    }
    h = store_history(st, ":", 1000);
    ck_assert_uint_eq(strv_len((const char *const *)h), 500);
    ck_assert_str_eq(h[0], "cmd 519");
    ck_assert_str_eq(h[499], "cmd 20");
    strv_free(h);
    store_close(st);

    /* Durable. */
    st = open_ok(&e, NULL);
    h = store_history(st, ":", 2);
    ck_assert_str_eq(h[0], "cmd 519");
    ck_assert_str_eq(h[1], "cmd 518");
    strv_free(h);
    h = store_history(st, "/", 2);
    ck_assert_str_eq(h[0], "web");
    strv_free(h);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_settings)
{
    struct env e;
    struct store *st;
    char *v;

    env_init(&e);
    st = open_ok(&e, NULL);
    ck_assert_ptr_null(store_setting(st, "refresh"));
    ck_assert_int_eq(store_set_setting(st, "refresh", "2s"), STATUS_OK);
    ck_assert_int_eq(store_set_setting(st, "utc", "true"), STATUS_OK);
    ck_assert_int_eq(store_set_setting(st, "refresh", "5s"), STATUS_OK);
    v = store_setting(st, "refresh");
    ck_assert_str_eq(v, "5s");
    free(v);
    store_close(st);
    st = open_ok(&e, NULL);
    v = store_setting(st, "refresh");
    ck_assert_str_eq(v, "5s");
    free(v);
    v = store_setting(st, "utc");
    ck_assert_str_eq(v, "true");
    free(v);
    ck_assert_int_eq(store_set_setting(st, "utc", NULL), STATUS_OK);
    ck_assert_ptr_null(store_setting(st, "utc"));
    store_close(st);
    env_done(&e);
}
END_TEST

/*
 * Schema versions: the migration machinery on a synthetic schema
 */

static const char *const synth_steps[] = {
    "CREATE TABLE history(id INTEGER PRIMARY KEY, line TEXT NOT NULL);",
    "ALTER TABLE history ADD COLUMN prompt TEXT NOT NULL DEFAULT ':';"
    "CREATE INDEX history_prompt ON history(prompt, id);",
};
static const char *const synth_bad_steps[] = {
    "CREATE TABLE history(id INTEGER PRIMARY KEY, line TEXT NOT NULL);",
    "ALTER TABLE history ADD COLUMN prompt TEXT NOT NULL DEFAULT ':';"
    "CREATE TABLE history(oops);",
};

START_TEST(test_migration_machinery)
{
    struct env e;
    char path[160], why[256];
    sqlite3 *db;
    const struct store_schema v1 = {"synth.db", 0x5359544e, 1, synth_steps, NULL};
    const struct store_schema v2 = {"synth.db", 0x5359544e, 2, synth_steps, NULL};
    const struct store_schema v2_bad = {"synth.db", 0x5359544e, 2, synth_bad_steps, NULL};
    char *prompt;

    env_init(&e);
    snprintf(path, sizeof(path), "%s/synth.db", e.dir);

    /* An older file: version 1, with data. */
    ck_assert_int_eq(store_db_open(path, 1000, &db), STATUS_OK);
    ck_assert_int_eq(store_schema_check(db, &v1, STORE_CHECK_NONE, why, sizeof(why)), STORE_DB_OK);
    ck_assert_int_eq(store_schema_upgrade(db, &v1), STATUS_OK);
    ck_assert_int_eq(store_exec(db, "INSERT INTO history(line) VALUES('old line')", NULL),
                     STATUS_OK);
    store_db_close(db);
    ck_assert_int_eq(pragma_int(path, "user_version"), 1);

    /* A failing step rolls the whole migration back. */
    ck_assert_int_eq(store_db_open(path, 1000, &db), STATUS_OK);
    ck_assert_int_eq(store_schema_upgrade(db, &v2_bad), STATUS_CORRUPT);
    ck_assert_ptr_nonnull(strstr(status_text(), "migration 1 -> 2 failed"));
    store_db_close(db);
    ck_assert_int_eq(pragma_int(path, "user_version"), 1);
    prompt = pragma_text(path, "table_info(history)"); /* first column still id */
    ck_assert_str_eq(prompt, "0");
    free(prompt);

    /* Forward 1 -> 2 keeps the data. */
    ck_assert_int_eq(store_db_open(path, 1000, &db), STATUS_OK);
    ck_assert_int_eq(store_schema_check(db, &v2, STORE_CHECK_INTEGRITY, why, sizeof(why)),
                     STORE_DB_OK);
    ck_assert_int_eq(store_schema_upgrade(db, &v2), STATUS_OK);
    store_db_close(db);
    ck_assert_int_eq(pragma_int(path, "user_version"), 2);
    ck_assert_int_eq(pragma_int(path, "application_id"), 0x5359544e);
    {
        sqlite3_stmt *stmt;

        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        ck_assert_int_eq(
            sqlite3_prepare_v2(db, "SELECT line, prompt FROM history", -1, &stmt, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "old line");
        ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 1), ":");
        sqlite3_finalize(stmt);
        sqlite3_close(db);
    }

    /* To a build that knows only version 1, this file is newer. */
    ck_assert_int_eq(store_db_open(path, 1000, &db), STATUS_OK);
    ck_assert_int_eq(store_schema_check(db, &v1, STORE_CHECK_NONE, why, sizeof(why)),
                     STORE_DB_NEWER);
    ck_assert_int_eq(
        store_schema_check(db, &store_state_schema, STORE_CHECK_NONE, why, sizeof(why)),
        STORE_DB_FOREIGN);
    store_db_close(db);
    env_done(&e);
}
END_TEST

/*
 * Retention
 */

START_TEST(test_retention_by_age)
{
    struct env e;
    struct store *st;
    struct store_cluster_info info;
    struct store_limits lim = {.cache_max_age_s = 30 * DAY};

    env_init(&e);
    /* Forty days ago the operator looked at an old cluster. */
    clock_set_fixed_ns((T0 - 40 * DAY) * NS_PER_SEC);
    st = open_ok(&e, &lim);
    store_set_cluster_info(st, "old", "https://old", "v1", T0 - 40 * DAY);
    store_put(st, "old", "pods", "ns", "a", "1", 1, T0 - 40 * DAY);
    store_close(st);
    /* Ten days ago, another one. */
    clock_set_fixed_ns((T0 - 10 * DAY) * NS_PER_SEC);
    st = open_ok(&e, &lim);
    store_set_cluster_info(st, "recent", "https://recent", "v1", T0 - 10 * DAY);
    store_put(st, "recent", "pods", "ns", "a", "1", 1, T0 - 10 * DAY);
    ck_assert_uint_eq(load_count(st, "old", "pods"), 1);
    store_close(st);

    clock_set_fixed_ns(T0 * NS_PER_SEC);
    st = open_ok(&e, &lim);
    ck_assert(!store_cluster_info(st, "old", &info));
    ck_assert_uint_eq(load_count(st, "old", "pods"), 0);
    ck_assert(store_cluster_info(st, "recent", &info));
    store_cluster_info_done(&info);
    ck_assert_uint_eq(load_count(st, "recent", "pods"), 1);
    store_close(st);
    env_done(&e);
}
END_TEST

static void
put_cluster(struct store *st, const char *cluster, int n, int64_t t)
{
    char blob[1024], name[32];

    for (int i = 0; i < n; i++) {
        fill_blob(blob, sizeof(blob), (unsigned)i);
        snprintf(name, sizeof(name), "pod-%05d", i);
        store_put(st, cluster, "pods", "ns", name, blob, sizeof(blob), t + i);
    }
}

START_TEST(test_retention_by_size_clusters)
{
    struct env e;
    struct store *st;
    struct store_limits lim = {.cache_max_bytes = 1024 * 1024};
    struct store_cluster_info info;
    int64_t size;

    env_init(&e);
    st = open_ok(&e, &lim);
    /* Three clusters of ~600 KB each; c1 seen longest ago. */
    store_set_cluster_info(st, "c1", "https://1", "v1", T0 - 300);
    put_cluster(st, "c1", 500, T0 - 3000);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_set_cluster_info(st, "c2", "https://2", "v1", T0 - 200);
    put_cluster(st, "c2", 500, T0 - 2000);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_set_cluster_info(st, "c3", "https://3", "v1", T0 - 100);
    put_cluster(st, "c3", 500, T0 - 1000);
    ck_assert_int_eq(store_flush(st), STATUS_OK);

    size = store_cache_size(st);
    ck_assert_int_le(size, lim.cache_max_bytes);
    ck_assert(!store_cluster_info(st, "c1", &info));
    ck_assert(!store_cluster_info(st, "c2", &info));
    ck_assert(store_cluster_info(st, "c3", &info));
    store_cluster_info_done(&info);
    ck_assert_uint_eq(load_count(st, "c3", "pods"), 500);
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_retention_by_size_rows)
{
    struct env e;
    struct store *st;
    struct store_limits lim = {.cache_max_bytes = 1024 * 1024};
    struct vec rows;
    int64_t oldest = INT64_MAX;
    struct stat sb;

    env_init(&e);
    st = open_ok(&e, &lim);
    put_cluster(st, "only", 3000, T0 - 3000); /* ~3.5 MB: too much for one cluster */
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_le(store_cache_size(st), lim.cache_max_bytes);

    vec_init(&rows, row_free);
    ck_assert_int_eq(store_load(st, "only", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_gt(rows.len, 300);
    ck_assert_uint_lt(rows.len, 3000);
    for (size_t i = 0; i < rows.len; i++)
        oldest = MIN(oldest, ((struct row *)rows.items[i])->fetched_at);
    /* What is left is the newest rows, contiguous up to the last one. */
    ck_assert_int_eq(oldest, T0 - 3000 + (int64_t)(3000 - rows.len));
    ck_assert_ptr_nonnull(find_row(&rows, "ns", "pod-02999"));
    vec_done(&rows);
    store_close(st);
    /* The pages went back to the file system. */
    ck_assert_int_eq(stat(e.cache, &sb), 0);
    ck_assert_int_le(sb.st_size, lim.cache_max_bytes + 64 * 1024);
    env_done(&e);
}
END_TEST

START_TEST(test_cache_clear)
{
    struct env e;
    struct store *st;
    struct store_cluster_info info;
    struct stat sb;
    int64_t full, empty;

    char junk[4096];

    env_init(&e);
    fill_blob(junk, sizeof(junk), 11);
    write_file(e.cache, junk, sizeof(junk));
    st = open_ok(&e, NULL);
    ck_assert_uint_eq(aside_count(&e, "cache.db", "corrupt", NULL, 0), 1);
    store_set_cluster_info(st, "c", "https://c", "v1", T0);
    put_cluster(st, "c", 2000, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    full = store_cache_size(st);
    put_cluster(st, "d", 100, T0); /* still queued: dropped by the clear */
    ck_assert_int_eq(store_cache_clear(st), STATUS_OK);
    empty = store_cache_size(st);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 0);
    ck_assert_uint_eq(load_count(st, "d", "pods"), 0);
    ck_assert(!store_cluster_info(st, "c", &info));
    ck_assert_int_gt(full, 2000 * 1024);
    ck_assert_int_lt(empty, 64 * 1024);
    ck_assert_uint_eq(aside_count(&e, "cache.db", "corrupt", NULL, 0), 0);
    /* Still usable; clearing an empty cache is fine too. */
    put_cluster(st, "c", 10, T0);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 10);
    ck_assert_int_eq(store_cache_clear(st), STATUS_OK);
    ck_assert_int_eq(store_cache_clear(st), STATUS_OK);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 0);
    put_cluster(st, "c", 10, T0);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 10);
    store_close(st);
    ck_assert_int_eq(stat(e.cache, &sb), 0);
    ck_assert_int_lt(sb.st_size, 128 * 1024);
    env_done(&e);
}
END_TEST

/*
 * The queue cap: a writer held back by another process's lock
 */

START_TEST(test_queue_overflow_clears_cluster)
{
    struct env e;
    struct store *st;
    struct store_limits lim = {.queue_max_bytes = 64 * 1024};
    struct store_stats s;
    sqlite3 *lock = NULL;
    struct vec rows;
    char blob[1024], name[32];
    int lowest = 1000;

    env_init(&e);
    st = open_ok(&e, &lim);
    put_cluster(st, "c", 10, T0); /* pod-00000..9, committed */
    store_put(st, "other", "pods", "ns", "safe", "1", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);

    /* Another console holds the write lock. */
    ck_assert_int_eq(sqlite3_open(e.cache, &lock), SQLITE_OK);
    sqlite3_busy_timeout(lock, 10000); /* the writer may be checking the file */
    ck_assert_int_eq(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 200; i++) {
        fill_blob(blob, sizeof(blob), (unsigned)i);
        snprintf(name, sizeof(name), "new-%03d", i);
        store_put(st, "c", "pods", "ns", name, blob, sizeof(blob), T0 + 1);
    }
    ck_assert(notice_has(st, "fell behind", NULL));
    ck_assert_int_eq(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(lock);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    store_stats(st, &s);
    ck_assert_uint_gt(s.dropped, 0);

    /* What is cached for c is exactly a suffix of the writes: nothing stale. */
    vec_init(&rows, row_free);
    ck_assert_int_eq(store_load(st, "c", "pods", collect, &rows), STATUS_OK);
    ck_assert_uint_gt(rows.len, 0);
    ck_assert_uint_lt(rows.len, 200);
    for (size_t i = 0; i < rows.len; i++) {
        struct row *r = rows.items[i];

        ck_assert_msg(strncmp(r->name, "new-", 4) == 0, "stale row %s", r->name);
        lowest = MIN(lowest, atoi(r->name + 4));
    }
    ck_assert_int_eq(lowest + (int)rows.len, 200);
    vec_done(&rows);
    ck_assert_uint_eq(load_count(st, "other", "pods"), 1); /* untouched */
    store_close(st);
    env_done(&e);
}
END_TEST

START_TEST(test_read_bounded_while_locked)
{
    struct env e;
    struct store *st;
    sqlite3 *lock = NULL;
    size_t n = 0;
    double t0, waited;
    enum status rc;

    env_init(&e);
    st = open_ok(&e, NULL);
    store_put(st, "c", "pods", "ns", "a", "1", 1, T0);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_int_eq(sqlite3_open(e.cache, &lock), SQLITE_OK);
    sqlite3_busy_timeout(lock, 10000);
    ck_assert_int_eq(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    store_put(st, "c", "pods", "ns", "b", "1", 1, T0);
    t0 = now_ms();
    rc = store_load(st, "c", "pods", count_cb, &n);
    waited = now_ms() - t0;
    ck_assert_int_eq(rc, STATUS_TIMEOUT); /* not SQLITE_BUSY, not a hang */
    ck_assert_msg(waited >= 2900 && waited < 6000, "waited %.0f ms", waited);

    ck_assert_int_eq(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(lock);
    ck_assert_int_eq(store_flush(st), STATUS_OK);
    ck_assert_uint_eq(load_count(st, "c", "pods"), 2);
    store_close(st);
    env_done(&e);
}
END_TEST

/*
 * Two consoles
 */

static int
complain(const char *who, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", who, what, status_text());
    return 1;
}

/* One console's work: puts of its own cluster with loads of both, history. */
static int
console_work(const struct env *e, const char *mine, const char *theirs, int n)
{
    struct store *st = NULL;
    char blob[512], name[32], line[48];
    int bad = 0;

    if (store_open(e->cache, e->state, NULL, &st) != STATUS_OK)
        return 100 + complain(mine, "open");
    for (int round = 0; round < 10; round++) {
        size_t got = 0;

        for (int i = round * n / 10; i < (round + 1) * n / 10; i++) {
            fill_blob(blob, sizeof(blob), (unsigned)i);
            snprintf(name, sizeof(name), "pod-%05d", i);
            store_put(st, mine, "pods", "ns", name, blob, sizeof(blob), T0);
        }
        if (store_load(st, theirs, "pods", count_cb, &got) != STATUS_OK)
            bad += complain(mine, "load theirs");
        got = 0;
        if (store_load(st, mine, "pods", count_cb, &got) != STATUS_OK ||
            got != (size_t)((round + 1) * n / 10))
            bad += complain(mine, "load mine");
        snprintf(line, sizeof(line), "%s command %d", mine, round);
        if (store_history_add(st, ":", line) != STATUS_OK)
            bad += complain(mine, "history");
        if (store_set_setting(st, mine, line) != STATUS_OK)
            bad += complain(mine, "setting");
    }
    if (store_flush(st) != STATUS_OK)
        bad += complain(mine, "flush");
    for (const char *const *nt = store_notices(st); *nt; nt++)
        bad += complain(mine, *nt);
    store_close(st);
    return bad;
}

START_TEST(test_two_processes)
{
    struct env e;
    struct store *st;
    pid_t pid;
    int status = -1, bad;
    char **h;
    struct store_stats s;

    env_init(&e);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(console_work(&e, "child", "parent", 8000));
    bad = console_work(&e, "parent", "child", 8000);
    for (int i = 0; i < 6000; i++) { /* at most 60 s */
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        usleep(10000);
    }
    if (!WIFEXITED(status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ck_abort_msg("the second console did not finish");
    }
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(WEXITSTATUS(status), 0);

    st = open_ok(&e, NULL);
    ck_assert_uint_eq(load_count(st, "parent", "pods"), 8000);
    ck_assert_uint_eq(load_count(st, "child", "pods"), 8000);
    h = store_history(st, ":", 100);
    ck_assert_uint_eq(strv_len((const char *const *)h), 20);
    strv_free(h);
    store_stats(st, &s);
    ck_assert_uint_eq(notice_count(st), 0);
    store_close(st);
    ck_assert_uint_eq(aside_count(&e, "cache.db", "corrupt", NULL, 0), 0);
    ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", NULL, 0), 0);
    env_done(&e);
}
END_TEST

/* Several consoles started at the same moment on a directory without
 * files: all create, none sees the others' half-made file as damaged. */
START_TEST(test_concurrent_creation)
{
    enum { KIDS = 4, ROUNDS = 5 };

    for (int round = 0; round < ROUNDS; round++) {
        struct env e;
        int gate[2];
        pid_t kids[KIDS];
        struct store *st;

        env_init(&e);
        ck_assert_int_eq(pipe(gate), 0);
        for (int k = 0; k < KIDS; k++) {
            kids[k] = fork();
            ck_assert_int_ge(kids[k], 0);
            if (kids[k] == 0) {
                char c, name[16];
                struct store *mine = NULL;
                int bad = 0;

                close(gate[1]);
                if (read(gate[0], &c, 1) != 0) /* released by the close */
                    _exit(90);
                if (store_open(e.cache, e.state, NULL, &mine) != STATUS_OK)
                    _exit(100 + complain("kid", "open"));
                snprintf(name, sizeof(name), "kid-%d", k);
                store_put(mine, "c", "pods", "ns", name, "1", 1, T0);
                if (store_history_add(mine, ":", name) != STATUS_OK)
                    bad += complain(name, "history");
                if (store_flush(mine) != STATUS_OK)
                    bad += complain(name, "flush");
                for (const char *const *nt = store_notices(mine); *nt; nt++)
                    bad += complain(name, *nt);
                store_close(mine);
                _exit(bad);
            }
        }
        close(gate[0]);
        close(gate[1]); /* go */
        for (int k = 0; k < KIDS; k++) {
            int status = -1;

            for (int i = 0; i < 3000 && waitpid(kids[k], &status, WNOHANG) != kids[k]; i++)
                usleep(10000);
            if (!WIFEXITED(status)) {
                kill(kids[k], SIGKILL);
                waitpid(kids[k], &status, 0);
            }
            ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                          "round %d: console %d failed (%d)", round, k, status);
        }
        st = open_ok(&e, NULL);
        ck_assert_uint_eq(load_count(st, "c", "pods"), KIDS);
        ck_assert_uint_eq(notice_count(st), 0);
        store_close(st);
        ck_assert_uint_eq(aside_count(&e, "cache.db", "corrupt", NULL, 0), 0);
        ck_assert_uint_eq(aside_count(&e, "state.db", "damaged", NULL, 0), 0);
        env_done(&e);
    }
}
END_TEST

START_TEST(test_two_handles_one_process)
{
    struct env e;
    struct store *a, *b;
    char *v;

    env_init(&e);
    a = open_ok(&e, NULL);
    b = open_ok(&e, NULL);
    put_cluster(a, "k", 3000, T0);
    put_cluster(b, "k", 3000, T0 + 5); /* same keys, concurrently */
    ck_assert_int_eq(store_flush(a), STATUS_OK);
    ck_assert_int_eq(store_flush(b), STATUS_OK);
    ck_assert_uint_eq(load_count(a, "k", "pods"), 3000);
    ck_assert_uint_eq(load_count(b, "k", "pods"), 3000);
    ck_assert_int_eq(store_set_setting(a, "x", "1"), STATUS_OK);
    v = store_setting(b, "x");
    ck_assert_str_eq(v, "1");
    free(v);
    ck_assert_int_eq(store_history_add(b, ":", "from b"), STATUS_OK);
    store_close(a);
    store_close(b);
    env_done(&e);
}
END_TEST

static Suite *
store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_open_creates_private_files);
    tcase_add_test(tc, test_open_tightens_existing_modes);
    tcase_add_test(tc, test_symlinked_db_refused);
    tcase_add_test(tc, test_open_fails_without_directory);
    tcase_add_test(tc, test_cluster_key);
    tcase_add_test(tc, test_put_load_roundtrip);
    tcase_add_test(tc, test_put_overwrite_and_remove);
    tcase_add_test(tc, test_bad_writes_ignored_alone);
    tcase_add_test(tc, test_replace_sweeps);
    tcase_add_test(tc, test_replace_writes_only_changes);
    tcase_add_test(tc, test_replace_across_batches_rewrites);
    tcase_add_test(tc, test_cache_schema_2_migrated);
    tcase_add_test(tc, test_cluster_info);
    tcase_add_test(tc, test_batching_20000_puts);
    tcase_add_test(tc, test_batch_by_time_and_count);
    tcase_add_test(tc, test_close_commits_queued_writes);
    tcase_add_test(tc, test_cache_random_bytes);
    tcase_add_test(tc, test_cache_truncated);
    tcase_add_test(tc, test_cache_foreign_application);
    tcase_add_test(tc, test_cache_newer_schema);
    tcase_add_test(tc, test_cache_keeps_two_corrupt_copies);
    tcase_add_test(tc, test_cache_damage_found_by_load);
    tcase_add_test(tc, test_cache_damage_found_by_writer);
    tcase_add_test(tc, test_cache_daily_check_finds_damage);
    tcase_add_test(tc, test_cache_replaced_by_other_console);
    tcase_add_test(tc, test_state_damaged_kept_aside);
    tcase_add_test(tc, test_state_corrupt_pages_kept_aside);
    tcase_add_test(tc, test_state_damage_found_during_use);
    tcase_add_test(tc, test_state_replaced_by_other_console);
    tcase_add_test(tc, test_state_foreign_kept_aside);
    tcase_add_test(tc, test_state_newer_left_untouched);
    tcase_add_test(tc, test_history);
    tcase_add_test(tc, test_settings);
    tcase_add_test(tc, test_migration_machinery);
    tcase_add_test(tc, test_retention_by_age);
    tcase_add_test(tc, test_retention_by_size_clusters);
    tcase_add_test(tc, test_retention_by_size_rows);
    tcase_add_test(tc, test_cache_clear);
    tcase_add_test(tc, test_queue_overflow_clears_cluster);
    tcase_add_test(tc, test_read_bounded_while_locked);
    suite_add_tcase(s, tc);

    /* Apart, so CK_RUN_CASE=concurrency can repeat them. */
    tc = tcase_create("concurrency");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_two_processes);
    tcase_add_test(tc, test_concurrent_creation);
    tcase_add_test(tc, test_two_handles_one_process);
    tcase_add_test(tc, test_replace_across_handles);
    tcase_add_test(tc, test_group_commit_and_discard);
    tcase_add_test(tc, test_large_group_defers_checkpoint);
    tcase_add_test(tc, test_group_open_at_close_discarded);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(store_suite());
}
