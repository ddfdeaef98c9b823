/* SPDX-License-Identifier: MIT */
/* logsearch.h - search and filter the buffered log lines: memmem or PCRE2 JIT, incremental */
#ifndef OPSDECK_LOGSEARCH_H
#define OPSDECK_LOGSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct logring;

/*
 * A pattern is plain text (matched with memmem, or a case-folding scan) or
 * a regular expression (PCRE2, JIT-compiled; UTF-8 with invalid sequences
 * tolerated, so any bytes can be searched). LOGSEARCH_AUTO takes the text as
 * a regex when it holds a regex metacharacter (one of `\^$.|?*+()[]{}`) and
 * as plain text otherwise, so the common case stays on the fast path.
 * Case: smart by default (insensitive unless the pattern has an upper-case
 * letter), or forced either way.
 */
enum logsearch_kind {
    LOGSEARCH_AUTO,
    LOGSEARCH_PLAIN,
    LOGSEARCH_REGEX,
};

enum logsearch_case {
    LOGSEARCH_CASE_SMART,
    LOGSEARCH_CASE_SENSITIVE,
    LOGSEARCH_CASE_INSENSITIVE,
};

struct logsearch;

/* Compiles pattern (non-empty). On failure returns STATUS_INVALID and
 * status_text() says why ("search: offset 3: missing closing parenthesis"),
 * with *out NULL. The result is freed with logsearch_free. */
enum status logsearch_compile(const char *pattern, enum logsearch_kind kind,
                              enum logsearch_case cs, struct logsearch **out);
void logsearch_free(struct logsearch *s);

/* The pattern as given; borrowed. */
const char *logsearch_pattern(const struct logsearch *s);
/* True when it runs as a regex (after LOGSEARCH_AUTO decided). */
bool logsearch_is_regex(const struct logsearch *s);

/* Whether line[0, len) matches anywhere. Not thread-safe (one match buffer
 * per search). A regex that exceeds PCRE2's match limit does not match. */
bool logsearch_match(struct logsearch *s, const char *line, size_t len);

/* The first match at or after byte `from`: [*start, *end). A regex's empty
 * match is reported as is (start == end); callers stepping through matches
 * advance by one byte past an empty one. */
bool logsearch_find(struct logsearch *s, const char *line, size_t len, size_t from,
                    size_t *start, size_t *end);

/*
 * An index is the set of ring entries that match a search, kept up to date
 * incrementally: logsearch_index_update() checks only the entries that
 * entered the ring (at either end) since the last update and forgets those
 * that left it; after a ring clear it starts over. The filter view shows the
 * index; n/N step through it.
 */
struct logsearch_index;

/* s is borrowed and must outlive the index. Never NULL. */
struct logsearch_index *logsearch_index_new(struct logsearch *s);
void logsearch_index_free(struct logsearch_index *ix);

/* Brings the index up to date with r; returns how many entries it checked. */
size_t logsearch_index_update(struct logsearch_index *ix, const struct logring *r);

/* Matching entries, oldest first. */
size_t logsearch_index_len(const struct logsearch_index *ix);
int64_t logsearch_index_at(const struct logsearch_index *ix, size_t i);
/* The position of the first match with seq >= `seq` (len when none). */
size_t logsearch_index_lower_bound(const struct logsearch_index *ix, int64_t seq);

/* Next match strictly after (forward) or before (!forward) seq; false at the
 * end. */
bool logsearch_index_step(const struct logsearch_index *ix, int64_t seq, bool forward,
                          int64_t *out);

#endif /* OPSDECK_LOGSEARCH_H */
