/* SPDX-License-Identifier: MIT */
/* logring.c - a double-ended ring of log lines bounded in bytes and lines */
#include "config.h"

#include "opsdeck/logring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/hmap.h"
#include "opsdeck/logline.h"
#include "opsdeck/status.h"
#include "opsdeck/xalloc.h"

/* What one line costs beyond its bytes: the allocator's header and the NUL. */
#define LINE_OVERHEAD 17

struct slot {
    int64_t ts_ns;
    char *line; /* owned, NUL-terminated */
    uint32_t len;
    uint32_t stream;
    uint8_t format;
    uint8_t level;
};

struct stream {
    char *labels; /* owned */
    unsigned colour;
};

struct logring {
    size_t max_bytes;
    size_t max_lines;
    struct slot *slots; /* circular; cap is a power of two */
    size_t cap;
    size_t head;        /* index of the first entry */
    size_t len;
    int64_t first_seq;
    size_t bytes;
    uint64_t generation;
    uint64_t dropped_top;
    uint64_t dropped_bottom;
    struct stream *streams;
    size_t nstreams;
    size_t streams_cap;
    struct hmap stream_ids; /* labels -> id + 1 (as a pointer-sized integer) */
};

struct logring *
logring_new(const struct logring_opts *opts)
{
    struct logring *r = xcalloc(1, sizeof(*r));

    r->max_bytes = opts && opts->max_bytes ? opts->max_bytes : LOGRING_DEFAULT_BYTES;
    r->max_lines = opts ? opts->max_lines : 0;
    hmap_init(&r->stream_ids);
    return r;
}

static size_t
charge(size_t len)
{
    return len + LINE_OVERHEAD + sizeof(struct slot);
}

static struct slot *
slot_at(const struct logring *r, size_t i)
{
    return &r->slots[(r->head + i) & (r->cap - 1)];
}

static void
drop_entries(struct logring *r)
{
    for (size_t i = 0; i < r->len; i++)
        free(slot_at(r, i)->line);
    r->len = 0;
    r->head = 0;
    r->bytes = 0;
}

void
logring_free(struct logring *r)
{
    if (!r)
        return;
    drop_entries(r);
    free(r->slots);
    for (size_t i = 0; i < r->nstreams; i++)
        free(r->streams[i].labels);
    free(r->streams);
    hmap_done(&r->stream_ids);
    free(r);
}

void
logring_clear(struct logring *r)
{
    drop_entries(r);
    r->first_seq = 0;
    r->generation++;
    r->dropped_top = r->dropped_bottom = 0;
}

/*
 * Streams
 */

uint32_t
logring_stream(struct logring *r, const char *labels)
{
    uintptr_t id = (uintptr_t)hmap_get(&r->stream_ids, labels);
    unsigned colour;
    bool used[LOGRING_COLOURS] = {false};

    if (id)
        return (uint32_t)(id - 1);
    /* The labels pick the colour; while some colour is still free, a stream
     * whose pick is taken moves on to the next free one, so the first few
     * streams on screen are always told apart. */
    colour = hmap_hash(labels, strlen(labels)) % LOGRING_COLOURS;
    for (size_t i = 0; i < r->nstreams; i++)
        used[r->streams[i].colour] = true;
    for (unsigned k = 0; k < LOGRING_COLOURS; k++) {
        if (!used[(colour + k) % LOGRING_COLOURS]) {
            colour = (colour + k) % LOGRING_COLOURS;
            break;
        }
    }
    if (r->nstreams == r->streams_cap) {
        r->streams_cap = r->streams_cap ? r->streams_cap * 2 : 16;
        r->streams = xrealloc(r->streams, r->streams_cap * sizeof(*r->streams));
    }
    r->streams[r->nstreams] = (struct stream){xstrdup(labels), colour};
    id = ++r->nstreams;
    hmap_put(&r->stream_ids, labels, (void *)id);
    return (uint32_t)(id - 1);
}

const char *
logring_stream_labels(const struct logring *r, uint32_t stream)
{
    return stream < r->nstreams ? r->streams[stream].labels : "";
}

unsigned
logring_stream_colour(const struct logring *r, uint32_t stream)
{
    return stream < r->nstreams ? r->streams[stream].colour : 0;
}

size_t
logring_stream_count(const struct logring *r)
{
    return r->nstreams;
}

/*
 * Entries
 */

static void
grow(struct logring *r)
{
    size_t ncap = r->cap ? r->cap * 2 : 1024;
    struct slot *ns = xmalloc(ncap * sizeof(*ns));

    for (size_t i = 0; i < r->len; i++)
        ns[i] = *slot_at(r, i);
    free(r->slots);
    r->slots = ns;
    r->cap = ncap;
    r->head = 0;
}

static bool
over_budget(const struct logring *r)
{
    return r->bytes > r->max_bytes || (r->max_lines && r->len > r->max_lines);
}

static void
drop_top(struct logring *r)
{
    struct slot *s = slot_at(r, 0);

    r->bytes -= charge(s->len);
    free(s->line);
    r->head = (r->head + 1) & (r->cap - 1);
    r->len--;
    r->first_seq++;
    r->dropped_top++;
}

static void
drop_bottom(struct logring *r)
{
    struct slot *s = slot_at(r, r->len - 1);

    r->bytes -= charge(s->len);
    free(s->line);
    r->len--;
    r->dropped_bottom++;
}

static void
fill(struct slot *s, int64_t ts_ns, uint32_t stream, const char *line, size_t len)
{
    enum logline_format fmt;
    enum logline_level level;

    /* one entry never exceeds 4 GiB; the ring's budget is far below */
    if (len > UINT32_MAX - 1)
        len = UINT32_MAX - 1;
    s->ts_ns = ts_ns;
    s->stream = stream;
    s->len = (uint32_t)len;
    s->line = xmalloc(len + 1);
    memcpy(s->line, line, len);
    s->line[len] = '\0';
    logline_sniff(line, len, &fmt, &level);
    s->format = (uint8_t)fmt;
    s->level = (uint8_t)level;
}

int64_t
logring_append(struct logring *r, int64_t ts_ns, uint32_t stream, const char *line, size_t len)
{
    struct slot *s;

    if (r->len == r->cap)
        grow(r);
    s = &r->slots[(r->head + r->len) & (r->cap - 1)];
    fill(s, ts_ns, stream, line, len);
    r->len++;
    r->bytes += charge(s->len);
    while (r->len > 1 && over_budget(r))
        drop_top(r);
    return r->first_seq + (int64_t)r->len - 1;
}

int64_t
logring_prepend(struct logring *r, int64_t ts_ns, uint32_t stream, const char *line,
                size_t len)
{
    struct slot *s;

    if (r->len == r->cap)
        grow(r);
    r->head = (r->head + r->cap - 1) & (r->cap - 1);
    s = &r->slots[r->head];
    fill(s, ts_ns, stream, line, len);
    r->len++;
    r->first_seq--;
    r->bytes += charge(s->len);
    while (r->len > 1 && over_budget(r))
        drop_bottom(r);
    return r->first_seq;
}

bool
logring_get(const struct logring *r, int64_t seq, struct logring_entry *e)
{
    const struct slot *s;

    if (seq < r->first_seq || seq >= r->first_seq + (int64_t)r->len)
        return false;
    s = slot_at(r, (size_t)(seq - r->first_seq));
    e->seq = seq;
    e->ts_ns = s->ts_ns;
    e->stream = s->stream;
    e->format = s->format;
    e->level = s->level;
    e->line = s->line;
    e->len = s->len;
    return true;
}

int64_t
logring_first(const struct logring *r)
{
    return r->first_seq;
}

int64_t
logring_end(const struct logring *r)
{
    return r->first_seq + (int64_t)r->len;
}

size_t
logring_len(const struct logring *r)
{
    return r->len;
}

size_t
logring_bytes(const struct logring *r)
{
    return r->bytes;
}

uint64_t
logring_generation(const struct logring *r)
{
    return r->generation;
}

uint64_t
logring_dropped_top(const struct logring *r)
{
    return r->dropped_top;
}

uint64_t
logring_dropped_bottom(const struct logring *r)
{
    return r->dropped_bottom;
}

/*
 * Saving
 */

static bool
write_entry(FILE *f, const struct logring_entry *e)
{
    char ts[64];
    time_t sec = (time_t)(e->ts_ns / 1000000000);
    long ns = (long)(e->ts_ns % 1000000000);
    struct tm tm;

    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    gmtime_r(&sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    return fprintf(f, "%s.%09ldZ ", ts, ns) > 0 && fwrite(e->line, 1, e->len, f) == e->len &&
           fputc('\n', f) != EOF;
}

enum status
logring_save(const struct logring *r, const char *path, const int64_t *seqs, size_t n,
             size_t *written)
{
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    enum status st = STATUS_OK;
    size_t count = 0;
    FILE *f = NULL;
    int fd;

    fd = mkstemp(tmp);
    if (fd < 0) {
        st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
        goto out;
    }
    f = fdopen(fd, "w");
    if (!f) {
        st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (!seqs)
        n = r->len;
    for (size_t i = 0; i < n; i++) {
        struct logring_entry e;

        if (!logring_get(r, seqs ? seqs[i] : r->first_seq + (int64_t)i, &e))
            continue;
        if (!write_entry(f, &e)) {
            st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
            break;
        }
        count++;
    }
    if (fclose(f) != 0 && st == STATUS_OK)
        st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    if (st == STATUS_OK && rename(tmp, path) != 0)
        st = status_fail(STATUS_IO, "%s: %s", path, strerror(errno));
    if (st != STATUS_OK)
        unlink(tmp);
out:
    free(tmp);
    if (written)
        *written = st == STATUS_OK ? count : 0;
    return st;
}
