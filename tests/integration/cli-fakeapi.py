#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/integration/cli-fakeapi.py - a misbehaving "API server" for the cli-*.sh tests (a helper,
# not a test): what sits in front of a real API server when things go wrong.
#
#   cli-fakeapi.py PORT_FILE MODE [ARG]
#
# Binds 127.0.0.1 on a free port, writes the port to PORT_FILE (atomically), and serves until
# it gets SIGTERM or 300 s pass. Plain HTTP (or plain TCP). MODE:
#   html CODE     every request: status CODE with a proxy's HTML page (text/html)
#   silent        accepts connections and never sends a byte (a TLS handshake or a request
#                 waits forever)
#   garbage       answers every connection with bytes that are not HTTP, then closes
# Each accepted connection is logged as one line on stderr.
import os
import signal
import socket
import sys
import threading

PAGES = {
    401: "401 Authorization Required",
    403: "403 Forbidden",
    404: "404 Not Found",
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
}


def html_page(code):
    title = PAGES.get(code, "%d Error" % code)
    return ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>"
            "\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
            % (title, title)).encode()


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    return data


def serve(conn, mode, arg, held):
    try:
        if mode == "silent":
            held.append(conn)
            return
        if mode == "garbage":
            conn.sendall(b"\x16\x03\x01 this is not HTTP \x00\xff\r\n\r\n")
            conn.close()
            return
        code = int(arg)
        body = html_page(code)
        while read_request(conn) is not None:
            head = ("HTTP/1.1 %d %s\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
                    "Content-Length: %d\r\n\r\n" % (code, PAGES.get(code, "Error"), len(body)))
            conn.sendall(head.encode() + body)
        conn.close()
    except OSError:
        pass


def main():
    port_file, mode = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    if mode not in ("html", "silent", "garbage"):
        sys.exit("unknown mode %s" % mode)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, port_file)

    threading.Timer(300, lambda: os._exit(0)).start()
    held = []
    while True:
        conn, peer = srv.accept()
        print("connection from %s:%d" % peer, file=sys.stderr, flush=True)
        threading.Thread(target=serve, args=(conn, mode, arg, held), daemon=True).start()


if __name__ == "__main__":
    main()
