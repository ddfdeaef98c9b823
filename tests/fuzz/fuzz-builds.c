/* SPDX-License-Identifier: MIT */
/* fuzz-builds.c - libFuzzer target: build-log lines (logfmt) aggregated into builds */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/builds.h"
#include "opsdeck/clock.h"
#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"
#include "fuzz.h"

#define T0 (INT64_C(1795489920) * NS_PER_SEC)

/* Line i of the input (split on '\n') goes to one of three streams, or to
 * none (the first byte picks), stamped T0 + i seconds. */
static void
feed(struct builds *b, const uint8_t *data, size_t size, bool reverse)
{
    static const char *const svc[] = {"api", "web", "api", NULL};
    const char *lines[512];
    size_t lens[512], n = 0, at = 0;

    while (at <= size && n < 512) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (data + at)) : size - at;

        lines[n] = (const char *)data + at;
        lens[n++] = len;
        at += len + 1;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        unsigned pick = lens[i] ? (unsigned char)lines[i][0] % 4 : 0;

        builds_add(b, pick == 2 ? "eve" : "max", "catapp", svc[pick], T0 + (int64_t)i * NS_PER_SEC,
                   lines[i], lens[i]);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct builds *fwd = builds_new(0), *rev = builds_new(0);
    struct strbuf a, b;
    struct json_doc doc;

    feed(fwd, data, size, false);
    feed(rev, data, size, true);
    builds_update(fwd, T0 + 3600 * NS_PER_SEC);
    builds_update(rev, T0 + 3600 * NS_PER_SEC);
    strbuf_init(&a);
    strbuf_init(&b);
    builds_write_json(fwd, &a, false);
    builds_write_json(rev, &b, false);
    /* The order lines arrive in never changes a build. */
    FUZZ_ASSERT(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
    FUZZ_ASSERT(builds_problems_total(fwd) == builds_problems_total(rev));
    json_doc_init(&doc);
    FUZZ_ASSERT(json_parse(&doc, a.buf, a.len) == STATUS_OK);
    FUZZ_ASSERT(json_type(&doc, 0) == JSON_ARRAY);
    for (size_t i = 0; i < builds_count(fwd); i++) {
        const struct build *bd = builds_at(fwd, i);

        FUZZ_ASSERT(bd->id[0] != '\0');
        FUZZ_ASSERT((bd->status == BUILD_RUNNING) == (bd->ended_ns == 0));
        FUZZ_ASSERT(bd->duration_ms >= 0);
        FUZZ_ASSERT(!bd->over_target || bd->target_s > 0);
        FUZZ_ASSERT(!bd->cache_lost || bd->cache == BUILD_CACHE_MISS);
    }
    json_doc_done(&doc);
    strbuf_done(&a);
    strbuf_done(&b);
    builds_free(fwd);
    builds_free(rev);
    return 0;
}
