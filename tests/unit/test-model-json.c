/* SPDX-License-Identifier: MIT */
/* test-model-json.c - the one-shot JSON of `get nodes` and `get pods` */
#include "config.h"

#include <stdint.h>

#include "opsdeck/clock.h"
#include "opsdeck/conventions.h"
#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

static int64_t
ts(const char *s)
{
    int64_t ns;

    ck_assert(time_parse_rfc3339(s, &ns));
    return ns / NS_PER_SEC;
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

/* A conventions struct filled by hand (conventions.c is another module's). */
static struct conventions conv = {.pool_label = (char *)(uintptr_t) "pool"};

static const char ops_node[] =
    "{'metadata':{'name':'ops-1','creationTimestamp':'2026-11-20T03:12:00Z','labels':{"
    "'pool':'ops','kubernetes.io/hostname':'ops-1'}},'spec':{'taints':[{'key':'pool','value':"
    "'ops','effect':'NoSchedule'},{'key':'dedicated','effect':'NoExecute'}]},'status':{"
    "'conditions':[{'type':'Ready','status':'True'}],'addresses':[{'type':'InternalIP',"
    "'address':'10.0.1.10'}],'nodeInfo':{'kubeletVersion':'v1.31.4+k3s1'},'capacity':{'cpu':"
    "'8','memory':'32Gi','pods':'110'}}}";

START_TEST(test_node_json)
{
    struct node *n = (struct node *)parse_sq(KIND_NODE, ops_node);
    int64_t now = ts("2026-11-24T03:12:00Z");
    struct strbuf sb;
    struct jsonw w;
    struct json_doc doc;
    uint32_t t;

    strbuf_init(&sb);
    jsonw_init(&w, &sb, false);
    node_write_json(n, &conv, now, 0, &w);
    /* The fields issue #2 §5 fixes, first and in its order. */
    ck_assert_msg(strncmp(sb.buf,
                          "{\"name\":\"ops-1\",\"status\":\"Ready\",\"roles\":\"<none>\",\"pool\":"
                          "\"ops\",\"version\":\"v1.31.4+k3s1\",\"internal_ip\":\"10.0.1.10\","
                          "\"external_ip\":null,\"taints\":[\"pool=ops:NoSchedule\","
                          "\"dedicated:NoExecute\"],",
                          strlen("{\"name\":\"ops-1\",\"status\":\"Ready\",\"roles\":\"<none>\","
                                 "\"pool\":\"ops\",\"version\":\"v1.31.4+k3s1\",\"internal_ip\":"
                                 "\"10.0.1.10\",\"external_ip\":null,\"taints\":[\"pool=ops:"
                                 "NoSchedule\",\"dedicated:NoExecute\"],")) == 0,
                  "%s", sb.buf);
    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, sb.buf, sb.len) == STATUS_OK, "%s", doc.err);
    ck_assert(json_streq(&doc, json_get(&doc, 0, "age"), "4d"));
    ck_assert(json_streq(&doc, json_get(&doc, 0, "created"), "2026-11-20T03:12:00Z"));
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "ready")), JSON_TRUE);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "unschedulable")), JSON_FALSE);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "problem")), JSON_FALSE);
    ck_assert(json_streq(&doc, json_dig(&doc, 0, "capacity", "memory", NULL), "32Gi"));
    ck_assert_int_eq(json_type(&doc, json_dig(&doc, 0, "capacity", "ephemeral_storage", NULL)),
                     JSON_NULL);
    ck_assert(json_streq(&doc, json_dig(&doc, 0, "labels", "pool", NULL), "ops"));
    ck_assert_uint_eq(json_get(&doc, 0, "fetched_at"), JSON_NONE);
    t = json_get(&doc, 0, "os_image");
    ck_assert_int_eq(json_type(&doc, t), JSON_NULL);

    /* Cached data carries fetched_at; no conventions: pool is null. */
    strbuf_reset(&sb);
    jsonw_init(&w, &sb, false);
    node_write_json(n, NULL, now, ts("2026-11-24T03:05:00Z"), &w);
    ck_assert_int_eq(json_parse(&doc, sb.buf, sb.len), STATUS_OK);
    ck_assert(json_streq(&doc, json_get(&doc, 0, "fetched_at"), "2026-11-24T03:05:00Z"));
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "pool")), JSON_NULL);
    json_doc_done(&doc);
    strbuf_done(&sb);
    kobj_free(&n->obj);
}
END_TEST

START_TEST(test_node_json_cordoned)
{
    struct node *n = (struct node *)parse_sq(
        KIND_NODE, "{'metadata':{'name':'k3s-1','labels':{'node-role.kubernetes.io/master':"
                   "'true','node-role.kubernetes.io/control-plane':'true',"
                   "'node-role.kubernetes.io/etcd':'true','pool':'ctrl'}},'spec':{"
                   "'unschedulable':true},'status':{'conditions':[{'type':'Ready','status':"
                   "'Unknown'},{'type':'DiskPressure','status':'True'}]}}");
    struct strbuf sb;
    struct jsonw w;
    struct json_doc doc;

    strbuf_init(&sb);
    jsonw_init(&w, &sb, true);
    jsonw_arr_begin(&w);
    node_write_json(n, &conv, 0, 0, &w);
    jsonw_arr_end(&w);
    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, sb.buf, sb.len) == STATUS_OK, "%s", doc.err);
    uint32_t o = json_at(&doc, 0, 0);
    ck_assert(json_streq(&doc, json_get(&doc, o, "status"), "NotReady,SchedulingDisabled"));
    ck_assert(json_streq(&doc, json_get(&doc, o, "roles"), "control-plane,etcd,master"));
    ck_assert(json_streq(&doc, json_get(&doc, o, "pool"), "ctrl"));
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "version")), JSON_NULL);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "internal_ip")), JSON_NULL);
    ck_assert_uint_eq(doc.toks[json_get(&doc, o, "taints")].size, 0);
    ck_assert(json_streq(&doc, json_at(&doc, json_get(&doc, o, "pressure"), 0), "DiskPressure"));
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "problem")), JSON_TRUE);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "age")), JSON_NULL);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "created")), JSON_NULL);
    json_doc_done(&doc);
    strbuf_done(&sb);
    kobj_free(&n->obj);
}
END_TEST

static const char crashing_pod[] =
    "{'metadata':{'name':'api-7d9c8-x2bq','namespace':'dp-max-catapp','creationTimestamp':"
    "'2026-11-23T03:12:00Z','ownerReferences':[{'kind':'ReplicaSet','name':'api-7d9c8',"
    "'controller':true}]},'spec':{'nodeName':'run-1','containers':[{'name':'api','image':"
    "'registry.internal:5000/dp-max-catapp/api:abc','env':[{'name':'K','value':'hunter2'}]}]},"
    "'status':{'phase':'Running','podIP':'10.42.1.7','containerStatuses':[{'name':'api',"
    "'restartCount':14,'state':{'waiting':{'reason':'CrashLoopBackOff'}},'lastState':{"
    "'terminated':{'exitCode':1,'reason':'Error','finishedAt':'2026-11-24T03:07:00Z'}}}]}}";

START_TEST(test_pod_json)
{
    struct pod *p = (struct pod *)parse_sq(KIND_POD, crashing_pod);
    int64_t now = ts("2026-11-24T03:12:00Z");
    struct strbuf sb;
    struct jsonw w;
    struct json_doc doc;
    uint32_t c;
    static const char head[] = "{\"namespace\":\"dp-max-catapp\",\"name\":\"api-7d9c8-x2bq\","
                               "\"status\":\"CrashLoopBackOff\",\"ready\":\"0/1\",\"restarts\":14,"
                               "\"node\":\"run-1\",";

    strbuf_init(&sb);
    jsonw_init(&w, &sb, false);
    pod_write_json(p, now, 0, &w);
    ck_assert_msg(strncmp(sb.buf, head, strlen(head)) == 0, "%s", sb.buf);
    ck_assert_ptr_null(strstr(sb.buf, "hunter2"));
    json_doc_init(&doc);
    ck_assert_msg(json_parse(&doc, sb.buf, sb.len) == STATUS_OK, "%s", doc.err);
    ck_assert(json_streq(&doc, json_get(&doc, 0, "restarts_text"), "14 (5m ago)"));
    ck_assert(json_streq(&doc, json_get(&doc, 0, "last_restart"), "2026-11-24T03:07:00Z"));
    ck_assert(json_streq(&doc, json_get(&doc, 0, "age"), "24h"));
    ck_assert(json_streq(&doc, json_get(&doc, 0, "ip"), "10.42.1.7"));
    ck_assert(json_streq(&doc, json_dig(&doc, 0, "owner", "kind", NULL), "ReplicaSet"));
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "problem")), JSON_TRUE);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, 0, "deleting")), JSON_NULL);
    c = json_at(&doc, json_get(&doc, 0, "containers"), 0);
    ck_assert(json_streq(&doc, json_get(&doc, c, "type"), "app"));
    ck_assert(json_streq(&doc, json_get(&doc, c, "state"), "waiting"));
    ck_assert(json_streq(&doc, json_get(&doc, c, "reason"), "CrashLoopBackOff"));
    ck_assert(json_streq(&doc, json_get(&doc, c, "last_reason"), "Error"));
    ck_assert_int_eq(json_type(&doc, json_get(&doc, c, "exit_code")), JSON_NULL);
    ck_assert_int_eq(json_get_int(&doc, c, "restarts", -1), 14);
    json_doc_done(&doc);
    strbuf_done(&sb);
    kobj_free(&p->obj);
}
END_TEST

START_TEST(test_pod_json_unscheduled)
{
    struct pod *p = (struct pod *)parse_sq(
        KIND_POD, "{'metadata':{'name':'web','namespace':'dp-a-b'},'spec':{'containers':[{"
                  "'name':'c'},{'name':'d'}]},'status':{'phase':'Pending','conditions':[{'type':"
                  "'PodScheduled','status':'False','reason':'Unschedulable'}]}}");
    struct strbuf sb;
    struct jsonw w;
    struct json_doc doc;

    strbuf_init(&sb);
    jsonw_init(&w, &sb, false);
    pod_write_json(p, 0, ts("2026-11-24T03:05:00Z"), &w);
    ck_assert_str_eq(sb.buf,
                     "{\"namespace\":\"dp-a-b\",\"name\":\"web\",\"status\":\"Pending\","
                     "\"ready\":\"0/2\",\"restarts\":0,\"node\":null,\"restarts_text\":\"0\","
                     "\"last_restart\":null,\"ip\":null,\"phase\":\"Pending\",\"reason\":null,"
                     "\"age\":null,\"created\":null,\"deleting\":null,\"qos_class\":null,"
                     "\"problem\":true,\"owner\":null,\"containers\":[{\"name\":\"c\","
                     "\"type\":\"app\",\"image\":null,\"ready\":false,\"restarts\":0,"
                     "\"state\":null,\"reason\":null,\"exit_code\":null,\"last_reason\":null,"
                     "\"last_finished\":null},{\"name\":\"d\",\"type\":\"app\",\"image\":null,"
                     "\"ready\":false,\"restarts\":0,\"state\":null,\"reason\":null,"
                     "\"exit_code\":null,\"last_reason\":null,\"last_finished\":null}],"
                     "\"fetched_at\":\"2026-11-24T03:05:00Z\"}");
    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, sb.buf, sb.len), STATUS_OK);
    json_doc_done(&doc);
    strbuf_done(&sb);
    kobj_free(&p->obj);
}
END_TEST

/* The JSON of a decoded cache blob equals the JSON of the parsed object:
 * `get --cached` and a live `get` print the same. */
START_TEST(test_cached_equals_live)
{
    struct pod *p = (struct pod *)parse_sq(KIND_POD, crashing_pod);
    struct node *n = (struct node *)parse_sq(KIND_NODE, ops_node);
    struct strbuf blob, a, b;
    struct jsonw w;
    struct kobj *back;
    int64_t now = ts("2026-11-24T03:12:00Z");

    strbuf_init(&blob);
    strbuf_init(&a);
    strbuf_init(&b);
    kobj_encode(&p->obj, &blob);
    back = kobj_decode(KIND_POD, blob.buf, blob.len);
    jsonw_init(&w, &a, true);
    pod_write_json(p, now, 0, &w);
    jsonw_init(&w, &b, true);
    pod_write_json((struct pod *)back, now, 0, &w);
    ck_assert_str_eq(a.buf, b.buf);
    kobj_free(back);

    strbuf_reset(&blob);
    strbuf_reset(&a);
    strbuf_reset(&b);
    kobj_encode(&n->obj, &blob);
    back = kobj_decode(KIND_NODE, blob.buf, blob.len);
    jsonw_init(&w, &a, false);
    node_write_json(n, &conv, now, 0, &w);
    jsonw_init(&w, &b, false);
    node_write_json((struct node *)back, &conv, now, 0, &w);
    ck_assert_str_eq(a.buf, b.buf);
    kobj_free(back);

    strbuf_done(&blob);
    strbuf_done(&a);
    strbuf_done(&b);
    kobj_free(&p->obj);
    kobj_free(&n->obj);
}
END_TEST

static Suite *
json_out_suite(void)
{
    Suite *s = suite_create("model-json");
    TCase *tc = tcase_create("cli-json");

    tcase_add_test(tc, test_node_json);
    tcase_add_test(tc, test_node_json_cordoned);
    tcase_add_test(tc, test_pod_json);
    tcase_add_test(tc, test_pod_json_unscheduled);
    tcase_add_test(tc, test_cached_equals_live);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(json_out_suite());
}
