/* SPDX-License-Identifier: MIT */
/* request.h - what a key asks for: the one list of requests, with names and help */
#ifndef OPSDECK_REQUEST_H
#define OPSDECK_REQUEST_H

#include <stdbool.h>

#include "opsdeck/views.h"

/*
 * Views never see raw keys: the keymap turns a key into a request, the
 * current view's ops->request() gets it first, then the generic handler
 * (tui/view.c). The help screen, the keymap parser and the F-keys bar are
 * all generated from this list.
 *
 * REQ_INFO(_): _(ID, "name", "F-key label" or NULL, "help line")
 *   name   what `bind` lines and `:help` use
 *   label  the short word shown in the F-keys bar when an F-key is bound to
 *          it (htop style: "F4Filter"); NULL keeps it out of the bar
 *
 * To add a request: a line here; a bind line in the default keymap
 * (tui/keymap.c); handle it in the view that owns it (its ops->request()) or,
 * for one every view has, in view.c's generic handler.
 */
/* clang-format off */
#define REQ_INFO(_)                                                                       \
    _(NONE, "none", NULL, "Nothing (unbinds a key in this keymap)")             \
    _(MOVE_UP, "move-up", NULL, "Move the selection up")                                  \
    _(MOVE_DOWN, "move-down", NULL, "Move the selection down")                            \
    _(MOVE_PAGE_UP, "move-page-up", NULL, "Move up one page")                             \
    _(MOVE_PAGE_DOWN, "move-page-down", NULL, "Move down one page")                       \
    _(MOVE_FIRST, "move-first", NULL, "Jump to the first line")                           \
    _(MOVE_LAST, "move-last", NULL, "Jump to the last line")                              \
    _(SCROLL_LEFT, "scroll-left", NULL, "Scroll left (lines not wrapped)")                \
    _(SCROLL_RIGHT, "scroll-right", NULL, "Scroll right (lines not wrapped)")             \
    _(ENTER, "enter", NULL, "Open the selected item (drill down)")                        \
    _(BACK, "back", NULL, "Back: clear the filter, else the previous view")      \
    _(DETAIL, "detail", NULL, "Show the details of the selected item")                    \
    _(HELP, "help", "Help", "Show the keys of this view")                                 \
    _(PROMPT, "prompt", NULL, "Command mode (:nodes, :pods NS, :help, :q)")               \
    _(FILTER, "filter", "Filter", "Filter: regex, !inverse, -l label selector")      \
    _(SEARCH, "search", "Search", "Search forward (regex)")                               \
    _(SEARCH_NEXT, "search-next", NULL, "Next search match")                              \
    _(SEARCH_PREV, "search-prev", NULL, "Previous search match")                          \
    _(SORT_NAME, "sort-name", NULL, "Sort by name (again: invert)")                       \
    _(SORT_AGE, "sort-age", NULL, "Sort by age (again: invert)")                          \
    _(SORT_STATUS, "sort-status", NULL, "Sort by status (again: invert)")                 \
    _(SORT_NEXT, "sort-next", "SortBy", "Sort by the next column")                        \
    _(SORT_PREV, "sort-prev", NULL, "Sort by the previous column")                        \
    _(SORT_INVERT, "sort-invert", NULL, "Invert the sort order")                          \
    _(TOGGLE_PROBLEMS, "toggle-problems", "Faults", "Show only rows with problems (on/off)") \
    _(TOGGLE_PAUSE, "toggle-pause", "Pause", "Freeze the rows shown; data keeps coming")  \
    _(TOGGLE_WRAP, "toggle-wrap", "Wrap", "Wrap long lines (on/off)")                     \
    _(REFRESH, "refresh", "Reload", "Refresh the view now")                               \
    _(TOGGLE_YAML, "toggle-yaml", "YAML", "Show the object's YAML / its description")     \
    _(REDRAW, "redraw", NULL, "Repaint the whole screen")                                 \
    _(LOGS, "logs", "Logs", "Logs of the selected row (Loki)")                            \
    _(LOG_QUERY, "log-query", "Query", "Edit the LogQL query")                            \
    _(LOG_RANGE, "log-range", "Range", "Time range: 5m 15m 1h 6h 24h, or FROM TO")        \
    _(TOGGLE_FOLLOW, "toggle-follow", "Follow", "Follow new lines (on/off)")              \
    _(TOGGLE_TIMESTAMPS, "toggle-timestamps", NULL, "Show timestamps (on/off)")          \
    _(TOGGLE_RAW, "toggle-raw", NULL, "Raw lines / readable JSON and logfmt")             \
    _(SAVE, "save", "Save", "Save the lines shown to a file")                             \
    _(QUIT, "quit", "Quit", "Quit opsdeck")
/* clang-format on */

/* After them, one request per VIEW_INFO line: REQ_VIEW_<ID>, named
 * "view-<name>", "Open the <name> view" (generated in request.c). */

/* Request values start above every key code (Unicode characters and
 * function keys, see keymap.h), so one int may carry either. */
#define REQ_BASE 0x200000

#define REQ_ENUM(id, name, label, help) REQ_##id,
#define REQ_VIEW_ENUM(id, name)         REQ_VIEW_##id,
enum request { REQ_FIRST_ = REQ_BASE - 1, REQ_INFO(REQ_ENUM) VIEW_INFO(REQ_VIEW_ENUM) REQ_END_ };
#undef REQ_ENUM
#undef REQ_VIEW_ENUM

#define REQ_COUNT (REQ_END_ - REQ_BASE)

/* "move-down"; NULL for a value that is not a request. Static strings. */
const char *request_name(enum request req);
/* The F-keys bar label, or NULL. */
const char *request_label(enum request req);
/* The help line ("" for none). */
const char *request_help(enum request req);
/* Looks a request up by name; false when there is none. */
bool request_parse(const char *name, enum request *out);
static inline bool
request_valid(int req)
{
    return req >= REQ_BASE && req < REQ_END_;
}

#endif /* OPSDECK_REQUEST_H */
