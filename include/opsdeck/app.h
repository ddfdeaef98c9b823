/* SPDX-License-Identifier: MIT */
/* app.h - the console: panes over a live session, in the one poll loop */
#ifndef OPSDECK_APP_H
#define OPSDECK_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct setup;
struct cluster;
struct tenants;
struct kube;
struct conventions;
struct evloop;
struct kubeconfig;

struct console_opts {
    bool no_color;              /* --no-color (NO_COLOR in the environment does the same) */
    bool utc;                   /* --utc: times in UTC (also the platform's console.utc) */
    int refresh_s;              /* --refresh; 0: the platform's console.refresh */
    const char *theme;          /* --theme NAME|FILE, or NULL */
    long iterations;            /* --iterations N: N loop passes then exit; 0 = run */
};

/* Runs the console until the operator quits, the terminal goes away or
 * SIGHUP/SIGTERM arrive; returns the exit status. */
int console_run(struct setup *s, const struct console_opts *opts);

/*
 * What the panes (views/) get from the app through view_app(). Everything
 * is borrowed and stays valid while the view is open: switching context
 * closes every view before the old session goes.
 */
struct app;

struct cluster *app_cluster(struct app *app);
struct tenants *app_tenants(struct app *app);
const struct conventions *app_conventions(struct app *app);
/* The API client, or NULL when there is none (no usable context). Views
 * ask it for on-demand data (an object's YAML, its events). */
struct kube *app_kube(struct app *app);
struct evloop *app_loop(struct app *app);
/* The API server's clock when known (ages as kubectl computes them), else
 * the wall clock. */
int64_t app_now(struct app *app);
bool app_utc(struct app *app);

/* The loaded kubeconfig (NULL when none loaded) and the context in use
 * (NULL when none). Borrowed. */
const struct kubeconfig *app_kubeconfig(struct app *app);
const char *app_context(struct app *app);
/* Loki and Prometheus of the platform (--loki/--prometheus override it).
 * Never NULL: check upstream_configured(). Recreated on a context switch
 * (a service endpoint goes through the new context's API server). */
struct upstream;
struct upstream *app_loki(struct app *app);
struct upstream *app_prometheus(struct app *app);
/* The logs pane's ring budget in bytes (OPSDECK_LOG_RING_MB), 0 for the
 * ring's default; the lines beyond it are fetched again when scrolled to. */
size_t app_log_ring_bytes(struct app *app);
/* The store (cache.db and state.db), or NULL when opsdeck runs without one. */
struct store;
struct store *app_store(struct app *app);
/* Switches every pane to another context of the kubeconfig (works while
 * the API is unreachable: the new context's cache shows at once). Fails
 * with status_text() naming the problem (unknown context, missing user…). */
enum status app_switch_context(struct app *app, const char *name);

#endif /* OPSDECK_APP_H */
