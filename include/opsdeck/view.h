/* SPDX-License-Identifier: MIT */
/* view.h - a pane is an ops table over a table or text widget */
#ifndef OPSDECK_VIEW_H
#define OPSDECK_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/macros.h"
#include "opsdeck/request.h"
#include "opsdeck/status.h"
#include "opsdeck/table.h"
#include "opsdeck/textview.h"

/* clang-format off */
/*
 * Writing a pane (views/foo.c) is mostly column definitions and row
 * updates. A table pane over the cluster's nodes (cluster.h), whole:
 *
 *   #include "opsdeck/cluster.h"
 *   #include "opsdeck/ui.h"          // ui_open, ui_report
 *   #include "opsdeck/view.h"
 *
 *   enum { COL_NAME, COL_STATUS, COL_AGE, COL_COUNT };
 *   static const struct table_column columns[COL_COUNT] = {
 *       [COL_NAME] = { .title = "NAME", .min = 8, .max = 30,
 *                      .sort = TABLE_SORT_NATURAL, .flags = TABLE_COL_NAME },
 *       [COL_STATUS] = { .title = "STATUS", .min = 6, .max = 24, .priority = 1,
 *                        .sort = TABLE_SORT_TEXT, .flags = TABLE_COL_STATUS },
 *       [COL_AGE] = { .title = "AGE", .min = 3, .max = 7, .priority = 2,
 *                     .align = TABLE_ALIGN_RIGHT, .sort = TABLE_SORT_AGE },
 *   };
 *
 *   static void
 *   put(struct view *view, const struct node *n)     // one object, one row
 *   {
 *       table_upsert(view_table(view), &(struct table_row){
 *           .key = n->obj.name,
 *           .cells = (struct table_cell[]){ { n->obj.name }, { n->status },
 *                                           { NULL, n->obj.created } },  // AGE: kept current
 *           .elem = n->ready ? ELEM_OK : ELEM_ERROR,
 *           .problem = !n->ready,
  *           .search = (const char *const[]){ n->internal_ip, NULL },  // and its labels
  *           .labels = &n->obj.labels });
 *   }
 *   static void
 *   changed(void *arg, enum change op, const struct kobj *old, const struct kobj *new_)
 *   {
 *       if (op == CHANGE_REMOVE)
 *           table_remove(view_table(arg), old->name);
 *       else if (new_->kind == KIND_NODE)
 *           put(arg, (const struct node *)new_);
 *   }
 *   static void
 *   reset(void *arg, enum kind kind)                 // relist or cache load: one batch
 *   {
 *       struct app *app = view_app(arg);             // the app's pointer (ui_options.app)
 *       size_t n;
 *       const struct kobj *const *all = cluster_all(app->cluster, KIND_NODE, &n);
 *
 *       table_replace_begin(view_table(arg));
 *       for (size_t i = 0; i < n; i++)
 *           put(arg, (const struct node *)all[i]);
 *       table_replace_end(view_table(arg));
 *   }
 *   static enum status
 *   nodes_open(struct view *view, const char *arg)
 *   {
 *       struct app *app = view_app(view);
 *
 *       cluster_observe(app->cluster, &(struct cluster_observer){ changed, reset, view });
 *       reset(view, KIND_NODE);                      // what is cached, at once
 *       return STATUS_OK;
 *   }
 *   static enum request
 *   nodes_request(struct view *view, enum request req)
 *   {
 *       const char *key = table_selected_key(view_table(view));
 *
 *       if (req == REQ_ENTER && key) {               // drill down: the node's pods
 *           ui_open(view_ui(view), "pods", key, UI_OPEN_PUSH);
 *           return REQ_NONE;                         // handled
 *       }
 *       return req;                                  // not mine: the generic handler
 *   }
 *   static void
 *   nodes_done(struct view *view)
 *   {
 *       cluster_unobserve(((struct app *)view_app(view))->cluster, view);
 *   }
 *
 *   const struct view_ops nodes_view_ops = {
 *       .name = "nodes", .aliases = (const char *const[]){ "no", "node", NULL },
 *       .help = "Nodes: pool, status, roles, taints",
 *       .kind = VIEW_TABLE, .columns = columns, .ncolumns = COL_COUNT,
 *       .open = nodes_open, .request = nodes_request, .done = nodes_done,
 *   };
 *
 * The core owns everything generic: the widget, moving and scrolling,
 * sorting, the `/` filter and search, the problems and pause toggles, the
 * title with counts, breadcrumbs, help, and drawing. Handlers never draw:
 * they change the model and the loop repaints what changed. A text pane
 * (detail) is .kind = VIEW_TEXT and fills view_text() with textview_add().
 */
/* clang-format on */

struct ui;
struct view;

enum view_kind {
    VIEW_TABLE, /* the body is a table (view_table) */
    VIEW_TEXT,  /* the body is a text view (view_text) */
};

enum view_flag {
    VIEW_NO_COMMAND = 1 << 0, /* not opened by `:name` (only by drilling down) */
};

struct view_ops {
    const char *name;           /* `:name`, the keymap section, the default title */
    const char *const *aliases; /* more `:` names, NULL-terminated; may be NULL */
    const char *help;           /* one line for :help and `:` completion */
    const char *args;           /* what `:name` takes, for help ("[namespace]"); may be NULL */
    enum view_kind kind;
    unsigned flags;                     /* enum view_flag */
    const struct table_column *columns; /* VIEW_TABLE: static const, borrowed */
    size_t ncolumns;
    size_t private_size; /* the core allocates view_private(), zeroed */

    /* Starts the view: arg is what `:name ARG` or ui_open() gave (NULL for
     * none). Subscribes to its data and fills its widget (cached data at
     * once). On failure it undoes its own work and returns status_fail():
     * the error is reported, the view is not opened and done is not
     * called. May be NULL. */
    enum status (*open)(struct view *view, const char *arg);
    /* Sees each request first: returns REQ_NONE when it handled it, else
     * the request (possibly another) for the generic handler. May be NULL. */
    enum request (*request)(struct view *view, enum request req);
    /* REQ_REFRESH (Ctrl-R, F5): ask the backend again. May be NULL. */
    void (*refresh)(struct view *view);
    /* Whether the pane can show anything here (its source is configured):
     * false leaves it out of `:` completion and help; `:name`
     * still opens it, and its open says why it cannot work. NULL: always. */
    bool (*available)(void *app);
    /* Every refresh interval (--refresh): re-evaluate what depends on time.
     * Ages in TABLE_SORT_AGE columns update on their own. May be NULL. */
    void (*tick)(struct view *view);
    /* Unsubscribes and frees what private data points to (not the private
     * block itself). May be NULL. */
    void (*done)(struct view *view);
};

/* The console the view is on, and the app pointer given to ui_new(). */
struct ui *view_ui(struct view *view);
void *view_app(struct view *view);
/* The private block (private_size bytes, zeroed at open). */
void *view_private(struct view *view);
const struct view_ops *view_ops(const struct view *view);
const char *view_name(const struct view *view);
/* The argument the view was opened with, or NULL. Borrowed. */
const char *view_arg(const struct view *view);
/* The widget: the table of a VIEW_TABLE, the text of a VIEW_TEXT (NULL
 * for the other kind). Owned by the view. */
struct table *view_table(struct view *view);
struct textview *view_text(struct view *view);
/* The breadcrumb and title text (default: the name, or "name(arg)"). */
void view_set_title(struct view *view, const char *fmt, ...) ATTR_FORMAT(2, 3);
const char *view_title(const struct view *view);
/* A text pane that shows one screen of a longer text (logs) gives the
 * title's "(top/total)" itself, in lines of that text. */
void view_set_position(struct view *view, size_t top, size_t total);
/* A pane with its own requests in flight (the logs pane's Loki fetches)
 * says so: test scripts wait for it like for the app's (settled). */
void view_set_busy(struct view *view, bool busy);
bool view_busy(const struct view *view);
/* What an empty table says ("waiting for the API…"); NULL: "no rows". */
void view_set_empty_text(struct view *view, const char *text);

/*
 * Core (tui/ui.c), not for panes
 */

/* Creates and opens a view (NULL with status_text() when ops->open
 * failed). */
struct view *view_new(struct ui *ui, void *app, const struct view_ops *ops, const char *arg,
                      unsigned sanitize_flags);
void view_free(struct view *view); /* calls ops->done; NULL is a no-op */
/* The generic handler: movement, sorting, toggles, wrap, search steps.
 * False when req is not a widget request. */
bool view_request(struct view *view, enum request req);
/* Appends the title's right part, "(3/500) /run [problems] [paused]", and
 * returns the length of its count part ("(3/500)"). */
size_t view_status(struct view *view, struct strbuf *out);
/* Periodic: the table's clock, then ops->tick. */
void view_tick(struct view *view);
/* What an empty table shows. Borrowed. */
const char *view_empty_text(const struct view *view);

#endif /* OPSDECK_VIEW_H */
