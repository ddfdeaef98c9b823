/* SPDX-License-Identifier: MIT */
/* test-kubeconfig.c - kubeconfig loading, merging and resolving as kubectl does */
#include "config.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "opsdeck/kubeconfig.h"
#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

#define FIX TEST_FIXTURES "/kubeconfig/"

/*
 * Helpers
 */

static char tmp[64];

static void
tmp_setup(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/test-kubeconfig-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    unsetenv("KUBECONFIG");
    setenv("HOME", tmp, 1);
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tmp_teardown(void)
{
    nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes tmp/rel (parents made); returns the new path (caller frees). */
static char *
put(const char *rel, const char *text)
{
    char *path = xasprintf("%s/%s", tmp, rel);
    char *dir = xstrdup(path);
    FILE *f;

    for (char *p = dir + strlen(tmp) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
    free(dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* s with @TMP@ replaced by the temp dir; new string. */
static char *
subst_tmp(const char *s)
{
    const char *at = strstr(s, "@TMP@");

    if (!at)
        return xstrdup(s);
    return xasprintf("%.*s%s%s", (int)(at - s), s, tmp, at + 5);
}

static struct kubeconfig *
load_ok(const char *explicit_path)
{
    struct kubeconfig *kc = NULL;
    enum status st = kubeconfig_load(explicit_path, &kc);

    ck_assert_msg(st == STATUS_OK, "load failed: %s", status_text());
    ck_assert_ptr_nonnull(kc);
    return kc;
}

static struct kube_target *
resolve_ok(const struct kubeconfig *kc, const char *ctx)
{
    struct kube_target *t = NULL;
    enum status st = kubeconfig_resolve(kc, ctx, &t);

    ck_assert_msg(st == STATUS_OK, "resolve %s failed: %s", ctx ? ctx : "(current)", status_text());
    ck_assert_ptr_nonnull(t);
    return t;
}

/* The message must be exactly want (a printf format). */
static void assert_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);

static void
assert_msg(const char *fmt, ...)
{
    va_list ap;
    char *want;

    va_start(ap, fmt);
    want = xvasprintf(fmt, ap);
    va_end(ap);
    ck_assert_msg(strcmp(status_text(), want) == 0, "message\n  \"%s\"\nwant\n  \"%s\"",
                  status_text(), want);
    free(want);
}

static void
resolve_fails(const struct kubeconfig *kc, const char *ctx)
{
    struct kube_target *t = (struct kube_target *)&t;

    status_clear();
    ck_assert_int_eq(kubeconfig_resolve(kc, ctx, &t), STATUS_CONFIG);
    ck_assert_ptr_null(t);
}

/* Loads tmp/rel holding text explicitly, expecting failure with code. */
static char *
load_fails(const char *rel, const char *text, enum status code)
{
    char *path = put(rel, text);
    struct kubeconfig *kc = (struct kubeconfig *)&kc;

    status_clear();
    ck_assert_int_eq(kubeconfig_load(path, &kc), code);
    ck_assert_ptr_null(kc);
    return path;
}

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb;
    char buf[4096];
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    strbuf_init(&sb);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_append(&sb, buf, n);
    fclose(f);
    *len = sb.len;
    return strbuf_detach(&sb);
}

static char *
sha256_of(const char *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    struct strbuf sb;

    ck_assert(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL));
    strbuf_init(&sb);
    strbuf_puts(&sb, "sha256:");
    for (unsigned int i = 0; i < n; i++)
        strbuf_printf(&sb, "%02x", md[i]);
    return strbuf_detach(&sb);
}

static void
assert_bytes_of_file(const char *got, size_t got_len, const char *path)
{
    size_t len;
    char *want = read_all(path, &len);

    ck_assert_uint_eq(got_len, len);
    ck_assert_msg(memcmp(got, want, len) == 0, "bytes differ from %s", path);
    free(want);
}

static void
assert_strv(const char *const *got, ...)
{
    va_list ap;
    size_t i = 0;

    va_start(ap, got);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *), i++) {
        ck_assert_msg(got && got[i], "missing item %zu (%s)", i, want);
        ck_assert_str_eq(got[i], want);
    }
    va_end(ap);
    ck_assert_msg(!got || !got[i], "extra item %zu: %s", i, got ? got[i] : "");
}

/*
 * The recorded fixtures
 */

START_TEST(test_cs_kubeconfig)
{
    struct kubeconfig *kc = load_ok(FIX "cs_kubeconfig.yml");
    struct kube_target *t;
    size_t len;
    char *ca, *fp;

    assert_strv(kubeconfig_files(kc), FIX "cs_kubeconfig.yml", NULL);
    assert_strv(kubeconfig_contexts(kc), "federal-context", "queen-anne-context",
                "victorian-context", "elliptic-context", NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "federal-context");

    /* CA file relative to the kubeconfig's directory, client cert and key files */
    t = resolve_ok(kc, NULL);
    ck_assert_str_eq(t->context, "federal-context");
    ck_assert_str_eq(t->cluster, "horse-cluster");
    ck_assert_str_eq(t->user, "green-user");
    ck_assert_str_eq(t->namespace_, "chisel-ns");
    ck_assert_str_eq(t->source, FIX "cs_kubeconfig.yml");
    ck_assert_str_eq(t->server, "https://horse.org:4443");
    assert_bytes_of_file(t->ca_pem, t->ca_len, FIX "assets/ca.crt");
    ca = read_all(FIX "assets/ca.crt", &len);
    fp = sha256_of(ca, len);
    ck_assert_str_eq(t->ca_fingerprint, fp);
    free(fp);
    free(ca);
    ck_assert(!t->insecure);
    assert_bytes_of_file(t->cert_pem, t->cert_len, FIX "assets/client.crt");
    assert_bytes_of_file(t->key_pem, t->key_len, FIX "assets/client.key");
    ck_assert_ptr_null(t->token);
    ck_assert_ptr_null(t->username);
    ck_assert_ptr_null(t->exec);
    kube_target_free(t);

    /* insecure cluster, token user, no CA */
    t = resolve_ok(kc, "queen-anne-context");
    ck_assert_str_eq(t->server, "https://pig.org:443");
    ck_assert(t->insecure);
    ck_assert_ptr_null(t->ca_pem);
    ck_assert_str_eq(t->ca_fingerprint, "none");
    ck_assert_str_eq(t->token, "black-token");
    ck_assert_ptr_null(t->token_file);
    ck_assert_str_eq(t->namespace_, "saw-ns");
    kube_target_free(t);

    /* -data fields decoded to PEM */
    t = resolve_ok(kc, "victorian-context");
    ck_assert_str_eq(t->server, "https://llama.org:443");
    ck_assert_int_eq(strncmp(t->ca_pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
    ck_assert_ptr_nonnull(strstr(t->ca_pem, "-----END CERTIFICATE-----\n"));
    fp = sha256_of(t->ca_pem, t->ca_len);
    ck_assert_str_eq(t->ca_fingerprint, fp);
    free(fp);
    ck_assert_int_eq(strncmp(t->cert_pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
    ck_assert_int_eq(strncmp(t->key_pem, "-----BEGIN RSA PRIVATE KEY-----\n", 32), 0);
    ck_assert_uint_eq(strlen(t->key_pem), t->key_len);
    kube_target_free(t);

    t = resolve_ok(kc, "elliptic-context");
    assert_bytes_of_file(t->cert_pem, t->cert_len, FIX "assets/elliptic.crt");
    assert_bytes_of_file(t->key_pem, t->key_len, FIX "assets/elliptic-client.key");
    kube_target_free(t);

    resolve_fails(kc, "no-such-context");
    assert_msg("context \"no-such-context\" not found in %s", FIX "cs_kubeconfig.yml");
    kubeconfig_free(kc);
}
END_TEST

START_TEST(test_cs_variants)
{
    struct kubeconfig *kc = load_ok(FIX "cs_kubeconfig.no-context-details.yml");
    struct kube_target *t;

    /* a context with a name only: loads (kubectl loads it), cannot be used */
    assert_strv(kubeconfig_contexts(kc), "federal-context", NULL);
    resolve_fails(kc, NULL);
    assert_msg("%s:19: context \"federal-context\": no cluster",
               FIX "cs_kubeconfig.no-context-details.yml");
    kubeconfig_free(kc);

    kc = load_ok(FIX "cs_kubeconfig.user-pass.yml");
    t = resolve_ok(kc, NULL);
    ck_assert_str_eq(t->username, "admin");
    ck_assert_str_eq(t->password, "secret");
    ck_assert_ptr_null(t->token);
    ck_assert_ptr_null(t->cert_pem);
    ck_assert_str_eq(t->namespace_, "chisel-ns");
    kube_target_free(t);
    kubeconfig_free(kc);
}
END_TEST

START_TEST(test_js_fixtures)
{
    struct kubeconfig *kc = load_ok(FIX "js_kubeconfig.yaml");
    struct kube_target *t;

    ck_assert_str_eq(kubeconfig_current_context(kc), "context2");
    t = resolve_ok(kc, "context1");
    ck_assert_str_eq(t->server, "http://example.com");
    ck_assert_str_eq(t->proxy_url, "socks5://localhost:1181");
    ck_assert_str_eq(t->namespace_, "default");
    ck_assert_uint_eq(t->ca_len, 6);
    ck_assert_str_eq(t->ca_pem, "CADATA");
    ck_assert_str_eq(t->cert_pem, "USER_CADATA");
    ck_assert_str_eq(t->key_pem, "USER_CKDATA");
    kube_target_free(t);
    /* cluster2 has a CA and insecure-skip-tls-verify: kubectl refuses that pair */
    resolve_fails(kc, NULL);
    assert_msg("%s:8: cluster \"cluster2\": certificate-authority together with "
               "insecure-skip-tls-verify is not allowed (kubectl refuses it too)",
               FIX "js_kubeconfig.yaml");
    kubeconfig_free(kc);

    kc = load_ok(FIX "js_kubeconfig-proxy-url.yaml");
    t = resolve_ok(kc, "contextA");
    ck_assert_str_eq(t->proxy_url, "socks5://example:1187");
    kube_target_free(t);
    t = resolve_ok(kc, "contextB");
    ck_assert_str_eq(t->proxy_url, "http://example:9443");
    ck_assert_str_eq(t->server, "https://example2.com");
    ck_assert_str_eq(t->ca_pem, "CADAT@");
    kube_target_free(t);
    resolve_fails(kc, "contextD");
    assert_msg("%s:18: cluster \"clusterD\": server htto://exampleerror.com is not an http(s) "
               "URL",
               FIX "js_kubeconfig-proxy-url.yaml");
    t = resolve_ok(kc, "contextF");
    ck_assert_ptr_null(t->proxy_url);
    kube_target_free(t);
    kubeconfig_free(kc);

    kc = load_ok(FIX "js_tls-server-name-kubeconfig.yaml");
    resolve_fails(kc, NULL);
    ck_assert_ptr_nonnull(strstr(status_text(), ":3: cluster \"cluster\": certificate-authority"));
    kubeconfig_free(kc);
}
END_TEST

START_TEST(test_js_merge)
{
    struct kubeconfig *kc;
    struct kube_target *t;
    char *env = xasprintf("%s:%s", FIX "js_kubeconfig.yaml", FIX "js_kubeconfig-2.yaml");

    setenv("KUBECONFIG", env, 1);
    free(env);
    kc = load_ok(NULL);
    assert_strv(kubeconfig_files(kc), FIX "js_kubeconfig.yaml", FIX "js_kubeconfig-2.yaml", NULL);
    assert_strv(kubeconfig_contexts(kc), "context1", "context2", "passwd", "contextA", NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "context2");
    t = resolve_ok(kc, "contextA");
    ck_assert_str_eq(t->server, "http://example2.com");
    ck_assert_str_eq(t->cert_pem, "]SER_CADATA");
    ck_assert_str_eq(t->source, FIX "js_kubeconfig-2.yaml");
    kube_target_free(t);
    kubeconfig_free(kc);

    /* the other order: current-context from the file listed first */
    env = xasprintf("%s:%s", FIX "js_kubeconfig-2.yaml", FIX "js_kubeconfig.yaml");
    setenv("KUBECONFIG", env, 1);
    free(env);
    kc = load_ok(NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "contextA");
    assert_strv(kubeconfig_contexts(kc), "contextA", "context1", "context2", "passwd", NULL);
    kubeconfig_free(kc);
}
END_TEST

START_TEST(test_k9s_missing_cluster)
{
    struct kubeconfig *kc = load_ok(FIX "k9s_config");
    struct kube_target *t;

    t = resolve_ok(kc, NULL);
    ck_assert_str_eq(t->context, "fred");
    ck_assert_str_eq(t->cluster, "zorg");
    ck_assert_str_eq(t->server, "https://localhost:3002");
    ck_assert_str_eq(t->cert_pem, "fred");
    kube_target_free(t);
    t = resolve_ok(kc, "blee");
    ck_assert_str_eq(t->namespace_, "zorg");
    kube_target_free(t);
    /* a context naming a missing cluster: the error names the file and entry */
    resolve_fails(kc, "duh");
    assert_msg("%s:27: context \"duh\": cluster \"duh\" not found", FIX "k9s_config");
    kubeconfig_free(kc);
}
END_TEST

START_TEST(test_exec_fixture)
{
    struct kubeconfig *kc;
    struct kube_target *t;
    char *mine, *env;

    tmp_setup();
    /* as written, the cluster's CA file is absent on this machine */
    kc = load_ok(FIX "website_exec-plugin-kubeconfig-v1.yaml");
    resolve_fails(kc, NULL);
    assert_msg("%s:54: cluster \"my-cluster\": cannot read certificate-authority "
               "/etc/kubernetes/ca.pem: No such file or directory",
               FIX "website_exec-plugin-kubeconfig-v1.yaml");
    kubeconfig_free(kc);

    /* a first file defining the same cluster name wins; the user comes from the fixture */
    mine = put("mine.yaml", "clusters:\n"
                            "- name: my-cluster\n"
                            "  cluster: {server: 'https://10.0.1.1:6443', "
                            "insecure-skip-tls-verify: true}\n");
    env = xasprintf("%s:%s", mine, FIX "website_exec-plugin-kubeconfig-v1.yaml");
    setenv("KUBECONFIG", env, 1);
    kc = load_ok(NULL);
    t = resolve_ok(kc, NULL);
    ck_assert_str_eq(t->server, "https://10.0.1.1:6443");
    ck_assert_ptr_nonnull(t->exec);
    ck_assert_str_eq(t->exec->api_version, "client.authentication.k8s.io/v1");
    ck_assert_str_eq(t->exec->command, "example-client-go-exec-plugin");
    assert_strv((const char *const *)t->exec->args, "arg1", "arg2", NULL);
    assert_strv((const char *const *)t->exec->env, "FOO=bar", NULL);
    ck_assert_str_eq(t->exec->interactive_mode, "Never");
    ck_assert(t->exec->provide_cluster_info);
    ck_assert_int_eq(strncmp(t->exec->install_hint,
                             "example-client-go-exec-plugin is required to authenticate\n", 58),
                     0);
    ck_assert_ptr_null(t->token);
    {
        struct kube_target *d = kube_target_dup(t);

        ck_assert_ptr_ne(d->exec, t->exec);
        ck_assert_str_eq(d->exec->command, t->exec->command);
        assert_strv((const char *const *)d->exec->args, "arg1", "arg2", NULL);
        ck_assert_str_eq(d->ca_fingerprint, "none");
        kube_target_free(d);
    }
    kube_target_free(t);
    kubeconfig_free(kc);
    free(env);
    free(mine);
    tmp_teardown();
}
END_TEST

/*
 * Loading rules
 */

static const char *const file_a = "apiVersion: v1\n"
                                  "kind: Config\n"
                                  "current-context: a-ctx\n"
                                  "clusters:\n"
                                  "- name: shared\n"
                                  "  cluster: {server: 'https://a.example:6443'}\n"
                                  "- name: only-a\n"
                                  "  cluster: {server: 'https://only-a:6443'}\n"
                                  "users:\n"
                                  "- name: shared\n"
                                  "  user: {token: token-a}\n"
                                  "contexts:\n"
                                  "- name: a-ctx\n"
                                  "  context: {cluster: shared, user: shared, namespace: ns-a}\n"
                                  "- name: shared-ctx\n"
                                  "  context: {cluster: shared, user: shared, namespace: from-a}\n";

static const char *const file_b = "current-context: b-ctx\n"
                                  "clusters:\n"
                                  "- name: shared\n"
                                  "  cluster: {server: 'https://b.example:6443'}\n"
                                  "- name: only-b\n"
                                  "  cluster: {server: 'https://only-b:6443'}\n"
                                  "users:\n"
                                  "- name: shared\n"
                                  "  user: {token: token-b}\n"
                                  "- name: only-b\n"
                                  "  user: {username: u, password: p}\n"
                                  "contexts:\n"
                                  "- name: b-ctx\n"
                                  "  context: {cluster: only-b, user: only-b}\n"
                                  "- name: shared-ctx\n"
                                  "  context: {cluster: only-b, user: only-b, namespace: from-b}\n";

START_TEST(test_merge_first_wins)
{
    char *a, *b, *env;
    struct kubeconfig *kc;
    struct kube_target *t;

    tmp_setup();
    a = put("a.yaml", file_a);
    b = put("b.yaml", file_b);
    env = xasprintf("%s:%s", a, b);
    setenv("KUBECONFIG", env, 1);
    kc = load_ok(NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "a-ctx");
    assert_strv(kubeconfig_contexts(kc), "a-ctx", "shared-ctx", "b-ctx", NULL);
    /* context, cluster and user "shared" all come from a */
    t = resolve_ok(kc, "shared-ctx");
    ck_assert_str_eq(t->namespace_, "from-a");
    ck_assert_str_eq(t->server, "https://a.example:6443");
    ck_assert_str_eq(t->token, "token-a");
    ck_assert_str_eq(t->source, a);
    kube_target_free(t);
    /* a context of b uses b's own entries */
    t = resolve_ok(kc, "b-ctx");
    ck_assert_str_eq(t->server, "https://only-b:6443");
    ck_assert_str_eq(t->username, "u");
    ck_assert_str_eq(t->source, b);
    kube_target_free(t);
    kubeconfig_free(kc);
    free(env);

    /* reversed: b wins everything */
    env = xasprintf("%s:%s", b, a);
    setenv("KUBECONFIG", env, 1);
    kc = load_ok(NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "b-ctx");
    t = resolve_ok(kc, "shared-ctx");
    ck_assert_str_eq(t->namespace_, "from-b");
    kube_target_free(t);
    t = resolve_ok(kc, "a-ctx");
    ck_assert_str_eq(t->server, "https://b.example:6443");
    ck_assert_str_eq(t->token, "token-b");
    ck_assert_str_eq(t->source, a);
    kube_target_free(t);
    kubeconfig_free(kc);
    free(env);
    free(a);
    free(b);
    tmp_teardown();
}
END_TEST

START_TEST(test_current_context_precedence)
{
    char *none, *b, *a, *env;
    struct kubeconfig *kc;

    tmp_setup();
    none = put("none.yaml", "current-context: \"\"\nclusters: []\n");
    a = put("a.yaml", file_a);
    b = put("b.yaml", file_b);
    /* a file without current-context does not take it; the next that sets it does */
    env = xasprintf("%s:%s:%s", none, b, a);
    setenv("KUBECONFIG", env, 1);
    kc = load_ok(NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "b-ctx");
    kubeconfig_free(kc);
    free(env);
    /* no file sets it */
    setenv("KUBECONFIG", none, 1);
    kc = load_ok(NULL);
    ck_assert_ptr_null(kubeconfig_current_context(kc));
    resolve_fails(kc, NULL);
    assert_msg("no context chosen: current-context is not set in %s; choose one with --context",
               none);
    kubeconfig_free(kc);
    free(none);
    free(a);
    free(b);
    tmp_teardown();
}
END_TEST

START_TEST(test_kubeconfig_list_rules)
{
    char *a, *b, *missing, *env;
    struct kubeconfig *kc;

    tmp_setup();
    a = put("a.yaml", file_a);
    b = put("b.yaml", file_b);
    missing = xasprintf("%s/nope.yaml", tmp);
    /* empty entries and missing files skipped, a repeated path read once */
    env = xasprintf(":%s::%s:%s:%s:", missing, a, b, a);
    setenv("KUBECONFIG", env, 1);
    kc = load_ok(NULL);
    assert_strv(kubeconfig_files(kc), a, b, NULL);
    kubeconfig_free(kc);
    free(env);
    /* every entry missing: an empty config, and a clear error when used */
    setenv("KUBECONFIG", missing, 1);
    kc = load_ok(NULL);
    assert_strv(kubeconfig_files(kc), NULL);
    assert_strv(kubeconfig_contexts(kc), NULL);
    resolve_fails(kc, NULL);
    assert_msg("no kubeconfig: KUBECONFIG=%s does not exist", missing);
    kubeconfig_free(kc);
    /* --kubeconfig reads that file only, whatever KUBECONFIG says */
    env = xasprintf("%s:%s", a, b);
    setenv("KUBECONFIG", env, 1);
    kc = load_ok(b);
    assert_strv(kubeconfig_files(kc), b, NULL);
    ck_assert_str_eq(kubeconfig_current_context(kc), "b-ctx");
    kubeconfig_free(kc);
    /* ... and it must exist */
    kc = (struct kubeconfig *)&kc;
    ck_assert_int_eq(kubeconfig_load(missing, &kc), STATUS_IO);
    ck_assert_ptr_null(kc);
    assert_msg("%s: No such file or directory", missing);
    free(env);
    free(missing);
    free(a);
    free(b);
    tmp_teardown();
}
END_TEST

START_TEST(test_home_fallback)
{
    struct kubeconfig *kc;
    struct kube_target *t;
    char *path, *want;

    tmp_setup();
    /* HOME set, no ~/.kube/config: an empty config */
    kc = load_ok(NULL);
    assert_strv(kubeconfig_files(kc), NULL);
    resolve_fails(kc, NULL);
    assert_msg("no kubeconfig: %s/.kube/config does not exist", tmp);
    kubeconfig_free(kc);
    /* KUBECONFIG empty counts as unset */
    setenv("KUBECONFIG", "", 1);
    path = put(".kube/config", file_b);
    kc = load_ok(NULL);
    assert_strv(kubeconfig_files(kc), path, NULL);
    t = resolve_ok(kc, NULL);
    ck_assert_str_eq(t->context, "b-ctx");
    kube_target_free(t);
    kubeconfig_free(kc);
    /* an empty file is an empty config */
    free(path);
    path = put(".kube/config", "");
    kc = load_ok(NULL);
    assert_strv(kubeconfig_contexts(kc), NULL);
    kubeconfig_free(kc);
    want = xasprintf("%s/.kube/config", tmp);
    ck_assert_str_eq(path, want);
    free(want);
    free(path);
    tmp_teardown();
}
END_TEST

START_TEST(test_relative_paths_and_data)
{
    struct kubeconfig *kc;
    struct kube_target *t;
    char *path, *ca_path, *want, *cwd_rel, *prev;
    char cwd[4096];

    tmp_setup();
    free(put("conf/certs/ca.pem", "CA FROM FILE\n"));
    free(put("conf/certs/client.pem", "CERT FROM FILE\n"));
    free(put("conf/certs/client.key", "KEY FROM FILE\n"));
    path = put("conf/kubeconfig",
               "clusters:\n"
               "- name: file-ca\n"
               "  cluster: {server: 'https://x:6443', certificate-authority: certs/ca.pem}\n"
               "- name: both-ca\n"
               "  cluster:\n"
               "    server: x.example:6443\n"
               "    certificate-authority: certs/missing.pem\n"
               "    certificate-authority-data: REFUQQ==\n"
               "    tls-server-name: kube.example\n"
               "    disable-compression: true\n"
               "users:\n"
               "- name: files\n"
               "  user:\n"
               "    client-certificate: ./certs/client.pem\n"
               "    client-key: certs/../certs/client.key\n"
               "    tokenFile: secrets/token\n"
               "- name: both\n"
               "  user:\n"
               "    client-certificate: certs/missing.pem\n"
               "    client-certificate-data: Q0VSVA==\n"
               "    client-key: certs/missing.key\n"
               "    client-key-data: S0VZ\n"
               "    token: tok\n"
               "    tokenFile: secrets/token\n"
               "- name: exec-dot\n"
               "  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, "
               "command: ./bin/plugin}}\n"
               "- name: exec-up\n"
               "  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, "
               "command: ../tools/plugin, interactiveMode: Always}}\n"
               "- name: exec-path\n"
               "  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, "
               "command: aws}}\n"
               "- name: exec-abs\n"
               "  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, "
               "command: /usr/bin/plugin}}\n"
               "contexts:\n"
               "- {name: files, context: {cluster: file-ca, user: files}}\n"
               "- {name: both, context: {cluster: both-ca, user: both}}\n"
               "- {name: exec-dot, context: {cluster: file-ca, user: exec-dot}}\n"
               "- {name: exec-up, context: {cluster: file-ca, user: exec-up}}\n"
               "- {name: exec-path, context: {cluster: file-ca, user: exec-path}}\n"
               "- {name: exec-abs, context: {cluster: file-ca, user: exec-abs}}\n");
    /* loaded through a relative path: the base is still the file's absolute directory */
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(tmp), 0);
    kc = load_ok("conf/kubeconfig");
    prev = xstrdup(cwd);

    t = resolve_ok(kc, "files");
    ca_path = xasprintf("%s/conf/certs/ca.pem", tmp);
    ck_assert_str_eq(t->ca_pem, "CA FROM FILE\n");
    ck_assert_str_eq(t->cert_pem, "CERT FROM FILE\n");
    ck_assert_str_eq(t->key_pem, "KEY FROM FILE\n");
    want = xasprintf("%s/conf/secrets/token", tmp);
    ck_assert_str_eq(t->token_file, want);
    ck_assert_ptr_null(t->token);
    ck_assert_str_eq(t->source, path);
    free(want);
    kube_target_free(t);

    /* -data wins over the file (the files do not even exist); token beats tokenFile */
    t = resolve_ok(kc, "both");
    ck_assert_str_eq(t->ca_pem, "DATA");
    ck_assert_str_eq(t->cert_pem, "CERT");
    ck_assert_str_eq(t->key_pem, "KEY");
    ck_assert_str_eq(t->token, "tok");
    ck_assert_ptr_null(t->token_file);
    ck_assert_str_eq(t->server, "https://x.example:6443");
    ck_assert_str_eq(t->tls_server_name, "kube.example");
    ck_assert(t->disable_compression);
    kube_target_free(t);

    t = resolve_ok(kc, "exec-dot");
    want = xasprintf("%s/conf/bin/plugin", tmp);
    ck_assert_str_eq(t->exec->command, want);
    ck_assert_str_eq(t->exec->interactive_mode, "IfAvailable");
    free(want);
    kube_target_free(t);
    t = resolve_ok(kc, "exec-up");
    want = xasprintf("%s/tools/plugin", tmp);
    ck_assert_str_eq(t->exec->command, want);
    ck_assert_str_eq(t->exec->interactive_mode, "Always");
    free(want);
    kube_target_free(t);
    t = resolve_ok(kc, "exec-path");
    ck_assert_str_eq(t->exec->command, "aws");
    ck_assert_ptr_null(t->exec->args);
    ck_assert_ptr_null(t->exec->env);
    kube_target_free(t);
    t = resolve_ok(kc, "exec-abs");
    ck_assert_str_eq(t->exec->command, "/usr/bin/plugin");
    kube_target_free(t);
    kubeconfig_free(kc);

    /* KUBECONFIG with a relative entry */
    cwd_rel = xstrdup("conf/kubeconfig");
    setenv("KUBECONFIG", cwd_rel, 1);
    kc = load_ok(NULL);
    assert_strv(kubeconfig_files(kc), path, NULL);
    kubeconfig_free(kc);
    ck_assert_int_eq(chdir(prev), 0);
    free(prev);
    free(cwd_rel);
    free(ca_path);
    free(path);
    tmp_teardown();
}
END_TEST

/*
 * Validation at resolve time: each error names the file, line and entry
 */

struct resolve_case {
    const char *user;    /* user body (flow mapping) */
    const char *cluster; /* cluster body */
    const char *context; /* context body */
    const char *want;    /* the message after "<file>:<line>: "; @TMP@ = the temp dir */
    int line;            /* the entry's line: cluster 3, user 6, context 9 */
};

static const struct resolve_case resolve_cases[] = {
    {"{token: t, username: u, password: p}", NULL, NULL,
     "user \"u\": more than one authentication method found (token and username/password); "
     "only one is allowed",
     6},
    {"{token: t, password: p}", NULL, NULL,
     "user \"u\": more than one authentication method found (token and username/password); "
     "only one is allowed",
     6},
    {"{exec: {command: c, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never},"
     " auth-provider: {name: oidc}}",
     NULL, NULL, "user \"u\": exec and auth-provider together; only one is allowed", 6},
    {"{exec: {apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}}", NULL, NULL,
     "user \"u\": exec without command", 6},
    {"{exec: {command: c, interactiveMode: Never}}", NULL, NULL,
     "user \"u\": exec without apiVersion", 6},
    {"{exec: {command: c, apiVersion: client.authentication.k8s.io/v1}}", NULL, NULL,
     "user \"u\": exec without interactiveMode (required by client.authentication.k8s.io/v1)", 6},
    {"{exec: {command: c, apiVersion: client.authentication.k8s.io/v1, interactiveMode: "
     "Sometimes}}",
     NULL, NULL,
     "user \"u\": exec interactiveMode Sometimes is not one of Never, IfAvailable, Always", 6},
    {"{exec: {command: c, apiVersion: client.authentication.k8s.io/v1alpha1}}", NULL, NULL,
     "user \"u\": exec apiVersion client.authentication.k8s.io/v1alpha1 is not supported (use "
     "client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1)",
     6},
    {"{exec: {command: c, apiVersion: client.authentication.k8s.io/v1beta1, env: [{value: x}]}}",
     NULL, NULL, "user \"u\": exec env entry without a name", 6},
    {"{auth-provider: {name: oidc, config: {client-id: x}}}", NULL, NULL,
     "user \"u\": auth-provider oidc is not supported; use an exec credential plugin", 6},
    {"{token: t, as: admin}", NULL, NULL,
     "user \"u\": impersonation (as, as-groups, as-uid, as-user-extra) is not supported", 6},
    {"{token: t, as-groups: [system:masters]}", NULL, NULL,
     "user \"u\": impersonation (as, as-groups, as-uid, as-user-extra) is not supported", 6},
    {"{client-certificate-data: Q0VSVA==}", NULL, NULL,
     "user \"u\": client-certificate without client-key", 6},
    {"{client-key: k.pem}", NULL, NULL, "user \"u\": client-key without client-certificate", 6},
    {"{client-certificate-data: 'Q0V!SVA==', client-key-data: S0VZ}", NULL, NULL,
     "user \"u\": client-certificate-data is not valid base64 (at byte 3)", 6},
    {"{client-certificate-data: Q0VSVA==, client-key-data: S0VZS}", NULL, NULL,
     "user \"u\": client-key-data is not valid base64 (at byte 5)", 6},
    {"{client-certificate: nope.crt, client-key-data: S0VZ}", NULL, NULL,
     "user \"u\": cannot read client-certificate @TMP@/nope.crt: No such file or directory", 6},
    {NULL, "{server: 'https://k', certificate-authority-data: 'Q0F=EQQ=='}", NULL,
     "cluster \"c\": certificate-authority-data is not valid base64 (at byte 4)", 3},
    {NULL, "{server: 'https://k', certificate-authority: ca/none.pem}", NULL,
     "cluster \"c\": cannot read certificate-authority @TMP@/ca/none.pem: No such file or "
     "directory",
     3},
    {NULL, "{insecure-skip-tls-verify: false}", NULL, "cluster \"c\": no server", 3},
    {NULL, "{server: 'ftp://x'}", NULL, "cluster \"c\": server ftp://x is not an http(s) URL", 3},
    {NULL, "{server: 'https://x', proxy-url: 'ftp://proxy:21'}", NULL,
     "cluster \"c\": proxy-url ftp://proxy:21: only http, https and socks5 proxies are "
     "supported",
     3},
    {NULL, NULL, "{cluster: c}", "context \"x\": no user", 9},
    {NULL, NULL, "{user: u}", "context \"x\": no cluster", 9},
    {NULL, NULL, "{cluster: c, user: ghost}", "context \"x\": user \"ghost\" not found", 9},
    {NULL, NULL, "{cluster: ghost, user: u}", "context \"x\": cluster \"ghost\" not found", 9},
    {NULL, NULL, "{cluster: c, user: u, namespace: Bad_NS}",
     "context \"x\": namespace \"Bad_NS\" is not a valid namespace name", 9},
};

START_TEST(test_resolve_errors)
{
    const struct resolve_case *rc = &resolve_cases[_i];
    char *text, *path, *want;
    struct kubeconfig *kc;

    tmp_setup();
    text = xasprintf("current-context: x\n"
                     "clusters:\n"
                     "- name: c\n"
                     "  cluster: %s\n"
                     "users:\n"
                     "- name: u\n"
                     "  user: %s\n"
                     "contexts:\n"
                     "- name: x\n"
                     "  context: %s\n",
                     rc->cluster ? rc->cluster : "{server: 'https://k:6443'}",
                     rc->user ? rc->user : "{token: t}",
                     rc->context ? rc->context : "{cluster: c, user: u}");
    /* lines as written: the item line of c is 3, of u 6, of x 9 */
    path = put("kc.yaml", text);
    kc = load_ok(path);
    resolve_fails(kc, NULL);
    want = subst_tmp(rc->want);
    assert_msg("%s:%d: %s", path, rc->line, want);
    kubeconfig_free(kc);
    free(want);
    free(path);
    free(text);
    tmp_teardown();
}
END_TEST

START_TEST(test_current_context_undefined)
{
    char *path;
    struct kubeconfig *kc;

    tmp_setup();
    path = put("kc.yaml", "clusters: []\n\ncurrent-context: gone\n");
    kc = load_ok(path);
    resolve_fails(kc, NULL);
    assert_msg("%s:3: current-context: context \"gone\" is not defined", path);
    kubeconfig_free(kc);
    free(path);
    tmp_teardown();
}
END_TEST

/*
 * Broken files: an error at load naming the file, line and key
 */

struct load_case {
    const char *text;
    enum status code;
    const char *want; /* after "<file>:" */
};

static const struct load_case load_cases[] = {
    /* broken YAML at several places */
    {"apiVersion: v1\nclusters:\n- name: a\n\tcluster: {}\n", STATUS_YAML,
     "4:1: found a tab character that violates indentation while scanning a plain scalar "
     "(line 3)"},
    {"clusters:\n- name: a\n  cluster: {server: \"https://x}\n", STATUS_YAML,
     "4:1: found unexpected end of stream while scanning a quoted scalar (line 3)"},
    {"users:\n- name: u\n  user:\n    token: a: b\n", STATUS_YAML,
     "4:13: mapping values are not allowed in this context"},
    {"contexts:\n- name: x\n  context: [cluster: c\n", STATUS_YAML,
     "4:1: did not find expected ',' or ']' while parsing a flow sequence (line 3)"},
    {"current-context: a\ncurrent-context: b\n", STATUS_YAML,
     "2: current-context: duplicate key (first at line 1)"},
    /* wrong types */
    {"clusters:\n  name: a\n", STATUS_CONFIG, "2: clusters: expected a sequence, got a mapping"},
    {"clusters:\n- name: a\n  cluster: https://x\n", STATUS_CONFIG,
     "3: clusters[0].cluster: expected a mapping, got a string"},
    {"clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: maybe\n", STATUS_CONFIG,
     "4: clusters[0].cluster.insecure-skip-tls-verify: expected a boolean (true or false), got "
     "\"maybe\""},
    {"clusters:\n- name: a\n  cluster:\n    server: [x]\n", STATUS_CONFIG,
     "4: clusters[0].cluster.server: expected a string, got a sequence"},
    {"users:\n- name: u\n  user:\n    exec:\n      command: c\n      args: -x\n", STATUS_CONFIG,
     "6: users[0].user.exec.args: expected a sequence, got a string"},
    {"users:\n- name: u\n  user:\n    exec:\n      env: [FOO=bar]\n", STATUS_CONFIG,
     "5: users[0].user.exec.env[0]: expected a mapping, got a string"},
    {"users:\n- name: u\n  user:\n    exec: {provideClusterInfo: 1}\n", STATUS_CONFIG,
     "4: users[0].user.exec.provideClusterInfo: expected a boolean (true or false), got 1"},
    {"users:\n- name: u\n  user:\n    auth-provider: oidc\n", STATUS_CONFIG,
     "4: users[0].user.auth-provider: expected a mapping, got a string"},
    {"contexts:\n- name: x\n  context:\n    namespace: {a: b}\n", STATUS_CONFIG,
     "4: contexts[0].context.namespace: expected a string, got a mapping"},
    {"current-context: [a]\n", STATUS_CONFIG,
     "1: current-context: expected a string, got a sequence"},
    {"- just\n- a list\n", STATUS_CONFIG, "1: expected a mapping, got a sequence"},
    /* missing fields, duplicates, documents */
    {"clusters:\n- cluster: {server: 'https://x'}\n", STATUS_CONFIG,
     "2: clusters[0]: an entry without a name"},
    {"users:\n- name: ''\n  user: {}\n", STATUS_CONFIG, "2: users[0]: an entry without a name"},
    {"contexts:\n- name: x\n- name: y\n- name: x\n", STATUS_CONFIG,
     "4: contexts[2]: duplicate name \"x\" in contexts (first at line 2)"},
    {"clusters: []\n---\nusers: []\n", STATUS_CONFIG,
     "3: a kubeconfig holds one YAML document, not 2"},
};

START_TEST(test_load_errors)
{
    const struct load_case *lc = &load_cases[_i];
    char *path;

    tmp_setup();
    path = load_fails("bad.yaml", lc->text, lc->code);
    assert_msg("%s:%s", path, lc->want);
    free(path);
    tmp_teardown();
}
END_TEST

START_TEST(test_losing_entry_still_checked)
{
    char *a, *bad, *env;
    struct kubeconfig *kc = (struct kubeconfig *)&kc;

    tmp_setup();
    a = put("a.yaml", file_a);
    /* b's "shared" cluster loses to a's, but a wrong type in it still fails, as in kubectl */
    bad = put("b.yaml", "clusters:\n- name: shared\n  cluster: {server: {x: 1}}\n");
    env = xasprintf("%s:%s", a, bad);
    setenv("KUBECONFIG", env, 1);
    ck_assert_int_eq(kubeconfig_load(NULL, &kc), STATUS_CONFIG);
    ck_assert_ptr_null(kc);
    assert_msg("%s:3: clusters[0].cluster.server: expected a string, got a mapping", bad);
    free(env);
    free(a);
    free(bad);
    tmp_teardown();
}
END_TEST

START_TEST(test_unknown_keys_ignored)
{
    char *path;
    struct kubeconfig *kc;
    struct kube_target *t;

    tmp_setup();
    /* kubectl ignores fields it does not know (and extensions, preferences) */
    path = put("kc.yaml", "apiVersion: v1\nkind: Config\npreferences: {colors: true}\n"
                          "extensions: [{name: x, extension: {a: 1}}]\n"
                          "future-field: 1\n"
                          "clusters: [{name: c, cluster: {server: 'https://k', extensions: [],"
                          " future: x}}]\n"
                          "users: [{name: u, user: {token: t, future: y}}]\n"
                          "contexts: [{name: x, context: {cluster: c, user: u, future: z}}]\n"
                          "current-context: x\n");
    kc = load_ok(path);
    t = resolve_ok(kc, NULL);
    ck_assert_str_eq(t->token, "t");
    ck_assert_str_eq(t->server, "https://k");
    kube_target_free(t);
    kubeconfig_free(kc);
    free(path);
    tmp_teardown();
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("kubeconfig");
    TCase *tc = tcase_create("kubeconfig");

    tcase_add_test(tc, test_cs_kubeconfig);
    tcase_add_test(tc, test_cs_variants);
    tcase_add_test(tc, test_js_fixtures);
    tcase_add_test(tc, test_js_merge);
    tcase_add_test(tc, test_k9s_missing_cluster);
    tcase_add_test(tc, test_exec_fixture);
    tcase_add_test(tc, test_merge_first_wins);
    tcase_add_test(tc, test_current_context_precedence);
    tcase_add_test(tc, test_kubeconfig_list_rules);
    tcase_add_test(tc, test_home_fallback);
    tcase_add_test(tc, test_relative_paths_and_data);
    tcase_add_loop_test(tc, test_resolve_errors, 0, (int)ARRAY_SIZE(resolve_cases));
    tcase_add_test(tc, test_current_context_undefined);
    tcase_add_loop_test(tc, test_load_errors, 0, (int)ARRAY_SIZE(load_cases));
    tcase_add_test(tc, test_losing_entry_still_checked);
    tcase_add_test(tc, test_unknown_keys_ignored);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
