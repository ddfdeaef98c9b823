/* SPDX-License-Identifier: MIT */
/* tenant.h - tenants and projects derived from namespaces, kept up to date */
#ifndef OPSDECK_TENANT_H
#define OPSDECK_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"

struct jsonw;

/*
 * A project is one tenant namespace (dp-{tenant}-{project}); a tenant is the
 * set of its projects. Summaries are recomputed per namespace when an object
 * in it changes (O(objects in that namespace)), so a pod event costs one
 * project and one tenant recomputation, never a pass over the cluster.
 */
struct project {
    char *ns;
    char *tenant;
    char *project;
    int pods_total;
    int pods_ready; /* Running with all containers ready, or Completed */
    int deployments;
    int deployments_unavailable;
    double quota_ratio;     /* highest used/hard over the quota's items; -1 none */
    char *quota_text;       /* "pods 4/20, requests.cpu 1/4, …" or NULL */
    bool ingress_isolation; /* the NetworkPolicy named by the conventions exists */
    bool egress_isolation;
    int warnings_1h; /* Warning events seen in the last hour */
    char **hosts;    /* ingress hosts, NULL-terminated */
    char **services; /* service names, NULL-terminated */
    char **problems; /* "1 pod not ready", …, NULL-terminated */
};

struct tenant {
    char *name;
    struct project **projects; /* borrowed, sorted by namespace */
    size_t nprojects;
    int pods_total;
    int pods_ready;
    double quota_ratio; /* highest over its projects; -1 none */
    bool all_policies;  /* every project has both isolation policies */
    char **problems;    /* "dp-max-catapp: 1 pod not ready", NULL-terminated */
};

struct tenant_observer {
    /* t is NULL when the tenant disappeared (then name says which). */
    void (*changed)(void *arg, const char *name, const struct tenant *t);
    void (*reset)(void *arg);
    void *arg;
};

struct tenants;

/* Observes cl (which must outlive the result) with conv (copied). "Warning
 * events in the last hour" is judged against the time of the last
 * tenants_tick() (initially clock_now()). */
struct tenants *tenants_new(struct cluster *cl, const struct conventions *conv);
void tenants_free(struct tenants *ts);
void tenants_observe(struct tenants *ts, const struct tenant_observer *obs);
void tenants_unobserve(struct tenants *ts, void *arg);
/* Re-evaluates time-dependent problems (events ageing out of the hour);
 * call about once a minute. */
void tenants_tick(struct tenants *ts, int64_t now);

/* Borrowed arrays, sorted by name / namespace; valid until the next change. */
const struct tenant *const *tenants_all(const struct tenants *ts, size_t *n);
const struct tenant *tenants_get(const struct tenants *ts, const char *name);
const struct project *tenants_project(const struct tenants *ts, const char *ns);

/* One-shot JSON (README): tenant, namespaces, pods_ready, pods_total,
 * problems, plus projects with their details. */
void tenant_write_json(const struct tenant *t, int64_t fetched_at, struct jsonw *w);

#endif /* OPSDECK_TENANT_H */
