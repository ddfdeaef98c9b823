#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# logs-follow.py - `opsdeck logs -f` following 2,000 lines/s from the Loki double: CPU share of one
# core, resident memory at the start and at the end (flat?), lines received against lines
# generated (none lost, none twice). Python 3.11, standard library only.
#
#   bench/logs-follow.py [--builddir DIR] [--seconds S (60; the figure is 600)]
#                        [--rate R (2000)] [--json FILE]
#
# The double runs on the real clock (follow polls up to "now"); opsdeck's output goes into a pipe
# that this script reads and counts. Targets (issue #3): <= 25 % of one core, memory flat.
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

QUERY = '{app="firehose"}'


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--builddir", default=os.environ.get("top_builddir", "."))
    ap.add_argument("--srcdir", default=os.path.dirname(here))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--json")
    args = ap.parse_args()
    opsdeck = os.path.join(os.path.abspath(args.builddir), "opsdeck")
    tmp = tempfile.mkdtemp(prefix="opsdeck-bench-follow.")
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp + "/config",
               XDG_CACHE_HOME=tmp + "/cache", XDG_STATE_HOME=tmp + "/state", LC_ALL="C.UTF-8")
    env.pop("OPSDECK_CLOCK", None)
    port_file = os.path.join(tmp, "port")
    sim = subprocess.Popen([sys.executable, os.path.join(args.srcdir, "sim", "lokisim.py"),
                            "--port-file", port_file, "--empty"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ops = None
    try:
        end = time.monotonic() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.monotonic() > end or sim.poll() is not None:
                sys.exit("logs-follow: the Loki double did not start")
            time.sleep(0.05)
        base = "http://127.0.0.1:%s" % open(port_file).read().strip()

        def ctl(path, body=None):
            req = urllib.request.Request(base + path, json.dumps(body).encode() if body else None,
                                         {"Content-Type": "application/json"},
                                         method="POST" if body is not None else "GET")
            return json.load(urllib.request.urlopen(req, timeout=10))

        ctl("/_sim/generate", {"lines_per_second": args.rate})
        time.sleep(1.0)
        ops = subprocess.Popen([opsdeck, "--loki", base, "logs", QUERY, "--since", "1s",
                                "--limit", "1", "-f"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
        lines = [0]
        seen = set()
        dups = [0]

        def reader():
            for line in ops.stdout:
                lines[0] += 1
                # bench lines carry seq=N: a line seen twice is a duplicate
                i = line.find(b"seq=")
                if i >= 0:
                    seq = line[i + 4:].split(b" ", 1)[0]
                    if seq in seen:
                        dups[0] += 1
                    seen.add(seq)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        time.sleep(2.0)
        t0, c0, r0 = time.monotonic(), cpu_s(ops.pid), rss_mb(ops.pid)
        n0 = lines[0]
        time.sleep(args.seconds)
        t1, c1, r1 = time.monotonic(), cpu_s(ops.pid), rss_mb(ops.pid)
        n1 = lines[0]
        ctl("/_sim/generate", {"lines_per_second": 0})
        cpu = (c1 - c0) / (t1 - t0) * 100
        got_rate = (n1 - n0) / (t1 - t0)
        res = {"seconds": round(t1 - t0, 1), "rate": args.rate, "lines_per_s": round(got_rate),
               "cpu_percent": round(cpu, 1), "rss_start_mb": round(r0, 1),
               "rss_end_mb": round(r1, 1), "duplicates": dups[0],
               "pass": cpu <= 25 and r1 <= r0 * 1.1 + 1 and dups[0] == 0}
        print("opsdeck logs -f at %d lines/s for %.0f s: %d lines/s received, CPU %.1f %% of a "
              "core, RSS %.1f -> %.1f MB, %d duplicates: %s"
              % (args.rate, t1 - t0, got_rate, cpu, r0, r1, dups[0],
                 "PASS" if res["pass"] else "FAIL"))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)
        return 0 if res["pass"] else 1
    finally:
        for p in (ops, sim):
            if p is not None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        subprocess.run(["rm", "-rf", tmp], check=False)


if __name__ == "__main__":
    sys.exit(main())
