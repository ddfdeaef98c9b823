/* SPDX-License-Identifier: MIT */
/* table.h - the table widget's model: keyed rows, sort, filter, selection, virtual scrolling */
#ifndef OPSDECK_TABLE_H
#define OPSDECK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/strbuf.h"
#include "opsdeck/theme.h"

struct filter;
struct kv_list;

/*
 * A table view is column definitions plus row updates. The view declares
 * its columns once (static const, designated initializers) and then, for
 * every object the backend hands it, calls table_upsert() (added or
 * changed) or table_remove() (deleted), one row at a time. Everything else
 * (sorting, the `/` filter, the problems-only toggle, pause, selection,
 * scrolling, column widths and dropping, ages) happens here.
 *
 * Costs, with n rows: a single upsert or remove is O(log n) comparisons plus
 * one memmove of the pointer arrays, and tests the filter on that row only;
 * drawing touches only the rows on screen. A relist or a cache load goes
 * through table_replace_begin()/end(): the old rows stay on screen until the
 * new set is complete, then one sort. Changing the sort or the filter is one
 * pass over the rows.
 *
 * This file has no curses in it; tui/view.c draws a table from
 * table_header_line()/table_line() and the dirty range.
 */

enum table_align { TABLE_ALIGN_LEFT, TABLE_ALIGN_RIGHT };

enum table_sort {
    TABLE_SORT_TEXT,    /* the cell text, byte order (UTF-8: code point order) */
    TABLE_SORT_NATURAL, /* the text, digit runs as numbers: run-2 < run-10, 3/4 < 10/12 */
    TABLE_SORT_NUMBER,  /* cell.num */
    TABLE_SORT_AGE,     /* cell.num is a Unix time; ascending = youngest first. When
                           the cell text is NULL the table prints the age itself
                           ("45s", "3h12m", "2d", kubectl style) against the
                           table's clock (table_set_now), so ages stay current
                           without the view touching its rows */
    TABLE_SORT_NONE,    /* not sortable */
};

enum table_col_flag {
    TABLE_COL_NAME = 1 << 0,     /* the name: never dropped, default sort, sort-name (N) */
    TABLE_COL_STATUS = 1 << 1,   /* the target of sort-status (S) */
    TABLE_COL_NOSEARCH = 1 << 2, /* the `/` filter ignores this column's text */
    TABLE_COL_OPTIONAL = 1 << 3, /* absent (no title, no room) while every shown
                                    cell is empty: data a source may not have */
};

struct table_column {
    const char *title;  /* "NAME" (static) */
    unsigned short min; /* columns never narrower than this (the title may be cut) */
    unsigned short max; /* ...nor wider, but for its title (0: the longest cell) */
    enum table_align align;
    unsigned char priority; /* 0 never dropped; when the terminal is narrow the
                               highest numbers go first (the NAME column never) */
    enum table_sort sort;
    unsigned flags; /* enum table_col_flag */
};

/* One cell of a row update. text is copied (and sanitised); NULL is empty. */
struct table_cell {
    const char *text;
    int64_t num; /* sort value for NUMBER and AGE columns */
};

/* A row update; everything is copied, nothing is kept. */
struct table_row {
    const char *key;                /* unique and stable: "ns/name" */
    const struct table_cell *cells; /* one per column, in column order */
    enum theme_element elem;        /* the row's colour: ELEM_DEFAULT, ELEM_OK,
                                       ELEM_WARNING, ELEM_ERROR, ELEM_DIM... */
    bool problem;                   /* shown when "problems only" is on */
    const char *const *search;      /* more strings the `/` filter matches (hosts,
                                       tenant, project...), NULL-terminated; may be NULL */
    const struct kv_list *labels;   /* matched by `-l` selectors, and as "k=v" by
                                       the regex; may be NULL */
};

struct table;

/* Creates a table over cols (borrowed: static const in the view), sorted by
 * the TABLE_COL_NAME column (else the first), ascending; its clock starts at
 * clock_now(). */
struct table *table_new(const struct table_column *cols, size_t ncols);
void table_free(struct table *t); /* NULL is a no-op */

/* Text mode for sanitising and ellipses: SANITIZE_ASCII in non-UTF-8 locales. */
void table_set_sanitize_flags(struct table *t, unsigned flags);

/*
 * Rows
 */

/* Adds the row, or replaces the row with the same key. While paused the
 * change is held (coalesced by key) and applied on resume. */
void table_upsert(struct table *t, const struct table_row *row);
/* Removes the row with key; nothing when there is none. */
void table_remove(struct table *t, const char *key);
/* Removes every row. */
void table_clear(struct table *t);

/* A complete new set of rows (relist, cache load): the upserts and removes
 * made between begin and end build it; at end it replaces the rows on
 * screen at once (rows not upserted in between are gone), with one sort.
 * The selection stays on its key when that key is still there. */
void table_replace_begin(struct table *t);
void table_replace_end(struct table *t);

/* Number of rows, and of rows shown (passing the filter and the toggle). */
size_t table_count(const struct table *t);
size_t table_shown(const struct table *t);
bool table_has(const struct table *t, const char *key);

/*
 * Selection and scrolling
 */

/* The selected row's key (borrowed until the next change), NULL when no
 * row is shown. */
const char *table_selected_key(const struct table *t);
/* Selects the row with key when it is shown; false otherwise. */
bool table_select_key(struct table *t, const char *key);
/* Index of the selection among the rows shown (0 when none). */
size_t table_cursor(const struct table *t);
/* Moves the selection by delta rows (clamped); page moves also scroll. */
void table_move(struct table *t, long delta);
void table_move_page(struct table *t, int pages);
void table_move_first(struct table *t);
void table_move_last(struct table *t);
/* Rows of body available for data (the header line excluded). */
void table_set_height(struct table *t, size_t height);
/* The first row on screen. */
size_t table_top(const struct table *t);

/*
 * Sort, filter, toggles
 */

/* Sorts by column col; desc inverts. Ties are always by key, ascending. */
void table_sort_by(struct table *t, size_t col, bool desc);
size_t table_sort_column(const struct table *t);
bool table_sort_desc(const struct table *t);
/* The requests: by the NAME/STATUS/AGE column (again: invert; of several
 * AGE columns the one with the lowest priority number), the
 * next/previous sortable column on screen, invert. False when the table
 * has no such column. */
bool table_sort_name(struct table *t);
bool table_sort_status(struct table *t);
bool table_sort_age(struct table *t);
bool table_sort_step(struct table *t, int dir);
void table_sort_invert(struct table *t);

/* Takes f (compiled with filter_compile; NULL: no filter) and applies it in
 * one pass; later single-row updates test that row only. */
void table_set_filter(struct table *t, struct filter *f);
/* The current filter (borrowed), or NULL. */
const struct filter *table_filter(const struct table *t);
/* Problems only: shows just the rows whose update said problem. */
void table_set_problems_only(struct table *t, bool on);
bool table_problems_only(const struct table *t);
/* Paused: the rows shown freeze (and their ages); updates are held and
 * applied, coalesced, when pause ends. */
void table_set_paused(struct table *t, bool on);
bool table_paused(const struct table *t);
/* Number of held updates while paused (distinct keys). */
size_t table_pending(const struct table *t);

/* Moves the selection to the next (dir > 0) or previous row shown after the
 * selection that f matches, wrapping around. False when none does. */
bool table_search(struct table *t, const struct filter *f, int dir);

/* The wall clock ages are printed against (Unix seconds). Ignored while
 * paused. */
void table_set_now(struct table *t, int64_t now);

/*
 * Rendering (for tui/view.c; no curses here)
 */

/* Lays the columns out in width columns. Each column wants its natural
 * width (its longest cell and its title, within min..max; room for "3h12m"
 * in an AGE column); while they do not fit, columns drop by priority; if
 * they still do not, the column with the most room above its minimum
 * shrinks, and cells are cut with an ellipsis. */
void table_set_width(struct table *t, size_t width);
/* Columns on screen after layout, and whether column col is one of them. */
size_t table_columns_shown(const struct table *t);
bool table_column_shown(const struct table *t, size_t col);

/* Appends the column titles, laid out, exactly `width` columns wide; the
 * sort column's title carries an arrow (↑ ascending, ↓ descending; ^ and v
 * in ASCII) and *sort_x, *sort_w receive its position (width 0 when it is
 * not on screen). */
void table_header_line(struct table *t, struct strbuf *out, size_t *sort_x, size_t *sort_w);
/* Appends shown row i, laid out, exactly `width` columns wide, and returns
 * its element. i must be < table_shown(). */
enum theme_element table_line(struct table *t, size_t i, struct strbuf *out);

/* What changed on screen since the last call: shown rows [*from, *to) need
 * redrawing (everything when *all). False when nothing changed. */
bool table_take_dirty(struct table *t, size_t *from, size_t *to, bool *all);
/* Forces a full redraw (e.g. after a resize). */
void table_touch(struct table *t);

/* Work counters, for tests and the benchmark. */
struct table_stats {
    uint64_t compares;     /* row comparisons */
    uint64_t filter_tests; /* calls to filter_match */
    uint64_t formats;      /* rows rendered by table_line */
};
struct table_stats table_stats(const struct table *t);

#endif /* OPSDECK_TABLE_H */
