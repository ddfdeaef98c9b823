/* SPDX-License-Identifier: MIT */
/* clock.c - wall clock (injectable), monotonic clock, time parsing and text */
#include "config.h"

#include "opsdeck/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t fixed_ns;          /* set by clock_set_fixed_ns */
static int env_state;             /* 0 unread, 1 none, 2 injected */
static int64_t env_ns;

static void
read_env(void)
{
    const char *s = getenv("OPSDECK_CLOCK");
    char *end;
    long long sec;

    env_state = 1;
    if (!s || !*s)
        return;
    if (time_parse_rfc3339(s, &env_ns)) {
        env_state = 2;
        return;
    }
    sec = strtoll(s, &end, 10);
    if (*end == '\0' && sec > 0) {
        env_ns = (int64_t)sec * NS_PER_SEC;
        env_state = 2;
    }
}

bool
clock_is_injected(void)
{
    if (fixed_ns)
        return true;
    if (!env_state)
        read_env();
    return env_state == 2;
}

void
clock_set_fixed_ns(int64_t ns)
{
    fixed_ns = ns;
}

int64_t
clock_now_ns(void)
{
    struct timespec ts;

    if (fixed_ns)
        return fixed_ns;
    if (!env_state)
        read_env();
    if (env_state == 2)
        return env_ns;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t
clock_now(void)
{
    return clock_now_ns() / NS_PER_SEC;
}

int64_t
clock_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The date of a day counted from 1970-01-01 (Howard Hinnant). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool
time_parse_rfc3339(const char *s, int64_t *out_ns)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    int64_t frac = 0, ns;
    const char *p;

    if (!s || strlen(s) < 19)
        return false;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    /* Nanoseconds since 1970 fit int64_t from 1678 to 2262 only. */
    if (y < 1678 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    p = s + 19;
    if (*p == '.') {
        int n = 0;

        p++;
        while (isdigit((unsigned char)*p)) {
            if (n < 9) {
                frac = frac * 10 + (*p - '0');
                n++;
            }
            p++;
        }
        if (n == 0)
            return false;
        while (n++ < 9)
            frac *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;

        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return false;
        oh *= sign;
        om *= sign;
        p += 6;
    } else {
        return false;
    }
    if (*p)
        return false;
    ns = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
          oh * 3600 - om * 60) * NS_PER_SEC + frac;
    *out_ns = ns;
    return true;
}

bool
time_parse_http_date(const char *s, int64_t *out_sec)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4];
    int d, y, h, mi, sec;
    const char *m;

    /* IMF-fixdate: "Tue, 24 Nov 2026 03:12:00 GMT" */
    if (!s || sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &d, mon, &y, &h, &mi, &sec) != 6)
        return false;
    m = strstr(months, mon);
    if (!m || (m - months) % 3 != 0 || strlen(mon) != 3)
        return false;
    *out_sec = days_from_civil(y, (unsigned)((m - months) / 3 + 1), (unsigned)d) * 86400 +
               h * 3600 + mi * 60 + sec;
    return true;
}

/* Writes n decimal digits of v (zero-padded) at p. */
static void
put_digits(char *p, unsigned v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void
time_format_rfc3339(int64_t sec, char *buf, size_t size)
{
    int64_t days = sec / 86400, rem = sec % 86400, y;
    unsigned m, d;
    time_t t = (time_t)sec;
    struct tm tm;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if (y >= 1000 && y <= 9999 && size >= 21) {
        /* By hand: the JSON output formats two or three of these per pod,
         * and gmtime_r and strftime cost more than the rest of a pod. */
        memcpy(buf, "0000-00-00T00:00:00Z", 21);
        put_digits(buf, (unsigned)y, 4);
        put_digits(buf + 5, m, 2);
        put_digits(buf + 8, d, 2);
        put_digits(buf + 11, (unsigned)(rem / 3600), 2);
        put_digits(buf + 14, (unsigned)(rem / 60 % 60), 2);
        put_digits(buf + 17, (unsigned)(rem % 60), 2);
        return;
    }
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
time_format_clock(int64_t sec, int64_t now, bool utc, char *buf, size_t size)
{
    time_t t = (time_t)sec, n = (time_t)now;
    struct tm tm, tn;

    if (utc) {
        gmtime_r(&t, &tm);
        gmtime_r(&n, &tn);
    } else {
        localtime_r(&t, &tm);
        localtime_r(&n, &tn);
    }
    if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
        strftime(buf, size, "%H:%M", &tm);
    else
        strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

void
time_human_duration(int64_t d, char *buf, size_t size)
{
    /* k8s.io/apimachinery/pkg/util/duration.HumanDuration */
    int64_t s = d, m, h, days, years;

    if (s < -1) {
        snprintf(buf, size, "<invalid>");
        return;
    }
    if (s < 0) {
        snprintf(buf, size, "0s");
        return;
    }
    if (s < 60 * 2) {
        snprintf(buf, size, "%llds", (long long)s);
        return;
    }
    m = s / 60;
    if (m < 10) {
        s %= 60;
        if (s == 0)
            snprintf(buf, size, "%lldm", (long long)m);
        else
            snprintf(buf, size, "%lldm%llds", (long long)m, (long long)s);
        return;
    }
    if (m < 60 * 3) {
        snprintf(buf, size, "%lldm", (long long)m);
        return;
    }
    h = s / 3600;
    if (h < 8) {
        m = (s / 60) % 60;
        if (m == 0)
            snprintf(buf, size, "%lldh", (long long)h);
        else
            snprintf(buf, size, "%lldh%lldm", (long long)h, (long long)m);
        return;
    }
    if (h < 48) {
        snprintf(buf, size, "%lldh", (long long)h);
        return;
    }
    if (h < 24 * 8) {
        days = h / 24;
        h %= 24;
        if (h == 0)
            snprintf(buf, size, "%lldd", (long long)days);
        else
            snprintf(buf, size, "%lldd%lldh", (long long)days, (long long)h);
        return;
    }
    if (h < 24 * 365 * 2) {
        snprintf(buf, size, "%lldd", (long long)(h / 24));
        return;
    }
    if (h < 24 * 365 * 8) {
        years = h / 24 / 365;
        days = (h / 24) % 365;
        if (days == 0)
            snprintf(buf, size, "%lldy", (long long)years);
        else
            snprintf(buf, size, "%lldy%lldd", (long long)years, (long long)days);
        return;
    }
    snprintf(buf, size, "%lldy", (long long)(h / 24 / 365));
}

void
time_age(int64_t now, int64_t ts, char *buf, size_t size)
{
    if (ts == 0) {
        snprintf(buf, size, "<unknown>");
        return;
    }
    time_human_duration(now - ts, buf, size);
}

bool
time_parse_duration(const char *s, int64_t *out_sec)
{
    int64_t total = 0;
    bool any = false;

    if (!s || !*s)
        return false;
    while (*s) {
        char *end;
        long long v = strtoll(s, &end, 10);

        if (end == s || v < 0)
            return false;
        switch (*end) {
        case 's': total += v; break;
        case 'm': total += v * 60; break;
        case 'h': total += v * 3600; break;
        case 'd': total += v * 86400; break;
        case 'w': total += v * 7 * 86400; break;
        case '\0':
            if (any)
                return false;
            total += v;       /* bare number: seconds */
            *out_sec = total;
            return true;
        default:
            return false;
        }
        any = true;
        s = end + 1;
    }
    *out_sec = total;
    return true;
}
