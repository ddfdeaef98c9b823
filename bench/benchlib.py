# SPDX-License-Identifier: MIT
# benchlib.py - the pieces the platform benchmarks stand on: the simulated API server, a
# byte-counting TCP proxy that can play "server unreachable", a small terminal emulator, the
# console on a pseudo-terminal, and /proc readings. Python 3.11, standard library only.
import codecs
import fcntl
import http.client
import json
import os
import pty
import re
import select
import signal
import socket
import ssl
import statistics
import struct
import subprocess
import tempfile
import termios
import threading
import time
import unicodedata

BOUND = 120.0  # seconds any single wait of the benchmarks may take


def now():
    return time.monotonic()


def median(v):
    return statistics.median(v) if v else float("nan")


def spread(v):
    """(min, median, max) of v."""
    return (min(v), median(v), max(v)) if v else (float("nan"),) * 3


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def poll_until(pred, bound, step=0.05):
    """Calls pred every step seconds until it returns a true value (returned), at most bound
    seconds; None on timeout."""
    end = now() + bound
    while True:
        v = pred()
        if v:
            return v
        if now() >= end:
            return None
        time.sleep(step)


#
# /proc
#

def cpu_ns(pid):
    """CPU time of every live thread of pid, in nanoseconds (schedstat: exact, not ticks)."""
    total = 0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def cpu_ticks_s(pid):
    """utime + stime of pid from /proc/PID/stat, in seconds (clock-tick resolution)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def proc_status(pid):
    """VmHWM, VmRSS, RssAnon … of /proc/PID/status in MiB."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "VmPeak", "VmSize"):
                    out[k] = int(v.split()[0]) / 1024.0
    except OSError:
        pass
    return out


class Usage:
    """What runstat reports of one command: wall seconds, peak RSS (MiB), CPU seconds."""

    def __init__(self, wall, rss_mb, cpu):
        self.wall, self.rss_mb, self.cpu = wall, rss_mb, cpu


def run_timed(runstat, argv, env=None, stdout=subprocess.DEVNULL, timeout=BOUND * 5):
    """Runs argv to completion under runstat (bench/runstat.c: fork, exec, wait4 in a process
    of its own, so the peak RSS is the command's and not a copy of this driver's). A Usage;
    raises when the command fails or outlives timeout."""
    fd, path = tempfile.mkstemp(prefix="runstat.")
    os.close(fd)
    try:
        p = subprocess.run([runstat, path] + list(argv), env=env, stdout=stdout,
                           stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        with open(path) as f:
            fields = f.read().split()
    finally:
        os.unlink(path)
    if p.returncode != 0 or len(fields) != 5:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:3]), p.returncode,
                                                  p.stderr.decode(errors="replace")[-800:]))
    wall, rss, user, sys_ = float(fields[0]), int(fields[1]), float(fields[2]), float(fields[3])
    return Usage(wall, rss / 1024.0, user + sys_)


#
# The simulated API server
#

class Sim:
    """kubesim.py on a free loopback port with TLS and a bearer token, as sim/lib.sh starts it.
    Stopped by PID (stop())."""

    def __init__(self, srcdir, workdir, args=(), python="python3", start_timeout=180):
        self.dir = workdir
        os.makedirs(workdir, exist_ok=True)
        pki = os.path.join(workdir, "pki")
        if not os.path.exists(os.path.join(pki, "server.crt")):
            subprocess.run(["sh", os.path.join(srcdir, "sim", "mkcerts.sh"), pki], check=True)
        self.ca = os.path.join(pki, "ca.crt")
        self.token = os.urandom(16).hex()
        port_file = os.path.join(workdir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.log = open(os.path.join(workdir, "sim.log"), "ab")
        argv = [python, os.path.join(srcdir, "sim", "kubesim.py"), "--port-file", port_file,
                "--tls-cert", os.path.join(pki, "server.crt"),
                "--tls-key", os.path.join(pki, "server.key"), "--token", self.token] + list(args)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("kubesim exited during start-up (see %s/sim.log)" % workdir)
            try:
                with open(port_file) as f:
                    return int(f.read().strip() or 0)
            except (OSError, ValueError):
                return 0
        self.port = poll_until(ready, start_timeout)
        if not self.port:
            self.stop()
            raise RuntimeError("kubesim not listening after %d s" % start_timeout)
        self.url = "https://127.0.0.1:%d" % self.port
        self.ssl = ssl.create_default_context(cafile=self.ca)
        self.kubeconfig = self.write_kubeconfig(os.path.join(workdir, "kubeconfig"), self.port)

    def write_kubeconfig(self, path, port):
        """A k3s-like kubeconfig for this sim's CA and token, pointing at port (the sim's, or
        a proxy's in front of it)."""
        import base64
        with open(self.ca, "rb") as f:
            ca = base64.b64encode(f.read()).decode()
        text = ("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                "    certificate-authority-data: %s\n    server: https://127.0.0.1:%d\n"
                "  name: default\ncontexts:\n- context:\n    cluster: default\n"
                "    user: default\n  name: default\ncurrent-context: default\n"
                "preferences: {}\nusers:\n- name: default\n  user:\n    token: %s\n"
                % (ca, port, self.token))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path

    def conn(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ssl,
                                           timeout=BOUND)

    def request(self, method, path, body=None, conn=None, raw=False, headers=None):
        """One request (control API, or API path with the token); the JSON answer. Raises on
        an HTTP error."""
        own = conn is None
        c = conn or self.conn()
        h = {"Authorization": "Bearer " + self.token}
        h.update(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            out = r.read()
            if r.status >= 300:
                raise RuntimeError("%s %s: HTTP %d %s" % (method, path, r.status, out[:300]))
        finally:
            if own:
                c.close()
        return out if raw else json.loads(out)

    def ctl(self, method, path, body=None, conn=None):
        return self.request(method, "/_sim/" + path, body, conn)

    def stats(self):
        return self.ctl("GET", "stats")

    def wait_watches(self, pred, bound=BOUND):
        """Waits until pred(watches_active) holds; the count, or None on timeout."""
        box = {}

        def check():
            box["n"] = self.stats()["watches_active"]
            return pred(box["n"])
        return box["n"] if poll_until(check, bound, 0.1) else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
        self.log.close()


#
# A TCP proxy that counts bytes and can refuse connections
#

class Proxy:
    """Forwards 127.0.0.1:port to 127.0.0.1:target, counting the bytes each way (TLS records:
    what would cross the network). down() closes every connection and refuses new ones on the
    same port (the API server unreachable, same URL: same cache key); up() listens again."""

    def __init__(self, target):
        self.target = target
        self.lock = threading.Lock()
        self.to_server = 0
        self.to_client = 0
        self.connections = 0
        self.socks = set()
        self.stopping = False
        self.lsock = None
        self.port = 0
        self.up()

    def up(self):
        if self.lsock:
            return
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.port = s.getsockname()[1]
        self.lsock = s
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, args=(s,), daemon=True)
        self.thread.start()

    def down(self):
        if not self.lsock:
            return
        self.stopping = True
        s, self.lsock = self.lsock, None
        self.thread.join(5)
        s.close()
        with self.lock:
            socks = list(self.socks)
        for c in socks:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.down()

    def reset(self):
        with self.lock:
            self.to_server = self.to_client = self.connections = 0

    def counters(self):
        with self.lock:
            return {"to_server": self.to_server, "to_client": self.to_client,
                    "connections": self.connections}

    def _accept(self, lsock):
        while not self.stopping:
            r, _, _ = select.select([lsock], [], [], 0.1)
            if not r:
                continue
            try:
                c, _ = lsock.accept()
            except OSError:
                continue
            try:
                u = socket.create_connection(("127.0.0.1", self.target), timeout=10)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.connections += 1
                self.socks.update((c, u))
            threading.Thread(target=self._pump, args=(c, u), daemon=True).start()

    def _pump(self, c, u):
        peer = {c: u, u: c}
        try:
            while True:
                r, _, _ = select.select([c, u], [], [], 1.0)
                for s in r:
                    data = s.recv(262144)
                    if not data:
                        return
                    with self.lock:
                        if s is c:
                            self.to_server += len(data)
                        else:
                            self.to_client += len(data)
                    peer[s].sendall(data)
        except OSError:
            return
        finally:
            with self.lock:
                self.socks.discard(c)
                self.socks.discard(u)
            c.close()
            u.close()


#
# Terminal emulator: enough of xterm for what ncurses sends with TERM=xterm-256color
#

class Screen:
    """A character grid fed with the bytes a program writes to its terminal: cursor motion,
    erase, insert/delete, scroll regions, REP, pending wrap, UTF-8 (wide characters take two
    cells). Attributes and colours are ignored."""

    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.dec = codecs.getincrementaldecoder("utf-8")("replace")
        self.reset()

    def reset(self):
        self.grid = [[" "] * self.cols for _ in range(self.rows)]
        self.y = self.x = 0
        self.wrap = False
        self.top, self.bot = 0, self.rows - 1
        self.saved = (0, 0)
        self.state = "ground"
        self.seq = ""
        self.last = " "

    def text(self):
        return [self.row(i) for i in range(self.rows)]

    def row(self, i):
        return "".join(self.grid[i]).rstrip()

    def feed(self, data):
        for ch in self.dec.decode(data):
            st = self.state
            if st == "ground":
                if ch == "\x1b":
                    self.state, self.seq = "esc", ""
                elif ch < " " or ch == "\x7f":
                    self._control(ch)
                else:
                    self._put(ch)
            elif st == "esc":
                self._esc(ch)
            elif st == "csi":
                if "\x40" <= ch <= "\x7e":
                    self.state = "ground"
                    self._csi(self.seq, ch)
                elif ch == "\x1b":
                    self.state, self.seq = "esc", ""
                else:
                    self.seq += ch
            elif st == "charset":
                self.state = "ground"
            elif st == "osc":
                if ch == "\x07":
                    self.state = "ground"
                elif ch == "\x1b":
                    self.state = "osc_esc"
            elif st == "osc_esc":
                self.state = "ground" if ch == "\\" else "osc"

    def _control(self, ch):
        if ch == "\r":
            self.x, self.wrap = 0, False
        elif ch in "\n\x0b\x0c":
            self._lf()
        elif ch == "\b":
            self.x, self.wrap = max(0, self.x - 1), False
        elif ch == "\t":
            self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)

    def _lf(self):
        self.wrap = False
        if self.y == self.bot:
            self._scroll_up(1)
        elif self.y < self.rows - 1:
            self.y += 1

    def _scroll_up(self, n):
        for _ in range(min(n, self.bot - self.top + 1)):
            del self.grid[self.top]
            self.grid.insert(self.bot, [" "] * self.cols)

    def _scroll_down(self, n):
        for _ in range(min(n, self.bot - self.top + 1)):
            del self.grid[self.bot]
            self.grid.insert(self.top, [" "] * self.cols)

    def _put(self, ch):
        if unicodedata.combining(ch):
            return
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if self.wrap:
            self.x = 0
            self._lf()
        if wide and self.x == self.cols - 1:
            self.grid[self.y][self.x] = " "
            self.x = 0
            self._lf()
        self.grid[self.y][self.x] = ch
        if wide:
            self.grid[self.y][self.x + 1] = ""
        step = 2 if wide else 1
        if self.x + step >= self.cols:
            self.x = self.cols - 1
            self.wrap = True
        else:
            self.x += step
        self.last = ch

    def _esc(self, ch):
        self.state = "ground"
        if ch == "[":
            self.state, self.seq = "csi", ""
        elif ch == "]":
            self.state = "osc"
        elif ch in "()*+":
            self.state = "charset"
        elif ch == "7":
            self.saved = (self.y, self.x)
        elif ch == "8":
            self.y, self.x = self.saved
            self.wrap = False
        elif ch == "D":
            self._lf()
        elif ch == "E":
            self.x = 0
            self._lf()
        elif ch == "M":
            self.wrap = False
            if self.y == self.top:
                self._scroll_down(1)
            elif self.y > 0:
                self.y -= 1
        elif ch == "c":
            self.reset()

    def _csi(self, seq, final):
        if seq[:1] in ("?", ">", "=", "<") or final in "mhlntpqsu":
            return
        ps = [int(p) if p.isdigit() else 0 for p in seq.split(";")] if seq else []

        def arg(i, default):
            return ps[i] if len(ps) > i and ps[i] else default
        n = arg(0, 1)
        self.wrap = False
        if final == "A":
            self.y = max(self.top if self.y >= self.top else 0, self.y - n)
        elif final == "B":
            self.y = min(self.bot if self.y <= self.bot else self.rows - 1, self.y + n)
        elif final in "Ca":
            self.x = min(self.cols - 1, self.x + n)
        elif final == "D":
            self.x = max(0, self.x - n)
        elif final == "E":
            self.y, self.x = min(self.rows - 1, self.y + n), 0
        elif final == "F":
            self.y, self.x = max(0, self.y - n), 0
        elif final in "G`":
            self.x = min(self.cols - 1, n - 1)
        elif final == "d":
            self.y = min(self.rows - 1, n - 1)
        elif final in "Hf":
            self.y = min(self.rows - 1, arg(0, 1) - 1)
            self.x = min(self.cols - 1, arg(1, 1) - 1)
        elif final == "J":
            m = arg(0, 0)
            if m == 0:
                self._erase(self.y, self.x, self.cols)
                for r in range(self.y + 1, self.rows):
                    self._erase(r, 0, self.cols)
            elif m == 1:
                for r in range(0, self.y):
                    self._erase(r, 0, self.cols)
                self._erase(self.y, 0, self.x + 1)
            else:
                for r in range(self.rows):
                    self._erase(r, 0, self.cols)
        elif final == "K":
            m = arg(0, 0)
            if m == 0:
                self._erase(self.y, self.x, self.cols)
            elif m == 1:
                self._erase(self.y, 0, self.x + 1)
            else:
                self._erase(self.y, 0, self.cols)
        elif final == "X":
            self._erase(self.y, self.x, min(self.cols, self.x + n))
        elif final == "b":
            for _ in range(n):
                self._put(self.last)
        elif final == "@":
            line = self.grid[self.y]
            line[self.x:self.x] = [" "] * n
            del line[self.cols:]
        elif final == "P":
            line = self.grid[self.y]
            del line[self.x:self.x + n]
            line.extend([" "] * (self.cols - len(line)))
        elif final in "LM":
            if self.top <= self.y <= self.bot:
                saved = self.top
                self.top = self.y
                (self._scroll_down if final == "L" else self._scroll_up)(n)
                self.top = saved
                self.x = 0
        elif final == "S":
            self._scroll_up(n)
        elif final == "T":
            self._scroll_down(n)
        elif final == "r":
            self.top = arg(0, 1) - 1
            self.bot = min(self.rows, arg(1, self.rows)) - 1
            if self.top >= self.bot:
                self.top, self.bot = 0, self.rows - 1
            self.y = self.x = 0

    def _erase(self, r, a, b):
        line = self.grid[r]
        for i in range(a, b):
            line[i] = " "


#
# The console on a pseudo-terminal
#

class Console:
    """The opsdeck console as the child of a pty (its controlling terminal), at rows × cols.
    Everything it writes goes through a Screen; out_bytes counts it and marks keeps (time, total)
    per read. Timed from just before the fork."""

    def __init__(self, argv, env, rows=50, cols=160):
        self.rows, self.cols = rows, cols
        self.screen = Screen(rows, cols)
        self.out_bytes = 0
        self.marks = []
        self.tail = bytearray()        # the last 64 KiB written, for diagnostics
        self.status = None
        self.rusage = None
        self.t0 = now()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def pump(self, timeout):
        """Reads what is there (waiting at most timeout s for the first bytes); True when
        something was read."""
        got = False
        while True:
            r, _, _ = select.select([self.fd], [], [], timeout)
            if not r:
                return got
            try:
                data = os.read(self.fd, 262144)
            except OSError:
                data = b""
            if not data:
                self._reap(0.5)
                return got
            self.out_bytes += len(data)
            self.tail += data
            del self.tail[:-65536]
            self.marks.append((now(), self.out_bytes))
            self.screen.feed(data)
            got = True
            timeout = 0

    def wait_for(self, pred, bound=BOUND):
        """Pumps until pred(screen) holds after a read; the time it first held (monotonic), or
        None after bound seconds or when the console exits."""
        end = now() + bound
        if pred(self.screen):
            return now()
        while now() < end and self.alive():
            if self.pump(min(0.05, max(0.0, end - now()))) and pred(self.screen):
                return self.marks[-1][0]
        return None

    def settle(self, quiet=0.5, bound=BOUND, cpu_quiet_ns=5_000_000):
        """Pumps until nothing was written for quiet seconds and the process used less than
        cpu_quiet_ns of CPU in that window. Returns the time taken, or None after bound."""
        t0 = now()
        end = t0 + bound
        while now() < end and self.alive():
            c0 = cpu_ns(self.pid)
            w0 = now()
            wrote = False
            while now() - w0 < quiet:
                if self.pump(max(0.0, quiet - (now() - w0))):
                    wrote = True
            c1 = cpu_ns(self.pid)
            if not wrote and c0 is not None and c1 is not None and c1 - c0 < cpu_quiet_ns:
                return now() - t0
        return None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        os.write(self.fd, data)

    def command(self, text, quiet=0.5):
        """Types `:text` and Enter, then settles."""
        self.send(":" + text)
        self.pump(0.1)
        self.send("\r")
        return self.settle(quiet)

    def alive(self):
        return self.status is None and not self._reap(0)

    def _reap(self, bound):
        if self.status is not None:
            return True
        end = now() + bound
        while True:
            pid, st, ru = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                self.rusage = ru
                return True
            if now() >= end:
                return False
            time.sleep(0.01)

    def quit(self, bound=60):
        """q, then waits (the databases are flushed on the way out); TERM then KILL by PID
        when it does not end. The exit status."""
        if self.alive():
            try:
                self.send("q")
            except OSError:
                pass
            end = now() + bound
            while now() < end and not self._reap(0):
                self.pump(0.05)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self._reap(0):
                    break
                os.kill(self.pid, sig)
                self._reap(10)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return self.status


def console_env(home, extra=None):
    """A clean environment for the console: its own HOME and XDG directories under home."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color",
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC", "HOME": home}
    for x, d in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                 ("XDG_STATE_HOME", "state")):
        env[x] = os.path.join(home, d)
        os.makedirs(env[x], mode=0o700, exist_ok=True)
    env.update(extra or {})
    return env


def table_rows(screen_rows):
    """(index of the table's title row, index of the last non-blank row before the bottom
    line) on a console screen: the title row is the first one starting with NAME or NAMESPACE
    (or TENANT)."""
    title = None
    for i, line in enumerate(screen_rows):
        if re.match(r"\s*(NAME|NAMESPACE|TENANT)\S*\s", line):
            title = i
            break
    if title is None:
        return None, None
    last = title
    for i in range(title + 1, len(screen_rows) - 1):
        if screen_rows[i].strip():
            last = i
    return title, last
