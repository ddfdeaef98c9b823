#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# kubesim.py - a simulated Kubernetes API server (k3s v1.31-like) serving the seeds/001
# platform, for opsdeck's tests, benchmarks and demo. Python 3 standard library only.
#
# It speaks enough of the protocol for the real kubectl 1.20: discovery, get/list/watch with
# paging, selectors, bookmarks, 410 expiry, Table output, Status errors, gzip, TLS and bearer
# tokens. Test-only control API under /_sim/ (loopback only, no auth). See sim/README.md.

import argparse
import base64
import binascii
import collections
import gzip
import http.client
import http.server
import json
import os
import secrets
import select
import signal
import socket
import ssl
import statistics
import sys
import threading
import time
import urllib.parse
import zlib

sys.dont_write_bytecode = True       # keep the source tree (and a read-only distcheck) clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simlib import discovery, logs, platform, scenarios  # noqa: E402
from simlib.printers import PRINTERS  # noqa: E402
from simlib.selectors import (SelectorError, field_match, label_match,  # noqa: E402
                              parse_field_selector, parse_label_selector, supported_fields)
from simlib.store import (BY_GVR, BY_KIND, BY_RES, KINDS, Clock, Journal, Store,  # noqa: E402
                          replay)
from simlib.util import dumpb, http_date, parse_time, rfc3339  # noqa: E402

REASONS = {400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound',
           405: 'MethodNotAllowed', 406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired',
           413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 422: 'Invalid',
           429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable',
           504: 'Timeout'}
DEFAULT_MESSAGES = {
    400: 'the server rejected our request for an unknown reason',
    401: 'Unauthorized',
    404: 'the server could not find the requested resource',
    405: 'the server does not allow this method on the requested resource',
    406: 'the server was unable to respond with a content type that the client supports',
    409: 'Operation cannot be fulfilled on %(what)s: the object has been modified; please '
         'apply your changes to the latest version and try again',
    410: 'the resource requested is no longer available',
    413: 'the request entity is too large',
    415: 'the body of the request was in an unknown format',
    422: '%(kind)s "%(name)s" is invalid: metadata.name: Required value: name or generateName '
         'is required',
    429: 'Too many requests, please try again later.',
    500: 'Internal error occurred: etcdserver: request timed out',
    503: 'the server is currently unable to handle the request',
    504: 'the server was unable to return a response in the time allotted, but may still be '
         'processing the request',
}
CONTINUE_EXPIRED = (
    'The provided continue parameter is too old to display a consistent list result. You can '
    'start a new list without the continue parameter, or use the continue token in this '
    'response to retrieve the remainder of the results. Continuing with the provided token '
    'results in an inconsistent list - objects that were created, modified, or deleted between '
    'the time the first chunk was returned and now may show up in the list.')
HTML_502 = (b'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>'
            b'502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n'
            b'</html>\r\n')
TABLE_CT = 'application/json;as=Table;v=v1;g=meta.k8s.io'


def status_obj(code, message, reason=None, details=None, metadata=None):
    d = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': metadata or {}, 'status': 'Failure',
         'message': message, 'reason': reason or REASONS.get(code, 'Unknown')}
    if details:
        d['details'] = details
    d['code'] = code
    return d


class HTTPError(Exception):
    def __init__(self, code, message, reason=None, details=None, headers=None, metadata=None):
        super().__init__(message)
        self.code = code
        self.body = dumpb(status_obj(code, message, reason, details, metadata))
        self.headers = headers or {}


def encode_continue(rv, start):
    tok = json.dumps({'v': 'meta.k8s.io/v1', 'rv': rv, 'start': start},
                     separators=(',', ':'))
    return base64.urlsafe_b64encode(tok.encode()).decode().rstrip('=')


def decode_continue(tok):
    try:
        raw = base64.urlsafe_b64decode(tok + '=' * (-len(tok) % 4))
        d = json.loads(raw)
        if d.get('v') != 'meta.k8s.io/v1' or not isinstance(d.get('start'), str):
            raise ValueError('unknown continue token version')
        return int(d['rv']), d['start']
    except (ValueError, binascii.Error, KeyError, TypeError) as e:
        raise HTTPError(400, 'continue key is not valid: %s' % e)


class PageCache:
    """Rendered list pages (plain and gzip) by everything that determines their bytes, bounded
    by total size. A quiet sim serves repeated lists without rendering anything."""

    def __init__(self, budget=768 << 20):
        self.lock = threading.Lock()
        self.pages = collections.OrderedDict()
        self.bytes = 0
        self.budget = budget

    def get(self, key):
        with self.lock:
            e = self.pages.get(key)
            if e is not None:
                self.pages.move_to_end(key)
            return e

    def put(self, key, entry):
        with self.lock:
            old = self.pages.pop(key, None)
            if old:
                self.bytes -= old['size']
            self.pages[key] = entry
            self.bytes += entry['size']
            while self.bytes > self.budget and len(self.pages) > 1:
                _, e = self.pages.popitem(last=False)
                self.bytes -= e['size']

    def add_gzip(self, key, entry):
        with self.lock:
            if key in self.pages:
                self.bytes += len(entry['gz'])
                entry['size'] += len(entry['gz'])


class Sim:
    """Everything the handlers share. Mutable state is guarded by store.lock (objects) or
    self.lock (faults, tokens, request log)."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        fixed = None
        clock_s = args.clock or os.environ.get('OPSDECK_CLOCK')
        if clock_s:
            fixed = parse_time(clock_s)
        self.clock = Clock(fixed)
        self.started = time.monotonic()
        self.journal = Journal(args.state_dir) if args.state_dir else None
        params = None
        if self.journal:
            params = self.journal.load_params()
        if params is None:
            if args.nodes or args.tenant_namespaces or args.pods:
                params = {'size': 'custom', 'nodes': args.nodes or 5,
                          'tenant_namespaces': args.tenant_namespaces or 11,
                          'pods': args.pods or 55}
            else:
                params = {'size': 'seed'}
            params['build_now'] = self.clock.now()
            params['clock_fixed'] = fixed
            if self.journal:
                self.journal.save_params(params)
        elif fixed is None and params.get('clock_fixed') is not None and not clock_s:
            self.clock.fixed = params['clock_fixed']
        self.params = params
        big = params.get('size') != 'seed' and int(params.get('pods', 0)) > 2000
        self.store = Store(self.clock, watch_cache=args.watch_cache, keep_objs=not big)
        t0 = time.monotonic()
        platform.build(params, params['build_now'],
                       sink=lambda res, obj: self.store.put(BY_RES[res], obj, journal=False))
        base_rv = self.store.rv
        for k in KINDS:
            self.store.complete_after[k.res] = base_rv
        self.store.recording = True
        if self.journal:
            replay(self.store, self.journal, self.clock)
            self.journal.open()
            self.store.journal = self.journal
        self.build_seconds = time.monotonic() - t0
        self.pages = PageCache()
        self.snapshots = collections.OrderedDict()
        self.continue_issued = {}
        self.token = args.token
        self.token_issued = self.clock.now()
        self.token_ttl = args.token_ttl
        self.rbac = {}
        self.faults = []
        self.expired_as = 'event'
        self.req_counts = collections.Counter()
        self.req_log = collections.deque(maxlen=args.request_log_size)
        self.req_total = 0
        self.watches_active = 0
        self.request_log = open(args.request_log, 'a', encoding='utf-8') \
            if args.request_log else None
        self.docs = {}
        self.stopping = threading.Event()
        self.proxy_map = parse_proxy_services(args.proxy_service or [])
        self.podlog_extra = collections.defaultdict(list)

    # --- auth ---------------------------------------------------------------------------------
    def identify(self, header):
        """Returns (user, rules) for the Authorization header, or raises 401. rules is None
        for a user that may do everything."""
        tok = None
        if header and header.startswith('Bearer '):
            tok = header[7:].strip()
        with self.lock:
            if tok and tok in self.rbac and tok != self.token:
                r = self.rbac[tok]
                return r['user'], r
            if self.token is None:
                return 'system:admin', None
            if tok and secrets.compare_digest(tok.encode(), self.token.encode()):
                if self.token_ttl and self.clock.now() > self.token_issued + self.token_ttl:
                    raise HTTPError(401, 'Unauthorized')
                r = self.rbac.get(tok)
                return (r['user'], r) if r else ('system:admin', None)
        raise HTTPError(401, 'Unauthorized')

    def authorize(self, user, rules, verb, kind, ns, name):
        if rules is None:
            return
        allowed_res = rules.get('resources')
        if ns is None or not kind.namespaced:
            # cluster-scoped resources and all-namespaces lists/watches
            ok = kind.res in (rules.get('cluster_resources') or [])
        else:
            ok = ns in (rules.get('namespaces') or []) and \
                (allowed_res is None or kind.res in allowed_res)
        if ok:
            return
        qualified = kind.res if not kind.group else '%s.%s' % (kind.res, kind.group)
        what = qualified if not name else '%s "%s"' % (qualified, name)
        scope = 'at the cluster scope' if (ns is None or not kind.namespaced) else \
            'in the namespace "%s"' % ns
        msg = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
            what, user, verb, kind.res, kind.group, scope)
        details = {'kind': kind.res}
        if name:
            details = {'name': name, 'kind': kind.res}
        if kind.group:
            details['group'] = kind.group
        raise HTTPError(403, msg, details=details)

    # --- faults -------------------------------------------------------------------------------
    def take_fault(self, method, path, res, watch):
        with self.lock:
            for f in self.faults:
                if f['count'] <= 0:
                    continue
                if f.get('method') and f['method'] != method:
                    continue
                if f.get('watch') is not None and bool(f['watch']) != watch:
                    continue
                if f.get('resource') and f['resource'] != res:
                    continue
                if f.get('path') and not path.startswith(f['path']):
                    continue
                f['count'] -= 1
                f['hits'] = f.get('hits', 0) + 1
                return dict(f)
        return None

    # --- lists --------------------------------------------------------------------------------
    def snapshot(self, kind, ns, lsel_s, fsel_s, lreqs, freqs, rv=None):
        """(list_rv, recs) for the selection: the snapshot taken at rv while it is still
        kept, else the current state."""
        if rv is not None:
            key = (kind.res, ns, lsel_s, fsel_s, rv)
            with self.lock:
                snap = self.snapshots.get(key)
            if snap is not None:
                return rv, snap

        def match(r):
            if lreqs and not label_match(lreqs, r.labels):
                return False
            if freqs and not field_match(freqs, r.fields):
                return False
            return True
        list_rv, recs = self.store.select(kind, ns, match if (lreqs or freqs) else None)
        key = (kind.res, ns, lsel_s, fsel_s, list_rv)
        with self.lock:
            self.snapshots[key] = recs
            self.snapshots.move_to_end(key)
            while len(self.snapshots) > 32:
                self.snapshots.popitem(last=False)
        return list_rv, recs

    def prerender(self):
        """Renders the first pages kubectl and opsdeck ask for (all pods, limit 500) with their
        gzip form, so a benchmark never waits on the sim."""
        kind = BY_RES['pods']
        list_rv, recs = self.snapshot(kind, None, '', '', None, None)
        start = None
        n = 0
        while True:
            entry, nxt = self.render_page(kind, None, '', '', list_rv, recs, start, 500)
            self.gzip_entry(('pods', None, '', '', list_rv, start, 500), entry)
            n += 1
            if nxt is None:
                break
            start = nxt
        return n

    def render_page(self, kind, ns, lsel_s, fsel_s, list_rv, recs, start, limit):
        """Plain JSON bytes of one list page (cached). start is the (ns, name) key to resume
        after. Returns (entry, next_start)."""
        ckey = (kind.res, ns, lsel_s, fsel_s, list_rv, start, limit)
        e = self.pages.get(ckey)
        if e is not None:
            return e, e['next']
        lo = _bisect_recs(recs, start) if start is not None else 0
        hi = len(recs) if not limit else min(len(recs), lo + limit)
        page = recs[lo:hi]
        meta = {'resourceVersion': str(list_rv)}
        nxt = None
        if hi < len(recs):
            last = page[-1].key() if page else start
            nxt = last
            tok = encode_continue(list_rv, '%s/%s\x00' % last if kind.namespaced else
                                  '%s\x00' % last[1])
            meta['continue'] = tok
            meta['remainingItemCount'] = len(recs) - hi
        head = b'{"kind":"%s","apiVersion":"%s","metadata":%s,"items":[' % (
            kind.list_kind.encode(), kind.api_version.encode(), dumpb(meta))
        body = head + b','.join(r.item for r in page) + b']}'
        e = {'plain': body, 'gz': None, 'next': nxt, 'size': len(body),
             'continue': meta.get('continue')}
        self.pages.put(ckey, e)
        return e, nxt

    def gzip_entry(self, key, e):
        if e['gz'] is None:
            e['gz'] = gzip.compress(e['plain'], compresslevel=1, mtime=0)
            self.pages.add_gzip(key, e)
        return e['gz']

    def note_continue(self, tok):
        with self.lock:
            self.continue_issued[tok] = self.clock.now()
            if len(self.continue_issued) > 200000:
                for k in list(self.continue_issued)[:100000]:
                    del self.continue_issued[k]

    def check_continue(self, tok, start_key):
        with self.lock:
            t = self.continue_issued.get(tok)
        if t is not None and self.clock.now() - t > self.args.continue_ttl:
            newtok = encode_continue(-1, start_key)
            raise HTTPError(410, CONTINUE_EXPIRED, reason='Expired',
                            metadata={'continue': newtok})

    # --- request log --------------------------------------------------------------------------
    def log_request(self, entry):
        key = '%s %s' % (entry['verb'], entry['pattern'])
        with self.lock:
            self.req_total += 1
            self.req_counts[key] += 1
            self.req_log.append(entry)
        if self.request_log:
            with self.lock:
                self.request_log.write(json.dumps(entry, separators=(',', ':')) + '\n')
                self.request_log.flush()


def _bisect_recs(recs, start):
    lo, hi = 0, len(recs)
    while lo < hi:
        mid = (lo + hi) // 2
        if recs[mid].key() <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo


def parse_start(kind, start):
    s = start.rstrip('\x00')
    if kind.namespaced:
        ns, _, name = s.partition('/')
        return (ns, name)
    return ('', s)


def parse_api_path(path):
    """-> (kind, ns, name, sub, legacy_watch, group, version, res) or None for non-resource
    paths. kind is None when the group/version/resource is unknown."""
    parts = [p for p in path.split('/') if p]
    if not parts:
        return None
    if parts[0] == 'api' and len(parts) >= 2:
        group, version, rest = '', parts[1], parts[2:]
    elif parts[0] == 'apis' and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None
    legacy_watch = False
    if rest[0] == 'watch':
        legacy_watch = True
        rest = rest[1:]
        if not rest:
            return None
    ns = name = sub = None
    if rest[0] == 'namespaces' and len(rest) >= 3 and rest[2] not in ('status', 'finalize'):
        ns = rest[1]
        res = rest[2]
        name = rest[3] if len(rest) > 3 else None
        sub = '/'.join(rest[4:]) or None
    else:
        res = rest[0]
        name = rest[1] if len(rest) > 1 else None
        sub = '/'.join(rest[2:]) or None
    kind = BY_GVR.get((group, version, res))
    if kind is not None and not kind.namespaced and ns is not None:
        kind = None
    return kind, ns, name, sub, legacy_watch, group, version, res


def path_pattern(path):
    r = parse_api_path(path)
    if r is None:
        return path
    kind, ns, name, sub, legacy, group, version, res = r
    base = '/apis/%s/%s' % (group, version) if group else '/api/%s' % version
    p = base
    if ns is not None:
        p += '/namespaces/{namespace}'
    p += '/' + res
    if name is not None:
        p += '/{name}'
    if sub:
        p += '/' + sub
    return p


def wants_table(accept):
    for part in (accept or '').split(','):
        params = [x.strip() for x in part.split(';')]
        if params[0] not in ('application/json', '*/*'):
            continue
        kv = dict(x.split('=', 1) for x in params[1:] if '=' in x)
        if kv.get('as') == 'Table' and kv.get('g') == 'meta.k8s.io' and \
                kv.get('v') in ('v1', 'v1beta1'):
            return kv['v']
        if not kv.get('as'):
            return None
    return None


_HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te',
               'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization',
               'content-length'}


def parse_proxy_services(specs):
    """['ns/name:port=http://host:port[/prefix]', ...] -> {'ns/name:port': SplitResult}."""
    out = {}
    for spec in specs:
        key, sep, url = spec.partition('=')
        u = urllib.parse.urlsplit(url)
        if not sep or '/' not in key or ':' not in key or u.scheme != 'http' or not u.hostname:
            raise ValueError('--proxy-service wants ns/name:port=http://host:port, not %r'
                             % spec)
        out[key] = u
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = ''
    sys_version = ''
    sim = None          # set on the subclass by main()

    def version_string(self):
        return ''

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.settimeout(self.sim.args.socket_timeout)

    # --- responses ----------------------------------------------------------------------------
    def send_head(self, code, ctype='application/json', length=None, extra=None, chunked=False):
        self.send_response_only(code)
        self.send_header('Audit-Id', _audit_id())
        self.send_header('Cache-Control', 'no-cache, private')
        if ctype:
            self.send_header('Content-Type', ctype)
        self.send_header('Date', http_date(self.sim.clock.now()))
        if code < 300 or code in (401, 403, 404, 409, 410, 422, 429):
            self.send_header('X-Kubernetes-Pf-Flowschema-Uid',
                             'a1b59cd5-2c4b-4d1e-9f7e-3b6a6c7e2d10')
            self.send_header('X-Kubernetes-Pf-Prioritylevel-Uid',
                             'f0a5b4c2-8e3d-4b61-9c2a-6d5e4f3a2b19')
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if chunked:
            self.send_header('Transfer-Encoding', 'chunked')
        elif length is not None:
            self.send_header('Content-Length', str(length))
        self.end_headers()
        self.status_sent = code

    def send_body(self, code, body, ctype='application/json', extra=None, gz=None):
        """Sends body; gzip (pre-compressed bytes in gz, or compressed here) when the client
        accepts it and the body is big enough."""
        extra = dict(extra or {})
        if self.accept_gzip() and len(body) >= self.sim.args.gzip_threshold and \
                self.command != 'HEAD':
            if gz is None:
                gz = gzip.compress(body, compresslevel=1, mtime=0)
            body = gz
            extra['Content-Encoding'] = 'gzip'
            extra['Vary'] = 'Accept-Encoding'
        self.send_head(code, ctype, len(body), extra)
        if self.command != 'HEAD':
            self.write_split(body)

    def write_split(self, data):
        """Writes data, in separate sends of split_bytes when a "split" fault asks for it."""
        n = self.split_bytes
        if not n:
            self.wfile.write(data)
            return
        for i in range(0, len(data), n):
            self.wfile.write(data[i:i + n])

    def accept_gzip(self):
        ae = self.headers.get('Accept-Encoding') or ''
        return any(p.split(';')[0].strip() == 'gzip' for p in ae.split(','))

    def send_error_status(self, e):
        self.send_body(e.code, e.body, extra=e.headers)

    def peer_closed(self):
        """True when the client closed the connection (or sent something, which a watching
        client never does): a watch then ends instead of waiting for its next write."""
        sock = self.connection
        try:
            if isinstance(sock, ssl.SSLSocket) and sock.pending():
                return True
            p = select.poll()
            p.register(sock, select.POLLIN | select.POLLPRI)
            return bool(p.poll(0))
        except (OSError, ValueError):
            return True

    def write_chunk(self, data):
        n = self.split_bytes
        if n and data:
            for i in range(0, len(data), n):
                piece = data[i:i + n]
                self.wfile.write(b'%x\r\n' % len(piece) + piece + b'\r\n')
            return
        self.wfile.write(b'%x\r\n' % len(data) + data + b'\r\n')

    # --- dispatch -----------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def read_body(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n > 64 << 20:
            raise HTTPError(413, 'the request entity is too large')
        return self.rfile.read(n) if n else b''

    def dispatch(self):
        self.status_sent = None
        self.split_bytes = 0
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            if path.startswith('/_sim/'):
                if not self.client_address[0].startswith('127.'):
                    raise HTTPError(403, 'the control API answers loopback clients only')
                body = self.read_body()
                return self.control(self.command, path, q, body)
            body = self.read_body()
            return self.api(path, q, url.query, body)
        except HTTPError as e:
            if self.status_sent is None:
                self.send_error_status(e)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, ssl.SSLError):
            self.close_connection = True
        finally:
            if getattr(self, '_log_entry', None) is not None:
                self._log_entry['status'] = self.status_sent
                self._log_entry = None

    # --- the Kubernetes API -------------------------------------------------------------------
    def api(self, path, q, raw_query, body):
        sim = self.sim
        r = parse_api_path(path)
        kind = r[0] if r else None
        watch = bool(r) and (r[4] or q.get('watch') in ('1', 'true', 'True'))
        verb = 'get'
        if r and kind is not None:
            if self.command in ('GET', 'HEAD'):
                verb = 'watch' if watch else ('get' if r[2] else 'list')
            else:
                verb = {'POST': 'create', 'PUT': 'update', 'PATCH': 'patch',
                        'DELETE': 'delete'}.get(self.command, self.command.lower())
        entry = {'time': rfc3339(sim.clock.now()),
                 't': round(time.monotonic() - sim.started, 3),
                 'method': self.command, 'verb': verb, 'path': path,
                 'pattern': path_pattern(path), 'query': raw_query,
                 'accept': self.headers.get('Accept') or '',
                 'accept_encoding': self.headers.get('Accept-Encoding') or '',
                 'authorization': bool(self.headers.get('Authorization')),
                 'user_agent': self.headers.get('User-Agent') or '', 'status': None}
        self._log_entry = entry
        sim.log_request(entry)
        fault = sim.take_fault(self.command, path, kind.res if kind else None, watch)
        if fault is not None and self.apply_fault(fault, path, kind, r):
            return
        user, rules = sim.identify(self.headers.get('Authorization'))
        if path in ('/healthz', '/livez', '/readyz'):
            return self.send_body(200, b'ok', 'text/plain; charset=utf-8')
        if path == '/openapi/v2':
            return self.send_body(200, discovery.openapi_v2(), 'application/octet-stream')
        doc = sim.docs.get(path.rstrip('/') or '/')
        if doc is not None and self.command in ('GET', 'HEAD'):
            return self.send_body(200, doc)
        if not r or kind is None:
            raise HTTPError(404, DEFAULT_MESSAGES[404], details={})
        _, ns, name, sub, _, _, _, _ = r
        if kind.res == 'services' and ns and name and sub and \
                (sub == 'proxy' or sub.startswith('proxy/')):
            sim.authorize(user, rules, 'get', kind, ns, name)
            return self.proxy(ns, name, path, raw_query, body)
        if kind.res == 'pods' and ns and name and sub == 'log' and \
                self.command in ('GET', 'HEAD'):
            sim.authorize(user, rules, 'get', kind, ns, name)
            return self.pod_log(ns, name, q)
        if self.command not in ('GET', 'HEAD'):
            raise HTTPError(405, DEFAULT_MESSAGES[405], details={})
        if sub not in (None, 'status'):
            raise HTTPError(404, DEFAULT_MESSAGES[404], details={})
        sim.authorize(user, rules, verb, kind, ns, name)
        table = wants_table(self.headers.get('Accept'))
        if not table and not _accepts_json(self.headers.get('Accept')):
            raise HTTPError(406, DEFAULT_MESSAGES[406])
        if watch:
            return self.watch(kind, ns, name, q, table)
        if name is not None:
            rec = sim.store.get(kind, ns, name)
            if rec is None:
                details = {'name': name, 'kind': kind.res}
                if kind.group:
                    details['group'] = kind.group
                raise HTTPError(404, '%s "%s" not found' % (
                    kind.res if not kind.group else '%s.%s' % (kind.res, kind.group), name),
                    details=details)
            if table:
                return self.send_table(kind, [rec], {'resourceVersion': str(rec.rv)}, q, table)
            return self.send_body(200, rec.with_kind())
        return self.list(kind, ns, q, table)

    # --- the service proxy ----------------------------------------------------------------------
    def proxy(self, ns, svc_id, path, raw_query, body):
        """/api/v1/namespaces/{ns}/services/[scheme:]{name}[:port]/proxy/{path}: forwards to the
        upstream mapped with --proxy-service and relays its answer as it is. A service without a
        mapped (or with a down) upstream has no endpoints: the apiserver's 503."""
        parts = svc_id.split(':')
        if len(parts) == 3:
            parts = parts[1:]
        name = parts[0]
        port_s = parts[1] if len(parts) > 1 else ''
        rec = self.sim.store.get(BY_RES['services'], ns, name)
        if rec is None:
            raise HTTPError(404, 'services "%s" not found' % name,
                            details={'name': name, 'kind': 'services'})
        ports = (rec.view().get('spec') or {}).get('ports') or []
        port = None
        for p in ports:
            if not port_s or str(p.get('port')) == port_s or p.get('name') == port_s:
                port = p.get('port')
                break
        if port is None:
            if port_s.isdigit():
                raise HTTPError(503, 'no service port %s found for service "%s"'
                                % (port_s, name))
            raise HTTPError(503, 'no endpoints available for service "%s"' % name)
        upstream = self.sim.proxy_map.get('%s/%s:%s' % (ns, name, port))
        if upstream is None:
            raise HTTPError(503, 'no endpoints available for service "%s"' % name)
        rest = path.split('/proxy', 1)[1] if '/proxy' in path else ''
        target = upstream.path.rstrip('/') + (rest or '/')
        if raw_query:
            target += '?' + raw_query
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port or 80,
                                              timeout=self.sim.args.socket_timeout)
            conn.request(self.command, target, body=body if body else None, headers=headers)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException):
            raise HTTPError(503, 'no endpoints available for service "%s"' % name)
        try:
            self.send_response_only(resp.status, resp.reason)
            self.send_header('Audit-Id', _audit_id())
            length = resp.getheader('Content-Length')
            for k, v in resp.getheaders():
                if k.lower() not in _HOP_BY_HOP and k.lower() != 'content-length':
                    self.send_header(k, v)
            chunked = length is None and resp.status not in (204, 304) and \
                self.command != 'HEAD'
            if chunked:
                self.send_header('Transfer-Encoding', 'chunked')
            elif length is not None:
                self.send_header('Content-Length', length)
            self.end_headers()
            self.status_sent = resp.status
            while True:
                data = resp.read1(65536) if self.command != 'HEAD' else b''
                if not data:
                    break
                if chunked:
                    self.write_chunk(data)
                else:
                    self.wfile.write(data)
            if chunked:
                self.wfile.write(b'0\r\n\r\n')
        except (OSError, http.client.HTTPException):
            self.close_connection = True
        finally:
            conn.close()

    # --- the pod log endpoint -----------------------------------------------------------------
    def pod_log(self, ns, name, q):
        """pods/{name}/log: the container's output from simlib.logs (the lines lokisim holds
        for the pod) plus lines appended through /_sim/podlog."""
        sim = self.sim
        rec = sim.store.get(BY_RES['pods'], ns, name)
        if rec is None:
            raise HTTPError(404, 'pods "%s" not found' % name,
                            details={'name': name, 'kind': 'pods'})
        pod = rec.view()
        spec = pod.get('spec') or {}
        names = [c['name'] for c in spec.get('containers') or []]
        inits = [c['name'] for c in spec.get('initContainers') or []]
        container = q.get('container') or ''
        if not container:
            if len(names) != 1:
                raise HTTPError(400, 'a container name must be specified for pod %s, choose one '
                                'of: [%s]' % (name, ' '.join(names)))
            container = names[0]
        elif container not in names and container not in inits:
            raise HTTPError(400, 'container %s is not valid for pod %s' % (container, name))
        if not spec.get('nodeName'):
            raise HTTPError(400, 'pod %s does not have a host assigned' % name)
        previous = q.get('previous') in ('true', '1', 'True')
        follow = q.get('follow') in ('true', '1', 'True')
        stamps = q.get('timestamps') in ('true', '1', 'True')
        try:
            tail = int(q['tailLines']) if q.get('tailLines') else None
            since_s = int(q['sinceSeconds']) if q.get('sinceSeconds') else None
            limit_bytes = int(q['limitBytes']) if q.get('limitBytes') else None
        except ValueError as e:
            raise HTTPError(400, str(e))
        if q.get('sinceTime') and since_s is not None:
            raise HTTPError(422, 'PodLogOptions "%s" is invalid: : at most one of `sinceTime` '
                            'or `sinceSeconds` may be specified' % name, reason='Invalid')
        if since_s is not None and since_s < 1:
            raise HTTPError(422, 'PodLogOptions "%s" is invalid: sinceSeconds: Invalid value: '
                            '%d: must be greater than 0' % (name, since_s), reason='Invalid')
        now = sim.clock.now()
        runs = logs.container_runs(pod, container, now)
        if not runs:
            st = [c for c in (pod.get('status') or {}).get('containerStatuses') or []
                  if c.get('name') == container]
            reason = ((st[0].get('state') or {}).get('waiting') or {}).get('reason') \
                if st else 'ContainerCreating'
            raise HTTPError(400, 'container "%s" in pod "%s" is waiting to start: %s'
                            % (container, name, reason or 'ContainerCreating'))
        if previous:
            if len(runs) < 2:
                raise HTTPError(400, 'previous terminated container "%s" in pod "%s" not found'
                                % (container, name))
            run = runs[1]
        else:
            run = runs[0]
        since_ns = None
        if q.get('sinceTime'):
            try:
                since_ns = int(parse_time(q['sinceTime']) * 1e9)
            except ValueError as e:
                raise HTTPError(400, str(e))
        elif since_s is not None:
            since_ns = int((now - since_s) * 1e9)
        key = (ns, name, container)
        lines = logs.container_lines(pod, container, run, run[0], now)
        live = not previous and run[2][0] == 'steady' and run[1] >= now
        seen_extra = 0
        if live:
            with sim.lock:
                extra = sim.podlog_extra.get(key, ())
                seen_extra = len(extra)
                lines = sorted(lines + list(extra), key=lambda e: e[0])
        if since_ns is not None:
            lines = [e for e in lines if e[0] >= since_ns]
        if tail is not None:
            lines = lines[-tail:] if tail > 0 else []

        def render(entries):
            out = []
            for ts, line, _ in entries:
                out.append((logs.rfc3339nano(ts).encode() + b' ' if stamps else b'') +
                           line + b'\n')
            return b''.join(out)

        data = render(lines)
        if limit_bytes is not None and limit_bytes > 0:
            data = data[:limit_bytes]
        if not follow or not live:
            return self.send_body(200, data, 'text/plain')
        self.send_head(200, 'text/plain', chunked=True)
        if data:
            self.write_chunk(data)
        last_ts = lines[-1][0] if lines else int(now * 1e9) - 1
        deadline = time.monotonic() + sim.args.watch_timeout
        while not sim.stopping.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
            if self.peer_closed():
                self.close_connection = True
                return
            if sim.store.get(BY_RES['pods'], ns, name) is None:
                break
            now2 = sim.clock.now()
            new = [e for e in logs.container_lines(pod, container, (run[0], now2, run[2]),
                                                   now, now2) if e[0] > last_ts]
            now = max(now, now2)
            with sim.lock:
                extra = sim.podlog_extra.get(key, [])
                new += extra[seen_extra:]
                seen_extra = len(extra)
            if new:
                new.sort(key=lambda e: e[0])
                last_ts = max(last_ts, new[-1][0])
                self.write_chunk(render(new))
                self.wfile.flush()
        self.wfile.write(b'0\r\n\r\n')

    def selectors(self, kind, q):
        lsel_s = q.get('labelSelector', '')
        fsel_s = q.get('fieldSelector', '')
        try:
            lreqs = parse_label_selector(lsel_s)
            freqs = parse_field_selector(fsel_s, supported_fields(kind.res, kind.namespaced))
        except SelectorError as e:
            raise HTTPError(400, str(e))
        return lsel_s, fsel_s, lreqs, freqs

    def list(self, kind, ns, q, table):
        sim = self.sim
        lsel_s, fsel_s, lreqs, freqs = self.selectors(kind, q)
        limit = q.get('limit', '')
        try:
            limit = int(limit) if limit else 0
        except ValueError:
            raise HTTPError(400, 'limit: Invalid value: "%s": must be a non-negative integer'
                            % limit)
        if limit < 0:
            limit = 0
        cont = q.get('continue', '')
        rv_param = q.get('resourceVersion', '')
        if rv_param == '0' and not cont:
            limit = 0       # the watch cache answers RV=0 lists in one piece
        start = None
        snap_rv = None
        if cont:
            if rv_param:
                raise HTTPError(400, 'specifying resource version is not allowed when using '
                                'continue')
            tok_rv, start_s = decode_continue(cont)
            start = parse_start(kind, start_s)
            sim.check_continue(cont, start_s)
            snap_rv = tok_rv if tok_rv >= 0 else None
        if not table:
            with sim.store.lock:
                key_rv = snap_rv if cont else sim.store.rv
            if key_rv is not None:
                ckey = (kind.res, ns, lsel_s, fsel_s, key_rv, start, limit)
                e = sim.pages.get(ckey)
                if e is not None:
                    return self.send_page(ckey, e)
        list_rv, recs = sim.snapshot(kind, ns, lsel_s, fsel_s, lreqs, freqs, snap_rv)
        if snap_rv is not None:
            list_rv = snap_rv       # keep one RV across the pages even if the snapshot is gone
        if table:
            lo = _bisect_recs(recs, start) if start is not None else 0
            hi = len(recs) if not limit else min(len(recs), lo + limit)
            page = recs[lo:hi]
            meta = {'resourceVersion': str(list_rv)}
            if hi < len(recs):
                last = page[-1].key()
                tok = encode_continue(list_rv, '%s/%s\x00' % last if kind.namespaced else
                                      '%s\x00' % last[1])
                meta['continue'] = tok
                meta['remainingItemCount'] = len(recs) - hi
                sim.note_continue(tok)
            return self.send_table(kind, page, meta, q, table)
        e, _ = sim.render_page(kind, ns, lsel_s, fsel_s, list_rv, recs, start, limit)
        self.send_page((kind.res, ns, lsel_s, fsel_s, list_rv, start, limit), e)

    def send_page(self, key, e):
        sim = self.sim
        if e['continue']:
            sim.note_continue(e['continue'])
        gz = None
        if self.accept_gzip() and len(e['plain']) >= sim.args.gzip_threshold:
            gz = sim.gzip_entry(key, e)
        self.send_body(200, e['plain'], gz=gz)

    def table_obj(self, kind, recs, meta, q, version, with_columns=True):
        pr = PRINTERS.get(kind.res)
        now = self.sim.clock.now()
        include = q.get('includeObject', 'Metadata')
        rows = []
        for rec in recs:
            if pr is not None:
                cells = pr.cells(rec.pinfo, now)
            else:
                from simlib.util import age
                cells = [rec.name, age(rec.view()['metadata'].get('creationTimestamp'), now)]
            row = {'cells': cells}
            conds = getattr(pr, 'conditions', None)
            if conds is not None:
                c = conds(rec.pinfo)
                if c:
                    row['conditions'] = c
            if include == 'Object':
                row['object'] = json.loads(rec.with_kind())
            elif include != 'None':
                row['object'] = {'kind': 'PartialObjectMetadata',
                                 'apiVersion': 'meta.k8s.io/%s' % version,
                                 'metadata': rec.view()['metadata']}
            rows.append(row)
        if pr is not None:
            cols = pr.columns
        else:
            from simlib.printers import AGE_COL, NAME_COL
            cols = [NAME_COL, dict(AGE_COL, name='Created At', type='date')]
        return {'kind': 'Table', 'apiVersion': 'meta.k8s.io/%s' % version, 'metadata': meta,
                'columnDefinitions': cols if with_columns else None, 'rows': rows}

    def send_table(self, kind, recs, meta, q, version):
        body = dumpb(self.table_obj(kind, recs, meta, q, version))
        self.send_body(200, body, TABLE_CT if version == 'v1' else
                       'application/json;as=Table;v=v1beta1;g=meta.k8s.io')

    # --- watch --------------------------------------------------------------------------------
    def watch(self, kind, ns, name, q, table):
        sim = self.sim
        store = sim.store
        lsel_s, fsel_s, lreqs, freqs = self.selectors(kind, q)
        if name is not None:
            freqs = freqs + [('metadata.name', '=', name)]
        bookmarks = q.get('allowWatchBookmarks') in ('1', 'true', 'True')
        try:
            timeout = float(q.get('timeoutSeconds') or 0)
        except ValueError:
            raise HTTPError(400, 'timeoutSeconds: Invalid value: "%s"' % q.get('timeoutSeconds'))
        if timeout <= 0:
            timeout = sim.args.watch_timeout     # as the apiserver: 0 or none = its own limit
        rv_param = q.get('resourceVersion', '')
        send_initial = q.get('sendInitialEvents') in ('1', 'true', 'True')

        def match(r):
            if ns is not None and kind.namespaced and r.ns != ns:
                return False
            if lreqs and not label_match(lreqs, r.labels):
                return False
            if freqs and not field_match(freqs, r.fields):
                return False
            return True

        initial = []
        with store.lock:
            gen = store.watch_gen
            if rv_param in ('', '0') or send_initial:
                _, initial = store.select(kind, ns, match)
                pos = store.rv
                if rv_param not in ('', '0') and send_initial:
                    pos = store.rv
            else:
                try:
                    want = int(rv_param)
                except ValueError:
                    raise HTTPError(400, 'resourceVersion: Invalid value: "%s": strconv.ParseUint:'
                                    ' parsing "%s": invalid syntax' % (rv_param, rv_param))
                deadline = time.monotonic() + 3.0
                while want > store.rv and time.monotonic() < deadline:
                    store.cond.wait(deadline - time.monotonic())
                if want > store.rv:
                    raise HTTPError(504, 'Timeout: Too large resource version: %d, current: %d'
                                    % (want, store.rv), details={
                                        'causes': [{'reason': 'ResourceVersionTooLarge',
                                                    'message': 'Too large resource version'}],
                                        'retryAfterSeconds': 1})
                pos = want
                if store.events_after(kind.res, pos) is None:
                    msg = 'too old resource version: %d (%d)' % (want,
                                                                 store.complete_after[kind.res])
                    if sim.expired_as == 'status':
                        raise HTTPError(410, msg, reason='Expired')
                    self.send_head(200, 'application/json', chunked=True)
                    self.write_chunk(dumpb({'type': 'ERROR', 'object': status_obj(
                        410, msg, 'Expired')}) + b'\n')
                    self.write_chunk(b'')
                    return
        self.send_head(200, TABLE_CT if table else 'application/json', chunked=True)
        with sim.lock:
            sim.watches_active += 1
        first = [True]

        def encode(typ, rec):
            if table:
                obj = self.table_obj(kind, [rec], {'resourceVersion': str(rec.rv)}, q, table,
                                     with_columns=first[0])
                first[0] = False
                return b'{"type":"%s","object":%s}\n' % (typ.encode(), dumpb(obj))
            return b'{"type":"%s","object":%s}\n' % (typ.encode(), rec.with_kind())

        def bookmark(rv, initial_end=False):
            md = {'resourceVersion': str(rv)}
            if initial_end:
                md['annotations'] = {'k8s.io/initial-events-end': 'true'}
            return dumpb({'type': 'BOOKMARK', 'object': {
                'kind': kind.kind, 'apiVersion': kind.api_version, 'metadata': md}}) + b'\n'

        try:
            buf = [encode('ADDED', r) for r in initial]
            if send_initial and bookmarks:
                buf.append(bookmark(pos, True))
            if buf:
                self.write_chunk(b''.join(buf))
            now = time.monotonic()
            end = now + max(timeout, 0)
            interval = sim.args.bookmark_interval
            next_bm = now + interval if bookmarks and interval > 0 else None
            while not sim.stopping.is_set():
                with store.lock:
                    evs = store.events_after(kind.res, pos)
                    if evs == [] and store.watch_gen == gen:
                        now = time.monotonic()
                        wake = end if next_bm is None else min(end, next_bm)
                        if wake > now:
                            store.cond.wait(min(wake - now, 1.0))
                        evs = store.events_after(kind.res, pos)
                    gen_changed = store.watch_gen != gen
                    cur_rv = store.rv
                    floor = store.complete_after[kind.res]
                if gen_changed:
                    break           # ended through the control API: a clean end, resume later
                if self.peer_closed():
                    self.close_connection = True
                    return
                if evs is None:
                    msg = 'too old resource version: %d (%d)' % (pos, floor)
                    self.write_chunk(dumpb({'type': 'ERROR', 'object': status_obj(
                        410, msg, 'Expired')}) + b'\n')
                    break
                out = []
                for ev in evs:
                    pos = ev.rv
                    new_ok = match(ev.rec)
                    old_ok = ev.prev is not None and match(ev.prev)
                    if ev.type == 'DELETED':
                        if old_ok:
                            out.append(encode('DELETED', ev.rec))
                    elif ev.type == 'ADDED':
                        if new_ok:
                            out.append(encode('ADDED', ev.rec))
                    elif new_ok and old_ok:
                        out.append(encode('MODIFIED', ev.rec))
                    elif new_ok:
                        out.append(encode('ADDED', ev.rec))
                    elif old_ok:
                        out.append(encode('DELETED', ev.rec))
                now = time.monotonic()
                if next_bm is not None and now >= next_bm:
                    pos = max(pos, cur_rv)
                    out.append(bookmark(pos))
                    next_bm = now + interval
                if out:
                    self.write_chunk(b''.join(out))
                if gen_changed or now >= end:
                    break
            self.write_chunk(b'')
        finally:
            with sim.lock:
                sim.watches_active -= 1

    # --- faults -------------------------------------------------------------------------------
    def apply_fault(self, f, path, kind, r):
        """Answers the request as the fault says. Returns False when the request should then
        be served normally (a hang that ends with a normal answer)."""
        k = f['kind']
        code = f.get('code')
        if k == 'split':
            self.split_bytes = max(1, int(f.get('bytes', 1)))
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return False
        if k == 'stall':
            watch = bool(r) and (r[4] or 'watch=1' in self.path or 'watch=true' in self.path)
            if watch:
                self.send_head(200, 'application/json', chunked=True)
            else:
                body = self.normal_body(path)
                self.send_head(200, 'application/json', len(body))
                self.wfile.write(body[:len(body) // 2])
            end = time.monotonic() + float(f.get('seconds', 30))
            while time.monotonic() < end and not self.sim.stopping.is_set():
                if self.peer_closed():
                    break
                time.sleep(min(0.05, max(end - time.monotonic(), 0)))
            self.close_connection = True
            return True
        if k == 'hang':
            end = time.monotonic() + float(f.get('seconds', 30))
            while time.monotonic() < end and not self.sim.stopping.is_set():
                time.sleep(min(0.05, max(end - time.monotonic(), 0)))
            if f.get('then') == 'close':
                self.close_connection = True
                self.status_sent = 0
                return True
            return False
        if k in ('429', 'throttle'):
            ra = int(f.get('retry_after', 1))
            raise HTTPError(429, DEFAULT_MESSAGES[429], details={'retryAfterSeconds': ra},
                            headers={'Retry-After': str(ra)})
        if k == '503':
            hdr = {'Retry-After': str(int(f['retry_after']))} if 'retry_after' in f else {}
            raise HTTPError(503, DEFAULT_MESSAGES[503], headers=hdr)
        if k == '401':
            raise HTTPError(401, 'Unauthorized')
        if k == '403':
            user = f.get('user', 'system:serviceaccount:default:opsdeck')
            res = kind.res if kind else 'pods'
            group = kind.group if kind else ''
            ns = r[1] if r else None
            scope = 'in the namespace "%s"' % ns if ns else 'at the cluster scope'
            verb = 'watch' if (r and (r[4] or 'watch=' in (self.path or ''))) else \
                ('get' if r and r[2] else 'list')
            details = {'kind': res}
            if group:
                details['group'] = group
            qualified = res if not group else '%s.%s' % (res, group)
            raise HTTPError(403, '%s is forbidden: User "%s" cannot %s resource "%s" in API '
                            'group "%s" %s' % (qualified, user, verb, res, group, scope),
                            details=details)
        if k == 'status':
            code = int(code or 500)
            msg = f.get('message') or DEFAULT_MESSAGES.get(code, 'error') % {
                'what': '%s "%s"' % (kind.res if kind else 'pods', (r and r[2]) or 'x'),
                'kind': kind.kind if kind else 'Pod', 'name': (r and r[2]) or 'x'}
            details = None
            if code == 500:
                details = {'causes': [{'message': msg.split(': ', 1)[-1]}]}
            raise HTTPError(code, msg, details=details)
        if k in ('html502', '502'):
            self.send_body(502, HTML_502, 'text/html')
            return True
        if k == 'truncated':
            body = self.normal_body(path)
            cut = body[:max(1, len(body) // 2)]
            self.send_head(200, 'application/json', len(cut))
            self.wfile.write(cut)
            return True
        if k == 'disconnect':
            body = self.normal_body(path)
            self.send_head(200, 'application/json', len(body))
            self.wfile.write(body[:max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if k == 'malformed':
            body = (b'{"kind":"%sList","apiVersion":"v1","metadata":{"resourceVersion":"1"},'
                    b'"items":[{"metadata":{"name":"x",}]}' % (kind.kind.encode() if kind
                                                               else b'Pod'))
            self.send_body(200, body)
            return True
        if k == 'wrongtype':
            body = (b'{"kind":"%sList","apiVersion":"v1","metadata":{"resourceVersion":12},'
                    b'"items":{"metadata":"oops"}}' % (kind.kind.encode() if kind else b'Pod'))
            self.send_body(200, body)
            return True
        if k == 'gzipbroken':
            # The real page, gzip, with a stretch of its deflate data overwritten past the
            # metadata: the start still inflates, the whole does not.
            gz = bytearray(gzip.compress(self.normal_body(path), compresslevel=1, mtime=0))
            mid = max(len(gz) // 2, 64)
            gz[mid:mid + 16] = b'\xff' * 16
            self.send_head(200, 'application/json', len(gz), {'Content-Encoding': 'gzip'})
            self.wfile.write(bytes(gz))
            return True
        if k == 'huge' and f.get('gzip'):
            # The same body gzip-compressed (to about 1/1000): a bomb for clients that cap
            # only the bytes on the wire.
            size = int(f.get('bytes', 64 << 20))
            head = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},' \
                   b'"items":[{"metadata":{"name":"huge","annotations":{"x":"'
            tail = b'"}}}]}'
            z = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            parts = [z.compress(head)]
            left = max(size - len(head) - len(tail), 0)
            block = b'A' * 65536
            while left > 0:
                n = min(left, len(block))
                parts.append(z.compress(block[:n]))
                left -= n
            parts.append(z.compress(tail))
            parts.append(z.flush())
            gz = b''.join(parts)
            self.send_head(200, 'application/json', len(gz), {'Content-Encoding': 'gzip'})
            self.wfile.write(gz)
            return True
        if k == 'huge':
            size = int(f.get('bytes', 64 << 20))
            head = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},' \
                   b'"items":[{"metadata":{"name":"huge","annotations":{"x":"'
            tail = b'"}}}]}'
            fill = max(size - len(head) - len(tail), 0)
            self.send_head(200, 'application/json', len(head) + fill + len(tail))
            self.wfile.write(head)
            block = b'A' * 65536
            left = fill
            while left > 0:
                n = min(left, len(block))
                self.wfile.write(block[:n])
                left -= n
            self.wfile.write(tail)
            return True
        raise HTTPError(500, 'unknown fault kind %r' % k)

    def normal_body(self, path):
        r = parse_api_path(path)
        if r and r[0] is not None:
            kind, ns = r[0], r[1]
            lr, recs = self.sim.store.select(kind, ns, None)
            e, _ = self.sim.render_page(kind, ns, '', '', lr, recs, None, 0)
            return e['plain']
        return self.sim.docs.get(path, b'{"kind":"Status"}')

    # --- the control API ----------------------------------------------------------------------
    def control(self, method, path, q, body):
        sim = self.sim
        store = sim.store
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError as e:
            raise HTTPError(400, 'control API: body is not JSON: %s' % e)
        if not isinstance(data, (dict, list)):
            raise HTTPError(400, 'control API: body must be a JSON object')
        arg = dict(q)
        if isinstance(data, dict):
            arg.update({k: v for k, v in data.items() if not isinstance(v, (dict, list))})
        parts = [p for p in path.split('/') if p][1:]
        head = parts[0] if parts else ''

        def reply(obj, code=200):
            self.send_body(code, dumpb(obj))

        try:
            if head == 'stats' and method == 'GET':
                return reply(self.stats())
            if head == 'scenario' and method == 'POST' and len(parts) == 2:
                return reply(self.scenario(parts[1], arg))
            if head == 'objects':
                return self.control_objects(method, parts[1:], data, reply)
            if head == 'faults':
                if method == 'POST':
                    faults = data if isinstance(data, list) else [data]
                    added = []
                    for f in faults:
                        f = dict(f)
                        if 'kind' not in f:
                            raise HTTPError(400, 'fault needs "kind"')
                        f['count'] = int(f.get('count', 1))
                        added.append(f)
                    with sim.lock:
                        sim.faults.extend(added)
                    return reply({'faults': sim.faults})
                if method == 'DELETE':
                    with sim.lock:
                        sim.faults = []
                    return reply({'faults': []})
                return reply({'faults': sim.faults})
            if head == 'rbac':
                if method == 'POST':
                    tok = data.get('token') or secrets.token_hex(16)
                    rules = {'user': data.get('user', 'jane'),
                             'namespaces': list(data.get('namespaces') or []),
                             'cluster_resources': list(data.get('cluster_resources') or []),
                             'resources': data.get('resources')}
                    with sim.lock:
                        sim.rbac[tok] = rules
                    return reply(dict(rules, token=tok))
                if method == 'DELETE':
                    with sim.lock:
                        sim.rbac = {}
                    return reply({'rbac': {}})
                return reply({'rbac': sim.rbac})
            if head == 'token':
                if method == 'POST':
                    with sim.lock:
                        if arg.get('expire') in (True, 'true', '1', 1):
                            sim.token_ttl = 1e-9
                            sim.token_issued = sim.clock.now() - 1
                        else:
                            sim.token = arg.get('token') or secrets.token_hex(24)
                            sim.token_issued = sim.clock.now()
                            if 'ttl' in arg:
                                sim.token_ttl = float(arg['ttl']) or None
                return reply(self.token_info())
            if head == 'expire-watches' and method == 'POST':
                as_ = arg.get('as', 'event')
                if as_ not in ('event', 'status'):
                    raise HTTPError(400, '"as" must be event or status')
                sim.expired_as = as_
                store.compact()
                with sim.lock:
                    sim.snapshots.clear()
                if arg.get('close', True) not in (False, 'false', '0', 0):
                    store.end_watches()
                return reply({'resourceVersion': str(store.rv), 'as': as_})
            if head == 'end-watches' and method == 'POST':
                store.end_watches()
                return reply({'ok': True})
            if head == 'podlog' and method == 'POST':
                return reply(self.podlog_append(arg, data))
            if head == 'clock':
                if method == 'POST':
                    if 'advance' in arg:
                        sim.clock.offset += float(arg['advance'])
                    if 'set' in arg:
                        t = parse_time(str(arg['set']))
                        sim.clock.offset = t - (sim.clock.fixed if sim.clock.fixed is not None
                                                else time.time())
                    if sim.journal:
                        sim.journal.write({'op': 'clock', 'offset': sim.clock.offset})
                now = sim.clock.now()
                return reply({'now': rfc3339(now), 'unix': now, 'offset': sim.clock.offset,
                              'frozen': sim.clock.fixed is not None})
            if head == 'requests':
                if method == 'DELETE':
                    with sim.lock:
                        sim.req_counts.clear()
                        sim.req_log.clear()
                    return reply({'counts': {}, 'log': []})
                with sim.lock:
                    return reply({'total': sim.req_total, 'counts': dict(sim.req_counts),
                                  'log': list(sim.req_log)})
        except scenarios.ScenarioError as e:
            raise HTTPError(e.code, str(e))
        except (KeyError, ValueError, TypeError) as e:
            raise HTTPError(400, 'control API: bad argument: %s' % e)
        raise HTTPError(404, 'control API: no %s %s' % (method, path))

    def podlog_append(self, arg, data):
        """POST /_sim/podlog?ns=&pod=&container= {"lines": [...], "stream": "stdout"}: appends
        lines (stamped with the sim clock, 1 ms apart) to a container's current output."""
        sim = self.sim
        ns, pod = arg.get('ns'), arg.get('pod')
        rec = sim.store.get(BY_RES['pods'], ns, pod) if ns and pod else None
        if rec is None:
            raise HTTPError(404, 'pods "%s" not found' % pod)
        containers = [c['name'] for c in rec.view()['spec'].get('containers') or []]
        container = arg.get('container') or containers[0]
        lines = data.get('lines') if isinstance(data, dict) else None
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise HTTPError(400, 'control API: podlog wants {"lines": ["..."]}')
        key = (ns, pod, container)
        base = int(sim.clock.now() * 1e9)
        with sim.lock:
            have = sim.podlog_extra[key]
            if have:
                base = max(base, have[-1][0] + 1000000)
            for i, line in enumerate(lines):
                have.append((base + i * 1000000, line.encode('utf-8', 'surrogateescape'),
                             arg.get('stream', 'stdout')))
            return {'appended': len(lines), 'total': len(have)}

    def token_info(self):
        sim = self.sim
        exp = None
        if sim.token_ttl:
            exp = rfc3339(sim.token_issued + sim.token_ttl)
        return {'token': sim.token, 'expires': exp,
                'expired': bool(sim.token_ttl and
                                sim.clock.now() > sim.token_issued + sim.token_ttl)}

    def stats(self):
        sim = self.sim
        store = sim.store
        with store.lock:
            counts = store.counts()
            sizes = sorted(len(r.item) for r in store.objs['pods'].values())
            rv = store.rv
        with sim.lock:
            return {'objects': counts, 'resourceVersion': str(rv),
                    'median_pod_bytes': int(statistics.median(sizes)) if sizes else 0,
                    'pod_bytes_total': sum(sizes),
                    'watches_active': sim.watches_active, 'requests_total': sim.req_total,
                    'build_seconds': round(sim.build_seconds, 3),
                    'now': rfc3339(sim.clock.now()), 'params': sim.params,
                    'uptime': round(time.monotonic() - sim.started, 3)}

    def scenario(self, name, arg):
        store = self.sim.store
        if name == 'node-notready':
            rec = scenarios.node_notready(store, arg['node'])
        elif name == 'node-ready':
            rec = scenarios.node_ready(store, arg['node'])
        elif name == 'cordon':
            rec = scenarios.cordon(store, arg['node'], True)
        elif name == 'uncordon':
            rec = scenarios.cordon(store, arg['node'], False)
        elif name == 'crashloop':
            rec = scenarios.crashloop(store, arg['ns'], arg['pod'], int(arg.get('count', 1)),
                                      arg.get('reason', 'OOMKilled'),
                                      int(arg['exit_code']) if 'exit_code' in arg else None)
            return dict(scenarios.pod_summary(store.get(rec.kind, rec.ns, rec.name)),
                        resourceVersion=str(store.rv))
        elif name == 'recover':
            rec = scenarios.recover(store, arg['ns'], arg['pod'])
            return dict(scenarios.pod_summary(rec), resourceVersion=str(store.rv))
        else:
            raise HTTPError(404, 'control API: no scenario %r' % name)
        return {'name': rec.name, 'resourceVersion': str(store.rv)}

    def control_objects(self, method, parts, data, reply):
        store = self.sim.store
        if method == 'POST' and not parts:
            objs = data if isinstance(data, list) else [data]
            out = []
            for o in objs:
                if 'object' in o and 'resource' in o:
                    kind = BY_RES.get(o['resource'])
                    o = o['object']
                else:
                    kind = BY_KIND.get(o.get('kind'))
                if kind is None:
                    raise HTTPError(400, 'control API: unknown kind/resource')
                if not (o.get('metadata') or {}).get('name'):
                    raise HTTPError(422, '%s "" is invalid: metadata.name: Required value: name '
                                    'or generateName is required' % kind.kind, reason='Invalid')
                if kind.namespaced and not o['metadata'].get('namespace'):
                    o['metadata']['namespace'] = 'default'
                o['metadata'].pop('resourceVersion', None)
                rec = store.put(kind, o)
                out.append(json.loads(rec.with_kind()))
            return reply(out if isinstance(data, list) else out[0])
        if not parts or parts[0] not in BY_RES:
            raise HTTPError(404, 'control API: /_sim/objects/<resource>/<ns>/<name>')
        kind = BY_RES[parts[0]]
        if len(parts) == 3:
            ns, name = parts[1], parts[2]
        elif len(parts) == 2:
            ns, name = None, parts[1]
        else:
            raise HTTPError(404, 'control API: /_sim/objects/<resource>/<ns>/<name>')
        if ns in ('_', '-', ''):
            ns = None
        if method == 'DELETE':
            rec = store.delete(kind, ns, name)
        elif method == 'GET':
            rec = store.get(kind, ns, name)
        else:
            raise HTTPError(405, DEFAULT_MESSAGES[405])
        if rec is None:
            raise HTTPError(404, '%s "%s" not found' % (kind.res, name),
                            details={'name': name, 'kind': kind.res})
        return reply(json.loads(rec.with_kind()))


def _accepts_json(accept):
    if not accept:
        return True
    for part in accept.split(','):
        mt = part.split(';')[0].strip()
        if mt in ('application/json', '*/*', 'application/*', 'application/yaml',
                  'application/vnd.kubernetes.protobuf'):
            return True
    return False


def _audit_id():
    return '%08x-%04x-4%03x-%04x-%012x' % (
        secrets.randbits(32), secrets.randbits(16), secrets.randbits(12),
        0x8000 | secrets.randbits(14), secrets.randbits(48))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    tls = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's thread, so a slow client never blocks
        # the accept loop.
        if self.tls is not None:
            try:
                request.settimeout(10)
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        pass


def parse_args(argv):
    ap = argparse.ArgumentParser(description='simulated Kubernetes API server (see '
                                 'sim/README.md)')
    ap.add_argument('--port-file', required=True, help='write the bound port here once '
                    'listening')
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--tls-cert')
    ap.add_argument('--tls-key')
    ap.add_argument('--token', help='bearer token required on API requests')
    ap.add_argument('--token-ttl', type=float, default=None, help='seconds (of the sim clock) '
                    'the token stays valid')
    ap.add_argument('--size', default='seed', choices=['seed'])
    ap.add_argument('--nodes', type=int)
    ap.add_argument('--tenant-namespaces', type=int)
    ap.add_argument('--pods', type=int)
    ap.add_argument('--clock', help='RFC 3339 or Unix seconds; default $OPSDECK_CLOCK, else '
                    'real time')
    ap.add_argument('--state-dir')
    ap.add_argument('--bookmark-interval', type=float, default=60.0)
    ap.add_argument('--watch-cache', type=int, default=1000,
                    help='events kept per resource for watch resumption')
    ap.add_argument('--watch-timeout', type=float, default=1800.0,
                    help='server-side end of a watch without timeoutSeconds')
    ap.add_argument('--continue-ttl', type=float, default=300.0)
    ap.add_argument('--request-log')
    ap.add_argument('--request-log-size', type=int, default=20000)
    ap.add_argument('--gzip-threshold', type=int, default=0,
                    help='smallest body gzipped when asked (the real apiserver uses 131072)')
    ap.add_argument('--socket-timeout', type=float, default=120.0)
    ap.add_argument('--no-prerender', action='store_true')
    ap.add_argument('--proxy-service', action='append', metavar='NS/NAME:PORT=URL',
                    help='the upstream behind services/NAME:PORT/proxy (repeatable)')
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if bool(args.tls_cert) != bool(args.tls_key):
        sys.exit('kubesim: --tls-cert and --tls-key go together')
    try:
        sim = Sim(args)
    except (OSError, ValueError) as e:
        sys.exit('kubesim: %s' % e)
    handler = type('BoundHandler', (Handler,), {'sim': sim})
    try:
        httpd = Server((args.host, args.port), handler)
    except OSError as e:
        sys.exit('kubesim: cannot listen on %s:%d: %s' % (args.host, args.port, e))
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        ctx.set_alpn_protocols(['http/1.1'])
        httpd.tls = ctx
    port = httpd.server_address[1]
    sim.docs = discovery.build('%s:%d' % (args.host, port))
    if not args.no_prerender and sim.store.counts()['pods'] > 1000:
        sim.prerender()

    def stop(signum, frame):
        sim.stopping.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    tmp = args.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.replace(tmp, args.port_file)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        sim.stopping.set()
        with sim.store.lock:
            sim.store.cond.notify_all()
        httpd.server_close()
        if sim.journal:
            sim.journal.close()
        if sim.request_log:
            sim.request_log.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
