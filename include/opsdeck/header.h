/* SPDX-License-Identifier: MIT */
/* header.h - what the header shows (data from the app) and how it fits the width */
#ifndef OPSDECK_HEADER_H
#define OPSDECK_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/strbuf.h"
#include "opsdeck/textview.h"

/*
 * The app fills a struct ui_header and hands it to ui_set_header() whenever
 * something in it changes (the console copies it and repaints only when it
 * differs). Line 1: platform, context (PROD when production), server
 * version, labels, the clock; line 2: one status per source. At narrow
 * widths items drop by priority: the context and its PROD mark, read-only
 * and paused stay longest; then simulated, the platform, the clock, the
 * version and the "opsdeck" name. No curses here.
 */
enum ui_severity { UI_OK, UI_WARNING, UI_ERROR };

struct ui_source {
    const char *name; /* "API" (later "Loki", "Prometheus") */
    const char *text; /* "live", "offline · data from 03:05 (7 min ago)",
                         "401 Unauthorized", "TLS error" */
    enum ui_severity severity;
};

struct ui_header {
    const char *platform;       /* "Deploy MCP"; NULL: none */
    const char *context;        /* the kubeconfig context; NULL: none */
    bool production;            /* marks the context PROD */
    const char *server_version; /* "v1.31.4+k3s1"; NULL: unknown */
    bool simulated;             /* the simulated platform (demo, tests) */
    bool readonly;              /* no mutating request is sent */
    const struct ui_source *sources;
    size_t nsources;
};

/* Deep copy and comparison (for ui_set_header). */
void header_copy(struct ui_header *dst, const struct ui_header *src);
void header_done(struct ui_header *h);
bool header_equal(const struct ui_header *a, const struct ui_header *b);

/* Lines the header takes: 1, or 2 when there are sources. */
size_t header_lines(const struct ui_header *h);

/*
 * Renders header line `line` (0 or 1) into out, exactly width columns, and
 * its pieces (as textview.h) into pieces[0, max); returns their number.
 * paused: some table is paused; clock: the time text ("03:12"), or NULL.
 */
size_t header_render(const struct ui_header *h, size_t line, size_t width, bool paused,
                     const char *clock, unsigned sanitize_flags, struct strbuf *out,
                     struct text_piece *pieces, size_t max);

#endif /* OPSDECK_HEADER_H */
