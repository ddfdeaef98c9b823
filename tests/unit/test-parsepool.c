/* SPDX-License-Identifier: MIT */
/* test-parsepool.c - list pages parsed on worker threads: order, encoding, bad items, errors */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/evloop.h"
#include "opsdeck/json.h"
#include "opsdeck/macros.h"
#include "opsdeck/model.h"
#include "opsdeck/parsepool.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

#include "gziplib.h"
#include "testlib.h"

#define POD_LIST "kubernetes/cloudability/pods.json"

struct got {
    struct parsepool_result *res[64];
    size_t n;
};

static void
on_done(void *arg, struct parsepool_result *res)
{
    struct got *g = arg;

    ck_assert_uint_lt(g->n, 64);
    g->res[g->n++] = res;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the loop until the pool has handed every page back (at most 10 s). */
static void
drain(struct evloop *loop, struct parsepool *pp)
{
    double end = now_s() + 10;
    struct pollfd fds[8];

    while (parsepool_pending(pp) > 0) {
        int timeout;
        size_t n = evloop_prepare(loop, fds, 8, &timeout);

        ck_assert_msg(now_s() < end, "pages not back after 10 s");
        if (timeout < 0 || timeout > 100)
            timeout = 100;
        poll(fds, n, timeout);
        evloop_dispatch(loop, fds, n);
    }
}

static char *
dup_body(const char *s, size_t *len)
{
    *len = strlen(s);
    return xstrdup(s);
}

/* Queues a plain page of pods (body taken). */
static void
submit(struct parsepool *pp, char *body, size_t len, const char *origin, void *tag)
{
    parsepool_submit(pp, &(struct parsepool_page){ .kind = KIND_POD, .body = body, .len = len,
                                                   .origin = origin, .tag = tag });
}

/* Queues text as a gzip page of pods, inflated under max_len. */
static void
submit_gzip(struct parsepool *pp, const char *text, size_t max_len, const char *origin, void *tag)
{
    size_t zlen;
    unsigned char *z = gzip_member(text, strlen(text), &zlen);
    char *body = xmalloc(zlen + 1);

    memcpy(body, z, zlen);
    body[zlen] = '\0';
    free(z);
    parsepool_submit(pp, &(struct parsepool_page){ .kind = KIND_POD, .body = body, .len = zlen,
                                                   .gzip = true, .max_len = max_len,
                                                   .origin = origin, .tag = tag });
}

/* The names (ns/name) of the items of a list, parsed here in one thread. */
static size_t
direct_names(const char *text, char names[][128], size_t max)
{
    struct json_doc doc;
    struct json_iter it;
    uint32_t key, item;
    size_t n = 0;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, text, strlen(text)), STATUS_OK);
    json_iter_init(&it, &doc, json_get(&doc, 0, "items"));
    while (json_iter_next(&it, &key, &item) && n < max) {
        struct kobj *obj = kobj_parse(KIND_POD, &doc, item);

        ck_assert_ptr_nonnull(obj);
        snprintf(names[n++], 128, "%s/%s", obj->ns, obj->name);
        kobj_free(obj);
    }
    json_doc_done(&doc);
    return n;
}

START_TEST(test_pages_in_order)
{
    char *text = fixture_read(POD_LIST, NULL);
    char names[32][128];
    size_t want = direct_names(text, names, 32);
    unsigned threads = (unsigned)_i + 1;
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, threads, 0, on_done, &g);
    int tags[24];

    ck_assert_ptr_nonnull(pp);
    for (int i = 0; i < 24; i++) {
        size_t len;
        char *body = dup_body(text, &len);

        tags[i] = i;
        submit(pp, body, len, "/api/v1/pods?limit=500", &tags[i]);
    }
    ck_assert_uint_eq(parsepool_pending(pp), 24);
    drain(loop, pp);
    ck_assert_uint_eq(g.n, 24);
    for (size_t i = 0; i < g.n; i++) {
        struct parsepool_result *res = g.res[i];

        ck_assert_ptr_eq(res->tag, &tags[i]);
        ck_assert_int_eq(res->st, STATUS_OK);
        ck_assert_int_eq(res->kind, KIND_POD);
        ck_assert_uint_eq(res->nobjs, want);
        ck_assert_uint_eq(res->nskips, 0);
        ck_assert_ptr_null(res->blobs);
        for (size_t j = 0; j < res->nobjs; j++) {
            char name[128];

            snprintf(name, sizeof(name), "%s/%s", res->objs[j]->ns, res->objs[j]->name);
            ck_assert_str_eq(name, names[j]);
        }
        parsepool_result_free(res);
    }
    parsepool_free(pp);
    evloop_free(loop);
    free(text);
}
END_TEST

START_TEST(test_encode)
{
    char *text = fixture_read(POD_LIST, NULL);
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, 2, PARSEPOOL_ENCODE, on_done, &g);
    struct strbuf enc;
    char *body;
    size_t len;

    strbuf_init(&enc);
    body = dup_body(text, &len);
    submit(pp, body, len, NULL, NULL);
    drain(loop, pp);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_ptr_nonnull(g.res[0]->blobs);
    ck_assert_uint_gt(g.res[0]->nobjs, 1);
    for (size_t i = 0; i < g.res[0]->nobjs; i++) {
        const struct parsepool_blob *b = &g.res[0]->blobs[i];
        struct kobj *obj = g.res[0]->objs[i];
        struct kobj *back = kobj_decode(KIND_POD, b->data, b->len);

        strbuf_reset(&enc);
        kobj_encode(obj, &enc);
        ck_assert_uint_eq(b->len, enc.len);
        ck_assert_mem_eq(b->data, enc.buf, enc.len);
        ck_assert_ptr_nonnull(back);
        ck_assert_str_eq(b->ns, obj->ns);
        ck_assert_str_eq(b->name, obj->name);
        ck_assert_str_eq(back->name, obj->name);
        kobj_free(back);
    }
    /* The callback may take objects; the rest go with the result. */
    kobj_free(g.res[0]->objs[0]);
    g.res[0]->objs[0] = NULL;
    parsepool_result_free(g.res[0]);
    parsepool_free(pp);
    evloop_free(loop);
    strbuf_done(&enc);
    free(text);
}
END_TEST

START_TEST(test_bad_items)
{
    static const char page[] =
        "{\"kind\":\"PodList\",\"metadata\":{},\"items\":["
        "{\"metadata\":{\"name\":\"good-1\",\"namespace\":\"a\"},"
        "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}},"
        "{\"metadata\":{\"name\":\"bad\",\"namespace\":\"a\"},\"spec\":{\"containers\":7}},"
        "{\"metadata\":{\"namespace\":\"b\"}},"
        "{\"metadata\":{\"name\":\"good-2\",\"namespace\":\"b\"},"
        "\"spec\":{\"containers\":[]}}]}";
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, 1, PARSEPOOL_ENCODE, on_done, &g);
    struct parsepool_result *res;
    size_t len;
    char *body = dup_body(page, &len);

    submit(pp, body, len, NULL, NULL);
    drain(loop, pp);
    res = g.res[0];
    ck_assert_int_eq(res->st, STATUS_OK);
    ck_assert_uint_eq(res->nobjs, 2);
    ck_assert_str_eq(res->objs[0]->name, "good-1");
    ck_assert_str_eq(res->objs[1]->name, "good-2");
    ck_assert_str_eq(res->blobs[1].name, "good-2");
    ck_assert_uint_eq(res->nskips, 2);
    ck_assert_str_eq(res->skips[0].ns, "a");
    ck_assert_str_eq(res->skips[0].name, "bad");
    ck_assert_msg(strstr(res->skips[0].error, "spec.containers") != NULL, "%s",
                  res->skips[0].error);
    ck_assert_str_eq(res->skips[1].ns, "b");
    ck_assert_str_eq(res->skips[1].name, "");
    ck_assert_msg(strstr(res->skips[1].error, "metadata.name") != NULL, "%s", res->skips[1].error);
    parsepool_result_free(res);
    parsepool_free(pp);
    evloop_free(loop);
}
END_TEST

START_TEST(test_not_a_list)
{
    static const char *const bodies[] = {
        "{\"kind\":\"PodList\",\"items\":[{\"metadata\":",
        "[1,2,3]",
        "{\"kind\":\"PodList\",\"items\":{\"a\":1}}",
        "{\"kind\":\"PodList\",\"items\":null}",
        "<html>502 Bad Gateway</html>",
    };
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, 0, 0, on_done, &g);

    for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
        size_t len;
        char *body = dup_body(bodies[i], &len);

        submit(pp, body, len, "/api/v1/pods", NULL);
    }
    drain(loop, pp);
    ck_assert_uint_eq(g.n, 5);
    ck_assert_int_eq(g.res[0]->st, STATUS_JSON);
    ck_assert_msg(strncmp(g.res[0]->error, "malformed JSON reply from /api/v1/pods: ", 40) == 0,
                  "%s", g.res[0]->error);
    ck_assert_int_eq(g.res[1]->st, STATUS_JSON);
    ck_assert_str_eq(g.res[1]->error, "malformed JSON reply from /api/v1/pods: not an object");
    ck_assert_int_eq(g.res[2]->st, STATUS_JSON);
    ck_assert_str_eq(g.res[2]->error, "reply from /api/v1/pods: items is not an array");
    ck_assert_int_eq(g.res[3]->st, STATUS_OK); /* an empty list */
    ck_assert_uint_eq(g.res[3]->nobjs, 0);
    ck_assert_int_eq(g.res[4]->st, STATUS_JSON);
    for (size_t i = 0; i < g.n; i++)
        parsepool_result_free(g.res[i]);
    parsepool_free(pp);
    evloop_free(loop);
}
END_TEST

/* gzip pages, as kube_list_raw hands them over, mixed with plain ones:
 * inflated on the workers (each reusing its buffer), handed back in order. */
START_TEST(test_gzip_pages)
{
    char *text = fixture_read(POD_LIST, NULL);
    char names[32][128];
    size_t want = direct_names(text, names, 32);
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, 2, PARSEPOOL_ENCODE, on_done, &g);
    int tags[12];

    for (int i = 0; i < 12; i++) {
        tags[i] = i;
        if (i % 3 == 2) {
            size_t len;
            char *body = dup_body(text, &len);

            submit(pp, body, len, "/api/v1/pods", &tags[i]);
        } else {
            submit_gzip(pp, text, 64 << 20, "/api/v1/pods", &tags[i]);
        }
    }
    drain(loop, pp);
    ck_assert_uint_eq(g.n, 12);
    for (size_t i = 0; i < g.n; i++) {
        struct parsepool_result *res = g.res[i];

        ck_assert_ptr_eq(res->tag, &tags[i]);
        ck_assert_int_eq(res->st, STATUS_OK);
        ck_assert_uint_eq(res->nobjs, want);
        ck_assert_ptr_nonnull(res->blobs);
        ck_assert_str_eq(res->objs[want - 1]->name, strchr(names[want - 1], '/') + 1);
        parsepool_result_free(res);
    }
    parsepool_free(pp);
    evloop_free(loop);
    free(text);
}
END_TEST

/* A gzip page over the size cap, and one that is damaged: the page fails
 * with a message naming it; the next pages are unaffected. */
START_TEST(test_gzip_bad)
{
    char *text = fixture_read(POD_LIST, NULL);
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, 1, 0, on_done, &g);
    size_t len;
    char *body;

    submit_gzip(pp, text, 1000, "/api/v1/pods?limit=500", NULL);
    submit(pp, xstrdup("\x1f\x8b\x08\x00garbage"), 12, "/api/v1/pods?limit=500&continue=x",
           NULL);
    body = dup_body(text, &len);
    submit(pp, body, len, NULL, NULL);
    drain(loop, pp);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_int_eq(g.res[0]->st, STATUS_TOOLARGE);
    ck_assert_str_eq(g.res[0]->error, "reply from /api/v1/pods?limit=500: gzip body decodes to "
                                      "more than 1000 bytes");
    ck_assert_int_eq(g.res[1]->st, STATUS_JSON); /* not flagged gzip: read as JSON */
    ck_assert_int_eq(g.res[2]->st, STATUS_OK);
    for (size_t i = 0; i < g.n; i++)
        parsepool_result_free(g.res[i]);
    g.n = 0;

    /* The same bytes flagged gzip. */
    parsepool_submit(pp, &(struct parsepool_page){ .kind = KIND_POD,
                                                   .body = xstrdup("\x1f\x8b\x08\x00garbage"),
                                                   .len = 12, .gzip = true, .max_len = 1 << 20,
                                                   .origin = "/api/v1/pods" });
    drain(loop, pp);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.res[0]->st, STATUS_CORRUPT);
    ck_assert_msg(strncmp(g.res[0]->error, "reply from /api/v1/pods: gzip body is corrupt", 45) ==
                      0,
                  "%s", g.res[0]->error);
    parsepool_result_free(g.res[0]);
    parsepool_free(pp);
    evloop_free(loop);
    free(text);
}
END_TEST

START_TEST(test_free_with_pages_queued)
{
    char *text = fixture_read(POD_LIST, NULL);
    struct evloop *loop = evloop_new();
    struct got g = {0};
    struct parsepool *pp = parsepool_new(loop, 1, PARSEPOOL_ENCODE, on_done, &g);

    for (int i = 0; i < 16; i++) {
        size_t len;
        char *body = dup_body(text, &len);

        submit(pp, body, len, NULL, NULL);
    }
    /* Dropped, results and all (the sanitizers check nothing leaks). */
    parsepool_free(pp);
    ck_assert_uint_eq(g.n, 0);
    evloop_free(loop);
    free(text);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("parsepool");
    TCase *tc = tcase_create("parsepool");

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_pages_in_order, 0, 4);
    tcase_add_test(tc, test_encode);
    tcase_add_test(tc, test_bad_items);
    tcase_add_test(tc, test_not_a_list);
    tcase_add_test(tc, test_gzip_pages);
    tcase_add_test(tc, test_gzip_bad);
    tcase_add_test(tc, test_free_with_pages_queued);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
