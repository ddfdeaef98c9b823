/* SPDX-License-Identifier: MIT */
/* keymap.c - key names, keymap sections, and the `bind` file parser */
#include "config.h"

#include "opsdeck/keymap.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opsdeck/macros.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * The defaults, in the user's syntax and loaded by the same parser: k9s
 * letters first, vi movement, htop F-keys (peers.md §4.4). The "problems
 * only" toggle is `!` (k9s uses Ctrl-Z, which the terminal keeps for
 * suspend); pause is htop's `Z`.
 */
/* clang-format off */
static const char default_keymap[] =
    "# generic: every view\n"
    "bind generic q quit\n"
    "bind generic <C-c> quit\n"
    "bind generic <F10> quit\n"
    "bind generic ? help\n"
    "bind generic <F1> help\n"
    "bind generic : prompt\n"
    "bind generic <Esc> back\n"
    "bind generic <C-r> refresh\n"
    "bind generic <F5> refresh\n"
    "bind generic <C-l> redraw\n"
    "bind generic a view-alerts\n"
    "bind generic j move-down\n"
    "bind generic <Down> move-down\n"
    "bind generic k move-up\n"
    "bind generic <Up> move-up\n"
    "bind generic <PgDn> move-page-down\n"
    "bind generic <C-f> move-page-down\n"
    "bind generic <PgUp> move-page-up\n"
    "bind generic <C-b> move-page-up\n"
    "bind generic g move-first\n"
    "bind generic <Home> move-first\n"
    "bind generic G move-last\n"
    "bind generic <End> move-last\n"
    "# table: lists of objects\n"
    "bind table <Enter> enter\n"
    "bind table d detail\n"
    "bind table / filter\n"
    "bind table <F4> filter\n"
    "bind table <F3> search\n"
    "bind table n search-next\n"
    "bind table N sort-name\n"
    "bind table A sort-age\n"
    "bind table S sort-status\n"
    "bind table > sort-next\n"
    "bind table <F6> sort-next\n"
    "bind table < sort-prev\n"
    "bind table I sort-invert\n"
    "bind table ! toggle-problems\n"
    "bind table <F7> toggle-problems\n"
    "bind table Z toggle-pause\n"
    "bind table <F8> toggle-pause\n"
    "# text: detail, help, errors\n"
    "bind text / search\n"
    "bind text <F3> search\n"
    "bind text n search-next\n"
    "bind text N search-prev\n"
    "bind text w toggle-wrap\n"
    "bind text <F6> toggle-wrap\n"
    "bind text <Left> scroll-left\n"
    "bind text <Right> scroll-right\n"
    "# detail: one object\n"
    "bind detail y toggle-yaml\n"
    "# logs: a LogQL query (views/logs.c); `l` on a row opens its logs\n"
    "bind nodes l logs\n"
    "bind tenants l logs\n"
    "bind projects l logs\n"
    "bind workloads l logs\n"
    "bind pods l logs\n"
    "bind builds l logs\n"
    "bind logs e log-query\n"
    "bind logs <F2> log-query\n"
    "bind logs r log-range\n"
    "bind logs f toggle-follow\n"
    "bind logs <F7> toggle-follow\n"
    "bind logs t toggle-timestamps\n"
    "bind logs v toggle-raw\n"
    "bind logs & filter\n"
    "bind logs <F4> filter\n"
    "bind logs s save\n"
    "bind logs <F9> save\n";
/* clang-format on */

const char *
keymap_default_text(void)
{
    return default_keymap;
}

/*
 * Key names
 */

/* clang-format off */
static const struct {
    const char *name;
    int key;
} key_names[] = {
    { "Enter", KEYC_ENTER },   { "Esc", KEYC_ESC },       { "Tab", KEYC_TAB },
    { "BackTab", KEYC_BACKTAB }, { "Space", ' ' },        { "Backspace", KEYC_BACKSPACE },
    { "Del", KEYC_DEL },       { "Ins", KEYC_INS },       { "Up", KEYC_UP },
    { "Down", KEYC_DOWN },     { "Left", KEYC_LEFT },     { "Right", KEYC_RIGHT },
    { "PgUp", KEYC_PGUP },     { "PgDn", KEYC_PGDN },     { "Home", KEYC_HOME },
    { "End", KEYC_END },       { "lt", '<' },             { "Hash", '#' },
    /* accepted on input only (the names above come first for output) */
    { "Escape", KEYC_ESC },    { "Return", KEYC_ENTER },  { "S-Tab", KEYC_BACKTAB },
    { "BS", KEYC_BACKSPACE },  { "Delete", KEYC_DEL },    { "Insert", KEYC_INS },
    { "PageUp", KEYC_PGUP },   { "PageDown", KEYC_PGDN },
};
/* clang-format on */

/* Decodes one UTF-8 character; returns its length or 0 when invalid. */
static size_t
utf8_char(const char *s, int *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    int v;

    if (u[0] < 0x80) {
        *cp = u[0];
        return u[0] ? 1 : 0;
    }
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        n = 2, v = u[0] & 0x1F;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        n = 3, v = u[0] & 0x0F;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        n = 4, v = u[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    *cp = v;
    return n;
}

bool
key_parse(const char *name, int *key)
{
    size_t len = strlen(name), n;
    int cp;

    if (len == 0)
        return false;
    n = utf8_char(name, &cp);
    if (n == len) {
        if (cp < 0x20 || cp == 0x7F || cp == ' ')
            return false; /* controls and space have names */
        *key = cp;
        return true;
    }
    if (name[0] != '<' || name[len - 1] != '>' || len < 3)
        return false;
    {
        char inner[32];
        size_t ilen = len - 2;

        if (ilen >= sizeof(inner))
            return false;
        memcpy(inner, name + 1, ilen);
        inner[ilen] = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(key_names); i++) {
            if (strcasecmp(inner, key_names[i].name) == 0) {
                *key = key_names[i].key;
                return true;
            }
        }
        if ((inner[0] == 'F' || inner[0] == 'f') && isdigit((unsigned char)inner[1])) {
            char *end;
            long f = strtol(inner + 1, &end, 10);

            if (*end == '\0' && f >= 1 && f <= 12) {
                *key = KEYC_F((int)f);
                return true;
            }
            return false;
        }
        if ((inner[0] == 'C' || inner[0] == 'c') && inner[1] == '-' && inner[2] && !inner[3]) {
            int c = inner[2];

            if (isalpha(c))
                c = tolower(c);
            if ((c >= 'a' && c <= 'z') || c == '[' || c == '\\' || c == ']' || c == '^' ||
                c == '_') {
                int k = c >= 'a' && c <= 'z' ? c - 'a' + 1 : KEYC_CTRL(c);

                *key = k == '\r' ? KEYC_ENTER : k;
                return true;
            }
        }
    }
    return false;
}

void
key_format(int key, char *buf, size_t size)
{
    if (key == ' ' || key == '<' || key == '#' || key == KEYC_ENTER || key == KEYC_ESC ||
        key == KEYC_TAB || (key > KEYC_BASE_ && key < KEYC_F1)) {
        for (size_t i = 0; i < ARRAY_SIZE(key_names); i++) {
            if (key_names[i].key == key) {
                snprintf(buf, size, "<%s>", key_names[i].name);
                return;
            }
        }
    }
    if (key >= KEYC_F1 && key <= KEYC_F12) {
        snprintf(buf, size, "<F%d>", key - KEYC_F1 + 1);
    } else if (key >= 1 && key < 0x20) {
        snprintf(buf, size, "<C-%c>", key <= 26 ? 'a' + key - 1 : '@' + key);
    } else if (key > 0x20 && key < 0x7F) {
        snprintf(buf, size, "%c", key);
    } else if (key >= 0x80 && key < KEYC_BASE_) {
        char u[5] = {0};
        unsigned v = (unsigned)key;

        if (v < 0x800) {
            u[0] = (char)(0xC0 | (v >> 6));
            u[1] = (char)(0x80 | (v & 0x3F));
        } else if (v < 0x10000) {
            u[0] = (char)(0xE0 | (v >> 12));
            u[1] = (char)(0x80 | ((v >> 6) & 0x3F));
            u[2] = (char)(0x80 | (v & 0x3F));
        } else {
            u[0] = (char)(0xF0 | (v >> 18));
            u[1] = (char)(0x80 | ((v >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((v >> 6) & 0x3F));
            u[3] = (char)(0x80 | (v & 0x3F));
        }
        snprintf(buf, size, "%s", u);
    } else {
        snprintf(buf, size, "<0x%x>", (unsigned)key);
    }
}

/*
 * Keymaps
 */

struct binding {
    int key;
    enum request req;
    char *cmd; /* owned, or NULL */
};

struct section {
    char *name;
    struct binding *b; /* sorted by key */
    size_t n, cap;
};

struct keymap {
    struct vec sections; /* of struct section *, owned */
};

static void
section_free(void *p)
{
    struct section *s = p;

    for (size_t i = 0; i < s->n; i++)
        free(s->b[i].cmd);
    free(s->b);
    free(s->name);
    free(s);
}

struct keymap *
keymap_new(void)
{
    struct keymap *km = xcalloc(1, sizeof(*km));

    vec_init(&km->sections, section_free);
    return km;
}

void
keymap_free(struct keymap *km)
{
    if (!km)
        return;
    vec_done(&km->sections);
    free(km);
}

static struct section *
find_section(const struct keymap *km, const char *name)
{
    for (size_t i = 0; i < km->sections.len; i++) {
        struct section *s = km->sections.items[i];

        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

/* Index of key in s, or where it would go (*found false). */
static size_t
find_binding(const struct section *s, int key, bool *found)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->b[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < s->n && s->b[lo].key == key;
    return lo;
}

void
keymap_bind(struct keymap *km, const char *section, int key, enum request req, const char *cmd)
{
    struct section *s = find_section(km, section);
    struct binding *b;
    size_t at;
    bool found;

    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->name = xstrdup(section);
        vec_push(&km->sections, s);
    }
    at = find_binding(s, key, &found);
    if (found) {
        b = &s->b[at];
        free(b->cmd);
    } else {
        s->b = xgrow(s->b, &s->cap, s->n + 1, sizeof(*s->b));
        memmove(&s->b[at + 1], &s->b[at], (s->n - at) * sizeof(*s->b));
        s->n++;
        b = &s->b[at];
    }
    b->key = key;
    b->req = cmd ? REQ_NONE : req;
    b->cmd = xstrdup(cmd);
}

bool
keymap_lookup(const struct keymap *km, const char *const *sections, int key,
              struct keymap_action *out)
{
    for (size_t i = 0; sections[i]; i++) {
        const struct section *s = find_section(km, sections[i]);
        size_t at;
        bool found;

        if (!s)
            continue;
        at = find_binding(s, key, &found);
        if (found) {
            out->req = s->b[at].req;
            out->cmd = s->b[at].cmd;
            return true;
        }
    }
    return false;
}

bool
keymap_binding(const struct keymap *km, const char *section, size_t i, int *key,
               struct keymap_action *action)
{
    const struct section *s = find_section(km, section);

    if (!s || i >= s->n)
        return false;
    *key = s->b[i].key;
    action->req = s->b[i].req;
    action->cmd = s->b[i].cmd;
    return true;
}

/*
 * The parser
 */

static void warn_line(keymap_warn_fn warn, void *arg, const char *origin, unsigned lineno,
                      const char *fmt, ...) ATTR_FORMAT(5, 6);

static void
warn_line(keymap_warn_fn warn, void *arg, const char *origin, unsigned lineno, const char *fmt, ...)
{
    struct strbuf sb;
    va_list ap;

    if (!warn)
        return;
    strbuf_init(&sb);
    strbuf_printf(&sb, "%s:%u: ", origin, lineno);
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    warn(arg, strbuf_str(&sb));
    strbuf_done(&sb);
}

/* Splits off the next whitespace-separated word of *p (NUL-terminating it
 * in place); NULL at the end of the line. */
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

static bool
section_name_ok(const char *name, const char *const *sections)
{
    if (sections)
        return strv_contains(sections, name);
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return *name != '\0';
}

/* Parses one line (modified in place); false with *why set when bad. */
static bool
parse_line(struct keymap *km, char *line, const char *const *sections, struct strbuf *why)
{
    char *p = line, *word, *section, *keyname, *action, *rest;
    enum request req = REQ_NONE;
    int key;

    word = next_word(&p);
    if (!word || word[0] == '#')
        return true;
    if (strcmp(word, "bind") != 0) {
        strbuf_printf(why, "unknown directive '%s' (expected: bind <keymap> <key> <request>)",
                      word);
        return false;
    }
    section = next_word(&p);
    keyname = next_word(&p);
    while (*p == ' ' || *p == '\t')
        p++;
    if (!section || !keyname || !*p) {
        strbuf_puts(why, "expected: bind <keymap> <key> <request>");
        return false;
    }
    if (!section_name_ok(section, sections)) {
        strbuf_printf(why, "unknown keymap '%s'", section);
        return false;
    }
    if (!key_parse(keyname, &key)) {
        strbuf_printf(why, "unknown key '%s'", keyname);
        return false;
    }
    if (*p == ':') {
        size_t len = strlen(p + 1);

        while (len && (p[len] == ' ' || p[len] == '\t'))
            p[len--] = '\0';
        if (!len) {
            strbuf_puts(why, "empty command after ':'");
            return false;
        }
        keymap_bind(km, section, key, REQ_NONE, p + 1);
        return true;
    }
    action = next_word(&p);
    rest = next_word(&p);
    if (rest && rest[0] != '#') {
        strbuf_printf(why, "unexpected '%s' after the request", rest);
        return false;
    }
    if (!request_parse(action, &req)) {
        strbuf_printf(why, "unknown request '%s'", action);
        return false;
    }
    keymap_bind(km, section, key, req, NULL);
    return true;
}

unsigned
keymap_load(struct keymap *km, const char *text, const char *origin, const char *const *sections,
            keymap_warn_fn warn, void *arg)
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
        if (!parse_line(km, line.buf, sections, &why)) {
            bad++;
            warn_line(warn, arg, origin, lineno, "%s", strbuf_str(&why));
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
keymap_load_file(struct keymap *km, const char *path, const char *const *sections,
                 keymap_warn_fn warn, void *arg, unsigned *bad)
{
    struct strbuf sb;
    enum status st;

    *bad = 0;
    strbuf_init(&sb);
    st = strbuf_read_file(&sb, path, 0, true);
    if (st == STATUS_OK)
        *bad = keymap_load(km, strbuf_str(&sb), path, sections, warn, arg);
    strbuf_done(&sb);
    return st;
}
