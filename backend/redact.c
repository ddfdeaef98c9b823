/* SPDX-License-Identifier: MIT */
/* redact.c - an object's JSON made fit to show: no secrets, no noise */
#include "config.h"

#include "opsdeck/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* Where the walk is, as far as the rules need to know. */
enum redact_ctx {
    CTX_NONE,
    CTX_ROOT,          /* the object itself */
    CTX_METADATA,      /* its metadata */
    CTX_ANNOTATIONS,   /* metadata.annotations */
    CTX_ENV,           /* an "env" array */
    CTX_ENV_ENTRY,     /* one entry of it */
    CTX_SECRET_DATA,   /* a Secret's data / stringData */
};

static void walk(const struct json_doc *doc, uint32_t t, enum redact_ctx ctx, bool secret,
                 struct jsonw *w);

static void
hidden(struct jsonw *w, size_t bytes)
{
    char text[64];

    if (bytes) {
        snprintf(text, sizeof(text), "(hidden: %zu bytes)", bytes);
        jsonw_str(w, text);
    } else {
        jsonw_str(w, "(hidden)");
    }
}

static void
walk_object(const struct json_doc *doc, uint32_t t, enum redact_ctx ctx, bool secret,
            struct jsonw *w)
{
    struct json_iter it;
    uint32_t key, val;
    char name[64];

    jsonw_obj_begin(w);
    json_iter_init(&it, doc, t);
    while (json_iter_next(&it, &key, &val)) {
        enum redact_ctx inner = CTX_NONE;
        size_t len;

        json_strcpy(doc, key, name, sizeof(name));
        if (ctx == CTX_METADATA && strcmp(name, "managedFields") == 0)
            continue;
        {
            char *k = json_strdup(doc, key);

            jsonw_key(w, k);
            free(k);
        }
        if (ctx == CTX_ANNOTATIONS && json_streq(doc, key, LAST_APPLIED)) {
            json_raw(doc, val, &len);
            hidden(w, len);
            continue;
        }
        if ((ctx == CTX_ENV_ENTRY && strcmp(name, "value") == 0) || ctx == CTX_SECRET_DATA) {
            hidden(w, 0);
            continue;
        }
        if (ctx == CTX_ROOT && strcmp(name, "metadata") == 0)
            inner = CTX_METADATA;
        else if (ctx == CTX_METADATA && strcmp(name, "annotations") == 0)
            inner = CTX_ANNOTATIONS;
        else if (strcmp(name, "env") == 0 && json_type(doc, val) == JSON_ARRAY)
            inner = CTX_ENV;
        else if (ctx == CTX_ROOT && secret &&
                 (strcmp(name, "data") == 0 || strcmp(name, "stringData") == 0))
            inner = CTX_SECRET_DATA;
        walk(doc, val, inner, secret, w);
    }
    jsonw_obj_end(w);
}

static void
walk(const struct json_doc *doc, uint32_t t, enum redact_ctx ctx, bool secret, struct jsonw *w)
{
    struct json_iter it;
    uint32_t key, val;
    size_t len;
    const char *raw;

    switch (json_type(doc, t)) {
    case JSON_OBJECT:
        walk_object(doc, t, ctx, secret, w);
        break;
    case JSON_ARRAY:
        jsonw_arr_begin(w);
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, &key, &val))
            walk(doc, val, ctx == CTX_ENV ? CTX_ENV_ENTRY : CTX_NONE, secret, w);
        jsonw_arr_end(w);
        break;
    default:
        raw = json_raw(doc, t, &len);
        jsonw_raw(w, raw, len);
        break;
    }
}

void
redact_object(const struct json_doc *doc, uint32_t t, struct strbuf *out)
{
    struct jsonw w;

    jsonw_init(&w, out, false);
    walk(doc, t, CTX_ROOT, json_streq(doc, json_get(doc, t, "kind"), "Secret"), &w);
}
