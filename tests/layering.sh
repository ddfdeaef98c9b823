#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/layering.sh - dependencies point one way: views -> tui -> backend.
# backend/ never includes curses, tui/ or views/; views/ never include curses.
. "${top_srcdir:-.}/tests/lib/tap.sh"
cd "${top_srcdir:-.}" || bail "no source dir"

hits=$(grep -nE '#include *[<"](n?curses|ncursesw/|opsdeck/curses\.h|tui/|views/|opsdeck/(view|draw|screen|theme|table|keymap|request|prompt)\.h)' backend/*.c backend/*.h 2>/dev/null)
[ -z "$hits" ]; ok $? "backend/ includes no curses, tui or views header"
[ -z "$hits" ] || diag "$hits"

hits=$(grep -nE '#include *[<"](n?curses|ncursesw/|opsdeck/curses\.h)' views/*.c 2>/dev/null)
[ -z "$hits" ]; ok $? "views/ include no curses header"
[ -z "$hits" ] || diag "$hits"

hits=$(grep -nE '\b(wrefresh|mvwaddn?str|wattr_on|newwin|doupdate|getch|wgetch)\b' views/*.c 2>/dev/null)
[ -z "$hits" ]; ok $? "views/ call no curses function"
[ -z "$hits" ] || diag "$hits"

hits=$(grep -nE '\b(fopen|open|read|write|socket|connect|curl_|sqlite3_)\(' views/*.c 2>/dev/null)
[ -z "$hits" ]; ok $? "views/ do no I/O"
[ -z "$hits" ] || diag "$hits"

hits=$(grep -lE 'cJSON|yaml_parser' backend/*.c include/opsdeck/*.h 2>/dev/null | grep -vE 'backend/(json|yamltree)\.c')
[ -z "$hits" ]; ok $? "parser types stay in their parsing modules"
[ -z "$hits" ] || diag "$hits"

plan_done
