/* SPDX-License-Identifier: MIT */
/* bench-logsearch.c - search and filter over 1,000,000 buffered log lines (target <= 300 ms) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "opsdeck/logring.h"
#include "opsdeck/logsearch.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"

/*
 * Fills a ring sized for them with `nlines` lines shaped like a platform's
 * runtime and build logs (JSON, logfmt and plain text; 90-200 bytes, over
 * 40 streams), then times, each the best of 5 runs:
 *   - plain search (memmem), case-sensitive, rare and frequent needles;
 *   - plain search, case-insensitive (smart case);
 *   - regex searches (PCRE2 JIT);
 *   - a full filter: a new index over the whole ring (what `filter` does);
 *   - the incremental update after 2,000 new lines (one second of follow).
 * Prints one line per measurement and exits 1 when a full pass is over the
 * limit (300 ms, or argv[2]). Usage: bench-logsearch [nlines] [limit-ms].
 */

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *const words[] = {
    "request", "served", "upstream", "cache", "connection", "pool", "query", "handler",
    "session", "token", "render", "checkout", "payment", "image", "resize", "worker",
};

static void
make_line(struct strbuf *sb, unsigned i, unsigned r)
{
    const char *w1 = words[r % 16], *w2 = words[(r >> 4) % 16];

    strbuf_reset(sb);
    switch (i % 3) {
    case 0:
        strbuf_printf(sb,
                      "{\"ts\":\"2026-11-24T03:%02u:%02u.%06uZ\",\"level\":\"%s\",\"msg\":\"%s %s\","
                      "\"path\":\"/api/v1/items/%u\",\"status\":%u,\"duration_ms\":%u}",
                      (i / 60) % 60, i % 60, r % 1000000, r % 97 == 0 ? "error" : "info", w1,
                      w2, r % 10000, r % 97 == 0 ? 503 : 200, r % 400);
        break;
    case 1:
        strbuf_printf(sb,
                      "ts=2026-11-24T03:%02u:%02uZ level=%s msg=\"%s %s done\" build_id=b-%u "
                      "sha=%08x step=%s",
                      (i / 60) % 60, i % 60, r % 89 == 0 ? "warn" : "info", w1, w2, r % 5000,
                      r, w2);
        break;
    default:
        strbuf_printf(sb, "10.42.%u.%u - - [24/Nov/2026:03:%02u:%02u +0000] \"GET /%s/%s HTTP/1.1\" "
                      "%u %u \"-\" \"Mozilla/5.0\"",
                      (r >> 8) % 256, r % 256, (i / 60) % 60, i % 60, w1, w2,
                      r % 101 == 0 ? 500 : 200, r % 30000);
        break;
    }
    if (i % 100000 == 77)
        strbuf_puts(sb, " Connection Reset by peer");
}

struct probe {
    const char *name;
    const char *pattern;
    enum logsearch_kind kind;
    enum logsearch_case cs;
};

static const struct probe probes[] = {
    {"plain, rare, case-sensitive", "Reset by peer", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART},
    {"plain, frequent, case-sensitive", "checkout", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SENSITIVE},
    {"plain, rare, case-insensitive", "reset by peer", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART},
    {"plain, frequent, case-insensitive", "checkout", LOGSEARCH_PLAIN,
     LOGSEARCH_CASE_INSENSITIVE},
    {"regex, alternation", "status\"?[:=](5\\d\\d|429)", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART},
    {"regex, anchored", "^ts=\\S+ level=warn", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART},
    {"regex, case-insensitive class", "reset\\s+by\\s+peer", LOGSEARCH_REGEX,
     LOGSEARCH_CASE_INSENSITIVE},
    {"regex, leading wildcard", "build_id=b-4\\d{3} .*step=cache", LOGSEARCH_REGEX,
     LOGSEARCH_CASE_SMART},
};

int
main(int argc, char **argv)
{
    unsigned nlines = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;
    double limit = argc > 2 ? strtod(argv[2], NULL) : 300.0;
    struct logring_opts o = {.max_bytes = (size_t)nlines * 320};
    struct logring *r = logring_new(&o);
    struct strbuf sb;
    uint32_t streams[40];
    unsigned rnd = 12345;
    double t0, worst = 0;
    size_t bytes = 0;
    struct rusage ru;
    int rc = 0;

    strbuf_init(&sb);
    for (unsigned s = 0; s < 40; s++) {
        strbuf_reset(&sb);
        strbuf_printf(&sb, "{namespace=\"dp-t%u-shop\", app=\"web\", pod=\"web-%u\"}", s % 13,
                      s);
        streams[s] = logring_stream(r, strbuf_str(&sb));
    }
    t0 = now_ms();
    for (unsigned i = 0; i < nlines; i++) {
        rnd = rnd * 1103515245u + 12345u;
        make_line(&sb, i, rnd >> 4);
        bytes += sb.len;
        logring_append(r, (int64_t)i * 1000000, streams[i % 40], sb.buf, sb.len);
    }
    printf("filled %zu lines (%.1f MB of text, %.1f MB charged) in %.0f ms\n", logring_len(r),
           (double)bytes / 1e6, (double)logring_bytes(r) / 1e6, now_ms() - t0);
    if (logring_len(r) != nlines) {
        fprintf(stderr, "ring dropped lines: %zu of %u\n", logring_len(r), nlines);
        return 1;
    }
    for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
        struct logsearch *s;
        double best = 1e18;
        size_t hits = 0;

        if (logsearch_compile(probes[p].pattern, probes[p].kind, probes[p].cs, &s) !=
            STATUS_OK) {
            fprintf(stderr, "%s: %s\n", probes[p].pattern, status_text());
            return 1;
        }
        for (int run = 0; run < 5; run++) {
            struct logsearch_index *ix = logsearch_index_new(s);
            double t = now_ms(), dt;

            logsearch_index_update(ix, r);
            dt = now_ms() - t;
            best = dt < best ? dt : best;
            hits = logsearch_index_len(ix);
            logsearch_index_free(ix);
        }
        printf("%-36s %-34s %8zu matches  %7.1f ms%s\n", probes[p].name, probes[p].pattern, hits,
               best, best > limit ? "  OVER" : "");
        worst = best > worst ? best : worst;
        logsearch_free(s);
    }
    /* one second of follow at 2,000 lines/s, checked incrementally */
    {
        struct logsearch *s;
        struct logsearch_index *ix;
        double t;
        size_t checked;

        logsearch_compile("status\"?[:=](5\\d\\d|429)", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART,
                          &s);
        ix = logsearch_index_new(s);
        logsearch_index_update(ix, r);
        for (unsigned i = nlines; i < nlines + 2000; i++) {
            rnd = rnd * 1103515245u + 12345u;
            make_line(&sb, i, rnd >> 4);
            logring_append(r, (int64_t)i * 1000000, streams[i % 40], sb.buf, sb.len);
        }
        t = now_ms();
        checked = logsearch_index_update(ix, r);
        printf("incremental: %zu new lines checked in %.3f ms\n", checked, now_ms() - t);
        logsearch_index_free(ix);
        logsearch_free(s);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("slowest full pass %.1f ms (limit %.0f ms); peak RSS %ld MB\n", worst, limit,
           ru.ru_maxrss / 1024);
    if (worst > limit)
        rc = 1;
    strbuf_done(&sb);
    logring_free(r);
    return rc;
}
