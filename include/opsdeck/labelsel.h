/* SPDX-License-Identifier: MIT */
/* labelsel.h - Kubernetes label selectors: parse and match */
#ifndef OPSDECK_LABELSEL_H
#define OPSDECK_LABELSEL_H

#include <stdbool.h>

#include "opsdeck/status.h"

struct kv_list;

/*
 * The selector grammar kubectl accepts: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, joined with commas (all must match).
 */
struct labelsel;

/* Returns STATUS_INVALID with status_text() naming the bad term. */
enum status labelsel_parse(const char *text, struct labelsel **out);
void labelsel_free(struct labelsel *sel);
bool labelsel_match(const struct labelsel *sel, const struct kv_list *labels);

#endif /* OPSDECK_LABELSEL_H */
