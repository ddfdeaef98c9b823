/* SPDX-License-Identifier: MIT */
/* model_json.c - the one-shot JSON of `opsdeck get nodes|pods -o json` */
#include "config.h"

#include "opsdeck/model.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/clock.h"
#include "opsdeck/conventions.h"
#include "opsdeck/json.h"

/* Absent times are null; present ones RFC 3339 (UTC). */
static void
write_time(struct jsonw *w, const char *key, int64_t sec)
{
    char buf[40];

    jsonw_key(w, key);
    if (sec == 0) {
        jsonw_null(w);
        return;
    }
    time_format_rfc3339(sec, buf, sizeof(buf));
    jsonw_str(w, buf);
}

static void
write_age(struct jsonw *w, int64_t now, int64_t created)
{
    char buf[32];

    jsonw_key(w, "age");
    if (created == 0) {
        jsonw_null(w);
        return;
    }
    time_human_duration(now - created, buf, sizeof(buf));
    jsonw_str(w, buf);
}

static void
write_field(struct jsonw *w, const char *key, const char *value)
{
    jsonw_key(w, key);
    jsonw_str(w, value);
}

static void
write_labels(struct jsonw *w, const struct kv_list *labels)
{
    jsonw_key(w, "labels");
    jsonw_obj_begin(w);
    for (size_t i = 0; i < labels->len; i++) {
        jsonw_key(w, labels->items[i].key);
        jsonw_str(w, labels->items[i].value);
    }
    jsonw_obj_end(w);
}

static void
write_resources(struct jsonw *w, const char *key, const struct resources *r)
{
    jsonw_key(w, key);
    jsonw_obj_begin(w);
    write_field(w, "cpu", r->cpu);
    write_field(w, "memory", r->memory);
    write_field(w, "pods", r->pods);
    write_field(w, "ephemeral_storage", r->ephemeral_storage);
    jsonw_obj_end(w);
}

static void
write_fetched(struct jsonw *w, int64_t fetched_at)
{
    if (fetched_at > 0)
        write_time(w, "fetched_at", fetched_at);
}

void
node_write_json(const struct node *node, const struct conventions *conv, int64_t now,
                int64_t fetched_at, struct jsonw *w)
{
    char buf[512];

    jsonw_obj_begin(w);
    write_field(w, "name", node->obj.name);
    write_field(w, "status", node->status);
    write_field(w, "roles", node->roles);
    write_field(w, "pool",
                conv && conv->pool_label ? kv_get(&node->obj.labels, conv->pool_label) : NULL);
    write_field(w, "version", node->kubelet_version);
    write_field(w, "internal_ip", node->internal_ip);
    write_field(w, "external_ip", node->external_ip);
    jsonw_key(w, "taints");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < node->ntaints; i++) {
        node_taint_text(&node->taints[i], buf, sizeof(buf));
        jsonw_str(w, buf);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "ready");
    jsonw_bool(w, node->ready);
    jsonw_key(w, "unschedulable");
    jsonw_bool(w, node->unschedulable);
    jsonw_key(w, "problem");
    jsonw_bool(w, node_is_problem(node));
    jsonw_key(w, "pressure");
    jsonw_arr_begin(w);
    if (node->memory_pressure)
        jsonw_str(w, "MemoryPressure");
    if (node->disk_pressure)
        jsonw_str(w, "DiskPressure");
    if (node->pid_pressure)
        jsonw_str(w, "PIDPressure");
    if (node->network_unavailable)
        jsonw_str(w, "NetworkUnavailable");
    jsonw_arr_end(w);
    write_age(w, now, node->obj.created);
    write_time(w, "created", node->obj.created);
    write_field(w, "os_image", node->os_image);
    write_field(w, "kernel_version", node->kernel_version);
    write_field(w, "container_runtime", node->runtime_version);
    write_field(w, "arch", node->arch);
    write_resources(w, "capacity", &node->capacity);
    write_resources(w, "allocatable", &node->allocatable);
    write_labels(w, &node->obj.labels);
    write_fetched(w, fetched_at);
    jsonw_obj_end(w);
}

static const char *
container_kind_name(enum container_kind kind)
{
    switch (kind) {
    case CONTAINER_INIT:
        return "init";
    case CONTAINER_SIDECAR:
        return "sidecar";
    case CONTAINER_APP:
        break;
    }
    return "app";
}

static const char *
container_state_name(enum container_state state)
{
    switch (state) {
    case CSTATE_WAITING:
        return "waiting";
    case CSTATE_RUNNING:
        return "running";
    case CSTATE_TERMINATED:
        return "terminated";
    case CSTATE_NONE:
        break;
    }
    return NULL;
}

static void
write_container(struct jsonw *w, const struct container *c)
{
    jsonw_obj_begin(w);
    write_field(w, "name", c->name);
    write_field(w, "type", container_kind_name(c->kind));
    write_field(w, "image", c->image);
    jsonw_key(w, "ready");
    jsonw_bool(w, c->ready);
    jsonw_key(w, "restarts");
    jsonw_int(w, c->restarts);
    write_field(w, "state", container_state_name(c->state));
    write_field(w, "reason", c->reason);
    jsonw_key(w, "exit_code");
    if (c->state == CSTATE_TERMINATED)
        jsonw_int(w, c->exit_code);
    else
        jsonw_null(w);
    write_field(w, "last_reason", c->last_reason);
    write_time(w, "last_finished", c->last_finished_at);
    jsonw_obj_end(w);
}

void
pod_write_json(const struct pod *pod, int64_t now, int64_t fetched_at, struct jsonw *w)
{
    char buf[64];

    jsonw_obj_begin(w);
    write_field(w, "namespace", pod->obj.ns);
    write_field(w, "name", pod->obj.name);
    write_field(w, "status", pod->status);
    pod_ready_text(pod, buf, sizeof(buf));
    write_field(w, "ready", buf);
    jsonw_key(w, "restarts");
    jsonw_int(w, pod->restarts);
    write_field(w, "node", pod->node);
    pod_restarts_text(pod, now, buf, sizeof(buf));
    write_field(w, "restarts_text", buf);
    write_time(w, "last_restart", pod->restarts ? pod->last_restart : 0);
    write_field(w, "ip", pod->ip);
    write_field(w, "phase", pod->phase);
    write_field(w, "reason", pod->reason);
    write_age(w, now, pod->obj.created);
    write_time(w, "created", pod->obj.created);
    write_time(w, "deleting", pod->obj.deleting);
    write_field(w, "qos_class", pod->qos_class);
    jsonw_key(w, "problem");
    jsonw_bool(w, pod_is_problem(pod));
    jsonw_key(w, "owner");
    if (pod->obj.owner_kind || pod->obj.owner_name) {
        jsonw_obj_begin(w);
        write_field(w, "kind", pod->obj.owner_kind);
        write_field(w, "name", pod->obj.owner_name);
        jsonw_obj_end(w);
    } else {
        jsonw_null(w);
    }
    jsonw_key(w, "containers");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < pod->ncontainers; i++)
        write_container(w, &pod->containers[i]);
    jsonw_arr_end(w);
    write_fetched(w, fetched_at);
    jsonw_obj_end(w);
}
