/* SPDX-License-Identifier: MIT */
/* parsepool.h - list pages parsed into models on worker threads */
#ifndef OPSDECK_PARSEPOOL_H
#define OPSDECK_PARSEPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/model.h"
#include "opsdeck/status.h"

struct evloop;

/*
 * A list page as the API server sent it (kube_list_raw) is tokenized and
 * each item parsed into a model on one of the pool's threads, while the
 * loop's thread goes on receiving the next page: on a machine with two
 * cores the parse of page N and the transfer (TLS, gzip) of page N+1 run
 * at the same time. Finished pages come back on the loop's thread, through
 * a pipe the loop watches, in the order they were submitted.
 *
 * The worker threads touch nothing but the page and its result: the models
 * reach the caller's structures only in the callback.
 */
struct parsepool;

/* An item that did not parse. */
struct parsepool_skip {
    char *ns;    /* its metadata.namespace, "" when it has none or is unreadable */
    char *name;  /* its metadata.name, "" when unreadable */
    char *error; /* why (status_text of kobj_parse) */
};

/* The cache encoding of one parsed object (PARSEPOOL_ENCODE). */
struct parsepool_blob {
    const char *ns; /* NULL for cluster-scoped kinds */
    const char *name;
    const void *data; /* kobj_encode's bytes */
    size_t len;
};

struct parsepool_result {
    void *tag;      /* as submitted */
    enum kind kind; /* as submitted */
    enum status st; /* STATUS_OK; STATUS_JSON: the body is no list; STATUS_CORRUPT or
                       STATUS_TOOLARGE: a gzip body that does not inflate (error
                       says why) */
    char error[512];
    struct kobj **objs; /* the parsed items in page order; the callback may take any
                           of them (set the slot to NULL): the rest are freed with the
                           result */
    size_t nobjs;
    struct parsepool_blob *blobs; /* PARSEPOOL_ENCODE: blobs[i] encodes objs[i] as it was
                                     parsed; valid until parsepool_result_free */
    struct parsepool_skip *skips; /* the items that did not parse, in page order */
    size_t nskips;
    char *encbuf; /* private: the bytes blobs point into */
};

/* Frees a result and what it still holds. NULL is a no-op. */
void parsepool_result_free(struct parsepool_result *res);

/* On the loop's thread, once per submitted page, in submission order. The
 * callback owns res (parsepool_result_free); it may submit more pages but
 * must not free the pool. */
typedef void (*parsepool_done_cb)(void *arg, struct parsepool_result *res);

enum parsepool_flags {
    PARSEPOOL_ENCODE = 1 << 0, /* also encode every parsed object for the cache */
};

/* threads 0: one per online CPU, at most 4. Fails (NULL, status_fail
 * STATUS_IO) only when no pipe or thread can be made. */
struct parsepool *parsepool_new(struct evloop *loop, unsigned threads, unsigned flags,
                                parsepool_done_cb done, void *arg);
/* A page to parse. */
struct parsepool_page {
    enum kind kind;
    char *body;         /* len bytes, NUL-terminated; taken and freed by the pool */
    size_t len;
    bool gzip;          /* body is gzip: inflated on the worker (into a buffer the
                           worker keeps), at most max_len bytes, else the result
                           is STATUS_TOOLARGE; corrupt data is STATUS_CORRUPT */
    size_t max_len;
    const char *origin; /* names the page in messages ("/api/v1/pods?limit=500");
                           copied; NULL: "the server" */
    void *tag;          /* handed back in the result */
};

/* Queues a page. */
void parsepool_submit(struct parsepool *pp, const struct parsepool_page *page);
/* Pages submitted and not yet handed back. */
size_t parsepool_pending(const struct parsepool *pp);
/* Stops and joins the threads; pages not handed back yet are dropped with
 * their results. NULL is a no-op. */
void parsepool_free(struct parsepool *pp);

#endif /* OPSDECK_PARSEPOOL_H */
