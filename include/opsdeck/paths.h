/* SPDX-License-Identifier: MIT */
/* paths.h - where opsdeck reads and writes (XDG), resolved once */
#ifndef OPSDECK_PATHS_H
#define OPSDECK_PATHS_H

#include <stdbool.h>

#include "opsdeck/status.h"

/*
 * $XDG_CONFIG_HOME/opsdeck (default ~/.config/opsdeck): platform.yml,
 *     themes/*.theme, keymap
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

/* platform_opt: the --platform value or NULL. Fails only without HOME and
 * without the XDG variables. */
enum status paths_resolve(const char *platform_opt, struct paths *out);
void paths_done(struct paths *p);
/* Creates cache_dir and state_dir with mode 0700 (parents too); tightens
 * existing ones that are group/world accessible. */
enum status paths_ensure_dirs(const struct paths *p);

#endif /* OPSDECK_PATHS_H */
