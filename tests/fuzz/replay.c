/* SPDX-License-Identifier: MIT */
/* replay.c - runs a fuzz target over its committed corpus and every fixture, as a TAP test */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/*
 * Built once per target with REPLAY_DIRS, a colon-separated list of
 * directories walked recursively. Each file is one TAP case: it passes when
 * the target returns (a failed property or a sanitizer report aborts the
 * run, which the harness reports as an error after the last good case).
 */
#ifndef REPLAY_DIRS
#error "REPLAY_DIRS must name the corpus directories"
#endif

struct paths {
    char **items;
    size_t len;
    size_t cap;
};

static void
collect(struct paths *paths, const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;

    if (depth > 8 || !(d = opendir(dir)))
        return;
    while ((e = readdir(d)) != NULL) {
        char *path;
        struct stat st;
        size_t n;

        if (e->d_name[0] == '.')
            continue;
        n = strlen(dir) + strlen(e->d_name) + 2;
        path = malloc(n);
        if (!path)
            abort();
        snprintf(path, n, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0) {
            free(path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            collect(paths, path, depth + 1);
            free(path);
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (paths->len == paths->cap) {
            paths->cap = paths->cap ? 2 * paths->cap : 64;
            paths->items = realloc(paths->items, paths->cap * sizeof(char *));
            if (!paths->items)
                abort();
        }
        paths->items[paths->len++] = path;
    }
    closedir(d);
}

static int
cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        /* An exact-size copy: a read past the end trips the sanitizer. */
        buf = malloc(n ? (size_t)n : 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

int
main(void)
{
    struct paths paths = {0};
    char *dirs = strdup(REPLAY_DIRS), *save = NULL;
    int failed = 0;

    if (!dirs)
        abort();
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
        collect(&paths, dir, 0);
    if (paths.len)
        qsort(paths.items, paths.len, sizeof(char *), cmp_path);
    printf("1..%zu\n", paths.len);
    for (size_t i = 0; i < paths.len; i++) {
        size_t len = 0;
        unsigned char *data = read_file(paths.items[i], &len);
        if (!data) {
            printf("not ok %zu - %s (unreadable)\n", i + 1, paths.items[i]);
            failed = 1;
        } else {
            fflush(stdout);
            LLVMFuzzerTestOneInput(data, len);
            const char *shown = strstr(paths.items[i], "/tests/");
            printf("ok %zu - %s\n", i + 1, shown ? shown + 1 : paths.items[i]);
        }
        free(data);
        free(paths.items[i]);
    }
    free(paths.items);
    free(dirs);
    if (paths.len == 0) {
        printf("Bail out! no inputs under %s\n", REPLAY_DIRS);
        return 1;
    }
    return failed;
}
