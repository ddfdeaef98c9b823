/* SPDX-License-Identifier: MIT */
/* labelsel.c - Kubernetes label selectors as kubectl parses them, and matching */
#include "config.h"

#include "opsdeck/labelsel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/model.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * The grammar and the checks follow apimachinery's labels.Parse, which is
 * what kubectl -l runs:
 *
 *   selector    := requirement { "," requirement }
 *   requirement := ["!"] KEY
 *                | KEY ("=" | "==" | "!=") [VALUE]
 *                | KEY ("in" | "notin") "(" [VALUE] { "," [VALUE] } ")"
 *                | KEY (">" | "<") INTEGER
 *
 * An identifier is any run of characters other than whitespace and
 * "!=(),<>"; "in" and "notin" are always keywords. Keys are qualified names
 * ("prefix/name"), values label values (63 characters at most).
 */

enum sel_op { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOT_EXISTS, OP_GT, OP_LT };

struct sel_req {
    char *key;
    enum sel_op op;
    char **values; /* owned, NULL-terminated (EQ/NE: one; IN/NOTIN: the set) */
    int64_t num;   /* GT/LT */
};

struct labelsel {
    struct sel_req *reqs;
    size_t n;
};

/*
 * Lexer
 */

enum tok {
    TOK_END,
    TOK_IDENT,
    TOK_IN,
    TOK_NOTIN,
    TOK_BANG,
    TOK_NE,
    TOK_EQ,
    TOK_DEQ,
    TOK_GT,
    TOK_LT,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_COMMA,
};

struct lexer {
    const char *s;
    size_t pos;   /* next unread byte */
    enum tok tok; /* current token */
    size_t start; /* its offset */
    size_t len;   /* its length */
};

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_special(char c)
{
    return c != '\0' && strchr("!=(),<>", c) != NULL;
}

static void
lex_next(struct lexer *lx)
{
    const char *s = lx->s;
    size_t p = lx->pos;

    while (is_space(s[p]))
        p++;
    lx->start = p;
    switch (s[p]) {
    case '\0':
        lx->tok = TOK_END;
        break;
    case '!':
        lx->tok = s[p + 1] == '=' ? TOK_NE : TOK_BANG;
        break;
    case '=':
        lx->tok = s[p + 1] == '=' ? TOK_DEQ : TOK_EQ;
        break;
    case '(':
        lx->tok = TOK_LPAREN;
        break;
    case ')':
        lx->tok = TOK_RPAREN;
        break;
    case ',':
        lx->tok = TOK_COMMA;
        break;
    case '>':
        lx->tok = TOK_GT;
        break;
    case '<':
        lx->tok = TOK_LT;
        break;
    default:
        while (s[p] && !is_space(s[p]) && !is_special(s[p]))
            p++;
        lx->len = p - lx->start;
        lx->pos = p;
        if (lx->len == 2 && memcmp(s + lx->start, "in", 2) == 0)
            lx->tok = TOK_IN;
        else if (lx->len == 5 && memcmp(s + lx->start, "notin", 5) == 0)
            lx->tok = TOK_NOTIN;
        else
            lx->tok = TOK_IDENT;
        return;
    }
    lx->len = (lx->tok == TOK_END) ? 0 : (lx->tok == TOK_NE || lx->tok == TOK_DEQ) ? 2 : 1;
    lx->pos = p + lx->len;
}

static enum status
lex_error(const struct lexer *lx, const char *expected)
{
    if (lx->tok == TOK_END)
        return status_fail(STATUS_INVALID, "label selector: offset %zu: expected %s, found the end",
                           lx->start, expected);
    return status_fail(STATUS_INVALID, "label selector: offset %zu: expected %s, found '%.*s'",
                       lx->start, expected, (int)MIN(lx->len, 64), lx->s + lx->start);
}

/*
 * Validation (apimachinery validation.IsQualifiedName / IsValidLabelValue)
 */

static bool
is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters. */
static const char *
check_name(const char *s, size_t len)
{
    if (len == 0)
        return "must not be empty";
    if (len > 63)
        return "must be no more than 63 characters";
    if (!is_alnum(s[0]) || !is_alnum(s[len - 1]))
        return "must begin and end with an alphanumeric character";
    for (size_t i = 1; i + 1 < len; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return "may contain only alphanumerics, '-', '_' and '.'";
    return NULL;
}

/* A lower-case RFC 1123 subdomain, at most 253 characters. */
static const char *
check_subdomain(const char *s, size_t len)
{
    if (len == 0)
        return "prefix must not be empty";
    if (len > 253)
        return "prefix must be no more than 253 characters";
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (!lower && c != '-' && c != '.')
            return "prefix must be a lower-case DNS subdomain";
        if (c == '-' || c == '.') {
            if (i == 0 || i == len - 1 || s[i - 1] == '.' || (c == '.' && s[i - 1] == '-'))
                return "prefix must be a lower-case DNS subdomain";
        }
    }
    return NULL;
}

static enum status
check_key(const struct lexer *lx)
{
    const char *s = lx->s + lx->start;
    const char *slash = memchr(s, '/', lx->len);
    const char *why;

    if (slash) {
        why = check_subdomain(s, (size_t)(slash - s));
        if (!why)
            why = check_name(slash + 1, lx->len - (size_t)(slash - s) - 1);
    } else {
        why = check_name(s, lx->len);
    }
    if (why)
        return status_fail(STATUS_INVALID, "label selector: offset %zu: invalid key '%.*s': %s",
                           lx->start, (int)MIN(lx->len, 64), s, why);
    return STATUS_OK;
}

static enum status
check_value(const struct lexer *lx)
{
    const char *why = lx->len ? check_name(lx->s + lx->start, lx->len) : NULL;

    if (why)
        return status_fail(STATUS_INVALID, "label selector: offset %zu: invalid value '%.*s': %s",
                           lx->start, (int)MIN(lx->len, 64), lx->s + lx->start, why);
    return STATUS_OK;
}

/*
 * Parser
 */

static void
req_done(struct sel_req *r)
{
    free(r->key);
    strv_free(r->values);
}

static void
values_push(struct sel_req *r, size_t *n, const char *s, size_t len)
{
    r->values = xrealloc(r->values, (*n + 2) * sizeof(*r->values));
    r->values[(*n)++] = xstrndup(s, len);
    r->values[*n] = NULL;
}

/* "(" [VALUE] { "," [VALUE] } ")": an empty entry is the empty value, as
 * in apimachinery ("a in (x,)" holds "x" and ""); "()" is refused. */
static enum status
parse_set(struct lexer *lx, struct sel_req *r, const char *opname)
{
    size_t n = 0;
    size_t open;
    enum status st;

    lex_next(lx);
    if (lx->tok != TOK_LPAREN)
        return lex_error(lx, "'('");
    open = lx->start;
    lex_next(lx);
    if (lx->tok == TOK_RPAREN)
        return status_fail(STATUS_INVALID,
                           "label selector: offset %zu: the set of '%s' must not be empty", open,
                           opname);
    for (;;) {
        if (lx->tok == TOK_IDENT) {
            if ((st = check_value(lx)) != STATUS_OK)
                return st;
            values_push(r, &n, lx->s + lx->start, lx->len);
            lex_next(lx);
        } else if (lx->tok == TOK_COMMA || lx->tok == TOK_RPAREN) {
            values_push(r, &n, "", 0);
        } else {
            return lex_error(lx, "a value, ',' or ')'");
        }
        if (lx->tok == TOK_RPAREN)
            break;
        if (lx->tok != TOK_COMMA)
            return lex_error(lx, "',' or ')'");
        lex_next(lx);
    }
    lex_next(lx);
    return STATUS_OK;
}

static enum status
parse_number(struct lexer *lx, struct sel_req *r)
{
    char buf[32];
    char *end;

    lex_next(lx);
    if (lx->tok != TOK_IDENT)
        return lex_error(lx, "an integer");
    if (lx->len >= sizeof(buf))
        return lex_error(lx, "an integer");
    memcpy(buf, lx->s + lx->start, lx->len);
    buf[lx->len] = '\0';
    errno = 0;
    r->num = strtoll(buf, &end, 10);
    if (errno || *end || end == buf)
        return status_fail(STATUS_INVALID, "label selector: offset %zu: '%s' is not an integer",
                           lx->start, buf);
    lex_next(lx);
    return STATUS_OK;
}

static enum status
parse_requirement(struct lexer *lx, struct sel_req *r)
{
    enum status st;
    size_t n = 0;

    if (lx->tok == TOK_BANG) {
        lex_next(lx);
        if (lx->tok != TOK_IDENT)
            return lex_error(lx, "a key");
        if ((st = check_key(lx)) != STATUS_OK)
            return st;
        r->key = xstrndup(lx->s + lx->start, lx->len);
        r->op = OP_NOT_EXISTS;
        lex_next(lx);
        return STATUS_OK;
    }
    if (lx->tok != TOK_IDENT)
        return lex_error(lx, "a key or '!'");
    if ((st = check_key(lx)) != STATUS_OK)
        return st;
    r->key = xstrndup(lx->s + lx->start, lx->len);
    lex_next(lx);
    switch (lx->tok) {
    case TOK_END:
    case TOK_COMMA:
        r->op = OP_EXISTS;
        return STATUS_OK;
    case TOK_EQ:
    case TOK_DEQ:
    case TOK_NE:
        r->op = lx->tok == TOK_NE ? OP_NE : OP_EQ;
        lex_next(lx);
        if (lx->tok == TOK_IDENT) {
            if ((st = check_value(lx)) != STATUS_OK)
                return st;
            values_push(r, &n, lx->s + lx->start, lx->len);
            lex_next(lx);
        } else if (lx->tok == TOK_END || lx->tok == TOK_COMMA) {
            values_push(r, &n, "", 0);
        } else {
            return lex_error(lx, "a value");
        }
        return STATUS_OK;
    case TOK_IN:
        r->op = OP_IN;
        return parse_set(lx, r, "in");
    case TOK_NOTIN:
        r->op = OP_NOTIN;
        return parse_set(lx, r, "notin");
    case TOK_GT:
    case TOK_LT:
        r->op = lx->tok == TOK_GT ? OP_GT : OP_LT;
        return parse_number(lx, r);
    default:
        return lex_error(lx, "'=', '==', '!=', 'in', 'notin', '>', '<', ',' or the end");
    }
}

enum status
labelsel_parse(const char *text, struct labelsel **out)
{
    return labelsel_parse_at(text, 0, out);
}

enum status
labelsel_parse_at(const char *text, size_t start, struct labelsel **out)
{
    struct labelsel *sel = xcalloc(1, sizeof(*sel));
    struct lexer lx = {.s = text ? text : "", .pos = text ? start : 0};
    size_t cap = 0;
    enum status st = STATUS_OK;

    *out = NULL;
    lex_next(&lx);
    while (lx.tok != TOK_END) {
        sel->reqs = xgrow(sel->reqs, &cap, sel->n + 1, sizeof(*sel->reqs));
        memset(&sel->reqs[sel->n], 0, sizeof(*sel->reqs));
        st = parse_requirement(&lx, &sel->reqs[sel->n]);
        sel->n++;
        if (st != STATUS_OK)
            goto out;
        if (lx.tok == TOK_END)
            break;
        if (lx.tok != TOK_COMMA) {
            st = lex_error(&lx, "',' or the end");
            goto out;
        }
        lex_next(&lx);
        if (lx.tok == TOK_END) {
            st = lex_error(&lx, "a key after ','");
            goto out;
        }
    }
out:
    if (st != STATUS_OK) {
        labelsel_free(sel);
        return st;
    }
    *out = sel;
    return STATUS_OK;
}

void
labelsel_free(struct labelsel *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->n; i++)
        req_done(&sel->reqs[i]);
    free(sel->reqs);
    free(sel);
}

bool
labelsel_empty(const struct labelsel *sel)
{
    return sel->n == 0;
}

/*
 * Matching
 */

static bool
in_set(char *const *values, const char *v)
{
    for (; *values; values++)
        if (strcmp(*values, v) == 0)
            return true;
    return false;
}

/* apimachinery compares > and < on values that parse as integers only. */
static bool
as_int(const char *v, int64_t *out)
{
    char *end;

    if (!*v)
        return false;
    errno = 0;
    *out = strtoll(v, &end, 10);
    return errno == 0 && *end == '\0';
}

/* The value of key in a list sorted by key (model.h's contract), or NULL.
 * Local rather than kv_get so that selectors, and the filter over them,
 * link without the model module. */
static const char *
label_get(const struct kv_list *labels, const char *key)
{
    size_t lo = 0, hi = labels ? labels->len : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(labels->items[mid].key, key);

        if (c == 0)
            return labels->items[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool
req_match(const struct sel_req *r, const struct kv_list *labels)
{
    const char *v = label_get(labels, r->key);
    int64_t num;

    switch (r->op) {
    case OP_EQ:
        return v && strcmp(v, r->values[0]) == 0;
    case OP_NE:
        return !v || strcmp(v, r->values[0]) != 0;
    case OP_IN:
        return v && in_set(r->values, v);
    case OP_NOTIN:
        return !v || !in_set(r->values, v);
    case OP_EXISTS:
        return v != NULL;
    case OP_NOT_EXISTS:
        return v == NULL;
    case OP_GT:
        return v && as_int(v, &num) && num > r->num;
    case OP_LT:
        return v && as_int(v, &num) && num < r->num;
    }
    return false;
}

bool
labelsel_match(const struct labelsel *sel, const struct kv_list *labels)
{
    for (size_t i = 0; i < sel->n; i++)
        if (!req_match(&sel->reqs[i], labels))
            return false;
    return true;
}
