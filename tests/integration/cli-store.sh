#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/integration/cli-store.sh - the files of `opsdeck get`: a corrupt cache.db (random bytes,
# truncated, damaged pages, another application's database, a newer schema) is moved aside and
# rebuilt while the get still works, with a notice on stderr and in the log; a damaged state.db
# is kept aside and reported, a newer one left untouched; a symbolic link is never followed;
# nothing secret is ever written (Secrets, env values, the token: cache.db, its WAL, state.db,
# the log); files 0600 and directories 0700 whatever the umask. TAP.
. "${top_srcdir:-.}/tests/integration/cli-lib.sh"

cli_start_sim
t=$CLI_DIR/t
D=$XDG_CACHE_HOME/opsdeck
SD=$XDG_STATE_HOME/opsdeck
LOG=$CLI_DIR/opsdeck.log

ops get pods -A -o json > "$t.pods" 2> "$t.err"
ok $? "reference: get pods -A" || diag "$(cat "$t.err")"

sha() {
    sha256sum "$1" | cut -d' ' -f1
}

# fresh: empty XDG cache and state, then a live get fills them.
fresh() {
    rm -rf "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$LOG"
    ops get pods -A > /dev/null 2>&1
}

# damaged_cache NAME PYTHON: fills the cache, lets PYTHON (argv[1] = cache.db) damage it, then
# get pods -A must work: exit 0, the same pods, one notice naming the moved-aside copy; the
# copy keeps the damaged bytes (0600); the new cache.db is sound and holds the pods; the log
# has the notice. Three cases.
damaged_cache() {
    name=$1
    fresh
    rm -f "$D/cache.db-wal" "$D/cache.db-shm"
    pycheck "$D/cache.db" <<EOF
import sys
path = sys.argv[1]
$2
EOF
    before=$(sha "$D/cache.db")
    ops --log "$LOG" get pods -A -o json > "$t.out" 2> "$t.err"
    r=$?
    copy=$(ls "$D"/cache.db.corrupt-* 2>/dev/null | head -n 1)
    [ $r -eq 0 ] && cmp -s "$t.out" "$t.pods" && [ "$(wc -l < "$t.err")" -eq 1 ] &&
        grep -Eq "^opsdeck: notice: cache\.db was (unusable|damaged) \(.+\); moved to $D/cache\.db\.corrupt-[0-9]{8}T[0-9]{6}Z and rebuilt$" \
            "$t.err"
    ok $? "$name: get pods -A works (exit $r), one notice: $(cat "$t.err")"
    [ -n "$copy" ] && [ "$(sha "$copy")" = "$before" ] && [ "$(stat -c %a "$copy")" = 600 ]
    ok $? "$name: the damaged file is kept aside unchanged, mode 0600 (${copy##*/})"
    pycheck "$D/cache.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
assert c.execute("PRAGMA application_id").fetchone()[0] == 1330660419
n = c.execute("SELECT count(*) FROM objects WHERE kind = 'pods'").fetchone()[0]
assert n == 55, n
EOF
    r=$?
    [ $r -eq 0 ] && grep -q "warn store: cache.db was" "$LOG"
    ok $? "$name: cache.db rebuilt (integrity ok, our application_id, 55 pods), the notice logged"
}

# --- a corrupt cache.db -----------------------------------------------------------------------
damaged_cache "cache.db of random bytes" '
import os
open(path, "wb").write(os.urandom(65536))'
damaged_cache "cache.db truncated to half" '
import os
os.truncate(path, os.path.getsize(path) // 2)'
damaged_cache "cache.db with every page after the first scrambled" '
data = bytearray(open(path, "rb").read())
ps = int.from_bytes(data[16:18], "big")
for i in range(ps + 8, len(data), 7):
    data[i] ^= 0x5A
open(path, "wb").write(data)'
damaged_cache "a foreign SQLite database as cache.db" '
import os, sqlite3
os.remove(path)
c = sqlite3.connect(path)
c.execute("CREATE TABLE notes(body TEXT)")
c.execute("INSERT INTO notes VALUES (?)", ("not opsdeck",))
c.commit()'
damaged_cache "cache.db of a newer schema" '
import sqlite3
c = sqlite3.connect(path)
c.execute("PRAGMA user_version = 999")
c.commit()'

fresh
: > "$D/cache.db"
rm -f "$D/cache.db-wal" "$D/cache.db-shm"
ops get pods -A -o json > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && cmp -s "$t.out" "$t.pods"
ok $? "an empty cache.db file: get pods -A works (exit $r)" || diag "$(cat "$t.err")"

fresh
head -c 4096 /dev/urandom > "$D/cache.db"
rm -f "$D/cache.db-wal" "$D/cache.db-shm"
ops get pods -A --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && [ ! -s "$t.out" ] && grep -q "^opsdeck: notice: cache.db was unusable" "$t.err" &&
    grep -q "^opsdeck: $SIM_URL: nothing cached for $SIM_URL" "$t.err"
ok $? "--cached with a corrupt cache.db: rebuilt (notice), nothing cached, exit 1 (exit $r)" ||
    diag "$(cat "$t.err")"
ls "$D"/cache.db.corrupt-* > /dev/null 2>&1 && ops cache clear > /dev/null 2> "$t.err" &&
    ! ls "$D"/cache.db.corrupt-* > /dev/null 2>&1
ok $? "cache clear removes the moved-aside copies" || diag "$(cat "$t.err")"

# cache.db as a symbolic link: refused, never followed (its target is untouched).
fresh
mv "$D/cache.db" "$CLI_DIR/target.db"
rm -f "$D/cache.db-wal" "$D/cache.db-shm"
ln -s "$CLI_DIR/target.db" "$D/cache.db"
before=$(sha "$CLI_DIR/target.db")
ops get pods -A -o json > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && cmp -s "$t.out" "$t.pods" &&
    grep -q "^opsdeck: warning: the cache is not updated: $D/cache.db is a symbolic link: refusing to follow it$" "$t.err"
ok $? "cache.db a symbolic link: get works, a warning that the cache is not updated (exit $r)" ||
    diag "$(cat "$t.err")"
ops get pods -A --cached > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 1 ] && grep -q "^opsdeck: cannot open the cache: $D/cache.db is a symbolic link" "$t.err"
ok $? "cache.db a symbolic link: --cached fails with exit 1 and says why (exit $r)" ||
    diag "$(cat "$t.err")"
[ "$(sha "$CLI_DIR/target.db")" = "$before" ] && [ -L "$D/cache.db" ] &&
    [ ! -e "$CLI_DIR/target.db-wal" ]
ok $? "cache.db a symbolic link: its target was never written"
rm -f "$D/cache.db"

# --- a damaged state.db -----------------------------------------------------------------------
# damaged_state NAME PYTHON: as damaged_cache, for state.db: kept aside, a notice, a new one.
damaged_state() {
    name=$1
    fresh
    rm -f "$SD/state.db-wal" "$SD/state.db-shm"
    pycheck "$SD/state.db" <<EOF
import sys
path = sys.argv[1]
$2
EOF
    before=$(sha "$SD/state.db")
    ops --log "$LOG" get pods -A -o json > "$t.out" 2> "$t.err"
    r=$?
    copy=$(ls "$SD"/state.db.damaged-* 2>/dev/null | head -n 1)
    [ $r -eq 0 ] && cmp -s "$t.out" "$t.pods" && [ "$(wc -l < "$t.err")" -eq 1 ] &&
        grep -Eq "^opsdeck: notice: state\.db was damaged \(.+\): it was kept as $SD/state\.db\.damaged-[0-9]{8}T[0-9]{6}Z and a new, empty state\.db was started" \
            "$t.err" && grep -q "warn store: state.db was damaged" "$LOG"
    ok $? "$name: get works (exit $r), the damage reported on stderr and in the log: $(cat "$t.err")"
    [ -n "$copy" ] && [ "$(sha "$copy")" = "$before" ] && [ "$(stat -c %a "$copy")" = 600 ]
    ok $? "$name: the damaged file is kept aside unchanged, mode 0600 (${copy##*/})"
    pycheck "$SD/state.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
assert c.execute("PRAGMA application_id").fetchone()[0] == 1330660435
assert c.execute("PRAGMA user_version").fetchone()[0] >= 1
EOF
    ok $? "$name: a new state.db (integrity ok, our application_id and schema)"
}

damaged_state "state.db with a garbage header" '
f = open(path, "r+b")
f.write(b"this is not a database at all")'
damaged_state "state.db truncated to 1000 bytes" '
import os
os.truncate(path, 1000)'

fresh
pycheck "$SD/state.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA user_version = 999")
c.commit()
c.close()
EOF
before=$(sha "$SD/state.db")
ops get pods -A -o json > "$t.out" 2> "$t.err"
r=$?
[ $r -eq 0 ] && cmp -s "$t.out" "$t.pods" &&
    grep -q "^opsdeck: notice: state.db was left untouched: its schema version 999 is newer than this opsdeck's" "$t.err" &&
    [ "$(sha "$SD/state.db")" = "$before" ] && ! ls "$SD"/state.db.damaged-* > /dev/null 2>&1
ok $? "state.db of a newer schema: left untouched, reported, get works (exit $r)" ||
    diag "$(cat "$t.err")"

# --- never stored -----------------------------------------------------------------------------
# The sim really serves the markers (else the test below proves nothing).
sim_api /api/v1/secrets > "$t.secrets"
sim_api /api/v1/pods > "$t.rawpods"
sim_api /apis/apps/v1/deployments > "$t.rawdeploy"
grep -q 'U0lNLVNFQ1JFVC1NQVJLRVI6' "$t.secrets" && grep -q 'SIM-ENV-MARKER:' "$t.rawpods" &&
    grep -q 'SIM-ENV-MARKER:' "$t.rawdeploy"
ok $? "the sim serves the markers: Secret data, pod env values, deployment templates and annotations"

rm -rf "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$LOG"
ops get nodes > /dev/null 2>&1          # creates the files
# A reader holding a read transaction on cache.db keeps every frame written after its snapshot
# in the WAL (no checkpoint can move them into the database or reset the WAL), so the WAL's
# frames are searched too, not only what reached cache.db.
"$PYTHON3" - "$D/cache.db" "$CLI_DIR/reader.ready" > "$CLI_DIR/reader.log" 2>&1 <<'EOF' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN")
c.execute("SELECT count(*) FROM objects").fetchone()
open(sys.argv[2], "w").close()
time.sleep(120)
EOF
reader=$!
cli_track "$reader"
sim_poll 20 test -e "$CLI_DIR/reader.ready"
ok $? "a reader holds a read transaction on cache.db"
(umask 000 && ops --log "$LOG" get pods -A -o json > "$t.out" 2> "$t.err" &&
    ops --log "$LOG" get tenants -o json > "$t.tenants" 2>> "$t.err")
ok $? "get pods -A and get tenants (umask 000)" || diag "$(cat "$t.err")"
[ -s "$D/cache.db-wal" ] && [ "$(stat -c %s "$D/cache.db-wal")" -gt 100000 ]
ok $? "the WAL holds the writes ($(stat -c %s "$D/cache.db-wal" 2>/dev/null) bytes)"
pycheck "$SIM_TOKEN" "$D"/cache.db* "$SD"/state.db* "$LOG" "$t.out" "$t.tenants" <<'EOF'
import base64, sys
token = sys.argv[1].encode()
needles = [b"SIM-SECRET-MARKER", b"SIM-ENV-MARKER", b"U0lNLVNFQ1JFVC1NQVJLRVI6",
           base64.b64encode(b"SIM-ENV-MARKER")[:16], token]
found = []
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    found += [(path, n) for n in needles if n in data]
    found += [(path, "UTF-16 " + n.decode()) for n in needles if n.decode().encode("utf-16-le") in data]
assert not found, found
assert len(sys.argv) > 7, sys.argv
EOF
ok $? "no Secret value, env value or token in cache.db, its WAL, state.db, the log or the output"
pycheck "$D/cache.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
kinds = {k for (k,) in c.execute("SELECT DISTINCT kind FROM objects")}
assert "secrets" not in kinds, kinds
assert {"pods", "deployments", "namespaces"} <= kinds, kinds
EOF
ok $? "cache.db holds pods, deployments, namespaces and no Secret object"
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null

pycheck "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$LOG" <<'EOF'
import os, stat, sys
bad = []
for top in sys.argv[1:3]:
    for root, dirs, files in os.walk(top):
        m = stat.S_IMODE(os.stat(root).st_mode)
        if m != 0o700:
            bad.append((root, oct(m)))
        for f in files:
            p = os.path.join(root, f)
            m = stat.S_IMODE(os.stat(p).st_mode)
            if m != 0o600:
                bad.append((p, oct(m)))
m = stat.S_IMODE(os.stat(sys.argv[3]).st_mode)
if m != 0o600:
    bad.append((sys.argv[3], oct(m)))
assert not bad, bad
EOF
ok $? "under umask 000: every directory 0700, every file 0600 (databases, WAL, shm, log)"

plan_done
