/* SPDX-License-Identifier: MIT */
/* fuzz-json.c - libFuzzer target: the JSON tokenizer, accessors and printers */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"
#include "fuzz.h"

/* Canonical compact form of value t, written with the writer. */
static void
canon(const struct json_doc *doc, uint32_t t, struct jsonw *w)
{
    struct json_iter it;
    uint32_t k, v;
    size_t len;
    char *s;

    switch (json_type(doc, t)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (json_type(doc, t) == JSON_OBJECT)
            jsonw_obj_begin(w);
        else
            jsonw_arr_begin(w);
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, &k, &v)) {
            if (k != JSON_NONE) {
                s = json_strdup_len(doc, k, &len);
                jsonw_keyn(w, s, len);
                free(s);
            }
            /* Deep documents exceed the writer's depth: stop there. */
            if (w->depth >= JSONW_MAX_DEPTH - 2)
                jsonw_null(w);
            else
                canon(doc, v, w);
        }
        if (json_type(doc, t) == JSON_OBJECT)
            jsonw_obj_end(w);
        else
            jsonw_arr_end(w);
        break;
    case JSON_STRING:
        s = json_strdup_len(doc, t, &len);
        jsonw_strn(w, s, len);
        free(s);
        break;
    default: {
        const char *raw = json_raw(doc, t, &len);
        jsonw_raw(w, raw, len);
    }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_doc doc, again;
    struct strbuf a, b, pretty;
    struct jsonw w;
    char buf[16];
    int64_t i64;
    double d;
    bool bo;

    json_doc_init(&doc);
    json_doc_init(&again);
    strbuf_init(&a);
    strbuf_init(&b);
    strbuf_init(&pretty);
    if (json_parse(&doc, (const char *)data, size) != STATUS_OK) {
        FUZZ_ASSERT(doc.ntoks == 0 && strncmp(doc.err, "offset ", 7) == 0);
        goto out;
    }
    FUZZ_ASSERT(doc.ntoks > 0 && doc.toks[0].end == doc.ntoks);
    for (uint32_t t = 0; t < doc.ntoks; t++) {
        const struct json_tok *tok = &doc.toks[t];
        FUZZ_ASSERT(tok->end > t && tok->end <= doc.ntoks);
        switch (tok->type) {
        case JSON_STRING: {
            size_t len;
            char *s = json_strdup_len(&doc, t, &len);
            FUZZ_ASSERT(s && len <= tok->len);
            FUZZ_ASSERT(json_strcpy(&doc, t, buf, sizeof(buf)) == len);
            free(s);
            (void)json_int64_lenient(&doc, t, &i64);
            break;
        }
        case JSON_NUMBER:
            (void)json_int64(&doc, t, &i64);
            FUZZ_ASSERT(json_double(&doc, t, &d));
            break;
        case JSON_OBJECT:
            (void)json_get(&doc, t, "metadata");
            (void)json_dig(&doc, t, "a", "b", NULL);
            break;
        case JSON_ARRAY:
            (void)json_at(&doc, t, tok->size ? tok->size - 1 : 0);
            break;
        default:
            (void)json_bool(&doc, t, &bo);
        }
    }
    /* Whatever parses prints as JSON that parses to the same data. */
    jsonw_init(&w, &a, false);
    canon(&doc, 0, &w);
    json_write_pretty(&doc, 0, &pretty);
    if (json_parse(&again, pretty.buf, pretty.len) == STATUS_OK) {
        jsonw_init(&w, &b, false);
        canon(&again, 0, &w);
        FUZZ_ASSERT(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
    } else {
        /* Only depth can make the pretty form unparsable: it has none. */
        FUZZ_ASSERT(0);
    }
    strbuf_reset(&pretty);
    json_write_yaml(&doc, 0, &pretty);
out:
    json_doc_done(&doc);
    json_doc_done(&again);
    strbuf_done(&a);
    strbuf_done(&b);
    strbuf_done(&pretty);
    return 0;
}
