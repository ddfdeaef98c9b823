/* SPDX-License-Identifier: MIT */
/* cli.h - one-shot commands: get, query, info, cache clear */
#ifndef OPSDECK_CLI_H
#define OPSDECK_CLI_H

#include <stdbool.h>
#include <stdint.h>

struct setup;

enum cli_get_what { CLI_GET_NODES, CLI_GET_PODS, CLI_GET_TENANTS, CLI_GET_BUILDS };

struct cli_get_opts {
    enum cli_get_what what;
    const char *ns;             /* -n NS; NULL: the context's namespace (pods) */
    bool all_namespaces;        /* -A */
    bool json;                  /* -o json (else a table) */
    bool cached;                /* --cached: from cache.db, each object with fetched_at */
    int64_t since_s;            /* builds: --since D in seconds; 0: the last 24 h */
};

struct cli_query_opts {
    const char *expr;           /* the PromQL expression */
    int64_t time_ms;            /* --time; 0: now (OPSDECK_CLOCK when injected, else
                                   Prometheus's own) */
    bool json;                  /* -o json: Prometheus's data object as returned */
};

/*
 * The commands print to stdout and their errors to stderr, and return the
 * exit status: 0 on success, 1 when the data could not be had (API
 * unreachable without --cached, nothing cached with --cached), 2 on usage
 * errors. The same models as the console's panes produce the output.
 * `get builds` reads Loki (the platform's loki or --loki), not the API
 * server (except through it when Loki is a service endpoint); exit 1 when
 * Loki is not configured or fails.
 */
int cli_get(struct setup *s, const struct cli_get_opts *opts);
/* An instant query. Table: one line per series, its labels as a selector
 * (`up{instance="…",job="node"}`) and its value as Prometheus wrote it; a
 * matrix shows each series' last value and its number of samples. Errors
 * (errorType and message, HTTP, transport) exit 1. */
int cli_query(struct setup *s, const struct cli_query_opts *opts);
int cli_info(const struct setup *s);
int cli_cache_clear(struct setup *s);

/* `opsdeck logs QUERY` (tui/cli_logs.c). Output oldest first; over limit
 * matches the newest are kept; -f then follows until Ctrl-C or the reader
 * goes away. Exit 1 when Loki is not configured, unreachable or answers an
 * error (its message on stderr). */
struct cli_logs_opts {
    const char *query;
    int64_t since_s;            /* --since (default 3600), when from_ns is 0 */
    int64_t from_ns;            /* --from, or 0 */
    int64_t to_ns;              /* --to, or 0: now */
    long limit;                 /* --limit (default 1000) */
    bool follow;                /* -f */
    bool jsonl;                 /* -o jsonl (else raw) */
    int interval_ms;            /* follow's poll period; 0: 1000 */
};
int cli_logs(struct setup *s, const struct cli_logs_opts *opts);
/* --from/--to: RFC 3339, or Unix nanoseconds (digits only). */
bool cli_parse_time(const char *s, int64_t *out_ns);

#endif /* OPSDECK_CLI_H */
