/* SPDX-License-Identifier: MIT */
/* vec.h - growable array of pointers with a stated owner */
#ifndef OPSDECK_VEC_H
#define OPSDECK_VEC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * vec_init(&v, item_free): the vector owns its items and frees them with
 * item_free on removal and in vec_done. item_free NULL: items are borrowed.
 */
struct vec {
    void **items;
    size_t len;
    size_t cap;
    void (*item_free)(void *item);
};

void vec_init(struct vec *v, void (*item_free)(void *));
void vec_done(struct vec *v);             /* frees owned items and the array */
void vec_clear(struct vec *v);            /* frees owned items, keeps the array */
void vec_push(struct vec *v, void *item);
void vec_insert(struct vec *v, size_t at, void *item);
/* Removes items[at], keeping order. Returns the item (not freed). */
void *vec_take(struct vec *v, size_t at);
/* Removes and frees (when owned) items[at], keeping order. */
void vec_remove(struct vec *v, size_t at);
void vec_sort(struct vec *v, int (*cmp)(const void *a, const void *b));
static inline void *vec_get(const struct vec *v, size_t i) { return v->items[i]; }

/* NULL-terminated string arrays (argv-like), owned: */
char **strv_dup(const char *const *v);
size_t strv_len(const char *const *v);
void strv_free(char **v);
bool strv_contains(const char *const *v, const char *s);

#endif /* OPSDECK_VEC_H */
