/* SPDX-License-Identifier: MIT */
/* screen-demo.c - test-only console over synthetic rows, for the terminal core's screen tests */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/model.h"
#include "opsdeck/table.h"
#include "opsdeck/ui.h"
#include "opsdeck/view.h"
#include "opsdeck/xalloc.h"

/*
 * Views:
 *   items    (the root) N synthetic pods, every status and severity
 *   detail   a text view of one item (Enter or d on a row)
 *   grow     rows that arrive over timer ticks; the app is not settled
 *            until they all did (checks that scripts wait)
 *   hostile  rows made of escape sequences, bidi, zero-width, wide chars
 * Commands: :ctx NAME (sets the header's context; bound to F2), :mutate
 * (watch events), :source SEVERITY TEXT (the API status), :lend (the
 * terminal to a pretend credential plugin).
 * Options: --rows N, --iterations N, --refresh-ms N, --no-color, --utc,
 *          --theme FILE, --keymap FILE, --prod, --never-settle, --pidfile FILE,
 *          --history FILE.
 */

struct app {
    struct evloop *loop;
    struct ui *ui;
    int rows;
    int growing;              /* rows still to come in the grow view */
    int mutations;            /* :mutate calls */
    bool never_settle;        /* --never-settle: scripts must hit their watchdog */
    const char *history_file; /* --history FILE: the prompt history, one "P LINE" a line */
    struct ui_header header;
    char context[64];
    struct ui_source source;
};

enum { C_NAME, C_NS, C_STATUS, C_RESTARTS, C_NODE, C_AGE, C_COUNT };

static const struct table_column item_columns[C_COUNT] = {
    [C_NAME] =
        {.title = "NAME", .min = 8, .max = 24, .sort = TABLE_SORT_NATURAL, .flags = TABLE_COL_NAME},
    [C_NS] = {.title = "NAMESPACE", .min = 9, .max = 20, .priority = 3, .sort = TABLE_SORT_TEXT},
    [C_STATUS] = {.title = "STATUS",
                  .min = 6,
                  .max = 16,
                  .priority = 1,
                  .sort = TABLE_SORT_TEXT,
                  .flags = TABLE_COL_STATUS},
    [C_RESTARTS] = {.title = "RESTARTS",
                    .min = 8,
                    .max = 8,
                    .priority = 4,
                    .align = TABLE_ALIGN_RIGHT,
                    .sort = TABLE_SORT_NUMBER},
    [C_NODE] = {.title = "NODE", .min = 4, .max = 22, .priority = 5, .sort = TABLE_SORT_NATURAL},
    [C_AGE] = {.title = "AGE",
               .min = 3,
               .max = 6,
               .priority = 2,
               .align = TABLE_ALIGN_RIGHT,
               .sort = TABLE_SORT_AGE},
};

static const char *const statuses[] = {"Running", "CrashLoopBackOff", "Pending", "Completed"};

static int
status_of(int i)
{
    if (i % 7 == 3)
        return 1;
    if (i % 11 == 5)
        return 2;
    if (i % 13 == 6)
        return 3;
    return 0;
}

static void
put_item(struct table *t, int i, const char *name_override)
{
    static const enum theme_element elems[] = {ELEM_OK, ELEM_ERROR, ELEM_WARNING, ELEM_DIM};
    char name[64], ns[32], restarts[16], node[32], host[64], app_label[32];
    char k_app[] = "app", k_tier[] = "tier", v_tier[] = "backend";
    struct kv labels[2] = {{k_app, app_label}, {k_tier, v_tier}};
    struct kv_list lab = {labels, 2};
    const char *search[] = {host, NULL};
    int st = status_of(i), nrestarts = st == 1 ? 14 + i % 5 : i % 3;
    char *key;

    snprintf(name, sizeof(name), "api-7d9c8-x2bq-%03d", i);
    snprintf(ns, sizeof(ns), "dp-tenant-project-%02d", i % 12);
    snprintf(restarts, sizeof(restarts), "%d", nrestarts);
    snprintf(node, sizeof(node), "run-%d.example.internal", 1 + i % 3);
    snprintf(host, sizeof(host), "svc%03d.breacher.org", i);
    snprintf(app_label, sizeof(app_label), "app%d", i % 4);
    if (name_override)
        snprintf(name, sizeof(name), "%s", name_override);
    key = xasprintf("%s/%s", ns, name);
    table_upsert(t, &(struct table_row){
                        .key = key,
                        .cells = (struct table_cell[]){{name},
                                                       {ns},
                                                       {statuses[st]},
                                                       {restarts, nrestarts},
                                                       {node},
                                                       {NULL, clock_now() - 137 * (i + 1)}},
                        .elem = elems[st],
                        .problem = st == 1 || st == 2,
                        .search = search,
                        .labels = &lab,
                    });
    free(key);
}

static enum status
items_open(struct view *view, const char *arg)
{
    struct app *app = view_app(view);
    struct table *t = view_table(view);

    (void)arg;
    table_replace_begin(t);
    for (int i = 0; i < app->rows; i++)
        put_item(t, i, NULL);
    table_replace_end(t);
    return STATUS_OK;
}

static enum request
items_request(struct view *view, enum request req)
{
    const char *key = table_selected_key(view_table(view));

    if ((req == REQ_ENTER || req == REQ_DETAIL) && key) {
        ui_open(view_ui(view), "detail", key, UI_OPEN_PUSH);
        return REQ_NONE;
    }
    return req;
}

static const char *const items_aliases[] = {"it", "pods", NULL};

static const struct view_ops items_ops = {
    .name = "items",
    .aliases = items_aliases,
    .help = "Synthetic pods in every state",
    .args = "[namespace]",
    .kind = VIEW_TABLE,
    .columns = item_columns,
    .ncolumns = C_COUNT,
    .open = items_open,
    .request = items_request,
};

static enum status
detail_open(struct view *view, const char *arg)
{
    struct textview *tv = view_text(view);

    if (!arg)
        return status_fail(STATUS_USAGE, "which item?");
    view_set_title(view, "%s", strchr(arg, '/') ? strchr(arg, '/') + 1 : arg);
    textview_add(tv, ELEM_TEXT_HEADING, arg);
    textview_add_spans(tv,
                       (const struct text_span[]){{ELEM_TEXT_KEY, "Status:     "},
                                                  {ELEM_ERROR, "CrashLoopBackOff"}},
                       2);
    textview_add_spans(tv,
                       (const struct text_span[]){{ELEM_TEXT_KEY, "Limits:     "},
                                                  {ELEM_DEFAULT, "cpu 500m, memory 256Mi"}},
                       2);
    textview_add(tv, ELEM_DEFAULT, "");
    textview_add(tv, ELEM_TEXT_HEADING, "Events");
    for (int i = 0; i < 30; i++)
        textview_addf(tv, i % 4 ? ELEM_DEFAULT : ELEM_WARNING,
                      "  %2dm  %s  Back-off restarting failed container api in pod (attempt %d) "
                      "with a message long enough to wrap at eighty columns",
                      30 - i, i % 4 ? "Normal " : "Warning", i);
    return STATUS_OK;
}

static const struct view_ops detail_ops = {
    .name = "detail",
    .help = "One item",
    .kind = VIEW_TEXT,
    .flags = VIEW_NO_COMMAND,
    .open = detail_open,
};

/* grow: rows arrive on a timer; the app is unsettled until the last one */

struct grow_view {
    struct ev_timer *timer;
    int next;
};

static void
grow_tick(void *arg)
{
    struct view *view = arg;
    struct grow_view *g = view_private(view);
    struct app *app = view_app(view);

    for (int k = 0; k < 5 && app->growing > 0; k++, app->growing--)
        put_item(view_table(view), g->next++, NULL);
    if (app->growing > 0)
        ev_timer_arm(g->timer, 2);
}

static enum status
grow_open(struct view *view, const char *arg)
{
    struct grow_view *g = view_private(view);
    struct app *app = view_app(view);

    (void)arg;
    app->growing = 50;
    g->timer = ev_timer_new(app->loop, grow_tick, view);
    ev_timer_arm(g->timer, 2);
    view_set_empty_text(view, "waiting for rows...");
    return STATUS_OK;
}

static void
grow_done(struct view *view)
{
    struct grow_view *g = view_private(view);
    struct app *app = view_app(view);

    ev_timer_free(g->timer);
    app->growing = 0;
}

static const struct view_ops grow_ops = {
    .name = "grow",
    .help = "Rows that arrive over time",
    .kind = VIEW_TABLE,
    .columns = item_columns,
    .ncolumns = C_COUNT,
    .private_size = sizeof(struct grow_view),
    .open = grow_open,
    .done = grow_done,
};

/* hostile: what a hostile cluster could put in names */

static enum status
hostile_open(struct view *view, const char *arg)
{
    static const char *const names[] = {
        "\x1b[31mred\x1b[0m\x1b[2J", /* CSI: colour, clear screen */
        "\x1b]52;c;cm0gLXJmIC8K\x07"
        "clip",                /* OSC 52 clipboard write */
        "\x1bPqdcs\x1b\\tail", /* DCS */
        "bidi\xe2\x80\xae"
        "cod.exe",                                /* RLO */
        "zero\xe2\x80\x8bwidth\xef\xbb\xbf",      /* ZWSP, BOM */
        "日本語ノード名",                         /* wide */
        "emoji-\xf0\x9f\x98\x80-pod",             /* wide emoji */
        "e\xcc\x81\xcc\x82\xcc\x83\xcc\x84zalgo", /* combining, bounded */
        "nul\x7f"
        "del\x01"
        "ctl", /* DEL, C0 */
        "c1\xc2\x9b"
        "31m",             /* C1 CSI */
        "bad\xff\xfeutf8", /* invalid */
    };
    struct table *t = view_table(view);

    (void)arg;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        put_item(t, (int)i, names[i]);
    return STATUS_OK;
}

static const struct view_ops hostile_ops = {
    .name = "hostile",
    .help = "Rows with hostile names",
    .kind = VIEW_TABLE,
    .columns = item_columns,
    .ncolumns = C_COUNT,
    .open = hostile_open,
};

/* :ctx NAME */

static enum status
cmd_ctx(struct ui *ui, const char *args, void *arg)
{
    struct app *app = arg;

    if (!*args) {
        ui_report(ui, UI_OK, "context: %s", app->context);
        return STATUS_OK;
    }
    snprintf(app->context, sizeof(app->context), "%s", args);
    app->header.context = app->context;
    ui_set_header(ui, &app->header);
    ui_report(ui, UI_OK, "switched to %s", args);
    return STATUS_OK;
}

/* :mutate: watch events, one row at a time: item 0 changes status, item n
 * goes and a new row "api-0-new-n" arrives (n counts the calls). */
static enum status
cmd_mutate(struct ui *ui, const char *args, void *arg)
{
    static const char *const status[] = {"Error", "OOMKilled", "Terminating"};
    struct app *app = arg;
    struct view *v = ui_current(ui);
    struct table *t = v ? view_table(v) : NULL;
    int n = ++app->mutations;
    char *key, name[32];

    (void)args;
    if (!t)
        return status_fail(STATUS_USAGE, "not a table");
    table_upsert(t, &(struct table_row){
                        .key = "dp-tenant-project-00/api-7d9c8-x2bq-000",
                        .cells = (struct table_cell[]){{"api-7d9c8-x2bq-000"},
                                                       {"dp-tenant-project-00"},
                                                       {status[(n - 1) % 3]},
                                                       {"1", 1},
                                                       {"run-1.example.internal"},
                                                       {NULL, clock_now() - 137}},
                        .elem = ELEM_ERROR,
                        .problem = true,
                    });
    key = xasprintf("dp-tenant-project-%02d/api-7d9c8-x2bq-%03d", n % 12, n);
    table_remove(t, key);
    free(key);
    snprintf(name, sizeof(name), "api-0-new-%d", n);
    put_item(t, 2, name);
    return STATUS_OK;
}

/* :source SEVERITY TEXT: the API's status in the header, as the app would set it */
static enum status
cmd_source(struct ui *ui, const char *args, void *arg)
{
    static char text[128];
    struct app *app = arg;
    const char *sp = strchr(args, ' ');

    if (!sp)
        return status_fail(STATUS_USAGE, "expected: :source ok|warning|error TEXT");
    snprintf(text, sizeof(text), "%s", sp + 1);
    app->source.text = text;
    app->source.severity = strncmp(args, "ok", 2) == 0        ? UI_OK
                           : strncmp(args, "warning", 7) == 0 ? UI_WARNING
                                                              : UI_ERROR;
    ui_set_header(ui, &app->header);
    return STATUS_OK;
}

/* :lend: what a credential plugin does: the terminal goes to it until it
 * ends; Ctrl-C meanwhile cancels it (here: at once) and the console is back */
static void
plugin_interrupted(void *arg)
{
    struct app *app = arg;

    evloop_term_reclaim(app->loop);
    ui_report(app->ui, UI_WARNING, "credential plugin interrupted");
}

static enum status
cmd_lend(struct ui *ui, const char *args, void *arg)
{
    struct app *app = arg;

    (void)ui;
    (void)args;
    evloop_on_interrupt(app->loop, plugin_interrupted, app);
    if (!evloop_term_release(app->loop))
        return status_fail(STATUS_USAGE, "no terminal to lend");
    return STATUS_OK;
}

/* --history FILE: a stand-in for state.db, through the same interface */
static char **
history_load(void *arg, const char *prompt, size_t max)
{
    struct app *app = arg;
    char line[512], **v = xcalloc(max + 1, sizeof(*v));
    size_t n = 0;
    FILE *f = fopen(app->history_file, "r");

    while (f && fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);

        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len < 2 || strncmp(line, prompt, 1) != 0 || line[1] != ' ')
            continue;
        if (n == max) {
            free(v[max - 1]);
            n--;
        }
        memmove(v + 1, v, n * sizeof(*v)); /* newest first */
        v[0] = xstrdup(line + 2);
        n++;
    }
    if (f)
        fclose(f);
    return v;
}

static void
history_add(void *arg, const char *prompt, const char *line)
{
    struct app *app = arg;
    FILE *f = fopen(app->history_file, "a");

    if (f) {
        fprintf(f, "%c %s\n", prompt[0], line);
        fclose(f);
    }
}

static bool
app_settled(void *arg)
{
    struct app *app = arg;

    return app->growing == 0 && !app->never_settle;
}

static long
number(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*end || v < 0) {
        fprintf(stderr, "screen-demo: bad number %s\n", s);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    struct app app = {.rows = 300};
    struct ui_options opts = {0};
    enum status rc;
    int status;

    setlocale(LC_ALL, "");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--no-color") == 0) {
            opts.no_color = true;
        } else if (strcmp(a, "--utc") == 0) {
            opts.utc = true;
        } else if (strcmp(a, "--never-settle") == 0) {
            app.never_settle = true;
        } else if (strcmp(a, "--prod") == 0) {
            app.header.production = true;
        } else if (v && strcmp(a, "--rows") == 0) {
            app.rows = (int)number(v), i++;
        } else if (v && strcmp(a, "--iterations") == 0) {
            opts.iterations = number(v), i++;
        } else if (v && strcmp(a, "--refresh-ms") == 0) {
            opts.refresh_ms = (int)number(v), i++;
        } else if (v && strcmp(a, "--theme") == 0) {
            opts.theme_file = v, i++;
        } else if (v && strcmp(a, "--keymap") == 0) {
            opts.keymap_file = v, i++;
        } else if (v && strcmp(a, "--history") == 0) {
            app.history_file = v, i++;
        } else if (v && strcmp(a, "--pidfile") == 0) {
            FILE *f = fopen(v, "w");

            if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
                fprintf(stderr, "screen-demo: %s: cannot write\n", v);
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "screen-demo: unknown option %s\n", a);
            return 2;
        }
    }
    app.loop = evloop_new();
    opts.loop = app.loop;
    opts.app = &app;
    rc = ui_new(&opts, &app.ui);
    if (rc != STATUS_OK) {
        fprintf(stderr, "screen-demo: %s\n", status_text());
        evloop_free(app.loop);
        return 1;
    }
    ui_add_view(app.ui, &items_ops);
    ui_add_view(app.ui, &detail_ops);
    ui_add_view(app.ui, &grow_ops);
    ui_add_view(app.ui, &hostile_ops);
    ui_add_command(app.ui, &(struct ui_command){.name = "ctx",
                                                .args = "NAME",
                                                .help = "Switch the context",
                                                .label = "Ctx",
                                                .run = cmd_ctx,
                                                .arg = &app});
    ui_add_command(app.ui, &(struct ui_command){.name = "mutate",
                                                .help = "Change, add and remove a row",
                                                .run = cmd_mutate,
                                                .arg = &app});
    ui_add_command(app.ui, &(struct ui_command){.name = "source",
                                                .args = "ok|warning|error TEXT",
                                                .help = "Set the API status in the header",
                                                .run = cmd_source,
                                                .arg = &app});
    ui_add_command(app.ui, &(struct ui_command){.name = "lend",
                                                .help = "Lend the terminal (a plugin)",
                                                .run = cmd_lend,
                                                .arg = &app});
    if (app.history_file)
        ui_set_history(app.ui, &(struct prompt_history_ops){history_load, history_add, &app});
    ui_load_keymap(app.ui, "bind generic <F2> :ctx\n", "screen-demo");
    ui_set_settled(app.ui, app_settled, &app);
    snprintf(app.context, sizeof(app.context), "test");
    app.source = (struct ui_source){"API", "live", UI_OK};
    app.header.platform = "Test Platform";
    app.header.context = app.context;
    app.header.server_version = "v1.31.4+k3s1";
    app.header.simulated = true;
    app.header.sources = &app.source;
    app.header.nsources = 1;
    ui_set_header(app.ui, &app.header);
    ui_open(app.ui, "items", NULL, UI_OPEN_ROOT);
    status = ui_run(app.ui);
    ui_free(app.ui);
    evloop_free(app.loop);
    return status;
}
