/* SPDX-License-Identifier: MIT */
/* logview.h - the logs pane's model: a window onto a log ring, search, filter, readable lines */
#ifndef OPSDECK_LOGVIEW_H
#define OPSDECK_LOGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct logring;
struct logsearch;
struct textview;

/*
 * What the logs pane shows of its ring (logring.h): `height` lines from a
 * top line, or the newest lines while following. No curses: logview_render
 * fills a text widget (textview.h) with exactly the lines on screen, so a
 * ring of a million lines costs the screen nothing.
 *
 * Each line is drawn as
 *     [11-24 03:11:58.123 ]▌pod-name  LEVEL  text
 * the timestamp (UTC) when timestamps are on, a marker and the stream's
 * short name in the stream's colour, the level when the line has one, and
 * the text: JSON and logfmt lines readable (message first, then key=value
 * with the keys highlighted), or raw. At most LOGVIEW_LINE_MAX bytes of a
 * line are drawn (a 1 MB line costs no more than that), with its size said
 * at the cut. Search matches are painted as text-match; the current match's
 * line is the one n/N moved to. Text is sanitised (sanitize.h) before it
 * reaches the widget.
 *
 * Filter: only the lines matching the filter are shown (and scrolled);
 * search and filter are checked incrementally as lines arrive.
 */
#define LOGVIEW_LINE_MAX 4096

struct logview;

/* ring is borrowed and must outlive the view. Never NULL. Follows by
 * default; timestamps on, readable on. */
struct logview *logview_new(struct logring *ring);
void logview_free(struct logview *lv);

/* Lines the body shows (the widget's height). */
void logview_set_height(struct logview *lv, size_t rows);
void logview_set_timestamps(struct logview *lv, bool on);
bool logview_timestamps(const struct logview *lv);
/* Readable JSON/logfmt (true) or the raw line. */
void logview_set_readable(struct logview *lv, bool on);
bool logview_readable(const struct logview *lv);
/* Following keeps the newest lines on screen as they arrive; any scroll
 * up stops it, jumping to the end (logview_last) starts it again. */
void logview_set_follow(struct logview *lv, bool on);
bool logview_follow(const struct logview *lv);
/* Sanitising flags for the widget (SANITIZE_ASCII outside UTF-8). */
void logview_set_sanitize_flags(struct logview *lv, unsigned flags);

/* Takes s (NULL clears the search). Moves to the first match at or after
 * the top line (else the last one before it); false when none matches. */
bool logview_set_search(struct logview *lv, struct logsearch *s);
/* The next (forward) or previous match; false (and no move) when none. */
bool logview_search_step(struct logview *lv, bool forward);
/* The current match (a ring sequence number), or INT64_MIN when none. */
int64_t logview_match(const struct logview *lv);
size_t logview_search_count(const struct logview *lv);
const char *logview_search_pattern(const struct logview *lv); /* NULL: none */

/* Takes s (NULL clears the filter): only matching lines are shown. */
void logview_set_filter(struct logview *lv, struct logsearch *s);
const char *logview_filter_pattern(const struct logview *lv); /* NULL: none */
/* Lines shown (the filter's matches, or the whole ring), and the ring
 * sequence number of the i-th of them (i < logview_count). */
size_t logview_count(const struct logview *lv);
int64_t logview_shown_at(const struct logview *lv, size_t i);

/* After the ring changed (lines appended, prepended, evicted, cleared):
 * updates search and filter with the new lines only, keeps the top line
 * where it was (or on the newest lines while following). */
void logview_update(struct logview *lv);

/* Scrolling by lines (negative: up), pages, to the ends. */
void logview_scroll(struct logview *lv, long lines);
void logview_scroll_page(struct logview *lv, int pages);
void logview_first(struct logview *lv);
void logview_last(struct logview *lv);
/* True when the top of the screen is the oldest line held: scrolling up
 * further wants an older page (the pane asks Loki for it). */
bool logview_at_top(const struct logview *lv);
/* The ring sequence number of the top line shown (logring_end when empty). */
int64_t logview_top(const struct logview *lv);
/* 1-based position of the top line among the lines shown (0 when empty). */
size_t logview_position(const struct logview *lv);

/* Replaces the widget's lines with the lines on screen. */
void logview_render(struct logview *lv, struct textview *tv);

/* One line as the pane shows it (readable or raw, as set), without
 * colours, sanitised, at most LOGVIEW_LINE_MAX bytes of text: appended to
 * out. For saving and tests. */
struct strbuf;
void logview_format_line(struct logview *lv, int64_t seq, struct strbuf *out);

#endif /* OPSDECK_LOGVIEW_H */
