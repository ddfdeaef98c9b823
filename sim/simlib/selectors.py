# SPDX-License-Identifier: MIT
# simlib/selectors.py - label selectors (k8s.io/apimachinery/pkg/labels) and field selectors
# (pkg/fields plus each resource's supported field labels), with the apiserver's error texts.

import re


class SelectorError(Exception):
    """Becomes a 400 BadRequest Status with this message."""


# --- label selectors ----------------------------------------------------------------------------

_KEY = re.compile(r'^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?'
                  r'[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$')
_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')

_TOKENS = re.compile(r'\s*(!=|==|=|!|\(|\)|,|>|<|[^\s!=(),<>]+)')


def _lex(s):
    toks = []
    pos = 0
    while pos < len(s):
        if s[pos:].strip() == '':
            break
        m = _TOKENS.match(s, pos)
        if not m:
            raise SelectorError('unable to parse requirement: found %r' % s[pos:])
        toks.append(m.group(1))
        pos = m.end()
    return toks


def _check_key(k):
    if len(k) > 317 or not _KEY.match(k) or len(k.rsplit('/', 1)[-1]) > 63:
        raise SelectorError(
            'unable to parse requirement: values[0][%s]: Invalid value: "%s": name part must '
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
            "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" % (k, k))


def _check_value(k, v):
    if len(v) > 63 or not _VALUE.match(v):
        raise SelectorError(
            'unable to parse requirement: values[0][%s]: Invalid value: "%s": a valid label must '
            "be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
            "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            % (k, v))


def parse_label_selector(s):
    """Parses a label selector into a list of (key, op, values). Empty selector -> []."""
    if s is None or s.strip() == '':
        return []
    toks = _lex(s)
    reqs = []
    i = 0
    n = len(toks)

    def peek(j=0):
        return toks[i + j] if i + j < n else ''

    while i < n:
        if peek() == '!':
            i += 1
            key = peek()
            if key in ('', ',', '(', ')', '=', '==', '!='):
                raise SelectorError("unable to parse requirement: found '%s', expected: "
                                    "identifier" % key)
            _check_key(key)
            i += 1
            reqs.append((key, '!', ()))
        else:
            key = peek()
            if key in ('', ',', '(', ')', '=', '==', '!=', '>', '<'):
                raise SelectorError("found '%s', expected: !, identifier, or 'end of string'"
                                    % key)
            _check_key(key)
            i += 1
            op = peek()
            if op in ('', ','):
                reqs.append((key, 'exists', ()))
            elif op in ('=', '==', '!=', '>', '<'):
                i += 1
                val = peek()
                if val in (',', ''):
                    val = ''
                elif val in ('(', ')', '=', '==', '!='):
                    raise SelectorError("found '%s', expected: identifier after '%s'" % (val, op))
                else:
                    i += 1
                if op in ('>', '<'):
                    if not re.fullmatch(r'-?\d+', val):
                        raise SelectorError('unable to parse requirement: for \'Gt\', \'Lt\' '
                                            'operators, the value must be an integer')
                else:
                    _check_value(key, val)
                reqs.append((key, {'=': '=', '==': '=', '!=': '!=', '>': 'gt', '<': 'lt'}[op],
                             (val,)))
            elif op in ('in', 'notin'):
                i += 1
                if peek() != '(':
                    raise SelectorError("found '%s', expected: '('" % peek())
                i += 1
                vals = []
                while True:
                    t = peek()
                    if t == ')':
                        if vals and vals[-1] is None:
                            vals[-1] = ''
                        i += 1
                        break
                    if t == '':
                        raise SelectorError("found '', expected: ',', ')' or identifier")
                    if t == ',':
                        if not vals or vals[-1] is None:
                            vals.append('')
                        vals.append(None)
                        i += 1
                        continue
                    if vals and vals[-1] is None:
                        vals[-1] = t
                    elif vals:
                        raise SelectorError("found '%s', expected: ',' or ')'" % t)
                    else:
                        vals.append(t)
                    i += 1
                vals = [v for v in vals if v is not None]
                if not vals:
                    raise SelectorError('for \'in\', \'notin\' operators, values set can\'t be '
                                        'empty')
                for v in vals:
                    _check_value(key, v)
                reqs.append((key, op, tuple(vals)))
            else:
                raise SelectorError("found '%s', expected: in, notin, =, ==, !=, gt, lt" % op)
        if i < n:
            if peek() != ',':
                raise SelectorError("found '%s', expected: ',' or 'end of string'" % peek())
            i += 1
            if i >= n:
                raise SelectorError("found '', expected: !, identifier, or 'end of string'")
    return reqs


def label_match(reqs, labels):
    for key, op, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == 'exists':
            if not has:
                return False
        elif op == '!':
            if has:
                return False
        elif op == '=':
            if not has or v != vals[0]:
                return False
        elif op == '!=':
            if has and v == vals[0]:
                return False
        elif op == 'in':
            if not has or v not in vals:
                return False
        elif op == 'notin':
            if has and v in vals:
                return False
        elif op in ('gt', 'lt'):
            try:
                iv = int(v)
            except (TypeError, ValueError):
                return False
            if op == 'gt' and not iv > int(vals[0]):
                return False
            if op == 'lt' and not iv < int(vals[0]):
                return False
    return True


# --- field selectors ----------------------------------------------------------------------------

def _split_unescaped(s, sep):
    out, cur, esc = [], [], False
    for ch in s:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == '\\':
            cur.append(ch)
            esc = True
        elif ch == sep:
            out.append(''.join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append(''.join(cur))
    return out


def _unescape(v):
    return re.sub(r'\\(.)', r'\1', v)


def parse_field_selector(s, supported):
    """Parses a field selector into [(field, op, value)], checking every field against the
    resource's supported labels (a set). Raises SelectorError with the apiserver's message."""
    if s is None or s.strip() == '':
        return []
    reqs = []
    for part in _split_unescaped(s, ','):
        if part == '':
            continue
        m = re.match(r'^(.*?)(!=|==|=)(.*)$', part)
        if not m:
            raise SelectorError("invalid selector: '%s'; can't understand '%s'" % (s, part))
        field, op, val = m.group(1), m.group(2), _unescape(m.group(3))
        if field not in supported:
            raise SelectorError('field label not supported: %s' % field)
        reqs.append((field, '!=' if op == '!=' else '=', val))
    return reqs


def field_match(reqs, fields):
    for field, op, val in reqs:
        v = fields.get(field, '')
        if op == '=' and v != val:
            return False
        if op == '!=' and v == val:
            return False
    return True


def _meta_fields(obj, namespaced):
    md = obj.get('metadata', {})
    f = {'metadata.name': md.get('name', '')}
    if namespaced:
        f['metadata.namespace'] = md.get('namespace', '')
    return f


def fields_of(res, obj, namespaced):
    """The field-label values the apiserver indexes for each resource (its GetAttrs funcs)."""
    f = _meta_fields(obj, namespaced)
    spec = obj.get('spec') or {}
    status = obj.get('status') or {}
    if res == 'pods':
        f['spec.nodeName'] = spec.get('nodeName', '')
        f['spec.restartPolicy'] = spec.get('restartPolicy', '')
        f['spec.schedulerName'] = spec.get('schedulerName', '')
        f['spec.serviceAccountName'] = spec.get('serviceAccountName', '')
        f['spec.hostNetwork'] = 'true' if spec.get('hostNetwork') else 'false'
        f['status.phase'] = status.get('phase', '')
        f['status.podIP'] = status.get('podIP', '')
        f['status.nominatedNodeName'] = status.get('nominatedNodeName', '')
    elif res == 'nodes':
        f['spec.unschedulable'] = 'true' if spec.get('unschedulable') else 'false'
    elif res == 'namespaces':
        f['status.phase'] = status.get('phase', '')
    elif res == 'secrets':
        f['type'] = obj.get('type', '')
    elif res == 'events':
        io = obj.get('involvedObject') or {}
        for k in ('kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion',
                  'fieldPath'):
            f['involvedObject.' + k] = str(io.get(k, ''))
        f['reason'] = obj.get('reason', '')
        f['reportingComponent'] = obj.get('reportingComponent', '')
        f['source'] = (obj.get('source') or {}).get('component', '')
        f['type'] = obj.get('type', '')
    elif res == 'replicasets':
        f['status.replicas'] = str(status.get('replicas', 0))
    return f


SUPPORTED_FIELDS = {
    'pods': {'metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy',
             'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase',
             'status.podIP', 'status.nominatedNodeName'},
    'nodes': {'metadata.name', 'spec.unschedulable'},
    'namespaces': {'metadata.name', 'status.phase'},
    'secrets': {'metadata.name', 'metadata.namespace', 'type'},
    'events': {'metadata.name', 'metadata.namespace', 'involvedObject.kind',
               'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
               'involvedObject.apiVersion', 'involvedObject.resourceVersion',
               'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'},
    'replicasets': {'metadata.name', 'metadata.namespace', 'status.replicas'},
}


def supported_fields(res, namespaced):
    if res in SUPPORTED_FIELDS:
        return SUPPORTED_FIELDS[res]
    return {'metadata.name', 'metadata.namespace'} if namespaced else {'metadata.name'}
