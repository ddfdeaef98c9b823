/* SPDX-License-Identifier: MIT */
/* fuzz.h - shared by the fuzz targets: the libFuzzer entry point and a hard assertion */
#ifndef OPSDECK_FUZZ_H
#define OPSDECK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Active in every build (assert() is compiled out with NDEBUG): a broken
 * property is a finding, reported and aborted on. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif /* OPSDECK_FUZZ_H */
