#!/usr/bin/env python3
"""A TCP relay that counts bytes, for the network benchmark.

Usage: tcp_relay.py --target PORT --count-file FILE [--max-seconds N]
                    [--exit-on-stdin-eof]

Listens on 127.0.0.1 (free port, printed as "port=<port>"), forwards every
connection to 127.0.0.1:PORT, and after each connection closes rewrites
FILE with "<connections> <bytes client->server> <bytes server->client>"
(totals so far). TLS passes through untouched, so the counts include
handshakes and record overhead: what a unit's network really carries.
"""

import argparse
import os
import socket
import sys
import threading

lock = threading.Lock()
totals = [0, 0, 0]


def pump(source, sink, index):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            with lock:
                totals[index] += len(data)
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def relay(client, target, count_file):
    upstream = socket.create_connection(("127.0.0.1", target))
    up = threading.Thread(target=pump, args=(client, upstream, 1))
    down = threading.Thread(target=pump, args=(upstream, client, 2))
    up.start()
    down.start()
    up.join()
    down.join()
    client.close()
    upstream.close()
    with lock:
        totals[0] += 1
        with open(count_file + ".tmp", "w") as f:
            f.write(" ".join(str(t) for t in totals) + "\n")
        os.replace(count_file + ".tmp", count_file)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--count-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"port={listener.getsockname()[1]}", flush=True)

    def accept_forever():
        while True:
            client, _ = listener.accept()
            threading.Thread(target=relay, args=(client, args.target, args.count_file),
                             daemon=True).start()

    threading.Thread(target=accept_forever, daemon=True).start()
    stop = threading.Event()
    if args.exit_on_stdin_eof:
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), stop.set()),
                         daemon=True).start()
    stop.wait(args.max_seconds)
    os._exit(0)


if __name__ == "__main__":
    main()
