/* SPDX-License-Identifier: MIT */
/* bench-parse.c - tokenizer, kobj_parse, cache codec and CLI JSON over a 20,000-pod list */
#include "config.h"

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "opsdeck/json.h"
#include "opsdeck/model.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

/*
 * Builds a PodList the way the API server sends it (compact JSON, items
 * without kind) from the recorded pods of the fixtures, renamed into
 * `npods` distinct pods over `npods / 10` namespaces, then measures:
 *   - tokenizing the whole list (MB/s), and page by page (500 items);
 *   - tokenizing + kobj_parse of every item (µs/pod, MB/s);
 *   - kobj_encode and kobj_decode of every model (µs/pod, bytes/pod);
 *   - pod_write_json of every model (the `get pods -o json` output);
 * and prints the peak RSS. Usage: bench-parse [npods] [fixtures-dir].
 */
#ifndef BENCH_FIXTURES
#define BENCH_FIXTURES "tests/fixtures"
#endif

static const char *const pod_files[] = {
    "kubernetes/kubectl-status/json/_composite_PodList_main.json",
    "kubernetes/cloudability/pods.json",
    "kubernetes/kubectl-status/json/multiple-2-pods-list.json",
    "kubernetes/k9s/render_testdata/po.json",
    "kubernetes/k9s/render_testdata/po_init.json",
    "kubernetes/k9s/xray_testdata/init.json",
    "kubernetes/kubectl-status/json/pod-with-metrics-and-events.json",
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;

    if (!f) {
        fprintf(stderr, "bench-parse: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench-parse: short read %s\n", path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Writes value t compactly; inside metadata (depth 1 below an item) the
 * name, namespace and uid are replaced, and kind/apiVersion are dropped
 * from items as the API server does. */
static void
write_value(const struct json_doc *doc, uint32_t t, struct jsonw *w, int depth, bool in_metadata,
            const char *name, const char *ns, const char *uid)
{
    struct json_iter it;
    uint32_t k, v;
    size_t len;
    char *s;

    switch (json_type(doc, t)) {
    case JSON_OBJECT:
        jsonw_obj_begin(w);
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, &k, &v)) {
            s = json_strdup_len(doc, k, &len);
            if (depth == 0 && (strcmp(s, "kind") == 0 || strcmp(s, "apiVersion") == 0)) {
                free(s);
                continue;
            }
            jsonw_keyn(w, s, len);
            if (in_metadata && strcmp(s, "name") == 0)
                jsonw_str(w, name);
            else if (in_metadata && strcmp(s, "namespace") == 0)
                jsonw_str(w, ns);
            else if (in_metadata && strcmp(s, "uid") == 0)
                jsonw_str(w, uid);
            else
                write_value(doc, v, w, depth + 1, depth == 0 && strcmp(s, "metadata") == 0, name,
                            ns, uid);
            free(s);
        }
        jsonw_obj_end(w);
        return;
    case JSON_ARRAY:
        jsonw_arr_begin(w);
        json_iter_init(&it, doc, t);
        while (json_iter_next(&it, NULL, &v))
            write_value(doc, v, w, depth + 1, false, name, ns, uid);
        jsonw_arr_end(w);
        return;
    case JSON_STRING:
        s = json_strdup_len(doc, t, &len);
        jsonw_strn(w, s, len);
        free(s);
        return;
    default: {
        const char *raw = json_raw(doc, t, &len);
        jsonw_raw(w, raw, len);
    }
    }
}

struct template
{
    char *text; /* the fixture file */
    struct json_doc doc;
    uint32_t t; /* the pod */
};

static size_t
load_templates(const char *dir, struct template *out, size_t max)
{
    size_t n = 0;

    for (size_t f = 0; f < sizeof(pod_files) / sizeof(pod_files[0]); f++) {
        char path[1024];
        size_t len;
        char *text;
        struct json_doc doc;
        uint32_t items, v;
        struct json_iter it;

        snprintf(path, sizeof(path), "%s/%s", dir, pod_files[f]);
        text = slurp(path, &len);
        json_doc_init(&doc);
        if (json_parse(&doc, text, len) != STATUS_OK) {
            fprintf(stderr, "bench-parse: %s: %s\n", path, doc.err);
            exit(1);
        }
        items = json_get(&doc, 0, "items");
        if (items == JSON_NONE) {
            if (n < max) {
                out[n].text = text;
                out[n].doc = doc;
                out[n].t = 0;
                n++;
            }
            continue;
        }
        json_iter_init(&it, &doc, items);
        while (json_iter_next(&it, NULL, &v) && n < max) {
            /* Each template owns its own parse of the file. */
            out[n].text = xstrdup(text);
            json_doc_init(&out[n].doc);
            json_parse(&out[n].doc, out[n].text, len);
            out[n].t = v;
            n++;
        }
        json_doc_done(&doc);
        free(text);
    }
    return n;
}

/* Bytes in use on the heap, where the C library can tell. */
static size_t
heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

static long
peak_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int
main(int argc, char **argv)
{
    size_t npods = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 20000;
    const char *dir = argc > 2 ? argv[2] : BENCH_FIXTURES;
    struct template templates[64];
    size_t ntemplates;
    struct strbuf list, blob, out;
    struct jsonw w;
    struct json_doc doc;
    struct kobj **objs;
    size_t *blob_off, parsed = 0, nitems = 0;
    double t0, best, tparse, tenc, tdec, tjson;
    uint32_t items, v;
    struct json_iter it;
    char name[96], ns[64], uid[64];

    if (npods == 0)
        npods = 1;
    ntemplates = load_templates(dir, templates, 64);
    strbuf_init(&list);
    jsonw_init(&w, &list, false);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "PodList");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "v1");
    jsonw_key(&w, "metadata");
    jsonw_raw(&w, "{\"resourceVersion\":\"1171150\"}", 29);
    jsonw_key(&w, "items");
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < npods; i++) {
        const struct template *tp = &templates[i % ntemplates];
        snprintf(ns, sizeof(ns), "dp-tenant%zu-project%zu", i / 100, (i / 10) % 10);
        snprintf(name, sizeof(name), "api-%06zx-%zu", i * 2654435761u % 0xffffff, i);
        snprintf(uid, sizeof(uid), "00000000-0000-4000-8000-%012zx", i);
        write_value(&tp->doc, tp->t, &w, 0, false, name, ns, uid);
    }
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    printf("list: %zu pods from %zu recorded pods, %.1f MB, mean %.0f bytes/pod\n", npods,
           ntemplates, (double)list.len / 1e6, (double)list.len / (double)npods);

    /* 1. Tokenizing the whole list. */
    json_doc_init(&doc);
    best = 1e9;
    for (int r = 0; r < 5; r++) {
        t0 = now_s();
        if (json_parse(&doc, list.buf, list.len) != STATUS_OK) {
            fprintf(stderr, "bench-parse: %s\n", doc.err);
            return 1;
        }
        best = MIN(best, now_s() - t0);
    }
    printf("tokenize:          %8.1f MB/s  (%.1f ms, %zu tokens, %.1f bytes/token)\n",
           (double)list.len / best / 1e6, best * 1e3, doc.ntoks,
           (double)list.len / (double)doc.ntoks);

    /* 2. Tokenize + kobj_parse of every item. */
    objs = xcalloc(npods, sizeof(*objs));
    t0 = now_s();
    if (json_parse(&doc, list.buf, list.len) != STATUS_OK)
        return 1;
    items = json_get(&doc, 0, "items");
    json_iter_init(&it, &doc, items);
    while (json_iter_next(&it, NULL, &v)) {
        objs[nitems] = kobj_parse(KIND_POD, &doc, v);
        if (!objs[nitems]) {
            fprintf(stderr, "bench-parse: item %zu: %s\n", nitems, status_text());
            return 1;
        }
        nitems++;
    }
    tparse = now_s() - t0;
    printf("tokenize+parse:    %8.1f MB/s  (%.1f ms, %.2f us/pod)\n",
           (double)list.len / tparse / 1e6, tparse * 1e3, tparse * 1e6 / (double)nitems);

    /* 3. Encode and decode. */
    strbuf_init(&blob);
    blob_off = xcalloc(nitems + 1, sizeof(*blob_off));
    t0 = now_s();
    for (size_t i = 0; i < nitems; i++) {
        blob_off[i] = blob.len;
        kobj_encode(objs[i], &blob);
    }
    blob_off[nitems] = blob.len;
    tenc = now_s() - t0;
    for (size_t i = 0; i < nitems; i++)
        kobj_free(objs[i]);
    size_t heap_before = heap_in_use();
    t0 = now_s();
    for (size_t i = 0; i < nitems; i++) {
        objs[i] = kobj_decode(KIND_POD, blob.buf + blob_off[i], blob_off[i + 1] - blob_off[i]);
        if (!objs[i]) {
            fprintf(stderr, "bench-parse: decode %zu: %s\n", i, status_text());
            return 1;
        }
        parsed++;
    }
    tdec = now_s() - t0;
    printf("encode:            %8.2f us/pod (%.1f ms), %.0f bytes/pod (%.1f MB)\n",
           tenc * 1e6 / (double)nitems, tenc * 1e3, (double)blob.len / (double)nitems,
           (double)blob.len / 1e6);
    printf("decode:            %8.2f us/pod (%.1f ms for %zu pods)\n", tdec * 1e6 / (double)parsed,
           tdec * 1e3, parsed);
    if (heap_in_use() > heap_before)
        printf("models in memory:  %8.1f MB (%.0f bytes/pod)\n",
               (double)(heap_in_use() - heap_before) / 1e6,
               (double)(heap_in_use() - heap_before) / (double)parsed);

    /* 4. The CLI's JSON. */
    strbuf_init(&out);
    t0 = now_s();
    jsonw_init(&w, &out, false);
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < nitems; i++)
        pod_write_json((const struct pod *)objs[i], 1800000000, 0, &w);
    jsonw_arr_end(&w);
    tjson = now_s() - t0;
    printf("pod_write_json:    %8.2f us/pod (%.1f ms, %.1f MB out)\n", tjson * 1e6 / (double)nitems,
           tjson * 1e3, (double)out.len / 1e6);

    /* 5. Page by page, as the client sees the list (500 items a page). */
    {
        struct json_doc page;
        struct strbuf pb;
        double tpages = 0;
        size_t pages = 0, bytes = 0, n = 0;

        json_doc_init(&page);
        strbuf_init(&pb);
        json_iter_init(&it, &doc, items);
        while (json_iter_next(&it, NULL, &v)) {
            size_t len;
            const char *raw = json_raw(&doc, v, &len);
            if (pb.len == 0)
                strbuf_puts(&pb, "{\"kind\":\"PodList\",\"items\":[");
            else
                strbuf_putc(&pb, ',');
            strbuf_append(&pb, raw, len);
            if (++n % 500 == 0 || it.left == 0) {
                strbuf_puts(&pb, "]}");
                t0 = now_s();
                json_parse(&page, pb.buf, pb.len);
                struct json_iter pit;
                uint32_t pv;
                json_iter_init(&pit, &page, json_get(&page, 0, "items"));
                while (json_iter_next(&pit, NULL, &pv))
                    kobj_free(kobj_parse(KIND_POD, &page, pv));
                tpages += now_s() - t0;
                bytes += pb.len;
                pages++;
                strbuf_reset(&pb);
            }
        }
        printf("pages of 500:      %8.1f MB/s tokenize+parse+free (%zu pages, %.1f ms)\n",
               (double)bytes / tpages / 1e6, pages, tpages * 1e3);
        json_doc_done(&page);
        strbuf_done(&pb);
    }

    printf("peak RSS:          %8.1f MB\n", (double)peak_rss_kib() / 1024);

    for (size_t i = 0; i < nitems; i++)
        kobj_free(objs[i]);
    free(objs);
    free(blob_off);
    for (size_t i = 0; i < ntemplates; i++) {
        json_doc_done(&templates[i].doc);
        free(templates[i].text);
    }
    json_doc_done(&doc);
    strbuf_done(&list);
    strbuf_done(&blob);
    strbuf_done(&out);
    return 0;
}
