/* SPDX-License-Identifier: MIT */
/* strbuf.c - growable byte buffer */
#include "config.h"

#include "opsdeck/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/xalloc.h"

void
strbuf_init(struct strbuf *sb)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->cap = 0;
}

void
strbuf_done(struct strbuf *sb)
{
    free(sb->buf);
    strbuf_init(sb);
}

void
strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void
strbuf_reserve(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;

    if (need < sb->len)
        xfatal("string too large");
    if (need > sb->cap) {
        sb->buf = xgrow(sb->buf, &sb->cap, need, 1);
        sb->buf[sb->len] = '\0';
    }
}

void
strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_reserve(sb, len);
    if (len)
        memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void
strbuf_puts(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void
strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    strbuf_reserve(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

void
strbuf_consume(struct strbuf *sb, size_t n)
{
    if (n >= sb->len) {
        strbuf_reset(sb);
        return;
    }
    memmove(sb->buf, sb->buf + n, sb->len - n);
    sb->len -= n;
    sb->buf[sb->len] = '\0';
}

const char *
strbuf_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

char *
strbuf_detach(struct strbuf *sb)
{
    char *s = sb->buf ? sb->buf : xstrdup("");

    strbuf_init(sb);
    return s;
}

enum status
strbuf_read_file(struct strbuf *sb, const char *path, size_t max, bool text)
{
    size_t start = sb->len, n;
    enum status st = STATUS_OK;
    char chunk[8192];
    FILE *f = fopen(path, "rb");

    if (!f)
        return status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (text && memchr(chunk, '\0', n)) {
            st = status_fail(STATUS_IO, "%s: not a text file", path);
            break;
        }
        strbuf_append(sb, chunk, n);
        if (max && sb->len - start > max) {
            st = status_fail(STATUS_TOOLARGE, "%s: larger than %zu bytes", path, max);
            break;
        }
    }
    if (st == STATUS_OK && ferror(f))
        st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    fclose(f);
    if (st != STATUS_OK) {
        sb->len = start;
        if (sb->buf)
            sb->buf[start] = '\0';
    }
    return st;
}
