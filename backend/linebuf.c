/* SPDX-License-Identifier: MIT */
/* linebuf.c - newline framing of streamed bodies (watch events) */
#include "config.h"

#include "opsdeck/kube.h"

#include <string.h>

#include "opsdeck/strbuf.h"

/*
 * Complete lines are handed out straight from the caller's data when nothing
 * is buffered; only the unfinished tail of a run is copied, so a stream cut
 * into big runs costs no copy per line.
 */

void
linebuf_init(struct linebuf *lb, size_t max)
{
    strbuf_init(&lb->buf);
    lb->max = max;
}

void
linebuf_done(struct linebuf *lb)
{
    strbuf_done(&lb->buf);
}

enum status
linebuf_feed(struct linebuf *lb, const char *data, size_t len, linebuf_cb cb, void *arg)
{
    const char *p = data, *end = data + len, *nl;
    bool go;

    if (lb->buf.len > 0) {
        /* Finish the buffered line first. */
        size_t take;

        nl = memchr(p, '\n', len);
        take = nl ? (size_t)(nl - p) : len;
        if (take > lb->max || lb->buf.len > lb->max - take)
            return status_fail(STATUS_TOOLARGE, "stream line longer than %zu bytes", lb->max);
        strbuf_append(&lb->buf, p, take);
        if (!nl)
            return STATUS_OK;
        p = nl + 1;
        go = cb(arg, lb->buf.buf, lb->buf.len);
        strbuf_reset(&lb->buf);
        if (!go)
            return STATUS_OK;
    }
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        if ((size_t)(nl - p) > lb->max)
            return status_fail(STATUS_TOOLARGE, "stream line longer than %zu bytes", lb->max);
        if (!cb(arg, p, (size_t)(nl - p)))
            return STATUS_OK;
        p = nl + 1;
    }
    if (p < end) {
        if ((size_t)(end - p) > lb->max)
            return status_fail(STATUS_TOOLARGE, "stream line longer than %zu bytes", lb->max);
        strbuf_append(&lb->buf, p, (size_t)(end - p));
    }
    return STATUS_OK;
}
