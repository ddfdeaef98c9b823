/* SPDX-License-Identifier: MIT */
/* podlog-tool.c - prints a pod's log through podlog (the Loki fallback) for cli-logs-proxy.sh */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/kube.h"
#include "opsdeck/podlog.h"
#include "opsdeck/setup.h"
#include "opsdeck/status.h"
#include "opsdeck/xalloc.h"

/*
 * podlog-tool KUBECONFIG NS POD TAIL: one "ts {labels} line" per entry, then "done OK" or
 * "done <error line>"; exit 0 when the log ended cleanly, else 1.
 */

static bool
on_batch(void *arg, const struct loki_batch *b)
{
    (void)arg;
    for (size_t i = 0; i < b->n; i++)
        printf("%" PRId64 " %s %.*s\n", b->entries[i].ts, b->entries[i].stream->text,
               (int)b->entries[i].len, b->entries[i].line);
    return true;
}

/* The loop's end: on_done set rc (it starts at -1). */
static bool
ended(void *arg)
{
    return *(const int *)arg >= 0;
}

static void
on_done(void *arg, const struct loki_result *res)
{
    int *rc = arg;

    printf("done %s\n", res->st == STATUS_OK ? "OK" : res->error);
    *rc = res->st == STATUS_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
    struct setup_opts so = {0};
    struct setup s;
    struct evloop *loop;
    struct http *http;
    struct kube *kube;
    struct podlog *p;
    int rc = -1;

    if (argc != 5) {
        fputs("usage: podlog-tool KUBECONFIG NS POD TAIL\n", stderr);
        return 2;
    }
    so.kubeconfig = argv[1];
    if (setup_load(&so, &s) != STATUS_OK || !s.target) {
        fprintf(stderr, "podlog-tool: %s\n", s.error ? s.error : status_text());
        setup_done(&s);
        return 1;
    }
    loop = evloop_new();
    http = http_new(loop);
    kube = kube_new(loop, http, s.target, &s.kube_opts);
    p = podlog_start(
        kube, &(struct podlog_opts){.ns = argv[2], .pod = argv[3], .tail_lines = atol(argv[4])},
        on_batch, on_done, &rc);
    evloop_run_until(loop, ended, &rc, 0);
    podlog_free(p);
    kube_free(kube);
    http_free(http);
    evloop_free(loop);
    setup_done(&s);
    return rc == 0 ? 0 : 1;
}
