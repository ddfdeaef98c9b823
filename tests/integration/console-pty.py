#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/console-pty.py - the real console on a pseudo-terminal against the simulated
# platform: SIGHUP/SIGTERM end it cleanly with the databases flushed, stdin EOF ends it, Ctrl-C
# and q work while a request hangs, an unknown TERM falls back, an interactive exec credential
# plugin borrows the terminal (answered, or cancelled with Ctrl-C), and hostile strings from the
# cluster never reach the terminal as escape sequences. Prints TAP.
import base64
import fcntl
import json
import os
import pty
import resource
import select
import shutil
import signal
import sqlite3
import ssl
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request

SRC = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
OPSDECK = os.environ.get("OPSDECK", os.path.join(BUILD, "opsdeck"))
PYTHON3 = os.environ.get("PYTHON3", sys.executable)
PLATFORM = os.path.join(SRC, "examples", "deploy-mcp", "platform.yml")
CLOCK = "2026-11-24T03:12:00Z"
BOUND = 15.0  # seconds any single wait may take
TOKEN = "console-pty-token"

results = []


def ok(cond, name, diag=None):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and diag:
        for line in str(diag).splitlines()[-40:]:
            print("# " + line)
    sys.stdout.flush()


def poll_until(pred, bound=BOUND, step=0.05):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Sim:
    """kubesim on a free loopback port with TLS and a bearer token (as sim/lib.sh starts it)."""

    def __init__(self, root):
        self.dir = os.path.join(root, "sim")
        os.makedirs(self.dir)
        pki = os.path.join(self.dir, "pki")
        subprocess.run(["sh", os.path.join(SRC, "sim", "mkcerts.sh"), pki], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ca = os.path.join(pki, "ca.crt")
        self.port_file = os.path.join(self.dir, "port")
        self.log = open(os.path.join(self.dir, "sim.log"), "ab")
        env = dict(os.environ, OPSDECK_CLOCK=CLOCK)
        self.proc = subprocess.Popen(
            [PYTHON3, os.path.join(SRC, "sim", "kubesim.py"), "--port-file", self.port_file,
             "--port", "0", "--tls-cert", os.path.join(pki, "server.crt"),
             "--tls-key", os.path.join(pki, "server.key"), "--token", TOKEN,
             "--state-dir", os.path.join(self.dir, "state")],
            stdout=self.log, stderr=self.log, env=env, stdin=subprocess.DEVNULL)
        if not poll_until(lambda: os.path.exists(self.port_file) or self.proc.poll() is not None,
                          60):
            raise RuntimeError("kubesim did not start")
        if self.proc.poll() is not None:
            raise RuntimeError("kubesim exited at start")
        with open(self.port_file) as f:
            self.port = int(f.read().strip())
        self.url = "https://127.0.0.1:%d" % self.port
        self.ssl = ssl.create_default_context(cafile=self.ca)

    def ctl(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/_sim/" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.ssl, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def kubeconfig(self, path, user=None, ca_file=None):
        """A kubeconfig for this sim; user: the `user:` mapping (default: the token)."""
        with open(ca_file or self.ca, "rb") as f:
            ca = base64.b64encode(f.read()).decode()
        doc = {
            "apiVersion": "v1", "kind": "Config", "current-context": "default",
            "clusters": [{"name": "default", "cluster": {
                "server": self.url, "certificate-authority-data": ca}}],
            "contexts": [{"name": "default", "context": {"cluster": "default",
                                                         "user": "default"}}],
            "users": [{"name": "default", "user": user or {"token": TOKEN}}],
        }
        with open(path, "w") as f:
            json.dump(doc, f)  # JSON is YAML
        os.chmod(path, 0o600)
        return path

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Console:
    """opsdeck on a pty that is its controlling terminal, with its own HOME and XDG dirs."""

    def __init__(self, home, args=(), env=None, rows=24, cols=80):
        self.buf = b""
        self.status = None
        e = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "OPSDECK_CLOCK": CLOCK,
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "XDG_STATE_HOME": os.path.join(home, ".state"),
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(env or {})
        argv = [OPSDECK, "--platform", PLATFORM] + list(args)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                set_size(0, rows, cols)
                os.execve(OPSDECK, argv, e)
            finally:
                os._exit(127)
        set_size(self.fd, rows, cols)

    def _read(self, left):
        r, _, _ = select.select([self.fd], [], [], max(left, 0))
        if not r:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.buf += data
        return True

    def read_until(self, needle, bound=BOUND, start=0):
        """True once needle appears after offset start; False on timeout or EOF."""
        if isinstance(needle, str):
            needle = needle.encode()
        deadline = time.monotonic() + bound
        while needle not in self.buf[start:]:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                return needle in self.buf[start:]
        return True

    def quiet(self, period=0.3, bound=BOUND):
        """Reads until nothing arrives for period seconds."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            n = len(self.buf)
            if not self._read(period) or len(self.buf) == n:
                return

    def send(self, data):
        os.write(self.fd, data)

    def wait(self, bound=BOUND):
        """Exit status (negative: killed by that signal), or None after bound."""
        if self.status is not None:
            return self.status
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                while self.fd >= 0 and self._read(0) and select.select([self.fd], [], [], 0)[0]:
                    pass
                return self.status
            if self.fd >= 0:
                self._read(0.05)
            else:
                time.sleep(0.05)
        return None

    def text(self):
        return self.buf.decode("utf-8", "replace")

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait(5)
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1


def live(c, bound=BOUND):
    """The first screen, live: the nodes and the header's "API live"."""
    return c.read_until("run-2", bound) and c.read_until("live", bound)


def db_counts(home):
    """(pods in cache.db, `:` history lines in state.db, cache integrity) read by sqlite3."""
    cache = os.path.join(home, ".cache", "opsdeck", "cache.db")
    state = os.path.join(home, ".state", "opsdeck", "state.db")
    with sqlite3.connect("file:%s?mode=ro" % cache, uri=True) as db:
        pods = db.execute("SELECT count(*) FROM objects WHERE kind = 'pods'").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    with sqlite3.connect("file:%s?mode=ro" % state, uri=True) as db:
        lines = [r[0] for r in db.execute("SELECT line FROM history ORDER BY id")]
    return pods, lines, integrity


def test_signals(sim, root):
    """SIGHUP and SIGTERM: status 0, terminal restored, both databases written."""
    kc = sim.kubeconfig(os.path.join(root, "signals.kc"))
    for sig in (signal.SIGHUP, signal.SIGTERM):
        home = os.path.join(root, "home-" + sig.name)
        c = Console(home, ["--kubeconfig", kc])
        try:
            good = live(c)
            mark = len(c.buf)
            c.send(b":pods\r")
            good = good and c.read_until("pods(all)", start=mark) and \
                c.read_until("api-7d9c8-x2bq", start=mark)
            # At once: the cache writer may still hold the session's last writes.
            os.kill(c.pid, sig)
            st = c.wait()
            ok(good and st == 0, "%s ends the console with status 0" % sig.name,
               "status %r\n%s" % (st, c.text()[-2000:]))
            ok(b"\x1b[?1049l" in c.buf, "%s: the terminal is restored" % sig.name)
            try:
                pods, lines, integrity = db_counts(home)
            except sqlite3.Error as e:
                pods, lines, integrity = -1, [], str(e)
            ok(integrity == "ok" and pods == 55,
               "%s: cache.db is readable by sqlite3 and holds the 55 pods" % sig.name,
               "integrity %r, pods %r" % (integrity, pods))
            ok("pods" in lines, "%s: state.db has the `:pods` command in its history" % sig.name,
               "history %r" % lines)
        finally:
            c.kill()


def test_stdin_eof(sim, root):
    """stdin at EOF (a pipe) with the screen on a pty: it ends, it never spins."""
    kc = sim.kubeconfig(os.path.join(root, "eof.kc"))
    home = os.path.join(root, "home-eof")
    master, slave = pty.openpty()
    set_size(master, 24, 80)
    rfd, wfd = os.pipe()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color",
        "LC_ALL": "C.UTF-8", "TZ": "UTC", "OPSDECK_CLOCK": CLOCK, "HOME": home,
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".state"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    proc = subprocess.Popen([OPSDECK, "--platform", PLATFORM, "--kubeconfig", kc], stdin=rfd,
                            stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(rfd)
    os.close(slave)
    c = Console.__new__(Console)
    c.buf, c.fd, c.pid, c.status = b"", master, proc.pid, None
    try:
        good = live(c)
        t0 = time.monotonic()
        os.close(wfd)
        wfd = -1
        st = c.wait()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        ok(good and st == 0, "stdin EOF under a pty ends the console with status 0",
           "status %r\n%s" % (st, c.text()[-2000:]))
        ok(time.monotonic() - t0 < 5, "and it ended promptly (%.2f s)" % (time.monotonic() - t0))
        ok(b"\x1b[?1049l" in c.buf, "stdin EOF: the terminal is restored")
        print("# children CPU so far: %.2f s" % (ru.ru_utime + ru.ru_stime))
    finally:
        if wfd >= 0:
            os.close(wfd)
        c.kill()
        proc.wait()


def test_hang(sim, root):
    """Every request hangs (sim fault `hang`): the cached data shows at once, and Ctrl-C and q
    still end the console at once."""
    kc = sim.kubeconfig(os.path.join(root, "hang.kc"))
    home = os.path.join(root, "home-hang")
    c = Console(home, ["--kubeconfig", kc])
    try:
        filled = live(c)
        c.send(b"q")
        filled = c.wait() == 0 and filled
    finally:
        c.kill()
    sim.ctl("POST", "faults", {"kind": "hang", "seconds": 60, "count": 1000})
    try:
        for name, keys in (("Ctrl-C", b"\x03"), ("q", b"q")):
            t0 = time.monotonic()
            c = Console(home, ["--kubeconfig", kc])
            try:
                cached = c.read_until("run-2") and c.read_until("connecting")
                shown = time.monotonic() - t0
                ok(filled and cached and shown < 3,
                   "API hanging: the cached nodes are on screen at once (%.2f s), the header "
                   "says connecting" % shown, c.text()[-2000:])
                # Until the console's requests are held by the sim (slow under valgrind).
                poll_until(lambda: sum(f.get("hits", 0)
                                       for f in sim.ctl("GET", "faults")["faults"]) > 0)
                c.quiet(0.2, 3)
                hanging = sum(f.get("hits", 0) for f in sim.ctl("GET", "faults")["faults"])
                t0 = time.monotonic()
                c.send(keys)
                st = c.wait(5)
                took = time.monotonic() - t0
                ok(hanging > 0 and st == 0 and took < 3,
                   "%s quits (status 0) in %.2f s while the API requests hang" % (name, took),
                   "status %r, hanging requests %r\n%s" % (st, hanging, c.text()[-2000:]))
            finally:
                c.kill()
    finally:
        sim.ctl("DELETE", "faults")


def test_unknown_term(sim, root):
    kc = sim.kubeconfig(os.path.join(root, "term.kc"))
    c = Console(os.path.join(root, "home-term"), ["--kubeconfig", kc],
                env={"TERM": "opsdeck-unknown-term"})
    try:
        good = live(c)
        ok(good and b"TERM=opsdeck-unknown-term is unknown here; using vt100" in c.buf,
           "an unknown TERM: warned, and the console runs (nodes shown, API live)",
           c.text()[-2000:])
        c.send(b"q")
        ok(c.wait() == 0, "unknown TERM: q quits with status 0")
    finally:
        c.kill()


PLUGIN = r"""#!/bin/sh
printf 'Password for the simulated platform: ' >&2
read -r pw || exit 1
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
printf '"status":{"token":"%s"}}\n' "$pw"
"""


def test_exec_plugin(sim, root):
    """interactiveMode Always: the console lends the terminal; answered, or cancelled."""
    plugin = os.path.join(root, "sim-login")
    with open(plugin, "w") as f:
        f.write(PLUGIN)
    os.chmod(plugin, 0o755)
    kc = sim.kubeconfig(os.path.join(root, "exec.kc"), user={"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": plugin,
        "interactiveMode": "Always"}})

    c = Console(os.path.join(root, "home-exec1"), ["--kubeconfig", kc])
    try:
        prompted = c.read_until("Password for the simulated platform: ")
        ok(prompted and b"\x1b[?1049l" in c.buf,
           "exec plugin: the console leaves the screen and the plugin prompts on the terminal",
           c.text()[-2000:])
        mark = len(c.buf)
        c.send(TOKEN.encode() + b"\r")
        back = c.read_until("\x1b[?1049h", start=mark)
        ok(back and c.read_until("run-2", start=mark) and c.read_until("live", start=mark),
           "the typed answer is the token: the console comes back and shows the data",
           c.text()[-2000:])
        c.send(b"q")
        ok(c.wait() == 0, "exec plugin answered: q quits with status 0")
    finally:
        c.kill()

    c = Console(os.path.join(root, "home-exec2"), ["--kubeconfig", kc])
    try:
        prompted = c.read_until("Password for the simulated platform: ")
        mark = len(c.buf)
        c.send(b"\x03")
        back = c.read_until("\x1b[?1049h", start=mark)
        ok(prompted and back and c.read_until("API ", start=mark) and
           c.read_until("credentials: exec plugin", start=mark) and
           c.read_until("sim-login cancel", start=mark),
           "Ctrl-C cancels the plugin: back in the console, the header names the credential "
           "error", c.text()[-2000:])
        mark = len(c.buf)
        st = c.wait(3)
        ok(st is None and b"Password for" not in c.buf[mark:],
           "the console keeps running and does not run the plugin again by itself",
           "status %r\n%s" % (st, c.text()[-2000:]))
        mark = len(c.buf)
        c.send(b":ctx default\r")
        again = c.read_until("Password for the simulated platform: ", start=mark)
        mark = len(c.buf)
        c.send(TOKEN.encode() + b"\r")
        ok(again and c.read_until("run-2", start=mark) and c.read_until("live", start=mark),
           ":ctx default asks again; answered, the data shows", c.text()[-2000:])
        c.send(b"q")
        ok(c.wait() == 0, "then q quits with status 0")
    finally:
        c.kill()


def test_hostile(sim, root):
    """Hostile strings from the cluster: drawn inert, never sent to the terminal as such."""
    import runpy
    hostile = runpy.run_path(os.path.join(SRC, "tests", "screens", "console-hostile.py"))
    sim.ctl("POST", "objects", hostile["OBJECTS"])
    kc = sim.kubeconfig(os.path.join(root, "hostile.kc"))
    c = Console(os.path.join(root, "home-hostile"), ["--kubeconfig", kc], rows=50, cols=160)
    try:
        good = live(c)
        # Every place they show: the pods (names, states), a pod's detail (labels, container,
        # its state's message, conditions), the tenants (the tenant label), the projects (the
        # namespace name).
        missed = []
        for keys, want in ((b":pods\r", "pods(all)"), (b"/-l opsdeck-test=hostile\r", None),
                           (b"g", None), (b"d", "Containers"), (b"\x1b\x1b", None),
                           (b"/csi\r", None), (b"d", "Conditions"), (b"\x1b\x1b", None),
                           (b":tenants\r", "evil\ufffdtxt.exe"), (b"/evil\r", None),
                           (b"\r", "projects("), (b"\r", "workloads(")):
            mark = len(c.buf)
            c.send(keys)
            if want and not c.read_until(want, start=mark):
                missed.append(want)
            c.quiet(0.2, 3)
        ok(good and not missed,
           "hostile objects: the console shows them in pods, detail, tenants, projects",
           "missed %r\n%s" % (missed, c.text()[-3000:]))
        for raw, shown in hostile["RAW_SHOWN"]:
            if raw is not None:
                ok(raw not in c.buf, "the raw output holds no %r" % raw)
            if shown is not None:
                ok(shown in c.buf, "drawn inert as %r" % shown)
        c.send(b"q")
        ok(c.wait() == 0, "hostile strings: q quits with status 0")
    finally:
        c.kill()


def main():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if not os.access(OPSDECK, os.X_OK):
        print("Bail out! %s not built" % OPSDECK)
        return 1
    root = tempfile.mkdtemp(prefix="opsdeck-console-pty.")
    sim = None
    try:
        try:
            sim = Sim(root)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            print("Bail out! the simulated platform did not start: %s" % e)
            return 1
        for t in (test_signals, test_stdin_eof, test_hang, test_unknown_term, test_exec_plugin,
                  test_hostile):
            if os.environ.get("CONSOLE_PTY_ONLY", t.__name__) != t.__name__:
                continue
            t0 = time.monotonic()
            try:
                t(sim, root)
            except Exception as e:  # a broken test is a failure, not a crash of the plan
                ok(False, "%s raised %r" % (t.__name__, e))
            print("# %s: %.1f s" % (t.__name__, time.monotonic() - t0))
    finally:
        if sim:
            sim.stop()
        shutil.rmtree(root, ignore_errors=True)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
