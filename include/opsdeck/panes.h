/* SPDX-License-Identifier: MIT */
/* panes.h - what several panes share: row colours, hosts of a pod, detail arguments */
#ifndef OPSDECK_PANES_H
#define OPSDECK_PANES_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/model.h"
#include "opsdeck/theme.h"

struct cluster;
struct strbuf;

/* The colour of a row: ERROR needs you now (crash-looping, failed, not
 * ready), WARNING is on its way or stuck (Pending, Init, Terminating, on a
 * node that is not Ready), DIM is finished (Completed), DEFAULT is fine. */
enum theme_element pane_pod_elem(const struct cluster *cl, const struct pod *pod);
/* The pod counts as a problem for the problems-only toggle. */
bool pane_pod_problem(const struct cluster *cl, const struct pod *pod);
enum theme_element pane_node_elem(const struct node *node);

/* The hosts of the ingresses that route to pod (ingress backend -> service
 * whose selector matches the pod's labels), appended to out as "a,b"; the
 * number of hosts. */
size_t pane_pod_hosts(const struct cluster *cl, const struct pod *pod, struct strbuf *out);
/* The hosts of the ingresses whose backends are the services selecting the
 * deployment's pods. */
size_t pane_deployment_hosts(const struct cluster *cl, const struct deployment *d,
                             struct strbuf *out);
/* labels hold every pair of sel (an empty selector selects nothing). */
bool pane_selects(const struct kv_list *sel, const struct kv_list *labels);

/* The argument of the detail pane for an object: "kind/namespace/name"
 * (namespace empty for cluster-scoped kinds). New string, caller frees. */
char *pane_detail_arg(enum kind kind, const char *ns, const char *name);
/* Splits a detail argument; *ns is NULL for cluster-scoped objects. New
 * strings, caller frees. False when arg is malformed. */
bool pane_parse_detail_arg(const char *arg, enum kind *kind, char **ns, char **name);

/*
 * `l` on a row: the logs pane (views/logs.c) pushed on the row's LogQL
 * selector, from the platform's conventions (conventions.h): a pod or a
 * deployment -> pod_log_selector with {namespace} and {app}; a node ->
 * node_log_selector with {node}; a tenant or project -> its namespaces,
 * {namespace=~"ns1|ns2"}. Values are quoted for LogQL (\" and \\), and
 * regex-escaped in a namespace set. A pod without an app label gets
 * {namespace="…",pod="…"}.
 */
struct view;
struct conventions;
/* tpl with {namespace}, {app} and {node} put in (NULL leaves a
 * placeholder empty). New string, caller frees. */
char *pane_log_selector(const char *tpl, const char *ns, const char *app, const char *node);
/* {namespace=~"a|b"} for n namespaces (n == 1: {namespace="a"}). New string. */
char *pane_log_namespaces(const char *const *ns, size_t n);
/* Pushes the logs pane on query (reported when it cannot open). */
void pane_open_logs(struct view *view, const char *query);
/* The pod's logs: the logs pane on pod/NS/NAME (its app's selector in Loki,
 * or its log from the API server when Loki is not there). */
void pane_open_pod_logs(struct view *view, const char *ns, const char *name);

#endif /* OPSDECK_PANES_H */
