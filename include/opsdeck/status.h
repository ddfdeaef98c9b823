/* SPDX-License-Identifier: MIT */
/* status.h - result codes and the text of the last failure */
#ifndef OPSDECK_STATUS_H
#define OPSDECK_STATUS_H

#include "opsdeck/macros.h"

/*
 * Functions that can fail return enum status and deliver results through
 * out-parameters. The detail of a synchronous failure is recorded with
 * status_fail() and read with status_text() (one buffer per thread).
 *
 * To add a code: one line here; status_message() picks it up.
 */
#define STATUS_INFO(_)                                   \
    _(OK, "")                                            \
    _(NOMEM, "Out of memory")                            \
    _(IO, "I/O error")                                   \
    _(HTTP, "HTTP error")                                \
    _(JSON, "Malformed reply")                           \
    _(YAML, "Malformed YAML")                            \
    _(CONFIG, "Bad configuration")                       \
    _(AUTH, "Authentication failed")                     \
    _(FORBIDDEN, "Forbidden")                            \
    _(NOTFOUND, "Not found")                             \
    _(TLS, "TLS error")                                  \
    _(TIMEOUT, "Timed out")                              \
    _(UNREACHABLE, "Unreachable")                        \
    _(EXPIRED, "Expired")                                \
    _(TOOLARGE, "Too large")                             \
    _(CANCELLED, "Cancelled")                            \
    _(DB, "Database error")                              \
    _(CORRUPT, "Damaged data")                           \
    _(EXEC, "Credential plugin failed")                  \
    _(USAGE, "Usage error")                              \
    _(INVALID, "Invalid value")

#define STATUS_ENUM(name, msg) STATUS_##name,
enum status { STATUS_INFO(STATUS_ENUM) STATUS_COUNT };
#undef STATUS_ENUM

/* Fixed text for a code ("Malformed reply"). Never NULL. */
const char *status_message(enum status code);

/* Records a formatted detail for `code` and returns `code`, so callers write
 * `return status_fail(STATUS_CONFIG, "%s:%d: unknown key %s", ...)`. */
enum status status_fail(enum status code, const char *fmt, ...) ATTR_FORMAT(2, 3);

/* The detail recorded by the last status_fail() on this thread, or the
 * code's message when none was recorded since status_clear(). Borrowed;
 * valid until the next status_fail() on this thread. */
const char *status_text(void);

/* Forgets the recorded detail. */
void status_clear(void);

#endif /* OPSDECK_STATUS_H */
