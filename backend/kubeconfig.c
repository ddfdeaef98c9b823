/* SPDX-License-Identifier: MIT */
/* kubeconfig.c - kubeconfig files loaded, merged and resolved by client-go's rules */
#include "config.h"

#include "opsdeck/kubeconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "opsdeck/hmap.h"
#include "opsdeck/log.h"
#include "opsdeck/paths.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "opsdeck/yamltree.h"

#define MAX_CREDENTIAL_FILE ((size_t)1 << 20)
#define EXEC_V1             "client.authentication.k8s.io/v1"
#define EXEC_V1BETA1        "client.authentication.k8s.io/v1beta1"

struct kc_file {
    char *path; /* absolute */
    char *dir;  /* base for relative paths inside */
    struct yamltree *tree;
};

/* What every cluster, user and context entry has. */
struct kc_entry {
    const char *name; /* borrowed from the tree */
    const struct kc_file *file;
    const struct ynode *node; /* the list item, for file:line */
};

struct kc_cluster {
    struct kc_entry e;
    char *server;
    char *ca_file; /* absolute */
    char *ca_data; /* base64, decoded when resolved */
    bool insecure;
    char *tls_server_name;
    char *proxy_url;
    bool disable_compression;
};

struct kc_user {
    struct kc_entry e;
    char *token;
    char *token_file; /* absolute */
    char *username;
    char *password;
    char *cert_file; /* absolute */
    char *cert_data; /* base64 */
    char *key_file;  /* absolute */
    char *key_data;  /* base64 */
    struct kube_exec *exec;
    bool exec_env_unnamed; /* an env item without a name */
    const struct ynode *auth_provider;
    bool impersonates; /* as / as-groups / as-uid / as-user-extra */
};

struct kc_context {
    struct kc_entry e;
    char *cluster;
    char *user;
    char *namespace_;
};

struct kubeconfig {
    struct kc_file **files;
    size_t nfiles;
    const char **file_names;    /* NULL-terminated, borrowed from files */
    struct vec clusters;        /* struct kc_cluster *, owned */
    struct vec users;           /* struct kc_user *, owned */
    struct vec contexts;        /* struct kc_context *, owned */
    const char **context_names; /* NULL-terminated, borrowed */
    char *current_context;
    const struct ynode *current_node; /* where current-context was set */
    char *origin;                     /* where we looked, for "no kubeconfig" messages */
};

/*
 * Freeing
 */

static void
kube_exec_free(struct kube_exec *x)
{
    if (!x)
        return;
    free(x->api_version);
    free(x->command);
    strv_free(x->args);
    strv_free(x->env);
    free(x->interactive_mode);
    free(x->install_hint);
    free(x);
}

static struct kube_exec *
kube_exec_dup(const struct kube_exec *x)
{
    struct kube_exec *d;

    if (!x)
        return NULL;
    d = xcalloc(1, sizeof(*d));
    d->api_version = xstrdup(x->api_version);
    d->command = xstrdup(x->command);
    d->args = strv_dup((const char *const *)x->args);
    d->env = strv_dup((const char *const *)x->env);
    d->interactive_mode = xstrdup(x->interactive_mode);
    d->provide_cluster_info = x->provide_cluster_info;
    d->install_hint = xstrdup(x->install_hint);
    return d;
}

static void
cluster_free(void *p)
{
    struct kc_cluster *c = p;

    free(c->server);
    free(c->ca_file);
    free(c->ca_data);
    free(c->tls_server_name);
    free(c->proxy_url);
    free(c);
}

static void
user_free(void *p)
{
    struct kc_user *u = p;

    free(u->token);
    free(u->token_file);
    free(u->username);
    free(u->password);
    free(u->cert_file);
    free(u->cert_data);
    free(u->key_file);
    free(u->key_data);
    kube_exec_free(u->exec);
    free(u);
}

static void
context_free(void *p)
{
    struct kc_context *c = p;

    free(c->cluster);
    free(c->user);
    free(c->namespace_);
    free(c);
}

void
kubeconfig_free(struct kubeconfig *kc)
{
    if (!kc)
        return;
    vec_done(&kc->clusters);
    vec_done(&kc->users);
    vec_done(&kc->contexts);
    for (size_t i = 0; i < kc->nfiles; i++) {
        yamltree_free(kc->files[i]->tree);
        free(kc->files[i]->path);
        free(kc->files[i]->dir);
        free(kc->files[i]);
    }
    free(kc->files);
    free(kc->file_names);
    free(kc->context_names);
    free(kc->current_context);
    free(kc->origin);
    free(kc);
}

void
kube_target_free(struct kube_target *t)
{
    if (!t)
        return;
    free(t->context);
    free(t->cluster);
    free(t->user);
    free(t->namespace_);
    free(t->source);
    free(t->server);
    free(t->ca_pem);
    free(t->ca_fingerprint);
    free(t->tls_server_name);
    free(t->proxy_url);
    free(t->cert_pem);
    free(t->key_pem);
    free(t->token);
    free(t->token_file);
    free(t->username);
    free(t->password);
    kube_exec_free(t->exec);
    free(t);
}

static char *
memdup_z(const char *p, size_t len)
{
    char *d;

    if (!p)
        return NULL;
    d = xmalloc(len + 1);
    memcpy(d, p, len);
    d[len] = '\0';
    return d;
}

struct kube_target *
kube_target_dup(const struct kube_target *t)
{
    struct kube_target *d = xcalloc(1, sizeof(*d));

    d->context = xstrdup(t->context);
    d->cluster = xstrdup(t->cluster);
    d->user = xstrdup(t->user);
    d->namespace_ = xstrdup(t->namespace_);
    d->source = xstrdup(t->source);
    d->server = xstrdup(t->server);
    d->ca_pem = memdup_z(t->ca_pem, t->ca_len);
    d->ca_len = t->ca_len;
    d->ca_fingerprint = xstrdup(t->ca_fingerprint);
    d->insecure = t->insecure;
    d->tls_server_name = xstrdup(t->tls_server_name);
    d->proxy_url = xstrdup(t->proxy_url);
    d->disable_compression = t->disable_compression;
    d->cert_pem = memdup_z(t->cert_pem, t->cert_len);
    d->cert_len = t->cert_len;
    d->key_pem = memdup_z(t->key_pem, t->key_len);
    d->key_len = t->key_len;
    d->token = xstrdup(t->token);
    d->token_file = xstrdup(t->token_file);
    d->username = xstrdup(t->username);
    d->password = xstrdup(t->password);
    d->exec = kube_exec_dup(t->exec);
    return d;
}

/*
 * Reading one file
 */

/* A path field: relative paths are taken against the file's directory. */
static enum status
get_path(const struct kc_file *f, const struct ynode *map, const char *key, char **dst)
{
    char *raw = NULL;
    enum status st = ynode_get_string(map, key, &raw);

    if (st != STATUS_OK || !raw)
        return st;
    if (*raw) {
        free(*dst);
        *dst = paths_absolute(f->dir, raw);
    }
    free(raw);
    return STATUS_OK;
}

static enum status
get_strv(const struct ynode *map, const char *key, char ***dst)
{
    const struct ynode *seq = ynode_get(map, key);
    char **v;
    enum status st;

    if (!seq || ynode_is_null(seq))
        return STATUS_OK;
    st = ynode_expect_seq(seq);
    if (st != STATUS_OK)
        return st;
    v = xcalloc(seq->nitems + 1, sizeof(*v));
    for (size_t i = 0; i < seq->nitems && st == STATUS_OK; i++) {
        const char *s;

        st = ynode_string(seq->items[i], &s);
        if (st == STATUS_OK)
            v[i] = xstrdup(s ? s : "");
    }
    if (st != STATUS_OK) {
        strv_free(v);
        return st;
    }
    strv_free(*dst);
    *dst = v;
    return STATUS_OK;
}

static enum status
parse_exec(const struct kc_file *f, const struct ynode *x, struct kc_user *u)
{
    struct kube_exec *e = xcalloc(1, sizeof(*e));
    const struct ynode *env;
    enum status st;

    u->exec = e;
    st = ynode_expect_map(x);
    if (st == STATUS_OK)
        st = ynode_get_string(x, "command", &e->command);
    if (st == STATUS_OK)
        st = ynode_get_string(x, "apiVersion", &e->api_version);
    if (st == STATUS_OK)
        st = get_strv(x, "args", &e->args);
    if (st == STATUS_OK)
        st = ynode_get_string(x, "interactiveMode", &e->interactive_mode);
    if (st == STATUS_OK)
        st = ynode_get_bool(x, "provideClusterInfo", &e->provide_cluster_info);
    if (st == STATUS_OK)
        st = ynode_get_string(x, "installHint", &e->install_hint);
    if (st != STATUS_OK)
        return st;
    /* client-go resolves a command with a slash in it against the file's
     * directory ("./bin/x", "bin/x", "../x"); a bare name is looked up in PATH */
    if (e->command && strchr(e->command, '/') && e->command[0] != '/') {
        char *abs = paths_absolute(f->dir, e->command);

        free(e->command);
        e->command = abs;
    }
    env = ynode_get(x, "env");
    if (env && !ynode_is_null(env)) {
        struct vec v;

        st = ynode_expect_seq(env);
        if (st != STATUS_OK)
            return st;
        vec_init(&v, free);
        for (size_t i = 0; i < env->nitems && st == STATUS_OK; i++) {
            char *name = NULL, *value = NULL;

            st = ynode_expect_map(env->items[i]);
            if (st == STATUS_OK)
                st = ynode_get_string(env->items[i], "name", &name);
            if (st == STATUS_OK)
                st = ynode_get_string(env->items[i], "value", &value);
            if (st == STATUS_OK && (!name || !*name))
                u->exec_env_unnamed = true;
            else if (st == STATUS_OK)
                vec_push(&v, xasprintf("%s=%s", name, value ? value : ""));
            free(name);
            free(value);
        }
        if (st == STATUS_OK) {
            vec_push(&v, NULL);
            e->env = (char **)v.items;
        } else {
            vec_done(&v);
        }
    }
    return st;
}

static bool
present(const struct ynode *n)
{
    if (!n || ynode_is_null(n))
        return false;
    if (n->type == YNODE_SCALAR)
        return n->len > 0;
    return n->type == YNODE_MAPPING ? n->npairs > 0 : n->nitems > 0;
}

static enum status
parse_cluster(const struct kc_file *f, const struct ynode *b, struct kc_cluster *c)
{
    enum status st = STATUS_OK;

    if (!b)
        return STATUS_OK;
    if (st == STATUS_OK)
        st = ynode_get_string(b, "server", &c->server);
    if (st == STATUS_OK)
        st = get_path(f, b, "certificate-authority", &c->ca_file);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "certificate-authority-data", &c->ca_data);
    if (st == STATUS_OK)
        st = ynode_get_bool(b, "insecure-skip-tls-verify", &c->insecure);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "tls-server-name", &c->tls_server_name);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "proxy-url", &c->proxy_url);
    if (st == STATUS_OK)
        st = ynode_get_bool(b, "disable-compression", &c->disable_compression);
    return st;
}

static enum status
parse_user(const struct kc_file *f, const struct ynode *b, struct kc_user *u)
{
    static const char *const impersonation[] = {"as", "as-uid", "as-groups", "as-user-extra"};
    const struct ynode *x;
    enum status st = STATUS_OK;

    if (!b)
        return STATUS_OK;
    if (st == STATUS_OK)
        st = ynode_get_string(b, "token", &u->token);
    if (st == STATUS_OK)
        st = get_path(f, b, "tokenFile", &u->token_file);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "username", &u->username);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "password", &u->password);
    if (st == STATUS_OK)
        st = get_path(f, b, "client-certificate", &u->cert_file);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "client-certificate-data", &u->cert_data);
    if (st == STATUS_OK)
        st = get_path(f, b, "client-key", &u->key_file);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "client-key-data", &u->key_data);
    if (st != STATUS_OK)
        return st;
    x = ynode_get(b, "exec");
    if (x && !ynode_is_null(x)) {
        st = parse_exec(f, x, u);
        if (st != STATUS_OK)
            return st;
    }
    x = ynode_get(b, "auth-provider");
    if (x && !ynode_is_null(x)) {
        st = ynode_expect_map(x);
        if (st != STATUS_OK)
            return st;
        u->auth_provider = x;
    }
    for (size_t i = 0; i < ARRAY_SIZE(impersonation); i++)
        if (present(ynode_get(b, impersonation[i])))
            u->impersonates = true;
    return STATUS_OK;
}

static enum status
parse_context(const struct ynode *b, struct kc_context *c)
{
    enum status st = STATUS_OK;

    if (!b)
        return STATUS_OK;
    if (st == STATUS_OK)
        st = ynode_get_string(b, "cluster", &c->cluster);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "user", &c->user);
    if (st == STATUS_OK)
        st = ynode_get_string(b, "namespace", &c->namespace_);
    return st;
}

static struct kc_entry *
find_entry(const struct vec *v, const char *name)
{
    for (size_t i = 0; i < v->len; i++) {
        struct kc_entry *e = v->items[i];

        if (strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

enum list_kind { LIST_CLUSTERS, LIST_USERS, LIST_CONTEXTS };

static const struct {
    const char *list; /* top-level key */
    const char *body; /* key of the entry's body */
} list_keys[] = {
    [LIST_CLUSTERS] = {"clusters", "cluster"},
    [LIST_USERS] = {"users", "user"},
    [LIST_CONTEXTS] = {"contexts", "context"},
};

/*
 * Reads one list (clusters, users or contexts) of a file into the merged
 * config: the first file to define a name wins; a later file's entry of the
 * same name is still checked, then dropped. A name twice in one file is an
 * error, as in client-go.
 */
static enum status
merge_list(struct kubeconfig *kc, const struct kc_file *f, const struct ynode *root,
           enum list_kind kind)
{
    const struct ynode *seq = ynode_get(root, list_keys[kind].list);
    struct vec *dst = kind == LIST_CLUSTERS ? &kc->clusters
                      : kind == LIST_USERS  ? &kc->users
                                            : &kc->contexts;
    struct hmap seen; /* names of this file -> the line of their item */
    enum status st = STATUS_OK;

    if (!seq || ynode_is_null(seq))
        return STATUS_OK;
    st = ynode_expect_seq(seq);
    if (st != STATUS_OK)
        return st;
    hmap_init(&seen);
    for (size_t i = 0; i < seq->nitems && st == STATUS_OK; i++) {
        const struct ynode *item = seq->items[i], *body, *name_node;
        int first;
        const char *name = NULL;
        struct kc_entry *e;

        st = ynode_expect_map(item);
        if (st != STATUS_OK)
            break;
        name_node = ynode_get(item, "name");
        if (name_node)
            st = ynode_string(name_node, &name);
        if (st == STATUS_OK && (!name || !*name))
            st = ynode_fail(item, "an entry without a name");
        if (st != STATUS_OK)
            break;
        first = (int)(intptr_t)hmap_get(&seen, name);
        if (first) {
            st = ynode_fail(item, "duplicate name \"%s\" in %s (first at line %d)", name,
                            list_keys[kind].list, first);
            break;
        }
        hmap_put(&seen, name, (void *)(intptr_t)item->line);
        body = ynode_get(item, list_keys[kind].body);
        if (body && ynode_is_null(body))
            body = NULL;
        if (body) {
            st = ynode_expect_map(body);
            if (st != STATUS_OK)
                break;
        }
        if (kind == LIST_CLUSTERS) {
            struct kc_cluster *c = xcalloc(1, sizeof(*c));

            e = &c->e;
            st = parse_cluster(f, body, c);
        } else if (kind == LIST_USERS) {
            struct kc_user *u = xcalloc(1, sizeof(*u));

            e = &u->e;
            st = parse_user(f, body, u);
        } else {
            struct kc_context *c = xcalloc(1, sizeof(*c));

            e = &c->e;
            st = parse_context(body, c);
        }
        e->name = name;
        e->file = f;
        e->node = item;
        /* checked like every entry, then dropped when an earlier file has the name */
        if (st != STATUS_OK || find_entry(dst, name))
            dst->item_free(e);
        else
            vec_push(dst, e);
    }
    hmap_done(&seen);
    return st;
}

/* Reads path into the merged config. must_exist false: a missing file is
 * skipped (KUBECONFIG entries, ~/.kube/config). */
static enum status
load_file(struct kubeconfig *kc, const char *path, bool must_exist)
{
    char *abs = paths_absolute(NULL, path);
    struct kc_file *f;
    struct stat sb;
    const struct ynode *root, *cur;
    enum status st;

    for (size_t i = 0; i < kc->nfiles; i++) {
        if (strcmp(kc->files[i]->path, abs) == 0) {
            free(abs);
            return STATUS_OK;
        }
    }
    if (stat(abs, &sb) != 0 && errno == ENOENT && !must_exist) {
        log_debug("kubeconfig: %s does not exist, skipped", abs);
        free(abs);
        return STATUS_OK;
    }
    f = xcalloc(1, sizeof(*f));
    f->path = abs;
    f->dir = paths_dirname(abs);
    kc->files = xrealloc(kc->files, (kc->nfiles + 1) * sizeof(*kc->files));
    kc->files[kc->nfiles++] = f;
    st = yamltree_parse_file(abs, NULL, &f->tree);
    if (st != STATUS_OK)
        return st;
    log_debug("kubeconfig: read %s", abs);
    if (f->tree->ndocs > 1)
        return status_fail(STATUS_CONFIG, "%s:%d: a kubeconfig holds one YAML document, not %zu",
                           abs, f->tree->docs[1]->line, f->tree->ndocs);
    if (f->tree->ndocs == 0 || ynode_is_null(f->tree->docs[0]))
        return STATUS_OK; /* an empty file is an empty config, as in client-go */
    root = f->tree->docs[0];
    st = ynode_expect_map(root);
    if (st != STATUS_OK)
        return st;
    cur = ynode_get(root, "current-context");
    if (cur && !ynode_is_null(cur)) {
        const char *name;

        st = ynode_string(cur, &name);
        if (st != STATUS_OK)
            return st;
        if (name && *name && !kc->current_context) {
            kc->current_context = xstrdup(name);
            kc->current_node = cur;
        }
    }
    st = merge_list(kc, f, root, LIST_CLUSTERS);
    if (st == STATUS_OK)
        st = merge_list(kc, f, root, LIST_USERS);
    if (st == STATUS_OK)
        st = merge_list(kc, f, root, LIST_CONTEXTS);
    return st;
}

/* The directory part of ~/.kube/config, for messages and the fallback. */
static char *
home_kubeconfig(void)
{
    const char *home = getenv("HOME");

    if (!home || home[0] != '/')
        return NULL;
    return xasprintf("%s/.kube/config", home);
}

static enum status
load_all(struct kubeconfig *kc, const char *explicit_path)
{
    const char *env = getenv("KUBECONFIG");
    enum status st = STATUS_OK;

    if (explicit_path) {
        kc->origin = xasprintf("--kubeconfig %s", explicit_path);
        return load_file(kc, explicit_path, true);
    }
    if (env && *env) {
        char *list = xstrdup(env);
        char *save = NULL;

        kc->origin = xasprintf("KUBECONFIG=%s", env);
        for (char *p = strtok_r(list, ":", &save); p && st == STATUS_OK;
             p = strtok_r(NULL, ":", &save))
            st = load_file(kc, p, false);
        free(list);
        return st;
    }
    {
        char *path = home_kubeconfig();

        if (!path) {
            kc->origin = xstrdup("~/.kube/config (HOME is not set)");
            return STATUS_OK;
        }
        kc->origin = xstrdup(path);
        st = load_file(kc, path, false);
        free(path);
    }
    return st;
}

enum status
kubeconfig_load(const char *explicit_path, struct kubeconfig **out)
{
    struct kubeconfig *kc = xcalloc(1, sizeof(*kc));
    enum status st;

    *out = NULL;
    vec_init(&kc->clusters, cluster_free);
    vec_init(&kc->users, user_free);
    vec_init(&kc->contexts, context_free);
    st = load_all(kc, explicit_path);
    if (st != STATUS_OK) {
        kubeconfig_free(kc);
        return st;
    }
    kc->file_names = xcalloc(kc->nfiles + 1, sizeof(*kc->file_names));
    for (size_t i = 0; i < kc->nfiles; i++)
        kc->file_names[i] = kc->files[i]->path;
    kc->context_names = xcalloc(kc->contexts.len + 1, sizeof(*kc->context_names));
    for (size_t i = 0; i < kc->contexts.len; i++)
        kc->context_names[i] = ((struct kc_context *)kc->contexts.items[i])->e.name;
    *out = kc;
    return STATUS_OK;
}

const char *const *
kubeconfig_files(const struct kubeconfig *kc)
{
    return kc->file_names;
}

const char *
kubeconfig_current_context(const struct kubeconfig *kc)
{
    return kc->current_context;
}

const char *const *
kubeconfig_contexts(const struct kubeconfig *kc)
{
    return kc->context_names;
}

/*
 * Resolving a context
 */

static enum status entry_fail(const struct kc_entry *e, const char *what, const char *fmt, ...)
    ATTR_FORMAT(3, 4);

static enum status
entry_fail(const struct kc_entry *e, const char *what, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return status_fail(STATUS_CONFIG, "%s:%d: %s \"%s\": %s", e->file->path, e->node->line, what,
                       e->name, msg);
}

static int
b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Standard base64 with padding, as Go's encoding/json decodes []byte: line
 * breaks are skipped, anything else outside the alphabet is an error.
 * *bad_at is the offset of the first bad character.
 */
static bool
b64_decode(const char *in, char **out, size_t *out_len, size_t *bad_at)
{
    size_t n = strlen(in);
    char *clean = xmalloc(n + 1), *dst;
    size_t len = 0, pad = 0, o = 0;
    bool ok = true;

    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\r' || in[i] == '\n')
            continue;
        if (in[i] == '=' || b64_value(in[i]) >= 0) {
            if (in[i] != '=' && pad > 0) {
                *bad_at = i;
                free(clean);
                return false;
            }
            pad += in[i] == '=';
            clean[len++] = in[i];
            continue;
        }
        *bad_at = i;
        free(clean);
        return false;
    }
    if (len % 4 != 0 || pad > 2) {
        *bad_at = n;
        free(clean);
        return false;
    }
    dst = xmalloc(len / 4 * 3 + 1);
    for (size_t i = 0; i < len && ok; i += 4) {
        int v[4];

        for (int k = 0; k < 4; k++)
            v[k] = clean[i + (size_t)k] == '=' ? 0 : b64_value(clean[i + (size_t)k]);
        if ((clean[i] == '=' || clean[i + 1] == '=') ||
            (clean[i + 2] == '=' && clean[i + 3] != '=')) {
            ok = false;
            break;
        }
        dst[o++] = (char)((v[0] << 2) | (v[1] >> 4));
        if (clean[i + 2] != '=')
            dst[o++] = (char)(((v[1] & 0xf) << 4) | (v[2] >> 2));
        if (clean[i + 3] != '=')
            dst[o++] = (char)(((v[2] & 0x3) << 6) | v[3]);
    }
    free(clean);
    if (!ok) {
        free(dst);
        *bad_at = n;
        return false;
    }
    dst[o] = '\0';
    *out = dst;
    *out_len = o;
    return true;
}

static enum status
read_small_file(const struct kc_entry *e, const char *what, const char *field, const char *path,
                char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb;
    char chunk[4096];
    size_t n;
    enum status st = STATUS_OK;

    if (!f)
        return entry_fail(e, what, "cannot read %s %s: %s", field, path, strerror(errno));
    strbuf_init(&sb);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && sb.len <= MAX_CREDENTIAL_FILE)
        strbuf_append(&sb, chunk, n);
    if (ferror(f))
        st = entry_fail(e, what, "cannot read %s %s: %s", field, path, strerror(errno));
    else if (sb.len > MAX_CREDENTIAL_FILE)
        st =
            entry_fail(e, what, "%s %s is larger than %zu bytes", field, path, MAX_CREDENTIAL_FILE);
    fclose(f);
    if (st != STATUS_OK) {
        strbuf_done(&sb);
        return st;
    }
    *len = sb.len;
    *out = strbuf_detach(&sb);
    return STATUS_OK;
}

/* `-data` (base64) wins over the file, as in client-go. */
static enum status
load_credential(const struct kc_entry *e, const char *what, const char *field, const char *data,
                const char *file, char **out, size_t *len)
{
    size_t bad_at = 0;

    *out = NULL;
    *len = 0;
    if (data && *data) {
        if (!b64_decode(data, out, len, &bad_at))
            return entry_fail(e, what, "%s-data is not valid base64 (at byte %zu)", field, bad_at);
        return STATUS_OK;
    }
    if (file)
        return read_small_file(e, what, field, file, out, len);
    return STATUS_OK;
}

static char *
sha256_fingerprint(const char *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    struct strbuf sb;

    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
        xfatal("SHA-256 is not available in libcrypto");
    strbuf_init(&sb);
    strbuf_puts(&sb, "sha256:");
    for (unsigned int i = 0; i < mdlen; i++)
        strbuf_printf(&sb, "%02x", md[i]);
    return strbuf_detach(&sb);
}

static bool
has_scheme(const char *url, const char *const *schemes)
{
    for (size_t i = 0; schemes[i]; i++) {
        size_t n = strlen(schemes[i]);

        if (strncmp(url, schemes[i], n) == 0 && strncmp(url + n, "://", 3) == 0 && url[n + 3])
            return true;
    }
    return false;
}

/* RFC 1123 label: what a namespace name must be. */
static bool
dns1123_label(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (!alnum && !(c == '-' && i > 0 && i < n - 1))
            return false;
    }
    return true;
}

static enum status
resolve_cluster(const struct kc_cluster *c, struct kube_target *t)
{
    static const char *const http[] = {"http", "https", NULL};
    static const char *const proxy[] = {"http", "https", "socks5", NULL};
    enum status st;

    if (!c->server || !*c->server)
        return entry_fail(&c->e, "cluster", "no server");
    if (!strstr(c->server, "://"))
        t->server = xasprintf("https://%s", c->server);
    else if (has_scheme(c->server, http))
        t->server = xstrdup(c->server);
    else
        return entry_fail(&c->e, "cluster", "server %s is not an http(s) URL", c->server);
    if (c->proxy_url && *c->proxy_url && !has_scheme(c->proxy_url, proxy))
        return entry_fail(&c->e, "cluster",
                          "proxy-url %s: only http, https and socks5 proxies are supported",
                          c->proxy_url);
    st = load_credential(&c->e, "cluster", "certificate-authority", c->ca_data, c->ca_file,
                         &t->ca_pem, &t->ca_len);
    if (st != STATUS_OK)
        return st;
    if (t->ca_pem && c->insecure)
        return entry_fail(&c->e, "cluster",
                          "certificate-authority together with insecure-skip-tls-verify is not "
                          "allowed (kubectl refuses it too)");
    t->ca_fingerprint = t->ca_pem ? sha256_fingerprint(t->ca_pem, t->ca_len) : xstrdup("none");
    t->insecure = c->insecure;
    t->tls_server_name =
        c->tls_server_name && *c->tls_server_name ? xstrdup(c->tls_server_name) : NULL;
    t->proxy_url = c->proxy_url && *c->proxy_url ? xstrdup(c->proxy_url) : NULL;
    t->disable_compression = c->disable_compression;
    return STATUS_OK;
}

static enum status
check_exec(const struct kc_user *u)
{
    const struct kube_exec *x = u->exec;
    const char *mode = x->interactive_mode;

    if (u->auth_provider)
        return entry_fail(&u->e, "user", "exec and auth-provider together; only one is allowed");
    if (!x->command || !*x->command)
        return entry_fail(&u->e, "user", "exec without command");
    if (!x->api_version || !*x->api_version)
        return entry_fail(&u->e, "user", "exec without apiVersion");
    if (strcmp(x->api_version, EXEC_V1) != 0 && strcmp(x->api_version, EXEC_V1BETA1) != 0)
        return entry_fail(&u->e, "user", "exec apiVersion %s is not supported (use %s or %s)",
                          x->api_version, EXEC_V1, EXEC_V1BETA1);
    if ((!mode || !*mode) && strcmp(x->api_version, EXEC_V1) == 0)
        return entry_fail(&u->e, "user", "exec without interactiveMode (required by %s)", EXEC_V1);
    if (mode && *mode && strcmp(mode, "Never") != 0 && strcmp(mode, "IfAvailable") != 0 &&
        strcmp(mode, "Always") != 0)
        return entry_fail(&u->e, "user",
                          "exec interactiveMode %s is not one of Never, IfAvailable, Always", mode);
    if (u->exec_env_unnamed)
        return entry_fail(&u->e, "user", "exec env entry without a name");
    return STATUS_OK;
}

static enum status
resolve_user(const struct kc_user *u, struct kube_target *t)
{
    bool token = u->token && *u->token;
    bool basic = (u->username && *u->username) || (u->password && *u->password);
    bool cert = (u->cert_file || (u->cert_data && *u->cert_data));
    bool key = (u->key_file || (u->key_data && *u->key_data));
    enum status st;

    if (u->exec) {
        st = check_exec(u);
        if (st != STATUS_OK)
            return st;
    } else if (u->auth_provider) {
        const char *name = NULL;
        const struct ynode *n = ynode_get(u->auth_provider, "name");

        if (n && n->type == YNODE_SCALAR)
            name = n->scalar;
        return entry_fail(&u->e, "user",
                          "auth-provider%s%s is not supported; use an exec credential plugin",
                          name ? " " : "", name ? name : "");
    }
    if (u->impersonates)
        return entry_fail(&u->e, "user",
                          "impersonation (as, as-groups, as-uid, as-user-extra) "
                          "is not supported");
    if (token && basic)
        return entry_fail(&u->e, "user",
                          "more than one authentication method found (token and "
                          "username/password); only one is allowed");
    if (cert && !key)
        return entry_fail(&u->e, "user", "client-certificate without client-key");
    if (key && !cert)
        return entry_fail(&u->e, "user", "client-key without client-certificate");
    st = load_credential(&u->e, "user", "client-certificate", u->cert_data, u->cert_file,
                         &t->cert_pem, &t->cert_len);
    if (st == STATUS_OK)
        st = load_credential(&u->e, "user", "client-key", u->key_data, u->key_file, &t->key_pem,
                             &t->key_len);
    if (st != STATUS_OK)
        return st;
    if (token)
        t->token = xstrdup(u->token);
    else if (u->token_file)
        t->token_file = xstrdup(u->token_file);
    if (basic) {
        t->username = xstrdup(u->username ? u->username : "");
        t->password = xstrdup(u->password ? u->password : "");
    }
    if (u->exec) {
        t->exec = kube_exec_dup(u->exec);
        if (!t->exec->interactive_mode || !*t->exec->interactive_mode) {
            free(t->exec->interactive_mode);
            t->exec->interactive_mode = xstrdup("IfAvailable"); /* v1beta1 default */
        }
    }
    return STATUS_OK;
}

/* "a.yml, b.yml" for messages. */
static char *
files_list(const struct kubeconfig *kc)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < kc->nfiles; i++)
        strbuf_printf(&sb, "%s%s", i ? ", " : "", kc->files[i]->path);
    return strbuf_detach(&sb);
}

/* The context to resolve, or NULL with the failure recorded (STATUS_CONFIG). */
static const struct kc_context *
find_context(const struct kubeconfig *kc, const char *wanted)
{
    const char *name = wanted ? wanted : kc->current_context;
    const struct kc_context *ctx;
    char *files;

    if (kc->nfiles == 0) {
        status_fail(STATUS_CONFIG, "no kubeconfig: %s does not exist", kc->origin);
        return NULL;
    }
    files = files_list(kc);
    if (!name || !*name) {
        status_fail(STATUS_CONFIG,
                    "no context chosen: current-context is not set in %s; "
                    "choose one with --context",
                    files);
        free(files);
        return NULL;
    }
    ctx = (const struct kc_context *)find_entry(&kc->contexts, name);
    if (!ctx && wanted)
        status_fail(STATUS_CONFIG, "context \"%s\" not found in %s", name, files);
    else if (!ctx)
        status_fail(STATUS_CONFIG, "%s:%d: current-context: context \"%s\" is not defined",
                    kc->current_node->file, kc->current_node->line, name);
    free(files);
    return ctx;
}

enum status
kubeconfig_resolve(const struct kubeconfig *kc, const char *context, struct kube_target **out)
{
    const struct kc_context *ctx;
    const struct kc_cluster *cluster;
    const struct kc_user *user;
    struct kube_target *t;
    enum status st;

    *out = NULL;
    ctx = find_context(kc, context);
    if (!ctx)
        return STATUS_CONFIG;
    if (!ctx->cluster || !*ctx->cluster)
        return entry_fail(&ctx->e, "context", "no cluster");
    if (!ctx->user || !*ctx->user)
        return entry_fail(&ctx->e, "context", "no user");
    cluster = (const struct kc_cluster *)find_entry(&kc->clusters, ctx->cluster);
    if (!cluster)
        return entry_fail(&ctx->e, "context", "cluster \"%s\" not found", ctx->cluster);
    user = (const struct kc_user *)find_entry(&kc->users, ctx->user);
    if (!user)
        return entry_fail(&ctx->e, "context", "user \"%s\" not found", ctx->user);
    if (ctx->namespace_ && *ctx->namespace_ && !dns1123_label(ctx->namespace_))
        return entry_fail(&ctx->e, "context", "namespace \"%s\" is not a valid namespace name",
                          ctx->namespace_);
    t = xcalloc(1, sizeof(*t));
    t->context = xstrdup(ctx->e.name);
    t->cluster = xstrdup(cluster->e.name);
    t->user = xstrdup(user->e.name);
    t->namespace_ = xstrdup(ctx->namespace_ && *ctx->namespace_ ? ctx->namespace_ : "default");
    t->source = xstrdup(ctx->e.file->path);
    st = resolve_cluster(cluster, t);
    if (st == STATUS_OK)
        st = resolve_user(user, t);
    if (st != STATUS_OK) {
        kube_target_free(t);
        return st;
    }
    *out = t;
    return STATUS_OK;
}
