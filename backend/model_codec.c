/* SPDX-License-Identifier: MIT */
/* model_codec.c - the binary cache encoding of models: varints and length-prefixed strings */
#include "config.h"

#include "opsdeck/model.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

#include "model_priv.h"

/*
 * Format (version KOBJ_CODEC_VERSION):
 *
 *   blob    = version:u8 kind:u8 fields...
 *   uint    = LEB128 varint (at most 10 bytes, no overlong encodings)
 *   int     = zig-zag varint
 *   bool    = one byte, 0 or 1
 *   string  = uint(len + 1) bytes[len]    (0 = NULL; no NUL inside)
 *   list    = uint(count) items[count]
 *
 * The fields follow the model structs, in the order of the code below. One
 * function per struct serves both directions (struct codec's `decoding`), so
 * encoder and decoder cannot drift apart. Decoding trusts nothing: every
 * length is checked against what is left, counts cannot exceed the bytes
 * left (each item takes at least one), enums and booleans are range
 * checked, label keys must come strictly sorted (kv_get's binary search
 * relies on it), and the blob must be consumed exactly. Any violation marks
 * the codec bad; the partly built object (zeroed where not reached) is then
 * freed whole.
 *
 * To change the format: bump KOBJ_CODEC_VERSION (the cache drops blobs of
 * another version and refetches).
 */
struct codec {
    bool decoding;
    bool bad;
    struct strbuf *out;     /* encoding */
    const unsigned char *p; /* decoding: next byte */
    const unsigned char *end;
    bool packing;   /* kobj_pack: scalars are left alone */
    char *pk_base;  /* packing: the block; NULL while measuring */
    size_t pk_size; /* packing: bytes placed (or measured) so far */
};

/*
 * Packing (kobj_pack): the same walk over every owned allocation, twice.
 * The first pass only adds up sizes; the second copies each allocation into
 * one block after the struct, frees the original and points the field at
 * the copy. An array is moved before what its elements own, so the walk
 * continues inside the copy.
 */
#define PACK_ALIGN 8
_Static_assert(_Alignof(struct kv) <= PACK_ALIGN && _Alignof(struct condition) <= PACK_ALIGN &&
                   _Alignof(struct node_taint) <= PACK_ALIGN &&
                   _Alignof(struct container) <= PACK_ALIGN &&
                   _Alignof(struct quota_item) <= PACK_ALIGN && _Alignof(char *) <= PACK_ALIGN,
               "packed arrays need at most PACK_ALIGN");

static void *
pk_move(struct codec *c, void *src, size_t n, size_t align)
{
    size_t off = (c->pk_size + align - 1) & ~(align - 1);

    c->pk_size = off + n;
    if (!c->pk_base)
        return src;
    memcpy(c->pk_base + off, src, n);
    free(src);
    return c->pk_base + off;
}

static void
put_uint(struct strbuf *out, uint64_t v)
{
    unsigned char buf[10];
    size_t n = 0;

    while (v >= 0x80) {
        buf[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (unsigned char)v;
    strbuf_append(out, buf, n);
}

static uint64_t
get_uint(struct codec *c)
{
    uint64_t v = 0;

    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end) {
            c->bad = true;
            return 0;
        }
        unsigned char b = *c->p++;
        if (shift == 63 && b > 1) {
            c->bad = true;
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            /* A zero final byte after the first is an overlong form. */
            if (b == 0 && shift > 0)
                c->bad = true;
            return v;
        }
    }
    c->bad = true;
    return 0;
}

static void
c_uint(struct codec *c, uint64_t *v)
{
    if (c->packing)
        return;
    if (!c->decoding)
        put_uint(c->out, *v);
    else if (!c->bad)
        *v = get_uint(c);
}

static void
c_i64(struct codec *c, int64_t *v)
{
    uint64_t z;

    if (c->packing)
        return;
    if (!c->decoding) {
        z = ((uint64_t)*v << 1) ^ (uint64_t)(*v >> 63);
        put_uint(c->out, z);
    } else if (!c->bad) {
        z = get_uint(c);
        *v = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    }
}

static void
c_int(struct codec *c, int *v)
{
    int64_t w = *v;

    if (c->packing)
        return;
    c_i64(c, &w);
    if (c->decoding && !c->bad) {
        if (w < INT32_MIN || w > INT32_MAX)
            c->bad = true;
        else
            *v = (int)w;
    }
}

static void
c_bool(struct codec *c, bool *v)
{
    if (c->packing)
        return;
    if (!c->decoding) {
        strbuf_putc(c->out, *v ? 1 : 0);
        return;
    }
    if (c->bad)
        return;
    if (c->p >= c->end || *c->p > 1) {
        c->bad = true;
        return;
    }
    *v = *c->p++ == 1;
}

/* An enum in [0, limit). */
static void
c_enum(struct codec *c, int *v, int limit)
{
    uint64_t u = (uint64_t)*v;

    if (c->packing)
        return;
    c_uint(c, &u);
    if (c->decoding && !c->bad) {
        if (u >= (uint64_t)limit)
            c->bad = true;
        else
            *v = (int)u;
    }
}

static void
c_str(struct codec *c, char **s)
{
    uint64_t n;

    if (c->packing) {
        if (*s)
            *s = pk_move(c, *s, strlen(*s) + 1, 1);
        return;
    }
    if (!c->decoding) {
        if (!*s) {
            put_uint(c->out, 0);
            return;
        }
        n = strlen(*s);
        put_uint(c->out, n + 1);
        strbuf_append(c->out, *s, n);
        return;
    }
    if (c->bad)
        return;
    n = get_uint(c);
    if (c->bad || n == 0)
        return;
    n--;
    if (n > (uint64_t)(c->end - c->p) || memchr(c->p, '\0', n)) {
        c->bad = true;
        return;
    }
    *s = xstrndup((const char *)c->p, n);
    c->p += n;
}

/* A list's count; decoding allocates *items (zeroed) for that many. */
static void
c_list(struct codec *c, void **items, size_t *n, size_t item_size)
{
    uint64_t count = *n;

    if (c->packing) {
        if (*items && *n)
            *items = pk_move(c, *items, *n * item_size, PACK_ALIGN);
        return;
    }
    c_uint(c, &count);
    if (!c->decoding || c->bad)
        return;
    if (count > (uint64_t)(c->end - c->p)) {
        c->bad = true;
        return;
    }
    *n = (size_t)count;
    *items = count ? xcalloc((size_t)count, item_size) : NULL;
}

/* A NULL-terminated string list; NULL when empty. */
static void
c_strv(struct codec *c, char ***v)
{
    size_t n = 0;
    void *items = NULL;

    if (!c->decoding)
        while (*v && (*v)[n])
            n++;
    if (c->packing) {
        if (*v)
            *v = pk_move(c, *v, (n + 1) * sizeof(char *), PACK_ALIGN);
        for (size_t i = 0; i < n; i++)
            c_str(c, &(*v)[i]);
        return;
    }
    c_list(c, &items, &n, sizeof(char *));
    if (c->decoding) {
        if (c->bad || n == 0)
            return;
        *v = xrealloc(items, (n + 1) * sizeof(char *));
        (*v)[n] = NULL;
    }
    for (size_t i = 0; i < n && !c->bad; i++) {
        c_str(c, &(*v)[i]);
        if (c->decoding && !c->bad && !(*v)[i])
            c->bad = true;
    }
}

static void
c_kv(struct codec *c, struct kv_list *list)
{
    void *items = list->items;

    c_list(c, &items, &list->len, sizeof(struct kv));
    if ((c->decoding || c->packing) && !c->bad)
        list->items = items;
    for (size_t i = 0; i < list->len && !c->bad; i++) {
        c_str(c, &list->items[i].key);
        c_str(c, &list->items[i].value);
        if (!c->decoding || c->bad)
            continue;
        if (!list->items[i].key || !list->items[i].value ||
            (i > 0 && strcmp(list->items[i - 1].key, list->items[i].key) >= 0))
            c->bad = true;
    }
}

static void
c_kobj(struct codec *c, struct kobj *o)
{
    c_str(c, &o->name);
    c_str(c, &o->ns);
    c_str(c, &o->uid);
    c_str(c, &o->rv);
    c_i64(c, &o->created);
    c_i64(c, &o->deleting);
    c_kv(c, &o->labels);
    c_str(c, &o->owner_kind);
    c_str(c, &o->owner_name);
    if (c->decoding && !c->bad && !o->name)
        c->bad = true;
}

static void
c_conditions(struct codec *c, struct condition **conds, size_t *n)
{
    void *items = *conds;

    c_list(c, &items, n, sizeof(struct condition));
    if ((c->decoding || c->packing) && !c->bad)
        *conds = items;
    for (size_t i = 0; i < *n && !c->bad; i++) {
        struct condition *cond = &(*conds)[i];
        c_str(c, &cond->type);
        c_str(c, &cond->status);
        c_str(c, &cond->reason);
        c_str(c, &cond->message);
        c_i64(c, &cond->last_transition);
    }
}

static void
c_resources(struct codec *c, struct resources *r)
{
    c_str(c, &r->cpu);
    c_str(c, &r->memory);
    c_str(c, &r->pods);
    c_str(c, &r->ephemeral_storage);
}

static void
c_node(struct codec *c, struct node *n)
{
    void *items = n->taints;

    c_str(c, &n->status);
    c_str(c, &n->roles);
    c_bool(c, &n->ready);
    c_bool(c, &n->unschedulable);
    c_i64(c, &n->ready_since);
    c_bool(c, &n->memory_pressure);
    c_bool(c, &n->disk_pressure);
    c_bool(c, &n->pid_pressure);
    c_bool(c, &n->network_unavailable);
    c_list(c, &items, &n->ntaints, sizeof(struct node_taint));
    if ((c->decoding || c->packing) && !c->bad)
        n->taints = items;
    for (size_t i = 0; i < n->ntaints && !c->bad; i++) {
        c_str(c, &n->taints[i].key);
        c_str(c, &n->taints[i].value);
        c_str(c, &n->taints[i].effect);
    }
    c_conditions(c, &n->conds, &n->nconds);
    c_str(c, &n->internal_ip);
    c_str(c, &n->external_ip);
    c_str(c, &n->kubelet_version);
    c_str(c, &n->os_image);
    c_str(c, &n->kernel_version);
    c_str(c, &n->runtime_version);
    c_str(c, &n->arch);
    c_resources(c, &n->capacity);
    c_resources(c, &n->allocatable);
}

static void
c_container(struct codec *c, struct container *ct)
{
    int kind = (int)ct->kind, state = (int)ct->state;
    uint64_t nenv = ct->nenv;

    c_str(c, &ct->name);
    c_str(c, &ct->image);
    c_enum(c, &kind, CONTAINER_SIDECAR + 1);
    c_bool(c, &ct->ready);
    c_bool(c, &ct->started);
    c_int(c, &ct->restarts);
    c_enum(c, &state, CSTATE_TERMINATED + 1);
    c_str(c, &ct->reason);
    c_str(c, &ct->message);
    c_int(c, &ct->exit_code);
    c_int(c, &ct->signal);
    c_i64(c, &ct->started_at);
    c_i64(c, &ct->finished_at);
    c_str(c, &ct->last_reason);
    c_int(c, &ct->last_exit_code);
    c_i64(c, &ct->last_finished_at);
    c_resources(c, &ct->requests);
    c_resources(c, &ct->limits);
    c_uint(c, &nenv);
    c_strv(c, &ct->env_from);
    if (c->decoding && !c->bad) {
        ct->kind = (enum container_kind)kind;
        ct->state = (enum container_state)state;
        ct->nenv = (size_t)nenv;
    }
}

static void
c_pod(struct codec *c, struct pod *p)
{
    void *items = p->containers;

    c_str(c, &p->node);
    c_str(c, &p->phase);
    c_str(c, &p->status);
    c_str(c, &p->reason);
    c_str(c, &p->message);
    c_int(c, &p->ready);
    c_int(c, &p->total);
    c_int(c, &p->restarts);
    c_i64(c, &p->last_restart);
    c_bool(c, &p->pod_ready);
    c_str(c, &p->ip);
    c_str(c, &p->qos_class);
    c_str(c, &p->runtime_class);
    c_conditions(c, &p->conds, &p->nconds);
    c_list(c, &items, &p->ncontainers, sizeof(struct container));
    if ((c->decoding || c->packing) && !c->bad)
        p->containers = items;
    for (size_t i = 0; i < p->ncontainers && !c->bad; i++)
        c_container(c, &p->containers[i]);
}

static void
c_deployment(struct codec *c, struct deployment *d)
{
    c_int(c, &d->replicas);
    c_int(c, &d->ready);
    c_int(c, &d->updated);
    c_int(c, &d->available);
    c_int(c, &d->unavailable);
    c_str(c, &d->image);
    c_kv(c, &d->selector);
    c_conditions(c, &d->conds, &d->nconds);
}

static void
c_resourcequota(struct codec *c, struct resourcequota *q)
{
    void *items = q->items;

    c_list(c, &items, &q->nitems, sizeof(struct quota_item));
    if ((c->decoding || c->packing) && !c->bad)
        q->items = items;
    for (size_t i = 0; i < q->nitems && !c->bad; i++) {
        c_str(c, &q->items[i].resource);
        c_str(c, &q->items[i].hard);
        c_str(c, &q->items[i].used);
        if (c->decoding && !c->bad && !q->items[i].resource)
            c->bad = true;
    }
}

static void
c_networkpolicy(struct codec *c, struct networkpolicy *np)
{
    c_str(c, &np->pod_selector);
    c_bool(c, &np->ingress);
    c_bool(c, &np->egress);
}

static void
c_ingress(struct codec *c, struct ingress *ing)
{
    c_str(c, &ing->class_name);
    c_strv(c, &ing->hosts);
    c_strv(c, &ing->addresses);
    c_strv(c, &ing->backends);
    c_bool(c, &ing->tls);
}

static void
c_service(struct codec *c, struct service *svc)
{
    c_str(c, &svc->type);
    c_str(c, &svc->cluster_ip);
    c_str(c, &svc->ports);
    c_kv(c, &svc->selector);
}

static void
c_event(struct codec *c, struct event *ev)
{
    c_str(c, &ev->type);
    c_str(c, &ev->reason);
    c_str(c, &ev->message);
    c_str(c, &ev->involved_kind);
    c_str(c, &ev->involved_ns);
    c_str(c, &ev->involved_name);
    c_str(c, &ev->involved_uid);
    c_str(c, &ev->source);
    c_int(c, &ev->count);
    c_i64(c, &ev->first_seen);
    c_i64(c, &ev->last_seen);
}

static void
c_namespace(struct codec *c, struct namespace *ns)
{
    c_str(c, &ns->phase);
}

static const size_t kind_size[KIND_COUNT] = {
    [KIND_NODE] = sizeof(struct node),
    [KIND_NAMESPACE] = sizeof(struct namespace),
    [KIND_POD] = sizeof(struct pod),
    [KIND_DEPLOYMENT] = sizeof(struct deployment),
    [KIND_RESOURCEQUOTA] = sizeof(struct resourcequota),
    [KIND_NETWORKPOLICY] = sizeof(struct networkpolicy),
    [KIND_INGRESS] = sizeof(struct ingress),
    [KIND_SERVICE] = sizeof(struct service),
    [KIND_EVENT] = sizeof(struct event),
};

static void
c_object(struct codec *c, struct kobj *obj)
{
    c_kobj(c, obj);
    switch (obj->kind) {
    case KIND_NODE:
        c_node(c, (struct node *)obj);
        break;
    case KIND_NAMESPACE:
        c_namespace(c, (struct namespace *)obj);
        break;
    case KIND_POD:
        c_pod(c, (struct pod *)obj);
        break;
    case KIND_DEPLOYMENT:
        c_deployment(c, (struct deployment *)obj);
        break;
    case KIND_RESOURCEQUOTA:
        c_resourcequota(c, (struct resourcequota *)obj);
        break;
    case KIND_NETWORKPOLICY:
        c_networkpolicy(c, (struct networkpolicy *)obj);
        break;
    case KIND_INGRESS:
        c_ingress(c, (struct ingress *)obj);
        break;
    case KIND_SERVICE:
        c_service(c, (struct service *)obj);
        break;
    case KIND_EVENT:
        c_event(c, (struct event *)obj);
        break;
    case KIND_COUNT:
        c->bad = true;
        break;
    }
}

void
kobj_encode(const struct kobj *obj, struct strbuf *out)
{
    /* The codec functions take mutable pointers for the decoding
     * direction; encoding only reads through them. */
    struct codec c = {.decoding = false, .out = out};
    union {
        const struct kobj *in;
        struct kobj *rw;
    } u = {.in = obj};

    strbuf_putc(out, KOBJ_CODEC_VERSION);
    strbuf_putc(out, (char)obj->kind);
    c_object(&c, u.rw);
}

struct kobj *
kobj_decode(enum kind kind, const void *data, size_t len)
{
    const unsigned char *p = data;
    struct codec c = {.decoding = true};
    struct kobj *obj;

    if ((unsigned)kind >= KIND_COUNT) {
        status_fail(STATUS_CORRUPT, "cached object: unknown kind %d", (int)kind);
        return NULL;
    }
    if (!data || len < 2 || p[0] != KOBJ_CODEC_VERSION || p[1] != (unsigned char)kind) {
        status_fail(STATUS_CORRUPT, "cached %s: not a version %d %s blob",
                    kind_info(kind)->resource, KOBJ_CODEC_VERSION, kind_info(kind)->kind);
        return NULL;
    }
    c.p = p + 2;
    c.end = p + len;
    obj = xcalloc(1, kind_size[kind]);
    obj->kind = kind;
    c_object(&c, obj);
    if (c.bad || c.p != c.end) {
        status_fail(STATUS_CORRUPT, "cached %s: damaged at byte %zu of %zu",
                    kind_info(kind)->resource, (size_t)(c.p - p), len);
        kobj_free(obj);
        return NULL;
    }
    return kobj_pack(obj);
}

struct kobj *
kobj_pack(struct kobj *obj)
{
    struct codec c = {.packing = true};
    size_t head, total;
    struct kobj *out;

    if (!obj || obj->packed || (unsigned)obj->kind >= KIND_COUNT)
        return obj;
    head = kind_size[obj->kind];
    c.pk_size = head;
    c_object(&c, obj);
    total = c.pk_size;
    out = xmalloc(total);
    memcpy(out, obj, head);
    free(obj);
    c.pk_base = (char *)out;
    c.pk_size = head;
    c_object(&c, out);
    assert(c.pk_size == total);
    out->packed = true;
    return out;
}
