/* SPDX-License-Identifier: MIT */
/* xalloc.h - allocation that never returns NULL: out of memory is fatal */
#ifndef OPSDECK_XALLOC_H
#define OPSDECK_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "opsdeck/macros.h"

/*
 * The x-functions abort the program on allocation failure, after calling the
 * fatal hook (the console uses it to restore the terminal). Their results are
 * never NULL and are never checked. Sizes are checked for overflow.
 */
void *xmalloc(size_t size) ATTR_MALLOC;
void *xcalloc(size_t nmemb, size_t size) ATTR_MALLOC;
void *xrealloc(void *ptr, size_t size);
/* Grows an array to hold at least `need` elements of `size` bytes, doubling;
 * updates *cap. Returns the (possibly moved) array. */
void *xgrow(void *ptr, size_t *cap, size_t need, size_t size);
/* xstrdup(NULL) returns NULL: optional strings copy without a test. */
char *xstrdup(const char *s) ATTR_MALLOC;
char *xstrndup(const char *s, size_t n) ATTR_MALLOC;
char *xasprintf(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_MALLOC;
char *xvasprintf(const char *fmt, va_list ap) ATTR_FORMAT(1, 0) ATTR_MALLOC;

/* Reports a fatal error: calls the hook, prints "opsdeck: <message>" to
 * stderr and aborts. */
void xfatal(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;

/* Sets the function called before a fatal exit (e.g. endwin). One hook;
 * NULL removes it. */
void xalloc_set_fatal_hook(void (*hook)(void));

#endif /* OPSDECK_XALLOC_H */
