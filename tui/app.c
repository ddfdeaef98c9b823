/* SPDX-License-Identifier: MIT */
/* app.c - the console: a session per context, the panes, the header, the loop */
#include "config.h"

#include "opsdeck/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/cluster.h"
#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/log.h"
#include "opsdeck/macros.h"
#include "opsdeck/platform.h"
#include "opsdeck/prom.h"
#include "opsdeck/session.h"
#include "opsdeck/setup.h"
#include "opsdeck/store.h"
#include "opsdeck/tenant.h"
#include "opsdeck/ui.h"
#include "opsdeck/upstream.h"
#include "opsdeck/vec.h"
#include "opsdeck/views.h"
#include "opsdeck/xalloc.h"

#define VIEW_OPS_PTR(id, name) [VIEW_ID_##id] = &name##_view_ops,
const struct view_ops *const views[] = { VIEW_INFO(VIEW_OPS_PTR) };
#undef VIEW_OPS_PTR

/* Keys the app adds to the default keymap. */
static const char app_keymap[] =
    "bind generic <F2> :ctx\n";

struct app {
    struct setup *setup;
    struct evloop *loop;
    struct http *http;
    struct session *session;       /* NULL without a usable context */
    struct cluster *empty;         /* what the panes see without a session */
    struct tenants *empty_tenants;
    struct ui *ui;
    struct ev_timer *tick;
    int refresh_ms;
    bool utc;
    struct upstream *loki;         /* never NULL (maybe unconfigured) */
    struct upstream *prom;
    struct ev_timer *probe;        /* asks an upstream that is not live again */
    struct prom_alerts_poller *alerts; /* the header's firing count; NULL without Prometheus */
    struct ui_header header;
    struct ui_source sources[4];   /* API, then Loki, Prometheus and its alerts when configured */
    char api_text[320];
    char loki_text[320];
    char prom_text[320];
    char alerts_text[64];
    size_t log_ring_bytes;         /* OPSDECK_LOG_RING_MB, 0: the ring's default */
};

/* How often the header's alert count is asked for. */
#define ALERTS_PERIOD_S 30

#define PROBE_MS 30000

/*
 * For the panes
 */

struct cluster *
app_cluster(struct app *app)
{
    return app->session ? session_cluster(app->session) : app->empty;
}

struct tenants *
app_tenants(struct app *app)
{
    return app->session ? session_tenants(app->session) : app->empty_tenants;
}

const struct conventions *
app_conventions(struct app *app)
{
    return &app->setup->platform->conv;
}

struct kube *
app_kube(struct app *app)
{
    return app->session ? session_kube(app->session) : NULL;
}

struct upstream *
app_loki(struct app *app)
{
    return app->loki;
}

struct upstream *
app_prometheus(struct app *app)
{
    return app->prom;
}

size_t
app_log_ring_bytes(struct app *app)
{
    return app->log_ring_bytes;
}

/* OPSDECK_LOG_RING_MB: 1 .. 65536 MiB. A bad value is reported (and the
 * default kept), never silently ignored. */
static void
read_log_ring_env(struct app *app)
{
    const char *env = getenv("OPSDECK_LOG_RING_MB");
    char *end;
    unsigned long mb;

    if (!env)
        return;
    errno = 0;
    mb = strtoul(env, &end, 10);
    if (errno || end == env || *end || mb < 1 || mb > 65536) {
        ui_report(app->ui, UI_WARNING,
                  "OPSDECK_LOG_RING_MB=%s: not a size in MiB (1-65536); the logs pane keeps 64",
                  env);
        return;
    }
    app->log_ring_bytes = (size_t)mb << 20;
}

struct store *
app_store(struct app *app)
{
    return app->setup->store;
}

struct evloop *
app_loop(struct app *app)
{
    return app->loop;
}

int64_t
app_now(struct app *app)
{
    struct kube *k = app_kube(app);

    return k && kube_last_live(k) ? kube_now(k) : clock_now();
}

bool
app_utc(struct app *app)
{
    return app->utc;
}

const struct kubeconfig *
app_kubeconfig(struct app *app)
{
    return app->setup->kc;
}

const char *
app_context(struct app *app)
{
    return app->setup->target ? app->setup->target->context : NULL;
}

/*
 * Header
 */

/* "7 min ago", "45 s ago", "3 h ago", "2 d ago". */
static void
ago_text(int64_t seconds, char *buf, size_t size)
{
    if (seconds < 60)
        snprintf(buf, size, "%lld s ago", (long long)(seconds < 0 ? 0 : seconds));
    else if (seconds < 3600)
        snprintf(buf, size, "%lld min ago", (long long)(seconds / 60));
    else if (seconds < 2 * 86400)
        snprintf(buf, size, "%lld h ago", (long long)(seconds / 3600));
    else
        snprintf(buf, size, "%lld d ago", (long long)(seconds / 86400));
}

/* " · data from 03:05 (7 min ago)", or "" when there is nothing cached. */
static void
data_age_text(struct app *app, const struct session_status *st, char *buf, size_t size)
{
    char clock[32], ago[32];
    int64_t now = clock_now();

    buf[0] = '\0';
    if (!st->have_data || !st->data_time)
        return;
    time_format_clock(st->data_time, now, app->utc, clock, sizeof(clock));
    ago_text(now - st->data_time, ago, sizeof(ago));
    snprintf(buf, size, " · data from %s (%s)", clock, ago);
}

/* The header item of Loki or Prometheus: its state, and the reason when
 * it is not live. */
static void
upstream_text(struct upstream *u, struct ui_source *src, char *buf, size_t size)
{
    enum upstream_state st = upstream_state(u);
    const char *detail = upstream_state_detail(u);

    src->name = upstream_name(u);
    src->text = buf;
    switch (st) {
    case UPSTREAM_LIVE:
        src->severity = UI_OK;
        snprintf(buf, size, "live");
        break;
    case UPSTREAM_UNCONFIGURED:
    case UPSTREAM_CONNECTING:
        src->severity = UI_WARNING;
        snprintf(buf, size, "%s", upstream_state_name(st));
        break;
    case UPSTREAM_OFFLINE:
        src->severity = UI_WARNING;
        snprintf(buf, size, "offline%s%s", *detail ? " · " : "", detail);
        break;
    default:
        src->severity = UI_ERROR;
        snprintf(buf, size, "%s", *detail ? detail : upstream_state_name(st));
        break;
    }
}

/* The header item of Prometheus's alerts: how many fire, red when one of
 * them is critical. */
static void
alerts_text(const struct prom_alerts *a, struct ui_source *src, char *buf, size_t size)
{
    bool critical = false;

    for (size_t i = 0; i < a->len; i++)
        critical |= strcmp(a->items[i].state, "firing") == 0 && a->items[i].severity &&
                    strcmp(a->items[i].severity, "critical") == 0;
    src->name = "Alerts";
    src->text = buf;
    src->severity = critical ? UI_ERROR : a->firing ? UI_WARNING : UI_OK;
    snprintf(buf, size, "%zu firing", a->firing);
}

static void
update_header(struct app *app)
{
    const struct platform *p = app->setup->platform;
    const struct kube_target *t = app->setup->target;
    struct session_status st;
    char age[128];

    app->header.platform = p->name;
    app->header.context = t ? t->context : app->setup->context;
    app->header.production = p->production;
    app->header.readonly = p->readonly;
    app->header.sources = app->sources;
    app->header.nsources = 1;
    app->sources[0].name = "API";
    app->sources[0].text = app->api_text;
    if (upstream_configured(app->loki))
        upstream_text(app->loki, &app->sources[app->header.nsources++], app->loki_text,
                      sizeof(app->loki_text));
    if (upstream_configured(app->prom))
        upstream_text(app->prom, &app->sources[app->header.nsources++], app->prom_text,
                      sizeof(app->prom_text));
    if (app->alerts && prom_alerts_poller_alerts(app->alerts))
        alerts_text(prom_alerts_poller_alerts(app->alerts),
                    &app->sources[app->header.nsources++], app->alerts_text,
                    sizeof(app->alerts_text));
    if (!app->session) {
        app->header.server_version = NULL;
        app->header.simulated = false;
        app->sources[0].severity = UI_ERROR;
        snprintf(app->api_text, sizeof(app->api_text), "no cluster: %s",
                 app->setup->error ? app->setup->error : "no context");
        ui_set_header(app->ui, &app->header);
        return;
    }
    session_status(app->session, &st);
    app->header.server_version = st.server_version;
    app->header.simulated = st.simulated;
    data_age_text(app, &st, age, sizeof(age));
    switch (st.api) {
    case KUBE_LIVE:
        if (st.detail && *st.detail) {
            /* Live, but some kind cannot be loaded: the reason, not "loading". */
            app->sources[0].severity = UI_WARNING;
            snprintf(app->api_text, sizeof(app->api_text), "live · %s", st.detail);
            break;
        }
        app->sources[0].severity = UI_OK;
        snprintf(app->api_text, sizeof(app->api_text), "%s",
                 st.synced ? "live" : "live · loading");
        break;
    case KUBE_CONNECTING:
        app->sources[0].severity = UI_WARNING;
        snprintf(app->api_text, sizeof(app->api_text), "connecting%s", age);
        break;
    case KUBE_OFFLINE:
        app->sources[0].severity = UI_WARNING;
        snprintf(app->api_text, sizeof(app->api_text), "offline%s", age);
        break;
    default: {
        const char *name = kube_state_name(st.api), *detail = st.detail ? st.detail : "";
        /* "401 Unauthorized: …" already names the state: not "401: 401 Unauthorized: …". */
        bool named = strncmp(detail, name, strlen(name)) == 0;

        app->sources[0].severity = UI_ERROR;
        snprintf(app->api_text, sizeof(app->api_text), "%s%s%s%s", named ? "" : name,
                 *detail && !named ? ": " : "", detail, age);
        break;
    }
    }
    ui_set_header(app->ui, &app->header);
}

static void
on_session_status(void *arg)
{
    struct app *app = arg;

    if (app->ui)
        update_header(app);
}

static void
on_tick(void *arg)
{
    struct app *app = arg;

    update_header(app);
    ev_timer_arm(app->tick, app->refresh_ms);
}

/*
 * Loki and Prometheus
 */

static void
probed(void *arg, const struct upstream_response *resp)
{
    (void)arg;
    (void)resp;                 /* the state moved; on_upstream_state repaints */
}

/* Asks each configured upstream that is not live whether it answers: at
 * start, and every PROBE_MS while one is not (a live one is not polled:
 * the panes' own requests keep its state current). */
static void
on_probe(void *arg)
{
    struct app *app = arg;
    struct upstream *ups[2] = { app->loki, app->prom };
    static const char *const ready[2] = { "/ready", "/-/ready" };
    bool again = false;

    for (size_t i = 0; i < 2; i++) {
        if (!upstream_configured(ups[i]) || upstream_state(ups[i]) == UPSTREAM_LIVE)
            continue;
        if (upstream_pending(ups[i]) == 0)
            upstream_get(ups[i], ready[i], probed, app);
        again = true;
    }
    if (again)
        ev_timer_arm(app->probe, PROBE_MS);
}

static void
on_upstream_state(void *arg)
{
    struct app *app = arg;

    if (app->ui)
        update_header(app);
    if (!ev_timer_armed(app->probe))
        ev_timer_arm(app->probe, PROBE_MS);
}

static void
on_alerts(void *arg)
{
    struct app *app = arg;

    if (app->ui)
        update_header(app);
}

static struct upstream *
make_upstream(struct app *app, const char *name, const struct endpoint *ep)
{
    struct upstream *u = upstream_new(app->loop, app->http,
                                      &(struct upstream_opts){
                                          .name = name,
                                          .ep = ep,
                                          .kube = app_kube(app),
                                          .timeout_ms = app->setup->kube_opts.request_timeout_ms,
                                      });

    upstream_on_state(u, on_upstream_state, app);
    return u;
}

/* Loki and Prometheus for the current session (a service endpoint goes
 * through its API server). The old ones are the caller's to free, after
 * the panes using them are closed. */
static void
make_upstreams(struct app *app)
{
    app->loki = make_upstream(app, "Loki", &app->setup->platform->loki);
    app->prom = make_upstream(app, "Prometheus", &app->setup->platform->prometheus);
    app->alerts = NULL;
    if (upstream_configured(app->prom)) {
        app->alerts = prom_alerts_poller_new(app->prom, app->loop, ALERTS_PERIOD_S);
        prom_alerts_poller_observe(app->alerts, on_alerts, app);
    }
    ev_timer_arm(app->probe, 0);
}

/*
 * Sessions and contexts
 */

static struct session *
make_session(struct app *app)
{
    struct session *s;

    if (!app->setup->target)
        return NULL;
    s = session_new(&(struct session_opts){
        .loop = app->loop,
        .http = app->http,
        .store = app->setup->store,
        .target = app->setup->target,
        .conv = &app->setup->platform->conv,
        .kube_opts = &app->setup->kube_opts,
    });
    session_on_status(s, on_session_status, app);
    session_start(s);
    return s;
}

/* Switches to context name: the new session loads its cache at once (so
 * this works while the API is unreachable), every pane reopens on it, then
 * the old session goes. */
enum status
app_switch_context(struct app *app, const char *name)
{
    struct session *old = app->session;
    struct upstream *old_loki = app->loki, *old_prom = app->prom;
    struct prom_alerts_poller *old_alerts = app->alerts;

    if (setup_use_context(app->setup, name) != STATUS_OK)
        return STATUS_CONFIG;
    app->session = make_session(app);
    make_upstreams(app);
    ui_open(app->ui, "nodes", NULL, UI_OPEN_ROOT);
    prom_alerts_poller_free(old_alerts);
    upstream_free(old_loki);
    upstream_free(old_prom);
    session_free(old);
    update_header(app);
    ui_report(app->ui, UI_OK, "context %s (%s)", name, app->setup->target->server);
    return STATUS_OK;
}

static enum status
cmd_ctx(struct ui *ui, const char *args, void *arg)
{
    struct app *app = arg;

    if (!*args)
        return ui_open(ui, "contexts", NULL, UI_OPEN_PUSH);
    return app_switch_context(app, args);
}

/* The contexts pane calls this through the :ctx command. */
static const char *const ctx_aliases[] = { "context", NULL };

/* For test scripts: nothing is loading, neither the informers' first
 * lists nor a pane's own request (an object's events or YAML). */
static bool
app_settled(void *arg)
{
    struct app *app = arg;
    struct kube *k = app_kube(app);

    /* Loki and Prometheus answers count too (a pane's range fetch, a
     * follow poll in flight): test scripts read their lines only after */
    return (!app->session || (session_settled(app->session) && (!k || kube_pending(k) == 0))) &&
           upstream_pending(app_loki(app)) == 0 && upstream_pending(app_prometheus(app)) == 0;
}

static char **
history_load(void *arg, const char *prompt, size_t max)
{
    struct app *app = arg;

    return app->setup->store ? store_history(app->setup->store, prompt, max) : NULL;
}

static void
history_add(void *arg, const char *prompt, const char *line)
{
    struct app *app = arg;

    if (app->setup->store && store_history_add(app->setup->store, prompt, line) != STATUS_OK)
        log_warn("history: %s", status_text());
}

/* The theme option: a name under the config dir's themes/, or a path. */
static char *
theme_path(const struct setup *s, const char *theme)
{
    if (!theme || strcmp(theme, "default") == 0)
        return NULL;
    if (strchr(theme, '/'))
        return xstrdup(theme);
    return xasprintf("%s/%s.theme", s->paths.theme_dir, theme);
}

int
console_run(struct setup *s, const struct console_opts *opts)
{
    struct app app = { .setup = s };
    char *theme;
    int rc;

    app.utc = opts->utc || s->platform->utc;
    app.refresh_ms = 1000 * (opts->refresh_s ? opts->refresh_s
                                             : (s->platform->refresh_s ? s->platform->refresh_s
                                                                       : 2));
    app.loop = evloop_new();
    app.http = http_new(app.loop);
    /* Without a usable context the panes still open, on nothing. */
    app.empty = cluster_new();
    app.empty_tenants = tenants_new(app.empty, &s->platform->conv);
    if (setup_open_store(s) != STATUS_OK)
        log_warn("cache and state unavailable: %s", status_text());

    theme = theme_path(s, opts->theme ? opts->theme : s->platform->theme);
    if (ui_new(&(struct ui_options){ .loop = app.loop,
                                     .app = &app,
                                     .no_color = opts->no_color,
                                     .theme_file = theme,
                                     .keymap_file = s->paths.keymap_file,
                                     .utc = app.utc,
                                     .refresh_ms = app.refresh_ms,
                                     .iterations = opts->iterations },
               &app.ui) != STATUS_OK) {
        fprintf(stderr, "opsdeck: %s\n", status_text());
        free(theme);
        tenants_free(app.empty_tenants);
        cluster_free(app.empty);
        http_free(app.http);
        evloop_free(app.loop);
        return 1;
    }
    free(theme);
    for (size_t i = 0; i < VIEW_ID_COUNT; i++)
        ui_add_view(app.ui, views[i]);
    ui_add_command(app.ui, &(struct ui_command){ .name = "ctx",
                                                 .aliases = ctx_aliases,
                                                 .args = "[name]",
                                                 .help = "Switch context (without a name: list)",
                                                 .label = "Ctx",
                                                 .run = cmd_ctx,
                                                 .arg = &app });
    ui_load_keymap(app.ui, app_keymap, "app");
    ui_set_history(app.ui, &(struct prompt_history_ops){ .load = history_load,
                                                         .add = history_add,
                                                         .arg = &app });
    ui_set_settled(app.ui, app_settled, &app);

    app.session = make_session(&app);
    read_log_ring_env(&app);
    app.probe = ev_timer_new(app.loop, on_probe, &app);
    make_upstreams(&app);
    update_header(&app);
    if (!app.session)
        ui_report(app.ui, UI_ERROR, "%s", s->error ? s->error : "no kubeconfig context");
    if (s->store) {
        const char *const *notes = store_notices(s->store);

        for (size_t i = 0; notes && notes[i]; i++)
            ui_report(app.ui, UI_WARNING, "%s", notes[i]);
    }
    app.tick = ev_timer_new(app.loop, on_tick, &app);
    ev_timer_arm(app.tick, app.refresh_ms);
    ui_open(app.ui, "nodes", NULL, UI_OPEN_ROOT);

    rc = ui_run(app.ui);

    ui_free(app.ui);
    app.ui = NULL;
    ev_timer_free(app.tick);
    ev_timer_free(app.probe);
    prom_alerts_poller_free(app.alerts);
    upstream_free(app.loki);
    upstream_free(app.prom);
    session_free(app.session);
    tenants_free(app.empty_tenants);
    cluster_free(app.empty);
    http_free(app.http);
    evloop_free(app.loop);
    return rc;
}
