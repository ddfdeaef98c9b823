/* SPDX-License-Identifier: MIT */
/* loki_labels.c - interned stream label sets of the Loki client (and the pod log fallback) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/hmap.h"
#include "opsdeck/json.h"
#include "opsdeck/loki.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "loki_priv.h"

struct labels_priv {
    struct loki_labels pub;
    char **keys;
    char **values;
    char *text;
};

static void
labels_priv_free(void *p)
{
    struct labels_priv *lp = p;

    if (!lp)
        return;
    for (size_t i = 0; i < lp->pub.n; i++) {
        free(lp->keys[i]);
        free(lp->values[i]);
    }
    free(lp->keys);
    free(lp->values);
    free(lp->text);
    free(lp);
}

void
loki_interner_init(struct loki_interner *in)
{
    hmap_init(&in->by_text);
    hmap_init(&in->by_raw);
    vec_init(&in->all, labels_priv_free);
}

void
loki_interner_done(struct loki_interner *in)
{
    hmap_done(&in->by_text);
    hmap_done(&in->by_raw);
    vec_done(&in->all);
}

static void
append_quoted(struct strbuf *sb, const char *s)
{
    strbuf_putc(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            strbuf_putc(sb, '\\');
            strbuf_putc(sb, *s);
        } else if (*s == '\n') {
            strbuf_puts(sb, "\\n");
        } else {
            strbuf_putc(sb, *s);
        }
    }
    strbuf_putc(sb, '"');
}

struct kv {
    char *k;
    char *v;
};

static int
kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* Takes the strings of kv (n pairs, any order). */
static struct labels_priv *
intern_pairs(struct loki_interner *in, struct kv *kv, size_t n)
{
    struct strbuf sb = {0};
    struct labels_priv *lp;

    if (n > 1)
        qsort(kv, n, sizeof(*kv), kv_cmp);
    strbuf_putc(&sb, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_puts(&sb, ", ");
        strbuf_puts(&sb, kv[i].k);
        strbuf_putc(&sb, '=');
        append_quoted(&sb, kv[i].v);
    }
    strbuf_putc(&sb, '}');
    lp = hmap_get(&in->by_text, strbuf_str(&sb));
    if (lp) {
        for (size_t i = 0; i < n; i++) {
            free(kv[i].k);
            free(kv[i].v);
        }
        strbuf_done(&sb);
        return lp;
    }
    lp = xcalloc(1, sizeof(*lp));
    lp->keys = xcalloc(n + 1, sizeof(char *));
    lp->values = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        lp->keys[i] = kv[i].k;
        lp->values[i] = kv[i].v;
    }
    lp->text = strbuf_detach(&sb);
    lp->pub.n = n;
    lp->pub.keys = (const char *const *)lp->keys;
    lp->pub.values = (const char *const *)lp->values;
    lp->pub.text = lp->text;
    vec_push(&in->all, lp);
    lp->pub.id = (uint32_t)in->all.len;
    hmap_put(&in->by_text, lp->text, lp);
    return lp;
}

const struct loki_labels *
loki_intern_strv(struct loki_interner *in, const char *const *keys, const char *const *values)
{
    size_t n = strv_len(keys);
    struct kv *kv = xcalloc(n + 1, sizeof(*kv));
    const struct loki_labels *ls;

    for (size_t i = 0; i < n; i++) {
        kv[i].k = xstrdup(keys[i]);
        kv[i].v = xstrdup(values[i] ? values[i] : "");
    }
    ls = &intern_pairs(in, kv, n)->pub;
    free(kv);
    return ls;
}

const struct loki_labels *
loki_intern_json(struct loki_interner *in, const struct json_doc *doc, uint32_t obj)
{
    size_t rawlen = 0;
    const char *raw;
    struct labels_priv *lp;
    struct kv *kv;
    size_t n = 0;
    struct json_iter it;
    uint32_t k, v;
    char *rawkey;

    if (json_type(doc, obj) != JSON_OBJECT)
        return &intern_pairs(in, NULL, 0)->pub;
    raw = json_raw(doc, obj, &rawlen);
    lp = hmap_getn(&in->by_raw, raw, rawlen);
    if (lp)
        return &lp->pub;
    kv = xcalloc(doc->toks[obj].size + 1, sizeof(*kv));
    json_iter_init(&it, doc, obj);
    while (json_iter_next(&it, &k, &v)) {
        char *vs;

        if (json_type(doc, v) == JSON_STRING) {
            vs = json_strdup(doc, v);
        } else {
            size_t vl;
            const char *vr = json_raw(doc, v, &vl);

            vs = xstrndup(vr, vl);
        }
        kv[n].k = json_strdup(doc, k);
        kv[n].v = vs;
        n++;
    }
    lp = intern_pairs(in, kv, n);
    free(kv);
    /* The raw text is a shortcut for the next page: the same streams come
     * back spelt the same way. Bounded by the distinct spellings seen. */
    rawkey = xstrndup(raw, rawlen);
    hmap_put(&in->by_raw, rawkey, lp);
    free(rawkey);
    return &lp->pub;
}

const char *
loki_labels_get(const struct loki_labels *ls, const char *key)
{
    for (size_t i = 0; ls && i < ls->n; i++) {
        if (strcmp(ls->keys[i], key) == 0)
            return ls->values[i];
    }
    return NULL;
}
