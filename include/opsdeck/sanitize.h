/* SPDX-License-Identifier: MIT */
/* sanitize.h - make untrusted text inert and measurable before it reaches a terminal */
#ifndef OPSDECK_SANITIZE_H
#define OPSDECK_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/strbuf.h"

/*
 * Every string that comes from outside (object names, labels, annotations,
 * log lines, error texts, SSH output) passes through here before it is drawn
 * or printed. No curses: the one-shot CLI uses it too.
 *
 * What the output guarantees: valid UTF-8 (or pure printable ASCII with
 * SANITIZE_ASCII), with no byte below 0x20, no DEL, no C1 control, no bidi
 * control and no invisible character. Every hostile unit is replaced by
 * something visible and inert, so the operator sees that something was
 * there, and no escape sequence can ever be executed:
 *
 *   C0 controls and DEL   caret notation: ESC -> "^[", CR -> "^M", NUL -> "^@",
 *                         DEL -> "^?"; so "\e]52;c;…\a" shows as "^[]52;c;…^G",
 *                         its text visible, never a clipboard write
 *   TAB                   one space (SANITIZE_TABS: spaces to the next
 *                         multiple of 8 columns)
 *   C1 controls U+0080–U+009F, invalid UTF-8 (each maximal ill-formed
 *   subsequence, overlongs, surrogates, > U+10FFFF), bidi controls (U+061C,
 *   U+200E/F, U+202A–U+202E, U+2066–U+2069), invisible characters (U+00AD,
 *   U+034F, U+115F/U+1160, U+180E, U+200B–U+200D, U+2028/9, U+2060–U+2064,
 *   U+3164, U+FEFF, U+FFA0, U+FFF9–U+FFFB, tags U+E0000–U+E007F),
 *   noncharacters, and anything wcwidth() calls unprintable
 *                         the marker U+FFFD "�" ("?" in ASCII mode)
 *   variation selectors   removed: they only pick a presentation, and
 *   (U+FE00–FE0F,         terminals disagree on the width that results
 *    U+E0100–E01EF)       (emoji + VS16), which would shift the columns
 *   combining marks       kept after a base character, at most
 *                         SANITIZE_MAX_COMBINING per base (the rest are
 *                         dropped, bounding "Zalgo" text); one with no base
 *                         (start of the string) becomes the marker, so it
 *                         never merges into a neighbouring cell
 *
 * Widths are wcwidth() columns under the current LC_CTYPE, which the caller
 * sets to a UTF-8 locale (setlocale(LC_ALL, "")) unless it passes
 * SANITIZE_ASCII; curses measures with the same function, so a fitted string
 * occupies exactly the columns reported here. Sanitising is idempotent.
 */

#define SANITIZE_MAX_COMBINING 2

enum sanitize_flag {
    SANITIZE_ASCII = 1 << 0, /* output printable ASCII only (non-UTF-8 locales): every
                                non-ASCII character is one "?", the ellipsis is "~" */
    SANITIZE_TABS = 1 << 1,  /* expand TAB to the next multiple of 8 columns */
};

/* The marker and the ellipsis for the given flags, as strings. */
#define SANITIZE_MARKER_UTF8   "\xef\xbf\xbd" /* U+FFFD */
#define SANITIZE_ELLIPSIS_UTF8 "\xe2\x80\xa6" /* U+2026 */

/* True when LC_CTYPE's codeset is UTF-8 (nl_langinfo(CODESET)); decides
 * between the UTF-8 output and SANITIZE_ASCII. */
bool sanitize_locale_is_utf8(void);

/* Appends the sanitised form of s[0, len) to out and returns its width in
 * columns. s may hold any bytes, NUL included. */
size_t sanitize_append(struct strbuf *out, const char *s, size_t len, unsigned flags);

/* The sanitised form of the NUL-terminated s as a new string (caller frees);
 * NULL gives "". *width (may be NULL) receives its width in columns. */
char *sanitize_str(const char *s, unsigned flags, size_t *width);

/* Like sanitize_append, but at most `cols` columns: a longer text is cut at a
 * character boundary (never inside a wide character or before its combining
 * marks) and ends with the ellipsis, so the result is at most cols wide. A
 * wide character that does not fit leaves the result one column short: the
 * return value is the exact width, for the caller to pad. */
size_t sanitize_fit(struct strbuf *out, const char *s, size_t len, size_t cols, unsigned flags);

/* Width in columns of s[0, len) once sanitised (nothing is allocated). */
size_t sanitize_width(const char *s, size_t len, unsigned flags);

/* Byte length of the longest prefix of s[0, len) whose sanitised width is at
 * most `cols`, for horizontal scrolling of clean text: skip that many bytes
 * to start `cols` columns in. *skipped receives the width actually skipped
 * (less than cols when a wide character straddles the boundary). */
size_t sanitize_skip_cols(const char *s, size_t len, size_t cols, unsigned flags, size_t *skipped);

#endif /* OPSDECK_SANITIZE_H */
