/* SPDX-License-Identifier: MIT */
/* macros.h - compiler attributes and tiny helpers shared by every module */
#ifndef OPSDECK_MACROS_H
#define OPSDECK_MACROS_H

#define ATTR_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_MALLOC __attribute__((malloc))
#define ATTR_UNUSED __attribute__((unused))
#define ATTR_WARN_UNUSED __attribute__((warn_unused_result))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define CLAMP(x, lo, hi) MIN(MAX((x), (lo)), (hi))

/* Strings that are equal, both NULL counting as equal. */
#define STREQ(a, b) (strcmp((a), (b)) == 0)

#endif /* OPSDECK_MACROS_H */
