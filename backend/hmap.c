/* SPDX-License-Identifier: MIT */
/* hmap.c - string-keyed open-addressing hash map (FNV-1a, linear probing) */
#include "config.h"

#include "opsdeck/hmap.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/xalloc.h"

uint32_t
hmap_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void
hmap_init(struct hmap *m)
{
    memset(m, 0, sizeof(*m));
}

void
hmap_done(struct hmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    hmap_init(m);
}

void
hmap_done_with(struct hmap *m, void (*free_value)(void *))
{
    struct hmap_iter it;
    const char *key;
    void *value;

    hmap_iter_init(&it, m);
    while (hmap_iter_next(&it, &key, &value))
        free_value(value);
    hmap_done(m);
}

/* Index of the slot holding key, or of the slot where it would go (the first
 * tombstone on the probe path, else the empty slot). *found tells which. */
static size_t
probe(const struct hmap *m, const char *key, size_t len, uint32_t h, bool *found)
{
    size_t mask = m->cap - 1;
    size_t i = h & mask;
    size_t first_tomb = SIZE_MAX;

    for (;;) {
        const struct hmap_entry *e = &m->slots[i];

        if (!e->key) {
            if (!e->tombstone) {
                *found = false;
                return first_tomb != SIZE_MAX ? first_tomb : i;
            }
            if (first_tomb == SIZE_MAX)
                first_tomb = i;
        } else if (e->hash == h && strncmp(e->key, key, len) == 0 && e->key[len] == '\0') {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static void
rehash(struct hmap *m, size_t cap)
{
    struct hmap_entry *old = m->slots;
    size_t oldcap = m->cap;

    m->slots = xcalloc(cap, sizeof(*m->slots));
    m->cap = cap;
    m->used = m->len;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key) {
            size_t j = old[i].hash & (cap - 1);

            while (m->slots[j].key)
                j = (j + 1) & (cap - 1);
            m->slots[j] = old[i];
        }
    }
    free(old);
}

void *
hmap_getn(const struct hmap *m, const char *key, size_t len)
{
    bool found;
    size_t i;

    if (m->len == 0)
        return NULL;
    i = probe(m, key, len, hmap_hash(key, len), &found);
    return found ? m->slots[i].value : NULL;
}

void *
hmap_get(const struct hmap *m, const char *key)
{
    return hmap_getn(m, key, strlen(key));
}

void *
hmap_put(struct hmap *m, const char *key, void *value)
{
    size_t len = strlen(key);
    uint32_t h = hmap_hash(key, len);
    bool found;
    size_t i;

    if ((m->used + 1) * 4 >= m->cap * 3)
        rehash(m, m->cap ? (m->len * 2 >= m->cap ? m->cap * 2 : m->cap) : 16);
    i = probe(m, key, len, h, &found);
    if (found) {
        void *prev = m->slots[i].value;

        m->slots[i].value = value;
        return prev;
    }
    if (!m->slots[i].tombstone)
        m->used++;
    m->slots[i].key = xstrndup(key, len);
    m->slots[i].value = value;
    m->slots[i].hash = h;
    m->slots[i].tombstone = false;
    m->len++;
    return NULL;
}

void *
hmap_del(struct hmap *m, const char *key)
{
    size_t len = strlen(key);
    bool found;
    size_t i;
    void *value;

    if (m->len == 0)
        return NULL;
    i = probe(m, key, len, hmap_hash(key, len), &found);
    if (!found)
        return NULL;
    value = m->slots[i].value;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->slots[i].value = NULL;
    m->slots[i].tombstone = true;
    m->len--;
    return value;
}

void
hmap_iter_init(struct hmap_iter *it, const struct hmap *m)
{
    it->m = m;
    it->i = 0;
}

bool
hmap_iter_next(struct hmap_iter *it, const char **key, void **value)
{
    while (it->i < it->m->cap) {
        const struct hmap_entry *e = &it->m->slots[it->i++];

        if (e->key) {
            if (key)
                *key = e->key;
            if (value)
                *value = e->value;
            return true;
        }
    }
    return false;
}
