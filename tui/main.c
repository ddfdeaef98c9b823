/* SPDX-License-Identifier: MIT */
/* main.c - entry point: options, then the console or a one-shot command */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/cli.h"
#include "opsdeck/clock.h"
#include "opsdeck/macros.h"
#include "opsdeck/prom.h"
#include "opsdeck/setup.h"
#include "opsdeck/status.h"

static const char usage_text[] =
    "usage: opsdeck [OPTIONS]                       open the console\n"
    "       opsdeck [OPTIONS] get nodes|pods|tenants [-n NS | -A] [-o table|json] [--cached]\n"
    "       opsdeck [OPTIONS] get builds [--since D] [-o table|json]\n"
    "       opsdeck [OPTIONS] logs QUERY [--since D | --from T --to T] [--limit N] [-f]\n"
    "                                 [-o raw|jsonl]\n"
    "       opsdeck [OPTIONS] query PROMQL [--time T] [-o table|json]\n"
    "       opsdeck [OPTIONS] info                  print every resolved path and setting\n"
    "       opsdeck [OPTIONS] cache clear           empty cache.db\n"
    "\n"
    "Options:\n"
    "  --platform FILE        platform definition (default $XDG_CONFIG_HOME/opsdeck/platform.yml)\n"
    "  --kubeconfig FILE      use this kubeconfig only (overrides the platform's)\n"
    "  --context NAME         kubeconfig context (overrides the platform's)\n"
    "  --request-timeout SEC  total time limit of ordinary API requests (default 30)\n"
    "  --max-response MB      size cap of one API response (default 256)\n"
    "  --max-event MB         size cap of one watch event (default 16)\n"
    "  --loki URL             Loki at URL (overrides the platform's loki)\n"
    "  --prometheus URL       Prometheus at URL (overrides the platform's prometheus)\n"
    "  --log FILE             write a debug log to FILE (never to the screen)\n"
    "  -h, --help             show this help\n"
    "  -V, --version          print the version\n"
    "\n"
    "Console options:\n"
    "  --no-color             monochrome theme (also when NO_COLOR is set)\n"
    "  --theme NAME|FILE      theme from $XDG_CONFIG_HOME/opsdeck/themes/NAME.theme or FILE\n"
    "  --utc                  show times in UTC instead of local time\n"
    "  --refresh SEC          re-evaluation period of ages and time windows (default 2)\n"
    "  --iterations N         run N loop passes, then exit (smoke tests)\n"
    "\n"
    "get options:\n"
    "  -n, --namespace NS     pods of namespace NS (default: the context's namespace)\n"
    "  -A, --all-namespaces   pods of every namespace\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  --cached               print the cached data (each object carries fetched_at)\n"
    "  --since D              get builds: those of the last D (default 24h; 90s, 30m, 2d)\n"
    "\n"
    "logs options:\n"
    "  --since D              lines of the last D (default 1h; 30s, 5m, 2h, 1d)\n"
    "  --from T, --to T       lines from T to T (RFC 3339 or Unix nanoseconds; --to: now)\n"
    "  --limit N              at most the newest N lines (default 1000)\n"
    "  -f, --follow           then print new lines as they come, until Ctrl-C\n"
    "  -o, --output FORMAT    raw (default: the lines) or jsonl ({\"ts\",\"labels\",\"line\"})\n"
    "\n"
    "query options:\n"
    "  --time T               evaluate at T (RFC 3339 or Unix seconds; default: now)\n"
    "  -o, --output FORMAT    table (default) or json (Prometheus's data object as returned)\n"
    "\n"
    "See opsdeck(1) and README.md.\n";

enum {
    OPT_PLATFORM = 256,
    OPT_KUBECONFIG,
    OPT_CONTEXT,
    OPT_REQUEST_TIMEOUT,
    OPT_MAX_RESPONSE,
    OPT_MAX_EVENT,
    OPT_LOKI,
    OPT_PROMETHEUS,
    OPT_LOG,
    OPT_NO_COLOR,
    OPT_THEME,
    OPT_UTC,
    OPT_REFRESH,
    OPT_ITERATIONS,
    OPT_CACHED,
    OPT_SINCE,
    OPT_FROM,
    OPT_TO,
    OPT_LIMIT,
    OPT_TIME,
};

static const struct option long_options[] = {
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
    { "context", required_argument, NULL, OPT_CONTEXT },
    { "request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT },
    { "max-response", required_argument, NULL, OPT_MAX_RESPONSE },
    { "max-event", required_argument, NULL, OPT_MAX_EVENT },
    { "loki", required_argument, NULL, OPT_LOKI },
    { "prometheus", required_argument, NULL, OPT_PROMETHEUS },
    { "log", required_argument, NULL, OPT_LOG },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "theme", required_argument, NULL, OPT_THEME },
    { "utc", no_argument, NULL, OPT_UTC },
    { "refresh", required_argument, NULL, OPT_REFRESH },
    { "iterations", required_argument, NULL, OPT_ITERATIONS },
    { "namespace", required_argument, NULL, 'n' },
    { "all-namespaces", no_argument, NULL, 'A' },
    { "output", required_argument, NULL, 'o' },
    { "cached", no_argument, NULL, OPT_CACHED },
    { "since", required_argument, NULL, OPT_SINCE },
    { "from", required_argument, NULL, OPT_FROM },
    { "to", required_argument, NULL, OPT_TO },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "follow", no_argument, NULL, 'f' },
    { "time", required_argument, NULL, OPT_TIME },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, ...) ATTR_FORMAT(1, 2);

/* Prints "opsdeck: <message>" and the hint; returns the usage exit status. */
static int
usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("opsdeck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'opsdeck --help'.\n", stderr);
    return 2;
}

/* Parses a positive integer option; false on anything else. */
static bool
parse_count(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (end == s || *end || v <= 0 || v > max)
        return false;
    *out = v;
    return true;
}

/* An RFC 1123 label, what a namespace name must be: -n goes into a URL
 * path, and an empty one would list every namespace. */
static bool
namespace_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (!alnum && !(c == '-' && i > 0 && i < n - 1))
            return false;
    }
    return true;
}

/* --time: RFC 3339 or Unix seconds (fractions kept to the millisecond). */
static bool
parse_query_time(const char *s, int64_t *out_ms)
{
    int64_t ns;

    if (time_parse_rfc3339(s, &ns)) {
        *out_ms = ns / 1000000;
        return *out_ms > 0;
    }
    return prom_parse_ts(s, strlen(s), out_ms) && *out_ms > 0;
}

int
main(int argc, char **argv)
{
    struct setup_opts sopts = { 0 };
    struct console_opts copts = { 0 };
    struct cli_get_opts gopts = { 0 };
    struct cli_logs_opts lopts = { .since_s = 3600, .limit = 1000 };
    const char *output = NULL, *since = NULL, *from = NULL, *to = NULL, *limit = NULL;
    bool follow = false;
    struct cli_query_opts qopts = { 0 };
    const char *time_arg = NULL;
    bool ns_given = false, output_given = false, cached_given = false, builds_cmd;
    struct setup setup;
    const char *cmd = NULL;
    long v;
    int c, rc;

    /* Widths of what is shown depend on the locale (UTF-8 or ASCII output). */
    setlocale(LC_ALL, "");
    while ((c = getopt_long(argc, argv, "hVn:Ao:f", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_PLATFORM: sopts.platform = optarg; break;
        case OPT_KUBECONFIG: sopts.kubeconfig = optarg; break;
        case OPT_CONTEXT: sopts.context = optarg; break;
        case OPT_LOG: sopts.log_file = optarg; break;
        case OPT_LOKI: sopts.loki_url = optarg; break;
        case OPT_PROMETHEUS: sopts.prometheus_url = optarg; break;
        case OPT_REQUEST_TIMEOUT:
            if (!parse_count(optarg, 3600, &sopts.request_timeout_s))
                return usage_error("--request-timeout: not a number of seconds (1-3600): %s",
                                   optarg);
            break;
        case OPT_MAX_RESPONSE:
            if (!parse_count(optarg, 4096, &sopts.max_response_mb))
                return usage_error("--max-response: not a size in MB (1-4096): %s", optarg);
            break;
        case OPT_MAX_EVENT:
            if (!parse_count(optarg, 1024, &sopts.max_event_mb))
                return usage_error("--max-event: not a size in MB (1-1024): %s", optarg);
            break;
        case OPT_NO_COLOR: copts.no_color = true; break;
        case OPT_THEME: copts.theme = optarg; break;
        case OPT_UTC: copts.utc = true; break;
        case OPT_REFRESH:
            if (!parse_count(optarg, 3600, &v))
                return usage_error("--refresh: not a number of seconds (1-3600): %s", optarg);
            copts.refresh_s = (int)v;
            break;
        case OPT_ITERATIONS:
            if (!parse_count(optarg, 1000000000L, &copts.iterations))
                return usage_error("--iterations: not a positive number: %s", optarg);
            break;
        case 'n': gopts.ns = optarg; ns_given = true; break;
        case 'A': gopts.all_namespaces = true; ns_given = true; break;
        case 'o': output = optarg; output_given = true; break;
        case OPT_SINCE: since = optarg; break;
        case OPT_FROM: from = optarg; break;
        case OPT_TO: to = optarg; break;
        case OPT_LIMIT: limit = optarg; break;
        case 'f': follow = true; break;
        case OPT_CACHED: gopts.cached = true; cached_given = true; break;
        case OPT_TIME: time_arg = optarg; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case 'V': printf("opsdeck %s\n", PACKAGE_VERSION); return 0;
        default: fputs("Try 'opsdeck --help'.\n", stderr); return 2;
        }
    }
    if (optind < argc)
        cmd = argv[optind++];

    /* `get builds --since D` is the other user of --since. */
    builds_cmd = cmd && strcmp(cmd, "get") == 0 && optind < argc &&
                 (strcmp(argv[optind], "builds") == 0 || strcmp(argv[optind], "build") == 0);
    if ((from || to || limit || follow || (since && !builds_cmd)) &&
        !(cmd && strcmp(cmd, "logs") == 0))
        return usage_error("%s", "--since, --from, --to, --limit and -f belong to 'logs'");
    if (output && !(cmd && strcmp(cmd, "logs") == 0)) {
        if (strcmp(output, "json") == 0)
            gopts.json = true;
        else if (strcmp(output, "table") != 0)
            return usage_error("-o: unknown output format '%s' (table or json)", output);
    }
    if (cmd && strcmp(cmd, "logs") == 0) {
        lopts.query = optind < argc ? argv[optind++] : NULL;
        if (!lopts.query || !*lopts.query)
            return usage_error("logs: which lines? (a LogQL query such as %s)",
                               "'{namespace=\"dp-max-catapp\"}'");
        if (ns_given || cached_given)
            return usage_error("%s", "logs: -n, -A and --cached belong to 'get'");
        if (output && strcmp(output, "jsonl") == 0)
            lopts.jsonl = true;
        else if (output && strcmp(output, "raw") != 0)
            return usage_error("-o: unknown output format '%s' (raw or jsonl)", output);
        if (since && (from || to))
            return usage_error("%s", "logs: --since excludes --from/--to");
        if (to && !from)
            return usage_error("%s", "logs: --to needs --from");
        if (since && (!time_parse_duration(since, &lopts.since_s) || lopts.since_s <= 0))
            return usage_error("--since: not a duration (30s, 5m, 2h, 1d): %s", since);
        if (from && !cli_parse_time(from, &lopts.from_ns))
            return usage_error("--from: not a time (RFC 3339 or Unix nanoseconds): %s", from);
        if (to && !cli_parse_time(to, &lopts.to_ns))
            return usage_error("--to: not a time (RFC 3339 or Unix nanoseconds): %s", to);
        if (from && to && lopts.to_ns <= lopts.from_ns)
            return usage_error("%s", "logs: --to must be after --from");
        if (limit && !parse_count(limit, 1000000000L, &lopts.limit))
            return usage_error("--limit: not a positive number: %s", limit);
        lopts.follow = follow;
    } else if (cmd && strcmp(cmd, "get") == 0) {
        const char *what = optind < argc ? argv[optind++] : NULL;

        if (!what)
            return usage_error("get: what? (%s)", "nodes, pods, tenants or builds");
        if (strcmp(what, "nodes") == 0 || strcmp(what, "node") == 0 || strcmp(what, "no") == 0)
            gopts.what = CLI_GET_NODES;
        else if (strcmp(what, "pods") == 0 || strcmp(what, "pod") == 0 || strcmp(what, "po") == 0)
            gopts.what = CLI_GET_PODS;
        else if (strcmp(what, "tenants") == 0 || strcmp(what, "tenant") == 0)
            gopts.what = CLI_GET_TENANTS;
        else if (builds_cmd)
            gopts.what = CLI_GET_BUILDS;
        else
            return usage_error("get: unknown resource '%s' (nodes, pods, tenants or builds)",
                               what);
        if (builds_cmd && cached_given)
            return usage_error("get %s: --cached applies to nodes, pods and tenants", what);
        if (since && (!time_parse_duration(since, &gopts.since_s) || gopts.since_s <= 0))
            return usage_error("--since: not a duration (90s, 30m, 6h, 2d): %s", since);
        if (gopts.ns && gopts.all_namespaces)
            return usage_error("get: %s", "-n and -A exclude each other");
        if (ns_given && gopts.what != CLI_GET_PODS)
            return usage_error("get %s: -n/-A apply to pods only", what);
        if (gopts.ns && !namespace_name_ok(gopts.ns))
            return usage_error("-n: '%s' is not a namespace name (lowercase letters, digits and "
                               "'-', at most 63)",
                               gopts.ns);
    } else if (cmd && strcmp(cmd, "query") == 0) {
        qopts.expr = optind < argc ? argv[optind++] : NULL;
        if (!qopts.expr || !*qopts.expr)
            return usage_error("query: %s", "which PromQL expression?");
        if (ns_given || cached_given)
            return usage_error("%s", "-n, -A and --cached belong to 'get'");
        if (time_arg && !parse_query_time(time_arg, &qopts.time_ms))
            return usage_error("--time: not RFC 3339 or Unix seconds: %s", time_arg);
        qopts.json = gopts.json;
    } else if (ns_given || output_given || cached_given) {
        return usage_error("%s", "-n, -A, -o and --cached belong to 'get'");
    } else if (cmd && strcmp(cmd, "cache") == 0) {
        if (optind >= argc)
            return usage_error("cache: what? (%s)", "clear");
        if (strcmp(argv[optind], "clear") != 0)
            return usage_error("cache: unknown action '%s' (clear)", argv[optind]);
        optind++;
    } else if (cmd && strcmp(cmd, "info") != 0) {
        return usage_error("unknown command '%s' (get, logs, query, info, cache)", cmd);
    }
    if (time_arg && strcmp(cmd ? cmd : "", "query") != 0)
        return usage_error("%s", "--time belongs to 'query'");
    /* Every usage error is found before any file is read: a broken platform
     * file must not turn a typo on the command line into exit status 1. */
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);

    if (setup_load(&sopts, &setup) != STATUS_OK) {
        fprintf(stderr, "opsdeck: %s\n", status_text());
        setup_done(&setup);
        return 1;
    }
    if (!cmd) {
        rc = console_run(&setup, &copts);
    } else if (strcmp(cmd, "get") == 0) {
        rc = cli_get(&setup, &gopts);
    } else if (strcmp(cmd, "logs") == 0) {
        rc = cli_logs(&setup, &lopts);
    } else if (strcmp(cmd, "query") == 0) {
        rc = cli_query(&setup, &qopts);
    } else if (strcmp(cmd, "info") == 0) {
        rc = cli_info(&setup);
    } else {
        rc = cli_cache_clear(&setup);
    }
    setup_done(&setup);
    return rc;
}
