/* SPDX-License-Identifier: MIT */
/* test-loki-podlog.c - the pod log fallback: path, lines, timestamps, batches, stop */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/kube.h"
#include "opsdeck/podlog.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* A kube_stream that the test drives by hand. */
struct kube_op {
    kube_data_cb data;
    kube_done_cb done;
    void *arg;
    bool cancelled;
    char path[512];
};
static struct kube_op the_op;
static bool op_live;

struct kube_op *
kube_stream(struct kube *k, const char *path, int idle_s, kube_data_cb data, kube_done_cb done,
            void *arg)
{
    (void)k;
    (void)idle_s;
    memset(&the_op, 0, sizeof(the_op));
    the_op.data = data;
    the_op.done = done;
    the_op.arg = arg;
    snprintf(the_op.path, sizeof(the_op.path), "%s", path);
    op_live = true;
    return &the_op;
}

void
kube_op_cancel(struct kube_op *op)
{
    if (op) {
        op->cancelled = true;
        op_live = false;
    }
}

/* Feeds a chunk; false when the podlog stopped the stream. */
static bool
feed(const char *s)
{
    bool go = the_op.data(the_op.arg, s, strlen(s));

    if (!go && op_live) {
        struct kube_result r = {.st = STATUS_CANCELLED};

        op_live = false;
        the_op.done(the_op.arg, &r);
    }
    return go;
}

static void
finish(enum status st, long http, const char *error)
{
    struct kube_result r = {.st = st, .http_status = http};

    snprintf(r.error, sizeof(r.error), "%s", error);
    op_live = false;
    the_op.done(the_op.arg, &r);
}

struct got {
    struct strbuf text;
    size_t n, batches;
    bool done;
    struct loki_result res;
    size_t stop_after;
    bool free_in_batch;
    struct podlog *p;
    size_t longest;
};

static bool
got_batch(void *arg, const struct loki_batch *b)
{
    struct got *g = arg;

    g->batches++;
    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];

        strbuf_printf(&g->text, "%" PRId64 " %s [%.*s]\n", e->ts, e->stream->text,
                      (int)(e->len > 40 ? 40 : e->len), e->line);
        if (e->len > g->longest)
            g->longest = e->len;
        g->n++;
    }
    if (g->free_in_batch) {
        podlog_free(g->p);
        g->p = NULL;
        return false;
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

START_TEST(test_podlog_path)
{
    struct podlog_opts o = {
        .ns = "dp-max-catapp", .pod = "web-1", .container = "app", .follow = true};
    char *p = podlog_path(&o);

    ck_assert_str_eq(p, "/api/v1/namespaces/dp-max-catapp/pods/web-1/log?timestamps=true"
                        "&container=app&follow=true&tailLines=1000");
    free(p);
    o.container = NULL;
    o.follow = false;
    o.previous = true;
    o.tail_lines = -1;
    p = podlog_path(&o);
    ck_assert_str_eq(p, "/api/v1/namespaces/dp-max-catapp/pods/web-1/log?timestamps=true"
                        "&previous=true");
    free(p);
    o.previous = false;
    o.since_ns = INT64_C(1795489920) * 1000000000;
    p = podlog_path(&o);
    ck_assert_ptr_nonnull(strstr(p, "&sinceTime=2026-11-24T"));
    ck_assert_ptr_null(strstr(p, "tailLines"));
    free(p);
}
END_TEST

START_TEST(test_podlog_lines_in_chunks)
{
    struct podlog_opts o = {
        .ns = "dp-a-b", .pod = "web-1", .container = "app", .app = "web", .follow = true};
    struct got g = {0};
    struct podlog *p = podlog_start(NULL, &o, got_batch, got_done, &g);

    ck_assert(feed("2026-11-24T03:12:00.000000001Z first line\n2026-11-24T03:12:0"));
    ck_assert(feed("1.5Z second\r\n"));
    ck_assert(feed("no timestamp here\n"));
    ck_assert(feed("2026-11-24T03:12:02Z tail without newline"));
    ck_assert_uint_eq(g.n, 3);
    finish(STATUS_OK, 200, "");
    ck_assert(g.done);
    ck_assert_int_eq(g.res.st, STATUS_OK);
    ck_assert_uint_eq(g.res.entries, 4);
    ck_assert_str_eq(strbuf_str(&g.text),
                     "1795489920000000001 {app=\"web\", container=\"app\", namespace=\"dp-a-b\", "
                     "pod=\"web-1\"} [first line]\n"
                     "1795489921500000000 {app=\"web\", container=\"app\", namespace=\"dp-a-b\", "
                     "pod=\"web-1\"} [second]\n"
                     "1795489921500000000 {app=\"web\", container=\"app\", namespace=\"dp-a-b\", "
                     "pod=\"web-1\"} [no timestamp here]\n"
                     "1795489922000000000 {app=\"web\", container=\"app\", namespace=\"dp-a-b\", "
                     "pod=\"web-1\"} [tail without newline]\n");
    strbuf_done(&g.text);
    podlog_free(p);
}
END_TEST

START_TEST(test_podlog_long_line_cut)
{
    struct podlog_opts o = {.ns = "n", .pod = "p", .max_line = 1000};
    struct got g = {0};
    struct podlog *p = podlog_start(NULL, &o, got_batch, got_done, &g);
    char *big = xmalloc(3001);

    memset(big, 'x', 3000);
    big[3000] = '\0';
    ck_assert(feed("2026-11-24T03:12:00Z "));
    ck_assert(feed(big));
    ck_assert(feed(big));
    ck_assert(feed("\n2026-11-24T03:12:01Z after\n"));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_uint_eq(g.longest, 1000);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&g.text), "[after]"));
    free(big);
    strbuf_done(&g.text);
    podlog_free(p);
}
END_TEST

START_TEST(test_podlog_errors_and_stop)
{
    struct podlog_opts o = {.ns = "n", .pod = "gone"};
    struct got g = {0};
    struct podlog *p = podlog_start(NULL, &o, got_batch, got_done, &g);

    finish(STATUS_NOTFOUND, 404, "404 NotFound: pods \"gone\" not found");
    ck_assert(g.done);
    ck_assert_int_eq(g.res.st, STATUS_NOTFOUND);
    ck_assert_str_eq(g.res.error, "404 NotFound: pods \"gone\" not found");
    podlog_free(p);

    /* The caller says stop: done gets CANCELLED. */
    memset(&g, 0, sizeof(g));
    g.stop_after = 2;
    p = podlog_start(NULL, &o, got_batch, got_done, &g);
    ck_assert(feed("2026-11-24T03:12:00Z a\n"));
    ck_assert(!feed("2026-11-24T03:12:00Z b\n2026-11-24T03:12:00Z c\n"));
    ck_assert(g.done);
    ck_assert_int_eq(g.res.st, STATUS_CANCELLED);
    strbuf_done(&g.text);
    podlog_free(p);

    /* Freed from inside its batch callback: the stream is cancelled, no
     * done afterwards. */
    memset(&g, 0, sizeof(g));
    g.free_in_batch = true;
    g.p = podlog_start(NULL, &o, got_batch, got_done, &g);
    ck_assert(!the_op.data(the_op.arg, "x\n", 2));
    ck_assert(the_op.cancelled);
    ck_assert(!g.done);
    strbuf_done(&g.text);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("podlog");
    TCase *tc = tcase_create("podlog");

    tcase_add_test(tc, test_podlog_path);
    tcase_add_test(tc, test_podlog_lines_in_chunks);
    tcase_add_test(tc, test_podlog_long_line_cut);
    tcase_add_test(tc, test_podlog_errors_and_stop);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
