/* SPDX-License-Identifier: MIT */
/* platform.h - the platform definition (YAML), checked strictly */
#ifndef OPSDECK_PLATFORM_H
#define OPSDECK_PLATFORM_H

#include <stdbool.h>

#include "opsdeck/conventions.h"
#include "opsdeck/status.h"

/*
 * One YAML file describes a platform (README "Platform definition"); every
 * part is optional. Unknown keys and bad values are errors naming the file,
 * line and key: opsdeck does not start on them.
 */
struct endpoint {
    char *url;                  /* direct URL, or NULL */
    char *service;              /* in-cluster "namespace/name:port" reached through the
                                   API server's service proxy, or NULL */
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

/* Reads and checks path. Relative paths inside are resolved against the
 * file's directory; "~/" against $HOME. */
enum status platform_load(const char *path, struct platform **out);
/* The built-in definition: the seed's conventions, nothing else. */
struct platform *platform_default(void);
void platform_free(struct platform *p);

#endif /* OPSDECK_PLATFORM_H */
