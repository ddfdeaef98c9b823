#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-install.sh - `make install` into a DESTDIR puts bin/opsdeck and the man
# page opsdeck(1); the installed program runs; `man -l` renders the page without warnings and
# it documents every option of --help; `make uninstall` takes both away again. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

dest=$CLI_DIR/dest
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
[ -n "$prefix" ]
ok $? "the build's prefix: $prefix"

# A make of its own (not the jobserver of the make check that runs this test).
(
    unset MAKEFLAGS MFLAGS MAKELEVEL
    timeout 300 make -C "$top_builddir" install DESTDIR="$dest"
) > "$CLI_DIR/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds" || diag "$(tail -n 20 "$CLI_DIR/install.log")"

bin=$dest$prefix/bin/opsdeck
man1=$dest$prefix/share/man/man1/opsdeck.1
[ -f "$bin" ] && [ -x "$bin" ]
ok $? "bin/opsdeck is installed and executable ($bin)"
[ -f "$man1" ] && cmp -s "$man1" "$top_srcdir/docs/opsdeck.1"
ok $? "the man page is installed as share/man/man1/opsdeck.1"
pycheck "$dest" "$bin" "$man1" <<'EOF'
import os, sys
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(sys.argv[1]) for f in fs)
assert sys.argv[2] in files and sys.argv[3] in files, files
for f in files:
    assert f.startswith(sys.argv[1] + "/"), f
EOF
ok $? "everything installed lies under DESTDIR"

"$bin" --version > "$CLI_DIR/v1" 2>&1 && "$OPSDECK" --version > "$CLI_DIR/v2" 2>&1 &&
    cmp -s "$CLI_DIR/v1" "$CLI_DIR/v2"
ok $? "the installed opsdeck runs: $(cat "$CLI_DIR/v1")"
"$bin" --kubeconfig "$CLI_DIR/none" info > "$CLI_DIR/info" 2>&1
r=$?
[ $r -eq 0 ] && grep -q "^cache db  *$XDG_CACHE_HOME/opsdeck/cache.db$" "$CLI_DIR/info"
ok $? "the installed opsdeck resolves its paths (info, exit $r)"

MANPAGER=cat MANWIDTH=80 man --warnings -l "$man1" > "$CLI_DIR/man.txt" 2> "$CLI_DIR/man.err"
r=$?
[ $r -eq 0 ] && [ ! -s "$CLI_DIR/man.err" ]
ok $? "man -l renders the installed page without a warning (exit $r)" ||
    diag "$(cat "$CLI_DIR/man.err")"
pycheck "$CLI_DIR/man.txt" <<'EOF'
import re, sys
text = re.sub(r".\x08", "", open(sys.argv[1]).read())
for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES", "ENVIRONMENT",
                "EXIT STATUS", "SEE ALSO"):
    assert re.search(r"^%s$" % section, text, re.M), section
flat = re.sub(r"\s+", " ", text)          # justified, wrapped: one space between words
assert re.search(r"opsdeck \S terminal operations console", flat), "NAME line"
assert "get nodes|pods|tenants" in flat, "get in the synopsis"
assert "cache clear" in flat and " info" in flat
assert "0 on success; 1 when" in flat and "2 on a usage error" in flat
EOF
ok $? "the rendered page: every section, the synopsis of get, info and cache clear, the exit statuses"
"$bin" --help > "$CLI_DIR/help.txt"
pycheck "$CLI_DIR/help.txt" "$CLI_DIR/man.txt" <<'EOF'
import re, sys
help_ = open(sys.argv[1]).read()
man = re.sub(r".\x08", "", open(sys.argv[2]).read())
opts = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_)))
assert len(opts) >= 15, opts
missing = [o for o in opts if o not in man]
assert not missing, missing
EOF
ok $? "the man page documents every option --help names"

(
    unset MAKEFLAGS MFLAGS MAKELEVEL
    timeout 300 make -C "$top_builddir" uninstall DESTDIR="$dest"
) > "$CLI_DIR/uninstall.log" 2>&1
r=$?
[ $r -eq 0 ] && [ ! -e "$bin" ] && [ ! -e "$man1" ] &&
    [ -z "$(find "$dest" -type f -o -type l)" ]
ok $? "make uninstall removes every installed file (exit $r)" ||
    diag "$(find "$dest" -type f)"

plan_done
