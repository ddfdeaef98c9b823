# SPDX-License-Identifier: MIT
# m4/opsdeck.m4 - small configure helpers (no autoconf-archive needed)

# OPSDECK_CHECK_CFLAG(FLAG, ACTION-IF-SUPPORTED)
# Runs ACTION when the C compiler accepts FLAG without a warning. -Wno-foo is
# checked as -Wfoo, since compilers accept any -Wno- silently.
AC_DEFUN([OPSDECK_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([cache], [opsdeck_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [cache], [
    opsdeck_save_CFLAGS=$CFLAGS
    opsdeck_probe=`echo "$1" | sed 's/^-Wno-/-W/'`
    CFLAGS="$CFLAGS -Werror $opsdeck_probe"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])], [AS_VAR_SET([cache], [yes])],
                      [AS_VAR_SET([cache], [no])])
    CFLAGS=$opsdeck_save_CFLAGS
  ])
  AS_VAR_IF([cache], [yes], [$2])
  AS_VAR_POPDEF([cache])
])

# AX_PTHREAD_SIMPLE: -pthread for POSIX threads (gcc and clang on Linux).
AC_DEFUN([AX_PTHREAD_SIMPLE], [
  PTHREAD_CFLAGS="-pthread"
  PTHREAD_LIBS="-pthread"
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])
