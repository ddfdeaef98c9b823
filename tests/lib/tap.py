# SPDX-License-Identifier: MIT
# tests/lib/tap.py - TAP output for the Python tests: one `ok`/`not ok` line per case, the plan
# printed after them (as tests/lib/tap.sh does for the shell tests).

import sys
import traceback

_n = 0
_failed = 0


def ok(cond, name, diag=None):
    """One case; diag (any text, first 30 lines) is printed when it fails. Returns cond."""
    global _n, _failed
    _n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', _n, name), flush=True)
    if not cond:
        _failed += 1
        if diag is not None:
            for line in str(diag).splitlines()[:30]:
                print('# ' + line)
        sys.stdout.flush()
    return cond


def case(name):
    """Runs the decorated check as one TAP case: it returns None/True or (bool, diagnostic);
    an exception fails the case with its traceback."""
    def wrap(fn):
        try:
            r = fn()
            if r is None or r is True:
                ok(True, name)
            elif isinstance(r, tuple):
                ok(r[0], name, r[1])
            else:
                ok(False, name, r)
        except Exception:
            ok(False, name, traceback.format_exc())
        return fn
    return wrap


def plan_done():
    """Prints the plan; the exit status for the test: 1 when a case failed."""
    print('1..%d' % _n, flush=True)
    return 1 if _failed else 0
