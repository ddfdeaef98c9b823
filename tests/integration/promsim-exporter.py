#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/promsim-exporter.py - sim/nodeexp.py on its own (no Prometheus): the
# node_exporter 1.5 text format per node address (promtool check metrics), node names,
# counters rising at the set levels, the /_sim/ control API (down/up/level, errors), the
# OpenMetrics backfill (time range, # EOF, a --down node's series ending there), the large
# platform's names and addresses. TAP.

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SRC = os.environ.get('top_srcdir') or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   '..', '..')
NODEEXP = os.path.join(SRC, 'sim', 'nodeexp.py')
sys.path.insert(0, os.path.join(SRC, 'tests', 'lib'))
from tap import ok, plan_done  # noqa: E402
PROMTOOL = os.environ.get('PROMTOOL', 'promtool')
CLOCK = '2026-11-24T03:12:00Z'
CLOCK_S = 1795489920


def http(method, url, timeout=10):
    req = urllib.request.Request(url, method=method, data=b'' if method == 'POST' else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def parse_text(text):
    """{(name, frozenset(labels)): value} of a text-format exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        if not m:
            raise ValueError('bad line %r' % line)
        labels = frozenset(re.findall(r'([a-zA-Z_]\w*)="([^"]*)"', m.group(2) or ''))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def find(samples, name, **want):
    for (n, labels), v in samples.items():
        if n == name and all((k, w) in labels for k, w in want.items()):
            return v, dict(labels)
    return None, None


class Exporter:
    def __init__(self, work, *args):
        self.env_file = os.path.join(work, 'nodeexp.env')
        self.targets_file = os.path.join(work, 'targets.json')
        self.backfill = os.path.join(work, 'backfill.om')
        self.log = open(os.path.join(work, 'nodeexp.log'), 'w')
        self.proc = subprocess.Popen(
            [sys.executable, NODEEXP, '--port-file', self.env_file, '--clock', CLOCK,
             '--backfill-file', self.backfill, '--targets-file', self.targets_file] +
            list(args), stdout=self.log, stderr=subprocess.STDOUT)
        end = time.monotonic() + 60
        while not os.path.exists(self.env_file):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError('nodeexp.py did not start')
            time.sleep(0.02)
        env = dict(line.split('=', 1) for line in open(self.env_file).read().split())
        self.port = int(env['NODEEXP_PORT'])
        self.ctl = env['NODEEXP_CTL']
        self.targets = json.load(open(self.targets_file))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def main():
    work = tempfile.mkdtemp(prefix='promsim-exporter.')
    ex = None
    try:
        ex = Exporter(work, '--down', 'run-2', '--nodes', '7')
        run(ex)
        rc = ex.stop()
        ok(rc == 0, 'SIGTERM stops nodeexp.py cleanly (exit status %s)' % rc)
        bad = subprocess.run([sys.executable, NODEEXP, '--port-file',
                              os.path.join(work, 'x'), '--nodes', '501'],
                             capture_output=True, timeout=30)
        ok(bad.returncode == 2 and b'at most 500' in bad.stderr,
           '--nodes above 500 is refused', bad.stderr)
    finally:
        if ex is not None and ex.proc.poll() is None:
            ex.stop()
        subprocess.run(['rm', '-rf', work])
    return plan_done()


def run(ex):
    names = {}
    for t in ex.targets:
        host = t['targets'][0]
        inst = t['labels']['instance']
        names[inst] = host
    want = {'10.0.1.1:9100': '127.0.1.1', '10.0.1.2:9100': '127.0.1.2',
            '10.0.1.10:9100': '127.0.1.10', '10.0.1.100:9100': '127.0.1.100',
            '10.0.1.101:9100': '127.0.1.101', '10.0.1.103:9100': '127.0.1.103',
            '10.0.1.104:9100': '127.0.1.104'}
    ok(names == {k: '%s:%d' % (v, ex.port) for k, v in want.items()},
       'targets: 7 nodes, each on 127.0.A.B (node IP 10.0.A.B) on one port, '
       'labelled instance=<node IP>:9100', names)

    base = lambda addr: 'http://%s:%d' % (addr, ex.port)  # noqa: E731
    st, hdr, text = http('GET', base('127.0.1.10') + '/metrics')
    ok(st == 200 and hdr.get('Content-Type') == 'text/plain; version=0.0.4; charset=utf-8',
       'GET /metrics: 200, text/plain; version=0.0.4', (st, hdr))
    samples = parse_text(text)
    v, lab = find(samples, 'node_uname_info')
    ok(v == 1 and lab['nodename'] == 'ops-1' and lab['sysname'] == 'Linux',
       'node_uname_info on 127.0.1.10 says nodename="ops-1"', lab)

    fams = sorted({n for n, _ in samples})
    need = ['node_boot_time_seconds', 'node_cpu_seconds_total', 'node_filesystem_avail_bytes',
            'node_filesystem_size_bytes', 'node_load1', 'node_load15', 'node_load5',
            'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes',
            'node_network_receive_bytes_total', 'node_network_transmit_bytes_total',
            'node_uname_info']
    ok(all(n in fams for n in need), 'every metric of api-facts §3.5 is served', fams)
    modes = {dict(lab)['mode'] for (n, lab) in samples if n == 'node_cpu_seconds_total'}
    cpus = {dict(lab)['cpu'] for (n, lab) in samples if n == 'node_cpu_seconds_total'}
    ok(modes == {'idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'} and
       len(cpus) == 8, "node_cpu_seconds_total: ops-1's 8 CPUs in node_exporter's 8 modes",
       (modes, cpus))
    mounts = {(dict(lab)['mountpoint'], dict(lab)['fstype'])
              for (n, lab) in samples if n == 'node_filesystem_size_bytes'}
    devs = {dict(lab)['device'] for (n, lab) in samples
            if n == 'node_network_receive_bytes_total'}
    ok(mounts == {('/', 'ext4'), ('/run', 'tmpfs')} and devs == {'eth0', 'lo', 'cni0'},
       'filesystems / and a tmpfs, interfaces eth0, lo and cni0', (mounts, devs))
    size, _ = find(samples, 'node_filesystem_size_bytes', mountpoint='/')
    avail, _ = find(samples, 'node_filesystem_avail_bytes', mountpoint='/')
    ok(100 * (1 - avail / size) == 96.875, "ops-1's / is 96.875 % full", (avail, size))

    chk = subprocess.run([PROMTOOL, 'check', 'metrics'], input=text.encode(),
                         capture_output=True, timeout=30)
    out = (chk.stdout + chk.stderr).decode().strip().splitlines()
    lints = [ln for ln in out if "should be written in 'snake_case' not 'camelCase'" not in ln]
    ok(not lints and len(out) == 2,
       "promtool check metrics: only the camelCase lints real node_exporter also gets "
       "(MemTotal, MemAvailable)", '\n'.join(out))
    ok(re.search(r'^node_boot_time_seconds 1\.\d+e\+09$', text, re.M) is not None,
       'values are written as client_golang writes them (1.793848046e+09)')

    # Counters rise at the set level: build-1 at 87.5 % busy, idle 0.125 s/s per CPU.
    url = base('127.0.1.2') + '/metrics'
    t1 = time.time()
    s1 = parse_text(http('GET', url)[2])
    time.sleep(1.0)
    t2 = time.time()
    s2 = parse_text(http('GET', url)[2])
    i1, _ = find(s1, 'node_cpu_seconds_total', cpu='3', mode='idle')
    i2, _ = find(s2, 'node_cpu_seconds_total', cpu='3', mode='idle')
    u1, _ = find(s1, 'node_cpu_seconds_total', cpu='3', mode='user')
    u2, _ = find(s2, 'node_cpu_seconds_total', cpu='3', mode='user')
    rate = (i2 - i1) / (t2 - t1)
    ok(0.11 < rate < 0.14 and u2 > u1,
       'build-1 idle counter rises ~0.125 s/s (87.5 %% busy): %.4f' % rate)
    total = sum(find(s2, 'node_cpu_seconds_total', cpu='3', mode=m)[0] -
                find(s1, 'node_cpu_seconds_total', cpu='3', mode=m)[0]
                for m in ('idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'))
    ok(abs(total / (t2 - t1) - 1) < 0.1, 'the modes of one CPU add up to 1 s/s')

    # run-2 starts down (--down run-2): connection refused, then up and down again.
    def answers(addr):
        try:
            return http('GET', base(addr) + '/metrics', timeout=5)[0] == 200
        except OSError:
            return False
    ok(not answers('127.0.1.101'), '--down run-2: its exporter starts refusing connections')
    st, _, body = http('POST', ex.ctl + '/_sim/up?node=run-2')
    ok(st == 200 and json.loads(body)['up'] is True and answers('127.0.1.101'),
       'POST /_sim/up?node=run-2: it answers again', body)
    st, _, body = http('POST', ex.ctl + '/_sim/down?node=run-2')
    ok(st == 200 and not answers('127.0.1.101') and answers('127.0.1.100'),
       'POST /_sim/down?node=run-2: refused again, run-1 unaffected', body)

    st, _, body = http('POST', ex.ctl + '/_sim/level?node=ops-1&disk=0.5&memory=0.25')
    s = parse_text(http('GET', base('127.0.1.10') + '/metrics')[2])
    size, _ = find(s, 'node_filesystem_size_bytes', mountpoint='/')
    avail, _ = find(s, 'node_filesystem_avail_bytes', mountpoint='/')
    mt, _ = find(s, 'node_memory_MemTotal_bytes')
    ma, _ = find(s, 'node_memory_MemAvailable_bytes')
    ok(st == 200 and avail * 2 == size and ma * 4 == mt * 3,
       'POST /_sim/level sets disk and memory levels', (st, body, avail, size, ma, mt))
    st, _, body = http('GET', ex.ctl + '/_sim/nodes')
    nodes = json.loads(body)['nodes'] if st == 200 else []
    ok([n['name'] for n in nodes] ==
       ['k3s-1', 'build-1', 'ops-1', 'run-1', 'run-2', 'run-3', 'run-4'] and
       [n['up'] for n in nodes].count(False) == 1,
       'GET /_sim/nodes lists the nodes and their state', body)
    errs = [http('POST', ex.ctl + '/_sim/down?node=nosuch')[0],
            http('POST', ex.ctl + '/_sim/level?node=ops-1&cpu=1.5')[0],
            http('POST', ex.ctl + '/_sim/level?node=ops-1&cpu=x')[0],
            http('POST', ex.ctl + '/_sim/level?node=ops-1')[0],
            http('GET', ex.ctl + '/_sim/down?node=ops-1')[0],
            http('GET', ex.ctl + '/_sim/nothing')[0]]
    ok(errs == [404, 400, 400, 400, 405, 404],
       'control errors: unknown node 404, bad levels 400, GET of an action 405', errs)
    st, _, _ = http('GET', base('127.0.1.1') + '/nothing')
    ok(st == 404, 'an exporter path other than /metrics and / is 404')

    # The backfill: OpenMetrics from clock - 65 min to the clock, # EOF, run-2 ends 10 min
    # before the clock with up 0 after.
    text = open(ex.backfill).read()
    ok(text.endswith('\n# EOF\n'), 'the backfill ends with # EOF')
    first, last = {}, {}
    for line in text.splitlines():
        if line.startswith('#'):
            continue
        series, value, ts = line.rsplit(' ', 2)
        ts = int(ts)
        first.setdefault(series, ts)
        last[series] = (ts, value)
    r2cpu = 'node_cpu_seconds_total{cpu="0",instance="10.0.1.101:9100",job="node",mode="idle"}'
    r1cpu = 'node_cpu_seconds_total{cpu="0",instance="10.0.1.100:9100",job="node",mode="idle"}'
    ok(first.get(r1cpu) == CLOCK_S - 3900 and last.get(r1cpu, (0,))[0] == CLOCK_S,
       'backfill spans the clock minus 65 min (the hour and a 5 min rate window) to the clock',
       (first.get(r1cpu), last.get(r1cpu)))
    ok(last.get(r2cpu, (0,))[0] == CLOCK_S - 600 and
       last.get('up{instance="10.0.1.101:9100",job="node"}') == (CLOCK_S, '0'),
       "--down run-2: its series end 10 min before the clock, its up is 0 to the clock",
       (last.get(r2cpu), last.get('up{instance="10.0.1.101:9100",job="node"}')))
    n_series = len(first)
    ok(n_series > 500, 'the backfill holds %d series' % n_series)


if __name__ == '__main__':
    sys.exit(main())
