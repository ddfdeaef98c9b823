/* SPDX-License-Identifier: MIT */
/* paths.h - where opsdeck reads and writes (XDG), resolved once */
#ifndef OPSDECK_PATHS_H
#define OPSDECK_PATHS_H

#include <stdbool.h>

#include "opsdeck/status.h"

/*
 * $XDG_CONFIG_HOME/opsdeck (default ~/.config/opsdeck): platform.yml,
 *     themes/NAME.theme, keymap
 * $XDG_CACHE_HOME/opsdeck  (default ~/.cache/opsdeck): cache.db
 * $XDG_STATE_HOME/opsdeck  (default ~/.local/state/opsdeck): state.db
 * All strings owned.
 */
struct paths {
    char *config_dir;
    char *cache_dir;
    char *state_dir;
    char *platform_file;        /* --platform, else config_dir/platform.yml when it
                                   exists, else NULL */
    bool platform_explicit;     /* given with --platform */
    char *cache_db;
    char *state_db;
    char *theme_dir;
    char *keymap_file;
};

/*
 * Resolves every path once. XDG variables that are unset, empty or relative
 * are ignored (XDG Base Directory spec) and the defaults under $HOME used.
 * platform_opt: the --platform value or NULL; made absolute against the
 * working directory, never checked here (platform_load reports a missing
 * file). Without it, config_dir/platform.yml when that file exists.
 * Fails (STATUS_CONFIG) only when a directory is needed whose XDG variable
 * is unusable and HOME is unset, empty or relative. On failure *out is left
 * zeroed.
 */
enum status paths_resolve(const char *platform_opt, struct paths *out);
void paths_done(struct paths *p);
/*
 * Creates cache_dir and state_dir with mode 0700 (missing parents too, also
 * 0700; existing parents are left alone); an existing cache_dir or
 * state_dir with another mode (group/world access) is set to 0700.
 * Refuses (STATUS_IO) a path that is not a directory or is owned by another
 * user.
 */
enum status paths_ensure_dirs(const struct paths *p);

/*
 * Path helpers shared by the loaders; each returns a new string (caller
 * frees).
 */
/* p when absolute, else base_dir/p (base_dir NULL: the working directory);
 * "." and ".." segments and repeated slashes removed lexically. */
char *paths_absolute(const char *base_dir, const char *p);
/* The directory of path, made absolute ("/a/b.yml" -> "/a"). */
char *paths_dirname(const char *path);
/* "~" or "~/x" -> $HOME or $HOME/x; anything else copied. NULL when the
 * path starts with "~" and HOME is unusable, or with "~user". */
char *paths_expand_home(const char *p);

#endif /* OPSDECK_PATHS_H */
