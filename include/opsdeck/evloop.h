/* SPDX-License-Identifier: MIT */
/* evloop.h - the registry of fds and timers that the one poll loop serves */
#ifndef OPSDECK_EVLOOP_H
#define OPSDECK_EVLOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The backend never blocks and never calls poll(2) itself. Modules register
 * file descriptors and timers here; the owner of the loop (tui/loop.c for
 * the console, the one-shot CLI for commands) does, each pass:
 *
 *     n = evloop_prepare(loop, fds, max, &timeout_ms);   // plus its own fds
 *     poll(fds, n + own, timeout_ms);
 *     evloop_dispatch(loop, fds, n);
 *
 * Callbacks run only inside evloop_dispatch(). A callback may add or remove
 * watches and timers (including its own); removal is deferred safely.
 */
struct evloop;
struct ev_watch;
struct ev_timer;

typedef void (*ev_fd_cb)(void *arg, int fd, short revents);
typedef void (*ev_timer_cb)(void *arg);

struct evloop *evloop_new(void);
/* Frees the loop; every watch and timer must have been freed before. */
void evloop_free(struct evloop *loop);

/* Watches fd for events (POLLIN/POLLOUT). Borrowed fd: never closed here. */
struct ev_watch *ev_watch_new(struct evloop *loop, int fd, short events, ev_fd_cb cb, void *arg);
void ev_watch_set_events(struct ev_watch *w, short events);
void ev_watch_free(struct ev_watch *w);           /* NULL is a no-op */

/* A timer starts disarmed. */
struct ev_timer *ev_timer_new(struct evloop *loop, ev_timer_cb cb, void *arg);
/* Fires once, after ms milliseconds (0 = on the next dispatch). Re-arming
 * replaces the previous deadline. */
void ev_timer_arm(struct ev_timer *t, int64_t ms);
void ev_timer_disarm(struct ev_timer *t);
bool ev_timer_armed(const struct ev_timer *t);
void ev_timer_free(struct ev_timer *t);           /* NULL is a no-op */

/* Fills at most max pollfds and returns how many; *timeout_ms gets the time
 * to the nearest timer, or -1 when none is armed (the caller may lower it). */
size_t evloop_prepare(struct evloop *loop, struct pollfd *fds, size_t max, int *timeout_ms);
/* Runs the callbacks of ready fds (fds as filled by prepare) and of expired
 * timers. */
void evloop_dispatch(struct evloop *loop, const struct pollfd *fds, size_t n);
/* Number of registered watches (an upper bound for prepare's max). */
size_t evloop_watch_count(const struct evloop *loop);

/*
 * For one-shot commands and tools that own nothing else: the pass above,
 * poll included, until done(arg) says so. max_wait_ms > 0 bounds each
 * poll (for a done that depends on time or on a signal flag); 0: only the
 * timers do. Returns false when poll failed (errno says why; EINTR is not
 * a failure).
 */
typedef bool (*ev_done_fn)(void *arg);
bool evloop_run_until(struct evloop *loop, ev_done_fn done, void *arg, int max_wait_ms);
/* An ev_done_fn for a `bool` flag: arg points to it. */
bool evloop_flag_set(void *arg);

/*
 * Terminal hand-over, for credential plugins that must talk to the user:
 * the console registers hooks that leave and re-enter curses mode; without
 * hooks (one-shot CLI) the terminal is already the plugin's.
 */
struct term_hooks {
    void (*release)(void *arg);   /* endwin(): the terminal goes to a child */
    void (*reclaim)(void *arg);   /* back to curses, full redraw */
    void *arg;
};
void evloop_set_term_hooks(struct evloop *loop, const struct term_hooks *hooks);
/* True when the program has an interactive terminal to lend. */
bool evloop_term_release(struct evloop *loop);
void evloop_term_reclaim(struct evloop *loop);

/*
 * Interrupt: the loop's owner calls evloop_interrupt() when Ctrl-C arrives
 * while the terminal is lent; interested modules (a running credential
 * plugin) registered a handler to cancel their work.
 */
typedef void (*ev_interrupt_cb)(void *arg);
void evloop_on_interrupt(struct evloop *loop, ev_interrupt_cb cb, void *arg); /* cb NULL = none */
/* Returns true when a handler consumed the interrupt. */
bool evloop_interrupt(struct evloop *loop);

#endif /* OPSDECK_EVLOOP_H */
