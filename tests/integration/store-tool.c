/* SPDX-License-Identifier: MIT */
/* store-tool.c - drives the store from the command line, for the integration tests and figures */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/log.h"
#include "opsdeck/status.h"
#include "opsdeck/store.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

static void
usage(void)
{
    fputs("usage: store-tool DIR COMMAND [ARGS]\n"
          "  DIR holds cache.db and state.db. Commands:\n"
          "  put CLUSTER N [SIZE]       queue N pods of SIZE bytes (1024), flush\n"
          "  count CLUSTER KIND         print how many objects are cached\n"
          "  hammer MINE THEIRS N       act like a console: 10 rounds of N/10 puts, a\n"
          "                             load of both clusters, a history line and a\n"
          "                             setting; exit 1 on any failure\n"
          "  history-add PROMPT LINE    add a history line\n"
          "  history PROMPT             print the history, newest first\n"
          "  clear                      opsdeck cache clear\n"
          "  notices                    print the notices of opening\n"
          "  bench N SIZE               time N puts and the load of them\n",
          stderr);
    exit(2);
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
count_cb(void *arg, const char *ns, const char *name, const void *blob, size_t len,
         int64_t fetched_at)
{
    (*(size_t *)arg)++;
}

static void
put_many(struct store *st, const char *cluster, long from, long to, size_t size)
{
    char *blob = xmalloc(size ? size : 1);
    char name[32], ns[32];

    for (long i = from; i < to; i++) {
        memset(blob, (int)('a' + i % 26), size);
        snprintf(name, sizeof(name), "pod-%06ld", i);
        snprintf(ns, sizeof(ns), "dp-t%ld-p", i % 50);
        store_put(st, cluster, "pods", ns, name, blob, size, (int64_t)time(NULL));
    }
    free(blob);
}

static int
fail(const char *what)
{
    fprintf(stderr, "store-tool: %s: %s\n", what, status_text());
    return 1;
}

static int
hammer(struct store *st, const char *mine, const char *theirs, long n)
{
    char line[64];
    int bad = 0;

    for (long round = 0; round < 10; round++) {
        size_t got = 0;

        put_many(st, mine, round * n / 10, (round + 1) * n / 10, 512);
        if (store_load(st, theirs, "pods", count_cb, &got) != STATUS_OK)
            bad += fail("load theirs");
        got = 0;
        if (store_load(st, mine, "pods", count_cb, &got) != STATUS_OK)
            bad += fail("load mine");
        else if (got != (size_t)((round + 1) * n / 10))
            bad += fail("load mine: wrong count");
        snprintf(line, sizeof(line), ":pods -n %s-%ld", mine, round);
        if (store_history_add(st, ":", line) != STATUS_OK)
            bad += fail("history");
        if (store_set_setting(st, mine, line) != STATUS_OK)
            bad += fail("setting");
    }
    if (store_flush(st) != STATUS_OK)
        bad += fail("flush");
    return bad ? 1 : 0;
}

static int
bench(struct store *st, long n, size_t size)
{
    struct store_stats s0, s1;
    double t0, t_queue, t_commit, t_load;
    size_t got = 0;

    store_flush(st);
    store_stats(st, &s0);
    t0 = now_ms();
    put_many(st, "bench", 0, n, size);
    t_queue = now_ms() - t0;
    if (store_flush(st) != STATUS_OK)
        return fail("flush");
    t_commit = now_ms() - t0;
    store_stats(st, &s1);
    t0 = now_ms();
    if (store_load(st, "bench", "pods", count_cb, &got) != STATUS_OK)
        return fail("load");
    t_load = now_ms() - t0;
    printf("puts %ld size %zu queue_ms %.1f commit_ms %.1f puts_per_s %.0f transactions %llu "
           "batches %llu load_rows %zu load_ms %.1f cache_bytes %lld\n",
           n, size, t_queue, t_commit, (double)n / (t_commit / 1e3),
           (unsigned long long)(s1.transactions - s0.transactions),
           (unsigned long long)(s1.batches - s0.batches), got, t_load,
           (long long)store_cache_size(st));
    return got == (size_t)n ? 0 : 1;
}

int
main(int argc, char **argv)
{
    struct store *st = NULL;
    char *cache, *state;
    const char *cmd;
    int rc = 0;

    if (argc < 3)
        usage();
    if (getenv("STORE_TOOL_LOG"))
        log_open(getenv("STORE_TOOL_LOG"));
    cache = xasprintf("%s/cache.db", argv[1]);
    state = xasprintf("%s/state.db", argv[1]);
    cmd = argv[2];
    if (store_open(cache, state, NULL, &st) != STATUS_OK) {
        fprintf(stderr, "store-tool: %s\n", status_text());
        free(cache);
        free(state);
        return 1;
    }
    if (!strcmp(cmd, "put") && (argc == 5 || argc == 6)) {
        long n = atol(argv[4]);

        put_many(st, argv[3], 0, n, argc == 6 ? (size_t)atol(argv[5]) : 1024);
        rc = store_flush(st) == STATUS_OK ? 0 : fail("flush");
    } else if (!strcmp(cmd, "count") && argc == 5) {
        size_t n = 0;

        if (store_load(st, argv[3], argv[4], count_cb, &n) == STATUS_OK)
            printf("%zu\n", n);
        else
            rc = fail("load");
    } else if (!strcmp(cmd, "hammer") && argc == 6) {
        rc = hammer(st, argv[3], argv[4], atol(argv[5]));
    } else if (!strcmp(cmd, "history-add") && argc == 5) {
        rc = store_history_add(st, argv[3], argv[4]) == STATUS_OK ? 0 : fail("history");
    } else if (!strcmp(cmd, "history") && argc == 4) {
        char **h = store_history(st, argv[3], 1000);

        for (char **l = h; *l; l++)
            puts(*l);
        strv_free(h);
    } else if (!strcmp(cmd, "clear") && argc == 3) {
        rc = store_cache_clear(st) == STATUS_OK ? 0 : fail("clear");
    } else if (!strcmp(cmd, "notices") && argc == 3) {
        for (const char *const *n = store_notices(st); *n; n++)
            puts(*n);
    } else if (!strcmp(cmd, "bench") && argc == 5) {
        rc = bench(st, atol(argv[3]), (size_t)atol(argv[4]));
    } else {
        store_close(st);
        usage();
    }
    for (const char *const *n = store_notices(st); *n && strcmp(cmd, "notices"); n++)
        fprintf(stderr, "store-tool: notice: %s\n", *n);
    store_close(st);
    free(cache);
    free(state);
    return rc;
}
