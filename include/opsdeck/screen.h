/* SPDX-License-Identifier: MIT */
/* screen.h - the terminal under curses: start and stop, TERM fallback, scripted mode, windows */
#ifndef OPSDECK_SCREEN_H
#define OPSDECK_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "opsdeck/curses.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"

/*
 * Used by tui/ui.c only. The screen is one of two kinds:
 *  - interactive: newterm() on stdout/stdin;
 *  - scripted (OPSDECK_SCRIPT, tests): newterm() on /dev/null for output
 *    and input, never /dev/tty, with the size from LINES/COLUMNS (80x24 by
 *    default); keys come from the script and the screen is read back from
 *    curses' own copy of it (screen_dump()).
 * An unknown TERM falls back to "vt100" (ncurses-base ships it on every
 * Debian, and every terminal emulator speaks it), with a warning.
 *
 * Layout, top to bottom: header (1 or 2 lines), title (breadcrumbs, count,
 * filter), body, message line, F-keys bar.
 */
enum screen_win { WIN_HEADER, WIN_TITLE, WIN_BODY, WIN_MESSAGE, WIN_FKEYS, WIN_COUNT };

struct screen_options {
    bool scripted;
    int rows, cols; /* scripted size */
};

struct screen;

/* Starts curses. *warning receives a new string (caller frees) when TERM
 * had to fall back, after it was printed to stderr; NULL otherwise. Fails
 * (STATUS_IO) only when no terminal description works at all. */
enum status screen_open(const struct screen_options *opts, struct screen **out, char **warning);
/* Ends curses and restores the terminal. NULL is a no-op. */
void screen_close(struct screen *s);

/* Recomputes the windows for the current size and a header of
 * header_lines; everything must be redrawn after it. */
void screen_layout(struct screen *s, size_t header_lines);
WINDOW *screen_win(struct screen *s, enum screen_win w);
/* Size of window w (0 when the terminal is too small for it). */
size_t screen_width(const struct screen *s);
size_t screen_height(const struct screen *s, enum screen_win w);
/* False when the terminal is too small for the layout (the console then
 * shows one line saying so). */
bool screen_usable(const struct screen *s);

/* A new size: from the terminal (interactive, after SIGWINCH), or given
 * (scripted :resize). Relayouts. */
void screen_resize_from_tty(struct screen *s);
void screen_resize(struct screen *s, int rows, int cols);

/* Leaves curses mode (suspend, terminal lent to a child) and comes back;
 * after resume everything must be redrawn. */
void screen_suspend(struct screen *s);
void screen_resume(struct screen *s);
bool screen_suspended(const struct screen *s);
/* Next doupdate() repaints the whole terminal (Ctrl-L, SIGCONT). */
void screen_clear_next(struct screen *s);

/* The cursor: hidden, or shown at (win, y, x) for a prompt. */
void screen_cursor(struct screen *s, enum screen_win w, int y, int x, bool visible);
/* wnoutrefresh of the changed windows, then one doupdate(). */
void screen_update(struct screen *s, const bool changed[WIN_COUNT]);

/* The fd keys are read from (-1 when scripted). */
int screen_input_fd(const struct screen *s);
bool screen_scripted(const struct screen *s);
/* Reads one key (keymap.h codes); false when none is waiting. */
bool screen_read_key(struct screen *s, int *key);

/* Writes what is on the terminal: every row, trailing blanks trimmed; with
 * attrs, after each row a line "@ start-end element [fg= bg=] [attr...]; …"
 * describing the painted runs (columns 0-based, inclusive). */
void screen_dump(struct screen *s, bool attrs, struct strbuf *out);

#endif /* OPSDECK_SCREEN_H */
