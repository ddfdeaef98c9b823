#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/screens/console-hostile.py - hostile strings from the cluster: prints, as one JSON list
# for the sim's `POST /_sim/objects`, a tenant namespace and eight pods in it whose names, labels,
# container names, images, states and condition messages hold escape sequences (CSI, OSC 52,
# OSC 8, OSC 0), C0 and C1 controls, DEL, NUL, bidi overrides and isolates, zero-width characters
# and wide characters. JSON cannot carry invalid UTF-8 (and neither the sim nor a real API server
# sends it), so the pod "bad-utf8-QQQQ-x" carries the marker QQQQ that console-hostile.test
# replaces by invalid bytes inside cache.db, the other way cluster strings reach the screen.
# Imported by tests/integration/console-pty.py (OBJECTS, NAMESPACE, RAW_SHOWN).
import json

ESC = "\u001b"
NAMESPACE = "dp-evil-" + ESC + "]52;c;cm0gLXJmIC8K\u0007site"

# (raw, shown): what a hostile string would send to the terminal as such, which must never
# appear in the console's output, and the inert form the console draws instead (None: nothing
# in particular; wide characters are drawn as they are).
RAW_SHOWN = [
    (b"\x1b]52;c;cm0gLXJmIC8K\x07", b"^[]52;c;cm0gLXJmIC8K^G"),   # OSC 52: the clipboard
    (b"\x1b]8;;http://evil\x07", b"^[]8;;http://evil^G"),         # OSC 8: a hyperlink
    (b"\x1b]0;pwned-title\x07", b"^[]0;pwned-title^G"),           # OSC 0: the window title
    (b"\x1b[38;5;160mHOSTILE", b"^[[38;5;160mHOSTILE"),           # CSI: colours
    (b"\x1b[31mEvilCrashLoopBackOff", b"^[[31mEvilCrashLoopBackOff"),
    (b"\x1b[5mblink", b"^[[5mblink"),
    (b"\x1b[2J\x1b[?1049l", b"^[[2J^[[?1049l"),                   # clear, leave the screen
    (b"c1-\xc2\x9b31m", b"c1-\xef\xbf\xbd31m"),                     # C1 CSI (U+009B)
    (b"bidi-\xe2\x80\xaegnp", b"bidi-\xef\xbf\xbdgnp"),              # U+202E
    (b"zw-\xe2\x80\x8b\xe2\x80\x8c", b"zw-\xef\xbf\xbd\xef\xbf\xbd"),  # zero-width
    (b"ctl-\x7fdel-\x01soh", b"ctl-^?del-^Asoh"),                   # DEL, C0
    (b"\x00", None),                                               # NUL
    (b"evil\xe2\x80\xaetxt", b"evil\xef\xbf\xbdtxt"),                # the tenant label
    (None, "wide-日本語-😀".encode()),
]


def pod(name, reason, message):
    labels = {"opsdeck-test": "hostile", "app": ESC + "[5mblink" + ESC + "[0m",
              "nul": "a\u0000b"}
    image = "registry.internal:5000/" + ESC + "[31mevil"
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels,
                     "creationTimestamp": "2026-11-24T02:12:00Z"},
        "spec": {"nodeName": "run-1",
                 "containers": [{"name": "app" + ESC + "[7m", "image": image}]},
        "status": {
            "phase": "Running", "podIP": "10.42.3.99", "startTime": "2026-11-24T02:12:00Z",
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                            "message": ESC + "]0;pwned-title\u0007not ready \u202eevil\u0000"}],
            "containerStatuses": [{
                "name": "app" + ESC + "[7m", "ready": False, "restartCount": 3, "image": image,
                "imageID": "", "started": False,
                "state": {"waiting": {"reason": reason, "message": message}}}],
        },
    }


OBJECTS = [
    {"kind": "Namespace", "apiVersion": "v1",
     "metadata": {"name": NAMESPACE, "creationTimestamp": "2026-11-20T03:12:00Z",
                  "labels": {"dp.ml.ink/tenant": "evil\u202etxt.exe",
                             "dp.ml.ink/project": "site\u200b\u2060x",
                             "kubernetes.io/metadata.name": NAMESPACE,
                             "note": ESC + "[2J" + ESC + "[38;5;160mHOSTILE"}},
     "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
    pod("csi-" + ESC + "[38;5;160mHOSTILE" + ESC + "[0m", ESC + "[31mEvilCrashLoopBackOff",
        "back-off " + ESC + "[2J" + ESC + "[?1049l restarting"),
    pod("osc52-" + ESC + "]52;c;cm0gLXJmIC8K\u0007x", "Err" + ESC + "]8;;http://evil\u0007link",
        "osc"),
    pod("c1-\u009b31m-\u0085-\u009d0;t\u009c", "C1\u009b2J", "c1"),
    pod("bidi-\u202egnp.exe", "Bidi\u202e\u2066x", "bidi"),
    pod("zw-\u200b\u200c\u200d\ufeff-x", "Zero\u200bWidth", "zw"),
    pod("wide-日本語-😀", "全角ステータス", "wide"),
    pod("ctl-\u007fdel-\u0001soh", "Ctl\u0007bel", "nul\u0000after"),
    pod("bad-utf8-QQQQ-x", "BadQQQQ", "QQQQ"),
]

if __name__ == "__main__":
    print(json.dumps(OBJECTS))
