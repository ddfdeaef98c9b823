#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# logs-follow.py - the logs pane following 2,000 lines/s for 10 minutes: CPU (<= 25 % of one
# core) and memory (flat once the ring is full), read from /proc/PID/stat and status.
#
#   bench/logs-follow.py --builddir BUILD [--rate 2000] [--duration 600] [--ring-mb 16]
#
# The Loki double (sim/lokisim.py, real clock) appends --rate lines/s to {app="firehose"};
# the console runs on a pty (benchlib.Console, 50x160) with --loki pointing at it, opens
# `:logs {app="firehose"}` and follows (f). Every second: the console's CPU time (utime +
# stime) and VmRSS. Reported: CPU % of one core over the whole window and over its second
# half, RSS at the end of the first minute (the ring fills), at the half and at the end; the
# growth over the second half. Exits 1 when CPU is over --cpu-limit or the second half grew
# RSS by more than --rss-growth-limit MiB. Measure a release build. Python 3.11, stdlib only.
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def start_loki(srcdir, workdir, rate):
    port_file = os.path.join(workdir, "loki.port")
    log = open(os.path.join(workdir, "lokisim.log"), "ab")
    proc = subprocess.Popen([sys.executable, os.path.join(srcdir, "sim", "lokisim.py"),
                             "--port-file", port_file, "--lines-per-second", str(rate)],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def ready():
        if proc.poll() is not None:
            raise RuntimeError("lokisim exited (see %s/lokisim.log)" % workdir)
        try:
            with open(port_file) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0
    port = benchlib.poll_until(ready, 60)
    if not port:
        proc.terminate()
        raise RuntimeError("lokisim not listening after 60 s")
    return proc, "http://127.0.0.1:%d" % port


def generated(url):
    """Lines the double has generated so far (its /_sim/stats)."""
    import urllib.request
    with urllib.request.urlopen(url + "/_sim/stats", timeout=30) as r:
        return json.load(r).get("generated", 0)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--srcdir", default=os.path.dirname(here))
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--ring-mb", type=int, default=16)
    ap.add_argument("--cpu-limit", type=float, default=25.0)
    ap.add_argument("--rss-growth-limit", type=float, default=8.0)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="opsdeck-follow.")
    loki = console = None
    try:
        loki, url = start_loki(args.srcdir, work, args.rate)
        env = benchlib.console_env(os.path.join(work, "home"),
                                   {"OPSDECK_LOG_RING_MB": str(args.ring_mb)})
        console = benchlib.Console([os.path.join(args.builddir, "opsdeck"), "--loki", url],
                                   env)
        console.settle(quiet=0.5, bound=60)
        console.send(':logs {app="firehose"}\r')
        if console.wait_for(lambda s: any("firehose" in r for r in s.text()), bound=60) is None:
            raise RuntimeError("the logs pane did not open:\n" + "\n".join(console.screen.text()))
        console.send("f")
        if console.wait_for(lambda s: any("following" in r for r in s.text()), bound=60) is None:
            raise RuntimeError("not following:\n" + "\n".join(console.screen.text()))
        samples = []  # (t, cpu s, rss MiB)
        gen0 = generated(url)
        t0 = benchlib.now()
        while benchlib.now() - t0 < args.duration and console.alive():
            console.pump(1.0)
            cpu = benchlib.cpu_ticks_s(console.pid)
            st = benchlib.proc_status(console.pid)
            if cpu is not None:
                samples.append((benchlib.now() - t0, cpu, st.get("VmRSS", 0.0)))
        if not console.alive() or len(samples) < 4:
            raise RuntimeError("the console ended early (status %s)" % console.status)
        last = "\n".join(console.screen.text())
        gen_rate = (generated(url) - gen0) / max(1e-9, benchlib.now() - t0)

        def at(t):
            return min(samples, key=lambda s: abs(s[0] - t))

        first, half, end = samples[0], at(args.duration / 2), samples[-1]
        minute = at(min(60.0, args.duration / 2))
        cpu_all = 100.0 * (end[1] - first[1]) / (end[0] - first[0])
        cpu_half = 100.0 * (end[1] - half[1]) / max(1e-9, end[0] - half[0])
        growth = end[2] - half[2]
        print("| measure | value |")
        print("|---|---|")
        print("| rate asked, generated; duration | %.0f lines/s, %.0f lines/s; %.0f s (ring %d MiB) |"
              % (args.rate, gen_rate, end[0], args.ring_mb))
        print("| CPU, whole window | %.1f %% of one core |" % cpu_all)
        print("| CPU, second half | %.1f %% of one core |" % cpu_half)
        print("| RSS at 1 min / half / end | %.1f / %.1f / %.1f MiB |"
              % (minute[2], half[2], end[2]))
        print("| RSS growth, second half | %+.1f MiB |" % growth)
        print("| screen title | %s |" % next((l.strip() for l in last.splitlines()
                                               if "firehose" in l), "?"))
        ok = cpu_all <= args.cpu_limit and growth <= args.rss_growth_limit
        print("result: %s (limits: CPU <= %.0f %%, RSS growth <= %.0f MiB)"
              % ("ok" if ok else "OVER", args.cpu_limit, args.rss_growth_limit))
        return 0 if ok else 1
    finally:
        if console is not None:
            console.quit()
        if loki is not None:
            loki.send_signal(signal.SIGTERM)
            try:
                loki.wait(10)
            except subprocess.TimeoutExpired:
                loki.kill()
                loki.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
