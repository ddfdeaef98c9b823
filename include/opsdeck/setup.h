/* SPDX-License-Identifier: MIT */
/* setup.h - what a run needs, resolved from the command line and files */
#ifndef OPSDECK_SETUP_H
#define OPSDECK_SETUP_H

#include <stdbool.h>

#include "opsdeck/kube.h"
#include "opsdeck/paths.h"
#include "opsdeck/status.h"

struct platform;
struct kubeconfig;
struct kube_target;
struct store;
struct strbuf;

/* Options shared by the console and every one-shot command. */
struct setup_opts {
    const char *platform;       /* --platform FILE */
    const char *kubeconfig;     /* --kubeconfig FILE: overrides the platform's */
    const char *context;        /* --context NAME: overrides the platform's */
    const char *log_file;       /* --log FILE */
    long request_timeout_s;     /* --request-timeout; 0 = default */
    long max_response_mb;       /* --max-response; 0 = default */
    long max_event_mb;          /* --max-event; 0 = default */
    const char *loki_url;       /* --loki URL: overrides the platform's loki */
    const char *prometheus_url; /* --prometheus URL: overrides the platform's prometheus */
};

/*
 * Resolution order (README "Configuration"):
 *   platform: --platform, else $XDG_CONFIG_HOME/opsdeck/platform.yml, else built-in;
 *   kubeconfig: --kubeconfig, else the platform's cluster.kubeconfig, else kubectl's rules
 *   ($KUBECONFIG merged, else ~/.kube/config);
 *   context: --context, else the platform's cluster.context, else current-context.
 */
struct setup {
    struct paths paths;
    struct platform *platform;  /* never NULL after setup_load */
    struct kubeconfig *kc;      /* NULL when the kubeconfig failed to load */
    char *kubeconfig_path;      /* the explicit path used, or NULL (kubectl's rules) */
    char *context;              /* the context asked for, or NULL (current-context) */
    struct kube_target *target; /* NULL when it could not be resolved (see error) */
    char *error;                /* why target is NULL ("kubeconfig …: context "x" names
                                   missing cluster "y""), or NULL */
    char *log_file;             /* --log, or NULL */
    struct kube_opts kube_opts;
    struct store *store;        /* opened by setup_open_store, else NULL */
};

/*
 * Loads paths, the platform definition (a bad one is fatal: returns
 * STATUS_CONFIG naming file, line and key) and the kubeconfig. A missing or
 * broken kubeconfig or context is NOT fatal here (the console still opens,
 * offline, on the cache; `info` still prints): it is left in setup->error.
 */
enum status setup_load(const struct setup_opts *opts, struct setup *out);
/* Creates the directories and opens cache.db/state.db. */
enum status setup_open_store(struct setup *s);
/* Switches to another context of the loaded kubeconfig: replaces target.
 * On failure (status_text() says why) nothing changes. */
enum status setup_use_context(struct setup *s, const char *context);
void setup_done(struct setup *s);

/* `opsdeck info`: every resolved path and choice, one per line. */
void setup_describe(const struct setup *s, struct strbuf *out);

#endif /* OPSDECK_SETUP_H */
