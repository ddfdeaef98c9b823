#!/bin/sh
# SPDX-License-Identifier: MIT
# store-two-consoles.sh - two processes share cache.db and state.db; the files seen from outside
#
# Runs tests/integration/store-tool as separate processes at the same time, and checks the
# files with Python's own sqlite3 module (an independent reader).

. "$top_srcdir/tests/lib/tap.sh"

tool="$top_builddir/tests/integration/store-tool"
[ -x "$tool" ] || bail "missing $tool"
: "${PYTHON3:=python3}"

dir=$(mktemp -d /tmp/opsdeck-store-it-XXXXXX) || bail "mktemp"
chmod 700 "$dir"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$dir"
}
trap cleanup EXIT

# wait_for PID SECONDS: the exit status of PID, or 124 (and it is killed) after SECONDS.
wait_for() {
    n=0
    while kill -0 "$1" 2>/dev/null && [ "$n" -lt $(($2 * 20)) ]; do
        sleep 0.05
        n=$((n + 1))
    done
    if kill -0 "$1" 2>/dev/null; then
        kill "$1"
        wait "$1" 2>/dev/null
        return 124
    fi
    wait "$1"
}

# sql FILE QUERY: one value, read by Python's sqlite3.
sql() {
    "$PYTHON3" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute(sys.argv[2]).fetchone()[0])
c.close()' "$@"
}

# --- two consoles at once -------------------------------------------------------------------
"$tool" "$dir" hammer alpha beta 10000 >"$dir/a.log" 2>&1 &
pa=$!
"$tool" "$dir" hammer beta alpha 10000 >"$dir/b.log" 2>&1 &
pb=$!
pids="$pa $pb"
wait_for "$pa" 120
ra=$?
wait_for "$pb" 120
rb=$?
pids=""
[ -s "$dir/a.log" ] && diag "console A:" "$(cat "$dir/a.log")"
[ -s "$dir/b.log" ] && diag "console B:" "$(cat "$dir/b.log")"
ok "$ra" "console A: every put, load, history and setting call succeeded while B ran"
ok "$rb" "console B: every put, load, history and setting call succeeded while A ran"
[ ! -s "$dir/a.log" ] && [ ! -s "$dir/b.log" ]
ok $? "no notices and no errors on either side (no SQLITE_BUSY reached a caller)"

a=$("$tool" "$dir" count alpha pods)
b=$("$tool" "$dir" count beta pods)
[ "$a" = 10000 ] && [ "$b" = 10000 ]
ok $? "each console's 10000 objects are cached (alpha $a, beta $b)"

n=$(sql "$dir/cache.db" "SELECT count(*) FROM objects")
[ "$n" = 20000 ]
ok $? "an outside reader counts 20000 rows ($n)"
[ "$(sql "$dir/cache.db" "PRAGMA integrity_check")" = ok ] &&
    [ "$(sql "$dir/state.db" "PRAGMA integrity_check")" = ok ]
ok $? "both files pass integrity_check"
[ "$(sql "$dir/cache.db" "PRAGMA journal_mode")" = wal ] &&
    [ "$(sql "$dir/state.db" "PRAGMA journal_mode")" = wal ]
ok $? "both files are in WAL mode"
[ "$(sql "$dir/cache.db" "PRAGMA application_id")" = 1330660419 ] &&
    [ "$(sql "$dir/state.db" "PRAGMA application_id")" = 1330660435 ] &&
    [ "$(sql "$dir/cache.db" "PRAGMA user_version")" = 3 ] &&
    [ "$(sql "$dir/state.db" "PRAGMA user_version")" = 1 ]
ok $? "application_id (OPDC, OPDS) and user_version are set"
h=$("$tool" "$dir" history : | wc -l)
[ "$h" -eq 20 ]
ok $? "both consoles' history lines are in state.db ($h)"
[ "$(stat -c %a "$dir/cache.db")" = 600 ] && [ "$(stat -c %a "$dir/state.db")" = 600 ]
ok $? "files are 0600"

# --- cache clear from a third process while another writes ----------------------------------
"$tool" "$dir" put gamma 20000 512 >"$dir/c.log" 2>&1 &
pc=$!
pids="$pc"
"$tool" "$dir" clear >"$dir/clear.log" 2>&1
rclear=$?
wait_for "$pc" 120
rc=$?
pids=""
ok "$rclear" "opsdeck cache clear succeeds while another console writes"
[ "$rc" -eq 0 ] || diag "$(cat "$dir/c.log")"
ok "$rc" "the writing console keeps working through the clear"
[ "$("$tool" "$dir" count alpha pods)" = 0 ] && [ "$("$tool" "$dir" count beta pods)" = 0 ]
ok $? "the clear emptied the clusters written before it"
[ "$("$tool" "$dir" history : | wc -l)" -eq 20 ]
ok $? "the history (state.db) is not touched by a cache clear"

# --- a corrupt cache.db is moved aside and rebuilt -------------------------------------------
head -c 65536 /dev/urandom >"$dir/cache.db"
rm -f "$dir/cache.db-wal" "$dir/cache.db-shm"
out=$("$tool" "$dir" notices)
echo "$out" | grep -q "cache.db was unusable.*moved to $dir/cache.db.corrupt-"
ok $? "a random-bytes cache.db: the notice names where it went"
[ "$(ls "$dir"/cache.db.corrupt-* | grep -cv -- '-wal$\|-shm$')" -eq 1 ] &&
    [ "$(sql "$dir/cache.db" "PRAGMA application_id")" = 1330660419 ]
ok $? "the damaged file is kept aside and a new cache.db is in place"
"$tool" "$dir" put alpha 100 >/dev/null 2>&1 && [ "$("$tool" "$dir" count alpha pods)" = 100 ]
ok $? "the rebuilt cache works"

# --- a symlinked database is refused ---------------------------------------------------------
mv "$dir/state.db" "$dir/real-state.db"
ln -s "$dir/real-state.db" "$dir/state.db"
out=$("$tool" "$dir" history : 2>&1)
st=$?
[ "$st" -ne 0 ] && echo "$out" | grep -q "symbolic link"
ok $? "a symlinked state.db is refused with a clear error"

plan_done
