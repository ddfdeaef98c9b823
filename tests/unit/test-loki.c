/* SPDX-License-Identifier: MIT */
/* test-loki.c - Loki client: parsing the recorded answers, errors, paging, follow, cache */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/json.h"
#include "opsdeck/loki.h"
#include "opsdeck/store.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/upstream.h"
#include "opsdeck/xalloc.h"
#include "loki_priv.h"
#include "nettest.h"
#include "testlib.h"

/* ------------------------------------------------------------------------
 * An in-process Loki behind a fake upstream: query_range with Loki's
 * semantics (start inclusive, end exclusive, limit over all streams,
 * direction; streams grouped in the answer), answered from the loop.
 */

struct fent {
    int64_t ts;
    int stream; /* index into fake_streams */
    char *line;
    unsigned seq;
};

static const char *const fake_streams[] = {
    "{\"app\":\"web\",\"namespace\":\"dp-a-b\"}",
    "{\"app\":\"db\",\"namespace\":\"dp-a-b\"}",
    "{\"job\":\"build\",\"tenant\":\"max\"}",
};

enum fake_mode {
    FAKE_OK,
    FAKE_UNREACHABLE,
    FAKE_400,
    FAKE_HTML,
};

struct upstream {
    struct evloop *loop;
    bool configured;
    enum fake_mode mode;
    struct fent *ents;
    size_t n, cap;
    unsigned requests;
    size_t max_limit_seen;
    bool overlap; /* a request arrived while another was pending */
    size_t pending;
    size_t max_entries; /* > 0: answers with more fail as TOOLARGE */
    int64_t last_end;   /* end= of the last query_range */
};

struct upstream_call {
    struct upstream *u;
    char *path;
    upstream_cb cb;
    void *arg;
    struct ev_timer *t;
};

static void
fake_add(struct upstream *u, int64_t ts, int stream, const char *line)
{
    u->ents = xgrow(u->ents, &u->cap, u->n + 1, sizeof(*u->ents));
    u->ents[u->n].ts = ts;
    u->ents[u->n].stream = stream;
    u->ents[u->n].line = xstrdup(line);
    u->ents[u->n].seq = (unsigned)u->n;
    u->n++;
}

static bool
param(const char *path, const char *name, char *out, size_t size)
{
    const char *q = strchr(path, '?');
    size_t nl = strlen(name);

    while (q) {
        q++;
        if (strncmp(q, name, nl) == 0 && q[nl] == '=') {
            size_t len = strcspn(q + nl + 1, "&");

            snprintf(out, size, "%.*s", (int)len, q + nl + 1);
            return true;
        }
        q = strchr(q, '&');
    }
    return false;
}

static int fwd;

static int
fent_cmp(const void *a, const void *b)
{
    const struct fent *x = *(const struct fent *const *)a, *y = *(const struct fent *const *)b;

    if (x->ts != y->ts)
        return fwd ? (x->ts < y->ts ? -1 : 1) : (x->ts > y->ts ? -1 : 1);
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
fake_serve(struct upstream *u, const char *path, struct strbuf *out)
{
    char v[64];
    int64_t start = 0, end = INT64_MAX;
    size_t limit = 100, k = 0;
    struct fent **sel = xcalloc(u->n + 1, sizeof(*sel));

    if (param(path, "start", v, sizeof(v)))
        start = strtoll(v, NULL, 10);
    if (param(path, "end", v, sizeof(v)))
        end = strtoll(v, NULL, 10);
    u->last_end = end;
    if (param(path, "limit", v, sizeof(v)))
        limit = strtoul(v, NULL, 10);
    if (limit > u->max_limit_seen)
        u->max_limit_seen = limit;
    fwd = param(path, "direction", v, sizeof(v)) && strcmp(v, "forward") == 0;
    for (size_t i = 0; i < u->n; i++) {
        if (u->ents[i].ts >= start && u->ents[i].ts < end)
            sel[k++] = &u->ents[i];
    }
    qsort(sel, k, sizeof(*sel), fent_cmp);
    if (k > limit)
        k = limit;
    strbuf_puts(out, "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[");
    for (int s = 0, first = 1; s < 3; s++) {
        int any = 0;

        for (size_t i = 0; i < k; i++) {
            if (sel[i]->stream != s)
                continue;
            if (!any) {
                strbuf_printf(out, "%s{\"stream\":%s,\"values\":[", first ? "" : ",",
                              fake_streams[s]);
                first = 0;
            }
            strbuf_printf(out, "%s[\"%" PRId64 "\",", any ? "," : "", sel[i]->ts);
            json_escape(out, sel[i]->line, strlen(sel[i]->line));
            strbuf_putc(out, ']');
            any = 1;
        }
        if (any)
            strbuf_puts(out, "]}");
    }
    strbuf_puts(out, "],\"stats\":{}}}");
    free(sel);
}

static void
call_free(struct upstream_call *c)
{
    c->u->pending--;
    ev_timer_free(c->t);
    free(c->path);
    free(c);
}

static void
call_fire(void *arg)
{
    struct upstream_call *c = arg;
    struct upstream *u = c->u;
    struct upstream_response r = {0};
    struct strbuf body = {0};

    r.result = STATUS_OK;
    r.content_type = "application/json";
    switch (u->mode) {
    case FAKE_OK:
        r.http_status = 200;
        if (strstr(c->path, "/query_range")) {
            char v[32] = "";

            param(c->path, "limit", v, sizeof(v));
            if (u->max_entries && strtoul(v, NULL, 10) > u->max_entries) {
                r.result = STATUS_TOOLARGE;
                r.http_status = 0;
                snprintf(r.error, sizeof(r.error), "answer over 64 MiB");
                break;
            }
            fake_serve(u, c->path, &body);
        } else if (strstr(c->path, "/series?")) {
            strbuf_puts(&body, "{\"status\":\"success\",\"data\":[{\"namespace\":\"dp-a-b\","
                               "\"app\":\"web\"},{\"job\":\"build\",\"tenant\":\"max\"}]}");
        } else {
            strbuf_puts(&body, "{\"status\":\"success\",\"data\":[\"b\",\"a\"]}");
        }
        break;
    case FAKE_UNREACHABLE:
        r.result = STATUS_UNREACHABLE;
        snprintf(r.error, sizeof(r.error), "Failed to connect to 127.0.0.1 port 9 after 0 ms");
        break;
    case FAKE_400:
        r.http_status = 400;
        strbuf_puts(&body, "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");
        break;
    case FAKE_HTML:
        r.http_status = 502;
        r.content_type = "text/html";
        strbuf_puts(&body, "<html><head><title>502 Bad Gateway</title></head></html>");
        break;
    }
    r.body = strbuf_str(&body);
    r.len = body.len;
    u->requests++;
    /* Answered: not pending any more while its callback runs. */
    u->pending--;
    c->cb(c->arg, &r);
    u->pending++;
    strbuf_done(&body);
    call_free(c);
}

struct upstream_call *
upstream_get(struct upstream *u, const char *path_query, upstream_cb cb, void *arg)
{
    struct upstream_call *c = xcalloc(1, sizeof(*c));

    if (u->pending)
        u->overlap = true;
    u->pending++;
    c->u = u;
    c->path = xstrdup(path_query);
    c->cb = cb;
    c->arg = arg;
    c->t = ev_timer_new(u->loop, call_fire, c);
    ev_timer_arm(c->t, 0);
    return c;
}

void
upstream_cancel(struct upstream_call *c)
{
    if (c)
        call_free(c);
}

bool
upstream_configured(const struct upstream *u)
{
    return u->configured;
}

const char *
upstream_describe(const struct upstream *u)
{
    (void)u;
    return "fake-loki";
}

static struct evloop *loop;
static struct upstream fake;

static void
setup(void)
{
    loop = evloop_new();
    memset(&fake, 0, sizeof(fake));
    fake.loop = loop;
    fake.configured = true;
}

static void
teardown(void)
{
    for (size_t i = 0; i < fake.n; i++)
        free(fake.ents[i].line);
    free(fake.ents);
    evloop_free(loop);
    clock_set_fixed_ns(0);
}

/* ------------------------------------------------------------------------
 * Collecting what a range fetch delivers
 */

struct got {
    struct strbuf text; /* "ts stream-id line\n" per entry */
    size_t n;
    int64_t last_ts;
    bool order_ok;
    bool forward;
    bool done;
    struct loki_result res;
    unsigned batches;
    bool cached;
    size_t stop_after; /* return false after this many entries (0: never) */
};

static bool
got_batch(void *arg, const struct loki_batch *b)
{
    struct got *g = arg;

    g->batches++;
    g->cached = b->cached;
    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];

        if (g->n > 0 && (g->forward ? e->ts < g->last_ts : e->ts > g->last_ts))
            g->order_ok = false;
        g->last_ts = e->ts;
        strbuf_printf(&g->text, "%" PRId64 " %s %.*s\n", e->ts, e->stream->text, (int)e->len,
                      e->line);
        g->n++;
    }
    return !(g->stop_after && g->n >= g->stop_after);
}

static void
got_done(void *arg, const struct loki_result *res)
{
    struct got *g = arg;

    g->res = *res;
    g->done = true;
}

static void
got_init(struct got *g, bool forward)
{
    memset(g, 0, sizeof(*g));
    g->order_ok = true;
    g->forward = forward;
}

static void
run_range(struct loki *l, struct got *g, const struct loki_range_opts *o)
{
    got_init(g, o->direction == LOKI_FORWARD);
    loki_range(l, o, got_batch, got_done, g);
    ck_assert(run_until(loop, &g->done, 10000));
}

/* The distinct (ts, stream, line) lines of the fake between start and end,
 * ordered as the client must deliver them, as text. */
static char *
expected(int64_t start, int64_t end, bool forward, size_t limit)
{
    struct strbuf sb = {0};
    struct fent **sel = xcalloc(fake.n + 1, sizeof(*sel));
    size_t k = 0, out = 0;
    static const char *const text[] = {
        "{app=\"web\", namespace=\"dp-a-b\"}",
        "{app=\"db\", namespace=\"dp-a-b\"}",
        "{job=\"build\", tenant=\"max\"}",
    };

    for (size_t i = 0; i < fake.n; i++) {
        if (fake.ents[i].ts >= start && fake.ents[i].ts < end)
            sel[k++] = &fake.ents[i];
    }
    fwd = forward;
    qsort(sel, k, sizeof(*sel), fent_cmp);
    for (size_t i = 0; i < k && (!limit || out < limit); i++) {
        bool dup = false;

        for (size_t j = i; j-- > 0 && sel[j]->ts == sel[i]->ts;) {
            if (sel[j]->stream == sel[i]->stream && strcmp(sel[j]->line, sel[i]->line) == 0)
                dup = true;
        }
        if (dup)
            continue;
        strbuf_printf(&sb, "%" PRId64 " %s %s\n", sel[i]->ts, text[sel[i]->stream], sel[i]->line);
        out++;
    }
    free(sel);
    return strbuf_detach(&sb);
}

/* Sorts the lines of text so that the order among equal timestamps (a
 * matter of stream ids) does not matter. */
static int
line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
sorted(const char *text)
{
    struct vec v;
    char *copy = xstrdup(text), *save = NULL;
    struct strbuf sb = {0};

    vec_init(&v, NULL);
    for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
        vec_push(&v, t);
    qsort(v.items, v.len, sizeof(void *), line_cmp);
    for (size_t i = 0; i < v.len; i++)
        strbuf_printf(&sb, "%s\n", (char *)v.items[i]);
    vec_done(&v);
    free(copy);
    return strbuf_detach(&sb);
}

/* ------------------------------------------------------------------------
 * Parsing the recorded answers
 */

static size_t
parse_fixture(const char *name, enum loki_direction dir, struct loki_page *pg,
              struct loki_interner *in, enum status *st)
{
    size_t len;
    char *body = fixture_read(name, &len);

    *st = loki_page_parse(pg, in, body, len, dir);
    free(body);
    return pg->n;
}

START_TEST(test_parse_recorded_streams)
{
    struct loki_page pg;
    struct loki_interner in;
    enum status st;
    size_t n;

    loki_page_init(&pg);
    loki_interner_init(&in);
    n = parse_fixture("loki-client/query_range-streams-api.json", LOKI_BACKWARD, &pg, &in, &st);
    ck_assert_int_eq(st, STATUS_OK);
    ck_assert_uint_gt(n, 3);
    for (size_t i = 1; i < n; i++)
        ck_assert(pg.ents[i - 1].ts >= pg.ents[i].ts);
    ck_assert_str_eq(pg.ents[n - 1].ls->text,
                     "{job=\"build\", project=\"catapp\", service=\"api\", tenant=\"max\"}");
    ck_assert_int_eq(pg.ents[n - 1].ts, INT64_C(1795536299454585236));
    ck_assert_str_eq(pg.ents[n - 1].line,
                     "level=info msg=\"build started\" build_id=1042 branch=main");
    ck_assert_str_eq(loki_labels_get(pg.ents[0].ls, "job"), "build");
    ck_assert_ptr_null(loki_labels_get(pg.ents[0].ls, "nope"));

    /* The same answer forward: the same entries, oldest first, and the
     * same interned streams. */
    {
        const struct loki_labels *first = pg.ents[n - 1].ls;

        ck_assert_uint_eq(
            parse_fixture("loki-client/query_range-streams-api.json", LOKI_FORWARD, &pg, &in, &st),
            n);
        ck_assert_ptr_eq(pg.ents[0].ls, first);
        ck_assert_int_eq(pg.ents[0].ts, INT64_C(1795536299454585236));
    }
    ck_assert_uint_eq(parse_fixture("loki-client/query_range-streams-backward-limit2.json",
                                    LOKI_BACKWARD, &pg, &in, &st),
                      2);
    ck_assert_uint_gt(
        parse_fixture("loki-client/query_range-logfmt-level.json", LOKI_BACKWARD, &pg, &in, &st),
        0);
    ck_assert_uint_eq(
        parse_fixture("loki-client/query_range-empty-result.json", LOKI_BACKWARD, &pg, &in, &st),
        0);
    ck_assert_int_eq(st, STATUS_OK);
    loki_page_done(&pg);
    loki_interner_done(&in);
}
END_TEST

START_TEST(test_parse_matrix_3element_missing)
{
    struct loki_page pg;
    struct loki_interner in;
    enum status st;

    loki_page_init(&pg);
    loki_interner_init(&in);
    ck_assert_uint_eq(parse_fixture("loki-client/query_range-matrix-count_over_time.json",
                                    LOKI_FORWARD, &pg, &in, &st),
                      5);
    ck_assert_int_eq(st, STATUS_OK);
    ck_assert_int_eq(pg.ents[0].ts, INT64_C(1795536300) * NS_PER_SEC);
    ck_assert_str_eq(pg.ents[0].line, "1");
    ck_assert_str_eq(pg.ents[0].ls->text, "{service=\"api\"}");

    ck_assert_uint_eq(
        parse_fixture("loki-client/streams-3element.json", LOKI_BACKWARD, &pg, &in, &st), 3);
    ck_assert_int_eq(st, STATUS_OK);
    ck_assert_str_eq(pg.warning, "query was split");
    ck_assert_str_eq(pg.ents[0].line, "GET /cats 200");
    /* Escapes come out unescaped, control bytes kept (the screen
     * sanitises). */
    ck_assert_str_eq(pg.ents[1].line, "checkpoint \"done\"\tok\x1b[31m");
    ck_assert_uint_eq(pg.ents[1].len, strlen("checkpoint \"done\"\tok\x1b[31m"));
    ck_assert_str_eq(pg.ents[1].ls->text, "{app=\"db\", namespace=\"dp-max-catapp\"}");

    ck_assert_uint_eq(
        parse_fixture("loki-client/streams-missing-data.json", LOKI_BACKWARD, &pg, &in, &st), 0);
    ck_assert_int_eq(st, STATUS_OK);
    ck_assert_str_eq(pg.warning, "max series limit reached");

    /* Invalid UTF-8 as raw bytes (what Loki sends for such a line): the
     * bytes become U+FFFD, the page is read. */
    {
        const char *raw = "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\","
                          "\"result\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"5\",\"x\xff\xc0y"
                          "\xe2\x82\"]]}]}}";

        ck_assert_int_eq(loki_page_parse(&pg, &in, raw, strlen(raw), LOKI_FORWARD), STATUS_OK);
        ck_assert_uint_eq(pg.n, 1);
        ck_assert_str_eq(pg.ents[0].line, "x\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd");
    }
    /* Malformed answers are said as such. */
    ck_assert_int_eq(loki_page_parse(&pg, &in, "{\"status\":\"success\"", 20, LOKI_FORWARD),
                     STATUS_JSON);
    ck_assert_ptr_nonnull(strstr(status_text(), "Loki: malformed answer"));
    {
        const char *bad = "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\","
                          "\"result\":[{\"stream\":{},\"values\":[[1,\"x\"]]}]}}";

        ck_assert_int_eq(loki_page_parse(&pg, &in, bad, strlen(bad), LOKI_FORWARD), STATUS_JSON);
    }
    loki_page_done(&pg);
    loki_interner_done(&in);
}
END_TEST

START_TEST(test_parse_duplicates)
{
    struct loki_page pg;
    struct loki_interner in;
    struct loki_seen seen = {0};
    struct loki_entry *out = NULL;
    size_t cap = 0, n;
    int64_t seen_ts = INT64_MIN;
    uint64_t dups = 0;
    enum status st;

    loki_page_init(&pg);
    loki_interner_init(&in);
    ck_assert_uint_eq(
        parse_fixture("loki-client/streams-duplicates.json", LOKI_FORWARD, &pg, &in, &st), 5);
    n = loki_page_filter(&pg, &seen, &seen_ts, &out, &cap, &dups);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(dups, 1);
    ck_assert_str_eq(out[0].line, "older");
    /* The set keeps the entries of the last timestamp only. */
    ck_assert_uint_eq(seen.n, 3);
    ck_assert_int_eq(seen_ts, INT64_C(1795536300000000001));
    /* The same page again: everything at the boundary is known. */
    n = loki_page_filter(&pg, &seen, &seen_ts, &out, &cap, &dups);
    ck_assert_uint_eq(n, 4); /* "older" is before the boundary: new again */
    free(out);
    loki_seen_done(&seen);
    loki_page_done(&pg);
    loki_interner_done(&in);
}
END_TEST

START_TEST(test_error_lines)
{
    char out[512];
    size_t len;
    char *body = fixture_read("loki-client/error-parse.body.txt", &len);

    loki_error_line(400, body, len, false, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: 400 parse error at line 1, col 13: syntax error: unexpected "
                          "$end, expecting } or ,");
    free(body);
    loki_error_line(401, "no org id\n", 10, false, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: 401 no org id");
    loki_error_line(429, "too many outstanding requests", 29, false, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: 429 too many outstanding requests");
    loki_error_line(504, "", 0, false, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: 504 Gateway Timeout");
    body = fixture_read("loki-client/proxy-502.html", &len);
    loki_error_line(502, body, len, false, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: 502 Bad Gateway (HTML from a proxy: 502 Bad Gateway)");
    free(body);
    body = fixture_read("loki-client/proxy-status-503.json", &len);
    loki_error_line(503, body, len, true, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: API server: 503 Service Unavailable: no endpoints available "
                          "for service \"loki:3100\"");
    free(body);
    loki_error_line(500, "{\"status\":\"error\",\"error\":\"boom\"}", 33, false, out, sizeof(out));
    ck_assert_str_eq(out, "Loki: 500 boom");
}
END_TEST

START_TEST(test_parse_strings_series)
{
    size_t len, n;
    char *body = fixture_read("loki-client/labels.json", &len);
    char **v;

    ck_assert_int_eq(loki_parse_strings(body, len, &v, &n), STATUS_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(v[0], "job");
    ck_assert_ptr_null(v[4]);
    strv_free(v);
    free(body);
    ck_assert_int_eq(loki_parse_strings("{\"status\":\"success\"}", 20, &v, &n), STATUS_OK);
    ck_assert_uint_eq(n, 0);
    strv_free(v);
    ck_assert_int_eq(loki_parse_strings("nope", 4, &v, &n), STATUS_JSON);
}
END_TEST

/* ------------------------------------------------------------------------
 * Paging against the fake
 */

#define T0 INT64_C(1795536000000000000)

/* n entries over 3 streams; timestamps advance every `group` entries, so
 * groups of equal timestamps straddle page borders again and again. */
static void
fill(size_t n, size_t group)
{
    char line[64];

    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof(line), "line %zu \"q\"", i);
        fake_add(&fake, T0 + (int64_t)(i / group) * 1000, (int)(i % 3), line);
    }
}

START_TEST(test_paging_boundaries)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_range_opts o = {
        .query = "{namespace=\"dp-a-b\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .page_size = 10,
    };
    struct got g;
    char *want, *a, *b;

    fill(1000, 7);
    /* Exact duplicates too: they come out once. */
    fake_add(&fake, T0 + 7000, 1, "line 50 \"q\"");
    fake_add(&fake, T0 + 7000, 1, "line 50 \"q\"");

    for (int dir = 0; dir < 2; dir++) {
        o.direction = dir ? LOKI_FORWARD : LOKI_BACKWARD;
        fake.requests = 0;
        run_range(l, &g, &o);
        ck_assert_int_eq(g.res.st, STATUS_OK);
        ck_assert(g.order_ok);
        want = expected(o.start_ns, o.end_ns, dir, 0);
        a = sorted(strbuf_str(&g.text));
        b = sorted(want);
        ck_assert_str_eq(a, b);
        ck_assert_uint_eq(g.n, 1001);
        ck_assert_uint_eq(g.res.entries, 1001);
        ck_assert_uint_gt(fake.requests, 100);
        ck_assert(!fake.overlap);
        free(a);
        free(b);
        free(want);
        strbuf_done(&g.text);
    }
    loki_free(l);
}
END_TEST

START_TEST(test_paging_limit_newest)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_range_opts o = {
        .query = "{job=\"build\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .direction = LOKI_BACKWARD,
        .limit = 95,
        .page_size = 40,
    };
    struct got g;
    char *want, *a, *b;

    fill(500, 5);
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_uint_eq(g.n, 95);
    ck_assert(g.res.truncated);
    want = expected(o.start_ns, o.end_ns, false, 95);
    a = sorted(strbuf_str(&g.text));
    b = sorted(want);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    free(want);
    strbuf_done(&g.text);

    /* Fewer matches than the limit: all, not truncated. */
    o.limit = 1000;
    run_range(l, &g, &o);
    ck_assert_uint_eq(g.n, 500);
    ck_assert(!g.res.truncated);
    strbuf_done(&g.text);
    loki_free(l);
}
END_TEST

START_TEST(test_paging_crowded_timestamp)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_range_opts o = {
        .query = "{job=\"build\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .direction = LOKI_FORWARD,
        .page_size = 10,
    };
    struct got g;

    /* 45 entries at one timestamp, pages of 10: the client asks again with
     * a larger limit and sees them all. */
    fill(20, 1);
    for (int i = 0; i < 45; i++) {
        char line[32];

        snprintf(line, sizeof(line), "crowd %d", i);
        fake_add(&fake, T0 + 5500, i % 3, line);
    }
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_uint_eq(g.n, 65);
    ck_assert(g.order_ok);
    ck_assert_uint_ge(fake.max_limit_seen, 46);
    ck_assert_str_eq(g.res.warning, "");
    strbuf_done(&g.text);
    loki_free(l);
}
END_TEST

START_TEST(test_paging_crowd_over_max)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_range_opts o = {
        .query = "{job=\"build\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .direction = LOKI_BACKWARD,
    };
    struct got g;

    fake_add(&fake, T0 + 1, 0, "before");
    for (int i = 0; i < LOKI_MAX_PAGE + 10; i++) {
        char line[32];

        snprintf(line, sizeof(line), "crowd %d", i);
        fake_add(&fake, T0 + 100, 0, line);
    }
    fake_add(&fake, T0 + 50, 0, "between");
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    /* 5000 of the crowd, then past it: the older entries still come. */
    ck_assert_uint_eq(g.n, LOKI_MAX_PAGE + 2);
    ck_assert_ptr_nonnull(strstr(g.res.warning, "at one timestamp"));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.text), "before"));
    strbuf_done(&g.text);
    loki_free(l);
}
END_TEST

START_TEST(test_range_errors_and_stop)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_range_opts o = {
        .query = "{job=\"build\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .page_size = 10,
    };
    struct got g;

    fill(100, 1);
    fake.mode = FAKE_400;
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_HTTP);
    ck_assert_int_eq(g.res.http_status, 400);
    ck_assert_str_eq(g.res.error, "Loki: 400 parse error at line 1, col 1: syntax error: "
                                  "unexpected IDENTIFIER");
    fake.mode = FAKE_UNREACHABLE;
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_UNREACHABLE);
    ck_assert_str_eq(g.res.error, "Loki: unreachable: Failed to connect to 127.0.0.1 port 9 "
                                  "after 0 ms");
    fake.mode = FAKE_HTML;
    run_range(l, &g, &o);
    ck_assert_str_eq(g.res.error, "Loki: 502 Bad Gateway (HTML from a proxy: 502 Bad Gateway)");

    /* The caller stops after 25 entries: done says cancelled, no more
     * requests. */
    fake.mode = FAKE_OK;
    got_init(&g, false);
    g.stop_after = 25;
    loki_range(l, &o, got_batch, got_done, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.res.st, STATUS_CANCELLED);
    /* Pages of 10, each after the first repeating its boundary entry. */
    ck_assert_uint_eq(g.n, 28);
    run_for(loop, 20);
    ck_assert_uint_eq(loki_pending(l), 0);
    strbuf_done(&g.text);

    /* Not configured. */
    fake.configured = false;
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_CONFIG);
    /* An empty range. */
    fake.configured = true;
    o.end_ns = o.start_ns;
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_INVALID);
    loki_free(l);
}
END_TEST

static void
strings_cb(void *arg, const struct loki_result *res, const char *const *values, size_t n)
{
    struct got *g = arg;

    g->res = *res;
    g->n = n;
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&g->text, "%s,", values[i]);
    g->done = true;
}

static void
series_cb(void *arg, const struct loki_result *res, const struct loki_labels *const *series,
          size_t n)
{
    struct got *g = arg;

    g->res = *res;
    g->n = n;
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&g->text, "%u %s\n", series[i]->id, series[i]->text);
    g->done = true;
}

START_TEST(test_series_and_toolarge)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_range_opts o = {
        .query = "{job=\"build\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .direction = LOKI_FORWARD,
        .page_size = 100,
    };
    struct got g;

    got_init(&g, false);
    loki_series(l, "{namespace=~\"dp-.*\"}", T0, T0 + 1, series_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&g.text), "1 {app=\"web\", namespace=\"dp-a-b\"}\n"
                                          "2 {job=\"build\", tenant=\"max\"}\n");
    strbuf_done(&g.text);

    /* Pages over the body cap are asked again, smaller, and all arrive. */
    fill(300, 2);
    fake.max_entries = 30;
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_uint_eq(g.n, 300);
    ck_assert(g.order_ok);
    strbuf_done(&g.text);
    loki_free(l);
}
END_TEST

START_TEST(test_labels_call)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct got g;

    got_init(&g, false);
    loki_labels(l, "app", "{namespace=\"x\"}", T0, T0 + 1, strings_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&g.text), "a,b,");
    strbuf_done(&g.text);
    loki_free(l);
}
END_TEST

/* ------------------------------------------------------------------------
 * Follow
 */

struct follow_got {
    struct got g;
    unsigned status_calls;
    struct loki_result last;
};

static bool
follow_batch(void *arg, const struct loki_batch *b)
{
    return got_batch(arg, b);
}

static void
follow_status(void *arg, const struct loki_result *res)
{
    struct follow_got *fg = arg;

    fg->status_calls++;
    fg->last = *res;
}

START_TEST(test_follow_dedup_flat)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_follow_opts o = {
        .query = "{app=\"web\"}", .start_ns = T0, .interval_ms = 1, .page_size = 50};
    struct follow_got fg;
    struct loki_follow *f;
    struct loki_follow_stats fs;
    size_t added = 0, max_boundary = 0;
    int64_t now = T0;

    memset(&fg, 0, sizeof(fg));
    got_init(&fg.g, true);
    clock_set_fixed_ns(now);
    f = loki_follow_new(l, &o, follow_batch, follow_status, &fg);
    /* 400 rounds: each adds entries at the current boundary timestamp and
     * after it, and sometimes a burst bigger than a page (catch-up). */
    for (int round = 0; round < 400; round++) {
        int burst = round % 50 == 0 ? 120 : 3;
        uint64_t polls;

        for (int i = 0; i < burst; i++) {
            char line[48];

            snprintf(line, sizeof(line), "r%d i%d", round, i);
            fake_add(&fake, now + (i % 2), i % 3, line);
            added++;
        }
        now += 2;
        clock_set_fixed_ns(now + 1);
        loki_follow_stats(f, &fs);
        polls = fs.polls;
        /* Until the entries are all in. */
        for (int spin = 0; spin < 200 && fg.g.n < added; spin++)
            run_for(loop, 1);
        loki_follow_stats(f, &fs);
        ck_assert_uint_ge(fs.polls, polls);
        if (fs.boundary > max_boundary)
            max_boundary = fs.boundary;
    }
    ck_assert_uint_eq(fg.g.n, added);
    ck_assert(fg.g.order_ok);
    loki_follow_stats(f, &fs);
    ck_assert_uint_eq(fs.entries, added);
    ck_assert_uint_gt(fs.duplicates, 0);
    /* Memory flat: only the entries at the newest timestamp are kept. */
    ck_assert_uint_le(max_boundary, 60);
    ck_assert_uint_eq(fg.status_calls, 0);
    {
        /* Every line exactly once. */
        char *a = sorted(strbuf_str(&fg.g.text));
        char *want = expected(T0, INT64_MAX, true, 0);
        char *b = sorted(want);

        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        free(want);
    }
    ck_assert(!fake.overlap);
    loki_follow_free(f);
    strbuf_done(&fg.g.text);
    loki_free(l);
}
END_TEST

START_TEST(test_follow_failure_backoff)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct loki_follow_opts o = {
        .query = "{app=\"web\"}", .start_ns = T0, .interval_ms = 5, .delay_ms = 50};
    struct follow_got fg;
    struct loki_follow *f;
    int64_t t0;

    memset(&fg, 0, sizeof(fg));
    got_init(&fg.g, true);
    clock_set_fixed_ns(T0 + NS_PER_SEC);
    fake_add(&fake, T0 + 10, 0, "one");
    fake.mode = FAKE_UNREACHABLE;
    f = loki_follow_new(l, &o, follow_batch, follow_status, &fg);
    t0 = clock_mono_ms();
    for (int spin = 0; spin < 500 && fg.status_calls < 3; spin++)
        run_for(loop, 2);
    ck_assert_uint_ge(fg.status_calls, 3);
    ck_assert_int_eq(fg.last.st, STATUS_UNREACHABLE);
    /* Backed off: 10 + 20 + 40 ms at least between the three failures. */
    ck_assert_int_ge(clock_mono_ms() - t0, 30);
    fake.mode = FAKE_OK;
    for (int spin = 0; spin < 500 && fg.g.n < 1; spin++)
        run_for(loop, 2);
    ck_assert_uint_eq(fg.g.n, 1);
    ck_assert_int_eq(fg.last.st, STATUS_OK);
    /* Polls end delay_ms before now. */
    ck_assert_int_eq(fake.last_end, T0 + NS_PER_SEC - 50 * 1000000);
    loki_follow_free(f);
    strbuf_done(&fg.g.text);
    loki_free(l);
}
END_TEST

/* ------------------------------------------------------------------------
 * The log cache
 */

START_TEST(test_cache_offline)
{
    char *dir = test_tmpdir();
    char cache[512], state[512];
    struct store *st = NULL;
    struct loki *l;
    struct loki_range_opts o = {
        .query = "{job=\"build\"}",
        .start_ns = T0,
        .end_ns = T0 + INT64_C(10000000000),
        .page_size = 10,
        .use_cache = true,
    };
    struct got g;
    char *online;

    snprintf(cache, sizeof(cache), "%s/cache.db", dir);
    snprintf(state, sizeof(state), "%s/state.db", dir);
    ck_assert_int_eq(store_open(cache, state, NULL, &st), STATUS_OK);
    l = loki_new(loop, &fake, st);
    fill(60, 2);
    clock_set_fixed_ns(INT64_C(1795540000) * NS_PER_SEC);
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert(!g.res.cached);
    online = strbuf_detach(&g.text);
    ck_assert_int_gt(store_logs_size(st), 0);

    fake.mode = FAKE_UNREACHABLE;
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert(g.res.cached);
    ck_assert(g.cached);
    ck_assert_int_eq(g.res.fetched_at, 1795540000);
    ck_assert_ptr_nonnull(strstr(g.res.error, "unreachable"));
    {
        /* The same lines (the order among equal timestamps may differ). */
        char *a = sorted(strbuf_str(&g.text)), *b = sorted(online);

        ck_assert_msg(strcmp(a, b) == 0, "cached lines differ");
        ck_assert(g.order_ok);
        free(a);
        free(b);
    }
    strbuf_done(&g.text);

    /* A part of the range, with a limit: the newest of it. */
    o.start_ns = T0 + 10000;
    o.limit = 5;
    run_range(l, &g, &o);
    ck_assert_uint_eq(g.n, 5);
    ck_assert_int_eq(g.last_ts, T0 + 27000); /* two entries per timestamp, newest first */
    strbuf_done(&g.text);

    /* Another query has nothing cached: the failure stands. */
    o.query = "{job=\"other\"}";
    run_range(l, &g, &o);
    ck_assert_int_eq(g.res.st, STATUS_UNREACHABLE);
    strbuf_done(&g.text);

    /* The size cap: the least recently used query goes. */
    store_logs_set_limits(st, 1, 0);
    fake.mode = FAKE_OK;
    o.query = "{job=\"third\"}";
    o.limit = 0;
    run_range(l, &g, &o);
    strbuf_done(&g.text);
    ck_assert_int_le(store_logs_size(st), 1000);
    ck_assert_int_eq(store_logs_clear(st), STATUS_OK);
    ck_assert_int_eq(store_logs_size(st), 0);

    free(online);
    loki_free(l);
    store_close(st);
    rm_rf(dir);
    free(dir);
}
END_TEST

static bool
count_line(void *arg, const struct store_log_line *ln, int64_t fetched_at)
{
    size_t *n = arg;

    (void)ln;
    (void)fetched_at;
    (*n)++;
    return true;
}

START_TEST(test_cache_retention)
{
    char *dir = test_tmpdir();
    char cache[512], state[512];
    struct store *st = NULL;
    struct store_log_line a[3] = {
        {.ts = 1, .labels = "{app=\"a\"}", .line = "one", .len = 3},
        {.ts = 2, .labels = "{app=\"a\"}", .line = "two", .len = 3},
        {.ts = 2, .labels = "{app=\"a\"}", .line = "two", .len = 3},
    };
    struct store_log_line b = {.ts = 3, .labels = "{app=\"b\"}", .line = "three", .len = 5};
    size_t n = 0;

    snprintf(cache, sizeof(cache), "%s/cache.db", dir);
    snprintf(state, sizeof(state), "%s/state.db", dir);
    ck_assert_int_eq(store_open(cache, state, NULL, &st), STATUS_OK);
    /* A duplicate is kept once. */
    ck_assert_int_eq(store_logs_put(st, "ep", "{app=\"a\"}", a, 3, 1000), STATUS_OK);
    ck_assert_int_eq(store_logs_load(st, "ep", "{app=\"a\"}", 0, 10, false, 0, count_line, &n),
                     STATUS_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(store_logs_size(st), 6);
    /* Another endpoint's cache of the same query is another. */
    n = 0;
    store_logs_load(st, "other", "{app=\"a\"}", 0, 10, false, 0, count_line, &n);
    ck_assert_uint_eq(n, 0);
    /* Lines fetched longer ago than max_age go at the next put. */
    store_logs_set_limits(st, 0, 100);
    ck_assert_int_eq(store_logs_put(st, "ep", "{app=\"b\"}", &b, 1, 5000), STATUS_OK);
    n = 0;
    store_logs_load(st, "ep", "{app=\"a\"}", 0, 10, false, 0, count_line, &n);
    ck_assert_uint_eq(n, 0);
    n = 0;
    store_logs_load(st, "ep", "{app=\"b\"}", 0, 10, false, 0, count_line, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(store_logs_size(st), 5);
    store_close(st);
    rm_rf(dir);
    free(dir);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("loki");
    TCase *tc = tcase_create("loki");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_parse_recorded_streams);
    tcase_add_test(tc, test_parse_matrix_3element_missing);
    tcase_add_test(tc, test_parse_duplicates);
    tcase_add_test(tc, test_error_lines);
    tcase_add_test(tc, test_parse_strings_series);
    tcase_add_test(tc, test_paging_boundaries);
    tcase_add_test(tc, test_paging_limit_newest);
    tcase_add_test(tc, test_paging_crowded_timestamp);
    tcase_add_test(tc, test_paging_crowd_over_max);
    tcase_add_test(tc, test_range_errors_and_stop);
    tcase_add_test(tc, test_labels_call);
    tcase_add_test(tc, test_series_and_toolarge);
    tcase_add_test(tc, test_follow_dedup_flat);
    tcase_add_test(tc, test_follow_failure_backoff);
    tcase_add_test(tc, test_cache_offline);
    tcase_add_test(tc, test_cache_retention);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
