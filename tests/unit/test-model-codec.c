/* SPDX-License-Identifier: MIT */
/* test-model-codec.c - the binary cache codec: round trips, damaged blobs */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

/* Every object of kind in a fixture (one object or a List). */
static size_t
parse_all(const char *file, enum kind kind, struct kobj **out, size_t max)
{
    struct json_doc doc;
    struct json_iter it;
    uint32_t items, v;
    size_t len, n = 0;
    char *text = fixture_read(file, &len);

    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, text, len) == STATUS_OK, "%s: %s", file, doc.err);
    items = json_get(&doc, 0, "items");
    if (items == JSON_NONE) {
        out[n] = kobj_parse(kind, &doc, 0);
        ck_assert_msg(out[n] != NULL, "%s: %s", file, status_text());
        n++;
    } else {
        json_iter_init(&it, &doc, items);
        while (n < max && json_iter_next(&it, NULL, &v)) {
            out[n] = kobj_parse(kind, &doc, v);
            ck_assert_msg(out[n] != NULL, "%s: %s", file, status_text());
            n++;
        }
    }
    json_doc_done(&doc);
    free(text);
    return n;
}

static struct kobj *
parse_sq(enum kind kind, const char *text)
{
    struct json_doc doc;
    char *s = xstrdup(text);
    struct kobj *obj;

    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, s, strlen(s)) == STATUS_OK, "%s", doc.err);
    obj = kobj_parse(kind, &doc, 0);
    ck_assert_msg(obj != NULL, "%s", status_text());
    json_doc_done(&doc);
    free(s);
    return obj;
}

/* encode(decode(encode(obj))) == encode(obj): the encoding is a function
 * of every field, so equal bytes mean every field came back. */
static void
assert_round_trip(const struct kobj *obj)
{
    struct strbuf a, b;
    struct kobj *back;

    strbuf_init(&a);
    strbuf_init(&b);
    kobj_encode(obj, &a);
    ck_assert_uint_gt(a.len, 2);
    back = kobj_decode(obj->kind, a.buf, a.len);
    ck_assert_msg(back != NULL, "%s %s: %s", kind_info(obj->kind)->kind, obj->name, status_text());
    ck_assert_int_eq(back->kind, obj->kind);
    ck_assert_str_eq(back->name, obj->name);
    kobj_encode(back, &b);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert_int_eq(memcmp(a.buf, b.buf, a.len), 0);
    kobj_free(back);
    strbuf_done(&a);
    strbuf_done(&b);
}

static const struct {
    const char *file;
    enum kind kind;
} fixtures[] = {
    {"kubernetes/kubectl-status/json/_composite_PodList_main.json", KIND_POD},
    {"kubernetes/kubectl-status/json/_composite_NodeList_main.json", KIND_NODE},
    {"kubernetes/cloudability/pods.json", KIND_POD},
    {"kubernetes/honeycomb/nodes.json", KIND_NODE},
    {"kubernetes/k9s/render_testdata/po_init.json", KIND_POD},
    {"kubernetes/kubectl-status/json/namespace-flux-system.json", KIND_NAMESPACE},
    {"kubernetes/kubectl-status/json/deployment-ongoing-rollout.json", KIND_DEPLOYMENT},
    {"kubernetes/k9s/render_testdata/dp.json", KIND_DEPLOYMENT},
    {"kubernetes/kubectl-status/json/resourcequota-compute.json", KIND_RESOURCEQUOTA},
    {"kubernetes/popeye/json/net_np_1.json", KIND_NETWORKPOLICY},
    {"kubernetes/kubectl-status/json/ingress-tls-healthy.doc1.json", KIND_INGRESS},
    {"kubernetes/kubectl-status/json/service-nodeport.json", KIND_SERVICE},
    {"kubernetes/kubectl-status/json/pod-with-metrics-and-events.events-list.json", KIND_EVENT},
    {"kubernetes/k9s/render_testdata/ev.json", KIND_EVENT},
};

START_TEST(test_fixture_round_trips)
{
    struct kobj *objs[16];
    size_t n = parse_all(fixtures[_i].file, fixtures[_i].kind, objs, ARRAY_SIZE(objs));

    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        assert_round_trip(objs[i]);
        kobj_free(objs[i]);
    }
}
END_TEST

/* Objects with every optional part filled, one per kind. */
static const struct {
    enum kind kind;
    const char *json;
} rich[] = {
    {KIND_NODE,
     "{'metadata':{'name':'k3s-1','uid':'u','resourceVersion':'99','creationTimestamp':"
     "'2026-01-01T00:00:00Z','labels':{'pool':'ctrl','node-role.kubernetes.io/master':'true'},"
     "'ownerReferences':[{'kind':'X','name':'y'}]},'spec':{'unschedulable':true,'taints':[{"
     "'key':'pool','value':'ops','effect':'NoSchedule'},{'key':'k','effect':'NoExecute'}]},"
     "'status':{'conditions':[{'type':'Ready','status':'False','reason':'r','message':'m',"
     "'lastTransitionTime':'2026-01-02T00:00:00Z'},{'type':'MemoryPressure','status':'True'},"
     "{'type':'DiskPressure','status':'True'},{'type':'PIDPressure','status':'True'},{'type':"
     "'NetworkUnavailable','status':'True'}],'addresses':[{'type':'InternalIP','address':"
     "'10.0.1.1'},{'type':'ExternalIP','address':'203.0.113.1'}],'nodeInfo':{'kubeletVersion':"
     "'v1.31.4+k3s1','osImage':'Debian','kernelVersion':'6.1','containerRuntimeVersion':"
     "'containerd://1.7','architecture':'arm64'},'capacity':{'cpu':'4','memory':'8Gi','pods':"
     "'110','ephemeral-storage':'100Gi'},'allocatable':{'cpu':'3500m','memory':'7Gi','pods':"
     "'110','ephemeral-storage':'90Gi'}}}"},
    {KIND_NAMESPACE,
     "{'metadata':{'name':'dp-max-catapp','labels':{'dp.ml.ink/tenant':'max'},"
     "'deletionTimestamp':'2026-01-01T00:00:00Z'},'status':{'phase':'Terminating'}}"},
    {KIND_POD,
     "{'metadata':{'name':'api-7d9c8-x2bq','namespace':'dp-max-catapp','creationTimestamp':"
     "'2026-01-01T00:00:00Z','deletionTimestamp':'2026-01-03T00:00:00Z'},'spec':{'nodeName':"
     "'run-1','runtimeClassName':'gvisor','initContainers':[{'name':'i','image':'busybox',"
     "'restartPolicy':'Always','resources':{'requests':{'cpu':'10m'}}}],'containers':[{'name':"
     "'api','image':'img','env':[{'name':'A','value':'s3cr3t-value'}],'envFrom':[{'secretRef':"
     "{'name':'api-env'}}],'resources':{'requests':{'cpu':'100m','memory':'64Mi',"
     "'ephemeral-storage':'1Gi'},'limits':{'cpu':'1','memory':'128Mi'}}}]},'status':{'phase':"
     "'Running','reason':'r','message':'m','podIP':'10.42.0.9','qosClass':'Burstable',"
     "'conditions':[{'type':'Ready','status':'True'}],'initContainerStatuses':[{'name':'i',"
     "'ready':true,'started':true,'restartCount':2,'state':{'running':{'startedAt':"
     "'2026-01-01T00:00:05Z'}}}],'containerStatuses':[{'name':'api','restartCount':14,"
     "'state':{'terminated':{'exitCode':-1,'signal':9,'reason':'Error','message':'x',"
     "'startedAt':'2026-01-01T00:01:00Z','finishedAt':'2026-01-01T00:02:00Z'}},'lastState':{"
     "'terminated':{'exitCode':137,'reason':'OOMKilled','finishedAt':"
     "'2026-01-01T00:00:30Z'}}}]}}"},
    {KIND_DEPLOYMENT,
     "{'metadata':{'name':'api','namespace':'n'},'spec':{'replicas':3,'selector':{"
     "'matchLabels':{'app':'api','tier':'web'}},'template':{'spec':{'containers':[{'image':"
     "'img:1'}]}}},'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2,"
     "'unavailableReplicas':1,'conditions':[{'type':'Available','status':'False'}]}}"},
    {KIND_RESOURCEQUOTA,
     "{'metadata':{'name':'quota','namespace':'n'},'status':{'hard':{'pods':'20',"
     "'requests.cpu':'4'},'used':{'pods':'19'}}}"},
    {KIND_NETWORKPOLICY,
     "{'metadata':{'name':'ingress-isolation','namespace':'n'},'spec':{'podSelector':{"
     "'matchLabels':{'a':'b'}},'policyTypes':['Ingress']}}"},
    {KIND_INGRESS,
     "{'metadata':{'name':'api','namespace':'n'},'spec':{'ingressClassName':'traefik','tls':[{"
     "}],'rules':[{'host':'a.example','http':{'paths':[{'backend':{'service':{'name':'api'}}}]}}"
     ",{'host':'b.example'}]},'status':{'loadBalancer':{'ingress':[{'ip':'10.0.1.100'}]}}}"},
    {KIND_SERVICE,
     "{'metadata':{'name':'api','namespace':'n'},'spec':{'type':'NodePort','clusterIP':"
     "'10.43.0.10','selector':{'app':'api'},'ports':[{'port':80,'nodePort':30080}]}}"},
    {KIND_EVENT,
     "{'metadata':{'name':'e','namespace':'n'},'type':'Warning','reason':'BackOff','message':"
     "'Back-off restarting failed container','involvedObject':{'kind':'Pod','namespace':'n',"
     "'name':'p','uid':'u'},'source':{'component':'kubelet'},'count':14,'firstTimestamp':"
     "'2026-01-01T00:00:00Z','lastTimestamp':'2026-01-01T01:00:00Z'}"},
};

START_TEST(test_rich_round_trips)
{
    struct kobj *obj = parse_sq(rich[_i].kind, rich[_i].json);
    struct strbuf sb;
    struct kobj *back;

    assert_round_trip(obj);
    /* Spot checks that decoding restores what the parser built. */
    strbuf_init(&sb);
    kobj_encode(obj, &sb);
    back = kobj_decode(obj->kind, sb.buf, sb.len);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(back->created, obj->created);
    ck_assert_int_eq(back->deleting, obj->deleting);
    ck_assert_uint_eq(back->labels.len, obj->labels.len);
    switch (obj->kind) {
    case KIND_POD: {
        const struct pod *a = (const struct pod *)obj, *b = (const struct pod *)back;
        ck_assert_str_eq(b->status, a->status);
        ck_assert_int_eq(b->restarts, 16);
        ck_assert_int_eq(b->ready, a->ready);
        ck_assert_int_eq(b->total, 2);
        ck_assert_int_eq(b->last_restart, a->last_restart);
        ck_assert_uint_eq(b->ncontainers, 2);
        ck_assert_int_eq(b->containers[0].kind, CONTAINER_SIDECAR);
        ck_assert_int_eq(b->containers[1].exit_code, -1);
        ck_assert_int_eq(b->containers[1].signal, 9);
        ck_assert_int_eq(b->containers[1].state, CSTATE_TERMINATED);
        ck_assert_str_eq(b->containers[1].last_reason, "OOMKilled");
        ck_assert_str_eq(b->containers[1].limits.memory, "128Mi");
        ck_assert_uint_eq(b->containers[1].nenv, 1);
        ck_assert_str_eq(b->containers[1].env_from[0], "api-env");
        ck_assert_ptr_null(b->containers[1].env_from[1]);
        ck_assert_ptr_null(b->containers[0].env_from);
        /* The literal env value was never read, so it is nowhere in the
         * cache blob. */
        ck_assert_ptr_null(memmem(sb.buf, sb.len, "s3cr3t", 6));
        break;
    }
    case KIND_NODE: {
        const struct node *b = (const struct node *)back;
        ck_assert_str_eq(b->status, "NotReady,SchedulingDisabled");
        ck_assert(b->memory_pressure && b->disk_pressure && b->pid_pressure &&
                  b->network_unavailable && b->unschedulable && !b->ready);
        ck_assert_uint_eq(b->ntaints, 2);
        ck_assert_ptr_null(b->taints[1].value);
        ck_assert_str_eq(b->external_ip, "203.0.113.1");
        ck_assert_str_eq(b->allocatable.cpu, "3500m");
        ck_assert_str_eq(kv_get(&back->labels, "pool"), "ctrl");
        break;
    }
    case KIND_INGRESS: {
        const struct ingress *b = (const struct ingress *)back;
        ck_assert(b->tls);
        ck_assert_str_eq(b->hosts[1], "b.example");
        ck_assert_ptr_null(b->hosts[2]);
        break;
    }
    case KIND_RESOURCEQUOTA: {
        const struct resourcequota *b = (const struct resourcequota *)back;
        ck_assert_uint_eq(b->nitems, 2);
        ck_assert_ptr_null(b->items[1].used);
        break;
    }
    default:
        break;
    }
    kobj_free(back);
    kobj_free(obj);
    strbuf_done(&sb);
}
END_TEST

/* Every truncation and every extension of a blob is refused. */
START_TEST(test_truncated)
{
    struct kobj *obj = parse_sq(rich[2].kind, rich[2].json);
    struct strbuf sb;

    strbuf_init(&sb);
    kobj_encode(obj, &sb);
    for (size_t cut = 0; cut < sb.len; cut++) {
        char *copy = xmalloc(cut ? cut : 1);
        memcpy(copy, sb.buf, cut);
        status_clear();
        ck_assert_msg(kobj_decode(KIND_POD, copy, cut) == NULL, "accepted %zu of %zu", cut, sb.len);
        ck_assert_ptr_nonnull(strstr(status_text(), "cached pods"));
        free(copy);
    }
    strbuf_putc(&sb, 0);
    ck_assert_ptr_null(kobj_decode(KIND_POD, sb.buf, sb.len));
    char want[64];
    snprintf(want, sizeof(want), "cached pods: damaged at byte %zu of %zu", sb.len - 1, sb.len);
    ck_assert_str_eq(status_text(), want);
    kobj_free(obj);
    strbuf_done(&sb);
}
END_TEST

/* Flipping any bit never crashes or leaks; most flips are caught. */
START_TEST(test_bit_flips)
{
    struct strbuf sb;
    size_t caught = 0, total = 0;

    strbuf_init(&sb);
    for (size_t k = 0; k < ARRAY_SIZE(rich); k++) {
        struct kobj *obj = parse_sq(rich[k].kind, rich[k].json);
        strbuf_reset(&sb);
        kobj_encode(obj, &sb);
        for (size_t i = 0; i < sb.len; i++) {
            for (int bit = 0; bit < 8; bit++) {
                sb.buf[i] = (char)(sb.buf[i] ^ (1 << bit));
                struct kobj *back = kobj_decode(obj->kind, sb.buf, sb.len);
                if (back)
                    kobj_free(back);
                else
                    caught++;
                total++;
                sb.buf[i] = (char)(sb.buf[i] ^ (1 << bit));
            }
        }
        kobj_free(obj);
    }
    /* Flips inside string bytes go unnoticed by design (no checksum: the
     * cache is SQLite's to keep intact); structure flips must not. */
    ck_assert_uint_gt(caught, total / 10);
    strbuf_done(&sb);
}
END_TEST

START_TEST(test_bad_blobs)
{
#define BLOB(kind, what, bytes)                                                                    \
    {                                                                                              \
        kind, what, bytes, sizeof(bytes) - 1                                                       \
    }
    /* Namespace: kobj (name ns uid rv created deleting labels owner_kind
     * owner_name) then phase. NetworkPolicy: kobj, selector, two bools. */
    static const struct {
        enum kind kind;
        const char *what;
        const char *blob;
        size_t len;
    } cases[] = {
        BLOB(KIND_NAMESPACE, "empty", ""),
        BLOB(KIND_NAMESPACE, "version only", "\x01"),
        BLOB(KIND_NAMESPACE, "other version", "\x02\x01\x02n\0\0\0\0\0\0\0\0\0"),
        BLOB(KIND_NAMESPACE, "other kind", "\x01\x00\x02n\0\0\0\0\0\0\0\0\0"),
        BLOB(KIND_NAMESPACE, "no name", "\x01\x01\0\0\0\0\0\0\0\0\0\0"),
        BLOB(KIND_NAMESPACE, "string past the end", "\x01\x01\x09n"),
        BLOB(KIND_NAMESPACE, "NUL in a string", "\x01\x01\x03n\0\0\0\0\0\0\0\0\0\0"),
        BLOB(KIND_NAMESPACE, "overlong varint", "\x01\x01\x82\x00n\0\0\0\0\0\0\0\0\0"),
        BLOB(KIND_NAMESPACE, "varint too long",
             "\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
        BLOB(KIND_NAMESPACE, "count beyond the data", "\x01\x01\x02n\0\0\0\0\0\x7f"),
        BLOB(KIND_NAMESPACE, "labels out of order",
             "\x01\x01\x02n\0\0\0\0\0\x02\x02"
             "b\x02"
             "1\x02"
             "a\x02"
             "2\0\0\0"),
        BLOB(KIND_NAMESPACE, "labels repeated",
             "\x01\x01\x02n\0\0\0\0\0\x02\x02"
             "a\x02"
             "1\x02"
             "a\x02"
             "2\0\0\0"),
        BLOB(KIND_NAMESPACE, "trailing byte", "\x01\x01\x02n\0\0\0\0\0\0\0\0\0\0"),
        BLOB(KIND_NETWORKPOLICY, "bad bool", "\x01\x05\x02n\0\0\0\0\0\0\0\0\0\x02\0"),
    };
#undef BLOB

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *copy = xmalloc(cases[i].len ? cases[i].len : 1);
        char want[64];
        memcpy(copy, cases[i].blob, cases[i].len);
        status_clear();
        ck_assert_msg(kobj_decode(cases[i].kind, copy, cases[i].len) == NULL, "%s", cases[i].what);
        snprintf(want, sizeof(want), "cached %s", kind_info(cases[i].kind)->resource);
        ck_assert_msg(strstr(status_text(), want), "%s: %s", cases[i].what, status_text());
        free(copy);
    }
    /* The same layouts, well formed, decode. */
    static const char ns_ok[] = "\x01\x01\x02n\0\0\0\0\0\0\0\0\0";
    static const char np_ok[] = "\x01\x05\x02n\0\0\0\0\0\0\0\0\0\x01\0";
    struct kobj *obj = kobj_decode(KIND_NAMESPACE, ns_ok, sizeof(ns_ok) - 1);
    ck_assert_msg(obj != NULL, "%s", status_text());
    kobj_free(obj);
    obj = kobj_decode(KIND_NETWORKPOLICY, np_ok, sizeof(np_ok) - 1);
    ck_assert_msg(obj != NULL, "%s", status_text());
    ck_assert(((struct networkpolicy *)obj)->ingress);
    kobj_free(obj);
    ck_assert_ptr_null(kobj_decode(KIND_COUNT, "\x01\x09", 2));
    ck_assert_ptr_null(kobj_decode(KIND_POD, NULL, 0));
}
END_TEST

/* A hand-written blob decodes: the format is what the header says. */
START_TEST(test_known_blob)
{
    /* version 1, Namespace, name "ns", ns NULL, uid NULL, rv "7", created
     * 300 (zig-zag 600 = 0xd8 0x04), deleting 0, labels {a: b}, owner
     * NULL NULL, phase "Active". */
    static const char blob[] = "\x01\x01\x03ns\x00\x00\x02"
                               "7\xd8\x04\x00\x01\x02"
                               "a\x02"
                               "b\x00\x00\x07"
                               "Active";
    struct namespace *ns = (struct namespace *)kobj_decode(KIND_NAMESPACE, blob, sizeof(blob) - 1);
    struct strbuf sb;

    ck_assert_msg(ns != NULL, "%s", status_text());
    ck_assert_str_eq(ns->obj.name, "ns");
    ck_assert_ptr_null(ns->obj.ns);
    ck_assert_str_eq(ns->obj.rv, "7");
    ck_assert_int_eq(ns->obj.created, 300);
    ck_assert_str_eq(kv_get(&ns->obj.labels, "a"), "b");
    ck_assert_str_eq(ns->phase, "Active");
    strbuf_init(&sb);
    kobj_encode(&ns->obj, &sb);
    ck_assert_uint_eq(sb.len, sizeof(blob) - 1);
    ck_assert_int_eq(memcmp(sb.buf, blob, sb.len), 0);
    strbuf_done(&sb);
    kobj_free(&ns->obj);

    /* Extremes of the integer fields. */
    struct pod p = {.obj = {.kind = KIND_POD,
                            .name = (char *)(uintptr_t) "p",
                            .created = INT64_MIN,
                            .deleting = INT64_MAX},
                    .restarts = INT32_MIN,
                    .ready = INT32_MAX};
    strbuf_init(&sb);
    kobj_encode(&p.obj, &sb);
    struct pod *back = (struct pod *)kobj_decode(KIND_POD, sb.buf, sb.len);
    ck_assert_ptr_nonnull(back);
    ck_assert(back->obj.created == INT64_MIN && back->obj.deleting == INT64_MAX);
    ck_assert(back->restarts == INT32_MIN && back->ready == INT32_MAX);
    kobj_free(&back->obj);
    strbuf_done(&sb);
}
END_TEST

static Suite *
codec_suite(void)
{
    Suite *s = suite_create("model-codec");
    TCase *tc = tcase_create("codec");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_fixture_round_trips, 0, (int)ARRAY_SIZE(fixtures));
    tcase_add_loop_test(tc, test_rich_round_trips, 0, (int)ARRAY_SIZE(rich));
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_bit_flips);
    tcase_add_test(tc, test_bad_blobs);
    tcase_add_test(tc, test_known_blob);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(codec_suite());
}
