/* SPDX-License-Identifier: MIT */
/* loop.c - the one poll loop: signals by self-pipe, keys, backend fds and timers, test scripts */
#include "config.h"

#include "opsdeck/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/keymap.h"
#include "opsdeck/screen.h"
#include "opsdeck/script.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"
#include "ui-internal.h"

#define EMPTY_READS_GONE 3 /* readable stdin that yields no key this often: the tty is gone */
/* A Ctrl-C this soon after a credential plugin gave the terminal back was the
 * plugin's (it reached both; ours was delivered late, as under valgrind). */
#define SIGINT_AFTER_LEND_MS 500

/*
 * Signals: the handlers only write the signal's number to a pipe; the loop
 * reads it and acts in the open, so a signal never runs code inside curses.
 * They are installed before curses starts, so ncurses keeps its own
 * SIGWINCH/SIGTSTP/SIGINT handlers out of the way.
 */

static int sig_write_fd = -1;       /* the self-pipe's write end, for the handlers */
static struct screen *fatal_screen; /* restored before an allocation failure aborts */

#define SIGNAL_NUMBER(sig) sig,
static const int handled_signals[UI_SIGNAL_COUNT] = {UI_SIGNALS(SIGNAL_NUMBER)};
#undef SIGNAL_NUMBER

static void
on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t r = write(sig_write_fd, &b, 1);

    (void)r; /* a full pipe already holds a wake-up */
    errno = saved;
}

enum status
ui_signals_install(struct ui *ui)
{
    struct sigaction sa, ign;

    if (pipe2(ui->sigpipe, O_NONBLOCK | O_CLOEXEC) < 0)
        return status_fail(STATUS_IO, "pipe: %s", strerror(errno));
    sig_write_fd = ui->sigpipe[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < UI_SIGNAL_COUNT; i++)
        sigaction(handled_signals[i], &sa, &ui->old_actions[i]);
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &ui->old_sigpipe);
    ui->signals_installed = true;
    return STATUS_OK;
}

void
ui_signals_restore(struct ui *ui)
{
    if (!ui->signals_installed)
        return;
    for (int i = 0; i < UI_SIGNAL_COUNT; i++)
        sigaction(handled_signals[i], &ui->old_actions[i], NULL);
    sigaction(SIGPIPE, &ui->old_sigpipe, NULL);
    close(ui->sigpipe[0]);
    close(ui->sigpipe[1]);
    sig_write_fd = -1;
    ui->signals_installed = false;
}

void
ui_fatal_hook_screen(struct screen *s)
{
    fatal_screen = s;
}

void
ui_fatal_hook(void)
{
    if (fatal_screen)
        endwin();
}

/*
 * The terminal lent to a credential plugin
 */

static void
term_release(void *arg)
{
    struct ui *ui = arg;

    ui->lent = true;
    screen_suspend(ui->scr);
}

static void
term_reclaim(void *arg)
{
    struct ui *ui = arg;

    ui->lent = false;
    ui->reclaimed_ms = clock_mono_ms();
    screen_resume(ui->scr);
    ui->full_redraw = true;
}

void
ui_install_term_hooks(struct ui *ui)
{
    const struct term_hooks hooks = {term_release, term_reclaim, ui};

    evloop_set_term_hooks(ui->loop, &hooks);
    ui->hooks_installed = true;
}

/* Ctrl-Z: leave curses, stop, and come back with a full repaint. */
static void
suspend_self(struct ui *ui)
{
    struct sigaction dfl, ours;

    screen_suspend(ui->scr);
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &ours);
    raise(SIGTSTP); /* stops here until SIGCONT */
    sigaction(SIGTSTP, &ours, NULL);
    if (!ui->lent) {
        screen_resume(ui->scr);
        ui->full_redraw = true;
    }
}

static void
handle_signals(struct ui *ui)
{
    unsigned char buf[64];
    ssize_t n;

    while ((n = read(ui->sigpipe[0], buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            switch (buf[i]) {
            case SIGWINCH:
                if (!screen_scripted(ui->scr) && !screen_suspended(ui->scr)) {
                    screen_resize_from_tty(ui->scr);
                    ui->full_redraw = true;
                }
                break;
            case SIGTSTP:
                suspend_self(ui);
                break;
            case SIGCONT:
                if (!screen_suspended(ui->scr)) {
                    screen_clear_next(ui->scr);
                    ui->full_redraw = true;
                }
                break;
            case SIGHUP:
            case SIGTERM:
                ui_quit(ui);
                break;
            case SIGINT:
                /* while a plugin has the terminal, Ctrl-C is the plugin's */
                if (ui->lent)
                    evloop_interrupt(ui->loop);
                else if (!ui->reclaimed_ms ||
                         clock_mono_ms() - ui->reclaimed_ms >= SIGINT_AFTER_LEND_MS)
                    ui_quit(ui);
                break;
            default:
                break;
            }
        }
    }
}

/* Keys from the terminal; a terminal that hung up ends the console. */
static void
read_input(struct ui *ui, short revents)
{
    unsigned got = 0;
    int key;

    if (revents & POLLIN) {
        while (!ui->quit && screen_read_key(ui->scr, &key)) {
            ui_key(ui, key);
            got++;
        }
        ui->empty_reads = got ? 0 : ui->empty_reads + 1;
    }
    if ((revents & (POLLHUP | POLLERR | POLLNVAL)) || ui->empty_reads >= EMPTY_READS_GONE)
        ui_quit(ui);
}

/*
 * Timers: the refresh tick of every view, and the header's clock
 */

static void
on_tick(void *arg)
{
    struct ui *ui = arg;

    for (size_t i = 0; i < ui->stack.len; i++)
        view_tick(ui->stack.items[i]);
    ev_timer_arm(ui->tick_timer, ui->opts.refresh_ms);
}

static int64_t
ms_to_next_minute(void)
{
    int64_t now = clock_now_ns() / 1000000;

    return 60000 - now % 60000 + 5;
}

static void
on_clock(void *arg)
{
    struct ui *ui = arg;

    ev_timer_arm(ui->clock_timer, clock_is_injected() ? 3600000 : ms_to_next_minute());
}

/*
 * Scripts
 */

static bool
settled(struct ui *ui)
{
    struct view *v = ui_current(ui);

    if (v && view_busy(v))
        return false;
    return !ui->settled || ui->settled(ui->settled_arg);
}

/* How often a held script looks at the screen or for its barrier file. */
#define SCRIPT_CHECK_MS 50

/* A :wait-for or :barrier step still holds the script. Checks at most
 * every SCRIPT_CHECK_MS. */
static bool
script_held(struct ui *ui)
{
    int64_t now;

    if (!ui->script_wait_text && !ui->script_barrier_go)
        return false;
    now = clock_mono_ms();
    if (now < ui->script_next_check)
        return true;
    ui->script_next_check = now + SCRIPT_CHECK_MS;
    if (ui->script_wait_text) {
        struct strbuf sb;
        bool found;

        strbuf_init(&sb);
        screen_dump(ui->scr, false, &sb);
        found = strstr(strbuf_str(&sb), ui->script_wait_text) != NULL;
        strbuf_done(&sb);
        if (!found)
            return true;
        ui->script_wait_text = NULL;
    }
    if (ui->script_barrier_go) {
        if (access(ui->script_barrier_go, F_OK) != 0)
            return true;
        free(ui->script_barrier_go);
        ui->script_barrier_go = NULL;
    }
    return false;
}

static bool
script_ready(struct ui *ui)
{
    return ui->script && !ui->script_waiting && !ui->script_wait_text &&
           !ui->script_barrier_go && (ui->nkeyq > 0 || settled(ui));
}

static void script_fail(struct ui *ui, const char *fmt, ...) ATTR_FORMAT(2, 3);

static void
script_fail(struct ui *ui, const char *fmt, ...)
{
    va_list ap;

    free(ui->exit_message);
    va_start(ap, fmt);
    ui->exit_message = xvasprintf(fmt, ap);
    va_end(ap);
    ui->exit_status = 1;
    ui_quit(ui);
}

static void
save_display(struct ui *ui, const struct script_step *st)
{
    char *path = xasprintf("%s/%s", ui->screen_dir, st->name);
    struct strbuf sb;
    FILE *f;

    strbuf_init(&sb);
    screen_dump(ui->scr, st->kind == SCRIPT_SAVE_ATTRS, &sb);
    f = fopen(path, "w");
    if (!f || fwrite(sb.buf ? sb.buf : "", 1, sb.len, f) != sb.len)
        script_fail(ui, "%s: %s", path, strerror(errno));
    if (f && fclose(f) != 0)
        script_fail(ui, "%s: %s", path, strerror(errno));
    strbuf_done(&sb);
    free(path);
}

static void
barrier(struct ui *ui, const struct script_step *st)
{
    char *ready = xasprintf("%s/%s.ready", ui->screen_dir, st->name);
    FILE *f = fopen(ready, "w");

    if (!f || fclose(f) != 0)
        script_fail(ui, "%s: %s", ready, strerror(errno));
    free(ready);
    ui->script_barrier_go = xasprintf("%s/%s.go", ui->screen_dir, st->name);
}

static void
script_step(struct ui *ui)
{
    const struct script_step *st;

    if (ui->script_waiting || ui->nkeyq || script_held(ui) || !settled(ui))
        return;
    st = script_next(ui->script);
    if (!st) {
        ui_quit(ui);
        return;
    }
    switch (st->kind) {
    case SCRIPT_KEYS:
        ui->keyq = xgrow(ui->keyq, &ui->capkeyq, st->nkeys, sizeof(*ui->keyq));
        memcpy(ui->keyq, st->keys, st->nkeys * sizeof(*ui->keyq));
        ui->nkeyq = st->nkeys;
        break;
    case SCRIPT_SAVE:
    case SCRIPT_SAVE_ATTRS:
        save_display(ui, st);
        break;
    case SCRIPT_RESIZE:
        screen_resize(ui->scr, st->lines, st->cols);
        ui->full_redraw = true;
        break;
    case SCRIPT_WAIT:
        ui->script_waiting = true;
        break;
    case SCRIPT_WAIT_FOR:
        ui->script_wait_text = st->name;
        ui->script_next_check = 0;
        break;
    case SCRIPT_BARRIER:
        barrier(ui, st);
        break;
    case SCRIPT_QUIT:
        ui_quit(ui);
        break;
    }
}

static void
feed_script_keys(struct ui *ui)
{
    size_t n = ui->nkeyq;

    ui->nkeyq = 0;
    for (size_t i = 0; i < n && !ui->quit; i++)
        ui_key(ui, ui->keyq[i]);
}

static void
watchdog(struct ui *ui)
{
    size_t pos = script_position(ui->script);

    script_fail(ui, "script watchdog: not finished after %ld s (%zu of %zu steps done%s)",
                ui->watchdog_ms / 1000, pos, script_length(ui->script),
                ui->script_waiting       ? ", waiting at :wait"
                : ui->script_wait_text  ? ", the screen never showed the :wait-for text"
                : ui->script_barrier_go ? ", the :barrier was never released"
                : settled(ui)           ? ""
                                        : ", the app never settled");
}

/*
 * The loop
 */

int
ui_run(struct ui *ui)
{
    struct pollfd *fds = NULL;
    size_t cap = 0;

    ui->tick_timer = ev_timer_new(ui->loop, on_tick, ui);
    ev_timer_arm(ui->tick_timer, ui->opts.refresh_ms);
    ui->clock_timer = ev_timer_new(ui->loop, on_clock, ui);
    on_clock(ui);
    if (ui->script)
        ui->deadline_ms = clock_mono_ms() + ui->watchdog_ms;
    ui->full_redraw = true;
    ui_paint(ui);
    while (!ui->quit) {
        size_t own = 0, n, need = evloop_watch_count(ui->loop) + 2;
        int in = screen_input_fd(ui->scr), timeout, r;
        bool poll_stdin = in >= 0 && !ui->lent && !screen_suspended(ui->scr);

        fds = xgrow(fds, &cap, need, sizeof(*fds));
        fds[own++] = (struct pollfd){.fd = ui->sigpipe[0], .events = POLLIN};
        if (poll_stdin)
            fds[own++] = (struct pollfd){.fd = in, .events = POLLIN};
        n = evloop_prepare(ui->loop, fds + own, cap - own, &timeout);
        if (script_ready(ui))
            timeout = 0;
        if (ui->script_wait_text || ui->script_barrier_go)
            timeout = timeout < 0 || timeout > SCRIPT_CHECK_MS ? SCRIPT_CHECK_MS : timeout;
        if (ui->script) {
            int64_t left = ui->deadline_ms - clock_mono_ms();

            if (left < 0)
                left = 0;
            if (timeout < 0 || timeout > left)
                timeout = (int)left;
        }
        r = poll(fds, own + n, timeout);
        if (r < 0) {
            if (errno != EINTR) {
                script_fail(ui, "poll: %s", strerror(errno));
                break;
            }
            for (size_t i = 0; i < own + n; i++)
                fds[i].revents = 0;
        }
        /* Signals first: a Ctrl-C that reached both a credential plugin and us
         * was caught before the plugin's exit can be noticed (the handler ran
         * when poll returned), so it is still the plugin's and does not quit. */
        handle_signals(ui);
        evloop_dispatch(ui->loop, fds + own, n);
        if (poll_stdin && !ui->quit)
            read_input(ui, fds[1].revents);
        if (ui->nkeyq && !ui->quit)
            feed_script_keys(ui);
        if (!ui->quit)
            ui_paint(ui);
        ui->passes++;
        if (ui->opts.iterations > 0 && ui->passes >= ui->opts.iterations)
            ui_quit(ui);
        if (ui->script && !ui->quit)
            script_step(ui);
        if (ui->script && !ui->quit && clock_mono_ms() >= ui->deadline_ms)
            watchdog(ui);
    }
    free(fds);
    free(ui->script_barrier_go);
    ui->script_barrier_go = NULL;
    free(ui->keyq);
    ui->keyq = NULL;
    ui->nkeyq = ui->capkeyq = 0;
    ev_timer_free(ui->tick_timer);
    ev_timer_free(ui->clock_timer);
    ui->tick_timer = ui->clock_timer = NULL;
    return ui->exit_status;
}
