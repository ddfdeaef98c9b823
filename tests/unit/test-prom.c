/* SPDX-License-Identifier: MIT */
/* test-prom.c - the Prometheus parsers over recorded 2.42 replies, the docs' examples and own data
 */
#include "config.h"

#include <math.h>

#include "opsdeck/prom.h"
#include "opsdeck/status.h"

#include "testlib.h"

#define FX(name) "prometheus-client/" name

static enum status
parse_fixture(const char *rel, long http_status, const char *ctype, struct prom_result *r)
{
    size_t len;
    char *body = fixture_read(rel, &len);
    enum status st = prom_parse_query(body, len, http_status, ctype, r);

    /* data_raw points into the body: tests that need it keep their own. */
    r->data_raw = NULL;
    free(body);
    return st;
}

START_TEST(values_as_prometheus_formats_them)
{
    double v;

    ck_assert(prom_parse_value("4.4137931034481825", 18, &v) &&
              fabs(v - 4.4137931034481825) < 1e-15);
    ck_assert(prom_parse_value("NaN", 3, &v) && isnan(v));
    ck_assert(prom_parse_value("+Inf", 4, &v) && isinf(v) && v > 0);
    ck_assert(prom_parse_value("-Inf", 4, &v) && isinf(v) && v < 0);
    ck_assert(prom_parse_value("1e+00", 5, &v) && v == 1.0);
    ck_assert(prom_parse_value("8e-02", 5, &v) && fabs(v - 0.08) < 1e-15);
    ck_assert(prom_parse_value("-0", 2, &v) && v == 0.0);
    ck_assert(!prom_parse_value("0x10", 4, &v));
    ck_assert(!prom_parse_value("nan", 3, &v));
    ck_assert(!prom_parse_value("infinity", 8, &v));
    ck_assert(!prom_parse_value("", 0, &v));
    ck_assert(!prom_parse_value("1.5abc", 6, &v));
}
END_TEST

START_TEST(timestamps_exact_milliseconds)
{
    int64_t ms;
    char buf[32];

    ck_assert(prom_parse_ts("1795536661.285", 14, &ms) && ms == 1795536661285LL);
    ck_assert(prom_parse_ts("1795536621", 10, &ms) && ms == 1795536621000LL);
    ck_assert(prom_parse_ts("1435781430.781", 14, &ms) && ms == 1435781430781LL);
    ck_assert(prom_parse_ts("1.5", 3, &ms) && ms == 1500);
    ck_assert(prom_parse_ts("1.0006", 6, &ms) && ms == 1001);
    ck_assert(prom_parse_ts("1.7e9", 5, &ms) && ms == 1700000000000LL);
    ck_assert(!prom_parse_ts("abc", 3, &ms));
    ck_assert(!prom_parse_ts("12x", 3, &ms));
    prom_format_value(NAN, buf, sizeof(buf));
    ck_assert_str_eq(buf, "NaN");
    prom_format_value(-INFINITY, buf, sizeof(buf));
    ck_assert_str_eq(buf, "-Inf");
    prom_format_value(69.71365775987748, buf, sizeof(buf));
    ck_assert_str_eq(buf, "69.7136577598775");
    prom_format_value(1e21, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1e+21");
}
END_TEST

START_TEST(vector_recorded)
{
    struct prom_result r;

    ck_assert_int_eq(parse_fixture(FX("recorded-2.42/query_up.json"), 200, "application/json", &r),
                     STATUS_OK);
    ck_assert_int_eq(r.type, PROM_VECTOR);
    ck_assert_uint_eq(r.nseries, 3);
    ck_assert_str_eq(kv_get(&r.series[1].labels, "__name__"), "up");
    ck_assert_str_eq(kv_get(&r.series[1].labels, "node"), "k3s-server-1");
    ck_assert_str_eq(kv_get(&r.series[2].labels, "instance"), "127.0.0.1:19999");
    ck_assert_uint_eq(r.series[2].nsamples, 1);
    ck_assert(r.series[2].samples[0].v == 0.0);
    ck_assert_int_eq(r.series[2].samples[0].ts_ms, 1795536661278LL);
    ck_assert_str_eq(r.series[0].last_text, "1");
    ck_assert_ptr_null(r.warnings);
    prom_result_done(&r);

    ck_assert_int_eq(parse_fixture(FX("recorded-2.42/query_node_disk_percent.json"), 200,
                                   "application/json", &r),
                     STATUS_OK);
    ck_assert_uint_eq(r.series[0].labels.len, 6);
    ck_assert_str_eq(kv_get(&r.series[0].labels, "mountpoint"), "/");
    ck_assert(fabs(r.series[0].samples[0].v - 69.71365775987748) < 1e-12);
    prom_result_done(&r);
}
END_TEST

START_TEST(matrix_recorded_and_docs)
{
    struct prom_result r;

    ck_assert_int_eq(parse_fixture(FX("recorded-2.42/query_range_node_cpu_percent.json"), 200,
                                   "application/json", &r),
                     STATUS_OK);
    ck_assert_int_eq(r.type, PROM_MATRIX);
    ck_assert_uint_eq(r.nseries, 1);
    ck_assert_uint_eq(r.series[0].nsamples, 9);
    ck_assert_int_eq(r.series[0].samples[0].ts_ms, 1795536621000LL);
    ck_assert_int_eq(r.series[0].samples[8].ts_ms, 1795536661000LL);
    ck_assert(fabs(r.series[0].samples[4].v - 2.1250000000037517) < 1e-12);
    ck_assert_str_eq(r.series[0].last_text, "3.6249999999995453");
    prom_result_done(&r);

    /* The docs' example is indented and has fractional timestamps. */
    ck_assert_int_eq(
        parse_fixture(FX("docs/query_range_matrix_up.json"), 200, "application/json", &r),
        STATUS_OK);
    ck_assert_uint_eq(r.nseries, 2);
    ck_assert_int_eq(r.series[1].samples[2].ts_ms, 1435781460781LL);
    ck_assert(r.series[1].samples[1].v == 0.0 && r.series[1].samples[2].v == 1.0);
    prom_result_done(&r);
}
END_TEST

START_TEST(matrix_gaps_empty_series_warnings)
{
    struct prom_result r;

    ck_assert_int_eq(parse_fixture(FX("own/matrix_gaps.json"), 200, "application/json", &r),
                     STATUS_OK);
    ck_assert_uint_eq(r.nseries, 2);
    ck_assert_uint_eq(r.series[0].nsamples, 3);
    /* The gap stays a gap: 60 s, then 180 s between samples. */
    ck_assert_int_eq(r.series[0].samples[1].ts_ms - r.series[0].samples[0].ts_ms, 60000);
    ck_assert_int_eq(r.series[0].samples[2].ts_ms - r.series[0].samples[1].ts_ms, 180000);
    ck_assert_uint_eq(r.series[1].nsamples, 0);
    ck_assert_ptr_null(r.series[1].last_text);
    ck_assert_ptr_nonnull(r.warnings);
    ck_assert_str_eq(r.warnings[0], "PromQL info: something");
    ck_assert_ptr_null(r.warnings[1]);
    prom_result_done(&r);
}
END_TEST

START_TEST(scalar_string_special_empty)
{
    struct prom_result r;

    ck_assert_int_eq(parse_fixture(FX("own/scalar.json"), 200, "application/json", &r), STATUS_OK);
    ck_assert_int_eq(r.type, PROM_SCALAR);
    ck_assert_uint_eq(r.nseries, 1);
    ck_assert_uint_eq(r.series[0].labels.len, 0);
    ck_assert(r.series[0].samples[0].v == 1.0);
    ck_assert_str_eq(r.series[0].last_text, "1e+00");
    prom_result_done(&r);

    ck_assert_int_eq(parse_fixture(FX("own/string.json"), 200, "application/json", &r), STATUS_OK);
    ck_assert_int_eq(r.type, PROM_STRING);
    ck_assert_str_eq(r.series[0].last_text, "hello");
    ck_assert(isnan(r.series[0].samples[0].v));
    prom_result_done(&r);

    ck_assert_int_eq(parse_fixture(FX("own/vector_special.json"), 200, "application/json", &r),
                     STATUS_OK);
    ck_assert_uint_eq(r.nseries, 4);
    ck_assert(isnan(r.series[0].samples[0].v));
    ck_assert(isinf(r.series[1].samples[0].v) && r.series[1].samples[0].v > 0);
    ck_assert(isinf(r.series[2].samples[0].v) && r.series[2].samples[0].v < 0);
    ck_assert(fabs(r.series[3].samples[0].v + 1.5e-7) < 1e-20);
    ck_assert_str_eq(r.series[1].last_text, "+Inf");
    ck_assert_int_eq(r.series[0].samples[0].ts_ms, 1795536661500LL);
    prom_result_done(&r);

    ck_assert_int_eq(parse_fixture(FX("own/vector_empty.json"), 200, "application/json", &r),
                     STATUS_OK);
    ck_assert_int_eq(r.type, PROM_VECTOR);
    ck_assert_uint_eq(r.nseries, 0);
    prom_result_done(&r);
}
END_TEST

START_TEST(data_raw_is_the_data_object_as_sent)
{
    size_t len;
    char *body = fixture_read(FX("recorded-2.42/query_up.json"), &len);
    struct prom_result r;
    const char *want;

    ck_assert_int_eq(prom_parse_query(body, len, 200, "application/json", &r), STATUS_OK);
    want = strstr(body, "\"data\":") + 7;
    ck_assert_ptr_eq(r.data_raw, want);
    ck_assert_uint_eq(r.data_len, len - (size_t)(want - body) - 1);
    prom_result_done(&r);
    free(body);
}
END_TEST

START_TEST(error_envelopes_with_error_type)
{
    struct prom_result r;

    ck_assert_int_eq(
        parse_fixture(FX("recorded-2.42/error_parse.json"), 400, "application/json", &r),
        STATUS_HTTP);
    ck_assert_str_eq(status_text(), "Prometheus: bad_data: invalid parameter \"query\": 1:17: "
                                    "parse error: unclosed left parenthesis");
    ck_assert_uint_eq(r.nseries, 0);
    ck_assert_int_eq(
        parse_fixture(FX("recorded-2.42/error_bad_step.json"), 400, "application/json", &r),
        STATUS_HTTP);
    ck_assert_ptr_nonnull(
        strstr(status_text(), "Prometheus: bad_data: invalid parameter \"step\""));
    ck_assert_int_eq(parse_fixture(FX("own/error_execution.json"), 422, "application/json", &r),
                     STATUS_HTTP);
    ck_assert_ptr_nonnull(strstr(status_text(), "Prometheus: execution: found duplicate series"));
}
END_TEST

START_TEST(plain_text_and_html_bodies)
{
    struct prom_result r;

    ck_assert_int_eq(parse_fixture(FX("own/not_found.txt"), 404, "text/plain; charset=utf-8", &r),
                     STATUS_HTTP);
    ck_assert_str_eq(status_text(), "Prometheus: HTTP 404: 404 page not found");
    ck_assert_int_eq(parse_fixture(FX("own/proxy_502.html"), 502, "text/html", &r), STATUS_HTTP);
    ck_assert_str_eq(status_text(), "Prometheus: HTTP 502: 502 Bad Gateway");
    /* HTML sent without a content type is still recognised. */
    ck_assert_int_eq(parse_fixture(FX("own/proxy_502.html"), 502, "", &r), STATUS_HTTP);
    ck_assert_str_eq(status_text(), "Prometheus: HTTP 502: 502 Bad Gateway");
    ck_assert_int_eq(prom_parse_query("", 0, 200, "", &r), STATUS_HTTP);
    ck_assert_str_eq(status_text(), "Prometheus: HTTP 200: empty body");
    ck_assert_int_eq(prom_parse_query("{\"status\":\"success\",\"data\":", 28, 200, "", &r),
                     STATUS_JSON);
    ck_assert_int_eq(prom_parse_query("{\"status\":\"success\",\"data\":{\"resultType\":\"x\"}}",
                                      46, 200, "", &r),
                     STATUS_JSON);
    ck_assert_int_eq(prom_parse_query("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                                      "\"result\":[{\"metric\":{},\"value\":[1,2]}]}}",
                                      85, 200, "", &r),
                     STATUS_JSON);
}
END_TEST

START_TEST(alerts_recorded_and_docs)
{
    size_t len;
    char *body = fixture_read(FX("recorded-2.42/alerts.json"), &len);
    struct prom_alerts a;

    ck_assert_int_eq(prom_parse_alerts(body, len, 200, "application/json", &a), STATUS_OK);
    ck_assert_uint_eq(a.len, 2);
    ck_assert_uint_eq(a.firing, 1);
    ck_assert_str_eq(a.items[0].name, "TargetDown");
    ck_assert_str_eq(a.items[0].state, "firing");
    ck_assert_str_eq(a.items[0].severity, "critical");
    ck_assert_str_eq(a.items[0].summary, "Target 127.0.0.1:19999 of job node-down is down");
    ck_assert_str_eq(a.items[0].value, "0e+00");
    ck_assert_int_eq(a.items[0].active_at, 1795536593LL); /* 2026-11-24T16:09:53Z */
    ck_assert_str_eq(a.items[1].state, "pending");
    ck_assert_str_eq(kv_get(&a.items[1].labels, "node"), "k3s-server-1");
    prom_alerts_done(&a);
    free(body);

    body = fixture_read(FX("docs/alerts.json"), &len);
    ck_assert_int_eq(prom_parse_alerts(body, len, 200, "application/json", &a), STATUS_OK);
    ck_assert_uint_eq(a.len, 1);
    ck_assert_str_eq(a.items[0].name, "my-alert");
    ck_assert_ptr_null(a.items[0].severity);
    ck_assert_ptr_null(a.items[0].summary);
    ck_assert_uint_eq(a.items[0].annotations.len, 0);
    /* +02:00 offset: 18:27:12 UTC */
    ck_assert_int_eq(a.items[0].active_at % 86400, 18 * 3600 + 27 * 60 + 12);
    prom_alerts_done(&a);
    free(body);

    ck_assert_int_eq(prom_parse_alerts("404 page not found\n", 19, 404, "text/plain", &a),
                     STATUS_HTTP);
    ck_assert_uint_eq(a.len, 0);
}
END_TEST

START_TEST(targets_recorded)
{
    size_t len;
    char *body = fixture_read(FX("recorded-2.42/targets.json"), &len);
    struct prom_targets t;

    ck_assert_int_eq(prom_parse_targets(body, len, 200, "application/json", &t), STATUS_OK);
    ck_assert_uint_eq(t.len, 3);
    ck_assert_uint_eq(t.down, 1);
    ck_assert_str_eq(t.items[0].health, "up");
    ck_assert_str_eq(t.items[0].last_error, "");
    ck_assert_str_eq(t.items[0].scrape_url, "http://127.0.0.1:19100/metrics");
    ck_assert_str_eq(kv_get(&t.items[0].labels, "node"), "k3s-server-1");
    ck_assert_str_eq(t.items[1].health, "down");
    ck_assert_ptr_nonnull(strstr(t.items[1].last_error, "connection refused"));
    ck_assert_int_gt(t.items[1].last_scrape, 0);
    prom_targets_done(&t);
    free(body);

    body = fixture_read(FX("docs/targets.json"), &len);
    ck_assert_int_eq(prom_parse_targets(body, len, 200, "application/json", &t), STATUS_OK);
    ck_assert_uint_ge(t.len, 1);
    prom_targets_done(&t);
    free(body);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("prom");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, values_as_prometheus_formats_them);
    tcase_add_test(tc, timestamps_exact_milliseconds);
    tcase_add_test(tc, vector_recorded);
    tcase_add_test(tc, matrix_recorded_and_docs);
    tcase_add_test(tc, matrix_gaps_empty_series_warnings);
    tcase_add_test(tc, scalar_string_special_empty);
    tcase_add_test(tc, data_raw_is_the_data_object_as_sent);
    tcase_add_test(tc, error_envelopes_with_error_type);
    tcase_add_test(tc, plain_text_and_html_bodies);
    tcase_add_test(tc, alerts_recorded_and_docs);
    tcase_add_test(tc, targets_recorded);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(suite());
}
