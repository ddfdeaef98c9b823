/* SPDX-License-Identifier: MIT */
/* keymap.h - keys, their names, and the keymaps that turn them into requests */
#ifndef OPSDECK_KEYMAP_H
#define OPSDECK_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/request.h"
#include "opsdeck/status.h"

/*
 * A key is an int: a Unicode character as typed ('j', 'G', 'é'; Ctrl-letters
 * are 1..26, Esc 27, Tab 9, Enter is always '\n') or one of the KEYC_*
 * codes below for keys that are not characters. tui/loop.c translates
 * curses' codes into these, so nothing here depends on curses.
 *
 * Names (keymap files, test scripts, help): a single character stands for
 * itself ("j", "G", "/", "<"); others are written <Name>, case-insensitive:
 * <Enter> <Esc> <Tab> <BackTab> <Space> <Backspace> <Del> <Ins> <Up> <Down>
 * <Left> <Right> <PgUp> <PgDn> <Home> <End> <F1>…<F12> <C-a>…<C-z> (Ctrl),
 * <lt> ("<"), <Hash> ("#"). <C-m> is <Enter>, <C-i> is <Tab>, <C-[> is <Esc>.
 */
enum key_code {
    KEYC_BASE_ = 0x110000, /* above every Unicode code point */
    KEYC_UP,
    KEYC_DOWN,
    KEYC_LEFT,
    KEYC_RIGHT,
    KEYC_PGUP,
    KEYC_PGDN,
    KEYC_HOME,
    KEYC_END,
    KEYC_INS,
    KEYC_DEL,
    KEYC_BACKSPACE,
    KEYC_BACKTAB,
    KEYC_F1,
    KEYC_F12 = KEYC_F1 + 11,
    KEYC_END_
};
#define KEYC_ENTER   '\n'
#define KEYC_ESC     0x1B
#define KEYC_TAB     '\t'
#define KEYC_CTRL(c) ((c)&0x1F) /* KEYC_CTRL('c') == 3 */
#define KEYC_F(n)    (KEYC_F1 + (n)-1)

/* Parses a key name; false when it is none. */
bool key_parse(const char *name, int *key);
/* Writes the name of key into buf ("j", "<C-r>", "<F1>", "<Space>"). */
void key_format(int key, char *buf, size_t size);

/*
 * A keymap holds named sections, each a list of key -> action. The console
 * looks a key up in the sections of the current view, most specific first:
 * the view's own name ("pods"), then its widget ("table" or "text"), then
 * "generic". An action is a request, or a `:` command line run as if typed
 * at the prompt (`bind generic <F2> :ctx`). Binding a key to `none` in a
 * more specific section hides a default from a less specific one.
 */
struct keymap;

struct keymap_action {
    enum request req; /* REQ_NONE when cmd is set */
    const char *cmd;  /* a command line without the ':' (borrowed from the keymap), or NULL */
};

/* Reports one bad line, already formatted as "origin:line: message". */
typedef void (*keymap_warn_fn)(void *arg, const char *message);

struct keymap *keymap_new(void);
void keymap_free(struct keymap *km); /* NULL is a no-op */

/* Binds key in section (created on first use); a later binding of the same
 * key in the same section replaces the earlier one. cmd NULL binds req;
 * otherwise the command line (copied) and req is ignored. */
void keymap_bind(struct keymap *km, const char *section, int key, enum request req,
                 const char *cmd);

/* Looks key up in sections (NULL-terminated, most specific first). True
 * with *out filled when some section binds it (possibly to REQ_NONE). */
bool keymap_lookup(const struct keymap *km, const char *const *sections, int key,
                   struct keymap_action *out);

/*
 * Loads text made of lines
 *     bind <keymap> <key> <request>        # a trailing comment is allowed
 *     bind <keymap> <key> :<command line>
 *     # a comment, or an empty line
 * A bad line (unknown keymap, key, request or directive, missing fields)
 * is reported through warn as "origin:line: message", skipped, and loading
 * goes on. sections: the keymap names accepted (NULL-terminated), or NULL
 * for any name made of [a-z0-9-]. Returns the number of bad lines.
 */
unsigned keymap_load(struct keymap *km, const char *text, const char *origin,
                     const char *const *sections, keymap_warn_fn warn, void *arg);

/* The same from a file. STATUS_IO (status_text() says why) when the file
 * cannot be read; *bad receives the number of bad lines. */
enum status keymap_load_file(struct keymap *km, const char *path, const char *const *sections,
                             keymap_warn_fn warn, void *arg, unsigned *bad);

/* The compiled-in defaults, in the same syntax (loaded by ui_new()). */
const char *keymap_default_text(void);

/* Iterates the bindings of one section in key order: the i-th binding,
 * false past the end. */
bool keymap_binding(const struct keymap *km, const char *section, size_t i, int *key,
                    struct keymap_action *action);

#endif /* OPSDECK_KEYMAP_H */
