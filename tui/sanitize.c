/* SPDX-License-Identifier: MIT */
/* sanitize.c - untrusted text made inert (no escapes, controls, bidi, invisibles) and measured */
#include "config.h"

#include "opsdeck/sanitize.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "opsdeck/xalloc.h"

#define BAD_CP   UINT32_MAX
#define TAB_STOP 8

/* One output unit: a character with its combining marks counted apart. */
enum unit_kind {
    UNIT_BASE,      /* takes columns (width >= 1), may carry combining marks */
    UNIT_COMBINING, /* width 0, attaches to the previous base */
    UNIT_NONE,      /* produces nothing */
};

struct unit {
    char buf[TAB_STOP]; /* the bytes to emit (a tab expands to at most 8 spaces) */
    unsigned char len;
    unsigned char width;
    enum unit_kind kind;
};

bool
sanitize_locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);

    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/*
 * Decodes one UTF-8 character. Returns the bytes consumed (>= 1) and the code
 * point, or BAD_CP for a maximal ill-formed subsequence (the lead byte and
 * the continuation bytes that were still valid), per Unicode's "substitution
 * of maximal subparts": overlongs, surrogates and values past U+10FFFF fail.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *cp = BAD_CP;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= len || s[i] < lo || s[i] > hi) {
            *cp = BAD_CP;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

static unsigned char
utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Bidi controls and characters that are invisible yet change what is read. */
static bool
is_hostile(uint32_t cp)
{
    if (cp >= 0x80 && cp <= 0x9F) /* C1 controls, CSI 0x9B among them */
        return true;
    switch (cp) {
    case 0x00AD: /* soft hyphen */
    case 0x034F: /* combining grapheme joiner */
    case 0x061C: /* arabic letter mark */
    case 0x115F:
    case 0x1160: /* hangul fillers */
    case 0x180E: /* mongolian vowel separator */
    case 0x2028:
    case 0x2029: /* line and paragraph separators */
    case 0x3164:
    case 0xFEFF: /* zero-width no-break space / BOM */
    case 0xFFA0:
        return true;
    default:
        break;
    }
    return (cp >= 0x200B && cp <= 0x200F) ||   /* ZWSP, ZWNJ, ZWJ, LRM, RLM */
           (cp >= 0x202A && cp <= 0x202E) ||   /* LRE, RLE, PDF, LRO, RLO */
           (cp >= 0x2060 && cp <= 0x2069) ||   /* word joiner, invisible ops, isolates */
           (cp >= 0xFFF9 && cp <= 0xFFFB) ||   /* interlinear annotation */
           (cp >= 0xFDD0 && cp <= 0xFDEF) ||   /* noncharacters */
           (cp & 0xFFFE) == 0xFFFE ||          /* U+xxFFFE, U+xxFFFF */
           (cp >= 0x1D173 && cp <= 0x1D17A) || /* musical format controls */
           (cp >= 0xE0000 && cp <= 0xE007F);   /* tags */
}

static bool
is_variation_selector(uint32_t cp)
{
    return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

static void
unit_marker(struct unit *u, unsigned flags)
{
    if (flags & SANITIZE_ASCII) {
        u->buf[0] = '?';
        u->len = 1;
    } else {
        memcpy(u->buf, SANITIZE_MARKER_UTF8, 3);
        u->len = 3;
    }
    u->width = 1;
    u->kind = UNIT_BASE;
}

/* Reads the unit at s[*pos] (col: the output column, for tab stops). */
static void
next_unit(const char *s, size_t len, size_t *pos, size_t col, unsigned flags, struct unit *u)
{
    uint32_t cp;
    int w;

    *pos += utf8_decode((const unsigned char *)s + *pos, len - *pos, &cp);
    if (cp == '\t') {
        size_t n = (flags & SANITIZE_TABS) ? TAB_STOP - col % TAB_STOP : 1;

        memset(u->buf, ' ', n);
        u->len = u->width = (unsigned char)n;
        u->kind = UNIT_BASE;
        return;
    }
    if (cp < 0x20 || cp == 0x7F) {
        u->buf[0] = '^';
        u->buf[1] = (char)(cp == 0x7F ? '?' : (char)(cp + '@'));
        u->len = u->width = 2;
        u->kind = UNIT_BASE;
        return;
    }
    if (cp < 0x7F) {
        u->buf[0] = (char)cp;
        u->len = u->width = 1;
        u->kind = UNIT_BASE;
        return;
    }
    if (cp == BAD_CP || is_hostile(cp)) {
        unit_marker(u, flags);
        return;
    }
    if (is_variation_selector(cp)) {
        u->len = u->width = 0;
        u->kind = UNIT_NONE;
        return;
    }
    if (flags & SANITIZE_ASCII) {
        unit_marker(u, flags);
        return;
    }
    w = wcwidth((wchar_t)cp);
    if (w < 0) {
        unit_marker(u, flags);
        return;
    }
    u->len = utf8_encode(cp, u->buf);
    u->width = (unsigned char)w;
    u->kind = w == 0 ? UNIT_COMBINING : UNIT_BASE;
}

/*
 * The one walk behind every entry point. Appends to out (NULL: measure only)
 * at most `cols` columns (SIZE_MAX: no limit), with the ellipsis when cut.
 * Returns the width produced.
 */
static size_t
walk(struct strbuf *out, const char *s, size_t len, size_t cols, unsigned flags)
{
    const char *ell = (flags & SANITIZE_ASCII) ? "~" : SANITIZE_ELLIPSIS_UTF8;
    size_t pos = 0, width = 0, cut_len = 0, cut_width = 0;
    bool have_cut = false, have_base = false;
    unsigned ncomb = 0;
    struct unit u;

    if (!s)
        return 0;
    if (cols == 0)
        return 0;
    while (pos < len) {
        next_unit(s, len, &pos, width, flags, &u);
        if (u.kind == UNIT_NONE)
            continue;
        if (u.kind == UNIT_COMBINING) {
            if (!have_base) {
                unit_marker(&u, flags);
            } else {
                if (ncomb >= SANITIZE_MAX_COMBINING)
                    continue;
                ncomb++;
                if (out)
                    strbuf_append(out, u.buf, u.len);
                continue;
            }
        }
        /* A base unit: does it still fit, leaving room for the ellipsis? */
        if (!have_cut && width + u.width > cols - 1) {
            have_cut = true;
            cut_len = out ? out->len : 0;
            cut_width = width;
        }
        if (width + u.width > cols) {
            if (out) {
                if (out->buf) {
                    out->len = cut_len;
                    out->buf[cut_len] = '\0';
                }
                strbuf_puts(out, ell);
            }
            return cut_width + 1;
        }
        if (out)
            strbuf_append(out, u.buf, u.len);
        width += u.width;
        have_base = true;
        ncomb = 0;
    }
    return width;
}

size_t
sanitize_append(struct strbuf *out, const char *s, size_t len, unsigned flags)
{
    return walk(out, s, len, SIZE_MAX, flags);
}

char *
sanitize_str(const char *s, unsigned flags, size_t *width)
{
    struct strbuf sb;
    size_t w;

    strbuf_init(&sb);
    w = walk(&sb, s, s ? strlen(s) : 0, SIZE_MAX, flags);
    if (width)
        *width = w;
    if (!sb.buf)
        return xstrdup("");
    return strbuf_detach(&sb);
}

size_t
sanitize_fit(struct strbuf *out, const char *s, size_t len, size_t cols, unsigned flags)
{
    return walk(out, s, len, cols, flags);
}

size_t
sanitize_width(const char *s, size_t len, unsigned flags)
{
    return walk(NULL, s, len, SIZE_MAX, flags);
}

size_t
sanitize_skip_cols(const char *s, size_t len, size_t cols, unsigned flags, size_t *skipped)
{
    size_t pos = 0, width = 0, at = 0;
    struct unit u;

    while (pos < len) {
        size_t before = pos;

        next_unit(s, len, &pos, width, flags, &u);
        if (u.kind == UNIT_NONE || (u.kind == UNIT_COMBINING && width > 0)) {
            at = pos; /* marks stay with the base they follow */
            continue;
        }
        if (u.kind == UNIT_COMBINING)
            u.width = 1; /* no base: walk() shows it as the marker */
        if (width + u.width > cols) {
            pos = before;
            break;
        }
        width += u.width;
        at = pos;
    }
    if (skipped)
        *skipped = width;
    return at;
}
