/* SPDX-License-Identifier: MIT */
/* execcred.c - client-go exec credential plugins, run without blocking */
#include "config.h"

#include "opsdeck/execcred.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/json.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/log.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * A run: posix_spawn with stdout (and, unless interactive, stderr) on pipes
 * watched by the loop. There is no SIGCHLD handler in the loop, so a tick
 * timer polls waitpid(WNOHANG) while the plugin runs; it also enforces the
 * deadline. The run ends when the child has exited, whatever became of the
 * pipes (a helper the plugin left behind may hold them open).
 *
 * Process groups: a non-interactive plugin gets its own group, so a timeout
 * kills whatever it started. An interactive one stays in the console's
 * group, which owns the terminal's foreground: it can read the terminal, and
 * Ctrl-C reaches both it and the console, whose handler calls
 * evloop_interrupt -> on_interrupt below (SIGTERM, then SIGKILL after a
 * grace period). Giving the plugin the foreground (tcsetpgrp) instead would
 * hide Ctrl-C from the console and need the terminal handed back afterwards.
 */

#define TICK_MS 20
#define TIMEOUT_MS 30000
#define TIMEOUT_INTERACTIVE_MS 120000
#define KILL_GRACE_MS 1000
#define MAX_OUTPUT ((size_t)1 << 20)
#define MAX_STDERR 8192

struct waiter {
    execcred_cb cb;               /* NULL once forgotten */
    void *arg;
};

struct execcred {
    struct evloop *loop;
    struct kube_exec exec;        /* own copy */
    char *server;
    char *ca_pem;
    int64_t timeout_ms;           /* 0: the defaults */

    struct exec_credential cred;
    bool have_cred;

    /* The current run. */
    pid_t pid;                    /* 0: none */
    bool interactive;
    bool own_group;
    int out_fd, err_fd;
    struct ev_watch *out_w, *err_w;
    struct strbuf out, err;
    struct ev_timer *tick;
    int64_t started_ms;
    int64_t kill_at_ms;           /* SIGKILL after the grace period, 0 none */
    bool cancelled;               /* Ctrl-C */
    bool refused;                 /* a run was cancelled: the user said no, do not ask again */
    bool timed_out;
    bool too_big;
    struct ev_timer *fail_timer;  /* delivers fail_st/fail_msg from the loop */
    enum status fail_st;
    char *fail_msg;

    struct waiter *waiters;
    size_t nwaiters, capwaiters;
    struct waiter *delivering;    /* the list being called back, for forget */
    size_t ndelivering;
    int depth;                    /* callbacks on the stack */
    bool free_pending;
    bool invalidate_pending;
};

/*
 * Helpers
 */

static void
cred_clear(struct exec_credential *c)
{
    if (c->token)
        explicit_bzero(c->token, strlen(c->token));
    if (c->key_pem)
        explicit_bzero(c->key_pem, strlen(c->key_pem));
    free(c->token);
    free(c->cert_pem);
    free(c->key_pem);
    memset(c, 0, sizeof(*c));
}

static const char *
mode_of(const struct execcred *ec)
{
    /* v1 requires interactiveMode (the loader checks); v1beta1 defaults to
     * IfAvailable, as client-go does. */
    return ec->exec.interactive_mode && *ec->exec.interactive_mode ? ec->exec.interactive_mode
                                                                   : "IfAvailable";
}

/* One line of text fit for a message: line breaks and runs of blanks become
 * one space, other control characters are dropped. */
static void
put_clean(struct strbuf *sb, const char *s, size_t len)
{
    bool space = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = sb->len > 0;
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            continue;
        if (space)
            strbuf_putc(sb, ' ');
        space = false;
        strbuf_putc(sb, (char)c);
    }
}

/* The last non-empty line of the plugin's stderr, cleaned; "" when none. */
static char *
last_stderr_line(const struct strbuf *err)
{
    const char *s = strbuf_str(err);
    size_t end = err->len, start;
    struct strbuf sb = { 0 };

    while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r' || s[end - 1] == ' '))
        end--;
    start = end;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    put_clean(&sb, s + start, end - start);
    return strbuf_detach(&sb);
}

static char *
base64(const char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
    return out;
}

static char *
exec_info(const struct execcred *ec, bool interactive)
{
    struct strbuf sb = { 0 };
    struct jsonw w;

    jsonw_init(&w, &sb, false);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, ec->exec.api_version);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "ExecCredential");
    jsonw_key(&w, "spec");
    jsonw_obj_begin(&w);
    if (ec->exec.provide_cluster_info) {
        jsonw_key(&w, "cluster");
        jsonw_obj_begin(&w);
        jsonw_key(&w, "server");
        jsonw_str(&w, ec->server ? ec->server : "");
        if (ec->ca_pem && *ec->ca_pem) {
            char *b64 = base64(ec->ca_pem, strlen(ec->ca_pem));

            jsonw_key(&w, "certificate-authority-data");
            jsonw_str(&w, b64);
            free(b64);
        }
        jsonw_obj_end(&w);
    }
    jsonw_key(&w, "interactive");
    jsonw_bool(&w, interactive);
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);
    return strbuf_detach(&sb);
}

/*
 * Delivery
 */

static void really_free(struct execcred *ec);

static void
deliver(struct execcred *ec, enum status st, const char *msg)
{
    struct waiter *list = ec->waiters;
    size_t n = ec->nwaiters;
    const struct exec_credential *cred = st == STATUS_OK ? &ec->cred : NULL;

    ec->waiters = NULL;
    ec->nwaiters = ec->capwaiters = 0;
    ec->delivering = list;
    ec->ndelivering = n;
    ec->depth++;
    for (size_t i = 0; i < n && !ec->free_pending; i++) {
        if (list[i].cb)
            list[i].cb(list[i].arg, st, cred, st == STATUS_OK ? NULL : msg);
    }
    ec->depth--;
    ec->delivering = NULL;
    ec->ndelivering = 0;
    free(list);
    if (ec->depth == 0) {
        if (ec->invalidate_pending) {
            ec->invalidate_pending = false;
            cred_clear(&ec->cred);
            ec->have_cred = false;
        }
        if (ec->free_pending)
            really_free(ec);
    }
}

static void
fail_later(struct execcred *ec, enum status st, const char *fmt, ...) ATTR_FORMAT(3, 4);

static void
fail_later(struct execcred *ec, enum status st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    free(ec->fail_msg);
    ec->fail_msg = xvasprintf(fmt, ap);
    va_end(ap);
    ec->fail_st = st;
    ev_timer_arm(ec->fail_timer, 0);
}

static void
fail_fired(void *arg)
{
    struct execcred *ec = arg;
    char *msg = ec->fail_msg;

    ec->fail_msg = NULL;
    log_warn("exec plugin: %s", msg);
    deliver(ec, ec->fail_st, msg);
    free(msg);
}

/*
 * Parsing the ExecCredential
 */

static enum status
parse_credential(struct execcred *ec, const char *out, size_t len, struct strbuf *err)
{
    struct json_doc doc;
    struct exec_credential c = { 0 };
    uint32_t status, exp;
    enum status st = STATUS_EXEC;
    char *api = NULL, *kind = NULL, *when = NULL;

    json_doc_init(&doc);
    if (json_parse(&doc, out, len) != STATUS_OK) {
        strbuf_printf(err, "malformed ExecCredential: %s", doc.err);
        goto out;
    }
    if (json_type(&doc, 0) != JSON_OBJECT) {
        strbuf_puts(err, "malformed ExecCredential: not a JSON object");
        goto out;
    }
    api = json_get_str(&doc, 0, "apiVersion");
    kind = json_get_str(&doc, 0, "kind");
    if (!api || strcmp(api, ec->exec.api_version) != 0) {
        strbuf_printf(err, "plugin returned apiVersion \"%s\", expected \"%s\"",
                      api ? api : "", ec->exec.api_version);
        goto out;
    }
    if (!kind || strcmp(kind, "ExecCredential") != 0) {
        strbuf_printf(err, "plugin returned kind \"%s\", expected \"ExecCredential\"",
                      kind ? kind : "");
        goto out;
    }
    status = json_get(&doc, 0, "status");
    if (json_type(&doc, status) != JSON_OBJECT) {
        strbuf_puts(err, "ExecCredential has no status");
        goto out;
    }
    c.token = json_get_str(&doc, status, "token");
    c.cert_pem = json_get_str(&doc, status, "clientCertificateData");
    c.key_pem = json_get_str(&doc, status, "clientKeyData");
    if (c.token && !*c.token) {
        free(c.token);
        c.token = NULL;
    }
    if (!c.cert_pem != !c.key_pem) {
        strbuf_puts(err, "ExecCredential has clientCertificateData without clientKeyData or "
                         "the reverse");
        goto out;
    }
    if (!c.token && !c.cert_pem) {
        strbuf_puts(err, "ExecCredential has neither a token nor a client certificate");
        goto out;
    }
    exp = json_get(&doc, status, "expirationTimestamp");
    if (json_type(&doc, exp) == JSON_STRING) {
        int64_t ns;

        when = json_strdup(&doc, exp);
        if (!time_parse_rfc3339(when, &ns)) {
            strbuf_printf(err, "ExecCredential has a bad expirationTimestamp \"%s\"", when);
            goto out;
        }
        c.expiry = ns / NS_PER_SEC;
    } else if (exp != JSON_NONE && json_type(&doc, exp) != JSON_NULL) {
        strbuf_puts(err, "ExecCredential expirationTimestamp is not a string");
        goto out;
    }
    cred_clear(&ec->cred);
    ec->cred = c;
    memset(&c, 0, sizeof(c));
    ec->have_cred = true;
    st = STATUS_OK;
out:
    cred_clear(&c);
    free(api);
    free(kind);
    free(when);
    json_doc_done(&doc);
    return st;
}

/*
 * The child
 */

static void
close_pipe(struct execcred *ec, int *fd, struct ev_watch **w)
{
    ev_watch_free(*w);
    *w = NULL;
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Reads what is there; false at EOF or error. */
static bool
drain(struct execcred *ec, int fd, struct strbuf *sb, bool is_err)
{
    char buf[4096];

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n > 0) {
            if (is_err) {
                strbuf_append(sb, buf, (size_t)n);
                if (sb->len > MAX_STDERR)
                    strbuf_consume(sb, sb->len - MAX_STDERR);
            } else if (sb->len + (size_t)n > MAX_OUTPUT) {
                ec->too_big = true;
                return false;
            } else {
                strbuf_append(sb, buf, (size_t)n);
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
}

static void
kill_child(struct execcred *ec, int sig)
{
    if (ec->pid <= 0)
        return;
    if (ec->own_group)
        kill(-ec->pid, sig);
    else
        kill(ec->pid, sig);
}

static void
on_out(void *arg, int fd, short revents)
{
    struct execcred *ec = arg;

    (void)revents;
    if (!drain(ec, fd, &ec->out, false)) {
        close_pipe(ec, &ec->out_fd, &ec->out_w);
        if (ec->too_big && !ec->kill_at_ms) {
            kill_child(ec, SIGKILL);
            ec->kill_at_ms = clock_mono_ms();
        }
    }
    if (ec->out_fd < 0 && ec->err_fd < 0)
        ev_timer_arm(ec->tick, 0);
}

static void
on_err(void *arg, int fd, short revents)
{
    struct execcred *ec = arg;

    (void)revents;
    if (!drain(ec, fd, &ec->err, true))
        close_pipe(ec, &ec->err_fd, &ec->err_w);
    if (ec->out_fd < 0 && ec->err_fd < 0)
        ev_timer_arm(ec->tick, 0);
}

static int64_t
run_limit_ms(const struct execcred *ec)
{
    if (ec->timeout_ms)
        return ec->timeout_ms;
    return ec->interactive ? TIMEOUT_INTERACTIVE_MS : TIMEOUT_MS;
}

static void
run_finished(struct execcred *ec, int wstatus)
{
    struct strbuf msg = { 0 };
    enum status st = STATUS_EXEC;
    const char *cmd = ec->exec.command;
    char *line;

    if (ec->out_fd >= 0)
        drain(ec, ec->out_fd, &ec->out, false);
    if (ec->err_fd >= 0)
        drain(ec, ec->err_fd, &ec->err, true);
    close_pipe(ec, &ec->out_fd, &ec->out_w);
    close_pipe(ec, &ec->err_fd, &ec->err_w);
    ev_timer_disarm(ec->tick);
    ec->pid = 0;
    if (ec->interactive) {
        evloop_on_interrupt(ec->loop, NULL, NULL);
        evloop_term_reclaim(ec->loop);
    }
    line = last_stderr_line(&ec->err);
    if (ec->cancelled ||
        (ec->interactive && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGINT)) {
        /* Ctrl-C reaches the plugin and the console alike; whichever the
         * loop notices first, the user cancelled. */
        st = STATUS_CANCELLED;
        strbuf_printf(&msg, "exec plugin %s cancelled", cmd);
        ec->refused = true;
    } else if (ec->timed_out) {
        int64_t limit = run_limit_ms(ec);

        if (limit % 1000 == 0)
            strbuf_printf(&msg, "exec plugin %s did not finish within %lld s", cmd,
                          (long long)(limit / 1000));
        else
            strbuf_printf(&msg, "exec plugin %s did not finish within %lld ms", cmd,
                          (long long)limit);
    } else if (ec->too_big) {
        strbuf_printf(&msg, "exec plugin %s wrote more than %zu bytes", cmd, MAX_OUTPUT);
    } else if (WIFSIGNALED(wstatus)) {
        strbuf_printf(&msg, "exec plugin %s killed by signal %d", cmd, WTERMSIG(wstatus));
        if (*line)
            strbuf_printf(&msg, ": %s", line);
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0) {
        strbuf_printf(&msg, "exec plugin %s failed with exit status %d", cmd,
                      WEXITSTATUS(wstatus));
        if (*line)
            strbuf_printf(&msg, ": %s", line);
    } else {
        struct strbuf why = { 0 };

        st = parse_credential(ec, ec->out.buf ? ec->out.buf : "", ec->out.len, &why);
        if (st != STATUS_OK)
            strbuf_printf(&msg, "exec plugin %s: %s", cmd, strbuf_str(&why));
        strbuf_done(&why);
    }
    free(line);
    strbuf_done(&ec->out);
    strbuf_done(&ec->err);
    if (st == STATUS_OK)
        log_info("exec plugin %s: credential obtained", cmd);
    else
        log_warn("%s", strbuf_str(&msg));
    deliver(ec, st, strbuf_str(&msg));
    strbuf_done(&msg);
}

static void
on_tick(void *arg)
{
    struct execcred *ec = arg;
    int64_t now = clock_mono_ms(), limit;
    int wstatus = 0;
    pid_t r;

    if (ec->pid <= 0)
        return;
    r = waitpid(ec->pid, &wstatus, WNOHANG);
    if (r == ec->pid || (r < 0 && errno == ECHILD)) {
        run_finished(ec, wstatus);
        return;
    }
    limit = run_limit_ms(ec);
    if (!ec->timed_out && !ec->cancelled && now - ec->started_ms >= limit) {
        ec->timed_out = true;
        kill_child(ec, SIGKILL);
        ec->kill_at_ms = now;
    } else if (ec->kill_at_ms && now >= ec->kill_at_ms) {
        kill_child(ec, SIGKILL);
    }
    ev_timer_arm(ec->tick, TICK_MS);
}

static void
on_interrupt(void *arg)
{
    struct execcred *ec = arg;

    if (ec->pid <= 0)
        return;
    ec->cancelled = true;
    kill_child(ec, SIGTERM);
    ec->kill_at_ms = clock_mono_ms() + KILL_GRACE_MS;
    ev_timer_arm(ec->tick, 0);
}

static char **
build_env(const struct execcred *ec, bool interactive)
{
    struct vec v;
    char *info = exec_info(ec, interactive);

    vec_init(&v, NULL);
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "KUBERNETES_EXEC_INFO=", 21) != 0)
            vec_push(&v, xstrdup(*e));
    }
    for (char **e = ec->exec.env; e && *e; e++)
        vec_push(&v, xstrdup(*e));
    vec_push(&v, xasprintf("KUBERNETES_EXEC_INFO=%s", info));
    vec_push(&v, NULL);
    free(info);
    return (char **)v.items;
}

/* Whether command can be run: a path with a '/' as given, a bare name
 * through $PATH (client-go's exec.LookPath). Checked before spawning, so a
 * missing plugin is told apart from one that fails. */
static bool
command_exists(const char *command)
{
    const char *path = getenv("PATH"), *p;
    bool found = false;

    if (!*command)
        return false;
    if (strchr(command, '/'))
        return access(command, X_OK) == 0;
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path; !found && p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
        size_t n = strcspn(p, ":");
        char *full = xasprintf("%.*s/%s", (int)n, n ? p : ".", command);

        found = access(full, X_OK) == 0;
        free(full);
    }
    return found;
}

/* The command is not there: say so, with the kubeconfig's installHint. */
static void
fail_missing(struct execcred *ec)
{
    struct strbuf hint = { 0 };

    if (ec->exec.install_hint)
        put_clean(&hint, ec->exec.install_hint, strlen(ec->exec.install_hint));
    fail_later(ec, STATUS_EXEC, "exec plugin %s not found%s%s", ec->exec.command,
               hint.len ? ": " : "", strbuf_str(&hint));
    strbuf_done(&hint);
}

static void
start_run(struct execcred *ec)
{
    const char *mode = mode_of(ec);
    int out[2] = { -1, -1 }, err[2] = { -1, -1 };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    char **argv = NULL, **envp = NULL;
    struct vec av;
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    static const int reset[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGTSTP,
                                 SIGTTIN, SIGTTOU, SIGWINCH, SIGUSR1, SIGUSR2, SIGALRM };
    int rc;

    ec->cancelled = ec->timed_out = ec->too_big = false;
    ec->kill_at_ms = 0;
    strbuf_reset(&ec->out);
    strbuf_reset(&ec->err);
    if (!command_exists(ec->exec.command)) {
        fail_missing(ec);
        return;
    }
    if (strcmp(mode, "Never") == 0) {
        ec->interactive = false;
    } else {
        ec->interactive = evloop_term_release(ec->loop);
        if (!ec->interactive && strcmp(mode, "Always") == 0) {
            fail_later(ec, STATUS_EXEC,
                       "exec plugin %s needs a terminal (interactiveMode Always) and there is "
                       "none",
                       ec->exec.command);
            return;
        }
    }
    ec->own_group = !ec->interactive;

    vec_init(&av, NULL);
    vec_push(&av, ec->exec.command);
    for (char **a = ec->exec.args; a && *a; a++)
        vec_push(&av, *a);
    vec_push(&av, NULL);
    argv = (char **)av.items;
    envp = build_env(ec, ec->interactive);

    if (pipe2(out, O_CLOEXEC) != 0 || (!ec->interactive && pipe2(err, O_CLOEXEC) != 0)) {
        rc = errno;
        goto fail;
    }
    posix_spawn_file_actions_init(&fa);
    if (!ec->interactive)
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    if (!ec->interactive)
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (size_t i = 0; i < ARRAY_SIZE(reset); i++)
        sigaddset(&defaults, reset[i]);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    if (ec->own_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);
    rc = posix_spawnp(&ec->pid, ec->exec.command, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        goto fail;

    close(out[1]);
    if (err[1] >= 0)
        close(err[1]);
    ec->out_fd = out[0];
    ec->err_fd = err[0];
    fcntl(ec->out_fd, F_SETFL, O_NONBLOCK);
    ec->out_w = ev_watch_new(ec->loop, ec->out_fd, POLLIN, on_out, ec);
    if (ec->err_fd >= 0) {
        fcntl(ec->err_fd, F_SETFL, O_NONBLOCK);
        ec->err_w = ev_watch_new(ec->loop, ec->err_fd, POLLIN, on_err, ec);
    }
    ec->started_ms = clock_mono_ms();
    ev_timer_arm(ec->tick, TICK_MS);
    if (ec->interactive)
        evloop_on_interrupt(ec->loop, on_interrupt, ec);
    log_info("exec plugin %s started (pid %d%s)", ec->exec.command, (int)ec->pid,
             ec->interactive ? ", interactive" : "");
    goto out;

fail:
    ec->pid = 0;
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    if (ec->interactive)
        evloop_term_reclaim(ec->loop);
    if (rc == ENOENT) {
        fail_missing(ec);
    } else {
        fail_later(ec, STATUS_EXEC, "exec plugin %s cannot run: %s", ec->exec.command,
                   strerror(rc));
    }
out:
    vec_done(&av);
    strv_free(envp);
}

/*
 * Public
 */

struct execcred *
execcred_new(struct evloop *loop, const struct kube_exec *exec, const char *cluster_server,
             const char *cluster_ca_pem)
{
    struct execcred *ec = xcalloc(1, sizeof(*ec));

    ec->loop = loop;
    ec->exec.api_version = xstrdup(exec->api_version ? exec->api_version
                                                     : "client.authentication.k8s.io/v1");
    ec->exec.command = xstrdup(exec->command ? exec->command : "");
    ec->exec.args = exec->args ? strv_dup((const char *const *)exec->args) : NULL;
    ec->exec.env = exec->env ? strv_dup((const char *const *)exec->env) : NULL;
    ec->exec.interactive_mode = xstrdup(exec->interactive_mode);
    ec->exec.provide_cluster_info = exec->provide_cluster_info;
    ec->exec.install_hint = xstrdup(exec->install_hint);
    ec->server = xstrdup(cluster_server);
    ec->ca_pem = xstrdup(cluster_ca_pem);
    ec->out_fd = ec->err_fd = -1;
    ec->tick = ev_timer_new(loop, on_tick, ec);
    ec->fail_timer = ev_timer_new(loop, fail_fired, ec);
    return ec;
}

static void
really_free(struct execcred *ec)
{
    if (ec->pid > 0) {
        kill_child(ec, SIGKILL);
        waitpid(ec->pid, NULL, 0);
        ec->pid = 0;
        if (ec->interactive) {
            evloop_on_interrupt(ec->loop, NULL, NULL);
            evloop_term_reclaim(ec->loop);
        }
    }
    close_pipe(ec, &ec->out_fd, &ec->out_w);
    close_pipe(ec, &ec->err_fd, &ec->err_w);
    ev_timer_free(ec->tick);
    ev_timer_free(ec->fail_timer);
    strbuf_done(&ec->out);
    strbuf_done(&ec->err);
    cred_clear(&ec->cred);
    free(ec->fail_msg);
    free(ec->waiters);
    free(ec->exec.api_version);
    free(ec->exec.command);
    strv_free(ec->exec.args);
    strv_free(ec->exec.env);
    free(ec->exec.interactive_mode);
    free(ec->exec.install_hint);
    free(ec->server);
    free(ec->ca_pem);
    free(ec);
}

void
execcred_free(struct execcred *ec)
{
    if (!ec)
        return;
    if (ec->depth > 0) {
        ec->free_pending = true;
        return;
    }
    really_free(ec);
}

void
execcred_set_timeout(struct execcred *ec, int64_t ms)
{
    ec->timeout_ms = ms > 0 ? ms : 0;
}

static bool
cred_valid(const struct execcred *ec)
{
    return ec->have_cred && !ec->invalidate_pending &&
           (ec->cred.expiry == 0 || clock_now() < ec->cred.expiry);
}

void
execcred_get(struct execcred *ec, execcred_cb cb, void *arg)
{
    if (cred_valid(ec)) {
        ec->depth++;
        cb(arg, STATUS_OK, &ec->cred, NULL);
        ec->depth--;
        if (ec->depth == 0 && ec->free_pending)
            really_free(ec);
        return;
    }
    ec->waiters = xgrow(ec->waiters, &ec->capwaiters, ec->nwaiters + 1, sizeof(*ec->waiters));
    ec->waiters[ec->nwaiters++] = (struct waiter){ .cb = cb, .arg = arg };
    if (ec->pid > 0 || ev_timer_armed(ec->fail_timer))
        return;
    /* After Ctrl-C every retry of every request would take the terminal
     * again at once: the user's answer stands for this execcred's life. */
    if (ec->refused) {
        fail_later(ec, STATUS_CANCELLED, "exec plugin %s cancelled", ec->exec.command);
        return;
    }
    start_run(ec);
}

void
execcred_invalidate(struct execcred *ec)
{
    if (ec->depth > 0) {
        ec->invalidate_pending = true;
        return;
    }
    cred_clear(&ec->cred);
    ec->have_cred = false;
}

void
execcred_forget(struct execcred *ec, void *arg)
{
    size_t j = 0;

    for (size_t i = 0; i < ec->ndelivering; i++)
        if (ec->delivering[i].arg == arg)
            ec->delivering[i].cb = NULL;
    for (size_t i = 0; i < ec->nwaiters; i++)
        if (ec->waiters[i].arg != arg)
            ec->waiters[j++] = ec->waiters[i];
    ec->nwaiters = j;
}

bool
execcred_running(const struct execcred *ec)
{
    return ec->pid > 0;
}
