/* SPDX-License-Identifier: MIT */
/* test-prom-nodemetrics.c - node metrics: samples into slots, gaps, stopped series, name mapping */
#include "config.h"

#include <math.h>

#include "opsdeck/evloop.h"
#include "opsdeck/nodemetrics.h"
#include "opsdeck/prom.h"
#include "opsdeck/strbuf.h"

#include "testlib.h"

#define END  1795536000LL /* a multiple of 60 */
#define STEP 60

/* A matrix reply: for each instance, values v(i, p) at END - (59 - p) * STEP,
 * skipping points where v is NaN (a gap, as Prometheus leaves them out). */
static void
parse_matrix(struct prom_result *r, const char *const *instances, double (*v)(size_t, size_t))
{
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    for (size_t i = 0; instances[i]; i++) {
        bool first = true;
        strbuf_printf(&sb, "%s{\"metric\":{\"instance\":\"%s\"},\"values\":[", i ? "," : "",
                      instances[i]);
        for (size_t p = 0; p < 60; p++) {
            double x = v(i, p);
            if (isnan(x))
                continue;
            strbuf_printf(&sb, "%s[%lld,\"%.17g\"]", first ? "" : ",",
                          (long long)(END - (59 - (long long)p) * STEP), x);
            first = false;
        }
        strbuf_puts(&sb, "]}");
    }
    strbuf_puts(&sb, "]}}");
    ck_assert_int_eq(prom_parse_query(sb.buf, sb.len, 200, "application/json", r), STATUS_OK);
    r->data_raw = NULL;
    strbuf_done(&sb);
}

static void
parse_uname(struct prom_result *r, const char *json)
{
    ck_assert_int_eq(prom_parse_query(json, strlen(json), 200, "application/json", r), STATUS_OK);
    r->data_raw = NULL;
}

static double
cpu(size_t i, size_t p)
{
    return (double)(i * 10) + (double)p * 0.5;
}

/* Instance 1 stops answering after point 40; instance 0 has a gap at 10-19. */
static double
mem(size_t i, size_t p)
{
    if (i == 1 && p > 40)
        return NAN;
    if (i == 0 && p >= 10 && p < 20)
        return NAN;
    return 50.0 + (double)i;
}

static double
disk(size_t i, size_t p)
{
    (void)p;
    return i == 2 ? 97.0 : 40.0;
}

static const char *const instances[] = {"10.0.1.2:9100", "10.0.1.101:9100", "10.0.1.10:9100", NULL};

static struct node_metrics *
loaded(struct evloop *loop, struct prom_result res[4])
{
    struct node_metrics *nm = node_metrics_new(NULL, loop, NULL);
    const struct prom_result *const m[NM_COUNT] = {&res[0], &res[1], &res[2]};

    parse_matrix(&res[0], instances, cpu);
    parse_matrix(&res[1], instances, mem);
    parse_matrix(&res[2], instances, disk);
    /* The registry host's exporter reports no uname: it is found by IP. */
    parse_uname(&res[3], "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                         "{\"metric\":{\"instance\":\"10.0.1.2:9100\",\"nodename\":\"build-1\"},"
                         "\"value\":[1795536000,\"1\"]},"
                         "{\"metric\":{\"instance\":\"10.0.1.101:9100\",\"nodename\":\"run-2\"},"
                         "\"value\":[1795536000,\"1\"]}]}}");
    node_metrics_load(nm, END, m, &res[3]);
    return nm;
}

static void
done(struct node_metrics *nm, struct prom_result res[4])
{
    node_metrics_free(nm);
    for (int i = 0; i < 4; i++)
        prom_result_done(&res[i]);
}

START_TEST(not_configured_is_disabled)
{
    struct evloop *loop = evloop_new();
    struct node_metrics *nm = node_metrics_new(NULL, loop, NULL);

    ck_assert(!node_metrics_enabled(nm));
    ck_assert(!node_metrics_ready(nm));
    ck_assert_uint_eq(node_metrics_points(nm), 60);
    ck_assert_ptr_null(node_metrics_find(nm, "build-1", "10.0.1.2"));
    node_metrics_free(nm);
    evloop_free(loop);
}
END_TEST

START_TEST(instances_mapped_by_uname_then_ip)
{
    struct evloop *loop = evloop_new();
    struct prom_result res[4];
    struct node_metrics *nm = loaded(loop, res);
    const struct nm_node *n;
    size_t count;

    ck_assert(node_metrics_ready(nm));
    node_metrics_all(nm, &count);
    ck_assert_uint_eq(count, 3);
    n = node_metrics_find(nm, "build-1", NULL);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n->instance, "10.0.1.2:9100");
    /* By name even when the IP is another's. */
    ck_assert_ptr_eq(node_metrics_find(nm, "run-2", "10.0.1.2"),
                     node_metrics_find(nm, NULL, "10.0.1.101"));
    n = node_metrics_find(nm, "ops-1", "10.0.1.10");
    ck_assert_ptr_nonnull(n);
    ck_assert_ptr_null(n->nodename);
    ck_assert(n->m[NM_DISK].last == 97.0);
    ck_assert_ptr_null(node_metrics_find(nm, "ops-2", "10.0.1.11"));
    done(nm, res);
    evloop_free(loop);
}
END_TEST

START_TEST(samples_in_their_slots)
{
    struct evloop *loop = evloop_new();
    struct prom_result res[4];
    struct node_metrics *nm = loaded(loop, res);
    const struct nm_node *n = node_metrics_find(nm, "run-2", NULL);

    ck_assert_ptr_nonnull(n);
    for (size_t p = 0; p < 60; p++)
        ck_assert_double_eq(n->m[NM_CPU].v[p], 10.0 + (double)p * 0.5);
    ck_assert_double_eq(n->m[NM_CPU].last, 10.0 + 59 * 0.5);
    ck_assert_uint_eq(n->m[NM_CPU].last_slot, 59);
    done(nm, res);
    evloop_free(loop);
}
END_TEST

START_TEST(gaps_and_a_series_that_stopped)
{
    struct evloop *loop = evloop_new();
    struct prom_result res[4];
    struct node_metrics *nm = loaded(loop, res);
    const struct nm_node *a = node_metrics_find(nm, "build-1", NULL);
    const struct nm_node *b = node_metrics_find(nm, "run-2", NULL);

    for (size_t p = 10; p < 20; p++)
        ck_assert(isnan(a->m[NM_MEM].v[p]));
    ck_assert_double_eq(a->m[NM_MEM].v[9], 50.0);
    ck_assert_double_eq(a->m[NM_MEM].v[20], 50.0);
    ck_assert_uint_eq(a->m[NM_MEM].last_slot, 59);
    /* run-2 stopped after point 40: its last value stays, and says where. */
    ck_assert_uint_eq(b->m[NM_MEM].last_slot, 40);
    ck_assert_double_eq(b->m[NM_MEM].last, 51.0);
    for (size_t p = 41; p < 60; p++)
        ck_assert(isnan(b->m[NM_MEM].v[p]));
    done(nm, res);
    evloop_free(loop);
}
END_TEST

START_TEST(reload_replaces_and_off_grid_ignored)
{
    struct evloop *loop = evloop_new();
    struct prom_result res[4], one;
    struct node_metrics *nm = loaded(loop, res);
    const char *json = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                       "{\"metric\":{\"instance\":\"10.0.1.2:9100\"},\"values\":["
                       "[1795535999,\"1\"],[1795536000,\"2\"],[1795536060,\"3\"],"
                       "[1795532400,\"9\"],[1795532460,\"4\"],[1795532520,\"NaN\"]]}]}}";
    const struct prom_result *const m[NM_COUNT] = {&one, NULL, NULL};
    const struct nm_node *n;
    size_t count;

    ck_assert_int_eq(prom_parse_query(json, strlen(json), 200, "", &one), STATUS_OK);
    node_metrics_load(nm, END, m, NULL);
    node_metrics_all(nm, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_ptr_null(node_metrics_find(nm, "build-1", NULL)); /* no uname this time */
    n = node_metrics_find(nm, NULL, "10.0.1.2");
    ck_assert_ptr_nonnull(n);
    /* Off the step grid, past the end, or NaN: not placed. */
    ck_assert_double_eq(n->m[NM_CPU].v[59], 2.0);
    ck_assert_double_eq(n->m[NM_CPU].v[0], 4.0);
    ck_assert(isnan(n->m[NM_CPU].v[1]));
    ck_assert(isnan(n->m[NM_MEM].last));
    prom_result_done(&one);
    done(nm, res);
    evloop_free(loop);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("prom-nodemetrics");
    TCase *tc = tcase_create("load");

    tcase_add_test(tc, not_configured_is_disabled);
    tcase_add_test(tc, instances_mapped_by_uname_then_ip);
    tcase_add_test(tc, samples_in_their_slots);
    tcase_add_test(tc, gaps_and_a_series_that_stopped);
    tcase_add_test(tc, reload_replaces_and_off_grid_ignored);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(suite());
}
