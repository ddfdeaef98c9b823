/* SPDX-License-Identifier: MIT */
/* setup.c - paths, platform, kubeconfig and context resolved for one run */
#include "config.h"

#include "opsdeck/setup.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/kubeconfig.h"
#include "opsdeck/log.h"
#include "opsdeck/platform.h"
#include "opsdeck/store.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

static void
resolve_target(struct setup *s)
{
    kube_target_free(s->target);
    s->target = NULL;
    free(s->error);
    s->error = NULL;
    if (!s->kc) {
        s->error = xstrdup("no kubeconfig");
        return;
    }
    if (kubeconfig_resolve(s->kc, s->context, &s->target) != STATUS_OK) {
        s->error = xstrdup(status_text());
        s->target = NULL;
    }
}

enum status
setup_load(const struct setup_opts *opts, struct setup *out)
{
    enum status st;

    memset(out, 0, sizeof(*out));
    if (opts->log_file && !log_open(opts->log_file))
        return STATUS_IO;
    out->log_file = xstrdup(opts->log_file);
    st = paths_resolve(opts->platform, &out->paths);
    if (st != STATUS_OK)
        return st;
    if (out->paths.platform_file) {
        st = platform_load(out->paths.platform_file, &out->platform);
        if (st != STATUS_OK)
            return st;
    } else {
        out->platform = platform_default();
    }
    platform_apply_overrides(out->platform, opts->kubeconfig, opts->context);
    st = platform_override_endpoint(&out->platform->loki, "--loki", opts->loki_url);
    if (st == STATUS_OK)
        st = platform_override_endpoint(&out->platform->prometheus, "--prometheus",
                                        opts->prometheus_url);
    if (st != STATUS_OK)
        return st;
    out->kubeconfig_path = xstrdup(out->platform->kubeconfig);
    out->context = xstrdup(out->platform->context);
    if (opts->request_timeout_s > 0)
        out->kube_opts.request_timeout_ms = opts->request_timeout_s * 1000;
    if (opts->max_response_mb > 0)
        out->kube_opts.max_response = (size_t)opts->max_response_mb << 20;
    if (opts->max_event_mb > 0)
        out->kube_opts.max_event = (size_t)opts->max_event_mb << 20;
    if (kubeconfig_load(out->kubeconfig_path, &out->kc) != STATUS_OK) {
        out->kc = NULL;
        out->error = xstrdup(status_text());
        return STATUS_OK;
    }
    resolve_target(out);
    return STATUS_OK;
}

enum status
setup_open_store(struct setup *s)
{
    enum status st = paths_ensure_dirs(&s->paths);

    if (st != STATUS_OK)
        return st;
    st = store_open(s->paths.cache_db, s->paths.state_db, NULL, &s->store);
    if (st != STATUS_OK)
        s->store = NULL;
    return st;
}

enum status
setup_use_context(struct setup *s, const char *context)
{
    struct kube_target *t;

    if (!s->kc)
        return status_fail(STATUS_CONFIG, "no kubeconfig loaded%s%s", s->error ? ": " : "",
                           s->error ? s->error : "");
    if (kubeconfig_resolve(s->kc, context, &t) != STATUS_OK)
        return STATUS_CONFIG;          /* status_text() names the problem; nothing changed */
    kube_target_free(s->target);
    s->target = t;
    free(s->context);
    s->context = xstrdup(context);
    free(s->error);
    s->error = NULL;
    return STATUS_OK;
}

void
setup_done(struct setup *s)
{
    store_close(s->store);
    kube_target_free(s->target);
    kubeconfig_free(s->kc);
    platform_free(s->platform);
    paths_done(&s->paths);
    free(s->kubeconfig_path);
    free(s->log_file);
    free(s->context);
    free(s->error);
    memset(s, 0, sizeof(*s));
}

static void
line(struct strbuf *out, const char *key, const char *value)
{
    strbuf_printf(out, "%-18s %s\n", key, value && *value ? value : "-");
}

void
setup_describe(const struct setup *s, struct strbuf *out)
{
    const struct platform *p = s->platform;
    const char *const *files = s->kc ? kubeconfig_files(s->kc) : NULL;
    struct strbuf list;

    strbuf_init(&list);
    line(out, "platform file", s->paths.platform_file ? s->paths.platform_file
                                                        : "(built-in defaults)");
    line(out, "platform name", p->name);
    line(out, "production", p->production ? "yes" : "no");
    line(out, "config dir", s->paths.config_dir);
    line(out, "cache db", s->paths.cache_db);
    line(out, "state db", s->paths.state_db);
    line(out, "themes dir", s->paths.theme_dir);
    line(out, "keymap file", s->paths.keymap_file);
    line(out, "log file", s->log_file ? s->log_file : "(none; --log FILE)");
    line(out, "kubeconfig", s->kubeconfig_path ? s->kubeconfig_path
                                               : "(kubectl rules: $KUBECONFIG, ~/.kube/config)");
    for (size_t i = 0; files && files[i]; i++) {
        if (i)
            strbuf_puts(&list, ":");
        strbuf_puts(&list, files[i]);
    }
    line(out, "kubeconfig files", strbuf_str(&list));
    line(out, "context", s->target ? s->target->context
                                   : (s->context ? s->context : "(current-context)"));
    if (s->target) {
        line(out, "cluster", s->target->cluster);
        line(out, "user", s->target->user);
        line(out, "namespace", s->target->namespace_);
        line(out, "server", s->target->server);
        line(out, "ca", s->target->ca_fingerprint);
        line(out, "auth", s->target->exec ? "exec plugin"
                          : s->target->token || s->target->token_file ? "bearer token"
                          : s->target->cert_pem ? "client certificate"
                          : s->target->username ? "basic auth" : "none");
    }
    if (s->error)
        line(out, "error", s->error);
    line(out, "loki", p->loki.url ? p->loki.url : p->loki.service);
    line(out, "prometheus", p->prometheus.url ? p->prometheus.url : p->prometheus.service);
    line(out, "pool label", p->conv.pool_label);
    line(out, "tenant label", p->conv.tenant_label);
    line(out, "project label", p->conv.project_label);
    line(out, "namespace pattern", p->conv.namespace_pattern);
    strbuf_done(&list);
}
