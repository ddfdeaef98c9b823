/* SPDX-License-Identifier: MIT */
/* model_parse.c - Kubernetes JSON objects into models, with kubectl's computed columns */
#include "config.h"

#include "opsdeck/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

#include "model_priv.h"

/*
 * Typed field access. Every getter treats an absent member and null alike
 * (Go's omitempty and explicit nulls both mean "not set") and records the
 * first wrong type it meets; the parse then fails as a whole, naming the
 * field by its path: "pods item: spec.containers[1].name: expected string".
 */
#define INDEX_SLOTS   4  /* objects indexed at a time (round robin) */
#define INDEX_MEMBERS 40 /* an object with more members is searched in place */

/* The members of one object, read once: the getters ask an object for
 * several keys, most of them absent, and a short array of key lengths and
 * first bytes answers each without walking the tokens again. */
struct member_index {
    uint32_t obj;  /* JSON_NONE: slot empty */
    bool in_place; /* too many members, or an escaped key: use json_get */
    uint32_t n;
    uint32_t len[INDEX_MEMBERS];
    const char *key[INDEX_MEMBERS]; /* raw key bytes in the source */
    uint32_t val[INDEX_MEMBERS];
};

struct pctx {
    const struct json_doc *doc;
    const char *resource; /* "pods" */
    bool failed;
    struct member_index idx[INDEX_SLOTS];
    unsigned next_slot;
};

static void
index_build(const struct json_doc *doc, uint32_t t, struct member_index *mi)
{
    uint32_t k = t + 1, n = doc->toks[t].size;

    mi->obj = t;
    mi->n = 0;
    mi->in_place = n > INDEX_MEMBERS;
    while (!mi->in_place && n--) {
        const struct json_tok *key = &doc->toks[k];

        if (key->escaped) {
            mi->in_place = true;
            break;
        }
        mi->len[mi->n] = key->len;
        mi->key[mi->n] = doc->src + key->start;
        mi->val[mi->n] = k + 1;
        mi->n++;
        k = doc->toks[k + 1].end;
    }
}

/* Member key of object t (the first of that name, as json_get), or
 * JSON_NONE. */
static uint32_t
lookup(struct pctx *c, uint32_t t, const char *key)
{
    struct member_index *mi = NULL;
    size_t len;

    if (t == JSON_NONE || json_type(c->doc, t) != JSON_OBJECT)
        return JSON_NONE;
    for (unsigned i = 0; i < INDEX_SLOTS; i++) {
        if (c->idx[i].obj == t) {
            mi = &c->idx[i];
            break;
        }
    }
    if (!mi) {
        mi = &c->idx[c->next_slot];
        c->next_slot = (c->next_slot + 1) % INDEX_SLOTS;
        index_build(c->doc, t, mi);
    }
    if (mi->in_place)
        return json_get(c->doc, t, key);
    len = strlen(key);
    for (uint32_t i = 0; i < mi->n; i++)
        if (mi->len[i] == len && mi->key[i][0] == key[0] && memcmp(mi->key[i], key, len) == 0)
            return mi->val[i];
    return JSON_NONE;
}

static void
pfail(struct pctx *c, const char *path, const char *key, const char *expected)
{
    if (c->failed)
        return;
    c->failed = true;
    status_fail(STATUS_JSON, "%s item: %s%s%s: expected %s", c->resource, path,
                *path && *key ? "." : "", key, expected);
}

/* Member key of t, JSON_NONE when absent or null; wrong types fail. */
static uint32_t
member(struct pctx *c, uint32_t t, const char *path, const char *key, enum json_type want,
       const char *expected)
{
    uint32_t v;
    enum json_type type;

    if (t == JSON_NONE)
        return JSON_NONE;
    v = lookup(c, t, key);
    type = json_type(c->doc, v);
    if (type == JSON_INVALID || type == JSON_NULL)
        return JSON_NONE;
    if (type != want) {
        pfail(c, path, key, expected);
        return JSON_NONE;
    }
    return v;
}

static uint32_t
get_obj(struct pctx *c, uint32_t t, const char *path, const char *key)
{
    return member(c, t, path, key, JSON_OBJECT, "object");
}

static uint32_t
get_arr(struct pctx *c, uint32_t t, const char *path, const char *key)
{
    return member(c, t, path, key, JSON_ARRAY, "array");
}

static char *
get_str(struct pctx *c, uint32_t t, const char *path, const char *key)
{
    return json_strdup(c->doc, member(c, t, path, key, JSON_STRING, "string"));
}

/* Whether member key is a string equal to s (absent: false). */
static bool
get_str_is(struct pctx *c, uint32_t t, const char *path, const char *key, const char *s)
{
    return json_streq(c->doc, member(c, t, path, key, JSON_STRING, "string"), s);
}

/* Quantities are strings on the wire; a number (from YAML written by
 * hand) is taken as its text. */
static char *
get_quantity(struct pctx *c, uint32_t t, const char *path, const char *key)
{
    uint32_t v;
    const char *raw;
    size_t len;

    if (t == JSON_NONE)
        return NULL;
    v = lookup(c, t, key);
    switch (json_type(c->doc, v)) {
    case JSON_STRING:
        return json_strdup(c->doc, v);
    case JSON_NUMBER:
        raw = json_raw(c->doc, v, &len);
        return xstrndup(raw, len);
    case JSON_INVALID:
    case JSON_NULL:
        return NULL;
    default:
        pfail(c, path, key, "quantity");
        return NULL;
    }
}

static int64_t
get_int(struct pctx *c, uint32_t t, const char *path, const char *key, int64_t def)
{
    uint32_t v = member(c, t, path, key, JSON_NUMBER, "integer");
    int64_t n;

    if (v == JSON_NONE)
        return def;
    if (!json_int64(c->doc, v, &n)) {
        pfail(c, path, key, "integer");
        return def;
    }
    return n;
}

/* An int field: values beyond int's range are clamped. */
static int
get_int32(struct pctx *c, uint32_t t, const char *path, const char *key, int def)
{
    int64_t n = get_int(c, t, path, key, def);

    return (int)CLAMP(n, INT32_MIN, INT32_MAX);
}

static bool
get_bool(struct pctx *c, uint32_t t, const char *path, const char *key, bool def)
{
    uint32_t v;
    bool b;

    if (t == JSON_NONE)
        return def;
    v = lookup(c, t, key);
    if (json_bool(c->doc, v, &b))
        return b;
    if (json_type(c->doc, v) != JSON_INVALID && json_type(c->doc, v) != JSON_NULL)
        pfail(c, path, key, "boolean");
    return def;
}

static bool
year_in_ns_range(const char *s)
{
    int year = 0;

    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        year = year * 10 + (s[i] - '0');
    }
    return year >= 1678 && year <= 2261;
}

/* An RFC 3339 timestamp into Unix seconds; 0 when absent. */
static int64_t
get_time(struct pctx *c, uint32_t t, const char *path, const char *key)
{
    uint32_t v = member(c, t, path, key, JSON_STRING, "RFC 3339 time");
    char buf[64];
    int64_t ns;

    if (v == JSON_NONE)
        return 0;
    /* time_parse_rfc3339 works in int64 nanoseconds, which end in 2262
     * (and overflow past it): years outside 1678-2261 are refused here. */
    if (json_strcpy(c->doc, v, buf, sizeof(buf)) >= sizeof(buf) || !year_in_ns_range(buf) ||
        !time_parse_rfc3339(buf, &ns)) {
        pfail(c, path, key, "RFC 3339 time");
        return 0;
    }
    return ns / NS_PER_SEC;
}

/*
 * Field paths for messages. Built for every container and condition, so
 * without snprintf (which cost more than the lookups it names).
 */

/* buf = a b c (each may be NULL), truncated to size - 1. */
static void
path3(char *buf, size_t size, const char *a, const char *b, const char *c)
{
    const char *parts[3] = { a, b, c };
    size_t len = 0;

    for (int k = 0; k < 3; k++) {
        size_t n = parts[k] ? strlen(parts[k]) : 0;

        if (n > size - 1 - len)
            n = size - 1 - len;
        memcpy(buf + len, parts[k] ? parts[k] : "", n);
        len += n;
    }
    buf[len] = '\0';
}

/* buf = a b "[" i "]", truncated to size - 1. */
static void
path_idx(char *buf, size_t size, const char *a, const char *b, size_t i)
{
    char digits[24], *d = digits + sizeof(digits);

    *--d = '\0';
    *--d = ']';
    do {
        *--d = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    *--d = '[';
    path3(buf, size, a, b, d);
}

/*
 * Shared pieces
 */

/* Inserts key=value keeping the list sorted; a repeated key takes the
 * later value, as Go's decoder does. Takes both strings. Go writes map keys
 * sorted, so the common case appends. */
static void
kv_insert(struct kv_list *list, size_t *cap, char *key, char *value)
{
    size_t pos = list->len;

    while (pos > 0 && strcmp(list->items[pos - 1].key, key) > 0)
        pos--;
    if (pos > 0 && strcmp(list->items[pos - 1].key, key) == 0) {
        free(list->items[pos - 1].value);
        list->items[pos - 1].value = value;
        free(key);
        return;
    }
    list->items = xgrow(list->items, cap, list->len + 1, sizeof(*list->items));
    memmove(&list->items[pos + 1], &list->items[pos], (list->len - pos) * sizeof(*list->items));
    list->items[pos].key = key;
    list->items[pos].value = value;
    list->len++;
}

/* A map of strings (labels, selectors). */
static void
parse_kv(struct pctx *c, uint32_t t, const char *path, const char *key, struct kv_list *out)
{
    uint32_t m = get_obj(c, t, path, key);
    struct json_iter it;
    uint32_t k, v;
    size_t cap = 0;

    json_iter_init(&it, c->doc, m);
    while (json_iter_next(&it, &k, &v)) {
        if (json_type(c->doc, v) != JSON_STRING) {
            char sub[96];
            path3(sub, sizeof(sub), path, *path ? "." : "", key);
            pfail(c, sub, "*", "string");
            return;
        }
        kv_insert(out, &cap, json_strdup(c->doc, k), json_strdup(c->doc, v));
    }
}

static void
parse_meta(struct pctx *c, uint32_t t, struct kobj *obj, bool namespaced)
{
    uint32_t m, refs, ref, controller = JSON_NONE, first = JSON_NONE;
    struct json_iter it;

    if (json_type(c->doc, t) != JSON_OBJECT) {
        pfail(c, "", "", "object");
        return;
    }
    m = get_obj(c, t, "", "metadata");
    if (m == JSON_NONE) {
        pfail(c, "", "metadata", "object");
        return;
    }
    obj->name = get_str(c, m, "metadata", "name");
    if (!obj->name)
        pfail(c, "metadata", "name", "string");
    if (namespaced)
        obj->ns = get_str(c, m, "metadata", "namespace");
    obj->uid = get_str(c, m, "metadata", "uid");
    obj->rv = get_str(c, m, "metadata", "resourceVersion");
    obj->created = get_time(c, m, "metadata", "creationTimestamp");
    obj->deleting = get_time(c, m, "metadata", "deletionTimestamp");
    parse_kv(c, m, "metadata", "labels", &obj->labels);

    refs = get_arr(c, m, "metadata", "ownerReferences");
    json_iter_init(&it, c->doc, refs);
    while (json_iter_next(&it, NULL, &ref)) {
        if (json_type(c->doc, ref) != JSON_OBJECT) {
            pfail(c, "metadata", "ownerReferences[]", "object");
            return;
        }
        if (first == JSON_NONE)
            first = ref;
        if (controller == JSON_NONE &&
            get_bool(c, ref, "metadata.ownerReferences[]", "controller", false))
            controller = ref;
    }
    if (controller == JSON_NONE)
        controller = first;
    if (controller != JSON_NONE) {
        obj->owner_kind = get_str(c, controller, "metadata.ownerReferences[]", "kind");
        obj->owner_name = get_str(c, controller, "metadata.ownerReferences[]", "name");
    }
}

static void
parse_conditions(struct pctx *c, uint32_t t, const char *path, struct condition **out, size_t *n)
{
    uint32_t arr = get_arr(c, t, path, "conditions");
    struct json_iter it;
    uint32_t v;
    size_t i = 0;
    char sub[64];

    if (arr == JSON_NONE)
        return;
    *out = xcalloc(c->doc->toks[arr].size, sizeof(**out));
    json_iter_init(&it, c->doc, arr);
    while (json_iter_next(&it, NULL, &v)) {
        struct condition *cond = &(*out)[i];
        path_idx(sub, sizeof(sub), path, ".conditions", i);
        i++;
        if (json_type(c->doc, v) != JSON_OBJECT) {
            pfail(c, sub, "", "object");
            break;
        }
        cond->type = get_str(c, v, sub, "type");
        cond->status = get_str(c, v, sub, "status");
        cond->reason = get_str(c, v, sub, "reason");
        cond->message = get_str(c, v, sub, "message");
        cond->last_transition = get_time(c, v, sub, "lastTransitionTime");
    }
    *n = i;
}

static const struct condition *
find_condition(const struct condition *conds, size_t n, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (conds[i].type && strcmp(conds[i].type, type) == 0)
            return &conds[i];
    return NULL;
}

static bool
condition_true(const struct condition *cond)
{
    return cond && cond->status && strcmp(cond->status, "True") == 0;
}

static void
parse_resources(struct pctx *c, uint32_t t, const char *path, const char *key, struct resources *r)
{
    uint32_t m = get_obj(c, t, path, key);
    char sub[96];

    if (m == JSON_NONE)
        return;
    path3(sub, sizeof(sub), path, *path ? "." : "", key);
    r->cpu = get_quantity(c, m, sub, "cpu");
    r->memory = get_quantity(c, m, sub, "memory");
    r->pods = get_quantity(c, m, sub, "pods");
    r->ephemeral_storage = get_quantity(c, m, sub, "ephemeral-storage");
}

/* A NULL-terminated list, or NULL for an empty one. Takes the vec's items. */
static char **
strv_from_vec(struct vec *v)
{
    char **out;

    if (v->len == 0) {
        vec_done(v);
        return NULL;
    }
    vec_push(v, NULL);
    out = (char **)v->items;
    v->items = NULL;
    v->len = v->cap = 0;
    return out;
}

static void
push_unique(struct vec *v, char *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < v->len; i++) {
        if (strcmp(v->items[i], s) == 0) {
            free(s);
            return;
        }
    }
    vec_push(v, s);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Label selectors as kubectl prints them (metav1.FormatLabelSelector):
 * requirements sorted by key, "k=v", "k in (a,b)", "k notin (a,b)", "k",
 * "!k"; values sorted. "" selects everything; "<error>" for an unknown
 * operator.
 */
struct requirement {
    char *key;
    char *text;
};

static int
cmp_requirement(const void *a, const void *b)
{
    return strcmp(((const struct requirement *)a)->key, ((const struct requirement *)b)->key);
}

static char *
parse_selector(struct pctx *c, uint32_t t, const char *path, const char *key)
{
    uint32_t sel = get_obj(c, t, path, key), exprs, e, vals, v;
    struct kv_list labels = {0};
    struct requirement *reqs = NULL;
    size_t nreqs = 0, cap = 0;
    struct json_iter it, vit;
    struct strbuf sb;
    bool bad = false;
    char sub[96];
    char *out;

    path3(sub, sizeof(sub), path, *path ? "." : "", key);
    parse_kv(c, sel, sub, "matchLabels", &labels);
    for (size_t i = 0; i < labels.len; i++) {
        reqs = xgrow(reqs, &cap, nreqs + 1, sizeof(*reqs));
        reqs[nreqs].key = xstrdup(labels.items[i].key);
        reqs[nreqs].text = xasprintf("%s=%s", labels.items[i].key, labels.items[i].value);
        nreqs++;
    }
    exprs = get_arr(c, sel, sub, "matchExpressions");
    snprintf(sub, sizeof(sub), "%s%s%s.matchExpressions[]", path, *path ? "." : "", key);
    json_iter_init(&it, c->doc, exprs);
    while (json_iter_next(&it, NULL, &e) && !c->failed) {
        char *ekey = get_str(c, e, sub, "key");
        char *op = get_str(c, e, sub, "operator");
        struct vec values;

        if (json_type(c->doc, e) != JSON_OBJECT)
            pfail(c, sub, "", "object");
        vec_init(&values, free);
        vals = get_arr(c, e, sub, "values");
        json_iter_init(&vit, c->doc, vals);
        while (json_iter_next(&vit, NULL, &v)) {
            if (json_type(c->doc, v) != JSON_STRING) {
                pfail(c, sub, "values[]", "string");
                break;
            }
            vec_push(&values, json_strdup(c->doc, v));
        }
        if (values.len > 1)
            qsort(values.items, values.len, sizeof(char *), cmp_str);
        strbuf_init(&sb);
        if (ekey && op && strcmp(op, "Exists") == 0) {
            strbuf_puts(&sb, ekey);
        } else if (ekey && op && strcmp(op, "DoesNotExist") == 0) {
            strbuf_printf(&sb, "!%s", ekey);
        } else if (ekey && op && (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) &&
                   values.len > 0) {
            strbuf_printf(&sb, "%s %s (", ekey, strcmp(op, "In") == 0 ? "in" : "notin");
            for (size_t i = 0; i < values.len; i++)
                strbuf_printf(&sb, "%s%s", i ? "," : "", (char *)values.items[i]);
            strbuf_putc(&sb, ')');
        } else {
            bad = true;
        }
        vec_done(&values);
        free(op);
        reqs = xgrow(reqs, &cap, nreqs + 1, sizeof(*reqs));
        reqs[nreqs].key = ekey ? ekey : xstrdup("");
        reqs[nreqs].text = sb.buf ? strbuf_detach(&sb) : xstrdup("");
        nreqs++;
    }
    /* Stable order for equal keys: matchLabels first, then expressions in
     * their order (insertion sort keeps ties). */
    for (size_t i = 1; i < nreqs; i++) {
        struct requirement r = reqs[i];
        size_t j = i;
        while (j > 0 && cmp_requirement(&reqs[j - 1], &r) > 0) {
            reqs[j] = reqs[j - 1];
            j--;
        }
        reqs[j] = r;
    }
    strbuf_init(&sb);
    for (size_t i = 0; i < nreqs; i++) {
        if (i)
            strbuf_putc(&sb, ',');
        strbuf_puts(&sb, reqs[i].text);
    }
    out = bad ? xstrdup("<error>") : sb.buf ? strbuf_detach(&sb) : xstrdup("");
    strbuf_done(&sb);
    for (size_t i = 0; i < nreqs; i++) {
        free(reqs[i].key);
        free(reqs[i].text);
    }
    free(reqs);
    kv_list_done(&labels);
    return out;
}

/*
 * Nodes (kubectl printNode)
 */

static struct kobj *
parse_node(struct pctx *c, uint32_t t)
{
    struct node *n = xcalloc(1, sizeof(*n));
    uint32_t spec, status, arr, v, info;
    struct json_iter it;
    const struct condition *ready = NULL;
    struct strbuf sb;
    struct vec roles;
    char sub[64];
    size_t i = 0;

    n->obj.kind = KIND_NODE;
    parse_meta(c, t, &n->obj, false);
    spec = get_obj(c, t, "", "spec");
    status = get_obj(c, t, "", "status");

    n->unschedulable = get_bool(c, spec, "spec", "unschedulable", false);
    arr = get_arr(c, spec, "spec", "taints");
    if (arr != JSON_NONE)
        n->taints = xcalloc(c->doc->toks[arr].size, sizeof(*n->taints));
    json_iter_init(&it, c->doc, arr);
    while (json_iter_next(&it, NULL, &v)) {
        path_idx(sub, sizeof(sub), "spec.taints", NULL, i);
        if (json_type(c->doc, v) != JSON_OBJECT) {
            pfail(c, sub, "", "object");
            break;
        }
        n->taints[i].key = get_str(c, v, sub, "key");
        n->taints[i].value = get_str(c, v, sub, "value");
        n->taints[i].effect = get_str(c, v, sub, "effect");
        n->ntaints = ++i;
    }

    parse_conditions(c, status, "status", &n->conds, &n->nconds);
    /* kubectl keeps the last condition of each type. */
    for (i = 0; i < n->nconds; i++) {
        const struct condition *cond = &n->conds[i];
        if (!cond->type)
            continue;
        if (strcmp(cond->type, "Ready") == 0)
            ready = cond;
        else if (strcmp(cond->type, "MemoryPressure") == 0)
            n->memory_pressure = condition_true(cond);
        else if (strcmp(cond->type, "DiskPressure") == 0)
            n->disk_pressure = condition_true(cond);
        else if (strcmp(cond->type, "PIDPressure") == 0)
            n->pid_pressure = condition_true(cond);
        else if (strcmp(cond->type, "NetworkUnavailable") == 0)
            n->network_unavailable = condition_true(cond);
    }
    n->ready = condition_true(ready);
    n->ready_since = ready ? ready->last_transition : 0;
    n->status = xasprintf("%s%s",
                          !ready     ? "Unknown"
                          : n->ready ? "Ready"
                                     : "NotReady",
                          n->unschedulable ? ",SchedulingDisabled" : "");

    /* ROLES: node-role.kubernetes.io/<role> keys (value ignored) and the
     * value of kubernetes.io/role; a sorted set. */
    vec_init(&roles, free);
    for (i = 0; i < n->obj.labels.len; i++) {
        static const char prefix[] = "node-role.kubernetes.io/";
        const struct kv *kv = &n->obj.labels.items[i];
        if (strncmp(kv->key, prefix, sizeof(prefix) - 1) == 0) {
            if (kv->key[sizeof(prefix) - 1])
                push_unique(&roles, xstrdup(kv->key + sizeof(prefix) - 1));
        } else if (strcmp(kv->key, "kubernetes.io/role") == 0 && *kv->value) {
            push_unique(&roles, xstrdup(kv->value));
        }
    }
    if (roles.len > 1)
        qsort(roles.items, roles.len, sizeof(char *), cmp_str);
    strbuf_init(&sb);
    for (i = 0; i < roles.len; i++)
        strbuf_printf(&sb, "%s%s", i ? "," : "", (char *)roles.items[i]);
    n->roles = roles.len ? strbuf_detach(&sb) : xstrdup("<none>");
    strbuf_done(&sb);
    vec_done(&roles);

    arr = get_arr(c, status, "status", "addresses");
    json_iter_init(&it, c->doc, arr);
    while (json_iter_next(&it, NULL, &v)) {
        if (json_type(c->doc, v) != JSON_OBJECT) {
            pfail(c, "status", "addresses[]", "object");
            break;
        }
        if (!n->internal_ip && get_str_is(c, v, "status.addresses[]", "type", "InternalIP"))
            n->internal_ip = get_str(c, v, "status.addresses[]", "address");
        else if (!n->external_ip && get_str_is(c, v, "status.addresses[]", "type", "ExternalIP"))
            n->external_ip = get_str(c, v, "status.addresses[]", "address");
    }
    info = get_obj(c, status, "status", "nodeInfo");
    n->kubelet_version = get_str(c, info, "status.nodeInfo", "kubeletVersion");
    n->os_image = get_str(c, info, "status.nodeInfo", "osImage");
    n->kernel_version = get_str(c, info, "status.nodeInfo", "kernelVersion");
    n->runtime_version = get_str(c, info, "status.nodeInfo", "containerRuntimeVersion");
    n->arch = get_str(c, info, "status.nodeInfo", "architecture");
    parse_resources(c, status, "status", "capacity", &n->capacity);
    parse_resources(c, status, "status", "allocatable", &n->allocatable);
    return &n->obj;
}

/*
 * Pods (kubectl printPod)
 */

static void
parse_container_spec(struct pctx *c, uint32_t v, const char *path, struct container *ct)
{
    uint32_t res, env, from, ref;
    struct json_iter it;
    struct vec names;

    if (json_type(c->doc, v) != JSON_OBJECT) {
        pfail(c, path, "", "object");
        return;
    }
    ct->name = get_str(c, v, path, "name");
    if (!ct->name)
        pfail(c, path, "name", "string");
    ct->image = get_str(c, v, path, "image");
    res = get_obj(c, v, path, "resources");
    if (res != JSON_NONE) {
        char sub[96];
        path3(sub, sizeof(sub), path, ".resources", NULL);
        parse_resources(c, res, sub, "requests", &ct->requests);
        parse_resources(c, res, sub, "limits", &ct->limits);
    }
    /* env: counted only; names and values never leave this function. */
    env = get_arr(c, v, path, "env");
    if (env != JSON_NONE)
        ct->nenv = c->doc->toks[env].size;
    from = get_arr(c, v, path, "envFrom");
    vec_init(&names, free);
    if (from != JSON_NONE) {
        char sub[96];
        path3(sub, sizeof(sub), path, ".envFrom[]", NULL);
        json_iter_init(&it, c->doc, from);
        while (json_iter_next(&it, NULL, &ref)) {
            char rp[112];
            const char *which = "secretRef";
            uint32_t r = get_obj(c, ref, sub, which);
            if (r == JSON_NONE) {
                which = "configMapRef";
                r = get_obj(c, ref, sub, which);
            }
            path3(rp, sizeof(rp), sub, ".", which);
            push_unique(&names, get_str(c, r, rp, "name"));
        }
    }
    ct->env_from = strv_from_vec(&names);
}

static void
parse_container_status(struct pctx *c, uint32_t v, const char *path, struct container *ct)
{
    uint32_t state, s, last;

    if (json_type(c->doc, v) != JSON_OBJECT) {
        pfail(c, path, "", "object");
        return;
    }
    ct->name = get_str(c, v, path, "name");
    ct->image = get_str(c, v, path, "image");
    ct->ready = get_bool(c, v, path, "ready", false);
    ct->started = get_bool(c, v, path, "started", false);
    ct->restarts = get_int32(c, v, path, "restartCount", 0);
    state = get_obj(c, v, path, "state");
    if (state != JSON_NONE) {
        char sp[96], sub[112];
        path3(sp, sizeof(sp), path, ".state", NULL);
        if ((s = get_obj(c, state, sp, "waiting")) != JSON_NONE) {
            path3(sub, sizeof(sub), sp, ".waiting", NULL);
            ct->state = CSTATE_WAITING;
            ct->reason = get_str(c, s, sub, "reason");
            ct->message = get_str(c, s, sub, "message");
        } else if ((s = get_obj(c, state, sp, "terminated")) != JSON_NONE) {
            path3(sub, sizeof(sub), sp, ".terminated", NULL);
            ct->state = CSTATE_TERMINATED;
            ct->reason = get_str(c, s, sub, "reason");
            ct->message = get_str(c, s, sub, "message");
            ct->exit_code = get_int32(c, s, sub, "exitCode", 0);
            ct->signal = get_int32(c, s, sub, "signal", 0);
            ct->started_at = get_time(c, s, sub, "startedAt");
            ct->finished_at = get_time(c, s, sub, "finishedAt");
        } else if ((s = get_obj(c, state, sp, "running")) != JSON_NONE) {
            path3(sub, sizeof(sub), sp, ".running", NULL);
            ct->state = CSTATE_RUNNING;
            ct->started_at = get_time(c, s, sub, "startedAt");
        }
    }
    last = get_obj(c, v, path, "lastState");
    if (last != JSON_NONE) {
        char sp[96], sub[112];
        path3(sp, sizeof(sp), path, ".lastState", NULL);
        last = get_obj(c, last, sp, "terminated");
        path3(sub, sizeof(sub), sp, ".terminated", NULL);
        ct->last_reason = get_str(c, last, sub, "reason");
        ct->last_exit_code = get_int32(c, last, sub, "exitCode", 0);
        ct->last_finished_at = get_time(c, last, sub, "finishedAt");
    }
}

/* Parses a status array into new containers (*n of them). */
static struct container *
parse_statuses(struct pctx *c, uint32_t status, const char *key, size_t *n)
{
    uint32_t arr = get_arr(c, status, "status", key), v;
    struct container *out;
    struct json_iter it;
    char sub[64];
    size_t i = 0;

    *n = 0;
    if (arr == JSON_NONE || c->doc->toks[arr].size == 0)
        return NULL;
    out = xcalloc(c->doc->toks[arr].size, sizeof(*out));
    json_iter_init(&it, c->doc, arr);
    while (json_iter_next(&it, NULL, &v) && !c->failed) {
        path_idx(sub, sizeof(sub), "status.", key, i);
        parse_container_status(c, v, sub, &out[i]);
        *n = ++i;
    }
    return out;
}

/* Index of the container called name, or n. */
static size_t
find_container(const struct container *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].name && name && strcmp(list[i].name, name) == 0)
            return i;
    return n;
}

static void
set_reason(char **reason, char *text)
{
    free(*reason);
    *reason = text;
}

/*
 * kubectl's STATUS, READY and RESTARTS, following printPod line by line
 * (kubernetes/pkg/printers/internalversion/printers.go). `spec` holds the
 * pod's containers in spec order with their kinds; the status arrays are
 * walked in the order the API sent them, as kubectl does.
 */
static void
pod_columns(struct pod *p, const struct container *spec, size_t ninit, size_t napp,
            const struct container *init_st, size_t ninit_st, const struct container *app_st,
            size_t napp_st)
{
    char *reason = xstrdup(p->phase ? p->phase : "");
    /* Sums in 64 bits: restart counts come from the wire. */
    int64_t restarts = 0, sidecar_restarts = 0;
    int ready = 0, total = (int)napp;
    int64_t last = 0, sidecar_last = 0;
    bool initializing = false;

    if (p->reason && *p->reason)
        set_reason(&reason, xstrdup(p->reason));
    for (size_t i = 0; i < p->nconds; i++)
        if (p->conds[i].type && strcmp(p->conds[i].type, "PodScheduled") == 0 &&
            p->conds[i].reason && strcmp(p->conds[i].reason, "SchedulingGated") == 0)
            set_reason(&reason, xstrdup("SchedulingGated"));

    for (size_t i = 0; i < ninit; i++)
        if (spec[i].kind == CONTAINER_SIDECAR)
            total++;

    for (size_t i = 0; i < ninit_st; i++) {
        const struct container *st = &init_st[i];
        size_t sp = find_container(spec, ninit, st->name);
        bool sidecar = sp < ninit && spec[sp].kind == CONTAINER_SIDECAR;

        restarts += st->restarts;
        if (st->last_finished_at > last)
            last = st->last_finished_at;
        if (sidecar) {
            sidecar_restarts += st->restarts;
            if (st->last_finished_at > sidecar_last)
                sidecar_last = st->last_finished_at;
        }
        if (st->state == CSTATE_TERMINATED && st->exit_code == 0)
            continue;
        if (sidecar && st->started) {
            if (st->ready)
                ready++;
            continue;
        }
        if (st->state == CSTATE_TERMINATED) {
            if (st->reason && *st->reason)
                set_reason(&reason, xasprintf("Init:%s", st->reason));
            else if (st->signal != 0)
                set_reason(&reason, xasprintf("Init:Signal:%d", st->signal));
            else
                set_reason(&reason, xasprintf("Init:ExitCode:%d", st->exit_code));
        } else if (st->state == CSTATE_WAITING && st->reason && *st->reason &&
                   strcmp(st->reason, "PodInitializing") != 0) {
            set_reason(&reason, xasprintf("Init:%s", st->reason));
        } else {
            set_reason(&reason, xasprintf("Init:%zu/%zu", i, ninit));
        }
        initializing = true;
        break;
    }

    if (!initializing || condition_true(find_condition(p->conds, p->nconds, "Initialized"))) {
        bool has_running = false;

        restarts = sidecar_restarts;
        last = sidecar_last;
        for (size_t i = napp_st; i-- > 0;) {
            const struct container *st = &app_st[i];
            restarts += st->restarts;
            if (st->last_finished_at > last)
                last = st->last_finished_at;
            if (st->state == CSTATE_WAITING && st->reason && *st->reason) {
                set_reason(&reason, xstrdup(st->reason));
            } else if (st->state == CSTATE_TERMINATED && st->reason && *st->reason) {
                set_reason(&reason, xstrdup(st->reason));
            } else if (st->state == CSTATE_TERMINATED) {
                if (st->signal != 0)
                    set_reason(&reason, xasprintf("Signal:%d", st->signal));
                else
                    set_reason(&reason, xasprintf("ExitCode:%d", st->exit_code));
            } else if (st->ready && st->state == CSTATE_RUNNING) {
                has_running = true;
                ready++;
            }
        }
        if (strcmp(reason, "Completed") == 0 && has_running)
            set_reason(&reason, xstrdup(p->pod_ready ? "Running" : "NotReady"));
    }

    if (p->obj.deleting && p->reason && strcmp(p->reason, "NodeLost") == 0)
        set_reason(&reason, xstrdup("Unknown"));
    else if (p->obj.deleting &&
             !(p->phase && (strcmp(p->phase, "Succeeded") == 0 || strcmp(p->phase, "Failed") == 0)))
        set_reason(&reason, xstrdup("Terminating"));

    p->status = reason;
    p->ready = ready;
    p->total = total;
    p->restarts = (int)CLAMP(restarts, INT32_MIN, INT32_MAX);
    p->last_restart = last;
}

/* Moves the status fields of st into the spec container ct. */
static void
container_take_status(struct container *ct, struct container *st)
{
    ct->ready = st->ready;
    ct->started = st->started;
    ct->restarts = st->restarts;
    ct->state = st->state;
    ct->reason = st->reason;
    ct->message = st->message;
    ct->exit_code = st->exit_code;
    ct->signal = st->signal;
    ct->started_at = st->started_at;
    ct->finished_at = st->finished_at;
    ct->last_reason = st->last_reason;
    ct->last_exit_code = st->last_exit_code;
    ct->last_finished_at = st->last_finished_at;
    st->reason = st->message = st->last_reason = NULL;
    free(st->name);
    st->name = NULL; /* taken: a second status of the same name finds nothing */
}

static void
free_statuses(struct container *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].image);
        free(list[i].reason);
        free(list[i].message);
        free(list[i].last_reason);
    }
    free(list);
}

static struct kobj *
parse_pod(struct pctx *c, uint32_t t)
{
    struct pod *p = xcalloc(1, sizeof(*p));
    uint32_t spec, status, inits, apps, v;
    struct container *init_st, *app_st;
    size_t ninit = 0, napp = 0, ninit_st, napp_st, i = 0;
    struct json_iter it;
    char sub[64];

    p->obj.kind = KIND_POD;
    parse_meta(c, t, &p->obj, true);
    spec = get_obj(c, t, "", "spec");
    status = get_obj(c, t, "", "status");
    p->node = get_str(c, spec, "spec", "nodeName");
    p->runtime_class = get_str(c, spec, "spec", "runtimeClassName");
    p->phase = get_str(c, status, "status", "phase");
    p->reason = get_str(c, status, "status", "reason");
    p->message = get_str(c, status, "status", "message");
    p->ip = get_str(c, status, "status", "podIP");
    p->qos_class = get_str(c, status, "status", "qosClass");
    parse_conditions(c, status, "status", &p->conds, &p->nconds);
    for (size_t k = 0; k < p->nconds; k++)
        if (p->conds[k].type && strcmp(p->conds[k].type, "Ready") == 0 &&
            condition_true(&p->conds[k]))
            p->pod_ready = true;

    inits = get_arr(c, spec, "spec", "initContainers");
    apps = get_arr(c, spec, "spec", "containers");
    if (apps == JSON_NONE && !c->failed)
        pfail(c, "spec", "containers", "array");
    if (inits != JSON_NONE)
        ninit = c->doc->toks[inits].size;
    if (apps != JSON_NONE)
        napp = c->doc->toks[apps].size;
    if (ninit + napp)
        p->containers = xcalloc(ninit + napp, sizeof(*p->containers));
    json_iter_init(&it, c->doc, inits);
    while (json_iter_next(&it, NULL, &v) && !c->failed) {
        struct container *ct = &p->containers[i];
        path_idx(sub, sizeof(sub), "spec.initContainers", NULL, i);
        parse_container_spec(c, v, sub, ct);
        ct->kind =
            get_str_is(c, v, sub, "restartPolicy", "Always") ? CONTAINER_SIDECAR : CONTAINER_INIT;
        p->ncontainers = ++i;
    }
    json_iter_init(&it, c->doc, apps);
    while (json_iter_next(&it, NULL, &v) && !c->failed) {
        struct container *ct = &p->containers[i];
        path_idx(sub, sizeof(sub), "spec.containers", NULL, i - ninit);
        parse_container_spec(c, v, sub, ct);
        ct->kind = CONTAINER_APP;
        p->ncontainers = ++i;
    }
    if (c->failed)
        return &p->obj;

    init_st = parse_statuses(c, status, "initContainerStatuses", &ninit_st);
    app_st = parse_statuses(c, status, "containerStatuses", &napp_st);
    if (!c->failed) {
        pod_columns(p, p->containers, ninit, napp, init_st, ninit_st, app_st, napp_st);
        for (i = 0; i < p->ncontainers; i++) {
            struct container *ct = &p->containers[i];
            size_t k;
            if (i < ninit && (k = find_container(init_st, ninit_st, ct->name)) < ninit_st)
                container_take_status(ct, &init_st[k]);
            else if (i >= ninit && (k = find_container(app_st, napp_st, ct->name)) < napp_st)
                container_take_status(ct, &app_st[k]);
        }
    }
    free_statuses(init_st, ninit_st);
    free_statuses(app_st, napp_st);
    return &p->obj;
}

/*
 * The other kinds
 */

static struct kobj *
parse_namespace(struct pctx *c, uint32_t t)
{
    struct namespace *ns = xcalloc(1, sizeof(*ns));

    ns->obj.kind = KIND_NAMESPACE;
    parse_meta(c, t, &ns->obj, false);
    ns->phase = get_str(c, get_obj(c, t, "", "status"), "status", "phase");
    return &ns->obj;
}

static struct kobj *
parse_deployment(struct pctx *c, uint32_t t)
{
    struct deployment *d = xcalloc(1, sizeof(*d));
    uint32_t spec, status, tmpl, containers;

    d->obj.kind = KIND_DEPLOYMENT;
    parse_meta(c, t, &d->obj, true);
    spec = get_obj(c, t, "", "spec");
    status = get_obj(c, t, "", "status");
    d->replicas = get_int32(c, spec, "spec", "replicas", 1);
    parse_kv(c, get_obj(c, spec, "spec", "selector"), "spec.selector", "matchLabels", &d->selector);
    tmpl = get_obj(c, get_obj(c, spec, "spec", "template"), "spec.template", "spec");
    containers = get_arr(c, tmpl, "spec.template.spec", "containers");
    if (containers != JSON_NONE && c->doc->toks[containers].size > 0) {
        uint32_t first = json_at(c->doc, containers, 0);
        if (json_type(c->doc, first) != JSON_OBJECT)
            pfail(c, "spec.template.spec", "containers[0]", "object");
        else
            d->image = get_str(c, first, "spec.template.spec.containers[0]", "image");
    }
    /* Zero counts are omitted from the JSON (omitempty): absent means 0. */
    d->ready = get_int32(c, status, "status", "readyReplicas", 0);
    d->updated = get_int32(c, status, "status", "updatedReplicas", 0);
    d->available = get_int32(c, status, "status", "availableReplicas", 0);
    d->unavailable = get_int32(c, status, "status", "unavailableReplicas", 0);
    parse_conditions(c, status, "status", &d->conds, &d->nconds);
    return &d->obj;
}

static int
cmp_quota_item(const void *a, const void *b)
{
    return strcmp(((const struct quota_item *)a)->resource,
                  ((const struct quota_item *)b)->resource);
}

/* kubectl lists status.hard's resources; before the quota controller has
 * filled the status, spec.hard's are shown. */
static struct kobj *
parse_resourcequota(struct pctx *c, uint32_t t)
{
    struct resourcequota *q = xcalloc(1, sizeof(*q));
    uint32_t spec_hard, st_hard, st_used, keys, k, v;
    const char *keys_path;
    struct json_iter it;

    q->obj.kind = KIND_RESOURCEQUOTA;
    parse_meta(c, t, &q->obj, true);
    spec_hard = get_obj(c, get_obj(c, t, "", "spec"), "spec", "hard");
    st_hard = get_obj(c, get_obj(c, t, "", "status"), "status", "hard");
    st_used = get_obj(c, get_obj(c, t, "", "status"), "status", "used");
    keys = st_hard;
    keys_path = "status.hard";
    if (keys == JSON_NONE || c->doc->toks[keys].size == 0) {
        keys = spec_hard;
        keys_path = "spec.hard";
    }
    if (keys != JSON_NONE && c->doc->toks[keys].size)
        q->items = xcalloc(c->doc->toks[keys].size, sizeof(*q->items));
    json_iter_init(&it, c->doc, keys);
    while (json_iter_next(&it, &k, &v) && !c->failed) {
        struct quota_item *item;
        char *name = json_strdup(c->doc, k);
        bool dup = false;

        for (size_t i = 0; i < q->nitems && !dup; i++)
            dup = strcmp(q->items[i].resource, name) == 0;
        if (dup) {
            free(name);
            continue;
        }
        item = &q->items[q->nitems++];
        item->resource = name;
        item->hard = get_quantity(c, keys, keys_path, name);
        item->used = get_quantity(c, st_used, "status.used", name);
    }
    if (q->nitems)
        qsort(q->items, q->nitems, sizeof(*q->items), cmp_quota_item);
    return &q->obj;
}

static struct kobj *
parse_networkpolicy(struct pctx *c, uint32_t t)
{
    struct networkpolicy *np = xcalloc(1, sizeof(*np));
    uint32_t spec, types, v;
    struct json_iter it;

    np->obj.kind = KIND_NETWORKPOLICY;
    parse_meta(c, t, &np->obj, true);
    spec = get_obj(c, t, "", "spec");
    np->pod_selector = parse_selector(c, spec, "spec", "podSelector");
    types = get_arr(c, spec, "spec", "policyTypes");
    if (types != JSON_NONE) {
        json_iter_init(&it, c->doc, types);
        while (json_iter_next(&it, NULL, &v)) {
            if (json_type(c->doc, v) != JSON_STRING) {
                pfail(c, "spec", "policyTypes[]", "string");
                break;
            }
            np->ingress |= json_streq(c->doc, v, "Ingress");
            np->egress |= json_streq(c->doc, v, "Egress");
        }
    } else {
        /* The API's default: every policy affects ingress; egress when it
         * has an egress section. */
        np->ingress = true;
        uint32_t egress = get_arr(c, spec, "spec", "egress");
        np->egress = egress != JSON_NONE && c->doc->toks[egress].size > 0;
    }
    return &np->obj;
}

/* networking.k8s.io/v1 backend.service.name, or the serviceName of the
 * v1beta1 shape older objects still carry. */
static char *
backend_service(struct pctx *c, uint32_t backend, const char *path)
{
    char sub[96];
    char *name;

    path3(sub, sizeof(sub), path, ".service", NULL);
    name = get_str(c, get_obj(c, backend, path, "service"), sub, "name");
    if (!name)
        name = get_str(c, backend, path, "serviceName");
    return name;
}

static struct kobj *
parse_ingress(struct pctx *c, uint32_t t)
{
    struct ingress *ing = xcalloc(1, sizeof(*ing));
    uint32_t spec, rules, rule, paths, path, lb, tls, v;
    struct json_iter it, pit;
    struct vec hosts, addrs, backends;

    ing->obj.kind = KIND_INGRESS;
    parse_meta(c, t, &ing->obj, true);
    spec = get_obj(c, t, "", "spec");
    ing->class_name = get_str(c, spec, "spec", "ingressClassName");
    vec_init(&hosts, free);
    vec_init(&addrs, free);
    vec_init(&backends, free);
    push_unique(&backends, backend_service(c, get_obj(c, spec, "spec", "defaultBackend"),
                                           "spec.defaultBackend"));
    rules = get_arr(c, spec, "spec", "rules");
    json_iter_init(&it, c->doc, rules);
    while (json_iter_next(&it, NULL, &rule) && !c->failed) {
        char *host = get_str(c, rule, "spec.rules[]", "host");
        if (host && *host)
            push_unique(&hosts, host);
        else
            free(host);
        paths = get_arr(c, get_obj(c, rule, "spec.rules[]", "http"), "spec.rules[].http", "paths");
        json_iter_init(&pit, c->doc, paths);
        while (json_iter_next(&pit, NULL, &path))
            push_unique(&backends,
                        backend_service(c, get_obj(c, path, "spec.rules[].http.paths[]", "backend"),
                                        "spec.rules[].http.paths[].backend"));
    }
    tls = get_arr(c, spec, "spec", "tls");
    ing->tls = tls != JSON_NONE && c->doc->toks[tls].size > 0;
    lb = get_arr(c, get_obj(c, get_obj(c, t, "", "status"), "status", "loadBalancer"),
                 "status.loadBalancer", "ingress");
    json_iter_init(&it, c->doc, lb);
    while (json_iter_next(&it, NULL, &v)) {
        char *a = get_str(c, v, "status.loadBalancer.ingress[]", "ip");
        if (!a)
            a = get_str(c, v, "status.loadBalancer.ingress[]", "hostname");
        push_unique(&addrs, a);
    }
    ing->hosts = strv_from_vec(&hosts);
    ing->addresses = strv_from_vec(&addrs);
    ing->backends = strv_from_vec(&backends);
    return &ing->obj;
}

static struct kobj *
parse_service(struct pctx *c, uint32_t t)
{
    struct service *svc = xcalloc(1, sizeof(*svc));
    uint32_t spec, ports, port;
    struct json_iter it;
    struct strbuf sb;
    size_t i = 0;

    svc->obj.kind = KIND_SERVICE;
    parse_meta(c, t, &svc->obj, true);
    spec = get_obj(c, t, "", "spec");
    svc->type = get_str(c, spec, "spec", "type");
    if (!svc->type)
        svc->type = xstrdup("ClusterIP");
    svc->cluster_ip = get_str(c, spec, "spec", "clusterIP");
    parse_kv(c, spec, "spec", "selector", &svc->selector);
    strbuf_init(&sb);
    ports = get_arr(c, spec, "spec", "ports");
    json_iter_init(&it, c->doc, ports);
    while (json_iter_next(&it, NULL, &port) && !c->failed) {
        char sub[48], proto[32];
        int64_t num, node_port;

        path_idx(sub, sizeof(sub), "spec.ports", NULL, i);
        if (json_type(c->doc, port) != JSON_OBJECT) {
            pfail(c, sub, "", "object");
            break;
        }
        num = get_int(c, port, sub, "port", 0);
        node_port = get_int(c, port, sub, "nodePort", 0);
        if (!json_strcpy(c->doc, member(c, port, sub, "protocol", JSON_STRING, "string"), proto,
                         sizeof(proto)))
            strcpy(proto, "TCP");
        if (i++)
            strbuf_putc(&sb, ',');
        if (node_port > 0)
            strbuf_printf(&sb, "%lld:%lld/%s", (long long)num, (long long)node_port, proto);
        else
            strbuf_printf(&sb, "%lld/%s", (long long)num, proto);
    }
    svc->ports = sb.len ? strbuf_detach(&sb) : xstrdup("<none>");
    strbuf_done(&sb);
    return &svc->obj;
}

static struct kobj *
parse_event(struct pctx *c, uint32_t t)
{
    struct event *ev = xcalloc(1, sizeof(*ev));
    uint32_t inv, series;
    int64_t event_time, last;

    ev->obj.kind = KIND_EVENT;
    parse_meta(c, t, &ev->obj, true);
    ev->type = get_str(c, t, "", "type");
    ev->reason = get_str(c, t, "", "reason");
    ev->message = get_str(c, t, "", "message");
    inv = get_obj(c, t, "", "involvedObject");
    ev->involved_kind = get_str(c, inv, "involvedObject", "kind");
    ev->involved_ns = get_str(c, inv, "involvedObject", "namespace");
    ev->involved_name = get_str(c, inv, "involvedObject", "name");
    ev->involved_uid = get_str(c, inv, "involvedObject", "uid");
    ev->source = get_str(c, get_obj(c, t, "", "source"), "source", "component");
    if (!ev->source || !*ev->source) {
        free(ev->source);
        ev->source = get_str(c, t, "", "reportingComponent");
    }
    if (!ev->source || !*ev->source) {
        free(ev->source);
        ev->source = get_str(c, t, "", "reportingController");
    }

    /* kubectl printEvent: first = firstTimestamp, else eventTime; last =
     * series.lastObservedTime with a series, else lastTimestamp, else first;
     * count = series.count with a series, else count, 0 meaning 1. */
    event_time = get_time(c, t, "", "eventTime");
    ev->first_seen = get_time(c, t, "", "firstTimestamp");
    if (!ev->first_seen)
        ev->first_seen = event_time;
    last = get_time(c, t, "", "lastTimestamp");
    ev->last_seen = last ? last : ev->first_seen;
    ev->count = get_int32(c, t, "", "count", 0);
    series = get_obj(c, t, "", "series");
    if (series != JSON_NONE) {
        ev->last_seen = get_time(c, series, "series", "lastObservedTime");
        ev->count = get_int32(c, series, "series", "count", 0);
    } else if (ev->count == 0) {
        ev->count = 1;
    }
    return &ev->obj;
}

struct kobj *
kobj_parse(enum kind kind, const struct json_doc *doc, uint32_t t)
{
    struct pctx c; /* not zeroed whole: the indexes are large, and only .obj matters */
    struct kobj *obj;

    c.doc = doc;
    c.failed = false;
    c.next_slot = 0;
    for (unsigned i = 0; i < INDEX_SLOTS; i++)
        c.idx[i].obj = JSON_NONE;
    if ((unsigned)kind >= KIND_COUNT) {
        status_fail(STATUS_INVALID, "unknown kind %d", (int)kind);
        return NULL;
    }
    c.resource = kind_info(kind)->resource;
    if (json_type(doc, t) != JSON_OBJECT) {
        status_fail(STATUS_JSON, "%s item: expected object", c.resource);
        return NULL;
    }
    switch (kind) {
    case KIND_NODE:
        obj = parse_node(&c, t);
        break;
    case KIND_NAMESPACE:
        obj = parse_namespace(&c, t);
        break;
    case KIND_POD:
        obj = parse_pod(&c, t);
        break;
    case KIND_DEPLOYMENT:
        obj = parse_deployment(&c, t);
        break;
    case KIND_RESOURCEQUOTA:
        obj = parse_resourcequota(&c, t);
        break;
    case KIND_NETWORKPOLICY:
        obj = parse_networkpolicy(&c, t);
        break;
    case KIND_INGRESS:
        obj = parse_ingress(&c, t);
        break;
    case KIND_SERVICE:
        obj = parse_service(&c, t);
        break;
    case KIND_EVENT:
        obj = parse_event(&c, t);
        break;
    default:
        return NULL;
    }
    if (c.failed) {
        kobj_free(obj);
        return NULL;
    }
    return kobj_pack(obj);
}
