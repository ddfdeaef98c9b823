/* SPDX-License-Identifier: MIT */
/* filter.h - the `/` filter of every table: regex, inverse, label selector */
#ifndef OPSDECK_FILTER_H
#define OPSDECK_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/status.h"

struct kv_list;

/*
 * Filter text, as k9s reads it:
 *   "api.breacher"   regex (PCRE2, JIT, case-insensitive unless it has an
 *                    upper-case letter) over every searchable field of a row
 *   "!term"          rows that do NOT match term
 *   "-l app=web,…"   label selector over the row's labels
 * An empty text matches everything.
 */
struct filter;

/* Returns STATUS_INVALID with status_text() explaining a bad regex or
 * selector (with the offset). */
enum status filter_compile(const char *text, struct filter **out);
void filter_free(struct filter *f);
/* fields: the row's searchable strings (name, namespace, tenant, project,
 * hosts, label "k=v" pairs…), nfields of them, NULLs skipped; labels may be
 * NULL for rows without labels (a selector then never matches). */
bool filter_match(const struct filter *f, const char *const *fields, size_t nfields,
                  const struct kv_list *labels);
/* The text it was compiled from. Borrowed. */
const char *filter_text(const struct filter *f);

#endif /* OPSDECK_FILTER_H */
