/* SPDX-License-Identifier: MIT */
/* conventions.h - the platform's naming conventions (defaults: seeds/001) */
#ifndef OPSDECK_CONVENTIONS_H
#define OPSDECK_CONVENTIONS_H

#include <stdbool.h>

struct kv_list;

/*
 * How the platform names things. Every field is an owned string, never NULL
 * after conventions_init_defaults(); a platform definition overrides fields
 * one by one.
 */
struct conventions {
    char *pool_label;         /* node label naming the pool: "pool" */
    char *tenant_label;       /* namespace label: "dp.ml.ink/tenant" */
    char *project_label;      /* namespace label: "dp.ml.ink/project" */
    char *namespace_pattern;  /* fallback when labels are absent: "dp-{tenant}-{project}" */
    char *system_namespace;   /* platform services: "dp-system" */
    char *ingress_policy;     /* NetworkPolicy every tenant namespace needs: "ingress-isolation" */
    char *egress_policy;      /* "egress-isolation" */
    char *quota_name;         /* ResourceQuota name: "quota" */
    char *apps_domain;        /* "breacher.org" */
    char *pod_log_selector;   /* Loki selector: {namespace="{namespace}",app="{app}"} */
    char *node_log_selector;  /* {node_name="{node}"} */
    char *build_log_selector; /* {job="build"} */
    char *pod_cidr;           /* k3s default 10.42.0.0/16 */
    char *service_cidr;       /* k3s default 10.43.0.0/16 */
};

void conventions_init_defaults(struct conventions *conv);
void conventions_done(struct conventions *conv);
/* Deep copy into an uninitialised dst. */
void conventions_copy(struct conventions *dst, const struct conventions *src);

/*
 * Which tenant and project a namespace belongs to.
 *  - The system namespace is never a tenant's.
 *  - The tenant label wins: with it, the project is the project label, else
 *    the pattern's {project} when the name matches, else the namespace name.
 *  - Without the tenant label the namespace pattern is the fallback. Split
 *    rule: {tenant} takes one or more characters without a dash, {project}
 *    one or more of anything (dashes included), literals match exactly, and
 *    the whole name must match: "dp-max-cat-app" -> max / cat-app,
 *    "dp-system" and "dp-max" -> no match. A project label still names the
 *    project when present. A pattern without {project} makes the namespace
 *    name the project.
 *  - Anything else is not a tenant's namespace.
 * Returns false for a namespace that is not a tenant's (both out-params then
 * NULL); on true, *tenant and *project are new strings (caller frees).
 * labels may be NULL.
 */
bool conventions_tenant_of(const struct conventions *conv, const char *ns,
                           const struct kv_list *labels, char **tenant, char **project);

/*
 * Checks a namespace pattern: {tenant} exactly once, {project} at most once,
 * no other braces, placeholders separated by a literal, literals only of
 * namespace characters (a-z, 0-9, '-'). Returns NULL when valid, else a
 * static sentence saying what is wrong.
 */
const char *conventions_pattern_error(const char *pattern);

#endif /* OPSDECK_CONVENTIONS_H */
