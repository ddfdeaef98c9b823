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
 *   "api.breacher"   regex (PCRE2, JIT) over every searchable field of a
 *                    row; smart case: case-insensitive unless the pattern
 *                    has an upper-case ASCII letter written as a literal
 *                    (escapes such as \S or \p{Lu} and group names do not
 *                    count)
 *   "!term"          rows that do NOT match term ("!" alone matches nothing;
 *                    "!-l app=web" rows whose labels do not match)
 *   "-l app=web,…"   label selector (labelsel.h grammar) over the row's labels
 * An empty text matches everything. Subjects may be any bytes: invalid UTF-8
 * in a field never makes a match fail with an error. A field that needs
 * pathological backtracking (a match limit is set) counts as not matching,
 * so no pattern can freeze the console.
 */
struct filter;

/* Compiles text (NULL: "") into a new filter (*out; caller frees with filter_free).
 * Returns STATUS_INVALID with *out NULL and status_text() explaining a bad
 * regex ("filter: offset 4: missing closing parenthesis", PCRE2's message)
 * or selector ("label selector: offset 9: …"); offsets count bytes from
 * the beginning of text. */
enum status filter_compile(const char *text, struct filter **out);
void filter_free(struct filter *f); /* NULL is a no-op */
/* fields: the row's searchable strings (name, namespace, tenant, project,
 * hosts, label "k=v" pairs…), nfields of them, NULLs skipped; a row matches
 * when any field does. labels may be NULL for rows without labels (a
 * non-empty selector then never matches them). Allocates nothing: the JIT
 * match data and stack are compiled once and reused, which also means one
 * filter must not be used by two threads at once. */
bool filter_match(const struct filter *f, const char *const *fields, size_t nfields,
                  const struct kv_list *labels);
/* True for NULL or a filter that matches every row (the empty text), so a
 * table can skip filtering altogether. */
bool filter_is_empty(const struct filter *f);
/* The text it was compiled from. Borrowed. */
const char *filter_text(const struct filter *f);

#endif /* OPSDECK_FILTER_H */
