/* SPDX-License-Identifier: MIT */
/* sparkline.c - a series of values as one line of block characters (or ASCII) */
#include "config.h"

#include "opsdeck/sparkline.h"

#include <math.h>

static const char *const blocks[8] = {
    "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char ascii_levels[8] = {'_', '.', '-', '~', '=', '+', '*', '#'};

void
sparkline_render(const double *v, size_t n, double lo, double hi, size_t width, bool ascii,
                 struct strbuf *out)
{
    double span = hi > lo ? hi - lo : 1.0;

    for (size_t c = 0; c < width; c++) {
        size_t from = n ? c * n / width : 0, to = n ? (c + 1) * n / width : 0;
        double peak = NAN;
        double x;
        int level;

        if (n && to <= from)
            to = from + 1;
        for (size_t i = from; i < to && i < n; i++)
            if (!isnan(v[i]) && (isnan(peak) || v[i] > peak))
                peak = v[i];
        if (isnan(peak)) {
            strbuf_putc(out, ' ');
            continue;
        }
        /* Clamped as a double: an infinity must not reach the int cast. */
        x = floor((peak - lo) / span * 8.0);
        level = x < 0.0 ? 0 : x > 7.0 ? 7 : (int)x;
        if (ascii)
            strbuf_putc(out, ascii_levels[level]);
        else
            strbuf_puts(out, blocks[level]);
    }
}
