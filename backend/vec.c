/* SPDX-License-Identifier: MIT */
/* vec.c - growable array of pointers; NULL-terminated string arrays */
#include "config.h"

#include "opsdeck/vec.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/xalloc.h"

void
vec_init(struct vec *v, void (*item_free)(void *))
{
    v->items = NULL;
    v->len = 0;
    v->cap = 0;
    v->item_free = item_free;
}

void
vec_clear(struct vec *v)
{
    if (v->item_free)
        for (size_t i = 0; i < v->len; i++)
            v->item_free(v->items[i]);
    v->len = 0;
}

void
vec_done(struct vec *v)
{
    vec_clear(v);
    free(v->items);
    v->items = NULL;
    v->cap = 0;
}

void
vec_push(struct vec *v, void *item)
{
    v->items = xgrow(v->items, &v->cap, v->len + 1, sizeof(*v->items));
    v->items[v->len++] = item;
}

void
vec_insert(struct vec *v, size_t at, void *item)
{
    if (at > v->len)
        at = v->len;
    v->items = xgrow(v->items, &v->cap, v->len + 1, sizeof(*v->items));
    memmove(v->items + at + 1, v->items + at, (v->len - at) * sizeof(*v->items));
    v->items[at] = item;
    v->len++;
}

void *
vec_take(struct vec *v, size_t at)
{
    void *item = v->items[at];

    memmove(v->items + at, v->items + at + 1, (v->len - at - 1) * sizeof(*v->items));
    v->len--;
    return item;
}

void
vec_remove(struct vec *v, size_t at)
{
    void *item = vec_take(v, at);

    if (v->item_free)
        v->item_free(item);
}

void
vec_sort(struct vec *v, int (*cmp)(const void *, const void *))
{
    if (v->len > 1)
        qsort(v->items, v->len, sizeof(*v->items), cmp);
}

size_t
strv_len(const char *const *v)
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

char **
strv_dup(const char *const *v)
{
    size_t n = strv_len(v);
    char **out;

    if (!v)
        return NULL;
    out = xcalloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

void
strv_free(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

bool
strv_contains(const char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}
