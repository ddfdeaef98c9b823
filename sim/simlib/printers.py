# SPDX-License-Identifier: MIT
# simlib/printers.py - server-side Table printing (meta.k8s.io/v1 Table) as kubernetes'
# pkg/printers/internalversion/printers.go does it, for every resource the sim serves.
#
# prepare(obj) runs once per stored object and keeps what the row needs; cells(p, now) runs per
# request because ages move with the (injected) clock.

from .util import age, human_duration, parse_time

_NAME_DOC = ('Name must be unique within a namespace. Is required when creating resources, '
             'although some resources may allow a client to request the generation of an '
             'appropriate name automatically. Name is primarily intended for creation idempotence '
             'and configuration definition. Cannot be updated. More info: '
             'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names')
_AGE_DOC = ('CreationTimestamp is a timestamp representing the server time when this object was '
            'created. It is not guaranteed to be set in happens-before order across separate '
            'operations. Clients may not set this value. It is represented in RFC3339 form and is '
            'in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: '
            'https://git.k8s.io/community/contributors/devel/sig-architecture/'
            'api-conventions.md#metadata')


def _col(name, doc, typ='string', fmt='', prio=0):
    return {'name': name, 'type': typ, 'format': fmt, 'description': doc, 'priority': prio}


NAME_COL = _col('Name', _NAME_DOC, fmt='name')
AGE_COL = _col('Age', _AGE_DOC)


def _none(s):
    return s if s else '<none>'


# --- pods ---------------------------------------------------------------------------------------

def pod_status(pod):
    """(reason, ready, total, restarts, last_restart_ts) as printPod computes them."""
    spec = pod.get('spec') or {}
    status = pod.get('status') or {}
    md = pod.get('metadata') or {}
    restarts = 0
    ready = 0
    last_restart = None
    init_specs = spec.get('initContainers') or []
    sidecars = {c.get('name') for c in init_specs if c.get('restartPolicy') == 'Always'}
    total = len(spec.get('containers') or []) + len(sidecars)
    reason = status.get('phase') or ''
    if status.get('reason'):
        reason = status['reason']
    for c in status.get('conditions') or []:
        if c.get('type') == 'PodScheduled' and c.get('reason') == 'SchedulingGated':
            reason = 'SchedulingGated'

    def note_restart(cs):
        nonlocal last_restart
        t = ((cs.get('lastState') or {}).get('terminated') or {}).get('finishedAt')
        if t:
            try:
                ts = parse_time(t)
            except ValueError:
                return
            if last_restart is None or ts > last_restart:
                last_restart = ts

    initializing = False
    inits = status.get('initContainerStatuses') or []
    for i, cs in enumerate(inits):
        restarts += cs.get('restartCount', 0)
        if cs.get('restartCount'):
            note_restart(cs)
        st = cs.get('state') or {}
        term = st.get('terminated')
        if term and term.get('exitCode', 0) == 0:
            continue
        if cs.get('name') in sidecars and cs.get('started'):
            if cs.get('ready'):
                ready += 1
            continue
        if term:
            if term.get('reason'):
                reason = 'Init:' + term['reason']
            elif term.get('signal'):
                reason = 'Init:Signal:%d' % term['signal']
            else:
                reason = 'Init:ExitCode:%d' % term.get('exitCode', 0)
            initializing = True
        elif (st.get('waiting') or {}).get('reason') and \
                st['waiting']['reason'] != 'PodInitializing':
            reason = 'Init:' + st['waiting']['reason']
            initializing = True
        else:
            reason = 'Init:%d/%d' % (i, len(init_specs))
            initializing = True
        break
    pod_initialized = any(c.get('type') == 'Initialized' and c.get('status') == 'True'
                          for c in status.get('conditions') or [])
    if not initializing or pod_initialized:
        restarts = 0
        last_restart = None
        for cs in inits:
            if cs.get('name') in sidecars:
                restarts += cs.get('restartCount', 0)
                if cs.get('restartCount'):
                    note_restart(cs)
        has_running = False
        for cs in reversed(status.get('containerStatuses') or []):
            restarts += cs.get('restartCount', 0)
            if cs.get('restartCount'):
                note_restart(cs)
            st = cs.get('state') or {}
            if (st.get('waiting') or {}).get('reason'):
                reason = st['waiting']['reason']
            elif st.get('terminated') and st['terminated'].get('reason'):
                reason = st['terminated']['reason']
            elif st.get('terminated'):
                t = st['terminated']
                if t.get('signal'):
                    reason = 'Signal:%d' % t['signal']
                else:
                    reason = 'ExitCode:%d' % t.get('exitCode', 0)
            elif cs.get('ready') and 'running' in st:
                has_running = True
                ready += 1
        if reason == 'Completed' and has_running:
            pod_ready = any(c.get('type') == 'Ready' and c.get('status') == 'True'
                            for c in status.get('conditions') or [])
            reason = 'Running' if pod_ready else 'NotReady'
    if md.get('deletionTimestamp') and status.get('reason') == 'NodeLost':
        reason = 'Unknown'
    elif md.get('deletionTimestamp') and status.get('phase') not in ('Succeeded', 'Failed'):
        reason = 'Terminating'
    return reason, ready, total, restarts, last_restart


class PodPrinter:
    columns = [
        NAME_COL,
        _col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
        _col('Status', 'The aggregate status of the containers in this pod.'),
        _col('Restarts', 'The number of times the containers in this pod have been restarted '
             'and when the last container in this pod has restarted.'),
        AGE_COL,
        _col('IP', 'podIP address allocated to the pod. Routable at least within the cluster. '
             'Empty if not yet allocated.', prio=1),
        _col('Node', 'NodeName indicates in which node this pod is scheduled. If empty, this pod '
             'is a candidate for scheduling by the scheduler defined in schedulerName.', prio=1),
        _col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods '
             'on the node, but it cannot be scheduled right away as preemption victims receive '
             'their graceful termination periods.', prio=1),
        _col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod '
             'readiness.', prio=1),
    ]

    @staticmethod
    def prepare(obj):
        reason, ready, total, restarts, last = pod_status(obj)
        spec = obj.get('spec') or {}
        status = obj.get('status') or {}
        gates = spec.get('readinessGates') or []
        gates_str = '<none>'
        if gates:
            conds = {c.get('type'): c.get('status') for c in status.get('conditions') or []}
            ok = sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')
            gates_str = '%d/%d' % (ok, len(gates))
        phase = status.get('phase')
        return (obj['metadata']['name'], '%d/%d' % (ready, total), reason, restarts, last,
                obj['metadata'].get('creationTimestamp'), _none(status.get('podIP')),
                _none(spec.get('nodeName')), _none(status.get('nominatedNodeName')), gates_str,
                phase)

    @staticmethod
    def cells(p, now):
        name, ready, reason, restarts, last, created, ip, node, nominated, gates, _ = p
        rs = str(restarts)
        if restarts and last is not None:
            rs = '%d (%s ago)' % (restarts, human_duration(now - last))
        return [name, ready, reason, rs, age(created, now), ip, node, nominated, gates]

    @staticmethod
    def conditions(p):
        if p[10] == 'Succeeded':
            return [{'type': 'Completed', 'status': 'True', 'reason': 'Succeeded',
                     'message': 'The pod has completed successfully.'}]
        if p[10] == 'Failed':
            return [{'type': 'Completed', 'status': 'True', 'reason': 'Failed',
                     'message': 'The pod failed.'}]
        return None


# --- nodes --------------------------------------------------------------------------------------

def node_status_roles(node):
    spec = node.get('spec') or {}
    status = node.get('status') or {}
    conds = {c.get('type'): c.get('status') for c in status.get('conditions') or []}
    if 'Ready' not in conds:
        st = 'Unknown'
    elif conds['Ready'] == 'True':
        st = 'Ready'
    else:
        st = 'NotReady'
    if spec.get('unschedulable'):
        st += ',SchedulingDisabled'
    roles = set()
    for k, v in ((node.get('metadata') or {}).get('labels') or {}).items():
        if k.startswith('node-role.kubernetes.io/'):
            r = k[len('node-role.kubernetes.io/'):]
            if r:
                roles.add(r)
        elif k == 'kubernetes.io/role' and v:
            roles.add(v)
    return st, ','.join(sorted(roles)) if roles else '<none>'


class NodePrinter:
    columns = [
        NAME_COL,
        _col('Status', 'The status of the node'),
        _col('Roles', 'The roles of the node'),
        AGE_COL,
        _col('Version', 'Kubelet Version reported by the node.'),
        _col('Internal-IP', 'List of addresses reachable to the node. Queried from cloud '
             'provider, if available.', prio=1),
        _col('External-IP', 'List of addresses reachable to the node. Queried from cloud '
             'provider, if available.', prio=1),
        _col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian '
             'GNU/Linux 7 (wheezy)).', prio=1),
        _col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. "
             '3.16.0-0.bpo.4-amd64).', prio=1),
        _col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime '
             'remote API (e.g. containerd://1.4.2).', prio=1),
    ]

    @staticmethod
    def prepare(obj):
        st, roles = node_status_roles(obj)
        status = obj.get('status') or {}
        info = status.get('nodeInfo') or {}
        addrs = status.get('addresses') or []

        def first(t):
            for a in addrs:
                if a.get('type') == t:
                    return a.get('address')
            return '<none>'
        return (obj['metadata']['name'], st, roles, obj['metadata'].get('creationTimestamp'),
                info.get('kubeletVersion', ''), first('InternalIP'), first('ExternalIP'),
                info.get('osImage') or '<unknown>', info.get('kernelVersion') or '<unknown>',
                info.get('containerRuntimeVersion') or '<unknown>')

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], p[2], age(p[3], now), p[4], p[5], p[6], p[7], p[8], p[9]]


class NamespacePrinter:
    columns = [NAME_COL, _col('Status', 'The status of the namespace'), AGE_COL]

    @staticmethod
    def prepare(obj):
        return (obj['metadata']['name'], (obj.get('status') or {}).get('phase', ''),
                obj['metadata'].get('creationTimestamp'))

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], age(p[2], now)]


def _containers_images(template_spec):
    cs = template_spec.get('containers') or []
    return ','.join(c.get('name', '') for c in cs), ','.join(c.get('image', '') for c in cs)


def selector_string(sel):
    """metav1.LabelSelectorAsSelector(...).String(), '<none>' for an empty selector."""
    if not sel:
        return '<none>'
    parts = []
    for k, v in sorted((sel.get('matchLabels') or {}).items()):
        parts.append('%s=%s' % (k, v))
    for e in sel.get('matchExpressions') or []:
        op = e.get('operator')
        vals = ','.join(sorted(e.get('values') or []))
        if op == 'In':
            parts.append('%s in (%s)' % (e['key'], vals))
        elif op == 'NotIn':
            parts.append('%s notin (%s)' % (e['key'], vals))
        elif op == 'Exists':
            parts.append(e['key'])
        elif op == 'DoesNotExist':
            parts.append('!' + e['key'])
    return ','.join(parts) if parts else '<none>'


class DeploymentPrinter:
    columns = [
        NAME_COL,
        _col('Ready', 'Number of the pod with ready state'),
        _col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that '
             'have the desired template spec.'),
        _col('Available', 'Total number of available pods (ready for at least minReadySeconds) '
             'targeted by this deployment.'),
        AGE_COL,
        _col('Containers', 'Names of each container in the template.', prio=1),
        _col('Images', 'Images referenced by each container in the template.', prio=1),
        _col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected '
             'by this will be the ones affected by this deployment.', prio=1),
    ]

    @staticmethod
    def prepare(obj):
        spec = obj.get('spec') or {}
        st = obj.get('status') or {}
        cn, im = _containers_images(((spec.get('template') or {}).get('spec')) or {})
        return (obj['metadata']['name'],
                '%d/%d' % (st.get('readyReplicas', 0), spec.get('replicas', 0)),
                st.get('updatedReplicas', 0), st.get('availableReplicas', 0),
                obj['metadata'].get('creationTimestamp'), cn, im,
                selector_string(spec.get('selector')))

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], p[2], p[3], age(p[4], now), p[5], p[6], p[7]]


class ReplicaSetPrinter:
    columns = [
        NAME_COL,
        _col('Desired', 'Replicas is the number of desired pods.', typ='integer'),
        _col('Current', 'Replicas is the most recently observed number of replicas.',
             typ='integer'),
        _col('Ready', 'The number of ready replicas for this replica set.', typ='integer'),
        AGE_COL,
        _col('Containers', 'Names of each container in the template.', prio=1),
        _col('Images', 'Images referenced by each container in the template.', prio=1),
        _col('Selector', 'Selector is a label query over pods that should match the replica '
             'count.', prio=1),
    ]

    @staticmethod
    def prepare(obj):
        spec = obj.get('spec') or {}
        st = obj.get('status') or {}
        cn, im = _containers_images(((spec.get('template') or {}).get('spec')) or {})
        return (obj['metadata']['name'], spec.get('replicas', 0), st.get('replicas', 0),
                st.get('readyReplicas', 0), obj['metadata'].get('creationTimestamp'), cn, im,
                selector_string(spec.get('selector')))

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], p[2], p[3], age(p[4], now), p[5], p[6], p[7]]


class ServicePrinter:
    columns = [
        NAME_COL,
        _col('Type', 'type determines how the Service is exposed.'),
        _col('Cluster-IP', 'clusterIP is the IP address of the service.'),
        _col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster '
             'will also accept traffic for this service.'),
        _col('Port(s)', 'The list of ports that are exposed by this service.'),
        AGE_COL,
        _col('Selector', 'Route service traffic to pods with label keys and values matching this '
             'selector.', prio=1),
    ]

    @staticmethod
    def prepare(obj):
        spec = obj.get('spec') or {}
        ports = []
        for p in spec.get('ports') or []:
            s = '%d/%s' % (p.get('port', 0), p.get('protocol', 'TCP'))
            if p.get('nodePort'):
                s = '%d:%d/%s' % (p.get('port', 0), p['nodePort'], p.get('protocol', 'TCP'))
            ports.append(s)
        ext = ','.join(spec.get('externalIPs') or [])
        lb = [i.get('ip') or i.get('hostname') for i in
              ((obj.get('status') or {}).get('loadBalancer') or {}).get('ingress') or []]
        if spec.get('type') == 'LoadBalancer':
            ext = ','.join(lb) if lb else '<pending>'
        sel = spec.get('selector') or {}
        return (obj['metadata']['name'], spec.get('type', 'ClusterIP'),
                spec.get('clusterIP') or '<none>', ext or '<none>',
                ','.join(ports) if ports else '<none>', obj['metadata'].get('creationTimestamp'),
                ','.join('%s=%s' % kv for kv in sorted(sel.items())) or '<none>')

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], p[2], p[3], p[4], age(p[5], now), p[6]]


class IngressPrinter:
    columns = [
        NAME_COL,
        _col('Class', 'ingressClassName is the name of an IngressClass cluster resource.'),
        _col('Hosts', 'Hosts that incoming requests are matched against before the '
             'IngressRule is applied'),
        _col('Address', 'Address is a list containing ingress points for the load-balancer'),
        _col('Ports', 'Ports of TLS configurations that open'),
        AGE_COL,
    ]

    @staticmethod
    def prepare(obj):
        spec = obj.get('spec') or {}
        hosts = [r.get('host') for r in spec.get('rules') or [] if r.get('host')]
        addrs = [i.get('ip') or i.get('hostname') for i in
                 ((obj.get('status') or {}).get('loadBalancer') or {}).get('ingress') or []]
        return (obj['metadata']['name'], spec.get('ingressClassName') or '<none>',
                ','.join(hosts) if hosts else '*', ','.join(addrs),
                '80, 443' if spec.get('tls') else '80', obj['metadata'].get('creationTimestamp'))

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], p[2], p[3], p[4], age(p[5], now)]


class NetworkPolicyPrinter:
    columns = [
        NAME_COL,
        _col('Pod-Selector', 'podSelector selects the pods to which this NetworkPolicy object '
             'applies.'),
        AGE_COL,
    ]

    @staticmethod
    def prepare(obj):
        return (obj['metadata']['name'],
                selector_string((obj.get('spec') or {}).get('podSelector')),
                obj['metadata'].get('creationTimestamp'))

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], age(p[2], now)]


class ResourceQuotaPrinter:
    columns = [
        NAME_COL,
        AGE_COL,
        _col('Request', 'Request represents a minimum amount of cpu/memory that a container may '
             'consume.'),
        _col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use '
             'independent of contention on the node.'),
    ]

    @staticmethod
    def prepare(obj):
        st = obj.get('status') or {}
        hard = st.get('hard') or (obj.get('spec') or {}).get('hard') or {}
        used = st.get('used') or {}
        req, lim = [], []
        for k in sorted(hard):
            s = '%s: %s/%s' % (k, used.get(k, '0'), hard[k])
            (lim if k.startswith('limits.') else req).append(s)
        return (obj['metadata']['name'], obj['metadata'].get('creationTimestamp'),
                ', '.join(req), ', '.join(lim))

    @staticmethod
    def cells(p, now):
        return [p[0], age(p[1], now), p[2], p[3]]


class EventPrinter:
    columns = [
        _col('Last Seen', 'The last time this event occurred.'),
        _col('Type', 'Type of this event (Normal, Warning), new types could be added in the '
             'future.'),
        _col('Reason', 'This should be a short, machine understandable string that gives the '
             "reason for this event being generated. For example, 'ImagePullBackOff'."),
        _col('Object', 'The object that this event is about.'),
        _col('Subobject', 'The subobject that this event is about.', prio=1),
        _col('Source', 'The source of this event.', prio=1),
        _col('Message', 'A human-readable description of the status of this operation.'),
        _col('First Seen', 'The first time this event occurred.', prio=1),
        _col('Count', 'The number of times this event has occurred.', typ='integer', prio=1),
        _col('Name', _NAME_DOC, fmt='name', prio=1),
    ]

    @staticmethod
    def prepare(obj):
        io = obj.get('involvedObject') or {}
        src = obj.get('source') or {}
        series = obj.get('series') or {}
        last = series.get('lastObservedTime') or obj.get('lastTimestamp') or \
            obj.get('firstTimestamp') or obj.get('eventTime')
        first = obj.get('firstTimestamp') or obj.get('eventTime')
        count = series.get('count') or obj.get('count') or 1
        source = src.get('component', '')
        if src.get('host'):
            source += ', ' + src['host']
        return (last, obj.get('type', ''), obj.get('reason', ''),
                '%s/%s' % (io.get('kind', '').lower(), io.get('name', '')),
                io.get('fieldPath', ''), source or obj.get('reportingComponent', ''),
                (obj.get('message') or '').strip(), first, count, obj['metadata']['name'])

    @staticmethod
    def cells(p, now):
        return [age(p[0], now), p[1], p[2], p[3], p[4], p[5], p[6], age(p[7], now), p[8], p[9]]


class SecretPrinter:
    columns = [
        NAME_COL,
        _col('Type', 'The type of the secret'),
        _col('Data', 'The number of entries in the secret', typ='integer'),
        AGE_COL,
    ]

    @staticmethod
    def prepare(obj):
        return (obj['metadata']['name'], obj.get('type', ''), len(obj.get('data') or {}),
                obj['metadata'].get('creationTimestamp'))

    @staticmethod
    def cells(p, now):
        return [p[0], p[1], p[2], age(p[3], now)]


PRINTERS = {
    'pods': PodPrinter,
    'nodes': NodePrinter,
    'namespaces': NamespacePrinter,
    'deployments': DeploymentPrinter,
    'replicasets': ReplicaSetPrinter,
    'services': ServicePrinter,
    'ingresses': IngressPrinter,
    'networkpolicies': NetworkPolicyPrinter,
    'resourcequotas': ResourceQuotaPrinter,
    'events': EventPrinter,
    'secrets': SecretPrinter,
}
