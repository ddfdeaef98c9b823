/* SPDX-License-Identifier: MIT */
/* main.c - entry point: options, then the console or a one-shot command */
#include "config.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("opsdeck %s\n", PACKAGE_VERSION);
        return 0;
    }
    fprintf(stderr, "opsdeck: under construction\n");
    return 1;
}
