/* SPDX-License-Identifier: MIT */
/* theme.h - semantic display elements and how a theme paints them */
#ifndef OPSDECK_THEME_H
#define OPSDECK_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"

/*
 * Code never names a colour: it names what a thing is (an element) and the
 * theme decides how that looks. Views pass elements to the table
 * (row severity) and to draw.h.
 *
 * THEME_ELEMENTS(_): _(ID, "name"); the name is what theme files use.
 * To add an element: a line here, its entries in the default and mono
 * tables (tui/theme.c), and in themes/mono.theme.
 */
/* clang-format off */
#define THEME_ELEMENTS(_)                                                             \
    _(DEFAULT, "default")                  /* plain text, rows without severity */ \
    _(HEADER, "header")                    /* the header lines */                   \
    _(HEADER_PLATFORM, "header-platform")  /* the platform name */                 \
    _(HEADER_CONTEXT, "header-context")    /* the context name */                  \
    _(HEADER_PROD, "header-prod")          /* the PROD mark of a production one */ \
    _(HEADER_LABEL, "header-label")        /* simulated, read-only, paused */      \
    _(HEADER_OK, "header-ok")              /* a source that is live */              \
    _(HEADER_WARNING, "header-warning")    /* offline, data from the cache */      \
    _(HEADER_ERROR, "header-error")        /* 401, TLS error... */                 \
    _(HEADER_CLOCK, "header-clock")                                                 \
    _(CRUMB, "crumb")                      /* breadcrumbs of the views behind */  \
    _(CRUMB_CURRENT, "crumb-current")      /* the current view's crumb */          \
    _(TITLE, "title")                      /* view title and match count */       \
    _(TITLE_FILTER, "title-filter")        /* the filter and toggles in the title */ \
    _(TABLE_HEADER, "table-header")        /* column titles */                     \
    _(TABLE_HEADER_SORT, "table-header-sort") /* the title of the sort column */   \
    _(CURSOR, "cursor")                    /* the selected row */                  \
    _(OK, "ok")                            /* healthy */                            \
    _(WARNING, "warning")                  /* needs a look */                       \
    _(ERROR, "error")                      /* needs you now */                      \
    _(DIM, "dim")                          /* finished, terminating, unimportant */ \
    _(TEXT_HEADING, "text-heading")        /* headings in text views */            \
    _(TEXT_KEY, "text-key")                /* keys in help, field names in detail */ \
    _(TEXT_MATCH, "text-match")            /* the current search match */          \
    _(MESSAGE, "message")                  /* the message line */                  \
    _(MESSAGE_WARNING, "message-warning")                                           \
    _(MESSAGE_ERROR, "message-error")                                               \
    _(PROMPT, "prompt")                    /* the : and / prompts */                \
    _(FKEY_KEY, "fkey-key")                /* "F1" in the F-keys bar */             \
    _(FKEY_LABEL, "fkey-label")            /* "Help" in the F-keys bar */ \
    _(LOG_STREAM_0, "log-stream-0")        /* a log stream's marker and name: */  \
    _(LOG_STREAM_1, "log-stream-1")        /* one colour per stream (logring.h) */ \
    _(LOG_STREAM_2, "log-stream-2")                                                 \
    _(LOG_STREAM_3, "log-stream-3")                                                 \
    _(LOG_STREAM_4, "log-stream-4")                                                 \
    _(LOG_STREAM_5, "log-stream-5")                                                 \
    _(LOG_STREAM_6, "log-stream-6")                                                 \
    _(LOG_STREAM_7, "log-stream-7")
/* clang-format on */

#define THEME_ELEMENT_ENUM(id, name) ELEM_##id,
enum theme_element { THEME_ELEMENTS(THEME_ELEMENT_ENUM) ELEM_COUNT };
#undef THEME_ELEMENT_ENUM

/* Text attributes, independent of curses (theme.c maps them to A_*). */
enum theme_attr {
    THEME_BOLD = 1 << 0,
    THEME_DIM = 1 << 1,
    THEME_REVERSE = 1 << 2,
    THEME_UNDERLINE = 1 << 3,
    THEME_ITALIC = 1 << 4,
    THEME_BLINK = 1 << 5,
    THEME_STANDOUT = 1 << 6,
};

#define THEME_COLOR_DEFAULT (-1) /* the terminal's own foreground/background */

struct theme_style {
    short fg, bg;   /* THEME_COLOR_DEFAULT or 0..255 (xterm numbering) */
    unsigned attrs; /* enum theme_attr bits */
};

struct theme {
    struct theme_style style[ELEM_COUNT];
    bool mono; /* true: colours are never used, only attributes */
};

/* "cursor"; NULL for an invalid value. Static. */
const char *theme_element_name(enum theme_element elem);
bool theme_element_parse(const char *name, enum theme_element *out);

/* The compiled-in themes. */
void theme_init_default(struct theme *t);
void theme_init_mono(struct theme *t);

/* True when the environment asks for no colour (NO_COLOR set and not
 * empty, as no-color.org says). */
bool theme_env_no_color(void);

/*
 * Theme files: lines `color <element> <fg> <bg> [attr…]`, `#` comments.
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black … bright-white, colorN or N (0–255). Attributes: normal,
 * bold, dim, reverse, underline, italic, blink, standout. Each line replaces
 * one element's style. A bad line (unknown element, colour or attribute)
 * is reported as "origin:line: message", skipped, and loading goes on.
 * In a mono theme the colours of a line are ignored, its attributes kept.
 */
typedef void (*theme_warn_fn)(void *arg, const char *message);
unsigned theme_load(struct theme *t, const char *text, const char *origin, theme_warn_fn warn,
                    void *arg);
/* STATUS_IO when the file cannot be read; *bad gets the bad line count. */
enum status theme_load_file(struct theme *t, const char *path, theme_warn_fn warn, void *arg,
                            unsigned *bad);

/*
 * With curses (after screen_open()):
 */

/* Makes t the active theme: one colour pair per element (so a painted cell
 * says which element it is), plus one per element under the cursor. Falls
 * back to the attributes alone when the terminal has no colours; colours
 * beyond the terminal's range are mapped to the nearest of the 8 basic ones.
 * t is copied. */
void theme_apply(const struct theme *t);
/* True when the active theme paints with colours. */
bool theme_uses_color(void);

/* For :save-display-attrs: appends "element[ attr…]" describing a painted
 * cell from its curses attributes and pair ("cursor+error bold", "ok"). */
void theme_describe_cell(unsigned long attrs, short pair, struct strbuf *out);

#endif /* OPSDECK_THEME_H */
