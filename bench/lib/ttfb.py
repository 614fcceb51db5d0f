#!/usr/bin/python3
"""Time to the first body byte of one HTTP/1.1 GET to 127.0.0.1.

usage: ttfb.py PORT PATH

Prints one line "first_ms total_ms status body_len": first_ms is the time
from sending the request to the arrival of the first body byte after the
header block (for a chunked response, the first chunk-data byte after
de-chunking), total_ms the time until the body is complete, body_len the
de-chunked body length. Exit status 1 (message on stderr) when the response
is incomplete or malformed, or after 30 s.
"""
import socket
import sys
import time

TIMEOUT = 30.0


class Fail(Exception):
    pass


class Reader:
    def __init__(self, sock, deadline):
        self.sock, self.deadline, self.buf = sock, deadline, b""

    def more(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Fail("timed out")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Fail("timed out")
        if not data:
            raise Fail("connection closed early")
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self.more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    deadline = time.monotonic() + TIMEOUT
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rd = Reader(sock, deadline)
    t0 = time.monotonic()
    sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Connection: close\r\n\r\n" % path).encode())
    while b"\r\n\r\n" not in rd.buf:
        rd.more()
    head, rd.buf = rd.buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for h in lines[1:]:
        k, _, v = h.partition(b":")
        hdrs[k.strip().lower()] = v.strip().lower()
    first = None
    body_len = 0
    if hdrs.get(b"transfer-encoding", b"").endswith(b"chunked"):
        while True:
            size = int(rd.line().split(b";")[0], 16)
            if size == 0:
                break
            while not rd.buf:          # the first data byte of this chunk
                rd.more()
            if first is None:
                first = time.monotonic() - t0
            while len(rd.buf) < size + 2:
                rd.more()
            if rd.buf[size:size + 2] != b"\r\n":
                raise Fail("bad chunk framing")
            rd.buf = rd.buf[size + 2:]
            body_len += size
    elif b"content-length" in hdrs:
        want = int(hdrs[b"content-length"])
        while want and not rd.buf:
            rd.more()
        if want:
            first = time.monotonic() - t0
        while len(rd.buf) < want:
            rd.more()
        body_len = want
    else:                              # close-delimited
        while not rd.buf:
            rd.more()
        first = time.monotonic() - t0
        try:
            while True:
                rd.more()
        except Fail as e:
            if str(e) != "connection closed early":
                raise
        body_len = len(rd.buf)
    total = time.monotonic() - t0
    sock.close()
    if first is None:
        raise Fail("empty body")
    print("%.3f %.3f %d %d" % (first * 1e3, total * 1e3, status, body_len))


if __name__ == "__main__":
    try:
        main()
    except (Fail, OSError, ValueError, IndexError) as e:
        print("ttfb.py: %s" % e, file=sys.stderr)
        sys.exit(1)
