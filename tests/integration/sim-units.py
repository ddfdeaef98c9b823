#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/sim-units.py - the simulated API server's building blocks without a server:
# kubectl's pod STATUS/READY/RESTARTS over the recorded fixtures, node STATUS/ROLES,
# HumanDuration, quantities, label/field selector parsing, the data set's determinism. TAP.

import json
import os
import sys
import traceback

sys.dont_write_bytecode = True

TOP = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'sim'))

from simlib import platform, printers, selectors, util  # noqa: E402

FIX = os.path.join(TOP, 'sim', 'fixtures')
n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, name))
    if not cond:
        failed += 1
        if diag is not None:
            for line in str(diag).splitlines()[:20]:
                print('# ' + line)


def check(name, fn):
    try:
        r = fn()
        if isinstance(r, tuple):
            ok(r[0], name, r[1])
        else:
            ok(bool(r), name)
    except Exception:
        ok(False, name, traceback.format_exc())


def fixture(rel):
    with open(os.path.join(FIX, rel), encoding='utf-8') as f:
        return json.load(f)


# --- pod status over the recorded objects (kubectl's printPod) ------------------------------------
cases = [
    ('kubectl-status/pod-liveness-kill-137.json', 'CrashLoopBackOff', 0, 1, 3),
    ('kubectl-status/pod-non-existing-image.json', 'ImagePullBackOff', 0, 1, 0),
    ('kubectl-status/pod-job-completed.json', 'Completed', 0, 1, 0),
    ('kubectl-status/pod-marked-for-deletion.json', 'Terminating', 1, 1, 2),
    ('kubectl-status/pod-pending.json', 'Pending', 0, 1, 0),
    ('k9s/po_init.json', 'Init:0/1', 1, 1, 0),
]
for rel, reason, ready, total, restarts in cases:
    def fn(rel=rel, reason=reason, ready=ready, total=total, restarts=restarts):
        got = printers.pod_status(fixture(rel))[:4]
        return got == (reason, ready, total, restarts), got
    check('pod status of %s is %s %d/%d %d' % (rel, reason, ready, total, restarts), fn)


def init_waiting():
    p = fixture('k9s/po_init.json')
    p['status']['conditions'][0]['status'] = 'False'
    p['status']['initContainerStatuses'][0]['state'] = {'waiting': {'reason': 'CrashLoopBackOff'}}
    p['spec']['initContainers'] = [{'name': 'ic1'}]
    a = printers.pod_status(p)[0]
    p['status']['initContainerStatuses'][0]['state'] = {'terminated': {'exitCode': 2}}
    b = printers.pod_status(p)[0]
    p['status']['initContainerStatuses'][0]['state'] = {'running': {}}
    c = printers.pod_status(p)[0]
    return (a, b, c) == ('Init:CrashLoopBackOff', 'Init:ExitCode:2', 'Init:0/1'), (a, b, c)


check('init containers: Init:<reason>, Init:ExitCode:N, Init:i/n', init_waiting)


def evicted_nodelost():
    p = fixture('kubectl-status/pod-pending.json')
    p['status'] = {'phase': 'Failed', 'reason': 'Evicted'}
    a = printers.pod_status(p)[0]
    p['status'] = {'phase': 'Running', 'reason': 'NodeLost'}
    p['metadata']['deletionTimestamp'] = '2026-01-01T00:00:00Z'
    b = printers.pod_status(p)[0]
    p['status']['conditions'] = [{'type': 'PodScheduled', 'reason': 'SchedulingGated'}]
    p['status'].pop('reason')
    p['metadata'].pop('deletionTimestamp')
    c = printers.pod_status(p)[0]
    return (a, b, c) == ('Evicted', 'Unknown', 'SchedulingGated'), (a, b, c)


check('Evicted, NodeLost with deletion -> Unknown, SchedulingGated', evicted_nodelost)


def restarts_cell():
    p = fixture('kubectl-status/pod-liveness-kill-137.json')
    pi = printers.PodPrinter.prepare(p)
    now = util.parse_time('2026-06-30T18:59:47Z')
    return printers.PodPrinter.cells(pi, now)[3] == '3 (5m ago)', printers.PodPrinter.cells(
        pi, now)


check('RESTARTS cell is "N (AGO ago)" from the last termination', restarts_cell)

# --- nodes --------------------------------------------------------------------------------------


def node_status():
    n_ = json.loads(json.dumps(fixture('honeycomb/nodes.json')['items'][0]))
    a = printers.node_status_roles(n_)
    n_['spec']['unschedulable'] = True
    n_['metadata']['labels']['node-role.kubernetes.io/control-plane'] = ''
    n_['metadata']['labels']['kubernetes.io/role'] = 'edge'
    b = printers.node_status_roles(n_)
    for c in n_['status']['conditions']:
        if c['type'] == 'Ready':
            c['status'] = 'Unknown'
    c_ = printers.node_status_roles(n_)
    n_['status']['conditions'] = []
    d = printers.node_status_roles(n_)
    roles = 'control-plane,edge'
    return ((a, b, c_, d) == (('Ready', '<none>'), ('Ready,SchedulingDisabled', roles),
                              ('NotReady,SchedulingDisabled', roles),
                              ('Unknown,SchedulingDisabled', roles)), (a, b, c_, d))


check('node STATUS (Ready/NotReady/Unknown, SchedulingDisabled) and ROLES', node_status)

# --- HumanDuration ------------------------------------------------------------------------------
durations = [(-2, '<invalid>'), (-1, '0s'), (0, '0s'), (119, '119s'), (120, '2m'),
             (125, '2m5s'), (599, '9m59s'), (600, '10m'), (10799, '179m'), (10800, '3h'),
             (3 * 3600 + 1800, '3h30m'), (8 * 3600, '8h'), (47 * 3600, '47h'),
             (48 * 3600, '2d'), (50 * 3600, '2d2h'), (8 * 86400, '8d'), (729 * 86400, '729d'),
             (730 * 86400, '2y'), (731 * 86400, '2y1d'), (8 * 365 * 86400, '8y')]
bad = [(s, want, util.human_duration(s)) for s, want in durations
       if util.human_duration(s) != want]
ok(not bad, 'HumanDuration at every boundary', bad)

# --- quantities ---------------------------------------------------------------------------------
qs = [('500m', 0.5), ('1', 1), ('1.5', 1.5), ('128Mi', 128 * 2 ** 20), ('1Gi', 2 ** 30),
      ('8163684Ki', 8163684 * 1024), ('1e3', 1000), ('2k', 2000), ('15625027559', 15625027559)]
bad = [(s, v) for s, v in qs if float(util.parse_quantity(s)) != v]
ok(not bad, 'quantities with m, Ki/Mi/Gi, k, exponents, plain bytes', bad)
ok(util.format_cpu(util.parse_quantity('3750m')) == '3750m' and
   util.format_cpu(util.parse_quantity('2')) == '2' and
   util.format_bytes(util.parse_quantity('4096Mi')) == '4Gi' and
   util.format_bytes(util.parse_quantity('3840Mi')) == '3840Mi',
   'quota sums formatted as the apiserver does (3750m, 2, 4Gi, 3840Mi)')

# --- selectors ----------------------------------------------------------------------------------
parsed = selectors.parse_label_selector('a=b, c!=d,e in (f, g),h notin (i),j,!k,l==m')
ok(parsed == [('a', '=', ('b',)), ('c', '!=', ('d',)), ('e', 'in', ('f', 'g')),
              ('h', 'notin', ('i',)), ('j', 'exists', ()), ('k', '!', ()), ('l', '=', ('m',))],
   'label selector grammar', parsed)
lab = {'app': 'web', 'tier': 'fe'}
ok(selectors.label_match(selectors.parse_label_selector('app in (web),tier,!x,tier!=be'), lab)
   and not selectors.label_match(selectors.parse_label_selector('app notin (web)'), lab)
   and selectors.label_match(selectors.parse_label_selector('x!=y'), lab),
   'label selector matching (a missing key satisfies != and notin)')
errs = []
for s in ('a in (b', 'a=b,', '=b', 'a b', 'a in ()', 'a=b c', 'x/y/z=1', 'a=' + 'v' * 64):
    try:
        selectors.parse_label_selector(s)
        errs.append(s)
    except selectors.SelectorError:
        pass
ok(not errs, 'malformed label selectors are rejected', errs)
try:
    selectors.parse_field_selector('spec.nodeName=a,status.bogus=1',
                                   selectors.supported_fields('pods', True))
    ok(False, 'unsupported field label rejected')
except selectors.SelectorError as e:
    ok(str(e) == 'field label not supported: status.bogus', 'unsupported field label rejected '
       'with the apiserver message', e)
fs = selectors.parse_field_selector(r'metadata.name=a\,b,spec.nodeName!=x',
                                    selectors.supported_fields('pods', True))
ok(fs == [('metadata.name', '=', 'a,b'), ('spec.nodeName', '!=', 'x')],
   'field selector with an escaped comma and !=', fs)

# --- the data set -------------------------------------------------------------------------------
now = util.parse_time('2026-11-24T03:12:00Z')
a = [(r, util.dumpb(o)) for r, o in platform.build({'size': 'seed'}, now)]
b = [(r, util.dumpb(o)) for r, o in platform.build({'size': 'seed'}, now)]
ok(a == b, 'the seed platform is byte-identical across builds (deterministic)')
names = [(r, json.loads(o)['metadata'].get('namespace'), json.loads(o)['metadata']['name'])
         for r, o in a]
ok(len(names) == len(set(names)), 'no two objects share resource/namespace/name')
keys_ok = all(list(json.loads(o))[0] == 'metadata' for r, o in a)
ok(keys_ok, 'objects start with metadata (kind/apiVersion are added by the server)')
pods = [json.loads(o) for r, o in a if r == 'pods']
ok(all(list(p) == ['metadata', 'spec', 'status'] and
       list(p['metadata'])[:3] == ['name', 'generateName', 'namespace'] or
       list(p['metadata'])[:2] == ['name', 'namespace'] for p in pods),
   'pods keep the apiserver key order (metadata, spec, status; name first)')
later = [(r, util.dumpb(o)) for r, o in platform.build({'size': 'seed'}, now + 3600)]
ok(a != later and len(later) == len(a), 'timestamps follow the clock ("now" moves them)')

print('1..%d' % n)
sys.exit(1 if failed else 0)
