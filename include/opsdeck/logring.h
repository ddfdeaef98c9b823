/* SPDX-License-Identifier: MIT */
/* logring.h - the log lines the console holds: a ring bounded in bytes and lines */
#ifndef OPSDECK_LOGRING_H
#define OPSDECK_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

/*
 * The logs pane shows a window onto a timeline that is longer than memory:
 * new lines are appended at the bottom (follow mode), older pages fetched
 * when the operator scrolls back are prepended at the top, and whichever end
 * the operator is not at gives way when the ring is over its budget. There
 * is no fixed line cap: the budget is in bytes (default 64 MiB, counting each
 * line, its bookkeeping and the slot) and, optionally, in lines.
 *
 * Entries are addressed by a sequence number: appending gives end() and
 * prepending first() - 1, so numbers stay valid (and ordered) while the ring
 * grows and shrinks at either end; an evicted number simply stops resolving.
 * clear() empties the ring and bumps its generation, so anyone holding
 * numbers (a search index, a cursor) can tell they are stale.
 *
 * Streams (a Loki stream's label set, or one pod's log) are interned: each
 * distinct label string gets a small id and a colour index that stays the
 * same for the ring's life (derived from the labels, so the same stream
 * usually gets the same colour in the next session too).
 *
 * Each entry caches its line's format and level (logline.h), computed once
 * when it enters the ring.
 */
#define LOGRING_DEFAULT_BYTES ((size_t)64 << 20)
#define LOGRING_COLOURS       8 /* colour indexes 0 .. LOGRING_COLOURS - 1 */

struct logring;

struct logring_opts {
    size_t max_bytes; /* 0: LOGRING_DEFAULT_BYTES */
    size_t max_lines; /* 0: no line limit (only bytes) */
};

/* opts may be NULL (defaults). Never NULL. */
struct logring *logring_new(const struct logring_opts *opts);
/* NULL is a no-op. */
void logring_free(struct logring *r);

/* Drops every entry (streams stay interned, colours stay) and bumps the
 * generation. */
void logring_clear(struct logring *r);

/* Interns a stream by its labels (any text, e.g. `{app="api", pod="…"}`;
 * compared byte for byte) and returns its id. labels is copied. */
uint32_t logring_stream(struct logring *r, const char *labels);
/* The labels of a stream id; borrowed for the ring's life; "" when unknown. */
const char *logring_stream_labels(const struct logring *r, uint32_t stream);
/* The stream's colour index, 0 .. LOGRING_COLOURS - 1. */
unsigned logring_stream_colour(const struct logring *r, uint32_t stream);
size_t logring_stream_count(const struct logring *r);

/* Adds a line at the bottom (newest end) and returns its sequence number.
 * line[0, len) is copied (any bytes). Then, while the ring is over its
 * budget and holds more than this entry, drops from the top. */
int64_t logring_append(struct logring *r, int64_t ts_ns, uint32_t stream, const char *line,
                       size_t len);
/* Adds a line at the top (oldest end) and returns its sequence number; over
 * budget, drops from the bottom. Page back newest first: each call puts its
 * line above the previous one. */
int64_t logring_prepend(struct logring *r, int64_t ts_ns, uint32_t stream, const char *line,
                        size_t len);

struct logring_entry {
    int64_t seq;
    int64_t ts_ns;
    uint32_t stream;
    uint8_t format;   /* enum logline_format */
    uint8_t level;    /* enum logline_level */
    const char *line; /* borrowed until the entry is evicted or the ring cleared;
                         NUL-terminated after len bytes (may hold NULs) */
    size_t len;
};

/* Fills *e with the entry numbered seq; false when it is not (or no longer)
 * in the ring. */
bool logring_get(const struct logring *r, int64_t seq, struct logring_entry *e);

/* The first sequence number held and one past the last; equal when empty. */
int64_t logring_first(const struct logring *r);
int64_t logring_end(const struct logring *r);
size_t logring_len(const struct logring *r);
/* Bytes charged against the budget. */
size_t logring_bytes(const struct logring *r);
/* Changes on every clear(). */
uint64_t logring_generation(const struct logring *r);
/* How many entries were dropped at the top / the bottom since the last
 * clear(): the pane says when older lines have left memory (scrolling up
 * fetches them again) and when newer ones did. */
uint64_t logring_dropped_top(const struct logring *r);
uint64_t logring_dropped_bottom(const struct logring *r);

/*
 * Writes the entries numbered seqs[0, n) (ascending; NULL: every entry,
 * oldest first) to a new file at path (mode 0600; an existing file is
 * replaced only through a temporary and a rename, so a failed save leaves
 * it whole), one per line: the RFC 3339 UTC timestamp with nanoseconds, a
 * blank, the line's bytes as they came (a line's own newlines and NULs
 * included: this is the raw log). STATUS_IO with the path and the reason on
 * failure. *written (may be NULL) receives the lines written.
 */
enum status logring_save(const struct logring *r, const char *path, const int64_t *seqs,
                         size_t n, size_t *written);

#endif /* OPSDECK_LOGRING_H */
