#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# selftest.py - the benchmark drivers' own pieces, without timing: the terminal emulator that
# decides when the first screen is complete, the byte-counting proxy that plays "API server
# unreachable", the table finder, and runstat's peak RSS. Prints TAP.
import os
import socket
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import Proxy, Screen, run_timed, table_rows  # noqa: E402

results = []


def ok(cond, name, diag=None):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("# " + line)
    sys.stdout.flush()


def screen(rows, cols, data):
    s = Screen(rows, cols)
    s.feed(data)
    return s


# --- terminal emulator ---------------------------------------------------------------------

s = screen(3, 10, b"\x1b[2;3Habc\x1b[1;1Hxy")
ok(s.text() == ["xy", "  abc", ""], "CUP places text, 1-based", s.text())

s = screen(2, 10, b"0123456789\x1b[1;4H\x1b[K")
ok(s.row(0) == "012", "EL erases to the end of the line", s.text())

s = screen(2, 10, b"0123456789\x1b[1;4H\x1b[1K")
ok(s.row(0) == "    456789", "EL 1 erases to the cursor", s.text())

s = screen(3, 5, b"aaaaa\r\nbbbbb\r\nccccc\x1b[2;3H\x1b[J")
ok(s.text() == ["aaaaa", "bb", ""], "ED erases below", s.text())

s = screen(3, 5, b"aaaaa\x1b[2J")
ok(s.text() == ["", "", ""], "ED 2 clears the screen", s.text())

s = screen(1, 20, b"-\x1b[4bx")
ok(s.row(0) == "-----x", "REP repeats the last character", s.text())

s = screen(1, 10, b"abcdefgh\x1b[1;3H\x1b[3X")
ok(s.row(0) == "ab   fgh", "ECH erases characters in place", s.text())

s = screen(3, 10, b"\x1b[3d\x1b[5Gz")
ok(s.row(2) == "    z", "VPA and HPA", s.text())

s = screen(2, 4, b"abcdef")
ok(s.text() == ["abcd", "ef"], "autowrap after the last column (pending wrap)", s.text())

s = screen(2, 4, b"abcd\x1b[2;1Hx")
ok(s.text() == ["abcd", "x"], "a cursor move cancels the pending wrap", s.text())

s = screen(3, 4, b"1\r\n2\r\n3\r\n4")
ok(s.text() == ["2", "3", "4"], "LF on the last line scrolls", s.text())

s = screen(4, 4, b"a\r\nb\r\nc\r\nd\x1b[2;3r\x1b[3;1H\nX")
ok(s.text() == ["a", "c", "X", "d"], "LF scrolls only inside the scroll region", s.text())

s = screen(4, 4, b"a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[L")
ok(s.text() == ["a", "", "b", "c"], "IL inserts a line, the last one drops", s.text())

s = screen(4, 4, b"a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[M")
ok(s.text() == ["a", "c", "d", ""], "DL deletes a line", s.text())

s = screen(3, 4, b"a\r\nb\r\nc\x1b[1;1H\x1bM")
ok(s.text() == ["", "a", "b"], "RI at the top scrolls down", s.text())

s = screen(1, 10, b"abcdef\x1b[1;2H\x1b[2P")
ok(s.row(0) == "adef", "DCH deletes characters", s.text())

s = screen(1, 10, b"abc\x1b[1;2H\x1b[2@")
ok(s.row(0) == "a  bc", "ICH inserts blanks", s.text())

s = screen(1, 20, "\x1b[1;31m\x1b(B\x1b]0;title\x07a\u2191b\x1b[m\x1b[?25l".encode())
ok(s.row(0) == "a\u2191b", "SGR, charset, OSC and modes leave no trace", s.text())

s = screen(1, 10, "\u6f22x".encode())
ok(s.row(0) == "\u6f22x" and s.x == 3, "a wide character takes two cells", (s.text(), s.x))

data = "\x1b[1;1H\u2191z".encode()
s = Screen(1, 10)
for i in range(len(data)):
    s.feed(data[i:i + 1])
ok(s.row(0) == "\u2191z", "UTF-8 and escapes split at every byte", s.text())

s = screen(2, 10, b"ab\x1b7\x1b[2;5Hc\x1b8d")
ok(s.text() == ["abd", "    c"], "save and restore the cursor", s.text())

# --- table finder --------------------------------------------------------------------------

rows = ["opsdeck  header", "API live", "nodes (3)", "NAME\u2191  POOL", "a  x", "b  y", "", "",
        "F1Help"]
ok(table_rows(rows) == (3, 5), "table_rows: title row and last row", table_rows(rows))
ok(table_rows(["nothing", "here"]) == (None, None), "table_rows: no table")

# --- proxy ---------------------------------------------------------------------------------


def echo_server():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    ls.settimeout(10)

    def serve():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            c.settimeout(10)
            try:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    c.sendall(d * 2)
            except OSError:
                pass
            c.close()
    threading.Thread(target=serve, daemon=True).start()
    return ls


ls = echo_server()
px = Proxy(ls.getsockname()[1])
c = socket.create_connection(("127.0.0.1", px.port), timeout=10)
c.sendall(b"x" * 1000)
got = b""
while len(got) < 2000:
    d = c.recv(65536)
    if not d:
        break
    got += d
cnt = px.counters()
ok(len(got) == 2000 and cnt == {"to_server": 1000, "to_client": 2000, "connections": 1},
   "proxy forwards and counts both directions", (len(got), cnt))

px.down()
c.settimeout(10)
try:
    closed = c.recv(10) == b""
except OSError:
    closed = True
ok(closed, "proxy down closes open connections")
try:
    socket.create_connection(("127.0.0.1", px.port), timeout=5).close()
    refused = False
except OSError:
    refused = True
ok(refused, "proxy down refuses new connections on its port")
port = px.port
px.up()
c2 = socket.create_connection(("127.0.0.1", px.port), timeout=10)
c2.sendall(b"y")
ok(px.port == port and c2.recv(10) == b"yy", "proxy up listens again on the same port")
c2.close()
c.close()
px.reset()
ok(px.counters() == {"to_server": 0, "to_client": 0, "connections": 0}, "proxy counters reset")
px.close()
ls.close()

# --- runstat -------------------------------------------------------------------------------

runstat = os.path.join(os.environ.get("top_builddir", "."), "bench", "runstat")
if os.access(runstat, os.X_OK):
    fat = bytearray(300 << 20)           # this driver is fat; the command it runs is not
    for i in range(0, len(fat), 4096):
        fat[i] = 1
    u = run_timed(runstat, ["true"])
    ok(u.rss_mb < 50, "runstat: peak RSS is the command's, not the driver's (%.1f MB)"
       % u.rss_mb)
    del fat
    u = run_timed(runstat, [sys.executable, "-c", "b = bytearray(120 << 20)\n"
                            "for i in range(0, len(b), 4096): b[i] = 1"])
    ok(u.rss_mb >= 120 and u.wall > 0 and u.cpu > 0,
       "runstat: a command's own peak RSS and CPU (%.1f MB)" % u.rss_mb)
    try:
        run_timed(runstat, ["sh", "-c", "exit 3"])
        failed = False
    except RuntimeError as e:
        failed = "exited 3" in str(e)
    ok(failed, "runstat: a failing command is an error with its status")
else:
    ok(False, "runstat built at %s" % runstat)

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
