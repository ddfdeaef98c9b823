/* SPDX-License-Identifier: MIT */
/* script.h - test scripts that drive the console one settled step at a time */
#ifndef OPSDECK_SCRIPT_H
#define OPSDECK_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"

/*
 * OPSDECK_SCRIPT=FILE runs the console on a scripted screen (screen.h).
 * One line is one step, taken only when the app is settled and the
 * previous step has been drawn:
 *
 *   j                       keys: each character is a key; <Name> as in
 *   :nodes<Enter>           keymap.h (<Enter> <Esc> <C-c> <F1> <Down> …);
 *   /api.breacher<Enter>    a typed `:…` or `/…` line is one step
 *   GG<Up>                  several keys in one step
 *   :save-display NAME      every screen row, trailing blanks trimmed, to
 *                           $OPSDECK_SCREEN_DIR/NAME
 *   :save-display-attrs NAME   the same plus the painted runs of each row
 *                           (element, colours, attributes)
 *   :resize COLS LINES      a new terminal size
 *   :wait                   no more steps: run until a signal or a key
 *                           ends the console (the watchdog still applies)
 *   :wait-for TEXT          hold the script until some screen row contains
 *                           TEXT (the screen is read back about every 50 ms:
 *                           for what arrives from outside, e.g. "offline")
 *   :barrier NAME           create $OPSDECK_SCREEN_DIR/NAME.ready, then hold
 *                           the script until NAME.go appears there: the test
 *                           acts (stops a server…) in between
 *   :quit                   end (status 0); so does the end of the file
 *   # comment, blank lines  ignored
 *
 * Only those seven words are directives; any other line is keys, so
 * `:quit<Enter>` types the command. Leading and trailing blanks of a line
 * are dropped (type a space as <Space>). A watchdog ends the run with
 * status 1 when the script has not finished in OPSDECK_SCRIPT_TIMEOUT
 * seconds (default 10; raise it under valgrind).
 */
enum script_kind {
    SCRIPT_KEYS,
    SCRIPT_SAVE,
    SCRIPT_SAVE_ATTRS,
    SCRIPT_RESIZE,
    SCRIPT_WAIT,
    SCRIPT_WAIT_FOR,
    SCRIPT_BARRIER,
    SCRIPT_QUIT,
};

struct script_step {
    enum script_kind kind;
    unsigned lineno;
    char *text; /* the line as written (for messages) */
    int *keys;  /* SCRIPT_KEYS */
    size_t nkeys;
    char *name;      /* SCRIPT_SAVE*, SCRIPT_BARRIER: a file name (no '/');
                        SCRIPT_WAIT_FOR: the text */
    int cols, lines; /* SCRIPT_RESIZE */
};

struct script;

/* Reads and checks the whole file: STATUS_IO when unreadable, STATUS_USAGE
 * with "file:line: message" for a bad step (unknown <key>, bad :resize,
 * a save name with '/'). */
enum status script_load(const char *path, struct script **out);
/* The same from text (origin names it in messages). */
enum status script_parse(const char *text, const char *origin, struct script **out);
void script_free(struct script *s); /* NULL is a no-op */

/* The next step (borrowed, valid until script_free), or NULL at the end. */
const struct script_step *script_next(struct script *s);
/* Steps taken so far, and in all. */
size_t script_position(const struct script *s);
size_t script_length(const struct script *s);

#endif /* OPSDECK_SCRIPT_H */
