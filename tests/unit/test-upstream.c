/* SPDX-License-Identifier: MIT */
/* test-upstream.c - upstream.c (by URL and through the service proxy) and kube_stream */
#include "config.h"

#include <sys/stat.h>

#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/kube.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/platform.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/upstream.h"
#include "nettest.h"
#include "testlib.h"

static struct child stub;

static void
stub_up(void)
{
    stub_start(&stub, NULL);
}

static void
stub_down(void)
{
    child_stop(&stub);
}

struct env {
    struct evloop *loop;
    struct http *http;
    struct kube *kube;
    struct upstream *up;
    char url[128];
    int states;
};

struct got {
    bool done;
    struct upstream_response r;
    struct strbuf body;
    char error[512];
    char ctype[96];
    struct upstream_call *self;     /* cancelled from inside the callback */
};

static void
count_state(void *arg)
{
    ((struct env *)arg)->states++;
}

static void
got_cb(void *arg, const struct upstream_response *r)
{
    struct got *g = arg;

    g->done = true;
    g->r = *r;
    strbuf_reset(&g->body);
    strbuf_append(&g->body, r->body, r->len);
    snprintf(g->error, sizeof(g->error), "%s", r->error);
    snprintf(g->ctype, sizeof(g->ctype), "%s", r->content_type);
    if (g->self)
        upstream_cancel(g->self);
}

/* An upstream by URL (ep->url NULL: the stub), or through the stub acting as
 * the API server (service set). */
static void
env_init(struct env *e, struct endpoint *ep)
{
    memset(e, 0, sizeof(*e));
    e->loop = evloop_new();
    e->http = http_new(e->loop);
    snprintf(e->url, sizeof(e->url), "http://127.0.0.1:%d", stub.port);
    if (ep->service) {
        struct kube_target t = { .server = e->url, .token = (char[]){ "good" } };

        e->kube = kube_new(e->loop, e->http, &t, NULL);
    } else if (!ep->url) {
        ep->url = e->url;
    }
    e->up = upstream_new(e->loop, e->http,
                         &(struct upstream_opts){ .name = "Loki", .ep = ep, .kube = e->kube });
    upstream_on_state(e->up, count_state, e);
}

static void
env_done(struct env *e)
{
    upstream_free(e->up);
    kube_free(e->kube);
    http_free(e->http);
    evloop_free(e->loop);
}

static void
get(struct env *e, const char *path, struct got *g)
{
    g->done = false;
    upstream_get(e->up, path, got_cb, g);
    ck_assert(run_until(e->loop, &g->done, 10000));
}

START_TEST(test_url_auth_and_org_id)
{
    struct endpoint ep = { .username = (char[]){ "deploy" }, .password = (char[]){ "pw" },
                           .org_id = (char[]){ "tenant1" } };
    struct env e;
    struct got g = { 0 };

    env_init(&e, &ep);
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_CONNECTING);
    ck_assert(upstream_configured(e.up));
    get(&e, "/echo?q=1", &g);
    ck_assert_int_eq(g.r.result, STATUS_OK);
    ck_assert_int_eq(g.r.http_status, 200);
    ck_assert(!g.r.via_proxy);
    /* base64("deploy:pw") */
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "\"authorization\": \"Basic ZGVwbG95OnB3\""));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "\"x-scope-orgid\": \"tenant1\""));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "\"path\": \"/echo?q=1\""));
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_LIVE);
    ck_assert_int_gt(upstream_last_live(e.up), 0);
    ck_assert_int_eq(e.states, 1);
    ck_assert_uint_eq(upstream_pending(e.up), 0);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_url_errors_as_they_are)
{
    struct endpoint ep = { 0 };
    struct env e;
    struct got g = { 0 };

    env_init(&e, &ep);
    /* Loki 2.8: a plain-text error labelled JSON is the service's answer. */
    get(&e, "/status?code=400&type=application/json&body=parse%20error%20at%20line%201", &g);
    ck_assert_int_eq(g.r.result, STATUS_OK);
    ck_assert_int_eq(g.r.http_status, 400);
    ck_assert_str_eq(strbuf_str(&g.body), "parse error at line 1");
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_LIVE);
    /* 401 "no org id": unauthorized, and the header says why. */
    get(&e, "/status?code=401&body=no%20org%20id%0A", &g);
    ck_assert_int_eq(g.r.http_status, 401);
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_UNAUTHORIZED);
    ck_assert_str_eq(upstream_state_detail(e.up), "401 Unauthorized: no org id");
    /* A gateway's HTML page: offline, tags dropped. */
    get(&e, "/status?code=503&type=text/html&body=%3Chtml%3E%3Ch1%3EDown%3C/h1%3Efor%20now",
        &g);
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_OFFLINE);
    ck_assert_str_eq(upstream_state_detail(e.up), "503 Service Unavailable: Down for now");
    /* Back to live. */
    get(&e, "/echo", &g);
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_LIVE);
    ck_assert_str_eq(upstream_state_detail(e.up), "");
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_url_unreachable)
{
    struct endpoint ep = { .url = (char[]){ "http://127.0.0.1:1/" } };
    struct env e;
    struct got g = { 0 };

    env_init(&e, &ep);
    ck_assert_str_eq(upstream_describe(e.up), "http://127.0.0.1:1");
    get(&e, "/loki/api/v1/labels", &g);
    ck_assert_int_eq(g.r.result, STATUS_UNREACHABLE);
    ck_assert_int_eq(g.r.http_status, 0);
    ck_assert_str_ne(g.error, "");
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_OFFLINE);
    ck_assert_str_ne(upstream_state_detail(e.up), "");
    ck_assert_int_eq(upstream_last_live(e.up), 0);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_unconfigured_fails_from_the_loop)
{
    struct endpoint ep = { 0 };
    struct env e = { 0 };
    struct got g = { 0 };

    e.loop = evloop_new();
    e.http = http_new(e.loop);
    e.up = upstream_new(e.loop, e.http, &(struct upstream_opts){ .name = "Prometheus", .ep = &ep });
    ck_assert(!upstream_configured(e.up));
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_UNCONFIGURED);
    upstream_get(e.up, "/api/v1/query?query=up", got_cb, &g);
    ck_assert(!g.done);         /* never inside upstream_get */
    ck_assert(run_until(e.loop, &g.done, 5000));
    ck_assert_int_eq(g.r.result, STATUS_CONFIG);
    ck_assert_str_eq(g.error, "Prometheus: not configured");
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_UNCONFIGURED);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_token_file_unreadable)
{
    struct endpoint ep = { .bearer_token_file = (char[]){ "/nonexistent/opsdeck-token" } };
    struct env e;
    struct got g = { 0 };

    env_init(&e, &ep);
    get(&e, "/echo", &g);
    ck_assert_int_eq(g.r.result, STATUS_AUTH);
    ck_assert_ptr_nonnull(strstr(g.error, "/nonexistent/opsdeck-token"));
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_UNAUTHORIZED);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_post_form_and_cancel)
{
    struct endpoint ep = { 0 };
    struct env e;
    struct got g = { 0 }, never = { 0 };

    env_init(&e, &ep);
    g.done = false;
    upstream_post_form(e.up, "/echo", "query=up%7Bjob%3D%22x%22%7D", got_cb, &g);
    ck_assert(run_until(e.loop, &g.done, 10000));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "\"method\": \"POST\""));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "application/x-www-form-urlencoded"));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "query=up%7Bjob%3D%22x%22%7D"));
    /* Cancelled before the answer: no callback. Cancelled inside its own
     * callback: harmless. */
    upstream_cancel(upstream_get(e.up, "/hang?secs=2", got_cb, &never));
    g.done = false;
    g.self = upstream_get(e.up, "/echo", got_cb, &g);
    ck_assert(run_until(e.loop, &g.done, 10000));
    run_for(e.loop, 100);
    ck_assert(!never.done);
    ck_assert_uint_eq(upstream_pending(e.up), 0);
    strbuf_done(&g.body);
    strbuf_done(&never.body);
    env_done(&e);
}
END_TEST

START_TEST(test_service_proxy)
{
    struct endpoint ep = { .service = (char[]){ "dp-system/loki:3100" }, .org_id = (char[]){ "t1" } };
    struct env e;
    struct got g = { 0 };

    env_init(&e, &ep);
    ck_assert_str_eq(upstream_describe(e.up), "dp-system/loki:3100 (service proxy)");
    get(&e, "/echo?x=1", &g);
    ck_assert_int_eq(g.r.result, STATUS_OK);
    ck_assert(g.r.via_proxy);
    ck_assert(!g.r.proxy_error);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body),
                                 "/api/v1/namespaces/dp-system/services/loki:3100/proxy/echo?x=1"));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "\"authorization\": \"Bearer good\""));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.body), "\"x-scope-orgid\": \"t1\""));
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_LIVE);
    /* The service's own 401 is the service's: the API server stays live. */
    get(&e, "/status?code=401&body=no%20org%20id", &g);
    ck_assert(!g.r.proxy_error);
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_UNAUTHORIZED);
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_service_proxy_down)
{
    struct endpoint ep = { .service = (char[]){ "dp-system/down:3100" } };
    struct env e;
    struct got g = { 0 };

    env_init(&e, &ep);
    get(&e, "/loki/api/v1/labels", &g);
    ck_assert_int_eq(g.r.result, STATUS_OK);
    ck_assert_int_eq(g.r.http_status, 503);
    ck_assert(g.r.proxy_error);
    ck_assert_str_eq(g.error, "API server: 503 ServiceUnavailable: no endpoints available for "
                              "service \"down\"");
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_OFFLINE);
    ck_assert_str_eq(upstream_state_detail(e.up), g.error);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_service_without_cluster)
{
    struct endpoint ep = { .service = (char[]){ "dp-system/loki:3100" } };
    struct env e = { 0 };
    struct got g = { 0 };

    e.loop = evloop_new();
    e.http = http_new(e.loop);
    e.up = upstream_new(e.loop, e.http, &(struct upstream_opts){ .name = "Loki", .ep = &ep });
    get(&e, "/loki/api/v1/labels", &g);
    ck_assert_int_eq(g.r.result, STATUS_CONFIG);
    ck_assert_str_eq(g.error, "Loki: no cluster to reach its service through");
    ck_assert_int_eq(upstream_state(e.up), UPSTREAM_OFFLINE);
    ck_assert_str_eq(upstream_state_detail(e.up), g.error);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

/*
 * kube_stream
 */

struct streamed {
    bool done;
    struct kube_result res;
    struct strbuf data;
    int chunks;
    int stop_after;             /* > 0: data returns false after this many chunks */
};

static bool
stream_data(void *arg, const char *data, size_t len)
{
    struct streamed *s = arg;

    strbuf_append(&s->data, data, len);
    s->chunks++;
    return !(s->stop_after > 0 && s->chunks >= s->stop_after);
}

static void
stream_done(void *arg, const struct kube_result *res)
{
    struct streamed *s = arg;

    s->done = true;
    s->res = *res;
}

START_TEST(test_kube_stream)
{
    struct endpoint ep = { .service = (char[]){ "x/y" } };
    struct env e;
    struct streamed s = { 0 }, stop = { .stop_after = 2 }, bad = { 0 };
    const char *p;
    int lines = 0;

    env_init(&e, &ep);
    kube_stream(e.kube, "/stream?n=5&interval_ms=20", 0, stream_data, stream_done, &s);
    ck_assert(run_until(e.loop, &s.done, 10000));
    ck_assert_int_eq(s.res.st, STATUS_OK);
    for (p = strbuf_str(&s.data); (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_int_eq(lines, 5);
    ck_assert_int_ge(s.chunks, 2);      /* delivered as it came, not at the end */
    /* The reader stops: CANCELLED, and nothing after. */
    kube_stream(e.kube, "/stream?n=50&interval_ms=10", 0, stream_data, stream_done, &stop);
    ck_assert(run_until(e.loop, &stop.done, 10000));
    ck_assert_int_eq(stop.res.st, STATUS_CANCELLED);
    ck_assert_int_eq(stop.chunks, 2);
    /* An error answer is read whole and said as kube_get says it. */
    kube_stream(e.kube, "/status?code=404&type=text/plain&body=gone", 0, stream_data,
                stream_done, &bad);
    ck_assert(run_until(e.loop, &bad.done, 10000));
    ck_assert_int_eq(bad.res.st, STATUS_NOTFOUND);
    ck_assert_int_eq(bad.res.http_status, 404);
    ck_assert_uint_eq(bad.data.len, 0);
    /* Streams are long-lived: not "pending" work. */
    ck_assert_uint_eq(kube_pending(e.kube), 0);
    strbuf_done(&s.data);
    strbuf_done(&stop.data);
    strbuf_done(&bad.data);
    env_done(&e);
}
END_TEST

static Suite *
upstream_suite(void)
{
    Suite *s = suite_create("upstream");
    TCase *tc = tcase_create("upstream");

    tcase_add_unchecked_fixture(tc, stub_up, stub_down);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_url_auth_and_org_id);
    tcase_add_test(tc, test_url_errors_as_they_are);
    tcase_add_test(tc, test_url_unreachable);
    tcase_add_test(tc, test_unconfigured_fails_from_the_loop);
    tcase_add_test(tc, test_token_file_unreadable);
    tcase_add_test(tc, test_post_form_and_cancel);
    tcase_add_test(tc, test_service_proxy);
    tcase_add_test(tc, test_service_proxy_down);
    tcase_add_test(tc, test_service_without_cluster);
    tcase_add_test(tc, test_kube_stream);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(upstream_suite());
}
