/* SPDX-License-Identifier: MIT */
/* test-platform.c - the platform definition: defaults, the example, strict errors */
#include "config.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/conventions.h"
#include "opsdeck/paths.h"
#include "opsdeck/platform.h"
#include "opsdeck/status.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

#define FIX     TEST_FIXTURES "/platform/"
#define EXAMPLE TEST_FIXTURES "/../../examples/deploy-mcp/platform.yml"

static char tmp[64];

static void
tmp_setup(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/test-platform-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
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

static char *
put(const char *rel, const char *text)
{
    char *path = xasprintf("%s/%s", tmp, rel);
    char *dir = paths_dirname(path);
    FILE *f;

    mkdir(dir, 0755);
    free(dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static struct platform *
load_ok(const char *path)
{
    struct platform *p = NULL;
    enum status st = platform_load(path, &p);

    ck_assert_msg(st == STATUS_OK, "load failed: %s", status_text());
    ck_assert_ptr_nonnull(p);
    return p;
}

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

/* Every field of conv equals the seed defaults. */
static void
assert_seed_conventions(const struct conventions *c)
{
    struct conventions seed;

    conventions_init_defaults(&seed);
    ck_assert_str_eq(c->pool_label, seed.pool_label);
    ck_assert_str_eq(c->tenant_label, seed.tenant_label);
    ck_assert_str_eq(c->project_label, seed.project_label);
    ck_assert_str_eq(c->namespace_pattern, seed.namespace_pattern);
    ck_assert_str_eq(c->system_namespace, seed.system_namespace);
    ck_assert_str_eq(c->ingress_policy, seed.ingress_policy);
    ck_assert_str_eq(c->egress_policy, seed.egress_policy);
    ck_assert_str_eq(c->quota_name, seed.quota_name);
    ck_assert_str_eq(c->apps_domain, seed.apps_domain);
    ck_assert_str_eq(c->pod_log_selector, seed.pod_log_selector);
    ck_assert_str_eq(c->node_log_selector, seed.node_log_selector);
    ck_assert_str_eq(c->build_log_selector, seed.build_log_selector);
    ck_assert_str_eq(c->pod_cidr, seed.pod_cidr);
    ck_assert_str_eq(c->service_cidr, seed.service_cidr);
    conventions_done(&seed);
}

static void
assert_endpoint_unset(const struct endpoint *ep)
{
    ck_assert_ptr_null(ep->url);
    ck_assert_ptr_null(ep->service);
    ck_assert_ptr_null(ep->username);
    ck_assert_ptr_null(ep->password);
    ck_assert_ptr_null(ep->password_file);
    ck_assert_ptr_null(ep->bearer_token);
    ck_assert_ptr_null(ep->bearer_token_file);
    ck_assert_ptr_null(ep->org_id);
    ck_assert_ptr_null(ep->ca_file);
    ck_assert(!ep->insecure);
}

START_TEST(test_default)
{
    struct platform *p = platform_default();

    ck_assert_ptr_null(p->path);
    ck_assert_str_eq(p->name, "k3s");
    ck_assert(!p->production);
    ck_assert(!p->readonly);
    ck_assert_ptr_null(p->kubeconfig);
    ck_assert_ptr_null(p->context);
    assert_endpoint_unset(&p->loki);
    assert_endpoint_unset(&p->prometheus);
    ck_assert_ptr_null(p->ansible_inventory);
    ck_assert_ptr_null(p->ansible_playbooks);
    ck_assert_ptr_null(p->manifests);
    ck_assert_int_eq(p->refresh_s, 2);
    ck_assert(!p->utc);
    ck_assert_ptr_null(p->theme);
    assert_seed_conventions(&p->conv);
    platform_free(p);
    platform_free(NULL);
}
END_TEST

START_TEST(test_example_loads)
{
    struct platform *p;
    char *dir, *want, *proxy;

    tmp_setup();
    p = load_ok(EXAMPLE);
    dir = paths_dirname(EXAMPLE);
    want = paths_absolute(NULL, EXAMPLE);
    ck_assert_str_eq(p->path, want);
    free(want);
    ck_assert_str_eq(p->name, "deploy-mcp");
    ck_assert(p->production);
    ck_assert(!p->readonly);
    want = xasprintf("%s/.kube/deploy-mcp.yaml", tmp);
    ck_assert_str_eq(p->kubeconfig, want);
    free(want);
    ck_assert_str_eq(p->context, "default");
    ck_assert_str_eq(p->loki.service, "dp-system/loki:3100");
    ck_assert_ptr_null(p->loki.url);
    proxy = platform_proxy_path(&p->loki);
    ck_assert_str_eq(proxy, "/api/v1/namespaces/dp-system/services/loki:3100/proxy");
    free(proxy);
    ck_assert_str_eq(p->prometheus.service, "dp-system/prometheus-operated:9090");
    proxy = platform_proxy_path(&p->prometheus);
    ck_assert_str_eq(proxy, "/api/v1/namespaces/dp-system/services/prometheus-operated:9090/proxy");
    free(proxy);
    want = xasprintf("%s/infra/ansible/inventory/hosts.yml", dir);
    ck_assert_str_eq(p->ansible_inventory, want);
    free(want);
    want = xasprintf("%s/infra/ansible/playbooks", dir);
    ck_assert_str_eq(p->ansible_playbooks, want);
    free(want);
    want = xasprintf("%s/infra/k8s", dir);
    ck_assert_str_eq(p->manifests, want);
    free(want);
    ck_assert_int_eq(p->refresh_s, 2);
    ck_assert(!p->utc);
    ck_assert_str_eq(p->theme, "default");
    assert_seed_conventions(&p->conv);
    free(dir);
    platform_free(p);
    tmp_teardown();
}
END_TEST

START_TEST(test_full)
{
    struct platform *p;
    char *dir, *want;

    tmp_setup();
    p = load_ok(FIX "full.yml");
    dir = paths_dirname(FIX "full.yml");
    ck_assert_str_eq(p->name, "staging");
    ck_assert(!p->production);
    ck_assert(p->readonly);
    want = xasprintf("%s/kube/staging.yaml", dir);
    ck_assert_str_eq(p->kubeconfig, want);
    free(want);
    ck_assert_str_eq(p->context, "staging-admin");

    ck_assert_str_eq(p->loki.url, "https://loki.staging.example");
    ck_assert_ptr_null(p->loki.service);
    ck_assert_ptr_null(platform_proxy_path(&p->loki));
    ck_assert_str_eq(p->loki.username, "ops");
    ck_assert_ptr_null(p->loki.password);
    want = xasprintf("%s/secrets/loki.pw", dir);
    ck_assert_str_eq(p->loki.password_file, want);
    free(want);
    ck_assert_str_eq(p->loki.org_id, "platform");
    ck_assert_str_eq(p->loki.ca_file, "/etc/ssl/staging-ca.pem");
    ck_assert(!p->loki.insecure);

    ck_assert_str_eq(p->prometheus.url, "http://prometheus.staging.example:9090");
    want = xasprintf("%s/tokens/prometheus", tmp);
    ck_assert_str_eq(p->prometheus.bearer_token_file, want);
    free(want);
    ck_assert(p->prometheus.insecure);
    ck_assert_ptr_null(p->prometheus.username);

    want = paths_absolute(dir, "../ansible/hosts.yml");
    ck_assert_str_eq(p->ansible_inventory, want);
    ck_assert_ptr_null(strstr(p->ansible_inventory, ".."));
    free(want);
    want = xasprintf("%s/ansible/playbooks", dir);
    ck_assert_str_eq(p->ansible_playbooks, want);
    free(want);
    ck_assert_str_eq(p->manifests, "/srv/manifests");
    ck_assert_int_eq(p->refresh_s, 10);
    ck_assert(p->utc);
    want = xasprintf("%s/themes/dark.theme", dir);
    ck_assert_str_eq(p->theme, want);
    free(want);

    ck_assert_str_eq(p->conv.pool_label, "node.example.com/pool");
    ck_assert_str_eq(p->conv.tenant_label, "example.com/customer");
    ck_assert_str_eq(p->conv.project_label, "example.com/app");
    ck_assert_str_eq(p->conv.namespace_pattern, "cust-{tenant}-{project}");
    ck_assert_str_eq(p->conv.system_namespace, "platform-system");
    ck_assert_str_eq(p->conv.ingress_policy, "deny-ingress");
    ck_assert_str_eq(p->conv.egress_policy, "deny-egress");
    ck_assert_str_eq(p->conv.quota_name, "limits");
    ck_assert_str_eq(p->conv.apps_domain, "apps.example.com");
    ck_assert_str_eq(p->conv.pod_log_selector,
                     "{k8s_ns=\"{namespace}\",pod=\"{pod}\",container=\"{container}\"}");
    ck_assert_str_eq(p->conv.node_log_selector, "{host=\"{node}\"}");
    ck_assert_str_eq(p->conv.build_log_selector,
                     "{job=\"builds\",tenant=\"{tenant}\",project=\"{project}\","
                     "service=\"{service}\"}");
    ck_assert_str_eq(p->conv.pod_cidr, "10.244.0.0/16");
    ck_assert_str_eq(p->conv.service_cidr, "fd00:10:96::/108");
    free(dir);
    platform_free(p);
    tmp_teardown();
}
END_TEST

START_TEST(test_partial_and_empty)
{
    struct platform *p;
    char *path;

    tmp_setup();
    /* an empty file and a comment-only file are the built-in definition */
    path = put("empty.yml", "");
    p = load_ok(path);
    ck_assert_str_eq(p->path, path);
    ck_assert_str_eq(p->name, "k3s");
    assert_seed_conventions(&p->conv);
    platform_free(p);
    free(path);
    path = put("comment.yml", "# nothing yet\n");
    p = load_ok(path);
    ck_assert_int_eq(p->refresh_s, 2);
    platform_free(p);
    free(path);
    /* a few conventions overridden, the rest stay the seed's; null sections are fine */
    path = put("partial.yml", "conventions:\n"
                              "  apps_domain: ml.ink\n"
                              "  isolation_policies: {egress: egress-lockdown}\n"
                              "loki:\n"
                              "console: ~\n");
    p = load_ok(path);
    ck_assert_str_eq(p->conv.apps_domain, "ml.ink");
    ck_assert_str_eq(p->conv.egress_policy, "egress-lockdown");
    ck_assert_str_eq(p->conv.ingress_policy, "ingress-isolation");
    ck_assert_str_eq(p->conv.tenant_label, "dp.ml.ink/tenant");
    assert_endpoint_unset(&p->loki);
    platform_free(p);
    free(path);
    tmp_teardown();
}
END_TEST

START_TEST(test_anchors_relative_and_missing)
{
    struct platform *p = (struct platform *)&p;
    char *path, *want;
    char cwd[4096];

    tmp_setup();
    /* shared settings through an anchor; loaded through a relative path from elsewhere */
    path = put("conf/platform.yml", "x-auth: &auth\n"
                                    "  username: ops\n"
                                    "  password_file: loki.pw\n");
    ck_assert_int_eq(platform_load(path, &p), STATUS_CONFIG);
    assert_msg("%s:1: x-auth: unknown key", path);
    free(path);
    path = put("conf/platform.yml", "loki: &ep\n"
                                    "  url: https://loki.example\n"
                                    "  username: ops\n"
                                    "  password_file: loki.pw\n"
                                    "prometheus:\n"
                                    "  <<: *ep\n"
                                    "  url: https://prom.example\n");
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir("/"), 0);
    p = load_ok(path + 1);
    ck_assert_int_eq(chdir(cwd), 0);
    want = xasprintf("%s/conf/loki.pw", tmp);
    ck_assert_str_eq(p->loki.password_file, want);
    ck_assert_str_eq(p->prometheus.password_file, want);
    ck_assert_str_eq(p->prometheus.url, "https://prom.example");
    ck_assert_str_eq(p->prometheus.username, "ops");
    free(want);
    platform_free(p);
    free(path);

    /* a missing file */
    path = xasprintf("%s/nope.yml", tmp);
    p = (struct platform *)&p;
    ck_assert_int_eq(platform_load(path, &p), STATUS_IO);
    ck_assert_ptr_null(p);
    assert_msg("%s: No such file or directory", path);
    free(path);
    tmp_teardown();
}
END_TEST

START_TEST(test_overrides)
{
    struct platform *p = platform_default();
    char cwd[4096], *want;

    free(p->kubeconfig);
    p->kubeconfig = xstrdup("/etc/platform-kubeconfig");
    p->context = xstrdup("platform-ctx");
    platform_apply_overrides(p, NULL, NULL);
    ck_assert_str_eq(p->kubeconfig, "/etc/platform-kubeconfig");
    ck_assert_str_eq(p->context, "platform-ctx");
    /* --context alone keeps the platform's kubeconfig */
    platform_apply_overrides(p, NULL, "other");
    ck_assert_str_eq(p->kubeconfig, "/etc/platform-kubeconfig");
    ck_assert_str_eq(p->context, "other");
    /* --kubeconfig drops the platform's context: that file's current-context applies */
    platform_apply_overrides(p, "sim/kubeconfig", NULL);
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    want = xasprintf("%s/sim/kubeconfig", strcmp(cwd, "/") ? cwd : "");
    ck_assert_str_eq(p->kubeconfig, want);
    free(want);
    ck_assert_ptr_null(p->context);
    /* both */
    platform_apply_overrides(p, "/k", "c");
    ck_assert_str_eq(p->kubeconfig, "/k");
    ck_assert_str_eq(p->context, "c");
    platform_free(p);
}
END_TEST

START_TEST(test_read_secret)
{
    char *path, *s = NULL;
    char big[70000];

    tmp_setup();
    path = put("pw", "s3cret\n");
    ck_assert_int_eq(platform_read_secret(path, &s), STATUS_OK);
    ck_assert_str_eq(s, "s3cret");
    free(s);
    free(path);
    path = put("crlf", "tok en\r\n");
    ck_assert_int_eq(platform_read_secret(path, &s), STATUS_OK);
    ck_assert_str_eq(s, "tok en");
    free(s);
    free(path);
    path = put("empty", "\n");
    ck_assert_int_eq(platform_read_secret(path, &s), STATUS_CONFIG);
    ck_assert_ptr_null(s);
    assert_msg("%s: empty", path);
    free(path);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    path = put("big", big);
    ck_assert_int_eq(platform_read_secret(path, &s), STATUS_CONFIG);
    assert_msg("%s: larger than 65536 bytes", path);
    free(path);
    path = xasprintf("%s/absent", tmp);
    ck_assert_int_eq(platform_read_secret(path, &s), STATUS_IO);
    assert_msg("%s: No such file or directory", path);
    free(path);
    tmp_teardown();
}
END_TEST

/*
 * Strictness: every error names the file, the line and the key
 */

struct bad_case {
    const char *text;
    const char *want; /* after "<file>:" */
};

static const struct bad_case bad_cases[] = {
    /* unknown keys, at every level */
    {"name: x\nreadonyl: true\n", "2: readonyl: unknown key (did you mean readonly?)"},
    {"prodution: true\n", "1: prodution: unknown key (did you mean production?)"},
    {"console:\n  refresh: 2\n  colour: red\n", "3: console.colour: unknown key"},
    {"cluster: {kubeconfig: /k, namespace: x}\n", "1: cluster.namespace: unknown key"},
    {"loki:\n  url: https://l\n  orgid: x\n", "3: loki.orgid: unknown key (did you mean org_id?)"},
    {"ansible: {inventry: x}\n", "1: ansible.inventry: unknown key (did you mean inventory?)"},
    {"conventions:\n  pool: x\n", "2: conventions.pool: unknown key"},
    {"conventions:\n  isolation_policies: {ingres: x}\n",
     "2: conventions.isolation_policies.ingres: unknown key (did you mean ingress?)"},
    {"conventions:\n  log_selectors: {pods: '{a=\"b\"}'}\n",
     "2: conventions.log_selectors.pods: unknown key (did you mean pod?)"},
    {"zones:\n  dmz: {cidrs: [10.0.0.0/8]}\n",
     "1: zones: not supported yet: firewall zones come with a later release; remove the key "
     "(it would be silently unused)"},
    /* wrong types */
    {"production: \"yes\"\n", "1: production: expected a boolean (true or false), got \"yes\""},
    {"readonly: 1\n", "1: readonly: expected a boolean (true or false), got 1"},
    {"name: [a, b]\n", "1: name: expected a string, got a sequence"},
    {"name: ''\n", "1: name: must not be empty"},
    {"cluster: ~/.kube/config\n", "1: cluster: expected a mapping, got a string"},
    {"loki: https://loki\n", "1: loki: expected a mapping, got a string"},
    {"console: {utc: maybe}\n", "1: console.utc: expected a boolean (true or false), got "
                                "\"maybe\""},
    {"- name: x\n", "1: expected a mapping, got a sequence"},
    /* ranges */
    {"console:\n  refresh: -1\n", "2: console.refresh: expected an integer from 1 to 3600, got -1"},
    {"console:\n  refresh: 0\n", "2: console.refresh: expected an integer from 1 to 3600, got 0"},
    {"console:\n  refresh: 3601\n",
     "2: console.refresh: expected an integer from 1 to 3600, got 3601"},
    {"console:\n  refresh: 2s\n",
     "2: console.refresh: expected an integer from 1 to 3600, got \"2s\""},
    /* CIDRs */
    {"conventions:\n  pod_cidr: 10.42.0.0/33\n",
     "2: conventions.pod_cidr: 10.42.0.0/33 is not a valid CIDR: the prefix length is not "
     "between 0 and 32"},
    {"conventions:\n  pod_cidr: 10.42.0.0\n",
     "2: conventions.pod_cidr: 10.42.0.0 is not a valid CIDR: expected address/prefix, e.g. "
     "10.42.0.0/16"},
    {"conventions:\n  service_cidr: 10.430.0.0/16\n",
     "2: conventions.service_cidr: 10.430.0.0/16 is not a valid CIDR: the address does not "
     "parse"},
    {"conventions:\n  pod_cidr: 10.42.1.0/16\n",
     "2: conventions.pod_cidr: 10.42.1.0/16 is not a valid CIDR: host bits are set (did you "
     "mean 10.42.0.0/16?)"},
    {"conventions:\n  service_cidr: fd00::1/64\n",
     "2: conventions.service_cidr: fd00::1/64 is not a valid CIDR: host bits are set (did you "
     "mean fd00::/64?)"},
    {"conventions:\n  pod_cidr: 10.42.0.0/x\n",
     "2: conventions.pod_cidr: 10.42.0.0/x is not a valid CIDR: the prefix length is not a "
     "number"},
    /* names, patterns, selectors */
    {"conventions:\n  namespace_pattern: \"dp-{project}\"\n",
     "2: conventions.namespace_pattern: dp-{project}: the pattern needs {tenant} exactly once"},
    {"conventions:\n  namespace_pattern: \"dp-{tenant}-{app}\"\n",
     "2: conventions.namespace_pattern: dp-{tenant}-{app}: only {tenant} and {project} may "
     "appear in braces"},
    {"conventions:\n  tenant_label: \"dp.ml.ink/\"\n",
     "2: conventions.tenant_label: dp.ml.ink/ is not a valid label key (e.g. dp.ml.ink/tenant)"},
    {"conventions:\n  pool_label: \"Pool Name\"\n",
     "2: conventions.pool_label: Pool Name is not a valid label key (e.g. dp.ml.ink/tenant)"},
    {"conventions:\n  system_namespace: DP_System\n",
     "2: conventions.system_namespace: DP_System is not a valid namespace name (lower case, "
     "digits and '-')"},
    {"conventions:\n  apps_domain: Breacher.org\n",
     "2: conventions.apps_domain: Breacher.org is not a valid DNS domain (lower case)"},
    {"conventions:\n  quota: -quota\n",
     "2: conventions.quota: -quota is not a valid object name (lower case, digits, '-' and "
     "'.')"},
    {"conventions:\n  log_selectors:\n    node: 'node_name=\"{node}\"'\n",
     "3: conventions.log_selectors.node: a LogQL stream selector must start with { and end "
     "with }"},
    {"conventions:\n  log_selectors:\n    node: '{host=\"{hostname}\"}'\n",
     "3: conventions.log_selectors.node: unknown placeholder {hostname}"},
    /* endpoints */
    {"loki:\n  url: https://l\n  service: dp-system/loki:3100\n",
     "3: loki.service: give url or service, not both"},
    {"loki:\n  org_id: x\n",
     "2: loki: give url (direct) or service (through the API server's service proxy)"},
    {"prometheus: {url: 'prom:9090'}\n", "1: prometheus.url: prom:9090 is not an http(s) URL"},
    {"loki: {service: loki:3100}\n",
     "1: loki.service: loki:3100: expected namespace/name:port, e.g. dp-system/loki:3100"},
    {"loki: {service: dp-system/loki:70000}\n",
     "1: loki.service: dp-system/loki:70000: the port is not between 1 and 65535"},
    {"loki: {service: Dp/loki}\n",
     "1: loki.service: Dp/loki: the namespace is not a valid namespace name"},
    {"loki:\n  service: dp-system/loki:3100\n  username: u\n",
     "3: loki.username: goes with url only (the service proxy uses the cluster's credentials)"},
    {"loki:\n  url: https://l\n  username: u\n  password: p\n  password_file: f\n",
     "5: loki.password_file: give password or password_file, not both"},
    {"loki:\n  url: https://l\n  username: u\n",
     "3: loki.username: a username needs password or password_file"},
    {"loki:\n  url: https://l\n  password: p\n", "2: loki: a password needs a username"},
    {"loki:\n  url: https://l\n  username: u\n  password: p\n  bearer_token: t\n",
     "2: loki: give basic auth (username) or a bearer token, not both"},
    {"prometheus:\n  url: https://p\n  bearer_token: t\n  bearer_token_file: f\n",
     "4: prometheus.bearer_token_file: give bearer_token or bearer_token_file, not both"},
    {"manifests: ~ops/k8s\n",
     "1: manifests: cannot expand ~ops/k8s (only ~/ is supported, and HOME must be set)"},
    /* YAML level */
    {"name: a\nname: b\n", "2: name: duplicate key (first at line 1)"},
    {"name: a\n---\nname: b\n", "3: a platform definition is one YAML document, not 2"},
    {"console:\n  refresh: 2\n utc: true\n", "3:2: did not find expected key while parsing a "
                                             "block mapping (line 1)"},
};

START_TEST(test_bad)
{
    const struct bad_case *bc = &bad_cases[_i];
    struct platform *p = (struct platform *)&p;
    char *path;
    enum status st;

    tmp_setup();
    path = put("platform.yml", bc->text);
    status_clear();
    st = platform_load(path, &p);
    ck_assert_msg(st == STATUS_CONFIG || st == STATUS_YAML, "status %d for:\n%s", st, bc->text);
    ck_assert_ptr_null(p);
    assert_msg("%s:%s", path, bc->want);
    free(path);
    tmp_teardown();
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("platform");

    tcase_add_test(tc, test_default);
    tcase_add_test(tc, test_example_loads);
    tcase_add_test(tc, test_full);
    tcase_add_test(tc, test_partial_and_empty);
    tcase_add_test(tc, test_anchors_relative_and_missing);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_read_secret);
    tcase_add_loop_test(tc, test_bad, 0, (int)ARRAY_SIZE(bad_cases));
    suite_add_tcase(s, tc);
    return run_suite(s);
}
