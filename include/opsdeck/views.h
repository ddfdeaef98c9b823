/* SPDX-License-Identifier: MIT */
/* views.h - the registry of the console's panes (one line per view) */
#ifndef OPSDECK_VIEWS_H
#define OPSDECK_VIEWS_H

struct view_ops; /* view.h; an incomplete type is all a declaration needs */

/*
 * VIEW_INFO(_): _(ID, name), one line per pane, in the order of `:help`.
 * Each line generates:
 *   - enum view_id VIEW_ID_<ID>;
 *   - the request REQ_VIEW_<ID>, named "view-<name>" (a key bound to it
 *     opens the view as a new root, like `:<name>`);
 *   - the declaration of `const struct view_ops <name>_view_ops`, which the
 *     file views/<name>.c defines;
 *   - the entry of views[] below (defined by the app), which the app hands
 *     to ui_add_view() at start-up; the view's name, its `:` command, its
 *     aliases and its keymap section all come from its ops.
 *
 * To add a view, touch exactly:
 *   1. views/<name>.c: `const struct view_ops <name>_view_ops = { .name = "<name>", … };`
 *      (columns, open/done, row updates: see view.h and table.h);
 *   2. one _(ID, name) line here;
 *   3. one line in views/local.mk (opsdeck_SOURCES);
 *   4. its bind lines in the default keymap (tui/keymap.c, default_keymap):
 *      keys that open it and the view's own requests (`bind <name> l logs`);
 *   5. tests/screens/<name>-*.test with its expected screens.
 *
 * Shared pieces of several panes (row colours, hosts of a pod, detail
 * arguments) are in views/panes.c (include/opsdeck/panes.h).
 */
#define VIEW_INFO(_)      \
    _(NODES, nodes)         \
    _(TENANTS, tenants)     \
    _(PODS, pods)           \
    _(PROJECTS, projects)   \
    _(WORKLOADS, workloads) \
    _(CONTEXTS, contexts)   \
    _(ALERTS, alerts)       \
    _(BUILDS, builds)       \
    _(LOGS, logs)           \
    _(DETAIL, detail)

#define VIEW_ID_ENUM(id, name) VIEW_ID_##id,
enum view_id { VIEW_INFO(VIEW_ID_ENUM) VIEW_ID_COUNT };
#undef VIEW_ID_ENUM

#define VIEW_OPS_DECL(id, name) extern const struct view_ops name##_view_ops;
VIEW_INFO(VIEW_OPS_DECL)
#undef VIEW_OPS_DECL

/* Indexed by enum view_id; defined once by the app with
 *   #define VIEW_OPS_PTR(id, name) [VIEW_ID_##id] = &name##_view_ops,
 *   const struct view_ops *const views[] = { VIEW_INFO(VIEW_OPS_PTR) };  */
extern const struct view_ops *const views[];

#endif /* OPSDECK_VIEWS_H */
