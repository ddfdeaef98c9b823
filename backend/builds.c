/* SPDX-License-Identifier: MIT */
/* builds.c - builds aggregated from build-log lines, in any order, with their flags */
#include "config.h"

#include "opsdeck/builds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/hmap.h"
#include "opsdeck/json.h"
#include "opsdeck/macros.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

/*
 * Records live in one array (all), indexed by "tenant\x1fproject\x1fservice
 * \x1fid" in a hash map; builds_update() trims, recomputes the flags and
 * builds the sorted list of those after the window (listed, borrowed).
 * Everything derived is recomputed from the raw fields on each update, so
 * the order lines arrive in never matters.
 */
struct brec {
    struct build b;    /* public part; first, so a build * is a brec * */
    char *key;         /* owned; the map's key as well */
    bool has_end;      /* a valid last line was seen */
    uint32_t end_hash; /* of that line, to tell a duplicate from a second end */
    int64_t sha_ns;    /* timestamp of the line the sha came from */
};

/* The fields of a line the convention uses (decoded from logfmt). */
enum field { F_BUILD_ID, F_SHA, F_STATUS, F_DURATION, F_CACHE, F_COUNT };
static const char *const field_names[F_COUNT] = {"build_id", "sha", "status", "duration", "cache"};

struct builds {
    size_t cap;
    int64_t window_ns;
    struct brec **all;
    size_t len, alloc;
    struct hmap index;    /* key -> struct brec *, borrowed */
    struct brec **listed; /* borrowed from all; after the window, sorted */
    size_t nlisted, listed_alloc;
    size_t running;
    uint64_t generation;
    bool dirty; /* something was fed since the last update */
    size_t problems[BUILDS_PROBLEM_COUNT];
    char problem_last[200];
    struct strbuf val[F_COUNT]; /* scratch: the current line's fields */
    bool seen[F_COUNT];
    struct strbuf key; /* scratch */
};

#define BUILDS_PROBLEM_TEXT(name, text) text,
static const char *const problem_names[] = {BUILDS_PROBLEM_INFO(BUILDS_PROBLEM_TEXT)};
#undef BUILDS_PROBLEM_TEXT

const char *
builds_problem_name(enum builds_problem p)
{
    return (unsigned)p < BUILDS_PROBLEM_COUNT ? problem_names[p] : "";
}

const char *
build_status_name(enum build_status s)
{
    switch (s) {
    case BUILD_SUCCEEDED:
        return "succeeded";
    case BUILD_FAILED:
        return "failed";
    case BUILD_RUNNING:
        break;
    }
    return "running";
}

const char *
build_cache_name(enum build_cache c)
{
    switch (c) {
    case BUILD_CACHE_HIT:
        return "hit";
    case BUILD_CACHE_PARTIAL:
        return "partial";
    case BUILD_CACHE_MISS:
        return "miss";
    case BUILD_CACHE_NONE:
        break;
    }
    return "";
}

void
build_format_duration(int64_t ms, char *buf, size_t size)
{
    if (ms < 0)
        ms = 0;
    if (ms < 60000) {
        /* tenths, rounded: 40249 ms -> 40.2s */
        int64_t t = (ms + 50) / 100;

        snprintf(buf, size, "%lld.%llds", (long long)(t / 10), (long long)(t % 10));
    } else if (ms < 3600000) {
        int64_t s = ms / 1000;

        snprintf(buf, size, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    } else {
        int64_t m = ms / 60000;

        snprintf(buf, size, "%lldh%02lldm", (long long)(m / 60), (long long)(m % 60));
    }
}

const char *
build_flags_text(const struct build *bd)
{
    if (bd->over_target && bd->cache_lost)
        return "over target, cache lost";
    if (bd->over_target)
        return "over target";
    return bd->cache_lost ? "cache lost" : "";
}

const char *
build_short_sha(const struct build *bd, char buf[static 8])
{
    size_t n = strlen(bd->sha);

    if (n > 7)
        n = 7;
    memcpy(buf, bd->sha, n);
    buf[n] = '\0';
    return buf;
}

/*
 * Lifetime
 */

struct builds *
builds_new(size_t cap)
{
    struct builds *b = xcalloc(1, sizeof(*b));

    b->cap = cap ? cap : BUILDS_DEFAULT_CAP;
    hmap_init(&b->index);
    for (int i = 0; i < F_COUNT; i++)
        strbuf_init(&b->val[i]);
    strbuf_init(&b->key);
    return b;
}

static void
brec_free(struct brec *r)
{
    if (!r)
        return;
    free(r->b.id);
    free(r->b.tenant);
    free(r->b.project);
    free(r->b.service);
    free(r->b.sha);
    free(r->key);
    free(r);
}

void
builds_clear(struct builds *b)
{
    for (size_t i = 0; i < b->len; i++)
        brec_free(b->all[i]);
    b->len = 0;
    b->nlisted = 0;
    b->running = 0;
    hmap_done(&b->index);
    hmap_init(&b->index);
    memset(b->problems, 0, sizeof(b->problems));
    b->problem_last[0] = '\0';
    b->dirty = true;
    b->generation++;
}

void
builds_free(struct builds *b)
{
    if (!b)
        return;
    builds_clear(b);
    hmap_done(&b->index);
    free(b->all);
    free(b->listed);
    for (int i = 0; i < F_COUNT; i++)
        strbuf_done(&b->val[i]);
    strbuf_done(&b->key);
    free(b);
}

void
builds_set_window(struct builds *b, int64_t from_ns)
{
    if (b->window_ns != from_ns)
        b->dirty = true;
    b->window_ns = from_ns;
}

/*
 * Feeding
 */

static void
problem(struct builds *b, enum builds_problem p, const char *line, size_t len)
{
    size_t at, n;

    b->problems[p]++;
    at = (size_t)snprintf(b->problem_last, sizeof(b->problem_last), "%s: ", problem_names[p]);
    n = len < 120 ? len : 120;
    if (at + n >= sizeof(b->problem_last))
        n = sizeof(b->problem_last) - at - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        b->problem_last[at + i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    b->problem_last[at + n] = '\0';
}

static int
field_of(const char *key, size_t len)
{
    for (int i = 0; i < F_COUNT; i++)
        if (strlen(field_names[i]) == len && memcmp(field_names[i], key, len) == 0)
            return i;
    return -1;
}

/*
 * logfmt as go-logfmt writes it: pairs separated by spaces; key=value,
 * key="quoted \"value\"" or a bare key (a flag, value ""). Escapes in
 * quotes: \" \\ \n \t \r; any other escaped character stands for itself.
 * Fills the fields the convention uses (the first occurrence of each wins).
 * False on an unterminated quote, a pair without a key, or a NUL byte in
 * one of those fields.
 */
static bool
parse_logfmt(struct builds *b, const char *s, size_t len)
{
    const char *end = s + len;

    for (int i = 0; i < F_COUNT; i++) {
        strbuf_reset(&b->val[i]);
        b->seen[i] = false;
    }
    while (s < end) {
        const char *key;
        size_t klen;
        int f;
        struct strbuf *out;

        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
            s++;
        if (s == end)
            break;
        key = s;
        while (s < end && *s != '=' && *s != ' ' && *s != '\t' && *s != '"')
            s++;
        klen = (size_t)(s - key);
        if (klen == 0)
            return false;
        f = field_of(key, klen);
        out = (f >= 0 && !b->seen[f]) ? &b->val[f] : NULL;
        if (f >= 0)
            b->seen[f] = true;
        if (s == end || *s != '=') {
            if (s < end && *s == '"')
                return false;
            continue; /* a flag */
        }
        s++;
        if (s < end && *s == '"') {
            bool closed = false;

            for (s++; s < end; s++) {
                char c = *s;

                if (c == '"') {
                    closed = true;
                    s++;
                    break;
                }
                if (c == '\\' && s + 1 < end) {
                    c = *++s;
                    c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
                }
                if (out)
                    strbuf_putc(out, c);
            }
            if (!closed)
                return false;
        } else {
            const char *v = s;

            while (s < end && *s != ' ' && *s != '\t')
                s++;
            if (out)
                strbuf_append(out, v, (size_t)(s - v));
        }
    }
    /* A NUL byte inside one of the fields would cut an id short. */
    for (int i = 0; i < F_COUNT; i++)
        if (memchr(strbuf_str(&b->val[i]), '\0', b->val[i].len))
            return false;
    return true;
}

/* Decimal seconds ("41", "41.7", "0.250") into milliseconds, rounded. No
 * sign, exponent or unit: the convention writes plain decimals. */
static bool
parse_duration_ms(const char *s, int64_t *out)
{
    int64_t whole = 0, frac = 0, scale = 100;
    int digits = 0;
    bool round_up = false;

    while (*s >= '0' && *s <= '9') {
        if (++digits > 9)
            return false; /* over 31 years of build */
        whole = whole * 10 + (*s++ - '0');
    }
    if (*s == '.') {
        int fdigits = 0;

        s++;
        while (*s >= '0' && *s <= '9') {
            if (scale > 0) {
                frac += (*s - '0') * scale;
                scale /= 10;
            } else if (scale == 0) {
                round_up = *s >= '5';
                scale = -1;
            }
            fdigits++;
            s++;
        }
        if (fdigits == 0)
            return false;
        digits += fdigits;
    }
    if (*s != '\0' || digits == 0)
        return false;
    *out = whole * 1000 + frac + (round_up ? 1 : 0);
    return true;
}

static struct brec *
record_for(struct builds *b, const char *tenant, const char *project, const char *service,
           const char *id)
{
    struct brec *r;

    strbuf_reset(&b->key);
    strbuf_printf(&b->key, "%s\x1f%s\x1f%s\x1f%s", tenant, project, service, id);
    r = hmap_get(&b->index, strbuf_str(&b->key));
    if (r)
        return r;
    r = xcalloc(1, sizeof(*r));
    r->key = xstrdup(strbuf_str(&b->key));
    r->b.id = xstrdup(id);
    r->b.tenant = xstrdup(tenant);
    r->b.project = xstrdup(project);
    r->b.service = xstrdup(service);
    r->b.sha = xstrdup("");
    r->b.started_ns = INT64_MAX;
    hmap_put(&b->index, r->key, r);
    b->all = xgrow(b->all, &b->alloc, b->len + 1, sizeof(*b->all));
    b->all[b->len++] = r;
    return r;
}

/* The end fields of a line carrying status=, or false (counted) when they
 * break the convention. */
static bool
parse_end(struct builds *b, const char *line, size_t len, enum build_status *st, int64_t *dur_ms,
          enum build_cache *cache)
{
    const char *s = strbuf_str(&b->val[F_STATUS]);
    const char *c = strbuf_str(&b->val[F_CACHE]);

    if (strcmp(s, "succeeded") == 0) {
        *st = BUILD_SUCCEEDED;
    } else if (strcmp(s, "failed") == 0) {
        *st = BUILD_FAILED;
    } else {
        problem(b, BUILDS_PROBLEM_BAD_STATUS, line, len);
        return false;
    }
    if (!b->seen[F_DURATION] || !parse_duration_ms(strbuf_str(&b->val[F_DURATION]), dur_ms)) {
        problem(b, BUILDS_PROBLEM_BAD_DURATION, line, len);
        return false;
    }
    if (strcmp(c, "hit") == 0) {
        *cache = BUILD_CACHE_HIT;
    } else if (strcmp(c, "partial") == 0) {
        *cache = BUILD_CACHE_PARTIAL;
    } else if (strcmp(c, "miss") == 0) {
        *cache = BUILD_CACHE_MISS;
    } else {
        /* The end still stands: status and duration are real. A failed
         * build may end before the cache was consulted. */
        *cache = BUILD_CACHE_NONE;
        if (b->seen[F_CACHE] || *st == BUILD_SUCCEEDED)
            problem(b, BUILDS_PROBLEM_BAD_CACHE, line, len);
    }
    return true;
}

void
builds_add(struct builds *b, const char *tenant, const char *project, const char *service,
           int64_t ts_ns, const char *line, size_t len)
{
    enum build_status st;
    enum build_cache cache;
    int64_t dur_ms;
    struct brec *r;
    bool is_end;

    if (!tenant || !project || !service || !*tenant || !*project || !*service) {
        problem(b, BUILDS_PROBLEM_NO_LABELS, line, len);
        return;
    }
    if (!parse_logfmt(b, line, len)) {
        problem(b, BUILDS_PROBLEM_BAD_LOGFMT, line, len);
        return;
    }
    if (b->val[F_BUILD_ID].len == 0) {
        problem(b, BUILDS_PROBLEM_NO_BUILD_ID, line, len);
        return;
    }
    if (b->val[F_SHA].len == 0)
        problem(b, BUILDS_PROBLEM_NO_SHA, line, len);
    is_end = b->seen[F_STATUS] && parse_end(b, line, len, &st, &dur_ms, &cache);

    r = record_for(b, tenant, project, service, strbuf_str(&b->val[F_BUILD_ID]));
    r->b.lines++;
    if (ts_ns < r->b.started_ns)
        r->b.started_ns = ts_ns;
    if (b->val[F_SHA].len && (!r->b.sha[0] || ts_ns < r->sha_ns)) {
        r->sha_ns = ts_ns;
        free(r->b.sha);
        r->b.sha = xstrdup(strbuf_str(&b->val[F_SHA]));
    }
    if (is_end) {
        uint32_t h = hmap_hash(line, len);

        if (r->has_end && (r->b.ended_ns != ts_ns || r->end_hash != h)) {
            problem(b, BUILDS_PROBLEM_SECOND_END, line, len);
            /* The later one is the last line, whichever came first here. */
            is_end = ts_ns > r->b.ended_ns || (ts_ns == r->b.ended_ns && h > r->end_hash);
        } else if (r->has_end) {
            is_end = false; /* the same entry again (a page boundary) */
        }
    }
    if (is_end) {
        r->has_end = true;
        r->end_hash = hmap_hash(line, len);
        r->b.ended_ns = ts_ns;
        r->b.status = st;
        r->b.cache = cache;
        r->b.duration_ms = dur_ms;
    }
    b->dirty = true;
    b->generation++;
}

/*
 * Update: trim, flags, order
 */

/* qsort, also for an empty array that was never allocated. */
static void
sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static int
cmp_started(const void *pa, const void *pb)
{
    const struct brec *a = *(const struct brec *const *)pa;
    const struct brec *b = *(const struct brec *const *)pb;

    if (a->b.started_ns != b->b.started_ns)
        return a->b.started_ns < b->b.started_ns ? -1 : 1;
    return strcmp(a->key, b->key);
}

/* By tenant/project/service (the key's prefix), then started. */
static int
cmp_group(const void *pa, const void *pb)
{
    const struct brec *a = *(const struct brec *const *)pa;
    const struct brec *b = *(const struct brec *const *)pb;
    int c = strcmp(a->b.tenant, b->b.tenant);

    if (!c)
        c = strcmp(a->b.project, b->b.project);
    if (!c)
        c = strcmp(a->b.service, b->b.service);
    return c ? c : cmp_started(pa, pb);
}

static int
cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

    return a < b ? -1 : a > b;
}

static bool
same_group(const struct brec *a, const struct brec *b)
{
    return strcmp(a->b.tenant, b->b.tenant) == 0 && strcmp(a->b.project, b->b.project) == 0 &&
           strcmp(a->b.service, b->b.service) == 0;
}

/* Whether a succeeded build of the group ended in [start - window, start). */
static bool
succeeded_before(const int64_t *ends, size_t n, int64_t start)
{
    size_t lo = 0, hi = n;

    while (lo < hi) { /* first end >= start */
        size_t mid = lo + (hi - lo) / 2;

        if (ends[mid] < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && ends[lo - 1] >= start - (int64_t)BUILD_CACHE_LOST_WINDOW_S * NS_PER_SEC;
}

static void
compute_cache_lost(struct builds *b, bool *changed)
{
    int64_t *ends = xmalloc((b->len ? b->len : 1) * sizeof(*ends));

    sort(b->all, b->len, sizeof(*b->all), cmp_group);
    for (size_t i = 0; i < b->len;) {
        size_t j = i, n = 0;

        while (j < b->len && same_group(b->all[i], b->all[j]))
            j++;
        for (size_t k = i; k < j; k++)
            if (b->all[k]->b.status == BUILD_SUCCEEDED)
                ends[n++] = b->all[k]->b.ended_ns;
        sort(ends, n, sizeof(*ends), cmp_i64);
        for (size_t k = i; k < j; k++) {
            struct build *bd = &b->all[k]->b;
            bool lost = bd->cache == BUILD_CACHE_MISS && succeeded_before(ends, n, bd->started_ns);

            if (lost != bd->cache_lost)
                *changed = true;
            bd->cache_lost = lost;
        }
        i = j;
    }
    free(ends);
}

static void
trim(struct builds *b)
{
    size_t drop;

    if (b->len <= b->cap)
        return;
    sort(b->all, b->len, sizeof(*b->all), cmp_started);
    drop = b->len - b->cap;
    for (size_t i = 0; i < drop; i++) {
        hmap_del(&b->index, b->all[i]->key);
        brec_free(b->all[i]);
    }
    memmove(b->all, b->all + drop, b->cap * sizeof(*b->all));
    b->len = b->cap;
}

static int
target_of(const struct build *bd)
{
    if (bd->status == BUILD_RUNNING)
        return BUILD_TARGET_MISS_S;
    switch (bd->cache) {
    case BUILD_CACHE_HIT:
        return BUILD_TARGET_HIT_S;
    case BUILD_CACHE_PARTIAL:
        return BUILD_TARGET_PARTIAL_S;
    case BUILD_CACHE_MISS:
        return BUILD_TARGET_MISS_S;
    case BUILD_CACHE_NONE:
        break;
    }
    return 0;
}

void
builds_update(struct builds *b, int64_t now_ns)
{
    bool changed = b->dirty;

    trim(b);
    b->running = 0;
    for (size_t i = 0; i < b->len; i++) {
        struct build *bd = &b->all[i]->b;
        int64_t dur = bd->duration_ms;
        int target;
        bool over;

        if (bd->status == BUILD_RUNNING) {
            dur = now_ns > bd->started_ns ? (now_ns - bd->started_ns) / 1000000 : 0;
            if (bd->started_ns >= b->window_ns)
                b->running++;
        }
        target = target_of(bd);
        over = target > 0 && dur > (int64_t)target * 1000;
        if (dur != bd->duration_ms || target != bd->target_s || over != bd->over_target)
            changed = true;
        bd->duration_ms = dur;
        bd->target_s = target;
        bd->over_target = over;
    }
    compute_cache_lost(b, &changed);

    b->listed = xgrow(b->listed, &b->listed_alloc, b->len + 1, sizeof(*b->listed));
    b->nlisted = 0;
    for (size_t i = 0; i < b->len; i++)
        if (b->all[i]->b.started_ns >= b->window_ns)
            b->listed[b->nlisted++] = b->all[i];
    sort(b->listed, b->nlisted, sizeof(*b->listed), cmp_started);
    b->dirty = false;
    if (changed)
        b->generation++;
}

/*
 * Reading
 */

size_t
builds_count(const struct builds *b)
{
    return b->nlisted;
}

const struct build *
builds_at(const struct builds *b, size_t i)
{
    return i < b->nlisted ? &b->listed[i]->b : NULL;
}

size_t
builds_running(const struct builds *b)
{
    return b->running;
}

uint64_t
builds_generation(const struct builds *b)
{
    return b->generation;
}

size_t
builds_problems(const struct builds *b, enum builds_problem p)
{
    return (unsigned)p < BUILDS_PROBLEM_COUNT ? b->problems[p] : 0;
}

size_t
builds_problems_total(const struct builds *b)
{
    size_t n = 0;

    for (int i = 0; i < BUILDS_PROBLEM_COUNT; i++)
        n += b->problems[i];
    return n;
}

const char *
builds_problem_last(const struct builds *b)
{
    return b->problem_last;
}

static void
write_time(struct jsonw *w, int64_t ns)
{
    char buf[32];

    time_format_rfc3339(ns / NS_PER_SEC - (ns < 0 && ns % NS_PER_SEC ? 1 : 0), buf, sizeof(buf));
    jsonw_str(w, buf);
}

void
builds_write_json(const struct builds *b, struct strbuf *out, bool pretty)
{
    struct jsonw w;

    jsonw_init(&w, out, pretty);
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < b->nlisted; i++) {
        const struct build *bd = &b->listed[i]->b;

        jsonw_obj_begin(&w);
        jsonw_key(&w, "build_id");
        jsonw_str(&w, bd->id);
        jsonw_key(&w, "service");
        jsonw_str(&w, bd->service);
        jsonw_key(&w, "tenant");
        jsonw_str(&w, bd->tenant);
        jsonw_key(&w, "project");
        jsonw_str(&w, bd->project);
        jsonw_key(&w, "sha");
        jsonw_str(&w, bd->sha);
        jsonw_key(&w, "status");
        jsonw_str(&w, build_status_name(bd->status));
        jsonw_key(&w, "started");
        write_time(&w, bd->started_ns);
        jsonw_key(&w, "ended");
        if (bd->status == BUILD_RUNNING)
            jsonw_null(&w);
        else
            write_time(&w, bd->ended_ns);
        jsonw_key(&w, "duration_s");
        jsonw_double(&w, (double)bd->duration_ms / 1000.0);
        jsonw_key(&w, "cache");
        if (bd->cache == BUILD_CACHE_NONE)
            jsonw_null(&w);
        else
            jsonw_str(&w, build_cache_name(bd->cache));
        jsonw_key(&w, "target_s");
        if (bd->target_s > 0 && bd->status != BUILD_RUNNING)
            jsonw_int(&w, bd->target_s);
        else
            jsonw_null(&w);
        jsonw_key(&w, "over_target");
        jsonw_bool(&w, bd->over_target);
        jsonw_key(&w, "cache_lost");
        jsonw_bool(&w, bd->cache_lost);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    if (pretty)
        strbuf_putc(out, '\n');
}

/* A LogQL string literal: backslash and double quote escaped. */
static void
put_quoted(struct strbuf *sb, const char *s)
{
    strbuf_putc(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_putc(sb, '\\');
        strbuf_putc(sb, *s);
    }
    strbuf_putc(sb, '"');
}

static const char *const placeholders[] = {"{tenant}", "{project}", "{service}"};

/* The end of the matcher starting at p (a ',' or the closing '}' outside
 * quotes), or close. */
static const char *
matcher_end(const char *p, const char *close)
{
    bool quoted = false;

    for (; p < close; p++) {
        if (quoted && *p == '\\' && p + 1 < close)
            p++;
        else if (*p == '"' || *p == '`')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            break;
    }
    return p;
}

static bool
has_placeholder(const char *p, size_t len)
{
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(placeholders[i]);

        for (size_t k = 0; k + n <= len; k++)
            if (memcmp(p + k, placeholders[i], n) == 0)
                return true;
    }
    return false;
}

char *
builds_list_selector(const char *selector)
{
    const char *open = strchr(selector, '{');
    const char *close = strrchr(selector, '}');
    struct strbuf sb;
    bool any = false;

    if (!open || !close || close < open)
        return xstrdup(selector);
    strbuf_init(&sb);
    strbuf_append(&sb, selector, (size_t)(open - selector) + 1);
    for (const char *p = open + 1; p < close;) {
        const char *e = matcher_end(p, close);
        const char *a = p, *z = e;

        while (a < z && *a == ' ')
            a++;
        while (z > a && z[-1] == ' ')
            z--;
        if (z > a && !has_placeholder(a, (size_t)(z - a))) {
            if (any)
                strbuf_putc(&sb, ',');
            strbuf_append(&sb, a, (size_t)(z - a));
            any = true;
        }
        p = e < close ? e + 1 : e;
    }
    if (!any)
        strbuf_puts(&sb, "tenant=~\".+\"");
    strbuf_puts(&sb, close);
    return strbuf_detach(&sb);
}

char *
builds_log_query(const char *selector, const struct build *bd)
{
    const char *values[3] = {bd->tenant, bd->project, bd->service};
    static const char *const names[3] = {"tenant", "project", "service"};
    const char *open = strchr(selector, '{');
    const char *close = strrchr(selector, '}');
    bool named[3] = {false, false, false};
    bool empty = true;
    struct strbuf sb;
    char *line;

    strbuf_init(&sb);
    if (!open || !close || close < open) {
        open = close = NULL;
        strbuf_putc(&sb, '{');
    }
    /* The selector up to its closing brace, placeholders filled in. A
     * placeholder stands inside a quoted value: the value is inserted
     * escaped, without quotes of its own. */
    for (const char *p = selector; open && p < close;) {
        size_t i;

        for (i = 0; i < 3; i++)
            if (strncmp(p, placeholders[i], strlen(placeholders[i])) == 0)
                break;
        if (i < 3) {
            for (const char *v = values[i]; *v; v++) {
                if (*v == '"' || *v == '\\')
                    strbuf_putc(&sb, '\\');
                strbuf_putc(&sb, *v);
            }
            named[i] = true;
            p += strlen(placeholders[i]);
            continue;
        }
        if (p > open && *p != ' ')
            empty = false;
        strbuf_putc(&sb, *p++);
    }
    for (size_t i = 0; i < 3; i++) {
        if (named[i])
            continue;
        strbuf_puts(&sb, empty ? "" : ",");
        strbuf_printf(&sb, "%s=", names[i]);
        put_quoted(&sb, values[i]);
        empty = false;
    }
    strbuf_puts(&sb, "} |= ");
    line = xasprintf("build_id=%s", bd->id);
    put_quoted(&sb, line);
    free(line);
    return strbuf_detach(&sb);
}
