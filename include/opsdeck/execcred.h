/* SPDX-License-Identifier: MIT */
/* execcred.h - client-go exec credential plugins, run without blocking */
#ifndef OPSDECK_EXECCRED_H
#define OPSDECK_EXECCRED_H

#include <stdbool.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct evloop;
struct kube_exec;

/*
 * Runs a kubeconfig `exec` plugin (client.authentication.k8s.io v1 and
 * v1beta1) as a child process watched by the event loop, parses its
 * ExecCredential and caches it until expirationTimestamp.
 *
 * Interactive plugins (interactiveMode Always, or IfAvailable with a
 * terminal): the terminal is released (evloop_term_release) while the
 * plugin runs, with stdin and stderr inherited; Ctrl-C (evloop_interrupt)
 * kills the plugin, reclaims the terminal and fails the request with
 * STATUS_CANCELLED. Non-interactive runs get /dev/null as stdin, their
 * stderr captured, and their own process group.
 */
struct execcred;

struct exec_credential {
    char *token;                /* bearer token, or NULL */
    char *cert_pem;             /* clientCertificateData (PEM text), or NULL */
    char *key_pem;              /* clientKeyData, or NULL */
    int64_t expiry;             /* Unix seconds; 0 = no expiry given */
};

typedef void (*execcred_cb)(void *arg, enum status st, const struct exec_credential *cred,
                            const char *error);

/* exec is copied. cluster_server/ca are passed in KUBERNETES_EXEC_INFO when
 * provideClusterInfo is set (may be NULL). loop must outlive it. */
struct execcred *execcred_new(struct evloop *loop, const struct kube_exec *exec,
                              const char *cluster_server, const char *cluster_ca_pem);
/* Kills a running plugin (SIGKILL, reaped; no callback), gives the terminal
 * back if it was lent, and frees. Safe from inside a callback (then done
 * when it returns). NULL is a no-op. */
void execcred_free(struct execcred *ec);
/* Run-time limit of one plugin run; 0 restores the defaults (30 s, 120 s
 * for an interactive run). On expiry the plugin (and its process group,
 * when not interactive) is killed and the request fails. */
void execcred_set_timeout(struct execcred *ec, int64_t ms);

/*
 * Delivers a credential: the cached one when still valid (cb called before
 * execcred_get returns), else runs the plugin and calls cb from the loop.
 * Concurrent calls while a plugin runs share the run. The credential passed
 * to cb is borrowed until the next execcred_get/execcred_invalidate.
 * Failures: STATUS_EXEC with the plugin's stderr (last line), exit status,
 * or the parse error (wrong apiVersion or kind, bad JSON, neither token
 * nor certificate, output over 1 MiB, time limit), the installHint when
 * the command does not exist; STATUS_CANCELLED after Ctrl-C. The error
 * text is one line, borrowed for the call. Failures are not cached: the
 * next execcred_get runs the plugin again - except a cancellation: after
 * Ctrl-C every execcred_get fails with STATUS_CANCELLED (from the loop)
 * without running the plugin, so retries never take the terminal back;
 * a new execcred (another session) asks again.
 */
void execcred_get(struct execcred *ec, execcred_cb cb, void *arg);
/* Forgets the cached credential (after a 401). */
void execcred_invalidate(struct execcred *ec);
/* Cancels pending callbacks registered with arg (their owner is going away). */
void execcred_forget(struct execcred *ec, void *arg);
bool execcred_running(const struct execcred *ec);

#endif /* OPSDECK_EXECCRED_H */
