#!/usr/bin/python3
"""Median time to the first body byte of a streamed response.

    ttfb.py PORT PATH REPEAT  ->  prints the median seconds
"""
import socket
import statistics
import sys
import time


def once(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    t0 = time.monotonic()
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
               % path).encode())
    buf = b""
    first = None
    while True:
        data = s.recv(65536)
        if not data:
            break
        buf += data
        i = buf.find(b"\r\n\r\n")
        if first is None and i >= 0:
            body = buf[i + 4:]
            head = buf[:i].lower()
            if b"transfer-encoding: chunked" in head:
                j = body.find(b"\r\n")
                if j >= 0 and len(body) > j + 2 and not body.startswith(b"0\r\n"):
                    first = time.monotonic() - t0
            elif body:
                first = time.monotonic() - t0
    s.close()
    return first if first is not None else float("nan")


port, path, rep = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print("%.4f" % statistics.median(once(port, path) for _ in range(rep)))
