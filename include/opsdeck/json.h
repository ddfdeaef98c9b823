/* SPDX-License-Identifier: MIT */
/* json.h - zero-copy JSON tokenizer, accessors and a writer */
#ifndef OPSDECK_JSON_H
#define OPSDECK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/status.h"
#include "opsdeck/strbuf.h"

/*
 * json_parse() validates a whole document (RFC 8259, depth <= JSON_MAX_DEPTH)
 * and records it as a flat array of tokens in document order; nothing is
 * copied or allocated per value, which is what makes a 20,000-pod list cheap.
 * Token 0 is the root. A token's subtree ends just before toks[t].end, so a
 * whole value is skipped in O(1). Object members are key token, value token.
 *
 * Numbers stay text (resourceVersions, quantities and nanosecond timestamps
 * must not pass through a double); ask for them with json_int64/json_double.
 * The source buffer is borrowed and must outlive every use of the doc.
 *
 * Validation is strict RFC 8259: no trailing commas, leading zeros, bare
 * words, comments, byte order mark, single quotes or unescaped control
 * characters; escapes must be well formed. Invalid UTF-8 (overlongs, encoded
 * surrogates, above U+10FFFF, truncated sequences) is REJECTED, not
 * replaced: Kubernetes, Loki and Prometheus (Go) never send it. A lone
 * surrogate escape ("\ud800") is grammatical JSON and is accepted; it reads
 * as U+FFFD. Duplicate keys are kept; json_get finds the first.
 */
#define JSON_MAX_DEPTH 512
#define JSON_NONE      UINT32_MAX

enum json_type {
    JSON_INVALID = 0,
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_tok {
    uint32_t start;  /* byte offset; strings: first byte after the quote */
    uint32_t len;    /* bytes; strings: raw (escaped) length without quotes */
    uint32_t end;    /* index of the first token after this subtree */
    uint32_t size;   /* arrays: elements; objects: members; else 0 */
    uint8_t type;    /* enum json_type */
    uint8_t escaped; /* strings: contains a backslash escape */
};

struct json_doc {
    const char *src; /* borrowed */
    size_t len;
    struct json_tok *toks; /* owned; reused by the next json_parse */
    size_t ntoks;
    size_t cap;
    /* Optional, set by the caller (json_doc_init clears it): an object or
     * array that is the value of a member with this key (unescaped, at any
     * depth) is validated as usual but not tokenized: one token of its type
     * stands for it, with size 0 and its whole text (json_raw). For what
     * no reader looks at (a list's metadata.managedFields: half the tokens
     * of a pod). */
    const char *skip_key;
    size_t skip_len;
    char err[160]; /* "offset 1234: expected ',' or '}'" after a failure */
};

void json_doc_init(struct json_doc *doc);
void json_doc_done(struct json_doc *doc);
/* Parses src[0..len). Documents over 4 GiB are refused. On failure returns
 * STATUS_JSON with doc->err and status_text() describing where and why;
 * the doc then holds no tokens. */
enum status json_parse(struct json_doc *doc, const char *src, size_t len);

static inline enum json_type
json_type(const struct json_doc *doc, uint32_t t)
{
    return t == JSON_NONE ? JSON_INVALID : (enum json_type)doc->toks[t].type;
}

/* Member `key` of object t (first match), or JSON_NONE when t is not an
 * object or has no such member. Keys compare after unescaping. */
uint32_t json_get(const struct json_doc *doc, uint32_t t, const char *key);
uint32_t json_getn(const struct json_doc *doc, uint32_t t, const char *key, size_t keylen);
/* Follows a NULL-terminated list of keys: json_dig(doc, t, "status", "phase", NULL). */
uint32_t json_dig(const struct json_doc *doc, uint32_t t, ...) __attribute__((sentinel));
/* Element i of array t, or JSON_NONE (O(i)). */
uint32_t json_at(const struct json_doc *doc, uint32_t t, uint32_t i);

/* Iterates an array's elements or an object's members:
 *     struct json_iter it; uint32_t key, val;
 *     json_iter_init(&it, doc, t);
 *     while (json_iter_next(&it, &key, &val)) ...   // key is JSON_NONE for arrays
 * A non-container iterates nothing. */
struct json_iter {
    const struct json_doc *doc;
    uint32_t cur;
    uint32_t left;
    bool object;
};
void json_iter_init(struct json_iter *it, const struct json_doc *doc, uint32_t t);
bool json_iter_next(struct json_iter *it, uint32_t *key, uint32_t *val);

/* Strings. json_strdup returns a new unescaped NUL-terminated copy (caller
 * frees), or NULL when t is not a string. Embedded NULs (\u0000) are kept
 * in the length returned by json_strdup_len and stop C string users; invalid
 * surrogates become U+FFFD. */
char *json_strdup(const struct json_doc *doc, uint32_t t);
char *json_strdup_len(const struct json_doc *doc, uint32_t t, size_t *len);
/* Unescaped copy into buf (always terminated, truncated to size-1). Returns
 * the full unescaped length, or 0 when t is not a string. */
size_t json_strcpy(const struct json_doc *doc, uint32_t t, char *buf, size_t size);
bool json_streq(const struct json_doc *doc, uint32_t t, const char *s);
/* The raw JSON text of any value (a subtree's whole text for containers,
 * including the quotes for strings). Borrowed from the source. */
const char *json_raw(const struct json_doc *doc, uint32_t t, size_t *len);

/* Scalars: false when t is absent or of another type (value untouched).
 * json_int64 accepts integral numbers only (and, with `lenient`, also
 * strings holding an integer, as Kubernetes sends some). */
bool json_int64(const struct json_doc *doc, uint32_t t, int64_t *out);
bool json_int64_lenient(const struct json_doc *doc, uint32_t t, int64_t *out);
bool json_double(const struct json_doc *doc, uint32_t t, double *out);
bool json_bool(const struct json_doc *doc, uint32_t t, bool *out);

/* Conveniences over json_get: a new copy of member key's string or NULL. */
char *json_get_str(const struct json_doc *doc, uint32_t obj, const char *key);
int64_t json_get_int(const struct json_doc *doc, uint32_t obj, const char *key, int64_t def);
bool json_get_bool(const struct json_doc *doc, uint32_t obj, const char *key, bool def);

/* Re-serialise value t (appended to out, ending in a newline): indented
 * JSON (2 spaces) or block YAML as kubectl prints it (sequences not indented
 * under their key, {} and [] for empty containers). YAML strings are
 * double-quoted whenever a YAML 1.1 or 1.2 reader could take them for
 * something else: "", true/yes/on/y/null/~ in any case, numbers in any
 * notation (1e3, 0x1f, .5, 1_000, 1:30, 10.0.1.10), dates, leading
 * indicators (- ? : , [ ] { } # & * ! | > ' " % @ `), ": ", " #", a trailing
 * ':', edge spaces, control characters, and U+0085/U+2028/U+2029/U+FEFF
 * (escaped). Nothing is sanitised for display (the tui does that). */
void json_write_pretty(const struct json_doc *doc, uint32_t t, struct strbuf *out);
void json_write_yaml(const struct json_doc *doc, uint32_t t, struct strbuf *out);

/*
 * Writer. Emits compact JSON (or 2-space indented with pretty) into a strbuf;
 * commas and nesting are tracked here. NULL strings are written as null.
 */
#define JSONW_MAX_DEPTH 64
struct jsonw {
    struct strbuf *out; /* borrowed */
    bool pretty;
    int depth;
    bool first[JSONW_MAX_DEPTH];
    bool after_key;
};
void jsonw_init(struct jsonw *w, struct strbuf *out, bool pretty);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/* Enters an array whose '[' and first elements were written elsewhere (one
 * array formatted in pieces): nothing is written now, the next value is
 * preceded by a comma, and jsonw_arr_end closes it. */
void jsonw_arr_continue(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_keyn(struct jsonw *w, const char *key, size_t len);
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v); /* NaN/Inf written as null */
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Inserts already-valid JSON text as one value. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);
/* Appends s as a JSON string literal with quotes; invalid UTF-8 bytes become
 * U+FFFD, control characters \u escapes. */
void json_escape(struct strbuf *out, const char *s, size_t len);

#endif /* OPSDECK_JSON_H */
