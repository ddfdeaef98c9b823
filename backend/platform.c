/* SPDX-License-Identifier: MIT */
/* platform.c - the platform definition: a small YAML schema, checked strictly */
#include "config.h"

#include "opsdeck/platform.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "opsdeck/paths.h"
#include "opsdeck/xalloc.h"
#include "opsdeck/yamltree.h"

#define DEFAULT_NAME      "k3s"
#define DEFAULT_REFRESH_S 2
#define MAX_REFRESH_S     3600
#define MAX_SECRET        (64 * 1024)

/*
 * Lifetime
 */

static void
endpoint_done(struct endpoint *ep)
{
    free(ep->url);
    free(ep->service);
    free(ep->username);
    free(ep->password);
    free(ep->password_file);
    free(ep->bearer_token);
    free(ep->bearer_token_file);
    free(ep->org_id);
    free(ep->ca_file);
    memset(ep, 0, sizeof(*ep));
}

struct platform *
platform_default(void)
{
    struct platform *p = xcalloc(1, sizeof(*p));

    p->name = xstrdup(DEFAULT_NAME);
    p->refresh_s = DEFAULT_REFRESH_S;
    conventions_init_defaults(&p->conv);
    return p;
}

void
platform_free(struct platform *p)
{
    if (!p)
        return;
    free(p->path);
    free(p->name);
    free(p->kubeconfig);
    free(p->context);
    endpoint_done(&p->loki);
    endpoint_done(&p->prometheus);
    free(p->ansible_inventory);
    free(p->ansible_playbooks);
    free(p->manifests);
    free(p->theme);
    conventions_done(&p->conv);
    free(p);
}

void
platform_apply_overrides(struct platform *p, const char *kubeconfig_opt, const char *context_opt)
{
    if (kubeconfig_opt) {
        char *expanded = paths_expand_home(kubeconfig_opt);

        free(p->kubeconfig);
        p->kubeconfig = paths_absolute(NULL, expanded ? expanded : kubeconfig_opt);
        free(expanded);
        free(p->context);
        p->context = NULL;
    }
    if (context_opt) {
        free(p->context);
        p->context = xstrdup(context_opt);
    }
}

enum status
platform_override_endpoint(struct endpoint *ep, const char *option, const char *url)
{
    if (!url)
        return STATUS_OK;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return status_fail(STATUS_CONFIG, "%s %s: expected an http:// or https:// URL", option,
                           url[0] ? url : "\"\"");
    free(ep->url);
    free(ep->service);
    ep->service = NULL;
    ep->url = xstrdup(url);
    return STATUS_OK;
}

char *
platform_proxy_path(const struct endpoint *ep)
{
    const char *slash;

    if (!ep->service || !(slash = strchr(ep->service, '/')))
        return NULL;
    return xasprintf("/api/v1/namespaces/%.*s/services/%s/proxy", (int)(slash - ep->service),
                     ep->service, slash + 1);
}

enum status
platform_read_secret(const char *path, char **out)
{
    FILE *f;
    char buf[MAX_SECRET + 2];
    size_t n;
    enum status st = STATUS_OK;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    n = fread(buf, 1, sizeof(buf) - 1, f);
    if (ferror(f))
        st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    fclose(f);
    if (st != STATUS_OK)
        return st;
    if (n > MAX_SECRET)
        st = status_fail(STATUS_CONFIG, "%s: larger than %d bytes", path, MAX_SECRET);
    else if (memchr(buf, '\0', n))
        st = status_fail(STATUS_CONFIG, "%s: holds a NUL byte", path);
    while (st == STATUS_OK && n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (st == STATUS_OK && n == 0)
        st = status_fail(STATUS_CONFIG, "%s: empty", path);
    if (st == STATUS_OK)
        *out = xstrndup(buf, n);
    explicit_bzero(buf, sizeof(buf));
    return st;
}

/*
 * Value checks (names as Kubernetes validates them)
 */

static bool
is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63. */
static bool
dns_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* RFC 1123 subdomain: labels joined by dots, at most 253. */
static bool
dns_subdomain(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 253)
        return false;
    for (const char *p = s;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);

        if (!dns_label(p, len))
            return false;
        if (!dot)
            return true;
        p = dot + 1;
    }
}

/* A label key: [prefix/]name, prefix a DNS subdomain, name at most 63 of
 * [A-Za-z0-9._-] starting and ending alphanumeric. */
static bool
label_key(const char *s)
{
    const char *slash = strchr(s, '/');
    const char *name = slash ? slash + 1 : s;
    size_t n = strlen(name);

    if (slash) {
        char *prefix = xstrndup(s, (size_t)(slash - s));
        bool ok = dns_subdomain(prefix);

        free(prefix);
        if (!ok)
            return false;
    }
    if (n == 0 || n > 63 || !is_alnum(name[0]) || !is_alnum(name[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(name[i]) && name[i] != '-' && name[i] != '_' && name[i] != '.')
            return false;
    return true;
}

/* "namespace/name[:port]": port a number 1-65535 or a port name. */
static const char *
service_error(const char *s)
{
    const char *slash = strchr(s, '/');
    const char *name, *colon;
    size_t name_len;

    if (!slash)
        return "expected namespace/name:port, e.g. dp-system/loki:3100";
    if (!dns_label(s, (size_t)(slash - s)))
        return "the namespace is not a valid namespace name";
    name = slash + 1;
    colon = strchr(name, ':');
    name_len = colon ? (size_t)(colon - name) : strlen(name);
    if (!dns_label(name, name_len) || !(name[0] >= 'a' && name[0] <= 'z'))
        return "the service name is not a valid service name";
    if (colon) {
        const char *port = colon + 1;
        bool digits = *port != '\0';
        long v;

        for (const char *p = port; *p; p++)
            digits = digits && *p >= '0' && *p <= '9';
        if (digits) {
            v = strtol(port, NULL, 10);
            if (strlen(port) > 5 || v < 1 || v > 65535)
                return "the port is not between 1 and 65535";
        } else if (!dns_label(port, strlen(port)) || strlen(port) > 15) {
            return "the port is neither a number nor a port name";
        }
    }
    return NULL;
}

/* IPv4 or IPv6 CIDR with no host bits set. */
static const char *
cidr_error(const char *s, char *suggest, size_t suggest_size)
{
    const char *slash = strrchr(s, '/');
    unsigned char addr[16];
    char host[INET6_ADDRSTRLEN + 1];
    int family, bits;
    long prefix;
    char *end;
    size_t n;

    suggest[0] = '\0';
    if (!slash)
        return "expected address/prefix, e.g. 10.42.0.0/16";
    n = (size_t)(slash - s);
    if (n == 0 || n >= sizeof(host))
        return "the address does not parse";
    memcpy(host, s, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, addr) == 1) {
        family = AF_INET;
        bits = 32;
    } else if (inet_pton(AF_INET6, host, addr) == 1) {
        family = AF_INET6;
        bits = 128;
    } else {
        return "the address does not parse";
    }
    if (!(slash[1] >= '0' && slash[1] <= '9'))
        return "the prefix length is not a number";
    prefix = strtol(slash + 1, &end, 10);
    if (*end || prefix < 0 || prefix > bits)
        return family == AF_INET ? "the prefix length is not between 0 and 32"
                                 : "the prefix length is not between 0 and 128";
    for (int i = (int)prefix; i < bits; i++) {
        if (addr[i / 8] & (0x80 >> (i % 8))) {
            char net[INET6_ADDRSTRLEN];

            for (int j = (int)prefix; j < bits; j++)
                addr[j / 8] &= (unsigned char)~(0x80 >> (j % 8));
            inet_ntop(family, addr, net, sizeof(net));
            snprintf(suggest, suggest_size, " (did you mean %s/%ld?)", net, prefix);
            return "host bits are set";
        }
    }
    return NULL;
}

/* A Loki selector: {...} whose {placeholders} are among allowed. */
static const char *
selector_error(const char *s, const char *const *allowed, char *bad, size_t bad_size)
{
    size_t n = strlen(s);

    bad[0] = '\0';
    if (n < 2 || s[0] != '{' || s[n - 1] != '}')
        return "a LogQL stream selector must start with { and end with }";
    for (const char *p = s + 1; (p = strchr(p, '{'));) {
        const char *q = p + 1;

        while (*q && (is_alnum(*q) || *q == '_'))
            q++;
        if (*q == '}' && q > p + 1) {
            char word[64];
            size_t len = (size_t)(q - p - 1);
            bool ok = false;

            snprintf(word, sizeof(word), "%.*s", (int)MIN(len, sizeof(word) - 1), p + 1);
            for (size_t i = 0; allowed[i]; i++)
                ok = ok || strcmp(allowed[i], word) == 0;
            if (!ok) {
                snprintf(bad, bad_size, "{%s}", word);
                return "unknown placeholder";
            }
        }
        p = q;
    }
    return NULL;
}

/*
 * Reading the schema
 */

struct reader {
    const char *dir; /* the file's directory */
};

static enum status
get_nonempty(const struct ynode *map, const char *key, char **dst)
{
    const struct ynode *n = ynode_get(map, key);
    enum status st = ynode_get_string(map, key, dst);

    if (st == STATUS_OK && n && !ynode_is_null(n) && !**dst)
        return ynode_fail(n, "must not be empty");
    return st;
}

/* A path: "~/" from $HOME, relative ones from the file's directory. */
static enum status
get_path(const struct reader *r, const struct ynode *map, const char *key, char **dst)
{
    const struct ynode *n = ynode_get(map, key);
    char *raw = NULL, *expanded;
    enum status st = get_nonempty(map, key, &raw);

    if (st != STATUS_OK || !raw)
        return st;
    expanded = paths_expand_home(raw);
    if (!expanded) {
        st = ynode_fail(n, "cannot expand %s (only ~/ is supported, and HOME must be set)", raw);
        free(raw);
        return st;
    }
    free(*dst);
    *dst = paths_absolute(r->dir, expanded);
    free(expanded);
    free(raw);
    return STATUS_OK;
}

/* A string value checked by a predicate; msg says what it must be. */
static enum status
get_checked(const struct ynode *map, const char *key, bool (*valid)(const char *), const char *msg,
            char **dst)
{
    const struct ynode *n = ynode_get(map, key);
    char *v = NULL;
    enum status st = get_nonempty(map, key, &v);

    if (st != STATUS_OK || !v)
        return st;
    if (!valid(v)) {
        st = ynode_fail(n, "%s is not %s", v, msg);
        free(v);
        return st;
    }
    free(*dst);
    *dst = v;
    return STATUS_OK;
}

static bool
valid_label_name(const char *s)
{
    return dns_label(s, strlen(s));
}

static enum status
read_endpoint(const struct reader *r, const struct ynode *n, struct endpoint *ep)
{
    static const char *const keys[] = {
        "url",          "service",           "username", "password", "password_file",
        "bearer_token", "bearer_token_file", "org_id",   "ca_file",  "insecure",
        NULL,
    };
    static const char *const url_only[] = {
        "username",          "password", "password_file", "bearer_token",
        "bearer_token_file", "ca_file",  "insecure",      NULL};
    enum status st;
    const char *why;

    if (ynode_is_null(n))
        return STATUS_OK;
    st = ynode_check_keys(n, keys);
    if (st == STATUS_OK)
        st = get_nonempty(n, "url", &ep->url);
    if (st == STATUS_OK)
        st = get_nonempty(n, "service", &ep->service);
    if (st == STATUS_OK)
        st = get_nonempty(n, "username", &ep->username);
    if (st == STATUS_OK)
        st = get_nonempty(n, "password", &ep->password);
    if (st == STATUS_OK)
        st = get_path(r, n, "password_file", &ep->password_file);
    if (st == STATUS_OK)
        st = get_nonempty(n, "bearer_token", &ep->bearer_token);
    if (st == STATUS_OK)
        st = get_path(r, n, "bearer_token_file", &ep->bearer_token_file);
    if (st == STATUS_OK)
        st = get_nonempty(n, "org_id", &ep->org_id);
    if (st == STATUS_OK)
        st = get_path(r, n, "ca_file", &ep->ca_file);
    if (st == STATUS_OK)
        st = ynode_get_bool(n, "insecure", &ep->insecure);
    if (st != STATUS_OK)
        return st;
    if (ep->url && ep->service)
        return ynode_fail(ynode_get_key(n, "service"), "give url or service, not both");
    if (!ep->url && !ep->service)
        return ynode_fail(n, "give url (direct) or service (through the API server's service "
                             "proxy)");
    if (ep->url && strncmp(ep->url, "http://", 7) != 0 && strncmp(ep->url, "https://", 8) != 0)
        return ynode_fail(ynode_get(n, "url"), "%s is not an http(s) URL", ep->url);
    if (ep->service && (why = service_error(ep->service)))
        return ynode_fail(ynode_get(n, "service"), "%s: %s", ep->service, why);
    if (ep->service) {
        for (size_t i = 0; url_only[i]; i++)
            if (ynode_get(n, url_only[i]) && !ynode_is_null(ynode_get(n, url_only[i])))
                return ynode_fail(ynode_get_key(n, url_only[i]),
                                  "goes with url only (the service proxy uses the cluster's "
                                  "credentials)");
    }
    if (ep->password && ep->password_file)
        return ynode_fail(ynode_get_key(n, "password_file"), "give password or password_file, not "
                                                             "both");
    if (ep->bearer_token && ep->bearer_token_file)
        return ynode_fail(ynode_get_key(n, "bearer_token_file"),
                          "give bearer_token or bearer_token_file, not both");
    if ((ep->password || ep->password_file) && !ep->username)
        return ynode_fail(n, "a password needs a username");
    if (ep->username && !(ep->password || ep->password_file))
        return ynode_fail(ynode_get_key(n, "username"), "a username needs password or "
                                                        "password_file");
    if (ep->username && (ep->bearer_token || ep->bearer_token_file))
        return ynode_fail(n, "give basic auth (username) or a bearer token, not both");
    return STATUS_OK;
}

static enum status
read_cluster(const struct reader *r, const struct ynode *n, struct platform *p)
{
    static const char *const keys[] = {"kubeconfig", "context", NULL};
    enum status st;

    if (ynode_is_null(n))
        return STATUS_OK;
    st = ynode_check_keys(n, keys);
    if (st == STATUS_OK)
        st = get_path(r, n, "kubeconfig", &p->kubeconfig);
    if (st == STATUS_OK)
        st = get_nonempty(n, "context", &p->context);
    return st;
}

static enum status
read_ansible(const struct reader *r, const struct ynode *n, struct platform *p)
{
    static const char *const keys[] = {"inventory", "playbooks", NULL};
    enum status st;

    if (ynode_is_null(n))
        return STATUS_OK;
    st = ynode_check_keys(n, keys);
    if (st == STATUS_OK)
        st = get_path(r, n, "inventory", &p->ansible_inventory);
    if (st == STATUS_OK)
        st = get_path(r, n, "playbooks", &p->ansible_playbooks);
    return st;
}

static enum status
read_console(const struct reader *r, const struct ynode *n, struct platform *p)
{
    static const char *const keys[] = {"refresh", "utc", "theme", NULL};
    long long refresh = p->refresh_s;
    enum status st;

    if (ynode_is_null(n))
        return STATUS_OK;
    st = ynode_check_keys(n, keys);
    if (st == STATUS_OK)
        st = ynode_get_int(n, "refresh", 1, MAX_REFRESH_S, &refresh);
    if (st == STATUS_OK)
        st = ynode_get_bool(n, "utc", &p->utc);
    if (st == STATUS_OK)
        st = get_nonempty(n, "theme", &p->theme);
    if (st != STATUS_OK)
        return st;
    p->refresh_s = (int)refresh;
    /* a theme with a slash is a file, found like every other path here */
    if (p->theme && strchr(p->theme, '/'))
        st = get_path(r, n, "theme", &p->theme);
    return st;
}

static enum status
read_selectors(const struct ynode *n, struct conventions *c)
{
    static const char *const keys[] = {"pod", "node", "build", NULL};
    static const char *const pod[] = {"namespace", "app",    "pod",     "container",
                                      "node",      "tenant", "project", NULL};
    static const char *const node[] = {"node", NULL};
    static const char *const build[] = {"tenant", "project", "service", NULL};
    const struct {
        const char *key;
        const char *const *allowed;
        char **dst;
    } fields[] = {
        {"pod", pod, &c->pod_log_selector},
        {"node", node, &c->node_log_selector},
        {"build", build, &c->build_log_selector},
    };
    enum status st;

    if (ynode_is_null(n))
        return STATUS_OK;
    st = ynode_check_keys(n, keys);
    for (size_t i = 0; i < ARRAY_SIZE(fields) && st == STATUS_OK; i++) {
        char **dst = fields[i].dst;
        char *v = NULL;
        char bad[80];
        const char *why;

        st = get_nonempty(n, fields[i].key, &v);
        if (st != STATUS_OK || !v)
            continue;
        why = selector_error(v, fields[i].allowed, bad, sizeof(bad));
        if (why)
            st = ynode_fail(ynode_get(n, fields[i].key), "%s%s%s", why, bad[0] ? " " : "", bad);
        if (st == STATUS_OK) {
            free(*dst);
            *dst = v;
        } else {
            free(v);
        }
    }
    return st;
}

static enum status
read_cidr(const struct ynode *map, const char *key, char **dst)
{
    const struct ynode *n = ynode_get(map, key);
    char *v = NULL;
    char suggest[80];
    const char *why;
    enum status st = get_nonempty(map, key, &v);

    if (st != STATUS_OK || !v)
        return st;
    why = cidr_error(v, suggest, sizeof(suggest));
    if (why) {
        st = ynode_fail(n, "%s is not a valid CIDR: %s%s", v, why, suggest);
        free(v);
        return st;
    }
    free(*dst);
    *dst = v;
    return STATUS_OK;
}

static enum status
read_conventions(const struct ynode *n, struct conventions *c)
{
    static const char *const keys[] = {
        "pool_label",       "tenant_label",       "project_label", "namespace_pattern",
        "system_namespace", "isolation_policies", "quota",         "apps_domain",
        "log_selectors",    "pod_cidr",           "service_cidr",  NULL,
    };
    static const char *const policy_keys[] = {"ingress", "egress", NULL};
    static const char label_msg[] = "a valid label key (e.g. dp.ml.ink/tenant)";
    static const char name_msg[] = "a valid object name (lower case, digits, '-' and '.')";
    const struct ynode *policies;
    char *pattern = NULL;
    enum status st;

    if (ynode_is_null(n))
        return STATUS_OK;
    st = ynode_check_keys(n, keys);
    if (st == STATUS_OK)
        st = get_checked(n, "pool_label", label_key, label_msg, &c->pool_label);
    if (st == STATUS_OK)
        st = get_checked(n, "tenant_label", label_key, label_msg, &c->tenant_label);
    if (st == STATUS_OK)
        st = get_checked(n, "project_label", label_key, label_msg, &c->project_label);
    if (st == STATUS_OK)
        st = get_checked(n, "system_namespace", valid_label_name,
                         "a valid namespace name (lower case, digits and '-')",
                         &c->system_namespace);
    if (st == STATUS_OK)
        st = get_checked(n, "quota", dns_subdomain, name_msg, &c->quota_name);
    if (st == STATUS_OK)
        st = get_checked(n, "apps_domain", dns_subdomain, "a valid DNS domain (lower case)",
                         &c->apps_domain);
    if (st == STATUS_OK)
        st = read_cidr(n, "pod_cidr", &c->pod_cidr);
    if (st == STATUS_OK)
        st = read_cidr(n, "service_cidr", &c->service_cidr);
    if (st == STATUS_OK)
        st = get_nonempty(n, "namespace_pattern", &pattern);
    if (st == STATUS_OK && pattern) {
        const char *why = conventions_pattern_error(pattern);

        if (why) {
            st = ynode_fail(ynode_get(n, "namespace_pattern"), "%s: %s", pattern, why);
        } else {
            free(c->namespace_pattern);
            c->namespace_pattern = pattern;
            pattern = NULL;
        }
    }
    free(pattern);
    policies = ynode_get(n, "isolation_policies");
    if (st == STATUS_OK && policies && !ynode_is_null(policies)) {
        st = ynode_check_keys(policies, policy_keys);
        if (st == STATUS_OK)
            st = get_checked(policies, "ingress", dns_subdomain, name_msg, &c->ingress_policy);
        if (st == STATUS_OK)
            st = get_checked(policies, "egress", dns_subdomain, name_msg, &c->egress_policy);
    }
    if (st == STATUS_OK && ynode_get(n, "log_selectors"))
        st = read_selectors(ynode_get(n, "log_selectors"), c);
    return st;
}

static enum status
read_platform(const struct reader *r, const struct ynode *root, struct platform *p)
{
    static const char *const keys[] = {
        "name",    "production", "readonly", "cluster",     "loki", "prometheus",
        "ansible", "manifests",  "console",  "conventions", NULL,
    };
    const struct ynode *n;
    enum status st;

    if (ynode_is_null(root))
        return STATUS_OK;
    st = ynode_expect_map(root);
    if (st != STATUS_OK)
        return st;
    n = ynode_get_key(root, "zones");
    if (n)
        return ynode_fail(n, "not supported yet: firewall zones come with a later release; "
                             "remove the key (it would be silently unused)");
    st = ynode_check_keys(root, keys);
    if (st == STATUS_OK)
        st = get_nonempty(root, "name", &p->name);
    if (st == STATUS_OK)
        st = ynode_get_bool(root, "production", &p->production);
    if (st == STATUS_OK)
        st = ynode_get_bool(root, "readonly", &p->readonly);
    if (st == STATUS_OK)
        st = get_path(r, root, "manifests", &p->manifests);
    if (st == STATUS_OK && (n = ynode_get(root, "cluster")))
        st = read_cluster(r, n, p);
    if (st == STATUS_OK && (n = ynode_get(root, "loki")))
        st = read_endpoint(r, n, &p->loki);
    if (st == STATUS_OK && (n = ynode_get(root, "prometheus")))
        st = read_endpoint(r, n, &p->prometheus);
    if (st == STATUS_OK && (n = ynode_get(root, "ansible")))
        st = read_ansible(r, n, p);
    if (st == STATUS_OK && (n = ynode_get(root, "console")))
        st = read_console(r, n, p);
    if (st == STATUS_OK && (n = ynode_get(root, "conventions")))
        st = read_conventions(n, &p->conv);
    return st;
}

enum status
platform_load(const char *path, struct platform **out)
{
    struct yamltree_limits lim = {.max_bytes = (size_t)1 << 20};
    struct yamltree *tree = NULL;
    struct platform *p;
    struct reader r;
    char *abs, *dir;
    enum status st;

    *out = NULL;
    abs = paths_absolute(NULL, path);
    st = yamltree_parse_file(abs, &lim, &tree);
    if (st != STATUS_OK) {
        free(abs);
        return st;
    }
    dir = paths_dirname(abs);
    r.dir = dir;
    p = platform_default();
    p->path = abs;
    if (tree->ndocs > 1)
        st = status_fail(STATUS_CONFIG,
                         "%s:%d: a platform definition is one YAML document, "
                         "not %zu",
                         abs, tree->docs[1]->line, tree->ndocs);
    else if (tree->ndocs == 1)
        st = read_platform(&r, tree->docs[0], p);
    yamltree_free(tree);
    free(dir);
    if (st != STATUS_OK) {
        platform_free(p);
        return st;
    }
    *out = p;
    return STATUS_OK;
}
