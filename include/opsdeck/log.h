/* SPDX-License-Identifier: MIT */
/* log.h - the debug log: a file chosen with --log, never the screen */
#ifndef OPSDECK_LOG_H
#define OPSDECK_LOG_H

#include <stdbool.h>

#include "opsdeck/macros.h"

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Opens (appends to) path, mode 0600. Without a log every call is a no-op.
 * Returns false with status_text() set when the file cannot be opened. */
bool log_open(const char *path);
void log_close(void);
bool log_enabled(void);
/* Thread-safe; one line per call, prefixed with a timestamp and the level.
 * Control characters in the message are escaped. */
void log_msg(enum log_level level, const char *fmt, ...) ATTR_FORMAT(2, 3);

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif /* OPSDECK_LOG_H */
