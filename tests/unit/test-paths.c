/* SPDX-License-Identifier: MIT */
/* test-paths.c - XDG directories, platform discovery, 0700 directories, path helpers */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/paths.h"
#include "opsdeck/status.h"
#include "opsdeck/xalloc.h"
#include "testlib.h"

static char tmp[64];

static void
tmp_setup(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/test-paths-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    setenv("HOME", tmp, 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("XDG_STATE_HOME");
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tmp_teardown(void)
{
    nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
assert_path(const char *got, const char *fmt_rel)
{
    char *want = xasprintf("%s/%s", tmp, fmt_rel);

    ck_assert_str_eq(got, want);
    free(want);
}

static unsigned int
mode_of(const char *path)
{
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    return (unsigned int)(st.st_mode & 07777);
}

START_TEST(test_helpers)
{
    char *s;

    s = paths_absolute("/base/dir", "x/./y/../z");
    ck_assert_str_eq(s, "/base/dir/x/z");
    free(s);
    s = paths_absolute("/base/dir", "../../../up");
    ck_assert_str_eq(s, "/up");
    free(s);
    s = paths_absolute("/ignored", "//abs//path/");
    ck_assert_str_eq(s, "/abs/path");
    free(s);
    s = paths_absolute("/base", ".");
    ck_assert_str_eq(s, "/base");
    free(s);
    s = paths_absolute("/", "..");
    ck_assert_str_eq(s, "/");
    free(s);
    s = paths_dirname("/a/b/c.yml");
    ck_assert_str_eq(s, "/a/b");
    free(s);
    s = paths_dirname("/c.yml");
    ck_assert_str_eq(s, "/");
    free(s);

    setenv("HOME", "/home/op", 1);
    s = paths_expand_home("~/x/y");
    ck_assert_str_eq(s, "/home/op/x/y");
    free(s);
    s = paths_expand_home("~");
    ck_assert_str_eq(s, "/home/op");
    free(s);
    s = paths_expand_home("rel/~x");
    ck_assert_str_eq(s, "rel/~x");
    free(s);
    ck_assert_ptr_null(paths_expand_home("~op/x"));
    unsetenv("HOME");
    ck_assert_ptr_null(paths_expand_home("~/x"));
    setenv("HOME", "relative/home", 1);
    ck_assert_ptr_null(paths_expand_home("~/x"));
}
END_TEST

START_TEST(test_defaults_under_home)
{
    struct paths p;

    tmp_setup();
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    assert_path(p.config_dir, ".config/opsdeck");
    assert_path(p.cache_dir, ".cache/opsdeck");
    assert_path(p.state_dir, ".local/state/opsdeck");
    assert_path(p.cache_db, ".cache/opsdeck/cache.db");
    assert_path(p.state_db, ".local/state/opsdeck/state.db");
    assert_path(p.theme_dir, ".config/opsdeck/themes");
    assert_path(p.keymap_file, ".config/opsdeck/keymap");
    ck_assert_ptr_null(p.platform_file);
    ck_assert(!p.platform_explicit);
    paths_done(&p);
    ck_assert_ptr_null(p.config_dir);
    paths_done(NULL);
    tmp_teardown();
}
END_TEST

START_TEST(test_xdg_variables)
{
    struct paths p;
    char *v;

    tmp_setup();
    v = xasprintf("%s/cfg//", tmp);
    setenv("XDG_CONFIG_HOME", v, 1);
    free(v);
    v = xasprintf("%s/c", tmp);
    setenv("XDG_CACHE_HOME", v, 1);
    free(v);
    v = xasprintf("%s/s", tmp);
    setenv("XDG_STATE_HOME", v, 1);
    free(v);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    assert_path(p.config_dir, "cfg/opsdeck");
    assert_path(p.cache_db, "c/opsdeck/cache.db");
    assert_path(p.state_db, "s/opsdeck/state.db");
    paths_done(&p);

    /* relative and empty values are ignored, as the XDG spec says */
    setenv("XDG_CONFIG_HOME", "relative/cfg", 1);
    setenv("XDG_CACHE_HOME", "", 1);
    setenv("XDG_STATE_HOME", "./state", 1);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    assert_path(p.config_dir, ".config/opsdeck");
    assert_path(p.cache_dir, ".cache/opsdeck");
    assert_path(p.state_dir, ".local/state/opsdeck");
    paths_done(&p);
    tmp_teardown();
}
END_TEST

START_TEST(test_no_home)
{
    struct paths p;

    tmp_setup();
    unsetenv("HOME");
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_CONFIG);
    ck_assert_str_eq(status_text(), "cannot place .config: HOME is not an absolute path and "
                                    "XDG_CONFIG_HOME is not set to one");
    ck_assert_ptr_null(p.config_dir);
    ck_assert_ptr_null(p.cache_dir);
    setenv("HOME", "not/absolute", 1);
    setenv("XDG_CONFIG_HOME", "/x/config", 1);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_CONFIG);
    ck_assert_str_eq(status_text(), "cannot place .cache: HOME is not an absolute path and "
                                    "XDG_CACHE_HOME is not set to one");
    /* every XDG variable set: HOME is not needed */
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    setenv("XDG_STATE_HOME", "/x/state", 1);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    ck_assert_str_eq(p.state_db, "/x/state/opsdeck/state.db");
    paths_done(&p);
    tmp_teardown();
}
END_TEST

START_TEST(test_platform_discovery)
{
    struct paths p;
    char *path, cwd[4096];
    FILE *f;

    tmp_setup();
    /* found in the config dir only when it exists */
    path = xasprintf("%s/.config/opsdeck/platform.yml", tmp);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    ck_assert_ptr_null(p.platform_file);
    paths_done(&p);
    {
        char *dir = xasprintf("%s/.config", tmp);

        mkdir(dir, 0700);
        free(dir);
        dir = xasprintf("%s/.config/opsdeck", tmp);
        mkdir(dir, 0700);
        free(dir);
    }
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("name: x\n", f);
    fclose(f);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    ck_assert_str_eq(p.platform_file, path);
    ck_assert(!p.platform_explicit);
    paths_done(&p);

    /* --platform wins, made absolute against the working directory, never checked here */
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(tmp), 0);
    ck_assert_int_eq(paths_resolve("defs/../other.yml", &p), STATUS_OK);
    ck_assert_int_eq(chdir(cwd), 0);
    assert_path(p.platform_file, "other.yml");
    ck_assert(p.platform_explicit);
    paths_done(&p);
    ck_assert_int_eq(paths_resolve("~/mine.yml", &p), STATUS_OK);
    assert_path(p.platform_file, "mine.yml");
    paths_done(&p);
    free(path);
    tmp_teardown();
}
END_TEST

START_TEST(test_ensure_dirs)
{
    struct paths p;
    char *dir, *parent;
    FILE *f;

    tmp_setup();
    umask(022);
    ck_assert_int_eq(paths_resolve(NULL, &p), STATUS_OK);
    /* an existing parent keeps its mode; missing ones are made 0700 */
    parent = xasprintf("%s/.cache", tmp);
    ck_assert_int_eq(mkdir(parent, 0755), 0);
    ck_assert_int_eq(paths_ensure_dirs(&p), STATUS_OK);
    ck_assert_uint_eq(mode_of(p.cache_dir), 0700);
    ck_assert_uint_eq(mode_of(p.state_dir), 0700);
    ck_assert_uint_eq(mode_of(parent), 0755);
    dir = xasprintf("%s/.local", tmp);
    ck_assert_uint_eq(mode_of(dir), 0700);
    free(dir);
    /* again: nothing to do */
    ck_assert_int_eq(paths_ensure_dirs(&p), STATUS_OK);
    /* a directory opened up is tightened */
    ck_assert_int_eq(chmod(p.cache_dir, 0775), 0);
    ck_assert_int_eq(chmod(p.state_dir, 0707), 0);
    ck_assert_int_eq(paths_ensure_dirs(&p), STATUS_OK);
    ck_assert_uint_eq(mode_of(p.cache_dir), 0700);
    ck_assert_uint_eq(mode_of(p.state_dir), 0700);
    /* a file in the way */
    ck_assert_int_eq(rmdir(p.cache_dir), 0);
    f = fopen(p.cache_dir, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(paths_ensure_dirs(&p), STATUS_IO);
    dir = xasprintf("%s exists and is not a directory", p.cache_dir);
    ck_assert_str_eq(status_text(), dir);
    free(dir);
    ck_assert_int_eq(unlink(p.cache_dir), 0);
    /* someone else's directory (only root can stage that) */
    if (geteuid() == 0) {
        ck_assert_int_eq(mkdir(p.cache_dir, 0700), 0);
        ck_assert_int_eq(chown(p.cache_dir, 65534, 65534), 0);
        ck_assert_int_eq(paths_ensure_dirs(&p), STATUS_IO);
        dir = xasprintf("%s belongs to another user (uid 65534)", p.cache_dir);
        ck_assert_str_eq(status_text(), dir);
        free(dir);
    }
    free(parent);
    paths_done(&p);
    tmp_teardown();
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("paths");

    tcase_add_test(tc, test_helpers);
    tcase_add_test(tc, test_defaults_under_home);
    tcase_add_test(tc, test_xdg_variables);
    tcase_add_test(tc, test_no_home);
    tcase_add_test(tc, test_platform_discovery);
    tcase_add_test(tc, test_ensure_dirs);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
