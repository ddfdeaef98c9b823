#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# logs-fetch.py - `opsdeck logs` fetching 50,000 lines from the Loki double against curl fetching
# the same pages one after another (issue #3, Performance). Python 3.11, standard library only.
#
#   bench/logs-fetch.py [--builddir DIR] [--runs N] [--lines N] [--json FILE]
#
# The double (sim/lokisim.py) is filled with N lines in {app="volume"}; opsdeck fetches them all
# (--limit N, pages of 5,000, newest first, then printed oldest first to /dev/null). The page
# URLs opsdeck asked for are read back from the double's request log, and curl fetches exactly
# those URLs, with the same Accept-Encoding, one after another on one connection (a single curl
# process: the strictest baseline; it parses nothing). Both are run N times, interleaved; the
# figures are the medians, and the ratio opsdeck / curl must be <= 1.3. Measure a release build.
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CLOCK = "2026-11-24T03:12:00Z"
QUERY = '{app="volume"}'


def wall(argv, env):
    """The command's wall time, start-up and exit included. The wait blocks in waitpid: a
    wait with a timeout polls with sleeps that grow to 50 ms (Popen.wait), which would round
    the end of a 0.1 s command up by tens of ms. A watchdog kills it after 300 s instead."""
    t = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watchdog = threading.Timer(300, p.kill)
    watchdog.start()
    try:
        rc = p.wait()
    finally:
        watchdog.cancel()
    elapsed = time.monotonic() - t
    if rc != 0:
        raise subprocess.CalledProcessError(rc, argv)
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--builddir", default=os.environ.get("top_builddir", "."))
    ap.add_argument("--srcdir", default=os.path.dirname(here))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lines", type=int, default=50000)
    ap.add_argument("--json")
    args = ap.parse_args()
    opsdeck = os.path.join(os.path.abspath(args.builddir), "opsdeck")
    if not os.access(opsdeck, os.X_OK):
        sys.exit("logs-fetch: no opsdeck in %s" % args.builddir)

    tmp = tempfile.mkdtemp(prefix="opsdeck-bench-logs.")
    env = dict(os.environ, OPSDECK_CLOCK=CLOCK, HOME=tmp, XDG_CONFIG_HOME=tmp + "/config",
               XDG_CACHE_HOME=tmp + "/cache", XDG_STATE_HOME=tmp + "/state", LC_ALL="C.UTF-8")
    port_file = os.path.join(tmp, "port")
    sim = subprocess.Popen([sys.executable, os.path.join(args.srcdir, "sim", "lokisim.py"),
                            "--port-file", port_file, "--volume", str(args.lines)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 120
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.monotonic() > end or sim.poll() is not None:
                sys.exit("logs-fetch: the Loki double did not start")
            time.sleep(0.05)
        base = "http://127.0.0.1:%s" % open(port_file).read().strip()
        ops = [opsdeck, "--loki", base, "logs", QUERY, "--since", "2h", "--limit",
               str(args.lines)]

        # One run to learn the pages (and check the count), from the double's request log.
        urllib.request.urlopen(urllib.request.Request(base + "/_sim/requests",
                                                      method="DELETE"), timeout=10).read()
        out = subprocess.run(ops, env=env, capture_output=True, check=True, timeout=300)
        got = out.stdout.count(b"\n")
        if got != args.lines:
            sys.exit("logs-fetch: opsdeck printed %d lines, not %d" % (got, args.lines))
        reqs = json.load(urllib.request.urlopen(base + "/_sim/requests", timeout=10))
        pages = [r for r in reqs if r["path"].endswith("/query_range")]
        urls = [base + r["path"] + "?" + r["query"] for r in pages]
        enc = pages[0].get("accept_encoding") or ""
        curl = ["curl", "-sS", "--fail"]
        if enc:
            curl += ["-H", "Accept-Encoding: " + enc]
        for u in urls:
            curl += ["-o", "/dev/null", u]

        t_ops, t_curl = [], []
        for _ in range(args.runs):
            t_ops.append(wall(ops, env))
            t_curl.append(wall(curl, env))
        m_ops, m_curl = statistics.median(t_ops), statistics.median(t_curl)
        ratio = m_ops / m_curl
        res = {"lines": args.lines, "pages": len(urls), "accept_encoding": enc,
               "runs": args.runs, "opsdeck_s": t_ops, "curl_s": t_curl,
               "opsdeck_median_s": round(m_ops, 4), "curl_median_s": round(m_curl, 4),
               "ratio": round(ratio, 3), "target": 1.3, "pass": ratio <= 1.3}
        print("opsdeck logs, %d lines in %d pages (Accept-Encoding: %s): median %.3f s"
              % (args.lines, len(urls), enc or "-", m_ops))
        print("curl, the same %d pages one after another:              median %.3f s"
              % (len(urls), m_curl))
        print("ratio %.2f (target <= 1.3): %s" % (ratio, "PASS" if ratio <= 1.3 else "FAIL"))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)
        return 0 if ratio <= 1.3 else 1
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait()
        subprocess.run(["rm", "-rf", tmp], check=False)


if __name__ == "__main__":
    sys.exit(main())
