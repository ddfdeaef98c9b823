/* SPDX-License-Identifier: MIT */
/* test-http.c - http.c against tests/lib/stubserver.py over loopback HTTP and HTTPS */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/strbuf.h"
#include "nettest.h"
#include "testlib.h"

static struct child plain, tls, tls_client;
static char *pki;

/* One finished request, as on_done saw it. */
struct result {
    bool done;
    struct http_response resp;
    char *body;
    size_t body_len;
    int64_t at_ms;
};

static void
on_done(void *arg, const struct http_response *resp)
{
    struct result *res = arg;

    res->done = true;
    res->resp = *resp;
    res->body = malloc(resp->body_len + 1);
    memcpy(res->body, resp->body, resp->body_len);
    res->body[resp->body_len] = '\0';
    res->body_len = resp->body_len;
    res->resp.body = res->body;
    res->at_ms = clock_mono_ms();
}

struct env {
    struct evloop *loop;
    struct http *http;
    char url[256];
};

static void
env_init(struct env *e)
{
    e->loop = evloop_new();
    e->http = http_new(e->loop);
}

static void
env_done(struct env *e)
{
    http_free(e->http);
    evloop_free(e->loop);
}

static const char *
url(struct env *e, const char *scheme, int port, const char *path)
{
    snprintf(e->url, sizeof(e->url), "%s://127.0.0.1:%d%s", scheme, port, path);
    return e->url;
}

static void
fetch(struct env *e, const struct http_request *rq, struct result *res, int64_t timeout_ms)
{
    struct http_request r = *rq;

    memset(res, 0, sizeof(*res));
    r.on_done = on_done;
    r.arg = res;
    ck_assert_ptr_nonnull(http_submit(e->http, &r));
    ck_assert_msg(run_until(e->loop, &res->done, timeout_ms), "request did not finish");
}

static char *
pki_read(const char *name, size_t *len)
{
    char path[512];
    char *s;

    snprintf(path, sizeof(path), "%s/%s", pki, name);
    s = slurp(path, len);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void
servers_start(void)
{
    char cert[512], key[512], ca[512];
    const char *args[] = { "--token", "s3cret", "--basic", "alice:wonder land", NULL };
    const char *targs[] = { "--cert", cert, "--key", key, NULL };
    const char *cargs[] = { "--cert", cert, "--key", key, "--client-ca", ca, NULL };
    char cmd[1024];

    pki = test_tmpdir();
    snprintf(cmd, sizeof(cmd), "%s %s/tests/lib/stubserver.py mkcerts %s",
             getenv("PYTHON3") ? getenv("PYTHON3") : "python3",
             getenv("top_srcdir") ? getenv("top_srcdir") : ".", pki);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cert, sizeof(cert), "%s/server.crt", pki);
    snprintf(key, sizeof(key), "%s/server.key", pki);
    snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
    stub_start(&plain, args);
    stub_start(&tls, targs);
    stub_start(&tls_client, cargs);
}

static void
servers_stop(void)
{
    child_stop(&plain);
    child_stop(&tls);
    child_stop(&tls_client);
    rm_rf(pki);
    free(pki);
}

/*
 * Plain HTTP
 */

START_TEST(test_get_echo)
{
    struct env e;
    struct result res;
    const char *hdrs[] = { "Accept: application/json", "X-Test: 42", NULL };
    struct http_stats st;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/echo"),
                                      .headers = hdrs, .timeout_ms = 5000 },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_str_eq(res.resp.content_type, "application/json");
    ck_assert_ptr_nonnull(strstr(res.body, "\"x-test\": \"42\""));
    ck_assert_ptr_nonnull(strstr(res.body, "\"method\": \"GET\""));
    ck_assert_int_gt(res.resp.date, 0);
    ck_assert_int_eq(res.resp.retry_after, -1);
    http_stats(e.http, &st);
    ck_assert_uint_eq(st.requests, 1);
    ck_assert_uint_gt(st.bytes_in, res.body_len);
    ck_assert_uint_gt(st.bytes_out, 40);
    ck_assert_uint_eq(http_pending(e.http), 0);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_post_body)
{
    struct env e;
    struct result res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .method = "PATCH",
                                      .url = url(&e, "http", plain.port, "/echo"),
                                      .body = "{\"a\":1}", .body_len = 7 },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_ptr_nonnull(strstr(res.body, "\"method\": \"PATCH\""));
    ck_assert_ptr_nonnull(strstr(res.body, "\"body\": \"{\\\"a\\\":1}\""));
    free(res.body);
    env_done(&e);
}
END_TEST

static bool
is_pattern(const char *body, size_t len)
{
    static const char pat[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n";

    for (size_t i = 0; i < len; i++)
        if (body[i] != pat[i % (sizeof(pat) - 1)])
            return false;
    return true;
}

START_TEST(test_gzip)
{
    struct env e;
    struct result zipped, plain_res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/text?size=200000"),
                                      .gzip = true },
          &zipped, 5000);
    ck_assert_int_eq(zipped.resp.result, STATUS_OK);
    ck_assert_uint_eq(zipped.body_len, 200000);
    ck_assert(is_pattern(zipped.body, zipped.body_len));
    /* Counted as received: the compressed bytes, far fewer than decoded. */
    ck_assert_uint_lt(zipped.resp.bytes_in, 20000);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/text?size=200000") },
          &plain_res, 5000);
    ck_assert_uint_eq(plain_res.body_len, 200000);
    ck_assert_uint_gt(plain_res.resp.bytes_in, 200000);
    free(zipped.body);
    free(plain_res.body);
    env_done(&e);
}
END_TEST

struct stream {
    struct strbuf got;
    int runs;
    int stop_after;          /* cancel from on_data after this many runs (0: never) */
    struct http_req *req;
    bool headers;
    long status;
    bool cancelled;
};

static bool
stream_data(void *arg, const char *data, size_t len)
{
    struct stream *s = arg;

    ck_assert(s->headers);
    strbuf_append(&s->got, data, len);
    s->runs++;
    if (s->stop_after && s->runs == s->stop_after) {
        http_cancel(s->req);
        s->cancelled = true;
    }
    return true;
}

static void
stream_headers(void *arg, const struct http_response *resp)
{
    struct stream *s = arg;

    ck_assert(!s->headers);
    s->headers = true;
    s->status = resp->status;
}

/* A stream whose callbacks all share one struct. */
struct sres {
    struct stream s;
    struct result r;
};

static bool
sres_data(void *arg, const char *data, size_t len)
{
    return stream_data(&((struct sres *)arg)->s, data, len);
}

static void
sres_headers(void *arg, const struct http_response *resp)
{
    stream_headers(&((struct sres *)arg)->s, resp);
}

static void
sres_done(void *arg, const struct http_response *resp)
{
    on_done(&((struct sres *)arg)->r, resp);
}

START_TEST(test_chunked)
{
    struct env e;
    struct result res;
    struct sres sr = { 0 };

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/chunked?chunks=64&size=1000") },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_uint_eq(res.body_len, 64000);
    ck_assert(is_pattern(res.body, res.body_len));
    free(res.body);

    /* Streamed: the same bytes through on_data, headers first, no body kept. */
    sr.s.req = http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/chunked?chunks=64&size=1000"),
        .on_headers = sres_headers, .on_data = sres_data, .on_done = sres_done, .arg = &sr });
    ck_assert(run_until(e.loop, &sr.r.done, 5000));
    ck_assert_int_eq(sr.r.resp.result, STATUS_OK);
    ck_assert_int_eq(sr.s.status, 200);
    ck_assert_uint_eq(sr.s.got.len, 64000);
    ck_assert(is_pattern(sr.s.got.buf, sr.s.got.len));
    ck_assert_uint_eq(sr.r.body_len, 0);
    strbuf_done(&sr.s.got);
    free(sr.r.body);
    env_done(&e);
}
END_TEST

START_TEST(test_connect_refused)
{
    struct env e;
    struct result res;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t slen = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* A port that was free a moment ago and has no listener. */
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &slen), 0);
    close(fd);
    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", ntohs(sa.sin_port), "/") }, &res,
          5000);
    ck_assert_int_eq(res.resp.result, STATUS_UNREACHABLE);
    ck_assert_int_eq(res.resp.status, 0);
    ck_assert_msg(strstr(res.resp.error, "onnect") != NULL, "error: %s", res.resp.error);
    free(res.body);
    env_done(&e);
}
END_TEST

static void
tick(void *arg)
{
    int *ticks = arg;

    (*ticks)++;
}

struct ticker {
    struct ev_timer *t;
    int n;
};

static void
ticker_fire(void *arg)
{
    struct ticker *tk = arg;

    tk->n++;
    ev_timer_arm(tk->t, 20);
}

START_TEST(test_hang_timeout)
{
    struct env e;
    struct result res;
    struct ticker tk = { 0 };
    int64_t t0;

    env_init(&e);
    tk.t = ev_timer_new(e.loop, ticker_fire, &tk);
    ev_timer_arm(tk.t, 20);
    t0 = clock_mono_ms();
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/hang?secs=10"),
                                      .timeout_ms = 700 },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TIMEOUT);
    ck_assert_int_ge(res.at_ms - t0, 650);
    ck_assert_int_lt(res.at_ms - t0, 3000);
    /* The loop kept serving its timer while the request hung. */
    ck_assert_int_ge(tk.n, 15);
    ck_assert_msg(strstr(res.resp.error, "imeout") || strstr(res.resp.error, "timed out"),
                  "error: %s", res.resp.error);
    ev_timer_free(tk.t);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_low_speed)
{
    struct env e;
    struct sres sr = { 0 };
    int64_t t0 = clock_mono_ms();

    env_init(&e);
    sr.s.req = http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/stall?secs=20"), .low_speed_time_s = 1,
        .on_headers = sres_headers, .on_data = sres_data, .on_done = sres_done, .arg = &sr });
    ck_assert(run_until(e.loop, &sr.r.done, 15000));
    ck_assert_int_eq(sr.r.resp.result, STATUS_TIMEOUT);
    ck_assert_str_eq(strbuf_str(&sr.s.got), "{\"i\":0}\n");
    /* curl averages the speed over the last ~5 s, so the guard trips about
     * low_speed_time + 5 s after the last byte. */
    ck_assert_int_lt(sr.r.at_ms - t0, 12000);
    strbuf_done(&sr.s.got);
    free(sr.r.body);
    env_done(&e);
}
END_TEST

START_TEST(test_retry_after)
{
    struct env e;
    struct result res;
    struct http_stats st;
    int64_t t0 = clock_mono_ms();

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/retry?key=ra1&fails=1&after=1"),
                                      .retries = 3 },
          &res, 8000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_str_eq(res.body, "{\"ok\": true, \"attempts\": 2}");
    ck_assert_int_ge(res.at_ms - t0, 1000);
    http_stats(e.http, &st);
    ck_assert_uint_eq(st.requests, 2);
    free(res.body);

    /* 503 with Retry-After: 0, twice. */
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/retry?key=ra2&fails=2&after=0&code=503"),
                                      .retries = 3 },
          &res, 8000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_str_eq(res.body, "{\"ok\": true, \"attempts\": 3}");
    free(res.body);

    /* Retries exhausted: the last 429 is the answer, body and Retry-After included. */
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/retry?key=ra3&fails=5&after=0"),
                                      .retries = 1 },
          &res, 8000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_int_eq(res.resp.status, 429);
    ck_assert_int_eq(res.resp.retry_after, 0);
    ck_assert_ptr_nonnull(strstr(res.body, "TooManyRequests"));
    free(res.body);

    /* A wait longer than allowed is not honoured: answered at once. */
    t0 = clock_mono_ms();
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/retry?key=ra4&fails=1&after=120"),
                                      .retries = 3, .max_retry_wait_ms = 5000 },
          &res, 8000);
    ck_assert_int_eq(res.resp.status, 429);
    ck_assert_int_eq(res.resp.retry_after, 120);
    ck_assert_int_lt(res.at_ms - t0, 2000);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_size_cap)
{
    struct env e;
    struct result res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/text?size=300000"),
                                      .max_body = 100000 },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TOOLARGE);
    ck_assert_uint_le(res.body_len, 100000);
    ck_assert_ptr_nonnull(strstr(res.resp.error, "100000"));
    free(res.body);
    /* Exactly at the cap is fine. */
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/text?size=100000"),
                                      .max_body = 100000 },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_uint_eq(res.body_len, 100000);
    free(res.body);
    /* Compressed on the wire, over the cap once decoded. */
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/text?size=300000"),
                                      .max_body = 100000, .gzip = true },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TOOLARGE);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_truncated)
{
    struct env e;
    struct result res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/truncate") }, &res,
          5000);
    ck_assert_int_ne(res.resp.result, STATUS_OK);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_msg(res.resp.error[0] != '\0', "no error text");
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_status_passthrough)
{
    struct env e;
    struct result res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/status?code=502&type=text/html&body=%3Chtml%3E"
                                                 "bad%20gateway") },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_int_eq(res.resp.status, 502);
    ck_assert_str_eq(res.resp.content_type, "text/html");
    ck_assert_str_eq(res.body, "<html>bad gateway");
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_date_header)
{
    struct env e;
    struct result res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port,
                                                 "/date?at=Wed,%2018%20Sep%202024%20"
                                                 "15:17:06%20GMT") },
          &res, 5000);
    ck_assert_int_eq(res.resp.date, 1726672626);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_auth)
{
    struct env e;
    struct result res;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/auth"),
                                      .bearer_token = "s3cret" },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_str_eq(res.body, "{\"authorization\": \"Bearer\"}");
    free(res.body);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/auth"),
                                      .bearer_token = "wrong" },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 401);
    free(res.body);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/auth"),
                                      .username = "alice", .password = "wonder land" },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_str_eq(res.body, "{\"authorization\": \"Basic\"}");
    free(res.body);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/auth"),
                                      .username = "alice", .password = "nope" },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 401);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_keepalive)
{
    struct env e;
    struct result res;
    int before, after;

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/stats") }, &res, 5000);
    ck_assert_int_eq(sscanf(res.body, "{\"connections\": %d", &before), 1);
    free(res.body);
    for (int i = 0; i < 5; i++) {
        fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/echo") }, &res,
              5000);
        free(res.body);
    }
    fetch(&e, &(struct http_request){ .url = url(&e, "http", plain.port, "/stats") }, &res, 5000);
    ck_assert_int_eq(sscanf(res.body, "{\"connections\": %d", &after), 1);
    free(res.body);
    ck_assert_int_eq(after, before);
    env_done(&e);
}
END_TEST

/*
 * Cancellation and submission from callbacks
 */

START_TEST(test_cancel_from_on_data)
{
    struct env e;
    struct sres sr = { 0 };
    int ticks = 0;
    struct ev_timer *t;

    env_init(&e);
    sr.s.stop_after = 3;
    sr.s.req = http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/stream?n=50&interval_ms=20"),
        .on_headers = sres_headers, .on_data = sres_data, .on_done = sres_done, .arg = &sr });
    ck_assert(run_until(e.loop, &sr.s.cancelled, 5000));
    ck_assert_uint_eq(http_pending(e.http), 0);
    t = ev_timer_new(e.loop, tick, &ticks);
    ev_timer_arm(t, 300);
    run_for(e.loop, 500);
    ck_assert_int_eq(ticks, 1);
    ck_assert(!sr.r.done);
    ck_assert_int_eq(sr.s.runs, 3);
    ev_timer_free(t);
    strbuf_done(&sr.s.got);
    env_done(&e);
}
END_TEST

struct canceller {
    struct http_req *victim;
    struct http_req *self;
    bool done;
    bool victim_done;
};

static void
cancel_other_done(void *arg, const struct http_response *resp)
{
    struct canceller *c = arg;

    (void)resp;
    c->done = true;
    http_cancel(c->victim);
    http_cancel(c->self);       /* its own handle inside on_done: harmless */
}

static void
victim_done(void *arg, const struct http_response *resp)
{
    struct canceller *c = arg;

    (void)resp;
    c->victim_done = true;
}

static void
cancel_in_headers(void *arg, const struct http_response *resp)
{
    struct canceller *c = arg;

    (void)resp;
    http_cancel(c->self);
    c->done = true;
}

START_TEST(test_cancel_from_callbacks)
{
    struct env e;
    struct canceller c = { 0 }, h = { 0 };

    env_init(&e);
    c.victim = http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/hang?secs=10"), .on_done = victim_done, .arg = &c });
    c.self = http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/echo"), .on_done = cancel_other_done, .arg = &c });
    ck_assert(run_until(e.loop, &c.done, 5000));
    ck_assert_uint_eq(http_pending(e.http), 0);
    run_for(e.loop, 200);
    ck_assert(!c.victim_done);

    h.self = http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/echo"), .on_headers = cancel_in_headers,
        .on_done = victim_done, .arg = &h });
    ck_assert(run_until(e.loop, &h.done, 5000));
    run_for(e.loop, 200);
    ck_assert(!h.victim_done);
    ck_assert_uint_eq(http_pending(e.http), 0);
    env_done(&e);
}
END_TEST

struct chain {
    struct http *http;
    char url[256];
    struct http_req *second;
    struct result r1, r2;
    int runs;
};

static bool
chain_data(void *arg, const char *data, size_t len)
{
    struct chain *c = arg;

    (void)data;
    (void)len;
    if (c->runs++ == 0)
        c->second = http_submit(c->http, &(struct http_request){ .url = c->url,
                                                                  .on_done = on_done,
                                                                  .arg = &c->r2 });
    return true;
}

static void
chain_done(void *arg, const struct http_response *resp)
{
    on_done(&((struct chain *)arg)->r1, resp);
}

START_TEST(test_submit_from_on_data)
{
    struct env e;
    struct chain c = { 0 };

    env_init(&e);
    c.http = e.http;
    snprintf(c.url, sizeof(c.url), "http://127.0.0.1:%d/echo", plain.port);
    http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/stream?n=5&interval_ms=100"), .on_data = chain_data,
        .on_done = chain_done, .arg = &c });
    ck_assert(run_until(e.loop, &c.r2.done, 5000));
    /* The second request finished while the first was still streaming. */
    ck_assert(!c.r1.done);
    ck_assert_int_eq(c.r2.resp.status, 200);
    ck_assert(run_until(e.loop, &c.r1.done, 5000));
    ck_assert_int_eq(c.r1.resp.result, STATUS_OK);
    free(c.r1.body);
    free(c.r2.body);
    env_done(&e);
}
END_TEST

START_TEST(test_free_with_pending)
{
    struct env e;
    struct result res = { 0 };

    env_init(&e);
    http_submit(e.http, &(struct http_request){ .url = url(&e, "http", plain.port, "/hang"),
                                                .on_done = on_done, .arg = &res });
    http_submit(e.http, &(struct http_request){
        .url = url(&e, "http", plain.port, "/retry?key=fp&fails=9&after=30"), .retries = 2,
        .on_done = on_done, .arg = &res });
    run_for(e.loop, 300);
    ck_assert_uint_eq(http_pending(e.http), 2);
    env_done(&e);
    ck_assert(!res.done);
}
END_TEST

START_TEST(test_proxy)
{
    struct env e;
    struct result res;
    char proxy[64];
    struct http_tls via = { .proxy_url = proxy };

    /* The stub answers absolute-form requests itself: a port nobody listens
     * on is reached only through it. */
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", plain.port);
    env_init(&e);
    fetch(&e, &(struct http_request){ .url = "http://127.0.0.1:1/echo?via=proxy", .tls = &via },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_msg(strstr(res.body, "\"path\": \"http://127.0.0.1:1/echo?via=proxy\""), "%s",
                  res.body);
    free(res.body);
    env_done(&e);
}
END_TEST

START_TEST(test_escape)
{
    char *s = http_escape("app=web,tier!=fe a/b~._-");

    ck_assert_str_eq(s, "app%3Dweb%2Ctier%21%3Dfe%20a%2Fb~._-");
    free(s);
    s = http_escape("");
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

/*
 * TLS
 */

START_TEST(test_tls)
{
    struct env e;
    struct result res;
    size_t ca_len, other_len;
    char *ca = pki_read("ca.crt", &ca_len), *other = pki_read("other-ca.crt", &other_len);
    struct http_tls good = { .ca_pem = ca, .ca_len = ca_len };
    struct http_tls wrong = { .ca_pem = other, .ca_len = other_len };
    struct http_tls insecure = { .insecure = true };
    struct http_tls sni = { .ca_pem = ca, .ca_len = ca_len, .server_name = "api.test.local" };
    struct http_tls bad_sni = { .ca_pem = ca, .ca_len = ca_len, .server_name = "evil.example" };

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls.port, "/echo"), .tls = &good },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_OK);
    ck_assert_int_eq(res.resp.status, 200);
    free(res.body);

    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls.port, "/echo"), .tls = &wrong },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TLS);
    ck_assert_int_eq(res.resp.status, 0);
    ck_assert_msg(strstr(res.resp.error, "certificate") != NULL, "error: %s", res.resp.error);
    free(res.body);

    /* No CA given: the system store does not know the test CA. */
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls.port, "/echo") }, &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TLS);
    free(res.body);

    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls.port, "/echo"),
                                      .tls = &insecure },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    free(res.body);

    /* tls-server-name: verified against api.test.local, Host stays the address. */
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls.port, "/echo"), .tls = &sni },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_msg(strstr(res.body, "\"host\": \"127.0.0.1:") != NULL, "body: %s", res.body);
    free(res.body);
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls.port, "/echo"),
                                      .tls = &bad_sni },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TLS);
    free(res.body);

    /* Plain HTTP spoken to a TLS port, TLS to a plain one. */
    fetch(&e, &(struct http_request){ .url = url(&e, "https", plain.port, "/echo"), .tls = &good },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TLS);
    free(res.body);
    free(ca);
    free(other);
    env_done(&e);
}
END_TEST

START_TEST(test_tls_client_cert)
{
    struct env e;
    struct result res;
    size_t ca_len, cert_len, key_len;
    char *ca = pki_read("ca.crt", &ca_len), *cert = pki_read("client.crt", &cert_len),
         *key = pki_read("client.key", &key_len);
    struct http_tls with = { .ca_pem = ca, .ca_len = ca_len, .cert_pem = cert,
                             .cert_len = cert_len, .key_pem = key, .key_len = key_len };
    struct http_tls without = { .ca_pem = ca, .ca_len = ca_len };
    struct http_tls broken = { .ca_pem = ca, .ca_len = ca_len, .cert_pem = "junk",
                               .cert_len = 4, .key_pem = key, .key_len = key_len };

    env_init(&e);
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls_client.port, "/clientcert"),
                                      .tls = &with },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 200);
    ck_assert_str_eq(res.body, "{\"cn\": \"opsdeck-test\"}");
    free(res.body);
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls_client.port, "/clientcert"),
                                      .tls = &without },
          &res, 5000);
    ck_assert_int_eq(res.resp.status, 401);
    free(res.body);
    fetch(&e, &(struct http_request){ .url = url(&e, "https", tls_client.port, "/clientcert"),
                                      .tls = &broken },
          &res, 5000);
    ck_assert_int_eq(res.resp.result, STATUS_TLS);
    ck_assert_msg(res.resp.error[0] != '\0', "no error text");
    free(res.body);
    free(ca);
    free(cert);
    free(key);
    env_done(&e);
}
END_TEST

static Suite *
http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");

    tcase_add_unchecked_fixture(tc, servers_start, servers_stop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_get_echo);
    tcase_add_test(tc, test_post_body);
    tcase_add_test(tc, test_gzip);
    tcase_add_test(tc, test_chunked);
    tcase_add_test(tc, test_connect_refused);
    tcase_add_test(tc, test_hang_timeout);
    tcase_add_test(tc, test_low_speed);
    tcase_add_test(tc, test_retry_after);
    tcase_add_test(tc, test_size_cap);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_status_passthrough);
    tcase_add_test(tc, test_date_header);
    tcase_add_test(tc, test_auth);
    tcase_add_test(tc, test_keepalive);
    tcase_add_test(tc, test_cancel_from_on_data);
    tcase_add_test(tc, test_cancel_from_callbacks);
    tcase_add_test(tc, test_submit_from_on_data);
    tcase_add_test(tc, test_free_with_pending);
    tcase_add_test(tc, test_proxy);
    tcase_add_test(tc, test_escape);
    tcase_add_test(tc, test_tls);
    tcase_add_test(tc, test_tls_client_cert);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(http_suite());
}
