/* SPDX-License-Identifier: MIT */
/* cluster.c - the in-memory snapshot of one API server's objects, O(1) per event */
#include "config.h"

#include "opsdeck/cluster.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hmap.h"
#include "opsdeck/xalloc.h"

/*
 * Every object lives in one slot. The slot knows its position in each dense
 * list that holds it (all objects of its kind, its namespace's objects of
 * that kind, and for pods its node's pods), so removal is a swap with the
 * last element of each list: O(1), no search.
 */
enum list_id { LIST_ALL, LIST_NS, LIST_NODE, LIST_COUNT };

struct slot {
    struct kobj *obj;       /* owned */
    size_t pos[LIST_COUNT]; /* index in each list holding the slot */
    uint64_t seq;           /* cluster seq of the last upsert: replace sweeps */
};

/* A dense array of objects (handed out as is) with their slots alongside. */
struct list {
    const struct kobj **objs;
    struct slot **slots;
    size_t len;
    size_t cap;
};

struct store {
    struct hmap by_key; /* "ns/name" -> struct slot * */
    struct list all;
    struct hmap by_ns;   /* ns -> struct list * (never empty) */
    bool all_open;       /* a cluster-wide replace is open */
    uint64_t all_seq;    /* ... begun after this seq */
    struct hmap open_ns; /* ns -> uint64_t * (seq at begin) */
};

struct observer {
    struct cluster_observer o;
    bool dead; /* removed during a dispatch; compacted after */
};

struct cluster {
    struct store kinds[KIND_COUNT];
    struct hmap pods_by_node; /* node name -> struct list * (never empty) */
    uint64_t seq;
    struct observer *obs;
    size_t nobs;
    size_t obs_cap;
    int dispatching; /* depth of observer calls in progress */
    bool obs_dirty;  /* dead observers to compact */
};

static const struct kobj *const empty_list[1];

/*
 * Dense lists
 */

static void
list_add(struct list *l, struct slot *s, enum list_id id)
{
    if (l->len == l->cap) {
        size_t cap = l->cap;

        l->objs = xgrow(l->objs, &cap, l->len + 1, sizeof(*l->objs));
        l->slots = xgrow(l->slots, &l->cap, l->len + 1, sizeof(*l->slots));
    }
    l->objs[l->len] = s->obj;
    l->slots[l->len] = s;
    s->pos[id] = l->len++;
}

static void
list_del(struct list *l, struct slot *s, enum list_id id)
{
    size_t at = s->pos[id];
    struct slot *last = l->slots[--l->len];

    l->objs[at] = last->obj;
    l->slots[at] = last;
    last->pos[id] = at;
}

static void
list_done(struct list *l)
{
    free(l->objs);
    free(l->slots);
}

static void
list_free(void *l)
{
    if (l) {
        list_done(l);
        free(l);
    }
}

/* The list of key in map, created on demand. */
static struct list *
map_list(struct hmap *map, const char *key)
{
    struct list *l = hmap_get(map, key);

    if (!l) {
        l = xcalloc(1, sizeof(*l));
        hmap_put(map, key, l);
    }
    return l;
}

static void
map_list_add(struct hmap *map, const char *key, struct slot *s, enum list_id id)
{
    list_add(map_list(map, key), s, id);
}

/* Removes s from key's list and drops the list when it empties, so maps of
 * namespaces and nodes do not grow with every name ever seen. */
static void
map_list_del(struct hmap *map, const char *key, struct slot *s, enum list_id id)
{
    struct list *l = hmap_get(map, key);

    list_del(l, s, id);
    if (l->len == 0)
        list_free(hmap_del(map, key));
}

static void
map_lists_done(struct hmap *map)
{
    struct hmap_iter it;
    void *l;

    hmap_iter_init(&it, map);
    while (hmap_iter_next(&it, NULL, &l))
        list_free(l);
    hmap_done(map);
}

/*
 * Keys: "ns/name", or "name" for cluster-scoped objects.
 */

struct keybuf {
    char stack[320]; /* a 63-byte namespace and a 253-byte name fit */
    char *heap;
};

static const char *
make_key(struct keybuf *kb, const char *ns, const char *name)
{
    size_t nl = ns ? strlen(ns) : 0, ml = strlen(name);
    size_t need = nl + (ns ? 1 : 0) + ml + 1;
    char *p = kb->stack;

    kb->heap = NULL;
    if (need > sizeof(kb->stack))
        p = kb->heap = xmalloc(need);
    if (ns) {
        memcpy(p, ns, nl);
        p[nl] = '/';
        memcpy(p + nl + 1, name, ml + 1);
    } else {
        memcpy(p, name, ml + 1);
    }
    return p;
}

static const char *
pod_node(const struct kobj *obj)
{
    return obj->kind == KIND_POD ? ((const struct pod *)obj)->node : NULL;
}

/*
 * Observers
 */

static void
observers_compact(struct cluster *cl)
{
    size_t j = 0;

    for (size_t i = 0; i < cl->nobs; i++)
        if (!cl->obs[i].dead)
            cl->obs[j++] = cl->obs[i];
    cl->nobs = j;
    cl->obs_dirty = false;
}

/* Observers registered during a dispatch see the next change, not this one
 * (n is fixed first); the array may move under us, hence indexing. */
static void
notify_change(struct cluster *cl, enum change op, const struct kobj *old, const struct kobj *new_)
{
    size_t n = cl->nobs;

    cl->dispatching++;
    for (size_t i = 0; i < n; i++) {
        struct observer *o = &cl->obs[i];

        if (!o->dead && o->o.changed)
            o->o.changed(o->o.arg, op, old, new_);
    }
    if (--cl->dispatching == 0 && cl->obs_dirty)
        observers_compact(cl);
}

static void
notify_reset(struct cluster *cl, enum kind kind, const char *ns)
{
    size_t n = cl->nobs;

    cl->dispatching++;
    for (size_t i = 0; i < n; i++) {
        struct observer *o = &cl->obs[i];

        if (o->dead)
            continue;
        if (ns && o->o.reset_ns)
            o->o.reset_ns(o->o.arg, kind, ns);
        else if (o->o.reset)
            o->o.reset(o->o.arg, kind);
    }
    if (--cl->dispatching == 0 && cl->obs_dirty)
        observers_compact(cl);
}

void
cluster_observe(struct cluster *cl, const struct cluster_observer *obs)
{
    cl->obs = xgrow(cl->obs, &cl->obs_cap, cl->nobs + 1, sizeof(*cl->obs));
    cl->obs[cl->nobs].o = *obs;
    cl->obs[cl->nobs].dead = false;
    cl->nobs++;
}

void
cluster_unobserve(struct cluster *cl, void *arg)
{
    for (size_t i = 0; i < cl->nobs; i++) {
        if (cl->obs[i].dead || cl->obs[i].o.arg != arg)
            continue;
        cl->obs[i].dead = true;
        cl->obs_dirty = true;
        break;
    }
    if (cl->dispatching == 0 && cl->obs_dirty)
        observers_compact(cl);
}

/*
 * Life cycle
 */

struct cluster *
cluster_new(void)
{
    return xcalloc(1, sizeof(struct cluster));
}

static void
store_done(struct store *st)
{
    for (size_t i = 0; i < st->all.len; i++) {
        kobj_free(st->all.slots[i]->obj);
        free(st->all.slots[i]);
    }
    list_done(&st->all);
    hmap_done(&st->by_key);
    map_lists_done(&st->by_ns);

    struct hmap_iter it;
    void *seq;

    hmap_iter_init(&it, &st->open_ns);
    while (hmap_iter_next(&it, NULL, &seq))
        free(seq);
    hmap_done(&st->open_ns);
}

void
cluster_free(struct cluster *cl)
{
    if (!cl)
        return;
    for (int k = 0; k < KIND_COUNT; k++)
        store_done(&cl->kinds[k]);
    map_lists_done(&cl->pods_by_node);
    free(cl->obs);
    free(cl);
}

/*
 * Mutations
 */

/* A replace covering obj is open: its changes are reported as one reset at
 * the end, not one by one. */
static bool
in_open_scope(const struct store *st, const struct kobj *obj)
{
    return st->all_open || (obj->ns && st->open_ns.len && hmap_get(&st->open_ns, obj->ns));
}

static void
index_add(struct cluster *cl, struct store *st, struct slot *s)
{
    const char *node = pod_node(s->obj);

    list_add(&st->all, s, LIST_ALL);
    if (s->obj->ns)
        map_list_add(&st->by_ns, s->obj->ns, s, LIST_NS);
    if (node)
        map_list_add(&cl->pods_by_node, node, s, LIST_NODE);
}

static void
index_del(struct cluster *cl, struct store *st, struct slot *s)
{
    const char *node = pod_node(s->obj);

    list_del(&st->all, s, LIST_ALL);
    if (s->obj->ns)
        map_list_del(&st->by_ns, s->obj->ns, s, LIST_NS);
    if (node)
        map_list_del(&cl->pods_by_node, node, s, LIST_NODE);
}

/* Points every list holding s at its new object; a pod that moved to
 * another node (or was scheduled, or lost its node) changes node list. */
static void
index_replace(struct cluster *cl, struct store *st, struct slot *s, struct kobj *obj)
{
    const char *was = pod_node(s->obj), *now = pod_node(obj);
    bool moved = (was == NULL) != (now == NULL) || (was && strcmp(was, now) != 0);

    if (moved && was)
        map_list_del(&cl->pods_by_node, was, s, LIST_NODE);
    s->obj = obj;
    st->all.objs[s->pos[LIST_ALL]] = obj;
    if (obj->ns)
        ((struct list *)hmap_get(&st->by_ns, obj->ns))->objs[s->pos[LIST_NS]] = obj;
    if (moved && now)
        map_list_add(&cl->pods_by_node, now, s, LIST_NODE);
    else if (now)
        ((struct list *)hmap_get(&cl->pods_by_node, now))->objs[s->pos[LIST_NODE]] = obj;
}

void
cluster_upsert(struct cluster *cl, struct kobj *obj)
{
    struct store *st;
    struct keybuf kb;
    const char *key;
    struct slot *s;
    struct kobj *old;

    if (!obj)
        return;
    if ((unsigned)obj->kind >= KIND_COUNT || !obj->name) {
        kobj_free(obj);
        return;
    }
    st = &cl->kinds[obj->kind];
    key = make_key(&kb, obj->ns, obj->name);
    s = hmap_get(&st->by_key, key);
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->obj = obj;
        s->seq = ++cl->seq;
        hmap_put(&st->by_key, key, s);
        free(kb.heap);
        index_add(cl, st, s);
        if (!in_open_scope(st, obj))
            notify_change(cl, CHANGE_ADD, NULL, obj);
        return;
    }
    free(kb.heap);
    s->seq = ++cl->seq;
    /* A watch replaying what a relist already delivered: nothing changed. */
    if (obj->rv && s->obj->rv && strcmp(obj->rv, s->obj->rv) == 0) {
        kobj_free(obj);
        return;
    }
    old = s->obj;
    index_replace(cl, st, s, obj);
    if (!in_open_scope(st, obj))
        notify_change(cl, CHANGE_UPDATE, old, obj);
    kobj_free(old);
}

/* Unlinks s from every index and frees it; reports the removal unless a
 * replace covers it. */
static void
remove_slot(struct cluster *cl, struct store *st, struct slot *s, bool report)
{
    struct keybuf kb;
    struct kobj *obj = s->obj;

    hmap_del(&st->by_key, make_key(&kb, obj->ns, obj->name));
    free(kb.heap);
    index_del(cl, st, s);
    free(s);
    if (report && !in_open_scope(st, obj))
        notify_change(cl, CHANGE_REMOVE, obj, NULL);
    kobj_free(obj);
}

void
cluster_remove(struct cluster *cl, enum kind kind, const char *ns, const char *name)
{
    struct store *st;
    struct keybuf kb;
    struct slot *s;

    if ((unsigned)kind >= KIND_COUNT || !name)
        return;
    st = &cl->kinds[kind];
    s = hmap_get(&st->by_key, make_key(&kb, ns, name));
    free(kb.heap);
    if (s)
        remove_slot(cl, st, s, true);
}

void
cluster_replace_begin(struct cluster *cl, enum kind kind, const char *ns)
{
    struct store *st;

    if ((unsigned)kind >= KIND_COUNT)
        return;
    st = &cl->kinds[kind];
    /* A begin on a scope already open restarts it (a list retried from the
     * first page): only upserts from now on count as seen. */
    if (!ns) {
        st->all_open = true;
        st->all_seq = cl->seq;
    } else {
        uint64_t *seq = hmap_get(&st->open_ns, ns);

        if (!seq) {
            seq = xmalloc(sizeof(*seq));
            hmap_put(&st->open_ns, ns, seq);
        }
        *seq = cl->seq;
    }
}

void
cluster_replace_end(struct cluster *cl, enum kind kind, const char *ns)
{
    struct store *st;
    struct list *l;
    uint64_t since;

    if ((unsigned)kind >= KIND_COUNT)
        return;
    st = &cl->kinds[kind];
    if (!ns) {
        if (!st->all_open)
            return;
        since = st->all_seq;
        st->all_open = false;
        l = &st->all;
    } else {
        uint64_t *seq = hmap_del(&st->open_ns, ns);

        if (!seq)
            return;
        since = *seq;
        free(seq);
        l = hmap_get(&st->by_ns, ns);
    }
    /* Sweep from the end: a removal swaps in the last element, which has
     * been visited already. A namespace list is freed with its last object,
     * so stop as soon as it is gone. */
    for (size_t i = l ? l->len : 0; i-- > 0;) {
        struct slot *s = l->slots[i];

        if (s->seq > since)
            continue;
        if (ns && l->len == 1) {
            remove_slot(cl, st, s, false);
            break;
        }
        remove_slot(cl, st, s, false);
    }
    notify_reset(cl, kind, ns);
}

/*
 * Lookups
 */

const struct kobj *
cluster_get(const struct cluster *cl, enum kind kind, const char *ns, const char *name)
{
    struct keybuf kb;
    const struct slot *s;

    if ((unsigned)kind >= KIND_COUNT || !name)
        return NULL;
    s = hmap_get(&cl->kinds[kind].by_key, make_key(&kb, ns, name));
    free(kb.heap);
    return s ? s->obj : NULL;
}

size_t
cluster_count(const struct cluster *cl, enum kind kind)
{
    return (unsigned)kind < KIND_COUNT ? cl->kinds[kind].all.len : 0;
}

static const struct kobj *const *
list_out(const struct list *l, size_t *n)
{
    if (!l || l->len == 0) {
        *n = 0;
        return empty_list;
    }
    *n = l->len;
    return l->objs;
}

const struct kobj *const *
cluster_all(const struct cluster *cl, enum kind kind, size_t *n)
{
    if ((unsigned)kind >= KIND_COUNT)
        return list_out(NULL, n);
    return list_out(&cl->kinds[kind].all, n);
}

const struct kobj *const *
cluster_in_ns(const struct cluster *cl, enum kind kind, const char *ns, size_t *n)
{
    if (!ns)
        return cluster_all(cl, kind, n);
    if ((unsigned)kind >= KIND_COUNT)
        return list_out(NULL, n);
    return list_out(hmap_get(&cl->kinds[kind].by_ns, ns), n);
}

size_t
cluster_count_in_ns(const struct cluster *cl, enum kind kind, const char *ns)
{
    size_t n;

    cluster_in_ns(cl, kind, ns, &n);
    return n;
}

size_t
cluster_pods_on_node(const struct cluster *cl, const char *node)
{
    size_t n;

    cluster_pods_of_node(cl, node, &n);
    return n;
}

const struct kobj *const *
cluster_pods_of_node(const struct cluster *cl, const char *node, size_t *n)
{
    return list_out(node ? hmap_get(&cl->pods_by_node, node) : NULL, n);
}
