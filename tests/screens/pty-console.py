#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/screens/pty-console.py - the console on a real pseudo-terminal: quitting every way, a dead
# terminal, suspend/resume, resize, and no output at all while idle. Prints TAP.
import fcntl
import os
import pty
import resource
import select
import signal
import struct
import subprocess
import sys
import termios
import time

BUILD = os.environ.get("top_builddir", ".")
DEMO = os.environ.get("SCREEN_BIN", os.path.join(BUILD, "tests", "screens", "screen-demo"))
BOUND = 10.0  # seconds any single wait may take

ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "TERM": "xterm-256color",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "OPSDECK_CLOCK": "2026-11-24T03:12:00Z",
    "HOME": "/nonexistent",
}
for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if k in os.environ:
        ENV[k] = os.environ[k]

results = []


def ok(cond, name, diag=None):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and diag:
        for line in str(diag).splitlines():
            print("# " + line)
    sys.stdout.flush()


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Console:
    """The demo on a pty that is its controlling terminal (pty.fork).

    job_control: the demo runs as the foreground job of a minimal shell (a
    process group of its own, its parent the session leader), as under a
    real shell; without it the demo's group is orphaned and the kernel
    ignores a stop signal, so suspend could not be observed."""

    def __init__(self, args=(), env=None, rows=24, cols=80, job_control=False):
        self.buf = b""
        self.status = None
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            e = dict(ENV)
            e.update(env or {})
            try:
                set_size(0, rows, cols)
                if job_control:
                    self._shell(e)
                os.execve(DEMO, [DEMO] + list(args), e)
            finally:
                os._exit(127)
        set_size(self.fd, rows, cols)
        self.target = self.pid
        if job_control:
            self.target = self._child_of(self.pid)

    @staticmethod
    def _shell(env):
        job = os.fork()
        if job == 0:
            os.setpgid(0, 0)
            os.execve(DEMO, [DEMO], env)
        os.setpgid(job, job)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(0, job)
        while True:
            _, st = os.waitpid(job, os.WUNTRACED)
            if os.WIFSTOPPED(st):
                continue  # the test sends SIGCONT itself
            os._exit(os.waitstatus_to_exitcode(st) & 0xFF)

    @staticmethod
    def _child_of(pid):
        deadline = time.monotonic() + BOUND
        path = "/proc/%d/task/%d/children" % (pid, pid)
        while time.monotonic() < deadline:
            try:
                with open(path) as f:
                    kids = f.read().split()
                if kids:
                    return int(kids[0])
            except OSError:
                pass
            select.select([], [], [], 0.01)
        return pid

    def read_until(self, needle, bound=BOUND, start=0):
        """Reads until needle appears after offset start; False on timeout or EOF."""
        deadline = time.monotonic() + bound
        while needle not in self.buf[start:]:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            self.buf += data
        return True

    def drain(self, bound=BOUND):
        """Reads until EOF (the console closed its end)."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.fd], [], [], deadline - time.monotonic())
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.buf += data

    def wait(self, bound=BOUND):
        """Exit status (negative: killed by that signal), or None after bound."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            pid, st, ru = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.rusage = ru
                self.status = os.waitstatus_to_exitcode(st)
                self._rest()
                return self.status
            r, _, _ = select.select([self.fd] if self.fd >= 0 else [], [], [], 0.05)
            if r:
                try:
                    self.buf += os.read(self.fd, 65536)
                except OSError:
                    pass
        return None

    def _rest(self):
        """What the console wrote just before it exited, still in the pty."""
        while self.fd >= 0:
            r, _, _ = select.select([self.fd], [], [], 0)
            if not r:
                return
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.buf += data

    def kill(self):
        if self.status is None:
            for pid in {self.target, self.pid}:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.wait(2)
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass


def painted(c):
    return c.read_until(b"F10") and c.read_until(b"Quit")


def state_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "?"


def wait_state(pid, want, bound=BOUND):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if state_of(pid) == want:
            return True
        select.select([], [], [], 0.01)
    return False


def test_quit_keys():
    for name, keys in (("q", b"q"), (":q<Enter>", b":q\r"), ("<F10>", b"\x1b[21~")):
        c = Console()
        try:
            good = painted(c)
            os.write(c.fd, keys)
            st = c.wait()
            ok(good and st == 0, "%s quits with status 0" % name, "status %r" % st)
        finally:
            c.kill()


def test_ctrl_c():
    c = Console()
    try:
        good = painted(c)
        os.write(c.fd, b":no")  # even with the prompt open
        c.read_until(b":no")
        os.write(c.fd, b"\x03")
        st = c.wait()
        ok(good and st == 0, "Ctrl-C (SIGINT from the terminal) quits with status 0, prompt open",
           "status %r" % st)
    finally:
        c.kill()


def test_lent_terminal():
    """A credential plugin has the terminal: Ctrl-C is its, the console stays."""
    c = Console()
    try:
        good = painted(c)
        mark = len(c.buf)
        os.write(c.fd, b":lend\r")
        released = c.read_until(b"\x1b[?1049l", start=mark)
        ok(good and released, "the terminal is lent: curses left it (alternate screen off)")
        mark = len(c.buf)
        os.write(c.fd, b"\x03")
        back = c.read_until(b"credential plugin interrupted", start=mark)
        ok(back, "Ctrl-C while lent interrupts the plugin; the console takes the terminal back")
        ok(c.wait(0.2) is None, "and does not quit")
        os.write(c.fd, b"q")
        ok(c.wait() == 0, "q then quits with status 0")
    finally:
        c.kill()


def test_signals():
    for sig in (signal.SIGHUP, signal.SIGTERM):
        c = Console()
        try:
            good = painted(c)
            os.kill(c.pid, sig)
            st = c.wait()
            ok(good and st == 0, "%s ends it cleanly (status 0)" % sig.name, "status %r" % st)
            ok(b"\x1b[?1049l" in c.buf, "%s: the terminal is restored (alternate screen left)"
               % sig.name)
        finally:
            c.kill()


def test_master_closed():
    c = Console()
    try:
        good = painted(c)
        os.close(c.fd)
        c.fd = -1
        st = c.wait()
        ok(good and st == 0, "the terminal going away (pty closed) ends it with status 0",
           "status %r" % st)
    finally:
        c.kill()


def test_stdin_eof():
    """stdin at EOF (a pipe) with the screen on a pty: it ends, it never spins."""
    master, slave = pty.openpty()
    set_size(master, 24, 80)
    rfd, wfd = os.pipe()
    env = dict(ENV)
    proc = subprocess.Popen([DEMO], stdin=rfd, stdout=slave, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    os.close(rfd)
    os.close(slave)
    c = Console.__new__(Console)
    c.buf, c.fd, c.pid, c.target, c.status = b"", master, proc.pid, proc.pid, None
    try:
        good = painted(c)
        os.close(wfd)
        st = c.wait()
        cpu = c.rusage.ru_utime + c.rusage.ru_stime if st is not None else None
        ok(good and st == 0, "stdin EOF in interactive mode ends it with status 0",
           "status %r" % st)
        ok(cpu is not None and cpu < 2.0, "and it did not spin (CPU %.3f s)" % (cpu or -1))
    finally:
        c.kill()


def test_suspend_resume():
    c = Console(job_control=True)
    try:
        good = painted(c)
        mark = len(c.buf)
        os.kill(c.target, signal.SIGTSTP)
        stopped = wait_state(c.target, "T")
        ok(good and c.target != c.pid and stopped, "SIGTSTP: it leaves curses and stops")
        ok(b"\x1b[?1049l" in c.buf[mark:] or c.read_until(b"\x1b[?1049l", 2, mark),
           "SIGTSTP: the terminal was restored before stopping")
        mark = len(c.buf)
        os.kill(c.target, signal.SIGCONT)
        again = c.read_until(b"Quit", start=mark)
        ok(again, "SIGCONT: the screen is painted again")
        os.write(c.fd, b"q")
        ok(c.wait() == 0, "and q still quits with status 0 after resuming")
    finally:
        c.kill()


def test_resize():
    c = Console()
    try:
        good = painted(c)
        ok(good and b"NODE" not in c.buf, "80 columns: the NODE column is dropped")
        mark = len(c.buf)
        set_size(c.fd, 30, 100)  # the kernel sends SIGWINCH
        os.kill(c.pid, signal.SIGWINCH)
        ok(c.read_until(b"NODE", start=mark), "SIGWINCH to 100x30: every window recomputed, "
           "NODE shown")
        os.write(c.fd, b"q")
        ok(c.wait() == 0, "q after the resize quits with status 0")
    finally:
        c.kill()


def test_size_from_terminal():
    c = Console(env={"LINES": "24", "COLUMNS": "80"}, rows=30, cols=100)
    try:
        good = painted(c) and c.read_until(b"NODE", 2)
        ok(good, "the terminal's own size (100x30) wins over an exported COLUMNS=80")
        os.write(c.fd, b"q")
        c.wait()
    finally:
        c.kill()


def output_bytes(iterations):
    c = Console(args=("--iterations", str(iterations), "--refresh-ms", "1"))
    try:
        c.drain()
        st = c.wait()
        return len(c.buf), st, c.buf
    finally:
        c.kill()


def test_idle_writes_nothing():
    one, st1, buf = output_bytes(1)
    many, st2, _ = output_bytes(80)
    ok(st1 == 0 and st2 == 0, "--iterations N ends with status 0", "status %r %r" % (st1, st2))
    ok(one == many and one > 1000,
       "idle: 80 passes (a refresh tick each) write exactly what 1 pass writes (%d bytes)" % one,
       "1 pass: %d bytes, 80 passes: %d bytes" % (one, many))
    print("# first paint at 80x24, with setup and teardown: %d bytes" % one)


def test_unknown_term():
    c = Console(env={"TERM": "unknown-term"})
    try:
        good = painted(c)
        ok(good and b"TERM=unknown-term is unknown here; using vt100" in c.buf,
           "TERM=unknown-term: warned, and the console runs on vt100")
        os.write(c.fd, b"q")
        ok(c.wait() == 0, "TERM fallback: q quits with status 0")
    finally:
        c.kill()


def main():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for t in (test_quit_keys, test_ctrl_c, test_lent_terminal, test_signals, test_master_closed, test_stdin_eof,
              test_suspend_resume, test_resize, test_size_from_terminal, test_idle_writes_nothing,
              test_unknown_term):
        try:
            t()
        except Exception as e:  # a broken test is a failure, not a crash of the plan
            ok(False, "%s raised %r" % (t.__name__, e))
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
