#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qmp.py SOCKET COMMAND [JSON-ARGUMENTS]

Runs one QMP command on the QEMU listening on the UNIX socket SOCKET and
prints the command's "return" value as JSON on stdout.  Asynchronous events
QEMU sends meanwhile are printed to stderr.  Exit status: 0 on success, 1 when
QEMU answers with an error, 2 when it cannot be reached within 30 s.
"""
import json
import socket
import sys
import time


def connect(path, limit=30.0):
    """Connects to QEMU's server socket PATH, waiting up to LIMIT seconds
    for it to appear; the socket returned blocks (tests/matrix/agent.py
    uses this too)."""
    end = time.monotonic() + limit
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def replies(sock):
    buf = b""
    while True:
        while b"\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("QEMU closed the QMP connection")
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        if line.strip():
            yield json.loads(line)


def execute(sock, stream, command, arguments=None):
    msg = {"execute": command}
    if arguments:
        msg["arguments"] = arguments
    sock.sendall(json.dumps(msg).encode() + b"\n")
    for reply in stream:
        if "event" in reply:
            print(json.dumps(reply), file=sys.stderr)
            continue
        return reply


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
    try:
        sock = connect(sys.argv[1])
        sock.settimeout(30)
    except OSError as err:
        print(f"qmp: cannot connect to {sys.argv[1]}: {err}", file=sys.stderr)
        return 2
    stream = replies(sock)
    next(stream)  # the greeting
    execute(sock, stream, "qmp_capabilities")
    reply = execute(sock, stream, sys.argv[2], args)
    if "error" in reply:
        print(f"qmp: {sys.argv[2]}: {reply['error'].get('desc')}", file=sys.stderr)
        return 1
    print(json.dumps(reply.get("return")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
