/* SPDX-License-Identifier: MIT */
/* test-builds.c - builds from build-log lines: order, batches, flags, bad lines, JSON */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/builds.h"
#include "opsdeck/clock.h"
#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"
#include "testlib.h"

/* 2026-11-24T03:12:00Z, the screen tests' clock. */
#define NOW    (INT64_C(1795489920) * NS_PER_SEC)
#define SEC(s) ((int64_t)(s)*NS_PER_SEC)

struct entry {
    const char *tenant, *project, *service;
    int64_t ts;
    const char *line;
};

static void
feed(struct builds *b, const struct entry *e)
{
    builds_add(b, e->tenant, e->project, e->service, e->ts, e->line, strlen(e->line));
}

static void
feed_line(struct builds *b, const char *service, int64_t ts, const char *line)
{
    struct entry e = {"max", "catapp", service, ts, line};

    feed(b, &e);
}

/* The build with that id, or NULL. */
static const struct build *
find(const struct builds *b, const char *id)
{
    for (size_t i = 0; i < builds_count(b); i++)
        if (strcmp(builds_at(b, i)->id, id) == 0)
            return builds_at(b, i);
    return NULL;
}

/* One build that ended: first line at start, last line at start + dur. */
static void
feed_build(struct builds *b, const char *service, const char *id, int64_t start, const char *status,
           const char *dur, const char *cache)
{
    char line[256];
    double d = strtod(dur, NULL);

    snprintf(line, sizeof(line), "level=info build_id=%s sha=abc123def456 msg=\"build started\"",
             id);
    feed_line(b, service, start, line);
    snprintf(line, sizeof(line),
             "level=info build_id=%s sha=abc123def456 status=%s duration=%s cache=%s "
             "msg=\"build %s\"",
             id, status, dur, cache, status);
    feed_line(b, service, start + (int64_t)(d * 1e9), line);
}

/* A small history of three services, lines of every kind, in order. */
static const struct entry story[] = {
    {"max", "catapp", "api", SEC(1795486400),
     "level=info build_id=b1 sha=1111111aaaa msg=\"build started\" step=plan"},
    {"max", "catapp", "api", SEC(1795486401),
     "level=info build_id=b1 sha=1111111aaaa step=import msg=\"importing cache from registry\""},
    {"max", "catapp", "api", SEC(1795486403),
     "level=info build_id=b1 sha=1111111aaaa status=succeeded duration=3.250 cache=hit msg=\"build "
     "succeeded\""},
    {"max", "catapp", "web", SEC(1795486500),
     "level=info build_id=w7 sha=7777777bbbb msg=\"build started\""},
    {"max", "catapp", "web", SEC(1795486510),
     "level=warn build_id=w7 sha=7777777bbbb msg=\"cache import failed: \\\"registry\\\" "
     "unreachable\""},
    {"max", "catapp", "web", SEC(1795486540),
     "level=error build_id=w7 sha=7777777bbbb status=failed duration=40.5 cache=miss msg=\"build "
     "failed\""},
    {"eve", "shop", "api", SEC(1795486600),
     "level=info build_id=b1 sha=2222222cccc msg=\"build started\""},
    {"eve", "shop", "api", SEC(1795486601),
     "level=info build_id=b1 sha=2222222cccc msg=\"step 1/3\""},
    {"max", "catapp", "api", SEC(1795489400),
     "level=info build_id=b2 sha=3333333dddd msg=\"build started\""},
    {"max", "catapp", "api", SEC(1795489416),
     "level=info build_id=b2 sha=3333333dddd status=succeeded duration=16 cache=partial "
     "msg=\"build succeeded\""},
};
#define NSTORY (sizeof(story) / sizeof(story[0]))

/* A line per build, comparable between runs. */
static char *
describe(const struct builds *b)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < builds_count(b); i++) {
        const struct build *bd = builds_at(b, i);

        strbuf_printf(&sb, "%s/%s/%s/%s sha=%s start=%lld end=%lld dur=%lld %s %s t=%d o=%d l=%d\n",
                      bd->tenant, bd->project, bd->service, bd->id, bd->sha,
                      (long long)bd->started_ns, (long long)bd->ended_ns,
                      (long long)bd->duration_ms, build_status_name(bd->status),
                      build_cache_name(bd->cache), bd->target_s, bd->over_target, bd->cache_lost);
    }
    return strbuf_detach(&sb);
}

START_TEST(test_story_in_order)
{
    struct builds *b = builds_new(0);
    const struct build *bd;

    for (size_t i = 0; i < NSTORY; i++)
        feed(b, &story[i]);
    builds_update(b, NOW);
    ck_assert_uint_eq(builds_count(b), 4);
    ck_assert_uint_eq(builds_problems_total(b), 0);
    ck_assert_uint_eq(builds_running(b), 1);

    bd = builds_at(b, 0);
    ck_assert_str_eq(bd->id, "b1");
    ck_assert_str_eq(bd->tenant, "max");
    ck_assert_str_eq(bd->project, "catapp");
    ck_assert_str_eq(bd->service, "api");
    ck_assert_str_eq(bd->sha, "1111111aaaa");
    ck_assert_int_eq(bd->started_ns, SEC(1795486400));
    ck_assert_int_eq(bd->ended_ns, SEC(1795486403));
    ck_assert_int_eq(bd->duration_ms, 3250);
    ck_assert_int_eq(bd->status, BUILD_SUCCEEDED);
    ck_assert_int_eq(bd->cache, BUILD_CACHE_HIT);
    ck_assert_int_eq(bd->target_s, 5);
    ck_assert(!bd->over_target);
    ck_assert(!bd->cache_lost);
    ck_assert_uint_eq(bd->lines, 3);

    bd = builds_at(b, 1);
    ck_assert_str_eq(bd->id, "w7");
    ck_assert_int_eq(bd->status, BUILD_FAILED);
    ck_assert_int_eq(bd->cache, BUILD_CACHE_MISS);
    ck_assert_int_eq(bd->duration_ms, 40500);
    ck_assert_int_eq(bd->target_s, 120);
    ck_assert(!bd->over_target);

    /* Same build_id in another tenant's service: another build. */
    bd = builds_at(b, 2);
    ck_assert_str_eq(bd->id, "b1");
    ck_assert_str_eq(bd->tenant, "eve");
    ck_assert_int_eq(bd->status, BUILD_RUNNING);
    ck_assert_int_eq(bd->cache, BUILD_CACHE_NONE);
    ck_assert_int_eq(bd->ended_ns, 0);
    ck_assert_int_eq(bd->duration_ms, (NOW - SEC(1795486600)) / 1000000);
    ck_assert(bd->over_target); /* running for 55 min: over any target */

    bd = builds_at(b, 3);
    ck_assert_str_eq(bd->id, "b2");
    ck_assert_int_eq(bd->cache, BUILD_CACHE_PARTIAL);
    ck_assert_int_eq(bd->target_s, 15);
    ck_assert(bd->over_target);
    builds_free(b);
}
END_TEST

/* Any order, any batches, duplicated entries: the same builds. */
START_TEST(test_story_shuffled_batches)
{
    struct builds *ref = builds_new(0);
    char *want;

    for (size_t i = 0; i < NSTORY; i++)
        feed(ref, &story[i]);
    builds_update(ref, NOW);
    want = describe(ref);

    srand(20261124);
    for (int round = 0; round < 200; round++) {
        struct builds *b = builds_new(0);
        size_t order[NSTORY * 2], n = NSTORY;
        char *got;

        for (size_t i = 0; i < NSTORY; i++)
            order[i] = i;
        if (round % 2) /* every other round, a page boundary repeats some entries */
            for (size_t i = 0; i < NSTORY; i += 3)
                order[n++] = i;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)rand() % (i + 1), t = order[i];

            order[i] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < n; i++) {
            feed(b, &story[order[i]]);
            if (rand() % 3 == 0) /* a batch ends: the pane looks in between */
                builds_update(b, NOW);
        }
        builds_update(b, NOW);
        got = describe(b);
        ck_assert_msg(strcmp(got, want) == 0, "round %d:\n%s\nwant:\n%s", round, got, want);
        ck_assert_uint_eq(builds_problems_total(b), 0);
        free(got);
        builds_free(b);
    }
    free(want);
    builds_free(ref);
}
END_TEST

START_TEST(test_running_then_ends)
{
    struct builds *b = builds_new(0);
    const struct build *bd;
    uint64_t gen;

    feed_line(b, "api", NOW - SEC(30), "build_id=r1 sha=abcdef0123 msg=\"build started\"");
    feed_line(b, "api", NOW - SEC(20), "build_id=r1 sha=abcdef0123 msg=\"exporting layers\"");
    builds_update(b, NOW);
    bd = find(b, "r1");
    ck_assert_ptr_nonnull(bd);
    ck_assert_int_eq(bd->status, BUILD_RUNNING);
    ck_assert_int_eq(bd->duration_ms, 30000);
    ck_assert_int_eq(bd->target_s, 120);
    ck_assert(!bd->over_target);
    ck_assert_uint_eq(builds_running(b), 1);

    /* Time passes: the running duration follows the clock. */
    gen = builds_generation(b);
    builds_update(b, NOW + SEC(100));
    ck_assert_uint_ne(builds_generation(b), gen);
    bd = find(b, "r1");
    ck_assert_int_eq(bd->duration_ms, 130000);
    ck_assert(bd->over_target);

    /* Nothing changed: the generation stays. */
    gen = builds_generation(b);
    builds_update(b, NOW + SEC(100));
    ck_assert_uint_eq(builds_generation(b), gen);

    feed_line(b, "api", NOW + SEC(101),
              "build_id=r1 sha=abcdef0123 status=succeeded duration=131.2 cache=miss");
    builds_update(b, NOW + SEC(200));
    bd = find(b, "r1");
    ck_assert_int_eq(bd->status, BUILD_SUCCEEDED);
    ck_assert_int_eq(bd->duration_ms, 131200);
    ck_assert_int_eq(bd->ended_ns, NOW + SEC(101));
    ck_assert(bd->over_target);
    ck_assert_uint_eq(builds_running(b), 0);
    builds_free(b);
}
END_TEST

START_TEST(test_failed)
{
    struct builds *b = builds_new(0);
    const struct build *bd;

    feed_line(b, "api", NOW - SEC(60), "build_id=f1 sha=f00 msg=\"build started\"");
    feed_line(b, "api", NOW - SEC(58),
              "level=error build_id=f1 sha=f00 status=failed duration=2 msg=\"npm ci: exit 1\"");
    /* A failed build may end before the cache was consulted: no cache=. */
    builds_update(b, NOW);
    bd = find(b, "f1");
    ck_assert_int_eq(bd->status, BUILD_FAILED);
    ck_assert_int_eq(bd->cache, BUILD_CACHE_NONE);
    ck_assert_int_eq(bd->target_s, 0);
    ck_assert(!bd->over_target);
    ck_assert_int_eq(bd->duration_ms, 2000);
    ck_assert_uint_eq(builds_problems_total(b), 0);
    builds_free(b);
}
END_TEST

/* Targets: hit 5 s, partial 15 s, miss 120 s; at the target is not over. */
START_TEST(test_over_target_each_cache)
{
    static const struct {
        const char *cache, *dur;
        int target;
        bool over;
    } cases[] = {
        {"hit", "5", 5, false},        {"hit", "5.001", 5, true},
        {"hit", "0.4", 5, false},      {"partial", "15.000", 15, false},
        {"partial", "15.5", 15, true}, {"partial", "6", 15, false},
        {"miss", "120", 120, false},   {"miss", "120.01", 120, true},
        {"miss", "40", 120, false},
    };
    struct builds *b = builds_new(0);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[16], svc[16];

        snprintf(id, sizeof(id), "t%zu", i);
        snprintf(svc, sizeof(svc), "svc%zu", i); /* one service each: no cache lost */
        feed_build(b, svc, id, NOW - SEC(3600), "succeeded", cases[i].dur, cases[i].cache);
    }
    builds_update(b, NOW);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[16];
        const struct build *bd;

        snprintf(id, sizeof(id), "t%zu", i);
        bd = find(b, id);
        ck_assert_ptr_nonnull(bd);
        ck_assert_int_eq(bd->target_s, cases[i].target);
        ck_assert_msg(bd->over_target == cases[i].over, "%s %s", cases[i].cache, cases[i].dur);
        ck_assert(!bd->cache_lost);
    }
    builds_free(b);
}
END_TEST

START_TEST(test_cache_lost_within_24h)
{
    struct builds *b = builds_new(0);
    const struct build *bd;

    feed_build(b, "api", "ok1", NOW - SEC(3600), "succeeded", "12", "partial");
    feed_build(b, "api", "slow", NOW - SEC(600), "succeeded", "41", "miss");
    builds_update(b, NOW);
    bd = find(b, "slow");
    ck_assert(bd->cache_lost);
    ck_assert(!bd->over_target); /* 41 s is within the miss target: flagged for the cache */
    ck_assert(!find(b, "ok1")->cache_lost);

    /* The previous success just inside the window (ended 24 h before). */
    builds_clear(b);
    feed_build(b, "api", "old", NOW - SEC(86400) - SEC(10), "succeeded", "10", "hit");
    feed_build(b, "api", "new", NOW, "succeeded", "41", "miss");
    builds_update(b, NOW + SEC(60));
    ck_assert(find(b, "new")->cache_lost);
    builds_free(b);
}
END_TEST

START_TEST(test_cache_lost_outside_24h)
{
    struct builds *b = builds_new(0);

    feed_build(b, "api", "old", NOW - SEC(86400) - SEC(20), "succeeded", "10", "hit");
    feed_build(b, "api", "new", NOW, "succeeded", "130", "miss");
    builds_update(b, NOW + SEC(200));
    ck_assert(!find(b, "new")->cache_lost);
    ck_assert(find(b, "new")->over_target);
    builds_free(b);
}
END_TEST

START_TEST(test_cache_lost_other_service)
{
    struct builds *b = builds_new(0);
    struct entry e = {"eve", "catapp", "api", NOW - SEC(3600),
                      "build_id=x sha=1 status=succeeded "
                      "duration=3 cache=hit"};

    feed_build(b, "web", "w1", NOW - SEC(3600), "succeeded", "4", "hit");
    feed(b, &e); /* same project and service names, another tenant */
    feed_build(b, "api", "a1", NOW - SEC(60), "succeeded", "45", "miss");
    builds_update(b, NOW);
    ck_assert(!find(b, "a1")->cache_lost);
    builds_free(b);
}
END_TEST

START_TEST(test_cache_lost_previous_failed)
{
    struct builds *b = builds_new(0);

    feed_build(b, "api", "f", NOW - SEC(3600), "failed", "8", "partial");
    feed_build(b, "api", "m", NOW - SEC(60), "succeeded", "45", "miss");
    builds_update(b, NOW);
    ck_assert(!find(b, "m")->cache_lost);

    /* A success that ended after this build started did not leave a cache
     * for it (concurrent builds). */
    feed_build(b, "api", "c", NOW - SEC(80), "succeeded", "30", "hit");
    builds_update(b, NOW);
    ck_assert(!find(b, "m")->cache_lost);

    /* A failed build reporting miss after a success: the cache was lost too. */
    feed_build(b, "api", "s", NOW - SEC(7200), "succeeded", "3", "hit");
    feed_build(b, "api", "f2", NOW - SEC(30), "failed", "20", "miss");
    builds_update(b, NOW);
    ck_assert(find(b, "m")->cache_lost);
    ck_assert(find(b, "f2")->cache_lost);
    ck_assert(!find(b, "f")->cache_lost); /* partial is not a loss */
    builds_free(b);
}
END_TEST

/* The previous success arrives after the miss (backward paging). */
START_TEST(test_cache_lost_late_history)
{
    struct builds *b = builds_new(0);

    feed_build(b, "api", "m", NOW - SEC(60), "succeeded", "45", "miss");
    builds_update(b, NOW);
    ck_assert(!find(b, "m")->cache_lost);
    feed_build(b, "api", "s", NOW - SEC(7200), "succeeded", "3", "hit");
    builds_update(b, NOW);
    ck_assert(find(b, "m")->cache_lost);
    builds_free(b);
}
END_TEST

/* History before the window: used for cache lost, never listed. */
START_TEST(test_window)
{
    struct builds *b = builds_new(0);

    builds_set_window(b, NOW - SEC(86400));
    feed_line(b, "api", NOW - SEC(86400) - SEC(600),
              "build_id=h sha=9 status=succeeded duration=4 cache=hit");
    feed_build(b, "api", "m", NOW - SEC(86400) + SEC(60), "succeeded", "41", "miss");
    builds_update(b, NOW);
    ck_assert_uint_eq(builds_count(b), 1);
    ck_assert_ptr_null(find(b, "h"));
    ck_assert(find(b, "m")->cache_lost);
    builds_free(b);
}
END_TEST

START_TEST(test_malformed_lines)
{
    struct builds *b = builds_new(0);
    const char *bad = "build_id=b9 sha=1 status=succeeded duration=12s cache=hit";
    const struct build *bd;

    feed_line(b, "api", NOW - SEC(100), "build_id=b9 sha=1234567 msg=\"build started\"");
    feed_line(b, "api", NOW - SEC(99), "level=info msg=\"no id here\" sha=1");
    feed_line(b, "api", NOW - SEC(98), "build_id= sha=1 msg=empty");
    feed_line(b, "api", NOW - SEC(97), "build_id=b9 sha=1 msg=\"unterminated");
    feed_line(b, "api", NOW - SEC(96), "build_id=b9 sha=1 =value");
    feed_line(b, "api", NOW - SEC(95), bad);
    feed_line(b, "api", NOW - SEC(94), "build_id=b9 sha=1 status=succeeded duration=-3 cache=hit");
    feed_line(b, "api", NOW - SEC(93), "build_id=b9 sha=1 status=succeeded duration=1e3 cache=hit");
    feed_line(b, "api", NOW - SEC(92), "build_id=b9 sha=1 status=succeeded cache=hit");
    feed_line(b, "api", NOW - SEC(91), "build_id=b9 sha=1 status=done duration=3 cache=hit");
    feed_line(b, "api", NOW - SEC(90), "build_id=b9 sha=1 status=succeeded duration=. cache=hit");
    feed_line(b, "api", NOW - SEC(89), "build_id=b9 msg=\"no sha\"");
    feed_line(b, "api", NOW - SEC(88), "");
    feed_line(b, "api", NOW - SEC(87), "\x1b[31mbuild_id=\x00");
    builds_add(b, "max", "catapp", "api", NOW - SEC(87), "build_id=b\0x sha=1", 18);
    builds_add(b, "max", NULL, "api", NOW - SEC(86), "build_id=zz sha=1", 17);
    builds_add(b, "max", "catapp", "", NOW - SEC(85), "build_id=zz sha=1", 17);
    builds_update(b, NOW);

    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_NO_BUILD_ID), 4);
    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_BAD_LOGFMT), 3);
    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_BAD_DURATION), 5);
    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_BAD_STATUS), 1);
    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_NO_SHA), 1);
    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_NO_LABELS), 2);
    ck_assert_uint_eq(builds_problems_total(b), 16);
    ck_assert_str_eq(builds_problem_last(b), "stream without tenant/project/service labels: "
                                             "build_id=zz sha=1");

    /* The record is not poisoned: still running, its first sha, no stray builds. */
    ck_assert_uint_eq(builds_count(b), 1);
    bd = find(b, "b9");
    ck_assert_int_eq(bd->status, BUILD_RUNNING);
    ck_assert_str_eq(bd->sha, "1234567");
    ck_assert_int_eq(bd->started_ns, NOW - SEC(100));

    /* A proper last line still ends it. */
    feed_line(b, "api", NOW - SEC(80),
              "build_id=b9 sha=1234567 status=succeeded duration=20.25 cache=partial");
    builds_update(b, NOW);
    bd = find(b, "b9");
    ck_assert_int_eq(bd->status, BUILD_SUCCEEDED);
    ck_assert_int_eq(bd->duration_ms, 20250);
    ck_assert(bd->over_target);
    builds_free(b);
}
END_TEST

/* A bad or missing cache= still ends the build (status and duration stand). */
START_TEST(test_bad_cache)
{
    struct builds *b = builds_new(0);
    const struct build *bd;

    feed_line(b, "api", NOW - SEC(50), "build_id=c1 sha=1 status=succeeded duration=3");
    feed_line(b, "web", NOW - SEC(50), "build_id=c2 sha=1 status=failed duration=3 cache=warm");
    builds_update(b, NOW);
    ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_BAD_CACHE), 2);
    bd = find(b, "c1");
    ck_assert_int_eq(bd->status, BUILD_SUCCEEDED);
    ck_assert_int_eq(bd->cache, BUILD_CACHE_NONE);
    ck_assert_int_eq(bd->target_s, 0);
    ck_assert(!bd->over_target);
    ck_assert_int_eq(find(b, "c2")->status, BUILD_FAILED);
    builds_free(b);
}
END_TEST

START_TEST(test_logfmt_quotes)
{
    struct builds *b = builds_new(0);
    const struct build *bd;

    /* status= inside a quoted msg is text, not a field; escapes decoded;
     * flags (bare keys) allowed; tabs separate too. */
    feed_line(b, "api", NOW - SEC(10),
              "ts=2026-11-24T03:11:50Z dryrun build_id=\"b \\\"q\\\" 1\"\tsha=\"abc\" "
              "msg=\"echo status=failed duration=1 cache=hit\" path=C:\\\\x");
    builds_update(b, NOW);
    ck_assert_uint_eq(builds_problems_total(b), 0);
    bd = builds_at(b, 0);
    ck_assert_str_eq(bd->id, "b \"q\" 1");
    ck_assert_str_eq(bd->sha, "abc");
    ck_assert_int_eq(bd->status, BUILD_RUNNING);

    /* The first of a repeated field wins. */
    feed_line(b, "api", NOW - SEC(9), "build_id=d1 build_id=d2 sha=1");
    builds_update(b, NOW);
    ck_assert_ptr_nonnull(find(b, "d1"));
    ck_assert_ptr_null(find(b, "d2"));
    builds_free(b);
}
END_TEST

START_TEST(test_duration_precision)
{
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        {"41.7", 41700}, {"0.0005", 1}, {"1.2344", 1234}, {"1.23456789", 1235},
        {".5", 500},     {"7", 7000},   {"0", 0},         {"000120.000", 120000},
    };
    struct builds *b = builds_new(0);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char line[128], id[8];

        snprintf(id, sizeof(id), "p%zu", i);
        snprintf(line, sizeof(line), "build_id=%s sha=1 status=succeeded duration=%s cache=hit", id,
                 cases[i].text);
        feed_line(b, "api", NOW - SEC(100) + (int64_t)i, line);
    }
    builds_update(b, NOW);
    ck_assert_uint_eq(builds_problems_total(b), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[8];

        snprintf(id, sizeof(id), "p%zu", i);
        ck_assert_msg(find(b, id)->duration_ms == cases[i].ms, "%s -> %lld", cases[i].text,
                      (long long)find(b, id)->duration_ms);
    }
    builds_free(b);
}
END_TEST

/* The same last line twice is a page boundary; a different one is a
 * problem, and the later line wins whichever order they came in. */
START_TEST(test_second_end)
{
    const char *l1 = "build_id=e sha=1 status=failed duration=9 cache=miss";
    const char *l2 = "build_id=e sha=1 status=succeeded duration=30 cache=partial";

    for (int order = 0; order < 2; order++) {
        struct builds *b = builds_new(0);
        const struct build *bd;

        feed_line(b, "api", NOW - SEC(40), "build_id=e sha=1 msg=start");
        feed_line(b, "api", NOW - SEC(31), l1);
        feed_line(b, "api", NOW - SEC(31), l1);
        builds_update(b, NOW);
        ck_assert_uint_eq(builds_problems_total(b), 0);
        if (order) {
            feed_line(b, "api", NOW - SEC(10), l2);
        } else {
            builds_clear(b);
            feed_line(b, "api", NOW - SEC(10), l2);
            feed_line(b, "api", NOW - SEC(31), l1);
            feed_line(b, "api", NOW - SEC(40), "build_id=e sha=1 msg=start");
        }
        builds_update(b, NOW);
        ck_assert_uint_eq(builds_problems(b, BUILDS_PROBLEM_SECOND_END), 1);
        bd = find(b, "e");
        ck_assert_int_eq(bd->status, BUILD_SUCCEEDED);
        ck_assert_int_eq(bd->duration_ms, 30000);
        ck_assert_int_eq(bd->ended_ns, NOW - SEC(10));
        builds_free(b);
    }
}
END_TEST

START_TEST(test_cap_drops_oldest)
{
    struct builds *b = builds_new(4);

    for (int i = 9; i >= 0; i--) { /* newest first, as a backward page */
        char id[8];

        snprintf(id, sizeof(id), "n%d", i);
        feed_build(b, "api", id, NOW - SEC(1000) + SEC(i * 60), "succeeded", "3", "hit");
    }
    builds_update(b, NOW);
    ck_assert_uint_eq(builds_count(b), 4);
    ck_assert_str_eq(builds_at(b, 0)->id, "n6");
    ck_assert_str_eq(builds_at(b, 3)->id, "n9");

    /* Many builds, memory stays at the cap. */
    for (int i = 0; i < 5000; i++) {
        char id[16];

        snprintf(id, sizeof(id), "m%d", i);
        feed_build(b, "web", id, NOW + SEC(i), "succeeded", "1", "hit");
        if (i % 100 == 0)
            builds_update(b, NOW + SEC(6000));
    }
    builds_update(b, NOW + SEC(6000));
    ck_assert_uint_eq(builds_count(b), 4);
    ck_assert_str_eq(builds_at(b, 3)->id, "m4999");
    builds_free(b);
}
END_TEST

START_TEST(test_json)
{
    struct builds *b = builds_new(0);
    struct strbuf out;
    struct json_doc doc;
    uint32_t arr, o;
    double d;
    char *s;

    for (size_t i = 0; i < NSTORY; i++)
        feed(b, &story[NSTORY - 1 - i]);
    builds_update(b, NOW);
    strbuf_init(&out);
    builds_write_json(b, &out, true);
    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, out.buf, out.len), STATUS_OK);
    arr = 0;
    ck_assert_int_eq(json_type(&doc, arr), JSON_ARRAY);
    ck_assert_uint_ne(json_at(&doc, arr, 3), JSON_NONE);
    ck_assert_uint_eq(json_at(&doc, arr, 4), JSON_NONE);

    o = json_at(&doc, arr, 0);
    s = json_get_str(&doc, o, "build_id");
    ck_assert_str_eq(s, "b1");
    free(s);
    s = json_get_str(&doc, o, "started");
    ck_assert_str_eq(s, "2026-11-24T02:13:20Z");
    free(s);
    s = json_get_str(&doc, o, "cache");
    ck_assert_str_eq(s, "hit");
    free(s);
    ck_assert(json_double(&doc, json_get(&doc, o, "duration_s"), &d));
    ck_assert(d == 3.25);
    ck_assert_int_eq(json_get_int(&doc, o, "target_s", -1), 5);
    ck_assert(!json_get_bool(&doc, o, "over_target", true));
    ck_assert(!json_get_bool(&doc, o, "cache_lost", true));

    o = json_at(&doc, arr, 2); /* the running one */
    s = json_get_str(&doc, o, "status");
    ck_assert_str_eq(s, "running");
    free(s);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "cache")), JSON_NULL);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "ended")), JSON_NULL);
    ck_assert_int_eq(json_type(&doc, json_get(&doc, o, "target_s")), JSON_NULL);
    ck_assert(json_get_bool(&doc, o, "over_target", false));
    ck_assert(json_double(&doc, json_get(&doc, o, "duration_s"), &d));
    ck_assert(d == 3320.0);
    json_doc_done(&doc);

    /* No builds: an empty array. */
    builds_clear(b);
    builds_update(b, NOW);
    strbuf_reset(&out);
    builds_write_json(b, &out, false);
    ck_assert_str_eq(strbuf_str(&out), "[]");
    strbuf_done(&out);
    builds_free(b);
}
END_TEST

START_TEST(test_log_query)
{
    char id[] = "42", tenant[] = "max", project[] = "cat\"app", service[] = "api";
    char sha1[] = "0123456789abcdef", sha2[] = "abc";
    struct build bd = {.id = id, .tenant = tenant, .project = project, .service = service};
    char *q;
    char sha[8];

    q = builds_log_query("{job=\"build\"}", &bd);
    ck_assert_str_eq(q, "{job=\"build\",tenant=\"max\",project=\"cat\\\"app\",service=\"api\"} "
                        "|= \"build_id=42\"");
    free(q);
    q = builds_log_query("{}", &bd);
    ck_assert_str_eq(q, "{tenant=\"max\",project=\"cat\\\"app\",service=\"api\"} "
                        "|= \"build_id=42\"");
    free(q);
    build_format_duration(400, sha, sizeof(sha));
    ck_assert_str_eq(sha, "0.4s");
    bd.over_target = true;
    ck_assert_str_eq(build_flags_text(&bd), "over target");
    bd.cache_lost = true;
    ck_assert_str_eq(build_flags_text(&bd), "over target, cache lost");
    bd.over_target = false;
    ck_assert_str_eq(build_flags_text(&bd), "cache lost");
    q = builds_log_query("{job=\"build\", tenant=\"{tenant}\",service=~\"{service}\"}", &bd);
    ck_assert_str_eq(q, "{job=\"build\", tenant=\"max\",service=~\"api\",project=\"cat\\\"app\"} "
                        "|= \"build_id=42\"");
    free(q);
    bd.sha = sha1;
    ck_assert_str_eq(build_short_sha(&bd, sha), "0123456");
    bd.sha = sha2;
    ck_assert_str_eq(build_short_sha(&bd, sha), "abc");
}
END_TEST

START_TEST(test_format_duration)
{
    static const struct {
        int64_t ms;
        const char *text;
    } cases[] = {
        {0, "0.0s"},        {40249, "40.2s"},   {40250, "40.3s"},  {59949, "59.9s"},
        {59999, "60.0s"},   {60000, "1m00s"},   {125400, "2m05s"}, {3599999, "59m59s"},
        {3600000, "1h00m"}, {3720000, "1h02m"}, {-5, "0.0s"},
    };
    char buf[32];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        build_format_duration(cases[i].ms, buf, sizeof(buf));
        ck_assert_str_eq(buf, cases[i].text);
    }
}
END_TEST

START_TEST(test_list_selector)
{
    static const char *const cases[][2] = {
        {"{job=\"build\"}", "{job=\"build\"}"},
        {"{job=\"build\",tenant=\"{tenant}\",project=\"{project}\",service=\"{service}\"}",
         "{job=\"build\"}"},
        {"{ tenant=\"{tenant}\" , job=\"ci\" }", "{job=\"ci\"}"},
        {"{service=\"{service}\"}", "{tenant=~\".+\"}"},
        {"{job=\"a,{b}\",app=\"x\\\"y\"}", "{job=\"a,{b}\",app=\"x\\\"y\"}"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *q = builds_list_selector(cases[i][0]);

        ck_assert_str_eq(q, cases[i][1]);
        free(q);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("builds");
    TCase *tc = tcase_create("builds");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_story_in_order);
    tcase_add_test(tc, test_story_shuffled_batches);
    tcase_add_test(tc, test_running_then_ends);
    tcase_add_test(tc, test_failed);
    tcase_add_test(tc, test_over_target_each_cache);
    tcase_add_test(tc, test_cache_lost_within_24h);
    tcase_add_test(tc, test_cache_lost_outside_24h);
    tcase_add_test(tc, test_cache_lost_other_service);
    tcase_add_test(tc, test_cache_lost_previous_failed);
    tcase_add_test(tc, test_cache_lost_late_history);
    tcase_add_test(tc, test_window);
    tcase_add_test(tc, test_malformed_lines);
    tcase_add_test(tc, test_bad_cache);
    tcase_add_test(tc, test_logfmt_quotes);
    tcase_add_test(tc, test_duration_precision);
    tcase_add_test(tc, test_second_end);
    tcase_add_test(tc, test_cap_drops_oldest);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_log_query);
    tcase_add_test(tc, test_format_duration);
    tcase_add_test(tc, test_list_selector);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
