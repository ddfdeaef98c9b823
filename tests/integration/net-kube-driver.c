/* SPDX-License-Identifier: MIT */
/* net-kube-driver.c - drives kube.c and informers against the sim for the net-*.sh tests */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/informer.h"
#include "opsdeck/json.h"
#include "opsdeck/kube.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/macros.h"
#include "opsdeck/model.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * net-kube-driver [options] COMMAND [ARG]
 *   discover              /version and discovery: VERSION, SERVES lines
 *   get PATH              one GET: GET line
 *   list RESOURCE         a paged list: PAGE lines, then LIST
 *   watch RESOURCE        one watch: OPEN, EVENT lines, then END
 *   informer RESOURCE     an informer until stdin closes or --duration: SYNCED, WATCHING,
 *                         UPSERT/REMOVE/REPLACE lines, ERROR, STATS at the end
 * Every line is flushed; STATE lines follow the connection state. The
 * server, CA and token default to $SIM_URL, $SIM_CA and $SIM_TOKEN.
 * Exit status 0 when the command's result was OK, 1 otherwise, 2 on a hang.
 */

#define STATUS_NAME(name, msg) #name,
static const char *const status_names[] = { STATUS_INFO(STATUS_NAME) };
#undef STATUS_NAME

struct opts {
    const char *server;
    const char *ca_file;
    const char *token;
    const char *token_file;
    const char *exec_cmd;
    const char *exec_api;
    const char *cert_file;
    const char *key_file;
    bool insecure;
    const char *ns;
    const char *label;
    const char *field;
    const char *rv;
    int page;
    int watch_timeout;
    int watch_idle;
    double duration;
    int advance_after_page;     /* list: advance the sim clock after this page (-1 off) */
    const char *advance_by;
    char **fallback;            /* informer: namespaces for the 403 fallback */
    size_t nfallback;
    bool quiet_events;
};

struct driver {
    struct evloop *loop;
    struct http *http;
    struct kube *kube;
    struct opts o;
    bool done;
    int rc;
    size_t total;
    bool advanced;
    struct informer *inf;
    bool last_synced, last_watching;
    char *last_error;
    char *last_rv;
    struct ev_timer *rv_timer;
    size_t objects;
};

static void out(const char *fmt, ...) ATTR_FORMAT(1, 2);

static void
out(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static const char *
sname(enum status st)
{
    return (size_t)st < ARRAY_SIZE(status_names) ? status_names[st] : "?";
}

static void
on_state(void *arg)
{
    struct driver *d = arg;

    out("STATE %s|%s|live=%lld", kube_state_name(kube_state(d->kube)),
        kube_state_detail(d->kube), (long long)kube_last_live(d->kube));
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb = { 0 };
    char buf[4096];
    size_t n;

    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(64);
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_append(&sb, buf, n);
    fclose(f);
    *len = sb.len;
    return strbuf_detach(&sb);
}

/*
 * Commands
 */

static void
discover_done(void *arg, const struct kube_result *res)
{
    struct driver *d = arg;

    out("VERSION %s simulated=%d st=%s error=%s", kube_server_version(d->kube) ?
        kube_server_version(d->kube) : "-", kube_simulated(d->kube), sname(res->st), res->error);
    for (int i = 0; i < KIND_COUNT; i++) {
        char *path = kube_path(d->kube, (enum kind)i, "ns1", NULL);

        out("SERVES %d %d %s", i, kube_serves(d->kube, (enum kind)i), path);
        free(path);
    }
    d->rc = res->st == STATUS_OK ? 0 : 1;
    d->done = true;
}

static void
get_done(void *arg, const struct kube_result *res, const char *body, size_t len)
{
    struct driver *d = arg;

    out("GET st=%s http=%ld len=%zu reason=%s error=%s", sname(res->st), res->http_status, len,
        res->reason, res->error);
    if (body && len < 2000)
        out("BODY %.*s", (int)len, body);
    d->rc = res->st == STATUS_OK ? 0 : 1;
    d->done = true;
}

static void
advance_clock(struct driver *d)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "curl -sS --max-time 10 %s%s -X POST '%s/_sim/clock?advance=%s' >/dev/null",
             d->o.ca_file ? "--cacert " : "", d->o.ca_file ? d->o.ca_file : "", d->o.server,
             d->o.advance_by);
    if (system(cmd) != 0)
        out("ADVANCE failed");
    else
        out("ADVANCED %s", d->o.advance_by);
}

static void
list_page(void *arg, const struct kube_page *page)
{
    struct driver *d = arg;
    struct json_iter it;
    uint32_t key, item;
    size_t n = 0;
    struct strbuf names = { 0 };
    struct http_stats hs;

    json_iter_init(&it, page->doc, page->items);
    while (json_iter_next(&it, &key, &item)) {
        char name[256];

        json_strcpy(page->doc, json_dig(page->doc, item, "metadata", "name", NULL), name,
                    sizeof(name));
        if (n < 3)
            strbuf_printf(&names, "%s%s", n ? "," : "", name);
        n++;
    }
    if (page->index == 0)
        d->total = 0;
    d->total += n;
    /* requested: transfers started so far; for page i that is at least i + 2
     * when the next page was asked for before this one was handed over. */
    http_stats(d->http, &hs);
    out("PAGE %u items=%zu last=%d rv=%s remaining=%lld requested=%llu first=%s", page->index,
        n, page->last, page->rv, (long long)page->remaining, (unsigned long long)hs.requests,
        strbuf_str(&names));
    strbuf_done(&names);
    if (d->o.advance_after_page >= 0 && (int)page->index == d->o.advance_after_page &&
        !d->advanced) {
        d->advanced = true;
        advance_clock(d);
    }
}

static void
list_done(void *arg, const struct kube_result *res, const char *rv)
{
    struct driver *d = arg;

    out("LIST st=%s http=%ld reason=%s rv=%s total=%zu error=%s", sname(res->st),
        res->http_status, res->reason, rv ? rv : "-", d->total, res->error);
    d->rc = res->st == STATUS_OK ? 0 : 1;
    d->done = true;
}

static const char *
watch_type_name(enum watch_type t)
{
    static const char *const names[] = { "OPEN", "ADDED", "MODIFIED", "DELETED", "BOOKMARK",
                                         "ERROR" };

    return names[t];
}

static void
watch_event(void *arg, enum watch_type type, const struct json_doc *doc, uint32_t object,
            const char *rv)
{
    char name[256] = "";

    (void)arg;
    if (doc)
        json_strcpy(doc, json_dig(doc, object, "metadata", "name", NULL), name, sizeof(name));
    out("EVENT %s %s rv=%s", watch_type_name(type), name, rv);
}

static void
watch_end(void *arg, const struct kube_result *res)
{
    struct driver *d = arg;

    out("END st=%s http=%ld reason=%s error=%s", sname(res->st), res->http_status, res->reason,
        res->error);
    d->rc = res->st == STATUS_OK ? 0 : 1;
    d->done = true;
}

/*
 * Informer
 */

static void
inf_begin(void *arg, enum kind kind, const char *ns)
{
    (void)arg;
    out("REPLACE_BEGIN %d %s", kind, ns ? ns : "-");
}

static void
inf_end(void *arg, enum kind kind, const char *ns)
{
    (void)arg;
    out("REPLACE_END %d %s", kind, ns ? ns : "-");
}

static void
inf_upsert(void *arg, struct kobj *obj)
{
    struct driver *d = arg;

    d->objects++;
    if (!d->o.quiet_events)
        out("UPSERT %s/%s rv=%s", obj->ns ? obj->ns : "-", obj->name, obj->rv ? obj->rv : "");
    kobj_free(obj);
}

static void
inf_remove(void *arg, struct kobj *obj)
{
    (void)arg;
    out("REMOVE %s/%s", obj->ns ? obj->ns : "-", obj->name);
    kobj_free(obj);
}

static void
inf_state(void *arg)
{
    struct driver *d = arg;
    bool synced = informer_synced(d->inf), watching = informer_watching(d->inf);
    const char *err = informer_error(d->inf);

    if (synced != d->last_synced)
        out("SYNCED %d", synced);
    if (watching != d->last_watching)
        out("WATCHING %d rv=%s", watching, informer_rv(d->inf) ? informer_rv(d->inf) : "-");
    if ((err == NULL) != (d->last_error == NULL) ||
        (err && d->last_error && strcmp(err, d->last_error) != 0))
        out("ERROR %s", err ? err : "-");
    d->last_synced = synced;
    d->last_watching = watching;
    free(d->last_error);
    d->last_error = err ? xstrdup(err) : NULL;
}

static char **
inf_fallback(void *arg)
{
    struct driver *d = arg;
    char **v = xcalloc(d->o.nfallback + 1, sizeof(char *));

    for (size_t i = 0; i < d->o.nfallback; i++)
        v[i] = xstrdup(d->o.fallback[i]);
    out("FALLBACK %zu", d->o.nfallback);
    return v;
}

/* Reports the resourceVersion the informer would resume from when it
 * changes (bookmarks move it without any sink call). */
static void
rv_tick(void *arg)
{
    struct driver *d = arg;
    const char *rv = informer_rv(d->inf);

    if (rv && (!d->last_rv || strcmp(rv, d->last_rv) != 0)) {
        out("RV %s", rv);
        free(d->last_rv);
        d->last_rv = xstrdup(rv);
    }
    ev_timer_arm(d->rv_timer, 50);
}

static void
print_stats(struct driver *d)
{
    struct informer_stats st;
    struct http_stats hs;

    informer_get_stats(d->inf, &st);
    http_stats(d->http, &hs);
    out("STATS lists=%u relists=%u pages=%u watches=%u events=%u bookmarks=%u errors=%u "
        "objects=%zu requests=%llu bytes_in=%llu",
        st.lists, st.relists, st.pages, st.watches, st.events, st.bookmarks, st.errors,
        d->objects, (unsigned long long)hs.requests, (unsigned long long)hs.bytes_in);
}

/*
 * Main
 */

static void
usage(void)
{
    fprintf(stderr, "usage: net-kube-driver [options] discover|get PATH|list RES|watch RES|"
                    "informer RES\n");
    exit(64);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "server", required_argument, NULL, 's' }, { "ca", required_argument, NULL, 'c' },
        { "token", required_argument, NULL, 't' }, { "no-token", no_argument, NULL, 'T' },
        { "token-file", required_argument, NULL, 'f' }, { "exec", required_argument, NULL, 'e' },
        { "exec-api", required_argument, NULL, 'E' }, { "cert", required_argument, NULL, 'C' },
        { "key", required_argument, NULL, 'K' }, { "insecure", no_argument, NULL, 'i' },
        { "ns", required_argument, NULL, 'n' }, { "label", required_argument, NULL, 'l' },
        { "field", required_argument, NULL, 'F' }, { "rv", required_argument, NULL, 'r' },
        { "page", required_argument, NULL, 'p' },
        { "watch-timeout", required_argument, NULL, 'w' },
        { "watch-idle", required_argument, NULL, 'I' },
        { "duration", required_argument, NULL, 'd' },
        { "advance-after-page", required_argument, NULL, 'a' },
        { "advance-by", required_argument, NULL, 'b' },
        { "fallback", required_argument, NULL, 'B' },
        { "quiet", no_argument, NULL, 'q' }, { NULL, 0, NULL, 0 },
    };
    struct driver d = { .rc = 1 };
    struct kube_target t = { 0 };
    struct kube_exec ex = { 0 };
    struct kube_opts ko = { 0 };
    struct vec fallback;
    const char *cmd, *arg = NULL;
    enum kind kind = KIND_POD;
    struct kube_op *op = NULL;
    int64_t deadline;
    int c;
    bool stdin_open = true;

    vec_init(&fallback, NULL);
    d.o.server = getenv("SIM_URL");
    d.o.ca_file = getenv("SIM_CA") && *getenv("SIM_CA") ? getenv("SIM_CA") : NULL;
    d.o.token = getenv("SIM_TOKEN") && *getenv("SIM_TOKEN") ? getenv("SIM_TOKEN") : NULL;
    d.o.advance_after_page = -1;
    d.o.advance_by = "3600";
    d.o.duration = 30;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 's': d.o.server = optarg; break;
        case 'c': d.o.ca_file = *optarg ? optarg : NULL; break;
        case 't': d.o.token = optarg; break;
        case 'T': d.o.token = NULL; break;
        case 'f': d.o.token_file = optarg; d.o.token = NULL; break;
        case 'e': d.o.exec_cmd = optarg; d.o.token = NULL; break;
        case 'E': d.o.exec_api = optarg; break;
        case 'C': d.o.cert_file = optarg; break;
        case 'K': d.o.key_file = optarg; break;
        case 'i': d.o.insecure = true; break;
        case 'n': d.o.ns = optarg; break;
        case 'l': d.o.label = optarg; break;
        case 'F': d.o.field = optarg; break;
        case 'r': d.o.rv = optarg; break;
        case 'p': d.o.page = atoi(optarg); break;
        case 'w': d.o.watch_timeout = atoi(optarg); break;
        case 'I': d.o.watch_idle = atoi(optarg); break;
        case 'd': d.o.duration = atof(optarg); break;
        case 'a': d.o.advance_after_page = atoi(optarg); break;
        case 'b': d.o.advance_by = optarg; break;
        case 'B': vec_push(&fallback, optarg); break;
        case 'q': d.o.quiet_events = true; break;
        default: usage();
        }
    }
    if (optind >= argc || !d.o.server)
        usage();
    cmd = argv[optind++];
    if (optind < argc)
        arg = argv[optind++];
    d.o.fallback = (char **)fallback.items;
    d.o.nfallback = fallback.len;

    signal(SIGPIPE, SIG_IGN);
    t.server = (char *)(uintptr_t)d.o.server;
    if (d.o.ca_file)
        t.ca_pem = read_file(d.o.ca_file, &t.ca_len);
    if (d.o.cert_file)
        t.cert_pem = read_file(d.o.cert_file, &t.cert_len);
    if (d.o.key_file)
        t.key_pem = read_file(d.o.key_file, &t.key_len);
    t.insecure = d.o.insecure;
    t.token = (char *)(uintptr_t)d.o.token;
    t.token_file = (char *)(uintptr_t)d.o.token_file;
    if (d.o.exec_cmd) {
        ex.api_version = (char *)(uintptr_t)(d.o.exec_api ? d.o.exec_api
                                                           : "client.authentication.k8s.io/v1");
        ex.command = (char *)(uintptr_t)d.o.exec_cmd;
        ex.interactive_mode = (char *)(uintptr_t)"Never";
        t.exec = &ex;
    }
    ko.page_size = d.o.page;
    ko.watch_timeout_s = d.o.watch_timeout;
    ko.watch_idle_s = d.o.watch_idle;

    d.loop = evloop_new();
    d.http = http_new(d.loop);
    d.kube = kube_new(d.loop, d.http, &t, &ko);
    kube_on_state(d.kube, on_state, &d);
    if (arg && !kind_parse(arg, &kind) && strcmp(cmd, "get") != 0) {
        fprintf(stderr, "unknown resource %s\n", arg);
        return 64;
    }
    {
        struct kube_selectors sel = { .label = d.o.label, .field = d.o.field };
        struct informer_opts io = { .ns = d.o.ns, .label_selector = d.o.label,
                                    .field_selector = d.o.field,
                                    .fallback_namespaces = fallback.len ? inf_fallback : NULL,
                                    .fallback_arg = &d };
        struct informer_sink sink = { inf_begin, inf_end, inf_upsert, inf_remove, inf_state, &d };

        if (strcmp(cmd, "discover") == 0)
            op = kube_discover(d.kube, discover_done, &d);
        else if (strcmp(cmd, "get") == 0 && arg)
            op = kube_get(d.kube, arg, get_done, &d);
        else if (strcmp(cmd, "list") == 0 && arg)
            op = kube_list(d.kube, kind, d.o.ns, &sel, list_page, list_done, &d);
        else if (strcmp(cmd, "watch") == 0 && arg)
            op = kube_watch(d.kube, kind, d.o.ns, &sel, d.o.rv, watch_event, watch_end, &d);
        else if (strcmp(cmd, "informer") == 0 && arg) {
            d.inf = informer_new(d.kube, kind, &io, &sink);
            informer_start(d.inf);
            d.rv_timer = ev_timer_new(d.loop, rv_tick, &d);
            ev_timer_arm(d.rv_timer, 50);
        } else
            usage();
    }
    (void)op;

    deadline = clock_mono_ms() + (int64_t)(d.o.duration * 1000);
    while (!d.done) {
        struct pollfd fds[256];
        int timeout;
        size_t n = evloop_prepare(d.loop, fds, 255, &timeout);
        int64_t left = deadline - clock_mono_ms();

        if (left <= 0) {
            if (!d.inf) {
                out("TIMEOUT");
                d.rc = 2;
            }
            break;
        }
        if (timeout < 0 || timeout > left)
            timeout = (int)left;
        /* The informer runs until its stdin closes (the test says stop). */
        if (d.inf && stdin_open) {
            fds[n].fd = STDIN_FILENO;
            fds[n].events = POLLIN;
            fds[n].revents = 0;
        }
        if (poll(fds, n + (d.inf && stdin_open), timeout) < 0 && errno != EINTR)
            break;
        if (d.inf && stdin_open && fds[n].revents) {
            char buf[256];
            ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));

            if (r <= 0) {
                stdin_open = false;
                break;
            }
        }
        evloop_dispatch(d.loop, fds, n);
    }
    if (d.inf) {
        print_stats(&d);
        d.rc = informer_synced(d.inf) ? 0 : 1;
        informer_free(d.inf);
        ev_timer_free(d.rv_timer);
    }
    kube_free(d.kube);
    http_free(d.http);
    evloop_free(d.loop);
    free(t.ca_pem);
    free(t.cert_pem);
    free(t.key_pem);
    free(d.last_error);
    free(d.last_rv);
    vec_done(&fallback);
    return d.rc;
}
