/* SPDX-License-Identifier: MIT */
/* sparkline.h - a series of values as one line of block characters (or ASCII) */
#ifndef OPSDECK_SPARKLINE_H
#define OPSDECK_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/strbuf.h"

/*
 * Appends exactly `width` cells drawing v[0..n), oldest first, on the scale
 * lo..hi (values outside are clamped): eight levels, "▁▂▃▄▅▆▇█" in UTF-8,
 * "_.-~=+*#" in ASCII. With more points than cells each cell shows the
 * highest point of its share (a peak is never averaged away); with fewer,
 * points repeat. NaN is "no sample": a cell whose share has none is a space,
 * so a gap shows as a gap and a series that stopped ends where it stopped.
 */
void sparkline_render(const double *v, size_t n, double lo, double hi, size_t width, bool ascii,
                      struct strbuf *out);

#endif /* OPSDECK_SPARKLINE_H */
