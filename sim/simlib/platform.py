# SPDX-License-Identifier: MIT
# simlib/platform.py - builds the simulated platform (seeds/001 "Deploy MCP") from the recorded
# objects in sim/fixtures: every object starts as a copy of a real one and has its names,
# labels, IPs, timestamps and state rewritten. Deterministic: the same parameters and the same
# "now" give byte-identical objects (uids and hashes are derived from names).
#
# build(params) -> list of (resource, object) in creation order. Names that tests rely on are
# documented in sim/README.md; keep them stable.

import base64
import json
import os

from .util import (format_bytes, format_cpu, hexhash, name_suffix, parse_quantity, rfc3339,
                   template_hash, uid_for)

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures')

K3S_VERSION = 'v1.31.4+k3s1'
CONTAINERD = 'containerd://1.7.23-k3s2'
KERNEL = '6.1.0-28-amd64'
OS_IMAGE = 'Debian GNU/Linux 12 (bookworm)'
APPS_DOMAIN = 'breacher.org'
SECRET_MARKER = 'SIM-SECRET-MARKER:'
ENV_MARKER = 'SIM-ENV-MARKER:'

MIN = 60
HOUR = 3600
DAY = 86400


# --- templates ----------------------------------------------------------------------------------

class Templates:
    """Recorded objects, each returned as a fresh deep copy."""

    def __init__(self, fixtures=FIXTURES):
        def load(rel):
            with open(os.path.join(fixtures, rel), encoding='utf-8') as f:
                return f.read()
        pods = json.loads(load('cloudability/pods.json'))
        self.src = {
            'pod': json.dumps(pods['items'][0]),
            'deployment': load('cloudability/deployments.jsonl').splitlines()[0],
            'node': json.dumps(json.loads(load('honeycomb/nodes.json'))['items'][0]),
            'replicaset': load('k9s/rs.json'),
            'networkpolicy': load('k9s/np.json'),
            'namespace': load('kubectl-status/namespace-default.json'),
            'service': load('kubectl-status/service-nodeport.json'),
            'ingress': load('kubectl-status/ingress-tls-healthy.doc1.json'),
            'secret': load('kubectl-status/ingress-tls-healthy.doc3.json'),
            'resourcequota': load('kubectl-status/resourcequota-compute.json'),
            'event': json.dumps(json.loads(
                load('kubectl-status/pod-with-metrics-and-events.events-list.json'))['items'][0]),
            'crashloop': load('kubectl-status/pod-liveness-kill-137.json'),
            'imagepull': load('kubectl-status/pod-non-existing-image.json'),
            'completed': load('kubectl-status/pod-job-completed.json'),
            'terminating': load('kubectl-status/pod-marked-for-deletion.json'),
            'pending': load('kubectl-status/pod-pending.json'),
            'init': load('k9s/po_init.json'),
            'deploy_unavailable': load('kubectl-status/deployment-unavailable-replicas.json'),
        }

        pod = json.loads(self.src['pod'])
        self.src['container'] = json.dumps(pod['spec']['containers'][0])
        self.pod_spec = pod['spec']      # read-only: defaults for pod templates

    def get(self, name):
        """A fresh copy of the named template (without kind/apiVersion)."""
        obj = json.loads(self.src[name])
        if isinstance(obj, dict) and 'metadata' in obj:
            obj.pop('kind', None)
            obj.pop('apiVersion', None)
        return obj


# --- key order (the apiserver writes Go struct order) --------------------------------------------

_ORDERS = {
    'top': ['metadata', 'spec', 'status'],
    'podspec': ['volumes', 'initContainers', 'containers', 'ephemeralContainers',
                'restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds',
                'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount',
                'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC',
                'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname',
                'subdomain', 'affinity', 'schedulerName', 'tolerations', 'hostAliases',
                'priorityClassName', 'priority', 'dnsConfig', 'readinessGates',
                'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead'],
    'container': ['name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env',
                  'resources', 'restartPolicy', 'volumeMounts', 'livenessProbe',
                  'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
                  'terminationMessagePolicy', 'imagePullPolicy', 'securityContext'],
    'podstatus': ['phase', 'conditions', 'message', 'reason', 'nominatedNodeName', 'hostIP',
                  'hostIPs', 'podIP', 'podIPs', 'startTime', 'initContainerStatuses',
                  'containerStatuses', 'qosClass'],
    'cstatus': ['name', 'state', 'lastState', 'ready', 'restartCount', 'image', 'imageID',
                'containerID', 'started'],
    'cond': ['type', 'status', 'observedGeneration', 'lastProbeTime', 'lastHeartbeatTime',
             'lastUpdateTime', 'lastTransitionTime', 'reason', 'message'],
    'terminated': ['exitCode', 'signal', 'reason', 'message', 'startedAt', 'finishedAt',
                   'containerID'],
    'owner': ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'],
}
_RANKS = {k: {f: i for i, f in enumerate(v)} for k, v in _ORDERS.items()}


def order(d, which):
    rank = _RANKS[which]
    return dict(sorted(d.items(), key=lambda kv: rank.get(kv[0], 999)))


def order_pod(pod):
    spec = pod.get('spec')
    if spec:
        for key in ('containers', 'initContainers'):
            if key in spec:
                spec[key] = [order(c, 'container') for c in spec[key]]
        pod['spec'] = order(spec, 'podspec')
    st = pod.get('status')
    if st is not None:
        if 'conditions' in st:
            st['conditions'] = [order(c, 'cond') for c in st['conditions']]
        for key in ('containerStatuses', 'initContainerStatuses'):
            if key in st:
                css = []
                for cs in st[key]:
                    for which in ('state', 'lastState'):
                        t = (cs.get(which) or {}).get('terminated')
                        if t:
                            cs[which]['terminated'] = order(t, 'terminated')
                    css.append(order(cs, 'cstatus'))
                st[key] = css
        pod['status'] = order(st, 'podstatus')
    md = pod['metadata']
    if 'ownerReferences' in md:
        md['ownerReferences'] = [order(o, 'owner') for o in md['ownerReferences']]
    return order(pod, 'top')


# --- managedFields ------------------------------------------------------------------------------

_KEYED = {
    'containers': ('name',), 'initContainers': ('name',), 'env': ('name',),
    'volumes': ('name',), 'volumeMounts': ('mountPath',), 'conditions': ('type',),
    'podIPs': ('ip',), 'hostIPs': ('ip',), 'ownerReferences': ('uid',),
    'imagePullSecrets': ('name',), 'addresses': ('type',),
}
_ATOMIC = {'containerStatuses', 'initContainerStatuses', 'tolerations', 'taints', 'args',
           'command', 'finalizers', 'podCIDRs', 'images', 'rules', 'clusterIPs', 'ipFamilies',
           'policyTypes', 'egress', 'ingress', 'envFrom', 'drop'}


def fields_v1(d, top=True):
    """The FieldsV1 set describing the fields present in d (as the apiserver records them)."""
    out = {} if top else {'.': {}}
    for k in sorted(d):
        v = d[k]
        fk = 'f:' + k
        if k in _ATOMIC or not isinstance(v, (dict, list)):
            out[fk] = {}
        elif isinstance(v, dict):
            out[fk] = fields_v1(v, top=False) if v else {}
        elif v and isinstance(v[0], dict):
            keys = _KEYED.get(k)
            if k == 'ports':
                keys = ('containerPort', 'protocol') if 'containerPort' in v[0] else \
                    ('port', 'protocol')
            if not keys:
                out[fk] = {}
                continue
            sub = {'.': {}} if k not in ('containers', 'conditions') else {}
            for item in v:
                kd = {kk: item[kk] for kk in keys if kk in item}
                sub['k:' + json.dumps(kd, separators=(',', ':'), sort_keys=True)] = \
                    fields_v1(item, top=False)
            out[fk] = sub
        else:
            out[fk] = {}
    return out


def managed(manager, when, fields, subresource=None, api_version='v1', op='Update'):
    m = {'manager': manager, 'operation': op, 'apiVersion': api_version, 'time': when,
         'fieldsType': 'FieldsV1', 'fieldsV1': fields}
    if subresource:
        m['subresource'] = subresource
    return m


# --- the platform description -------------------------------------------------------------------

class Node:
    def __init__(self, name, pool, ip, age_days, cpu, mem_ki, idx, taint=None, server=False):
        self.name = name
        self.pool = pool
        self.ip = ip
        self.age_days = age_days
        self.cpu = cpu
        self.mem_ki = mem_ki
        self.idx = idx
        self.taint = taint
        self.server = server
        self.pod_ips = 10
        self.images = {}

    def next_pod_ip(self):
        self.pod_ips += 1
        return '10.42.%d.%d' % (self.idx, self.pod_ips % 250 + 2)


SEED_NODES = [
    ('k3s-1', 'ctrl', '10.0.1.1', 180, 4, 7935188, None, True),
    ('build-1', 'build', '10.0.1.2', 180, 8, 16117852, 'build', False),
    ('ops-1', 'ops', '10.0.1.10', 179, 8, 65699240, 'ops', False),
    ('run-1', 'run', '10.0.1.100', 178, 12, 65699240, None, False),
    ('run-2', 'run', '10.0.1.101', 61, 12, 65699240, None, False),
]


class Svc:
    """A tenant service as seeds/001 §9 deploys it: Secret, Deployment, Service, Ingress."""

    def __init__(self, name, port, replicas, cpu='250m', mem='256Mi', hash_=None, pods=None,
                 env=None, age_days=30, image_tag=None, ingress=True, extra=None):
        self.name = name
        self.port = port
        self.replicas = replicas
        self.cpu = cpu
        self.mem = mem
        self.hash = hash_
        # pods: list of (suffix or None, node, state, extra dict)
        self.pods = pods
        self.env = env or []
        self.age_days = age_days
        self.image_tag = image_tag
        self.ingress = ingress
        self.extra = extra or {}


class Tenant:
    def __init__(self, tenant, project, age_days, services, egress=True, ingress_np=True,
                 extra_pods=None):
        self.tenant = tenant
        self.project = project
        self.ns = 'dp-%s-%s' % (tenant, project)
        self.age_days = age_days
        self.services = services
        self.egress = egress
        self.ingress_np = ingress_np
        self.extra_pods = extra_pods or []


def seed_tenants():
    return [
        Tenant('max', 'catapp', 42, [
            Svc('api', 3000, 1, '250m', '256Mi', hash_='7d9c8', age_days=3,
                pods=[('x2bq', 'run-1', 'crashloop', {'restarts': 14})],
                env=[('NODE_ENV', 'production'),
                     ('SESSION_SECRET', ENV_MARKER + 'c2b7e4a19f06d83e5a71c0b94d2e6f18')]),
            Svc('web', 8080, 3, '100m', '128Mi', age_days=12,
                pods=[(None, 'run-1', 'running', {}), (None, 'run-2', 'running', {}),
                      (None, 'run-1', 'running', {'restarts': 1})]),
        ]),
        Tenant('acme', 'shop', 120, [
            Svc('storefront', 3000, 6, '500m', '512Mi', age_days=9,
                pods=[(None, n, 'running', {}) for n in
                      ('run-1', 'run-2', 'run-1', 'run-2', 'run-1', 'run-2')],
                env=[('STRIPE_KEY', ENV_MARKER + 'sk_live_51Pq3xK2eZvKYlo2C7hM4b9Tq0')]),
            Svc('checkout', 4000, 2, '250m', '256Mi', age_days=20,
                pods=[(None, 'run-1', 'running', {}), (None, 'run-2', 'running', {}),
                      (None, 'run-2', 'imagepull', {'new_rs': True})]),
        ]),
        Tenant('acme', 'blog', 90, [
            Svc('blog', 2368, 1, '250m', '512Mi', age_days=40,
                pods=[(None, 'run-2', 'running', {})]),
        ], egress=False),
        Tenant('acme', 'docs', 30, [
            Svc('docs', 80, 1, '100m', '64Mi', age_days=30,
                pods=[(None, 'run-1', 'running', {})]),
        ]),
        Tenant('jade', 'notes', 15, [
            Svc('notes', 3000, 2, '250m', '512Mi', age_days=1,
                pods=[(None, 'run-2', 'running', {}),
                      (None, None, 'pending', {'nodeSelector': {'pool': 'gpu'}})]),
        ]),
        Tenant('kim', 'ledger', 200, [
            Svc('ledger', 8000, 2, '500m', '1Gi', age_days=25,
                pods=[(None, 'run-1', 'running', {}), (None, 'run-1', 'running', {}),
                      (None, 'run-2', 'evicted', {})],
                env=[('DATABASE_URL', ENV_MARKER + 'postgres://ledger:Zk4q9vT2mW@10.0.1.10:5432/'
                      'ledger?sslmode=disable')]),
        ], extra_pods=[('ledger-migrate', 'run-2', 'completed')]),
        Tenant('lena', 'site', 60, [
            Svc('lena', 80, 2, '100m', '128Mi', age_days=2,
                pods=[(None, 'run-1', 'running', {}), (None, 'run-2', 'running', {}),
                      (None, 'run-2', 'terminating', {'old_rs': True})]),
        ]),
        Tenant('omar', 'bot', 10, [
            Svc('omarbot', 3000, 1, '250m', '256Mi', age_days=0.02,
                pods=[(None, 'run-1', 'init', {})]),
        ]),
        Tenant('pia', 'portfolio', 150, [
            Svc('portfolio', 3000, 1, '100m', '128Mi', age_days=80,
                pods=[(None, 'run-2', 'running', {})]),
        ]),
        Tenant('quinn', 'chat', 75, [
            Svc('chat', 3000, 2, '250m', '256Mi', age_days=6,
                pods=[(None, 'run-1', 'running', {}), (None, 'run-2', 'running', {})]),
            Svc('chat-relay', 7000, 1, '100m', '128Mi', age_days=6,
                pods=[(None, 'run-1', 'running', {})]),
        ]),
        Tenant('ravi', 'wiki', 33, [
            Svc('wiki', 80, 1, '100m', '256Mi', age_days=33,
                pods=[(None, 'run-2', 'running', {})]),
        ]),
    ]


# System workloads: (namespace, name, owner kind, node(s), image, cpu, mem, port, extra)
SYSTEM = [
    ('kube-system', 'coredns', 'Deployment', ['k3s-1'], 'rancher/mirrored-coredns-coredns:1.12.0',
     '100m', '70Mi', 53, {'limits_mem': '170Mi'}),
    ('kube-system', 'local-path-provisioner', 'Deployment', ['k3s-1'],
     'rancher/local-path-provisioner:v0.0.30', None, None, None, {}),
    ('kube-system', 'metrics-server', 'Deployment', ['k3s-1'],
     'rancher/mirrored-metrics-server:v0.7.2', '100m', '70Mi', 10250, {}),
    ('cert-manager', 'cert-manager', 'Deployment', ['k3s-1'],
     'quay.io/jetstack/cert-manager-controller:v1.16.2', None, None, 9402, {}),
    ('cert-manager', 'cert-manager-cainjector', 'Deployment', ['k3s-1'],
     'quay.io/jetstack/cert-manager-cainjector:v1.16.2', None, None, None, {}),
    ('cert-manager', 'cert-manager-webhook', 'Deployment', ['k3s-1'],
     'quay.io/jetstack/cert-manager-webhook:v1.16.2', None, None, 10250, {}),
    ('dp-system', 'temporal-worker', 'Deployment', ['k3s-1'],
     'registry.internal:5000/dp-system/temporal-worker:latest', '200m', '256Mi', None,
     {'limits_cpu': '1', 'limits_mem': '512Mi', 'env': [
         ('TEMPORAL_ADDRESS', 'deploy-mcp.a1b2c.tmprl.cloud:7233'),
         ('TEMPORAL_NAMESPACE', 'deploy-mcp.a1b2c'),
         ('BUILDKIT_HOST', 'tcp://buildkitd.dp-system:1234'),
         ('REGISTRY_HOST', 'http://10.0.1.10:5000'),
         ('LOKI_PUSH_URL', 'http://loki.dp-system:3100/loki/api/v1/push'),
         ('MCP_API_TOKEN', ENV_MARKER + 'mcp_9f2c4e81b7d04a6e93c5f17a2b8d6e40')]}),
    ('dp-system', 'registry', 'Deployment', ['ops-1'], 'registry:2.8.3', '100m', '256Mi', 5000,
     {'tolerate': 'ops', 'hostPort': 5000}),
    ('dp-system', 'buildkitd', 'Deployment', ['build-1'], 'moby/buildkit:v0.18.2', '2', '4Gi',
     1234, {'tolerate': 'build'}),
    ('dp-system', 'grafana', 'Deployment', ['ops-1'], 'docker.io/grafana/grafana:11.4.0', None,
     None, 3000, {'tolerate': 'ops'}),
    ('dp-system', 'prometheus-kube-prometheus-operator', 'Deployment', ['ops-1'],
     'quay.io/prometheus-operator/prometheus-operator:v0.79.2', None, None, 10250,
     {'tolerate': 'ops'}),
    ('dp-system', 'loki', 'StatefulSet', ['ops-1'], 'docker.io/grafana/loki:3.3.2', None, None,
     3100, {'tolerate': 'ops'}),
    ('dp-system', 'prometheus-prometheus-kube-prometheus-prometheus', 'StatefulSet', ['ops-1'],
     'quay.io/prometheus/prometheus:v3.1.0', None, None, 9090, {'tolerate': 'ops'}),
    ('dp-system', 'traefik', 'DaemonSet', ['run-1', 'run-2'], 'docker.io/traefik:v3.2.3', None,
     None, 8000, {'hostNetwork': True}),
    ('dp-system', 'promtail', 'DaemonSet', ['k3s-1', 'build-1', 'ops-1', 'run-1', 'run-2'],
     'docker.io/grafana/promtail:3.3.2', None, None, 3101, {'tolerate': '*'}),
    ('dp-system', 'prometheus-prometheus-node-exporter', 'DaemonSet',
     ['k3s-1', 'build-1', 'ops-1', 'run-1', 'run-2'], 'quay.io/prometheus/node-exporter:v1.8.2',
     None, None, 9100, {'tolerate': '*', 'hostNetwork': True}),
]

SYSTEM_SERVICES = [
    ('kube-system', 'kube-dns', {'k8s-app': 'kube-dns'}, 53, '10.43.0.10'),
    ('kube-system', 'metrics-server', {'k8s-app': 'metrics-server'}, 443, None),
    ('cert-manager', 'cert-manager-webhook', {'app': 'cert-manager-webhook'}, 443, None),
    ('dp-system', 'registry', {'app': 'registry'}, 5000, None),
    ('dp-system', 'buildkitd', {'app': 'buildkitd'}, 1234, None),
    ('dp-system', 'loki', {'app': 'loki'}, 3100, None),
    ('dp-system', 'grafana', {'app': 'grafana'}, 80, None),
    ('dp-system', 'prometheus-operated', {'app': 'prometheus'}, 9090, None),
    ('default', 'kubernetes', None, 443, '10.43.0.1'),
]


class Builder:
    def __init__(self, now, templates=None, sink=None):
        self.now = now
        self.t = templates or Templates()
        self.sink = sink
        self.out = []
        self.full_pods = {}
        self.keep_full = True
        self.nodes = {}
        self.node_list = []
        self.events = []
        self.pods_by_ns = {}
        self.svc_ip = 0

    # --- helpers ------------------------------------------------------------------------------
    def ago(self, seconds):
        return rfc3339(self.now - seconds)

    def emit(self, res, obj):
        """Hands a finished object over (to the sink, else to the output list). Nodes wait for
        finish() because their image lists grow with the pods placed on them."""
        if res == 'nodes':
            return obj
        if self.sink is not None:
            self.sink(res, obj)
        else:
            self.out.append((res, obj))
        return obj

    def next_cluster_ip(self, fixed=None):
        if fixed:
            return fixed
        self.svc_ip += 1
        return '10.43.%d.%d' % (self.svc_ip * 37 % 250 + 1, self.svc_ip * 53 % 250 + 2)

    # --- namespaces and nodes -----------------------------------------------------------------
    def namespace(self, name, age_s, labels=None):
        ns = self.t.get('namespace')
        md = {'name': name, 'uid': uid_for('namespaces', name),
              'creationTimestamp': self.ago(age_s),
              'labels': dict({'kubernetes.io/metadata.name': name}, **(labels or {}))}
        fields = {'f:metadata': {'f:labels': {'.': {}, **{'f:' + k: {} for k in
                                                          sorted(md['labels'])}}}}
        md['managedFields'] = [managed('k3s' if not labels else 'temporal-worker',
                                       md['creationTimestamp'], fields)]
        ns['metadata'] = md
        return self.emit('namespaces', ns)

    def node(self, n):
        obj = self.t.get('node')
        created = self.ago(n.age_days * DAY)
        labels = {
            'beta.kubernetes.io/arch': 'amd64',
            'beta.kubernetes.io/instance-type': 'k3s',
            'beta.kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': n.name,
            'kubernetes.io/os': 'linux',
        }
        if n.server:
            labels.update({'node-role.kubernetes.io/control-plane': 'true',
                           'node-role.kubernetes.io/etcd': 'true',
                           'node-role.kubernetes.io/master': 'true'})
        labels['node.kubernetes.io/instance-type'] = 'k3s'
        labels['pool'] = n.pool
        if n.server:
            args = ['server', '--cluster-init', '--disable', 'traefik', '--disable', 'servicelb',
                    '--tls-san', '10.0.1.1', '--node-label', 'pool=ctrl', '--flannel-iface',
                    'eth1']
            env = {'K3S_DATA_DIR': '/var/lib/rancher/k3s/data/' + hexhash(64, 'data', n.name)}
        else:
            args = ['agent', '--server', 'https://10.0.1.1:6443', '--token', '********',
                    '--node-label', 'pool=%s' % n.pool]
            if n.taint:
                args += ['--node-taint', 'pool=%s:NoSchedule' % n.taint]
            args += ['--flannel-iface', 'enp0s31f6.4001' if n.pool in ('ops', 'run') else 'eth1']
            env = {'K3S_DATA_DIR': '/var/lib/rancher/k3s/data/' + hexhash(64, 'data', n.name),
                   'K3S_TOKEN': '********', 'K3S_URL': 'https://10.0.1.1:6443'}
        mac = ':'.join(hexhash(12, 'mac', n.name)[i:i + 2] for i in range(0, 12, 2))
        annotations = {
            'alpha.kubernetes.io/provided-node-ip': n.ip,
            'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"%s"}' % mac,
            'flannel.alpha.coreos.com/backend-type': 'vxlan',
            'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
            'flannel.alpha.coreos.com/public-ip': n.ip,
            'k3s.io/hostname': n.name,
            'k3s.io/internal-ip': n.ip,
            'k3s.io/node-args': json.dumps(args, separators=(',', ':')),
            'k3s.io/node-config-hash': base64.b32encode(
                bytes.fromhex(hexhash(64, 'cfg', n.name))).decode()[:52] + '====',
            'k3s.io/node-env': json.dumps(env, separators=(',', ':')),
            'node.alpha.kubernetes.io/ttl': '0',
            'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        }
        md = {'name': n.name, 'uid': uid_for('nodes', n.name), 'creationTimestamp': created,
              'labels': labels, 'annotations': annotations}
        spec = {'podCIDR': '10.42.%d.0/24' % n.idx, 'podCIDRs': ['10.42.%d.0/24' % n.idx],
                'providerID': 'k3s://%s' % n.name}
        if n.taint:
            spec['taints'] = [{'key': 'pool', 'value': n.taint, 'effect': 'NoSchedule'}]
        st = obj['status']
        mem = '%dKi' % n.mem_ki
        st['capacity'] = {'cpu': str(n.cpu), 'ephemeral-storage': '157208348Ki',
                          'hugepages-1Gi': '0', 'hugepages-2Mi': '0', 'memory': mem,
                          'pods': '110'}
        st['allocatable'] = {'cpu': str(n.cpu), 'ephemeral-storage': '152931437730',
                             'hugepages-1Gi': '0', 'hugepages-2Mi': '0', 'memory': mem,
                             'pods': '110'}
        hb = self.ago(23)
        boot = self.ago(min(n.age_days, 37) * DAY)
        conds = []
        if n.server:
            conds.append({'type': 'EtcdIsVoter', 'status': 'True', 'lastHeartbeatTime': self.ago(
                140), 'lastTransitionTime': created, 'reason': 'MemberNotLearner',
                'message': 'Node is a voting member of the etcd cluster'})
        for c in st['conditions']:
            c = dict(c)
            c['lastHeartbeatTime'] = hb
            c['lastTransitionTime'] = boot if c['type'] != 'Ready' else self.ago(
                min(n.age_days, 37) * DAY - 15)
            conds.append(c)
        st['conditions'] = conds
        st['addresses'] = [{'type': 'InternalIP', 'address': n.ip},
                           {'type': 'Hostname', 'address': n.name}]
        st['nodeInfo'] = {
            'machineID': hexhash(32, 'machine', n.name),
            'systemUUID': uid_for('system', n.name),
            'bootID': uid_for('boot', n.name),
            'kernelVersion': KERNEL, 'osImage': OS_IMAGE,
            'containerRuntimeVersion': CONTAINERD,
            'kubeletVersion': K3S_VERSION, 'kubeProxyVersion': K3S_VERSION,
            'operatingSystem': 'linux', 'architecture': 'amd64',
        }
        obj['metadata'] = md
        obj['spec'] = spec
        md['managedFields'] = [
            managed('k3s', created, {'f:metadata': {
                'f:annotations': {'.': {}, **{'f:' + k: {} for k in sorted(annotations)
                                              if k.startswith(('k3s.io', 'alpha', 'volumes'))}},
                'f:labels': {'.': {}, **{'f:' + k: {} for k in sorted(labels)}}},
                'f:spec': {'f:providerID': {}}}),
            managed('k3s', created, {'f:metadata': {'f:annotations': {
                'f:flannel.alpha.coreos.com/backend-data': {},
                'f:flannel.alpha.coreos.com/backend-type': {},
                'f:flannel.alpha.coreos.com/kube-subnet-manager': {},
                'f:flannel.alpha.coreos.com/public-ip': {},
                'f:node.alpha.kubernetes.io/ttl': {}}},
                'f:spec': {'f:podCIDR': {}, 'f:podCIDRs': {'.': {}, 'v:"%s"' % spec['podCIDR']:
                                                           {}}}}),
            managed('k3s', hb, {'f:status': fields_v1({'allocatable': st['allocatable'],
                                                        'capacity': st['capacity'],
                                                        'conditions': conds, 'images': []})},
                    subresource='status'),
        ]
        return obj

    def finish_node(self, n, obj):
        # The kubelet reports at most 50 images (nodeStatusMaxImages), biggest first.
        images = [{'names': sorted(names), 'sizeBytes': size}
                  for _, (names, size) in sorted(n.images.items(), key=lambda kv: -kv[1][1])[:49]]
        images.append({'names': ['docker.io/rancher/mirrored-pause@sha256:' +
                                 hexhash(64, 'pause'), 'docker.io/rancher/mirrored-pause:3.6'],
                       'sizeBytes': 301463})
        obj['status']['images'] = images
        obj['status'] = {k: obj['status'][k] for k in
                         ('capacity', 'allocatable', 'conditions', 'addresses', 'daemonEndpoints',
                          'nodeInfo', 'images') if k in obj['status']}
        return obj

    # --- pods ---------------------------------------------------------------------------------
    def container(self, name, image, port=None, env=None, env_from=None, cpu=None, mem=None,
                  limits_cpu=None, limits_mem=None, tenant=False, probe=True, host_port=None):
        c = self.t.get('container')
        c['name'] = name
        c['image'] = image
        c.pop('args', None)
        if port:
            p = {'containerPort': port, 'protocol': 'TCP'}
            if host_port:
                p['hostPort'] = host_port
            if not tenant:
                p = dict({'name': 'http' if port not in (53, 9100) else
                          ('dns' if port == 53 else 'metrics')}, **p)
            c['ports'] = [p]
        if env_from:
            c['envFrom'] = [{'secretRef': {'name': env_from}}]
        if env:
            c['env'] = [{'name': k, 'value': v} for k, v in env]
        else:
            c.pop('env', None)
        res = {}
        if limits_cpu or limits_mem or (tenant and cpu):
            res['limits'] = {}
            if limits_cpu or tenant:
                res['limits']['cpu'] = limits_cpu or cpu
            if limits_mem or tenant:
                res['limits']['memory'] = limits_mem or mem
        if cpu or mem:
            res['requests'] = {}
            if cpu:
                res['requests']['cpu'] = cpu
            if mem:
                res['requests']['memory'] = mem
        c['resources'] = res
        if tenant:
            c['volumeMounts'] = []
            c.pop('volumeMounts')
            c['securityContext'] = {'capabilities': {'drop': ['ALL']},
                                    'readOnlyRootFilesystem': False,
                                    'allowPrivilegeEscalation': False}
        else:
            c['volumeMounts'][0]['name'] = 'kube-api-access-' + name_suffix(5, 'sa', name)
            c['securityContext'] = {'capabilities': {'drop': ['ALL']},
                                    'readOnlyRootFilesystem': True,
                                    'allowPrivilegeEscalation': False}
        if probe and port:
            c['livenessProbe'] = {'httpGet': {'path': '/healthz' if not tenant else '/',
                                              'port': port, 'scheme': 'HTTP'},
                                  'initialDelaySeconds': 10, 'timeoutSeconds': 1,
                                  'periodSeconds': 10, 'successThreshold': 1,
                                  'failureThreshold': 3}
            c['readinessProbe'] = dict(c['livenessProbe'], initialDelaySeconds=2,
                                       periodSeconds=5)
        else:
            c.pop('livenessProbe', None)
        c['imagePullPolicy'] = 'IfNotPresent'
        return c

    def pod(self, ns, name, node, containers, owner, labels, created_s, state='running',
            extra=None, tenant=False, init_containers=None, restart_policy='Always',
            node_selector=None, tolerate=None, host_network=False):
        extra = extra or {}
        pod = self.t.get('pod')
        nd = self.nodes.get(node) if node else None
        uid = uid_for('pods', ns, name)
        created = self.ago(created_s)
        md = {'name': name}
        if owner:
            md['generateName'] = name[:name.rfind('-') + 1] if owner[0] != 'StatefulSet' else \
                name[:name.rfind('-') + 1]
        md['namespace'] = ns
        md['uid'] = uid
        md['creationTimestamp'] = created
        md['labels'] = labels
        if owner:
            okind, oname = owner
            md['ownerReferences'] = [{'apiVersion': 'batch/v1' if okind == 'Job' else 'apps/v1',
                                      'kind': okind, 'name': oname,
                                      'uid': uid_for(okind, ns, oname), 'controller': True,
                                      'blockOwnerDeletion': True}]
        spec = pod['spec']
        if tenant:
            spec.pop('volumes', None)
            spec['automountServiceAccountToken'] = False
            spec['serviceAccountName'] = 'default'
            spec['serviceAccount'] = 'default'
            spec['securityContext'] = {'runAsUser': 1000, 'runAsGroup': 1000,
                                       'runAsNonRoot': True}
            spec['runtimeClassName'] = 'gvisor'
            spec['nodeSelector'] = node_selector or {'pool': 'run'}
            spec['overhead'] = None
            spec.pop('overhead')
        else:
            vol = spec['volumes'][0]
            vol['name'] = 'kube-api-access-' + name_suffix(5, 'sa', containers[0]['name'])
            sa = containers[0]['name']
            spec['serviceAccountName'] = sa
            spec['serviceAccount'] = sa
            spec['securityContext'] = {}
            if node_selector:
                spec['nodeSelector'] = node_selector
        spec.pop('imagePullSecrets', None)
        if init_containers:
            spec['initContainers'] = init_containers
        spec['containers'] = containers
        spec['restartPolicy'] = restart_policy
        spec.pop('nodeName', None)
        if nd is not None and state != 'pending':
            spec['nodeName'] = nd.name
        if host_network:
            spec['hostNetwork'] = True
            spec['dnsPolicy'] = 'ClusterFirstWithHostNet'
        tol = list(spec['tolerations'])
        if tolerate == '*':
            tol = [{'operator': 'Exists'}] + tol
        elif tolerate:
            tol = [{'key': 'pool', 'operator': 'Equal', 'value': tolerate,
                    'effect': 'NoSchedule'}] + tol
        spec['tolerations'] = tol
        pod['metadata'] = md
        pod['status'] = self.pod_status(pod, nd, state, created_s, extra)
        if state == 'terminating':
            md['deletionTimestamp'] = self.ago(extra.get('deleted_s', 4 * MIN))
            md['deletionGracePeriodSeconds'] = 30
        pod = order_pod(pod)
        md = pod['metadata']
        meta_fields = {k: v for k, v in md.items()
                       if k in ('generateName', 'labels', 'ownerReferences')}
        md['managedFields'] = [
            managed('k3s', created, {'f:metadata': fields_v1(meta_fields),
                                     'f:spec': fields_v1(pod['spec'])}),
        ]
        if pod['status'].get('conditions') or pod['status'].get('containerStatuses'):
            md['managedFields'].append(
                managed('k3s', pod['status'].get('_last', created),
                        {'f:status': fields_v1({k: v for k, v in pod['status'].items()
                                                if k not in ('qosClass', '_last')})},
                        subresource='status'))
        pod['status'].pop('_last', None)
        if nd is not None:
            for c in containers + (init_containers or []):
                img = c['image']
                if state == 'imagepull':
                    continue
                size = 20000000 + int(hexhash(6, 'size', img), 16) * 3
                nd.images[img] = ([img, img.split(':')[0] + '@sha256:' + hexhash(64, 'img', img)],
                                  size)
        # The quota needs only phase and resources; keep the whole pod for the seed's events.
        self.pods_by_ns.setdefault(ns, []).append({
            'status': {'phase': pod['status'].get('phase')},
            'spec': {'containers': [{'resources': c.get('resources') or {}}
                                    for c in pod['spec']['containers']]}})
        if self.keep_full:
            self.full_pods[name] = pod
        return self.emit('pods', pod)

    def pod_status(self, pod, nd, state, created_s, extra):
        spec = pod['spec']
        name = pod['metadata']['name']
        ns = pod['metadata']['namespace']
        uid = pod['metadata']['uid']
        cont = spec['containers']
        restarts = extra.get('restarts', 0)
        start_s = created_s - 3
        sched = self.ago(created_s)
        st = {}
        req_eq_lim = all((c.get('resources') or {}).get('requests') and
                         c['resources'].get('requests') == c['resources'].get('limits')
                         for c in cont)
        any_req = any((c.get('resources') or {}).get('requests') for c in cont)
        qos = 'Guaranteed' if req_eq_lim else ('Burstable' if any_req else 'BestEffort')

        def cid(*p):
            return 'containerd://' + hexhash(64, 'cid', ns, name, *p)

        def image_id(img):
            return img.split(':')[0] + '@sha256:' + hexhash(64, 'img', img)

        def cond(t, s, when, reason=None, message=None):
            c = {'type': t, 'status': s, 'lastProbeTime': None, 'lastTransitionTime': when}
            if reason:
                c['reason'] = reason
            if message:
                c['message'] = message
            return c

        names = ', '.join(c['name'] for c in cont)
        if state == 'pending':
            msg = ('0/5 nodes are available: 1 node(s) had untolerated taint {pool: build}, '
                   '1 node(s) had untolerated taint {pool: ops}, 3 node(s) didn\'t match Pod\'s '
                   'node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption '
                   'is not helpful for scheduling.')
            st['phase'] = 'Pending'
            st['conditions'] = [cond('PodScheduled', 'False', sched, 'Unschedulable', msg)]
            st['qosClass'] = qos
            return st
        if state == 'evicted':
            ev_s = extra.get('evicted_s', 40 * MIN)
            msg = ('The node was low on resource: memory. Threshold quantity: 100Mi, available: '
                   '92348Ki. Container %s was using 1183208Ki, request is 1Gi, has larger '
                   'consumption of memory. ' % cont[0]['name'])
            st['phase'] = 'Failed'
            st['conditions'] = [
                cond('DisruptionTarget', 'True', self.ago(ev_s), 'TerminationByKubelet', msg),
                cond('PodReadyToStartContainers', 'False', self.ago(ev_s - 2)),
                cond('Initialized', 'True', self.ago(start_s)),
                cond('Ready', 'False', self.ago(ev_s - 2), 'PodFailed'),
                cond('ContainersReady', 'False', self.ago(ev_s - 2), 'PodFailed'),
                cond('PodScheduled', 'True', sched)]
            st['message'] = msg
            st['reason'] = 'Evicted'
            st['hostIP'] = nd.ip
            st['hostIPs'] = [{'ip': nd.ip}]
            st['startTime'] = self.ago(start_s)
            st['qosClass'] = qos
            st['_last'] = self.ago(ev_s - 2)
            return st
        ip = nd.next_pod_ip() if not spec.get('hostNetwork') else nd.ip
        st['hostIP'] = nd.ip
        st['hostIPs'] = [{'ip': nd.ip}]
        st['podIP'] = ip
        st['podIPs'] = [{'ip': ip}]
        st['startTime'] = self.ago(start_s)
        up = self.ago(start_s - 4)
        running_cs = []
        for c in cont:
            cs = {'name': c['name'], 'state': {'running': {'startedAt': up}}, 'lastState': {},
                  'ready': True, 'restartCount': restarts, 'image': c['image'],
                  'imageID': image_id(c['image']), 'containerID': cid(c['name'], restarts),
                  'started': True}
            if restarts:
                fin = extra.get('last_restart_s', min(start_s - 60, 2 * DAY))
                cs['lastState'] = {'terminated': {
                    'exitCode': 137, 'reason': 'OOMKilled',
                    'startedAt': self.ago(fin + 3600), 'finishedAt': self.ago(fin),
                    'containerID': cid(c['name'], restarts - 1)}}
                cs['state'] = {'running': {'startedAt': self.ago(fin - 1)}}
            running_cs.append(cs)
        if state in ('running', 'terminating'):
            st['phase'] = 'Running'
            st['conditions'] = [cond('PodReadyToStartContainers', 'True', self.ago(start_s - 2)),
                                cond('Initialized', 'True', self.ago(start_s)),
                                cond('Ready', 'True', self.ago(start_s - 9)),
                                cond('ContainersReady', 'True', self.ago(start_s - 9)),
                                cond('PodScheduled', 'True', sched)]
            st['containerStatuses'] = running_cs
            st['_last'] = self.ago(start_s - 9)
        elif state == 'crashloop':
            # Shaped like the recorded pod-liveness-kill-137: waiting CrashLoopBackOff with the
            # last termination, here an OOM kill (exit 137) as the seed's journey describes.
            tmpl = self.t.get('crashloop')['status']['containerStatuses'][0]
            fin = extra.get('last_crash_s', 3 * MIN + 12)
            cs = running_cs[0]
            cs['state'] = {'waiting': {
                'reason': tmpl['state']['waiting']['reason'],
                'message': 'back-off 5m0s restarting failed container=%s pod=%s_%s(%s)' % (
                    cont[0]['name'], name, ns, uid)}}
            cs['lastState'] = {'terminated': {
                'exitCode': 137, 'reason': 'OOMKilled', 'startedAt': self.ago(fin + 41),
                'finishedAt': self.ago(fin), 'containerID': cid(cont[0]['name'], restarts)}}
            cs['ready'] = False
            cs['started'] = False
            cs['containerID'] = cid(cont[0]['name'], restarts)
            st['phase'] = 'Running'
            unready = 'containers with unready status: [%s]' % names
            st['conditions'] = [cond('PodReadyToStartContainers', 'True', self.ago(start_s - 2)),
                                cond('Initialized', 'True', self.ago(start_s)),
                                cond('Ready', 'False', self.ago(fin), 'ContainersNotReady',
                                     unready),
                                cond('ContainersReady', 'False', self.ago(fin),
                                     'ContainersNotReady', unready),
                                cond('PodScheduled', 'True', sched)]
            st['containerStatuses'] = running_cs
            st['_last'] = self.ago(fin)
        elif state == 'imagepull':
            tmpl = self.t.get('imagepull')['status']['containerStatuses'][0]
            cs = running_cs[0]
            cs['state'] = {'waiting': {
                'reason': tmpl['state']['waiting']['reason'],
                'message': 'Back-off pulling image "%s"' % cont[0]['image']}}
            cs['ready'] = False
            cs['started'] = False
            cs['imageID'] = ''
            cs.pop('containerID')
            st['phase'] = 'Pending'
            unready = 'containers with unready status: [%s]' % names
            st['conditions'] = [cond('PodReadyToStartContainers', 'True', self.ago(start_s - 2)),
                                cond('Initialized', 'True', self.ago(start_s)),
                                cond('Ready', 'False', self.ago(start_s), 'ContainersNotReady',
                                     unready),
                                cond('ContainersReady', 'False', self.ago(start_s),
                                     'ContainersNotReady', unready),
                                cond('PodScheduled', 'True', sched)]
            st['containerStatuses'] = running_cs
            st['_last'] = self.ago(start_s)
        elif state == 'completed':
            tmpl = self.t.get('completed')['status']['containerStatuses'][0]['state']
            cs = running_cs[0]
            cs['state'] = {'terminated': {
                'exitCode': 0, 'reason': tmpl['terminated']['reason'],
                'startedAt': self.ago(start_s - 4), 'finishedAt': self.ago(start_s - 31),
                'containerID': cid(cont[0]['name'], 0)}}
            cs['ready'] = False
            cs['started'] = False
            st['phase'] = 'Succeeded'
            done = self.ago(start_s - 32)
            st['conditions'] = [cond('PodReadyToStartContainers', 'False', done),
                                cond('Initialized', 'True', self.ago(start_s), 'PodCompleted'),
                                cond('Ready', 'False', done, 'PodCompleted'),
                                cond('ContainersReady', 'False', done, 'PodCompleted'),
                                cond('PodScheduled', 'True', sched)]
            st['containerStatuses'] = running_cs
            st['_last'] = done
        elif state == 'init':
            ic = spec['initContainers'][0]
            st['phase'] = 'Pending'
            st['conditions'] = [
                cond('PodReadyToStartContainers', 'True', self.ago(start_s - 2)),
                cond('Initialized', 'False', sched, 'ContainersNotInitialized',
                     'containers with incomplete status: [%s]' % ic['name']),
                cond('Ready', 'False', sched, 'ContainersNotReady',
                     'containers with unready status: [%s]' % names),
                cond('ContainersReady', 'False', sched, 'ContainersNotReady',
                     'containers with unready status: [%s]' % names),
                cond('PodScheduled', 'True', sched)]
            st['initContainerStatuses'] = [{
                'name': ic['name'], 'state': {'running': {'startedAt': up}}, 'lastState': {},
                'ready': False, 'restartCount': 0, 'image': ic['image'],
                'imageID': image_id(ic['image']), 'containerID': cid(ic['name'], 0),
                'started': True}]
            cs = running_cs[0]
            cs['state'] = {'waiting': {'reason': 'PodInitializing'}}
            cs['ready'] = False
            cs['started'] = False
            cs['imageID'] = ''
            cs.pop('containerID')
            st['containerStatuses'] = running_cs
            st['_last'] = up
        st['qosClass'] = qos
        return st

    # --- workloads ----------------------------------------------------------------------------
    def deployment(self, ns, name, labels, replicas, template_spec, hash_, created_s,
                   ready, available, updated, total, tenant, last_applied=None, unavailable=0,
                   progressing_ok=True, selector=None):
        d = self.t.get('deployment')
        created = self.ago(created_s)
        md = {'name': name, 'namespace': ns, 'uid': uid_for('Deployment', ns, name),
              'generation': 1, 'creationTimestamp': created, 'labels': labels,
              'annotations': {'deployment.kubernetes.io/revision': '1'}}
        if last_applied:
            md['annotations']['kubectl.kubernetes.io/last-applied-configuration'] = last_applied
        tpl_labels = dict(selector or {'app': name})
        spec = d['spec']
        spec['replicas'] = replicas
        spec['selector'] = {'matchLabels': dict(tpl_labels)}
        spec['template'] = {'metadata': {'creationTimestamp': None, 'labels': tpl_labels},
                            'spec': template_spec}
        spec['revisionHistoryLimit'] = 10
        st = {'observedGeneration': 1, 'replicas': total, 'updatedReplicas': updated,
              'readyReplicas': ready, 'availableReplicas': available}
        if unavailable:
            st['unavailableReplicas'] = unavailable
        for k in ('readyReplicas', 'availableReplicas', 'updatedReplicas', 'replicas'):
            if not st[k]:
                del st[k]
        avail_ok = available >= max(replicas - max(1, replicas // 4), 0) and (
            available > 0 or replicas == 0)
        since = self.ago(min(created_s, 50 * MIN) if not avail_ok else created_s - 40)
        st['conditions'] = [
            {'type': 'Available', 'status': 'True' if avail_ok else 'False',
             'lastUpdateTime': since, 'lastTransitionTime': since,
             'reason': 'MinimumReplicasAvailable' if avail_ok else 'MinimumReplicasUnavailable',
             'message': 'Deployment has minimum availability.' if avail_ok else
             'Deployment does not have minimum availability.'},
            {'type': 'Progressing', 'status': 'True', 'lastUpdateTime': self.ago(created_s - 40),
             'lastTransitionTime': created,
             'reason': 'NewReplicaSetAvailable' if progressing_ok else 'ReplicaSetUpdated',
             'message': ('ReplicaSet "%s-%s" has successfully progressed.' % (name, hash_))
             if progressing_ok else ('ReplicaSet "%s-%s" is progressing.' % (name, hash_))}]
        d['metadata'] = md
        d['status'] = st
        mgr = 'kubectl-client-side-apply' if tenant else 'helm'
        md['managedFields'] = [
            managed(mgr, created, {'f:metadata': fields_v1(
                {k: md[k] for k in ('labels', 'annotations') if k in md}),
                'f:spec': fields_v1(spec)}, api_version='apps/v1'),
            managed('k3s', self.ago(max(created_s - 40, 60)), {
                'f:metadata': {'f:annotations': {'f:deployment.kubernetes.io/revision': {}}},
                'f:status': fields_v1(st)}, subresource='status', api_version='apps/v1'),
        ]
        return self.emit('deployments', d)

    def replicaset(self, ns, dname, hash_, replicas, template_spec, created_s, ready, available,
                   fully, revision=1, selector=None):
        rs = self.t.get('replicaset')
        name = '%s-%s' % (dname, hash_)
        created = self.ago(created_s)
        labels = dict(selector or {'app': dname}, **{'pod-template-hash': hash_})
        md = {'name': name, 'namespace': ns, 'uid': uid_for('ReplicaSet', ns, name),
              'generation': 1 if revision == 1 else 2, 'creationTimestamp': created,
              'labels': labels,
              'annotations': {'deployment.kubernetes.io/desired-replicas': str(replicas),
                              'deployment.kubernetes.io/max-replicas': str(
                                  replicas + max(1, (replicas + 3) // 4)),
                              'deployment.kubernetes.io/revision': str(revision)},
              'ownerReferences': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': dname,
                                   'uid': uid_for('Deployment', ns, dname), 'controller': True,
                                   'blockOwnerDeletion': True}]}
        rs['spec'] = {'replicas': fully, 'selector': {'matchLabels': labels},
                      'template': {'metadata': {'creationTimestamp': None, 'labels': labels},
                                   'spec': template_spec}}
        st = {'replicas': fully, 'fullyLabeledReplicas': fully, 'readyReplicas': ready,
              'availableReplicas': available, 'observedGeneration': md['generation']}
        rs['status'] = {k: v for k, v in st.items() if v or k in ('replicas',)}
        rs['metadata'] = md
        md['managedFields'] = [
            managed('k3s', created, {'f:metadata': fields_v1(
                {k: md[k] for k in ('labels', 'annotations', 'ownerReferences')}),
                'f:spec': fields_v1(rs['spec'])}, api_version='apps/v1'),
            managed('k3s', self.ago(max(created_s - 40, 60)), {'f:status': fields_v1(
                rs['status'])}, subresource='status', api_version='apps/v1'),
        ]
        return self.emit('replicasets', rs)

    def service(self, ns, name, selector, port, created_s, cluster_ip=None, tenant=False,
                last_applied=None):
        s = self.t.get('service')
        ip = self.next_cluster_ip(cluster_ip)
        created = self.ago(created_s)
        md = {'name': name, 'namespace': ns, 'uid': uid_for('Service', ns, name),
              'creationTimestamp': created}
        if selector is None:
            md['labels'] = {'component': 'apiserver', 'provider': 'kubernetes'}
        if last_applied:
            md['annotations'] = {'kubectl.kubernetes.io/last-applied-configuration':
                                 last_applied}
        spec = s['spec']
        spec['clusterIP'] = ip
        spec['clusterIPs'] = [ip]
        spec.pop('externalTrafficPolicy', None)
        p = {'port': port, 'protocol': 'UDP' if port == 53 else 'TCP',
             'targetPort': port if selector is not None else 6443}
        if not tenant:
            p = dict({'name': 'https' if port == 443 else ('dns' if port == 53 else 'http')},
                     **p)
        spec['ports'] = [p]
        if selector:
            spec['selector'] = selector
        else:
            spec.pop('selector', None)
        spec['type'] = 'ClusterIP'
        s['spec'] = spec
        s['metadata'] = md
        md['managedFields'] = [managed('kubectl-client-side-apply' if tenant else 'k3s', created,
                                       {'f:metadata': fields_v1({k: md[k] for k in md if k in (
                                           'labels', 'annotations')}) if len(md) > 4 else {},
                                        'f:spec': fields_v1({k: v for k, v in spec.items()
                                                             if k not in ('clusterIP',
                                                                          'clusterIPs')})})]
        if not md['managedFields'][0]['fieldsV1']['f:metadata']:
            del md['managedFields'][0]['fieldsV1']['f:metadata']
        return self.emit('services', s)

    def ingress(self, ns, name, host, svc, port, created_s, last_applied=None):
        ing = self.t.get('ingress')
        created = self.ago(created_s)
        md = {'name': name, 'namespace': ns, 'uid': uid_for('Ingress', ns, name),
              'generation': 1, 'creationTimestamp': created}
        if last_applied:
            md['annotations'] = {'kubectl.kubernetes.io/last-applied-configuration':
                                 last_applied}
        rule = ing['spec']['rules'][0]
        rule['host'] = host
        path = rule['http']['paths'][0]
        path['backend'] = {'service': {'name': svc, 'port': {'number': port}}}
        ing['spec'] = {'ingressClassName': 'traefik', 'rules': [rule]}
        ing['status'] = {'loadBalancer': {'ingress': [
            {'ip': n.ip} for n in self.node_list if n.pool == 'run'][:2]}}
        ing['metadata'] = md
        md['managedFields'] = [
            managed('kubectl-client-side-apply', created, {'f:metadata': fields_v1(
                {k: md[k] for k in ('annotations',) if k in md}) if 'annotations' in md else {},
                'f:spec': fields_v1(ing['spec'])}, api_version='networking.k8s.io/v1'),
            managed('traefik', self.ago(max(created_s - 5, 30)), {'f:status': fields_v1(
                ing['status'])}, subresource='status', api_version='networking.k8s.io/v1')]
        if not md['managedFields'][0]['fieldsV1']['f:metadata']:
            del md['managedFields'][0]['fieldsV1']['f:metadata']
        return self.emit('ingresses', ing)

    def secret(self, ns, name, data, created_s):
        s = self.t.get('secret')
        created = self.ago(created_s)
        s['metadata'] = {'name': name, 'namespace': ns, 'uid': uid_for('Secret', ns, name),
                         'creationTimestamp': created}
        s['data'] = {k: base64.b64encode(v.encode()).decode() for k, v in sorted(data.items())}
        s['type'] = 'Opaque'
        s = {'metadata': s['metadata'], 'data': s['data'], 'type': 'Opaque'}
        s['metadata']['managedFields'] = [managed('temporal-worker', created, {
            'f:data': {'.': {}, **{'f:' + k: {} for k in s['data']}}, 'f:type': {}})]
        return self.emit('secrets', s)

    def netpol(self, ns, name, created_s):
        np_ = self.t.get('networkpolicy')
        created = self.ago(created_s)
        md = {'name': name, 'namespace': ns, 'uid': uid_for('NetworkPolicy', ns, name),
              'generation': 1, 'creationTimestamp': created}
        if name == 'ingress-isolation':
            spec = {'podSelector': {}, 'ingress': [
                {'from': [{'podSelector': {}}]},
                {'from': [{'podSelector': {'matchLabels': {
                    'app.kubernetes.io/name': 'traefik'}},
                    'namespaceSelector': {'matchLabels': {
                        'app.kubernetes.io/part-of': 'deploy-mcp'}}}]}],
                'policyTypes': ['Ingress']}
        else:
            spec = {'podSelector': {}, 'egress': [
                {'ports': [{'protocol': 'UDP', 'port': 53}, {'protocol': 'TCP', 'port': 53}]},
                {'to': [{'ipBlock': {'cidr': '0.0.0.0/0', 'except': [
                    '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.169.254/32']}}]}],
                'policyTypes': ['Egress']}
        np_ = {'metadata': md, 'spec': spec}
        md['managedFields'] = [managed('temporal-worker', created,
                                       {'f:spec': fields_v1(spec)},
                                       api_version='networking.k8s.io/v1')]
        return self.emit('networkpolicies', np_)

    def quota(self, ns, created_s):
        q = self.t.get('resourcequota')
        created = self.ago(created_s)
        hard = {'limits.cpu': '8', 'limits.memory': '8Gi', 'pods': '20', 'requests.cpu': '4',
                'requests.memory': '4Gi'}
        q['metadata'] = {'name': 'quota', 'namespace': ns, 'uid': uid_for('ResourceQuota', ns),
                         'creationTimestamp': created}
        q['spec'] = {'hard': hard}
        q['status'] = {'hard': dict(hard), 'used': quota_used(self.pods_by_ns.get(ns, []))}
        q['metadata']['managedFields'] = [
            managed('temporal-worker', created, {'f:spec': {'f:hard': {'.': {}, **{
                'f:' + k: {} for k in sorted(hard)}}}}),
            managed('k3s', self.ago(60), {'f:status': {'f:hard': {'.': {}, **{
                'f:' + k: {} for k in sorted(hard)}}, 'f:used': {'.': {}, **{
                    'f:' + k: {} for k in sorted(hard)}}}}, subresource='status')]
        return self.emit('resourcequotas', q)

    def event(self, ns, obj_kind, obj_name, obj_uid, reason, message, typ, first_s, last_s,
              count, source, field_path=None, host=None, api_version='v1', obj_ns=None,
              variant=None):
        """A core/v1 Event. Its name hashes (namespace, object, reason) as the scenarios'
        event recorder does, so a later occurrence bumps the same event; variant tells apart
        two events with the same reason."""
        e = self.t.get('event')
        parts = ('ev', ns, obj_name, reason) + ((variant,) if variant else ())
        name = '%s.%s' % (obj_name, hexhash(16, *parts))
        md = {'name': name, 'namespace': ns, 'uid': uid_for('Event', ns, name),
              'creationTimestamp': self.ago(first_s)}
        io = {'kind': obj_kind, 'namespace': obj_ns if obj_ns is not None else ns,
              'name': obj_name, 'uid': obj_uid, 'apiVersion': api_version}
        if obj_kind == 'Node':
            io.pop('namespace')
        if field_path:
            io['fieldPath'] = field_path
        src = {'component': source}
        if host:
            src['host'] = host
        e = {'metadata': md, 'involvedObject': io, 'reason': reason, 'message': message,
             'source': src, 'firstTimestamp': self.ago(first_s),
             'lastTimestamp': self.ago(last_s), 'count': count, 'type': typ,
             'eventTime': e.get('eventTime'), 'reportingComponent': source,
             'reportingInstance': host or ''}
        md['managedFields'] = [managed(source if source != 'default-scheduler' else 'k3s',
                                       self.ago(last_s), fields_v1(
                                           {k: v for k, v in e.items() if k not in (
                                               'metadata', 'eventTime')}))]
        self.events.append(e)
        return e

    # --- composition --------------------------------------------------------------------------
    def add_nodes(self, specs):
        for (name, pool, ip, age_d, cpu, mem, taint, server) in specs:
            n = Node(name, pool, ip, age_d, cpu, mem, len(self.node_list), taint, server)
            self.nodes[name] = n
            self.node_list.append(n)

    def system_workload(self, ns, name, kind, nodes, image, cpu, mem, port, extra):
        labels_app = {'app': name}
        if name == 'coredns':
            labels_app = {'k8s-app': 'kube-dns'}
        elif name == 'metrics-server':
            labels_app = {'k8s-app': 'metrics-server'}
        created_s = (170 if ns != 'dp-system' else 160) * DAY
        cname = name.split('-')[-1] if name.startswith('prometheus-prometheus') else name
        cname = {'prometheus': 'prometheus', 'exporter': 'node-exporter'}.get(cname, cname)
        c = self.container(cname, image, port=port, env=extra.get('env'), cpu=cpu, mem=mem,
                           limits_cpu=extra.get('limits_cpu'), limits_mem=extra.get('limits_mem'),
                           host_port=extra.get('hostPort'))
        tmpl_spec = None
        if kind == 'Deployment':
            h = template_hash(ns, name)
            tmpl_spec = order({k: v for k, v in self.t.get('pod')['spec'].items()
                               if k not in ('nodeName', 'imagePullSecrets', 'serviceAccount',
                                            'priority', 'preemptionPolicy',
                                            'enableServiceLinks', 'tolerations', 'volumes')},
                              'podspec')
            tmpl_spec['containers'] = [order(dict(c), 'container')]
            tmpl_spec['serviceAccountName'] = cname
        pods = []
        for i, node in enumerate(nodes):
            if kind == 'Deployment':
                pname = '%s-%s-%s' % (name, h, name_suffix(5, ns, name, i))
                labels = dict(labels_app, **{'pod-template-hash': h})
                owner = ('ReplicaSet', '%s-%s' % (name, h))
            elif kind == 'StatefulSet':
                pname = '%s-%d' % (name, i)
                labels = dict(labels_app, **{
                    'controller-revision-hash': '%s-%s' % (name, template_hash(ns, name)),
                    'statefulset.kubernetes.io/pod-name': pname})
                owner = ('StatefulSet', name)
            else:
                pname = '%s-%s' % (name, name_suffix(5, ns, name, node))
                labels = dict(labels_app, **{
                    'controller-revision-hash': template_hash(ns, name)[:10],
                    'pod-template-generation': '1'})
                owner = ('DaemonSet', name)
            restarts = 2 if name == 'promtail' and node == 'run-2' else 0
            pod_age = min(created_s, self.nodes[node].age_days * DAY - 300) \
                if kind == 'DaemonSet' else created_s - 2 * DAY
            pods.append(self.pod(ns, pname, node, [dict(c)], owner, labels,
                                 pod_age, 'running', {'restarts': restarts,
                                                      'last_restart_s': 9 * DAY},
                                 tolerate=extra.get('tolerate'),
                                 host_network=extra.get('hostNetwork', False),
                                 node_selector={'pool': self.nodes[node].pool}
                                 if ns == 'dp-system' and kind != 'DaemonSet' else None))
        if kind == 'Deployment':
            n = len(nodes)
            self.deployment(ns, name, {'app.kubernetes.io/name': name}, n, tmpl_spec, h,
                            created_s, n, n, n, n, False, selector=labels_app)
            self.replicaset(ns, name, h, n, tmpl_spec, created_s, n, n, n, selector=labels_app)
        return pods

    def tenant(self, t, idx):
        ns = t.ns
        ns_age = t.age_days * DAY
        self.namespace(ns, ns_age, {'dp.ml.ink/tenant': t.tenant, 'dp.ml.ink/project': t.project})
        if t.ingress_np:
            self.netpol(ns, 'ingress-isolation', ns_age - 2)
        if t.egress:
            self.netpol(ns, 'egress-isolation', ns_age - 2)
        for svc in t.services:
            self.tenant_service(t, svc)
        for (pname, node, state) in t.extra_pods:
            job = '%s-%d' % (pname, 29131540 + idx)
            c = self.container('migrate', 'registry.internal:5000/%s/%s:%s' % (
                ns, t.services[0].name, hexhash(7, 'sha', ns, pname)), cpu='100m', mem='128Mi',
                tenant=True, probe=False, env_from='%s-env' % t.services[0].name)
            c['command'] = ['npm', 'run', 'migrate']
            c = order(c, 'container')
            self.pod(ns, '%s-%s' % (job, name_suffix(5, job)), node, [c], ('Job', job),
                     {'batch.kubernetes.io/controller-uid': uid_for('Job', ns, job),
                      'batch.kubernetes.io/job-name': job,
                      'controller-uid': uid_for('Job', ns, job), 'job-name': job},
                     5 * HOUR, state, tenant=True, restart_policy='Never')
        self.quota(ns, ns_age - 1)

    def tenant_service(self, t, svc):
        ns = t.ns
        age_s = svc.age_days * DAY
        tag = svc.image_tag or hexhash(7, 'sha', ns, svc.name)
        image = 'registry.internal:5000/%s/%s:%s' % (ns, svc.name, tag)
        env_name = '%s-env' % svc.name
        self.secret(ns, env_name, {
            'PORT': str(svc.port),
            'API_TOKEN': SECRET_MARKER + 'tok_' + hexhash(32, 'token', ns, env_name),
            'DATABASE_PASSWORD': SECRET_MARKER + hexhash(24, 'password', ns, env_name)},
            age_s + 60)
        c = self.container('app', image, port=svc.port, env=svc.env, env_from=env_name,
                           cpu=svc.cpu, mem=svc.mem, tenant=True)
        h = svc.hash or template_hash(ns, svc.name)
        tmpl_spec = self.tenant_template(c)
        last_applied = json.dumps({
            'apiVersion': 'apps/v1', 'kind': 'Deployment',
            'metadata': {'annotations': {}, 'labels': {'app': svc.name}, 'name': svc.name,
                         'namespace': ns},
            'spec': {'replicas': svc.replicas, 'selector': {'matchLabels': {'app': svc.name}},
                     'template': {'metadata': {'labels': {'app': svc.name}},
                                  'spec': {k: v for k, v in tmpl_spec.items() if k in (
                                      'containers', 'runtimeClassName',
                                      'automountServiceAccountToken', 'securityContext',
                                      'nodeSelector')}}}},
            separators=(',', ':'), sort_keys=True) + '\n'
        pods = svc.pods or [(None, 'run-%d' % (i % 2 + 1), 'running', {})
                            for i in range(svc.replicas)]
        states = []
        old_h = template_hash(ns, svc.name, 'old')
        new_h = template_hash(ns, svc.name, 'new')
        for i, (sfx, node, state, extra) in enumerate(pods):
            ph = new_h if extra.get('new_rs') else (old_h if extra.get('old_rs') else h)
            pname = '%s-%s-%s' % (svc.name, ph, sfx or name_suffix(5, ns, svc.name, ph, i))
            pc = dict(c)
            if extra.get('new_rs'):
                pc['image'] = image.rsplit(':', 1)[0] + ':' + hexhash(7, 'broken', ns)
            pod_age = min(age_s, 6 * DAY) if state not in ('terminating',) else age_s + DAY
            if state == 'init':
                pod_age = 90
            ic = None
            if state == 'init':
                ic = [order(dict(self.container('migrate', image, cpu=svc.cpu, mem=svc.mem,
                                                tenant=True, probe=False, env_from=env_name),
                                 command=['npm', 'run', 'migrate']), 'container')]
                tmpl_spec['initContainers'] = ic
            self.pod(ns, pname, node, [pc], ('ReplicaSet', '%s-%s' % (svc.name, ph)),
                     {'app': svc.name, 'pod-template-hash': ph}, pod_age, state, extra,
                     tenant=True, init_containers=ic,
                     node_selector=extra.get('nodeSelector'))
            states.append((state, extra))
        current = [s for s, e in states if not e.get('new_rs') and not e.get('old_rs')
                   and s not in ('evicted', 'completed')]
        ready = sum(1 for s in current if s in ('running',))
        new_pods = [s for s, e in states if e.get('new_rs')]
        old_pods = [s for s, e in states if e.get('old_rs')]
        total = len(current) + len(new_pods)
        updated = len(new_pods) if new_pods else len(current)
        unavailable = max(svc.replicas - ready, 0) + len(new_pods)
        self.deployment(ns, svc.name, {'app': svc.name}, svc.replicas, tmpl_spec,
                        new_h if new_pods else h, age_s, ready, ready, updated, total, True,
                        last_applied=last_applied, unavailable=unavailable,
                        progressing_ok=not new_pods)
        if old_pods:
            self.replicaset(ns, svc.name, old_h, svc.replicas, tmpl_spec, age_s + DAY, 0, 0, 0)
            self.replicaset(ns, svc.name, h, svc.replicas, tmpl_spec, min(age_s, 6 * DAY),
                            ready, ready, len(current), revision=2)
        elif new_pods:
            self.replicaset(ns, svc.name, h, svc.replicas, tmpl_spec, age_s, ready, ready,
                            len(current))
            bad = dict(tmpl_spec)
            self.replicaset(ns, svc.name, new_h, 1, bad, 55 * MIN, 0, 0, len(new_pods),
                            revision=2)
        else:
            self.replicaset(ns, svc.name, h, svc.replicas, tmpl_spec, age_s, ready, ready,
                            len(current))
        svc_la = json.dumps({'apiVersion': 'v1', 'kind': 'Service', 'metadata': {
            'annotations': {}, 'name': svc.name, 'namespace': ns}, 'spec': {
            'ports': [{'port': svc.port, 'targetPort': svc.port}],
            'selector': {'app': svc.name}}}, separators=(',', ':'), sort_keys=True) + '\n'
        self.service(ns, svc.name, {'app': svc.name}, svc.port, age_s, tenant=True,
                     last_applied=svc_la)
        if svc.ingress:
            host = '%s.%s' % (svc.name, APPS_DOMAIN)
            self.ingress(ns, svc.name, host, svc.name, svc.port, age_s)

    def tenant_template(self, c):
        spec = self.t.pod_spec
        tmpl = {'containers': [c], 'restartPolicy': 'Always',
                'terminationGracePeriodSeconds': spec['terminationGracePeriodSeconds'],
                'dnsPolicy': spec['dnsPolicy'], 'nodeSelector': {'pool': 'run'},
                'automountServiceAccountToken': False,
                'securityContext': {'runAsUser': 1000, 'runAsGroup': 1000,
                                    'runAsNonRoot': True},
                'schedulerName': spec['schedulerName'], 'runtimeClassName': 'gvisor'}
        return order(tmpl, 'podspec')

    def seed_events(self):
        pods = self.full_pods

        def pod_ev(pname, reason, message, typ, first_s, last_s, count, source='kubelet',
                   field=True, host=None, variant=None):
            p = pods[pname]
            ns = p['metadata']['namespace']
            node = p['spec'].get('nodeName')
            fp = 'spec.containers{%s}' % p['spec']['containers'][0]['name'] if field else None
            return self.event(ns, 'Pod', pname, p['metadata']['uid'], reason, message, typ,
                              first_s, last_s, count, source, fp, host or node,
                              variant=variant)

        crash = 'api-7d9c8-x2bq'
        img = pods[crash]['spec']['containers'][0]['image']
        uid = pods[crash]['metadata']['uid']
        pod_ev(crash, 'Pulled', 'Container image "%s" already present on machine' % img,
               'Normal', 56 * MIN, 3 * MIN + 53, 15)
        pod_ev(crash, 'Created', 'Created container: app', 'Normal', 56 * MIN, 3 * MIN + 53, 15)
        pod_ev(crash, 'Started', 'Started container app', 'Normal', 56 * MIN, 3 * MIN + 53, 15)
        pod_ev(crash, 'OOMKilling',
               'Memory cgroup out of memory: Killed process 48213 (node) total-vm:1843296kB, '
               'anon-rss:262144kB, file-rss:31744kB, shmem-rss:0kB, UID:1000 pgtables:1024kB '
               'oom_score_adj:-997', 'Warning', 55 * MIN, 3 * MIN + 12, 14, 'kernel-monitor',
               field=False)
        pod_ev(crash, 'BackOff', 'Back-off restarting failed container app in pod '
               '%s_dp-max-catapp(%s)' % (crash, uid), 'Warning', 54 * MIN, 48, 212)
        for name, p in sorted(pods.items()):
            ns = p['metadata']['namespace']
            st = p.get('status') or {}
            cs = (st.get('containerStatuses') or [{}])[0]
            waiting = ((cs.get('state') or {}).get('waiting') or {}).get('reason')
            if st.get('phase') == 'Pending' and not p['spec'].get('nodeName'):
                pod_ev(name, 'FailedScheduling', st['conditions'][0]['message'], 'Warning',
                       50 * MIN, 2 * MIN, 1, 'default-scheduler', field=False)
            elif waiting == 'ImagePullBackOff':
                image = p['spec']['containers'][0]['image']
                pod_ev(name, 'Pulling', 'Pulling image "%s"' % image, 'Normal', 55 * MIN,
                       4 * MIN, 13)
                pod_ev(name, 'Failed', 'Failed to pull image "%s": rpc error: code = NotFound '
                       'desc = failed to pull and unpack image "%s": failed to resolve reference '
                       '"%s": %s: not found' % (image, image, image, image), 'Warning', 55 * MIN,
                       4 * MIN, 13)
                pod_ev(name, 'Failed', 'Error: ErrImagePull', 'Warning', 55 * MIN, 4 * MIN, 13,
                       variant='ErrImagePull')
                pod_ev(name, 'BackOff', 'Back-off pulling image "%s"' % image, 'Normal',
                       55 * MIN, 30, 240)
            elif st.get('reason') == 'Evicted':
                pod_ev(name, 'Evicted', st['message'], 'Warning', 40 * MIN, 40 * MIN, 1,
                       field=False)
                pod_ev(name, 'Killing', 'Stopping container %s' % p['spec']['containers'][0][
                    'name'], 'Normal', 40 * MIN, 40 * MIN, 1)
            elif p['metadata'].get('deletionTimestamp'):
                pod_ev(name, 'Killing', 'Stopping container %s' % p['spec']['containers'][0][
                    'name'], 'Normal', 4 * MIN, 4 * MIN, 1)
            elif waiting == 'PodInitializing':
                ic = p['spec']['initContainers'][0]
                pod_ev(name, 'Scheduled', 'Successfully assigned %s/%s to %s' % (
                    ns, name, p['spec']['nodeName']), 'Normal', 90, 90, 1, 'default-scheduler',
                    field=False)
                self.event(ns, 'Pod', name, p['metadata']['uid'], 'Started',
                           'Started container %s' % ic['name'], 'Normal', 80, 80, 1, 'kubelet',
                           'spec.initContainers{%s}' % ic['name'], p['spec']['nodeName'])
            elif st.get('phase') == 'Succeeded':
                owner = p['metadata']['ownerReferences'][0]
                self.event(ns, 'Job', owner['name'], owner['uid'], 'Completed', 'Job completed',
                           'Normal', 5 * HOUR - 40, 5 * HOUR - 40, 1, 'job-controller',
                           api_version='batch/v1')

    def finish(self):
        for e in self.events:
            self.emit('events', e)
        self.events = []
        for n in self.node_list:
            obj = self.finish_node(n, self._node_objs[n.name])
            if self.sink is not None:
                self.sink('nodes', obj)
            else:
                self.out.append(('nodes', obj))
        self._node_objs = {}
        return self.out

    def build_seed(self, extra_nodes=()):
        self.add_nodes(SEED_NODES)
        self.add_nodes(extra_nodes)
        self._node_objs = {}
        for name, age_d in (('kube-system', 180), ('kube-public', 180),
                            ('kube-node-lease', 180), ('default', 180),
                            ('cert-manager', 172), ('dp-system', 170)):
            labels = None
            if name == 'dp-system':
                labels = {'app.kubernetes.io/part-of': 'deploy-mcp'}
            self.namespace(name, age_d * DAY, labels)
        for n in self.node_list:
            self._node_objs[n.name] = self.emit('nodes', self.node(n))
        for w in SYSTEM:
            self.system_workload(*w)
        for (ns, name, sel, port, ip) in SYSTEM_SERVICES:
            self.service(ns, name, sel, port, 170 * DAY, cluster_ip=ip)
        self.ingress('dp-system', 'loki', 'loki.' + APPS_DOMAIN, 'loki', 3100, 160 * DAY)
        self.ingress('dp-system', 'grafana', 'ops.' + APPS_DOMAIN, 'grafana', 80, 160 * DAY)
        for i, t in enumerate(seed_tenants()):
            self.tenant(t, i)
        self.seed_events()
        self.full_pods = {}
        self.keep_full = False


def quota_used(pods):
    """ResourceQuota status.used for the quota's five keys over the non-terminal pods."""
    cpu_r = mem_r = cpu_l = mem_l = 0
    n = 0
    for p in pods:
        if (p.get('status') or {}).get('phase') in ('Succeeded', 'Failed'):
            continue
        n += 1
        for c in p['spec']['containers']:
            r = c.get('resources') or {}
            cpu_r += parse_quantity(r.get('requests', {}).get('cpu', '0'))
            mem_r += parse_quantity(r.get('requests', {}).get('memory', '0'))
            cpu_l += parse_quantity(r.get('limits', {}).get('cpu', '0'))
            mem_l += parse_quantity(r.get('limits', {}).get('memory', '0'))
    return {'limits.cpu': format_cpu(cpu_l), 'limits.memory': format_bytes(mem_l),
            'pods': str(n), 'requests.cpu': format_cpu(cpu_r),
            'requests.memory': format_bytes(mem_r)}


# --- the large platform -------------------------------------------------------------------------

def build(params, now, templates=None, sink=None):
    """params: {'size': 'seed'} or {'nodes': N, 'tenant_namespaces': N, 'pods': N}. With a
    sink, every object is handed to sink(resource, object) as soon as it is finished (and the
    returned list is empty), which keeps the large platform's memory down."""
    b = Builder(now, templates, sink)
    if params.get('size', 'seed') == 'seed':
        b.build_seed()
        return b.finish()
    total_nodes = max(int(params['nodes']), len(SEED_NODES))
    extra = []
    for i in range(total_nodes - len(SEED_NODES)):
        k = i + 3
        ipn = 102 + i
        extra.append(('run-%d' % k, 'run', '10.0.%d.%d' % (1 + ipn // 254, ipn % 254 + 1),
                      30 + (i * 7) % 150, 12, 65699240, None, False))
    b.build_seed(extra)
    seed_tenant_ns = len(seed_tenants())
    seed_pods = sum(len(v) for v in b.pods_by_ns.values())
    want_ns = max(int(params['tenant_namespaces']) - seed_tenant_ns, 0)
    want_pods = max(int(params['pods']) - seed_pods, 0)
    run_nodes = [n.name for n in b.node_list if n.pool == 'run']
    if want_ns:
        per_ns, rem = divmod(want_pods, want_ns)
        projects = ('app', 'api', 'site', 'shop')
        for i in range(want_ns):
            npods = per_ns + (1 if i < rem else 0)
            tenant = 't%04d' % (i // 2)
            project = projects[i % len(projects)]
            svcs = []
            left = npods
            j = 0
            while left > 0 or j == 0:
                reps = min(left, 5) if left > 0 else 0
                nodes = [run_nodes[(i * 7 + j * 3 + r) % len(run_nodes)] for r in range(reps)]
                name = '%s-%s-%d' % (tenant, project, j)
                svcs.append(Svc(name, 3000 + j, reps, '100m', '128Mi',
                                pods=[(None, nd, 'running', {}) for nd in nodes],
                                age_days=1 + (i * 13 + j) % 300))
                left -= reps
                j += 1
                if reps == 0:
                    break
            t = Tenant(tenant, project, 2 + (i * 11) % 365, svcs)
            b.tenant(t, 1000 + i)
    return b.finish()
