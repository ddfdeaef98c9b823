/* SPDX-License-Identifier: MIT */
/* platform.h - the platform definition (YAML), checked strictly */
#ifndef OPSDECK_PLATFORM_H
#define OPSDECK_PLATFORM_H

#include <stdbool.h>

#include "opsdeck/conventions.h"
#include "opsdeck/status.h"

/*
 * One YAML file describes a platform; README.md "The platform definition" is the schema
 * reference (every key, type, default and meaning). Every part is optional.
 * Strict: an unknown key anywhere, a `zones:` key (a later release), or a
 * bad value (wrong type, out of range, a CIDR that does not parse, a
 * namespace pattern without {tenant}, ...) is a STATUS_CONFIG error
 * "file:line: key.path: what is wrong": opsdeck does not start on it.
 */

/* Loki or Prometheus: either a direct URL or an in-cluster service reached
 * through the API server's service proxy; neither = not configured. Paths
 * are absolute after load. The auth and TLS fields go with url only. */
struct endpoint {
    char *url;                  /* http(s) URL, or NULL */
    char *service;              /* in-cluster "namespace/name[:port]", or NULL */
    char *username;             /* basic auth */
    char *password;
    char *password_file;
    char *bearer_token;
    char *bearer_token_file;
    char *org_id;               /* X-Scope-OrgID (Loki) */
    char *ca_file;
    bool insecure;
};

struct platform {
    char *path;                 /* file it was read from; NULL for the built-in default */
    char *name;                 /* display name; default "k3s" */
    bool production;            /* marks the context in the header */
    bool readonly;
    char *kubeconfig;           /* cluster.kubeconfig (absolute after load), or NULL */
    char *context;              /* cluster.context, or NULL */
    struct endpoint loki;
    struct endpoint prometheus;
    char *ansible_inventory;    /* ansible.inventory */
    char *ansible_playbooks;    /* ansible.playbooks */
    char *manifests;            /* manifests directory */
    int refresh_s;              /* console.refresh: re-evaluation period, default 2 */
    bool utc;                   /* console.utc: show times in UTC */
    char *theme;                /* console.theme name or path, or NULL */
    struct conventions conv;
};

/*
 * Reads and checks path (STATUS_IO when it cannot be read). Relative paths
 * inside are resolved against the file's directory, "~/" against $HOME. An
 * empty file is the built-in definition with path set. On success *out is
 * new (caller frees with platform_free).
 */
enum status platform_load(const char *path, struct platform **out);
/* The built-in definition: name "k3s", refresh 2 s, the seed's conventions,
 * nothing else. Never NULL; caller frees. */
struct platform *platform_default(void);
void platform_free(struct platform *p);

/*
 * The command line wins over the platform's cluster section: --kubeconfig
 * replaces cluster.kubeconfig and drops cluster.context (that file's own
 * current-context applies unless --context is given); --context replaces
 * cluster.context. NULL options change nothing. kubeconfig_opt is made
 * absolute against the working directory.
 */
void platform_apply_overrides(struct platform *p, const char *kubeconfig_opt,
                              const char *context_opt);
/*
 * --loki URL / --prometheus URL (as logcli's --addr): the endpoint becomes
 * that URL (service cleared); its credentials, org id and CA stay, since
 * they belong to whoever answers there. An empty or non-http(s) URL is a
 * STATUS_CONFIG error naming the option. NULL changes nothing.
 */
enum status platform_override_endpoint(struct endpoint *ep, const char *option, const char *url);

/* For an endpoint given as a service: the API server path of its proxy,
 * "/api/v1/namespaces/dp-system/services/loki:3100/proxy" (new string,
 * caller frees); NULL for a URL endpoint or none. */
char *platform_proxy_path(const struct endpoint *ep);

/* Reads a password_file / bearer_token_file: the whole file (64 KiB at
 * most) without its trailing line break. STATUS_IO ("path: reason") or
 * STATUS_CONFIG (too large, empty, or a NUL byte). *out: new string, caller
 * frees (and should clear it after use). */
enum status platform_read_secret(const char *path, char **out);

#endif /* OPSDECK_PLATFORM_H */
