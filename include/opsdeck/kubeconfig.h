/* SPDX-License-Identifier: MIT */
/* kubeconfig.h - kubeconfig files read exactly as kubectl reads them */
#ifndef OPSDECK_KUBECONFIG_H
#define OPSDECK_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"

/*
 * Loading (api-facts §1.11, client-go loader rules):
 *  - an explicit path (--kubeconfig): that file only, it must exist;
 *  - else $KUBECONFIG: colon-separated, missing files skipped, merged: the
 *    first file to define a cluster/user/context name wins, current-context
 *    from the first file that sets it;
 *  - else ~/.kube/config (missing: an empty config, not an error).
 * Broken YAML or a wrong type is an error naming the file, line and key.
 */
struct kubeconfig;

struct kube_exec {
    char *api_version;          /* client.authentication.k8s.io/v1 | v1beta1 */
    char *command;              /* relative "./x" resolved against the file's directory */
    char **args;                /* NULL-terminated */
    char **env;                 /* NULL-terminated "NAME=value" */
    char *interactive_mode;     /* Never | IfAvailable | Always (v1 requires it) */
    bool provide_cluster_info;
    char *install_hint;
};

/* Everything needed to talk to one cluster as one user. Owned strings. */
struct kube_target {
    char *context;              /* context name */
    char *cluster;              /* cluster name */
    char *user;                 /* user name */
    char *namespace_;           /* context namespace, "default" when empty */
    char *source;               /* file that defined the context */
    char *server;               /* https://… */
    char *ca_pem;               /* CA bytes (from certificate-authority file or -data) */
    size_t ca_len;
    char *ca_fingerprint;       /* "sha256:<hex>" of the CA PEM, or "none" */
    bool insecure;              /* insecure-skip-tls-verify */
    char *tls_server_name;
    char *proxy_url;
    bool disable_compression;
    char *cert_pem;             /* client-certificate[-data] */
    size_t cert_len;
    char *key_pem;              /* client-key[-data] */
    size_t key_len;
    char *token;                /* token (beats tokenFile) */
    char *token_file;           /* tokenFile, re-read by the client */
    char *username;             /* basic auth */
    char *password;
    struct kube_exec *exec;     /* NULL when no exec plugin */
};

enum status kubeconfig_load(const char *explicit_path, struct kubeconfig **out);
void kubeconfig_free(struct kubeconfig *kc);

/* The files that were read, in order (NULL-terminated, borrowed). */
const char *const *kubeconfig_files(const struct kubeconfig *kc);
/* current-context, or NULL. Borrowed. */
const char *kubeconfig_current_context(const struct kubeconfig *kc);
/* Context names in file order (NULL-terminated, borrowed). */
const char *const *kubeconfig_contexts(const struct kubeconfig *kc);

/*
 * Resolves a context (NULL: current-context) into a target. Errors name the
 * file and entry: a missing context, a context naming a missing cluster or
 * user, an unreadable CA/cert/key file, bad base64, more than one auth
 * method (token with username/password; exec with auth-provider), an exec
 * without command or apiVersion.
 */
enum status kubeconfig_resolve(const struct kubeconfig *kc, const char *context,
                               struct kube_target **out);
struct kube_target *kube_target_dup(const struct kube_target *t);
void kube_target_free(struct kube_target *t);

#endif /* OPSDECK_KUBECONFIG_H */
