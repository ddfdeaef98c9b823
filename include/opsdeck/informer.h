/* SPDX-License-Identifier: MIT */
/* informer.h - keeps one kind in sync: list, then watch with bookmarks */
#ifndef OPSDECK_INFORMER_H
#define OPSDECK_INFORMER_H

#include <stdbool.h>
#include <stdint.h>

#include "opsdeck/model.h"

struct kube;

/*
 * list (paged) -> watch from the list's resourceVersion with bookmarks ->
 * on a clean end, watch again from the last resourceVersion seen (no
 * periodic relist) -> on 410 Expired (status or ERROR event) relist ->
 * on errors, retry with backoff (1 s doubling to 30 s). A cluster-wide list
 * that is forbidden (403) falls back to one list+watch per namespace the
 * user may list (fallback_namespaces), skipping those still forbidden.
 */
struct informer_sink {
    /* A (re)list of kind in ns (NULL = all) starts / ends: objects not
     * upserted in between are gone. replace_begin may come again before
     * replace_end (a list that restarted after an expired continue token, or
     * failed half-way and was retried): the later one counts. In the 403
     * fallback, ns names each namespace in turn. */
    void (*replace_begin)(void *arg, enum kind kind, const char *ns);
    void (*replace_end)(void *arg, enum kind kind, const char *ns);
    /* obj is owned by the sink. */
    void (*upsert)(void *arg, struct kobj *obj);
    /* obj (its last state) is owned by the sink. */
    void (*remove)(void *arg, struct kobj *obj);
    /* Sync state or error changed. */
    void (*state)(void *arg);
    void *arg;
};

struct informer_opts {
    const char *ns;             /* NULL: all namespaces (or cluster-scoped) */
    const char *label_selector;
    const char *field_selector; /* e.g. "type=Warning" for events */
    /* For the 403 fallback: namespaces the user may list (new NULL-terminated
     * array, caller-of-callback frees with strv_free). NULL: no fallback. */
    char **(*fallback_namespaces)(void *arg);
    void *fallback_arg;
};

struct informer_stats {
    unsigned lists;             /* lists started (first + relists) */
    unsigned relists;           /* after 410 */
    unsigned pages;
    unsigned watches;           /* watch requests */
    unsigned events;            /* ADDED/MODIFIED/DELETED */
    unsigned bookmarks;
    unsigned errors;            /* failed lists and watches */
    unsigned skipped;           /* items or events that did not parse (logged) */
};

struct informer;

/* opts and sink are copied; kube must outlive the informer. Nothing
 * happens before informer_start. */
struct informer *informer_new(struct kube *k, enum kind kind, const struct informer_opts *opts,
                              const struct informer_sink *sink);
void informer_start(struct informer *inf);
/* Stops all requests (no more sink calls) and frees. Safe from inside a
 * sink callback. NULL is a no-op. */
void informer_free(struct informer *inf);
/* The initial list has been delivered (the watch may be reconnecting). */
bool informer_synced(const struct informer *inf);
/* The watch is established and past its initial sync. */
bool informer_watching(const struct informer *inf);
/* Last error line, or NULL when the last attempt worked. Borrowed. */
const char *informer_error(const struct informer *inf);
/* The resourceVersion the next watch resumes from. Borrowed, may be NULL. */
const char *informer_rv(const struct informer *inf);
void informer_get_stats(const struct informer *inf, struct informer_stats *out);

#endif /* OPSDECK_INFORMER_H */
