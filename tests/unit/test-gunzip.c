/* SPDX-License-Identifier: MIT */
/* test-gunzip.c - whole-buffer inflate (sizes, members, caps, damage) and the early peek */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/gunzip.h"
#include "opsdeck/strbuf.h"

#include "gziplib.h"
#include "testlib.h"

/* A JSON-ish text of n bytes that compresses like a list page. */
static char *
sample(size_t n)
{
    char *s = malloc(n + 1);
    size_t i = 0;
    unsigned k = 0;

    ck_assert_ptr_nonnull(s);
    while (i < n) {
        int w = snprintf(s + i, n + 1 - i, "{\"name\":\"pod-%u\",\"ready\":%u},", k, k % 3);

        i += (size_t)w < n + 1 - i ? (size_t)w : n - i;
        k++;
    }
    s[n] = '\0';
    return s;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

START_TEST(test_whole_roundtrip)
{
    static const size_t sizes[] = { 0, 1, 100, 65536, 65537, 3 << 20 };
    struct gunzip *g = gunzip_new();
    char *buf = NULL;
    size_t cap = 0;

    ck_assert_ptr_nonnull(g);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *text = sample(sizes[i]);
        size_t zlen, got = 99;
        unsigned char *z = gzip_member(text, sizes[i], &zlen);

        /* The buffer is reused from one body to the next. */
        ck_assert_int_eq(gunzip_whole(g, z, zlen, 64 << 20, &buf, &cap, &got), STATUS_OK);
        ck_assert_uint_eq(got, sizes[i]);
        ck_assert_mem_eq(buf, text, sizes[i]);
        ck_assert_int_eq(buf[got], '\0');
        free(z);
        free(text);
    }
    free(buf);
    gunzip_free(g);
}
END_TEST

/* Two members back to back read as their concatenation (the sizes the
 * trailers declare only guide the first allocation); a trailer whose size
 * does not match the data is damage. */
START_TEST(test_members_and_lying_trailer)
{
    char *a = sample(200000), *b = sample(5000), *both, *out = NULL;
    size_t alen, blen, n;
    unsigned char *za = gzip_member(a, 200000, &alen), *zb = gzip_member(b, 5000, &blen);
    unsigned char *cat = malloc(alen + blen);

    memcpy(cat, za, alen);
    memcpy(cat + alen, zb, blen);
    ck_assert_int_eq(gunzip_dup(cat, alen + blen, 1 << 20, &out, &n), STATUS_OK);
    ck_assert_uint_eq(n, 205000);
    both = malloc(205000);
    memcpy(both, a, 200000);
    memcpy(both + 200000, b, 5000);
    ck_assert_mem_eq(out, both, 205000);
    free(out);

    put_le32(za + alen - 4, 10); /* ISIZE says 10 bytes */
    ck_assert_int_eq(gunzip_dup(za, alen, 1 << 20, &out, &n), STATUS_CORRUPT);
    ck_assert_ptr_null(out);
    free(za);
    free(zb);
    free(cat);
    free(both);
    free(a);
    free(b);
}
END_TEST

/* The cap counts decoded bytes; a body exactly at the cap passes, one byte
 * more is refused without writing past cap + 1 (a bomb claiming to be small
 * is refused the same way). */
START_TEST(test_cap)
{
    char *text = sample(100000), *out = NULL, *buf = NULL;
    size_t zlen, n, cap = 0;
    unsigned char *z = gzip_member(text, 100000, &zlen);
    struct gunzip *g = gunzip_new();

    ck_assert_int_eq(gunzip_dup(z, zlen, 100000, &out, &n), STATUS_OK);
    ck_assert_uint_eq(n, 100000);
    free(out);
    ck_assert_int_eq(gunzip_whole(g, z, zlen, 99999, &buf, &cap, &n), STATUS_TOOLARGE);
    ck_assert_msg(strstr(status_text(), "more than 99999 bytes") != NULL, "%s", status_text());
    ck_assert_uint_le(cap, 100000);
    ck_assert_uint_eq(n, 0);
    free(buf);
    free(z);
    free(text);

    /* 16 MiB of zeros compress to about 16 KiB. */
    {
        size_t big = (size_t)16 << 20;
        char *zeros = calloc(1, big);
        unsigned char *bomb = gzip_member(zeros, big, &zlen);

        free(zeros);
        put_le32(bomb + zlen - 4, 1000);
        buf = NULL;
        cap = 0;
        ck_assert_int_eq(gunzip_whole(g, bomb, zlen, 1 << 20, &buf, &cap, &n), STATUS_TOOLARGE);
        ck_assert_uint_le(cap, (1 << 20) + 1);
        free(buf);
        free(bomb);
    }
    gunzip_free(g);
}
END_TEST

START_TEST(test_damage)
{
    char *text = sample(50000), *out = NULL;
    size_t zlen, n;
    unsigned char *z = gzip_member(text, 50000, &zlen);

    /* Cut short, anywhere. */
    for (size_t cut = 1; cut < zlen; cut += zlen / 7) {
        ck_assert_int_eq(gunzip_dup(z, cut, 1 << 20, &out, &n), STATUS_CORRUPT);
        ck_assert_ptr_null(out);
    }
    /* A flipped byte in the data (the CRC catches what inflate does not). */
    z[zlen / 2] ^= 0x55;
    ck_assert_int_eq(gunzip_dup(z, zlen, 1 << 20, &out, &n), STATUS_CORRUPT);
    ck_assert_msg(strstr(status_text(), "corrupt or cut short") != NULL, "%s", status_text());
    /* Not gzip at all, and nothing. */
    ck_assert_int_eq(gunzip_dup("{\"items\":[]}", 12, 1 << 20, &out, &n), STATUS_CORRUPT);
    ck_assert_int_eq(gunzip_dup("", 0, 1 << 20, &out, &n), STATUS_CORRUPT);
    ck_assert_str_eq(status_text(), "gzip body is empty");
    free(z);
    free(text);
}
END_TEST

/* The peek sees the first bytes whatever the chunking, and stops at its
 * limit. */
START_TEST(test_peek)
{
    char *text = sample(300000);
    size_t zlen;
    unsigned char *z = gzip_member(text, 300000, &zlen);
    static const size_t chunks[] = { 1, 7, 4096, 16384, 1 << 30 };

    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        struct gunzip_peek *p = gunzip_peek_new();
        struct strbuf out = { 0 };

        for (size_t off = 0; off < zlen; off += chunks[c]) {
            size_t k = zlen - off < chunks[c] ? zlen - off : chunks[c];

            ck_assert(gunzip_peek_feed(p, z + off, k, &out, 65536));
        }
        ck_assert_uint_eq(out.len, 65536);
        ck_assert_mem_eq(out.buf, text, 65536);
        gunzip_peek_free(p);
        strbuf_done(&out);
    }
    /* A short stream ends before the limit. */
    {
        struct gunzip_peek *p = gunzip_peek_new();
        struct strbuf out = { 0 };
        unsigned char *zs = gzip_member("{\"items\":[]}", 12, &zlen);

        ck_assert(gunzip_peek_feed(p, zs, zlen, &out, 65536));
        ck_assert_str_eq(out.buf, "{\"items\":[]}");
        ck_assert(gunzip_peek_feed(p, "more", 4, &out, 65536)); /* after the end: ignored */
        free(zs);
        gunzip_peek_free(p);
        strbuf_done(&out);
    }
    /* Not gzip: refused, and stays refused. */
    {
        struct gunzip_peek *p = gunzip_peek_new();
        struct strbuf out = { 0 };

        ck_assert(!gunzip_peek_feed(p, "<html>502 Bad Gateway</html>", 28, &out, 65536));
        ck_assert_msg(strstr(status_text(), "corrupt") != NULL, "%s", status_text());
        ck_assert(!gunzip_peek_feed(p, "x", 1, &out, 65536));
        gunzip_peek_free(p);
        strbuf_done(&out);
    }
    free(z);
    free(text);
}
END_TEST

START_TEST(test_encoding_names)
{
    ck_assert(gunzip_is_gzip_encoding("gzip"));
    ck_assert(gunzip_is_gzip_encoding("GZIP"));
    ck_assert(gunzip_is_gzip_encoding("x-gzip"));
    ck_assert(!gunzip_is_gzip_encoding(""));
    ck_assert(!gunzip_is_gzip_encoding("identity"));
    ck_assert(!gunzip_is_gzip_encoding("br"));
    ck_assert(!gunzip_is_gzip_encoding(NULL));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("gunzip");
    TCase *tc = tcase_create("gunzip");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_whole_roundtrip);
    tcase_add_test(tc, test_members_and_lying_trailer);
    tcase_add_test(tc, test_cap);
    tcase_add_test(tc, test_damage);
    tcase_add_test(tc, test_peek);
    tcase_add_test(tc, test_encoding_names);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
