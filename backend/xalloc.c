/* SPDX-License-Identifier: MIT */
/* xalloc.c - allocation that never returns NULL */
#include "config.h"

#include "opsdeck/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void
xalloc_set_fatal_hook(void (*hook)(void))
{
    fatal_hook = hook;
}

void
xfatal(const char *fmt, ...)
{
    va_list ap;

    if (fatal_hook) {
        void (*hook)(void) = fatal_hook;
        fatal_hook = NULL;           /* a failing hook must not recurse */
        hook();
    }
    fputs("opsdeck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        xfatal("out of memory (%zu bytes)", size);
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p;

    if (nmemb == 0 || size == 0)
        nmemb = size = 1;
    p = calloc(nmemb, size);
    if (!p)
        xfatal("out of memory (%zu x %zu bytes)", nmemb, size);
    return p;
}

void *
xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
        xfatal("out of memory (%zu bytes)", size);
    return p;
}

void *
xgrow(void *ptr, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 8;

    if (need <= *cap)
        return ptr;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            xfatal("array too large");
        n *= 2;
    }
    if (n > SIZE_MAX / size)
        xfatal("array too large");
    *cap = n;
    return xrealloc(ptr, n * size);
}

char *
xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
    char *p;
    const char *nul = memchr(s, '\0', n);

    if (nul)
        n = (size_t)(nul - s);
    p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    int n;
    char *p;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        xfatal("bad format string");
    p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}
