/* SPDX-License-Identifier: MIT */
/* gunzip.h - gzip bodies decoded whole (libdeflate) or only their first bytes (zlib) */
#ifndef OPSDECK_GUNZIP_H
#define OPSDECK_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"

/*
 * A list page can travel compressed from the socket to a parse thread and be
 * inflated there in one call, about three times faster than zlib's streaming
 * inflate on the loop's thread. Only the page's metadata (its continue
 * token) is needed on the loop's thread before that: gunzip_peek inflates
 * just the first bytes.
 */

/* A whole-buffer decoder: one per thread (not shareable). */
struct gunzip;

/* NULL only when out of memory (status_fail STATUS_NOMEM). */
struct gunzip *gunzip_new(void);
/* NULL is a no-op. */
void gunzip_free(struct gunzip *g);

/* Decodes every gzip member of in[0..len) (RFC 1952; members one after
 * another are concatenated, as zlib and curl read them) into *buf, a malloc'd
 * buffer of *cap bytes that is grown as needed and reused by the caller
 * (*buf may be NULL with *cap 0). On success *out_len bytes are decoded,
 * followed by a NUL. A body whose decoded size would pass max_out is refused
 * with STATUS_TOOLARGE before more than max_out + 1 bytes are written (the
 * sizes a gzip trailer declares are a hint, never trusted); data that is not
 * gzip, corrupt or cut short is STATUS_CORRUPT. status_text() says which. */
enum status gunzip_whole(struct gunzip *g, const void *in, size_t len, size_t max_out,
                         char **buf, size_t *cap, size_t *out_len);

/* One-call form for rare paths (an error body): a new NUL-terminated
 * buffer the caller frees. */
enum status gunzip_dup(const void *in, size_t len, size_t max_out, char **out, size_t *out_len);

/* The first bytes of a gzip stream, inflated as its compressed bytes arrive. */
struct gunzip_peek;

struct gunzip_peek *gunzip_peek_new(void);
/* NULL is a no-op. */
void gunzip_peek_free(struct gunzip_peek *p);
/* Feeds the next compressed bytes and appends what they decode to out, until
 * out holds limit bytes (the rest is not decoded). Returns false once the
 * data is not a gzip stream (status_text says why); true otherwise, also
 * when the stream ended or out is full. */
bool gunzip_peek_feed(struct gunzip_peek *p, const void *in, size_t len, struct strbuf *out,
                      size_t limit);

/* Content-Encoding values meaning gzip ("gzip", "x-gzip", any case). */
bool gunzip_is_gzip_encoding(const char *content_encoding);

#endif /* OPSDECK_GUNZIP_H */
