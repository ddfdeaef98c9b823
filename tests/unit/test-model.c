/* SPDX-License-Identifier: MIT */
/* test-model.c - object models: kubectl's STATUS/READY/RESTARTS/ROLES, quantities, parse errors */
#include "config.h"

#include <stdint.h>

#include "opsdeck/clock.h"
#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* Unix seconds of an RFC 3339 time. */
static int64_t
ts(const char *s)
{
    int64_t ns;

    ck_assert_msg(time_parse_rfc3339(s, &ns), "bad time %s", s);
    return ns / NS_PER_SEC;
}

/* Synthetic objects are written with single quotes for legibility. */
static char *
sq(const char *text)
{
    char *s = xstrdup(text);

    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

/* Parses one object of kind from JSON text (single-quoted when sq_text). */
static struct kobj *
parse_text(enum kind kind, const char *text, bool sq_text)
{
    struct json_doc doc;
    char *buf = sq_text ? sq(text) : xstrdup(text);
    struct kobj *obj;

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, buf, strlen(buf)) == STATUS_OK, "%s: %s", doc.err, buf);
    obj = kobj_parse(kind, &doc, 0);
    json_doc_done(&doc);
    free(buf);
    return obj;
}

/* Object `name` of a fixture that holds one object or a List of them. */
static struct kobj *
parse_fixture(enum kind kind, const char *file, const char *name)
{
    struct json_doc doc;
    struct json_iter it;
    struct kobj *found = NULL;
    uint32_t items, v;
    size_t len;
    char *text = fixture_read(file, &len);

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, text, len) == STATUS_OK, "%s: %s", file, doc.err);
    items = json_get(&doc, 0, "items");
    if (items == JSON_NONE) {
        found = kobj_parse(kind, &doc, 0);
        ck_assert_msg(found != NULL, "%s: %s", file, status_text());
    } else {
        json_iter_init(&it, &doc, items);
        while (!found && json_iter_next(&it, NULL, &v)) {
            if (!json_streq(&doc, json_dig(&doc, v, "metadata", "name", NULL), name))
                continue;
            found = kobj_parse(kind, &doc, v);
            ck_assert_msg(found != NULL, "%s %s: %s", file, name, status_text());
        }
    }
    ck_assert_msg(found != NULL, "%s: no %s", file, name);
    ck_assert_str_eq(found->name, name);
    json_doc_done(&doc);
    free(text);
    return found;
}

/*
 * Kinds and string maps
 */

START_TEST(test_kinds)
{
    static const struct {
        const char *s;
        enum kind kind;
    } names[] = {
        {"pods", KIND_POD},
        {"Pod", KIND_POD},
        {"po", KIND_POD},
        {"pod", KIND_POD},
        {"PODS", KIND_POD},
        {"no", KIND_NODE},
        {"nodes", KIND_NODE},
        {"ns", KIND_NAMESPACE},
        {"namespace", KIND_NAMESPACE},
        {"deploy", KIND_DEPLOYMENT},
        {"deployment", KIND_DEPLOYMENT},
        {"quota", KIND_RESOURCEQUOTA},
        {"resourcequotas", KIND_RESOURCEQUOTA},
        {"netpol", KIND_NETWORKPOLICY},
        {"NetworkPolicy", KIND_NETWORKPOLICY},
        {"ing", KIND_INGRESS},
        {"ingresses", KIND_INGRESS},
        {"svc", KIND_SERVICE},
        {"service", KIND_SERVICE},
        {"ev", KIND_EVENT},
        {"events", KIND_EVENT},
    };
    enum kind k;

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        ck_assert_msg(kind_parse(names[i].s, &k), "%s", names[i].s);
        ck_assert_int_eq(k, names[i].kind);
    }
    ck_assert(!kind_parse("secrets", &k));
    ck_assert(!kind_parse("", &k));
    ck_assert(!kind_parse("p", &k));
    ck_assert(!kind_parse(NULL, &k));
    ck_assert_str_eq(kind_info(KIND_DEPLOYMENT)->group, "apps");
    ck_assert_str_eq(kind_info(KIND_INGRESS)->group, "networking.k8s.io");
    ck_assert(!kind_info(KIND_NODE)->namespaced);
    ck_assert(kind_info(KIND_EVENT)->namespaced);
    ck_assert_ptr_null(kind_info(KIND_COUNT));
}
END_TEST

START_TEST(test_labels)
{
    struct kobj *obj = parse_text(KIND_NAMESPACE,
                                  "{'metadata':{'name':'dp-max-catapp','labels':{'z':'1','a':'2',"
                                  "'dp.ml.ink/tenant':'max','m':'3','a':'4'}}}",
                                  true);
    char buf[64];
    char *joined;

    ck_assert_ptr_nonnull(obj);
    ck_assert_uint_eq(obj->labels.len, 4);
    ck_assert_str_eq(obj->labels.items[0].key, "a");
    ck_assert_str_eq(obj->labels.items[0].value, "4"); /* the later duplicate wins */
    ck_assert_str_eq(kv_get(&obj->labels, "dp.ml.ink/tenant"), "max");
    ck_assert_str_eq(kv_get(&obj->labels, "z"), "1");
    ck_assert_ptr_null(kv_get(&obj->labels, "b"));
    joined = kv_join(&obj->labels);
    ck_assert_str_eq(joined, "a=4,dp.ml.ink/tenant=max,m=3,z=1");
    free(joined);
    ck_assert_ptr_null(obj->ns);
    ck_assert_str_eq(kobj_key(obj, buf, sizeof(buf)), "dp-max-catapp");
    kobj_free(obj);

    struct kv_list empty = {0};
    joined = kv_join(&empty);
    ck_assert_str_eq(joined, "");
    free(joined);
    ck_assert_ptr_null(kv_get(&empty, "a"));
    kobj_free(NULL);
}
END_TEST

START_TEST(test_metadata)
{
    struct kobj *obj =
        parse_fixture(KIND_POD, "kubernetes/cloudability/pods.json", "aws-node-48cfw");
    char buf[64];

    ck_assert_str_eq(obj->ns, "kube-system");
    ck_assert_str_eq(obj->uid, "8c9cfe2b-0b80-474a-8f70-588118892943");
    ck_assert_str_eq(obj->rv, "2289");
    ck_assert_int_eq(obj->created, ts("2022-05-27T22:45:14Z"));
    ck_assert_int_eq(obj->deleting, 0);
    ck_assert_str_eq(obj->owner_kind, "DaemonSet");
    ck_assert_str_eq(obj->owner_name, "aws-node");
    ck_assert_str_eq(kv_get(&obj->labels, "k8s-app"), "aws-node");
    ck_assert_str_eq(kobj_key(obj, buf, sizeof(buf)), "kube-system/aws-node-48cfw");
    ck_assert_str_eq(kobj_key(obj, buf, 8), "kube-sy");
    kobj_free(obj);

    /* The controller reference wins over the first one. */
    obj =
        parse_text(KIND_POD,
                   "{'metadata':{'name':'p','namespace':'n','ownerReferences':["
                   "{'kind':'A','name':'a'},{'kind':'ReplicaSet','name':'rs','controller':true}]},"
                   "'spec':{'containers':[]}}",
                   true);
    ck_assert_str_eq(obj->owner_kind, "ReplicaSet");
    ck_assert_str_eq(obj->owner_name, "rs");
    kobj_free(obj);
}
END_TEST

/*
 * Nodes
 */

static const struct {
    const char *file;
    const char *name;
    const char *status;
    const char *roles;
    const char *version;
    const char *ip;
    const char *taints;
    const char *runtime;
    const char *cpu;
    const char *memory;
} fixture_nodes[] = {
    {"kubernetes/kubectl-status/json/node-minikube.json", "minikube", "Ready", "master", "v1.17.3",
     "192.168.99.102", "", "docker://19.3.6", "2", "1986740Ki"},
    {"kubernetes/kubectl-status/json/node-eks.json", "ip-10-0-1-23.ec2.internal", "Ready", "<none>",
     "v1.29.0", "10.0.1.23", "", "containerd://1.7.11", "2", "7938700Ki"},
    {"kubernetes/honeycomb/nodes.json", "duckboat-01", "Ready", "<none>",
     "v1.21.2-13+d2965f0db10712", "10.9.150.105", "type=hound:NoSchedule", "docker://19.3.13", "8",
     "32144656Ki"},
    {"kubernetes/kubectl-status/json/_composite_NodeList_main.json", "minikube", "Ready", "master",
     "v1.17.3", "192.168.99.102", "", "docker://19.3.6", "2", "1986740Ki"},
    {"kubernetes/k9s/render_testdata/no.json", "minikube", "Ready", "master", "v1.15.2",
     "192.168.64.107", "", NULL, "4", "8165556Ki"},
    /* Synthetic k3s nodes (see tests/fixtures/kubernetes/SOURCES.md). */
    {"kubernetes/synthetic/nodes-k3s-states.json", "k3s-1", "Ready", "control-plane,etcd,master",
     "v1.31.4+k3s1", "10.0.1.1", "", "containerd://1.7.23-k3s2", "4", "8131312Ki"},
    {"kubernetes/synthetic/nodes-k3s-states.json", "ops-1", "Ready,SchedulingDisabled", "<none>",
     "v1.31.4+k3s1", "10.0.1.10", "pool=ops:NoSchedulenode.kubernetes.io/unschedulable:NoSchedule",
     "containerd://1.7.23-k3s2", "4", "8131312Ki"},
    {"kubernetes/synthetic/nodes-k3s-states.json", "run-1", "NotReady", "<none>", "v1.31.4+k3s1",
     "10.0.1.100",
     "node.kubernetes.io/unreachable:NoSchedulenode.kubernetes.io/unreachable:NoExecute",
     "containerd://1.7.23-k3s2", "4", "8131312Ki"},
    {"kubernetes/synthetic/nodes-k3s-states.json", "run-2", "NotReady", "<none>", "v1.31.4+k3s1",
     "10.0.1.101", "", "containerd://1.7.23-k3s2", "4", "8131312Ki"},
};

START_TEST(test_fixture_nodes)
{
    struct node *n =
        (struct node *)parse_fixture(KIND_NODE, fixture_nodes[_i].file, fixture_nodes[_i].name);
    char taints[256] = "", t[128];

    ck_assert_int_eq(n->obj.kind, KIND_NODE);
    ck_assert_ptr_null(n->obj.ns);
    ck_assert_str_eq(n->status, fixture_nodes[_i].status);
    ck_assert_str_eq(n->roles, fixture_nodes[_i].roles);
    ck_assert_str_eq(n->kubelet_version, fixture_nodes[_i].version);
    ck_assert_str_eq(n->internal_ip, fixture_nodes[_i].ip);
    ck_assert_ptr_null(n->external_ip);
    for (size_t i = 0; i < n->ntaints; i++) {
        node_taint_text(&n->taints[i], t, sizeof(t));
        strcat(taints, t);
    }
    ck_assert_str_eq(taints, fixture_nodes[_i].taints);
    if (fixture_nodes[_i].runtime)
        ck_assert_str_eq(n->runtime_version, fixture_nodes[_i].runtime);
    ck_assert_str_eq(n->capacity.cpu, fixture_nodes[_i].cpu);
    ck_assert_str_eq(n->capacity.memory, fixture_nodes[_i].memory);
    ck_assert_int_eq(n->ready, strcmp(n->status, "Ready") == 0 ||
                                   strcmp(n->status, "Ready,SchedulingDisabled") == 0);
    ck_assert_int_eq(n->unschedulable, strstr(n->status, "SchedulingDisabled") != NULL);
    ck_assert(!n->memory_pressure && !n->disk_pressure && !n->pid_pressure);
    ck_assert_int_eq(node_is_problem(n), strcmp(n->status, "Ready") != 0);
    ck_assert_uint_ge(n->nconds, 4);
    ck_assert_int_gt(n->ready_since, 0);
    kobj_free(&n->obj);
}
END_TEST

START_TEST(test_node_details)
{
    struct node *n = (struct node *)parse_fixture(
        KIND_NODE, "kubernetes/kubectl-status/json/node-eks.json", "ip-10-0-1-23.ec2.internal");
    double v;

    ck_assert_str_eq(n->allocatable.cpu, "1930m");
    ck_assert(quantity_parse(n->allocatable.cpu, &v) && v == 1.93);
    ck_assert_str_eq(n->allocatable.memory, "7220364Ki");
    ck_assert_str_eq(n->allocatable.ephemeral_storage, "76224326324");
    ck_assert_str_eq(n->capacity.pods, "29");
    ck_assert_str_eq(n->os_image, "Amazon Linux 2");
    ck_assert_str_eq(n->arch, "amd64");
    ck_assert_int_eq(n->obj.created, ts("2020-03-18T14:13:28Z"));
    kobj_free(&n->obj);
}
END_TEST

/* Synthetic nodes (no recorded NotReady/cordoned/Unknown node exists in a
 * citable repository; these follow printNode's rules). */
static const struct {
    const char *json;
    const char *status;
    const char *roles;
    bool problem;
} synthetic_nodes[] = {
    {"{'metadata':{'name':'run-1','labels':{'pool':'run'}},'status':{'conditions':["
     "{'type':'Ready','status':'False','reason':'KubeletNotReady'}]}}",
     "NotReady", "<none>", true},
    {"{'metadata':{'name':'run-2'},'status':{'conditions':[{'type':'Ready','status':'Unknown',"
     "'reason':'NodeStatusUnknown','message':'Kubelet stopped posting node status.'}]},"
     "'spec':{'taints':[{'key':'node.kubernetes.io/unreachable','effect':'NoExecute'}]}}",
     "NotReady", "<none>", true},
    {"{'metadata':{'name':'x'},'status':{'conditions':[{'type':'MemoryPressure',"
     "'status':'False'}]}}",
     "Unknown", "<none>", true},
    {"{'metadata':{'name':'x'}}", "Unknown", "<none>", true},
    {"{'metadata':{'name':'ops-1'},'spec':{'unschedulable':true},'status':{'conditions':["
     "{'type':'Ready','status':'True'}]}}",
     "Ready,SchedulingDisabled", "<none>", true},
    {"{'metadata':{'name':'x'},'spec':{'unschedulable':true},'status':{'conditions':["
     "{'type':'Ready','status':'False'}]}}",
     "NotReady,SchedulingDisabled", "<none>", true},
    {"{'metadata':{'name':'x'},'spec':{'unschedulable':true}}", "Unknown,SchedulingDisabled",
     "<none>", true},
    /* The last Ready condition wins, as in kubectl's condition map. */
    {"{'metadata':{'name':'x'},'status':{'conditions':[{'type':'Ready','status':'False'},"
     "{'type':'Ready','status':'True'}]}}",
     "Ready", "<none>", false},
    {"{'metadata':{'name':'k3s-1','labels':{'node-role.kubernetes.io/master':'true',"
     "'node-role.kubernetes.io/control-plane':'true','node-role.kubernetes.io/etcd':'true',"
     "'pool':'ctrl'}},'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
     "Ready", "control-plane,etcd,master", false},
    {"{'metadata':{'name':'x','labels':{'kubernetes.io/role':'worker',"
     "'node-role.kubernetes.io/worker':'','node-role.kubernetes.io/':'true',"
     "'node-role.kubernetes.io/gpu':'false'}},'status':{'conditions':[{'type':'Ready',"
     "'status':'True'}]}}",
     "Ready", "gpu,worker", false},
    {"{'metadata':{'name':'x','labels':{'kubernetes.io/role':''}},'status':{'conditions':["
     "{'type':'Ready','status':'True'},{'type':'DiskPressure','status':'True'}]}}",
     "Ready", "<none>", true},
    {"{'metadata':{'name':'x'},'status':{'conditions':[{'type':'Ready','status':'True'},"
     "{'type':'PIDPressure','status':'True'}]}}",
     "Ready", "<none>", true},
    {"{'metadata':{'name':'x'},'status':{'conditions':[{'type':'Ready','status':'True'},"
     "{'type':'NetworkUnavailable','status':'True'}]}}",
     "Ready", "<none>", true},
};

START_TEST(test_synthetic_nodes)
{
    struct node *n = (struct node *)parse_text(KIND_NODE, synthetic_nodes[_i].json, true);

    ck_assert_msg(n != NULL, "%s", status_text());
    ck_assert_str_eq(n->status, synthetic_nodes[_i].status);
    ck_assert_str_eq(n->roles, synthetic_nodes[_i].roles);
    ck_assert_int_eq(node_is_problem(n), synthetic_nodes[_i].problem);
    kobj_free(&n->obj);
}
END_TEST

START_TEST(test_taint_text)
{
    static const struct {
        const char *key, *value, *effect, *text;
    } cases[] = {
        {"pool", "ops", "NoSchedule", "pool=ops:NoSchedule"},
        {"node.kubernetes.io/unreachable", NULL, "NoExecute",
         "node.kubernetes.io/unreachable:NoExecute"},
        {"k", "", "PreferNoSchedule", "k:PreferNoSchedule"},
        {"k", "v", NULL, "k=v:"},
        {"k", NULL, NULL, "k"},
    };
    char buf[128];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct node_taint t = {(char *)(uintptr_t)cases[i].key, (char *)(uintptr_t)cases[i].value,
                               (char *)(uintptr_t)cases[i].effect};
        node_taint_text(&t, buf, sizeof(buf));
        ck_assert_str_eq(buf, cases[i].text);
    }
}
END_TEST

/*
 * Pods
 */

static const struct {
    const char *file;
    const char *name;
    const char *status;
    int ready, total, restarts;
    const char *last_restart; /* RFC 3339, or NULL */
    bool problem;
} fixture_pods[] = {
    {"kubernetes/kubectl-status/json/pod-liveness-kill-137.json", "pod-liveness-kill-137",
     "CrashLoopBackOff", 0, 1, 3, "2026-06-30T18:54:47Z", true},
    {"kubernetes/kubectl-status/json/pod-pending.json", "hello-1584492840-kqf62", "Pending", 0, 1,
     0, NULL, true},
    {"kubernetes/kubectl-status/json/pod-pending-waiting-container.json", "hello-1584492840-kqf62",
     "ContainerCreating", 0, 1, 0, NULL, true},
    {"kubernetes/kubectl-status/json/pod-non-existing-image.json", "missing-image-755c8c54f7-26v4c",
     "ImagePullBackOff", 0, 1, 0, NULL, true},
    {"kubernetes/kubectl-status/json/pod-job-completed.json", "hello-1584492660-d2c6p", "Completed",
     0, 1, 0, NULL, false},
    {"kubernetes/kubectl-status/json/pod-marked-for-deletion.json", "web-0", "Terminating", 1, 1, 2,
     "2020-03-25T02:07:56Z", true},
    {"kubernetes/kubectl-status/json/pod-standalone.json", "test-pod", "Running", 1, 1, 0, NULL,
     false},
    {"kubernetes/kubectl-status/json/pod-probe-liveness-restarting.json",
     "probe-liveness-restarting", "Running", 0, 1, 1, "2026-06-30T18:20:41Z", true},
    {"kubernetes/kubectl-status/json/pod-with-ephemeral-container.json", "pod-ephemeral-base",
     "Running", 1, 1, 0, NULL, false},
    {"kubernetes/kubectl-status/json/pod-missing-pvc.json", "web-0", "Pending", 0, 1, 0, NULL,
     true},
    {"kubernetes/kubectl-status/json/pod-with-metrics-and-events.json", "test-7d7bf58f7d-pvk2s",
     "Running", 1, 1, 0, NULL, false},
    {"kubernetes/kubectl-status/json/multiple-2-pods-list.json", "etcd-minikube", "Running", 1, 1,
     9, "2024-07-25T11:03:35Z", false},
    {"kubernetes/kubectl-status/json/multiple-2-pods-list.json", "storage-provisioner", "Running",
     1, 1, 16, "2024-07-25T19:52:16Z", false},
    {"kubernetes/kubectl-status/json/_composite_PodList_main.json", "pod-liveness-kill-137",
     "CrashLoopBackOff", 0, 1, 3, "2026-06-30T18:54:47Z", true},
    {"kubernetes/kubectl-status/json/_composite_PodList_main.json", "web-0", "Terminating", 1, 1, 2,
     "2020-03-25T02:07:56Z", true},
    {"kubernetes/cloudability/pods.json", "aws-node-48cfw", "Running", 1, 1, 0, NULL, false},
    {"kubernetes/cloudability/pods.json", "stress2", "Running", 1, 1, 2, "2022-06-01T18:58:41Z",
     false},
    {"kubernetes/cloudability/pods.json", "coredns-7f5998f4c-5fblt", "Running", 1, 1, 0, NULL,
     false},
    {"kubernetes/k9s/render_testdata/po.json", "nginx", "Running", 1, 1, 0, NULL, false},
    /* An init container still running, yet the pod says Initialized=True:
     * kubectl keeps "Init:0/1" and still counts the app container ready. */
    {"kubernetes/k9s/render_testdata/po_init.json", "nginx", "Init:0/1", 1, 1, 0, NULL, true},
    {"kubernetes/k9s/xray_testdata/init.json", "hurry-up-and-wait", "Running", 1, 1, 0, NULL,
     false},
};

START_TEST(test_fixture_pods)
{
    struct pod *p =
        (struct pod *)parse_fixture(KIND_POD, fixture_pods[_i].file, fixture_pods[_i].name);
    char buf[64], want[64];
    int64_t last = fixture_pods[_i].last_restart ? ts(fixture_pods[_i].last_restart) : 0;

    ck_assert_int_eq(p->obj.kind, KIND_POD);
    ck_assert_str_eq(p->status, fixture_pods[_i].status);
    ck_assert_int_eq(p->ready, fixture_pods[_i].ready);
    ck_assert_int_eq(p->total, fixture_pods[_i].total);
    ck_assert_int_eq(p->restarts, fixture_pods[_i].restarts);
    ck_assert_int_eq(p->last_restart, last);
    ck_assert_int_eq(pod_is_problem(p), fixture_pods[_i].problem);
    snprintf(want, sizeof(want), "%d/%d", fixture_pods[_i].ready, fixture_pods[_i].total);
    pod_ready_text(p, buf, sizeof(buf));
    ck_assert_str_eq(buf, want);
    /* RESTARTS text five minutes after the last restart. */
    pod_restarts_text(p, last + 300, buf, sizeof(buf));
    if (last && fixture_pods[_i].restarts)
        snprintf(want, sizeof(want), "%d (5m ago)", fixture_pods[_i].restarts);
    else
        snprintf(want, sizeof(want), "%d", fixture_pods[_i].restarts);
    ck_assert_str_eq(buf, want);
    kobj_free(&p->obj);
}
END_TEST

START_TEST(test_pod_details)
{
    struct pod *p = (struct pod *)parse_fixture(
        KIND_POD, "kubernetes/kubectl-status/json/pod-liveness-kill-137.json",
        "pod-liveness-kill-137");
    const struct container *c;

    ck_assert_str_eq(p->node, "minikube");
    ck_assert_str_eq(p->phase, "Running");
    ck_assert_str_eq(p->qos_class, "BestEffort");
    ck_assert(!p->pod_ready);
    ck_assert_uint_eq(p->ncontainers, 1);
    c = &p->containers[0];
    ck_assert_str_eq(c->name, "app");
    ck_assert_str_eq(c->image, "busybox:1.36");
    ck_assert_int_eq(c->kind, CONTAINER_APP);
    ck_assert_int_eq(c->state, CSTATE_WAITING);
    ck_assert_str_eq(c->reason, "CrashLoopBackOff");
    ck_assert_ptr_nonnull(strstr(c->message, "back-off"));
    ck_assert_int_eq(c->restarts, 3);
    ck_assert_str_eq(c->last_reason, "Error");
    ck_assert_int_eq(c->last_exit_code, 137);
    ck_assert_int_eq(c->last_finished_at, ts("2026-06-30T18:54:47Z"));
    ck_assert(!c->ready);
    kobj_free(&p->obj);

    p = (struct pod *)parse_fixture(KIND_POD, "kubernetes/k9s/render_testdata/po_init.json",
                                    "nginx");
    ck_assert_uint_eq(p->ncontainers, 2);
    ck_assert_int_eq(p->containers[0].kind, CONTAINER_INIT);
    ck_assert_str_eq(p->containers[0].name, "ic1");
    ck_assert_int_eq(p->containers[0].state, CSTATE_RUNNING);
    ck_assert_str_eq(p->containers[0].requests.cpu, "100m");
    ck_assert_str_eq(p->containers[0].limits.memory, "170Mi");
    ck_assert_int_eq(p->containers[1].kind, CONTAINER_APP);
    ck_assert_str_eq(p->containers[1].name, "nginx");
    ck_assert(p->containers[1].ready);
    ck_assert(p->pod_ready);
    kobj_free(&p->obj);
}
END_TEST

/* Synthetic pods for the printPod branches no fixture covers. Each
 * expectation follows kubectl's printPod (api-facts §1.9). */
#define INIT_SPEC "'initContainers':[{'name':'i1'},{'name':'i2'},{'name':'i3'}]"
#define APP_SPEC  "'containers':[{'name':'app'}]"
#define RUNNING_READY(n, r)                                                                        \
    "{'name':'" n "','ready':true,'restartCount':" #r ",'state':{'running':{}}}"

static const struct {
    const char *what;
    const char *json;
    const char *status;
    int ready, total, restarts;
} synthetic_pods[] = {
    {"init N/M",
     "{'metadata':{'name':'p'},'spec':{" INIT_SPEC "," APP_SPEC "},'status':{"
     "'phase':'Pending','initContainerStatuses':[{'name':'i1','restartCount':1,'state':{"
     "'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'i2','state':{'running':{}}},"
     "{'name':'i3','state':{'waiting':{'reason':'PodInitializing'}}}],'containerStatuses':["
     "{'name':'app','state':{'waiting':{'reason':'PodInitializing'}}}]}}",
     "Init:1/3", 0, 1, 1},
    {"init waiting PodInitializing",
     "{'metadata':{'name':'p'},'spec':{'initContainers':[{"
     "'name':'i1'}]," APP_SPEC "},'status':{'phase':'Pending','initContainerStatuses':[{'name':"
     "'i1','state':{'waiting':{'reason':'PodInitializing'}}}]}}",
     "Init:0/1", 0, 1, 0},
    {"init crash loop",
     "{'metadata':{'name':'p'},'spec':{" INIT_SPEC "," APP_SPEC "},'status':{"
     "'phase':'Pending','initContainerStatuses':[{'name':'i1','restartCount':4,'state':{"
     "'waiting':{'reason':'CrashLoopBackOff'}}},{'name':'i2','restartCount':9,'state':{"
     "'waiting':{}}}],'containerStatuses':[{'name':'app','restartCount':7}]}}",
     "Init:CrashLoopBackOff", 0, 1, 4},
    {"init terminated reason",
     "{'metadata':{'name':'p'},'spec':{" INIT_SPEC "," APP_SPEC "},"
     "'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{'terminated':"
     "{'exitCode':1,'reason':'Error'}}}]}}",
     "Init:Error", 0, 1, 0},
    {"init signal",
     "{'metadata':{'name':'p'},'spec':{" INIT_SPEC "," APP_SPEC "},'status':{"
     "'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{'terminated':{"
     "'exitCode':137,'signal':9}}}]}}",
     "Init:Signal:9", 0, 1, 0},
    {"init exit code",
     "{'metadata':{'name':'p'},'spec':{" INIT_SPEC "," APP_SPEC "},'status':{"
     "'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{'terminated':{"
     "'exitCode':2}}}]}}",
     "Init:ExitCode:2", 0, 1, 0},
    {"init done: init restarts dropped",
     "{'metadata':{'name':'p'},'spec':{'initContainers':[{"
     "'name':'i1'}]," APP_SPEC "},'status':{'phase':'Running','conditions':[{'type':'Ready',"
     "'status':'True'}],'initContainerStatuses':[{'name':'i1','restartCount':5,'state':{"
     "'terminated':{'exitCode':0,'reason':'Completed'}}}],'containerStatuses':[" RUNNING_READY(
         "app", 1) "]}}",
     "Running", 1, 1, 1},
    {"native sidecar running",
     "{'metadata':{'name':'p'},'spec':{'initContainers':[{'name':"
     "'setup'},{'name':'proxy','restartPolicy':'Always'}]," APP_SPEC "},'status':{'phase':"
     "'Running','conditions':[{'type':'Initialized','status':'True'},{'type':'Ready',"
     "'status':'True'}],'initContainerStatuses':[{'name':'setup','restartCount':5,'state':{"
     "'terminated':{'exitCode':0}}},{'name':'proxy','ready':true,'started':true,"
     "'restartCount':2,'state':{'running':{}}}],'containerStatuses':[" RUNNING_READY("app",
                                                                                     1) "]}}",
     "Running", 2, 2, 3},
    {"native sidecar started, not ready",
     "{'metadata':{'name':'p'},'spec':{'initContainers':[{"
     "'name':'proxy','restartPolicy':'Always'}]," APP_SPEC "},'status':{'phase':'Running',"
     "'initContainerStatuses':[{'name':'proxy','ready':false,'started':true,'state':{"
     "'running':{}}}],'containerStatuses':[" RUNNING_READY("app", 0) "]}}",
     "Running", 1, 2, 0},
    {"native sidecar not started",
     "{'metadata':{'name':'p'},'spec':{'initContainers':[{"
     "'name':'proxy','restartPolicy':'Always'}]," APP_SPEC "},'status':{'phase':'Pending',"
     "'initContainerStatuses':[{'name':'proxy','started':false,'restartCount':3,'state':{"
     "'running':{}}}],'containerStatuses':[{'name':'app','state':{'waiting':{'reason':"
     "'PodInitializing'}}}]}}",
     "Init:0/1", 0, 2, 3},
    {"last to first: first container's reason wins",
     "{'metadata':{'name':'p'},'spec':{"
     "'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]},'status':{'phase':'Running',"
     "'containerStatuses':[" RUNNING_READY(
         "a", 1) ",{'name':'b','restartCount':2,'state':{"
                 "'waiting':{'reason':'CrashLoopBackOff'}}},{'name':'c','restartCount':3,'state':{"
                 "'terminated':{'exitCode':1,'reason':'Error'}}}]}}",
     "CrashLoopBackOff", 1, 3, 6},
    {"waiting without reason leaves the phase",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC
     "},'status':{'phase':'Pending','containerStatuses':[{'name':'app','state':{'waiting':{}}}]}}",
     "Pending", 0, 1, 0},
    {"completed with running, ready",
     "{'metadata':{'name':'p'},'spec':{'containers':[{'name':"
     "'a'},{'name':'b'}]},'status':{'phase':'Running','conditions':[{'type':'Ready','status':"
     "'True'}],'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':0,'reason':"
     "'Completed'}}}," RUNNING_READY("b", 0) "]}}",
     "Running", 1, 2, 0},
    {"completed with running, not ready",
     "{'metadata':{'name':'p'},'spec':{'containers':[{"
     "'name':'a'},{'name':'b'}]},'status':{'phase':'Running','conditions':[{'type':'Ready',"
     "'status':'False'}],'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':0,"
     "'reason':'Completed'}}}," RUNNING_READY("b", 0) "]}}",
     "NotReady", 1, 2, 0},
    {"signal",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':'Running',"
     "'containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':143,'signal':15}}}]}}",
     "Signal:15", 0, 1, 0},
    {"exit code",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':'Failed',"
     "'containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':3}}}]}}",
     "ExitCode:3", 0, 1, 0},
    {"OOMKilled",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':'Running',"
     "'containerStatuses':[{'name':'app','restartCount':1,'state':{'terminated':{'exitCode':137,"
     "'reason':'OOMKilled'}}}]}}",
     "OOMKilled", 0, 1, 1},
    {"terminating",
     "{'metadata':{'name':'p','deletionTimestamp':'2026-01-01T00:00:00Z'},"
     "'spec':{" APP_SPEC
     "},'status':{'phase':'Running','containerStatuses':[" RUNNING_READY("app", 0) "]}}",
     "Terminating", 1, 1, 0},
    {"deleting a succeeded pod is not Terminating",
     "{'metadata':{'name':'p',"
     "'deletionTimestamp':'2026-01-01T00:00:00Z'},'spec':{" APP_SPEC "},'status':{'phase':"
     "'Succeeded','containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':0,"
     "'reason':'Completed'}}}]}}",
     "Completed", 0, 1, 0},
    {"deleting a failed pod is not Terminating",
     "{'metadata':{'name':'p',"
     "'deletionTimestamp':'2026-01-01T00:00:00Z'},'spec':{" APP_SPEC "},'status':{'phase':"
     "'Failed'}}",
     "Failed", 0, 1, 0},
    {"node lost while deleting",
     "{'metadata':{'name':'p','deletionTimestamp':"
     "'2026-01-01T00:00:00Z'},'spec':{" APP_SPEC "},'status':{'phase':'Running','reason':"
     "'NodeLost','containerStatuses':[" RUNNING_READY("app", 0) "]}}",
     "Unknown", 1, 1, 0},
    {"node lost",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':'Running',"
     "'reason':'NodeLost'}}",
     "NodeLost", 0, 1, 0},
    {"evicted",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':'Failed',"
     "'reason':'Evicted','message':'The node was low on resource: memory.'}}",
     "Evicted", 0, 1, 0},
    {"evicted, container status unknown",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},"
     "'status':{'phase':'Failed','reason':'Evicted','containerStatuses':[{'name':'app','state':"
     "{'terminated':{'exitCode':137,'reason':'ContainerStatusUnknown'}}}]}}",
     "ContainerStatusUnknown", 0, 1, 0},
    {"scheduling gated",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':"
     "'Pending','conditions':[{'type':'PodScheduled','status':'False','reason':"
     "'SchedulingGated'}]}}",
     "SchedulingGated", 0, 1, 0},
    {"unschedulable stays Pending",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{"
     "'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False','reason':"
     "'Unschedulable'}]}}",
     "Pending", 0, 1, 0},
    {"pending, no status at all",
     "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'},"
     "{'name':'b'}]}}",
     "", 0, 2, 0},
    {"create config error",
     "{'metadata':{'name':'p'},'spec':{" APP_SPEC "},'status':{'phase':"
     "'Pending','containerStatuses':[{'name':'app','state':{'waiting':{'reason':"
     "'CreateContainerConfigError','message':'secret \\'x\\' not found'}}}]}}",
     "CreateContainerConfigError", 0, 1, 0},
};

START_TEST(test_synthetic_pods)
{
    struct pod *p = (struct pod *)parse_text(KIND_POD, synthetic_pods[_i].json, true);

    ck_assert_msg(p != NULL, "%s: %s", synthetic_pods[_i].what, status_text());
    ck_assert_msg(strcmp(p->status, synthetic_pods[_i].status) == 0, "%s: got %s",
                  synthetic_pods[_i].what, p->status);
    ck_assert_msg(p->ready == synthetic_pods[_i].ready && p->total == synthetic_pods[_i].total,
                  "%s: got %d/%d", synthetic_pods[_i].what, p->ready, p->total);
    ck_assert_msg(p->restarts == synthetic_pods[_i].restarts, "%s: got %d restarts",
                  synthetic_pods[_i].what, p->restarts);
    kobj_free(&p->obj);
}
END_TEST

START_TEST(test_pod_restarts)
{
    /* The newest lastState.terminated.finishedAt among the counted
     * containers; an init container's stops counting once initialized. */
    static const char json[] =
        "{'metadata':{'name':'p'},'spec':{'initContainers':[{'name':'i'},{'name':'side',"
        "'restartPolicy':'Always'}],'containers':[{'name':'a'},{'name':'b'}]},'status':{"
        "'phase':'Running','initContainerStatuses':[{'name':'i','restartCount':1,'lastState':{"
        "'terminated':{'exitCode':1,'finishedAt':'2026-11-24T03:11:00Z'}},'state':{'terminated':"
        "{'exitCode':0}}},{'name':'side','started':true,'ready':true,'restartCount':1,"
        "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-24T02:00:00Z'}},'state':{"
        "'running':{}}}],'containerStatuses':[{'name':'a','ready':true,'restartCount':10,"
        "'lastState':{'terminated':{'exitCode':2,'reason':'Error','finishedAt':"
        "'2026-11-24T03:07:00Z'}},'state':{'running':{}}},{'name':'b','ready':true,"
        "'restartCount':3,'lastState':{'terminated':{'exitCode':137,'reason':'OOMKilled',"
        "'finishedAt':'2026-11-24T01:00:00Z'}},'state':{'running':{}}}]}}";
    struct pod *p = (struct pod *)parse_text(KIND_POD, json, true);
    int64_t now = ts("2026-11-24T03:12:00Z");
    char buf[64];

    ck_assert_str_eq(p->status, "Running");
    ck_assert_int_eq(p->ready, 3);
    ck_assert_int_eq(p->total, 3);
    ck_assert_int_eq(p->restarts, 14);
    ck_assert_int_eq(p->last_restart, ts("2026-11-24T03:07:00Z"));
    pod_restarts_text(p, now, buf, sizeof(buf));
    ck_assert_str_eq(buf, "14 (5m ago)");
    pod_restarts_text(p, now + 3 * 3600, buf, sizeof(buf));
    ck_assert_str_eq(buf, "14 (3h5m ago)");
    ck_assert(!pod_is_problem(p));
    ck_assert_uint_eq(p->ncontainers, 4);
    ck_assert_int_eq(p->containers[0].kind, CONTAINER_INIT);
    ck_assert_int_eq(p->containers[1].kind, CONTAINER_SIDECAR);
    ck_assert_int_eq(p->containers[2].kind, CONTAINER_APP);
    ck_assert_str_eq(p->containers[3].last_reason, "OOMKilled");
    ck_assert_int_eq(p->containers[3].last_exit_code, 137);
    kobj_free(&p->obj);
}
END_TEST

START_TEST(test_pod_env)
{
    static const char json[] =
        "{'metadata':{'name':'p','namespace':'dp-max-catapp'},'spec':{'runtimeClassName':'gvisor',"
        "'containers':[{'name':'api','image':'registry.internal:5000/dp-max-catapp/api:abc',"
        "'env':[{'name':'DB_PASSWORD','value':'hunter2'},{'name':'TOKEN','valueFrom':{"
        "'secretKeyRef':{'name':'api-env','key':'token'}}}],'envFrom':[{'secretRef':{'name':"
        "'api-env'}},{'configMapRef':{'name':'api-config'}},{'secretRef':{'name':'api-env'}}]}]},"
        "'status':{'phase':'Running','podIP':'10.42.1.7','qosClass':'Burstable'}}";
    struct pod *p = (struct pod *)parse_text(KIND_POD, json, true);

    ck_assert_str_eq(p->runtime_class, "gvisor");
    ck_assert_str_eq(p->ip, "10.42.1.7");
    ck_assert_uint_eq(p->containers[0].nenv, 2);
    ck_assert_ptr_nonnull(p->containers[0].env_from);
    ck_assert_str_eq(p->containers[0].env_from[0], "api-env");
    ck_assert_str_eq(p->containers[0].env_from[1], "api-config");
    ck_assert_ptr_null(p->containers[0].env_from[2]);
    ck_assert_int_eq(p->containers[0].state, CSTATE_NONE);
    ck_assert_str_eq(p->status, "Running");
    ck_assert_int_eq(p->ready, 0);
    kobj_free(&p->obj);
}
END_TEST

/*
 * Quantities
 */

static const struct {
    const char *s;
    bool ok;
    double value;
} quantities[] = {
    {"4", true, 4},
    {"0", true, 0},
    {"3500m", true, 3.5},
    {"100m", true, 0.1},
    {"250000000n", true, 0.25},
    {"500u", true, 0.0005},
    {"8163684Ki", true, 8163684.0 * 1024},
    {"1Ki", true, 1024},
    {"1Mi", true, 1048576},
    {"1.5Gi", true, 1.5 * 1073741824},
    {"2Ti", true, 2.0 * 1099511627776},
    {"1Pi", true, 1125899906842624.0},
    {"1Ei", true, 1152921504606846976.0},
    {"15625027559", true, 15625027559.0},
    {"1k", true, 1000},
    {"2M", true, 2e6},
    {"3G", true, 3e9},
    {"4T", true, 4e12},
    {"5P", true, 5e15},
    {"6E", true, 6e18},
    {"1e3", true, 1000},
    {"1E3", true, 1000},
    {"1e+3", true, 1000},
    {"2e-3", true, 0.002},
    {"1.5", true, 1.5},
    {".5", true, 0.5},
    {"5.", true, 5},
    {"+2", true, 2},
    {"-2", true, -2},
    {"-1.5Gi", true, -1.5 * 1073741824},
    {"0.000001", true, 0.000001},
    {"", false, 0},
    {"abc", false, 0},
    {"Ki", false, 0},
    {"1KB", false, 0},
    {"1ki", false, 0},
    {"1.2.3", false, 0},
    {"1Ki2", false, 0},
    {" 1", false, 0},
    {"1 ", false, 0},
    {"1e", false, 0},
    {"1e+", false, 0},
    {"1e3Ki", false, 0},
    {"--1", false, 0},
    {".", false, 0},
    {"-", false, 0},
    {"1x", false, 0},
    {"0x10", false, 0},
    {"1e99999", false, 0},
};

START_TEST(test_quantities)
{
    double v = -12345;
    bool ok = quantity_parse(quantities[_i].s, &v);

    ck_assert_msg(ok == quantities[_i].ok, "%s", quantities[_i].s);
    if (ok) {
        double want = quantities[_i].value;
        double err = want == 0 ? v : (v - want) / want;
        ck_assert_msg(err < 1e-12 && err > -1e-12, "%s -> %.17g, want %.17g", quantities[_i].s, v,
                      want);
    } else {
        ck_assert(v == -12345);
    }
}
END_TEST

START_TEST(test_quantity_format)
{
    static const struct {
        double v;
        const char *bytes;
    } bytes[] = {
        {0, "0"},
        {512, "512"},
        {1023, "1023"},
        {1024, "1Ki"},
        {1536, "1.5Ki"},
        {170 * 1048576.0, "170Mi"},
        {8163684.0 * 1024, "7.8Gi"},
        {2 * 1073741824.0, "2Gi"},
        {1048575, "1Mi"},
        {1.5 * 1099511627776.0, "1.5Ti"},
    };
    static const struct {
        double v;
        const char *cpu;
    } cpus[] = {
        {0, "0"}, {0.25, "250m"}, {0.1, "100m"}, {1, "1"}, {3.5, "3.5"}, {16, "16"}, {7.91, "7.9"},
    };
    char buf[32];

    for (size_t i = 0; i < ARRAY_SIZE(bytes); i++) {
        quantity_format_bytes(bytes[i].v, buf, sizeof(buf));
        ck_assert_str_eq(buf, bytes[i].bytes);
    }
    for (size_t i = 0; i < ARRAY_SIZE(cpus); i++) {
        quantity_format_cpu(cpus[i].v, buf, sizeof(buf));
        ck_assert_str_eq(buf, cpus[i].cpu);
    }
}
END_TEST

/*
 * Deployments, quotas, policies, ingresses, services, events, namespaces
 */

static const struct {
    const char *file;
    const char *name;
    int replicas, ready, updated, available, unavailable;
    const char *image;
} fixture_deployments[] = {
    {"kubernetes/kubectl-status/json/deployment-healthy.json", "httpbin-deployment", 3, 3, 3, 3, 0,
     "kennethreitz/httpbin"},
    {"kubernetes/kubectl-status/json/deployment-new.json", "httpbin-deployment", 3, 0, 0, 0, 0,
     "kennethreitz/httpbin"},
    {"kubernetes/kubectl-status/json/deployment-ongoing-rollout.json", "httpbin-deployment", 3, 3,
     1, 3, 1, "kennethreitz/httpbin"},
    {"kubernetes/kubectl-status/json/deployment-unavailable-replicas.json", "httpbin-deployment", 3,
     0, 0, 0, 3, "kennethreitz/httpbin"},
    {"kubernetes/k9s/render_testdata/dp.json", "icx-db", 1, 1, 1, 1, 0, "postgres:9.2-alpine"},
};

START_TEST(test_deployments)
{
    struct deployment *d = (struct deployment *)parse_fixture(
        KIND_DEPLOYMENT, fixture_deployments[_i].file, fixture_deployments[_i].name);

    ck_assert_int_eq(d->replicas, fixture_deployments[_i].replicas);
    ck_assert_int_eq(d->ready, fixture_deployments[_i].ready);
    ck_assert_int_eq(d->updated, fixture_deployments[_i].updated);
    ck_assert_int_eq(d->available, fixture_deployments[_i].available);
    ck_assert_int_eq(d->unavailable, fixture_deployments[_i].unavailable);
    ck_assert_str_eq(d->image, fixture_deployments[_i].image);
    ck_assert_uint_eq(d->selector.len, 1);
    kobj_free(&d->obj);
}
END_TEST

START_TEST(test_deployment_defaults)
{
    struct deployment *d = (struct deployment *)parse_text(
        KIND_DEPLOYMENT, "{'metadata':{'name':'api','namespace':'dp-max-catapp'}}", true);

    ck_assert_int_eq(d->replicas, 1);
    ck_assert_int_eq(d->ready + d->updated + d->available + d->unavailable, 0);
    ck_assert_ptr_null(d->image);
    kobj_free(&d->obj);
    d = (struct deployment *)parse_text(KIND_DEPLOYMENT,
                                        "{'metadata':{'name':'api'},'spec':{'replicas':0}}", true);
    ck_assert_int_eq(d->replicas, 0);
    kobj_free(&d->obj);
}
END_TEST

START_TEST(test_quota)
{
    static const char *const want[] = {
        "configmaps: 1/10",
        "limits.cpu: 1/4",
        "limits.memory: 512Mi/4Gi",
        "persistentvolumeclaims: 0/4",
        "pods: 1/10",
        "requests.cpu: 500m/2",
        "requests.memory: 256Mi/2Gi",
        "services.loadbalancers: 0/1",
    };
    struct resourcequota *q = (struct resourcequota *)parse_fixture(
        KIND_RESOURCEQUOTA, "kubernetes/kubectl-status/json/resourcequota-compute.json",
        "compute-quota");
    char buf[64];

    ck_assert_str_eq(q->obj.ns, "rq-test");
    ck_assert_uint_eq(q->nitems, ARRAY_SIZE(want));
    for (size_t i = 0; i < q->nitems; i++) {
        snprintf(buf, sizeof(buf), "%s: %s/%s", q->items[i].resource, q->items[i].used,
                 q->items[i].hard);
        ck_assert_str_eq(buf, want[i]);
    }
    ck_assert(quota_item_ratio(&q->items[0]) == 0.1);
    ck_assert(quota_item_ratio(&q->items[2]) == 0.125);
    ck_assert(quota_item_ratio(&q->items[5]) == 0.25);
    ck_assert(quota_item_ratio(&q->items[3]) == 0);
    kobj_free(&q->obj);

    /* Before the controller fills status: spec.hard, no used. */
    q = (struct resourcequota *)parse_text(
        KIND_RESOURCEQUOTA,
        "{'metadata':{'name':'quota','namespace':'n'},'spec':{'hard':{'pods':'20',"
        "'requests.cpu':'4','limits.memory':'8Gi'}}}",
        true);
    ck_assert_uint_eq(q->nitems, 3);
    ck_assert_str_eq(q->items[0].resource, "limits.memory");
    ck_assert_str_eq(q->items[0].hard, "8Gi");
    ck_assert_ptr_null(q->items[0].used);
    ck_assert(quota_item_ratio(&q->items[0]) == -1);
    kobj_free(&q->obj);

    /* status.hard decides the list; numbers from hand-written YAML count. */
    q = (struct resourcequota *)parse_text(
        KIND_RESOURCEQUOTA,
        "{'metadata':{'name':'quota','namespace':'n'},'spec':{'hard':{'pods':'20'}},"
        "'status':{'hard':{'pods':20,'requests.cpu':'0'},'used':{'pods':'19','requests.cpu':'1'}}}",
        true);
    ck_assert_uint_eq(q->nitems, 2);
    ck_assert_str_eq(q->items[0].resource, "pods");
    ck_assert_str_eq(q->items[0].hard, "20");
    ck_assert(quota_item_ratio(&q->items[0]) == 0.95);
    ck_assert(quota_item_ratio(&q->items[1]) == -1);
    kobj_free(&q->obj);
}
END_TEST

static const struct {
    const char *file;
    const char *name;
    const char *selector;
    bool ingress, egress;
} fixture_policies[] = {
    {"kubernetes/popeye/json/net_np_1.json", "np1", "app=p1", true, true},
    {"kubernetes/popeye/json/net_np_1.json", "np2", "", true, true},
    {"kubernetes/popeye/json/net_np_1.json", "np3", "app=p-bozo", true, true},
    {"kubernetes/popeye/json/net_np_allow-all-egr.json", "allow-all-egress", "", false, true},
    {"kubernetes/popeye/json/net_np_deny-all.json", "deny-all", "", true, true},
};

START_TEST(test_policies)
{
    struct networkpolicy *np = (struct networkpolicy *)parse_fixture(
        KIND_NETWORKPOLICY, fixture_policies[_i].file, fixture_policies[_i].name);

    ck_assert_str_eq(np->pod_selector, fixture_policies[_i].selector);
    ck_assert_int_eq(np->ingress, fixture_policies[_i].ingress);
    ck_assert_int_eq(np->egress, fixture_policies[_i].egress);
    kobj_free(&np->obj);
}
END_TEST

START_TEST(test_selector_text)
{
    static const struct {
        const char *sel;
        const char *text;
    } cases[] = {
        {"{}", ""},
        {"{'matchLabels':{'b':'2','a':'1'}}", "a=1,b=2"},
        {"{'matchExpressions':[{'key':'tier','operator':'In','values':['web','api']},"
         "{'key':'env','operator':'NotIn','values':['dev']},{'key':'gpu','operator':'Exists'},"
         "{'key':'arm','operator':'DoesNotExist'}],'matchLabels':{'app':'x'}}",
         "app=x,!arm,env notin (dev),gpu,tier in (api,web)"},
        {"{'matchExpressions':[{'key':'a','operator':'Near','values':['x']}]}", "<error>"},
        {"{'matchExpressions':[{'key':'a','operator':'In','values':[]}]}", "<error>"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char json[512];
        snprintf(json, sizeof(json), "{'metadata':{'name':'np'},'spec':{'podSelector':%s}}",
                 cases[i].sel);
        struct networkpolicy *np =
            (struct networkpolicy *)parse_text(KIND_NETWORKPOLICY, json, true);
        ck_assert_msg(np != NULL, "%s", status_text());
        ck_assert_str_eq(np->pod_selector, cases[i].text);
        kobj_free(&np->obj);
    }
    /* Without policyTypes: Ingress always, Egress only for a non-empty
     * egress section (the API's defaulting). */
    struct networkpolicy *np = (struct networkpolicy *)parse_text(
        KIND_NETWORKPOLICY, "{'metadata':{'name':'np'},'spec':{'egress':[]}}", true);
    ck_assert(np->ingress && !np->egress);
    kobj_free(&np->obj);
}
END_TEST

START_TEST(test_ingresses)
{
    struct ingress *ing = (struct ingress *)parse_fixture(
        KIND_INGRESS, "kubernetes/kubectl-status/json/ingress-tls-healthy.doc1.json", "web");

    ck_assert_str_eq(ing->hosts[0], "gateway.example.com");
    ck_assert_ptr_null(ing->hosts[1]);
    ck_assert_str_eq(ing->backends[0], "web");
    ck_assert(ing->tls);
    ck_assert_ptr_null(ing->addresses);
    ck_assert_ptr_null(ing->class_name);
    kobj_free(&ing->obj);

    ing = (struct ingress *)parse_fixture(
        KIND_INGRESS, "kubernetes/kubectl-status/json/ingress-regular.json", "web");
    ck_assert_str_eq(ing->hosts[0], "web.my.cool.domain.com");
    ck_assert_str_eq(ing->backends[0], "web"); /* v1beta1 serviceName */
    ck_assert(!ing->tls);
    kobj_free(&ing->obj);

    ing = (struct ingress *)parse_fixture(KIND_INGRESS, "kubernetes/k9s/render_testdata/ing.json",
                                          "test-ingress");
    ck_assert_ptr_null(ing->hosts);
    ck_assert_str_eq(ing->backends[0], "test");
    kobj_free(&ing->obj);

    ing = (struct ingress *)parse_text(
        KIND_INGRESS,
        "{'metadata':{'name':'api','namespace':'dp-max-catapp'},'spec':{'ingressClassName':"
        "'traefik','defaultBackend':{'service':{'name':'fallback'}},'rules':[{'host':"
        "'api.breacher.org','http':{'paths':[{'backend':{'service':{'name':'api'}}},{'backend':{"
        "'service':{'name':'api'}}}]}},{'host':'www.breacher.org'},{'host':'api.breacher.org'},"
        "{}]},'status':{'loadBalancer':{'ingress':[{'ip':'10.0.1.100'},{'hostname':'lb.example'}"
        "]}}}",
        true);
    ck_assert_str_eq(ing->class_name, "traefik");
    ck_assert_uint_eq(strv_len((const char *const *)ing->hosts), 2);
    ck_assert_str_eq(ing->hosts[1], "www.breacher.org");
    ck_assert_uint_eq(strv_len((const char *const *)ing->backends), 2);
    ck_assert_str_eq(ing->backends[0], "fallback");
    ck_assert_str_eq(ing->backends[1], "api");
    ck_assert_str_eq(ing->addresses[0], "10.0.1.100");
    ck_assert_str_eq(ing->addresses[1], "lb.example");
    kobj_free(&ing->obj);
}
END_TEST

START_TEST(test_services)
{
    struct service *svc = (struct service *)parse_fixture(
        KIND_SERVICE, "kubernetes/kubectl-status/json/service-nodeport.json", "web");

    ck_assert_str_eq(svc->type, "NodePort");
    ck_assert_str_eq(svc->cluster_ip, "10.110.96.91");
    ck_assert_str_eq(svc->ports, "80:30080/TCP");
    ck_assert_str_eq(kv_get(&svc->selector, "app"), "web");
    kobj_free(&svc->obj);

    svc = (struct service *)parse_fixture(KIND_SERVICE, "kubernetes/k9s/render_testdata/svc.json",
                                          "dictionary1");
    ck_assert_str_eq(svc->type, "ClusterIP");
    ck_assert_str_eq(svc->ports, "4001/TCP");
    kobj_free(&svc->obj);

    svc = (struct service *)parse_text(
        KIND_SERVICE,
        "{'metadata':{'name':'s'},'spec':{'ports':[{'port':80},{'port':443,'nodePort':30443,"
        "'protocol':'TCP'},{'port':53,'protocol':'UDP'}]}}",
        true);
    ck_assert_str_eq(svc->type, "ClusterIP");
    ck_assert_str_eq(svc->ports, "80/TCP,443:30443/TCP,53/UDP");
    kobj_free(&svc->obj);

    svc = (struct service *)parse_text(
        KIND_SERVICE, "{'metadata':{'name':'s'},'spec':{'type':'ExternalName'}}", true);
    ck_assert_str_eq(svc->ports, "<none>");
    kobj_free(&svc->obj);
}
END_TEST

START_TEST(test_events)
{
    struct event *ev = (struct event *)parse_fixture(
        KIND_EVENT, "kubernetes/kubectl-status/json/pod-with-metrics-and-events.events-list.json",
        "test-7d7bf58f7d-pvk2s.160097c181983686");

    ck_assert_str_eq(ev->type, "Normal");
    ck_assert_str_eq(ev->involved_kind, "Pod");
    ck_assert_str_eq(ev->involved_name, "test-7d7bf58f7d-pvk2s");
    ck_assert_str_eq(ev->involved_ns, "test1");
    ck_assert_str_eq(ev->involved_uid, "3d60b5d2-512e-49b6-b56f-4635e4b11176");
    ck_assert_int_eq(ev->count, 1);
    ck_assert_int_eq(ev->first_seen, ev->last_seen);
    ck_assert_int_gt(ev->last_seen, 0);
    kobj_free(&ev->obj);

    ev = (struct event *)parse_fixture(KIND_EVENT, "kubernetes/k9s/render_testdata/ev.json",
                                       "hello-1567197780-mn4mv.15bfce150bd764dd");
    ck_assert_str_eq(ev->reason, "Pulled");
    ck_assert_str_eq(ev->source, "kubelet");
    ck_assert_int_eq(ev->last_seen, ts("2019-08-30T20:43:05Z"));
    kobj_free(&ev->obj);
}
END_TEST

/* Synthetic Warning events for the LAST SEEN and count rules (no citable
 * recording of these exists). */
static const struct {
    const char *json;
    int count;
    const char *first, *last;
    const char *source;
} synthetic_events[] = {
    {"{'metadata':{'name':'e','namespace':'n'},'type':'Warning','reason':'BackOff','count':14,"
     "'firstTimestamp':'2026-11-24T02:00:00Z','lastTimestamp':'2026-11-24T03:07:00Z',"
     "'source':{'component':'kubelet'}}",
     14, "2026-11-24T02:00:00Z", "2026-11-24T03:07:00Z", "kubelet"},
    {"{'metadata':{'name':'e','namespace':'n'},'type':'Warning','reason':'FailedScheduling',"
     "'eventTime':'2026-11-24T03:00:00.123456Z','firstTimestamp':null,'lastTimestamp':null,"
     "'reportingComponent':'default-scheduler'}",
     1, "2026-11-24T03:00:00Z", "2026-11-24T03:00:00Z", "default-scheduler"},
    {"{'metadata':{'name':'e','namespace':'n'},'eventTime':'2026-11-24T01:00:00.000000Z',"
     "'series':{'count':7,'lastObservedTime':'2026-11-24T03:10:00.000000Z'},'count':2,"
     "'lastTimestamp':'2026-11-24T02:00:00Z','reportingController':'kubelet'}",
     7, "2026-11-24T01:00:00Z", "2026-11-24T03:10:00Z", "kubelet"},
    {"{'metadata':{'name':'e','namespace':'n'},'firstTimestamp':'2026-11-24T01:00:00Z',"
     "'count':0,'source':{'component':''},'reportingComponent':'x'}",
     1, "2026-11-24T01:00:00Z", "2026-11-24T01:00:00Z", "x"},
};

START_TEST(test_warning_events)
{
    struct event *ev = (struct event *)parse_fixture(
        KIND_EVENT, "kubernetes/synthetic/events-warning.json", "api-7d9c8-x2bq.000000000001");

    ck_assert_str_eq(ev->type, "Warning");
    ck_assert_str_eq(ev->reason, "BackOff");
    ck_assert_int_eq(ev->count, 61);
    ck_assert_int_eq(ev->last_seen, ts("2026-11-24T03:07:00Z"));
    ck_assert_str_eq(ev->involved_name, "api-7d9c8-x2bq");
    kobj_free(&ev->obj);
    ev = (struct event *)parse_fixture(KIND_EVENT, "kubernetes/synthetic/events-warning.json",
                                       "web-5f7b9-k2x9p.000000000002");
    ck_assert_int_eq(ev->count, 4);
    ck_assert_int_eq(ev->first_seen, ts("2026-11-24T03:00:00Z"));
    ck_assert_int_eq(ev->last_seen, ts("2026-11-24T03:10:00Z"));
    ck_assert_str_eq(ev->source, "default-scheduler");
    kobj_free(&ev->obj);
}
END_TEST

START_TEST(test_synthetic_events)
{
    struct event *ev = (struct event *)parse_text(KIND_EVENT, synthetic_events[_i].json, true);

    ck_assert_msg(ev != NULL, "%s", status_text());
    ck_assert_int_eq(ev->count, synthetic_events[_i].count);
    ck_assert_int_eq(ev->first_seen, ts(synthetic_events[_i].first));
    ck_assert_int_eq(ev->last_seen, ts(synthetic_events[_i].last));
    ck_assert_str_eq(ev->source, synthetic_events[_i].source);
    kobj_free(&ev->obj);
}
END_TEST

START_TEST(test_namespaces)
{
    struct namespace *ns = (struct namespace *)parse_fixture(
        KIND_NAMESPACE, "kubernetes/kubectl-status/json/namespace-flux-system.json", "flux-system");

    ck_assert_str_eq(ns->phase, "Active");
    ck_assert_ptr_null(ns->obj.ns);
    ck_assert_str_eq(kv_get(&ns->obj.labels, "app.kubernetes.io/part-of"), "flux");
    kobj_free(&ns->obj);
}
END_TEST

/*
 * Wrong shapes
 */

static const struct {
    enum kind kind;
    const char *json;
    const char *error;
} bad_shapes[] = {
    {KIND_POD, "[]", "pods item: expected object"},
    {KIND_POD, "{}", "pods item: metadata: expected object"},
    {KIND_POD, "{'metadata':[]}", "pods item: metadata: expected object"},
    {KIND_POD, "{'metadata':{}}", "pods item: metadata.name: expected string"},
    {KIND_POD, "{'metadata':{'name':5}}", "pods item: metadata.name: expected string"},
    {KIND_POD, "{'metadata':{'name':'p'}}", "pods item: spec.containers: expected array"},
    {KIND_POD, "{'metadata':{'name':'p'},'spec':{'containers':{}}}",
     "pods item: spec.containers: expected array"},
    {KIND_POD, "{'metadata':{'name':'p'},'spec':{'containers':[{'name':1}]}}",
     "pods item: spec.containers[0].name: expected string"},
    {KIND_POD, "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'},7]}}",
     "pods item: spec.containers[1]: expected object"},
    {KIND_POD, "{'metadata':{'name':'p','labels':{'a':1}}}",
     "pods item: metadata.labels.*: expected string"},
    {KIND_POD, "{'metadata':{'name':'p','creationTimestamp':'yesterday'}}",
     "pods item: metadata.creationTimestamp: expected RFC 3339 time"},
    /* Found by fuzz-model: beyond 2262 the nanosecond clock overflows. */
    {KIND_POD, "{'metadata':{'name':'p','creationTimestamp':'4052-06-27T15:26:05Z'}}",
     "pods item: metadata.creationTimestamp: expected RFC 3339 time"},
    {KIND_POD,
     "{'metadata':{'name':'p'},'spec':{'containers':[]},'status':{"
     "'containerStatuses':[{'name':'a','restartCount':'3'}]}}",
     "pods item: status.containerStatuses[0].restartCount: expected integer"},
    {KIND_POD,
     "{'metadata':{'name':'p'},'spec':{'containers':[]},'status':{"
     "'containerStatuses':[{'name':'a','restartCount':1.5}]}}",
     "pods item: status.containerStatuses[0].restartCount: expected integer"},
    {KIND_POD,
     "{'metadata':{'name':'p'},'spec':{'containers':[]},'status':{"
     "'containerStatuses':[{'name':'a','state':{'waiting':{'reason':false}}}]}}",
     "pods item: status.containerStatuses[0].state.waiting.reason: expected string"},
    {KIND_POD,
     "{'metadata':{'name':'p'},'spec':{'containers':[]},'status':{'conditions':"
     "[{'type':'Ready','status':true}]}}",
     "pods item: status.conditions[0].status: expected string"},
    {KIND_POD,
     "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a','resources':{"
     "'limits':{'cpu':true}}}]}}",
     "pods item: spec.containers[0].resources.limits.cpu: expected quantity"},
    {KIND_POD,
     "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a','envFrom':[{"
     "'secretRef':{'name':[]}}]}]}}",
     "pods item: spec.containers[0].envFrom[].secretRef.name: expected string"},
    {KIND_NODE, "{'metadata':{'name':'n'},'spec':{'unschedulable':'yes'}}",
     "nodes item: spec.unschedulable: expected boolean"},
    {KIND_NODE, "{'metadata':{'name':'n'},'spec':{'taints':[{'key':'k'},'x']}}",
     "nodes item: spec.taints[1]: expected object"},
    {KIND_NODE, "{'metadata':{'name':'n'},'status':{'addresses':{}}}",
     "nodes item: status.addresses: expected array"},
    {KIND_DEPLOYMENT, "{'metadata':{'name':'d'},'spec':{'replicas':'3'}}",
     "deployments item: spec.replicas: expected integer"},
    {KIND_RESOURCEQUOTA, "{'metadata':{'name':'q'},'spec':{'hard':{'pods':[]}}}",
     "resourcequotas item: spec.hard.pods: expected quantity"},
    {KIND_SERVICE, "{'metadata':{'name':'s'},'spec':{'ports':[{'port':'http'}]}}",
     "services item: spec.ports[0].port: expected integer"},
    {KIND_EVENT, "{'metadata':{'name':'e'},'involvedObject':'pod'}",
     "events item: involvedObject: expected object"},
    {KIND_EVENT, "{'metadata':{'name':'e'},'series':{'count':'x'}}",
     "events item: series.count: expected integer"},
    {KIND_INGRESS, "{'metadata':{'name':'i'},'spec':{'rules':[{'host':7}]}}",
     "ingresses item: spec.rules[].host: expected string"},
    {KIND_NETWORKPOLICY, "{'metadata':{'name':'n'},'spec':{'policyTypes':[1]}}",
     "networkpolicies item: spec.policyTypes[]: expected string"},
    {KIND_NETWORKPOLICY,
     "{'metadata':{'name':'n'},'spec':{'podSelector':{'matchExpressions':"
     "[{'key':'a','operator':'In','values':[1]}]}}}",
     "networkpolicies item: spec.podSelector.matchExpressions[].values[]: expected string"},
    {KIND_NAMESPACE, "{'metadata':{'name':'n'},'status':{'phase':{}}}",
     "namespaces item: status.phase: expected string"},
};

START_TEST(test_bad_shapes)
{
    struct kobj *obj;

    status_clear();
    obj = parse_text(bad_shapes[_i].kind, bad_shapes[_i].json, true);
    ck_assert_msg(obj == NULL, "accepted %s", bad_shapes[_i].json);
    ck_assert_str_eq(status_text(), bad_shapes[_i].error);
}
END_TEST

/* null is absent, for every kind. */
START_TEST(test_nulls)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        const char *json = k == KIND_POD ? "{'metadata':{'name':'x','namespace':null,'labels':null,"
                                           "'creationTimestamp':null},'spec':{'containers':[],"
                                           "'nodeName':null},'status':null}"
                                         : "{'metadata':{'name':'x','labels':null,'uid':null},"
                                           "'spec':null,'status':null}";
        struct kobj *obj = parse_text((enum kind)k, json, true);
        ck_assert_msg(obj != NULL, "%s: %s", kind_info((enum kind)k)->kind, status_text());
        ck_assert_int_eq(obj->kind, k);
        ck_assert_str_eq(obj->name, "x");
        ck_assert_ptr_null(obj->uid);
        ck_assert_int_eq(obj->created, 0);
        kobj_free(obj);
    }
}
END_TEST

/* Every item of every list fixture parses as its list's kind. */
START_TEST(test_all_list_fixtures)
{
    static const struct {
        const char *file;
        enum kind kind;
        size_t n;
    } lists[] = {
        {"kubernetes/kubectl-status/json/_composite_PodList_main.json", KIND_POD, 8},
        {"kubernetes/kubectl-status/json/_composite_NodeList_main.json", KIND_NODE, 2},
        {"kubernetes/cloudability/pods.json", KIND_POD, 6},
        {"kubernetes/honeycomb/nodes.json", KIND_NODE, 2},
        {"kubernetes/kubectl-status/json/pod-with-metrics-and-events.events-list.json", KIND_EVENT,
         4},
        {"kubernetes/popeye/json/net_np_1.json", KIND_NETWORKPOLICY, 3},
        {"kubernetes/synthetic/nodes-k3s-states.json", KIND_NODE, 4},
        {"kubernetes/synthetic/events-warning.json", KIND_EVENT, 4},
    };
    struct json_doc doc;

    json_doc_init(&doc);
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        size_t len, n = 0;
        char *text = fixture_read(lists[i].file, &len);
        struct json_iter it;
        uint32_t v;

        ck_assert_int_eq(json_parse(&doc, text, len), STATUS_OK);
        json_iter_init(&it, &doc, json_get(&doc, 0, "items"));
        while (json_iter_next(&it, NULL, &v)) {
            struct kobj *obj = kobj_parse(lists[i].kind, &doc, v);
            ck_assert_msg(obj != NULL, "%s: %s", lists[i].file, status_text());
            kobj_free(obj);
            n++;
        }
        ck_assert_uint_eq(n, lists[i].n);
        free(text);
    }
    json_doc_done(&doc);
}
END_TEST

static Suite *
model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");

    tcase_add_test(tc, test_kinds);
    tcase_add_test(tc, test_labels);
    tcase_add_test(tc, test_metadata);
    tcase_add_loop_test(tc, test_fixture_nodes, 0, (int)ARRAY_SIZE(fixture_nodes));
    tcase_add_test(tc, test_node_details);
    tcase_add_loop_test(tc, test_synthetic_nodes, 0, (int)ARRAY_SIZE(synthetic_nodes));
    tcase_add_test(tc, test_taint_text);
    tcase_add_loop_test(tc, test_fixture_pods, 0, (int)ARRAY_SIZE(fixture_pods));
    tcase_add_test(tc, test_pod_details);
    tcase_add_loop_test(tc, test_synthetic_pods, 0, (int)ARRAY_SIZE(synthetic_pods));
    tcase_add_test(tc, test_pod_restarts);
    tcase_add_test(tc, test_pod_env);
    tcase_add_loop_test(tc, test_quantities, 0, (int)ARRAY_SIZE(quantities));
    tcase_add_test(tc, test_quantity_format);
    tcase_add_loop_test(tc, test_deployments, 0, (int)ARRAY_SIZE(fixture_deployments));
    tcase_add_test(tc, test_deployment_defaults);
    tcase_add_test(tc, test_quota);
    tcase_add_loop_test(tc, test_policies, 0, (int)ARRAY_SIZE(fixture_policies));
    tcase_add_test(tc, test_selector_text);
    tcase_add_test(tc, test_ingresses);
    tcase_add_test(tc, test_services);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_warning_events);
    tcase_add_loop_test(tc, test_synthetic_events, 0, (int)ARRAY_SIZE(synthetic_events));
    tcase_add_test(tc, test_namespaces);
    tcase_add_loop_test(tc, test_bad_shapes, 0, (int)ARRAY_SIZE(bad_shapes));
    tcase_add_test(tc, test_nulls);
    tcase_add_test(tc, test_all_list_fixtures);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(model_suite());
}
