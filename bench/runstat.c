/* SPDX-License-Identifier: MIT */
/* runstat.c - run a command, then print its wall time, peak RSS and CPU time (bench/run.sh) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: runstat OUTFILE COMMAND [ARG...]
 *
 * Runs COMMAND (stdin, stdout and stderr inherited) and writes one line to
 * OUTFILE: "wall_s maxrss_kib user_s sys_s status". The peak RSS comes from
 * wait4's rusage of the child. A benchmark driver cannot read it from its
 * own wait: Linux keeps the RSS the child had before exec (a copy of the
 * driver) in ru_maxrss, and a Python driver is larger than curl. This
 * process is small, so the figure is the command's own. Exits with the
 * command's status (128 + signal when killed, 127 when it cannot run).
 */

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
    struct rusage ru;
    double t0, wall;
    int st, rc;
    pid_t pid;
    FILE *out;

    if (argc < 3) {
        fprintf(stderr, "usage: runstat OUTFILE COMMAND [ARG...]\n");
        return 2;
    }
    t0 = now_s();
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
        return 127;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "runstat: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &st, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "runstat: wait4: %s\n", strerror(errno));
            return 127;
        }
    }
    wall = now_s() - t0;
    rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    out = fopen(argv[1], "w");
    if (!out) {
        fprintf(stderr, "runstat: %s: %s\n", argv[1], strerror(errno));
        return 127;
    }
    fprintf(out, "%.6f %ld %.6f %.6f %d\n", wall, ru.ru_maxrss, tv_s(ru.ru_utime),
            tv_s(ru.ru_stime), rc);
    if (fclose(out) != 0) {
        fprintf(stderr, "runstat: %s: %s\n", argv[1], strerror(errno));
        return 127;
    }
    return rc;
}
