/* SPDX-License-Identifier: MIT */
/* clock.h - wall clock (injectable for tests), monotonic clock, time text */
#ifndef OPSDECK_CLOCK_H
#define OPSDECK_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_PER_SEC INT64_C(1000000000)

/*
 * The wall clock is what ages, "data from 03:05 (7 min ago)" and Loki ranges
 * are computed against. It is the real time unless OPSDECK_CLOCK is set in
 * the environment (RFC 3339, e.g. 2026-11-24T03:12:00Z, or Unix seconds), in
 * which case it is frozen there: the screen tests and the simulated platform
 * read the same variable so ages are stable. Timers never use it.
 */
int64_t clock_now_ns(void);
int64_t clock_now(void);                 /* seconds */
bool clock_is_injected(void);
/* For unit tests: freeze the wall clock at ns (0 = back to the default). */
void clock_set_fixed_ns(int64_t ns);

/* Monotonic milliseconds, for timers and timeouts. */
int64_t clock_mono_ms(void);

/* Parses RFC 3339 ("2026-11-24T03:12:00Z", fractions, "+01:00" offsets) into
 * Unix nanoseconds. False on anything else, and for years outside 1678-2261
 * (nanoseconds would overflow). */
bool time_parse_rfc3339(const char *s, int64_t *out_ns);
/* Parses an HTTP Date header (IMF-fixdate) into Unix seconds. */
bool time_parse_http_date(const char *s, int64_t *out_sec);
/* "2026-11-24T03:12:00Z"; buf holds at least 21 bytes. */
void time_format_rfc3339(int64_t sec, char *buf, size_t size);
/* "03:05" in local time (utc false) or UTC; with the date "2026-11-23 03:05"
 * when `sec` is not on the same day as `now`. */
void time_format_clock(int64_t sec, int64_t now, bool utc, char *buf, size_t size);
/* kubectl's duration.HumanDuration: "45s", "5m", "3h12m", "2d", "3y"; "<invalid>"
 * for d < -1 s, "0s" for small negatives. */
void time_human_duration(int64_t seconds, char *buf, size_t size);
/* Age of a timestamp against now: "<unknown>" when ts is 0. */
void time_age(int64_t now, int64_t ts, char *buf, size_t size);
/* Parses a duration like "90s", "5m", "1h30m", "2d" into seconds. */
bool time_parse_duration(const char *s, int64_t *out_sec);

#endif /* OPSDECK_CLOCK_H */
