/* SPDX-License-Identifier: MIT */
/* cli.h - one-shot commands: get, info, cache clear */
#ifndef OPSDECK_CLI_H
#define OPSDECK_CLI_H

#include <stdbool.h>

struct setup;

enum cli_get_what { CLI_GET_NODES, CLI_GET_PODS, CLI_GET_TENANTS };

struct cli_get_opts {
    enum cli_get_what what;
    const char *ns;             /* -n NS; NULL: the context's namespace (pods) */
    bool all_namespaces;        /* -A */
    bool json;                  /* -o json (else a table) */
    bool cached;                /* --cached: from cache.db, each object with fetched_at */
};

/*
 * The commands print to stdout and their errors to stderr, and return the
 * exit status: 0 on success, 1 when the data could not be had (API
 * unreachable without --cached, nothing cached with --cached), 2 on usage
 * errors. The same models as the console's panes produce the output.
 */
int cli_get(struct setup *s, const struct cli_get_opts *opts);
int cli_info(const struct setup *s);
int cli_cache_clear(struct setup *s);

#endif /* OPSDECK_CLI_H */
