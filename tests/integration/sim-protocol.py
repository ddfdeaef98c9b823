#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/sim-protocol.py - direct protocol checks of the simulated API server
# (sim/kubesim.py): the seed data set, discovery, paging, selectors, Table, gzip, watch with
# bookmarks and 410 (as event and as status), Status errors, faults, RBAC, tokens, the clock,
# the control API and --state-dir restarts. Prints TAP.

import base64
import email.utils
import gzip
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True

TOP = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
from tap import case, ok, plan_done  # noqa: E402
KUBESIM = os.path.join(TOP, 'sim', 'kubesim.py')
MKCERTS = os.path.join(TOP, 'sim', 'mkcerts.sh')
PY = os.environ.get('PYTHON3') or sys.executable
CLOCK = '2026-11-24T03:12:00Z'
CLOCK_T = 1795489920.0
TABLE = ('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;'
         'g=meta.k8s.io,application/json')


class Sim:
    def __init__(self, workdir, tls=True, token='secret-token', args=(), state_dir=None):
        self.dir = workdir
        self.tls = tls
        self.token = token
        self.args = list(args)
        self.state_dir = state_dir
        self.port = 0
        self.proc = None
        if tls:
            self.pki = os.path.join(workdir, 'pki')
            if not os.path.exists(os.path.join(self.pki, 'ca.crt')):
                subprocess.run(['sh', MKCERTS, self.pki], check=True, timeout=60)
            self.ctx = ssl.create_default_context(cafile=os.path.join(self.pki, 'ca.crt'))

    def start(self):
        pf = os.path.join(self.dir, 'port')
        if os.path.exists(pf):
            os.unlink(pf)
        cmd = [PY, KUBESIM, '--port-file', pf, '--port', str(self.port)]
        if self.tls:
            cmd += ['--tls-cert', os.path.join(self.pki, 'server.crt'),
                    '--tls-key', os.path.join(self.pki, 'server.key')]
        if self.token:
            cmd += ['--token', self.token]
        if self.state_dir:
            cmd += ['--state-dir', self.state_dir]
        cmd += self.args
        self.log = open(os.path.join(self.dir, 'sim.log'), 'a')
        env = dict(os.environ)
        env.pop('OPSDECK_CLOCK', None)
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log, env=env)
        deadline = time.monotonic() + 60
        while not (os.path.exists(pf) and os.path.getsize(pf) > 0):
            if self.proc.poll() is not None:
                raise RuntimeError('kubesim exited: %s' % open(
                    os.path.join(self.dir, 'sim.log')).read()[-2000:])
            if time.monotonic() > deadline:
                raise RuntimeError('kubesim did not start')
            time.sleep(0.05)
        self.port = int(open(pf).read())
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        if getattr(self, 'log', None):
            self.log.close()
            self.log = None

    def conn(self, timeout=30):
        if self.tls:
            return http.client.HTTPSConnection('127.0.0.1', self.port, context=self.ctx,
                                               timeout=timeout)
        return http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)

    def req(self, method, path, headers=None, body=None, token=True, conn=None):
        h = {'Accept': 'application/json'}
        if token is True and self.token:
            h['Authorization'] = 'Bearer ' + self.token
        elif isinstance(token, str):
            h['Authorization'] = 'Bearer ' + token
        h.update(headers or {})
        c = conn or self.conn()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if conn is None:
                c.close()

    def get(self, path, **kw):
        st, hd, body = self.req('GET', path, **kw)
        if st != 200:
            raise AssertionError('GET %s -> %d %s' % (path, st, body[:300]))
        return json.loads(body)

    def ctl(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        st, _, out = self.req(method, '/_sim/' + path, body=data, token=False,
                              headers={'Content-Type': 'application/json'})
        if st >= 300:
            raise AssertionError('%s /_sim/%s -> %d %s' % (method, path, st, out[:300]))
        return json.loads(out)

    def watch(self, path, timeout=10, headers=None):
        """Opens a watch; returns (connection, response)."""
        c = self.conn(timeout=timeout)
        h = {'Accept': 'application/json'}
        if self.token:
            h['Authorization'] = 'Bearer ' + self.token
        h.update(headers or {})
        c.request('GET', path, headers=h)
        return c, c.getresponse()


def read_events(resp, until, limit_s=10):
    """Reads watch events until until(events) is true or limit_s passes (or EOF)."""
    events = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        line = resp.readline()
        if not line:
            events.append(None)
            break
        events.append(json.loads(line))
        if until(events):
            break
    return events


def items(sim, path):
    return sim.get(path)['items']


def status_ok(body, code, reason, msg_part=None):
    d = json.loads(body)
    good = (d.get('kind') == 'Status' and d.get('apiVersion') == 'v1' and
            d.get('status') == 'Failure' and d.get('code') == code and
            d.get('reason') == reason and d.get('metadata') == {} or
            (d.get('kind') == 'Status' and d.get('code') == code and d.get('reason') == reason
             and 'continue' in d.get('metadata', {})))
    if msg_part is not None:
        good = good and msg_part in d.get('message', '')
    return good


def pod_phase_reason(p):
    sys.path.insert(0, os.path.join(TOP, 'sim'))
    from simlib.printers import pod_status
    return pod_status(p)


def main():
    work = tempfile.mkdtemp(prefix='sim-protocol.')
    sims = []
    try:
        run(work, sims)
    finally:
        for s in sims:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    return plan_done()


def run(work, sims):
    state = os.path.join(work, 'state')
    sim = Sim(work, args=['--clock', CLOCK, '--bookmark-interval', '0.3', '--watch-cache', '50',
                          '--continue-ttl', '60', '--token-ttl', '86400'], state_dir=state)
    sims.append(sim)
    sim.start()
    pods_all = items(sim, '/api/v1/pods')
    by_name = {p['metadata']['name']: p for p in pods_all}

    # --- basics -------------------------------------------------------------------------------
    @case('/version is k3s-like and labelled simulated; Date comes from the injected clock')
    def _():
        st, hd, body = sim.req('GET', '/version')
        v = json.loads(body)
        date = email.utils.parsedate_to_datetime(hd['date']).timestamp()
        return (st == 200 and v['gitVersion'] == 'v1.31.4+k3s1' and v['simulated'] is True
                and date == CLOCK_T and hd['content-type'] == 'application/json',
                (st, v, hd))

    @case('discovery: /api, /apis, /api/v1, /apis/apps/v1, /apis/networking.k8s.io/v1')
    def _():
        api = sim.get('/api')
        apis = sim.get('/apis')
        v1 = sim.get('/api/v1')
        apps = sim.get('/apis/apps/v1')
        net = sim.get('/apis/networking.k8s.io/v1')
        groups = [g['name'] for g in apis['groups']]
        res = {r['name']: r for r in v1['resources']}
        return (api['versions'] == ['v1'] and groups == ['apps', 'networking.k8s.io'] and
                res['pods']['namespaced'] and not res['nodes']['namespaced'] and
                'watch' in res['pods']['verbs'] and
                {'deployments', 'replicasets'} <= {r['name'] for r in apps['resources']} and
                all('watch' in r['verbs'] for r in apps['resources'] if '/' not in r['name'])
                and {'ingresses', 'networkpolicies'} <= {r['name'] for r in net['resources']},
                (groups, list(res)))

    @case('/openapi/v2 is a small protobuf served as application/octet-stream')
    def _():
        st, hd, body = sim.req('GET', '/openapi/v2')
        return (st == 200 and hd['content-type'] == 'application/octet-stream' and
                body.startswith(b'\x0a\x032.0'), (st, hd, body))

    @case('no token and a wrong token get 401 Unauthorized Status')
    def _():
        st1, _, b1 = sim.req('GET', '/api/v1/nodes', token=False)
        st2, _, b2 = sim.req('GET', '/api/v1/nodes', token='nope')
        return (st1 == 401 and st2 == 401 and status_ok(b1, 401, 'Unauthorized') and
                json.loads(b1)['message'] == 'Unauthorized', (b1, b2))

    @case('list JSON: kind, apiVersion, metadata before items; items without kind/apiVersion')
    def _():
        st, hd, body = sim.req('GET', '/api/v1/nodes')
        head = body[:200].decode()
        d = json.loads(body)
        return (list(d) == ['kind', 'apiVersion', 'metadata', 'items'] and
                head.startswith('{"kind":"NodeList","apiVersion":"v1","metadata":{') and
                all('kind' not in i and 'apiVersion' not in i for i in d['items']) and
                all(list(i)[:1] == ['metadata'] for i in d['items']), head)

    @case('keep-alive: several requests on one connection')
    def _():
        c = sim.conn()
        try:
            for _ in range(3):
                st, _, _ = sim.req('GET', '/api/v1/namespaces', conn=c)
                if st != 200:
                    return False
        finally:
            c.close()
        return True

    # --- the seed platform --------------------------------------------------------------------
    nodes = {n['metadata']['name']: n for n in items(sim, '/api/v1/nodes')}

    @case('nodes k3s-1, build-1, ops-1, run-1, run-2 with pools, IPs, taints, k3s version')
    def _():
        want = {'k3s-1': ('ctrl', '10.0.1.1', []), 'build-1': ('build', '10.0.1.2',
                                                             ['pool=build:NoSchedule']),
                'ops-1': ('ops', '10.0.1.10', ['pool=ops:NoSchedule']),
                'run-1': ('run', '10.0.1.100', []), 'run-2': ('run', '10.0.1.101', [])}
        got = {}
        for name, n in nodes.items():
            taints = ['%s=%s:%s' % (t['key'], t['value'], t['effect'])
                      for t in n['spec'].get('taints', [])]
            ip = [a['address'] for a in n['status']['addresses'] if a['type'] == 'InternalIP']
            got[name] = (n['metadata']['labels']['pool'], ip[0], taints)
        versions = {n['status']['nodeInfo']['kubeletVersion'] for n in nodes.values()}
        roles = sorted(k for k in nodes['k3s-1']['metadata']['labels']
                       if k.startswith('node-role.kubernetes.io/'))
        return (got == want and versions == {'v1.31.4+k3s1'} and roles == [
            'node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/etcd',
            'node-role.kubernetes.io/master'] and
            'k3s.io/node-args' in nodes['run-1']['metadata']['annotations'] and
            len(nodes['run-1']['metadata']['managedFields']) >= 2, (got, versions, roles))

    @case('dp-max-catapp: api pod CrashLoopBackOff, 14 restarts, OOMKilled 137, on run-1')
    def _():
        p = by_name['api-7d9c8-x2bq']
        cs = p['status']['containerStatuses'][0]
        term = cs['lastState']['terminated']
        reason, ready, total, restarts, _ = pod_phase_reason(p)
        return (p['metadata']['namespace'] == 'dp-max-catapp' and
                p['spec']['nodeName'] == 'run-1' and reason == 'CrashLoopBackOff' and
                restarts == 14 and cs['restartCount'] == 14 and term['reason'] == 'OOMKilled'
                and term['exitCode'] == 137 and (ready, total) == (0, 1), cs)

    @case('dp-max-catapp: deployment api 0/1, web healthy, ingress api.breacher.org')
    def _():
        deps = {d['metadata']['name']: d for d in items(
            sim, '/apis/apps/v1/namespaces/dp-max-catapp/deployments')}
        ings = items(sim, '/apis/networking.k8s.io/v1/namespaces/dp-max-catapp/ingresses')
        hosts = sorted(r['host'] for i in ings for r in i['spec']['rules'])
        api, web = deps['api'], deps['web']
        web_pods = [p for p in pods_all if p['metadata']['name'].startswith('web-')]
        return (api['spec']['replicas'] == 1 and api['status'].get('readyReplicas', 0) == 0
                and web['status']['readyReplicas'] == web['spec']['replicas'] == 3 and
                all(pod_phase_reason(p)[0] == 'Running' for p in web_pods) and
                hosts == ['api.breacher.org', 'web.breacher.org'], (hosts, api['status']))

    events = items(sim, '/api/v1/events')

    @case('dp-max-catapp: Warning events BackOff and OOMKilling within the last hour')
    def _():
        from_t = CLOCK_T - 3600
        got = set()
        for e in events:
            if e['metadata']['namespace'] == 'dp-max-catapp' and e['type'] == 'Warning':
                t = email.utils.parsedate_to_datetime(
                    time.strftime('%a, %d %b %Y %H:%M:%S GMT',
                                  time.strptime(e['lastTimestamp'], '%Y-%m-%dT%H:%M:%SZ'))
                ).timestamp()
                if t >= from_t and e['involvedObject']['name'] == 'api-7d9c8-x2bq':
                    got.add(e['reason'])
        return {'BackOff', 'OOMKilling'} <= got, got

    namespaces = {n['metadata']['name']: n for n in items(sim, '/api/v1/namespaces')}
    tenants = {}
    for name, n in namespaces.items():
        lab = n['metadata'].get('labels', {})
        if 'dp.ml.ink/tenant' in lab:
            tenants.setdefault(lab['dp.ml.ink/tenant'], []).append(
                (lab['dp.ml.ink/project'], name))

    @case('tenant namespaces dp-{tenant}-{project} with labels; one tenant has >1 project')
    def _():
        good = all(ns == 'dp-%s-%s' % (t, p) for t, lst in tenants.items() for p, ns in lst)
        return (good and len(tenants) >= 5 and max(len(v) for v in tenants.values()) > 1,
                tenants)

    @case('every tenant has ingress-isolation; dp-acme-blog misses egress-isolation')
    def _():
        nps = items(sim, '/apis/networking.k8s.io/v1/networkpolicies')
        have = {}
        for n in nps:
            have.setdefault(n['metadata']['namespace'], set()).add(n['metadata']['name'])
        tns = [ns for lst in tenants.values() for _, ns in lst]
        missing = [ns for ns in tns if 'egress-isolation' not in have.get(ns, ())]
        ing = all('ingress-isolation' in have.get(ns, ()) for ns in tns)
        eg = nps[0]['spec'] if nps else {}
        return ing and missing == ['dp-acme-blog'], (missing, eg)

    @case('ResourceQuota quota everywhere (pods 20, 4/4Gi, 8/8Gi); dp-acme-shop >= 90% used')
    def _():
        sys.path.insert(0, os.path.join(TOP, 'sim'))
        from simlib.util import parse_quantity
        qs = {q['metadata']['namespace']: q for q in items(sim, '/api/v1/resourcequotas')}
        tns = [ns for lst in tenants.values() for _, ns in lst]
        hard_ok = all(qs[ns]['spec']['hard'] == {'pods': '20', 'requests.cpu': '4',
                                                 'requests.memory': '4Gi', 'limits.cpu': '8',
                                                 'limits.memory': '8Gi'} for ns in tns)
        hot = []
        for ns in tns:
            st = qs[ns]['status']
            frac = max(parse_quantity(st['used'][k]) / parse_quantity(st['hard'][k])
                       for k in st['hard'])
            if frac >= 0.9:
                hot.append(ns)
        return hard_ok and hot == ['dp-acme-shop'], (hot, qs['dp-acme-shop']['status'])

    @case('pod states: Pending (FailedScheduling), ImagePullBackOff, Completed, Terminating, '
          'Evicted, Init:0/1, a healthy majority')
    def _():
        reasons = {}
        for p in pods_all:
            reasons.setdefault(pod_phase_reason(p)[0], []).append(p['metadata']['name'])
        pending = [by_name[n] for n in reasons.get('Pending', [])]
        unsched = [p for p in pending if not p['spec'].get('nodeName') and any(
            c['reason'] == 'Unschedulable' for c in p['status']['conditions'])]
        fs = [e for e in events if e['reason'] == 'FailedScheduling' and
              e['involvedObject']['name'] in {p['metadata']['name'] for p in unsched}]
        running = len(reasons.get('Running', []))
        need = ['ImagePullBackOff', 'Completed', 'Terminating', 'Evicted', 'Init:0/1',
                'CrashLoopBackOff']
        return (unsched and fs and all(reasons.get(k) for k in need) and
                running > len(pods_all) / 2, {k: len(v) for k, v in reasons.items()})

    @case('Secrets {service}-env hold marker values; some pods carry literal env values')
    def _():
        secs = items(sim, '/api/v1/secrets')
        envs = [s for s in secs if s['metadata']['name'].endswith('-env')]
        decoded = [base64.b64decode(v).decode() for s in envs for v in s['data'].values()]
        marked = [v for v in decoded if v.startswith('SIM-SECRET-MARKER:')]
        lit = [e['value'] for p in pods_all for c in p['spec']['containers']
               for e in c.get('env', []) if 'value' in e]
        return (envs and marked and any(v.startswith('SIM-ENV-MARKER:') for v in lit) and
                'api-env' in {s['metadata']['name'] for s in secs}, (len(envs), lit[:5]))

    @case('objects are as big as real ones (median pod >= 3 KiB, managedFields, conditions)')
    def _():
        stats = sim.ctl('GET', 'stats')
        p = by_name['api-7d9c8-x2bq']
        return (stats['median_pod_bytes'] >= 3072 and p['metadata']['managedFields'] and
                len(p['status']['conditions']) >= 4 and
                stats['objects']['pods'] == len(pods_all), stats)

    # --- paging -------------------------------------------------------------------------------
    @case('paging: limit+continue, one RV on every page, remainingItemCount, same items')
    def _():
        got = []
        rvs = set()
        remaining = []
        tok = None
        pages = 0
        while pages < 100:
            path = '/api/v1/pods?limit=7' + ('&continue=' + tok if tok else '')
            d = sim.get(path)
            pages += 1
            got += [(i['metadata']['namespace'], i['metadata']['name']) for i in d['items']]
            rvs.add(d['metadata']['resourceVersion'])
            tok = d['metadata'].get('continue')
            if not tok:
                if 'remainingItemCount' in d['metadata']:
                    return False, 'remainingItemCount on the last page'
                break
            remaining.append(d['metadata']['remainingItemCount'])
        want = [(p['metadata']['namespace'], p['metadata']['name']) for p in pods_all]
        expect_rem = [len(want) - 7 * (i + 1) for i in range(len(remaining))]
        return (got == want and len(rvs) == 1 and pages == -(-len(want) // 7) and
                remaining == expect_rem, (pages, rvs, remaining))

    @case('paging keeps a consistent snapshot while objects change')
    def _():
        d1 = sim.get('/api/v1/namespaces/dp-acme-shop/pods?limit=3')
        sim.ctl('POST', 'objects', {'kind': 'Pod', 'apiVersion': 'v1', 'metadata': {
            'name': 'zz-late', 'namespace': 'dp-acme-shop'}, 'spec': {'containers': [
                {'name': 'a', 'image': 'x'}]}, 'status': {'phase': 'Pending'}})
        names = [i['metadata']['name'] for i in d1['items']]
        tok = d1['metadata']['continue']
        rvs = {d1['metadata']['resourceVersion']}
        while tok:
            d = sim.get('/api/v1/namespaces/dp-acme-shop/pods?limit=3&continue=' + tok)
            names += [i['metadata']['name'] for i in d['items']]
            rvs.add(d['metadata']['resourceVersion'])
            tok = d['metadata'].get('continue')
        sim.ctl('DELETE', 'objects/pods/dp-acme-shop/zz-late')
        return 'zz-late' not in names and len(rvs) == 1, (names, rvs)

    @case('an expired continue token gives 410 Expired with the real message')
    def _():
        d = sim.get('/api/v1/pods?limit=5')
        tok = d['metadata']['continue']
        sim.ctl('POST', 'clock?advance=61')
        st, _, body = sim.req('GET', '/api/v1/pods?limit=5&continue=' + tok)
        sim.ctl('POST', 'clock?advance=-61')
        b = json.loads(body)
        return (st == 410 and b['reason'] == 'Expired' and b['code'] == 410 and
                b['message'].startswith('The provided continue parameter is too old') and
                b['metadata'].get('continue'), body[:300])

    @case('a malformed continue token gives 400 BadRequest')
    def _():
        st, _, body = sim.req('GET', '/api/v1/pods?limit=5&continue=garbage!!')
        return st == 400 and status_ok(body, 400, 'BadRequest'), body

    @case('resourceVersion=0 lists ignore limit (served from the watch cache)')
    def _():
        d = sim.get('/api/v1/pods?limit=5&resourceVersion=0')
        return (len(d['items']) == len(pods_all) and 'continue' not in d['metadata'],
                len(d['items']))

    # --- selectors ----------------------------------------------------------------------------
    def names(path):
        return sorted((i['metadata'].get('namespace', ''), i['metadata']['name'])
                      for i in items(sim, path))

    def expect(pred):
        return sorted((p['metadata']['namespace'], p['metadata']['name']) for p in pods_all
                      if pred(p))

    def lab(p):
        return p['metadata'].get('labels', {})

    @case('label selectors =, ==, !=, in, notin, key, !key, comma-joined')
    def _():
        q = urlq = __import__('urllib.parse').parse.quote
        checks = [
            ('app=web', lambda p: lab(p).get('app') == 'web'),
            ('app==web', lambda p: lab(p).get('app') == 'web'),
            ('app!=web', lambda p: lab(p).get('app') != 'web'),
            ('app in (web,api)', lambda p: lab(p).get('app') in ('web', 'api')),
            ('app notin (web,api)', lambda p: lab(p).get('app') not in ('web', 'api')),
            ('pod-template-hash', lambda p: 'pod-template-hash' in lab(p)),
            ('!pod-template-hash', lambda p: 'pod-template-hash' not in lab(p)),
            ('app,!job-name,app!=storefront', lambda p: 'app' in lab(p) and
             'job-name' not in lab(p) and lab(p).get('app') != 'storefront'),
        ]
        bad = []
        for sel, pred in checks:
            got = names('/api/v1/pods?labelSelector=' + urlq(sel))
            if got != expect(pred) or not got:
                bad.append(sel)
        del q
        return not bad, bad

    @case('a malformed label selector gives 400 BadRequest')
    def _():
        st, _, body = sim.req('GET', '/api/v1/pods?labelSelector=app%20in%20(web')
        return st == 400 and status_ok(body, 400, 'BadRequest'), body

    @case('field selectors: spec.nodeName, status.phase, metadata.name/namespace, !=')
    def _():
        q = __import__('urllib.parse').parse.quote
        checks = [
            ('spec.nodeName=run-2', lambda p: p['spec'].get('nodeName') == 'run-2'),
            ('status.phase!=Running', lambda p: p['status'].get('phase') != 'Running'),
            ('metadata.name=api-7d9c8-x2bq', lambda p: p['metadata']['name'] ==
             'api-7d9c8-x2bq'),
            ('metadata.namespace=dp-system,spec.nodeName==ops-1',
             lambda p: p['metadata']['namespace'] == 'dp-system' and
             p['spec'].get('nodeName') == 'ops-1'),
        ]
        bad = [sel for sel, pred in checks
               if names('/api/v1/pods?fieldSelector=' + q(sel)) != expect(pred)]
        return not bad, bad

    @case('event field selectors: involvedObject.name, reason, type')
    def _():
        got = items(sim, '/api/v1/namespaces/dp-max-catapp/events?fieldSelector='
                    'involvedObject.name%3Dapi-7d9c8-x2bq,type%3DWarning,reason%3DBackOff')
        return (len(got) == 1 and got[0]['reason'] == 'BackOff', got)

    @case('an unsupported field label gives 400 "field label not supported"')
    def _():
        st, _, body = sim.req('GET', '/api/v1/pods?fieldSelector=spec.foo%3Dbar')
        b = json.loads(body)
        st2, _, body2 = sim.req('GET', '/apis/apps/v1/deployments?fieldSelector=status.x%3D1')
        return (st == 400 and b['reason'] == 'BadRequest' and
                b['message'] == 'field label not supported: spec.foo' and st2 == 400, body)

    # --- single objects and errors ------------------------------------------------------------
    @case('GET one object carries kind and apiVersion; /status subresource too')
    def _():
        d = sim.get('/apis/apps/v1/namespaces/dp-max-catapp/deployments/api')
        n = sim.get('/api/v1/nodes/run-1/status')
        return (list(d)[:3] == ['kind', 'apiVersion', 'metadata'] and d['kind'] ==
                'Deployment' and d['apiVersion'] == 'apps/v1' and n['kind'] == 'Node', list(d))

    @case('404 NotFound Status with details for a missing object')
    def _():
        st, _, body = sim.req('GET', '/api/v1/namespaces/default/pods/missing')
        st2, _, body2 = sim.req('GET', '/apis/apps/v1/namespaces/default/deployments/missing')
        b, b2 = json.loads(body), json.loads(body2)
        return (st == 404 and b['message'] == 'pods "missing" not found' and
                b['details'] == {'name': 'missing', 'kind': 'pods'} and b['reason'] ==
                'NotFound' and st2 == 404 and b2['details']['group'] == 'apps' and
                b2['message'] == 'deployments.apps "missing" not found', (body, body2))

    @case('405 MethodNotAllowed for writes; 404 for an unknown resource')
    def _():
        st, _, body = sim.req('POST', '/api/v1/namespaces/default/pods', body=b'{}')
        st2, _, body2 = sim.req('GET', '/api/v1/configmaps')
        return (st == 405 and status_ok(body, 405, 'MethodNotAllowed') and st2 == 404 and
                status_ok(body2, 404, 'NotFound'), (body, body2))

    # --- Table --------------------------------------------------------------------------------
    @case('Table for nodes: kubectl columns and cells')
    def _():
        st, hd, body = sim.req('GET', '/api/v1/nodes', headers={'Accept': TABLE})
        t = json.loads(body)
        cols = [c['name'] for c in t['columnDefinitions']]
        rows = {r['cells'][0]: r['cells'] for r in t['rows']}
        return (t['kind'] == 'Table' and t['apiVersion'] == 'meta.k8s.io/v1' and
                hd['content-type'].startswith('application/json') and
                cols == ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP',
                         'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'] and
                rows['k3s-1'][1:5] == ['Ready', 'control-plane,etcd,master', '180d',
                                       'v1.31.4+k3s1'] and rows['run-2'][5] == '10.0.1.101' and
                t['rows'][0]['object']['kind'] == 'PartialObjectMetadata', rows)

    @case('Table for pods and namespaces; includeObject=None drops the objects')
    def _():
        st, _, body = sim.req('GET', '/api/v1/namespaces/dp-max-catapp/pods?includeObject=None',
                              headers={'Accept': TABLE})
        t = json.loads(body)
        cols = [c['name'] for c in t['columnDefinitions']]
        rows = {r['cells'][0]: r['cells'] for r in t['rows']}
        st2, _, body2 = sim.req('GET', '/api/v1/namespaces', headers={'Accept': TABLE})
        t2 = json.loads(body2)
        return (cols == ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node',
                         'Nominated Node', 'Readiness Gates'] and
                rows['api-7d9c8-x2bq'][1:4] == ['0/1', 'CrashLoopBackOff', '14 (3m12s ago)']
                and all('object' not in r for r in t['rows']) and
                [c['name'] for c in t2['columnDefinitions']] == ['Name', 'Status', 'Age'],
                rows)

    # --- gzip ---------------------------------------------------------------------------------
    @case('gzip when asked: Content-Encoding gzip, same bytes once inflated')
    def _():
        st, hd, plain = sim.req('GET', '/api/v1/pods?limit=20')
        st2, hd2, gz = sim.req('GET', '/api/v1/pods?limit=20',
                               headers={'Accept-Encoding': 'gzip'})
        return (hd2.get('content-encoding') == 'gzip' and 'content-encoding' not in hd and
                gzip.decompress(gz) == plain and len(gz) < len(plain) and
                int(hd2['content-length']) == len(gz), hd2)

    # --- watch --------------------------------------------------------------------------------
    @case('watch: events carry kind/apiVersion; bookmarks carry only kind/apiVersion/RV; '
          'clean end at timeoutSeconds')
    def _():
        rv = sim.get('/api/v1/pods?limit=1')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=2'
                         '&resourceVersion=' + rv)
        t0 = time.monotonic()
        sim.ctl('POST', 'scenario/crashloop?ns=dp-quinn-chat&pod=' +
                [p for p in by_name if p.startswith('chat-relay-')][0])
        evs = read_events(r, lambda e: False, 10)
        dt = time.monotonic() - t0
        c.close()
        mods = [e for e in evs if e and e['type'] == 'MODIFIED']
        bms = [e for e in evs if e and e['type'] == 'BOOKMARK']
        good_bm = bms and all(set(b['object']) == {'kind', 'apiVersion', 'metadata'} and
                              list(b['object']['metadata']) == ['resourceVersion']
                              for b in bms)
        return (r.status == 200 and r.getheader('Transfer-Encoding') == 'chunked' and mods
                and mods[0]['object']['kind'] == 'Pod' and
                mods[0]['object']['apiVersion'] == 'v1' and good_bm and evs[-1] is None and
                1.8 <= dt < 5, (dt, [e and e['type'] for e in evs]))

    @case('watch resumes from a bookmark RV without replaying or missing events')
    def _():
        rv = sim.get('/api/v1/nodes')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/nodes?watch=true&allowWatchBookmarks=true&timeoutSeconds=5'
                         '&resourceVersion=' + rv)
        sim.ctl('POST', 'scenario/cordon?node=run-1')
        evs = read_events(r, lambda e: any(x['type'] == 'BOOKMARK' for x in e if x and
                                           x['type'] == 'BOOKMARK' and
                                           int(x['object']['metadata']['resourceVersion']) >
                                           int(rv)), 5)
        c.close()
        bm = [e for e in evs if e and e['type'] == 'BOOKMARK'][-1]
        brv = bm['object']['metadata']['resourceVersion']
        sim.ctl('POST', 'scenario/uncordon?node=run-1')
        c, r = sim.watch('/api/v1/nodes?watch=true&timeoutSeconds=1&resourceVersion=' + brv)
        evs2 = read_events(r, lambda e: False, 5)
        c.close()
        mods = [e for e in evs2 if e and e['type'] == 'MODIFIED']
        return (len(mods) == 1 and 'unschedulable' not in mods[0]['object']['spec'] and
                evs2[-1] is None, [e and e['type'] for e in evs2])

    @case('watch with a label selector: a label change shows as DELETED/ADDED')
    def _():
        rv = sim.get('/api/v1/namespaces/default/pods')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/namespaces/default/pods?watch=1&labelSelector=tier%3Dx'
                         '&timeoutSeconds=3&resourceVersion=' + rv)
        base = {'kind': 'Pod', 'apiVersion': 'v1', 'metadata': {'name': 'sel', 'namespace':
                'default', 'labels': {'tier': 'x'}}, 'spec': {'containers': [
                    {'name': 'a', 'image': 'b'}]}, 'status': {'phase': 'Pending'}}
        sim.ctl('POST', 'objects', base)
        base['metadata']['labels'] = {'tier': 'y'}
        sim.ctl('POST', 'objects', base)
        base['metadata']['labels'] = {'tier': 'x'}
        sim.ctl('POST', 'objects', base)
        sim.ctl('DELETE', 'objects/pods/default/sel')
        evs = read_events(r, lambda e: len(e) >= 4, 5)
        c.close()
        return [e and e['type'] for e in evs] == ['ADDED', 'DELETED', 'ADDED', 'DELETED'], evs

    @case('watch without resourceVersion starts with ADDED for every object')
    def _():
        c, r = sim.watch('/api/v1/namespaces/dp-max-catapp/pods?watch=1&timeoutSeconds=1')
        evs = read_events(r, lambda e: False, 5)
        c.close()
        added = [e['object']['metadata']['name'] for e in evs if e and e['type'] == 'ADDED']
        return sorted(added) == sorted(p['metadata']['name'] for p in pods_all if
                                       p['metadata']['namespace'] == 'dp-max-catapp'), added

    @case('410 as a watch ERROR event: "too old resource version: X (Y)" then EOF')
    def _():
        old = sim.get('/api/v1/pods?limit=1')['metadata']['resourceVersion']
        exp = sim.ctl('POST', 'expire-watches')
        c, r = sim.watch('/api/v1/pods?watch=1&resourceVersion=' + old)
        evs = read_events(r, lambda e: False, 5)
        c.close()
        e = evs[0]
        return (r.status == 200 and len(evs) == 2 and evs[1] is None and e['type'] == 'ERROR'
                and e['object'] == {
                    'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                    'message': 'too old resource version: %s (%s)' % (old,
                                                                       exp['resourceVersion']),
                    'reason': 'Expired', 'code': 410}, evs)

    @case('410 as HTTP status when the control API says so; a fresh list RV watches fine')
    def _():
        old = sim.get('/api/v1/pods?limit=1')['metadata']['resourceVersion']
        sim.ctl('POST', 'expire-watches?as=status')
        st, hd, body = sim.req('GET', '/api/v1/pods?watch=1&resourceVersion=' + old)
        sim.ctl('POST', 'expire-watches?as=event')
        new = sim.get('/api/v1/pods?limit=1')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/pods?watch=1&timeoutSeconds=1&resourceVersion=' + new)
        evs = read_events(r, lambda e: False, 5)
        c.close()
        return (st == 410 and status_ok(body, 410, 'Expired', 'too old resource version') and
                evs == [None], (st, body, evs))

    @case('expire-watches ends open watches so clients resume')
    def _():
        rv = sim.get('/api/v1/nodes')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/nodes?watch=1&timeoutSeconds=30&resourceVersion=' + rv)
        t0 = time.monotonic()
        sim.ctl('POST', 'expire-watches')
        evs = read_events(r, lambda e: False, 10)
        c.close()
        return evs == [None] and time.monotonic() - t0 < 5, evs

    @case('a watch from an RV older than the watch-cache window gets 410')
    def _():
        rv = sim.get('/api/v1/namespaces/default/pods')['metadata']['resourceVersion']
        for i in range(55):
            sim.ctl('POST', 'objects', {'kind': 'Pod', 'metadata': {
                'name': 'churn', 'namespace': 'default', 'labels': {'i': str(i)}},
                'spec': {'containers': []}})
        sim.ctl('DELETE', 'objects/pods/default/churn')
        c, r = sim.watch('/api/v1/pods?watch=1&resourceVersion=' + rv)
        evs = read_events(r, lambda e: False, 5)
        c.close()
        return (evs[0] and evs[0]['type'] == 'ERROR' and evs[0]['object']['code'] == 410,
                evs[:2])

    @case('a watch from an RV newer than the server gets 504 Too large resource version')
    def _():
        rv = int(sim.get('/api/v1/nodes')['metadata']['resourceVersion'])
        st, _, body = sim.req('GET', '/api/v1/nodes?watch=1&resourceVersion=%d' % (rv + 1000))
        return (st == 504 and status_ok(body, 504, 'Timeout', 'Too large resource version'),
                body)

    @case('Table watch for kubectl get -w: one row per event')
    def _():
        rv = sim.get('/api/v1/nodes')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/nodes?watch=1&timeoutSeconds=2&resourceVersion=' + rv,
                         headers={'Accept': TABLE})
        sim.ctl('POST', 'scenario/cordon?node=build-1')
        sim.ctl('POST', 'scenario/uncordon?node=build-1')
        evs = read_events(r, lambda e: len(e) >= 2, 5)
        c.close()
        o = evs[0]['object']
        return (o['kind'] == 'Table' and o['rows'][0]['cells'][:2] ==
                ['build-1', 'Ready,SchedulingDisabled'] and o['columnDefinitions'] and
                evs[1]['object']['columnDefinitions'] is None, evs[:2])

    # --- scenarios ----------------------------------------------------------------------------
    @case('node-notready: Ready Unknown/NodeStatusUnknown, unreachable taints, pods not Ready')
    def _():
        sim.ctl('POST', 'scenario/node-notready?node=run-2')
        n = sim.get('/api/v1/nodes/run-2')
        ready = [c for c in n['status']['conditions'] if c['type'] == 'Ready'][0]
        taints = {(t['key'], t['effect']) for t in n['spec']['taints']}
        pods = items(sim, '/api/v1/pods?fieldSelector=spec.nodeName%3Drun-2')
        notready = all(any(c['type'] == 'Ready' and c['status'] == 'False'
                           for c in p['status']['conditions'])
                       for p in pods if p['status']['phase'] == 'Running')
        return (ready['status'] == 'Unknown' and ready['reason'] == 'NodeStatusUnknown' and
                ready['message'] == 'Kubelet stopped posting node status.' and
                taints == {('node.kubernetes.io/unreachable', 'NoSchedule'),
                           ('node.kubernetes.io/unreachable', 'NoExecute')} and notready,
                (ready, taints))

    @case('node-ready: back to Ready/KubeletReady, taints gone, pods Ready again')
    def _():
        sim.ctl('POST', 'scenario/node-ready?node=run-2')
        n = sim.get('/api/v1/nodes/run-2')
        ready = [c for c in n['status']['conditions'] if c['type'] == 'Ready'][0]
        web = [p for p in items(sim, '/api/v1/namespaces/dp-max-catapp/pods')
               if p['spec'].get('nodeName') == 'run-2']
        return (ready['status'] == 'True' and 'taints' not in n['spec'] and
                all(pod_phase_reason(p)[1] == 1 for p in web), ready)

    @case('crashloop: restarts go up, CrashLoopBackOff, BackOff Warning event, deployment 0/1')
    def _():
        name = [p for p in by_name if p.startswith('portfolio-')][0]
        r1 = sim.ctl('POST', 'scenario/crashloop?ns=dp-pia-portfolio&pod=' + name)
        r2 = sim.ctl('POST', 'scenario/crashloop', {'ns': 'dp-pia-portfolio', 'pod': name,
                                                   'count': 2})
        evs = items(sim, '/api/v1/namespaces/dp-pia-portfolio/events?fieldSelector='
                    'reason%3DBackOff')
        d = sim.get('/apis/apps/v1/namespaces/dp-pia-portfolio/deployments/portfolio')
        return (r1['status'] == 'CrashLoopBackOff' and r1['restarts'] == 1 and
                r2['restarts'] == 3 and evs and evs[0]['count'] == 3 and
                evs[0]['type'] == 'Warning' and d['status'].get('readyReplicas', 0) == 0,
                (r1, r2, evs))

    # --- faults -------------------------------------------------------------------------------
    @case('fault 429: Retry-After header and details.retryAfterSeconds, then normal again')
    def _():
        sim.ctl('POST', 'faults', {'path': '/api/v1/nodes', 'kind': '429', 'retry_after': 2,
                                   'count': 1})
        st, hd, body = sim.req('GET', '/api/v1/nodes')
        st2, _, _ = sim.req('GET', '/api/v1/nodes')
        b = json.loads(body)
        return (st == 429 and hd.get('retry-after') == '2' and b['reason'] ==
                'TooManyRequests' and b['details'] == {'retryAfterSeconds': 2} and st2 == 200,
                (st, hd, body))

    @case('faults 503, HTML 502, 401, 403, and Status 409/422/500 shapes')
    def _():
        sim.ctl('POST', 'faults', [{'path': '/api/v1/namespaces', 'kind': k, 'code': code}
                                   for k, code in (('503', None), ('html502', None),
                                                   ('401', None), ('403', None),
                                                   ('status', 409), ('status', 422),
                                                   ('status', 500))])
        got = [sim.req('GET', '/api/v1/namespaces') for _ in range(7)]
        codes = [g[0] for g in got]
        html = got[1][1]['content-type'].startswith('text/html') and b'502' in got[1][2]
        forb = json.loads(got[3][2])
        return (codes == [503, 502, 401, 403, 409, 422, 500] and html and
                forb['message'].startswith('namespaces is forbidden: User "') and
                'at the cluster scope' in forb['message'] and
                all(status_ok(g[2], c, r) for g, c, r in (
                    (got[0], 503, 'ServiceUnavailable'), (got[4], 409, 'Conflict'),
                    (got[5], 422, 'Invalid'), (got[6], 500, 'InternalError'))),
                [(g[0], g[2][:120]) for g in got])

    @case('faults: truncated, malformed and wrong-typed JSON bodies, a huge body')
    def _():
        sim.ctl('POST', 'faults', [{'path': '/api/v1/nodes', 'kind': k, 'bytes': 3 << 20}
                                   for k in ('truncated', 'malformed', 'wrongtype', 'huge')])
        bad = []
        for k in ('truncated', 'malformed'):
            st, _, body = sim.req('GET', '/api/v1/nodes')
            try:
                json.loads(body)
                bad.append(k)
            except ValueError:
                pass
        st, _, body = sim.req('GET', '/api/v1/nodes')
        wt = json.loads(body)
        if not isinstance(wt['items'], dict):
            bad.append('wrongtype')
        st, _, body = sim.req('GET', '/api/v1/nodes')
        if len(body) != 3 << 20:
            bad.append('huge %d' % len(body))
        return not bad, bad

    @case('fault hang: the answer comes after the hang; a hang that closes gives no answer')
    def _():
        sim.ctl('POST', 'faults', {'path': '/version', 'kind': 'hang', 'seconds': 0.6})
        t0 = time.monotonic()
        st, _, _ = sim.req('GET', '/version')
        dt = time.monotonic() - t0
        sim.ctl('POST', 'faults', {'path': '/version', 'kind': 'hang', 'seconds': 0.2,
                                   'then': 'close'})
        try:
            sim.req('GET', '/version')
            closed = False
        except (http.client.HTTPException, ConnectionError):
            closed = True
        return st == 200 and 0.6 <= dt < 5 and closed, (st, dt, closed)

    @case('fault disconnect: the connection closes mid-body')
    def _():
        sim.ctl('POST', 'faults', {'path': '/api/v1/nodes', 'kind': 'disconnect'})
        try:
            sim.req('GET', '/api/v1/nodes')
            return False, 'full body received'
        except http.client.IncompleteRead:
            return True

    @case('fault split: a watch stream in 1-byte chunks still carries whole events')
    def _():
        rv = sim.get('/api/v1/nodes')['metadata']['resourceVersion']
        sim.ctl('POST', 'faults', {'path': '/api/v1/nodes', 'kind': 'split', 'bytes': 1,
                                   'watch': True})
        c, r = sim.watch('/api/v1/nodes?watch=1&timeoutSeconds=1&resourceVersion=' + rv)
        sim.ctl('POST', 'scenario/cordon?node=ops-1')
        sim.ctl('POST', 'scenario/uncordon?node=ops-1')
        raw = r.read()
        c.close()
        lines = raw.split(b'\n')
        evs = [json.loads(x) for x in lines if x]
        return ([e['type'] for e in evs] == ['MODIFIED', 'MODIFIED'] and
                r.getheader('Transfer-Encoding') == 'chunked', raw[:200])

    @case('fault stall: a watch that sends nothing, a list that stops half-way')
    def _():
        sim.ctl('POST', 'faults', [{'path': '/api/v1/nodes', 'kind': 'stall', 'seconds': 1.5}
                                   for _ in range(2)])
        c, r = sim.watch('/api/v1/nodes?watch=1&resourceVersion=0', timeout=0.5)
        try:
            r.readline()
            watch_silent = False
        except (TimeoutError, OSError):
            watch_silent = True
        c.close()
        t0 = time.monotonic()
        try:
            sim.req('GET', '/api/v1/nodes')
            list_cut = False
        except http.client.IncompleteRead:
            list_cut = True
        dt = time.monotonic() - t0
        return watch_silent and list_cut and 1.0 <= dt < 10, (watch_silent, list_cut, dt)

    # --- RBAC, tokens -------------------------------------------------------------------------
    @case('RBAC token: cluster-wide list 403, allowed namespace 200, other namespace 403')
    def _():
        r = sim.ctl('POST', 'rbac', {'token': 'jane-token', 'user': 'jane',
                                     'namespaces': ['dp-max-catapp', 'dp-acme-shop'],
                                     'cluster_resources': ['nodes']})
        st1, _, b1 = sim.req('GET', '/api/v1/pods', token='jane-token')
        st2, _, _ = sim.req('GET', '/api/v1/namespaces/dp-max-catapp/pods', token='jane-token')
        st3, _, b3 = sim.req('GET', '/apis/apps/v1/namespaces/dp-kim-ledger/deployments',
                             token='jane-token')
        st4, _, _ = sim.req('GET', '/api/v1/nodes', token='jane-token')
        st5, _, b5 = sim.req('GET', '/api/v1/namespaces/dp-kim-ledger/pods/x?watch=1',
                             token='jane-token')
        m1, m3 = json.loads(b1), json.loads(b3)
        return (r['token'] == 'jane-token' and st1 == 403 and m1['message'] ==
                'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at '
                'the cluster scope' and m1['details'] == {'kind': 'pods'} and st2 == 200 and
                st3 == 403 and m3['message'] == 'deployments.apps is forbidden: User "jane" '
                'cannot list resource "deployments" in API group "apps" in the namespace '
                '"dp-kim-ledger"' and st4 == 200 and st5 == 403, (b1, b3, b5))

    @case('token rotation: the old token gets 401, the new one works')
    def _():
        new = sim.ctl('POST', 'token', {'token': 'rotated'})
        st_old, _, _ = sim.req('GET', '/api/v1/nodes')
        old = sim.token
        sim.token = 'rotated'
        st_new, _, _ = sim.req('GET', '/api/v1/nodes')
        sim.ctl('POST', 'token', {'token': old})
        sim.token = old
        return new['token'] == 'rotated' and st_old == 401 and st_new == 200, (st_old, st_new)

    @case('token expiry: after --token-ttl on the sim clock, 401; expire through the API')
    def _():
        st1, _, _ = sim.req('GET', '/api/v1/nodes')
        sim.ctl('POST', 'clock?advance=86401')
        st2, _, b2 = sim.req('GET', '/api/v1/nodes')
        sim.ctl('POST', 'clock?advance=-86401')
        st3, _, _ = sim.req('GET', '/api/v1/nodes')
        info = sim.ctl('POST', 'token', {'expire': True})
        st4, _, _ = sim.req('GET', '/api/v1/nodes')
        sim.ctl('POST', 'token', {'token': sim.token, 'ttl': 86400})
        st5, _, _ = sim.req('GET', '/api/v1/nodes')
        return ((st1, st2, st3, st4, st5) == (200, 401, 200, 401, 200) and info['expired'] and
                status_ok(b2, 401, 'Unauthorized'), (st1, st2, st3, st4, st5))

    # --- clock, request log, stats ------------------------------------------------------------
    @case('clock: advancing moves the Date header and the ages')
    def _():
        def age_of(name):
            st, _, body = sim.req('GET', '/api/v1/namespaces/%s' % name,
                                  headers={'Accept': TABLE})
            return json.loads(body)['rows'][0]['cells'][2]
        a1 = age_of('dp-omar-bot')
        sim.ctl('POST', 'clock?advance=86400')
        _, hd, _ = sim.req('GET', '/version')
        a2 = age_of('dp-omar-bot')
        now = sim.ctl('GET', 'clock')
        sim.ctl('POST', 'clock?advance=-86400')
        date = email.utils.parsedate_to_datetime(hd['date']).timestamp()
        return (a1 == '10d' and a2 == '11d' and date == CLOCK_T + 86400 and
                now['now'] == '2026-11-25T03:12:00Z', (a1, a2, hd['date'], now))

    @case('request log: counts by verb and path pattern, request lines with headers')
    def _():
        sim.ctl('DELETE', 'requests')
        sim.req('GET', '/api/v1/namespaces/dp-max-catapp/pods?limit=2',
                headers={'Accept': TABLE})
        sim.req('GET', '/api/v1/namespaces/dp-max-catapp/pods/api-7d9c8-x2bq')
        c, r = sim.watch('/api/v1/pods?watch=1&timeoutSeconds=0.1&resourceVersion=0')
        r.read()
        c.close()
        sim.req('GET', '/api/v1/nodes', token=False)
        log = sim.ctl('GET', 'requests')
        counts = log['counts']
        want = {'list /api/v1/namespaces/{namespace}/pods': 1,
                'get /api/v1/namespaces/{namespace}/pods/{name}': 1,
                'watch /api/v1/pods': 1, 'list /api/v1/nodes': 1}
        first = log['log'][0]
        return (counts == want and first['query'] == 'limit=2' and
                first['accept'].startswith('application/json;as=Table') and
                first['authorization'] is True and log['log'][-1]['authorization'] is False and
                log['log'][-1]['status'] == 401 and first['status'] == 200, log)

    # --- control API objects ------------------------------------------------------------------
    @case('control API objects: upsert gives ADDED then MODIFIED, DELETE gives DELETED')
    def _():
        rv = sim.get('/api/v1/namespaces/dp-ravi-wiki/pods')['metadata']['resourceVersion']
        c, r = sim.watch('/api/v1/namespaces/dp-ravi-wiki/pods?watch=1&timeoutSeconds=3'
                         '&resourceVersion=' + rv)
        obj = {'kind': 'Pod', 'apiVersion': 'v1', 'metadata': {'name': 'extra', 'namespace':
               'dp-ravi-wiki'}, 'spec': {'containers': [{'name': 'a', 'image': 'b'}]},
               'status': {'phase': 'Pending'}}
        a = sim.ctl('POST', 'objects', obj)
        obj['status'] = {'phase': 'Running'}
        m = sim.ctl('POST', 'objects', obj)
        d = sim.ctl('DELETE', 'objects/pods/dp-ravi-wiki/extra')
        evs = read_events(r, lambda e: len(e) >= 3, 5)
        c.close()
        st, _, _ = sim.req('GET', '/api/v1/namespaces/dp-ravi-wiki/pods/extra')
        types = [e and e['type'] for e in evs]
        return (types == ['ADDED', 'MODIFIED', 'DELETED'] and a['metadata']['uid'] ==
                m['metadata']['uid'] and int(d['metadata']['resourceVersion']) >
                int(m['metadata']['resourceVersion']) and st == 404 and
                evs[2]['object']['status']['phase'] == 'Running', types)

    # --- state-dir restart --------------------------------------------------------------------
    @case('--state-dir restart: same objects, the RV sequence continues, watches resume')
    def _():
        before = sim.get('/api/v1/pods')
        rv = before['metadata']['resourceVersion']
        crash = sim.get('/api/v1/namespaces/dp-pia-portfolio/pods?limit=1')['items'][0]
        sim.stop()
        sim.start()
        after = sim.get('/api/v1/pods')
        crash2 = sim.get('/api/v1/namespaces/dp-pia-portfolio/pods?limit=1')['items'][0]
        c, r = sim.watch('/api/v1/pods?watch=1&timeoutSeconds=2&resourceVersion=' + rv)
        sim.ctl('POST', 'scenario/crashloop?ns=dp-max-catapp&pod=api-7d9c8-x2bq')
        evs = read_events(r, lambda e: len(e) >= 1, 5)
        c.close()
        return (after['metadata']['resourceVersion'] == rv and after['items'] ==
                before['items'] and crash2 == crash and evs[0] and
                evs[0]['type'] == 'MODIFIED' and
                int(evs[0]['object']['metadata']['resourceVersion']) > int(rv),
                (rv, after['metadata']['resourceVersion'], evs[:1]))

    # --- plain HTTP, the large platform -------------------------------------------------------
    big_dir = os.path.join(work, 'big')
    os.makedirs(big_dir)
    big = Sim(big_dir, tls=False, token=None,
              args=['--nodes', '20', '--tenant-namespaces', '30', '--pods', '400'])
    sims.append(big)
    big.start()

    @case('plain HTTP without a token; --nodes/--tenant-namespaces/--pods give those totals')
    def _():
        st = big.ctl('GET', 'stats')
        nss = items(big, '/api/v1/namespaces?labelSelector=dp.ml.ink%2Ftenant')
        o = st['objects']
        return (o['nodes'] == 20 and o['pods'] == 400 and len(nss) == 30 and
                st['median_pod_bytes'] > 3000, o)

    @case('large platform: every pod has a node that exists and a tenant namespace quota')
    def _():
        pods = items(big, '/api/v1/pods')
        nodes = {n['metadata']['name'] for n in items(big, '/api/v1/nodes')}
        quotas = {q['metadata']['namespace'] for q in items(big, '/api/v1/resourcequotas')}
        tns = {p['metadata']['namespace'] for p in pods
               if p['metadata']['namespace'].startswith('dp-t')}
        return (all(p['spec'].get('nodeName') in nodes for p in pods if
                    p['spec'].get('nodeName')) and tns <= quotas and len(tns) > 10,
                (len(pods), len(tns)))


if __name__ == '__main__':
    sys.exit(main())
