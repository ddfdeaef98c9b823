/* SPDX-License-Identifier: MIT */
/* test-core.c - strbuf, vec, hmap, clock and evloop */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/hmap.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

START_TEST(test_strbuf)
{
    struct strbuf sb;

    strbuf_init(&sb);
    ck_assert_str_eq(strbuf_str(&sb), "");
    strbuf_puts(&sb, "hello");
    strbuf_printf(&sb, " %d", 42);
    strbuf_putc(&sb, '!');
    ck_assert_str_eq(strbuf_str(&sb), "hello 42!");
    strbuf_consume(&sb, 6);
    ck_assert_str_eq(strbuf_str(&sb), "42!");
    ck_assert_uint_eq(sb.len, 3);
    char *s = strbuf_detach(&sb);
    ck_assert_str_eq(s, "42!");
    ck_assert_ptr_null(sb.buf);
    free(s);
    strbuf_done(&sb);
}
END_TEST

START_TEST(test_strbuf_read_file)
{
    char path[] = "/tmp/opsdeck-test-core-XXXXXX";
    int fd = mkstemp(path);
    struct strbuf sb;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "hello\nworld\n", 12), 12);
    close(fd);
    strbuf_init(&sb);
    strbuf_puts(&sb, "> ");
    ck_assert_int_eq(strbuf_read_file(&sb, path, 0, true), STATUS_OK);
    ck_assert_str_eq(strbuf_str(&sb), "> hello\nworld\n");
    /* Too large: what the buffer had stays. */
    strbuf_reset(&sb);
    strbuf_puts(&sb, "keep");
    ck_assert_int_eq(strbuf_read_file(&sb, path, 5, true), STATUS_TOOLARGE);
    ck_assert_str_eq(strbuf_str(&sb), "keep");
    ck_assert_ptr_nonnull(strstr(status_text(), "larger than 5 bytes"));
    /* A NUL byte is not text. */
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_eq(write(fd, "a\0b", 3), 3);
    close(fd);
    ck_assert_int_eq(strbuf_read_file(&sb, path, 0, true), STATUS_IO);
    ck_assert_ptr_nonnull(strstr(status_text(), "not a text file"));
    ck_assert_int_eq(strbuf_read_file(&sb, path, 0, false), STATUS_OK);
    ck_assert_uint_eq(sb.len, 7);
    unlink(path);
    ck_assert_int_eq(strbuf_read_file(&sb, path, 0, true), STATUS_IO);
    ck_assert_ptr_nonnull(strstr(status_text(), path));
    strbuf_done(&sb);
}
END_TEST

START_TEST(test_vec)
{
    struct vec v;

    vec_init(&v, free);
    for (int i = 0; i < 100; i++)
        vec_push(&v, xasprintf("%03d", i));
    vec_insert(&v, 0, xstrdup("first"));
    ck_assert_uint_eq(v.len, 101);
    ck_assert_str_eq(vec_get(&v, 0), "first");
    ck_assert_str_eq(vec_get(&v, 1), "000");
    vec_remove(&v, 0);
    char *taken = vec_take(&v, 99);
    ck_assert_str_eq(taken, "099");
    free(taken);
    ck_assert_uint_eq(v.len, 99);
    vec_done(&v);

    const char *src[] = { "a", "b", NULL };
    char **dup = strv_dup(src);
    ck_assert_uint_eq(strv_len((const char *const *)dup), 2);
    ck_assert(strv_contains((const char *const *)dup, "b"));
    ck_assert(!strv_contains((const char *const *)dup, "c"));
    strv_free(dup);
}
END_TEST

START_TEST(test_hmap)
{
    struct hmap m;
    char key[32];
    int values[2000];

    hmap_init(&m);
    for (int i = 0; i < 2000; i++) {
        values[i] = i;
        snprintf(key, sizeof(key), "ns-%d/pod", i);
        ck_assert_ptr_null(hmap_put(&m, key, &values[i]));
    }
    ck_assert_uint_eq(m.len, 2000);
    for (int i = 0; i < 2000; i += 2) {
        snprintf(key, sizeof(key), "ns-%d/pod", i);
        ck_assert_ptr_eq(hmap_del(&m, key), &values[i]);
    }
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "ns-%d/pod", i);
        if (i % 2)
            ck_assert_ptr_eq(hmap_get(&m, key), &values[i]);
        else
            ck_assert_ptr_null(hmap_get(&m, key));
    }
    ck_assert_ptr_eq(hmap_getn(&m, "ns-1/podXYZ", 8), &values[1]);
    /* Reinsertion after deletion reuses tombstones. */
    for (int i = 0; i < 2000; i += 2) {
        snprintf(key, sizeof(key), "ns-%d/pod", i);
        hmap_put(&m, key, &values[i]);
    }
    size_t seen = 0;
    struct hmap_iter it;
    const char *k;
    void *v;
    hmap_iter_init(&it, &m);
    while (hmap_iter_next(&it, &k, &v))
        seen++;
    ck_assert_uint_eq(seen, 2000);
    hmap_done(&m);
}
END_TEST

START_TEST(test_human_duration)
{
    /* The table of k8s.io/apimachinery duration.HumanDuration. */
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {
        { -2, "<invalid>" }, { -1, "0s" }, { 0, "0s" }, { 119, "119s" }, { 120, "2m" },
        { 121, "2m1s" }, { 599, "9m59s" }, { 600, "10m" }, { 10799, "179m" },
        { 10800, "3h" }, { 10860, "3h1m" }, { 28799, "7h59m" }, { 28800, "8h" },
        { 172799, "47h" }, { 172800, "2d" }, { 176400, "2d1h" }, { 691199, "7d23h" },
        { 691200, "8d" }, { 63071999, "729d" }, { 63072000, "2y" }, { 63158400, "2y1d" },
        { 252288000, "8y" },
    };
    char buf[32];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        time_human_duration(cases[i].s, buf, sizeof(buf));
        ck_assert_msg(strcmp(buf, cases[i].want) == 0, "%lld: got %s want %s",
                      (long long)cases[i].s, buf, cases[i].want);
    }
    time_age(100, 0, buf, sizeof(buf));
    ck_assert_str_eq(buf, "<unknown>");
}
END_TEST

START_TEST(test_rfc3339)
{
    int64_t ns;

    ck_assert(time_parse_rfc3339("1970-01-01T00:00:00Z", &ns));
    ck_assert_int_eq(ns, 0);
    ck_assert(time_parse_rfc3339("2026-11-24T03:12:00Z", &ns));
    ck_assert_int_eq(ns / NS_PER_SEC, 1795489920);
    ck_assert(time_parse_rfc3339("2026-11-24T03:12:00.123456789Z", &ns));
    ck_assert_int_eq(ns % NS_PER_SEC, 123456789);
    ck_assert(time_parse_rfc3339("2018-03-05T17:30:20-08:00", &ns));
    ck_assert_int_eq(ns / NS_PER_SEC, 1520299820);
    ck_assert(!time_parse_rfc3339("2026-11-24 garbage", &ns));
    ck_assert(!time_parse_rfc3339("2026-13-24T03:12:00Z", &ns));
    ck_assert(!time_parse_rfc3339("2026-11-24T03:12:00", &ns));
    ck_assert(!time_parse_rfc3339(NULL, &ns));
    ck_assert(!time_parse_rfc3339("2263-01-01T00:00:00Z", &ns));
    ck_assert(!time_parse_rfc3339("1600-01-01T00:00:00Z", &ns));
    ck_assert(time_parse_rfc3339("2261-12-31T23:59:59Z", &ns));

    char buf[32];
    time_format_rfc3339(1795489920, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2026-11-24T03:12:00Z");
    /* The hand-made format agrees with gmtime_r and strftime: every day
     * from 1678 to 2262 (leap years, centuries, before 1970), at a time of
     * day that moves, and the edges of the range it covers. */
    {
        static const int64_t edges[] = { 0, -1, 86399, 86400, -86400, -86401, 951782400,
                                         253402300799, 253402300800, -62167219200,
                                         -62167219201 };
        char want[40];
        struct tm tm;
        time_t t;

        for (int64_t s = -9214560000; s < 9214560000; s += 86400 + 3607) {
            t = (time_t)s;
            gmtime_r(&t, &tm);
            strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
            time_format_rfc3339(s, buf, sizeof(buf));
            ck_assert_str_eq(buf, want);
        }
        for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
            t = (time_t)edges[i];
            gmtime_r(&t, &tm);
            strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
            time_format_rfc3339(edges[i], buf, sizeof(buf));
            ck_assert_str_eq(buf, want);
        }
    }

    int64_t sec;
    ck_assert(time_parse_http_date("Tue, 24 Nov 2026 03:12:00 GMT", &sec));
    ck_assert_int_eq(sec, 1795489920);
    ck_assert(!time_parse_http_date("yesterday", &sec));

    ck_assert(time_parse_duration("1h30m", &sec));
    ck_assert_int_eq(sec, 5400);
    ck_assert(time_parse_duration("15", &sec));
    ck_assert_int_eq(sec, 15);
    ck_assert(!time_parse_duration("5x", &sec));
}
END_TEST

START_TEST(test_clock_injected)
{
    clock_set_fixed_ns(INT64_C(1795489920) * NS_PER_SEC);
    ck_assert(clock_is_injected());
    ck_assert_int_eq(clock_now(), 1795489920);
    clock_set_fixed_ns(0);
}
END_TEST

struct evcount {
    int fired;
    int fd_ready;
    struct ev_timer *self;
    struct ev_watch *watch;
};

static void
on_timer(void *arg)
{
    struct evcount *c = arg;

    c->fired++;
    if (c->fired < 3)
        ev_timer_arm(c->self, 0);
}

static void
on_fd(void *arg, int fd, short revents)
{
    struct evcount *c = arg;
    char b[8];

    if (revents & POLLIN) {
        ck_assert_int_gt(read(fd, b, sizeof(b)), 0);
        c->fd_ready++;
        ev_watch_free(c->watch);     /* freeing oneself inside dispatch is allowed */
        c->watch = NULL;
    }
}

START_TEST(test_evloop)
{
    struct evloop *loop = evloop_new();
    struct evcount c = { 0 };
    struct pollfd fds[8];
    int pipefd[2], timeout;

    ck_assert_int_eq(pipe(pipefd), 0);
    c.self = ev_timer_new(loop, on_timer, &c);
    c.watch = ev_watch_new(loop, pipefd[0], POLLIN, on_fd, &c);
    ck_assert_uint_eq(evloop_prepare(loop, fds, 8, &timeout), 1);
    ck_assert_int_eq(timeout, -1);
    ev_timer_arm(c.self, 0);
    ck_assert_int_eq(write(pipefd[1], "x", 1), 1);
    for (int pass = 0; pass < 10 && c.fired < 3; pass++) {
        size_t n = evloop_prepare(loop, fds, 8, &timeout);
        ck_assert_int_ge(poll(fds, n, timeout), 0);
        evloop_dispatch(loop, fds, n);
    }
    ck_assert_int_eq(c.fired, 3);
    ck_assert_int_eq(c.fd_ready, 1);
    ck_assert_uint_eq(evloop_watch_count(loop), 0);
    ev_timer_free(c.self);
    close(pipefd[0]);
    close(pipefd[1]);
    evloop_free(loop);
}
END_TEST

START_TEST(test_status)
{
    status_clear();
    ck_assert_str_eq(status_text(), "");
    ck_assert_int_eq(status_fail(STATUS_CONFIG, "%s:%d: unknown key %s", "p.yml", 3, "x"),
                     STATUS_CONFIG);
    ck_assert_str_eq(status_text(), "p.yml:3: unknown key x");
    ck_assert_str_eq(status_message(STATUS_JSON), "Malformed reply");
}
END_TEST

static Suite *
core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_strbuf);
    tcase_add_test(tc, test_strbuf_read_file);
    tcase_add_test(tc, test_vec);
    tcase_add_test(tc, test_hmap);
    tcase_add_test(tc, test_human_duration);
    tcase_add_test(tc, test_rfc3339);
    tcase_add_test(tc, test_clock_injected);
    tcase_add_test(tc, test_evloop);
    tcase_add_test(tc, test_status);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(core_suite());
}
