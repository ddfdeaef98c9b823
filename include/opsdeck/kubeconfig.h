/* SPDX-License-Identifier: MIT */
/* kubeconfig.h - kubeconfig files read exactly as kubectl reads them */
#ifndef OPSDECK_KUBECONFIG_H
#define OPSDECK_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"

/*
 * Loading (api-facts §1.11, client-go's loader):
 *  - an explicit path (--kubeconfig): that file only, it must exist
 *    (STATUS_IO "path: No such file or directory");
 *  - else $KUBECONFIG: colon-separated; empty entries and missing files are
 *    skipped, a path listed twice is read once; merged: the first file to
 *    define a cluster/user/context name wins, current-context comes from the
 *    first file that sets it;
 *  - else $HOME/.kube/config (missing: an empty config, not an error).
 * Every file read is checked whole, as kubectl decodes it whole: broken
 * YAML, a wrong type anywhere, an entry without a name, a name twice in one
 * list of one file, or more than one YAML document is an error naming the
 * file, line and key, also in an entry that loses to an earlier file.
 * Unknown keys are ignored (kubectl ignores them). An empty file is an empty
 * config. Paths inside (certificate-authority, client-certificate,
 * client-key, tokenFile, and an exec command containing a '/') are made
 * absolute against the directory of the file that holds them. Nothing here
 * logs a token, password, key or certificate.
 */
struct kubeconfig;

struct kube_exec {
    char *api_version;          /* client.authentication.k8s.io/v1 | v1beta1 */
    char *command;              /* with a '/': absolute (relative ones resolved against the
                                   file's directory); a bare name is for PATH */
    char **args;                /* NULL-terminated, or NULL */
    char **env;                 /* NULL-terminated "NAME=value", or NULL */
    char *interactive_mode;     /* Never | IfAvailable | Always (v1 requires it; resolved
                                   v1beta1 without it gets IfAvailable) */
    bool provide_cluster_info;
    char *install_hint;
};

/* Everything needed to talk to one cluster as one user. Owned strings; NULL
 * = absent. The PEM buffers are NUL-terminated (the _len excludes the NUL). */
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
    char *token_file;           /* tokenFile (absolute), re-read by the client; NULL with token */
    char *username;             /* basic auth: both set (maybe "") when either is */
    char *password;
    struct kube_exec *exec;     /* NULL when no exec plugin */
};

/* On success *out is new (caller frees with kubeconfig_free). */
enum status kubeconfig_load(const char *explicit_path, struct kubeconfig **out);
void kubeconfig_free(struct kubeconfig *kc);

/* The files that were read, in order (NULL-terminated, borrowed). */
const char *const *kubeconfig_files(const struct kubeconfig *kc);
/* current-context, or NULL. Borrowed. */
const char *kubeconfig_current_context(const struct kubeconfig *kc);
/* Context names in file order (NULL-terminated, borrowed). */
const char *const *kubeconfig_contexts(const struct kubeconfig *kc);

/*
 * Resolves a context (NULL: current-context) into a new target (caller
 * frees with kube_target_free). All failures are STATUS_CONFIG and name
 * the file, line and entry ("f:12: user \"blue\": ..."):
 *  - no kubeconfig at all, no context chosen, an unknown context;
 *  - a context without cluster or user, or naming a missing one; a
 *    namespace that is not a DNS-1123 label (an empty one is "default");
 *  - a cluster without server (a server without scheme gets https://, any
 *    scheme but http/https is refused), a proxy-url not http/https/socks5,
 *    a CA together with insecure-skip-tls-verify (kubectl refuses it);
 *  - an unreadable CA/cert/key file (1 MiB at most), bad base64 in a
 *    -data field (-data wins over the file; decoded here, not at load);
 *  - more than one auth method (token with username/password), a client
 *    certificate without key or a key without certificate;
 *  - exec with auth-provider, exec without command or apiVersion, an
 *    apiVersion other than client.authentication.k8s.io/v1 or v1beta1, v1
 *    without interactiveMode, an unknown interactiveMode, an env item
 *    without name; v1beta1 without interactiveMode gets "IfAvailable";
 *  - auth-provider alone, and impersonation (as, as-groups, as-uid,
 *    as-user-extra): not supported, refused rather than ignored.
 * token beats tokenFile (token_file is NULL when token is set).
 * ca_fingerprint is "sha256:<hex>" of the CA bytes, or "none".
 */
enum status kubeconfig_resolve(const struct kubeconfig *kc, const char *context,
                               struct kube_target **out);
/* Deep copy; caller frees. */
struct kube_target *kube_target_dup(const struct kube_target *t);
void kube_target_free(struct kube_target *t);

#endif /* OPSDECK_KUBECONFIG_H */
