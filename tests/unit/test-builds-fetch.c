/* SPDX-License-Identifier: MIT */
/* test-builds-fetch.c - builds_fetch over the real Loki client and a fake upstream: the range
 * and its 24 h of history, selectors, follow ending a running build, failure, free in a callback */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/builds.h"
#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/json.h"
#include "opsdeck/loki.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/upstream.h"
#include "opsdeck/xalloc.h"
#include "nettest.h"
#include "testlib.h"

#define SEC(s) ((int64_t)(s)*NS_PER_SEC)
#define NOW    SEC(1795489920) /* 2026-11-24T03:12:00Z */

/* ------------------------------------------------------------------------
 * A Loki of build streams behind a fake upstream (the client's only way
 * out): query_range with start inclusive, end exclusive, limit, direction
 * and one `|= "…"` line filter; answered from the loop.
 */

struct fline {
    int64_t ts;
    int stream;
    char *line;
};

static const char *const streams[] = {
    "{\"job\":\"build\",\"tenant\":\"acme\",\"project\":\"shop\",\"service\":\"storefront\"}",
    "{\"job\":\"build\",\"tenant\":\"max\",\"project\":\"catapp\",\"service\":\"api\"}",
};

struct upstream {
    struct evloop *loop;
    bool fail; /* answer 400 with Loki's text */
    struct fline *lines;
    size_t n, cap;
    struct strbuf queries; /* every query_range: "start end query\n", decoded */
    unsigned requests;
};

struct upstream_call {
    struct upstream *u;
    char *path;
    upstream_cb cb;
    void *arg;
    struct ev_timer *t;
};

static struct evloop *loop;
static struct upstream fake;

static void
add(int64_t ts, int stream, const char *line)
{
    fake.lines = xgrow(fake.lines, &fake.cap, fake.n + 1, sizeof(*fake.lines));
    fake.lines[fake.n].ts = ts;
    fake.lines[fake.n].stream = stream;
    fake.lines[fake.n].line = xstrdup(line);
    fake.n++;
}

/* The decoded value of parameter name ("" when absent). Caller frees. */
static char *
param(const char *path, const char *name)
{
    const char *q = strchr(path, '?');
    size_t nl = strlen(name);
    struct strbuf out = {0};

    while (q) {
        q++;
        if (strncmp(q, name, nl) == 0 && q[nl] == '=') {
            for (const char *p = q + nl + 1; *p && *p != '&'; p++) {
                if (*p == '%' && p[1] && p[2]) {
                    char hex[3] = {p[1], p[2], 0};

                    strbuf_putc(&out, (char)strtol(hex, NULL, 16));
                    p += 2;
                } else {
                    strbuf_putc(&out, *p == '+' ? ' ' : *p);
                }
            }
            break;
        }
        q = strchr(q, '&');
    }
    return strbuf_detach(&out);
}

static int dir_fwd;

static int
cmp_line(const void *a, const void *b)
{
    const struct fline *x = *(const struct fline *const *)a;
    const struct fline *y = *(const struct fline *const *)b;

    if (x->ts == y->ts)
        return 0;
    return (x->ts < y->ts) == (dir_fwd != 0) ? -1 : 1;
}

static void
serve(const char *path, struct strbuf *out)
{
    char *query = param(path, "query"), *s = param(path, "start"), *e = param(path, "end");
    char *l = param(path, "limit"), *d = param(path, "direction");
    int64_t start = strtoll(s, NULL, 10), end = strtoll(e, NULL, 10);
    size_t limit = strtoul(l, NULL, 10), k = 0;
    const char *filter = strstr(query, "|= \"");
    char needle[128] = "";
    struct fline **sel = xcalloc(fake.n + 1, sizeof(*sel));

    strbuf_printf(&fake.queries, "%" PRId64 " %" PRId64 " %s\n", start, end, query);
    if (filter)
        snprintf(needle, sizeof(needle), "%.*s", (int)strcspn(filter + 4, "\""), filter + 4);
    dir_fwd = strcmp(d, "forward") == 0;
    for (size_t i = 0; i < fake.n; i++)
        if (fake.lines[i].ts >= start && fake.lines[i].ts < end &&
            (!needle[0] || strstr(fake.lines[i].line, needle)))
            sel[k++] = &fake.lines[i];
    if (k > 1)
        qsort(sel, k, sizeof(*sel), cmp_line);
    if (k > limit)
        k = limit;
    strbuf_puts(out, "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[");
    for (int st = 0, first = 1; st < 2; st++) {
        bool any = false;

        for (size_t i = 0; i < k; i++) {
            if (sel[i]->stream != st)
                continue;
            if (!any)
                strbuf_printf(out, "%s{\"stream\":%s,\"values\":[", first ? "" : ",", streams[st]);
            first = 0;
            strbuf_printf(out, "%s[\"%" PRId64 "\",", any ? "," : "", sel[i]->ts);
            json_escape(out, sel[i]->line, strlen(sel[i]->line));
            strbuf_putc(out, ']');
            any = true;
        }
        if (any)
            strbuf_puts(out, "]}");
    }
    strbuf_puts(out, "]}}");
    free(sel);
    free(query);
    free(s);
    free(e);
    free(l);
    free(d);
}

static void
call_free(struct upstream_call *c)
{
    ev_timer_free(c->t);
    free(c->path);
    free(c);
}

static void
call_fire(void *arg)
{
    struct upstream_call *c = arg;
    struct upstream_response r = {.result = STATUS_OK, .content_type = "application/json"};
    struct strbuf body = {0};

    fake.requests++;
    if (fake.fail) {
        r.http_status = 400;
        strbuf_puts(&body, "parse error at line 1, col 7: syntax error: unexpected IDENTIFIER");
    } else {
        r.http_status = 200;
        serve(c->path, &body);
    }
    r.body = strbuf_str(&body);
    r.len = body.len;
    c->cb(c->arg, &r);
    strbuf_done(&body);
    call_free(c);
}

struct upstream_call *
upstream_get(struct upstream *u, const char *path_query, upstream_cb cb, void *arg)
{
    struct upstream_call *c = xcalloc(1, sizeof(*c));

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
    (void)u;
    return true;
}

const char *
upstream_describe(const struct upstream *u)
{
    (void)u;
    return "fake-loki";
}

static void
setup(void)
{
    loop = evloop_new();
    memset(&fake, 0, sizeof(fake));
    fake.loop = loop;
    clock_set_fixed_ns(NOW);
}

static void
teardown(void)
{
    for (size_t i = 0; i < fake.n; i++)
        free(fake.lines[i].line);
    free(fake.lines);
    strbuf_done(&fake.queries);
    evloop_free(loop);
    clock_set_fixed_ns(0);
}

/* One build: a first line at start and, unless running, a last line. */
static void
add_build(int stream, const char *id, int64_t start, const char *end_fields, double dur)
{
    char line[256];

    snprintf(line, sizeof(line), "level=info msg=\"build started\" build_id=%s sha=%s0000", id, id);
    add(start, stream, line);
    snprintf(line, sizeof(line), "level=info msg=\"step\" build_id=%s sha=%s0000 step=2/6", id, id);
    add(start + SEC(1), stream, line);
    if (end_fields) {
        snprintf(line, sizeof(line),
                 "level=info msg=\"done\" build_id=%s sha=%s0000 %s "
                 "duration=%.1f",
                 id, id, end_fields, dur);
        add(start + (int64_t)(dur * 1e9), stream, line);
    }
}

struct seen {
    unsigned calls;
    enum builds_fetch_phase phase;
    struct builds_fetch_status last;
    struct builds_fetch *free_me; /* freed from inside the first callback */
    bool freed;
};

static void
on_status(void *arg, const struct builds_fetch_status *st)
{
    struct seen *s = arg;

    s->calls++;
    s->phase = st->phase;
    s->last = *st;
    if (s->free_me) {
        builds_fetch_free(s->free_me);
        s->free_me = NULL;
        s->freed = true;
    }
}

static const struct build *
find(const struct builds *b, const char *id)
{
    for (size_t i = 0; i < builds_count(b); i++)
        if (strcmp(builds_at(b, i)->id, id) == 0)
            return builds_at(b, i);
    return NULL;
}

static bool
phase_is(const struct seen *s, enum builds_fetch_phase p)
{
    return s->calls > 0 && s->phase == p;
}

static bool
wait_phase(struct seen *s, enum builds_fetch_phase p)
{
    for (int i = 0; i < 2000 && !phase_is(s, p); i++)
        run_for(loop, 1);
    return phase_is(s, p);
}

/* ------------------------------------------------------------------------ */

START_TEST(test_range_and_history)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct builds *b = builds_new(0);
    struct seen s = {0};
    struct builds_fetch *f;
    int64_t since = NOW - SEC(1800);
    char want[512];

    /* Before the range: a success 2 h before it (history), a failure. */
    add_build(0, "h1", since - SEC(7200), "status=succeeded cache=hit", 4.0);
    add_build(0, "h2", since - SEC(3600), "status=failed cache=partial", 9.0);
    /* In the range: a rebuild that lost its cache, a running build elsewhere. */
    add_build(0, "r1", since + SEC(60), "status=succeeded cache=miss", 41.7);
    add_build(1, "r2", NOW - SEC(20), NULL, 0);
    f = builds_fetch_new(l, b,
                         &(struct builds_fetch_opts){
                             .selector = "{job=\"build\",service=\"{service}\"}",
                             .since_ns = since,
                             .until_ns = NOW,
                         },
                         on_status, &s);
    ck_assert_uint_eq(s.calls, 0); /* never from inside builds_fetch_new */
    ck_assert(wait_phase(&s, BUILDS_FETCH_DONE));
    ck_assert_int_eq(s.last.st, STATUS_OK);
    ck_assert_uint_eq(builds_count(b), 2);
    ck_assert_ptr_null(find(b, "h1"));
    ck_assert(find(b, "r1")->cache_lost);
    ck_assert_int_eq(find(b, "r1")->duration_ms, 41700);
    ck_assert_int_eq(find(b, "r2")->status, BUILD_RUNNING);
    ck_assert_int_eq(find(b, "r2")->duration_ms, 20000);
    ck_assert_uint_eq(builds_running(b), 1);
    /* The history asked for the successes of the 24 h before, the range
     * for everything in it; placeholders left out of the selector. */
    snprintf(want, sizeof(want),
             "%" PRId64 " %" PRId64 " {job=\"build\"} |= \"status=succeeded\"\n",
             since - SEC(86400), since);
    ck_assert_msg(strstr(strbuf_str(&fake.queries), want), "%s", strbuf_str(&fake.queries));
    snprintf(want, sizeof(want), "%" PRId64 " %" PRId64 " {job=\"build\"}\n", since, NOW);
    ck_assert_msg(strstr(strbuf_str(&fake.queries), want), "%s", strbuf_str(&fake.queries));
    builds_fetch_free(f);
    builds_free(b);
    loki_free(l);
}
END_TEST

/* Following: the running build's last line arrives later and ends it. */
START_TEST(test_follow_ends_running)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct builds *b = builds_new(0);
    struct seen s = {0};
    struct builds_fetch *f;
    const struct build *bd;

    add_build(1, "r2", NOW - SEC(20), NULL, 0);
    f = builds_fetch_new(l, b,
                         &(struct builds_fetch_opts){
                             .selector = "{job=\"build\"}",
                             .since_ns = NOW - SEC(86400),
                             .follow = true,
                             .interval_ms = 5,
                         },
                         on_status, &s);
    ck_assert(wait_phase(&s, BUILDS_FETCH_FOLLOWING));
    ck_assert_int_eq(find(b, "r2")->status, BUILD_RUNNING);
    /* 10 s later the build ends. */
    add(NOW + SEC(9), 1,
        "level=info msg=\"done\" build_id=r2 sha=r20000 status=succeeded cache=hit duration=29.0");
    clock_set_fixed_ns(NOW + SEC(10));
    for (int i = 0; i < 2000 && builds_running(b) > 0; i++)
        run_for(loop, 1);
    bd = find(b, "r2");
    ck_assert_int_eq(bd->status, BUILD_SUCCEEDED);
    ck_assert_int_eq(bd->duration_ms, 29000);
    ck_assert(bd->over_target);
    ck_assert_int_eq(s.phase, BUILDS_FETCH_FOLLOWING);
    builds_fetch_free(f);
    builds_free(b);
    loki_free(l);
}
END_TEST

START_TEST(test_failure)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct builds *b = builds_new(0);
    struct seen s = {0};
    struct builds_fetch *f;

    fake.fail = true;
    f = builds_fetch_new(l, b,
                         &(struct builds_fetch_opts){.selector = "{job=\"build\"}",
                                                     .since_ns = NOW - SEC(3600),
                                                     .follow = true},
                         on_status, &s);
    ck_assert(wait_phase(&s, BUILDS_FETCH_FAILED));
    ck_assert_int_eq(s.last.st, STATUS_HTTP);
    ck_assert_msg(strstr(s.last.error, "Loki: 400 parse error"), "%s", s.last.error);
    ck_assert_int_eq(builds_fetch_status(f)->phase, BUILDS_FETCH_FAILED);
    /* Nothing more happens: no follow after a failure. */
    s.calls = 0;
    run_for(loop, 50);
    ck_assert_uint_eq(s.calls, 0);
    builds_fetch_free(f);
    builds_free(b);
    loki_free(l);
}
END_TEST

/* The caller frees the fetch from inside its first callback. */
START_TEST(test_free_in_callback)
{
    struct loki *l = loki_new(loop, &fake, NULL);
    struct builds *b = builds_new(0);
    struct seen s = {0};
    unsigned requests;

    for (int i = 0; i < 50; i++) {
        char id[8];

        snprintf(id, sizeof(id), "b%d", i);
        add_build(i % 2, id, NOW - SEC(3000) + SEC(i * 30), "status=succeeded cache=hit", 3);
    }
    s.free_me = builds_fetch_new(l, b,
                                 &(struct builds_fetch_opts){.selector = "{job=\"build\"}",
                                                             .since_ns = NOW - SEC(3600),
                                                             .follow = true},
                                 on_status, &s);
    for (int i = 0; i < 500 && !s.freed; i++)
        run_for(loop, 1);
    ck_assert(s.freed);
    requests = fake.requests;
    run_for(loop, 50);
    ck_assert_uint_eq(s.calls, 1);                  /* no callback after the free */
    ck_assert_uint_le(fake.requests, requests + 1); /* nothing new asked */
    builds_free(b);
    loki_free(l);
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("builds-fetch");
    TCase *tc = tcase_create("builds-fetch");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_range_and_history);
    tcase_add_test(tc, test_follow_ends_running);
    tcase_add_test(tc, test_failure);
    tcase_add_test(tc, test_free_in_callback);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
