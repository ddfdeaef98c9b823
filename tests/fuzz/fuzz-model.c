/* SPDX-License-Identifier: MIT */
/* fuzz-model.c - libFuzzer target: kobj_parse, the cache codec and the CLI JSON */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/conventions.h"
#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/strbuf.h"
#include "fuzz.h"

static void
check_object(struct kobj *obj)
{
    struct conventions conv = {.pool_label = (char *)(uintptr_t) "pool"};
    struct strbuf a, b, out;
    struct json_doc doc;
    struct jsonw w;
    struct kobj *back;
    char key[64];

    strbuf_init(&a);
    strbuf_init(&b);
    strbuf_init(&out);
    json_doc_init(&doc);
    FUZZ_ASSERT(obj->name != NULL);
    kobj_key(obj, key, sizeof(key));
    /* Every parsed object survives the cache unchanged. */
    kobj_encode(obj, &a);
    back = kobj_decode(obj->kind, a.buf, a.len);
    FUZZ_ASSERT(back != NULL);
    kobj_encode(back, &b);
    FUZZ_ASSERT(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
    kobj_free(back);
    /* The CLI writes valid JSON for anything it parsed. */
    jsonw_init(&w, &out, false);
    if (obj->kind == KIND_NODE)
        node_write_json((const struct node *)obj, &conv, 1800000000, 1800000000, &w);
    else if (obj->kind == KIND_POD)
        pod_write_json((const struct pod *)obj, 1800000000, 0, &w);
    if (out.len)
        FUZZ_ASSERT(json_parse(&doc, out.buf, out.len) == STATUS_OK);
    if (obj->kind == KIND_POD) {
        const struct pod *p = (const struct pod *)obj;
        FUZZ_ASSERT(p->status != NULL && p->ready >= 0 && p->total >= 0);
        (void)pod_is_problem(p);
    }
    if (obj->kind == KIND_NODE)
        (void)node_is_problem((const struct node *)obj);
    json_doc_done(&doc);
    strbuf_done(&a);
    strbuf_done(&b);
    strbuf_done(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_doc doc;
    struct json_iter it;
    uint32_t items, v;
    struct strbuf again;

    /* The input as a cache blob of each kind: a blob that decodes is in
     * canonical form, so it re-encodes to the very same bytes. */
    strbuf_init(&again);
    for (int k = 0; k < KIND_COUNT; k++) {
        struct kobj *obj = kobj_decode((enum kind)k, data, size);
        if (!obj)
            continue;
        strbuf_reset(&again);
        kobj_encode(obj, &again);
        FUZZ_ASSERT(again.len == size && memcmp(again.buf, data, size) == 0);
        kobj_free(obj);
    }
    strbuf_done(&again);

    /* The input as JSON: the root and every item, as every kind. */
    json_doc_init(&doc);
    if (json_parse(&doc, (const char *)data, size) == STATUS_OK) {
        items = json_get(&doc, 0, "items");
        for (int k = 0; k < KIND_COUNT; k++) {
            struct kobj *obj = kobj_parse((enum kind)k, &doc, 0);
            if (obj) {
                check_object(obj);
                kobj_free(obj);
            }
            json_iter_init(&it, &doc, items);
            while (json_iter_next(&it, NULL, &v)) {
                obj = kobj_parse((enum kind)k, &doc, v);
                if (obj) {
                    check_object(obj);
                    kobj_free(obj);
                }
            }
        }
    }
    json_doc_done(&doc);
    return 0;
}
