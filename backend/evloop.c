/* SPDX-License-Identifier: MIT */
/* evloop.c - fd watches and timers served by the owner's single poll(2) */
#include "config.h"

#include "opsdeck/evloop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/xalloc.h"

/*
 * Watches and timers live in arrays of pointers. Freeing one during
 * dispatch only marks it dead; dead entries are reaped once dispatch is
 * over, so a callback may free anything, itself included.
 */
struct ev_watch {
    struct evloop *loop;
    int fd;
    short events;
    ev_fd_cb cb;
    void *arg;
    bool dead;
};

struct ev_timer {
    struct evloop *loop;
    int64_t deadline;        /* monotonic ms; -1 disarmed */
    ev_timer_cb cb;
    void *arg;
    bool dead;
};

struct evloop {
    struct ev_watch **watches;
    size_t nwatches, capwatches;
    struct ev_timer **timers;
    size_t ntimers, captimers;
    int dispatching;
    bool need_reap;
    struct term_hooks hooks;
    bool have_hooks;
    ev_interrupt_cb interrupt_cb;
    void *interrupt_arg;
};

struct evloop *
evloop_new(void)
{
    return xcalloc(1, sizeof(struct evloop));
}

static void
reap(struct evloop *loop)
{
    size_t j = 0;

    for (size_t i = 0; i < loop->nwatches; i++) {
        if (loop->watches[i]->dead)
            free(loop->watches[i]);
        else
            loop->watches[j++] = loop->watches[i];
    }
    loop->nwatches = j;
    j = 0;
    for (size_t i = 0; i < loop->ntimers; i++) {
        if (loop->timers[i]->dead)
            free(loop->timers[i]);
        else
            loop->timers[j++] = loop->timers[i];
    }
    loop->ntimers = j;
    loop->need_reap = false;
}

void
evloop_free(struct evloop *loop)
{
    if (!loop)
        return;
    reap(loop);
    /* Leftovers are the owners' leaks; free them anyway. */
    for (size_t i = 0; i < loop->nwatches; i++)
        free(loop->watches[i]);
    for (size_t i = 0; i < loop->ntimers; i++)
        free(loop->timers[i]);
    free(loop->watches);
    free(loop->timers);
    free(loop);
}

struct ev_watch *
ev_watch_new(struct evloop *loop, int fd, short events, ev_fd_cb cb, void *arg)
{
    struct ev_watch *w = xcalloc(1, sizeof(*w));

    w->loop = loop;
    w->fd = fd;
    w->events = events;
    w->cb = cb;
    w->arg = arg;
    loop->watches = xgrow(loop->watches, &loop->capwatches, loop->nwatches + 1,
                          sizeof(*loop->watches));
    loop->watches[loop->nwatches++] = w;
    return w;
}

void
ev_watch_set_events(struct ev_watch *w, short events)
{
    w->events = events;
}

void
ev_watch_free(struct ev_watch *w)
{
    if (!w)
        return;
    w->dead = true;
    w->loop->need_reap = true;
    if (!w->loop->dispatching)
        reap(w->loop);
}

struct ev_timer *
ev_timer_new(struct evloop *loop, ev_timer_cb cb, void *arg)
{
    struct ev_timer *t = xcalloc(1, sizeof(*t));

    t->loop = loop;
    t->deadline = -1;
    t->cb = cb;
    t->arg = arg;
    loop->timers = xgrow(loop->timers, &loop->captimers, loop->ntimers + 1,
                         sizeof(*loop->timers));
    loop->timers[loop->ntimers++] = t;
    return t;
}

void
ev_timer_arm(struct ev_timer *t, int64_t ms)
{
    t->deadline = clock_mono_ms() + (ms < 0 ? 0 : ms);
}

void
ev_timer_disarm(struct ev_timer *t)
{
    t->deadline = -1;
}

bool
ev_timer_armed(const struct ev_timer *t)
{
    return t->deadline >= 0;
}

void
ev_timer_free(struct ev_timer *t)
{
    if (!t)
        return;
    t->dead = true;
    t->deadline = -1;
    t->loop->need_reap = true;
    if (!t->loop->dispatching)
        reap(t->loop);
}

size_t
evloop_watch_count(const struct evloop *loop)
{
    return loop->nwatches;
}

size_t
evloop_prepare(struct evloop *loop, struct pollfd *fds, size_t max, int *timeout_ms)
{
    size_t n = 0;
    int64_t now = clock_mono_ms(), next = -1;

    for (size_t i = 0; i < loop->nwatches && n < max; i++) {
        struct ev_watch *w = loop->watches[i];

        if (w->dead || w->events == 0)
            continue;
        fds[n].fd = w->fd;
        fds[n].events = w->events;
        fds[n].revents = 0;
        n++;
    }
    for (size_t i = 0; i < loop->ntimers; i++) {
        struct ev_timer *t = loop->timers[i];

        if (t->dead || t->deadline < 0)
            continue;
        if (next < 0 || t->deadline < next)
            next = t->deadline;
    }
    if (next < 0)
        *timeout_ms = -1;
    else if (next <= now)
        *timeout_ms = 0;
    else
        *timeout_ms = next - now > INT_MAX ? INT_MAX : (int)(next - now);
    return n;
}

bool
evloop_run_until(struct evloop *loop, ev_done_fn done, void *arg, int max_wait_ms)
{
    struct pollfd *fds = NULL;
    size_t cap = 0;
    bool ok = true;

    while (!done(arg)) {
        int timeout;
        size_t n;

        fds = xgrow(fds, &cap, evloop_watch_count(loop) + 1, sizeof(*fds));
        n = evloop_prepare(loop, fds, cap, &timeout);
        if (max_wait_ms > 0 && (timeout < 0 || timeout > max_wait_ms))
            timeout = max_wait_ms;
        if (poll(fds, n, timeout) < 0 && errno != EINTR) {
            ok = false;
            break;
        }
        evloop_dispatch(loop, fds, n);
    }
    free(fds);
    return ok;
}

bool
evloop_flag_set(void *arg)
{
    return *(const bool *)arg;
}

void
evloop_dispatch(struct evloop *loop, const struct pollfd *fds, size_t n)
{
    int64_t now;
    size_t count;

    loop->dispatching++;
    for (size_t k = 0; k < n; k++) {
        if (!fds[k].revents)
            continue;
        /* Find the live watch for this fd; arrays only grow during dispatch. */
        for (size_t i = 0; i < loop->nwatches; i++) {
            struct ev_watch *w = loop->watches[i];

            if (!w->dead && w->fd == fds[k].fd) {
                w->cb(w->arg, w->fd, fds[k].revents);
                break;
            }
        }
    }
    now = clock_mono_ms();
    /* Timers armed by a callback in this pass wait for the next pass. */
    count = loop->ntimers;
    for (size_t i = 0; i < count; i++) {
        struct ev_timer *t = loop->timers[i];

        if (!t->dead && t->deadline >= 0 && t->deadline <= now) {
            t->deadline = -1;
            t->cb(t->arg);
        }
    }
    loop->dispatching--;
    if (!loop->dispatching && loop->need_reap)
        reap(loop);
}

void
evloop_set_term_hooks(struct evloop *loop, const struct term_hooks *hooks)
{
    loop->have_hooks = hooks != NULL;
    if (hooks)
        loop->hooks = *hooks;
}

bool
evloop_term_release(struct evloop *loop)
{
    if (loop->have_hooks) {
        loop->hooks.release(loop->hooks.arg);
        return true;
    }
    return isatty(STDIN_FILENO) != 0;
}

void
evloop_term_reclaim(struct evloop *loop)
{
    if (loop->have_hooks)
        loop->hooks.reclaim(loop->hooks.arg);
}

void
evloop_on_interrupt(struct evloop *loop, ev_interrupt_cb cb, void *arg)
{
    loop->interrupt_cb = cb;
    loop->interrupt_arg = arg;
}

bool
evloop_interrupt(struct evloop *loop)
{
    ev_interrupt_cb cb = loop->interrupt_cb;

    if (!cb)
        return false;
    loop->interrupt_cb = NULL;
    cb(loop->interrupt_arg);
    return true;
}
