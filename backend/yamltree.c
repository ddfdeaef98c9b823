/* SPDX-License-Identifier: MIT */
/* yamltree.c - libyaml events into a small tree with line numbers; strict typed getters */
#include "config.h"

#include "opsdeck/yamltree.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "opsdeck/hmap.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

#define DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_NODES 250000
#define TAG_STR           "tag:yaml.org,2002:str"
#define MERGE_KEY         "<<"

/*
 * Nodes
 */

static void
node_free(struct ynode *n)
{
    if (!n)
        return;
    free(n->scalar);
    for (size_t i = 0; i < n->nitems; i++)
        node_free(n->items[i]);
    free(n->items);
    for (size_t i = 0; i < n->npairs; i++) {
        node_free(n->pairs[i].key);
        node_free(n->pairs[i].value);
    }
    free(n->pairs);
    free(n);
}

void
yamltree_free(struct yamltree *tree)
{
    if (!tree)
        return;
    for (size_t i = 0; i < tree->ndocs; i++)
        node_free(tree->docs[i]);
    free(tree->docs);
    free(tree->file);
    free(tree);
}

/*
 * Building the tree from parser events
 */

struct anchor {
    char *name;
    struct ynode *node; /* borrowed from the tree being built */
    bool open;          /* its collection has not ended yet */
};

struct frame {
    struct ynode *node;    /* the open collection (borrowed) */
    struct ynode *key;     /* mapping: a key waiting for its value (owned) */
    struct ynode **merges; /* mapping: values of `<<` keys (owned until applied) */
    size_t nmerges;
    size_t anchor; /* index in anchors, or SIZE_MAX */
};

struct builder {
    const char *file;
    size_t max_depth;
    size_t max_nodes;
    size_t nodes;
    struct frame *frames;
    size_t nframes;
    size_t frames_cap;
    struct anchor *anchors;
    size_t nanchors;
    size_t anchors_cap;
    struct ynode *doc;    /* root of the document being read (owned) */
    struct ynode **spare; /* `<<` keys and merge sources, owned: anchors may still
                             name them until the document ends */
    size_t nspare;
    size_t spare_cap;
};

static void
spare_add(struct builder *b, struct ynode *n)
{
    if (!n)
        return;
    b->spare = xgrow(b->spare, &b->spare_cap, b->nspare + 1, sizeof(*b->spare));
    b->spare[b->nspare++] = n;
}

static void
spare_clear(struct builder *b)
{
    for (size_t i = 0; i < b->nspare; i++)
        node_free(b->spare[i]);
    b->nspare = 0;
}

static enum status fail_mark(const struct builder *b, int line, enum status code, const char *fmt,
                             ...) ATTR_FORMAT(4, 5);

static enum status
fail_mark(const struct builder *b, int line, enum status code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return status_fail(code, "%s:%d: %s", b->file, line, msg);
}

static enum status
node_new(struct builder *b, enum ynode_type type, const yaml_mark_t *mark, struct ynode **out)
{
    struct ynode *n;

    if (b->nodes >= b->max_nodes)
        return fail_mark(b, (int)mark->line + 1, STATUS_TOOLARGE,
                         "more than %zu YAML nodes (alias copies count too)", b->max_nodes);
    b->nodes++;
    n = xcalloc(1, sizeof(*n));
    n->type = type;
    n->line = (int)MIN(mark->line + 1, (size_t)INT_MAX);
    n->column = (int)MIN(mark->column + 1, (size_t)INT_MAX);
    n->file = b->file;
    *out = n;
    return STATUS_OK;
}

/* Deep copy of src (an alias or a merge) with the given parent links. */
static enum status
node_copy(struct builder *b, const struct ynode *src, struct ynode **out)
{
    yaml_mark_t mark = {0};
    struct ynode *n;
    enum status st;

    *out = NULL;
    mark.line = (size_t)src->line - 1;
    mark.column = (size_t)src->column - 1;
    st = node_new(b, src->type, &mark, &n);
    if (st != STATUS_OK)
        return st;
    if (src->scalar) {
        n->scalar = xmalloc(src->len + 1);
        memcpy(n->scalar, src->scalar, src->len + 1);
    }
    n->len = src->len;
    n->plain = src->plain;
    if (src->nitems)
        n->items = xcalloc(src->nitems, sizeof(*n->items));
    for (size_t i = 0; i < src->nitems; i++) {
        st = node_copy(b, src->items[i], &n->items[i]);
        if (st != STATUS_OK)
            goto fail;
        n->nitems++;
        n->items[i]->parent = n;
        n->items[i]->index = i;
    }
    if (src->npairs)
        n->pairs = xcalloc(src->npairs, sizeof(*n->pairs));
    for (size_t i = 0; i < src->npairs; i++) {
        st = node_copy(b, src->pairs[i].key, &n->pairs[i].key);
        if (st != STATUS_OK)
            goto fail;
        st = node_copy(b, src->pairs[i].value, &n->pairs[i].value);
        if (st != STATUS_OK) {
            node_free(n->pairs[i].key);
            goto fail;
        }
        n->npairs++;
        n->pairs[i].key->parent = n;
        n->pairs[i].key->key = n->pairs[i].key->scalar;
        n->pairs[i].value->parent = n;
        n->pairs[i].value->key = n->pairs[i].key->scalar;
    }
    *out = n;
    return STATUS_OK;
fail:
    node_free(n);
    return st;
}

/* Makes room for element `count` of an array built by appending: the
 * capacity is max(4, the next power of two), so it is implied by the count
 * and appends cost amortised O(1). */
static void *
grow_for_append(void *arr, size_t count, size_t size)
{
    if (count == 0)
        return xrealloc(arr, 4 * size);
    if (count >= 4 && (count & (count - 1)) == 0)
        return xrealloc(arr, 2 * count * size);
    return arr;
}

static void
pair_append(struct ynode *map, struct ynode *key, struct ynode *value)
{
    map->pairs = grow_for_append(map->pairs, map->npairs, sizeof(*map->pairs));
    map->pairs[map->npairs].key = key;
    map->pairs[map->npairs].value = value;
    map->npairs++;
    key->parent = map;
    key->key = key->scalar;
    value->parent = map;
    value->key = key->scalar;
}

static bool
is_merge_key(const struct ynode *key)
{
    return key->plain && strcmp(key->scalar, MERGE_KEY) == 0;
}

/* Hangs n under the innermost open collection (or makes it the document
 * root). Takes n, also on failure. */
static enum status
attach(struct builder *b, struct ynode *n)
{
    struct frame *f;
    struct ynode *key;

    if (b->nframes == 0) {
        b->doc = n;
        return STATUS_OK;
    }
    f = &b->frames[b->nframes - 1];
    n->parent = f->node;
    if (f->node->type == YNODE_SEQUENCE) {
        struct ynode *seq = f->node;

        seq->items = grow_for_append(seq->items, seq->nitems, sizeof(*seq->items));
        n->index = seq->nitems;
        seq->items[seq->nitems++] = n;
        return STATUS_OK;
    }
    if (!f->key) {
        if (n->type != YNODE_SCALAR) {
            int line = n->line;

            node_free(n);
            return fail_mark(b, line, STATUS_YAML, "complex mapping keys are not supported");
        }
        if (strlen(n->scalar) != n->len) {
            int line = n->line;

            node_free(n);
            return fail_mark(b, line, STATUS_YAML, "a mapping key holds a NUL byte");
        }
        f->key = n;
        return STATUS_OK;
    }
    key = f->key;
    f->key = NULL;
    if (is_merge_key(key)) {
        spare_add(b, key);
        n->key = MERGE_KEY;
        f->merges = grow_for_append(f->merges, f->nmerges, sizeof(*f->merges));
        f->merges[f->nmerges++] = n;
        return STATUS_OK;
    }
    pair_append(f->node, key, n);
    return STATUS_OK;
}

static enum status
anchor_add(struct builder *b, const yaml_char_t *name, struct ynode *n, bool open, size_t *idx)
{
    if (idx)
        *idx = SIZE_MAX;
    if (!name)
        return STATUS_OK;
    b->anchors = xgrow(b->anchors, &b->anchors_cap, b->nanchors + 1, sizeof(*b->anchors));
    b->anchors[b->nanchors].name = xstrdup((const char *)name);
    b->anchors[b->nanchors].node = n;
    b->anchors[b->nanchors].open = open;
    if (idx)
        *idx = b->nanchors;
    b->nanchors++;
    return STATUS_OK;
}

static void
anchors_clear(struct builder *b)
{
    for (size_t i = 0; i < b->nanchors; i++)
        free(b->anchors[i].name);
    b->nanchors = 0;
}

static enum status
on_alias(struct builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const struct anchor *a = NULL;
    struct ynode *copy;
    enum status st;
    int line = (int)ev->start_mark.line + 1;

    /* A later anchor of the same name replaces an earlier one. */
    for (size_t i = b->nanchors; i-- > 0;) {
        if (strcmp(b->anchors[i].name, name) == 0) {
            a = &b->anchors[i];
            break;
        }
    }
    if (!a)
        return fail_mark(b, line, STATUS_YAML, "alias *%s names no anchor", name);
    if (a->open)
        return fail_mark(b, line, STATUS_YAML, "alias *%s refers to a node that contains it", name);
    st = node_copy(b, a->node, &copy);
    if (st != STATUS_OK)
        return st;
    copy->line = line;
    copy->column = (int)ev->start_mark.column + 1;
    return attach(b, copy);
}

static enum status
on_scalar(struct builder *b, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    struct ynode *n;
    enum status st;

    st = node_new(b, YNODE_SCALAR, &ev->start_mark, &n);
    if (st != STATUS_OK)
        return st;
    n->len = ev->data.scalar.length;
    n->scalar = xmalloc(n->len + 1);
    memcpy(n->scalar, ev->data.scalar.value, n->len);
    n->scalar[n->len] = '\0';
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               !(tag && (strcmp(tag, TAG_STR) == 0 || strcmp(tag, "!") == 0));
    anchor_add(b, ev->data.scalar.anchor, n, false, NULL);
    return attach(b, n);
}

static enum status
on_collection_start(struct builder *b, const yaml_event_t *ev, enum ynode_type type)
{
    const yaml_char_t *anchor =
        type == YNODE_MAPPING ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    struct ynode *n;
    struct frame *f;
    enum status st;
    size_t idx;

    if (b->nframes >= b->max_depth)
        return fail_mark(b, (int)ev->start_mark.line + 1, STATUS_TOOLARGE,
                         "nested deeper than %zu levels", b->max_depth);
    st = node_new(b, type, &ev->start_mark, &n);
    if (st != STATUS_OK)
        return st;
    st = attach(b, n);
    if (st != STATUS_OK)
        return st;
    anchor_add(b, anchor, n, true, &idx);
    b->frames = xgrow(b->frames, &b->frames_cap, b->nframes + 1, sizeof(*b->frames));
    f = &b->frames[b->nframes++];
    memset(f, 0, sizeof(*f));
    f->node = n;
    f->anchor = idx;
    return STATUS_OK;
}

static void
frame_done(struct builder *b, struct frame *f)
{
    spare_add(b, f->key);
    for (size_t i = 0; i < f->nmerges; i++)
        spare_add(b, f->merges[i]);
    free(f->merges);
    memset(f, 0, sizeof(*f));
}

/* Appends copies of src's pairs whose keys map does not have yet. */
static enum status
merge_from(struct builder *b, struct ynode *map, const struct ynode *src, struct hmap *seen)
{
    for (size_t i = 0; i < src->npairs; i++) {
        struct ynode *k, *v;
        enum status st;

        if (hmap_get(seen, src->pairs[i].key->scalar))
            continue;
        st = node_copy(b, src->pairs[i].key, &k);
        if (st != STATUS_OK)
            return st;
        st = node_copy(b, src->pairs[i].value, &v);
        if (st != STATUS_OK) {
            node_free(k);
            return st;
        }
        pair_append(map, k, v);
        hmap_put(seen, k->scalar, k);
    }
    return STATUS_OK;
}

/* At the end of a mapping: refuses duplicate keys, then applies `<<`. */
static enum status
finish_mapping(struct builder *b, struct frame *f)
{
    struct ynode *map = f->node;
    struct hmap seen;
    enum status st = STATUS_OK;

    hmap_init(&seen);
    for (size_t i = 0; i < map->npairs; i++) {
        const struct ynode *k = map->pairs[i].key;
        const struct ynode *first = hmap_put(&seen, k->scalar, map->pairs[i].key);

        if (first) {
            char *path = ynode_path(map);

            st = fail_mark(b, k->line, STATUS_YAML, "%s%s%s: duplicate key (first at line %d)",
                           path, *path ? "." : "", k->scalar, first->line);
            free(path);
            goto out;
        }
    }
    for (size_t m = 0; m < f->nmerges; m++) {
        const struct ynode *src = f->merges[m];

        if (src->type == YNODE_MAPPING) {
            st = merge_from(b, map, src, &seen);
        } else if (src->type == YNODE_SEQUENCE) {
            for (size_t i = 0; i < src->nitems && st == STATUS_OK; i++) {
                if (src->items[i]->type != YNODE_MAPPING) {
                    st = fail_mark(b, src->items[i]->line, STATUS_YAML,
                                   "<<: expected a mapping, got %s", ynode_kind(src->items[i]));
                    break;
                }
                st = merge_from(b, map, src->items[i], &seen);
            }
        } else {
            st = fail_mark(b, src->line, STATUS_YAML,
                           "<<: expected a mapping or a sequence of mappings, got %s",
                           ynode_kind(src));
        }
        if (st != STATUS_OK)
            goto out;
    }
out:
    hmap_done(&seen);
    return st;
}

static enum status
on_collection_end(struct builder *b, bool mapping)
{
    struct frame *f = &b->frames[b->nframes - 1];
    enum status st = STATUS_OK;

    if (mapping)
        st = finish_mapping(b, f);
    if (f->anchor != SIZE_MAX)
        b->anchors[f->anchor].open = false;
    frame_done(b, f);
    b->nframes--;
    return st;
}

static enum status
syntax_error(const struct builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown error";

    if (p->error == YAML_MEMORY_ERROR)
        xfatal("out of memory parsing %s", b->file);
    if (p->error == YAML_READER_ERROR)
        return status_fail(STATUS_YAML, "%s: byte %zu: %s", b->file, p->problem_offset, problem);
    if (p->context)
        return status_fail(STATUS_YAML, "%s:%zu:%zu: %s %s (line %zu)", b->file,
                           p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
                           p->context, p->context_mark.line + 1);
    return status_fail(STATUS_YAML, "%s:%zu:%zu: %s", b->file, p->problem_mark.line + 1,
                       p->problem_mark.column + 1, problem);
}

static enum status
handle_event(struct builder *b, struct yamltree *tree, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        b->doc = NULL;
        anchors_clear(b);
        return STATUS_OK;
    case YAML_DOCUMENT_END_EVENT:
        if (b->doc) {
            tree->docs = grow_for_append(tree->docs, tree->ndocs, sizeof(*tree->docs));
            tree->docs[tree->ndocs++] = b->doc;
            b->doc = NULL;
        }
        spare_clear(b);
        return STATUS_OK;
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(b, ev, YNODE_SEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, ev, YNODE_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
        return on_collection_end(b, false);
    case YAML_MAPPING_END_EVENT:
        return on_collection_end(b, true);
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
        return STATUS_OK;
    }
    return STATUS_OK;
}

static void
limits_apply(const struct yamltree_limits *lim, struct yamltree_limits *out)
{
    out->max_bytes = lim && lim->max_bytes ? lim->max_bytes : DEFAULT_MAX_BYTES;
    out->max_depth = lim && lim->max_depth ? lim->max_depth : DEFAULT_MAX_DEPTH;
    out->max_nodes = lim && lim->max_nodes ? lim->max_nodes : DEFAULT_MAX_NODES;
}

enum status
yamltree_parse_buffer(const char *name, const void *buf, size_t len,
                      const struct yamltree_limits *lim, struct yamltree **out)
{
    struct yamltree_limits l;
    struct yamltree *tree = xcalloc(1, sizeof(*tree));
    struct builder b = {0};
    yaml_parser_t parser;
    yaml_event_t ev;
    enum status st = STATUS_OK;
    bool done = false;

    *out = NULL;
    limits_apply(lim, &l);
    tree->file = xstrdup(name);
    b.file = tree->file;
    b.max_depth = l.max_depth;
    b.max_nodes = l.max_nodes;
    if (len > l.max_bytes) {
        st = status_fail(STATUS_TOOLARGE, "%s: larger than %zu bytes", name, l.max_bytes);
        yamltree_free(tree);
        return st;
    }
    if (!yaml_parser_initialize(&parser))
        xfatal("out of memory parsing %s", name);
    yaml_parser_set_input_string(&parser, buf, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            st = syntax_error(&b, &parser);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        st = handle_event(&b, tree, &ev);
        yaml_event_delete(&ev);
        if (st != STATUS_OK)
            break;
    }
    yaml_parser_delete(&parser);
    while (b.nframes > 0)
        frame_done(&b, &b.frames[--b.nframes]);
    free(b.frames);
    spare_clear(&b);
    free(b.spare);
    anchors_clear(&b);
    free(b.anchors);
    node_free(b.doc);
    if (st != STATUS_OK) {
        yamltree_free(tree);
        return st;
    }
    *out = tree;
    return STATUS_OK;
}

enum status
yamltree_parse_file(const char *path, const struct yamltree_limits *lim, struct yamltree **out)
{
    struct yamltree_limits l;
    struct strbuf sb;
    enum status st;

    *out = NULL;
    limits_apply(lim, &l);
    strbuf_init(&sb);
    st = strbuf_read_file(&sb, path, l.max_bytes, false);
    if (st == STATUS_OK)
        st = yamltree_parse_buffer(path, sb.buf ? sb.buf : "", sb.len, &l, out);
    strbuf_done(&sb);
    return st;
}

/*
 * Reading nodes
 */

const struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
    if (!map || map->type != YNODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->npairs; i++)
        if (strcmp(map->pairs[i].key->scalar, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

const struct ynode *
ynode_get_key(const struct ynode *map, const char *key)
{
    if (!map || map->type != YNODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->npairs; i++)
        if (strcmp(map->pairs[i].key->scalar, key) == 0)
            return map->pairs[i].key;
    return NULL;
}

bool
ynode_is_null(const struct ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

    if (!n || n->type != YNODE_SCALAR || !n->plain)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
        if (strcmp(n->scalar, nulls[i]) == 0)
            return true;
    return false;
}

/* YAML 1.1 booleans as go-yaml v2 reads them. */
static bool
parse_bool(const struct ynode *n, bool *out)
{
    static const char *const yes[] = {"y",  "Y",  "yes",  "Yes",  "YES", "on",
                                      "On", "ON", "true", "True", "TRUE"};
    static const char *const no[] = {"n",   "N",   "no",    "No",    "NO",   "off",
                                     "Off", "OFF", "false", "False", "FALSE"};

    if (n->type != YNODE_SCALAR || !n->plain)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(n->scalar, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(n->scalar, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Plain decimal with an optional sign; false when malformed or out of
 * long long range (*overflow set). */
static bool
parse_int(const struct ynode *n, long long *out, bool *overflow)
{
    const char *s;
    char *end;
    long long v;

    *overflow = false;
    if (n->type != YNODE_SCALAR || !n->plain)
        return false;
    s = n->scalar;
    if (*s == '+' || *s == '-')
        s++;
    if (*s < '0' || *s > '9')
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    v = strtoll(n->scalar, &end, 10);
    if (errno == ERANGE) {
        *overflow = true;
        return false;
    }
    *out = v;
    return true;
}

const char *
ynode_kind(const struct ynode *n)
{
    bool b;
    long long i;
    bool overflow;

    if (!n)
        return "nothing";
    switch (n->type) {
    case YNODE_MAPPING:
        return "a mapping";
    case YNODE_SEQUENCE:
        return "a sequence";
    case YNODE_SCALAR:
        break;
    }
    if (ynode_is_null(n))
        return "null";
    if (parse_bool(n, &b))
        return "a boolean";
    if (parse_int(n, &i, &overflow) || overflow)
        return "an integer";
    return "a string";
}

char *
ynode_path(const struct ynode *n)
{
    const struct ynode **chain;
    size_t depth = 0;
    struct strbuf sb;

    strbuf_init(&sb);
    for (const struct ynode *p = n; p && p->parent; p = p->parent)
        depth++;
    chain = xcalloc(depth + 1, sizeof(*chain));
    depth = 0;
    for (const struct ynode *p = n; p && p->parent; p = p->parent)
        chain[depth++] = p;
    while (depth-- > 0) {
        const struct ynode *p = chain[depth];

        if (p->parent->type == YNODE_SEQUENCE) {
            strbuf_printf(&sb, "[%zu]", p->index);
        } else {
            if (sb.len)
                strbuf_putc(&sb, '.');
            strbuf_puts(&sb, p->key ? p->key : "?");
        }
    }
    free(chain);
    return strbuf_detach(&sb);
}

static enum status
fail_path(const char *file, int line, const char *path, const char *msg)
{
    if (path && *path)
        return status_fail(STATUS_CONFIG, "%s:%d: %s: %s", file, line, path, msg);
    return status_fail(STATUS_CONFIG, "%s:%d: %s", file, line, msg);
}

enum status
ynode_fail(const struct ynode *n, const char *fmt, ...)
{
    char msg[768];
    char *path;
    va_list ap;
    enum status st;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    path = ynode_path(n);
    st = fail_path(n->file, n->line, path, msg);
    free(path);
    return st;
}

/* A short, printable rendering of a scalar for messages: "abc" or -1. */
static void
describe(const struct ynode *n, char *buf, size_t size)
{
    struct strbuf sb;
    size_t shown = 0;
    bool quote;

    if (n->type != YNODE_SCALAR || ynode_is_null(n)) {
        snprintf(buf, size, "%s", ynode_kind(n));
        return;
    }
    quote = strcmp(ynode_kind(n), "a string") == 0;
    strbuf_init(&sb);
    if (quote)
        strbuf_putc(&sb, '"');
    for (size_t i = 0; i < n->len && shown < 32; i++, shown++) {
        unsigned char c = (unsigned char)n->scalar[i];

        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            strbuf_printf(&sb, "\\x%02x", c);
        else
            strbuf_putc(&sb, (char)c);
    }
    if (n->len > shown)
        strbuf_puts(&sb, "...");
    if (quote)
        strbuf_putc(&sb, '"');
    snprintf(buf, size, "%s", strbuf_str(&sb));
    strbuf_done(&sb);
}

enum status
ynode_expect_map(const struct ynode *n)
{
    if (n->type == YNODE_MAPPING)
        return STATUS_OK;
    return ynode_fail(n, "expected a mapping, got %s", ynode_kind(n));
}

enum status
ynode_expect_seq(const struct ynode *n)
{
    if (n->type == YNODE_SEQUENCE)
        return STATUS_OK;
    return ynode_fail(n, "expected a sequence, got %s", ynode_kind(n));
}

enum status
ynode_string(const struct ynode *n, const char **out)
{
    *out = NULL;
    if (ynode_is_null(n))
        return STATUS_OK;
    if (n->type != YNODE_SCALAR)
        return ynode_fail(n, "expected a string, got %s", ynode_kind(n));
    if (strlen(n->scalar) != n->len)
        return ynode_fail(n, "the string holds a NUL byte");
    *out = n->scalar;
    return STATUS_OK;
}

enum status
ynode_bool(const struct ynode *n, bool *out)
{
    char got[160];

    if (parse_bool(n, out))
        return STATUS_OK;
    describe(n, got, sizeof(got));
    return ynode_fail(n, "expected a boolean (true or false), got %s", got);
}

enum status
ynode_int(const struct ynode *n, long long min, long long max, long long *out)
{
    char got[160];
    long long v;
    bool overflow;

    if (parse_int(n, &v, &overflow) && v >= min && v <= max) {
        *out = v;
        return STATUS_OK;
    }
    describe(n, got, sizeof(got));
    return ynode_fail(n, "expected an integer from %lld to %lld, got %s", min, max, got);
}

enum status
ynode_get_string(const struct ynode *map, const char *key, char **dst)
{
    const struct ynode *n = ynode_get(map, key);
    const char *s;
    enum status st;

    if (!n || ynode_is_null(n))
        return STATUS_OK;
    st = ynode_string(n, &s);
    if (st != STATUS_OK)
        return st;
    free(*dst);
    *dst = xstrdup(s);
    return STATUS_OK;
}

enum status
ynode_get_bool(const struct ynode *map, const char *key, bool *dst)
{
    const struct ynode *n = ynode_get(map, key);

    if (!n || ynode_is_null(n))
        return STATUS_OK;
    return ynode_bool(n, dst);
}

enum status
ynode_get_int(const struct ynode *map, const char *key, long long min, long long max,
              long long *dst)
{
    const struct ynode *n = ynode_get(map, key);

    if (!n || ynode_is_null(n))
        return STATUS_OK;
    return ynode_int(n, min, max, dst);
}

/* Optimal string alignment distance (edits incl. one transposition), capped
 * at cap + 1 for long strings. */
static size_t
edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[33][33];

    if (la > 32 || lb > 32)
        return cap + 1;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);

            v = MIN(v, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = MIN(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

enum status
ynode_check_keys(const struct ynode *map, const char *const *allowed)
{
    if (map->type != YNODE_MAPPING)
        return ynode_expect_map(map);
    for (size_t i = 0; i < map->npairs; i++) {
        const struct ynode *k = map->pairs[i].key;
        const char *best = NULL;
        size_t best_d = 3;

        if (strv_contains(allowed, k->scalar))
            continue;
        for (size_t j = 0; allowed[j]; j++) {
            size_t d = edit_distance(k->scalar, allowed[j], 2);

            if (d < best_d) {
                best_d = d;
                best = allowed[j];
            }
        }
        if (best)
            return ynode_fail(k, "unknown key (did you mean %s?)", best);
        return ynode_fail(k, "unknown key");
    }
    return STATUS_OK;
}
