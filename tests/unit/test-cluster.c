/* SPDX-License-Identifier: MIT */
/* test-cluster.c - the cluster state: notifications, RV replays, replace scopes, indexes */
#include "config.h"

#include "opsdeck/cluster.h"

#include <stdlib.h>

#include "opsdeck/model.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/*
 * Objects are built directly (only the fields the cluster reads: kind,
 * namespace, name, resourceVersion, and a pod's node) so these tests do not
 * depend on the parser.
 */
/* Room for any model struct: kobj_free reads the fields of obj's kind, all
 * zero (absent) here. */
#define OBJ_SIZE 1024
_Static_assert(sizeof(struct node) <= OBJ_SIZE && sizeof(struct pod) <= OBJ_SIZE &&
                   sizeof(struct namespace) <= OBJ_SIZE && sizeof(struct deployment) <= OBJ_SIZE &&
                   sizeof(struct event) <= OBJ_SIZE && sizeof(struct ingress) <= OBJ_SIZE &&
                   sizeof(struct service) <= OBJ_SIZE,
               "OBJ_SIZE too small");

static struct kobj *
mk(enum kind kind, const char *ns, const char *name, const char *rv)
{
    struct kobj *obj = xcalloc(1, OBJ_SIZE);

    obj->kind = kind;
    obj->ns = xstrdup(ns);
    obj->name = xstrdup(name);
    obj->rv = xstrdup(rv);
    return obj;
}

static struct kobj *
mk_pod(const char *ns, const char *name, const char *rv, const char *node)
{
    struct kobj *obj = mk(KIND_POD, ns, name, rv);

    ((struct pod *)obj)->node = xstrdup(node);
    return obj;
}

/*
 * A recording observer
 */

struct rec {
    int adds, updates, removes, resets, reset_ns;
    enum kind last_kind;
    char last_key[128];   /* "ns/name" of the last change */
    char last_old_rv[32]; /* "" when old was NULL */
    char last_new_rv[32];
    char last_reset_ns[64];
    bool saw_new_in_cluster; /* cluster_get answered new_ during the call */
    struct cluster *cl;
};

static void
rec_changed(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct rec *r = arg;
    const struct kobj *obj = new_ ? new_ : old;

    switch (op) {
    case CHANGE_ADD:
        ck_assert_ptr_null(old);
        ck_assert_ptr_nonnull(new_);
        r->adds++;
        break;
    case CHANGE_UPDATE:
        ck_assert_ptr_nonnull(old);
        ck_assert_ptr_nonnull(new_);
        r->updates++;
        break;
    case CHANGE_REMOVE:
        ck_assert_ptr_nonnull(old);
        ck_assert_ptr_null(new_);
        r->removes++;
        break;
    }
    r->last_kind = obj->kind;
    snprintf(r->last_key, sizeof(r->last_key), "%s/%s", obj->ns ? obj->ns : "", obj->name);
    snprintf(r->last_old_rv, sizeof(r->last_old_rv), "%s", old && old->rv ? old->rv : "");
    snprintf(r->last_new_rv, sizeof(r->last_new_rv), "%s", new_ && new_->rv ? new_->rv : "");
    if (r->cl)
        r->saw_new_in_cluster = cluster_get(r->cl, obj->kind, obj->ns, obj->name) == new_;
}

static void
rec_reset(void *arg, enum kind kind)
{
    struct rec *r = arg;

    r->resets++;
    r->last_kind = kind;
}

static void
rec_reset_ns(void *arg, enum kind kind, const char *ns)
{
    struct rec *r = arg;

    r->reset_ns++;
    r->last_kind = kind;
    snprintf(r->last_reset_ns, sizeof(r->last_reset_ns), "%s", ns);
}

static void
observe(struct cluster *cl, struct rec *r, bool with_reset_ns)
{
    struct cluster_observer o = {
        .changed = rec_changed,
        .reset = rec_reset,
        .reset_ns = with_reset_ns ? rec_reset_ns : NULL,
        .arg = r,
    };

    memset(r, 0, sizeof(*r));
    r->cl = cl;
    cluster_observe(cl, &o);
}

static int
total(const struct rec *r)
{
    return r->adds + r->updates + r->removes + r->resets + r->reset_ns;
}

/*
 * Tests
 */

START_TEST(test_upsert_get_count)
{
    struct cluster *cl = cluster_new();
    const struct kobj *const *all;
    size_t n;
    int seen = 0;

    cluster_upsert(cl, mk(KIND_NODE, NULL, "run-1", "1"));
    cluster_upsert(cl, mk(KIND_NAMESPACE, NULL, "dp-max-catapp", "2"));
    cluster_upsert(cl, mk_pod("dp-max-catapp", "api-1", "3", "run-1"));
    cluster_upsert(cl, mk_pod("dp-max-catapp", "api-2", "4", NULL));
    cluster_upsert(cl, mk_pod("dp-ada-shop", "api-1", "5", "run-1"));

    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 3);
    ck_assert_uint_eq(cluster_count(cl, KIND_NODE), 1);
    ck_assert_uint_eq(cluster_count(cl, KIND_DEPLOYMENT), 0);
    ck_assert_str_eq(cluster_get(cl, KIND_POD, "dp-max-catapp", "api-1")->rv, "3");
    ck_assert_str_eq(cluster_get(cl, KIND_POD, "dp-ada-shop", "api-1")->rv, "5");
    ck_assert_str_eq(cluster_get(cl, KIND_NODE, NULL, "run-1")->rv, "1");
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "dp-ada-shop", "api-2"));
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, NULL, "api-1"));
    ck_assert_ptr_null(cluster_get(cl, KIND_DEPLOYMENT, "dp-max-catapp", "api-1"));

    all = cluster_all(cl, KIND_POD, &n);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < n; i++)
        seen |= strcmp(all[i]->rv, "3") == 0 ? 1 : strcmp(all[i]->rv, "4") == 0 ? 2 : 4;
    ck_assert_int_eq(seen, 7);

    all = cluster_all(cl, KIND_EVENT, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(all);
    cluster_free(cl);
    cluster_free(NULL);
}
END_TEST

START_TEST(test_one_notification_per_change)
{
    struct cluster *cl = cluster_new();
    struct rec r;

    observe(cl, &r, false);
    cluster_upsert(cl, mk_pod("ns", "p", "1", "run-1"));
    ck_assert_int_eq(r.adds, 1);
    ck_assert_int_eq(total(&r), 1);
    ck_assert_str_eq(r.last_key, "ns/p");
    ck_assert_str_eq(r.last_old_rv, "");
    ck_assert_str_eq(r.last_new_rv, "1");
    ck_assert(r.saw_new_in_cluster);

    cluster_upsert(cl, mk_pod("ns", "p", "2", "run-1"));
    ck_assert_int_eq(r.updates, 1);
    ck_assert_int_eq(total(&r), 2);
    ck_assert_str_eq(r.last_old_rv, "1");
    ck_assert_str_eq(r.last_new_rv, "2");
    ck_assert(r.saw_new_in_cluster);

    cluster_remove(cl, KIND_POD, "ns", "p");
    ck_assert_int_eq(r.removes, 1);
    ck_assert_int_eq(total(&r), 3);
    ck_assert_str_eq(r.last_old_rv, "2");
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "ns", "p"));

    /* removing what is not there, or the same name in another kind or
     * namespace, changes nothing */
    cluster_upsert(cl, mk(KIND_SERVICE, "ns", "p", "7"));
    cluster_remove(cl, KIND_POD, "ns", "p");
    cluster_remove(cl, KIND_SERVICE, "other", "p");
    cluster_remove(cl, KIND_SERVICE, "ns", NULL);
    ck_assert_int_eq(total(&r), 4);
    ck_assert_uint_eq(cluster_count(cl, KIND_SERVICE), 1);
    cluster_free(cl);
}
END_TEST

START_TEST(test_rv_equal_dropped)
{
    struct cluster *cl = cluster_new();
    const struct kobj *held;
    struct rec r;

    observe(cl, &r, false);
    cluster_upsert(cl, mk_pod("ns", "p", "42", "run-1"));
    held = cluster_get(cl, KIND_POD, "ns", "p");
    /* the watch replays what the list delivered: dropped, nothing reported,
     * the held object stays (the replay is freed: ASan would see a leak) */
    cluster_upsert(cl, mk_pod("ns", "p", "42", "run-2"));
    ck_assert_int_eq(total(&r), 1);
    ck_assert_ptr_eq(cluster_get(cl, KIND_POD, "ns", "p"), held);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 1);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 0);
    /* a new resourceVersion is a change */
    cluster_upsert(cl, mk_pod("ns", "p", "43", "run-1"));
    ck_assert_int_eq(r.updates, 1);
    /* without resourceVersions nothing can be proven equal: always a change */
    cluster_upsert(cl, mk_pod("ns", "q", NULL, NULL));
    cluster_upsert(cl, mk_pod("ns", "q", NULL, NULL));
    ck_assert_int_eq(r.adds, 2);
    ck_assert_int_eq(r.updates, 2);
    cluster_free(cl);
}
END_TEST

START_TEST(test_replace_all)
{
    struct cluster *cl = cluster_new();
    struct rec r;
    size_t n;

    cluster_upsert(cl, mk_pod("a", "keep", "1", "run-1"));
    cluster_upsert(cl, mk_pod("a", "change", "2", "run-1"));
    cluster_upsert(cl, mk_pod("b", "gone", "3", "run-2"));
    cluster_upsert(cl, mk(KIND_SERVICE, "a", "svc", "4"));
    observe(cl, &r, true);

    cluster_replace_begin(cl, KIND_POD, NULL);
    cluster_upsert(cl, mk_pod("a", "keep", "1", "run-1"));
    cluster_upsert(cl, mk_pod("a", "change", "5", "run-2"));
    cluster_upsert(cl, mk_pod("c", "new", "6", "run-1"));
    cluster_remove(cl, KIND_POD, "a", "keep");
    cluster_upsert(cl, mk_pod("a", "keep", "1", "run-1"));
    /* nothing reported one by one while the replace is open */
    ck_assert_int_eq(total(&r), 0);
    /* ... but the state is current */
    ck_assert_str_eq(cluster_get(cl, KIND_POD, "a", "change")->rv, "5");
    cluster_replace_end(cl, KIND_POD, NULL);

    ck_assert_int_eq(r.resets, 1);
    ck_assert_int_eq(r.reset_ns, 0);
    ck_assert_int_eq(total(&r), 1);
    ck_assert_int_eq(r.last_kind, KIND_POD);
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 3);
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "b", "gone"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", "keep"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "c", "new"));
    /* other kinds are out of scope */
    ck_assert_uint_eq(cluster_count(cl, KIND_SERVICE), 1);
    /* the indexes followed the sweep */
    cluster_in_ns(cl, KIND_POD, "b", &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 1);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 2);

    /* after the end, changes are reported again */
    cluster_upsert(cl, mk_pod("c", "new", "7", "run-1"));
    ck_assert_int_eq(r.updates, 1);
    cluster_free(cl);
}
END_TEST

START_TEST(test_replace_namespace_scope)
{
    struct cluster *cl = cluster_new();
    struct rec with, without;

    cluster_upsert(cl, mk_pod("a", "a1", "1", NULL));
    cluster_upsert(cl, mk_pod("a", "a2", "2", NULL));
    cluster_upsert(cl, mk_pod("b", "b1", "3", NULL));
    cluster_upsert(cl, mk_pod("b", "b2", "4", NULL));
    observe(cl, &with, true);
    observe(cl, &without, false);

    cluster_replace_begin(cl, KIND_POD, "a");
    cluster_upsert(cl, mk_pod("a", "a1", "5", NULL));
    /* another namespace is not in the scope: reported as usual */
    cluster_upsert(cl, mk_pod("b", "b3", "6", NULL));
    ck_assert_int_eq(with.adds, 1);
    ck_assert_int_eq(with.updates, 0);
    cluster_replace_end(cl, KIND_POD, "a");

    /* a2 swept; b untouched although nothing upserted b1 or b2 */
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "a", "a2"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", "a1"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "b", "b1"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "b", "b2"));
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 4);
    /* one reset: through reset_ns for the observer that has it */
    ck_assert_int_eq(with.reset_ns, 1);
    ck_assert_int_eq(with.resets, 0);
    ck_assert_str_eq(with.last_reset_ns, "a");
    ck_assert_int_eq(without.resets, 1);
    ck_assert_int_eq(without.reset_ns, 0);
    ck_assert_int_eq(total(&with), 2);
    ck_assert_int_eq(total(&without), 2);

    /* a namespace emptied by the sweep */
    cluster_replace_begin(cl, KIND_POD, "b");
    cluster_replace_end(cl, KIND_POD, "b");
    ck_assert_uint_eq(cluster_count_in_ns(cl, KIND_POD, "b"), 0);
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 1);
    /* a scope over a namespace that holds nothing */
    cluster_replace_begin(cl, KIND_POD, "nothing");
    cluster_upsert(cl, mk_pod("nothing", "x", "9", NULL));
    cluster_replace_end(cl, KIND_POD, "nothing");
    ck_assert_uint_eq(cluster_count_in_ns(cl, KIND_POD, "nothing"), 1);
    ck_assert_int_eq(with.reset_ns, 3);
    cluster_free(cl);
}
END_TEST

START_TEST(test_replace_concurrent_scopes)
{
    struct cluster *cl = cluster_new();
    struct rec r;

    cluster_upsert(cl, mk_pod("a", "old", "1", NULL));
    cluster_upsert(cl, mk_pod("b", "old", "2", NULL));
    cluster_upsert(cl, mk(KIND_DEPLOYMENT, "a", "old", "3"));
    observe(cl, &r, true);

    /* two namespaces of pods and all deployments, pages interleaved */
    cluster_replace_begin(cl, KIND_POD, "a");
    cluster_replace_begin(cl, KIND_POD, "b");
    cluster_replace_begin(cl, KIND_DEPLOYMENT, NULL);
    cluster_upsert(cl, mk_pod("b", "new", "4", NULL));
    cluster_upsert(cl, mk(KIND_DEPLOYMENT, "b", "new", "5"));
    cluster_upsert(cl, mk_pod("a", "new", "6", NULL));
    cluster_upsert(cl, mk_pod("b", "old", "2", NULL));
    ck_assert_int_eq(total(&r), 0);
    cluster_replace_end(cl, KIND_POD, "b");
    ck_assert_int_eq(r.reset_ns, 1);
    ck_assert_str_eq(r.last_reset_ns, "b");
    /* "a" is still open: its old pod is still there */
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", "old"));
    cluster_replace_end(cl, KIND_DEPLOYMENT, NULL);
    cluster_replace_end(cl, KIND_POD, "a");

    ck_assert_int_eq(r.reset_ns, 2);
    ck_assert_int_eq(r.resets, 1);
    ck_assert_int_eq(total(&r), 3);
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "a", "old"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", "new"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "b", "old"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "b", "new"));
    ck_assert_ptr_null(cluster_get(cl, KIND_DEPLOYMENT, "a", "old"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_DEPLOYMENT, "b", "new"));
    cluster_free(cl);
}
END_TEST

START_TEST(test_replace_restart_and_unbalanced)
{
    struct cluster *cl = cluster_new();
    struct rec r;

    observe(cl, &r, false);
    /* an end without a begin does nothing */
    cluster_replace_end(cl, KIND_POD, NULL);
    cluster_replace_end(cl, KIND_POD, "a");
    ck_assert_int_eq(total(&r), 0);

    /* a list retried from its first page begins again: only what the
     * second attempt delivered survives */
    cluster_replace_begin(cl, KIND_POD, NULL);
    cluster_upsert(cl, mk_pod("a", "x", "1", NULL));
    cluster_replace_begin(cl, KIND_POD, NULL);
    cluster_upsert(cl, mk_pod("a", "y", "2", NULL));
    cluster_replace_end(cl, KIND_POD, NULL);
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "a", "x"));
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", "y"));
    ck_assert_int_eq(r.resets, 1);
    ck_assert_int_eq(total(&r), 1);
    /* an RV-equal upsert during a replace still counts as seen */
    cluster_replace_begin(cl, KIND_POD, NULL);
    cluster_upsert(cl, mk_pod("a", "y", "2", NULL));
    cluster_replace_end(cl, KIND_POD, NULL);
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", "y"));
    cluster_free(cl);
}
END_TEST

START_TEST(test_node_index_follows_moves)
{
    struct cluster *cl = cluster_new();
    const struct kobj *const *on;
    size_t n;

    cluster_upsert(cl, mk_pod("a", "p1", "1", "run-1"));
    cluster_upsert(cl, mk_pod("a", "p2", "1", "run-1"));
    cluster_upsert(cl, mk_pod("b", "p3", "1", "run-2"));
    cluster_upsert(cl, mk_pod("b", "pending", "1", NULL));
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 2);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 1);

    /* p1 moves run-1 -> run-2 */
    cluster_upsert(cl, mk_pod("a", "p1", "2", "run-2"));
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 1);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 2);
    on = cluster_pods_of_node(cl, "run-1", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(on[0]->name, "p2");
    /* the pending pod is scheduled; p3 loses its node */
    cluster_upsert(cl, mk_pod("b", "pending", "2", "run-1"));
    cluster_upsert(cl, mk_pod("b", "p3", "2", NULL));
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-1"), 2);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 1);
    /* an update on the same node points the list at the new object */
    cluster_upsert(cl, mk_pod("a", "p2", "3", "run-1"));
    on = cluster_pods_of_node(cl, "run-1", &n);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_eq(on[i], cluster_get(cl, KIND_POD, on[i]->ns, on[i]->name));
    /* removals */
    cluster_remove(cl, KIND_POD, "a", "p1");
    ck_assert_uint_eq(cluster_pods_on_node(cl, "run-2"), 0);
    on = cluster_pods_of_node(cl, "run-2", &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(on);
    ck_assert_uint_eq(cluster_pods_on_node(cl, "nowhere"), 0);
    ck_assert_uint_eq(cluster_pods_on_node(cl, NULL), 0);
    cluster_free(cl);
}
END_TEST

START_TEST(test_cluster_scoped_and_bad_input)
{
    struct cluster *cl = cluster_new();
    struct kobj *nameless = mk(KIND_POD, "a", NULL, "1");
    char longname[600];
    size_t n;

    cluster_upsert(cl, mk(KIND_NODE, NULL, "run-1", "1"));
    cluster_in_ns(cl, KIND_NODE, "default", &n);
    ck_assert_uint_eq(n, 0);
    cluster_in_ns(cl, KIND_NODE, NULL, &n);
    ck_assert_uint_eq(n, 1);
    /* NULL and nameless objects are ignored (and freed) */
    cluster_upsert(cl, NULL);
    cluster_upsert(cl, nameless);
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 0);
    ck_assert_uint_eq(cluster_count(cl, KIND_COUNT), 0);
    ck_assert_ptr_null(cluster_get(cl, KIND_COUNT, NULL, "run-1"));
    /* names longer than any valid one still key correctly */
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    cluster_upsert(cl, mk_pod("a", longname, "1", "run-1"));
    longname[10] = 'y';
    cluster_upsert(cl, mk_pod("a", longname, "1", "run-1"));
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 2);
    ck_assert_ptr_nonnull(cluster_get(cl, KIND_POD, "a", longname));
    cluster_remove(cl, KIND_POD, "a", longname);
    ck_assert_ptr_null(cluster_get(cl, KIND_POD, "a", longname));
    ck_assert_uint_eq(cluster_count(cl, KIND_POD), 1);
    cluster_free(cl);
}
END_TEST

/*
 * Observers removed (and added) from inside a callback
 */

struct selfish {
    struct cluster *cl;
    int calls;
    void *remove_arg; /* unobserved on the first call */
    bool add_one;     /* registers `added` on the first call */
    struct rec *added;
};

static void
selfish_changed(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
{
    struct selfish *s = arg;

    (void)op, (void)old, (void)new_;
    if (s->calls++ == 0) {
        if (s->remove_arg)
            cluster_unobserve(s->cl, s->remove_arg);
        if (s->add_one)
            observe(s->cl, s->added, false);
    }
}

START_TEST(test_unobserve_from_callback)
{
    struct cluster *cl = cluster_new();
    struct selfish a = {.cl = cl}, b = {.cl = cl};
    struct rec c, late;
    struct cluster_observer oa = {.changed = selfish_changed, .arg = &a};
    struct cluster_observer ob = {.changed = selfish_changed, .arg = &b};

    a.remove_arg = &a; /* a removes itself */
    b.remove_arg = &c; /* b removes c, which comes after it */
    b.add_one = true;
    b.added = &late;
    cluster_observe(cl, &oa);
    cluster_observe(cl, &ob);
    observe(cl, &c, false);

    cluster_upsert(cl, mk_pod("a", "p", "1", NULL));
    ck_assert_int_eq(a.calls, 1);
    ck_assert_int_eq(b.calls, 1);
    ck_assert_int_eq(total(&c), 0);    /* removed before its turn */
    ck_assert_int_eq(total(&late), 0); /* added during: sees the next change */

    cluster_upsert(cl, mk_pod("a", "p", "2", NULL));
    cluster_remove(cl, KIND_POD, "a", "p");
    ck_assert_int_eq(a.calls, 1);
    ck_assert_int_eq(b.calls, 3);
    ck_assert_int_eq(total(&c), 0);
    ck_assert_int_eq(late.updates, 1);
    ck_assert_int_eq(late.removes, 1);

    /* unobserving an unknown arg is harmless; so is removing outside */
    cluster_unobserve(cl, &a);
    cluster_unobserve(cl, &late);
    cluster_upsert(cl, mk_pod("a", "p", "3", NULL));
    ck_assert_int_eq(total(&late), 2);
    ck_assert_int_eq(b.calls, 4);
    cluster_free(cl);
}
END_TEST

/*
 * A random walk checked against a plain reference: after every step each
 * index (all, per namespace, per node) holds exactly the expected objects.
 */

#define NPODS 60

struct ref_pod {
    bool live;
    int ns;
    int node; /* -1 unscheduled */
    int rv;
};

static const char *const ref_ns[] = {"a", "b", "c"};
static const char *const ref_node[] = {"run-1", "run-2", "run-3", "run-4"};

static void
check_against(const struct cluster *cl, const struct ref_pod *ref)
{
    size_t n, want_all = 0;

    for (int i = 0; i < NPODS; i++)
        want_all += ref[i].live;
    cluster_all(cl, KIND_POD, &n);
    ck_assert_uint_eq(n, want_all);
    for (size_t s = 0; s < ARRAY_SIZE(ref_ns); s++) {
        const struct kobj *const *objs = cluster_in_ns(cl, KIND_POD, ref_ns[s], &n);
        size_t want = 0;

        for (int i = 0; i < NPODS; i++)
            want += ref[i].live && ref[i].ns == (int)s;
        ck_assert_uint_eq(n, want);
        for (size_t j = 0; j < n; j++) {
            int i = atoi(objs[j]->name + 1);

            ck_assert(ref[i].live && ref[i].ns == (int)s);
            ck_assert_ptr_eq(objs[j], cluster_get(cl, KIND_POD, objs[j]->ns, objs[j]->name));
        }
    }
    for (size_t d = 0; d < ARRAY_SIZE(ref_node); d++) {
        const struct kobj *const *objs = cluster_pods_of_node(cl, ref_node[d], &n);
        size_t want = 0;

        for (int i = 0; i < NPODS; i++)
            want += ref[i].live && ref[i].node == (int)d;
        ck_assert_uint_eq(n, want);
        for (size_t j = 0; j < n; j++) {
            int i = atoi(objs[j]->name + 1);

            ck_assert(ref[i].live && ref[i].node == (int)d);
            ck_assert_int_eq(atoi(objs[j]->rv), ref[i].rv);
        }
    }
}

START_TEST(test_random_walk_indexes)
{
    struct cluster *cl = cluster_new();
    struct ref_pod ref[NPODS] = {0};
    struct rec r;
    int changes = 0;
    unsigned seed = 12345;

    observe(cl, &r, false);
    for (int step = 0; step < 3000; step++) {
        int i = rand_r(&seed) % NPODS;
        int what = rand_r(&seed) % 4;
        char name[16], rv[16];

        snprintf(name, sizeof(name), "p%d", i);
        if (what == 0 && ref[i].live) {
            cluster_remove(cl, KIND_POD, ref_ns[ref[i].ns], name);
            ref[i].live = false;
            changes++;
        } else {
            int node = rand_r(&seed) % 5 - 1;

            if (!ref[i].live)
                ref[i].ns = rand_r(&seed) % 3;
            ref[i].node = node;
            ref[i].rv = step + 1;
            ref[i].live = true;
            snprintf(rv, sizeof(rv), "%d", ref[i].rv);
            cluster_upsert(cl,
                           mk_pod(ref_ns[ref[i].ns], name, rv, node < 0 ? NULL : ref_node[node]));
            changes++;
        }
        check_against(cl, ref);
    }
    ck_assert_int_eq(total(&r), changes);
    cluster_free(cl);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("cluster");
    TCase *tc = tcase_create("cluster");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_upsert_get_count);
    tcase_add_test(tc, test_one_notification_per_change);
    tcase_add_test(tc, test_rv_equal_dropped);
    tcase_add_test(tc, test_replace_all);
    tcase_add_test(tc, test_replace_namespace_scope);
    tcase_add_test(tc, test_replace_concurrent_scopes);
    tcase_add_test(tc, test_replace_restart_and_unbalanced);
    tcase_add_test(tc, test_node_index_follows_moves);
    tcase_add_test(tc, test_cluster_scoped_and_bad_input);
    tcase_add_test(tc, test_unobserve_from_callback);
    tcase_add_test(tc, test_random_walk_indexes);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
