#!/usr/bin/env python3
"""A static file server that misbehaves on request, for the fetcher's tests.

Usage: fault_server.py --root DIR [--tls-dir DIR] [--max-seconds N]

Binds 127.0.0.1 on free ports and prints one line on stdout:
  "http=<port> https=<port>"      (https=0 without --tls-dir)
then serves DIR over HTTP/1.1 with keep-alive, ETag and Last-Modified, and
answers If-None-Match / If-Modified-Since with 304. Files are re-read on
every request, so a test can change the content between polls.

Faults, by path (any query string is ignored unless noted):
  /_fault/404, /_fault/500     that status, with a short body
  /_fault/close                reads the request, closes without answering
  /_fault/hang                 reads the request, never answers
  /_fault/drip                 announces 100000 bytes, sends 1 byte / 100 ms
  /_fault/trickle?rate=R&bytes=N  announces N bytes (default 1000000) and sends
                               them at R bytes/s (default 1200: just above
                               the fetcher's 1024 B/s floor, so only its total
                               timeout ends the transfer), a tenth every 100 ms
  /_fault/truncate             announces 1000 bytes, sends 100, closes
  /_fault/oversize?bytes=N     a body of N bytes (default 4 MiB) with its
                               Content-Length
  /_fault/oversize-chunked?bytes=N  the same, chunked (no Content-Length)
  /_fault/error-huge           a 404 with a 4 MiB body (an error page is not
                               the body a fetcher limits)
  /_fault/redirect-loop        302 to itself, forever
  /_fault/redirect?to=/path    one 302 to /path on the same server
  /_fault/redirect-to-http?to=/path  302 to http://127.0.0.1:<http port>/path
                               (the downgrade a fetcher must refuse on https)
  /_fault/garbage              non-HTTP bytes, then close

Faults on ordinary paths, set through the control endpoint:
  /_control/set?path=/b/manifest.json&fault=500   that path now behaves like
                               /_fault/500 (fault = any name above)
  /_control/clear              all paths back to normal
  /_control/requests           the request log, one "METHOD path" a line
  /_control/peers              one "path client-port" a line, to tell which
                               requests shared a (kept-alive) connection

The server exits by itself after --max-seconds (default 120) so a test that
dies without cleaning up cannot leave it behind, and when its stdin reaches
end of file if --exit-on-stdin-eof is given (the parent's end of a pipe).
"""

import argparse
import email.utils
import http.server
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

STOP = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault_server"
    sys_version = ""

    def log_message(self, format, *args):  # quiet: tests read stdout
        pass

    # -- helpers --------------------------------------------------------
    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _close_now(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- dispatch -------------------------------------------------------
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        with self.server.state.lock:
            self.server.state.requests.append(f"{self.command} {url.path}")
            self.server.state.peers.append(f"{url.path} {self.client_address[1]}")
            override = self.server.state.overrides.get(url.path)
        if url.path.startswith("/_control/"):
            return self._control(url.path[len("/_control/"):], query)
        if override is not None:
            return self._fault(override, query)
        if url.path.startswith("/_fault/"):
            return self._fault(url.path[len("/_fault/"):], query)
        return self._file(url.path)

    do_HEAD = do_GET

    def _control(self, action, query):
        state = self.server.state
        with state.lock:
            if action == "set":
                state.overrides[query["path"][0]] = query["fault"][0]
                body = b"ok\n"
            elif action == "clear":
                state.overrides.clear()
                body = b"ok\n"
            elif action == "requests":
                body = "".join(line + "\n" for line in state.requests).encode()
            elif action == "peers":
                body = "".join(line + "\n" for line in state.peers).encode()
            else:
                return self._send(400, b"unknown control action\n")
        self._send(200, body, [("Content-Type", "text/plain")])

    def _fault(self, name, query):
        if name in ("404", "500"):
            return self._send(int(name), f"fault {name}\n".encode(),
                              [("Content-Type", "text/plain")])
        if name == "close":
            return self._close_now()
        if name == "hang":
            # Until the client gives up (its timeout) or the server stops.
            self.connection.settimeout(0.2)
            while not STOP.is_set():
                try:
                    if self.connection.recv(1) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            return self._close_now()
        if name == "drip":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.flush()
            for _ in range(100000):
                if STOP.wait(0.1):
                    break
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    break
            return self._close_now()
        if name == "trickle":
            rate = int(query.get("rate", ["1200"])[0])
            size = int(query.get("bytes", ["1000000"])[0])
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()
            sent = 0
            piece = max(1, rate // 10)
            while sent < size and not STOP.wait(0.1):
                try:
                    self.wfile.write(b"t" * min(piece, size - sent))
                    self.wfile.flush()
                except OSError:  # the client gave up or was stopped
                    break
                sent += piece
            return self._close_now()
        if name == "truncate":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"t" * 100)
            self.wfile.flush()
            return self._close_now()
        if name in ("oversize", "oversize-chunked", "error-huge"):
            size = int(query.get("bytes", [str(4 << 20)])[0])
            self.send_response(404 if name == "error-huge" else 200)
            chunked = name == "oversize-chunked"
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            block = b"o" * 65536
            try:
                sent = 0
                while sent < size:
                    piece = block[:min(len(block), size - sent)]
                    if chunked:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    else:
                        self.wfile.write(piece)
                    sent += len(piece)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            except OSError:  # the client hung up at its limit, as it should
                return self._close_now()
            return
        if name == "redirect-loop":
            return self._send(302, b"", [("Location", "/_fault/redirect-loop?" +
                                          str(time.monotonic_ns()))])
        if name == "redirect":
            return self._send(302, b"", [("Location", query["to"][0])])
        if name == "redirect-to-http":
            target = f"http://127.0.0.1:{self.server.state.http_port}{query.get('to', ['/'])[0]}"
            return self._send(302, b"", [("Location", target)])
        if name == "garbage":
            self.wfile.write(bytes(range(256)) * 8)
            self.wfile.flush()
            return self._close_now()
        return self._send(400, f"unknown fault {name}\n".encode())

    def _file(self, path):
        root = self.server.state.root
        full = os.path.realpath(os.path.join(root, urllib.parse.unquote(path).lstrip("/")))
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            return self._send(404, b"not found\n", [("Content-Type", "text/plain")])
        info = os.stat(full)
        etag = f'"{int(info.st_mtime):x}-{info.st_size:x}"'
        last_modified = email.utils.formatdate(info.st_mtime, usegmt=True)
        validators = [("ETag", etag), ("Last-Modified", last_modified)]
        if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-None-Match") is None and
                self.headers.get("If-Modified-Since") == last_modified):
            self.send_response(304)
            for name, value in validators:
                self.send_header(name, value)
            self.end_headers()
            return
        with open(full, "rb") as f:
            body = f.read()
        self._send(200, body, validators + [("Content-Type", "application/octet-stream")])


class State:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.lock = threading.Lock()
        self.overrides = {}
        self.requests = []
        self.peers = []
        self.http_port = 0


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients hanging up mid-answer, or refusing the test certificate, is
        # what the tests provoke; anything else is a bug worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def serve(server):
    server.serve_forever(poll_interval=0.1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--tls-dir", help="make a test PKI here and serve https too")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    state = State(args.root)
    http_server = Server(("127.0.0.1", 0), Handler)
    http_server.state = state
    state.http_port = http_server.server_address[1]
    servers = [http_server]
    https_port = 0
    if args.tls_dir:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import testpki
        pki = testpki.make_pki(args.tls_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki["cert"], pki["key"])
        https_server = Server(("127.0.0.1", 0), Handler)
        https_server.state = state
        # The handshake runs on the handler's thread, not the accept loop.
        https_server.socket = context.wrap_socket(https_server.socket, server_side=True,
                                                  do_handshake_on_connect=False)
        https_port = https_server.server_address[1]
        servers.append(https_server)

    for server in servers:
        threading.Thread(target=serve, args=(server,), daemon=True).start()
    print(f"http={state.http_port} https={https_port}", flush=True)

    if args.exit_on_stdin_eof:
        def watch_stdin():
            sys.stdin.buffer.read()
            STOP.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    STOP.wait(args.max_seconds)
    STOP.set()
    time.sleep(0.2)  # lets hanging handlers notice
    os._exit(0)


if __name__ == "__main__":
    main()
