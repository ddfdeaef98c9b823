/* SPDX-License-Identifier: MIT */
/* cluster.h - the in-memory snapshot of one API server's objects */
#ifndef OPSDECK_CLUSTER_H
#define OPSDECK_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/model.h"

/*
 * The cluster owns every object it holds. Mutations come from informers
 * (list pages, watch events) and from the cache at start; each one is
 * reported to the observers as one object added, changed or removed, so a
 * view updates one row. A bulk replace (relist, cache load) is reported once
 * per kind as a reset. Lookups and the per-node / per-namespace indexes are
 * O(1); nothing here is ever O(all objects) per event.
 *
 * Objects are keyed by kind + "ns/name" (cluster-scoped kinds: "name"). Not
 * thread-safe: one loop owns the cluster.
 */
enum change { CHANGE_ADD, CHANGE_UPDATE, CHANGE_REMOVE };

/*
 * Observer callbacks run synchronously inside the mutation, after the
 * indexes are updated (cluster_get already answers the new state). They may
 * read the cluster and may call cluster_observe/cluster_unobserve (an
 * observer added in a callback sees the next change, not this one), but
 * must not mutate it.
 */
struct cluster_observer {
    /* old is NULL for ADD, new_ is NULL for REMOVE; both are borrowed and
     * old is freed right after the call. */
    void (*changed)(void *arg, enum change op, const struct kobj *old, const struct kobj *new_);
    /* Every object of kind may have changed: re-read them all. */
    void (*reset)(void *arg, enum kind kind);
    void *arg;
    /* Optional. When set, a replace limited to one namespace (the 403
     * fallback relists namespace by namespace) is reported here instead of
     * through reset: only kind's objects in ns may have changed. */
    void (*reset_ns)(void *arg, enum kind kind, const char *ns);
};

struct cluster;

struct cluster *cluster_new(void);
void cluster_free(struct cluster *cl); /* NULL is a no-op; no notifications */

/* Registers an observer (copied); the arg identifies it for removal. */
void cluster_observe(struct cluster *cl, const struct cluster_observer *obs);
/* Removes the observer registered with arg (the first one, if several);
 * safe from inside a callback: it is not called again. */
void cluster_unobserve(struct cluster *cl, void *arg);

/* Inserts or replaces the object with the same kind/namespace/name; takes
 * ownership of obj (NULL is ignored; an object without a name is freed and
 * ignored). An update whose resourceVersion equals the held one is dropped
 * (freed) without notification: a watch replaying what a relist delivered.
 * O(1) amortised. */
void cluster_upsert(struct cluster *cl, struct kobj *obj);
/* Removes and frees the object (no-op when absent). O(1). */
void cluster_remove(struct cluster *cl, enum kind kind, const char *ns, const char *name);

/* Bulk replace of one kind (ns NULL: all namespaces; else that namespace
 * only). While a replace is open, upserts and removals of objects in its
 * scope are not reported one by one; end removes the objects in scope that
 * were not upserted since begin, then reports one reset (reset_ns for a
 * namespace scope when the observer has it). Several scopes may be open at
 * once (different kinds, different namespaces). A begin on a scope already
 * open restarts it; an end without a begin does nothing. end costs
 * O(objects in scope). */
void cluster_replace_begin(struct cluster *cl, enum kind kind, const char *ns);
void cluster_replace_end(struct cluster *cl, enum kind kind, const char *ns);

/* Borrowed; valid until the object is replaced or removed. */
const struct kobj *cluster_get(const struct cluster *cl, enum kind kind, const char *ns,
                               const char *name);
size_t cluster_count(const struct cluster *cl, enum kind kind);

/* All objects of kind, in no particular order: a borrowed array (never
 * NULL, *n may be 0) valid until the next mutation. */
const struct kobj *const *cluster_all(const struct cluster *cl, enum kind kind, size_t *n);
/* Objects of kind in namespace ns (ns NULL: all of them), same terms. */
const struct kobj *const *cluster_in_ns(const struct cluster *cl, enum kind kind, const char *ns,
                                        size_t *n);
size_t cluster_count_in_ns(const struct cluster *cl, enum kind kind, const char *ns);
/* Pods bound to node (spec.nodeName), counted and listed (same terms). */
size_t cluster_pods_on_node(const struct cluster *cl, const char *node);
const struct kobj *const *cluster_pods_of_node(const struct cluster *cl, const char *node,
                                               size_t *n);

#endif /* OPSDECK_CLUSTER_H */
