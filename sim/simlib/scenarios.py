# SPDX-License-Identifier: MIT
# simlib/scenarios.py - scripted changes over time, applied through the control API: a node
# stops answering and comes back, a running pod starts crash-looping, a node is cordoned. Each
# change is what the real controllers would write (node lifecycle controller, kubelet,
# ReplicaSet/Deployment controllers), so watchers see the same MODIFIED/ADDED events.

from .printers import pod_status
from .store import BY_RES
from .util import hexhash, rfc3339, uid_for

NODES = BY_RES['nodes']
PODS = BY_RES['pods']
EVENTS = BY_RES['events']
DEPLOYMENTS = BY_RES['deployments']
REPLICASETS = BY_RES['replicasets']

UNKNOWN_MSG = 'Kubelet stopped posting node status.'


class ScenarioError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _now(store):
    return rfc3339(store.clock.now())


def _node(store, name):
    rec = store.get(NODES, None, name)
    if rec is None:
        raise ScenarioError(404, 'node %r not found' % name)
    return rec


def _pods_on(store, node):
    _, recs = store.select(PODS, None, lambda r: r.fields.get('spec.nodeName') == node)
    return recs


def _set_pod_ready(pod, ready, now):
    for c in pod['status'].get('conditions') or []:
        if c.get('type') == 'Ready':
            want = 'True' if ready else 'False'
            if c.get('status') != want:
                c['status'] = want
                c['lastTransitionTime'] = now
            return


def _event(store, ns, kind, name, uid, reason, message, typ, source, host=None, field=None,
           api_version='v1'):
    """Creates the event or bumps its count, as the event recorder does."""
    ev_name = '%s.%s' % (name, hexhash(16, 'ev', ns, name, reason))
    now = _now(store)
    rec = store.get(EVENTS, ns, ev_name)
    if rec is not None:
        e = rec.obj()
        e['count'] = e.get('count', 1) + 1
        e['lastTimestamp'] = now
        e['message'] = message
    else:
        io = {'kind': kind, 'namespace': ns, 'name': name, 'uid': uid,
              'apiVersion': api_version}
        if kind == 'Node':
            io.pop('namespace')
        if field:
            io['fieldPath'] = field
        src = {'component': source}
        if host:
            src['host'] = host
        e = {'metadata': {'name': ev_name, 'namespace': ns,
                          'uid': uid_for('Event', ns, ev_name), 'creationTimestamp': now},
             'involvedObject': io, 'reason': reason, 'message': message, 'source': src,
             'firstTimestamp': now, 'lastTimestamp': now, 'count': 1, 'type': typ,
             'eventTime': None, 'reportingComponent': source, 'reportingInstance': host or ''}
    return store.put(EVENTS, e)


def refresh_workload(store, ns, pod):
    """Recomputes the ReplicaSet and Deployment status that own pod (ready counts,
    Available condition) and writes them when they changed."""
    owners = pod['metadata'].get('ownerReferences') or []
    if not owners or owners[0].get('kind') != 'ReplicaSet':
        return
    rs_name = owners[0]['name']
    rs_rec = store.get(REPLICASETS, ns, rs_name)
    if rs_rec is None:
        return
    _, pods = store.select(PODS, ns, lambda r: any(
        o.get('name') == rs_name for o in r.view()['metadata'].get('ownerReferences') or []))
    active = [p.view() for p in pods if p.fields.get('status.phase') not in ('Succeeded',
                                                                            'Failed')]
    ready = 0
    for p in active:
        conds = {c.get('type'): c.get('status') for c in p['status'].get('conditions') or []}
        if conds.get('Ready') == 'True' and not p['metadata'].get('deletionTimestamp'):
            ready += 1
    rs = rs_rec.obj()
    st = rs.setdefault('status', {})
    changed = st.get('readyReplicas', 0) != ready or st.get('availableReplicas', 0) != ready
    if changed:
        for k, v in (('readyReplicas', ready), ('availableReplicas', ready)):
            if v:
                st[k] = v
            else:
                st.pop(k, None)
        store.put(REPLICASETS, rs)
    rs_owner = (rs['metadata'].get('ownerReferences') or [{}])[0]
    if rs_owner.get('kind') != 'Deployment':
        return
    d_rec = store.get(DEPLOYMENTS, ns, rs_owner['name'])
    if d_rec is None:
        return
    _, sets = store.select(REPLICASETS, ns, lambda r: any(
        o.get('name') == rs_owner['name'] for o in
        r.view()['metadata'].get('ownerReferences') or []))
    total_ready = sum(s.view().get('status', {}).get('readyReplicas', 0) for s in sets)
    d = d_rec.obj()
    want = d['spec'].get('replicas', 0)
    st = d.setdefault('status', {})
    if st.get('readyReplicas', 0) == total_ready and \
            st.get('availableReplicas', 0) == total_ready:
        return
    for k in ('readyReplicas', 'availableReplicas'):
        if total_ready:
            st[k] = total_ready
        else:
            st.pop(k, None)
    unavailable = max(st.get('replicas', want) - total_ready, 0)
    if unavailable:
        st['unavailableReplicas'] = unavailable
    else:
        st.pop('unavailableReplicas', None)
    ok = total_ready >= want - max(1, want // 4) and (total_ready > 0 or want == 0)
    now = _now(store)
    for c in st.get('conditions') or []:
        if c.get('type') == 'Available':
            new = 'True' if ok else 'False'
            if c.get('status') != new:
                c['status'] = new
                c['lastTransitionTime'] = now
                c['lastUpdateTime'] = now
                c['reason'] = 'MinimumReplicasAvailable' if ok else 'MinimumReplicasUnavailable'
                c['message'] = 'Deployment has minimum availability.' if ok else \
                    'Deployment does not have minimum availability.'
    store.put(DEPLOYMENTS, d)


def node_notready(store, name):
    """The node lifecycle controller's view of a node that stopped posting status: every
    condition Unknown/NodeStatusUnknown, the unreachable taints, its pods not Ready."""
    with store.lock:
        rec = _node(store, name)
        node = rec.obj()
        now = _now(store)
        for c in node['status'].get('conditions') or []:
            if c.get('type') == 'EtcdIsVoter':
                continue
            if c.get('status') != 'Unknown':
                c['status'] = 'Unknown'
                c['lastTransitionTime'] = now
            c['reason'] = 'NodeStatusUnknown'
            c['message'] = UNKNOWN_MSG
        taints = [t for t in node['spec'].get('taints') or []
                  if t.get('key') != 'node.kubernetes.io/unreachable']
        taints.append({'key': 'node.kubernetes.io/unreachable', 'effect': 'NoSchedule',
                       'timeAdded': now})
        taints.append({'key': 'node.kubernetes.io/unreachable', 'effect': 'NoExecute',
                       'timeAdded': now})
        node['spec']['taints'] = taints
        out = store.put(NODES, node)
        _event(store, 'default', 'Node', name, node['metadata']['uid'], 'NodeNotReady',
               'Node %s status is now: NodeNotReady' % name, 'Normal', 'node-controller')
        changed = []
        for prec in _pods_on(store, name):
            pod = prec.obj()
            if pod['status'].get('phase') in ('Succeeded', 'Failed'):
                continue
            _set_pod_ready(pod, False, now)
            store.put(PODS, pod)
            changed.append(pod)
            _event(store, pod['metadata']['namespace'], 'Pod', pod['metadata']['name'],
                   pod['metadata']['uid'], 'NodeNotReady', 'Node is not ready', 'Warning',
                   'node-controller')
        for pod in changed:
            refresh_workload(store, pod['metadata']['namespace'], pod)
        return out


def node_ready(store, name):
    with store.lock:
        rec = _node(store, name)
        node = rec.obj()
        now = _now(store)
        good = {'MemoryPressure': ('False', 'KubeletHasSufficientMemory',
                                   'kubelet has sufficient memory available'),
                'DiskPressure': ('False', 'KubeletHasNoDiskPressure',
                                 'kubelet has no disk pressure'),
                'PIDPressure': ('False', 'KubeletHasSufficientPID',
                                'kubelet has sufficient PID available'),
                'Ready': ('True', 'KubeletReady', 'kubelet is posting ready status')}
        for c in node['status'].get('conditions') or []:
            if c.get('type') in good:
                s, reason, msg = good[c['type']]
                if c.get('status') != s:
                    c['lastTransitionTime'] = now
                c['status'] = s
                c['reason'] = reason
                c['message'] = msg
                c['lastHeartbeatTime'] = now
        taints = [t for t in node['spec'].get('taints') or []
                  if t.get('key') not in ('node.kubernetes.io/unreachable',
                                          'node.kubernetes.io/not-ready')]
        if taints:
            node['spec']['taints'] = taints
        else:
            node['spec'].pop('taints', None)
        out = store.put(NODES, node)
        _event(store, 'default', 'Node', name, node['metadata']['uid'], 'NodeReady',
               'Node %s status is now: NodeReady' % name, 'Normal', 'kubelet', host=name)
        changed = []
        for prec in _pods_on(store, name):
            pod = prec.obj()
            if pod['status'].get('phase') in ('Succeeded', 'Failed'):
                continue
            cs = pod['status'].get('containerStatuses') or []
            ok = bool(cs) and all(c.get('ready') for c in cs)
            _set_pod_ready(pod, ok, now)
            store.put(PODS, pod)
            changed.append(pod)
        for pod in changed:
            refresh_workload(store, pod['metadata']['namespace'], pod)
        return out


def cordon(store, name, on=True):
    with store.lock:
        node = _node(store, name).obj()
        if on:
            node['spec']['unschedulable'] = True
            taints = [t for t in node['spec'].get('taints') or []
                      if t.get('key') != 'node.kubernetes.io/unschedulable']
            taints.append({'key': 'node.kubernetes.io/unschedulable', 'effect': 'NoSchedule',
                           'timeAdded': _now(store)})
            node['spec']['taints'] = taints
        else:
            node['spec'].pop('unschedulable', None)
            taints = [t for t in node['spec'].get('taints') or []
                      if t.get('key') != 'node.kubernetes.io/unschedulable']
            if taints:
                node['spec']['taints'] = taints
            else:
                node['spec'].pop('taints', None)
        return store.put(NODES, node)


def crashloop(store, ns, name, count=1, reason='OOMKilled', exit_code=None):
    """One crash cycle per count: the container terminates (OOMKilled/137 or Error/1), the
    kubelet restarts it and backs off: waiting CrashLoopBackOff, restartCount + 1, pod not
    Ready, a BackOff Warning event (count bumped on later crashes)."""
    if exit_code is None:
        exit_code = 137 if reason == 'OOMKilled' else 1
    with store.lock:
        rec = store.get(PODS, ns, name)
        if rec is None:
            raise ScenarioError(404, 'pod %s/%s not found' % (ns, name))
        out = rec
        for _ in range(max(1, count)):
            pod = store.get(PODS, ns, name).obj()
            st = pod['status']
            css = st.get('containerStatuses') or []
            if not css:
                raise ScenarioError(409, 'pod %s/%s has no running container' % (ns, name))
            now = _now(store)
            cs = css[0]
            started = ((cs.get('state') or {}).get('running') or {}).get('startedAt') or \
                ((cs.get('lastState') or {}).get('terminated') or {}).get('startedAt') or now
            n = cs.get('restartCount', 0) + 1
            cid = 'containerd://' + hexhash(64, 'cid', ns, name, cs['name'], n)
            cs['lastState'] = {'terminated': {'exitCode': exit_code, 'reason': reason,
                                              'startedAt': started, 'finishedAt': now,
                                              'containerID': cs.get('containerID', cid)}}
            backoff = min(10 * 2 ** min(n - 1, 5), 300)
            cs['state'] = {'waiting': {
                'reason': 'CrashLoopBackOff',
                'message': 'back-off %s restarting failed container=%s pod=%s_%s(%s)' % (
                    '%dm%ds' % divmod(backoff, 60) if backoff >= 60 else '%ds' % backoff,
                    cs['name'], name, ns, pod['metadata']['uid'])}}
            cs['ready'] = False
            cs['started'] = False
            cs['restartCount'] = n
            cs['containerID'] = cid
            unready = 'containers with unready status: [%s]' % ', '.join(c['name'] for c in css)
            for c in st.get('conditions') or []:
                if c.get('type') in ('Ready', 'ContainersReady'):
                    if c.get('status') != 'False':
                        c['status'] = 'False'
                        c['lastTransitionTime'] = now
                    c['reason'] = 'ContainersNotReady'
                    c['message'] = unready
            out = store.put(PODS, pod)
            host = pod['spec'].get('nodeName')
            if reason == 'OOMKilled':
                _event(store, ns, 'Pod', name, pod['metadata']['uid'], 'OOMKilling',
                       'Memory cgroup out of memory: Killed process %d (%s)' % (
                           40000 + n, cs['name']), 'Warning', 'kernel-monitor', host=host)
            _event(store, ns, 'Pod', name, pod['metadata']['uid'], 'BackOff',
                   'Back-off restarting failed container %s in pod %s_%s(%s)' % (
                       cs['name'], name, ns, pod['metadata']['uid']), 'Warning', 'kubelet',
                   host=host, field='spec.containers{%s}' % cs['name'])
        refresh_workload(store, ns, store.get(PODS, ns, name).view())
        return out


def recover(store, ns, name):
    """The crash-looping pod's container runs and passes its readiness probe again."""
    with store.lock:
        rec = store.get(PODS, ns, name)
        if rec is None:
            raise ScenarioError(404, 'pod %s/%s not found' % (ns, name))
        pod = rec.obj()
        now = _now(store)
        for cs in pod['status'].get('containerStatuses') or []:
            cs['state'] = {'running': {'startedAt': now}}
            cs['ready'] = True
            cs['started'] = True
        for c in pod['status'].get('conditions') or []:
            if c.get('type') in ('Ready', 'ContainersReady'):
                c['status'] = 'True'
                c['lastTransitionTime'] = now
                c.pop('reason', None)
                c.pop('message', None)
        out = store.put(PODS, pod)
        refresh_workload(store, ns, pod)
        return out


def pod_summary(rec):
    reason, ready, total, restarts, _ = pod_status(rec.view())
    return {'namespace': rec.ns, 'name': rec.name, 'status': reason,
            'ready': '%d/%d' % (ready, total), 'restarts': restarts}
