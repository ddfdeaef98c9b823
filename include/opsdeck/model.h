/* SPDX-License-Identifier: MIT */
/* model.h - plain C structs for the Kubernetes objects opsdeck shows */
#ifndef OPSDECK_MODEL_H
#define OPSDECK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"

struct conventions;

/*
 * The kinds opsdeck reads. One line each:
 *   _(ENUM, Kind, resource, group, version, namespaced, short name)
 * To add a kind: a line here, its struct below, its parse/free/encode cases
 * in backend/model*.c, and a sim fixture.
 */
#define KIND_INFO(_)                                                                               \
    _(NODE, "Node", "nodes", "", "v1", false, "no")                                                \
    _(NAMESPACE, "Namespace", "namespaces", "", "v1", false, "ns")                                 \
    _(POD, "Pod", "pods", "", "v1", true, "po")                                                    \
    _(DEPLOYMENT, "Deployment", "deployments", "apps", "v1", true, "deploy")                       \
    _(RESOURCEQUOTA, "ResourceQuota", "resourcequotas", "", "v1", true, "quota")                   \
    _(NETWORKPOLICY, "NetworkPolicy", "networkpolicies", "networking.k8s.io", "v1", true,          \
      "netpol")                                                                                    \
    _(INGRESS, "Ingress", "ingresses", "networking.k8s.io", "v1", true, "ing")                     \
    _(SERVICE, "Service", "services", "", "v1", true, "svc")                                       \
    _(EVENT, "Event", "events", "", "v1", true, "ev")

#define KIND_ENUM(name, ...) KIND_##name,
enum kind { KIND_INFO(KIND_ENUM) KIND_COUNT };
#undef KIND_ENUM

struct kind_info {
    const char *kind;     /* "Pod" */
    const char *resource; /* "pods" */
    const char *group;    /* "" for the core group */
    const char *version;  /* "v1" */
    bool namespaced;
    const char *short_name; /* "po" */
};

const struct kind_info *kind_info(enum kind kind);
/* Accepts the kind, resource, singular or short name, any case ("pods",
 * "Pod", "po", "pod"). */
bool kind_parse(const char *s, enum kind *out);

/* Labels (and other string maps), sorted by key (strcmp order), keys
 * unique: kv_get searches in O(log n). */
struct kv {
    char *key;
    char *value;
};
struct kv_list {
    struct kv *items; /* owned */
    size_t len;
};
/* The value for key, or NULL. Borrowed. */
const char *kv_get(const struct kv_list *list, const char *key);
/* "a=b,c=d" (sorted) into a new string; "" for an empty list. */
char *kv_join(const struct kv_list *list);
void kv_list_done(struct kv_list *list);

/*
 * Every model struct starts with struct kobj, so generic code (the cluster
 * state, the cache, tables) handles struct kobj * and dispatches on kind.
 * All strings are owned by the object; NULL means absent. Times are Unix
 * seconds, 0 = absent. Nothing from a Secret and no literal env value is
 * ever kept (DESIGN.md §2): the parser does not read them.
 */
struct kobj {
    enum kind kind;
    bool packed; /* kobj_parse and kobj_decode return the object and all it owns
                    as one allocation; kobj_free knows both forms */
    char *name;
    char *ns; /* NULL for cluster-scoped kinds */
    char *uid;
    char *rv;         /* metadata.resourceVersion (opaque) */
    int64_t created;  /* metadata.creationTimestamp */
    int64_t deleting; /* metadata.deletionTimestamp */
    struct kv_list labels;
    char *owner_kind; /* controller ownerReference (else the first one) */
    char *owner_name;
};

struct condition {
    char *type;
    char *status; /* "True" | "False" | "Unknown" */
    char *reason;
    char *message;
    int64_t last_transition;
};

/* Kubernetes quantities as written ("3500m", "8163684Ki"); parse with
 * quantity_parse(). NULL when absent. */
struct resources {
    char *cpu;
    char *memory;
    char *pods;
    char *ephemeral_storage;
};

struct node_taint {
    char *key;
    char *value;  /* NULL when the taint has none */
    char *effect; /* NoSchedule | PreferNoSchedule | NoExecute */
};

struct namespace
{
    struct kobj obj;
    char *phase; /* status.phase: Active | Terminating */
};

struct node {
    struct kobj obj;
    char *status;        /* kubectl STATUS: Ready | NotReady | Unknown [+ ",SchedulingDisabled"] */
    char *roles;         /* kubectl ROLES: "control-plane,etcd,master" | "<none>" */
    bool ready;          /* Ready condition is True */
    bool unschedulable;  /* spec.unschedulable (cordoned) */
    int64_t ready_since; /* Ready condition lastTransitionTime */
    bool memory_pressure;
    bool disk_pressure;
    bool pid_pressure;
    bool network_unavailable;
    struct node_taint *taints;
    size_t ntaints;
    struct condition *conds;
    size_t nconds;
    char *internal_ip; /* first InternalIP address */
    char *external_ip; /* first ExternalIP address */
    char *kubelet_version;
    char *os_image;
    char *kernel_version;
    char *runtime_version;
    char *arch;
    struct resources capacity;
    struct resources allocatable;
};

enum container_kind { CONTAINER_APP, CONTAINER_INIT, CONTAINER_SIDECAR };
enum container_state { CSTATE_NONE, CSTATE_WAITING, CSTATE_RUNNING, CSTATE_TERMINATED };

struct container {
    char *name;
    char *image;
    enum container_kind kind; /* SIDECAR: an init container with restartPolicy Always */
    bool ready;
    bool started;
    int restarts;
    enum container_state state;
    char *reason; /* state.waiting.reason or state.terminated.reason */
    char *message;
    int exit_code;       /* terminated */
    int signal;          /* terminated; 0 none */
    int64_t started_at;  /* running.startedAt or terminated.startedAt */
    int64_t finished_at; /* terminated.finishedAt */
    char *last_reason;   /* lastState.terminated.reason ("OOMKilled") */
    int last_exit_code;
    int64_t last_finished_at;
    struct resources requests;
    struct resources limits;
    size_t nenv;     /* number of env entries (names and values are not kept) */
    char **env_from; /* secretRef/configMapRef names the container reads,
                        NULL-terminated; NULL when none */
};

struct pod {
    struct kobj obj;
    char *node; /* spec.nodeName; NULL when unscheduled */
    char *phase;
    char *status;         /* kubectl STATUS (api-facts §1.9, every branch) */
    char *reason;         /* status.reason ("Evicted", "NodeLost") */
    char *message;        /* status.message */
    int ready;            /* kubectl READY numerator */
    int total;            /* kubectl READY denominator */
    int restarts;         /* kubectl RESTARTS */
    int64_t last_restart; /* kubectl's last restart: newest lastState.terminated.finishedAt
                             of the containers RESTARTS counts; "14 (5m ago)" */
    bool pod_ready;       /* PodReady condition True */
    char *ip;
    char *qos_class;
    char *runtime_class;
    struct condition *conds;
    size_t nconds;
    struct container *containers; /* spec.initContainers then spec.containers, in spec
                                     order, each joined with its status by name */
    size_t ncontainers;
};

struct deployment {
    struct kobj obj;
    int replicas;            /* spec.replicas (default 1) */
    int ready;               /* status.readyReplicas */
    int updated;             /* status.updatedReplicas */
    int available;           /* status.availableReplicas */
    int unavailable;         /* status.unavailableReplicas */
    char *image;             /* first container's image */
    struct kv_list selector; /* spec.selector.matchLabels */
    struct condition *conds;
    size_t nconds;
};

struct quota_item {
    char *resource; /* "pods", "requests.cpu", "limits.memory" */
    char *hard;
    char *used; /* NULL when status.used has no entry */
};

struct resourcequota {
    struct kobj obj;
    struct quota_item *items; /* sorted by resource */
    size_t nitems;
};

struct networkpolicy {
    struct kobj obj;
    char *pod_selector; /* kubectl's selector text: "app=web,tier in (a,b)", "" = all pods */
    bool ingress;       /* policyTypes includes Ingress (defaulted as the API does) */
    bool egress;        /* policyTypes includes Egress (or spec.egress is present) */
};

struct ingress {
    struct kobj obj;
    char *class_name;
    char **hosts;     /* NULL-terminated rule hosts */
    char **addresses; /* NULL-terminated load balancer IPs / hostnames */
    char **backends;  /* NULL-terminated backend service names */
    bool tls;
};

struct service {
    struct kobj obj;
    char *type; /* ClusterIP | NodePort | LoadBalancer | ExternalName */
    char *cluster_ip;
    char *ports; /* kubectl PORT(S): "80/TCP,443:30443/TCP", "<none>" */
    struct kv_list selector;
};

struct event {
    struct kobj obj;
    char *type; /* Normal | Warning */
    char *reason;
    char *message;
    char *involved_kind;
    char *involved_ns;
    char *involved_name;
    char *involved_uid;
    char *source;       /* source.component or reportingController */
    int count;          /* series.count when series is present, else count, else 1 */
    int64_t first_seen; /* firstTimestamp, else eventTime */
    int64_t last_seen;  /* kubectl LAST SEEN: series.lastObservedTime when series is
                           present, else lastTimestamp, else first_seen */
};

/*
 * Parses one object (a list item, a watch event's object or a GET reply)
 * into a new model of `kind` (caller frees with kobj_free). List items carry
 * no kind; it is not checked. null counts as absent. Returns NULL with
 * status_fail(STATUS_JSON, ...) naming the field when the shape is wrong:
 * not an object, missing metadata.name, a field of the wrong type or an
 * unreadable timestamp ("pods item: spec.containers[0].name: expected string").
 */
struct kobj *kobj_parse(enum kind kind, const struct json_doc *doc, uint32_t t);
void kobj_free(struct kobj *obj); /* NULL is a no-op */
/* "ns/name" or "name" into buf (truncated to size); returns buf. */
char *kobj_key(const struct kobj *obj, char *buf, size_t size);

/* Binary encoding for the cache (stable across runs, versioned; appended to
 * out). decode returns a new object (caller frees), or NULL with
 * status_fail(STATUS_CORRUPT, ...) on any malformed, truncated, foreign-
 * version or other-kind input. */
#define KOBJ_CODEC_VERSION 1
void kobj_encode(const struct kobj *obj, struct strbuf *out);
struct kobj *kobj_decode(enum kind kind, const void *data, size_t len);

/* kubectl's READY column: "1/2". */
void pod_ready_text(const struct pod *pod, char *buf, size_t size);
/* kubectl's RESTARTS column: "14" or "14 (5m ago)". */
void pod_restarts_text(const struct pod *pod, int64_t now, char *buf, size_t size);
/* A pod needs attention: its STATUS is not Running with every container
 * ready, and it has not completed (phase Succeeded or STATUS Completed). */
bool pod_is_problem(const struct pod *pod);
/* A node needs attention: not Ready, cordoned, or under pressure. */
bool node_is_problem(const struct node *node);
/* Taint as kubectl writes it: "key=value:Effect" or "key:Effect" ("key",
 * "key=value:" without an effect). */
void node_taint_text(const struct node_taint *taint, char *buf, size_t size);

/*
 * Quantities as Kubernetes writes them: an optionally signed decimal ("4",
 * "1.5", "-.5") and a suffix: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or a
 * decimal exponent ("1e3", "2E-3"). Stores the value in base units (cores,
 * bytes, count); false (out untouched) for anything else, NULL included.
 */
bool quantity_parse(const char *s, double *out);
/* used/hard as a fraction (0.93), or -1 when either does not parse or hard is 0. */
double quota_item_ratio(const struct quota_item *item);
/* Human forms: bytes "512", "170Mi", "7.8Gi"; cores "250m", "3.5", "16". */
void quantity_format_bytes(double bytes, char *buf, size_t size);
void quantity_format_cpu(double cores, char *buf, size_t size);

/*
 * One-shot JSON output (`opsdeck get … -o json`): one object per model,
 * fields as the README documents; fetched_at > 0 adds "fetched_at" (cached
 * data). Absent values are null. `now` (Unix seconds) computes "age" and
 * the "(5m ago)" of restarts. conv may be NULL (pool is then null).
 */
struct jsonw;
void node_write_json(const struct node *node, const struct conventions *conv, int64_t now,
                     int64_t fetched_at, struct jsonw *w);
void pod_write_json(const struct pod *pod, int64_t now, int64_t fetched_at, struct jsonw *w);

#endif /* OPSDECK_MODEL_H */
