#!/usr/bin/python3
"""Time to first body byte, for the Apache::Test suite (no dependencies).

usage: ttfb.py HOST PORT PATH [--h2c]

Sends one GET for PATH and prints a JSON object:
  {"status": 200, "first_body_byte_s": 0.01, "total_s": 3.02, "body_len": 96}

HTTP/1.1 (default): request with "Connection: close"; first_body_byte_s is
the time from sending the request to the arrival of the first body byte
(for chunked responses: the first chunk-data byte), null if the body is
empty; total_s is the time until the server closes the connection;
body_len is the de-chunked body length.

--h2c: HTTP/2 over cleartext with prior knowledge (the server needs
"Protocols h2c ..."); first_body_byte_s is the first DATA payload byte,
total_s is the end of the stream.

Exits 0 when a complete response was read, 1 on errors (message on stderr),
2 on usage errors. 30 s overall timeout.
"""

import json
import socket
import struct
import sys
import time

TIMEOUT = 30.0


class Fail(Exception):
    pass


class Conn:
    """A socket with a read buffer and an overall deadline."""

    def __init__(self, host, port):
        self.deadline = time.monotonic() + TIMEOUT
        self.sock = socket.create_connection((host, int(port)),
                                             timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False

    def fill(self):
        """Read more data into buf; returns False on EOF."""
        if self.eof:
            return False
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Fail("timed out after %.0f s" % TIMEOUT)
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Fail("timed out after %.0f s" % TIMEOUT)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def take(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise Fail("connection closed early")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def line(self):
        while b"\r\n" not in self.buf:
            if not self.fill():
                raise Fail("connection closed early (incomplete line)")
        data, self.buf = self.buf.split(b"\r\n", 1)
        return data

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------
# HTTP/1.1

def http1(host, port, path):
    conn = Conn(host, port)
    req = ("GET %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: ttfb.py\r\n"
           "Accept: */*\r\nConnection: close\r\n\r\n" % (path, host, port))
    conn.sock.sendall(req.encode("latin-1"))
    t0 = time.monotonic()
    first = None
    body_len = 0

    def got_body(n):
        nonlocal first, body_len
        if n > 0 and first is None:
            first = time.monotonic()
        body_len += n

    # header block(s); skip interim 1xx responses
    while True:
        status_line = conn.line().decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise Fail("bad status line %r" % status_line)
        status = int(parts[1])
        headers = {}
        while True:
            h = conn.line().decode("latin-1")
            if not h:
                break
            name, _, value = h.partition(":")
            name = name.strip().lower()
            value = value.strip()
            headers[name] = (headers[name] + ", " + value
                             if name in headers else value)
        if 100 <= status < 200 and status != 101:
            continue
        break

    te = headers.get("transfer-encoding", "").lower()
    if status in (204, 304) or 100 <= status < 200:
        pass
    elif "chunked" in te:
        while True:
            size_line = conn.line().decode("latin-1")
            try:
                size = int(size_line.split(";", 1)[0].strip(), 16)
            except ValueError:
                raise Fail("bad chunk size line %r" % size_line)
            if size == 0:
                while conn.line():  # trailers
                    pass
                break
            left = size
            while left > 0:
                if not conn.buf and not conn.fill():
                    raise Fail("connection closed inside a chunk")
                n = min(left, len(conn.buf))
                got_body(n)
                conn.buf = conn.buf[n:]
                left -= n
            if conn.take(2) != b"\r\n":
                raise Fail("missing CRLF after chunk data")
    elif "content-length" in headers:
        left = int(headers["content-length"].split(",")[0])
        while left > 0:
            if not conn.buf and not conn.fill():
                raise Fail("connection closed with %d body bytes missing"
                           % left)
            n = min(left, len(conn.buf))
            got_body(n)
            conn.buf = conn.buf[n:]
            left -= n
    else:
        while True:
            if conn.buf:
                got_body(len(conn.buf))
                conn.buf = b""
            if not conn.fill():
                break
    # Connection: close -- wait for the server to close
    while conn.fill():
        conn.buf = b""
    end = time.monotonic()
    conn.close()
    return status, first, end, t0, body_len


# --------------------------------------------------------------------------
# HTTP/2 cleartext with prior knowledge

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
F_DATA, F_HEADERS, F_PRIORITY, F_RST, F_SETTINGS, F_PUSH, F_PING, \
    F_GOAWAY, F_WINDOW, F_CONT = range(10)
FL_END_STREAM, FL_ACK, FL_END_HEADERS, FL_PADDED, FL_PRIORITY = \
    0x1, 0x1, 0x4, 0x8, 0x20

# HPACK static table entries for :status
STATIC_STATUS = {8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500}
# Huffman codes (RFC 7541 appendix B) of the digits, enough for :status
HUFF_DIGITS = {(0x0, 5): "0", (0x1, 5): "1", (0x2, 5): "2",
               (0x19, 6): "3", (0x1a, 6): "4", (0x1b, 6): "5",
               (0x1c, 6): "6", (0x1d, 6): "7", (0x1e, 6): "8",
               (0x1f, 6): "9"}


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + \
        struct.pack(">BBI", ftype, flags, stream) + payload


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7f) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name_index, value):
    """Literal header field without indexing, indexed name, raw value."""
    v = value.encode("latin-1")
    return hpack_int(name_index, 4, 0x00) + hpack_int(len(v), 7, 0x00) + v


def hpack_read_int(data, pos, prefix_bits):
    limit = (1 << prefix_bits) - 1
    value = data[pos] & limit
    pos += 1
    if value < limit:
        return value, pos
    shift = 0
    while True:
        b = data[pos]
        pos += 1
        value += (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def huff_digits(data):
    bits = "".join("{:08b}".format(b) for b in data)
    out, code, n = "", 0, 0
    for bit in bits:
        code, n = (code << 1) | (bit == "1"), n + 1
        if (code, n) in HUFF_DIGITS:
            out += HUFF_DIGITS[(code, n)]
            code, n = 0, 0
        elif n > 6:
            return None  # not a digit: give up
    return out


def h2_status(block):
    """:status from the first field of a response header block, or None."""
    pos = 0
    while pos < len(block) and block[pos] & 0xe0 == 0x20:  # table size upd.
        _, pos = hpack_read_int(block, pos, 5)
    if pos >= len(block):
        return None
    b = block[pos]
    if b & 0x80:
        idx, _ = hpack_read_int(block, pos, 7)
        return STATIC_STATUS.get(idx)
    idx, pos = hpack_read_int(block, pos, 6 if b & 0x40 else 4)
    if idx not in STATIC_STATUS:  # name must be :status (8..14)
        return None
    huff = block[pos] & 0x80
    vlen, pos = hpack_read_int(block, pos, 7)
    raw = block[pos:pos + vlen]
    text = huff_digits(raw) if huff else raw.decode("latin-1")
    try:
        return int(text[:3])
    except (TypeError, ValueError):
        return None


def h2c(host, port, path):
    conn = Conn(host, port)
    window = 1 << 30
    settings = struct.pack(">HI", 0x2, 0) + struct.pack(">HI", 0x4, window)
    block = (b"\x82"                         # :method GET
             + b"\x86"                       # :scheme http
             + hpack_literal(4, path)        # :path
             + hpack_literal(1, "%s:%s" % (host, port))  # :authority
             + b"\x00\x0auser-agent\x07ttfb.py")  # literal, new name
    conn.sock.sendall(PREFACE + frame(F_SETTINGS, 0, 0, settings)
                      + frame(F_WINDOW, 0, 0,
                              struct.pack(">I", window - 65535))
                      + frame(F_HEADERS, FL_END_STREAM | FL_END_HEADERS, 1,
                              block))
    t0 = time.monotonic()
    first = None
    body_len = 0
    status = None
    hdr_block = b""
    consumed = 0
    while True:
        head = conn.take(9)
        length = struct.unpack(">I", b"\0" + head[:3])[0]
        ftype, flags, stream = head[3], head[4], \
            struct.unpack(">I", head[5:9])[0] & 0x7fffffff
        payload = conn.take(length)
        if ftype == F_SETTINGS and not flags & FL_ACK:
            conn.sock.sendall(frame(F_SETTINGS, FL_ACK, 0))
        elif ftype == F_PING and not flags & FL_ACK:
            conn.sock.sendall(frame(F_PING, FL_ACK, 0, payload))
        elif ftype == F_GOAWAY:
            last, code = struct.unpack(">II", payload[:8])
            if last & 0x7fffffff < 1 or code != 0:
                raise Fail("GOAWAY last stream %d error %d %r"
                           % (last & 0x7fffffff, code, payload[8:]))
        elif ftype == F_RST and stream == 1:
            raise Fail("stream reset, error %d"
                       % struct.unpack(">I", payload)[0])
        elif stream == 1 and ftype in (F_HEADERS, F_CONT):
            if ftype == F_HEADERS:
                pad = 0
                if flags & FL_PADDED:
                    pad = payload[0]
                    payload = payload[1:]
                if flags & FL_PRIORITY:
                    payload = payload[5:]
                if pad:
                    payload = payload[:-pad]
                hdr_block = payload
            else:
                hdr_block += payload
            if flags & FL_END_HEADERS and status is None:
                s = h2_status(hdr_block)
                if s is None or not 100 <= s < 200:
                    status = s if s is not None else 0
            if flags & FL_END_STREAM:
                break
        elif stream == 1 and ftype == F_DATA:
            data = payload
            if flags & FL_PADDED:
                data = data[1:len(data) - data[0]]
            if data and first is None:
                first = time.monotonic()
            body_len += len(data)
            consumed += length
            if consumed >= 1 << 20:  # keep the windows open
                inc = struct.pack(">I", consumed)
                conn.sock.sendall(frame(F_WINDOW, 0, 0, inc)
                                  + frame(F_WINDOW, 0, 1, inc))
                consumed = 0
            if flags & FL_END_STREAM:
                break
    end = time.monotonic()
    try:
        conn.sock.sendall(frame(F_GOAWAY, 0, 0, struct.pack(">II", 1, 0)))
    except OSError:
        pass
    conn.close()
    return status, first, end, t0, body_len


def main(argv):
    args = [a for a in argv[1:] if a != "--h2c"]
    use_h2c = len(args) != len(argv) - 1
    if len(args) != 3 or not args[1].isdigit() or not args[2].startswith("/"):
        print("usage: ttfb.py HOST PORT PATH [--h2c]", file=sys.stderr)
        return 2
    host, port, path = args
    try:
        status, first, end, t0, body_len = (h2c if use_h2c else http1)(
            host, port, path)
    except (Fail, OSError, ValueError, IndexError, struct.error) as e:
        print("ttfb: error: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps({
        "status": status,
        "first_body_byte_s": (round(first - t0, 6)
                              if first is not None else None),
        "total_s": round(end - t0, 6),
        "body_len": body_len,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
