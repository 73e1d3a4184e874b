#!/usr/bin/env python3
"""Runs a private nginx for tests: HTTP and HTTPS on 127.0.0.1, free ports.

Usage: nginx_server.py --root DIR --workdir DIR [--extra-conf FILE]
                       [--max-seconds N] [--exit-on-stdin-eof]

Everything nginx writes (config, pid, logs, temp files) and the test PKI
(made with the openssl CLI, see testpki.py) goes under --workdir. nginx runs
in the foreground as a single process ("daemon off; master_process off;"),
so it works as root (no switch to a worker user that could not read a
private temp dir) and as a normal user alike, and it dies with this script.

--extra-conf is a file of directives pasted into the server block (the
publishing doc's snippet, for instance).

Once both ports answer, prints one line on stdout:
  "http=<port> https=<port> ca=<pem> other_ca=<pem> workdir=<dir>"
and then runs until killed (SIGTERM/SIGINT), --max-seconds (default 120)
pass, or stdin reaches end of file with --exit-on-stdin-eof.
"""

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testpki  # noqa: E402

CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {w}/access.log;
  client_body_temp_path {w}/tmp/body;
  proxy_temp_path {w}/tmp/proxy;
  fastcgi_temp_path {w}/tmp/fastcgi;
  uwsgi_temp_path {w}/tmp/uwsgi;
  scgi_temp_path {w}/tmp/scgi;
  server {{
    listen 127.0.0.1:{http};
    listen 127.0.0.1:{https} ssl;
    server_name localhost;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {root};
    # https -> http downgrade, which a fetcher must refuse.
    location = /_test/to-http {{ return 302 http://127.0.0.1:{http}/$arg_to; }}
{extra}
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def die_with_parent():
    # Linux: nginx gets SIGKILL if this script dies, even by SIGKILL.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start(args, pki):
    os.makedirs(os.path.join(args.workdir, "tmp"), exist_ok=True)
    extra = ""
    if args.extra_conf:
        with open(args.extra_conf) as f:
            extra = f.read()
    # A port picked free may be taken before nginx binds it: then retry.
    for _ in range(5):
        http_port, https_port = free_port(), free_port()
        if http_port == https_port:
            continue
        conf = os.path.join(args.workdir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(w=args.workdir, http=http_port, https=https_port,
                                cert=pki["cert"], key=pki["key"],
                                root=os.path.realpath(args.root), extra=extra))
        nginx = subprocess.Popen(
            ["nginx", "-p", args.workdir, "-c", conf, "-e", os.path.join(args.workdir, "error.log")],
            stdin=subprocess.DEVNULL, stdout=sys.stderr, preexec_fn=die_with_parent)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and nginx.poll() is None:
            if answers(http_port) and answers(https_port):
                return nginx, http_port, https_port
            time.sleep(0.05)
        if nginx.poll() is None:
            nginx.kill()
        nginx.wait()
    with open(os.path.join(args.workdir, "error.log")) as f:
        sys.stderr.write(f.read())
    sys.exit("nginx did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--extra-conf")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    args.workdir = os.path.realpath(args.workdir)

    pki = testpki.make_pki(os.path.join(args.workdir, "pki"))
    nginx, http_port, https_port = start(args, pki)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def watch_stdin():
            sys.stdin.buffer.read()
            stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=lambda: (nginx.wait(), stop.set()), daemon=True).start()
    print(f"http={http_port} https={https_port} ca={pki['ca']} other_ca={pki['other_ca']} "
          f"workdir={args.workdir}", flush=True)
    stop.wait(args.max_seconds)
    if nginx.poll() is None:
        nginx.send_signal(signal.SIGQUIT)  # graceful stop
        try:
            nginx.wait(timeout=3)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait()
    sys.stdout.flush()
    # Not a normal return: the stdin watcher thread may be blocked in a read,
    # which makes interpreter shutdown abort.
    os._exit(0)


if __name__ == "__main__":
    main()
