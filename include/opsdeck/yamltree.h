/* SPDX-License-Identifier: MIT */
/* yamltree.h - YAML files as small trees with line numbers, and strict typed getters */
#ifndef OPSDECK_YAMLTREE_H
#define OPSDECK_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "opsdeck/macros.h"
#include "opsdeck/status.h"

/*
 * A YAML stream (every document of it) read into scalars, sequences and
 * mappings. Every node knows its file, line and column, and its key path
 * from the document root ("clusters[1].cluster.server"), so each error can
 * say `file:line: key: what is wrong`. backend/yamltree.c is the only file
 * that includes <yaml.h>.
 *
 * Reading rules (the same for kubeconfigs and the platform definition):
 *  - Anchors and aliases are resolved: an alias becomes a deep copy of the
 *    anchored node (lines point at the anchor's text). An alias to a node
 *    that encloses it is refused. Copies count against max_nodes, so a
 *    "billion laughs" file fails with STATUS_TOOLARGE instead of exploding.
 *  - The YAML 1.1 merge key `<<` (a mapping or a sequence of mappings) is
 *    applied: keys written in the mapping win, then earlier merge sources.
 *  - Mapping keys are scalars; a complex key or a key written twice in one
 *    mapping is an error (YAML requires unique keys; libyaml does not check).
 *  - Null: a plain scalar "", "~", "null", "Null" or "NULL". The getters
 *    treat a null value like an absent key.
 *  - Booleans are the YAML 1.1 set that kubectl's reader (go-yaml v2)
 *    accepts, plain scalars only: true/false, yes/no, on/off, y/n, each as
 *    lower, Capitalised or UPPER case. A quoted "true" is a string.
 *  - Integers: plain decimal scalars with an optional sign; range-checked.
 *  - Strings: any scalar (kubectl's reader turns `token: 123` into "123"),
 *    except one holding a NUL byte.
 *  - An explicit !!str tag makes a plain scalar a string.
 */

enum ynode_type { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING };

struct ynode;

struct ypair {
    struct ynode *key;          /* always a scalar */
    struct ynode *value;
};

struct ynode {
    enum ynode_type type;
    int line;                   /* 1-based line where the node starts */
    int column;                 /* 1-based */
    const char *file;           /* borrowed from the tree: the name for messages */
    const struct ynode *parent; /* NULL for a document root */
    const char *key;            /* in a mapping: its key (borrowed; a key node has its own
                                   text here); else NULL */
    size_t index;               /* in a sequence: its position */
    /* YNODE_SCALAR */
    char *scalar;               /* owned, NUL-terminated (len bytes before the NUL) */
    size_t len;
    bool plain;                 /* unquoted and untagged: may be null, bool or int */
    /* YNODE_SEQUENCE */
    struct ynode **items;       /* owned */
    size_t nitems;
    /* YNODE_MAPPING, in file order (merged keys last) */
    struct ypair *pairs;        /* owned */
    size_t npairs;
};

struct yamltree {
    char *file;                 /* the name used in messages (owned) */
    struct ynode **docs;        /* one root per document, owned; none for an empty stream */
    size_t ndocs;
};

/* Bounds; a zero field takes the default. */
struct yamltree_limits {
    size_t max_bytes;           /* input size; default 16 MiB */
    size_t max_depth;           /* nesting of sequences and mappings; default 64 */
    size_t max_nodes;           /* nodes incl. alias copies; default 250,000 */
};

/*
 * Parses path. Failures: STATUS_IO (cannot open or read: "path: reason"),
 * STATUS_TOOLARGE (a bound above), STATUS_YAML (syntax, with file:line:col,
 * or a structural rule above with file:line). lim may be NULL. On success
 * *out is a new tree (caller frees with yamltree_free).
 */
enum status yamltree_parse_file(const char *path, const struct yamltree_limits *lim,
                                struct yamltree **out);
/* The same over a buffer; name is used in messages. */
enum status yamltree_parse_buffer(const char *name, const void *buf, size_t len,
                                  const struct yamltree_limits *lim, struct yamltree **out);
void yamltree_free(struct yamltree *tree);

/*
 * Nodes
 */

/* The value of key in a mapping, or NULL (absent, or map is not a mapping). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* The key node itself (for errors about the key rather than its value:
 * its line is the key's, its path ends with the key), or NULL. */
const struct ynode *ynode_get_key(const struct ynode *map, const char *key);
bool ynode_is_null(const struct ynode *n);
/* "a mapping", "a sequence", "null", "a string", "a boolean", "an integer". */
const char *ynode_kind(const struct ynode *n);
/* The key path from the document root: "clusters[1].cluster.server";
 * "" for a root. New string; caller frees. */
char *ynode_path(const struct ynode *n);

/*
 * Records "file:line: path: message" as a STATUS_CONFIG failure and returns
 * STATUS_CONFIG (without the path part for a root).
 */
enum status ynode_fail(const struct ynode *n, const char *fmt, ...) ATTR_FORMAT(2, 3);

/* Type checks: "file:line: path: expected a mapping, got a sequence". */
enum status ynode_expect_map(const struct ynode *n);
enum status ynode_expect_seq(const struct ynode *n);

/*
 * Typed reads of one node, failing with "file:line: path: expected a
 * boolean, got a mapping" and the like. ynode_string gives NULL for a null
 * node; the string is borrowed from the tree. ynode_int fails outside
 * [min, max] with the range in the message.
 */
enum status ynode_string(const struct ynode *n, const char **out);
enum status ynode_bool(const struct ynode *n, bool *out);
enum status ynode_int(const struct ynode *n, long long min, long long max, long long *out);

/*
 * Reads of one key of a mapping; an absent or null key leaves *dst as it is.
 * ynode_get_string replaces *dst with a new string (the old one is freed).
 */
enum status ynode_get_string(const struct ynode *map, const char *key, char **dst);
enum status ynode_get_bool(const struct ynode *map, const char *key, bool *dst);
enum status ynode_get_int(const struct ynode *map, const char *key, long long min, long long max,
                          long long *dst);

/*
 * Strictness: every key of map must be in allowed (NULL-terminated).
 * Otherwise: "file:line: path.key: unknown key" plus "(did you mean
 * `readonly`?)" when one allowed key is within two edits.
 */
enum status ynode_check_keys(const struct ynode *map, const char *const *allowed);

#endif /* OPSDECK_YAMLTREE_H */
