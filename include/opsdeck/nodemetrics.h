/* SPDX-License-Identifier: MIT */
/* nodemetrics.h - CPU, memory and disk use of every node over the last hour, from Prometheus */
#ifndef OPSDECK_NODEMETRICS_H
#define OPSDECK_NODEMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;
struct upstream;

/*
 * One refresh is four requests, whatever the number of nodes: a range
 * query per metric over the whole fleet (`… by (instance)`, the last
 * window at step, so 60 points for an hour at 60 s) and one instant query
 * of `node_uname_info` over the window that maps each exporter instance to
 * the node name it reports. Refreshes follow each other every period (never faster
 * than the step) on the wall clock (clock.h, so OPSDECK_CLOCK places the
 * window); while paused nothing is fetched.
 *
 * A node is found by its Kubernetes name (the uname nodename), else by its
 * InternalIP equal to the instance's host ("10.0.1.2:9100").
 */

enum nm_metric { NM_CPU, NM_MEM, NM_DISK, NM_COUNT };
/* "cpu", "mem", "disk" */
const char *nm_metric_name(enum nm_metric m);
/* The PromQL of each metric (percent, by instance). Static. */
const char *nm_metric_query(enum nm_metric m);
/* The instance -> node name map: every exporter seen in the window, so
 * that a node which stopped answering keeps its name (%d: the window in
 * seconds). */
#define NM_UNAME_QUERY "count by (instance, nodename) (last_over_time(node_uname_info[%ds]))"

struct nm_series {
    double *v;        /* npoints slots, oldest first, NaN where no sample (owned) */
    double last;      /* the newest sample, NaN when none in the window */
    size_t last_slot; /* where it is: npoints - 1 unless the metric stopped */
};

struct nm_node {
    char *instance; /* "10.0.1.2:9100" (owned) */
    char *nodename; /* from node_uname_info, NULL when unknown (owned) */
    struct nm_series m[NM_COUNT];
};

struct nm_opts {
    int window_s; /* 0: 3600 */
    int step_s;   /* 0: 60 */
    int period_s; /* 0: step_s; never below step_s */
};

struct node_metrics;

/* u and loop are borrowed and must outlive it. Never NULL. The first
 * refresh starts at once when u is configured. */
struct node_metrics *node_metrics_new(struct upstream *u, struct evloop *loop,
                                      const struct nm_opts *opts);
void node_metrics_free(struct node_metrics *nm); /* NULL is a no-op; cancels requests */

/* Whether Prometheus is configured at all (else the pane shows no metrics
 * columns). */
bool node_metrics_enabled(const struct node_metrics *nm);
/* Points per series (window / step). */
size_t node_metrics_points(const struct node_metrics *nm);

/* The node's metrics (borrowed until the next change), NULL when none of
 * the last refresh matches name or internal_ip (which may be NULL). */
const struct nm_node *node_metrics_find(const struct node_metrics *nm, const char *name,
                                        const char *internal_ip);
/* Every instance of the last refresh, in instance order. */
const struct nm_node *node_metrics_all(const struct node_metrics *nm, size_t *n);

/* Whether a refresh has completed; the last failure ("" after a success:
 * borrowed). */
bool node_metrics_ready(const struct node_metrics *nm);
const char *node_metrics_error(const struct node_metrics *nm);

/* Stops (true) or resumes fetching; resuming fetches at once when a period
 * has passed. */
void node_metrics_pause(struct node_metrics *nm, bool paused);
/* Fetches now (unless a refresh is in flight). */
void node_metrics_refresh(struct node_metrics *nm);

/* Bytes received (compressed, as counted by the upstream) and requests,
 * for the last completed refresh and in total. */
struct nm_stats {
    uint64_t refreshes;
    uint64_t last_bytes;
    uint64_t last_requests;
    uint64_t total_bytes;
};
void node_metrics_stats(const struct node_metrics *nm, struct nm_stats *out);

/* Replaces the data with one refresh's parsed results (what the requests
 * feed it; tests call it directly): res[m] is metric m's range query over
 * the window ending at end_s (a multiple of the step), uname the
 * node_uname_info query (NULL: no names). */
struct prom_result;
void node_metrics_load(struct node_metrics *nm, int64_t end_s,
                       const struct prom_result *const res[NM_COUNT],
                       const struct prom_result *uname);

/* One observer: called after every completed refresh (or failure). */
typedef void (*nm_changed_cb)(void *arg);
void node_metrics_observe(struct node_metrics *nm, nm_changed_cb cb, void *arg);

#endif /* OPSDECK_NODEMETRICS_H */
