/* SPDX-License-Identifier: MIT */
/* prompt.c - line editing over code points, history walk, first-word completion */
#include "config.h"

#include "opsdeck/prompt.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/keymap.h"
#include "opsdeck/macros.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

struct prompt {
    char *name;
    int *cp;              /* the text, as code points */
    size_t len, cap, cur; /* cur: cursor index into cp */
    char **history;       /* newest first, owned */
    size_t nhistory;
    long hpos;   /* -1: editing the draft; else index into history */
    char *draft; /* what was typed before walking the history */
    prompt_complete_fn complete;
    void *complete_arg;
    struct strbuf text; /* UTF-8 of cp, rebuilt on demand */
    bool text_stale;
    struct strbuf hint;
};

static size_t
encode(int c, char *out)
{
    unsigned v = (unsigned)c;

    if (v < 0x80) {
        out[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (char)(0xC0 | (v >> 6));
        out[1] = (char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (char)(0xE0 | (v >> 12));
        out[1] = (char)(0x80 | ((v >> 6) & 0x3F));
        out[2] = (char)(0x80 | (v & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (v >> 18));
    out[1] = (char)(0x80 | ((v >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((v >> 6) & 0x3F));
    out[3] = (char)(0x80 | (v & 0x3F));
    return 4;
}

/* Replaces the text with the UTF-8 s (invalid bytes become U+FFFD). */
static void
set_text(struct prompt *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");

    p->len = 0;
    while (*u) {
        int c = *u, n = 1;

        if (c >= 0xC2 && c <= 0xF4) {
            int need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1, v = c & (0x3F >> need);

            for (n = 1; n <= need && (u[n] & 0xC0) == 0x80; n++)
                v = (v << 6) | (u[n] & 0x3F);
            c = n == need + 1 ? v : 0xFFFD;
        } else if (c >= 0x80) {
            c = 0xFFFD;
        }
        p->cp = xgrow(p->cp, &p->cap, p->len + 1, sizeof(*p->cp));
        p->cp[p->len++] = c;
        u += n;
    }
    p->cur = p->len;
    p->text_stale = true;
}

static void
free_history(struct prompt *p)
{
    strv_free(p->history);
    p->history = NULL;
    p->nhistory = 0;
}

struct prompt *
prompt_new(const char *name)
{
    struct prompt *p = xcalloc(1, sizeof(*p));

    p->name = xstrdup(name);
    p->hpos = -1;
    strbuf_init(&p->text);
    strbuf_init(&p->hint);
    return p;
}

void
prompt_free(struct prompt *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->cp);
    free(p->draft);
    free_history(p);
    strbuf_done(&p->text);
    strbuf_done(&p->hint);
    free(p);
}

void
prompt_start(struct prompt *p, const char *text, char **history)
{
    free_history(p);
    p->history = history;
    while (history && history[p->nhistory])
        p->nhistory++;
    p->hpos = -1;
    free(p->draft);
    p->draft = NULL;
    strbuf_reset(&p->hint);
    set_text(p, text);
}

void
prompt_set_completer(struct prompt *p, prompt_complete_fn fn, void *arg)
{
    p->complete = fn;
    p->complete_arg = arg;
}

const char *
prompt_name(const struct prompt *p)
{
    return p->name;
}

const char *
prompt_text(struct prompt *p)
{
    if (p->text_stale) {
        char buf[4];

        strbuf_reset(&p->text);
        for (size_t i = 0; i < p->len; i++)
            strbuf_append(&p->text, buf, encode(p->cp[i], buf));
        p->text_stale = false;
    }
    return strbuf_str(&p->text);
}

const char *
prompt_hint(const struct prompt *p)
{
    return strbuf_str(&p->hint);
}

static void
insert(struct prompt *p, const int *c, size_t n)
{
    p->cp = xgrow(p->cp, &p->cap, p->len + n, sizeof(*p->cp));
    memmove(&p->cp[p->cur + n], &p->cp[p->cur], (p->len - p->cur) * sizeof(*p->cp));
    memcpy(&p->cp[p->cur], c, n * sizeof(*c));
    p->len += n;
    p->cur += n;
    p->text_stale = true;
}

/* Deletes [from, to). */
static void
erase(struct prompt *p, size_t from, size_t to)
{
    memmove(&p->cp[from], &p->cp[to], (p->len - to) * sizeof(*p->cp));
    p->len -= to - from;
    if (p->cur > to)
        p->cur -= to - from;
    else if (p->cur > from)
        p->cur = from;
    p->text_stale = true;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_space(int c)
{
    return c == ' ' || c == '\t';
}

/* Steps through the history: +1 older, -1 newer. */
static enum prompt_result
walk_history(struct prompt *p, int dir)
{
    long to = p->hpos + dir;

    if (to < -1 || to >= (long)p->nhistory)
        return PROMPT_IGNORED;
    if (p->hpos == -1) {
        free(p->draft);
        p->draft = xstrdup(prompt_text(p));
    }
    p->hpos = to;
    set_text(p, to == -1 ? p->draft : p->history[to]);
    return PROMPT_EDITED;
}

/* Completes the first word from the candidates. */
static enum prompt_result
complete(struct prompt *p)
{
    struct vec cands;
    char *word;
    size_t end = 0, common;
    enum prompt_result res = PROMPT_IGNORED;
    char buf[4];
    struct strbuf sb;

    if (!p->complete)
        return PROMPT_IGNORED;
    while (end < p->len && !is_space(p->cp[end]))
        end++;
    if (p->cur != end)
        return PROMPT_IGNORED; /* only at the end of the first word */
    strbuf_init(&sb);
    for (size_t i = 0; i < end; i++)
        strbuf_append(&sb, buf, encode(p->cp[i], buf));
    word = strbuf_detach(&sb);
    if (!word)
        word = xstrdup("");
    vec_init(&cands, free);
    p->complete(p->complete_arg, word, &cands);
    if (cands.len == 0)
        goto out;
    vec_sort(&cands, cmp_str);
    common = strlen(cands.items[0]);
    for (size_t i = 1; i < cands.len; i++) {
        const char *a = cands.items[0], *b = cands.items[i];
        size_t k = 0;

        while (k < common && a[k] == b[k])
            k++;
        common = k;
    }
    /* never cut a UTF-8 sequence */
    while (common > 0 && (((const unsigned char *)cands.items[0])[common] & 0xC0) == 0x80)
        common--;
    {
        char *stem = xstrndup(cands.items[0], common);

        if (strlen(stem) > strlen(word) || cands.len == 1) {
            char *rest = xasprintf("%s%s", stem, cands.len == 1 ? " " : "");
            struct prompt tmp = {0};

            /* replace the first word */
            erase(p, 0, end);
            p->cur = 0;
            set_text(&tmp, rest);
            insert(p, tmp.cp, tmp.len);
            free(tmp.cp);
            free(rest);
            res = PROMPT_EDITED;
        }
        free(stem);
    }
    if (cands.len > 1) {
        for (size_t i = 0; i < cands.len; i++) {
            if (i)
                strbuf_puts(&p->hint, "  ");
            strbuf_puts(&p->hint, cands.items[i]);
        }
        if (res == PROMPT_IGNORED)
            res = PROMPT_MOVED; /* something to show */
    }
out:
    vec_done(&cands);
    free(word);
    return res;
}

enum prompt_result
prompt_key(struct prompt *p, int key)
{
    size_t i;

    strbuf_reset(&p->hint);
    switch (key) {
    case KEYC_ENTER:
        return PROMPT_ACCEPT;
    case KEYC_ESC:
        return PROMPT_CANCEL;
    case KEYC_LEFT:
    case KEYC_CTRL('b'):
        if (p->cur == 0)
            return PROMPT_IGNORED;
        p->cur--;
        return PROMPT_MOVED;
    case KEYC_RIGHT:
    case KEYC_CTRL('f'):
        if (p->cur == p->len)
            return PROMPT_IGNORED;
        p->cur++;
        return PROMPT_MOVED;
    case KEYC_HOME:
    case KEYC_CTRL('a'):
        p->cur = 0;
        return PROMPT_MOVED;
    case KEYC_END:
    case KEYC_CTRL('e'):
        p->cur = p->len;
        return PROMPT_MOVED;
    case KEYC_BACKSPACE:
    case KEYC_CTRL('h'):
        if (p->cur == 0)
            return PROMPT_IGNORED;
        erase(p, p->cur - 1, p->cur);
        return PROMPT_EDITED;
    case KEYC_DEL:
    case KEYC_CTRL('d'):
        if (p->cur == p->len)
            return PROMPT_IGNORED;
        erase(p, p->cur, p->cur + 1);
        return PROMPT_EDITED;
    case KEYC_CTRL('u'):
        if (p->cur == 0)
            return PROMPT_IGNORED;
        erase(p, 0, p->cur);
        return PROMPT_EDITED;
    case KEYC_CTRL('k'):
        if (p->cur == p->len)
            return PROMPT_IGNORED;
        erase(p, p->cur, p->len);
        return PROMPT_EDITED;
    case KEYC_CTRL('w'):
        i = p->cur;
        while (i > 0 && is_space(p->cp[i - 1]))
            i--;
        while (i > 0 && !is_space(p->cp[i - 1]))
            i--;
        if (i == p->cur)
            return PROMPT_IGNORED;
        erase(p, i, p->cur);
        return PROMPT_EDITED;
    case KEYC_UP:
    case KEYC_CTRL('p'):
        return walk_history(p, +1);
    case KEYC_DOWN:
    case KEYC_CTRL('n'):
        return walk_history(p, -1);
    case KEYC_TAB:
        return complete(p);
    default:
        break;
    }
    if (key >= 0x20 && key != 0x7F && key < 0x110000 && !(key >= 0x80 && key < 0xA0)) {
        insert(p, &key, 1);
        return PROMPT_EDITED;
    }
    return PROMPT_IGNORED;
}

void
prompt_render(struct prompt *p, size_t width, unsigned sanitize_flags, struct strbuf *out,
              size_t *cursor_col)
{
    struct strbuf before, after;
    char buf[4];
    size_t wname, wbefore, skip_bytes = 0, skipped = 0, avail;

    strbuf_init(&before);
    strbuf_init(&after);
    wname = sanitize_append(out, p->name, strlen(p->name), sanitize_flags);
    for (size_t i = 0; i < p->cur; i++)
        strbuf_append(&before, buf, encode(p->cp[i], buf));
    for (size_t i = p->cur; i < p->len; i++)
        strbuf_append(&after, buf, encode(p->cp[i], buf));
    {
        struct strbuf clean;

        /* measure what will be shown: sanitised */
        strbuf_init(&clean);
        wbefore = sanitize_append(&clean, before.buf, before.len, sanitize_flags);
        strbuf_reset(&before);
        strbuf_append(&before, strbuf_str(&clean), clean.len);
        strbuf_done(&clean);
    }
    avail = width > wname + 1 ? width - wname - 1 : 1; /* one column for the cursor */
    if (wbefore > avail) {
        size_t need = wbefore - avail;

        /* a wide character across the boundary goes whole */
        for (size_t cols = need; skipped < need; cols++)
            skip_bytes = sanitize_skip_cols(before.buf, before.len, cols, 0, &skipped);
    }
    strbuf_append(out, before.buf ? before.buf + skip_bytes : "", before.len - skip_bytes);
    *cursor_col = wname + wbefore - skipped;
    if (width > *cursor_col)
        sanitize_fit(out, after.buf ? after.buf : "", after.len, width - *cursor_col,
                     sanitize_flags);
    strbuf_done(&before);
    strbuf_done(&after);
}
