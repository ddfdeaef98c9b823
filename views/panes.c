/* SPDX-License-Identifier: MIT */
/* panes.c - what several panes share: row colours, hosts of a pod, detail arguments */
#include "config.h"

#include "opsdeck/panes.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/app.h"
#include "opsdeck/cluster.h"
#include "opsdeck/conventions.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/ui.h"
#include "opsdeck/view.h"
#include "opsdeck/xalloc.h"

static bool
on_bad_node(const struct cluster *cl, const struct pod *pod)
{
    const struct node *node;

    if (!pod->node)
        return false;
    node = (const struct node *)cluster_get(cl, KIND_NODE, NULL, pod->node);
    return node && !node->ready;
}

static bool
status_is(const char *status, const char *const *set)
{
    for (size_t i = 0; set[i]; i++)
        if (status && strncmp(status, set[i], strlen(set[i])) == 0)
            return true;
    return false;
}

/* Statuses that are progress rather than failure. */
static const char *const waiting_statuses[] = {
    "Pending", "ContainerCreating", "PodInitializing", "Init:", "Terminating",
    "SchedulingGated", NULL,
};

enum theme_element
pane_pod_elem(const struct cluster *cl, const struct pod *pod)
{
    if (pod->status && (strcmp(pod->status, "Completed") == 0 ||
                        strcmp(pod->status, "Succeeded") == 0))
        return ELEM_DIM;
    if (pod_is_problem(pod)) {
        if (status_is(pod->status, waiting_statuses) &&
            !(pod->status && strstr(pod->status, "BackOff")))
            return ELEM_WARNING;
        return ELEM_ERROR;
    }
    return on_bad_node(cl, pod) ? ELEM_WARNING : ELEM_DEFAULT;
}

bool
pane_pod_problem(const struct cluster *cl, const struct pod *pod)
{
    return pod_is_problem(pod) || on_bad_node(cl, pod);
}

enum theme_element
pane_node_elem(const struct node *node)
{
    if (!node->ready)
        return ELEM_ERROR;
    if (node_is_problem(node))
        return ELEM_WARNING;
    return ELEM_DEFAULT;
}

bool
pane_selects(const struct kv_list *sel, const struct kv_list *labels)
{
    if (!sel || sel->len == 0)
        return false;
    for (size_t i = 0; i < sel->len; i++) {
        const char *v = kv_get(labels, sel->items[i].key);

        if (!v || strcmp(v, sel->items[i].value) != 0)
            return false;
    }
    return true;
}

/* Appends the hosts of the ingresses in ns whose backends include service. */
static size_t
hosts_of_service(const struct cluster *cl, const char *ns, const char *service,
                 struct strbuf *out)
{
    size_t ning, n = 0;
    const struct kobj *const *ings = cluster_in_ns(cl, KIND_INGRESS, ns, &ning);

    for (size_t i = 0; i < ning; i++) {
        const struct ingress *ing = (const struct ingress *)ings[i];
        bool routes = false;

        for (size_t b = 0; ing->backends && ing->backends[b]; b++)
            if (strcmp(ing->backends[b], service) == 0)
                routes = true;
        if (!routes)
            continue;
        for (size_t h = 0; ing->hosts && ing->hosts[h]; h++) {
            /* Several services or rules may name one host: list it once. */
            const char *seen = strstr(strbuf_str(out), ing->hosts[h]);
            size_t hl = strlen(ing->hosts[h]);

            if (seen && (seen[hl] == ',' || seen[hl] == '\0'))
                continue;
            if (out->len)
                strbuf_putc(out, ',');
            strbuf_puts(out, ing->hosts[h]);
            n++;
        }
    }
    return n;
}

static size_t
hosts_of_labels(const struct cluster *cl, const char *ns, const struct kv_list *labels,
                struct strbuf *out)
{
    size_t nsvc, n = 0;
    const struct kobj *const *svcs = cluster_in_ns(cl, KIND_SERVICE, ns, &nsvc);

    for (size_t i = 0; i < nsvc; i++) {
        const struct service *svc = (const struct service *)svcs[i];

        if (pane_selects(&svc->selector, labels))
            n += hosts_of_service(cl, ns, svc->obj.name, out);
    }
    return n;
}

size_t
pane_pod_hosts(const struct cluster *cl, const struct pod *pod, struct strbuf *out)
{
    return pod->obj.ns ? hosts_of_labels(cl, pod->obj.ns, &pod->obj.labels, out) : 0;
}

size_t
pane_deployment_hosts(const struct cluster *cl, const struct deployment *d, struct strbuf *out)
{
    /* The pods a deployment makes carry at least its selector's labels. */
    return d->obj.ns ? hosts_of_labels(cl, d->obj.ns, &d->selector, out) : 0;
}

char *
pane_detail_arg(enum kind kind, const char *ns, const char *name)
{
    return xasprintf("%s/%s/%s", kind_info(kind)->resource, ns ? ns : "", name);
}

bool
pane_parse_detail_arg(const char *arg, enum kind *kind, char **ns, char **name)
{
    const char *a = arg ? strchr(arg, '/') : NULL;
    const char *b = a ? strchr(a + 1, '/') : NULL;
    char *res;
    bool ok;

    if (!b || !b[1])
        return false;
    res = xstrndup(arg, (size_t)(a - arg));
    ok = kind_parse(res, kind);
    free(res);
    if (!ok)
        return false;
    *ns = b > a + 1 ? xstrndup(a + 1, (size_t)(b - a - 1)) : NULL;
    *name = xstrdup(b + 1);
    return true;
}

/*
 * Logs of a row
 */

static void
put_quoted(struct strbuf *sb, const char *v, bool regex)
{
    for (; v && *v; v++) {
        if (regex && strchr(".^$|?*+()[]{}", *v))
            strbuf_puts(sb, "\\\\"); /* a regex escape, itself escaped in the string */
        if (*v == '"' || *v == '\\')
            strbuf_putc(sb, '\\');
        strbuf_putc(sb, *v);
    }
}

char *
pane_log_selector(const char *tpl, const char *ns, const char *app, const char *node)
{
    static const char *const names[] = {"{namespace}", "{app}", "{node}"};
    const char *vals[] = {ns, app, node};
    struct strbuf sb;

    strbuf_init(&sb);
    while (*tpl) {
        size_t i;

        for (i = 0; i < 3; i++) {
            if (strncmp(tpl, names[i], strlen(names[i])) == 0)
                break;
        }
        if (i < 3) {
            put_quoted(&sb, vals[i], false);
            tpl += strlen(names[i]);
        } else {
            strbuf_putc(&sb, *tpl++);
        }
    }
    return strbuf_detach(&sb);
}

char *
pane_log_namespaces(const char *const *ns, size_t n)
{
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_puts(&sb, n == 1 ? "{namespace=\"" : "{namespace=~\"");
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_putc(&sb, '|');
        put_quoted(&sb, ns[i], n != 1);
    }
    strbuf_puts(&sb, "\"}");
    return strbuf_detach(&sb);
}

void
pane_open_logs(struct view *view, const char *query)
{
    ui_open(view_ui(view), "logs", query, UI_OPEN_PUSH);
}

void
pane_open_pod_logs(struct view *view, const char *ns, const char *name)
{
    char *arg = xasprintf("pod/%s/%s", ns, name);

    pane_open_logs(view, arg);
    free(arg);
}
