# SPDX-License-Identifier: MIT
# tui/local.mk - the terminal core (tui/libtui.a; curses lives only here) and the program

noinst_LIBRARIES += tui/libtui.a
tui_libtui_a_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) $(NCURSES_CFLAGS)
tui_libtui_a_SOURCES = \
    include/opsdeck/curses.h \
    include/opsdeck/draw.h \
    include/opsdeck/header.h \
    include/opsdeck/keymap.h \
    include/opsdeck/logview.h \
    include/opsdeck/prompt.h \
    include/opsdeck/request.h \
    include/opsdeck/sanitize.h \
    include/opsdeck/screen.h \
    include/opsdeck/script.h \
    include/opsdeck/table.h \
    include/opsdeck/textview.h \
    include/opsdeck/theme.h \
    include/opsdeck/ui.h \
    include/opsdeck/view.h \
    include/opsdeck/views.h \
    tui/draw.c \
    tui/header.c \
    tui/keymap.c \
    tui/logview.c \
    tui/loop.c \
    tui/prompt.c \
    tui/request.c \
    tui/sanitize.c \
    tui/screen.c \
    tui/script.c \
    tui/table.c \
    tui/textview.c \
    tui/theme.c \
    tui/ui-internal.h \
    tui/ui.c \
    tui/view.c

# What a program or a test that uses the terminal core links.
TUI_LIBS = tui/libtui.a $(NCURSES_LIBS) $(BACKEND_LIBS)

bin_PROGRAMS += opsdeck
opsdeck_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) $(NCURSES_CFLAGS)
opsdeck_LDADD = $(TUI_LIBS)
opsdeck_SOURCES = \
    include/opsdeck/app.h \
    include/opsdeck/cli.h \
    tui/app.c \
    tui/cli.c \
    tui/cli_logs.c \
    tui/main.c

# Unit tests of the terminal core (the model parts: no curses screen).
check_PROGRAMS += tests/unit/test-sanitize
tests_unit_test_sanitize_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sanitize_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_sanitize_SOURCES = tests/unit/test-sanitize.c tests/unit/testlib.h
TESTS += tests/unit/test-sanitize

check_PROGRAMS += tests/unit/test-keymap
tests_unit_test_keymap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keymap_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_keymap_SOURCES = tests/unit/test-keymap.c tests/unit/testlib.h
TESTS += tests/unit/test-keymap

check_PROGRAMS += tests/unit/test-tui-theme
tests_unit_test_tui_theme_CFLAGS = $(UNIT_CFLAGS) -DTHEMES_DIR='"$(abs_top_srcdir)/themes"'
tests_unit_test_tui_theme_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_tui_theme_SOURCES = tests/unit/test-tui-theme.c tests/unit/testlib.h
TESTS += tests/unit/test-tui-theme

check_PROGRAMS += tests/unit/test-table
tests_unit_test_table_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_table_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_table_SOURCES = tests/unit/test-table.c tests/unit/testlib.h
TESTS += tests/unit/test-table

check_PROGRAMS += tests/unit/test-tui-prompt
tests_unit_test_tui_prompt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tui_prompt_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_tui_prompt_SOURCES = tests/unit/test-tui-prompt.c tests/unit/testlib.h
TESTS += tests/unit/test-tui-prompt

check_PROGRAMS += tests/unit/test-tui-logview
tests_unit_test_tui_logview_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tui_logview_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_tui_logview_SOURCES = tests/unit/test-tui-logview.c tests/unit/testlib.h
TESTS += tests/unit/test-tui-logview

check_PROGRAMS += tests/unit/test-tui-textview
tests_unit_test_tui_textview_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tui_textview_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_tui_textview_SOURCES = tests/unit/test-tui-textview.c tests/unit/testlib.h
TESTS += tests/unit/test-tui-textview

check_PROGRAMS += tests/unit/test-tui-header
tests_unit_test_tui_header_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tui_header_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_tui_header_SOURCES = tests/unit/test-tui-header.c tests/unit/testlib.h
TESTS += tests/unit/test-tui-header

# The screen tests: a test-only console over synthetic rows, driven by scripts.
check_PROGRAMS += tests/screens/screen-demo
tests_screens_screen_demo_CFLAGS = $(AM_CFLAGS) $(BACKEND_CFLAGS) $(NCURSES_CFLAGS)
tests_screens_screen_demo_LDADD = $(TUI_LIBS)
tests_screens_screen_demo_SOURCES = tests/screens/screen-demo.c

TESTS += \
    tests/screens/command.test \
    tests/screens/filter.test \
    tests/screens/header.test \
    tests/screens/help.test \
    tests/screens/hostile.test \
    tests/screens/navigation.test \
    tests/screens/pause.test \
    tests/screens/pty-console.py \
    tests/screens/resize.test \
    tests/screens/script.test \
    tests/screens/sort.test \
    tests/screens/theme.test
EXTRA_DIST += \
    tests/lib/libscreen.sh \
    tests/screens/command.test \
    tests/screens/filter.test \
    tests/screens/header.test \
    tests/screens/help.test \
    tests/screens/hostile.test \
    tests/screens/navigation.test \
    tests/screens/pause.test \
    tests/screens/pty-console.py \
    tests/screens/resize.test \
    tests/screens/script.test \
    tests/screens/sort.test \
    tests/screens/theme.test \
    tests/screens/valgrind.supp

EXTRA_DIST += tests/fuzz/fuzz-sanitize.c
