#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/net-exec-pty.py - an interactive exec credential plugin on a real pty:
# the plugin prompts on the terminal and gets the answer; Ctrl-C cancels it and the
# driver's loop keeps running (tests/integration/net-exec-driver.c).
import os
import pty
import select
import shutil
import signal
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir", ".")
DRIVER = os.path.join(BUILD, "tests", "integration", "net-exec-driver")
V1 = "client.authentication.k8s.io/v1"

n = 0
failed = 0


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        for line in detail.splitlines():
            print("# " + line)
    sys.stdout.flush()


class Session:
    """The driver on a fresh pty; every read is bounded in time."""

    def __init__(self, plugin):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(DRIVER, [DRIVER, plugin])
        self.out = b""

    def expect(self, text, timeout=10.0):
        deadline = time.monotonic() + timeout
        while text.encode() not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return text.encode() in self.out
            if not chunk:
                return text.encode() in self.out
            self.out += chunk
        return True

    def send(self, data):
        os.write(self.fd, data)

    def finish(self, timeout=10.0):
        """Reads to EOF and returns the exit status (None: killed after timeout)."""
        self.expect("\0never\0", timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.01)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return None

    def text(self):
        return self.out.decode("utf-8", "replace")


def write_plugin(d, name, body):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, 0o755)
    return path


def main():
    if not os.access(DRIVER, os.X_OK):
        print("Bail out! %s not built" % DRIVER)
        return 1
    d = tempfile.mkdtemp(prefix="opsdeck-net-pty-")
    try:
        prompt = write_plugin(d, "login", r"""
printf 'Password: ' >&2
read -r pw || exit 1
printf '{"apiVersion":"%s","kind":"ExecCredential",' '""" + V1 + r"""'
printf '"status":{"token":"%s-token"}}\n' "$pw"
""")
        stubborn = write_plugin(d, "stubborn", r"""
trap '' INT
printf 'Password (Ctrl-C is ignored here): ' >&2
exec sleep 30
""")

        # 1. The plugin prompts on the terminal, the user answers.
        s = Session(prompt)
        ok(s.expect("[terminal released]") and s.expect("Password: "),
           "interactive plugin: terminal released, plugin prompts", s.text())
        s.send(b"hunter2\n")
        ok(s.expect("RESULT OK token=hunter2-token"), "answer typed on the pty reaches the plugin",
           s.text())
        ok(s.expect("[terminal reclaimed]"), "terminal reclaimed after the plugin", s.text())
        ok(s.expect("ALIVE 3"), "the loop runs on after the plugin", s.text())
        ok(s.finish() == 0, "driver exits cleanly", s.text())

        # 2. Ctrl-C at the prompt: the plugin dies, the request is cancelled.
        s = Session(prompt)
        ok(s.expect("Password: "), "second run prompts", s.text())
        s.send(b"\x03")
        ok(s.expect("RESULT CANCELLED"), "Ctrl-C cancels the plugin", s.text())
        ok(s.expect("[interrupt "), "Ctrl-C reached the console too (it keeps the foreground)",
           s.text())
        ok(s.expect("[terminal reclaimed]") and s.expect("ALIVE 3"),
           "terminal reclaimed and the loop keeps running after Ctrl-C", s.text())
        ok(s.finish() == 0, "driver survives Ctrl-C and exits cleanly", s.text())

        # 3. A plugin that ignores SIGINT is still stopped by the interrupt.
        s = Session(stubborn)
        ok(s.expect("Ctrl-C is ignored here"), "stubborn plugin prompts", s.text())
        t0 = time.monotonic()
        s.send(b"\x03")
        ok(s.expect("RESULT CANCELLED") and time.monotonic() - t0 < 5,
           "Ctrl-C cancels a plugin that ignores SIGINT", s.text())
        ok(s.expect("ALIVE 3") and s.finish() == 0, "loop keeps running, clean exit", s.text())
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
