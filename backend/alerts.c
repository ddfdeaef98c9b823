/* SPDX-License-Identifier: MIT */
/* alerts.c - the alerts poller: Prometheus's /api/v1/alerts on a period, with observers */
#include "config.h"

#include "opsdeck/prom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/evloop.h"
#include "opsdeck/status.h"
#include "opsdeck/upstream.h"
#include "opsdeck/xalloc.h"

/* The last error line kept (a status_text() line). */
#define ERROR_MAX 400

/*
 * The alerts poller
 */

struct observer {
    prom_alerts_changed_cb cb;
    void *arg;
};

struct prom_alerts_poller {
    struct upstream *u;
    struct ev_timer *timer;
    struct prom_call *call;
    int period_s;
    bool have;
    struct prom_alerts alerts;
    char error[ERROR_MAX];
    struct observer *obs;
    size_t nobs;
};

static void
notify(struct prom_alerts_poller *p)
{
    /* Observers may unobserve themselves: walk a snapshot. */
    size_t n = p->nobs;
    struct observer *snap = xcalloc(n + 1, sizeof(*snap));

    memcpy(snap, p->obs, n * sizeof(*snap));
    for (size_t i = 0; i < n; i++)
        snap[i].cb(snap[i].arg);
    free(snap);
}

static void
on_alerts(void *arg, enum status st, struct prom_alerts *a, const struct upstream_response *resp)
{
    struct prom_alerts_poller *p = arg;

    (void)resp;
    p->call = NULL;
    if (st == STATUS_OK) {
        prom_alerts_done(&p->alerts);
        /* Taken over (prom.h allows it): the caller frees the zeroed struct. */
        p->alerts = *a;
        memset(a, 0, sizeof(*a));
        p->have = true;
        p->error[0] = '\0';
    } else {
        snprintf(p->error, sizeof(p->error), "%s", status_text());
    }
    ev_timer_arm(p->timer, (int64_t)p->period_s * 1000);
    notify(p);
}

static void
poll_now(void *arg)
{
    struct prom_alerts_poller *p = arg;

    if (p->call || !upstream_configured(p->u))
        return;
    p->call = prom_get_alerts(p->u, on_alerts, p);
}

struct prom_alerts_poller *
prom_alerts_poller_new(struct upstream *u, struct evloop *loop, int period_s)
{
    struct prom_alerts_poller *p = xcalloc(1, sizeof(*p));

    p->u = u;
    p->period_s = period_s > 0 ? period_s : 15;
    p->timer = ev_timer_new(loop, poll_now, p);
    if (upstream_configured(u))
        ev_timer_arm(p->timer, 0);
    return p;
}

void
prom_alerts_poller_free(struct prom_alerts_poller *p)
{
    if (!p)
        return;
    prom_cancel(p->call);
    ev_timer_free(p->timer);
    prom_alerts_done(&p->alerts);
    free(p->obs);
    free(p);
}

const struct prom_alerts *
prom_alerts_poller_alerts(const struct prom_alerts_poller *p)
{
    return p->have ? &p->alerts : NULL;
}

const char *
prom_alerts_poller_error(const struct prom_alerts_poller *p)
{
    return p->error;
}

void
prom_alerts_poller_refresh(struct prom_alerts_poller *p)
{
    if (p->call)
        return;
    ev_timer_disarm(p->timer);
    poll_now(p);
}

void
prom_alerts_poller_observe(struct prom_alerts_poller *p, prom_alerts_changed_cb cb, void *arg)
{
    p->obs = xrealloc(p->obs, (p->nobs + 1) * sizeof(*p->obs));
    p->obs[p->nobs++] = (struct observer){cb, arg};
}

void
prom_alerts_poller_unobserve(struct prom_alerts_poller *p, void *arg)
{
    for (size_t i = 0; i < p->nobs; i++) {
        if (p->obs[i].arg == arg) {
            memmove(&p->obs[i], &p->obs[i + 1], (p->nobs - i - 1) * sizeof(*p->obs));
            p->nobs--;
            i--;
        }
    }
}
