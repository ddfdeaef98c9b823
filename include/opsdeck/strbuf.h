/* SPDX-License-Identifier: MIT */
/* strbuf.h - growable byte buffer, always NUL-terminated */
#ifndef OPSDECK_STRBUF_H
#define OPSDECK_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/macros.h"
#include "opsdeck/status.h"

/* A zero-initialised strbuf is valid and empty (buf may be NULL until the
 * first append; strbuf_str() always returns a string). */
struct strbuf {
    char *buf;  /* owned; NUL-terminated when non-NULL */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
};

void strbuf_init(struct strbuf *sb);
void strbuf_done(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);       /* len = 0, keeps the memory */
void strbuf_reserve(struct strbuf *sb, size_t extra);
void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
/* One byte; inline, the JSON writer and the parsers call it per character. */
static inline void
strbuf_putc(struct strbuf *sb, char c)
{
    if (sb->len + 2 > sb->cap)
        strbuf_reserve(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) ATTR_FORMAT(2, 3);
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) ATTR_FORMAT(2, 0);
/* Removes the first n bytes. */
void strbuf_consume(struct strbuf *sb, size_t n);
/* The contents; "" when empty. Borrowed. */
const char *strbuf_str(const struct strbuf *sb);
/* Hands the string to the caller (caller frees) and empties the buffer. */
char *strbuf_detach(struct strbuf *sb);

/* Appends the whole file at path: at most max bytes (0: no limit), else
 * STATUS_TOOLARGE "PATH: larger than N bytes"; STATUS_IO "PATH: reason" when
 * it cannot be read; with text, STATUS_IO "PATH: not a text file" when it
 * holds a NUL byte. On failure sb keeps what it had. */
enum status strbuf_read_file(struct strbuf *sb, const char *path, size_t max, bool text);

#endif /* OPSDECK_STRBUF_H */
