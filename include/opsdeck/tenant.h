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
 * A project is one tenant namespace: conventions_tenant_of() says whose
 * (labels first, the namespace pattern as a fallback) and the namespace
 * exists (its Namespace object is known or, for users who may not list
 * namespaces, it holds objects). A tenant is the set of its projects.
 * Summaries are recomputed per namespace when an object in it changes
 * (O(objects in that namespace)), so a pod event costs one project and one
 * tenant recomputation, never a pass over the cluster; only a cluster-wide
 * reset recomputes everything.
 *
 * Problems, in this order, exactly as they read:
 *   "missing ingress-isolation" / "missing egress-isolation"  (policy names
 *                                                  from the conventions)
 *   "quota pods 19/20 (95%)"      one per quota item at >= 90 % (the
 *                                 percentage rounded down); an item with a
 *                                 hard limit of 0 and something used:
 *                                 "quota pods 2/0 (over)"
 *   "1 pod not ready" / "3 pods not ready"
 *   "deployment api 0/1 available" (available/replicas, one per deployment;
 *                                 "…2/2 available, 1 unavailable" when a
 *                                 stuck rollout keeps the old replicas up;
 *                                 by name)
 *   "1 warning event in the last hour" / "3 warning events …" (Warning
 *                                 Event objects whose last_seen is within
 *                                 the hour before the tick time)
 */
struct project {
    char *ns;
    char *tenant;
    char *project;
    int pods_total;
    int pods_ready; /* !pod_is_problem(): Running and all ready, or completed */
    int deployments;
    int deployments_unavailable; /* available < replicas (or unavailableReplicas > 0) */
    /* Highest used/hard over the items of the namespace's quotas; -1 when
     * none parses (no quota, unparsable quantities, hard 0 with nothing
     * used); 1.0 for a hard 0 with something used. */
    double quota_ratio;
    char *quota_text;       /* "pods 4/20, requests.cpu 1/4" ("?" for a missing
                               figure), or NULL without a quota */
    bool ingress_isolation; /* the NetworkPolicy named by the conventions exists */
    bool egress_isolation;
    bool policies_known;    /* false: NetworkPolicies could not be read (RBAC, nothing
                               fetched yet): the two flags above say nothing and no
                               "missing" problem is raised */
    int warnings_1h; /* Warning events seen in the last hour */
    char **hosts;    /* ingress hosts, sorted, unique, NULL-terminated */
    char **services; /* service names, sorted, NULL-terminated */
    /* Parallel to services: the hosts of the Ingresses routing to each
     * service, sorted, joined with "," ("" when it has none). */
    char **service_hosts;
    char **problems; /* as above, NULL-terminated (never NULL) */
};

struct tenant {
    char *name;
    struct project **projects; /* borrowed, sorted by namespace */
    size_t nprojects;          /* >= 1: a tenant without projects is gone */
    int pods_total;
    int pods_ready;
    double quota_ratio; /* highest over its projects; -1 none */
    bool all_policies;  /* every project has both isolation policies (false when
                           the policies are unknown) */
    char **problems;    /* "dp-max-catapp: 1 pod not ready": the projects'
                           problems in namespace order, NULL-terminated */
};

/*
 * Called from inside the cluster's notification (or tenants_tick), after
 * every tenant is up to date. One cluster change reports each tenant it
 * changed once (a project moving between tenants reports both); a change
 * that leaves every summary as it was (a Normal event, a node, a pod
 * outside the tenants) reports nothing. A cluster-wide reset of a kind the
 * tenants read reports one reset instead. Observers may unobserve from a
 * callback; they must not mutate the cluster.
 */
struct tenant_observer {
    /* t is NULL when the tenant disappeared (then name says which). Both
     * borrowed for the call. */
    void (*changed)(void *arg, const char *name, const struct tenant *t);
    /* Every tenant may have changed (and any pointer held is stale). */
    void (*reset)(void *arg);
    void *arg;
};

struct tenants;

/* Observes cl (which must outlive the result; objects already in it are
 * counted at once) with conv (copied). "Warning events in the last hour" is
 * judged against the time of the last tenants_tick() (initially
 * clock_now()). */
struct tenants *tenants_new(struct cluster *cl, const struct conventions *conv);
void tenants_free(struct tenants *ts); /* NULL is a no-op; stops observing cl */
void tenants_observe(struct tenants *ts, const struct tenant_observer *obs);
void tenants_unobserve(struct tenants *ts, void *arg);
/* Sets the time events are judged against and re-evaluates the projects
 * where a Warning event left the hour since (O(projects) to find them, then
 * O(objects in their namespaces); a clock set back re-evaluates every
 * project with Warning events), reporting the tenants whose problems
 * changed. Call about once a minute, with the API server's clock when
 * known. */
void tenants_tick(struct tenants *ts, int64_t now);
/* Whether the cluster's NetworkPolicies are known (initially true). When
 * they are not, a missing isolation policy is no problem: it may only be
 * unreadable. A change recomputes every project and reports a reset. */
void tenants_set_policies_known(struct tenants *ts, bool known);

/* Borrowed: tenants sorted by name (never NULL, *n may be 0); a tenant by
 * name; the project of a namespace. NULL when absent. Valid until the next
 * change of the cluster or the next tick: a struct tenant/project pointer
 * stays valid across changes that keep it (until its tenant's changed()
 * reports NULL or a reset). */
const struct tenant *const *tenants_all(const struct tenants *ts, size_t *n);
const struct tenant *tenants_get(const struct tenants *ts, const char *name);
const struct project *tenants_project(const struct tenants *ts, const char *ns);

/*
 * One-shot JSON (`opsdeck get tenants -o json`, issue #2 §5): one object
 *   {"tenant","namespaces":[ns…],"pods_ready","pods_total","problems":[…],
 *    "quota_percent" (int or null),"policies" (all present),
 *    "projects":[{"namespace","project","pods_ready","pods_total",
 *                 "deployments","deployments_unavailable","quota_percent",
 *                 "quota" (text or null),"ingress_isolation",
 *                 "egress_isolation","warnings_1h","hosts",
 *                 "services":[{"name","hosts":[…]}…],"problems"}…]}
 * with "fetched_at" (RFC 3339) last when fetched_at > 0 (cached data).
 */
void tenant_write_json(const struct tenant *t, int64_t fetched_at, struct jsonw *w);

#endif /* OPSDECK_TENANT_H */
