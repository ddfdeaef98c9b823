/* SPDX-License-Identifier: MIT */
/* gziplib.h - gzip members made with zlib, for the tests of what reads them */
#ifndef OPSDECK_GZIPLIB_H
#define OPSDECK_GZIPLIB_H

#include <check.h>
#include <stdlib.h>
#include <zlib.h>

/* data[0..len) as one gzip member (a new buffer, *out_len bytes). */
static inline unsigned char *
gzip_member(const void *data, size_t len, size_t *out_len)
{
    z_stream zs = { 0 };
    size_t cap = len + len / 100 + 64;
    unsigned char *out = malloc(cap);

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

#endif /* OPSDECK_GZIPLIB_H */
