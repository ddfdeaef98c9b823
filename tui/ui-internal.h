/* SPDX-License-Identifier: MIT */
/* ui-internal.h - the console's state, shared by ui.c (views, keys, painting) and loop.c */
#ifndef OPSDECK_UI_INTERNAL_H
#define OPSDECK_UI_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "opsdeck/prompt.h"
#include "opsdeck/screen.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/theme.h"
#include "opsdeck/ui.h"
#include "opsdeck/vec.h"

struct ev_timer;
struct filter;
struct keymap;
struct script;

enum prompt_kind { PROMPT_COMMAND, PROMPT_FILTER, PROMPT_SEARCH, PROMPT_VIEW };

struct ui_message {
    enum ui_severity severity;
    char *text; /* sanitised */
};

/* The signals the loop handles through its self-pipe. */
#define UI_SIGNALS(_)   _(SIGWINCH) _(SIGTSTP) _(SIGCONT) _(SIGHUP) _(SIGTERM) _(SIGINT)
#define UI_SIGNAL_COUNT 6

struct ui {
    struct ui_options opts;
    struct evloop *loop; /* borrowed */
    struct screen *scr;
    struct keymap *km;
    struct theme theme;
    unsigned san; /* sanitize flags: 0 or SANITIZE_ASCII */
    bool ascii;

    struct vec views_reg; /* const struct view_ops * (borrowed) */
    struct vec commands;  /* struct ui_command * (copies) */
    struct vec stack;     /* struct view * (owned), the top is current */
    struct vec messages;  /* struct ui_message * (owned) */
    char *msg;            /* the message line, or NULL */
    enum ui_severity msg_severity;
    unsigned msg_unseen; /* messages logged over it since the last key */

    struct prompt *cmd_prompt, *filter_prompt, *search_prompt;
    struct prompt *prompt; /* the open one, or NULL */
    enum prompt_kind prompt_kind;
    char *filter_before;         /* the filter text when `/` opened (Esc restores it) */
    char *prompt_error;          /* why the live filter does not compile, or NULL */
    struct filter *table_search; /* the last F3 search, for n */
    struct prompt *view_prompt;  /* ui_prompt_view's, or NULL */
    struct view *view_prompt_view; /* whose it is (borrowed; checked on Enter) */
    char *view_prompt_history;   /* its history name */
    ui_prompt_fn view_prompt_accept;
    struct prompt_history_ops hist;
    bool have_hist;
    struct vec mem_hist_cmd, mem_hist_filter; /* without hist: oldest first */

    bool (*settled)(void *arg);
    void *settled_arg;
    struct ui_header header;

    /* painting */
    struct strbuf last[WIN_COUNT]; /* what each chrome line (and the table header) shows */
    bool full_redraw, body_dirty, message_dirty, cursor_was_visible;

    /* the loop */
    bool quit;
    int exit_status;
    char *exit_message; /* printed on stderr once the terminal is restored */
    int sigpipe[2];
    struct sigaction old_actions[UI_SIGNAL_COUNT];
    struct sigaction old_sigpipe;
    bool signals_installed;
    bool hooks_installed;
    bool lent; /* the terminal is lent to a credential plugin */
    int64_t reclaimed_ms; /* when it came back (clock_mono_ms), 0 never */
    struct ev_timer *tick_timer, *clock_timer;
    long passes;
    unsigned empty_reads; /* passes where stdin was readable but gave no key */

    /* scripts */
    struct script *script;
    char *screen_dir;
    long watchdog_ms;
    int64_t deadline_ms; /* monotonic */
    bool script_waiting;
    const char *script_wait_text;   /* :wait-for: held until the screen shows it */
    char *script_barrier_go;        /* :barrier: held until this file exists */
    int64_t script_next_check;      /* monotonic ms of the next :wait-for/:barrier check */
    int *keyq; /* keys of the current step */
    size_t nkeyq, capkeyq;
};

/* ui.c */
void ui_log_message(struct ui *ui, enum ui_severity sev, const char *text);
void ui_dispatch(struct ui *ui, enum request req);
void ui_push_view(struct ui *ui, struct view *v);
void ui_complete_command(void *arg, const char *prefix, struct vec *out);
void ui_sections(struct view *v, const char *out[4]);
void ui_run_command_line(struct ui *ui, const char *line);
void ui_key(struct ui *ui, int key);
void ui_paint(struct ui *ui);

/* loop.c */
enum status ui_signals_install(struct ui *ui);
void ui_signals_restore(struct ui *ui);
void ui_install_term_hooks(struct ui *ui);
void ui_fatal_hook(void);
void ui_fatal_hook_screen(struct screen *s);

#endif /* OPSDECK_UI_INTERNAL_H */
