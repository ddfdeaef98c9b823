/* SPDX-License-Identifier: MIT */
/* test-linebuf.c - watch-stream framing at every byte boundary of a real chunked stream */
#include "config.h"

#include "opsdeck/kube.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* The client-go golden watch transcript is a raw HTTP/1.1 response with
 * chunked encoding; its NDJSON body is what a watch client receives. */
static char *
golden_ndjson(size_t *len)
{
    size_t raw_len;
    char *raw = fixture_read("net/client-go-golden__responses__events", &raw_len);
    const char *p = strstr(raw, "\r\n\r\n"), *end = raw + raw_len;
    struct strbuf out = { 0 };

    ck_assert_ptr_nonnull(p);
    p += 4;
    for (;;) {
        char *eol;
        unsigned long n = strtoul(p, &eol, 16);

        ck_assert(eol[0] == '\r' && eol[1] == '\n');
        p = eol + 2;
        if (n == 0)
            break;
        ck_assert(p + n + 2 <= end);
        strbuf_append(&out, p, n);
        p += n + 2;
    }
    free(raw);
    *len = out.len;
    return strbuf_detach(&out);
}

struct lines {
    struct strbuf all;      /* every line, each followed by '\n' */
    int count;
    int stop_at;            /* return false at this line (1-based; 0 never) */
};

static bool
collect(void *arg, const char *line, size_t len)
{
    struct lines *l = arg;

    /* Hot loops avoid ck_assert: Check records every assertion it passes. */
    if (memchr(line, '\n', len))
        ck_abort_msg("a line holds a newline");
    strbuf_append(&l->all, line, len);
    strbuf_putc(&l->all, '\n');
    l->count++;
    return l->count != l->stop_at;
}

/* Feeds data cut at the given offsets (ascending, within len). */
static void
feed_cut(const char *data, size_t len, const size_t *cuts, size_t ncuts, struct lines *l,
         size_t max)
{
    struct linebuf lb;
    size_t at = 0;

    linebuf_init(&lb, max);
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;

        if (linebuf_feed(&lb, data + at, to - at, collect, l) != STATUS_OK)
            ck_abort_msg("feed failed at %zu: %s", at, status_text());
        at = to;
    }
    linebuf_done(&lb);
}

START_TEST(test_golden_every_boundary)
{
    size_t len;
    char *ndjson = golden_ndjson(&len);

    /* Two events, each ending in '\n'. */
    ck_assert_uint_gt(len, 300);
    ck_assert(ndjson[len - 1] == '\n');
    for (size_t a = 0; a <= len; a++) {
        struct lines l = { 0 };
        size_t cut[1] = { a };

        feed_cut(ndjson, len, cut, 1, &l, 1 << 20);
        ck_assert_int_eq(l.count, 2);
        ck_assert_uint_eq(l.all.len, len);
        ck_assert(memcmp(l.all.buf, ndjson, len) == 0);
        strbuf_done(&l.all);
    }
    /* Every pair of cuts, too: a line may start, continue and end in three runs. */
    for (size_t a = 0; a <= len; a += 1) {
        for (size_t b = a; b <= len; b++) {
            struct lines l = { 0 };
            size_t cut[2] = { a, b };

            feed_cut(ndjson, len, cut, 2, &l, 1 << 20);
            if (l.count != 2 || memcmp(l.all.buf, ndjson, len) != 0)
                ck_abort_msg("cuts at %zu and %zu: wrong lines", a, b);
            strbuf_done(&l.all);
        }
    }
    ck_assert_ptr_nonnull(strstr(ndjson, "{\"type\":\"BOOKMARK\""));
    free(ndjson);
}
END_TEST

START_TEST(test_byte_at_a_time)
{
    size_t len;
    char *ndjson = golden_ndjson(&len);
    struct linebuf lb;
    struct lines l = { 0 };

    linebuf_init(&lb, 4096);
    for (size_t i = 0; i < len; i++)
        if (linebuf_feed(&lb, ndjson + i, 1, collect, &l) != STATUS_OK)
            ck_abort_msg("feed failed at %zu", i);
    ck_assert_int_eq(l.count, 2);
    ck_assert(memcmp(l.all.buf, ndjson, len) == 0);
    linebuf_done(&lb);
    strbuf_done(&l.all);
    free(ndjson);
}
END_TEST

/* xorshift: reproducible random chunkings. */
static uint32_t
rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

START_TEST(test_random_chunkings)
{
    size_t len;
    char *ndjson = golden_ndjson(&len);
    struct strbuf stream = { 0 };
    uint32_t seed = 0x9e3779b9u;
    int expect = 0;
    size_t *cuts;

    /* A longer stream: the golden events repeated, with empty lines and a
     * 100 kB line in between. */
    for (int i = 0; i < 50; i++) {
        strbuf_append(&stream, ndjson, len);
        expect += 2;
        if (i % 10 == 3) {
            strbuf_putc(&stream, '\n');
            expect++;
        }
        if (i == 25) {
            for (int k = 0; k < 100000; k++)
                strbuf_putc(&stream, (char)('a' + k % 26));
            strbuf_putc(&stream, '\n');
            expect++;
        }
    }
    cuts = xcalloc(stream.len, sizeof(*cuts));
    for (int round = 0; round < 300; round++) {
        struct lines l = { 0 };
        size_t n = 0, at = 0;
        uint32_t span = 1 + rnd(&seed) % (round < 100 ? 16 : round < 200 ? 700 : 40000);

        for (;;) {
            at += 1 + rnd(&seed) % span;
            if (at >= stream.len)
                break;
            cuts[n++] = at;
        }
        feed_cut(stream.buf, stream.len, cuts, n, &l, 1 << 20);
        ck_assert_int_eq(l.count, expect);
        ck_assert_uint_eq(l.all.len, stream.len);
        ck_assert(memcmp(l.all.buf, stream.buf, stream.len) == 0);
        strbuf_done(&l.all);
    }
    free(cuts);
    strbuf_done(&stream);
    free(ndjson);
}
END_TEST

START_TEST(test_too_long)
{
    struct linebuf lb;
    struct lines l = { 0 };
    char big[300];

    memset(big, 'x', sizeof(big));
    /* At the limit is fine, one byte over fails, in one run or several. */
    linebuf_init(&lb, 100);
    ck_assert_int_eq(linebuf_feed(&lb, big, 100, collect, &l), STATUS_OK);
    ck_assert_int_eq(linebuf_feed(&lb, "\n", 1, collect, &l), STATUS_OK);
    ck_assert_int_eq(l.count, 1);
    ck_assert_int_eq(linebuf_feed(&lb, big, 60, collect, &l), STATUS_OK);
    ck_assert_int_eq(linebuf_feed(&lb, big, 41, collect, &l), STATUS_TOOLARGE);
    ck_assert_ptr_nonnull(strstr(status_text(), "longer than 100 bytes"));
    linebuf_done(&lb);

    linebuf_init(&lb, 100);
    ck_assert_int_eq(linebuf_feed(&lb, big, 101, collect, &l), STATUS_TOOLARGE);
    linebuf_done(&lb);
    /* Complete lines over the limit inside one run fail too, never buffered. */
    linebuf_init(&lb, 100);
    big[150] = '\n';
    ck_assert_int_eq(linebuf_feed(&lb, big, 200, collect, &l), STATUS_TOOLARGE);
    ck_assert_uint_eq(lb.buf.len, 0);
    linebuf_done(&lb);
    strbuf_done(&l.all);
}
END_TEST

START_TEST(test_stop)
{
    struct linebuf lb;
    struct lines l = { .stop_at = 2 };

    linebuf_init(&lb, 100);
    ck_assert_int_eq(linebuf_feed(&lb, "a\nb\nc\nd", 7, collect, &l), STATUS_OK);
    ck_assert_int_eq(l.count, 2);
    ck_assert_str_eq(strbuf_str(&l.all), "a\nb\n");
    linebuf_done(&lb);
    strbuf_done(&l.all);
}
END_TEST

static Suite *
linebuf_suite(void)
{
    Suite *s = suite_create("linebuf");
    TCase *tc = tcase_create("linebuf");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_golden_every_boundary);
    tcase_add_test(tc, test_byte_at_a_time);
    tcase_add_test(tc, test_random_chunkings);
    tcase_add_test(tc, test_too_long);
    tcase_add_test(tc, test_stop);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(linebuf_suite());
}
