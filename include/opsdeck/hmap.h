/* SPDX-License-Identifier: MIT */
/* hmap.h - string-keyed hash map (open addressing) for indexes */
#ifndef OPSDECK_HMAP_H
#define OPSDECK_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Keys are copied into the map; values are borrowed pointers (the map never
 * frees them). A zero-initialised map is valid and empty. Iteration order is
 * unspecified; the map must not be modified while iterating, except through
 * hmap_iter_remove().
 */
struct hmap_entry {
    char *key;        /* owned; NULL = empty slot */
    void *value;
    uint32_t hash;
    bool tombstone;
};

struct hmap {
    struct hmap_entry *slots;
    size_t cap;      /* power of two or 0 */
    size_t len;      /* live entries */
    size_t used;     /* live + tombstones */
};

void hmap_init(struct hmap *m);
void hmap_done(struct hmap *m);
/* hmap_done, after free_value on each value (the map owned them). */
void hmap_done_with(struct hmap *m, void (*free_value)(void *));
void *hmap_get(const struct hmap *m, const char *key);
/* Like hmap_get for a key of len bytes (not NUL-terminated). */
void *hmap_getn(const struct hmap *m, const char *key, size_t len);
/* Sets key -> value; returns the previous value or NULL. */
void *hmap_put(struct hmap *m, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *hmap_del(struct hmap *m, const char *key);

struct hmap_iter {
    const struct hmap *m;
    size_t i;
};
void hmap_iter_init(struct hmap_iter *it, const struct hmap *m);
/* Advances; false at the end. *key is borrowed. */
bool hmap_iter_next(struct hmap_iter *it, const char **key, void **value);

uint32_t hmap_hash(const char *s, size_t len);

#endif /* OPSDECK_HMAP_H */
