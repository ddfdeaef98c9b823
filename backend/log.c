/* SPDX-License-Identifier: MIT */
/* log.c - the debug log file (--log FILE) */
#include "config.h"

#include "opsdeck/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/status.h"

static FILE *log_file;
static enum log_level log_min = LOG_LEVEL_DEBUG;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

bool
log_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    FILE *f;

    if (fd < 0) {
        status_fail(STATUS_IO, "%s: cannot open log: %s", path, strerror(errno));
        return false;
    }
    f = fdopen(fd, "a");
    if (!f) {
        status_fail(STATUS_IO, "%s: cannot open log: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = f;
    pthread_mutex_unlock(&log_lock);
    return true;
}

void
log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    pthread_mutex_unlock(&log_lock);
}

bool
log_enabled(void)
{
    return log_file != NULL;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    char msg[2048];
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;

    if (!log_file || level < log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* The log is read in a terminal too: no control characters in it. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fprintf(log_file, "%s.%03ldZ %s %s\n", stamp, ts.tv_nsec / 1000000,
                level_names[level], msg);
    pthread_mutex_unlock(&log_lock);
}
