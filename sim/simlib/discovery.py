# SPDX-License-Identifier: MIT
# simlib/discovery.py - /version, /api, /apis, /api/v1, /apis/<g>/<v> and /openapi/v2 bodies,
# cut down from the recorded discovery documents to the resources the sim serves.

import json
import os

from .platform import FIXTURES, K3S_VERSION
from .store import KINDS
from .util import dumpb

VERSION = {
    'major': '1', 'minor': '31', 'gitVersion': K3S_VERSION,
    'gitCommit': '5b1bb9a5d7b3c3ab6d0b1e9c4b1c3a2f7f1e0d9a', 'gitTreeState': 'clean',
    'buildDate': '2024-12-13T01:05:29Z', 'goVersion': 'go1.22.9', 'compiler': 'gc',
    'platform': 'linux/amd64', 'simulated': True,
}


def _load(rel):
    with open(os.path.join(FIXTURES, 'discovery', rel), encoding='utf-8') as f:
        return json.load(f)


def _pb_string(field, s):
    b = s.encode()
    return bytes([(field << 3) | 2, len(b)]) + b


def openapi_v2():
    """A minimal openapi_v2.Document protobuf: swagger "2.0" and info {title, version}. Enough
    for kubectl to accept the document (apply, explain fall back gracefully)."""
    info = _pb_string(1, 'Kubernetes') + _pb_string(2, K3S_VERSION)
    return _pb_string(1, '2.0') + bytes([(2 << 3) | 2, len(info)]) + info


def build(host_port):
    """Returns {path: body bytes} for every discovery path."""
    docs = {}
    docs['/version'] = dumpb(VERSION)
    api = _load('api.json')
    docs['/api'] = dumpb({'kind': 'APIVersions', 'versions': api['versions'],
                          'serverAddressByClientCIDRs': [{'clientCIDR': '0.0.0.0/0',
                                                          'serverAddress': host_port}]})
    recorded = {}
    v1 = _load('api__v1.json')
    for r in v1['resources']:
        recorded[('', r['name'])] = r
    apps = _load('apis__apps__v1.json')
    for r in apps['resources']:
        recorded[('apps', r['name'])] = r
    groups = {}
    for k in KINDS:
        groups.setdefault((k.group, k.version), []).append(k)
    for (group, version), kinds in sorted(groups.items()):
        resources = []
        for k in sorted(kinds, key=lambda k: k.res):
            r = recorded.get((group, k.res))
            if r is None:
                r = {'name': k.res, 'singularName': k.singular, 'namespaced': k.namespaced,
                     'kind': k.kind,
                     'verbs': ['create', 'delete', 'deletecollection', 'get', 'list', 'patch',
                               'update', 'watch']}
                if k.short:
                    r['shortNames'] = k.short
                if k.categories:
                    r['categories'] = k.categories
                r['storageVersionHash'] = k.hash
            else:
                r = dict(r)
                if 'watch' not in r['verbs']:
                    r['verbs'] = sorted(r['verbs'] + ['watch'])
            # Key order as the apiserver writes APIResource.
            order = ['name', 'singularName', 'namespaced', 'group', 'version', 'kind', 'verbs',
                     'shortNames', 'categories', 'storageVersionHash']
            resources.append({key: r[key] for key in order if key in r})
            for sub in ('status',) if k.res in ('pods', 'nodes', 'namespaces', 'deployments',
                                                'replicasets', 'resourcequotas', 'services',
                                                'ingresses') else ():
                resources.append({'name': '%s/%s' % (k.res, sub), 'singularName': '',
                                  'namespaced': k.namespaced, 'kind': k.kind,
                                  'verbs': ['get', 'patch', 'update']})
        gv = '%s/%s' % (group, version) if group else version
        body = {'kind': 'APIResourceList', 'apiVersion': 'v1', 'groupVersion': gv,
                'resources': resources}
        path = '/apis/%s/%s' % (group, version) if group else '/api/%s' % version
        docs[path] = dumpb(body)
    glist = []
    for (group, version) in sorted(groups):
        if not group:
            continue
        gv = {'groupVersion': '%s/%s' % (group, version), 'version': version}
        glist.append({'name': group, 'versions': [gv], 'preferredVersion': gv})
    docs['/apis'] = dumpb({'kind': 'APIGroupList', 'apiVersion': 'v1', 'groups': glist})
    for g in glist:
        docs['/apis/' + g['name']] = dumpb(dict({'kind': 'APIGroup', 'apiVersion': 'v1'}, **g))
    return docs
