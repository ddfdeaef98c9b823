#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/lib/stubserver.py - a tiny scriptable HTTP/HTTPS server for transport tests.
#
# `stubserver.py mkcerts DIR` writes a test PKI with the openssl command:
# ca.{crt,key}, server.{crt,key} (127.0.0.1, localhost, api.test.local),
# client.{crt,key} (CN opsdeck-test, signed by ca), other-ca.{crt,key}.
#
# Otherwise it binds 127.0.0.1 on a free port, prints "PORT <n>" on stdout, and serves
# until stdin reaches EOF (the test that started it went away), it is
# killed, or --lifetime seconds pass. HTTP/1.1 with keep-alive.
#
# Endpoints (query parameters in brackets):
#   /echo                        200, JSON: method, path, headers, body
#   /text[size,type]             200, `size` bytes of a fixed pattern; gzip when accepted
#   /chunked[chunks,size]        200, chunked: `chunks` chunks of `size` bytes
#   /stream[n,interval_ms]       200, chunked NDJSON: n lines {"i":k}, one per interval
#   /stall                       200, chunked: one line, then silence (until the client leaves)
#   /hang[secs]                  reads the request, answers nothing for secs (default 30)
#   /retry[key,fails,after,code] `fails` times `code` (429) with Retry-After `after`, then 200
#   /status[code,type,body]      that status, content type and body
#   /truncate                    Content-Length 100, 10 bytes, close
#   /auth                        200 when Authorization matches --token / --basic, else 401 Status
#   /clientcert                  200 with the client certificate's subject CN, else 401
#   /date[at]                    200 with Date: at
#   /stats                       200, JSON: connections accepted, requests served
#
# A scripted Kubernetes resource for kube.c tests, configured with POST /_stub/config (JSON,
# merged into the defaults below) and inspected with GET /_stub/log:
#   /api/v1/pods[limit,continue] a PodList of `items` pods (each padded with `pad` bytes),
#                                paged with continue tokens "c<offset>"; the metadata goes out
#                                first, the items `page_delay_ms` later; `expire_continue`
#                                requests with a continue token get 410 Expired first; item
#                                number `bad_item` has a malformed metadata. With `gzip`
#                                (and the client accepting it) pages and errors go gzip, the
#                                metadata flushed as its own deflate block first;
#                                `gzip_garbage` says gzip but sends bytes that are not;
#                                `cont_escape` writes continue tokens with \u escapes
#   /api/v1/pods?watch=true      `watch_status` (200) and then the `watch` lines (each
#                                {"line": text, "delay_ms": n}), then EOF, or silence while
#                                `watch_hold` (until the client leaves)
#   /api/v1/namespaces/x/token   200 when Authorization is Bearer <`token`>, else 401
#   /_stub/log                   every request: path, start and end (ms since start)
#   /api/v1/namespaces/N/services/S/proxy/REST
#                                the API server's service proxy: answered as /REST by this
#                                same server, except service "down[:port]": 503 Status
#                                "no endpoints available for service", as kube-apiserver says
#
# With --discovery DIR, /api..., /apis... are answered from DIR/<path with / as __>.json
# (api__v1.json for /api/v1), 404 when missing, and /version with a fixed k3s version.
import argparse
import base64
import gzip
import http.server
import json
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import zlib

PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n"

state_lock = threading.Lock()
state = {"connections": 0, "requests": 0, "retry": {}, "log": []}
KUBE_DEFAULTS = {"items": 30, "pad": 100, "page_delay_ms": 0, "expire_continue": 0,
                 "bad_item": -1, "watch_status": 200, "watch_body": None, "watch": [],
                 "watch_hold": False, "gzip": False, "gzip_garbage": False,
                 "cont_escape": False, "token": "good", "list_rv": "100"}
kube = dict(KUBE_DEFAULTS)
T0 = time.monotonic()


def now_ms():
    return int((time.monotonic() - T0) * 1000)
stopping = threading.Event()


def pattern(size):
    reps = size // len(PATTERN) + 1
    return (PATTERN * reps)[:size]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stubserver/1"

    def log_message(self, fmt, *args):
        pass

    def query(self):
        parsed = urllib.parse.urlsplit(self.path)
        qs = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        q = {k: v[-1] for k, v in qs.items()}
        return parsed.path, q

    def send_body(self, code, body, ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, code, obj, extra=None):
        self.send_body(code, json.dumps(obj).encode(), "application/json", extra)

    def status_obj(self, code, reason, message):
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code}

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def start_chunked(self, ctype="application/json", extra=None):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.flush()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def wait_gone(self, secs):
        """Sleeps up to secs, returning early when the client closes."""
        deadline = time.monotonic() + secs
        self.connection.settimeout(0.1)
        while time.monotonic() < deadline and not stopping.is_set():
            try:
                if self.connection.recv(1) == b"":
                    return
            except (socket.timeout, BlockingIOError, ssl.SSLWantReadError):
                continue
            except OSError:
                return

    def do_POST(self):
        self.do_GET()

    def do_PUT(self):
        self.do_GET()

    def do_PATCH(self):
        self.do_GET()

    def do_DELETE(self):
        self.do_GET()

    def do_GET(self):
        with state_lock:
            state["requests"] += 1
            entry = {"path": self.path, "start": now_ms(), "end": None}
            state["log"].append(entry)
        path, q = self.query()
        body = self.read_body() if self.command in ("POST", "PUT", "PATCH", "DELETE") else b""
        parts = path.split("/", 7)
        if len(parts) == 8 and parts[1:4] == ["api", "v1", "namespaces"] and \
                parts[5] == "services" and parts[7].startswith("proxy/"):
            service = parts[6].split(":")[0]
            if service == "down":
                self.send_json(503, self.status_obj(
                    503, "ServiceUnavailable",
                    'no endpoints available for service "%s"' % service))
                return
            path = "/" + parts[7][len("proxy/"):]
        if self.server.discovery and (path == "/version" or path.startswith("/api")) and \
                path != "/api/v1/pods" and "/namespaces/" not in path:
            fn = self.discovery_doc
        elif path == "/api/v1/pods":
            fn = self.kube_watch if q.get("watch") in ("true", "1") else self.kube_list
        elif path.startswith("/api/v1/namespaces/") and path.endswith("/token"):
            fn = self.kube_token
        elif path.startswith("/_stub/"):
            fn = getattr(self, "stub_" + path[7:].replace("-", "_"), None)
        else:
            fn = getattr(self, "ep_" + path.strip("/").replace("-", "_"), None)
        if fn is None:
            self.send_body(404, b"404 page not found\n", "text/plain; charset=utf-8")
            return
        try:
            fn(q, body)
        finally:
            entry["end"] = now_ms()

    # --- the scripted Kubernetes resource ---------------------------------------------------
    def stub_config(self, q, body):
        with state_lock:
            if self.command == "POST":
                kube.clear()
                kube.update(KUBE_DEFAULTS)
                kube.update(json.loads(body or b"{}"))
                state["log"] = []
            self.send_json(200, kube)

    def stub_log(self, q, body):
        with state_lock:
            self.send_json(200, state["log"])

    def kube_list(self, q, body):
        with state_lock:
            cfg = dict(kube)
            expire = cfg["expire_continue"] > 0 and "continue" in q
            if expire:
                kube["expire_continue"] -= 1
        gz = cfg["gzip"] and "gzip" in (self.headers.get("Accept-Encoding") or "")
        if expire:
            err = self.status_obj(410, "Expired", "The provided continue parameter is too old "
                                  "to display a consistent list result.")
            if gz:
                self.send_body(410, gzip.compress(json.dumps(err).encode()), "application/json",
                               {"Content-Encoding": "gzip"})
            else:
                self.send_json(410, err)
            return
        limit = int(q.get("limit", "0")) or cfg["items"]
        start = int(q["continue"][1:]) if "continue" in q else 0
        end = min(cfg["items"], start + limit)
        meta = {"resourceVersion": cfg["list_rv"]}
        if end < cfg["items"]:
            meta["continue"] = "c%d" % end
            meta["remainingItemCount"] = cfg["items"] - end
        head = json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": meta})[:-1]
        if cfg["cont_escape"] and "continue" in meta:
            esc = "".join("\\u%04x" % ord(ch) for ch in meta["continue"])
            head = head.replace('"%s"' % meta["continue"], '"%s"' % esc)
        items = [{"metadata": {"name": "pod-%04d" % i, "namespace": "ns",
                               "resourceVersion": str(i + 1),
                               "annotations": {"pad": "x" * cfg["pad"]}},
                  "spec": {"containers": [{"name": "app", "image": "app:1"}]},
                  "status": {"phase": "Running"}}
                 for i in range(start, end)]
        for it in items:
            if it["metadata"]["name"] == "pod-%04d" % cfg["bad_item"]:
                it["metadata"] = "not an object"
        first = (head + ',"items":[').encode()
        rest = (",".join(json.dumps(i) for i in items) + "]}").encode()
        if gz and cfg["gzip_garbage"]:
            self.start_chunked(extra={"Content-Encoding": "gzip"})
            self.chunk(b"<html>not gzip at all</html>")
            self.wfile.write(b"0\r\n\r\n")
            return
        if gz:
            z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            first = z.compress(first) + z.flush(zlib.Z_SYNC_FLUSH)
            rest = z.compress(rest) + z.flush()
            self.start_chunked(extra={"Content-Encoding": "gzip"})
        else:
            self.start_chunked()
        self.chunk(first)
        if cfg["page_delay_ms"]:
            time.sleep(cfg["page_delay_ms"] / 1000.0)
        self.chunk(rest)
        self.wfile.write(b"0\r\n\r\n")

    def kube_watch(self, q, body):
        with state_lock:
            cfg = dict(kube)
        if cfg["watch_status"] != 200:
            self.send_body(cfg["watch_status"], (cfg["watch_body"] or "").encode(),
                           "application/json")
            return
        self.start_chunked()
        try:
            for ev in cfg["watch"]:
                if ev.get("delay_ms"):
                    time.sleep(ev["delay_ms"] / 1000.0)
                self.chunk((ev["line"] + "\n").encode())
            if cfg["watch_hold"]:
                self.wait_gone(30)
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    def discovery_doc(self, q, body):
        path, _ = self.query()
        if path == "/version":
            self.send_json(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.4+k3s1"})
            return
        f = os.path.join(self.server.discovery, path.strip("/").replace("/", "__") + ".json")
        if not os.path.isfile(f):
            self.send_json(404, self.status_obj(404, "NotFound", "the server could not find "
                                                "the requested resource"))
            return
        with open(f, "rb") as fh:
            self.send_body(200, fh.read())

    def kube_token(self, q, body):
        if (self.headers.get("Authorization") or "") == "Bearer " + kube["token"]:
            self.send_json(200, {"kind": "Namespace", "metadata": {"name": "x"}})
        else:
            self.send_json(401, self.status_obj(401, "Unauthorized", "Unauthorized"))

    def ep_echo(self, q, body):
        self.send_json(200, {"method": self.command, "path": self.path,
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body.decode("utf-8", "replace")})

    def ep_text(self, q, body):
        data = pattern(int(q.get("size", "1000")))
        ctype = q.get("type", "text/plain")
        extra = {}
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data)
            extra["Content-Encoding"] = "gzip"
        self.send_body(200, data, ctype, extra)

    def ep_chunked(self, q, body):
        chunks, size = int(q.get("chunks", "10")), int(q.get("size", "100"))
        self.start_chunked("text/plain")
        data = pattern(chunks * size)
        for i in range(chunks):
            self.chunk(data[i * size:(i + 1) * size])
        self.wfile.write(b"0\r\n\r\n")

    def ep_stream(self, q, body):
        n, interval = int(q.get("n", "10")), int(q.get("interval_ms", "50")) / 1000.0
        self.start_chunked()
        try:
            for i in range(n):
                self.chunk(b'{"i":%d}\n' % i)
                time.sleep(interval)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def ep_stall(self, q, body):
        self.start_chunked()
        self.chunk(b'{"i":0}\n')
        self.wait_gone(float(q.get("secs", "30")))
        self.close_connection = True

    def ep_hang(self, q, body):
        self.wait_gone(float(q.get("secs", "30")))
        self.close_connection = True

    def ep_retry(self, q, body):
        key, fails = q.get("key", "k"), int(q.get("fails", "1"))
        with state_lock:
            seen = state["retry"].get(key, 0)
            state["retry"][key] = seen + 1
        if seen < fails:
            code = int(q.get("code", "429"))
            reason = "TooManyRequests" if code == 429 else "ServiceUnavailable"
            self.send_json(code, self.status_obj(code, reason, "slow down"),
                           {"Retry-After": q.get("after", "1")})
        else:
            self.send_json(200, {"ok": True, "attempts": seen + 1})

    def ep_status(self, q, body):
        self.send_body(int(q.get("code", "500")), q.get("body", "").encode(),
                       q.get("type", "text/plain"))

    def ep_truncate(self, q, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b'{"kind":"Po')
        self.wfile.flush()
        self.close_connection = True

    def ep_auth(self, q, body):
        got = self.headers.get("Authorization") or ""
        if self.server.auth and got in self.server.auth:
            self.send_json(200, {"authorization": got.split(" ")[0]})
        else:
            self.send_json(401, self.status_obj(401, "Unauthorized", "Unauthorized"))

    def ep_clientcert(self, q, body):
        cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if not cert:
            self.send_json(401, self.status_obj(401, "Unauthorized", "no client certificate"))
            return
        cn = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
        self.send_json(200, {"cn": cn[0] if cn else ""})

    def ep_date(self, q, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def date_time_string(self, timestamp=None):
        _, q = self.query()
        if "at" in q:
            return q["at"]
        return super().date_time_string(timestamp)

    def ep_stats(self, q, body):
        with state_lock:
            self.send_json(200, {"connections": state["connections"],
                                 "requests": state["requests"]})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, tls_ctx, auth, discovery):
        super().__init__(addr, Handler)
        self.tls_ctx = tls_ctx
        self.auth = auth
        self.discovery = discovery

    def finish_request(self, request, client_address):
        with state_lock:
            state["connections"] += 1
        if self.tls_ctx:
            # The handshake runs here, in the connection's thread, so a client
            # that never finishes it blocks nobody else.
            request.settimeout(10)
            try:
                request = self.tls_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            request.settimeout(None)
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def openssl(*args):
    import subprocess
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def mkcerts(d):
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", p(ca + ".key"), "-out", p(ca + ".crt"), "-days", "30",
                "-subj", "/CN=opsdeck test " + ca)
    with open(p("server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.test.local\n")
    with open(p("client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for leaf, cn in (("server", "localhost"), ("client", "opsdeck-test")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", p(leaf + ".key"), "-out", p(leaf + ".csr"), "-subj", "/CN=" + cn)
        openssl("x509", "-req", "-in", p(leaf + ".csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
                "-CAcreateserial", "-out", p(leaf + ".crt"), "-days", "2",
                "-extfile", p(leaf + ".ext"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "mkcerts":
        mkcerts(sys.argv[2])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--basic", action="append", default=[], help="user:password")
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--discovery")
    args = ap.parse_args()

    tls_ctx = None
    if args.cert:
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            tls_ctx.verify_mode = ssl.CERT_OPTIONAL
            tls_ctx.load_verify_locations(args.client_ca)
    auth = ["Bearer " + t for t in args.token]
    auth += ["Basic " + base64.b64encode(b.encode()).decode() for b in args.basic]
    srv = Server(("127.0.0.1", 0), tls_ctx, auth, args.discovery)
    sys.stdout.write("PORT %d\n" % srv.server_address[1])
    sys.stdout.flush()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        stopping.set()
        srv.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    timer = threading.Timer(args.lifetime, lambda: (stopping.set(), srv.shutdown()))
    timer.daemon = True
    timer.start()
    srv.serve_forever(poll_interval=0.1)
    os._exit(0)


if __name__ == "__main__":
    main()
