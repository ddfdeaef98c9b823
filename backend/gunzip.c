/* SPDX-License-Identifier: MIT */
/* gunzip.c - gzip bodies decoded whole (libdeflate) or only their first bytes (zlib) */
#include "config.h"

#include "opsdeck/gunzip.h"

#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "opsdeck/xalloc.h"

/* Room asked for first when the trailer's size is no use (several members,
 * or a declared size of 0). */
#define FIRST_GUESS ((size_t)64 << 10)

struct gunzip {
    struct libdeflate_decompressor *d;
};

struct gunzip *
gunzip_new(void)
{
    struct gunzip *g = malloc(sizeof(*g));

    if (!g || !(g->d = libdeflate_alloc_decompressor())) {
        free(g);
        status_fail(STATUS_NOMEM, "gzip decoder: out of memory");
        return NULL;
    }
    return g;
}

void
gunzip_free(struct gunzip *g)
{
    if (!g)
        return;
    libdeflate_free_decompressor(g->d);
    free(g);
}

/* The size the last member's trailer declares (ISIZE, modulo 2^32). */
static size_t
trailer_size(const unsigned char *in, size_t len)
{
    if (len < 18)
        return 0;
    in += len - 4;
    return (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16 | (size_t)in[3] << 24;
}

/* Grows *buf so that it holds at least need bytes plus the NUL. */
static void
ensure(char **buf, size_t *cap, size_t need)
{
    if (*cap >= need + 1)
        return;
    *buf = xrealloc(*buf, need + 1);
    *cap = need + 1;
}

enum status
gunzip_whole(struct gunzip *g, const void *in, size_t len, size_t max_out, char **buf,
             size_t *cap, size_t *out_len)
{
    const unsigned char *p = in;
    size_t used = 0, off = 0, want;

    *out_len = 0;
    if (len == 0)
        return status_fail(STATUS_CORRUPT, "gzip body is empty");
    want = trailer_size(p, len);
    if (want == 0)
        want = FIRST_GUESS;
    want = want > max_out ? max_out : want;
    ensure(buf, cap, want);
    while (off < len) {
        size_t in_used = 0, got = 0, avail = *cap - 1 - used;
        enum libdeflate_result r;

        if (avail > max_out - used)
            avail = max_out - used;
        r = libdeflate_gzip_decompress_ex(g->d, p + off, len - off, *buf + used, avail,
                                          &in_used, &got);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            size_t next;

            if (avail >= max_out - used)
                return status_fail(STATUS_TOOLARGE, "gzip body decodes to more than %zu bytes",
                                   max_out);
            /* Not enough room: twice as much (bounded by the cap), this
             * member again. */
            next = (*cap - 1) * 2;
            ensure(buf, cap, next > max_out ? max_out : next);
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS) {
            if (off)
                return status_fail(STATUS_CORRUPT,
                                   "gzip body: the member at byte %zu is corrupt or cut short",
                                   off);
            return status_fail(STATUS_CORRUPT, "gzip body is corrupt or cut short");
        }
        used += got;
        off += in_used;
        if (off < len && *cap - 1 - used < FIRST_GUESS)
            ensure(buf, cap, used + FIRST_GUESS > max_out ? max_out : used + FIRST_GUESS);
    }
    (*buf)[used] = '\0';
    *out_len = used;
    return STATUS_OK;
}

enum status
gunzip_dup(const void *in, size_t len, size_t max_out, char **out, size_t *out_len)
{
    struct gunzip *g = gunzip_new();
    char *buf = NULL;
    size_t cap = 0;
    enum status st;

    *out = NULL;
    *out_len = 0;
    if (!g)
        return STATUS_NOMEM;
    st = gunzip_whole(g, in, len, max_out, &buf, &cap, out_len);
    gunzip_free(g);
    if (st != STATUS_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return STATUS_OK;
}

/*
 * Peek
 */

struct gunzip_peek {
    z_stream zs;
    bool ended;  /* the first member is complete, or out was full */
    bool failed;
};

struct gunzip_peek *
gunzip_peek_new(void)
{
    struct gunzip_peek *p = xcalloc(1, sizeof(*p));

    /* 16 + MAX_WBITS: a gzip wrapper, nothing else. */
    if (inflateInit2(&p->zs, 16 + MAX_WBITS) != Z_OK)
        p->failed = true;
    return p;
}

void
gunzip_peek_free(struct gunzip_peek *p)
{
    if (!p)
        return;
    inflateEnd(&p->zs); /* also after a failed init: a no-op then */
    free(p);
}

bool
gunzip_peek_feed(struct gunzip_peek *p, const void *in, size_t len, struct strbuf *out,
                 size_t limit)
{
    const unsigned char *next = in;

    if (p->failed) {
        status_fail(STATUS_CORRUPT, "gzip body is corrupt");
        return false;
    }
    while (!p->ended && len > 0 && out->len < limit) {
        size_t room = limit - out->len, in_chunk = len > UINT32_MAX ? UINT32_MAX : len;
        size_t made, took;
        int rc;

        if (room > ((size_t)16 << 10))
            room = (size_t)16 << 10;
        strbuf_reserve(out, room);
        p->zs.next_in = (Bytef *)(uintptr_t)next;
        p->zs.avail_in = (uInt)in_chunk;
        p->zs.next_out = (Bytef *)out->buf + out->len;
        p->zs.avail_out = (uInt)room;
        rc = inflate(&p->zs, Z_NO_FLUSH);
        made = room - p->zs.avail_out;
        took = in_chunk - p->zs.avail_in;
        out->len += made;
        out->buf[out->len] = '\0';
        next += took;
        len -= took;
        if (rc == Z_STREAM_END) {
            p->ended = true;
        } else if (rc == Z_BUF_ERROR || (rc == Z_OK && made == 0 && took == 0)) {
            break; /* needs more input */
        } else if (rc != Z_OK) {
            p->failed = true;
            status_fail(STATUS_CORRUPT, "gzip body is corrupt: %s",
                        p->zs.msg ? p->zs.msg : "bad data");
            return false;
        }
    }
    if (out->len >= limit)
        p->ended = true;
    return true;
}

bool
gunzip_is_gzip_encoding(const char *ce)
{
    return ce && (strcasecmp(ce, "gzip") == 0 || strcasecmp(ce, "x-gzip") == 0);
}
