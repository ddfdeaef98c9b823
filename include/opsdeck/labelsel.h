/* SPDX-License-Identifier: MIT */
/* labelsel.h - Kubernetes label selectors: parse and match */
#ifndef OPSDECK_LABELSEL_H
#define OPSDECK_LABELSEL_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"

struct kv_list;

/*
 * The selector grammar kubectl accepts (apimachinery labels.Parse): `a=b`,
 * `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>3`, `a<3`,
 * joined with commas (all must match), whitespace between tokens ignored.
 * `a!=b` and `notin` also match objects without the label; `>`/`<` match
 * only values that are integers. Keys must be qualified names
 * ("prefix/name"), values valid label values, as kubectl checks them.
 * An empty text is a selector that matches everything.
 */
struct labelsel;

/* Parses text (NULL: "") into a new selector (*out, caller frees with labelsel_free).
 * On a syntax or validity error returns STATUS_INVALID, *out NULL, and
 * status_text() says where: "label selector: offset 6: expected a value,
 * found ')'". */
enum status labelsel_parse(const char *text, struct labelsel **out);
/* The same over text from byte `start` on; error offsets count from the
 * beginning of text (for a selector embedded in a longer line). */
enum status labelsel_parse_at(const char *text, size_t start, struct labelsel **out);
void labelsel_free(struct labelsel *sel); /* NULL is a no-op */
/* True when there are no requirements (matches everything). */
bool labelsel_empty(const struct labelsel *sel);
/* labels NULL is the empty label set. No allocation. */
bool labelsel_match(const struct labelsel *sel, const struct kv_list *labels);

#endif /* OPSDECK_LABELSEL_H */
