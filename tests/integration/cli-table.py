#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/cli-table.py - checks a plain-text table printed by `opsdeck get` (a helper of
# the cli-*.sh tests, not a test): `cli-table.py FILE HEADER...`.
#
# Passes (exit 0) when the first line's cells are exactly HEADER, and every line is aligned: its
# cells (runs separated by 3 or more spaces, as the table pads each column to its widest cell
# plus 3) start at the display columns of the header's cells, counted in terminal cells (wide
# characters take 2, combining marks 0). Prints the reason and exits 1 otherwise. With
# --rows N it also checks that N data rows follow the header.
import re
import sys
import unicodedata


def width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def display_cells(line):
    """[(display column, text)] of each cell of line."""
    out = []
    pos = 0
    col = 0
    for m in re.finditer(r"\S+(?: {1,2}\S+)*", line):
        col += sum(width(c) for c in line[pos:m.start()])
        out.append((col, m.group(0)))
        col += sum(width(c) for c in m.group(0))
        pos = m.end()
    return out


def main(argv):
    rows = None
    if len(argv) > 2 and argv[1] == "--rows":
        rows = int(argv[2])
        argv = [argv[0]] + argv[3:]
    path, header = argv[1], argv[2:]
    with open(path, encoding="utf-8", errors="strict") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        print("%s: the output does not end with a newline" % path)
        return 1
    if not lines:
        print("%s: empty output" % path)
        return 1
    head = display_cells(lines[0])
    if [t for _, t in head] != header:
        print("header %r, expected %r" % ([t for _, t in head], header))
        return 1
    starts = [c for c, _ in head]
    for n, line in enumerate(lines[1:], 2):
        got = display_cells(line)
        if [c for c, _ in got] != starts:
            print("line %d not aligned: cells at %r, header at %r: %r"
                  % (n, [c for c, _ in got], starts, line))
            return 1
        if line != line.rstrip():
            print("line %d has trailing blanks: %r" % (n, line))
            return 1
    if rows is not None and len(lines) - 1 != rows:
        print("%d data rows, expected %d" % (len(lines) - 1, rows))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
