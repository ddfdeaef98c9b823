/* SPDX-License-Identifier: MIT */
/* test-execcred.c - exec credential plugins: small shell scripts written by the test */
#include "config.h"

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/execcred.h"
#include "opsdeck/kubeconfig.h"
#include "nettest.h"
#include "testlib.h"

#define V1 "client.authentication.k8s.io/v1"
#define V1BETA1 "client.authentication.k8s.io/v1beta1"

static char *dir;

struct got {
    bool done;
    int calls;
    enum status st;
    char *token;
    char *cert;
    char *key;
    int64_t expiry;
    char *error;
};

static void
got_cb(void *arg, enum status st, const struct exec_credential *cred, const char *error)
{
    struct got *g = arg;

    g->done = true;
    g->calls++;
    g->st = st;
    free(g->token);
    free(g->cert);
    free(g->key);
    free(g->error);
    g->token = g->cert = g->key = g->error = NULL;
    if (cred) {
        ck_assert_ptr_null(error);
        g->token = cred->token ? strdup(cred->token) : NULL;
        g->cert = cred->cert_pem ? strdup(cred->cert_pem) : NULL;
        g->key = cred->key_pem ? strdup(cred->key_pem) : NULL;
        g->expiry = cred->expiry;
    } else {
        ck_assert_ptr_nonnull(error);
        g->error = strdup(error);
    }
}

static void
got_done(struct got *g)
{
    free(g->token);
    free(g->cert);
    free(g->key);
    free(g->error);
}

static void
setup(void)
{
    dir = test_tmpdir();
}

static void
teardown(void)
{
    rm_rf(dir);
    free(dir);
}

/* Writes DIR/name as an executable shell script; returns its path (static). */
static const char *
plugin(const char *name, const char *body)
{
    static char path[512];
    char *text;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_gt(asprintf(&text, "#!/bin/sh\nD='%s'\necho run >> \"$D/%s.runs\"\n%s\n", dir,
                              name, body),
                     0);
    write_file(path, text, 0755);
    free(text);
    return path;
}

static int
runs_of(const char *name)
{
    char path[512];
    char *s;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s.runs", dir, name);
    s = slurp(path, NULL);
    for (char *p = s; p && *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}

static struct kube_exec
exec_of(const char *command, const char *api)
{
    return (struct kube_exec){ .api_version = (char *)(uintptr_t)api,
                               .command = (char *)(uintptr_t)command,
                               .interactive_mode = (char *)(uintptr_t)"Never" };
}

#define CRED_TOKEN(api, tok, extra)                                                          \
    "printf '%s\\n' '{\"apiVersion\":\"" api "\",\"kind\":\"ExecCredential\",\"status\":{"  \
    "\"token\":\"" tok "\"" extra "}}'"

START_TEST(test_token)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(plugin("tok", CRED_TOKEN(V1, "tok-1", "")), V1);
    struct execcred *ec = execcred_new(loop, &ex, NULL, NULL);
    struct got g = { 0 };

    execcred_get(ec, got_cb, &g);
    ck_assert(!g.done);        /* never from inside execcred_get when it must run */
    ck_assert(execcred_running(ec));
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_OK);
    ck_assert_str_eq(g.token, "tok-1");
    ck_assert_ptr_null(g.cert);
    ck_assert_int_eq(g.expiry, 0);
    ck_assert(!execcred_running(ec));
    /* Cached: answered at once, no second run. */
    g.done = false;
    execcred_get(ec, got_cb, &g);
    ck_assert(g.done);
    ck_assert_str_eq(g.token, "tok-1");
    ck_assert_int_eq(runs_of("tok"), 1);
    /* Invalidated (after a 401): runs again. */
    execcred_invalidate(ec);
    g.done = false;
    execcred_get(ec, got_cb, &g);
    ck_assert(!g.done);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(runs_of("tok"), 2);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

START_TEST(test_cert_data)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(
        plugin("cert", "printf '%s\\n' '{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
                       "\"status\":{\"clientCertificateData\":\"-----BEGIN CERTIFICATE-----\\n"
                       "MIIB\\n-----END CERTIFICATE-----\\n\",\"clientKeyData\":\"-----BEGIN "
                       "PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n\"}}'"),
        V1);
    struct execcred *ec = execcred_new(loop, &ex, NULL, NULL);
    struct got g = { 0 };

    execcred_get(ec, got_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_OK);
    ck_assert_ptr_null(g.token);
    ck_assert_str_eq(g.cert, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    ck_assert_str_eq(g.key, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

START_TEST(test_expiry)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(
        plugin("exp", CRED_TOKEN(V1, "short-lived", ",\"expirationTimestamp\":"
                                                    "\"2026-11-24T03:13:00Z\"")),
        V1);
    struct execcred *ec = execcred_new(loop, &ex, NULL, NULL);
    struct got g = { 0 };
    int64_t t;

    ck_assert(time_parse_rfc3339("2026-11-24T03:12:00Z", &t));
    clock_set_fixed_ns(t);
    execcred_get(ec, got_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_OK);
    ck_assert_int_eq(g.expiry, t / NS_PER_SEC + 60);
    /* Still valid 59 s later: cached. */
    clock_set_fixed_ns(t + 59 * NS_PER_SEC);
    g.done = false;
    execcred_get(ec, got_cb, &g);
    ck_assert(g.done);
    ck_assert_int_eq(runs_of("exp"), 1);
    /* At expiry: the plugin runs again. */
    clock_set_fixed_ns(t + 60 * NS_PER_SEC);
    g.done = false;
    execcred_get(ec, got_cb, &g);
    ck_assert(!g.done);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(runs_of("exp"), 2);
    clock_set_fixed_ns(0);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

START_TEST(test_exec_info_v1beta1)
{
    struct evloop *loop = evloop_new();
    const char *args[] = { "first arg", "--flag", NULL };
    const char *env[] = { "PLUGIN_SUFFIX=-from-env", NULL };
    struct kube_exec ex = exec_of(
        plugin("beta", "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$D/info\"\n"
                       "printf '%s|%s' \"$1\" \"$2\" > \"$D/args\"\n"
                       "read line; echo \"stdin=$?\" > \"$D/stdin\"\n"
                       "printf '{\"apiVersion\":\"" V1BETA1 "\",\"kind\":\"ExecCredential\","
                       "\"status\":{\"token\":\"beta%s\"}}' \"$PLUGIN_SUFFIX\""),
        V1BETA1);
    struct execcred *ec;
    struct got g = { 0 };
    char path[512], *s;

    ex.args = (char **)(uintptr_t)args;
    ex.env = (char **)(uintptr_t)env;
    ex.interactive_mode = NULL;        /* v1beta1 may omit it: IfAvailable */
    ex.provide_cluster_info = true;
    /* No terminal to lend: IfAvailable runs non-interactively. */
    ck_assert_int_ge(dup2(open("/dev/null", O_RDONLY), 0), 0);
    ec = execcred_new(loop, &ex, "https://10.0.0.1:6443", "CA PEM");
    execcred_get(ec, got_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_OK);
    ck_assert_str_eq(g.token, "beta-from-env");
    snprintf(path, sizeof(path), "%s/info", dir);
    s = slurp(path, NULL);
    ck_assert_str_eq(s, "{\"apiVersion\":\"" V1BETA1 "\",\"kind\":\"ExecCredential\",\"spec\":{"
                        "\"cluster\":{\"server\":\"https://10.0.0.1:6443\","
                        "\"certificate-authority-data\":\"Q0EgUEVN\"},\"interactive\":false}}");
    free(s);
    snprintf(path, sizeof(path), "%s/args", dir);
    s = slurp(path, NULL);
    ck_assert_str_eq(s, "first arg|--flag");
    free(s);
    /* stdin is /dev/null: read hits EOF at once. */
    snprintf(path, sizeof(path), "%s/stdin", dir);
    s = slurp(path, NULL);
    ck_assert_str_eq(s, "stdin=1\n");
    free(s);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

/* Runs a plugin that must fail; returns its error line (static). */
static const char *
must_fail(const char *name, const char *body, const char *api, int64_t timeout_ms)
{
    static char err[1024];
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(plugin(name, body), V1);
    struct execcred *ec;
    struct got g = { 0 };

    ex.api_version = (char *)(uintptr_t)api;
    ec = execcred_new(loop, &ex, NULL, NULL);
    execcred_set_timeout(ec, timeout_ms);
    execcred_get(ec, got_cb, &g);
    ck_assert(run_until(loop, &g.done, 10000));
    ck_assert_int_eq(g.st, STATUS_EXEC);
    ck_assert_ptr_null(g.token);
    ck_assert_ptr_null(strchr(g.error, '\n'));
    snprintf(err, sizeof(err), "%s", g.error);
    /* Failures are not cached. */
    g.done = false;
    execcred_get(ec, got_cb, &g);
    ck_assert(!g.done);
    ck_assert(run_until(loop, &g.done, 10000));
    ck_assert_int_eq(runs_of(name), 2);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
    return err;
}

START_TEST(test_wrong_api_version)
{
    const char *e = must_fail("wrongapi", CRED_TOKEN(V1BETA1, "x", ""), V1, 0);

    ck_assert_msg(strstr(e, "apiVersion \"" V1BETA1 "\", expected \"" V1 "\""), "%s", e);
    e = must_fail("wrongkind", "echo '{\"apiVersion\":\"" V1 "\",\"kind\":\"Pod\"}'", V1, 0);
    ck_assert_msg(strstr(e, "kind \"Pod\""), "%s", e);
}
END_TEST

START_TEST(test_bad_json)
{
    const char *e = must_fail("badjson", "echo '{\"apiVersion\": \"" V1 "\", \"status\": {'", V1,
                              0);

    ck_assert_msg(strstr(e, "malformed ExecCredential"), "%s", e);
    e = must_fail("empty", "true", V1, 0);
    ck_assert_msg(strstr(e, "malformed ExecCredential"), "%s", e);
    e = must_fail("nostatus", "echo '{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\"}'",
                  V1, 0);
    ck_assert_msg(strstr(e, "no status"), "%s", e);
    e = must_fail("notoken", "echo '{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
                             "\"status\":{\"clientCertificateData\":\"x\"}}'",
                  V1, 0);
    ck_assert_msg(strstr(e, "without clientKeyData"), "%s", e);
    e = must_fail("badexp", CRED_TOKEN(V1, "t", ",\"expirationTimestamp\":\"tomorrow\""), V1, 0);
    ck_assert_msg(strstr(e, "expirationTimestamp \"tomorrow\""), "%s", e);
}
END_TEST

START_TEST(test_exit_status)
{
    const char *e = must_fail("fails",
                              "echo 'some progress' >&2\n"
                              "printf 'error: refresh token \\033[31mexpired\\033[0m\\n\\n' >&2\n"
                              "exit 3",
                              V1, 0);

    ck_assert_msg(strstr(e, "failed with exit status 3: error: refresh token [31mexpired[0m"),
                  "%s", e);
    ck_assert_ptr_null(strchr(e, '\033'));
    e = must_fail("killed", "kill -9 $$", V1, 0);
    ck_assert_msg(strstr(e, "killed by signal 9"), "%s", e);
}
END_TEST

/* The process has exited (absent, or a zombie nobody reaped yet); waits up
 * to a second. */
static bool
gone(int pid)
{
    char path[64], line[256];

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        bool dead = !f || !fgets(line, sizeof(line), f) || strstr(line, ") Z ") != NULL;

        if (f)
            fclose(f);
        if (dead)
            return true;
        usleep(10000);
    }
    return false;
}

START_TEST(test_timeout)
{
    char path[512];
    char *pids;
    int pid = 0, grandchild = 0;
    int64_t t0 = clock_mono_ms();
    const char *e = must_fail("hang", "sleep 30 & echo $! > \"$D/grandchild\"\n"
                                      "echo $$ > \"$D/pid\"\nsleep 30",
                              V1, 800);

    ck_assert_msg(strstr(e, "did not finish within 800 ms"), "%s", e);
    ck_assert_int_lt(clock_mono_ms() - t0, 5000);
    /* The plugin and what it started are gone. */
    snprintf(path, sizeof(path), "%s/pid", dir);
    pids = slurp(path, NULL);
    ck_assert_ptr_nonnull(pids);
    pid = atoi(pids);
    free(pids);
    snprintf(path, sizeof(path), "%s/grandchild", dir);
    pids = slurp(path, NULL);
    ck_assert_ptr_nonnull(pids);
    grandchild = atoi(pids);
    free(pids);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_ne(kill(pid, 0), 0);
    /* Its grandchild too (reparented, so maybe a zombie until reaped). */
    ck_assert_int_gt(grandchild, 0);
    ck_assert_msg(gone(grandchild), "grandchild %d still running", grandchild);
}
END_TEST

START_TEST(test_huge_output)
{
    const char *e = must_fail("huge", "head -c 3000000 /dev/zero | tr '\\0' a", V1, 0);

    ck_assert_msg(strstr(e, "wrote more than 1048576 bytes"), "%s", e);
}
END_TEST

/* Terminal hooks standing in for the console's endwin()/refresh. */
struct term {
    int released;
    int reclaimed;
};

static void
term_release(void *arg)
{
    ((struct term *)arg)->released++;
}

static void
term_reclaim(void *arg)
{
    ((struct term *)arg)->reclaimed++;
}

START_TEST(test_missing_command)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of("opsdeck-no-such-plugin", V1);
    struct execcred *ec;
    struct got g = { 0 };

    ex.install_hint = (char *)(uintptr_t)"opsdeck-no-such-plugin is required.\n"
                                         "  Install it with:\n\n    apt-get install it";
    ec = execcred_new(loop, &ex, NULL, NULL);
    execcred_get(ec, got_cb, &g);
    ck_assert(!g.done);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_EXEC);
    ck_assert_str_eq(g.error, "exec plugin opsdeck-no-such-plugin not found: "
                              "opsdeck-no-such-plugin is required. Install it with: "
                              "apt-get install it");
    execcred_free(ec);
    /* An interactive one that is missing never takes the terminal. */
    {
        struct term t = { 0 };

        evloop_set_term_hooks(loop, &(struct term_hooks){ term_release, term_reclaim, &t });
        ex.interactive_mode = (char *)(uintptr_t)"Always";
        ex.command = (char *)(uintptr_t)"/nonexistent/dir/plugin";
        ex.install_hint = NULL;
        ec = execcred_new(loop, &ex, NULL, NULL);
        g.done = false;
        execcred_get(ec, got_cb, &g);
        ck_assert(run_until(loop, &g.done, 5000));
        ck_assert_str_eq(g.error, "exec plugin /nonexistent/dir/plugin not found");
        ck_assert_int_eq(t.released, 0);
        execcred_free(ec);
    }
    evloop_free(loop);
    got_done(&g);
}
END_TEST

START_TEST(test_shared_run_and_forget)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(plugin("shared", "sleep 0.2\n" CRED_TOKEN(V1, "one", "")), V1);
    struct execcred *ec = execcred_new(loop, &ex, NULL, NULL);
    struct got a = { 0 }, b = { 0 }, c = { 0 };

    execcred_get(ec, got_cb, &a);
    execcred_get(ec, got_cb, &b);
    execcred_get(ec, got_cb, &c);
    execcred_forget(ec, &b);
    ck_assert(run_until(loop, &c.done, 5000));
    ck_assert(a.done);
    ck_assert(!b.done);
    ck_assert_str_eq(a.token, "one");
    ck_assert_str_eq(c.token, "one");
    ck_assert_int_eq(runs_of("shared"), 1);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&a);
    got_done(&c);
}
END_TEST

START_TEST(test_free_while_running)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(plugin("slow", "echo $$ > \"$D/pid\"\nsleep 30"), V1);
    struct execcred *ec = execcred_new(loop, &ex, NULL, NULL);
    struct got g = { 0 };
    char path[512], *s = NULL;
    int pid;

    execcred_get(ec, got_cb, &g);
    snprintf(path, sizeof(path), "%s/pid", dir);
    /* Until the plugin has written its whole pid (the file exists first). */
    for (int i = 0; i < 200; i++) {
        s = slurp(path, NULL);
        if (s && strchr(s, '\n'))
            break;
        free(s);
        s = NULL;
        run_for(loop, 10);
    }
    ck_assert_ptr_nonnull(s);
    pid = atoi(s);
    free(s);
    execcred_free(ec);
    ck_assert(!g.done);
    ck_assert_int_ne(kill(pid, 0), 0);
    run_for(loop, 50);
    ck_assert(!g.done);
    evloop_free(loop);
}
END_TEST

START_TEST(test_interactive_hooks)
{
    struct evloop *loop = evloop_new();
    struct term t = { 0 };
    struct kube_exec ex = exec_of(
        plugin("inter", "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$D/info\"\n"
                        CRED_TOKEN(V1, "human", "")),
        V1);
    struct execcred *ec;
    struct got g = { 0 };
    char path[512], *s;

    ex.interactive_mode = (char *)(uintptr_t)"IfAvailable";
    evloop_set_term_hooks(loop, &(struct term_hooks){ term_release, term_reclaim, &t });
    ec = execcred_new(loop, &ex, NULL, NULL);
    execcred_get(ec, got_cb, &g);
    ck_assert_int_eq(t.released, 1);
    ck_assert_int_eq(t.reclaimed, 0);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_OK);
    ck_assert_int_eq(t.reclaimed, 1);
    snprintf(path, sizeof(path), "%s/info", dir);
    s = slurp(path, NULL);
    ck_assert_ptr_nonnull(strstr(s, "\"interactive\":true"));
    free(s);
    /* Never: the terminal stays with the console. */
    execcred_free(ec);
    ex.interactive_mode = (char *)(uintptr_t)"Never";
    ec = execcred_new(loop, &ex, NULL, NULL);
    g.done = false;
    execcred_get(ec, got_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(t.released, 1);
    s = slurp(path, NULL);
    ck_assert_ptr_nonnull(strstr(s, "\"interactive\":false"));
    free(s);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

START_TEST(test_always_without_terminal)
{
    struct evloop *loop = evloop_new();
    struct kube_exec ex = exec_of(plugin("always", CRED_TOKEN(V1, "x", "")), V1);
    struct execcred *ec;
    struct got g = { 0 };

    ex.interactive_mode = (char *)(uintptr_t)"Always";
    ck_assert_int_ge(dup2(open("/dev/null", O_RDONLY), 0), 0);
    ec = execcred_new(loop, &ex, NULL, NULL);
    execcred_get(ec, got_cb, &g);
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_EXEC);
    ck_assert_msg(strstr(g.error, "needs a terminal"), "%s", g.error);
    ck_assert_int_eq(runs_of("always"), 0);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

static void
interrupt_now(void *arg)
{
    ck_assert(evloop_interrupt(arg));
}

START_TEST(test_interrupt)
{
    struct evloop *loop = evloop_new();
    struct term t = { 0 };
    /* A plugin that ignores SIGINT (the terminal's Ctrl-C) still goes. */
    struct kube_exec ex = exec_of(plugin("stubborn", "trap '' INT\nexec sleep 30"), V1);
    struct execcred *ec;
    struct got g = { 0 };
    struct ev_timer *timer = ev_timer_new(loop, interrupt_now, loop);
    int64_t t0;

    ex.interactive_mode = (char *)(uintptr_t)"Always";
    evloop_set_term_hooks(loop, &(struct term_hooks){ term_release, term_reclaim, &t });
    ec = execcred_new(loop, &ex, NULL, NULL);
    execcred_get(ec, got_cb, &g);
    ev_timer_arm(timer, 200);
    t0 = clock_mono_ms();
    ck_assert(run_until(loop, &g.done, 5000));
    ck_assert_int_eq(g.st, STATUS_CANCELLED);
    ck_assert_msg(strstr(g.error, "cancelled"), "%s", g.error);
    ck_assert_int_lt(clock_mono_ms() - t0, 3000);
    ck_assert_int_eq(t.released, 1);
    ck_assert_int_eq(t.reclaimed, 1);
    /* The handler is gone with the run. */
    ck_assert(!evloop_interrupt(loop));
    ev_timer_free(timer);
    execcred_free(ec);
    evloop_free(loop);
    got_done(&g);
}
END_TEST

static Suite *
execcred_suite(void)
{
    Suite *s = suite_create("execcred");
    TCase *tc = tcase_create("execcred");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_token);
    tcase_add_test(tc, test_cert_data);
    tcase_add_test(tc, test_expiry);
    tcase_add_test(tc, test_exec_info_v1beta1);
    tcase_add_test(tc, test_wrong_api_version);
    tcase_add_test(tc, test_bad_json);
    tcase_add_test(tc, test_exit_status);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_huge_output);
    tcase_add_test(tc, test_missing_command);
    tcase_add_test(tc, test_shared_run_and_forget);
    tcase_add_test(tc, test_free_while_running);
    tcase_add_test(tc, test_interactive_hooks);
    tcase_add_test(tc, test_always_without_terminal);
    tcase_add_test(tc, test_interrupt);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(execcred_suite());
}
