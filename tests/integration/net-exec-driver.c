/* SPDX-License-Identifier: MIT */
/* net-exec-driver.c - runs an interactive exec plugin as the console does, for the pty test */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/execcred.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/macros.h"

/*
 * net-exec-driver PLUGIN: owns an evloop with terminal hooks (markers on
 * stdout instead of endwin/refresh), turns SIGINT into evloop_interrupt
 * through a self-pipe as the console does, asks for a credential from
 * PLUGIN (interactiveMode Always), prints "RESULT <status> ...", and then
 * proves its loop still runs by printing "ALIVE 1".."ALIVE 3" from a timer.
 * Exits 0 after that, 2 when something hangs (20 s).
 */

static int sig_pipe[2];

struct driver {
    struct evloop *loop;
    struct ev_timer *heartbeat;
    int beats;
    bool done;
};

static void say(const char *fmt, ...) ATTR_FORMAT(1, 2);

static void
say(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0 && write(STDOUT_FILENO, buf, MIN((size_t)n, sizeof(buf) - 1)) < 0)
        exit(3);
}

static void
on_sigint(int sig)
{
    int saved = errno;
    ssize_t r = write(sig_pipe[1], "i", 1); /* a full pipe already holds an interrupt */

    (void)sig;
    (void)r;
    errno = saved;
}

static void
sig_ready(void *arg, int fd, short revents)
{
    struct driver *d = arg;
    char c;

    (void)revents;
    while (read(fd, &c, 1) == 1) {
        bool taken = evloop_interrupt(d->loop);

        say("[interrupt %s]\r\n", taken ? "handled" : "ignored");
    }
}

static void
release(void *arg)
{
    (void)arg;
    say("[terminal released]\r\n");
}

static void
reclaim(void *arg)
{
    (void)arg;
    say("[terminal reclaimed]\r\n");
}

static void
beat(void *arg)
{
    struct driver *d = arg;

    say("ALIVE %d\r\n", ++d->beats);
    if (d->beats == 3)
        d->done = true;
    else
        ev_timer_arm(d->heartbeat, 50);
}

static const char *
status_name(enum status st)
{
    switch (st) {
    case STATUS_OK:
        return "OK";
    case STATUS_CANCELLED:
        return "CANCELLED";
    case STATUS_EXEC:
        return "EXEC";
    default:
        return "OTHER";
    }
}

static void
got(void *arg, enum status st, const struct exec_credential *cred, const char *error)
{
    struct driver *d = arg;

    say("RESULT %s token=%s error=%s\r\n", status_name(st), cred && cred->token ? cred->token : "",
        error ? error : "");
    ev_timer_arm(d->heartbeat, 50);
}

int
main(int argc, char **argv)
{
    struct driver d = { 0 };
    struct kube_exec ex = { 0 };
    struct execcred *ec;
    struct ev_watch *sw;
    struct sigaction sa;
    int64_t deadline = clock_mono_ms() + 20000;
    int rc = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PLUGIN\n", argv[0]);
        return 64;
    }
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return 3;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    d.loop = evloop_new();
    d.heartbeat = ev_timer_new(d.loop, beat, &d);
    evloop_set_term_hooks(d.loop, &(struct term_hooks){ release, reclaim, NULL });
    sw = ev_watch_new(d.loop, sig_pipe[0], POLLIN, sig_ready, &d);
    ex.api_version = (char *)(uintptr_t)"client.authentication.k8s.io/v1";
    ex.command = argv[1];
    ex.interactive_mode = (char *)(uintptr_t)"Always";
    ec = execcred_new(d.loop, &ex, NULL, NULL);
    execcred_get(ec, got, &d);

    while (!d.done) {
        struct pollfd fds[16];
        int timeout;
        size_t n = evloop_prepare(d.loop, fds, 16, &timeout);
        int64_t left = deadline - clock_mono_ms();

        if (left <= 0) {
            say("TIMEOUT\r\n");
            rc = 2;
            break;
        }
        if (timeout < 0 || timeout > left)
            timeout = (int)left;
        if (poll(fds, n, timeout) < 0 && errno != EINTR)
            break;
        evloop_dispatch(d.loop, fds, n);
    }
    execcred_free(ec);
    ev_watch_free(sw);
    ev_timer_free(d.heartbeat);
    evloop_free(d.loop);
    return rc;
}
