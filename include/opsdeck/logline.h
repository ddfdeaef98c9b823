/* SPDX-License-Identifier: MIT */
/* logline.h - the fields of a JSON or logfmt log line, and its readable form */
#ifndef OPSDECK_LOGLINE_H
#define OPSDECK_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/strbuf.h"

/*
 * A log line is whatever bytes a container wrote. Two structured shapes are
 * recognised:
 *  - JSON: one object ({"level":"info","msg":"…",…}), strictly RFC 8259
 *    (json.h); nested objects and arrays are kept as their compact raw text;
 *  - logfmt: key=value pairs separated by blanks (`level=info msg="a b"`),
 *    with Go's quoting (\" \\ \n \t escapes inside "…"); a bare key is a
 *    field with an empty value. A line is logfmt when at least two pairs
 *    parse, or one pair that is a level/msg key, and nothing is left over.
 * Anything else is plain. Nothing here trusts the bytes: any input, NULs and
 * invalid UTF-8 included, parses or falls back to plain without reading
 * outside [line, line + len); values are not sanitised (the screen does it).
 * Lines longer than LOGLINE_PARSE_MAX are plain (the pane shows a prefix).
 */
#define LOGLINE_PARSE_MAX (64 * 1024)

enum logline_format {
    LOGLINE_PLAIN,
    LOGLINE_JSON,
    LOGLINE_LOGFMT,
};

/* Severity, from the level field (level, lvl, severity, …) or, for plain
 * lines, not at all. */
enum logline_level {
    LOGLINE_LEVEL_NONE,
    LOGLINE_LEVEL_TRACE,
    LOGLINE_LEVEL_DEBUG,
    LOGLINE_LEVEL_INFO,
    LOGLINE_LEVEL_WARN,
    LOGLINE_LEVEL_ERROR,
    LOGLINE_LEVEL_FATAL,
};

/* "", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" */
const char *logline_level_name(enum logline_level level);

/* The level a value names ("warning", "E", "err", "CRITICAL", "panic", …,
 * any case); NONE when it names none. */
enum logline_level logline_level_parse(const char *s, size_t len);

struct logline_field {
    char *key;      /* decoded; owned by the logline */
    size_t key_len;
    char *value;    /* decoded (JSON strings unescaped, other JSON values raw);
                       NUL-terminated but may hold NULs: use value_len */
    size_t value_len;
};

struct logline {
    enum logline_format format;
    enum logline_level level;
    int level_field;            /* index of the level field, -1 when none */
    int msg_field;              /* index of the message field (msg, message,
                                   log, …), -1 when none */
    int ts_field;               /* index of the time field (ts, time, …), -1 */
    struct logline_field *fields; /* owned; in line order */
    size_t nfields;
};

void logline_init(struct logline *ll);
void logline_done(struct logline *ll);

/* Parses line[0, len) into ll (which it resets first; ll owns everything it
 * holds afterwards). Never fails: an unstructured line is LOGLINE_PLAIN with
 * no fields. */
void logline_parse(struct logline *ll, const char *line, size_t len);

/* The format and level of a line without keeping its fields: what the log
 * ring caches per entry. Same result as logline_parse. */
void logline_sniff(const char *line, size_t len, enum logline_format *format,
                   enum logline_level *level);

/*
 * Appends the readable form of a parsed line to out: the message first, then
 * every other field as key=value (values with blanks quoted), skipping the
 * level and time fields (the pane shows them in their own columns). Plain
 * lines append the raw line. At most max_bytes are appended (0: no limit);
 * the cut falls on a UTF-8 character boundary.
 */
void logline_format_readable(const struct logline *ll, const char *line, size_t len,
                             size_t max_bytes, struct strbuf *out);

#endif /* OPSDECK_LOGLINE_H */
