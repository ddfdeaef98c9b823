/* SPDX-License-Identifier: MIT */
/* cli_logs.c - `opsdeck logs QUERY`: a range of Loki's lines, oldest first, and -f to follow */
#include "config.h"

#include "opsdeck/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/json.h"
#include "opsdeck/kube.h"
#include "opsdeck/loki.h"
#include "opsdeck/platform.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/setup.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/upstream.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * The range is fetched newest first (backward), so that over --limit
 * matches the newest are the ones kept, with pages of Loki's maximum; the
 * lines are kept and printed oldest first once the last page is in. To a
 * terminal every line is sanitised (escape sequences inert); to a pipe or
 * a file the bytes go out as Loki sent them.
 */

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

bool
cli_parse_time(const char *s, int64_t *out_ns)
{
    size_t n = strlen(s);

    if (n > 0 && strspn(s, "0123456789") == n) {
        char *end;
        long long v;

        if (n > 19)
            return false;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || *end)
            return false;
        *out_ns = (int64_t)v;
        return true;
    }
    return time_parse_rfc3339(s, out_ns);
}

struct kept {
    int64_t ts;
    const struct loki_labels *stream;
    size_t off;
    size_t len;
};

struct logs_run {
    const struct cli_logs_opts *o;
    struct evloop *loop;
    FILE *out;
    bool tty;
    unsigned sflags;
    struct strbuf line;     /* one output line being built */
    struct vec labels_json; /* by stream id - 1: the labels as a JSON object (owned) */
    struct kept *kept;
    size_t n, cap;
    struct strbuf arena;
    bool done;
    bool write_failed;
    struct loki_result res;
    int64_t newest; /* newest timestamp printed */
    const bool *until; /* run_loop: what it waits for */
};

static const char *
labels_json(struct logs_run *r, const struct loki_labels *ls)
{
    size_t i = ls->id - 1;

    while (r->labels_json.len <= i)
        vec_push(&r->labels_json, NULL);
    if (!r->labels_json.items[i]) {
        struct strbuf sb = {0};
        struct jsonw w;

        jsonw_init(&w, &sb, false);
        jsonw_obj_begin(&w);
        for (size_t k = 0; k < ls->n; k++) {
            jsonw_key(&w, ls->keys[k]);
            jsonw_str(&w, ls->values[k]);
        }
        jsonw_obj_end(&w);
        r->labels_json.items[i] = strbuf_detach(&sb);
    }
    return r->labels_json.items[i];
}

/* Output goes out in chunks of about this size (one write per chunk, not
 * one stdio call per line). */
#define OUT_CHUNK 65536

/* Writes what print_entry gathered and flushes stdout. */
static void
flush_out(struct logs_run *r)
{
    if (r->line.len && !r->write_failed &&
        fwrite(r->line.buf, 1, r->line.len, r->out) != r->line.len)
        r->write_failed = true;
    strbuf_reset(&r->line);
    if (!r->write_failed && fflush(r->out) != 0)
        r->write_failed = true;
}

/* Adds one entry to the output (written by chunks; flush_out ends it). */
static void
print_entry(struct logs_run *r, int64_t ts, const struct loki_labels *ls, const char *s, size_t len)
{
    struct strbuf *b = &r->line;

    if (r->write_failed)
        return;
    if (r->o->jsonl) {
        strbuf_printf(b, "{\"ts\":\"%" PRId64 "\",\"labels\":%s,\"line\":", ts, labels_json(r, ls));
        json_escape(b, s, len);
        strbuf_puts(b, "}\n");
    } else if (r->tty) {
        sanitize_append(b, s, len, r->sflags);
        strbuf_putc(b, '\n');
    } else {
        strbuf_append(b, s, len);
        strbuf_putc(b, '\n');
    }
    if (b->len >= OUT_CHUNK) {
        if (fwrite(b->buf, 1, b->len, r->out) != b->len)
            r->write_failed = true;
        strbuf_reset(b);
    }
    if (ts > r->newest)
        r->newest = ts;
}

static bool
on_range_batch(void *arg, const struct loki_batch *b)
{
    struct logs_run *r = arg;

    r->kept = xgrow(r->kept, &r->cap, r->n + b->n, sizeof(*r->kept));
    for (size_t i = 0; i < b->n; i++) {
        const struct loki_entry *e = &b->entries[i];
        struct kept *k = &r->kept[r->n++];

        k->ts = e->ts;
        k->stream = e->stream;
        k->off = r->arena.len;
        k->len = e->len;
        strbuf_append(&r->arena, e->line, e->len);
    }
    return !interrupted;
}

static void
on_range_done(void *arg, const struct loki_result *res)
{
    struct logs_run *r = arg;

    r->res = *res;
    r->done = true;
}

static bool
on_follow_batch(void *arg, const struct loki_batch *b)
{
    struct logs_run *r = arg;

    for (size_t i = 0; i < b->n; i++)
        print_entry(r, b->entries[i].ts, b->entries[i].stream, b->entries[i].line,
                    b->entries[i].len);
    flush_out(r);
    return !r->write_failed;
}

static void
say_error(const char *what, const char *text)
{
    char *clean = sanitize_str(text, sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII, NULL);

    fprintf(stderr, "opsdeck: %s%s\n", what, clean);
    free(clean);
}

static void
on_follow_status(void *arg, const struct loki_result *res)
{
    (void)arg;
    if (res->st != STATUS_OK)
        say_error("", res->error[0] ? res->error : status_message(res->st));
    else
        fputs("opsdeck: Loki answers again\n", stderr);
}

static bool
run_over(void *arg)
{
    const struct logs_run *r = arg;

    return *r->until || interrupted || r->write_failed;
}

/* Serves the loop until *flag, Ctrl-C, or a failed write. */
static void
run_loop(struct logs_run *r, const bool *flag)
{
    r->until = flag;
    evloop_run_until(r->loop, run_over, r, 0);
}

int
cli_logs(struct setup *s, const struct cli_logs_opts *o)
{
    struct logs_run r = {.o = o};
    struct http *http = NULL;
    struct kube *kube = NULL;
    struct upstream *up = NULL;
    struct loki *loki = NULL;
    struct loki_op *op;
    struct loki_follow *follow = NULL;
    struct sigaction sa = {0};
    int64_t now = clock_now_ns();
    struct loki_range_opts ro = {
        .query = o->query,
        .direction = LOKI_BACKWARD,
        .limit = (size_t)o->limit,
    };
    int rc = 0;
    bool never = false;

    signal(SIGPIPE, SIG_IGN);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    ro.end_ns = o->to_ns ? o->to_ns : now;
    ro.start_ns = o->from_ns ? o->from_ns : ro.end_ns - o->since_s * NS_PER_SEC;

    r.out = stdout;
    r.tty = isatty(STDOUT_FILENO);
    r.sflags = sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII;
    vec_init(&r.labels_json, free);
    r.loop = evloop_new();
    http = http_new(r.loop);
    if (s->platform->loki.service && s->target)
        kube = kube_new(r.loop, http, s->target, &s->kube_opts);
    up = upstream_new(r.loop, http,
                      &(struct upstream_opts){
                          .name = "Loki",
                          .ep = &s->platform->loki,
                          .kube = kube,
                          .timeout_ms = s->kube_opts.request_timeout_ms,
                      });
    if (!upstream_configured(up)) {
        fputs("opsdeck: Loki is not configured: set loki in the platform definition or give "
              "--loki URL\n",
              stderr);
        rc = 1;
        goto out;
    }
    loki = loki_new(r.loop, up, NULL);
    op = loki_range(loki, &ro, on_range_batch, on_range_done, &r);
    run_loop(&r, &r.done);
    if (!r.done) {
        loki_op_cancel(op);
        rc = interrupted ? 130 : 1;
        goto out;
    }
    if (r.res.st != STATUS_OK && r.res.st != STATUS_CANCELLED) {
        say_error("", r.res.error[0] ? r.res.error : status_message(r.res.st));
        rc = 1;
        goto out;
    }
    if (r.res.warning[0])
        say_error("warning: ", r.res.warning);
    for (size_t i = r.n; i-- > 0;)
        print_entry(&r, r.kept[i].ts, r.kept[i].stream, r.arena.buf + r.kept[i].off, r.kept[i].len);
    flush_out(&r);
    if (interrupted)
        rc = 130;
    if (!o->follow || r.write_failed || interrupted)
        goto out;

    /* Follow from just after the newest line printed (or the range's end). */
    follow = loki_follow_new(loki,
                             &(struct loki_follow_opts){
                                 .query = o->query,
                                 .start_ns = r.newest ? r.newest + 1 : ro.end_ns,
                                 .interval_ms = o->interval_ms,
                             },
                             on_follow_batch, on_follow_status, &r);
    run_loop(&r, &never);
    rc = 0;

out:
    loki_follow_free(follow);
    loki_free(loki);
    upstream_free(up);
    kube_free(kube);
    http_free(http);
    evloop_free(r.loop);
    vec_done(&r.labels_json);
    strbuf_done(&r.line);
    strbuf_done(&r.arena);
    free(r.kept);
    /* A reader that went away ends a command like `logs … | head`: not an
     * error. */
    return rc;
}
