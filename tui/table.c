/* SPDX-License-Identifier: MIT */
/* table.c - the table model: keyed rows kept sorted and filtered one update at a time */
#include "config.h"

#include "opsdeck/table.h"

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/filter.h"
#include "opsdeck/hmap.h"
#include "opsdeck/macros.h"
#include "opsdeck/model.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

#define SEP           2   /* spaces between columns */
#define WIDTH_BUCKETS 256 /* cell widths are counted up to 255 columns */
#define BULK_RESUME   256 /* more held updates than this: one rebuild on resume */

/*
 * A row lives in one allocation: the struct, its cells, its searchable
 * field pointers, its labels and all their strings.
 */
struct rcell {
    const char *text; /* sanitised, never NULL */
    int64_t num;
    unsigned short width; /* columns of text (of the age when computed) */
    bool computed;        /* an AGE cell whose text the table prints */
};

struct row {
    const char *key;
    struct rcell *cells;
    const char **fields; /* what the regex sees */
    size_t nfields;
    struct kv_list labels;
    enum theme_element elem;
    bool problem;
    bool match; /* passes the filter (valid unless fresh) */
    bool fresh; /* match not computed yet (held or staged row) */
    bool shown; /* in t->shown */
};

struct lcol {
    size_t col;
    size_t x, w;
};

static char tombstone; /* a held removal in t->pending */

struct table {
    const struct table_column *cols;
    size_t ncols;
    unsigned san;       /* sanitize flags */
    struct hmap rows;   /* key -> struct row * (owned) */
    struct row **order; /* every row, sorted */
    size_t norder, caporder;
    struct row **shown; /* the rows that pass, sorted */
    size_t nshown, capshown;
    size_t sort_col;
    bool sort_desc;
    struct filter *filter; /* owned, or NULL */
    bool problems_only;
    bool paused;
    struct hmap pending; /* key -> row or &tombstone, while paused */
    bool replacing;
    struct hmap staging; /* key -> row, between replace_begin and end */
    int64_t now;
    struct row *sel; /* selected row (in shown), or NULL */
    size_t cur, top, height;
    size_t width; /* layout width */
    bool layout_stale;
    struct lcol *layout; /* ncols entries, nlayout used */
    size_t nlayout;
    unsigned *wcount;     /* ncols * WIDTH_BUCKETS */
    unsigned short *wmax; /* per column */
    bool dirty, dirty_all;
    size_t dirty_from, dirty_to;
    struct strbuf scratch;
    struct table_stats stats;
};

/*
 * Rows
 */

static size_t
align_up(size_t n)
{
    size_t a = alignof(max_align_t);

    return (n + a - 1) / a * a;
}

/* Builds a row from an update: sanitised cells, fields, labels, one block. */
static struct row *
row_new(struct table *t, const struct table_row *in)
{
    struct strbuf *sb = &t->scratch;
    size_t ncells = t->ncols, nsearch = 0, nlabels = in->labels ? in->labels->len : 0;
    size_t *off, nfields, head, total, extra, keylen = strlen(in->key) + 1;
    struct row *r;
    char *strings;
    size_t f = 0;

    while (in->search && in->search[nsearch])
        nsearch++;
    off = xcalloc(ncells, sizeof(*off));
    strbuf_reset(sb);
    for (size_t c = 0; c < ncells; c++) {
        const char *text = in->cells[c].text;

        off[c] = sb->len;
        if (text)
            sanitize_append(sb, text, strlen(text), t->san);
        strbuf_putc(sb, '\0');
    }
    /* labels as "k=v" for the regex, then their keys and values */
    extra = sb->len;
    for (size_t i = 0; i < nlabels; i++) {
        const struct kv *kv = &in->labels->items[i];

        strbuf_printf(sb, "%s=%s", kv->key, kv->value ? kv->value : "");
        strbuf_putc(sb, '\0');
        strbuf_puts(sb, kv->key);
        strbuf_putc(sb, '\0');
        strbuf_puts(sb, kv->value ? kv->value : "");
        strbuf_putc(sb, '\0');
    }
    for (size_t i = 0; i < nsearch; i++) {
        strbuf_puts(sb, in->search[i]);
        strbuf_putc(sb, '\0');
    }
    nfields = ncells + nlabels + nsearch;
    head = align_up(sizeof(*r)) + align_up(ncells * sizeof(struct rcell)) +
           align_up(nfields * sizeof(char *)) + align_up(nlabels * sizeof(struct kv));
    total = head + keylen + sb->len;
    r = xcalloc(1, total);
    /* the offsets are multiples of max_align_t's alignment (align_up) */
    r->cells = (void *)((char *)r + align_up(sizeof(*r)));
    r->fields = (void *)((char *)r->cells + align_up(ncells * sizeof(struct rcell)));
    r->labels.items = (void *)((char *)r->fields + align_up(nfields * sizeof(char *)));
    r->labels.len = nlabels;
    strings = (char *)r + head;
    memcpy(strings, in->key, keylen);
    r->key = strings;
    strings += keylen;
    memcpy(strings, sb->buf, sb->len);
    for (size_t c = 0; c < ncells; c++) {
        struct rcell *rc = &r->cells[c];
        const struct table_column *col = &t->cols[c];

        rc->text = strings + off[c];
        rc->num = in->cells[c].num;
        if (col->sort == TABLE_SORT_AGE && !in->cells[c].text) {
            char buf[32];

            rc->computed = true;
            time_age(t->now, rc->num, buf, sizeof(buf));
            rc->width = (unsigned short)strlen(buf);
        } else {
            size_t w = sanitize_width(rc->text, strlen(rc->text), t->san);

            rc->width = (unsigned short)MIN(w, 65535u);
        }
        if (!(col->flags & TABLE_COL_NOSEARCH) && !rc->computed && rc->text[0])
            r->fields[f++] = rc->text;
    }
    strings += extra;
    for (size_t i = 0; i < nlabels; i++) {
        r->fields[f++] = strings;
        strings += strlen(strings) + 1;
        r->labels.items[i].key = strings;
        strings += strlen(strings) + 1;
        r->labels.items[i].value = strings;
        strings += strlen(strings) + 1;
    }
    for (size_t i = 0; i < nsearch; i++) {
        r->fields[f++] = strings;
        strings += strlen(strings) + 1;
    }
    r->nfields = f;
    r->elem = (unsigned)in->elem < ELEM_COUNT ? in->elem : ELEM_DEFAULT;
    r->problem = in->problem;
    r->fresh = true;
    free(off);
    return r;
}

static bool
row_matches(struct table *t, const struct row *r)
{
    if (!t->filter)
        return true;
    t->stats.filter_tests++;
    return filter_match(t->filter, r->fields, r->nfields, r->labels.len ? &r->labels : NULL);
}

static bool
row_visible(const struct table *t, const struct row *r)
{
    return r->match && (!t->problems_only || r->problem);
}

/* Ensures r->match is current. */
static void
row_test(struct table *t, struct row *r)
{
    if (r->fresh) {
        r->match = row_matches(t, r);
        r->fresh = false;
    }
}

/*
 * Order
 */

/* Natural order: digit runs compare as numbers. */
static int
natcmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            const char *ea = a, *eb = b;
            size_t la, lb;
            int r;

            while (*a == '0' && a[1] >= '0' && a[1] <= '9')
                a++;
            while (*b == '0' && b[1] >= '0' && b[1] <= '9')
                b++;
            for (ea = a; *ea >= '0' && *ea <= '9'; ea++)
                ;
            for (eb = b; *eb >= '0' && *eb <= '9'; eb++)
                ;
            la = (size_t)(ea - a);
            lb = (size_t)(eb - b);
            if (la != lb)
                return la < lb ? -1 : 1;
            r = memcmp(a, b, la);
            if (r)
                return r;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static int
cmp_rows(struct table *t, const struct row *a, const struct row *b)
{
    const struct rcell *ca = &a->cells[t->sort_col], *cb = &b->cells[t->sort_col];
    int r = 0;

    t->stats.compares++;
    switch (t->cols[t->sort_col].sort) {
    case TABLE_SORT_TEXT:
        r = strcmp(ca->text, cb->text);
        break;
    case TABLE_SORT_NATURAL:
        r = natcmp(ca->text, cb->text);
        break;
    case TABLE_SORT_NUMBER:
        r = (ca->num > cb->num) - (ca->num < cb->num);
        break;
    case TABLE_SORT_AGE: /* youngest (latest time) first */
        r = (ca->num < cb->num) - (ca->num > cb->num);
        break;
    case TABLE_SORT_NONE:
        break;
    }
    if (t->sort_desc)
        r = -r;
    if (r == 0)
        r = strcmp(a->key, b->key);
    return r;
}

/* First index whose row is not before r. */
static size_t
lower_bound(struct table *t, struct row *const *arr, size_t n, const struct row *r)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cmp_rows(t, arr[mid], r) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t
index_of(struct table *t, struct row *const *arr, size_t n, const struct row *r)
{
    size_t i = lower_bound(t, arr, n, r);

    assert(i < n && arr[i] == r);
    return i;
}

static void
arr_insert(struct row ***arr, size_t *n, size_t *cap, size_t at, struct row *r)
{
    *arr = xgrow(*arr, cap, *n + 1, sizeof(**arr));
    memmove(&(*arr)[at + 1], &(*arr)[at], (*n - at) * sizeof(**arr));
    (*arr)[at] = r;
    (*n)++;
}

static void
arr_remove(struct row **arr, size_t *n, size_t at)
{
    memmove(&arr[at], &arr[at + 1], (*n - at - 1) * sizeof(*arr));
    (*n)--;
}

/* Puts nr where old was (index i): in place when the order allows, else
 * moved. Returns its new index. */
static size_t
arr_replace(struct table *t, struct row **arr, size_t n, size_t i, struct row *nr)
{
    size_t j;

    if ((i == 0 || cmp_rows(t, arr[i - 1], nr) < 0) &&
        (i + 1 == n || cmp_rows(t, nr, arr[i + 1]) < 0)) {
        arr[i] = nr;
        return i;
    }
    memmove(&arr[i], &arr[i + 1], (n - i - 1) * sizeof(*arr));
    j = lower_bound(t, arr, n - 1, nr);
    memmove(&arr[j + 1], &arr[j], (n - 1 - j) * sizeof(*arr));
    arr[j] = nr;
    return j;
}

/*
 * Column widths: a count of the shown rows' cells per width, per column, so
 * the longest survives removals without a scan of the rows. Only shown rows
 * count: a filter down to one short name gives the other columns the room.
 */

static void
widths_add(struct table *t, const struct row *r, int delta)
{
    for (size_t c = 0; c < t->ncols; c++) {
        unsigned w = MIN(r->cells[c].width, WIDTH_BUCKETS - 1);
        unsigned *count = &t->wcount[c * WIDTH_BUCKETS];

        if (delta > 0) {
            count[w]++;
            if (w > t->wmax[c]) {
                t->wmax[c] = (unsigned short)w;
                t->layout_stale = true;
            }
        } else {
            count[w]--;
            if (w == t->wmax[c] && count[w] == 0) {
                while (t->wmax[c] > 0 && count[t->wmax[c]] == 0)
                    t->wmax[c]--;
                t->layout_stale = true;
            }
        }
    }
}

static void
widths_reset(struct table *t)
{
    memset(t->wcount, 0, t->ncols * WIDTH_BUCKETS * sizeof(*t->wcount));
    memset(t->wmax, 0, t->ncols * sizeof(*t->wmax));
    t->layout_stale = true;
}

/*
 * Dirty lines, selection and scrolling
 */

static void
mark(struct table *t, size_t from, size_t to)
{
    if (!t->dirty) {
        t->dirty_from = from;
        t->dirty_to = to;
    } else {
        t->dirty_from = MIN(t->dirty_from, from);
        t->dirty_to = MAX(t->dirty_to, to);
    }
    t->dirty = true;
}

static void
mark_all(struct table *t)
{
    t->dirty = t->dirty_all = true;
}

static size_t
view_height(const struct table *t)
{
    return t->height ? t->height : 1;
}

/* Where the selection sits on screen, kept across a change. */
static size_t
sel_offset(const struct table *t)
{
    return t->sel ? t->cur - t->top : 0;
}

/* After a change: finds the selection's index again and scrolls so it stays
 * on the same screen line (off) when possible, or (stick_top, single-row
 * changes) so the list stays at its top when it was there. */
static void
settle_mode(struct table *t, size_t off, bool stick_top)
{
    size_t old_top = t->top, h = view_height(t), max_top;

    if (t->nshown == 0) {
        t->sel = NULL;
        t->cur = t->top = 0;
    } else {
        if (!t->sel) {
            t->cur = MIN(t->cur, t->nshown - 1);
            t->sel = t->shown[t->cur];
        } else {
            t->cur = index_of(t, t->shown, t->nshown, t->sel);
        }
        max_top = t->nshown > h ? t->nshown - h : 0;
        /* At the top of the list, stay there: rows that arrive above the
         * selection are seen (the selection moves down a line). Scrolled
         * down, the selected row keeps its screen line instead. */
        if (stick_top && old_top == 0)
            t->top = 0;
        else
            t->top = t->cur >= off ? t->cur - off : 0;
        t->top = MIN(t->top, max_top);
        if (t->cur < t->top)
            t->top = t->cur;
        if (t->cur >= t->top + h)
            t->top = t->cur - h + 1;
    }
    if (t->top != old_top)
        mark_all(t);
}

static void
settle(struct table *t, size_t off)
{
    settle_mode(t, off, true);
}

/* The selection leaves shown index s: the row that takes its place (or the
 * last one) becomes the selection. */
static void
sel_fallback(struct table *t, size_t s)
{
    t->sel = NULL;
    t->cur = s;
}

/*
 * Applying updates
 */

static void
apply_upsert(struct table *t, struct row *nr)
{
    struct row *old = hmap_get(&t->rows, nr->key);
    size_t off = sel_offset(t), s, s2, i;
    bool vis;

    row_test(t, nr);
    vis = row_visible(t, nr);
    if (!old) {
        i = lower_bound(t, t->order, t->norder, nr);
        arr_insert(&t->order, &t->norder, &t->caporder, i, nr);
        if (vis) {
            s = lower_bound(t, t->shown, t->nshown, nr);
            arr_insert(&t->shown, &t->nshown, &t->capshown, s, nr);
            nr->shown = true;
            mark(t, s, t->nshown);
        }
        hmap_put(&t->rows, nr->key, nr);
        if (vis)
            widths_add(t, nr, +1);
        settle(t, off);
        return;
    }
    i = index_of(t, t->order, t->norder, old);
    arr_replace(t, t->order, t->norder, i, nr);
    if (old->shown) {
        s = index_of(t, t->shown, t->nshown, old);
        if (vis) {
            s2 = arr_replace(t, t->shown, t->nshown, s, nr);
            nr->shown = true;
            mark(t, MIN(s, s2), MAX(s, s2) + 1);
            if (t->sel == old)
                t->sel = nr;
        } else {
            arr_remove(t->shown, &t->nshown, s);
            mark(t, s, t->nshown + 1);
            if (t->sel == old)
                sel_fallback(t, s);
        }
    } else if (vis) {
        s = lower_bound(t, t->shown, t->nshown, nr);
        arr_insert(&t->shown, &t->nshown, &t->capshown, s, nr);
        nr->shown = true;
        mark(t, s, t->nshown);
    }
    if (old->shown)
        widths_add(t, old, -1);
    if (nr->shown)
        widths_add(t, nr, +1);
    hmap_put(&t->rows, nr->key, nr);
    free(old);
    settle(t, off);
}

static void
apply_remove(struct table *t, const char *key)
{
    struct row *old = hmap_get(&t->rows, key);
    size_t off = sel_offset(t), i, s;

    if (!old)
        return;
    i = index_of(t, t->order, t->norder, old);
    arr_remove(t->order, &t->norder, i);
    if (old->shown) {
        s = index_of(t, t->shown, t->nshown, old);
        arr_remove(t->shown, &t->nshown, s);
        mark(t, s, t->nshown + 1);
        if (t->sel == old)
            sel_fallback(t, s);
        widths_add(t, old, -1);
    }
    hmap_del(&t->rows, key);
    free(old);
    settle(t, off);
}

static int
qsort_cmp(const void *a, const void *b, void *arg)
{
    return cmp_rows(arg, *(struct row *const *)a, *(struct row *const *)b);
}

/* Rebuilds shown from order in one pass (match flags as they are). */
static void
rebuild_shown(struct table *t)
{
    t->nshown = 0;
    t->shown = xgrow(t->shown, &t->capshown, t->norder ? t->norder : 1, sizeof(*t->shown));
    widths_reset(t);
    for (size_t i = 0; i < t->norder; i++) {
        struct row *r = t->order[i];

        row_test(t, r);
        r->shown = row_visible(t, r);
        if (r->shown) {
            t->shown[t->nshown++] = r;
            widths_add(t, r, +1);
        }
    }
}

/* Keeps the selection on its row when it is still shown, else on the row
 * nearest to where it was; everything is redrawn. Call with the previous
 * selected row's key (NULL when none) and offset. */
static void
reselect(struct table *t, const char *key, size_t off)
{
    struct row *r = key ? hmap_get(&t->rows, key) : NULL;

    if (r && r->shown) {
        t->sel = r;
    } else {
        t->sel = NULL;
        t->cur = MIN(t->cur, t->nshown ? t->nshown - 1 : 0);
    }
    settle_mode(t, off, false); /* a new order: the selection keeps its line */
    mark_all(t);
}

/* Rebuilds order, shown and (through rebuild_shown) widths from t->rows. */
static void
rebuild_all(struct table *t)
{
    struct hmap_iter it;
    const char *k;
    void *v;

    t->norder = 0;
    t->order = xgrow(t->order, &t->caporder, t->rows.len ? t->rows.len : 1, sizeof(*t->order));
    hmap_iter_init(&it, &t->rows);
    while (hmap_iter_next(&it, &k, &v))
        t->order[t->norder++] = v;
    if (t->norder > 1)
        qsort_r(t->order, t->norder, sizeof(*t->order), qsort_cmp, t);
    rebuild_shown(t);
}

/* Applies a batch (key -> row or &tombstone) in one rebuild; complete: the
 * rows whose key is not in the batch go. The batch map is emptied. */
static void
apply_batch(struct table *t, struct hmap *batch, bool complete)
{
    char *sel_key = t->sel ? xstrdup(t->sel->key) : NULL;
    size_t off = sel_offset(t);
    struct hmap_iter it;
    const char *k;
    void *v;

    if (complete) {
        struct vec gone;

        vec_init(&gone, free);
        hmap_iter_init(&it, &t->rows);
        while (hmap_iter_next(&it, &k, &v))
            if (!hmap_get(batch, k))
                vec_push(&gone, xstrdup(k));
        for (size_t i = 0; i < gone.len; i++)
            free(hmap_del(&t->rows, gone.items[i]));
        vec_done(&gone);
    }
    hmap_iter_init(&it, batch);
    while (hmap_iter_next(&it, &k, &v)) {
        if (v == &tombstone)
            free(hmap_del(&t->rows, k));
        else
            free(hmap_put(&t->rows, k, v));
    }
    hmap_done(batch);
    hmap_init(batch);
    t->sel = NULL;
    rebuild_all(t);
    reselect(t, sel_key, off);
    free(sel_key);
}

/* Holds a change while paused: row, or NULL for a removal of key. */
static void
hold(struct table *t, const char *key, struct row *r)
{
    void *prev = hmap_put(&t->pending, key, r ? (void *)r : (void *)&tombstone);

    if (prev && prev != &tombstone)
        free(prev);
}

void
table_upsert(struct table *t, const struct table_row *in)
{
    struct row *r = row_new(t, in);

    if (t->replacing)
        free(hmap_put(&t->staging, r->key, r));
    else if (t->paused)
        hold(t, r->key, r);
    else
        apply_upsert(t, r);
}

void
table_remove(struct table *t, const char *key)
{
    if (t->replacing)
        free(hmap_del(&t->staging, key));
    else if (t->paused)
        hold(t, key, NULL);
    else
        apply_remove(t, key);
}

static void
free_map_rows(struct hmap *m)
{
    struct hmap_iter it;
    const char *k;
    void *v;

    hmap_iter_init(&it, m);
    while (hmap_iter_next(&it, &k, &v))
        if (v != &tombstone)
            free(v);
    hmap_done(m);
    hmap_init(m);
}

void
table_clear(struct table *t)
{
    free_map_rows(&t->rows);
    free_map_rows(&t->pending);
    free_map_rows(&t->staging);
    t->replacing = false;
    t->norder = t->nshown = 0;
    t->sel = NULL;
    t->cur = t->top = 0;
    widths_reset(t);
    mark_all(t);
}

void
table_replace_begin(struct table *t)
{
    free_map_rows(&t->staging);
    t->replacing = true;
}

void
table_replace_end(struct table *t)
{
    struct hmap_iter it;
    const char *k;
    void *v;

    if (!t->replacing)
        return;
    t->replacing = false;
    if (!t->paused) {
        apply_batch(t, &t->staging, true);
        return;
    }
    /* Paused: the new set becomes held changes. */
    hmap_iter_init(&it, &t->rows);
    while (hmap_iter_next(&it, &k, &v))
        if (!hmap_get(&t->staging, k))
            hold(t, k, NULL);
    {
        struct vec stale;

        vec_init(&stale, free);
        hmap_iter_init(&it, &t->pending);
        while (hmap_iter_next(&it, &k, &v))
            if (!hmap_get(&t->staging, k) && v != &tombstone)
                vec_push(&stale, xstrdup(k));
        for (size_t i = 0; i < stale.len; i++)
            hold(t, stale.items[i], NULL);
        vec_done(&stale);
    }
    hmap_iter_init(&it, &t->staging);
    while (hmap_iter_next(&it, &k, &v))
        hold(t, k, v);
    hmap_done(&t->staging);
    hmap_init(&t->staging);
}

/*
 * Life
 */

struct table *
table_new(const struct table_column *cols, size_t ncols)
{
    struct table *t = xcalloc(1, sizeof(*t));

    t->cols = cols;
    t->ncols = ncols;
    hmap_init(&t->rows);
    hmap_init(&t->pending);
    hmap_init(&t->staging);
    strbuf_init(&t->scratch);
    t->layout = xcalloc(ncols ? ncols : 1, sizeof(*t->layout));
    t->wcount = xcalloc(ncols ? ncols * WIDTH_BUCKETS : 1, sizeof(*t->wcount));
    t->wmax = xcalloc(ncols ? ncols : 1, sizeof(*t->wmax));
    t->sort_col = 0;
    for (size_t c = 0; c < ncols; c++) {
        if (cols[c].flags & TABLE_COL_NAME) {
            t->sort_col = c;
            break;
        }
    }
    t->layout_stale = true;
    t->now = clock_now();
    mark_all(t);
    return t;
}

void
table_free(struct table *t)
{
    if (!t)
        return;
    free_map_rows(&t->rows);
    free_map_rows(&t->pending);
    free_map_rows(&t->staging);
    hmap_done(&t->rows);
    hmap_done(&t->pending);
    hmap_done(&t->staging);
    filter_free(t->filter);
    free(t->order);
    free(t->shown);
    free(t->layout);
    free(t->wcount);
    free(t->wmax);
    strbuf_done(&t->scratch);
    free(t);
}

void
table_set_sanitize_flags(struct table *t, unsigned flags)
{
    t->san = flags;
    t->layout_stale = true;
    mark_all(t);
}

size_t
table_count(const struct table *t)
{
    return t->norder;
}

size_t
table_shown(const struct table *t)
{
    return t->nshown;
}

bool
table_has(const struct table *t, const char *key)
{
    return hmap_get(&t->rows, key) != NULL;
}

/*
 * Selection and scrolling
 */

const char *
table_selected_key(const struct table *t)
{
    return t->sel ? t->sel->key : NULL;
}

size_t
table_cursor(const struct table *t)
{
    return t->cur;
}

size_t
table_top(const struct table *t)
{
    return t->top;
}

/* Moves the cursor to index to, scrolling the least needed. */
static void
move_to(struct table *t, size_t to)
{
    size_t h = view_height(t), old_top = t->top;

    if (t->nshown == 0)
        return;
    to = MIN(to, t->nshown - 1);
    if (to == t->cur)
        return;
    mark(t, t->cur, t->cur + 1);
    mark(t, to, to + 1);
    t->cur = to;
    t->sel = t->shown[to];
    if (to < t->top)
        t->top = to;
    else if (to >= t->top + h)
        t->top = to - h + 1;
    if (t->top != old_top)
        mark_all(t);
}

bool
table_select_key(struct table *t, const char *key)
{
    struct row *r = hmap_get(&t->rows, key);

    if (!r || !r->shown)
        return false;
    move_to(t, index_of(t, t->shown, t->nshown, r));
    return true;
}

void
table_move(struct table *t, long delta)
{
    size_t to;

    if (t->nshown == 0)
        return;
    if (delta < 0)
        to = (size_t)-delta > t->cur ? 0 : t->cur - (size_t)-delta;
    else
        to = MIN(t->cur + (size_t)delta, t->nshown - 1);
    move_to(t, to);
}

void
table_move_page(struct table *t, int pages)
{
    size_t h = view_height(t), max_top, off = t->cur - t->top;

    if (t->nshown == 0)
        return;
    max_top = t->nshown > h ? t->nshown - h : 0;
    if (pages > 0) {
        if (t->top == max_top) {
            move_to(t, t->nshown - 1);
            return;
        }
        t->top = MIN(t->top + h * (size_t)pages, max_top);
    } else {
        if (t->top == 0) {
            move_to(t, 0);
            return;
        }
        t->top = h * (size_t)-pages > t->top ? 0 : t->top - h * (size_t)-pages;
    }
    t->cur = MIN(t->top + off, t->nshown - 1);
    t->sel = t->shown[t->cur];
    mark_all(t);
}

void
table_move_first(struct table *t)
{
    move_to(t, 0);
}

void
table_move_last(struct table *t)
{
    if (t->nshown)
        move_to(t, t->nshown - 1);
}

void
table_set_height(struct table *t, size_t height)
{
    if (height == t->height)
        return;
    t->height = height;
    settle(t, sel_offset(t) < view_height(t) ? sel_offset(t) : view_height(t) - 1);
    mark_all(t);
}

/*
 * Sort, filter, toggles
 */

void
table_sort_by(struct table *t, size_t col, bool desc)
{
    char *sel_key;
    size_t off;

    if (col >= t->ncols || t->cols[col].sort == TABLE_SORT_NONE)
        return;
    if (col == t->sort_col && desc == t->sort_desc)
        return;
    sel_key = t->sel ? xstrdup(t->sel->key) : NULL;
    off = sel_offset(t);
    t->sort_col = col;
    t->sort_desc = desc;
    if (t->norder > 1)
        qsort_r(t->order, t->norder, sizeof(*t->order), qsort_cmp, t);
    rebuild_shown(t);
    t->layout_stale = true; /* the arrow moved */
    reselect(t, sel_key, off);
    free(sel_key);
}

size_t
table_sort_column(const struct table *t)
{
    return t->sort_col;
}

bool
table_sort_desc(const struct table *t)
{
    return t->sort_desc;
}

static bool
sort_toward(struct table *t, size_t col)
{
    if (col >= t->ncols)
        return false;
    if (col == t->sort_col)
        table_sort_invert(t);
    else
        table_sort_by(t, col, false);
    return true;
}

static size_t
find_col(const struct table *t, unsigned flag)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if ((t->cols[c].flags & flag) != 0)
            return c;
    }
    return SIZE_MAX;
}

bool
table_sort_name(struct table *t)
{
    return sort_toward(t, find_col(t, TABLE_COL_NAME));
}

bool
table_sort_status(struct table *t)
{
    return sort_toward(t, find_col(t, TABLE_COL_STATUS));
}

/* The age column: of several (a pod's AGE and the LAST restart, a node's
 * SINCE and AGE) the one dropped last on a narrow terminal, i.e. the most
 * important; the first on ties. */
bool
table_sort_age(struct table *t)
{
    size_t best = SIZE_MAX;

    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].sort == TABLE_SORT_AGE &&
            (best == SIZE_MAX || t->cols[c].priority < t->cols[best].priority))
            best = c;
    return sort_toward(t, best);
}

void
table_sort_invert(struct table *t)
{
    table_sort_by(t, t->sort_col, !t->sort_desc);
}

bool
table_column_shown(const struct table *t, size_t col)
{
    for (size_t i = 0; i < t->nlayout; i++)
        if (t->layout[i].col == col)
            return true;
    return false;
}

size_t
table_columns_shown(const struct table *t)
{
    return t->nlayout;
}

bool
table_sort_step(struct table *t, int dir)
{
    size_t n = t->ncols, c = t->sort_col;

    for (size_t k = 0; k < n; k++) {
        c = (c + n + (dir < 0 ? n - 1 : 1)) % n;
        if (t->cols[c].sort != TABLE_SORT_NONE && (t->nlayout == 0 || table_column_shown(t, c))) {
            table_sort_by(t, c, false);
            return true;
        }
    }
    return false;
}

void
table_set_filter(struct table *t, struct filter *f)
{
    char *sel_key = t->sel ? xstrdup(t->sel->key) : NULL;
    size_t off = sel_offset(t);

    if (filter_is_empty(f)) {
        filter_free(f);
        f = NULL;
    }
    filter_free(t->filter);
    t->filter = f;
    for (size_t i = 0; i < t->norder; i++)
        t->order[i]->fresh = true;
    rebuild_shown(t);
    reselect(t, sel_key, off);
    free(sel_key);
}

const struct filter *
table_filter(const struct table *t)
{
    return t->filter;
}

void
table_set_problems_only(struct table *t, bool on)
{
    char *sel_key;
    size_t off;

    if (on == t->problems_only)
        return;
    sel_key = t->sel ? xstrdup(t->sel->key) : NULL;
    off = sel_offset(t);
    t->problems_only = on;
    rebuild_shown(t);
    reselect(t, sel_key, off);
    free(sel_key);
}

bool
table_problems_only(const struct table *t)
{
    return t->problems_only;
}

void
table_set_paused(struct table *t, bool on)
{
    struct hmap_iter it;
    const char *k;
    void *v;

    if (on == t->paused)
        return;
    t->paused = on;
    if (on)
        return;
    if (t->pending.len > BULK_RESUME) {
        apply_batch(t, &t->pending, false);
        return;
    }
    hmap_iter_init(&it, &t->pending);
    while (hmap_iter_next(&it, &k, &v)) {
        if (v == &tombstone)
            apply_remove(t, k);
        else
            apply_upsert(t, v);
    }
    hmap_done(&t->pending);
    hmap_init(&t->pending);
    mark_all(t); /* the ages move on again */
}

bool
table_paused(const struct table *t)
{
    return t->paused;
}

size_t
table_pending(const struct table *t)
{
    return t->pending.len;
}

bool
table_search(struct table *t, const struct filter *f, int dir)
{
    size_t n = t->nshown;

    if (!n || !f)
        return false;
    for (size_t k = 1; k <= n; k++) {
        size_t i = dir < 0 ? (t->cur + n - k % n) % n : (t->cur + k) % n;
        struct row *r = t->shown[i];

        t->stats.filter_tests++;
        if (filter_match(f, r->fields, r->nfields, r->labels.len ? &r->labels : NULL)) {
            move_to(t, i);
            return true;
        }
    }
    return false;
}

void
table_set_now(struct table *t, int64_t now)
{
    if (t->paused || now == t->now)
        return;
    t->now = now;
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->cols[c].sort == TABLE_SORT_AGE) {
            mark_all(t);
            break;
        }
    }
}

/*
 * Layout and rendering
 */

static size_t
title_width(const struct table *t, size_t c)
{
    return sanitize_width(t->cols[c].title, strlen(t->cols[c].title), t->san) +
           (c == t->sort_col ? 1 : 0);
}

/* The width a column would like: its longest cell within min..max, and
 * never less than its title. An age the table prints gets room for
 * "23h59m"-sized text. */
static size_t
natural_width(const struct table *t, size_t c)
{
    const struct table_column *col = &t->cols[c];
    size_t nat = t->wmax[c];

    if (col->sort == TABLE_SORT_AGE)
        nat = MAX(nat, 6);
    if (col->max && nat > col->max)
        nat = col->max;
    /* the title (and the sort arrow) fit even past max */
    nat = MAX(nat, title_width(t, c));
    return MAX(nat, (size_t)col->min);
}

static void
relayout(struct table *t)
{
    size_t n = t->ncols, total = 0, count = 0;
    bool *on = xcalloc(n ? n : 1, sizeof(*on));
    size_t *w = xcalloc(n ? n : 1, sizeof(*w));

    for (size_t c = 0; c < n; c++) {
        on[c] = !(t->cols[c].flags & TABLE_COL_OPTIONAL) || t->wmax[c] > 0;
        if (!on[c])
            continue;
        w[c] = natural_width(t, c);
        total += w[c];
        count++;
    }
    /* Too wide: drop columns by priority (the highest number first, the
     * rightmost on ties) rather than cut every column short. */
    while (count > 1 && total + SEP * (count - 1) > t->width) {
        size_t drop = SIZE_MAX;

        for (size_t c = 0; c < n; c++) {
            if (!on[c] || t->cols[c].priority == 0 || (t->cols[c].flags & TABLE_COL_NAME))
                continue;
            if (drop == SIZE_MAX || t->cols[c].priority >= t->cols[drop].priority)
                drop = c;
        }
        if (drop == SIZE_MAX)
            break;
        on[drop] = false;
        total -= w[drop];
        count--;
    }
    total += count ? SEP * (count - 1) : 0;
    /* Still too wide: take from the column with the most room above its
     * minimum; past that, table_line cuts the line. */
    while (total > t->width) {
        size_t best = SIZE_MAX;

        for (size_t c = 0; c < n; c++)
            if (on[c] && w[c] > t->cols[c].min &&
                (best == SIZE_MAX || w[c] - t->cols[c].min > w[best] - t->cols[best].min))
                best = c;
        if (best == SIZE_MAX)
            break;
        w[best]--;
        total--;
    }
    t->nlayout = 0;
    for (size_t c = 0, x = 0; c < n; c++) {
        if (!on[c])
            continue;
        t->layout[t->nlayout].col = c;
        t->layout[t->nlayout].x = x;
        t->layout[t->nlayout].w = w[c];
        t->nlayout++;
        x += w[c] + SEP;
    }
    free(on);
    free(w);
    t->layout_stale = false;
    mark_all(t);
}

void
table_set_width(struct table *t, size_t width)
{
    if (width != t->width) {
        t->width = width;
        t->layout_stale = true;
    }
}

static void
ensure_layout(struct table *t)
{
    if (t->layout_stale)
        relayout(t);
}

static void
pad(struct strbuf *out, size_t n)
{
    while (n--)
        strbuf_putc(out, ' ');
}

/* Appends text fitted into w columns with the given alignment. */
static void
put_cell(const struct table *t, struct strbuf *out, const char *text, size_t w,
         enum table_align align)
{
    size_t used;
    struct strbuf tmp;

    if (align == TABLE_ALIGN_RIGHT) {
        strbuf_init(&tmp);
        used = sanitize_fit(&tmp, text, strlen(text), w, t->san);
        pad(out, w - used);
        strbuf_append(out, strbuf_str(&tmp), tmp.len);
        strbuf_done(&tmp);
    } else {
        used = sanitize_fit(out, text, strlen(text), w, t->san);
        pad(out, w - used);
    }
}

/* Cuts or pads the line that started at byte start to exactly width. */
static void
finish_line(const struct table *t, struct strbuf *out, size_t start, size_t used)
{
    if (used < t->width) {
        pad(out, t->width - used);
    } else if (used > t->width) {
        char *line = xstrdup(out->buf + start);

        out->len = start;
        out->buf[start] = '\0';
        used = sanitize_fit(out, line, strlen(line), t->width, t->san);
        pad(out, t->width - used);
        free(line);
    }
}

void
table_header_line(struct table *t, struct strbuf *out, size_t *sort_x, size_t *sort_w)
{
    const char *arrow = (t->san & SANITIZE_ASCII)
                            ? (t->sort_desc ? "v" : "^")
                            : (t->sort_desc ? "\xe2\x86\x93" : "\xe2\x86\x91");
    size_t start = out->len, used = 0;

    ensure_layout(t);
    *sort_x = *sort_w = 0;
    for (size_t i = 0; i < t->nlayout; i++) {
        const struct lcol *l = &t->layout[i];
        const struct table_column *col = &t->cols[l->col];

        if (i) {
            pad(out, SEP);
            used += SEP;
        }
        if (l->col == t->sort_col && l->w >= 2) {
            char *title = xasprintf("%s%s", col->title, arrow);
            struct strbuf tmp;
            size_t tw;

            strbuf_init(&tmp);
            tw = sanitize_width(col->title, strlen(col->title), t->san);
            if (tw + 1 > l->w) {
                sanitize_fit(&tmp, col->title, strlen(col->title), l->w - 1, t->san);
                strbuf_puts(&tmp, arrow);
                free(title);
                title = strbuf_detach(&tmp);
            }
            strbuf_done(&tmp);
            put_cell(t, out, title, l->w, col->align);
            free(title);
            *sort_x = l->x;
            *sort_w = l->w;
        } else {
            put_cell(t, out, col->title, l->w, col->align);
        }
        used += l->w;
    }
    finish_line(t, out, start, used);
}

enum theme_element
table_line(struct table *t, size_t i, struct strbuf *out)
{
    const struct row *r;
    size_t start = out->len, used = 0;

    ensure_layout(t);
    assert(i < t->nshown);
    r = t->shown[i];
    t->stats.formats++;
    for (size_t k = 0; k < t->nlayout; k++) {
        const struct lcol *l = &t->layout[k];
        const struct rcell *c = &r->cells[l->col];

        if (k) {
            pad(out, SEP);
            used += SEP;
        }
        if (c->computed) {
            char buf[32];

            time_age(t->now, c->num, buf, sizeof(buf));
            put_cell(t, out, buf, l->w, t->cols[l->col].align);
        } else {
            put_cell(t, out, c->text, l->w, t->cols[l->col].align);
        }
        used += l->w;
    }
    finish_line(t, out, start, used);
    return r->elem;
}

bool
table_take_dirty(struct table *t, size_t *from, size_t *to, bool *all)
{
    ensure_layout(t);
    if (!t->dirty)
        return false;
    *from = t->dirty_all ? 0 : t->dirty_from;
    *to = t->dirty_all ? SIZE_MAX : t->dirty_to;
    *all = t->dirty_all;
    t->dirty = t->dirty_all = false;
    return true;
}

void
table_touch(struct table *t)
{
    mark_all(t);
}

struct table_stats
table_stats(const struct table *t)
{
    return t->stats;
}
