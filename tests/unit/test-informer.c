/* SPDX-License-Identifier: MIT */
/* test-informer.c - informer.c against the stub server's scripted pods: skips, backoff, frees */
#include "config.h"

#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/informer.h"
#include "opsdeck/kube.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/model.h"
#include "opsdeck/strbuf.h"
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

struct sink {
    struct strbuf log;          /* "B;" "E;" "+name;" "-name;" */
    int upserts;
    int removes;
    int states;
    int free_at;                /* informer_free from the n-th upsert (0: never) */
    struct informer *inf;
    bool freed;
};

static void
s_begin(void *arg, enum kind kind, const char *ns)
{
    struct sink *s = arg;

    ck_assert_int_eq(kind, KIND_POD);
    ck_assert_ptr_null(ns);
    ck_assert(!s->freed);
    strbuf_puts(&s->log, "B;");
}

static void
s_end(void *arg, enum kind kind, const char *ns)
{
    struct sink *s = arg;

    (void)kind;
    (void)ns;
    ck_assert(!s->freed);
    strbuf_puts(&s->log, "E;");
}

static void
s_upsert(void *arg, struct kobj *obj)
{
    struct sink *s = arg;

    ck_assert(!s->freed);
    ck_assert_int_eq(obj->kind, KIND_POD);
    s->upserts++;
    if (s->upserts <= 3 || s->upserts % 10 == 0)
        strbuf_printf(&s->log, "+%s;", obj->name);
    kobj_free(obj);
    if (s->upserts == s->free_at) {
        informer_free(s->inf);
        s->freed = true;
    }
}

static void
s_remove(void *arg, struct kobj *obj)
{
    struct sink *s = arg;

    ck_assert(!s->freed);
    s->removes++;
    strbuf_printf(&s->log, "-%s;", obj->name);
    kobj_free(obj);
}

static void
s_state(void *arg)
{
    struct sink *s = arg;

    ck_assert(!s->freed);
    s->states++;
}

struct env {
    struct evloop *loop;
    struct http *http;
    struct kube *kube;
    struct sink sink;
};

static void
env_init(struct env *e, const struct kube_opts *opts)
{
    char server[64];
    struct kube_target t = { .server = server };
    struct informer_sink sink = { s_begin, s_end, s_upsert, s_remove, s_state, &e->sink };

    snprintf(server, sizeof(server), "http://127.0.0.1:%d", stub.port);
    e->loop = evloop_new();
    e->http = http_new(e->loop);
    e->kube = kube_new(e->loop, e->http, &t, opts);
    e->sink.inf = informer_new(e->kube, KIND_POD, NULL, &sink);
}

static void
env_done(struct env *e)
{
    if (!e->sink.freed)
        informer_free(e->sink.inf);
    kube_free(e->kube);
    http_free(e->http);
    evloop_free(e->loop);
    strbuf_done(&e->sink.log);
}

static bool
watching(const struct env *e)
{
    return informer_watching(e->sink.inf);
}

/* Runs the loop until the informer watches (10 s at most). */
static bool
run_until_watching(struct env *e)
{
    for (int i = 0; i < 1000; i++) {
        if (watching(e))
            return true;
        run_for(e->loop, 10);
    }
    return false;
}

#define EV(type, name, rv)                                                                   \
    "{\"line\": \"{\\\"type\\\":\\\"" type "\\\",\\\"object\\\":{\\\"metadata\\\":"          \
    "{\\\"name\\\":\\\"" name "\\\",\\\"namespace\\\":\\\"ns\\\",\\\"resourceVersion\\\":\\\"" \
    rv "\\\"},\\\"spec\\\":{\\\"containers\\\":[{\\\"name\\\":\\\"app\\\"}]}}}\"}"

START_TEST(test_sync_skips_bad_item)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 5 };
    struct informer_stats st;

    stub_configure(stub.port, "{\"items\": 12, \"bad_item\": 5, \"watch_hold\": true}");
    env_init(&e, &o);
    ck_assert(!informer_synced(e.sink.inf));
    informer_start(e.sink.inf);
    ck_assert(run_until_watching(&e));
    ck_assert(informer_synced(e.sink.inf));
    ck_assert_ptr_null(informer_error(e.sink.inf));
    ck_assert_str_eq(informer_rv(e.sink.inf), "100");
    ck_assert_str_eq(strbuf_str(&e.sink.log), "B;+pod-0000;+pod-0001;+pod-0002;+pod-0010;E;");
    ck_assert_int_eq(e.sink.upserts, 11);
    informer_get_stats(e.sink.inf, &st);
    ck_assert_uint_eq(st.lists, 1);
    ck_assert_uint_eq(st.pages, 3);
    ck_assert_uint_eq(st.skipped, 1);
    ck_assert_uint_eq(st.watches, 1);
    ck_assert_uint_eq(st.errors, 0);
    ck_assert_int_ge(e.sink.states, 2);
    env_done(&e);
}
END_TEST

START_TEST(test_watch_events)
{
    struct env e = { 0 };
    struct informer_stats st;

    stub_configure(stub.port, "{\"items\": 2, \"watch_hold\": true, \"watch\": ["
                              EV("ADDED", "new", "101") ", " EV("MODIFIED", "pod-0000", "102") ", "
                              EV("BOOKMARK", "", "150") ", " EV("DELETED", "pod-0001", "151") "]}");
    env_init(&e, NULL);
    informer_start(e.sink.inf);
    for (int i = 0; i < 500 && e.sink.removes == 0; i++)
        run_for(e.loop, 10);
    ck_assert_str_eq(strbuf_str(&e.sink.log),
                     "B;+pod-0000;+pod-0001;E;+new;-pod-0001;");
    ck_assert_int_eq(e.sink.upserts, 4);
    ck_assert_str_eq(informer_rv(e.sink.inf), "151");
    informer_get_stats(e.sink.inf, &st);
    ck_assert_uint_eq(st.events, 3);
    ck_assert_uint_eq(st.bookmarks, 1);
    env_done(&e);
}
END_TEST

START_TEST(test_free_from_sink)
{
    struct env e = { 0 };

    stub_configure(stub.port, "{\"items\": 40, \"watch_hold\": true}");
    env_init(&e, NULL);
    e.sink.free_at = 3;
    informer_start(e.sink.inf);
    for (int i = 0; i < 300 && !e.sink.freed; i++)
        run_for(e.loop, 10);
    ck_assert(e.sink.freed);
    run_for(e.loop, 300);
    /* Nothing after the free: no more upserts, no end, no watch. */
    ck_assert_int_eq(e.sink.upserts, 3);
    ck_assert_str_eq(strbuf_str(&e.sink.log), "B;+pod-0000;+pod-0001;+pod-0002;");
    ck_assert_uint_eq(http_pending(e.http), 0);
    ck_assert_int_eq(stub_log_count(stub.port, "watch=true"), 0);
    env_done(&e);
}
END_TEST

START_TEST(test_quick_close_backs_off)
{
    struct env e = { 0 };
    struct informer_stats st;

    /* The server ends every watch at once, without an event. */
    stub_configure(stub.port, "{\"items\": 2}");
    env_init(&e, NULL);
    informer_start(e.sink.inf);
    run_for(e.loop, 2500);
    informer_get_stats(e.sink.inf, &st);
    /* At once, then after 1 s and 2 s of backoff; never a tight loop. */
    ck_assert_uint_ge(st.watches, 2);
    ck_assert_uint_le(st.watches, 3);
    ck_assert_uint_eq(st.lists, 1);
    ck_assert_uint_eq(st.relists, 0);
    env_done(&e);
}
END_TEST

START_TEST(test_expired_every_time_backs_off)
{
    struct env e = { 0 };
    struct informer_stats st;

    /* A server that answers 410 to every watch, even from a fresh list. */
    stub_configure(stub.port, "{\"items\": 2, \"watch_status\": 410, \"watch_body\": "
                              "\"{\\\"kind\\\":\\\"Status\\\",\\\"reason\\\":\\\"Expired\\\","
                              "\\\"message\\\":\\\"too old resource version\\\","
                              "\\\"code\\\":410}\"}");
    env_init(&e, NULL);
    informer_start(e.sink.inf);
    run_for(e.loop, 2500);
    informer_get_stats(e.sink.inf, &st);
    ck_assert_uint_ge(st.relists, 1);
    ck_assert_uint_le(st.lists, 3);
    ck_assert(informer_synced(e.sink.inf));
    ck_assert(!watching(&e));
    env_done(&e);
}
END_TEST

START_TEST(test_list_error_retries)
{
    struct env e = { 0 };
    struct kube_opts o = { .page_size = 1 };
    struct informer_stats st;
    int64_t t0 = clock_mono_ms();

    /* Every continue token expires: each list restarts once, then fails. */
    stub_configure(stub.port, "{\"items\": 2, \"expire_continue\": 1000}");
    env_init(&e, &o);
    informer_start(e.sink.inf);
    while (clock_mono_ms() - t0 < 3500 && !informer_error(e.sink.inf))
        run_for(e.loop, 10);
    ck_assert_ptr_nonnull(informer_error(e.sink.inf));
    ck_assert_msg(strstr(informer_error(e.sink.inf), "410 Expired: The provided continue"),
                  "%s", informer_error(e.sink.inf));
    ck_assert(!informer_synced(e.sink.inf));
    run_for(e.loop, 3500 - (clock_mono_ms() - t0));
    informer_get_stats(e.sink.inf, &st);
    /* t=0, then 1 s later, then 2 s after that. */
    ck_assert_uint_eq(st.lists, 3);
    ck_assert_uint_eq(st.errors, 3);
    /* Each attempt began a replace (twice: the restart) and never ended one. */
    ck_assert_ptr_null(strstr(strbuf_str(&e.sink.log), "E;"));
    env_done(&e);
}
END_TEST

static Suite *
informer_suite(void)
{
    Suite *s = suite_create("informer");
    TCase *tc = tcase_create("informer");

    tcase_add_unchecked_fixture(tc, stub_up, stub_down);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_sync_skips_bad_item);
    tcase_add_test(tc, test_watch_events);
    tcase_add_test(tc, test_free_from_sink);
    tcase_add_test(tc, test_quick_close_backs_off);
    tcase_add_test(tc, test_expired_every_time_backs_off);
    tcase_add_test(tc, test_list_error_retries);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(informer_suite());
}
