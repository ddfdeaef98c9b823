/* SPDX-License-Identifier: MIT */
/* theme.c - the default and mono themes, theme files, and their curses colour pairs */
#include "config.h"

#include "opsdeck/theme.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opsdeck/curses.h"
#include "opsdeck/macros.h"
#include "opsdeck/xalloc.h"

#define ELEMENT_NAME(id, name) [ELEM_##id] = name,
static const char *const element_names[] = {THEME_ELEMENTS(ELEMENT_NAME)};
#undef ELEMENT_NAME

enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };
#define DEF THEME_COLOR_DEFAULT

/* Works on dark and light backgrounds and on 8-colour terminals alike: the
 * terminal's own colours for text, the eight basic colours for meaning, and
 * reverse video for the cursor (the row keeps its colour as background, and
 * focus never rests on colour alone). */
/* clang-format off */
static const struct theme_style default_theme[ELEM_COUNT] = {
    [ELEM_DEFAULT] = { DEF, DEF, 0 },
    [ELEM_HEADER] = { DEF, DEF, 0 },
    [ELEM_HEADER_PLATFORM] = { CYAN, DEF, THEME_BOLD },
    [ELEM_HEADER_CONTEXT] = { DEF, DEF, THEME_BOLD },
    [ELEM_HEADER_PROD] = { WHITE, RED, THEME_BOLD },
    [ELEM_HEADER_LABEL] = { YELLOW, DEF, THEME_BOLD },
    [ELEM_HEADER_OK] = { GREEN, DEF, 0 },
    [ELEM_HEADER_WARNING] = { YELLOW, DEF, THEME_BOLD },
    [ELEM_HEADER_ERROR] = { RED, DEF, THEME_BOLD },
    [ELEM_HEADER_CLOCK] = { DEF, DEF, 0 },
    [ELEM_CRUMB] = { CYAN, DEF, 0 },
    [ELEM_CRUMB_CURRENT] = { BLACK, CYAN, 0 },
    [ELEM_TITLE] = { CYAN, DEF, THEME_BOLD },
    [ELEM_TITLE_FILTER] = { YELLOW, DEF, THEME_BOLD },
    [ELEM_TABLE_HEADER] = { DEF, DEF, THEME_BOLD },
    [ELEM_TABLE_HEADER_SORT] = { YELLOW, DEF, THEME_BOLD },
    [ELEM_CURSOR] = { DEF, DEF, THEME_REVERSE },
    [ELEM_OK] = { GREEN, DEF, 0 },
    [ELEM_WARNING] = { YELLOW, DEF, 0 },
    [ELEM_ERROR] = { RED, DEF, THEME_BOLD },
    [ELEM_DIM] = { DEF, DEF, THEME_DIM },
    [ELEM_TEXT_HEADING] = { CYAN, DEF, THEME_BOLD },
    [ELEM_TEXT_KEY] = { YELLOW, DEF, 0 },
    [ELEM_TEXT_MATCH] = { BLACK, YELLOW, 0 },
    [ELEM_MESSAGE] = { DEF, DEF, 0 },
    [ELEM_MESSAGE_WARNING] = { YELLOW, DEF, THEME_BOLD },
    [ELEM_MESSAGE_ERROR] = { RED, DEF, THEME_BOLD },
    [ELEM_PROMPT] = { DEF, DEF, THEME_BOLD },
    [ELEM_FKEY_KEY] = { DEF, DEF, THEME_BOLD },
    [ELEM_FKEY_LABEL] = { BLACK, CYAN, 0 },
    [ELEM_LOG_STREAM_0] = { CYAN, DEF, 0 },
    [ELEM_LOG_STREAM_1] = { GREEN, DEF, 0 },
    [ELEM_LOG_STREAM_2] = { MAGENTA, DEF, 0 },
    [ELEM_LOG_STREAM_3] = { BLUE, DEF, THEME_BOLD },
    [ELEM_LOG_STREAM_4] = { CYAN, DEF, THEME_BOLD },
    [ELEM_LOG_STREAM_5] = { GREEN, DEF, THEME_BOLD },
    [ELEM_LOG_STREAM_6] = { MAGENTA, DEF, THEME_BOLD },
    [ELEM_LOG_STREAM_7] = { BLUE, DEF, 0 },
};
/* clang-format on */

/* Attributes only (NO_COLOR, --no-color, terminals without colours): each
 * meaning still distinct, and never colour alone for focus. */
/* clang-format off */
static const struct theme_style mono_theme[ELEM_COUNT] = {
    [ELEM_DEFAULT] = { DEF, DEF, 0 },
    [ELEM_HEADER] = { DEF, DEF, 0 },
    [ELEM_HEADER_PLATFORM] = { DEF, DEF, THEME_BOLD },
    [ELEM_HEADER_CONTEXT] = { DEF, DEF, THEME_BOLD },
    [ELEM_HEADER_PROD] = { DEF, DEF, THEME_REVERSE | THEME_BOLD },
    [ELEM_HEADER_LABEL] = { DEF, DEF, THEME_BOLD },
    [ELEM_HEADER_OK] = { DEF, DEF, 0 },
    [ELEM_HEADER_WARNING] = { DEF, DEF, THEME_BOLD },
    [ELEM_HEADER_ERROR] = { DEF, DEF, THEME_REVERSE },
    [ELEM_HEADER_CLOCK] = { DEF, DEF, 0 },
    [ELEM_CRUMB] = { DEF, DEF, 0 },
    [ELEM_CRUMB_CURRENT] = { DEF, DEF, THEME_REVERSE },
    [ELEM_TITLE] = { DEF, DEF, THEME_BOLD },
    [ELEM_TITLE_FILTER] = { DEF, DEF, THEME_UNDERLINE },
    [ELEM_TABLE_HEADER] = { DEF, DEF, THEME_BOLD },
    [ELEM_TABLE_HEADER_SORT] = { DEF, DEF, THEME_BOLD | THEME_UNDERLINE },
    [ELEM_CURSOR] = { DEF, DEF, THEME_REVERSE },
    [ELEM_OK] = { DEF, DEF, 0 },
    [ELEM_WARNING] = { DEF, DEF, THEME_BOLD },
    [ELEM_ERROR] = { DEF, DEF, THEME_BOLD | THEME_UNDERLINE },
    [ELEM_DIM] = { DEF, DEF, THEME_DIM },
    [ELEM_TEXT_HEADING] = { DEF, DEF, THEME_BOLD },
    [ELEM_TEXT_KEY] = { DEF, DEF, THEME_BOLD },
    [ELEM_TEXT_MATCH] = { DEF, DEF, THEME_REVERSE },
    [ELEM_MESSAGE] = { DEF, DEF, 0 },
    [ELEM_MESSAGE_WARNING] = { DEF, DEF, THEME_BOLD },
    [ELEM_MESSAGE_ERROR] = { DEF, DEF, THEME_BOLD | THEME_REVERSE },
    [ELEM_PROMPT] = { DEF, DEF, THEME_BOLD },
    [ELEM_FKEY_KEY] = { DEF, DEF, THEME_BOLD },
    [ELEM_FKEY_LABEL] = { DEF, DEF, THEME_REVERSE },
    [ELEM_LOG_STREAM_0] = { DEF, DEF, 0 },
    [ELEM_LOG_STREAM_1] = { DEF, DEF, THEME_BOLD },
    [ELEM_LOG_STREAM_2] = { DEF, DEF, THEME_UNDERLINE },
    [ELEM_LOG_STREAM_3] = { DEF, DEF, THEME_ITALIC },
    [ELEM_LOG_STREAM_4] = { DEF, DEF, THEME_BOLD | THEME_UNDERLINE },
    [ELEM_LOG_STREAM_5] = { DEF, DEF, THEME_BOLD | THEME_ITALIC },
    [ELEM_LOG_STREAM_6] = { DEF, DEF, THEME_UNDERLINE | THEME_ITALIC },
    [ELEM_LOG_STREAM_7] = { DEF, DEF, THEME_DIM },
};
/* clang-format on */

static const char *const color_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", THEME_BOLD},           {"dim", THEME_DIM},       {"reverse", THEME_REVERSE},
    {"underline", THEME_UNDERLINE}, {"italic", THEME_ITALIC}, {"blink", THEME_BLINK},
    {"standout", THEME_STANDOUT},
};

const char *
theme_element_name(enum theme_element elem)
{
    return (unsigned)elem < ELEM_COUNT ? element_names[elem] : NULL;
}

bool
theme_element_parse(const char *name, enum theme_element *out)
{
    for (size_t i = 0; i < ELEM_COUNT; i++) {
        if (strcmp(element_names[i], name) == 0) {
            *out = (enum theme_element)i;
            return true;
        }
    }
    return false;
}

void
theme_init_default(struct theme *t)
{
    memcpy(t->style, default_theme, sizeof(t->style));
    t->mono = false;
}

void
theme_init_mono(struct theme *t)
{
    memcpy(t->style, mono_theme, sizeof(t->style));
    t->mono = true;
}

bool
theme_env_no_color(void)
{
    const char *v = getenv("NO_COLOR");

    return v && *v;
}

/*
 * Theme files
 */

static bool
parse_color(const char *s, short *out)
{
    char *end;
    long n;

    if (strcasecmp(s, "default") == 0) {
        *out = THEME_COLOR_DEFAULT;
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(color_names); i++) {
        if (strcasecmp(s, color_names[i]) == 0) {
            *out = (short)i;
            return true;
        }
        if (strncasecmp(s, "bright-", 7) == 0 && strcasecmp(s + 7, color_names[i]) == 0) {
            *out = (short)(i + 8);
            return true;
        }
    }
    if (strncasecmp(s, "color", 5) == 0)
        s += 5;
    if (*s < '0' || *s > '9')
        return false;
    n = strtol(s, &end, 10);
    if (*end || n < 0 || n > 255)
        return false;
    *out = (short)n;
    return true;
}

static bool
parse_attr(const char *s, unsigned *bits)
{
    if (strcasecmp(s, "normal") == 0)
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(attr_names); i++) {
        if (strcasecmp(s, attr_names[i].name) == 0) {
            *bits |= attr_names[i].bit;
            return true;
        }
    }
    return false;
}

static char *
next_word(char **p)
{
    char *s = *p, *start;

    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return NULL;
    start = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return start;
}

/* One line (modified in place); false with *why set when bad. */
static bool
parse_line(struct theme *t, char *line, struct strbuf *why)
{
    char *p = line, *word, *name, *fg, *bg;
    struct theme_style st = {DEF, DEF, 0};
    enum theme_element elem;

    word = next_word(&p);
    if (!word || word[0] == '#')
        return true;
    if (strcmp(word, "color") != 0) {
        strbuf_printf(why, "unknown directive '%s' (expected: color <element> <fg> <bg> [attr...])",
                      word);
        return false;
    }
    name = next_word(&p);
    fg = next_word(&p);
    bg = next_word(&p);
    if (!name || !fg || !bg) {
        strbuf_puts(why, "expected: color <element> <fg> <bg> [attr...]");
        return false;
    }
    if (!theme_element_parse(name, &elem)) {
        strbuf_printf(why, "unknown element '%s'", name);
        return false;
    }
    if (!parse_color(fg, &st.fg)) {
        strbuf_printf(why, "unknown colour '%s'", fg);
        return false;
    }
    if (!parse_color(bg, &st.bg)) {
        strbuf_printf(why, "unknown colour '%s'", bg);
        return false;
    }
    while ((word = next_word(&p)) != NULL) {
        if (word[0] == '#')
            break;
        if (!parse_attr(word, &st.attrs)) {
            strbuf_printf(why, "unknown attribute '%s'", word);
            return false;
        }
    }
    if (t->mono)
        st.fg = st.bg = DEF;
    t->style[elem] = st;
    return true;
}

unsigned
theme_load(struct theme *t, const char *text, const char *origin, theme_warn_fn warn, void *arg)
{
    struct strbuf line, why;
    unsigned lineno = 0, bad = 0;
    const char *p = text;

    strbuf_init(&line);
    strbuf_init(&why);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        lineno++;
        strbuf_reset(&line);
        strbuf_append(&line, p, len);
        if (line.len && line.buf[line.len - 1] == '\r')
            line.buf[--line.len] = '\0';
        strbuf_reset(&why);
        if (!parse_line(t, line.buf, &why)) {
            bad++;
            if (warn) {
                char *msg = xasprintf("%s:%u: %s", origin, lineno, strbuf_str(&why));

                warn(arg, msg);
                free(msg);
            }
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    strbuf_done(&line);
    strbuf_done(&why);
    return bad;
}

enum status
theme_load_file(struct theme *t, const char *path, theme_warn_fn warn, void *arg, unsigned *bad)
{
    struct strbuf sb;
    enum status st;

    *bad = 0;
    strbuf_init(&sb);
    st = strbuf_read_file(&sb, path, 0, true);
    if (st == STATUS_OK)
        *bad = theme_load(t, strbuf_str(&sb), path, warn, arg);
    strbuf_done(&sb);
    return st;
}

/*
 * Curses: one pair per element, then one per element under the cursor
 */

static struct theme active;
static bool active_color;

/* Pair numbers: 1 + elem, and 1 + ELEM_COUNT + elem under the cursor. */
#define PAIR_OF(elem, cursor) ((short)(1 + (cursor ? ELEM_COUNT : 0) + (int)(elem)))

static const unsigned char basic_rgb[8][3] = {
    {0, 0, 0},   {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
    {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
};

/* The xterm palette value of colour n (16..255). */
static void
xterm_rgb(int n, int rgb[3])
{
    static const int cube[6] = {0, 95, 135, 175, 215, 255};

    if (n >= 232) {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (n - 232);
    } else {
        n -= 16;
        rgb[0] = cube[n / 36];
        rgb[1] = cube[(n / 6) % 6];
        rgb[2] = cube[n % 6];
    }
}

/* A colour the terminal can show: itself, or the nearest basic one. */
static short
fit_color(short c)
{
    int rgb[3], best = 0;
    long best_d = -1;

    if (c < 0 || c < COLORS)
        return c;
    if (c < 16)
        return (short)(c - 8);
    xterm_rgb(c, rgb);
    for (int i = 0; i < 8; i++) {
        long d = 0;

        for (int k = 0; k < 3; k++)
            d += (long)(rgb[k] - basic_rgb[i][k]) * (rgb[k] - basic_rgb[i][k]);
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return (short)best;
}

static attr_t
curses_attrs(unsigned bits)
{
    attr_t a = A_NORMAL;

    if (bits & THEME_BOLD)
        a |= A_BOLD;
    if (bits & THEME_DIM)
        a |= A_DIM;
    if (bits & THEME_REVERSE)
        a |= A_REVERSE;
    if (bits & THEME_UNDERLINE)
        a |= A_UNDERLINE;
    if (bits & THEME_ITALIC)
        a |= A_ITALIC;
    if (bits & THEME_BLINK)
        a |= A_BLINK;
    if (bits & THEME_STANDOUT)
        a |= A_STANDOUT;
    return a;
}

void
theme_apply(const struct theme *t)
{
    const struct theme_style *cur = &t->style[ELEM_CURSOR];

    active = *t;
    active_color = has_colors() && COLOR_PAIRS > 2 * ELEM_COUNT;
    if (!active_color)
        return;
    /* Pairs exist in the mono theme too (default colours): the pair number
     * is what tells :save-display-attrs which element painted a cell. */
    for (int i = 0; i < ELEM_COUNT; i++) {
        const struct theme_style *st = &t->style[i];
        short fg = t->mono ? DEF : fit_color(st->fg), bg = t->mono ? DEF : fit_color(st->bg);
        short cfg = t->mono ? DEF : fit_color(st->fg != DEF ? st->fg : cur->fg);
        short cbg = t->mono ? DEF : fit_color(cur->bg);

        init_pair(PAIR_OF(i, false), fg, bg);
        init_pair(PAIR_OF(i, true), cfg, cbg);
    }
}

bool
theme_uses_color(void)
{
    return active_color && !active.mono;
}

attr_t
theme_attr(enum theme_element elem, bool cursor)
{
    unsigned bits = active.style[elem].attrs;

    if (cursor)
        bits |= active.style[ELEM_CURSOR].attrs;
    if (!active_color)
        return curses_attrs(bits);
    return curses_attrs(bits) | COLOR_PAIR(PAIR_OF(elem, cursor));
}

static void
describe_color(struct strbuf *out, const char *what, short c)
{
    if (c < 0)
        return;
    if (c < 8)
        strbuf_printf(out, " %s=%s", what, color_names[c]);
    else if (c < 16)
        strbuf_printf(out, " %s=bright-%s", what, color_names[c - 8]);
    else
        strbuf_printf(out, " %s=%d", what, c);
}

void
theme_describe_cell(unsigned long attrs, short pair, struct strbuf *out)
{
    static const struct {
        attr_t a;
        const char *name;
    } names[] = {
        {A_BOLD, "bold"},           {A_DIM, "dim"},       {A_REVERSE, "reverse"},
        {A_UNDERLINE, "underline"}, {A_ITALIC, "italic"}, {A_BLINK, "blink"},
    };
    short fg, bg;

    if (pair >= 1 && pair <= 2 * ELEM_COUNT) {
        int e = (pair - 1) % ELEM_COUNT;

        if (pair > ELEM_COUNT)
            strbuf_puts(out, "cursor+");
        strbuf_puts(out, element_names[e]);
        if (pair_content(pair, &fg, &bg) == OK) {
            describe_color(out, "fg", fg);
            describe_color(out, "bg", bg);
        }
    } else {
        strbuf_puts(out, pair ? "?" : "plain");
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (attrs & names[i].a)
            strbuf_printf(out, " %s", names[i].name);
}
