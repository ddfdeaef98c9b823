#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# nodeexp.py - simulated node_exporters (1.5 text format), one per simulated node, in one
# process, plus the OpenMetrics backfill of the same series for `promtool tsdb
# create-blocks-from openmetrics`. Python 3 standard library only. See sim/README.md.
#
# Every node listens on its own loopback address on one shared port: node IP 10.0.A.B is served
# on 127.0.A.B (k3s-1 on 127.0.1.1, ops-1 on 127.0.1.10, run-2 on 127.0.1.101 ...). The
# Prometheus targets file gives each target the label instance="<node IP>:9100", as a real
# scrape of node_exporters on the node IPs would have, so the backfilled and the scraped
# series are the same series and do not depend on the port.
#
# Values are exact by construction: levels are multiples of 1/32 (CPU, disk) or 1/64
# (memory), counters rise at dyadic rates from integer starting points, so the queries of
# api-facts §3.5 give exact decimal answers at the clock time (the last 10 minutes of the
# backfill hold every node at its level). Test-only control API under /_sim/ on 127.0.0.1.

import argparse
import decimal
import hashlib
import http.server
import json
import math
import os
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True       # keep the source tree (and a read-only distcheck) clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simlib.platform import SEED_NODES  # noqa: E402  (after the path set-up)
from simlib.util import parse_time  # noqa: E402

CPU_MODES = ('idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user')
# Share of the busy time per mode (sums to 1; every share is dyadic so counters stay exact).
BUSY_SHARE = {'user': 0.6875, 'system': 0.25, 'iowait': 0.03125, 'softirq': 0.03125,
              'irq': 0.0, 'nice': 0.0, 'steal': 0.0}
NET_DEVICES = ('cni0', 'eth0', 'lo')
STEADY = 600            # the backfill's last STEADY seconds hold every node at its level
SLOT = 300              # the backfill's levels change every SLOT seconds before that
JOB = 'node'

KERNEL = '6.1.0-27-amd64'
KVERSION = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)'

# name: (cpu, memory, root disk) levels; cpu and disk in 1/32, memory in 1/64 (exact).
SEED_LEVELS = {
    'k3s-1': (8 / 32, 32 / 64, 12 / 32),
    'build-1': (28 / 32, 40 / 64, 16 / 32),    # busy: builds are CPU-bound
    'ops-1': (8 / 32, 36 / 64, 31 / 32),       # registry + Loki + Prometheus: disk 96.875 %
    'run-1': (12 / 32, 32 / 64, 8 / 32),
    'run-2': (10 / 32, 28 / 64, 8 / 32),
}
GIB = 1 << 30
ROOT_SIZE = {'ctrl': 72 * GIB, 'build': 150 * GIB, 'ops': 880 * GIB, 'run': 440 * GIB}
ROOT_DEVICE = {'ctrl': '/dev/sda1', 'build': '/dev/sda1', 'ops': '/dev/md2', 'run': '/dev/md2'}
DISK_DEVICE = {'ctrl': 'sda', 'build': 'sda', 'ops': 'nvme0n1', 'run': 'nvme0n1'}

HELP = {
    'node_boot_time_seconds': ('gauge', 'Node boot time, in unixtime.'),
    'node_cpu_seconds_total': ('counter', 'Seconds the CPUs spent in each mode.'),
    'node_disk_io_time_seconds_total': ('counter', 'Total seconds spent doing I/Os.'),
    'node_disk_read_bytes_total': ('counter', 'The total number of bytes read successfully.'),
    'node_disk_written_bytes_total': ('counter',
                                      'The total number of bytes written successfully.'),
    'node_exporter_build_info': ('gauge', 'A metric with a constant \'1\' value labeled by '
                                 'version, revision, branch, goversion from which node_exporter '
                                 'was built, and the goos and goarch for the build.'),
    'node_filesystem_avail_bytes': ('gauge',
                                    'Filesystem space available to non-root users in bytes.'),
    'node_filesystem_files_free': ('gauge', 'Filesystem total free file nodes.'),
    'node_filesystem_readonly': ('gauge', 'Filesystem read-only status.'),
    'node_filesystem_size_bytes': ('gauge', 'Filesystem size in bytes.'),
    'node_load1': ('gauge', '1m load average.'),
    'node_load15': ('gauge', '15m load average.'),
    'node_load5': ('gauge', '5m load average.'),
    'node_memory_MemAvailable_bytes': ('gauge',
                                       'Memory information field MemAvailable_bytes.'),
    'node_memory_MemTotal_bytes': ('gauge', 'Memory information field MemTotal_bytes.'),
    'node_network_receive_bytes_total': ('counter', 'Network device statistic receive_bytes.'),
    'node_network_receive_errs_total': ('counter', 'Network device statistic receive_errs.'),
    'node_network_transmit_bytes_total': ('counter',
                                          'Network device statistic transmit_bytes.'),
    'node_uname_info': ('gauge', 'Labeled system information as provided by the uname '
                        'system call.'),
}


def go_float(v):
    """strconv.FormatFloat(v, 'g', -1, 64), as client_golang writes sample values."""
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return '+Inf' if v > 0 else '-Inf'
    if v == 0:
        return '0'
    d = decimal.Decimal(repr(float(v))).normalize()
    sign, digs, e = d.as_tuple()
    digits = ''.join(map(str, digs))
    nd = len(digits)
    dp = nd + e
    exp = dp - 1
    neg = '-' if sign else ''
    if exp < -4 or exp >= 6:
        mant = digits[0] + ('.' + digits[1:] if nd > 1 else '')
        return '%s%se%s%02d' % (neg, mant, '-' if exp < 0 else '+', abs(exp))
    if dp <= 0:
        return neg + '0.' + '0' * (-dp) + digits
    if dp >= nd:
        return neg + digits + '0' * (dp - nd)
    return neg + digits[:dp] + '.' + digits[dp:]


def om_float(v):
    """A sample value for the backfill: exact (shortest round-trip) and fast."""
    if v == int(v) and abs(v) < 2 ** 53:
        return '%d' % v
    return repr(float(v))


def unit_hash(*parts):
    """A deterministic number in [0, 1) from the parts (history shapes, not randomness)."""
    h = hashlib.sha256('\0'.join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:4], 'big') / 2 ** 32


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def quantize(v, denom):
    return round(v * denom) / denom


def label_str(labels):
    return ','.join('%s="%s"' % (k, labels[k]) for k in sorted(labels))


class Node:
    def __init__(self, idx, name, pool, ip, age_days, ncpu, mem_ki, levels):
        self.idx = idx
        self.name = name
        self.pool = pool
        self.ip = ip
        a, b = ip.split('.')[2:4]
        self.addr = '127.0.%s.%s' % (a, b)
        self.instance = '%s:9100' % ip
        self.ncpu = ncpu
        self.mem_total = mem_ki * 1024
        self.cpu, self.mem, self.disk = levels
        self.base = levels
        self.up = True
        self.uptime = min(age_days, 9 + (idx * 5) % 40) * 86400 + idx * 137
        size = ROOT_SIZE[pool]
        self.fs = [(ROOT_DEVICE[pool], 'ext4', '/', size),
                   ('tmpfs', 'tmpfs', '/run', (mem_ki // 10) * 1024 // 4096 * 4096)]
        self.disk_dev = DISK_DEVICE[pool]
        self.boot = 0
        self.lock = threading.Lock()
        self.anchor_t = 0.0
        self.anchor = {}

    # --- what the levels mean -------------------------------------------------------------

    def rates(self, cpu):
        """Counter key -> increase per second at this CPU level."""
        r = {}
        for c in range(self.ncpu):
            r[('cpu', str(c), 'idle')] = 1.0 - cpu
            for mode, share in BUSY_SHARE.items():
                r[('cpu', str(c), mode)] = cpu * share
        rx = 65536 + int(cpu * 4194304) + self.idx * 1024
        r[('net_rx', 'eth0')] = rx
        r[('net_tx', 'eth0')] = rx * 3 // 4
        r[('net_rx', 'cni0')] = rx // 2
        r[('net_tx', 'cni0')] = rx // 2
        r[('net_rx', 'lo')] = 40960
        r[('net_tx', 'lo')] = 40960
        for dev in NET_DEVICES:
            r[('net_errs', dev)] = 0
        r[('disk_read', self.disk_dev)] = 262144 + int(cpu * 1048576)
        r[('disk_written', self.disk_dev)] = 524288 + int(cpu * 2097152)
        r[('disk_io', self.disk_dev)] = quantize(0.015625 + cpu / 8, 1024)
        return r

    def start_counters(self, t):
        """Counter values at time t (an integer), as if the node ran at its level since boot."""
        up = t - self.boot
        return {k: math.floor(v * up) for k, v in self.rates(self.base[0]).items()}

    def gauges(self, cpu, mem, disk):
        """(metric, labels, value) of the gauges at these levels."""
        out = [('node_boot_time_seconds', {}, self.boot)]
        for dev, fstype, mnt, size in self.fs:
            lab = {'device': dev, 'fstype': fstype, 'mountpoint': mnt}
            used = round(size * disk) if mnt == '/' else size // 8
            out.append(('node_filesystem_size_bytes', lab, size))
            out.append(('node_filesystem_avail_bytes', lab, size - used))
            out.append(('node_filesystem_files_free', lab, (size - used) // 16384))
            out.append(('node_filesystem_readonly', lab, 0))
        load = cpu * self.ncpu
        out.append(('node_load1', {}, quantize(load, 100)))
        out.append(('node_load5', {}, quantize(load * 0.96875, 100)))
        out.append(('node_load15', {}, quantize(load * 0.9375, 100)))
        out.append(('node_memory_MemAvailable_bytes', {},
                    self.mem_total - round(self.mem_total * mem)))
        out.append(('node_memory_MemTotal_bytes', {}, self.mem_total))
        out.append(('node_uname_info', {'domainname': '(none)', 'machine': 'x86_64',
                                        'nodename': self.name, 'release': KERNEL,
                                        'sysname': 'Linux', 'version': KVERSION}, 1))
        return out

    @staticmethod
    def counter_series(key):
        kind = key[0]
        if kind == 'cpu':
            return 'node_cpu_seconds_total', {'cpu': key[1], 'mode': key[2]}
        name = {'net_rx': 'node_network_receive_bytes_total',
                'net_tx': 'node_network_transmit_bytes_total',
                'net_errs': 'node_network_receive_errs_total',
                'disk_read': 'node_disk_read_bytes_total',
                'disk_written': 'node_disk_written_bytes_total',
                'disk_io': 'node_disk_io_time_seconds_total'}[kind]
        return name, {'device': key[1]}

    # --- the backfilled hour ----------------------------------------------------------------

    def history_levels(self, t, end, duration):
        """Levels at time t of the backfill ending at `end`: the node's level during the last
        STEADY seconds, a shape per node before (build bursts, ops-1's disk filling up)."""
        cpu, mem, disk = self.base
        if t > end - STEADY:
            return cpu, mem, disk
        slot = int((end - t) // SLOT)
        if self.pool == 'build':
            cpu = 30 / 32 if slot % 2 == 0 else 14 / 32
        else:
            cpu = clamp(cpu + (round(unit_hash(self.name, 'cpu', slot) * 6) - 3) / 32,
                        1 / 32, 31 / 32)
        mem = clamp(mem + (round(unit_hash(self.name, 'mem', slot) * 4) - 2) / 64, 1 / 64,
                    63 / 64)
        if self.pool == 'ops':
            frac = (end - STEADY - t) / max(duration - STEADY, 1)
            disk = disk - 2 / 32 * frac
        return cpu, mem, disk

    def backfill(self, out, end, duration, step, down_at, lean=False):
        """Appends this node's series from end - duration to end (inclusive) every `step` s
        as OpenMetrics sample lines (no # EOF) to the list `out`, and sets the live anchor to
        the values at `end`. lean: only the series the console's sparklines and node name
        mapping read (idle CPU, memory, filesystems, network, load, boot time, uname, up)."""
        start = end - duration
        common = {'instance': self.instance, 'job': JOB}
        allkeys = list(self.rates(self.base[0]).keys())
        ckeys = [k for k in allkeys
                 if not lean or (k[0] in ('net_rx', 'net_tx') or k[2:] == ('idle',))]
        cser = []
        for k in ckeys:
            name, lab = self.counter_series(k)
            lab.update(common)
            cser.append('%s{%s} ' % (name, label_str(lab)))
        counters = self.start_counters(start)
        vals = [counters[k] for k in ckeys]
        up_s = 'up{%s} ' % label_str(common)
        t = start
        while t <= end:
            alive = down_at is None or t <= down_at
            ts = ' %d\n' % t
            out.append(up_s + ('1' if alive else '0') + ts)
            cpu, mem, disk = self.history_levels(t, end, duration)
            if alive:
                for i, s in enumerate(cser):
                    out.append(s + om_float(vals[i]) + ts)
                for name, lab, v in self.gauges(cpu, mem, disk):
                    lab = dict(lab, **common)
                    out.append('%s{%s} %s%s' % (name, label_str(lab), om_float(v), ts))
            # The rate from t to t + step is the level of the sample at t + step, so the
            # STEADY window's samples are all at the node's level.
            ncpu = self.history_levels(t + step, end, duration)[0]
            r = self.rates(ncpu)
            for i, k in enumerate(ckeys):
                vals[i] += r[k] * step
            t += step
        last = t - step
        # The anchor of the live counters; series left out of a lean backfill start where an
        # anchor at `end` puts them.
        base_r = self.rates(self.base[0])
        ctr = self.start_counters(end)
        ctr.update({k: vals[i] - base_r[k] * step for i, k in enumerate(ckeys)})
        with self.lock:
            self.anchor = ctr
            self.anchor_t = float(last)

    # --- live -----------------------------------------------------------------------------

    def counters_at(self, now):
        r = self.rates(self.cpu)
        dt = max(0.0, now - self.anchor_t)
        return {k: v + r[k] * dt for k, v in self.anchor.items()}

    def set_levels(self, now, cpu=None, mem=None, disk=None):
        with self.lock:
            if cpu is not None:
                self.anchor = self.counters_at(now)
                self.anchor_t = max(now, self.anchor_t)
                self.cpu = cpu
            if mem is not None:
                self.mem = mem
            if disk is not None:
                self.disk = disk

    def exposition(self, now):
        """node_exporter's text format (version 0.0.4): families sorted by name, HELP and
        TYPE lines, labels sorted."""
        with self.lock:
            ctr = self.counters_at(now)
            cpu, mem, disk = self.cpu, self.mem, self.disk
        fam = {}
        for k, v in ctr.items():
            name, lab = self.counter_series(k)
            fam.setdefault(name, []).append((lab, v))
        for name, lab, v in self.gauges(cpu, mem, disk):
            fam.setdefault(name, []).append((lab, v))
        fam['node_exporter_build_info'] = [({'branch': 'debian/sid', 'goarch': 'amd64',
                                             'goos': 'linux', 'goversion': 'go1.19.8',
                                             'revision': '1.5.0-1+b6', 'version': '1.5.0'}, 1)]
        lines = []
        for name in sorted(fam):
            typ, help_ = HELP[name]
            lines.append('# HELP %s %s\n# TYPE %s %s\n' % (name, help_, name, typ))
            rows = sorted(fam[name], key=lambda lv: label_str(lv[0]))
            for lab, v in rows:
                ls = label_str(lab)
                lines.append('%s%s %s\n' % (name, '{%s}' % ls if ls else '', go_float(v)))
        return ''.join(lines)

    def state(self):
        return {'name': self.name, 'instance': self.instance, 'address': self.addr,
                'up': self.up, 'cpu': self.cpu, 'memory': self.mem, 'disk': self.disk,
                'cpus': self.ncpu}


def make_nodes(total):
    """The seed's nodes, plus run-3 ... up to `total` nodes as kubesim's large platform makes
    them (same names, IPs, CPU and memory)."""
    specs = [(n[0], n[1], n[2], n[3], n[4], n[5]) for n in SEED_NODES]
    for i in range(max(total, len(SEED_NODES)) - len(SEED_NODES)):
        ipn = 102 + i
        specs.append(('run-%d' % (i + 3), 'run', '10.0.%d.%d' % (1 + ipn // 254, ipn % 254 + 1),
                      30 + (i * 7) % 150, 12, 65699240))
    nodes = []
    for idx, (name, pool, ip, age, ncpu, mem_ki) in enumerate(specs):
        lv = SEED_LEVELS.get(name)
        if lv is None:
            lv = ((4 + round(unit_hash(name, 'c') * 12)) / 32,
                  (16 + round(unit_hash(name, 'm') * 24)) / 64,
                  (4 + round(unit_hash(name, 'd') * 12)) / 32)
        nodes.append(Node(idx, name, pool, ip, age, ncpu, mem_ki, lv))
    return nodes


# --- serving ----------------------------------------------------------------------------------

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def server_bind(self):
        # HTTPServer.server_bind resolves the address's name (getfqdn): a DNS round trip per
        # node address, 50 s for 500 nodes. Nothing here uses server_name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setblocking(True)
        return sock, addr


class ExporterHandler(http.server.BaseHTTPRequestHandler):
    server_version = 'nodeexp/1.5.0'
    timeout = 30            # a client that stops sending does not keep a thread forever

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, ctype, body):
        data = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def do_GET(self):
        node = self.server.node
        path = urllib.parse.urlsplit(self.path).path
        if path == '/metrics':
            self.send_body(200, 'text/plain; version=0.0.4; charset=utf-8',
                           node.exposition(time.time()))
        elif path == '/':
            self.send_body(200, 'text/html; charset=utf-8',
                           '<html><head><title>Node Exporter</title></head><body>'
                           '<h1>Node Exporter (%s)</h1><p><a href="/metrics">Metrics</a></p>'
                           '</body></html>\n' % node.name)
        else:
            self.send_body(404, 'text/plain; charset=utf-8', '404 page not found\n')

    do_HEAD = do_GET


class ControlHandler(http.server.BaseHTTPRequestHandler):
    server_version = 'nodeexp-control'
    timeout = 30

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj):
        data = (json.dumps(obj) + '\n').encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        app = self.server.app
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if self.headers.get('Content-Length'):
            self.rfile.read(int(self.headers['Content-Length']))
        op = u.path[len('/_sim/'):] if u.path.startswith('/_sim/') else None
        if op == 'nodes' and self.command == 'GET':
            return self.reply(200, {'nodes': [n.state() for n in app.nodes]})
        if op in ('down', 'up', 'level', 'metrics'):
            node = app.by_name.get(q.get('node', ''))
            if node is None:
                return self.reply(404, {'error': 'no node %r' % q.get('node', '')})
            if op == 'metrics':
                data = node.exposition(time.time()).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            if self.command != 'POST':
                return self.reply(405, {'error': 'POST /_sim/%s' % op})
            if op == 'level':
                try:
                    lv = {k: float(q[k]) for k in ('cpu', 'memory', 'disk') if k in q}
                except ValueError:
                    return self.reply(400, {'error': 'levels are fractions 0..1'})
                if not lv or any(not 0 <= v <= 1 for v in lv.values()):
                    return self.reply(400, {'error': 'give cpu, memory or disk in 0..1'})
                node.set_levels(time.time(), lv.get('cpu'), lv.get('memory'), lv.get('disk'))
            else:
                err = app.set_up(node, op == 'up')
                if err:
                    return self.reply(500, {'error': err})
            return self.reply(200, node.state())
        return self.reply(404, {'error': 'unknown control path %s' % u.path})

    do_GET = handle_any
    do_POST = handle_any


class App:
    def __init__(self, nodes):
        self.nodes = nodes
        self.by_name = {n.name: n for n in nodes}
        self.servers = {}
        self.sel = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.port = 0
        self.control = None

    def open_node(self, node):
        srv = Server((node.addr, self.port), ExporterHandler, bind_and_activate=False)
        try:
            srv.server_bind()
            srv.server_activate()
        except OSError:
            srv.server_close()
            raise
        srv.node = node
        self.servers[node.name] = srv
        self.sel.register(srv.socket, selectors.EVENT_READ, srv)

    def close_node(self, node):
        srv = self.servers.pop(node.name, None)
        if srv is not None:
            self.sel.unregister(srv.socket)
            srv.server_close()

    def bind_all(self, port, tries=50):
        """Binds every node's address on one port: the given one, else a free one (retried
        when another process holds it on one of the addresses)."""
        for _ in range(tries):
            self.port = port
            try:
                for n in self.nodes:
                    self.open_node(n)
                    if self.port == 0:
                        self.port = self.servers[n.name].server_address[1]
                return
            except OSError as e:
                for n in self.nodes:
                    self.close_node(n)
                if port:
                    raise SystemExit('nodeexp: cannot listen on port %d: %s' % (port, e))
        raise SystemExit('nodeexp: no port free on every node address')

    def set_up(self, node, up):
        with self.lock:
            if up == node.up:
                return None
            if up:
                try:
                    self.open_node(node)
                except OSError as e:
                    return 'cannot listen again on %s:%d: %s' % (node.addr, self.port, e)
            else:
                self.close_node(node)
            node.up = up
        return None

    def serve(self, stop):
        while not stop.is_set():
            events = self.sel.select(timeout=0.2)
            with self.lock:
                live = set(map(id, self.servers.values()))
                for key, _ in events:
                    if id(key.data) not in live:
                        continue        # closed by /_sim/down since select returned
                    try:
                        key.data._handle_request_noblock()
                    except OSError:
                        pass


def write_atomic(path, text):
    tmp = '%s.tmp%d' % (path, os.getpid())
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description='simulated node_exporters (see sim/README.md)')
    ap.add_argument('--port-file', required=True,
                    help='written once listening: NODEEXP_PORT=..., NODEEXP_CTL=... (sh)')
    ap.add_argument('--port', type=int, default=0, help='exporter port on every node address')
    ap.add_argument('--nodes', type=int, default=0, help='total nodes (adds run-3 ...), <= 500')
    ap.add_argument('--clock', help='RFC 3339 or Unix seconds; default $OPSDECK_CLOCK, else '
                    'now: the end of the backfilled hour')
    ap.add_argument('--backfill-file', help='write the OpenMetrics backfill here')
    ap.add_argument('--backfill-duration', type=int, default=3900,
                    help='seconds (3900: the hour and a 5 min rate window before it)')
    ap.add_argument('--backfill-step', type=int, default=0,
                    help='seconds between samples (15; 60 above 20 nodes)')
    ap.add_argument('--backfill-series', choices=('all', 'lean', 'auto'), default='auto',
                    help='lean: only what sparklines read (auto: lean above 20 nodes)')
    ap.add_argument('--targets-file', help='write Prometheus file_sd targets (JSON) here')
    ap.add_argument('--down', action='append', default=[], metavar='NODE[:MIN]',
                    help='NODE stopped answering MIN minutes (default 10) before the clock: '
                    'its backfill ends there and its exporter starts down')
    args = ap.parse_args()
    if args.nodes > 500:
        ap.error('--nodes: at most 500')
    clock_s = args.clock or os.environ.get('OPSDECK_CLOCK')
    try:
        end = int(parse_time(clock_s)) if clock_s else int(time.time())
    except ValueError as e:
        ap.error('--clock / $OPSDECK_CLOCK: %s' % e)
    step = args.backfill_step or (15 if args.nodes <= 20 else 60)
    duration = args.backfill_duration - args.backfill_duration % step
    nodes = make_nodes(args.nodes)
    app = App(nodes)
    down = {}
    for d in args.down:
        name, _, mins = d.partition(':')
        if name not in app.by_name:
            ap.error('--down: no node %r' % name)
        down[name] = end - int(float(mins or 10) * 60)
    for n in nodes:
        n.boot = end - n.uptime

    lean = {'all': False, 'lean': True, 'auto': args.nodes > 20}[args.backfill_series]
    bf = tmp = None
    if args.backfill_file:
        tmp = '%s.tmp%d' % (args.backfill_file, os.getpid())
        bf = open(tmp, 'w')
    for n in nodes:
        out = []
        n.backfill(out, end, duration, step, down.get(n.name), lean)
        if bf:
            bf.write(''.join(out))
    if bf:
        bf.write('# EOF\n')
        bf.close()
        os.replace(tmp, args.backfill_file)

    app.bind_all(args.port)
    for name in down:
        app.set_up(app.by_name[name], False)
    ctl = Server(('127.0.0.1', 0), ControlHandler)
    ctl.app = app
    threading.Thread(target=ctl.serve_forever, kwargs={'poll_interval': 0.2},
                     daemon=True).start()
    if args.targets_file:
        write_atomic(args.targets_file, json.dumps(
            [{'targets': ['%s:%d' % (n.addr, app.port)],
              'labels': {'instance': n.instance}} for n in nodes], indent=1) + '\n')
    write_atomic(args.port_file, 'NODEEXP_PORT=%d\nNODEEXP_CTL=http://127.0.0.1:%d\n'
                 % (app.port, ctl.server_address[1]))

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    app.serve(stop)
    ctl.shutdown()
    ctl.server_close()
    for n in nodes:
        app.close_node(n)
    return 0


if __name__ == '__main__':
    sys.exit(main())
