/* SPDX-License-Identifier: MIT */
/* ui.c - the console: views stack, keys to requests, prompts, messages, painting what changed */
#include "config.h"

#include "opsdeck/ui.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/draw.h"
#include "opsdeck/evloop.h"
#include "opsdeck/filter.h"
#include "opsdeck/keymap.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/screen.h"
#include "opsdeck/script.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"
#include "ui-internal.h"

#define MAX_MESSAGES 200
#define HISTORY_MAX  100
#define MAX_PIECES   64

static const struct view_ops text_ops = {
    .name = "text",
    .help = "Text",
    .kind = VIEW_TEXT,
    .flags = VIEW_NO_COMMAND,
};

static const struct view_ops help_ops = {
    .name = "help",
    .help = "Keys and commands",
    .kind = VIEW_TEXT,
    .flags = VIEW_NO_COMMAND,
};

static const struct view_ops messages_ops = {
    .name = "messages",
    .help = "Messages of this session",
    .kind = VIEW_TEXT,
    .flags = VIEW_NO_COMMAND,
};

/*
 * Construction
 */

static void
warn_stderr(void *arg, const char *msg)
{
    struct ui *ui = arg;

    fprintf(stderr, "opsdeck: %s\n", msg);
    ui_log_message(ui, UI_WARNING, msg);
}

static void
message_free(void *p)
{
    struct ui_message *m = p;

    free(m->text);
    free(m);
}

void
ui_log_message(struct ui *ui, enum ui_severity sev, const char *text)
{
    struct ui_message *m = xcalloc(1, sizeof(*m));

    m->severity = sev;
    m->text = sanitize_str(text, ui->san, NULL);
    if (ui->messages.len >= MAX_MESSAGES)
        vec_remove(&ui->messages, 0);
    vec_push(&ui->messages, m);
    /* several before a key clears them: the newest, and how many more */
    ui->msg_unseen = ui->msg ? ui->msg_unseen + 1 : 0;
    free(ui->msg);
    if (ui->msg_unseen)
        ui->msg = xasprintf("%s (+%u more: :messages)", m->text, ui->msg_unseen);
    else
        ui->msg = xstrdup(m->text);
    if (!ui->msg_unseen || sev > ui->msg_severity)
        ui->msg_severity = sev;
}

static void
view_free_item(void *p)
{
    view_free(p);
}

static const char *const quit_aliases[] = {"q", "q!", "qa", "Q", "exit", NULL};
static const char *const help_aliases[] = {"h", "?", NULL};

static enum status
cmd_quit(struct ui *ui, const char *args, void *arg)
{
    (void)args;
    (void)arg;
    ui_quit(ui);
    return STATUS_OK;
}

static enum status
cmd_help(struct ui *ui, const char *args, void *arg)
{
    (void)args;
    (void)arg;
    ui_dispatch(ui, REQ_HELP);
    return STATUS_OK;
}

static enum status
cmd_messages(struct ui *ui, const char *args, void *arg)
{
    struct view *v;

    (void)args;
    (void)arg;
    v = view_new(ui, ui->opts.app, &messages_ops, NULL, ui->san);
    if (!v)
        return STATUS_INVALID;
    view_set_title(v, "messages");
    if (ui->messages.len == 0)
        textview_add(view_text(v), ELEM_DIM, "No messages.");
    for (size_t i = 0; i < ui->messages.len; i++) {
        const struct ui_message *m = ui->messages.items[i];
        static const enum theme_element elem[] = {
            [UI_OK] = ELEM_DEFAULT, [UI_WARNING] = ELEM_WARNING, [UI_ERROR] = ELEM_ERROR};

        textview_add(view_text(v), elem[m->severity], m->text);
    }
    ui_push_view(ui, v);
    return STATUS_OK;
}

static const struct ui_command builtin_commands[] = {
    {.name = "quit", .aliases = quit_aliases, .help = "Quit opsdeck", .run = cmd_quit},
    {.name = "help", .aliases = help_aliases, .help = "Keys and commands", .run = cmd_help},
    {.name = "messages", .help = "Warnings and errors of this session", .run = cmd_messages},
};

static unsigned
load_keymap_text(struct ui *ui, const char *text, const char *origin)
{
    return keymap_load(ui->km, text, origin, NULL, warn_stderr, ui);
}

unsigned
ui_load_keymap(struct ui *ui, const char *text, const char *origin)
{
    return load_keymap_text(ui, text, origin);
}

static void
load_config(struct ui *ui)
{
    unsigned bad;
    bool mono = ui->opts.no_color || theme_env_no_color();

    load_keymap_text(ui, keymap_default_text(), "default keymap");
    if (ui->opts.keymap_file &&
        keymap_load_file(ui->km, ui->opts.keymap_file, NULL, warn_stderr, ui, &bad) != STATUS_OK &&
        !strstr(status_text(), "No such file"))
        warn_stderr(ui, status_text());
    if (mono)
        theme_init_mono(&ui->theme);
    else
        theme_init_default(&ui->theme);
    if (ui->opts.theme_file &&
        theme_load_file(&ui->theme, ui->opts.theme_file, warn_stderr, ui, &bad) != STATUS_OK)
        warn_stderr(ui, status_text());
}

static enum status
script_setup(struct ui *ui, const char *path)
{
    const char *dir = getenv("OPSDECK_SCREEN_DIR"), *timeout = getenv("OPSDECK_SCRIPT_TIMEOUT");
    long secs = 10;

    if (script_load(path, &ui->script) != STATUS_OK)
        return STATUS_USAGE;
    ui->screen_dir = xstrdup(dir && *dir ? dir : ".");
    if (timeout && *timeout) {
        char *end;
        long v = strtol(timeout, &end, 10);

        if (*end || v <= 0)
            return status_fail(STATUS_USAGE, "OPSDECK_SCRIPT_TIMEOUT=%s: expected seconds",
                               timeout);
        secs = v;
    }
    ui->watchdog_ms = secs * 1000;
    return STATUS_OK;
}

static int
env_int(const char *name, int def)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (!v || !*v)
        return def;
    n = strtol(v, &end, 10);
    return (*end || n < 1 || n > 10000) ? def : (int)n;
}

enum status
ui_new(const struct ui_options *opts, struct ui **out)
{
    struct ui *ui = xcalloc(1, sizeof(*ui));
    struct screen_options so = {0};
    const char *script = getenv("OPSDECK_SCRIPT");
    char *warning = NULL;
    enum status rc;

    *out = NULL;
    ui->opts = *opts;
    if (ui->opts.refresh_ms <= 0)
        ui->opts.refresh_ms = 2000;
    ui->loop = opts->loop;
    ui->ascii = !sanitize_locale_is_utf8();
    ui->san = ui->ascii ? SANITIZE_ASCII : 0;
    ui->km = keymap_new();
    vec_init(&ui->views_reg, NULL);
    vec_init(&ui->commands, free);
    vec_init(&ui->stack, view_free_item);
    vec_init(&ui->messages, message_free);
    vec_init(&ui->mem_hist_cmd, free);
    vec_init(&ui->mem_hist_filter, free);
    for (int i = 0; i < WIN_COUNT; i++)
        strbuf_init(&ui->last[i]);
    ui->cmd_prompt = prompt_new(":");
    ui->filter_prompt = prompt_new("/");
    ui->search_prompt = prompt_new("search /");
    prompt_set_completer(ui->cmd_prompt, ui_complete_command, ui);
    for (size_t i = 0; i < ARRAY_SIZE(builtin_commands); i++)
        ui_add_command(ui, &builtin_commands[i]);
    if (script && *script) {
        rc = script_setup(ui, script);
        if (rc != STATUS_OK)
            goto fail;
        so.scripted = true;
        so.rows = env_int("LINES", 24);
        so.cols = env_int("COLUMNS", 80);
    }
    load_config(ui);
    rc = ui_signals_install(ui);
    if (rc != STATUS_OK)
        goto fail;
    rc = screen_open(&so, &ui->scr, &warning);
    if (rc != STATUS_OK)
        goto fail;
    xalloc_set_fatal_hook(ui_fatal_hook);
    ui_fatal_hook_screen(ui->scr);
    theme_apply(&ui->theme);
    if (!theme_uses_color() && !ui->theme.mono) {
        /* no colours on this terminal: the attributes of the mono theme */
        theme_init_mono(&ui->theme);
        theme_apply(&ui->theme);
    }
    if (warning) {
        ui_log_message(ui, UI_WARNING, warning);
        free(warning);
    }
    screen_layout(ui->scr, 1);
    ui->full_redraw = true;
    if (!so.scripted)
        ui_install_term_hooks(ui);
    *out = ui;
    return STATUS_OK;
fail:
    ui_free(ui);
    return rc;
}

void
ui_free(struct ui *ui)
{
    if (!ui)
        return;
    vec_done(&ui->stack);
    if (ui->loop && ui->hooks_installed)
        evloop_set_term_hooks(ui->loop, NULL);
    ev_timer_free(ui->tick_timer);
    ev_timer_free(ui->clock_timer);
    if (ui->scr) {
        xalloc_set_fatal_hook(NULL);
        ui_fatal_hook_screen(NULL);
        screen_close(ui->scr);
    }
    ui_signals_restore(ui);
    if (ui->exit_message)
        fprintf(stderr, "opsdeck: %s\n", ui->exit_message);
    free(ui->exit_message);
    keymap_free(ui->km);
    vec_done(&ui->views_reg);
    vec_done(&ui->commands);
    vec_done(&ui->messages);
    vec_done(&ui->mem_hist_cmd);
    vec_done(&ui->mem_hist_filter);
    for (int i = 0; i < WIN_COUNT; i++)
        strbuf_done(&ui->last[i]);
    prompt_free(ui->cmd_prompt);
    prompt_free(ui->filter_prompt);
    prompt_free(ui->search_prompt);
    prompt_free(ui->view_prompt);
    free(ui->view_prompt_history);
    free(ui->filter_before);
    free(ui->prompt_error);
    filter_free(ui->table_search);
    header_done(&ui->header);
    free(ui->msg);
    script_free(ui->script);
    free(ui->screen_dir);
    free(ui);
}

/*
 * Registries
 */

void
ui_add_view(struct ui *ui, const struct view_ops *ops)
{
    vec_push(&ui->views_reg, (void *)(uintptr_t)ops);
}

void
ui_add_command(struct ui *ui, const struct ui_command *cmd)
{
    struct ui_command *c = xmalloc(sizeof(*c));

    *c = *cmd;
    vec_push(&ui->commands, c);
}

void
ui_set_history(struct ui *ui, const struct prompt_history_ops *ops)
{
    ui->hist = *ops;
    ui->have_hist = ops->load || ops->add;
}

void
ui_set_settled(struct ui *ui, bool (*settled)(void *arg), void *arg)
{
    ui->settled = settled;
    ui->settled_arg = arg;
}

void
ui_set_header(struct ui *ui, const struct ui_header *h)
{
    size_t before = header_lines(&ui->header);

    if (header_equal(&ui->header, h))
        return;
    header_done(&ui->header);
    header_copy(&ui->header, h);
    if (header_lines(&ui->header) != before) {
        screen_layout(ui->scr, header_lines(&ui->header));
        ui->full_redraw = true;
    }
}

static bool
names_match(const char *name, const char *const *aliases, const char *word)
{
    if (strcmp(name, word) == 0)
        return true;
    for (size_t i = 0; aliases && aliases[i]; i++)
        if (strcmp(aliases[i], word) == 0)
            return true;
    return false;
}

/* Offered by `:` completion and help: a command, and its source is there. */
static bool
view_listed(struct ui *ui, const struct view_ops *ops)
{
    return !(ops->flags & VIEW_NO_COMMAND) && (!ops->available || ops->available(ui->opts.app));
}

static const struct view_ops *
find_view(struct ui *ui, const char *name, bool by_command)
{
    for (size_t i = 0; i < ui->views_reg.len; i++) {
        const struct view_ops *ops = ui->views_reg.items[i];

        if (by_command && (ops->flags & VIEW_NO_COMMAND))
            continue;
        if (names_match(ops->name, ops->aliases, name))
            return ops;
    }
    return NULL;
}

static const struct ui_command *
find_command(struct ui *ui, const char *name)
{
    for (size_t i = 0; i < ui->commands.len; i++) {
        const struct ui_command *c = ui->commands.items[i];

        if (names_match(c->name, c->aliases, name))
            return c;
    }
    return NULL;
}

void
ui_complete_command(void *arg, const char *prefix, struct vec *out)
{
    struct ui *ui = arg;
    size_t n = strlen(prefix);

    for (size_t i = 0; i < ui->commands.len; i++) {
        const struct ui_command *c = ui->commands.items[i];

        if (strncmp(c->name, prefix, n) == 0)
            vec_push(out, xstrdup(c->name));
    }
    for (size_t i = 0; i < ui->views_reg.len; i++) {
        const struct view_ops *ops = ui->views_reg.items[i];

        if (view_listed(ui, ops) && strncmp(ops->name, prefix, n) == 0)
            vec_push(out, xstrdup(ops->name));
    }
}

/*
 * Views
 */

struct view *
ui_current(struct ui *ui)
{
    return ui->stack.len ? ui->stack.items[ui->stack.len - 1] : NULL;
}

void
ui_push_view(struct ui *ui, struct view *v)
{
    vec_push(&ui->stack, v);
    ui->body_dirty = true;
    filter_free(ui->table_search);
    ui->table_search = NULL;
}

enum status
ui_open(struct ui *ui, const char *name, const char *arg, enum ui_open_mode mode)
{
    const struct view_ops *ops = find_view(ui, name, false);
    struct view *v;

    if (!ops) {
        ui_report(ui, UI_ERROR, "no view named %s", name);
        return status_fail(STATUS_NOTFOUND, "no view named %s", name);
    }
    v = view_new(ui, ui->opts.app, ops, arg, ui->san);
    if (!v) {
        /* A copy: status_fail() must not format the buffer it writes. */
        char why[512];

        snprintf(why, sizeof(why), "%s", status_text());
        ui_report(ui, UI_ERROR, "%s: %s", name, why);
        return status_fail(STATUS_INVALID, "%s", why);
    }
    if (mode == UI_OPEN_ROOT)
        vec_clear(&ui->stack);
    ui_push_view(ui, v);
    return STATUS_OK;
}

struct view *
ui_push_text(struct ui *ui, const char *title)
{
    struct view *v = view_new(ui, ui->opts.app, &text_ops, NULL, ui->san);

    view_set_title(v, "%s", title);
    ui_push_view(ui, v);
    return v;
}

void
ui_back(struct ui *ui)
{
    if (ui->stack.len > 1) {
        vec_remove(&ui->stack, ui->stack.len - 1);
        ui->body_dirty = true;
        filter_free(ui->table_search);
        ui->table_search = NULL;
    }
}

void
ui_report(struct ui *ui, enum ui_severity severity, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    ui_log_message(ui, severity, s);
    free(s);
}

void
ui_quit(struct ui *ui)
{
    ui->quit = true;
}

/*
 * Help
 */

/* The keymap sections of v, most specific first. */
void
ui_sections(struct view *v, const char *out[4])
{
    out[0] = view_name(v);
    out[1] = view_ops(v)->kind == VIEW_TABLE ? "table" : "text";
    out[2] = "generic";
    out[3] = NULL;
}

static void
help_keys(struct ui *ui, struct view *of, struct textview *tv)
{
    const char *chain[4];
    struct strbuf keys[REQ_COUNT];
    struct vec cmd_lines;

    ui_sections(of, chain);
    vec_init(&cmd_lines, free);
    for (size_t r = 0; r < REQ_COUNT; r++)
        strbuf_init(&keys[r]);
    for (size_t s = 0; chain[s]; s++) {
        struct keymap_action a, eff;
        size_t i = 0;
        int key;

        while (keymap_binding(ui->km, chain[s], i++, &key, &a)) {
            char name[32];

            /* only the bindings that are in effect here */
            if (!keymap_lookup(ui->km, chain, key, &eff) || eff.req != a.req || (eff.cmd != a.cmd))
                continue;
            key_format(key, name, sizeof(name));
            if (a.cmd) {
                if (find_command(ui, a.cmd) || find_view(ui, a.cmd, true))
                    vec_push(&cmd_lines, xasprintf("%-14s :%s", name, a.cmd));
                continue;
            }
            if (a.req == REQ_NONE)
                continue;
            if (keys[a.req - REQ_BASE].len)
                strbuf_putc(&keys[a.req - REQ_BASE], ' ');
            strbuf_puts(&keys[a.req - REQ_BASE], name);
        }
    }
    textview_addf(tv, ELEM_TEXT_HEADING, "Keys in %s", view_title(of));
    for (size_t r = 0; r < REQ_COUNT; r++) {
        const struct text_span spans[] = {
            {ELEM_TEXT_KEY, NULL},
            {ELEM_DEFAULT, NULL},
        };
        struct text_span line[2];
        char *k, *h;

        if (!keys[r].len)
            continue;
        k = xasprintf("  %-14s ", strbuf_str(&keys[r]));
        h = xasprintf("%-16s %s", request_name((enum request)(REQ_BASE + (int)r)),
                      request_help((enum request)(REQ_BASE + (int)r)));
        line[0] = spans[0];
        line[0].text = k;
        line[1] = spans[1];
        line[1].text = h;
        textview_add_spans(tv, line, 2);
        free(k);
        free(h);
    }
    for (size_t i = 0; i < cmd_lines.len; i++)
        textview_addf(tv, ELEM_DEFAULT, "  %s", (const char *)cmd_lines.items[i]);
    for (size_t r = 0; r < REQ_COUNT; r++)
        strbuf_done(&keys[r]);
    vec_done(&cmd_lines);
}

static void
help_commands(struct ui *ui, struct textview *tv)
{
    textview_add(tv, ELEM_DEFAULT, "");
    textview_add(tv, ELEM_TEXT_HEADING, "Commands (: then Tab completes)");
    for (size_t i = 0; i < ui->views_reg.len; i++) {
        const struct view_ops *ops = ui->views_reg.items[i];
        char *name;

        if (!view_listed(ui, ops))
            continue;
        name = xasprintf(":%s%s%s", ops->name, ops->args ? " " : "", ops->args ? ops->args : "");
        textview_add_spans(tv,
                           (const struct text_span[]){
                               {ELEM_TEXT_KEY, "  "},
                               {ELEM_TEXT_KEY, name},
                               {ELEM_DEFAULT, ""},
                           },
                           2);
        free(name);
        /* the help on its own line keeps long names readable at 80 columns */
        if (ops->help)
            textview_addf(tv, ELEM_DEFAULT, "      %s", ops->help);
    }
    for (size_t i = 0; i < ui->commands.len; i++) {
        const struct ui_command *c = ui->commands.items[i];
        struct strbuf names;

        strbuf_init(&names);
        strbuf_printf(&names, "  :%s", c->name);
        for (size_t k = 0; c->aliases && c->aliases[k]; k++)
            strbuf_printf(&names, " :%s", c->aliases[k]);
        if (c->args)
            strbuf_printf(&names, " %s", c->args);
        textview_add(tv, ELEM_TEXT_KEY, strbuf_str(&names));
        if (c->help)
            textview_addf(tv, ELEM_DEFAULT, "      %s", c->help);
        strbuf_done(&names);
    }
    textview_add(tv, ELEM_DEFAULT, "");
    textview_add(tv, ELEM_TEXT_HEADING, "Filter (/)");
    textview_add(tv, ELEM_DEFAULT, "  text      a regex over names, namespaces, hosts, labels");
    textview_add(tv, ELEM_DEFAULT, "  !text     the rows that do not match");
    textview_add(tv, ELEM_DEFAULT, "  -l k=v    a label selector (k!=v, k in (a,b), !k)");
    textview_add(tv, ELEM_DEFAULT, "");
    textview_add(tv, ELEM_TEXT_HEADING, "Prompt editing");
    textview_add(tv, ELEM_DEFAULT,
                 "  <Left> <Right> <Home> <End> <C-a> <C-e>  move; <Backspace> <Del> delete");
    textview_add(tv, ELEM_DEFAULT, "  <C-u> <C-k> <C-w>  delete to start, to end, the word before");
    textview_add(tv, ELEM_DEFAULT,
                 "  <Up> <Down>  history;  <Tab>  complete;  <Enter>  run;  <Esc>  cancel");
}

static void
open_help(struct ui *ui)
{
    struct view *cur = ui_current(ui), *v;

    if (!cur || view_ops(cur) == &help_ops)
        return;
    v = view_new(ui, ui->opts.app, &help_ops, NULL, ui->san);
    if (!v)
        return;
    view_set_title(v, "help");
    help_keys(ui, cur, view_text(v));
    help_commands(ui, view_text(v));
    ui_push_view(ui, v);
}

/*
 * Prompts
 */

static char **
history_load(struct ui *ui, const char *name)
{
    struct vec *mem = strcmp(name, ":") == 0 ? &ui->mem_hist_cmd : &ui->mem_hist_filter;
    char **h;

    if (ui->have_hist && ui->hist.load)
        return ui->hist.load(ui->hist.arg, name, HISTORY_MAX);
    h = xcalloc(mem->len + 1, sizeof(*h));
    for (size_t i = 0; i < mem->len; i++)
        h[i] = xstrdup(mem->items[mem->len - 1 - i]);
    return h;
}

static void
history_add(struct ui *ui, const char *name, const char *line)
{
    struct vec *mem = strcmp(name, ":") == 0 ? &ui->mem_hist_cmd : &ui->mem_hist_filter;

    if (!*line)
        return;
    if (ui->have_hist) {
        if (ui->hist.add)
            ui->hist.add(ui->hist.arg, name, line);
        return;
    }
    if (mem->len && strcmp(mem->items[mem->len - 1], line) == 0)
        return;
    if (mem->len >= HISTORY_MAX)
        vec_remove(mem, 0);
    vec_push(mem, xstrdup(line));
}

static void
open_prompt(struct ui *ui, enum prompt_kind kind)
{
    struct view *v = ui_current(ui);
    struct prompt *p;

    if (!v)
        return;
    ui->prompt_kind = kind;
    if (kind == PROMPT_COMMAND) {
        p = ui->cmd_prompt;
        prompt_start(p, NULL, history_load(ui, ":"));
    } else if (kind == PROMPT_FILTER) {
        const struct filter *f = table_filter(view_table(v));

        /* a new filter replaces the old one, which <Up> brings back and
         * <Esc> restores */
        p = ui->filter_prompt;
        free(ui->filter_before);
        ui->filter_before = xstrdup(f ? filter_text(f) : NULL);
        prompt_start(p, NULL, history_load(ui, "/"));
    } else {
        p = ui->search_prompt;
        prompt_start(p, NULL, history_load(ui, "/"));
    }
    ui->prompt = p;
    ui->message_dirty = true;
}

void
ui_prompt_view(struct ui *ui, const char *name, const char *history, const char *text,
               ui_prompt_fn accept)
{
    struct view *v = ui_current(ui);

    if (!v)
        return;
    prompt_free(ui->view_prompt);
    free(ui->view_prompt_history);
    ui->view_prompt = prompt_new(name);
    ui->view_prompt_history = xstrdup(history);
    ui->view_prompt_view = v;
    ui->view_prompt_accept = accept;
    prompt_start(ui->view_prompt, text, history_load(ui, history));
    ui->prompt_kind = PROMPT_VIEW;
    ui->prompt = ui->view_prompt;
    ui->message_dirty = true;
}

static void
close_prompt(struct ui *ui)
{
    ui->prompt = NULL;
    free(ui->prompt_error);
    ui->prompt_error = NULL;
    ui->message_dirty = true;
}

/* Applies text as the current table's filter; false (and a message) when
 * it does not compile: the filter in place stays. */
static bool
apply_filter(struct ui *ui, const char *text, bool live)
{
    struct view *v = ui_current(ui);
    struct filter *f = NULL;

    free(ui->prompt_error);
    ui->prompt_error = NULL;
    if (!v || !view_table(v))
        return false;
    if (filter_compile(text ? text : "", &f) != STATUS_OK) {
        /* while typing, a half-written regex is normal: said next to the
         * prompt, not logged */
        if (live)
            ui->prompt_error = xstrdup(status_text());
        else
            ui_report(ui, UI_ERROR, "%s", status_text());
        return false;
    }
    table_set_filter(view_table(v), f);
    return true;
}

static void
run_search(struct ui *ui, const char *text)
{
    struct view *v = ui_current(ui);
    struct filter *f = NULL;

    if (!v || !*text)
        return;
    if (filter_compile(text, &f) != STATUS_OK) {
        ui_report(ui, UI_ERROR, "%s", status_text());
        return;
    }
    if (view_text(v)) {
        if (!textview_search(view_text(v), f))
            ui_report(ui, UI_WARNING, "not found: %s", text);
        return;
    }
    filter_free(ui->table_search);
    ui->table_search = f;
    if (!table_search(view_table(v), f, +1))
        ui_report(ui, UI_WARNING, "not found: %s", text);
}

void
ui_run_command_line(struct ui *ui, const char *line)
{
    char *copy = xstrdup(line), *word = copy, *args, *end;
    const struct ui_command *c;
    const struct view_ops *ops;

    while (*word == ' ' || *word == '\t' || *word == ':')
        word++;
    end = word + strlen(word);
    while (end > word && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    if (!*word)
        goto out;
    args = word + strcspn(word, " \t");
    if (*args) {
        *args++ = '\0';
        while (*args == ' ' || *args == '\t')
            args++;
    }
    if ((c = find_command(ui, word)) != NULL) {
        if (c->run(ui, args, c->arg) != STATUS_OK)
            ui_report(ui, UI_ERROR, ":%s: %s", c->name, status_text());
    } else if ((ops = find_view(ui, word, true)) != NULL) {
        ui_open(ui, ops->name, *args ? args : NULL, UI_OPEN_ROOT);
    } else {
        ui_report(ui, UI_ERROR, "unknown command :%s (Tab completes, :help lists them)", word);
    }
out:
    free(copy);
}

static void
prompt_input(struct ui *ui, int key)
{
    struct prompt *p = ui->prompt;
    enum prompt_result r = prompt_key(p, key);
    char *text;

    ui->message_dirty = true;
    switch (r) {
    case PROMPT_IGNORED:
    case PROMPT_MOVED:
        return;
    case PROMPT_EDITED:
        if (ui->prompt_kind == PROMPT_FILTER)
            apply_filter(ui, prompt_text(p), true);
        return;
    case PROMPT_CANCEL:
        if (ui->prompt_kind == PROMPT_FILTER)
            apply_filter(ui, ui->filter_before, false);
        close_prompt(ui);
        return;
    case PROMPT_ACCEPT:
        break;
    }
    text = xstrdup(prompt_text(p));
    close_prompt(ui);
    switch (ui->prompt_kind) {
    case PROMPT_COMMAND:
        history_add(ui, ":", text);
        ui_run_command_line(ui, text);
        break;
    case PROMPT_FILTER:
        if (apply_filter(ui, text, false))
            history_add(ui, "/", text);
        break;
    case PROMPT_SEARCH:
        history_add(ui, "/", text);
        run_search(ui, text);
        break;
    case PROMPT_VIEW:
        if (*text)
            history_add(ui, ui->view_prompt_history, text);
        if (ui_current(ui) == ui->view_prompt_view)
            ui->view_prompt_accept(ui->view_prompt_view, text);
        break;
    }
    free(text);
}

/*
 * Requests
 */

void
ui_dispatch(struct ui *ui, enum request req)
{
    struct view *v = ui_current(ui);
    const struct view_ops *ops;

    if (!v) {
        if (req == REQ_QUIT)
            ui_quit(ui);
        return;
    }
    ops = view_ops(v);
    if (ops->request) {
        req = ops->request(v, req);
        if (req == REQ_NONE)
            return;
        v = ui_current(ui); /* the view may have opened another */
        ops = view_ops(v);
    }
    switch (req) {
    case REQ_NONE:
        return;
    case REQ_QUIT:
        ui_quit(ui);
        return;
    case REQ_HELP:
        open_help(ui);
        return;
    case REQ_PROMPT:
        open_prompt(ui, PROMPT_COMMAND);
        return;
    case REQ_FILTER:
        open_prompt(ui, view_table(v) ? PROMPT_FILTER : PROMPT_SEARCH);
        return;
    case REQ_SEARCH:
        open_prompt(ui, PROMPT_SEARCH);
        return;
    case REQ_SEARCH_NEXT:
    case REQ_SEARCH_PREV:
        if (view_table(v)) {
            if (!ui->table_search)
                open_prompt(ui, PROMPT_SEARCH);
            else if (!table_search(view_table(v), ui->table_search,
                                   req == REQ_SEARCH_NEXT ? +1 : -1))
                ui_report(ui, UI_WARNING, "not found: %s", filter_text(ui->table_search));
            return;
        }
        break;
    case REQ_BACK:
        if (view_table(v) && table_filter(view_table(v))) {
            table_set_filter(view_table(v), NULL); /* Esc clears the filter first */
            return;
        }
        ui_back(ui);
        return;
    case REQ_REFRESH:
        if (ops->refresh)
            ops->refresh(v);
        view_tick(v);
        return;
    case REQ_REDRAW:
        ui->full_redraw = true;
        screen_clear_next(ui->scr);
        return;
    case REQ_ENTER:
    case REQ_DETAIL:
        ui_report(ui, UI_OK, "%s: nothing to open here", request_name(req));
        return;
    default:
        break;
    }
    if (req > REQ_QUIT && request_valid((int)req)) {
        /* REQ_VIEW_<ID>: open the view named after it as a new root */
        const char *name = request_name(req);

        if (strncmp(name, "view-", 5) == 0)
            ui_open(ui, name + 5, NULL, UI_OPEN_ROOT);
        return;
    }
    view_request(v, req);
}

void
ui_key(struct ui *ui, int key)
{
    struct view *v = ui_current(ui);
    struct keymap_action a;
    const char *chain[4];

    if (key == KEYC_CTRL('c')) { /* always, whatever mode */
        ui_quit(ui);
        return;
    }
    if (ui->prompt) {
        prompt_input(ui, key);
        return;
    }
    if (ui->msg) {
        free(ui->msg);
        ui->msg = NULL;
        ui->message_dirty = true;
    }
    if (!v) {
        chain[0] = "generic";
        chain[1] = NULL;
    } else {
        ui_sections(v, chain);
    }
    if (!keymap_lookup(ui->km, chain, key, &a))
        return;
    if (a.cmd)
        ui_run_command_line(ui, a.cmd);
    else
        ui_dispatch(ui, a.req);
}

/*
 * Painting: each pass renders the chrome lines and compares them with what
 * is on screen; the body repaints the rows its widget marked dirty.
 */

static bool
same_as_last(struct ui *ui, enum screen_win w, const struct strbuf *sb, size_t extra)
{
    struct strbuf *last = &ui->last[w];

    /* extra: a hash of what is not in the text (elements, cursor) */
    if (!ui->full_redraw && last->len == sb->len + sizeof(extra) &&
        memcmp(last->buf, strbuf_str(sb), sb->len) == 0 &&
        memcmp(last->buf + sb->len, &extra, sizeof(extra)) == 0)
        return true;
    strbuf_reset(last);
    strbuf_append(last, strbuf_str(sb), sb->len);
    strbuf_append(last, &extra, sizeof(extra));
    return false;
}

static size_t
pieces_hash(const struct text_piece *p, size_t n)
{
    size_t h = n;

    for (size_t i = 0; i < n; i++)
        h = h * 31 + (size_t)p[i].elem * 7 + p[i].len;
    return h;
}

static bool
paint_header(struct ui *ui, bool paused)
{
    WINDOW *w = screen_win(ui->scr, WIN_HEADER);
    struct strbuf all, line;
    struct text_piece pieces[2][MAX_PIECES];
    size_t np[2], lines = screen_height(ui->scr, WIN_HEADER), width = screen_width(ui->scr);
    char clock[32];
    int64_t now = clock_now();
    bool changed;

    time_format_clock(now, now, ui->opts.utc, clock, sizeof(clock));
    strbuf_init(&all);
    strbuf_init(&line);
    for (size_t l = 0; l < lines && l < 2; l++) {
        size_t at = all.len;

        np[l] = header_render(&ui->header, l, width, paused, clock, ui->san, &all, pieces[l],
                              MAX_PIECES);
        for (size_t i = 0; i < np[l]; i++)
            pieces[l][i].off -= at;
        strbuf_putc(&all, '\n');
    }
    changed = !same_as_last(ui, WIN_HEADER, &all,
                            pieces_hash(pieces[0], lines ? np[0] : 0) ^
                                (lines > 1 ? pieces_hash(pieces[1], np[1]) << 1 : 0));
    if (changed) {
        const char *p = strbuf_str(&all);

        for (size_t l = 0; l < lines && l < 2; l++) {
            draw_pieces(w, (int)l, p, pieces[l], np[l], ui->san);
            p = strchr(p, '\n') + 1;
        }
    }
    strbuf_done(&all);
    strbuf_done(&line);
    return changed;
}

static void
add_piece(struct strbuf *sb, struct text_piece *pieces, size_t *np, enum theme_element elem,
          const char *text)
{
    size_t at = sb->len;

    sanitize_append(sb, text, strlen(text), 0);
    if (*np < MAX_PIECES && sb->len > at) {
        pieces[*np].elem = elem;
        pieces[*np].off = at;
        pieces[*np].len = sb->len - at;
        (*np)++;
    }
}

static bool
paint_title(struct ui *ui)
{
    WINDOW *w = screen_win(ui->scr, WIN_TITLE);
    struct view *cur = ui_current(ui);
    struct strbuf sb, status;
    struct text_piece pieces[MAX_PIECES];
    size_t np = 0, width = screen_width(ui->scr), first = 0, count_len;
    bool changed;

    strbuf_init(&sb);
    strbuf_init(&status);
    if (cur) {
        /* the oldest crumbs go first when the line is too narrow */
        for (;;) {
            size_t total = 0;

            for (size_t i = first; i + 1 < ui->stack.len; i++)
                total += sanitize_width(view_title(ui->stack.items[i]),
                                        strlen(view_title(ui->stack.items[i])), ui->san) +
                         3;
            total += sanitize_width(view_title(cur), strlen(view_title(cur)), ui->san) + 20;
            if (total <= width || first + 1 >= ui->stack.len)
                break;
            first++;
        }
        if (first)
            add_piece(&sb, pieces, &np, ELEM_CRUMB, draw_glyph(GLYPH_ELLIPSIS, ui->ascii));
        for (size_t i = first; i + 1 < ui->stack.len; i++) {
            add_piece(&sb, pieces, &np, ELEM_CRUMB, view_title(ui->stack.items[i]));
            add_piece(&sb, pieces, &np, ELEM_CRUMB, draw_glyph(GLYPH_CRUMB_SEP, ui->ascii));
        }
        add_piece(&sb, pieces, &np, ELEM_CRUMB_CURRENT, view_title(cur));
        add_piece(&sb, pieces, &np, ELEM_TITLE, " ");
        count_len = view_status(cur, &status);
        {
            char *count = xstrndup(strbuf_str(&status), count_len);

            add_piece(&sb, pieces, &np, ELEM_TITLE, count);
            free(count);
        }
        add_piece(&sb, pieces, &np, ELEM_TITLE_FILTER, strbuf_str(&status) + count_len);
    }
    changed = !same_as_last(ui, WIN_TITLE, &sb, pieces_hash(pieces, np));
    if (changed)
        draw_pieces(w, 0, strbuf_str(&sb), pieces, np, ui->san);
    strbuf_done(&sb);
    strbuf_done(&status);
    return changed;
}

static bool
paint_message(struct ui *ui)
{
    WINDOW *w = screen_win(ui->scr, WIN_MESSAGE);
    struct strbuf sb;
    enum theme_element elem = ELEM_MESSAGE;
    size_t col = 0, width = screen_width(ui->scr);
    bool changed;

    strbuf_init(&sb);
    if (ui->prompt) {
        prompt_render(ui->prompt, width, ui->san, &sb, &col);
        elem = ELEM_PROMPT;
        if (*prompt_hint(ui->prompt)) {
            /* completion candidates: after the text when there is room */
            strbuf_puts(&sb, "   ");
            strbuf_puts(&sb, prompt_hint(ui->prompt));
        } else if (ui->prompt_error) {
            strbuf_puts(&sb, "   ");
            strbuf_puts(&sb, ui->prompt_error);
        }
    } else if (ui->msg) {
        strbuf_puts(&sb, ui->msg);
        elem = ui->msg_severity == UI_ERROR     ? ELEM_MESSAGE_ERROR
               : ui->msg_severity == UI_WARNING ? ELEM_MESSAGE_WARNING
                                                : ELEM_MESSAGE;
    }
    changed = !same_as_last(ui, WIN_MESSAGE, &sb, (size_t)elem * 1000 + col);
    if (changed)
        draw_line(w, 0, elem, false, strbuf_str(&sb), ui->san);
    screen_cursor(ui->scr, WIN_MESSAGE, 0, (int)col, ui->prompt != NULL);
    strbuf_done(&sb);
    return changed;
}

/* The F-key bar label of an action, or NULL when it shows nothing. */
static const char *
fkey_label(struct ui *ui, const struct keymap_action *a)
{
    if (a->cmd) {
        char *word = xstrndup(a->cmd, strcspn(a->cmd, " \t"));
        const struct ui_command *c = find_command(ui, word);

        free(word);
        return c ? c->label : NULL;
    }
    return request_label(a->req);
}

static bool
paint_fkeys(struct ui *ui)
{
    WINDOW *w = screen_win(ui->scr, WIN_FKEYS);
    struct view *cur = ui_current(ui);
    const char *chain[4] = {"generic", NULL, NULL, NULL};
    struct {
        char key[8];
        const char *label;
    } items[12];
    size_t n = 0, width = screen_width(ui->scr), total = 0;
    struct strbuf sb;
    struct text_piece pieces[MAX_PIECES];
    size_t np = 0;
    bool changed;

    if (cur)
        ui_sections(cur, chain);
    for (int f = 1; f <= 10; f++) {
        struct keymap_action a;
        const char *label;

        if (!keymap_lookup(ui->km, chain, KEYC_F(f), &a) || !(label = fkey_label(ui, &a)))
            continue;
        snprintf(items[n].key, sizeof(items[n].key), "F%d", f);
        items[n].label = label;
        total += strlen(items[n].key) + strlen(label) + 1;
        n++;
    }
    /* too narrow: drop from the right, but keep the last (Quit) */
    while (n > 1 && total > width + 1) {
        total -= strlen(items[n - 2].key) + strlen(items[n - 2].label) + 1;
        items[n - 2] = items[n - 1];
        n--;
    }
    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++) {
        add_piece(&sb, pieces, &np, ELEM_FKEY_KEY, items[i].key);
        add_piece(&sb, pieces, &np, ELEM_FKEY_LABEL, items[i].label);
        if (i + 1 < n)
            add_piece(&sb, pieces, &np, ELEM_DEFAULT, " ");
    }
    changed = !same_as_last(ui, WIN_FKEYS, &sb, pieces_hash(pieces, np));
    if (changed)
        draw_pieces(w, 0, strbuf_str(&sb), pieces, np, ui->san);
    strbuf_done(&sb);
    return changed;
}

static bool
paint_table(struct ui *ui, struct view *v, WINDOW *w, size_t height, size_t width)
{
    struct table *t = view_table(v);
    struct strbuf sb;
    size_t from, to, sx, sw, rows = height ? height - 1 : 0, top, shown, cursor;
    bool all, changed = false;

    table_set_width(t, width);
    table_set_height(t, rows ? rows : 1);
    if (ui->full_redraw || ui->body_dirty)
        table_touch(t);
    strbuf_init(&sb);
    table_header_line(t, &sb, &sx, &sw);
    if (!same_as_last(ui, WIN_BODY, &sb, sx * 1000 + sw)) {
        struct text_piece p[3];
        size_t np = 0;

        /* the sort column's title in its own element */
        if (sw) {
            size_t a = 0, b;

            b = sanitize_skip_cols(sb.buf, sb.len, sx, ui->san, NULL);
            p[np++] = (struct text_piece){ELEM_TABLE_HEADER, 0, b};
            a = b;
            b = a + sanitize_skip_cols(sb.buf + a, sb.len - a, sw, ui->san, NULL);
            p[np++] = (struct text_piece){ELEM_TABLE_HEADER_SORT, a, b - a};
            p[np++] = (struct text_piece){ELEM_TABLE_HEADER, b, sb.len - b};
        } else {
            p[np++] = (struct text_piece){ELEM_TABLE_HEADER, 0, sb.len};
        }
        draw_pieces(w, 0, strbuf_str(&sb), p, np, ui->san);
        changed = true;
    }
    if (table_take_dirty(t, &from, &to, &all)) {
        top = table_top(t);
        shown = table_shown(t);
        cursor = table_cursor(t);
        for (size_t r = 0; r < rows; r++) {
            size_t i = top + r;

            if (!all && (i < from || i >= to))
                continue;
            strbuf_reset(&sb);
            if (i < shown) {
                enum theme_element elem = table_line(t, i, &sb);

                draw_line(w, (int)r + 1, elem, i == cursor, strbuf_str(&sb), ui->san);
            } else if (i == 0) {
                draw_line(w, (int)r + 1, ELEM_DIM, false, view_empty_text(v), ui->san);
            } else {
                draw_line(w, (int)r + 1, ELEM_DEFAULT, false, "", ui->san);
            }
            changed = true;
        }
    }
    strbuf_done(&sb);
    return changed;
}

static bool
paint_text(struct ui *ui, struct view *v, WINDOW *w, size_t height, size_t width)
{
    struct textview *tv = view_text(v);
    struct strbuf sb;
    struct text_piece pieces[MAX_PIECES];

    textview_set_size(tv, width, height);
    if (ui->full_redraw || ui->body_dirty)
        textview_touch(tv);
    if (!textview_take_dirty(tv))
        return false;
    strbuf_init(&sb);
    for (size_t r = 0; r < height; r++) {
        size_t np;

        strbuf_reset(&sb);
        np = textview_render(tv, r, &sb, pieces, MAX_PIECES);
        draw_pieces(w, (int)r, strbuf_str(&sb), pieces, np, ui->san);
    }
    strbuf_done(&sb);
    strbuf_reset(&ui->last[WIN_BODY]);
    return true;
}

static bool
any_paused(struct ui *ui)
{
    for (size_t i = 0; i < ui->stack.len; i++) {
        struct table *t = view_table(ui->stack.items[i]);

        if (t && table_paused(t))
            return true;
    }
    return false;
}

void
ui_paint(struct ui *ui)
{
    bool changed[WIN_COUNT] = {false};
    struct view *cur = ui_current(ui);
    bool any = false;

    if (screen_suspended(ui->scr))
        return;
    if (!screen_usable(ui->scr)) {
        if (ui->full_redraw) {
            WINDOW *w = screen_win(ui->scr, WIN_BODY);

            werase(w);
            draw_line(w, 0, ELEM_MESSAGE_WARNING, false, "opsdeck: terminal too small", ui->san);
            changed[WIN_BODY] = true;
            screen_cursor(ui->scr, WIN_BODY, 0, 0, false);
            screen_update(ui->scr, changed);
        }
        ui->full_redraw = ui->body_dirty = ui->message_dirty = false;
        return;
    }
    if (ui->full_redraw)
        for (int i = 0; i < WIN_COUNT; i++)
            strbuf_reset(&ui->last[i]);
    changed[WIN_HEADER] = paint_header(ui, any_paused(ui));
    changed[WIN_TITLE] = paint_title(ui);
    if (cur) {
        WINDOW *w = screen_win(ui->scr, WIN_BODY);
        size_t h = screen_height(ui->scr, WIN_BODY), wd = screen_width(ui->scr);

        if (ui->body_dirty && !ui->full_redraw)
            strbuf_reset(&ui->last[WIN_BODY]);
        changed[WIN_BODY] =
            view_table(cur) ? paint_table(ui, cur, w, h, wd) : paint_text(ui, cur, w, h, wd);
    }
    changed[WIN_MESSAGE] = paint_message(ui);
    changed[WIN_FKEYS] = paint_fkeys(ui);
    for (int i = 0; i < WIN_COUNT; i++)
        any |= changed[i];
    if (any || ui->cursor_was_visible != (ui->prompt != NULL)) {
        screen_update(ui->scr, changed);
        ui->cursor_was_visible = ui->prompt != NULL;
    }
    ui->full_redraw = ui->body_dirty = ui->message_dirty = false;
}
