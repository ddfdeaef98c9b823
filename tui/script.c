/* SPDX-License-Identifier: MIT */
/* script.c - parsing test scripts into key and directive steps */
#include "config.h"

#include "opsdeck/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/keymap.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

struct script {
    struct script_step *steps;
    size_t n, cap, pos;
};

static void
step_done(struct script_step *st)
{
    free(st->text);
    free(st->keys);
    free(st->name);
}

void
script_free(struct script *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        step_done(&s->steps[i]);
    free(s->steps);
    free(s);
}

/* One UTF-8 character at p as a code point; its length in *n. */
static int
utf8_at(const char *p, size_t *n)
{
    const unsigned char *u = (const unsigned char *)p;
    int need, v;

    if (u[0] < 0x80) {
        *n = 1;
        return u[0];
    }
    need = u[0] >= 0xF0 ? 3 : u[0] >= 0xE0 ? 2 : 1;
    v = u[0] & (0x3F >> need);
    for (int i = 1; i <= need; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        v = (v << 6) | (u[i] & 0x3F);
    }
    *n = (size_t)need + 1;
    return v;
}

static enum status
parse_keys(struct script_step *st, const char *line, const char *origin)
{
    size_t cap = 0;
    const char *p = line;

    while (*p) {
        int key;
        size_t n;

        if (*p == '<' && p[1] && p[1] != '>' && strchr(p + 1, '>')) {
            const char *end = strchr(p + 1, '>');
            char *name = xstrndup(p, (size_t)(end - p) + 1);
            bool ok = key_parse(name, &key);

            if (!ok) {
                enum status rc =
                    status_fail(STATUS_USAGE, "%s:%u: unknown key %s", origin, st->lineno, name);

                free(name);
                return rc;
            }
            free(name);
            p = end + 1;
        } else {
            key = utf8_at(p, &n);
            p += n;
        }
        st->keys = xgrow(st->keys, &cap, st->nkeys + 1, sizeof(*st->keys));
        st->keys[st->nkeys++] = key;
    }
    return STATUS_OK;
}

static bool
is_directive(const char *line, const char *word, const char **rest)
{
    size_t n = strlen(word);

    if (line[0] != ':' || strncmp(line + 1, word, n) != 0)
        return false;
    if (line[n + 1] != '\0' && line[n + 1] != ' ' && line[n + 1] != '\t')
        return false;
    *rest = line + n + 1;
    while (**rest == ' ' || **rest == '\t')
        (*rest)++;
    return true;
}

static enum status
parse_step(struct script_step *st, const char *line, const char *origin)
{
    const char *rest;

    st->text = xstrdup(line);
    if (is_directive(line, "save-display-attrs", &rest) ||
        is_directive(line, "save-display", &rest)) {
        st->kind = strncmp(line, ":save-display-attrs", 19) == 0 ? SCRIPT_SAVE_ATTRS : SCRIPT_SAVE;
        if (!*rest || strchr(rest, '/') || strchr(rest, ' ') || strcmp(rest, "..") == 0)
            return status_fail(STATUS_USAGE, "%s:%u: expected a file name: %s", origin, st->lineno,
                               line);
        st->name = xstrdup(rest);
        return STATUS_OK;
    }
    if (is_directive(line, "resize", &rest)) {
        char extra;

        st->kind = SCRIPT_RESIZE;
        if (sscanf(rest, "%d %d %c", &st->cols, &st->lines, &extra) != 2 || st->cols < 1 ||
            st->lines < 1 || st->cols > 1000 || st->lines > 1000)
            return status_fail(STATUS_USAGE, "%s:%u: expected :resize COLS LINES", origin,
                               st->lineno);
        return STATUS_OK;
    }
    if (is_directive(line, "wait-for", &rest)) {
        st->kind = SCRIPT_WAIT_FOR;
        if (!*rest)
            return status_fail(STATUS_USAGE, "%s:%u: expected :wait-for TEXT", origin,
                               st->lineno);
        st->name = xstrdup(rest);
        return STATUS_OK;
    }
    if (is_directive(line, "barrier", &rest)) {
        st->kind = SCRIPT_BARRIER;
        if (!*rest || strchr(rest, '/') || strchr(rest, ' ') || strcmp(rest, "..") == 0)
            return status_fail(STATUS_USAGE, "%s:%u: expected :barrier NAME", origin, st->lineno);
        st->name = xstrdup(rest);
        return STATUS_OK;
    }
    if (is_directive(line, "wait", &rest) && !*rest) {
        st->kind = SCRIPT_WAIT;
        return STATUS_OK;
    }
    if (is_directive(line, "quit", &rest) && !*rest) {
        st->kind = SCRIPT_QUIT;
        return STATUS_OK;
    }
    st->kind = SCRIPT_KEYS;
    return parse_keys(st, line, origin);
}

enum status
script_parse(const char *text, const char *origin, struct script **out)
{
    struct script *s = xcalloc(1, sizeof(*s));
    struct strbuf line;
    const char *p = text;
    unsigned lineno = 0;
    enum status rc = STATUS_OK;

    strbuf_init(&line);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *l;

        lineno++;
        strbuf_reset(&line);
        strbuf_append(&line, p, len);
        p += len + (nl ? 1 : 0);
        l = line.buf;
        while (*l == ' ' || *l == '\t')
            l++;
        while (line.len && (line.buf[line.len - 1] == ' ' || line.buf[line.len - 1] == '\t' ||
                            line.buf[line.len - 1] == '\r'))
            line.buf[--line.len] = '\0';
        if (!*l || *l == '#')
            continue;
        s->steps = xgrow(s->steps, &s->cap, s->n + 1, sizeof(*s->steps));
        memset(&s->steps[s->n], 0, sizeof(s->steps[s->n]));
        s->steps[s->n].lineno = lineno;
        rc = parse_step(&s->steps[s->n], l, origin);
        s->n++;
        if (rc != STATUS_OK)
            break;
    }
    strbuf_done(&line);
    if (rc != STATUS_OK) {
        script_free(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

enum status
script_load(const char *path, struct script **out)
{
    struct strbuf sb;
    enum status rc;

    *out = NULL;
    strbuf_init(&sb);
    rc = strbuf_read_file(&sb, path, 0, false);
    if (rc == STATUS_OK)
        rc = script_parse(strbuf_str(&sb), path, out);
    strbuf_done(&sb);
    return rc;
}

const struct script_step *
script_next(struct script *s)
{
    return s->pos < s->n ? &s->steps[s->pos++] : NULL;
}

size_t
script_position(const struct script *s)
{
    return s->pos;
}

size_t
script_length(const struct script *s)
{
    return s->n;
}
