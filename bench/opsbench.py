#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# opsbench.py - the performance figures of issue #2 against the simulated platform: one-shot
# `get pods` vs kubectl 1.20 vs curl, first screen from a warm cache, console memory, CPU per
# watch event, idle network and terminal bytes. Prints a table (and JSON with --json FILE).
# Run through bench/run.sh (it finds the binaries); see bench/README.md for the method.
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (BOUND, Console, Proxy, Sim, Usage, console_env, cpu_ns,  # noqa: E402
                      cpu_ticks_s, loadavg, median, now, proc_status, run_timed, spread,
                      table_rows)

LARGE = ["--nodes", "500", "--tenant-namespaces", "2000", "--pods", "20000"]
KINDS = 9  # informers of a console session: one watch each once synced
SETTLE_S = 1.0  # pause before each timed get run

TARGETS = {
    "get_vs_kubectl": 8.0,      # opsdeck at least 8x faster than kubectl
    "get_vs_curl": 2.0,         # and within 2x of curl's sequential fetch
    "first_screen_ms": 150.0,
    "memory_mb": 100.0,
    "event_cpu_ms": 1.0,
}


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Bench:
    def __init__(self, args):
        self.a = args
        self.src = args.srcdir
        self.work = tempfile.mkdtemp(prefix="opsdeck-bench.", dir=args.tmpdir)
        self.sims = {}
        self.results = {}
        self.notes = []
        self.platform = self.api_only_platform()

    def api_only_platform(self):
        """The seed's platform definition without its loki and prometheus sections: these
        parts measure the Kubernetes side (the metrics' own polling is bench/query.sh's
        bytes per refresh), and the sim serves no Loki or Prometheus behind its proxy."""
        src = os.path.join(self.src, "examples", "deploy-mcp", "platform.yml")
        out, skip = [], False
        with open(src) as f:
            for line in f:
                if re.match(r"(loki|prometheus):", line):
                    skip = True
                    continue
                if skip and (line.startswith(" ") or line.startswith("#")):
                    continue
                skip = False
                out.append(line)
        path = os.path.join(self.work, "platform.yml")
        with open(path, "w") as f:
            f.writelines(out)
        return path

    def cleanup(self):
        for s in self.sims.values():
            s.stop()
        self.sims.clear()
        if not self.a.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            log("kept %s" % self.work)

    def sim(self, size):
        """The large platform (500/2,000/20,000) or the seed one, started once, TLS + token +
        gzip from 128 KiB like a real apiserver."""
        if size not in self.sims:
            t0 = now()
            args = ["--gzip-threshold", "131072"] + (LARGE if size == "large" else [])
            self.sims[size] = Sim(self.src, os.path.join(self.work, "sim-" + size), args,
                                  python=self.a.python)
            log("sim %s up on port %d in %.1f s" % (size, self.sims[size].port, now() - t0))
        return self.sims[size]

    def console_argv(self, kubeconfig):
        return [self.a.opsdeck, "--kubeconfig", kubeconfig, "--platform", self.platform]

    def start_console(self, kubeconfig, home, binary=None):
        argv = self.console_argv(kubeconfig)
        if binary:
            argv[0] = binary
        return Console(argv, console_env(home), self.a.rows, self.a.cols)

    def synced(self, sim, con, bound=BOUND):
        """Waits until every informer of the (only) console watches, then until it is quiet."""
        t0 = now()
        n = None
        end = t0 + bound
        while now() < end and con.alive():
            con.pump(0.1)
            n = sim.stats()["watches_active"]
            if n >= KINDS:
                break
        if n is None or n < KINDS:
            raise RuntimeError("console not synced after %.0f s (%s watches)" % (bound, n))
        if con.settle(0.5, bound) is None:
            raise RuntimeError("console not quiet after sync")
        return now() - t0

    def no_watches(self, sim):
        if sim.wait_watches(lambda n: n == 0, 30) is None:
            raise RuntimeError("watches of a previous console still open")

    #
    # 1. get pods -A -o json: opsdeck vs kubectl 1.20 vs curl
    #

    def page_urls(self, sim, limit=500):
        """The URLs of every page of /api/v1/pods (the continue tokens read from the head of
        each page, not timed)."""
        urls, cont = [], None
        while True:
            path = "/api/v1/pods?limit=%d" % limit + ("&continue=" + cont if cont else "")
            urls.append(sim.url + path)
            c = sim.conn()
            c.request("GET", path, headers={"Authorization": "Bearer " + sim.token})
            r = c.getresponse()
            head = r.read(8192).decode(errors="replace")
            c.close()
            m = re.search(r'"continue":"([^"]*)"', head)
            cont = m.group(1) if m else None
            if not cont or len(urls) > 10000:
                return urls

    def curl_config(self, sim, urls, path):
        with open(path, "w") as f:
            f.write('silent\nshow-error\ncompressed\ncacert = "%s"\n' % sim.ca)
            f.write('header = "Authorization: Bearer %s"\n' % sim.token)
            f.write('write-out = "%{size_download} %{num_connects}\\n"\n')
            for u in urls:
                f.write('url = "%s"\noutput = "/dev/null"\n' % u)

    def part_get(self):
        sim = self.sim("large")
        d = os.path.join(self.work, "get")
        home = os.path.join(d, "home")
        env = console_env(home)
        kenv = dict(env)
        kube_cache = os.path.join(d, "kube-cache")
        stats = sim.stats()
        npods = stats["objects"]["pods"]
        ops = [self.a.opsdeck, "--kubeconfig", sim.kubeconfig, "get", "pods", "-A", "-o", "json"]
        kc = [self.a.kubectl, "--kubeconfig", sim.kubeconfig, "--cache-dir", kube_cache, "get",
              "pods", "-A", "-o", "json"]
        # Warm-up: the cache.db of opsdeck exists (the timed runs refresh it), kubectl's
        # discovery cache is warm, and both print every pod.
        out = os.path.join(d, "out.json")
        with open(out, "wb") as f:
            run_timed(self.a.runstat, ops, env, stdout=f)
        with open(out) as f:
            got = len(json.load(f))
        if got != npods:
            raise RuntimeError("opsdeck printed %d pods, the sim has %d" % (got, npods))
        if self.a.kubectl:
            with open(out, "wb") as f:
                run_timed(self.a.runstat, kc, kenv, stdout=f)
            n = 0
            with open(out, "rb") as f:
                for line in f:
                    if line.strip() == b'"kind": "Pod",':
                        n += 1
            if n != npods:
                raise RuntimeError("kubectl printed %d pods, the sim has %d" % (n, npods))
        os.unlink(out)
        urls = self.page_urls(sim)
        cfg = os.path.join(d, "curl.cfg")
        self.curl_config(sim, urls, cfg)
        r = subprocess.run(["curl", "-K", cfg], capture_output=True, text=True, check=True)
        sizes = [list(map(int, line.split())) for line in r.stdout.split("\n") if line.strip()]
        wire = sum(s[0] for s in sizes)
        if len(sizes) != len(urls) or sum(s[1] for s in sizes) != 1:
            raise RuntimeError("curl: %d transfers over %d connections" %
                               (len(sizes), sum(s[1] for s in sizes)))
        log("get: %d pods in %d pages, %.1f MB gzip on the wire, median pod %d bytes"
            % (npods, len(urls), wire / 1e6, stats["median_pod_bytes"]))

        def run_ops():
            return run_timed(self.a.runstat, ops, env)

        clear = [self.a.opsdeck, "--kubeconfig", sim.kubeconfig, "cache", "clear"]
        cold_env = console_env(os.path.join(d, "home-cold"))

        def run_ops_cold():
            # Every object written: a cache of its own (so the refresh runs above are not
            # affected), emptied first (untimed), as on a first start.
            subprocess.run(clear, env=cold_env, stdout=subprocess.DEVNULL, check=True)
            return run_timed(self.a.runstat, ops, cold_env)

        def run_kubectl():
            return run_timed(self.a.runstat, kc, kenv)

        def run_curl_seq():
            self.curl_config(sim, self.page_urls(sim), cfg)
            return run_timed(self.a.runstat, ["curl", "-K", cfg])

        def run_curl_each():
            one = os.path.join(d, "one.cfg")
            total = Usage(0.0, 0.0, 0.0)
            for u in self.page_urls(sim):
                self.curl_config(sim, [u], one)
                x = run_timed(self.a.runstat, ["curl", "-K", one])
                total.wall += x.wall
                total.cpu += x.cpu
                total.rss_mb = max(total.rss_mb, x.rss_mb)
            return total

        tools = [("opsdeck", run_ops), ("opsdeck, empty cache", run_ops_cold),
                 ("curl (1 process)", run_curl_seq), ("curl (1 per page)", run_curl_each)]
        if self.a.compare:
            cenv = console_env(os.path.join(d, "home-compare"))
            cops = [self.a.compare] + ops[1:]
            run_timed(self.a.runstat, cops, cenv)       # its cache.db exists too

            def run_compare():
                return run_timed(self.a.runstat, cops, cenv)
            tools.insert(1, ("opsdeck (compare)", run_compare))
        if self.a.kubectl:
            tools.insert(1, ("kubectl 1.20", run_kubectl))
        res = {name: {"wall": [], "rss": [], "cpu": []} for name, _ in tools}
        load = [loadavg()]
        for i in range(self.a.runs):
            order = tools[i % len(tools):] + tools[:i % len(tools)]
            for name, fn in order:
                # Let the previous tool's aftermath settle first (kubectl leaves 2.5 GB for
                # the kernel to reclaim), the same pause before every tool.
                time.sleep(SETTLE_S)
                u = fn()
                res[name]["wall"].append(u.wall)
                res[name]["rss"].append(u.rss_mb)
                res[name]["cpu"].append(u.cpu)
                log("get run %d: %-18s %7.3f s  %7.1f MB  %6.2f s CPU"
                    % (i + 1, name, u.wall, u.rss_mb, u.cpu))
            load.append(loadavg())
        ops_t = median(res["opsdeck"]["wall"])
        out = {"pods": npods, "pages": len(urls), "wire_bytes": wire,
               "median_pod_bytes": stats["median_pod_bytes"], "tools": res, "load": load,
               "ratio_kubectl": (median(res["kubectl 1.20"]["wall"]) / ops_t
                                 if "kubectl 1.20" in res else None),
               "ratio_curl": ops_t / median(res["curl (1 process)"]["wall"]),
               "ratio_curl_cold": (median(res["opsdeck, empty cache"]["wall"]) /
                                   median(res["curl (1 process)"]["wall"])),
               "ratio_curl_each": ops_t / median(res["curl (1 per page)"]["wall"])}
        if self.a.compare:
            out["compare"] = self.a.compare
        self.results["get"] = out
        return out

    #
    # 2. First full screen from a warm cache
    #

    def proxied(self, sim, name):
        """A proxy in front of sim and a kubeconfig pointing at it."""
        px = Proxy(sim.port)
        kc = sim.write_kubeconfig(os.path.join(self.work, "kubeconfig-" + name), px.port)
        return px, kc

    def first_screen_pred(self, ref):
        """The full first screen: the bottom line (F-keys bar) as in ref, and every table row
        holding the object of ref's row (first word)."""
        title, last = table_rows(ref)
        if title is None or last <= title:
            raise RuntimeError("no table on the reference screen:\n" + "\n".join(ref))
        names = [(i, ref[i].split()[0]) for i in range(title + 1, last + 1)]
        bottom = ref[-1]

        def pred(screen):
            if screen.row(screen.rows - 1) != bottom:
                return False
            for i, name in names:
                row = screen.row(i).split()
                if not row or row[0] != name:
                    return False
            return True
        return pred, len(names)

    def part_screen(self):
        sim = self.sim("large")
        px, kc = self.proxied(sim, "screen")
        home = os.path.join(self.work, "screen")
        try:
            self.no_watches(sim)
            con = self.start_console(kc, home)
            t_sync = self.synced(sim, con)
            ref = con.screen.text()
            con.quit()
            log("screen: warm-up synced in %.1f s; reference screen has %d rows"
                % (t_sync, len(ref)))
            pred, nrows = self.first_screen_pred(ref)
            modes = ["offline", "live"]
            if self.a.compare:
                modes += ["offline (compare)", "live (compare)"]
            res = {}
            for m in modes:
                res[m], res[m + "_bytes"] = [], []
            load = [loadavg()]
            for i in range(self.a.runs):
                for mode in modes[i % len(modes):] + modes[:i % len(modes)]:
                    if mode.startswith("offline"):
                        px.down()
                    else:
                        px.up()
                        self.no_watches(sim)
                    con = self.start_console(kc, home, self.a.compare
                                             if "compare" in mode else None)
                    t = con.wait_for(pred, 30)
                    if t is None:
                        con.quit()
                        raise RuntimeError("screen %s: no full first screen in 30 s:\n%s"
                                           % (mode, "\n".join(con.screen.text())))
                    ms = (t - con.t0) * 1000
                    nbytes = con.out_bytes
                    if mode.startswith("live"):
                        self.synced(sim, con)   # leave the cache as a finished session does
                    else:
                        con.settle(0.3, 30)
                        if "offline" not in "\n".join(con.screen.text()[:3]):
                            self.notes.append("screen: offline run does not say offline")
                    con.quit()
                    res[mode].append(ms)
                    res[mode + "_bytes"].append(nbytes)
                    log("screen run %d %-17s %6.1f ms (%d bytes)" % (i + 1, mode, ms, nbytes))
                load.append(loadavg())
        finally:
            px.up()
            px.close()
        res.update(rows=nrows, size="%dx%d" % (self.a.cols, self.a.rows), load=load)
        self.results["screen"] = res
        return res

    #
    # 3, 4 and 6 on the large platform: one console session from a warm cache
    #

    def pod_names(self, sim, n):
        """n pods spread over the whole list (every len/n-th), as (namespace, name)."""
        names, cont = [], None
        while True:
            path = "/api/v1/pods?limit=500" + ("&continue=" + cont if cont else "")
            doc = sim.request("GET", path)
            names += [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in doc["items"]]
            cont = doc["metadata"].get("continue")
            if not cont:
                break
        step = max(1, len(names) // n)
        return names[::step][:n], names

    @staticmethod
    def visible_pods(rows, allpods):
        """The pods of the :pods rows on screen (namespace and name cells may be cut with an
        ellipsis): the first pod of allpods each row's cells are prefixes of."""
        out = []
        for r in rows:
            w = r.split()
            if len(w) < 2:
                continue
            ns, name = (x.rstrip("\u2026") for x in w[:2])
            for p in allpods:
                if p[0].startswith(ns) and p[1].startswith(name) and p not in out:
                    out.append(p)
                    break
        if not out:
            raise RuntimeError("no pod of the screen found in the list:\n" + "\n".join(rows))
        return out

    def bump(self, sim, ns, name, conn):
        """The stored pod with its first container restarted once more."""
        obj = sim.ctl("GET", "objects/pods/%s/%s" % (ns, name), conn=conn)
        obj.setdefault("kind", "Pod")
        obj.setdefault("apiVersion", "v1")
        self.bump_local(obj)
        return obj

    @staticmethod
    def bump_local(obj):
        cs = obj.get("status", {}).get("containerStatuses") or []
        if cs:
            cs[0]["restartCount"] = cs[0].get("restartCount", 0) + 1
        ann = obj["metadata"].setdefault("annotations", {})
        ann["bench.opsdeck/bump"] = str(int(ann.get("bench.opsdeck/bump", "0")) + 1)

    def cpu_until_quiet(self, con, quiet=0.6, bound=BOUND):
        """Pumps the terminal until the console used < 2 ms of CPU in quiet seconds; (cpu ns,
        seconds) at that point (the quiet window itself not counted)."""
        end = now() + bound
        last_c, last_t = cpu_ns(con.pid), now()
        while now() < end:
            w0 = now()
            while now() - w0 < quiet:
                con.pump(max(0.0, quiet - (now() - w0)))
            c = cpu_ns(con.pid)
            if c - last_c < 2_000_000:
                return last_c, last_t
            last_c, last_t = c, now()
        raise RuntimeError("console never went quiet")

    def idle_window(self, con, seconds):
        """CPU (ns and ticks) and terminal bytes of an idle window."""
        b0, c0, k0, t0 = con.out_bytes, cpu_ns(con.pid), cpu_ticks_s(con.pid), now()
        while now() - t0 < seconds:
            con.pump(min(0.2, seconds - (now() - t0)))
        dt = now() - t0
        n = con.out_bytes - b0
        if n:
            self.notes.append("idle terminal output (%d bytes, last 300 shown): %r"
                              % (n, bytes(con.tail[-min(n, 300):])))
        return {"seconds": dt, "cpu_ns": cpu_ns(con.pid) - c0,
                "cpu_ticks_s": cpu_ticks_s(con.pid) - k0, "tty_bytes": con.out_bytes - b0}

    def part_console(self):
        """Memory (3), CPU per watch event (4) and idle terminal bytes (6) in one session of
        the console on the large platform."""
        sim = self.sim("large")
        px, kc = self.proxied(sim, "console")
        home = os.path.join(self.work, "console")
        mem, ev = {}, {}
        try:
            # A cold first session fills the cache (and gives the cold-start memory figure).
            for phase in ("cold", "warm"):
                self.no_watches(sim)
                con = self.start_console(kc, home)
                t_sync = self.synced(sim, con)
                mem[phase + "_synced"] = proc_status(con.pid)
                mem[phase + "_sync_s"] = t_sync
                if con.command("tenants") is None:
                    raise RuntimeError("console: :tenants did not settle")
                mem[phase + "_tenants"] = proc_status(con.pid)
                if con.command("pods") is None:
                    raise RuntimeError("console: :pods did not settle")
                mem[phase + "_pods"] = proc_status(con.pid)
                log("memory %s: synced %.1f s, %s" % (phase, t_sync, mem[phase + "_pods"]))
                if phase == "cold":
                    con.quit()
            screen = con.screen.text()
            if not any(re.match(r"\s*NAMESPACE\S*\s+NAME", r) for r in screen):
                raise RuntimeError("console: :pods not on screen:\n" + "\n".join(screen))
            # Idle: the CPU baseline and the terminal bytes (6).
            con.settle(1.0)
            idle = self.idle_window(con, self.a.idle_large)
            ev["idle"] = idle
            rate = idle["cpu_ns"] / idle["seconds"]
            log("idle (large, :pods): %.2f ms CPU/s, %d terminal bytes in %.0f s"
                % (rate / 1e6, idle["tty_bytes"], idle["seconds"]))
            # Watch events: pods spread over the cluster, and pods on screen.
            spreadset, allpods = self.pod_names(sim, self.a.events)
            title, last = table_rows(screen)
            visible = self.visible_pods(screen[title + 1:last + 1], allpods)
            ev["n"] = self.a.events
            conn = sim.conn()
            shown = {p: self.bump(sim, *p, conn) for p in visible}
            # burst: every change in one request (the console gets them as fast as the
            # watch delivers); paced: one change per request, at most --rate a second
            # (the sim answers a request in about 45 ms, which bounds the rate).
            for label, pods in (("spread", spreadset), ("on screen", visible)):
                for mode in ("burst", "paced"):
                    n = self.a.events if mode == "burst" else self.a.paced
                    if label == "spread":
                        objs = [self.bump(sim, *pods[i % len(pods)], conn) for i in range(n)]
                        reqs = [objs] if mode == "burst" else objs
                    elif mode == "burst":
                        # The rows on screen, each changed once per request.
                        reqs = [len(pods)] * max(1, n // len(pods))
                        n = len(reqs) * len(pods)
                    else:
                        reqs = [pods[i % len(pods)] for i in range(n)]
                    con.settle(0.5)
                    c0, t0 = cpu_ns(con.pid), now()
                    k0 = cpu_ticks_s(con.pid)
                    gap = 1.0 / self.a.rate if mode == "paced" else 0.0
                    nxt = now()
                    for r in reqs:
                        if label == "on screen" and mode == "burst":
                            body = []
                            for p in pods:
                                self.bump_local(shown[p])
                                body.append(shown[p])
                        elif label == "on screen":
                            self.bump_local(shown[r])
                            body = shown[r]
                        else:
                            body = r
                        sim.ctl("POST", "objects", body, conn=conn)
                        nxt += gap
                        while now() < nxt:
                            con.pump(max(0.0, nxt - now()))
                    c1, t1 = self.cpu_until_quiet(con)
                    k1 = cpu_ticks_s(con.pid)
                    used = c1 - c0 - rate * (t1 - t0)
                    per = used / n / 1e6
                    ev["%s/%s" % (label, mode)] = {
                        "events": n, "requests": len(reqs), "cpu_ms_total": (c1 - c0) / 1e6,
                        "idle_ms": rate * (t1 - t0) / 1e6, "seconds": t1 - t0,
                        "per_event_ms": per,
                        "per_event_ms_ticks": ((k1 - k0) - rate / 1e9 * (t1 - t0)) / n * 1e3}
                    log("events %-9s %-5s: %d events in %d requests, %.1f ms CPU in %.2f s "
                        "-> %.3f ms/event" % (label, mode, n, len(reqs), (c1 - c0) / 1e6,
                                              t1 - t0, per))
            conn.close()
            # The visible rows really changed (the events reached the screen).
            after = con.screen.text()
            ev["screen_changed"] = after != screen
            con.quit()
        finally:
            px.close()
        self.results["memory"] = mem
        self.results["events"] = ev
        return mem, ev

    #
    # 5 and 6 on the seed platform: idle network and terminal bytes
    #

    def part_idle(self):
        sim = self.sim("seed")
        px, kc = self.proxied(sim, "idle")
        home = os.path.join(self.work, "idle")
        out = {}
        try:
            self.no_watches(sim)
            con = self.start_console(kc, home)
            self.synced(sim, con)
            first_paint = con.out_bytes
            con.settle(1.0)
            windows = [60.0] + ([600.0] if self.a.long else [])
            for secs in windows:
                px.reset()
                sim.ctl("DELETE", "requests")
                w = self.idle_window(con, secs)
                reqs = sim.ctl("GET", "requests")
                w.update(px.counters())
                w["requests"] = sum(reqs["counts"].values())
                w["by_verb"] = {}
                for k, v in reqs["counts"].items():
                    verb = k.split()[0]
                    w["by_verb"][verb] = w["by_verb"].get(verb, 0) + v
                w["counts"] = reqs["counts"]
                out["%ds" % secs] = w
                log("idle %d s (seed): in %d B, out %d B, %d requests %s, %d new connections, "
                    "%d terminal bytes, %.1f ms CPU" % (secs, w["to_client"], w["to_server"],
                                                       w["requests"], w["by_verb"],
                                                       w["connections"], w["tty_bytes"],
                                                       w["cpu_ns"] / 1e6))
            out["first_paint_bytes"] = first_paint
            con.quit()
        finally:
            px.close()
        self.results["idle"] = out
        return out


#
# Report
#

def fmt_table(res, args):
    lines = []

    def row(what, value, target, ratio, note=""):
        lines.append("| %s | %s | %s | %s | %s |" % (what, value, target, ratio, note))

    lines.append("| measure | figure | target | vs target | notes |")
    lines.append("|---|---|---|---|---|")
    g = res.get("get")
    if g:
        t = g["tools"]

        def fig(name):
            lo, md, hi = spread(t[name]["wall"])
            return "%.2f s (%.2f-%.2f), %.0f MB, %.2f s CPU" % (
                md, lo, hi, median(t[name]["rss"]), median(t[name]["cpu"]))
        row("get pods -A -o json: opsdeck", fig("opsdeck"), "", "",
            "%d pods, %d pages, %.1f MB gzip, median pod %d B; cache refreshed (unchanged "
            "objects are not rewritten)"
            % (g["pods"], g["pages"], g["wire_bytes"] / 1e6, g["median_pod_bytes"]))
        if "opsdeck, empty cache" in t:
            row("get pods: opsdeck, empty cache", fig("opsdeck, empty cache"), "",
                "%.2fx curl" % g["ratio_curl_cold"],
                "every object written (cache cleared before each run, untimed)")
        if "opsdeck (compare)" in t:
            row("get pods: opsdeck (compare: %s)" % g["compare"], fig("opsdeck (compare)"), "",
                "", "")
        if g["ratio_kubectl"]:
            row("get pods: kubectl 1.20", fig("kubectl 1.20"), ">= 8x opsdeck",
                "%.1fx faster (%s)" % (g["ratio_kubectl"],
                                       "met" if g["ratio_kubectl"] >= 8 else "MISSED"), "")
        row("get pods: curl, 1 process", fig("curl (1 process)"), "opsdeck <= 2x",
            "%.2fx (%s)" % (g["ratio_curl"], "met" if g["ratio_curl"] <= 2 else "MISSED"),
            "one connection")
        row("get pods: curl, 1 per page", fig("curl (1 per page)"), "",
            "opsdeck %.2fx" % g["ratio_curl_each"], "a TLS handshake per page")
    s = res.get("screen")
    if s:
        for mode in [m for m in ("offline", "live", "offline (compare)", "live (compare)")
                     if m in s]:
            lo, md, hi = spread(s[mode])
            row("first full screen, warm cache, API %s" % mode.replace("offline", "unreachable")
                .replace("live", "up"),
                "%.0f ms (%.0f-%.0f)" % (md, lo, hi), "<= 150 ms",
                "%.2fx (%s)" % (md / 150, "met" if md <= 150 else "MISSED"),
                "%s, %d node rows, %d bytes" % (s["size"], s["rows"], median(s[mode + "_bytes"])))
    m = res.get("memory")
    if m:
        for phase in ("warm", "cold"):
            p = m.get(phase + "_pods")
            if not p:
                continue
            row("console memory, %s start, synced + tenants + :pods" % phase,
                "VmRSS %.1f MB, VmHWM %.1f MB" % (p["VmRSS"], p["VmHWM"]), "<= 100 MB",
                "%.2fx (%s)" % (p["VmHWM"] / 100, "met" if p["VmHWM"] <= 100 else "MISSED"),
                "after sync only: RSS %.1f MB" % m[phase + "_synced"]["VmRSS"])
    e = res.get("events")
    if e:
        for k in ("spread/burst", "spread/paced", "on screen/burst", "on screen/paced"):
            x = e.get(k)
            if not x:
                continue
            row("watch event applied (%s)" % k, "%.3f ms CPU/event" % x["per_event_ms"],
                "<= 1 ms", "%.2fx (%s)" % (x["per_event_ms"], "met" if x["per_event_ms"] <= 1
                                             else "MISSED"),
                "%d events in %d requests, %.0f ms CPU in %.1f s (idle %.0f ms subtracted)"
                % (x["events"], x.get("requests", 0), x["cpu_ms_total"], x["seconds"],
                   x["idle_ms"]))
        i = e["idle"]
        row("idle console, large platform, :pods", "%d terminal bytes, %.1f ms CPU/s"
            % (i["tty_bytes"], i["cpu_ns"] / 1e6 / i["seconds"]), "~0 bytes", "",
            "%.0f s" % i["seconds"])
    d = res.get("idle")
    if d:
        for k in sorted((k for k in d if k.endswith("s") and k[:-1].isdigit()),
                        key=lambda k: int(k[:-1])):
            w = d[k]
            row("idle network, seed platform, %s" % k,
                "in %d B, out %d B, %d requests (%s)"
                % (w["to_client"], w["to_server"], w["requests"],
                   ", ".join("%s %d" % kv for kv in sorted(w["by_verb"].items())) or "none"),
                "watches only", "", "%d new connections" % w["connections"])
            row("idle terminal, seed platform, %s" % k, "%d bytes" % w["tty_bytes"],
                "~0", "", "first paint %d bytes" % d["first_paint_bytes"])
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("parts", nargs="*", default=["all"],
                    help="all, get, screen, console (memory, events, idle terminal), idle")
    ap.add_argument("--opsdeck", required=True)
    ap.add_argument("--runstat", required=True, help="bench/runstat (built with opsdeck)")
    ap.add_argument("--kubectl", default="", help="kubectl 1.20 (empty: leave it out)")
    ap.add_argument("--compare", help="another opsdeck binary, measured side by side in the "
                    "get and screen parts (before/after figures of an optimisation)")
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--cols", type=int, default=160)
    ap.add_argument("--events", type=int, default=2000, help="pod changes per burst")
    ap.add_argument("--paced", type=int, default=200, help="pod changes sent one at a time")
    ap.add_argument("--rate", type=float, default=100.0, help="paced changes per second")
    ap.add_argument("--idle-large", type=float, default=20.0)
    ap.add_argument("--long", action="store_true", help="also a 10-minute idle window")
    ap.add_argument("--json", help="write every figure here")
    ap.add_argument("--tmpdir")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    parts = a.parts
    if "all" in parts:
        parts = ["get", "screen", "console", "idle"]
    b = Bench(a)
    load0 = loadavg()
    t0 = now()
    try:
        for p in parts:
            log("=== %s" % p)
            {"get": b.part_get, "screen": b.part_screen, "console": b.part_console,
             "idle": b.part_idle}[p]()
    finally:
        b.cleanup()
    res = b.results
    res["meta"] = {"load_start": load0, "load_end": loadavg(), "seconds": now() - t0,
                   "cpus": os.cpu_count(), "runs": a.runs, "notes": b.notes,
                   "when": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    print(fmt_table(res, a))
    print("\n%d runs each, medians (min-max); load average %.2f at start, %.2f at end, %d CPUs; "
          "%.0f s in all" % (a.runs, load0, res["meta"]["load_end"], os.cpu_count(),
                             res["meta"]["seconds"]))
    for n in b.notes:
        print("note: " + n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
