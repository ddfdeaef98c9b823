/* SPDX-License-Identifier: MIT */
/* ui.h - the console: screen, views stack, keys, prompts, messages, and the one loop */
#ifndef OPSDECK_UI_H
#define OPSDECK_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/header.h"
#include "opsdeck/macros.h"
#include "opsdeck/prompt.h"
#include "opsdeck/status.h"
#include "opsdeck/view.h"

struct evloop;

/*
 * What the app (tui/app.c) does with it:
 *
 *   struct ui *ui;
 *   if (ui_new(&(struct ui_options){ .loop = loop, .app = app, … }, &ui) != STATUS_OK)
 *       → print status_text(), exit 1 (nothing was started)
 *   for each VIEW_INFO entry: ui_add_view(ui, views[id]);
 *   ui_add_command(ui, &ctx_command);                 // `:ctx [name]`
 *   ui_load_keymap(ui, "bind generic <F2> :ctx\n", "app");
 *   ui_set_history(ui, &history_ops);                 // state.db
 *   ui_set_settled(ui, app_settled, app);             // for test scripts
 *   ui_set_header(ui, &header);                       // and again on every change
 *   ui_open(ui, "nodes", NULL, UI_OPEN_ROOT);
 *   status = ui_run(ui);                              // until q, :q, Ctrl-C, SIGHUP…
 *   ui_free(ui);                                      // terminal restored
 *   → flush the databases, exit status
 *
 * The environment it reads: OPSDECK_SCRIPT (a test script: scripted screen
 * on /dev/null), OPSDECK_SCREEN_DIR (where :save-display writes, default
 * "."), OPSDECK_SCRIPT_TIMEOUT (watchdog seconds, default 10), LINES and
 * COLUMNS (scripted size), NO_COLOR, TERM, and the locale (LC_CTYPE decides
 * UTF-8 or ASCII; the app calls setlocale(LC_ALL, "") first).
 */

struct ui_options {
    struct evloop *loop;     /* the backend's registry of fds and timers (required) */
    void *app;               /* handed to views through view_app() */
    bool no_color;           /* --no-color (NO_COLOR in the environment counts too) */
    const char *theme_file;  /* a theme file over the default or mono theme, or NULL */
    const char *keymap_file; /* the user's keymap ($XDG_CONFIG_HOME/opsdeck/keymap);
                                a missing file is fine */
    bool utc;                /* the header clock in UTC, not local time */
    int refresh_ms;          /* the tick of every view (ages, re-evaluation); 0: 2000 */
    long iterations;         /* --iterations N: N loop passes then exit; 0: no limit */
};

struct ui;

/* Loads the keymaps and the theme (bad lines print "file:line: message" on
 * stderr and are kept for :messages), then starts the screen. Fails when
 * no terminal can be started or a script cannot be read (status_text()).
 * Installs the terminal hooks on opts->loop (release = leave curses, for a
 * credential plugin; reclaim = back and full redraw), except in scripted
 * mode. */
enum status ui_new(const struct ui_options *opts, struct ui **out);
/* Closes every view, restores the terminal and the signal handlers. NULL
 * is a no-op. */
void ui_free(struct ui *ui);

/*
 * Registries
 */

/* Registers a pane: `:name` and its aliases open it (unless
 * VIEW_NO_COMMAND), ui_open() finds it by name. ops is borrowed (static). */
void ui_add_view(struct ui *ui, const struct view_ops *ops);

/* A `:` command. Strings are borrowed (static). */
struct ui_command {
    const char *name;           /* "ctx" */
    const char *const *aliases; /* NULL-terminated; may be NULL */
    const char *args;           /* "[name]", for help; may be NULL */
    const char *help;           /* one line */
    const char *label;          /* F-keys bar label when a key is bound to it ("Ctx") */
    /* args: what followed the name (trimmed, "" for none). A failure
     * (status_fail) is reported on the message line. */
    enum status (*run)(struct ui *ui, const char *args, void *arg);
    void *arg;
};
void ui_add_command(struct ui *ui, const struct ui_command *cmd);

/* More bindings, in the keymap syntax (keymap.h); bad lines are reported
 * like the user's. Returns the number of bad lines. */
unsigned ui_load_keymap(struct ui *ui, const char *text, const char *origin);

/* Where the `:` and `/` histories live (state.db); without it they last
 * for the session. ops is copied. */
void ui_set_history(struct ui *ui, const struct prompt_history_ops *ops);

/* For test scripts: the next step runs only when settled() says the app
 * has nothing in flight (no list or get pending, every watch past its
 * initial sync). Without it the app counts as always settled. */
void ui_set_settled(struct ui *ui, bool (*settled)(void *arg), void *arg);

/* The header's data (copied; the header repaints only when it differs). */
void ui_set_header(struct ui *ui, const struct ui_header *h);

/*
 * Views
 */

enum ui_open_mode {
    UI_OPEN_ROOT, /* replaces the whole stack (`:nodes`) */
    UI_OPEN_PUSH, /* on top of the current view (drill down; Esc comes back) */
};

/* Opens the view registered as name (or an alias) with arg (copied; NULL
 * for none). On failure the current view stays and the error is reported
 * (and returned). */
enum status ui_open(struct ui *ui, const char *name, const char *arg, enum ui_open_mode mode);
/* Pushes a text view titled title (for a detail, an error); fill it with
 * textview_add() on view_text() of the returned view. */
struct view *ui_push_text(struct ui *ui, const char *title);
/* A prompt of the current view's own (the logs pane's LogQL, search,
 * filter, range and save prompts): `name` is shown before the text
 * ("logql> ") and names its history (kept in state.db like ":" and "/");
 * text (may be NULL) is where editing starts. Enter adds the line to the
 * history and hands it to accept(view, text) -- the view that was current
 * when the prompt opened, if it is still current; Esc cancels. */
typedef void (*ui_prompt_fn)(struct view *view, const char *text);
void ui_prompt_view(struct ui *ui, const char *name, const char *history, const char *text,
                    ui_prompt_fn accept);
/* Closes the current view (Esc); the root view stays. */
void ui_back(struct ui *ui);
/* The view on top, or NULL before the first ui_open(). */
struct view *ui_current(struct ui *ui);

/* A line on the message line (and in :messages), sanitised. Info messages
 * clear at the next key. */
void ui_report(struct ui *ui, enum ui_severity severity, const char *fmt, ...) ATTR_FORMAT(3, 4);

/*
 * The loop
 */

/* Runs the one poll loop until quit. Returns the exit status: 0 after q,
 * :q, Ctrl-C, SIGHUP, SIGTERM, a dead terminal, --iterations or the end of
 * a script; 1 when a script fails (bad step, :save-display error, the
 * watchdog). */
int ui_run(struct ui *ui);
/* Asks the loop to end after this pass (status 0). */
void ui_quit(struct ui *ui);

#endif /* OPSDECK_UI_H */
