/* SPDX-License-Identifier: MIT */
/* status.c - result codes and the per-thread text of the last failure */
#include "config.h"

#include "opsdeck/status.h"

#include <stdarg.h>
#include <stdio.h>

#define STATUS_TEXT(name, msg) msg,
static const char *const messages[] = { STATUS_INFO(STATUS_TEXT) };
#undef STATUS_TEXT

static _Thread_local char detail[1024];
static _Thread_local enum status detail_code;

const char *
status_message(enum status code)
{
    if ((unsigned)code >= STATUS_COUNT)
        return "Unknown error";
    return messages[code];
}

enum status
status_fail(enum status code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    detail_code = code;
    return code;
}

const char *
status_text(void)
{
    if (detail[0])
        return detail;
    return status_message(detail_code);
}

void
status_clear(void)
{
    detail[0] = '\0';
    detail_code = STATUS_OK;
}
