/* SPDX-License-Identifier: MIT */
/* builds.h - builds aggregated from build-log lines (the convention: README, "Build logs") */
#ifndef OPSDECK_BUILDS_H
#define OPSDECK_BUILDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"

struct strbuf;

/*
 * The build worker writes one Loki stream per service,
 * {job="build", tenant=, project=, service=}, of logfmt lines that all carry
 * build_id= and sha=; the last line of a build carries
 * status=succeeded|failed, duration=<seconds> and cache=hit|partial|miss.
 * A struct builds is fed those entries in any order, in any number of
 * batches (range pages, newest or oldest first; follow polls), the same
 * entry possibly twice, and keeps one record per build.
 *
 * A build is identified by tenant, project, service and build_id together
 * (a worker may number builds per service). Bounded: at most `cap` builds
 * are listed after builds_update(); beyond that the oldest (by started) are
 * dropped. Lines breaking the convention are counted by kind and never
 * change a record (builds_problems()).
 */
struct builds;

enum build_status {
    BUILD_RUNNING, /* no last line yet */
    BUILD_SUCCEEDED,
    BUILD_FAILED,
};

enum build_cache {
    BUILD_CACHE_NONE, /* no last line yet, or a failed build's last line without cache= */
    BUILD_CACHE_HIT,
    BUILD_CACHE_PARTIAL,
    BUILD_CACHE_MISS,
};

/* Targets by cache result (seeds/001 §5), in seconds. */
#define BUILD_TARGET_HIT_S     5
#define BUILD_TARGET_PARTIAL_S 15
#define BUILD_TARGET_MISS_S    120
/* A build reporting cache=miss (succeeded or failed) is "cache lost" when
 * the same tenant/project/service had a build that succeeded (its last
 * line) within this window before its start: a success ending after the
 * start left no cache for it. */
#define BUILD_CACHE_LOST_WINDOW_S (24 * 3600)

struct build {
    char *id;     /* build_id=; owned by the builds */
    char *tenant; /* stream labels (a line without them is a problem) */
    char *project;
    char *service;
    char *sha;           /* sha= of the earliest line that has one; "" if none */
    int64_t started_ns;  /* timestamp of the earliest line */
    int64_t ended_ns;    /* timestamp of the last line; 0 while running */
    int64_t duration_ms; /* duration= of the last line; while running, now - started
                            (as of builds_update) */
    enum build_status status;
    enum build_cache cache;
    int target_s;     /* by cache result; while running the largest target (a
                         running build past 120 s is over whatever it reports);
                         0 for a failed build without cache= */
    bool over_target; /* duration > target (target_s > 0) */
    bool cache_lost;  /* see BUILD_CACHE_LOST_WINDOW_S */
    size_t lines;     /* entries fed for it (duplicates included) */
};

/* Kinds of lines that break the convention. To add one: a line here. */
#define BUILDS_PROBLEM_INFO(_)                                                                     \
    _(NO_LABELS, "stream without tenant/project/service labels")                                   \
    _(BAD_LOGFMT, "not logfmt (unterminated quote or empty key)")                                  \
    _(NO_BUILD_ID, "no build_id")                                                                  \
    _(NO_SHA, "no sha")                                                                            \
    _(BAD_STATUS, "unknown status")                                                                \
    _(BAD_DURATION, "missing or bad duration")                                                     \
    _(BAD_CACHE, "missing or unknown cache")                                                       \
    _(SECOND_END, "a second, different last line for a build")

#define BUILDS_PROBLEM_ENUM(name, text) BUILDS_PROBLEM_##name,
enum builds_problem { BUILDS_PROBLEM_INFO(BUILDS_PROBLEM_ENUM) BUILDS_PROBLEM_COUNT };
#undef BUILDS_PROBLEM_ENUM

/* "no build_id", … Never NULL. */
const char *builds_problem_name(enum builds_problem p);

/* cap 0: BUILDS_DEFAULT_CAP. Never NULL. */
#define BUILDS_DEFAULT_CAP 5000
struct builds *builds_new(size_t cap);
/* NULL is a no-op. */
void builds_free(struct builds *b);

/*
 * Builds that started before from_ns are history: fed like the others
 * (a fetch may ask for the 24 h before its range, only the last lines, so
 * that "cache lost" is right at the range's start), used for cache_lost,
 * never listed. 0 (the default): everything is listed.
 */
void builds_set_window(struct builds *b, int64_t from_ns);

/*
 * Feeds one log entry of the stream {tenant=, project=, service=} (its
 * labels; NULL or "" makes the line a NO_LABELS problem). line: len bytes,
 * need not be NUL-terminated. Everything is borrowed. Never fails: a line
 * that breaks the convention is counted. Records and their order are
 * current only after builds_update().
 */
void builds_add(struct builds *b, const char *tenant, const char *project, const char *service,
                int64_t ts_ns, const char *line, size_t len);

/* Drops everything fed, problems included; the window stays. */
void builds_clear(struct builds *b);

/*
 * Recomputes what depends on the other builds or on the time (running
 * durations, targets, over_target, cache_lost), trims to the cap and sorts
 * the listed builds by started (then tenant, project, service, id).
 */
void builds_update(struct builds *b, int64_t now_ns);

/* Listed builds, oldest first. Borrowed until the next add/clear/update. */
size_t builds_count(const struct builds *b);
const struct build *builds_at(const struct builds *b, size_t i);
/* Running builds listed (follow mode keeps polling while there are any). */
size_t builds_running(const struct builds *b);
/* Changes with every add that changed a record and with every update that
 * changed a derived field: a pane redraws when it moved. */
uint64_t builds_generation(const struct builds *b);

/* Lines of each kind that broke the convention (counted, not kept). */
size_t builds_problems(const struct builds *b, enum builds_problem p);
size_t builds_problems_total(const struct builds *b);
/* The last such line, "no build_id: level=info msg=…" (its first 120 bytes,
 * control characters as '?'); "" when none. Borrowed until the next add. */
const char *builds_problem_last(const struct builds *b);

/* "succeeded", "failed", "running" */
const char *build_status_name(enum build_status s);
/* "hit", "partial", "miss", "" */
const char *build_cache_name(enum build_cache c);
/* A duration for people: "0.4s", "40.2s" under a minute, "2m05s", "1h02m". */
void build_format_duration(int64_t ms, char *buf, size_t size);
/* "over target", "cache lost", "over target, cache lost" or "". */
const char *build_flags_text(const struct build *bd);
/* The first 7 characters of the sha (or the whole when shorter). Borrowed. */
const char *build_short_sha(const struct build *bd, char buf[static 8]);

/*
 * Appends the listed builds as a JSON array, oldest first: build_id,
 * service, tenant, project, sha, status, started (RFC 3339, UTC), ended
 * (RFC 3339 or null), duration_s (a number, milliseconds precision),
 * cache (null while unknown), target_s (null while unknown), over_target,
 * cache_lost. pretty: two-space indentation, one build per block.
 */
void builds_write_json(const struct builds *b, struct strbuf *out, bool pretty);

/*
 * The platform's build_log_selector may name one service's builds with the
 * placeholders {tenant}, {project} and {service}
 * ({job="build",tenant="{tenant}"} …; README, conventions).
 *
 * builds_list_selector: the selector of every build: each matcher whose
 * value holds a placeholder is left out ({job="build"}); when none is left,
 * {tenant=~".+"}. builds_log_query: the LogQL of one build: the
 * placeholders filled in (quoted), tenant, project and service matchers
 * added for the labels without a placeholder, then |= "build_id=<id>".
 * Both return a new string (caller frees). selector must be a stream
 * selector "{…}" (the platform checks it).
 */
char *builds_list_selector(const char *selector);
char *builds_log_query(const char *selector, const struct build *bd);

/*
 * Fetching through the Loki client (loki.h). A fetch fills a struct builds
 * with the build-log lines of [since, until): the range is read newest page
 * first (the pane fills from the top), and at the same time the 24 h
 * before `since` for the last lines of successful builds only (the history
 * "cache lost" needs, builds_set_window()). With follow, once the range is
 * read, new lines are polled for (loki_follow) so running builds stay live.
 * After every batch the builds are updated (builds_update with the wall
 * clock) and cb is told.
 */
struct loki;
struct builds_fetch;

struct builds_fetch_opts {
    const char *selector; /* the platform's build_log_selector (placeholders allowed:
                             builds_list_selector() makes it select every build); copied */
    int64_t since_ns;     /* range start, inclusive */
    int64_t until_ns;     /* range end, exclusive; 0: now */
    bool follow;          /* then poll for new lines from until_ns */
    int interval_ms;      /* follow polls; 0: the client's default */
    bool use_cache;       /* read the log cache when Loki is unreachable */
};

enum builds_fetch_phase {
    BUILDS_FETCH_LOADING,   /* pages of the range still coming */
    BUILDS_FETCH_DONE,      /* the range is read (and not following) */
    BUILDS_FETCH_FOLLOWING, /* the range is read; polling for new lines */
    BUILDS_FETCH_FAILED,    /* the range could not be read: error says why */
};

struct builds_fetch_status {
    enum builds_fetch_phase phase;
    enum status st;     /* of the range fetch, or of the last follow poll */
    char error[512];    /* the Loki client's one line ("Loki: 400 parse error …");
                           while following, the last poll's failure ("" once a poll
                           works again) */
    char warning[256];  /* the client's warning, or "" */
    unsigned pages;     /* pages of the range read so far */
    size_t entries;     /* entries fed so far (range, history and follow) */
    bool cached;        /* the range came from the log cache */
    int64_t fetched_at; /* ... fetched then (wall clock, s) */
};
typedef void (*builds_fetch_cb)(void *arg, const struct builds_fetch_status *st);

/* l and b are borrowed and must outlive the fetch; b's window becomes
 * since_ns. The requests are sent at once; cb runs from the loop, never
 * inside builds_fetch_new. Never NULL. */
struct builds_fetch *builds_fetch_new(struct loki *l, struct builds *b,
                                      const struct builds_fetch_opts *opts, builds_fetch_cb cb,
                                      void *arg);
/* Stops everything (no callbacks afterwards). NULL is a no-op. Safe from
 * inside cb. */
void builds_fetch_free(struct builds_fetch *f);
const struct builds_fetch_status *builds_fetch_status(const struct builds_fetch *f);

#endif /* OPSDECK_BUILDS_H */
