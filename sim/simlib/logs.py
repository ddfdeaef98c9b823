# SPDX-License-Identifier: MIT
# simlib/logs.py - the simulated platform's log lines: container output of every pod (what the
# kubelet's log endpoint returns and promtail ships to Loki), node journals, the build worker's
# build logs (the build-log convention of DESIGN.md §4) and a stream of hostile lines.
#
# Everything is a pure function of the pod object (or the seed platform) and a time window, so
# kubesim's pods/{name}/log and lokisim's streams agree line for line. Lines are bytes (UTF-8,
# except the hostile stream's deliberately invalid bytes); timestamps are Unix nanoseconds.

import json
import time
import zlib

from . import platform
from .util import parse_time

NS = 1000000000
HISTORY = 3600          # seconds of runtime logs kept (Loki's window; the kubelet's rotation)
BUILD_HISTORY = 48 * 3600
HOSTILE_NS = 'dp-evil-hostile'
HOSTILE_APP = 'hostile'
CRASH_PERIOD = 341      # seconds between two starts of the crash-looping container (5 m back-off)
CRASH_RUN = 41          # seconds each of its runs lasts


def _h(*parts):
    return zlib.crc32(':'.join(str(p) for p in parts).encode())


def _iso(ts_ns, frac=3):
    s = ts_ns // NS
    base = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(s))
    if frac:
        return '%s.%0*dZ' % (base, frac, (ts_ns % NS) // 10 ** (9 - frac))
    return base + 'Z'


def rfc3339nano(ts_ns):
    """The kubelet's timestamps=true prefix (RFC 3339 with nanoseconds)."""
    return _iso(ts_ns, 9)


# --- runtime output of a container --------------------------------------------------------------
JSON_APPS = {'api', 'storefront', 'checkout', 'chat', 'chat-relay', 'notes', 'omarbot',
             'portfolio', 'grafana'}
PLAIN_APPS = {'web', 'blog', 'docs', 'lena', 'wiki', 'coredns', 'registry', 'kube-dns'}
PATHS = ('/', '/api/cats', '/api/cats/42', '/login', '/cart', '/healthz', '/static/app.js',
         '/api/orders', '/feed.xml', '/search?q=tabby')
AGENTS = ('Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
          'curl/8.5.0', 'kube-probe/1.31', 'Googlebot/2.1 (+http://www.google.com/bot.html)')


def _period(app):
    if app in ('storefront', 'traefik'):
        return 2
    if app in ('checkout', 'api', 'web', 'chat', 'ledger', 'loki', 'promtail'):
        return 6
    return 20


def app_of(pod):
    labels = pod['metadata'].get('labels') or {}
    app = labels.get('app') or labels.get('k8s-app') or labels.get('app.kubernetes.io/name')
    if not app:
        app = labels.get('job-name', pod['metadata']['name']).rsplit('-', 1)[0]
    return app


def _line(app, pod, container, ts_ns, k):
    """One ordinary output line of app -> (bytes, stream)."""
    h = _h(pod, container, k)
    level = 'info'
    if h % 23 == 0:
        level = 'error'
    elif h % 11 == 0:
        level = 'warn'
    path = PATHS[h % len(PATHS)]
    status = 500 if level == 'error' else (404 if level == 'warn' else 200)
    dur = (h >> 8) % 400 + 1
    stream = 'stderr' if level == 'error' else 'stdout'
    if app in JSON_APPS:
        obj = {'level': {'info': 30, 'warn': 40, 'error': 50}[level],
               'time': ts_ns // 1000000, 'pid': 1, 'hostname': pod}
        if level == 'error':
            obj['msg'] = 'request failed'
            obj['err'] = {'type': 'Error', 'message': 'connect ECONNREFUSED 10.43.12.7:5432'}
        else:
            obj['msg'] = 'request completed'
        obj['req'] = {'method': 'GET' if h % 5 else 'POST', 'url': path}
        obj['res'] = {'statusCode': status}
        obj['responseTime'] = dur
        return json.dumps(obj, separators=(',', ':')).encode(), stream
    if app in PLAIN_APPS:
        if app in ('coredns', 'kube-dns'):
            return (('[INFO] 10.42.%d.%d:%d - %d "A IN %s.dp-max-catapp.svc.cluster.local. udp '
                     '%d false 512" NOERROR qr,aa,rd 106 0.000%03ds')
                    % (h % 3 + 1, h % 200 + 2, 30000 + h % 30000, h % 65535,
                       ('api', 'web', 'postgres')[h % 3], 50 + h % 30, dur % 1000)).encode(), \
                'stdout'
        if level == 'error':
            return ('%s [error] 7#7: *%d connect() failed (111: Connection refused) while '
                    'connecting to upstream, client: 10.42.1.1, request: "GET %s HTTP/1.1"'
                    % (_iso(ts_ns, 0).replace('-', '/').replace('T', ' ')[:19], h % 9999,
                       path)).encode(), 'stderr'
        when = time.strftime('%d/%b/%Y:%H:%M:%S +0000', time.gmtime(ts_ns // NS))
        return ('10.42.%d.%d - - [%s] "GET %s HTTP/1.1" %d %d "-" "%s"'
                % (h % 3 + 1, h % 200 + 2, when, path, status, 512 + h % 40000,
                   AGENTS[h % len(AGENTS)])).encode(), stream
    msg = {'info': 'handled request', 'warn': 'slow request',
           'error': 'request failed'}[level]
    extra = ' err="pq: too many connections"' if level == 'error' else ''
    return ('ts=%s level=%s msg="%s" method=%s path=%s status=%d duration=%dms%s'
            % (_iso(ts_ns), level, msg, 'GET' if h % 5 else 'POST', path, status, dur,
               extra)).encode(), stream


def _steady(app, pod, container, t0_ns, t1_ns):
    """Ordinary lines with timestamps in [t0_ns, t1_ns)."""
    period = _period(app) * NS
    out = []
    k = t0_ns // period
    while k * period < t1_ns:
        ts = k * period + _h(pod, container, 'j', k) % period
        if t0_ns <= ts < t1_ns:
            line, stream = _line(app, pod, container, ts, k)
            out.append((ts, line, stream))
        k += 1
    return out


def _crash_run(app, pod, container, start_ns, end_ns, j):
    """The lines of one run of the crash-looping container: start-up, some work, then the crash
    (run 0, the latest, is an OOM kill; the runs before it alternate with a missing env var)."""
    out = []
    t = start_ns + 150000000
    def js(lvl, msg, **kw):
        return dict({'level': lvl, 'time': 0, 'pid': 1, 'hostname': pod, 'msg': msg}, **kw)

    def add(text, stream='stdout', step=0.2):
        nonlocal t
        if isinstance(text, dict):
            text['time'] = t // 1000000
            text = json.dumps(text, separators=(',', ':'))
        if t < end_ns:
            out.append((t, text.encode(), stream))
        t += int(step * NS)

    add(js(30, 'starting catapp-api', version='b90e207', node='v20.18.1'))
    if j % 2 == 1:
        add(js(30, 'loading configuration from environment'))
        add('Error: missing required environment variable DATABASE_URL', 'stderr', 0.01)
        add('    at loadConfig (/app/src/config.js:14:11)', 'stderr', 0.01)
        add('    at Object.<anonymous> (/app/src/server.js:8:16)', 'stderr', 0.01)
        add('Node.js v20.18.1', 'stderr', 0.01)
        return out
    add(js(30, 'connected to postgres', host='10.43.12.7'), step=0.5)
    add(js(30, 'listening', port=3000), step=2)
    n = 0
    while t < end_ns - 8 * NS and n < 40:
        add(js(30, 'request completed', req={'method': 'GET', 'url': '/api/cats/export'},
               res={'statusCode': 200}, responseTime=800 + n * 37), step=0.8)
        n += 1
    add(js(40, 'heap usage high', heapUsedMB=236 + n, limitMB=256), step=2)
    add('', 'stderr', 0.001)
    add('<--- Last few GCs --->', 'stderr', 0.001)
    add('[1:0x6b8e2d0]    38121 ms: Mark-Compact 251.3 (258.6) -> 250.9 (258.9) MB, 612.40 / '
        '0.00 ms  (average mu = 0.118, current mu = 0.041) allocation failure', 'stderr', 0.001)
    add('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
        'stderr', 0.001)
    out.sort(key=lambda e: e[0])
    return [e for e in out if e[0] < end_ns]


def _crash_runs(status, now):
    """(start_s, end_s, j) of the crash-looping container's runs, latest first."""
    term = (status.get('lastState') or {}).get('terminated') or {}
    if term.get('startedAt'):
        s0 = parse_time(term['startedAt'])
    else:
        s0 = now - 233
    runs = []
    for j in range(int(status.get('restartCount', 0)) + 1):
        s = s0 - j * CRASH_PERIOD
        if s + CRASH_RUN < now - HISTORY - CRASH_PERIOD:
            break
        runs.append((s, s + CRASH_RUN, j))
    return runs


def _crashlooping(status):
    w = (status.get('state') or {}).get('waiting') or {}
    return w.get('reason') == 'CrashLoopBackOff'


def container_runs(pod, container, now):
    """The runs of a container whose output is still on the node, latest first:
    list of (start_s, end_s, run) where run is an opaque tag for container_lines. Empty when the
    container never ran."""
    st = None
    for s in (pod.get('status') or {}).get('containerStatuses') or []:
        if s.get('name') == container:
            st = s
    if st is None:
        return []
    if _crashlooping(st):
        return [(s, e, ('crash', j)) for s, e, j in _crash_runs(st, now)]
    runs = []
    state = st.get('state') or {}
    if 'running' in state:
        runs.append((parse_time(state['running']['startedAt']), now, ('steady', 0)))
    elif 'terminated' in state:
        t = state['terminated']
        runs.append((parse_time(t['startedAt']), parse_time(t['finishedAt']), ('steady', 0)))
    last = (st.get('lastState') or {}).get('terminated')
    if last and last.get('finishedAt'):
        start = parse_time(last.get('startedAt') or last['finishedAt'])
        runs.append((start, parse_time(last['finishedAt']), ('steady', 1)))
    return runs


def container_lines(pod, container, run, t0, t1):
    """Lines of one run (from container_runs) within [t0, t1) seconds: [(ts_ns, bytes, stream)]
    oldest first."""
    start, end, tag = run
    name = pod['metadata']['name']
    app = app_of(pod)
    lo = max(start, t0, end - HISTORY)
    hi = min(end, t1)
    if hi <= lo:
        return []
    lo_ns, hi_ns = int(lo * NS), int(hi * NS)
    if tag[0] == 'crash':
        lines = _crash_run(app, name, container, int(start * NS), int(end * NS), tag[1])
        return [e for e in lines if lo_ns <= e[0] < hi_ns]
    lines = _steady(app, name, container, lo_ns, hi_ns)
    if tag[1] == 1 and hi == end:
        last = (int(end * NS) - 1000000, b'received SIGTERM, shutting down' if app
                not in JSON_APPS else b'{"level":60,"msg":"process out of memory"}', 'stderr')
        lines.append(last)
    return lines


def pod_streams(pod, now):
    """Promtail's view of a pod over the last HISTORY seconds:
    [(labels, [(ts_ns, bytes)])], one stream per container and output stream."""
    meta = pod['metadata']
    node = (pod.get('spec') or {}).get('nodeName')
    if not node:
        return []
    app = app_of(pod)
    out = []
    for c in (pod.get('spec') or {}).get('containers') or []:
        by_stream = {}
        for run in container_runs(pod, c['name'], now):
            for ts, line, stream in container_lines(pod, c['name'], run, now - HISTORY, now):
                by_stream.setdefault(stream, []).append((ts, line))
        for stream, entries in sorted(by_stream.items()):
            labels = {'namespace': meta['namespace'], 'app': app, 'pod': meta['name'],
                      'container': c['name'], 'node_name': node,
                      'job': '%s/%s' % (meta['namespace'], app), 'stream': stream}
            entries.sort(key=lambda e: e[0])
            out.append((labels, entries))
    return out


# --- node journals ------------------------------------------------------------------------------
def journal_streams(now, nodes):
    """{job="systemd-journal", node_name, unit} streams of the last HISTORY seconds."""
    out = []
    for node in nodes:
        server = node == 'k3s-1'
        unit = 'k3s.service' if server else 'k3s-agent.service'
        entries = []
        t0 = int((now - HISTORY) * NS)
        period = 30 * NS
        k = t0 // period + 1
        while k * period < now * NS:
            ts = k * period + _h(node, k) % period
            h = _h(node, 'm', k)
            if node == 'ops-1' and h % 3 == 0:
                text = ('I%s 1204 image_gc_manager.go:319] "Disk usage on image filesystem is '
                        'over the high threshold, trying to free bytes down to the low threshold" '
                        'usage=97 highThreshold=85 amountToFree=10737418240 lowThreshold=80'
                        % _klog_time(ts))
            elif h % 5 == 0:
                text = ('I%s 1204 kubelet_getters.go:218] "Pod status updated" pod="%s" '
                        'status="Running"' % (_klog_time(ts), 'dp-system/promtail'))
            else:
                text = ('time="%s" level=info msg="Tunnel server egress proxy mode: agent"'
                        % _iso(ts, 0) if not server else
                        'I%s 1204 trace.go:236] Trace[%d]: "List" url:/api/v1/pods,verb:LIST '
                        '(%s) (total time: %dms)' % (_klog_time(ts), h % 999999,
                                                    _iso(ts, 0), h % 900 + 100))
            if ts < now * NS:
                entries.append((ts, text.encode()))
            k += 1
        out.append(({'job': 'systemd-journal', 'node_name': node, 'unit': unit}, entries))
        ssh = [(int((now - 600 + i * 137) * NS) + _h(node, 'ssh', i) % NS,
                ('Accepted publickey for ops from 10.0.0.%d port %d ssh2: ED25519 SHA256:'
                 'qk3Lw0rY7m2D8cVb1pZs9eXuHn4aT6fGjK5oQiRlWdE' % (5 + i, 50000 + i * 17)).encode())
               for i in range(3)]
        out.append(({'job': 'systemd-journal', 'node_name': node, 'unit': 'ssh.service'}, ssh))
    return out


def _klog_time(ts_ns):
    tm = time.gmtime(ts_ns // NS)
    return '%02d%02d %02d:%02d:%02d.%06d' % (tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                             tm.tm_sec, (ts_ns % NS) // 1000)


# --- build logs ---------------------------------------------------------------------------------
TARGETS = {'hit': 5.0, 'partial': 15.0, 'miss': 120.0}


def _sha(*parts):
    return ''.join('%08x' % _h('sha%d' % i, *parts) for i in range(5))


def build_plan(now):
    """The builds of the last two days: list of dicts tenant, project, service, start (s),
    duration (s) or None (running), status, cache, kind. Sorted by start; build_id assigned."""
    plan = []
    services = [(t.tenant, t.project, s.name) for t in platform.seed_tenants()
                for s in t.services]
    for i, (tenant, project, svc) in enumerate(services):
        # the first build (two days ago) is cold; the later ones hit or partly hit the cache
        base = now - BUILD_HISTORY + 1800 + i * 600
        plan.append(dict(tenant=tenant, project=project, service=svc, start=base,
                         duration=78.0 + (i * 7) % 40, status='succeeded', cache='miss',
                         kind='cold'))
        for k in range(3):
            st = base + (k + 1) * 9 * 3600 + (_h(svc, k) % 3600)
            h = _h(svc, 'b', k)
            cache = 'hit' if h % 3 else 'partial'
            dur = (2.5 + h % 20 / 10.0) if cache == 'hit' else (8.0 + h % 60 / 10.0)
            status = 'failed' if h % 7 == 0 else 'succeeded'
            plan.append(dict(tenant=tenant, project=project, service=svc, start=st,
                             duration=dur, status=status, cache=cache, kind='normal'))
    # slow builds, over their targets
    plan += [
        dict(tenant='kim', project='ledger', service='ledger', start=now - 5 * 3600,
             duration=9.8, status='succeeded', cache='hit', kind='slow'),
        dict(tenant='quinn', project='chat', service='chat', start=now - 4 * 3600,
             duration=23.4, status='succeeded', cache='partial', kind='slow'),
        dict(tenant='jade', project='notes', service='notes', start=now - 30 * 3600,
             duration=164.2, status='succeeded', cache='miss', kind='slow-cold'),
        dict(tenant='max', project='catapp', service='api', start=now - 3 * 3600,
             duration=31.5, status='failed', cache='partial', kind='failed'),
    ]
    # scenarios.md §3: built fine an hour ago, today's rebuilds lose the registry cache
    for svc, fine, rebuilds in (('storefront', 65, ((22, 41.7), (9, 39.2))),
                                ('checkout', 70, ((15, 42.3),))):
        plan.append(dict(tenant='acme', project='shop', service=svc, start=now - fine * 60,
                         duration=4.1, status='succeeded', cache='hit', kind='normal'))
        for ago, dur in rebuilds:
            plan.append(dict(tenant='acme', project='shop', service=svc,
                             start=now - ago * 60, duration=dur, status='succeeded',
                             cache='miss', kind='cache-lost'))
    # still running
    plan.append(dict(tenant='quinn', project='chat', service='chat-relay', start=now - 25,
                     duration=None, status='running', cache=None, kind='running'))
    plan = [b for b in plan if b['start'] < now]
    plan.sort(key=lambda b: (b['start'], b['service']))
    for n, b in enumerate(plan):
        b['build_id'] = str(4000 + n)
        b['sha'] = _sha(b['tenant'], b['project'], b['service'], n)
    return plan


def _q(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def build_lines(b, now):
    """The log lines of one build: [(ts_ns, bytes)]."""
    image = 'registry.internal:5000/%s/%s/%s' % (b['tenant'], b['project'], b['service'])
    head = 'build_id=%s sha=%s' % (b['build_id'], b['sha'])
    dur = b['duration']
    span = dur if dur is not None else now - b['start']
    steps = [('info', 'build started', 'step=start branch=main')]
    steps.append(('info', 'resolving base image node:20-bookworm-slim', 'step=1/6'))
    if b['kind'] == 'cache-lost':
        steps.append(('info', 'importing cache manifest from %s:buildcache' % image, 'step=2/6'))
        steps.append(('warn', 'registry cache import failed, building without cache',
                      'step=2/6 err=%s' % _q('failed to fetch %s:buildcache: unexpected '
                                             'status 500 Internal Server Error' % image)))
    elif b['cache'] == 'miss':
        steps.append(('info', 'no cache manifest for %s:buildcache, building from scratch'
                      % image, 'step=2/6'))
    else:
        steps.append(('info', 'importing cache manifest from %s:buildcache' % image, 'step=2/6'))
    steps.append(('info', '[3/6] RUN npm ci --omit=dev', 'step=3/6 cached=%s'
                  % ('true' if b['cache'] == 'hit' else 'false')))
    steps.append(('info', '[4/6] COPY . /app', 'step=4/6'))
    if b['status'] == 'failed':
        steps.append(('error', 'npm test failed', 'step=5/6 err=%s'
                      % _q('1 failing: CatFeeder schedules the next meal (timeout 30s)')))
    elif b['status'] != 'running':
        steps.append(('info', '[5/6] RUN npm test', 'step=5/6'))
        steps.append(('info', 'pushing image %s:%s' % (image, b['sha'][:7]), 'step=6/6'))
        if b['kind'] == 'cache-lost':
            steps.append(('warn', 'cache export failed', 'step=6/6 err=%s'
                          % _q('blob upload unknown: no space left on device')))
    start_ns = int(b['start'] * NS)
    out = []
    n = len(steps)
    for i, (lvl, msg, extra) in enumerate(steps):
        ts = start_ns + int(span * NS * i / (n + (0 if b['status'] == 'running' else 1)))
        out.append((ts + i, ('level=%s msg=%s %s %s' % (lvl, _q(msg), head, extra)).encode()))
    if b['status'] != 'running':
        lvl = 'error' if b['status'] == 'failed' else 'info'
        out.append((start_ns + int(dur * NS),
                    ('level=%s msg="build finished" %s status=%s duration=%.1f cache=%s'
                     % (lvl, head, b['status'], dur, b['cache'])).encode()))
    return out


def build_streams(now):
    """{job="build", tenant, project, service} streams of the last two days."""
    streams = {}
    for b in build_plan(now):
        key = (b['tenant'], b['project'], b['service'])
        streams.setdefault(key, []).extend(build_lines(b, now))
    out = []
    for (tenant, project, svc), entries in sorted(streams.items()):
        entries.sort(key=lambda e: e[0])
        out.append(({'job': 'build', 'tenant': tenant, 'project': project, 'service': svc},
                    entries))
    return out


# --- hostile lines ------------------------------------------------------------------------------
def hostile_stream(now):
    """Lines that must render inert, in their own namespace/app (one per kind, 30 s apart; the
    1 MiB line last)."""
    lines = [
        b'\x1b[31mred text\x1b[0m and \x1b[2J\x1b[Hclear screen',
        b'clipboard write \x1b]52;c;cm0gLXJmIH4vKg==\x07 done',
        b'window title \x1b]0;pwned\x1b\\ set',
        'C1 controls: \u009b31m CSI, \u009d0;x\u009c OSC, \u0085 NEL'.encode(),
        b'invalid utf-8: \xff\xfe \xc3\x28 \xe2\x82 \xed\xa0\x80 end',
        b'nul byte: before\x00after',
        'bidi: invoice_\u202etxt.exe\u202c and \u2066isolate\u2069 \u200fRLM'.encode(),
        b'carriage return\r overwritten, backspace\b\b\b, bell\a, tab\there',
        b'A' * 80 + b' ' + b'\xf0\x9f\x90\xb1' * 30,
    ]
    big = b'1MiB line: ' + b'0123456789abcdef' * 65536
    lines.append(big[:1048576])
    base = int((now - 600) * NS)
    entries = [(base + i * 30 * NS, line) for i, line in enumerate(lines)]
    labels = {'namespace': HOSTILE_NS, 'app': HOSTILE_APP, 'pod': 'hostile-0',
              'container': 'app', 'node_name': 'run-2', 'job': '%s/%s' % (HOSTILE_NS,
                                                                          HOSTILE_APP),
              'stream': 'stdout'}
    return [(labels, entries)]


# --- benchmark streams --------------------------------------------------------------------------
BENCH_NS = 'dp-bench'


def bench_labels(app):
    return {'namespace': BENCH_NS, 'app': app, 'pod': '%s-0' % app, 'container': 'app',
            'node_name': 'run-1', 'job': '%s/%s' % (BENCH_NS, app), 'stream': 'stdout'}


def bench_line(i, ts_ns):
    h = _h('bench', i)
    return ('ts=%s level=info msg="handled request" seq=%d method=GET path=%s status=200 '
            'duration=%dms bytes=%d' % (_iso(ts_ns), i, PATHS[h % len(PATHS)], h % 400 + 1,
                                        h % 65536)).encode()


def volume_stream(now, n):
    """n lines spread evenly over the last HISTORY seconds in {app="volume"}."""
    if n <= 0:
        return []
    t0 = int((now - HISTORY) * NS)
    step = HISTORY * NS // n
    return [(bench_labels('volume'), [(t0 + i * step, bench_line(i, t0 + i * step))
                                      for i in range(n)])]


def seed_pods(now):
    """The pods of the seed platform kubesim serves (built by simlib.platform)."""
    return [o for r, o in platform.build({'size': 'seed'}, now) if r == 'pods']


def seed_nodes():
    return [n[0] for n in platform.SEED_NODES]


def all_streams(now, volume=0):
    """Everything lokisim holds at start: [(labels, [(ts_ns, bytes)])]."""
    out = []
    for pod in seed_pods(now):
        out.extend(pod_streams(pod, now))
    out.extend(journal_streams(now, seed_nodes()))
    out.extend(build_streams(now))
    out.extend(hostile_stream(now))
    out.extend(volume_stream(now, volume))
    return out
