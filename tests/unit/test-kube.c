/* SPDX-License-Identifier: MIT */
/* test-kube.c - kube.c against the stub server: error lines, paging, watches, auth, state */
#include "config.h"

#include <time.h>

#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/json.h"
#include "opsdeck/gunzip.h"
#include "opsdeck/kube.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/strbuf.h"
#include "nettest.h"
#include "testlib.h"

static struct child stub;
static char *pki;
static char *dir;

static void
stub_up(void)
{
    char cmd[1024];

    pki = test_tmpdir();
    snprintf(cmd, sizeof(cmd), "%s %s/tests/lib/stubserver.py mkcerts %s",
             getenv("PYTHON3") ? getenv("PYTHON3") : "python3",
             getenv("top_srcdir") ? getenv("top_srcdir") : ".", pki);
    ck_assert_int_eq(system(cmd), 0);
    stub_start(&stub, NULL);
}

static void
stub_down(void)
{
    child_stop(&stub);
    rm_rf(pki);
    free(pki);
}

static void
tmp_up(void)
{
    dir = test_tmpdir();
}

static void
tmp_down(void)
{
    rm_rf(dir);
    free(dir);
    clock_set_fixed_ns(0);
}

/*
 * Error lines
 */

START_TEST(test_error_line_status_fixtures)
{
    static const struct {
        const char *file;
        long code;
        const char *line;
    } cases[] = {
        { "net/kubectl-edit__testcase-missing-service__0.response", 404,
          "404 NotFound: services \"missing\" not found" },
        { "net/kubectl-edit__testcase-edit-error-reedit__2.response", 422,
          "422 Invalid: Service \"svc1\" is invalid: [spec.clusterIP: Invalid value: "
          "\"10.0.0.146.1\": field is immutable, spec.clusterIP: Invalid value: \"10.0.0.146.1\": "
          "must be empty, 'None', or a valid IP address]" },
        { "net/kubectl-edit__testcase-list-errors__3.response", 422,
          "422 Invalid: Service \"svc1\" is invalid: [spec.clusterIP: Invalid value: "
          "\"10.0.0.10\": field is immutable, spec.ports[0].protocol: Unsupported value: \"VHF\": "
          "supported values: TCP, UDP, SCTP]" },
    };
    char line[512];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t len;
        char *body = fixture_read(cases[i].file, &len);

        kube_error_line(cases[i].code, body, len, "application/json", line, sizeof(line));
        ck_assert_str_eq(line, cases[i].line);
        free(body);
    }
}
END_TEST

START_TEST(test_error_line_forbidden)
{
    const char *body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                       "\"Failure\",\"message\":\"pods is forbidden: User \\\"system:anonymous\\\" "
                       "cannot list resource \\\"pods\\\" in API group \\\"\\\" in the namespace "
                       "\\\"default\\\"\",\"reason\":\"Forbidden\",\"details\":{\"kind\":\"pods\"},"
                       "\"code\":403}";
    char line[512];

    kube_error_line(403, body, strlen(body), "application/json", line, sizeof(line));
    ck_assert_str_eq(line, "403 Forbidden: pods is forbidden: User \"system:anonymous\" cannot "
                           "list resource \"pods\" in API group \"\" in the namespace \"default\"");
    /* A Status without a reason: the HTTP phrase. */
    const char *body2 = "{\"kind\":\"Status\",\"message\":\"token expired\"}";
    kube_error_line(401, body2, strlen(body2), "application/json", line, sizeof(line));
    ck_assert_str_eq(line, "401 Unauthorized: token expired");
}
END_TEST

START_TEST(test_error_line_not_json)
{
    static const char html[] = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>"
                               "\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>"
                               "nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
    char line[512];

    kube_error_line(502, html, strlen(html), "text/html", line, sizeof(line));
    ck_assert_str_eq(line, "502 Bad Gateway: non-JSON reply (text/html): 502 Bad Gateway 502 "
                           "Bad Gateway nginx/1.22.1");
    kube_error_line(404, "404 page not found\n", 19, "text/plain; charset=utf-8", line,
                    sizeof(line));
    ck_assert_str_eq(line, "404 Not Found: non-JSON reply (text/plain; charset=utf-8): 404 page "
                           "not found");
    kube_error_line(503, "", 0, "", line, sizeof(line));
    ck_assert_str_eq(line, "503 Service Unavailable");
    kube_error_line(502, NULL, 0, NULL, line, sizeof(line));
    ck_assert_str_eq(line, "502 Bad Gateway");
    kube_error_line(418, "", 0, NULL, line, sizeof(line));
    ck_assert_str_eq(line, "418 Client Error");
    kube_error_line(500, "{\"kind\":\"Status\",\"message\":\"etcd", 32, "application/json", line,
                    sizeof(line));
    ck_assert_str_eq(line, "500 Internal Server Error: malformed JSON reply (application/json): "
                           "{\"kind\":\"Status\",\"message\":\"etcd");
}
END_TEST

static void
assert_printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        ck_assert_msg(*p >= 0x20 && *p < 0x7f, "byte 0x%02x in \"%s\"", *p, s);
}

START_TEST(test_error_line_hostile)
{
    static const char body[] = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b""1m\xe2\x80\xae"
                               "evil\r\nline\0two";
    const char *status = "{\"kind\":\"Status\",\"message\":\"bad \\u001b[31mthing\\u0007 "
                         "\\u202e here\",\"reason\":\"Bad\\u001bReason\",\"code\":400}";
    char line[512], big[200000], small[24];

    kube_error_line(400, body, sizeof(body) - 1, "text/plain", line, sizeof(line));
    assert_printable(line);
    ck_assert_ptr_nonnull(strstr(line, "red"));
    ck_assert_ptr_nonnull(strstr(line, "two"));
    kube_error_line(400, status, strlen(status), "application/json", line, sizeof(line));
    assert_printable(line);
    ck_assert_ptr_nonnull(strstr(line, "[31mthing"));
    /* A huge body: a bounded line. */
    memset(big, 'A', sizeof(big));
    kube_error_line(502, big, sizeof(big), "text/html", line, sizeof(line));
    ck_assert_uint_lt(strlen(line), 200);
    ck_assert_ptr_nonnull(strstr(line, "AAA..."));
    /* A small buffer is never overrun. */
    kube_error_line(502, big, sizeof(big), "text/html", small, sizeof(small));
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

/*
 * A client on the loop
 */

struct env {
    struct evloop *loop;
    struct http *http;
    struct kube *kube;
    struct kube_target t;
    char server[128];
    int states;
};

static void
count_state(void *arg)
{
    ((struct env *)arg)->states++;
}

static void
env_init(struct env *e, const struct kube_opts *opts)
{
    e->loop = evloop_new();
    e->http = http_new(e->loop);
    if (!e->t.server) {
        snprintf(e->server, sizeof(e->server), "http://127.0.0.1:%d/", stub.port);
        e->t.server = e->server;
    }
    e->kube = kube_new(e->loop, e->http, &e->t, opts);
    kube_on_state(e->kube, count_state, e);
}

static void
env_done(struct env *e)
{
    kube_free(e->kube);
    http_free(e->http);
    evloop_free(e->loop);
}

struct got {
    bool done;
    struct kube_result res;
    struct strbuf body;
};

static void
got_body(void *arg, const struct kube_result *res, const char *body, size_t len)
{
    struct got *g = arg;

    g->done = true;
    g->res = *res;
    strbuf_reset(&g->body);
    if (body)
        strbuf_append(&g->body, body, len);
}

static void
do_get(struct env *e, const char *path, struct got *g)
{
    g->done = false;
    ck_assert_ptr_nonnull(kube_get(e->kube, path, got_body, g));
    ck_assert_msg(run_until(e->loop, &g->done, 10000), "GET %s did not finish", path);
}

static void
stub_config(const char *json)
{
    stub_configure(stub.port, json);
}

static bool
stub_log_find(const char *needle, int nth, int64_t *start, int64_t *end)
{
    return stub_log_entry(stub.port, needle, nth, start, end);
}

START_TEST(test_paths)
{
    struct env e = { 0 };
    char *p;

    env_init(&e, NULL);
    p = kube_path(e.kube, KIND_POD, "dp-max-catapp", "api-7d9c8-x2bq");
    ck_assert_str_eq(p, "/api/v1/namespaces/dp-max-catapp/pods/api-7d9c8-x2bq");
    free(p);
    p = kube_path(e.kube, KIND_POD, NULL, NULL);
    ck_assert_str_eq(p, "/api/v1/pods");
    free(p);
    p = kube_path(e.kube, KIND_NODE, "ignored", "run-1");
    ck_assert_str_eq(p, "/api/v1/nodes/run-1");
    free(p);
    p = kube_path(e.kube, KIND_DEPLOYMENT, "a b", NULL);
    ck_assert_str_eq(p, "/apis/apps/v1/namespaces/a%20b/deployments");
    free(p);
    p = kube_path(e.kube, KIND_INGRESS, "ns", NULL);
    ck_assert_str_eq(p, "/apis/networking.k8s.io/v1/namespaces/ns/ingresses");
    free(p);
    ck_assert_int_eq(kube_state(e.kube), KUBE_CONNECTING);
    ck_assert_str_eq(kube_state_name(KUBE_LIVE), "live");
    ck_assert_str_eq(kube_state_name(KUBE_OFFLINE), "offline");
    ck_assert_str_eq(kube_state_name(KUBE_UNAUTHORIZED), "401");
    env_done(&e);
}
END_TEST

static void
discovered(void *arg, const struct kube_result *res)
{
    struct got *g = arg;

    g->done = true;
    g->res = *res;
}

START_TEST(test_discovery_fixtures)
{
    struct child disc;
    char fixtures[512];
    const char *args[] = { "--discovery", fixtures, NULL };
    struct env e = { 0 };
    struct got g = { 0 };
    char server[64], *p;

    /* Real discovery documents: apps/v1 lists no "watch" verb (the generator
     * of that file dropped it); networking.k8s.io/v1 has no document here. */
    snprintf(fixtures, sizeof(fixtures), "%s/net", TEST_FIXTURES);
    stub_start(&disc, args);
    snprintf(server, sizeof(server), "http://127.0.0.1:%d", disc.port);
    e.t.server = server;
    env_init(&e, NULL);
    ck_assert_ptr_null(kube_server_version(e.kube));
    ck_assert(kube_serves(e.kube, KIND_INGRESS));
    kube_discover(e.kube, discovered, &g);
    ck_assert(run_until(e.loop, &g.done, 10000));
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_str_eq(kube_server_version(e.kube), "v1.31.4+k3s1");
    ck_assert(!kube_simulated(e.kube));
    ck_assert(kube_serves(e.kube, KIND_POD));
    ck_assert(kube_serves(e.kube, KIND_NODE));
    ck_assert(kube_serves(e.kube, KIND_DEPLOYMENT));
    ck_assert(!kube_serves(e.kube, KIND_INGRESS));
    ck_assert(!kube_serves(e.kube, KIND_NETWORKPOLICY));
    p = kube_path(e.kube, KIND_DEPLOYMENT, "ns", NULL);
    ck_assert_str_eq(p, "/apis/apps/v1/namespaces/ns/deployments");
    free(p);
    p = kube_path(e.kube, KIND_NAMESPACE, "ignored", NULL);
    ck_assert_str_eq(p, "/api/v1/namespaces");
    free(p);
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    ck_assert_uint_eq(kube_pending(e.kube), 0);
    env_done(&e);
    child_stop(&disc);
}
END_TEST

START_TEST(test_basic_auth)
{
    struct child basic;
    const char *args[] = { "--basic", "alice:wonder land", NULL };
    struct env e = { 0 };
    struct got g = { 0 };
    char server[64];

    stub_start(&basic, args);
    snprintf(server, sizeof(server), "http://127.0.0.1:%d", basic.port);
    e.t.server = server;
    e.t.username = (char *)(uintptr_t)"alice";
    e.t.password = (char *)(uintptr_t)"wonder land";
    env_init(&e, NULL);
    do_get(&e, "/auth", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_str_eq(g.body.buf, "{\"authorization\": \"Basic\"}");
    env_done(&e);
    e = (struct env){ 0 };
    e.t.server = server;
    e.t.username = (char *)(uintptr_t)"alice";
    e.t.password = (char *)(uintptr_t)"";
    env_init(&e, NULL);
    do_get(&e, "/auth", &g);
    ck_assert_int_eq(g.res.st, STATUS_AUTH);
    ck_assert_int_eq(kube_state(e.kube), KUBE_UNAUTHORIZED);
    strbuf_done(&g.body);
    env_done(&e);
    child_stop(&basic);
}
END_TEST

/*
 * Lists
 */

struct listing {
    bool done;
    struct kube_result res;
    char rv[64];
    struct strbuf log;       /* "index:first-last;" per page */
    int pages;
    uint64_t ahead_min;      /* pages requested beyond a non-last page at its delivery */
    struct http *http;
};

static void
on_page(void *arg, const struct kube_page *page)
{
    struct listing *l = arg;
    struct json_iter it;
    uint32_t key, item;
    char first[64] = "", last[64] = "";
    size_t n = 0;

    json_iter_init(&it, page->doc, page->items);
    while (json_iter_next(&it, &key, &item)) {
        json_strcpy(page->doc, json_dig(page->doc, item, "metadata", "name", NULL),
                    n ? last : first, 64);
        n++;
    }
    strbuf_printf(&l->log, "%u:%s-%s;", page->index, first, last);
    l->pages++;
    if (!page->last) {
        struct http_stats st;

        /* Transfers started beyond this page's own: the next one was asked
         * for before this one was handed over. */
        http_stats(l->http, &st);
        if (l->pages == 1 || st.requests - page->index - 1 < l->ahead_min)
            l->ahead_min = st.requests - page->index - 1;
    }
    ck_assert_str_eq(page->rv, "100");
}

static void
on_list_done(void *arg, const struct kube_result *res, const char *rv)
{
    struct listing *l = arg;

    l->done = true;
    l->res = *res;
    snprintf(l->rv, sizeof(l->rv), "%s", rv ? rv : "(null)");
}

START_TEST(test_list_pages_in_order_and_overlapped)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 10 };
    struct listing l = { 0 };
    int64_t s1, e1, s2, e2, s3, e3;

    stub_config("{\"items\": 30, \"pad\": 3000, \"page_delay_ms\": 500}");
    env_init(&e, &o);
    l.http = e.http;
    kube_list(e.kube, KIND_POD, NULL, NULL, on_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_OK);
    ck_assert_str_eq(l.rv, "100");
    ck_assert_str_eq(strbuf_str(&l.log),
                     "0:pod-0000-pod-0009;1:pod-0010-pod-0019;2:pod-0020-pod-0029;");
    /* Page N+1 went out while page N was still arriving (its metadata came
     * 500 ms before its items). */
    ck_assert(stub_log_find("/api/v1/pods?limit=10", 0, &s1, &e1));
    ck_assert(stub_log_find("continue=c10", 0, &s2, &e2));
    ck_assert(stub_log_find("continue=c20", 0, &s3, &e3));
    ck_assert_int_lt(s2, e1 - 300);
    /* At most two pages in flight, so page 3 waits for page 1 to end; still
     * the three 500 ms pages take about two page times (1 s), not three. */
    ck_assert_int_ge(s3, e1 - 20);
    ck_assert_int_lt(e3 - s1, 1350);
    ck_assert_uint_ge(l.ahead_min, 1);
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    ck_assert_uint_eq(kube_pending(e.kube), 0);
    strbuf_done(&l.log);
    env_done(&e);
}
END_TEST

/* kube_list_raw: the page bodies as they came, marked gzip when they are
 * (the caller inflates them). Logged "index:first-last:z;" (z: gzip) or
 * "index:first-last:p;" (plain). */
static void
on_raw_page(void *arg, struct kube_raw_page *page)
{
    struct listing *l = arg;
    struct json_doc doc;
    struct json_iter it;
    uint32_t key, item;
    char first[64] = "", last[64] = "", *plain = page->body;
    size_t n = 0, len = page->len;

    if (page->gzip) {
        ck_assert_int_eq(gunzip_dup(page->body, page->len, page->max_len, &plain, &len),
                         STATUS_OK);
        free(page->body);
    }
    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, plain, len), STATUS_OK);
    json_iter_init(&it, &doc, json_get(&doc, 0, "items"));
    while (json_iter_next(&it, &key, &item)) {
        json_strcpy(&doc, json_dig(&doc, item, "metadata", "name", NULL), n ? last : first, 64);
        n++;
    }
    strbuf_printf(&l->log, "%u:%s-%s:%c;", page->index, first, last, page->gzip ? 'z' : 'p');
    l->pages++;
    json_doc_done(&doc);
    free(plain);
}

/* gzip pages travel compressed; the early scan inflates just the metadata,
 * so the next page still goes out while this one's items are on the way. */
START_TEST(test_list_raw_gzip)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 10 };
    struct listing l = { 0 };
    int64_t s1, e1, s2, e2;

    stub_config("{\"items\": 30, \"pad\": 3000, \"page_delay_ms\": 300, \"gzip\": true}");
    env_init(&e, &o);
    kube_list_raw(e.kube, KIND_POD, NULL, NULL, on_raw_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_OK);
    ck_assert_str_eq(l.rv, "100");
    ck_assert_str_eq(strbuf_str(&l.log),
                     "0:pod-0000-pod-0009:z;1:pod-0010-pod-0019:z;2:pod-0020-pod-0029:z;");
    ck_assert(stub_log_find("/api/v1/pods?limit=10", 0, &s1, &e1));
    ck_assert(stub_log_find("continue=c10", 0, &s2, &e2));
    ck_assert_int_lt(s2, e1 - 150);

    /* kube_list on the same server: curl inflates, as before. */
    strbuf_reset(&l.log);
    l.done = false;
    l.http = e.http;
    kube_list(e.kube, KIND_POD, NULL, NULL, on_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&l.log),
                     "0:pod-0000-pod-0009;1:pod-0010-pod-0019;2:pod-0020-pod-0029;");
    strbuf_done(&l.log);
    env_done(&e);
}
END_TEST

/* The early scan cannot read an escaped continue token: such a page is
 * inflated and parsed on the loop's thread and goes over plain. A gzip
 * error body (410 Expired) is inflated for its message; a body that says
 * gzip and is not fails the list with a message naming the page. */
START_TEST(test_list_raw_gzip_odd)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 10 };
    struct listing l = { 0 };

    stub_config("{\"items\": 25, \"gzip\": true, \"cont_escape\": true}");
    env_init(&e, &o);
    kube_list_raw(e.kube, KIND_POD, NULL, NULL, on_raw_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&l.log),
                     "0:pod-0000-pod-0009:p;1:pod-0010-pod-0019:p;2:pod-0020-pod-0024:z;");

    strbuf_reset(&l.log);
    l.done = false;
    stub_config("{\"items\": 25, \"gzip\": true, \"expire_continue\": 2}");
    kube_list_raw(e.kube, KIND_POD, NULL, NULL, on_raw_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_EXPIRED);
    ck_assert_str_eq(l.res.reason, "Expired");
    ck_assert_ptr_nonnull(strstr(l.res.error, "410 Expired: The provided continue parameter"));

    strbuf_reset(&l.log);
    l.done = false;
    stub_config("{\"items\": 25, \"gzip\": true, \"gzip_garbage\": true}");
    kube_list_raw(e.kube, KIND_POD, NULL, NULL, on_raw_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_CORRUPT);
    ck_assert_msg(strncmp(l.res.error, "reply from /api/v1/pods?limit=10: gzip body is corrupt",
                          54) == 0,
                  "%s", l.res.error);
    ck_assert_str_eq(strbuf_str(&l.log), "");
    strbuf_done(&l.log);
    env_done(&e);
}
END_TEST

START_TEST(test_list_expired_continue)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 10 };
    struct listing l = { 0 };

    /* One 410 on a continue token: the list starts over, index 0 again. */
    stub_config("{\"items\": 25, \"expire_continue\": 1}");
    env_init(&e, &o);
    l.http = e.http;
    kube_list(e.kube, KIND_POD, NULL, NULL, on_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&l.log), "0:pod-0000-pod-0009;0:pod-0000-pod-0009;"
                                         "1:pod-0010-pod-0019;2:pod-0020-pod-0024;");
    /* Twice: the restart is done once, then the list fails as expired. */
    strbuf_reset(&l.log);
    l.done = false;
    stub_config("{\"items\": 25, \"expire_continue\": 2}");
    kube_list(e.kube, KIND_POD, NULL, NULL, on_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_EXPIRED);
    ck_assert_int_eq(l.res.http_status, 410);
    ck_assert_str_eq(l.res.reason, "Expired");
    ck_assert_ptr_nonnull(strstr(l.res.error, "410 Expired: The provided continue parameter"));
    strbuf_done(&l.log);
    env_done(&e);
}
END_TEST

START_TEST(test_list_single_page_and_cap)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 500, .max_response = 20000 };
    struct listing l = { 0 };

    stub_config("{\"items\": 3}");
    env_init(&e, &o);
    l.http = e.http;
    kube_list(e.kube, KIND_POD, NULL, NULL, on_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&l.log), "0:pod-0000-pod-0002;");
    /* A page over max_response fails, whole, as too large. */
    strbuf_reset(&l.log);
    l.done = false;
    stub_config("{\"items\": 30, \"pad\": 1000}");
    kube_list(e.kube, KIND_POD, NULL, NULL, on_page, on_list_done, &l);
    ck_assert(run_until(e.loop, &l.done, 10000));
    ck_assert_int_eq(l.res.st, STATUS_TOOLARGE);
    ck_assert_str_eq(strbuf_str(&l.log), "");
    ck_assert_ptr_nonnull(strstr(l.res.error, "larger than 20000 bytes"));
    strbuf_done(&l.log);
    env_done(&e);
}
END_TEST

static void
cancel_on_page(void *arg, const struct kube_page *page)
{
    struct kube_op **op = arg;

    (void)page;
    kube_op_cancel(*op);
    *op = NULL;
}

static void
never_done(void *arg, const struct kube_result *res, const char *rv)
{
    (void)arg;
    (void)res;
    (void)rv;
    ck_abort_msg("done after cancel");
}

START_TEST(test_list_cancel_from_page)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 10 };
    struct kube_op *op;

    stub_config("{\"items\": 30, \"page_delay_ms\": 50}");
    env_init(&e, &o);
    op = kube_list(e.kube, KIND_POD, NULL, NULL, cancel_on_page, never_done, &op);
    for (int i = 0; i < 200 && op; i++)
        run_for(e.loop, 10);
    ck_assert_ptr_null(op);
    run_for(e.loop, 300);
    ck_assert_uint_eq(kube_pending(e.kube), 0);
    ck_assert_uint_eq(http_pending(e.http), 0);
    env_done(&e);
}
END_TEST

/*
 * Watches
 */

struct watching {
    bool done;
    struct kube_result res;
    struct strbuf log;       /* "TYPE name@rv;" per event */
    int cancel_after;        /* cancel from the n-th event (0: never) */
    int events;
    struct kube_op *op;
};

static void
on_event(void *arg, enum watch_type type, const struct json_doc *doc, uint32_t object,
         const char *rv)
{
    static const char *const names[] = { "OPEN", "ADDED", "MODIFIED", "DELETED", "BOOKMARK",
                                         "ERROR" };
    struct watching *w = arg;
    char name[64] = "";

    if (doc)
        json_strcpy(doc, json_dig(doc, object, "metadata", "name", NULL), name, sizeof(name));
    strbuf_printf(&w->log, "%s %s@%s;", names[type], name, rv);
    if (++w->events == w->cancel_after) {
        kube_op_cancel(w->op);
        w->done = true;
    }
}

static void
on_end(void *arg, const struct kube_result *res)
{
    struct watching *w = arg;

    ck_assert(!w->done);
    w->done = true;
    w->res = *res;
}

static void
run_watch(struct env *e, struct watching *w, const char *rv)
{
    w->done = false;
    strbuf_reset(&w->log);
    w->op = kube_watch(e->kube, KIND_POD, NULL, NULL, rv, on_event, on_end, w);
    ck_assert(run_until(e->loop, &w->done, 10000));
}

#define EV(type, name, rv)                                                                   \
    "{\"line\": \"{\\\"type\\\":\\\"" type "\\\",\\\"object\\\":{\\\"metadata\\\":"          \
    "{\\\"name\\\":\\\"" name "\\\",\\\"resourceVersion\\\":\\\"" rv "\\\"}}}\"}"

START_TEST(test_watch_stream)
{
    struct env e = { 0 };
    struct watching w = { 0 };
    int64_t s, t;

    stub_config("{\"watch\": [" EV("ADDED", "a", "11") ", " EV("BOOKMARK", "", "15") ", "
                "{\"line\": \"\"}, {\"line\": \"{\\\"type\\\":\\\"FOO\\\",\\\"object\\\":{}}\"},"
                EV("MODIFIED", "a", "17") ", " EV("DELETED", "a", "18") "]}");
    env_init(&e, NULL);
    run_watch(&e, &w, "10");
    ck_assert_int_eq(w.res.st, STATUS_OK);
    ck_assert_str_eq(strbuf_str(&w.log), "OPEN @10;ADDED a@11;BOOKMARK @15;MODIFIED a@17;"
                                         "DELETED a@18;");
    ck_assert(stub_log_find("watch=true&allowWatchBookmarks=true&timeoutSeconds=300"
                            "&resourceVersion=10",
                            0, &s, &t));
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    strbuf_done(&w.log);
    env_done(&e);
}
END_TEST

START_TEST(test_watch_error_events)
{
    struct env e = { 0 };
    struct watching w = { 0 };

    stub_config("{\"watch\": [" EV("ADDED", "a", "11") ", {\"line\": \"{\\\"type\\\":\\\"ERROR"
                "\\\",\\\"object\\\":{\\\"kind\\\":\\\"Status\\\",\\\"apiVersion\\\":\\\"v1\\\","
                "\\\"metadata\\\":{},\\\"status\\\":\\\"Failure\\\",\\\"message\\\":\\\"too old "
                "resource version: 1 (8146471)\\\",\\\"reason\\\":\\\"Expired\\\","
                "\\\"code\\\":410}}"
                "\"}, " EV("ADDED", "never", "12") "], \"watch_hold\": true}");
    env_init(&e, NULL);
    run_watch(&e, &w, "1");
    ck_assert_int_eq(w.res.st, STATUS_EXPIRED);
    ck_assert_int_eq(w.res.http_status, 410);
    ck_assert_str_eq(w.res.reason, "Expired");
    ck_assert_str_eq(w.res.error, "410 Expired: too old resource version: 1 (8146471)");
    ck_assert_str_eq(strbuf_str(&w.log), "OPEN @1;ADDED a@11;");
    /* Older servers: reason Gone. */
    stub_config("{\"watch\": [{\"line\": \"{\\\"type\\\":\\\"ERROR\\\",\\\"object\\\":{"
                "\\\"kind\\\":\\\"Status\\\",\\\"reason\\\":\\\"Gone\\\",\\\"message\\\":\\\"gone"
                "\\\"}}\"}], \"watch_hold\": true}");
    run_watch(&e, &w, "1");
    ck_assert_int_eq(w.res.st, STATUS_EXPIRED);
    /* Any other ERROR ends the watch as an error. */
    stub_config("{\"watch\": [{\"line\": \"{\\\"type\\\":\\\"ERROR\\\",\\\"object\\\":{"
                "\\\"kind\\\":\\\"Status\\\",\\\"reason\\\":\\\"InternalError\\\",\\\"message\\\":"
                "\\\"etcd down\\\",\\\"code\\\":500}}\"}], \"watch_hold\": true}");
    run_watch(&e, &w, "1");
    ck_assert_int_eq(w.res.st, STATUS_HTTP);
    ck_assert_str_eq(w.res.error, "500 InternalError: etcd down");
    /* 410 as the HTTP status of the watch request. */
    stub_config("{\"watch_status\": 410, \"watch_body\": \"{\\\"kind\\\":\\\"Status\\\","
                "\\\"status\\\":\\\"Failure\\\",\\\"message\\\":\\\"too old resource version: 5 "
                "(99)\\\",\\\"reason\\\":\\\"Expired\\\",\\\"code\\\":410}\"}");
    run_watch(&e, &w, "5");
    ck_assert_int_eq(w.res.st, STATUS_EXPIRED);
    ck_assert_str_eq(w.res.error, "410 Expired: too old resource version: 5 (99)");
    ck_assert_str_eq(strbuf_str(&w.log), "");
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    strbuf_done(&w.log);
    env_done(&e);
}
END_TEST

START_TEST(test_watch_bad_lines)
{
    struct env e = { 0 };
    struct kube_opts o = { .max_event = 2000 };
    struct watching w = { 0 };
    char cfg[12000];

    stub_config("{\"watch\": [" EV("ADDED", "a", "11") ", {\"line\": \"{\\\"type\\\":\\\"ADDED"
                "\\\",\\\"object\\\":{\\\"metadata\\\":\"}], \"watch_hold\": true}");
    env_init(&e, &o);
    run_watch(&e, &w, "1");
    ck_assert_int_eq(w.res.st, STATUS_JSON);
    ck_assert_msg(strstr(w.res.error, "malformed watch event from /api/v1/pods?watch=true"),
                  "%s", w.res.error);
    ck_assert_str_eq(strbuf_str(&w.log), "OPEN @1;ADDED a@11;");
    /* An event over max_event. */
    snprintf(cfg, sizeof(cfg), "{\"watch\": [{\"line\": \"{\\\"type\\\":\\\"ADDED\\\","
             "\\\"object\\\":{\\\"metadata\\\":{\\\"name\\\":\\\"%05000d\\\"}}}\"}], "
             "\"watch_hold\": true}", 7);
    stub_config(cfg);
    run_watch(&e, &w, "1");
    ck_assert_int_eq(w.res.st, STATUS_TOOLARGE);
    ck_assert_ptr_nonnull(strstr(w.res.error, "larger than 2000 bytes"));
    strbuf_done(&w.log);
    env_done(&e);
}
END_TEST

START_TEST(test_watch_cancel_in_event)
{
    struct env e = { 0 };
    struct watching w = { .cancel_after = 2 };

    stub_config("{\"watch\": [" EV("ADDED", "a", "11") ", " EV("ADDED", "b", "12") ", "
                EV("ADDED", "c", "13") "], \"watch_hold\": true}");
    env_init(&e, NULL);
    run_watch(&e, &w, "1");
    run_for(e.loop, 200);
    ck_assert_str_eq(strbuf_str(&w.log), "OPEN @1;ADDED a@11;");
    ck_assert_uint_eq(http_pending(e.http), 0);
    strbuf_done(&w.log);
    env_done(&e);
}
END_TEST

START_TEST(test_watch_idle)
{
    struct env e = { 0 };
    struct kube_opts o = { .watch_idle_s = 1 };
    struct watching w = { 0 };

    stub_config("{\"watch\": [" EV("ADDED", "a", "11") "], \"watch_hold\": true}");
    env_init(&e, &o);
    w.done = false;
    w.op = kube_watch(e.kube, KIND_POD, NULL, NULL, "1", on_event, on_end, &w);
    ck_assert(run_until(e.loop, &w.done, 15000));
    ck_assert_int_eq(w.res.st, STATUS_TIMEOUT);
    ck_assert_ptr_nonnull(strstr(w.res.error, "idle for 1 s"));
    /* A silent watch is not an outage. */
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    strbuf_done(&w.log);
    env_done(&e);
}
END_TEST

/*
 * Auth and state
 */

START_TEST(test_token_and_state)
{
    struct env e = { 0 };
    struct got g = { 0 };
    int64_t before;

    stub_config("{\"token\": \"good\"}");
    e.t.token = (char *)(uintptr_t)"bad";
    env_init(&e, NULL);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_AUTH);
    ck_assert_int_eq(kube_state(e.kube), KUBE_UNAUTHORIZED);
    ck_assert_str_eq(kube_state_detail(e.kube), "401 Unauthorized: Unauthorized");
    ck_assert_str_eq(g.res.error, "401 Unauthorized: Unauthorized");
    ck_assert_int_eq(kube_last_live(e.kube), 0);
    ck_assert_int_eq(e.states, 1);
    env_done(&e);

    e = (struct env){ 0 };
    e.t.token = (char *)(uintptr_t)"good";
    env_init(&e, NULL);
    before = clock_now();
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    ck_assert_int_ge(kube_last_live(e.kube), before);
    ck_assert_ptr_nonnull(strstr(g.body.buf, "\"Namespace\""));
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_token_file_reread)
{
    struct env e = { 0 };
    struct got g = { 0 };
    char path[512];

    stub_config("{\"token\": \"first\"}");
    snprintf(path, sizeof(path), "%s/token", dir);
    write_file(path, "first\n", 0600);
    e.t.token_file = path;
    env_init(&e, NULL);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    /* Rotated on disk (as a projected service-account token is): read again. */
    stub_config("{\"token\": \"second-longer\"}");
    write_file(path, "second-longer\n", 0600);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    /* The file disappears: the last token read is kept. */
    unlink(path);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

static void
write_plugin(const char *name, const char *body, char *path, size_t size)
{
    char *text;

    snprintf(path, size, "%s/%s", dir, name);
    ck_assert_int_gt(asprintf(&text, "#!/bin/sh\nD='%s'\necho run >> \"$D/runs\"\n%s\n", dir,
                              body),
                     0);
    write_file(path, text, 0755);
    free(text);
}

static int
plugin_runs(void)
{
    char path[512], *s;
    int n = 0;

    snprintf(path, sizeof(path), "%s/runs", dir);
    s = slurp(path, NULL);
    for (char *p = s; p && *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}

START_TEST(test_exec_retry_on_401)
{
    struct env e = { 0 };
    struct got g = { 0 };
    struct kube_exec ex = { .api_version = (char *)(uintptr_t)"client.authentication.k8s.io/v1",
                            .interactive_mode = (char *)(uintptr_t)"Never" };
    char plugin[512];

    /* First run: a stale token; second run: the good one. */
    write_plugin("rotating",
                 "n=$(wc -l < \"$D/runs\")\n"
                 "if [ \"$n\" -le 1 ]; then t=stale; else t=good; fi\n"
                 "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                 "\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$t\"",
                 plugin, sizeof(plugin));
    ex.command = plugin;
    stub_config("{\"token\": \"good\"}");
    e.t.exec = &ex;
    e.t.token = (char *)(uintptr_t)"ignored-when-exec";
    env_init(&e, NULL);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_int_eq(plugin_runs(), 2);
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    /* Cached now: no third run. */
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_int_eq(plugin_runs(), 2);
    strbuf_done(&g.body);
    env_done(&e);

    /* Five requests refused at once share one new run of the plugin. */
    e = (struct env){ 0 };
    snprintf(plugin, sizeof(plugin), "%s/runs", dir);
    unlink(plugin);
    write_plugin("rotating2",
                 "n=$(wc -l < \"$D/runs\")\n"
                 "if [ \"$n\" -le 1 ]; then t=stale; else t=good; fi\n"
                 "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                 "\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$t\"",
                 plugin, sizeof(plugin));
    ex.command = plugin;
    e.t.exec = &ex;
    env_init(&e, NULL);
    {
        struct got many[5] = { { 0 } };
        bool all = false;

        for (int i = 0; i < 5; i++)
            kube_get(e.kube, "/api/v1/namespaces/x/token", got_body, &many[i]);
        for (int i = 0; i < 1000 && !all; i++) {
            run_for(e.loop, 10);
            all = true;
            for (int j = 0; j < 5; j++)
                all = all && many[j].done;
        }
        ck_assert(all);
        for (int j = 0; j < 5; j++) {
            ck_assert_int_eq(many[j].res.st, STATUS_OK);
            strbuf_done(&many[j].body);
        }
    }
    ck_assert_int_eq(plugin_runs(), 2);
    env_done(&e);
}
END_TEST

START_TEST(test_exec_failure_and_expiry)
{
    struct env e = { 0 };
    struct got g = { 0 };
    struct kube_exec ex = { .api_version = (char *)(uintptr_t)"client.authentication.k8s.io/v1",
                            .interactive_mode = (char *)(uintptr_t)"Never" };
    char plugin[512];

    write_plugin("broken", "echo 'error: you must be logged in to the server' >&2\nexit 1", plugin,
                 sizeof(plugin));
    ex.command = plugin;
    stub_config("{\"token\": \"good\"}");
    e.t.exec = &ex;
    env_init(&e, NULL);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_EXEC);
    ck_assert_int_eq(kube_state(e.kube), KUBE_CRED_ERROR);
    ck_assert_msg(strstr(kube_state_detail(e.kube), "failed with exit status 1: error: you must "
                                                    "be logged in to the server"),
                  "%s", kube_state_detail(e.kube));
    ck_assert_str_eq(g.res.error, kube_state_detail(e.kube));
    env_done(&e);

    /* A credential that is already past its expiry and refused: expired. */
    e = (struct env){ 0 };
    write_plugin("old", "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                        "\"ExecCredential\",\"status\":{\"token\":\"old\",\"expirationTimestamp\":"
                        "\"2020-01-01T00:00:00Z\"}}'",
                 plugin, sizeof(plugin));
    e.t.exec = &ex;
    env_init(&e, NULL);
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(g.res.st, STATUS_AUTH);
    ck_assert_int_eq(kube_state(e.kube), KUBE_EXPIRED);
    ck_assert_msg(strstr(kube_state_detail(e.kube), "exec credential expired at "
                                                    "2020-01-01T00:00:00Z"),
                  "%s", kube_state_detail(e.kube));
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_client_cert_expired)
{
    struct env e = { 0 };
    struct got g = { 0 };
    char path[512], date[64];
    time_t ahead;
    struct tm tm;

    stub_config("{\"token\": \"nobody-has-it\"}");
    snprintf(path, sizeof(path), "%s/client.crt", pki);
    e.t.cert_pem = slurp(path, &e.t.cert_len);
    snprintf(path, sizeof(path), "%s/client.key", pki);
    e.t.key_pem = slurp(path, &e.t.key_len);
    env_init(&e, NULL);
    /* Within its validity: a plain 401. */
    do_get(&e, "/api/v1/namespaces/x/token", &g);
    ck_assert_int_eq(kube_state(e.kube), KUBE_UNAUTHORIZED);
    /* The server's clock is three days on (the certificate lives two):
     * expired, with its date. */
    ahead = time(NULL) + 3 * 86400;
    gmtime_r(&ahead, &tm);
    strftime(date, sizeof(date), "%a,%%20%d%%20%b%%20%Y%%20%H:%M:%S%%20GMT", &tm);
    snprintf(path, sizeof(path), "/api/v1/namespaces/x/token?at=%s", date);
    do_get(&e, path, &g);
    ck_assert_int_eq(kube_state(e.kube), KUBE_EXPIRED);
    ck_assert_msg(strstr(kube_state_detail(e.kube), "client certificate expired at 20"), "%s",
                  kube_state_detail(e.kube));
    free(e.t.cert_pem);
    free(e.t.key_pem);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_offline_then_live)
{
    struct env e = { 0 };
    struct got g = { 0 };
    char server[64];

    env_init(&e, NULL);
    do_get(&e, "/stats", &g);
    ck_assert_int_eq(kube_state(e.kube), KUBE_LIVE);
    env_done(&e);

    e = (struct env){ 0 };
    snprintf(server, sizeof(server), "http://127.0.0.1:1");
    e.t.server = server;
    env_init(&e, NULL);
    do_get(&e, "/version", &g);
    ck_assert_int_eq(g.res.st, STATUS_UNREACHABLE);
    ck_assert_int_eq(kube_state(e.kube), KUBE_OFFLINE);
    ck_assert_msg(strstr(kube_state_detail(e.kube), "127.0.0.1 port 1"), "%s",
                  kube_state_detail(e.kube));
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

START_TEST(test_server_clock)
{
    struct env e = { 0 };
    struct got g = { 0 };
    char path[256], date[64];
    time_t ahead = time(NULL) + 3600;
    struct tm tm;

    gmtime_r(&ahead, &tm);
    strftime(date, sizeof(date), "%a,%%20%d%%20%b%%20%Y%%20%H:%M:%S%%20GMT", &tm);
    snprintf(path, sizeof(path), "/date?at=%s", date);
    env_init(&e, NULL);
    ck_assert_int_le(llabs(kube_now(e.kube) - clock_now()), 1);
    do_get(&e, path, &g);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_int_le(llabs(kube_now(e.kube) - (clock_now() + 3600)), 2);
    strbuf_done(&g.body);
    env_done(&e);
}
END_TEST

static Suite *
kube_suite(void)
{
    Suite *s = suite_create("kube");
    TCase *pure = tcase_create("error_line");
    TCase *tc = tcase_create("client");

    tcase_add_test(pure, test_error_line_status_fixtures);
    tcase_add_test(pure, test_error_line_forbidden);
    tcase_add_test(pure, test_error_line_not_json);
    tcase_add_test(pure, test_error_line_hostile);
    suite_add_tcase(s, pure);

    tcase_add_unchecked_fixture(tc, stub_up, stub_down);
    tcase_add_checked_fixture(tc, tmp_up, tmp_down);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_paths);
    tcase_add_test(tc, test_discovery_fixtures);
    tcase_add_test(tc, test_basic_auth);
    tcase_add_test(tc, test_list_pages_in_order_and_overlapped);
    tcase_add_test(tc, test_list_raw_gzip);
    tcase_add_test(tc, test_list_raw_gzip_odd);
    tcase_add_test(tc, test_list_expired_continue);
    tcase_add_test(tc, test_list_single_page_and_cap);
    tcase_add_test(tc, test_list_cancel_from_page);
    tcase_add_test(tc, test_watch_stream);
    tcase_add_test(tc, test_watch_error_events);
    tcase_add_test(tc, test_watch_bad_lines);
    tcase_add_test(tc, test_watch_cancel_in_event);
    tcase_add_test(tc, test_watch_idle);
    tcase_add_test(tc, test_token_and_state);
    tcase_add_test(tc, test_token_file_reread);
    tcase_add_test(tc, test_exec_retry_on_401);
    tcase_add_test(tc, test_exec_failure_and_expiry);
    tcase_add_test(tc, test_client_cert_expired);
    tcase_add_test(tc, test_offline_then_live);
    tcase_add_test(tc, test_server_clock);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(kube_suite());
}
