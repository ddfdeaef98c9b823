/* SPDX-License-Identifier: MIT */
/* app.h - the console: panes over a live session, in the one poll loop */
#ifndef OPSDECK_APP_H
#define OPSDECK_APP_H

#include <stdbool.h>

struct setup;

struct console_opts {
    bool no_color;              /* --no-color (NO_COLOR in the environment does the same) */
    bool utc;                   /* --utc: times in UTC (also the platform's console.utc) */
    int refresh_s;              /* --refresh; 0: the platform's console.refresh */
    const char *theme;          /* --theme NAME|FILE, or NULL */
    long iterations;            /* --iterations N: N loop passes then exit; 0 = run */
};

/* Runs the console until the operator quits, the terminal goes away or
 * SIGHUP/SIGTERM arrive; returns the exit status. */
int console_run(struct setup *s, const struct console_opts *opts);

#endif /* OPSDECK_APP_H */
