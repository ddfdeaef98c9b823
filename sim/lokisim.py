#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# lokisim.py - a Grafana Loki double (the HTTP API of Loki 2.8 that opsdeck uses) for opsdeck's
# tests, benchmarks and demo. Python 3 standard library only.
#
# push, query_range (log queries: stream selector and line filters), labels, label values,
# series, ready, buildinfo; plain-text errors with Loki 2.8's texts; X-Scope-OrgID tenancy with
# --auth-enabled. Filled at start with an hour of the seed platform's logs (simlib/logs.py).
# Test-only control API under /_sim/ (loopback only). See sim/README.md, section "Loki".

import argparse
import bisect
import collections
import gzip
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simlib import logs  # noqa: E402
from simlib.logql import LogQLError, format_labels, parse_selector  # noqa: E402
from simlib.util import http_date, parse_time  # noqa: E402

NS = 1000000000
DEFAULT_LIMIT = 100
MAX_ENTRIES = 5000
MAX_QUERY_LENGTH = (30 * 24 + 1) * 3600 * NS          # max_query_length 30d1h
REJECT_OLD = 168 * 3600 * NS                          # reject_old_samples_max_age 1w
OUT_OF_ORDER_WINDOW = 3600 * NS                       # max_chunk_age 2h / 2 (unordered writes)
QUERY_ERR_CT = 'application/json; charset=UTF-8'      # what Loki 2.8 labels its text errors with
TEXT_CT = 'text/plain; charset=utf-8'
FAULT_TEXT = {
    429: 'too many outstanding requests',
    500: 'rpc error: code = Internal desc = failed to get chunks',
    503: 'empty ring',
    504: 'request timed out, decrease the duration of the request or add more label matchers, '
         'or use a less expensive query',
}
HTML_502 = (b'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>'
            b'502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n'
            b'</html>\r\n')
BUILDINFO = {'version': '2.8.0', 'revision': '90888a0', 'branch': 'HEAD',
             'buildUser': 'root@lokisim', 'buildDate': '2023-04-04T11:06:04Z',
             'goVersion': 'go1.20.2'}
_CACHE0 = {'entriesFound': 0, 'entriesRequested': 0, 'entriesStored': 0, 'bytesReceived': 0,
           'bytesSent': 0, 'requests': 0, 'downloadTime': 0}


class HTTPError(Exception):
    def __init__(self, code, text, ctype=QUERY_ERR_CT, newline=False):
        super().__init__(text)
        self.code = code
        self.body = (text + ('\n' if newline else '')).encode()
        self.ctype = ctype


def jstr(b):
    """JSON string for a line kept as bytes: invalid UTF-8 goes out as the raw bytes (as Loki's
    jsoniter writes them), control characters as \\u00XX."""
    return json.dumps(b.decode('utf-8', 'surrogateescape'),
                      ensure_ascii=False).encode('utf-8', 'surrogateescape')


def go_duration(ns):
    """Prometheus model.Duration text: 30d1h, 1h30m, 0s."""
    ms = ns // 1000000
    if ms == 0:
        return '0s'
    out = ''
    for unit, size in (('y', 365 * 86400000), ('w', 7 * 86400000), ('d', 86400000),
                       ('h', 3600000), ('m', 60000), ('s', 1000), ('ms', 1)):
        if ms >= size:
            out += '%d%s' % (ms // size, unit)
            ms %= size
    return out


_DUR = re.compile(r'(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?'
                  r'(?:(\d+)ms)?')
_RFC3339 = re.compile(r'(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)')


def parse_duration(s):
    """Prometheus model.ParseDuration -> ns."""
    m = _DUR.fullmatch(s)
    if not s or not m or not any(m.groups()):
        raise HTTPError(400, 'not a valid duration string: "%s"' % s)
    mult = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1)
    ns = sum(int(g) * u * NS for g, u in zip(m.groups()[:6], mult) if g)
    if m.group(7):
        ns += int(m.group(7)) * 1000000
    return ns


def parse_ts(value, default):
    """Loki's parseTimestamp: "." and a float -> seconds (fraction rounded to ms); an integer
    of <= 10 digits -> seconds, longer -> nanoseconds; else RFC 3339 (nano). -> ns."""
    if value is None or value == '':
        return default
    if '.' in value:
        try:
            f = float(value)
            if f == f and abs(f) != float('inf'):
                s = int(f)
                frac = round((f - s) * 1000) / 1000
                return s * NS + int(frac * NS)
        except ValueError:
            pass
    if re.fullmatch(r'[+-]?\d+', value):
        n = int(value)
        if -(1 << 63) <= n < (1 << 63):
            return n * NS if len(value) <= 10 else n
        err = 'strconv.ParseInt: parsing "%s": value out of range' % value
    else:
        err = 'strconv.ParseInt: parsing "%s": invalid syntax' % value
    m = _RFC3339.fullmatch(value)
    if m:
        try:
            t = parse_time(value[:19] + (m.group(8)))
        except ValueError:
            raise HTTPError(400, err)
        frac = m.group(7) or '.'
        return int(t) * NS + int((frac[1:] + '000000000')[:9])
    raise HTTPError(400, err)


def format_time_rfc3339(ns):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(ns // NS))


def format_time_go(ns):
    """Go's time.Time.String() in UTC."""
    base = time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(ns // NS))
    frac = ns % NS
    if frac:
        base += ('.%09d' % frac).rstrip('0')
    return base + ' +0000 UTC'


class Stream:
    """One label set's entries, sorted by timestamp: parallel lists ts / lines / rendered (the
    pre-rendered JSON ["ts","line"] of each entry, or None when rendered on demand)."""

    __slots__ = ('labels', 'text', 'json', 'ts', 'lines', 'rendered', 'bytes')

    def __init__(self, labels):
        self.labels = dict(labels)
        self.text = format_labels(self.labels)
        self.json = json.dumps(self.labels, sort_keys=True, separators=(',', ':'),
                               ensure_ascii=False).encode()
        self.ts = []
        self.lines = []
        self.rendered = []
        self.bytes = 0

    def add(self, ts, line, render=True):
        """Adds one entry (any order); False when the identical entry is already there."""
        r = b'["%d",%s]' % (ts, jstr(line)) if render else None
        if not self.ts or ts > self.ts[-1]:
            self.ts.append(ts)
            self.lines.append(line)
            self.rendered.append(r)
        else:
            i = bisect.bisect_left(self.ts, ts)
            j = i
            while j < len(self.ts) and self.ts[j] == ts:
                if self.lines[j] == line:
                    return False
                j += 1
            self.ts.insert(j, ts)
            self.lines.insert(j, line)
            self.rendered.insert(j, r)
        self.bytes += len(line)
        return True

    def entry(self, i):
        r = self.rendered[i]
        if r is None:
            r = b'["%d",%s]' % (self.ts[i], jstr(self.lines[i]))
        return r


class Org:
    def __init__(self):
        self.streams = {}

    def stream(self, labels):
        key = tuple(sorted(labels.items()))
        s = self.streams.get(key)
        if s is None:
            s = self.streams[key] = Stream(labels)
        return s


class Loki:
    """Shared state; self.lock guards the orgs' streams, faults and the request log."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        clock_s = args.clock or os.environ.get('OPSDECK_CLOCK')
        self.base = parse_time(clock_s) if clock_s else time.time()
        self.mono0 = time.monotonic()
        self.orgs = collections.defaultdict(Org)
        self.faults = []
        self.reqlog = collections.deque(maxlen=args.request_log_size)
        self.gen_rate = 0.0
        self.gen_seq = 0
        self.gen_thread = None
        self.gen_last_ts = 0
        self.stopping = threading.Event()
        t0 = time.monotonic()
        now = self.base
        org = self.orgs[args.data_org]
        n = 0
        if not args.empty:
            for labels, entries in logs.all_streams(now, args.volume):
                s = org.stream(labels)
                for ts, line in entries:
                    s.add(ts, line)
                    n += 1
        self.fill_seconds = time.monotonic() - t0
        self.fill_entries = n

    def now_ns(self):
        """The injected clock at start plus the real time elapsed since."""
        return int((self.base + time.monotonic() - self.mono0) * NS)

    # --- generator (follow-mode benchmark) -----------------------------------------------------
    def set_rate(self, rate):
        with self.lock:
            self.gen_rate = float(rate)
            if self.gen_rate > 0 and self.gen_thread is None:
                self.gen_thread = threading.Thread(target=self.generate, daemon=True)
                self.gen_thread.start()

    def generate(self):
        labels = logs.bench_labels('firehose')
        t_last = time.monotonic()
        owed = 0.0
        while not self.stopping.wait(0.05):
            t = time.monotonic()
            with self.lock:
                rate = self.gen_rate
                owed += (t - t_last) * rate
                t_last = t
                n = int(owed)
                owed -= n
                if n <= 0:
                    continue
                s = self.orgs[self.args.data_org].stream(labels)
                now = self.now_ns()
                for k in range(n):
                    ts = max(now - (n - 1 - k) * (NS // max(int(rate), 1)), self.gen_last_ts + 1)
                    self.gen_last_ts = ts
                    s.add(ts, logs.bench_line(self.gen_seq, ts), render=False)
                    self.gen_seq += 1

    # --- faults ---------------------------------------------------------------------------------
    def take_fault(self, path):
        with self.lock:
            for f in self.faults:
                if f.get('path') and f['path'] not in path:
                    continue
                if not f.get('path') and path.endswith('/push'):
                    continue
                f['count'] -= 1
                if f['count'] <= 0:
                    self.faults.remove(f)
                return dict(f)
        return None


def _orgs(handler):
    sim = handler.sim
    if not sim.args.auth_enabled:
        return [sim.args.data_org]
    org = handler.headers.get('X-Scope-OrgID')
    if not org:
        raise HTTPError(401, 'no org id', TEXT_CT, newline=True)
    return [o for o in org.split('|') if o]


def _stats(lines, nbytes, returned, secs):
    exec_time = max(secs, 0.000001)
    chunk = {'headChunkBytes': nbytes, 'headChunkLines': lines, 'decompressedBytes': 0,
             'decompressedLines': 0, 'compressedBytes': 0, 'totalDuplicates': 0}
    return {
        'summary': {'bytesProcessedPerSecond': int(nbytes / exec_time),
                    'linesProcessedPerSecond': int(lines / exec_time),
                    'totalBytesProcessed': nbytes, 'totalLinesProcessed': lines,
                    'execTime': round(exec_time, 6), 'queueTime': 0.000011, 'subqueries': 0,
                    'totalEntriesReturned': returned, 'splits': 1, 'shards': 1},
        'querier': {'store': {'totalChunksRef': 0, 'totalChunksDownloaded': 0,
                              'chunksDownloadTime': 0,
                              'chunk': dict(chunk, headChunkBytes=0, headChunkLines=0)}},
        'ingester': {'totalReached': 1, 'totalChunksMatched': 1 if lines else 0,
                     'totalBatches': 1 if lines else 0, 'totalLinesSent': returned,
                     'store': {'totalChunksRef': 0, 'totalChunksDownloaded': 0,
                               'chunksDownloadTime': 0, 'chunk': chunk}},
        'cache': {'chunk': dict(_CACHE0), 'index': dict(_CACHE0), 'result': dict(_CACHE0)},
    }


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = ''
    sys_version = ''
    sim = None

    def version_string(self):
        return ''

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.settimeout(self.sim.args.socket_timeout)

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def send(self, code, body, ctype='application/json', extra=None):
        headers = dict(extra or {})
        if code != 204 and self.accept_gzip() and len(body) >= self.sim.args.gzip_threshold:
            body = gzip.compress(body, compresslevel=1, mtime=0)
            headers['Content-Encoding'] = 'gzip'
            headers['Vary'] = 'Accept-Encoding'
        if self.entry is not None:
            # Logged before the answer goes out: a client may read the request log as soon
            # as it has the answer. (The keys exist already: no lock needed to set them.)
            self.entry['status'] = code
            self.entry['bytes'] = len(body) if code != 204 else 0
            self.entry['content_encoding'] = headers.get('Content-Encoding', '')
        self.send_response_only(code)
        if ctype and code != 204:
            self.send_header('Content-Type', ctype)
        self.send_header('Date', http_date(time.time()))
        for k, v in headers.items():
            self.send_header(k, v)
        if code != 204:
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if code != 204 and self.command != 'HEAD':
            self.wfile.write(body)

    def accept_gzip(self):
        ae = self.headers.get('Accept-Encoding') or ''
        return any(p.split(';')[0].strip() == 'gzip' for p in ae.split(','))

    def read_body(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n > 256 << 20:
            raise HTTPError(413, 'request body too large', TEXT_CT, newline=True)
        return self.rfile.read(n) if n else b''

    def dispatch(self):
        self.entry = None
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        try:
            body = self.read_body()
            if path.startswith('/_sim/'):
                if not self.client_address[0].startswith('127.'):
                    raise HTTPError(403, 'loopback only', TEXT_CT, newline=True)
                return self.control(path, url.query, body)
            form = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip()
            if self.command == 'POST' and ctype == 'application/x-www-form-urlencoded':
                for k, v in urllib.parse.parse_qs(body.decode('utf-8', 'replace'),
                                                  keep_blank_values=True).items():
                    form.setdefault(k, []).extend(v)
            self.entry = {'t': round(time.monotonic() - self.sim.mono0, 3),
                          'method': self.command, 'path': path, 'query': url.query,
                          'params': {k: v if len(v) > 1 else v[0] for k, v in form.items()},
                          'org': self.headers.get('X-Scope-OrgID'),
                          'accept_encoding': self.headers.get('Accept-Encoding') or '',
                          'authorization': bool(self.headers.get('Authorization')),
                          'user_agent': self.headers.get('User-Agent') or '',
                          'status': None, 'bytes': 0, 'content_encoding': ''}
            with self.sim.lock:
                self.sim.reqlog.append(self.entry)
            self.route(path, form, body)
        except HTTPError as e:
            self.send(e.code, e.body, e.ctype)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    def route(self, path, form, body):
        sim = self.sim
        if path == '/ready':
            return self.send(200, b'ready\n', TEXT_CT)
        if path in ('/loki/api/v1/status/buildinfo', '/api/v1/status/buildinfo'):
            return self.send(200, json.dumps(BUILDINFO).encode())
        if not path.startswith('/loki/api/v1/'):
            raise HTTPError(404, '404 page not found', TEXT_CT, newline=True)
        fault = sim.take_fault(path)
        if fault is not None:
            if fault.get('delay'):
                time.sleep(min(float(fault['delay']), 60))
            if fault.get('html'):
                return self.send(int(fault.get('status', 502)), HTML_502, 'text/html')
            code = int(fault.get('status', 500))
            text = fault.get('body') or FAULT_TEXT.get(code, 'internal server error')
            raise HTTPError(code, text, TEXT_CT, newline=True)
        orgs = _orgs(self)
        rest = path[len('/loki/api/v1/'):]
        if rest == 'push':
            if self.command != 'POST':
                raise HTTPError(405, '405 method not allowed', TEXT_CT, newline=True)
            return self.push(orgs, body)
        if rest == 'query_range':
            return self.query_range(orgs, form)
        if rest == 'labels':
            return self.labels(orgs, form, None)
        if rest.startswith('label/') and rest.endswith('/values'):
            return self.labels(orgs, form, urllib.parse.unquote(rest[6:-7]))
        if rest == 'series':
            return self.series(orgs, form)
        raise HTTPError(404, '404 page not found', TEXT_CT, newline=True)

    # --- push -----------------------------------------------------------------------------------
    def push(self, orgs, body):
        sim = self.sim
        if (self.headers.get('Content-Encoding') or '').lower() == 'gzip':
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                raise HTTPError(400, 'gzip: invalid header', TEXT_CT, newline=True)
        ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip()
        if ctype != 'application/json':
            raise HTTPError(415, 'lokisim: only application/json push bodies are supported',
                            TEXT_CT, newline=True)
        try:
            data = json.loads(body.decode('utf-8', 'surrogateescape'))
            streams = data['streams']
            if not isinstance(streams, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise HTTPError(400, 'lokisim: push body is not {"streams":[...]}', TEXT_CT,
                            newline=True)
        now = sim.now_ns()
        errors = []
        with sim.lock:
            org = sim.orgs[orgs[0]]
            for st in streams:
                labels = st.get('stream') if isinstance(st, dict) else None
                values = st.get('values') if isinstance(st, dict) else None
                if not isinstance(labels, dict) or not labels or not isinstance(values, list) \
                        or not all(isinstance(v, str) for v in labels.values()):
                    raise HTTPError(400, 'error at least one label pair is required per stream',
                                    TEXT_CT, newline=True)
                s = org.stream(labels)
                failed = []
                for v in values:
                    if not isinstance(v, list) or len(v) < 2 or not isinstance(v[0], str) or \
                            not isinstance(v[1], str) or not re.fullmatch(r'\d+', v[0]):
                        raise HTTPError(400, 'lokisim: each value must be ["<ns string>", '
                                        '"<line>"(, {metadata})]', TEXT_CT, newline=True)
                    ts = int(v[0])
                    line = v[1].encode('utf-8', 'surrogateescape')
                    if ts < now - REJECT_OLD:
                        errors.append("entry for stream '%s' has timestamp too old: %s, oldest "
                                      "acceptable timestamp is: %s"
                                      % (s.text, format_time_rfc3339(ts),
                                         format_time_rfc3339(now - REJECT_OLD)))
                        continue
                    if s.ts and ts < s.ts[-1] - OUT_OF_ORDER_WINDOW:
                        failed.append("entry with timestamp %s ignored, reason: 'entry too far "
                                      "behind, oldest acceptable timestamp is: %s',"
                                      % (format_time_go(ts),
                                         format_time_rfc3339(s.ts[-1] - OUT_OF_ORDER_WINDOW)))
                        continue
                    s.add(ts, line)
                if failed:
                    errors.append('\n'.join(failed) + "\nuser '%s', total ignored: %d out of %d "
                                  "for stream: %s" % (orgs[0], len(failed), len(values), s.text))
        if errors:
            raise HTTPError(400, errors[-1], TEXT_CT, newline=True)
        self.send(204, b'')

    # --- queries --------------------------------------------------------------------------------
    def param(self, form, name):
        v = form.get(name)
        return v[0] if v else None

    def bounds(self, form, default_span):
        now = self.sim.now_ns()
        end = parse_ts(self.param(form, 'end'), now)
        since = self.param(form, 'since')
        span = parse_duration(since) if since else default_span
        start = parse_ts(self.param(form, 'start'), end - span)
        return start, end

    def query_range(self, orgs, form):
        t0 = time.monotonic()
        query = self.param(form, 'query') or ''
        # the order of Loki's checks (pkg/loghttp ParseRangeQuery, then the querier's limits)
        start, end = self.bounds(form, 3600 * NS)
        if end < start:
            raise HTTPError(400, 'end timestamp must not be before or equal to start time')
        limit_s = self.param(form, 'limit')
        if limit_s is None or limit_s == '':
            limit = DEFAULT_LIMIT
        elif re.fullmatch(r'[+-]?\d+', limit_s):
            limit = int(limit_s)
        else:
            raise HTTPError(400, 'strconv.ParseInt: parsing "%s": invalid syntax' % limit_s)
        if limit <= 0:
            raise HTTPError(400, 'limit must be a positive value')
        d = self.param(form, 'direction')
        if d is None or d == '':
            backward = True
        elif d.lower() in ('forward', 'backward'):
            backward = d.lower() == 'backward'
        else:
            raise HTTPError(400, 'invalid direction')
        step = self.param(form, 'step')
        if step:
            try:
                sv = float(step) * NS if re.fullmatch(r'[0-9.eE+-]+', step) else \
                    parse_duration(step)
            except ValueError:
                raise HTTPError(400, 'cannot parse "%s" to a valid duration' % step)
            if sv <= 0:
                raise HTTPError(400, 'zero or negative query resolution step widths are not '
                                'accepted. Try a positive integer')
            if (end - start) / sv > 11000:
                raise HTTPError(400, 'exceeded maximum resolution of 11,000 points per time '
                                'series. Try increasing the value of the step parameter')
        try:
            q = parse_selector(query)
        except LogQLError as e:
            raise HTTPError(400, str(e))
        if limit > MAX_ENTRIES:
            raise HTTPError(400, 'max entries limit per query exceeded, limit > '
                            'max_entries_limit_per_query (%d > %d)' % (limit, MAX_ENTRIES))
        if end - start > MAX_QUERY_LENGTH:
            raise HTTPError(400, 'the query time range exceeds the limit (query length: %s, '
                            'limit: %s)' % (go_duration(end - start),
                                            go_duration(MAX_QUERY_LENGTH)))
        cands = []
        scanned = 0
        nbytes = 0
        with self.sim.lock:
            streams = [s for o in orgs if o in self.sim.orgs
                       for s in self.sim.orgs[o].streams.values() if q.match_labels(s.labels)]
            for si, s in enumerate(streams):
                lo = bisect.bisect_left(s.ts, start)
                hi = bisect.bisect_left(s.ts, end)
                if lo >= hi:
                    continue
                rng = range(hi - 1, lo - 1, -1) if backward else range(lo, hi)
                got = 0
                for i in rng:
                    scanned += 1
                    nbytes += len(s.lines[i])
                    if q.filters and not q.keep(s.lines[i]):
                        continue
                    cands.append((s.ts[i], si, i))
                    got += 1
                    if got >= limit:
                        break
            if len(cands) > limit:
                cands.sort(reverse=backward)
                cands = cands[:limit]
            by_stream = collections.defaultdict(list)
            for ts, si, i in cands:
                by_stream[si].append((ts, i))
            parts = []
            for si in sorted(by_stream, key=lambda k: streams[k].text):
                s = streams[si]
                ents = sorted(by_stream[si], reverse=backward)
                parts.append(b'{"stream":%s,"values":[%s]}'
                             % (s.json, b','.join(s.entry(i) for _, i in ents)))
        stats = json.dumps(_stats(scanned, nbytes, len(cands), time.monotonic() - t0),
                           separators=(',', ':')).encode()
        body = (b'{"status":"success","data":{"resultType":"streams","result":[%s],"stats":%s}}'
                % (b','.join(parts), stats))
        self.send(200, body)

    def labels(self, orgs, form, name):
        start, end = self.bounds(form, 6 * 3600 * NS)
        if end < start:
            raise HTTPError(400, 'end timestamp must not be before or equal to start time')
        sel = self.param(form, 'query')
        q = None
        if sel:
            try:
                q = parse_selector(sel, allow_filters=False)
            except LogQLError as e:
                raise HTTPError(400, str(e))
        out = set()
        with self.sim.lock:
            for o in orgs:
                for s in self.sim.orgs[o].streams.values() if o in self.sim.orgs else ():
                    if q is not None and not q.match_labels(s.labels):
                        continue
                    if bisect.bisect_left(s.ts, start) >= bisect.bisect_left(s.ts, end):
                        continue
                    if name is None:
                        out.update(s.labels)
                    elif name in s.labels:
                        out.add(s.labels[name])
        obj = {'status': 'success'}
        if out:
            obj['data'] = sorted(out)
        self.send(200, json.dumps(obj, ensure_ascii=False, separators=(',', ':')).encode())

    def series(self, orgs, form):
        matches = [m for k in ('match[]', 'match') for m in form.get(k, [])]
        if not matches:
            raise HTTPError(400, '0 matcher groups supplied')
        start, end = self.bounds(form, 6 * 3600 * NS)
        if end < start:
            raise HTTPError(400, 'end timestamp must not be before or equal to start time')
        try:
            qs = [parse_selector(m, allow_filters=False) for m in matches]
        except LogQLError as e:
            raise HTTPError(400, str(e))
        out = []
        with self.sim.lock:
            for o in orgs:
                for s in self.sim.orgs[o].streams.values() if o in self.sim.orgs else ():
                    if not any(q.match_labels(s.labels) for q in qs):
                        continue
                    if bisect.bisect_left(s.ts, start) >= bisect.bisect_left(s.ts, end):
                        continue
                    out.append(s)
        out.sort(key=lambda s: s.text)
        body = b'{"status":"success","data":[%s]}' % b','.join(s.json for s in out)
        self.send(200, body)

    # --- control API ----------------------------------------------------------------------------
    def control(self, path, query, body):
        sim = self.sim
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError as e:
            raise HTTPError(400, 'control API: body is not JSON: %s' % e, TEXT_CT, True)
        if isinstance(data, dict):
            q.update(data)
        head = path[len('/_sim/'):].strip('/')

        def reply(obj):
            self.send(200, json.dumps(obj).encode())

        if head == 'stats' and self.command == 'GET':
            with sim.lock:
                orgs = {o: {'streams': len(org.streams),
                            'entries': sum(len(s.ts) for s in org.streams.values())}
                        for o, org in sim.orgs.items()}
            return reply({'orgs': orgs, 'now_ns': str(sim.now_ns()),
                          'fill_seconds': round(sim.fill_seconds, 3),
                          'fill_entries': sim.fill_entries, 'generated': sim.gen_seq,
                          'lines_per_second': sim.gen_rate})
        if head == 'requests':
            with sim.lock:
                if self.command == 'DELETE':
                    sim.reqlog.clear()
                    return reply({'cleared': True})
                return reply(list(sim.reqlog))
        if head == 'fault':
            with sim.lock:
                if self.command == 'DELETE':
                    sim.faults.clear()
                    return reply({'cleared': True})
                if self.command == 'POST':
                    f = {'status': int(q.get('status', 502 if q.get('html') else 500)),
                         'count': int(q.get('count', 1)), 'path': q.get('path', ''),
                         'body': q.get('body', ''), 'html': bool(q.get('html')),
                         'delay': float(q.get('delay', 0))}
                    sim.faults.append(f)
                    return reply(f)
                return reply(sim.faults)
        if head == 'generate' and self.command == 'POST':
            sim.set_rate(float(q.get('lines_per_second', 0)))
            return reply({'lines_per_second': sim.gen_rate})
        raise HTTPError(404, 'control API: no such endpoint %s %s' % (self.command, path),
                        TEXT_CT, True)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass


def parse_args(argv):
    ap = argparse.ArgumentParser(description='a Grafana Loki double (see sim/README.md, Loki)')
    ap.add_argument('--port-file', required=True, help='write the bound port here once '
                    'listening')
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--clock', help='RFC 3339 or Unix seconds: "now" at start (then it runs '
                    'with the real time); default $OPSDECK_CLOCK, else the real time')
    ap.add_argument('--auth-enabled', action='store_true',
                    help='multi-tenant: X-Scope-OrgID required (401 "no org id")')
    ap.add_argument('--data-org', default='fake', help='org id holding the generated data '
                    '(Loki calls the single tenant "fake")')
    ap.add_argument('--empty', action='store_true', help='start without generated data')
    ap.add_argument('--volume', type=int, default=0, help='extra lines in {app="volume"}')
    ap.add_argument('--lines-per-second', type=float, default=0,
                    help='append fresh lines to {app="firehose"} in real time')
    ap.add_argument('--gzip-threshold', type=int, default=1400,
                    help='smallest body gzipped when the client accepts gzip')
    ap.add_argument('--request-log-size', type=int, default=10000)
    ap.add_argument('--socket-timeout', type=float, default=120.0)
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    try:
        sim = Loki(args)
    except ValueError as e:
        sys.exit('lokisim: %s' % e)
    handler = type('BoundHandler', (Handler,), {'sim': sim})
    try:
        httpd = Server((args.host, args.port), handler)
    except OSError as e:
        sys.exit('lokisim: cannot listen on %s:%d: %s' % (args.host, args.port, e))
    if args.lines_per_second > 0:
        sim.set_rate(args.lines_per_second)

    def stop(signum, frame):
        sim.stopping.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    tmp = args.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % httpd.server_address[1])
    os.replace(tmp, args.port_file)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        sim.stopping.set()
        httpd.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
