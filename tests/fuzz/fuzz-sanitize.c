/* SPDX-License-Identifier: MIT */
/* fuzz-sanitize.c - libFuzzer target: the display sanitiser's guarantees on any input */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes strict UTF-8; false on anything ill-formed. */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t need;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, cp = c & 0x1Fu;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, cp = c & 0x0Fu;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, cp = c & 0x07u;
        else
            return false;
        if (i + need >= n)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        /* no C1 control, bidi control or zero-width character survives */
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
            (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF)
            return false;
        i += need + 1;
    }
    return true;
}

static void
check(bool cond)
{
    if (!cond)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    struct strbuf a, b, f;
    size_t w, cols;
    const char *in = (const char *)data;

    if (!init) {
        setlocale(LC_ALL, "C.UTF-8");
        init = true;
    }
    strbuf_init(&a);
    strbuf_init(&b);
    strbuf_init(&f);
    for (unsigned flags = 0; flags < 4; flags++) {
        strbuf_reset(&a);
        strbuf_reset(&b);
        strbuf_reset(&f);
        w = sanitize_append(&a, in, size, flags);
        for (size_t i = 0; i < a.len; i++) {
            unsigned char c = (unsigned char)a.buf[i];

            check(c >= 0x20 && c != 0x7F);
            if (flags & SANITIZE_ASCII)
                check(c < 0x7F);
        }
        check(valid_utf8((const unsigned char *)strbuf_str(&a), a.len));
        check(sanitize_width(in, size, flags) == w);
        /* idempotent: clean text passes through unchanged */
        sanitize_append(&b, a.buf, a.len, flags);
        check(a.len == b.len && memcmp(strbuf_str(&a), strbuf_str(&b), a.len) == 0);
        /* fitting never exceeds the columns and reports the exact width */
        cols = size ? data[0] % 40 : 0;
        w = sanitize_fit(&f, in, size, cols, flags);
        check(w <= cols);
        check(sanitize_width(strbuf_str(&f), f.len, flags) == w);
    }
    strbuf_done(&a);
    strbuf_done(&b);
    strbuf_done(&f);
    return 0;
}
