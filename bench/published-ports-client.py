#!/usr/bin/env python3
"""Client of bench/published-ports.sh: HTTP/1.0 GETs over raw sockets, so the client costs the same on every path.

  published-ports-client.py throughput HOST PORT PATH ROUNDS   -> one MB/s figure per round (one download each)
  published-ports-client.py connrate HOST PORT PATH COUNT      -> connections per second (COUNT sequential GETs)
"""
import socket
import sys
import time


def get(host, port, path):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
    total = 0
    buf = bytearray(1 << 20)
    while True:
        n = s.recv_into(buf)
        if n == 0:
            break
        total += n
    s.close()
    return total


def main():
    mode, host, port, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    get(host, port, path)  # warm-up
    if mode == "throughput":
        for _ in range(count):
            start = time.perf_counter()
            n = get(host, port, path)
            print("%.1f" % (n / (time.perf_counter() - start) / 1e6))
    else:
        start = time.perf_counter()
        for _ in range(count):
            get(host, port, path)
        print("%.0f" % (count / (time.perf_counter() - start)))


main()
