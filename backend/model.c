/* SPDX-License-Identifier: MIT */
/* model.c - kind registry, string maps, freeing, quantities and kubectl's small printers */
#include "config.h"

#include "opsdeck/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opsdeck/clock.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * Kinds
 */

#define KIND_ROW(name, kind_, resource, group, version, namespaced, short_name)                    \
    {kind_, resource, group, version, namespaced, short_name},
static const struct kind_info kinds[KIND_COUNT] = {KIND_INFO(KIND_ROW)};
#undef KIND_ROW

const struct kind_info *
kind_info(enum kind kind)
{
    if ((unsigned)kind >= KIND_COUNT)
        return NULL;
    return &kinds[kind];
}

bool
kind_parse(const char *s, enum kind *out)
{
    if (!s || !*s)
        return false;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const struct kind_info *k = &kinds[i];
        /* The singular is the kind in lower case; comparing the kind
         * without case covers it. */
        if (strcasecmp(s, k->kind) == 0 || strcasecmp(s, k->resource) == 0 ||
            strcasecmp(s, k->short_name) == 0) {
            *out = (enum kind)i;
            return true;
        }
    }
    return false;
}

/*
 * String maps
 */

const char *
kv_get(const struct kv_list *list, const char *key)
{
    size_t lo = 0, hi = list->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(list->items[mid].key, key);
        if (c == 0)
            return list->items[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

char *
kv_join(const struct kv_list *list)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < list->len; i++) {
        if (i)
            strbuf_putc(&sb, ',');
        strbuf_puts(&sb, list->items[i].key);
        strbuf_putc(&sb, '=');
        strbuf_puts(&sb, list->items[i].value);
    }
    if (!sb.buf)
        return xstrdup("");
    return strbuf_detach(&sb);
}

void
kv_list_done(struct kv_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free(list->items[i].key);
        free(list->items[i].value);
    }
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

/*
 * Freeing
 */

static void
kobj_done(struct kobj *obj)
{
    free(obj->name);
    free(obj->ns);
    free(obj->uid);
    free(obj->rv);
    kv_list_done(&obj->labels);
    free(obj->owner_kind);
    free(obj->owner_name);
}

static void
conditions_free(struct condition *conds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(conds[i].type);
        free(conds[i].status);
        free(conds[i].reason);
        free(conds[i].message);
    }
    free(conds);
}

static void
resources_done(struct resources *r)
{
    free(r->cpu);
    free(r->memory);
    free(r->pods);
    free(r->ephemeral_storage);
}

static void
node_free(struct node *n)
{
    free(n->status);
    free(n->roles);
    for (size_t i = 0; i < n->ntaints; i++) {
        free(n->taints[i].key);
        free(n->taints[i].value);
        free(n->taints[i].effect);
    }
    free(n->taints);
    conditions_free(n->conds, n->nconds);
    free(n->internal_ip);
    free(n->external_ip);
    free(n->kubelet_version);
    free(n->os_image);
    free(n->kernel_version);
    free(n->runtime_version);
    free(n->arch);
    resources_done(&n->capacity);
    resources_done(&n->allocatable);
}

static void
container_done(struct container *c)
{
    free(c->name);
    free(c->image);
    free(c->reason);
    free(c->message);
    free(c->last_reason);
    resources_done(&c->requests);
    resources_done(&c->limits);
    strv_free(c->env_from);
}

static void
pod_free(struct pod *p)
{
    free(p->node);
    free(p->phase);
    free(p->status);
    free(p->reason);
    free(p->message);
    free(p->ip);
    free(p->qos_class);
    free(p->runtime_class);
    conditions_free(p->conds, p->nconds);
    for (size_t i = 0; i < p->ncontainers; i++)
        container_done(&p->containers[i]);
    free(p->containers);
}

void
kobj_free(struct kobj *obj)
{
    if (!obj)
        return;
    if (obj->packed) {
        free(obj);
        return;
    }
    switch (obj->kind) {
    case KIND_NODE:
        node_free((struct node *)obj);
        break;
    case KIND_NAMESPACE:
        free(((struct namespace *)obj)->phase);
        break;
    case KIND_POD:
        pod_free((struct pod *)obj);
        break;
    case KIND_DEPLOYMENT: {
        struct deployment *d = (struct deployment *)obj;
        free(d->image);
        kv_list_done(&d->selector);
        conditions_free(d->conds, d->nconds);
        break;
    }
    case KIND_RESOURCEQUOTA: {
        struct resourcequota *q = (struct resourcequota *)obj;
        for (size_t i = 0; i < q->nitems; i++) {
            free(q->items[i].resource);
            free(q->items[i].hard);
            free(q->items[i].used);
        }
        free(q->items);
        break;
    }
    case KIND_NETWORKPOLICY:
        free(((struct networkpolicy *)obj)->pod_selector);
        break;
    case KIND_INGRESS: {
        struct ingress *ing = (struct ingress *)obj;
        free(ing->class_name);
        strv_free(ing->hosts);
        strv_free(ing->addresses);
        strv_free(ing->backends);
        break;
    }
    case KIND_SERVICE: {
        struct service *svc = (struct service *)obj;
        free(svc->type);
        free(svc->cluster_ip);
        free(svc->ports);
        kv_list_done(&svc->selector);
        break;
    }
    case KIND_EVENT: {
        struct event *ev = (struct event *)obj;
        free(ev->type);
        free(ev->reason);
        free(ev->message);
        free(ev->involved_kind);
        free(ev->involved_ns);
        free(ev->involved_name);
        free(ev->involved_uid);
        free(ev->source);
        break;
    }
    case KIND_COUNT:
        break;
    }
    kobj_done(obj);
    free(obj);
}

char *
kobj_key(const struct kobj *obj, char *buf, size_t size)
{
    if (obj->ns)
        snprintf(buf, size, "%s/%s", obj->ns, obj->name ? obj->name : "");
    else
        snprintf(buf, size, "%s", obj->name ? obj->name : "");
    return buf;
}

/*
 * kubectl's small printers and the problem predicates
 */

void
pod_ready_text(const struct pod *pod, char *buf, size_t size)
{
    char tmp[32], *p = tmp + sizeof(tmp);
    unsigned v[2] = { (unsigned)pod->total, (unsigned)pod->ready };
    size_t n;

    /* By hand: printed for every pod of a `get`. Counts are never negative
     * (the parser clamps them at 0). */
    if (pod->ready < 0 || pod->total < 0) {
        snprintf(buf, size, "%d/%d", pod->ready, pod->total);
        return;
    }
    *--p = '\0';
    for (int k = 0; k < 2; k++) {
        do {
            *--p = (char)('0' + v[k] % 10);
            v[k] /= 10;
        } while (v[k]);
        if (k == 0)
            *--p = '/';
    }
    n = (size_t)(tmp + sizeof(tmp) - 1 - p);
    if (size == 0)
        return;
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
}

void
pod_restarts_text(const struct pod *pod, int64_t now, char *buf, size_t size)
{
    char ago[32];

    if (pod->restarts != 0 && pod->last_restart != 0) {
        time_human_duration(now - pod->last_restart, ago, sizeof(ago));
        snprintf(buf, size, "%d (%s ago)", pod->restarts, ago);
    } else {
        snprintf(buf, size, "%d", pod->restarts);
    }
}

bool
pod_is_problem(const struct pod *pod)
{
    if (pod->phase && strcmp(pod->phase, "Succeeded") == 0)
        return false;
    if (!pod->status)
        return true;
    if (strcmp(pod->status, "Completed") == 0)
        return false;
    return !(strcmp(pod->status, "Running") == 0 && pod->ready == pod->total);
}

bool
node_is_problem(const struct node *node)
{
    return !node->ready || node->unschedulable || node->memory_pressure || node->disk_pressure ||
           node->pid_pressure || node->network_unavailable;
}

void
node_taint_text(const struct node_taint *taint, char *buf, size_t size)
{
    const char *key = taint->key ? taint->key : "";
    bool has_value = taint->value && *taint->value;
    bool has_effect = taint->effect && *taint->effect;

    if (!has_effect) {
        if (has_value)
            snprintf(buf, size, "%s=%s:", key, taint->value);
        else
            snprintf(buf, size, "%s", key);
    } else if (has_value) {
        snprintf(buf, size, "%s=%s:%s", key, taint->value, taint->effect);
    } else {
        snprintf(buf, size, "%s:%s", key, taint->effect);
    }
}

/*
 * Quantities
 */

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool
quantity_parse(const char *s, double *out)
{
    static const struct {
        const char *suffix;
        double base;
        int exp;
    } suffixes[] = {
        {"Ki", 1024, 1}, {"Mi", 1024, 2}, {"Gi", 1024, 3}, {"Ti", 1024, 4},
        {"Pi", 1024, 5}, {"Ei", 1024, 6}, {"n", 10, -9},   {"u", 10, -6},
        {"m", 10, -3},   {"", 10, 0},     {"k", 10, 3},    {"M", 10, 6},
        {"G", 10, 9},    {"T", 10, 12},   {"P", 10, 15},   {"E", 10, 18},
    };
    const char *p = s;
    double mant = 0, scale = 1;
    int ndigits = 0, dexp = 0;
    bool neg = false;

    if (!s)
        return false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    /* Digits, at most one dot, at least one digit. The mantissa collects
     * up to 17 significant digits exactly; the rest only moves the scale. */
    for (; is_digit(*p); p++, ndigits++) {
        if (mant < 1e17)
            mant = mant * 10 + (*p - '0');
        else
            dexp++;
    }
    if (*p == '.') {
        for (p++; is_digit(*p); p++, ndigits++) {
            if (mant < 1e17) {
                mant = mant * 10 + (*p - '0');
                dexp--;
            }
        }
    }
    if (ndigits == 0)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        if (strcmp(p, suffixes[i].suffix) == 0) {
            scale = pow(suffixes[i].base, suffixes[i].exp);
            goto done;
        }
    }
    /* A decimal exponent: e or E, an optional sign, digits. */
    if (*p == 'e' || *p == 'E') {
        int e = 0, esign = 1;
        p++;
        if (*p == '+' || *p == '-')
            esign = *p++ == '-' ? -1 : 1;
        if (!is_digit(*p))
            return false;
        for (; is_digit(*p); p++)
            if (e < 10000)
                e = e * 10 + (*p - '0');
        if (*p)
            return false;
        dexp += esign * e;
        goto done;
    }
    return false;
done:
    mant = (neg ? -mant : mant) * pow(10, dexp) * scale;
    if (!isfinite(mant))
        return false;
    *out = mant;
    return true;
}

double
quota_item_ratio(const struct quota_item *item)
{
    double used, hard;

    if (!quantity_parse(item->used, &used) || !quantity_parse(item->hard, &hard) || hard == 0)
        return -1;
    return used / hard;
}

/* "%.1f" without a trailing ".0". */
static void
format_short(double v, const char *unit, char *buf, size_t size)
{
    if (fabs(v) < 10 && fabs(v - round(v)) >= 0.05)
        snprintf(buf, size, "%.1f%s", v, unit);
    else
        snprintf(buf, size, "%.0f%s", v, unit);
}

void
quantity_format_bytes(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    size_t u = 0;
    double v = bytes;

    /* Move up while the rounded figure would reach 1024 of this unit. */
    while (u + 1 < ARRAY_SIZE(units) && fabs(v) >= 1023.5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%.0f", v);
    else
        format_short(v, units[u], buf, size);
}

void
quantity_format_cpu(double cores, char *buf, size_t size)
{
    if (cores != 0 && fabs(cores) < 1)
        snprintf(buf, size, "%.0fm", cores * 1000);
    else
        format_short(cores, "", buf, size);
}
