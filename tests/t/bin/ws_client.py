#!/usr/bin/python3
"""WebSocket echo check for the Apache::Test suite.

usage: ws_client.py [--hold=SECONDS] URL MSG1 [MSG2 ...]

Connects to URL (ws:// or wss://; certificates are not verified), sends
each MSG as a text frame and prints its echo on its own line, then sends a
ping and one 100 KiB binary message and checks its echo, and closes
cleanly. Exits 0 only if every echo matched; otherwise prints the reason
on stderr and exits 1 (2 for usage errors). 10 s overall timeout.
With --hold=N (at most 8), it keeps the connection open for N seconds
after the first echo, then sends "after-hold" and checks its echo too.

Needs the `websockets` package (Debian python3-websockets); if the running
interpreter lacks it, the script re-executes itself with /usr/bin/python3.
"""

import asyncio
import os
import ssl
import sys

TIMEOUT = 10.0
BINARY_LEN = 100 * 1024

try:
    import websockets
except ImportError:
    _sys_py = "/usr/bin/python3"
    if (os.path.exists(_sys_py)
            and os.path.realpath(sys.executable) != os.path.realpath(_sys_py)
            and not os.environ.get("WS_CLIENT_REEXEC")):
        os.environ["WS_CLIENT_REEXEC"] = "1"
        os.execv(_sys_py, [_sys_py] + sys.argv)
    print("ws_client: the python 'websockets' module is not available "
          "(install python3-websockets)", file=sys.stderr)
    sys.exit(1)


def fail(msg):
    print("ws_client: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def binary_payload():
    return bytes((i * 31 + (i >> 8) + 7) & 0xFF for i in range(BINARY_LEN))


async def run(url, messages, hold):
    kwargs = dict(open_timeout=TIMEOUT, close_timeout=TIMEOUT,
                  max_size=4 * 1024 * 1024, compression=None,
                  ping_interval=None)
    if url.startswith("wss:"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        kwargs["ssl"] = ctx
    async with websockets.connect(url, **kwargs) as ws:
        for msg in messages:
            await ws.send(msg)
            echo = await ws.recv()
            if not isinstance(echo, str):
                return "text message %r echoed as binary" % msg
            print(echo, flush=True)
            if echo != msg:
                return "echo mismatch: sent %r, got %r" % (msg, echo)
            if hold:
                print("ws_client: holding %g s" % hold, file=sys.stderr,
                      flush=True)
                await asyncio.sleep(hold)
                await ws.send("after-hold")
                echo = await ws.recv()
                if echo != "after-hold":
                    return "echo after hold mismatch: got %r" % (echo,)
                print(echo, flush=True)
                hold = 0

        pong = await ws.ping(b"ws_client-ping")
        await pong

        data = binary_payload()
        await ws.send(data)
        echo = await ws.recv()
        if not isinstance(echo, bytes):
            return "binary message echoed as text"
        if echo != data:
            return "binary echo mismatch: sent %d bytes, got %d bytes" % (
                len(data), len(echo))
        print("ws_client: binary echo of %d bytes ok" % len(data),
              file=sys.stderr)

        await ws.close(code=1000, reason="done")
        if ws.close_code != 1000:
            return "unclean close: code %r reason %r" % (
                ws.close_code, ws.close_reason)
    return None


def main(argv):
    hold = 0.0
    if len(argv) > 1 and argv[1].startswith("--hold="):
        hold = min(float(argv[1][7:]), 8.0)
        argv = argv[:1] + argv[2:]
    if len(argv) < 3 or not argv[1].startswith(("ws://", "wss://")):
        print("usage: ws_client.py ws://HOST:PORT/PATH MSG1 [MSG2 ...]",
              file=sys.stderr)
        return 2
    url, messages = argv[1], argv[2:]
    try:
        err = asyncio.run(asyncio.wait_for(run(url, messages, hold),
                                                TIMEOUT + hold))
    except asyncio.TimeoutError:
        err = "timed out after %.0f s" % TIMEOUT
    except websockets.exceptions.InvalidStatusCode as e:
        err = "handshake refused: HTTP status %s" % e.status_code
    except websockets.exceptions.ConnectionClosed as e:
        err = "connection closed unexpectedly: %s" % e
    except (OSError, websockets.exceptions.WebSocketException) as e:
        err = "%s: %s" % (type(e).__name__, e)
    if err:
        fail(err)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
