/* SPDX-License-Identifier: MIT */
/* podlog.h - a pod's log from the API server (the fallback when Loki is absent) */
#ifndef OPSDECK_PODLOG_H
#define OPSDECK_PODLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "opsdeck/loki.h"

struct kube;

/*
 * Streams GET /api/v1/namespaces/NS/pods/NAME/log?container=C&follow=true
 * &tailLines=N&timestamps=true through kube_stream, splits the body into
 * lines, reads each line's RFC 3339 timestamp prefix, and delivers them in
 * Loki's batch shape (loki.h), oldest first, so the logs pane does not care
 * where they came from (its title says "from the API server"). Every entry
 * carries one stream: {namespace, pod, container} (plus app when given),
 * owned by the podlog and valid until podlog_free. A line without a
 * readable timestamp gets the previous line's.
 */
struct podlog;

struct podlog_opts {
    const char *ns;        /* copied */
    const char *pod;       /* copied */
    const char *container; /* NULL: the pod's only (or default) container */
    const char *app;       /* optional, for the stream's labels; copied */
    long tail_lines;       /* 0: 1000; < 0: the whole log */
    int64_t since_ns;      /* > 0: sinceTime (overrides tail_lines when set) */
    bool follow;           /* keep the stream open */
    bool previous;         /* the previous container's log */
    size_t max_line;       /* 0: 1 MiB; longer lines are cut there */
};

/* done: st OK when the server ended the log (not following, or the
 * container stopped), else the kube error line ("404 NotFound: pods \"x\"
 * not found") in error[]. entries counts what was delivered. Never NULL. */
struct podlog *podlog_start(struct kube *k, const struct podlog_opts *opts, loki_batch_cb batch,
                            loki_done_cb done, void *arg);
/* Stops (no callbacks afterwards) and frees. Safe from inside its
 * callbacks. NULL is a no-op. */
void podlog_free(struct podlog *p);
/* "GET /api/v1/namespaces/NS/pods/NAME/log?..." path for opts; caller frees. */
char *podlog_path(const struct podlog_opts *opts);

#endif /* OPSDECK_PODLOG_H */
