# SPDX-License-Identifier: MIT
# simlib/util.py - time, JSON encoding, quantities and ids shared by the simulated API server.

import calendar
import hashlib
import json
import re
import time
import uuid
from fractions import Fraction

_ENCODER = json.JSONEncoder(separators=(',', ':'), ensure_ascii=False)
_UID_NS = uuid.UUID('6b1f0c8e-5f34-4c1e-9a57-0b2d5c4e7a11')


def dumpb(obj):
    """Compact JSON bytes as Go's encoding/json writes them (<, >, & escaped)."""
    s = _ENCODER.encode(obj)
    if '<' in s or '>' in s or '&' in s:
        s = s.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')
    return s.encode('utf-8')


def uid_for(*parts):
    """A stable UID: the same object always gets the same uid across runs."""
    return str(uuid.uuid5(_UID_NS, '/'.join(str(p) for p in parts)))


def hexhash(n, *parts):
    return hashlib.sha256('/'.join(str(p) for p in parts).encode()).hexdigest()[:n]


_POD_ALNUM = 'bcdfghjklmnpqrstvwxz2456789'


def name_suffix(n, *parts):
    """A suffix drawn from the alphabet Kubernetes uses for generated names."""
    h = hashlib.sha256('/'.join(str(p) for p in parts).encode()).digest()
    return ''.join(_POD_ALNUM[b % len(_POD_ALNUM)] for b in h[:n])


def template_hash(*parts):
    """pod-template-hash: what ReplicaSets put in their names (8-10 safe characters)."""
    return name_suffix(10, 'pth', *parts)


# --- time ---------------------------------------------------------------------------------------

_RFC3339 = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$')


def parse_time(s):
    """RFC 3339 or Unix seconds -> float seconds since the epoch. ValueError otherwise."""
    s = s.strip()
    if re.fullmatch(r'-?\d+(\.\d+)?', s):
        return float(s)
    m = _RFC3339.match(s)
    if not m:
        raise ValueError('not RFC 3339 or Unix seconds: %r' % s)
    y, mo, d, hh, mi, ss = (int(m.group(i)) for i in range(1, 7))
    t = calendar.timegm((y, mo, d, hh, mi, ss, 0, 0, 0))
    if m.group(7):
        t += float(m.group(7))
    tz = m.group(8)
    if tz not in ('Z', 'z'):
        sign = 1 if tz[0] == '+' else -1
        t -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return t


def rfc3339(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(int(t)))


def http_date(t):
    return time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(int(t)))


def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return '<invalid>'
    if s < 0:
        return '0s'
    if s < 120:
        return '%ds' % s
    minutes = s // 60
    if minutes < 10:
        sec = s % 60
        return '%dm' % minutes if sec == 0 else '%dm%ds' % (minutes, sec)
    if minutes < 180:
        return '%dm' % minutes
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return '%dh' % hours if m == 0 else '%dh%dm' % (hours, m)
    if hours < 48:
        return '%dh' % hours
    if hours < 24 * 8:
        h = hours % 24
        return '%dd' % (hours // 24) if h == 0 else '%dd%dh' % (hours // 24, h)
    if hours < 24 * 365 * 2:
        return '%dd' % (hours // 24)
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        y = hours // 24 // 365
        return '%dy' % y if dy == 0 else '%dy%dd' % (y, dy)
    return '%dy' % (hours // 24 // 365)


def age(ts, now):
    """translateTimestampSince: '<unknown>' for a missing timestamp."""
    if not ts:
        return '<unknown>'
    try:
        return human_duration(now - parse_time(ts))
    except ValueError:
        return '<unknown>'


# --- quantities ---------------------------------------------------------------------------------

_BIN = {'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60}
_DEC = {'n': Fraction(1, 10 ** 9), 'u': Fraction(1, 10 ** 6), 'm': Fraction(1, 1000), '': 1,
        'k': 10 ** 3, 'M': 10 ** 6, 'G': 10 ** 9, 'T': 10 ** 12, 'P': 10 ** 15, 'E': 10 ** 18}
_QTY = re.compile(r'^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$')


def parse_quantity(s):
    """A Kubernetes quantity string -> Fraction in base units. ValueError when malformed."""
    m = _QTY.match(str(s).strip())
    if not m:
        raise ValueError('bad quantity %r' % s)
    num = Fraction(m.group(1))
    suf = m.group(2) or ''
    if suf in _BIN:
        return num * _BIN[suf]
    if suf in _DEC:
        return num * _DEC[suf]
    return num * Fraction(10) ** int(suf[1:])


def format_cpu(q):
    milli = q * 1000
    if milli.denominator != 1:
        milli = Fraction(int(milli) + 1)
    milli = int(milli)
    if milli % 1000 == 0:
        return str(milli // 1000)
    return '%dm' % milli


def format_bytes(q):
    n = int(q)
    if n == 0:
        return '0'
    for suf in ('Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'):
        if n % _BIN[suf] == 0:
            return '%d%s' % (n // _BIN[suf], suf)
    return str(n)

