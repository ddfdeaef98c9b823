/* SPDX-License-Identifier: MIT */
/* parsepool.c - list pages parsed into models on worker threads, handed back in order */
#include "config.h"

#include "opsdeck/parsepool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/evloop.h"
#include "opsdeck/gunzip.h"
#include "opsdeck/json.h"
#include "opsdeck/log.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

#define MAX_THREADS 4

/* One submitted page: queued, then being parsed, then done. */
struct job {
    struct job *next;
    uint64_t seq;
    enum kind kind;
    char *body;
    size_t len;
    bool gzip;
    size_t max_len;
    char *origin;
    struct parsepool_result *res;
};

/* What a worker keeps from page to page: the tokens, and the buffer gzip
 * pages are inflated into (a page's size again and again: reusing it spares
 * the allocator and the kernel's page faults). */
struct worker {
    struct parsepool *pp;
    struct json_doc doc;
    struct gunzip *gz;
    char *plain;
    size_t plain_cap;
};

struct parsepool {
    struct evloop *loop;
    unsigned flags;
    parsepool_done_cb done;
    void *arg;
    int pipe_rd, pipe_wr; /* workers write a byte per finished page */
    struct ev_watch *watch;
    pthread_t threads[MAX_THREADS];
    struct worker workers[MAX_THREADS];
    unsigned nthreads;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* a job was queued, or stop */
    struct job *queue, *queue_tail;
    struct job *finished; /* parsed, not handed back yet (any order) */
    bool stop;

    uint64_t next_seq; /* loop's thread only */
    uint64_t next_deliver;
    size_t pending;
};

/*
 * Results
 */

void
parsepool_result_free(struct parsepool_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nobjs; i++)
        kobj_free(res->objs[i]);
    free(res->objs);
    free(res->blobs);
    for (size_t i = 0; i < res->nskips; i++) {
        free(res->skips[i].ns);
        free(res->skips[i].name);
        free(res->skips[i].error);
    }
    free(res->skips);
    free(res->encbuf);
    free(res);
}

/*
 * Workers
 */

/* Where each blob lies in the encoding buffer while it still grows. */
struct blob_at {
    size_t ns, name, data, len; /* offsets; ns SIZE_MAX: none */
};

static void
put_cstr(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s) + 1);
}

static void
add_skip(struct parsepool_result *res, size_t *cap, const struct json_doc *doc, uint32_t item)
{
    struct parsepool_skip *sk;
    char ns[256] = "", name[256] = "";

    json_strcpy(doc, json_dig(doc, item, "metadata", "namespace", NULL), ns, sizeof(ns));
    json_strcpy(doc, json_dig(doc, item, "metadata", "name", NULL), name, sizeof(name));
    res->skips = xgrow(res->skips, cap, res->nskips + 1, sizeof(*res->skips));
    sk = &res->skips[res->nskips++];
    sk->ns = xstrdup(ns);
    sk->name = xstrdup(name);
    sk->error = xstrdup(status_text());
}

static void
parse_page(struct parsepool *pp, struct job *job, struct json_doc *doc, const char *body,
           size_t len)
{
    struct parsepool_result *res = job->res;
    const char *origin = job->origin ? job->origin : "the server";
    struct blob_at *at = NULL;
    size_t objs_cap = 0, at_cap = 0, skips_cap = 0;
    struct strbuf enc;
    struct json_iter it;
    uint32_t key, item, items;

    strbuf_init(&enc);
    if (json_parse(doc, body, len) != STATUS_OK || json_type(doc, 0) != JSON_OBJECT) {
        res->st = STATUS_JSON;
        snprintf(res->error, sizeof(res->error), "malformed JSON reply from %s: %s", origin,
                 doc->ntoks ? "not an object" : doc->err);
        return;
    }
    items = json_get(doc, 0, "items");
    if (items != JSON_NONE && json_type(doc, items) != JSON_ARRAY &&
        json_type(doc, items) != JSON_NULL) {
        res->st = STATUS_JSON;
        snprintf(res->error, sizeof(res->error), "reply from %s: items is not an array", origin);
        return;
    }
    if (json_type(doc, items) != JSON_ARRAY)
        return;
    json_iter_init(&it, doc, items);
    while (json_iter_next(&it, &key, &item)) {
        struct kobj *obj = kobj_parse(job->kind, doc, item);

        if (!obj) {
            log_warn("%s: %s item skipped: %s", origin, kind_info(job->kind)->resource,
                     status_text());
            add_skip(res, &skips_cap, doc, item);
            continue;
        }
        if (pp->flags & PARSEPOOL_ENCODE) {
            struct blob_at *b;

            at = xgrow(at, &at_cap, res->nobjs + 1, sizeof(*at));
            b = &at[res->nobjs];
            b->ns = SIZE_MAX;
            if (obj->ns) {
                b->ns = enc.len;
                put_cstr(&enc, obj->ns);
            }
            b->name = enc.len;
            put_cstr(&enc, obj->name);
            b->data = enc.len;
            kobj_encode(obj, &enc);
            b->len = enc.len - b->data;
        }
        res->objs = xgrow(res->objs, &objs_cap, res->nobjs + 1, sizeof(*res->objs));
        res->objs[res->nobjs++] = obj;
    }
    if (at) {
        /* The buffer is final: offsets become pointers. */
        res->encbuf = strbuf_detach(&enc);
        res->blobs = xcalloc(res->nobjs, sizeof(*res->blobs));
        for (size_t i = 0; i < res->nobjs; i++) {
            res->blobs[i].ns = at[i].ns == SIZE_MAX ? NULL : res->encbuf + at[i].ns;
            res->blobs[i].name = res->encbuf + at[i].name;
            res->blobs[i].data = res->encbuf + at[i].data;
            res->blobs[i].len = at[i].len;
        }
        free(at);
    }
    strbuf_done(&enc);
}

/* A gzip page inflated into the worker's buffer; false with the result's
 * error set when it does not inflate. */
static bool
inflate_page(struct worker *w, struct job *job, size_t *len)
{
    const char *origin = job->origin ? job->origin : "the server";
    enum status st = STATUS_NOMEM;

    if (!w->gz)
        w->gz = gunzip_new();
    if (w->gz)
        st = gunzip_whole(w->gz, job->body, job->len, job->max_len, &w->plain, &w->plain_cap,
                          len);
    if (st == STATUS_OK)
        return true;
    job->res->st = st;
    snprintf(job->res->error, sizeof(job->res->error), "reply from %s: %s", origin,
             status_text());
    return false;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct parsepool *pp = w->pp;

    json_doc_init(&w->doc);
    /* No model reads it, and it is about half of a real object's tokens. */
    w->doc.skip_key = "managedFields";
    w->doc.skip_len = strlen(w->doc.skip_key);
    pthread_mutex_lock(&pp->lock);
    for (;;) {
        struct job *job;
        char byte = 1;

        while (!pp->queue && !pp->stop)
            pthread_cond_wait(&pp->cond, &pp->lock);
        if (pp->stop)
            break;
        job = pp->queue;
        pp->queue = job->next;
        if (!pp->queue)
            pp->queue_tail = NULL;
        pthread_mutex_unlock(&pp->lock);

        if (!job->gzip) {
            parse_page(pp, job, &w->doc, job->body, job->len);
        } else {
            size_t len;

            if (inflate_page(w, job, &len))
                parse_page(pp, job, &w->doc, w->plain, len);
        }
        free(job->body);
        job->body = NULL;

        pthread_mutex_lock(&pp->lock);
        job->next = pp->finished;
        pp->finished = job;
        /* A full pipe already holds a wake-up: EAGAIN is fine. */
        while (write(pp->pipe_wr, &byte, 1) < 0 && errno == EINTR)
            ;
    }
    pthread_mutex_unlock(&pp->lock);
    json_doc_done(&w->doc);
    gunzip_free(w->gz);
    free(w->plain);
    return NULL;
}

/*
 * The loop's side
 */

static void
job_free(struct job *job)
{
    free(job->body);
    free(job->origin);
    parsepool_result_free(job->res);
    free(job);
}

/* Takes the finished job that is next in submission order, or NULL. */
static struct job *
take_next(struct parsepool *pp)
{
    struct job **p, *job = NULL;

    pthread_mutex_lock(&pp->lock);
    for (p = &pp->finished; *p; p = &(*p)->next) {
        if ((*p)->seq == pp->next_deliver) {
            job = *p;
            *p = job->next;
            break;
        }
    }
    pthread_mutex_unlock(&pp->lock);
    return job;
}

static void
on_wakeup(void *arg, int fd, short revents)
{
    struct parsepool *pp = arg;
    char buf[256];
    struct job *job;

    (void)revents;
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    while ((job = take_next(pp)) != NULL) {
        struct parsepool_result *res = job->res;

        job->res = NULL;
        pp->next_deliver++;
        pp->pending--;
        job_free(job);
        pp->done(pp->arg, res);
    }
}

struct parsepool *
parsepool_new(struct evloop *loop, unsigned threads, unsigned flags, parsepool_done_cb done,
              void *arg)
{
    struct parsepool *pp = xcalloc(1, sizeof(*pp));
    int fds[2];

    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
    }
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if (pipe(fds) < 0) {
        status_fail(STATUS_IO, "parse pool: pipe: %s", strerror(errno));
        free(pp);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    pp->loop = loop;
    pp->flags = flags;
    pp->done = done;
    pp->arg = arg;
    pp->pipe_rd = fds[0];
    pp->pipe_wr = fds[1];
    pthread_mutex_init(&pp->lock, NULL);
    pthread_cond_init(&pp->cond, NULL);
    for (unsigned i = 0; i < threads; i++) {
        int err;

        pp->workers[i].pp = pp;
        err = pthread_create(&pp->threads[i], NULL, worker_main, &pp->workers[i]);

        if (err) {
            if (pp->nthreads > 0)
                break; /* fewer workers will do */
            status_fail(STATUS_IO, "parse pool: thread: %s", strerror(err));
            parsepool_free(pp);
            return NULL;
        }
        pp->nthreads++;
    }
    pp->watch = ev_watch_new(loop, pp->pipe_rd, POLLIN, on_wakeup, pp);
    return pp;
}

void
parsepool_submit(struct parsepool *pp, const struct parsepool_page *page)
{
    struct job *job = xcalloc(1, sizeof(*job));

    job->seq = pp->next_seq++;
    job->kind = page->kind;
    job->body = page->body;
    job->len = page->len;
    job->gzip = page->gzip;
    job->max_len = page->max_len;
    job->origin = page->origin ? xstrdup(page->origin) : NULL;
    job->res = xcalloc(1, sizeof(*job->res));
    job->res->tag = page->tag;
    job->res->kind = page->kind;
    job->res->st = STATUS_OK;
    pp->pending++;
    pthread_mutex_lock(&pp->lock);
    if (pp->queue_tail)
        pp->queue_tail->next = job;
    else
        pp->queue = job;
    pp->queue_tail = job;
    pthread_cond_signal(&pp->cond);
    pthread_mutex_unlock(&pp->lock);
}

size_t
parsepool_pending(const struct parsepool *pp)
{
    return pp->pending;
}

void
parsepool_free(struct parsepool *pp)
{
    struct job *job;

    if (!pp)
        return;
    pthread_mutex_lock(&pp->lock);
    pp->stop = true;
    pthread_cond_broadcast(&pp->cond);
    pthread_mutex_unlock(&pp->lock);
    for (unsigned i = 0; i < pp->nthreads; i++)
        pthread_join(pp->threads[i], NULL);
    while ((job = pp->queue) != NULL) {
        pp->queue = job->next;
        job_free(job);
    }
    while ((job = pp->finished) != NULL) {
        pp->finished = job->next;
        job_free(job);
    }
    ev_watch_free(pp->watch);
    close(pp->pipe_rd);
    close(pp->pipe_wr);
    pthread_mutex_destroy(&pp->lock);
    pthread_cond_destroy(&pp->cond);
    free(pp);
}
