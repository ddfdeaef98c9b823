/* SPDX-License-Identifier: MIT */
/* testlib.h - shared glue for the Check unit tests (TAP output, fixtures) */
#ifndef OPSDECK_TESTLIB_H
#define OPSDECK_TESTLIB_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads tests/fixtures/<rel> into a new NUL-terminated buffer; aborts the
 * test when the file is missing. */
static inline char *
fixture_read(const char *rel, size_t *len)
{
    char path[1024];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", TEST_FIXTURES, rel);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "missing fixture %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    ck_assert_msg(fread(buf, 1, (size_t)n, f) == (size_t)n, "short read %s", path);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Runs the suite with TAP on stdout (every test case is counted by the
 * harness); the exit status is the number of failures, capped. */
static inline int
run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif /* OPSDECK_TESTLIB_H */
