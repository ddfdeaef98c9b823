/* SPDX-License-Identifier: MIT */
/* test-logsearch.c - search and filter over log lines: plain, case, regex, errors, the index */
#include "config.h"

#include "opsdeck/logsearch.h"

#include <stdio.h>

#include "opsdeck/logring.h"
#include "opsdeck/status.h"
#include "testlib.h"

static struct logsearch *
must(const char *pat, enum logsearch_kind kind, enum logsearch_case cs)
{
    struct logsearch *s = NULL;

    ck_assert_msg(logsearch_compile(pat, kind, cs, &s) == STATUS_OK, "%s: %s", pat,
                  status_text());
    return s;
}

static bool
m(struct logsearch *s, const char *line)
{
    return logsearch_match(s, line, strlen(line));
}

START_TEST(plain_case_sensitive)
{
    struct logsearch *s = must("Timeout", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART);

    ck_assert(!logsearch_is_regex(s));
    ck_assert(m(s, "upstream Timeout after 30s"));
    ck_assert(!m(s, "upstream timeout after 30s"));
    ck_assert(!m(s, "Timeou"));
    ck_assert(m(s, "Timeout"));
    logsearch_free(s);
}
END_TEST

START_TEST(plain_case_insensitive)
{
    struct logsearch *s = must("timeout", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART);
    struct logsearch *f = must("TimeOut", LOGSEARCH_PLAIN, LOGSEARCH_CASE_INSENSITIVE);
    struct logsearch *x = must("timeout", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SENSITIVE);
    size_t a, b;

    ck_assert(m(s, "upstream TIMEOUT"));
    ck_assert(m(s, "TiMeOuT"));
    ck_assert(m(f, "a timeout"));
    ck_assert(!m(x, "a TIMEOUT"));
    ck_assert(m(x, "a timeout"));
    /* candidates in both cases, near misses first */
    ck_assert(m(s, "tTitimTIMEOUTx"));
    ck_assert(logsearch_find(s, "tTitimTIMEOUTx", 14, 0, &a, &b));
    ck_assert_uint_eq(a, 6);
    ck_assert_uint_eq(b, 13);
    ck_assert(!m(s, "timeou"));
    ck_assert(!m(s, ""));
    logsearch_free(s);
    logsearch_free(f);
    logsearch_free(x);
}
END_TEST

START_TEST(plain_bytes_with_nul)
{
    struct logsearch *s = must("needle", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART);
    static const char line[] = "a\0b\xff needle";

    ck_assert(logsearch_match(s, line, sizeof(line) - 1));
    ck_assert(!logsearch_match(s, line, 4));
    logsearch_free(s);
}
END_TEST

START_TEST(find_steps_through_matches)
{
    struct logsearch *s = must("ab", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART);
    struct logsearch *r = must("a+b", LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART);
    const char *line = "xxabyyABzzaab";
    size_t len = strlen(line), from = 0, a, b, n = 0;
    size_t want[][2] = {{2, 4}, {6, 8}, {11, 13}};

    while (logsearch_find(s, line, len, from, &a, &b)) {
        ck_assert_uint_lt(n, 3);
        ck_assert_uint_eq(a, want[n][0]);
        ck_assert_uint_eq(b, want[n][1]);
        n++;
        from = b > a ? b : a + 1;
    }
    ck_assert_uint_eq(n, 3);
    ck_assert(logsearch_is_regex(r));
    ck_assert(logsearch_find(r, line, len, 9, &a, &b));
    ck_assert_uint_eq(a, 10);
    ck_assert_uint_eq(b, 13);
    ck_assert(!logsearch_find(r, line, len, len + 1, &a, &b));
    logsearch_free(s);
    logsearch_free(r);
}
END_TEST

START_TEST(regex_matches)
{
    struct logsearch *s = must("status=(5\\d\\d|429)", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART);
    struct logsearch *a = must("^level=err", LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART);
    struct logsearch *u = must("caf. n", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART);

    ck_assert(m(s, "GET / status=503 dur=1s"));
    ck_assert(m(s, "status=429"));
    ck_assert(!m(s, "status=200"));
    ck_assert(m(a, "LEVEL=ERROR boom"));
    ck_assert(!m(a, "x level=error"));
    /* UTF-8: the dot is one character; invalid bytes do not derail it */
    ck_assert(m(u, "un caf\xc3\xa9 noir"));
    ck_assert(m(u, "\xff\xfe caf\xc3\xa9 n"));
    ck_assert(!m(u, "caf\xc3 n"));
    logsearch_free(s);
    logsearch_free(a);
    logsearch_free(u);
}
END_TEST

START_TEST(auto_picks_plain_without_meta)
{
    struct logsearch *s = must("connection refused", LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART);
    struct logsearch *r = must("10.0.0.1", LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART);

    ck_assert(!logsearch_is_regex(s));
    ck_assert_str_eq(logsearch_pattern(s), "connection refused");
    ck_assert(logsearch_is_regex(r));
    logsearch_free(s);
    logsearch_free(r);
}
END_TEST

START_TEST(invalid_regex_is_a_clear_error)
{
    struct logsearch *s = (struct logsearch *)1;

    ck_assert_int_eq(logsearch_compile("status=(5", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART, &s),
                     STATUS_INVALID);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(status_text(), "search: offset 9") &&
                      strstr(status_text(), "missing closing parenthesis"),
                  "%s", status_text());
    ck_assert_int_eq(logsearch_compile("", LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART, &s),
                     STATUS_INVALID);
    ck_assert_int_eq(logsearch_compile("a{2,1}", LOGSEARCH_AUTO, LOGSEARCH_CASE_SMART, &s),
                     STATUS_INVALID);
}
END_TEST

START_TEST(catastrophic_regex_is_bounded)
{
    struct logsearch *s = must("(a+)+$", LOGSEARCH_REGEX, LOGSEARCH_CASE_SMART);
    char line[64];

    memset(line, 'a', sizeof(line));
    line[sizeof(line) - 1] = 'b';
    /* the match limit stops it: no match, promptly */
    ck_assert(!logsearch_match(s, line, sizeof(line)));
    logsearch_free(s);
}
END_TEST

/* Fills a ring with lines "line i" and every 10th "ERROR i". */
static void
fill(struct logring *r, int64_t from, int64_t to, bool top)
{
    char buf[32];

    if (top) {
        for (int64_t i = to - 1; i >= from; i--) {
            snprintf(buf, sizeof(buf), i % 10 == 0 ? "ERROR %lld" : "line %lld", (long long)i);
            logring_prepend(r, i, 0, buf, strlen(buf));
        }
        return;
    }
    for (int64_t i = from; i < to; i++) {
        snprintf(buf, sizeof(buf), i % 10 == 0 ? "ERROR %lld" : "line %lld", (long long)i);
        logring_append(r, i, 0, buf, strlen(buf));
    }
}

static void
assert_index_exact(struct logsearch_index *ix, const struct logring *r)
{
    size_t n = 0;
    struct logring_entry e;

    for (int64_t q = logring_first(r); q < logring_end(r); q++) {
        ck_assert(logring_get(r, q, &e));
        if (strncmp(e.line, "ERROR", 5) != 0)
            continue;
        ck_assert_uint_lt(n, logsearch_index_len(ix));
        ck_assert_int_eq(logsearch_index_at(ix, n), q);
        n++;
    }
    ck_assert_uint_eq(n, logsearch_index_len(ix));
}

START_TEST(index_is_incremental)
{
    struct logring_opts o = {.max_lines = 1000};
    struct logring *r = logring_new(&o);
    struct logsearch *s = must("error", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART);
    struct logsearch_index *ix = logsearch_index_new(s);
    int64_t q;

    fill(r, 1000, 1500, false);
    ck_assert_uint_eq(logsearch_index_update(ix, r), 500);
    ck_assert_uint_eq(logsearch_index_len(ix), 50);
    assert_index_exact(ix, r);
    /* follow: only the new lines are checked */
    fill(r, 1500, 1520, false);
    ck_assert_uint_eq(logsearch_index_update(ix, r), 20);
    ck_assert_uint_eq(logsearch_index_len(ix), 52);
    /* nothing new: nothing checked */
    ck_assert_uint_eq(logsearch_index_update(ix, r), 0);
    /* scroll back: an older page on top, the ring drops newer ones */
    fill(r, 500, 1000, true);
    ck_assert_uint_eq(logsearch_index_update(ix, r), 500);
    assert_index_exact(ix, r);
    /* follow again past the bound: old matches are forgotten */
    fill(r, 1520, 3000, false);
    logsearch_index_update(ix, r);
    assert_index_exact(ix, r);
    ck_assert_uint_eq(logsearch_index_len(ix), 100);
    /* n / N */
    q = logsearch_index_at(ix, 0);
    ck_assert(logsearch_index_step(ix, q, true, &q));
    ck_assert_int_eq(q, logsearch_index_at(ix, 1));
    ck_assert(logsearch_index_step(ix, q, false, &q));
    ck_assert_int_eq(q, logsearch_index_at(ix, 0));
    ck_assert(!logsearch_index_step(ix, q, false, &q));
    ck_assert(!logsearch_index_step(ix, logsearch_index_at(ix, 99), true, &q));
    /* a cleared ring starts the index over */
    logring_clear(r);
    fill(r, 0, 35, false);
    ck_assert_uint_eq(logsearch_index_update(ix, r), 35);
    ck_assert_uint_eq(logsearch_index_len(ix), 4);
    assert_index_exact(ix, r);
    logsearch_index_free(ix);
    logsearch_free(s);
    logring_free(r);
}
END_TEST

START_TEST(index_many_prepends)
{
    struct logring *r = logring_new(NULL);
    struct logsearch *s = must("ERROR", LOGSEARCH_PLAIN, LOGSEARCH_CASE_SMART);
    struct logsearch_index *ix = logsearch_index_new(s);

    fill(r, 100000, 100100, false);
    logsearch_index_update(ix, r);
    /* the operator keeps scrolling back, page after page */
    for (int64_t p = 100000; p > 0; p -= 1000) {
        fill(r, p - 1000, p, true);
        ck_assert_uint_eq(logsearch_index_update(ix, r), 1000);
    }
    ck_assert_uint_eq(logsearch_index_len(ix), 10010);
    assert_index_exact(ix, r);
    logsearch_index_free(ix);
    logsearch_free(s);
    logring_free(r);
}
END_TEST

static Suite *
logsearch_suite(void)
{
    Suite *s = suite_create("logsearch");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, plain_case_sensitive);
    tcase_add_test(tc, plain_case_insensitive);
    tcase_add_test(tc, plain_bytes_with_nul);
    tcase_add_test(tc, find_steps_through_matches);
    tcase_add_test(tc, regex_matches);
    tcase_add_test(tc, auto_picks_plain_without_meta);
    tcase_add_test(tc, invalid_regex_is_a_clear_error);
    tcase_add_test(tc, catastrophic_regex_is_bounded);
    tcase_add_test(tc, index_is_incremental);
    tcase_add_test(tc, index_many_prepends);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(logsearch_suite());
}
