/* SPDX-License-Identifier: MIT */
/* conventions.c - the platform's naming conventions and the tenant of a namespace */
#include "config.h"

#include "opsdeck/conventions.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/model.h"
#include "opsdeck/xalloc.h"

/* The seeds/001 platform (DESIGN.md §1): every default in one table. */
static const struct {
    const char *pool_label;
    const char *tenant_label;
    const char *project_label;
    const char *namespace_pattern;
    const char *system_namespace;
    const char *ingress_policy;
    const char *egress_policy;
    const char *quota_name;
    const char *apps_domain;
    const char *pod_log_selector;
    const char *node_log_selector;
    const char *build_log_selector;
    const char *pod_cidr;
    const char *service_cidr;
} seed = {
    .pool_label = "pool",
    .tenant_label = "dp.ml.ink/tenant",
    .project_label = "dp.ml.ink/project",
    .namespace_pattern = "dp-{tenant}-{project}",
    .system_namespace = "dp-system",
    .ingress_policy = "ingress-isolation",
    .egress_policy = "egress-isolation",
    .quota_name = "quota",
    .apps_domain = "breacher.org",
    .pod_log_selector = "{namespace=\"{namespace}\",app=\"{app}\"}",
    .node_log_selector = "{node_name=\"{node}\"}",
    .build_log_selector = "{job=\"build\"}",
    .pod_cidr = "10.42.0.0/16",
    .service_cidr = "10.43.0.0/16",
};

void
conventions_init_defaults(struct conventions *conv)
{
    conv->pool_label = xstrdup(seed.pool_label);
    conv->tenant_label = xstrdup(seed.tenant_label);
    conv->project_label = xstrdup(seed.project_label);
    conv->namespace_pattern = xstrdup(seed.namespace_pattern);
    conv->system_namespace = xstrdup(seed.system_namespace);
    conv->ingress_policy = xstrdup(seed.ingress_policy);
    conv->egress_policy = xstrdup(seed.egress_policy);
    conv->quota_name = xstrdup(seed.quota_name);
    conv->apps_domain = xstrdup(seed.apps_domain);
    conv->pod_log_selector = xstrdup(seed.pod_log_selector);
    conv->node_log_selector = xstrdup(seed.node_log_selector);
    conv->build_log_selector = xstrdup(seed.build_log_selector);
    conv->pod_cidr = xstrdup(seed.pod_cidr);
    conv->service_cidr = xstrdup(seed.service_cidr);
}

void
conventions_done(struct conventions *conv)
{
    if (!conv)
        return;
    free(conv->pool_label);
    free(conv->tenant_label);
    free(conv->project_label);
    free(conv->namespace_pattern);
    free(conv->system_namespace);
    free(conv->ingress_policy);
    free(conv->egress_policy);
    free(conv->quota_name);
    free(conv->apps_domain);
    free(conv->pod_log_selector);
    free(conv->node_log_selector);
    free(conv->build_log_selector);
    free(conv->pod_cidr);
    free(conv->service_cidr);
    memset(conv, 0, sizeof(*conv));
}

void
conventions_copy(struct conventions *dst, const struct conventions *src)
{
    dst->pool_label = xstrdup(src->pool_label);
    dst->tenant_label = xstrdup(src->tenant_label);
    dst->project_label = xstrdup(src->project_label);
    dst->namespace_pattern = xstrdup(src->namespace_pattern);
    dst->system_namespace = xstrdup(src->system_namespace);
    dst->ingress_policy = xstrdup(src->ingress_policy);
    dst->egress_policy = xstrdup(src->egress_policy);
    dst->quota_name = xstrdup(src->quota_name);
    dst->apps_domain = xstrdup(src->apps_domain);
    dst->pod_log_selector = xstrdup(src->pod_log_selector);
    dst->node_log_selector = xstrdup(src->node_log_selector);
    dst->build_log_selector = xstrdup(src->build_log_selector);
    dst->pod_cidr = xstrdup(src->pod_cidr);
    dst->service_cidr = xstrdup(src->service_cidr);
}

/*
 * Namespace patterns
 */

#define PH_TENANT  "{tenant}"
#define PH_PROJECT "{project}"

const char *
conventions_pattern_error(const char *pattern)
{
    int tenants = 0, projects = 0;
    bool prev_placeholder = false;

    if (!pattern || !*pattern)
        return "the pattern is empty";
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            bool tenant = strncmp(p, PH_TENANT, strlen(PH_TENANT)) == 0;
            bool project = strncmp(p, PH_PROJECT, strlen(PH_PROJECT)) == 0;

            if (!tenant && !project)
                return "only {tenant} and {project} may appear in braces";
            if (prev_placeholder)
                return "{tenant} and {project} must be separated by a literal";
            tenants += tenant;
            projects += project;
            p += tenant ? strlen(PH_TENANT) : strlen(PH_PROJECT);
            prev_placeholder = true;
            continue;
        }
        if (*p == '}')
            return "unbalanced '}'";
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return "literals may hold only a-z, 0-9 and '-' (namespace names do)";
        prev_placeholder = false;
        p++;
    }
    if (tenants != 1)
        return "the pattern needs {tenant} exactly once";
    if (projects > 1)
        return "{project} may appear at most once";
    return NULL;
}

/* Where a placeholder's match is recorded. */
struct ns_match {
    const char *tenant;
    size_t tenant_len;
    const char *project;
    size_t project_len;
};

/*
 * Matches the whole of s against pat. {tenant} takes one or more characters
 * without a dash; {project} one or more of anything, shortest first. The
 * pattern has at most two placeholders, so the recursion is at most three
 * levels deep.
 */
static bool
match_at(const char *pat, const char *s, struct ns_match *m)
{
    while (*pat && *pat != '{') {
        if (*pat != *s)
            return false;
        pat++;
        s++;
    }
    if (!*pat)
        return *s == '\0';
    if (strncmp(pat, PH_TENANT, strlen(PH_TENANT)) == 0) {
        const char *rest = pat + strlen(PH_TENANT);

        for (size_t n = 1; s[n - 1] && s[n - 1] != '-'; n++) {
            if (match_at(rest, s + n, m)) {
                m->tenant = s;
                m->tenant_len = n;
                return true;
            }
        }
        return false;
    }
    if (strncmp(pat, PH_PROJECT, strlen(PH_PROJECT)) == 0) {
        const char *rest = pat + strlen(PH_PROJECT);

        for (size_t n = 1; s[n - 1]; n++) {
            if (match_at(rest, s + n, m)) {
                m->project = s;
                m->project_len = n;
                return true;
            }
        }
        return false;
    }
    return false;
}

static const char *
label_value(const struct kv_list *labels, const char *key)
{
    if (!labels || !key)
        return NULL;
    for (size_t i = 0; i < labels->len; i++)
        if (labels->items[i].key && strcmp(labels->items[i].key, key) == 0)
            return labels->items[i].value;
    return NULL;
}

bool
conventions_tenant_of(const struct conventions *conv, const char *ns, const struct kv_list *labels,
                      char **tenant, char **project)
{
    const char *lt, *lp;
    struct ns_match m = {0};
    bool matched;

    *tenant = NULL;
    *project = NULL;
    if (!ns || !*ns)
        return false;
    if (conv->system_namespace && strcmp(ns, conv->system_namespace) == 0)
        return false;
    matched = conv->namespace_pattern && !conventions_pattern_error(conv->namespace_pattern) &&
              match_at(conv->namespace_pattern, ns, &m);

    lt = label_value(labels, conv->tenant_label);
    lp = label_value(labels, conv->project_label);
    if (lt && *lt) {
        *tenant = xstrdup(lt);
        if (lp && *lp)
            *project = xstrdup(lp);
        else if (matched && m.project)
            *project = xstrndup(m.project, m.project_len);
        else
            *project = xstrdup(ns);
        return true;
    }
    if (!matched)
        return false;
    *tenant = xstrndup(m.tenant, m.tenant_len);
    if (lp && *lp)
        *project = xstrdup(lp);
    else if (m.project)
        *project = xstrndup(m.project, m.project_len);
    else
        *project = xstrdup(ns);
    return true;
}
