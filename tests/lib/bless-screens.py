#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/lib/bless-screens.py DIR TEST... - after a deliberate change of what the console shows:
# writes the screens kept by a run with SCREEN_BLESS=DIR into the assert_screen heredocs of the
# given test files (matched by screen name and description). Read the diff before committing.
import os
import re
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: bless-screens.py DIR TEST...")
    kept = {}
    for entry in sorted(os.listdir(sys.argv[1])):
        test = entry.rsplit(".", 1)[0]
        with open(os.path.join(sys.argv[1], entry), encoding="utf-8") as f:
            name = f.readline().rstrip("\n")
            desc = f.readline().rstrip("\n")
            kept[(test, name, desc)] = f.read()
    for path in sys.argv[2:]:
        test = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        out, i, changed = [], 0, 0
        while i < len(lines):
            line = lines[i]
            out.append(line)
            m = re.match(r"""assert_screen (\S+)(?: "(.*)")? <<'EOF'$""", line)
            i += 1
            if not m:
                continue
            name, desc = m.group(1), m.group(2) or "screen " + m.group(1)
            body = []
            while i < len(lines) and lines[i] != "EOF":
                body.append(lines[i])
                i += 1
            new = kept.get((test, name, desc))
            if new is not None:
                if new.endswith("\n"):
                    new = new[:-1]
                body = new.split("\n") if new else []
                changed += 1
            out.extend(body)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
        print(f"{path}: {changed} screen(s) updated")


if __name__ == "__main__":
    main()
