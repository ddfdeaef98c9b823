/* SPDX-License-Identifier: MIT */
/* redact.h - an object's JSON made fit to show: no secrets, no noise */
#ifndef OPSDECK_REDACT_H
#define OPSDECK_REDACT_H

#include <stdint.h>

#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"

/*
 * Copies value t of doc as compact JSON into out, leaving out what an
 * operator must not see on a shared screen or does not need:
 *   - metadata.managedFields (noise) is dropped;
 *   - the kubectl.kubernetes.io/last-applied-configuration annotation (it
 *     repeats the spec, env values included) becomes "(hidden: N bytes)";
 *   - every literal env value (an "env" array's entries' "value") becomes
 *     "(hidden)", wherever it appears (pods, templates);
 *   - a Secret's data and stringData values become "(hidden)".
 * The result parses as JSON.
 */
void redact_object(const struct json_doc *doc, uint32_t t, struct strbuf *out);

#endif /* OPSDECK_REDACT_H */
