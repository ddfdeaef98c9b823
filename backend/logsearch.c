/* SPDX-License-Identifier: MIT */
/* logsearch.c - plain (memmem / folding scan) and PCRE2 JIT search over log lines */
#include "config.h"

#include "opsdeck/logsearch.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "opsdeck/logring.h"
#include "opsdeck/xalloc.h"

/* Bounds a pathological regex on one line (catastrophic backtracking). */
#define MATCH_LIMIT    1000000
#define JIT_STACK_MIN  (32 * 1024)
#define JIT_STACK_MAX  (512 * 1024)

struct logsearch {
    char *pattern;       /* as given */
    bool regex;
    bool icase;
    char *needle;        /* plain: the text, folded to lower case when icase */
    size_t needle_len;
    unsigned char fold[256];
    pcre2_code *re;
    bool jit;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
};

static bool
has_upper(const char *s)
{
    for (; *s; s++) {
        if (isupper((unsigned char)*s))
            return true;
    }
    return false;
}

static bool
has_meta(const char *s)
{
    return strpbrk(s, "\\^$.|?*+()[]{}") != NULL;
}

/* Memcheck cannot follow JIT code (it reports PCRE2's word-wide reads of the
 * subject); under valgrind the interpreter runs instead, same results. */
static bool
jit_wanted(void)
{
    const char *preload = getenv("LD_PRELOAD");

    return !(preload && strstr(preload, "vgpreload"));
}

static enum status
compile_regex(struct logsearch *s)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C;
    int err;
    PCRE2_SIZE erroff;

    if (s->icase)
        opts |= PCRE2_CASELESS;
    s->re = pcre2_compile((PCRE2_SPTR)s->pattern, PCRE2_ZERO_TERMINATED, opts, &err, &erroff,
                          NULL);
    if (!s->re) {
        PCRE2_UCHAR msg[256];

        if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
            strcpy((char *)msg, "unknown error");
        return status_fail(STATUS_INVALID, "search: offset %zu: %s", (size_t)erroff,
                           (const char *)msg);
    }
    s->jit = jit_wanted() && pcre2_jit_compile(s->re, PCRE2_JIT_COMPLETE) == 0;
    s->md = pcre2_match_data_create(1, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (!s->md || !s->mctx)
        xfatal("out of memory (pcre2)");
    pcre2_set_match_limit(s->mctx, MATCH_LIMIT);
    if (s->jit) {
        s->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
        if (!s->jit_stack)
            xfatal("out of memory (pcre2 JIT stack)");
        pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
    }
    return STATUS_OK;
}

enum status
logsearch_compile(const char *pattern, enum logsearch_kind kind, enum logsearch_case cs,
                  struct logsearch **out)
{
    struct logsearch *s;
    enum status st = STATUS_OK;

    *out = NULL;
    if (!pattern || !*pattern)
        return status_fail(STATUS_INVALID, "search: empty pattern");
    s = xcalloc(1, sizeof(*s));
    s->pattern = xstrdup(pattern);
    s->regex = kind == LOGSEARCH_REGEX || (kind == LOGSEARCH_AUTO && has_meta(pattern));
    s->icase = cs == LOGSEARCH_CASE_INSENSITIVE ||
               (cs == LOGSEARCH_CASE_SMART && !has_upper(pattern));
    if (s->regex) {
        st = compile_regex(s);
    } else {
        s->needle_len = strlen(pattern);
        s->needle = xstrdup(pattern);
        for (unsigned c = 0; c < 256; c++)
            s->fold[c] = (unsigned char)(s->icase ? tolower((int)c) : (int)c);
        for (size_t i = 0; i < s->needle_len; i++)
            s->needle[i] = (char)s->fold[(unsigned char)s->needle[i]];
    }
    if (st != STATUS_OK) {
        logsearch_free(s);
        return st;
    }
    *out = s;
    return STATUS_OK;
}

void
logsearch_free(struct logsearch *s)
{
    if (!s)
        return;
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jit_stack);
    pcre2_match_data_free(s->md);
    pcre2_code_free(s->re);
    free(s->needle);
    free(s->pattern);
    free(s);
}

const char *
logsearch_pattern(const struct logsearch *s)
{
    return s->pattern;
}

bool
logsearch_is_regex(const struct logsearch *s)
{
    return s->regex;
}

/* Case-folding scan: candidates by the needle's first byte in both cases
 * (memchr is vectorised), then a folded compare of the rest. */
static const char *
find_folded(const struct logsearch *s, const char *hay, size_t len)
{
    const unsigned char *h = (const unsigned char *)hay;
    const unsigned char *n = (const unsigned char *)s->needle;
    size_t nlen = s->needle_len;
    unsigned char lo = n[0], up = (unsigned char)toupper(lo);
    size_t last; /* the last position a match can start at */
    const unsigned char *a, *b, *p;

    if (nlen > len)
        return NULL;
    last = len - nlen;
    /* a and b are the next candidates in each case; each is searched again
     * only once it has been passed, so the scan stays linear */
    a = memchr(h, lo, last + 1);
    b = lo == up ? NULL : memchr(h, up, last + 1);
    while (a || b) {
        size_t k, next;

        p = a && (!b || a < b) ? a : b;
        k = 1;
        while (k < nlen && s->fold[p[k]] == n[k])
            k++;
        if (k == nlen)
            return (const char *)p;
        next = (size_t)(p - h) + 1;
        if (p == a)
            a = next <= last ? memchr(h + next, lo, last + 1 - next) : NULL;
        else
            b = next <= last ? memchr(h + next, up, last + 1 - next) : NULL;
    }
    return NULL;
}

static const char *
find_plain(const struct logsearch *s, const char *hay, size_t len)
{
    if (s->icase)
        return find_folded(s, hay, len);
    return memmem(hay, len, s->needle, s->needle_len);
}

static int
regex_run(struct logsearch *s, const char *line, size_t len, size_t from)
{
    if (s->jit)
        return pcre2_jit_match(s->re, (PCRE2_SPTR)line, len, from, 0, s->md, s->mctx);
    return pcre2_match(s->re, (PCRE2_SPTR)line, len, from, 0, s->md, s->mctx);
}

bool
logsearch_match(struct logsearch *s, const char *line, size_t len)
{
    if (!s->regex)
        return find_plain(s, line, len) != NULL;
    /* 0 would mean the one-pair match data was too small: still a match;
     * errors (the match limit) count as no match */
    return regex_run(s, line, len, 0) >= 0;
}

bool
logsearch_find(struct logsearch *s, const char *line, size_t len, size_t from, size_t *start,
               size_t *end)
{
    if (from > len)
        return false;
    if (!s->regex) {
        const char *p = find_plain(s, line + from, len - from);

        if (!p)
            return false;
        *start = (size_t)(p - line);
        *end = *start + s->needle_len;
        return true;
    }
    if (regex_run(s, line, len, from) < 0)
        return false;
    {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);

        *start = ov[0];
        *end = ov[1] < ov[0] ? ov[0] : ov[1]; /* \K can put the end first */
    }
    return true;
}

/*
 * Incremental index over a ring
 */

struct logsearch_index {
    struct logsearch *s; /* borrowed */
    int64_t *seqs;       /* matches live in seqs[off, off + len) */
    size_t off;
    size_t len;
    size_t cap;
    uint64_t generation;
    int64_t lo;          /* entries [lo, hi) have been checked */
    int64_t hi;
    bool started;
};

struct logsearch_index *
logsearch_index_new(struct logsearch *s)
{
    struct logsearch_index *ix = xcalloc(1, sizeof(*ix));

    ix->s = s;
    return ix;
}

void
logsearch_index_free(struct logsearch_index *ix)
{
    if (!ix)
        return;
    free(ix->seqs);
    free(ix);
}

/* Makes room for `front` more entries before off and `back` after the end. */
static void
reserve(struct logsearch_index *ix, size_t front, size_t back)
{
    size_t need, ncap;
    int64_t *ns;

    if (ix->off >= front && ix->cap - ix->off - ix->len >= back)
        return;
    need = ix->len + front + back;
    ncap = ix->cap ? ix->cap : 64;
    while (ncap < need + need / 2)
        ncap *= 2;
    ns = xmalloc(ncap * sizeof(*ns));
    /* leave the slack where it is wanted: front room for prepends */
    {
        size_t noff = front + (ncap - need) / 4;

        if (ix->len)
            memcpy(ns + noff, ix->seqs + ix->off, ix->len * sizeof(*ns));
        free(ix->seqs);
        ix->seqs = ns;
        ix->cap = ncap;
        ix->off = noff;
    }
}

static void
check_range(struct logsearch_index *ix, const struct logring *r, int64_t a, int64_t b,
            bool at_front)
{
    struct logring_entry e;
    int64_t *found = NULL;
    size_t n = 0, cap = 0;

    for (int64_t q = a; q < b; q++) {
        if (!logring_get(r, q, &e) || !logsearch_match(ix->s, e.line, e.len))
            continue;
        if (!at_front) {
            reserve(ix, 0, 1);
            ix->seqs[ix->off + ix->len++] = q;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            found = xrealloc(found, cap * sizeof(*found));
        }
        found[n++] = q;
    }
    if (n) {
        reserve(ix, n, 0);
        ix->off -= n;
        memcpy(ix->seqs + ix->off, found, n * sizeof(*found));
        ix->len += n;
    }
    free(found);
}

size_t
logsearch_index_update(struct logsearch_index *ix, const struct logring *r)
{
    int64_t first = logring_first(r), end = logring_end(r);
    size_t checked = 0;

    if (!ix->started || ix->generation != logring_generation(r) || ix->hi <= first ||
        ix->lo >= end) {
        ix->len = 0;
        ix->off = ix->cap / 4;
        ix->lo = ix->hi = first;
        ix->generation = logring_generation(r);
        ix->started = true;
    }
    /* forget what left the ring */
    while (ix->len && ix->seqs[ix->off] < first) {
        ix->off++;
        ix->len--;
    }
    while (ix->len && ix->seqs[ix->off + ix->len - 1] >= end)
        ix->len--;
    ix->lo = ix->lo < first ? first : ix->lo;
    ix->hi = ix->hi > end ? end : ix->hi;
    if (first < ix->lo) {
        check_range(ix, r, first, ix->lo, true);
        checked += (size_t)(ix->lo - first);
        ix->lo = first;
    }
    if (ix->hi < end) {
        check_range(ix, r, ix->hi, end, false);
        checked += (size_t)(end - ix->hi);
        ix->hi = end;
    }
    return checked;
}

size_t
logsearch_index_len(const struct logsearch_index *ix)
{
    return ix->len;
}

int64_t
logsearch_index_at(const struct logsearch_index *ix, size_t i)
{
    return ix->seqs[ix->off + i];
}

size_t
logsearch_index_lower_bound(const struct logsearch_index *ix, int64_t seq)
{
    size_t lo = 0, hi = ix->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (ix->seqs[ix->off + mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool
logsearch_index_step(const struct logsearch_index *ix, int64_t seq, bool forward, int64_t *out)
{
    size_t i;

    if (forward) {
        i = logsearch_index_lower_bound(ix, seq + 1);
        if (i >= ix->len)
            return false;
    } else {
        i = logsearch_index_lower_bound(ix, seq);
        if (i == 0)
            return false;
        i--;
    }
    *out = ix->seqs[ix->off + i];
    return true;
}
