/* SPDX-License-Identifier: MIT */
/* prom-driver.c - node metrics and the alerts poller against a real Prometheus, for the tests */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/nodemetrics.h"
#include "opsdeck/platform.h"
#include "opsdeck/prom.h"
#include "opsdeck/upstream.h"
#include "opsdeck/xalloc.h"

/*
 *   prom-driver metrics URL [REFRESHES]   one line per instance after the last refresh:
 *       "INSTANCE NODENAME cpu=LAST/POINTS/LASTSLOT mem=… disk=…" (LAST %.3f, or "nan"),
 *       then "refreshes=N bytes=B requests=R" for the last refresh
 *   prom-driver alerts URL [FIRING]       polls until at least FIRING (1) alerts fire, then
 *       "STATE NAME SEVERITY NODENAME | SUMMARY" per alert, "firing=N"
 * Everything is bounded: 60 s in all, then exit 3.
 */

struct run {
    struct node_metrics *nm;
    struct prom_alerts_poller *ap;
    long want;
    bool done;
    char error[512];
    int64_t deadline;           /* monotonic ms: give up then */
};

static bool
over(void *arg)
{
    const struct run *r = arg;

    return r->done || clock_mono_ms() >= r->deadline;
}

static void
on_metrics(void *arg)
{
    struct run *r = arg;
    struct nm_stats st;

    node_metrics_stats(r->nm, &st);
    if (node_metrics_error(r->nm)[0]) {
        snprintf(r->error, sizeof(r->error), "%s", node_metrics_error(r->nm));
        r->done = true;
    } else if ((long)st.refreshes >= r->want) {
        r->done = true;
    } else {
        node_metrics_refresh(r->nm);
    }
}

static void
on_alerts(void *arg)
{
    struct run *r = arg;
    const struct prom_alerts *a = prom_alerts_poller_alerts(r->ap);

    if (prom_alerts_poller_error(r->ap)[0]) {
        snprintf(r->error, sizeof(r->error), "%s", prom_alerts_poller_error(r->ap));
        r->done = true;
    } else if (a && (long)a->firing >= r->want) {
        r->done = true;
    }
}

static void
print_metrics(struct node_metrics *nm)
{
    size_t n, points = node_metrics_points(nm);
    const struct nm_node *all = node_metrics_all(nm, &n);
    struct nm_stats st;

    for (size_t i = 0; i < n; i++) {
        printf("%s %s", all[i].instance, all[i].nodename ? all[i].nodename : "-");
        for (int m = 0; m < NM_COUNT; m++) {
            const struct nm_series *s = &all[i].m[m];
            size_t have = 0;
            for (size_t p = 0; p < points; p++)
                have += !isnan(s->v[p]);
            if (isnan(s->last))
                printf(" %s=nan/%zu/-", nm_metric_name(m), have);
            else
                printf(" %s=%.3f/%zu/%zu", nm_metric_name(m), s->last, have, s->last_slot);
        }
        putchar('\n');
    }
    node_metrics_stats(nm, &st);
    printf("refreshes=%llu bytes=%llu requests=%llu\n", (unsigned long long)st.refreshes,
           (unsigned long long)st.last_bytes, (unsigned long long)st.last_requests);
}

static void
print_alerts(const struct prom_alerts *a)
{
    for (size_t i = 0; a && i < a->len; i++) {
        const char *node = kv_get(&a->items[i].labels, "nodename");
        printf("%s %s %s %s | %s\n", a->items[i].state, a->items[i].name,
               a->items[i].severity ? a->items[i].severity : "-", node ? node : "-",
               a->items[i].summary ? a->items[i].summary : "-");
    }
    printf("firing=%zu\n", a ? a->firing : 0);
}

int
main(int argc, char **argv)
{
    struct evloop *loop;
    struct http *http;
    struct upstream *u;
    struct endpoint ep = {0};
    struct run r = {0};
    int64_t deadline = clock_mono_ms() + 60000;
    int rc = 0;

    if (argc < 3 || (strcmp(argv[1], "metrics") != 0 && strcmp(argv[1], "alerts") != 0)) {
        fprintf(stderr, "usage: prom-driver metrics|alerts URL [N]\n");
        return 2;
    }
    r.want = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
    ep.url = argv[2];
    loop = evloop_new();
    http = http_new(loop);
    u = upstream_new(loop, http, &(struct upstream_opts){.name = "Prometheus", .ep = &ep});
    if (strcmp(argv[1], "metrics") == 0) {
        r.nm = node_metrics_new(u, loop, NULL);
        node_metrics_observe(r.nm, on_metrics, &r);
    } else {
        r.ap = prom_alerts_poller_new(u, loop, 1);
        prom_alerts_poller_observe(r.ap, on_alerts, &r);
    }
    r.deadline = deadline;
    evloop_run_until(loop, over, &r, 200);
    if (r.error[0]) {
        fprintf(stderr, "prom-driver: %s\n", r.error);
        rc = 1;
    } else if (!r.done) {
        fprintf(stderr, "prom-driver: timed out\n");
        rc = 3;
    }
    if (r.nm)
        print_metrics(r.nm);
    else
        print_alerts(prom_alerts_poller_alerts(r.ap));
    node_metrics_free(r.nm);
    prom_alerts_poller_free(r.ap);
    upstream_free(u);
    http_free(http);
    evloop_free(loop);
    return rc;
}
