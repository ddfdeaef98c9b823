# SPDX-License-Identifier: MIT
# simlib/store.py - the object store of the simulated API server: one global resourceVersion
# counter, objects kept as pre-serialised list items, a bounded per-resource watch history (the
# "watch cache" window), consistent list snapshots, and an optional journal in --state-dir.

import bisect
import collections
import json
import os
import threading
import time

from . import printers
from .selectors import fields_of
from .util import dumpb, rfc3339, uid_for


class Kind:
    __slots__ = ('res', 'group', 'version', 'kind', 'namespaced', 'short', 'singular',
                 'api_version', 'prefix', 'head', 'list_kind', 'categories', 'hash')

    def __init__(self, res, group, version, kind, namespaced, short=(), categories=(),
                 hash_=''):
        self.res = res
        self.group = group
        self.version = version
        self.kind = kind
        self.namespaced = namespaced
        self.short = list(short)
        self.singular = kind.lower()
        self.categories = list(categories)
        self.hash = hash_
        self.api_version = '%s/%s' % (group, version) if group else version
        self.prefix = '/apis/%s/%s' % (group, version) if group else '/api/%s' % version
        # Watch events and single-object GETs carry kind and apiVersion first.
        self.head = ('{"kind":"%s","apiVersion":"%s",' % (kind, self.api_version)).encode()
        self.list_kind = kind + 'List'


KINDS = [
    Kind('namespaces', '', 'v1', 'Namespace', False, ['ns'], hash_='Q3oi5N2YM8M='),
    Kind('nodes', '', 'v1', 'Node', False, ['no'], hash_='XwShjMxG9Fs='),
    Kind('pods', '', 'v1', 'Pod', True, ['po'], ['all'], 'xPOwRZ+Yhw8='),
    Kind('services', '', 'v1', 'Service', True, ['svc'], ['all'], '0/CO1lhkEBI='),
    Kind('events', '', 'v1', 'Event', True, ['ev'], hash_='r2yiGXH7wu8='),
    Kind('resourcequotas', '', 'v1', 'ResourceQuota', True, ['quota'], hash_='8uhSgffRX6w='),
    Kind('secrets', '', 'v1', 'Secret', True, hash_='S6u1pOWzb84='),
    Kind('deployments', 'apps', 'v1', 'Deployment', True, ['deploy'], ['all'], '8aSe+NMegvE='),
    Kind('replicasets', 'apps', 'v1', 'ReplicaSet', True, ['rs'], ['all'], 'P1RzHs8/mWQ='),
    Kind('ingresses', 'networking.k8s.io', 'v1', 'Ingress', True, ['ing'], hash_='39NQlfNR+bo='),
    Kind('networkpolicies', 'networking.k8s.io', 'v1', 'NetworkPolicy', True, ['netpol'],
         hash_='YpfwF18m1G8='),
]
BY_RES = {k.res: k for k in KINDS}
BY_KIND = {k.kind: k for k in KINDS}
# (group, version, resource) -> Kind, for URL routing.
BY_GVR = {(k.group, k.version, k.res): k for k in KINDS}

_META_ORDER = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion',
               'generation', 'creationTimestamp', 'deletionTimestamp',
               'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences',
               'finalizers', 'managedFields']
_META_RANK = {k: i for i, k in enumerate(_META_ORDER)}


def order_metadata(md):
    return dict(sorted(md.items(), key=lambda kv: _META_RANK.get(kv[0], 99)))


class Rec:
    """One stored object. Immutable once built: changes make a new Rec, so list snapshots
    taken earlier stay consistent."""
    __slots__ = ('kind', 'ns', 'name', 'rv', 'uid', 'labels', 'fields', 'item', 'pinfo', '_obj')

    def __init__(self, kind, obj, keep_obj):
        md = obj['metadata']
        self.kind = kind
        self.ns = md.get('namespace') if kind.namespaced else None
        self.name = md['name']
        self.rv = int(md['resourceVersion'])
        self.uid = md.get('uid', '')
        self.labels = md.get('labels') or {}
        self.fields = fields_of(kind.res, obj, kind.namespaced)
        self.item = dumpb(obj)
        pr = printers.PRINTERS.get(kind.res)
        self.pinfo = pr.prepare(obj) if pr else None
        self._obj = obj if keep_obj else None

    def obj(self):
        """A fresh copy of the object (callers may modify it)."""
        return json.loads(self.item)

    def view(self):
        """The object for reading only (cached when the store keeps objects)."""
        return self._obj if self._obj is not None else json.loads(self.item)

    def with_kind(self):
        return self.kind.head + self.item[1:]

    def key(self):
        return (self.ns or '', self.name)


Event = collections.namedtuple('Event', 'rv type rec prev')


class Clock:
    """The server's notion of now: frozen at --clock/$OPSDECK_CLOCK (then it moves only when
    advanced through the control API) or the real time plus any advance."""

    def __init__(self, fixed=None):
        self.fixed = fixed
        self.offset = 0.0

    def now(self):
        base = self.fixed if self.fixed is not None else time.time()
        return base + self.offset


class Store:
    def __init__(self, clock, watch_cache=1000, keep_objs=True, start_rv=18000):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.clock = clock
        self.rv = start_rv
        self.watch_cache = watch_cache
        self.keep_objs = keep_objs
        self.objs = {k.res: {} for k in KINDS}
        self.sorted_keys = {}
        self.hist = {k.res: collections.deque() for k in KINDS}
        self.complete_after = {k.res: start_rv for k in KINDS}
        self.content_rv = {k.res: start_rv for k in KINDS}
        # Bumped to end every open watch (control API); watch loops compare it.
        self.watch_gen = 0
        self.journal = None
        self.recording = False

    # --- mutations --------------------------------------------------------------------------
    def _record(self, kind, ev):
        if not self.recording:
            return
        h = self.hist[kind.res]
        h.append(ev)
        while len(h) > self.watch_cache:
            old = h.popleft()
            self.complete_after[kind.res] = old.rv

    def put(self, kind, obj, rv=None, journal=True):
        """Creates or replaces an object (obj without kind/apiVersion; it is consumed).
        Returns the new Rec. ADDED or MODIFIED goes to the watch history."""
        obj.pop('kind', None)
        obj.pop('apiVersion', None)
        with self.lock:
            md = obj.setdefault('metadata', {})
            ns = md.get('namespace') if kind.namespaced else None
            if not kind.namespaced:
                md.pop('namespace', None)
            name = md['name']
            old = self.objs[kind.res].get((ns or '', name))
            self.rv = rv if rv is not None else self.rv + 1
            if old is not None:
                if not md.get('uid'):
                    md['uid'] = old.uid
                if not md.get('creationTimestamp'):
                    md['creationTimestamp'] = old.view()['metadata'].get('creationTimestamp')
            if not md.get('uid'):
                md['uid'] = uid_for(kind.res, ns or '', name)
            if not md.get('creationTimestamp'):
                md['creationTimestamp'] = rfc3339(self.clock.now())
            md['resourceVersion'] = str(self.rv)
            obj['metadata'] = order_metadata(md)
            rec = Rec(kind, obj, self.keep_objs)
            self.objs[kind.res][rec.key()] = rec
            if old is None:
                self.sorted_keys.pop(kind.res, None)
            self.content_rv[kind.res] = self.rv
            self._record(kind, Event(self.rv, 'MODIFIED' if old else 'ADDED', rec, old))
            if journal and self.journal:
                self.journal.write({'op': 'put', 'rv': self.rv, 'res': kind.res, 'obj': obj})
            self.cond.notify_all()
            return rec

    def delete(self, kind, ns, name, rv=None, journal=True):
        """Removes an object; the DELETED event carries its last state at the deletion RV.
        Returns the removed Rec or None."""
        with self.lock:
            old = self.objs[kind.res].pop((ns or '', name), None)
            if old is None:
                return None
            self.rv = rv if rv is not None else self.rv + 1
            obj = old.obj()
            obj['metadata']['resourceVersion'] = str(self.rv)
            rec = Rec(kind, obj, self.keep_objs)
            self.sorted_keys.pop(kind.res, None)
            self.content_rv[kind.res] = self.rv
            self._record(kind, Event(self.rv, 'DELETED', rec, old))
            if journal and self.journal:
                self.journal.write({'op': 'delete', 'rv': self.rv, 'res': kind.res,
                                    'ns': ns or '', 'name': name})
            self.cond.notify_all()
            return rec

    def compact(self, rv=None, journal=True):
        """Drops the watch history (as an etcd compaction does): any watch resuming from an RV
        before now gets 410 Expired. Bumps the RV so a fresh list gives a usable one."""
        with self.lock:
            self.rv = rv if rv is not None else self.rv + 1
            for k in KINDS:
                self.hist[k.res].clear()
                self.complete_after[k.res] = self.rv
            if journal and self.journal:
                self.journal.write({'op': 'compact', 'rv': self.rv})
            self.cond.notify_all()

    def end_watches(self):
        with self.lock:
            self.watch_gen += 1
            self.cond.notify_all()

    # --- reads ------------------------------------------------------------------------------
    def get(self, kind, ns, name):
        with self.lock:
            return self.objs[kind.res].get((ns or '', name))

    def _sorted(self, res):
        keys = self.sorted_keys.get(res)
        if keys is None:
            keys = sorted(self.objs[res])
            self.sorted_keys[res] = keys
        return keys

    def select(self, kind, ns, match):
        """Records of kind (in ns, or all when ns is None) for which match(rec) holds, in the
        apiserver's key order (namespace, then name), with the list RV."""
        with self.lock:
            objs = self.objs[kind.res]
            keys = self._sorted(kind.res)
            if ns is not None and kind.namespaced:
                lo = bisect.bisect_left(keys, (ns, ''))
                hi = bisect.bisect_left(keys, (ns + '\x00', ''))
                keys = keys[lo:hi]
            recs = [objs[k] for k in keys]
            if match is not None:
                recs = [r for r in recs if match(r)]
            return self.rv, recs

    def events_after(self, res, rv):
        """History events of res with RV > rv, or None when rv is older than the window."""
        with self.lock:
            if rv < self.complete_after[res]:
                return None
            h = self.hist[res]
            out = []
            for ev in reversed(h):
                if ev.rv <= rv:
                    break
                out.append(ev)
            out.reverse()
            return out

    def counts(self):
        with self.lock:
            return {res: len(objs) for res, objs in self.objs.items()}


class Journal:
    """--state-dir persistence: the parameters the platform was built from plus every change
    since, one JSON line each. Rebuilding from the parameters is deterministic, so a restart
    replays the journal onto a fresh build and keeps the resourceVersion sequence."""

    def __init__(self, state_dir):
        self.dir = state_dir
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        self.params_path = os.path.join(state_dir, 'params.json')
        self.journal_path = os.path.join(state_dir, 'journal.jsonl')
        self.f = None
        self.lock = threading.Lock()

    def load_params(self):
        try:
            with open(self.params_path, encoding='utf-8') as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def save_params(self, params):
        tmp = self.params_path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(params, f)
        os.replace(tmp, self.params_path)

    def entries(self):
        try:
            with open(self.journal_path, encoding='utf-8') as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        yield json.loads(line)
                    except ValueError:
                        return      # a torn last line from a killed server
        except FileNotFoundError:
            return

    def open(self):
        self.f = open(self.journal_path, 'a', encoding='utf-8')

    def write(self, entry):
        with self.lock:
            if self.f:
                self.f.write(json.dumps(entry, separators=(',', ':')) + '\n')
                self.f.flush()

    def close(self):
        with self.lock:
            if self.f:
                self.f.close()
                self.f = None


def replay(store, journal, clock):
    """Applies journal entries to a freshly built store (no watch history for the base build;
    the replayed changes become the history window, as they were before the restart)."""
    for e in journal.entries():
        op = e.get('op')
        if op == 'put':
            store.put(BY_RES[e['res']], e['obj'], rv=e['rv'], journal=False)
        elif op == 'delete':
            store.delete(BY_RES[e['res']], e['ns'] or None, e['name'], rv=e['rv'], journal=False)
        elif op == 'compact':
            store.compact(rv=e['rv'], journal=False)
        elif op == 'clock':
            clock.offset = float(e['offset'])
