# SPDX-License-Identifier: MIT
# simlib/logql.py - the part of LogQL the Loki double answers: a stream selector with
# = != =~ !~ matchers and chained line filters |= != |~ !~, with Loki 2.8's error texts.
#
# Regexes are Go RE2 in Loki and Python `re` here: the common syntax is the same, but RE2 has
# \pL / \p{Greek} classes and \z, which Python lacks (an error here), and Python accepts
# lookarounds and backreferences, which RE2 rejects. Matcher regexes are anchored as in
# Prometheus (full match); line-filter regexes are not (search).

import re

EQ, NEQ, RE, NRE = '=', '!=', '=~', '!~'
NO_MATCHERS = ('parse error : queries require at least one regexp or equality matcher that does '
               'not have an empty-compatible value. For instance, app=~".*" does not meet this '
               'requirement, but app=~".+" will')
UNSUPPORTED = ('parse error : lokisim answers log queries made of a stream selector and line '
               'filters (|= != |~ !~) only')


class LogQLError(Exception):
    """A query Loki would reject with 400; str() is the exact body."""


_TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|`[^`]*`)
  | (?P<op>\|=|\|~|!=|!~|=~|=|\||\{|\}|,|\(|\)|\[|\])
  | (?P<number>[0-9]+(?:\.[0-9]+)?[a-z]*)
''', re.X)

_NAMES = {'ident': 'IDENTIFIER', 'string': 'STRING', 'number': 'NUMBER'}
_ESCAPES = {'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
            '\\': '\\', '"': '"', "'": "'"}


def _unquote(tok):
    """Go strconv.Unquote for a lexed string token."""
    if tok[0] == '`':
        return tok[1:-1]
    s = tok[1:-1]
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != '\\':
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in 'xuU':
            n = {'x': 2, 'u': 4, 'U': 8}[e]
            out.append(chr(int(s[i + 2:i + 2 + n], 16)))
            i += 2 + n
        elif e in '01234567':
            out.append(chr(int(s[i + 1:i + 4], 8)))
            i += 4
        else:
            raise ValueError('invalid syntax')
    return ''.join(out)


def _tokens(q):
    """-> list of (kind, text, column 1-based); kind 'op' tokens use their text as name."""
    out = []
    pos = 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m:
            out.append(('bad', q[pos], pos + 1))
            break
        if m.lastgroup != 'ws':
            out.append((m.lastgroup, m.group(), pos + 1))
        pos = m.end()
    out.append(('end', '$end', len(q) + 1))
    return out


def _name(tok):
    kind, text, _ = tok
    if kind in ('op', 'end', 'bad'):
        return text
    return _NAMES[kind]


def _syntax(tok, expecting=None):
    msg = 'parse error at line 1, col %d: syntax error: unexpected %s' % (tok[2], _name(tok))
    if expecting:
        if len(expecting) == 1:
            msg += ', expecting ' + expecting[0]
        else:
            msg += ', expecting %s or %s' % (', '.join(expecting[:-1]), expecting[-1])
    return LogQLError(msg)


class Matcher:
    __slots__ = ('name', 'op', 'value', 'rx')

    def __init__(self, name, op, value, col):
        self.name = name
        self.op = op
        self.value = value
        self.rx = None
        if op in (RE, NRE):
            try:
                m = re.match(r'\(\?[ims]+\)', value)
                head = m.group() if m else ''
                self.rx = re.compile('%s(?:%s)' % (head, value[len(head):]))
            except re.error as e:
                raise LogQLError('parse error at line 1, col %d: error parsing regexp: %s: `%s`'
                                 % (col, e.msg, value))

    def matches(self, v):
        if self.op == EQ:
            return v == self.value
        if self.op == NEQ:
            return v != self.value
        hit = self.rx.fullmatch(v) is not None
        return hit if self.op == RE else not hit

    def __repr__(self):
        return '%s%s%r' % (self.name, self.op, self.value)


class LineFilter:
    __slots__ = ('op', 'value', 'rx', 'needle')

    def __init__(self, op, value, col):
        self.op = op
        self.value = value
        self.rx = None
        self.needle = value.encode('utf-8', 'surrogateescape')
        if op in ('|~', '!~'):
            try:
                self.rx = re.compile(value)
            except re.error as e:
                raise LogQLError('parse error at line 1, col %d: error parsing regexp: %s: `%s`'
                                 % (col, e.msg, value))

    def keep(self, line):
        """line: bytes (UTF-8, raw invalid bytes kept)."""
        if self.op == '|=':
            return self.needle in line
        if self.op == '!=':
            return self.needle not in line
        hit = self.rx.search(line.decode('utf-8', 'surrogateescape')) is not None
        return hit if self.op == '|~' else not hit


class Query:
    def __init__(self, matchers, filters):
        self.matchers = matchers
        self.filters = filters

    def match_labels(self, labels):
        return all(m.matches(labels.get(m.name, '')) for m in self.matchers)

    def keep(self, line):
        return all(f.keep(line) for f in self.filters)


def parse_selector(q, allow_filters=True):
    """Parses a log query. Returns Query; raises LogQLError with Loki's text."""
    toks = _tokens(q)
    i = 0

    def tok():
        return toks[i]

    first = tok()
    if first[0] == 'ident' and toks[1][1] == '(':
        raise LogQLError(UNSUPPORTED)
    if first[1] != '{':
        raise _syntax(first)
    i += 1
    matchers = []
    if tok()[1] == '}':
        i += 1
    else:
        while True:
            t = tok()
            if t[0] != 'ident':
                raise _syntax(t, ['IDENTIFIER'])
            name = t[1]
            i += 1
            t = tok()
            if t[1] not in (EQ, NEQ, RE, NRE):
                raise _syntax(t, ['=', '!=', '=~', '!~'])
            op = t[1]
            i += 1
            t = tok()
            if t[0] != 'string':
                raise _syntax(t, ['STRING'])
            try:
                value = _unquote(t[1])
            except (ValueError, IndexError):
                raise _syntax(t)
            matchers.append(Matcher(name, op, value, t[2]))
            i += 1
            t = tok()
            if t[1] == ',':
                i += 1
                continue
            if t[1] == '}':
                i += 1
                break
            raise _syntax(t, ['}', ','])
    filters = []
    while tok()[0] != 'end':
        t = tok()
        if t[1] in ('|=', '!=', '|~', '!~'):
            if not allow_filters:
                raise _syntax(t)
            op = t[1]
            i += 1
            s = tok()
            if s[0] != 'string':
                raise _syntax(s, ['STRING'])
            try:
                value = _unquote(s[1])
            except (ValueError, IndexError):
                raise _syntax(s)
            filters.append(LineFilter(op, value, s[2]))
            i += 1
            continue
        if t[1] == '|' or t[1] == '[':
            raise LogQLError(UNSUPPORTED)
        raise _syntax(t)
    if not any(m.op in (EQ, RE) and m.matches('') is False for m in matchers):
        raise LogQLError(NO_MATCHERS)
    return Query(matchers, filters)


def format_labels(labels):
    """Prometheus/Loki label-set text, sorted by name: {a="1", b="2"}."""
    return '{%s}' % ', '.join('%s="%s"' % (k, v.replace('\\', '\\\\').replace('"', '\\"')
                                           .replace('\n', '\\n'))
                              for k, v in sorted(labels.items()))
