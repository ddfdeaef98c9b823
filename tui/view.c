/* SPDX-License-Identifier: MIT */
/* view.c - the generic view: its widget, title, private block and the widget requests */
#include "config.h"

#include "opsdeck/view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/filter.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/xalloc.h"

struct view {
    struct ui *ui;
    void *app;
    const struct view_ops *ops;
    char *arg;
    char *title;
    char *empty_text;
    void *priv;
    struct table *table;
    struct textview *text;
    unsigned san;
    bool own_position;      /* view_set_position() was called */
    bool busy;              /* view_set_busy() */
    size_t pos_top, pos_total;
};

static void
destroy(struct view *v, bool call_done)
{
    if (call_done && v->ops->done)
        v->ops->done(v);
    table_free(v->table);
    textview_free(v->text);
    free(v->priv);
    free(v->arg);
    free(v->title);
    free(v->empty_text);
    free(v);
}

struct view *
view_new(struct ui *ui, void *app, const struct view_ops *ops, const char *arg,
         unsigned sanitize_flags)
{
    struct view *v = xcalloc(1, sizeof(*v));

    v->ui = ui;
    v->app = app;
    v->ops = ops;
    v->arg = xstrdup(arg);
    v->san = sanitize_flags;
    v->priv = xcalloc(1, ops->private_size ? ops->private_size : 1);
    if (arg && *arg)
        v->title = xasprintf("%s(%s)", ops->name, arg);
    else
        v->title = xstrdup(ops->name);
    if (ops->kind == VIEW_TABLE) {
        v->table = table_new(ops->columns, ops->ncolumns);
        table_set_sanitize_flags(v->table, sanitize_flags);
        table_set_now(v->table, clock_now());
    } else {
        v->text = textview_new();
        textview_set_sanitize_flags(v->text, sanitize_flags);
    }
    if (ops->open && ops->open(v, v->arg) != STATUS_OK) {
        destroy(v, false); /* open undid its own work */
        return NULL;
    }
    return v;
}

void
view_free(struct view *v)
{
    if (v)
        destroy(v, true);
}

struct ui *
view_ui(struct view *v)
{
    return v->ui;
}

void *
view_app(struct view *v)
{
    return v->app;
}

void *
view_private(struct view *v)
{
    return v->priv;
}

const struct view_ops *
view_ops(const struct view *v)
{
    return v->ops;
}

const char *
view_name(const struct view *v)
{
    return v->ops->name;
}

const char *
view_arg(const struct view *v)
{
    return v->arg;
}

struct table *
view_table(struct view *v)
{
    return v->table;
}

struct textview *
view_text(struct view *v)
{
    return v->text;
}

void
view_set_title(struct view *v, const char *fmt, ...)
{
    va_list ap;

    free(v->title);
    va_start(ap, fmt);
    v->title = xvasprintf(fmt, ap);
    va_end(ap);
}

const char *
view_title(const struct view *v)
{
    return v->title;
}

void
view_set_empty_text(struct view *v, const char *text)
{
    free(v->empty_text);
    v->empty_text = xstrdup(text);
}

const char *
view_empty_text(const struct view *v)
{
    if (v->empty_text)
        return v->empty_text;
    if (v->table && table_count(v->table) > 0)
        return "no rows match";
    return "no rows";
}

static bool
table_request(struct table *t, enum request req)
{
    switch (req) {
    case REQ_MOVE_UP:
        table_move(t, -1);
        return true;
    case REQ_MOVE_DOWN:
        table_move(t, +1);
        return true;
    case REQ_MOVE_PAGE_UP:
        table_move_page(t, -1);
        return true;
    case REQ_MOVE_PAGE_DOWN:
        table_move_page(t, +1);
        return true;
    case REQ_MOVE_FIRST:
        table_move_first(t);
        return true;
    case REQ_MOVE_LAST:
        table_move_last(t);
        return true;
    case REQ_SORT_NAME:
        return table_sort_name(t);
    case REQ_SORT_AGE:
        return table_sort_age(t);
    case REQ_SORT_STATUS:
        return table_sort_status(t);
    case REQ_SORT_NEXT:
        return table_sort_step(t, +1);
    case REQ_SORT_PREV:
        return table_sort_step(t, -1);
    case REQ_SORT_INVERT:
        table_sort_invert(t);
        return true;
    case REQ_TOGGLE_PROBLEMS:
        table_set_problems_only(t, !table_problems_only(t));
        return true;
    case REQ_TOGGLE_PAUSE:
        table_set_paused(t, !table_paused(t));
        return true;
    default:
        return false;
    }
}

static bool
text_request(struct textview *tv, enum request req)
{
    switch (req) {
    case REQ_MOVE_UP:
        textview_scroll(tv, -1);
        return true;
    case REQ_MOVE_DOWN:
        textview_scroll(tv, +1);
        return true;
    case REQ_MOVE_PAGE_UP:
        textview_scroll_page(tv, -1);
        return true;
    case REQ_MOVE_PAGE_DOWN:
        textview_scroll_page(tv, +1);
        return true;
    case REQ_MOVE_FIRST:
        textview_scroll_first(tv);
        return true;
    case REQ_MOVE_LAST:
        textview_scroll_last(tv);
        return true;
    case REQ_SCROLL_LEFT:
        textview_scroll_cols(tv, -8);
        return true;
    case REQ_SCROLL_RIGHT:
        textview_scroll_cols(tv, +8);
        return true;
    case REQ_TOGGLE_WRAP:
        textview_set_wrap(tv, !textview_wrap(tv));
        return true;
    case REQ_SEARCH_NEXT:
        textview_search_next(tv, +1);
        return true;
    case REQ_SEARCH_PREV:
        textview_search_next(tv, -1);
        return true;
    default:
        return false;
    }
}

bool
view_request(struct view *v, enum request req)
{
    if (v->table)
        return table_request(v->table, req);
    return text_request(v->text, req);
}

size_t
view_status(struct view *v, struct strbuf *out)
{
    size_t start = out->len, count_len;

    if (v->table) {
        const struct filter *f = table_filter(v->table);
        bool subset = f || table_problems_only(v->table);

        if (subset)
            strbuf_printf(out, "(%zu/%zu)", table_shown(v->table), table_count(v->table));
        else
            strbuf_printf(out, "(%zu)", table_count(v->table));
        count_len = out->len - start;
        if (f)
            strbuf_printf(out, " /%s", filter_text(f));
        if (table_problems_only(v->table))
            strbuf_puts(out, " [problems]");
        if (table_paused(v->table)) {
            strbuf_puts(out, " [paused");
            if (table_pending(v->table))
                strbuf_printf(out, ", %zu held", table_pending(v->table));
            strbuf_puts(out, "]");
        }
    } else {
        size_t n = textview_line_count(v->text);

        if (v->own_position)
            strbuf_printf(out, "(%zu/%zu)", v->pos_top, v->pos_total);
        else
            strbuf_printf(out, "(%zu/%zu)", n ? textview_top_line(v->text) + 1 : 0, n);
        count_len = out->len - start;
        if (!textview_wrap(v->text))
            strbuf_puts(out, " [nowrap]");
    }
    return count_len;
}

void
view_set_position(struct view *v, size_t top, size_t total)
{
    v->own_position = true;
    v->pos_top = top;
    v->pos_total = total;
}

void
view_set_busy(struct view *v, bool busy)
{
    v->busy = busy;
}

bool
view_busy(const struct view *v)
{
    return v->busy;
}

void
view_tick(struct view *v)
{
    if (v->table)
        table_set_now(v->table, clock_now());
    if (v->ops->tick)
        v->ops->tick(v);
}
