/* SPDX-License-Identifier: MIT */
/* paths.c - XDG directories, database and platform file locations, path helpers */
#include "config.h"

#include "opsdeck/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

#define APP_DIR "opsdeck"

/*
 * Path helpers
 */

/* Appends the segments of p to the stack in sb (an absolute path being
 * built), resolving "." and ".." lexically. */
static void
push_segments(struct strbuf *sb, const char *p)
{
    while (*p) {
        const char *end;
        size_t n;

        while (*p == '/')
            p++;
        end = strchr(p, '/');
        n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0)
            break;
        if (n == 1 && p[0] == '.') {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(sb->buf ? sb->buf : "", '/');

            if (slash)
                sb->len = (size_t)(slash - sb->buf);
            if (sb->buf)
                sb->buf[sb->len] = '\0';
        } else {
            strbuf_putc(sb, '/');
            strbuf_append(sb, p, n);
        }
        p += n;
    }
}

char *
paths_absolute(const char *base_dir, const char *p)
{
    struct strbuf sb;
    char cwd[PATH_MAX];

    strbuf_init(&sb);
    if (p[0] != '/') {
        const char *base = base_dir;

        if (!base)
            base = getcwd(cwd, sizeof(cwd)) ? cwd : "/";
        if (base[0] != '/') {
            char *abs_base = paths_absolute(NULL, base);

            push_segments(&sb, abs_base);
            free(abs_base);
        } else {
            push_segments(&sb, base);
        }
    }
    push_segments(&sb, p);
    if (sb.len == 0)
        strbuf_putc(&sb, '/');
    return strbuf_detach(&sb);
}

char *
paths_dirname(const char *path)
{
    char *abs = paths_absolute(NULL, path);
    char *slash = strrchr(abs, '/');

    if (slash == abs)
        abs[1] = '\0';
    else
        *slash = '\0';
    return abs;
}

/* $HOME when set to an absolute path, else NULL. */
static const char *
home_dir(void)
{
    const char *home = getenv("HOME");

    return home && home[0] == '/' ? home : NULL;
}

char *
paths_expand_home(const char *p)
{
    const char *home;

    if (p[0] != '~')
        return xstrdup(p);
    if (p[1] != '\0' && p[1] != '/')
        return NULL;
    home = home_dir();
    if (!home)
        return NULL;
    return xasprintf("%s%s", home, p + 1);
}

/*
 * XDG
 */

/* $var/opsdeck when var is absolute, else $HOME/fallback/opsdeck. */
static enum status
xdg_dir(const char *var, const char *fallback, char **out)
{
    const char *v = getenv(var);
    const char *home;

    if (v && v[0] == '/') {
        char *base = paths_absolute(NULL, v);

        *out = paths_absolute(base, APP_DIR);
        free(base);
        return STATUS_OK;
    }
    home = home_dir();
    if (!home)
        return status_fail(STATUS_CONFIG,
                           "cannot place %s: HOME is not an absolute path and %s is not set to "
                           "one",
                           fallback, var);
    *out = xasprintf("%s/%s/%s", home, fallback, APP_DIR);
    return STATUS_OK;
}

void
paths_done(struct paths *p)
{
    if (!p)
        return;
    free(p->config_dir);
    free(p->cache_dir);
    free(p->state_dir);
    free(p->platform_file);
    free(p->cache_db);
    free(p->state_db);
    free(p->theme_dir);
    free(p->keymap_file);
    memset(p, 0, sizeof(*p));
}

static bool
is_regular_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

enum status
paths_resolve(const char *platform_opt, struct paths *out)
{
    enum status st;

    memset(out, 0, sizeof(*out));
    st = xdg_dir("XDG_CONFIG_HOME", ".config", &out->config_dir);
    if (st == STATUS_OK)
        st = xdg_dir("XDG_CACHE_HOME", ".cache", &out->cache_dir);
    if (st == STATUS_OK)
        st = xdg_dir("XDG_STATE_HOME", ".local/state", &out->state_dir);
    if (st != STATUS_OK) {
        paths_done(out);
        return st;
    }
    out->cache_db = xasprintf("%s/cache.db", out->cache_dir);
    out->state_db = xasprintf("%s/state.db", out->state_dir);
    out->theme_dir = xasprintf("%s/themes", out->config_dir);
    out->keymap_file = xasprintf("%s/keymap", out->config_dir);
    if (platform_opt) {
        char *expanded = paths_expand_home(platform_opt);

        out->platform_file = paths_absolute(NULL, expanded ? expanded : platform_opt);
        out->platform_explicit = true;
        free(expanded);
    } else {
        char *candidate = xasprintf("%s/platform.yml", out->config_dir);

        if (is_regular_file(candidate))
            out->platform_file = candidate;
        else
            free(candidate);
    }
    return STATUS_OK;
}

/* mkdir -p with mode 0700 for every directory it creates; existing parents
 * are left as they are (they are not ours). */
static enum status
make_missing(const char *dir)
{
    char *parent;
    enum status st;

    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return STATUS_OK;
    if (errno != ENOENT)
        return status_fail(STATUS_IO, "cannot create %s: %s", dir, strerror(errno));
    parent = paths_dirname(dir);
    st = strcmp(parent, dir) == 0 ? status_fail(STATUS_IO, "cannot create %s", dir)
                                  : make_missing(parent);
    free(parent);
    if (st != STATUS_OK)
        return st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return status_fail(STATUS_IO, "cannot create %s: %s", dir, strerror(errno));
    return STATUS_OK;
}

/* dir exists afterwards, is ours and has mode 0700. */
static enum status
ensure_dir(const char *dir)
{
    struct stat st;
    enum status rc = make_missing(dir);

    if (rc != STATUS_OK)
        return rc;
    if (stat(dir, &st) != 0)
        return status_fail(STATUS_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return status_fail(STATUS_IO, "%s exists and is not a directory", dir);
    if (st.st_uid != geteuid())
        return status_fail(STATUS_IO, "%s belongs to another user (uid %lu)", dir,
                           (unsigned long)st.st_uid);
    if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) != 0)
        return status_fail(STATUS_IO, "cannot set mode 0700 on %s: %s", dir, strerror(errno));
    return STATUS_OK;
}

enum status
paths_ensure_dirs(const struct paths *p)
{
    enum status st = ensure_dir(p->cache_dir);

    if (st == STATUS_OK)
        st = ensure_dir(p->state_dir);
    return st;
}
