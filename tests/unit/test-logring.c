/* SPDX-License-Identifier: MIT */
/* test-logring.c - the log ring: append, prepend, byte and line bounds, eviction, streams */
#include "config.h"

#include "opsdeck/logring.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/logline.h"
#include "opsdeck/status.h"
#include "testlib.h"

static int64_t
put(struct logring *r, bool top, int64_t ts, uint32_t stream, const char *line)
{
    if (top)
        return logring_prepend(r, ts, stream, line, strlen(line));
    return logring_append(r, ts, stream, line, strlen(line));
}

static const char *
line_at(const struct logring *r, int64_t seq)
{
    struct logring_entry e;

    return logring_get(r, seq, &e) ? e.line : NULL;
}

START_TEST(append_and_get)
{
    struct logring *r = logring_new(NULL);
    uint32_t s = logring_stream(r, "{app=\"api\"}");
    struct logring_entry e;

    ck_assert_int_eq(logring_len(r), 0);
    ck_assert_int_eq(logring_first(r), logring_end(r));
    ck_assert_int_eq(put(r, false, 100, s, "one"), 0);
    ck_assert_int_eq(put(r, false, 200, s, "two"), 1);
    ck_assert_int_eq(logring_len(r), 2);
    ck_assert(logring_get(r, 1, &e));
    ck_assert_int_eq(e.ts_ns, 200);
    ck_assert_uint_eq(e.stream, s);
    ck_assert_str_eq(e.line, "two");
    ck_assert_uint_eq(e.len, 3);
    ck_assert(!logring_get(r, 2, &e));
    ck_assert(!logring_get(r, -1, &e));
    logring_free(r);
}
END_TEST

START_TEST(prepend_keeps_order)
{
    struct logring *r = logring_new(NULL);
    char buf[32];

    /* a page of older lines arrives newest first */
    put(r, false, 1000, 0, "now");
    for (int i = 9; i >= 0; i--) {
        snprintf(buf, sizeof(buf), "old %d", i);
        ck_assert_int_eq(put(r, true, i, 0, buf), -(10 - i));
    }
    ck_assert_int_eq(logring_first(r), -10);
    ck_assert_int_eq(logring_end(r), 1);
    ck_assert_str_eq(line_at(r, -10), "old 0");
    ck_assert_str_eq(line_at(r, -1), "old 9");
    ck_assert_str_eq(line_at(r, 0), "now");
    /* timestamps ascend along the sequence numbers */
    for (int64_t q = logring_first(r) + 1; q < logring_end(r); q++) {
        struct logring_entry a, b;

        ck_assert(logring_get(r, q - 1, &a) && logring_get(r, q, &b));
        ck_assert_int_lt(a.ts_ns, b.ts_ns);
    }
    logring_free(r);
}
END_TEST

START_TEST(line_bound_evicts_other_end)
{
    struct logring_opts o = {.max_lines = 100};
    struct logring *r = logring_new(&o);
    char buf[32];

    for (int i = 0; i < 1000; i++) {
        snprintf(buf, sizeof(buf), "line %d", i);
        put(r, false, i, 0, buf);
    }
    ck_assert_int_eq(logring_len(r), 100);
    ck_assert_int_eq(logring_first(r), 900);
    ck_assert_str_eq(line_at(r, 900), "line 900");
    ck_assert_str_eq(line_at(r, 999), "line 999");
    ck_assert_ptr_null(line_at(r, 899));
    ck_assert_uint_eq(logring_dropped_top(r), 900);
    ck_assert_uint_eq(logring_dropped_bottom(r), 0);
    /* scrolling back: prepending drops the newest */
    for (int i = 0; i < 30; i++)
        put(r, true, -i, 0, "older");
    ck_assert_int_eq(logring_len(r), 100);
    ck_assert_int_eq(logring_first(r), 870);
    ck_assert_int_eq(logring_end(r), 970);
    ck_assert_uint_eq(logring_dropped_bottom(r), 30);
    ck_assert_str_eq(line_at(r, 969), "line 969");
    ck_assert_ptr_null(line_at(r, 970));
    logring_free(r);
}
END_TEST

START_TEST(byte_bound_holds)
{
    struct logring_opts o = {.max_bytes = 64 * 1024};
    struct logring *r = logring_new(&o);
    char line[200];

    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    for (int i = 0; i < 100000; i++) {
        put(r, (i / 5000) % 2 == 1, i, 0, line);
        ck_assert_uint_le(logring_bytes(r), o.max_bytes);
    }
    /* no fixed line cap: the budget decides, and it is used */
    ck_assert_uint_gt(logring_len(r), 200);
    ck_assert_uint_le(logring_len(r), o.max_bytes / 199);
    ck_assert_uint_eq(logring_len(r),
                      (size_t)(logring_end(r) - logring_first(r)));
    logring_free(r);
}
END_TEST

START_TEST(one_huge_line_stays)
{
    struct logring_opts o = {.max_bytes = 4096};
    struct logring *r = logring_new(&o);
    size_t n = 1 << 20;
    char *big = malloc(n);
    struct logring_entry e;

    memset(big, 'y', n);
    put(r, false, 1, 0, "small");
    logring_append(r, 2, 0, big, n);
    /* over budget on its own, the newest line is kept and the rest go */
    ck_assert_int_eq(logring_len(r), 1);
    ck_assert(logring_get(r, 1, &e));
    ck_assert_uint_eq(e.len, n);
    put(r, false, 3, 0, "after");
    ck_assert_int_eq(logring_len(r), 1);
    ck_assert_str_eq(line_at(r, 2), "after");
    ck_assert_uint_le(logring_bytes(r), o.max_bytes);
    free(big);
    logring_free(r);
}
END_TEST

START_TEST(any_bytes)
{
    struct logring *r = logring_new(NULL);
    static const char raw[] = "a\0b\x1b[2J\xff\xfe";
    struct logring_entry e;

    logring_append(r, 1, 0, raw, sizeof(raw) - 1);
    ck_assert(logring_get(r, 0, &e));
    ck_assert_uint_eq(e.len, sizeof(raw) - 1);
    ck_assert_mem_eq(e.line, raw, sizeof(raw) - 1);
    ck_assert_int_eq(e.line[e.len], '\0');
    logring_free(r);
}
END_TEST

START_TEST(clear_bumps_generation)
{
    struct logring *r = logring_new(NULL);
    uint32_t s = logring_stream(r, "{a=\"1\"}");
    uint64_t g = logring_generation(r);

    put(r, false, 1, s, "x");
    put(r, true, 0, s, "y");
    logring_clear(r);
    ck_assert_uint_ne(logring_generation(r), g);
    ck_assert_int_eq(logring_len(r), 0);
    ck_assert_uint_eq(logring_bytes(r), 0);
    ck_assert_uint_eq(logring_dropped_top(r), 0);
    /* streams survive a clear */
    ck_assert_uint_eq(logring_stream(r, "{a=\"1\"}"), s);
    ck_assert_int_eq(put(r, false, 2, s, "z"), 0);
    logring_free(r);
}
END_TEST

START_TEST(streams_interned_with_stable_colours)
{
    struct logring *r = logring_new(NULL);
    struct logring *r2 = logring_new(NULL);
    uint32_t a = logring_stream(r, "{pod=\"a\"}");
    uint32_t b = logring_stream(r, "{pod=\"b\"}");
    bool seen[LOGRING_COLOURS] = {false};
    char buf[32];

    ck_assert_uint_ne(a, b);
    ck_assert_uint_eq(logring_stream(r, "{pod=\"a\"}"), a);
    ck_assert_str_eq(logring_stream_labels(r, b), "{pod=\"b\"}");
    ck_assert_str_eq(logring_stream_labels(r, 999), "");
    ck_assert_uint_eq(logring_stream_count(r), 2);
    /* the same labels first in another ring: the same colour */
    ck_assert_uint_eq(logring_stream_colour(r2, logring_stream(r2, "{pod=\"a\"}")),
                      logring_stream_colour(r, a));
    /* the first LOGRING_COLOURS streams all differ */
    for (int i = 0; i < LOGRING_COLOURS; i++) {
        unsigned c;

        snprintf(buf, sizeof(buf), "{n=\"%d\"}", i);
        c = logring_stream_colour(r2, logring_stream(r2, buf));
        ck_assert_uint_lt(c, LOGRING_COLOURS);
        if (i < LOGRING_COLOURS - 1)
            ck_assert_msg(!seen[c], "colour %u reused at stream %d", c, i);
        seen[c] = true;
    }
    /* a stream past them still gets a valid colour */
    ck_assert_uint_lt(logring_stream_colour(r2, logring_stream(r2, "{late=\"1\"}")),
                      LOGRING_COLOURS);
    logring_free(r);
    logring_free(r2);
}
END_TEST

START_TEST(parse_info_cached)
{
    struct logring *r = logring_new(NULL);
    struct logring_entry e;

    put(r, false, 1, 0, "{\"level\":\"error\",\"msg\":\"boom\"}");
    put(r, false, 2, 0, "level=warn msg=\"disk 91%\"");
    put(r, false, 3, 0, "plain text line");
    ck_assert(logring_get(r, 0, &e));
    ck_assert_int_eq(e.format, LOGLINE_JSON);
    ck_assert_int_eq(e.level, LOGLINE_LEVEL_ERROR);
    ck_assert(logring_get(r, 1, &e));
    ck_assert_int_eq(e.format, LOGLINE_LOGFMT);
    ck_assert_int_eq(e.level, LOGLINE_LEVEL_WARN);
    ck_assert(logring_get(r, 2, &e));
    ck_assert_int_eq(e.format, LOGLINE_PLAIN);
    ck_assert_int_eq(e.level, LOGLINE_LEVEL_NONE);
    logring_free(r);
}
END_TEST

START_TEST(save_writes_raw_lines)
{
    struct logring *r = logring_new(NULL);
    char path[] = "/tmp/test-logring-XXXXXX";
    char file[64], buf[256];
    int64_t only[] = {1};
    size_t n = 0, got;
    FILE *f;
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(file, sizeof(file), "%s/out.log", path);
    logring_append(r, 1795489918123456789LL, 0, "first \x1b[31m", 11);
    logring_append(r, 1795489919000000000LL, 0, "a\0b", 3);
    ck_assert_int_eq(logring_save(r, file, NULL, 0, &n), STATUS_OK);
    ck_assert_uint_eq(n, 2);
    f = fopen(file, "rb");
    got = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    ck_assert_uint_eq(got, 31 + 11 + 1 + 31 + 3 + 1);
    ck_assert_mem_eq(buf, "2026-11-24T03:11:58.123456789Z first \x1b[31m\n", 43);
    ck_assert_mem_eq(buf + 43, "2026-11-24T03:11:59.000000000Z a\0b\n", 35);
    /* only the given entries (a filter's) */
    ck_assert_int_eq(logring_save(r, file, only, 1, &n), STATUS_OK);
    ck_assert_uint_eq(n, 1);
    /* a directory that is not there: a clear error, nothing left behind */
    snprintf(buf, sizeof(buf), "%s/no/such/dir.log", path);
    ck_assert_int_eq(logring_save(r, buf, NULL, 0, &n), STATUS_IO);
    ck_assert_ptr_nonnull(strstr(status_text(), "No such file or directory"));
    unlink(file);
    ck_assert_int_eq(rmdir(path), 0);
    logring_free(r);
}
END_TEST

static Suite *
logring_suite(void)
{
    Suite *s = suite_create("logring");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, append_and_get);
    tcase_add_test(tc, prepend_keeps_order);
    tcase_add_test(tc, line_bound_evicts_other_end);
    tcase_add_test(tc, byte_bound_holds);
    tcase_add_test(tc, one_huge_line_stays);
    tcase_add_test(tc, any_bytes);
    tcase_add_test(tc, clear_bumps_generation);
    tcase_add_test(tc, streams_interned_with_stable_colours);
    tcase_add_test(tc, parse_info_cached);
    tcase_add_test(tc, save_writes_raw_lines);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(logring_suite());
}
