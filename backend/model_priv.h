/* SPDX-License-Identifier: MIT */
/* model_priv.h - what the model files share and nobody else needs */
#ifndef OPSDECK_MODEL_PRIV_H
#define OPSDECK_MODEL_PRIV_H

#include "opsdeck/model.h"

/*
 * Moves everything obj owns (strings, arrays and what their elements own)
 * into one allocation with the struct itself, and returns it (obj is freed;
 * a packed or NULL obj comes back as is). kobj_free then frees one block.
 * One allocation instead of some forty per pod: less heap (no per-chunk
 * header and rounding), no scattered frees when a big list goes away, and
 * the allocations of the next parse reuse the freed ones while they are hot.
 */
struct kobj *kobj_pack(struct kobj *obj);

#endif /* OPSDECK_MODEL_PRIV_H */
