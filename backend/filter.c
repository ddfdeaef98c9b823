/* SPDX-License-Identifier: MIT */
/* filter.c - the `/` filter of every table: PCRE2 (JIT) regex, `!` inverse, `-l` selectors */
#include "config.h"

#include "opsdeck/filter.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "opsdeck/labelsel.h"
#include "opsdeck/xalloc.h"

/* A pathological pattern ("^(a|aa)+$") must not freeze the console: a field
 * that needs more backtracking than this simply does not match (about
 * 0.1 ms per field at worst here, against 18 ms for PCRE2's default limit).
 * Ordinary patterns over names and labels stay orders of magnitude below. */
#define MATCH_LIMIT   50000
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)

enum filter_mode { MODE_ALL, MODE_REGEX, MODE_LABELS };

struct filter {
    char *text; /* as compiled, owned */
    enum filter_mode mode;
    bool inverse;
    pcre2_code *re; /* MODE_REGEX */
    bool jit;       /* re was JIT-compiled */
    /* Reused by every match: filter_match allocates nothing. They are
     * written through a const filter, so one filter serves one thread. */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    struct labelsel *sel; /* MODE_LABELS */
};

/*
 * Smart case: an upper-case letter written as a literal makes the pattern
 * case-sensitive. Letters that are syntax do not count: escapes (\S, \W,
 * \N, \pL, \p{Lu}, \x{4A}, \k<Name>, \cA), group names ((?<Name>…),
 * (?P<Name>…), (?'Name'…), (?P=Name), (?&Name)). Text between \Q and \E is
 * literal and counts. Only ASCII letters are considered: Kubernetes names,
 * label keys and values and host names are ASCII, and the answer must not
 * depend on the locale.
 */
static const char *
skip_name(const char *p, char close)
{
    while (*p && *p != close)
        p++;
    return *p ? p + 1 : p;
}

static bool
pattern_has_upper(const char *p)
{
    while (*p) {
        if (*p == '\\') {
            char e = p[1];

            if (!e)
                break;
            p += 2;
            if (e == 'Q') {
                while (*p && !(p[0] == '\\' && p[1] == 'E')) {
                    if (*p >= 'A' && *p <= 'Z')
                        return true;
                    p++;
                }
                if (*p)
                    p += 2;
            } else if (strchr("pPxoNgku", e) && *p == '{') {
                p = skip_name(p + 1, '}');
            } else if ((e == 'k' || e == 'g') && (*p == '<' || *p == '\'')) {
                p = skip_name(p + 1, *p == '<' ? '>' : '\'');
            } else if ((e == 'p' || e == 'P' || e == 'c') && *p) {
                p++;
            }
            continue;
        }
        if (p[0] == '(' && p[1] == '?') {
            const char *q = p + 2;

            if (*q == 'P' && (q[1] == '<' || q[1] == '=' || q[1] == '>'))
                p = skip_name(q + 2, q[1] == '<' ? '>' : ')');
            else if (*q == '<' && q[1] != '=' && q[1] != '!')
                p = skip_name(q + 1, '>');
            else if (*q == '\'')
                p = skip_name(q + 1, '\'');
            else if (*q == '&')
                p = skip_name(q + 1, ')');
            else
                p = q;
            continue;
        }
        if (*p >= 'A' && *p <= 'Z')
            return true;
        p++;
    }
    return false;
}

/* Memcheck cannot follow JIT code: it reports PCRE2's word-wide reads of
 * the subject as uses of uninitialised memory. Under valgrind (its preload
 * library is in LD_PRELOAD) the interpreter runs instead, with the same
 * results. */
static bool
jit_wanted(void)
{
    const char *preload = getenv("LD_PRELOAD");

    return !(preload && strstr(preload, "vgpreload"));
}

static enum status
compile_regex(struct filter *f, const char *pattern, size_t base)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C;
    int err;
    PCRE2_SIZE erroff;

    if (!pattern_has_upper(pattern))
        opts |= PCRE2_CASELESS;
    f->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &erroff, NULL);
    if (!f->re) {
        PCRE2_UCHAR msg[256];

        if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
            strcpy((char *)msg, "unknown error");
        return status_fail(STATUS_INVALID, "filter: offset %zu: %s", base + (size_t)erroff,
                           (const char *)msg);
    }
    f->jit = jit_wanted() && pcre2_jit_compile(f->re, PCRE2_JIT_COMPLETE) == 0;
    f->md = pcre2_match_data_create(1, NULL);
    f->mctx = pcre2_match_context_create(NULL);
    if (!f->md || !f->mctx)
        xfatal("out of memory (pcre2)");
    pcre2_set_match_limit(f->mctx, MATCH_LIMIT);
    if (f->jit) {
        f->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
        if (!f->jit_stack)
            xfatal("out of memory (pcre2 JIT stack)");
        pcre2_jit_stack_assign(f->mctx, NULL, f->jit_stack);
    }
    f->mode = MODE_REGEX;
    return STATUS_OK;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

enum status
filter_compile(const char *text, struct filter **out)
{
    struct filter *f = xcalloc(1, sizeof(*f));
    size_t pos = 0;
    enum status st = STATUS_OK;

    *out = NULL;
    if (!text)
        text = "";
    f->text = xstrdup(text);
    f->mode = MODE_ALL;
    if (text[0] == '!') {
        f->inverse = true;
        pos = 1;
    }
    if (text[pos] == '-' && text[pos + 1] == 'l' &&
        (text[pos + 2] == '\0' || is_blank(text[pos + 2]))) {
        st = labelsel_parse_at(text, pos + 2, &f->sel);
        if (st == STATUS_OK)
            f->mode = MODE_LABELS;
    } else if (text[pos]) {
        st = compile_regex(f, text + pos, pos);
    }
    if (st != STATUS_OK) {
        filter_free(f);
        return st;
    }
    *out = f;
    return STATUS_OK;
}

void
filter_free(struct filter *f)
{
    if (!f)
        return;
    pcre2_match_context_free(f->mctx);
    pcre2_jit_stack_free(f->jit_stack);
    pcre2_match_data_free(f->md);
    pcre2_code_free(f->re);
    labelsel_free(f->sel);
    free(f->text);
    free(f);
}

static bool
regex_match(const struct filter *f, const char *const *fields, size_t nfields)
{
    for (size_t i = 0; i < nfields; i++) {
        size_t len;
        int rc;

        if (!fields[i])
            continue;
        /* pcre2_jit_match takes no PCRE2_ZERO_TERMINATED */
        len = strlen(fields[i]);
        if (f->jit)
            rc = pcre2_jit_match(f->re, (PCRE2_SPTR)fields[i], len, 0, 0, f->md, f->mctx);
        else
            rc = pcre2_match(f->re, (PCRE2_SPTR)fields[i], len, 0, 0, f->md, f->mctx);
        /* 0 would mean the one-pair match data was too small: still a match.
         * Errors (the match limit) count as no match. */
        if (rc >= 0)
            return true;
    }
    return false;
}

bool
filter_match(const struct filter *f, const char *const *fields, size_t nfields,
             const struct kv_list *labels)
{
    bool hit;

    switch (f->mode) {
    case MODE_REGEX:
        hit = regex_match(f, fields, nfields);
        break;
    case MODE_LABELS:
        hit = labelsel_empty(f->sel) || (labels && labelsel_match(f->sel, labels));
        break;
    case MODE_ALL:
    default:
        hit = true;
        break;
    }
    return hit != f->inverse;
}

bool
filter_is_empty(const struct filter *f)
{
    return !f || (f->mode == MODE_ALL && !f->inverse);
}

const char *
filter_text(const struct filter *f)
{
    return f->text;
}
