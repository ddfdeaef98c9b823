/* SPDX-License-Identifier: MIT */
/* nodemetrics.c - CPU, memory and disk use of every node over the last hour, four queries a refresh
 */
#include "config.h"

#include "opsdeck/nodemetrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/hmap.h"
#include "opsdeck/prom.h"
#include "opsdeck/status.h"
#include "opsdeck/upstream.h"
#include "opsdeck/xalloc.h"

/* The root filesystem of real disks (not tmpfs, overlay, squashfs). */
#define ROOTFS "mountpoint=\"/\",fstype!~\"tmpfs|overlay|squashfs|ramfs\""

static const char *const queries[NM_COUNT] = {
    [NM_CPU] = "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))",
    [NM_MEM] = "100 * (1 - sum by (instance) (node_memory_MemAvailable_bytes)"
               " / sum by (instance) (node_memory_MemTotal_bytes))",
    [NM_DISK] = "100 * (1 - sum by (instance) (node_filesystem_avail_bytes{" ROOTFS "})"
                " / sum by (instance) (node_filesystem_size_bytes{" ROOTFS "}))",
};

/* The four requests of one refresh: the metrics, then node_uname_info. */
#define NCALLS (NM_COUNT + 1)

struct slot {
    struct node_metrics *nm;
    int index;
};

struct node_metrics {
    struct upstream *u;
    struct ev_timer *timer;
    int window_s, step_s, period_s;
    size_t npoints;

    /* The refresh in flight. */
    struct prom_call *calls[NCALLS];
    struct slot slots[NCALLS];
    struct prom_result res[NCALLS];
    size_t outstanding;
    int64_t end_s;
    uint64_t bytes;
    char pending_error[400];

    bool paused;
    bool due; /* the period passed while paused */
    bool ready;
    char error[400];

    struct nm_node *nodes; /* owned, sorted by instance */
    size_t nnodes;
    struct hmap by_name; /* nodename -> struct nm_node * */
    struct hmap by_host; /* instance host -> struct nm_node * */

    struct nm_stats stats;
    nm_changed_cb cb;
    void *cb_arg;
};

const char *
nm_metric_name(enum nm_metric m)
{
    static const char *const names[NM_COUNT] = {"cpu", "mem", "disk"};

    return m < NM_COUNT ? names[m] : "?";
}

const char *
nm_metric_query(enum nm_metric m)
{
    return m < NM_COUNT ? queries[m] : "";
}

static void
clear_nodes(struct node_metrics *nm)
{
    for (size_t i = 0; i < nm->nnodes; i++) {
        free(nm->nodes[i].instance);
        free(nm->nodes[i].nodename);
        for (int m = 0; m < NM_COUNT; m++)
            free(nm->nodes[i].m[m].v);
    }
    free(nm->nodes);
    nm->nodes = NULL;
    nm->nnodes = 0;
    hmap_done(&nm->by_name);
    hmap_done(&nm->by_host);
    hmap_init(&nm->by_name);
    hmap_init(&nm->by_host);
}

static int
node_cmp(const void *a, const void *b)
{
    return strcmp(((const struct nm_node *)a)->instance, ((const struct nm_node *)b)->instance);
}

static struct nm_node *
find_instance(struct node_metrics *nm, const char *instance)
{
    struct nm_node key = {.instance = (char *)(uintptr_t)instance};

    return bsearch(&key, nm->nodes, nm->nnodes, sizeof(*nm->nodes), node_cmp);
}

void
node_metrics_load(struct node_metrics *nm, int64_t end_s,
                  const struct prom_result *const res[NM_COUNT], const struct prom_result *uname)
{
    int64_t start_ms = (end_s - (int64_t)(nm->npoints - 1) * nm->step_s) * 1000;
    size_t cap = 0;
    struct hmap seen;

    clear_nodes(nm);
    hmap_init(&seen);
    for (int m = 0; m < NM_COUNT; m++)
        cap += res[m] ? res[m]->nseries : 0;
    nm->nodes = xcalloc(cap + 1, sizeof(*nm->nodes));
    /* Every instance any metric names, once. */
    for (int m = 0; m < NM_COUNT; m++) {
        for (size_t i = 0; res[m] && i < res[m]->nseries; i++) {
            const char *inst = kv_get(&res[m]->series[i].labels, "instance");
            if (inst && !hmap_get(&seen, inst)) {
                struct nm_node *n = &nm->nodes[nm->nnodes++];
                hmap_put(&seen, inst, n);
                n->instance = xstrdup(inst);
                for (int k = 0; k < NM_COUNT; k++) {
                    n->m[k].v = xcalloc(nm->npoints, sizeof(double));
                    for (size_t p = 0; p < nm->npoints; p++)
                        n->m[k].v[p] = NAN;
                    n->m[k].last = NAN;
                }
            }
        }
    }
    hmap_done(&seen);
    qsort(nm->nodes, nm->nnodes, sizeof(*nm->nodes), node_cmp);
    /* Samples into their slots: gaps stay NaN, so a series that stopped
     * ends where it stopped. */
    for (int m = 0; m < NM_COUNT; m++) {
        for (size_t i = 0; res[m] && i < res[m]->nseries; i++) {
            const struct prom_series *s = &res[m]->series[i];
            const char *inst = kv_get(&s->labels, "instance");
            struct nm_node *n = inst ? find_instance(nm, inst) : NULL;
            if (!n)
                continue;
            for (size_t k = 0; k < s->nsamples; k++) {
                int64_t off = s->samples[k].ts_ms - start_ms;
                size_t p;
                if (off < 0 || off % ((int64_t)nm->step_s * 1000) != 0)
                    continue;
                p = (size_t)(off / ((int64_t)nm->step_s * 1000));
                if (p >= nm->npoints || isnan(s->samples[k].v))
                    continue;
                n->m[m].v[p] = s->samples[k].v;
                if (isnan(n->m[m].last) || p >= n->m[m].last_slot) {
                    n->m[m].last = s->samples[k].v;
                    n->m[m].last_slot = p;
                }
            }
        }
    }
    for (size_t i = 0; uname && i < uname->nseries; i++) {
        const char *inst = kv_get(&uname->series[i].labels, "instance");
        const char *name = kv_get(&uname->series[i].labels, "nodename");
        struct nm_node *n = inst ? find_instance(nm, inst) : NULL;
        if (n && name && !n->nodename)
            n->nodename = xstrdup(name);
    }
    for (size_t i = 0; i < nm->nnodes; i++) {
        struct nm_node *n = &nm->nodes[i];
        const char *inst = n->instance, *colon = strrchr(inst, ':');
        char host[256];
        size_t hl = colon ? (size_t)(colon - inst) : strlen(inst);

        if (n->nodename)
            hmap_put(&nm->by_name, n->nodename, n);
        /* "[fd00::1]:9100" -> "fd00::1" */
        if (hl >= 2 && inst[0] == '[' && inst[hl - 1] == ']') {
            inst++;
            hl -= 2;
        }
        if (hl < sizeof(host)) {
            memcpy(host, inst, hl);
            host[hl] = '\0';
            hmap_put(&nm->by_host, host, n);
        }
    }
    nm->end_s = end_s;
    nm->ready = true;
}

/*
 * Refreshing
 */

static void
notify(struct node_metrics *nm)
{
    if (nm->cb)
        nm->cb(nm->cb_arg);
}

static void
finish(struct node_metrics *nm)
{
    const struct prom_result *res[NM_COUNT];

    if (nm->pending_error[0]) {
        snprintf(nm->error, sizeof(nm->error), "%s", nm->pending_error);
    } else {
        for (int m = 0; m < NM_COUNT; m++)
            res[m] = &nm->res[m];
        node_metrics_load(nm, nm->end_s, res, &nm->res[NM_COUNT]);
        nm->error[0] = '\0';
    }
    for (int i = 0; i < NCALLS; i++)
        prom_result_done(&nm->res[i]);
    nm->stats.refreshes++;
    nm->stats.last_bytes = nm->bytes;
    nm->stats.last_requests = NCALLS;
    nm->stats.total_bytes += nm->bytes;
    ev_timer_arm(nm->timer, (int64_t)nm->period_s * 1000);
    notify(nm);
}

static void
on_result(void *arg, enum status st, struct prom_result *r, const struct upstream_response *resp)
{
    struct slot *slot = arg;
    struct node_metrics *nm = slot->nm;

    nm->calls[slot->index] = NULL;
    nm->bytes += resp ? resp->bytes_in : 0;
    if (st == STATUS_OK) {
        nm->res[slot->index] = *r;
        memset(r, 0, sizeof(*r));
    } else if (!nm->pending_error[0]) {
        snprintf(nm->pending_error, sizeof(nm->pending_error), "%s", status_text());
    }
    if (--nm->outstanding == 0)
        finish(nm);
}

static void
start_refresh(struct node_metrics *nm)
{
    int64_t now = clock_now();
    int64_t end = now - now % nm->step_s;
    int64_t start = end - (int64_t)(nm->npoints - 1) * nm->step_s;
    char *uname;

    if (nm->outstanding || !upstream_configured(nm->u))
        return;
    ev_timer_disarm(nm->timer);
    nm->due = false;
    nm->end_s = end;
    nm->bytes = 0;
    nm->pending_error[0] = '\0';
    nm->outstanding = NCALLS;
    for (int m = 0; m < NM_COUNT; m++)
        nm->calls[m] =
            prom_query_range(nm->u, queries[m], start, end, nm->step_s, on_result, &nm->slots[m]);
    uname = xasprintf(NM_UNAME_QUERY, nm->window_s);
    nm->calls[NM_COUNT] = prom_query(nm->u, uname, end * 1000, on_result, &nm->slots[NM_COUNT]);
    free(uname);
}

static void
on_timer(void *arg)
{
    struct node_metrics *nm = arg;

    if (nm->paused) {
        nm->due = true;
        return;
    }
    start_refresh(nm);
}

struct node_metrics *
node_metrics_new(struct upstream *u, struct evloop *loop, const struct nm_opts *opts)
{
    struct node_metrics *nm = xcalloc(1, sizeof(*nm));

    nm->u = u;
    nm->window_s = opts && opts->window_s > 0 ? opts->window_s : 3600;
    nm->step_s = opts && opts->step_s > 0 ? opts->step_s : 60;
    nm->period_s = opts && opts->period_s > nm->step_s ? opts->period_s : nm->step_s;
    nm->npoints = (size_t)(nm->window_s / nm->step_s);
    if (nm->npoints < 2)
        nm->npoints = 2;
    for (int i = 0; i < NCALLS; i++)
        nm->slots[i] = (struct slot){nm, i};
    hmap_init(&nm->by_name);
    hmap_init(&nm->by_host);
    nm->timer = ev_timer_new(loop, on_timer, nm);
    if (u && upstream_configured(u))
        ev_timer_arm(nm->timer, 0);
    return nm;
}

void
node_metrics_free(struct node_metrics *nm)
{
    if (!nm)
        return;
    for (int i = 0; i < NCALLS; i++) {
        prom_cancel(nm->calls[i]);
        prom_result_done(&nm->res[i]);
    }
    ev_timer_free(nm->timer);
    clear_nodes(nm);
    hmap_done(&nm->by_name);
    hmap_done(&nm->by_host);
    free(nm);
}

bool
node_metrics_enabled(const struct node_metrics *nm)
{
    return nm->u && upstream_configured(nm->u);
}

size_t
node_metrics_points(const struct node_metrics *nm)
{
    return nm->npoints;
}

const struct nm_node *
node_metrics_find(const struct node_metrics *nm, const char *name, const char *internal_ip)
{
    const struct nm_node *n = name ? hmap_get(&nm->by_name, name) : NULL;

    if (!n && internal_ip)
        n = hmap_get(&nm->by_host, internal_ip);
    return n;
}

const struct nm_node *
node_metrics_all(const struct node_metrics *nm, size_t *n)
{
    *n = nm->nnodes;
    return nm->nodes;
}

bool
node_metrics_ready(const struct node_metrics *nm)
{
    return nm->ready;
}

const char *
node_metrics_error(const struct node_metrics *nm)
{
    return nm->error;
}

void
node_metrics_pause(struct node_metrics *nm, bool paused)
{
    nm->paused = paused;
    if (!paused && nm->due)
        start_refresh(nm);
}

void
node_metrics_refresh(struct node_metrics *nm)
{
    start_refresh(nm);
}

void
node_metrics_stats(const struct node_metrics *nm, struct nm_stats *out)
{
    *out = nm->stats;
}

void
node_metrics_observe(struct node_metrics *nm, nm_changed_cb cb, void *arg)
{
    nm->cb = cb;
    nm->cb_arg = arg;
}
