/* SPDX-License-Identifier: MIT */
/* prompt.h - the line editor behind the `:` and `/` prompts, with history and completion */
#ifndef OPSDECK_PROMPT_H
#define OPSDECK_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/strbuf.h"

/*
 * A prompt is a mode of the one loop, not a modal getch(): while one is
 * open, tui/ui.c hands it every key and draws it on the message line. This
 * file is the editing model only (no curses), so it is unit-tested alone.
 *
 * Keys (keymap.h codes): printable characters insert; <Left> <Right>
 * <C-b> <C-f> move; <Home> <C-a>, <End> <C-e> jump; <Backspace> <C-h>
 * delete before, <Del> <C-d> under the cursor; <C-u> deletes to the start,
 * <C-k> to the end, <C-w> the word before; <Up> <Down> (<C-p> <C-n>) walk
 * the history (what was typed is kept as the newest entry); <Tab>
 * completes the first word; <Enter> accepts; <Esc> cancels.
 */

/* Where the prompt history lives (the app wires it to state.db through
 * store_history()/store_history_add(); without it the history is kept in
 * memory for the session). prompt names are ":" and "/". */
struct prompt_history_ops {
    /* The newest max lines, newest first, NULL-terminated; caller frees
     * with strv_free. NULL counts as none. */
    char **(*load)(void *arg, const char *prompt, size_t max);
    /* Records an accepted line. */
    void (*add)(void *arg, const char *prompt, const char *line);
    void *arg;
};

/* Completion: appends to out (a vec of new strings, caller-owned) every
 * candidate that starts with prefix. */
struct vec;
typedef void (*prompt_complete_fn)(void *arg, const char *prefix, struct vec *out);

enum prompt_result {
    PROMPT_IGNORED, /* not an editing key */
    PROMPT_MOVED,   /* the cursor moved */
    PROMPT_EDITED,  /* the text changed (a live filter re-applies) */
    PROMPT_ACCEPT,  /* Enter: take prompt_text() */
    PROMPT_CANCEL,  /* Esc */
};

struct prompt;

/* name: ":" or "/", shown before the text and used as the history name. */
struct prompt *prompt_new(const char *name);
void prompt_free(struct prompt *p); /* NULL is a no-op */

/* Starts editing: text (may be NULL) with the cursor at its end, and the
 * history (newest first; taken, freed by the prompt; NULL for none). */
void prompt_start(struct prompt *p, const char *text, char **history);
void prompt_set_completer(struct prompt *p, prompt_complete_fn fn, void *arg);

enum prompt_result prompt_key(struct prompt *p, int key);

const char *prompt_name(const struct prompt *p);
/* The text being edited (UTF-8). Borrowed until the next key. */
const char *prompt_text(struct prompt *p);
/* After <Tab> with several candidates: them, space-separated (borrowed),
 * else "". Cleared by the next key. */
const char *prompt_hint(const struct prompt *p);

/* The part of name+text that fits in width columns, scrolled so the cursor
 * is visible (and sanitised: a pasted escape shows as ^[), appended to out;
 * *cursor_col receives the cursor's column. */
void prompt_render(struct prompt *p, size_t width, unsigned sanitize_flags, struct strbuf *out,
                   size_t *cursor_col);

#endif /* OPSDECK_PROMPT_H */
